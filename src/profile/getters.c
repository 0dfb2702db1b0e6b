/* getters.c: the profile's typed YAML getters: one node checked against one type (a number in range, an id, a time range, days, a file or URL), each fault an error at its line and column. */
#include "getters.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

void pf_err(struct ctx *c, const struct ynode *n, enum diag_code code,
		const char *a, const char *b, const char *e)
{
	c->errors++;
	diag_add(c->d, code, c->file, n ? n->line : 0, n ? n->col : 0, a, b, e);
}

/* A value that should name an id, as a diagnostic may show it: only when
 * it looks like an id (1 to PROFILE_MAX_ID of A-Z a-z 0-9 . _ -); any other text may
 * be a line of a file that is not a profile (issue 19, item 12). */
const char *pf_shown_id(const struct ynode *n)
{
	int ok = n && n->type == YT_SCALAR && n->len >= 1 && n->len <= PROFILE_MAX_ID;
	for (size_t i = 0; ok && i < n->len; i++) {
		unsigned char ch = (unsigned char)n->s[i];
		ok = isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
	}
	return ok ? n->s : "(a value that is not an id)";
}

/* ---- keys ----------------------------------------------------------------- */

/* Check a mapping's keys against allowed: the schema layer the profile and
 * the caseload share (yt_check_keys, yaml.h). */
void pf_check_keys(struct ctx *c, const struct ynode *m, const char *where,
		       const char *const *allowed)
{
	c->errors += yt_check_keys(c->file, m, where, allowed, "docs/profile.md", c->d);
}

const struct ynode *pf_get(const struct ynode *m, const char *key)
{
	if (!m || m->type != YT_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i]->s, key) == 0)
			return m->kids[i];
	return NULL;
}

/* The key node of key in mapping m (for its position), or NULL. */
const struct ynode *pf_key_of(const struct ynode *m, const char *key)
{
	for (size_t i = 0; m && m->type == YT_MAP && i < m->n; i++)
		if (strcmp(m->keys[i]->s, key) == 0)
			return m->keys[i];
	return NULL;
}

const struct ynode *pf_need(struct ctx *c, const struct ynode *m, const char *key, const char *where)
{
	const struct ynode *n = pf_get(m, key);
	if (!n)
		pf_err(c, m, D_PROF_MISSING, where, key, NULL);
	return n;
}

int pf_want(struct ctx *c, const struct ynode *n, enum yt_type t, const char *where)
{
	if (n->type == t && !(t == YT_SCALAR && n->plain && n->len == 0))
		return 0;
	static const char *const names[] = { "a text value", "a mapping", "a list" };
	pf_err(c, n, D_PROF_TYPE, where, names[t], yt_type_name(n));
	return -1;
}

/* where.key into buf */
const char *pf_sub(char *buf, size_t sz, const char *where, const char *key)
{
	snprintf(buf, sz, "%.120s%s%.30s", where, *where ? "." : "", key);
	return buf;
}

const char *pf_item(char *buf, size_t sz, const char *where, size_t i)
{
	snprintf(buf, sz, "%.120s[%zu]", where, i);
	return buf;
}

/* ---- scalars -------------------------------------------------------------- */

int pf_get_text(struct ctx *c, const struct ynode *n, const char *where, char **out)
{
	if (pf_want(c, n, YT_SCALAR, where) < 0)
		return -1;
	free(*out);
	*out = xstrdup(n->s);
	return 0;
}

int pf_get_id(struct ctx *c, const struct ynode *n, const char *where, char **out)
{
	if (pf_want(c, n, YT_SCALAR, where) < 0)
		return -1;
	int ok = n->len >= 1 && n->len <= PROFILE_MAX_ID;
	for (size_t i = 0; ok && i < n->len; i++) {
		unsigned char ch = (unsigned char)n->s[i];
		ok = isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
	}
	if (!ok) {
		pf_err(c, n, D_PROF_VALUE, where, "an id is 1 to " DV_STR(PROFILE_MAX_ID) " characters from A-Z a-z 0-9 . _ -", NULL);
		return -1;
	}
	return pf_get_text(c, n, where, out);
}

int pf_get_int(struct ctx *c, const struct ynode *n, const char *where, long lo, long hi, int *out)
{
	if (n->type != YT_SCALAR || !n->plain || n->len == 0) {
		pf_err(c, n, D_PROF_TYPE, where, "a whole number", n->type == YT_SCALAR && !n->plain ? "a quoted text value" : yt_type_name(n));
		return -1;
	}
	char *end;
	errno = 0;
	long v = strtol(n->s, &end, 10);
	if (*end || errno || end == n->s) {
		int range = errno == ERANGE && *end == '\0';
		char *dend;
		(void)strtod(n->s, &dend);
		pf_err(c, n, D_PROF_TYPE, where, "a whole number",
		       range ? "a number too large" : !*dend ? "a number with a fraction" : "a text value");
		return -1;
	}
	if (v < lo || v > hi) {
		char msg[128];
		if (lo == 1 && v <= 0)
			snprintf(msg, sizeof msg, "must be positive, found %ld", v);
		else
			snprintf(msg, sizeof msg, "must be between %ld and %ld, found %ld", lo, hi, v);
		pf_err(c, n, D_PROF_VALUE, where, msg, NULL);
		return -1;
	}
	*out = (int)v;
	return 0;
}

int pf_get_num(struct ctx *c, const struct ynode *n, const char *where, double lo, double hi, double *out)
{
	if (n->type != YT_SCALAR || !n->plain || n->len == 0) {
		pf_err(c, n, D_PROF_TYPE, where, "a number", n->type == YT_SCALAR && !n->plain ? "a quoted text value" : yt_type_name(n));
		return -1;
	}
	char *end;
	errno = 0;
	double v = strtod(n->s, &end);
	if (*end || errno || end == n->s || !isfinite(v) || isalpha((unsigned char)n->s[0])) {
		pf_err(c, n, D_PROF_TYPE, where, "a number", "a text value");
		return -1;
	}
	if (v < lo || v > hi) {
		char msg[160];
		snprintf(msg, sizeof msg, "must be between %g and %g, found %s", lo, hi, n->s);
		pf_err(c, n, D_PROF_VALUE, where, msg, NULL);
		return -1;
	}
	*out = v;
	return 0;
}

/* A calendar user address (RFC 5545 CAL-ADDRESS) as iTIP sends mail to it:
 * exactly one address, as addr_is_one (util.h) says, the check every
 * address that reaches a mail header passes. */
int pf_get_address(struct ctx *c, const struct ynode *n, const char *where, char **out)
{
	if (pf_want(c, n, YT_SCALAR, where) < 0)
		return -1;
	if (!addr_is_one(n->s, n->len)) {
		pf_err(c, n, D_PROF_VALUE, where, "a calendar address is mailto:name@domain (ASCII, no spaces)", NULL);
		return -1;
	}
	return pf_get_text(c, n, where, out);
}

int pf_get_bool(struct ctx *c, const struct ynode *n, const char *where, int *out)
{
	if (n->type == YT_SCALAR && n->plain && (strcmp(n->s, "true") == 0 || strcmp(n->s, "false") == 0)) {
		*out = n->s[0] == 't';
		return 0;
	}
	pf_err(c, n, D_PROF_TYPE, where, "true or false", n->type == YT_SCALAR ? "a text value" : yt_type_name(n));
	return -1;
}

int pf_get_enum(struct ctx *c, const struct ynode *n, const char *where,
		    const char *const *names, int *out)
{
	if (pf_want(c, n, YT_SCALAR, where) < 0)
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
	pf_err(c, n, D_PROF_VALUE, where, msg, NULL);
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

int pf_get_range(struct ctx *c, const struct ynode *n, const char *where, struct prof_range *out)
{
	if (pf_want(c, n, YT_SCALAR, where) < 0)
		return -1;
	const char *dash = strchr(n->s, '-');
	int a, b;
	if (!dash || parse_hhmm(n->s, (size_t)(dash - n->s), &a) < 0 ||
	    parse_hhmm(dash + 1, strlen(dash + 1), &b) < 0) {
		pf_err(c, n, D_PROF_VALUE, where, "expected a time range HH:MM-HH:MM", NULL);
		return -1;
	}
	if (b <= a) {
		char shown[16];   /* as read, not the file's text */
		snprintf(shown, sizeof shown, "%02d:%02d-%02d:%02d", a / 60 % 100, a % 60, b / 60 % 100, b % 60);
		pf_err(c, n, D_PROF_BACKWARDS, where, shown, NULL);
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

int pf_get_days(struct ctx *c, const struct ynode *n, const char *where, unsigned *out)
{
	unsigned bits = 0;
	if (n->type == YT_SCALAR) {
		if (day_word(n->s, &bits) < 0) {
			pf_err(c, n, D_PROF_VALUE, where, "expected days: mon tue wed thu fri sat sun, weekdays, weekend or all", NULL);
			return -1;
		}
	} else if (n->type == YT_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const struct ynode *k = n->kids[i];
			if (k->type != YT_SCALAR || day_word(k->s, &bits) < 0) {
				pf_err(c, k, D_PROF_VALUE, where, "expected a day: mon tue wed thu fri sat sun", NULL);
				return -1;
			}
		}
	} else {
		pf_err(c, n, D_PROF_TYPE, where, "a day or a list of days", yt_type_name(n));
		return -1;
	}
	*out = bits;
	return 0;
}

/* A list of scalars (a single scalar is a list of one) into out (owned). */
int pf_seq_of(struct ctx *c, const struct ynode *n, const char *where, size_t max,
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
		pf_err(c, n, D_PROF_TYPE, where, "a list", yt_type_name(n));
		return -1;
	}
	if (n->n > max) {
		char b[24];   /* any size_t */
		snprintf(b, sizeof b, "%zu", max);
		pf_err(c, n, D_PROF_TOO_MANY, where, b, NULL);
		return -1;
	}
	*out = (const struct ynode **)n->kids;
	*count = n->n;
	return 0;
}

int pf_get_ranges(struct ctx *c, const struct ynode *n, const char *where,
		      struct prof_range **out, size_t *count)
{
	const struct ynode **v;
	size_t k;
	if (pf_seq_of(c, n, where, MAX_LIST, &v, &k) < 0)
		return -1;
	struct prof_range *r = xcalloc(k ? k : 1, sizeof *r);
	int bad = 0;
	for (size_t i = 0; i < k; i++) {
		char w[160];
		if (pf_get_range(c, v[i], pf_item(w, sizeof w, where, i), &r[i]) < 0)
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
int pf_get_venue_list(struct ctx *c, const struct ynode *n, const char *where, struct idx_list *out)
{
	const struct ynode **v;
	size_t k;
	if (pf_seq_of(c, n, where, MAX_VENUES, &v, &k) < 0)
		return -1;
	int *ix = xcalloc(k ? k : 1, sizeof *ix);
	int bad = 0;
	for (size_t i = 0; i < k; i++) {
		if (pf_want(c, v[i], YT_SCALAR, where) < 0) {
			bad = 1;
			continue;
		}
		ix[i] = profile_venue_index(c->p, v[i]->s);
		if (ix[i] < 0) {
			pf_err(c, v[i], D_PROF_NO_ID, where, "venue", pf_shown_id(v[i]));
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

int pf_get_path(struct ctx *c, const struct ynode *n, const char *where, struct prof_path *out)
{
	if (pf_want(c, n, YT_SCALAR, where) < 0)
		return -1;
	if (fetch_is_url(n->s)) {
		/* a feed where it lives (docs/feeds.md): its identity is the URL
		 * without credentials, and a URL with them is refused */
		char shown[4096];
		fetch_url_shown(n->s, shown, sizeof shown);
		if (strlen(n->s) > FETCH_MAX_URL) {
			pf_err(c, n, D_PROF_VALUE, where, "a feed URL longer than " DV_STR(FETCH_MAX_URL) " bytes", NULL);
			return -1;
		}
		if (strcmp(shown, n->s) != 0) {
			pf_err(c, n, D_PROF_VALUE, where, "a feed URL must not carry a user or password: use a netrc file or the environment", NULL);
			return -1;
		}
		out->given = xstrdup(n->s);
		out->path = xstrdup(n->s);
		out->source = xstrdup(n->s);
		out->line = n->line;
		out->col = n->col;
		return 0;
	}
	size_t need_ = strlen(c->p->dir) + n->len + 2;
	char *full = xmalloc(need_);
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
		pf_err(c, n, D_PROF_FILE, where, n->s, why);
		free(full);
		return -1;
	}
	out->given = xstrdup(n->s);
	out->path = full;
	out->source = realpath(full, NULL);
	out->line = n->line;
	out->col = n->col;
	return 0;
}

void pf_read_window(struct ctx *c, const struct ynode *n, const char *where, struct prof_window *w)
{
	static const char *const keys[] = { "days", "same_week", "weekdays", "times", NULL };
	char b[160];
	w->days = 0;
	w->same_week = 0;
	w->weekdays = WD_ALL;
	if (pf_want(c, n, YT_MAP, where) < 0)
		return;
	pf_check_keys(c, n, where, keys);
	const struct ynode *v;
	if ((v = pf_get(n, "days")))
		pf_get_int(c, v, pf_sub(b, sizeof b, where, "days"), 0, 28, &w->days);
	if ((v = pf_get(n, "same_week")))
		pf_get_bool(c, v, pf_sub(b, sizeof b, where, "same_week"), &w->same_week);
	if ((v = pf_get(n, "weekdays")))
		pf_get_days(c, v, pf_sub(b, sizeof b, where, "weekdays"), &w->weekdays);
	if ((v = pf_get(n, "times")))
		pf_get_ranges(c, v, pf_sub(b, sizeof b, where, "times"), &w->times, &w->n_times);
}

/* A notice period: "N working day(s)", "N day(s)", "N hour(s)" or 0. */
int pf_get_notice(struct ctx *c, const struct ynode *n, const char *where, struct prof_notice *out)
{
	static const char expect[] = "a notice such as 1 working day, 2 days or 20 hours";
	if (n->type != YT_SCALAR || n->len == 0 || n->len > 40) {
		pf_err(c, n, D_PROF_TYPE, where, expect, yt_type_name(n));
		return -1;
	}
	char unit[32] = "";
	long amount;
	int used = 0;
	if (sscanf(n->s, "%ld%n", &amount, &used) != 1 || used == 0 || !isdigit((unsigned char)n->s[0])) {
		pf_err(c, n, D_PROF_TYPE, where, expect, "a text value");
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
		pf_err(c, n, D_PROF_TYPE, where, expect, "a text value");
		return -1;
	}
	if (amount < 0 || amount > hi) {
		char msg[128];
		snprintf(msg, sizeof msg, "must be between 0 and %ld %s, found %ld", hi,
			 v.unit == NOTICE_WORKING_DAYS ? "working days" : v.unit == NOTICE_DAYS ? "days" : "hours", amount);
		pf_err(c, n, D_PROF_VALUE, where, msg, NULL);
		return -1;
	}
	v.amount = (int)amount;
	*out = v;
	return 0;
}
