/* decisions.c: the week as the person agreed it: accepted changes moved in, rejected ones locked. */
#include "dovetail/week.h"

#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

/* One decision in force on an appointment. */
struct wk_agreed {
	size_t appt;              /* index into week.appts */
	int accept;
	int64_t date;             /* accepted: where to, local date, minute, venue (-1 keep) */
	int minute, venue;
};

struct agreed {
	struct week *w;
	int *last;                /* per appointment: index into v of its last decision, -1 */
	struct wk_agreed *v;
	size_t n, cap;
	int oom;
};

static int collect(const struct store_decision *x, void *arg)
{
	struct agreed *g = arg;
	const struct profile *p = g->w->p;
	int prac = profile_prac_index(p, x->appt.practitioner);
	if (prac < 0)
		return 0;   /* a practitioner no longer in the profile */
	for (size_t i = 0; i < g->w->n_appts; i++) {
		const struct wk_appt *a = &g->w->appts[i];
		if (a->prac != prac || a->start != x->appt.start || strcmp(a->uid, x->appt.uid) ||
		    strcmp(a->rid, x->appt.rid))
			continue;
		struct wk_agreed *y = BUF_PUSH(g->v, g->n, g->cap);
		if (!y)
			return g->oom = 1;
		y->appt = i;
		y->accept = x->accept;
		y->date = x->to.date;
		y->minute = x->to.start;
		y->venue = x->to.venue ? profile_venue_index(p, x->to.venue) : -1;
		g->last[i] = (int)(g->n - 1);
		g->w->appts[i].accepted += x->accept != 0;
	}
	return 0;
}

int week_find(const struct week *w, int prac, const char *uid, const char *rid, int64_t feed_start)
{
	for (size_t i = 0; i < w->n_appts; i++) {
		const struct wk_appt *a = &w->appts[i];
		if (a->prac == prac && a->feed_start == feed_start && !strcmp(a->uid, uid) &&
		    !strcmp(a->rid, rid))
			return (int)i;
	}
	return -1;
}

int week_place(struct week *w, size_t i, int64_t date, int minute, int venue)
{
	int day = -1;
	for (size_t k = 0; k < w->n_days; k++)
		if (w->days[k].date == date)
			day = (int)k;
	if (day < 0)
		return -1;
	struct wk_appt *a = &w->appts[i];
	int dur = a->e_min - a->s_min;
	a->day = day;
	a->s_min = minute;
	a->e_min = minute + dur;
	if (venue >= 0)
		a->venue = venue;
	a->start = week_utc(w, day, a->s_min);
	a->end = week_utc(w, day, a->e_min);
	return 0;
}

int week_apply_decisions(struct week *w, struct store *s, struct diag *d)
{
	struct agreed g = { w, NULL, NULL, 0, 0, 0 };
	if (!w->n_appts)
		return 0;
	g.last = malloc(w->n_appts * sizeof *g.last);
	if (!g.last)
		goto oom;
	for (size_t i = 0; i < w->n_appts; i++)
		g.last[i] = -1;
	if (store_each_decision(s, w->p->person_id, collect, &g, d) < 0) {
		free(g.last);
		free(g.v);
		return -1;
	}
	if (g.oom)
		goto oom;
	int moved = 0;
	for (size_t i = 0; i < w->n_appts; i++) {
		if (g.last[i] < 0)
			continue;
		const struct wk_agreed *y = &g.v[g.last[i]];
		struct wk_appt *a = &w->appts[i];
		if (!y->accept) {
			a->movable = 0;   /* rejected: it stays where it is */
			continue;
		}
		if (week_place(w, i, y->date, y->minute, y->venue) < 0)
			continue;   /* agreed for a day outside this horizon */
		moved = 1;
	}
	free(g.last);
	free(g.v);
	return moved ? week_derive(w, d) : 0;
oom:
	free(g.last);
	free(g.v);
	diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
	return -1;
}
