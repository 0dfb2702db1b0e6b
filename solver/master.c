/* master.c: the GLPK set-partitioning master: one day plan per day, each appointment once, the cross-day rows. */
#include "internal.h"

#include <glpk.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

struct master {
	glp_prob *lp;
	const struct instance *in;
	const struct sv_cols *cols;
	int x0;                   /* column of x for day plan 0 (1-based) */
	int u0;                   /* column of u for appointment 0 */
	int z;                    /* column of the peak energy */
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

static int rb_add(struct rowbuf *b, int col, double v)
{
	if (buf_reserve((void **)&b->ind, &b->cap, b->n + 1, sizeof *b->ind))
		return -1;
	size_t cap = b->cap;
	double *nv = realloc(b->val, cap * sizeof *nv);
	if (!nv)
		return -1;
	b->val = nv;
	b->ind[b->n] = col;
	b->val[b->n++] = v;
	return 0;
}

static int build(struct master *m)
{
	const struct instance *in = m->in;
	const struct sv_cols *cols = m->cols;
	const struct week *w = in->w;
	const struct profile *p = w->p;
	glp_prob *lp = m->lp;
	char name[64];
	glp_set_prob_name(lp, "dovetail_master");
	glp_set_obj_dir(lp, GLP_MIN);
	size_t nc = cols->n;
	m->x0 = glp_add_cols(lp, (int)nc + (int)in->n + 1);
	m->u0 = m->x0 + (int)nc;
	m->z = m->u0 + (int)in->n;
	for (size_t c = 0; c < nc; c++) {
		int j = m->x0 + (int)c;
		snprintf(name, sizeof name, "x_d%d_%zu", cols->v[c].day, c);
		glp_set_col_name(lp, j, name);
		glp_set_col_kind(lp, j, GLP_BV);
		glp_set_obj_coef(lp, j, cols->v[c].cost);
	}
	for (size_t i = 0; i < in->n; i++) {
		int j = m->u0 + (int)i;
		snprintf(name, sizeof name, "unplaced_%zu", i);
		glp_set_col_name(lp, j, name);
		glp_set_col_kind(lp, j, GLP_BV);
		glp_set_obj_coef(lp, j, MASTER_UNPLACED_COST);
	}
	glp_set_col_name(lp, m->z, "peak_energy");
	glp_set_col_bnds(lp, m->z, GLP_LO, 0, 0);
	glp_set_obj_coef(lp, m->z, p->weights.peak_energy);

	struct rowbuf b = { 0 };
	int rc = -1;
	/* each appointment once, or unplaced */
	for (size_t i = 0; i < in->n; i++) {
		b.n = 0;
		for (size_t c = 0; c < nc; c++)
			if (cols->v[c].mask >> i & 1 && rb_add(&b, m->x0 + (int)c, 1) < 0)
				goto out;
		if (rb_add(&b, m->u0 + (int)i, 1) < 0)
			goto out;
		snprintf(name, sizeof name, "cover_%zu", i);
		add_row(lp, name, GLP_FX, 1, 1, (int)b.n, b.ind, b.val);
	}
	/* one plan per day; the peak energy is at least each day's */
	for (size_t day = 0; day < w->n_days; day++) {
		b.n = 0;
		for (size_t c = 0; c < nc; c++)
			if (cols->v[c].day == (int)day && rb_add(&b, m->x0 + (int)c, 1) < 0)
				goto out;
		snprintf(name, sizeof name, "day_%zu", day);
		add_row(lp, name, GLP_FX, 1, 1, (int)b.n, b.ind, b.val);
		b.n = 0;
		for (size_t c = 0; c < nc; c++)
			if (cols->v[c].day == (int)day && cols->v[c].energy > 0 &&
			    rb_add(&b, m->x0 + (int)c, cols->v[c].energy) < 0)
				goto out;
		if (rb_add(&b, m->z, -1) < 0)
			goto out;
		snprintf(name, sizeof name, "peak_%zu", day);
		add_row(lp, name, GLP_UP, 0, 0, (int)b.n, b.ind, b.val);
	}
	/* distinct unfamiliar people in each Monday-Sunday week */
	if (p->max_unfam_week >= 0) {
		for (size_t start = 0; start < w->n_days;) {
			int64_t wk = (w->days[start].date + 3) / 7;
			size_t end = start;
			while (end < w->n_days && (w->days[end].date + 3) / 7 == wk)
				end++;
			struct rowbuf tot = { 0 };
			for (size_t k = 0; k < p->n_pracs && k < 64; k++) {
				int met = 0;
				for (size_t c = 0; c < nc && !met; c++)
					met = cols->v[c].day >= (int)start && cols->v[c].day < (int)end &&
					      (cols->v[c].unfamiliar >> k & 1);
				if (!met)
					continue;
				int y = glp_add_cols(lp, 1);
				snprintf(name, sizeof name, "met_w%lld_%s", (long long)wk, p->pracs[k].id);
				glp_set_col_name(lp, y, name);
				glp_set_col_kind(lp, y, GLP_BV);
				for (size_t day = start; day < end; day++) {
					b.n = 0;
					for (size_t c = 0; c < nc; c++)
						if (cols->v[c].day == (int)day && (cols->v[c].unfamiliar >> k & 1) &&
						    rb_add(&b, m->x0 + (int)c, 1) < 0)
							goto out;
					if (!b.n)
						continue;
					if (rb_add(&b, y, -1) < 0)
						goto out;
					snprintf(name, sizeof name, "meets_d%zu_%s", day, p->pracs[k].id);
					add_row(lp, name, GLP_UP, 0, 0, (int)b.n, b.ind, b.val);
				}
				if (rb_add(&tot, y, p->pracs[k].people) < 0) {
					free(tot.ind);
					free(tot.val);
					goto out;
				}
			}
			snprintf(name, sizeof name, "unfamiliar_w%lld", (long long)wk);
			if (tot.n)
				add_row(lp, name, GLP_UP, 0, p->max_unfam_week, (int)tot.n, tot.ind, tot.val);
			free(tot.ind);
			free(tot.val);
			start = end;
		}
	}
	/* spacing within a series: occurrences of one UID no closer than
	 * half their closest spacing now, in days (rounded down) */
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
			b.n = 0;
			for (size_t c = 0; c < nc; c++) {
				const struct sv_col *col = &cols->v[c];
				if (col->day < (int)day || col->day >= (int)day + g)
					continue;
				int occ = 0;
				for (int q = 0; q < col->n; q++)
					occ += !strcmp(w->appts[in->a[cols->pick[col->first + (size_t)q].appt].appt].uid, uid);
				if (occ && rb_add(&b, m->x0 + (int)c, occ) < 0)
					goto out;
			}
			snprintf(name, sizeof name, "series_%zu_d%zu", i, day);
			if (b.n > 1)
				add_row(lp, name, GLP_UP, 0, 1, (int)b.n, b.ind, b.val);
		}
	}
	rc = 0;
out:
	free(b.ind);
	free(b.val);
	return rc;
}

struct master *master_new(const struct instance *in, const struct sv_cols *cols, struct diag *d)
{
	struct master *volatile m = calloc(1, sizeof *m);
	if (!m) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return NULL;
	}
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
	if (build(m) < 0) {
		glp_delete_prob(m->lp);
		free(m);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return NULL;
	}
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
			if (m->cols->v[c].changes && rb_add(&b, m->x0 + (int)c, m->cols->v[c].changes) < 0) {
				free(b.ind);
				free(b.val);
				diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
				return -1;
			}
		m->changes_row = add_row(m->lp, "changes", GLP_FR, 0, 0, (int)b.n, b.ind, b.val);
		free(b.ind);
		free(b.val);
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
		if (cols->v[c].pattern == chosen->pattern && cols->v[c].mask == chosen->mask &&
		    rb_add(&b, m->x0 + (int)c, 1) < 0) {
			free(b.ind);
			free(b.val);
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			return -1;
		}
	}
	char name[32];
	snprintf(name, sizeof name, "nogood_%d", glp_get_num_rows(m->lp) + 1);
	add_row(m->lp, name, GLP_UP, 0, (double)n_days - 1, (int)b.n, b.ind, b.val);
	free(b.ind);
	free(b.val);
	return 0;
}

struct progress {
	double bound, gap;
	int seen;
};

static void callback(glp_tree *t, void *info)
{
	struct progress *pr = info;
	int r = glp_ios_reason(t);
	if (r != GLP_IBINGO && r != GLP_ISELECT && r != GLP_IPREPRO)
		return;
	int best = glp_ios_best_node(t);
	if (best) {
		pr->bound = glp_ios_node_bound(t, best);
		pr->gap = glp_ios_mip_gap(t);
		pr->seen = 1;
	}
}

int master_solve(struct master *m, double time_limit, struct master_sol *sol, struct diag *d)
{
	memset(sol, 0, sizeof *sol);
	if (m->broken)
		return -1;
	size_t n_days = m->in->w->n_days, n = m->in->n;
	sol->col = calloc(n_days + 1, sizeof *sol->col);
	sol->unplaced = calloc(n + 1, 1);
	if (!sol->col || !sol->unplaced) {
		master_sol_release(sol);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	GUARD(m, d, "solving the master");
	glp_iocp parm;
	glp_init_iocp(&parm);
	parm.msg_lev = GLP_MSG_OFF;
	parm.presolve = GLP_ON;
	parm.tm_lim = time_limit > 0 ? (int)(time_limit * 1000) : INT32_MAX;
	struct progress pr = { 0, 1, 0 };
	parm.cb_func = callback;
	parm.cb_info = &pr;
	int rc = glp_intopt(m->lp, &parm);
	int st = glp_mip_status(m->lp);
	sol->capped = rc == GLP_ETMLIM;
	if (rc != 0 && rc != GLP_ETMLIM && rc != GLP_ENOPFS && rc != GLP_ENODFS) {
		char b[48];
		snprintf(b, sizeof b, "glp_intopt returned %d", rc);
		diag_add(d, D_SOLVER, NULL, 0, 0, b);
		master_sol_release(sol);
		return -1;
	}
	if (st != GLP_OPT && st != GLP_FEAS)
		return 0;   /* no integer solution (not found under the cap, or none) */
	sol->found = 1;
	sol->proven = st == GLP_OPT && !sol->capped;
	sol->objective = glp_mip_obj_val(m->lp);
	if (sol->proven) {
		sol->bound = sol->objective;
		sol->gap = 0;
	} else {
		sol->bound = pr.seen ? pr.bound : -1e300;
		sol->gap = pr.seen ? pr.gap : 1;
	}
	for (size_t c = 0; c < m->cols->n; c++)
		if (glp_mip_col_val(m->lp, m->x0 + (int)c) > 0.5)
			sol->col[m->cols->v[c].day] = c;
	for (size_t i = 0; i < n; i++)
		sol->unplaced[i] = glp_mip_col_val(m->lp, m->u0 + (int)i) > 0.5;
	return 0;
}

int master_write_lp(struct master *m, const char *path, struct diag *d)
{
	if (m->broken)
		return -1;
	GUARD(m, d, "writing the LP file");
	if (glp_write_lp(m->lp, NULL, path) != 0) {
		diag_add(d, D_IO_WRITE, path, 0, 0, path, "GLPK could not write it");
		return -1;
	}
	return 0;
}

void master_free(struct master *m)
{
	if (!m)
		return;
	if (m->lp && !m->broken)
		glp_delete_prob(m->lp);
	free(m);
}

void master_sol_release(struct master_sol *s)
{
	if (!s)
		return;
	free(s->col);
	free(s->unplaced);
	s->col = NULL;
	s->unplaced = NULL;
}
