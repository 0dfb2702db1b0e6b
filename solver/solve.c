/* solve.c: the optimiser's run: the instance, the day plans, the master by tiers; the ranked proposals, the change ladder and the baseline, each checked and valued from its own week. */
#include "internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* What column generation proved: per tier, the LP bound and whether it is
 * exact (every pricing search ran to its end). */
struct cg_bounds {
	int used;
	double lb[3];
	int exact[3];
	int converged[3];         /* lb is the LP's optimum: no day plan prices out */
	int capped;
};

/* Whether sol is proven by the bounds, and its gap: that of the first tier
 * it does not meet (1 when that tier's bound is not exact). */
static void judge(const struct cg_bounds *cb, const struct master_sol *sol, int *proven, double *gap,
		  double *bound)
{
	double v[3] = { sol->impossible, sol->compromise, sol->objective };
	*proven = 1;
	*gap = 0;
	*bound = sol->objective;
	for (int t = 0; t < 3; t++) {
		double lb = t == 0 ? ceil(cb->lb[0] - 1e-6) : cb->lb[t];
		if (cb->exact[t] && v[t] <= lb + 1e-6 * (1 + fabs(v[t])))
			continue;
		*proven = 0;
		if (!cb->exact[t])
			*gap = 1;
		else
			*gap = fabs(v[t]) > 1e-9 ? (v[t] - lb) / fabs(v[t]) : 1;
		if (*gap > 1)
			*gap = 1;
		if (*gap < 0)
			*gap = 0;
		*bound = t == 2 && cb->exact[2] ? cb->lb[2] : -1e300;
		return;
	}
}

/* Turn the master's choice into proposal x: its plan made a proposal as
 * any plan is (sv_proposal_of_plan: checked without the solver, valued from
 * its moved week, the figures printed are these), then what the solve
 * proved of it. cb: the bounds of column generation, which decide whether
 * it is proven (NULL: the day plans were all there). */
static int make_proposal(struct sv_result *r, const struct sv_cols *cols, const struct master_sol *sol,
			 int rank, int cut, const struct cg_bounds *cb, struct sv_proposal *x, struct diag *d)
{
	const struct instance *in = &r->in;
	struct plan pl = { xcalloc(in->n + 1, sizeof *pl.at), in->n };
	for (size_t i = 0; i < in->n; i++)
		pl.at[i].day = -1;
	for (size_t day = 0; day < in->w->n_days; day++) {
		const struct sv_col *c = &cols->v[sol->col[day]];
		assert(c->day == (int)day);
		for (int k = 0; k < c->n; k++) {
			const struct sv_pick *pk = &cols->pick[c->first + (size_t)k];
			assert(pl.at[pk->appt].day < 0);   /* each appointment once */
			pl.at[pk->appt] = in->a[pk->appt].cand[pk->cand];
		}
	}
	int rc = sv_proposal_of_plan(in, &pl, x, d);
	free(pl.at);
	if (rc < 0)
		return -1;
	struct sv_tiers t = { x->impossible, x->compromise, x->objective };
	struct sv_tiers m = { sol->impossible, sol->compromise, sol->objective };
	if (sv_tiers_cmp(&t, &m) != 0) {
		char msg[240];
		snprintf(msg, sizeof msg,
			 "proposal %d: the master's tiers (%d, %.6f, %.6f) differ from the plan's own (%d, %.6f, %.6f)",
			 rank, m.impossible, m.compromise, m.cost, t.impossible, t.compromise, t.cost);
		diag_add(d, D_PLAN_INVALID, NULL, 0, 0, msg);
		return -1;
	}
	x->rank = rank;
	x->bound = sol->bound;
	x->gap = cut ? (sol->gap > 0 ? sol->gap : 1) : sol->gap;
	x->proven = sol->proven && !cut;
	x->capped = sol->capped;
	if (cb && cb->used) {
		int pv;
		double gp, bd;
		judge(cb, sol, &pv, &gp, &bd);
		x->proven = pv && sol->proven;
		x->gap = x->proven ? 0 : gp > 0 ? gp : sol->gap > 0 ? sol->gap : 1;
		x->bound = bd;
		x->capped |= cb->capped;
	}
	if (x->proven)
		x->bound = x->objective;
	return 0;
}

/* The greedy baseline: the plan a keyworker might reach by hand. */
static int baseline(struct sv_result *r, struct diag *d)
{
	struct sv_proposal *x = &r->baseline;
	struct week mv;
	struct problems after = { 0 };
	memset(x, 0, sizeof *x);
	if (sv_greedy(&r->in, &x->plan, d) < 0)
		return -1;
	r->has_baseline = 1;
	if (plan_week(&r->in, &x->plan, &mv, d) < 0)
		return -1;
	int rc = check_week(&mv, &after, d);
	struct sv_tiers t = { 0, 0, 0 };
	if (rc == 0)
		rc = sv_week_totals(&mv, &after, &x->after);
	if (rc == 0)
		rc = sv_plan_tiers(&r->in, &x->plan, &mv, &after, &t, NULL, NULL, d);
	x->impossible = t.impossible;
	x->compromise = t.compromise;
	x->objective = t.cost;
	problems_release(&after);
	week_release(&mv);
	for (size_t i = 0; rc == 0 && i < r->in.n; i++) {
		const struct placement *pl = &x->plan.at[i], *cur = &r->in.a[i].current;
		if (pl->day != cur->day || pl->start != cur->start || pl->venue != cur->venue)
			x->after.changes++;
	}
	return rc;
}

/* The column of each day as booked (daygen always makes them). */
static int as_booked_cols(const struct instance *in, struct sv_cols *cols, size_t *out, struct diag *d)
{
	struct sv_pick *picks = xmalloc((in->n + 1) * sizeof *picks);
	for (size_t day = 0; day < in->w->n_days; day++) {
		int n = 0;
		for (size_t i = 0; i < in->n; i++)
			if (in->a[i].current.day == (int)day)
				picks[n++] = (struct sv_pick){ (int)i, 0 };
		long c = sv_cols_add(in, cols, (int)day, picks, n, d);
		if (c < 0) {
			free(picks);
			return -1;
		}
		out[day] = (size_t)c;
	}
	free(picks);
	return 0;
}


/* The picks of day `day` in plan `at` (candidate per appointment), with
 * appointment i at candidate ci instead (i < 0: none), into out. */
static int day_picks(const struct instance *in, const int *at, int day, long i, int ci, struct sv_pick *out)
{
	int n = 0;
	for (size_t j = 0; j < in->n; j++) {
		int c = (long)j == i ? ci : at[j];
		assert(c < (int)in->a[j].n_cand);
		if (c >= 0 && in->a[j].cand[c].day == day)
			out[n++] = (struct sv_pick){ (int)j, c };
	}
	return n;
}

static int lex_less(int a1, double a2, double a3, int b1, double b2, double b3)
{
	if (a1 != b1)
		return a1 < b1;
	if (fabs(a2 - b2) > 1e-7 * (1 + fabs(a2) + fabs(b2)))
		return a2 < b2;
	return a3 < b3 - 1e-7 * (1 + fabs(a3) + fabs(b3));
}

/*
 * A quick good plan when the day plans cannot all be listed: from the week
 * as booked, move one appointment at a time to the candidate that improves
 * the two days it leaves and joins most (by the tiers, within the days),
 * while anything improves and the budget lasts. Every day plan it values
 * becomes a column, so the master can then combine them better than it
 * did. Deterministic: a fixed order, and at most LS_TRIES candidates of an
 * appointment, evenly spaced.
 */
#define LS_TRIES 240
#define LS_PASSES 50   /* passes over the appointments, at most (docs/limits.md) */

/* The bounds tests may lower (internal.h, sv_test_limits): their values
 * by default. */
static struct sv_test_limits lim = { SV_REOPT_LABELS, SV_REOPT_ONE_LABELS, SV_REOPT_TOTAL_LABELS, SV_REOPT_ROUNDS,
				     LS_TRIES, LS_PASSES, SV_LIST_SHARE, SV_CG_ROUNDS };

/* x when it is set and lower than the bound b, else b */
#define LOWER(x, b) ((x) > 0 && (x) < (b) ? (x) : (b))

void sv_test_limits(const struct sv_test_limits *l)
{
	static const struct sv_test_limits none = { 0 };
	if (!l)
		l = &none;
	lim.reopt_labels = LOWER(l->reopt_labels, SV_REOPT_LABELS);
	lim.reopt_one_labels = LOWER(l->reopt_one_labels, SV_REOPT_ONE_LABELS);
	lim.reopt_total_labels = LOWER(l->reopt_total_labels, SV_REOPT_TOTAL_LABELS);
	lim.reopt_rounds = LOWER(l->reopt_rounds, SV_REOPT_ROUNDS);
	lim.ls_tries = LOWER(l->ls_tries, LS_TRIES);
	lim.ls_passes = LOWER(l->ls_passes, LS_PASSES);
	lim.list_share = LOWER(l->list_share, SV_LIST_SHARE);
	lim.cg_rounds = LOWER(l->cg_rounds, SV_CG_ROUNDS);
}

/* Whether appointment i at candidate c would clash with plan at: come
 * closer than gap days to an occurrence of its series, or (unless c is its
 * current placement) overlap another appointment outside a joint session. */
static int move_clashes(const struct instance *in, const int *at, size_t i, size_t c, int gap)
{
	const struct sv_appt *sa = &in->a[i];
	const struct placement *pl = &sa->cand[c];
	int to = pl->day, clash = 0;
	struct wk_appt x = in->w->appts[sa->appt];
	x.day = to;
	x.s_min = pl->start;
	x.e_min = pl->start + sa->duration;
	x.venue = pl->venue;
	for (size_t j = 0; j < in->n && !clash; j++) {
		const struct placement *q = &in->a[j].cand[at[j]];
		if (j == i)
			continue;
		if (gap > 0 && abs(q->day - to) < gap &&
		    !strcmp(in->w->appts[in->a[j].appt].uid, x.uid)) {
			clash = 1;   /* (not undone below by two occurrences on one day that do not overlap) */
			continue;
		}
		if (q->day != to || c == 0)
			continue;
		struct wk_appt y = in->w->appts[in->a[j].appt];
		y.day = q->day;
		y.s_min = q->start;
		y.e_min = q->start + in->a[j].duration;
		y.venue = q->venue;
		clash = x.s_min < y.e_min && y.s_min < x.e_min && !week_joint(in->w, &x, &y);
	}
	return clash;
}

/* improve's move of one appointment: to candidate `cand`, with the
 * columns of the day it leaves (from_col, -1 when it stays on its day)
 * and of the day it joins (to_col). */
struct move {
	int cand;
	long from_col, to_col;
};

/* The best move of appointment i in plan at, whose days are the columns
 * dc: the candidate (every stride-th, and the current placement) that
 * improves the two days most by the tiers; mv->cand is at[i] when none
 * does. Every day plan valued becomes a column of cols (pk: scratch for
 * the picks). Returns 0, or -1 with d filled. */
static int best_move(const struct instance *in, struct sv_cols *cols, const int *at, const size_t *dc,
		     size_t i, struct sv_pick *pk, struct move *mv, size_t *most, struct diag *d)
{
	const struct sv_appt *sa = &in->a[i];
	int from = sa->cand[at[i]].day, gap = sv_series_gap(in, i);
	/* candidate 0 (as booked), then every stride-th from 1: at most
	 * lim.ls_tries (the stride alone allows one more when n_cand is
	 * just under a multiple of it) */
	size_t stride = sa->n_cand > lim.ls_tries ? sa->n_cand / lim.ls_tries + 1 : 1;
	size_t tried = 0;
	int b1 = 0;
	double b2 = 0, b3 = 0;
	*mv = (struct move){ at[i], -1, -1 };
	for (size_t c = 0; c < sa->n_cand && tried < lim.ls_tries; c += (c == 0 ? 1 : stride)) {
		tried++;
		if (tried > *most)
			*most = tried;
		if ((int)c == at[i] || move_clashes(in, at, i, c, gap))
			continue;
		int to = sa->cand[c].day;
		long cf = -1, ct;
		if (to != from) {
			int n = day_picks(in, at, from, (long)i, -1, pk);
			if ((cf = sv_cols_add(in, cols, from, pk, n, d)) < 0)
				return -1;
		}
		int n = day_picks(in, at, to, (long)i, (int)c, pk);
		if ((ct = sv_cols_add(in, cols, to, pk, n, d)) < 0)
			return -1;
		if (cols->v[ct].bad || (cf >= 0 && cols->v[cf].bad))
			continue;
		const struct sv_col *of = &cols->v[dc[from]], *ot = &cols->v[dc[to]];
		const struct sv_col *nf = cf >= 0 ? &cols->v[cf] : NULL, *nt = &cols->v[ct];
		int d1 = nt->impossible - ot->impossible;
		double d2 = nt->compromise - ot->compromise, d3 = nt->cost - ot->cost;
		if (nf) {
			d1 += nf->impossible - of->impossible;
			d2 += nf->compromise - of->compromise;
			d3 += nf->cost - of->cost;
		}
		if (lex_less(d1, d2, d3, b1, b2, b3)) {
			b1 = d1;
			b2 = d2;
			b3 = d3;
			*mv = (struct move){ (int)c, cf, ct };
		}
	}
	return 0;
}

/* Whether plan at keeps every series' spacing (what move_clashes keeps;
 * plan_check's series rule), for improve's contract. */
static int series_kept(const struct instance *in, const int *at)
{
	for (size_t i = 0; i < in->n; i++) {
		int g = sv_series_gap(in, i);
		for (size_t j = i + 1; j < in->n && g > 0; j++)
			if (!strcmp(in->w->appts[in->a[i].appt].uid, in->w->appts[in->a[j].appt].uid) &&
			    abs(in->a[i].cand[at[i]].day - in->a[j].cand[at[j]].day) < g)
				return 0;
	}
	return 1;
}

static int improve(const struct instance *in, struct sv_cols *cols, const size_t *start, size_t *found,
		   const struct sv_budget *b, size_t *most, int *passes, struct diag *d)
{
	size_t nd = in->w->n_days;
	int *at = xcalloc(in->n + 1, sizeof *at);
	size_t *dc = xmalloc((nd + 1) * sizeof *dc);
	struct sv_pick *pk = xmalloc((in->n + 1) * sizeof *pk);
	int rc = -1;
	memcpy(dc, start, nd * sizeof *dc);
	for (int pass = 0; pass < lim.ls_passes && !sv_budget_over(b); pass++) {
		int improved = 0;
		++*passes;
		for (size_t i = 0; i < in->n && !sv_budget_over(b); i++) {
			const struct sv_appt *sa = &in->a[i];
			if (sa->n_cand <= 1)
				continue;
			struct move mv;
			if (best_move(in, cols, at, dc, i, pk, &mv, most, d) < 0)
				goto out;
			if (mv.cand != at[i]) {
				if (mv.from_col >= 0)
					dc[sa->cand[at[i]].day] = (size_t)mv.from_col;
				dc[sa->cand[mv.cand].day] = (size_t)mv.to_col;
				at[i] = mv.cand;
				improved = 1;
			}
		}
		if (!improved)
			break;
	}
	assert(series_kept(in, at));
	memcpy(found, dc, nd * sizeof *dc);
	rc = 0;
out:
	free(at);
	free(dc);
	free(pk);
	return rc;
}

/* One LP of column generation: the master over cols with o's bound on
 * changes, relaxed, with the objective of tier `tier` (those before held
 * at hold); its duals into u. Returns master_lp's 1 (solved) or 0, or -1
 * with d filled. */
static int lp_duals(const struct instance *in, const struct sv_cols *cols, const struct sv_options *o, int tier,
		    const double *hold, const struct sv_budget *bud, struct master_basis *warm, struct sv_duals *u,
		    struct diag *d)
{
	struct master *m = master_new(in, cols, d);
	if (!m)
		return -1;
	int st = master_max_changes(m, o->max_changes, d);
	if (st == 0)
		st = master_lp(m, tier, hold, bud, warm, u, d);
	master_free(m);
	return st;
}

/* Price every day under u (pb: the pricing budget; a full round adds more
 * day plans a day than a quick one: the tail of column generation is full
 * rounds, and each costs a search of every day): the day plans added
 * into *add, and the Lagrangian bound, the LP's value plus each day's
 * least reduced cost (or a bound on it), into *lagr. Returns 0, or -1
 * with d filled. */
static int price_days(const struct instance *in, struct sv_cols *cols, const struct sv_duals *u,
		      const struct sv_budget *pb, int threads, long *add, double *lagr, struct diag *d)
{
	*add = 0;
	*lagr = u->objective;
	size_t nd = in->w->n_days;
	int *days = xmalloc((nd + 1) * sizeof *days);
	double *lbd = xmalloc((nd + 1) * sizeof *lbd);
	int rc = 0;
	/* the days the relaxed search prices last, and only when the others
	 * found nothing (they cost the most, and the others' columns change
	 * the prices first); a round that stops before them gives no bound */
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		if (pass == 1 && *add > 0) {
			*lagr = -INFINITY;
			break;
		}
		size_t n = 0;
		for (size_t day = 0; day < nd; day++)
			if ((sv_price_deferred(cols, (int)day) && pb->relax) == pass)
				days[n++] = (int)day;
		long a = sv_price_days(in, days, n, u, pb, pb->relax ? SV_PRICE_COLS_FULL : SV_PRICE_COLS, threads,
				       cols, lbd, d);
		if (a < 0) {
			rc = -1;
			break;
		}
		*add += a;
		for (size_t k = 0; k < n; k++)
			*lagr += lbd[k] < 0 ? lbd[k] : 0;
	}
	free(days);
	free(lbd);
	return rc;
}

/*
 * A floor under tier `tier` (1 or 2) that needs no convergence, for when
 * pricing is cut (the exact search of a wide day cannot finish): the
 * Lagrangian bound with a multiplier M on each appointment that cannot
 * leave its day (every candidate on it: booked inside the notice period,
 * or a practitioner with no other time) and none on anything else,
 *   L = M (appointments held) + sum over days of the least, over the
 *       day's plans, of the value less M per such appointment it holds.
 * Each day then takes its least plan that holds its appointments,
 * whatever the other days do; the tiers are sums of the days' (the
 * master's own terms are >= 0, and dropped), so L is a lower bound, and
 * each day's term is >= 0. (The LP's duals, even scaled down, give far
 * less while pricing has not converged: on wide8 -277 at a quarter of
 * them, against 43.75 here.) Valid for any M: a larger one only makes the
 * days hold their appointments. Each day's search is pruned at the best of
 * its plans in cols (its multiplier), bounded by a count of labels (bud's
 * max_labels, or SV_FLOOR_LABELS) and by bud's deadline (price_tier's:
 * half the time the plan has left), and adds nothing; a day whose
 * search is cut counts its completion bound, or 0; a day whose best plan
 * at hand is 0 counts 0 without one. Into *lb; returns 0, or -1 with d
 * filled.
 */
static int floor_bound(const struct instance *in, struct sv_cols *cols, int tier, const struct sv_budget *bud,
		       int threads, double *lb, struct diag *d)
{
	assert(tier == 1 || tier == 2);
	const double M = 1e4, eps = 1e-6;
	size_t nd = in->w->n_days, n = in->n;
	int *fd = xmalloc((n + 1) * sizeof *fd);
	size_t *k = xcalloc(nd + 1, sizeof *k);
	double *best = xmalloc((nd + 1) * sizeof *best);
	struct sv_duals v = { 0 };
	v.cover = xcalloc(n + 1, sizeof *v.cover);
	v.series = xcalloc(n * nd + 1, sizeof *v.series);
	v.day = xcalloc(nd + 1, sizeof *v.day);
	v.peak = xcalloc(nd + 1, sizeof *v.peak);
	v.meet = xcalloc(nd * 64 + 1, sizeof *v.meet);
	v.alpha[tier - 1] = 1;
	for (size_t i = 0; i < n; i++) {
		fd[i] = in->a[i].cand[0].day;
		for (size_t c = 1; c < in->a[i].n_cand && fd[i] >= 0; c++)
			if (in->a[i].cand[c].day != fd[i])
				fd[i] = -1;
		if (fd[i] >= 0)
			k[fd[i]]++;
		v.cover[i] = fd[i] >= 0 ? M : 0;
	}
	/* each day's best plan at hand: value less M per appointment held */
	for (size_t day = 0; day < nd; day++)
		best[day] = INFINITY;
	for (size_t j = 0; j < cols->n; j++) {
		double r = sv_reduced_cost(in, cols, &cols->v[j], &v);
		if (r < best[cols->v[j].day])
			best[cols->v[j].day] = r;
	}
	struct sv_budget fb = { bud->deadline, bud->max_labels ? bud->max_labels : SV_FLOOR_LABELS, 0 };
	int price_cut = cols->price_cut, rc = 0;
	size_t labels = cols->labels, n_fl = 0;
	int *fl = xmalloc((nd + 1) * sizeof *fl);
	double *lbd = xmalloc((nd + 1) * sizeof *lbd);
	for (size_t day = 0; day < nd; day++) {
		if (!isfinite(best[day]) || best[day] + M * (double)k[day] <= 0)
			continue;   /* its term is 0 (or a plan at hand is 0) */
		/* a plan prices out when it is below the best at hand */
		v.day[day] = best[day] + eps;
		fl[n_fl++] = (int)day;
	}
	*lb = 0;
	if (sv_price_days(in, fl, n_fl, &v, &fb, 0, threads, cols, lbd, d) < 0)
		rc = -1;
	for (size_t j = 0; j < n_fl && rc == 0; j++) {
		size_t day = (size_t)fl[j];
		double held = M * (double)k[day];
		double f = isfinite(lbd[j]) ? held + v.day[day] + lbd[j] : 0;
		*lb += f > 0 ? f : 0;
	}
	free(fl);
	free(lbd);
	*lb -= eps * (double)nd;
	cols->price_cut = price_cut;
	cols->labels = labels;
	sv_duals_release(&v);
	free(best);
	free(k);
	free(fd);
	return rc;
}

/* Column generation for tier `tier`: the LP and pricing until no day plan
 * has a negative reduced cost (the LP bound, into cb), or the budget or
 * the search's bounds stop it; then, when it did not converge, the floor
 * (tiers 1 and 2), with half of the time left before floor_deadline (the
 * best plan's: the time column generation leaves for the plan; 0: no
 * deadline), so that a solve the time cap stopped has its bound too.
 * Returns 0, or -1 with d filled. */
static int price_tier(const struct instance *in, struct sv_cols *cols, const struct sv_options *o, int tier,
		      const double *hold, const struct sv_budget *bud, long floor_deadline, struct master_basis *warm,
		      struct cg_bounds *cb, struct diag *d)
{
	cb->lb[tier - 1] = -1e300;
	cb->exact[tier - 1] = 0;
	cb->converged[tier - 1] = 0;
	/* pricing quickly first (a small search finds columns cheaply
	 * while the duals are far off), in full when that finds none; a tier
	 * whose full searches are cut and add plans that leave the LP where it
	 * was SV_STALL_ROUNDS times running has tailed off: those searches can
	 * prove nothing, and its plans change nothing */
	int full = 0, stalled = 0;
	double best_lp = INFINITY;
	for (int iter = 0; iter < lim.cg_rounds; iter++) {
		struct sv_budget pb = *bud;
		pb.relax = full;   /* a cut search bounded by relaxed ones: in full only */
		if (!full)
			pb.max_labels = bud->max_labels && bud->max_labels < SV_QUICK_LABELS ? bud->max_labels
											     : SV_QUICK_LABELS;
		struct sv_duals u;
		int st = lp_duals(in, cols, o, tier, hold, bud, warm, &u, d);
		if (st < 0)
			return -1;
		if (st == 0) {
			cb->capped = 1;
			break;
		}
		cols->price_cut = 0;
		long add;
		double lagr;
		if (price_days(in, cols, &u, &pb, o->threads, &add, &lagr, d) < 0) {
			sv_duals_release(&u);
			return -1;
		}
		if (isfinite(lagr) && (!cb->exact[tier - 1] || lagr > cb->lb[tier - 1])) {
			cb->lb[tier - 1] = lagr;
			cb->exact[tier - 1] = 1;   /* a valid bound (exact when nothing was added) */
		}
		if (!isfinite(best_lp) || u.objective < best_lp - 1e-9 * (1 + fabs(best_lp))) {
			best_lp = u.objective;
			stalled = 0;
		} else if (full && cols->price_cut && add > 0 && ++stalled >= SV_STALL_ROUNDS) {
			sv_duals_release(&u);
			break;
		}
		if (add == 0 && !cols->price_cut) {
			cb->lb[tier - 1] = u.objective;
			cb->exact[tier - 1] = 1;
			cb->converged[tier - 1] = 1;
			sv_duals_release(&u);
			break;
		}
		if (add == 0 && !full) {
			full = 1;   /* the quick search found nothing: search in full */
			sv_duals_release(&u);
			continue;
		}
		if (add == 0) {
			sv_duals_release(&u);
			break;   /* the search was cut and found nothing: the bound so far stands */
		}
		full = 0;
		sv_duals_release(&u);
		if (sv_budget_over(bud)) {
			cb->capped = 1;
			break;
		}
	}
	long now = (long)clock();
	if (tier <= 2 && !cb->converged[tier - 1] && (floor_deadline <= 0 || now < floor_deadline)) {
		struct sv_budget fb = { floor_deadline > 0 ? now + (floor_deadline - now) / 2 : 0, bud->max_labels, 0 };
		double f;
		if (floor_bound(in, cols, tier, &fb, o->threads, &f, d) < 0)
			return -1;
		if (!cb->exact[tier - 1] || f > cb->lb[tier - 1]) {
			cb->lb[tier - 1] = f;
			cb->exact[tier - 1] = 1;   /* a valid bound */
		}
	}
	return 0;
}

/*
 * Column generation, when the day plans could not all be listed
 * (docs/propose.md, "How it is solved"): for each tier in turn, the
 * master's LP relaxation and pricing until no day plan has a negative
 * reduced cost (the LP bound of that tier), then the integer master over
 * the day plans found, whose value of the tier is held for the next.
 * Stops at the budget; what it found is kept either way.
 */
static int colgen(struct sv_result *r, struct sv_cols *cols, const struct sv_options *o,
		  const struct sv_budget *bud, long floor_deadline, const size_t *start, struct cg_bounds *cb,
		  struct diag *d)
{
	const struct instance *in = &r->in;
	double hold[2] = { 0, 0 };
	struct master_basis warm = { NULL, NULL, 0 };   /* each LP starts from the last one's optimum */
	cb->used = 1;
	for (int tier = 1; tier <= 3; tier++) {
		if (price_tier(in, cols, o, tier, hold, bud, floor_deadline, &warm, cb, d) < 0) {
			master_basis_release(&warm);
			return -1;
		}
		if (tier == 3)
			break;
		/* the integer plan among the day plans found holds this tier */
		struct master *m = master_new(in, cols, d);
		struct master_sol sol;
		if (!m || master_max_changes(m, o->max_changes, d) < 0 || master_solve(m, bud, start, &sol, d) < 0) {
			master_free(m);
			master_basis_release(&warm);
			return -1;
		}
		master_free(m);
		hold[0] = sol.impossible;
		hold[1] = sol.compromise;
		master_sol_release(&sol);
		/* Where the integer plan found misses a tier's LP optimum, the
		 * next tiers are priced at that optimum rather than at the plan:
		 * the lexicographic optimum lies there if the tier is ever proven,
		 * and the next tier's bound only counts then (judge()); priced at
		 * the plan, the next tier's columns and bound would be for weeks
		 * that give way more than the best. The LP stays feasible: its
		 * optimum is held, not a bound below it. */
		if (cb->converged[0] && ceil(cb->lb[0] - 1e-6) < hold[0])
			hold[0] = ceil(cb->lb[0] - 1e-6);
		if (tier == 2 && cb->converged[1] && cb->lb[1] < hold[1])
			hold[1] = cb->lb[1];
	}
	master_basis_release(&warm);
	return 0;
}

int sv_default_threads(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : cpus > SV_MAX_THREADS ? SV_MAX_THREADS : (int)cpus;
}

static int changes_of_sol(const struct sv_cols *cols, const struct master_sol *s, size_t n_days)
{
	int n = 0;
	for (size_t day = 0; day < n_days; day++)
		n += cols->v[s->col[day]].changes;
	return n;
}

/* The budgets of one solve: the whole (bud), the best plan's (mainb: most
 * of the time when the ladder or the next best are asked for too, so that
 * asking for them does not take many times as long; they stop, and say
 * so, when it runs out), and listing every day plan's (list: a part of the
 * time and a bound on labels; past them, column generation takes over). */
static void budgets(const struct sv_options *o, struct sv_budget *bud, struct sv_budget *mainb,
		    struct sv_budget *list)
{
	*bud = (struct sv_budget){ 0, o->max_labels, 0 };
	if (o->time_limit > 0)
		bud->deadline = (long)clock() + (long)(o->time_limit * CLOCKS_PER_SEC);
	*mainb = *bud;
	if (o->time_limit > 0 && (o->ladder || o->k > 1))
		mainb->deadline = (long)clock() + (long)(o->time_limit * 0.6 * CLOCKS_PER_SEC);
	*list = (struct sv_budget){ 0, o->max_labels ? o->max_labels : SV_LIST_LABELS, 0 };
	if (o->time_limit > 0)
		list->deadline = (long)clock() + (long)(o->time_limit * lim.list_share * CLOCKS_PER_SEC);
}

long sv_rest_deadline(long now, long spent, long deadline)
{
	assert(spent >= 0);
	if (deadline <= 0)
		return deadline;
	long more = (long)((double)spent * SV_REST_SHARE), least = (long)(SV_REST_MIN * CLOCKS_PER_SEC);
	if (more < least)
		more = least;
	return now + more < deadline ? now + more : deadline;
}

long sv_share_deadline(long now, long deadline, long parts)
{
	assert(parts >= 1);
	if (deadline <= 0 || deadline <= now)
		return deadline;
	return now + (deadline - now) / parts;
}

/* The listings reoptimise has done (day and appointments, hashed): a
 * later round does not list them again. */
struct reopt_seen {
	uint64_t *v;
	size_t n, cap;
};

static int reopt_seen_add(struct reopt_seen *s, size_t day, const unsigned char *allow, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)day;
	for (size_t i = 0; i < n; i++)
		if (allow[i])
			h = (h ^ (uint64_t)(i + 1)) * 1099511628211ull;
	for (size_t k = 0; k < s->n; k++)
		if (s->v[k] == h)
			return 0;
	uint64_t *x = BUF_PUSH(s->v, s->n, s->cap);
	if (x)
		*x = h;
	return 1;
}

/* List day `day` over the appointments mine[0 .. nk) and `extra` (-1:
 * none) with `labels` labels, unless seen lists it already; into cols,
 * counting in *added, and the listing in r (polish_listings, polish_cut).
 * Returns 0, or -1 with d filled. */
static int relist(struct sv_result *r, struct sv_cols *cols, const struct sv_budget *bud, size_t day,
		  const int *mine, int nk, long extra, size_t labels, struct reopt_seen *seen, unsigned char *pick,
		  unsigned char *allow, long *added, struct diag *d)
{
	const struct instance *in = &r->in;
	size_t nd = in->w->n_days, n = in->n;
	memset(pick, 0, nd);
	memset(allow, 0, n);
	pick[day] = 1;
	for (int k = 0; k < nk; k++)
		allow[mine[k]] = 1;
	if (extra >= 0)
		allow[extra] = 1;
	if (!reopt_seen_add(seen, day, allow, n))
		return 0;
	struct sv_budget lb = { bud->deadline, labels, 0 };
	int cut;
	long a = sv_list_some(in, pick, allow, &lb, 1, cols, &cut, d);
	if (a < 0)
		return -1;
	*added += a;
	r->polish_listings++;
	r->polish_cut += cut != 0;
	return 0;
}

/* Whether appointment i may be on day `day` (a usable candidate there). */
static int may_be_on(const struct instance *in, size_t i, int day)
{
	for (size_t c = 0; c < in->a[i].n_cand; c++)
		if (in->a[i].cand[c].day == day && (c == 0 || sv_cand_usable(in, i, c)))
			return 1;
	return 0;
}

/*
 * Plan `plan`'s days made again exactly, when the day plans come from
 * column generation (wide windows, where no day's whole search can list
 * every plan, and pricing, cut short, can miss a day's best timing): for
 * each day, every plan over the appointments the plan has on it (the day
 * re-timed; sv_list_some, a small search), and over those and one more
 * that may be on the day (a move in, or a swap: the listing holds every
 * subset), with SV_REOPT_LABELS labels for each (SV_REOPT_ONE_LABELS with
 * one more: a search cut adds nothing). What is new goes into cols, for
 * the master to choose again from the plan. Within bud, and no listing is
 * started once cols->labels reaches labels_to; *added counts the columns
 * added. Returns 0, or -1 with d filled.
 */
static int reoptimise(struct sv_result *r, struct sv_cols *cols, const struct sv_budget *bud,
		      const size_t *plan, struct reopt_seen *seen, size_t labels_to, long *added, struct diag *d)
{
	const struct instance *in = &r->in;
	size_t nd = in->w->n_days, n = in->n;
	unsigned char *pick = xcalloc(nd + 1, 1), *allow = xcalloc(n + 1, 1), *on = xcalloc(n + 1, 1);
	int *mine = xmalloc((n + 1) * sizeof *mine);
	int rc = 0;
	*added = 0;
	/* each day re-timed first, then with one more */
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (size_t day = 0; day < nd && rc == 0 && !sv_budget_over(bud); day++) {
			/* the day's appointments (cols grows below) */
			const struct sv_col *pc = &cols->v[plan[day]];
			int nk = 0;
			memset(on, 0, n);
			for (int k = 0; k < pc->n; k++) {
				mine[nk] = cols->pick[pc->first + (size_t)k].appt;
				on[mine[nk++]] = 1;
			}
			if (pass == 0) {
				if (nk && cols->labels < labels_to)
					rc = relist(r, cols, bud, day, mine, nk, -1, lim.reopt_labels, seen, pick, allow,
						    added, d);
				continue;
			}
			for (size_t i = 0; i < n && rc == 0 && cols->labels < labels_to && !sv_budget_over(bud); i++)
				if (!on[i] && may_be_on(in, i, (int)day))
					rc = relist(r, cols, bud, day, mine, nk, (long)i, lim.reopt_one_labels, seen, pick,
						    allow, added, d);
		}
	}
	free(pick);
	free(allow);
	free(on);
	free(mine);
	return rc;
}

/* When the day plans come from column generation: the days of the best
 * plan (*sol) made again exactly (reoptimise), and the master (*mp, made
 * again over cols) again from the plan, while that improves it, at most
 * SV_REOPT_ROUNDS times, SV_REOPT_TOTAL_LABELS labels in all (a count, so
 * the plan is the same on any machine), within bud. Returns 0, or -1 with
 * d filled. */
static int polish(struct sv_result *r, struct master **mp, struct sv_cols *cols, const struct sv_options *o,
		  const struct sv_budget *bud, struct master_sol *sol, struct diag *d)
{
	struct reopt_seen seen = { NULL, 0, 0 };
	size_t labels_to = cols->labels + lim.reopt_total_labels;
	int rc = 0;
	for (int round = 0; rc == 0 && round < lim.reopt_rounds && !sv_budget_over(bud); round++) {
		long added;
		struct master_sol sol2 = { 0 };
		r->polish_rounds++;
		if (reoptimise(r, cols, bud, sol->col, &seen, labels_to, &added, d) < 0) {
			rc = -1;
			break;
		}
		if (!added)
			break;
		master_free(*mp);
		if (!(*mp = master_new(&r->in, cols, d)) || master_max_changes(*mp, o->max_changes, d) < 0 ||
		    master_solve(*mp, bud, sol->col, &sol2, d) < 0) {
			master_sol_release(&sol2);
			rc = -1;
			break;
		}
		if (!sol2.found || !lex_less(sol2.impossible, sol2.compromise, sol2.objective, sol->impossible,
					     sol->compromise, sol->objective)) {
			master_sol_release(&sol2);
			break;
		}
		master_sol_release(sol);
		*sol = sol2;
	}
	free(seen.v);
	return rc;
}

/* The day plans the master chooses from, into cols: every one when they
 * can all be listed; else, from the weeks as booked, a good plan by
 * improve (*good, allocated here) and column generation's. start (n_days)
 * gets the columns of the week as booked. Returns 0, or -1 with d filled. */
static int day_plans(struct sv_result *r, const struct sv_options *o, const struct sv_budget *mainb,
		     const struct sv_budget *list, struct sv_cols *cols, size_t *start, size_t **good,
		     struct cg_bounds *cb, struct diag *d)
{
	if (daygen(&r->in, list, o->threads, cols, d) < 0)
		return -1;
	if (!cols->cut)
		return as_booked_cols(&r->in, cols, start, d);
	/* start column generation afresh from the weeks as booked: the
	 * partial list is many plans of no particular worth */
	cols_release(cols);
	if (sv_as_booked(&r->in, cols, d) < 0 || as_booked_cols(&r->in, cols, start, d) < 0)
		return -1;
	cols->cut = 1;
	/* a good plan first, with half of what is left; then the bound */
	struct sv_budget half = *mainb, most = *mainb;
	if (mainb->deadline > 0) {
		long now = (long)clock();
		half.deadline = now + (mainb->deadline - now) / 2;
		most.deadline = now + (mainb->deadline - now) * 4 / 5;
	}
	*good = xcalloc(r->in.w->n_days + 1, sizeof **good);
	if (improve(&r->in, cols, start, *good, &half, &r->ls_most_tried, &r->ls_passes, d) < 0)
		return -1;
	/* the bound, leaving a fifth of the time for the plans */
	return colgen(r, cols, o, &most, mainb->deadline, *good, cb, d);
}

/* Step k of the ladder when the day plans come from column generation
 * (cut): the master with at most k changes over the plans at hand, from
 * the step before's plan (from), as any step; then, with what is left of
 * the step's time, column generation again with at most k changes (its
 * own bounds into kb, its plans added to cols, *m made again over them)
 * and the master again from the step's plan, into sol. The plans priced
 * for the best plan are priced without the bound on changes, so a step
 * over them alone can miss its best plan and prove nothing. Only for a
 * ladder of at most SV_LADDER_CG_STEPS steps: a longer one's steps have
 * short shares, which its masters take (on elderly-4w, 39 steps, pricing
 * each left the ladder incomplete). Returns 0, or -1 with d filled. */
static int ladder_step_cg(struct sv_result *r, struct master **m, struct sv_cols *cols, int k, const size_t *from,
			  const struct sv_options *o, const struct sv_budget *step, struct cg_bounds *kb,
			  struct master_sol *sol, struct diag *d)
{
	size_t n_days = r->in.w->n_days;
	if (master_max_changes(*m, k, d) < 0 || master_solve(*m, step, from, sol, d) < 0)
		return -1;
	long now = (long)clock();
	if (step->deadline > 0 && now >= step->deadline)
		return 0;
	struct sv_options ok = *o;
	ok.max_changes = k;
	struct sv_budget cgb = *step;
	if (step->deadline > 0)
		cgb.deadline = now + (step->deadline - now) * 4 / 5;   /* a fifth for the master */
	size_t had = cols->n, *at = xmalloc((n_days + 1) * sizeof *at);
	memcpy(at, sol->col, n_days * sizeof *at);
	int rc = colgen(r, cols, &ok, &cgb, step->deadline, at, kb, d);
	if (rc == 0 && cols->n != had) {
		master_free(*m);
		if (!(*m = master_new(&r->in, cols, d)))
			rc = -1;
		struct master_sol again = { 0 };
		if (rc == 0 && (master_max_changes(*m, k, d) < 0 || master_solve(*m, step, at, &again, d) < 0))
			rc = -1;
		/* kept only when better: a master cut short by its share may end
		 * on a worse plan than the one it started from */
		struct sv_tiers a = { again.impossible, again.compromise, again.objective },
				b = { sol->impossible, sol->compromise, sol->objective };
		if (rc == 0 && again.found && sv_tiers_cmp(&a, &b) < 0) {
			master_sol_release(sol);
			*sol = again;
		} else {
			master_sol_release(&again);
		}
	}
	free(at);
	return rc;
}

/* The change ladder: the best plan for at most 0, 1, 2 ... changes, up to
 * the optimum's (sol1), into r->ladder; the master's bound on changes is
 * o->max_changes again after. cb: column generation's bounds (NULL: none),
 * bounds on every plan, so on each step's too: its gap is against them.
 * *mp may be made again over more plans (ladder_step_cg). Returns 0, or -1
 * with d filled. */
static int ladder(struct sv_result *r, struct master **mp, struct sv_cols *cols,
		  const struct master_sol *sol1, const size_t *start, const struct sv_options *o,
		  const struct sv_budget *bud, const struct cg_bounds *cb, struct diag *d)
{
	int top = changes_of_sol(cols, sol1, r->in.w->n_days);
	size_t lcap = 0;
	/* each step starts from the one before, which it allows */
	size_t *from = xcalloc(r->in.w->n_days + 1, sizeof *from);
	memcpy(from, start, r->in.w->n_days * sizeof *from);
	for (int k = 0; k <= top; k++) {
		struct master_sol sol = { 0 };
		const struct master_sol *use = sol1;
		struct cg_bounds kb = { 0 };   /* the step's own, when it priced its plans */
		if (k < top && k > 0 && sv_budget_over(bud)) {
			r->ladder_cut = 1;   /* out of time: the last step is proposal 1 */
			k = top - 1;
			continue;
		}
		if (k == 0 && top > 0) {
			/* no change: the week as booked, one plan (its picks make one column a day) */
			master_only(*mp, start, &sol);
			use = &sol;
		} else if (k < top && cols->cut && top <= SV_LADDER_CG_STEPS) {
			struct sv_budget step = *bud;
			step.deadline = sv_share_deadline((long)clock(), bud->deadline,
							  (long)(top - k) + (o->k > 1 ? o->k - 1 : 0));
			if (ladder_step_cg(r, mp, cols, k, from, o, &step, &kb, &sol, d) < 0) {
				master_sol_release(&sol);
				free(from);
				return -1;
			}
			use = &sol;
		} else if (k < top) {
			/* an even share of what is left to each solve still to come
			 * (the steps, then the next best): each keeps the best it has
			 * found when its share runs out, from the step before's plan */
			struct sv_budget step = *bud;
			step.deadline = sv_share_deadline((long)clock(), bud->deadline,
							  (long)(top - k) + (o->k > 1 ? o->k - 1 : 0));
			if (master_max_changes(*mp, k, d) < 0 || master_solve(*mp, &step, from, &sol, d) < 0) {
				free(from);
				return -1;
			}
			use = &sol;
		}
		memcpy(from, use->col, r->in.w->n_days * sizeof *from);
		struct sv_proposal *y = BUF_PUSH(r->ladder, r->n_ladder, lcap);
		if (!y) {
			master_sol_release(&sol);
			free(from);
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			return -1;
		}
		int rcx = make_proposal(r, cols, use, k, cols->cut, cb, y, d);
		if (rcx == 0 && kb.used) {
			/* the step's own bounds too: the better verdict of the two */
			struct sv_proposal z = { 0 };
			rcx = make_proposal(r, cols, use, k, cols->cut, &kb, &z, d);
			if (rcx == 0 && (z.proven > y->proven || (!y->proven && !z.proven && z.gap < y->gap))) {
				y->proven = z.proven;
				y->gap = z.gap;
				y->bound = z.bound;
				y->capped = z.capped;
			}
			sv_proposal_release(&z);
		}
		if (k == 0) {
			/* the week as booked is the one plan without a change */
			y->proven = 1;
			y->gap = 0;
			y->bound = y->objective;
		}
		master_sol_release(&sol);
		if (rcx < 0) {
			free(from);
			return -1;
		}
	}
	free(from);
	return master_max_changes(*mp, o->max_changes, d);
}

/* The next best proposals, ranks 2 to o->k, into r->props (cap: its
 * capacity): each differs from those before in a day or a venue; their
 * gaps against cb, as the ladder's. Returns 0, or -1 with d filled. */
static int next_best(struct sv_result *r, struct master *m, const struct sv_cols *cols,
		     const struct master_sol *sol1, const struct sv_options *o, const struct sv_budget *bud,
		     const struct cg_bounds *cb, size_t *cap, struct diag *d)
{
	const struct master_sol *prev = sol1;
	struct master_sol sol = { 0 };
	int rc = -1;
	for (int rank = 2; rank <= o->k; rank++) {
		if (sv_budget_over(bud)) {
			r->alternatives_cut = 1;
			break;
		}
		if (master_exclude(m, prev, d) < 0)
			goto out;
		master_sol_release(&sol);
		struct sv_budget share = *bud;   /* an even share of what is left, as the ladder's steps */
		share.deadline = sv_share_deadline((long)clock(), bud->deadline, o->k - rank + 1);
		if (master_solve(m, &share, NULL, &sol, d) < 0)
			goto out;
		if (!sol.found)
			break;
		struct sv_proposal *x = BUF_PUSH(r->props, r->n_props, *cap);
		if (!x) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			goto out;
		}
		if (make_proposal(r, cols, &sol, rank, cols->cut, cb, x, d) < 0)
			goto out;
		prev = &sol;
	}
	rc = 0;
out:
	master_sol_release(&sol);
	return rc;
}

int solve_propose(const struct week *w, const struct sv_options *o, struct sv_result *r,
		  struct diag *d)
{
	memset(r, 0, sizeof *r);
	struct sv_cols cols = { 0 };
	struct master *m = NULL;
	struct problems before = { 0 };
	struct master_sol sol1 = { 0 };
	size_t *start = NULL, *good = NULL;
	int rc = -1;
	long t0 = (long)clock();
	struct sv_budget bud, mainb, list;
	budgets(o, &bud, &mainb, &list);
	struct cg_bounds cb = { 0 };
	if (check_week(w, &before, d) < 0 || sv_week_totals(w, &before, &r->before) < 0)
		goto out;
	if (instance_build(&r->in, w, o->now, d) < 0)
		goto out;
	if (o->write_compact_lp && compact_write_lp(&r->in, o->max_changes, o->write_compact_lp, d) < 0)
		goto out;
	start = xcalloc(w->n_days + 1, sizeof *start);
	if (day_plans(r, o, &mainb, &list, &cols, start, &good, &cb, d) < 0)
		goto out;
	r->cut = cols.cut;
	if (!(m = master_new(&r->in, &cols, d)))
		goto out;
	if (o->write_lp && master_write_lp(m, o->write_lp, d) < 0)
		goto out;
	/* the best plan: the week as booked is always one to fall back on */
	if (master_max_changes(m, o->max_changes, d) < 0 ||
	    master_solve(m, &mainb, good && o->max_changes < 0 ? good : start, &sol1, d) < 0)
		goto out;
	assert(sol1.found);
	if (cols.cut && polish(r, &m, &cols, o, &mainb, &sol1, d) < 0)
		goto out;
	size_t cap = 0;
	struct sv_proposal *x = BUF_PUSH(r->props, r->n_props, cap);
	if (!x) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		goto out;
	}
	r->columns = cols.n;
	r->labels = cols.labels;
	r->mismatches = cols.mismatches;
	if (make_proposal(r, &cols, &sol1, 1, cols.cut, &cb, x, d) < 0 || sv_asks(&r->in, x, &bud, d) < 0)
		goto out;
	/* the ladder and the next best, asked for by default, take at most
	 * SV_REST_SHARE times what the best plan took (at least SV_REST_MIN
	 * seconds), within the time limit: so they never cost many times the
	 * answer itself (a ladder or list cut short says so) */
	struct sv_budget rest = bud;
	long now = (long)clock();
	rest.deadline = sv_rest_deadline(now, now - t0, bud.deadline);
	if (o->ladder && ladder(r, &m, &cols, &sol1, start, o, &rest, &cb, d) < 0)
		goto out;
	if (next_best(r, m, &cols, &sol1, o, &rest, &cb, &cap, d) < 0)
		goto out;
	if (o->baseline && baseline(r, d) < 0)
		goto out;
	rc = 0;
out:
	master_sol_release(&sol1);
	free(start);
	free(good);
	master_free(m);
	cols_release(&cols);
	problems_release(&before);
	return rc;
}
