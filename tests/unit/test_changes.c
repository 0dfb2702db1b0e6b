/* test_changes.c: unit tests for the one function that applies changes (week_apply_changes, plan.h; week/changes.c) on a small family: a move, a venue change, a keep, unknown appointments, order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/plan.h"
#include "family.h"

/* Monday 2026-11-23 (GMT, so local = UTC): a at the clinic Mon 10:00-11:00
 * and a weekly series on Wednesdays 09:00-09:30 (RECURRENCE-ID); b at home
 * Tue 14:00-14:30. */
static const char feed_a[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T100000Z\r\n"
	"DTEND:20261123T110000Z\r\nSUMMARY:Session\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a-w\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261118T090000Z\r\n"
	"DTEND:20261118T093000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:Review\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char feed_b[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T140000Z\r\n"
	"DTEND:20261124T143000Z\r\nSUMMARY:Visit\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char profile_text[] =
	"version: 1\n"
	"person: { id: P-1, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"  - { id: hospital, name: Hospital }\n"
	"travel: { matrix: [[home, clinic, 20, 1], [home, hospital, 30, 2], [clinic, hospital, 15, 1]] }\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, feeds: [a.ics] }\n"
	"  - { id: b, role: nurse, feeds: [b.ics], default_venue: home }\n";

static int64_t utc(int d, int h, int m)
{
	return (int64_t)(days_from_civil(2026, 11, (unsigned)d) * 86400 + h * 3600 + m * 60);
}

static int find_uid(const struct week *w, const char *uid)
{
	for (size_t i = 0; i < w->n_appts; i++)
		if (!strcmp(w->appts[i].uid, uid))
			return (int)i;
	return -1;
}

/* A change of the appointment with this UID (as booked) to day d of
 * November at minute `start`, venue `venue` (NULL: keep it). */
static struct change to(const struct week *w, const char *uid, int d, int start, const char *venue, unsigned kind)
{
	int i = find_uid(w, uid);
	if (i < 0)
		abort();
	const struct wk_appt *a = &w->appts[i];
	return (struct change){ { w->p->pracs[a->prac].id, a->uid, a->rid, a->feed_start, a->feed_end },
				{ w->days[a->day].date, a->s_min, NULL },
				{ days_from_civil(2026, 11, (unsigned)d), start, venue }, kind };
}

/* Whether two weeks hold the same appointments at the same places, in the
 * same order, with the same days' figures (not legs: week_copy copies
 * appointments, busy time and days only). */
static int same_week(const struct week *x, const struct week *y)
{
	if (x->n_appts != y->n_appts || x->n_days != y->n_days)
		return 0;
	for (size_t i = 0; i < x->n_appts; i++) {
		const struct wk_appt *a = &x->appts[i], *b = &y->appts[i];
		if (strcmp(a->uid, b->uid) || strcmp(a->rid, b->rid) || a->start != b->start || a->end != b->end ||
		    a->venue != b->venue || a->day != b->day || a->s_min != b->s_min || a->e_min != b->e_min)
			return 0;
	}
	for (size_t k = 0; k < x->n_days; k++)
		if (x->days[k].n != y->days[k].n || x->days[k].first != y->days[k].first ||
		    x->days[k].journeys != y->days[k].journeys || x->days[k].travel_min != y->days[k].travel_min ||
		    x->days[k].time_out != y->days[k].time_out)
			return 0;
	return 1;
}

int main(void)
{
	static const char *const files[] = { "a.ics", feed_a, "b.ics", feed_b, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, profile_text) == 0, "the family loads, imports and reads"))
		return tap_done();
	const struct week *w = &fam.w;
	struct diag *d = &fam.d;
	int clinic = profile_venue_index(fam.p, "clinic"), hospital = profile_venue_index(fam.p, "hospital");
	is_int(w->n_appts, 3, "three appointments: a-1, b-1 and a-w's Wednesday");
	int iw = find_uid(w, "a-w");
	is_str(iw >= 0 ? w->appts[iw].rid : NULL, "20261125T090000Z", "a-w's occurrence has its RECURRENCE-ID");
	is_int(w->days[0].journeys, 1, "as booked: Monday one journey (the clinic)");
	is_int(w->days[0].travel_min, 40, "... 40 minutes of travel");

	/* a move: a-1 from Monday 10:00 to Tuesday 11:00, its venue kept */
	struct week mv;
	is_int(week_copy(&mv, w, d), 0, "a copy of the week");
	struct change c1 = to(w, "a-1", 24, 11 * 60, NULL, CHANGE_MOVE);
	int where = -2;
	is_int(week_apply_changes(&mv, &c1, 1, &where, d), 1, "a move applies");
	int i1 = find_uid(&mv, "a-1");
	is_int(where, i1, "where[] is its index after the derivation");
	ok(i1 >= 0 && mv.appts[i1].day == 1 && mv.appts[i1].s_min == 660 && mv.appts[i1].e_min == 720 &&
	   mv.appts[i1].start == utc(24, 11, 0) && mv.appts[i1].end == utc(24, 12, 0),
	   "a-1 is on Tuesday 11:00-12:00 (UTC and local), its hour kept");
	ok(i1 >= 0 && mv.appts[i1].venue == clinic, "... still at the clinic (no venue: the one it has)");
	ok(i1 >= 0 && mv.appts[i1].feed_start == utc(23, 10, 0) && mv.appts[i1].feed_venue == clinic,
	   "... as booked in the feed, unchanged");
	is_int(mv.days[0].n, 0, "Monday is empty ...");
	is_int(mv.days[0].journeys, 0, "... with no journey");
	is_int(mv.days[1].n, 2, "Tuesday has a-1 and b-1 ...");
	ok(mv.appts[mv.days[1].first].start == utc(24, 11, 0), "... a-1 first, by start");
	is_int(mv.days[1].journeys, 1, "... one journey: the clinic; b is at home");
	is_int(mv.days[1].travel_min, 40, "... 40 minutes of travel");
	ok(mv.n_appts == w->n_appts && w->appts[find_uid(w, "a-1")].start == utc(23, 10, 0),
	   "the week it was copied from is unchanged");
	week_release(&mv);

	/* a venue change: a-1 at the hospital, same time */
	is_int(week_copy(&mv, w, d), 0, "a copy of the week");
	struct change c2 = to(w, "a-1", 23, 600, "hospital", CHANGE_VENUE);
	is_int(week_apply_changes(&mv, &c2, 1, &where, d), 1, "a venue change applies");
	ok(where >= 0 && mv.appts[where].venue == hospital && mv.appts[where].start == utc(23, 10, 0) &&
	   mv.appts[where].end == utc(23, 11, 0), "a-1 is at the hospital, at its time");
	is_int(mv.days[0].travel_min, 60, "... Monday's travel is derived again: 30 there, 30 back");
	/* an unknown venue id keeps the one it has */
	struct change c2b = to(&mv, "a-1", 23, 600, "no-such-venue", CHANGE_VENUE);
	is_int(week_apply_changes(&mv, &c2b, 1, &where, d), 1, "a change to an unknown venue applies ...");
	ok(where >= 0 && mv.appts[where].venue == hospital, "... and keeps the venue it has");
	week_release(&mv);

	/* a keep: a change to where it is already; applied, nothing moves */
	is_int(week_copy(&mv, w, d), 0, "a copy of the week");
	struct change c3 = to(w, "a-w", 25, 9 * 60, "clinic", CHANGE_MOVE);
	is_int(week_apply_changes(&mv, &c3, 1, &where, d), 1, "a keep (to where it is) applies");
	ok(same_week(&mv, w), "... and the week is as it was");
	is_int(where, find_uid(w, "a-w"), "... where[] its index");
	week_release(&mv);

	/* unknown appointments: nothing applied, nothing changed */
	is_int(week_copy(&mv, w, d), 0, "a copy of the week");
	struct change bad[6];
	for (size_t k = 0; k < 6; k++)
		bad[k] = to(w, "a-1", 24, 600, NULL, CHANGE_MOVE);
	bad[0].appt.uid = "no-such-uid";
	bad[1].appt.start += 60;                /* the same UID booked at another time */
	bad[2].appt.practitioner = "b";         /* another practitioner's */
	bad[3].appt.practitioner = "nobody";    /* a practitioner the profile does not name */
	bad[4].appt.rid = "20261123T100000Z";   /* an occurrence a-1 does not have */
	bad[5].to.date = days_from_civil(2026, 12, 7);   /* outside the horizon */
	int wh[6] = { 9, 9, 9, 9, 9, 9 };
	is_int(week_apply_changes(&mv, bad, 6, wh, d), 0, "none of six changes to unknown appointments or dates applies");
	ok(wh[0] == -1 && wh[1] == -1 && wh[2] == -1 && wh[3] == -1 && wh[4] == -1 && wh[5] == -1,
	   "... where[] -1 for each");
	ok(same_week(&mv, w), "... and the week is as it was");
	/* mixed: the good one applies, the unknown ones not */
	struct change mix[3] = { bad[0], to(w, "b-1", 26, 15 * 60, NULL, CHANGE_MOVE), bad[3] };
	is_int(week_apply_changes(&mv, mix, 3, wh, d), 1, "of an unknown, a good and an unknown change, one applies");
	ok(wh[0] == -1 && wh[2] == -1 && wh[1] == find_uid(&mv, "b-1") && mv.appts[wh[1]].start == utc(26, 15, 0),
	   "... b-1 on Thursday 15:00, the others -1");
	is_int(week_apply_changes(&mv, NULL, 0, NULL, d), 0, "no changes: 0");
	week_release(&mv);

	/* order: changes to different appointments give the same week in any order */
	struct change v[3] = { to(w, "a-1", 25, 10 * 60, "hospital", CHANGE_MOVE | CHANGE_VENUE),
			       to(w, "a-w", 23, 9 * 60, NULL, CHANGE_MOVE),
			       to(w, "b-1", 23, 13 * 60, NULL, CHANGE_MOVE) };
	static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	struct week first;
	int first_ok = week_copy(&first, w, d) == 0 && week_apply_changes(&first, v, 3, NULL, d) == 3;
	ok(first_ok, "three changes to three appointments apply");
	int same = first_ok, where_ok = 1;
	for (size_t o = 1; o < 6; o++) {
		struct change u[3];
		int wu[3];
		for (size_t k = 0; k < 3; k++)
			u[k] = v[orders[o][k]];
		if (week_copy(&mv, w, d) < 0 || week_apply_changes(&mv, u, 3, wu, d) != 3) {
			same = 0;
			continue;
		}
		same &= same_week(&mv, &first);
		for (size_t k = 0; k < 3; k++)
			where_ok &= wu[k] >= 0 && !strcmp(mv.appts[wu[k]].uid, u[k].appt.uid);
		week_release(&mv);
	}
	ok(same, "... the same week in all six orders");
	ok(where_ok, "... where[] follows each change in every order");
	ok(first_ok && first.days[0].n == 2 && first.days[2].n == 1 && first.days[1].n == 0,
	   "... Monday a-w and b-1, Wednesday a-1, Tuesday nothing");
	/* the same appointment twice: the later change is the one in force
	 * (plan.h: "a later decision supersedes an earlier one") */
	struct change twice[2] = { to(w, "b-1", 26, 9 * 60, NULL, CHANGE_MOVE),
				   to(w, "b-1", 27, 16 * 60, NULL, CHANGE_MOVE) };
	int wt[2];
	is_int(week_apply_changes(&first, twice, 2, wt, d), 2, "two changes of b-1 both apply");
	ok(wt[0] == wt[1] && wt[1] >= 0 && first.appts[wt[1]].start == utc(27, 16, 0),
	   "... the later one is where it is: Friday 16:00");
	week_release(&first);
	family_close(&fam);
	return tap_done();
}
