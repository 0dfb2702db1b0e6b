/* scan.c: split iCalendar bytes into unfolded content lines and components (RFC 5545 3.1). */
#include "dovetail/ics.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dovetail/xalloc.h"

void ics_limits_default(struct ics_limits *lim)
{
	lim->max_file_bytes = 64u << 20;
	lim->max_line_bytes = 1u << 20;
	lim->max_lines = 4000000;
	lim->max_depth = 8;
	lim->max_components = 50000;
	lim->max_series_occ = 20000;
	lim->max_series_iter = 250000;
	lim->max_dates = 5000;
	lim->max_feed_occ = 2000000;
	lim->cpu_budget_ms = 5000;
}

static int is_name_char(unsigned char c)
{
	return isalnum(c) || c == '-';
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

/* Physical line and column of byte `off` of logical line l: walk the source
 * again, stepping over folds. Only used to report errors. */
static void locate(const char *src, size_t len, const struct ics_line *l, size_t off,
		   int *line, int *col)
{
	size_t p = l->src_off, k = 0;
	int ln = (int)l->line, c = 1;
	while (p < len && k < off) {
		if (src[p] == '\r' || src[p] == '\n') {
			if (src[p] == '\r' && p + 1 < len && src[p + 1] == '\n')
				p++;
			p++;
			ln++;
			c = 1;
			if (p < len && (src[p] == ' ' || src[p] == '\t')) {
				p++;
				c = 2;
			}
			continue;
		}
		p++;
		k++;
		c++;
	}
	*line = ln;
	*col = c;
}

static void upcase(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (char)toupper((unsigned char)s[i]);
}

/* Check name, parameters and the ':' of line l. On success sets name_len
 * and value_off. Returns the byte offset of the first fault, or -1 if none,
 * with *code set to the diagnostic. */
static long parse_line(struct ics_line *l, enum diag_code *code)
{
	char *t = (char *)l->text;
	size_t i = 0, n = l->len;
	while (i < n && is_name_char((unsigned char)t[i]))
		i++;
	if (i == 0) {
		*code = D_ICS_BAD_NAME;
		return 0;
	}
	if (i == n || t[i] == ' ' || t[i] == '\t') {
		*code = D_ICS_NO_COLON;
		return (long)i;
	}
	if (t[i] != ';' && t[i] != ':') {
		*code = D_ICS_BAD_NAME;
		return (long)i;
	}
	l->name_len = (uint32_t)i;
	upcase(t, i);
	while (i < n && t[i] == ';') {
		size_t p = ++i;
		while (i < n && is_name_char((unsigned char)t[i]))
			i++;
		if (i == p || i >= n || t[i] != '=') {
			*code = D_ICS_BAD_PARAM;
			return (long)i;
		}
		i++;
		for (;;) {
			size_t ws = i;
			while (ws < n && (t[ws] == ' ' || t[ws] == '\t'))
				ws++; /* a fold inside a parameter can leave a blank before the quote */
			if (ws < n && t[ws] == '"')
				i = ws;
			if (i < n && t[i] == '"') {
				const char *q = memchr(t + i + 1, '"', n - i - 1);
				if (!q) {
					*code = D_ICS_BAD_PARAM;
					return (long)i;
				}
				i = (size_t)(q - t) + 1;
			} else {
				while (i < n && t[i] != ';' && t[i] != ':' && t[i] != ',' && t[i] != '"')
					i++;
			}
			if (i < n && t[i] == ',') {
				i++;
				continue;
			}
			break;
		}
		if (i >= n || (t[i] != ';' && t[i] != ':')) {
			*code = i >= n ? D_ICS_NO_COLON : D_ICS_BAD_PARAM;
			return (long)i;
		}
	}
	l->value_off = (uint32_t)(i + 1);
	return -1;
}

/* Properties whose loss would change when or whether an event happens. */
static int essential(const char *name)
{
	static const char *const names[] = { "BEGIN", "END", "UID", "DTSTART", "DTEND", "DURATION",
		"RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID", "STATUS", "TRANSP", "SEQUENCE",
		"TZID", "TZOFFSETFROM", "TZOFFSETTO", "FREEBUSY" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* The names diagnostics may show: RFC 5545's (and RFC 7953's) properties
 * and components. Any other first word of a line is the file's content
 * (a file that is not iCalendar at all: a passwd line, a letter), so a
 * message names only its position and kind (issue 19, item 12). */
static const char *shown_prop(const char *name, const char *otherwise)
{
	static const char *const names[] = { "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD",
		"UID", "DTSTAMP", "DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "EXRULE",
		"RECURRENCE-ID", "STATUS", "TRANSP", "SEQUENCE", "SUMMARY", "DESCRIPTION", "LOCATION",
		"CATEGORIES", "CLASS", "CREATED", "LAST-MODIFIED", "ORGANIZER", "ATTENDEE", "CONTACT",
		"COMMENT", "GEO", "PRIORITY", "RESOURCES", "URL", "ATTACH", "RELATED-TO", "REQUEST-STATUS",
		"TZID", "TZNAME", "TZOFFSETFROM", "TZOFFSETTO", "TZURL", "FREEBUSY", "ACTION", "TRIGGER",
		"REPEAT", "COMPLETED", "DUE", "PERCENT-COMPLETE", "X-WR-TIMEZONE", "X-WR-CALNAME",
		"X-WR-CALDESC", "BUSYTYPE", "NAME", "REFRESH-INTERVAL", "SOURCE", "COLOR", "IMAGE",
		"CONFERENCE" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(name, names[i]) == 0)
			return name;
	return otherwise;
}

const char *ics_comp_shown(const char *name)
{
	static const char *const names[] = { "VCALENDAR", "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY",
		"VTIMEZONE", "STANDARD", "DAYLIGHT", "VALARM", "VAVAILABILITY", "AVAILABLE", "VLOCATION",
		"VRESOURCE", "PARTICIPANT" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(name, names[i]) == 0)
			return name;
	return "(a component name not in RFC 5545)";
}

const char *ics_tzid_shown(const char *tzid)
{
	static const char *const areas[] = { "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic",
		"Australia", "Europe", "Indian", "Pacific", "Etc", "US", "Canada", "Mexico", "Brazil", "Chile" };
	const char *fixed = "(not shown: not shaped like a zone name)";
	size_t n = strlen(tzid);
	int lower = 0, area = 0;
	if (n < 1 || n > 64)
		return fixed;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)tzid[i];
		if (!(isalnum(ch) || ch == '/' || ch == '_' || ch == '-' || ch == '+' || ch == '.'))
			return fixed;
		lower |= islower(ch) != 0;
	}
	/* an IANA area followed by a place, anywhere after a prefix such as
	 * /mozilla.org/20050126_1/ ... */
	for (const char *p = tzid; *p && !area; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p))
		for (size_t k = 0; k < sizeof areas / sizeof *areas && !area; k++) {
			size_t m = strlen(areas[k]);
			area = strncmp(p, areas[k], m) == 0 && p[m] == '/' && p[m + 1];
		}
	/* ... or an abbreviation or an offset: EST, GMT+1 */
	return area || (!lower && n <= 9) ? tzid : fixed;
}

static int push_comp(struct ics_scan *s, const char *name, size_t begin, int32_t parent, int depth)
{
	struct ics_comp *c = BUF_PUSH(s->comps, s->n_comps, s->cap_comps);
	if (!c)
		return -1;
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	c->begin = (uint32_t)begin;
	c->parent = parent;
	c->depth = depth;
	return 0;
}

/* A scan in progress: the source, where the reading is, and the
 * components still open. */
struct scanner {
	struct ics_scan *s;
	const char *file, *src;
	size_t len;
	const struct ics_limits *lim;
	struct diag *d;
	size_t p, a;              /* next byte of src; next free byte of the arena */
	unsigned line;            /* physical line of src[p] */
	int32_t open;             /* innermost open component, -1 none */
	int depth, seen_cal, bad_utf8_seen;
};

/* One logical line (a physical line and its continuation lines) from
 * src[sc->p] into the arena, unfolded; too long when it passes
 * max_line_bytes (then nothing of it is kept). */
static void unfold(struct scanner *sc, int *too_long)
{
	size_t start = sc->p, a0 = sc->a;
	const char *src = sc->src;
	size_t len = sc->len;
	*too_long = 0;
	for (;;) {
		size_t q = sc->p;
		while (q < len && src[q] != '\n' && src[q] != '\r')
			q++;
		size_t seg = q - sc->p;
		if (!*too_long && sc->a - a0 + seg > sc->lim->max_line_bytes)
			*too_long = 1;
		if (!*too_long) {
			memcpy(sc->s->arena + sc->a, src + sc->p, seg);
			sc->a += seg;
		}
		sc->p = q;
		if (sc->p < len && src[sc->p] == '\r')
			sc->p++;
		if (sc->p < len && src[sc->p] == '\n')
			sc->p++;
		if (sc->p < len && (src[sc->p] == ' ' || src[sc->p] == '\t') && sc->p > start) {
			sc->line++;
			sc->p++; /* the fold: line ending plus one blank */
			continue;
		}
		sc->line++;
		break;
	}
}

/* Line l's encoding: UTF-8 (RFC 5545 3.1.4), no NUL. A NUL spoils the line;
 * a byte that is not UTF-8 is mended to '?' (Latin-1 exports are common),
 * reported once per file. */
static void check_encoding(struct scanner *sc, struct ics_line *l)
{
	const unsigned char *u = (const unsigned char *)l->text;
	size_t n = l->len;
	for (size_t i = 0; i < n;) {
		int ln, col;
		if (u[i] == 0) {
			locate(sc->src, sc->len, l, i, &ln, &col);
			diag_add(sc->d, D_ICS_CONTROL, sc->file, ln, col, "00");
			l->bad = 1;
			break;
		}
		size_t k = utf8_len(u + i, n - i);
		if (!k) {
			if (!sc->bad_utf8_seen) {
				locate(sc->src, sc->len, l, i, &ln, &col);
				diag_add(sc->d, D_ICS_BAD_UTF8, sc->file, ln, col);
			}
			sc->bad_utf8_seen = 1;
			((char *)l->text)[i] = '?';
			k = 1;
		}
		i += k;
	}
}

/* Line l's syntax (name, parameters, value): a fault spoils the line, or
 * only drops it when the property is not one dovetail needs. Returns 0 when
 * the line parses. */
static int check_syntax(struct scanner *sc, struct ics_line *l)
{
	const unsigned char *u = (const unsigned char *)l->text;
	size_t n = l->len;
	enum diag_code code = D_ICS_BAD_NAME;
	long fault = parse_line(l, &code);
	if (fault < 0)
		return 0;
	int ln, col;
	locate(sc->src, sc->len, l, (size_t)fault, &ln, &col);
	char nm[40];
	size_t k = 0;
	while (k < n && k < sizeof nm - 1 && is_name_char(u[k])) {
		nm[k] = (char)toupper(u[k]);
		k++;
	}
	nm[k] = 0;
	if (k && !essential(nm)) {
		diag_add(sc->d, D_ICS_LINE_IGNORED, sc->file, ln, col, shown_prop(nm, "a property not in RFC 5545"));
		l->bad = 2;
	} else {
		diag_add(sc->d, code, sc->file, ln, col, k ? shown_prop(nm, "the line") : "the line");
		l->bad = 1;
	}
	return -1;
}

/* BEGIN:name at line index idx (physical line l0): a new open component.
 * Returns 0, or -1 when a bound is passed (fatal). */
static int begin_component(struct scanner *sc, const char *name, size_t idx, unsigned l0)
{
	struct ics_scan *s = sc->s;
	char numbuf[32];
	if (sc->open < 0 && strcmp(name, "VCALENDAR") != 0) {
		diag_add(sc->d, D_ICS_BARE, sc->file, (int)l0, 1, ics_comp_shown(name));
		sc->seen_cal = 1;
	}
	if (sc->depth >= sc->lim->max_depth) {
		snprintf(numbuf, sizeof numbuf, "%d", sc->lim->max_depth);
		diag_add(sc->d, D_ICS_NESTING, sc->file, (int)l0, 1, numbuf);
		s->fatal = 1;
		return -1;
	}
	if (s->n_comps >= sc->lim->max_components * 4 + 64) {
		snprintf(numbuf, sizeof numbuf, "%zu", sc->lim->max_components);
		diag_add(sc->d, D_ICS_TOO_MANY_COMPS, sc->file, (int)l0, 1, numbuf);
		s->fatal = 1;
		return -1;
	}
	if (push_comp(s, name, idx, sc->open, sc->depth) < 0) {
		diag_add(sc->d, D_INTERNAL, sc->file, (int)l0, 0, "out of memory");
		return -1;
	}
	if (strcmp(name, "VCALENDAR") == 0 && sc->open < 0)
		sc->seen_cal = 1;
	sc->open = (int32_t)(s->n_comps - 1);
	sc->depth++;
	return 0;
}

/* END:name at line index idx (line l, physical line l0): closes the
 * innermost open component of that name, and any left open inside it. An
 * END nothing opened spoils its line. */
static void end_component(struct scanner *sc, struct ics_line *l, const char *name, size_t idx, unsigned l0)
{
	struct ics_scan *s = sc->s;
	char numbuf[32];
	int32_t c = sc->open;
	while (c >= 0 && strncmp(s->comps[c].name, name, sizeof s->comps[c].name) != 0)
		c = s->comps[c].parent;
	if (c < 0) {
		diag_add(sc->d, D_ICS_END_UNOPENED, sc->file, (int)l0, 5, ics_comp_shown(name));
		l->bad = 1;
		return;
	}
	/* close what was left open inside it */
	while (sc->open != c) {
		assert(sc->open > c);   /* a component's children come after it */
		snprintf(numbuf, sizeof numbuf, "%u", s->lines[s->comps[sc->open].begin].line);
		diag_add(sc->d, D_ICS_END_MISMATCH, sc->file, (int)l0, 5, ics_comp_shown(name),
			 ics_comp_shown(s->comps[sc->open].name), numbuf);
		s->comps[sc->open].end = (uint32_t)idx;
		sc->open = s->comps[sc->open].parent;
		sc->depth--;
	}
	s->comps[c].end = (uint32_t)idx;
	s->comps[c].complete = 1;
	sc->open = s->comps[c].parent;
	sc->depth--;
}

/* A BEGIN or END line l; value v. Returns 0, or -1 when fatal. */
static int begin_or_end(struct scanner *sc, struct ics_line *l, int is_begin, unsigned l0)
{
	const char *v = l->text + l->value_off;
	char name[64];
	snprintf(name, sizeof name, "%s", v);
	size_t k = strlen(name);
	while (k && (name[k - 1] == ' ' || name[k - 1] == '\t'))
		name[--k] = 0;
	upcase(name, k);
	size_t idx = sc->s->n_lines - 1;
	if (is_begin)
		return begin_component(sc, name, idx, l0);
	end_component(sc, l, name, idx, l0);
	return 0;
}

/* The end of the file: what is still open was cut short; a file with no
 * line or no calendar is refused. Returns 0, or -1 (fatal). */
static int scan_finish(struct scanner *sc)
{
	struct ics_scan *s = sc->s;
	char numbuf[32];
	for (int32_t c = sc->open; c >= 0; c = s->comps[c].parent) {
		s->comps[c].end = (uint32_t)(s->n_lines ? s->n_lines - 1 : 0);
		if (s->comps[c].parent < 0) {
			snprintf(numbuf, sizeof numbuf, "%u", s->lines[s->comps[c].begin].line);
			diag_add(sc->d, D_ICS_UNCLOSED, sc->file, (int)(sc->line > 1 ? sc->line - 1 : 1), 1,
				 ics_comp_shown(s->comps[c].name), numbuf);
		}
	}
	if (!s->n_lines) {
		diag_add(sc->d, D_ICS_EMPTY, sc->file, 1, 1);
		s->fatal = 1;
		return -1;
	}
	if (!sc->seen_cal) {
		diag_add(sc->d, D_ICS_NO_CALENDAR, sc->file, 1, 1);
		s->fatal = 1;
		return -1;
	}
	return 0;
}

int ics_scan(struct ics_scan *s, const char *file, const char *src, size_t len,
	     const struct ics_limits *lim, struct diag *d)
{
	memset(s, 0, sizeof *s);
	s->arena = xmalloc(len + 2);
	struct scanner sc = { s, file, src, len, lim, d, 0, 0, 1, -1, 0, 0, 0 };
	if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0)
		sc.p = 3;
	char numbuf[32];

	while (sc.p < len) {
		size_t start = sc.p, a0 = sc.a;
		unsigned l0 = sc.line;
		int too_long;
		unfold(&sc, &too_long);
		if (too_long) {
			sc.a = a0;
			snprintf(numbuf, sizeof numbuf, "%zu", lim->max_line_bytes);
			diag_add(d, D_ICS_LINE_TOO_LONG, file, (int)l0, 1, numbuf);
		}
		size_t n = sc.a - a0;
		s->arena[sc.a++] = 0;
		if (n == 0 && !too_long) {
			sc.a = a0;
			continue; /* blank line */
		}
		if (s->n_lines >= lim->max_lines) {
			snprintf(numbuf, sizeof numbuf, "%zu", lim->max_lines);
			diag_add(d, D_ICS_TOO_MANY_LINES, file, (int)l0, 1, numbuf);
			s->fatal = 1;
			return -1;
		}
		struct ics_line *l = BUF_PUSH(s->lines, s->n_lines, s->cap_lines);
		if (!l) {
			diag_add(d, D_INTERNAL, file, (int)l0, 0, "out of memory");
			return -1;
		}
		memset(l, 0, sizeof *l);
		l->text = s->arena + a0;
		l->len = (uint32_t)n;
		l->line = l0;
		l->src_off = start;
		l->src_end = sc.p;
		if (too_long) {
			l->bad = 1;
			continue;
		}
		check_encoding(&sc, l);
		if (l->bad || check_syntax(&sc, l) < 0)
			continue;
		int is_begin = l->name_len == 5 && memcmp(l->text, "BEGIN", 5) == 0;
		int is_end = l->name_len == 3 && memcmp(l->text, "END", 3) == 0;
		if (is_begin || is_end) {
			if (begin_or_end(&sc, l, is_begin, l0) < 0)
				return -1;
			continue;
		}
		if (sc.open < 0) {
			char nm[40];
			snprintf(nm, sizeof nm, "%.*s", (int)(l->name_len < 32 ? l->name_len : 32), l->text);
			diag_add(d, D_ICS_OUTSIDE, file, (int)l0, 1, shown_prop(nm, "a line"));
			l->bad = 1;
		}
	}
	return scan_finish(&sc);
}

void ics_scan_release(struct ics_scan *s)
{
	if (!s)
		return;
	free(s->arena);
	free(s->lines);
	free(s->comps);
	memset(s, 0, sizeof *s);
}

const char *ics_line_param(const struct ics_line *l, const char *name,
			   char *buf, size_t bufsz)
{
	const char *t = l->text;
	size_t i = l->name_len, end = l->value_off ? l->value_off - 1 : l->name_len;
	size_t nl = strlen(name);
	while (i < end && t[i] == ';') {
		size_t p = ++i;
		while (i < end && t[i] != '=')
			i++;
		int match = i - p == nl && strncasecmp(t + p, name, nl) == 0;
		i++; /* '=' */
		size_t vs = i;
		int quoted = 0;
		while (i < end && t[i] != ';') {
			if (t[i] == '"') {
				quoted = 1;
				const char *q = memchr(t + i + 1, '"', end - i - 1);
				i = q ? (size_t)(q - t) + 1 : end;
			} else {
				i++;
			}
		}
		if (match) {
			size_t vn = i - vs;
			const char *v = t + vs;
			if (quoted && vn >= 2 && v[0] == '"' && v[vn - 1] == '"') {
				v++;
				vn -= 2;
			}
			if (vn >= bufsz)
				vn = bufsz - 1;
			memcpy(buf, v, vn);
			buf[vn] = 0;
			return buf;
		}
	}
	return NULL;
}

uint32_t ics_scan_method(const struct ics_scan *s, char *out, size_t sz)
{
	int depth = 0;
	for (size_t i = 0; i < s->n_lines; i++) {
		const struct ics_line *l = &s->lines[i];
		if (l->bad)
			continue;
		if (l->name_len == 5 && !memcmp(l->text, "BEGIN", 5))
			depth++;
		else if (l->name_len == 3 && !memcmp(l->text, "END", 3))
			depth--;
		else if (depth == 1 && l->name_len == 6 && !memcmp(l->text, "METHOD", 6)) {
			snprintf(out, sz, "%.*s", (int)(l->len - l->value_off), l->text + l->value_off);
			for (char *p = out; *p; p++)
				if (*p >= 'a' && *p <= 'z')
					*p = (char)(*p - 'a' + 'A');
			return l->line;
		}
	}
	if (sz)
		*out = 0;
	return 0;
}

int ics_method_is_itip_answer_or_request(const char *m)
{
	return !strcmp(m, "REPLY") || !strcmp(m, "COUNTER") || !strcmp(m, "DECLINECOUNTER") ||
	       !strcmp(m, "REQUEST");
}
