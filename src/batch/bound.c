/* bound.c: `--prove-cap`: persons who must be outside the fairness cap
 * whatever anyone chooses, proven by solving them again in the person
 * workers with a practitioner's time held (docs/batch.md, "Persons who
 * must be outside the cap"). */
#include "internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/capbound.h"
#include "dovetail/joint.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

#define DAY 86400
#define TOL 1e-6

_Static_assert(BATCH_BOUND_PERSONS <= CB_MAX_SESSIONS, "a group's sessions are weighed at once");

/* One person's one session with one practitioner on one UTC day: whether
 * every plan of theirs within the cap meets that day (pinned), and then
 * where such a plan can start it. */
struct key {
	size_t person;            /* of the problem */
	uint32_t lane;
	int64_t day;              /* UTC midnight */
	int64_t len;
	int pinned;
	struct cb_session s;
};

/* A probe of key: the practitioner held all day (avoid), or held around
 * the day but for sessions starting in r. */
struct probe {
	size_t key;
	int avoid;
	struct cb_range r;
	int within;               /* the answer: a plan within the cap may exist */
};

/* A group sought: persons of the problem, the first outside the cap. */
struct grp {
	uint32_t lane;
	int64_t day;
	size_t person[BATCH_BOUND_PERSONS], n;
};

/* A chosen booking, for the chosen bookings by lane and start. */
struct at {
	uint32_t lane;
	int64_t start;
	size_t book, owner;
};

struct bound_run {
	struct batch *b;
	const struct jt_problem *pr;
	const size_t *cl_index;
	char *const *lane_key;
	struct key *k;
	struct probe *v;
	struct diag *d;
};

static int by_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	if (x->person != y->person)
		return x->person < y->person ? -1 : 1;
	if (x->lane != y->lane)
		return x->lane < y->lane ? -1 : 1;
	return (x->day > y->day) - (x->day < y->day);
}

static int by_lane_start(const void *a, const void *b)
{
	const struct at *x = a, *y = b;
	if (x->lane != y->lane)
		return x->lane < y->lane ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->owner > y->owner) - (x->owner < y->owner);
}

static int64_t day_of(int64_t t)
{
	return (t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY)) * DAY;
}

/* The length of person p's one session on lane l, the same in every one of
 * its plans; -1 when a plan has none, more than one or another length, or
 * the lane is a carer's (its span is not a session). Nothing is dropped
 * from any plan, so the plans solved later have that one session too. */
static int64_t one_session(const struct jt_problem *pr, const size_t *colfirst, size_t p, uint32_t l)
{
	int64_t len = -1;
	for (size_t j = colfirst[p]; j < pr->n_cols && pr->cols[j].person == p; j++) {
		const struct jt_column *c = &pr->cols[j];
		size_t on = 0;
		for (size_t m = 0; m < c->n; m++) {
			const struct jt_booking *x = &pr->book[c->first + m];
			if (x->lane != l)
				continue;
			if (x->carer || ++on > 1 || x->end <= x->start || (len >= 0 && x->end - x->start != len))
				return -1;
			len = x->end - x->start;
		}
		if (on != 1)
			return -1;
	}
	return len;
}

/* The probe's task, as a pricing task: the person solved again with only
 * the practitioner's held time as others' bookings (everyone else left
 * out: fewer constraints than in any choice, so what cannot be within the
 * cap here cannot be in any). */
static char *probe_task(void *arg, size_t i, size_t *len)
{
	struct bound_run *r = arg;
	const struct probe *x = &r->v[i];
	const struct key *k = &r->k[x->key];
	int64_t busy[2][2];
	size_t n;
	if (x->avoid) {
		busy[0][0] = k->day;
		busy[0][1] = k->day + DAY;
		n = 1;
	} else {
		n = cb_hold(&k->s, x->r, busy);
	}
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		xalloc_die();   /* a memory stream fails only out of memory */
	fprintf(f, "P %zu %zu\n", r->cl_index[k->person], n);
	for (size_t m = 0; m < n; m++)
		fprintf(f, "%s\t%lld\t%lld\n", r->lane_key[k->lane], (long long)busy[m][0], (long long)busy[m][1]);
	if (fclose(f) != 0)
		xalloc_die();
	return buf;
}

/*
 * Whether the probe's plan shows that no plan within the cap exists under
 * its hold: proven optimal, and worse than the plan alone in a way no plan
 * under the hold can mend. The tiers come in turn, so only an optimum with
 * as many impossibilities as alone speaks for tier 2, and only one with as
 * much compromise too speaks for tier 3 (a plan with more compromise than
 * the optimum's may cost less). Anything not proven answers "may be".
 */
static int none_within(const struct jt_column *solo, const struct col_out *c, double cap)
{
	if (!c->proven)
		return 0;
	if (c->impossible != solo->impossible)
		return c->impossible > solo->impossible;
	if (c->compromise > solo->compromise + TOL)
		return 1;
	return c->compromise >= solo->compromise - TOL && c->cost > solo->cost + cap + TOL;
}

static int probe_done(void *arg, size_t i, const char *msg, size_t len)
{
	struct bound_run *r = arg;
	struct probe *x = &r->v[i];
	x->within = 1;
	if (!msg)
		return 0;   /* a worker that died with it: "may be", which proves nothing */
	char *copy = xmalloc(len + 1);
	memcpy(copy, msg, len + 1);
	struct outcome o;
	int bad = bt_decode_outcome(copy, len, &o) < 0;
	free(copy);
	if (bad) {
		diag_add(r->d, D_INTERNAL, NULL, 0, 0, "a worker sent a malformed result");
		return 1;
	}
	const struct key *k = &r->k[x->key];
	if (strcmp(o.status, "ok") == 0 && o.n_col == 1)
		x->within = !none_within(&r->pr->cols[r->pr->solo[k->person]], &o.col[0], r->pr->cap);
	bt_outcome_release(&o);
	return 0;
}

/* The probes r->v[0 .. n) in the person workers. Returns 0, or -1 with d filled. */
static int probe_all(struct bound_run *r, size_t n)
{
	if (!n)
		return 0;
	struct pool *p = bt_person_pool(r->b, r->d);
	if (!p || pool_run(p, n, probe_task, probe_done, NULL, r, r->d) < 0) {
		bt_pool_failed(r->b);
		return -1;
	}
	return 0;
}

/* The groups: for each person outside the cap, each booking of its plan
 * alone that someone's choice overlaps names a practitioner and a day;
 * with it, the persons whose choices book that practitioner that day, the
 * nearest first (at most BATCH_BOUND_PERSONS in all). Only persons with one
 * session with the practitioner in every plan take part. */
static struct grp *groups_of(const struct jt_problem *pr, const size_t *choice, const size_t *colfirst,
			     size_t n_lanes, size_t *ng)
{
	size_t np = pr->n_persons, nb = 0;
	for (size_t p = 0; p < np; p++)
		nb += pr->cols[choice[p]].n;
	struct at *at = xmalloc((nb + 1) * sizeof *at);
	size_t *first = xcalloc(n_lanes + 2, sizeof *first);
	nb = 0;
	for (size_t p = 0; p < np; p++) {
		const struct jt_column *c = &pr->cols[choice[p]];
		for (size_t m = 0; m < c->n; m++) {
			const struct jt_booking *x = &pr->book[c->first + m];
			assert(x->lane < n_lanes);
			at[nb++] = (struct at){ x->lane, x->start, c->first + m, p };
			first[x->lane + 1]++;
		}
	}
	qsort(at, nb, sizeof *at, by_lane_start);
	for (size_t l = 0; l < n_lanes; l++)
		first[l + 1] += first[l];
	struct grp *g = NULL;
	size_t capg = 0;
	*ng = 0;
	for (size_t i = 0; i < np; i++) {
		if (joint_within_cap(pr, choice[i]))
			continue;
		const struct jt_column *z = &pr->cols[pr->solo[i]];
		for (size_t m = 0; m < z->n; m++) {
			const struct jt_booking *x = &pr->book[z->first + m];
			if (x->carer || one_session(pr, colfirst, i, x->lane) < 0)
				continue;
			struct grp y = { .lane = x->lane, .day = day_of(x->start), .n = 1 };
			y.person[0] = i;
			int64_t far[BATCH_BOUND_PERSONS] = { 0 };
			int contested = 0;
			for (size_t a = first[x->lane]; a < first[x->lane + 1]; a++) {
				const struct jt_booking *o = &pr->book[at[a].book];
				size_t q = at[a].owner;
				if (q == i || day_of(o->start) != y.day)
					continue;
				contested |= o->start < x->end && x->start < o->end;
				if (one_session(pr, colfirst, q, x->lane) < 0)
					continue;
				int64_t dist = o->start > x->start ? o->start - x->start : x->start - o->start;
				size_t k = y.n;
				if (y.n == BATCH_BOUND_PERSONS) {
					if (dist >= far[y.n - 1])
						continue;
					k = y.n - 1;
				} else {
					y.n++;
				}
				for (; k > 1 && far[k - 1] > dist; k--) {
					y.person[k] = y.person[k - 1];
					far[k] = far[k - 1];
				}
				y.person[k] = q;
				far[k] = dist;
			}
			if (contested && y.n > 1)
				*BUF_PUSH(g, *ng, capg) = y;
		}
	}
	free(at);
	free(first);
	return g;
}

/* Group y, as proven: its pinned persons (not in used), and how many of
 * them fit apart; into out when fewer than all fit (marking them used). */
static void take_group(const struct grp *y, struct key *k, size_t nk, const size_t *cl_index, char *const *lane_key,
		       unsigned char *used, struct batch_joint_stats *out)
{
	const struct cb_session *s[BATCH_BOUND_PERSONS];
	size_t who[BATCH_BOUND_PERSONS], n = 0;
	for (size_t m = 0; m < y->n; m++) {
		struct key x = { .person = y->person[m], .lane = y->lane, .day = y->day };
		const struct key *f = bsearch(&x, k, nk, sizeof *k, by_key);
		assert(f);
		if (f->pinned && !used[y->person[m]]) {
			s[n] = &f->s;
			who[n++] = y->person[m];
		}
	}
	if (n < 2)
		return;
	size_t fit = cb_most_apart(s, n);
	if (fit >= n)
		return;
	struct batch_cap_group *t = BUF_PUSH(out->groups, out->n_groups, out->cap_groups);
	memset(t, 0, sizeof *t);
	snprintf(t->practitioner, sizeof t->practitioner, "%s", lane_key[y->lane]);
	t->day = y->day;
	t->n = n;
	t->fit = fit;
	t->from = INT64_MAX;
	t->to = INT64_MIN;
	for (size_t m = 0; m < n; m++) {
		used[who[m]] = 1;
		size_t q = m;   /* in the caseload's order */
		for (; q > 0 && t->person[q - 1] > cl_index[who[m]]; q--)
			t->person[q] = t->person[q - 1];
		t->person[q] = cl_index[who[m]];
		for (size_t r = 0; r < s[m]->n_starts; r++) {
			if (s[m]->starts[r].lo < t->from)
				t->from = s[m]->starts[r].lo;
			if (s[m]->starts[r].hi + s[m]->len > t->to)
				t->to = s[m]->starts[r].hi + s[m]->len;
		}
	}
	out->at_least += n - fit;
}

int bt_cap_bound(struct batch *b, const struct jt_problem *pr, const size_t *choice, const size_t *cl_index,
		 char *const *lane_key, size_t n_lanes, struct batch_joint_stats *out, struct diag *d)
{
	out->proved = 1;
	out->at_least = out->probes = 0;
	size_t np = pr->n_persons;
	size_t *colfirst = xmalloc((np + 1) * sizeof *colfirst);
	for (size_t j = pr->n_cols; j-- > 0;)
		colfirst[pr->cols[j].person] = j;
	size_t ng;
	struct grp *g = groups_of(pr, choice, colfirst, n_lanes, &ng);

	/* the keys, each once */
	struct key *k = NULL;
	size_t nk = 0, capk = 0;
	for (size_t a = 0; a < ng; a++)
		for (size_t m = 0; m < g[a].n; m++)
			*BUF_PUSH(k, nk, capk) = (struct key){ .person = g[a].person[m], .lane = g[a].lane,
							       .day = g[a].day };
	if (nk)
		qsort(k, nk, sizeof *k, by_key);
	size_t u = 0;
	for (size_t a = 0; a < nk; a++)
		if (!u || by_key(&k[u - 1], &k[a]) != 0)
			k[u++] = k[a];
	nk = u;
	for (size_t a = 0; a < nk; a++)
		k[a].len = one_session(pr, colfirst, k[a].person, k[a].lane);

	/* first, whether each session is pinned to its day; then, for those
	 * that are, where it can start, all keys' probes of a step together */
	struct bound_run r = { b, pr, cl_index, lane_key, k, NULL, d };
	r.v = xcalloc(nk + 1, sizeof *r.v);
	for (size_t a = 0; a < nk; a++)
		r.v[a] = (struct probe){ .key = a, .avoid = 1 };
	int rc = probe_all(&r, nk);
	out->probes += nk;
	for (size_t a = 0; a < nk && !rc; a++) {
		k[a].pinned = !r.v[a].within;
		if (k[a].pinned)
			cb_begin(&k[a].s, k[a].day, k[a].day + DAY, k[a].len, BATCH_BOUND_GRAIN, BATCH_BOUND_PROBES);
	}
	free(r.v);
	r.v = NULL;
	while (!rc) {
		struct probe *v = NULL;
		size_t n = 0, capv = 0;
		for (size_t a = 0; a < nk; a++) {
			struct cb_range *next;
			size_t m = k[a].pinned ? cb_next(&k[a].s, &next) : 0;
			for (size_t t = 0; t < m; t++)
				*BUF_PUSH(v, n, capv) = (struct probe){ .key = a, .r = next[t] };
			if (m)
				free(next);
		}
		if (!n)
			break;
		r.v = v;
		rc = probe_all(&r, n);
		out->probes += n;
		for (size_t a = 0; a < n && !rc; a++)
			cb_answer(&k[v[a].key].s, v[a].r, v[a].within);
		free(v);
		r.v = NULL;
	}

	/* the groups in turn, while they share no person with one taken */
	unsigned char *used = xcalloc(np + 1, 1);
	for (size_t a = 0; a < ng && !rc; a++)
		take_group(&g[a], k, nk, cl_index, lane_key, used, out);
	free(used);
	for (size_t a = 0; a < nk; a++)
		if (k[a].pinned)
			cb_release(&k[a].s);
	free(k);
	free(g);
	free(colfirst);
	return rc;
}
