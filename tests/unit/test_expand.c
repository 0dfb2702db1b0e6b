/* test_expand.c: unit tests for ics/expand.c: small feeds through ics_read and ics_expand. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovetail/ics.h"
#include "tap.h"

static struct ics_limits lim;

struct result {
	int read_rc, expand_rc;
	struct diag d;
	char text[8192];   /* "START END UID RID\n" per occurrence, sorted */
	size_t n;
	size_t bad;        /* events with bad set after expansion */
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int64_t at(const char *s)
{
	int64_t t = 0;
	if (time_parse_arg(s, &t) < 0)
		abort();
	return t;
}

/* Read body (the lines between BEGIN:VCALENDAR and END:VCALENDAR, with LF
 * ends) and expand it over [from, to). fz: floating zone name or NULL. */
static void run(struct result *r, const char *body, const char *from, const char *to, const char *fz)
{
	memset(r, 0, sizeof *r);
	diag_init(&r->d);
	size_t n = strlen(body) + 64;
	struct bytes b = { malloc(n), 0 };
	snprintf(b.data, n, "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n%sEND:VCALENDAR\n", body);
	b.len = strlen(b.data);
	struct ics_feed f;
	r->read_rc = ics_read(&f, "t.ics", &b, &lim, &r->d);
	struct ics_occs occ = { 0 };
	if (r->read_rc == 0) {
		struct ics_expand_opts o = { at(from), at(to), fz ? ics_tz_builtin(fz) : NULL, &lim };
		r->expand_rc = ics_expand(&f, &o, &occ, &r->d);
		char **lines = calloc(occ.n + 1, sizeof *lines);
		for (size_t i = 0; i < occ.n; i++) {
			const struct ics_occ *x = &occ.v[i];
			char s[24], e[24], rid[24] = "-";
			ics_fmt_time(x->start, x->kind, s);
			ics_fmt_time(x->end, x->end_kind, e);
			if (x->has_rid)
				ics_fmt_time(x->rid, x->rid_kind, rid);
			lines[i] = malloc(128);
			snprintf(lines[i], 128, "%s %s %s %s\n", s, e, f.ev[x->ev].uid, rid);
		}
		qsort(lines, occ.n, sizeof *lines, cmp_str);
		for (size_t i = 0; i < occ.n; i++) {
			if (strlen(r->text) + strlen(lines[i]) < sizeof r->text)
				strcat(r->text, lines[i]);
			free(lines[i]);
		}
		free(lines);
		r->n = occ.n;
		r->bad = ics_feed_bad_count(&f);
	}
	ics_occs_release(&occ);
	ics_feed_release(&f);
	bytes_release(&b);
}

static const struct diag_item *find(const struct diag *d, enum diag_code code)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].code == code)
			return &d->v[i];
	return NULL;
}

static void done(struct result *r)
{
	diag_release(&r->d);
}

static void test_weekly(void)
{
	struct result r;
	run(&r,
	    "BEGIN:VEVENT\nUID:w\nDTSTART;TZID=Europe/London:20260105T090000\n"
	    "DTEND;TZID=Europe/London:20260105T100000\nRRULE:FREQ=WEEKLY;COUNT=4\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_int(r.d.errors, 0, "weekly: no errors");
	is_str(r.text,
	       "20260105T090000Z 20260105T100000Z w 20260105T090000Z\n"
	       "20260112T090000Z 20260112T100000Z w 20260112T090000Z\n"
	       "20260119T090000Z 20260119T100000Z w 20260119T090000Z\n"
	       "20260126T090000Z 20260126T100000Z w 20260126T090000Z\n",
	       "weekly COUNT=4: four occurrences");
	done(&r);

	/* the window cuts the series; overlap is start < to && end > from */
	run(&r,
	    "BEGIN:VEVENT\nUID:w\nDTSTART;TZID=Europe/London:20260105T090000\n"
	    "DTEND;TZID=Europe/London:20260105T100000\nRRULE:FREQ=WEEKLY;COUNT=4\nEND:VEVENT\n",
	    "20260112T093000Z", "20260119T090000Z", NULL);
	is_str(r.text, "20260112T090000Z 20260112T100000Z w 20260112T090000Z\n",
	       "weekly: the window keeps only overlapping occurrences");
	done(&r);

	/* wall clock kept across the change to BST on 2026-03-29 */
	run(&r,
	    "BEGIN:VEVENT\nUID:dst\nDTSTART;TZID=Europe/London:20260323T090000\n"
	    "DTEND;TZID=Europe/London:20260323T100000\nRRULE:FREQ=WEEKLY;COUNT=2\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text,
	       "20260323T090000Z 20260323T100000Z dst 20260323T090000Z\n"
	       "20260330T080000Z 20260330T090000Z dst 20260330T080000Z\n",
	       "weekly across DST: 09:00 local both weeks");
	done(&r);
}

static void test_unsynced(void)
{
	struct result r;
	/* DTSTART is a Tuesday; the rule says Mondays. RFC 5545 3.3.10: "The
	 * COUNT rule part ... the "DTSTART" property value always counts as
	 * the first occurrence." So COUNT=3 gives Tue 6, Mon 12, Mon 19. */
	run(&r,
	    "BEGIN:VEVENT\nUID:u\nDTSTART:20260106T090000Z\nDURATION:PT1H\n"
	    "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text,
	       "20260106T090000Z 20260106T100000Z u 20260106T090000Z\n"
	       "20260112T090000Z 20260112T100000Z u 20260112T090000Z\n"
	       "20260119T090000Z 20260119T100000Z u 20260119T090000Z\n",
	       "unsynced DTSTART counts as the first of COUNT");
	done(&r);
}

static void test_exdate(void)
{
	struct result r;
	run(&r,
	    "BEGIN:VEVENT\nUID:x\nDTSTART:20260105T090000Z\nDTEND:20260105T100000Z\n"
	    "RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE:20260112T090000Z\n"
	    "EXDATE;TZID=Europe/London:20260119T090000\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text,
	       "20260105T090000Z 20260105T100000Z x 20260105T090000Z\n"
	       "20260126T090000Z 20260126T100000Z x 20260126T090000Z\n",
	       "EXDATE in UTC and with a TZID both remove their instant");
	done(&r);

	run(&r,
	    "BEGIN:VEVENT\nUID:x\nDTSTART;TZID=America/New_York:20260105T090000\nDURATION:PT1H\n"
	    "RRULE:FREQ=DAILY;COUNT=3\nEXDATE;VALUE=DATE:20260106\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text,
	       "20260105T140000Z 20260105T150000Z x 20260105T140000Z\n"
	       "20260107T140000Z 20260107T150000Z x 20260107T140000Z\n",
	       "EXDATE;VALUE=DATE removes that day's instance");
	done(&r);
}

static void test_rdate_period(void)
{
	struct result r;
	run(&r,
	    "BEGIN:VEVENT\nUID:p\nDTSTART:20260105T090000Z\nDTEND:20260105T100000Z\n"
	    "RDATE;VALUE=PERIOD:20260110T140000Z/20260110T170000Z,20260111T080000Z/PT30M\n"
	    "RDATE:20260112T090000Z\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_int(r.d.errors, 0, "RDATE PERIOD: no errors");
	is_str(r.text,
	       "20260105T090000Z 20260105T100000Z p 20260105T090000Z\n"
	       "20260110T140000Z 20260110T170000Z p 20260110T140000Z\n"
	       "20260111T080000Z 20260111T083000Z p 20260111T080000Z\n"
	       "20260112T090000Z 20260112T100000Z p 20260112T090000Z\n",
	       "RDATE PERIOD: each period keeps its own end; a plain RDATE the event's length");
	done(&r);
}

static void test_override(void)
{
	struct result r;
	/* 09:00 New York is 14:00Z; the override names the instance in UTC */
	run(&r,
	    "BEGIN:VEVENT\nUID:o\nDTSTART;TZID=America/New_York:20260105T090000\n"
	    "DTEND;TZID=America/New_York:20260105T100000\nRRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:o\nRECURRENCE-ID:20260112T140000Z\n"
	    "DTSTART;TZID=America/New_York:20260112T150000\nDTEND;TZID=America/New_York:20260112T160000\n"
	    "END:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_int(r.d.errors, 0, "override: no errors");
	is_str(r.text,
	       "20260105T140000Z 20260105T150000Z o 20260105T140000Z\n"
	       "20260112T200000Z 20260112T210000Z o 20260112T140000Z\n"
	       "20260119T140000Z 20260119T150000Z o 20260119T140000Z\n",
	       "override matched as an instant replaces the master's instance");
	done(&r);

	/* an override before its master in the file, and outside the window of its new time */
	run(&r,
	    "BEGIN:VEVENT\nUID:o\nRECURRENCE-ID;TZID=Europe/London:20260112T090000\n"
	    "DTSTART:20270301T090000Z\nDTEND:20270301T100000Z\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:o\nDTSTART;TZID=Europe/London:20260105T090000\nDURATION:PT1H\n"
	    "RRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text,
	       "20260105T090000Z 20260105T100000Z o 20260105T090000Z\n"
	       "20260119T090000Z 20260119T100000Z o 20260119T090000Z\n",
	       "override moved out of the window hides its instance");
	done(&r);
}

static void test_thisandfuture(void)
{
	struct result r;
	run(&r,
	    "BEGIN:VEVENT\nUID:f\nDTSTART:20260105T090000Z\nDTEND:20260105T100000Z\n"
	    "RRULE:FREQ=DAILY;COUNT=5\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:f\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260107T090000Z\n"
	    "DTSTART:20260107T110000Z\nDTEND:20260107T113000Z\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_int(r.d.errors, 0, "THISANDFUTURE: no errors");
	is_str(r.text,
	       "20260105T090000Z 20260105T100000Z f 20260105T090000Z\n"
	       "20260106T090000Z 20260106T100000Z f 20260106T090000Z\n"
	       "20260107T110000Z 20260107T113000Z f 20260107T090000Z\n"
	       "20260108T110000Z 20260108T113000Z f 20260108T090000Z\n"
	       "20260109T110000Z 20260109T113000Z f 20260109T090000Z\n",
	       "THISANDFUTURE shifts and resizes the instances after it");
	done(&r);
}

static void test_duration(void)
{
	struct result r;
	/* BST starts 2026-03-29 01:00Z: P1D is a calendar day (23 hours here),
	 * PT24H is exact (RFC 5545 3.3.6). */
	run(&r,
	    "BEGIN:VEVENT\nUID:day\nDTSTART;TZID=Europe/London:20260328T120000\nDURATION:P1D\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:hours\nDTSTART;TZID=Europe/London:20260328T120000\nDURATION:PT24H\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text,
	       "20260328T120000Z 20260329T110000Z day -\n"
	       "20260328T120000Z 20260329T120000Z hours -\n",
	       "DURATION P1D is nominal across the DST change; PT24H exact");
	done(&r);
}

static void test_all_day(void)
{
	struct result r;
	run(&r,
	    "BEGIN:VEVENT\nUID:ad\nDTSTART;VALUE=DATE:20260110\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:ad3\nDTSTART;VALUE=DATE:20260112\nDTEND;VALUE=DATE:20260115\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text,
	       "20260110 20260111 ad -\n"
	       "20260112 20260115 ad3 -\n",
	       "all-day without DTEND lasts one day");
	done(&r);
}

static void test_floating(void)
{
	struct result r;
	const char *body = "BEGIN:VEVENT\nUID:fl\nDTSTART:20260710T090000\nDTEND:20260710T100000\nEND:VEVENT\n";
	run(&r, body, "20260101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text, "20260710T090000 20260710T100000 fl -\n", "floating stays floating without a zone");
	done(&r);
	run(&r, body, "20260101T000000Z", "20270101T000000Z", "Europe/London");
	is_str(r.text, "20260710T080000Z 20260710T090000Z fl -\n", "floating read in Europe/London (BST)");
	done(&r);
}

static void test_bounds(void)
{
	struct result r;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run(&r,
	    "BEGIN:VEVENT\nUID:bomb\nDTSTART:20260101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=200000000\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:ok\nDTSTART:20260105T090000Z\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	is_int(r.read_rc, 0, "bomb: the feed reads");
	ok(find(&r.d, D_ICS_SUBDAILY) != NULL, "bomb: sub-hourly rule warned about");
	const struct diag_item *it = NULL;
	for (size_t i = 0; i < r.d.n && !it; i++)
		if (r.d.v[i].code == D_LIM_ITER || r.d.v[i].code == D_LIM_SERIES ||
		    r.d.v[i].code == D_LIM_FEED || r.d.v[i].code == D_LIM_CPU)
			it = &r.d.v[i];
	ok(it != NULL, "bomb: a bound is reported as an error");
	if (it) {
		ok(strstr(it->msg, "bomb") != NULL, "bomb: the error names the series (%s)", it->msg);
		is_int(it->line, 7, "bomb: the error points at the RRULE line");
	}
	is_int(diag_exit_status(&r.d), DV_EXIT_LIMIT, "bomb: exit class LIMIT");
	ok(strstr(r.text, "bomb") == NULL, "bomb: the series yields nothing");
	ok(r.bad >= 1, "bomb: the series is marked bad");
	ok(secs < 10.0, "bomb: returns quickly (%.2f s)", secs);
	if (r.expand_rc == 0)
		is_str(r.text, "20260105T090000Z 20260105T090000Z ok -\n", "bomb: other events still expand");
	done(&r);

	/* every RRULE is expanded: 16 are; a 17th is an error at its line */
	char body[4096];
	size_t k = (size_t)snprintf(body, sizeof body, "BEGIN:VEVENT\nUID:many\nDTSTART:20260105T090000Z\n");
	for (int i = 0; i < 16; i++)
		k += (size_t)snprintf(body + k, sizeof body - k, "RRULE:FREQ=YEARLY;COUNT=1;BYMONTH=%d;BYMONTHDAY=5\n",
				      1 + i % 12);
	snprintf(body + k, sizeof body - k, "END:VEVENT\n");
	run(&r, body, "20260101T000000Z", "20270101T000000Z", NULL);
	ok(find(&r.d, D_LIM_RULES) == NULL, "16 RRULEs: within the bound");
	is_int(r.bad, 0, "16 RRULEs: the event is good");
	int lines = 0;
	for (const char *p = r.text; (p = strchr(p, '\n')); p++)
		lines++;
	is_int(lines, 12, "16 RRULEs: each applied (one occurrence on the 5th of each month)");
	done(&r);
	snprintf(body + k, sizeof body - k, "RRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\n");
	run(&r, body, "20260101T000000Z", "20270101T000000Z", NULL);
	it = find(&r.d, D_LIM_RULES);
	ok(it && it->line == 23, "a 17th RRULE: D_LIM_RULES at its line, 23 (%d)", it ? it->line : -1);
	ok(it && strstr(it->msg, "16") && strstr(it->msg, "many"), "... naming the series and the bound (%s)",
	   it ? it->msg : "");
	is_int(r.bad, 1, "a 17th RRULE: the event is refused, not cut short");
	is_int(diag_exit_status(&r.d), DV_EXIT_LIMIT, "a 17th RRULE: exit class LIMIT");
	done(&r);

	/* INTERVAL=0 is an error that libical would quietly mend */
	run(&r,
	    "BEGIN:VEVENT\nUID:i0\nDTSTART:20260105T090000Z\nRRULE:FREQ=DAILY;INTERVAL=0;COUNT=3\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	it = find(&r.d, D_ICS_BAD_RRULE);
	ok(it && it->line == 7 && it->col == 27, "INTERVAL=0: D_ICS_BAD_RRULE at 7:27");
	is_int(r.bad, 1, "INTERVAL=0: the event is bad");
	is_str(r.text, "", "INTERVAL=0: nothing expands");
	done(&r);

	/* a rule that never matches: only DTSTART occurs, with a warning */
	run(&r,
	    "BEGIN:VEVENT\nUID:feb30\nDTSTART;VALUE=DATE:20260130\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n",
	    "20260101T000000Z", "20300101T000000Z", NULL);
	ok(r.d.errors == 0, "Feb 30: no error");
	is_str(r.text, "20260130 20260131 feb30 20260130\n", "Feb 30: only DTSTART occurs");
	done(&r);
}

int main(void)
{
	icalerror_set_errors_are_fatal(0);
	ics_limits_default(&lim);
	test_weekly();
	test_unsynced();
	test_exdate();
	test_rdate_period();
	test_override();
	test_thisandfuture();
	test_duration();
	test_all_day();
	test_floating();
	test_bounds();
	return tap_done();
}
