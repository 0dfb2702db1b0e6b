/* test_capbound.c: the search behind `batch --prove-cap` against brute
 * force: where a session can start, found by halving ranges with a probe
 * that knows the true starts, never loses one (and stays near them within
 * its probes, or counts the rest whole past them); the held time of a
 * probe keeps exactly the sessions starting in its range; and the most
 * sessions that fit apart, against every assignment of small random
 * groups. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/capbound.h"
#include "tap.h"

#define DAY 86400
#define MIN 60

/* true starts: t[0 .. n) */
struct truth {
	const int64_t *t;
	size_t n;
};

static int within(const struct truth *w, struct cb_range r)
{
	for (size_t k = 0; k < w->n; k++)
		if (w->t[k] >= r.lo && w->t[k] <= r.hi)
			return 1;
	return 0;
}

static void search(struct cb_session *s, const struct truth *w)
{
	struct cb_range *v;
	size_t n;
	while ((n = cb_next(s, &v))) {
		for (size_t k = 0; k < n; k++)
			cb_answer(s, v[k], within(w, v[k]));
		free(v);
	}
}

static int covered(const struct cb_session *s, int64_t t)
{
	for (size_t k = 0; k < s->n_starts; k++)
		if (t >= s->starts[k].lo && t <= s->starts[k].hi)
			return 1;
	return 0;
}

static int sorted_apart(const struct cb_session *s)
{
	for (size_t k = 0; k < s->n_starts; k++)
		if (s->starts[k].lo > s->starts[k].hi || (k && s->starts[k - 1].hi >= s->starts[k].lo))
			return 0;
	return 1;
}

static void test_search(void)
{
	int64_t day = 1795651200;   /* 2026-11-26 */
	/* a session of 45 minutes that can start at 10:00, 10:15 and 14:30 */
	int64_t t[] = { day + 600 * MIN, day + 615 * MIN, day + 870 * MIN };
	struct truth w = { t, 3 };
	struct cb_session s;
	cb_begin(&s, day, day + DAY, 45 * MIN, 300, 48);
	search(&s, &w);
	int all = 1, near = 1;
	for (size_t k = 0; k < w.n; k++)
		all &= covered(&s, t[k]);
	for (size_t k = 0; k < s.n_starts; k++) {
		int any = 0;
		for (size_t m = 0; m < w.n; m++)
			any |= t[m] >= s.starts[k].lo && t[m] <= s.starts[k].hi;
		near &= any && s.starts[k].hi - s.starts[k].lo <= 300;
	}
	ok(all, "every true start is in a start range");
	ok(near, "each range holds a true start and is at most the grain wide (%zu ranges)", s.n_starts);
	ok(sorted_apart(&s), "the ranges are sorted and disjoint");
	ok(s.probes <= 48, "within the probes (%zu)", s.probes);
	cb_release(&s);

	/* a session that can start anywhere: the probes run out, and what is
	 * left counts whole, so nothing is lost */
	int64_t *every = malloc((DAY / MIN + 90) * sizeof *every);
	size_t ne = 0;
	for (int64_t x = day - 44 * MIN; x < day + DAY; x += MIN)
		every[ne++] = x;
	struct truth e = { every, ne };
	cb_begin(&s, day, day + DAY, 45 * MIN, 300, 48);
	search(&s, &e);
	all = 1;
	for (size_t k = 0; k < ne; k++)
		all &= covered(&s, every[k]);
	is_int(s.probes, 48, "the probes stop at the bound");
	ok(all, "every start still counts, in the ranges left unprobed");
	ok(sorted_apart(&s), "... sorted and disjoint");
	/* the first range covers every start that meets the day */
	ok(covered(&s, day - 45 * MIN + 1) && covered(&s, day + DAY - 1) && !covered(&s, day - 45 * MIN) &&
		   !covered(&s, day + DAY),
	   "the first range: the starts of sessions that meet the day, no more");
	cb_release(&s);
	free(every);

	/* no start at all: one probe, nothing left */
	struct truth none = { NULL, 0 };
	cb_begin(&s, day, day + DAY, 45 * MIN, 300, 48);
	search(&s, &none);
	ok(s.n_starts == 0 && s.probes == 1, "no start: one probe, no range");
	cb_release(&s);
}

/* cb_hold: a session starting at x is clear of the held time iff x is in
 * r, for every x that meets [from, to) */
static void test_hold(void)
{
	struct cb_session s;
	int64_t from = 1000000, len = 2700;
	cb_begin(&s, from, from + DAY, len, 300, 48);
	struct cb_range rs[] = { { from - len + 1, from + DAY - 1 }, { from + 3600, from + 3900 },
				 { from - len + 1, from }, { from + DAY - 600, from + DAY - 1 } };
	int good = 1;
	for (size_t k = 0; k < sizeof rs / sizeof *rs; k++) {
		int64_t busy[2][2];
		size_t n = cb_hold(&s, rs[k], busy);
		for (int64_t x = from - len + 1; x < from + DAY; x += 97) {
			int clear = 1;
			for (size_t m = 0; m < n; m++)
				clear &= !(busy[m][0] < x + len && x < busy[m][1]);
			good &= clear == (x >= rs[k].lo && x <= rs[k].hi);
		}
		/* the ends exactly */
		for (int64_t x = rs[k].lo - 1; x <= rs[k].lo; x++) {
			int clear = 1;
			for (size_t m = 0; m < n; m++)
				clear &= !(busy[m][0] < x + len && x < busy[m][1]);
			if (x > from - len)
				good &= clear == (x >= rs[k].lo);
		}
	}
	ok(good, "a probe's held time keeps exactly the sessions starting in its range");
	cb_release(&s);
}

/* brute force: the most of sessions (starts as points) placed apart */
static size_t brute(int64_t (*pt)[6], const size_t *np, const int64_t *len, size_t n, size_t i,
		    int64_t (*iv)[2], size_t placed)
{
	if (i == n)
		return placed;
	size_t best = brute(pt, np, len, n, i + 1, iv, placed);   /* i left out */
	for (size_t k = 0; k < np[i]; k++) {
		int64_t a = pt[i][k], b = a + len[i];
		int clear = 1;
		for (size_t m = 0; m < placed && clear; m++)
			clear = !(iv[m][0] < b && a < iv[m][1]);
		if (!clear)
			continue;
		iv[placed][0] = a;
		iv[placed][1] = b;
		size_t got = brute(pt, np, len, n, i + 1, iv, placed + 1);
		if (got > best)
			best = got;
	}
	return best;
}

static void test_most_apart(void)
{
	srand(7);
	int good = 1, fewer = 0, exact = 1;
	for (int round = 0; round < 400; round++) {
		size_t n = 1 + (size_t)(rand() % 6);
		int64_t pt[6][6], len[6], iv[6][2];
		size_t np[6];
		struct cb_session s[6];
		const struct cb_session *sp[6];
		for (size_t i = 0; i < n; i++) {
			len[i] = (1 + rand() % 4) * 15 * MIN;
			np[i] = (size_t)(rand() % 4);
			/* distinct points, sorted, on a 15-minute grid in 09:00-13:00 */
			int64_t x = 9 * 3600;
			for (size_t k = 0; k < np[i]; k++) {
				x += (1 + rand() % 4) * 15 * MIN;
				pt[i][k] = x;
			}
			/* found by the search, to the second (grain 0) */
			struct truth w = { pt[i], np[i] };
			cb_begin(&s[i], 0, DAY, len[i], 0, 100000);
			search(&s[i], &w);
			exact &= s[i].n_starts == np[i];
			for (size_t k = 0; k < s[i].n_starts && k < np[i]; k++)
				exact &= s[i].starts[k].lo == pt[i][k] && s[i].starts[k].hi == pt[i][k];
			sp[i] = &s[i];
		}
		size_t got = cb_most_apart(sp, n), want = brute(pt, np, len, n, 0, iv, 0);
		good &= got == want;
		fewer += got < n;
		for (size_t i = 0; i < n; i++)
			cb_release(&s[i]);
	}
	ok(exact, "with grain 0 the search finds each start to the second");
	ok(good, "the most that fit apart equals brute force on 400 random groups");
	ok(fewer > 50, "... many of which cannot all fit (%d)", fewer);
}

int main(void)
{
	test_search();
	test_hold();
	test_most_apart();
	return tap_done();
}
