/* test_expand.c: unit tests for ics/expand.c: small feeds through ics_read and ics_expand. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "dovetail/ics.h"
#include "tap.h"

static struct ics_limits lim;

/* 1 in a sanitizer build (slower: CPU bounds are scaled) */
static int sanitized(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	return 1;
#endif
#endif
	return 0;
}

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

	/* ICS_MAX_DURATION_DAYS: 100 years is read (past 68 years libical's
	 * own seconds, an int, would wrap), a day more is refused at its value,
	 * as is a number past 9 digits, which libical's fields would wrap (a
	 * fuzzed feed whose end then could not be written back) */
	run(&r,
	    "BEGIN:VEVENT\nUID:century\nDTSTART:20261201T090000Z\nDURATION:P36525D\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:more\nDTSTART:20261201T090000Z\nDURATION:P36526D\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:wrap\nDTSTART:20261201T090000Z\nDURATION:P2222222222222222222222T1H\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:period\nDTSTART:20261202T090000Z\nDTEND:20261202T100000Z\n"
	    "RDATE;VALUE=PERIOD:20261203T090000Z/P36526D\nEND:VEVENT\n",
	    "20261101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text, "20261201T090000Z 21261202T090000Z century -\n",
	       "DURATION: 100 years read; longer or wrapping ones refused, as is the event of a bad PERIOD");
	int bad_dur = 0, bad_period = 0;
	for (size_t i = 0; i < r.d.n; i++) {
		bad_dur += r.d.v[i].code == D_ICS_BAD_DURATION && r.d.v[i].col == 10;
		bad_period += r.d.v[i].code == D_ICS_BAD_PERIOD;
	}
	is_int(bad_dur, 2, "... each refused DURATION an error at its value (line, column 10)");
	is_int(bad_period, 1, "... and the PERIOD of 100 years and a day an error too");
	done(&r);

	/* the same bound on an end given as DTEND, or as a PERIOD's end: an end
	 * in the year 9999 made an export that could not be read back */
	run(&r,
	    "BEGIN:VEVENT\nUID:century\nDTSTART;TZID=America/New_York:20261201T090000\n"
	    "DTEND;TZID=America/New_York:21261201T090000\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:far\nDTSTART;TZID=America/New_York:20261201T090000\n"
	    "DTEND;TZID=America/New_York:99991231T235959\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:period\nDTSTART:20261202T090000Z\nDTEND:20261202T100000Z\n"
	    "RDATE;VALUE=PERIOD:20261203T090000Z/99991231T000000Z\nEND:VEVENT\n",
	    "20261101T000000Z", "20270101T000000Z", NULL);
	is_str(r.text, "20261201T140000Z 21261201T140000Z century -\n",
	       "DTEND: 100 years after DTSTART read; further refused, as is a PERIOD ending so far on");
	const struct diag_item *it = find(&r.d, D_ICS_TOO_LONG);
	ok(it && it->line == 9 && strstr(it->msg, "far"), "... D_ICS_TOO_LONG at the line of its BEGIN, 9, naming it (%d: %s)",
	   it ? it->line : -1, it ? it->msg : "");
	ok(find(&r.d, D_ICS_BAD_PERIOD) != NULL, "... and D_ICS_BAD_PERIOD for the PERIOD");
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

/* CPU time of this process, in ms: tests bound work by it, never by the wall clock */
static long cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Issue 19, item 14: rules that never match, at every FREQ. Each is found
 * before libical iterates it (a warning at the RRULE's line: only DTSTART
 * occurs), within a small CPU bound. */
static void test_never_matches(void)
{
	static const char *const freq[] = { "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY" };
	static const char *const parts[] = {
		"BYMONTH=2;BYMONTHDAY=30",
		"BYMONTH=2;BYMONTHDAY=31",
		"BYMONTH=4;BYMONTHDAY=31",
		"BYMONTH=2;BYMONTHDAY=-30",
		"BYYEARDAY=366;BYMONTH=1",
		"BYYEARDAY=-366;BYMONTH=6",
		"BYMONTH=11;BYMONTHDAY=31;BYDAY=MO",
		"BYMONTH=2;BYMONTHDAY=30,31;BYHOUR=9",
	};
	long c0 = cpu_ms();
	int all = 1, n = 0;
	for (size_t f = 0; f < sizeof freq / sizeof *freq; f++) {
		for (size_t p = 0; p < sizeof parts / sizeof *parts; p++) {
			char body[512];
			snprintf(body, sizeof body,
				 "BEGIN:VEVENT\nUID:never\nDTSTART:20260105T090000Z\nDTEND:20260105T100000Z\n"
				 "RRULE:FREQ=%s;%s\nEND:VEVENT\n", freq[f], parts[p]);
			struct result r;
			run(&r, body, "20260101T000000Z", "20270101T000000Z", NULL);
			const struct diag_item *it = find(&r.d, D_ICS_IMPOSSIBLE_RULE);
			int good = r.read_rc == 0 && r.expand_rc == 0 && it && it->line == 8 &&
				   diag_exit_status(&r.d) == DV_EXIT_OK &&
				   strcmp(r.text, "20260105T090000Z 20260105T100000Z never 20260105T090000Z\n") == 0;
			if (!good) {
				all = 0;
				printf("# FREQ=%s;%s: read %d expand %d warned %d text %s", freq[f], parts[p], r.read_rc,
				       r.expand_rc, it != NULL, r.text);
			}
			n++;
			done(&r);
		}
	}
	long used = cpu_ms() - c0;
	ok(all, "%d rules that never match, at every FREQ: each a warning at its RRULE line, DTSTART only, exit 0", n);
	/* each costs at most one 400-year cycle of days; 2 s of CPU is a wide margin even under ASan */
	ok(used < 2000 * (1 + 3 * sanitized()), "... all %d together in %ld ms of CPU", n, used);

	/* the interval makes them impossible, or BYSETPOS, or an ordinal does */
	static const char *const stepped[] = {
		"FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29",       /* 2026, 2030, ...: never leap */
		"FREQ=YEARLY;INTERVAL=4;BYYEARDAY=366",
		"FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31;BYMONTH=1,2",  /* matches: see below */
		"FREQ=MONTHLY;INTERVAL=12;BYMONTH=2",
		"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
		"FREQ=YEARLY;BYMONTH=2;BYDAY=5MO;BYMONTHDAY=1,2,3",
		"FREQ=WEEKLY;INTERVAL=1;BYDAY=TU;BYMONTHDAY=31;BYMONTH=9",
		"FREQ=DAILY;INTERVAL=7;BYDAY=TU",                       /* DTSTART is a Monday */
		"FREQ=HOURLY;INTERVAL=2;BYMONTH=6;BYMONTHDAY=31",
		"FREQ=MINUTELY;INTERVAL=2;BYYEARDAY=366;BYMONTH=2",
		"FREQ=SECONDLY;INTERVAL=2;BYMONTH=9;BYMONTHDAY=-31",
		"FREQ=SECONDLY;BYHOUR=25",
	};
	for (size_t i = 0; i < sizeof stepped / sizeof *stepped; i++) {
		char body[512];
		snprintf(body, sizeof body,
			 "BEGIN:VEVENT\nUID:never\nDTSTART:20260105T090000Z\nDTEND:20260105T100000Z\n"
			 "RRULE:%s\nEND:VEVENT\n", stepped[i]);
		struct result r;
		c0 = cpu_ms();
		run(&r, body, "20260101T000000Z", "20270101T000000Z", NULL);
		used = cpu_ms() - c0;
		const struct diag_item *it = find(&r.d, D_ICS_IMPOSSIBLE_RULE);
		int refused = r.read_rc != 0 || diag_exit_status(&r.d) == DV_EXIT_INPUT;
		if (i == 2) {
			/* BYMONTH=1,2 with INTERVAL=12 from January: January 31st matches */
			ok(!it, "%s: no warning", stepped[i]);
			is_str(r.text, "20260105T090000Z 20260105T100000Z never 20260105T090000Z\n"
				       "20260131T090000Z 20260131T100000Z never 20260131T090000Z\n",
			       "%s: matches: DTSTART and January 31st (2027's is past the window)", stepped[i]);
		} else {
			/* BYHOUR=25 is no valid rule: refused; the others read and never match */
			int invalid = strstr(stepped[i], "BYHOUR=25") != NULL;
			ok(invalid ? refused : it && it->line == 8 && !refused, "%s: %s (%s)", stepped[i],
			   invalid ? "refused" : "a warning at its line", it ? "warned" : refused ? "refused" : "neither");
		}
		ok(used < 1000 * (1 + 3 * sanitized()), "... in %ld ms of CPU", used);
		done(&r);
	}

	/* a rule that does match is never taken for one that does not */
	static const char *const fine[] = {
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=YEARLY;BYYEARDAY=366",
		"FREQ=YEARLY;BYWEEKNO=53",
		"FREQ=MONTHLY;BYMONTHDAY=31",
		"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1",
		"FREQ=MONTHLY;BYDAY=5MO",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
		"FREQ=DAILY;INTERVAL=3;BYDAY=TU",
		"FREQ=HOURLY;INTERVAL=5;BYHOUR=10",
		"FREQ=MINUTELY;INTERVAL=7;BYMINUTE=1;BYHOUR=9;BYMONTHDAY=6",
		/* RFC 5545 would say never (the step reaches odd hours, odd
		 * minutes only), but libical walks the BY list and expands them:
		 * not ours to drop */
		"FREQ=HOURLY;INTERVAL=2;BYHOUR=10",
		"FREQ=MINUTELY;INTERVAL=2;BYMINUTE=1",
	};
	for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
		char body[512];
		snprintf(body, sizeof body,
			 "BEGIN:VEVENT\nUID:fine\nDTSTART:20260105T090000Z\nDTEND:20260105T090100Z\n"
			 "RRULE:%s;COUNT=3\nEND:VEVENT\n", fine[i]);
		struct ics_feed fe;
		struct diag d;
		diag_init(&d);
		struct bytes b = { NULL, 0 };
		char text[1024];
		snprintf(text, sizeof text, "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\n%sEND:VCALENDAR\n", body);
		b.data = strdup(text);
		b.len = strlen(text);
		int never = -1;
		if (ics_read(&fe, "t.ics", &b, &lim, &d) == 0 && fe.n_ev == 1 && fe.ev[0].n_rrules == 1)
			never = ics_rule_never_matches(&fe.ev[0].rrules[0], &fe.ev[0].dtstart);
		is_int(never, 0, "%s: matches", fine[i]);
		if (never != -1)
			ics_feed_release(&fe);
		bytes_release(&b);
		diag_release(&d);
	}
}

/* The check is conservative: over rules drawn at random (a fixed seed),
 * whenever it says "never", libical's own iterator finds no instance but
 * DTSTART either (within decades, or years for HOURLY, a month for
 * MINUTELY). It once judged the times of day a sub-daily step reaches as
 * RFC 5545 says, and dropped what libical expands. */
static unsigned xorshift(unsigned n)
{
	static unsigned long long st = 88172645463325252ULL;
	st ^= st << 13;
	st ^= st >> 7;
	st ^= st << 17;
	return (unsigned)(st % n);
}

static void test_never_is_never(void)
{
	static const char *const fr[] = { "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "MINUTELY" };
	static const char *const wd[] = { "SU", "MO", "TU", "WE", "TH", "FR", "SA" };
#define RND(n) xorshift(n)
	int said = 0, wrong = 0, judged = 0;
	long c0 = cpu_ms();
	for (int i = 0; i < 100; i++) {
		char r[512];
		int f = (int)RND(6);
		int k = snprintf(r, sizeof r, "FREQ=%s", fr[f]);
		if (RND(3) == 0)
			k += snprintf(r + k, sizeof r - k, ";INTERVAL=%u", 1 + RND(f >= 4 ? 13 : 50));
		if (RND(2))
			k += snprintf(r + k, sizeof r - k, ";BYMONTH=%u", 1 + RND(12));
		if (RND(2))
			k += snprintf(r + k, sizeof r - k, ";BYMONTHDAY=%d", RND(2) ? 1 + (int)RND(31) : -1 - (int)RND(31));
		if (RND(4) == 0)
			k += snprintf(r + k, sizeof r - k, ";BYYEARDAY=%d", RND(2) ? 1 + (int)RND(366) : -1 - (int)RND(366));
		if (f == 4 && RND(4) == 0)
			k += snprintf(r + k, sizeof r - k, ";BYWEEKNO=%d", RND(2) ? 1 + (int)RND(53) : -1 - (int)RND(53));
		if (RND(2)) {
			int ord = (f == 3 || f == 4) && RND(2) ? (RND(2) ? 1 + (int)RND(5) : -1 - (int)RND(5)) : 0;
			if (ord)
				k += snprintf(r + k, sizeof r - k, ";BYDAY=%d%s", ord, wd[RND(7)]);
			else
				k += snprintf(r + k, sizeof r - k, ";BYDAY=%s,%s", wd[RND(7)], wd[RND(7)]);
		}
		if (f < 2 && RND(2))
			k += snprintf(r + k, sizeof r - k, ";BYHOUR=%u", RND(24));
		if (f == 5 && RND(2))
			k += snprintf(r + k, sizeof r - k, ";BYMINUTE=%u", RND(60));
		if ((f == 3 || f == 4) && RND(4) == 0)
			snprintf(r + k, sizeof r - k, ";BYSETPOS=%d", RND(2) ? 1 + (int)RND(8) : -1 - (int)RND(8));
		struct icalrecurrencetype rt = icalrecurrencetype_from_string(r);
		if (rt.freq == ICAL_NO_RECURRENCE) {
			icalerror_clear_errno();
			continue;
		}
		struct icaltimetype ds = icaltime_from_string("20260105T093000");
		ds.year = 2020 + (int)RND(10);
		ds.month = 1 + (int)RND(12);
		ds.day = 1 + (int)RND(28);
		ds.hour = (int)RND(24);
		judged++;
		if (!ics_rule_never_matches(&rt, &ds))
			continue;
		said++;
		struct icaltimetype until = ds;
		if (f == 5)
			until.month = until.month < 12 ? until.month + 1 : 12;
		else
			until.year += f == 0 ? 4 : 40;
		rt.until = until;
		icalrecur_iterator *it = icalrecur_iterator_new(rt, ds);
		if (!it) {
			icalerror_clear_errno();
			continue;
		}
		int found = 0;
		for (int n = 0; n < 3 && !found; n++) {
			struct icaltimetype t = icalrecur_iterator_next(it);
			if (icaltime_is_null_time(t))
				break;
			found = icaltime_compare(t, ds) != 0;
		}
		icalrecur_iterator_free(it);
		if (found && ++wrong <= 5)
			printf("#   said never, libical expands: %s from %04d-%02d-%02d %02d:30\n", r, ds.year, ds.month,
			       ds.day, ds.hour);
	}
#undef RND
	ok(said > 5 && wrong == 0, "%d random rules: %d said never, none of them expanded by libical (%d were)", judged,
	   said, wrong);
	ok(cpu_ms() - c0 < 20000 * (1 + 3 * sanitized()), "... in %ld ms of CPU (libical's own walk of them)", cpu_ms() - c0);
}

/* A rule that matches, but so rarely that libical would walk billions of
 * seconds inside one call (FREQ=SECONDLY from 1900 matching only at
 * midnight on February 29th), is never walked that far: its UNTIL is its
 * bound on instances of steps from DTSTART, and reaching it before the
 * window is D_LIM_ITER at its line, well inside the CPU budget. */
static void test_watchdog(void)
{
	static const char *const freq[] = { "SECONDLY", "MINUTELY" };
	long keep = lim.cpu_budget_ms;
	lim.cpu_budget_ms = 300;
	for (size_t f = 0; f < 2; f++) {
		char body[512];
		snprintf(body, sizeof body,
			 "BEGIN:VEVENT\nUID:slow\nDTSTART:19000101T000000Z\nDTEND:19000101T000001Z\n"
			 "RRULE:FREQ=%s;BYMONTH=2;BYMONTHDAY=29;BYHOUR=0;BYMINUTE=0;BYSECOND=0\nEND:VEVENT\n"
			 "BEGIN:VEVENT\nUID:after\nDTSTART:20260105T090000Z\nEND:VEVENT\n", freq[f]);
		struct result r;
		long c0 = cpu_ms();
		run(&r, body, "20260101T000000Z", "20270101T000000Z", NULL);
		long used = cpu_ms() - c0;
		const struct diag_item *it = find(&r.d, D_LIM_ITER);
		ok(it && it->line == 8 && strstr(it->msg, "slow"),
		   "%s walk inside libical: stopped at its bound of steps, D_LIM_ITER at the RRULE line (%s)",
		   freq[f], it ? it->msg : "none");
		is_int(diag_exit_status(&r.d), DV_EXIT_LIMIT, "... exit class LIMIT (65)");
		ok(used < lim.cpu_budget_ms + 1000 * (1 + 3 * sanitized()), "... stopped at the budget: %ld ms of CPU for %ld",
		   used, lim.cpu_budget_ms);
		done(&r);
	}
	/* the timer and SIGPROF are put back as they were */
	struct sigaction sa;
	sigaction(SIGPROF, NULL, &sa);
	ok(sa.sa_handler == SIG_DFL, "SIGPROF's handler is restored");
	struct itimerval iv;
	getitimer(ITIMER_PROF, &iv);
	ok(iv.it_value.tv_sec == 0 && iv.it_value.tv_usec == 0, "the CPU timer is off again");
	lim.cpu_budget_ms = keep;
}

static void test_bounds(void)
{
	struct result r;
	long c0 = cpu_ms();
	run(&r,
	    "BEGIN:VEVENT\nUID:bomb\nDTSTART:20260101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=200000000\nEND:VEVENT\n"
	    "BEGIN:VEVENT\nUID:ok\nDTSTART:20260105T090000Z\nEND:VEVENT\n",
	    "20260101T000000Z", "20270101T000000Z", NULL);
	long used = cpu_ms() - c0;
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
	is_int(r.bad, 1, "bomb: the series is marked bad");
	/* bounded by CPU time, not the wall clock: the feed's budget and some slack */
	ok(used <= lim.cpu_budget_ms + 2000, "bomb: ends within the CPU budget (%ld ms of CPU)", used);
	is_int(r.expand_rc, 0, "bomb: the expansion goes on past the series");
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
	test_never_matches();
	test_never_is_never();
	test_watchdog();
	return tap_done();
}
