/* plan_text.c: a plan as a short canonical text for the store ("i:day:start:venue" per appointment moved), and that text read back, checked against the week it is for. */
#include "internal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/xalloc.h"

#define FIELD_DIGITS 9   /* digits of one number, at most: no overflow of an int */

static int same(const struct placement *a, const struct placement *b)
{
	return a->day == b->day && a->start == b->start && a->venue == b->venue;
}

int plan_encode(const struct instance *in, const struct plan *pl, char **out, struct diag *d)
{
	*out = NULL;
	if (pl->n != in->n) {
		diag_add(d, D_PLAN_INVALID, NULL, 0, 0, "plan_encode: the plan is not of this instance");
		return -1;
	}
	for (size_t i = 0; i < in->n; i++)
		if (pl->at[i].day < 0) {
			diag_add(d, D_PLAN_INVALID, NULL, 0, 0, "plan_encode: the plan leaves an appointment out");
			return -1;
		}
	/* an entry is at most 4 numbers of 11 characters, 3 colons and a space */
	size_t cap = 1, len = 0;
	for (size_t i = 0; i < in->n; i++)
		cap += same(&pl->at[i], &in->a[i].cand[0]) ? 0 : 4 * 11 + 4;
	char *s = xmalloc(cap);
	s[0] = 0;
	for (size_t i = 0; i < in->n; i++) {
		const struct placement *p = &pl->at[i];
		if (same(p, &in->a[i].cand[0]))
			continue;
		int n = snprintf(s + len, cap - len, "%s%zu:%d:%d:%d", len ? " " : "", i, p->day, p->start,
				 p->venue);
		assert(n > 0 && (size_t)n < cap - len);
		len += (size_t)n;
	}
	/* SOLVER_MAX_APPTS entries of the sizes a week allows fit the bound */
	assert(len <= PLAN_TEXT_MAX);
	*out = s;
	return 0;
}

/* Refuse text at byte `at` (0-based) for reason why (a printf format). */
static int refuse(struct diag *d, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(struct diag *d, size_t at, const char *fmt, ...)
{
	char where[24], msg[240];
	va_list ap;
	snprintf(where, sizeof where, "%zu", at);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag_add(d, D_PLAN_TEXT, NULL, 0, 0, where, msg);
	return -1;
}

/* A decimal integer at *p: an optional '-', 1 to FIELD_DIGITS digits, no
 * leading zero and no "-0" (canonical: the text printf gives). Advances *p past it. Returns 0, or -1 with d
 * filled. */
static int number(const char *text, const char **p, long *v, struct diag *d)
{
	const char *s = *p;
	int neg = *s == '-';
	s += neg;
	if (*s < '0' || *s > '9')
		return refuse(d, (size_t)(s - text), "expected a digit");
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return refuse(d, (size_t)(s - text), "a number with a leading zero");
	if (neg && *s == '0')
		return refuse(d, (size_t)(s - 1 - text), "a negative zero");
	long x = 0;
	int n = 0;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == FIELD_DIGITS)
			return refuse(d, (size_t)(s - text), "a number of more than %d digits", FIELD_DIGITS);
		x = x * 10 + (*s - '0');
	}
	*v = neg ? -x : x;
	*p = s;
	return 0;
}

static int is_candidate(const struct sv_appt *sa, const struct placement *pl)
{
	for (size_t c = 0; c < sa->n_cand; c++)
		if (same(&sa->cand[c], pl))
			return 1;
	return 0;
}

/* Parse text into pl (every appointment at cand[0] already). Returns 0, or
 * -1 with d filled. */
static int parse(const struct instance *in, const char *text, struct plan *pl, struct diag *d)
{
	const char *p = text;
	long prev = -1;
	while (*p) {
		if (p != text) {
			if (*p != ' ')
				return refuse(d, (size_t)(p - text), "expected a space between entries");
			p++;
		}
		const char *entry = p;
		long v[4];
		for (int f = 0; f < 4; f++) {
			if (f > 0 && *p++ != ':')
				return refuse(d, (size_t)(p - 1 - text), "expected ':' (an entry is i:day:start:venue)");
			if (number(text, &p, &v[f], d) < 0)
				return -1;
		}
		size_t at = (size_t)(entry - text);
		if (v[0] < 0 || (unsigned long)v[0] >= in->n)
			return refuse(d, at, "appointment %ld: the week has %zu appointments", v[0], in->n);
		if (v[0] <= prev)
			return refuse(d, at, "appointment %ld: listed again or out of order (indices increase)", v[0]);
		prev = v[0];
		const struct sv_appt *sa = &in->a[v[0]];
		struct placement x = { (int)v[1], (int)v[2], (int)v[3] };
		if (same(&x, &sa->cand[0]))
			return refuse(d, at, "appointment %ld: listed at its current placement", v[0]);
		if (!is_candidate(sa, &x))
			return refuse(d, at, "appointment %ld: day %ld %02ld:%02ld venue %ld is not a placement it may take in this week",
				      v[0], v[1], v[2] / 60, v[2] % 60, v[3]);
		pl->at[v[0]] = x;
	}
	return 0;
}

int plan_decode(const struct instance *in, const char *text, struct plan *out, struct diag *d)
{
	out->at = NULL;
	out->n = 0;
	size_t len = 0;
	while (len <= PLAN_TEXT_MAX && text[len])
		len++;
	if (len > PLAN_TEXT_MAX)
		return refuse(d, PLAN_TEXT_MAX, "longer than the limit of %d bytes", PLAN_TEXT_MAX);
	struct plan pl = { xmalloc((in->n + 1) * sizeof *pl.at), in->n };
	for (size_t i = 0; i < in->n; i++)
		pl.at[i] = in->a[i].cand[0];
	if (parse(in, text, &pl, d) < 0) {
		free(pl.at);
		return -1;
	}
	/* every entry is a candidate; the plan as a whole must be one too (no
	 * moved appointment in a clash, a series' spacing, a joint session's
	 * practitioners free) */
	struct diag why;
	diag_init(&why);
	struct problems bad;
	int ok = plan_check(in, &pl, &bad, &why);
	if (ok == 0) {
		char msg[240];
		if (bad.n)
			snprintf(msg, sizeof msg, "the plan breaks an invariant in this week (%s)",
				 problem_kind_name(bad.v[0].kind));
		else
			snprintf(msg, sizeof msg, "the plan breaks an invariant in this week (%s)",
				 why.n ? why.v[0].msg : "plan_check");
		refuse(d, 0, "%s", msg);
	} else if (ok < 0) {
		diag_move(d, &why);
	}
	problems_release(&bad);
	diag_release(&why);
	if (ok != 1) {
		free(pl.at);
		return -1;
	}
	*out = pl;
	return 0;
}
