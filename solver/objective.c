/* objective.c: what a placement, a plan and a week are worth, read from the moved week without the solver: the three tiers, the compromises and their sizes, the totals. The solver and the report both read these; this file calls nothing of the solver. */
#include "internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

int plan_kind_tier(enum problem_kind k)
{
	switch (k) {
	case PK_OVERLAP:
	case PK_DOUBLE_BOOKED:
	case PK_NO_CARER:
	case PK_TRAVEL:
		return 1;
	case PK_ROUTINE:
	case PK_ROUTINE_LATE:
	case PK_OUTSIDE_DAY:
	case PK_FREE_DAY:
	case PK_ENERGY:
	case PK_TIME_OUT:
	case PK_APPOINTMENTS:
	case PK_REST:
	case PK_UNFAMILIAR:
		return 2;
	default:
		return 0;
	}
}

static int near(double a, double b)
{
	return fabs(a - b) <= 1e-6 * (1 + fabs(a) + fabs(b));
}

int sv_tiers_cmp(const struct sv_tiers *a, const struct sv_tiers *b)
{
	if (a->impossible != b->impossible)
		return a->impossible < b->impossible ? -1 : 1;
	if (!near(a->compromise, b->compromise))
		return a->compromise < b->compromise ? -1 : 1;
	if (!near(a->cost, b->cost))
		return a->cost < b->cost ? -1 : 1;
	return 0;
}

/* Unfamiliar people met on day di (check's per-day count). */
int sv_day_people(const struct week *w, size_t di)
{
	const struct profile *p = w->p;
	const struct wk_day *d = &w->days[di];
	uint64_t met = 0;
	int n = 0;
	for (size_t k = d->first; k < d->first + d->n; k++) {
		int pr = w->appts[k].prac;
		assert(pr >= 0 && pr < 64);
		if (p->pracs[pr].familiar || (met >> pr & 1))
			continue;
		met |= (uint64_t)1 << pr;
		n += p->pracs[pr].people;
	}
	return n;
}

/* Unfamiliar people met in the Monday-Sunday week that starts at day index start. */
static int week_people(const struct week *w, int start)
{
	const struct profile *p = w->p;
	int64_t wk = time_week(w->days[start].date);
	uint64_t met = 0;
	int n = 0;
	for (size_t k = 0; k < w->n_appts; k++) {
		const struct wk_appt *a = &w->appts[k];
		if (a->day < 0 || time_week(w->days[a->day].date) != wk)
			continue;
		if (p->pracs[a->prac].familiar || (met >> a->prac & 1))
			continue;
		met |= (uint64_t)1 << a->prac;
		n += p->pracs[a->prac].people;
	}
	return n;
}

double sv_compromise_size(const struct week *w, const struct problem *x, const char **unit,
			  double *weight)
{
	const struct profile *p = w->p;
	const struct prof_compromise *c = &p->compromise;
	double size = 0;
	*unit = "";
	*weight = 0;
	switch (x->kind) {
	case PK_ROUTINE:
		*unit = "routine";
		*weight = c->routine_missed;
		return 1;
	case PK_ROUTINE_LATE:
		*unit = "min";
		*weight = c->routine_late;
		for (size_t i = 0; i < w->n_routines; i++)
			if (w->routines[i].day == x->day && w->routines[i].routine == x->routine &&
			    w->routines[i].window == x->window)
				return w->routines[i].late;
		return 0;
	case PK_OUTSIDE_DAY: {
		assert(x->n_appts >= 1);
		const struct wk_appt *a = &w->appts[x->appts[0]];
		int before = a->s_min < p->day.from ? (a->e_min < p->day.from ? a->e_min : p->day.from) - a->s_min : 0;
		int after = a->e_min > p->day.to ? a->e_min - (a->s_min > p->day.to ? a->s_min : p->day.to) : 0;
		*unit = "min";
		*weight = c->outside_day;
		/* an appointment of no length outside the day (DTSTART =
		 * DTEND) is there all the same: it counts 1 minute, so that
		 * every compromise has a size (docs/propose.md) */
		return before + after > 0 ? before + after : 1;
	}
	case PK_FREE_DAY:
		*unit = "appointment";
		*weight = c->free_day;
		return 1;
	case PK_ENERGY:
		size = w->days[x->day].energy - p->energy_budget;
		*unit = "points";
		*weight = c->energy;
		return size > 0 ? size : 0;
	case PK_TIME_OUT:
		*unit = "min";
		*weight = c->time_out;
		return w->days[x->day].time_out - p->max_time_out;
	case PK_APPOINTMENTS:
		*unit = "appointments";
		*weight = c->appointments;
		return (double)w->days[x->day].n - p->max_appts_per_day;
	case PK_REST:
		*unit = "min";
		*weight = c->rest;
		return p->min_rest - (x->to - x->from);
	case PK_UNFAMILIAR:
		*unit = "people";
		if (x->week_wide) {
			*weight = c->unfamiliar_week;
			return week_people(w, x->day) - p->max_unfam_week;
		}
		*weight = c->unfamiliar_day;
		return sv_day_people(w, (size_t)x->day) - p->max_unfam_day;
	default:
		return 0;
	}
}

int sv_week_totals(const struct week *w, const struct problems *ps, struct sv_totals *t)
{
	memset(t, 0, sizeof *t);
	t->unfamiliar = xcalloc(w->n_days + 1, sizeof *t->unfamiliar);
	for (size_t i = 0; i < w->n_days; i++) {
		const struct wk_day *d = &w->days[i];
		t->journeys += d->journeys;
		t->travel_min += d->travel_min;
		t->travel_cost += d->travel_cost;
		if (d->energy > t->peak_energy)
			t->peak_energy = d->energy;
		t->unfamiliar[i] = sv_day_people(w, i);
		if (t->unfamiliar[i] > t->unfamiliar_max)
			t->unfamiliar_max = t->unfamiliar[i];
	}
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		if (x->kind == PK_OVERLAP || x->kind == PK_DOUBLE_BOOKED || x->kind == PK_NO_CARER)
			t->clashes++;   /* (no-carer: the carer cannot be in two places) */
		if (x->kind == PK_ROUTINE)
			t->routine_conflicts++;
		int tier = plan_kind_tier(x->kind);
		if (tier == 1)
			t->impossible++;
		if (tier == 2) {
			const char *unit;
			double wgt, size = sv_compromise_size(w, x, &unit, &wgt);
			t->compromise += size * wgt;
		}
	}
	t->placed = (int)w->n_appts;
	return 0;
}

void sv_totals_release(struct sv_totals *t)
{
	free(t->unfamiliar);
	t->unfamiliar = NULL;
}

static int overlaps(int a0, int a1, int b0, int b1)
{
	return a0 < b1 && b0 < a1;
}

static int when_in(const struct prof_when *v, size_t n, unsigned wd, int s, int e, int inside)
{
	for (size_t k = 0; k < n; k++) {
		if (!(v[k].days & wd))
			continue;
		if (inside ? (v[k].times.from <= s && e <= v[k].times.to)
			   : overlaps(s, e, v[k].times.from, v[k].times.to))
			return 1;
	}
	return 0;
}

double sv_place_cost(const struct instance *in, size_t i, size_t c, int *changed)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	const struct prof_weights *wt = &p->weights;
	const struct sv_appt *sa = &in->a[i];
	const struct placement *pl = &sa->cand[c], *cur = &sa->current;
	double cost = 0;
	*changed = !(pl->day == cur->day && pl->start == cur->start && pl->venue == cur->venue);
	if (*changed) {
		int dd = pl->day > cur->day ? pl->day - cur->day : cur->day - pl->day;
		cost += wt->change + wt->change_day * dd + (pl->venue != cur->venue ? wt->change_venue : 0);
	}
	unsigned wd = w->days[pl->day].wd;
	int s = pl->start, e = pl->start + sa->duration;
	if (when_in(p->avoid, p->n_avoid, wd, s, e, 0))
		cost += wt->preference;
	if (p->n_preferred && !when_in(p->preferred, p->n_preferred, wd, s, e, 1))
		cost += wt->preference;
	return cost;
}

static int same(const struct placement *a, const struct placement *b)
{
	return a->day == b->day && a->start == b->start && a->venue == b->venue;
}

void sv_cost_terms(const struct instance *in, const struct plan *pl, const struct week *mv, double *t)
{
	const struct profile *p = mv->p;
	const struct prof_weights *wt = &p->weights;
	double peak = 0;
	for (int k = 0; k < SV_TERMS; k++)
		t[k] = 0;
	for (size_t i = 0; i < mv->n_days; i++) {
		const struct wk_day *d = &mv->days[i];
		t[SV_T_JOURNEYS] += wt->journeys * d->journeys;
		t[SV_T_TRAVEL] += wt->travel_minutes * d->travel_min;
		t[SV_T_MONEY] += wt->travel_money * d->travel_cost;
		t[SV_T_UNFAMILIAR] += wt->unfamiliar * sv_day_people(mv, i);
		if (d->energy > peak)
			peak = d->energy;
	}
	t[SV_T_PEAK] = wt->peak_energy * peak;
	for (size_t i = 0; i < mv->n_routines; i++) {
		const struct wk_routine *r = &mv->routines[i];
		if (r->start >= 0)
			t[SV_T_ROUTINES] += wt->routine_shift * (r->start - p->routines[r->routine].starts[r->window].from);
	}
	for (size_t i = 0; i < in->n; i++) {
		if (pl->at[i].day < 0)
			continue;
		for (size_t c = 0; c < in->a[i].n_cand; c++) {
			if (same(&pl->at[i], &in->a[i].cand[c])) {
				int changed;
				double all = sv_place_cost(in, i, c, &changed);
				const struct placement *q = &in->a[i].cand[c], *cur = &in->a[i].current;
				double ch = 0;
				if (changed)
					ch = wt->change + wt->change_day * abs(q->day - cur->day) +
					     (q->venue != cur->venue ? wt->change_venue : 0);
				t[SV_T_CHANGES] += ch;
				t[SV_T_PREFERENCE] += all - ch;
				break;
			}
		}
	}
}

double sv_objective(const struct instance *in, const struct plan *pl, const struct week *mv)
{
	double t[SV_TERMS], sum = 0;
	sv_cost_terms(in, pl, mv, t);
	for (int k = 0; k < SV_TERMS; k++)
		sum += t[k];
	return sum;
}

static void fmt_size(char *b, size_t sz, double size, const char *unit)
{
	int one = fabs(size - 1) < 1e-9;
	const char *u = unit;
	if (!strcmp(unit, "people"))
		u = one ? "person" : "people";
	else if (!strcmp(unit, "points"))
		u = one ? "point" : "points";
	else if (!strcmp(unit, "appointments"))
		u = one ? "appointment" : "appointments";
	if (fabs(size - floor(size + 0.5)) < 1e-9)
		snprintf(b, sz, "%.0f %s", size, u);
	else
		snprintf(b, sz, "%.2f %s", size, u);
}

int sv_week_compromises(const struct week *w, const struct problems *ps, struct sv_compromise **out,
			size_t *n, struct diag *d)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		if (plan_kind_tier(x->kind) != 2)
			continue;
		const char *unit;
		double wgt, size = sv_compromise_size(w, x, &unit, &wgt);
		assert(size > 0);
		struct sv_compromise *c = BUF_PUSH(*out, *n, cap);
		if (!c) {
			free(*out);
			*out = NULL;
			*n = 0;
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			return -1;
		}
		c->kind = x->kind;
		c->day = x->day;
		c->week_wide = x->week_wide;
		c->size = size;
		c->penalty = size * wgt;
		c->unit = unit;
		char sb[48];
		fmt_size(sb, sizeof sb, size, unit);
		const char *how = x->kind == PK_REST ? "short" : x->kind == PK_OUTSIDE_DAY ? "outside" : "over";
		if (x->kind == PK_ROUTINE || x->kind == PK_ROUTINE_LATE || x->kind == PK_FREE_DAY)
			snprintf(c->text, sizeof c->text, "%s", x->msg);
		else
			snprintf(c->text, sizeof c->text, "%s (%s %s)", x->msg, sb, how);
	}
	return 0;
}

int sv_plan_tiers(const struct instance *in, const struct plan *pl, const struct week *mv,
		  const struct problems *ps, struct sv_tiers *t, struct sv_compromise **comps,
		  size_t *n_comps, struct diag *d)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		int tier = plan_kind_tier(x->kind);
		if (tier == 1)
			t->impossible++;
		if (tier != 2)
			continue;
		const char *unit;
		double wgt, size = sv_compromise_size(mv, x, &unit, &wgt);
		assert(size > 0);
		t->compromise += size * wgt;
	}
	if (comps && sv_week_compromises(mv, ps, comps, n_comps, d) < 0)
		return -1;
	t->cost = sv_objective(in, pl, mv);
	return 0;
}
