/* test_solver.c: unit tests for the optimiser's instance (candidates) and plan_check(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/solver.h"
#include "family.h"


/* Monday 2026-11-23; London is on GMT that week, so local = UTC. */
static const char feed_a[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T100000Z\r\n"
	"DTEND:20261123T110000Z\r\nSUMMARY:Session P-1\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a-other\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\n"
	"DTEND:20261124T100000Z\r\nSUMMARY:Client appointment\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char feed_b[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T103000Z\r\n"
	"DTEND:20261123T110000Z\r\nSUMMARY:Visit\r\nLOCATION:Home\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char profile_text[] =
	"version: 1\n"
	"person: { id: P-1, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"travel: { matrix: [[home, clinic, 20, 1]] }\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, feeds: [a.ics], match: { text: P-1 },\n"
	"      window: { days: 2 }, works: [{ days: weekdays, hours: \"09:00-12:00\", venues: [clinic] }] }\n"
	"  - { id: b, role: nurse, feeds: [b.ics], movable: false }\n"
	"limits: { free_days: weekend }\n";

static size_t on_day(const struct sv_appt *a, int day)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n_cand; i++)
		n += a->cand[i].day == day;
	return n;
}

int main(void)
{
	static const char *const files[] = { "a.ics", feed_a, "b.ics", feed_b, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, profile_text) == 0, "the family loads, imports and reads"))
		return tap_done();
	struct week w = fam.w;
	struct diag d = fam.d;
	is_int(w.n_appts, 2, "two appointments");

	struct instance in;
	is_int(instance_build(&in, &w, 0, &d), 0, "instance builds");
	is_int(in.n, 2, "two instance appointments");
	const struct sv_appt *a = &in.a[0], *b = &in.a[1];
	is_int(a->cand[0].day, 0, "a: the current placement comes first (day)");
	is_int(a->cand[0].start, 600, "a: the current placement comes first (10:00)");
	/* window +-2 days from Monday: Mon, Tue, Wed; hours 09:00-12:00, 60 min:
	 * starts 09:00..11:00 every 5 min = 25 a day; Tuesday's other client
	 * 09:00-10:00 leaves 10:00..11:00 = 13; Monday's current one is cand[0] */
	is_int(on_day(a, 0), 25, "a: Monday, all 25 starts (current included once)");
	is_int(on_day(a, 1), 13, "a: Tuesday, clear of the other client");
	is_int(on_day(a, 2), 25, "a: Wednesday");
	is_int(on_day(a, 3), 0, "a: Thursday is outside the window");
	is_int(a->n_cand, 63, "a: 63 placements");
	int venue_ok = 1, grid_ok = 1;
	for (size_t i = 1; i < a->n_cand; i++) {
		venue_ok &= a->cand[i].venue == 1;
		grid_ok &= a->cand[i].start % 5 == 0 && a->cand[i].start >= 540 && a->cand[i].start + 60 <= 720;
	}
	ok(venue_ok, "a: only at the clinic (its current venue; works there)");
	ok(grid_ok, "a: on the slot grid, inside working hours");
	is_int(b->n_cand, 1, "b is fixed: only its current placement");

	struct plan pl;
	struct placement at[2];
	pl.at = at;
	pl.n = 2;
	struct problems ps;
	/* the current plan: a (clinic 10:00-11:00) overlaps b (home 10:30):
	 * a plan still (nothing moved makes it), with the overlap left */
	at[0] = a->cand[0];
	at[1] = b->cand[0];
	is_int(plan_check(&in, &pl, &ps, &d), 1, "the week as booked is a plan, clash and all");
	problems_release(&ps);
	/* a moved onto b (Monday 10:15 at the clinic) makes an overlap: no plan */
	at[0].start = 615;
	is_int(plan_check(&in, &pl, &ps, &d), 0, "a move that makes an overlap fails");
	int has_overlap = 0;
	for (size_t i = 0; i < ps.n; i++)
		has_overlap |= ps.v[i].kind == PK_OVERLAP;
	ok(has_overlap, "... with the overlap listed");
	problems_release(&ps);
	/* a moves to Tuesday 10:00 */
	at[0].day = 1;
	at[0].start = 600;
	at[0].venue = 1;
	is_int(plan_check(&in, &pl, &ps, &d), 1, "a moved to Tuesday 10:00: every invariant kept");
	is_int(ps.n, 0, "... and no violation listed");
	problems_release(&ps);
	/* Tuesday 09:30 clashes with the other client: not a candidate */
	at[0].start = 570;
	size_t before = d.n;
	is_int(plan_check(&in, &pl, &ps, &d), 0, "Tuesday 09:30 is not a candidate");
	ok(d.n > before && d.v[d.n - 1].code == D_PLAN_INVALID, "... reported as an invalid plan");
	problems_release(&ps);
	pl.n = 1;
	is_int(plan_check(&in, &pl, &ps, &d), 0, "a plan that leaves an appointment out fails");
	problems_release(&ps);
	/* Monday 08:40 was never a candidate (before working hours) */
	pl.n = 2;
	at[0].day = 0;
	at[0].start = 520;
	is_int(plan_check(&in, &pl, &ps, &d), 0, "before working hours: not a candidate");
	problems_release(&ps);

	instance_release(&in);
	fam.d = d;
	family_close(&fam);
	return tap_done();
}
