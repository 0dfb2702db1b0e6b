/* pool.h: worker processes that take tasks and send results back over pipes (the batch's pool). */
#ifndef DOVETAIL_POOL_H
#define DOVETAIL_POOL_H

#include <stddef.h>

#include "dovetail/diag.h"

/* Bounds (docs/limits.md). */
#define POOL_MAX_JOBS 256
#define POOL_MAX_MESSAGE (64u << 20)   /* bytes of one task or result */
#define POOL_MAX_QUEUE 8               /* tasks a worker holds at once */

/* What a worker does. Processes, not threads: GLPK's environment is not
 * thread-safe. Each worker is forked from the caller, so it sees the
 * caller's memory as it was at pool_start. */
struct pool_ops {
	/* In each worker, once: its state (NULL: the worker cannot start, and
	 * exits). */
	void *(*init)(void *arg);
	/* In a worker, for each task: a malloc'd result of *len bytes (at most
	 * POOL_MAX_MESSAGE), or NULL when the worker must stop (its task then
	 * counts as lost). */
	char *(*handle)(void *state, const char *task, size_t len, size_t *out_len);
	/* In each worker, at the end of its tasks (may be NULL). */
	void (*fini)(void *state);
	/* What init makes, for the message when it fails (may be NULL). */
	const char *init_makes;
	/* Tasks a worker holds at once, 1 .. POOL_MAX_QUEUE (0: 1). With more
	 * than 1, its next tasks are sent while it works on one, so that it
	 * never waits for the caller between them, even when the caller is
	 * slow to get a processor: for many small tasks. A task is queued so
	 * only when the pipe's buffer holds it beside those queued already
	 * (the caller never blocks on a busy worker). */
	int queue;
};

struct pool;

/* Start jobs (1 .. POOL_MAX_JOBS) workers running ops over arg. Returns
 * the pool, or NULL with d filled. The pool's workers die with the
 * process that started them. */
struct pool *pool_start(int jobs, const struct pool_ops *ops, void *arg, struct diag *d);

/*
 * Run tasks 0 .. n - 1: make(arg, i, &len) builds task i (malloc'd, with
 * xalloc.h: never NULL), handed to the next free worker in index order; done(arg,
 * i, msg, len) takes each result as it comes back, in any order (msg owned
 * by the pool, valid during the call; NULL when the worker died with the
 * task: a new worker takes its place, the tasks queued behind it go to
 * the workers again, and the run goes on). done returning
 * non-zero stops the run. progress (may be NULL) is told the count done.
 * Returns 0, or -1 with d filled (a worker that cannot be started, a
 * malformed message, done stopping).
 * Results depend on the tasks alone, never on which worker ran them or
 * when: the caller records them by i.
 */
int pool_run(struct pool *p, size_t n, char *(*make)(void *arg, size_t i, size_t *len),
	     int (*done)(void *arg, size_t i, const char *msg, size_t len),
	     void (*progress)(void *arg, size_t done, size_t n), void *arg, struct diag *d);

/* How the last worker that died with a task ended, in words for a
 * message ("it exited with status 1", "it was killed by signal 9 ...",
 * "it could not start ..."); "it ended" before any did. NULL-safe. */
const char *pool_lost(const struct pool *p);

/* Close the tasks and wait for every worker (kill them when kill is set). NULL-safe. */
void pool_stop(struct pool *p, int kill);

#endif
