/* run.c: a caseload's run: each person solved alone in the person workers
 * (docs/batch.md); rounds.c then chooses one plan per person together. */
#include "internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dovetail/caseload.h"
#include "dovetail/fetch.h"
#include "dovetail/joint.h"
#include "dovetail/person.h"
#include "dovetail/pool.h"
#include "dovetail/profile.h"
#include "dovetail/report.h"
#include "dovetail/solver.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* ---- workers ---------------------------------------------------------------- */

static void *w_init(void *arg)
{
	const struct batch *b0 = arg;
	struct wstate *s = xcalloc(1, sizeof *s);
	struct diag d;
	diag_init(&d);
	if (file_scratch_make("dovetail-batch", s->dir, sizeof s->dir, &s->lock, &d) < 0) {
		diag_release(&d);
		free(s);
		return NULL;
	}
	char path[600];
	snprintf(path, sizeof path, "%s/feeds.db", s->dir);
	if (store_open(&s->st, path, 0, &d) < 0) {
		file_scratch_remove(s->dir, s->lock);
		diag_release(&d);
		free(s);
		return NULL;
	}
	diag_release(&d);
	s->b = *b0;
	if (chdir(b0->cl->dir) == 0)
		s->b.in_dir = 1;
	return s;
}

static void w_fini(void *state)
{
	struct wstate *s = state;
	store_close(s->st);
	file_scratch_remove(s->dir, s->lock);
	free(s);
}

static char *w_handle(void *state, const char *task, size_t len, size_t *out_len)
{
	struct wstate *s = state;
	if (task[0] == 'R') {
		/* "R index proven\nplan": the person's page */
		unsigned long idx;
		int proven;
		const char *nl = memchr(task, '\n', len);
		if (!nl || sscanf(task, "R %lu %d", &idx, &proven) != 2 || idx >= s->b.cl->n_persons)
			return NULL;
		return bt_draw_page(s, idx, proven, nl + 1, out_len);
	}
	char kind;
	unsigned long idx, n = 0;
	char stored[66];
	int used = 0;
	struct bk *extra = NULL;
	if (sscanf(task, "%c %lu %65s%n", &kind, &idx, stored, &used) != 3 || idx >= s->b.cl->n_persons)
		return NULL;
	if (kind == 'P') {
		n = strtoul(stored, NULL, 10);
		if (n > len)
			return NULL;   /* each booking takes more than a byte of the task */
		extra = xcalloc(n + 1, sizeof *extra);
		const char *p = task + used;
		_Static_assert(CL_KEY_MAX == 72, "the scan below reads at most CL_KEY_MAX - 1 bytes of a lane");
		for (size_t k = 0; k < n; k++) {
			long long a, e;
			int m = 0;
			if (sscanf(p, " %71[^\t]\t%lld\t%lld%n", extra[k].lane, &a, &e, &m) != 3) {
				free(extra);
				return NULL;
			}
			extra[k].start = a;
			extra[k].end = e;
			p += m;
		}
	}
	struct outcome o;
	bt_solve_person(&s->b, s->st, idx, kind == 'S' && strcmp(stored, "-") != 0 ? stored : NULL, extra, n,
		     kind == 'P', &o);
	free(extra);
	char *msg = bt_encode_outcome(&o, out_len);
	bt_outcome_release(&o);
	return msg;
}

/* many small tasks: each worker's next is queued while it works */
static const struct pool_ops person_ops = { w_init, w_handle, w_fini, "its scratch store under TMPDIR", POOL_MAX_QUEUE };

/* The person workers: one pool for the whole run, so that each worker's
 * feed store, imported once, serves every solve, pricing and page. */
struct pool *bt_person_pool(struct batch *b, struct diag *d)
{
	if (!b->pool)
		b->pool = pool_start(b->jobs < 1 ? 1 : b->jobs, &person_ops, b, d);
	return b->pool;
}

int bt_group_open(struct bt_group *g, struct store *st, struct diag *d)
{
	g->st = st;
	g->n = 0;
	g->open = store_group_begin(st, d) == 0;
	return g->open ? 0 : -1;
}

int bt_group_step(struct bt_group *g, struct diag *d)
{
	assert(g->open);
	if (++g->n < BATCH_GROUP)
		return 0;
	g->n = 0;
	g->open = 0;
	if (store_group_end(g->st, d) < 0)
		return -1;
	g->open = store_group_begin(g->st, d) == 0;
	return g->open ? 0 : -1;
}

int bt_group_close(struct bt_group *g, struct diag *d)
{
	if (!g->open)
		return 0;
	g->open = 0;
	return store_group_end(g->st, d);
}

void batch_init(struct batch *b)
{
	memset(b, 0, sizeof *b);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	b->jobs = cpus > 0 ? (int)cpus : 1;
	b->time_limit = 10;
	b->cap = BATCH_DEFAULT_CAP;
}

void batch_release(struct batch *b)
{
	pool_stop(b->pool, 0);
	b->pool = NULL;
}

/* After a failed run the workers may hold a task: start afresh next time. */
void bt_pool_failed(struct batch *b)
{
	pool_stop(b->pool, 1);
	b->pool = NULL;
}

/* ---- solving alone ------------------------------------------------------------ */

double bt_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void bt_draw(struct bar *br, size_t done, size_t total)
{
	double now = bt_mono();
	int final = done == total;
	if (!final && now - br->last < 0.2)
		return;
	br->last = now;
	double rate = now > br->t0 ? done / (now - br->t0) : 0;
	double eta = rate > 0 ? (total - done) / rate : 0;
	int width = 30, fill = total ? (int)(width * done / total) : width;
	fprintf(stderr, "\r[%.*s%.*s] %zu/%zu persons  %.1f/s  ETA %d:%02d ", fill,
		"##############################", width - fill, "..............................", done, total,
		rate, (int)eta / 60, (int)eta % 60);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Record person i's outcome: its row and columns, in one transaction. */
static int record(struct batch *b, size_t i, const struct outcome *o, struct diag *d)
{
	if (strcmp(o->status, "same") == 0)
		return 0;
	struct store_batch_person p = { b->cl->persons[i].id, o->digest, o->status,
					strcmp(o->status, "error") == 0 ? o->error : NULL, o->before, -1 };
	struct store_batch_column *c = xcalloc(o->n_col + 1, sizeof *c);
	const struct store_batch_booking **bp = xcalloc(o->n_col + 1, sizeof *bp);
	size_t *nb = xcalloc(o->n_col + 1, sizeof *nb);
	for (size_t k = 0; k < o->n_col; k++) {
		const struct col_out *x = &o->col[k];
		c[k] = (struct store_batch_column){ p.person, (int)k, x->origin, "", 0, x->impossible, x->compromise,
						    x->cost, x->proven, x->after, x->changes, x->appts, x->result,
						    x->plan };
		struct store_batch_booking *v = xcalloc(x->n_book + 1, sizeof *v);
		for (size_t j = 0; j < x->n_book; j++)
			v[j] = (struct store_batch_booking){ x->book[j].lane, x->book[j].start, x->book[j].end,
							     x->book[j].fixed };
		bp[k] = v;
		nb[k] = x->n_book;
	}
	int rc = store_batch_save_person(b->store, b->run, &p, c, o->n_col, bp, nb, d);
	for (size_t k = 0; k < o->n_col; k++)
		free((void *)bp[k]);
	free(c);
	free(bp);
	free(nb);
	return rc;
}

struct alone_run {
	struct batch *b;
	const size_t *todo;
	char **digest;            /* per caseload person: stored, or NULL */
	size_t n_done;
	struct bar bar;
	struct bt_group group;
	struct diag *d;
};

static char *alone_task(void *arg, size_t i, size_t *len)
{
	struct alone_run *r = arg;
	size_t p = r->todo[i];
	char *s = xasprintf("S %zu %s\n", p, r->digest[p] ? r->digest[p] : "-");
	*len = strlen(s);
	return s;
}

static int alone_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct alone_run *r = arg;
	size_t p = r->todo[i];
	struct outcome o;
	memset(&o, 0, sizeof o);
	char *copy = msg ? xmalloc(len + 1) : NULL;
	if (copy)
		memcpy(copy, msg, len + 1);
	if (!msg) {
		char why[160];
		snprintf(why, sizeof why, "the worker process solving it died: %s", pool_lost(r->b->pool));
		bt_outcome_fail(&o, why);
		snprintf(o.digest, sizeof o.digest, "-");
	} else if (bt_decode_outcome(copy, len, &o) < 0) {
		free(copy);
		bt_outcome_release(&o);
		diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
		return 1;
	}
	free(copy);
	int rc = record(r->b, p, &o, r->d);
	if (!rc && strcmp(o.status, "same") != 0)
		r->n_done++;
	if (!rc)
		rc = bt_group_step(&r->group, r->d);
	bt_outcome_release(&o);
	return rc != 0;
}

static void alone_progress(void *arg, size_t done, size_t n)
{
	struct alone_run *r = arg;
	if (r->b->progress)
		bt_draw(&r->bar, done, n);
}

static int collect_digest(const struct store_batch_person *r, void *arg)
{
	struct alone_run *a = arg;
	long i = caseload_person_index(a->b->cl, r->person);
	if (i >= 0 && !(a->digest[i] = xstrdup(r->digest)))
		return 1;
	return 0;
}

int batch_solve_alone(struct batch *b, const size_t *todo, size_t n, int resume, size_t *n_done, struct diag *d)
{
	*n_done = 0;
	const struct caseload *cl = b->cl;
	struct alone_run r = { b, todo, xcalloc(cl->n_persons + 1, sizeof(char *)), 0, { bt_mono(), 0 }, { 0 }, d };
	int rc = 0;
	if (resume && store_batch_each(b->store, b->run, NULL, collect_digest, &r, d) < 0)
		rc = -1;
	struct pool *p = NULL;
	if (!rc && n && !(p = bt_person_pool(b, d)))
		rc = -1;
	if (!rc && n) {
		rc = bt_group_open(&r.group, b->store, d);
		if (!rc)
			rc = pool_run(p, n, alone_task, alone_done, alone_progress, &r, d);
		if (bt_group_close(&r.group, d) < 0)
			rc = -1;
	}
	if (rc)
		bt_pool_failed(b);
	/* a resumed run that solved someone again (their inputs changed, or a
	 * kill left them unsolved): the plans priced before were priced around
	 * plans that may have changed, so the joint master prices afresh, as a
	 * run from scratch does (a kill while pricing solves no one again,
	 * and its plans are kept) */
	if (!rc && resume && r.n_done && store_batch_drop_priced(b->store, b->run, d) < 0)
		rc = -1;
	*n_done = r.n_done;
	for (size_t i = 0; i < cl->n_persons; i++)
		free(r.digest[i]);
	free(r.digest);
	return rc;
}

void batch_run_id(struct batch *b)
{
	char opts[128], hex[65];
	snprintf(opts, sizeof opts, "dovetail-batch/2 now=%lld limit=%d cap=%.6f", (long long)b->now, b->time_limit,
		 b->cap);
	struct hash_ctx *h = hash_new();
	if (h) {
		hash_update(h, opts, strlen(opts) + 1);
		hash_update(h, b->cl->digest, 64);
		hash_final_hex(h, hex);
		hash_free(h);
	} else {
		snprintf(hex, sizeof hex, "0000000000000000");
	}
	snprintf(b->run, sizeof b->run, "b-%.16s", hex);
}
