/* timefmt.c: civil-date arithmetic and the text forms of instants. */
#include "dovetail/util.h"

#include <stdio.h>

#include <ctype.h>
#include <string.h>

/* Howard Hinnant's days_from_civil / civil_from_days algorithms. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t yy = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned dd = doy - (153 * mp + 2) / 5 + 1;
	const unsigned mm = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int mdays(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 ? 28 + leap : md[m - 1];
}

int time_parse_arg(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t n = strlen(s);
	if (n == 8 || n == 16) { /* YYYYMMDD or YYYYMMDDTHHMMSSZ */
		if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d))
			return -1;
		if (n == 16 && (s[8] != 'T' || s[15] != 'Z' || digits(s + 9, 2, &h) ||
				digits(s + 11, 2, &mi) || digits(s + 13, 2, &se)))
			return -1;
	} else if (n == 10 || n == 17 || n == 20) { /* YYYY-MM-DD[THH:MM[:SS]Z] */
		if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
		    s[7] != '-' || digits(s + 8, 2, &d))
			return -1;
		if (n > 10) {
			if (s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
			    digits(s + 14, 2, &mi))
				return -1;
			if (n == 17 && s[16] != 'Z')
				return -1;
			if (n == 20 && (s[16] != ':' || digits(s + 17, 2, &se) || s[19] != 'Z'))
				return -1;
		}
	} else {
		return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo) || h > 23 || mi > 59 || se > 59)
		return -1;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

static void split(int64_t t, int *y, int *m, int *d, int *h, int *mi, int *s)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int64_t rem = t - days * 86400;
	civil_from_days(days, y, m, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem / 60 % 60);
	*s = (int)(rem % 60);
}

/* Write v as exactly n decimal digits. */
static char *put(char *o, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + n;
}

static char *put_date(char *o, int y, int m, int d)
{
	o = put(o, ((y % 10000) + 10000) % 10000, 4);
	o = put(o, m, 2);
	return put(o, d, 2);
}

void time_fmt_utc(int64_t t, char *out)
{
	int y, m, d, h, mi, s;
	split(t, &y, &m, &d, &h, &mi, &s);
	char *o = put_date(out, y, m, d);
	*o++ = 'T';
	o = put(put(put(o, h, 2), mi, 2), s, 2);
	*o++ = 'Z';
	*o = 0;
}

void time_fmt_wall(int64_t t, int is_date, char *out)
{
	int y, m, d, h, mi, s;
	split(t, &y, &m, &d, &h, &mi, &s);
	char *o = put_date(out, y, m, d);
	if (!is_date) {
		*o++ = 'T';
		o = put(put(put(o, h, 2), mi, 2), s, 2);
	}
	*o = 0;
}

void time_fmt_iso(int64_t t, char *out)
{
	int y, m, d, h, mi, s;
	split(t, &y, &m, &d, &h, &mi, &s);
	char *o = put(out, ((y % 10000) + 10000) % 10000, 4);
	*o++ = '-';
	o = put(o, m, 2);
	*o++ = '-';
	o = put(o, d, 2);
	*o++ = 'T';
	o = put(o, h, 2);
	*o++ = ':';
	o = put(o, mi, 2);
	*o++ = ':';
	o = put(o, s, 2);
	*o++ = 'Z';
	*o = 0;
}

void time_fmt_hhmm(int m, char *out)
{
	m = m < 0 ? 0 : m > 1440 ? 1440 : m;
	int h = m / 60, n = m % 60;   /* by hand: it is called in hot loops */
	out[0] = (char)('0' + h / 10);
	out[1] = (char)('0' + h % 10);
	out[2] = ':';
	out[3] = (char)('0' + n / 10);
	out[4] = (char)('0' + n % 10);
	out[5] = 0;
}

int time_weekday(int64_t date)
{
	return (int)(((date + 3) % 7 + 7) % 7);   /* 1970-01-01 was a Thursday */
}

int64_t time_week(int64_t date)
{
	return (date - time_weekday(date)) / 7;   /* its Monday's, in weeks */
}

void time_fmt_day(int64_t date, int pad, char *out, size_t sz)
{
	static const char *const wd[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
		"Sep", "Oct", "Nov", "Dec" };
	int y, m, d;
	civil_from_days(date, &y, &m, &d);
	snprintf(out, sz, pad ? "%s %2d %s" : "%s %d %s", wd[time_weekday(date)], d, mon[(m - 1) % 12]);
}

void time_fmt_date(int64_t date, char *out, size_t sz)
{
	int y, m, d;
	civil_from_days(date, &y, &m, &d);
	snprintf(out, sz, "%04d-%02d-%02d", y, m, d);
}

void time_fmt_local(int64_t date, int minutes, char *out, size_t sz)
{
	char d[16];
	time_fmt_date(date + minutes / 1440, d, sizeof d);
	snprintf(out, sz, "%sT%02d:%02d", d, (minutes % 1440) / 60, minutes % 60);
}
