/* instance.c: the optimiser's instance: every placement (day, start, venue) each appointment may take. */
#include "dovetail/solver.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"
#include "internal.h"

/* Whether the person refused placement (date, start, venue) of a. */
static int refused(const struct wk_appt *a, int64_t date, int start, int venue)
{
	for (size_t i = 0; i < a->n_refused; i++)
		if (a->refused[i].date == date && a->refused[i].start == start && a->refused[i].venue == venue)
			return 1;
	return 0;
}

static int in_ranges(const struct prof_range *r, size_t n, int s, int e)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (r[i].from <= s && e <= r[i].to)
			return 1;
	return 0;
}

static int works(const struct prof_practitioner *pr, unsigned wd, int s, int e, int venue)
{
	if (pr->n_works == 0)
		return 1;
	for (size_t i = 0; i < pr->n_works; i++) {
		const struct prof_work *k = &pr->works[i];
		if (!(k->days & wd) || s < k->hours.from || e > k->hours.to)
			continue;
		if (k->venues.n == 0)
			return 1;
		for (size_t j = 0; j < k->venues.n; j++)
			if (k->venues.v[j] == venue)
				return 1;
	}
	return 0;
}

static int cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	return (a > b) - (a < b);
}

/* Append placement (day, start, venue) to sa's candidates (capacity
 * *cap). Returns 0, or -1 with d filled (SOLVER_MAX_CANDIDATES passed, or
 * out of memory). */
static int push_cand(struct sv_appt *sa, size_t *cap, int day, int start, int venue, struct diag *d)
{
	if (sa->n_cand >= SOLVER_MAX_CANDIDATES) {
		char b[32];
		snprintf(b, sizeof b, "%d", SOLVER_MAX_CANDIDATES);
		diag_add(d, D_LIM_INSTANCE, NULL, 0, 0, b, "placements of one appointment");
		return -1;
	}
	struct placement *c = BUF_PUSH(sa->cand, sa->n_cand, *cap);
	if (!c) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	*c = (struct placement){ day, start, venue };
	return 0;
}

static int place_cmp(const struct placement *a, const struct placement *b)
{
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return (a->venue > b->venue) - (a->venue < b->venue);
}

/* The grid candidates of appointment a (sa): each day its window allows
 * that is not kept free, each slot-grid start not before the cut-off
 * that keeps it in the person's day and its window's times, each allowed
 * venue its practitioner works at then, clear of their and the carers'
 * busy time, not refused, not the current placement. They come in order
 * of day, start and venue. Returns 0, or -1 with d filled. */
static int grid_candidates(struct sv_appt *sa, size_t *cap, const struct week *w, int64_t cutoff, struct diag *d)
{
	const struct profile *p = w->p;
	const struct wk_appt *a = &w->appts[sa->appt];
	size_t first_grid = sa->n_cand;
	/* the allowed venues, in index order */
	int venues[256];
	size_t nv = 0;
	if (a->venues && a->venues->n) {
		for (size_t i = 0; i < a->venues->n && nv < 256; i++)
			venues[nv++] = a->venues->v[i];
		qsort(venues, nv, sizeof *venues, cmp_int);
	} else {
		venues[nv++] = a->venue;
	}
	const struct prof_practitioner *pr = &p->pracs[a->prac];
	int slot = p->slot;
	for (size_t day = 0; day < w->n_days; day++) {
		if (!week_window_allows(w, a->window, a->day, (int)day) || (p->free_days & w->days[day].wd))
			continue;
		int first = (p->day.from + slot - 1) / slot * slot;
		for (int s = first; s + sa->duration <= p->day.to; s += slot) {
			int e = s + sa->duration;
			if (!in_ranges(a->window->times, a->window->n_times, s, e))
				continue;
			int64_t us = week_utc(w, (int)day, s), ue = week_utc(w, (int)day, e);
			if (us < cutoff || week_busy(w, a->prac, us, ue))
				continue;
			for (size_t k = 0; k < nv; k++) {
				if (!works(pr, w->days[day].wd, s, e, venues[k]))
					continue;
				if (!week_carer_free(w, a, venues[k], us, ue))
					continue;   /* a moved appointment never lands in a carer's busy time */
				if ((int)day == sa->current.day && s == sa->current.start && venues[k] == sa->current.venue)
					continue;
				if (refused(a, w->days[day].date, s, venues[k]))
					continue;   /* the person said "not this time" */
				if (push_cand(sa, cap, (int)day, s, venues[k], d) < 0)
					return -1;
			}
		}
	}
	for (size_t q = first_grid + 1; q < sa->n_cand; q++)
		assert(place_cmp(&sa->cand[q - 1], &sa->cand[q]) <= 0);   /* sorted (a venue listed twice repeats) */
	return 0;
}

/* The times the practitioner suggested (a COUNTER, docs/replies.md):
 * even outside the window and working pattern, but never before the
 * notice cut-off, in their or a carer's busy time, refused, or twice.
 * Returns 0, or -1 with d filled. */
static int suggested_candidates(struct sv_appt *sa, size_t *cap, const struct week *w, int64_t cutoff,
				struct diag *d)
{
	const struct wk_appt *a = &w->appts[sa->appt];
	for (size_t k = 0; k < a->n_suggested; k++) {
		const struct wk_refusal *g = &a->suggested[k];
		int day = -1;
		for (size_t j = 0; j < w->n_days; j++)
			if (w->days[j].date == g->date)
				day = (int)j;
		int e = g->start + sa->duration;
		if (day < 0 || e > 1440)
			continue;
		int64_t us = week_utc(w, day, g->start), ue = week_utc(w, day, e);
		if (us < cutoff || week_busy(w, a->prac, us, ue) || !week_carer_free(w, a, g->venue, us, ue) ||
		    refused(a, g->date, g->start, g->venue))
			continue;
		int dup = 0;
		for (size_t q = 0; q < sa->n_cand && !dup; q++)
			dup = sa->cand[q].day == day && sa->cand[q].start == g->start && sa->cand[q].venue == g->venue;
		if (!dup && push_cand(sa, cap, day, g->start, g->venue, d) < 0)
			return -1;
	}
	return 0;
}

/* Every candidate of appointment sa (instance.h): the current placement
 * first, then, when it may move, the grid's and the suggested ones. */
static int candidates(struct sv_appt *sa, const struct week *w, int64_t now, struct diag *d)
{
	const struct wk_appt *a = &w->appts[sa->appt];
	size_t cap = 0;
	if (push_cand(sa, &cap, sa->current.day, sa->current.start, sa->current.venue, d) < 0)
		return -1;
	/* the notice cut-off: what starts before it stays, nothing moves before it */
	int64_t cutoff = week_notice_cutoff(w, a->prac, now);
	if (!a->movable || a->start < cutoff)
		return 0;
	if (grid_candidates(sa, &cap, w, cutoff, d) < 0 || suggested_candidates(sa, &cap, w, cutoff, d) < 0)
		return -1;
	return 0;
}

int sv_series_gap(const struct instance *in, size_t i)
{
	const struct week *w = in->w;
	const char *uid = w->appts[in->a[i].appt].uid;
	int gap = 1 << 20;
	for (size_t j = 0; j < in->n; j++) {
		if (strcmp(w->appts[in->a[j].appt].uid, uid))
			continue;
		for (size_t k = j + 1; k < in->n; k++) {
			if (strcmp(w->appts[in->a[k].appt].uid, uid))
				continue;
			int dd = abs(in->a[j].current.day - in->a[k].current.day);
			if (dd < gap)
				gap = dd;
		}
	}
	return gap == 1 << 20 ? 0 : gap / 2;
}

int instance_build(struct instance *in, const struct week *w, int64_t now, struct diag *d)
{
	memset(in, 0, sizeof *in);
	in->w = w;
	in->now = now;
	if (w->n_appts > SOLVER_MAX_APPTS) {
		char b[32];
		snprintf(b, sizeof b, "%d", SOLVER_MAX_APPTS);
		diag_add(d, D_LIM_INSTANCE, NULL, 0, 0, b, "appointments in the horizon");
		return -1;
	}
	in->a = xcalloc(w->n_appts + 1, sizeof *in->a);
	for (size_t i = 0; i < w->n_appts; i++) {
		const struct wk_appt *a = &w->appts[i];
		struct sv_appt *sa = &in->a[in->n++];
		sa->appt = i;
		sa->duration = a->e_min - a->s_min;
		sa->current.day = a->day;
		sa->current.start = a->s_min;
		sa->current.venue = a->venue;
		if (candidates(sa, w, now, d) < 0) {
			instance_release(in);
			return -1;
		}
		assert(sa->n_cand >= 1 && place_cmp(&sa->cand[0], &sa->current) == 0);   /* cand[0] is the current placement */
	}
	return 0;
}

size_t instance_movable(const struct instance *in)
{
	size_t n = 0;
	for (size_t i = 0; i < in->n; i++)
		n += in->a[i].n_cand > 1;
	return n;
}

void instance_release(struct instance *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n; i++)
		free(in->a[i].cand);
	free(in->a);
	memset(in, 0, sizeof *in);
}
