/* solution.c: the report of a proposal just solved (batch --report), before any decision, from the proposal or from its plan alone. */
#include "dovetail/report.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "dovetail/solver.h"
#include "dovetail/store.h"
#include "dovetail/xalloc.h"

static int find(const struct week *mv, const struct wk_appt *a)
{
	return week_find(mv, a->prac, a->uid, a->rid, a->feed_start);
}

char *report_of_solution(const struct week *w, const struct instance *in,
			 const struct sv_proposal *x, int64_t now, struct diag *d)
{
	struct week after = { 0 };
	struct report_change *rc = xcalloc(x->n_changes + 1, sizeof *rc);
	struct report_unplaced *un = xcalloc(x->n_unplaced + 1, sizeof *un);
	struct change *v = xcalloc(x->n_changes + 1, sizeof *v);
	int *where = xcalloc(x->n_changes + 1, sizeof *where);
	char *page = NULL;
	for (size_t c = 0; c < x->n_changes; c++)
		v[c] = x->changes[c].ch;
	if (week_copy_changed(&after, w, v, x->n_changes, where, d) < 0)
		goto out;
	for (size_t c = 0; c < x->n_changes; c++) {
		const struct sv_change *ch = &x->changes[c];
		const struct wk_appt *a = &w->appts[in->a[ch->appt].appt];
		struct report_change *y = &rc[c];
		snprintf(y->id, sizeof y->id, "%s-%zu", x->id, c + 1);
		y->prac = a->prac;
		y->ch = ch->ch;
		y->duration = in->a[ch->appt].duration;
		y->reason = ch->reason;
		y->status = RS_UNDECIDED;
		y->before_appt = (int)in->a[ch->appt].appt;
		y->after_appt = where[c];
	}
	for (size_t u = 0; u < x->n_unplaced; u++) {
		const struct sv_appt *sa = &in->a[x->unplaced[u].appt];
		const struct wk_appt *a = &w->appts[sa->appt];
		un[u] = (struct report_unplaced){ a->prac, w->days[a->day].date, a->s_min, sa->duration,
						  a->venue, x->unplaced[u].reason, find(&after, a) };
	}
	struct report r = { .before = w, .after = &after, .proposal = x->id, .objective = x->objective,
			    .proven = x->proven, .changes = rc, .n_changes = x->n_changes, .unplaced = un,
			    .n_unplaced = x->n_unplaced, .now = now };
	page = report_html(&r, d);
out:
	week_release(&after);
	free(rc);
	free(un);
	free(v);
	free(where);
	return page;
}

char *report_of_plan(const struct week *w, const struct instance *in, const struct plan *pl, int proven,
		     int64_t now, struct diag *d)
{
	assert(in->w == w);
	struct sv_proposal x;
	if (sv_proposal_of_plan(in, pl, &x, d) < 0)
		return NULL;
	x.proven = proven;
	char *page = report_of_solution(w, in, &x, now, d);
	sv_proposal_release(&x);
	return page;
}
