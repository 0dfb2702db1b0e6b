/* joint.c: the caseload's master: one plan per person, no shared practitioner or carer booked twice, fairly. */
#include "dovetail/joint.h"

#include <assert.h>
#include <glpk.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* ---- conflicts and components ------------------------------------------------ */

/* A booking's sort key: lane, then start, then index. */
struct lane_key {
	uint32_t lane;
	int64_t start;
	size_t b;
};

static int by_lane_key(const void *a, const void *b)
{
	const struct lane_key *x = a, *y = b;
	if (x->lane != y->lane)
		return x->lane < y->lane ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b;
}

/* Sort bookings bk[0 .. n) (indices into p->book) by lane, then start.
 * By key, with no pointer kept for qsort: the blocks' MIPs sort in threads. */
static void by_lane_start(const struct jt_problem *p, size_t *bk, size_t n)
{
	struct lane_key *key = xmalloc((n + 1) * sizeof *key);
	for (size_t i = 0; i < n; i++)
		key[i] = (struct lane_key){ p->book[bk[i]].lane, p->book[bk[i]].start, bk[i] };
	qsort(key, n, sizeof *key, by_lane_key);
	for (size_t i = 0; i < n; i++)
		bk[i] = key[i].b;
	free(key);
}

static int by_pair(const void *a, const void *b)
{
	const struct jt_pair *x = a, *y = b;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	if (x->b != y->b)
		return x->b < y->b ? -1 : 1;
	return x->soft - y->soft;   /* hard first: it is the one kept */
}

static size_t uf_find(size_t *up, size_t x)
{
	while (up[x] != x) {
		up[x] = up[up[x]];
		x = up[x];
	}
	return x;
}

void joint_conflict_lists(const struct jt_problem *p, const struct jt_components *c, size_t **first, size_t **adj)
{
	size_t nc = p->n_cols;
	size_t *f = *first = xcalloc(nc + 2, sizeof *f);
	size_t *v = *adj = xmalloc((2 * c->n_pairs + 1) * sizeof *v);
	size_t *fill = xcalloc(nc + 1, sizeof *fill);
	for (size_t i = 0; i < c->n_pairs; i++) {
		f[c->pairs[i].a + 1]++;
		f[c->pairs[i].b + 1]++;
	}
	for (size_t j = 0; j < nc; j++)
		f[j + 1] += f[j];
	for (size_t i = 0; i < c->n_pairs; i++) {
		size_t a = c->pairs[i].a, b = c->pairs[i].b;
		v[f[a] + fill[a]++] = b;
		v[f[b] + fill[b]++] = a;
	}
	free(fill);
}

size_t joint_in_way(const struct jt_problem *p, const size_t *first, const size_t *adj, const size_t *choice,
		    size_t j, size_t *out, size_t max)
{
	assert(j < p->n_cols);
	size_t n = 0;
	for (size_t a = first[j]; a < first[j + 1] && n < max; a++) {
		size_t q = p->cols[adj[a]].person;
		if (q != p->cols[j].person && choice[q] == adj[a])
			out[n++] = q;   /* a person's one choice: once */
	}
	return n;
}

/* The fixing pass (see joint.h): a work list over persons whose plan
 * alone lost its last live conflict. */
static void fix_solo(const struct jt_problem *p, struct jt_components *c)
{
	size_t np = p->n_persons, nc = p->n_cols;
	c->fixed = xcalloc(np + 1, 1);
	c->dead = xcalloc(nc + 1, 1);
	size_t *deg = xcalloc(np + 1, sizeof *deg);       /* live conflicts of each person's solo */
	size_t *first, *adj;                              /* adjacency of columns, by pair */
	joint_conflict_lists(p, c, &first, &adj);
	size_t *work = xmalloc((np + 1) * sizeof *work);
	size_t n_work = 0;
	for (size_t q = 0; q < np; q++) {
		size_t s = p->solo[q];
		deg[q] = first[s + 1] - first[s];
		if (!deg[q])
			work[n_work++] = q;
	}
	/* a person enters the work list once: when its solo's count reaches 0 */
	while (n_work) {
		size_t q = work[--n_work];
		assert(!c->fixed[q] && deg[q] == 0);
		c->fixed[q] = 1;
		c->n_fixed++;
		size_t s = p->solo[q];
		/* every plan that conflicts with its solo is dead already (its
		 * count is 0); its other plans go now */
		for (size_t m = first[s]; m < first[s + 1]; m++)
			assert(c->dead[adj[m]]);
		size_t lo = s, hi = s;
		while (lo > 0 && p->cols[lo - 1].person == q)
			lo--;
		while (hi + 1 < nc && p->cols[hi + 1].person == q)
			hi++;
		for (size_t x = lo; x <= hi; x++) {
			if (x == s || c->dead[x])
				continue;
			c->dead[x] = 1;
			/* a dead column no longer counts against anyone's solo */
			for (size_t m = first[x]; m < first[x + 1]; m++) {
				size_t y = adj[m], r = p->cols[y].person;
				if (y == p->solo[r] && !c->fixed[r] && deg[r] && --deg[r] == 0)
					work[n_work++] = r;
			}
		}
	}
	free(deg);
	free(first);
	free(adj);
	free(work);
}

int joint_components(const struct jt_problem *p, struct jt_components *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	size_t *owner = xmalloc((p->n_book + 1) * sizeof *owner);
	size_t *order = xmalloc((p->n_book + 1) * sizeof *order);
	size_t *active = xmalloc((p->n_book + 1) * sizeof *active);
	size_t *up = xmalloc((p->n_persons + 1) * sizeof *up);
	size_t cap = 0;
	int rc = -1;
	for (size_t j = 0; j < p->n_cols; j++) {
		assert(p->cols[j].person < p->n_persons);
		assert(p->cols[j].first + p->cols[j].n <= p->n_book);
		for (size_t k = 0; k < p->cols[j].n; k++)
			owner[p->cols[j].first + k] = j;
	}
	for (size_t i = 0; i < p->n_book; i++)
		order[i] = i;
	by_lane_start(p, order, p->n_book);
	/* a sweep per lane: the bookings still running when the next starts */
	size_t n_active = 0;
	for (size_t i = 0; i < p->n_book; i++) {
		const struct jt_booking *b = &p->book[order[i]];
		if (i && p->book[order[i - 1]].lane != b->lane)
			n_active = 0;
		if (b->end <= b->start)
			continue;
		size_t keep = 0;
		for (size_t k = 0; k < n_active; k++) {
			const struct jt_booking *a = &p->book[active[k]];
			if (a->end <= b->start)
				continue;
			active[keep++] = active[k];
			size_t ca = owner[active[k]], cb = owner[order[i]];
			int soft = a->fixed && b->fixed;
			if (p->cols[ca].person == p->cols[cb].person || (soft && !(a->carer && b->carer)))
				continue;
			if (out->n_pairs >= JOINT_MAX_CONFLICTS) {
				diag_add(d, D_LIM_JOINT, NULL, 0, 0, DV_STR(JOINT_MAX_CONFLICTS), "conflicting pairs of plans");
				goto fail;
			}
			struct jt_pair *x = BUF_PUSH(out->pairs, out->n_pairs, cap);
			x->a = ca < cb ? ca : cb;
			x->b = ca < cb ? cb : ca;
			x->soft = soft;
		}
		n_active = keep;
		active[n_active++] = order[i];
	}
	if (out->n_pairs)
		qsort(out->pairs, out->n_pairs, sizeof *out->pairs, by_pair);
	size_t u = 0;
	for (size_t i = 0; i < out->n_pairs; i++)
		if (!u || out->pairs[i].a != out->pairs[u - 1].a || out->pairs[i].b != out->pairs[u - 1].b)
			out->pairs[u++] = out->pairs[i];
	out->n_pairs = u;
	fix_solo(p, out);
	for (size_t i = 0; i < p->n_persons; i++)
		up[i] = i;
	for (size_t i = 0; i < out->n_pairs; i++) {
		if (out->dead[out->pairs[i].a] || out->dead[out->pairs[i].b])
			continue;
		size_t a = uf_find(up, p->cols[out->pairs[i].a].person);
		size_t b = uf_find(up, p->cols[out->pairs[i].b].person);
		if (a != b) {
			if (a < b)
				up[b] = a;
			else
				up[a] = b;
		}
	}
	/* numbered by their first person: a root is its component's least person */
	out->comp = xmalloc((p->n_persons + 1) * sizeof *out->comp);
	for (size_t i = 0; i < p->n_persons; i++) {
		size_t r = uf_find(up, i);
		out->comp[i] = r == i ? out->n++ : out->comp[r];
	}
	rc = 0;
	goto done;
fail:
	joint_components_release(out);
done:
	free(owner);
	free(order);
	free(active);
	free(up);
	return rc;
}

void joint_components_release(struct jt_components *c)
{
	free(c->comp);
	free(c->fixed);
	free(c->dead);
	free(c->pairs);
	memset(c, 0, sizeof *c);
}

/* ---- the fairness cap ---------------------------------------------------------- */

#define TOL 1e-6

enum jt_cap joint_cap_of(int impossible, double compromise, double cost, int alone_impossible,
			 double alone_compromise, double alone_cost, double cap)
{
	assert(cap >= 0);
	if (impossible > alone_impossible)
		return JT_OVER_IMPOSSIBLE;
	if (compromise > alone_compromise + TOL)
		return JT_OVER_COMPROMISE;
	if (cost > alone_cost + cap + TOL)
		return JT_OVER_COST;
	return JT_WITHIN_CAP;
}

int joint_within_cap(const struct jt_problem *p, size_t j)
{
	const struct jt_column *c = &p->cols[j], *s = &p->cols[p->solo[c->person]];
	return joint_cap_of(c->impossible, c->compromise, c->cost, s->impossible, s->compromise, s->cost, p->cap) ==
	       JT_WITHIN_CAP;
}

/* ---- one component's MIP ------------------------------------------------------- */

static _Thread_local jmp_buf *glpk_jump;   /* GLPK keeps an environment per thread, and so do we */

static void glpk_hook(void *info)
{
	(void)info;
	glp_free_env();
	longjmp(*glpk_jump, 1);
}

struct comp_mip {
	const struct jt_problem *p;
	const struct jt_components *c;
	size_t *cols;             /* the component's columns, in index order */
	size_t n;
	size_t *persons;
	size_t n_persons;
	double *held_soft;        /* per column: soft conflicts with choices held outside (blocks), or NULL */
	int keep_tiers;           /* from the start point: its impossibilities and compromise held (never rise) */
	glp_prob *lp;
	int *ys;                  /* GLPK columns that count a soft conflict taken (tier 1) */
	size_t n_ys;
};

struct incumbent;
static void give_incumbent(glp_tree *t, void *info);

/* Solve the MIP for the objective already set; 0 with a feasible point
 * (*opt: proven), 1 none found, -1 GLPK failed. */
static int intopt(struct comp_mip *m, double limit, struct incumbent *incumbent, int *opt)
{
	glp_iocp parm;
	glp_init_iocp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.br_tech = GLP_BR_MFV;   /* Driebeck-Tomlin evaluates tableau rows: too dear here */
	/* Depth first: under a bound on nodes the search must reach leaves
	 * (better points) rather than widen the bound. Measured on the
	 * generated caseloads (docs/batch.md): at 10,000 persons, best local
	 * bound gave compromise 10,599 and 430 impossibilities, depth first
	 * 10,229 and 404 (best projection 10,599 and 428). */
	parm.bt_tech = GLP_BT_DFS;
	/* no MIP presolve: the incumbent is given in the columns of the
	 * problem as built, which the search must then be working on */
	parm.presolve = GLP_OFF;
	/* no preprocessing at the nodes either: with the search bounded by a
	 * count of nodes, cheaper nodes are worth more than tightened bounds
	 * (docs/batch.md, "Bounded work": the masters' stages in 31% less
	 * time at 10,000 generated persons) */
	parm.pp_tech = GLP_PP_NONE;
	parm.cb_func = give_incumbent;
	parm.cb_info = incumbent;
	glp_smcp sp;
	glp_init_smcp(&sp);
	sp.msg_lev = GLP_MSG_OFF;
	sp.presolve = GLP_OFF;
	if (limit > 0)
		sp.tm_lim = limit * 1000 > INT32_MAX ? INT32_MAX : (int)(limit * 1000);
	int lr = glp_simplex(m->lp, &sp);
	if (lr == GLP_EBADB || lr == GLP_ESING || lr == GLP_ECOND) {
		glp_std_basis(m->lp);
		lr = glp_simplex(m->lp, &sp);
	}
	if (lr == GLP_ETMLIM)
		return 1;
	if (lr != 0)
		return -1;
	if (glp_get_status(m->lp) != GLP_OPT)
		return glp_get_status(m->lp) == GLP_NOFEAS ? 1 : -1;
	parm.tol_obj = 1e-9;
	parm.mip_gap = m->p->mip_gap;
	if (limit > 0)
		parm.tm_lim = limit * 1000 > INT32_MAX ? INT32_MAX : (int)(limit * 1000);
	int rc = glp_intopt(m->lp, &parm);
	int st = glp_mip_status(m->lp);
	if (rc != 0 && rc != GLP_ETMLIM && rc != GLP_ENOPFS && rc != GLP_ENODFS && rc != GLP_EMIPGAP && rc != GLP_ESTOP)
		return -1;
	*opt = rc == 0 && st == GLP_OPT;
	return st == GLP_OPT || st == GLP_FEAS ? 0 : 1;
}

/* The stages, in the order they are solved (docs/batch.md, "The joint master"). */
enum { STAGE_CAP, STAGE_IMPOSSIBLE, STAGE_COMPROMISE, STAGE_COST };

static double col_value(const struct jt_problem *p, size_t j, int stage)
{
	const struct jt_column *c = &p->cols[j];
	switch (stage) {
	case STAGE_CAP: return joint_within_cap(p, j) ? 0 : 1;
	case STAGE_IMPOSSIBLE: return c->impossible;
	case STAGE_COMPROMISE: return c->compromise;
	default: return c->cost;
	}
}

/* The objective of stage `stage` on GLPK column j: a plan's value; a soft
 * conflict taken counts one impossibility (tier 1), as does a soft
 * conflict of a plan with a choice held outside the block. */
static double obj_coef(const struct comp_mip *m, int j, int stage)
{
	if ((size_t)j <= m->n) {
		double v = col_value(m->p, m->cols[j - 1], stage);
		if (stage == STAGE_IMPOSSIBLE && m->held_soft)
			v += m->held_soft[j - 1];
		return v;
	}
	for (size_t k = 0; k < m->n_ys; k++)
		if (m->ys[k] == j)
			return stage == STAGE_IMPOSSIBLE;
	return 0;
}

/* Hold the stage's objective at its value v (integral stages exactly). */
static void hold(struct comp_mip *m, int stage, double v)
{
	int r = glp_add_rows(m->lp, 1);
	int nc = glp_get_num_cols(m->lp);
	int *ind = xmalloc(((size_t)nc + 1) * sizeof *ind);
	double *val = xmalloc(((size_t)nc + 1) * sizeof *val);
	int k = 0;
	for (int j = 1; j <= nc; j++) {
		double c = obj_coef(m, j, stage);
		if (c != 0) {
			ind[++k] = j;
			val[k] = c;
		}
	}
	double slack = stage == STAGE_CAP || stage == STAGE_IMPOSSIBLE ? 0.5 : TOL * (fabs(v) > 1 ? fabs(v) : 1);
	glp_set_mat_row(m->lp, r, k, ind, val);
	glp_set_row_bnds(m->lp, r, GLP_UP, 0, v + slack);
	free(ind);
	free(val);
}

/* The incumbent handed to GLPK's search: the last stage's answer, which
 * every later stage's rows still allow. */
struct incumbent {
	const double *x;          /* 1-based, or NULL */
	int given;
	size_t nodes, max_nodes;  /* subproblems selected; the bound (0: none) */
};

static void give_incumbent(glp_tree *t, void *info)
{
	struct incumbent *h = info;
	int why = glp_ios_reason(t);
	if (why == GLP_IHEUR && h->x && !h->given) {
		h->given = 1;
		glp_ios_heur_sol(t, h->x);
	}
	/* a bound on work by count, not by the clock: the same answer on any machine */
	if (why == GLP_ISELECT && h->max_nodes && ++h->nodes > h->max_nodes)
		glp_ios_terminate(t);
}

/* The component's bookings (indices into p->book), by lane, then start. */
static size_t *component_bookings(const struct comp_mip *m, size_t *n)
{
	const struct jt_problem *p = m->p;
	size_t nb = 0;
	for (size_t i = 0; i < m->n; i++)
		nb += p->cols[m->cols[i]].n;
	size_t *bk = xmalloc((nb + 1) * sizeof *bk);
	nb = 0;
	for (size_t i = 0; i < m->n; i++)
		for (size_t k = 0; k < p->cols[m->cols[i]].n; k++)
			bk[nb++] = p->cols[m->cols[i]].first + k;
	by_lane_start(p, bk, nb);
	*n = nb;
	return bk;
}

/* The component's column (0 .. m->n) holding booking b: m->cols are in
 * problem order, and a column's bookings follow its first. */
static size_t column_of(const struct comp_mip *m, size_t b)
{
	const struct jt_problem *p = m->p;
	size_t lo = 0, hi = m->n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p->cols[m->cols[mid]].first <= b)
			lo = mid;
		else
			hi = mid;
	}
	assert(b >= p->cols[m->cols[lo]].first && b < p->cols[m->cols[lo]].first + p->cols[m->cols[lo]].n);
	return lo;
}

/* One clique row: ind[1 .. k], the first n_moved moved columns, then the
 * fixed ones; fixed ones may run together, so two or more of them stand
 * behind one z (z >= each), and the row is "moved + z <= 1". */
static void clique_row(glp_prob *lp, int *ind, double *val, int k, int n_moved)
{
	for (int j = 1; j <= k; j++)
		val[j] = 1;
	if (k - n_moved >= 2) {
		int z = glp_add_cols(lp, 1);
		glp_set_col_bnds(lp, z, GLP_DB, 0, 1);
		int two[3];
		double v2[3] = { 0, 1, -1 };
		for (int j = n_moved + 1; j <= k; j++) {
			two[1] = ind[j];
			two[2] = z;
			int r = glp_add_rows(lp, 1);
			glp_set_mat_row(lp, r, 2, two, v2);
			glp_set_row_bnds(lp, r, GLP_UP, 0, 0);
		}
		k = n_moved;
		ind[++k] = z;
		val[k] = 1;
	}
	int r = glp_add_rows(lp, 1);
	glp_set_mat_row(lp, r, k, ind, val);
	glp_set_row_bnds(lp, r, GLP_UP, 0, 1);
}

/*
 * The conflict rows, as cliques: on each lane, at the start of each
 * booking, the columns with a booking running then can hold at most one
 * moved booking among them, and a moved one excludes the fixed ones (which
 * may all run together: z stands for "some fixed booking runs then").
 * Every pair of conflicting columns meets at the later of their starts,
 * so these rows forbid exactly the conflicts, and their relaxation is far
 * tighter than one row per pair.
 */
static void add_cliques(struct comp_mip *m)
{
	const struct jt_problem *p = m->p;
	size_t nb;
	size_t *bk = component_bookings(m, &nb);
	size_t *act = xmalloc((nb + 1) * sizeof *act);
	int *ind = xmalloc((m->n + 3) * sizeof *ind), *prev = xmalloc((m->n + 3) * sizeof *prev);
	double *val = xmalloc((m->n + 3) * sizeof *val);
	int *stamp = xcalloc(m->n + 1, sizeof *stamp);
	size_t n_act = 0;
	int tick = 0, n_prev = 0;
	for (size_t i = 0; i < nb; i++) {
		const struct jt_booking *b = &p->book[bk[i]];
		if (i && p->book[bk[i - 1]].lane != b->lane)
			n_act = 0;
		if (b->end <= b->start)
			continue;
		/* the bookings running when b starts, b among them */
		size_t keep = 0;
		for (size_t k = 0; k < n_act; k++)
			if (p->book[act[k]].end > b->start)
				act[keep++] = act[k];
		n_act = keep;
		act[n_act++] = bk[i];
		/* their columns, each once: moved ones, then fixed ones */
		tick++;
		int n_moved = 0, k = 0, persons = 0;
		size_t first_person = SIZE_MAX;
		for (int fixed = 0; fixed < 2; fixed++)
			for (size_t a = 0; a < n_act; a++) {
				if (p->book[act[a]].fixed != fixed)
					continue;
				size_t col = column_of(m, act[a]);
				if (stamp[col] == tick)
					continue;   /* moved wins: it comes first */
				stamp[col] = tick;
				ind[++k] = (int)col + 1;
				n_moved += !fixed;
				size_t person = p->cols[m->cols[col]].person;
				if (first_person == SIZE_MAX)
					first_person = person;
				else if (person != first_person)
					persons = 2;
			}
		/* no row: nothing moved, one person only, or the row before's set */
		if (!n_moved || persons < 2)
			continue;
		if (k == n_prev && memcmp(&ind[1], &prev[1], (size_t)k * sizeof *ind) == 0)
			continue;
		memcpy(&prev[1], &ind[1], (size_t)k * sizeof *ind);
		n_prev = k;
		clique_row(m->lp, ind, val, k, n_moved);
	}
	free(bk);
	free(act);
	free(ind);
	free(prev);
	free(val);
	free(stamp);
}

/* Choose for one component; *optimal cleared when a stage stopped early. */
/* The start point x (1-based) of the choice: each column 0 or 1, and each
 * z of add_cliques 1 when a fixed column it stands for is chosen. */
static void start_point(struct comp_mip *m, const size_t *choice, double *x, int nc)
{
	const struct jt_problem *p = m->p;
	for (size_t i = 0; i < m->n; i++)
		x[i + 1] = choice[p->cols[m->cols[i]].person] == m->cols[i];
	int nr = glp_get_num_rows(m->lp);
	int *ind = xmalloc(((size_t)(nr > nc ? nr : nc) + 1) * sizeof *ind);
	double *val = xmalloc(((size_t)(nr > nc ? nr : nc) + 1) * sizeof *val);
	int *rind = xmalloc(((size_t)nc + 1) * sizeof *rind);
	double *rval = xmalloc(((size_t)nc + 1) * sizeof *rval);
	for (int j = (int)m->n + 1; j <= nc; j++) {
		x[j] = 0;
		int k = glp_get_mat_col(m->lp, j, ind, val);
		for (int a = 1; a <= k && !x[j]; a++) {
			if (val[a] >= 0)
				continue;   /* x_f - z <= 0: f is one it stands for */
			int kk = glp_get_mat_row(m->lp, ind[a], rind, rval), on = 0;
			for (int b = 1; b <= kk; b++)
				on += rind[b] != j && x[rind[b]] > 0.5;
			/* z (x_f - z <= 0): any; y (xa + xb - y <= 1): both */
			if (kk == 2 ? on >= 1 : on >= 2)
				x[j] = 1;
		}
	}
	free(ind);
	free(val);
	free(rind);
	free(rval);
}

/*
 * The LP's first basis from the start point x: the chosen columns basic
 * (one per person row), every other row's slack basic, and every other
 * column at the bound x holds it at. The basis matrix is then triangular
 * with a unit diagonal (each person row meets its chosen column only), and
 * it is feasible because x is, so the simplex starts from x's vertex
 * instead of searching for a feasible one from the slacks.
 */
static void start_basis(struct comp_mip *m, const double *x, int nc)
{
	int nr = glp_get_num_rows(m->lp);
	for (int r = 1; r <= nr; r++)
		glp_set_row_stat(m->lp, r, (size_t)r <= m->n_persons ? GLP_NS : GLP_BS);
	for (int j = 1; j <= nc; j++) {
		int on = x[j] > 0.5;
		glp_set_col_stat(m->lp, j, on && (size_t)j <= m->n ? GLP_BS : on ? GLP_NU : GLP_NL);
	}
}

/* The component's MIP: a binary per column, each person one plan, the
 * clique rows, and a y per soft conflict (y >= xa + xb - 1, counted as an
 * impossibility). pos: each problem column's place in m->cols, or
 * SIZE_MAX. The objective is set per stage. */
static glp_prob *build_mip(struct comp_mip *m, const size_t *pos)
{
	const struct jt_problem *p = m->p;
	glp_prob *lp = m->lp = glp_create_prob();
	glp_set_obj_dir(lp, GLP_MIN);
	glp_add_cols(lp, (int)m->n);
	for (size_t i = 0; i < m->n; i++)
		glp_set_col_kind(lp, (int)i + 1, GLP_BV);
	/* each person one plan */
	int ind[JOINT_MAX_COLUMNS + 2];
	double val[JOINT_MAX_COLUMNS + 2];
	for (size_t a = 0, i = 0; a < m->n_persons; a++) {
		int k = 0;
		for (; i < m->n && p->cols[m->cols[i]].person == m->persons[a]; i++) {
			assert(k <= JOINT_MAX_COLUMNS);
			ind[++k] = (int)i + 1;
			val[k] = 1;
		}
		int r = glp_add_rows(lp, 1);
		glp_set_mat_row(lp, r, k, ind, val);
		glp_set_row_bnds(lp, r, GLP_FX, 1, 1);
	}
	add_cliques(m);
	/* soft conflicts: both may be taken, at one impossibility: y >= xa + xb - 1 */
	for (size_t i = 0; m->c && i < m->c->n_pairs; i++) {
		const struct jt_pair *q = &m->c->pairs[i];
		if (!q->soft || pos[q->a] == SIZE_MAX || pos[q->b] == SIZE_MAX)
			continue;
		m->ys = xreallocarray(m->ys, m->n_ys + 1, sizeof *m->ys);
		int y = glp_add_cols(lp, 1);
		glp_set_col_bnds(lp, y, GLP_DB, 0, 1);
		m->ys[m->n_ys++] = y;
		int three[4] = { 0, (int)pos[q->a] + 1, (int)pos[q->b] + 1, y };
		double v3[4] = { 0, 1, 1, -1 };
		int r = glp_add_rows(lp, 1);
		glp_set_mat_row(lp, r, 3, three, v3);
		glp_set_row_bnds(lp, r, GLP_UP, 0, 1);
	}
	return lp;
}

/* Solve a component's (or a block's) MIP in the stages of joint.h, each
 * held for the next: into choice, for m's persons. start: choice as it
 * stands is feasible and the search starts from it; otherwise, when no
 * stage finds a point, the weeks as booked stand. *optimal: every stage
 * proven. 0, or -1 when GLPK failed (d says so). */
static int solve_component(struct comp_mip *m, const size_t *pos, size_t *choice, const int start, double limit,
			   int *optimal, struct diag *d)
{
	const struct jt_problem *p = m->p;
	double *x = NULL;
	jmp_buf jb;
	glpk_jump = &jb;
	glp_term_out(GLP_OFF);
	glp_error_hook(glpk_hook, NULL);
	if (setjmp(jb)) {
		/* GLPK failed (its environment is gone, the problem with it) */
		m->lp = NULL;
		free(x);
		free(m->ys);
		m->ys = NULL;
		m->n_ys = 0;
		diag_add(d, D_SOLVER, NULL, 0, 0, "the caseload's master");
		return -1;
	}
	glp_prob *lp = m->lp = build_mip(m, pos);
	int nc = glp_get_num_cols(lp);
	x = xcalloc((size_t)nc + 1, sizeof *x);
	*optimal = 1;
	int found = 0;
	if (start) {
		/* the choice as it stands is feasible: the search starts from it */
		start_point(m, choice, x, nc);
		start_basis(m, x, nc);
		found = 1;
		for (int stage = STAGE_IMPOSSIBLE; m->keep_tiers && stage <= STAGE_COMPROMISE; stage++) {
			double v = 0;
			for (int j = 1; j <= nc; j++)
				v += obj_coef(m, j, stage) * x[j];
			hold(m, stage, v);
		}
	}
	for (int stage = 0; stage < 4; stage++) {
		for (int j = 1; j <= nc; j++)
			glp_set_obj_coef(lp, j, obj_coef(m, j, stage));
		struct incumbent h = { found ? x : NULL, 0, 0, p->max_nodes };
		int opt = 0;
		int rc = intopt(m, limit, &h, &opt);
		if (rc < 0) {
			glp_delete_prob(lp);
			m->lp = NULL;
			free(x);
			diag_add(d, D_SOLVER, NULL, 0, 0, "the caseload's master");
			return -1;
		}
		if (rc == 1)
			break;   /* nothing found in time: the last stage's answer stands */
		found = 1;
		*optimal &= opt;
		for (int j = 1; j <= nc; j++)
			x[j] = glp_mip_col_val(lp, j);
		for (size_t i = 0; i < m->n; i++)
			if (x[i + 1] > 0.5)
				choice[p->cols[m->cols[i]].person] = m->cols[i];
		/* a stage cut short holds at the best it found */
		if (stage < 3)
			hold(m, stage, glp_mip_obj_val(lp));
	}
	if (!found) {
		/* nothing found in time: the week as booked, which always fits */
		for (size_t a = 0; a < m->n_persons; a++)
			choice[m->persons[a]] = p->booked[m->persons[a]];
		*optimal = 0;
	}
	free(x);
	free(m->ys);
	m->ys = NULL;
	m->n_ys = 0;
	glp_delete_prob(lp);
	m->lp = NULL;
	return 0;
}

/* Columns' conflicts, as lists: v[first[j] .. first[j + 1]) (live pairs
 * only, unless with_dead), each the other column shifted left once, its
 * low bit soft. */
struct adjacency {
	size_t *first, *v;
};

static void adjacency_build(const struct jt_problem *p, const struct jt_components *c, int with_dead,
			    struct adjacency *a)
{
	a->first = xcalloc(p->n_cols + 2, sizeof *a->first);
	a->v = xmalloc((2 * c->n_pairs + 1) * sizeof *a->v);
	size_t *fill = xcalloc(p->n_cols + 1, sizeof *fill);
	for (size_t i = 0; i < c->n_pairs; i++) {
		if (!with_dead && (c->dead[c->pairs[i].a] || c->dead[c->pairs[i].b]))
			continue;
		a->first[c->pairs[i].a + 1]++;
		a->first[c->pairs[i].b + 1]++;
	}
	for (size_t j = 0; j < p->n_cols; j++)
		a->first[j + 1] += a->first[j];
	for (size_t i = 0; i < c->n_pairs; i++) {
		size_t x = c->pairs[i].a, y = c->pairs[i].b;
		if (!with_dead && (c->dead[x] || c->dead[y]))
			continue;
		a->v[a->first[x] + fill[x]++] = y << 1 | (size_t)c->pairs[i].soft;
		a->v[a->first[y] + fill[y]++] = x << 1 | (size_t)c->pairs[i].soft;
	}
	free(fill);
}

/* Scratch for solve_set, sized by the problem. */
struct set_scratch {
	const struct adjacency *adj;
	size_t *colfirst;         /* per person: its first column in p->cols */
	size_t *pos;              /* per column: its place in the set's MIP, or SIZE_MAX */
	size_t *cols;             /* the set's columns */
	double *soft;             /* per set column: soft conflicts with held choices */
	unsigned char *in;        /* per person: in the set */
};

static void set_scratch_init(struct set_scratch *x, const struct jt_problem *p, const struct adjacency *adj)
{
	x->adj = adj;
	x->colfirst = xmalloc((p->n_persons + 1) * sizeof *x->colfirst);
	for (size_t j = p->n_cols; j-- > 0;)
		x->colfirst[p->cols[j].person] = j;
	x->pos = xmalloc((p->n_cols + 1) * sizeof *x->pos);
	for (size_t j = 0; j < p->n_cols; j++)
		x->pos[j] = SIZE_MAX;
	x->cols = xmalloc((p->n_cols + 1) * sizeof *x->cols);
	x->soft = xmalloc((p->n_cols + 1) * sizeof *x->soft);
	x->in = xcalloc(p->n_persons + 1, 1);
}

static void set_scratch_release(struct set_scratch *x)
{
	free(x->colfirst);
	free(x->pos);
	free(x->cols);
	free(x->soft);
	free(x->in);
}

/*
 * Choose again for the persons bp[0 .. nb) (in index order), everyone else
 * held where they are: a column that conflicts with a held choice is out
 * (unless it is the person's choice now, as is a column ruled out by a
 * fix), and its soft conflicts with held choices count as
 * impossibilities. The MIP starts from the choice as it stands, so nothing
 * gets worse in the order of the stages (keep_tiers: nor do the set's
 * impossibilities and compromise rise at all). 0, or -1 when GLPK failed
 * (d says so).
 */
static int solve_set(const struct jt_problem *p, const struct jt_components *c, struct set_scratch *x,
		     const size_t *bp, size_t nb, int keep_tiers, size_t *choice, struct diag *d)
{
	assert(nb <= JOINT_BLOCK);
	const struct adjacency *adj = x->adj;
	for (size_t i = 0; i < nb; i++) {
		assert(i == 0 || bp[i - 1] < bp[i]);
		x->in[bp[i]] = 1;
	}
	struct comp_mip m = { .p = p, .c = c, .cols = x->cols, .persons = (size_t *)bp, .n_persons = nb,
			      .held_soft = x->soft, .keep_tiers = keep_tiers };
	for (size_t a = 0; a < nb; a++) {
		size_t u = bp[a];
		for (size_t j = x->colfirst[u]; j < p->n_cols && p->cols[j].person == u; j++) {
			if (c->dead[j] && choice[u] != j)
				continue;   /* ruled out by a fix, unless it is the start */
			int held = 0, nsoft = 0;
			for (size_t e = adj->first[j]; e < adj->first[j + 1] && !held; e++) {
				size_t o = adj->v[e] >> 1, w = p->cols[o].person;
				int taken = !x->in[w] && choice[w] == o;
				held = taken && !(adj->v[e] & 1);
				nsoft += taken && (adj->v[e] & 1);
			}
			if (held && choice[u] != j)
				continue;
			x->soft[m.n] = nsoft;
			x->pos[j] = m.n;
			x->cols[m.n++] = j;
		}
	}
	int opt;
	int rc = solve_component(&m, x->pos, choice, 1, p->time_limit, &opt, d);
	for (size_t i = 0; i < m.n; i++)
		x->pos[x->cols[i]] = SIZE_MAX;
	for (size_t i = 0; i < nb; i++)
		x->in[bp[i]] = 0;
	return rc;
}

/* Persons in index order, as the MIP's rows want them (qsort). */
static int by_person(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/*
 * The blocks' MIPs of solve_blocks, pass after pass, with the answer they
 * give one after another. MIP t (block seq[t % nb] of pass t / nb) reads
 * the choices of its block's persons and of their neighbours, and writes
 * its block's. So it waits for every earlier MIP whose block is its own or
 * a neighbour (near), and runs beside the others: what each reads is what
 * it would read in order, and the choices are the same for any number of
 * threads. A pass takes the blocks by colour (block_sequence): the blocks
 * of one colour are not neighbours, so they run beside each other; and the
 * next pass's first blocks run beside this one's last.
 */
struct blocks {
	const struct jt_problem *p;
	const struct jt_components *c;
	const struct adjacency *adj;
	const size_t *order;      /* the component's persons, breadth first */
	size_t np, nb, nt;        /* persons, blocks, MIPs (passes x blocks) */
	unsigned char *near;      /* nb x nb: the same block or neighbours */
	size_t *seq;              /* nb: the blocks in the order of a pass */
	unsigned char *state;     /* per MIP: 0 to run, 1 running, 2 done */
	size_t done;              /* MIPs 0 .. done are all done */
	size_t *choice;
	int rc;                   /* the first failure */
	struct diag d;            /* ... and what it said */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* The first MIP that can run now, or SIZE_MAX; *left: one is still to run. */
static size_t blocks_next(const struct blocks *w, int *left)
{
	*left = 0;
	for (size_t t = w->done; t < w->nt; t++) {
		if (w->state[t])
			continue;
		*left = 1;
		size_t s = w->done;
		while (s < t && (w->state[s] == 2 || !w->near[w->seq[s % w->nb] * w->nb + w->seq[t % w->nb]]))
			s++;
		if (s == t)
			return t;
	}
	return SIZE_MAX;
}

static void *blocks_run(void *arg)
{
	struct blocks *w = arg;
	struct set_scratch x;
	set_scratch_init(&x, w->p, w->adj);
	size_t *bp = xmalloc((JOINT_BLOCK + 1) * sizeof *bp);
	struct diag d;
	diag_init(&d);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		int left;
		size_t t = blocks_next(w, &left);
		if (w->rc || !left)
			break;
		if (t == SIZE_MAX) {
			pthread_cond_wait(&w->cv, &w->mu);
			continue;
		}
		w->state[t] = 1;
		pthread_mutex_unlock(&w->mu);
		size_t b0 = w->seq[t % w->nb] * JOINT_BLOCK, n = w->np - b0 < JOINT_BLOCK ? w->np - b0 : JOINT_BLOCK;
		memcpy(bp, &w->order[b0], n * sizeof *bp);
		qsort(bp, n, sizeof *bp, by_person);
		int rc = solve_set(w->p, w->c, &x, bp, n, 0, w->choice, &d);
		pthread_mutex_lock(&w->mu);
		w->state[t] = 2;
		while (w->done < w->nt && w->state[w->done] == 2)
			w->done++;
		if (rc < 0 && !w->rc) {
			w->rc = rc;
			diag_move(&w->d, &d);
		}
		pthread_cond_broadcast(&w->cv);
	}
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	diag_release(&d);
	free(bp);
	set_scratch_release(&x);
	return NULL;
}

/* A thread of blocks_solve's other than the caller's: GLPK's environment
 * is the thread's, and goes with it. */
static void *blocks_thread(void *arg)
{
	blocks_run(arg);
	glp_free_env();
	return NULL;
}

/* Run w's MIPs in up to threads threads (the caller's one of them).
 * 0, or -1 with d filled. */
static int blocks_solve(struct blocks *w, int threads, struct diag *d)
{
	pthread_t tid[JOINT_MAX_THREADS];
	int started = 0;
	diag_init(&w->d);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (int k = 1; k < threads && k < JOINT_MAX_THREADS && (size_t)k < w->nt; k++) {
		if (pthread_create(&tid[started], NULL, blocks_thread, w) != 0)
			break;   /* the threads started do the rest */
		started++;
	}
	blocks_run(w);
	for (int k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	assert(w->rc || w->done == w->nt);
	diag_move(d, &w->d);
	diag_release(&w->d);
	return w->rc;
}

/*
 * The order of a pass over nb blocks (near: nb x nb, the same block or
 * neighbours), into seq: each block, in index order, takes the least
 * colour no neighbour before it took, and the pass goes colour by colour,
 * each colour's blocks in index order. Blocks of one colour are not
 * neighbours, so their MIPs can run beside each other; breadth-first
 * blocks in index order would each wait for the one before. It depends
 * on the blocks alone, not on the threads, so the answer does not either.
 */
static void block_sequence(const unsigned char *near, size_t nb, size_t *seq)
{
	size_t *colour = xmalloc((nb + 1) * sizeof *colour);
	unsigned char *used = xmalloc(nb + 1);
	size_t n_colours = 0;
	for (size_t b = 0; b < nb; b++) {
		memset(used, 0, nb + 1);
		for (size_t a = 0; a < b; a++)
			if (near[a * nb + b])
				used[colour[a]] = 1;
		size_t k = 0;
		while (used[k])
			k++;
		assert(k <= b);
		colour[b] = k;
		if (k + 1 > n_colours)
			n_colours = k + 1;
	}
	size_t n = 0;
	for (size_t k = 0; k < n_colours; k++)
		for (size_t b = 0; b < nb; b++)
			if (colour[b] == k)
				seq[n++] = b;
	assert(n == nb);
	free(used);
	free(colour);
}

/*
 * A component too large for one MIP, in blocks of JOINT_BLOCK persons in
 * breadth-first order over the conflicts (neighbours stay together): from
 * the week as booked for all (always a plan), each block's MIP chooses
 * again for its persons, the others held where they are (solve_set), from
 * the choice as it stands (so no block makes anything worse).
 * JOINT_BLOCK_PASSES passes. Not proven.
 */
static int solve_blocks(struct comp_mip *whole, const struct jt_components *c, const struct adjacency *adj,
			size_t *choice, int *optimal, struct diag *d)
{
	const struct jt_problem *p = whole->p;
	size_t np = whole->n_persons;
	size_t *order = xmalloc((np + 1) * sizeof *order);
	unsigned char *seen = xcalloc(p->n_persons + 1, 1);
	struct set_scratch x;
	set_scratch_init(&x, p, adj);
	int rc = 0;
	/* breadth first from each person not yet reached, in index order */
	size_t head = 0, tail = 0;
	for (size_t a = 0; a < np; a++) {
		size_t root = whole->persons[a];
		if (seen[root])
			continue;
		seen[root] = 1;
		order[tail++] = root;
		while (head < tail) {
			size_t u = order[head++];
			for (size_t j = x.colfirst[u]; j < p->n_cols && p->cols[j].person == u; j++) {
				if (c->dead[j])
					continue;
				for (size_t e = adj->first[j]; e < adj->first[j + 1]; e++) {
					size_t w = p->cols[adj->v[e] >> 1].person;
					if (!seen[w]) {
						seen[w] = 1;
						order[tail++] = w;
					}
				}
			}
		}
	}
	assert(tail == np);
	for (size_t a = 0; a < np; a++)
		choice[whole->persons[a]] = p->booked[whole->persons[a]];
	*optimal = 0;
	/* which blocks are the same or neighbours */
	size_t nb = (np + JOINT_BLOCK - 1) / JOINT_BLOCK;
	size_t *block = xmalloc((p->n_persons + 1) * sizeof *block);
	for (size_t i = 0; i < p->n_persons; i++)
		block[i] = SIZE_MAX;
	for (size_t a = 0; a < np; a++)
		block[order[a]] = a / JOINT_BLOCK;
	struct blocks w = { .p = p, .c = c, .adj = adj, .order = order, .np = np, .nb = nb,
			    .nt = nb * JOINT_BLOCK_PASSES, .choice = choice };
	w.near = xcalloc(nb * nb + 1, 1);
	w.state = xcalloc(w.nt + 1, 1);
	for (size_t a = 0; a < np; a++) {
		size_t u = order[a];
		w.near[block[u] * nb + block[u]] = 1;
		for (size_t j = x.colfirst[u]; j < p->n_cols && p->cols[j].person == u; j++)
			for (size_t e = adj->first[j]; e < adj->first[j + 1]; e++) {
				size_t v = block[p->cols[adj->v[e] >> 1].person];
				if (v != SIZE_MAX)
					w.near[block[u] * nb + v] = w.near[v * nb + block[u]] = 1;
			}
	}
	free(block);
	set_scratch_release(&x);
	w.seq = xmalloc((nb + 1) * sizeof *w.seq);
	block_sequence(w.near, nb, w.seq);
	rc = blocks_solve(&w, p->threads, d);
	free(w.seq);
	free(w.near);
	free(w.state);
	free(order);
	free(seen);
	return rc;
}

struct jt_sets {
	const struct jt_problem *p;
	const struct jt_components *c;
	struct adjacency adj;
	struct set_scratch x;
	size_t *bp;
};

struct jt_sets *joint_sets_new(const struct jt_problem *p, const struct jt_components *c)
{
	struct jt_sets *s = xcalloc(1, sizeof *s);
	s->p = p;
	s->c = c;
	adjacency_build(p, c, 1, &s->adj);   /* a start may hold a column ruled out by a fix */
	set_scratch_init(&s->x, p, &s->adj);
	s->bp = xmalloc((JOINT_BLOCK + 1) * sizeof *s->bp);
	return s;
}

int joint_sets_solve(struct jt_sets *s, const size_t *persons, size_t n, int keep_tiers, size_t *choice,
		     struct diag *d)
{
	assert(n <= JOINT_BLOCK);
	if (!n)
		return 0;
	memcpy(s->bp, persons, n * sizeof *s->bp);
	qsort(s->bp, n, sizeof *s->bp, by_person);
	return solve_set(s->p, s->c, &s->x, s->bp, n, keep_tiers, choice, d);
}

void joint_sets_free(struct jt_sets *s)
{
	if (!s)
		return;
	set_scratch_release(&s->x);
	free(s->adj.first);
	free(s->adj.v);
	free(s->bp);
	free(s);
}

int joint_solve(const struct jt_problem *p, const struct jt_components *c, const unsigned char *only,
		struct jt_solution *s, struct diag *d)
{
	if (!only) {
		free(s->choice);
		memset(s, 0, sizeof *s);
		s->choice = xmalloc((p->n_persons + 1) * sizeof *s->choice);
	}
	s->optimal = 1;
	s->mips = 0;
	/* the components' persons and columns, grouped */
	size_t *first = xcalloc(c->n + 1, sizeof *first);      /* persons of component k: at[first[k] .. first[k + 1]) */
	size_t *at = xmalloc((p->n_persons + 1) * sizeof *at);
	size_t *colfirst = xmalloc((p->n_persons + 1) * sizeof *colfirst);
	size_t *pos = xmalloc((p->n_cols + 1) * sizeof *pos);
	unsigned char *clash = xcalloc(c->n + 1, 1);
	struct adjacency adj_s = { NULL, NULL }, *adj = &adj_s;
	int rc = 0;
	for (size_t i = 0; i < p->n_persons; i++)
		first[c->comp[i] + 1]++;
	for (size_t k = 0; k < c->n; k++)
		first[k + 1] += first[k];
	{
		size_t *fill = xcalloc(c->n + 1, sizeof *fill);
		for (size_t i = 0; i < p->n_persons; i++)
			at[first[c->comp[i]] + fill[c->comp[i]]++] = i;
		free(fill);
	}
	for (size_t j = p->n_cols; j-- > 0;)
		colfirst[p->cols[j].person] = j;
	/* a component with a person not fixed needs its MIP */
	for (size_t i = 0; i < p->n_persons; i++)
		if (!c->fixed[i])
			clash[c->comp[i]] = 1;
	for (size_t j = 0; j < p->n_cols; j++)
		pos[j] = SIZE_MAX;
	adjacency_build(p, c, 0, adj);
	for (size_t k = 0; k < c->n && !rc; k++) {
		if (only && !only[k])
			continue;
		size_t np = first[k + 1] - first[k];
		if (!clash[k]) {
			for (size_t a = 0; a < np; a++)
				s->choice[at[first[k] + a]] = p->solo[at[first[k] + a]];
			continue;
		}
		struct comp_mip m = { .p = p, .c = c, .persons = &at[first[k]], .n_persons = np };
		size_t nc = 0;
		for (size_t a = 0; a < np; a++)
			for (size_t j = colfirst[m.persons[a]]; j < p->n_cols && p->cols[j].person == m.persons[a]; j++)
				nc += !c->dead[j];
		m.cols = xmalloc((nc + 1) * sizeof *m.cols);
		for (size_t a = 0; a < np; a++)
			for (size_t j = colfirst[m.persons[a]]; j < p->n_cols && p->cols[j].person == m.persons[a]; j++) {
				if (c->dead[j])
					continue;
				pos[j] = m.n;
				m.cols[m.n++] = j;
			}
		int optimal = 1;
		if (np > JOINT_BLOCK)
			rc = solve_blocks(&m, c, adj, s->choice, &optimal, d);
		else
			rc = solve_component(&m, pos, s->choice, 0, p->time_limit, &optimal, d);
		s->optimal &= optimal;
		s->mips++;
		for (size_t i = 0; i < m.n; i++)
			pos[m.cols[i]] = SIZE_MAX;
		free(m.cols);
	}
	s->over_cap = 0;
	for (size_t i = 0; !rc && i < p->n_persons; i++)
		s->over_cap += !joint_within_cap(p, s->choice[i]);
	free(adj->first);
	free(adj->v);
	free(first);
	free(at);
	free(colfirst);
	free(pos);
	free(clash);
	return rc;
}

void joint_solution_release(struct jt_solution *s)
{
	free(s->choice);
	memset(s, 0, sizeof *s);
}

/* ---- the last MIPs around each person outside the cap ------------------------ */

/* A choice's persons outside the cap, impossibilities (soft conflicts
 * taken among them) and compromise, into v[0 .. 3). */
static void caseload_tiers(const struct jt_problem *pr, const struct jt_components *comps, const size_t *choice,
			   double v[3])
{
	v[0] = v[1] = v[2] = 0;
	for (size_t i = 0; i < pr->n_persons; i++) {
		v[0] += !joint_within_cap(pr, choice[i]);
		v[1] += pr->cols[choice[i]].impossible;
		v[2] += pr->cols[choice[i]].compromise;
	}
	for (size_t k = 0; k < comps->n_pairs; k++) {
		const struct jt_pair *q = &comps->pairs[k];
		v[1] += q->soft && choice[pr->cols[q->a].person] == q->a && choice[pr->cols[q->b].person] == q->b;
	}
}

/*
 * The set joint_polish() chooses again for around person i, outside the
 * cap: i, the persons whose choices are in the way of its plans within the
 * cap, those in the way of theirs (their other plans within their own
 * cap), and so on, `depth` steps, at most JOINT_BLOCK persons (the nearest
 * first). stamp[q] == tag marks those taken. Into set; returns how many,
 * and the steps that took someone in *reached.
 */
static size_t polish_set(const struct jt_problem *pr, const struct jt_components *comps, const size_t *choice,
			 const size_t *colfirst, const struct adjacency *g, size_t i, int depth, size_t *stamp,
			 size_t tag, size_t *set, int *reached)
{
	size_t n = 0, h = 0;
	set[n++] = i;
	stamp[i] = tag;
	*reached = 0;
	for (int step = 0; step < depth; step++) {
		size_t end = n;
		for (; h < end; h++) {
			size_t u = set[h];
			for (size_t y = colfirst[u]; y < pr->n_cols && pr->cols[y].person == u; y++) {
				if (comps->dead[y] || y == choice[u] || !joint_within_cap(pr, y))
					continue;
				for (size_t e = g->first[y]; e < g->first[y + 1] && n < JOINT_BLOCK; e++) {
					size_t o = g->v[e] >> 1, q = pr->cols[o].person;
					if (stamp[q] != tag && choice[q] == o) {
						stamp[q] = tag;
						set[n++] = q;
					}
				}
			}
		}
		if (n > end)
			*reached = step + 1;
	}
	return n;
}

/*
 * What a set's MIP reads: the choices of its persons and of every person
 * with a column in conflict with one of theirs (polish_set reads no more:
 * its conflicts are these). Whether any of them has mark[q] >= at; or,
 * with at == 0, mark them all with to.
 */
static int reads_marked(const struct jt_problem *pr, const struct adjacency *adj, const size_t *colfirst,
			const size_t *set, size_t n, size_t *mark, size_t at, size_t to)
{
	for (size_t a = 0; a < n; a++) {
		size_t u = set[a];
		if (at ? mark[u] >= at : (mark[u] = to, 0))
			return 1;
		for (size_t j = colfirst[u]; j < pr->n_cols && pr->cols[j].person == u; j++)
			for (size_t e = adj->first[j]; e < adj->first[j + 1]; e++) {
				size_t q = pr->cols[adj->v[e] >> 1].person;
				if (at ? mark[q] >= at : (mark[q] = to, 0))
					return 1;
			}
	}
	return 0;
}

/* One MIP of a polish wave: its persons (sorted, as the MIP wants them),
 * their choices before it, and how it went. */
struct pjob {
	size_t *set, *was, n;
	int rc;
	struct diag d;
};

/* A wave of joint_polish's MIPs, none reading what another writes: they
 * run beside each other in up to JOINT_MAX_THREADS threads, thread k with
 * scratch x[k], each taking the next job. */
struct wave {
	const struct jt_problem *p;
	const struct jt_components *c;
	struct set_scratch *x;
	size_t *choice;
	struct pjob *job;
	size_t n, next;
	pthread_mutex_t mu;
};

struct wave_thread_arg {
	struct wave *w;
	int k;
};

static void *wave_run(void *arg)
{
	const struct wave_thread_arg *t = arg;
	struct wave *w = t->w;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		size_t k = w->next < w->n ? w->next++ : SIZE_MAX;
		pthread_mutex_unlock(&w->mu);
		if (k == SIZE_MAX)
			break;
		struct pjob *j = &w->job[k];
		j->rc = solve_set(w->p, w->c, &w->x[t->k], j->set, j->n, 1, w->choice, &j->d);
	}
	return NULL;
}

/* A thread of wave_solve's other than the caller's (GLPK's environment
 * goes with it). */
static void *wave_thread(void *arg)
{
	wave_run(arg);
	glp_free_env();
	return NULL;
}

static void wave_solve(struct wave *w, int threads)
{
	pthread_t tid[JOINT_MAX_THREADS];
	struct wave_thread_arg ta[JOINT_MAX_THREADS];
	int started = 0;
	w->next = 0;
	pthread_mutex_init(&w->mu, NULL);
	for (int k = 1; k < threads && (size_t)k < w->n; k++) {
		ta[k] = (struct wave_thread_arg){ w, k };
		if (pthread_create(&tid[started], NULL, wave_thread, &ta[k]) != 0)
			break;   /* the threads started do the rest */
		started++;
	}
	ta[0] = (struct wave_thread_arg){ w, 0 };
	wave_run(&ta[0]);
	for (int k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	pthread_mutex_destroy(&w->mu);
}

/* joint_polish's state across its waves: for each person, the MIP (by
 * number) that last changed its choice, and the MIP last solved for it and
 * whether that changed nothing (then the same reads give the same nothing:
 * the MIP is skipped); and the marks of what the pending wave writes and
 * reads (wmark, rmark == tag). */
struct polish {
	struct wave w;
	size_t *changed_at, *solved_at, *for_person;
	unsigned char *still;
	size_t *wmark, *rmark, tag, seq;
	int threads, rc;
	struct diag *d;
};

/* Solve the pending wave and record what it changed, in the order the
 * MIPs were taken (so, as one after another would). */
static void wave_flush(struct polish *z, struct jt_polish_stats *ps)
{
	struct wave *w = &z->w;
	if (!w->n)
		return;
	if (w->n > ps->widest)
		ps->widest = w->n;
	wave_solve(w, z->threads);
	for (size_t k = 0; k < w->n; k++) {
		struct pjob *j = &w->job[k];
		if (j->rc < 0 && !z->rc) {
			z->rc = -1;
			diag_move(z->d, &j->d);
		}
		diag_release(&j->d);
		int moved = 0;
		z->seq++;
		for (size_t a = 0; a < j->n; a++)
			if (w->choice[j->set[a]] != j->was[a]) {
				z->changed_at[j->set[a]] = z->seq;
				moved = 1;
			}
		z->solved_at[z->for_person[k]] = z->seq;
		z->still[z->for_person[k]] = !moved;
	}
	w->n = 0;
	z->tag++;   /* no mark is pending any more */
}

int joint_polish(const struct jt_problem *pr, const struct jt_components *comps, struct jt_solution *sol,
		 int passes, int depth, struct jt_polish_stats *ps, struct diag *d)
{
	assert(passes >= 1 && depth >= 0);
	size_t np = pr->n_persons;
	*ps = (struct jt_polish_stats){ 0 };
	/* the conflicts, dead columns too (a start may hold one), as the MIPs read them */
	struct adjacency g;
	adjacency_build(pr, comps, 1, &g);
	size_t *colfirst = xmalloc((np + 1) * sizeof *colfirst);
	for (size_t j = pr->n_cols; j-- > 0;)
		colfirst[pr->cols[j].person] = j;
	size_t *stamp = xcalloc(np + 1, sizeof *stamp), *set = xmalloc((JOINT_BLOCK + 1) * sizeof *set);
	size_t *was = xmalloc((np + 1) * sizeof *was), *pass_was = xmalloc((np + 1) * sizeof *pass_was);
	memcpy(was, sol->choice, np * sizeof *was);
	struct polish z = { .tag = 1, .d = d };
	z.threads = pr->threads < 1 ? 1 : pr->threads > JOINT_MAX_THREADS ? JOINT_MAX_THREADS : pr->threads;
	z.changed_at = xcalloc(np + 1, sizeof *z.changed_at);
	z.solved_at = xcalloc(np + 1, sizeof *z.solved_at);
	z.still = xcalloc(np + 1, 1);
	z.wmark = xcalloc(np + 1, sizeof *z.wmark);
	z.rmark = xcalloc(np + 1, sizeof *z.rmark);
	z.for_person = xmalloc(JOINT_POLISH_WAVE * sizeof *z.for_person);
	z.w = (struct wave){ .p = pr, .c = comps, .choice = sol->choice };
	z.w.x = xmalloc((size_t)z.threads * sizeof *z.w.x);
	for (int k = 0; k < z.threads; k++)
		set_scratch_init(&z.w.x[k], pr, &g);
	z.w.job = xcalloc(JOINT_POLISH_WAVE, sizeof *z.w.job);
	for (size_t k = 0; k < JOINT_POLISH_WAVE; k++) {
		z.w.job[k].set = xmalloc((JOINT_BLOCK + 1) * sizeof *z.w.job[k].set);
		z.w.job[k].was = xmalloc((JOINT_BLOCK + 1) * sizeof *z.w.job[k].was);
	}
	size_t tag = 0;
	/*
	 * The MIPs in turn, person by person, as one after another; but a MIP
	 * that reads nothing an earlier pending one writes, and writes nothing
	 * an earlier pending one reads, joins their wave and runs beside them,
	 * and is taken in turn after them: each reads what it would in turn,
	 * so the answer is the same for any number of threads. Anything else
	 * solves the wave first. And a MIP whose reads have not changed since
	 * the last one for the same person changed nothing is not solved again.
	 */
	for (int pass = 0; pass < passes && !z.rc; pass++) {
		memcpy(pass_was, sol->choice, np * sizeof *pass_was);
		ps->passes++;
		for (size_t i = 0; i < np && !z.rc; i++) {
			if (z.wmark[i] == z.tag)
				wave_flush(&z, ps);
			if (z.rc || joint_within_cap(pr, sol->choice[i]))
				continue;
			int reached;
			size_t n = polish_set(pr, comps, sol->choice, colfirst, &g, i, depth, stamp, ++tag, set,
					      &reached);
			if (z.w.n && reads_marked(pr, &g, colfirst, set, n, z.wmark, z.tag, 0)) {
				wave_flush(&z, ps);
				if (z.rc)
					break;
				n = polish_set(pr, comps, sol->choice, colfirst, &g, i, depth, stamp, ++tag, set,
					       &reached);
			}
			if (n > ps->largest)
				ps->largest = n;
			if (reached > ps->deepest)
				ps->deepest = reached;
			if (z.still[i] &&
			    !reads_marked(pr, &g, colfirst, set, n, z.changed_at, z.solved_at[i] + 1, 0)) {
				ps->skipped++;
				continue;
			}
			int writes_read = 0;
			for (size_t a = 0; a < n && !writes_read; a++)
				writes_read = z.rmark[set[a]] == z.tag;
			if (writes_read || z.w.n == JOINT_POLISH_WAVE)
				wave_flush(&z, ps);
			struct pjob *j = &z.w.job[z.w.n];
			memcpy(j->set, set, n * sizeof *set);
			qsort(j->set, n, sizeof *j->set, by_person);
			for (size_t a = 0; a < n; a++) {
				j->was[a] = sol->choice[j->set[a]];
				z.wmark[j->set[a]] = z.tag;
			}
			j->n = n;
			diag_init(&j->d);
			reads_marked(pr, &g, colfirst, set, n, z.rmark, 0, z.tag);
			z.for_person[z.w.n++] = i;
			ps->solved++;
		}
		wave_flush(&z, ps);
		if (!z.rc && memcmp(pass_was, sol->choice, np * sizeof *pass_was) == 0)
			break;
	}
	int rc = z.rc;
	for (int k = 0; k < z.threads; k++)
		set_scratch_release(&z.w.x[k]);
	for (size_t k = 0; k < JOINT_POLISH_WAVE; k++) {
		free(z.w.job[k].set);
		free(z.w.job[k].was);
	}
	free(z.w.job);
	free(z.w.x);
	free(z.for_person);
	free(z.changed_at);
	free(z.solved_at);
	free(z.still);
	free(z.wmark);
	free(z.rmark);
	for (size_t i = 0; !rc && i < np; i++)
		ps->taken += sol->choice[i] != was[i];
	/* the persons outside the cap and the caseload's tiers 1 and 2 never rise */
	double before[3], after[3];
	caseload_tiers(pr, comps, was, before);
	caseload_tiers(pr, comps, sol->choice, after);
	assert(rc || (after[0] <= before[0] && after[1] <= before[1] && after[2] <= before[2] + 1e-4 * (1 + before[2])));
	(void)before;
	(void)after;
	free(was);
	free(pass_was);
	free(stamp);
	free(set);
	free(colfirst);
	free(g.first);
	free(g.v);
	return rc;
}
