/* daygen.c: day-plan generation: a label-setting search over each day's sessions by the three tiers, reading a day as check() does; each plan valued exactly by sv_day_value. */
#include "internal.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

#define NEG (INT_MIN / 4)
#define POS (INT_MAX / 4)
#define EPS 1e-9

int sv_budget_over(const struct sv_budget *b)
{
	return b && b->deadline > 0 && (long)clock() > b->deadline;
}

void sv_parallel(void *(*run)(void *), void *arg, int threads, size_t jobs)
{
	pthread_t tid[SV_MAX_THREADS];
	int started = 0;
	for (int k = 1; k < threads && k < SV_MAX_THREADS && (size_t)k < jobs; k++) {
		if (pthread_create(&tid[started], NULL, run, arg) != 0)
			break;   /* the threads started do the rest */
		started++;
	}
	run(arg);
	for (int k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
}

int sv_travel0(const struct profile *p, int a, int b)
{
	int t = profile_travel(p, a, b);
	return t < 0 ? 0 : t;
}

static int overlaps(int a0, int a1, int b0, int b1)
{
	return a0 < b1 && b0 < a1;
}

int sv_people(const struct profile *p, uint64_t pracs)
{
	int n = 0;
	/* the set bits only: a session adds one or two practitioners */
	for (uint64_t m = p->n_pracs < 64 ? pracs & ((UINT64_C(1) << p->n_pracs) - 1) : pracs; m; m &= m - 1) {
		int k = __builtin_ctzll(m);
		if (!p->pracs[k].familiar)
			n += p->pracs[k].people;
	}
	return n;
}


int sv_cand_usable(const struct instance *in, size_t i, size_t c)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	const struct sv_appt *sa = &in->a[i];
	const struct placement *pl = &sa->cand[c];
	const struct wk_appt *a = &w->appts[sa->appt];
	int s = pl->start, e = pl->start + sa->duration;
	if (pl->day < 0 || (size_t)pl->day >= w->n_days)
		return 0;
	if (s < p->day.from || e > p->day.to || (p->free_days & w->days[pl->day].wd))
		return 0;
	return !week_busy(w, a->prac, week_utc(w, pl->day, s), week_utc(w, pl->day, e));
}

/* A new session of the day, zeroed; NULL out of memory (c->d filled). */
static struct sv_item *new_item(struct sv_day *c)
{
	struct sv_item *x = BUF_PUSH(c->it, c->n_it, c->cap_it);
	if (!x) {
		diag_add(c->d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return NULL;
	}
	memset(x, 0, sizeof *x);
	return x;
}

static uint64_t pair_hash(int appt, int venue)
{
	uint64_t h = (uint64_t)(uint32_t)appt * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uint32_t)(venue + 1) * 0xc2b2ae3d27d4eb4full;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

/* Busy entries of the practitioner that overlap [s, e) (UTC): check's
 * double-booked problems of an appointment there. */
static int busy_count(const struct week *w, int prac, int64_t s, int64_t e)
{
	int n = 0;
	for (size_t i = 0; i < w->n_busy; i++)
		if (w->busy[i].prac == prac && w->busy[i].start < e && s < w->busy[i].end)
			n++;
	return n;
}

static void add_member(struct sv_day *c, struct sv_item *x, size_t i, size_t k)
{
	const struct instance *in = c->in;
	const struct week *w = in->w;
	const struct profile *p = c->p;
	const struct sv_appt *sa = &in->a[i];
	const struct wk_appt *a = &w->appts[sa->appt];
	const struct placement *pl = &sa->cand[k];
	int changed;
	x->appt[x->n] = (int)i;
	x->cand[x->n] = (int)k;
	x->n++;
	x->mask |= (uint64_t)1 << c->local[i];
	x->pracs |= (uint64_t)1 << a->prac;
	x->pattern += pair_hash((int)i, pl->venue);
	x->cost += sv_place_cost(in, i, k, &changed);
	x->changes += changed;
	if (a->energy > x->energy)
		x->energy = a->energy;
	int s = pl->start, e = pl->start + sa->duration;
	if (e > x->end)
		x->end = e;
	if (k == 0) {
		/* as booked: its own problems come with it */
		int64_t us = week_utc(w, pl->day, s), ue = week_utc(w, pl->day, e);
		x->impossible += busy_count(w, a->prac, us, ue) + !week_carer_free(w, a, pl->venue, us, ue);
		int before = s < p->day.from ? (e < p->day.from ? e : p->day.from) - s : 0;
		int after = e > p->day.to ? e - (s > p->day.to ? s : p->day.to) : 0;
		x->compromise += (before + after) * p->compromise.outside_day;
		if (p->free_days & w->days[pl->day].wd)
			x->compromise += p->compromise.free_day;
	}
}


/* Whether appointments i and j, as booked, overlap and are not one joint session. */
static int booked_clash(const struct instance *in, size_t i, size_t j)
{
	const struct placement *a = &in->a[i].current, *b = &in->a[j].current;
	const struct wk_appt *x = &in->w->appts[in->a[i].appt], *y = &in->w->appts[in->a[j].appt];
	return a->day == b->day && a->start < b->start + in->a[j].duration &&
	       b->start < a->start + in->a[i].duration && !week_joint(in->w, x, y);
}

/* Check's order of a day's appointments: start, end, then instance order. */
static int stop_before(const struct instance *in, size_t i, size_t j)
{
	const struct placement *a = &in->a[i].current, *b = &in->a[j].current;
	if (a->start != b->start)
		return a->start < b->start;
	int ea = a->start + in->a[i].duration, eb = b->start + in->a[j].duration;
	if (ea != eb)
		return ea < eb;
	return i < j;
}

/* Whether the appointments t[0..k) are connected by their clashes as
 * booked. */
static int connected(const struct instance *in, const size_t *t, int k)
{
	unsigned seen = 1, grow = 1;
	while (grow) {
		grow = 0;
		for (int x = 0; x < k; x++)
			for (int y = 0; y < k; y++)
				if ((seen >> x & 1) && !(seen >> y & 1) && booked_clash(in, t[x], t[y])) {
					seen |= 1u << y;
					grow = 1;
				}
	}
	return seen == (1u << k) - 1;
}

/* The block of appointments t[0..k), as booked and in check's order, as
 * a session of the day: its stops, energy, the clashes and short rests
 * inside it, and where the person is after it. Returns 0, or -1 out of
 * memory (c->d filled). */
static int add_block(struct sv_day *c, const size_t *t, int k)
{
	const struct instance *in = c->in;
	const struct profile *p = c->p;
	assert(k >= 2 && k <= DG_MAX_BLOCK);
	struct sv_item *it = new_item(c);
	if (!it)
		return -1;
	it->cur = 1;
	it->start = in->a[t[0]].current.start;
	for (int x = 0; x < k; x++) {
		const struct placement *pl = &in->a[t[x]].current;
		double e0 = it->energy;
		add_member(c, it, t[x], 0);
		/* clashing appointments each cost their own energy */
		it->energy = e0 + c->in->w->appts[in->a[t[x]].appt].energy;
		it->sub[it->nsub++] = (struct sv_stop){ pl->start, pl->start + in->a[t[x]].duration,
							pl->venue < 0 ? p->home : pl->venue, pl->venue };
	}
	it->venue = it->sub[0].venue;
	it->v = it->sub[0].v;
	it->there = sv_travel0(p, p->home, it->v);
	it->there_cost = profile_travel_cost(p, p->home, it->v);
	/* the clashes inside it, as check counts them */
	for (int x = 0; x < k; x++)
		for (int y = x + 1; y < k; y++)
			it->impossible += booked_clash(in, t[x], t[y]);
	int at = it->sub[0].v, free_from = it->sub[0].end;
	for (int x = 1; x < k; x++) {
		const struct sv_stop *pv = &it->sub[x - 1], *s = &it->sub[x];
		int gap = s->start - pv->end;
		if (gap >= 0 && pv->venue >= 0 && s->venue >= 0 && pv->venue != s->venue &&
		    profile_travel(p, pv->venue, s->venue) > gap)
			it->impossible++;
		if (gap >= 0 && p->min_rest > 0 && gap < p->min_rest)
			it->compromise += (p->min_rest - gap) * p->compromise.rest;
		if (at != s->v || s->end > free_from)
			free_from = s->end;
		at = s->v;
	}
	it->exit_v = at;
	it->exit_venue = it->sub[k - 1].venue;
	it->exit_free = free_from;
	it->last_end = it->sub[k - 1].end;
	it->back = sv_travel0(p, at, p->home);
	it->back_cost = profile_travel_cost(p, at, p->home);
	return 0;
}

/*
 * The day's blocks: each set of two or more appointments that stay as
 * booked and clash, connected by their overlaps, as one session that the
 * search reads stop by stop (step()). Without them a day plan could not keep
 * a clash as booked and take a moved appointment too. Sets of up to
 * DG_MAX_BLOCK appointments; a bigger clash is left to the days as booked.
 */
static int blocks(struct sv_day *c)
{
	const struct instance *in = c->in;
	size_t cur[DG_MAX_LOCAL];
	int n = 0;
	for (size_t i = 0; i < in->n && n < DG_MAX_LOCAL; i++)
		if (in->a[i].current.day == c->day && c->local[i] >= 0)
			cur[n++] = i;
	for (int a = 0; a < n; a++) {
		/* the subsets that hold a and members after it only, connected */
		size_t comp[DG_MAX_BLOCK];
		int m = 0;
		comp[m++] = cur[a];
		for (int b = a + 1; b < n && m < DG_MAX_BLOCK; b++) {
			int linked = 0;
			for (int k = 0; k < m && !linked; k++)
				linked = booked_clash(in, comp[k], cur[b]);
			if (linked)
				comp[m++] = cur[b];
		}
		if (m < 2)
			continue;
		for (unsigned sub = 1; sub < (1u << m); sub += 2) {   /* always with comp[0] */
			size_t t[DG_MAX_BLOCK];
			int k = 0;
			for (int q = 0; q < m; q++)
				if (sub >> q & 1)
					t[k++] = comp[q];
			if (k < 2 || !connected(in, t, k))
				continue;
			/* check's order */
			for (int x = 1; x < k; x++)
				for (int y = x; y > 0 && stop_before(in, t[y], t[y - 1]); y--) {
					size_t tmp = t[y];
					t[y] = t[y - 1];
					t[y - 1] = tmp;
				}
			if (add_block(c, t, k) < 0)
				return -1;
		}
	}
	return 0;
}

/* Joint sessions: each session extended by a later appointment at the
 * same start and venue whose practitioner agrees with all in it (a
 * session formed by a move only when every practitioner is free for all
 * of it). Returns 0, or -1 out of memory (c->d filled). */
static int joint_items(struct sv_day *c)
{
	const struct instance *in = c->in;
	const struct profile *p = c->p;
	for (size_t base = 0; base < c->n_it; base++) {
		if (c->it[base].venue < 0 || c->it[base].n >= DG_MAX_JOINT)
			continue;
		int last = c->it[base].appt[c->it[base].n - 1];
		for (size_t j = (size_t)last + 1; j < in->n; j++) {
			const struct sv_appt *sb = &in->a[j];
			if (c->local[j] < 0)
				continue;
			int pj = in->w->appts[sb->appt].prac, agree = 1;
			for (int m = 0; m < c->it[base].n && agree; m++)
				agree = profile_joint(p, in->w->appts[in->a[c->it[base].appt[m]].appt].prac, pj);
			if (!agree)
				continue;
			for (size_t k = 0; k < sb->n_cand; k++) {
				const struct placement *pl = &sb->cand[k];
				if (pl->day != c->day || pl->start != c->it[base].start || pl->venue != c->it[base].venue)
					continue;
				struct sv_item b = c->it[base];   /* (large: copied only for a session made) */
				add_member(c, &b, j, k);
				b.cur = b.cur && k == 0;
				/* a session formed by a move: every practitioner is free
				 * for all of it (one wholly as booked is as it is) */
				int ok = b.cur || b.end <= p->day.to;
				int64_t us = week_utc(in->w, c->day, b.start), ue = week_utc(in->w, c->day, b.end);
				for (int m = 0; m < b.n && ok && !b.cur; m++)
					ok = !week_busy(in->w, in->w->appts[in->a[b.appt[m]].appt].prac, us, ue);
				if (!ok)
					continue;
				b.exit_free = b.last_end = b.end;
				struct sv_item *x = new_item(c);
				if (!x)
					return -1;
				*x = b;
			}
		}
	}
	return 0;
}

/* The sessions of the day: every candidate on it (the current placement
 * whatever it breaks), and every joint session the practitioners agree
 * to and can all attend. */
static int build_items(struct sv_day *c)
{
	const struct instance *in = c->in;
	const struct profile *p = c->p;
	c->local = xmalloc((in->n + 1) * sizeof *c->local);
	for (size_t i = 0; i < in->n; i++) {
		const struct sv_appt *sa = &in->a[i];
		c->local[i] = -1;
		if (c->allow && !c->allow[i])
			continue;   /* kept off this day (sv_list_some) */
		int here = 0;
		for (size_t k = 0; k < sa->n_cand && !here; k++)
			here = sa->cand[k].day == c->day;
		if (!here)
			continue;
		if (c->n_local >= DG_MAX_LOCAL)
			return 1;   /* more than the search can hold: cut */
		c->local[i] = c->n_local++;
	}
	for (size_t i = 0; i < in->n; i++) {
		const struct sv_appt *sa = &in->a[i];
		if (c->local[i] < 0)
			continue;
		for (size_t k = 0; k < sa->n_cand; k++) {
			if (sa->cand[k].day != c->day)
				continue;
			assert(k == 0 || sv_cand_usable(in, i, k));
			struct sv_item *x = new_item(c);
			if (!x)
				return -1;
			x->start = sa->cand[k].start;
			x->venue = sa->cand[k].venue;
			x->v = x->venue < 0 ? p->home : x->venue;
			x->back = sv_travel0(p, x->v, p->home);
			x->there = sv_travel0(p, p->home, x->v);
			x->back_cost = profile_travel_cost(p, x->v, p->home);
			x->there_cost = profile_travel_cost(p, p->home, x->v);
			x->cur = k == 0;
			add_member(c, x, i, k);
			x->exit_v = x->v;
			x->exit_venue = x->venue;
			x->exit_free = x->last_end = x->end;
		}
	}
	if (joint_items(c) < 0)
		return -1;
	return blocks(c);
}

static int routines_of_day(struct sv_day *c)
{
	const struct profile *p = c->p;
	unsigned wd = c->in->w->days[c->day].wd;
	int slot = p->slot;
	for (size_t ri = 0; ri < p->n_routines; ri++) {
		const struct prof_routine *rt = &p->routines[ri];
		if (!(rt->days & wd))
			continue;
		for (size_t wi = 0; wi < rt->n_starts; wi++) {
			if (c->n_r >= DG_MAX_ROUTINES) {
				char b[32];
				snprintf(b, sizeof b, "%d", DG_MAX_ROUTINES);
				diag_add(c->d, D_LIM_INSTANCE, NULL, 0, 0, b, "routines in one day");
				return -1;
			}
			struct sv_rinst *r = &c->r[c->n_r++];
			r->from = rt->starts[wi].from;
			r->to = rt->starts[wi].to;
			r->first = (r->from + slot - 1) / slot * slot;
			/* the profile refuses a window with no start on the grid */
			assert(r->first <= r->to);
			/* the last start it may take, late (week.h) */
			int late = r->to + WEEK_ROUTINE_MAX_LATE;
			if (late > 1440 - rt->duration)
				late = 1440 - rt->duration;
			r->last = r->first + (late - r->first) / slot * slot;
			r->dur = rt->duration;
			r->place = rt->place;
			r->routine = (int)ri;
			r->window = (int)wi;
		}
	}
	/* in the order they are placed (week_routine_before): sv_step settles
	 * them in it */
	for (int k = 1; k < c->n_r; k++) {
		struct sv_rinst x = c->r[k];
		int j = k;
		for (; j > 0 && week_routine_before(p, (size_t)x.routine, (size_t)x.window, (size_t)c->r[j - 1].routine,
						    (size_t)c->r[j - 1].window); j--)
			c->r[j] = c->r[j - 1];
		c->r[j] = x;
	}
	return 0;
}

double sv_label_energy(const struct profile *p, const struct label *l)
{
	return l->appt_energy + l->travel_min / 60.0 * p->travel_energy_per_hour;
}

/* Labels are compared by their energy: sv_step keeps it. */

struct leg {
	int from, to, dep, arr;
	double money;
};

/* What one step crosses between two sessions: its legs, and when the
 * person is at home (if at all). step_gap and step_session fill it,
 * step_routines reads it. */
struct gap {
	struct leg legs[2 + 2 * DG_MAX_BLOCK];
	int nl;
	int home_from, home_to;   /* when the person is at home in the gap */
	int at_home;              /* ... if they are at all */
};

/* The gap after session pi (NULL: the day's start) before q (NULL: the
 * day's end): home first when there is time to stay there, then on to q. */
static void step_gap(const struct profile *p, const struct sv_item *pi, const struct sv_item *q,
		     struct label *out, struct gap *g)
{
	int home = p->home;
	int at = pi ? pi->exit_v : home;
	int free_from = pi ? pi->exit_free : NEG;
	g->nl = 0;
	g->home_from = g->home_to = NEG;
	g->at_home = 0;
	if (at != home) {
		int back = pi->back;
		int there = !q || q->v == home ? 0 : q->there;
		if (!q || q->v == home || q->start - free_from - back - there >= WEEK_HOME_STAY_MIN) {
			g->legs[g->nl++] = (struct leg){ at, home, free_from, free_from + back, pi->back_cost };
			out->time_out += free_from + back - out->depart;
			out->depart = -1;
			at = home;
			g->home_from = free_from + back;
			g->at_home = 1;
		}
	} else {
		g->home_from = free_from;
		g->at_home = 1;
	}
	if (!q) {
		if (at == home)
			g->home_to = POS;
		return;
	}
	if (at == home && q->v != home) {
		int t = q->there;
		out->depart = q->start - t;
		out->journeys++;
		g->legs[g->nl++] = (struct leg){ home, q->v, q->start - t, q->start, q->there_cost };
		g->home_to = q->start - t;
	} else if (at != q->v) {
		int t = sv_travel0(p, at, q->v);
		g->legs[g->nl++] = (struct leg){ at, q->v, free_from, free_from + t, profile_travel_cost(p, at, q->v) };
	} else if (at == home) {
		g->home_to = q->start;
	}
}

/* Session q's own terms (after pi, NULL: none), and a block's other stops
 * as plan_day reads them (their legs into g). */
static void step_session(const struct profile *p, const struct sv_item *pi, const struct sv_item *q,
			 struct label *out, struct gap *g)
{
	const struct prof_weights *wt = &p->weights;
	int home = p->home;
	uint64_t newp = q->pracs & ~out->pracs;
	out->mask |= q->mask;
	out->n_appt += q->n;
	out->pracs |= q->pracs;
	out->pattern += q->pattern;
	/* a joint session's energy is its most tiring part's */
	out->appt_energy += q->energy;
	out->changes += q->changes;
	out->t1 += q->impossible;
	out->t2 += q->compromise;
	out->cost += q->cost + wt->unfamiliar * sv_people(p, newp);
	/* rest before it (consecutive sessions) */
	if (pi && p->min_rest > 0 && q->start - pi->last_end < p->min_rest && q->start >= pi->last_end)
		out->t2 += (p->min_rest - (q->start - pi->last_end)) * p->compromise.rest;
	/* a block: its other stops, as plan_day reads them */
	int bat = q->v, bfree = q->nsub ? q->sub[0].end : q->end;
	assert(q->nsub <= DG_MAX_BLOCK);
	for (int k = 1; k < q->nsub; k++) {
		const struct sv_stop *s = &q->sub[k];
		int bback = bat != home ? sv_travel0(p, bat, home) : 0;
		int bthere = s->v == home ? 0 : sv_travel0(p, home, s->v);
		if (bat != home && (s->v == home || s->start - bfree - bback - bthere >= WEEK_HOME_STAY_MIN)) {
			int back = bback;
			g->legs[g->nl++] = (struct leg){ bat, home, bfree, bfree + back, profile_travel_cost(p, bat, home) };
			out->time_out += bfree + back - out->depart;
			out->depart = -1;
			bat = home;
		}
		if (bat == home && s->v != home) {
			int t = sv_travel0(p, home, s->v);
			out->depart = s->start - t;
			out->journeys++;
			g->legs[g->nl++] = (struct leg){ home, s->v, s->start - t, s->start, profile_travel_cost(p, home, s->v) };
		} else if (bat != s->v) {
			int t = sv_travel0(p, bat, s->v);
			g->legs[g->nl++] = (struct leg){ bat, s->v, bfree, bfree + t, profile_travel_cost(p, bat, s->v) };
		}
		if (bat != s->v || s->end > bfree)
			bfree = s->end;
		bat = s->v;
	}
}

/* The routines whose starts the step settles (the time up to the end of
 * q): each kept at its first free start, or missed (a compromise). */
static void step_routines(const struct day_ctx *c, const struct sv_item *pi, const struct sv_item *q,
			  const struct gap *g, struct label *out)
{
	const struct profile *p = c->s.p;
	const struct prof_weights *wt = &p->weights;
	int home = p->home;
	int lower = pi ? pi->end : NEG, upper = q ? q->end : POS;
	/* the routines this step settles, kept (those of earlier steps end
	 * before lower; those of later ones start after q: neither can meet a
	 * start tried here) */
	int kept_s[DG_MAX_ROUTINES], kept_e[DG_MAX_ROUTINES], kept_place[DG_MAX_ROUTINES], n_kept = 0;
	for (int ri = 0; ri < c->s.n_r; ri++) {
		if (out->rmask >> ri & 1)
			continue;
		const struct sv_rinst *r = &c->s.r[ri];
		int fitted = 0;
		int s0 = r->first;
		if (s0 < lower)   /* the first start on the routine's grid at or after lower */
			s0 += (lower - s0 + p->slot - 1) / p->slot * p->slot;
		for (int s = s0; s <= r->last; s += p->slot) {
			int e = s + r->dur;
			if (e > upper)
				break;
			int ok = !(q && overlaps(s, e, q->start, q->end));
			for (int k = 0; k < g->nl && ok; k++)
				ok = !overlaps(s, e, g->legs[k].dep, g->legs[k].arr);
			for (int k = 0; k < n_kept && ok; k++)
				ok = !(overlaps(s, e, kept_s[k], kept_e[k]) && week_routines_apart(p, r->place, kept_place[k]));
			if (ok && r->place == PLACE_HOME)
				ok = g->at_home && s >= g->home_from && e <= g->home_to;
			if (ok && r->place >= 0) {
				/* at a venue: from the session before, on to the next */
				int pv = pi ? pi->exit_v : home, pt = pi ? pi->end : 0;
				int nv = q ? q->v : home, nt = q ? q->start : 1440;
				ok = pt + sv_travel0(p, pv, r->place) <= s && e + sv_travel0(p, r->place, nv) <= nt;
			}
			if (ok) {
				fitted = 1;
				kept_s[n_kept] = s;
				kept_e[n_kept] = e;
				kept_place[n_kept++] = r->place;
				out->rmask |= (uint32_t)1 << ri;
				out->cost += wt->routine_shift * (s - r->from);
				if (s > r->to)
					out->t2 += (s - r->to) * p->compromise.routine_late;
				break;
			}
		}
		if (!fitted && r->last + r->dur <= upper) {
			/* every start is settled and none is free: missed */
			out->rmask |= (uint32_t)1 << ri;
			out->t2 += p->compromise.routine_missed;
		}
	}
}

/*
 * Extend label L by session q (NULL: close the day, going home), as
 * plan_day() and fit_routine() read a day: the legs of the gap, journeys,
 * time out, and the routines whose starts are now settled, each kept at its
 * first free start or missed (a compromise). The daily limits are counted
 * when the day closes (finish()).
 */
void sv_step(const struct day_ctx *c, const struct label *L, const struct sv_item *q,
		 struct label *out)
{
	const struct profile *p = c->s.p;
	const struct prof_weights *wt = &p->weights;
	const struct sv_item *pi = L->item >= 0 ? &c->s.it[L->item] : NULL;
	struct gap g;
	*out = *L;
	out->next = -1;
	out->dead = 0;
	step_gap(p, pi, q, out, &g);
	if (q)
		step_session(p, pi, q, out, &g);
	for (int k = 0; k < g.nl; k++) {
		out->travel_min += g.legs[k].arr - g.legs[k].dep;
		out->cost += wt->travel_minutes * (g.legs[k].arr - g.legs[k].dep);
	}
	for (int k = 0; k < g.nl; k++) {
		double money = g.legs[k].money;
		out->travel_cost += money;
		out->cost += wt->travel_money * money;
	}
	out->cost += wt->journeys * (out->journeys - L->journeys);
	out->energy = sv_label_energy(p, out);
	step_routines(c, pi, q, &g, out);
}

/* The day's limits, counted when it closes. */
void sv_finish(const struct day_ctx *c, struct label *x)
{
	const struct profile *p = c->s.p;
	const struct prof_compromise *w = &p->compromise;
	double e = sv_label_energy(p, x);
	if (e > p->energy_budget + 1e-9)
		x->t2 += (e - p->energy_budget) * w->energy;
	if (x->n_appt == 0)
		return;
	if (p->max_time_out >= 0 && x->time_out > p->max_time_out)
		x->t2 += (x->time_out - p->max_time_out) * w->time_out;
	int n = x->n_appt;
	assert(n >= __builtin_popcountll(x->mask));
	if (p->max_appts_per_day >= 0 && n > p->max_appts_per_day)
		x->t2 += (n - p->max_appts_per_day) * w->appointments;
	int people = sv_people(p, x->pracs);
	if (p->max_unfam_day >= 0 && people > p->max_unfam_day)
		x->t2 += (people - p->max_unfam_day) * w->unfamiliar_day;
}

/* a no worse than b in every tier, by the order of the tiers */
static int lex_le(const struct label *a, const struct label *b)
{
	if (a->t1 != b->t1)
		return a->t1 < b->t1;
	if (fabs(a->t2 - b->t2) > EPS)
		return a->t2 < b->t2;
	return a->cost <= b->cost + EPS;
}

static int dominates(const struct profile *p, const struct label *a, const struct label *b)
{
	(void)p;
	return lex_le(a, b) && a->energy <= b->energy + EPS &&
	       a->time_out <= b->time_out && a->changes <= b->changes &&
	       (a->depart < 0 ? b->depart < 0 : b->depart < 0 || a->depart >= b->depart) &&
	       (a->rmask & b->rmask) == b->rmask;
}

static uint64_t bucket_hash(int q, uint64_t mask, uint64_t pattern)
{
	uint64_t h = (uint64_t)(unsigned)q * 0x9e3779b97f4a7c15ULL;
	h ^= mask + 0xbf58476d1ce4e5b9ULL + (h << 6) + (h >> 2);
	h ^= pattern + 0x94d049bb133111ebULL + (h << 6) + (h >> 2);
	return h ^ (h >> 31);
}

/* The bucket of (q, mask, pattern) in c's index, made if absent. The table
 * keeps under half full. */
static struct dg_bucket *bucket(struct day_ctx *c, int q, uint64_t mask, uint64_t pattern)
{
	if (2 * (c->n_bk + 1) > c->cap_bk) {
		size_t cap = c->cap_bk ? 2 * c->cap_bk : 1024;
		struct dg_bucket *t = xmalloc(cap * sizeof *t);
		for (size_t k = 0; k < cap; k++)
			t[k].item = -1;
		for (size_t k = 0; k < c->cap_bk; k++) {
			const struct dg_bucket *b = &c->bk[k];
			if (b->item < 0)
				continue;
			size_t h = bucket_hash(b->item, b->mask, b->pattern) & (cap - 1);
			while (t[h].item >= 0)
				h = (h + 1) & (cap - 1);
			t[h] = *b;
		}
		free(c->bk);
		c->bk = t;
		c->cap_bk = cap;
	}
	size_t h = bucket_hash(q, mask, pattern) & (c->cap_bk - 1);
	for (;; h = (h + 1) & (c->cap_bk - 1)) {
		struct dg_bucket *b = &c->bk[h];
		if (b->item < 0) {
			*b = (struct dg_bucket){ mask, pattern, q, -1 };
			c->n_bk++;
			return b;
		}
		if (b->item == q && b->mask == mask && b->pattern == pattern)
			return b;
	}
}

/* Keep x at item q unless a label there with the same appointments at the
 * same venues dominates it; drop those it dominates. Returns 0, 1 when the
 * budget ran out, -1 out of memory. */
static int add_label(struct day_ctx *c, int q, const struct label *x)
{
	struct dg_bucket *b = bucket(c, q, x->mask, x->pattern);
	for (int k = b->head; k >= 0; k = c->lab[k].same) {
		struct label *y = &c->lab[k];
		if (y->dead)
			continue;
		if (dominates(c->s.p, y, x))
			return 0;
		if (dominates(c->s.p, x, y))
			y->dead = 1;
	}
	size_t cap = c->budget && c->budget->max_labels ? c->budget->max_labels : DG_MAX_LABELS;
	int rc = sv_label_push(c, q, x, cap);
	if (rc == 0) {
		c->lab[c->n_lab - 1].same = b->head;
		b->head = (int)(c->n_lab - 1);
	}
	return rc;
}

/* Room for one more label in c->lab, whose bound is cap. A small search
 * (most families: a batch worker's persons) grows the array as any other,
 * on the heap it reuses; one that passes DG_LARGE_LABELS moves into
 * memory in 2 MiB pages (xmalloc_large), four times as large at each step
 * up to its bound, so that a large search is faulted in few large pages
 * and copied rarely. (Asking for the bound at once would cost nothing
 * but address space, except under MALLOC_PERTURB_, which meson test sets:
 * glibc then writes the whole block.) */
static void label_room(struct day_ctx *c, size_t cap)
{
	if (c->n_lab < c->cap_lab)
		return;
	if (2 * c->cap_lab < DG_LARGE_LABELS) {
		buf_reserve((void **)&c->lab, &c->cap_lab, c->n_lab + 1, sizeof *c->lab);
		return;
	}
	size_t want = 4 * c->cap_lab;
	if (want > cap)
		want = cap;
	if (want < c->n_lab + 1)
		want = c->n_lab + 1;
	struct label *big = xmalloc_large(want, sizeof *big);
	if (c->n_lab)
		memcpy(big, c->lab, c->n_lab * sizeof *big);
	free(c->lab);
	c->lab = big;
	c->cap_lab = want;
}

int sv_label_push(struct day_ctx *c, int q, const struct label *x, size_t cap)
{
	size_t made = c->n_lab;
	if (c->shared) {
		/* this search's labels reach the other threads' count 1,024 at a time */
		if ((c->n_lab & 1023) == 0 && c->n_lab > c->flushed) {
			atomic_fetch_add(c->shared, c->n_lab - c->flushed);
			c->flushed = c->n_lab;
		}
		made += atomic_load_explicit(c->shared, memory_order_relaxed) - c->flushed;
	}
	if (made >= cap || ((c->n_lab & 1023) == 0 && sv_budget_over(c->budget))) {
		c->cut = 1;
		return 1;
	}
	label_room(c, cap);
	struct label *n = &c->lab[c->n_lab++];
	*n = *x;
	n->item = q;
	n->next = -1;
	if (c->head) {   /* daygen's chains (pricing keeps its own) */
		n->next = c->head[q];
		c->head[q] = (int)(c->n_lab - 1);
	}
	return 0;
}

static int item_end_cmp(const void *x, const void *y)
{
	const struct sv_item *a = x, *b = y;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	int c = memcmp(a->appt, b->appt, sizeof a->appt);
	if (c)
		return c;
	if (a->venue != b->venue)
		return a->venue < b->venue ? -1 : 1;
	return memcmp(a->cand, b->cand, sizeof a->cand);
}

/* A finished day plan before the Pareto filter. */
struct fin {
	struct label l;
	int label;                /* the last label (-1: the empty day) */
	double energy;
};

/* A finished plan's sort key, small so that sorting moves little. */
struct fin_key {
	uint64_t mask, pattern;
	double t2, cost, energy;
	int t1, idx;              /* idx: into the finished plans */
};

/* The finished plans of a day and their keys: memory kept from one day to
 * the next (large ones come from xmalloc_large, whose pages the kernel
 * clears when first touched: asking again each day cleared megabytes a
 * day). */
struct dg_scratch {
	struct fin *fins;
	struct fin_key *key;
	size_t cap;
};

/* sc holds at least n finished plans and keys (their contents are not kept). */
static void scratch_reserve(struct dg_scratch *sc, size_t n)
{
	if (n <= sc->cap)
		return;
	size_t cap = n > 2 * sc->cap ? n : 2 * sc->cap;
	free(sc->fins);
	free(sc->key);
	if (cap < DG_LARGE_LABELS) {   /* a small search's: on the heap, reused */
		sc->fins = xmalloc(cap * sizeof *sc->fins);
		sc->key = xmalloc(cap * sizeof *sc->key);
	} else {
		sc->fins = xmalloc_large(cap, sizeof *sc->fins);
		sc->key = xmalloc_large(cap, sizeof *sc->key);
	}
	sc->cap = cap;
}

static int fin_cmp(const void *x, const void *y)
{
	const struct fin_key *a = x, *b = y;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
	if (a->pattern != b->pattern)
		return a->pattern < b->pattern ? -1 : 1;
	if (a->t1 != b->t1)
		return a->t1 < b->t1 ? -1 : 1;
	if (a->t2 != b->t2)
		return a->t2 < b->t2 ? -1 : 1;
	if (a->cost != b->cost)
		return a->cost < b->cost ? -1 : 1;
	if (a->energy != b->energy)
		return a->energy < b->energy ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);   /* idx follows the label */
}

static int pick_cmp(const void *x, const void *y)
{
	const struct sv_pick *a = x, *b = y;
	return (a->appt > b->appt) - (a->appt < b->appt);
}

/* ---- valuing a day plan exactly ---- */

/* Tiers 1 and 2 of col's day from the problems ps of its moved week mv
 * (plan pl), and whether a moved appointment is in an impossibility. */
static void day_tiers(const struct instance *in, const struct plan *pl, const struct week *mv,
		      const struct problems *ps, struct sv_col *col)
{
	col->impossible = 0;
	col->compromise = 0;
	col->bad = 0;
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *x = &ps->v[i];
		if (x->day != col->day || x->week_wide)
			continue;
		int tier = plan_kind_tier(x->kind);
		if (tier == 1 && sv_problem_moves(in, pl, mv, x) >= 0)
			col->bad = 1;   /* a move may never make an impossibility */
		if (tier == 1)
			col->impossible++;
		if (tier == 2) {
			const char *unit;
			double wgt, size = sv_compromise_size(mv, x, &unit, &wgt);
			col->compromise += size * wgt;
		}
	}
}

/* Tier 3 of col's day (place: its placements' own costs) and the
 * resources the master's rows read, from its moved week mv. */
static void day_terms(const struct week *mv, double place, struct sv_col *col)
{
	const struct profile *p = mv->p;
	const struct prof_weights *wt = &p->weights;
	const struct wk_day *dd = &mv->days[col->day];
	col->cost = place + wt->journeys * dd->journeys + wt->travel_minutes * dd->travel_min +
		    wt->travel_money * dd->travel_cost + wt->unfamiliar * sv_day_people(mv, (size_t)col->day);
	for (size_t i = 0; i < mv->n_routines; i++) {
		const struct wk_routine *r = &mv->routines[i];
		if (r->day == col->day && r->start >= 0)
			col->cost += wt->routine_shift * (r->start - p->routines[r->routine].starts[r->window].from);
	}
	col->energy = dd->energy;
	col->journeys = dd->journeys;
	col->travel_min = dd->travel_min;
	col->travel_cost = dd->travel_cost;
	col->time_out = dd->time_out;
	col->unfamiliar = 0;
	for (size_t k = dd->first; k < dd->first + dd->n; k++) {
		int pr = mv->appts[k].prac;
		if (!p->pracs[pr].familiar)
			col->unfamiliar |= (uint64_t)1 << pr;
	}
}

/* Whether col makes a joint session by a move (a candidate other than
 * cand[0], the current placement) that one of its practitioners is not
 * free for, all of it. */
static int joint_not_free(const struct instance *in, const struct sv_cols *cols, const struct sv_col *col)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	for (int a = 0; a < col->n; a++) {
		const struct sv_pick *x = &cols->pick[col->first + (size_t)a];
		if (x->cand == 0)
			continue;
		const struct placement *px = &in->a[x->appt].cand[x->cand];
		for (int b = 0; b < col->n; b++) {
			const struct sv_pick *y = &cols->pick[col->first + (size_t)b];
			const struct placement *py = &in->a[y->appt].cand[y->cand];
			const struct wk_appt *ax = &w->appts[in->a[x->appt].appt], *ay = &w->appts[in->a[y->appt].appt];
			if (a == b || px->start != py->start || px->venue != py->venue || px->venue < 0 ||
			    !profile_joint(p, ax->prac, ay->prac))
				continue;
			int dur = in->a[x->appt].duration > in->a[y->appt].duration ? in->a[x->appt].duration
										  : in->a[y->appt].duration;
			int64_t us = week_utc(w, px->day, px->start), ue = week_utc(w, px->day, px->start + dur);
			if (week_busy(w, ax->prac, us, ue) || week_busy(w, ay->prac, us, ue))
				return 1;
		}
	}
	return 0;
}

int sv_day_value(const struct instance *in, const struct sv_cols *cols, struct sv_col *col,
		 struct diag *d)
{
	struct plan pl = { xcalloc(in->n + 1, sizeof *pl.at), in->n };
	for (size_t i = 0; i < in->n; i++)
		pl.at[i].day = -1;
	double place = 0;
	col->changes = 0;
	for (int k = 0; k < col->n; k++) {
		const struct sv_pick *pk = &cols->pick[col->first + (size_t)k];
		assert(pk->appt >= 0 && (size_t)pk->appt < in->n && pk->cand >= 0 &&
		       (size_t)pk->cand < in->a[pk->appt].n_cand);
		int changed;
		pl.at[pk->appt] = in->a[pk->appt].cand[pk->cand];
		place += sv_place_cost(in, (size_t)pk->appt, (size_t)pk->cand, &changed);
		col->changes += changed;
	}
	struct week mv;
	struct problems ps;
	if (plan_week(in, &pl, &mv, d) < 0) {
		free(pl.at);
		return -1;
	}
	if (check_week_quiet(&mv, &ps, d) < 0) {
		free(pl.at);
		week_release(&mv);
		return -1;
	}
	day_tiers(in, &pl, &mv, &ps, col);
	day_terms(&mv, place, col);
	/* a joint session a move makes: every practitioner free for all of it */
	if (!col->bad)
		col->bad = joint_not_free(in, cols, col);
	free(pl.at);
	problems_release(&ps);
	week_release(&mv);
	return 0;
}

static uint64_t picks_pattern(const struct instance *in, const struct sv_pick *pk, int n)
{
	uint64_t h = 0;
	for (int k = 0; k < n; k++)
		h += pair_hash(pk[k].appt, in->a[pk[k].appt].cand[pk[k].cand].venue);
	return h;
}

/* Append a column for day with picks (sorted here), valued; -1 on error,
 * else its index. dedupe: return an equal column of the day instead. */
static uint64_t picks_key(int day, const struct sv_pick *pk, int n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)(uint32_t)day;
	for (int k = 0; k < n; k++) {
		h = (h ^ (uint64_t)(uint32_t)pk[k].appt) * 1099511628211ull;
		h = (h ^ (uint64_t)(uint32_t)pk[k].cand) * 1099511628211ull;
	}
	return h;
}

static int same_picks(const struct sv_cols *cols, const struct sv_col *x, int day, const struct sv_pick *pk, int n)
{
	if (x->day != day || x->n != n)
		return 0;
	for (int k = 0; k < n; k++)
		if (cols->pick[x->first + (size_t)k].appt != pk[k].appt ||
		    cols->pick[x->first + (size_t)k].cand != pk[k].cand)
			return 0;
	return 1;
}

/* Put column c in the index (growing it). */
static void index_put(struct sv_cols *cols, size_t c)
{
	if ((cols->n + 1) * 2 > cols->index_cap) {
		size_t cap = cols->index_cap ? cols->index_cap * 2 : 1024;
		while (cap < (cols->n + 1) * 2)
			cap *= 2;
		size_t *ix = xcalloc(cap, sizeof *ix);
		free(cols->index);
		cols->index = ix;
		cols->index_cap = cap;
		for (size_t k = 0; k < cols->n; k++) {
			if (k == c)
				continue;
			size_t h = (size_t)cols->v[k].key & (cap - 1);
			while (ix[h])
				h = (h + 1) & (cap - 1);
			ix[h] = k + 1;
		}
	}
	size_t h = (size_t)cols->v[c].key & (cols->index_cap - 1);
	while (cols->index[h])
		h = (h + 1) & (cols->index_cap - 1);
	cols->index[h] = c + 1;
}

/* Append a column for day with picks (sorted here), valued; -1 on error,
 * else its index. dedupe: return an equal column of the day instead. */
static long add_col(const struct instance *in, struct sv_cols *cols, int day, const struct sv_pick *picks,
		    int n, int dedupe, struct diag *d)
{
	struct sv_pick tmp[DG_MAX_LOCAL * DG_MAX_JOINT + 1];
	assert(n >= 0 && (size_t)n <= sizeof tmp / sizeof *tmp);
	if (n)
		memcpy(tmp, picks, (size_t)n * sizeof *tmp);
	if (n > 1)
		qsort(tmp, (size_t)n, sizeof *tmp, pick_cmp);
	uint64_t key = picks_key(day, tmp, n);
	if (dedupe && cols->index_cap) {
		for (size_t h = (size_t)key & (cols->index_cap - 1); cols->index[h]; h = (h + 1) & (cols->index_cap - 1)) {
			const struct sv_col *x = &cols->v[cols->index[h] - 1];
			if (x->key == key && same_picks(cols, x, day, tmp, n))
				return (long)(cols->index[h] - 1);
		}
	}
	struct sv_col *col = BUF_PUSH(cols->v, cols->n, cols->cap);
	if (!col)
		goto oom;
	memset(col, 0, sizeof *col);
	col->day = day;
	col->key = key;
	col->first = cols->n_pick;
	for (int k = 0; k < n; k++) {
		struct sv_pick *pk = BUF_PUSH(cols->pick, cols->n_pick, cols->cap_pick);
		if (!pk)
			goto oom;
		*pk = tmp[k];
	}
	col->n = n;
	col->pattern = picks_pattern(in, tmp, n);
	if (sv_day_value(in, cols, col, d) < 0) {
		cols->n--;
		cols->n_pick = col->first;
		return -1;
	}
	index_put(cols, cols->n - 1);
	return (long)(cols->n - 1);
oom:
	diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
	return -1;
}

long sv_cols_add(const struct instance *in, struct sv_cols *cols, int day,
		 const struct sv_pick *picks, int n, struct diag *d)
{
	return add_col(in, cols, day, picks, n, 1, d);
}

/* A day plan the listing keeps: its picks, one after another in its day's
 * list (first, n), and its tiers as the search valued them. */
struct dg_plan {
	size_t first;
	int n, t1;
	double t2, cost;
};

/* One day of the listing: searched in any thread, its plans then made
 * columns in the order of the days, so that the columns are the same
 * whatever the threads. */
struct dg_day {
	struct day_ctx c;         /* its search (labels: the worker's, while it runs) */
	struct dg_plan *plans;    /* the plans worth a column, in the Pareto filter's order */
	size_t n_plans, cap_plans;
	struct sv_pick *picks;
	size_t n_picks, cap_picks;
	size_t labels;            /* labels made */
	int oom;                  /* out of memory */
};

/* Make day plan pl of day dd a column (valued by sv_day_value), counting
 * it when the search valued it otherwise. Returns 0, or -1 with d filled. */
static int emit(const struct instance *in, struct sv_cols *cols, const struct dg_day *dd,
		const struct dg_plan *pl, struct diag *d)
{
	/* (the empty day has no picks, and dd->picks may be NULL) */
	long ix = add_col(in, cols, dd->c.s.day, pl->n ? dd->picks + pl->first : NULL, pl->n, 0, d);
	if (ix < 0)
		return -1;
	const struct sv_col *col = &cols->v[ix];
	if (col->impossible != pl->t1 || fabs(col->compromise - pl->t2) > 1e-6 * (1 + fabs(col->compromise)) ||
	    fabs(col->cost - pl->cost) > 1e-6 * (1 + fabs(col->cost)))
		cols->mismatches++;
	return 0;
}

int sv_day_build(const struct instance *in, int day, struct sv_day *s, struct diag *d)
{
	return sv_day_build_some(in, day, NULL, s, d);
}

int sv_day_build_some(const struct instance *in, int day, const unsigned char *allow, struct sv_day *s,
		      struct diag *d)
{
	memset(s, 0, sizeof *s);
	s->in = in;
	s->p = in->w->p;
	s->day = day;
	s->d = d;
	s->allow = allow;
	int rc = build_items(s);
	if (rc < 0 || routines_of_day(s) < 0) {
		sv_day_release(s);
		return -1;
	}
	if (s->n_it > 1)
		qsort(s->it, s->n_it, sizeof *s->it, item_end_cmp);
	/* a label's masks hold the local appointments and the routines */
	assert(s->n_local <= 64 && s->n_r <= 32);
	return rc;
}

void sv_day_release(struct sv_day *s)
{
	free(s->it);
	free(s->local);
	s->it = NULL;
	s->local = NULL;
	s->n_it = s->cap_it = 0;
}

/* Whether a session may follow another in one day plan: no shared
 * appointment, and, unless both are as booked, time to travel between. */
static int may_follow(const struct profile *p, const struct sv_item *pi, const struct sv_item *q, int *t1)
{
	*t1 = 0;
	if (pi->mask & q->mask)
		return 0;
	int gap = q->start - pi->last_end;
	if (pi->exit_venue >= 0 && q->venue >= 0 && pi->exit_venue != q->venue &&
	    profile_travel(p, pi->exit_venue, q->venue) > gap) {
		if (!(pi->cur && q->cur))
			return 0;
		*t1 = 1;   /* as booked: a travel problem left as it is */
	}
	return 1;
}

/* A live label of a finished session, as the search reads it for each
 * later session: its appointments first, so that the many it cannot
 * extend (it holds the session's appointment already) are passed over
 * without reading the label itself. */
struct dg_live {
	uint64_t mask;
	int lab;
};

/* The label-setting search of the day from root: each session, in end
 * order, after every live label of the sessions that may come before it.
 * A session's labels are all made while it is the one extended to, and
 * only labels of the same session dominate one another: so once it is
 * passed, its live labels are final, and they are listed (in its chain's
 * order, so that the search makes the same labels in the same order) for
 * the sessions after it. Returns 0 (a bound may have cut it short:
 * c->cut), or -1 out of memory. */
static int grow_labels(struct day_ctx *c, const struct label *root)
{
	const struct profile *p = c->s.p;
	int rc = 0;
	size_t n_it = c->s.n_it, n_live = 0, cap_live = 0;
	struct dg_live *live = NULL;
	size_t *first = xmalloc((n_it + 1) * sizeof *first);
	for (size_t qi = 0; qi < n_it && rc == 0; qi++) {
		const struct sv_item *q = &c->s.it[qi];
		assert(qi == 0 || c->s.it[qi - 1].end <= q->end);   /* in end order: predecessors are a prefix */
		struct label x;
		sv_step(c, root, q, &x);
		x.parent = -1;
		if ((rc = add_label(c, (int)qi, &x)) < 0)
			break;
		/* predecessors: sessions that end by q's start (a prefix in end order) */
		for (size_t pj = 0; pj < qi && c->s.it[pj].end <= q->start && rc == 0; pj++) {
			const struct sv_item *pi = &c->s.it[pj];
			int t1;
			if (first[pj] == first[pj + 1] || !may_follow(p, pi, q, &t1))
				continue;
			for (size_t a = first[pj]; a < first[pj + 1] && rc == 0; a++) {
				if (live[a].mask & q->mask)
					continue;
				int k = live[a].lab;
				const struct label *L = &c->lab[k];
				assert(!L->dead);
				sv_step(c, L, q, &x);
				x.t1 += t1;
				x.parent = k;
				rc = add_label(c, (int)qi, &x);
			}
		}
		if (rc < 0)
			break;
		/* q is passed: its live labels, for the sessions after it */
		first[qi] = n_live;
		for (int k = c->head[qi]; k >= 0; k = c->lab[k].next)
			if (!c->lab[k].dead) {
				buf_reserve((void **)&live, &cap_live, n_live + 1, sizeof *live);
				live[n_live++] = (struct dg_live){ c->lab[k].mask, k };
			}
		first[qi + 1] = n_live;
	}
	free(live);
	free(first);
	return rc < 0 ? -1 : 0;
}

/* Close every live label, and the empty day (root), into fins (room for
 * c->n_lab + 1); their count in *n_fin. */
static void close_labels(struct day_ctx *c, const struct label *root, struct fin *fins, size_t *n_fin)
{
	*n_fin = 0;
	for (long k = -1; k < (long)c->n_lab; k++) {
		const struct label *L = k < 0 ? root : &c->lab[k];
		struct label x;
		if (k >= 0 && L->dead)
			continue;
		sv_step(c, L, NULL, &x);
		sv_finish(c, &x);
		struct fin *f = &fins[(*n_fin)++];
		assert(*n_fin <= c->n_lab + 1);
		f->l = x;
		f->label = (int)k;
		f->energy = sv_label_energy(c->s.p, &x);
	}
}

/* Keep, in dd, each finished plan that no other with the same
 * appointments at the same venues beats on the tiers, energy and changes
 * (the master bounds the changes: the ladder, --max-changes; and the peak
 * energy), with its picks read from its labels. */
static void keep_pareto(struct day_ctx *c, struct dg_day *dd, struct fin *fins, struct fin_key *key,
			size_t n_fin)
{
	/* sorted by key: a label is large */
	for (size_t i = 0; i < n_fin; i++) {
		const struct fin *f = &fins[i];
		key[i] = (struct fin_key){ f->l.mask, f->l.pattern, f->l.t2, f->l.cost, f->energy, f->l.t1, (int)i };
	}
	if (n_fin > 1)
		qsort(key, n_fin, sizeof *key, fin_cmp);
	for (size_t i = 0; i < n_fin;) {
		size_t j = i;
		while (j < n_fin && key[j].mask == key[i].mask && key[j].pattern == key[i].pattern)
			j++;
		for (size_t a = i; a < j; a++) {
			struct fin *fa = &fins[key[a].idx];
			int beaten = 0;
			for (size_t b = i; b < a && !beaten; b++) {
				const struct fin *fb = &fins[key[b].idx];
				beaten = !fb->l.dead && lex_le(&fb->l, &fa->l) && fb->energy <= fa->energy + EPS &&
					 fb->l.changes <= fa->l.changes;
			}
			if (beaten) {
				fa->l.dead = 1;
				continue;
			}
			struct dg_plan *pl = BUF_PUSH(dd->plans, dd->n_plans, dd->cap_plans);
			*pl = (struct dg_plan){ dd->n_picks, 0, fa->l.t1, fa->l.t2, fa->l.cost };
			for (int k = fa->label; k >= 0; k = c->lab[k].parent) {
				const struct sv_item *x = &c->s.it[c->lab[k].item];
				for (int m = 0; m < x->n; m++) {
					assert(pl->n < DG_MAX_LOCAL * DG_MAX_JOINT);
					*BUF_PUSH(dd->picks, dd->n_picks, dd->cap_picks) =
						(struct sv_pick){ x->appt[m], x->cand[m] };
					pl->n++;
				}
			}
		}
		i = j;
	}
}

/* One thread's memory for its days' searches, kept from one day to the
 * next (large blocks come from xmalloc_large, whose pages the kernel
 * clears when first touched: asking again each day cleared megabytes a
 * day). */
struct dg_worker {
	struct label *lab;
	size_t cap_lab;
	struct dg_bucket *bk;
	size_t cap_bk;
	struct dg_scratch sc;
};

/* The listing's days and the work the threads share: the days in the
 * order they are taken (the most sessions first), the next to take, and
 * the labels made so far (the bound is on them all). */
struct dg_next {
	size_t n_it, day;
};
struct dg_list {
	const struct instance *in;
	const struct sv_budget *budget;
	struct dg_day *days;
	struct dg_next *order;
	size_t n_order;
	atomic_size_t next;
	atomic_size_t labels;
};

/* Search day dd with wk's memory: every day plan of the day worth a
 * column into dd (unless the search is cut short: then dd->c.cut, and
 * column generation takes over). */
static void search_day(struct dg_list *ls, struct dg_worker *wk, struct dg_day *dd)
{
	struct day_ctx *c = &dd->c;
	if (sv_budget_over(ls->budget)) {
		c->cut = 1;
		return;
	}
	c->lab = wk->lab;
	c->cap_lab = wk->cap_lab;
	c->n_lab = 0;
	c->bk = wk->bk;
	c->cap_bk = wk->cap_bk;
	c->n_bk = 0;
	for (size_t k = 0; k < c->cap_bk; k++)
		c->bk[k].item = -1;
	c->budget = ls->budget;
	c->shared = &ls->labels;
	c->flushed = 0;
	c->head = xmalloc((c->s.n_it + 1) * sizeof *c->head);
	for (size_t i = 0; i < c->s.n_it; i++)
		c->head[i] = -1;
	struct label root;
	memset(&root, 0, sizeof root);
	root.item = root.parent = root.next = -1;
	root.depart = -1;
	if (grow_labels(c, &root) < 0)
		dd->oom = 1;
	atomic_fetch_add(&ls->labels, c->n_lab - c->flushed);
	c->flushed = c->n_lab;
	dd->labels = c->n_lab;
	if (!c->cut) {
		size_t n_fin = 0;
		scratch_reserve(&wk->sc, c->n_lab + 1);
		close_labels(c, &root, wk->sc.fins, &n_fin);
		keep_pareto(c, dd, wk->sc.fins, wk->sc.key, n_fin);
	}
	free(c->head);
	c->head = NULL;
	wk->lab = c->lab;
	wk->cap_lab = c->cap_lab;
	wk->bk = c->bk;
	wk->cap_bk = c->cap_bk;
	c->lab = NULL;
	c->bk = NULL;
}

/* A thread of the listing: days in ls's order until none is left. */
static void *list_days(void *arg)
{
	struct dg_list *ls = arg;
	struct dg_worker wk;
	memset(&wk, 0, sizeof wk);
	for (;;) {
		size_t k = atomic_fetch_add(&ls->next, 1);
		if (k >= ls->n_order)
			break;
		search_day(ls, &wk, &ls->days[ls->order[k].day]);
	}
	free(wk.lab);
	free(wk.bk);
	free(wk.sc.fins);
	free(wk.sc.key);
	return NULL;
}

static int overlap_pair(const struct instance *in, size_t i, size_t j)
{
	const struct placement *a = &in->a[i].current, *b = &in->a[j].current;
	const struct wk_appt *x = &in->w->appts[in->a[i].appt], *y = &in->w->appts[in->a[j].appt];
	return a->day == b->day && a->start < b->start + in->a[j].duration &&
	       b->start < a->start + in->a[i].duration && !week_joint(in->w, x, y);
}

/* The day as booked, and, when appointments clash as booked, each subset of
 * them that holds a clashing pair (the search reads only days without
 * overlaps). */
static int as_booked(const struct instance *in, int day, struct sv_cols *cols, struct diag *d)
{
	enum { MAX_DAY = DG_MAX_LOCAL * DG_MAX_JOINT };
	size_t idx[MAX_DAY];
	struct sv_pick picks[MAX_DAY] = { { 0, 0 } };
	int n = 0;
	for (size_t i = 0; i < in->n; i++) {
		if (in->a[i].current.day != day)
			continue;
		if (n >= MAX_DAY) {
			char b[32];
			snprintf(b, sizeof b, "%d", MAX_DAY);
			diag_add(d, D_LIM_INSTANCE, NULL, 0, 0, b, "appointments booked on one day");
			return -1;
		}
		picks[n] = (struct sv_pick){ (int)i, 0 };
		idx[n++] = i;
	}
	/* the whole day as booked: always a plan */
	if (sv_cols_add(in, cols, day, picks, n, d) < 0)
		return -1;
	int clash = 0;
	for (int a = 0; a < n && !clash; a++)
		for (int b = a + 1; b < n && !clash; b++)
			clash = overlap_pair(in, idx[a], idx[b]);
	if (!clash)
		return 0;
	if (n > DG_MAX_CURRENT_SUBSETS) {
		cols->cut = 1;
		return 0;
	}
	for (unsigned long sub = 1; sub < (1ul << n); sub++) {
		int has = 0, k = 0;
		for (int a = 0; a < n; a++) {
			if (!(sub >> a & 1))
				continue;
			picks[k++] = (struct sv_pick){ (int)idx[a], 0 };
			for (int b = a + 1; b < n && !has; b++)
				has = (sub >> b & 1) && overlap_pair(in, idx[a], idx[b]);
		}
		if (has && sv_cols_add(in, cols, day, picks, k, d) < 0)
			return -1;
	}
	return 0;
}

int sv_as_booked(const struct instance *in, struct sv_cols *cols, struct diag *d)
{
	for (size_t day = 0; day < in->w->n_days; day++)
		if (as_booked(in, (int)day, cols, d) < 0)
			return -1;
	return 0;
}

/* Days with more sessions first; then by day. */
static int order_cmp(const void *x, const void *y)
{
	const struct dg_next *a = x, *b = y;
	if (a->n_it != b->n_it)
		return a->n_it > b->n_it ? -1 : 1;
	return (a->day > b->day) - (a->day < b->day);
}


/* The listing of the days `pick` marks (NULL: all), over the appointments
 * `allow` marks (NULL: all), into cols: every plan of each day searched to
 * its end (dedupe: unless cols has it already), and (as_booked) each day's
 * plans as booked; nothing when a search is cut (*cut, and cols->labels
 * counts the labels). Returns the columns added, or -1 with d filled. */
static long list_some(const struct instance *in, const unsigned char *pick, const unsigned char *allow,
		      const struct sv_budget *b, int threads, struct sv_cols *cols, int dedupe, int booked,
		      int *cut, struct diag *d)
{
	size_t n_days = in->w->n_days, n0 = cols->n, labels = 0;
	struct dg_list ls = { in, b, xcalloc(n_days + 1, sizeof *ls.days), xcalloc(n_days + 1, sizeof *ls.order),
			      0, 0, 0 };
	int rc = 0;
	*cut = 0;
	/* each day's sessions (here: a bound passed is said in d) */
	for (size_t day = 0; day < n_days && rc == 0 && !*cut; day++) {
		if (pick && !pick[day])
			continue;
		rc = sv_day_build_some(in, (int)day, allow, &ls.days[day].c.s, d);
		if (rc > 0) {
			*cut = 1;   /* too many appointments could be on this day */
			rc = 0;
		} else if (rc == 0 && ls.days[day].c.s.n_it > 0) {
			ls.order[ls.n_order++] = (struct dg_next){ ls.days[day].c.s.n_it, day };
		}
	}
	if (rc == 0 && !*cut) {
		qsort(ls.order, ls.n_order, sizeof *ls.order, order_cmp);
		sv_parallel(list_days, &ls, threads, ls.n_order);
		/* the bound is on every day's labels: a search passes it alone,
		 * or they do together, whatever the threads */
		size_t cap = b && b->max_labels ? b->max_labels : DG_MAX_LABELS;
		for (size_t day = 0; day < n_days; day++) {
			const struct dg_day *dd = &ls.days[day];
			labels += dd->labels;
			if (dd->c.cut)
				*cut = 1;
			if (dd->oom) {
				diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
				rc = -1;
			}
		}
		if (labels > cap)
			*cut = 1;
	}
	cols->labels += labels;
	/* the columns, day by day (the same whatever the threads) */
	for (size_t day = 0; day < n_days && rc == 0 && !*cut; day++) {
		const struct dg_day *dd = &ls.days[day];
		if (pick && !pick[day])
			continue;
		for (size_t k = 0; k < dd->n_plans && rc == 0; k++)
			rc = dedupe ? (add_col(in, cols, day, dd->plans[k].n ? dd->picks + dd->plans[k].first : NULL,
					       dd->plans[k].n, 1, d) < 0 ? -1 : 0)
				    : emit(in, cols, dd, &dd->plans[k], d);
		if (rc == 0 && booked)
			rc = as_booked(in, (int)day, cols, d);
	}
	for (size_t day = 0; day < n_days; day++) {
		sv_day_release(&ls.days[day].c.s);
		free(ls.days[day].plans);
		free(ls.days[day].picks);
	}
	free(ls.days);
	free(ls.order);
	return rc < 0 ? -1 : (long)(cols->n - n0);
}

int daygen(const struct instance *in, const struct sv_budget *b, int threads, struct sv_cols *cols,
	   struct diag *d)
{
	const struct profile *p = in->w->p;
	memset(cols, 0, sizeof *cols);
	if (p->n_pracs > PROFILE_MAX_PRACS) {
		diag_add(d, D_LIM_INSTANCE, NULL, 0, 0, DV_STR(PROFILE_MAX_PRACS), "practitioners in one profile");
		return -1;
	}
	int cut;
	long rc = list_some(in, NULL, NULL, b, threads, cols, 0, 1, &cut, d);
	cols->cut = cut;
	if (rc < 0)
		cols_release(cols);
	return rc < 0 ? -1 : 0;
}

long sv_list_some(const struct instance *in, const unsigned char *pick, const unsigned char *allow,
		  const struct sv_budget *b, int threads, struct sv_cols *cols, int *cut, struct diag *d)
{
	assert(pick && allow);
	return list_some(in, pick, allow, b, threads, cols, 1, 0, cut, d);
}

void cols_release(struct sv_cols *c)
{
	if (!c)
		return;
	free(c->v);
	free(c->pick);
	free(c->index);
	free(c->way);
	free(c->crit);
	memset(c, 0, sizeof *c);
}
