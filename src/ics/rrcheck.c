/* rrcheck.c: does a recurrence rule match any instant at all? Checked
 * before libical iterates it, because libical's iterator walks a rule
 * that never matches one step at a time inside a single call (docs/limits.md,
 * "recurrence rules that never match").
 *
 * The check is conservative: it says "never" only when no date in a whole
 * 400-year Gregorian cycle of the periods the rule visits passes its date
 * parts (BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYDAY, BYSETPOS, with
 * INTERVAL), so it never drops a rule that matches. What it cannot decide is left to the bound of steps and the CPU budget of
 * expand.c. It stops at the first match, so a rule that matches costs a
 * few steps; only a rule that never matches costs the whole cycle
 * (146,097 days at most, about a millisecond).
 */
#include "dovetail/ics.h"

#include <stdlib.h>
#include <string.h>

#define END ICAL_RECURRENCE_ARRAY_MAX
#define CYCLE_DAYS 146097   /* days in 400 Gregorian years: a multiple of 7 */

static int has(const short *v) { return v[0] != END; }

static int count(const short *v)
{
	int n = 0;
	while (v[n] != END)
		n++;
	return n;
}

static int in_list(const short *v, int x, int span)
{
	for (int i = 0; v[i] != END; i++)
		if (v[i] == x || (v[i] < 0 && span + v[i] + 1 == x))
			return 1;
	return 0;
}

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static int dim(int64_t y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return d[m - 1] + (m == 2 && leap(y));
}

/* 0 = Sunday .. 6 = Saturday */
static int wday(int64_t z) { return (time_weekday(z) + 1) % 7; }

/* ISO 8601 week number of day z, and the weeks of its ISO year */
static int iso_week(int64_t z, int *nweeks)
{
	int wd = (wday(z) + 6) % 7;        /* Monday 0 */
	int64_t thu = z - wd + 3;          /* the Thursday of z's week decides the year */
	int y, m, d;
	civil_from_days(thu, &y, &m, &d);
	int64_t jan1 = days_from_civil(y, 1, 1);
	int wk = (int)((thu - jan1) / 7) + 1;
	/* a year has 53 weeks when it starts on a Thursday, or is leap and starts on a Wednesday */
	int j1 = wday(jan1);
	*nweeks = (j1 == 4 || (leap(y) && j1 == 3)) ? 53 : 52;
	return wk;
}

struct rule_view {
	const struct icalrecurrencetype *r;
	int ord_in_month;  /* BYDAY ordinals count within the month (else the year, else ignored) */
	int ord_in_year;
	int weekno_ok;     /* BYWEEKNO can be checked (WKST=MO, ISO weeks) */
};

static int day_passes(const struct rule_view *v, int64_t z)
{
	const struct icalrecurrencetype *r = v->r;
	int y, m, d;
	civil_from_days(z, &y, &m, &d);
	if (has(r->by_month)) {
		int hit = 0;
		for (int i = 0; r->by_month[i] != END; i++)
			hit |= r->by_month[i] == m;
		if (!hit)
			return 0;
	}
	if (has(r->by_month_day) && !in_list(r->by_month_day, d, dim(y, m)))
		return 0;
	int diy = leap(y) ? 366 : 365;
	int yday = (int)(z - days_from_civil(y, 1, 1)) + 1;
	if (has(r->by_year_day) && !in_list(r->by_year_day, yday, diy))
		return 0;
	if (has(r->by_week_no) && v->weekno_ok) {
		int nw, wk = iso_week(z, &nw);
		if (!in_list(r->by_week_no, wk, nw))
			return 0;
	}
	if (has(r->by_day)) {
		int wd = wday(z) + 1;   /* ICAL_SUNDAY_WEEKDAY is 1 */
		int hit = 0;
		for (int i = 0; !hit && r->by_day[i] != END; i++) {
			if ((int)icalrecurrencetype_day_day_of_week(r->by_day[i]) != wd)
				continue;
			int pos = icalrecurrencetype_day_position(r->by_day[i]);
			if (!pos || (!v->ord_in_month && !v->ord_in_year)) {
				hit = 1;
			} else if (v->ord_in_month) {
				int nth = (d - 1) / 7 + 1, last = (dim(y, m) - d) / 7 + 1;
				hit = pos > 0 ? nth == pos : last == -pos;
			} else {
				int nth = (yday - 1) / 7 + 1, last = (diy - yday) / 7 + 1;
				hit = pos > 0 ? nth == pos : last == -pos;
			}
		}
		if (!hit)
			return 0;
	}
	return 1;
}

/* BYSETPOS in a period with n matching instants: some position exists */
static int setpos_fits(const struct icalrecurrencetype *r, int n)
{
	for (int i = 0; r->by_set_pos[i] != END; i++) {
		int p = r->by_set_pos[i];
		if (p != 0 && abs(p) <= n)
			return 1;
	}
	return 0;
}

/* The times of day a sub-daily rule reaches are not judged: libical does
 * not step FREQ=HOURLY;INTERVAL=2;BYHOUR=10 as RFC 5545 says (it walks the
 * BYHOUR list), so "never" there would drop what libical expands. Such a
 * rule is left to the bound of steps (expand.c). (A randomized comparison with libical's
 * iterator found it; tests/unit/test_expand.c keeps one.) */

int ics_rule_never_matches(const struct icalrecurrencetype *r, const struct icaltimetype *dtstart)
{
	if (r->rscale || r->interval < 1)
		return 0;   /* not Gregorian, or not ours to judge: expand.c's bounds */
	for (int i = 0; r->by_month[i] != END; i++)
		if (r->by_month[i] < 1 || r->by_month[i] > 12)
			return 0;   /* a leap month (RSCALE): not judged */
	int date_parts = has(r->by_month) + has(r->by_month_day) + has(r->by_year_day) +
			 has(r->by_week_no) + has(r->by_day);
	int ordinal = 0;
	for (int i = 0; r->by_day[i] != END; i++)
		ordinal |= icalrecurrencetype_day_position(r->by_day[i]) != 0;
	/* a single date part with steps of 1, and no ordinal or BYSETPOS, always matches */
	if (!has(r->by_set_pos) && !ordinal && (date_parts == 0 || (date_parts == 1 && r->interval == 1 &&
	    !has(r->by_month_day) && !has(r->by_year_day) && !has(r->by_week_no))))
		return 0;
	if (!has(r->by_set_pos) && date_parts == 0)
		return 0;

	struct rule_view v = { r, 0, 0, r->week_start == ICAL_MONDAY_WEEKDAY };
	if (r->freq == ICAL_MONTHLY_RECURRENCE || (r->freq == ICAL_YEARLY_RECURRENCE && has(r->by_month)))
		v.ord_in_month = 1;
	else if (r->freq == ICAL_YEARLY_RECURRENCE && !has(r->by_week_no))
		v.ord_in_year = 1;
	int times = (has(r->by_hour) ? count(r->by_hour) : 1) * (has(r->by_minute) ? count(r->by_minute) : 1) *
		    (has(r->by_second) ? count(r->by_second) : 1);
	int64_t z0 = days_from_civil(dtstart->year, (unsigned)dtstart->month, (unsigned)dtstart->day);
	int64_t k = r->interval;

	switch (r->freq) {
	case ICAL_YEARLY_RECURRENCE:
		for (int64_t i = 0; i < 400; i++) {
			int64_t y = dtstart->year + i * k;
			int64_t a = days_from_civil(y, 1, 1), b = days_from_civil(y + 1, 1, 1);
			int n = 0;
			for (int64_t z = a; z < b; z++)
				n += day_passes(&v, z);
			if (n && (!has(r->by_set_pos) || setpos_fits(r, n * times)))
				return 0;
		}
		return 1;
	case ICAL_MONTHLY_RECURRENCE:
		for (int64_t i = 0; i < 4800; i++) {
			int64_t mi = (int64_t)dtstart->year * 12 + (dtstart->month - 1) + i * k;
			int64_t y = mi / 12;
			int m = (int)(mi % 12) + 1;
			int64_t a = days_from_civil(y, (unsigned)m, 1);
			int n = 0;
			for (int d = 0; d < dim(y, m); d++)
				n += day_passes(&v, a + d);
			if (n && (!has(r->by_set_pos) || setpos_fits(r, n * times)))
				return 0;
		}
		return 1;
	case ICAL_WEEKLY_RECURRENCE: {
		int ws = (int)r->week_start - 1;              /* 0 = Sunday */
		int64_t w0 = z0 - ((wday(z0) - ws + 7) % 7);  /* the week of DTSTART */
		for (int64_t i = 0; i < CYCLE_DAYS / 7; i++) {
			int n = 0;
			for (int d = 0; d < 7; d++)
				n += day_passes(&v, w0 + i * 7 * k + d);
			if (n && (!has(r->by_set_pos) || setpos_fits(r, n * times)))
				return 0;
		}
		return 1;
	}
	case ICAL_DAILY_RECURRENCE:
		for (int64_t i = 0; i < CYCLE_DAYS; i++)
			if (day_passes(&v, z0 + i * k) && (!has(r->by_set_pos) || setpos_fits(r, times)))
				return 0;
		return 1;
	default: {
		/* sub-daily: every day is visited when a step is at most a day */
		int64_t unit = r->freq == ICAL_SECONDLY_RECURRENCE ? 1 : r->freq == ICAL_MINUTELY_RECURRENCE ? 60 : 3600;
		if (k * unit > 86400 || has(r->by_set_pos))
			return 0;   /* not judged here: expand.c's bounds */
		for (int64_t i = 0; i < CYCLE_DAYS; i++)
			if (day_passes(&v, z0 + i))
				return 0;
		return 1;
	}
	}
}
