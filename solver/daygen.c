/* daygen.c: exact day-plan generation: a label-setting search over each day's sessions, reading a day exactly as check() does. */
#include "internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

#define NEG (INT_MIN / 4)
#define POS (INT_MAX / 4)
#define EPS 1e-9

/* A partial day plan ending with session `item` (-1: none yet). */
struct label {
	int item, parent, next;
	uint64_t mask, pracs;
	uint32_t rmask;           /* routine instances already fitted */
	int depart;               /* when the current outing began; -1 at home */
	int time_out, journeys, travel_min;
	int changes;              /* sessions' appointments moved (for bounds on changes) */
	double travel_cost, appt_energy, cost;
	unsigned char dead;
};

struct day_ctx {
	struct sv_day s;          /* the day's sessions and routines */
	struct label *lab;
	size_t n_lab, cap_lab;
	int *head;                /* per item: first label, -1 */
};

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
	for (size_t k = 0; k < p->n_pracs && k < 64; k++)
		if ((pracs >> k & 1) && !p->pracs[k].familiar)
			n += p->pracs[k].people;
	return n;
}

static int popcount64(uint64_t x)
{
	int n = 0;
	for (; x; x &= x - 1)
		n++;
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

static int when_in(const struct prof_when *v, size_t n, unsigned wd, int s, int e, int inside)
{
	for (size_t k = 0; k < n; k++) {
		if (!(v[k].days & wd))
			continue;
		if (inside ? (v[k].times.from <= s && e <= v[k].times.to)
			   : overlaps(s, e, v[k].times.from, v[k].times.to))
			return 1;
	}
	return 0;
}

double sv_place_cost(const struct instance *in, size_t i, size_t c, int *changed)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	const struct prof_weights *wt = &p->weights;
	const struct sv_appt *sa = &in->a[i];
	const struct placement *pl = &sa->cand[c], *cur = &sa->current;
	double cost = 0;
	*changed = !(pl->day == cur->day && pl->start == cur->start && pl->venue == cur->venue);
	if (*changed) {
		int dd = pl->day > cur->day ? pl->day - cur->day : cur->day - pl->day;
		cost += wt->change + wt->change_day * dd + (pl->venue != cur->venue ? wt->change_venue : 0);
	}
	unsigned wd = w->days[pl->day].wd;
	int s = pl->start, e = pl->start + sa->duration;
	if (when_in(p->avoid, p->n_avoid, wd, s, e, 0))
		cost += wt->preference;
	if (p->n_preferred && !when_in(p->preferred, p->n_preferred, wd, s, e, 1))
		cost += wt->preference;
	return cost;
}

static struct sv_item *new_item(struct sv_day *c)
{
	struct sv_item *x = BUF_PUSH(c->it, c->n_it, c->cap_it);
	if (x)
		memset(x, 0, sizeof *x);
	return x;
}

static void add_member(struct sv_day *c, struct sv_item *x, size_t i, size_t k)
{
	const struct sv_appt *sa = &c->in->a[i];
	const struct wk_appt *a = &c->in->w->appts[sa->appt];
	int changed;
	x->appt[x->n] = (int)i;
	x->cand[x->n] = (int)k;
	x->n++;
	x->mask |= (uint64_t)1 << i;
	x->pracs |= (uint64_t)1 << a->prac;
	x->cost += sv_place_cost(c->in, i, k, &changed);
	x->changes += changed;
	if (a->energy > x->energy)
		x->energy = a->energy;
	int e = sa->cand[k].start + sa->duration;
	if (e > x->end)
		x->end = e;
}

/* The sessions of the day: every usable candidate, and every joint
 * session the practitioners agree to and can all attend. */
static int build_items(struct sv_day *c)
{
	const struct instance *in = c->in;
	const struct profile *p = c->p;
	for (size_t i = 0; i < in->n; i++) {
		const struct sv_appt *sa = &in->a[i];
		for (size_t k = 0; k < sa->n_cand; k++) {
			if (sa->cand[k].day != c->day || !sv_cand_usable(in, i, k))
				continue;
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
			add_member(c, x, i, k);
		}
	}
	/* joint sessions: extend each session by a later appointment at the
	 * same start and venue whose practitioner agrees with all in it */
	for (size_t base = 0; base < c->n_it; base++) {
		if (c->it[base].venue < 0 || c->it[base].n >= DG_MAX_JOINT)
			continue;
		int last = c->it[base].appt[c->it[base].n - 1];
		for (size_t j = (size_t)last + 1; j < in->n; j++) {
			const struct sv_appt *sb = &in->a[j];
			int pj = in->w->appts[sb->appt].prac, agree = 1;
			for (int m = 0; m < c->it[base].n && agree; m++)
				agree = profile_joint(p, in->w->appts[in->a[c->it[base].appt[m]].appt].prac, pj);
			if (!agree)
				continue;
			for (size_t k = 0; k < sb->n_cand; k++) {
				const struct placement *pl = &sb->cand[k];
				struct sv_item b = c->it[base];
				if (pl->day != c->day || pl->start != b.start || pl->venue != b.venue ||
				    !sv_cand_usable(in, j, k))
					continue;
				add_member(c, &b, j, k);
				/* every practitioner must be free for the whole session */
				int ok = b.end <= p->day.to;
				int64_t us = week_utc(in->w, c->day, b.start), ue = week_utc(in->w, c->day, b.end);
				for (int m = 0; m < b.n && ok; m++)
					ok = !week_busy(in->w, in->w->appts[in->a[b.appt[m]].appt].prac, us, ue);
				if (!ok)
					continue;
				struct sv_item *x = new_item(c);
				if (!x)
					return -1;
				*x = b;
			}
		}
	}
	return 0;
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
			r->last = r->first > r->to ? NEG : r->first + (r->to - r->first) / slot * slot;
			r->dur = rt->duration;
			r->place = rt->place;
		}
	}
	return 0;
}

static double energy_of(const struct profile *p, const struct label *l)
{
	return l->appt_energy + l->travel_min / 60.0 * p->travel_energy_per_hour;
}

struct leg {
	int from, to, dep, arr;
	double money;
};

/*
 * Extend label L by session q (NULL: close the day, going home), as
 * plan_day() and fit_routine() read a day. Returns 1 with *out filled, or
 * 0 when the result breaks a routine or a daily limit.
 */
static int step(const struct day_ctx *c, const struct label *L, const struct sv_item *q,
		struct label *out)
{
	const struct profile *p = c->s.p;
	const struct prof_weights *wt = &p->weights;
	int home = p->home;
	const struct sv_item *pi = L->item >= 0 ? &c->s.it[L->item] : NULL;
	int at = pi ? pi->v : home;
	int free_from = pi ? pi->end : NEG;
	struct leg legs[2];
	int nl = 0;
	int home_from = NEG, home_to = NEG;   /* when the person is at home in the gap */
	int at_home = 0;                      /* ... if they are at all */
	*out = *L;
	out->next = -1;
	out->dead = 0;
	if (at != home) {
		int back = pi->back;
		int there = !q || q->v == home ? 0 : q->there;
		if (!q || q->v == home || q->start - free_from - back - there >= WEEK_HOME_STAY_MIN) {
			legs[nl++] = (struct leg){ at, home, free_from, free_from + back, pi->back_cost };
			out->time_out += free_from + back - out->depart;
			out->depart = -1;
			at = home;
			home_from = free_from + back;
			at_home = 1;
		}
	} else {
		home_from = free_from;
		at_home = 1;
	}
	if (q) {
		if (at == home && q->v != home) {
			int t = q->there;
			out->depart = q->start - t;
			out->journeys++;
			legs[nl++] = (struct leg){ home, q->v, q->start - t, q->start, q->there_cost };
			home_to = q->start - t;
		} else if (at != q->v) {
			int t = sv_travel0(p, at, q->v);
			legs[nl++] = (struct leg){ at, q->v, free_from, free_from + t,
						   profile_travel_cost(p, at, q->v) };
		} else if (at == home) {
			home_to = q->start;
		}
		uint64_t newp = q->pracs & ~out->pracs;
		out->mask |= q->mask;
		out->pracs |= q->pracs;
		/* a joint session's energy is its most tiring part's */
		out->appt_energy += q->energy;
		out->changes += q->changes;
		out->cost += q->cost + wt->unfamiliar * sv_people(p, newp);
	} else if (at == home) {
		home_to = POS;
	}
	for (int k = 0; k < nl; k++) {
		out->travel_min += legs[k].arr - legs[k].dep;
		out->cost += wt->travel_minutes * (legs[k].arr - legs[k].dep);
	}
	for (int k = 0; k < nl; k++) {
		double money = legs[k].money;
		out->travel_cost += money;
		out->cost += wt->travel_money * money;
	}
	out->cost += wt->journeys * (out->journeys - L->journeys);
	/* daily limits */
	if (energy_of(p, out) > p->energy_budget + EPS)
		return 0;
	if (p->max_time_out >= 0) {
		int lower = out->time_out;
		if (out->depart >= 0 && q)
			lower += q->end + q->back - out->depart;
		if (lower > p->max_time_out)
			return 0;
	}
	/* routines: the time up to the end of q is now settled */
	int lower = pi ? pi->end : NEG, upper = q ? q->end : POS;
	for (int ri = 0; ri < c->s.n_r; ri++) {
		if (out->rmask >> ri & 1)
			continue;
		const struct sv_rinst *r = &c->s.r[ri];
		int fitted = 0;
		for (int s = r->first; s <= r->to; s += p->slot) {
			int e = s + r->dur;
			if (s < lower)
				continue;
			if (e > upper)
				break;
			int ok = !(q && overlaps(s, e, q->start, q->end));
			for (int k = 0; k < nl && ok; k++)
				ok = !overlaps(s, e, legs[k].dep, legs[k].arr);
			if (ok && r->place == PLACE_HOME)
				ok = at_home && s >= home_from && e <= home_to;
			if (ok) {
				fitted = 1;
				out->rmask |= (uint32_t)1 << ri;
				out->cost += wt->routine_shift * (s - r->from);
				break;
			}
		}
		if (!fitted && (r->last == NEG || r->last + r->dur <= upper))
			return 0;   /* every start is settled and none is free */
	}
	return 1;
}

static int dominates(const struct profile *p, const struct label *a, const struct label *b)
{
	return a->cost <= b->cost + EPS &&
	       energy_of(p, a) <= energy_of(p, b) + EPS &&
	       a->time_out <= b->time_out && a->changes <= b->changes &&
	       (a->depart < 0 ? b->depart < 0 : b->depart < 0 || a->depart >= b->depart) &&
	       (a->rmask & b->rmask) == b->rmask;
}

/* Keep x at item q unless a label there dominates it; drop those it dominates. */
static int add_label(struct day_ctx *c, int q, const struct label *x)
{
	for (int k = c->head[q]; k >= 0; k = c->lab[k].next) {
		struct label *y = &c->lab[k];
		if (y->dead || y->mask != x->mask)
			continue;
		if (dominates(c->s.p, y, x))
			return 0;
		if (dominates(c->s.p, x, y))
			y->dead = 1;
	}
	if (c->n_lab >= DG_MAX_LABELS) {
		char b[32];
		snprintf(b, sizeof b, "%d", DG_MAX_LABELS);
		diag_add(c->s.d, D_LIM_INSTANCE, NULL, 0, 0, b, "partial day plans in one day");
		return -1;
	}
	struct label *n = BUF_PUSH(c->lab, c->n_lab, c->cap_lab);
	if (!n)
		return -1;
	*n = *x;
	n->item = q;
	n->next = c->head[q];
	c->head[q] = (int)(c->n_lab - 1);
	return 0;
}

static int item_end_cmp(const void *x, const void *y)
{
	const struct sv_item *a = x, *b = y;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->mask != b->mask)
		return a->mask < b->mask ? -1 : 1;
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

static int fin_cmp(const void *x, const void *y)
{
	const struct fin *a = x, *b = y;
	if (a->l.mask != b->l.mask)
		return a->l.mask < b->l.mask ? -1 : 1;
	if (a->l.cost != b->l.cost)
		return a->l.cost < b->l.cost ? -1 : 1;
	if (a->energy != b->energy)
		return a->energy < b->energy ? -1 : 1;
	return (a->label > b->label) - (a->label < b->label);
}

static int pick_cmp(const void *x, const void *y)
{
	const struct sv_pick *a = x, *b = y;
	return (a->appt > b->appt) - (a->appt < b->appt);
}

static int emit(struct day_ctx *c, struct sv_cols *cols, const struct fin *f)
{
	const struct instance *in = c->s.in;
	struct sv_col *col = BUF_PUSH(cols->v, cols->n, cols->cap);
	if (!col)
		return -1;
	memset(col, 0, sizeof *col);
	col->day = c->s.day;
	col->mask = f->l.mask;
	col->cost = f->l.cost;
	col->energy = f->energy;
	col->journeys = f->l.journeys;
	col->travel_min = f->l.travel_min;
	col->travel_cost = f->l.travel_cost;
	col->time_out = f->l.time_out;
	col->first = cols->n_pick;
	for (int k = f->label; k >= 0; k = c->lab[k].parent) {
		const struct sv_item *x = &c->s.it[c->lab[k].item];
		col->changes += x->changes;
		for (int m = 0; m < x->n; m++) {
			struct sv_pick *pk = BUF_PUSH(cols->pick, cols->n_pick, cols->cap_pick);
			if (!pk)
				return -1;
			pk->appt = x->appt[m];
			pk->cand = x->cand[m];
		}
	}
	col->n = (int)(cols->n_pick - col->first);
	if (col->n > 1)
		qsort(cols->pick + col->first, (size_t)col->n, sizeof *cols->pick, pick_cmp);
	uint64_t h = 1469598103934665603ull ^ (uint64_t)c->s.day;
	for (int m = 0; m < col->n; m++) {
		const struct sv_pick *pk = &cols->pick[col->first + (size_t)m];
		h = (h ^ (uint64_t)pk->appt) * 1099511628211ull;
		h = (h ^ (uint64_t)(in->a[pk->appt].cand[pk->cand].venue + 1)) * 1099511628211ull;
	}
	col->pattern = h;
	const struct profile *p = c->s.p;
	for (size_t k = 0; k < p->n_pracs && k < 64; k++)
		if ((f->l.pracs >> k & 1) && !p->pracs[k].familiar)
			col->unfamiliar |= (uint64_t)1 << k;
	return 0;
}

int sv_day_build(const struct instance *in, int day, struct sv_day *s, struct diag *d)
{
	memset(s, 0, sizeof *s);
	s->in = in;
	s->p = in->w->p;
	s->day = day;
	s->d = d;
	size_t errors0 = d->errors;
	if (build_items(s) < 0 || routines_of_day(s) < 0) {
		if (d->errors == errors0)
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		sv_day_release(s);
		return -1;
	}
	if (s->n_it > 1)
		qsort(s->it, s->n_it, sizeof *s->it, item_end_cmp);
	return 0;
}

void sv_day_release(struct sv_day *s)
{
	free(s->it);
	s->it = NULL;
	s->n_it = s->cap_it = 0;
}

static int gen_day(struct day_ctx *c, struct sv_cols *cols)
{
	const struct profile *p = c->s.p;
	size_t errors0 = c->s.d->errors;
	c->head = malloc((c->s.n_it + 1) * sizeof *c->head);
	if (!c->head)
		goto fail;
	for (size_t i = 0; i < c->s.n_it; i++)
		c->head[i] = -1;
	struct label root;
	memset(&root, 0, sizeof root);
	root.item = root.parent = root.next = -1;
	root.depart = -1;
	int max_n = p->max_appts_per_day;
	for (size_t qi = 0; qi < c->s.n_it; qi++) {
		const struct sv_item *q = &c->s.it[qi];
		if (max_n >= 0 && q->n > max_n)
			continue;
		struct label x;
		if (step(c, &root, q, &x)) {
			x.parent = -1;
			if (p->max_unfam_day < 0 || sv_people(p, x.pracs) <= p->max_unfam_day)
				if (add_label(c, (int)qi, &x) < 0)
					goto fail;
		}
		/* predecessors: sessions that end by q's start (a prefix in end order) */
		for (size_t pj = 0; pj < qi && c->s.it[pj].end <= q->start; pj++) {
			const struct sv_item *pi = &c->s.it[pj];
			if (c->head[pj] < 0 || (pi->mask & q->mask))
				continue;
			int gap = q->start - pi->end;
			if (p->min_rest > 0 && gap < p->min_rest)
				continue;
			if (pi->venue >= 0 && q->venue >= 0 && pi->venue != q->venue &&
			    profile_travel(p, pi->venue, q->venue) > gap)
				continue;
			for (int k = c->head[pj]; k >= 0; k = c->lab[k].next) {
				const struct label *L = &c->lab[k];
				if (L->dead || (L->mask & q->mask))
					continue;
				if (max_n >= 0 && popcount64(L->mask | q->mask) > max_n)
					continue;
				if (p->max_unfam_day >= 0 && (q->pracs & ~L->pracs) &&
				    sv_people(p, L->pracs | q->pracs) > p->max_unfam_day)
					continue;
				if (!step(c, L, q, &x))
					continue;
				x.parent = k;
				if (add_label(c, (int)qi, &x) < 0)
					goto fail;
				L = &c->lab[k];   /* the pool may have moved */
			}
		}
	}
	cols->labels += c->n_lab;
	/* close every live label, and the empty day */
	struct fin *fins = NULL;
	size_t n_fin = 0, cap_fin = 0;
	for (long k = -1; k < (long)c->n_lab; k++) {
		const struct label *L = k < 0 ? &root : &c->lab[k];
		struct label x;
		if (k >= 0 && L->dead)
			continue;
		if (!step(c, L, NULL, &x))
			continue;
		struct fin *f = BUF_PUSH(fins, n_fin, cap_fin);
		if (!f) {
			free(fins);
			goto fail;
		}
		f->l = x;
		f->label = (int)k;
		f->energy = energy_of(p, &x);
	}
	if (n_fin > 1)
		qsort(fins, n_fin, sizeof *fins, fin_cmp);
	/* per set of appointments, the plans no other beats on cost, energy and
	 * changes (the master bounds the changes: the ladder, --max-changes) */
	for (size_t i = 0; i < n_fin;) {
		size_t j = i;
		while (j < n_fin && fins[j].l.mask == fins[i].l.mask)
			j++;
		for (size_t a = i; a < j; a++) {
			int beaten = 0;
			for (size_t b = i; b < a && !beaten; b++)
				beaten = !fins[b].l.dead && fins[b].energy <= fins[a].energy + EPS &&
					 fins[b].l.changes <= fins[a].l.changes;
			if (beaten) {
				fins[a].l.dead = 1;
				continue;
			}
			if (emit(c, cols, &fins[a]) < 0) {
				free(fins);
				goto fail;
			}
		}
		i = j;
	}
	free(fins);
	return 0;
fail:
	if (c->s.d->errors == errors0)
		diag_add(c->s.d, D_INTERNAL, NULL, 0, 0, "out of memory");
	return -1;
}

int daygen(const struct instance *in, struct sv_cols *cols, struct diag *d)
{
	const struct profile *p = in->w->p;
	memset(cols, 0, sizeof *cols);
	if (p->n_pracs > 64) {
		diag_add(d, D_LIM_INSTANCE, NULL, 0, 0, "64", "practitioners in one profile");
		return -1;
	}
	for (size_t day = 0; day < in->w->n_days; day++) {
		struct day_ctx c;
		memset(&c, 0, sizeof c);
		int rc = sv_day_build(in, (int)day, &c.s, d);
		if (rc == 0)
			rc = gen_day(&c, cols);
		sv_day_release(&c.s);
		free(c.lab);
		free(c.head);
		if (rc < 0) {
			cols_release(cols);
			return -1;
		}
	}
	return 0;
}

void cols_release(struct sv_cols *c)
{
	if (!c)
		return;
	free(c->v);
	free(c->pick);
	memset(c, 0, sizeof *c);
}
