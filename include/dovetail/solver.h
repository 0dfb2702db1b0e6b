/* solver.h: the optimiser's instance (candidate placements) and plan_check(), the invariant checker every proposal must pass. */
#ifndef DOVETAIL_SOLVER_H
#define DOVETAIL_SOLVER_H

#include <stddef.h>

#include "dovetail/check.h"
#include "dovetail/objective.h"
#include "dovetail/plan.h"
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
#define SOLVER_MAX_APPTS 2048      /* appointments in one horizon */
#define SOLVER_MAX_CANDIDATES 20000 /* placements of one appointment */
#define SV_MAX_LABELS_OPTION 2000000 /* propose --max-labels, at most */
#define SV_MAX_THREADS 8           /* threads of one solve (propose -j), at most */

/* One appointment of the instance and every placement it may take. */
struct sv_appt {
	size_t appt;             /* index into week.appts */
	int duration;            /* minutes */
	struct placement current;
	struct placement *cand;  /* owned; cand[0] is the current placement;
				    then the grid's, sorted by day, start, venue;
				    then the times the practitioner suggested
				    (a COUNTER), in the order they were made */
	size_t n_cand;
};

struct instance {
	const struct week *w;    /* borrowed */
	int64_t now;             /* UTC seconds: "now" it was built for (notice) */
	struct sv_appt *a;       /* owned, in week.appts order */
	size_t n;
};

/*
 * Build the candidate placements of every appointment of w
 * (docs/propose.md, "Candidate placements"). The current placement is always
 * one, cand[0], whatever rule it breaks. A movable appointment whose current
 * start is not before its notice cut-off (week_notice_cutoff from `now`, UTC
 * seconds) may also go to any day its window allows (+-days, same week,
 * weekdays; not a day kept free), at any slot-grid start not before the
 * cut-off that keeps it inside the person's day, its window's times and a
 * block of its practitioner's working pattern (days, hours and venues), at
 * any of its allowed venues, and clear of its practitioner's busy time with
 * other clients. Returns 0, or -1 with d filled (a bound passed:
 * D_LIM_INSTANCE).
 */
int instance_build(struct instance *in, const struct week *w, int64_t now, struct diag *d);
void instance_release(struct instance *in);   /* NULL-safe */
/* How many appointments of in have a placement besides where they are
 * (0: nothing in the horizon can still move: fixed, inside its
 * practitioner's notice, or over by `now`). */
size_t instance_movable(const struct instance *in);

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
 * Check a plan independently of the solver (docs/propose.md, "What a plan
 * is"): every appointment is placed once, at one of its candidates (day -1,
 * left out, is allowed only for partial plans built by the greedy baseline
 * and the day evaluator); no problem of kind overlap, double-booked or travel
 * in the moved week involves an appointment that was moved; and the
 * occurrences of a series keep their spacing (sv_series_gap). The offending
 * problems are appended to out; a plan of the wrong size, an appointment
 * placed where none of its candidates is, or a series too close is reported
 * in d as D_PLAN_INVALID.
 * Returns 1 when the plan keeps every invariant, 0 when not, -1 on error.
 */
int plan_check(const struct instance *in, const struct plan *pl, struct problems *out,
	       struct diag *d);

/*
 * A plan as text, for the store (solver/plan_text.c; docs/propose.md): each
 * appointment the plan does not leave at its current placement (cand[0]),
 * in increasing instance index, as "i:day:start:venue" (decimal: the
 * instance index, the day index, the start in local minutes, the venue
 * index or -1), the entries separated by one space and nothing else. A plan
 * that changes nothing is "". Canonical: a plan has one text, and decoding
 * a text and encoding the plan gives the same bytes. Placements are named
 * by value, not by candidate index, so a text does not depend on the order
 * of the candidates; it does depend on the instance's appointments (their
 * order) and on `now` (the notice cut-off decides the candidates): decode
 * it against an instance built from the same week with the same now.
 */
#define PLAN_TEXT_MAX 65536   /* bytes of a plan's text, at most (SOLVER_MAX_APPTS entries of at most 31 bytes) */

/* The text of plan pl: *out malloc'd (caller frees), at most PLAN_TEXT_MAX
 * bytes. pl must place every appointment of in (pl->n == in->n, every day
 * >= 0): else -1 with D_PLAN_INVALID (a caller's bug). Returns 0 otherwise. */
int plan_encode(const struct instance *in, const struct plan *pl, char **out, struct diag *d);

/*
 * The plan of text (plan_encode's format) for instance in: every
 * appointment at its current placement except those listed. The text is
 * refused, with one D_PLAN_TEXT in d naming the byte, unless: it is at
 * most PLAN_TEXT_MAX bytes; every entry is four decimal integers of at
 * most 9 digits; the indices are below in->n and strictly increasing (no
 * appointment twice); no entry is an appointment's current placement; every
 * entry is one of that appointment's candidates (in->a[i].cand); and the
 * plan passes plan_check (a stored plan that no longer fits the week,
 * because a booking changed since, is refused here, not drawn). Any byte
 * string is safe to pass. On success out->at is malloc'd (caller frees it
 * with free()), out->n = in->n, and 0 is returned. Else out is {NULL, 0}
 * and -1 is returned (D_INTERNAL when out of memory). The text cannot say
 * whether the instance holds the same appointments it was made for (a week
 * whose feeds changed may keep the count): compare sv_plan_id of the plan
 * with the stored proposal id to know that.
 */
int plan_decode(const struct instance *in, const char *text, struct plan *out, struct diag *d);

/* The id of plan pl of instance in into out (at least 20 bytes; "p-" and
 * 12 hex digits): a digest of the person, the horizon, each appointment's
 * UID and RECURRENCE-ID, and the placements. It is the id solve_propose
 * and sv_proposal_of_plan give the plan's proposal. */
void sv_plan_id(const struct instance *in, const struct plan *pl, char *out, size_t sz);

/*
 * The tiers of plan pl whose moved week is mv with problems ps
 * (check_week): tier 1 counts ps's impossible problems, tier 2 sums the
 * compromises' penalties, tier 3 is sv_objective(). When comps is not NULL
 * the compromises are listed there (owned; free with free()). Returns 0, or
 * -1 when out of memory (d filled).
 */
int sv_plan_tiers(const struct instance *in, const struct plan *pl, const struct week *mv,
		  const struct problems *ps, struct sv_tiers *t, struct sv_compromise **comps,
		  size_t *n_comps, struct diag *d);

/* One change of a proposal and what it removes or saves. */
struct sv_change {
	size_t appt;              /* instance index */
	struct change ch;         /* the change (plan.h; strings borrowed from the week and profile) */
	int with[4];              /* CHANGE_JOINT: instance indices of the others, -1 ends */
	int room_for;             /* the change (index in the proposal) it makes room for, -1 */
	char reason[320];         /* counterfactual: what reverting it alone brings back */
};

/* The change that puts instance appointment i at `to` instead of `from`
 * into out (kind CHANGE_MOVE, CHANGE_VENUE; never CHANGE_JOINT, which
 * needs the rest of the plan). Returns 1, or 0 when to is from. */
int sv_change_of(const struct instance *in, size_t i, const struct placement *from,
		 const struct placement *to, struct change *out);

struct sv_unplaced {
	size_t appt;
	char reason[320];
};

/* What to ask a practitioner (docs/propose.md, "What to ask"): appointment
 * appt stays as booked with a problem; placement `at`, outside its
 * practitioner's stated pattern, would remove it. */
struct sv_ask {
	size_t appt;              /* instance index */
	struct placement at;
	char text[512];
};

struct sv_proposal {
	char id[20];              /* stable: a digest of the person, horizon and placements */
	int rank;                 /* 1 = the optimum; ladder: the bound on changes */
	int impossible;           /* tier 1 */
	double compromise;        /* tier 2 */
	double objective, bound, gap;   /* tier 3, its lower bound and relative gap */
	int proven;               /* proven optimal (gap 0) under the bounds it was solved with */
	int capped;               /* the solver's time cap stopped it */
	struct plan plan;         /* owned */
	struct sv_totals after;
	struct sv_change *changes;
	size_t n_changes;
	struct sv_unplaced *unplaced;   /* always empty: nothing is dropped (kept for the store's format) */
	size_t n_unplaced;
	struct sv_compromise *comps;    /* the compromises of its week, in check's order */
	size_t n_comps;
	struct sv_ask *asks;
	size_t n_asks;
};

/*
 * The proposal of plan pl, without solving: pl checked (plan_check; it must
 * place every appointment, else -1 with D_PLAN_INVALID), valued from its
 * moved week as check_week reads it (impossible, compromise, objective and
 * comps by sv_plan_tiers; after by sv_week_totals), its changes with their
 * reasons, and its id: for a plan solve_propose returned, exactly what it
 * reported for it. x is overwritten; x->plan is a copy of pl (owned). The
 * solver's own figures are not known: rank 0, bound and gap 0, not proven,
 * not capped. x->asks is left empty: what to ask is a search bounded by
 * the solve's budget, which solve_propose does for its best proposal
 * only. Returns 0 (free x with sv_proposal_release), or -1 with d filled
 * (x released: nothing to free).
 */
int sv_proposal_of_plan(const struct instance *in, const struct plan *pl, struct sv_proposal *x,
			struct diag *d);
/* Free what x owns and zero it; NULL-safe. */
void sv_proposal_release(struct sv_proposal *x);

struct sv_options {
	int k;                    /* proposals wanted (>= 1) */
	int max_changes;          /* < 0: any number */
	int ladder;               /* also the best plan for 1, 2, ... changes */
	double time_limit;        /* seconds of CPU for the whole solve: a safety cap (<= 0: none) */
	int64_t now;              /* UTC seconds: "now", for the notice cut-off */
	size_t max_labels;        /* partial day plans a search keeps before it is cut short (0: default; at most SV_MAX_LABELS_OPTION) */
	const char *write_lp;     /* the master, CPLEX LP format */
	const char *write_compact_lp; /* the compact model of the instance, CPLEX LP */
	int baseline;             /* also plan the week greedily (sv_greedy), for comparison */
	int threads;              /* threads the day searches may use (<= 1: one; at most SV_MAX_THREADS);
				   * the plans are the same for any number */
};

/* Threads for one solve by default: the processors online, at most
 * SV_MAX_THREADS (1 when unknown). */
int sv_default_threads(void);

struct sv_result {
	struct instance in;
	struct sv_totals before;
	struct sv_proposal *props;   /* ranked, best first */
	size_t n_props;
	struct sv_proposal *ladder;  /* ladder[m - 1]: at most m changes */
	size_t n_ladder;
	size_t columns, labels;
	/* The polish of a plan from column generation (docs/propose.md): its
	 * rounds, its listings of a day, and those of them a bound cut short. */
	int polish_rounds;
	size_t polish_listings, polish_cut;
	/* The local search that starts column generation: its passes, and the
	 * most candidates of one appointment it tried in one. */
	int ls_passes;
	size_t ls_most_tried;
	size_t mismatches;           /* day plans the search valued differently from check (a test sees 0) */
	int cut;                     /* a day's search was cut short (a bound or the time cap) */
	int ladder_cut;              /* the time ran out: the ladder skips from the last step solved to the optimum's */
	int alternatives_cut;        /* the time ran out before every next-best proposal was solved */
	/* With sv_options.baseline: the greedy plan, with its objective (by
	 * sv_objective), totals and unplaced appointments (no reasons, no
	 * changes listed); rank 0, not proven. has_baseline says it is there. */
	int has_baseline;
	struct sv_proposal baseline;
};

/*
 * Propose up to o->k distinct plans for week w, the best first by the three
 * tiers, and the change ladder (docs/propose.md). Every plan holds every
 * appointment and passes plan_check() (a failure is an internal error); its
 * tiers, totals and compromises are those of its moved week as check_week()
 * reads it. A plan is always returned: the week as booked is one. When the
 * time cap or a search bound stops the solve first, the proposals say so
 * (not proven, capped) and give their gap. Returns 0 with r filled (free
 * with sv_result_release), or -1 with d filled (out of memory, GLPK failure,
 * an internal error).
 */
int solve_propose(const struct week *w, const struct sv_options *o, struct sv_result *r,
		  struct diag *d);
void sv_result_release(struct sv_result *r);

/* Tier 3 of a plan (the cost), evaluated from its moved week without the
 * solver (the same terms and weights the solver uses; docs/propose.md). */
double sv_objective(const struct instance *in, const struct plan *pl, const struct week *moved);

/*
 * The greedy baseline (solver/greedy.c): a keyworker rationalising the week
 * by hand, one appointment at a time, to measure the optimiser against. It
 * never consults the optimiser. It starts from the week as booked and takes
 * the appointments in a fixed order (current day and start, then instance
 * index), each once: of its candidates, it gets the one whose whole plan (the
 * others where they are now) passes plan_check() at the best tiers
 * (sv_plan_tiers); a tie goes to the lowest candidate index, so the current
 * placement wins ties. Nothing placed is moved again. Deterministic: the
 * same instance gives the same plan. On success out->at holds in->n
 * placements (caller frees out->at with free()), out->n = in->n, and the
 * plan passes plan_check(); returns 0. Returns -1 with d filled (out
 * untouched) when out of memory or when re-reading a week fails. Cost: one
 * week re-read per candidate not ruled out by an overlap with what is
 * placed.
 */
int sv_greedy(const struct instance *in, struct plan *out, struct diag *d);

#endif
