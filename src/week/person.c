/* person.c: a person's week as every command reads it: import the profile's feeds, build the week, put the decisions in force. */
#include "dovetail/person.h"

#include <stdlib.h>
#include <string.h>

#include "dovetail/fetch.h"
#include "dovetail/import.h"
#include "dovetail/xalloc.h"

/* The Monday (a local date) of the week that holds UTC seconds now in zone. */
static int64_t monday_of(int64_t now, icaltimezone *zone)
{
	int64_t today = week_local_date(now, zone);
	return today - time_weekday(today);
}

void import_window(int64_t now, icaltimezone *zone, int64_t *from, int64_t *to)
{
	int64_t monday = monday_of(now, zone);
	*from = (monday - IMPORT_DAYS_BEFORE) * 86400;
	*to = (monday + IMPORT_DAYS_AFTER) * 86400;
}

/* The window the profile's feeds are imported with, and what the horizon needs of it. */
struct feed_window {
	int64_t from, to;             /* the import window, UTC seconds */
	int64_t need_from, need_to;   /* what the horizon reads */
	int64_t deadline;             /* of all the fetches (fetch_deadline) */
	icaltimezone *zone;
};

/* Import one feed of the profile over w's window; with PERSON_USE_STORED,
 * not when the store's copy covers what the horizon needs. Returns 0 or
 * -1 (d filled). */
static int import_profile_feed(struct store *s, const struct profile *p, const char *owner,
			       const struct prof_path *feed, const struct feed_window *w,
			       const struct person_opts *o, struct diag *d)
{
	struct import_report r;
	memset(&r, 0, sizeof r);
	struct import_opts io;
	memset(&io, 0, sizeof io);
	io.source = feed->source ? feed->source : feed->path;
	io.practitioner = owner;   /* the practitioner, or carer, who names it first */
	io.from = w->from;
	io.to = w->to;
	io.zone = w->zone;
	io.zone_name = p->timezone;
	io.now = o->now;
	io.lim = o->lim;
	io.trust_same = (o->flags & PERSON_TRUST_SAME) != 0;
	if (o->flags & PERSON_USE_STORED) {
		int64_t have_from, have_to;
		int has = store_feed_copy(s, io.source, io.zone_name, &have_from, &have_to, d);
		if (has < 0)
			return -1;
		if (has && have_from <= w->need_from && have_to >= w->need_to)
			return 0;   /* the stored copy stands: nothing read, fetched or written */
	}
	if (fetch_is_url(feed->path)) {
		struct fetch_opts fo;
		int not_modified;
		fetch_opts_default(&fo, o->lim->max_file_bytes);
		fo.deadline_ms = w->deadline;
		return import_url(s, feed->path, &fo, o->lim, &io, &r, &not_modified, d) == IMPORT_OK ? 0 : -1;
	}
	return import_file(s, feed->path, feed->path, o->lim, &io, &r, d) == IMPORT_OK ? 0 : -1;
}

/* The horizon [from, to] widened to the dates of each accepted change
 * that starts or ends in it, at most 366 days in all. */
struct span {
	const struct profile *p;
	icaltimezone *zone;
	int64_t from, to, lo, hi;
};

static int widen(const struct store_decision *x, void *arg)
{
	struct span *sp = arg;
	if (x->verdict != VERDICT_ACCEPT)
		return 0;
	int64_t was = week_local_date(x->appt.start, sp->zone), now = x->to.date;
	if ((was < sp->from || was > sp->to) && (now < sp->from || now > sp->to))
		return 0;
	int64_t lo = was < now ? was : now, hi = was > now ? was : now;
	if (lo < sp->lo && sp->hi - lo <= 365)
		sp->lo = lo;
	if (hi > sp->hi && hi - sp->lo <= 365)
		sp->hi = hi;
	return 0;
}

/* Import every feed p names, each once, under the first practitioner
 * (then carer) that names it, over the one import window widened to the
 * horizon of pw. Every feed is tried. Returns 0 or -1 (d filled). */
static int import_feeds(struct store *s, const struct profile *p, icaltimezone *zone,
			const struct person *pw, const struct person_opts *o, struct diag *d)
{
	/* the one import window, widened to a horizon that passes it */
	struct feed_window w;
	import_window(o->now, zone, &w.from, &w.to);
	w.need_from = (pw->from_date - 1) * 86400;
	w.need_to = (pw->to_date + 2) * 86400;
	if (w.need_from < w.from)
		w.from = w.need_from;
	if (w.need_to > w.to)
		w.to = w.need_to;
	w.zone = zone;
	/* each feed once: a feed several name (docs/profile.md, "Feeds") is
	 * read for each of them by week_build, and imported again it would be
	 * written again */
	size_t n_all = 0;
	for (size_t i = 0; i < p->n_pracs; i++)
		n_all += p->pracs[i].n_feeds;
	for (size_t i = 0; i < p->n_carers; i++)
		n_all += p->carers[i].n_feeds;
	const struct prof_path **all = xcalloc(n_all + 1, sizeof *all);
	const char **owner = xcalloc(n_all + 1, sizeof *owner);
	n_all = 0;
	for (size_t i = 0; i < p->n_pracs; i++)
		for (size_t j = 0; j < p->pracs[i].n_feeds; j++) {
			owner[n_all] = p->pracs[i].id;
			all[n_all++] = &p->pracs[i].feeds[j];
		}
	for (size_t i = 0; i < p->n_carers; i++)
		for (size_t j = 0; j < p->carers[i].n_feeds; j++) {
			owner[n_all] = p->carers[i].id;
			all[n_all++] = &p->carers[i].feeds[j];
		}
	int failed = 0;
	/* one time bound for all the profile's feeds (docs/limits.md) */
	w.deadline = fetch_deadline();
	for (size_t k = 0; k < n_all; k++) {
		const char *src = all[k]->source ? all[k]->source : all[k]->path;
		int seen = 0;
		for (size_t q = 0; q < k && !seen; q++)
			seen = !strcmp(src, all[q]->source ? all[q]->source : all[q]->path);
		if (!seen)
			failed |= import_profile_feed(s, p, owner[k], all[k], &w, o, d) < 0;
	}
	free(all);
	free(owner);
	return failed ? -1 : 0;
}

int person_open(struct person *pw, struct profile *prof, struct store *s, const struct person_opts *o,
		struct diag *d)
{
	memset(pw, 0, sizeof *pw);
	pw->prof = prof;
	const struct profile *p = prof;
	icaltimezone *zone = ics_tz_builtin(p->timezone);
	int64_t monday = monday_of(o->now, zone);
	int has_from = o->from_date != PERSON_DEFAULT_DATE, has_to = o->to_date != PERSON_DEFAULT_DATE;
	pw->from_date = has_from ? o->from_date : monday;
	pw->to_date = has_to ? o->to_date : pw->from_date + 6;
	if (pw->to_date < pw->from_date || pw->to_date - pw->from_date > 365) {
		diag_add(d, D_USAGE, NULL, 0, 0, "--to must be on or after --from, at most 366 days on");
		return -1;
	}
	if (import_feeds(s, p, zone, pw, o, d) < 0)
		return -1;
	/* the days of every accepted change that touches the horizon */
	struct span sp = { p, zone, pw->from_date, pw->to_date, pw->from_date, pw->to_date };
	if (store_each_decision(s, p->person_id, widen, &sp, d) < 0)
		return -1;
	if (week_build(&pw->week, p, s, sp.lo, sp.hi, d) < 0)
		return -1;
	/* the decisions in force: accepted changes moved in, kept ones locked */
	if (week_apply_decisions(&pw->week, s, d) < 0) {
		week_release(&pw->week);
		return -1;
	}
	if (o->flags & PERSON_WHOLE_CHANGES) {
		pw->from_date = sp.lo;
		pw->to_date = sp.hi;
	} else if ((sp.lo != pw->from_date || sp.hi != pw->to_date) &&
		   week_trim(&pw->week, pw->from_date, pw->to_date, d) < 0) {
		week_release(&pw->week);
		return -1;
	}
	for (size_t i = 0; i < p->n_overrides; i++) {
		const struct prof_override *ov = &p->overrides[i];
		if (pw->week.override_used[i])
			continue;
		char at[48] = "", iso[24];
		if (ov->has_rid) {
			time_fmt_iso(ov->rid, iso);
			snprintf(at, sizeof at, " at RECURRENCE-ID %s", iso);
		}
		diag_add(d, D_PROF_OVERRIDE_UNUSED, p->path, ov->line, ov->col, ov->uid, at);
	}
	return 0;
}

int person_feeds_state(const struct profile *p, struct store *s, int64_t from_date, int64_t to_date, char **out,
		       struct diag *d)
{
	size_t n;
	const char **src = profile_feed_sources(p, &n);
	int rc = store_feeds_state(s, src, n, from_date, to_date, out, d);
	free(src);
	return rc;
}

void person_release(struct person *pw)
{
	if (!pw)
		return;
	week_release(&pw->week);
	profile_free(pw->prof);
	memset(pw, 0, sizeof *pw);
}
