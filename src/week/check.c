/* check.c: every problem of the current week (docs/check.md), in a stable order. */
#include "dovetail/check.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

static const struct {
	const char *name;
	int error;
} kinds[PK__COUNT] = {
#define PK_ROW_(k, name, err) { name, err },
	CHECK_KINDS(PK_ROW_)
#undef PK_ROW_
};

const char *problem_kind_name(enum problem_kind k)
{
	return (unsigned)k < PK__COUNT ? kinds[k].name : "?";
}

int problem_is_error(enum problem_kind k)
{
	return (unsigned)k < PK__COUNT && kinds[k].error;
}

struct ctx {
	const struct week *w;
	const struct profile *p;
	struct problems *out;
	int failed;
	struct diag *d;
	unsigned char *said;   /* venue pairs already reported without travel data */
	int quiet;             /* no messages (check_week_quiet) */
};

static struct problem *add(struct ctx *c, enum problem_kind k, int day, int from, int to)
{
	struct problem *x = BUF_PUSH(c->out->v, c->out->n, c->out->cap);
	if (!x) {
		c->failed = 1;
		return NULL;
	}
	memset(x, 0, sizeof *x);
	x->kind = k;
	x->day = day;
	x->from = from;
	x->to = to;
	x->routine = -1;
	return x;
}

/* Practitioner pi's bit in a set of them (a profile has at most
 * PROFILE_MAX_PRACS, 64). */
static uint64_t prac_bit(int pi)
{
	assert(pi >= 0 && pi < PROFILE_MAX_PRACS);
	return UINT64_C(1) << pi;
}

static void ref_venue(struct problem *x, int v)
{
	for (size_t i = 0; i < x->n_venues; i++)
		if (x->venues[i] == v)
			return;
	if (x->n_venues < PROBLEM_MAX_REFS)
		x->venues[x->n_venues++] = v;
}

static void ref_prac(struct problem *x, int pi)
{
	for (size_t i = 0; i < x->n_pracs; i++)
		if (x->pracs[i] == pi)
			return;
	if (x->n_pracs < PROBLEM_MAX_REFS)
		x->pracs[x->n_pracs++] = pi;
}

/* Refer to appointment k: it, its practitioner and its venue. */
static void ref_appt(const struct ctx *c, struct problem *x, size_t k)
{
	const struct wk_appt *a = &c->w->appts[k];
	for (size_t i = 0; i < x->n_appts; i++)
		if (x->appts[i] == (int)k)
			return;
	if (x->n_appts < PROBLEM_MAX_REFS)
		x->appts[x->n_appts++] = (int)k;
	ref_prac(x, a->prac);
	ref_venue(x, a->venue);
}

/* Format a problem's message; truncation at sizeof msg is intended. */
static void msgf(const struct ctx *c, struct problem *x, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void msgf(const struct ctx *c, struct problem *x, const char *fmt, ...)
{
	if (c->quiet)
		return;   /* valuing a plan: the problems, not their words */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

/* "physio 10:00-10:45" */
static void appt_name(const struct ctx *c, const struct wk_appt *a, char *out, size_t sz)
{
	if (c->quiet) {
		*out = 0;
		return;
	}
	char s[8], e[8];
	time_fmt_hhmm(a->s_min, s);
	time_fmt_hhmm(a->e_min, e);
	snprintf(out, sz, "%s %s-%s", c->p->pracs[a->prac].id, s, e);
}

static const char *venue_id(const struct profile *p, int v)
{
	return v < 0 ? "(unknown)" : p->venues[v].id;
}

/* Say once per pair of venues that no travel time is known between them. */
static void no_travel(struct ctx *c, int a, int b)
{
	size_t n = c->p->n_venues;
	assert(a >= 0 && b >= 0 && (size_t)a < n && (size_t)b < n);   /* known venues only */
	size_t k = (size_t)(a < b ? a : b) * n + (size_t)(a < b ? b : a);
	if (c->said[k])
		return;
	c->said[k] = 1;
	diag_add(c->d, D_PROF_NO_TRAVEL, c->p->path, 0, 0, c->p->venues[a].id, c->p->venues[b].id);
}

static void overlaps_and_rest(struct ctx *c, int di)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	const struct wk_day *d = &w->days[di];
	char an[80], bn[80];
	for (size_t i = d->first; i < d->first + d->n; i++) {
		const struct wk_appt *a = &w->appts[i];
		for (size_t j = i + 1; j < d->first + d->n; j++) {
			const struct wk_appt *b = &w->appts[j];
			if (b->s_min >= a->e_min)
				break;
			if (week_joint(w, a, b))
				continue;
			int to = a->e_min < b->e_min ? a->e_min : b->e_min;
			struct problem *x = add(c, PK_OVERLAP, di, b->s_min, to);
			if (!x)
				return;
			ref_appt(c, x, i);
			ref_appt(c, x, j);
			appt_name(c, a, an, sizeof an);
			appt_name(c, b, bn, sizeof bn);
			msgf(c, x, "%s overlaps %s by %d min", bn, an, to - b->s_min);
		}
	}
	/* consecutive pairs: travel and rest */
	for (size_t k = d->first + 1; k < d->first + d->n; k++) {
		const struct wk_appt *a = &w->appts[k - 1], *b = &w->appts[k];
		int gap = b->s_min - a->e_min;
		if (gap < 0)
			continue;
		appt_name(c, a, an, sizeof an);
		appt_name(c, b, bn, sizeof bn);
		if (a->venue >= 0 && b->venue >= 0 && a->venue != b->venue) {
			int t = profile_travel(p, a->venue, b->venue);
			if (t < 0)
				no_travel(c, a->venue, b->venue);
			if (t > gap) {
				/* when the travel would have to happen */
				struct problem *x = add(c, PK_TRAVEL, di, a->e_min, a->e_min + t);
				if (!x)
					return;
				ref_appt(c, x, k - 1);
				ref_appt(c, x, k);
				msgf(c, x, "%s to %s: %d min of travel from %s to %s, only %d min between",
					 an, bn, t, venue_id(p, a->venue), venue_id(p, b->venue), gap);
			}
		}
		if (p->min_rest > 0 && gap < p->min_rest) {
			struct problem *x = add(c, PK_REST, di, a->e_min, b->s_min);
			if (!x)
				return;
			ref_appt(c, x, k - 1);
			ref_appt(c, x, k);
			msgf(c, x, "%d min between %s and %s; at least %d min of rest wanted",
				 gap, an, bn, p->min_rest);
		}
	}
}

/* An appointment that needs a carer when every carer who takes the person
 * to it has busy time of their own over it (docs/profile.md, "carers"). */
static void no_carer(struct ctx *c)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	char an[80], who[160];
	for (size_t k = 0; k < w->n_appts; k++) {
		const struct wk_appt *a = &w->appts[k];
		if (week_carer_free(w, a, a->venue, a->start, a->end))
			continue;
		struct problem *x = add(c, PK_NO_CARER, a->day, a->s_min, a->e_min);
		if (!x)
			return;
		ref_appt(c, x, k);
		appt_name(c, a, an, sizeof an);
		size_t off = 0;
		who[0] = 0;
		for (size_t q = 0; q < p->n_carers && off < sizeof who; q++)
			if (!p->carers[q].takes || (p->carers[q].takes >> a->prac & 1))
				off += (size_t)snprintf(who + off, sizeof who - off, "%s%s", off ? ", " : "", p->carers[q].id);
		msgf(c, x, "%s: no carer is free to take the person (%s busy)", an, who);
	}
}

static void double_booked(struct ctx *c)
{
	const struct week *w = c->w;
	char an[80], s[8], e[8];
	for (size_t k = 0; k < w->n_appts; k++) {
		const struct wk_appt *a = &w->appts[k];
		for (size_t i = 0; i < w->n_busy; i++) {
			const struct wk_busy *b = &w->busy[i];
			if (b->prac != a->prac || !(b->start < a->end && a->start < b->end))
				continue;
			int from = week_minutes(w, a->day, b->start > a->start ? b->start : a->start);
			int to = week_minutes(w, a->day, b->end < a->end ? b->end : a->end);
			struct problem *x = add(c, PK_DOUBLE_BOOKED, a->day, from, to);
			if (!x)
				return;
			ref_appt(c, x, k);
			appt_name(c, a, an, sizeof an);
			time_fmt_hhmm(from, s);
			time_fmt_hhmm(to, e);
			msgf(c, x, "%s: %s is also booked with another client %s-%s",
				 an, c->p->pracs[a->prac].id, s, e);
		}
	}
}

static void routines(struct ctx *c)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	for (size_t i = 0; i < w->n_routines; i++) {
		const struct wk_routine *r = &w->routines[i];
		if (r->start >= 0 && r->late == 0)
			continue;
		const struct prof_routine *rt = &p->routines[r->routine];
		const struct prof_range *win = &rt->starts[r->window];
		int from = win->from, to = win->to + rt->duration;
		struct problem *x = r->start >= 0 ? add(c, PK_ROUTINE_LATE, r->day, r->start, r->start + rt->duration)
						  : add(c, PK_ROUTINE, r->day, from, to > 1440 ? 1440 : to);
		if (!x)
			return;
		x->routine = r->routine;
		x->window = r->window;
		const struct wk_day *d = &w->days[r->day];
		/* what blocks its window: appointments in the span, and those
		 * whose travel crosses it */
		for (size_t k = d->first; k < d->first + d->n; k++) {
			const struct wk_appt *a = &w->appts[k];
			int near = a->s_min < to && from < a->e_min;
			for (size_t l = 0; !near && l < w->n_legs; l++) {
				const struct wk_leg *g = &w->legs[l];
				if (g->day == r->day && g->dep < to && from < g->arr &&
				    (g->arr == a->s_min || g->dep == a->e_min))
					near = 1;
			}
			if (near)
				ref_appt(c, x, k);
		}
		if (rt->place >= 0)
			ref_venue(x, rt->place);
		char s[8], e[8], at[8], who[160] = "";
		time_fmt_hhmm(win->from, s);
		time_fmt_hhmm(win->to, e);
		size_t off = 0;
		for (size_t k = 0; k < x->n_appts && off < sizeof who; k++) {
			char an[80];
			appt_name(c, &w->appts[x->appts[k]], an, sizeof an);
			off += (size_t)snprintf(who + off, sizeof who - off, "%s%s", k ? ", " : "", an);
		}
		/* and the routines placed before it, elsewhere, in the span */
		for (size_t k = 0; k < w->n_routines && off < sizeof who; k++) {
			const struct wk_routine *o = &w->routines[k];
			const struct prof_routine *ot = &p->routines[o->routine];
			if (o->day != r->day || o->start < 0 || !(o->start < to && from < o->start + ot->duration) ||
			    !week_routines_apart(p, rt->place, ot->place) ||
			    !week_routine_before(p, (size_t)o->routine, (size_t)o->window, (size_t)r->routine,
						 (size_t)r->window))
				continue;
			char os[8], oe[8];
			time_fmt_hhmm(o->start, os);
			time_fmt_hhmm(o->start + ot->duration, oe);
			off += (size_t)snprintf(who + off, sizeof who - off, "%s%s %s-%s", off ? ", " : "", ot->id, os, oe);
		}
		const char *place = rt->place == PLACE_HOME ? "at home" :
				    rt->place == PLACE_ANYWHERE ? "anywhere" : "at its venue";
		if (r->start >= 0) {
			time_fmt_hhmm(r->start, at);
			msgf(c, x, "%s (%s, %d min %s, starting %s-%s) starts %d min late, at %s%s%s",
				 rt->id, routine_kind_name(rt->kind), rt->duration, place, s, e, r->late, at,
				 *who ? ": blocked by " : "", who);
		} else {
			msgf(c, x, "%s (%s, %d min %s, starting %s-%s) cannot be kept%s%s",
				 rt->id, routine_kind_name(rt->kind), rt->duration, place, s, e,
				 *who ? ": blocked by " : "", who);
		}
	}
}

static void per_appointment(struct ctx *c)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	char an[80], s[8], e[8];
	for (size_t k = 0; k < w->n_appts; k++) {
		const struct wk_appt *a = &w->appts[k];
		appt_name(c, a, an, sizeof an);
		if (a->s_min < p->day.from || a->e_min > p->day.to) {
			struct problem *x = add(c, PK_OUTSIDE_DAY, a->day, a->s_min, a->e_min);
			if (!x)
				return;
			ref_appt(c, x, k);
			time_fmt_hhmm(p->day.from, s);
			time_fmt_hhmm(p->day.to, e);
			msgf(c, x, "%s is outside the person's day %s-%s", an, s, e);
		}
		if (p->free_days & w->days[a->day].wd) {
			struct problem *x = add(c, PK_FREE_DAY, a->day, a->s_min, a->e_min);
			if (!x)
				return;
			ref_appt(c, x, k);
			msgf(c, x, "%s is on a day kept free", an);
		}
		if (p->pracs[a->prac].family) {
			/* its date and place, never its text */
			struct problem *x = add(c, PK_NOT_PRACTITIONER, a->day, a->s_min, a->e_min);
			if (!x)
				return;
			ref_appt(c, x, k);
			msgf(c, x, "%s: an event of the family's calendar at %s, not from a known practitioner",
			     an, a->venue >= 0 ? p->venues[a->venue].id : "an unknown place");
		}
		if (a->venue < 0) {
			struct problem *x = add(c, PK_UNKNOWN_VENUE, a->day, a->s_min, a->e_min);
			if (!x)
				return;
			ref_appt(c, x, k);
			if (a->has_location)
				msgf(c, x, "%s: its LOCATION matches no venue's name or alias", an);
			else
				msgf(c, x, "%s has no LOCATION and %s has no default_venue",
					 an, p->pracs[a->prac].id);
		}
	}
}

/* More unfamiliar people in day di than the profile wants. */
static void day_unfamiliar(struct ctx *c, int di)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	const struct wk_day *d = &w->days[di];
	struct problem *x;
	if (p->max_unfam_day < 0)
		return;
	int people = 0;
	if (!(x = add(c, PK_UNFAMILIAR, di, 0, 1440)))
		return;
	uint64_t seen = 0;   /* counted apart from the refs: they stop at PROBLEM_MAX_REFS */
	for (size_t k = d->first; k < d->first + d->n; k++) {
		const struct prof_practitioner *pr = &p->pracs[w->appts[k].prac];
		if (pr->familiar)
			continue;
		ref_prac(x, w->appts[k].prac);
		if (!(seen & prac_bit(w->appts[k].prac)))
			people += pr->people;
		seen |= prac_bit(w->appts[k].prac);
	}
	if (people > p->max_unfam_day) {
		msgf(c, x, "%d unfamiliar people in the day; at most %d wanted",
			 people, p->max_unfam_day);
	} else {
		c->out->n--;   /* within the limit: take it back */
	}
}

/* Day di away from home at two venues or more, when grouping is wanted. */
static void day_scattered(struct ctx *c, int di)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	const struct wk_day *d = &w->days[di];
	struct problem *x;
	if (p->grouping != GROUP_WANTED)
		return;
	if (!(x = add(c, PK_SCATTERED_DAY, di, 0, 1440)))
		return;
	size_t venues = 0;   /* counted apart from the refs: they stop at PROBLEM_MAX_REFS */
	for (size_t k = d->first; k < d->first + d->n; k++) {
		int v = w->appts[k].venue, again = 0;
		if (v < 0 || v == p->home)
			continue;
		ref_appt(c, x, k);
		for (size_t j = d->first; j < k && !again; j++)
			again = w->appts[j].venue == v;
		venues += !again;
	}
	if (venues >= 2) {
		char list[200] = "";
		size_t off = 0;
		for (size_t i = 0; i < x->n_venues && off < sizeof list; i++)
			off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
						venue_id(p, x->venues[i]));
		msgf(c, x, "%zu venues away from home in one day (%s%s); grouping is wanted", venues, list,
		     venues > x->n_venues ? ", ..." : "");
	} else {
		c->out->n--;
	}
}

/* x to two decimals as printf's %.2f gives it */
static double round2(double x)
{
	char b[64];
	snprintf(b, sizeof b, "%.2f", x);
	return strtod(b, NULL);
}

static void per_day(struct ctx *c, int di)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	const struct wk_day *d = &w->days[di];
	if (d->n == 0)
		return;
	struct problem *x;
	if (d->energy > p->energy_budget + 1e-9) {
		if (!(x = add(c, PK_ENERGY, di, 0, 1440)))
			return;
		for (size_t k = d->first; k < d->first + d->n; k++)
			ref_appt(c, x, k);
		/* the parts as shown add up to the total as shown where that is
		 * a true rounding of travel (6.125 = 4.25 + 1.875: travel 1.87,
		 * not 1.88); else each part is rounded on its own */
		double travel = d->travel_min / 60.0 * p->travel_energy_per_hour;
		double total2 = round2(d->energy), appts2 = round2(d->energy - travel), travel2 = total2 - appts2;
		if (fabs(travel2 - travel) > 0.005 + 1e-9)
			travel2 = travel;
		msgf(c, x, "energy %.2f points (appointments %.2f, travel %.2f) over the budget of %.2f", total2,
		     appts2, travel2, p->energy_budget);
	}
	if (p->max_time_out >= 0 && d->time_out > p->max_time_out) {
		if (!(x = add(c, PK_TIME_OUT, di, 0, 1440)))
			return;
		for (size_t k = d->first; k < d->first + d->n; k++)
			if (w->appts[k].venue != p->home)
				ref_appt(c, x, k);
		msgf(c, x, "%d min out of home in %d journey%s; at most %d wanted",
			 d->time_out, d->journeys, d->journeys == 1 ? "" : "s", p->max_time_out);
	}
	if (p->max_appts_per_day >= 0 && (int)d->n > p->max_appts_per_day) {
		if (!(x = add(c, PK_APPOINTMENTS, di, 0, 1440)))
			return;
		for (size_t k = d->first; k < d->first + d->n; k++)
			ref_appt(c, x, k);
		msgf(c, x, "%zu appointments; at most %d a day wanted", d->n, p->max_appts_per_day);
	}
	day_unfamiliar(c, di);
	if (!c->failed)
		day_scattered(c, di);
}

static void unfamiliar_week(struct ctx *c)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	if (p->max_unfam_week < 0)
		return;
	for (size_t start = 0; start < w->n_days;) {
		int64_t wk = time_week(w->days[start].date);
		size_t end = start;
		while (end < w->n_days && time_week(w->days[end].date) == wk)
			end++;
		struct problem *x = add(c, PK_UNFAMILIAR, (int)start, 0, 1440);
		if (!x)
			return;
		x->week_wide = 1;
		int people = 0;
		uint64_t seen = 0;
		for (size_t k = 0; k < w->n_appts; k++) {
			const struct wk_appt *a = &w->appts[k];
			const struct prof_practitioner *pr = &p->pracs[a->prac];
			if (a->day < (int)start || a->day >= (int)end || pr->familiar)
				continue;
			ref_prac(x, a->prac);
			if (!(seen & prac_bit(a->prac)))
				people += pr->people;
			seen |= prac_bit(a->prac);
		}
		if (people > p->max_unfam_week)
			msgf(c, x, "%d unfamiliar people in the week; at most %d wanted",
				 people, p->max_unfam_week);
		else
			c->out->n--;
		start = end;
	}
}

static void repeat_journeys(struct ctx *c)
{
	const struct week *w = c->w;
	const struct profile *p = c->p;
	if (p->grouping == GROUP_UNWANTED)
		return;
	for (int v = 0; v < (int)p->n_venues; v++) {
		if (v == p->home)
			continue;
		for (size_t d1 = 0; d1 < w->n_days; d1++) {
			for (size_t d2 = d1 + 1; d2 < w->n_days; d2++) {
				/* an appointment at v on one day that could join a visit to v on the other */
				int mover = -1, stay = -1;
				const struct wk_day *a = &w->days[d1], *b = &w->days[d2];
				for (size_t i = b->first; mover < 0 && i < b->first + b->n; i++)
					for (size_t j = a->first; mover < 0 && j < a->first + a->n; j++)
						if (w->appts[i].venue == v && w->appts[j].venue == v &&
						    week_could_move_to(w, &w->appts[i], (int)d1)) {
							mover = (int)i;
							stay = (int)j;
						}
				for (size_t j = a->first; mover < 0 && j < a->first + a->n; j++)
					for (size_t i = b->first; mover < 0 && i < b->first + b->n; i++)
						if (w->appts[i].venue == v && w->appts[j].venue == v &&
						    week_could_move_to(w, &w->appts[j], (int)d2)) {
							mover = (int)j;
							stay = (int)i;
						}
				if (mover < 0)
					continue;
				const struct wk_appt *m = &w->appts[mover], *s = &w->appts[stay];
				struct problem *x = add(c, PK_REPEAT_JOURNEY, m->day, m->s_min, m->e_min);
				if (!x)
					return;
				ref_appt(c, x, (size_t)mover);
				ref_appt(c, x, (size_t)stay);
				char mn[80], sn[80], md[24], sd[24];
				appt_name(c, m, mn, sizeof mn);
				appt_name(c, s, sn, sizeof sn);
				time_fmt_day(w->days[m->day].date, 0, md, sizeof md);
				time_fmt_day(w->days[s->day].date, 0, sd, sizeof sd);
				msgf(c, x, "journeys to %s on %s and %s; %s could move to %s (with %s)",
					 p->venues[v].id, d1 == (size_t)m->day ? md : sd, d1 == (size_t)m->day ? sd : md,
					 mn, sd, sn);
			}
		}
	}
}

static int problem_cmp(const void *x, const void *y)
{
	const struct problem *a = x, *b = y;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if (a->week_wide != b->week_wide)
		return a->week_wide ? -1 : 1;   /* a week's problem starts with the week */
	if (a->from != b->from)
		return a->from < b->from ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->to != b->to)
		return a->to < b->to ? -1 : 1;
	size_t n = a->n_appts < b->n_appts ? a->n_appts : b->n_appts;
	for (size_t i = 0; i < n; i++)
		if (a->appts[i] != b->appts[i])
			return a->appts[i] < b->appts[i] ? -1 : 1;
	if (a->n_appts != b->n_appts)
		return a->n_appts < b->n_appts ? -1 : 1;
	if (a->routine != b->routine)
		return a->routine < b->routine ? -1 : 1;
	return strcmp(a->msg, b->msg);
}

static int check(const struct week *w, int quiet, struct problems *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	size_t nv = w->p->n_venues;
	struct ctx c = { w, w->p, out, 0, d, xcalloc(nv ? nv * nv : 1, 1), quiet };
	for (size_t i = 0; i < w->n_days && !c.failed; i++)
		overlaps_and_rest(&c, (int)i);
	if (!c.failed)
		double_booked(&c);
	if (!c.failed)
		no_carer(&c);
	if (!c.failed)
		routines(&c);
	if (!c.failed)
		per_appointment(&c);
	for (size_t i = 0; i < w->n_days && !c.failed; i++)
		per_day(&c, (int)i);
	if (!c.failed)
		unfamiliar_week(&c);
	if (!c.failed)
		repeat_journeys(&c);
	free(c.said);
	if (c.failed) {
		problems_release(out);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, problem_cmp);
	return 0;
}

int check_week(const struct week *w, struct problems *out, struct diag *d)
{
	return check(w, 0, out, d);
}

int check_week_quiet(const struct week *w, struct problems *out, struct diag *d)
{
	return check(w, 1, out, d);
}

void problems_release(struct problems *ps)
{
	if (!ps)
		return;
	free(ps->v);
	memset(ps, 0, sizeof *ps);
}
