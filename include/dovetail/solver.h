/* solver.h: the optimiser's instance (candidate placements) and plan_check(), the invariant checker every proposal must pass. */
#ifndef DOVETAIL_SOLVER_H
#define DOVETAIL_SOLVER_H

#include <stddef.h>

#include "dovetail/check.h"
#include "dovetail/week.h"

/* Where and when an appointment takes place: day index into week.days,
 * start in local minutes of that day (on the slot grid, except a current
 * placement, which stays as booked), and a venue index (-1: unknown). */
struct placement {
	int day;
	int start;
	int venue;
};

/* Bounds on an instance (docs/limits.md). */
#define SOLVER_MAX_APPTS 64        /* appointments in one horizon */
#define SOLVER_MAX_CANDIDATES 20000 /* placements of one appointment */

/* One appointment of the instance and every placement it may take. */
struct sv_appt {
	size_t appt;             /* index into week.appts */
	int duration;            /* minutes */
	struct placement current;
	struct placement *cand;  /* owned; cand[0] is the current placement;
				    the rest sorted by day, start, venue */
	size_t n_cand;
};

struct instance {
	const struct week *w;    /* borrowed */
	struct sv_appt *a;       /* owned, in week.appts order */
	size_t n;
};

/*
 * Build the candidate placements of every appointment of w. The current
 * placement is always one. A movable appointment may also go to any day its
 * window allows (+-days, same week, weekdays; not a day kept free), at any
 * slot-grid start that keeps it inside the person's day, its window's
 * times and a block of its practitioner's working pattern (days, hours and
 * venues), at any of its allowed venues, and clear of its practitioner's
 * busy time with other clients. Returns 0, or -1 with d filled (a bound
 * passed: D_LIM_INSTANCE).
 */
int instance_build(struct instance *in, const struct week *w, struct diag *d);
void instance_release(struct instance *in);   /* NULL-safe */

/* A plan: one placement per instance appointment, at[i] for in->a[i]. */
struct plan {
	struct placement *at;
	size_t n;
};

/*
 * Check a plan independently of the solver: every appointment is placed
 * once, at one of its candidates; and, with the appointments there, the
 * week has no overlap, double-booking, infeasible travel, broken routine,
 * appointment outside the day or on a day kept free, and no day or week
 * over the energy, time-out, appointment, rest or unfamiliar-people limits.
 * Violations are appended to out (as problems of the moved week; an
 * unplaced or misplaced appointment is reported in d as D_PLAN_INVALID).
 * Returns 1 when the plan keeps every invariant, 0 when not, -1 on error.
 */
int plan_check(const struct instance *in, const struct plan *pl, struct problems *out,
	       struct diag *d);

/* Whether kind k is a hard constraint of a plan (plan_check fails on it);
 * the others (unknown-venue, repeat-journey, scattered-day) are costs. */
int plan_kind_is_hard(enum problem_kind k);

#endif
