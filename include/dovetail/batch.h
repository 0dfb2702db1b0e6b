/* batch.h: a caseload's run: each person solved alone in worker processes, then one plan per person chosen together (docs/batch.md). */
#ifndef DOVETAIL_BATCH_H
#define DOVETAIL_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/caseload.h"
#include "dovetail/diag.h"
#include "dovetail/ics.h"
#include "dovetail/store.h"

struct pool;

/* Bounds and defaults (docs/batch.md, docs/limits.md). */
#define BATCH_PLANS 3              /* plans solved alone per person, the week as booked besides */
#define BATCH_ROUNDS 3             /* rounds of pricing new plans for the joint master */
#define BATCH_PRICINGS 3           /* plans priced for one person, at most */
#define BATCH_REPAIRS 2            /* waves of the repair after the last master */
#define BATCH_POLISH_PASSES 6      /* passes of MIPs around each person still outside the cap, after the waves */
#define BATCH_POLISH_DEPTH 3       /* steps out from such a person through those in the way of plans within the cap */
#define BATCH_ROUND_NODES 100      /* branch-and-bound nodes per stage of a round's master */
#define BATCH_ROUND_GAP 1e-3       /* ... and the relative gap at which it stops */
#define BATCH_FINAL_NODES 300      /* branch-and-bound nodes per stage of the last master */
#define BATCH_FINAL_GAP 1e-5       /* ... and the relative gap at which it stops */
#define BATCH_GROUP 64             /* results (persons, priced plans) committed together to the store */
#define BATCH_DEFAULT_CAP 10.0     /* cost a person may lose against solo: one journey, by default weights */
#define BATCH_BLOCKERS 8           /* persons in the way of its plan alone a person outside the cap is priced around, one at a time */
#define BATCH_NEIGHBOUR_PLANS 8    /* plans within the cap of a person outside it (or of one in its way) whose blockers are priced clear of each other */
#define BATCH_NEIGHBOUR_DEPTH 2    /* steps out from such a person that those in the way are priced clear of each other */
#define BATCH_BOUND_PERSONS 6      /* --prove-cap: persons of one group (one practitioner's day) */
#define BATCH_BOUND_PROBES 48      /* --prove-cap: solves to find where one person's session can start */
#define BATCH_BOUND_GRAIN 300      /* --prove-cap: seconds of starts a probe's range narrows to */

struct batch {
	struct store *store;      /* the batch process's store; workers never write it */
	const struct caseload *cl;
	char run[24];             /* b-<16 hex>: a digest of the caseload, now and the options */
	int64_t now;
	const struct ics_limits *lim;
	int jobs;                 /* worker processes */
	int time_limit;           /* seconds of CPU per solve, and per component of the master */
	double cap;               /* the fairness cap, cost units */
	int progress;             /* draw a progress bar on stderr */
	int prove_cap;            /* --prove-cap: prove who must be outside the cap (batch_joint) */
	int in_dir;               /* set in workers: they run in the caseload's folder */
	struct pool *pool;        /* the person workers, started when first needed; batch_release stops them */
};

/* b zeroed, with the defaults `batch` and `merge` share: one worker per
 * online processor, a 10 s time limit per solve, the cap BATCH_DEFAULT_CAP. */
void batch_init(struct batch *b);
/* Stop b's workers (NULL-safe inside). */
void batch_release(struct batch *b);

/* The run id of b's caseload for b->now and the options. */
void batch_run_id(struct batch *b);

/*
 * Solve each person in todo (indices into cl->persons) alone, in b->jobs
 * worker processes: up to BATCH_PLANS distinct plans and the week as
 * booked, each with its tiers, figures and bookings of the practitioners
 * and carers persons share; each person is recorded as it is done (its row
 * is its done-marker). With resume, a person the store holds with the same
 * input digest is not solved again. Returns 0 or -1 with d filled (a store
 * failure: diag_exit_status says which). *n_done: persons solved.
 */
int batch_solve_alone(struct batch *b, const size_t *todo, size_t n, int resume, size_t *n_done, struct diag *d);

/* What the joint master did (docs/batch.md, "The joint master"). */
struct batch_joint_stats {
	size_t persons;           /* planned (errors aside) */
	size_t components;        /* of the conflict graph */
	size_t mips;              /* components that needed the MIP, summed over rounds */
	size_t rounds;            /* rounds of pricing run */
	size_t priced;            /* plans priced (solved around others' choices), stored for the run */
	size_t priced_now;        /* of them, solved by this call (the rest were stored already) */
	size_t repaired;          /* persons whose choice the repair changed */
	size_t moved_off_solo;    /* persons whose chosen plan is not their plan solved alone */
	size_t worse;             /* persons whose chosen plan is worse than solo */
	size_t over_cap;          /* persons outside the fairness cap */
	/* of them, by the first tier in which they are worse off than alone:
	 * more impossibilities, more compromise (the rest: cost alone, by more
	 * than the cap) */
	size_t over_cap_impossible, over_cap_compromise, over_cap_cost;
	double worst_loss;        /* the most cost any person lost against solo */
	double worst_compromise;  /* the most compromise any person took on against solo (0: none) */
	int optimal;              /* every master solved to optimality, and pricing converged */
	/* the caseload's tiers, chosen, and their lower bound (each person's
	 * plan solved alone); gap: relative, in the first tier that differs */
	double impossible, compromise, cost;
	double lb_impossible, lb_compromise, lb_cost, gap;
	/* with b->prove_cap: groups of persons of which at most fit can be
	 * within the cap, whatever anyone chooses; at_least sums n - fit over
	 * them (no two share a person), a lower bound on over_cap */
	int proved;               /* the groups were sought */
	size_t at_least, probes;  /* probes: the solves that sought them */
	struct batch_cap_group *groups;   /* owned: batch_joint_stats_release */
	size_t n_groups, cap_groups;
};

/* A practitioner's day that cannot see all of n persons within their caps:
 * each has exactly one session with it in every plan, every plan of theirs
 * within the cap holds it that day, and at most fit of the sessions fit
 * apart where such plans can start them (all within [from, to)). */
struct batch_cap_group {
	char practitioner[CL_KEY_MAX];
	int64_t day;              /* UTC midnight */
	int64_t from, to;
	size_t person[BATCH_BOUND_PERSONS];   /* indices into the caseload's persons, ascending */
	size_t n, fit;
};

void batch_joint_stats_release(struct batch_joint_stats *st);

/*
 * Choose one plan per person together: the conflict graph's components,
 * each's master (joint_solve) in worker processes, pricing rounds (each
 * person moved off solo is solved again around the others' chosen
 * bookings; a plan priced before on the same basis is reused), then the
 * choice is recorded for every person in one transaction. Depends only on
 * the stored plans: the same for any -j and any sharding. Returns 0 or -1
 * with d filled.
 */
int batch_joint(struct batch *b, struct batch_joint_stats *st, struct diag *d);

/* The summary of a run: what `batch` prints and writes (docs/batch.md). */
struct batch_summary {
	char *txt, *csv, *json;   /* owned */
	size_t txt_len, csv_len, json_len;
	char *totals_text;        /* the totals as printed on stdout, owned */
	char *exceptions;         /* "  PERSON error: why\n" lines, owned ("" when none) */
	size_t persons, ok, error;
};

/* Read the run's finals into s (free with batch_summary_release); each
 * person skipped with an error also goes in d as D_BATCH_PERSON. */
int batch_summary(struct batch *b, const struct batch_joint_stats *st, struct batch_summary *s, struct diag *d);
void batch_summary_release(struct batch_summary *s);

/* Each person's page and the overview into dir (outdir staged by the
 * caller), drawn from the stored plans in worker processes. *written:
 * pages. Returns 0 or -1 with d filled. */
struct outdir;
int batch_pages(struct batch *b, struct outdir *dir, size_t *written, struct diag *d);

#endif
