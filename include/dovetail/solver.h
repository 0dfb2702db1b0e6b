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

/* A plan: one placement per instance appointment, at[i] for in->a[i];
 * day -1 leaves the appointment unplaced (a partial plan). */
struct plan {
	struct placement *at;
	size_t n;
};

/* The week as the plan makes it: the appointments moved, the unplaced
 * ones left out, everything derived again. Free with week_release. */
int plan_week(const struct instance *in, const struct plan *pl, struct week *out, struct diag *d);

/*
 * Check a plan independently of the solver: every appointment is placed
 * once, at one of its candidates, or explicitly left out (day -1: a
 * partial plan, whose unplaced appointments the caller reports with their
 * reasons); and, with the placed appointments there, the
 * week has no overlap, double-booking, infeasible travel, broken routine,
 * appointment outside the day or on a day kept free, and no day or week
 * over the energy, time-out, appointment, rest or unfamiliar-people limits.
 * Violations are appended to out (as problems of the moved week; a plan of
 * the wrong size or an appointment placed where none of its candidates is
 * is reported in d as D_PLAN_INVALID).
 * Returns 1 when the plan keeps every invariant, 0 when not, -1 on error.
 */
int plan_check(const struct instance *in, const struct plan *pl, struct problems *out,
	       struct diag *d);

/* Whether kind k is a hard constraint of a plan (plan_check fails on it);
 * the others (unknown-venue, repeat-journey, scattered-day) are costs. */
int plan_kind_is_hard(enum problem_kind k);

/* What propose reports for a week, before or after (docs/propose.md). */
struct sv_totals {
	int journeys, travel_min;
	double travel_cost;
	int clashes;              /* overlaps and double-bookings */
	int routine_conflicts;
	double peak_energy;
	int *unfamiliar;          /* owned: unfamiliar people met, per day */
	int unfamiliar_max;
	int changes;
	int placed;               /* appointments in the week */
};

/* The totals of week w with its problems ps (check_week). Returns 0, or -1
 * when out of memory; free with sv_totals_release (NULL-safe inside). */
int sv_week_totals(const struct week *w, const struct problems *ps, struct sv_totals *t);
void sv_totals_release(struct sv_totals *t);

enum { SV_MOVE = 1, SV_VENUE = 2, SV_JOINT = 4 };

/* One change of a proposal and what it removes or saves. */
struct sv_change {
	size_t appt;              /* instance index */
	struct placement from, to;
	unsigned kind;            /* SV_* bits */
	int with[4];              /* SV_JOINT: instance indices of the others, -1 ends */
	char reason[320];
};

struct sv_unplaced {
	size_t appt;
	char reason[320];
};

struct sv_proposal {
	char id[20];              /* stable: a digest of the person, horizon and placements */
	int rank;                 /* 1 = the optimum; ladder: the bound on changes */
	double objective, bound, gap;
	int proven;               /* proven optimal (gap 0) under the bounds it was solved with */
	int capped;               /* the solver's time cap stopped it */
	struct plan plan;         /* owned */
	struct sv_totals after;
	struct sv_change *changes;
	size_t n_changes;
	struct sv_unplaced *unplaced;
	size_t n_unplaced;
};

struct sv_options {
	int k;                    /* proposals wanted (>= 1) */
	int max_changes;          /* < 0: any number */
	int ladder;               /* also the best plan for 1, 2, ... changes */
	double time_limit;        /* seconds per master solve: a safety cap */
	const char *write_lp;     /* the master, CPLEX LP format */
	const char *write_compact_lp; /* the compact model of the instance, CPLEX LP */
	int baseline;             /* also plan the week greedily (sv_greedy), for comparison */
};

struct sv_result {
	struct instance in;
	struct sv_totals before;
	struct sv_proposal *props;   /* ranked, best first */
	size_t n_props;
	struct sv_proposal *ladder;  /* ladder[m - 1]: at most m changes */
	size_t n_ladder;
	size_t columns, labels;
	/* With sv_options.baseline: the greedy plan, with its objective (by
	 * sv_objective), totals and unplaced appointments (no reasons, no
	 * changes listed); rank 0, not proven. has_baseline says it is there. */
	int has_baseline;
	struct sv_proposal baseline;
};

/*
 * Propose up to o->k distinct plans for week w, the optimum first, each
 * checked by plan_check() (a failure is an internal error). Returns 0 with
 * r filled (free with sv_result_release), or -1 with d filled. Partial
 * results (appointments that cannot be placed) return 0 and carry the
 * reasons in each proposal's unplaced list.
 */
int solve_propose(const struct week *w, const struct sv_options *o, struct sv_result *r,
		  struct diag *d);
void sv_result_release(struct sv_result *r);

/* The objective of a plan, evaluated from its week without the solver
 * (the same terms and weights the solver uses; docs/propose.md). */
double sv_objective(const struct instance *in, const struct plan *pl, const struct week *moved);

/*
 * The greedy baseline (solver/greedy.c): a keyworker rationalising the week
 * by hand, one appointment at a time, to measure the optimiser against. It
 * never consults the optimiser. The appointments are taken in a fixed order
 * (current day and start, then instance index), each once: of its
 * candidates that sv_cand_usable() allows, it gets the one whose plan so far
 * (the appointments before it placed, the rest left out, day -1) passes
 * plan_check() and keeps the series spacing the master keeps, at the least
 * sv_objective(); a tie goes to the lowest candidate index, so the current
 * placement wins ties. With no such candidate it stays unplaced (day -1),
 * and nothing placed is moved again. Deterministic: the same instance gives
 * the same plan. On success out->at holds in->n placements (caller frees
 * out->at with free()), out->n = in->n, and the plan passes plan_check();
 * returns 0. Returns -1 with d filled (out untouched) when out of memory or
 * when re-reading a week fails. Cost: one week re-read per usable candidate
 * not ruled out by an overlap with what is placed.
 */
int sv_greedy(const struct instance *in, struct plan *out, struct diag *d);

#endif
