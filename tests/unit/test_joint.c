/* test_joint.c: the caseload's master against hand cases and an exhaustive oracle on random small caseloads. */
#include <stdlib.h>
#include <string.h>

#include <stdint.h>

#include "dovetail/joint.h"
#include "tap.h"

#define MAXB 512
#define MAXC 64

struct fx {
	struct jt_column c[MAXC];
	struct jt_booking b[MAXB];
	size_t nc, nb, solo[16], booked[16], np;
};

/* A column for person p: n bookings (lane, start, end, fixed) in v. */
static size_t col(struct fx *f, size_t p, int imp, double comp, double cost, const struct jt_booking *v, size_t n)
{
	f->c[f->nc] = (struct jt_column){ p, imp, comp, cost, f->nb, n };
	for (size_t i = 0; i < n; i++)
		f->b[f->nb++] = v[i];
	if (p + 1 > f->np)
		f->np = p + 1;
	return f->nc++;
}

static struct jt_problem problem(struct fx *f, double cap)
{
	return (struct jt_problem){ f->np, f->solo, f->booked, f->c, f->nc, f->b, f->nb, cap, 0, 0, 0, 1 };
}

/* Independently of joint.c: do two columns book one lane at once? 1: not
 * both kept where booked (forbidden); 2: only carer bookings both kept
 * where booked (allowed, one impossibility); 0: neither. */
static int clash(const struct fx *f, size_t x, size_t y)
{
	if (f->c[x].person == f->c[y].person)
		return 0;
	int soft = 0;
	for (size_t i = 0; i < f->c[x].n; i++)
		for (size_t j = 0; j < f->c[y].n; j++) {
			const struct jt_booking *a = &f->b[f->c[x].first + i], *b = &f->b[f->c[y].first + j];
			if (a->lane != b->lane || !(a->start < b->end && b->start < a->end))
				continue;
			if (!(a->fixed && b->fixed))
				return 1;
			soft |= a->carer && b->carer;
		}
	return soft ? 2 : 0;
}

static int within(const struct fx *f, size_t j, double cap)
{
	const struct jt_column *c = &f->c[j], *s = &f->c[f->solo[c->person]];
	return c->impossible <= s->impossible && c->compromise <= s->compromise + 1e-6 && c->cost <= s->cost + cap + 1e-6;
}

/* The lexicographic value of a choice: over cap, impossible, compromise, cost (and the worst loss, not compared). */
static void value(const struct fx *f, const size_t *ch, double cap, double v[5])
{
	memset(v, 0, 5 * sizeof *v);
	v[4] = -1e300;
	for (size_t p = 0; p < f->np; p++) {
		const struct jt_column *c = &f->c[ch[p]];
		v[0] += !within(f, ch[p], cap);
		v[1] += c->impossible;
		v[2] += c->compromise;
		v[3] += c->cost;
		double loss = c->cost - f->c[f->solo[p]].cost;
		if (loss > v[4])
			v[4] = loss;
		for (size_t q = p + 1; q < f->np; q++)
			v[1] += clash(f, ch[p], ch[q]) == 2;
	}
}

static int lex_less(const double a[5], const double b[5])
{
	for (int i = 0; i < 4; i++) {
		if (a[i] < b[i] - 1e-6)
			return 1;
		if (a[i] > b[i] + 1e-6)
			return 0;
	}
	return 0;
}

/* Every choice, by brute force: the best value (among those whose
 * impossibilities and compromise are within lim[1] and lim[2], when lim is
 * not NULL, and that keep each person with at_solo set on its plan alone,
 * when at_solo is not NULL). */
static void oracle_within(const struct fx *f, double cap, const double *lim, const unsigned char *at_solo,
			  double best[5])
{
	size_t ch[16], first[16], end[16];
	for (size_t p = 0; p < f->np; p++) {
		first[p] = SIZE_MAX;
		for (size_t j = 0; j < f->nc; j++)
			if (f->c[j].person == p) {
				if (first[p] == SIZE_MAX)
					first[p] = j;
				end[p] = j + 1;
			}
		ch[p] = first[p];
	}
	for (int i = 0; i < 5; i++)
		best[i] = 1e300;
	for (;;) {
		int okay = 1;
		for (size_t p = 0; p < f->np && okay; p++)
			for (size_t q = p + 1; q < f->np && okay; q++)
				okay = clash(f, ch[p], ch[q]) != 1;
		if (okay) {
			double v[5];
			value(f, ch, cap, v);
			if (lim && (v[1] > lim[1] + 1e-6 || v[2] > lim[2] + 1e-6))
				okay = 0;
			for (size_t p = 0; at_solo && p < f->np; p++)
				okay &= !at_solo[p] || ch[p] == f->solo[p];
			if (okay && lex_less(v, best))
				memcpy(best, v, sizeof v);
		}
		size_t p = 0;
		while (p < f->np && ++ch[p] == end[p]) {
			ch[p] = first[p];
			p++;
		}
		if (p == f->np)
			break;
	}
}

static void oracle(const struct fx *f, double cap, double best[5])
{
	oracle_within(f, cap, NULL, NULL, best);
}

static int run(struct fx *f, double cap, struct jt_solution *s)
{
	struct jt_problem pr = problem(f, cap);
	struct jt_components c;
	struct diag d;
	diag_init(&d);
	memset(s, 0, sizeof *s);
	int rc = joint_components(&pr, &c, &d);
	if (!rc)
		rc = joint_solve(&pr, &c, NULL, s, &d);
	joint_components_release(&c);
	diag_release(&d);
	return rc;
}

static void hand_cases(void)
{
	/* two persons want the same free hour of practitioner (lane) 0;
	 * person 0 has an alternative 2 dearer, person 1 has none: with the
	 * sequential pass person 1 (the later id) lost; jointly, 0 moves */
	struct fx f = { 0 };
	struct jt_booking s0[] = { { 0, 100, 160, 0, 0 } }, a0[] = { { 0, 200, 260, 0, 0 } }, k0[] = { { 0, 500, 560, 1, 0 } };
	struct jt_booking s1[] = { { 0, 120, 180, 0, 0 } }, k1[] = { { 0, 600, 660, 1, 0 } };
	f.solo[0] = col(&f, 0, 0, 0, 10, s0, 1);
	col(&f, 0, 0, 0, 12, a0, 1);
	f.booked[0] = col(&f, 0, 0, 0, 30, k0, 1);
	f.solo[1] = col(&f, 1, 0, 0, 10, s1, 1);
	f.booked[1] = col(&f, 1, 0, 0, 40, k1, 1);
	struct jt_solution s;
	ok(run(&f, 10, &s) == 0, "two persons, one hour: solved");
	is_int(s.choice[0], 1, "person 0 takes its alternative (2 dearer, within the cap)");
	is_int(s.choice[1], 3, "person 1 keeps its plan solved alone");
	is_int(s.over_cap, 0, "no one outside the cap");
	ok(s.optimal && s.mips == 1, "optimal, one MIP");
	joint_solution_release(&s);

	/* with a cap of 1 the alternative is outside it for person 0, and
	 * person 1's week as booked is outside it too: one person must be
	 * outside, and the least cost decides who */
	ok(run(&f, 1, &s) == 0, "cap 1: solved");
	is_int(s.over_cap, 1, "cap 1: one person outside the cap");
	is_int(s.choice[0], 1, "cap 1: person 0 still moves (2 < 30)");
	joint_solution_release(&s);

	/* two weeks as booked that clash already are never a conflict */
	struct fx g = { 0 };
	struct jt_booking x[] = { { 3, 0, 100, 1, 0 } };
	g.solo[0] = g.booked[0] = col(&g, 0, 1, 0, 5, x, 1);
	g.solo[1] = g.booked[1] = col(&g, 1, 1, 0, 5, x, 1);
	struct jt_problem pr = problem(&g, 10);
	struct jt_components c;
	struct diag d;
	diag_init(&d);
	ok(joint_components(&pr, &c, &d) == 0 && c.n_pairs == 0 && c.n == 2, "fixed with fixed: no conflict, two components");
	joint_components_release(&c);
	diag_release(&d);
	/* siblings: as booked, both need the parent (a carer lane) at once: a
	 * soft conflict, one impossibility; the second can move at a cost */
	struct fx sib = { 0 };
	struct jt_booking p0[] = { { 5, 600, 700, 1, 1 } }, p1[] = { { 5, 630, 690, 1, 1 } }, p1m[] = { { 5, 800, 860, 0, 1 } };
	sib.solo[0] = sib.booked[0] = col(&sib, 0, 0, 0, 20, p0, 1);
	sib.solo[1] = sib.booked[1] = col(&sib, 1, 0, 0, 20, p1, 1);
	col(&sib, 1, 0, 0, 26, p1m, 1);
	ok(run(&sib, 10, &s) == 0 && s.choice[0] == 0 && s.choice[1] == 2,
	   "siblings needing one parent at once: the second moves (6 dearer, one impossibility fewer)");
	joint_solution_release(&s);
	struct fx sib2 = { 0 };
	sib2.solo[0] = sib2.booked[0] = col(&sib2, 0, 0, 0, 20, p0, 1);
	sib2.solo[1] = sib2.booked[1] = col(&sib2, 1, 0, 0, 20, p1, 1);
	ok(run(&sib2, 10, &s) == 0 && s.choice[0] == 0 && s.choice[1] == 1,
	   "... and with nowhere to move, the weeks as booked are still a plan");
	joint_solution_release(&s);

	/* ids play no part: the same two persons the other way round get the same plans */
	struct fx h = { 0 };
	h.solo[0] = col(&h, 0, 0, 0, 10, s1, 1);
	h.booked[0] = col(&h, 0, 0, 0, 40, k1, 1);
	h.solo[1] = col(&h, 1, 0, 0, 10, s0, 1);
	col(&h, 1, 0, 0, 12, a0, 1);
	h.booked[1] = col(&h, 1, 0, 0, 30, k0, 1);
	ok(run(&h, 10, &s) == 0 && s.choice[0] == 0 && s.choice[1] == 3,
	   "persons swapped: the one without an alternative still keeps its plan");
	joint_solution_release(&s);
}

static unsigned rnd(unsigned *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 16) & 0x7fff;
}

enum { keep_all, split_clean, split_kept };   /* sets_case's counts */

/* Whether a choice books no lane twice (soft conflicts allowed). */
static int feasible(const struct fx *f, const size_t *ch)
{
	for (size_t p = 0; p < f->np; p++)
		for (size_t q = p + 1; q < f->np; q++)
			if (clash(f, ch[p], ch[q]) == 1)
				return 0;
	return 1;
}

/*
 * joint_sets_solve with all the persons as one set: from the weeks as
 * booked, the exhaustive oracle's optimum; with tiers 1 and 2 kept, from
 * the weeks as booked but each person fixed to its plan alone there
 * (joint.h: its other plans are ruled out, as in every choice the master
 * makes), the optimum of the choices that keep them. Then persons split at
 * random into two sets, each chosen for with the other held, from the
 * weeks as booked: nothing booked twice, and neither the persons outside
 * the cap nor tiers 1 and 2 rise. Counts into okc[keep_all ..].
 */
static void sets_case(struct fx *f, double cap, unsigned *seed, int okc[3])
{
	struct jt_problem pr = problem(f, cap);
	struct jt_components c;
	struct diag d;
	diag_init(&d);
	if (joint_components(&pr, &c, &d) < 0) {
		diag_release(&d);
		return;
	}
	struct jt_sets *js = joint_sets_new(&pr, &c);
	size_t all[16], ch[16], start_ch[2][16];
	for (size_t p = 0; p < f->np; p++) {
		all[p] = p;
		start_ch[0][p] = f->booked[p];
		start_ch[1][p] = c.fixed[p] ? f->solo[p] : f->booked[p];
	}
	double start[5], want[5], got[5];
	int good = 1;
	for (int keep = 0; keep < 2; keep++) {
		memcpy(ch, start_ch[keep], f->np * sizeof *ch);
		value(f, ch, cap, start);
		oracle_within(f, cap, keep ? start : NULL, keep ? c.fixed : NULL, want);
		int rc = joint_sets_solve(js, all, f->np, keep, ch, &d);
		value(f, ch, cap, got);
		good &= rc == 0 && feasible(f, ch) && !lex_less(want, got) && !lex_less(got, want);
		if (rc == 0 && (lex_less(want, got) || lex_less(got, want)))
			printf("# sets, keep %d: want %g %g %g %g, got %g %g %g %g\n", keep, want[0], want[1], want[2],
			       want[3], got[0], got[1], got[2], got[3]);
	}
	okc[keep_all] += good;
	/* two sets at random, tiers kept */
	size_t order[16], n0 = 0;
	unsigned char side[16];
	for (size_t p = 0; p < f->np; p++)
		side[p] = rnd(seed) & 1;
	for (size_t p = 0; p < f->np; p++)
		if (!side[p])
			order[n0++] = p;
	size_t n1 = n0;
	for (size_t p = 0; p < f->np; p++)
		if (side[p])
			order[n1++] = p;
	memcpy(ch, f->booked, f->np * sizeof *ch);
	value(f, ch, cap, start);
	int rc = joint_sets_solve(js, order, n0, 1, ch, &d);
	if (rc == 0)
		rc = joint_sets_solve(js, order + n0, n1 - n0, 1, ch, &d);
	value(f, ch, cap, got);
	okc[split_clean] += rc == 0 && feasible(f, ch);
	okc[split_kept] += rc == 0 && got[0] <= start[0] + 1e-6 && got[1] <= start[1] + 1e-6 && got[2] <= start[2] + 1e-6 &&
			   !lex_less(start, got);
	joint_sets_free(js);
	joint_components_release(&c);
	diag_release(&d);
}

static void random_cases(void)
{
	unsigned seed = 7;
	unsigned split_seed = 13;   /* sets_case's own, so that the caseloads are those of the checks before it */
	int n = 300, agree = 0, clean = 0, capped = 0, cap_feasible = 0, mips = 0, sets[3] = { 0, 0, 0 };
	for (int t = 0; t < n; t++) {
		struct fx f = { 0 };
		size_t np = 2 + rnd(&seed) % 5;
		double cap = rnd(&seed) % 3 ? 5 : 0;
		for (size_t p = 0; p < np; p++) {
			size_t nalt = 1 + rnd(&seed) % 3;
			for (size_t k = 0; k <= nalt; k++) {
				int booked = k == nalt;
				struct jt_booking v[4];
				size_t nb = 1 + rnd(&seed) % 3;
				for (size_t i = 0; i < nb; i++) {
					int64_t s = (int64_t)(rnd(&seed) % 12) * 30;
					uint32_t lane = rnd(&seed) % 3;   /* lane 2 is a carer's */
					v[i] = (struct jt_booking){ lane, s, s + 30 + (rnd(&seed) % 3) * 15, booked || rnd(&seed) % 4 == 0,
								    lane == 2 };
				}
				int imp = booked ? (int)(rnd(&seed) % 2) : (int)(rnd(&seed) % 4 == 0);
				double comp = (rnd(&seed) % 4) * 0.5, cost = 10 + rnd(&seed) % 20 + (booked ? 15 : 0);
				size_t j = col(&f, p, imp, comp, cost, v, nb);
				if (booked)
					f.booked[p] = j;
			}
			/* solo: the best of the person's own columns, alone */
			size_t best = SIZE_MAX;
			for (size_t j = 0; j < f.nc; j++) {
				if (f.c[j].person != p)
					continue;
				if (best == SIZE_MAX)
					best = j;
				const struct jt_column *a = &f.c[j], *b = &f.c[best];
				if (a->impossible < b->impossible ||
				    (a->impossible == b->impossible && (a->compromise < b->compromise - 1e-9 ||
									(a->compromise <= b->compromise + 1e-9 && a->cost < b->cost))))
					best = j;
			}
			f.solo[p] = best;
		}
		sets_case(&f, cap, &split_seed, sets);
		double want[5], got[5];
		oracle(&f, cap, want);
		struct jt_solution s;
		if (run(&f, cap, &s) != 0)
			continue;
		value(&f, s.choice, cap, got);
		int ok1 = !lex_less(want, got) && !lex_less(got, want);
		agree += ok1;
		if (!ok1)
			printf("# case %d: want %g %g %g %g %g, got %g %g %g %g %g\n", t, want[0], want[1], want[2],
			       want[3], want[4], got[0], got[1], got[2], got[3], got[4]);
		int fine = 1;
		for (size_t p = 0; p < f.np; p++)
			for (size_t q = p + 1; q < f.np; q++)
				fine &= clash(&f, s.choice[p], s.choice[q]) != 1;
		clean += fine;
		cap_feasible += want[0] == 0;
		capped += want[0] == 0 && s.over_cap == 0;
		mips += s.mips > 0;
		joint_solution_release(&s);
	}
	is_int(clean, n, "random caseloads: no chosen pair books a lane twice (%d/%d)", clean, n);
	is_int(agree, n, "random caseloads: the exhaustive oracle's value, all four stages (%d/%d)", agree, n);
	is_int(capped, cap_feasible, "random caseloads: the fair cap held wherever it can (%d/%d)", capped, cap_feasible);
	ok(mips > n / 4, "random caseloads: the MIP was needed in %d", mips);
	is_int(sets[keep_all], n, "random caseloads: all persons as one set, from the weeks as booked: the oracle's optimum, "
	       "and with tiers 1 and 2 kept the optimum of those that keep them (%d/%d)", sets[keep_all], n);
	is_int(sets[split_clean], n, "random caseloads: two sets, each chosen for with the other held: nothing booked twice (%d/%d)",
	       sets[split_clean], n);
	is_int(sets[split_kept], n, "... persons outside the cap, impossibilities and compromise never rise (%d/%d)",
	       sets[split_kept], n);
}

/* A component larger than JOINT_BLOCK: solved in blocks, not proven; the
 * choice still books nothing twice, and is no worse than the weeks as
 * booked (where it starts). */
static void large_case(void)
{
	static struct jt_column c[4 * 1000];
	static struct jt_booking b[4 * 1000 * 2];
	static size_t solo[1000], booked[1000];
	size_t np = JOINT_BLOCK * 2 + 37, nc = 0, nb = 0;
	unsigned seed = 11;
	for (size_t p = 0; p < np; p++) {
		for (int k = 0; k < 4; k++) {
			int is_booked = k == 3;
			c[nc] = (struct jt_column){ p, 0, 0, 10 + (double)(rnd(&seed) % 20) + (is_booked ? 20 : 0), nb, 2 };
			for (int i = 0; i < 2; i++) {
				int64_t s0 = (int64_t)(rnd(&seed) % 40) * 30;
				b[nb++] = (struct jt_booking){ rnd(&seed) % 60, s0, s0 + 45, is_booked, 0 };
			}
			if (k == 0)
				solo[p] = nc;
			if (is_booked)
				booked[p] = nc;
			nc++;
		}
	}
	struct jt_problem pr = { np, solo, booked, c, nc, b, nb, 10, 0, 100, 1e-3, 1 };
	struct jt_components comps;
	struct jt_solution s = { 0 };
	struct diag d;
	diag_init(&d);
	ok(joint_components(&pr, &comps, &d) == 0, "a large caseload: components");
	size_t biggest = 0, *size = calloc(comps.n + 1, sizeof *size);
	for (size_t p = 0; size && p < np; p++)
		if (++size[comps.comp[p]] > biggest)
			biggest = size[comps.comp[p]];
	free(size);
	ok(biggest > JOINT_BLOCK, "... one of them larger than a block (%zu persons)", biggest);
	ok(joint_solve(&pr, &comps, NULL, &s, &d) == 0, "... solved in blocks");
	int twice = 0;
	double cost = 0, booked_cost = 0;
	for (size_t p = 0; p < np; p++) {
		cost += c[s.choice[p]].cost;
		booked_cost += c[booked[p]].cost;
		for (size_t q = p + 1; q < np; q++)
			for (size_t i = 0; i < 2; i++)
				for (size_t j = 0; j < 2; j++) {
					const struct jt_booking *x = &b[c[s.choice[p]].first + i], *y = &b[c[s.choice[q]].first + j];
					twice += x->lane == y->lane && x->start < y->end && y->start < x->end && !(x->fixed && y->fixed);
				}
	}
	is_int(twice, 0, "... nothing booked twice");
	ok(cost < booked_cost, "... and better than the weeks as booked (%.0f < %.0f)", cost, booked_cost);
	ok(!s.optimal, "... and not claimed proven");
	joint_solution_release(&s);
	joint_components_release(&comps);
	diag_release(&d);
}

/* A long component (persons share lanes only with those near them in
 * number, so blocks far apart share no one: the second pass's first block
 * runs beside the first pass's last): its blocks' MIPs in 1, 2, 3 and
 * more than JOINT_MAX_THREADS threads choose the same, and book nothing
 * twice. Letting a MIP start beside an earlier neighbour's fails both. */
static void threads_case(void)
{
	enum { NP = JOINT_BLOCK * 4 + 100 };   /* 5 blocks: 10 MIPs, more than JOINT_MAX_THREADS */
	static struct jt_column c[4 * NP];
	static struct jt_booking b[4 * NP * 2];
	static size_t solo[NP], booked[NP], first[NP];
	size_t nc = 0, nb = 0;
	unsigned seed = 5;
	for (size_t p = 0; p < NP; p++) {
		for (int k = 0; k < 4; k++) {
			int is_booked = k == 3;
			c[nc] = (struct jt_column){ p, 0, 0, 10 + (double)(rnd(&seed) % 20) + (is_booked ? 20 : 0), nb, 2 };
			for (int i = 0; i < 2; i++) {
				int64_t s0 = (int64_t)(rnd(&seed) % 200) * 30;
				b[nb++] = (struct jt_booking){ (uint32_t)(p / 70 * 5 + rnd(&seed) % 10), s0, s0 + 45, is_booked, 0 };
			}
			if (k == 0)
				solo[p] = nc;
			if (is_booked)
				booked[p] = nc;
			nc++;
		}
	}
	int same = 1, twice = 0;
	static const int tried[] = { 1, 2, 3, 4 * JOINT_MAX_THREADS };
	for (size_t k = 0; k < sizeof tried / sizeof *tried; k++) {
		int threads = tried[k];
		struct jt_problem pr = { NP, solo, booked, c, nc, b, nb, 10, 0, 100, 1e-3, threads };
		struct jt_components comps;
		struct jt_solution s = { 0 };
		struct diag d;
		diag_init(&d);
		if (joint_components(&pr, &comps, &d) < 0 || joint_solve(&pr, &comps, NULL, &s, &d) < 0) {
			ok(0, "a long component in %d threads: solved", threads);
			diag_release(&d);
			return;
		}
		for (size_t p = 0; p < NP; p++) {
			if (threads == 1)
				first[p] = s.choice[p];
			same &= first[p] == s.choice[p];
			for (size_t q = p + 1; q < NP; q++)
				for (size_t i = 0; i < 2; i++)
					for (size_t j = 0; j < 2; j++) {
						const struct jt_booking *x = &b[c[s.choice[p]].first + i],
									*y = &b[c[s.choice[q]].first + j];
						twice += x->lane == y->lane && x->start < y->end && y->start < x->end &&
							 !(x->fixed && y->fixed);
					}
		}
		if (threads == 1) {
			size_t biggest = 0, *size = calloc(comps.n + 1, sizeof *size);
			for (size_t p = 0; size && p < NP; p++)
				if (++size[comps.comp[p]] > biggest)
					biggest = size[comps.comp[p]];
			free(size);
			ok(biggest > 4 * JOINT_BLOCK, "a long component: %zu persons, in blocks", biggest);
		}
		joint_solution_release(&s);
		joint_components_release(&comps);
		diag_release(&d);
	}
	ok(same, "a long component in blocks: 1, 2, 3 and %d threads (at most %d run) choose the same", 4 * JOINT_MAX_THREADS,
	   JOINT_MAX_THREADS);
	is_int(twice, 0, "... and book nothing twice");
}

/* The bound on conflicting pairs: past it, an error, not an exhausted machine. */
static void conflict_bound(void)
{
	size_t np = 2100;   /* every pair conflicts: 2,203,950 > JOINT_MAX_CONFLICTS */
	struct jt_column *c = calloc(2 * np, sizeof *c);
	struct jt_booking *b = calloc(2 * np, sizeof *b);
	size_t *solo = calloc(np, sizeof *solo), *booked = calloc(np, sizeof *booked);
	if (!c || !b || !solo || !booked) {
		ok(0, "memory for the bound's test");
		return;
	}
	for (size_t p = 0; p < np; p++) {
		c[2 * p] = (struct jt_column){ p, 0, 0, 1, 2 * p, 1 };
		b[2 * p] = (struct jt_booking){ 0, 100, 200, 0, 0 };
		c[2 * p + 1] = (struct jt_column){ p, 0, 0, 2, 2 * p + 1, 1 };
		b[2 * p + 1] = (struct jt_booking){ 1, (int64_t)p * 100, (int64_t)p * 100 + 50, 1, 0 };
		solo[p] = 2 * p;
		booked[p] = 2 * p + 1;
	}
	struct jt_problem pr = { np, solo, booked, c, 2 * np, b, 2 * np, 10, 0, 0, 0, 1 };
	struct jt_components comps;
	struct diag d;
	diag_init(&d);
	ok(joint_components(&pr, &comps, &d) < 0 && d.n == 1 && d.v[0].code == D_LIM_JOINT,
	   "more than JOINT_MAX_CONFLICTS conflicting pairs: D_LIM_JOINT");
	diag_release(&d);
	free(c);
	free(b);
	free(solo);
	free(booked);
}

/* Who is in the way of a plan, and the bound on how many are named
 * (batch's BATCH_BLOCKERS: a person outside the cap is priced around
 * each, one at a time). */
static void in_way_case(void)
{
	struct fx f = { 0 };
	struct jt_booking wide[] = { { 0, 100, 1100, 0, 0 } }, home[] = { { 1, 5000, 5060, 1, 0 } };
	f.solo[0] = col(&f, 0, 0, 0, 10, wide, 1);
	f.booked[0] = col(&f, 0, 0, 0, 40, home, 1);
	for (size_t p = 1; p <= 11; p++) {
		struct jt_booking s1[] = { { 0, 100 + 90 * (int64_t)(p - 1), 150 + 90 * (int64_t)(p - 1), 0, 0 } };
		struct jt_booking k1[] = { { 1, 6000 + 100 * (int64_t)p, 6050 + 100 * (int64_t)p, 1, 0 } };
		f.solo[p] = col(&f, p, 0, 0, 10, s1, 1);
		f.booked[p] = col(&f, p, 0, 0, 40, k1, 1);
	}
	struct jt_problem pr = problem(&f, 10);
	struct jt_components c;
	struct diag d;
	diag_init(&d);
	ok(joint_components(&pr, &c, &d) == 0, "in the way: the components");
	size_t *first, *adj, choice[16], out[16];
	joint_conflict_lists(&pr, &c, &first, &adj);
	for (size_t p = 0; p < f.np; p++)
		choice[p] = f.solo[p];
	choice[5] = f.booked[5];   /* person 5 kept as booked: not in the way */
	size_t n = joint_in_way(&pr, first, adj, choice, f.solo[0], out, 16);
	int order = n == 10;
	for (size_t k = 0; order && k < n; k++)
		order = out[k] == k + 1 + (k >= 4);
	ok(order, "every person whose choice conflicts, in order, not the one kept as booked (%zu)", n);
	n = joint_in_way(&pr, first, adj, choice, f.solo[0], out, 8);
	ok(n == 8 && out[0] == 1 && out[7] == 9, "at most the bound asked for (8): the first in order");
	ok(joint_in_way(&pr, first, adj, choice, f.solo[3], out, 8) == 1 && out[0] == 0,
	   "the other way: only person 0 is in the way of person 3's plan");
	ok(joint_in_way(&pr, first, adj, choice, f.booked[0], out, 8) == 0, "nobody in the way of a week as booked");
	free(first);
	free(adj);
	joint_components_release(&c);
	diag_release(&d);
}

/* The cap, tier by tier: more impossibilities first, then more compromise
 * (no slack), then cost beyond the cap; joint_within_cap() agrees. */
static void cap_case(void)
{
	ok(joint_cap_of(1, 5, 50, 1, 5, 40, 10) == JT_WITHIN_CAP, "cost exactly the cap above alone: within it");
	ok(joint_cap_of(1, 5, 50.01, 1, 5, 40, 10) == JT_OVER_COST, "cost past the cap: outside it, by cost");
	ok(joint_cap_of(1, 5.25, 40, 1, 5, 40, 10) == JT_OVER_COMPROMISE, "any more compromise: outside, by compromise");
	ok(joint_cap_of(0, 5.25, 90, 1, 5, 40, 10) == JT_OVER_COMPROMISE,
	   "fewer impossibilities do not buy more compromise or cost");
	ok(joint_cap_of(2, 0, 0, 1, 5, 40, 10) == JT_OVER_IMPOSSIBLE, "more impossibilities: the first tier named");
	ok(joint_cap_of(1, 4, 30, 1, 5, 40, 0) == JT_WITHIN_CAP, "better than alone: within a cap of 0");
	struct fx f = { 0 };
	struct jt_booking b[] = { { 0, 100, 200, 0, 0 } };
	f.solo[0] = col(&f, 0, 0, 2, 40, b, 1);
	f.booked[0] = col(&f, 0, 0, 2, 51, b, 1);
	size_t near = col(&f, 0, 0, 2, 50, b, 1);
	struct jt_problem pr = problem(&f, 10);
	ok(joint_within_cap(&pr, near) && !joint_within_cap(&pr, f.booked[0]),
	   "joint_within_cap is joint_cap_of on a column (50 within, 51 outside a cap of 10 over 40)");
}

/* The last MIPs (joint_polish) and their bounds: person 0 is outside the
 * cap until 1, 2 and 3 each move one practitioner along (a chain 3 steps
 * out). Its sets reach 3 steps and bring 0 inside; 2 steps do not (3 is
 * held, so 2 cannot move, nor 1); one pass stops after one. */
static void polish_case(void)
{
	struct fx f = { 0 };
	struct jt_booking own[] = { { 100, 0, 10, 1, 0 } };
	struct jt_booking on[4][1] = { { { 0, 0, 10, 0, 0 } }, { { 1, 0, 10, 0, 0 } }, { { 2, 0, 10, 0, 0 } },
				       { { 3, 0, 10, 0, 0 } } };
	f.solo[0] = col(&f, 0, 0, 0, 10, on[0], 1);
	f.booked[0] = col(&f, 0, 0, 0, 40, own, 1);
	size_t now[4] = { f.booked[0] };
	for (size_t p = 1; p <= 3; p++) {
		f.solo[p] = col(&f, p, 0, 0, 10, on[p - 1], 1);   /* where p is: in the way of the one before */
		f.booked[p] = f.solo[p];
		col(&f, p, 0, 0, 15, on[p], 1);                   /* one along: within p's cap */
		now[p] = f.solo[p];
	}
	struct jt_problem pr = problem(&f, 10);
	struct jt_components c;
	struct diag d;
	diag_init(&d);
	ok(joint_components(&pr, &c, &d) == 0, "polish: the components");
	struct { int passes, depth; size_t taken; int passes_run, deepest; const char *what; } t[] = {
		{ 6, 3, 4, 2, 3, "3 steps out: person 0 inside the cap, 1 to 3 one along; a second pass changes nothing" },
		{ 6, 2, 0, 1, 2, "2 steps out (BATCH_POLISH_DEPTH lowered): 3 held, so nobody can move" },
		{ 1, 3, 4, 1, 3, "one pass (BATCH_POLISH_PASSES lowered): the first, then it stops" },
	};
	for (size_t k = 0; k < sizeof t / sizeof *t; k++) {
		size_t choice[4];
		memcpy(choice, now, sizeof choice);
		struct jt_solution sol = { choice, 1, 0, 0 };
		struct jt_polish_stats ps;
		int rc = joint_polish(&pr, &c, &sol, t[k].passes, t[k].depth, &ps, &d);
		ok(rc == 0 && ps.taken == t[k].taken && ps.passes == t[k].passes_run && ps.deepest == t[k].deepest &&
		   ps.largest == (size_t)t[k].depth + 1 && joint_within_cap(&pr, choice[0]) == (t[k].taken > 0) &&
		   feasible(&f, choice),
		   "polish: %s (taken %zu, passes %d, deepest %d, largest %zu)", t[k].what, ps.taken, ps.passes,
		   ps.deepest, ps.largest);
	}
	joint_components_release(&c);
	diag_release(&d);
}

/* joint_polish as its contract says, one MIP after another and none
 * skipped: the set around i (breadth first through the choices in the way
 * of each member's other plans within the cap, `depth` steps, at most
 * JOINT_BLOCK), in a test's own words. */
static size_t ref_set(const struct jt_problem *pr, const struct jt_components *c, const size_t *first,
		      const size_t *adj, const size_t *choice, size_t i, int depth, unsigned char *in, size_t *set)
{
	size_t n = 0, h = 0;
	set[n++] = i;
	in[i] = 1;
	for (int step = 0; step < depth; step++) {
		size_t end = n;
		for (; h < end; h++)
			for (size_t y = 0; y < pr->n_cols; y++) {
				if (pr->cols[y].person != set[h] || c->dead[y] || y == choice[set[h]] ||
				    !joint_within_cap(pr, y))
					continue;
				for (size_t a = first[y]; a < first[y + 1] && n < JOINT_BLOCK; a++) {
					size_t q = pr->cols[adj[a]].person;
					if (!in[q] && choice[q] == adj[a]) {
						in[q] = 1;
						set[n++] = q;
					}
				}
			}
	}
	for (size_t k = 0; k < n; k++)
		in[set[k]] = 0;
	return n;
}

static int ref_polish(const struct jt_problem *pr, const struct jt_components *c, size_t *choice, int passes,
		      int depth, size_t *taken, int *passes_run)
{
	size_t np = pr->n_persons, *first, *adj;
	joint_conflict_lists(pr, c, &first, &adj);
	struct jt_sets *js = joint_sets_new(pr, c);
	size_t *was = malloc(np * sizeof *was), *pass_was = malloc(np * sizeof *pass_was);
	size_t *set = malloc((JOINT_BLOCK + 1) * sizeof *set);
	unsigned char *in = calloc(np, 1);
	struct diag d;
	diag_init(&d);
	int rc = was && pass_was && set && in ? 0 : -1;
	if (!rc)
		memcpy(was, choice, np * sizeof *was);
	*passes_run = 0;
	for (int pass = 0; pass < passes && !rc; pass++) {
		memcpy(pass_was, choice, np * sizeof *pass_was);
		++*passes_run;
		for (size_t i = 0; i < np && !rc; i++)
			if (!joint_within_cap(pr, choice[i]))
				rc = joint_sets_solve(js, set, ref_set(pr, c, first, adj, choice, i, depth, in, set), 1,
						      choice, &d);
		if (memcmp(pass_was, choice, np * sizeof *pass_was) == 0)
			break;
	}
	*taken = 0;
	for (size_t i = 0; !rc && i < np; i++)
		*taken += choice[i] != was[i];
	diag_release(&d);
	joint_sets_free(js);
	free(first);
	free(adj);
	free(was);
	free(pass_was);
	free(set);
	free(in);
	return rc;
}

/* joint_polish's waves (MIPs that neither read what another writes run
 * beside each other) and its skips (a MIP that changed nothing, with the
 * same reads, is not solved again) change nothing: on random caseloads
 * started from the weeks as booked (everyone outside the cap), 1, 2 and 5
 * threads choose what the MIPs one after another, none skipped, choose. */
static void polish_waves_case(void)
{
	enum { NP = 96 };
	static struct jt_column c[4 * NP];
	static struct jt_booking b[4 * NP * 3];
	static size_t solo[NP], booked[NP], ref[NP], got[NP];
	int same = 1, same_stats = 1, twice = 0;
	size_t skipped = 0, widest = 0, solved = 0, moved = 0;
	for (unsigned seed = 1; seed <= 6; seed++) {
		unsigned r = seed * 7919;
		size_t nc = 0, nb = 0;
		for (size_t p = 0; p < NP; p++) {
			/* groups of persons on their own lanes and one of the next
			 * group's: interleaved (MIPs in turn read apart, and run
			 * together), or in runs (MIPs in turn read the same) */
			size_t group = seed % 2 ? p % 8 : p / 12;
			/* and in each six, one whose plans but the booked one all
			 * meet the next one's booking kept where it is: its MIP
			 * never changes anything, and is skipped when what it
			 * reads has not changed */
			int hopeless = p % 6 == 0, anchor = p % 6 == 1;
			uint32_t own = 1000 + (uint32_t)(p / 6);
			double base = 10 + (double)(rnd(&r) % 5);
			for (int k = 0; k < 4; k++) {
				int is_booked = k == 3;
				double cost = k == 0 ? base : is_booked ? base + 25 : base + (double)(rnd(&r) % 14);
				size_t nbk = 2 + (size_t)(hopeless && !is_booked) + (size_t)anchor;
				c[nc] = (struct jt_column){ p, 0, 0, cost, nb, nbk };
				for (int i = 0; i < 2; i++) {
					int64_t s0 = (int64_t)(rnd(&r) % 40) * 30;
					b[nb++] = (struct jt_booking){ (uint32_t)(group * 4 + rnd(&r) % 5), s0, s0 + 45,
								       is_booked, 0 };
				}
				if (hopeless && !is_booked)
					b[nb++] = (struct jt_booking){ own, 0, 45, 0, 0 };
				if (anchor)
					b[nb++] = (struct jt_booking){ own, 0, 45, 1, 0 };
				if (k == 0)
					solo[p] = nc;
				if (is_booked)
					booked[p] = nc;
				nc++;
			}
		}
		struct jt_polish_stats first_ps = { 0 };
		static const int tried[] = { 0, 1, 2, 5 };   /* 0: the reference */
		for (size_t k = 0; k < sizeof tried / sizeof *tried; k++) {
			int threads = tried[k] ? tried[k] : 1;
			struct jt_problem pr = { NP, solo, booked, c, nc, b, nb, 10, 0, 100, 1e-3, threads };
			struct jt_components comps;
			struct diag d;
			diag_init(&d);
			if (joint_components(&pr, &comps, &d) < 0) {
				ok(0, "polish waves: the components");
				diag_release(&d);
				return;
			}
			size_t *ch = tried[k] ? got : ref;
			memcpy(ch, booked, sizeof booked);
			struct jt_solution sol = { ch, 1, 0, 0 };
			struct jt_polish_stats ps = { 0 };
			size_t taken;
			int passes_run, rc;
			if (!tried[k])
				rc = ref_polish(&pr, &comps, ch, 6, 3, &taken, &passes_run);
			else
				rc = joint_polish(&pr, &comps, &sol, 6, 3, &ps, &d);
			if (rc < 0) {
				ok(0, "polish waves: seed %u, %d threads, solved", seed, tried[k]);
				same = 0;
			}
			if (!tried[k]) {
				first_ps.taken = taken;
				first_ps.passes = passes_run;
				moved += taken;
			} else {
				same &= memcmp(got, ref, sizeof got) == 0 && ps.taken == first_ps.taken &&
					ps.passes == first_ps.passes;
				if (tried[k] == 1) {
					skipped += ps.skipped;
					widest = ps.widest > widest ? ps.widest : widest;
					solved += ps.solved;
					first_ps.solved = ps.solved;
					first_ps.skipped = ps.skipped;
					first_ps.widest = ps.widest;
					first_ps.largest = ps.largest;
				}
				same_stats &= ps.solved == first_ps.solved && ps.skipped == first_ps.skipped &&
					      ps.widest == first_ps.widest && ps.largest == first_ps.largest;
				for (size_t p = 0; p < NP; p++)
					for (size_t q = p + 1; q < NP; q++)
						for (size_t i = 0; i < c[got[p]].n; i++)
							for (size_t j = 0; j < c[got[q]].n; j++) {
								const struct jt_booking *x = &b[c[got[p]].first + i],
											*y = &b[c[got[q]].first + j];
								twice += x->lane == y->lane && x->start < y->end &&
									 y->start < x->end && !(x->fixed && y->fixed);
							}
			}
			joint_components_release(&comps);
			diag_release(&d);
		}
	}
	ok(same, "polish waves: 1, 2 and 5 threads choose what one MIP after another, none skipped, chooses "
		 "(6 caseloads, %zu choices moved)", moved);
	ok(same_stats, "polish waves: the same MIPs solved, skipped and run together for any number of threads");
	ok(skipped > 0 && widest > 1, "polish waves: MIPs skipped (%zu of %zu) and run together (at most %zu)", skipped,
	   skipped + solved, widest);
	is_int(twice, 0, "polish waves: nothing booked twice");
}

/* The bound on a polish wave: 150 persons apart (no lane shared), each
 * outside the cap until it takes its plan alone: every MIP could run
 * beside every other, and the waves hold JOINT_POLISH_WAVE at most. */
static void polish_wave_bound(void)
{
	enum { NP = 150 };
	static struct jt_column c[2 * NP];
	static struct jt_booking b[2 * NP];
	static size_t solo[NP], booked[NP], ch[NP];
	size_t nc = 0;
	for (size_t p = 0; p < NP; p++) {
		b[nc] = (struct jt_booking){ (uint32_t)(2000 + p), 0, 45, 0, 0 };
		c[nc] = (struct jt_column){ p, 0, 0, 10, nc, 1 };
		solo[p] = nc++;
		b[nc] = (struct jt_booking){ (uint32_t)(2000 + p), 100, 145, 1, 0 };
		c[nc] = (struct jt_column){ p, 0, 0, 40, nc, 1 };
		booked[p] = ch[p] = nc++;
	}
	struct jt_problem pr = { NP, solo, booked, c, nc, b, nc, 10, 0, 100, 1e-3, 2 };
	struct jt_components comps;
	struct diag d;
	diag_init(&d);
	struct jt_solution sol = { ch, 1, 0, 0 };
	struct jt_polish_stats ps = { 0 };
	int rc = joint_components(&pr, &comps, &d);
	if (!rc)
		rc = joint_polish(&pr, &comps, &sol, 6, 3, &ps, &d);
	size_t inside = 0;
	for (size_t p = 0; !rc && p < NP; p++)
		inside += ch[p] == solo[p];
	ok(rc == 0 && inside == NP && ps.widest == JOINT_POLISH_WAVE && ps.solved == NP,
	   "polish waves: %d persons apart, all brought inside the cap, in waves of at most %d (widest %zu)", NP,
	   JOINT_POLISH_WAVE, ps.widest);
	if (!rc)
		joint_components_release(&comps);
	diag_release(&d);
}

int main(void)
{
	hand_cases();
	cap_case();
	in_way_case();
	random_cases();
	threads_case();
	large_case();
	conflict_bound();
	polish_case();
	polish_waves_case();
	polish_wave_bound();
	return tap_done();
}
