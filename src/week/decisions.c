/* decisions.c: the week as the person agreed it: accepted changes moved in, kept ones locked, refused placements never proposed again. */
#include "dovetail/week.h"
#include "dovetail/plan.h"

#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

/* A decision, as the change it agreed or refused (strings from the week
 * and the profile: the store's last only for the callback). */
struct decided {
	struct change c;
	enum verdict verdict;
	int appt;                 /* index into the week, before the changes are applied */
	int to_venue;             /* venue index or -1 */
};

struct agreed {
	struct week *w;
	int *last;                /* per appointment: index into v of its last accept or keep, -1 */
	struct decided *v;
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
	int i = week_find(g->w, prac, x->appt.uid, x->appt.rid, x->appt.start);
	if (i < 0)
		return 0;   /* no longer in the feeds, or outside this horizon */
	struct decided *y = BUF_PUSH(g->v, g->n, g->cap);
	if (!y)
		return g->oom = 1;
	struct wk_appt *a = &g->w->appts[i];
	int to_venue = x->to.venue ? profile_venue_index(p, x->to.venue) : -1;
	y->c = (struct change){
		.appt = { p->pracs[prac].id, a->uid, a->rid, a->feed_start, a->feed_end },
		.from = { g->w->days[a->day].date, a->s_min, a->venue >= 0 ? p->venues[a->venue].id : NULL },
		.to = { x->to.date, x->to.start, to_venue >= 0 ? p->venues[to_venue].id : NULL },
		.kind = CHANGE_MOVE,
	};
	y->verdict = x->verdict;
	y->appt = i;
	y->to_venue = to_venue;
	if (x->verdict != VERDICT_REJECT)
		g->last[i] = (int)(g->n - 1);
	a->accepted += x->verdict == VERDICT_ACCEPT;
	return 0;
}

int week_apply_decisions(struct week *w, struct store *s, struct diag *d)
{
	struct agreed g = { w, NULL, NULL, 0, 0, 0 };
	struct change *in_force = NULL;
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
	if (g.oom || !(in_force = malloc(w->n_appts * sizeof *in_force)))
		goto oom;
	/* refused placements: never proposed again, whatever else is decided
	 * (the appointment is found again by its feed reference once the
	 * changes are applied) */
	for (size_t k = 0; k < g.n; k++) {
		struct decided *y = &g.v[k];
		if (y->verdict != VERDICT_REJECT)
			continue;
		struct wk_appt *a = &w->appts[y->appt];
		struct wk_refusal *r = realloc(a->refused, (a->n_refused + 1) * sizeof *r);
		if (!r)
			goto oom;
		a->refused = r;
		r[a->n_refused++] = (struct wk_refusal){ y->c.to.date, y->c.to.start, y->to_venue };
	}
	/* kept: it stays where it is booked, locked; accepted: the changes,
	 * applied at once */
	size_t n = 0;
	for (size_t i = 0; i < w->n_appts; i++) {
		if (g.last[i] < 0)
			continue;
		const struct decided *y = &g.v[g.last[i]];
		if (y->verdict == VERDICT_KEEP)
			w->appts[i].movable = 0;
		else
			in_force[n++] = y->c;
	}
	int rc = week_apply_changes(w, in_force, n, NULL, d);
	free(in_force);
	free(g.last);
	free(g.v);
	return rc < 0 ? -1 : 0;
oom:
	free(in_force);
	free(g.last);
	free(g.v);
	diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
	return -1;
}
