/* compact.c: the compact time-indexed model of an instance (sessions, routine starts and a time-space network of the person's location), for cross-checking the decomposition with another solver. */
#include "internal.h"

/* The compact model still reads the rules of format 1 (hard limits, an
 * appointment may be left out at this cost); see docs/propose.md. */
#define COMPACT_UNPLACED_COST 1000.0

#include <glpk.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

/*
 * Each day is a network whose one unit of flow is the person, from a
 * source to a sink (docs/propose.md, "The compact model"). Nodes:
 *   S(v, t)  ready at venue v at minute t to begin a session there;
 *   E(v, t)  a session at v has just ended at minute t;
 *   HM(t)    at home, free to leave for an outing;
 *   HR(t)    at home, back for less than WEEK_HOME_STAY_MIN: may only
 *            have a session at home or end the day.
 * Arcs are the sessions S -> E, the chains of waiting at home, the
 * departures HM(t) -> S(v, t + travel), the returns E(v, t) -> HR(t + back)
 * and E(v, t) -> HM(t + back + stay), and the direct moves
 * E(a, t) -> S(b, t') for gaps shorter than going home and back (the rule
 * a day is read by: a person goes home between sessions exactly when the
 * gap leaves WEEK_HOME_STAY_MIN at home, docs/check.md). Every arc carries
 * its travel (a leg), its time out of home and the minutes it is at home.
 */

#define MAX_NONZEROS 40000000   /* docs/limits.md: the compact model's size */

enum node_kind { N_S = 1, N_E, N_HM, N_HR, N_SRC, N_SNK };

struct arc {
	int from, to;             /* nodes */
	int item;                 /* session (index in the day), -1 */
	int leg0, leg1;           /* travel [leg0, leg1), or leg0 == leg1 */
	int home0, home1;         /* at home [home0, home1) */
	int travel_min, time_out, journey;
	double money;
};

struct node {
	uint64_t key;
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
	int z;                    /* peak energy */
	int *u;                   /* per appointment: unplaced */
	int *cover;               /* per appointment: its row */
	int changes_row;
	int **met;                /* per day, per practitioner: column of m (0 none) */
	struct sess *sess;
	size_t n_sess, cap_sess;
	struct diag *d;
	char name[80];
};

static int nz(struct cm *c, int row, int col, double v)
{
	if (c->nz + 2 > c->cap) {
		if (c->nz >= MAX_NONZEROS) {
			char b[32];
			snprintf(b, sizeof b, "%d", MAX_NONZEROS);
			diag_add(c->d, D_LIM_INSTANCE, NULL, 0, 0, b, "non-zeros in the compact model");
			return -1;
		}
		size_t cap = c->cap ? c->cap * 2 : 4096;
		int *ia = realloc(c->ia, cap * sizeof *ia);
		if (ia)
			c->ia = ia;
		int *ja = realloc(c->ja, cap * sizeof *ja);
		if (ja)
			c->ja = ja;
		double *ar = realloc(c->ar, cap * sizeof *ar);
		if (ar)
			c->ar = ar;
		if (!ia || !ja || !ar) {
			diag_add(c->d, D_INTERNAL, NULL, 0, 0, "out of memory");
			return -1;
		}
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

static int col(struct cm *c, int kind, double cost)
{
	int j = glp_add_cols(c->lp, 1);
	glp_set_col_name(c->lp, j, c->name);
	glp_set_col_kind(c->lp, j, kind);
	if (kind != GLP_BV)
		glp_set_col_bnds(c->lp, j, GLP_DB, 0, 1);
	glp_set_obj_coef(c->lp, j, cost);
	return j;
}

static uint64_t key(int kind, int venue, int t)
{
	return (uint64_t)kind << 56 | (uint64_t)(uint32_t)(venue + 1) << 32 | (uint32_t)(t + (1 << 20));
}

static int key_time(uint64_t k)
{
	return (int)(uint32_t)k - (1 << 20);
}

static int node_cmp(const void *x, const void *y)
{
	uint64_t a = ((const struct node *)x)->key, b = ((const struct node *)y)->key;
	return (a > b) - (a < b);
}

static int int_cmp(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	return (a > b) - (a < b);
}

/* One day's network under construction. */
struct net {
	struct node *node;
	size_t n_node, cap_node;
	struct arc *arc;
	size_t n_arc, cap_arc;
	int *times;               /* the home chains' minutes, sorted, distinct */
	size_t n_times, cap_times;
};

static int want(struct net *g, int kind, int venue, int t)
{
	struct node *n = BUF_PUSH(g->node, g->n_node, g->cap_node);
	if (!n)
		return -1;
	n->key = key(kind, venue, t);
	n->row = 0;
	return 0;
}

static int find(const struct net *g, int kind, int venue, int t)
{
	struct node k = { key(kind, venue, t), 0 };
	const struct node *n = bsearch(&k, g->node, g->n_node, sizeof k, node_cmp);
	return n ? (int)(n - g->node) : -1;
}

static struct arc *add_arc(struct net *g, int from, int to)
{
	struct arc *a = BUF_PUSH(g->arc, g->n_arc, g->cap_arc);
	if (!a)
		return NULL;
	memset(a, 0, sizeof *a);
	a->from = from;
	a->to = to;
	a->item = -1;
	return a;
}

static int add_time(struct net *g, int t)
{
	int *x = BUF_PUSH(g->times, g->n_times, g->cap_times);
	if (!x)
		return -1;
	*x = t;
	return 0;
}

/* The nodes of day s: the sessions' ends, and the home chains' minutes. */
static int nodes(const struct sv_day *s, struct net *g)
{
	const struct profile *p = s->p;
	int home = p->home;
	if (add_time(g, p->day.from) < 0 || add_time(g, p->day.to) < 0)
		return -1;
	for (int r = 0; r < s->n_r; r++)
		if (add_time(g, s->r[r].first) < 0 || add_time(g, s->r[r].to + s->r[r].dur) < 0)
			return -1;
	for (size_t i = 0; i < s->n_it; i++) {
		const struct sv_item *x = &s->it[i];
		if (want(g, N_S, x->v, x->start) < 0 || want(g, N_E, x->v, x->end) < 0)
			return -1;
		if (x->v == home) {
			if (add_time(g, x->start) < 0 || add_time(g, x->end) < 0)
				return -1;
		} else {
			int back = sv_travel0(p, x->v, home);
			if (add_time(g, x->start - sv_travel0(p, home, x->v)) < 0 ||
			    add_time(g, x->end + back) < 0 ||
			    add_time(g, x->end + back + WEEK_HOME_STAY_MIN) < 0)
				return -1;
		}
	}
	qsort(g->times, g->n_times, sizeof *g->times, int_cmp);
	size_t k = 0;
	for (size_t i = 0; i < g->n_times; i++)
		if (!k || g->times[k - 1] != g->times[i])
			g->times[k++] = g->times[i];
	g->n_times = k;
	for (size_t i = 0; i < g->n_times; i++)
		if (want(g, N_HM, -1, g->times[i]) < 0 || want(g, N_HR, -1, g->times[i]) < 0)
			return -1;
	if (want(g, N_SRC, -1, 0) < 0 || want(g, N_SNK, -1, 0) < 0)
		return -1;
	qsort(g->node, g->n_node, sizeof *g->node, node_cmp);
	k = 0;
	for (size_t i = 0; i < g->n_node; i++)
		if (!k || g->node[k - 1].key != g->node[i].key)
			g->node[k++] = g->node[i];
	g->n_node = k;
	return 0;
}

/* The arcs of day s (docs/propose.md): the same reading of a day as
 * step() in daygen.c. */
static int arcs(const struct sv_day *s, struct net *g)
{
	const struct profile *p = s->p;
	int home = p->home, rest = p->min_rest;
	struct arc *a;
	for (size_t i = 0; i < s->n_it; i++) {
		const struct sv_item *x = &s->it[i];
		if (!(a = add_arc(g, find(g, N_S, x->v, x->start), find(g, N_E, x->v, x->end))))
			return -1;
		a->item = (int)i;
		a->time_out = x->v == home ? 0 : x->end - x->start;
	}
	/* waiting at home; the day's start and end */
	for (size_t k = 0; k + 1 < g->n_times; k++) {
		for (int kind = N_HM; kind <= N_HR; kind++) {
			if (!(a = add_arc(g, find(g, kind, -1, g->times[k]), find(g, kind, -1, g->times[k + 1]))))
				return -1;
			a->home0 = g->times[k];
			a->home1 = g->times[k + 1];
		}
	}
	int t0 = g->times[0], t1 = g->times[g->n_times - 1];
	if (!add_arc(g, find(g, N_SRC, -1, 0), find(g, N_HM, -1, t0)) ||
	    !add_arc(g, find(g, N_HM, -1, t1), find(g, N_SNK, -1, 0)) ||
	    !add_arc(g, find(g, N_HR, -1, t1), find(g, N_SNK, -1, 0)))
		return -1;
	size_t n_node = g->n_node;
	for (size_t n = 0; n < n_node; n++) {
		uint64_t k = g->node[n].key;
		int kind = (int)(k >> 56), v = (int)((k >> 32) & 0xffffff) - 1, t = key_time(k);
		if (kind == N_S && v == home) {
			/* a session at home, from home */
			if (!add_arc(g, find(g, N_HM, -1, t), (int)n) || !add_arc(g, find(g, N_HR, -1, t), (int)n))
				return -1;
		} else if (kind == N_S) {
			/* leaving home for it: a journey */
			int there = sv_travel0(p, home, v);
			if (!(a = add_arc(g, find(g, N_HM, -1, t - there), (int)n)))
				return -1;
			a->leg0 = t - there;
			a->leg1 = t;
			a->travel_min = a->time_out = there;
			a->journey = 1;
			a->money = profile_travel_cost(p, home, v);
		} else if (kind == N_E && v == home) {
			if (!add_arc(g, (int)n, find(g, N_HM, -1, t)))
				return -1;
		} else if (kind == N_E) {
			/* going home: briefly, or for long enough to go out again */
			int back = sv_travel0(p, v, home);
			for (int stay = 0; stay < 2; stay++) {
				int to = find(g, stay ? N_HM : N_HR, -1, t + back + (stay ? WEEK_HOME_STAY_MIN : 0));
				if (!(a = add_arc(g, (int)n, to)))
					return -1;
				a->leg0 = t;
				a->leg1 = t + back;
				a->travel_min = a->time_out = back;
				a->money = profile_travel_cost(p, v, home);
				if (stay) {
					a->home0 = t + back;
					a->home1 = t + back + WEEK_HOME_STAY_MIN;
				}
			}
			/* straight on to a session elsewhere (or at the same venue) */
			for (size_t m = 0; m < n_node; m++) {
				uint64_t k2 = g->node[m].key;
				int v2 = (int)((k2 >> 32) & 0xffffff) - 1, t2 = key_time(k2);
				if ((int)(k2 >> 56) != N_S || v2 == home || t2 < t)
					continue;
				int gap = t2 - t;
				if ((rest > 0 && gap < rest) ||
				    gap - back - sv_travel0(p, home, v2) >= WEEK_HOME_STAY_MIN)
					continue;
				if (v2 != v && profile_travel(p, v, v2) > gap)
					continue;
				if (!(a = add_arc(g, (int)n, (int)m)))
					return -1;
				a->time_out = gap;
				if (v2 != v) {
					a->leg0 = t;
					a->leg1 = t + sv_travel0(p, v, v2);
					a->travel_min = a->leg1 - a->leg0;
					a->money = profile_travel_cost(p, v, v2);
				}
			}
		}
	}
	for (size_t i = 0; i < g->n_arc; i++)
		if (g->arc[i].from < 0 || g->arc[i].to < 0) {
			diag_add(s->d, D_INTERNAL, NULL, 0, 0, "compact model: an arc without its node");
			return -1;
		}
	return 0;
}

/* The rows of routine instance r at the minutes where an overlap can
 * begin: its starts, and every session's and leg's start inside its span. */
struct rrows {
	int *pt;
	size_t n, cap;
	int *block, *home;        /* per point: rows (home 0 unless at home) */
};

static int covers(const struct rrows *rr, int a, int b, size_t *lo, size_t *hi)
{
	size_t l = 0, h = rr->n;
	while (l < h) {
		size_t mid = (l + h) / 2;
		if (rr->pt[mid] < a)
			l = mid + 1;
		else
			h = mid;
	}
	*lo = l;
	while (l < rr->n && rr->pt[l] < b)
		l++;
	*hi = l;
	return *hi > *lo;
}

static int build_day(struct cm *c, const struct sv_day *s, struct net *g)
{
	const struct profile *p = c->p;
	const struct prof_weights *wt = &p->weights;
	const struct instance *in = c->in;
	int day = s->day, rc = -1;
	size_t errors0 = c->d->errors;
	struct rrows rr[DG_MAX_ROUTINES];
	memset(rr, 0, sizeof rr);
	if (nodes(s, g) < 0 || arcs(s, g) < 0)
		goto oom;
	/* flow conservation: in - out = -1 at the source, 1 at the sink */
	for (size_t n = 0; n < g->n_node; n++) {
		int kind = (int)(g->node[n].key >> 56);
		double b = kind == N_SRC ? -1 : kind == N_SNK ? 1 : 0;
		snprintf(c->name, sizeof c->name, "flow_d%d_%zu", day, n);
		g->node[n].row = row(c, GLP_FX, b, b);
	}
	snprintf(c->name, sizeof c->name, "energy_d%d", day);
	int r_energy = row(c, GLP_UP, 0, p->energy_budget + 1e-9);
	snprintf(c->name, sizeof c->name, "peak_d%d", day);
	int r_peak = row(c, GLP_UP, 0, 0);
	if (nz(c, r_peak, c->z, -1) < 0)
		goto fail;
	int r_out = 0, r_appts = 0;
	if (p->max_time_out >= 0) {
		snprintf(c->name, sizeof c->name, "time_out_d%d", day);
		r_out = row(c, GLP_UP, 0, p->max_time_out);
	}
	if (p->max_appts_per_day >= 0) {
		snprintf(c->name, sizeof c->name, "appts_d%d", day);
		r_appts = row(c, GLP_UP, 0, p->max_appts_per_day);
	}
	/* unfamiliar practitioners met */
	int r_met[64] = { 0 }, r_unfam = 0;
	if (p->max_unfam_day >= 0) {
		snprintf(c->name, sizeof c->name, "unfamiliar_d%d", day);
		r_unfam = row(c, GLP_UP, 0, p->max_unfam_day);
	}
	for (size_t k = 0; k < p->n_pracs && k < 64; k++) {
		if (p->pracs[k].familiar)
			continue;
		int used = 0;
		for (size_t i = 0; i < s->n_it && !used; i++)
			used = (int)(s->it[i].pracs >> k & 1);
		if (!used)
			continue;
		snprintf(c->name, sizeof c->name, "met_d%d_%zu", day, k);
		int m = col(c, GLP_BV, wt->unfamiliar * p->pracs[k].people);
		c->met[day][k] = m;
		r_met[k] = row(c, GLP_UP, 0, 0);
		int appts = 0;
		for (size_t i = 0; i < in->n; i++)
			appts += in->w->appts[in->a[i].appt].prac == (int)k;
		if (nz(c, r_met[k], m, -appts) < 0 || (r_unfam && nz(c, r_unfam, m, p->pracs[k].people) < 0))
			goto fail;
	}
	/* routines: one start each; the rows that keep them clear */
	for (int r = 0; r < s->n_r; r++) {
		const struct sv_rinst *ri = &s->r[r];
		snprintf(c->name, sizeof c->name, "routine_d%d_%d", day, r);
		int r_once = row(c, GLP_FX, 1, 1);
		for (int t = ri->first; t <= ri->to; t += p->slot) {
			int *x = BUF_PUSH(rr[r].pt, rr[r].n, rr[r].cap);
			if (!x)
				goto oom;
			*x = t;
		}
		int span0 = ri->first, span1 = ri->last + ri->dur;
		for (size_t a = 0; a < g->n_arc; a++) {
			const struct arc *x = &g->arc[a];
			int t = x->item >= 0 ? s->it[x->item].start : x->leg0 < x->leg1 ? x->leg0 : INT_MIN;
			if (t >= span0 && t < span1) {
				int *y = BUF_PUSH(rr[r].pt, rr[r].n, rr[r].cap);
				if (!y)
					goto oom;
				*y = t;
			}
		}
		qsort(rr[r].pt, rr[r].n, sizeof *rr[r].pt, int_cmp);
		size_t k = 0;
		for (size_t i = 0; i < rr[r].n; i++)
			if (!k || rr[r].pt[k - 1] != rr[r].pt[i])
				rr[r].pt[k++] = rr[r].pt[i];
		rr[r].n = k;
		rr[r].block = calloc(k + 1, sizeof *rr[r].block);
		rr[r].home = calloc(k + 1, sizeof *rr[r].home);
		if (!rr[r].block || !rr[r].home)
			goto oom;
		for (size_t i = 0; i < k; i++) {
			snprintf(c->name, sizeof c->name, "clear_d%d_%d_%d", day, r, rr[r].pt[i]);
			rr[r].block[i] = row(c, GLP_UP, 0, 1);
			if (ri->place == PLACE_HOME) {
				snprintf(c->name, sizeof c->name, "home_d%d_%d_%d", day, r, rr[r].pt[i]);
				rr[r].home[i] = row(c, GLP_UP, 0, 0);
			}
		}
		for (int t = ri->first; t <= ri->to; t += p->slot) {
			snprintf(c->name, sizeof c->name, "start_d%d_%d_%d", day, r, t);
			int j = col(c, GLP_BV, wt->routine_shift * (t - ri->from));
			if (nz(c, r_once, j, 1) < 0)
				goto fail;
			size_t lo, hi;
			covers(&rr[r], t, t + ri->dur, &lo, &hi);
			for (size_t i = lo; i < hi; i++)
				if (nz(c, rr[r].block[i], j, 1) < 0 ||
				    (rr[r].home[i] && nz(c, rr[r].home[i], j, 1) < 0))
					goto fail;
		}
	}
	/* the arcs' columns */
	int arc0 = glp_get_num_cols(c->lp) + 1;
	double per_min = p->travel_energy_per_hour / 60.0;
	for (size_t a = 0; a < g->n_arc; a++) {
		const struct arc *x = &g->arc[a];
		const struct sv_item *it = x->item >= 0 ? &s->it[x->item] : NULL;
		double cost = wt->travel_minutes * x->travel_min + wt->travel_money * x->money +
			      wt->journeys * x->journey + (it ? it->cost : 0);
		snprintf(c->name, sizeof c->name, "%s_d%d_%zu", it ? "x" : "f", day, a);
		int j = col(c, GLP_BV, cost);
		if (nz(c, g->node[x->from].row, j, -1) < 0 || nz(c, g->node[x->to].row, j, 1) < 0)
			goto fail;
		double energy = (it ? it->energy : 0) + x->travel_min * per_min;
		if (energy != 0 && (nz(c, r_energy, j, energy) < 0 || nz(c, r_peak, j, energy) < 0))
			goto fail;
		if (r_out && x->time_out && nz(c, r_out, j, x->time_out) < 0)
			goto fail;
		for (int r = 0; r < s->n_r; r++) {
			size_t lo, hi;
			int b0 = it ? it->start : x->leg0, b1 = it ? it->end : x->leg1;
			if (b0 < b1 && covers(&rr[r], b0, b1, &lo, &hi))
				for (size_t i = lo; i < hi; i++)
					if (nz(c, rr[r].block[i], j, 1) < 0)
						goto fail;
			if (s->r[r].place == PLACE_HOME && x->home0 < x->home1 &&
			    covers(&rr[r], x->home0, x->home1, &lo, &hi))
				for (size_t i = lo; i < hi; i++)
					if (nz(c, rr[r].home[i], j, -1) < 0)
						goto fail;
		}
		if (!it)
			continue;
		if (r_appts && nz(c, r_appts, j, it->n) < 0)
			goto fail;
		if (c->changes_row && it->changes && nz(c, c->changes_row, j, it->changes) < 0)
			goto fail;
		for (int m = 0; m < it->n; m++)
			if (nz(c, c->cover[it->appt[m]], j, 1) < 0)
				goto fail;
		for (size_t k = 0; k < p->n_pracs && k < 64; k++)
			if (r_met[k] && (it->pracs >> k & 1) && nz(c, r_met[k], j, 1) < 0)
				goto fail;
	}
	/* rest between sessions: no two within min_rest of each other (the
	 * sessions' arcs are the first n_it, in the sessions' order) */
	if (p->min_rest > 0 && s->n_it) {
		int *starts = malloc(s->n_it * sizeof *starts);
		if (!starts)
			goto oom;
		for (size_t i = 0; i < s->n_it; i++)
			starts[i] = s->it[i].start;
		qsort(starts, s->n_it, sizeof *starts, int_cmp);
		for (size_t i = 0; i < s->n_it; i++) {
			int t = starts[i];
			if (i && starts[i - 1] == t)
				continue;
			snprintf(c->name, sizeof c->name, "rest_d%d_%d", day, t);
			int r = row(c, GLP_UP, 0, 1);
			for (size_t b = 0; b < s->n_it; b++) {
				const struct sv_item *y = &s->it[b];
				if (y->start <= t && t < y->end + p->min_rest &&
				    nz(c, r, arc0 + (int)b, 1) < 0) {
					free(starts);
					goto fail;
				}
			}
		}
		free(starts);
	}
	/* the sessions, for the cross-day rows */
	for (size_t b = 0; b < s->n_it; b++) {
		struct sess *x = BUF_PUSH(c->sess, c->n_sess, c->cap_sess);
		if (!x)
			goto oom;
		x->day = day;
		x->col = arc0 + (int)b;
		x->n = s->it[b].n;
		memcpy(x->appt, s->it[b].appt, sizeof x->appt);
	}
	rc = 0;
	goto fail;
oom:
	if (c->d->errors == errors0)
		diag_add(c->d, D_INTERNAL, NULL, 0, 0, "out of memory");
fail:
	for (int r = 0; r < DG_MAX_ROUTINES; r++) {
		free(rr[r].pt);
		free(rr[r].block);
		free(rr[r].home);
	}
	return rc;
}

/* Distinct unfamiliar people in each Monday-Sunday week, as the master. */
static int weekly_unfamiliar(struct cm *c)
{
	const struct week *w = c->in->w;
	const struct profile *p = c->p;
	for (size_t start = 0; start < w->n_days;) {
		int64_t wk = (w->days[start].date + 3) / 7;
		size_t end = start;
		while (end < w->n_days && (w->days[end].date + 3) / 7 == wk)
			end++;
		snprintf(c->name, sizeof c->name, "unfamiliar_w%lld", (long long)wk);
		int r_tot = row(c, GLP_UP, 0, p->max_unfam_week);
		for (size_t k = 0; k < p->n_pracs && k < 64; k++) {
			int y = 0;
			for (size_t day = start; day < end; day++) {
				if (!c->met[day][k])
					continue;
				if (!y) {
					snprintf(c->name, sizeof c->name, "met_w%lld_%zu", (long long)wk, k);
					y = col(c, GLP_BV, 0);
					if (nz(c, r_tot, y, p->pracs[k].people) < 0)
						return -1;
				}
				snprintf(c->name, sizeof c->name, "meets_d%zu_%zu", day, k);
				int r = row(c, GLP_UP, 0, 0);
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
			int r = row(c, GLP_UP, 0, 1);
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

static glp_prob *build(struct cm *c, int max_changes)
{
	const struct instance *in = c->in;
	const struct week *w = in->w;
	const struct profile *p = c->p;
	c->lp = glp_create_prob();
	glp_set_prob_name(c->lp, "dovetail_compact");
	glp_set_obj_dir(c->lp, GLP_MIN);
	c->u = calloc(in->n + 1, sizeof *c->u);
	c->cover = calloc(in->n + 1, sizeof *c->cover);
	c->met = calloc(w->n_days + 1, sizeof *c->met);
	if (!c->u || !c->cover || !c->met)
		goto oom;
	for (size_t day = 0; day < w->n_days; day++)
		if (!(c->met[day] = calloc(64, sizeof **c->met)))
			goto oom;
	snprintf(c->name, sizeof c->name, "peak_energy");
	c->z = glp_add_cols(c->lp, 1);
	glp_set_col_name(c->lp, c->z, c->name);
	glp_set_col_bnds(c->lp, c->z, GLP_LO, 0, 0);
	glp_set_obj_coef(c->lp, c->z, p->weights.peak_energy);
	for (size_t i = 0; i < in->n; i++) {
		snprintf(c->name, sizeof c->name, "cover_%zu", i);
		c->cover[i] = row(c, GLP_FX, 1, 1);
		snprintf(c->name, sizeof c->name, "unplaced_%zu", i);
		c->u[i] = col(c, GLP_BV, COMPACT_UNPLACED_COST);
		if (nz(c, c->cover[i], c->u[i], 1) < 0)
			return NULL;
	}
	if (max_changes >= 0) {
		snprintf(c->name, sizeof c->name, "changes");
		c->changes_row = row(c, GLP_UP, 0, max_changes);
	}
	for (size_t day = 0; day < w->n_days; day++) {
		struct sv_day s;
		struct net g;
		memset(&g, 0, sizeof g);
		if (sv_day_build(in, (int)day, &s, c->d) < 0)
			return NULL;
		/* blocks (clashes as booked) are not in this model */
		size_t kept = 0;
		for (size_t q = 0; q < s.n_it; q++)
			if (!s.it[q].nsub)
				s.it[kept++] = s.it[q];
		s.n_it = kept;
		int rc = build_day(c, &s, &g);
		sv_day_release(&s);
		free(g.node);
		free(g.arc);
		free(g.times);
		if (rc < 0)
			return NULL;
	}
	if (p->max_unfam_week >= 0 && weekly_unfamiliar(c) < 0)
		return NULL;
	if (series_spacing(c) < 0)
		return NULL;
	glp_load_matrix(c->lp, (int)c->nz, c->ia, c->ja, c->ar);
	return c->lp;
oom:
	diag_add(c->d, D_INTERNAL, NULL, 0, 0, "out of memory");
	return NULL;
}

static void cm_release(struct cm *c)
{
	if (c->met)
		for (size_t day = 0; day < c->in->w->n_days; day++)
			free(c->met[day]);
	free(c->met);
	free(c->u);
	free(c->cover);
	free(c->ia);
	free(c->ja);
	free(c->ar);
	free(c->sess);
}

/* Build the model, then run `then` on it (write or solve). */
static int with_model(const struct instance *in, int max_changes, struct diag *d,
		      int (*then)(glp_prob *, void *, struct diag *), void *arg)
{
	struct cm *volatile c = calloc(1, sizeof *c);
	if (!c) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	c->in = in;
	c->p = in->w->p;
	c->d = d;
	if (c->p->n_pracs > 64 || in->n > 64) {
		free(c);
		diag_add(d, D_LIM_INSTANCE, NULL, 0, 0, "64", "practitioners or appointments");
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
		rc = then(c->lp, arg, d);
	if (c->lp)
		glp_delete_prob(c->lp);
	cm_release(c);
	free(c);
	return rc;
}

static int write_it(glp_prob *lp, void *arg, struct diag *d)
{
	const char *path = arg;
	if (glp_write_lp(lp, NULL, path) != 0) {
		diag_add(d, D_IO_WRITE, path, 0, 0, path, "GLPK could not write it");
		return -1;
	}
	return 0;
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

static int solve_it(glp_prob *lp, void *arg, struct diag *d)
{
	struct solved *sv = arg;
	glp_iocp parm;
	glp_init_iocp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_ON;
	parm.tm_lim = sv->time_limit > 0 ? (int)(sv->time_limit * 1000) : INT_MAX;
	int rc = glp_intopt(lp, &parm);
	if (rc != 0 && rc != GLP_ENOPFS && rc != GLP_ENODFS) {
		char b[48];
		snprintf(b, sizeof b, "glp_intopt returned %d", rc);
		diag_add(d, D_SOLVER, NULL, 0, 0, b);
		return -1;
	}
	sv->found = glp_mip_status(lp) == GLP_OPT;
	sv->objective = sv->found ? glp_mip_obj_val(lp) : 0;
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
