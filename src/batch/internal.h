/* internal.h: what the batch engine's files share (src/batch/run.c solves
 * each person alone in the person workers, rounds.c chooses one plan per
 * person together, pages.c draws the pages). Not a public contract. */
#ifndef DOVETAIL_BATCH_INTERNAL_H
#define DOVETAIL_BATCH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/batch.h"
#include "dovetail/caseload.h"
#include "dovetail/diag.h"
#include "dovetail/pool.h"
#include "dovetail/profile.h"
#include "dovetail/store.h"

/* A booking of someone persons may share, on the wire and in a worker. */
struct bk {
	char lane[CL_KEY_MAX];    /* a practitioner id or a carer key: never cut (below) */
	int64_t start, end;
	int fixed;
};

_Static_assert(sizeof ((struct bk *)0)->lane > PROFILE_MAX_ID &&
	       sizeof ((struct bk *)0)->lane >= sizeof CL_CARER_PREFIX + 64,
	       "a lane holds any practitioner id and any carer key whole");

/* One plan of a person, as a worker computes it. */
struct col_out {
	char origin[8];           /* "alone", "booked", "priced" */
	int impossible, proven;
	double compromise, cost;
	struct store_batch_figures after;
	int changes, appts;
	char *result, *plan;      /* malloc'd */
	struct bk *book;
	size_t n_book, cap;
};

/* What solving one person gives. */
struct outcome {
	char digest[65];
	const char *status;       /* "same" (unchanged inputs, not solved), "ok", "error" */
	char error[512];
	struct store_batch_figures before;
	struct col_out *col;
	size_t n_col, cap;
};

/* The first error of d as one line (at most sz bytes), for the summary:
 * ids and positions, never text from a feed (the catalogue's messages
 * carry none); "failed" when d holds no error. */
void bt_first_error(const struct diag *d, char *out, size_t sz);

/* Frees what o holds and zeroes it; o itself is the caller's. */
void bt_outcome_release(struct outcome *o);
/* o becomes an error: its plans dropped, its status "error" and why (ids
 * and positions only; control characters made spaces). */
void bt_outcome_fail(struct outcome *o, const char *why);
/* o as a wire message (malloc'd, *len bytes), and back: decode reads msg
 * (len bytes, NUL-terminated, modified in place) into o, which it zeroes
 * first; -1 on a malformed message (o released). */
char *bt_encode_outcome(const struct outcome *o, size_t *len);
int bt_decode_outcome(char *msg, size_t len, struct outcome *o);

/* A private folder for a worker's own feed store: $TMPDIR/dovetail-batch.XXXXXX,
 * locked while the worker lives, so that a later batch can tell one a
 * killed worker left (file_scratch_clean). */
struct wstate {
	struct batch b;
	struct store *st;
	char dir[512];
	int lock;
};

/* The person workers of b: started at first use, one pool for the run
 * (NULL with d filled when they cannot start). bt_pool_failed stops them
 * after a failed run, so that none keeps a task. */
struct pool *bt_person_pool(struct batch *b, struct diag *d);

/* A pool's results stored in groups of BATCH_GROUP (store_group_begin):
 * bt_group_open before the run, bt_group_step after each result stored
 * (it commits each full group), bt_group_close after the run (it commits
 * the rest, whether the run failed or not: what is stored is whole; a
 * group that did not open is not closed). Each returns 0, or -1 with d
 * filled. */
struct bt_group {
	struct store *st;
	size_t n;                 /* results in the open group */
	int open;
};
int bt_group_open(struct bt_group *g, struct store *st, struct diag *d);
int bt_group_step(struct bt_group *g, struct diag *d);
int bt_group_close(struct bt_group *g, struct diag *d);
void bt_pool_failed(struct batch *b);

/* In a person worker: person i solved alone (stored: the digest of its
 * inputs when stored, to answer "same" if they are unchanged), or, with
 * priced, solved again around extra (n_extra bookings of others); the
 * outcome in *o, which the caller releases. */
void bt_solve_person(const struct batch *b, struct store *st, size_t i, const char *stored,
			 const struct bk *extra, size_t n_extra, int priced, struct outcome *o);

/*
 * --prove-cap (bound.c): groups of persons who cannot all be within the
 * cap, for the problem pr and its choice (cl_index: each person's index
 * into the caseload; lane_key: the lanes' ids, n_lanes of them), into
 * st->groups, at_least and probes. Each person is solved again in the
 * person workers with a practitioner's time held. Returns 0, or -1 with d
 * filled.
 */
struct jt_problem;
int bt_cap_bound(struct batch *b, const struct jt_problem *pr, const size_t *choice, const size_t *cl_index,
		 char *const *lane_key, size_t n_lanes, struct batch_joint_stats *st, struct diag *d);

/* In a person worker: the page of person idx's plan (its text), as
 * "ok\n" and the page, or "error\n" and why (ids and positions only). */
char *bt_draw_page(struct wstate *s, size_t idx, int proven, const char *text, size_t *out_len);

/* A progress bar on standard error, drawn at most five times a second. */
struct bar {
	double t0, last;
};
double bt_mono(void);
void bt_draw(struct bar *br, size_t done, size_t total);

#endif
