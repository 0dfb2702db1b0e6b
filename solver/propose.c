/* propose.c: ranked proposals, the change ladder, before/after totals, the reasons for each change, and why an appointment cannot be placed. */
#include "internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

static int same(const struct placement *a, const struct placement *b)
{
	return a->day == b->day && a->start == b->start && a->venue == b->venue;
}

/* Index in week mv of the appointment that is a (same practitioner, UID, RECURRENCE-ID). */
static int find_appt(const struct week *mv, const struct wk_appt *a)
{
	for (size_t k = 0; k < mv->n_appts; k++) {
		const struct wk_appt *b = &mv->appts[k];
		if (b->prac == a->prac && !strcmp(b->uid, a->uid) && !strcmp(b->rid, a->rid))
			return (int)k;
	}
	return -1;
}

static int day_people(const struct week *w, size_t di)
{
	const struct profile *p = w->p;
	const struct wk_day *d = &w->days[di];
	uint64_t met = 0;
	int n = 0;
	for (size_t k = d->first; k < d->first + d->n; k++) {
		int pr = w->appts[k].prac;
		if (p->pracs[pr].familiar || (pr < 64 && (met >> pr & 1)))
			continue;
		if (pr < 64)
			met |= (uint64_t)1 << pr;
		n += p->pracs[pr].people;
	}
	return n;
}

int sv_week_totals(const struct week *w, const struct problems *ps, struct sv_totals *t)
{
	memset(t, 0, sizeof *t);
	t->unfamiliar = calloc(w->n_days + 1, sizeof *t->unfamiliar);
	if (!t->unfamiliar)
		return -1;
	for (size_t i = 0; i < w->n_days; i++) {
		const struct wk_day *d = &w->days[i];
		t->journeys += d->journeys;
		t->travel_min += d->travel_min;
		t->travel_cost += d->travel_cost;
		if (d->energy > t->peak_energy)
			t->peak_energy = d->energy;
		t->unfamiliar[i] = day_people(w, i);
		if (t->unfamiliar[i] > t->unfamiliar_max)
			t->unfamiliar_max = t->unfamiliar[i];
	}
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->v[i].kind == PK_OVERLAP || ps->v[i].kind == PK_DOUBLE_BOOKED)
			t->clashes++;
		if (ps->v[i].kind == PK_ROUTINE)
			t->routine_conflicts++;
	}
	t->placed = (int)w->n_appts;
	return 0;
}

double sv_objective(const struct instance *in, const struct plan *pl, const struct week *mv)
{
	const struct profile *p = mv->p;
	const struct prof_weights *wt = &p->weights;
	double obj = 0, peak = 0;
	for (size_t i = 0; i < mv->n_days; i++) {
		const struct wk_day *d = &mv->days[i];
		obj += wt->journeys * d->journeys + wt->travel_minutes * d->travel_min +
		       wt->travel_money * d->travel_cost + wt->unfamiliar * day_people(mv, i);
		if (d->energy > peak)
			peak = d->energy;
	}
	obj += wt->peak_energy * peak;
	for (size_t i = 0; i < mv->n_routines; i++) {
		const struct wk_routine *r = &mv->routines[i];
		if (r->start >= 0)
			obj += wt->routine_shift * (r->start - p->routines[r->routine].starts[r->window].from);
	}
	for (size_t i = 0; i < in->n; i++) {
		if (pl->at[i].day < 0) {
			obj += MASTER_UNPLACED_COST;
			continue;
		}
		for (size_t c = 0; c < in->a[i].n_cand; c++) {
			if (same(&pl->at[i], &in->a[i].cand[c])) {
				int changed;
				obj += sv_place_cost(in, i, c, &changed);
				break;
			}
		}
	}
	return obj;
}

void sv_totals_release(struct sv_totals *t)
{
	free(t->unfamiliar);
	t->unfamiliar = NULL;
}

static void proposal_release(struct sv_proposal *x)
{
	free(x->plan.at);
	sv_totals_release(&x->after);
	free(x->changes);
	free(x->unplaced);
	memset(x, 0, sizeof *x);
}

void sv_result_release(struct sv_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_props; i++)
		proposal_release(&r->props[i]);
	for (size_t i = 0; i < r->n_ladder; i++)
		proposal_release(&r->ladder[i]);
	free(r->props);
	free(r->ladder);
	if (r->has_baseline)
		proposal_release(&r->baseline);
	sv_totals_release(&r->before);
	instance_release(&r->in);
	memset(r, 0, sizeof *r);
}

/* Append to a bounded string. What does not fit is left out whole, and the
 * string then ends with an ellipsis (when even that fits), so a reason is
 * never cut mid-word. */
static void cat(char *s, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cat(char *s, size_t sz, const char *fmt, ...)
{
	static const char more[] = " ...";
	size_t n = strlen(s);
	if (n >= sizeof more - 1 && !strcmp(s + n - (sizeof more - 1), more))
		return;   /* already full */
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (k >= 0 && (size_t)k < sizeof buf && n + (size_t)k + sizeof more <= sz) {
		memcpy(s + n, buf, (size_t)k + 1);
		return;
	}
	if (n + sizeof more <= sz)
		memcpy(s + n, more, sizeof more);
}

static const char *const wdname[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };

static const char *day_name(const struct week *w, int day)
{
	unsigned wd = w->days[day].wd;
	for (int k = 0; k < 7; k++)
		if (wd >> k & 1)
			return wdname[k];
	return "?";
}

/* What a problem was about, in a few words, for a change's reason. */
static void problem_words(const struct week *w, const struct problem *x, int self, char *out, size_t sz)
{
	const struct profile *p = w->p;
	char who[120] = "";
	for (size_t k = 0; k < x->n_pracs; k++)
		if (x->pracs[k] != self)
			cat(who, sizeof who, "%s%s", *who ? ", " : "", p->pracs[x->pracs[k]].id);
	switch (x->kind) {
	case PK_OVERLAP:
		snprintf(out, sz, "the overlap with %s", *who ? who : "another session");
		break;
	case PK_DOUBLE_BOOKED:
		snprintf(out, sz, "the double-booking of %s", p->pracs[self].id);
		break;
	case PK_TRAVEL:
		snprintf(out, sz, "too little time to travel%s%s", *who ? " to or from " : "", who);
		break;
	case PK_ROUTINE:
		snprintf(out, sz, "the clash with %s (%s)", p->routines[x->routine].id,
			 routine_kind_name(p->routines[x->routine].kind));
		break;
	case PK_REST:
		snprintf(out, sz, "too little rest next to %s", *who ? who : "another session");
		break;
	default:
		snprintf(out, sz, "the %s problem on %s", problem_kind_name(x->kind), day_name(w, x->day));
		break;
	}
}

static int refers(const struct problem *x, int k)
{
	for (size_t i = 0; i < x->n_appts; i++)
		if (x->appts[i] == k)
			return 1;
	return 0;
}

static int changes_of(const struct instance *in, const struct week *mv, const struct problems *before,
		      const struct problems *after, struct sv_proposal *x)
{
	const struct week *w = in->w;
	size_t cap = 0;
	for (size_t i = 0; i < in->n; i++) {
		const struct placement *to = &x->plan.at[i], *from = &in->a[i].current;
		if (to->day < 0 || same(to, from))
			continue;
		struct sv_change *c = BUF_PUSH(x->changes, x->n_changes, cap);
		if (!c)
			return -1;
		memset(c, 0, sizeof *c);
		c->appt = i;
		c->from = *from;
		c->to = *to;
		c->with[0] = -1;
		if (to->day != from->day || to->start != from->start)
			c->kind |= SV_MOVE;
		if (to->venue != from->venue)
			c->kind |= SV_VENUE;
		const struct wk_appt *a = &w->appts[in->a[i].appt];
		int self = a->prac, k_after = find_appt(mv, a);
		size_t nw = 0;
		for (size_t j = 0; j < in->n && k_after >= 0; j++) {
			if (j == i || x->plan.at[j].day < 0)
				continue;
			int kj = find_appt(mv, &w->appts[in->a[j].appt]);
			if (kj < 0 || !week_joint(mv, &mv->appts[k_after], &mv->appts[kj]))
				continue;
			if (week_joint(w, a, &w->appts[in->a[j].appt]))
				continue;   /* already a joint session */
			c->kind |= SV_JOINT;
			if (nw < 3) {
				c->with[nw++] = (int)j;
				c->with[nw] = -1;
			}
		}
		/* what it removes: problems of this appointment that are gone */
		char *r = c->reason;
		int k_before = (int)in->a[i].appt, removed = 0;
		for (size_t q = 0; q < before->n; q++) {
			const struct problem *bp = &before->v[q];
			if (!refers(bp, k_before) || bp->week_wide)
				continue;
			int still = 0;
			for (size_t s = 0; s < after->n && !still && k_after >= 0; s++)
				still = after->v[s].kind == bp->kind && refers(&after->v[s], k_after);
			if (still)
				continue;
			char words[160];
			problem_words(w, bp, self, words, sizeof words);
			if (strstr(r, words))
				continue;
			cat(r, sizeof c->reason, "%s%s", removed ? ", " : "removes ", words);
			removed++;
		}
		if (c->kind & SV_JOINT) {
			cat(r, sizeof c->reason, "%sjoins ", *r ? "; " : "");
			for (size_t k = 0; c->with[k] >= 0; k++)
				cat(r, sizeof c->reason, "%s%s", k ? " and " : "",
				    w->p->pracs[w->appts[in->a[c->with[k]].appt].prac].id);
			cat(r, sizeof c->reason, " in one visit");
		}
		/* what it saves on the days it leaves and joins */
		int days[2] = { from->day, to->day };
		for (int k = 0; k < 2; k++) {
			if (k == 1 && days[1] == days[0])
				break;
			const struct wk_day *b = &w->days[days[k]], *aft = &mv->days[days[k]];
			if (b->journeys == aft->journeys && b->travel_min == aft->travel_min)
				continue;
			cat(r, sizeof c->reason, "%s%s: %d->%d journeys, %d->%d min travel", *r ? "; " : "",
			    day_name(w, days[k]), b->journeys, aft->journeys, b->travel_min, aft->travel_min);
		}
		/* routines brought nearer their ideal start on those days */
		for (size_t q = 0; q < w->n_routines; q++) {
			const struct wk_routine *rb = &w->routines[q];
			if (rb->day != days[0] && rb->day != days[1])
				continue;
			for (size_t s2 = 0; s2 < mv->n_routines; s2++) {
				const struct wk_routine *ra = &mv->routines[s2];
				if (ra->day != rb->day || ra->routine != rb->routine || ra->window != rb->window)
					continue;
				if (rb->start >= 0 && ra->start >= 0 && ra->start < rb->start) {
					const struct prof_routine *rt = &w->p->routines[rb->routine];
					char words[120];
					snprintf(words, sizeof words, "%s (%s) %d min nearer its ideal time on %s", rt->id,
						 routine_kind_name(rt->kind), rb->start - ra->start, day_name(w, rb->day));
					if (!strstr(r, words))
						cat(r, sizeof c->reason, "%sbrings %s", *r ? "; " : "", words);
				}
			}
		}
		if (!*r)
			cat(r, sizeof c->reason, "makes room for the other changes");
	}
	return 0;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static void proposal_id(const struct instance *in, const struct plan *pl, char *out, size_t sz)
{
	const struct week *w = in->w;
	uint64_t h = 1469598103934665603ull;
	h = fnv(h, w->p->person_id, strlen(w->p->person_id) + 1);
	h = fnv(h, &w->days[0].date, sizeof w->days[0].date);
	h = fnv(h, &w->n_days, sizeof w->n_days);
	for (size_t i = 0; i < in->n; i++) {
		const struct wk_appt *a = &w->appts[in->a[i].appt];
		h = fnv(h, a->uid, strlen(a->uid) + 1);
		h = fnv(h, a->rid, strlen(a->rid) + 1);
		int v[3] = { pl->at[i].day, pl->at[i].start, pl->at[i].venue };
		h = fnv(h, v, sizeof v);
	}
	snprintf(out, sz, "p-%012llx", (unsigned long long)(h & 0xffffffffffffull));
}

/* ---- why an appointment cannot be placed: relax one limit at a time ---- */

enum relax {
	RX_ROUTINE, RX_ENERGY, RX_APPTS, RX_TIME_OUT, RX_UNFAM_DAY, RX_UNFAM_WEEK, RX_REST,
	RX_FREE_DAYS, RX_BUSY, RX_WORKS, RX_WINDOW, RX__COUNT
};

/* Whether appointment i is placed once `what` (with routine `arg`) is relaxed: 1, 0, or -1 on error. */
static int placed_if_relaxed(const struct week *w, size_t i, enum relax what, size_t arg,
			     double time_limit, struct diag *d)
{
	const struct profile *p0 = w->p;
	struct profile q = *p0;
	struct prof_routine *routines = NULL;
	struct prof_practitioner *pracs = NULL;
	static const struct prof_window wide = { 28, 0, WD_ALL, NULL, 0 };
	struct week wc;
	int rc = -1;
	if (week_copy(&wc, w, d) < 0)
		return -1;
	int prac = w->appts[i].prac;
	switch (what) {
	case RX_ROUTINE:
		routines = malloc((p0->n_routines + 1) * sizeof *routines);
		if (!routines)
			goto out;
		q.n_routines = 0;
		for (size_t k = 0; k < p0->n_routines; k++)
			if (k != arg)
				routines[q.n_routines++] = p0->routines[k];
		q.routines = routines;
		break;
	case RX_ENERGY: q.energy_budget = 1e12; break;
	case RX_APPTS: q.max_appts_per_day = -1; break;
	case RX_TIME_OUT: q.max_time_out = -1; break;
	case RX_UNFAM_DAY: q.max_unfam_day = -1; break;
	case RX_UNFAM_WEEK: q.max_unfam_week = -1; break;
	case RX_REST: q.min_rest = -1; break;
	case RX_FREE_DAYS: q.free_days = 0; break;
	case RX_BUSY: {
		size_t k = 0;
		for (size_t b = 0; b < wc.n_busy; b++)
			if (wc.busy[b].prac != prac)
				wc.busy[k++] = wc.busy[b];
		wc.n_busy = k;
		break;
	}
	case RX_WORKS:
		pracs = malloc(p0->n_pracs * sizeof *pracs);
		if (!pracs)
			goto out;
		memcpy(pracs, p0->pracs, p0->n_pracs * sizeof *pracs);
		pracs[prac].n_works = 0;
		q.pracs = pracs;
		break;
	case RX_WINDOW:
		wc.appts[i].window = &wide;
		wc.appts[i].movable = 1;
		break;
	default:
		break;
	}
	wc.p = &q;
	if (week_derive(&wc, d) < 0)
		goto out;
	struct instance in;
	struct sv_cols cols;
	if (instance_build(&in, &wc, d) < 0)
		goto out;
	if (daygen(&in, &cols, d) < 0) {
		instance_release(&in);
		goto out;
	}
	struct master *m = master_new(&in, &cols, d);
	if (m) {
		struct master_sol sol;
		if (master_solve(m, time_limit, &sol, d) == 0) {
			/* instance order is week order; the copy keeps it */
			int k = -1;
			for (size_t j = 0; j < in.n; j++)
				if (!strcmp(wc.appts[in.a[j].appt].uid, w->appts[i].uid) &&
				    !strcmp(wc.appts[in.a[j].appt].rid, w->appts[i].rid) &&
				    wc.appts[in.a[j].appt].prac == prac)
					k = (int)j;
			rc = sol.found && k >= 0 && !sol.unplaced[k];
			master_sol_release(&sol);
		}
		master_free(m);
	}
	cols_release(&cols);
	instance_release(&in);
out:
	wc.p = p0;
	week_release(&wc);
	free(routines);
	free(pracs);
	return rc;
}

static int explain(const struct instance *in, size_t i, double time_limit, char *out, size_t sz,
		   struct diag *d)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	const struct wk_appt *a = &w->appts[in->a[i].appt];
	const struct prof_practitioner *pr = &p->pracs[a->prac];
	out[0] = 0;
	int found = 0;
	if (!a->movable && !sv_cand_usable(in, i, 0)) {
		char s0[8], e0[8];
		time_fmt_hhmm(p->day.from, s0);
		time_fmt_hhmm(p->day.to, e0);
		if (a->s_min < p->day.from || a->e_min > p->day.to)
			cat(out, sz, "it is fixed, and booked outside the person's day %s-%s", s0, e0);
		else if (p->free_days & w->days[a->day].wd)
			cat(out, sz, "it is fixed, and booked on a day kept free");
		else
			cat(out, sz, "it is fixed, and the %s is booked with another client at the same time", pr->role);
		return 0;
	}
	for (int what = 0; what < RX__COUNT; what++) {
		size_t n = what == RX_ROUTINE ? p->n_routines : 1;
		for (size_t arg = 0; arg < n; arg++) {
			int rc = placed_if_relaxed(w, in->a[i].appt, (enum relax)what, arg, time_limit, d);
			if (rc < 0)
				return -1;
			if (!rc)
				continue;
			const char *sep = found++ ? "; " : "";
			switch (what) {
			case RX_ROUTINE: {
				const struct prof_routine *rt = &p->routines[arg];
				cat(out, sz, "%sthe %s's only free times all fall in the %s window (%s)", sep,
				    pr->role, rt->id, routine_kind_name(rt->kind));
				break;
			}
			case RX_ENERGY:
				cat(out, sz, "%severy day it could go on would pass the energy budget of %.4g points", sep,
				    p->energy_budget);
				break;
			case RX_APPTS:
				cat(out, sz, "%severy day it could go on already has %d appointments, the most wanted", sep,
				    p->max_appts_per_day);
				break;
			case RX_TIME_OUT:
				cat(out, sz, "%sit would keep the person out of home more than %d min on any day it could go", sep,
				    p->max_time_out);
				break;
			case RX_UNFAM_DAY:
				cat(out, sz, "%sit would mean more than %d unfamiliar people in a day", sep, p->max_unfam_day);
				break;
			case RX_UNFAM_WEEK:
				cat(out, sz, "%sit would mean more than %d unfamiliar people in the week", sep, p->max_unfam_week);
				break;
			case RX_REST:
				cat(out, sz, "%sit leaves less than %d min of rest next to another session", sep, p->min_rest);
				break;
			case RX_FREE_DAYS:
				cat(out, sz, "%sits only possible days are kept free", sep);
				break;
			case RX_BUSY:
				cat(out, sz, "%sthe %s is booked with other clients at every time it could go", sep, pr->role);
				break;
			case RX_WORKS:
				cat(out, sz, "%sthe %s's working hours and venues leave no time it could go", sep, pr->role);
				break;
			case RX_WINDOW:
				cat(out, sz, "%sits window (when it may move to) leaves no free time", sep);
				break;
			default:
				break;
			}
		}
	}
	if (!found)
		cat(out, sz, "no single limit blocks it: its window, the routines and the limits do together");
	return 0;
}

/* ---- the proposals ---- */

static int make_proposal(struct sv_result *r, const struct sv_cols *cols, const struct master_sol *sol,
			 const struct problems *before, double time_limit, int rank, int why,
			 struct sv_proposal *x, struct diag *d)
{
	const struct instance *in = &r->in;
	memset(x, 0, sizeof *x);
	x->rank = rank;
	x->objective = sol->objective;
	x->bound = sol->bound;
	x->gap = sol->gap;
	x->proven = sol->proven;
	x->capped = sol->capped;
	x->plan.n = in->n;
	x->plan.at = calloc(in->n + 1, sizeof *x->plan.at);
	if (!x->plan.at)
		goto oom;
	for (size_t i = 0; i < in->n; i++)
		x->plan.at[i].day = -1;
	for (size_t day = 0; day < in->w->n_days; day++) {
		const struct sv_col *c = &cols->v[sol->col[day]];
		for (int k = 0; k < c->n; k++) {
			const struct sv_pick *pk = &cols->pick[c->first + (size_t)k];
			x->plan.at[pk->appt] = in->a[pk->appt].cand[pk->cand];
		}
	}
	/* the invariant checker, independent of the solver */
	struct problems bad;
	int ok = plan_check(in, &x->plan, &bad, d);
	if (ok < 0)
		return -1;
	if (!ok) {
		char msg[200];
		snprintf(msg, sizeof msg, "proposal %d breaks %zu invariant(s), the first: %s", rank, bad.n,
			 bad.n ? problem_kind_name(bad.v[0].kind) : "a placement");
		problems_release(&bad);
		diag_add(d, D_PLAN_INVALID, NULL, 0, 0, msg);
		return -1;
	}
	problems_release(&bad);
	struct week mv;
	if (plan_week(in, &x->plan, &mv, d) < 0)
		return -1;
	struct problems after;
	if (check_week(&mv, &after, d) < 0) {
		week_release(&mv);
		return -1;
	}
	double obj = sv_objective(in, &x->plan, &mv);
	if (fabs(obj - sol->objective) > 1e-6 * (1 + fabs(obj))) {
		char msg[200];
		snprintf(msg, sizeof msg, "proposal %d: the master's objective %.6f differs from the plan's own %.6f",
			 rank, sol->objective, obj);
		diag_add(d, D_PLAN_INVALID, NULL, 0, 0, msg);
		problems_release(&after);
		week_release(&mv);
		return -1;
	}
	int rc = sv_week_totals(&mv, &after, &x->after);
	if (rc == 0)
		rc = changes_of(in, &mv, before, &after, x);
	for (size_t i = 0; i < x->n_changes; i++)
		x->after.changes++;
	problems_release(&after);
	week_release(&mv);
	if (rc < 0)
		goto oom;
	proposal_id(in, &x->plan, x->id, sizeof x->id);
	size_t cap = 0;
	for (size_t i = 0; i < in->n; i++) {
		if (!sol->unplaced[i])
			continue;
		struct sv_unplaced *u = BUF_PUSH(x->unplaced, x->n_unplaced, cap);
		if (!u)
			goto oom;
		u->appt = i;
		u->reason[0] = 0;
		/* the reasons are the same in every proposal: work them out once */
		if (r->n_props && r->props[0].n_unplaced) {
			for (size_t k = 0; k < r->props[0].n_unplaced; k++)
				if (r->props[0].unplaced[k].appt == i)
					memcpy(u->reason, r->props[0].unplaced[k].reason, sizeof u->reason);
		}
		if (why && !u->reason[0] && explain(in, i, time_limit, u->reason, sizeof u->reason, d) < 0)
			return -1;
	}
	return 0;
oom:
	diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
	return -1;
}

/* The greedy baseline: the plan a keyworker might reach by hand. */
static int baseline(struct sv_result *r, struct diag *d)
{
	struct sv_proposal *x = &r->baseline;
	struct week mv;
	struct problems after = { 0 };
	memset(x, 0, sizeof *x);
	if (sv_greedy(&r->in, &x->plan, d) < 0)
		return -1;
	r->has_baseline = 1;
	if (plan_week(&r->in, &x->plan, &mv, d) < 0)
		return -1;
	int rc = check_week(&mv, &after, d);
	if (rc == 0)
		rc = sv_week_totals(&mv, &after, &x->after);
	x->objective = sv_objective(&r->in, &x->plan, &mv);
	problems_release(&after);
	week_release(&mv);
	size_t cap = 0;
	for (size_t i = 0; rc == 0 && i < r->in.n; i++) {
		const struct placement *pl = &x->plan.at[i], *cur = &r->in.a[i].current;
		if (pl->day < 0) {
			struct sv_unplaced *u = BUF_PUSH(x->unplaced, x->n_unplaced, cap);
			if (!u) {
				diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
				return -1;
			}
			u->appt = i;
			u->reason[0] = 0;
		} else if (pl->day != cur->day || pl->start != cur->start || pl->venue != cur->venue) {
			x->after.changes++;
		}
	}
	return rc;
}

int solve_propose(const struct week *w, const struct sv_options *o, struct sv_result *r,
		  struct diag *d)
{
	memset(r, 0, sizeof *r);
	struct sv_cols cols = { 0 };
	struct master *m = NULL;
	struct problems before = { 0 };
	int rc = -1;
	if (check_week(w, &before, d) < 0 || sv_week_totals(w, &before, &r->before) < 0)
		goto out;
	if (instance_build(&r->in, w, d) < 0)
		goto out;
	if (o->write_compact_lp && compact_write_lp(&r->in, o->max_changes, o->write_compact_lp, d) < 0)
		goto out;
	if (daygen(&r->in, &cols, d) < 0)
		goto out;
	r->columns = cols.n;
	r->labels = cols.labels;
	if (!(m = master_new(&r->in, &cols, d)))
		goto out;
	if (o->write_lp && master_write_lp(m, o->write_lp, d) < 0)
		goto out;
	struct master_sol sol;
	size_t cap = 0;
	if (o->ladder) {
		/* the best plan for at most 0, 1, 2 ... changes, up to the optimum's */
		for (int k = 0; k <= SOLVER_MAX_APPTS; k++) {
			if (master_max_changes(m, k, d) < 0 || master_solve(m, o->time_limit, &sol, d) < 0)
				goto out;
			if (sol.found && k > 0 && r->n_ladder) {
				/* more changes buy nothing more: this step is the last one again */
				size_t changed = 0;
				for (size_t day = 0; day < w->n_days; day++)
					changed += (size_t)cols.v[sol.col[day]].changes;
				if (changed < (size_t)k) {
					master_sol_release(&sol);
					break;
				}
			}
			if (sol.found) {
				struct sv_proposal *x = BUF_PUSH(r->ladder, r->n_ladder, cap);
				if (!x) {
					master_sol_release(&sol);
					goto oom;
				}
				int rcx = make_proposal(r, &cols, &sol, &before, o->time_limit, k, 0, x, d);
				master_sol_release(&sol);
				if (rcx < 0)
					goto out;
				if (o->max_changes >= 0 && k >= o->max_changes)
					break;
			} else {
				master_sol_release(&sol);
			}
		}
	}
	if (master_max_changes(m, o->max_changes, d) < 0)
		goto out;
	cap = 0;
	for (int rank = 1; rank <= o->k; rank++) {
		if (master_solve(m, o->time_limit, &sol, d) < 0)
			goto out;
		size_t unplaced = 0;
		for (size_t i = 0; sol.found && i < r->in.n; i++)
			unplaced += sol.unplaced[i];
		/* a next-best that leaves more unplaced is no alternative */
		if (!sol.found || (r->n_props && unplaced > r->props[0].n_unplaced)) {
			master_sol_release(&sol);
			break;
		}
		struct sv_proposal *x = BUF_PUSH(r->props, r->n_props, cap);
		if (!x) {
			master_sol_release(&sol);
			goto oom;
		}
		int rcx = make_proposal(r, &cols, &sol, &before, o->time_limit, rank, 1, x, d);
		if (rcx == 0 && rank < o->k)
			rcx = master_exclude(m, &sol, d);
		master_sol_release(&sol);
		if (rcx < 0)
			goto out;
	}
	if (o->baseline && baseline(r, d) < 0)
		goto out;
	rc = 0;
	goto out;
oom:
	diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
out:
	master_free(m);
	cols_release(&cols);
	problems_release(&before);
	return rc;
}
