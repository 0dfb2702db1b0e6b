/* proposal.c: a plan made a proposal without solving: checked, valued from its own moved week, its compromises, changes and reasons, its id. */
#include "internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/xalloc.h"

/* The figures of x from its moved week: the tiers and compromises, the
 * totals. Returns 0, or -1 with d filled. */
static int value(const struct instance *in, struct sv_proposal *x, struct diag *d)
{
	struct week mv;
	if (plan_week(in, &x->plan, &mv, d) < 0)
		return -1;
	struct problems after;
	if (check_week(&mv, &after, d) < 0) {
		week_release(&mv);
		return -1;
	}
	struct sv_tiers t;
	int rc = sv_plan_tiers(in, &x->plan, &mv, &after, &t, &x->comps, &x->n_comps, d);
	if (rc == 0) {
		x->impossible = t.impossible;
		x->compromise = t.compromise;
		x->objective = t.cost;
		if (sv_week_totals(&mv, &after, &x->after) < 0) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			rc = -1;
		}
	}
	problems_release(&after);
	week_release(&mv);
	return rc;
}

int sv_proposal_of_plan(const struct instance *in, const struct plan *pl, struct sv_proposal *x,
			struct diag *d)
{
	memset(x, 0, sizeof *x);
	/* the invariant checker, independent of the solver; a proposal places
	 * every appointment */
	struct problems bad;
	int ok = plan_check(in, pl, &bad, d);
	if (ok < 0)
		return -1;
	int placed = 1;
	for (size_t i = 0; placed && i < in->n; i++)
		placed = pl->at[i].day >= 0;
	if (!ok || !placed) {
		char msg[200];
		if (bad.n)
			snprintf(msg, sizeof msg, "the plan breaks %zu invariant(s), the first: %s", bad.n,
				 problem_kind_name(bad.v[0].kind));
		else if (!ok)
			snprintf(msg, sizeof msg, "the plan breaks a rule of placement (above)");
		else
			snprintf(msg, sizeof msg, "the plan leaves an appointment unplaced");
		problems_release(&bad);
		diag_add(d, D_PLAN_INVALID, NULL, 0, 0, msg);
		return -1;
	}
	problems_release(&bad);
	assert(pl->n == in->n);
	x->plan.n = in->n;
	x->plan.at = xmalloc((in->n + 1) * sizeof *x->plan.at);
	memcpy(x->plan.at, pl->at, in->n * sizeof *x->plan.at);
	if (value(in, x, d) < 0 || sv_explain(in, x, d) < 0) {
		sv_proposal_release(x);
		return -1;
	}
	sv_plan_id(in, &x->plan, x->id, sizeof x->id);
	return 0;
}
