/* rounds.c: one plan per person chosen together: the persons' plans as the
 * joint master's columns, rounds of pricing new plans in the person
 * workers, the components' MIPs in workers, and the repair after the last
 * master (docs/batch.md). */
#include "internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/caseload.h"
#include "dovetail/joint.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* Lanes by key, interned: an open-addressing table. */
struct lanes {
	char **key;               /* by id */
	size_t n, cap_key;
	uint32_t *slot;           /* id + 1, or 0 */
	size_t cap;               /* 0 or a power of two */
};

static size_t key_hash(const char *k)
{
	uint64_t h = 1469598103934665603u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211u;
	return (size_t)h;
}

/* The id of key (added when new). */
static uint32_t lane_id(struct lanes *t, const char *key)
{
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		uint32_t *v = xcalloc(cap, sizeof *v);
		for (size_t i = 0; i < t->n; i++) {
			size_t j = key_hash(t->key[i]) & (cap - 1);
			while (v[j])
				j = (j + 1) & (cap - 1);
			v[j] = (uint32_t)i + 1;
		}
		free(t->slot);
		t->slot = v;
		t->cap = cap;
	}
	size_t j = key_hash(key) & (t->cap - 1);
	for (; t->slot[j]; j = (j + 1) & (t->cap - 1))
		if (strcmp(t->key[t->slot[j] - 1], key) == 0)
			return t->slot[j] - 1;
	assert(t->n < UINT32_MAX);
	*BUF_PUSH(t->key, t->n, t->cap_key) = xstrdup(key);
	t->slot[j] = (uint32_t)t->n;
	return (long)t->n - 1;
}

static void lanes_release(struct lanes *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->key[i]);
	free(t->key);
	free(t->slot);
	memset(t, 0, sizeof *t);
}

/* A person's plans in the master, as loaded and priced. */
struct jcol {
	int n;                    /* the store's n */
	int origin;               /* 0 alone, 1 booked, 2 priced */
	char basis[65];
	int round;                /* priced: the round that asked for it (it takes part from the next) */
	int impossible;
	double compromise, cost;
	struct jt_booking *book;
	size_t n_book, cap;
	int same_as;              /* priced: -1, or the n of an earlier plan of the person it repeats */
};

struct jperson {
	size_t index;             /* into cl->persons */
	struct jcol *col;
	size_t n_col, cap;
};

struct jstate {
	struct batch *b;
	struct lanes lanes;
	struct jperson *p;        /* planned persons, by id */
	size_t n, cap;
	long *of;                 /* cl person -> p index, or -1 */
	struct diag *d;
	/* the flat problem of a round */
	struct jt_column *cols;
	struct jt_booking *book;
	size_t *solo, *booked, *base;   /* base[i]: person i's first column */
	size_t *book_person;      /* per booking: its person */
	size_t n_cols, n_book;
	int flat_round;           /* the round the flat problem is of */
};

static int load_person(const struct store_batch_person *r, void *arg)
{
	struct jstate *s = arg;
	if (strcmp(r->status, "ok") != 0)
		return 0;
	long i = caseload_person_index(s->b->cl, r->person);
	if (i < 0)
		return 0;
	struct jperson *p = BUF_PUSH(s->p, s->n, s->cap);
	memset(p, 0, sizeof *p);
	p->index = (size_t)i;
	s->of[i] = (long)s->n - 1;
	return 0;
}

static int load_column(const struct store_batch_column *c, void *arg)
{
	struct jstate *s = arg;
	long i = caseload_person_index(s->b->cl, c->person);
	if (i < 0 || s->of[i] < 0)
		return 0;
	struct jperson *p = &s->p[s->of[i]];
	struct jcol *x = BUF_PUSH(p->col, p->n_col, p->cap);
	memset(x, 0, sizeof *x);
	x->n = c->n;
	x->origin = strcmp(c->origin, "alone") == 0 ? 0 : strcmp(c->origin, "booked") == 0 ? 1 : 2;
	snprintf(x->basis, sizeof x->basis, "%s", c->basis ? c->basis : "");
	x->round = c->round;
	x->impossible = c->impossible;
	x->compromise = c->compromise;
	x->cost = c->cost;
	x->same_as = -1;
	if (x->origin == 2 && c->plan && c->plan[0] == '=') {
		char *end;
		long m = strtol(c->plan + 1, &end, 10);
		if (*end || m < 0 || m >= c->n) {
			diag_add(s->d, D_INTERNAL, NULL, 0, 0, "a stored plan repeats no earlier plan");
			return -1;
		}
		x->same_as = (int)m;
	}
	return 0;
}

/* A stored plan that repeats an earlier one was stored without its
 * bookings: they are the earlier plan's. 0, or -1 with s->d filled. */
static int load_repeats(struct jstate *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct jperson *p = &s->p[i];
		for (size_t k = 0; k < p->n_col; k++) {
			struct jcol *x = &p->col[k], *o = NULL;
			if (x->same_as < 0)
				continue;
			for (size_t m = 0; m < p->n_col && !o; m++)
				if (p->col[m].n == x->same_as && p->col[m].same_as < 0)
					o = &p->col[m];
			if (!o || x->n_book) {
				diag_add(s->d, D_INTERNAL, NULL, 0, 0, "a stored plan repeats no earlier plan");
				return -1;
			}
			x->book = xmalloc((o->n_book + 1) * sizeof *x->book);
			memcpy(x->book, o->book, o->n_book * sizeof *x->book);
			x->n_book = x->cap = o->n_book;
		}
	}
	return 0;
}

static struct jcol *col_of(struct jstate *s, const char *person, int n)
{
	long i = caseload_person_index(s->b->cl, person);
	if (i < 0 || s->of[i] < 0)
		return NULL;
	struct jperson *p = &s->p[s->of[i]];
	for (size_t k = 0; k < p->n_col; k++)
		if (p->col[k].n == n)
			return &p->col[k];
	return NULL;
}

static void add_booking(struct jstate *s, struct jcol *x, const char *lane, int64_t start, int64_t end, int fixed)
{
	*BUF_PUSH(x->book, x->n_book, x->cap) = (struct jt_booking){
		lane_id(&s->lanes, lane), start, end, fixed,
		strncmp(lane, CL_CARER_PREFIX, strlen(CL_CARER_PREFIX)) == 0
	};
}

static int load_booking(const char *person, int n, const struct store_batch_booking *bk, void *arg)
{
	struct jstate *s = arg;
	struct jcol *x = col_of(s, person, n);
	if (x)
		add_booking(s, x, bk->lane, bk->start, bk->end, bk->fixed);
	return 0;
}

/* Frees the flat problem of the last round. */
static void flat_release(struct jstate *s)
{
	free(s->cols);
	free(s->book);
	free(s->solo);
	free(s->booked);
	free(s->base);
	free(s->book_person);
}

/* Whether column x takes part in round's master: a priced one from the
 * round after the one that asked for it. */
static int takes_part(const struct jcol *x, int round)
{
	return x->origin != 2 || x->round < round;
}

/* The flat arrays of round's problem, from the persons' plans: 0, or -1
 * when a stored person lacks its plan alone or as booked. */
static int flatten(struct jstate *s, int round, struct jt_problem *pr, double cap, double limit)
{
	flat_release(s);
	s->flat_round = round;
	size_t nc = 0, nb = 0;
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < s->p[i].n_col; k++)
			if (takes_part(&s->p[i].col[k], round)) {
				nc++;
				nb += s->p[i].col[k].n_book;
			}
	s->cols = xmalloc((nc + 1) * sizeof *s->cols);
	s->book = xmalloc((nb + 1) * sizeof *s->book);
	s->solo = xmalloc((s->n + 1) * sizeof *s->solo);
	s->booked = xmalloc((s->n + 1) * sizeof *s->booked);
	s->base = xmalloc((s->n + 1) * sizeof *s->base);
	s->book_person = xmalloc((nb + 1) * sizeof *s->book_person);
	s->n_cols = s->n_book = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct jperson *p = &s->p[i];
		s->solo[i] = s->booked[i] = SIZE_MAX;
		s->base[i] = s->n_cols;
		for (size_t k = 0; k < p->n_col; k++) {
			const struct jcol *x = &p->col[k];
			if (!takes_part(x, round))
				continue;
			if (x->origin == 0 && s->solo[i] == SIZE_MAX)
				s->solo[i] = s->n_cols;
			if (x->origin == 1)
				s->booked[i] = s->n_cols;
			s->cols[s->n_cols++] = (struct jt_column){ i, x->impossible, x->compromise, x->cost, s->n_book,
								   x->n_book };
			if (x->n_book)
				memcpy(&s->book[s->n_book], x->book, x->n_book * sizeof *x->book);
			for (size_t m = 0; m < x->n_book; m++)
				s->book_person[s->n_book + m] = i;
			s->n_book += x->n_book;
		}
		/* every person solved alone has both; a store that lacks one is
		 * not this version's */
		if (s->solo[i] == SIZE_MAX || s->booked[i] == SIZE_MAX)
			return -1;
	}
	*pr = (struct jt_problem){ s->n, s->solo, s->booked, s->cols, s->n_cols, s->book, s->n_book, cap, limit, 0, 0,
				   s->b->jobs };
	return 0;
}

/* Person i's plan k (into s->p[i].col) as a column of the flat problem,
 * which it must take part in; and back. */
static size_t flat_of(const struct jstate *s, size_t i, size_t k)
{
	const struct jperson *p = &s->p[i];
	assert(k < p->n_col && takes_part(&p->col[k], s->flat_round));
	size_t j = s->base[i];
	for (size_t m = 0; m < k; m++)
		j += takes_part(&p->col[m], s->flat_round);
	return j;
}

static size_t plan_of(const struct jstate *s, size_t i, size_t j)
{
	const struct jperson *p = &s->p[i];
	size_t want = j - s->base[i], seen = 0;
	for (size_t k = 0; k < p->n_col; k++)
		if (takes_part(&p->col[k], s->flat_round) && seen++ == want)
			return k;
	assert(0 && "a column of the flat problem is one of its person's plans");
	return 0;
}

/* A pricing task: person p, around the chosen bookings of everyone else on the lanes p uses. */
struct price {
	size_t person;            /* index into s->p */
	struct bk *extra;
	size_t n_extra;
	char basis[65];
};

static int by_bk(const void *a, const void *b)
{
	const struct bk *x = a, *y = b;
	int c = strcmp(x->lane, y->lane);
	if (c)
		return c;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

struct price_run {
	struct jstate *s;
	int round;
	struct price *v;
	size_t n;
	int *next_n;              /* per price: the store's n of the new plan */
	struct bt_group group;
};

static char *price_task(void *arg, size_t i, size_t *len)
{
	struct price_run *r = arg;
	const struct price *x = &r->v[i];
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		xalloc_die();   /* a memory stream fails only out of memory */
	fprintf(f, "P %zu %zu\n", r->s->p[x->person].index, x->n_extra);
	for (size_t k = 0; k < x->n_extra; k++)
		fprintf(f, "%s\t%lld\t%lld\n", x->extra[k].lane, (long long)x->extra[k].start,
			(long long)x->extra[k].end);
	if (fclose(f) != 0)
		xalloc_die();
	return buf;
}

static int by_booking(const void *a, const void *b)
{
	const struct jt_booking *x = a, *y = b;
	if (x->lane != y->lane)
		return x->lane < y->lane ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return (x->fixed > y->fixed) - (x->fixed < y->fixed);
}

/* Whether plan b repeats plan a, not itself a repeat: the same tiers and
 * the same bookings, in any order. */
static int same_plan(const struct jcol *a, const struct jcol *b)
{
	if (a->same_as >= 0 || a->impossible != b->impossible || a->compromise != b->compromise ||
	    a->cost != b->cost || a->n_book != b->n_book)
		return 0;
	if (!a->n_book)
		return 1;
	struct jt_booking *x = xmalloc(2 * a->n_book * sizeof *x), *y = x + a->n_book;
	memcpy(x, a->book, a->n_book * sizeof *x);
	memcpy(y, b->book, b->n_book * sizeof *y);
	qsort(x, a->n_book, sizeof *x, by_booking);
	qsort(y, b->n_book, sizeof *y, by_booking);
	int same = 1;
	for (size_t k = 0; k < a->n_book && same; k++)
		same = by_booking(&x[k], &y[k]) == 0 && x[k].carer == y[k].carer;
	free(x);
	return same;
}

static int price_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct price_run *r = arg;
	struct jstate *s = r->s;
	const struct price *x = &r->v[i];
	struct jperson *p = &s->p[x->person];
	struct outcome o;
	memset(&o, 0, sizeof o);
	char *copy = msg ? xmalloc(len + 1) : NULL;
	if (copy)
		memcpy(copy, msg, len + 1);
	if (!copy || bt_decode_outcome(copy, len, &o) < 0) {
		free(copy);
		bt_outcome_release(&o);
		/* a worker that died or spoke nonsense: no new plan for it (the
		 * master keeps the plans it has; this is not a result) */
		if (msg)
			diag_add(s->d, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
		return msg != NULL;
	}
	free(copy);
	int rc = 0;
	if (strcmp(o.status, "ok") == 0 && o.n_col == 1) {
		const struct col_out *c = &o.col[0];
		const char *id = s->b->cl->persons[p->index].id;
		struct jcol j = { .n = r->next_n[i], .origin = 2, .round = r->round, .impossible = c->impossible,
				  .compromise = c->compromise, .cost = c->cost, .same_as = -1 };
		snprintf(j.basis, sizeof j.basis, "%s", x->basis);
		for (size_t k = 0; k < c->n_book; k++)
			add_booking(s, &j, c->book[k].lane, c->book[k].start, c->book[k].end, c->book[k].fixed);
		/* a plan the person had before this run of tasks is stored as
		 * a pointer to it ("=n", without its bookings): more than half
		 * of the priced plans repeat one (docs/batch.md, "Crash
		 * safety"). Not one from this run: they come back in any
		 * order, and what is stored must not depend on it */
		size_t first = i;   /* the person's first task: its plans from before this run are below its n */
		while (first && r->v[first - 1].person == x->person)
			first--;
		for (size_t k = 0; k < p->n_col && j.same_as < 0; k++)
			if (p->col[k].n < r->next_n[first] && same_plan(&p->col[k], &j))
				j.same_as = p->col[k].n;
		char same[24];
		snprintf(same, sizeof same, "=%d", j.same_as);
		struct store_batch_column sc = { id, j.n, "priced", x->basis, r->round, c->impossible, c->compromise,
						 c->cost, c->proven, c->after, c->changes, c->appts,
						 j.same_as < 0 ? c->result : "", j.same_as < 0 ? c->plan : same };
		size_t nb = j.same_as < 0 ? c->n_book : 0;
		struct store_batch_booking *v = xcalloc(nb + 1, sizeof *v);
		for (size_t k = 0; k < nb; k++)
			v[k] = (struct store_batch_booking){ c->book[k].lane, c->book[k].start, c->book[k].end,
							     c->book[k].fixed };
		rc = store_batch_save_column(s->b->store, s->b->run, &sc, v, nb, s->d);
		free(v);
		if (rc == 0) {
			*BUF_PUSH(p->col, p->n_col, p->cap) = j;
			rc = bt_group_step(&r->group, s->d);
		} else {
			free(j.book);
		}
	}
	bt_outcome_release(&o);
	return rc != 0;
}

/* Pricing for a component's MIPs runs in workers too: see joint_in_workers. */
struct comp_run {
	const struct jt_problem *pr;
	const struct jt_components *c;
	const size_t *todo;       /* components */
	size_t *choice;
	struct diag *d;
	int optimal;
};

static void *c_init(void *arg)
{
	return arg;
}

static char *c_handle(void *state, const char *task, size_t len, size_t *out_len)
{
	struct comp_run *r = state;
	(void)len;
	size_t k = strtoul(task, NULL, 10);
	unsigned char *only = xcalloc(r->c->n + 1, 1);
	struct jt_solution s = { r->choice, 1, 0, 0 };
	struct diag d;
	diag_init(&d);
	if (!only)
		return NULL;
	only[k] = 1;
	int rc = joint_solve(r->pr, r->c, only, &s, &d);
	free(only);
	diag_release(&d);
	if (rc < 0)
		return NULL;
	/* the component's choices: "optimal\nperson column\n..." */
	char *buf = NULL;
	FILE *f = open_memstream(&buf, out_len);
	if (!f)
		return NULL;
	fprintf(f, "%d\n", s.optimal);
	for (size_t i = 0; i < r->pr->n_persons; i++)
		if (r->c->comp[i] == k)
			fprintf(f, "%zu %zu\n", i, s.choice[i]);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* few tasks, the largest first: none queued behind a large one */
static const struct pool_ops comp_ops = { c_init, c_handle, NULL, NULL, 1 };

static char *comp_task(void *arg, size_t i, size_t *len)
{
	struct comp_run *r = arg;
	char *s = xasprintf("%zu\n", r->todo[i]);
	*len = strlen(s);
	return s;
}

static int comp_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct comp_run *r = arg;
	(void)i;
	(void)len;
	if (!msg) {
		diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker solving the caseload's master died");
		return 1;
	}
	const char *p = msg;
	char *end;
	r->optimal &= (int)strtol(p, &end, 10);
	p = end;
	for (;;) {
		size_t a = strtoul(p, &end, 10);
		if (end == p)
			break;
		p = end;
		size_t b = strtoul(p, &end, 10);
		if (end == p || a >= r->pr->n_persons || b >= r->pr->n_cols || r->pr->cols[b].person != a) {
			diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
			return 1;
		}
		p = end;
		r->choice[a] = b;
	}
	return 0;
}

struct comp_size {
	size_t persons, k;
};

static int by_size(const void *a, const void *b)
{
	const struct comp_size *x = a, *y = b;
	if (x->persons != y->persons)
		return x->persons > y->persons ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* The components to solve, largest first, so that the workers are not
 * left waiting on one large component started last. Each component's
 * answer is its own: the order changes the time, not the result. */
static void largest_first(const struct jt_problem *pr, const struct jt_components *c, size_t *todo, size_t n)
{
	size_t *size = xcalloc(c->n + 1, sizeof *size);
	for (size_t i = 0; i < pr->n_persons; i++)
		size[c->comp[i]]++;
	struct comp_size *v = xmalloc((n + 1) * sizeof *v);
	for (size_t a = 0; a < n; a++)
		v[a] = (struct comp_size){ size[todo[a]], todo[a] };
	qsort(v, n, sizeof *v, by_size);
	for (size_t a = 0; a < n; a++)
		todo[a] = v[a].k;
	free(v);
	free(size);
}

/* Solve every component: those whose solo plans do not clash at once, the
 * rest each in a worker (forked now, so it sees this round's columns). */
static int solve_round(struct batch *b, const struct jt_problem *pr, const struct jt_components *c,
		       struct jt_solution *sol, struct diag *d)
{
	/* which components need their MIP: the same test joint_solve makes */
	unsigned char *clash = xcalloc(c->n + 1, 1);
	size_t *todo = xmalloc((c->n + 1) * sizeof *todo), n = 0;
	for (size_t i = 0; i < pr->n_persons; i++)
		if (!c->fixed[i])
			clash[c->comp[i]] = 1;
	for (size_t k = 0; k < c->n; k++)
		if (clash[k])
			todo[n++] = k;
	largest_first(pr, c, todo, n);
	/* the easy ones here */
	unsigned char *easy = xcalloc(c->n + 1, 1);
	int rc = 0;
	for (size_t k = 0; k < c->n; k++)
		easy[k] = !clash[k];
	free(sol->choice);
	memset(sol, 0, sizeof *sol);
	sol->choice = xmalloc((pr->n_persons + 1) * sizeof *sol->choice);
	/* every choice starts as the week as booked (a worker's answer
	 * replaces its component's) */
	for (size_t i = 0; i < pr->n_persons; i++)
		sol->choice[i] = pr->booked[i];
	rc = joint_solve(pr, c, easy, sol, d);
	free(easy);
	sol->mips = n;
	if (!rc && n) {
		struct comp_run r = { pr, c, todo, sol->choice, d, 1 };
		int jobs = b->jobs < 1 ? 1 : b->jobs;
		if ((size_t)jobs > n)
			jobs = (int)n;
		struct pool *p = pool_start(jobs, &comp_ops, &r, d);
		rc = p ? pool_run(p, n, comp_task, comp_done, NULL, &r, d) : -1;
		pool_stop(p, rc != 0);
		sol->optimal &= r.optimal;
	}
	sol->over_cap = 0;
	for (size_t i = 0; !rc && i < pr->n_persons; i++)
		sol->over_cap += !joint_within_cap(pr, sol->choice[i]);
	free(clash);
	free(todo);
	return rc;
}

/* What a person holds in a round's pricing, on the lanes it uses: its
 * chosen plan's bookings, or, while its choice is outside the cap, its
 * plan alone (so that those in its way are priced around it). */
struct hold {
	const struct jt_booking *book;
	size_t n;
};

/* A lane's bookings as held: at[first[l] .. first[l + 1]). */
struct held_lanes {
	size_t *first;
	const struct jt_booking **at;
	size_t *owner;            /* per at: its person */
};

static void held_index(const struct jstate *s, const struct hold *h, size_t np, struct held_lanes *x)
{
	size_t nl = s->lanes.n, nb = 0;
	free(x->first);
	free(x->at);
	free(x->owner);
	x->first = xcalloc(nl + 2, sizeof *x->first);
	for (size_t i = 0; i < np; i++) {
		for (size_t k = 0; k < h[i].n; k++) {
			assert(h[i].book[k].lane < nl);
			x->first[h[i].book[k].lane + 1]++;
		}
		nb += h[i].n;
	}
	for (size_t l = 0; l < nl; l++)
		x->first[l + 1] += x->first[l];
	x->at = xmalloc((nb + 1) * sizeof *x->at);
	x->owner = xmalloc((nb + 1) * sizeof *x->owner);
	size_t *fill = xcalloc(nl + 1, sizeof *fill);
	for (size_t i = 0; i < np; i++)
		for (size_t k = 0; k < h[i].n; k++) {
			uint32_t l = h[i].book[k].lane;
			size_t at = x->first[l] + fill[l]++;
			x->at[at] = &h[i].book[k];
			x->owner[at] = i;
		}
	free(fill);
}

/* x->basis: the digest of the bookings x is priced around (sorted). */
static void basis_of(struct price *x)
{
	struct hash_ctx *h = hash_new();
	if (!h)
		xalloc_die();
	for (size_t k = 0; k < x->n_extra; k++) {
		hash_update(h, x->extra[k].lane, strlen(x->extra[k].lane) + 1);
		hash_update(h, &x->extra[k].start, sizeof x->extra[k].start);
		hash_update(h, &x->extra[k].end, sizeof x->extra[k].end);
	}
	hash_final_hex(h, x->basis);
	hash_free(h);
}

/* Person i's pricing task: everyone else's held bookings on the lanes of
 * i's plan alone, sorted, and their digest (the basis). */
static void price_of(const struct jstate *s, const struct jt_problem *pr, const struct held_lanes *x, size_t i,
		     unsigned char *seen, struct price *out)
{
	*out = (struct price){ i, NULL, 0, "" };
	size_t cap = 0;
	const struct jt_column *solo = &pr->cols[pr->solo[i]];
	memset(seen, 0, s->lanes.n + 1);
	for (size_t k = 0; k < solo->n; k++) {
		uint32_t l = pr->book[solo->first + k].lane;
		if (seen[l]++)
			continue;
		for (size_t m = x->first[l]; m < x->first[l + 1]; m++) {
			const struct jt_booking *bk = x->at[m];
			if (x->owner[m] == i || bk->end <= bk->start)
				continue;
			struct bk *e = BUF_PUSH(out->extra, out->n_extra, cap);
			if (!e)
				xalloc_die();
			*e = (struct bk){ .start = bk->start, .end = bk->end, .fixed = bk->fixed };
			snprintf(e->lane, sizeof e->lane, "%s", s->lanes.key[l]);
		}
	}
	if (out->n_extra)
		qsort(out->extra, out->n_extra, sizeof *out->extra, by_bk);
	basis_of(out);
}

/* Which persons a round prices: those worse off than alone, siblings who
 * both need the parent at once, and those in the way of a plan alone
 * outside the cap; and what each holds meanwhile. */
static void wanted(const struct jt_problem *pr, const struct jt_components *comps, const struct jt_solution *sol,
		   unsigned char *want, struct hold *h)
{
	size_t *target = xmalloc((pr->n_persons + 1) * sizeof *target);
	for (size_t i = 0; i < pr->n_persons; i++) {
		int over = !joint_within_cap(pr, sol->choice[i]);
		target[i] = over ? pr->solo[i] : sol->choice[i];
		const struct jt_column *c = &pr->cols[target[i]];
		h[i] = (struct hold){ &pr->book[c->first], c->n };
		c = &pr->cols[sol->choice[i]];
		const struct jt_column *o = &pr->cols[pr->solo[i]];
		want[i] |= c->impossible > o->impossible || c->compromise > o->compromise + 1e-6 ||
			   c->cost > o->cost + 1e-6;
	}
	for (size_t i = 0; i < comps->n_pairs; i++) {
		size_t x = comps->pairs[i].a, y = comps->pairs[i].b;
		size_t px = pr->cols[x].person, py = pr->cols[y].person;
		if (comps->pairs[i].soft && sol->choice[px] == x && sol->choice[py] == y)
			want[px] = want[py] = 1;
		if (target[px] == x && target[px] != sol->choice[px] && sol->choice[py] == y)
			want[py] = 1;
		if (target[py] == y && target[py] != sol->choice[py] && sol->choice[px] == x)
			want[px] = 1;
	}
	free(target);
}

static int by_n(const void *a, const void *b)
{
	const struct jcol *x = a, *y = b;
	return (x->n > y->n) - (x->n < y->n);
}

/* p's plan priced on basis, or NULL. */
static const struct jcol *priced_on(const struct jperson *p, const char *basis)
{
	for (size_t k = 0; k < p->n_col; k++)
		if (p->col[k].origin == 2 && strcmp(p->col[k].basis, basis) == 0)
			return &p->col[k];
	return NULL;
}

/* Solve the tasks v[0 .. n) in the workers, storing each new plan as one
 * of round `round`; frees each task's bookings. Returns 0, or -1 with d
 * filled. */
static int price_tasks(struct jstate *s, int round, struct price *v, size_t n, struct diag *d)
{
	if (!n)
		return 0;
	int *next_n = xcalloc(n + 1, sizeof *next_n);
	for (size_t a = 0; a < n; a++) {
		const struct jperson *p = &s->p[v[a].person];
		if (a && v[a - 1].person == v[a].person) {
			next_n[a] = next_n[a - 1] + 1;   /* a person's tasks come together */
			continue;
		}
		for (size_t k = 0; k < p->n_col; k++)
			if (p->col[k].n + 1 > next_n[a])
				next_n[a] = p->col[k].n + 1;
	}
	int rc = 0;
	struct price_run r = { s, round, v, n, next_n, { 0 } };
	struct pool *p = bt_person_pool(s->b, d);
	if (!p || bt_group_open(&r.group, s->b->store, d) < 0 || pool_run(p, n, price_task, price_done, NULL, &r, d) < 0)
		rc = -1;
	if (bt_group_close(&r.group, d) < 0)
		rc = -1;
	if (rc)
		bt_pool_failed(s->b);
	/* the results came back in any order: each person's plans in the
	 * store's order again (as a resume loads them), so that the masters
	 * see the same columns in the same order whatever the workers did */
	for (size_t a = 0; a < n; a++) {
		struct jperson *jp = &s->p[v[a].person];
		if (!a || v[a - 1].person != v[a].person)
			qsort(jp->col, jp->n_col, sizeof *jp->col, by_n);
		free(v[a].extra);
	}
	free(next_n);
	return rc;
}

/*
 * Price each wanted person (want[i]) around everyone else's held bookings
 * (h) on its lanes, all at once in the workers, as plans of round `round`:
 * unless it has `tries` priced plans from earlier rounds already, or a plan
 * priced on the same basis (*pending counts those this round priced before
 * a kill: stored, they take part from the next round, which must come).
 * basis, when not NULL, gets each wanted person's basis ("" for the
 * others). *priced: the plans priced now. Returns 0, or -1 with d filled.
 */
static int price_around(struct jstate *s, int round, const struct jt_problem *pr, const struct hold *h,
			const unsigned char *want, size_t tries, char (*basis)[65], size_t *priced, size_t *pending,
			struct diag *d)
{
	size_t np = pr->n_persons;
	*priced = *pending = 0;
	unsigned char *seen = xcalloc(s->lanes.n + 1, 1);
	struct held_lanes x = { NULL, NULL, NULL };
	held_index(s, h, np, &x);
	struct price *v = xmalloc((np + 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < np; i++) {
		const struct jperson *p = &s->p[i];
		size_t done = 0;   /* by earlier rounds: what this one made before a kill does not count */
		for (size_t k = 0; k < p->n_col; k++)
			done += p->col[k].origin == 2 && p->col[k].round < round;
		if (basis)
			basis[i][0] = 0;
		if (!want[i] || done >= tries)
			continue;
		struct price t;
		price_of(s, pr, &x, i, seen, &t);
		if (basis)
			memcpy(basis[i], t.basis, sizeof basis[i]);
		const struct jcol *known = priced_on(p, t.basis);
		if (known)
			*pending += known->round >= round;
		if (known || p->n_col >= JOINT_MAX_COLUMNS) {
			free(t.extra);
			continue;
		}
		v[n++] = t;
	}
	int rc = price_tasks(s, round, v, n, d);
	*priced = n;
	free(x.first);
	free(x.at);
	free(x.owner);
	free(v);
	free(seen);
	return rc;
}

/* One round's pricing: each wanted person off its plan alone, around the
 * others' held bookings on its lanes (all priced at once, in the
 * workers), unless priced on that basis before. *priced: plans priced
 * now; *pending: plans this round priced before a kill (they take part
 * from the next round, which must come).
 *
 * Tried and measured worse (1,000 persons: compromise 995.5 against
 * 969.5, 21 persons outside the cap against 16): pricing in waves of
 * persons who share no lane, each wave around what the waves before it
 * made (Gauss-Seidel). Plans priced around plans the master then does not
 * choose keep clear of slots that end up free. */
static int price_round(struct jstate *s, int round, const struct jt_problem *pr, const struct jt_components *comps,
		       const struct jt_solution *sol, size_t *priced, size_t *pending, struct diag *d)
{
	size_t np = pr->n_persons;
	unsigned char *want = xcalloc(np + 1, 1);
	struct hold *h = xmalloc((np + 1) * sizeof *h);
	wanted(pr, comps, sol, want, h);
	int rc = price_around(s, round, pr, h, want, BATCH_PRICINGS, NULL, priced, pending, d);
	free(h);
	free(want);
	return rc;
}

/* Column a's tiers lexicographically below column b's. */
static int tiers_below(const struct jt_column *a, const struct jt_column *b)
{
	if (a->impossible != b->impossible)
		return a->impossible < b->impossible;
	if (fabs(a->compromise - b->compromise) > 1e-6)
		return a->compromise < b->compromise;
	return a->cost < b->cost - 1e-6;
}

/* A person worse off than alone, and by how much (tier by tier). */
struct loss {
	size_t person;
	int impossible;
	double compromise, cost;
};

static struct loss loss_of(const struct jt_problem *pr, const struct jt_solution *sol, size_t i)
{
	const struct jt_column *c = &pr->cols[sol->choice[i]], *o = &pr->cols[pr->solo[i]];
	return (struct loss){ i, c->impossible - o->impossible, c->compromise - o->compromise, c->cost - o->cost };
}

/* the most worse off first; then the caseload's order */
static int loss_cmp(const void *x, const void *y)
{
	const struct loss *a = x, *b = y;
	if (a->impossible != b->impossible)
		return a->impossible > b->impossible ? -1 : 1;
	if (fabs(a->compromise - b->compromise) > 1e-6)
		return a->compromise > b->compromise ? -1 : 1;
	if (fabs(a->cost - b->cost) > 1e-6)
		return a->cost > b->cost ? -1 : 1;
	return (a->person > b->person) - (a->person < b->person);
}

/* Price each person worse off than alone around everyone else's chosen
 * bookings (a basis priced before, as before a kill, is not priced again);
 * basis[i] gets the digest each was priced on ("" for the others),
 * *priced how many were priced now. Returns how many are priced now or
 * were before, or -1 with d filled. */
static long repair_price(struct jstate *s, int round, const struct jt_problem *pr, const struct jt_solution *sol,
			 char (*basis)[65], size_t *priced, struct diag *d)
{
	size_t np = pr->n_persons, pending;
	unsigned char *want = xcalloc(np + 1, 1);
	struct hold *h = xmalloc((np + 1) * sizeof *h);
	long asked = 0;
	for (size_t i = 0; i < np; i++) {
		const struct jt_column *c = &pr->cols[sol->choice[i]];
		h[i] = (struct hold){ &pr->book[c->first], c->n };
		want[i] = tiers_below(&pr->cols[pr->solo[i]], c);
		asked += want[i];
	}
	if (price_around(s, round, pr, h, want, SIZE_MAX, basis, priced, &pending, d) < 0)
		asked = -1;
	free(h);
	free(want);
	return asked;
}

/* The choice of person q while a move is weighed: its new column, none
 * while it is still to move (a blocker not yet placed), else its choice. */
static size_t tentative(const struct jt_solution *sol, const size_t *newc, const unsigned char *moving, size_t q)
{
	if (newc[q] != SIZE_MAX)
		return newc[q];
	return moving[q] ? SIZE_MAX : sol->choice[q];
}

/* Whether column c conflicts with a choice as weighed. */
static int clashes(const struct jt_problem *pr, const size_t *first, const size_t *adj, const struct jt_solution *sol,
		   const size_t *newc, const unsigned char *moving, size_t c)
{
	for (size_t a = first[c]; a < first[c + 1]; a++)
		if (tentative(sol, newc, moving, pr->cols[adj[a]].person) == adj[a])
			return 1;
	return 0;
}

/*
 * Room for the persons outside the cap, the most worse off first: for
 * each, the first of its plans within the cap whose blockers (the persons
 * whose choices conflict with it) can each move to their best other plan
 * within the cap that conflicts with no one's choice as it would then be;
 * then all of them move. The persons outside the cap fall by one each
 * time, and no one moved leaves the cap. A plan within the cap has its
 * person's impossibilities and compromise alone (the least there are), so
 * the caseload's tiers 1 and 2 never rise; a blocker's cost may, by no
 * more than the cap.
 */
static void make_room(struct jstate *s, const struct jt_problem *pr, const size_t *first, const size_t *adj,
		      struct jt_solution *sol)
{
	size_t np = pr->n_persons;
	size_t *newc = xmalloc((np + 1) * sizeof *newc), *blk = xmalloc((np + 1) * sizeof *blk);
	unsigned char *moving = xcalloc(np + 1, 1);
	struct loss *order = xmalloc((np + 1) * sizeof *order);
	size_t no = 0;
	for (size_t i = 0; i < np; i++) {
		newc[i] = SIZE_MAX;
		if (!joint_within_cap(pr, sol->choice[i]))
			order[no++] = loss_of(pr, sol, i);
	}
	qsort(order, no, sizeof *order, loss_cmp);
	for (size_t q0 = 0; q0 < no; q0++) {
		size_t i = order[q0].person;
		if (joint_within_cap(pr, sol->choice[i]))
			continue;   /* a blocker brought inside on the way */
		const struct jperson *p = &s->p[i];
		int done = 0;
		for (size_t k = 0; k < p->n_col && !done; k++) {
			if (!takes_part(&p->col[k], s->flat_round))
				continue;
			size_t y = flat_of(s, i, k);
			if (!joint_within_cap(pr, y))
				continue;
			size_t nb = 0;
			for (size_t a = first[y]; a < first[y + 1]; a++) {
				size_t q = pr->cols[adj[a]].person;
				if (q != i && sol->choice[q] == adj[a] && !moving[q]) {
					moving[q] = 1;
					blk[nb++] = q;
				}
			}
			newc[i] = y;
			moving[i] = 1;
			int ok = 1;
			for (size_t b = 0; b < nb && ok; b++) {
				size_t q = blk[b], best = SIZE_MAX;
				const struct jperson *pq = &s->p[q];
				for (size_t m = 0; m < pq->n_col; m++) {
					if (!takes_part(&pq->col[m], s->flat_round))
						continue;
					size_t z = flat_of(s, q, m);
					if (z == sol->choice[q] || !joint_within_cap(pr, z) ||
					    clashes(pr, first, adj, sol, newc, moving, z))
						continue;
					if (best == SIZE_MAX || tiers_below(&pr->cols[z], &pr->cols[best]))
						best = z;
				}
				if (best == SIZE_MAX)
					ok = 0;
				else
					newc[q] = best;
			}
			if (ok) {
				sol->choice[i] = y;
				for (size_t b = 0; b < nb; b++) {
					sol->choice[blk[b]] = newc[blk[b]];
					assert(joint_within_cap(pr, sol->choice[blk[b]]));
				}
				done = 1;
			}
			newc[i] = SIZE_MAX;
			moving[i] = 0;
			for (size_t b = 0; b < nb; b++) {
				newc[blk[b]] = SIZE_MAX;
				moving[blk[b]] = 0;
			}
		}
	}
	free(order);
	free(newc);
	free(blk);
	free(moving);
}

/* The room pricing of a wave, after make_room(): for each person still
 * outside the cap, its target is its plan within the cap with the fewest
 * persons in the way (their choices conflict with it; the plan alone on a
 * tie); each person in the way of a target is priced around everyone's
 * choices, those outside the cap holding their targets: a plan that would
 * leave them room, for the next make_room(). (As the rounds price those
 * in the way of plans alone, wanted(); these are the persons the masters
 * and the repair left outside.) *priced: the plans priced now. Returns 0,
 * or -1 with d filled. */
static int room_price(struct jstate *s, int round, const struct jt_problem *pr, const size_t *first,
		      const size_t *adj, const struct jt_solution *sol, size_t *priced, struct diag *d)
{
	size_t np = pr->n_persons, pending, n = 0;
	unsigned char *want = xcalloc(np + 1, 1);
	struct hold *h = xmalloc((np + 1) * sizeof *h);
	size_t *target = xmalloc((np + 1) * sizeof *target);
	for (size_t i = 0; i < np; i++) {
		target[i] = sol->choice[i];
		if (joint_within_cap(pr, sol->choice[i]))
			continue;
		/* its plan within the cap with the fewest in the way (the plan
		 * alone on a tie) */
		size_t fewest = SIZE_MAX;
		const struct jperson *p = &s->p[i];
		for (size_t k = 0; k < p->n_col; k++) {
			if (!takes_part(&p->col[k], s->flat_round))
				continue;
			size_t z = flat_of(s, i, k), in_way = 0;
			if (!joint_within_cap(pr, z))
				continue;
			for (size_t a = first[z]; a < first[z + 1]; a++)
				in_way += sol->choice[pr->cols[adj[a]].person] == adj[a];
			if (in_way < fewest || (in_way == fewest && z == pr->solo[i])) {
				fewest = in_way;
				target[i] = z;
			}
		}
	}
	for (size_t i = 0; i < np; i++) {
		const struct jt_column *c = &pr->cols[target[i]];
		h[i] = (struct hold){ &pr->book[c->first], c->n };
	}
	for (size_t i = 0; i < np; i++) {
		size_t y = target[i];
		if (y == sol->choice[i])
			continue;
		for (size_t a = first[y]; a < first[y + 1]; a++) {
			size_t q = pr->cols[adj[a]].person;
			if (q != i && sol->choice[q] == adj[a] && !want[q]) {
				want[q] = 1;
				n++;
			}
		}
	}
	int rc = 0;
	*priced = 0;
	if (n)
		rc = price_around(s, round, pr, h, want, SIZE_MAX, NULL, priced, &pending, d);
	free(target);
	free(h);
	free(want);
	return rc;
}

/* The problem again at round `round`, with the plans priced since: the
 * choices kept by plan, the components and the conflict lists anew.
 * Returns 0, or -1 with d filled. */
static int reflatten(struct jstate *s, int round, struct jt_problem *pr, struct jt_components *comps,
		     struct jt_solution *sol, size_t **first, size_t **adj, struct diag *d)
{
	size_t np = pr->n_persons;
	size_t *plan = xmalloc((np + 1) * sizeof *plan);
	for (size_t i = 0; i < np; i++)
		plan[i] = plan_of(s, i, sol->choice[i]);
	if (flatten(s, round, pr, pr->cap, pr->time_limit) < 0) {
		free(plan);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "a stored person lacks its plan alone or as booked");
		return -1;
	}
	for (size_t i = 0; i < np; i++)
		sol->choice[i] = flat_of(s, i, plan[i]);
	free(plan);
	joint_components_release(comps);
	if (joint_components(pr, comps, d) < 0)
		return -1;
	free(*first);
	free(*adj);
	joint_conflict_lists(pr, comps, first, adj);
	return 0;
}

static int by_person_basis(const void *a, const void *b)
{
	const struct price *x = a, *y = b;
	if (x->person != y->person)
		return x->person < y->person ? -1 : 1;
	return strcmp(x->basis, y->basis);
}

/* Adds booking b (when it takes time) to task t's bookings (*tcap: their capacity). */
static void task_add(const struct jstate *s, struct price *t, size_t *tcap, const struct jt_booking *b)
{
	if (b->end <= b->start)
		return;
	struct bk *e = BUF_PUSH(t->extra, t->n_extra, *tcap);
	*e = (struct bk){ .start = b->start, .end = b->end, .fixed = b->fixed };
	snprintf(e->lane, sizeof e->lane, "%s", s->lanes.key[b->lane]);
}

/* Task t's bookings sorted, and their digest. */
static void task_done(struct price *t)
{
	if (t->n_extra)
		qsort(t->extra, t->n_extra, sizeof *t->extra, by_bk);
	basis_of(t);
}

/* The tasks v[0 .. n) with each person's together (price_tasks wants
 * them so) and each basis once, without those a person was priced on
 * before or that would take it past JOINT_MAX_COLUMNS (their bookings
 * freed): how many are left, at the front of v. */
static size_t tasks_once(const struct jstate *s, struct price *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof *v, by_person_basis);
	size_t u = 0, mine = 0;   /* mine: tasks kept for v[a]'s person so far */
	for (size_t a = 0; a < n; a++) {
		if (a && v[a - 1].person != v[a].person)
			mine = 0;
		const struct jperson *p = &s->p[v[a].person];
		if ((mine && strcmp(v[u - 1].basis, v[a].basis) == 0) || p->n_col + mine >= JOINT_MAX_COLUMNS ||
		    priced_on(p, v[a].basis)) {
			free(v[a].extra);
			continue;
		}
		v[u++] = v[a];
		mine++;
	}
	return u;
}

/* Prices the tasks v[0 .. n) as tasks_once() keeps them, as plans of
 * round `round`, and frees v. *priced: the plans priced. Returns 0, or -1
 * with d filled. */
static int price_once(struct jstate *s, int round, struct price *v, size_t n, size_t *priced, struct diag *d)
{
	n = tasks_once(s, v, n);
	int rc = price_tasks(s, round, v, n, d);
	*priced = n;
	free(v);
	return rc;
}

/*
 * Price each person outside the cap around each person in the way of its
 * plan alone (whose choice conflicts with it: joint_in_way), one at a
 * time (at most BATCH_BLOCKERS a person): its best plan that keeps clear
 * of that person's choice on its lanes. Priced around everyone's whole
 * choices (repair_price), a person may find nothing within its cap; clear
 * of one person in its way it often does, and the room making then moves
 * those newly in its way (first, adj: the conflicts of pr). Plans of round
 * `round`; *priced: the plans priced now. Returns 0, or -1 with d filled.
 */
static int blocker_price(struct jstate *s, int round, const struct jt_problem *pr, const size_t *first,
			 const size_t *adj, const struct jt_solution *sol, size_t *priced, struct diag *d)
{
	size_t np = pr->n_persons;
	struct price *v = NULL;
	size_t n = 0, cap = 0;
	size_t *who = xmalloc((BATCH_BLOCKERS + 1) * sizeof *who);
	unsigned char *lanes = xcalloc(s->lanes.n + 1, 1);
	for (size_t i = 0; i < np; i++) {
		if (joint_within_cap(pr, sol->choice[i]))
			continue;
		const struct jt_column *solo = &pr->cols[pr->solo[i]];
		size_t nw = joint_in_way(pr, first, adj, sol->choice, pr->solo[i], who, BATCH_BLOCKERS);
		for (size_t k = 0; k < solo->n; k++)
			lanes[pr->book[solo->first + k].lane] = 1;
		for (size_t w = 0; w < nw; w++) {
			/* clear of w's choice on the lanes of i's plan alone */
			const struct jt_column *c = &pr->cols[sol->choice[who[w]]];
			struct price t = { i, NULL, 0, "" };
			size_t tcap = 0;
			for (size_t k = 0; k < c->n; k++) {
				const struct jt_booking *b = &pr->book[c->first + k];
				if (lanes[b->lane])
					task_add(s, &t, &tcap, b);
			}
			task_done(&t);
			*BUF_PUSH(v, n, cap) = t;
		}
		for (size_t k = 0; k < solo->n; k++)
			lanes[pr->book[solo->first + k].lane] = 0;
	}
	int rc = price_once(s, round, v, n, priced, d);
	free(lanes);
	free(who);
	return rc;
}

/* A neighbour pricing's state (neighbour_price): the problem, its
 * conflicts (adj[first[c] .. first[c + 1]) for column c), the choice, the
 * bookings as chosen by lane, and the chain of persons holding plans. */
struct chain {
	struct jstate *s;
	const struct jt_problem *pr;
	const size_t *first, *adj;
	const struct jt_solution *sol;
	struct held_lanes x;
	unsigned *apart;          /* per person: held, or in the way of a held plan (a count) */
	unsigned char *seen;      /* per lane */
	size_t person[BATCH_NEIGHBOUR_DEPTH + 1], held[BATCH_NEIGHBOUR_DEPTH + 1];
	size_t n_held;
	struct price *v;          /* the tasks */
	size_t n, cap;
};

/* The task for person q: on the lanes of q's plan alone, the chosen
 * bookings of everyone not apart, and the held plans'. */
static struct price chain_task(struct chain *c, size_t q)
{
	const struct jt_problem *pr = c->pr;
	const struct jt_column *qs = &pr->cols[pr->solo[q]];
	struct price t = { q, NULL, 0, "" };
	size_t tcap = 0;
	memset(c->seen, 0, c->s->lanes.n + 1);
	for (size_t k = 0; k < qs->n; k++) {
		uint32_t l = pr->book[qs->first + k].lane;
		if (c->seen[l]++)
			continue;
		for (size_t m = c->x.first[l]; m < c->x.first[l + 1]; m++)
			if (!c->apart[c->x.owner[m]])
				task_add(c->s, &t, &tcap, c->x.at[m]);
		for (size_t h = 0; h < c->n_held; h++) {
			const struct jt_column *y = &pr->cols[c->held[h]];
			for (size_t m = 0; m < y->n; m++)
				if (pr->book[y->first + m].lane == l)
					task_add(c->s, &t, &tcap, &pr->book[y->first + m]);
		}
	}
	task_done(&t);
	return t;
}

/* Whether column y conflicts with a held plan. */
static int clashes_held(const struct chain *c, size_t y)
{
	for (size_t h = 0; h < c->n_held; h++)
		for (size_t k = c->first[y]; k < c->first[y + 1]; k++)
			if (c->adj[k] == c->held[h])
				return 1;
	return 0;
}

/* Whether person q holds a plan in the chain. */
static int holds(const struct chain *c, size_t q)
{
	for (size_t h = 0; h < c->n_held; h++)
		if (c->person[h] == q)
			return 1;
	return 0;
}

/* Person q's plans within its cap, other than its choice, that clash with
 * no held plan (at most BATCH_NEIGHBOUR_PLANS, in the store's order, into
 * y): how many; 0 when one of them is in nobody's way but the holders'
 * (make_room can move q there). */
static size_t chain_plans(const struct chain *c, size_t q, size_t *y)
{
	const struct jperson *p = &c->s->p[q];
	size_t ny = 0;
	for (size_t k = 0; k < p->n_col; k++) {
		if (!takes_part(&p->col[k], c->s->flat_round))
			continue;
		size_t z = flat_of(c->s, q, k);
		if (z == c->sol->choice[q] || !joint_within_cap(c->pr, z) || clashes_held(c, z))
			continue;
		size_t who[BATCH_BLOCKERS], others = 0;
		size_t m = joint_in_way(c->pr, c->first, c->adj, c->sol->choice, z, who, BATCH_BLOCKERS);
		for (size_t a = 0; a < m; a++)
			others += !holds(c, who[a]);
		if (!others)
			return 0;
		if (ny < BATCH_NEIGHBOUR_PLANS)
			y[ny++] = z;
	}
	return ny;
}

/* The tasks of the chain as it is, `depth` steps on: those in the way of
 * the last held plan are apart (with those of the plans before); at the
 * last step each is priced (chain_task), else each that make_room cannot
 * move takes each of its plans clear of the held ones in turn. */
static void chain_step(struct chain *c, size_t depth)
{
	assert(c->n_held >= 1 && c->n_held <= BATCH_NEIGHBOUR_DEPTH);
	size_t who[BATCH_BLOCKERS];
	size_t nw = joint_in_way(c->pr, c->first, c->adj, c->sol->choice, c->held[c->n_held - 1], who, BATCH_BLOCKERS);
	for (size_t w = 0; w < nw; w++)
		c->apart[who[w]]++;
	for (size_t w = 0; w < nw; w++) {
		size_t q = who[w];
		if (holds(c, q))
			continue;
		if (depth == 1) {
			*BUF_PUSH(c->v, c->n, c->cap) = chain_task(c, q);
			continue;
		}
		size_t y[BATCH_NEIGHBOUR_PLANS];
		size_t ny = chain_plans(c, q, y);
		for (size_t a = 0; a < ny; a++) {
			c->person[c->n_held] = q;
			c->held[c->n_held++] = y[a];
			chain_step(c, depth - 1);
			c->n_held--;
		}
	}
	for (size_t w = 0; w < nw; w++)
		c->apart[who[w]]--;
}

/*
 * Price those in the way of a person i outside the cap clear of each
 * other, `depth` steps out (1 or 2, at most BATCH_NEIGHBOUR_DEPTH; first,
 * adj: the conflicts of pr). Step 1: for each of i's plans z within the
 * cap (at most BATCH_NEIGHBOUR_PLANS, in the store's order), each person
 * in z's way (joint_in_way, at most BATCH_BLOCKERS) is solved around
 * everyone's choices but those of the others in z's way, with i holding
 * z. Priced around all the choices (room_price), a person in the way
 * often finds nothing within its own cap: the free time it needs is held
 * by another in the same way, who could move too. Step 2: each person q
 * in z's way that has no plan within its cap for make_room to move it to
 * takes in turn each of its plans y within the cap clear of z, and those
 * in y's way are priced so, apart from those in the way of z and y, with
 * i holding z and q holding y. With these plans make_room() and the MIPs
 * around i (joint_polish) can move them among themselves. Plans of round
 * `round`; *priced: the plans priced now. Returns 0, or -1 with d filled.
 */
static int neighbour_price(struct jstate *s, int round, const struct jt_problem *pr, const size_t *first,
			   const size_t *adj, const struct jt_solution *sol, size_t depth, size_t *priced,
			   struct diag *d)
{
	assert(depth >= 1 && depth <= BATCH_NEIGHBOUR_DEPTH);
	size_t np = pr->n_persons;
	struct chain c = { .s = s, .pr = pr, .first = first, .adj = adj, .sol = sol };
	struct hold *h = xmalloc((np + 1) * sizeof *h);
	for (size_t q = 0; q < np; q++) {
		const struct jt_column *col = &pr->cols[sol->choice[q]];
		h[q] = (struct hold){ &pr->book[col->first], col->n };
	}
	held_index(s, h, np, &c.x);
	c.apart = xcalloc(np + 1, sizeof *c.apart);
	c.seen = xcalloc(s->lanes.n + 1, 1);
	for (size_t i = 0; i < np; i++) {
		if (joint_within_cap(pr, sol->choice[i]))
			continue;
		const struct jperson *pi = &s->p[i];
		c.apart[i]++;
		for (size_t k = 0, plans = 0; k < pi->n_col && plans < BATCH_NEIGHBOUR_PLANS; k++) {
			if (!takes_part(&pi->col[k], s->flat_round))
				continue;
			size_t z = flat_of(s, i, k);
			if (!joint_within_cap(pr, z))
				continue;
			plans++;
			c.person[0] = i;
			c.held[0] = z;
			c.n_held = 1;
			chain_step(&c, depth);
		}
		c.apart[i]--;
	}
	int rc = price_once(s, round, c.v, c.n, priced, d);
	free(c.seen);
	free(c.apart);
	free(h);
	free(c.x.first);
	free(c.x.at);
	free(c.x.owner);
	return rc;
}

/*
 * One wave of the repair (docs/batch.md, "The repair"), after the last
 * master: each person worse off than alone is solved again around
 * everyone else's chosen bookings; then, the most worse off first, each
 * takes the plan so priced when it is better for them and conflicts with
 * no one's choice as it stands (a choice changes only for the better, and
 * only its person's); then make_room() for those outside the cap; then
 * room_price() for those in their way (as plans of round `round` + 1) and
 * make_room() again. On entry pr, comps and sol are the last master's; on
 * return, the problem with the plans priced (its round `round` + 2) and
 * the choice repaired. A wave takes two rounds: the next is `round` + 2.
 * *taken: the persons whose choice changed; *priced: the plans priced now.
 * Returns 0, or -1 with d filled.
 */
static int repair(struct jstate *s, int round, struct jt_problem *pr, struct jt_components *comps,
		  struct jt_solution *sol, size_t *taken, size_t *priced, struct diag *d)
{
	size_t np = pr->n_persons;
	*taken = *priced = 0;
	char (*basis)[65] = xmalloc((np + 1) * sizeof *basis);
	long asked = repair_price(s, round, pr, sol, basis, priced, d);
	size_t around_one = 0;      /* plans priced around one person in the way */
	size_t clear_of_each = 0;   /* plans priced for those in the way, clear of each other */
	if (asked > 0) {
		/* the last master's conflicts, for both pricings (the plans
		 * they add join the problem only at reflatten()) */
		size_t *cf, *ca;
		joint_conflict_lists(pr, comps, &cf, &ca);
		if (blocker_price(s, round, pr, cf, ca, sol, &around_one, d) < 0 ||
		    neighbour_price(s, round, pr, cf, ca, sol, 1, &clear_of_each, d) < 0)
			asked = -1;
		free(cf);
		free(ca);
	}
	*priced += around_one + clear_of_each;
	if (asked <= 0) {
		free(basis);
		return (int)asked;
	}
	/* the problem again, with the new plans (the conflicts of each
	 * column: adj[first[c] .. first[c + 1])) */
	size_t *first = NULL, *adj = NULL;
	if (reflatten(s, round + 1, pr, comps, sol, &first, &adj, d) < 0) {
		free(basis);
		return -1;
	}
	size_t *was = xmalloc((np + 1) * sizeof *was);
	memcpy(was, sol->choice, np * sizeof *was);
	struct loss *order = xmalloc((np + 1) * sizeof *order);
	size_t no = 0;
	for (size_t i = 0; i < np; i++)
		if (basis[i][0])
			order[no++] = loss_of(pr, sol, i);
	qsort(order, no, sizeof *order, loss_cmp);
	for (size_t q = 0; q < no; q++) {
		size_t i = order[q].person;
		const struct jperson *p = &s->p[i];
		for (size_t k = 0; k < p->n_col; k++) {
			if (p->col[k].origin != 2 || strcmp(p->col[k].basis, basis[i]) != 0 ||
			    !takes_part(&p->col[k], s->flat_round))
				continue;
			size_t y = flat_of(s, i, k);
			if (!tiers_below(&pr->cols[y], &pr->cols[sol->choice[i]]))
				continue;
			int clash = 0;
			for (size_t a = first[y]; a < first[y + 1] && !clash; a++)
				clash = sol->choice[pr->cols[adj[a]].person] == adj[a];
			if (!clash)
				sol->choice[i] = y;
		}
		assert(sol->choice[i] == was[i] || tiers_below(&pr->cols[sol->choice[i]], &pr->cols[was[i]]));
	}
	make_room(s, pr, first, adj, sol);
	/* then those in the way of the persons still outside the cap are
	 * priced to leave them room (their plans of round + 1, so that the
	 * first part of the wave never sees them, killed or not), and room is
	 * made again with them */
	size_t rp = 0;
	for (size_t i = 0; i < np; i++)
		was[i] = plan_of(s, i, was[i]);
	size_t rp2 = 0;
	if (room_price(s, round + 1, pr, first, adj, sol, &rp, d) < 0 ||
	    neighbour_price(s, round + 1, pr, first, adj, sol, BATCH_NEIGHBOUR_DEPTH, &rp2, d) < 0 ||
	    reflatten(s, round + 2, pr, comps, sol, &first, &adj, d) < 0) {
		free(was);
		free(order);
		free(first);
		free(adj);
		free(basis);
		return -1;
	}
	*priced += rp + rp2;
	make_room(s, pr, first, adj, sol);
	for (size_t i = 0; i < np; i++)
		*taken += plan_of(s, i, sol->choice[i]) != was[i];
	/* no shared practitioner or carer booked twice (a soft conflict, a
	 * carer's booking kept where it is, only as the master chose it) */
	for (size_t k = 0; k < comps->n_pairs; k++) {
		const struct jt_pair *x = &comps->pairs[k];
		assert(x->soft || sol->choice[pr->cols[x->a].person] != x->a ||
		       sol->choice[pr->cols[x->b].person] != x->b);
	}
	free(was);
	free(order);
	free(first);
	free(adj);
	free(basis);
	return 0;
}

static void stats_of(const struct jstate *s, const struct jt_problem *pr, const struct jt_components *comps,
		     const struct jt_solution *sol, struct batch_joint_stats *st)
{
	st->persons = pr->n_persons;
	st->moved_off_solo = st->worse = st->over_cap = 0;
	st->over_cap_impossible = st->over_cap_compromise = st->over_cap_cost = 0;
	st->worst_loss = st->worst_compromise = 0;
	st->impossible = st->compromise = st->cost = 0;
	st->lb_impossible = st->lb_compromise = st->lb_cost = 0;
	for (size_t i = 0; i < pr->n_persons; i++) {
		const struct jt_column *c = &pr->cols[sol->choice[i]], *o = &pr->cols[pr->solo[i]];
		st->moved_off_solo += sol->choice[i] != pr->solo[i];
		int worse = c->impossible > o->impossible || c->compromise > o->compromise + 1e-6 ||
			    c->cost > o->cost + 1e-6;
		st->worse += worse;
		enum jt_cap cap = joint_cap_of(c->impossible, c->compromise, c->cost, o->impossible, o->compromise,
					       o->cost, pr->cap);
		st->over_cap += cap != JT_WITHIN_CAP;
		st->over_cap_impossible += cap == JT_OVER_IMPOSSIBLE;
		st->over_cap_compromise += cap == JT_OVER_COMPROMISE;
		st->over_cap_cost += cap == JT_OVER_COST;
		if (c->cost - o->cost > st->worst_loss)
			st->worst_loss = c->cost - o->cost;
		if (c->compromise - o->compromise > st->worst_compromise + 1e-6)
			st->worst_compromise = c->compromise - o->compromise;
		st->impossible += c->impossible;
		st->compromise += c->compromise;
		st->cost += c->cost;
		st->lb_impossible += o->impossible;
		st->lb_compromise += o->compromise;
		st->lb_cost += o->cost;
	}
	(void)s;
	/* a parent needed by two children at once, as chosen: an impossibility of the caseload */
	for (size_t i = 0; i < comps->n_pairs; i++) {
		const struct jt_pair *q = &comps->pairs[i];
		if (q->soft && sol->choice[pr->cols[q->a].person] == q->a && sol->choice[pr->cols[q->b].person] == q->b)
			st->impossible++;
	}
	double v[3] = { st->impossible, st->compromise, st->cost }, l[3] = { st->lb_impossible, st->lb_compromise, st->lb_cost };
	st->gap = 0;
	for (int t = 0; t < 3; t++)
		if (v[t] > l[t] + 1e-6) {
			st->gap = (v[t] - l[t]) / (fabs(v[t]) > 1e-9 ? fabs(v[t]) : 1);
			break;
		}
}

/* Store each person's chosen plan (the store's n of its column). */
static int save_choice(const struct jstate *s, const struct jt_problem *pr, const struct jt_solution *sol,
		       struct diag *d)
{
	const char **ids = xmalloc((pr->n_persons + 1) * sizeof *ids);
	int *chosen = xmalloc((pr->n_persons + 1) * sizeof *chosen);
	for (size_t i = 0; i < pr->n_persons; i++) {
		const struct jperson *p = &s->p[i];
		ids[i] = s->b->cl->persons[p->index].id;
		const struct jcol *x = &p->col[plan_of(s, i, sol->choice[i])];
		chosen[i] = x->same_as < 0 ? x->n : x->same_as;
	}
	int rc = store_batch_save_choice(s->b->store, s->b->run, ids, chosen, pr->n_persons, d);
	free(ids);
	free(chosen);
	return rc < 0 ? -1 : 0;
}

static void jstate_release(struct jstate *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (size_t k = 0; k < s->p[i].n_col; k++)
			free(s->p[i].col[k].book);
		free(s->p[i].col);
	}
	free(s->p);
	free(s->of);
	flat_release(s);
	lanes_release(&s->lanes);
}

void batch_joint_stats_release(struct batch_joint_stats *st)
{
	free(st->groups);
	st->groups = NULL;
	st->n_groups = st->cap_groups = 0;
}

int batch_joint(struct batch *b, struct batch_joint_stats *st, struct diag *d)
{
	memset(st, 0, sizeof *st);
	struct jstate s = { .b = b, .d = d };
	int rc = 0;
	s.of = xmalloc((b->cl->n_persons + 1) * sizeof *s.of);
	for (size_t i = 0; i < b->cl->n_persons; i++)
		s.of[i] = -1;
	if (store_batch_each(b->store, b->run, NULL, load_person, &s, d) < 0 ||
	    store_batch_columns(b->store, b->run, 1, load_column, &s, d) < 0 ||
	    store_batch_bookings(b->store, b->run, load_booking, &s, d) < 0 || load_repeats(&s) < 0)
		rc = -1;
	struct jt_problem pr;
	struct jt_components comps = { 0 };
	struct jt_solution sol = { 0 };
	st->optimal = 1;
	for (size_t round = 0; !rc; round++) {
		int f = flatten(&s, (int)round, &pr, b->cap, b->time_limit);
		if (f < 0) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "a stored person lacks its plan alone or as booked");
			rc = -1;
			break;
		}
		joint_components_release(&comps);
		/* a round's master need only be good: the bound on its search
		 * is small; the last is solved again with the large one */
		pr.max_nodes = BATCH_ROUND_NODES;
		pr.mip_gap = BATCH_ROUND_GAP;
		if (joint_components(&pr, &comps, d) < 0 || solve_round(b, &pr, &comps, &sol, d) < 0) {
			rc = -1;
			break;
		}
		size_t n = 0, pending = 0;
		if (round < BATCH_ROUNDS && price_round(&s, (int)round, &pr, &comps, &sol, &n, &pending, d) < 0) {
			rc = -1;
			break;
		}
		if (!n && !pending) {
			pr.max_nodes = BATCH_FINAL_NODES;
			pr.mip_gap = BATCH_FINAL_GAP;
			if (solve_round(b, &pr, &comps, &sol, d) < 0) {
				rc = -1;
				break;
			}
			st->components = comps.n;
			st->mips = sol.mips;
			st->optimal = sol.optimal && round < BATCH_ROUNDS;
			/* then the repair, from the round after */
			for (int w = 0; w < BATCH_REPAIRS && !rc; w++) {
				size_t taken, priced;
				if (repair(&s, (int)round + 1 + 2 * w, &pr, &comps, &sol, &taken, &priced, d) < 0)
					rc = -1;
				st->priced_now += priced;
				st->repaired += taken;
				if (taken)
					st->optimal = 0;   /* the masters' choice was not the best */
				else
					break;
			}
			struct jt_polish_stats ps = { 0 };
			if (!rc && joint_polish(&pr, &comps, &sol, BATCH_POLISH_PASSES, BATCH_POLISH_DEPTH, &ps, d) < 0)
				rc = -1;
			st->repaired += ps.taken;
			if (ps.taken)
				st->optimal = 0;
			break;
		}
		st->rounds = round + 1;
		st->priced_now += n;
	}
	if (!rc) {
		stats_of(&s, &pr, &comps, &sol, st);
		for (size_t i = 0; i < s.n; i++)
			for (size_t k = 0; k < s.p[i].n_col; k++)
				st->priced += s.p[i].col[k].origin == 2;
		/* the choice first: a proof that fails leaves it stored */
		if (save_choice(&s, &pr, &sol, d) < 0)
			rc = -1;
		if (!rc && b->prove_cap && st->over_cap) {
			size_t *cl_index = xmalloc((pr.n_persons + 1) * sizeof *cl_index);
			for (size_t i = 0; i < pr.n_persons; i++)
				cl_index[i] = s.p[i].index;
			if (bt_cap_bound(b, &pr, sol.choice, cl_index, s.lanes.key, s.lanes.n, st, d) < 0)
				rc = -1;
			/* the choice is one any bound must allow */
			assert(rc || st->at_least <= st->over_cap);
			free(cl_index);
		} else if (!rc && b->prove_cap) {
			st->proved = 1;
		}
	}
	joint_components_release(&comps);
	joint_solution_release(&sol);
	jstate_release(&s);
	return rc;
}
