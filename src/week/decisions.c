/* decisions.c: the week as the person agreed it: accepted changes moved in, rejected ones locked. */
#include "dovetail/week.h"
#include "dovetail/plan.h"

#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

/* A decision, as the change it agreed or refused (strings from the week
 * and the profile: the store's last only for the callback). */
struct decided {
	struct change c;
	int accept;
};

struct agreed {
	struct week *w;
	int *last;                /* per appointment: index into v of its last decision, -1 */
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
	y->accept = x->accept;
	g->last[i] = (int)(g->n - 1);
	a->accepted += x->accept != 0;
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
	/* rejected: it stays where it is; accepted: the changes, applied at once */
	size_t n = 0;
	for (size_t i = 0; i < w->n_appts; i++) {
		if (g.last[i] < 0)
			continue;
		const struct decided *y = &g.v[g.last[i]];
		if (!y->accept)
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
