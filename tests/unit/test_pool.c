/* test_pool.c: the batch's worker processes: results by task, a worker that dies, bounds. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/pool.h"
#include "tap.h"

static int inits;

static void *init(void *arg)
{
	inits++;   /* in the child: the parent's count never moves */
	return arg;
}

/* "N": answers "N*N"; "die": the worker exits mid-task; "kill": it is
 * killed by a signal; "big": more than the bound; "wide" (2 MiB, made so
 * by make): as wide an answer, "-2" */
static char *handle(void *state, const char *task, size_t len, size_t *out_len)
{
	(void)state;
	(void)len;
	if (strcmp(task, "die") == 0)
		_exit(7);
	if (strcmp(task, "kill") == 0)
		raise(SIGKILL);
	if (strcmp(task, "big") == 0) {
		*out_len = POOL_MAX_MESSAGE + 1;
		return calloc(1, POOL_MAX_MESSAGE + 1);
	}
	if (strncmp(task, "wide", 4) == 0) {
		char *w = malloc(len);
		if (w) {
			memset(w, ' ', len);
			memcpy(w, "-2", 2);
			*out_len = len;
		}
		return w;
	}
	long v = strtol(task, NULL, 10);
	char *s = malloc(32);
	if (s)
		*out_len = (size_t)snprintf(s, 32, "%ld", v * v);
	return s;
}

static const struct pool_ops ops = { init, handle, NULL, NULL, 0 };
static const struct pool_ops queued = { init, handle, NULL, NULL, 2 };   /* the next task sent while one runs */
static const struct pool_ops deep = { init, handle, NULL, NULL, POOL_MAX_QUEUE };

struct run {
	const char *const *tasks;
	long *got;
	size_t lost, calls;
};

#define WIDE (2u << 20)
#define THIRD (400u << 10)   /* two fit the 1 MiB task pipe, three do not */

static char *make(void *arg, size_t i, size_t *len)
{
	struct run *r = arg;
	int third = strcmp(r->tasks[i], "third") == 0;
	if (third || strcmp(r->tasks[i], "wide") == 0) {
		size_t n = third ? THIRD : WIDE;
		char *w = malloc(n + 1);
		if (!w)
			abort();
		memset(w, 'w', n);
		memcpy(w, "wide", 4);
		w[n] = 0;
		*len = n;
		return w;
	}
	*len = strlen(r->tasks[i]);
	return strdup(r->tasks[i]);
}

static int done(void *arg, size_t i, const char *msg, size_t len)
{
	struct run *r = arg;
	r->calls++;
	if (!msg) {
		r->lost++;
		r->got[i] = -1;
		return 0;
	}
	(void)len;
	r->got[i] = strtol(msg, NULL, 10);
	return 0;
}

int main(void)
{
	struct diag d;
	diag_init(&d);
	enum { N = 200 };
	static char buf[N][16];
	const char *tasks[N + 1];
	long got[N + 1];
	for (int i = 0; i < N; i++) {
		snprintf(buf[i], sizeof buf[i], "%d", i);
		tasks[i] = buf[i];
	}
	static const struct pool_ops *const by_queue[] = { NULL, &ops, &queued, &deep };
	for (int qi = 1; qi <= 3; qi++)
		for (int jobs = 1; jobs <= 3; jobs++) {
			int q = by_queue[qi]->queue ? by_queue[qi]->queue : 1;
			struct pool *p = pool_start(jobs, by_queue[qi], &inits, &d);
			ok(p != NULL, "-j %d, %d task(s) a worker: the pool starts", jobs, q);
			struct run r = { tasks, got, 0, 0 };
			memset(got, 0, sizeof got);
			ok(pool_run(p, N, make, done, NULL, &r, &d) == 0, "-j %d, %d a worker: %d tasks run", jobs, q, N);
			int right = 0;
			for (int i = 0; i < N; i++)
				right += got[i] == (long)i * i;
			is_int(right, N, "-j %d, %d a worker: every result comes back under its own task", jobs, q);
			is_int(r.calls, N, "-j %d, %d a worker: each task answered once", jobs, q);
			/* a second run on the same workers */
			r.calls = 0;
			ok(pool_run(p, 10, make, done, NULL, &r, &d) == 0 && r.calls == 10,
			   "-j %d, %d a worker: the pool runs again", jobs, q);
			pool_stop(p, 0);
		}
	is_int(inits, 0, "workers are processes: their state is theirs");

	/* a worker dies with its task: that task is lost (done with NULL), a
	 * new worker takes its place, and the rest go on */
	const char *mixed[] = { "2", "3", "die", "4", "5", "die", "6" };
	struct pool *p = pool_start(2, &ops, &inits, &d);
	struct run r = { mixed, got, 0, 0 };
	ok(pool_run(p, 7, make, done, NULL, &r, &d) == 0, "a run with two workers dying completes");
	is_int(r.lost, 2, "... the two tasks they held are lost");
	ok(got[0] == 4 && got[1] == 9 && got[3] == 16 && got[4] == 25 && got[6] == 36, "... the others answered");
	is_str(pool_lost(p), "it exited with status 7", "... and how the worker ended is said");
	const char *killed[] = { "kill", "2" };
	struct run rk = { killed, got, 0, 0 };
	ok(pool_run(p, 2, make, done, NULL, &rk, &d) == 0 && rk.lost == 1 && got[1] == 4,
	   "a worker killed by a signal: its task lost, the next answered");
	is_str(pool_lost(p), "it was killed by signal 9 (SIGKILL: out of memory?)", "... and the signal is said");
	/* a result past the bound is refused by the worker, never sent */
	const char *big[] = { "big" };
	struct run rb = { big, got, 0, 0 };
	diag_release(&d);
	diag_init(&d);
	ok(pool_run(p, 1, make, done, NULL, &rb, &d) == 0 && rb.lost == 1,
	   "a result past POOL_MAX_MESSAGE is never sent: its task is lost, the run goes on");
	struct run rs = { mixed, got, 0, 0 };
	ok(pool_run(p, 2, make, done, NULL, &rs, &d) == 0 && got[0] == 4 && got[1] == 9,
	   "... and the pool answers after it");
	pool_stop(p, 1);
	/* with a task queued behind each: the one a worker dies with is lost,
	 * the one queued behind it (never read) is handed out again */
	p = pool_start(2, &queued, &inits, &d);
	struct run rq = { mixed, got, 0, 0 };
	memset(got, 0, sizeof got);
	int rq_rc = pool_run(p, 7, make, done, NULL, &rq, &d);
	ok(rq_rc == 0 && rq.lost == 2 && rq.calls == 7 && got[2] == -1 && got[5] == -1,
	   "2 tasks a worker, two workers dying: the two tasks they ran are lost (lost %zu)", rq.lost);
	ok(got[0] == 4 && got[1] == 9 && got[3] == 16 && got[4] == 25 && got[6] == 36,
	   "... those queued behind them are answered");
	/* a task wider than the pipe's buffer, with as wide an answer, is
	 * never queued behind a running one: the caller would wait to write it
	 * while the worker waits for the caller to read (a hang) */
	const char *wide[] = { "wide", "wide", "3", "wide", "wide", "wide", "4" };
	struct run rw = { wide, got, 0, 0 };
	memset(got, 0, sizeof got);
	ok(pool_run(p, 7, make, done, NULL, &rw, &d) == 0 && rw.lost == 0 && got[0] == -2 && got[5] == -2 &&
		   got[2] == 9 && got[6] == 16,
	   "2 tasks a worker, tasks of %u bytes: all answered, no hang", WIDE);
	pool_stop(p, 1);
	/* POOL_MAX_QUEUE tasks a worker, each a third of the pipe's buffer or
	 * more, with as wide answers: only those the pipe holds beside the
	 * others queued are queued (were a third written behind two, the
	 * caller would wait to write it while the worker waits for the caller
	 * to read its answer: a hang) */
	p = pool_start(2, &deep, &inits, &d);
	const char *thirds[] = { "third", "third", "third", "5", "third", "third", "third", "third", "6", "third" };
	struct run rt = { thirds, got, 0, 0 };
	memset(got, 0, sizeof got);
	ok(pool_run(p, 10, make, done, NULL, &rt, &d) == 0 && rt.lost == 0 && rt.calls == 10 && got[0] == -2 &&
		   got[9] == -2 && got[3] == 25 && got[8] == 36,
	   "%d tasks a worker, tasks of %u bytes: all answered, no hang", POOL_MAX_QUEUE, THIRD);
	pool_stop(p, 1);
	/* a worker that cannot start (its init fails) is an error, not a hang */
	diag_release(&d);
	diag_init(&d);
	static const struct pool_ops dead = { init, handle, NULL, "its state", 2 };
	p = pool_start(1, &dead, NULL, &d);
	struct run rd = { mixed, got, 0, 0 };
	int rc = p ? pool_run(p, 3, make, done, NULL, &rd, &d) : -1;
	/* which of the two happens depends on when the parent sees the worker exit */
	ok((rc < 0 && d.n > 0) || (rc == 0 && rd.lost == 3),
	   "workers that exit at once: every task lost or the run refused with a diagnostic, no hang (rc %d, lost %zu)",
	   rc, rd.lost);
	if (rc == 0)
		is_str(pool_lost(p), "it could not start (its state)",
		       "... each said to have failed to start");
	pool_stop(p, 1);
	diag_release(&d);
	return tap_done();
}
