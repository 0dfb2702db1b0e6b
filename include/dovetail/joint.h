/* joint.h: one plan per person chosen together, so that no practitioner or carer several persons share is booked twice (docs/batch.md, "The joint master"). */
#ifndef DOVETAIL_JOINT_H
#define DOVETAIL_JOINT_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"

/* Bounds (docs/limits.md). */
#define JOINT_MAX_COLUMNS 64        /* plans of one person */
#define JOINT_MAX_CONFLICTS 2000000 /* pairs of plans that cannot both be chosen, in one caseload */
#define JOINT_BLOCK 400             /* persons of one MIP: a larger component is solved in blocks */
#define JOINT_BLOCK_PASSES 2        /* passes over the blocks of a large component */
#define JOINT_MAX_THREADS 8         /* threads for a large component's blocks, or a polish wave, at most */
#define JOINT_POLISH_WAVE 64        /* MIPs of one polish wave, at most: a full wave is solved */

/* A plan's use of a shared practitioner or carer (a lane, by index) over
 * [start, end) UTC. fixed: the appointment stays where it is booked. Two
 * fixed bookings of a practitioner never conflict: both are in the
 * practitioner's diary already, and the week as booked is always a plan.
 * Two fixed bookings of a carer (siblings' appointments that need one
 * parent at once) are a soft conflict: allowed, so that the weeks as
 * booked stay a plan, but each counts as an impossibility (tier 1) of the
 * caseload, so that the master moves one where it can. */
struct jt_booking {
	uint32_t lane;
	int64_t start, end;
	int fixed;
	int carer;                  /* the lane is a carer's */
};

/* One plan of one person: its three tiers (docs/propose.md) and its
 * bookings, bookings[first .. first + n) of the problem. */
struct jt_column {
	size_t person;
	int impossible;
	double compromise, cost;
	size_t first, n;
};

/*
 * The problem: persons 0 .. n_persons - 1, each with at least one column;
 * solo[p] is the column of person p solved alone (its best plan, the
 * reference of the fairness cap). Columns of one person are contiguous and
 * in the order persons are numbered, and so are their bookings (column
 * j's come before column j + 1's). Every person must have a column
 * whose bookings are all fixed (the week as booked), so that a plan for
 * the whole caseload always exists.
 */
struct jt_problem {
	size_t n_persons;
	const size_t *solo;
	const size_t *booked;       /* booked[p]: its column of the week as booked (all fixed) */
	const struct jt_column *cols;
	size_t n_cols;
	const struct jt_booking *book;
	size_t n_book;
	double cap;                 /* cost a person may lose against solo (tiers 1 and 2: none) */
	double time_limit;          /* seconds per stage of a component's MIP, a safety cap (<= 0: none) */
	size_t max_nodes;           /* branch-and-bound nodes per stage (0: no bound): the bound that decides */
	double mip_gap;             /* relative gap at which a stage stops (0: proven) */
	int threads;                /* threads for a large component's blocks (<= 1: one); the choices are the same for any */
};

/* The conflict graph's components: persons linked by a pair of their
 * columns that cannot both be chosen. comp[p] numbers them 0 .. n - 1 by
 * their first person. First, persons are fixed to their plan solved alone
 * while it conflicts with no column still possible (choosing it never
 * costs anyone anything: it is the person's best, and nothing else is
 * lost by it); each fix rules out the columns that conflict with it,
 * which may free another person's plan alone, and so on. The rest are
 * linked only through columns still possible. */
struct jt_components {
	size_t *comp;               /* per person */
	size_t n;
	unsigned char *fixed;       /* per person: fixed to solo */
	unsigned char *dead;        /* per column: ruled out by a fix */
	size_t n_fixed;
	struct jt_pair { size_t a, b; int soft; } *pairs;   /* columns that conflict, a < b, sorted; soft: only carer bookings kept where they are */
	size_t n_pairs;
};

int joint_components(const struct jt_problem *p, struct jt_components *out, struct diag *d);
void joint_components_release(struct jt_components *c);
/* Each column's conflicts (every pair of c, the soft ones too), as lists:
 * the other columns are (*adj)[(*first)[j] .. (*first)[j + 1]); both
 * allocated here, the caller frees them. */
void joint_conflict_lists(const struct jt_problem *p, const struct jt_components *c, size_t **first, size_t **adj);
/* The persons in the way of column j under choice (per person, a column):
 * those whose chosen column conflicts with j (by the lists above), in
 * the persons' order, at most max of them, into out. Returns how many. */
size_t joint_in_way(const struct jt_problem *p, const size_t *first, const size_t *adj, const size_t *choice,
		    size_t j, size_t *out, size_t max);

/* The choice, per person: the column index (into p->cols). */
struct jt_solution {
	size_t *choice;
	int optimal;                /* every stage of every component's MIP was proven optimal */
	size_t over_cap;            /* persons whose choice is outside the cap */
	size_t mips;                /* components that needed the MIP (the rest took solo) */
};

/*
 * Choose one column per person so that no two chosen columns conflict.
 * Within each component, in this order (lexicographically): the fewest
 * persons outside the fairness cap, the fewest impossibilities, the least
 * compromise, then the least cost. Persons' ids play no part in the
 * objective. Where a component's solo columns
 * do not conflict they are the choice (optimal without a MIP). A component
 * whose MIP stops at the time limit keeps the best choice it found (the
 * week as booked at worst) and clears optimal. only: when not NULL, only
 * the components with only[c] set are solved; the others' choices are
 * left as they were in s (s->choice must then hold a choice for them).
 * Returns 0, or -1 with d filled (out of memory, GLPK failure).
 */
int joint_solve(const struct jt_problem *p, const struct jt_components *c, const unsigned char *only,
		struct jt_solution *s, struct diag *d);
void joint_solution_release(struct jt_solution *s);

/*
 * Choosing again for sets of persons, one set at a time, each from the
 * choice as it stands with everyone outside the set held where they are
 * (the block MIP of a large component, in its stages). joint_sets_new
 * makes the conflict lists once for p and c, which must outlive it.
 * joint_sets_solve chooses for persons[0 .. n) (at most JOINT_BLOCK, none
 * twice, any order): choice must be feasible (no conflict taken but soft
 * ones); it stays so, and within the set nothing gets worse in the order of
 * the stages. keep_tiers: nor do the set's impossibilities and compromise
 * (tiers 1 and 2, each summed over the set) rise at all, so that persons
 * are brought inside the cap at the price of the set's cost alone (one
 * person's tier 1 or 2 may rise only as far as another's falls). Returns
 * 0, or -1 with d filled (GLPK failure).
 */
/*
 * The repair's last step (docs/batch.md, "The repair"): a MIP around each
 * person still outside the cap, in index order, from sol's choice as it
 * stands. Its set (the person, those whose choices are in the way of its
 * plans within the cap, those in the way of theirs, and so on, `depth`
 * steps out, at most JOINT_BLOCK persons, the nearest first) is chosen for
 * again together, everyone else held where they are, with the cap first
 * and the set's impossibilities and compromise not allowed to rise
 * (joint_sets_solve, keep_tiers): so the persons outside the cap and the
 * caseload's tiers 1 and 2 never rise (asserted), and cost falls where it
 * can. A set lies within one component, and the sets of a component are
 * taken in the same order whatever else is in the run. At most `passes`
 * passes (>= 1), fewer when one changes nothing. MIPs that read nothing
 * an earlier pending one writes (nor write what it reads) run beside it,
 * in up to pr->threads threads, and a MIP whose person's last changed
 * nothing, with the same reads, is skipped: the choices are those of the
 * MIPs one after another, for any number of threads. ps: what it did.
 * Returns 0, or -1 with d filled.
 */
struct jt_polish_stats {
	size_t taken;               /* persons whose choice changed */
	int passes;                 /* passes run */
	size_t largest;             /* the most persons in one set */
	int deepest;                /* the most steps out that took someone into a set */
	size_t solved;              /* MIPs solved */
	size_t skipped;             /* MIPs not solved: the last for the person changed nothing, and read the same */
	size_t widest;              /* the most MIPs in one wave (run beside each other) */
};
int joint_polish(const struct jt_problem *pr, const struct jt_components *comps, struct jt_solution *sol,
		 int passes, int depth, struct jt_polish_stats *ps, struct diag *d);

struct jt_sets;
struct jt_sets *joint_sets_new(const struct jt_problem *p, const struct jt_components *c);
int joint_sets_solve(struct jt_sets *s, const size_t *persons, size_t n, int keep_tiers, size_t *choice,
		     struct diag *d);
void joint_sets_free(struct jt_sets *s);

/* Whether column j is within the fairness cap of its person. */
int joint_within_cap(const struct jt_problem *p, size_t j);

/* How a plan with tiers (impossible, compromise, cost) stands against the
 * fairness cap of a person whose plan alone has tiers alone (docs/batch.md,
 * "What it optimises"): JT_WITHIN_CAP, or the first tier by which it is
 * outside: more impossibilities, more compromise, or a cost more than cap
 * above (cap >= 0). joint_within_cap() is this on a column; the summaries
 * use it on the stored plans. */
enum jt_cap { JT_WITHIN_CAP, JT_OVER_IMPOSSIBLE, JT_OVER_COMPROMISE, JT_OVER_COST };
enum jt_cap joint_cap_of(int impossible, double compromise, double cost, int alone_impossible,
			 double alone_compromise, double alone_cost, double cap);

#endif
