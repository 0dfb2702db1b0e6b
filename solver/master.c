/* master.c: the GLPK set-partitioning master: one day plan per day, each appointment once, the cross-day rows. */
#include "internal.h"

#include <assert.h>
#include <glpk.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* A binary of the weekly limit on unfamiliar people: 1 when a column
 * chosen on days [start, end) meets practitioner prac; over: the index
 * in master.over of that week's excess. */
struct met {
	int col;
	size_t start, end, over;
	int prac;
};

struct master {
	glp_prob *lp;
	const struct instance *in;
	const struct sv_cols *cols;
	int x0;                   /* column of x for day plan 0 (1-based) */
	int z;                    /* column of the peak energy */
	int *over;                /* columns of the weekly unfamiliar excess (tier 2) */
	size_t n_over;
	struct met *met;          /* the binaries "meets practitioner k in week w" */
	size_t n_met;
	int tier_row[2];          /* rows holding tiers 1 and 2 at their optimum (0: none yet) */
	int changes_row;          /* 0 until a bound on changes is set */
	int broken;               /* GLPK failed: its environment is gone */
};

/* GLPK calls the hook on a fatal error; it must not return. */
jmp_buf *sv_glpk_jump;

void sv_glpk_hook(void *info)
{
	(void)info;
	glp_free_env();
	longjmp(*sv_glpk_jump, 1);
}

#define GUARD(m, d, what)                                              \
	jmp_buf jb_;                                                   \
	sv_glpk_jump = &jb_;                                              \
	glp_term_out(GLP_OFF);                                         \
	glp_error_hook(sv_glpk_hook, NULL);                               \
	if (setjmp(jb_)) {                                             \
		(m)->broken = 1;                                       \
		(m)->lp = NULL;                                        \
		diag_add((d), D_SOLVER, NULL, 0, 0, (what));           \
		return -1;                                             \
	}

static int add_row(glp_prob *lp, const char *name, int type, double lo, double hi,
		   int n, const int *ind, const double *val)
{
	int r = glp_add_rows(lp, 1);
	glp_set_row_name(lp, r, name);
	glp_set_row_bnds(lp, r, type, lo, hi);
	if (n)
		glp_set_mat_row(lp, r, n, ind - 1, val - 1);
	return r;
}

struct rowbuf {
	int *ind;
	double *val;
	size_t n, cap;
};

/* Append (col, v) to b, growing it. */
static void rb_add(struct rowbuf *b, int col, double v)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->ind = xreallocarray(b->ind, b->cap, sizeof *b->ind);
		b->val = xreallocarray(b->val, b->cap, sizeof *b->val);
	}
	b->ind[b->n] = col;
	b->val[b->n++] = v;
}

static void rb_release(struct rowbuf *b)
{
	free(b->ind);
	free(b->val);
	b->ind = NULL;
	b->val = NULL;
	b->n = b->cap = 0;
}

/* The columns: one binary x per day plan (a bad one fixed at 0), and the
 * peak energy z. */
static void add_columns(struct master *m)
{
	const struct sv_cols *cols = m->cols;
	glp_prob *lp = m->lp;
	char name[64];
	size_t nc = cols->n;
	m->x0 = glp_add_cols(lp, (int)nc + 1);
	m->z = m->x0 + (int)nc;
	for (size_t c = 0; c < nc; c++) {
		int j = m->x0 + (int)c;
		snprintf(name, sizeof name, "x_d%d_%zu", cols->v[c].day, c);
		glp_set_col_name(lp, j, name);
		glp_set_col_kind(lp, j, GLP_BV);
		if (cols->v[c].bad)
			glp_set_col_bnds(lp, j, GLP_FX, 0, 0);   /* not a day of any plan */
	}
	glp_set_col_name(lp, m->z, "peak_energy");
	glp_set_col_bnds(lp, m->z, GLP_LO, 0, 0);
}

/* Each appointment exactly once: nothing is dropped. */
static void cover_rows(struct master *m)
{
	const struct instance *in = m->in;
	const struct sv_cols *cols = m->cols;
	char name[64];
	struct rowbuf *cover = xcalloc(in->n + 1, sizeof *cover);
	for (size_t c = 0; c < cols->n; c++)
		for (int k = 0; k < cols->v[c].n; k++) {
			int appt = cols->pick[cols->v[c].first + (size_t)k].appt;
			assert(appt >= 0 && (size_t)appt < in->n);
			rb_add(&cover[appt], m->x0 + (int)c, 1);
		}
	for (size_t i = 0; i < in->n; i++) {
		snprintf(name, sizeof name, "cover_%zu", i);
		add_row(m->lp, name, GLP_FX, 1, 1, (int)cover[i].n, cover[i].ind, cover[i].val);
		rb_release(&cover[i]);
	}
	free(cover);
}

/* One plan per day; the peak energy is at least each day's. */
static void day_rows(struct master *m, struct rowbuf *b)
{
	const struct sv_cols *cols = m->cols;
	char name[64];
	for (size_t day = 0; day < m->in->w->n_days; day++) {
		b->n = 0;
		for (size_t c = 0; c < cols->n; c++)
			if (cols->v[c].day == (int)day)
				rb_add(b, m->x0 + (int)c, 1);
		snprintf(name, sizeof name, "day_%zu", day);
		add_row(m->lp, name, GLP_FX, 1, 1, (int)b->n, b->ind, b->val);
		b->n = 0;
		for (size_t c = 0; c < cols->n; c++)
			if (cols->v[c].day == (int)day && cols->v[c].energy > 0)
				rb_add(b, m->x0 + (int)c, cols->v[c].energy);
		rb_add(b, m->z, -1);
		snprintf(name, sizeof name, "peak_%zu", day);
		add_row(m->lp, name, GLP_UP, 0, 0, (int)b->n, b->ind, b->val);
	}
}

/* Distinct unfamiliar people in the Monday-Sunday week of days
 * [start, end), week number wk: a binary "met" per practitioner any column
 * meets, and the excess over the limit as a compromise (tier 2), never a
 * bar. */
static void unfamiliar_week_rows(struct master *m, struct rowbuf *b, size_t start, size_t end, int64_t wk)
{
	const struct sv_cols *cols = m->cols;
	const struct profile *p = m->in->w->p;
	glp_prob *lp = m->lp;
	char name[64];
	size_t nc = cols->n;
	struct rowbuf tot = { 0 };
	for (size_t k = 0; k < p->n_pracs && k < 64; k++) {
		int met = 0;
		for (size_t c = 0; c < nc && !met; c++)
			met = cols->v[c].day >= (int)start && cols->v[c].day < (int)end &&
			      (cols->v[c].unfamiliar >> k & 1);
		if (!met)
			continue;
		int y = glp_add_cols(lp, 1);
		m->met = xreallocarray(m->met, m->n_met + 1, sizeof *m->met);
		m->met[m->n_met++] = (struct met){ y, start, end, m->n_over, (int)k };
		snprintf(name, sizeof name, "met_w%lld_%s", (long long)wk, p->pracs[k].id);
		glp_set_col_name(lp, y, name);
		glp_set_col_kind(lp, y, GLP_BV);
		for (size_t day = start; day < end; day++) {
			b->n = 0;
			for (size_t c = 0; c < nc; c++)
				if (cols->v[c].day == (int)day && (cols->v[c].unfamiliar >> k & 1))
					rb_add(b, m->x0 + (int)c, 1);
			if (!b->n)
				continue;
			rb_add(b, y, -1);
			snprintf(name, sizeof name, "meets_d%zu_%s", day, p->pracs[k].id);
			add_row(lp, name, GLP_UP, 0, 0, (int)b->n, b->ind, b->val);
		}
		rb_add(&tot, y, p->pracs[k].people);
	}
	int ov = glp_add_cols(lp, 1);
	snprintf(name, sizeof name, "unfamiliar_over_w%lld", (long long)wk);
	glp_set_col_name(lp, ov, name);
	glp_set_col_bnds(lp, ov, GLP_LO, 0, 0);
	m->over = xreallocarray(m->over, m->n_over + 1, sizeof *m->over);
	rb_add(&tot, ov, -1);
	m->over[m->n_over++] = ov;
	snprintf(name, sizeof name, "unfamiliar_w%lld", (long long)wk);
	add_row(lp, name, GLP_UP, 0, p->max_unfam_week, (int)tot.n, tot.ind, tot.val);
	rb_release(&tot);
}

/* Spacing within a series: occurrences of one UID no closer than half
 * their closest spacing now, in days (rounded down). */
static void series_rows(struct master *m, struct rowbuf *b)
{
	const struct instance *in = m->in;
	const struct sv_cols *cols = m->cols;
	const struct week *w = in->w;
	char name[64];
	for (size_t i = 0; i < in->n; i++) {
		const char *uid = w->appts[in->a[i].appt].uid;
		int first = 1;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(w->appts[in->a[j].appt].uid, uid) != 0;
		if (!first)
			continue;   /* the series was handled at its first occurrence */
		int g = sv_series_gap(in, i);
		if (g < 1)
			continue;
		for (size_t day = 0; day + (size_t)g <= w->n_days; day++) {
			b->n = 0;
			for (size_t c = 0; c < cols->n; c++) {
				const struct sv_col *col = &cols->v[c];
				if (col->day < (int)day || col->day >= (int)day + g)
					continue;
				int occ = 0;
				for (int q = 0; q < col->n; q++)
					occ += !strcmp(w->appts[in->a[cols->pick[col->first + (size_t)q].appt].appt].uid, uid);
				if (occ)
					rb_add(b, m->x0 + (int)c, occ);
			}
			snprintf(name, sizeof name, "series_%zu_d%zu", i, day);
			if (b->n > 1)
				add_row(m->lp, name, GLP_UP, 0, 1, (int)b->n, b->ind, b->val);
		}
	}
}

/* The master's columns and rows, in this order (an LP file written from it
 * depends on the order). */
static void build(struct master *m)
{
	const struct week *w = m->in->w;
	const struct profile *p = w->p;
	glp_set_prob_name(m->lp, "dovetail_master");
	glp_set_obj_dir(m->lp, GLP_MIN);
	add_columns(m);
	struct rowbuf b = { 0 };
	cover_rows(m);
	day_rows(m, &b);
	if (p->max_unfam_week >= 0) {
		for (size_t start = 0; start < w->n_days;) {
			int64_t wk = time_week(w->days[start].date);
			size_t end = start;
			while (end < w->n_days && time_week(w->days[end].date) == wk)
				end++;
			unfamiliar_week_rows(m, &b, start, end, wk);
			start = end;
		}
	}
	series_rows(m, &b);
	rb_release(&b);
}

struct master *master_new(const struct instance *in, const struct sv_cols *cols, struct diag *d)
{
	struct master *volatile m = xcalloc(1, sizeof *m);
	m->in = in;
	m->cols = cols;
	jmp_buf jb;
	sv_glpk_jump = &jb;
	glp_term_out(GLP_OFF);
	glp_error_hook(sv_glpk_hook, NULL);
	if (setjmp(jb)) {
		diag_add(d, D_SOLVER, NULL, 0, 0, "building the master");
		free(m);
		return NULL;
	}
	m->lp = glp_create_prob();
	build(m);
	return m;
}

size_t master_columns(const struct master *m)
{
	return m->cols->n;
}

int master_max_changes(struct master *m, int changes, struct diag *d)
{
	if (m->broken)
		return -1;
	GUARD(m, d, "bounding the changes");
	if (!m->changes_row) {
		struct rowbuf b = { 0 };
		for (size_t c = 0; c < m->cols->n; c++)
			if (m->cols->v[c].changes)
				rb_add(&b, m->x0 + (int)c, m->cols->v[c].changes);
		m->changes_row = add_row(m->lp, "changes", GLP_FR, 0, 0, (int)b.n, b.ind, b.val);
		rb_release(&b);
	}
	if (changes < 0)
		glp_set_row_bnds(m->lp, m->changes_row, GLP_FR, 0, 0);
	else
		glp_set_row_bnds(m->lp, m->changes_row, GLP_UP, 0, changes);
	return 0;
}

int master_exclude(struct master *m, const struct master_sol *sol, struct diag *d)
{
	if (m->broken)
		return -1;
	GUARD(m, d, "adding a no-good row");
	const struct sv_cols *cols = m->cols;
	size_t n_days = m->in->w->n_days;
	struct rowbuf b = { 0 };
	for (size_t c = 0; c < cols->n; c++) {
		const struct sv_col *chosen = &cols->v[sol->col[cols->v[c].day]];
		if (cols->v[c].pattern == chosen->pattern && cols->v[c].n == chosen->n)
			rb_add(&b, m->x0 + (int)c, 1);
	}
	char name[32];
	snprintf(name, sizeof name, "nogood_%d", glp_get_num_rows(m->lp) + 1);
	add_row(m->lp, name, GLP_UP, 0, (double)n_days - 1, (int)b.n, b.ind, b.val);
	rb_release(&b);
	return 0;
}

struct progress {
	double bound, gap;
	int seen;
	const double *known;      /* a solution to start from (NULL: none) */
};

static void callback(glp_tree *t, void *info)
{
	struct progress *pr = info;
	int r = glp_ios_reason(t);
	if (r == GLP_IHEUR && pr->known) {
		glp_ios_heur_sol(t, pr->known);   /* kept when better than any found */
		pr->known = NULL;
		return;
	}
	if (r != GLP_IBINGO && r != GLP_ISELECT && r != GLP_IPREPRO)
		return;
	int best = glp_ios_best_node(t);
	if (best) {
		pr->bound = glp_ios_node_bound(t, best);
		pr->gap = glp_ios_mip_gap(t);
		pr->seen = 1;
	}
}

/* The objective of tier `tier` (1, 2, 3) on the master's columns. */
static void set_objective(struct master *m, int tier)
{
	const struct sv_cols *cols = m->cols;
	const struct profile *p = m->in->w->p;
	for (size_t c = 0; c < cols->n; c++) {
		const struct sv_col *x = &cols->v[c];
		double v = tier == 1 ? x->impossible : tier == 2 ? x->compromise : x->cost;
		glp_set_obj_coef(m->lp, m->x0 + (int)c, v);
	}
	glp_set_obj_coef(m->lp, m->z, tier == 3 ? p->weights.peak_energy : 0);
	for (size_t k = 0; k < m->n_over; k++)
		glp_set_obj_coef(m->lp, m->over[k], tier == 2 ? p->compromise.unfamiliar_week : 0);
}

/* A row holding tier `tier` at most `at` (replacing the earlier one). */
static void hold_tier(struct master *m, int tier, double at)
{
	const struct sv_cols *cols = m->cols;
	const struct profile *p = m->in->w->p;
	struct rowbuf b = { 0 };
	for (size_t c = 0; c < cols->n; c++) {
		double v = tier == 1 ? cols->v[c].impossible : cols->v[c].compromise;
		if (v != 0)
			rb_add(&b, m->x0 + (int)c, v);
	}
	for (size_t k = 0; tier == 2 && k < m->n_over; k++)
		rb_add(&b, m->over[k], p->compromise.unfamiliar_week);
	int *r = &m->tier_row[tier - 1];
	if (!*r) {
		*r = add_row(m->lp, tier == 1 ? "tier1" : "tier2", GLP_UP, 0, at, (int)b.n, b.ind, b.val);
	} else {
		if (b.n)
			glp_set_mat_row(m->lp, *r, (int)b.n, b.ind - 1, b.val - 1);
		else
			glp_set_mat_row(m->lp, *r, 0, NULL, NULL);
		glp_set_row_bnds(m->lp, *r, GLP_UP, 0, at);
	}
	rb_release(&b);
}

static void release_tiers(struct master *m)
{
	for (int t = 0; t < 2; t++)
		if (m->tier_row[t])
			glp_set_row_bnds(m->lp, m->tier_row[t], GLP_FR, 0, 0);
}

/* The tiers of a choice of columns (per day), with the master's own terms. */
static void value_of(const struct master *m, const size_t *col, int *t1, double *t2, double *t3)
{
	const struct instance *in = m->in;
	const struct week *w = in->w;
	const struct profile *p = w->p;
	const struct sv_cols *cols = m->cols;
	double peak = 0;
	*t1 = 0;
	*t2 = *t3 = 0;
	for (size_t d = 0; d < w->n_days; d++) {
		assert(col[d] < cols->n && cols->v[col[d]].day == (int)d);   /* one column of each day */
		const struct sv_col *x = &cols->v[col[d]];
		*t1 += x->impossible;
		*t2 += x->compromise;
		*t3 += x->cost;
		if (x->energy > peak)
			peak = x->energy;
	}
	*t3 += p->weights.peak_energy * peak;
	if (p->max_unfam_week >= 0) {
		for (size_t start = 0; start < w->n_days;) {
			int64_t wk = time_week(w->days[start].date);
			size_t end = start;
			uint64_t met = 0;
			while (end < w->n_days && time_week(w->days[end].date) == wk)
				met |= cols->v[col[end++]].unfamiliar;
			int people = 0;
			for (size_t k = 0; k < p->n_pracs && k < 64; k++)
				if (met >> k & 1)
					people += p->pracs[k].people;
			if (people > p->max_unfam_week)
				*t2 += (people - p->max_unfam_week) * p->compromise.unfamiliar_week;
			start = end;
		}
	}
}

/* The values of every column of the master (known, 1-based) when the
 * plan col (per day, a column) is chosen; returns whether they keep
 * every row as it now stands (the bound on changes, the tiers held, the
 * plans excluded), so that GLPK may start its search from them. */
static int known_solution(const struct master *m, const size_t *col, double *known)
{
	const struct sv_cols *cols = m->cols;
	const struct profile *p = m->in->w->p;
	size_t n_days = m->in->w->n_days;
	int nc = glp_get_num_cols(m->lp), nr = glp_get_num_rows(m->lp);
	memset(known, 0, ((size_t)nc + 1) * sizeof *known);
	double peak = 0;
	for (size_t d = 0; d < n_days; d++) {
		const struct sv_col *x = &cols->v[col[d]];
		known[m->x0 + (int)col[d]] = 1;
		if (x->energy > peak)
			peak = x->energy;
	}
	known[m->z] = peak;
	for (size_t k = 0; k < m->n_met; k++) {
		const struct met *e = &m->met[k];
		for (size_t d = e->start; d < e->end; d++)
			if (cols->v[col[d]].unfamiliar >> e->prac & 1)
				known[e->col] = 1;
		known[m->over[e->over]] += known[e->col] * p->pracs[e->prac].people;
	}
	for (size_t w = 0; w < m->n_over; w++) {
		double over = known[m->over[w]] - p->max_unfam_week;
		known[m->over[w]] = over > 0 ? over : 0;
	}
	int *ind = xcalloc((size_t)nc + 1, sizeof *ind);
	double *val = xcalloc((size_t)nc + 1, sizeof *val);
	int ok = 1;
	for (int i = 1; i <= nr && ok; i++) {
		int len = glp_get_mat_row(m->lp, i, ind, val);
		double a = 0;
		for (int k = 1; k <= len; k++)
			a += val[k] * known[ind[k]];
		int type = glp_get_row_type(m->lp, i);
		double lo = glp_get_row_lb(m->lp, i), up = glp_get_row_ub(m->lp, i);
		double tol = 1e-6 * (1 + fabs(a));
		if ((type == GLP_LO || type == GLP_DB || type == GLP_FX) && a < lo - tol)
			ok = 0;
		if ((type == GLP_UP || type == GLP_DB || type == GLP_FX) && a > up + tol)
			ok = 0;
	}
	for (int j = 1; j <= nc && ok; j++) {
		int type = glp_get_col_type(m->lp, j);
		if ((type == GLP_LO || type == GLP_DB || type == GLP_FX) && known[j] < glp_get_col_lb(m->lp, j) - 1e-9)
			ok = 0;
		if ((type == GLP_UP || type == GLP_DB || type == GLP_FX) && known[j] > glp_get_col_ub(m->lp, j) + 1e-9)
			ok = 0;
	}
	free(ind);
	free(val);
	return ok;
}

int master_allows(const struct master *m, const size_t *col)
{
	double *known = xcalloc((size_t)glp_get_num_cols(m->lp) + 1, sizeof *known);
	int ok = known_solution(m, col, known);
	free(known);
	return ok;
}

/* Whether every integer column of lp's basic solution is integral. */
static int lp_integral(glp_prob *lp)
{
	int n = glp_get_num_cols(lp);
	for (int j = 1; j <= n; j++) {
		if (glp_get_col_kind(lp, j) == GLP_CV)
			continue;
		double v = glp_get_col_prim(lp, j);
		if (fabs(v - floor(v + 0.5)) > 1e-7)
			return 0;
	}
	return 1;
}

/* One MIP solve of the current objective and rows. Returns 1 when an
 * integer solution was found (its columns in col), 0 when none, -1 on a
 * GLPK error (d filled). */
static int mip(struct master *m, const struct sv_budget *bud, const double *known, size_t *col, int *proven,
	       int *capped, double *bound, double *gap, struct diag *d)
{
	glp_iocp parm;
	glp_init_iocp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.tol_obj = 1e-9;
	long left = INT32_MAX;
	if (bud && bud->deadline > 0) {
		long now = (long)clock();
		left = bud->deadline > now ? (long)((double)(bud->deadline - now) * 1000 / CLOCKS_PER_SEC) : 1;
		if (left < 1)
			left = 1;
	}
	parm.tm_lim = left > INT32_MAX ? INT32_MAX : (int)left;
	/* the relaxation warm from the last basis (the stages and the ladder
	 * change an objective or a bound only); presolve when that fails */
	glp_smcp sp;
	glp_init_smcp(&sp);
	sp.msg_lev = GLP_MSG_OFF;
	sp.tm_lim = parm.tm_lim;
	int lp = glp_simplex(m->lp, &sp);
	if (lp == GLP_EBADB || lp == GLP_ESING || lp == GLP_ECOND) {
		glp_std_basis(m->lp);
		lp = glp_simplex(m->lp, &sp);
	}
	parm.presolve = !(lp == 0 && glp_get_status(m->lp) == GLP_OPT);
	if (!parm.presolve && lp_integral(m->lp)) {
		/* the relaxation's optimum is integral: it is the MIP's (the
		 * branch and bound would stop at its root with it) */
		*proven = 1;
		*capped = 0;
		*bound = glp_get_obj_val(m->lp);
		*gap = 0;
		for (size_t c = 0; c < m->cols->n; c++)
			if (glp_get_col_prim(m->lp, m->x0 + (int)c) > 0.5)
				col[m->cols->v[c].day] = c;
		return 1;
	}
	/* with the MIP presolver, GLPK's tree holds the presolved problem,
	 * whose columns are not the master's: the plan in hand is not
	 * handed over then (the presolver runs only when the warm simplex
	 * failed, above) */
	struct progress pr = { 0, 1, 0, parm.presolve ? NULL : known };
	parm.cb_func = callback;
	parm.cb_info = &pr;
	int rc = glp_intopt(m->lp, &parm);
	int st = glp_mip_status(m->lp);
	*capped = rc == GLP_ETMLIM;
	if (rc != 0 && rc != GLP_ETMLIM && rc != GLP_ENOPFS && rc != GLP_ENODFS) {
		char b[48];
		snprintf(b, sizeof b, "glp_intopt returned %d", rc);
		diag_add(d, D_SOLVER, NULL, 0, 0, b);
		return -1;
	}
	if (st != GLP_OPT && st != GLP_FEAS)
		return 0;
	*proven = st == GLP_OPT && !*capped;
	double obj = glp_mip_obj_val(m->lp);
	*bound = *proven ? obj : pr.seen ? pr.bound : -1e300;
	*gap = *proven ? 0 : pr.seen ? pr.gap : 1;
	for (size_t c = 0; c < m->cols->n; c++)
		if (glp_mip_col_val(m->lp, m->x0 + (int)c) > 0.5)
			col[m->cols->v[c].day] = c;
	return 1;
}

/* A capped solve may return worse than the plan in hand: col becomes best
 * when best is better in tier `tier`. */
static void keep_better(const struct master *m, int tier, size_t *col, const size_t *best)
{
	int t1, t1b;
	double t2, t3, t2b, t3b;
	value_of(m, col, &t1, &t2, &t3);
	value_of(m, best, &t1b, &t2b, &t3b);
	double mine = tier == 1 ? t1 : tier == 2 ? t2 : t3;
	double theirs = tier == 1 ? t1b : tier == 2 ? t2b : t3b;
	if (theirs < mine)
		memcpy(col, best, m->in->w->n_days * sizeof *best);
}

int master_solve(struct master *m, const struct sv_budget *bud, const size_t *start,
		 struct master_sol *sol, struct diag *d)
{
	memset(sol, 0, sizeof *sol);
	if (m->broken)
		return -1;
	size_t n_days = m->in->w->n_days;
	sol->col = xcalloc(n_days + 1, sizeof *sol->col);
	size_t *best = xcalloc(n_days + 1, sizeof *best);
	double *known = xcalloc((size_t)glp_get_num_cols(m->lp) + 1, sizeof *known);
	jmp_buf jb_;
	sv_glpk_jump = &jb_;
	glp_term_out(GLP_OFF);
	glp_error_hook(sv_glpk_hook, NULL);
	if (setjmp(jb_)) {
		m->broken = 1;
		m->lp = NULL;
		free(known);
		free(best);
		master_sol_release(sol);
		diag_add(d, D_SOLVER, NULL, 0, 0, "solving the master");
		return -1;
	}
	/* tiers in order: each found optimum is held while the next is solved */
	release_tiers(m);
	int have = 0, proven = 1;
	if (start) {
		memcpy(best, start, n_days * sizeof *best);
		have = 1;
	}
	double bound = 0, gap = 0;
	for (int tier = 1; tier <= 3; tier++) {
		int pv = 0, cp = 0;
		double bd = 0, gp = 1;
		set_objective(m, tier);
		/* the search starts from the plan in hand (start, then each
		 * tier's optimum for the next) when the rows allow it */
		int rc = mip(m, bud, have && known_solution(m, best, known) ? known : NULL, sol->col, &pv, &cp,
			     &bd, &gp, d);
		if (rc < 0) {
			free(known);
			free(best);
			master_sol_release(sol);
			return -1;
		}
		if (rc > 0) {
			if (have && !pv)
				keep_better(m, tier, sol->col, best);
			memcpy(best, sol->col, n_days * sizeof *best);
			have = 1;
		} else if (have) {
			memcpy(sol->col, best, n_days * sizeof *best);
		} else {
			break;   /* no plan under these rows (an alternative may not exist) */
		}
		sol->capped |= cp;
		proven &= pv;
		if (tier == 3) {
			bound = bd;
			gap = gp;
		} else if (!pv) {
			/* a lower tier not proven: the cost's gap is unknown */
			gap = 1;
			bound = -1e300;
		}
		int t1;
		double t2, t3;
		value_of(m, sol->col, &t1, &t2, &t3);
		assert(t1 >= 0);   /* a count of impossibilities */
		if (tier == 1)
			hold_tier(m, 1, t1 + 0.5);
		if (tier == 2)
			hold_tier(m, 2, t2 + 1e-7 * (1 + t2));
	}
	release_tiers(m);
	free(known);
	free(best);
	if (!have)
		return 0;
	sol->found = 1;
	sol->proven = proven;
	value_of(m, sol->col, &sol->impossible, &sol->compromise, &sol->objective);
	sol->bound = proven ? sol->objective : bound;
	sol->gap = proven ? 0 : gap;
	return 0;
}

void master_only(const struct master *m, const size_t *col, struct master_sol *sol)
{
	size_t n_days = m->in->w->n_days;
	memset(sol, 0, sizeof *sol);
	sol->col = xcalloc(n_days + 1, sizeof *sol->col);
	memcpy(sol->col, col, n_days * sizeof *col);
	sol->found = sol->proven = 1;
	value_of(m, sol->col, &sol->impossible, &sol->compromise, &sol->objective);
	sol->bound = sol->objective;
}

void sv_duals_release(struct sv_duals *u)
{
	if (!u)
		return;
	free(u->cover);
	free(u->series);
	free(u->day);
	free(u->peak);
	free(u->meet);
	memset(u, 0, sizeof *u);
}

static double row_dual(glp_prob *lp, const char *name)
{
	int r = glp_find_row(lp, name);
	return r ? glp_get_row_dual(lp, r) : 0;
}

/* The duals of the LP relaxation just solved for tier `tier` into u (its
 * arrays allocated), read by row name: a row that does not exist is 0. */
static void read_duals(struct master *m, int tier, struct sv_duals *u)
{
	const struct instance *in = m->in;
	const struct week *w = in->w;
	const struct profile *p = w->p;
	size_t n = in->n, nd = w->n_days;
	u->objective = glp_get_obj_val(m->lp);
	char name[96];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "cover_%zu", i);
		u->cover[i] = row_dual(m->lp, name);
	}
	for (size_t day = 0; day < nd; day++) {
		snprintf(name, sizeof name, "day_%zu", day);
		u->day[day] = row_dual(m->lp, name);
		snprintf(name, sizeof name, "peak_%zu", day);
		u->peak[day] = row_dual(m->lp, name);
		for (size_t k = 0; k < p->n_pracs && k < 64; k++) {
			snprintf(name, sizeof name, "meets_d%zu_%s", day, p->pracs[k].id);
			u->meet[day * 64 + k] = row_dual(m->lp, name);
		}
	}
	/* series rows: their duals fall on each occurrence of the series on
	 * the days they span */
	for (size_t i = 0; i < n; i++) {
		const char *uid = w->appts[in->a[i].appt].uid;
		size_t first = i;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(w->appts[in->a[j].appt].uid, uid)) {
				first = j;
				break;
			}
		int g = sv_series_gap(in, first);
		for (size_t s = 0; g >= 1 && s + (size_t)g <= nd; s++) {
			snprintf(name, sizeof name, "series_%zu_d%zu", first, s);
			double y = row_dual(m->lp, name);
			for (size_t day = s; y != 0 && day < s + (size_t)g; day++)
				u->series[i * nd + day] += y;
		}
	}
	u->changes = m->changes_row ? glp_get_row_dual(m->lp, m->changes_row) : 0;
	for (int t = 0; t < 2; t++)
		u->tier[t] = m->tier_row[t] && tier > t + 1 ? glp_get_row_dual(m->lp, m->tier_row[t]) : 0;
	u->alpha[0] = tier == 1 ? 1 : -u->tier[0];
	u->alpha[1] = tier == 2 ? 1 : tier > 2 ? -u->tier[1] : 0;
	u->alpha[2] = tier == 3 ? 1 : 0;
}

void master_basis_release(struct master_basis *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->name[i]);
	free(b->name);
	free(b->stat);
	memset(b, 0, sizeof *b);
}

struct named_stat {
	char *name;
	int stat;
};

static int named_cmp(const void *x, const void *y)
{
	return strcmp(((const struct named_stat *)x)->name, ((const struct named_stat *)y)->name);
}

/* The optimal basis of m's LP, by name, into b (its old contents freed). */
static void basis_save(const struct master *m, struct master_basis *b)
{
	master_basis_release(b);
	int nr = glp_get_num_rows(m->lp), nc = glp_get_num_cols(m->lp);
	struct named_stat *v = xmalloc(((size_t)nr + (size_t)nc + 1) * sizeof *v);
	size_t n = 0;
	for (int r = 1; r <= nr; r++) {
		const char *nm = glp_get_row_name(m->lp, r);
		if (nm)
			v[n++] = (struct named_stat){ xasprintf("r %s", nm), glp_get_row_stat(m->lp, r) };
	}
	for (int j = 1; j <= nc; j++) {
		const char *nm = glp_get_col_name(m->lp, j);
		if (nm)
			v[n++] = (struct named_stat){ xasprintf("c %s", nm), glp_get_col_stat(m->lp, j) };
	}
	qsort(v, n, sizeof *v, named_cmp);
	b->name = xmalloc((n + 1) * sizeof *b->name);
	b->stat = xmalloc((n + 1) * sizeof *b->stat);
	for (size_t i = 0; i < n; i++) {
		b->name[i] = v[i].name;
		b->stat[i] = v[i].stat;
	}
	b->n = n;
	free(v);
}

static int basis_find(const struct master_basis *b, char kind, const char *name, int *stat)
{
	char key[80];
	snprintf(key, sizeof key, "%c %s", kind, name);
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(b->name[mid], key);
		if (c == 0) {
			*stat = b->stat[mid];
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Start m's LP from b: rows and columns found in it take their status
 * there (GLPK fits a non-basic status to the bounds), new rows' slacks are
 * basic, new columns non-basic. Returns 1 when that is a basis (as many
 * basic as rows), else 0 with the standard basis. */
static int basis_load(struct master *m, const struct master_basis *b)
{
	int nr = glp_get_num_rows(m->lp), nc = glp_get_num_cols(m->lp), basic = 0;
	for (int r = 1; r <= nr; r++) {
		const char *nm = glp_get_row_name(m->lp, r);
		int st;
		if (!nm || !basis_find(b, 'r', nm, &st))
			st = GLP_BS;
		glp_set_row_stat(m->lp, r, st);
		basic += st == GLP_BS;
	}
	for (int j = 1; j <= nc; j++) {
		const char *nm = glp_get_col_name(m->lp, j);
		int st;
		if (!nm || !basis_find(b, 'c', nm, &st))
			st = GLP_NL;
		glp_set_col_stat(m->lp, j, st);
		basic += st == GLP_BS;
	}
	if (basic != nr) {
		glp_std_basis(m->lp);
		return 0;
	}
	return 1;
}

int master_lp(struct master *m, int tier, const double *hold, const struct sv_budget *bud,
	      struct master_basis *warm, struct sv_duals *u, struct diag *d)
{
	memset(u, 0, sizeof *u);
	if (m->broken)
		return -1;
	size_t n = m->in->n, nd = m->in->w->n_days;
	u->cover = xcalloc(n + 1, sizeof *u->cover);
	u->series = xcalloc(n * nd + 1, sizeof *u->series);
	u->day = xcalloc(nd + 1, sizeof *u->day);
	u->peak = xcalloc(nd + 1, sizeof *u->peak);
	u->meet = xcalloc(nd * 64 + 1, sizeof *u->meet);
	GUARD(m, d, "solving the master's LP relaxation");
	release_tiers(m);
	for (int t = 1; t < tier; t++)
		hold_tier(m, t, hold[t - 1] + (t == 1 ? 0.5 : 1e-7 * (1 + fabs(hold[t - 1]))));
	set_objective(m, tier);
	glp_create_index(m->lp);
	glp_smcp parm;
	glp_init_smcp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_OFF;
	if (bud && bud->deadline > 0) {
		long now = (long)clock();
		long left = bud->deadline > now ? (long)((double)(bud->deadline - now) * 1000 / CLOCKS_PER_SEC) : 1;
		parm.tm_lim = left < 1 ? 1 : left > INT32_MAX ? INT32_MAX : (int)left;
	}
	int warmed = warm && warm->n && basis_load(m, warm);
	int rc = glp_simplex(m->lp, &parm);
	if (warmed && (rc == GLP_EBADB || rc == GLP_ESING || rc == GLP_ECOND)) {
		glp_std_basis(m->lp);   /* the basis carried over is singular: from scratch */
		rc = glp_simplex(m->lp, &parm);
	}
	if (rc != 0 || glp_get_status(m->lp) != GLP_OPT) {
		release_tiers(m);
		sv_duals_release(u);
		return 0;
	}
	read_duals(m, tier, u);
	if (warm)
		basis_save(m, warm);
	release_tiers(m);
	return 1;
}

/* GLPK writes by name: it writes a file in a private folder, which the
 * util writer makes 0600 and renames over path (never through a link). */
static int write_lp_to(const char *tmp, void *lp)
{
	return glp_write_lp(lp, NULL, tmp) == 0 ? 0 : -1;
}

int master_write_lp(struct master *m, const char *path, struct diag *d)
{
	if (m->broken)
		return -1;
	GUARD(m, d, "writing the LP file");
	return file_write_with(path, write_lp_to, m->lp, d);
}

void master_free(struct master *m)
{
	if (!m)
		return;
	if (m->lp && !m->broken)
		glp_delete_prob(m->lp);
	free(m->over);
	free(m->met);
	free(m);
}

void master_sol_release(struct master_sol *s)
{
	if (!s)
		return;
	free(s->col);
	s->col = NULL;
}
