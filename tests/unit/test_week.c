/* test_week.c: unit tests for the week model and check (week/build.c, week/check.c) on a small family. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/check.h"
#include "dovetail/plan.h"
#include "dovetail/solver.h"
#include "family.h"


/* Monday 2026-11-23 .. Sunday 2026-11-29; London is on GMT, so local = UTC. */
static const char feed_a[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	/* Mon: weekly session at the clinic, 10:00-11:00 (the person's) */
	"BEGIN:VEVENT\r\nUID:a-weekly\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261116T100000Z\r\n"
	"DTEND:20261116T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Session P-1\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	/* Mon: another client 10:30-11:30: double-booked */
	"BEGIN:VEVENT\r\nUID:a-other\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T103000Z\r\n"
	"DTEND:20261123T113000Z\r\nSUMMARY:Client appointment\r\nEND:VEVENT\r\n"
	/* Wed: at the clinic again, 10:00-10:30 (could join Monday's visit) */
	"BEGIN:VEVENT\r\nUID:a-wed\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T100000Z\r\n"
	"DTEND:20261125T103000Z\r\nSUMMARY:Review P-1\r\nLOCATION:clinic\r\nEND:VEVENT\r\n"
	/* Sat: somewhere unknown, on a free day */
	"BEGIN:VEVENT\r\nUID:a-sat\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261128T100000Z\r\n"
	"DTEND:20261128T110000Z\r\nSUMMARY:Group P-1\r\nLOCATION:Town Hall\r\nEND:VEVENT\r\n"
	/* cancelled and transparent events count for nothing */
	"BEGIN:VEVENT\r\nUID:a-cancelled\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\n"
	"DTEND:20261124T110000Z\r\nSUMMARY:Session P-1\r\nSTATUS:CANCELLED\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a-free\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T120000Z\r\n"
	"DTEND:20261124T130000Z\r\nSUMMARY:Note P-1\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char feed_b[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	/* Mon: at home 10:45-11:15: overlaps a's session; then Mon 11:20 at the
	 * hospital: 5 min after, 30 min away: travel */
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T104500Z\r\n"
	"DTEND:20261123T111500Z\r\nSUMMARY:Visit\r\nLOCATION:Home visit\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:b-2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T112000Z\r\n"
	"DTEND:20261123T120000Z\r\nSUMMARY:Visit\r\nLOCATION:Hospital\r\nEND:VEVENT\r\n"
	/* Thu: over the nap window entirely */
	"BEGIN:VEVENT\r\nUID:b-3\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261126T120000Z\r\n"
	"DTEND:20261126T150000Z\r\nSUMMARY:Visit\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char profile_text[] =
	"version: 1\n"
	"person: { id: P-1, timezone: Europe/London, home: home, day: \"09:00-17:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home, aliases: [Home visit] }\n"
	"  - { id: clinic, name: Clinic }\n"
	"  - { id: hospital, name: Hospital }\n"
	"travel:\n"
	"  matrix: [[home, clinic, 20, 1], [home, hospital, 30, 2], [clinic, hospital, 15, 1]]\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, feeds: [a.ics], match: { text: \"p-?\" },\n"
	"      window: { days: 3, same_week: true }, works: [{ days: weekdays, venues: [clinic] }] }\n"
	"  - { id: b, role: nurse, feeds: [b.ics], default_venue: home }\n"
	"routines:\n"
	"  - { id: nap, kind: sleep, duration: 90, start: \"12:00-13:00\" }\n"
	"energy: { budget: 2 }\n"
	"limits: { max_appointments_per_day: 2, max_time_out_per_day: 60, max_unfamiliar_per_day: 1,\n"
	"          min_rest_between: 10, free_days: weekend }\n"
	"preferences: { grouping: wanted }\n";

static size_t count(const struct problems *ps, enum problem_kind k)
{
	size_t n = 0;
	for (size_t i = 0; i < ps->n; i++)
		n += ps->v[i].kind == k;
	return n;
}

static const struct problem *find(const struct problems *ps, enum problem_kind k, int day)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].kind == k && ps->v[i].day == day)
			return &ps->v[i];
	return NULL;
}

/* A hospital portal feed that two practitioners name, and Exchange-style
 * free/busy that includes the person's own appointment (issue 18). */
static const char portal[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\n"
	"DTEND:20261124T103000Z\r\nSUMMARY:Consultant clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:e2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T110000Z\r\n"
	"DTEND:20261125T113000Z\r\nSUMMARY:Review\r\nCATEGORIES:DIETETICS\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:e3\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261126T090000Z\r\n"
	"DTEND:20261126T093000Z\r\nSUMMARY:Consultant and dietitian\r\nCATEGORIES:DIETETICS\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:e4\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261127T140000Z\r\n"
	"DTEND:20261127T150000Z\r\nSUMMARY:Audiology\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char exchange[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:x1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T100000Z\r\n"
	"DTEND:20261123T110000Z\r\nSUMMARY:Visit\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:x2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T130000Z\r\n"
	"DTEND:20261124T140000Z\r\nSUMMARY:Visit\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char exchange_fb[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VFREEBUSY\r\nUID:fb\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T000000Z\r\n"
	"DTEND:20261130T000000Z\r\n"
	"FREEBUSY:20261123T090000Z/20261123T120000Z\r\n"   /* contains Monday's visit */
	"FREEBUSY:20261124T130000Z/20261124T140000Z\r\n"   /* is Tuesday's visit */
	"FREEBUSY:20261125T100000Z/20261125T110000Z\r\n"   /* another client */
	"FREEBUSY:20261123T103000Z/20261123T113000Z\r\n"   /* overlaps Monday's visit, not containing it */
	"END:VFREEBUSY\r\nEND:VCALENDAR\r\n";

static const char shared_profile[] =
	"version: 1\n"
	"person: { id: P-2, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"practitioners:\n"
	"  - { id: %s, role: clinician, feeds: [portal.ics], match: %s, default_venue: home }\n"
	"  - { id: %s, role: clinician, feeds: [portal.ics], match: %s, default_venue: home }\n"
	"  - { id: nurse, role: nurse, feeds: [exchange.ics, exchange-fb.ics], default_venue: home }\n";

static int64_t utc(int d, int h, int m)
{
	return (int64_t)(days_from_civil(2026, 11, (unsigned)d) * 86400 + h * 3600 + m * 60);
}

static const struct wk_appt *appt_uid(const struct week *w, const char *uid)
{
	for (size_t i = 0; i < w->n_appts; i++)
		if (!strcmp(w->appts[i].uid, uid))
			return &w->appts[i];
	return NULL;
}

static void test_shared_feeds(int swap)
{
	static const char *const files[] = { "portal.ics", portal, "exchange.ics", exchange, "exchange-fb.ics",
					     exchange_fb, NULL };
	const char *cons = "cons", *cmatch = "{ text: Consultant }";
	const char *diet = "diet", *dmatch = "{ categories: DIETETICS }";
	char prof[1024];
	if (swap)
		snprintf(prof, sizeof prof, shared_profile, diet, dmatch, cons, cmatch);
	else
		snprintf(prof, sizeof prof, shared_profile, cons, cmatch, diet, dmatch);
	const char *tag = swap ? "shared, dietitian listed first" : "shared, consultant listed first";
	struct family fam;
	if (!ok(family_open(&fam, files, prof) == 0, "%s: the family loads", tag))
		return;
	const struct week *w = &fam.w;
	const struct profile *p = fam.p;
	int ci = profile_prac_index(p, "cons"), di = profile_prac_index(p, "diet"), ni = profile_prac_index(p, "nurse");
	const struct wk_appt *a;
	ok((a = appt_uid(w, "e1")) && a->prac == ci, "%s: the consultant's clinic is the consultant's", tag);
	ok((a = appt_uid(w, "e2")) && a->prac == di, "%s: the dietetics review is the dietitian's", tag);
	ok((a = appt_uid(w, "e3")) && a->prac == di,
	   "%s: claimed by both, it goes to the more specific rule (categories)", tag);
	const struct diag_item *x = NULL;
	for (size_t i = 0; i < fam.d.n; i++)
		if (fam.d.v[i].code == D_WEEK_TWO_CLAIMS)
			x = &fam.d.v[i];
	ok(x && strstr(x->msg, "cons") && strstr(x->msg, "diet") && strstr(x->msg, "Thu 26 Nov") == NULL &&
	   strstr(x->msg, "Consultant and dietitian") == NULL,
	   "%s: ... a warning naming both, never the event's text (%s)", tag, x ? x->msg : "none");
	ok(appt_uid(w, "e4") == NULL, "%s: an event no rule claims is no appointment", tag);
	ok(week_busy(w, ci, utc(27, 14, 0), utc(27, 15, 0)) && week_busy(w, di, utc(27, 14, 0), utc(27, 15, 0)),
	   "%s: ... it is busy time of each practitioner who names the feed", tag);
	ok(!week_busy(w, ci, utc(25, 11, 0), utc(25, 11, 30)), "%s: the dietitian's review is not the consultant's busy time", tag);
	is_int(w->n_appts, 5, "%s: five appointments: three from the shared feed, two visits", tag);
	/* free/busy: the person's own appointment is not another client */
	ok(!week_busy(w, ni, utc(23, 10, 0), utc(23, 10, 30)),
	   "%s: a free/busy period containing the person's visit is not another client over it", tag);
	ok(week_busy(w, ni, utc(23, 9, 0), utc(23, 10, 0)) && week_busy(w, ni, utc(23, 11, 30), utc(23, 12, 0)),
	   "%s: ... what is before and after the visit stays busy", tag);
	ok(!week_busy(w, ni, utc(24, 13, 0), utc(24, 14, 0)), "%s: a period of the same times as the visit is the visit", tag);
	ok(week_busy(w, ni, utc(25, 10, 0), utc(25, 11, 0)), "%s: another client's period stays busy", tag);
	ok(week_busy(w, ni, utc(23, 11, 0), utc(23, 11, 30)), "%s: a period overlapping the visit, not containing it, stays", tag);
	struct problems ps;
	struct diag d2;
	diag_init(&d2);
	if (ok(check_week(w, &ps, &d2) == 0, "%s: check runs", tag)) {
		int db_mon = 0, db_tue = 0;
		for (size_t i = 0; i < ps.n; i++) {
			if (ps.v[i].kind != PK_DOUBLE_BOOKED)
				continue;
			db_mon += ps.v[i].day == 0;
			db_tue += ps.v[i].day == 1;
		}
		is_int(db_tue, 0, "%s: Tuesday's visit is not double-booked with itself", tag);
		is_int(db_mon, 1, "%s: Monday's visit is double-booked only by the overlapping period", tag);
		problems_release(&ps);
	}
	diag_release(&d2);
	family_close(&fam);
}

/* The family's own calendar (`family:`): the person's commitments. */
static const char relative[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:r1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\n"
	"DTEND:20261124T110000Z\r\nSUMMARY:Physio at home\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:r2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261126T140000Z\r\n"
	"DTEND:20261126T150000Z\r\nSUMMARY:Audiology (private)\r\nLOCATION:Southmead Hospital\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char family_profile[] =
	"version: 1\n"
	"person: { id: P-3, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: southmead, name: Southmead Hospital }\n"
	"travel:\n"
	"  matrix: [[home, southmead, 40, 5]]\n"
	"practitioners:\n"
	"  - { id: physio, role: physiotherapist, feeds: [relative.ics], match: { text: Physio }, default_venue: home }\n"
	"family: { feeds: [relative.ics], default_venue: home }\n";

static void test_family_calendar(void)
{
	static const char *const files[] = { "relative.ics", relative, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, family_profile) == 0, "family: the family loads"))
		return;
	const struct week *w = &fam.w;
	const struct profile *p = fam.p;
	int fi = profile_prac_index(p, "family"), pi = profile_prac_index(p, "physio");
	ok(fi == (int)p->n_pracs - 1 && p->pracs[fi].family, "family: the family's calendar is the last practitioner");
	const struct wk_appt *a;
	ok((a = appt_uid(w, "r1")) && a->prac == pi, "family: the physio's rule takes its event from the family's calendar");
	ok((a = appt_uid(w, "r2")) && a->prac == fi && !a->movable && a->venue == profile_venue_index(p, "southmead"),
	   "family: the rest is the person's own time, fixed, at its place");
	ok(!week_busy(w, pi, utc(26, 14, 0), utc(26, 15, 0)), "family: ... not the physio's busy time");
	int warned = 0;
	for (size_t i = 0; i < fam.d.n; i++)
		warned |= fam.d.v[i].code == D_WEEK_TWO_CLAIMS;
	ok(!warned, "family: no warning that two rules claim an event the family's calendar shares");
	is_int(w->days[3].journeys, 1, "family: Thursday has the journey to the hospital");
	struct problems ps;
	struct diag d2;
	diag_init(&d2);
	if (ok(check_week(w, &ps, &d2) == 0, "family: check runs")) {
		const struct problem *x = find(&ps, PK_NOT_PRACTITIONER, 3);
		ok(x && strstr(x->msg, "southmead") && strstr(x->msg, "14:00") && !strstr(x->msg, "Audiology"),
		   "family: check says it is not from a known practitioner, with its time and place, never its text (%s)",
		   x ? x->msg : "none");
		ok(!find(&ps, PK_NOT_PRACTITIONER, 1), "family: not for the physio's appointment");
		problems_release(&ps);
	}
	diag_release(&d2);
	family_close(&fam);
	/* a practitioner may not take the family's id */
	struct diag d;
	diag_init(&d);
	struct profile *bad = NULL;
	static const char clash[] =
		"version: 1\n"
		"person: { id: P-3, timezone: Europe/London, home: home }\n"
		"venues: [{ id: home, kind: home }]\n"
		"practitioners: [{ id: family, role: therapist }]\n"
		"family: { feeds: [] }\n";
	int lrc = profile_load_text(&bad, "/tmp/clash.yaml", clash, sizeof clash - 1, &d);
	const struct diag_item *e = d.n ? &d.v[d.n - 1] : NULL;
	ok(lrc < 0 && e && e->line == 5 && e->msg && strstr(e->msg, "id 'family'") &&
	   diag_exit_status(&d) == DV_EXIT_INPUT,
	   "family: a practitioner with the id 'family' is an error at line 5 (%s)", e && e->msg ? e->msg : "");
	diag_release(&d);
}

/* Carers (`carers:`): a parent's shifts; nothing moves into them. */
static const char clinic_feed[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:c1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T140000Z\r\n"
	"DTEND:20261125T143000Z\r\nSUMMARY:Clinic P-4\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:c2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\n"
	"DTEND:20261124T103000Z\r\nSUMMARY:Review P-4\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char shifts[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T123000Z\r\n"
	"DTEND:20261125T203000Z\r\nSUMMARY:Late shift\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:s2\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\n"
	"DTEND:20261124T110000Z\r\nSUMMARY:Meeting\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char carer_profile[] =
	"version: 1\n"
	"person: { id: P-4, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"practitioners:\n"
	"  - { id: doc, role: doctor, feeds: [clinic.ics], match: { text: P-4 }, default_venue: clinic,\n"
	"      works: [{ days: weekdays, venues: [clinic] }], window: { days: 2, same_week: true } }\n"
	"  - { id: nurse, role: nurse, feeds: [], needs_carer: false }\n"
	"carers:\n"
	"  - { id: mum, feeds: [shifts.ics]%s }\n";

static void test_carers(void)
{
	static const char *const files[] = { "clinic.ics", clinic_feed, "shifts.ics", shifts, NULL };
	char prof[2048];
	snprintf(prof, sizeof prof, carer_profile, "");
	struct family fam;
	if (!ok(family_open(&fam, files, prof) == 0, "carers: the family loads"))
		return;
	const struct week *w = &fam.w;
	const struct profile *p = fam.p;
	ok(p->n_carers == 1 && p->pracs[0].needs_carer && !p->pracs[1].needs_carer,
	   "carers: needs_carer is the default once carers are listed, and can be turned off");
	const struct wk_appt *wed = appt_uid(w, "c1"), *tue = appt_uid(w, "c2");
	ok(wed && !week_carer_free(w, wed, wed->venue, wed->start, wed->end), "carers: Wednesday's clinic is in the late shift");
	ok(tue && week_carer_free(w, tue, tue->venue, tue->start, tue->end),
	   "carers: a transparent event of the carer's is not busy time");
	ok(w->n_appts == 2, "carers: a carer's events are never appointments (%zu)", w->n_appts);
	ok(!week_busy(w, 0, utc(25, 13, 0), utc(25, 14, 0)), "carers: ... nor a practitioner's busy time");
	struct problems ps;
	struct diag d2;
	diag_init(&d2);
	if (ok(check_week(w, &ps, &d2) == 0, "carers: check runs")) {
		const struct problem *x = find(&ps, PK_NO_CARER, 2);
		ok(x && problem_is_error(PK_NO_CARER) && strstr(x->msg, "mum") && !strstr(x->msg, "Late shift"),
		   "carers: check reports no-carer, an error, naming the carer, never the shift's text (%s)",
		   x ? x->msg : "none");
		ok(!find(&ps, PK_NO_CARER, 1), "carers: not on Tuesday");
		problems_release(&ps);
	}
	diag_release(&d2);
	/* the solver's candidates never land in the shift */
	struct instance in;
	if (ok(instance_build(&in, w, utc(23, 0, 0), &d2) == 0, "carers: the instance builds")) {
		int into = 0, cands = 0;
		for (size_t i = 0; i < in.n; i++)
			for (size_t k = 1; k < in.a[i].n_cand; k++) {
				const struct placement *c = &in.a[i].cand[k];
				int64_t s = week_utc(w, c->day, c->start), e = week_utc(w, c->day, c->start + in.a[i].duration);
				cands++;
				into |= !week_carer_free(w, &w->appts[in.a[i].appt], c->venue, s, e);
			}
		ok(cands > 0 && !into, "carers: none of %d candidate placements is in the carer's busy time", cands);
		instance_release(&in);
	}
	diag_release(&d2);
	family_close(&fam);
	/* takes: naming a practitioner that does not exist is an error at its line */
	snprintf(prof, sizeof prof, carer_profile, ", takes: [doc, dentist]");
	struct diag d;
	diag_init(&d);
	struct profile *bad = NULL;
	int lrc = profile_load_text(&bad, "/tmp/carers.yaml", prof, strlen(prof), &d);
	const struct diag_item *e = d.n ? &d.v[d.n - 1] : NULL;
	ok(lrc < 0 && e && e->line == 11 && e->msg && strstr(e->msg, "dentist") && diag_exit_status(&d) == DV_EXIT_INPUT,
	   "carers: an unknown practitioner in takes is an error at line 11 (%s)", e && e->msg ? e->msg : "");
	diag_release(&d);
}

/* The carer travels with the person: an early shift that ends 30 min
 * before a clinic 45 min from home leaves no carer free; at home it would. */
static const char early_shift[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T060000Z\r\n"
	"DTEND:20261125T133000Z\r\nSUMMARY:Early shift\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

/* Routine `routine`'s start on day `day` (-9: none there), its minutes late into *late. */
static int routine_at(const struct week *w, int day, int routine, int *late)
{
	for (size_t i = 0; i < w->n_routines; i++)
		if (w->routines[i].day == day && w->routines[i].routine == routine) {
			if (late)
				*late = w->routines[i].late;
			return w->routines[i].start;
		}
	return -9;
}

/* The problem of kind k on day `day` about routine `routine`, or NULL. */
static const struct problem *find_routine(const struct problems *ps, enum problem_kind k, int day, int routine)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].kind == k && ps->v[i].day == day && ps->v[i].routine == routine)
			return &ps->v[i];
	return NULL;
}

/* Routines keep clear of one another where the person cannot be at both
 * (docs/profile.md, "routines"): at home against a venue; anywhere and the
 * same place may overlap; placed by window start, then profile order. */
static void test_routines_apart(void)
{
	static const char feed[] =
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
		"BEGIN:VEVENT\r\nUID:r1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T160000Z\r\n"
		"DTEND:20261125T163000Z\r\nSUMMARY:Visit P-5\r\nEND:VEVENT\r\n"
		"END:VCALENDAR\r\n";
	static const char *const files[] = { "n.ics", feed, NULL };
	static const char prof[] =
		"version: 1\n"
		"person: { id: P-5, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
		"venues:\n"
		"  - { id: home, kind: home }\n"
		"  - { id: school, name: School }\n"
		"travel: { matrix: [[home, school, 10, 0]] }\n"
		"practitioners:\n"
		"  - { id: nurse, role: nurse, feeds: [n.ics], default_venue: home }\n"
		"routines:\n"
		"  - { id: school-day, kind: school, duration: 360, start: \"09:00-09:10\", days: weekdays, place: school }\n"
		"  - { id: lunch, kind: meal, duration: 30, start: \"12:00-12:30\", place: anywhere }\n"
		"  - { id: decompress, kind: rest, duration: 45, start: \"14:00-14:30\", place: home }\n"
		"  - { id: medicine, kind: medication, duration: 10, start: \"09:00-09:30\", place: home }\n"
		"  - { id: quiet, kind: rest, duration: 30, start: \"15:00-15:10\", place: home }\n";
	struct family fam;
	if (!ok(family_open(&fam, files, prof) == 0, "routines apart: the family loads"))
		return;
	const struct week *w = &fam.w;
	int at[5], late[5];
	for (int k = 0; k < 5; k++)
		at[k] = routine_at(w, 0, k, &late[k]);
	is_int(at[0], 9 * 60, "routines apart: the school day starts at 09:00 (first by its window)");
	is_int(at[1], 12 * 60, "routines apart: lunch (anywhere) falls within the school day, on time");
	ok(at[2] == 15 * 60 && late[2] == 30, "routines apart: decompress at home waits for the school day to end: 15:00, 30 min late");
	is_int(at[3], -1, "routines apart: medicine at home, placed after the school day (same window start, later in the profile), cannot be kept");
	ok(at[4] == 15 * 60 && late[4] == 0, "routines apart: two routines at home may overlap (quiet at 15:00 beside decompress)");
	is_int(routine_at(w, 5, 3, NULL), 9 * 60, "routines apart: on Saturday (no school) medicine is at 09:00");
	ok(week_routines_apart(fam.p, PLACE_HOME, 1) && week_routines_apart(fam.p, 0, 1) &&
	   !week_routines_apart(fam.p, 0, PLACE_HOME) && !week_routines_apart(fam.p, PLACE_ANYWHERE, 1) &&
	   !week_routines_apart(fam.p, 1, 1),
	   "routines apart: home (or the home venue) and a venue are apart; anywhere and one place are not");
	struct problems ps;
	struct diag d2;
	diag_init(&d2);
	if (ok(check_week(w, &ps, &d2) == 0, "routines apart: check runs")) {
		const struct problem *x = find_routine(&ps, PK_ROUTINE, 0, 3);
		ok(x && strstr(x->msg, "blocked by school-day 09:00-15:00"), "routines apart: check names the school day as what blocks medicine");
		x = find_routine(&ps, PK_ROUTINE_LATE, 0, 2);
		ok(x && strstr(x->msg, "starts 30 min late, at 15:00: blocked by school-day 09:00-15:00"),
		   "routines apart: ... and as what makes decompress late");
		problems_release(&ps);
	}
	family_close(&fam);
}

static void test_carer_travel(void)
{
	static const char *const files[] = { "clinic.ics", clinic_feed, "shifts.ics", early_shift, NULL };
	static const char prof[] =
		"version: 1\n"
		"person: { id: P-4, timezone: Europe/London, home: home, day: \"08:00-18:00\", slot: 15 }\n"
		"venues:\n"
		"  - { id: home, kind: home }\n"
		"  - { id: clinic, name: Clinic }\n"
		"travel: { matrix: [[home, clinic, 40, 0]] }\n"
		"practitioners:\n"
		"  - { id: doc, role: doctor, feeds: [clinic.ics], match: { text: P-4 }, default_venue: clinic,\n"
		"      venues: [clinic, home], works: [{ days: weekdays, venues: [clinic, home] }],\n"
		"      window: { days: 2, same_week: true } }\n"
		"carers:\n"
		"  - { id: mum, feeds: [shifts.ics] }\n";
	struct family fam;
	if (!ok(family_open(&fam, files, prof) == 0, "carer travel: the family loads"))
		return;
	const struct week *w = &fam.w;
	const struct wk_appt *wed = appt_uid(w, "c1");
	int64_t cs = 0, ce = 0;
	if (wed)
		week_carer_span(w, wed->venue, wed->start, wed->end, &cs, &ce);
	ok(wed && cs == wed->start - 45 * 60 && ce == wed->end + 45 * 60,
	   "carer travel: the carer's time is the appointment plus the journeys from and to home (40 min, on the slot grid: 45)");
	ok(wed && !week_carer_free(w, wed, wed->venue, wed->start, wed->end),
	   "carer travel: the clinic at 14:00 needs the carer from 13:15, in the shift");
	ok(wed && week_carer_free(w, wed, fam.p->home, wed->start, wed->end),
	   "carer travel: the same time at home needs no journey: the carer is free");
	ok(wed && week_carer_for(w, wed, fam.p->home, wed->start, wed->end) == 0 &&
	   week_carer_for(w, wed, wed->venue, wed->start, wed->end) == WEEK_CARER_NONE_FREE,
	   "carer travel: week_carer_for names the carer, or none free");
	struct problems ps;
	struct diag d2;
	diag_init(&d2);
	if (ok(check_week(w, &ps, &d2) == 0, "carer travel: check runs")) {
		ok(find(&ps, PK_NO_CARER, 2) != NULL, "carer travel: check reports no-carer on Wednesday");
		problems_release(&ps);
	}
	/* no candidate placement of the solver needs the carer in the shift,
	 * journeys included */
	struct instance in;
	if (ok(instance_build(&in, w, utc(23, 0, 0), &d2) == 0, "carer travel: the instance builds")) {
		int into = 0, home_wed = 0;
		for (size_t i = 0; i < in.n; i++)
			for (size_t k = 1; k < in.a[i].n_cand; k++) {
				const struct placement *c = &in.a[i].cand[k];
				int64_t s = week_utc(w, c->day, c->start), e = week_utc(w, c->day, c->start + in.a[i].duration);
				into |= !week_carer_free(w, &w->appts[in.a[i].appt], c->venue, s, e);
				int64_t cs2, ce2;
				week_carer_span(w, c->venue, s, e, &cs2, &ce2);
				into |= c->venue != fam.p->home && cs2 < utc(25, 13, 30) && ce2 > utc(25, 6, 0);
				home_wed |= c->venue == fam.p->home && c->day == 2 && s == utc(25, 13, 30);
			}
		ok(!into && home_wed, "carer travel: no candidate's journey is in the shift; at home, 13:30 is one");
		instance_release(&in);
	}
	diag_release(&d2);
	family_close(&fam);
	/* working hours: busy time every week, with or without a feed */
	static const char *const files2[] = { "clinic.ics", clinic_feed, NULL };
	static const char prof2[] =
		"version: 1\n"
		"person: { id: P-4, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
		"venues:\n"
		"  - { id: home, kind: home }\n"
		"  - { id: clinic, name: Clinic }\n"
		"practitioners:\n"
		"  - { id: doc, role: doctor, feeds: [clinic.ics], match: { text: P-4 }, default_venue: clinic }\n"
		"carers:\n"
		"  - { id: dad, working_hours: [{ days: [tue, thu], hours: \"09:00-12:00\" }] }\n";
	if (!ok(family_open(&fam, files2, prof2) == 0, "carer working hours: the family loads"))
		return;
	w = &fam.w;
	const struct wk_appt *tue = appt_uid(w, "c2"), *wed2 = appt_uid(w, "c1");
	ok(tue && !week_carer_free(w, tue, tue->venue, tue->start, tue->end),
	   "carer working hours: Tuesday 10:00 is in dad's working hours");
	ok(wed2 && week_carer_free(w, wed2, wed2->venue, wed2->start, wed2->end),
	   "carer working hours: Wednesday is not a working day of his");
	family_close(&fam);
	struct diag d;
	diag_init(&d);
	struct profile *bad = NULL;
	static const char prof3[] =
		"version: 1\n"
		"person: { id: P-4, timezone: Europe/London, home: home }\n"
		"venues: [{ id: home, kind: home }]\n"
		"practitioners: [{ id: doc, role: doctor }]\n"
		"carers:\n"
		"  - { id: dad, working_hours: [{ days: [tue], hours: \"12:00-09:00\", venues: [home] }] }\n";
	int lrc = profile_load_text(&bad, "/tmp/carers.yaml", prof3, sizeof prof3 - 1, &d);
	int n6 = 0;
	for (size_t i = 0; i < d.n; i++)
		n6 += d.v[i].line == 6 && d.v[i].col > 1;
	ok(lrc < 0 && n6 == 2 && diag_exit_status(&d) == DV_EXIT_INPUT,
	   "carer working hours: a backwards range and an unknown key are errors at line 6 (%d), exit 65", n6);
	diag_release(&d);
}

/* A problem refers to at most PROBLEM_MAX_REFS (8) practitioners, venues
 * and appointments; what it counts is not bounded by that: ten unfamiliar
 * practitioners at ten venues on one day, a limit of nine unfamiliar people
 * a day and a week, grouping wanted. */
static void test_problem_refs(void)
{
	enum { N = PROBLEM_MAX_REFS + 2 };
	char feeds[N][2][400];
	const char *files[2 * N + 1];
	char prof[4096];
	size_t off = (size_t)snprintf(prof, sizeof prof,
				      "version: 1\n"
				      "person: { id: P-9, timezone: Europe/London, home: home, day: \"07:00-21:00\" }\n"
				      "venues:\n  - { id: home, kind: home }\n");
	for (int i = 0; i < N; i++)
		off += (size_t)snprintf(prof + off, sizeof prof - off, "  - { id: v%d, name: Place %d }\n", i, i);
	off += (size_t)snprintf(prof + off, sizeof prof - off, "practitioners:\n");
	for (int i = 0; i < N; i++) {
		off += (size_t)snprintf(prof + off, sizeof prof - off,
					"  - { id: p%d, role: r, feeds: [f%d.ics], familiar: false }\n", i, i);
		snprintf(feeds[i][0], sizeof feeds[i][0], "f%d.ics", i);
		snprintf(feeds[i][1], sizeof feeds[i][1],
			 "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
			 "BEGIN:VEVENT\r\nUID:r%d\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T%02d0000Z\r\n"
			 "DTEND:20261123T%02d3000Z\r\nSUMMARY:Visit\r\nLOCATION:Place %d\r\nEND:VEVENT\r\n"
			 "END:VCALENDAR\r\n", i, 8 + i, 8 + i, i);
		files[2 * i] = feeds[i][0];
		files[2 * i + 1] = feeds[i][1];
	}
	files[2 * N] = NULL;
	snprintf(prof + off, sizeof prof - off,
		 "limits: { max_unfamiliar_per_day: %d, max_unfamiliar_per_week: %d }\n"
		 "preferences: { grouping: wanted }\n", N - 1, N - 1);
	struct family fam;
	if (!ok(family_open(&fam, files, prof) == 0, "problem refs: the family loads"))
		return;
	is_int(fam.w.days[0].n, N, "problem refs: ten appointments on Monday");
	struct problems ps;
	struct diag d2;
	diag_init(&d2);
	if (ok(check_week(&fam.w, &ps, &d2) == 0, "problem refs: check runs")) {
		const struct problem *day = NULL, *week = NULL, *x;
		for (size_t i = 0; i < ps.n; i++)
			if (ps.v[i].kind == PK_UNFAMILIAR)
				*(ps.v[i].week_wide ? &week : &day) = &ps.v[i];
		ok(day && strstr(day->msg, "10 unfamiliar people in the day") && day->n_pracs == PROBLEM_MAX_REFS,
		   "problem refs: 10 unfamiliar people in the day, past 9, though it names 8 practitioners (%s)",
		   day ? day->msg : "none");
		ok(week && strstr(week->msg, "10 unfamiliar people in the week") && week->n_pracs == PROBLEM_MAX_REFS,
		   "problem refs: ... and 10 in the week (%s)", week ? week->msg : "none");
		x = find(&ps, PK_SCATTERED_DAY, 0);
		ok(x && strstr(x->msg, "10 venues away from home") && x->n_venues == PROBLEM_MAX_REFS &&
		   x->n_appts == PROBLEM_MAX_REFS,
		   "problem refs: 10 venues away from home, 8 of them and 8 appointments named (%s)", x ? x->msg : "none");
		problems_release(&ps);
	}
	diag_release(&d2);
	family_close(&fam);
}

/* week_decide_by: the last instant a change may still be accepted. With
 * one working day of notice the cut-off falls back over a weekend (Sat
 * 05:00's is Mon 05:00, Sat 11:00's Mon 11:00, Sun 09:00's Mon 09:00): a
 * change for Monday 10:00 proposed on Saturday 05:00 closes at Saturday
 * 10:00, not on Sunday, though Sunday 09:00 would fit again. */
static const char monday_feed[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:m1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T100000Z\r\n"
	"DTEND:20261123T103000Z\r\nSUMMARY:Review P-5\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char monday_profile[] =
	"version: 1\n"
	"person: { id: P-5, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"practitioners:\n"
	"  - { id: doc, role: doctor, feeds: [m.ics], match: { text: P-5 }, default_venue: clinic }\n";

static void test_decide_by(void)
{
	static const char *const files[] = { "m.ics", monday_feed, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, monday_profile) == 0, "decide_by: the family loads"))
		return;
	const struct week *w = &fam.w;
	const struct wk_appt *m = appt_uid(w, "m1");
	if (ok(m != NULL, "decide_by: Monday's review is there")) {
		size_t i = (size_t)(m - w->appts);
		int64_t mon23 = days_from_civil(2026, 11, 23);
		/* to Monday 11:00: the first of the two starts is 10:00 */
		int64_t sat = utc(21, 5, 0), by = week_decide_by(w, i, mon23, 660, sat);
		is_int((int)(by - utc(21, 10, 0)), 0, "decide_by: proposed Sat 05:00, open until Sat 10:00 (off by %lld s)",
		       (long long)(by - utc(21, 10, 0)));
		by = week_decide_by(w, i, mon23, 660, utc(16, 0, 0));
		is_int((int)(by - utc(20, 10, 0)), 0, "decide_by: proposed the Monday before, open until Fri 10:00");
		by = week_decide_by(w, i, mon23, 660, utc(21, 11, 0));
		is_int((int)(by - utc(21, 11, 0)), 0, "decide_by: proposed when already inside the notice: now itself");
	}
	family_close(&fam);
}

int main(void)
{
	test_decide_by();
	static const char *const files[] = { "a.ics", feed_a, "b.ics", feed_b, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, profile_text) == 0, "the family loads, imports and reads"))
		return tap_done();
	struct week w = fam.w;
	struct diag d = fam.d;
	is_int(w.n_days, 7, "seven days");
	is_int(w.n_appts, 6, "six appointments: not the other client, cancelled or transparent events");
	is_int(w.days[0].n, 3, "three on Monday");
	is_int(w.appts[0].venue, 1, "LOCATION 'Clinic' is the clinic");
	is_int(w.appts[1].venue, 0, "'Home visit' is an alias of home");
	is_int(w.days[3].n, 1, "one on Thursday");
	is_int(w.appts[w.days[3].first].venue, 0, "no LOCATION: the practitioner's default venue");
	is_int(w.appts[w.days[5].first].venue, -1, "Saturday's LOCATION matches no venue");
	/* Monday, read in start order: home -> clinic (20) 09:40-10:00 for a;
	 * b is at home at 10:45, so back clinic -> home 11:00-11:20 once a ends
	 * (out 09:40-11:20); then home -> hospital (30) for 11:20, left at
	 * 10:50, and hospital -> home 12:00-12:30 (out 10:50-12:30) */
	is_int(w.days[0].journeys, 2, "Monday has two outings: to the clinic, then to the hospital");
	is_int(w.days[0].travel_min, 20 + 20 + 30 + 30, "... 100 minutes of travel");
	is_int(w.days[0].time_out, 100 + 100, "... 200 minutes out");
	size_t mon_legs = 0;
	for (size_t i = 0; i < w.n_legs; i++)
		mon_legs += w.legs[i].day == 0;
	is_int(mon_legs, 4, "... in four legs");

	struct problems ps;
	is_int(check_week(&w, &ps, &d), 0, "check runs");
	for (size_t i = 0; i < ps.n; i++)
		printf("#   %s day %d %d-%d: %s\n", problem_kind_name(ps.v[i].kind), ps.v[i].day,
		       ps.v[i].from, ps.v[i].to, ps.v[i].msg);
	const struct problem *x;
	ok((x = find(&ps, PK_OVERLAP, 0)) && x->from == 10 * 60 + 45 && x->to == 11 * 60,
	   "overlap Mon 10:45-11:00");
	ok((x = find(&ps, PK_DOUBLE_BOOKED, 0)) && x->from == 10 * 60 + 30 && x->to == 11 * 60,
	   "a double-booked Mon 10:30-11:00");
	ok((x = find(&ps, PK_TRAVEL, 0)) && x->n_venues == 2, "travel home -> hospital in 5 min");
	ok((x = find(&ps, PK_REST, 0)) != NULL, "rest: 5 min < 10");
	ok((x = find(&ps, PK_APPOINTMENTS, 0)) != NULL, "3 appointments on Monday > 2");
	ok((x = find(&ps, PK_ROUTINE_LATE, 3)) != NULL && x->routine == 0 && x->from == 15 * 60,
	   "the nap cannot be kept in its window on Thursday: it starts late, at 15:00");
	ok(!find(&ps, PK_ROUTINE, 3), "... which is not a routine missed");
	ok(!find(&ps, PK_ROUTINE, 1), "the nap is kept on Tuesday (cancelled and transparent events do not block)");
	ok((x = find(&ps, PK_FREE_DAY, 5)) != NULL, "Saturday is kept free");
	ok((x = find(&ps, PK_UNKNOWN_VENUE, 5)) != NULL, "Saturday's venue is unknown");
	ok((x = find(&ps, PK_OUTSIDE_DAY, 3)) == NULL, "Thursday's visit is inside the day");
	ok((x = find(&ps, PK_REPEAT_JOURNEY, 2)) != NULL, "Wednesday's clinic review could join Monday");
	ok((x = find(&ps, PK_SCATTERED_DAY, 0)) != NULL, "Monday: clinic and hospital, grouping wanted");
	ok((x = find(&ps, PK_UNFAMILIAR, 0)) != NULL, "Monday: 2 unfamiliar people > 1");
	ok((x = find(&ps, PK_ENERGY, 0)) != NULL, "Monday over the energy budget of 2");
	ok((x = find(&ps, PK_TIME_OUT, 0)) != NULL, "Monday over 60 min out");
	is_int(count(&ps, PK_OVERLAP), 1, "exactly one overlap");
	is_int(ps.n, 15, "fifteen problems in all (listed above)");
	/* sorted by day, then start (check.h) */
	int sorted = ps.n > 1;
	for (size_t i = 1; i < ps.n; i++)
		if (ps.v[i].day < ps.v[i - 1].day || (ps.v[i].day == ps.v[i - 1].day && ps.v[i].from < ps.v[i - 1].from))
			sorted = 0;
	ok(sorted, "problems are sorted by day, then start");

	problems_release(&ps);

	/* week_apply_changes (plan.h): found by the feed reference, moved, derived */
	struct week mv;
	is_int(week_copy(&mv, &w, &d), 0, "a copy of the week");
	const struct wk_appt *wed = &w.appts[w.days[2].first];
	const struct wk_appt *sat = &w.appts[w.days[5].first];
	struct change ch[4] = {
		/* Wednesday's review to Tuesday 14:00 at the clinic */
		{ { "a", wed->uid, wed->rid, wed->feed_start, wed->feed_end },
		  { w.days[2].date, wed->s_min, "clinic" }, { w.days[1].date, 14 * 60, "clinic" }, CHANGE_MOVE },
		/* not in this week: an unknown UID */
		{ { "a", "no-such-uid", "", wed->feed_start, wed->feed_end },
		  { w.days[2].date, 600, "clinic" }, { w.days[1].date, 600, "clinic" }, CHANGE_MOVE },
		/* to a date outside the horizon */
		{ { "a", sat->uid, sat->rid, sat->feed_start, sat->feed_end },
		  { w.days[5].date, sat->s_min, NULL }, { w.days[6].date + 7, 600, NULL }, CHANGE_MOVE },
		/* an unknown practitioner */
		{ { "nobody", wed->uid, wed->rid, wed->feed_start, wed->feed_end },
		  { w.days[2].date, 600, NULL }, { w.days[1].date, 600, NULL }, CHANGE_MOVE },
	};
	int where[4];
	is_int(week_apply_changes(&mv, ch, 4, where, &d), 1, "one of four changes applies");
	ok(where[0] >= 0 && mv.appts[where[0]].day == 1 && mv.appts[where[0]].s_min == 14 * 60 &&
	   mv.appts[where[0]].e_min == 14 * 60 + 30 && !strcmp(mv.appts[where[0]].uid, "a-wed"),
	   "the review is on Tuesday 14:00-14:30, its length kept, where[] after the derivation");
	is_int(mv.days[2].n, 0, "... Wednesday is empty");
	is_int(mv.days[1].n, 1, "... Tuesday has it");
	ok(where[1] == -1 && where[2] == -1 && where[3] == -1, "the others are not applied (where -1)");
	is_int(mv.days[5].n, 1, "Saturday's group stays");
	/* a later change on the same appointment supersedes: from need not match */
	ch[0].to = (struct place){ w.days[4].date, 9 * 60 + 30, "clinic" };
	is_int(week_apply_changes(&mv, ch, 1, where, &d), 1, "a second change on it applies");
	ok(mv.appts[where[0]].day == 4 && mv.appts[where[0]].s_min == 9 * 60 + 30, "... to Friday 09:30");
	is_int(week_apply_changes(&mv, NULL, 0, NULL, &d), 0, "no changes: nothing applied");
	week_release(&mv);

	fam.d = d;
	family_close(&fam);
	test_shared_feeds(0);
	test_shared_feeds(1);
	test_family_calendar();
	test_carers();
	test_carer_travel();
	test_routines_apart();
	test_problem_refs();
	return tap_done();
}
