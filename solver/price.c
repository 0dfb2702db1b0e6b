/* price.c: column generation's pricing: day plans of negative reduced cost under the master's dual prices, by a label-setting search with dominance across appointment subsets. */
#include "internal.h"

#include <assert.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/*
 * The formulation (Desrosiers and Lübbecke, "A primer in column
 * generation", 2005; the elementary shortest path with resources of
 * Feillet et al., 2004): the master's LP relaxation gives dual prices; a day
 * plan c on day d has reduced cost
 *
 *   rc(c) = a1 t1(c) + a2 t2(c) + a3 t3(c)
 *           - sum over its appointments i of (cover_i + series_{i,d})
 *           - day_d - peak_d energy(c) - sum over unfamiliar k met of meet_{d,k}
 *           - changes changes(c)
 *
 * with (a1, a2, a3) the tiers' weights in the stage being solved (the
 * stage's own tier 1, the held tiers minus their rows' duals). Every term
 * but the daily limits (counted when the day closes, as in daygen.c) adds
 * up along the day, so a label carries its tiers, its dual part and the
 * resources the rest of the day depends on. Label a dominates label b at
 * the same last session when a's appointments are a subset of b's, a's
 * reduced cost plus the most meeting b's extra practitioners could still
 * cost a, and the most a's extra energy (or, in the relaxed search below,
 * extra appointments) could cost it when the day closes, is no more than
 * b's, and a has no more time out (out, counting the outing's start: the
 * same completion ends both outings), and every routine b has settled
 * settled too: whatever completes b completes a at
 * no more cost. This is the day search
 * of daygen.c (same step(), same finish()) with a different dominance; it
 * is exact for the LP bound when it runs to the end, and a heuristic source
 * of columns when the budget stops it; then a relaxed search bounds the day
 * (relaxed_bound()).
 */

double sv_reduced_cost(const struct instance *in, const struct sv_cols *cols, const struct sv_col *c,
		       const struct sv_duals *u)
{
	size_t nd = in->w->n_days;
	double rc = u->alpha[0] * c->impossible + u->alpha[1] * c->compromise + u->alpha[2] * c->cost;
	for (int k = 0; k < c->n; k++) {
		int i = cols->pick[c->first + (size_t)k].appt;
		rc -= u->cover[i] + u->series[(size_t)i * nd + (size_t)c->day];
	}
	rc -= u->day[c->day] + u->peak[c->day] * c->energy + u->changes * c->changes;
	for (int k = 0; k < 64; k++)
		if (c->unfamiliar >> k & 1)
			rc -= u->meet[(size_t)c->day * 64 + (size_t)k];
	return rc;
}

#define EPS 1e-9
#define PRICE_MAX_LABELS 100000   /* per day and pricing call (docs/limits.md) */
#define PRICE_RELAX_FIRST 200000  /* a relaxed search's first, per day and pricing call (docs/limits.md) */
#define PRICE_RELAX_LABELS 400000 /* ... once one of the day's has run to its end (docs/limits.md) */
#define PRICE_FOUND (-1e-7)       /* a day plan's reduced cost below this is worth adding */
#define PRICE_PRUNE 1e-6          /* a completion bound above this cannot lead to one */

/* A label in its session's chain: what the dominance tests first, kept
 * together so that a chain is read in one sweep of memory. */
struct centry {
	double rc;
	double energy;            /* what its energy adds when the day closes, at least */
	uint64_t mask;
	uint32_t rmask;
	int lab;
};

/* The live labels at one session, in order of reduced cost. */
struct chain {
	struct centry *e;
	size_t n, cap;
};

struct pctx {
	struct day_ctx c;
	struct chain *ch;         /* per session */
	const struct sv_duals *u;
	double *qdual;            /* per session: its dual part */
	double *meetc;            /* per practitioner: what meeting them costs, at most */
	int cut;
	/* completion bounds (see completion()): per session q and local
	 * appointment i, base[q * n_local + i]; tot[q] their sum; after[q]
	 * the least a chain of sessions after q adds; NULL: none */
	double *base, *tot, *after;
	double *full;             /* per session: the least it adds itself */
	double close0;            /* what closing the day adds, at least, before energy */
	double per_energy;        /* what a point of energy adds when the day closes (>= 0) */
	uint64_t *later;          /* per session q: the practitioners of the sessions starting at or after its end (later_pracs; the relaxed search's) */
	long pruned;
	/* the relaxed search (relaxed_bound()): a label remembers only the
	 * appointments in crit, and the others may come again */
	int relaxed;
	uint64_t crit;
	size_t relax_cap;         /* its bound on labels */
};

static double label_rc(const struct sv_duals *u, const struct label *l)
{
	return u->alpha[0] * l->t1 + u->alpha[1] * l->t2 + u->alpha[2] * l->cost + l->dual;
}

/* Whether a dominates b, both at session q (their last). */
static int p_dominates(const struct pctx *x, int q, const struct label *a, const struct label *b)
{
	/* the cheap tests first: most pairs fail one */
	if ((a->mask & ~b->mask) || (a->rmask & b->rmask) != b->rmask)
		return 0;
	/* Time out: an outing under way ends, for both, when the same
	 * completion takes them home, adding that time less its start; so
	 * out, the time out so far less the outing's start is what counts. */
	if (a->depart >= 0 && b->depart >= 0 ? a->time_out - a->depart > b->time_out - b->depart
					     : a->time_out > b->time_out || (a->depart >= 0 && b->depart < 0))
		return 0;
	double extra = 0;
	for (uint64_t m = b->pracs & ~a->pracs; m; m &= m - 1)
		extra += x->meetc[__builtin_ctzll(m)];
	const struct profile *p = x->c.s.p;
	if (x->relaxed && (a->pracs & ~b->pracs) && p->max_unfam_day >= 0) {
		/* (the relaxed search only: a's appointments need not be a
		 * subset of b's, nor its practitioners) what completes both
		 * (Y, among the practitioners of the sessions after their last
		 * one, x->later) meets the same people; a's count can then
		 * exceed b's by the people a has met and b has not, less those
		 * b has met and a has not and Y cannot bring (each count is
		 * the people of A or B with Y), each one more over the daily
		 * limit when the day closes (the penalty rises by at most
		 * its weight a person); and a's excess over the limit is at
		 * most what A and all that could follow make */
		uint64_t later = x->later[q];
		int more = sv_people(p, a->pracs & ~b->pracs) - sv_people(p, b->pracs & ~a->pracs & ~later),
		    most = sv_people(p, a->pracs | later) - p->max_unfam_day;
		if (more > most)
			more = most;
		if (more > 0)
			extra += fabs(x->u->alpha[1]) * p->compromise.unfamiliar_day * more;
	}
	if (a->n_appt > b->n_appt && p->max_appts_per_day >= 0) {
		/* (the relaxed search only: a's appointments are b's elsewhere)
		 * each appointment more can cost a at most one more over the
		 * daily limit when the day closes */
		extra += fabs(x->u->alpha[1]) * p->compromise.appointments * (a->n_appt - b->n_appt);
	}
	if (a->energy > b->energy) {
		/* what completes one adds the same energy to the other (same last
		 * session): a point more costs a at most the budget's penalty
		 * and the peak's price when the day closes */
		extra += (fabs(x->u->alpha[1]) * p->compromise.energy + fabs(x->u->peak[x->c.s.day])) *
			 (a->energy - b->energy);
	}
	return label_rc(x->u, a) + extra <= label_rc(x->u, b) + EPS;
}

/*
 * A lower bound on the reduced cost of every day plan that completes label
 * l at session q (l itself closed, or extended by sessions starting at or
 * after q's end): what l has so far, what closing the day costs at least,
 * and for each appointment not in l, the least share of a session it could
 * still join (completion(), built in completion_bounds()). Every other term
 * of the reduced cost that a completion adds is >= 0.
 */
static double completion(const struct pctx *x, int q, const struct label *l)
{
	size_t nl = (size_t)x->c.s.n_local;
	const double *b = &x->base[(size_t)q * nl];
	double v = x->after[q];
	if (!x->relaxed) {
		/* by appointment, each at most once: not in the relaxed search */
		double w = x->tot[q];
		for (uint64_t m = l->mask; m; m &= m - 1)
			w -= b[__builtin_ctzll(m)];
		if (w > v)
			v = w;   /* both bound the same thing: the larger is the better */
	}
	return label_rc(x->u, l) + x->close0 + x->per_energy * l->energy + v;
}

/* A lower bound, as completion()'s, on every day plan that extends the
 * label of chain entry e by session q: computed before the step, from the
 * entry alone, so that most steps are not made and most labels not read. */
static double extension_bound(const struct pctx *x, int q, const struct centry *e)
{
	size_t nl = (size_t)x->c.s.n_local;
	const double *b = &x->base[(size_t)q * nl];
	double v = x->after[q];
	if (!x->relaxed) {
		double w = x->tot[q];
		for (uint64_t m = e->mask | x->c.s.it[q].mask; m; m &= m - 1)
			w -= b[__builtin_ctzll(m)];
		if (w > v)
			v = w;
	}
	return e->rc + x->full[q] + x->close0 + e->energy + v;
}

/* 0 kept or dominated, 1 the budget ran out, -1 out of memory */
static int p_add(struct pctx *x, int q, const struct label *l)
{
	struct day_ctx *c = &x->c;
	if (x->base && completion(x, q, l) > PRICE_PRUNE) {
		x->pruned++;
		return 0;   /* nothing it leads to has a negative reduced cost */
	}
	/* The labels at q are in order of reduced cost: only those no dearer
	 * than l may dominate it, and l only those no cheaper. Those found
	 * dominated leave the chain (never a parent: labels at q are extended
	 * only after q), which is closed up as it is read. */
	struct chain *ch = &x->ch[q];
	struct centry *e = ch->e;
	double r = label_rc(x->u, l);
	size_t i = 0, w = 0, n = ch->n;
	for (; i < n && e[i].rc <= r + EPS; i++) {
		const struct label *y = &c->lab[e[i].lab];
		if (!(e[i].mask & ~l->mask) && (e[i].rmask & l->rmask) == l->rmask && p_dominates(x, q, y, l)) {
			memmove(&e[w], &e[i], (n - i) * sizeof *e);
			ch->n = n - (i - w);
			return 0;
		}
		if (e[i].rc >= r - EPS && !(l->mask & ~e[i].mask) && (l->rmask & e[i].rmask) == e[i].rmask &&
		    p_dominates(x, q, l, y)) {
			c->lab[e[i].lab].dead = 1;
			continue;
		}
		if (w != i)
			e[w] = e[i];
		w++;
	}
	size_t at = w;   /* l's place: after the labels no dearer */
	for (; i < n; i++) {
		if (!(l->mask & ~e[i].mask) && (l->rmask & e[i].rmask) == e[i].rmask &&
		    p_dominates(x, q, l, &c->lab[e[i].lab])) {
			c->lab[e[i].lab].dead = 1;
			continue;
		}
		if (w != i)
			e[w] = e[i];
		w++;
	}
	ch->n = n = w;
	size_t cap = c->budget && c->budget->max_labels ? c->budget->max_labels : PRICE_MAX_LABELS;
	if (x->relaxed)
		cap = x->relax_cap;
	int rc = sv_label_push(c, q, l, cap);
	if (rc > 0)
		x->cut = 1;
	if (rc == 0) {
		struct centry *ne = BUF_PUSH(ch->e, ch->n, ch->cap);
		if (!ne)
			return -1;
		e = ch->e;
		memmove(&e[at + 1], &e[at], (n - at) * sizeof *e);
		e[at] = (struct centry){ r, x->per_energy * l->energy, l->mask, l->rmask, (int)c->n_lab - 1 };
	}
	return rc;
}

/* the dual part of meeting the practitioners in `newp` for the first time today */
static double meet_dual(const struct pctx *x, uint64_t newp)
{
	double v = 0;
	for (uint64_t m = newp; m; m &= m - 1) {
		int k = __builtin_ctzll(m);
		if (!x->c.s.p->pracs[k].familiar)
			v -= x->u->meet[(size_t)x->c.s.day * 64 + (size_t)k];
	}
	return v;
}

struct found {
	double rc;
	int label;                /* -1: the empty day */
};

static int found_cmp(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	if (x->rc != y->rc)
		return x->rc < y->rc ? -1 : 1;
	return (x->label > y->label) - (x->label < y->label);
}

struct by_start {
	int start, q;
};

static int start_cmp(const void *a, const void *b)
{
	const struct by_start *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->q > y->q) - (x->q < y->q);
}

/*
 * The completion bounds of day `day` under u (see completion()). A session
 * q adds to a label's reduced cost its tiers' own terms (q->impossible,
 * compromise, cost), its dual part, and for each practitioner it brings,
 * at least min(0, -meet); everything else a session or closing the day adds
 * (travel, journeys, rest, routines, the daily limits, unfamiliar people,
 * energy under a non-positive peak dual) is >= 0 when the tiers' weights
 * are. A session's least value is shared evenly among its appointments, so
 * for appointment i the least share among sessions starting at or after t
 * bounds what i can add to a plan after t; appointments are in at most one
 * session of a plan. Returns 1 with the bounds made, 0 when they do not
 * hold (a negative weight or energy price: no pruning, no bound). *root
 * gets the bound for the whole day (the empty label).
 */
/* The least each session of the day adds to a reduced cost (full[q]),
 * and its share per appointment (val[q]); order[q]: the sessions, to be
 * sorted by start. */
static void session_values(const struct pctx *x, int day, double *val, double *full, struct by_start *order)
{
	const struct sv_duals *u = x->u;
	const struct sv_day *s = &x->c.s;
	const struct profile *p = s->p;
	for (size_t q = 0; q < s->n_it; q++) {
		const struct sv_item *it = &s->it[q];
		double v = u->alpha[0] * it->impossible + u->alpha[1] * it->compromise + u->alpha[2] * it->cost +
			   x->qdual[q];
		for (uint64_t m = it->pracs; m; m &= m - 1) {
			int k = __builtin_ctzll(m);
			double r = -u->meet[(size_t)day * 64 + (size_t)k];
			if (!p->pracs[k].familiar && r < 0)
				v += r;
		}
		val[q] = v / it->n;
		full[q] = v;
		order[q] = (struct by_start){ it->start, (int)q };
	}
}

/* suf[k * n_local + i]: the least share of local appointment i among the
 * sessions order[k ..] (sorted by start), 0 past the last. */
static void suffix_shares(const struct sv_day *s, const struct by_start *order, const double *val, double *suf)
{
	size_t nl = (size_t)s->n_local, n = s->n_it;
	for (size_t i = 0; i < nl; i++)
		suf[n * nl + i] = 0;
	for (size_t k = n; k-- > 0;) {
		assert(k + 1 == n || order[k].start <= order[k + 1].start);
		const struct sv_item *it = &s->it[order[k].q];
		memcpy(&suf[k * nl], &suf[(k + 1) * nl], nl * sizeof *suf);
		for (uint64_t m = it->mask; m; m &= m - 1) {
			size_t i = (size_t)__builtin_ctzll(m);
			if (val[order[k].q] < suf[k * nl + i])
				suf[k * nl + i] = val[order[k].q];
		}
	}
}

static int completion_bounds(struct pctx *x, int day, double *root)
{
	const struct sv_duals *u = x->u;
	const struct sv_day *s = &x->c.s;
	size_t nl = (size_t)s->n_local, n = s->n_it;
	if (u->alpha[0] < 0 || u->alpha[1] < 0 || u->alpha[2] < 0 || -u->peak[day] < 0 || nl == 0)
		return 0;
	x->close0 = -u->day[day];
	x->per_energy = -u->peak[day];
	struct by_start *order = xmalloc((n + 1) * sizeof *order);
	double *val = xmalloc((n + 1) * sizeof *val);
	double *suf = xmalloc(((n + 1) * nl + 1) * sizeof *suf);
	double *full = x->full = xmalloc((n + 1) * sizeof *full), *best = xmalloc((n + 2) * sizeof *best);
	size_t *lo_of = xmalloc((n + 1) * sizeof *lo_of);
	x->base = xmalloc((n * nl + 1) * sizeof *x->base);
	x->tot = xmalloc((n + 1) * sizeof *x->tot);
	x->after = xmalloc((n + 1) * sizeof *x->after);
	session_values(x, day, val, full, order);
	qsort(order, n, sizeof *order, start_cmp);
	suffix_shares(s, order, val, suf);
	for (size_t q = 0; q < n; q++) {
		/* the first session in start order starting at or after q's end */
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (order[mid].start < s->it[q].end)
				lo = mid + 1;
			else
				hi = mid;
		}
		double t = 0;
		for (size_t i = 0; i < nl; i++) {
			x->base[q * nl + i] = suf[lo * nl + i];
			t += suf[lo * nl + i];
		}
		x->tot[q] = t;
		lo_of[q] = lo;
	}
	/* a second bound, by time rather than by appointment: the least chain
	 * of sessions, each after the one before, allowing an appointment twice
	 * (best[k]: the least chain starting at or after order[k]) */
	best[n] = 0;
	for (size_t k = n; k-- > 0;) {
		size_t q = (size_t)order[k].q;
		x->after[q] = best[lo_of[q]] < 0 ? best[lo_of[q]] : 0;
		double b = full[q] + x->after[q];
		best[k] = b < best[k + 1] ? b : best[k + 1];
	}
	double r = 0;
	for (size_t i = 0; i < nl; i++)
		r += suf[i];
	if (best[0] > r)
		r = best[0];
	*root = x->close0 + (r < 0 ? r : 0);
	free(order);
	free(val);
	free(suf);
	free(best);
	free(lo_of);
	return 1;
}

/* qsort's order of session indices by start: the day's sessions are
 * in sort_by_start (thread-local: the days are searched in threads) */
static _Thread_local const struct sv_item *sort_by_start;

static int cmp_start(const void *a, const void *b)
{
	int x = sort_by_start[*(const int *)a].start, y = sort_by_start[*(const int *)b].start;
	return (x > y) - (x < y);
}

/* The dual part of each session of the day (x->qdual), what meeting each
 * unfamiliar practitioner may cost at most (x->meetc), and the search's
 * empty chains (x->ch). */
static void price_duals(struct pctx *x, const struct instance *in, int day)
{
	const struct sv_duals *u = x->u;
	const struct sv_day *s = &x->c.s;
	const struct profile *p = s->p;
	size_t nd = in->w->n_days;
	x->qdual = xcalloc(s->n_it + 1, sizeof *x->qdual);
	x->meetc = xcalloc(64, sizeof *x->meetc);
	x->ch = xcalloc(s->n_it + 1, sizeof *x->ch);
	for (size_t q = 0; q < s->n_it; q++) {
		const struct sv_item *it = &s->it[q];
		double v = -u->changes * it->changes;
		for (int m = 0; m < it->n; m++) {
			assert(it->appt[m] >= 0 && (size_t)it->appt[m] < in->n);
			v -= u->cover[it->appt[m]] + u->series[(size_t)it->appt[m] * nd + (size_t)day];
		}
		x->qdual[q] = v;
	}
	for (size_t k = 0; k < p->n_pracs && k < 64; k++) {
		if (p->pracs[k].familiar)
			continue;
		double v = u->alpha[2] * p->weights.unfamiliar * p->pracs[k].people - u->meet[(size_t)day * 64 + k];
		x->meetc[k] = v > 0 ? v : 0;
	}
}

/* x->later (p_dominates, the relaxed search only): for each session q,
 * the practitioners of the sessions starting at or after its end: the
 * sessions by start, latest first, their practitioners gathered; then
 * each q takes those of the sessions from its end on. */
static void later_pracs(struct pctx *x)
{
	const struct sv_day *s = &x->c.s;
	size_t n = s->n_it;
	x->later = xcalloc(n + 1, sizeof *x->later);
	int *by = xmalloc((n + 1) * sizeof *by);
	uint64_t *acc = xmalloc((n + 1) * sizeof *acc);
	for (size_t q = 0; q < n; q++)
		by[q] = (int)q;
	sort_by_start = s->it;
	qsort(by, n, sizeof *by, cmp_start);
	uint64_t m = 0;
	for (size_t k = n; k-- > 0;) {
		m |= s->it[by[k]].pracs;
		acc[k] = m;
	}
	for (size_t q = 0; q < n; q++) {
		size_t lo = 0, hi = n;   /* the first by start >= q's end */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (s->it[by[mid]].start < s->it[q].end)
				lo = mid + 1;
			else
				hi = mid;
		}
		x->later[q] = lo < n ? acc[lo] : 0;
	}
	free(by);
	free(acc);
}

/* The label-setting search over the day's sessions (in end order) from
 * root, pruned by the completion bounds when there are any. Returns 0
 * (the budget may have cut it: x->cut), or -1 out of memory. */
static int price_search(struct pctx *x, const struct label *root)
{
	const struct sv_day *s = &x->c.s;
	const struct profile *p = s->p;
	int st = 0;
	for (size_t qi = 0; qi < s->n_it && st == 0; qi++) {
		const struct sv_item *q = &s->it[qi];
		assert(qi == 0 || s->it[qi - 1].end <= q->end);   /* in end order: predecessors are a prefix */
		struct label l;
		sv_step(&x->c, root, q, &l);
		l.mask &= x->crit;
		l.parent = -1;
		l.dual = x->qdual[qi] + meet_dual(x, q->pracs);
		if ((st = p_add(x, (int)qi, &l)) < 0)
			return -1;
		for (size_t pj = 0; pj < qi && s->it[pj].end <= q->start && st == 0; pj++) {
			const struct sv_item *pi = &s->it[pj];
			const struct chain *cj = &x->ch[pj];
			if (cj->n == 0 || (pi->mask & q->mask))
				continue;
			int t1 = 0, gap = q->start - pi->last_end;
			if (pi->exit_venue >= 0 && q->venue >= 0 && pi->exit_venue != q->venue &&
			    profile_travel(p, pi->exit_venue, q->venue) > gap) {
				if (!(pi->cur && q->cur))
					continue;
				t1 = 1;
			}
			/* what extending by q adds at least, whatever the label's appointments */
			double add0 = 0;
			if (x->base) {
				/* the bound by appointment is at least tot (each share is
				 * <= 0); it does not hold in the relaxed search */
				add0 = x->full[qi] + x->close0 + x->after[qi];
				if (!x->relaxed && x->tot[qi] > x->after[qi])
					add0 += x->tot[qi] - x->after[qi];
			}
			for (size_t j = 0; j < cj->n && st == 0; j++) {
				const struct centry *e = &cj->e[j];
				if (e->mask & q->mask)
					continue;
				if (x->base && (e->rc + e->energy + add0 > PRICE_PRUNE + 1e-7 ||
						extension_bound(x, (int)qi, e) > PRICE_PRUNE)) {
					x->pruned++;
					continue;   /* L then q leads to nothing that prices out */
				}
				int k = e->lab;
				const struct label *L = &x->c.lab[k];
				assert(!L->dead);
				uint64_t newp = q->pracs & ~L->pracs;
				sv_step(&x->c, L, q, &l);
				l.mask &= x->crit;
				l.t1 += t1;
				l.parent = k;
				l.dual = L->dual + x->qdual[qi] + meet_dual(x, newp);
				if ((st = p_add(x, (int)qi, &l)) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* Close every live label and the empty day (root); those of negative
 * reduced cost into *fs, the most negative first. Returns 0, or -1 out of
 * memory. */
static int price_close(struct pctx *x, const struct label *root, int day, struct found **fs, size_t *n_fs)
{
	const struct sv_duals *u = x->u;
	size_t cap_fs = 0;
	for (long k = -1; k < (long)x->c.n_lab; k++) {
		const struct label *L = k < 0 ? root : &x->c.lab[k];
		if (k >= 0 && L->dead)
			continue;
		struct label l;
		sv_step(&x->c, L, NULL, &l);
		sv_finish(&x->c, &l);
		double r = label_rc(u, &l) - u->day[day] - u->peak[day] * sv_label_energy(x->c.s.p, &l);
		if (r >= PRICE_FOUND)
			continue;
		struct found *f = BUF_PUSH(*fs, *n_fs, cap_fs);
		if (!f)
			return -1;
		f->rc = r;
		f->label = (int)k;
	}
	if (*n_fs > 1)
		qsort(*fs, *n_fs, sizeof **fs, found_cmp);
	return 0;
}

/* The local appointments that come more than once on the path ending at
 * label k (only the relaxed search makes such paths); 0 for a day plan. */
static uint64_t path_repeats(const struct pctx *x, int k)
{
	uint64_t seen = 0, again = 0;
	for (; k >= 0; k = x->c.lab[k].parent) {
		uint64_t m = x->c.s.it[x->c.lab[k].item].mask;
		again |= seen & m;
		seen |= m;
	}
	return again;
}

#define PRICE_RELAX_ROUNDS 12   /* relaxed searches per day and pricing call, at most */
#define PRICE_KEPT 64            /* plans of one search kept for its columns: 4 per column it may add, and these */

/* How a day's full pricing went, so that the next call goes the way that works. */
enum price_way {
	WAY_EXACT,                /* the exact search ran to its end (or not tried yet) */
	WAY_RELAXED,              /* it was cut, and the relaxed search bounded the day */
	WAY_CUT                   /* both were cut: the exact search's columns, no bound */
};

/* A plan a pricing search found: its reduced cost, whether it is a day
 * plan (a relaxed search's may come to an appointment twice), and its
 * picks (first, n: in its job's picks). */
struct pfound {
	double rc;
	int plan;
	int n;
	size_t first;
};

/* One day's pricing: its searches, in any thread (price_search_day), then
 * its columns, in the order of the days (price_apply). The searches read
 * cols (the day's way and crit) and write only here. */
struct price_job {
	const struct instance *in;
	const struct sv_duals *u;
	const struct sv_budget *b;
	const struct sv_cols *cols;
	int day, max;
	struct diag d;            /* what went wrong, moved to the caller's in day order */
	int rc;                   /* -1: failed (d says why) */
	int built;                /* 0: more appointments could be on the day than a search holds */
	struct sv_day s;          /* the day, built before the searches start (see sv_price_days) */
	/* the plans each search found, the best first (4 max + PRICE_KEPT of each) */
	struct pfound *found;
	size_t n_found, cap_found;
	size_t *end;              /* search k's are found[end[k - 1] .. end[k]) */
	size_t n_end, cap_end;
	struct sv_pick *picks;
	size_t n_picks, cap_picks;
	size_t labels;
	int cut, exact;
	int set_way, way;         /* the day's way and crit, for the next call */
	uint64_t crit;
	double lb;
};

/* Keep the plans of one search (fs, n_fs: the best first) in j, with
 * their picks read from x's labels. */
static void keep_found(const struct pctx *x, struct price_job *j, const struct found *fs, size_t n_fs)
{
	size_t keep = j->max > 0 ? 4 * (size_t)j->max + PRICE_KEPT : 0;
	for (size_t f = 0; f < n_fs && f < keep; f++) {
		struct pfound *e = BUF_PUSH(j->found, j->n_found, j->cap_found);
		*e = (struct pfound){ fs[f].rc, path_repeats(x, fs[f].label) == 0, 0, j->n_picks };
		if (!e->plan)
			continue;   /* the relaxed search's: not a day plan */
		for (int k = fs[f].label; k >= 0; k = x->c.lab[k].parent) {
			const struct sv_item *it = &x->c.s.it[x->c.lab[k].item];
			for (int m = 0; m < it->n; m++) {
				assert((size_t)e->n < j->in->n);   /* each appointment once in a plan */
				*BUF_PUSH(j->picks, j->n_picks, j->cap_picks) = (struct sv_pick){ it->appt[m], it->cand[m] };
				e->n++;
			}
		}
	}
	*BUF_PUSH(j->end, j->n_end, j->cap_end) = j->n_found;
}

/*
 * A bound on the day's least reduced cost when the exact search was cut,
 * by decremental state-space relaxation (Righini and Salani, "New dynamic
 * programming algorithms for the resource constrained elementary shortest
 * path problem", 2008). The search runs with labels that remember only
 * the appointments of crit (x->crit): the others may come again, so it
 * reads more paths than the day plans, valued as the exact search values
 * them (sv_step, sv_finish; count n_appt, not the mask), and with the
 * dominance and the completion bound that hold for them (the bound by
 * time, not by appointment). Its least reduced cost is then a bound on
 * every day plan's. When its best path comes to an appointment twice, the
 * appointments that do join crit and it runs again, closer to the day
 * plans; when the best path is a day plan, the bound is exact. The plans
 * of each round are kept in j (price_apply makes columns of the day
 * plans among them). Returns 1 with *lb set (*exact when the bound is the
 * least reduced cost), 0 when the first relaxed search was cut too, -1
 * out of memory.
 */
static int relaxed_bound(struct pctx *x, const struct label *root, struct price_job *j, double *lb, int *exact)
{
	int got = 0, day = j->day;
	*exact = 0;
	x->relaxed = 1;
	if (!x->later)
		later_pracs(x);
	x->crit = j->cols->crit[day];   /* where the last call left it */
	/* the relaxed search has PRICE_RELAX_FIRST labels until one of its
	 * rounds on the day runs to its end: past that, more (a day it
	 * cannot bound at all is left at once) */
	size_t small = x->c.budget && x->c.budget->max_labels ? x->c.budget->max_labels : PRICE_RELAX_FIRST;
	size_t large = x->c.budget && x->c.budget->max_labels ? x->c.budget->max_labels : PRICE_RELAX_LABELS;
	for (int round = 0; round < PRICE_RELAX_ROUNDS && !*exact; round++) {
		struct found *fs = NULL;
		size_t n_fs = 0;
		x->relax_cap = got || j->cols->way[day] == WAY_RELAXED ? large : small;
		x->c.n_lab = 0;
		x->c.cut = x->cut = 0;
		for (size_t q = 0; q < x->c.s.n_it; q++)
			x->ch[q].n = 0;
		if (price_search(x, root) < 0 || price_close(x, root, day, &fs, &n_fs) < 0) {
			free(fs);
			return -1;
		}
		j->labels += x->c.n_lab;
		if (x->cut && round == 0 && x->crit) {
			free(fs);
			x->crit = 0;   /* too much remembered for the new prices: afresh */
			round--;
			continue;
		}
		if (x->cut) {
			free(fs);
			break;   /* the bound of the round before stands */
		}
		double r = n_fs ? fs[0].rc : PRICE_FOUND;
		if (!got || r > *lb)
			*lb = r;
		got = 1;
		keep_found(x, j, fs, n_fs);
		/* the appointments the best paths come to twice */
		uint64_t again = 0;
		for (size_t f = 0; f < n_fs && f < 8; f++)
			again |= path_repeats(x, fs[f].label);
		*exact = n_fs == 0 || path_repeats(x, fs[0].label) == 0;
		free(fs);
		assert(*exact || again);
		x->crit |= again;
	}
	j->crit = x->crit;
	x->relaxed = 0;
	x->crit = ~(uint64_t)0;
	return got;
}

/* Whether the day is one the relaxed search bounds (priced last). */
int sv_price_deferred(const struct sv_cols *cols, int day)
{
	return cols->way && cols->way[day] == WAY_RELAXED;
}

/* The searches of job j's day (see sv_price_days), into j. */
static void price_search_day(struct price_job *j)
{
	const struct instance *in = j->in;
	const struct sv_budget *b = j->b;
	int day = j->day;
	double root_lb = -INFINITY;
	j->lb = -INFINITY;
	struct pctx x;
	memset(&x, 0, sizeof x);
	x.crit = ~(uint64_t)0;
	x.u = j->u;
	x.c.budget = b;
	struct found *fs = NULL;
	size_t n_fs = 0;
	if (!j->built)
		return;   /* failed, or no column and no bound from the day (see sv_price_days) */
	x.c.s = j->s;   /* the search's now, released with it */
	memset(&j->s, 0, sizeof j->s);
	price_duals(&x, in, day);
	int have_root = completion_bounds(&x, day, &root_lb);
	if (!have_root) {
		free(x.base);
		free(x.tot);
		free(x.after);
		free(x.full);
		x.base = x.tot = x.after = x.full = NULL;
	}
	struct label root;
	memset(&root, 0, sizeof root);
	root.item = root.parent = root.next = -1;
	root.depart = -1;
	if (b->relax && j->cols->way[day] == WAY_RELAXED) {
		x.cut = 1;   /* the exact search is cut on this day: straight to the relaxed one */
	} else {
		if (price_search(&x, &root) < 0 || price_close(&x, &root, day, &fs, &n_fs) < 0)
			goto oom;
		keep_found(&x, j, fs, n_fs);
		j->labels += x.c.n_lab;
	}
	int cut = x.cut, exact = 0, relaxed = 0;
	double rlb = -INFINITY;
	if (cut && b->relax && j->cols->way[day] != WAY_CUT) {
		relaxed = relaxed_bound(&x, &root, j, &rlb, &exact);
		if (relaxed < 0)
			goto oom;
		/* the relaxed search, cut at once, is no way to this day (the
		 * time limit cut it: it may be next time) */
		j->set_way = 1;
		j->way = relaxed ? WAY_RELAXED : sv_budget_over(b) ? WAY_EXACT : WAY_CUT;
	}
	j->cut = cut;
	j->exact = exact;
	/* the day's least reduced cost, or a bound on it */
	if (!cut)
		j->lb = n_fs && fs[0].rc < PRICE_FOUND ? fs[0].rc : PRICE_FOUND;
	else {
		if (have_root)
			j->lb = root_lb < PRICE_FOUND ? root_lb : PRICE_FOUND;
		if (relaxed && rlb > j->lb)
			j->lb = rlb < PRICE_FOUND ? rlb : PRICE_FOUND;
	}
	goto out;
oom:
	diag_add(&j->d, D_INTERNAL, NULL, 0, 0, "out of memory");
	j->rc = -1;
out:
	free(fs);
	free(x.qdual);
	free(x.meetc);
	free(x.later);
	free(x.base);
	free(x.tot);
	free(x.after);
	free(x.full);
	for (size_t q = 0; x.ch && q < x.c.s.n_it; q++)
		free(x.ch[q].e);
	free(x.ch);
	free(x.c.lab);
	sv_day_release(&x.c.s);
}

/* Add the day plans job j's searches found, each search's best first, to
 * cols until j->max of them pay; and what the searches say of the day.
 * Returns how many were added, or -1 with d filled. */
static long price_apply(struct price_job *j, struct sv_cols *cols, struct diag *d)
{
	const struct instance *in = j->in;
	diag_move(d, &j->d);
	if (j->rc < 0)
		return -1;
	cols->labels += j->labels;
	if (!j->built) {
		cols->price_cut = 1;
		return 0;
	}
	long added = 0;
	for (size_t k = 0, f = 0; k < j->n_end; k++) {
		for (; f < j->end[k] && added < j->max; f++) {
			const struct pfound *e = &j->found[f];
			if (!e->plan)
				continue;
			size_t before = cols->n;
			/* (the empty day has no picks, and j->picks may be NULL) */
			long ix = sv_cols_add(in, cols, j->day, e->n ? j->picks + e->first : NULL, e->n, d);
			if (ix < 0)
				return -1;
			if ((size_t)ix < before)
				continue;   /* already a column */
			/* valued as check reads the day: keep it only if that still pays */
			if (!cols->v[ix].bad && sv_reduced_cost(in, cols, &cols->v[ix], j->u) < -1e-7)
				added++;
			else
				cols->mismatches++;   /* kept, but it does not pay */
		}
		f = j->end[k];
	}
	if (j->set_way) {
		cols->way[j->day] = j->way;
		cols->crit[j->day] = j->crit;
	}
	if (j->cut && !j->exact)
		cols->price_cut = 1;   /* day plans of negative reduced cost may be left */
	return added;
}

/* The jobs of one call, and the next to take. */
struct price_jobs {
	struct price_job *v;
	size_t n;
	atomic_size_t next;
};

static void *price_jobs_run(void *arg)
{
	struct price_jobs *js = arg;
	for (;;) {
		size_t k = atomic_fetch_add(&js->next, 1);
		if (k >= js->n)
			break;
		price_search_day(&js->v[k]);
	}
	return NULL;
}

long sv_price_days(const struct instance *in, const int *days, size_t n, const struct sv_duals *u,
		   const struct sv_budget *b, int max, int threads, struct sv_cols *cols, double *lb,
		   struct diag *d)
{
	if (b->relax && !cols->way) {
		cols->way = xcalloc(in->w->n_days, sizeof *cols->way);
		cols->crit = xcalloc(in->w->n_days, sizeof *cols->crit);
	}
	struct price_jobs js = { xcalloc(n + 1, sizeof *js.v), n, 0 };
	for (size_t k = 0; k < n; k++) {
		struct price_job *j = &js.v[k];
		j->in = in;
		j->u = u;
		j->b = b;
		j->cols = cols;
		j->day = days[k];
		j->max = max;
		diag_init(&j->d);
		/* Built here, in one thread: building converts wall times with
		 * libical, whose time zones cache what they compute. rc > 0:
		 * more appointments could be on the day than a search holds, so
		 * no column from it, and no bound. */
		int rc = sv_day_build(in, j->day, &j->s, &j->d);
		if (rc < 0)
			j->rc = -1;
		else if (rc > 0)
			sv_day_release(&j->s);
		else
			j->built = 1;
	}
	sv_parallel(price_jobs_run, &js, threads, n);   /* the searches */
	/* the columns, in the order of the days */
	long added = 0;
	for (size_t k = 0; k < n; k++) {
		struct price_job *j = &js.v[k];
		long a = added < 0 ? -1 : price_apply(j, cols, d);
		if (a < 0)
			added = -1;
		else if (added >= 0)
			added += a;
		lb[k] = j->lb;
		diag_release(&j->d);
		free(j->found);
		free(j->end);
		free(j->picks);
	}
	free(js.v);
	return added;
}

long sv_price_day(const struct instance *in, int day, const struct sv_duals *u, const struct sv_budget *b,
		  int max, struct sv_cols *cols, double *lb, struct diag *d)
{
	return sv_price_days(in, &day, 1, u, b, max, 1, cols, lb, d);
}
