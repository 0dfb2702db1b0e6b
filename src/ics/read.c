/* read.c: turn scanned components into events: values parsed, time zones resolved. */
#include "dovetail/ics.h"

#include <assert.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dovetail/xalloc.h"

/* A comma-separated list being appended to: its length and room, so that
 * each append costs its own length (an event may have many ATTENDEEs). */
struct list_room {
	size_t len, cap;
};

struct ctx {
	struct ics_feed *f;
	const struct ics_limits *lim;
	struct diag *d;
	struct ics_event *ev;
	const struct ics_line *l;      /* line being read */
	struct list_room attendees, categories;
};

static int name_is(const struct ics_line *l, const char *name)
{
	size_t n = strlen(name);
	return l->name_len == n && memcmp(l->text, name, n) == 0;
}

static const char *value(const struct ics_line *l)
{
	return l->text + l->value_off;
}

/* Column (1-based, on the logical line) of the value. */
static int vcol(const struct ics_line *l)
{
	return (int)l->value_off + 1;
}

static void prop_name(const struct ics_line *l, char *out, size_t n)
{
	snprintf(out, n, "%.*s", (int)(l->name_len < 40 ? l->name_len : 40), l->text);
}

static void fail(struct ctx *c, enum diag_code code, int col, ...);

/* ---- scalar values ----------------------------------------------------- */

static int dig(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + s[i] - '0';
	}
	*out = v;
	return 0;
}

/* Strict DATE / DATE-TIME text (RFC 5545 3.3.4, 3.3.5). */
static int parse_time_text(const char *v, size_t n, struct icaltimetype *out, int *is_utc)
{
	struct icaltimetype t = icaltime_null_time();
	*is_utc = 0;
	if (n != 8 && n != 15 && n != 16)
		return -1;
	if (dig(v, 4, &t.year) || dig(v + 4, 2, &t.month) || dig(v + 6, 2, &t.day))
		return -1;
	if (t.year < 1 || t.month < 1 || t.month > 12 || t.day < 1 ||
	    t.day > icaltime_days_in_month(t.month, t.year))
		return -1;
	if (n == 8) {
		t.is_date = 1;
	} else {
		if (v[8] != 'T' || dig(v + 9, 2, &t.hour) || dig(v + 11, 2, &t.minute) ||
		    dig(v + 13, 2, &t.second))
			return -1;
		if (t.hour > 23 || t.minute > 59 || t.second > 60)
			return -1;
		if (t.second == 60)
			t.second = 59; /* leap second: RFC 5545 3.3.12 allows 60 */
		if (n == 16) {
			if (v[15] != 'Z')
				return -1;
			*is_utc = 1;
		}
	}
	*out = t;
	return 0;
}

/* One DATE / DATE-TIME value of line l, with the line's VALUE and TZID. */
int64_t ics_duration_secs(struct icaldurationtype du)
{
	return ((int64_t)du.weeks * 7 + du.days) * 86400 + (int64_t)du.hours * 3600 + (int64_t)du.minutes * 60 +
	       du.seconds;
}

/* Whether end b is more than ICS_MAX_DURATION_DAYS after start a, as a
 * DURATION may not be: by their wall clocks (a zone's offset is nothing at
 * this scale). */
static int too_long(struct icaltimetype a, struct icaltimetype b)
{
	a.zone = b.zone = NULL;
	a.is_date = b.is_date = 0;
	icaltime_adjust(&a, ICS_MAX_DURATION_DAYS, 0, 0, 0);
	return icaltime_compare(b, a) > 0;
}

/* Duration text v (n bytes) as libical reads it, into *out: 0, or -1 when
 * it cannot be read, a number in it is longer than 9 digits (libical's
 * fields would wrap) or it lasts more than ICS_MAX_DURATION_DAYS. The
 * sign is the caller's to judge. */
static int duration_value(const char *v, size_t n, struct icaldurationtype *out)
{
	char buf[64];
	if (n >= sizeof buf)
		return -1;
	for (size_t k = 0, run = 0; k < n; k++) {
		run = v[k] >= '0' && v[k] <= '9' ? run + 1 : 0;
		if (run > 9)
			return -1;
	}
	memcpy(buf, v, n);
	buf[n] = 0;
	*out = icaldurationtype_from_string(buf);
	if (icaldurationtype_is_bad_duration(*out))
		return -1;
	return ics_duration_secs(*out) > (int64_t)ICS_MAX_DURATION_DAYS * 86400 ? -1 : 0;
}

static int time_value(struct ctx *c, const char *v, size_t n, struct icaltimetype *out)
{
	const struct ics_line *l = c->l;
	char pbuf[256], vtype[32];
	int is_utc;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--; /* trailing blanks, as some exporters write */
	if (parse_time_text(v, n, out, &is_utc) < 0)
		return -1;
	const char *vt = ics_line_param(l, "VALUE", vtype, sizeof vtype);
	if (vt && strcasecmp(vt, "DATE") == 0 && !out->is_date) {
		char nm[48];
		prop_name(l, nm, sizeof nm);
		diag_add(c->d, D_ICS_LENIENT, c->f->file, (int)l->line, vcol(l), nm,
			 "VALUE=DATE with a date-time", "its date");
		out->is_date = 1;
		out->hour = out->minute = out->second = 0;
		return 0;
	}
	if (vt && strcasecmp(vt, "DATE-TIME") == 0 && out->is_date)
		return -1;
	if (is_utc) {
		out->zone = icaltimezone_get_utc_timezone();
	} else if (!out->is_date) {
		const char *tzid = ics_line_param(l, "TZID", pbuf, sizeof pbuf);
		if (tzid && *tzid)
			out->zone = ics_tz_resolve(c->f->tz, tzid, c->f->file, (int)l->line, c->d);
	}
	return 0;
}

static int one_time(struct ctx *c, struct icaltimetype *out)
{
	const char *v = value(c->l);
	if (time_value(c, v, strlen(v), out) < 0) {
		char nm[48];
		prop_name(c->l, nm, sizeof nm);
		fail(c, D_ICS_BAD_TIME, vcol(c->l), nm, "date or date-time");
		return -1;
	}
	return 0;
}

static char *text_value(const char *v)
{
	icalvalue *iv = icalvalue_new_from_string(ICAL_TEXT_VALUE, v);
	char *out = NULL;
	if (iv) {
		const char *t = icalvalue_get_text(iv);
		out = xstrdup(t ? t : "");
		icalvalue_free(iv);
	} else {
		out = xstrdup(v);
	}
	return out;
}

static void append_text(char **dst, struct list_room *r, const char *add)
{
	if (!add)
		return;
	size_t b = strlen(add);
	if (!*dst) {
		*dst = xstrdup(add);
		*r = (struct list_room){ b, b + 1 };
		return;
	}
	assert(r->cap > r->len);
	if (r->len + b + 2 > r->cap) {
		size_t cap = 2 * r->cap > r->len + b + 2 ? 2 * r->cap : r->len + b + 2;
		*dst = xrealloc(*dst, cap);
		r->cap = cap;
	}
	(*dst)[r->len] = ',';
	memcpy(*dst + r->len + 1, add, b + 1);
	r->len += b + 1;
}

/* ---- diagnostics -------------------------------------------------------- */

static void fail(struct ctx *c, enum diag_code code, int col, ...)
{
	/* at most four %s arguments in any template used here */
	va_list ap;
	va_start(ap, col);
	const char *a1 = va_arg(ap, const char *);
	const char *a2 = va_arg(ap, const char *);
	const char *a3 = va_arg(ap, const char *);
	va_end(ap);
	diag_add(c->d, code, c->f->file, c->l ? (int)c->l->line : c->ev->line, col, a1, a2, a3);
	if (diag_severity(code) == DIAG_ERROR && c->ev)
		c->ev->bad = 1;
}

/* ---- recurrence rules --------------------------------------------------- */

/* Which parts a rule has. */
struct rule_parts {
	int count, until, freq;
};

/* One part p (n bytes, '=' at eq) of rule v, as libical would mend it:
 * INTERVAL and COUNT whole numbers of 1 or more, UNTIL a date or
 * date-time. Notes the part in *has. Returns 0, or -1 with the error. */
static int rule_part(struct ctx *c, const char *v, const char *p, size_t n, const char *eq,
		     const char *nm, struct rule_parts *has)
{
	size_t kn = (size_t)(eq - p);
	const char *val = eq + 1;
	size_t vn = n - kn - 1;
	if ((kn == 8 && strncasecmp(p, "INTERVAL", 8) == 0) ||
	    (kn == 5 && strncasecmp(p, "COUNT", 5) == 0)) {
		long x = 0;
		size_t i = 0;
		for (; i < vn && isdigit((unsigned char)val[i]) && x < 1000000000L; i++)
			x = x * 10 + (val[i] - '0');
		if (vn == 0 || i != vn || x < 1) {
			fail(c, D_ICS_BAD_RRULE, vcol(c->l) + (int)(val - v), nm,
			     kn == 5 ? "COUNT must be a whole number of 1 or more"
				     : "INTERVAL must be a whole number of 1 or more");
			return -1;
		}
		has->count |= kn == 5;
	} else if (kn == 5 && strncasecmp(p, "UNTIL", 5) == 0) {
		struct icaltimetype u;
		int utc;
		has->until = 1;
		if (parse_time_text(val, vn, &u, &utc) < 0) {
			fail(c, D_ICS_BAD_RRULE, vcol(c->l) + (int)(val - v), nm, "UNTIL is not a date or date-time");
			return -1;
		}
	} else if (kn == 4 && strncasecmp(p, "FREQ", 4) == 0) {
		has->freq = 1;
	}
	return 0;
}

/* RRULE or EXRULE c->l into *out, checked first for what libical would
 * quietly mend. Returns 0, or -1 with the error. */
static int rule(struct ctx *c, struct icalrecurrencetype *out)
{
	const char *v = value(c->l);
	char nm[16];
	prop_name(c->l, nm, sizeof nm);
	/* libical quietly turns INTERVAL=0 or -2 into 1 and a bad COUNT into 0:
	 * check the parts it mends before handing the rule over. */
	struct rule_parts has = { 0, 0, 0 };
	int dropped = 0;
	char clean[1024];
	size_t clean_n = 0;
	clean[0] = 0;
	for (const char *p = v; *p;) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (!eq) {
			diag_add(c->d, D_ICS_LENIENT, c->f->file, (int)c->l->line, vcol(c->l) + (int)(p - v),
				 nm, "a part without '='", "absent");
			dropped = 1;
			p += n;
			if (*p == ';')
				p++;
			continue;
		}
		if (clean_n + n + 2 < sizeof clean) {
			if (clean_n)
				clean[clean_n++] = ';';
			memcpy(clean + clean_n, p, n);
			clean_n += n;
			clean[clean_n] = 0;
		}
		if (rule_part(c, v, p, n, eq, nm, &has) < 0)
			return -1;
		p += n;
		if (*p == ';')
			p++;
	}
	if (!has.freq) {
		fail(c, D_ICS_BAD_RRULE, vcol(c->l), nm, "no FREQ");
		return -1;
	}
	icalerror_clear_errno();
	*out = icalrecurrencetype_from_string(dropped ? clean : v);
	if (out->freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		fail(c, D_ICS_BAD_RRULE, vcol(c->l), nm, "a part or value libical does not accept");
		return -1;
	}
	if (has.count && has.until) {
		fail(c, D_ICS_COUNT_UNTIL, vcol(c->l), nm);
		out->until = icaltime_null_time();
	}
	if (out->freq == ICAL_SECONDLY_RECURRENCE || out->freq == ICAL_MINUTELY_RECURRENCE)
		fail(c, D_ICS_SUBDAILY, vcol(c->l), c->ev->uid ? c->ev->uid : "?",
		     out->freq == ICAL_SECONDLY_RECURRENCE ? "SECONDLY" : "MINUTELY");
	return 0;
}

/* ---- list values: RDATE, EXDATE, FREEBUSY -------------------------------- */

/* Arrays that grow by doubling: a new block only when n is 0 or a power
 * of two, so thousands of values cost a few reallocations, not thousands. */
static void grow(void **v, size_t n, size_t size)
{
	if (n & (n - 1))
		return;
	*v = xreallocarray(*v, n ? 2 * n : 1, size);
}

static void push_time(struct icaltimetype **v, size_t *n, const struct icaltimetype *t)
{
	grow((void **)v, *n, sizeof **v);
	(*v)[(*n)++] = *t;
}

static void push_rdate(struct ics_event *ev, const struct ics_rdate *r)
{
	grow((void **)&ev->rdates, ev->n_rdates, sizeof *ev->rdates);
	ev->rdates[ev->n_rdates++] = *r;
}

static int list_values(struct ctx *c, int is_rdate)
{
	const char *v = value(c->l);
	char nm[16], vtype[32];
	prop_name(c->l, nm, sizeof nm);
	const char *vt = ics_line_param(c->l, "VALUE", vtype, sizeof vtype);
	int period = vt && strcasecmp(vt, "PERIOD") == 0;
	for (const char *p = v; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && (p[n - 1] == ' '))
			n--;
		if (c->ev->n_rdates + c->ev->n_exdates >= c->lim->max_dates) {
			char lim[32];
			snprintf(lim, sizeof lim, "%zu", c->lim->max_dates);
			fail(c, D_LIM_DATES, vcol(c->l), c->ev->uid ? c->ev->uid : "?", lim);
			return -1;
		}
		const char *slash = memchr(p, '/', n);
		if (is_rdate && (period || slash)) {
			struct ics_rdate r;
			memset(&r, 0, sizeof r);
			r.line = (int)c->l->line;
			r.is_period = 1;
			if (!slash || time_value(c, p, (size_t)(slash - p), &r.start) < 0 || r.start.is_date) {
				fail(c, D_ICS_BAD_PERIOD, vcol(c->l) + (int)(p - v), nm);
				return -1;
			}
			const char *q = slash + 1;
			size_t qn = n - (size_t)(q - p);
			if (qn && (q[0] == 'P' || q[0] == '+' || q[0] == '-')) {
				if (duration_value(q, qn, &r.dur) < 0 || r.dur.is_neg) {
					fail(c, D_ICS_BAD_PERIOD, vcol(c->l) + (int)(p - v), nm);
					return -1;
				}
			} else {
				if (time_value(c, q, qn, &r.end) < 0 || r.end.is_date || too_long(r.start, r.end)) {
					fail(c, D_ICS_BAD_PERIOD, vcol(c->l) + (int)(p - v), nm);
					return -1;
				}
				r.has_end = 1;
			}
			push_rdate(c->ev, &r);
		} else {
			struct icaltimetype t;
			if (time_value(c, p, n, &t) < 0) {
				fail(c, D_ICS_BAD_TIME, vcol(c->l) + (int)(p - v), nm, "date or date-time");
				return -1;
			}
			if (is_rdate) {
				struct ics_rdate r;
				memset(&r, 0, sizeof r);
				r.start = t;
				r.line = (int)c->l->line;
				push_rdate(c->ev, &r);
			} else {
				push_time(&c->ev->exdates, &c->ev->n_exdates, &t);
			}
		}
		p += e ? (size_t)(e - p) + 1 : strlen(p);
	}
	return 0;
}

static int freebusy(struct ctx *c)
{
	const char *v = value(c->l);
	char tb[32];
	const char *fbt = ics_line_param(c->l, "FBTYPE", tb, sizeof tb);
	int type = 0;
	if (fbt) {
		if (strcasecmp(fbt, "FREE") == 0)
			type = 3;
		else if (strcasecmp(fbt, "BUSY-TENTATIVE") == 0)
			type = 1;
		else if (strcasecmp(fbt, "BUSY-UNAVAILABLE") == 0)
			type = 2;
	}
	for (const char *p = v; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *slash = memchr(p, '/', n);
		struct icaltimetype s, en;
		int utc1 = 0, utc2 = 0;
		int ok = slash && parse_time_text(p, (size_t)(slash - p), &s, &utc1) == 0 && utc1;
		int64_t start = 0, end = 0;
		if (ok) {
			start = icaltime_as_timet_with_zone(s, icaltimezone_get_utc_timezone());
			const char *q = slash + 1;
			size_t qn = n - (size_t)(q - p);
			if (qn && q[0] == 'P') {
				struct icaldurationtype du;
				ok = duration_value(q, qn, &du) == 0 && !du.is_neg;
				end = ok ? start + ics_duration_secs(du) : 0;
			} else {
				ok = parse_time_text(q, qn, &en, &utc2) == 0 && utc2;
				if (ok)
					end = icaltime_as_timet_with_zone(en, icaltimezone_get_utc_timezone());
			}
		}
		if (!ok || end < start) {
			fail(c, D_ICS_BAD_PERIOD, vcol(c->l) + (int)(p - v), "FREEBUSY");
			return -1;
		}
		grow((void **)&c->ev->busy, c->ev->n_busy, sizeof *c->ev->busy);
		struct ics_busy *b = c->ev->busy;
		b[c->ev->n_busy].start = start;
		b[c->ev->n_busy].end = end;
		b[c->ev->n_busy].type = type;
		c->ev->n_busy++;
		p += e ? n + 1 : n;
	}
	return 0;
}

/* ---- one component ------------------------------------------------------ */

static void hash_component(const struct ics_scan *s, const struct ics_comp *cp, char out[65])
{
	struct hash_ctx *h = hash_new();
	if (!h) {
		memset(out, '0', 64);
		out[64] = 0;
		return;
	}
	for (size_t i = cp->begin; i <= cp->end && i < s->n_lines; i++) {
		const struct ics_line *l = &s->lines[i];
		if (name_is(l, "DTSTAMP"))
			continue; /* restamped on every export; not a change */
		hash_update(h, l->text, l->len);
		hash_update(h, "\n", 1);
	}
	hash_final_hex(h, out);
	hash_free(h);
}

/* Skip the component s->comps[*k], which begins at line i, and every
 * component inside it: *k moves past them. Returns the index of its END
 * line, where the caller's loop goes on. When bad is not NULL, *bad is set
 * to 1 if one of the skipped lines spoils its component (bad == 1). */
static size_t skip_component(const struct ics_scan *s, size_t *k, size_t i, int *bad)
{
	/* the scan lists components in the order they begin, nested ones
	 * after their parent, and a component ends after it begins */
	assert(*k < s->n_comps && s->comps[*k].begin == i);
	size_t skip_to = s->comps[*k].end;
	assert(skip_to >= i);
	for (size_t j = i; bad && j <= skip_to && j < s->n_lines; j++)
		if (s->lines[j].bad == 1)
			*bad = 1;
	while (*k < s->n_comps && s->comps[*k].begin <= skip_to)
		(*k)++;
	return skip_to;
}

/* A new event for component ci: its kind, where it is in the source, and
 * its hash. Returns NULL out of memory. */
static struct ics_event *event_new(struct ics_feed *f, size_t ci)
{
	const struct ics_scan *s = &f->scan;
	const struct ics_comp *cp = &s->comps[ci];
	struct ics_event *ev = BUF_PUSH(f->ev, f->n_ev, f->cap_ev);
	if (!ev)
		return NULL;
	memset(ev, 0, sizeof *ev);
	ev->kind = strcmp(cp->name, "VFREEBUSY") == 0 ? ICS_VFREEBUSY : ICS_VEVENT;
	ev->line = (int)s->lines[cp->begin].line;
	ev->src_off = s->lines[cp->begin].src_off;
	size_t last = cp->end < s->n_lines ? cp->end : s->n_lines - 1;
	ev->src_len = s->lines[last].src_end - ev->src_off;
	ev->end_line = (int)s->lines[last].line;
	hash_component(s, cp, ev->hash);
	if (!cp->complete)
		ev->bad = 1; /* reported by the scan */
	return ev;
}

/* A UID is written back to the practitioners as it came (docs/export.md):
 * one with a control character (RFC 5545 3.1: none but HTAB in a value)
 * could not be, so its event is an error at the UID's line. */
static void check_uid(struct ctx *c, const struct ics_line *l, struct ics_event *ev)
{
	for (const unsigned char *u = (const unsigned char *)ev->uid; *u; u++)
		if ((*u < 0x20 && *u != '\t') || *u == 0x7f) {
			char hex[4];
			snprintf(hex, sizeof hex, "%02X", *u);
			diag_add(c->d, D_ICS_CONTROL, c->f->file, (int)l->line, 1, hex);
			ev->bad = 1;
			return;
		}
}

/* The first pass over component ci's own lines: its UID (one is made from
 * the hash when there is none, so that later reports can name the series),
 * and whether a malformed line spoils it, nested components included. */
static void read_uid(struct ctx *c, size_t ci, const char *what)
{
	const struct ics_scan *s = &c->f->scan;
	const struct ics_comp *cp = &s->comps[ci];
	struct ics_event *ev = c->ev;
	size_t k = ci + 1;
	for (size_t i = cp->begin + 1; i < cp->end && i < s->n_lines; i++) {
		if (k < s->n_comps && s->comps[k].begin == i) {
			int bad = 0;
			i = skip_component(s, &k, i, &bad);
			if (bad)
				ev->bad = 1;
			continue;
		}
		const struct ics_line *l = &s->lines[i];
		if (l->bad) {
			if (l->bad == 1)
				ev->bad = 1;
			continue;
		}
		if (name_is(l, "UID") && !ev->uid) {
			ev->uid = text_value(value(l));
			check_uid(c, l, ev);
		}
	}
	if (!ev->uid || !*ev->uid) {
		free(ev->uid);
		char id[40], where[48];
		snprintf(id, sizeof id, "dovetail-%.16s", ev->hash);
		ev->uid = xstrdup(id);
		ev->uid_synthesized = 1;
		snprintf(where, sizeof where, "%s of line %d", what, ev->line);
		if (ev->kind == ICS_VEVENT)
			diag_add(c->d, D_ICS_NO_UID, c->f->file, ev->line, 1, where, id);
	}
}

/* ---- one property each: c->l is the line, v its value, trailing blanks
 * trimmed when it is short. A property given twice keeps its first value
 * unless it is a list (RDATE, EXDATE, CATEGORIES, ATTENDEE, FREEBUSY). */

static void read_dtstart(struct ctx *c, const char *v)
{
	(void)v;
	struct ics_event *ev = c->ev;
	if (!ev->has_dtstart && one_time(c, &ev->dtstart) == 0) {
		char tb[256];
		const char *tz = ics_line_param(c->l, "TZID", tb, sizeof tb);
		ev->has_dtstart = 1;
		if (tz)
			ev->tzid = xstrdup(tz);
	}
}

static void read_dtend(struct ctx *c, const char *v)
{
	(void)v;
	if (!c->ev->has_dtend && one_time(c, &c->ev->dtend) == 0)
		c->ev->has_dtend = 1;
}

static void read_duration(struct ctx *c, const char *v)
{
	struct icaldurationtype du;
	if (duration_value(v, strlen(v), &du) < 0 || (v[0] != 'P' && v[0] != '+' && v[0] != '-')) {
		fail(c, D_ICS_BAD_DURATION, vcol(c->l), "DURATION");
	} else if (!c->ev->has_duration) {
		c->ev->duration = du;
		c->ev->has_duration = 1;
	}
}

static void read_rid(struct ctx *c, const char *v)
{
	(void)v;
	struct ics_event *ev = c->ev;
	if (!ev->has_rid && one_time(c, &ev->rid) == 0) {
		char rb[32];
		const char *range = ics_line_param(c->l, "RANGE", rb, sizeof rb);
		ev->has_rid = 1;
		ev->rid_future = range && strcasecmp(range, "THISANDFUTURE") == 0;
	}
}

/* RRULE (ex 0) or EXRULE (ex 1): every rule is applied, or the event is
 * refused past ICS_MAX_RULES. */
static void read_some_rule(struct ctx *c, int ex)
{
	struct ics_event *ev = c->ev;
	struct icalrecurrencetype r;
	if (rule(c, &r) < 0)
		return;
	struct icalrecurrencetype **vv = ex ? &ev->exrules : &ev->rrules;
	size_t *nn = ex ? &ev->n_exrules : &ev->n_rrules;
	if (ev->n_rrules + ev->n_exrules >= ICS_MAX_RULES) {
		char b[16];
		snprintf(b, sizeof b, "%d", ICS_MAX_RULES);
		fail(c, D_LIM_RULES, 1, ev->uid ? ev->uid : "?", b);
	} else {
		*vv = xreallocarray(*vv, *nn + 1, sizeof **vv);
		(*vv)[(*nn)++] = r;
	}
	if (!ex && !ev->line_rrule)
		ev->line_rrule = (int)c->l->line;
	if (ex)
		fail(c, D_ICS_EXRULE, 1, ev->uid);
}

static void read_rrule(struct ctx *c, const char *v)
{
	(void)v;
	read_some_rule(c, 0);
}

static void read_exrule(struct ctx *c, const char *v)
{
	(void)v;
	read_some_rule(c, 1);
}

static void read_rdate(struct ctx *c, const char *v)
{
	(void)v;
	list_values(c, 1);
}

static void read_exdate(struct ctx *c, const char *v)
{
	(void)v;
	list_values(c, 0);
}

static void read_sequence(struct ctx *c, const char *v)
{
	long x = 0;
	size_t j = 0, n = strlen(v);
	for (; j < n && isdigit((unsigned char)v[j]) && x <= INT_MAX / 10; j++)
		x = x * 10 + (v[j] - '0');
	if (n == 0 || j != n)
		fail(c, D_ICS_BAD_INTEGER, vcol(c->l), "SEQUENCE");
	else
		c->ev->sequence = (int)x;
}

static void read_status(struct ctx *c, const char *v)
{
	struct ics_event *ev = c->ev;
	utf8_copy(ev->status_text, sizeof ev->status_text, v);   /* never half a character */
	for (char *p = ev->status_text; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (strcmp(ev->status_text, "TENTATIVE") == 0)
		ev->status = ICS_ST_TENTATIVE;
	else if (strcmp(ev->status_text, "CONFIRMED") == 0)
		ev->status = ICS_ST_CONFIRMED;
	else if (strcmp(ev->status_text, "CANCELLED") == 0)
		ev->status = ICS_ST_CANCELLED;
	else
		ev->status = ICS_ST_OTHER;
}

static void read_transp(struct ctx *c, const char *v)
{
	c->ev->transparent = strcasecmp(v, "TRANSPARENT") == 0;
}

static void read_summary(struct ctx *c, const char *v)
{
	if (!c->ev->summary)
		c->ev->summary = text_value(v);
}

static void read_description(struct ctx *c, const char *v)
{
	if (!c->ev->description)
		c->ev->description = text_value(v);
}

static void read_location(struct ctx *c, const char *v)
{
	if (!c->ev->location)
		c->ev->location = text_value(v);
}

static void read_categories(struct ctx *c, const char *v)
{
	char *t = text_value(v);
	append_text(&c->ev->categories, &c->categories, t);
	free(t);
}

static void read_attendee(struct ctx *c, const char *v)
{
	append_text(&c->ev->attendees, &c->attendees, v);
}

static void read_organizer(struct ctx *c, const char *v)
{
	if (!c->ev->organizer)
		c->ev->organizer = xstrdup(v);
}

static void read_freebusy(struct ctx *c, const char *v)
{
	(void)v;
	if (c->ev->kind == ICS_VFREEBUSY)
		freebusy(c);
}

/* The properties read, by name; any other is ignored. */
static const struct {
	const char *name;
	void (*read)(struct ctx *c, const char *v);
} prop_readers[] = {
	{ "DTSTART", read_dtstart },
	{ "DTEND", read_dtend },
	{ "DURATION", read_duration },
	{ "RECURRENCE-ID", read_rid },
	{ "RRULE", read_rrule },
	{ "EXRULE", read_exrule },
	{ "RDATE", read_rdate },
	{ "EXDATE", read_exdate },
	{ "SEQUENCE", read_sequence },
	{ "STATUS", read_status },
	{ "TRANSP", read_transp },
	{ "SUMMARY", read_summary },
	{ "DESCRIPTION", read_description },
	{ "LOCATION", read_location },
	{ "CATEGORIES", read_categories },
	{ "ATTENDEE", read_attendee },
	{ "ORGANIZER", read_organizer },
	{ "FREEBUSY", read_freebusy },
};

/* Line l's value, with trailing blanks trimmed into trimmed (128 bytes)
 * when the value is short enough to copy. */
static const char *trimmed_value(const struct ics_line *l, char trimmed[128])
{
	const char *v = value(l);
	if (l->len - l->value_off < 128 && l->len > l->value_off &&
	    (v[l->len - l->value_off - 1] == ' ' || v[l->len - l->value_off - 1] == '\t')) {
		size_t tn = l->len - l->value_off;
		memcpy(trimmed, v, tn);
		while (tn && (trimmed[tn - 1] == ' ' || trimmed[tn - 1] == '\t'))
			tn--;
		trimmed[tn] = 0;
		v = trimmed;
	}
	return v;
}

/* The second pass over component ci's own lines: each property it reads. */
static void read_props(struct ctx *c, size_t ci)
{
	const struct ics_scan *s = &c->f->scan;
	const struct ics_comp *cp = &s->comps[ci];
	size_t k = ci + 1;
	for (size_t i = cp->begin + 1; i < cp->end && i < s->n_lines; i++) {
		if (k < s->n_comps && s->comps[k].begin == i) {
			i = skip_component(s, &k, i, NULL);
			continue;
		}
		const struct ics_line *l = &s->lines[i];
		if (l->bad)
			continue;
		c->l = l;
		char trimmed[128];
		const char *v = trimmed_value(l, trimmed);
		for (size_t r = 0; r < sizeof prop_readers / sizeof *prop_readers; r++)
			if (name_is(l, prop_readers[r].name)) {
				prop_readers[r].read(c, v);
				break;
			}
	}
	c->l = NULL;
}

/* A VEVENT's times taken together: a start, not both DTEND and DURATION,
 * no end before the start. */
static void check_times(struct ctx *c, const char *what)
{
	struct ics_event *ev = c->ev;
	if (!ev->has_dtstart && !ev->bad) {
		fail(c, D_ICS_NO_DTSTART, 1, what, ev->uid);
		return;
	}
	if (ev->has_dtend && ev->has_duration) {
		fail(c, D_ICS_DTEND_DURATION, 1, what, ev->uid);
		return;
	}
	if (ev->has_dtstart && ev->has_dtend) {
		struct icaltimetype a = ev->dtstart, b = ev->dtend;
		if (a.is_date || b.is_date || !a.zone || !b.zone) {
			a.zone = b.zone = NULL; /* compare wall clocks */
			if (a.is_date != b.is_date)
				a.is_date = b.is_date = 0;
		}
		if (icaltime_compare(b, a) < 0)
			fail(c, D_ICS_END_BEFORE_START, 1, what, ev->uid);
		if (too_long(ev->dtstart, ev->dtend))
			fail(c, D_ICS_TOO_LONG, 1, what, ev->uid);
	}
	if (ev->has_duration && ev->duration.is_neg)
		fail(c, D_ICS_END_BEFORE_START, 1, what, ev->uid);
}

/* Component ci (a VEVENT or VFREEBUSY) into a new event of f: its UID, then
 * its properties, then its times checked. Returns 0, or -1 out of memory. */
static int read_event(struct ics_feed *f, size_t ci, const struct ics_limits *lim, struct diag *d)
{
	struct ics_event *ev = event_new(f, ci);
	if (!ev)
		return -1;
	struct ctx c = { f, lim, d, ev, NULL, { 0, 0 }, { 0, 0 } };
	const char *what = ev->kind == ICS_VEVENT ? "VEVENT" : "VFREEBUSY";
	read_uid(&c, ci, what);
	read_props(&c, ci);
	if (ev->kind == ICS_VEVENT)
		check_times(&c, what);
	return 0;
}

static void read_calendar_props(struct ics_feed *f, size_t ci, struct diag *d)
{
	const struct ics_scan *s = &f->scan;
	const struct ics_comp *cp = &s->comps[ci];
	size_t k = ci + 1;
	for (size_t i = cp->begin + 1; i < cp->end && i < s->n_lines; i++) {
		if (k < s->n_comps && s->comps[k].begin == i) {
			i = skip_component(s, &k, i, NULL);
			continue;
		}
		const struct ics_line *l = &s->lines[i];
		if (!l->bad && name_is(l, "X-WR-TIMEZONE") && !f->x_wr_timezone) {
			f->x_wr_timezone = xstrdup(value(l));
			if (*f->x_wr_timezone)
				f->x_wr_zone = ics_tz_resolve(f->tz, f->x_wr_timezone, f->file, (int)l->line, d);
		}
	}
}

/* A component directly inside a VCALENDAR, or a bare one at the top of the
 * file (read as if inside one; the scan warned). */
static int in_calendar(const struct ics_scan *s, const struct ics_comp *cp)
{
	if (cp->depth == 0)
		return strcmp(cp->name, "VCALENDAR") != 0;
	return cp->depth == 1 && strcmp(s->comps[cp->parent].name, "VCALENDAR") == 0;
}

static int read_feed(struct ics_feed *f, const char *file, struct bytes *src,
		     const struct ics_limits *lim, struct diag *d);

int ics_read(struct ics_feed *f, const char *file, struct bytes *src,
	     const struct ics_limits *lim, struct diag *d)
{
	size_t errors0 = d->errors;
	int rc = read_feed(f, file, src, lim, d);
	f->errors = d->errors - errors0;
	return rc;
}

/* ics_read but for counting the errors. */
static int read_feed(struct ics_feed *f, const char *file, struct bytes *src,
		     const struct ics_limits *lim, struct diag *d)
{
	memset(f, 0, sizeof *f);
	f->file = xstrdup(file);
	f->src = *src;
	src->data = NULL;
	src->len = 0;
	f->tz = ics_tzset_new();
	if (!f->src.data) {
		diag_add(d, D_INTERNAL, file, 0, 0, "out of memory");
		f->fatal = 1;
		return -1;
	}
	hash_sha256_hex(f->src.data, f->src.len, f->hash);
	if (ics_scan(&f->scan, f->file, f->src.data, f->src.len, lim, d) < 0) {
		f->fatal = 1;
		return -1;
	}
	const struct ics_scan *s = &f->scan;
	/* time zones first: a TZID may be used before its VTIMEZONE */
	for (size_t ci = 0; ci < s->n_comps; ci++) {
		const struct ics_comp *cp = &s->comps[ci];
		if (cp->complete && strcmp(cp->name, "VTIMEZONE") == 0 && in_calendar(s, cp))
			if (ics_tzset_add_vtimezone(f->tz, s, cp->begin, cp->end, f->file, d) < 0) {
				diag_add(d, D_INTERNAL, file, 0, 0, "out of memory");
				f->fatal = 1;
				return -1;
			}
	}
	size_t n_events = 0;
	for (size_t ci = 0; ci < s->n_comps; ci++) {
		const struct ics_comp *cp = &s->comps[ci];
		if (cp->depth == 0 && strcmp(cp->name, "VCALENDAR") == 0) {
			read_calendar_props(f, ci, d);
			continue;
		}
		if (!in_calendar(s, cp))
			continue;
		if (strcmp(cp->name, "VEVENT") != 0 && strcmp(cp->name, "VFREEBUSY") != 0)
			continue;
		if (++n_events > lim->max_components) {
			char nb[32];
			snprintf(nb, sizeof nb, "%zu", lim->max_components);
			diag_add(d, D_ICS_TOO_MANY_COMPS, f->file, (int)s->lines[cp->begin].line, 1, nb);
			f->fatal = 1;
			return -1;
		}
		if (read_event(f, ci, lim, d) < 0) {
			diag_add(d, D_INTERNAL, file, 0, 0, "out of memory");
			f->fatal = 1;
			return -1;
		}
	}
	return 0;
}

size_t ics_feed_bad_count(const struct ics_feed *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n_ev; i++)
		n += f->ev[i].bad != 0;
	return n;
}

static void event_release(struct ics_event *e)
{
	free(e->uid);
	free(e->tzid);
	free(e->rrules);
	free(e->exrules);
	free(e->rdates);
	free(e->exdates);
	free(e->busy);
	free(e->summary);
	free(e->description);
	free(e->location);
	free(e->categories);
	free(e->attendees);
	free(e->organizer);
}

void ics_feed_release(struct ics_feed *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_ev; i++)
		event_release(&f->ev[i]);
	free(f->ev);
	ics_scan_release(&f->scan);
	ics_tzset_free(f->tz);
	free(f->x_wr_timezone);
	free(f->file);
	bytes_release(&f->src);
	memset(f, 0, sizeof *f);
}

void ics_rid_text(const struct ics_event *e, char *out)
{
	if (!e->has_rid) {
		out[0] = 0;
		return;
	}
	struct icaltimetype t = e->rid;
	if (t.is_date) {
		snprintf(out, 20, "%04d%02d%02d", t.year % 10000, t.month, t.day);
	} else if (t.zone) {
		time_fmt_utc((int64_t)icaltime_as_timet_with_zone(t, (icaltimezone *)t.zone), out);
	} else {
		snprintf(out, 20, "%04d%02d%02dT%02d%02d%02d", t.year % 10000, t.month, t.day,
			 t.hour, t.minute, t.second);
	}
}

int ics_list_next(const char **p, const char **item, size_t *len)
{
	const char *s = *p;
	for (;;) {
		if (!s || !*s)
			return 0;
		while (*s == ' ' || *s == ',')
			s++;
		if (!*s)
			return 0;
		const char *e = strchr(s, ',');
		size_t l = e ? (size_t)(e - s) : strlen(s);
		*p = e ? e + 1 : s + l;
		while (l && s[l - 1] == ' ')
			l--;
		if (l >= 7 && strncasecmp(s, "mailto:", 7) == 0) {
			s += 7;
			l -= 7;
		}
		if (l) {
			*item = s;
			*len = l;
			return 1;
		}
		s = *p;
	}
}
