/* read.c: the profile's second pass: the YAML tree checked against the schema of docs/profile.md. */
#include "dovetail/profile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovetail/ics.h"
#include "dovetail/util.h"
#include "yaml.h"

#define MAX_VENUES 256
#define MAX_PRACS 64
#define MAX_ROUTINES 64
#define MAX_OVERRIDES 1024
#define MAX_FEEDS 16
#define MAX_LIST 256
#define MAX_MATRIX 65536

struct ctx {
	const char *file;
	struct diag *d;
	int errors;
	struct profile *p;
};

static void err(struct ctx *c, const struct ynode *n, enum diag_code code,
		const char *a, const char *b, const char *e)
{
	c->errors++;
	diag_add(c->d, code, c->file, n ? n->line : 0, n ? n->col : 0, a, b, e);
}

/* A value that should name an id, as a diagnostic may show it: only when
 * it looks like an id (1 to 64 of A-Z a-z 0-9 . _ -); any other text may
 * be a line of a file that is not a profile (issue 19, item 12). */
static const char *shown_id(const struct ynode *n)
{
	int ok = n && n->type == YT_SCALAR && n->len >= 1 && n->len <= 64;
	for (size_t i = 0; ok && i < n->len; i++) {
		unsigned char ch = (unsigned char)n->s[i];
		ok = isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
	}
	return ok ? n->s : "(a value that is not an id)";
}

/* ---- keys ----------------------------------------------------------------- */

/* Check a mapping's keys against allowed: the schema layer the profile and
 * the caseload share (yt_check_keys, yaml.h). */
static void check_keys(struct ctx *c, const struct ynode *m, const char *where,
		       const char *const *allowed)
{
	c->errors += yt_check_keys(c->file, m, where, allowed, "docs/profile.md", c->d);
}

static const struct ynode *get(const struct ynode *m, const char *key)
{
	if (!m || m->type != YT_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i]->s, key) == 0)
			return m->kids[i];
	return NULL;
}

/* The key node of key in mapping m (for its position), or NULL. */
static const struct ynode *key_of(const struct ynode *m, const char *key)
{
	for (size_t i = 0; m && m->type == YT_MAP && i < m->n; i++)
		if (strcmp(m->keys[i]->s, key) == 0)
			return m->keys[i];
	return NULL;
}

static const struct ynode *need(struct ctx *c, const struct ynode *m, const char *key, const char *where)
{
	const struct ynode *n = get(m, key);
	if (!n)
		err(c, m, D_PROF_MISSING, where, key, NULL);
	return n;
}

static int want(struct ctx *c, const struct ynode *n, enum yt_type t, const char *where)
{
	if (n->type == t && !(t == YT_SCALAR && n->plain && n->len == 0))
		return 0;
	static const char *const names[] = { "a text value", "a mapping", "a list" };
	err(c, n, D_PROF_TYPE, where, names[t], yt_type_name(n));
	return -1;
}

/* where.key into buf */
static const char *sub(char *buf, size_t sz, const char *where, const char *key)
{
	snprintf(buf, sz, "%.120s%s%.30s", where, *where ? "." : "", key);
	return buf;
}

static const char *item(char *buf, size_t sz, const char *where, size_t i)
{
	snprintf(buf, sz, "%.120s[%zu]", where, i);
	return buf;
}

/* ---- scalars -------------------------------------------------------------- */

static int get_text(struct ctx *c, const struct ynode *n, const char *where, char **out)
{
	if (want(c, n, YT_SCALAR, where) < 0)
		return -1;
	char *s = strdup(n->s);
	if (!s)
		return -1;
	free(*out);
	*out = s;
	return 0;
}

static int get_id(struct ctx *c, const struct ynode *n, const char *where, char **out)
{
	if (want(c, n, YT_SCALAR, where) < 0)
		return -1;
	int ok = n->len >= 1 && n->len <= 64;
	for (size_t i = 0; ok && i < n->len; i++) {
		unsigned char ch = (unsigned char)n->s[i];
		ok = isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
	}
	if (!ok) {
		err(c, n, D_PROF_VALUE, where, "an id is 1 to 64 characters from A-Z a-z 0-9 . _ -", NULL);
		return -1;
	}
	return get_text(c, n, where, out);
}

static int get_int(struct ctx *c, const struct ynode *n, const char *where, long lo, long hi, int *out)
{
	if (n->type != YT_SCALAR || !n->plain || n->len == 0) {
		err(c, n, D_PROF_TYPE, where, "a whole number", n->type == YT_SCALAR && !n->plain ? "a quoted text value" : yt_type_name(n));
		return -1;
	}
	char *end;
	errno = 0;
	long v = strtol(n->s, &end, 10);
	if (*end || errno || end == n->s) {
		err(c, n, D_PROF_TYPE, where, "a whole number", "a text value");
		return -1;
	}
	if (v < lo || v > hi) {
		char msg[128];
		if (lo == 1 && v <= 0)
			snprintf(msg, sizeof msg, "must be positive, found %ld", v);
		else
			snprintf(msg, sizeof msg, "must be between %ld and %ld, found %ld", lo, hi, v);
		err(c, n, D_PROF_VALUE, where, msg, NULL);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int get_num(struct ctx *c, const struct ynode *n, const char *where, double lo, double hi, double *out)
{
	if (n->type != YT_SCALAR || !n->plain || n->len == 0) {
		err(c, n, D_PROF_TYPE, where, "a number", n->type == YT_SCALAR && !n->plain ? "a quoted text value" : yt_type_name(n));
		return -1;
	}
	char *end;
	errno = 0;
	double v = strtod(n->s, &end);
	if (*end || errno || end == n->s || !isfinite(v) || isalpha((unsigned char)n->s[0])) {
		err(c, n, D_PROF_TYPE, where, "a number", "a text value");
		return -1;
	}
	if (v < lo || v > hi) {
		char msg[160];
		snprintf(msg, sizeof msg, "must be between %g and %g, found %s", lo, hi, n->s);
		err(c, n, D_PROF_VALUE, where, msg, NULL);
		return -1;
	}
	*out = v;
	return 0;
}

/* A calendar user address (RFC 5545 CAL-ADDRESS) as iTIP sends mail to it:
 * exactly one address, as addr_is_one (util.h) says, the check every
 * address that reaches a mail header passes. */
static int get_address(struct ctx *c, const struct ynode *n, const char *where, char **out)
{
	if (want(c, n, YT_SCALAR, where) < 0)
		return -1;
	if (!addr_is_one(n->s, n->len)) {
		err(c, n, D_PROF_VALUE, where, "a calendar address is mailto:name@domain (ASCII, no spaces)", NULL);
		return -1;
	}
	return get_text(c, n, where, out);
}

static int get_bool(struct ctx *c, const struct ynode *n, const char *where, int *out)
{
	if (n->type == YT_SCALAR && n->plain && (strcmp(n->s, "true") == 0 || strcmp(n->s, "false") == 0)) {
		*out = n->s[0] == 't';
		return 0;
	}
	err(c, n, D_PROF_TYPE, where, "true or false", n->type == YT_SCALAR ? "a text value" : yt_type_name(n));
	return -1;
}

static int get_enum(struct ctx *c, const struct ynode *n, const char *where,
		    const char *const *names, int *out)
{
	if (want(c, n, YT_SCALAR, where) < 0)
		return -1;
	for (int i = 0; names[i]; i++) {
		if (strcasecmp(n->s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	char msg[512];
	size_t off = (size_t)snprintf(msg, sizeof msg, "unknown value; use one of");
	for (int i = 0; names[i] && off < sizeof msg; i++)
		off += (size_t)snprintf(msg + off, sizeof msg - off, "%s %s", i ? "," : "", names[i]);
	err(c, n, D_PROF_VALUE, where, msg, NULL);
	return -1;
}

/* HH:MM, 00:00..24:00, into minutes. */
static int parse_hhmm(const char *s, size_t len, int *out)
{
	if (len != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 24 || m > 59 || (h == 24 && m != 0))
		return -1;
	*out = h * 60 + m;
	return 0;
}

static int get_range(struct ctx *c, const struct ynode *n, const char *where, struct prof_range *out)
{
	if (want(c, n, YT_SCALAR, where) < 0)
		return -1;
	const char *dash = strchr(n->s, '-');
	int a, b;
	if (!dash || parse_hhmm(n->s, (size_t)(dash - n->s), &a) < 0 ||
	    parse_hhmm(dash + 1, strlen(dash + 1), &b) < 0) {
		err(c, n, D_PROF_VALUE, where, "expected a time range HH:MM-HH:MM", NULL);
		return -1;
	}
	if (b <= a) {
		err(c, n, D_PROF_BACKWARDS, where, n->s, NULL);
		return -1;
	}
	out->from = a;
	out->to = b;
	return 0;
}

static const char *const day_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

static int day_word(const char *s, unsigned *bits)
{
	for (int i = 0; day_names[i]; i++)
		if (strcasecmp(s, day_names[i]) == 0) {
			*bits |= 1u << i;
			return 0;
		}
	if (strcasecmp(s, "weekdays") == 0)
		*bits |= 0x1f;
	else if (strcasecmp(s, "weekend") == 0)
		*bits |= 0x60;
	else if (strcasecmp(s, "all") == 0)
		*bits |= WD_ALL;
	else
		return -1;
	return 0;
}

static int get_days(struct ctx *c, const struct ynode *n, const char *where, unsigned *out)
{
	unsigned bits = 0;
	if (n->type == YT_SCALAR) {
		if (day_word(n->s, &bits) < 0) {
			err(c, n, D_PROF_VALUE, where, "expected days: mon tue wed thu fri sat sun, weekdays, weekend or all", NULL);
			return -1;
		}
	} else if (n->type == YT_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const struct ynode *k = n->kids[i];
			if (k->type != YT_SCALAR || day_word(k->s, &bits) < 0) {
				err(c, k, D_PROF_VALUE, where, "expected a day: mon tue wed thu fri sat sun", NULL);
				return -1;
			}
		}
	} else {
		err(c, n, D_PROF_TYPE, where, "a day or a list of days", yt_type_name(n));
		return -1;
	}
	*out = bits;
	return 0;
}

/* A list of scalars (a single scalar is a list of one) into out (owned). */
static int seq_of(struct ctx *c, const struct ynode *n, const char *where, size_t max,
		  const struct ynode ***out, size_t *count)
{
	static const struct ynode *one[1];
	if (n->type == YT_SCALAR) {
		one[0] = n;
		*out = one;
		*count = 1;
		return 0;
	}
	if (n->type != YT_SEQ) {
		err(c, n, D_PROF_TYPE, where, "a list", yt_type_name(n));
		return -1;
	}
	if (n->n > max) {
		char b[16];
		snprintf(b, sizeof b, "%zu", max);
		err(c, n, D_PROF_TOO_MANY, where, b, NULL);
		return -1;
	}
	*out = (const struct ynode **)n->kids;
	*count = n->n;
	return 0;
}

static int get_ranges(struct ctx *c, const struct ynode *n, const char *where,
		      struct prof_range **out, size_t *count)
{
	const struct ynode **v;
	size_t k;
	if (seq_of(c, n, where, MAX_LIST, &v, &k) < 0)
		return -1;
	struct prof_range *r = calloc(k ? k : 1, sizeof *r);
	if (!r)
		return -1;
	int bad = 0;
	for (size_t i = 0; i < k; i++) {
		char w[160];
		if (get_range(c, v[i], item(w, sizeof w, where, i), &r[i]) < 0)
			bad = 1;
	}
	if (bad) {
		free(r);
		return -1;
	}
	free(*out);
	*out = r;
	*count = k;
	return 0;
}

/* Venue ids into indices; venues must already be read. */
static int get_venue_list(struct ctx *c, const struct ynode *n, const char *where, struct idx_list *out)
{
	const struct ynode **v;
	size_t k;
	if (seq_of(c, n, where, MAX_VENUES, &v, &k) < 0)
		return -1;
	int *ix = calloc(k ? k : 1, sizeof *ix);
	if (!ix)
		return -1;
	int bad = 0;
	for (size_t i = 0; i < k; i++) {
		if (want(c, v[i], YT_SCALAR, where) < 0) {
			bad = 1;
			continue;
		}
		ix[i] = profile_venue_index(c->p, v[i]->s);
		if (ix[i] < 0) {
			err(c, v[i], D_PROF_NO_ID, where, "venue", shown_id(v[i]));
			bad = 1;
		}
	}
	if (bad) {
		free(ix);
		return -1;
	}
	free(out->v);
	out->v = ix;
	out->n = k;
	return 0;
}

static int get_path(struct ctx *c, const struct ynode *n, const char *where, struct prof_path *out)
{
	if (want(c, n, YT_SCALAR, where) < 0)
		return -1;
	if (fetch_is_url(n->s)) {
		/* a feed where it lives (docs/feeds.md): its identity is the URL
		 * without credentials, and a URL with them is refused */
		char shown[4096];
		fetch_url_shown(n->s, shown, sizeof shown);
		if (strcmp(shown, n->s) != 0) {
			err(c, n, D_PROF_VALUE, where, "a feed URL must not carry a user or password: use a netrc file or the environment", NULL);
			return -1;
		}
		out->given = strdup(n->s);
		out->path = strdup(n->s);
		out->source = strdup(n->s);
		out->line = n->line;
		out->col = n->col;
		return out->given && out->path && out->source ? 0 : -1;
	}
	size_t need_ = strlen(c->p->dir) + n->len + 2;
	char *full = malloc(need_);
	if (!full)
		return -1;
	if (n->s[0] == '/')
		snprintf(full, need_, "%s", n->s);
	else
		snprintf(full, need_, "%s/%s", c->p->dir, n->s);
	struct stat st;
	const char *why = NULL;
	if (stat(full, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (access(full, R_OK) < 0)
		why = strerror(errno);
	if (why) {
		err(c, n, D_PROF_FILE, where, n->s, why);
		free(full);
		return -1;
	}
	out->given = strdup(n->s);
	out->path = full;
	out->source = realpath(full, NULL);
	out->line = n->line;
	out->col = n->col;
	return 0;
}

/* ---- sections ------------------------------------------------------------- */

static const char *const venue_kinds[] = { "home", "clinic", "hospital", "gp", "school",
	"nursery", "day-centre", "community", "other", NULL };
static const char *const routine_kinds[] = { "sleep", "feed", "meal", "medication", "rest",
	"school", "nursery", "school-run", "other", NULL };
static const char *const modes[] = { "walk", "wheelchair", "bus", "car", "taxi", NULL };

const char *venue_kind_name(enum venue_kind k)
{
	return (unsigned)k < VK_OTHER + 1 ? venue_kinds[k] : "other";
}

const char *routine_kind_name(enum routine_kind k)
{
	return (unsigned)k < RK_OTHER + 1 ? routine_kinds[k] : "other";
}

static void read_window(struct ctx *c, const struct ynode *n, const char *where, struct prof_window *w)
{
	static const char *const keys[] = { "days", "same_week", "weekdays", "times", NULL };
	char b[160];
	w->days = 0;
	w->same_week = 0;
	w->weekdays = WD_ALL;
	if (want(c, n, YT_MAP, where) < 0)
		return;
	check_keys(c, n, where, keys);
	const struct ynode *v;
	if ((v = get(n, "days")))
		get_int(c, v, sub(b, sizeof b, where, "days"), 0, 28, &w->days);
	if ((v = get(n, "same_week")))
		get_bool(c, v, sub(b, sizeof b, where, "same_week"), &w->same_week);
	if ((v = get(n, "weekdays")))
		get_days(c, v, sub(b, sizeof b, where, "weekdays"), &w->weekdays);
	if ((v = get(n, "times")))
		get_ranges(c, v, sub(b, sizeof b, where, "times"), &w->times, &w->n_times);
}

/* A notice period: "N working day(s)", "N day(s)", "N hour(s)" or 0. */
static int get_notice(struct ctx *c, const struct ynode *n, const char *where, struct prof_notice *out)
{
	static const char expect[] = "a notice such as 1 working day, 2 days or 20 hours";
	if (n->type != YT_SCALAR || n->len == 0 || n->len > 40) {
		err(c, n, D_PROF_TYPE, where, expect, yt_type_name(n));
		return -1;
	}
	char unit[32] = "";
	long amount;
	int used = 0;
	if (sscanf(n->s, "%ld%n", &amount, &used) != 1 || used == 0 || !isdigit((unsigned char)n->s[0])) {
		err(c, n, D_PROF_TYPE, where, expect, "a text value");
		return -1;
	}
	const char *rest = n->s + used;
	while (*rest == ' ')
		rest++;
	snprintf(unit, sizeof unit, "%s", rest);
	struct prof_notice v = { 0, NOTICE_HOURS };
	long hi;
	if (!*unit && amount == 0) {
		hi = 0;
	} else if (!strcmp(unit, "working day") || !strcmp(unit, "working days")) {
		v.unit = NOTICE_WORKING_DAYS;
		hi = 20;
	} else if (!strcmp(unit, "day") || !strcmp(unit, "days")) {
		v.unit = NOTICE_DAYS;
		hi = 28;
	} else if (!strcmp(unit, "hour") || !strcmp(unit, "hours")) {
		v.unit = NOTICE_HOURS;
		hi = 672;
	} else {
		err(c, n, D_PROF_TYPE, where, expect, "a text value");
		return -1;
	}
	if (amount < 0 || amount > hi) {
		char msg[128];
		snprintf(msg, sizeof msg, "must be between 0 and %ld %s, found %ld", hi,
			 v.unit == NOTICE_WORKING_DAYS ? "working days" : v.unit == NOTICE_DAYS ? "days" : "hours", amount);
		err(c, n, D_PROF_VALUE, where, msg, NULL);
		return -1;
	}
	v.amount = (int)amount;
	*out = v;
	return 0;
}

static void read_person(struct ctx *c, const struct ynode *n, const struct ynode **home_node)
{
	static const char *const keys[] = { "id", "display_name", "timezone", "day", "slot", "home",
		"travel_mode", "notice", NULL };
	struct profile *p = c->p;
	if (want(c, n, YT_MAP, "person") < 0)
		return;
	check_keys(c, n, "person", keys);
	const struct ynode *v;
	if ((v = need(c, n, "id", "person")))
		get_id(c, v, "person.id", &p->person_id);
	if ((v = get(n, "display_name")))
		get_text(c, v, "person.display_name", &p->display_name);
	if ((v = get(n, "timezone")) && get_text(c, v, "person.timezone", &p->timezone) == 0 &&
	    !ics_tz_builtin(p->timezone))
		err(c, v, D_PROF_VALUE, "person.timezone", "not an IANA or Windows time zone name", NULL);
	if ((v = get(n, "day")))
		get_range(c, v, "person.day", &p->day);
	if ((v = get(n, "slot")) && get_int(c, v, "person.slot", 1, 60, &p->slot) == 0 && 60 % p->slot)
		err(c, v, D_PROF_VALUE, "person.slot", "must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60)", NULL);
	if ((v = get(n, "notice")))
		get_notice(c, v, "person.notice", &p->notice);
	*home_node = need(c, n, "home", "person");
	if ((v = get(n, "travel_mode"))) {
		int m;
		if (get_enum(c, v, "person.travel_mode", modes, &m) == 0)
			p->mode = (enum travel_mode)m;
	}
}

static void read_venues(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "id", "name", "aliases", "kind", "at", NULL };
	struct profile *p = c->p;
	if (want(c, n, YT_SEQ, "venues") < 0)
		return;
	if (n->n > MAX_VENUES) {
		err(c, n, D_PROF_TOO_MANY, "venues", "256", NULL);
		return;
	}
	p->venues = calloc(n->n ? n->n : 1, sizeof *p->venues);
	int line_of[MAX_VENUES];
	if (!p->venues)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64], b[160];
		item(w, sizeof w, "venues", i);
		if (want(c, m, YT_MAP, w) < 0)
			continue;
		check_keys(c, m, w, keys);
		struct prof_venue *ve = &p->venues[p->n_venues];
		ve->kind = VK_OTHER;
		if (!(v = need(c, m, "id", w)) || get_id(c, v, sub(b, sizeof b, w, "id"), &ve->id) < 0)
			continue;
		int dup = profile_venue_index(p, ve->id);
		if (dup >= 0) {
			char ln[16];
			snprintf(ln, sizeof ln, "%d", line_of[dup]);
			err(c, v, D_PROF_DUP_ID, b, ve->id, ln);
			free(ve->id);
			ve->id = NULL;
			continue;
		}
		if ((v = get(m, "name")))
			get_text(c, v, sub(b, sizeof b, w, "name"), &ve->name);
		if (!ve->name)
			ve->name = strdup(ve->id);
		if ((v = get(m, "aliases"))) {
			const struct ynode **a;
			size_t k;
			if (seq_of(c, v, sub(b, sizeof b, w, "aliases"), MAX_LIST, &a, &k) == 0) {
				ve->aliases = calloc(k ? k : 1, sizeof *ve->aliases);
				for (size_t j = 0; ve->aliases && j < k; j++)
					if (get_text(c, a[j], b, &ve->aliases[ve->n_aliases]) == 0)
						ve->n_aliases++;
			}
		}
		if ((v = get(m, "kind"))) {
			int kk;
			if (get_enum(c, v, sub(b, sizeof b, w, "kind"), venue_kinds, &kk) == 0)
				ve->kind = (enum venue_kind)kk;
		}
		if ((v = get(m, "at"))) {
			sub(b, sizeof b, w, "at");
			if (v->type != YT_SEQ || v->n != 2) {
				err(c, v, D_PROF_TYPE, b, "[latitude, longitude]", yt_type_name(v));
			} else if (get_num(c, v->kids[0], b, -90, 90, &ve->lat) == 0 &&
				   get_num(c, v->kids[1], b, -180, 180, &ve->lon) == 0) {
				ve->has_at = 1;
			}
		}
		line_of[p->n_venues++] = m->line;
	}
}

static void read_work(struct ctx *c, const struct ynode *n, const char *where, struct prof_practitioner *pr)
{
	static const char *const keys[] = { "days", "hours", "venues", NULL };
	const struct ynode **v;
	size_t k;
	if (n->type != YT_SEQ) {
		err(c, n, D_PROF_TYPE, where, "a list of work blocks", yt_type_name(n));
		return;
	}
	if (seq_of(c, n, where, MAX_LIST, &v, &k) < 0)
		return;
	pr->works = calloc(k ? k : 1, sizeof *pr->works);
	if (!pr->works)
		return;
	for (size_t i = 0; i < k; i++) {
		char w[160], b[200];
		item(w, sizeof w, where, i);
		if (want(c, v[i], YT_MAP, w) < 0)
			continue;
		check_keys(c, v[i], w, keys);
		struct prof_work *wk = &pr->works[pr->n_works++];
		wk->hours = c->p->day;
		const struct ynode *x;
		if ((x = need(c, v[i], "days", w)))
			get_days(c, x, sub(b, sizeof b, w, "days"), &wk->days);
		if ((x = get(v[i], "hours")))
			get_range(c, x, sub(b, sizeof b, w, "hours"), &wk->hours);
		if ((x = get(v[i], "venues")))
			get_venue_list(c, x, sub(b, sizeof b, w, "venues"), &wk->venues);
	}
}

static void read_match(struct ctx *c, const struct ynode *n, const char *where, struct prof_practitioner *pr)
{
	static const char *const keys[] = { "attendee", "categories", "text", NULL };
	if (n->type == YT_SCALAR && n->plain && strcmp(n->s, "all") == 0) {
		pr->match = MATCH_ALL;
		return;
	}
	if (n->type != YT_MAP) {
		err(c, n, D_PROF_TYPE, where, "'all' or a mapping with attendee, categories or text",
		    yt_type_name(n));
		return;
	}
	check_keys(c, n, where, keys);
	if (n->n != 1) {
		err(c, n, D_PROF_VALUE, where, "give exactly one of attendee, categories, text", NULL);
		return;
	}
	char b[160];
	for (int i = 0; keys[i]; i++) {
		const struct ynode *v = get(n, keys[i]);
		if (v && get_text(c, v, sub(b, sizeof b, where, keys[i]), &pr->match_text) == 0)
			pr->match = (enum match_kind)(MATCH_ATTENDEE + i);
	}
}

/* A list of feed paths at v (named `where`), into *out and *n. */
static void read_feeds(struct ctx *c, const struct ynode *v, const char *where, struct prof_path **out,
		       size_t *n)
{
	const struct ynode **f;
	size_t k;
	if (seq_of(c, v, where, MAX_FEEDS, &f, &k) < 0 || !(*out = calloc(k ? k : 1, sizeof **out)))
		return;
	for (size_t j = 0; j < k; j++) {
		char fw[200];
		if (get_path(c, f[j], item(fw, sizeof fw, where, j), &(*out)[*n]) == 0)
			(*n)++;
	}
}

static void read_practitioners(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "id", "role", "agency", "display_name", "feeds", "match",
		"works", "default_venue", "movable", "window", "venues", "intensity", "familiar",
		"people", "joint_with", "address", "share_display_name", "notice", "needs_carer", "private", NULL };
	struct profile *p = c->p;
	if (want(c, n, YT_SEQ, "practitioners") < 0)
		return;
	if (n->n > MAX_PRACS) {
		err(c, n, D_PROF_TOO_MANY, "practitioners", "64", NULL);
		return;
	}
	p->pracs = calloc(n->n ? n->n : 1, sizeof *p->pracs);
	if (!p->pracs)
		return;
	/* ids first, so that joint_with may name a later practitioner */
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64], b[160];
		item(w, sizeof w, "practitioners", i);
		struct prof_practitioner *pr = &p->pracs[i];
		pr->default_venue = -1;
		pr->movable = 1;
		pr->intensity = 1.0;
		pr->people = 1;
		pr->needs_carer = -1;   /* resolved once carers are read */
		pr->window.weekdays = WD_ALL;
		pr->line = m->line;
		pr->col = m->col;
		if (want(c, m, YT_MAP, w) < 0)
			continue;
		if ((v = need(c, m, "id", w)) && get_id(c, v, sub(b, sizeof b, w, "id"), &pr->id) == 0) {
			for (size_t j = 0; j < i; j++) {
				if (p->pracs[j].id && strcmp(p->pracs[j].id, pr->id) == 0) {
					char ln[16];
					snprintf(ln, sizeof ln, "%d", n->kids[j]->line);
					err(c, v, D_PROF_DUP_ID, b, pr->id, ln);
				}
			}
		}
	}
	p->n_pracs = n->n;
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64], b[160];
		item(w, sizeof w, "practitioners", i);
		struct prof_practitioner *pr = &p->pracs[i];
		if (m->type != YT_MAP)
			continue;
		check_keys(c, m, w, keys);
		if ((v = need(c, m, "role", w)))
			get_text(c, v, sub(b, sizeof b, w, "role"), &pr->role);
		if ((v = get(m, "agency")))
			get_text(c, v, sub(b, sizeof b, w, "agency"), &pr->agency);
		if ((v = get(m, "display_name")))
			get_text(c, v, sub(b, sizeof b, w, "display_name"), &pr->display_name);
		if ((v = get(m, "feeds"))) {
			const struct ynode *k = key_of(m, "feeds");
			pr->feeds_line = k->line;
			pr->feeds_col = k->col;
			read_feeds(c, v, sub(b, sizeof b, w, "feeds"), &pr->feeds, &pr->n_feeds);
		}
		if ((v = get(m, "match")))
			read_match(c, v, sub(b, sizeof b, w, "match"), pr);
		if ((v = get(m, "works")))
			read_work(c, v, sub(b, sizeof b, w, "works"), pr);
		if ((v = get(m, "default_venue")) && want(c, v, YT_SCALAR, sub(b, sizeof b, w, "default_venue")) == 0) {
			pr->default_venue = profile_venue_index(p, v->s);
			if (pr->default_venue < 0)
				err(c, v, D_PROF_NO_ID, b, "venue", shown_id(v));
		}
		if ((v = get(m, "movable")))
			get_bool(c, v, sub(b, sizeof b, w, "movable"), &pr->movable);
		if ((v = get(m, "window")))
			read_window(c, v, sub(b, sizeof b, w, "window"), &pr->window);
		if ((v = get(m, "venues")))
			get_venue_list(c, v, sub(b, sizeof b, w, "venues"), &pr->venues);
		if ((v = get(m, "intensity")))
			get_num(c, v, sub(b, sizeof b, w, "intensity"), 0, 10, &pr->intensity);
		if ((v = get(m, "familiar")))
			get_bool(c, v, sub(b, sizeof b, w, "familiar"), &pr->familiar);
		if ((v = get(m, "people")))
			get_int(c, v, sub(b, sizeof b, w, "people"), 1, 20, &pr->people);
		if ((v = get(m, "address")))
			get_address(c, v, sub(b, sizeof b, w, "address"), &pr->address);
		if ((v = get(m, "share_display_name")))
			get_bool(c, v, sub(b, sizeof b, w, "share_display_name"), &pr->share_display_name);
		if ((v = get(m, "notice")) && get_notice(c, v, sub(b, sizeof b, w, "notice"), &pr->notice) == 0)
			pr->has_notice = 1;
		if ((v = get(m, "needs_carer")))
			get_bool(c, v, sub(b, sizeof b, w, "needs_carer"), &pr->needs_carer);
		if ((v = get(m, "private")))
			get_bool(c, v, sub(b, sizeof b, w, "private"), &pr->private_text);
		if ((v = get(m, "joint_with"))) {
			const struct ynode **j;
			size_t k;
			sub(b, sizeof b, w, "joint_with");
			if (seq_of(c, v, b, MAX_PRACS, &j, &k) == 0) {
				pr->joint_with.v = calloc(k ? k : 1, sizeof *pr->joint_with.v);
				for (size_t q = 0; pr->joint_with.v && q < k; q++) {
					if (want(c, j[q], YT_SCALAR, b) < 0)
						continue;
					int ix = profile_prac_index(p, j[q]->s);
					if (ix < 0 || (size_t)ix == i)
						err(c, j[q], D_PROF_NO_ID, b, ix < 0 ? "practitioner" : "other practitioner", shown_id(j[q]));
					else
						pr->joint_with.v[pr->joint_with.n++] = ix;
				}
			}
		}
	}
}

/*
 * `family:` (docs/profile.md): feeds that hold the person's own commitments.
 * They become one more practitioner, id "family", last in the list: every
 * event of its feeds is the person's time (match all), fixed, familiar, at
 * default_venue when it has no LOCATION. A practitioner that names one of
 * the same feeds still takes the events its rule claims.
 */
static void read_family(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "feeds", "default_venue", "intensity", NULL };
	struct profile *p = c->p;
	if (want(c, n, YT_MAP, "family") < 0)
		return;
	check_keys(c, n, "family", keys);
	if (p->n_pracs >= MAX_PRACS) {
		err(c, n, D_PROF_TOO_MANY, "practitioners and family", "64", NULL);
		return;
	}
	if (profile_prac_index(p, "family") >= 0) {
		err(c, n, D_PROF_VALUE, "family", "a practitioner already has the id 'family', which the family's calendar takes", NULL);
		return;
	}
	struct prof_practitioner *v = realloc(p->pracs, (p->n_pracs + 1) * sizeof *v);
	if (!v)
		return;
	p->pracs = v;
	struct prof_practitioner *pr = &p->pracs[p->n_pracs];
	memset(pr, 0, sizeof *pr);
	pr->id = strdup("family");
	pr->role = strdup("the family's own calendar");
	if (!pr->id || !pr->role) {
		free(pr->id);
		free(pr->role);
		return;
	}
	p->n_pracs++;
	pr->family = 1;
	pr->match = MATCH_ALL;
	pr->default_venue = -1;
	pr->movable = 0;
	pr->familiar = 1;
	pr->people = 1;
	pr->intensity = 1.0;
	pr->window.weekdays = WD_ALL;
	pr->line = n->line;
	pr->col = n->col;
	const struct ynode *x;
	if ((x = need(c, n, "feeds", "family"))) {
		pr->feeds_line = key_of(n, "feeds")->line;
		pr->feeds_col = key_of(n, "feeds")->col;
		read_feeds(c, x, "family.feeds", &pr->feeds, &pr->n_feeds);
	}
	if ((x = get(n, "default_venue")) && want(c, x, YT_SCALAR, "family.default_venue") == 0) {
		pr->default_venue = profile_venue_index(p, x->s);
		if (pr->default_venue < 0)
			err(c, x, D_PROF_NO_ID, "family.default_venue", "venue", shown_id(x));
	}
	if ((x = get(n, "intensity")))
		get_num(c, x, "family.intensity", 0, 10, &pr->intensity);
}

#define MAX_CARERS 16

/*
 * `carers:` (docs/profile.md): who takes the person to appointments, each
 * with feeds of their own busy time and, optionally, the practitioners they
 * take the person to. Then every practitioner's needs_carer default: yes
 * when carers are listed, never for the family's calendar.
 */
static void read_carers(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "id", "feeds", "working_hours", "takes", NULL };
	static const char *const wkeys[] = { "days", "hours", NULL };
	struct profile *p = c->p;
	if (n && want(c, n, YT_SEQ, "carers") == 0) {
		if (n->n > MAX_CARERS) {
			err(c, n, D_PROF_TOO_MANY, "carers", "16", NULL);
		} else if ((p->carers = calloc(n->n ? n->n : 1, sizeof *p->carers))) {
			for (size_t i = 0; i < n->n; i++) {
				const struct ynode *m = n->kids[i], *v;
				char w[64], b[160];
				item(w, sizeof w, "carers", i);
				struct prof_carer *cr = &p->carers[p->n_carers++];
				cr->line = m->line;
				cr->col = m->col;
				if (want(c, m, YT_MAP, w) < 0)
					continue;
				check_keys(c, m, w, keys);
				if ((v = need(c, m, "id", w)) && get_id(c, v, sub(b, sizeof b, w, "id"), &cr->id) == 0)
					for (size_t j = 0; j < i; j++)
						if (p->carers[j].id && !strcmp(p->carers[j].id, cr->id)) {
							char ln[16];
							snprintf(ln, sizeof ln, "%d", n->kids[j]->line);
							err(c, v, D_PROF_DUP_ID, b, cr->id, ln);
						}
				if ((v = get(m, "feeds")))
					read_feeds(c, v, sub(b, sizeof b, w, "feeds"), &cr->feeds, &cr->n_feeds);
				if ((v = get(m, "working_hours"))) {
					const struct ynode **t;
					size_t k = 0;
					sub(b, sizeof b, w, "working_hours");
					if (seq_of(c, v, b, MAX_LIST, &t, &k) == 0 &&
					    (cr->working = calloc(k ? k : 1, sizeof *cr->working)))
						for (size_t q = 0; q < k; q++) {
							char wq[200], bq[240];
							item(wq, sizeof wq, b, q);
							if (want(c, t[q], YT_MAP, wq) < 0)
								continue;
							check_keys(c, t[q], wq, wkeys);
							struct prof_work *wk = &cr->working[cr->n_working++];
							const struct ynode *x;
							if ((x = need(c, t[q], "days", wq)))
								get_days(c, x, sub(bq, sizeof bq, wq, "days"), &wk->days);
							if ((x = need(c, t[q], "hours", wq)))
								get_range(c, x, sub(bq, sizeof bq, wq, "hours"), &wk->hours);
						}
					else if (k)
						err(c, v, D_INTERNAL, "out of memory", NULL, NULL);
				}
				if ((v = get(m, "takes"))) {
					const struct ynode **t;
					size_t k;
					sub(b, sizeof b, w, "takes");
					if (seq_of(c, v, b, MAX_PRACS, &t, &k) == 0)
						for (size_t q = 0; q < k; q++) {
							if (want(c, t[q], YT_SCALAR, b) < 0)
								continue;
							int ix = profile_prac_index(p, t[q]->s);
							if (ix < 0 || p->pracs[ix].family)
								err(c, t[q], D_PROF_NO_ID, b, "practitioner", shown_id(t[q]));
							else
								cr->takes |= (uint64_t)1 << ix;
						}
				}
			}
		}
	}
	for (size_t i = 0; i < p->n_pracs; i++) {
		struct prof_practitioner *pr = &p->pracs[i];
		if (pr->family)
			pr->needs_carer = 0;
		else if (pr->needs_carer < 0)
			pr->needs_carer = p->n_carers > 0;
	}
}

static void read_overrides(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "uid", "recurrence_id", "movable", "window", "venues",
		"energy", NULL };
	struct profile *p = c->p;
	if (want(c, n, YT_SEQ, "overrides") < 0)
		return;
	if (n->n > MAX_OVERRIDES) {
		err(c, n, D_PROF_TOO_MANY, "overrides", "1024", NULL);
		return;
	}
	p->overrides = calloc(n->n ? n->n : 1, sizeof *p->overrides);
	if (!p->overrides)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64], b[160];
		item(w, sizeof w, "overrides", i);
		if (want(c, m, YT_MAP, w) < 0)
			continue;
		check_keys(c, m, w, keys);
		struct prof_override *o = &p->overrides[p->n_overrides++];
		o->movable = -1;
		o->energy = -1;
		o->line = m->line;
		o->col = m->col;
		if ((v = need(c, m, "uid", w)))
			get_text(c, v, sub(b, sizeof b, w, "uid"), &o->uid);
		if ((v = get(m, "recurrence_id")) && want(c, v, YT_SCALAR, sub(b, sizeof b, w, "recurrence_id")) == 0) {
			if (time_parse_arg(v->s, &o->rid) < 0 || !strchr(v->s, 'T'))
				err(c, v, D_PROF_VALUE, b, "expected a UTC date-time such as 20261124T100000Z", NULL);
			else
				o->has_rid = 1;
		}
		if ((v = get(m, "movable")))
			get_bool(c, v, sub(b, sizeof b, w, "movable"), &o->movable);
		if ((v = get(m, "window"))) {
			read_window(c, v, sub(b, sizeof b, w, "window"), &o->window);
			o->has_window = 1;
		}
		if ((v = get(m, "venues")))
			get_venue_list(c, v, sub(b, sizeof b, w, "venues"), &o->venues);
		if ((v = get(m, "energy")))
			get_num(c, v, sub(b, sizeof b, w, "energy"), 0, 100, &o->energy);
	}
}

static void read_routines(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "id", "kind", "duration", "start", "days", "place", NULL };
	struct profile *p = c->p;
	if (want(c, n, YT_SEQ, "routines") < 0)
		return;
	if (n->n > MAX_ROUTINES) {
		err(c, n, D_PROF_TOO_MANY, "routines", "64", NULL);
		return;
	}
	p->routines = calloc(n->n ? n->n : 1, sizeof *p->routines);
	if (!p->routines)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *m = n->kids[i], *v;
		char w[64], b[160];
		item(w, sizeof w, "routines", i);
		if (want(c, m, YT_MAP, w) < 0)
			continue;
		check_keys(c, m, w, keys);
		struct prof_routine *r = &p->routines[p->n_routines++];
		r->days = WD_ALL;
		r->place = PLACE_HOME;
		if ((v = need(c, m, "id", w)) && get_id(c, v, sub(b, sizeof b, w, "id"), &r->id) == 0) {
			for (size_t j = 0; j + 1 < p->n_routines; j++)
				if (p->routines[j].id && strcmp(p->routines[j].id, r->id) == 0) {
					char ln[16];
					snprintf(ln, sizeof ln, "%d", n->kids[j]->line);
					err(c, v, D_PROF_DUP_ID, b, r->id, ln);
				}
		}
		int k;
		if ((v = need(c, m, "kind", w)) && get_enum(c, v, sub(b, sizeof b, w, "kind"), routine_kinds, &k) == 0)
			r->kind = (enum routine_kind)k;
		if ((v = need(c, m, "duration", w)))
			get_int(c, v, sub(b, sizeof b, w, "duration"), 1, 1440, &r->duration);
		if ((v = need(c, m, "start", w)))
			get_ranges(c, v, sub(b, sizeof b, w, "start"), &r->starts, &r->n_starts);
		if ((v = get(m, "days")))
			get_days(c, v, sub(b, sizeof b, w, "days"), &r->days);
		if ((v = get(m, "place")) && want(c, v, YT_SCALAR, sub(b, sizeof b, w, "place")) == 0) {
			if (strcmp(v->s, "home") == 0) {
				r->place = PLACE_HOME;
			} else if (strcmp(v->s, "anywhere") == 0) {
				r->place = PLACE_ANYWHERE;
			} else {
				r->place = profile_venue_index(p, v->s);
				if (r->place < 0) {
					err(c, v, D_PROF_NO_ID, b, "venue (or home, anywhere)", shown_id(v));
					r->place = PLACE_HOME;
				}
			}
		}
		/* a start window whose routine would run past midnight is impossible,
		 * and so is one with no start on the slot grid */
		const struct ynode *sn = get(m, "start");
		for (size_t j = 0; j < r->n_starts && r->duration; j++) {
			if (r->starts[j].from + r->duration > 1440) {
				err(c, v ? v : m, D_PROF_VALUE, w, "the routine would run past midnight", NULL);
				break;
			}
			int slot = p->slot > 0 ? p->slot : 5;
			if ((r->starts[j].from + slot - 1) / slot * slot > r->starts[j].to) {
				char msg[160];
				snprintf(msg, sizeof msg, "no start on the %d-minute slot grid falls in this window", slot);
				err(c, sn && sn->type == YT_SEQ && j < sn->n ? sn->kids[j] : sn ? sn : m,
				    D_PROF_VALUE, sub(b, sizeof b, w, "start"), msg, NULL);
				break;
			}
		}
	}
}

static void read_when_list(struct ctx *c, const struct ynode *n, const char *where,
			   struct prof_when **out, size_t *count)
{
	static const char *const keys[] = { "days", "times", NULL };
	if (want(c, n, YT_SEQ, where) < 0)
		return;
	if (n->n > MAX_LIST) {
		err(c, n, D_PROF_TOO_MANY, where, "256", NULL);
		return;
	}
	size_t cap = 0;
	for (size_t i = 0; i < n->n; i++) {
		char w[160], b[200];
		item(w, sizeof w, where, i);
		const struct ynode *m = n->kids[i], *v;
		if (want(c, m, YT_MAP, w) < 0)
			continue;
		check_keys(c, m, w, keys);
		unsigned days = WD_ALL;
		struct prof_range *r = NULL;
		size_t nr = 0;
		if ((v = get(m, "days")))
			get_days(c, v, sub(b, sizeof b, w, "days"), &days);
		if ((v = need(c, m, "times", w)))
			get_ranges(c, v, sub(b, sizeof b, w, "times"), &r, &nr);
		for (size_t j = 0; j < nr; j++) {
			struct prof_when *x = BUF_PUSH(*out, *count, cap);
			if (!x)
				break;
			x->days = days;
			x->times = r[j];
		}
		free(r);
	}
}

static void read_prefs(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "grouping", "preferred_times", "avoid_times", "weights", NULL };
	static const char *const wkeys[] = { "journeys", "travel_minutes", "travel_money", "change",
		"change_day", "change_venue", "routine_shift", "peak_energy", "unfamiliar", "preference", NULL };
	static const char *const grouping[] = { "neutral", "wanted", "unwanted", NULL };
	struct profile *p = c->p;
	if (want(c, n, YT_MAP, "preferences") < 0)
		return;
	check_keys(c, n, "preferences", keys);
	const struct ynode *v;
	int g;
	if ((v = get(n, "grouping")) && get_enum(c, v, "preferences.grouping", grouping, &g) == 0)
		p->grouping = (enum grouping)g;
	if ((v = get(n, "preferred_times")))
		read_when_list(c, v, "preferences.preferred_times", &p->preferred, &p->n_preferred);
	if ((v = get(n, "avoid_times")))
		read_when_list(c, v, "preferences.avoid_times", &p->avoid, &p->n_avoid);
	if ((v = get(n, "weights")) && want(c, v, YT_MAP, "preferences.weights") == 0) {
		check_keys(c, v, "preferences.weights", wkeys);
		double *w = &p->weights.journeys;
		for (int i = 0; wkeys[i]; i++) {
			const struct ynode *x = get(v, wkeys[i]);
			char b[160];
			if (x)
				get_num(c, x, sub(b, sizeof b, "preferences.weights", wkeys[i]), 0, 1e6, &w[i]);
		}
	}
}

static void read_speeds(struct ctx *c, const struct ynode *n, const char *where, double *out, double lo)
{
	if (want(c, n, YT_MAP, where) < 0)
		return;
	check_keys(c, n, where, modes);
	for (int i = 0; modes[i]; i++) {
		const struct ynode *v = get(n, modes[i]);
		char b[160];
		if (v)
			get_num(c, v, sub(b, sizeof b, where, modes[i]), lo, 1000, &out[i]);
	}
}

/* ---- travel --------------------------------------------------------------- */

static void set_pair(struct profile *p, unsigned char *set, int a, int b, int minutes, double cost, int both)
{
	size_t n = p->n_venues;
	if (!set[(size_t)a * n + (size_t)b]) {
		p->travel_min[(size_t)a * n + (size_t)b] = minutes;
		p->travel_cost[(size_t)a * n + (size_t)b] = cost;
		set[(size_t)a * n + (size_t)b] = 2;
	}
	if (both && set[(size_t)b * n + (size_t)a] != 2 && set[(size_t)b * n + (size_t)a] != 3) {
		p->travel_min[(size_t)b * n + (size_t)a] = minutes;
		p->travel_cost[(size_t)b * n + (size_t)a] = cost;
		set[(size_t)b * n + (size_t)a] = 1;
	}
}

/* Explicit pairs: `set` marks 2 for a pair given, 1 for one filled by symmetry. */
static void read_matrix(struct ctx *c, const struct ynode *n, unsigned char *set)
{
	struct profile *p = c->p;
	if (want(c, n, YT_SEQ, "travel.matrix") < 0)
		return;
	if (n->n > MAX_MATRIX) {
		err(c, n, D_PROF_TOO_MANY, "travel.matrix", "65536", NULL);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *r = n->kids[i];
		char w[64];
		item(w, sizeof w, "travel.matrix", i);
		if (r->type != YT_SEQ || r->n != 4) {
			err(c, r, D_PROF_TYPE, w, "[from, to, minutes, cost]", yt_type_name(r));
			continue;
		}
		int a = -1, b = -1, mins;
		double cost;
		if (want(c, r->kids[0], YT_SCALAR, w) == 0 && (a = profile_venue_index(p, r->kids[0]->s)) < 0)
			err(c, r->kids[0], D_PROF_NO_ID, w, "venue", shown_id(r->kids[0]));
		if (want(c, r->kids[1], YT_SCALAR, w) == 0 && (b = profile_venue_index(p, r->kids[1]->s)) < 0)
			err(c, r->kids[1], D_PROF_NO_ID, w, "venue", shown_id(r->kids[1]));
		if (get_int(c, r->kids[2], w, 0, 1440, &mins) < 0 || get_num(c, r->kids[3], w, 0, 1e6, &cost) < 0)
			continue;
		if (a >= 0 && b >= 0 && a != b)
			set_pair(p, set, a, b, mins, cost, 0);
	}
	/* symmetry for pairs whose reverse was not given */
	size_t nv = p->n_venues;
	for (size_t a = 0; a < nv; a++)
		for (size_t b = 0; b < nv; b++)
			if (set[a * nv + b] == 2 && !set[b * nv + a]) {
				p->travel_min[b * nv + a] = p->travel_min[a * nv + b];
				p->travel_cost[b * nv + a] = p->travel_cost[a * nv + b];
				set[b * nv + a] = 3;
			}
}

/* Split one CSV line (no embedded newlines) into at most 8 fields, in place. */
static size_t csv_fields(char *line, char **f, int *cols, size_t max)
{
	size_t n = 0;
	char *p = line;
	while (n < max) {
		cols[n] = (int)(p - line) + 1;
		if (*p == '"') {
			char *o = ++p;
			f[n] = o;
			while (*p && !(*p == '"' && p[1] != '"')) {
				if (*p == '"')
					p++;
				*o++ = *p++;
			}
			if (*p == '"')
				p++;
			char *end = p;
			*o = '\0';
			p = end;
		} else {
			f[n] = p;
			while (*p && *p != ',')
				p++;
		}
		n++;
		if (*p != ',') {
			*p = '\0';
			break;
		}
		*p++ = '\0';
	}
	return n;
}

static void read_csv(struct ctx *c, const struct prof_path *path, unsigned char *set)
{
	struct profile *p = c->p;
	struct bytes b;
	struct diag io;
	diag_init(&io);
	if (file_read_all(path->path, 1024 * 1024, &b, &io) < 0) {
		c->errors++;
		diag_add(c->d, D_PROF_FILE, c->file, path->line, path->col, "travel.file", path->given,
			 io.n ? io.v[0].msg : "unreadable");
		diag_release(&io);
		return;
	}
	diag_release(&io);
	size_t nv = p->n_venues;
	unsigned char *mine = calloc(nv ? nv * nv : 1, 1);
	int lineno = 0;
	char *save = NULL;
	for (char *line = strtok_r(b.data, "\n", &save); line && mine; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (l == 0)
			continue;
		char *f[8];
		int cols[8];
		size_t k = csv_fields(line, f, cols, 8);
		if (lineno == 1) {
			if (k < 4 || strcmp(f[0], "from") || strcmp(f[1], "to") || strcmp(f[2], "minutes") || strcmp(f[3], "cost")) {
				c->errors++;
				diag_add(c->d, D_PROF_CSV, path->path, 1, 1, "the header must be from,to,minutes,cost");
				break;
			}
			continue;
		}
		if (k != 4) {
			c->errors++;
			diag_add(c->d, D_PROF_CSV, path->path, lineno, 1, "expected 4 fields: from,to,minutes,cost");
			continue;
		}
		int a = profile_venue_index(p, f[0]), bb = profile_venue_index(p, f[1]);
		char *e1, *e2;
		long mins = strtol(f[2], &e1, 10);
		double cost = strtod(f[3], &e2);
		const char *why = NULL;
		int col = 1;
		if (a < 0) {
			why = "unknown venue id in 'from'";
			col = cols[0];
		} else if (bb < 0) {
			why = "unknown venue id in 'to'";
			col = cols[1];
		} else if (!*f[2] || *e1 || mins < 0 || mins > 1440) {
			why = "minutes must be a whole number from 0 to 1440";
			col = cols[2];
		} else if (!*f[3] || *e2 || !(cost >= 0 && cost <= 1e6)) {
			why = "cost must be a number from 0";
			col = cols[3];
		}
		if (why) {
			c->errors++;
			diag_add(c->d, D_PROF_CSV, path->path, lineno, col, why);
			continue;
		}
		if (a == bb)
			continue;
		size_t ab = (size_t)a * nv + (size_t)bb, ba = (size_t)bb * nv + (size_t)a;
		if (set[ab])
			continue;   /* the profile's matrix wins */
		p->travel_min[ab] = (int)mins;
		p->travel_cost[ab] = cost;
		mine[ab] = 2;
		if (!mine[ba] && !set[ba]) {
			p->travel_min[ba] = (int)mins;
			p->travel_cost[ba] = cost;
			mine[ba] = 1;
		}
	}
	for (size_t i = 0; mine && i < nv * nv; i++)
		if (mine[i])
			set[i] = 4;
	free(mine);
	bytes_release(&b);
}

static double haversine_km(double la1, double lo1, double la2, double lo2)
{
	const double r = 6371.0088, rad = 3.14159265358979323846 / 180;
	double dla = (la2 - la1) * rad, dlo = (lo2 - lo1) * rad;
	double h = sin(dla / 2) * sin(dla / 2) + cos(la1 * rad) * cos(la2 * rad) * sin(dlo / 2) * sin(dlo / 2);
	return 2 * r * asin(sqrt(h < 1 ? h : 1));
}

static void read_travel(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = { "matrix", "file", "detour", "speed", "cost_per_km",
		"overhead", NULL };
	struct profile *p = c->p;
	size_t nv = p->n_venues;
	p->travel_min = malloc((nv ? nv * nv : 1) * sizeof *p->travel_min);
	p->travel_cost = calloc(nv ? nv * nv : 1, sizeof *p->travel_cost);
	unsigned char *set = calloc(nv ? nv * nv : 1, 1);
	if (!p->travel_min || !p->travel_cost || !set) {
		free(set);
		return;
	}
	for (size_t i = 0; i < nv * nv; i++)
		p->travel_min[i] = i / nv == i % nv ? 0 : -1;
	if (n && want(c, n, YT_MAP, "travel") == 0) {
		check_keys(c, n, "travel", keys);
		const struct ynode *v;
		if ((v = get(n, "detour")))
			get_num(c, v, "travel.detour", 1.0, 3.0, &p->detour);
		if ((v = get(n, "overhead")))
			get_num(c, v, "travel.overhead", 0, 240, &p->overhead);
		if ((v = get(n, "speed")))
			read_speeds(c, v, "travel.speed", p->speed, 0.5);
		if ((v = get(n, "cost_per_km")))
			read_speeds(c, v, "travel.cost_per_km", p->cost_per_km, 0);
		if ((v = get(n, "matrix")))
			read_matrix(c, v, set);
		struct prof_path csv;
		memset(&csv, 0, sizeof csv);
		if ((v = get(n, "file")) && get_path(c, v, "travel.file", &csv) == 0)
			read_csv(c, &csv, set);
		free(csv.given);
		free(csv.path);
		free(csv.source);
	}
	double speed = p->speed[p->mode], perkm = p->cost_per_km[p->mode];
	for (size_t a = 0; a < nv; a++) {
		for (size_t b = 0; b < nv; b++) {
			const struct prof_venue *x = &p->venues[a], *y = &p->venues[b];
			if (a == b || set[a * nv + b] || !x->has_at || !y->has_at)
				continue;
			double km = haversine_km(x->lat, x->lon, y->lat, y->lon) * p->detour;
			p->travel_min[a * nv + b] = (int)(p->overhead + ceil(km / speed * 60 - 1e-9));
			p->travel_cost[a * nv + b] = round(km * perkm * 100) / 100;
		}
	}
	free(set);
}

/* ---- the whole profile ---------------------------------------------------- */

static void defaults(struct profile *p)
{
	p->day.from = 7 * 60;
	p->day.to = 19 * 60;
	p->slot = 5;
	p->home = -1;
	p->mode = TM_CAR;
	p->detour = 1.3;
	p->overhead = 5;
	static const double speed[TM__COUNT] = { 4.5, 4, 15, 30, 30 };
	static const double perkm[TM__COUNT] = { 0, 0, 0.10, 0.45, 2.00 };
	memcpy(p->speed, speed, sizeof speed);
	memcpy(p->cost_per_km, perkm, sizeof perkm);
	p->energy_budget = 10;
	p->travel_energy_per_hour = 1;
	p->max_appts_per_day = p->max_time_out = p->max_unfam_day = p->max_unfam_week = p->min_rest = -1;
	p->grouping = GROUP_NEUTRAL;
	p->weights = (struct prof_weights){ .journeys = 10, .travel_minutes = 0.2, .travel_money = 1,
		.change = 4, .change_day = 1, .change_venue = 3, .routine_shift = 0.1,
		.peak_energy = 2, .unfamiliar = 3, .preference = 2 };
	p->compromise = (struct prof_compromise){ .routine_missed = 20, .routine_late = 0.1, .outside_day = 0.5,
		.free_day = 20, .energy = 10, .time_out = 0.2, .appointments = 15, .rest = 0.3,
		.unfamiliar_day = 10, .unfamiliar_week = 10 };
	p->notice = (struct prof_notice){ 1, NOTICE_WORKING_DAYS };
	p->mail_starttls = 1;
}

static void read_root(struct ctx *c, const struct ynode *root)
{
	static const char *const keys[] = { "version", "person", "venues", "travel", "practitioners",
		"family", "carers", "overrides", "routines", "energy", "limits", "preferences", "coordinator",
		"compromises", "mail", NULL };
	static const char *const mkeys[] = { "server", "username", "starttls", "ca_file", NULL };
	static const char *const cpkeys[] = { "routine_missed", "routine_late", "outside_day", "free_day", "energy",
		"time_out", "appointments", "rest", "unfamiliar_day", "unfamiliar_week", NULL };
	static const char *const ckeys[] = { "address", "name", NULL };
	static const char *const ekeys[] = { "budget", "travel_per_hour", NULL };
	static const char *const lkeys[] = { "max_appointments_per_day", "max_time_out_per_day",
		"max_unfamiliar_per_day", "max_unfamiliar_per_week", "min_rest_between", "free_days", NULL };
	struct profile *p = c->p;
	if (want(c, root, YT_MAP, "the profile") < 0)
		return;
	check_keys(c, root, "the profile", keys);
	const struct ynode *v, *home = NULL;
	int version;
	if ((v = need(c, root, "version", "the profile")) &&
	    get_int(c, v, "version", 1, 1, &version) < 0)
		return;
	if ((v = need(c, root, "person", "the profile")))
		read_person(c, v, &home);
	/* the day must be known before work blocks default to it */
	if ((v = need(c, root, "venues", "the profile")))
		read_venues(c, v);
	if (home && want(c, home, YT_SCALAR, "person.home") == 0) {
		p->home = profile_venue_index(p, home->s);
		if (p->home < 0)
			err(c, home, D_PROF_NO_ID, "person.home", "venue", shown_id(home));
	}
	read_travel(c, get(root, "travel"));
	if ((v = need(c, root, "practitioners", "the profile")))
		read_practitioners(c, v);
	if ((v = get(root, "family")))
		read_family(c, v);
	read_carers(c, get(root, "carers"));
	if ((v = get(root, "overrides")))
		read_overrides(c, v);
	if ((v = get(root, "routines")))
		read_routines(c, v);
	if ((v = get(root, "energy")) && want(c, v, YT_MAP, "energy") == 0) {
		check_keys(c, v, "energy", ekeys);
		const struct ynode *x;
		if ((x = get(v, "budget")))
			get_num(c, x, "energy.budget", 0, 1000, &p->energy_budget);
		if ((x = get(v, "travel_per_hour")))
			get_num(c, x, "energy.travel_per_hour", 0, 100, &p->travel_energy_per_hour);
	}
	if ((v = get(root, "limits")) && want(c, v, YT_MAP, "limits") == 0) {
		check_keys(c, v, "limits", lkeys);
		int *dst[] = { &p->max_appts_per_day, &p->max_time_out, &p->max_unfam_day,
			       &p->max_unfam_week, &p->min_rest };
		static const long hi[] = { 100, 1440, 100, 1000, 1440 };
		for (int i = 0; i < 5; i++) {
			const struct ynode *x = get(v, lkeys[i]);
			char b[160];
			if (x)
				get_int(c, x, sub(b, sizeof b, "limits", lkeys[i]), 0, hi[i], dst[i]);
		}
		const struct ynode *x = get(v, "free_days");
		if (x)
			get_days(c, x, "limits.free_days", &p->free_days);
	}
	if ((v = get(root, "preferences")))
		read_prefs(c, v);
	if ((v = get(root, "compromises")) && want(c, v, YT_MAP, "compromises") == 0) {
		check_keys(c, v, "compromises", cpkeys);
		double *cw = &p->compromise.routine_missed;
		for (int i = 0; cpkeys[i]; i++) {
			const struct ynode *x = get(v, cpkeys[i]);
			char b[160];
			if (x)
				get_num(c, x, sub(b, sizeof b, "compromises", cpkeys[i]), 0.001, 10000, &cw[i]);
		}
	}
	if ((v = get(root, "coordinator")) && want(c, v, YT_MAP, "coordinator") == 0) {
		check_keys(c, v, "coordinator", ckeys);
		const struct ynode *x;
		if ((x = need(c, v, "address", "coordinator")))
			get_address(c, x, "coordinator.address", &p->coordinator_address);
		if ((x = get(v, "name")))
			get_text(c, x, "coordinator.name", &p->coordinator_name);
	}
	if ((v = get(root, "mail")) && want(c, v, YT_MAP, "mail") == 0) {
		check_keys(c, v, "mail", mkeys);
		const struct ynode *x;
		if ((x = get(v, "server")) && want(c, x, YT_SCALAR, "mail.server") == 0) {
			char shown[4096];
			fetch_url_shown(x->s, shown, sizeof shown);
			if (strncasecmp(x->s, "smtp://", 7) != 0 && strncasecmp(x->s, "smtps://", 8) != 0)
				err(c, x, D_PROF_VALUE, "mail.server", "an smtp:// or smtps:// URL", NULL);
			else if (strcmp(shown, x->s) != 0)
				err(c, x, D_PROF_VALUE, "mail.server",
				    "the URL must not carry a user or password: mail.username, and the password in a netrc file or DOVETAIL_SMTP_PASSWORD", NULL);
			else
				get_text(c, x, "mail.server", &p->mail_server);
		}
		if ((x = get(v, "username")))
			get_text(c, x, "mail.username", &p->mail_username);
		if ((x = get(v, "starttls")))
			get_bool(c, x, "mail.starttls", &p->mail_starttls);
		if ((x = get(v, "ca_file")))
			get_path(c, x, "mail.ca_file", &p->mail_ca_file);
	}
}

int profile_load_text(struct profile **out, const char *path, const char *text,
		      size_t len, struct diag *d)
{
	*out = NULL;
	struct ynode *root = yt_load(path, text, len, d);
	if (!root)
		return -1;
	struct profile *p = calloc(1, sizeof *p);
	if (!p) {
		ynode_free(root);
		return -1;
	}
	defaults(p);
	p->path = strdup(path);
	const char *slash = strrchr(path, '/');
	p->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
	p->timezone = strdup("UTC");
	struct ctx c = { path, d, 0, p };
	if (!p->path || !p->dir || !p->timezone)
		c.errors++;
	else
		read_root(&c, root);
	ynode_free(root);
	if (c.errors) {
		profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int profile_load(struct profile **out, const char *path, struct diag *d)
{
	*out = NULL;
	/* Read one byte past the bound, no more, so that yt_load can say where
	 * the bound is passed without reading a huge file. */
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		diag_add(d, D_IO_OPEN, path, 0, 0, strerror(errno));
		return -1;
	}
	char *buf = malloc(YT_MAX_FILE + 2);
	size_t len = buf ? fread(buf, 1, YT_MAX_FILE + 1, fp) : 0;
	int bad = !buf || ferror(fp);
	int e = errno;
	fclose(fp);
	if (bad) {
		diag_add(d, D_IO_READ, path, 0, 0, buf ? strerror(e) : "out of memory");
		free(buf);
		return -1;
	}
	buf[len] = '\0';
	int rc = profile_load_text(out, path, buf, len, d);
	free(buf);
	return rc;
}

static void window_release(struct prof_window *w)
{
	free(w->times);
}

static void feeds_release(struct prof_path *v, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		free(v[j].given);
		free(v[j].path);
		free(v[j].source);
	}
	free(v);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_venues; i++) {
		free(p->venues[i].id);
		free(p->venues[i].name);
		for (size_t j = 0; j < p->venues[i].n_aliases; j++)
			free(p->venues[i].aliases[j]);
		free(p->venues[i].aliases);
	}
	free(p->venues);
	for (size_t i = 0; i < p->n_pracs; i++) {
		struct prof_practitioner *x = &p->pracs[i];
		free(x->id);
		free(x->role);
		free(x->agency);
		free(x->display_name);
		feeds_release(x->feeds, x->n_feeds);
		free(x->match_text);
		for (size_t j = 0; j < x->n_works; j++)
			free(x->works[j].venues.v);
		free(x->works);
		window_release(&x->window);
		free(x->venues.v);
		free(x->joint_with.v);
		free(x->address);
	}
	free(p->pracs);
	for (size_t i = 0; i < p->n_overrides; i++) {
		free(p->overrides[i].uid);
		window_release(&p->overrides[i].window);
		free(p->overrides[i].venues.v);
	}
	free(p->overrides);
	for (size_t i = 0; i < p->n_routines; i++) {
		free(p->routines[i].id);
		free(p->routines[i].starts);
	}
	free(p->routines);
	for (size_t i = 0; i < p->n_carers; i++) {
		struct prof_carer *x = &p->carers[i];
		free(x->id);
		feeds_release(x->feeds, x->n_feeds);
		free(x->working);
	}
	free(p->carers);
	free(p->preferred);
	free(p->avoid);
	free(p->travel_min);
	free(p->travel_cost);
	free(p->person_id);
	free(p->display_name);
	free(p->coordinator_address);
	free(p->coordinator_name);
	free(p->mail_server);
	free(p->mail_username);
	free(p->mail_ca_file.given);
	free(p->mail_ca_file.path);
	free(p->mail_ca_file.source);
	free(p->timezone);
	free(p->path);
	free(p->dir);
	free(p);
}

int profile_venue_index(const struct profile *p, const char *id)
{
	for (size_t i = 0; i < p->n_venues; i++)
		if (p->venues[i].id && strcmp(p->venues[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int lists(const struct idx_list *l, int v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return 1;
	return 0;
}

int profile_joint(const struct profile *p, int a, int b)
{
	return a != b && lists(&p->pracs[a].joint_with, b) && lists(&p->pracs[b].joint_with, a);
}

int profile_prac_index(const struct profile *p, const char *id)
{
	for (size_t i = 0; i < p->n_pracs; i++)
		if (p->pracs[i].id && strcmp(p->pracs[i].id, id) == 0)
			return (int)i;
	return -1;
}

int profile_travel(const struct profile *p, int a, int b)
{
	if (a == b)
		return 0;
	if (a < 0 || b < 0 || !p->travel_min)
		return -1;
	int m = p->travel_min[(size_t)a * p->n_venues + (size_t)b];
	return m < 0 ? -1 : (m + p->slot - 1) / p->slot * p->slot;
}

double profile_travel_cost(const struct profile *p, int a, int b)
{
	if (a == b || a < 0 || b < 0 || !p->travel_cost)
		return 0;
	return p->travel_cost[(size_t)a * p->n_venues + (size_t)b];
}

unsigned wd_bit_of_days(int64_t days)
{
	int64_t wd = (days + 3) % 7;   /* 0 = Monday; 1970-01-01 was a Thursday */
	if (wd < 0)
		wd += 7;
	return 1u << wd;
}

/* Lower-case ASCII, with runs of spaces and , . ; : - ( ) / read as one
 * space, trimmed, and padded with one space on each side. */
static char *norm(const char *s)
{
	size_t l = strlen(s);
	char *o = malloc(l + 3), *q = o;
	if (!o)
		return NULL;
	*q++ = ' ';
	for (const char *x = s; *x; x++) {
		unsigned char ch = (unsigned char)*x;
		if (isspace(ch) || strchr(",.;:-()/", ch)) {
			if (q[-1] != ' ')
				*q++ = ' ';
		} else {
			*q++ = (char)tolower(ch);
		}
	}
	if (q[-1] != ' ')
		*q++ = ' ';
	*q = '\0';
	return o;
}

int profile_match_venue(const struct profile *p, const char *location)
{
	if (!location || !*location)
		return -1;
	char *loc = norm(location);
	if (!loc)
		return -1;
	int best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < p->n_venues; i++) {
		const struct prof_venue *v = &p->venues[i];
		for (size_t j = 0; j <= v->n_aliases; j++) {
			char *name = norm(j == 0 ? v->name : v->aliases[j - 1]);
			if (!name)
				continue;
			size_t nl = strlen(name);
			if (nl > 2 && strstr(loc, name) && nl > best_len) {
				best = (int)i;
				best_len = nl;
			}
			free(name);
		}
	}
	free(loc);
	return best;
}
