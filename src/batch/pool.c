/* pool.c: forked workers, a task pipe and a result pipe each, messages framed by their length. */
#define _GNU_SOURCE   /* F_SETPIPE_SZ, F_GETPIPE_SZ: the task pipe's buffer */
#include "dovetail/pool.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dovetail/xalloc.h"

struct proc {
	pid_t pid;
	int task_fd, result_fd;   /* -1: closed */
	size_t q[POOL_MAX_QUEUE]; /* the tasks it holds, the one it runs first */
	size_t qlen[POOL_MAX_QUEUE]; /* their bytes on the pipe, length word included */
	int nq;
	size_t pipe_cap;          /* bytes its task pipe holds unread */
};

struct pool {
	const struct pool_ops *ops;
	void *arg;
	int jobs;
	struct proc *w;
	char lost[160];            /* how the last worker that died with a task ended (pool_lost) */
};

/* A worker whose init failed exits with this status. */
#define POOL_EXIT_INIT 3

/* Write or read all n bytes of p on fd (a signal restarts): 0, or -1 when
 * the pipe is closed or failed. */
static int transfer(int fd, char *c, size_t n, int writing)
{
	while (n) {
		ssize_t k = writing ? write(fd, c, n) : read(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
	return transfer(fd, (char *)p, n, 1);
}

static int read_all(int fd, void *p, size_t n)
{
	return transfer(fd, p, n, 0);
}

/* One framed message: its length (u32), then its bytes. *msg allocated
 * (NUL-terminated). Returns 0, -1 at the end or on a short read, -2 when
 * the length is past the bound. */
static int read_msg(int fd, char **msg, uint32_t *len)
{
	*msg = NULL;
	if (read_all(fd, len, sizeof *len) < 0)
		return -1;
	if (*len > POOL_MAX_MESSAGE)
		return -2;
	*msg = xmalloc((size_t)*len + 1);
	if (read_all(fd, *msg, *len) < 0) {
		free(*msg);
		*msg = NULL;
		return -1;
	}
	(*msg)[*len] = 0;
	return 0;
}

static int write_msg(int fd, const char *msg, size_t len)
{
	uint32_t n = (uint32_t)len;
	if (len > POOL_MAX_MESSAGE)
		return -1;
	return write_all(fd, &n, sizeof n) < 0 || write_all(fd, msg, len) < 0 ? -1 : 0;
}

static void worker(const struct pool *p, int task_fd, int result_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);   /* the caller dies: so do its workers */
	signal(SIGPIPE, SIG_IGN);
	void *state = p->ops->init(p->arg);
	if (!state)
		_exit(POOL_EXIT_INIT);
	char *task;
	uint32_t len;
	while (read_msg(task_fd, &task, &len) == 0) {
		size_t out_len = 0;
		char *out = p->ops->handle(state, task, len, &out_len);
		free(task);
		int failed = !out || write_msg(result_fd, out, out_len) < 0;
		free(out);
		if (failed)
			break;
	}
	if (p->ops->fini)
		p->ops->fini(state);
	_exit(0);
}

/* Start worker `self`: the child keeps only its own pipes, so that each
 * worker sees the end of its tasks when the caller closes them. */
static int spawn(struct pool *p, int self)
{
	struct proc *x = &p->w[self];
	int tp[2], rp[2];
	if (pipe(tp) < 0)
		return -1;
	if (pipe(rp) < 0) {
		close(tp[0]);
		close(tp[1]);
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(tp[0]);
		close(tp[1]);
		close(rp[0]);
		close(rp[1]);
		return -1;
	}
	if (pid == 0) {
		close(tp[1]);
		close(rp[0]);
		for (int j = 0; j < p->jobs; j++) {
			if (j == self)
				continue;
			if (p->w[j].task_fd >= 0)
				close(p->w[j].task_fd);
			if (p->w[j].result_fd >= 0)
				close(p->w[j].result_fd);
		}
		worker(p, tp[0], rp[1]);
	}
	close(tp[0]);
	close(rp[1]);
	/* a larger task pipe, so that a queued task seldom waits; what it
	 * holds is asked, not assumed */
	fcntl(tp[1], F_SETPIPE_SZ, 1 << 20);
	int cap = fcntl(tp[1], F_GETPIPE_SZ);
	*x = (struct proc){ .pid = pid, .task_fd = tp[1], .result_fd = rp[0], .pipe_cap = cap > 0 ? (size_t)cap : 0 };
	return 0;
}

/* Reap worker x (killed first when kill_it). Returns its wait status, or
 * -1 when there was none to wait for. */
static int reap(struct proc *x, int kill_it)
{
	if (x->task_fd >= 0)
		close(x->task_fd);
	if (x->pid > 0 && kill_it)
		kill(x->pid, SIGKILL);
	if (x->result_fd >= 0)
		close(x->result_fd);
	x->task_fd = x->result_fd = -1;
	int status = -1;
	while (x->pid > 0 && waitpid(x->pid, &status, 0) < 0) {
		if (errno != EINTR) {
			status = -1;
			break;
		}
	}
	x->pid = 0;
	x->nq = 0;
	return status;
}

/* How a worker ended, from its wait status, into p->lost. */
static void say_lost(struct pool *p, int status, int killed_here)
{
	if (status == -1)
		snprintf(p->lost, sizeof p->lost, "it could not be waited for");
	else if (WIFEXITED(status) && WEXITSTATUS(status) == POOL_EXIT_INIT)
		snprintf(p->lost, sizeof p->lost, "it could not start%s%s%s", p->ops->init_makes ? " (" : "",
			 p->ops->init_makes ? p->ops->init_makes : "", p->ops->init_makes ? ")" : "");
	else if (WIFEXITED(status))
		snprintf(p->lost, sizeof p->lost, "it exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && !(killed_here && WTERMSIG(status) == SIGKILL))
		snprintf(p->lost, sizeof p->lost, "it was killed by signal %d%s", WTERMSIG(status),
			 WTERMSIG(status) == SIGKILL ? " (SIGKILL: out of memory?)" : "");
	else
		snprintf(p->lost, sizeof p->lost, "it closed its pipe and was stopped");
}

const char *pool_lost(const struct pool *p)
{
	return p && p->lost[0] ? p->lost : "it ended";
}

struct pool *pool_start(int jobs, const struct pool_ops *ops, void *arg, struct diag *d)
{
	assert(ops && ops->init && ops->handle);
	/* a worker that died must not take the caller with it on the next
	 * write to its pipe: the write fails instead (EPIPE) */
	signal(SIGPIPE, SIG_IGN);
	if (jobs < 1)
		jobs = 1;
	if (jobs > POOL_MAX_JOBS)
		jobs = POOL_MAX_JOBS;
	struct pool *p = xcalloc(1, sizeof *p);
	p->w = xcalloc((size_t)jobs, sizeof *p->w);
	p->ops = ops;
	p->arg = arg;
	p->jobs = jobs;
	for (int j = 0; j < jobs; j++)
		p->w[j] = (struct proc){ .task_fd = -1, .result_fd = -1 };
	for (int j = 0; j < jobs; j++)
		if (spawn(p, j) < 0) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "cannot start a worker process");
			pool_stop(p, 1);
			return NULL;
		}
	return p;
}

/* One pool_run: its callbacks and how far it got. */
struct run {
	struct pool *p;
	size_t n, next, finished;
	char *(*make)(void *arg, size_t i, size_t *len);
	int (*done)(void *arg, size_t i, const char *msg, size_t len);
	void *arg;
	struct diag *d;
	char *held;               /* a task made but not yet handed out */
	size_t held_len, held_i;
	size_t *redo, n_redo;     /* tasks to hand out again: queued behind one a worker died with */
};

/* Hand out tasks, in index order (those to do again first), to the
 * workers that are free, then to those that may queue one more: a task
 * is queued behind another only when it fits the pipe's buffer, so the
 * write never waits for a busy worker (which may itself be waiting for
 * us to read its result). */
static void hand_out(struct run *r)
{
	struct pool *p = r->p;
	int queue = p->ops->queue < 1 ? 1 : p->ops->queue > POOL_MAX_QUEUE ? POOL_MAX_QUEUE : p->ops->queue;
	for (int held = 0; held < queue; held++)
		for (int j = 0; j < p->jobs; j++) {
			struct proc *x = &p->w[j];
			if (x->nq != held || x->task_fd < 0)
				continue;
			if (!r->held) {
				if (r->n_redo)
					r->held_i = r->redo[--r->n_redo];
				else if (r->next < r->n)
					r->held_i = r->next++;
				else
					return;
				r->held = r->make(r->arg, r->held_i, &r->held_len);
				assert(r->held);   /* make allocates with xalloc: never NULL (pool.h) */
			}
			/* behind the one it runs: the pipe holds those queued
			 * behind it, unread, and this one, or it waits for a free
			 * worker (the one it runs may be unread too: the worker
			 * reads it without waiting for anyone) */
			size_t on_pipe = r->held_len + sizeof(uint32_t);
			for (int k = 1; k < x->nq; k++)
				on_pipe += x->qlen[k];
			if (held && on_pipe > x->pipe_cap)
				continue;
			/* a worker that is gone: its result pipe says so in take_result */
			write_msg(x->task_fd, r->held, r->held_len);
			x->qlen[x->nq] = r->held_len + sizeof(uint32_t);
			free(r->held);
			r->held = NULL;
			x->q[x->nq++] = r->held_i;
		}
}

/* Read what worker j has to say (a result, or that it died: a new one then
 * takes its place, and its task is done without a result). Returns 0, or
 * -1 (d filled, or done stopped the run). */
static int take_result(struct run *r, int j)
{
	struct pool *p = r->p;
	struct proc *x = &p->w[j];
	char *msg;
	uint32_t len;
	int rd = read_msg(x->result_fd, &msg, &len);
	if (rd == -2) {
		diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
		return -1;
	}
	if (rd < 0) {
		/* a short read: the worker died (with the task it ran, if any),
		 * or is dying; one that still runs is killed, never waited for */
		int status = -1, killed = 0;
		pid_t w = 0;
		/* its end comes just after its pipe closes: a second at most,
		 * then it is taken to be stuck */
		for (int k = 0; k < 1000 && w == 0; k++) {
			while ((w = waitpid(x->pid, &status, WNOHANG)) < 0 && errno == EINTR)
				;
			if (w == 0)
				nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		}
		if (w == x->pid)
			x->pid = 0;   /* its own end: reaped */
		else
			killed = 1;
		/* the task it ran is lost; those queued behind it, never read,
		 * are handed out again */
		int nq = x->nq;
		size_t task = nq ? x->q[0] : 0;
		for (int k = nq - 1; k >= 1; k--)
			r->redo[r->n_redo++] = x->q[k];
		int st2 = reap(x, killed);
		say_lost(p, killed ? st2 : status, killed);
		if (spawn(p, j) < 0) {
			diag_add(r->d, D_INTERNAL, NULL, 0, 0, "cannot start a worker process");
			return -1;
		}
		if (nq) {
			r->finished++;
			if (r->done(r->arg, task, NULL, 0))
				return -1;
		}
		return 0;
	}
	if (!x->nq) {
		free(msg);
		diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker sent a result it had no task for");
		return -1;
	}
	size_t task = x->q[0];
	memmove(x->q, x->q + 1, (size_t)(x->nq - 1) * sizeof *x->q);
	memmove(x->qlen, x->qlen + 1, (size_t)(x->nq - 1) * sizeof *x->qlen);
	x->nq--;
	r->finished++;
	int rc = r->done(r->arg, task, msg, len) ? -1 : 0;
	free(msg);
	return rc;
}

int pool_run(struct pool *p, size_t n, char *(*make)(void *arg, size_t i, size_t *len),
	     int (*done)(void *arg, size_t i, const char *msg, size_t len),
	     void (*progress)(void *arg, size_t done, size_t n), void *arg, struct diag *d)
{
	struct pollfd *pf = xcalloc((size_t)p->jobs, sizeof *pf);
	struct run r = { p, n, 0, 0, make, done, arg, d, NULL, 0, 0, NULL, 0 };
	r.redo = xmalloc((size_t)p->jobs * POOL_MAX_QUEUE * sizeof *r.redo);
	int rc = 0;
	while (!rc && r.finished < n) {
		hand_out(&r);
		for (int j = 0; j < p->jobs; j++)
			pf[j] = (struct pollfd){ p->w[j].result_fd, POLLIN, 0 };
		if (poll(pf, (nfds_t)p->jobs, -1) < 0) {
			if (errno == EINTR)
				continue;
			diag_add(d, D_INTERNAL, NULL, 0, 0, "poll failed");
			rc = -1;
			break;
		}
		for (int j = 0; j < p->jobs && !rc; j++)
			if (pf[j].revents & (POLLIN | POLLHUP | POLLERR))
				rc = take_result(&r, j);
		if (progress)
			progress(arg, r.finished, n);
	}
	assert(rc || (r.finished == n && r.next == n && !r.held && !r.n_redo));
	free(r.held);
	free(r.redo);
	free(pf);
	if (rc) {
		/* a worker may still hold tasks of this run: start over */
		for (int j = 0; j < p->jobs; j++)
			if (p->w[j].nq) {
				reap(&p->w[j], 1);
				spawn(p, j);
			}
	}
	return rc;
}

void pool_stop(struct pool *p, int kill_them)
{
	if (!p)
		return;
	/* all tasks closed first: then every worker sees its end */
	for (int j = 0; j < p->jobs; j++) {
		if (p->w[j].task_fd >= 0)
			close(p->w[j].task_fd);
		p->w[j].task_fd = -1;
	}
	for (int j = 0; j < p->jobs; j++)
		reap(&p->w[j], kill_them);
	free(p->w);
	free(p);
}
