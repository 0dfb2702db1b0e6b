/* greedy.c: the greedy baseline: a keyworker rationalising a week by hand, one appointment at a time; the yardstick for the exact optimiser. */
#include "internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/xalloc.h"


/*
 * The rule (include/dovetail/solver.h, sv_greedy): start from the week as
 * booked; take the appointments in a fixed order (their current day and
 * start, then instance index); give each in turn the candidate whose whole
 * plan passes plan_check() at the best tiers. Nothing placed is ever moved
 * again and nothing looks ahead: this is what the optimiser is measured
 * against, not a heuristic for it, so it must stay plain.
 */

/* Appointment i as it would be at placement c (a shallow copy: its strings
 * stay borrowed from the week). */
static struct wk_appt moved(const struct instance *in, size_t i, const struct placement *c)
{
	struct wk_appt a = in->w->appts[in->a[i].appt];
	a.day = c->day;
	a.s_min = c->start;
	a.e_min = c->start + in->a[i].duration;
	a.venue = c->venue;
	return a;
}

/*
 * Whether moving i to candidate c (not its current placement) is ruled out
 * before the full check: it overlaps another appointment where the plan
 * has it, not as a joint session (check's PK_OVERLAP, read with the same
 * week_joint()), or it comes closer to another occurrence of its series
 * than gap[i] days. Both only drop candidates plan_check would reject, so
 * the plan is the same as without them; they make the baseline fast enough
 * to run on every family of a benchmark.
 */
static int ruled_out(const struct instance *in, const struct plan *pl, const int *gap, size_t i,
		     const struct placement *c)
{
	const struct week *w = in->w;
	struct wk_appt a = moved(in, i, c);
	for (size_t j = 0; j < in->n; j++) {
		const struct placement *at = &pl->at[j];
		if (j == i || at->day < 0)
			continue;
		if (gap[i] > 0 && abs(at->day - c->day) < gap[i] &&
		    !strcmp(w->appts[in->a[j].appt].uid, a.uid))
			return 1;
		if (at->day != c->day)
			continue;
		struct wk_appt b = moved(in, j, at);
		if (a.s_min < b.e_min && b.s_min < a.e_min && !week_joint(w, &a, &b))
			return 1;
	}
	return 0;
}

/* The tiers of pl when plan_check accepts it: 1, 0 when it does not, -1 on error. */
static int tiers_of(const struct instance *in, const struct plan *pl, struct sv_tiers *t, struct diag *d)
{
	struct problems bad;
	int ok = plan_check(in, pl, &bad, d);
	problems_release(&bad);
	if (ok != 1)
		return ok;
	struct week mv;
	struct problems ps;
	if (plan_week(in, pl, &mv, d) < 0)
		return -1;
	int rc = check_week_quiet(&mv, &ps, d);
	if (rc == 0)
		rc = sv_plan_tiers(in, pl, &mv, &ps, t, NULL, NULL, d);
	problems_release(&ps);
	week_release(&mv);
	return rc < 0 ? -1 : 1;
}

/* The greedy order into order: the instance indices by current day, start,
 * then index (an insertion sort, stable). */
static void greedy_order(const struct instance *in, size_t *order)
{
	for (size_t i = 0; i < in->n; i++) {
		size_t k = i;
		for (; k > 0; k--) {
			const struct placement *p = &in->a[order[k - 1]].current, *q = &in->a[i].current;
			if (p->day < q->day || (p->day == q->day && p->start <= q->start))
				break;
			order[k] = order[k - 1];
		}
		order[k] = i;
	}
}

/* The candidate of appointment i whose plan pl (the others where they
 * are) passes plan_check at the best tiers, into *best_c; the lowest index
 * wins a tie. pl->at[i] is left at cand[0]. Returns 0, or -1 with scratch
 * filled. */
static int best_candidate(const struct instance *in, struct plan *pl, const int *gap, size_t i,
			  struct diag *scratch, size_t *best_c)
{
	const struct sv_appt *sa = &in->a[i];
	struct sv_tiers best;
	*best_c = 0;
	pl->at[i] = sa->cand[0];
	int ok = tiers_of(in, pl, &best, scratch);
	if (ok < 0)
		return -1;
	/* the week as booked, and each step from it, is a plan */
	assert(ok == 1);
	for (size_t c = 1; c < sa->n_cand; c++) {
		if (ruled_out(in, pl, gap, i, &sa->cand[c]))
			continue;
		pl->at[i] = sa->cand[c];
		struct sv_tiers t;
		ok = tiers_of(in, pl, &t, scratch);
		if (ok < 0)
			return -1;
		if (scratch->n || scratch->dropped) {
			diag_release(scratch);
			diag_init(scratch);
		}
		/* strictly better only: the lowest index wins a tie, so the
		 * current placement (cand[0]) is kept when it may be */
		if (ok && sv_tiers_cmp(&t, &best) < 0) {
			best = t;
			*best_c = c;
		}
	}
	pl->at[i] = sa->cand[0];
	return 0;
}

int sv_greedy(const struct instance *in, struct plan *out, struct diag *d)
{
	size_t *order = xmalloc((in->n + 1) * sizeof *order);
	int *gap = xmalloc((in->n + 1) * sizeof *gap);
	struct plan pl = { xcalloc(in->n + 1, sizeof *pl.at), in->n };
	/* the week is re-read thousands of times here, and its warnings (an
	 * unknown travel pair, say) would repeat each time; they go to a
	 * scratch list, kept only when something fails. */
	struct diag scratch;
	diag_init(&scratch);
	int rc = -1;
	for (size_t i = 0; i < in->n; i++) {
		pl.at[i] = in->a[i].current;
		gap[i] = sv_series_gap(in, i);
	}
	greedy_order(in, order);
	for (size_t r = 0; r < in->n; r++) {
		size_t i = order[r], c;
		if (best_candidate(in, &pl, gap, i, &scratch, &c) < 0)
			goto fail;
		pl.at[i] = in->a[i].cand[c];
	}
	struct problems bad;
	int ok = plan_check(in, &pl, &bad, &scratch);
	problems_release(&bad);
	if (ok < 0)
		goto fail;
	if (!ok) {
		diag_add(d, D_PLAN_INVALID, NULL, 0, 0, "the greedy plan breaks an invariant");
		goto out;
	}
	*out = pl;
	pl.at = NULL;
	rc = 0;
	goto out;
fail:
	diag_move(d, &scratch);
out:
	diag_release(&scratch);
	free(pl.at);
	free(gap);
	free(order);
	return rc;
}
