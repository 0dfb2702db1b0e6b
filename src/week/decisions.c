/* decisions.c: the week as the person agreed it: accepted changes moved in, kept ones locked, refused placements never proposed again. */
#include "dovetail/week.h"
#include "dovetail/plan.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* A decision, as the change it agreed or refused (strings from the week
 * and the profile: the store's last only for the callback). */
struct decided {
	struct change c;
	enum verdict verdict;
	int appt;                 /* index into the week, before the changes are applied */
	int to_venue;             /* venue index or -1 */
	char proposal[64];        /* the change decided: PROPOSAL-SEQ */
	int seq;
};

struct agreed {
	struct week *w;
	int *last;                /* per appointment: index into v of its last accept or keep, -1 */
	struct decided *v;
	size_t n, cap;
	int oom;                  /* 1: out of memory (collect); 2: the store failed (d filled) */
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
	snprintf(y->proposal, sizeof y->proposal, "%s", x->proposal);
	y->seq = x->seq;
	y->appt = i;
	y->to_venue = to_venue;
	if (x->verdict != VERDICT_REJECT) {
		g->last[i] = (int)(g->n - 1);
	} else if (g->last[i] >= 0) {
		/* "not this time" of the very placement accepted and in force:
		 * the accept is undone, the appointment back where it is booked */
		const struct decided *l = &g->v[g->last[i]];
		if (l->verdict == VERDICT_ACCEPT && l->c.to.date == y->c.to.date &&
		    l->c.to.start == y->c.to.start && l->to_venue == y->to_venue)
			g->last[i] = -1;
	}
	a->accepted += x->verdict == VERDICT_ACCEPT;
	return 0;
}

/* Add the placement (date, start, venue) to *v unless it is there. */
static void add_place(struct wk_refusal **v, size_t *n, int64_t date, int start, int venue)
{
	for (size_t k = 0; k < *n; k++)
		if ((*v)[k].date == date && (*v)[k].start == start && (*v)[k].venue == venue)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = (struct wk_refusal){ date, start, venue };
}

/* An answer's accept no longer in force: appointment i's last decision,
 * when it is an accept of that proposal. */
static void reopen(struct agreed *g, int i, const char *proposal)
{
	if (i < 0 || g->last[i] < 0)
		return;
	const struct decided *y = &g->v[g->last[i]];
	if (y->verdict == VERDICT_ACCEPT && !strcmp(y->proposal, proposal))
		g->last[i] = -1;
}

struct answer_ctx {
	struct agreed *g;
	struct store *s;
	const char *proposal;
	struct diag *d;
};

static int partner(const struct appt_ref *x, void *arg)
{
	struct answer_ctx *c = arg;
	const struct week *w = c->g->w;
	int prac = profile_prac_index(w->p, x->practitioner);
	if (prac >= 0)
		reopen(c->g, week_find(w, prac, x->uid, x->rid, x->start), c->proposal);
	return 0;
}

/* One practitioner's answer (docs/replies.md), in force while its
 * SEQUENCE is the one sent for the appointment now. */
static int answer(const struct store_reply *x, void *arg)
{
	struct answer_ctx *c = arg;
	struct agreed *g = c->g;
	struct week *w = g->w;
	const struct profile *p = w->p;
	if (x->kind == REPLY_ACCEPTED || x->kind == REPLY_TENTATIVE)
		return 0;
	int prac = profile_prac_index(p, x->appt.practitioner);
	if (prac < 0)
		return 0;
	int i = week_find(w, prac, x->appt.uid, x->appt.rid, x->appt.start);
	if (i < 0)
		return 0;
	struct wk_appt *a = &w->appts[i];
	/* an answer to a revision (its SEQUENCE above the move's: the move
	 * is off, the appointment where it is booked) is recorded only */
	if (x->kind != REPLY_DECLINECOUNTER && x->sequence > a->sequence + a->accepted)
		return 0;
	int to_venue = x->to.venue ? profile_venue_index(p, x->to.venue) : -1;
	/* the time answered does not suit: never proposed again */
	add_place(&a->refused, &a->n_refused, x->to.date, x->to.start, to_venue);
	int sent = x->kind == REPLY_DECLINECOUNTER ? a->sequence : a->sequence + a->accepted;
	if (x->sequence != sent)
		return 0;   /* superseded: a later accept, or the feed moved on */
	reopen(g, i, x->proposal);
	c->proposal = x->proposal;
	if (store_each_partner(c->s, x->proposal, x->seq, partner, c, c->d) < 0)
		return g->oom = 2;
	if (x->kind == REPLY_COUNTER) {
		int64_t date = week_local_date(x->suggested_start, w->zone);
		for (size_t k = 0; k < w->n_days; k++) {
			if (w->days[k].date != date)
				continue;
			int start = (int)((x->suggested_start - w->days[k].midnight) / 60);
			if (start >= 0 && start < 1440)
				add_place(&a->suggested, &a->n_suggested, date, start, to_venue >= 0 ? to_venue : a->venue);
		}
	}
	return 0;
}

int week_apply_decisions(struct week *w, struct store *s, struct diag *d)
{
	struct agreed g = { w, NULL, NULL, 0, 0, 0 };
	struct change *in_force = NULL;
	if (!w->n_appts)
		return 0;
	g.last = xmalloc(w->n_appts * sizeof *g.last);
	for (size_t i = 0; i < w->n_appts; i++)
		g.last[i] = -1;
	if (store_each_decision(s, w->p->person_id, collect, &g, d) < 0) {
		free(g.last);
		free(g.v);
		return -1;
	}
	if (g.oom)
		goto oom;
	/* the practitioners' answers */
	struct answer_ctx ac = { &g, s, NULL, d };
	if (store_each_reply(s, w->p->person_id, answer, &ac, d) < 0 || g.oom == 2) {
		free(g.last);
		free(g.v);
		return -1;
	}
	in_force = xmalloc(w->n_appts * sizeof *in_force);
	/* refused placements: never proposed again, whatever else is decided
	 * (the appointment is found again by its feed reference once the
	 * changes are applied) */
	for (size_t k = 0; k < g.n; k++) {
		struct decided *y = &g.v[k];
		if (y->verdict != VERDICT_REJECT)
			continue;
		struct wk_appt *a = &w->appts[y->appt];
		add_place(&a->refused, &a->n_refused, y->c.to.date, y->c.to.start, y->to_venue);
	}
	/* kept: it stays where it is booked, locked; accepted: the changes,
	 * applied at once */
	size_t n = 0;
	for (size_t i = 0; i < w->n_appts; i++) {
		if (g.last[i] < 0)
			continue;
		assert((size_t)g.last[i] < g.n);
		const struct decided *y = &g.v[g.last[i]];
		if (y->verdict == VERDICT_KEEP) {
			w->appts[i].movable = 0;
			w->appts[i].kept = 1;
		} else
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
