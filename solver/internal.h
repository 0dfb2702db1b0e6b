/* internal.h: what the optimiser's parts share: day plans (columns), their generation and the GLPK master. Not installed. */
#ifndef DOVETAIL_SOLVER_INTERNAL_H
#define DOVETAIL_SOLVER_INTERNAL_H

#include <setjmp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "dovetail/solver.h"

/* Bounds (docs/limits.md). */
#define DG_MAX_LABELS 2000000     /* partial day plans kept for one day (default) */
#define DG_LARGE_LABELS 2048      /* labels (256 KB) past which a search moves into memory in 2 MiB pages */
#define SV_QUICK_LABELS 5000      /* column generation's quick pricing: labels per day and call */
#define SV_FLOOR_LABELS 50000    /* the floor under a cut tier (solve.c): labels per day */
#define SV_REOPT_LABELS 200000    /* a day of the plan re-timed (solve.c, reoptimise): labels of its listing */
#define SV_REOPT_ONE_LABELS 50000 /* ... with one more appointment */
#define SV_REOPT_ROUNDS 4         /* ... and the master again, while the plan improves */
#define SV_REOPT_TOTAL_LABELS 8000000  /* ... and all its listings' labels together */
#define SV_CG_ROUNDS 1000         /* rounds of column generation (an LP, then pricing) of one tier, at most */
/* For tests: some of solve.c's bounds lowered (docs/limits.md): each
 * field that is not 0 and is below its bound takes its place, from the
 * next solve on; sv_test_limits(NULL) puts every one back. */
struct sv_test_limits {
	size_t reopt_labels, reopt_one_labels, reopt_total_labels;   /* SV_REOPT_LABELS, ... */
	int reopt_rounds;                                            /* SV_REOPT_ROUNDS */
	size_t ls_tries;                                             /* LS_TRIES */
	int ls_passes;                                               /* LS_PASSES */
	double list_share;                                           /* SV_LIST_SHARE */
	int cg_rounds;                                               /* SV_CG_ROUNDS */
};
void sv_test_limits(const struct sv_test_limits *l);
#define SV_STALL_ROUNDS 2         /* cut full pricing rounds that leave the LP where it was before a tier stops */
#define SV_PRICE_COLS 12          /* day plans a quick pricing call adds, at most */
#define SV_PRICE_COLS_FULL 30     /* ... a full one */
#define SV_LIST_LABELS 300000     /* ... of all days, when listing every day plan, before column generation takes over */
#define SV_LIST_SHARE 0.3         /* ... or this share of --time-limit (CPU) spent listing */
#define SV_REST_SHARE 1.0         /* the ladder and the next best together: at most this times the best plan's CPU time ... */
#define SV_REST_MIN 2.0           /* ... or this many CPU seconds when more (within --time-limit) */
#define SV_LADDER_CG_STEPS 12     /* a ladder of at most this many steps prices each step anew when day plans come from column generation */
#define DG_MAX_ROUTINES 32        /* routine instances on one day */
#define DG_MAX_JOINT 3            /* appointments in one joint session */
#define DG_MAX_BLOCK 6            /* appointments in one clash as booked read as a block */
#define DG_MAX_LOCAL 64           /* appointments that could be on one day */
#define DG_MAX_CURRENT_SUBSETS 12 /* as-booked appointments of a day whose clashing subsets are all tried */

/* One appointment of a day plan at one of its candidates. */
struct sv_pick {
	int appt;                 /* index into instance.a */
	int cand;                 /* index into instance.a[appt].cand */
};

/* A day plan: which appointments happen on the day and where and when,
 * with what the day is worth (read from its week by sv_day_value, so
 * exactly what check reads). A column of the master. */
struct sv_col {
	int day;
	int impossible;           /* tier 1 of the day */
	double compromise;        /* tier 2 of the day (the weekly unfamiliar limit is the master's) */
	double cost;              /* tier 3 of the day, except the peak energy */
	double energy;            /* appointments plus travel */
	int changes;              /* appointments not at their current placement */
	int journeys, travel_min, time_out;
	double travel_cost;
	uint64_t unfamiliar;      /* unfamiliar practitioners met (profile indices) */
	uint64_t pattern;         /* hash of its (appointment, venue) pairs */
	size_t first;             /* its picks: cols.pick[first .. first + n), by appointment */
	int n;
	int bad;                  /* not a plan's day: a moved appointment in an impossibility (the master leaves it out) */
	uint64_t key;             /* hash of its day and picks (sv_cols' index) */
};

struct sv_cols {
	struct sv_col *v;
	size_t n, cap;
	struct sv_pick *pick;
	size_t n_pick, cap_pick;
	size_t labels;            /* partial plans created (for the benchmark) */
	int cut;                  /* a day's search was cut short (bound or time): not proven */
	int price_cut;            /* a pricing search was cut short: its LP bound is not proven */
	size_t mismatches;        /* day plans the search valued differently from sv_day_value */
	size_t *index;            /* open addressing on key: column + 1, 0 empty */
	size_t index_cap;         /* a power of two, 0 none yet */
	/* pricing's memory of each day (price.c; NULL until needed): how
	 * its searches went (enum price_way), and the appointments its
	 * relaxed search remembers */
	unsigned char *way;
	uint64_t *crit;
};

/* One appointment of a block, where it is booked. */
struct sv_stop {
	int start, end, v, venue;
};

/* A session: one appointment, or a joint session of several, at one
 * placement; or a block: appointments as booked that clash with each other
 * (overlap), read one after the other as check reads them. */
struct sv_item {
	int start, end;           /* local minutes (a block: its first start, its last end) */
	int venue;                /* venue index, -1 unknown (a block: its first stop's) */
	int v;                    /* where the person is: unknown counts as home */
	int back, there;          /* travel minutes from v home, and from home to v */
	double back_cost, there_cost;
	int n;
	int appt[DG_MAX_BLOCK], cand[DG_MAX_BLOCK];
	int nsub;                 /* a block: its stops, in check's order; 0 otherwise */
	struct sv_stop sub[DG_MAX_BLOCK];
	int exit_v, exit_venue;   /* where the person is after it (venue index, -1 unknown) */
	int exit_free;            /* from when they are free to leave */
	int last_end;             /* the end of its last appointment in check's order */
	uint64_t mask;            /* its appointments, as bits of the day's local indices */
	uint64_t pracs;
	uint64_t pattern;         /* hash of its (appointment, venue) pairs */
	double cost, energy;      /* the members' placement costs; the most tiring part's energy */
	int changes;
	int cur;                  /* every member at its current placement */
	int impossible;           /* the members' own tier-1 problems (double-booked as booked) */
	double compromise;        /* the members' own compromises (outside the day, a free day) */
};

/* A routine instance of the day: one start window of one routine; starts
 * first, first + slot, ... up to `to` (last: the final one). */
struct sv_rinst {
	int from, to, first, last, dur, place;
	int routine, window;     /* indices into profile.routines and its windows */
};

/* One day of the instance: every session the person could have (each
 * candidate on the day, the current placement whatever it breaks, and each
 * joint session its practitioners agree to and can all attend), sorted by
 * end, start, appointments, venue; and the routine instances that apply to
 * the day. */
struct sv_day {
	const struct instance *in;
	const struct profile *p;
	int day;
	struct sv_item *it;
	size_t n_it, cap_it;
	struct sv_rinst r[DG_MAX_ROUTINES];
	int n_r;
	int *local;               /* per instance appointment: its local index, -1 */
	int n_local;
	const unsigned char *allow;   /* per instance appointment: may be on the day (NULL: all) */
	struct diag *d;
};

/* What the search may spend: a CPU-time deadline (clock() ticks, 0 none)
 * and a bound on partial day plans per day. */
struct sv_budget {
	long deadline;
	size_t max_labels;
	int relax;                /* pricing: bound a cut search by relaxed ones (price.c) */
};
int sv_budget_over(const struct sv_budget *b);
/* The deadline (clock() ticks; <= 0: none) of the ladder and the next
 * best together, the best plan having taken spent ticks by now: at most
 * SV_REST_SHARE times spent, at least SV_REST_MIN seconds, never past
 * deadline (none stays none). */
long sv_rest_deadline(long now, long spent, long deadline);
/* One of parts (>= 1) even shares of what is left before deadline (none
 * stays none; a deadline passed stays as it is). */
long sv_share_deadline(long now, long deadline, long parts);

/* Run run(arg) in up to `threads` threads at once (this one among them;
 * at most SV_MAX_THREADS, and no more than `jobs`, the work there is to
 * share; fewer when a thread cannot be started), and return when all have
 * returned. run takes its work from arg until none is left. */
void sv_parallel(void *(*run)(void *), void *arg, int threads, size_t jobs);

/* The day search's labels (daygen.c, price.c). */
/* A partial day plan ending with session `item` (-1: none yet). */
struct label {
	int item, parent, next;
	uint64_t mask, pracs, pattern;
	uint32_t rmask;           /* routine instances settled (kept, or missed and paid) */
	int depart;               /* when the current outing began; -1 at home */
	int time_out, journeys, travel_min;
	int changes;              /* sessions' appointments moved (for bounds on changes) */
	int n_appt;               /* appointments in its sessions (mask's count when elementary) */
	int t1;                   /* tier 1 so far */
	double t2;                /* tier 2 so far */
	double travel_cost, appt_energy, cost;
	double dual;              /* pricing: the dual prices' part of the reduced cost */
	double energy;            /* sv_label_energy(), kept by sv_step */
	int same;                 /* next label at the same session with the same
				   * appointments at the same venues (daygen), -1 */
	unsigned char dead;
};

/* daygen's index of the labels that may dominate one another: per session,
 * appointments and venues (an open-addressed table, a power of 2 long). */
struct dg_bucket {
	uint64_t mask, pattern;
	int item;                 /* -1: empty */
	int head;                 /* first label, chained by label.same */
};

struct day_ctx {
	struct sv_day s;          /* the day's sessions and routines */
	struct label *lab;
	size_t n_lab, cap_lab;
	int *head;                /* per item: first label, -1 (daygen; NULL in pricing) */
	struct dg_bucket *bk;     /* daygen only (NULL in pricing) */
	size_t n_bk, cap_bk;
	const struct sv_budget *budget;
	atomic_size_t *shared;    /* daygen: the labels of every day's search, this one's first
				   * `flushed` among them (the bound is on them all; NULL: this search's only) */
	size_t flushed;
	int cut;                  /* the budget ran out */
};


/* Extend label L by session q (NULL: close the day, going home) as
 * check reads a day, into out; close the day's limits with sv_finish. */
void sv_step(const struct day_ctx *c, const struct label *L, const struct sv_item *q, struct label *out);
void sv_finish(const struct day_ctx *c, struct label *x);
double sv_label_energy(const struct profile *p, const struct label *l);
/* Keep label x at session q (after the caller's dominance check): 0, 1 when
 * the bound `cap` on labels (with c->shared's) or the budget's time ran out
 * (c->cut set), -1 out of memory. */
int sv_label_push(struct day_ctx *c, int q, const struct label *x, size_t cap);

/* Build day `day` of in into s (free with sv_day_release). Returns 0, or
 * -1 with d filled (a bound passed, or out of memory). */
int sv_day_build(const struct instance *in, int day, struct sv_day *s, struct diag *d);
/* The same with only the appointments allow[] marks on the day (NULL: all). */
int sv_day_build_some(const struct instance *in, int day, const unsigned char *allow, struct sv_day *s,
		      struct diag *d);
void sv_day_release(struct sv_day *s);

/* Travel minutes from venue a to b (0 when unknown), and the number of
 * unfamiliar people among the practitioners in the set. */
int sv_travel0(const struct profile *p, int a, int b);
int sv_people(const struct profile *p, uint64_t pracs);
int sv_day_people(const struct week *w, size_t di);

/* Spacing within a series: occurrences of appointment i's series (one
 * UID) stay at least this many days apart: half their closest spacing now,
 * rounded down (0: no bound). The master, the compact model and the greedy
 * baseline all keep it. */
int sv_series_gap(const struct instance *in, size_t i);

/* The cost of appointment i at candidate c on its own: the change (per
 * move, per day moved, per venue changed) and the preference penalty. */
double sv_place_cost(const struct instance *in, size_t i, size_t c, int *changed);

/* Whether candidate c of appointment i keeps every rule on its own: inside
 * the person's day, not on a day kept free, clear of the practitioner's busy
 * time. Every candidate but the current placement (c == 0) does. */
int sv_cand_usable(const struct instance *in, size_t i, size_t c);

/* The instance appointment of a tier-1 problem x of plan pl's moved week mv
 * that was moved, or -1 when every appointment in it is as booked. */
int sv_problem_moves(const struct instance *in, const struct plan *pl, const struct week *mv,
		     const struct problem *x);


/*
 * Value col (its picks set) as check reads its day: the day alone, the
 * other appointments left out, through plan_week and check_week. Fills
 * the tiers, energy, journeys, travel, time out and unfamiliar set.
 * Returns 0, or -1 with d filled.
 */
int sv_day_value(const struct instance *in, const struct sv_cols *cols, struct sv_col *col,
		 struct diag *d);

/*
 * Generate the day plans of every day (docs/propose.md, "How it is
 * solved"): a label-setting search per day over its sessions, keeping
 * every plan no other beats with the same appointments at the same venues;
 * plus, on a day whose as-booked appointments clash, each clashing subset
 * of them as booked; plus each day as booked. Each plan is valued by
 * sv_day_value. The days are searched in up to `threads` threads (<= 1:
 * this one only), and their plans made columns in the order of the days:
 * cols is the same for any number of threads. The bound on labels
 * (b->max_labels, else DG_MAX_LABELS) is on every day's together. When it
 * or the time runs out, cols->cut is set and cols holds no plan (the
 * caller starts column generation). Returns 0, or -1 with d filled (a
 * bound on a day passed, or out of memory).
 */
int daygen(const struct instance *in, const struct sv_budget *b, int threads, struct sv_cols *cols,
	   struct diag *d);
/* daygen's listing of the days pick[] marks, with only the appointments
 * allow[] marks on them (a neighbourhood of a plan: solve.c's
 * reoptimise()), adding to cols every plan it does not hold yet; nothing
 * when a search is cut (*cut; cols->labels counts the labels either
 * way). Returns the columns added, or -1 with d filled. */
long sv_list_some(const struct instance *in, const unsigned char *pick, const unsigned char *allow,
		  const struct sv_budget *b, int threads, struct sv_cols *cols, int *cut, struct diag *d);
/* Only the days as booked, and their clashing subsets (as daygen adds
 * them): where column generation starts. Returns 0, or -1 with d filled. */
int sv_as_booked(const struct instance *in, struct sv_cols *cols, struct diag *d);
/* Add the day plan of `day` that puts each appointment in picks (n of
 * them) there, valued; a plan already there is not added twice. Returns
 * its index, or -1 with d filled. */
long sv_cols_add(const struct instance *in, struct sv_cols *cols, int day,
		 const struct sv_pick *picks, int n, struct diag *d);
void cols_release(struct sv_cols *c);

/* The master: choose one day plan per day, cover each appointment once,
 * with the cross-day rows; solved by tiers. */
struct master;

/* What one solve of the master found. */
struct master_sol {
	int found;                /* an integer solution exists */
	int proven;               /* it is proven optimal in every tier */
	int capped;               /* the time limit (a safety cap) stopped it */
	int impossible;
	double compromise;
	double objective, bound, gap;   /* tier 3, its bound and gap */
	size_t *col;              /* owned: per day, the chosen column */
};

struct master *master_new(const struct instance *in, const struct sv_cols *cols, struct diag *d);
/* sol for the plan col (per day, a column) when it is the only one the
 * master's rows allow, so proven (the week as booked under no changes). */
void master_only(const struct master *m, const size_t *col, struct master_sol *sol);
/* At most m appointments changed (m < 0: no bound). */
int master_max_changes(struct master *m, int changes, struct diag *d);
/* Exclude every plan with the same appointments on the same days at the
 * same venues as sol. */
int master_exclude(struct master *m, const struct master_sol *sol, struct diag *d);
/* Whether the master's rows as they stand (the bound on changes, the
 * tiers held, the plans excluded) allow the plan col (per day, a column):
 * master_solve starts GLPK's search from a plan in hand only then. */
int master_allows(const struct master *m, const size_t *col);
/* Solve by tiers under the budget's deadline; `start`, when not NULL, is a
 * feasible choice of columns (per day) to fall back on, and each tier's
 * search starts from it (tier 1) or from the tier before's optimum when
 * the rows as they stand allow it: of plans of equal value, the one in
 * hand is kept. Returns 0 (sol filled; free with master_sol_release) or
 * -1 (d filled). */
int master_solve(struct master *m, const struct sv_budget *b, const size_t *start,
		 struct master_sol *sol, struct diag *d);
int master_write_lp(struct master *m, const char *path, struct diag *d);

/* The dual prices of the master's LP relaxation, for pricing day plans
 * (solver/price.c): per instance appointment (cover rows, and the series
 * rows, per day), per day (one plan a day, the peak), per day and
 * practitioner (meeting them, for the weekly limit), the bound on changes
 * and the rows holding tiers 1 and 2. A row that does not exist is 0. */
struct master_basis;
struct sv_duals {
	double *cover;            /* [n] */
	double *series;           /* [n * n_days]: appointment i on day d */
	double *day, *peak;       /* [n_days] */
	double *meet;             /* [n_days * 64] */
	double changes, tier[2];
	double alpha[3];          /* the weight of tiers 1, 2, 3 in a column's reduced cost */
	double objective;         /* the LP's optimum */
};
void sv_duals_release(struct sv_duals *u);
/* Solve the LP relaxation with the objective of tier `tier` (1..3), the
 * tiers before it held at hold[] (integer values found), and read its duals
 * into u (allocated here; free with sv_duals_release). Returns 1 when the
 * LP is solved, 0 when it is not (infeasible or capped), -1 on error. */
int master_lp(struct master *m, int tier, const double *hold, const struct sv_budget *b,
	      struct master_basis *warm, struct sv_duals *u, struct diag *d);
/* An LP basis by name (rows and columns), to start the next LP of column
 * generation from the last one's optimum: the master is built anew each
 * round with the columns found so far, and from the basis of the round
 * before (new columns non-basic, new rows' slacks basic) the simplex
 * needs a few pivots instead of a solve from scratch. */
struct master_basis {
	char **name;              /* "r NAME" / "c NAME", sorted */
	int *stat;                /* GLP_BS, GLP_NL ... */
	size_t n;
};
void master_basis_release(struct master_basis *b);

/*
 * Price day `day` (column generation, docs/propose.md "How it is solved"):
 * a label-setting search over the day's sessions for day plans of negative
 * reduced cost under u, with dominance across appointment subsets (a plan
 * with fewer appointments, no more reduced cost once what its extra energy
 * can cost is added, no more time out, and no fewer routines settled
 * dominates). At most `max` of the best are added to
 * cols (from the best 4 max + PRICE_KEPT of each search), each valued
 * by sv_day_value and kept only when its reduced cost so valued is
 * negative. Labels whose completion bound shows that nothing they
 * lead to has a negative reduced cost are not kept. *lb gets a lower bound on
 * the least reduced cost of any day plan of the day: the least one when the
 * search ran to its end (or the relaxed search, b->relax, found it), else
 * the better of the completion bound of the empty day and the relaxed
 * search's bound, else -INFINITY (for the Lagrangian bound z + sum of the
 * days' *lb). Returns how
 * many were added, or -1 with d filled.
 */
long sv_price_day(const struct instance *in, int day, const struct sv_duals *u,
		  const struct sv_budget *b, int max, struct sv_cols *cols, double *lb, struct diag *d);
/* sv_price_day for each of days[0 .. n), into lb[0 .. n): their searches
 * in up to `threads` threads (<= 1: this one only), their columns added
 * in the order of days[]. Each day's searches read only cols' state of
 * that day from before the call, so cols is the same for any number of
 * threads. Returns the columns added, or -1 with d filled. */
long sv_price_days(const struct instance *in, const int *days, size_t n, const struct sv_duals *u,
		   const struct sv_budget *b, int max, int threads, struct sv_cols *cols, double *lb,
		   struct diag *d);
/* Whether day is one a full round prices last: its exact search is cut
 * and the relaxed search bounds it (price.c). */
int sv_price_deferred(const struct sv_cols *cols, int day);
/* The reduced cost of column c under u. */
double sv_reduced_cost(const struct instance *in, const struct sv_cols *cols, const struct sv_col *c,
		       const struct sv_duals *u);
size_t master_columns(const struct master *m);
void master_free(struct master *m);
void master_sol_release(struct master_sol *s);

/* The terms of tier 3 (docs/propose.md, "The objective"), weighted. */
enum { SV_T_JOURNEYS, SV_T_TRAVEL, SV_T_MONEY, SV_T_CHANGES, SV_T_ROUTINES, SV_T_PEAK,
       SV_T_UNFAMILIAR, SV_T_PREFERENCE, SV_TERMS };
/* Each term of plan pl's cost, from its moved week mv; they sum to
 * sv_objective(). */
void sv_cost_terms(const struct instance *in, const struct plan *pl, const struct week *mv, double *t);

/* A proposal's changes, with their counterfactual reasons (what reverting
 * each alone brings back; or the change it makes room for), from x->plan.
 * Returns 0, or -1 with d filled. */
int sv_explain(const struct instance *in, struct sv_proposal *x, struct diag *d);
/* What to ask practitioners for plan x (docs/propose.md, "What to ask"):
 * x->asks. Returns 0, or -1 with d filled. */
int sv_asks(const struct instance *in, struct sv_proposal *x, const struct sv_budget *b,
	    struct diag *d);

/* GLPK's fatal errors: set sv_glpk_jump to a jmp_buf of the caller, then
 * install sv_glpk_hook with glp_error_hook; on an error it frees GLPK's
 * environment (every problem object is gone) and longjmps there. */
extern jmp_buf *sv_glpk_jump;
void sv_glpk_hook(void *info);

/*
 * The compact formulation of the same instance (docs/propose.md, "The
 * compact model"): a binary per session (the day search's items, blocks
 * included) and per transition between sessions of a day, per routine
 * start (and missed), the daily limits' excesses and the weekly unfamiliar
 * excess priced in tier 2; the three tiers as columns tier1..tier3 fixed by
 * rows, solved in stages (tier 1; hold it, tier 2; hold both, tier 3). Its
 * lexicographic optimum equals the master's (with max_changes >= 0, under
 * that bound on changes). compact_write_lp writes it in CPLEX LP format
 * with tier 1 as the objective (a solver rewrites it per stage); compact_solve
 * solves the stages with GLPK (for tests: it is slow). Both return 0, or -1
 * with d filled (a day past the model's bounds, docs/limits.md).
 */
int compact_write_lp(const struct instance *in, int max_changes, const char *path,
		     struct diag *d);
int compact_solve(const struct instance *in, int max_changes, double time_limit,
		  int *found, double *objective, struct diag *d);
/* For tests: at most nonzeros non-zeros (0: MAX_NONZEROS, docs/limits.md)
 * in the compact models made from now on. */
void compact_limit(size_t nonzeros);

#endif
