/* test_export_family.c: unit tests for the family's calendar (export/family.c): export_family and export_family_objects on a small family, exact UIDs, times and words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/export.h"
#include "dovetail/ics.h"
#include "dovetail/plan.h"
#include "dovetail/util.h"
#include "family.h"

#define NOW 1795392000   /* Monday 2026-11-23 00:00 UTC */

/* a: a single session on Monday and a weekly series whose second
 * occurrence (Wednesday) is in the week; b (private): a visit on Tuesday. */
static const char feed_a[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T100000Z\r\n"
	"DTEND:20261123T110000Z\r\nSUMMARY:Physio P-1\r\nDESCRIPTION:Bring shoes\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a-w\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261118T090000Z\r\n"
	"DTEND:20261118T093000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nSUMMARY:Review P-1\r\nLOCATION:Hospital\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char feed_b[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T140000Z\r\n"
	"DTEND:20261124T143000Z\r\nSUMMARY:Secret visit\r\nDESCRIPTION:Secret notes\r\nLOCATION:Home\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char profile_text[] =
	"version: 1\n"
	"person: { id: P-1, display_name: Sam, timezone: Europe/London, home: home, day: \"08:00-18:00\" }\n"
	"venues:\n"
	"  - { id: home, kind: home, name: Home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"  - { id: hospital, name: Hospital }\n"
	"travel: { matrix: [[home, clinic, 20, 1], [home, hospital, 30, 2], [clinic, hospital, 15, 1]] }\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, display_name: Ann, feeds: [a.ics], match: { text: P-1 } }\n"
	"  - { id: b, role: nurse, feeds: [b.ics], private: true, default_venue: home }\n"
	"routines:\n"
	"  - { id: nap, kind: sleep, duration: 60, start: \"13:00-13:30\", place: home, days: [mon, tue] }\n";

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

/* The UID docs/export.md gives an appointment: the first 32 hex digits of
 * SHA-256 over "appointment", the practitioner, the UID and the
 * RECURRENCE-ID, each followed by a NUL, at family.dovetail.invalid. */
static void stable_uid(const char *prac, const char *uid, const char *rid, char out[96])
{
	char buf[256], hex[65];
	size_t n = 0;
	const char *parts[] = { "appointment", prac, uid, rid };
	for (size_t i = 0; i < 4; i++) {
		size_t l = strlen(parts[i]);
		memcpy(buf + n, parts[i], l + 1);
		n += l + 1;
	}
	hash_sha256_hex(buf, n, hex);
	snprintf(out, 96, "%.32s@family.dovetail.invalid", hex);
}

/* The text without its DTSTAMP lines (malloc'd). */
static char *without_dtstamp(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;
	if (!out)
		abort();
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) + 1 : strlen(p);
		if (strncmp(p, "DTSTAMP:", 8) != 0) {
			memcpy(o, p, l);
			o += l;
		}
		p += l;
	}
	*o = 0;
	return out;
}

struct want {
	const char *prac, *uid, *rid;
	const char *start, *end;   /* local, as DTSTART;TZID=Europe/London: gives them */
	int64_t s, e;              /* UTC seconds */
	const char *summary, *location;
	char fuid[96];             /* the family calendar's UID */
};

int main(void)
{
	static const char *const files[] = { "a.ics", feed_a, "b.ics", feed_b, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, profile_text) == 0, "the family loads, imports and reads"))
		return tap_done();
	struct week *w = &fam.w;
	int64_t mon = days_from_civil(2026, 11, 23) * 86400;
	struct want want[] = {
		{ "a", "a-1", "", "20261123T100000", "20261123T110000", mon + 10 * 3600, mon + 11 * 3600,
		  "physiotherapist (Ann): Physio P-1", "Clinic", "" },
		{ "b", "b-1", "", "20261124T140000", "20261124T143000", mon + 86400 + 14 * 3600,
		  mon + 86400 + 14 * 3600 + 1800, "nurse", "Home", "" },
		{ "a", "a-w", "20261125T090000Z", "20261125T090000", "20261125T093000", mon + 2 * 86400 + 9 * 3600,
		  mon + 2 * 86400 + 9 * 3600 + 1800, "physiotherapist (Ann): Review P-1", "Hospital", "" },
	};
	size_t n_want = sizeof want / sizeof want[0];
	for (size_t i = 0; i < n_want; i++)
		stable_uid(want[i].prac, want[i].uid, want[i].rid, want[i].fuid);
	is_int(w->n_appts, 3, "three appointments in the week");

	char *cal = export_family(w, NOW, 0, &fam.d);
	ok(cal != NULL, "export_family writes the calendar");
	if (!cal)
		return tap_done();
	is_int(count(cal, "BEGIN:VEVENT"), 3, "one event per appointment, no routines without asking");
	ok(has(cal, "METHOD:PUBLISH\r\n") && has(cal, "X-WR-CALNAME:Appointments: Sam\r\n"),
	   "METHOD:PUBLISH, named after the person's display name");
	is_int(count(cal, "DTSTAMP:20261123T000000Z\r\n"), 3, "every DTSTAMP is now");
	ok(has(cal, "BEGIN:VTIMEZONE") && has(cal, "TZID:Europe/London"), "the zone's VTIMEZONE");
	for (size_t i = 0; i < n_want; i++) {
		const struct want *x = &want[i];
		char line[200];
		snprintf(line, sizeof line, "UID:%s\r\n", x->fuid);
		const char *ev = strstr(cal, line);
		const char *end = ev ? strstr(ev, "END:VEVENT") : NULL;
		ok(ev && end, "%s/%s: its UID is the digest of practitioner, UID and RECURRENCE-ID (%s)", x->prac,
		   x->uid, x->fuid);
		if (!ev || !end)
			continue;
		char *one = strndup(ev, (size_t)(end - ev));
		snprintf(line, sizeof line, "DTSTART;TZID=Europe/London:%s\r\n", x->start);
		ok(has(one, line), "%s/%s: DTSTART %s local", x->prac, x->uid, x->start);
		snprintf(line, sizeof line, "DTEND;TZID=Europe/London:%s\r\n", x->end);
		ok(has(one, line), "%s/%s: DTEND %s local", x->prac, x->uid, x->end);
		snprintf(line, sizeof line, "SUMMARY:%s\r\n", x->summary);
		ok(has(one, line), "%s/%s: SUMMARY '%s'", x->prac, x->uid, x->summary);
		snprintf(line, sizeof line, "LOCATION:%s\r\n", x->location);
		ok(has(one, line), "%s/%s: LOCATION the venue's name", x->prac, x->uid);
		snprintf(line, sizeof line, "CATEGORIES:%s\r\n", x->prac);
		ok(has(one, line), "%s/%s: CATEGORIES only its own practitioner", x->prac, x->uid);
		ok(!has(one, "RECURRENCE-ID") && !has(one, "RRULE"), "%s/%s: an event of its own", x->prac, x->uid);
		free(one);
	}
	ok(has(cal, "DESCRIPTION:Bring shoes\r\n"), "a's own instructions are kept");
	ok(!has(cal, "Secret"), "b is private: neither its title nor its instructions");
	ok(!has(cal, "P-1 physio") && !has(cal, "TRANSP:TRANSPARENT"), "nothing else");

	/* read back by dovetail's own reader: exactly these UIDs at these times */
	struct bytes b = { strdup(cal), strlen(cal) };
	struct ics_feed f;
	struct diag d2;
	diag_init(&d2);
	is_int(ics_read(&f, "family.ics", &b, &fam.lim, &d2), 0, "dovetail reads its export");
	is_int(diag_exit_status(&d2), 0, "... without a diagnostic");
	is_int(f.n_ev, 3, "... three events");
	size_t matched = 0;
	for (size_t k = 0; k < f.n_ev; k++) {
		const struct ics_event *e = &f.ev[k];
		for (size_t i = 0; i < n_want; i++) {
			if (strcmp(e->uid, want[i].fuid) != 0)
				continue;
			struct icaltimetype s = e->dtstart, t = e->dtend;
			icaltimezone *z = (icaltimezone *)s.zone;
			s.zone = t.zone = NULL;
			matched += z && (int64_t)icaltime_as_timet_with_zone(s, z) == want[i].s &&
				   (int64_t)icaltime_as_timet_with_zone(t, z) == want[i].e && e->categories &&
				   !strcmp(e->categories, want[i].prac);
		}
	}
	is_int(matched, 3, "... each UID at its instants (UTC), in its own practitioner's category");
	ics_feed_release(&f);
	diag_release(&d2);

	char *again = export_family(w, NOW, 0, &fam.d), *later = export_family(w, NOW + 3600, 0, &fam.d);
	is_str(again, cal, "the same inputs give the same bytes");
	char *x1 = without_dtstamp(cal), *x2 = later ? without_dtstamp(later) : NULL;
	ok(later && strcmp(later, cal) != 0, "an hour later the bytes differ ...");
	is_str(x2, x1, "... only in DTSTAMP");
	free(x1);
	free(x2);
	free(again);
	free(later);

	/* with routines: each routine instance that fits is an event too */
	size_t fits = 0;
	for (size_t i = 0; i < w->n_routines; i++)
		fits += w->routines[i].start >= 0;
	is_int(fits, 2, "the nap fits on Monday and Tuesday");
	char *withr = export_family(w, NOW, 1, &fam.d);
	is_int(count(withr, "BEGIN:VEVENT"), 5, "with routines: 3 appointments and 2 naps");
	is_int(count(withr, "TRANSP:TRANSPARENT\r\n"), 2, "... the naps transparent");
	is_int(count(withr, "CATEGORIES:routine\r\n"), 2, "... in category routine");
	ok(has(withr, "DTSTART;TZID=Europe/London:20261123T130000\r\n") &&
	   has(withr, "DTSTART;TZID=Europe/London:20261124T130000\r\n"), "... at 13:00 on each day");
	free(withr);

	/* one calendar object per UID: each holds only its own event */
	struct cal_objects objs, objs2;
	is_int(export_family_objects(w, NOW, 0, &objs, &fam.d), 0, "export_family_objects runs");
	is_int(objs.n, 3, "... three objects");
	int own = objs.n == 3, sorted = objs.n == 3;
	for (size_t k = 0; k < objs.n; k++) {
		const struct cal_object *o = &objs.v[k];
		char name[48];
		snprintf(name, sizeof name, "%.32s.ics", o->uid);
		own &= count(o->text, "BEGIN:VEVENT") == 1 && count(o->text, "BEGIN:VCALENDAR") == 1 &&
		       !strcmp(o->name, name) && !has(o->text, "METHOD:") && !has(o->text, "X-WR-CALNAME");
		int mine = 0;
		for (size_t i = 0; i < n_want; i++) {
			char line[200];
			snprintf(line, sizeof line, "UID:%s\r\n", want[i].fuid);
			mine += has(o->text, line);
			if (!strcmp(o->uid, want[i].fuid))
				own &= has(o->text, line);
		}
		own &= mine == 1;
		if (k)
			sorted &= strcmp(objs.v[k - 1].uid, o->uid) < 0;
	}
	ok(own, "... each one VCALENDAR with its own VEVENT only, named by its UID, no METHOD or name");
	ok(sorted, "... sorted by UID, none alike");
	is_int(export_family_objects(w, NOW + 86400, 0, &objs2, &fam.d), 0, "... a day later");
	int same = objs2.n == objs.n;
	for (size_t k = 0; same && k < objs.n; k++)
		same &= !strcmp(objs.v[k].digest, objs2.v[k].digest) && strcmp(objs.v[k].text, objs2.v[k].text) != 0;
	ok(same, "... the same digests though the texts differ (DTSTAMP)");
	cal_objects_release(&objs2);
	cal_objects_release(&objs);
	cal_objects_release(&objs);   /* left empty: again is harmless */
	cal_objects_release(NULL);

	/* the week as agreed: a-1 moved to Tuesday 10:00 keeps its UID */
	const struct wk_appt *a1 = NULL;
	for (size_t i = 0; i < w->n_appts; i++)
		if (!strcmp(w->appts[i].uid, "a-1"))
			a1 = &w->appts[i];
	if (ok(a1 != NULL, "a-1 is in the week")) {
		struct change ch = { { "a", "a-1", "", a1->feed_start, a1->feed_end },
				     { a1->feed_start / 86400, 600, "clinic" },
				     { a1->feed_start / 86400 + 1, 600, "hospital" }, CHANGE_MOVE | CHANGE_VENUE };
		is_int(week_apply_changes(w, &ch, 1, NULL, &fam.d), 1, "a-1 moved to Tuesday 10:00 at the hospital");
		char *moved = export_family(w, NOW, 0, &fam.d);
		char line[200];
		snprintf(line, sizeof line, "UID:%s\r\n", want[0].fuid);
		const char *ev = moved ? strstr(moved, line) : NULL;
		const char *end = ev ? strstr(ev, "END:VEVENT") : NULL;
		char *one = ev && end ? strndup(ev, (size_t)(end - ev)) : NULL;
		ok(has(one, "DTSTART;TZID=Europe/London:20261124T100000\r\n") &&
		   has(one, "DTEND;TZID=Europe/London:20261124T110000\r\n") && has(one, "LOCATION:Hospital\r\n"),
		   "... the same UID, at its new time and venue");
		ok(!has(moved, "20261123T100000"), "... and nothing at the old time");
		free(one);
		free(moved);
	}
	free(cal);
	family_close(&fam);
	return tap_done();
}
