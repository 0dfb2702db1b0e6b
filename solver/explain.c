/* explain.c: what each proposal says: its changes and their counterfactual reasons, its compromises, what to ask a practitioner, its id. */
#include "internal.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

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

void sv_proposal_release(struct sv_proposal *x)
{
	if (!x)
		return;
	free(x->plan.at);
	sv_totals_release(&x->after);
	free(x->changes);
	free(x->unplaced);
	free(x->comps);
	free(x->asks);
	memset(x, 0, sizeof *x);
}

void sv_result_release(struct sv_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_props; i++)
		sv_proposal_release(&r->props[i]);
	for (size_t i = 0; i < r->n_ladder; i++)
		sv_proposal_release(&r->ladder[i]);
	free(r->props);
	free(r->ladder);
	if (r->has_baseline)
		sv_proposal_release(&r->baseline);
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
	case PK_NO_CARER:
		snprintf(out, sz, "no carer free for %s on %s", p->pracs[self].id, day_name(w, x->day));
		break;
	case PK_TRAVEL:
		snprintf(out, sz, "too little time to travel%s%s", *who ? " to or from " : "", who);
		break;
	case PK_ROUTINE:
		snprintf(out, sz, "the clash with %s (%s) on %s", p->routines[x->routine].id,
			 routine_kind_name(p->routines[x->routine].kind), day_name(w, x->day));
		break;
	case PK_ROUTINE_LATE:
		snprintf(out, sz, "a late %s (%s) on %s", p->routines[x->routine].id,
			 routine_kind_name(p->routines[x->routine].kind), day_name(w, x->day));
		break;
	case PK_REST:
		snprintf(out, sz, "too little rest next to %s", *who ? who : "another session");
		break;
	case PK_ENERGY:
		snprintf(out, sz, "energy over the budget on %s", day_name(w, x->day));
		break;
	case PK_TIME_OUT:
		snprintf(out, sz, "too long out of home on %s", day_name(w, x->day));
		break;
	case PK_APPOINTMENTS:
		snprintf(out, sz, "too many appointments on %s", day_name(w, x->day));
		break;
	case PK_UNFAMILIAR:
		snprintf(out, sz, "too many unfamiliar people %s %s", x->week_wide ? "in the week of" : "on",
			 day_name(w, x->day));
		break;
	case PK_OUTSIDE_DAY:
		snprintf(out, sz, "time outside the person's day on %s", day_name(w, x->day));
		break;
	case PK_FREE_DAY:
		snprintf(out, sz, "an appointment on %s, a day kept free", day_name(w, x->day));
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

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

void sv_plan_id(const struct instance *in, const struct plan *pl, char *out, size_t sz)
{
	assert(pl->n == in->n && sz >= 20);
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
	/* and the week it starts from, where decisions in force moved it: the
	 * same plan from another week is another proposal, whose changes are
	 * others (a partial accept, then propose again, gives the same plan
	 * with fewer changes, and decisions name a change by its number). A
	 * week with no decision in force keeps the id of its plan alone. */
	for (size_t k = 0; k < w->n_appts; k++) {
		const struct wk_appt *a = &w->appts[k];
		if (a->start == a->feed_start && a->end == a->feed_end && a->venue == a->feed_venue)
			continue;
		h = fnv(h, a->uid, strlen(a->uid) + 1);
		h = fnv(h, a->rid, strlen(a->rid) + 1);
		int64_t v[3] = { a->start, a->end, a->venue };
		h = fnv(h, v, sizeof v);
	}
	snprintf(out, sz, "p-%012llx", (unsigned long long)(h & 0xffffffffffffull));
}


/* Whether x and y are the same problem in two versions of a week: the
 * same kind, day and routine window, and the same practitioners (the limits
 * of a day or a week: the same day or week). Their sizes may differ. */
static int same_problem(const struct problem *x, const struct problem *y)
{
	if (x->kind != y->kind || x->day != y->day || x->week_wide != y->week_wide)
		return 0;
	switch (x->kind) {
	case PK_ENERGY:
	case PK_TIME_OUT:
	case PK_APPOINTMENTS:
	case PK_UNFAMILIAR:
		return 1;
	case PK_ROUTINE:
		return x->routine == y->routine && x->from == y->from;
	case PK_ROUTINE_LATE:
		return x->routine == y->routine && x->window == y->window;
	default:
		break;
	}
	if (x->n_pracs != y->n_pracs)
		return 0;
	for (size_t i = 0; i < x->n_pracs; i++) {
		int found = 0;
		for (size_t j = 0; j < y->n_pracs && !found; j++)
			found = x->pracs[i] == y->pracs[j];
		if (!found)
			return 0;
	}
	return 1;
}

/* The size of problem x of week w (1 for an impossibility). */
static double size_of(const struct week *w, const struct problem *x)
{
	const char *unit;
	double wgt;
	return plan_kind_tier(x->kind) == 1 ? 1 : sv_compromise_size(w, x, &unit, &wgt);
}

/* How much larger problem x (of week wx) is than its match in ps (of week
 * wy): its whole size when there is none. */
static double grows(const struct week *wx, const struct problem *x, const struct week *wy,
		    const struct problems *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		if (same_problem(x, &ps->v[i]))
			return size_of(wx, x) - size_of(wy, &ps->v[i]);
	return size_of(wx, x);
}

/* The week, its problems, tiers and totals of a plan. */
struct view {
	struct week mv;
	struct problems ps;
	struct sv_tiers t;
	struct sv_totals tot;
	int ok;
};

static int view_open(const struct instance *in, const struct plan *pl, struct view *v, struct diag *d)
{
	memset(v, 0, sizeof *v);
	if (plan_week(in, pl, &v->mv, d) < 0)
		return -1;
	v->ok = 1;
	if (check_week_quiet(&v->mv, &v->ps, d) < 0 ||
	    sv_plan_tiers(in, pl, &v->mv, &v->ps, &v->t, NULL, NULL, d) < 0 ||
	    sv_week_totals(&v->mv, &v->ps, &v->tot) < 0)
		return -1;
	return 0;
}

static void view_close(struct view *v)
{
	if (!v->ok)
		return;
	sv_totals_release(&v->tot);
	problems_release(&v->ps);
	week_release(&v->mv);
	v->ok = 0;
}

static const char *plural(int n, const char *one, const char *many)
{
	return n == 1 || n == -1 ? one : many;
}

/* Change `self` cannot go back (plan_check refused rev, its old place
 * taken or its series too close): the change it makes room for, when one
 * clashes with it back where it was, into c->room_for and c->reason. */
static void room_reason(const struct instance *in, struct sv_proposal *x, size_t self, const struct plan *rev,
			const struct problems *bad, struct diag *scratch)
{
	struct sv_change *c = &x->changes[self];
	size_t i = c->appt;
	long other = -1;
	struct view tmp = { 0 };
	if (bad->n && view_open(in, rev, &tmp, scratch) == 0) {
		for (size_t q = 0; q < tmp.ps.n && other < 0; q++) {
			if (plan_kind_tier(tmp.ps.v[q].kind) != 1)
				continue;
			int j = sv_problem_moves(in, rev, &tmp.mv, &tmp.ps.v[q]);
			if (j >= 0 && (size_t)j != i)
				other = j;
		}
	}
	view_close(&tmp);
	long seq = -1;
	for (size_t k = 0; k < x->n_changes && other >= 0; k++)
		if (x->changes[k].appt == (size_t)other)
			seq = (long)k;
	if (seq >= 0) {
		c->room_for = (int)seq;
		cat(c->reason, sizeof c->reason, "makes room for change %ld: back where it was, it would clash with it", seq + 1);
	} else {
		cat(c->reason, sizeof c->reason, "makes room for the other changes");
	}
}

/* Which problems grown_words tells: every one larger in a than in b, only
 * those b does not have at all, or only those b has, smaller. */
enum grown { GROWN_ANY, GROWN_NEW, GROWN_MORE };

/* Whether ps holds problem x (same_problem), whatever its size. */
static int holds_problem(const struct problems *ps, const struct problem *x)
{
	for (size_t i = 0; i < ps->n; i++)
		if (same_problem(x, &ps->v[i]))
			return 1;
	return 0;
}

/* Appends to r (of size sz) each problem of tier 1 or 2 of view a that is
 * larger than in view b (which: all of them, or only those b lacks, or only
 * those b has), in words (self_prac: the practitioner they are told for),
 * the first after lead and the rest after ", "; with dedupe, words r holds
 * already are not repeated. Returns how many it wrote. */
static int grown_words(const struct week *w, const struct view *a, const struct view *b, int self_prac,
		       int dedupe, enum grown which, const char *lead, char *r, size_t sz)
{
	int n = 0;
	for (size_t q = 0; q < a->ps.n; q++) {
		const struct problem *p = &a->ps.v[q];
		if (!plan_kind_tier(p->kind) || grows(&a->mv, p, &b->mv, &b->ps) <= 1e-9)
			continue;
		if (which != GROWN_ANY && holds_problem(&b->ps, p) != (which == GROWN_MORE))
			continue;
		char words[160];
		problem_words(w, p, self_prac, words, sizeof words);
		if (dedupe && strstr(r, words))
			continue;
		cat(r, sz, "%s%s", n++ ? ", " : lead, words);
	}
	return n;
}

/* What change c removes, read from the week with it (now) and without it
 * (back): the problems that would come back or grow, those it brings,
 * and the journeys and travel it saves. */
static void problems_reason(const struct instance *in, struct sv_change *c, const struct view *now,
			    const struct view *back)
{
	const struct week *w = in->w;
	char *r = c->reason;
	int self_prac = w->appts[in->a[c->appt].appt].prac;
	if (grown_words(w, back, now, self_prac, 1, GROWN_ANY, "without it: ", r, sizeof c->reason))
		cat(r, sizeof c->reason, " would come back or grow");
	/* and what it brings: problems it has, or makes larger, that
	 * reverting would clear */
	grown_words(w, now, back, self_prac, 0, GROWN_ANY, *r ? "; it brings " : "it brings ", r, sizeof c->reason);
	int dj = back->tot.journeys - now->tot.journeys, dt = back->tot.travel_min - now->tot.travel_min;
	if (dj > 0 || dt > 0) {
		cat(r, sizeof c->reason, "%s", *r ? "; " : "without it: ");
		if (dj > 0)
			cat(r, sizeof c->reason, "%d more %s", dj, plural(dj, "journey", "journeys"));
		if (dt > 0)
			cat(r, sizeof c->reason, "%s%d more min of travel", dj > 0 ? ", " : "", dt);
	}
}

/* Nothing else to say of change c: which terms of the cost it improves,
 * plan pl (week now) against rev without it (week back). */
static void cost_reason(const struct instance *in, struct sv_change *c, const struct plan *pl,
			const struct view *now, const struct plan *rev, const struct view *back)
{
	static const char *const words[SV_TERMS] = {
		"more journeys", "more travel", "more travel money", "", "routines further from their ideal time",
		"a more tiring peak day", "more unfamiliar people in a day", "times the person would rather avoid" };
	char *r = c->reason;
	double tb[SV_TERMS], tn[SV_TERMS];
	sv_cost_terms(in, rev, &back->mv, tb);
	sv_cost_terms(in, pl, &now->mv, tn);
	int m = 0;
	for (int k = 0; k < SV_TERMS; k++) {
		if (k == SV_T_CHANGES || tb[k] <= tn[k] + 1e-9)
			continue;
		double rs = in->w->p->weights.routine_shift;
		if (k == SV_T_ROUTINES && rs > 0)
			cat(r, sizeof c->reason, "%s%s (%.0f min in all)", m++ ? ", " : "without it: ", words[k],
			    (tb[k] - tn[k]) / rs);
		else
			cat(r, sizeof c->reason, "%s%s (cost +%.2f)", m++ ? ", " : "without it: ", words[k],
			    tb[k] - tn[k]);
	}
	if (!m)
		cat(r, sizeof c->reason, "no gain on its own");
}

/* What reverting change `self` alone would bring back, into reason. */
static int counterfactual(const struct instance *in, struct sv_proposal *x, size_t self,
			  const struct view *now, struct diag *d)
{
	struct sv_change *c = &x->changes[self];
	size_t i = c->appt;
	const struct week *w = in->w;
	struct plan rev = { xmalloc((in->n + 1) * sizeof *rev.at), in->n };
	memcpy(rev.at, x->plan.at, in->n * sizeof *rev.at);
	rev.at[i] = in->a[i].current;
	struct diag scratch;
	diag_init(&scratch);
	struct problems bad;
	struct view back = { 0 };
	int rc = -1;
	int ok = plan_check(in, &rev, &bad, &scratch);
	if (ok < 0) {
		diag_move(d, &scratch);
		goto out;
	}
	if (!ok) {
		room_reason(in, x, self, &rev, &bad, &scratch);
		problems_release(&bad);
		rc = 0;
		goto out;
	}
	problems_release(&bad);
	if (view_open(in, &rev, &back, &scratch) < 0) {
		diag_move(d, &scratch);
		goto out;
	}
	problems_reason(in, c, now, &back);
	if (c->ch.kind & CHANGE_JOINT) {
		cat(c->reason, sizeof c->reason, "%sjoins ", *c->reason ? "; " : "");
		for (size_t k = 0; c->with[k] >= 0; k++)
			cat(c->reason, sizeof c->reason, "%s%s", k ? " and " : "",
			    w->p->pracs[w->appts[in->a[c->with[k]].appt].prac].id);
		cat(c->reason, sizeof c->reason, " in one visit");
	}
	if (!*c->reason)
		cost_reason(in, c, &x->plan, now, &rev, &back);
	rc = 0;
out:
	view_close(&back);
	diag_release(&scratch);
	free(rev.at);
	return rc;
}

/* Whether change c (appointment i) joins another appointment in one visit
 * in the plan's week now that it did not join as booked: CHANGE_JOINT,
 * and the others in c->with (at most 3, -1 ends). */
static void joint_partners(const struct instance *in, const struct view *now, size_t i, struct sv_change *c)
{
	const struct week *w = in->w;
	const struct wk_appt *a = &w->appts[in->a[i].appt];
	int k_after = find_appt(&now->mv, a);
	size_t nw = 0;
	for (size_t j = 0; j < in->n && k_after >= 0; j++) {
		if (j == i)
			continue;
		int kj = find_appt(&now->mv, &w->appts[in->a[j].appt]);
		if (kj < 0 || !week_joint(&now->mv, &now->mv.appts[k_after], &now->mv.appts[kj]))
			continue;
		if (week_joint(w, a, &w->appts[in->a[j].appt]))
			continue;   /* already a joint session */
		c->ch.kind |= CHANGE_JOINT;
		if (nw < 3) {
			c->with[nw++] = (int)j;
			c->with[nw] = -1;
		}
	}
}

/* A change to a time the practitioner suggested (a COUNTER) says so
 * first in its reason. */
static void suggested_first(const struct instance *in, const struct sv_proposal *x, struct sv_change *c)
{
	const struct week *w = in->w;
	const struct placement *to = &x->plan.at[c->appt];
	const struct wk_appt *a = &w->appts[in->a[c->appt].appt];
	for (size_t q = 0; q < a->n_suggested; q++) {
		if (a->suggested[q].date != w->days[to->day].date || a->suggested[q].start != to->start)
			continue;
		const struct prof_practitioner *pr = &w->p->pracs[a->prac];
		char was[sizeof c->reason];
		memcpy(was, c->reason, sizeof was);
		snprintf(c->reason, sizeof c->reason, "the %s suggested %s %02d:%02d",
			 pr->role ? pr->role : pr->id, day_name(w, to->day), to->start / 60, to->start % 60);
		if (*was)
			cat(c->reason, sizeof c->reason, "; %s", was);
		break;
	}
}

int sv_explain(const struct instance *in, struct sv_proposal *x, struct diag *d)
{
	struct view now;
	if (view_open(in, &x->plan, &now, d) < 0) {
		view_close(&now);
		return -1;
	}
	size_t cap = 0;
	int rc = -1;
	for (size_t i = 0; i < in->n; i++) {
		const struct placement *to = &x->plan.at[i], *from = &in->a[i].current;
		assert(to->day >= 0);
		if (same(to, from))
			continue;
		struct sv_change *c = BUF_PUSH(x->changes, x->n_changes, cap);
		if (!c) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			goto out;
		}
		memset(c, 0, sizeof *c);
		c->appt = i;
		sv_change_of(in, i, from, to, &c->ch);
		c->with[0] = -1;
		c->room_for = -1;
		joint_partners(in, &now, i, c);
	}
	for (size_t k = 0; k < x->n_changes; k++)
		if (counterfactual(in, x, k, &now, d) < 0)
			goto out;
	for (size_t k = 0; k < x->n_changes; k++)
		suggested_first(in, x, &x->changes[k]);
	x->after.changes = (int)x->n_changes;
	rc = 0;
out:
	view_close(&now);
	return rc;
}

/* Whether placement pl is one of appointment i's candidates. */
static int is_candidate(const struct instance *in, size_t i, const struct placement *pl)
{
	for (size_t c = 0; c < in->a[i].n_cand; c++)
		if (same(&in->a[i].cand[c], pl))
			return 1;
	return 0;
}

/* Would i at pl overlap another appointment of the plan (not as a joint session)? */
static int clashes(const struct instance *in, const struct plan *plan, size_t i, const struct placement *pl)
{
	const struct week *w = in->w;
	struct wk_appt a = w->appts[in->a[i].appt];
	a.day = pl->day;
	a.s_min = pl->start;
	a.e_min = pl->start + in->a[i].duration;
	a.venue = pl->venue;
	for (size_t j = 0; j < in->n; j++) {
		const struct placement *q = &plan->at[j];
		if (j == i || q->day != pl->day)
			continue;
		struct wk_appt b = w->appts[in->a[j].appt];
		b.day = q->day;
		b.s_min = q->start;
		b.e_min = q->start + in->a[j].duration;
		b.venue = q->venue;
		if (a.s_min < b.e_min && b.s_min < a.e_min && !week_joint(w, &a, &b))
			return 1;
	}
	return 0;
}

/* Whether placement pl of appointment i would break its series' spacing in
 * plan (sv_series_gap, as the master keeps it), or share a day with another
 * occurrence of its series (a daily series has no spacing to keep, but an
 * ask that leaves one day with two visits and another with none is not
 * one to make). */
static int series_too_close(const struct instance *in, const struct plan *plan, size_t i,
			    const struct placement *pl)
{
	const struct week *w = in->w;
	const char *uid = w->appts[in->a[i].appt].uid;
	int g = sv_series_gap(in, i);
	if (g < 1)
		g = 1;
	for (size_t j = 0; j < in->n; j++) {
		if (j == i || plan->at[j].day < 0 || strcmp(w->appts[in->a[j].appt].uid, uid))
			continue;
		if (abs(plan->at[j].day - pl->day) < g)
			return 1;
	}
	return 0;
}

/* Whether the appointment at index k of the plan's week has a problem of
 * its own (tier 1 or 2, not week-wide) in now: one that names it, or too
 * many unfamiliar people in its day, its practitioner among them (that
 * problem names the people, not the appointments). */
static int has_problem(const struct view *now, int k)
{
	int prac = now->mv.appts[k].prac;
	for (size_t q = 0; q < now->ps.n; q++) {
		const struct problem *x = &now->ps.v[q];
		if (!plan_kind_tier(x->kind) || x->week_wide)
			continue;
		if (refers(x, k))
			return 1;
		for (size_t j = 0; x->kind == PK_UNFAMILIAR && j < x->n_pracs; j++)
			if (x->pracs[j] == prac && x->day == now->mv.appts[k].day)
				return 1;
	}
	return 0;
}

/* The best placement to ask for appointment i of plan x (week now): on
 * the grid, in the person's day, after the notice cut-off, clear of its
 * practitioner's busy time, at one of its venues, outside its candidates
 * and clear of the rest of the plan, that makes the plan better by the
 * tiers (less impossible or less compromise) without making a move
 * impossible. alt: x's plan, scratch there for i. best->day is -1 when
 * there is none; *best_dj: the journeys it saves. Returns 0, or -1 with
 * scratch filled. */
static int best_ask(const struct instance *in, const struct sv_proposal *x, size_t i, const struct view *now,
		    struct plan *alt, struct diag *scratch, struct placement *best, int *best_dj)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	const struct wk_appt *a = &w->appts[in->a[i].appt];
	int grid = p->slot < 15 ? 15 : p->slot;
	int64_t cutoff = week_notice_cutoff(w, a->prac, in->now);
	int venues[260], nv = 0;
	if (a->venues && a->venues->n)
		for (size_t v = 0; v < a->venues->n && nv < 256; v++)
			venues[nv++] = a->venues->v[v];
	if (nv == 0)
		venues[nv++] = in->a[i].current.venue;
	struct sv_tiers bt = now->t;
	*best = (struct placement){ -1, -1, -1 };
	*best_dj = 0;
	/* within the Monday-Sunday week it is booked in: another week is
	 * another booking, not the same one at another time (and a long
	 * horizon would cost a valuation of every week per start) */
	int64_t booked_week = time_week(w->days[in->a[i].current.day].date);
	for (size_t day = 0; day < w->n_days; day++) {
		if ((p->free_days & w->days[day].wd) || time_week(w->days[day].date) != booked_week)
			continue;
		int first = (p->day.from + grid - 1) / grid * grid;
		for (int s = first; s + in->a[i].duration <= p->day.to; s += grid) {
			int64_t us = week_utc(w, (int)day, s), ue = week_utc(w, (int)day, s + in->a[i].duration);
			if (us < cutoff || week_busy(w, a->prac, us, ue))
				continue;
			for (int v = 0; v < nv; v++) {
				struct placement pl = { (int)day, s, venues[v] };
				if (is_candidate(in, i, &pl) || clashes(in, &x->plan, i, &pl) ||
				    series_too_close(in, &x->plan, i, &pl))
					continue;
				alt->at[i] = pl;
				struct view t;
				if (view_open(in, alt, &t, scratch) < 0) {
					view_close(&t);
					return -1;
				}
				int better = sv_tiers_cmp(&t.t, &bt) < 0 &&
					     (t.t.impossible < now->t.impossible ||
					      t.t.compromise < now->t.compromise - 1e-9);
				/* a move may not create an impossibility */
				for (size_t q = 0; q < t.ps.n && better; q++)
					better = plan_kind_tier(t.ps.v[q].kind) != 1 ||
						 sv_problem_moves(in, alt, &t.mv, &t.ps.v[q]) != (int)i;
				if (better) {
					*best = pl;
					bt = t.t;
					*best_dj = now->tot.journeys - t.tot.journeys;
				}
				view_close(&t);
				if (scratch->n) {
					diag_release(scratch);
					diag_init(scratch);
				}
			}
		}
	}
	alt->at[i] = x->plan.at[i];
	return 0;
}

/* The text of ask (appointment i, to ask for at ask->at, saving dj
 * journeys): whom to ask, for which appointment, what it removes and
 * what it brings. Returns 0, or -1 with scratch filled. */
static int ask_text(const struct instance *in, const struct sv_proposal *x, struct sv_ask *ask, int dj,
		    const struct view *now, struct plan *alt, struct diag *scratch)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	size_t i = ask->appt;
	const struct wk_appt *a = &w->appts[in->a[i].appt];
	const struct placement from = x->plan.at[i], best = ask->at;
	char *r = ask->text;
	r[0] = 0;
	char d0[24], h0[8], d1[24], h1[8];
	time_fmt_day(w->days[from.day].date, 0, d0, sizeof d0);
	time_fmt_hhmm(from.start, h0);
	time_fmt_day(w->days[best.day].date, 0, d1, sizeof d1);
	time_fmt_hhmm(best.start, h1);
	const struct prof_practitioner *pr = &p->pracs[a->prac];
	/* booked inside its practitioner's notice period: dovetail never moves
	 * it, so a yes is theirs to act on, at short notice */
	int short_notice = a->start < week_notice_cutoff(w, a->prac, in->now);
	cat(r, sizeof ask->text, "ask the %s (%s) whether%s the appointment booked %s %s could be %s %s at %s",
	    pr->role, pr->id, short_notice ? ", at short notice," : "", d0, h0, d1, h1,
	    best.venue >= 0 ? p->venues[best.venue].name : "the same place");
	/* what it removes and what it brings: every problem that goes or
	 * comes, then those that only shrink ("reduces") or grow ("worsens"),
	 * as a change's reason reads them (only this appointment moves): a
	 * problem still there after the move is never said to be removed */
	alt->at[i] = best;
	struct view t;
	if (view_open(in, alt, &t, scratch) < 0) {
		view_close(&t);
		alt->at[i] = from;
		return -1;
	}
	int gone = grown_words(w, now, &t, a->prac, 1, GROWN_NEW, ": removes ", r, sizeof ask->text);
	grown_words(w, now, &t, a->prac, 1, GROWN_MORE, gone ? "; reduces " : ": reduces ", r, sizeof ask->text);
	grown_words(w, &t, now, a->prac, 0, GROWN_NEW, "; it brings ", r, sizeof ask->text);
	grown_words(w, &t, now, a->prac, 0, GROWN_MORE, "; it worsens ", r, sizeof ask->text);
	view_close(&t);
	alt->at[i] = from;
	if (dj > 0)
		cat(r, sizeof ask->text, "; %d %s fewer", dj, plural(dj, "journey", "journeys"));
	else if (dj < 0)
		cat(r, sizeof ask->text, "; %d more %s", -dj, plural(dj, "journey", "journeys"));
	return 0;
}

int sv_asks(const struct instance *in, struct sv_proposal *x, const struct sv_budget *b, struct diag *d)
{
	const struct week *w = in->w;
	const struct profile *p = w->p;
	struct view now;
	if (view_open(in, &x->plan, &now, d) < 0) {
		view_close(&now);
		return -1;
	}
	struct plan alt = { xmalloc((in->n + 1) * sizeof *alt.at), in->n };
	struct plan part = { xmalloc((in->n + 1) * sizeof *part.at), in->n };
	struct diag scratch;
	diag_init(&scratch);
	size_t cap = 0;
	int rc = -1;
	memcpy(alt.at, x->plan.at, in->n * sizeof *alt.at);
	for (size_t i = 0; i < in->n && !sv_budget_over(b); i++) {
		if (!same(&x->plan.at[i], &in->a[i].current))
			continue;
		const struct wk_appt *a = &w->appts[in->a[i].appt];
		if (p->pracs[a->prac].family)
			continue;   /* the family's own calendar: no practitioner to ask */
		if (a->kept)
			continue;   /* the family said "don't move it" (reject --keep) */
		if (a->start < in->now)
			continue;   /* begun or over by now: nothing left to ask */
		int k = find_appt(&now.mv, a);
		if (!has_problem(&now, k))
			continue;
		/* searched on the plan of the week it is booked in alone: the
		 * other weeks' tiers and totals do not change with it (the
		 * weekly terms are per week, objective.c), so the comparisons are
		 * the same, at a week's cost rather than the horizon's */
		int64_t wk = time_week(w->days[in->a[i].current.day].date);
		for (size_t j = 0; j < in->n; j++) {
			part.at[j] = x->plan.at[j];
			if (time_week(w->days[part.at[j].day].date) != wk)
				part.at[j].day = -1;
		}
		struct view pnow;
		if (view_open(in, &part, &pnow, &scratch) < 0) {
			view_close(&pnow);
			goto fail;
		}
		struct placement best;
		int best_dj;
		int brc = best_ask(in, x, i, &pnow, &part, &scratch, &best, &best_dj);
		view_close(&pnow);
		if (brc < 0)
			goto fail;
		if (best.day < 0)
			continue;
		struct sv_ask *ask = BUF_PUSH(x->asks, x->n_asks, cap);
		if (!ask) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			goto out;
		}
		ask->appt = i;
		ask->at = best;
		if (ask_text(in, x, ask, best_dj, &now, &alt, &scratch) < 0)
			goto fail;
	}
	rc = 0;
	goto out;
fail:
	diag_move(d, &scratch);
out:
	diag_release(&scratch);
	free(alt.at);
	free(part.at);
	view_close(&now);
	return rc;
}
