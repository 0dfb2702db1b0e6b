/* build.c: the person's week from the store and the profile: appointments, busy time, journeys, routines. */
#include "dovetail/week.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* A gap between two outings is spent at home when it leaves at least this
 * many minutes there after travelling both ways (docs/profile.md). */

int64_t week_local_date(int64_t t, icaltimezone *zone)
{
	struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0, zone);
	return days_from_civil(tt.year, (unsigned)tt.month, (unsigned)tt.day);
}

/* Local minutes of UTC instant t counted from the local midnight of date. */
static int local_minutes(int64_t t, int64_t date, icaltimezone *zone)
{
	struct icaltimetype tt = icaltime_from_timet_with_zone((time_t)t, 0, zone);
	int64_t wall = days_from_civil(tt.year, (unsigned)tt.month, (unsigned)tt.day) * 86400 +
		       tt.hour * 3600 + tt.minute * 60 + tt.second;
	int64_t m = (wall - date * 86400) / 60;
	return m < 0 ? 0 : m > 1440 ? 1440 : (int)m;
}

/* Whether glob pattern p ('*' any run, '?' any one character, ASCII case
 * ignored) matches anywhere in text t: as if p began and ended with '*'.
 * The classic one-backtrack-point matcher: O(len(t) * len(p)), no recursion. */
static int glob_anywhere(const char *t, const char *p)
{
	const char *star = p, *mark = t;
	while (*t) {
		if (*p == '*') {
			star = ++p;
			mark = t;
		} else if (*p && (*p == '?' || tolower((unsigned char)*p) == tolower((unsigned char)*t))) {
			p++;
			t++;
		} else if (!*p) {
			return 1;   /* the pattern is matched; the rest of text is free */
		} else if (star) {
			p = star;
			t = ++mark;
		} else {
			return 0;
		}
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}

static int ci_contains(const char *hay, const char *pat)
{
	return hay && pat && *pat && glob_anywhere(hay, pat);
}

/* Whether one of the comma-separated items of list equals want (case-insensitive,
 * ignoring blanks around items and a "mailto:" prefix on either side). */
static int ci_in_list(const char *list, const char *want)
{
	if (!list || !want)
		return 0;
	if (strncasecmp(want, "mailto:", 7) == 0)
		want += 7;
	size_t wl = strlen(want), l;
	const char *q;
	for (const char *p = list; ics_list_next(&p, &q, &l);)
		if (l == wl && strncasecmp(q, want, wl) == 0)
			return 1;
	return 0;
}

static int matches(const struct prof_practitioner *pr, const struct store_occ *o)
{
	switch (pr->match) {
	case MATCH_ALL: return 1;
	case MATCH_ATTENDEE: return ci_in_list(o->attendees, pr->match_text);
	case MATCH_CATEGORIES: return ci_in_list(o->categories, pr->match_text);
	case MATCH_TEXT: return ci_contains(o->summary, pr->match_text) || ci_contains(o->description, pr->match_text);
	}
	return 0;
}

/* How specific a match rule is: an attendee or a category, matched
 * exactly, is more specific than a text pattern, which is more than none. */
static int specificity(enum match_kind m)
{
	return m == MATCH_ATTENDEE || m == MATCH_CATEGORIES ? 2 : m == MATCH_TEXT ? 1 : 0;
}

#define SPEC_KEPT 3   /* an appointment with a decision: above any rule */

/* An appointment with a decision: it stays the person's, by UID and
 * RECURRENCE-ID, whatever its match rule says of the event after the round
 * trip (the organizer's copy carries no CATEGORIES or ATTENDEE of theirs). */
struct kept {
	int prac;
	char *uid, *rid;
};

struct reader {
	struct week *w;
	struct diag *d;
	char **warned;            /* UIDs already warned about (D_WEEK_TWO_CLAIMS) */
	size_t n_warned, cap_warned;
	struct kept *kept;
	size_t n_kept, cap_kept;
	int failed;
};

static int collect_kept(const struct store_decision *x, void *arg)
{
	struct reader *r = arg;
	int prac = profile_prac_index(r->w->p, x->appt.practitioner);
	if (prac < 0 || !x->appt.uid)
		return 0;
	for (size_t i = 0; i < r->n_kept; i++)
		if (r->kept[i].prac == prac && !strcmp(r->kept[i].uid, x->appt.uid) &&
		    !strcmp(r->kept[i].rid, x->appt.rid ? x->appt.rid : ""))
			return 0;
	struct kept *k = BUF_PUSH(r->kept, r->n_kept, r->cap_kept);
	if (!k)
		return r->failed = 1;
	k->prac = prac;
	k->uid = xstrdup(x->appt.uid);
	k->rid = xstrdup(x->appt.rid ? x->appt.rid : "");
	return 0;
}

static int is_kept(const struct reader *r, int prac, const struct store_occ *o)
{
	for (size_t i = 0; i < r->n_kept; i++)
		if (r->kept[i].prac == prac && o->uid && !strcmp(r->kept[i].uid, o->uid) &&
		    !strcmp(r->kept[i].rid, o->rid ? o->rid : ""))
			return 1;
	return 0;
}

static int names_source(const struct prof_practitioner *pr, const char *source)
{
	for (size_t j = 0; j < pr->n_feeds; j++)
		if (pr->feeds[j].source && source && strcmp(pr->feeds[j].source, source) == 0)
			return 1;
	return 0;
}

/* Busy time of practitioner pi with another client. */
static int add_busy(struct reader *r, int pi, const struct store_occ *o)
{
	struct week *w = r->w;
	struct wk_busy *b = BUF_PUSH(w->busy, w->n_busy, w->busy_cap);
	if (!b)
		return r->failed = 1;
	b->prac = pi;
	b->start = o->start;
	b->end = o->end;
	return 0;
}

/* Warn, once a series, that two practitioners' rules claim o. */
static int warn_two_claims(struct reader *r, const struct store_occ *o, int won, int other)
{
	const char *uid = o->uid ? o->uid : "";
	for (size_t i = 0; i < r->n_warned; i++)
		if (!strcmp(r->warned[i], uid))
			return 0;
	char **slot = BUF_PUSH(r->warned, r->n_warned, r->cap_warned);
	if (!slot)
		return r->failed = 1;
	*slot = xstrdup(uid);
	const struct profile *p = r->w->p;
	int64_t date = week_local_date(o->start, r->w->zone);
	char at[24];
	time_fmt_local(date, local_minutes(o->start, date, r->w->zone), at, sizeof at);
	diag_add(r->d, D_WEEK_TWO_CLAIMS, NULL, 0, 0, at, p->pracs[won < other ? won : other].id,
		 p->pracs[won < other ? other : won].id, p->pracs[won].id);
	return 0;
}

static const struct prof_override *find_override(struct week *w, const char *uid, const char *rid)
{
	const struct profile *p = w->p;
	const struct prof_override *series = NULL;
	for (size_t i = 0; i < p->n_overrides; i++) {
		const struct prof_override *o = &p->overrides[i];
		if (!o->uid || strcmp(o->uid, uid) != 0)
			continue;
		if (o->has_rid) {
			char t[20];
			time_fmt_utc(o->rid, t);
			if (rid && strcmp(rid, t) == 0) {
				w->override_used[i] = 1;
				return o;
			}
		} else if (!series) {
			series = o;
			w->override_used[i] = 1;
		}
	}
	return series;
}

/* Each carer's working hours: their busy time on every day of the week
 * they cover (docs/profile.md, "carers"). */
static int carers_working(struct week *w)
{
	const struct profile *p = w->p;
	for (size_t c = 0; c < p->n_carers; c++)
		for (size_t k = 0; k < p->carers[c].n_working; k++) {
			const struct prof_work *wk = &p->carers[c].working[k];
			for (size_t di = 0; di < w->n_days; di++) {
				if (!(wk->days & w->days[di].wd))
					continue;
				struct wk_busy *b = BUF_PUSH(w->busy, w->n_busy, w->busy_cap);
				if (!b)
					return -1;
				*b = (struct wk_busy){ -1 - (int)c, week_utc(w, (int)di, wk->hours.from),
						       week_utc(w, (int)di, wk->hours.to) };
			}
		}
	return 0;
}

static int day_index(const struct week *w, int64_t t)
{
	int64_t date = week_local_date(t, w->zone);
	if (date < w->days[0].date || date >= w->days[0].date + (int64_t)w->n_days)
		return -1;
	return (int)(date - w->days[0].date);
}

/* Which practitioner naming o's feed has o as the person's appointment
 * (docs/profile.md, "Feeds"): *pi the one whose rule claims it (a kept
 * decision first, then the most specific rule, else the first listed; -1
 * none), *other another claimant (-1 none), for the warning. Free/busy and
 * all-day events are claimed by none. Returns whether any practitioner
 * names the feed. */
static int claimant(const struct reader *r, const struct store_occ *o, int *pi, int *other)
{
	const struct profile *p = r->w->p;
	int is_fb = o->kind && strcmp(o->kind, "freebusy") == 0;
	int named = 0, spec_pi = -1;
	*pi = *other = -1;
	for (size_t i = 0; i < p->n_pracs; i++) {
		const struct prof_practitioner *pr = &p->pracs[i];
		if (!names_source(pr, o->source))
			continue;
		named = 1;
		if (is_fb || o->all_day)
			continue;
		int spec = is_kept(r, (int)i, o) ? SPEC_KEPT : matches(pr, o) ? specificity(pr->match) : -1;
		if (spec < 0)
			continue;
		if (*pi < 0) {
			*pi = (int)i;
			spec_pi = spec;
		} else if (spec > spec_pi) {
			*other = *pi;
			*pi = (int)i;
			spec_pi = spec;
		} else if (*other < 0) {
			*other = (int)i;
		}
	}
	return named;
}

/* What the profile says of appointment a of practitioner pr (energy,
 * movable, window, venues), an override for its UID and RECURRENCE-ID
 * applied. */
static void apply_rules(struct week *w, struct wk_appt *a, const struct prof_practitioner *pr)
{
	const struct prof_override *ov = find_override(w, a->uid, a->rid);
	a->energy = pr->intensity * (double)(a->end - a->start) / 3600.0;
	a->movable = pr->movable;
	a->needs_carer = pr->needs_carer;
	a->window = &pr->window;
	a->venues = &pr->venues;
	if (ov) {
		if (ov->energy >= 0)
			a->energy = ov->energy;
		if (ov->movable >= 0)
			a->movable = ov->movable;
		if (ov->has_window)
			a->window = &ov->window;
		if (ov->venues.n)
			a->venues = &ov->venues;
	}
	if (pr->family)
		a->movable = 0;   /* the person's own commitment: never moved, whatever an override says */
}

/* A copy of s, or NULL when s is NULL or empty. */
static char *dup_nonempty(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* Append o as practitioner pi's appointment on day `day`. Returns 0, or 1
 * out of memory (r->failed set). */
static int add_appt(struct reader *r, const struct store_occ *o, int pi, int day)
{
	struct week *w = r->w;
	const struct profile *p = w->p;
	const struct prof_practitioner *pr = &p->pracs[pi];
	struct wk_appt *a = BUF_PUSH(w->appts, w->n_appts, w->appts_cap);
	if (!a)
		return r->failed = 1;
	memset(a, 0, sizeof *a);
	a->prac = pi;
	a->day = day;
	a->start = o->start;
	a->end = o->end;
	a->s_min = local_minutes(o->start, w->days[day].date, w->zone);
	a->e_min = local_minutes(o->end, w->days[day].date, w->zone);
	a->tentative = o->tentative;
	a->uid = xstrdup(o->uid ? o->uid : "");
	a->rid = xstrdup(o->rid ? o->rid : "");
	a->organizer = dup_nonempty(o->organizer);
	a->summary = dup_nonempty(o->summary);
	a->description = dup_nonempty(o->description);
	a->location_text = dup_nonempty(o->location);
	a->has_location = o->location && *o->location;
	a->venue = a->has_location ? profile_match_venue(p, o->location) : pr->default_venue;
	a->feed_start = a->start;
	a->feed_end = a->end;
	a->feed_venue = a->venue;
	a->sequence = o->sequence;
	apply_rules(w, a, pr);
	return 0;
}

static int on_occ(const struct store_occ *o, void *arg)
{
	struct reader *r = arg;
	struct week *w = r->w;
	const struct profile *p = w->p;
	if (!o->busy || o->transparent || (o->status && strcmp(o->status, "CANCELLED") == 0))
		return 0;
	/* every practitioner who names the feed: the event is the person's
	 * appointment with the one whose rule claims it (the most specific
	 * rule, else the first listed, with a warning); one no rule claims is
	 * busy time of each of them (docs/profile.md, "Feeds") */
	/* a carer's feed: their own busy time, whatever it says */
	for (size_t c = 0; c < p->n_carers; c++) {
		const struct prof_carer *cr = &p->carers[c];
		for (size_t j = 0; j < cr->n_feeds; j++)
			if (cr->feeds[j].source && o->source && !strcmp(cr->feeds[j].source, o->source)) {
				if (add_busy(r, -1 - (int)c, o))
					return 1;
				break;
			}
	}
	int pi, other;
	if (!claimant(r, o, &pi, &other))
		return 0;
	if (pi < 0) {
		for (size_t i = 0; i < p->n_pracs; i++)
			if (names_source(&p->pracs[i], o->source) && add_busy(r, (int)i, o))
				return 1;
		return 0;
	}
	/* the family's calendar takes what no practitioner claims: no warning */
	if (other >= 0 && !p->pracs[pi].family && !p->pracs[other].family && warn_two_claims(r, o, pi, other))
		return 1;
	int day = day_index(w, o->start);
	if (day < 0)
		return 0;   /* started before the horizon */
	return add_appt(r, o, pi, day);
}

static int appt_cmp(const void *x, const void *y, void *arg)
{
	const struct wk_appt *a = x, *b = y;
	const struct profile *p = arg;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	int c = strcmp(p->pracs[a->prac].id, p->pracs[b->prac].id);
	if (c)
		return c;
	c = strcmp(a->uid, b->uid);
	return c ? c : strcmp(a->rid, b->rid);
}

/* Insertion sort with a context: the lists are small (a week's appointments). */
static void sort_appts(struct wk_appt *v, size_t n, const struct profile *p)
{
	for (size_t i = 1; i < n; i++) {
		struct wk_appt t = v[i];
		size_t j = i;
		while (j > 0 && appt_cmp(&v[j - 1], &t, (void *)p) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = t;
	}
}

static int add_leg(struct week *w, int day, int from, int to, int dep, int arr)
{
	if (from == to)
		return 0;
	struct wk_leg *l = BUF_PUSH(w->legs, w->n_legs, w->legs_cap);
	if (!l)
		return -1;
	l->day = day;
	l->from = from;
	l->to = to;
	l->dep = dep;
	l->arr = arr;
	return 0;
}

static int travel0(const struct profile *p, int a, int b)
{
	int t = profile_travel(p, a, b);
	return t < 0 ? 0 : t;
}

/* Journeys, legs, time out and energy of one day (docs/profile.md, "How a day is read"). */
static int plan_day(struct week *w, int di)
{
	const struct profile *p = w->p;
	struct wk_day *d = &w->days[di];
	int home = p->home;
	int at = home;            /* where the person is */
	int free_from = 0;        /* when they are free to leave it */
	int depart = -1;          /* when the current outing began */
	double energy = 0, joint_max = 0;
	size_t group = d->first;  /* first appointment of the current joint session */
	for (size_t k = d->first; k < d->first + d->n; k++) {
		const struct wk_appt *a = &w->appts[k];
		int v = a->venue < 0 ? home : a->venue;   /* unknown venues cost no travel */
		/* a joint session costs the energy of its most tiring part */
		int joins = k > group;
		for (size_t j = group; joins && j < k; j++)
			joins = week_joint(w, &w->appts[j], a);
		if (!joins) {
			group = k;
			joint_max = 0;
		}
		if (a->energy > joint_max) {
			energy += a->energy - joint_max;
			joint_max = a->energy;
		}
		if (at != home) {
			/* away: go home in between when the gap leaves time there */
			int back = travel0(p, at, home), there = v == home ? 0 : travel0(p, home, v);
			int gap = a->s_min - free_from;
			if (v == home || gap - back - there >= WEEK_HOME_STAY_MIN) {
				if (add_leg(w, di, at, home, free_from, free_from + back) < 0)
					return -1;
				d->time_out += free_from + back - depart;
				at = home;
			}
		}
		if (at == home && v != home) {
			int t = travel0(p, home, v);
			depart = a->s_min - t;
			d->journeys++;
			if (add_leg(w, di, home, v, depart, a->s_min) < 0)
				return -1;
		} else if (at != v) {
			int t = travel0(p, at, v);
			if (add_leg(w, di, at, v, free_from, free_from + t) < 0)
				return -1;
		}
		if (at != v || a->e_min > free_from)
			free_from = a->e_min;
		at = v;
	}
	if (at != home) {
		int back = travel0(p, at, home);
		if (add_leg(w, di, at, home, free_from, free_from + back) < 0)
			return -1;
		d->time_out += free_from + back - depart;
	}
	for (size_t i = 0; i < w->n_legs; i++) {
		if (w->legs[i].day != di)
			continue;
		d->travel_min += w->legs[i].arr - w->legs[i].dep;
		d->travel_cost += profile_travel_cost(p, w->legs[i].from, w->legs[i].to);
	}
	d->energy = energy + d->travel_min / 60.0 * p->travel_energy_per_hour;
	return 0;
}

int64_t week_notice_cutoff(const struct week *w, int prac, int64_t now)
{
	const struct profile *p = w->p;
	const struct prof_notice *n = prac >= 0 && (size_t)prac < p->n_pracs && p->pracs[prac].has_notice
					      ? &p->pracs[prac].notice : &p->notice;
	assert(n->amount >= 0);
	if (n->unit == NOTICE_HOURS || n->amount == 0)
		return now + (int64_t)n->amount * 3600;
	/* step whole local days, keeping the local time of day */
	struct icaltimetype t = icaltime_from_timet_with_zone((time_t)now, 0, w->zone);
	for (int counted = 0; counted < n->amount;) {
		icaltime_adjust(&t, 1, 0, 0, 0);
		int dow = icaltime_day_of_week(t);   /* 1 Sunday .. 7 Saturday */
		if (n->unit == NOTICE_DAYS || (dow >= 2 && dow <= 6))
			counted++;
	}
	return (int64_t)icaltime_as_timet_with_zone(t, w->zone);
}

int64_t week_decide_by(const struct week *w, size_t i, int64_t to_date, int to_minute, int64_t now)
{
	const struct wk_appt *a = &w->appts[i];
	int64_t to = ics_wall_to_utc((to_date * 1440 + to_minute) * 60, w->zone);
	int64_t first = a->start < to ? a->start : to;
	if (week_notice_cutoff(w, a->prac, now) > first)
		return now;
	/* The cut-off keeps the local time of day and steps whole days, so
	 * within one local day it grows with now; across a weekend it may
	 * fall back (with one working day, Friday 11:00's ends Monday 11:00,
	 * Saturday 09:00's Monday 09:00). An accept stays open only while it
	 * has been possible ever since now: up to the last instant before the
	 * first one after now whose cut-off passes first. Day by day: */
	for (int64_t t = now; t <= first;) {
		int64_t next = ics_wall_to_utc((week_local_date(t, w->zone) + 1) * 86400, w->zone);
		if (next <= t)
			next = t + 86400;   /* cannot happen; never loop */
		int64_t end = next <= first ? next - 1 : first;   /* the rest of t's day, up to first */
		/* the cut-off grows within the day: its end fits, so does all of it */
		if (week_notice_cutoff(w, a->prac, end) <= first) {
			t = end + 1;
			continue;
		}
		if (week_notice_cutoff(w, a->prac, t) > first)
			return t - 1 > now ? t - 1 : now;
		int64_t lo = t, hi = end;   /* lo fits, hi does not */
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			if (week_notice_cutoff(w, a->prac, mid) <= first)
				lo = mid;
			else
				hi = mid;
		}
		return lo;
	}
	return first;
}

int week_joint(const struct week *w, const struct wk_appt *a, const struct wk_appt *b)
{
	const struct profile *p = w->p;
	return a->day == b->day && a->s_min == b->s_min && a->venue >= 0 && a->venue == b->venue &&
	       profile_joint(p, a->prac, b->prac);
}

void week_carer_span(const struct week *w, int venue, int64_t s, int64_t e, int64_t *cs, int64_t *ce)
{
	const struct profile *p = w->p;
	int there = profile_travel(p, p->home, venue), back = profile_travel(p, venue, p->home);
	*cs = s - 60 * (int64_t)(there > 0 ? there : 0);
	*ce = e + 60 * (int64_t)(back > 0 ? back : 0);
}

int week_carer_for(const struct week *w, const struct wk_appt *a, int venue, int64_t s, int64_t e)
{
	const struct profile *p = w->p;
	if (!a->needs_carer || !p->n_carers)
		return WEEK_CARER_NONE_NEEDED;
	int64_t cs, ce;
	week_carer_span(w, venue, s, e, &cs, &ce);
	for (size_t c = 0; c < p->n_carers; c++) {
		const struct prof_carer *cr = &p->carers[c];
		if (cr->takes && !(cr->takes >> a->prac & 1))
			continue;
		int busy = 0;
		for (size_t i = 0; i < w->n_busy && !busy; i++)
			busy = w->busy[i].prac == -1 - (int)c && w->busy[i].start < ce && cs < w->busy[i].end;
		if (!busy)
			return (int)c;
	}
	return WEEK_CARER_NONE_FREE;
}

int week_carer_free(const struct week *w, const struct wk_appt *a, int venue, int64_t s, int64_t e)
{
	return week_carer_for(w, a, venue, s, e) != WEEK_CARER_NONE_FREE;
}

int week_busy(const struct week *w, int prac, int64_t s, int64_t e)
{
	for (size_t i = 0; i < w->n_busy; i++)
		if (w->busy[i].prac == prac && w->busy[i].start < e && s < w->busy[i].end)
			return 1;
	return 0;
}

static int overlaps(int a0, int a1, int b0, int b1)
{
	return a0 < b1 && b0 < a1;
}

int week_routines_apart(const struct profile *p, int a, int b)
{
	if (a == p->home)
		a = PLACE_HOME;
	if (b == p->home)
		b = PLACE_HOME;
	return a != PLACE_ANYWHERE && b != PLACE_ANYWHERE && a != b;
}

int week_routine_before(const struct profile *p, size_t ra, size_t wa, size_t rb, size_t wb)
{
	assert(ra < p->n_routines && rb < p->n_routines);
	assert(wa < p->routines[ra].n_starts && wb < p->routines[rb].n_starts);
	int fa = p->routines[ra].starts[wa].from, fb = p->routines[rb].starts[wb].from;
	if (fa != fb)
		return fa < fb;
	return ra != rb ? ra < rb : wa < wb;
}

/* The first start on the slot grid, in window r->starts[wi] or else at
 * most WEEK_ROUTINE_MAX_LATE minutes after it (and before midnight), that
 * keeps the routine clear of the day's appointments and travel, and of the
 * routines placed before it (placed[0 .. n_placed)) that are apart from it;
 * for a routine at home, away from outings; at a venue, with time to get
 * there and on. */
static int fit_routine(const struct week *w, int di, const struct prof_routine *r, size_t wi,
		       struct wk_routine *const *placed, size_t n_placed)
{
	const struct profile *p = w->p;
	const struct wk_day *d = &w->days[di];
	int slot = p->slot;
	int s0 = (r->starts[wi].from + slot - 1) / slot * slot;
	int last = r->starts[wi].to + WEEK_ROUTINE_MAX_LATE;
	if (last > 1440 - r->duration)
		last = 1440 - r->duration;
	for (int s = s0; s <= last; s += slot) {
		int e = s + r->duration, ok = 1;
		for (size_t k = d->first; ok && k < d->first + d->n; k++)
			if (overlaps(s, e, w->appts[k].s_min, w->appts[k].e_min))
				ok = 0;
		for (size_t k = 0; ok && k < n_placed; k++) {
			const struct prof_routine *o = &p->routines[placed[k]->routine];
			assert(placed[k]->day == di);
			if (placed[k]->start >= 0 && week_routines_apart(p, r->place, o->place) &&
			    overlaps(s, e, placed[k]->start, placed[k]->start + o->duration))
				ok = 0;
		}
		for (size_t i = 0; ok && i < w->n_legs; i++)
			if (w->legs[i].day == di && overlaps(s, e, w->legs[i].dep, w->legs[i].arr))
				ok = 0;
		if (ok && r->place >= 0) {
			/* at a venue: time to get there from the appointment before
			 * (home at midnight when none) and on to the appointment
			 * after (home at midnight when none) */
			int pv = p->home, pt = 0, nv = p->home, nt = 1440;
			for (size_t k = d->first; k < d->first + d->n; k++) {
				const struct wk_appt *a = &w->appts[k];
				int v = a->venue < 0 ? p->home : a->venue;
				if (a->e_min <= s && a->e_min >= pt) {
					pt = a->e_min;
					pv = v;
				}
				if (a->s_min >= e && a->s_min < nt) {
					nt = a->s_min;
					nv = v;
				}
			}
			ok = pt + travel0(p, pv, r->place) <= s && e + travel0(p, r->place, nv) <= nt;
		}
		if (ok && r->place == PLACE_HOME) {
			/* away from home between leaving and coming back */
			int out = -1;
			for (size_t i = 0; ok && i < w->n_legs; i++) {
				const struct wk_leg *l = &w->legs[i];
				if (l->day != di)
					continue;
				if (l->from == p->home)
					out = l->dep;
				if (l->to == p->home && out >= 0) {
					if (overlaps(s, e, out, l->arr))
						ok = 0;
					out = -1;
				}
			}
		}
		if (ok)
			return s;
	}
	return -1;
}

/* Day di's routines r[0 .. n), each at its first free start, in the order
 * of week_routine_before. Returns 0, or -1 when out of memory. */
static int place_routines(struct week *w, int di, struct wk_routine *r, size_t n)
{
	const struct profile *p = w->p;
	struct wk_routine **order = malloc((n + 1) * sizeof *order);
	if (!order)
		return -1;
	for (size_t k = 0; k < n; k++) {
		size_t j = k;
		for (; j > 0 && week_routine_before(p, (size_t)r[k].routine, (size_t)r[k].window,
						       (size_t)order[j - 1]->routine, (size_t)order[j - 1]->window); j--)
			order[j] = order[j - 1];
		order[j] = &r[k];
	}
	for (size_t k = 0; k < n; k++) {
		struct wk_routine *x = order[k];
		const struct prof_routine *rt = &p->routines[x->routine];
		x->start = fit_routine(w, di, rt, (size_t)x->window, order, k);
		x->late = x->start > rt->starts[x->window].to ? x->start - rt->starts[x->window].to : 0;
	}
	free(order);
	return 0;
}

int week_trim(struct week *w, int64_t from_date, int64_t to_date, struct diag *d)
{
	assert(w->n_days && from_date >= w->days[0].date && to_date >= from_date &&
	       to_date < w->days[0].date + (int64_t)w->n_days);
	size_t k0 = (size_t)(from_date - w->days[0].date), k1 = (size_t)(to_date - w->days[0].date);
	int64_t lo = w->days[k0].midnight, hi = w->days[k1 + 1].midnight;
	size_t n = 0;
	for (size_t i = 0; i < w->n_appts; i++) {
		if (w->appts[i].start < lo || w->appts[i].start >= hi) {
			week_appt_release(&w->appts[i]);
			continue;
		}
		w->appts[n++] = w->appts[i];
	}
	w->n_appts = n;
	memmove(w->days, w->days + k0, (k1 - k0 + 2) * sizeof *w->days);
	w->n_days = k1 - k0 + 1;
	return week_derive(w, d);
}

int week_derive(struct week *w, struct diag *d)
{
	const struct profile *p = w->p;
	for (size_t i = 0; i < w->n_appts; i++) {
		int day = day_index(w, w->appts[i].start);
		if (day >= 0)
			w->appts[i].day = day;
	}
	sort_appts(w->appts, w->n_appts, p);
	w->n_legs = 0;
	w->n_routines = 0;
	for (size_t i = 0, k = 0; i < w->n_days; i++) {
		struct wk_day *x = &w->days[i];
		x->journeys = x->travel_min = x->time_out = 0;
		x->travel_cost = x->energy = 0;
		x->first = k;
		while (k < w->n_appts && w->appts[k].day == (int)i)
			k++;
		x->n = k - x->first;
	}
	for (size_t i = 0; i < w->n_days; i++)
		if (plan_day(w, (int)i) < 0)
			goto oom;
	for (size_t i = 0; i < w->n_days; i++) {
		size_t first = w->n_routines;
		for (size_t ri = 0; ri < p->n_routines; ri++) {
			const struct prof_routine *rt = &p->routines[ri];
			if (!(rt->days & w->days[i].wd))
				continue;
			for (size_t wi = 0; wi < rt->n_starts; wi++) {
				struct wk_routine *x = BUF_PUSH(w->routines, w->n_routines, w->routines_cap);
				if (!x)
					goto oom;
				x->routine = (int)ri;
				x->window = (int)wi;
				x->day = (int)i;
				x->start = -1;
				x->late = 0;
			}
		}
		if (w->n_routines > first && place_routines(w, (int)i, w->routines + first, w->n_routines - first) < 0)
			goto oom;
	}
	return 0;
oom:
	diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
	return -1;
}

int week_copy(struct week *dst, const struct week *src, struct diag *d)
{
	memset(dst, 0, sizeof *dst);
	dst->p = src->p;
	dst->zone = src->zone;
	dst->n_days = src->n_days;
	dst->days = xcalloc(src->n_days + 1, sizeof *dst->days);
	dst->override_used = xcalloc(src->p->n_overrides + 1, 1);
	dst->appts = xcalloc(src->n_appts + 1, sizeof *dst->appts);
	dst->busy = xcalloc(src->n_busy + 1, sizeof *dst->busy);
	memcpy(dst->days, src->days, (src->n_days + 1) * sizeof *dst->days);
	if (src->p->n_overrides)
		memcpy(dst->override_used, src->override_used, src->p->n_overrides);
	if (src->n_busy)
		memcpy(dst->busy, src->busy, src->n_busy * sizeof *dst->busy);
	dst->n_busy = dst->busy_cap = src->n_busy;
	dst->appts_cap = src->n_appts + 1;
	for (size_t i = 0; i < src->n_appts; i++) {
		const struct wk_appt *sa = &src->appts[i];
		struct wk_appt *da = &dst->appts[i];
		*da = *sa;
		da->uid = xstrdup(sa->uid);
		da->rid = xstrdup(sa->rid);
		da->organizer = sa->organizer ? xstrdup(sa->organizer) : NULL;
		da->summary = sa->summary ? xstrdup(sa->summary) : NULL;
		da->description = sa->description ? xstrdup(sa->description) : NULL;
		da->location_text = sa->location_text ? xstrdup(sa->location_text) : NULL;
		da->refused = NULL;
		if (sa->n_refused) {
			da->refused = xreallocarray(NULL, sa->n_refused, sizeof *da->refused);
			memcpy(da->refused, sa->refused, sa->n_refused * sizeof *da->refused);
		}
		da->suggested = NULL;
		if (sa->n_suggested) {
			da->suggested = xreallocarray(NULL, sa->n_suggested, sizeof *da->suggested);
			memcpy(da->suggested, sa->suggested, sa->n_suggested * sizeof *da->suggested);
		}
		dst->n_appts++;
	}
	return 0;
}

int64_t week_utc(const struct week *w, int day, int minutes)
{
	return ics_wall_to_utc((w->days[day].date * 1440 + minutes) * 60, w->zone);
}

static int by_start(const void *x, const void *y)
{
	const struct wk_appt *a = *(const struct wk_appt *const *)x, *b = *(const struct wk_appt *const *)y;
	return (a->start > b->start) - (a->start < b->start);
}

/*
 * Busy time that is the person's own appointment with that practitioner,
 * the same start and end or a period containing it (Exchange publishes
 * free/busy so), is not another client's: each appointment's span is taken
 * out of the practitioner's busy periods that contain it; what is before
 * and after it stays busy (docs/profile.md, "Feeds"). Returns 0 or -1 (out
 * of memory).
 */
static int own_time_is_not_busy(struct week *w)
{
	size_t n = w->n_busy;
	struct wk_busy *out = NULL;
	size_t n_out = 0, cap_out = 0;
	const struct wk_appt **in = xmalloc((w->n_appts + 1) * sizeof *in);
	for (size_t k = 0; k < n; k++) {
		const struct wk_busy b = w->busy[k];
		size_t m = 0;
		for (size_t i = 0; i < w->n_appts; i++) {
			const struct wk_appt *a = &w->appts[i];
			if (a->prac == b.prac && b.start <= a->start && a->end <= b.end && a->start < a->end)
				in[m++] = a;
		}
		if (m > 1)
			qsort(in, m, sizeof *in, by_start);
		int64_t cur = b.start;
		for (size_t i = 0; i <= m; i++) {
			int64_t upto = i < m ? in[i]->start : b.end;
			if (upto > cur || (m == 0 && b.start == b.end)) {
				struct wk_busy *x = BUF_PUSH(out, n_out, cap_out);
				if (!x) {
					free(in);
					free(out);
					return -1;
				}
				*x = (struct wk_busy){ b.prac, cur, upto };
			}
			if (i < m && in[i]->end > cur)
				cur = in[i]->end;
		}
	}
	free(in);
	free(w->busy);
	w->busy = out;
	w->n_busy = n_out;
	w->busy_cap = cap_out;
	return 0;
}

/* Free what the reader gathered (the week is the caller's). */
static void reader_release(struct reader *r)
{
	for (size_t i = 0; i < r->n_warned; i++)
		free(r->warned[i]);
	free(r->warned);
	for (size_t i = 0; i < r->n_kept; i++) {
		free(r->kept[i].uid);
		free(r->kept[i].rid);
	}
	free(r->kept);
}

int week_build(struct week *w, const struct profile *p, struct store *s,
	       int64_t from_date, int64_t to_date, struct diag *d)
{
	memset(w, 0, sizeof *w);
	w->p = p;
	w->zone = ics_tz_builtin(p->timezone);
	if (!w->zone || to_date < from_date || to_date - from_date > 366) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "week_build: bad zone or horizon");
		return -1;
	}
	w->n_days = (size_t)(to_date - from_date + 1);
	w->days = xcalloc(w->n_days + 1, sizeof *w->days);
	w->override_used = xcalloc(p->n_overrides + 1, 1);
	for (size_t i = 0; i <= w->n_days; i++) {
		w->days[i].date = from_date + (int64_t)i;
		w->days[i].midnight = ics_wall_to_utc(w->days[i].date * 86400, w->zone);
		w->days[i].wd = wd_bit_of_days(w->days[i].date);
	}
	struct reader r = { w, d, NULL, 0, 0, NULL, 0, 0, 0 };
	int rc = store_each_decision(s, p->person_id, collect_kept, &r, d);
	if (rc == 0 && !r.failed) {
		/* only the profile's feeds: the store may hold many others */
		size_t n_src;
		const char **src = profile_feed_sources(p, &n_src);
		rc = store_each_occurrence_in(s, src, n_src, w->days[0].midnight,
					      w->days[w->n_days].midnight, on_occ, &r, d);
		free(src);
	}
	reader_release(&r);
	if (rc < 0)
		goto fail;
	if (r.failed || carers_working(w) < 0 || own_time_is_not_busy(w) < 0)
		goto oom;
	if (week_derive(w, d) < 0)
		goto fail;
	return 0;
oom:
	diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
fail:
	week_release(w);
	return -1;
}

void week_appt_release(struct wk_appt *a)
{
	free(a->uid);
	free(a->rid);
	free(a->organizer);
	free(a->refused);
	free(a->summary);
	free(a->description);
	free(a->location_text);
	a->summary = a->description = a->location_text = NULL;
	free(a->suggested);
	a->uid = a->rid = a->organizer = NULL;
	a->refused = a->suggested = NULL;
	a->n_refused = a->n_suggested = 0;
}

void week_release(struct week *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n_appts; i++)
		week_appt_release(&w->appts[i]);
	free(w->appts);
	free(w->busy);
	free(w->legs);
	free(w->routines);
	free(w->days);
	free(w->override_used);
	memset(w, 0, sizeof *w);
}

int week_minutes(const struct week *w, int day, int64_t t)
{
	return local_minutes(t, w->days[day].date, w->zone);
}

int week_window_allows(const struct week *w, const struct prof_window *win, int from, int to)
{
	int64_t shift = w->days[to].date - w->days[from].date;
	if (shift < -win->days || shift > win->days)
		return 0;
	if (win->same_week && time_week(w->days[from].date) != time_week(w->days[to].date))
		return 0;   /* weeks run Monday to Sunday; day 0 was a Thursday */
	return (win->weekdays & w->days[to].wd) != 0;
}

int week_could_move_to(const struct week *w, const struct wk_appt *a, int day)
{
	const struct profile *p = w->p;
	if (!a->movable || day == a->day || day < 0 || (size_t)day >= w->n_days)
		return 0;
	const struct wk_day *to = &w->days[day];
	if (!week_window_allows(w, a->window, a->day, day))
		return 0;
	const struct prof_practitioner *pr = &p->pracs[a->prac];
	int dur = a->e_min - a->s_min;
	if (pr->n_works == 0)
		return 1;
	for (size_t i = 0; i < pr->n_works; i++) {
		const struct prof_work *wk = &pr->works[i];
		if (!(wk->days & to->wd) || wk->hours.to - wk->hours.from < dur)
			continue;
		if (wk->venues.n == 0)
			return 1;
		for (size_t j = 0; j < wk->venues.n; j++)
			if (wk->venues.v[j] == a->venue)
				return 1;
	}
	return 0;
}
