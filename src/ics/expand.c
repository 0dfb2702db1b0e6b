/* expand.c: the occurrences of a feed's events in a window (RFC 5545 3.8.5, 3.3.10).
 *
 * libical 3.0.16's icalcomponent_foreach_recurrence mishandles overrides,
 * RDATE with TZID, PERIOD values and DURATION (docs/recurrence.md), so this
 * file drives icalrecur_iterator itself and builds the recurrence set:
 *   { DTSTART } + RRULE instances + RDATE  -  EXDATE - EXRULE instances,
 * then applies RECURRENCE-ID overrides, matched as instants, and
 * RANGE=THISANDFUTURE overrides to the instances after them.
 */
#include "dovetail/ics.h"

#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "dovetail/xalloc.h"

/* How the instants of one series are compared: as UTC seconds (a zoned or
 * UTC DTSTART, or a floating one being resolved), as floating wall seconds,
 * or as dates. */
struct frame {
	int kind;            /* enum ics_tkind */
	icaltimezone *zone;  /* ICS_T_UTC: the zone wall clocks are read in */
};

struct dur {
	int64_t days;        /* nominal: calendar days in the series' zone */
	int64_t secs;        /* exact */
};

struct inst {
	int64_t key;
	int64_t period_end;  /* RDATE;VALUE=PERIOD end (same kind), or INT64_MIN */
};

struct xp {
	struct ics_feed *f;
	const struct ics_expand_opts *o;
	struct diag *d;
	struct ics_occs *out;
	struct timespec cpu0;
	unsigned long ticks;
	int spent;           /* CPU budget or feed cap gone: stop */
	icaltimezone *utc;
};

static int64_t wall_secs(const struct icaltimetype *t)
{
	int64_t days = days_from_civil(t->year, (unsigned)t->month, (unsigned)t->day);
	if (t->is_date)
		return days * 86400;
	return days * 86400 + t->hour * 3600 + t->minute * 60 + t->second;
}

static int64_t floor_day(int64_t s)
{
	return s - ((s % 86400) + 86400) % 86400;
}

static int64_t to_utc(struct icaltimetype t, icaltimezone *zone)
{
	t.zone = NULL;
	t.is_date = 0;
	return (int64_t)icaltime_as_timet_with_zone(t, zone);
}

static struct icaltimetype to_wall(int64_t utc, icaltimezone *zone)
{
	struct icaltimetype t = icaltime_from_timet_with_zone((time_t)utc, 0, zone);
	t.zone = NULL;
	return t;
}

/* The floating zone in force: X-WR-TIMEZONE, else the caller's, when the
 * caller asked for floating times to be resolved at all. */
static icaltimezone *floating_zone(const struct xp *x)
{
	if (!x->o->floating_zone)
		return NULL;
	return x->f->x_wr_zone ? x->f->x_wr_zone : x->o->floating_zone;
}

static struct frame frame_of(const struct xp *x, const struct icaltimetype *dtstart)
{
	struct frame fr = { ICS_T_FLOAT, NULL };
	if (dtstart->is_date) {
		fr.kind = ICS_T_DATE;
	} else if (dtstart->zone) {
		fr.kind = ICS_T_UTC;
		fr.zone = (icaltimezone *)dtstart->zone;
	} else if (floating_zone(x)) {
		fr.kind = ICS_T_UTC;
		fr.zone = floating_zone(x);
	}
	return fr;
}

/* Key of value t in frame fr. *date_only is set when t is a DATE compared
 * against date-times: callers match it by calendar date. */
static int64_t key_of(const struct xp *x, const struct frame *fr,
		      const struct icaltimetype *t, int *date_only)
{
	if (date_only)
		*date_only = 0;
	switch (fr->kind) {
	case ICS_T_DATE:
		if (t->is_date || t->zone != x->utc) {
			return floor_day(wall_secs(t));
		} else {
			/* a UTC date-time against dates: its date where the person is */
			icaltimezone *fz = floating_zone(x);
			struct icaltimetype w = fz ? to_wall(to_utc(*t, x->utc), fz) : *t;
			return floor_day(wall_secs(&w));
		}
	case ICS_T_UTC:
		if (t->is_date) {
			if (date_only) {
				*date_only = 1; /* matched by calendar day: see day_of */
				return wall_secs(t);
			}
			return to_utc(*t, fr->zone);
		}
		return to_utc(*t, t->zone ? (icaltimezone *)t->zone : fr->zone);
	default: /* floating: the wall clock as written */
		if (t->is_date && date_only)
			*date_only = 1;
		return wall_secs(t);
	}
}

static int64_t day_of(const struct frame *fr, int64_t key)
{
	if (fr->kind == ICS_T_UTC) {
		struct icaltimetype w = to_wall(key, fr->zone);
		w.is_date = 1;
		return wall_secs(&w);
	}
	return floor_day(key);
}

static struct dur duration_of(const struct xp *x, const struct frame *fr, const struct ics_event *e)
{
	struct dur du = { 0, 0 };
	if (e->has_dtend) {
		int64_t a = key_of(x, fr, &e->dtstart, NULL);
		int64_t b = key_of(x, fr, &e->dtend, NULL);
		if (fr->kind == ICS_T_DATE)
			du.days = (b - a) / 86400;
		else
			du.secs = b - a; /* RFC 5545 3.8.5.3: DTEND gives an exact duration */
		if (du.days < 0 || du.secs < 0)
			du.days = du.secs = 0;
	} else if (e->has_duration && !e->duration.is_neg) {
		du.days = (int64_t)e->duration.days + 7 * (int64_t)e->duration.weeks;
		du.secs = (int64_t)e->duration.hours * 3600 + e->duration.minutes * 60 + e->duration.seconds;
	} else if (fr->kind == ICS_T_DATE) {
		du.days = 1; /* RFC 5545 3.6.1: an all-day event without an end lasts the day */
	}
	return du;
}

static int64_t end_of(const struct frame *fr, int64_t start, const struct dur *du)
{
	int64_t e = start;
	if (du->days) {
		if (fr->kind == ICS_T_UTC) {
			struct icaltimetype w = to_wall(start, fr->zone);
			icaltime_adjust(&w, (int)du->days, 0, 0, 0);
			e = to_utc(w, fr->zone);
		} else {
			e = start + du->days * 86400;
		}
	}
	return e + du->secs;
}

/* ---- budget ----------------------------------------------------------- */

static long cpu_ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

static void cpu_spent(struct xp *x, const struct ics_event *e)
{
	char b[32];
	snprintf(b, sizeof b, "%ld", x->o->lim->cpu_budget_ms);
	diag_add(x->d, D_LIM_CPU, x->f->file, e->line_rrule ? e->line_rrule : e->line, 1, e->uid, b);
	x->spent = 1;
}

/*
 * The CPU budget. libical's icalrecur_iterator_next can walk a rule that
 * matches rarely or never one second (minute, hour) at a time inside one
 * call. Nothing jumps out of that call: libical (built with ICU) may
 * allocate or hold a lock there, and a jump out of it leaked, and then
 * hung a fuzzer on a lock (fuzz_ics, fuzz_roundtrip). Instead no call may
 * walk long: a rule that can never match is not iterated (rrcheck.c), and
 * a sub-daily rule's UNTIL is at most its bound on instances of steps
 * from DTSTART (run_rule). A CPU-time timer (ITIMER_PROF, the process's
 * CPU time, as the budget is counted) is armed for the feed's budget; its
 * SIGPROF only marks the budget spent, for the next call and tick().
 * One expansion at a time per process (no threads expand).
 */
static volatile sig_atomic_t wd_fired;

static void wd_handler(int sig)
{
	(void)sig;
	wd_fired = 1;
}

struct watchdog {
	struct sigaction old_sa;
	struct itimerval old_it;
	int on;
};

static void wd_start(struct watchdog *w, long ms)
{
	memset(w, 0, sizeof *w);
	wd_fired = 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = wd_handler;
	sa.sa_flags = SA_RESTART;   /* a system call it lands in goes on */
	sigemptyset(&sa.sa_mask);
	if (ms <= 0 || sigaction(SIGPROF, &sa, &w->old_sa) < 0)
		return;
	struct itimerval it;
	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	if (setitimer(ITIMER_PROF, &it, &w->old_it) < 0) {
		sigaction(SIGPROF, &w->old_sa, NULL);
		return;
	}
	w->on = 1;
}

static void wd_stop(struct watchdog *w)
{
	if (!w->on)
		return;
	struct itimerval off;
	memset(&off, 0, sizeof off);
	setitimer(ITIMER_PROF, &off, NULL);
	sigaction(SIGPROF, &w->old_sa, NULL);
	setitimer(ITIMER_PROF, &w->old_it, NULL);
	w->on = 0;
}

/* icalrecur_iterator_next, unless the feed's CPU budget is spent (the
 * timer's mark): 0, or -1 then. The call itself is kept short by the
 * rule's UNTIL (run_rule), never interrupted. */
static int next_guarded(icalrecur_iterator *it, struct icaltimetype *out)
{
	if (wd_fired)
		return -1;
	*out = icalrecur_iterator_next(it);
	return 0;
}

/* Called once per generated instance: 0 to go on, -1 when the feed's CPU
 * budget is spent (reported once, naming the series). */
static int tick(struct xp *x, const struct ics_event *e)
{
	if (!wd_fired && ++x->ticks % 1024)
		return 0;
	if (!wd_fired && cpu_ms_since(&x->cpu0) <= x->o->lim->cpu_budget_ms)
		return 0;
	cpu_spent(x, e);
	return -1;
}

/* ---- sets of keys --------------------------------------------------------- */

struct keys {
	int64_t *v;
	size_t n, cap;
};

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int keys_push(struct keys *k, int64_t v)
{
	int64_t *p = BUF_PUSH(k->v, k->n, k->cap);
	if (!p)
		return -1;
	*p = v;
	return 0;
}

static void keys_sort(struct keys *k)
{
	if (k->n > 1)
		qsort(k->v, k->n, sizeof *k->v, cmp_i64);
}

static int keys_has(const struct keys *k, int64_t v)
{
	return k->n && bsearch(&v, k->v, k->n, sizeof *k->v, cmp_i64) != NULL;
}

static int cmp_inst(const void *a, const void *b)
{
	const struct inst *x = a, *y = b;
	if (x->key != y->key)
		return (x->key > y->key) - (x->key < y->key);
	/* a PERIOD's own end first, so that it survives de-duplication */
	return (x->period_end < y->period_end) - (x->period_end > y->period_end);
}

/* ---- instances ------------------------------------------------------------- */

struct series {
	const struct ics_event *m;
	uint32_t mi;
	struct frame fr;
	struct dur du;
	int64_t stop;         /* generate instances with key <= stop */
	int64_t keep_from;    /* drop instances with key < keep_from */
	struct inst *v;
	size_t n, cap;
	size_t generated;
};

/* A sub-hourly rule (FREQ=SECONDLY or MINUTELY: never an appointment
 * pattern, warned about when read) gets a fifth of the budget, so that such
 * a bomb ends in a fraction of a second. */
static size_t iter_cap(const struct xp *x, const struct ics_event *m)
{
	size_t cap = x->o->lim->max_series_iter;
	for (size_t i = 0; i < m->n_rrules; i++)
		if (m->rrules[i].freq == ICAL_SECONDLY_RECURRENCE || m->rrules[i].freq == ICAL_MINUTELY_RECURRENCE)
			return cap / 5;
	return cap;
}

/* The instant of key k in frame fr, as libical's UNTIL. */
static struct icaltimetype until_at(const struct xp *x, const struct frame *fr, int64_t k)
{
	if (fr->kind == ICS_T_UTC)
		return icaltime_from_timet_with_zone((time_t)k, 0, x->utc);
	struct icaltimetype t = icaltime_from_timet_with_zone((time_t)k, fr->kind == ICS_T_DATE, NULL);
	t.zone = NULL;
	return t;
}

static int limit_iter(struct xp *x, struct series *s)
{
	size_t cap = iter_cap(x, s->m);
	if (++s->generated <= cap)
		return 0;
	char b[32];
	snprintf(b, sizeof b, "%zu", cap);
	diag_add(x->d, D_LIM_ITER, x->f->file, s->m->line_rrule ? s->m->line_rrule : s->m->line,
		 1, s->m->uid, b);
	return -1;
}

static int add_inst(struct series *s, int64_t key, int64_t period_end)
{
	if (key < s->keep_from || key > s->stop)
		return 0;
	struct inst *p = BUF_PUSH(s->v, s->n, s->cap);
	if (!p)
		return -1;
	p->key = key;
	p->period_end = period_end;
	return 0;
}

/* Run rule r from DTSTART; call add for each instance up to s->stop.
 * Returns 0, -1 on a bound (reported), or 1 if the rule can never match. */
static int run_rule(struct xp *x, struct series *s, struct icalrecurrencetype r,
		    struct keys *into)
{
	struct icaltimetype start = s->m->dtstart;
	if (s->fr.kind == ICS_T_UTC)
		start.zone = s->fr.zone;
	/* a rule that can be shown never to match is not iterated at all:
	 * libical would walk it step by step inside one call (rrcheck.c) */
	if (ics_rule_never_matches(&r, &s->m->dtstart))
		return 1;
	/* nothing past s->stop is used: an UNTIL there also ends libical's
	 * inner walk of a rule that matches rarely, at the window's end */
	if (icaltime_is_null_time(r.until) || key_of(x, &s->fr, &r.until, NULL) > s->stop)
		r.until = until_at(x, &s->fr, s->stop);
	/* a rule stepping by seconds, minutes or hours is walked one step at
	 * a time inside one libical call: its UNTIL is also no further than
	 * the series' bound on instances (iter_cap) of steps from DTSTART,
	 * so that no call walks longer; reaching it before the window ends
	 * is D_LIM_ITER, as generating that many instances is */
	int64_t step = r.freq == ICAL_SECONDLY_RECURRENCE ? 1 : r.freq == ICAL_MINUTELY_RECURRENCE ? 60
		: r.freq == ICAL_HOURLY_RECURRENCE ? 3600 : 0;
	int clamped = 0;
	if (step) {
		int64_t far = key_of(x, &s->fr, &s->m->dtstart, NULL) +
			      (int64_t)iter_cap(x, s->m) * step * (r.interval > 0 ? r.interval : 1);
		if (far < key_of(x, &s->fr, &r.until, NULL)) {
			r.until = until_at(x, &s->fr, far);
			clamped = 1;
		}
	}
	icalrecur_iterator *it = icalrecur_iterator_new(r, start);
	if (!it) {
		icalerror_clear_errno();
		return 1;
	}
	int64_t dkey = key_of(x, &s->fr, &s->m->dtstart, NULL);
	int limit = r.count, taken = 0, first = 1, rc = 0;
	for (;;) {
		struct icaltimetype t;
		if (next_guarded(it, &t) < 0) {
			cpu_spent(x, s->m);
			rc = -1;
			break;
		}
		if (icaltime_is_null_time(t)) {
			/* the rule ran out at its bound of steps, not at its COUNT */
			if (clamped && !(r.count > 0 && taken >= limit)) {
				char b[32];
				snprintf(b, sizeof b, "%zu", iter_cap(x, s->m));
				diag_add(x->d, D_LIM_ITER, x->f->file,
					 s->m->line_rrule ? s->m->line_rrule : s->m->line, 1, s->m->uid, b);
				rc = -1;
			}
			break;
		}
		if (tick(x, s->m) < 0 || limit_iter(x, s) < 0) {
			rc = -1;
			break;
		}
		t.zone = NULL;
		int64_t k = s->fr.kind == ICS_T_UTC ? to_utc(t, s->fr.zone) : wall_secs(&t);
		if (first && !into && limit > 0 && k != dkey)
			limit--; /* RFC 5545 3.3.10: DTSTART is the first of COUNT even
				    when the rule does not match it; libical skips it */
		first = 0;
		if (limit > 0 && taken >= limit)
			break;
		taken++;
		if (k > s->stop)
			break;
		if (into ? keys_push(into, k) < 0 : add_inst(s, k, INT64_MIN) < 0) {
			rc = -1;
			break;
		}
	}
	icalrecur_iterator_free(it);
	return rc;
}

/* ---- emitting ---------------------------------------------------------------- */

static int overlaps(const struct xp *x, int64_t s, int64_t e)
{
	if (s == e)
		return x->o->from <= s && s < x->o->to;
	return s < x->o->to && e > x->o->from;
}

static int emit(struct xp *x, int64_t start, int64_t end, int kind, int has_rid,
		int64_t rid, int rid_kind, uint32_t ev, uint32_t master, size_t *series_count,
		const struct ics_event *named)
{
	if (!overlaps(x, start, end))
		return 0;
	if (series_count && ++*series_count > x->o->lim->max_series_occ) {
		char b[32];
		snprintf(b, sizeof b, "%zu", x->o->lim->max_series_occ);
		diag_add(x->d, D_LIM_SERIES, x->f->file,
			 named->line_rrule ? named->line_rrule : named->line, 1, named->uid, b);
		return -1;
	}
	if (x->out->n >= x->o->lim->max_feed_occ) {
		char b[32];
		snprintf(b, sizeof b, "%zu", x->o->lim->max_feed_occ);
		diag_add(x->d, D_LIM_FEED, x->f->file, named->line, 1, named->uid, b);
		x->spent = 1;
		return -1;
	}
	struct ics_occ *o = BUF_PUSH(x->out->v, x->out->n, x->out->cap);
	if (!o)
		return -1;
	o->start = start;
	o->end = end;
	o->kind = (uint8_t)kind;
	o->end_kind = (uint8_t)kind;
	o->has_rid = (uint8_t)has_rid;
	o->rid = rid;
	o->rid_kind = (uint8_t)rid_kind;
	o->ev = ev;
	o->master = master;
	o->fb_type = 0;
	return 0;
}

/* The RECURRENCE-ID of an override, in its own normal form. */
static int64_t rid_self(const struct xp *x, const struct ics_event *e, int *kind)
{
	if (e->rid.is_date) {
		*kind = ICS_T_DATE;
		return wall_secs(&e->rid);
	}
	if (e->rid.zone) {
		*kind = ICS_T_UTC;
		return to_utc(e->rid, (icaltimezone *)e->rid.zone);
	}
	icaltimezone *fz = floating_zone(x);
	if (fz) {
		*kind = ICS_T_UTC;
		return to_utc(e->rid, fz);
	}
	*kind = ICS_T_FLOAT;
	return wall_secs(&e->rid);
}

/* An override, or any event with no recurrence, as one occurrence. */
static int emit_single(struct xp *x, uint32_t i, uint32_t master)
{
	const struct ics_event *e = &x->f->ev[i];
	struct frame fr = frame_of(x, &e->dtstart);
	struct dur du = duration_of(x, &fr, e);
	int64_t s = key_of(x, &fr, &e->dtstart, NULL);
	int rk = 0;
	int64_t rid = e->has_rid ? rid_self(x, e, &rk) : 0;
	return emit(x, s, end_of(&fr, s, &du), fr.kind, e->has_rid, rid, rk, i, master, NULL, e);
}

struct override {
	int64_t rkey;        /* RECURRENCE-ID in the master's frame */
	int64_t shift;       /* start - RECURRENCE-ID, for THISANDFUTURE */
	int date_only;
	uint32_t ev;
};

static int cmp_override(const void *a, const void *b)
{
	const struct override *x = a, *y = b;
	if (x->rkey != y->rkey)
		return (x->rkey > y->rkey) - (x->rkey < y->rkey);
	return (x->ev > y->ev) - (x->ev < y->ev);
}

/* The overrides ov[0..nov) of s's UID, in the master's frame, sorted by
 * RECURRENCE-ID; *back and *ahead: how far THISANDFUTURE moves instances
 * earlier and later. Returns the array (free()), NULL when nov is 0. */
static struct override *read_overrides(struct xp *x, const struct series *s, const uint32_t *ov,
				       size_t nov, int64_t *back, int64_t *ahead)
{
	struct override *o = nov ? xcalloc(nov, sizeof *o) : NULL;
	*back = *ahead = 0;
	for (size_t i = 0; i < nov; i++) {
		const struct ics_event *e = &x->f->ev[ov[i]];
		struct override *p = &o[i];
		p->ev = ov[i];
		p->rkey = key_of(x, &s->fr, &e->rid, &p->date_only);
		p->shift = key_of(x, &s->fr, &e->dtstart, NULL) - p->rkey;
		if (e->rid_future) {
			if (-p->shift > *back)
				*back = -p->shift;
			if (p->shift > *ahead)
				*ahead = p->shift;
		}
	}
	if (nov > 1)
		qsort(o, nov, sizeof *o, cmp_override);
	return o;
}

/* The recurrence set of s's master: DTSTART, each RRULE, each RDATE.
 * Returns 0, or -1 when a bound is passed. */
static int recurrence_set(struct xp *x, struct series *s)
{
	const struct ics_event *m = s->m;
	int64_t dkey = key_of(x, &s->fr, &m->dtstart, NULL);
	if (add_inst(s, dkey, INT64_MIN) < 0)
		return -1;
	for (size_t r = 0; r < m->n_rrules; r++) {
		int k = run_rule(x, s, m->rrules[r], NULL);
		if (k == 1)
			diag_add(x->d, D_ICS_IMPOSSIBLE_RULE, x->f->file, m->line_rrule, 1, m->uid);
		else if (k < 0)
			return -1;
	}
	for (size_t r = 0; r < m->n_rdates; r++) {
		const struct ics_rdate *rd = &m->rdates[r];
		int64_t k = key_of(x, &s->fr, &rd->start, NULL), pe = INT64_MIN;
		if (rd->is_period) {
			if (rd->has_end) {
				pe = key_of(x, &s->fr, &rd->end, NULL);
			} else {
				struct dur pd = { (int64_t)rd->dur.days + 7 * (int64_t)rd->dur.weeks,
						  (int64_t)rd->dur.hours * 3600 + rd->dur.minutes * 60 + rd->dur.seconds };
				pe = end_of(&s->fr, k, &pd);
			}
			if (pe < k)
				pe = k;
		}
		if (limit_iter(x, s) < 0 || add_inst(s, k, pe) < 0)
			return -1;
	}
	return 0;
}

/* The exclusions of s's master: EXDATEs (date-only ones by day, into
 * exdays) and EXRULEs, into ex. Returns 0, or -1 when a bound is passed. */
static int exclusions(struct xp *x, struct series *s, struct keys *ex, struct keys *exdays)
{
	const struct ics_event *m = s->m;
	for (size_t r = 0; r < m->n_exdates; r++) {
		int date_only;
		int64_t k = key_of(x, &s->fr, &m->exdates[r], &date_only);
		if ((date_only ? keys_push(exdays, k) : keys_push(ex, k)) < 0)
			return -1;
	}
	for (size_t r = 0; r < m->n_exrules; r++)
		if (run_rule(x, s, m->exrules[r], ex) < 0)
			return -1;
	return 0;
}

/* Emit each instance of s (sorted) that is not excluded or overridden
 * directly, moved by the latest THISANDFUTURE override before it. o[0..no)
 * sorted by RECURRENCE-ID; odays: the date-only RECURRENCE-IDs by day.
 * Returns 0, or -1 when a bound is passed. */
static int emit_instances(struct xp *x, const struct series *s, const struct override *o, size_t no,
			  const struct keys *ex, const struct keys *exdays, const struct keys *odays)
{
	int recurring = s->m->n_rrules || s->m->n_rdates;
	size_t count = 0, j = 0;
	const struct override *fut = NULL; /* the latest THISANDFUTURE before the instance */
	for (size_t i = 0; i < s->n; i++) {
		const struct inst *in = &s->v[i];
		if (i && in->key == s->v[i - 1].key)
			continue; /* RFC 5545 3.8.5.2: a duplicate instance counts once */
		assert(!i || in->key > s->v[i - 1].key);   /* sorted: the overrides are walked once */
		while (j < no && o[j].rkey < in->key) {
			if (!o[j].date_only && x->f->ev[o[j].ev].rid_future)
				fut = &o[j];
			j++;
		}
		int64_t day = (exdays->n || odays->n) ? day_of(&s->fr, in->key) : 0;
		if (keys_has(ex, in->key) || (exdays->n && keys_has(exdays, day)))
			continue;
		/* overridden directly? the override reports itself */
		int direct = odays->n && keys_has(odays, day);
		for (size_t q = j; !direct && q < no && o[q].rkey == in->key; q++)
			direct = !o[q].date_only;
		if (direct)
			continue;
		int64_t start = in->key, end;
		uint32_t evi = s->mi;
		if (fut) {
			const struct ics_event *fe = &x->f->ev[fut->ev];
			struct dur fd = duration_of(x, &s->fr, fe);
			start = in->key + fut->shift;
			end = end_of(&s->fr, start, &fd);
			evi = fut->ev;
		} else if (in->period_end != INT64_MIN) {
			end = in->period_end;
		} else {
			end = end_of(&s->fr, start, &s->du);
		}
		if (emit(x, start, end, s->fr.kind, recurring, in->key, s->fr.kind, evi, s->mi,
			 &count, s->m) < 0)
			return -1;
	}
	return 0;
}

/* Expand master mi, with the overrides ov[0..nov) of its UID. */
static int expand_series(struct xp *x, uint32_t mi, const uint32_t *ov, size_t nov)
{
	struct ics_event *m = &x->f->ev[mi];
	struct series s;
	memset(&s, 0, sizeof s);
	s.m = m;
	s.mi = mi;
	s.fr = frame_of(x, &m->dtstart);
	s.du = duration_of(x, &s.fr, m);

	/* overrides, in the master's frame */
	int64_t back, ahead; /* how far THISANDFUTURE moves instances */
	struct override *o = read_overrides(x, &s, ov, nov, &back, &ahead);
	size_t no = nov;

	int64_t approx = s.du.days * 86400 + s.du.secs + 2 * 86400;
	s.stop = x->o->to + back + 86400;
	s.keep_from = x->o->from - approx - ahead - 86400;
	int rc = 0;
	struct keys ex = { 0 }, exdays = { 0 }, odays = { 0 };

	if (recurrence_set(x, &s) < 0 || exclusions(x, &s, &ex, &exdays) < 0) {
		rc = -1;
	} else {
		keys_sort(&ex);
		keys_sort(&exdays);
		if (s.n > 1)
			qsort(s.v, s.n, sizeof *s.v, cmp_inst);
		/* date-only RECURRENCE-IDs, by day */
		for (size_t j = 0; j < no; j++)
			if (o[j].date_only && keys_push(&odays, o[j].rkey) < 0)
				rc = -1;
		keys_sort(&odays);
		if (rc == 0)
			rc = emit_instances(x, &s, o, no, &ex, &exdays, &odays);
	}
	if (rc < 0 && !x->spent) {
		/* a bound was passed: the whole series is dropped, never a part */
		size_t keep = x->out->n;
		while (keep > 0 && x->out->v[keep - 1].master == mi)
			keep--;
		x->out->n = keep;
		m->bad = 1;
		rc = 0;
	}
	free(s.v);
	free(ex.v);
	free(exdays.v);
	free(odays.v);
	free(o);
	return x->spent ? -1 : rc;
}

/* ---- the feed -------------------------------------------------------------------- */

static const struct ics_feed *sort_feed;
static int cmp_by_uid(const void *a, const void *b)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	int c = strcmp(sort_feed->ev[i].uid, sort_feed->ev[j].uid);
	if (c)
		return c;
	return (i > j) - (i < j);
}

static int expand_feed(struct xp *x);

int ics_expand(struct ics_feed *f, const struct ics_expand_opts *o,
	       struct ics_occs *out, struct diag *d)
{
	struct xp x = { f, o, d, out, { 0, 0 }, 0, 0, icaltimezone_get_utc_timezone() };
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &x.cpu0);
	if (!f->n_ev)
		return 0;
	struct watchdog wd;
	wd_start(&wd, o->lim->cpu_budget_ms);
	int rc = expand_feed(&x);
	wd_stop(&wd);
	return rc;
}

static int expand_feed(struct xp *x_)
{
	struct xp x = *x_;
	struct ics_feed *f = x.f;
	struct ics_occs *out = x.out;
	/* group VEVENTs by UID: masters and their overrides */
	uint32_t *idx = xcalloc(f->n_ev, sizeof *idx);
	size_t n = 0;
	for (uint32_t i = 0; i < f->n_ev; i++) {
		const struct ics_event *e = &f->ev[i];
		if (e->bad)
			continue;
		if (e->kind == ICS_VFREEBUSY) {
			for (size_t b = 0; b < e->n_busy; b++)
				if (e->busy[b].type != 3) {
					size_t before = out->n;
					if (emit(&x, e->busy[b].start, e->busy[b].end, ICS_T_UTC, 0, 0, 0, i, i, NULL, e) < 0) {
						free(idx);
						return -1;
					}
					if (out->n > before)
						out->v[before].fb_type = (uint8_t)e->busy[b].type;
				}
			continue;
		}
		idx[n++] = i;
	}
	sort_feed = f;
	if (n > 1)
		qsort(idx, n, sizeof *idx, cmp_by_uid);
	sort_feed = NULL;
	int rc = 0;
	for (size_t a = 0; a < n && rc == 0;) {
		size_t b = a;
		while (b < n && strcmp(f->ev[idx[a]].uid, f->ev[idx[b]].uid) == 0)
			b++;
		/* overrides of this UID: idx[a..b) with a RECURRENCE-ID */
		uint32_t *ov = xcalloc(b - a, sizeof *ov);
		size_t nov = 0, nmaster = 0;
		for (size_t k = a; k < b; k++) {
			if (f->ev[idx[k]].has_rid)
				ov[nov++] = idx[k];
			else
				nmaster++;
		}
		for (size_t k = a; k < b && rc == 0; k++) {
			uint32_t i = idx[k];
			if (f->ev[i].has_rid)
				rc = emit_single(&x, i, i);
			else
				rc = expand_series(&x, i, ov, nov);
		}
		(void)nmaster;
		free(ov);
		a = b;
	}
	free(idx);
	return rc;
}

void ics_occs_release(struct ics_occs *o)
{
	if (!o)
		return;
	free(o->v);
	memset(o, 0, sizeof *o);
}

void ics_fmt_time(int64_t t, int kind, char *out)
{
	if (kind == ICS_T_UTC)
		time_fmt_utc(t, out);
	else
		time_fmt_wall(t, kind == ICS_T_DATE, out);
}

int64_t ics_wall_to_utc(int64_t wall, icaltimezone *zone)
{
	struct icaltimetype t = icaltime_null_time();
	int64_t days = floor_day(wall) / 86400, rem = wall - floor_day(wall);
	civil_from_days(days, &t.year, &t.month, &t.day);
	t.hour = (int)(rem / 3600);
	t.minute = (int)(rem / 60 % 60);
	t.second = (int)(rem % 60);
	return zone ? to_utc(t, zone) : wall;
}
