/* test_timefmt.c: unit tests for util/timefmt.c: civil dates and the text forms of instants. */
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include <libical/ical.h>
#include "tap.h"

static void test_civil(void)
{
	is_int(days_from_civil(1970, 1, 1), 0, "1970-01-01 is day 0");
	is_int(days_from_civil(1969, 12, 31), -1, "1969-12-31 is day -1");
	is_int(days_from_civil(2000, 3, 1), 11017, "2000-03-01 is day 11017");
	is_int(days_from_civil(2026, 11, 23), 20780, "2026-11-23 is day 20780");
	is_int(days_from_civil(2024, 3, 1) - days_from_civil(2024, 2, 28), 2, "2024 is a leap year");
	is_int(days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28), 1, "2100 is not a leap year");
	is_int(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2, "2000 is a leap year");
	is_int(days_from_civil(1, 1, 1), -719162, "0001-01-01");

	/* round trip over +-2000 years, and agreement with a day-by-day walk */
	int bad = 0, walk_bad = 0;
	int y = 1, m = 1, d = 1;
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	for (int64_t z = -719162; z <= 1500000; z++) {
		int yy, mm, dd;
		civil_from_days(z, &yy, &mm, &dd);
		if (days_from_civil(yy, (unsigned)mm, (unsigned)dd) != z)
			bad++;
		if (yy != y || mm != m || dd != d)
			walk_bad++;
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (++d > md[m - 1] + (m == 2 && leap)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	is_int(bad, 0, "civil_from_days/days_from_civil round trip from year 1 to 6077");
	is_int(walk_bad, 0, "civil_from_days agrees with a calendar walk");
	int yy, mm, dd;
	civil_from_days(-1, &yy, &mm, &dd);
	ok(yy == 1969 && mm == 12 && dd == 31, "day -1 is 1969-12-31");
	civil_from_days(days_from_civil(-400, 2, 29), &yy, &mm, &dd);
	ok(yy == -400 && mm == 2 && dd == 29, "proleptic leap day in year -400");
}

static void test_parse(void)
{
	static const struct { const char *s; int64_t want; } good[] = {
		{ "20261123T000000Z", 1795392000 },
		{ "20261123T093015Z", 1795392000 + 9 * 3600 + 30 * 60 + 15 },
		{ "20261123", 1795392000 },
		{ "2026-11-23", 1795392000 },
		{ "2026-11-23T09:30Z", 1795392000 + 9 * 3600 + 30 * 60 },
		{ "2026-11-23T09:30:15Z", 1795392000 + 9 * 3600 + 30 * 60 + 15 },
		{ "19700101T000000Z", 0 },
		{ "2024-02-29", 1709164800 },
		{ "19691231T235959Z", -1 },
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		int64_t t = 42;
		int rc = time_parse_arg(good[i].s, &t);
		ok(rc == 0 && t == good[i].want, "parse '%s' = %lld (got rc %d, %lld)", good[i].s,
		   (long long)good[i].want, rc, (long long)t);
	}
	static const char *const bad[] = {
		"", "2026", "20261123T000000", "20261123T000000z", "2026-11-23T09:30:15",
		"2026-02-29", "20261301", "20261100", "2026-11-23T24:00Z", "2026-11-23T09:60Z",
		"2026-11-23 09:30Z", "2026/11/23", "20261123T0900Z", "2026-11-23T09:30:15+01:00",
		"2026112X", "-2026-11-23", "2026-11-23T09:30:61Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int64_t t = 42;
		int rc = time_parse_arg(bad[i], &t);
		ok(rc == -1, "reject '%s'", bad[i]);
	}
}

static void test_format(void)
{
	char b[32];
	time_fmt_utc(1795392000 + 9 * 3600 + 5 * 60 + 7, b);
	is_str(b, "20261123T090507Z", "time_fmt_utc");
	time_fmt_utc(-1, b);
	is_str(b, "19691231T235959Z", "time_fmt_utc before the epoch");
	time_fmt_wall(1795392000 + 3600, 0, b);
	is_str(b, "20261123T010000", "time_fmt_wall floating");
	time_fmt_wall(1795392000, 1, b);
	is_str(b, "20261123", "time_fmt_wall date");
	time_fmt_iso(1795392000 + 9 * 3600 + 30 * 60, b);
	is_str(b, "2026-11-23T09:30:00Z", "time_fmt_iso");
	/* parse and format are inverse */
	int64_t t;
	time_parse_arg("20400229T235959Z", &t);
	time_fmt_utc(t, b);
	is_str(b, "20400229T235959Z", "parse then format round trip");
}

/* time_weekday, the one weekday formula: known dates, and dates before
 * 1970 (negative days), where a bare % 7 goes wrong */
static void test_weekday(void)
{
	is_int(time_weekday(0), 3, "1970-01-01 was a Thursday");
	is_int(time_weekday(days_from_civil(2026, 11, 23)), 0, "2026-11-23 is a Monday");
	is_int(time_weekday(days_from_civil(2026, 11, 29)), 6, "2026-11-29 is a Sunday");
	is_int(time_weekday(-1), 2, "1969-12-31 was a Wednesday");
	is_int(time_weekday(-4), 6, "1969-12-28 was a Sunday");
	is_int(time_weekday(days_from_civil(1900, 1, 1)), 0, "1900-01-01 was a Monday");
	int ok_all = 1;
	for (int64_t z = -800; z < 800; z++)
		if (time_weekday(z + 1) != (time_weekday(z) + 1) % 7 || time_weekday(z) < 0 || time_weekday(z) > 6)
			ok_all = 0;
	ok(ok_all, "each day's weekday follows the day before's, across 1970");
}

int main(void)
{
	icalerror_set_errors_are_fatal(0);
	test_civil();
	test_parse();
	test_format();
	test_weekday();
	return tap_done();
}
