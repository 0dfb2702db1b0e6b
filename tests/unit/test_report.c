/* test_report.c: unit tests for the week report (report/html.c, report/solution.c): a known week and proposal drawn, its totals, changes, appointments and problems exact; a solved proposal's page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/plan.h"
#include "dovetail/report.h"
#include "dovetail/solver.h"
#include "family.h"

#define NOW 1795392000   /* Monday 2026-11-23 00:00 UTC */

/* Monday 2026-11-23 (GMT, local = UTC): a at the clinic Mon 10:00-11:00
 * and Wed 10:00-10:30; b at home Mon 10:30-11:00, over a's session. */
static const char feed_a[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T100000Z\r\n"
	"DTEND:20261123T110000Z\r\nSUMMARY:Session\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a-2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T100000Z\r\n"
	"DTEND:20261125T103000Z\r\nSUMMARY:Review\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char feed_b[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T103000Z\r\n"
	"DTEND:20261123T110000Z\r\nSUMMARY:Visit\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char profile_text[] =
	"version: 1\n"
	"person: { id: P-1, display_name: Sam Secret, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home, name: Home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"travel: { matrix: [[home, clinic, 20, 1.5]] }\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, feeds: [a.ics] }\n"
	"  - { id: b, role: nurse, feeds: [b.ics], default_venue: home }\n";

/* The brute-force family's feeds (tests/unit/test_propose.c): its optimum's
 * objective is 166, proven. */
static const char brute_a[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T093000Z\r\n"
	"DTEND:20261123T103000Z\r\nSUMMARY:P-1 physio\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a-busy\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\n"
	"DTEND:20261124T100000Z\r\nSUMMARY:Other client\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char brute_b[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T110000Z\r\n"
	"DTEND:20261123T113000Z\r\nSUMMARY:P-1 visit\r\nLOCATION:Home\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char brute_c[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:c-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\n"
	"DTEND:20261124T103000Z\r\nSUMMARY:P-1 salt\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char brute_d[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:d-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T100000Z\r\n"
	"DTEND:20261125T110000Z\r\nSUMMARY:P-1 gp\r\nLOCATION:Surgery\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static int has(const char *text, const char *needle)
{
	return text && strstr(text, needle) != NULL;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *q = text; q && (q = strstr(q, needle)); q += strlen(needle))
		n++;
	return n;
}

/* The text of the before view (up to the after view) or the after view. */
static char *view(const char *page, int after)
{
	const char *b = strstr(page, "<figure");
	const char *a = b ? strstr(b + 1, "<figure") : NULL;
	if (!b || !a)
		return NULL;
	return after ? strdup(a) : strndup(b, (size_t)(a - b));
}

/* The change of the appointment with this UID to November day d at `start`. */
static struct change move_to(const struct week *w, const char *uid, int d, int start, const char *venue)
{
	for (size_t i = 0; i < w->n_appts; i++) {
		const struct wk_appt *a = &w->appts[i];
		if (strcmp(a->uid, uid) != 0)
			continue;
		return (struct change){ { w->p->pracs[a->prac].id, a->uid, a->rid, a->feed_start, a->feed_end },
					{ w->days[a->day].date, a->s_min, w->p->venues[a->venue].id },
					{ days_from_civil(2026, 11, (unsigned)d), start, venue }, CHANGE_MOVE };
	}
	abort();
}

static void test_known(void)
{
	static const char *const files[] = { "a.ics", feed_a, "b.ics", feed_b, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, profile_text) == 0, "known: the family loads, imports and reads"))
		return;
	const struct week *w = &fam.w;
	is_int(w->n_appts, 3, "known: three appointments");

	/* the week as it stands, no proposal */
	struct report r0 = { .before = w, .now = NOW };
	char *page0 = report_html(&r0, &fam.d);
	ok(page0 && has(page0, "<!DOCTYPE html>") && has(page0, "No proposal: the week as it stands."),
	   "known: the week alone says there is no proposal");
	ok(has(page0, "<th scope=\"col\">Now</th>") && !has(page0, "<th scope=\"col\">After</th>"),
	   "known: ... one column of totals");
	ok(has(page0, "<tr><th scope=\"row\">Journeys from home</th><td class=\"num\">2</td></tr>"),
	   "known: ... 2 journeys (Monday, Wednesday)");
	is_int(count(page0, "<g class=\"appt"), 3, "known: ... each appointment drawn once");
	ok(!has(page0, "Sam Secret"), "known: no display name unless asked");
	ok(!has(page0, "<script") && !has(page0, "http://") && !has(page0, "https://") &&
	   !has(page0, "src=") && !has(page0, "href=\"http"), "known: no scripts, no external resources");

	/* a proposal: a-2 from Wednesday to Monday 11:00 (one journey fewer), b-1
	 * to Tuesday 10:30 (out of a's session) */
	struct change v[2] = { move_to(w, "a-2", 23, 11 * 60, "clinic"), move_to(w, "b-1", 24, 10 * 60 + 30, NULL) };
	struct week after;
	int where[2] = { -1, -1 };
	is_int(week_copy(&after, w, &fam.d), 0, "known: a copy of the week");
	is_int(week_apply_changes(&after, v, 2, where, &fam.d), 2, "known: the proposal's two changes apply");
	int before_at[2] = { -1, -1 };
	for (size_t i = 0; i < w->n_appts; i++) {
		before_at[0] = !strcmp(w->appts[i].uid, "a-2") ? (int)i : before_at[0];
		before_at[1] = !strcmp(w->appts[i].uid, "b-1") ? (int)i : before_at[1];
	}
	struct report_change rc[2] = {
		{ "PX-1", 0, v[0], 30, "one journey fewer <b>", RS_UNDECIDED, NULL, NULL, 0, 0, 0, NULL, 0,
		  NULL, 0, NULL, before_at[0], where[0] },
		{ "PX-2", 1, v[1], 30, "out of the session", RS_ACCEPTED, "mum", "fine by us", NOW + 3600, 0, 0, NULL, 0,
		  NULL, 0, NULL, before_at[1], where[1] },
	};
	struct report r = { .before = w, .after = &after, .proposal = "PX", .objective = 12.5, .proven = 1,
			    .changes = rc, .n_changes = 2, .now = NOW, .names = 0, .note = "A note & more" };
	char *page = report_html(&r, &fam.d);
	ok(page != NULL, "known: the report is drawn");
	ok(has(page, "<title>Week report: P-1, "), "known: titled with the person's id");
	ok(has(page, "Proposal <code>PX</code>, 2 changes, objective 12.5000 (proven optimal). "),
	   "known: the proposal's id, changes and objective");
	ok(has(page, "Times are local (Europe/London).") && has(page, "<p class=\"meta\">A note &amp; more</p>"),
	   "known: the zone, and the note escaped");
	ok(has(page, "<th scope=\"col\">Before</th><th scope=\"col\">After</th><th scope=\"col\">Change</th>"),
	   "known: before, after and change columns");
	/* before: Monday home -> clinic 09:40, back 11:00-11:20 for b at home;
	 * Wednesday there and back: 2 journeys, 4 legs of 20 min at 1.5 */
	ok(has(page, "<tr><th scope=\"row\">Journeys from home</th><td class=\"num\">2</td><td class=\"num\">1</td>"
		     "<td class=\"num better\">-1</td></tr>"), "known: journeys 2 -> 1");
	ok(has(page, "<tr><th scope=\"row\">Minutes of travel</th><td class=\"num\">80</td><td class=\"num\">40</td>"
		     "<td class=\"num better\">-40</td></tr>"), "known: travel 80 -> 40 minutes");
	ok(has(page, "<tr><th scope=\"row\">Cost of travel</th><td class=\"num\">6.00</td><td class=\"num\">3.00</td>"
		     "<td class=\"num better\">-3.00</td></tr>"), "known: travel cost 6.00 -> 3.00");
	ok(has(page, "<tr><th scope=\"row\">Clashes (overlaps and double bookings)</th><td class=\"num\">1</td>"
		     "<td class=\"num\">0</td><td class=\"num better\">-1</td></tr>"), "known: clashes 1 -> 0");
	ok(has(page, "<tr><th scope=\"row\">Appointments in the plan</th><td class=\"num\">3</td>"
		     "<td class=\"num\">3</td><td class=\"num\">0</td></tr>"), "known: 3 appointments before and after");
	is_int(count(page, "<tr class=\"change\""), 2, "known: two change rows");
	ok(has(page, "<tr class=\"change\" data-change=\"1\" data-status=\"undecided\"><td>1<br><small>PX-1</small>") &&
	   has(page, "<tr class=\"change\" data-change=\"2\" data-status=\"accepted\"><td>2<br><small>PX-2</small>"),
	   "known: ... numbered, with their ids and status");
	ok(has(page, "one journey fewer &lt;b&gt;") && !has(page, "fewer <b>"), "known: ... the reason escaped");
	ok(has(page, "<span class=\"status-undecided\">not yet decided</span>") &&
	   has(page, "<span class=\"status-accepted\">accepted</span> by mum on ") && has(page, "fine by us"),
	   "known: ... who decided, and their note");
	ok(has(page, "Wed 25 Nov 10:00&#8211;10:30 at Clinic") && has(page, "Mon 23 Nov 11:00&#8211;11:30 at Clinic"),
	   "known: ... a-2 from 10:00-10:30 to 11:00-11:30 at the clinic");
	char *vb = view(page, 0), *va = view(page, 1);
	ok(vb && va, "known: a before and an after view");
	is_int(count(vb, "<g class=\"appt"), 3, "known: before: each appointment drawn once");
	is_int(count(va, "<g class=\"appt"), 3, "known: after: each appointment drawn once");
	ok(has(vb, "data-uid=\"a-2\"") && has(vb, "data-start=\"2026-11-25T10:00"),
	   "known: before: a-2 on Wednesday at 10:00");
	ok(has(va, "data-start=\"2026-11-23T11:00") && !has(va, "data-start=\"2026-11-25T10:00"),
	   "known: after: a-2 on Monday at 11:00, nothing on Wednesday at 10:00");
	ok(has(va, "data-start=\"2026-11-24T10:30"), "known: after: b-1 on Tuesday 10:30");
	/* b at home 10:30 while a is at the clinic until 11:00: one overlap,
	 * marked once; the after view has none */
	is_int(count(vb, "class=\"problem"), 1, "known: before: one problem marked ...");
	ok(has(vb, "data-kind=\"overlap\""), "known: ... the overlap");
	is_int(count(va, "class=\"problem"), 0, "known: after: none marked");
	free(vb);
	free(va);
	char *again = report_html(&r, &fam.d);
	is_str(again, page, "known: the same inputs give the same bytes");
	free(again);
	r.names = 1;
	char *named = report_html(&r, &fam.d);
	ok(has(named, "<h1>Sam Secret (P-1): "), "known: names asked: the display name in the heading");
	free(named);
	free(page);
	free(page0);
	week_release(&after);
	family_close(&fam);
}

static void test_solved(void)
{
	static const char *const files[] = { "a.ics", brute_a, "b.ics", brute_b, "c.ics", brute_c,
					     "d.ics", brute_d, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, FAMILY_BRUTE_PROFILE) == 0, "solved: the brute-force family loads"))
		return;
	struct sv_options o = { .k = 1, .max_changes = -1, .ladder = 0, .time_limit = 0 };
	struct sv_result res;
	if (!ok(solve_propose(&fam.w, &o, &res, &fam.d) == 0 && res.n_props == 1, "solved: one proposal")) {
		family_close(&fam);
		return;
	}
	const struct sv_proposal *x = &res.props[0];
	char *page = report_of_solution(&fam.w, &res.in, x, NOW, &fam.d);
	char want[200];
	snprintf(want, sizeof want, "Proposal <code>%s</code>, 1 change, objective 166.0000 (proven optimal). ", x->id);
	ok(has(page, want), "solved: the page gives its id, changes and brute force's objective 166, proven");
	is_int(x->n_changes, 1, "solved: the optimum makes one change (test_propose's ladder: 0 and 1)");
	is_int(count(page, "<tr class=\"change\""), x->n_changes, "solved: one row per change");
	is_int(count(page, "data-status=\"undecided\""), x->n_changes, "solved: ... none decided");
	is_int(count(page, "<g class=\"appt"), 2 * fam.w.n_appts, "solved: every appointment drawn once in each view");
	char id1[120];
	snprintf(id1, sizeof id1, "<small>%s-1</small>", x->id);
	ok(has(page, id1), "solved: change ids are PROPOSAL-SEQ");
	char *fromplan = report_of_plan(&fam.w, &res.in, &x->plan, x->proven, NOW, &fam.d);
	is_str(fromplan, page, "solved: report_of_plan gives the same bytes from the plan alone");
	free(fromplan);
	char *unproven = report_of_plan(&fam.w, &res.in, &x->plan, 0, NOW, &fam.d);
	ok(has(unproven, "objective 166.0000 (not proven optimal)"), "solved: ... and says when it is not proven");
	free(unproven);
	free(page);
	sv_result_release(&res);
	family_close(&fam);
}

/* The x of the rectangle of the appointment with this UID in a view. */
static double rect_x(const char *v, const char *uid)
{
	char key[64];
	snprintf(key, sizeof key, "data-uid=\"%s\"", uid);
	const char *g = v ? strstr(v, key) : NULL;
	const char *x = g ? strstr(g, "<rect x=\"") : NULL;
	return x ? atof(x + 9) : -1;
}

/* A day of 67 appointments: 64 of 5 minutes one after another, then three
 * at once. Lanes are worked out for every appointment of a day, so the
 * three after the 64th are side by side, not drawn over one another. */
static void test_many_lanes(void)
{
	size_t cap = 80 * 200 + 256, n = 0;
	char *feed = malloc(cap);
	n += (size_t)snprintf(feed + n, cap - n, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n");
	for (int k = 1; k <= 67; k++) {
		int s = k <= 64 ? 8 * 60 + 5 * (k - 1) : 14 * 60, e = k <= 64 ? s + 5 : s + 30;
		n += (size_t)snprintf(feed + n, cap - n,
				      "BEGIN:VEVENT\r\nUID:m-%d\r\nDTSTAMP:20261101T000000Z\r\n"
				      "DTSTART:20261123T%02d%02d00Z\r\nDTEND:20261123T%02d%02d00Z\r\n"
				      "SUMMARY:Visit\r\nEND:VEVENT\r\n",
				      k, s / 60, s % 60, e / 60, e % 60);
	}
	snprintf(feed + n, cap - n, "END:VCALENDAR\r\n");
	const char *files[] = { "a.ics", feed_a, "b.ics", feed, NULL };
	struct family fam;
	if (ok(family_open(&fam, files, profile_text) == 0, "lanes: a day of 67 appointments loads")) {
		struct report r0 = { .before = &fam.w, .now = NOW };
		char *page = report_html(&r0, &fam.d);
		const char *vb = page;   /* no proposal: one view */
		double x1 = rect_x(vb, "m-1"), x64 = rect_x(vb, "m-64"), a = rect_x(vb, "m-65"), b = rect_x(vb, "m-66"),
		       c = rect_x(vb, "m-67");
		ok(x1 > 0 && x1 == x64, "lanes: the 64 in a row share the first lane (%.1f, %.1f)", x1, x64);
		ok(a == x1 && b > a && c > b, "lanes: the 65th to 67th, at once, side by side (%.1f, %.1f, %.1f)", a, b, c);
		free(page);
		family_close(&fam);
	}
	free(feed);
}

int main(void)
{
	test_known();
	test_solved();
	test_many_lanes();
	return tap_done();
}
