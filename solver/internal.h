/* internal.h: what the optimiser's parts share: day plans (columns), their generation and the GLPK master. Not installed. */
#ifndef DOVETAIL_SOLVER_INTERNAL_H
#define DOVETAIL_SOLVER_INTERNAL_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "dovetail/solver.h"

/* Bounds (docs/limits.md). */
#define DG_MAX_LABELS 2000000     /* partial day plans kept for one day */
#define DG_MAX_ROUTINES 32        /* routine instances on one day */
#define DG_MAX_JOINT 3            /* appointments in one joint session */

/* One appointment of a day plan at one of its candidates. */
struct sv_pick {
	int appt;                 /* index into instance.a */
	int cand;                 /* index into instance.a[appt].cand */
};

/* A day plan: which appointments happen on the day and where and when,
 * with what the day costs. A column of the master. */
struct sv_col {
	int day;
	uint64_t mask;            /* instance appointments it covers */
	double cost;              /* the day's objective terms except peak energy */
	double energy;            /* appointments plus travel */
	int changes;              /* appointments not at their current placement */
	int journeys, travel_min, time_out;
	double travel_cost;
	uint64_t unfamiliar;      /* unfamiliar practitioners met (profile indices) */
	uint64_t pattern;         /* hash of its (appointment, venue) pairs */
	size_t first;             /* its picks: cols.pick[first .. first + n) */
	int n;
};

struct sv_cols {
	struct sv_col *v;
	size_t n, cap;
	struct sv_pick *pick;
	size_t n_pick, cap_pick;
	size_t labels;            /* partial plans created (for the benchmark) */
};

/* A session: one appointment, or a joint session of several, at one
 * placement. */
struct sv_item {
	int start, end;           /* local minutes */
	int venue;                /* venue index, -1 unknown */
	int v;                    /* where the person is: unknown counts as home */
	int back, there;          /* travel minutes from v home, and from home to v */
	double back_cost, there_cost;
	int n;
	int appt[DG_MAX_JOINT], cand[DG_MAX_JOINT];
	uint64_t mask, pracs;
	double cost, energy;      /* the members' placement costs; the most tiring part's energy */
	int changes;
};

/* A routine instance of the day: one start window of one routine; starts
 * first, first + slot, ... up to `to` (last: the final one, or below any
 * start when there is none). */
struct sv_rinst {
	int from, to, first, last, dur, place;
};

/* One day of the instance: every session the person could have (each
 * usable candidate, and each joint session its practitioners agree to and
 * can all attend), sorted by end, start, appointments, venue; and the
 * routine instances that apply to the day. */
struct sv_day {
	const struct instance *in;
	const struct profile *p;
	int day;
	struct sv_item *it;
	size_t n_it, cap_it;
	struct sv_rinst r[DG_MAX_ROUTINES];
	int n_r;
	struct diag *d;
};

/* Build day `day` of in into s (free with sv_day_release). Returns 0, or
 * -1 with d filled (a bound passed, or out of memory). */
int sv_day_build(const struct instance *in, int day, struct sv_day *s, struct diag *d);
void sv_day_release(struct sv_day *s);

/* Travel minutes from venue a to b (0 when unknown), and the number of
 * unfamiliar people among the practitioners in the set. */
int sv_travel0(const struct profile *p, int a, int b);
int sv_people(const struct profile *p, uint64_t pracs);

/* Spacing within a series: occurrences of appointment i's series (one
 * UID) stay at least this many days apart: half their closest spacing now,
 * rounded down (0: no bound). The master, the compact model and the greedy
 * baseline all keep it. */
int sv_series_gap(const struct instance *in, size_t i);

/* The cost of appointment i at candidate c on its own: the change (per
 * move, per day moved, per venue changed) and the preference penalty. */
double sv_place_cost(const struct instance *in, size_t i, size_t c, int *changed);

/* Whether candidate c of appointment i may be used at all: inside the
 * person's day, not on a day kept free, clear of the practitioner's busy
 * time (a current placement may break these; then it is not offered). */
int sv_cand_usable(const struct instance *in, size_t i, size_t c);

/*
 * Generate every non-dominated day plan of every day of the instance
 * (docs/propose.md, "Day plans"). Each plan keeps the daily limits and the
 * routines exactly as check() reads a day. Returns 0 with cols filled, or
 * -1 with d filled (a bound passed, or out of memory).
 */
int daygen(const struct instance *in, struct sv_cols *cols, struct diag *d);
void cols_release(struct sv_cols *c);

/* The master: choose one day plan per day, cover each appointment once
 * (or leave it unplaced at a large cost), with the cross-day rows. */
struct master;

/* What one solve of the master found. */
struct master_sol {
	int found;                /* an integer solution exists */
	int proven;               /* it is proven optimal */
	int capped;               /* the time limit (a safety cap) stopped it */
	double objective, bound, gap;
	size_t *col;              /* owned: per day, the chosen column */
	unsigned char *unplaced;  /* owned: per instance appointment */
};

#define MASTER_UNPLACED_COST 1000.0   /* per appointment left unplaced */

struct master *master_new(const struct instance *in, const struct sv_cols *cols, struct diag *d);
/* At most m appointments changed (m < 0: no bound). */
int master_max_changes(struct master *m, int changes, struct diag *d);
/* Exclude every plan with the same appointments on the same days at the
 * same venues as sol. */
int master_exclude(struct master *m, const struct master_sol *sol, struct diag *d);
/* Solve with a time cap in seconds. Returns 0 (sol filled; free with
 * master_sol_release) or -1 (d filled). */
int master_solve(struct master *m, double time_limit, struct master_sol *sol, struct diag *d);
int master_write_lp(struct master *m, const char *path, struct diag *d);
size_t master_columns(const struct master *m);
void master_free(struct master *m);
void master_sol_release(struct master_sol *s);

/* GLPK's fatal errors: set sv_glpk_jump to a jmp_buf of the caller, then
 * install sv_glpk_hook with glp_error_hook; on an error it frees GLPK's
 * environment (every problem object is gone) and longjmps there. */
extern jmp_buf *sv_glpk_jump;
void sv_glpk_hook(void *info);

/*
 * The compact formulation of the same instance (docs/propose.md, "The
 * compact model"): a binary per session (appointment placement, or joint
 * session), per routine start and per arc of a time-space network of the
 * person's location on each day, with the daily and cross-day limits as
 * rows. Its optimum equals the master's (with max_changes >= 0, under that
 * bound on changes). compact_write_lp writes it in CPLEX LP format;
 * compact_solve solves it with GLPK (for tests: it is slow). Both return 0,
 * or -1 with d filled.
 */
int compact_write_lp(const struct instance *in, int max_changes, const char *path,
		     struct diag *d);
int compact_solve(const struct instance *in, int max_changes, double time_limit,
		  int *found, double *objective, struct diag *d);

#endif
