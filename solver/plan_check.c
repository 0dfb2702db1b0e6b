/* plan_check.c: the invariant checker: a plan is re-read as a week and checked without the solver. */
#include "dovetail/solver.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/xalloc.h"
#include "internal.h"

static int same(const struct placement *a, const struct placement *b)
{
	return a->day == b->day && a->start == b->start && a->venue == b->venue;
}

int sv_change_of(const struct instance *in, size_t i, const struct placement *from,
		 const struct placement *to, struct change *out)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	const struct wk_appt *a = &w->appts[in->a[i].appt];
	*out = (struct change){
		.appt = { p->pracs[a->prac].id, a->uid, a->rid, a->feed_start, a->feed_end },
		.from = { w->days[from->day].date, from->start, from->venue >= 0 ? p->venues[from->venue].id : NULL },
		.to = { w->days[to->day].date, to->start, to->venue >= 0 ? p->venues[to->venue].id : NULL },
		.kind = (to->day != from->day || to->start != from->start ? CHANGE_MOVE : 0) |
			(to->venue != from->venue ? CHANGE_VENUE : 0),
	};
	return out->kind != 0;
}

int plan_week(const struct instance *in, const struct plan *pl, struct week *out, struct diag *d)
{
	struct change *v = xmalloc((in->n + 1) * sizeof *v);
	week_copy(out, in->w, d);
	/* leave the unplaced out (partial plans only) */
	size_t n = 0, k = 0;
	for (size_t i = 0; i < in->n; i++) {
		const struct placement *at = &pl->at[i];
		if (at->day < 0)
			out->appts[in->a[i].appt].day = -1;
		else if (sv_change_of(in, i, &in->a[i].current, at, &v[n]))
			n++;
	}
	for (size_t i = 0; i < out->n_appts; i++) {
		if (out->appts[i].day < 0) {
			week_appt_release(&out->appts[i]);
			continue;
		}
		out->appts[k++] = out->appts[i];
	}
	out->n_appts = k;
	/* the changes, applied as everywhere else (plan.h) */
	int rc = week_apply_changes(out, v, n, NULL, d);
	free(v);
	if (rc >= 0 && (size_t)rc != n) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "a plan's change could not be applied");
		rc = -1;
	}
	if (rc == 0)
		rc = week_derive(out, d);   /* nothing moved: derived all the same */
	if (rc < 0) {
		week_release(out);
		return -1;
	}
	return 0;
}

/* Index of the instance appointment that is mv's appointment k, or -1. */
static int instance_index(const struct instance *in, const struct week *mv, int k)
{
	const struct wk_appt *b = &mv->appts[k];
	for (size_t i = 0; i < in->n; i++) {
		const struct wk_appt *a = &in->w->appts[in->a[i].appt];
		if (a->prac == b->prac && !strcmp(a->uid, b->uid) && !strcmp(a->rid, b->rid))
			return (int)i;
	}
	return -1;
}

int sv_problem_moves(const struct instance *in, const struct plan *pl, const struct week *mv,
		     const struct problem *x)
{
	assert(pl->n == in->n);
	for (size_t r = 0; r < x->n_appts; r++) {
		assert(x->appts[r] >= 0 && (size_t)x->appts[r] < mv->n_appts);
		int i = instance_index(in, mv, x->appts[r]);
		if (i >= 0 && pl->at[i].day >= 0 && !same(&pl->at[i], &in->a[i].current))
			return i;
	}
	return -1;
}

/* Whether every appointment of pl is left out (partial plans only) or at
 * one of its candidates; else 0 with D_PLAN_INVALID in d. */
static int at_candidates(const struct instance *in, const struct plan *pl, struct diag *d)
{
	for (size_t i = 0; i < in->n; i++) {
		int found = pl->at[i].day < 0;   /* left out: partial plans only */
		for (size_t k = 0; k < in->a[i].n_cand && !found; k++)
			found = same(&pl->at[i], &in->a[i].cand[k]);
		if (!found) {
			char msg[160];
			snprintf(msg, sizeof msg, "appointment %zu is placed where it may not go", i);
			diag_add(d, D_PLAN_INVALID, NULL, 0, 0, msg);
			return 0;
		}
	}
	return 1;
}

/* Whether the occurrences of each series in pl keep their spacing
 * (sv_series_gap); else 0 with D_PLAN_INVALID in d. */
static int series_spaced(const struct instance *in, const struct plan *pl, struct diag *d)
{
	for (size_t i = 0; i < in->n; i++) {
		int g = sv_series_gap(in, i);
		if (g < 1 || pl->at[i].day < 0)
			continue;
		const char *uid = in->w->appts[in->a[i].appt].uid;
		for (size_t j = i + 1; j < in->n; j++) {
			if (pl->at[j].day < 0 || strcmp(in->w->appts[in->a[j].appt].uid, uid))
				continue;
			if (abs(pl->at[i].day - pl->at[j].day) < g) {
				char msg[160];
				snprintf(msg, sizeof msg, "appointments %zu and %zu of one series are closer than %d days",
					 i, j, g);
				diag_add(d, D_PLAN_INVALID, NULL, 0, 0, msg);
				return 0;
			}
		}
	}
	return 1;
}

/* Whether every joint session a move makes in pl has every practitioner
 * free for all of it; else 0 with D_PLAN_INVALID in d. */
static int joints_free(const struct instance *in, const struct plan *pl, struct diag *d)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct placement *a = &pl->at[i];
		if (a->day < 0 || a->venue < 0 || same(a, &in->a[i].current))
			continue;
		for (size_t j = 0; j < in->n; j++) {
			const struct placement *b = &pl->at[j];
			const struct wk_appt *x = &in->w->appts[in->a[i].appt], *y = &in->w->appts[in->a[j].appt];
			if (j == i || b->day != a->day || b->start != a->start || b->venue != a->venue ||
			    !profile_joint(in->w->p, x->prac, y->prac))
				continue;
			int end = a->start + (in->a[i].duration > in->a[j].duration ? in->a[i].duration : in->a[j].duration);
			int64_t us = week_utc(in->w, a->day, a->start), ue = week_utc(in->w, a->day, end);
			if (week_busy(in->w, x->prac, us, ue) || week_busy(in->w, y->prac, us, ue)) {
				char msg[160];
				snprintf(msg, sizeof msg, "appointment %zu joins %zu in a session one of them is not free for", i, j);
				diag_add(d, D_PLAN_INVALID, NULL, 0, 0, msg);
				return 0;
			}
		}
	}
	return 1;
}

int plan_check(const struct instance *in, const struct plan *pl, struct problems *out,
	       struct diag *d)
{
	memset(out, 0, sizeof *out);
	if (pl->n != in->n) {
		char msg[160];
		snprintf(msg, sizeof msg, "the plan places %zu appointments, the instance has %zu", pl->n, in->n);
		diag_add(d, D_PLAN_INVALID, NULL, 0, 0, msg);
		return 0;
	}
	if (!at_candidates(in, pl, d) || !series_spaced(in, pl, d) || !joints_free(in, pl, d))
		return 0;
	struct week moved;
	if (plan_week(in, pl, &moved, d) < 0)
		return -1;
	struct problems all;
	int rc = -1;
	if (check_week(&moved, &all, d) == 0) {
		rc = 1;
		for (size_t i = 0; i < all.n; i++) {
			if (plan_kind_tier(all.v[i].kind) != 1 || sv_problem_moves(in, pl, &moved, &all.v[i]) < 0)
				continue;
			struct problem *x = BUF_PUSH(out->v, out->n, out->cap);
			if (!x) {
				diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
				rc = -1;
				break;
			}
			*x = all.v[i];
			rc = rc == 1 ? 0 : rc;
		}
		problems_release(&all);
	}
	week_release(&moved);
	if (rc < 0)
		problems_release(out);
	return rc;
}
