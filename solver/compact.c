/* compact.c: the compact model of an instance (per day, a network whose one unit of flow is the person going from session to session; the three tiers as expressions), for cross-checking the decomposition with another solver. */
#include "internal.h"

#include <assert.h>
#include <glpk.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/*
 * The formulation (docs/propose.md, "The compact model"). It shares the
 * sessions of a day with the day search (sv_day_build: each candidate
 * placement, each joint session, each block of appointments that clash as
 * booked) and the reading of a day (docs/check.md), but no day plans:
 *
 * Each day is a network from a source to a sink carrying one unit of flow,
 * the person. Nodes: S, ready to begin a session (its venue, start, and
 * whether it is as booked); E, a session just ended (venue, end, as
 * booked); a block has its own S and E. Arcs: each session S -> E, and each
 * transition E -> S (from the session before to the next one), SRC -> S
 * (the day's first), E -> SNK (its last) and SRC -> SNK (a day with
 * nothing). A transition holds everything that happens in its gap, read as
 * check reads it: going home when the gap leaves WEEK_HOME_STAY_MIN at home
 * (or going straight on), its legs, journeys, rest short, a travel problem
 * between two sessions as booked (tier 1; between any others the transition
 * is not there: a move never makes an impossibility), and which starts of
 * each routine are free in it. All are exact functions of the two sessions,
 * so every rule of a day is a sum over arcs:
 *   - time out = sum of (returns home - departures), per arc;
 *   - energy, appointments, unfamiliar people met (a binary per day and
 *     practitioner, at least each session holding one of their
 *     appointments), each with its excess over the limit as a continuous
 *     variable priced in tier 2;
 *   - a routine: a binary per start on the slot grid (up to 180 minutes
 *     late) and one for missed; f(s), the sum of the arcs in whose gap start
 *     s is free, is 0 or 1 in any plan; the routine takes the first free
 *     start: y(s) <= f(s), and f(s) + g(s') <= 1 where g(s') is "a start
 *     after s, or missed". Free as check's fit_routine reads the whole
 *     day (clear of every leg and, at home, of every outing), which is not
 *     always the day search's step-by-step reading (sv_step): a leg inside
 *     a block can run past the block's end and bar a routine after it.
 *     A leg that runs out of its gap altogether is remote_legs(). Clear
 *     also of the routines placed before it that are apart from it:
 *     blocked_free() puts F(s) = f(s) and none of their overlapping
 *     starts in f's place.
 * Across days: each appointment covered once, the peak energy, the weekly
 * unfamiliar people (excess in tier 2), the series spacing, and with
 * max_changes >= 0 the bound on changes.
 *
 * The tiers are the columns tier1, tier2, tier3, each fixed to its sum by
 * a row (tier1_def, ...). The objective written is tier1: the tiers are
 * lexicographic, so a solver minimises tier1, then tier2 with tier1 held,
 * then tier3 with both held (compact_solve does; tests/cli/t-compact.sh
 * does it with CBC by rewriting the objective). No single weighted sum is
 * written: the compromise penalties are real numbers, so no multiplier is
 * safe for every profile under a solver's tolerances.
 */

#define MAX_NONZEROS 40000000   /* docs/limits.md: the compact model's size */

#define NEG (INT_MIN / 4)
#define POS (INT_MAX / 4)

enum node_kind { N_SRC = 1, N_S, N_E, N_SNK };

struct node {
	uint64_t key;
	int item;                 /* a session it stands for (blocks: the block), -1 */
	int row;                  /* its conservation row */
};

/* A session's column, for the rows across days. */
struct sess {
	int day, col;
	int n, appt[DG_MAX_BLOCK];
};

struct cm {
	const struct instance *in;
	const struct profile *p;
	glp_prob *lp;
	int *ia, *ja;
	double *ar;
	size_t nz, cap;
	int tier[3];              /* the tiers' columns */
	int tier_row[3];          /* ... and the rows that define them */
	int z;                    /* peak energy */
	int *cover;               /* per appointment: its row */
	int changes_row;
	int **met;                /* per day, per practitioner: column of m (0 none) */
	struct sess *sess;
	size_t n_sess, cap_sess;
	struct diag *d;
	char name[96];
};

/* The bound on non-zeros (tests may lower it: internal.h). */
static size_t max_nonzeros = MAX_NONZEROS;

void compact_limit(size_t nonzeros)
{
	max_nonzeros = nonzeros && nonzeros < MAX_NONZEROS ? nonzeros : MAX_NONZEROS;
}

static int nz(struct cm *c, int row, int col, double v)
{
	if (v == 0)
		return 0;
	if (c->nz >= max_nonzeros) {
		char b[32];
		snprintf(b, sizeof b, "%zu", max_nonzeros);
		diag_add(c->d, D_LIM_INSTANCE, NULL, 0, 0, b, "non-zeros in the compact model");
		return -1;
	}
	if (c->nz + 2 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		if (cap > max_nonzeros + 2)
			cap = max_nonzeros + 2;
		c->ia = xreallocarray(c->ia, cap, sizeof *c->ia);
		c->ja = xreallocarray(c->ja, cap, sizeof *c->ja);
		c->ar = xreallocarray(c->ar, cap, sizeof *c->ar);
		c->cap = cap;
	}
	c->nz++;   /* GLPK's arrays are 1-based */
	c->ia[c->nz] = row;
	c->ja[c->nz] = col;
	c->ar[c->nz] = v;
	return 0;
}

static int row(struct cm *c, int type, double lo, double hi)
{
	int r = glp_add_rows(c->lp, 1);
	glp_set_row_name(c->lp, r, c->name);
	glp_set_row_bnds(c->lp, r, type, lo, hi);
	return r;
}

/* A binary (GLP_BV) or a continuous column in [lo, +inf) (GLP_CV). */
static int col(struct cm *c, int kind, double lo)
{
	int j = glp_add_cols(c->lp, 1);
	glp_set_col_name(c->lp, j, c->name);
	glp_set_col_kind(c->lp, j, kind);
	if (kind != GLP_BV)
		glp_set_col_bnds(c->lp, j, GLP_LO, lo, 0);
	return j;
}

/* Column j adds t1, t2, t3 to the tiers. */
static int tiers(struct cm *c, int j, double t1, double t2, double t3)
{
	return nz(c, c->tier_row[0], j, t1) || nz(c, c->tier_row[1], j, t2) || nz(c, c->tier_row[2], j, t3)
		       ? -1 : 0;
}

static int overlaps(int a0, int a1, int b0, int b1)
{
	return a0 < b1 && b0 < a1;
}

/* ---- reading a gap as check reads a day (docs/check.md) ---- */

struct leg {
	int from, to;             /* where (venue index; home for unknown) */
	int dep, arr;
	double money;
};

/* What happens between session pi (NULL: the day's start) and session q
 * (NULL: its end); and, for the routines, what check sees around the gap:
 * every leg of pi, the gap and q (pi's and q's own if they are blocks, in
 * the order of the day), and the outings they make. */
struct gap {
	int ok;                   /* a transition of some plan */
	struct leg leg[2 + 2 * DG_MAX_BLOCK];
	int n_gap;                /* legs of the gap */
	int journeys;
	int out;                  /* time out: returns home minus departures (minutes) */
	int t1;                   /* a travel problem between two sessions as booked */
	double rest;              /* tier 2: rest short */
	struct leg seen[4 + 4 * DG_MAX_BLOCK];
	int n_seen;
	int outing[2 * (3 + 2 * DG_MAX_BLOCK)];   /* [from, to] pairs: away from home */
	int n_outing;
	int lower;                /* routine starts in the gap: s >= lower, */
	const struct sv_item *q;  /* and clear of q and s + dur <= q's end */
	int pv, pt, nv, nt;       /* a routine at a venue: from pv at pt, on to nv by nt */
};

/* A block's own stops, one after the other (the legs between them, the
 * journeys and time out they make). */
static void block_walk(const struct profile *p, const struct sv_item *q, struct leg *legs, int *nl,
		       int *journeys, int *out)
{
	int home = p->home;
	int at = q->v, free_from = q->nsub ? q->sub[0].end : q->end;
	for (int k = 1; k < q->nsub; k++) {
		const struct sv_stop *s = &q->sub[k];
		int back = at != home ? sv_travel0(p, at, home) : 0;
		int there = s->v == home ? 0 : sv_travel0(p, home, s->v);
		if (at != home && (s->v == home || s->start - free_from - back - there >= WEEK_HOME_STAY_MIN)) {
			legs[(*nl)++] = (struct leg){ at, home, free_from, free_from + back, profile_travel_cost(p, at, home) };
			*out += free_from + back;
			at = home;
		}
		if (at == home && s->v != home) {
			int t = sv_travel0(p, home, s->v);
			*out -= s->start - t;
			(*journeys)++;
			legs[(*nl)++] = (struct leg){ home, s->v, s->start - t, s->start, profile_travel_cost(p, home, s->v) };
		} else if (at != s->v) {
			int t = sv_travel0(p, at, s->v);
			legs[(*nl)++] = (struct leg){ at, s->v, free_from, free_from + t, profile_travel_cost(p, at, s->v) };
		}
		if (at != s->v || s->end > free_from)
			free_from = s->end;
		at = s->v;
	}
}

static void read_gap(const struct profile *p, const struct sv_item *pi, const struct sv_item *q, struct gap *g)
{
	int home = p->home;
	int at = pi ? pi->exit_v : home;
	int free_from = pi ? pi->exit_free : NEG;
	memset(g, 0, sizeof *g);
	g->ok = 1;
	struct leg *leg = g->leg;
	int nl = 0;
	if (at != home) {
		int back = pi->back;
		int there = !q || q->v == home ? 0 : q->there;
		if (!q || q->v == home || q->start - free_from - back - there >= WEEK_HOME_STAY_MIN) {
			leg[nl++] = (struct leg){ at, home, free_from, free_from + back, pi->back_cost };
			g->out += free_from + back;
			at = home;
		}
	}
	if (q) {
		if (at == home && q->v != home) {
			g->out -= q->start - q->there;
			g->journeys++;
			leg[nl++] = (struct leg){ home, q->v, q->start - q->there, q->start, q->there_cost };
		} else if (at != q->v) {
			int t = sv_travel0(p, at, q->v);
			leg[nl++] = (struct leg){ at, q->v, free_from, free_from + t, profile_travel_cost(p, at, q->v) };
		}
		if (pi) {
			int gap = q->start - pi->last_end;
			if (p->min_rest > 0 && gap < p->min_rest && gap >= 0)
				g->rest = (p->min_rest - gap) * p->compromise.rest;
			if (pi->exit_venue >= 0 && q->venue >= 0 && pi->exit_venue != q->venue &&
			    profile_travel(p, pi->exit_venue, q->venue) > gap) {
				if (pi->cur && q->cur)
					g->t1 = 1;   /* as booked: a travel problem left as it is */
				else
					g->ok = 0;   /* a move never makes one */
			}
		}
	}
	g->n_gap = nl;
	/* what check's routines see: the legs of pi, the gap and q, in order */
	int j = 0, o = 0;
	if (pi)
		block_walk(p, pi, g->seen, &g->n_seen, &j, &o);
	memcpy(g->seen + g->n_seen, leg, (size_t)nl * sizeof *leg);
	g->n_seen += nl;
	if (q)
		block_walk(p, q, g->seen, &g->n_seen, &j, &o);
	/* the outings: from leaving home to coming back (open before pi when
	 * pi begins away from home; open after q when it ends away) */
	int open = pi && pi->v != home, from = NEG;
	for (int k = 0; k < g->n_seen; k++) {
		const struct leg *l = &g->seen[k];
		if (l->from == home) {
			open = 1;
			from = l->dep;
		}
		if (l->to == home && open) {
			g->outing[g->n_outing++] = from;
			g->outing[g->n_outing++] = l->arr;
			open = 0;
		}
	}
	if (open) {
		g->outing[g->n_outing++] = from;
		g->outing[g->n_outing++] = POS;
	}
	g->lower = pi ? pi->end : NEG;
	g->q = q;
	g->pv = home;
	g->pt = 0;
	if (pi) {
		/* the appointment that ends last before the gap (check's order) */
		g->pv = pi->exit_v;
		g->pt = pi->end;
		for (int k = 0; k < pi->nsub; k++)
			if (pi->sub[k].end == pi->end)
				g->pv = pi->sub[k].v;
	}
	g->nv = q ? q->v : home;
	g->nt = q ? q->start : 1440;
}

/* Whether routine r may start at s in gap g, as check's fit_routine reads
 * it: in the gap, clear of every leg, a routine at home clear of every
 * outing, one at a venue with the travel to it from the appointment
 * before and on to the one after. */
static int start_free(const struct profile *p, const struct gap *g, const struct sv_rinst *r, int s)
{
	int e = s + r->dur;
	if (s < g->lower || (g->q && (e > g->q->end || overlaps(s, e, g->q->start, g->q->end))))
		return 0;
	for (int k = 0; k < g->n_seen; k++)
		if (overlaps(s, e, g->seen[k].dep, g->seen[k].arr))
			return 0;
	if (r->place == PLACE_HOME)
		for (int k = 0; k < g->n_outing; k += 2)
			if (overlaps(s, e, g->outing[k], g->outing[k + 1]))
				return 0;
	if (r->place >= 0)
		return g->pt + sv_travel0(p, g->pv, r->place) <= s && e + sv_travel0(p, r->place, g->nv) <= g->nt;
	return 1;
}

/* ---- one day ---- */

static uint64_t node_key(int kind, const struct sv_item *x, int item)
{
	if (kind == N_SRC || kind == N_SNK)
		return (uint64_t)kind << 61;
	int t = kind == N_S ? x->start : x->end;
	int venue = kind == N_S ? x->venue : x->exit_venue;
	uint64_t k = (uint64_t)kind << 61 | (uint64_t)(x->cur ? 1 : 0) << 60 |
		     (uint64_t)(uint32_t)(venue + 2) << 40 | (uint64_t)(uint32_t)(t + 8192) << 20;
	if (x->nsub)
		k |= (uint64_t)(uint32_t)(item + 1);   /* a block: its own nodes */
	return k;
}

static int node_cmp(const void *x, const void *y)
{
	uint64_t a = ((const struct node *)x)->key, b = ((const struct node *)y)->key;
	return (a > b) - (a < b);
}

static int find(const struct node *v, size_t n, uint64_t key)
{
	struct node k = { key, 0, 0 };
	const struct node *x = bsearch(&k, v, n, sizeof k, node_cmp);
	return x ? (int)(x - v) : -1;
}

/* The day's rows that sum over arcs (0: not there). */
struct day_rows {
	int energy, out, appts;
	int *meet;                        /* per appointment: "on the day, its practitioner is met" */
	int n_r;
	int ns[DG_MAX_ROUTINES];          /* starts of each routine instance */
	int *free_row[DG_MAX_ROUTINES];   /* per start: the row defining f(s) */
	int *y[DG_MAX_ROUTINES];          /* per start: its column */
	int *first_row[DG_MAX_ROUTINES];  /* per start: f(s) + later(s + slot) <= 1 */
};

/* The column of an arc: conservation from node a to node b, its energy,
 * time out and tiers. */
static int arc(struct cm *c, const struct node *nd, int a, int b, double energy, int out,
	       double t1, double t2, double t3, const struct day_rows *dr)
{
	int j = col(c, GLP_BV, 0);
	if (nz(c, nd[a].row, j, -1) < 0 || nz(c, nd[b].row, j, 1) < 0 || nz(c, dr->energy, j, energy) < 0 ||
	    (dr->out && nz(c, dr->out, j, out) < 0) || tiers(c, j, t1, t2, t3) < 0)
		return -1;
	return j;
}

/* The arcs of a gap's legs: travel minutes, money and journeys. */
static double gap_cost(const struct profile *p, const struct leg *leg, int n, int journeys, int *minutes)
{
	const struct prof_weights *wt = &p->weights;
	double cost = wt->journeys * journeys;
	*minutes = 0;
	for (int k = 0; k < n; k++) {
		*minutes += leg[k].arr - leg[k].dep;
		cost += wt->travel_minutes * (leg[k].arr - leg[k].dep) + wt->travel_money * leg[k].money;
	}
	return cost;
}

/*
 * A leg that runs out of its own gap: an arc j whose legs overlap a start
 * s of a routine that its own reading does not see (for a transition from
 * pi to q, a start outside the gap and clear of both; for a session it, a
 * start clear of it). Any
 * leg of a chosen arc is a leg of the day, so s is then not free: the
 * routine does not start there (y(s) + x <= 1), and the first-free row of
 * s, which the gap holding s may read as free, is lifted (+1 on its right
 * side). Rare: a travel problem as booked longer than the next session.
 */
static int remote_legs(struct cm *c, const struct sv_day *s, const struct day_rows *dr, int j,
		       const struct leg *leg, int nl, const struct sv_item *pi, const struct sv_item *q,
		       const struct sv_item *it)
{
	int lo = pi ? pi->end : NEG, hi = q ? q->start : POS;
	for (int ri = 0; ri < s->n_r; ri++) {
		const struct sv_rinst *rt = &s->r[ri];
		for (int k = 0; k < dr->ns[ri]; k++) {
			int st = rt->first + k * c->p->slot, e = st + rt->dur, hit = 0;
			/* a start clashing with a session is never free anyway: with
			 * the session itself, or (pi and q stand for every session
			 * at their node: one end, one start) with pi's last minute or
			 * q's first */
			if (it ? overlaps(st, e, it->start, it->end)
			       : (st >= lo && e <= hi) || (pi && overlaps(st, e, pi->end - 1, pi->end)) ||
					 (q && overlaps(st, e, q->start, q->start + 1)))
				continue;
			for (int l = 0; l < nl && !hit; l++)
				hit = overlaps(st, e, leg[l].dep, leg[l].arr);
			if (!hit)
				continue;
			snprintf(c->name, sizeof c->name, "leg_d%d_%d_%d_%d", s->day, ri, st, j);
			int r = row(c, GLP_UP, -1e30, 1);
			if (nz(c, r, dr->y[ri][k], 1) < 0 || nz(c, r, j, 1) < 0 ||
			    nz(c, dr->first_row[ri][k], j, -1) < 0)
				return -1;
		}
	}
	return 0;
}

/* One day's network as it is built: its nodes (sorted by key, one per
 * key), each session's S and E node, and the rows that sum over its arcs. */
struct day_net {
	const struct sv_day *s;
	struct node *nd;
	size_t n_nd, cap_nd;
	int *sn, *en;             /* per session: the index of its S and E node */
	double per_min;           /* energy per minute of travel */
	struct day_rows dr;
};

/* Out of memory where an allocation can still fail (BUF_PUSH): reported
 * here; returns -1. */
static int out_of_memory(struct cm *c)
{
	diag_add(c->d, D_INTERNAL, NULL, 0, 0, "out of memory");
	return -1;
}

/* The nodes (SRC, SNK, each session's S and E; sessions that share a
 * node's key share the node) and their flow conservation rows. */
static int day_nodes(struct cm *c, struct day_net *dn)
{
	const struct sv_day *s = dn->s;
	struct node *x;
	for (int kind = N_SRC; kind <= N_SNK; kind += N_SNK - N_SRC) {
		if (!(x = BUF_PUSH(dn->nd, dn->n_nd, dn->cap_nd)))
			return out_of_memory(c);
		*x = (struct node){ node_key(kind, NULL, -1), -1, 0 };
	}
	for (size_t i = 0; i < s->n_it; i++)
		for (int kind = N_S; kind <= N_E; kind++) {
			if (!(x = BUF_PUSH(dn->nd, dn->n_nd, dn->cap_nd)))
				return out_of_memory(c);
			*x = (struct node){ node_key(kind, &s->it[i], (int)i), (int)i, 0 };
		}
	struct node *nd = dn->nd;
	qsort(nd, dn->n_nd, sizeof *nd, node_cmp);
	size_t k = 0;
	for (size_t i = 0; i < dn->n_nd; i++)
		if (!k || nd[k - 1].key != nd[i].key)
			nd[k++] = nd[i];
	dn->n_nd = k;
	for (size_t i = 1; i < dn->n_nd; i++)
		assert(nd[i - 1].key < nd[i].key);   /* find() searches by key */
	dn->sn = xcalloc(s->n_it + 1, sizeof *dn->sn);
	dn->en = xcalloc(s->n_it + 1, sizeof *dn->en);
	for (size_t i = 0; i < s->n_it; i++) {
		dn->sn[i] = find(nd, dn->n_nd, node_key(N_S, &s->it[i], (int)i));
		dn->en[i] = find(nd, dn->n_nd, node_key(N_E, &s->it[i], (int)i));
		assert(dn->sn[i] >= 0 && dn->en[i] >= 0);
	}
	int src = find(nd, dn->n_nd, node_key(N_SRC, NULL, -1)), snk = find(nd, dn->n_nd, node_key(N_SNK, NULL, -1));
	assert(src >= 0 && snk >= 0);
	/* flow conservation: in - out = -1 at the source, 1 at the sink */
	for (size_t n = 0; n < dn->n_nd; n++) {
		double b = (int)n == src ? -1 : (int)n == snk ? 1 : 0;
		snprintf(c->name, sizeof c->name, "flow_d%d_%zu", s->day, n);
		nd[n].row = row(c, GLP_FX, b, b);
	}
	return 0;
}

/* The day's energy (over the budget in tier 2, under the peak), and its
 * time out and appointments over their limits. */
static int day_limits(struct cm *c, struct day_net *dn)
{
	const struct profile *p = c->p;
	const struct prof_compromise *cw = &p->compromise;
	int day = dn->s->day;
	struct day_rows *dr = &dn->dr;
	/* energy: e = the day's sum; over the budget (tier 2); under the peak */
	snprintf(c->name, sizeof c->name, "energy_d%d", day);
	int e = col(c, GLP_CV, 0);
	dr->energy = row(c, GLP_FX, 0, 0);
	snprintf(c->name, sizeof c->name, "energy_over_d%d", day);
	int over = col(c, GLP_CV, 0);
	int r = row(c, GLP_UP, 0, p->energy_budget);
	snprintf(c->name, sizeof c->name, "peak_d%d", day);
	int r_peak = row(c, GLP_UP, 0, 0);
	if (nz(c, dr->energy, e, -1) < 0 || nz(c, r, e, 1) < 0 || nz(c, r, over, -1) < 0 ||
	    tiers(c, over, 0, cw->energy, 0) < 0 || nz(c, r_peak, e, 1) < 0 || nz(c, r_peak, c->z, -1) < 0)
		return -1;
	/* time out over the limit */
	if (p->max_time_out >= 0) {
		snprintf(c->name, sizeof c->name, "time_out_over_d%d", day);
		over = col(c, GLP_CV, 0);
		dr->out = row(c, GLP_UP, -1e30, p->max_time_out);
		if (nz(c, dr->out, over, -1) < 0 || tiers(c, over, 0, cw->time_out, 0) < 0)
			return -1;
	}
	/* appointments over the limit */
	if (p->max_appts_per_day >= 0) {
		snprintf(c->name, sizeof c->name, "appointments_over_d%d", day);
		over = col(c, GLP_CV, 0);
		dr->appts = row(c, GLP_UP, 0, p->max_appts_per_day);
		if (nz(c, dr->appts, over, -1) < 0 || tiers(c, over, 0, cw->appointments, 0) < 0)
			return -1;
	}
	return 0;
}

/* Unfamiliar people met: a binary per practitioner with an appointment
 * that may be on the day, and the day's excess over the limit. */
static int day_unfamiliar(struct cm *c, struct day_net *dn)
{
	const struct profile *p = c->p;
	const struct instance *in = c->in;
	const struct sv_day *s = dn->s;
	int day = s->day;
	struct day_rows *dr = &dn->dr;
	dr->meet = xcalloc(in->n + 1, sizeof *dr->meet);
	int r_unfam = 0;
	if (p->max_unfam_day >= 0) {
		snprintf(c->name, sizeof c->name, "unfamiliar_over_d%d", day);
		int over = col(c, GLP_CV, 0);
		r_unfam = row(c, GLP_UP, -1e30, p->max_unfam_day);
		if (nz(c, r_unfam, over, -1) < 0 || tiers(c, over, 0, p->compromise.unfamiliar_day, 0) < 0)
			return -1;
	}
	for (size_t q = 0; q < p->n_pracs && q < 64; q++) {
		if (p->pracs[q].familiar)
			continue;
		int used = 0;
		for (size_t i = 0; i < s->n_it; i++)
			used += (int)(s->it[i].pracs >> q & 1);
		if (!used)
			continue;
		snprintf(c->name, sizeof c->name, "met_d%d_%s", day, p->pracs[q].id);
		int m = col(c, GLP_BV, 0);
		c->met[day][q] = m;
		if ((r_unfam && nz(c, r_unfam, m, p->pracs[q].people) < 0) ||
		    tiers(c, m, 0, 0, p->weights.unfamiliar * p->pracs[q].people) < 0)
			return -1;
		/* met when any appointment of theirs is on the day: a row per
		 * appointment (at most one session holds it), tighter than one
		 * row per practitioner */
		for (size_t i = 0; i < in->n; i++) {
			if (in->w->appts[in->a[i].appt].prac != (int)q || s->local[i] < 0)
				continue;
			snprintf(c->name, sizeof c->name, "meet_d%d_%zu", day, i);
			dr->meet[i] = row(c, GLP_UP, -1e30, 0);
			if (nz(c, dr->meet[i], m, -1) < 0)
				return -1;
		}
	}
	return 0;
}

/* Start t of routine instance ri free also of the routines placed before
 * it (the day's r[0 .. ri), week_routine_before) that are apart from it
 * (week_routines_apart): F = f and no such routine at a start that
 * overlaps it, as rows F <= f, F + (that routine's overlapping starts) <= 1
 * for each, F >= f - (all of them); F is then 0 or 1 in any plan (each
 * routine takes one start). Returns F's column (f's when none can
 * overlap), or -1 with c's diagnostic. */
static int blocked_free(struct cm *c, struct day_net *dn, int ri, int t, int f)
{
	const struct profile *p = c->p;
	const struct sv_day *s = dn->s;
	const struct sv_rinst *rt = &s->r[ri];
	struct day_rows *dr = &dn->dr;
	int day = s->day, fb = f, r_any = 0;
	for (int rj = 0; rj < ri; rj++) {
		const struct sv_rinst *o = &s->r[rj];
		if (!week_routines_apart(p, rt->place, o->place))
			continue;
		int r_one = 0;
		for (int k = 0; k < dr->ns[rj]; k++) {
			int u = o->first + k * p->slot;
			if (!overlaps(t, t + rt->dur, u, u + o->dur))
				continue;
			if (fb == f) {
				snprintf(c->name, sizeof c->name, "clear_d%d_%d_%d", day, ri, t);
				fb = col(c, GLP_CV, 0);
				snprintf(c->name, sizeof c->name, "clear_le_d%d_%d_%d", day, ri, t);
				int r_le = row(c, GLP_UP, -1e30, 0);
				snprintf(c->name, sizeof c->name, "clear_ge_d%d_%d_%d", day, ri, t);
				r_any = row(c, GLP_UP, -1e30, 0);
				if (nz(c, r_le, fb, 1) < 0 || nz(c, r_le, f, -1) < 0 || nz(c, r_any, f, 1) < 0 ||
				    nz(c, r_any, fb, -1) < 0)
					return -1;
			}
			if (!r_one) {
				snprintf(c->name, sizeof c->name, "clear_d%d_%d_%d_%d", day, ri, t, rj);
				r_one = row(c, GLP_UP, -1e30, 1);
				if (nz(c, r_one, fb, 1) < 0)
					return -1;
			}
			if (nz(c, r_one, dr->y[rj][k], 1) < 0 || nz(c, r_any, dr->y[rj][k], -1) < 0)
				return -1;
		}
	}
	return fb;
}

/* Routine instance ri: a start each on the slot grid, or missed; the
 * first free start taken (free of the routines before it too). */
static int routine_starts(struct cm *c, struct day_net *dn, int ri)
{
	const struct profile *p = c->p;
	const struct prof_compromise *cw = &p->compromise;
	const struct sv_rinst *rt = &dn->s->r[ri];
	int day = dn->s->day;
	struct day_rows *dr = &dn->dr;
	int ns = (rt->last - rt->first) / p->slot + 1;
	dr->ns[ri] = ns;
	dr->free_row[ri] = xcalloc((size_t)ns + 1, sizeof **dr->free_row);
	dr->y[ri] = xcalloc((size_t)ns + 1, sizeof **dr->y);
	dr->first_row[ri] = xcalloc((size_t)ns + 1, sizeof **dr->first_row);
	snprintf(c->name, sizeof c->name, "routine_d%d_%d", day, ri);
	int r_once = row(c, GLP_FX, 1, 1);
	snprintf(c->name, sizeof c->name, "missed_d%d_%d", day, ri);
	int missed = col(c, GLP_BV, 0);
	if (nz(c, r_once, missed, 1) < 0 || tiers(c, missed, 0, cw->routine_missed, 0) < 0)
		return -1;
	/* g(k) = y(k) + g(k + 1) ... + missed: "a start from k on, or missed" */
	int g_next = missed;
	for (int q = ns - 1; q >= 0; q--) {
		int t = rt->first + q * p->slot;
		snprintf(c->name, sizeof c->name, "start_d%d_%d_%d", day, ri, t);
		int y = col(c, GLP_BV, 0);
		dr->y[ri][q] = y;
		double late = t > rt->to ? (t - rt->to) * cw->routine_late : 0;
		if (nz(c, r_once, y, 1) < 0 || tiers(c, y, 0, late, p->weights.routine_shift * (t - rt->from)) < 0)
			return -1;
		/* f(k): the arcs in whose gap start k is free, as differences:
		 * f(k) = f(k - 1) + (arcs whose run of free starts begins
		 * at k) - (those whose run ended at k - 1) */
		snprintf(c->name, sizeof c->name, "free_d%d_%d_%d", day, ri, t);
		int f = col(c, GLP_CV, 0);
		dr->free_row[ri][q] = row(c, GLP_FX, 0, 0);
		snprintf(c->name, sizeof c->name, "kept_d%d_%d_%d", day, ri, t);
		int r_kept = row(c, GLP_UP, -1e30, 0);
		snprintf(c->name, sizeof c->name, "first_d%d_%d_%d", day, ri, t);
		int r_first = row(c, GLP_UP, -1e30, 1);
		dr->first_row[ri][q] = r_first;
		snprintf(c->name, sizeof c->name, "later_d%d_%d_%d", day, ri, t);
		int g = col(c, GLP_CV, 0);
		snprintf(c->name, sizeof c->name, "later_d%d_%d_%d", day, ri, t);
		int r_g = row(c, GLP_FX, 0, 0);
		if (nz(c, dr->free_row[ri][q], f, -1) < 0)
			return -1;
		int fb = blocked_free(c, dn, ri, t, f);
		if (fb < 0 || nz(c, r_kept, y, 1) < 0 || nz(c, r_kept, fb, -1) < 0 ||
		    nz(c, r_first, fb, 1) < 0 || nz(c, r_first, g_next, 1) < 0 ||
		    nz(c, r_g, g, -1) < 0 || nz(c, r_g, y, 1) < 0 || nz(c, r_g, g_next, 1) < 0)
			return -1;
		if (q + 1 < ns && nz(c, dr->free_row[ri][q + 1], f, 1) < 0)
			return -1;
		g_next = g;
	}
	return 0;
}

/* Each session's arc S -> E: its own legs (a block's), cost and tiers, the
 * appointments it covers and meets, and a sess for the rows across days. */
static int session_arcs(struct cm *c, struct day_net *dn)
{
	const struct profile *p = c->p;
	const struct sv_day *s = dn->s;
	struct day_rows *dr = &dn->dr;
	for (size_t i = 0; i < s->n_it; i++) {
		const struct sv_item *it = &s->it[i];
		struct leg legs[2 * DG_MAX_BLOCK];
		int nl = 0, journeys = 0, out = 0, minutes;
		block_walk(p, it, legs, &nl, &journeys, &out);
		double cost = it->cost + gap_cost(p, legs, nl, journeys, &minutes);
		snprintf(c->name, sizeof c->name, "x_d%d_%zu", s->day, i);
		int j = arc(c, dn->nd, dn->sn[i], dn->en[i], it->energy + minutes * dn->per_min, out, it->impossible,
			    it->compromise, cost, dr);
		if (j < 0 || remote_legs(c, s, dr, j, legs, nl, NULL, NULL, it) < 0 ||
		    (dr->appts && nz(c, dr->appts, j, it->n) < 0) ||
		    (c->changes_row && nz(c, c->changes_row, j, it->changes) < 0))
			return -1;
		for (int m = 0; m < it->n; m++)
			if (nz(c, c->cover[it->appt[m]], j, 1) < 0)
				return -1;
		for (int m = 0; m < it->n; m++)
			if (dr->meet[it->appt[m]] && nz(c, dr->meet[it->appt[m]], j, 1) < 0)
				return -1;
		struct sess *ss = BUF_PUSH(c->sess, c->n_sess, c->cap_sess);
		if (!ss)
			return out_of_memory(c);
		ss->day = s->day;
		ss->col = j;
		ss->n = it->n;
		memcpy(ss->appt, it->appt, sizeof ss->appt);
	}
	return 0;
}

/* Arc j's part in each routine's f(s): +1 where a run of starts free in
 * gap g begins, -1 where it ends. */
static int free_starts(struct cm *c, const struct day_net *dn, const struct gap *g, int j)
{
	const struct sv_day *s = dn->s;
	const struct day_rows *dr = &dn->dr;
	for (int ri = 0; ri < s->n_r; ri++) {
		int was = 0;
		for (int q2 = 0; q2 <= dr->ns[ri]; q2++) {
			int is = q2 < dr->ns[ri] && start_free(c->p, g, &s->r[ri], s->r[ri].first + q2 * c->p->slot);
			if (is != was && q2 < dr->ns[ri] && nz(c, dr->free_row[ri][q2], j, is - was) < 0)
				return -1;
			was = is;
		}
	}
	return 0;
}

/* The transitions: an arc from the source or a session's end to a
 * session's start or the sink, for each gap some plan may hold. */
static int transition_arcs(struct cm *c, struct day_net *dn)
{
	const struct profile *p = c->p;
	const struct sv_day *s = dn->s;
	const struct node *nd = dn->nd;
	for (size_t a = 0; a < dn->n_nd; a++) {
		int ka = (int)(nd[a].key >> 61);
		if (ka != N_SRC && ka != N_E)
			continue;
		assert(ka == N_SRC || nd[a].item >= 0);
		const struct sv_item *pi = ka == N_E ? &s->it[nd[a].item] : NULL;
		for (size_t b = 0; b < dn->n_nd; b++) {
			int kb = (int)(nd[b].key >> 61);
			if (kb != N_S && kb != N_SNK)
				continue;
			assert(kb == N_SNK || nd[b].item >= 0);
			const struct sv_item *q = kb == N_S ? &s->it[nd[b].item] : NULL;
			if (pi && q && pi->end > q->start)
				continue;
			struct gap g;
			read_gap(p, pi, q, &g);
			if (!g.ok)
				continue;
			int minutes;
			double cost = gap_cost(p, g.leg, g.n_gap, g.journeys, &minutes);
			snprintf(c->name, sizeof c->name, "t_d%d_%zu_%zu", s->day, a, b);
			int j = arc(c, dn->nd, (int)a, (int)b, minutes * dn->per_min, g.out, g.t1, g.rest, cost, &dn->dr);
			if (j < 0 || remote_legs(c, s, &dn->dr, j, g.leg, g.n_gap, pi, q, NULL) < 0 ||
			    free_starts(c, dn, &g, j) < 0)
				return -1;
		}
	}
	return 0;
}

/* Free what dn holds (not dn). */
static void day_net_release(struct day_net *dn)
{
	for (int ri = 0; ri < DG_MAX_ROUTINES; ri++) {
		free(dn->dr.free_row[ri]);
		free(dn->dr.y[ri]);
		free(dn->dr.first_row[ri]);
	}
	free(dn->dr.meet);
	free(dn->nd);
	free(dn->sn);
	free(dn->en);
}

/* Day s of the model: its network, its limits, the unfamiliar people met,
 * the routines, then every arc. Returns 0, or -1 with d filled. */
static int build_day(struct cm *c, const struct sv_day *s)
{
	struct day_net dn;
	memset(&dn, 0, sizeof dn);
	dn.s = s;
	dn.per_min = c->p->travel_energy_per_hour / 60.0;
	dn.dr.n_r = s->n_r;
	int rc = 0;
	if (day_nodes(c, &dn) < 0 || day_limits(c, &dn) < 0 || day_unfamiliar(c, &dn) < 0)
		rc = -1;
	for (int ri = 0; rc == 0 && ri < s->n_r; ri++)
		if (routine_starts(c, &dn, ri) < 0)
			rc = -1;
	if (rc == 0 && (session_arcs(c, &dn) < 0 || transition_arcs(c, &dn) < 0))
		rc = -1;
	day_net_release(&dn);
	return rc;
}

/* Distinct unfamiliar people in each Monday-Sunday week, as the master:
 * the excess over the limit is a compromise. */
static int weekly_unfamiliar(struct cm *c)
{
	const struct week *w = c->in->w;
	const struct profile *p = c->p;
	for (size_t start = 0; start < w->n_days;) {
		int64_t wk = time_week(w->days[start].date);
		size_t end = start;
		while (end < w->n_days && time_week(w->days[end].date) == wk)
			end++;
		snprintf(c->name, sizeof c->name, "unfamiliar_w%lld", (long long)wk);
		int r_tot = row(c, GLP_UP, -1e30, p->max_unfam_week);
		snprintf(c->name, sizeof c->name, "unfamiliar_over_w%lld", (long long)wk);
		int over = col(c, GLP_CV, 0);
		if (nz(c, r_tot, over, -1) < 0 || tiers(c, over, 0, p->compromise.unfamiliar_week, 0) < 0)
			return -1;
		for (size_t k = 0; k < p->n_pracs && k < 64; k++) {
			int y = 0;
			for (size_t day = start; day < end; day++) {
				if (!c->met[day][k])
					continue;
				if (!y) {
					snprintf(c->name, sizeof c->name, "met_w%lld_%s", (long long)wk, p->pracs[k].id);
					y = col(c, GLP_BV, 0);
					if (nz(c, r_tot, y, p->pracs[k].people) < 0)
						return -1;
				}
				snprintf(c->name, sizeof c->name, "meets_d%zu_%s", day, p->pracs[k].id);
				int r = row(c, GLP_UP, -1e30, 0);
				if (nz(c, r, c->met[day][k], 1) < 0 || nz(c, r, y, -1) < 0)
					return -1;
			}
		}
		start = end;
	}
	return 0;
}

/* Spacing within a series, as the master: occurrences of one UID no
 * closer than half their closest spacing now, in days. */
static int series_spacing(struct cm *c)
{
	const struct instance *in = c->in;
	const struct week *w = in->w;
	for (size_t i = 0; i < in->n; i++) {
		const char *uid = w->appts[in->a[i].appt].uid;
		int first = 1;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(w->appts[in->a[j].appt].uid, uid) != 0;
		int g = first ? sv_series_gap(in, i) : 0;
		if (g < 1)
			continue;
		for (size_t day = 0; day + (size_t)g <= w->n_days; day++) {
			snprintf(c->name, sizeof c->name, "series_%zu_d%zu", i, day);
			int r = row(c, GLP_UP, -1e30, 1);
			for (size_t k = 0; k < c->n_sess; k++) {
				const struct sess *x = &c->sess[k];
				int occ = 0;
				for (int q = 0; q < x->n; q++)
					occ += !strcmp(w->appts[in->a[x->appt[q]].appt].uid, uid);
				if (occ && x->day >= (int)day && x->day < (int)day + g &&
				    nz(c, r, x->col, occ) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* Whether day `day` has more than DG_MAX_BLOCK appointments connected by
 * clashes as booked: the day search reads a clash as one block of at most
 * that many, so a plan keeping a bigger one is not a network path. */
static int big_clash(const struct instance *in, int day)
{
	size_t idx[DG_MAX_LOCAL * DG_MAX_JOINT];
	int n = 0;
	for (size_t i = 0; i < in->n && n < (int)(sizeof idx / sizeof *idx); i++)
		if (in->a[i].current.day == day)
			idx[n++] = i;
	unsigned char seen[DG_MAX_LOCAL * DG_MAX_JOINT] = { 0 };
	for (int a = 0; a < n; a++) {
		if (seen[a])
			continue;
		int stack[DG_MAX_LOCAL * DG_MAX_JOINT], top = 0, size = 0;
		seen[a] = 1;
		stack[top++] = a;
		while (top) {
			int x = stack[--top];
			size++;
			const struct placement *px = &in->a[idx[x]].current;
			const struct wk_appt *ax = &in->w->appts[in->a[idx[x]].appt];
			for (int y = 0; y < n; y++) {
				const struct placement *py = &in->a[idx[y]].current;
				const struct wk_appt *ay = &in->w->appts[in->a[idx[y]].appt];
				if (seen[y] || !overlaps(px->start, px->start + in->a[idx[x]].duration, py->start,
							 py->start + in->a[idx[y]].duration) ||
				    week_joint(in->w, ax, ay))
					continue;
				seen[y] = 1;
				stack[top++] = y;
			}
		}
		if (size > DG_MAX_BLOCK)
			return 1;
	}
	return 0;
}

static glp_prob *build(struct cm *c, int max_changes)
{
	const struct instance *in = c->in;
	const struct week *w = in->w;
	const struct profile *p = c->p;
	char b[32];
	c->lp = glp_create_prob();
	glp_set_prob_name(c->lp, "dovetail_compact");
	glp_set_obj_dir(c->lp, GLP_MIN);
	c->cover = xcalloc(in->n + 1, sizeof *c->cover);
	c->met = xcalloc(w->n_days + 1, sizeof *c->met);
	for (size_t day = 0; day < w->n_days; day++)
		c->met[day] = xcalloc(64, sizeof **c->met);
	for (int t = 0; t < 3; t++) {
		snprintf(c->name, sizeof c->name, "tier%d", t + 1);
		c->tier[t] = glp_add_cols(c->lp, 1);
		glp_set_col_name(c->lp, c->tier[t], c->name);
		glp_set_col_bnds(c->lp, c->tier[t], GLP_FR, 0, 0);
		snprintf(c->name, sizeof c->name, "tier%d_def", t + 1);
		c->tier_row[t] = row(c, GLP_FX, 0, 0);
		if (nz(c, c->tier_row[t], c->tier[t], -1) < 0)
			return NULL;
	}
	glp_set_obj_coef(c->lp, c->tier[0], 1);
	snprintf(c->name, sizeof c->name, "peak_energy");
	c->z = col(c, GLP_CV, 0);
	if (tiers(c, c->z, 0, 0, p->weights.peak_energy) < 0)
		return NULL;
	for (size_t i = 0; i < in->n; i++) {
		snprintf(c->name, sizeof c->name, "cover_%zu", i);
		c->cover[i] = row(c, GLP_FX, 1, 1);
	}
	if (max_changes >= 0) {
		snprintf(c->name, sizeof c->name, "changes");
		c->changes_row = row(c, GLP_UP, -1e30, max_changes);
	}
	for (size_t day = 0; day < w->n_days; day++) {
		if (big_clash(in, (int)day)) {
			snprintf(b, sizeof b, "%d", DG_MAX_BLOCK);
			diag_add(c->d, D_LIM_INSTANCE, NULL, 0, 0, b,
				 "appointments clashing as booked in one clash (compact model)");
			return NULL;
		}
		struct sv_day s;
		int rc = sv_day_build(in, (int)day, &s, c->d);
		if (rc < 0)
			return NULL;
		if (rc > 0) {
			sv_day_release(&s);
			snprintf(b, sizeof b, "%d", DG_MAX_LOCAL);
			diag_add(c->d, D_LIM_INSTANCE, NULL, 0, 0, b,
				 "appointments that could be on one day (compact model)");
			return NULL;
		}
		rc = build_day(c, &s);
		sv_day_release(&s);
		if (rc < 0)
			return NULL;
	}
	if (p->max_unfam_week >= 0 && weekly_unfamiliar(c) < 0)
		return NULL;
	if (series_spacing(c) < 0)
		return NULL;
	glp_load_matrix(c->lp, (int)c->nz, c->ia, c->ja, c->ar);
	return c->lp;
}

static void cm_release(struct cm *c)
{
	if (c->met)
		for (size_t day = 0; day < c->in->w->n_days; day++)
			free(c->met[day]);
	free(c->met);
	free(c->cover);
	free(c->ia);
	free(c->ja);
	free(c->ar);
	free(c->sess);
}

/* Build the model, then run `then` on it (write or solve). */
static int with_model(const struct instance *in, int max_changes, struct diag *d,
		      int (*then)(struct cm *, void *, struct diag *), void *arg)
{
	struct cm *volatile c = xcalloc(1, sizeof *c);
	c->in = in;
	c->p = in->w->p;
	c->d = d;
	if (c->p->n_pracs > PROFILE_MAX_PRACS) {
		free(c);
		diag_add(d, D_LIM_INSTANCE, NULL, 0, 0, DV_STR(PROFILE_MAX_PRACS), "practitioners in one profile");
		return -1;
	}
	jmp_buf jb;
	sv_glpk_jump = &jb;
	glp_term_out(GLP_OFF);
	glp_error_hook(sv_glpk_hook, NULL);
	if (setjmp(jb)) {
		/* GLPK's environment, and so the problem, is gone */
		cm_release(c);
		free(c);
		diag_add(d, D_SOLVER, NULL, 0, 0, "the compact model");
		return -1;
	}
	int rc = -1;
	if (build(c, max_changes))
		rc = then(c, arg, d);
	if (c->lp)
		glp_delete_prob(c->lp);
	cm_release(c);
	free(c);
	return rc;
}

/* GLPK writes by name: it writes a file in a private folder, which the
 * util writer makes 0600 and renames over path (never through a link). */
static int write_lp_to(const char *tmp, void *lp)
{
	return glp_write_lp(lp, NULL, tmp) == 0 ? 0 : -1;
}

static int write_it(struct cm *c, void *arg, struct diag *d)
{
	return file_write_with(arg, write_lp_to, c->lp, d);
}

int compact_write_lp(const struct instance *in, int max_changes, const char *path,
		     struct diag *d)
{
	return with_model(in, max_changes, d, write_it, (void *)path);
}

struct solved {
	double time_limit;
	int found;
	double objective;
};

/* The three stages: minimise tier 1, hold it and minimise tier 2, hold
 * both and minimise tier 3; the objective is tier 3. */
static int solve_it(struct cm *c, void *arg, struct diag *d)
{
	struct solved *sv = arg;
	glp_iocp parm;
	glp_init_iocp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_ON;
	parm.tm_lim = sv->time_limit > 0 ? (int)(sv->time_limit * 1000) : INT_MAX;
	sv->found = 0;
	for (int t = 0; t < 3; t++) {
		for (int u = 0; u < 3; u++)
			glp_set_obj_coef(c->lp, c->tier[u], u == t);
		int rc = glp_intopt(c->lp, &parm);
		if (rc != 0 && rc != GLP_ENOPFS && rc != GLP_ENODFS) {
			char b[48];
			snprintf(b, sizeof b, "glp_intopt returned %d", rc);
			diag_add(d, D_SOLVER, NULL, 0, 0, b);
			return -1;
		}
		if (glp_mip_status(c->lp) != GLP_OPT)
			return 0;
		double v = glp_mip_obj_val(c->lp);
		/* hold it: tier 1 is a whole number; tier 2 to GLPK's tolerance */
		glp_set_col_bnds(c->lp, c->tier[t], GLP_UP, 0, t == 0 ? v + 0.5 : v + 1e-7 * (1 + v));
		sv->objective = v;
	}
	sv->found = 1;
	return 0;
}

int compact_solve(const struct instance *in, int max_changes, double time_limit,
		  int *found, double *objective, struct diag *d)
{
	struct solved sv = { time_limit, 0, 0 };
	int rc = with_model(in, max_changes, d, solve_it, &sv);
	*found = sv.found;
	*objective = sv.objective;
	return rc;
}
