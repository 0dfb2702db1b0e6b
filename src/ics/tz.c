/* tz.c: resolve a TZID: the feed's VTIMEZONE, IANA, Windows (ICU), Outlook display names. */
#include "dovetail/ics.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libical/icaltz-util.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "dovetail/xalloc.h"

struct tz_entry {
	char *tzid;
	icaltimezone *zone;  /* NULL: resolves to nothing */
	int owned;           /* made from a VTIMEZONE of the feed */
};

struct ics_tzset {
	struct tz_entry *v;  /* VTIMEZONEs first, then cached resolutions */
	size_t n, cap;
	size_t n_vtz;
};

struct ics_tzset *ics_tzset_new(void)
{
	return xcalloc(1, sizeof(struct ics_tzset));
}

void ics_tzset_free(struct ics_tzset *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].owned)
			icaltimezone_free(set->v[i].zone, 1);
		free(set->v[i].tzid);
	}
	free(set->v);
	free(set);
}

static struct tz_entry *find(struct ics_tzset *set, const char *tzid, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		if (strcmp(set->v[i].tzid, tzid) == 0)
			return &set->v[i];
	return NULL;
}

static int add(struct ics_tzset *set, const char *tzid, icaltimezone *zone, int owned)
{
	struct tz_entry *e = BUF_PUSH(set->v, set->n, set->cap);
	if (!e)
		return -1;
	e->tzid = xstrdup(tzid);
	e->zone = zone;
	e->owned = owned;
	return 0;
}

/* Observances whose rules would make libical expand without bound
 * (anything but yearly rules, or floods of RDATEs) are refused. */
static const char *vtimezone_unsafe(icalcomponent *vtz)
{
	int observances = 0;
	for (icalcomponent *o = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); o;
	     o = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind k = icalcomponent_isa(o);
		if (k != ICAL_XSTANDARD_COMPONENT && k != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		observances++;
		if (observances > 2000)
			return "too many observances";
		if (!icalcomponent_get_first_property(o, ICAL_DTSTART_PROPERTY) ||
		    !icalcomponent_get_first_property(o, ICAL_TZOFFSETTO_PROPERTY))
			return "an observance lacks DTSTART or TZOFFSETTO";
		int rdates = 0;
		for (icalproperty *p = icalcomponent_get_first_property(o, ICAL_ANY_PROPERTY); p;
		     p = icalcomponent_get_next_property(o, ICAL_ANY_PROPERTY)) {
			icalproperty_kind pk = icalproperty_isa(p);
			if (pk == ICAL_RRULE_PROPERTY) {
				struct icalrecurrencetype r = icalproperty_get_rrule(p);
				if (r.freq != ICAL_YEARLY_RECURRENCE)
					return "an observance rule is not yearly";
			} else if (pk == ICAL_RDATE_PROPERTY && ++rdates > 1000) {
				return "too many RDATEs";
			} else if (pk == ICAL_XLICERROR_PROPERTY) {
				return "a property does not parse";
			}
		}
	}
	return observances ? NULL : "no STANDARD or DAYLIGHT observance";
}

int ics_tzset_add_vtimezone(struct ics_tzset *set, const struct ics_scan *s,
			    size_t begin, size_t end, const char *file, struct diag *d)
{
	icalparser *parser = icalparser_new();
	if (!parser)
		return -1;
	icalcomponent *comp = NULL;
	char *buf = NULL;
	size_t bufcap = 0;
	for (size_t i = begin; i <= end && i < s->n_lines; i++) {
		const struct ics_line *l = &s->lines[i];
		if (l->bad)
			continue;
		if (buf_reserve((void **)&buf, &bufcap, (size_t)l->len + 1, 1) < 0)
			break;
		memcpy(buf, l->text, (size_t)l->len + 1);
		icalcomponent *c = icalparser_add_line(parser, buf);
		if (c) {
			comp = c; /* the VTIMEZONE is complete: read nothing more */
			break;
		}
	}
	free(buf);
	icalparser_free(parser); /* frees whatever it still holds, never comp */
	int line = (int)s->lines[begin].line;
	if (!comp || icalcomponent_isa(comp) != ICAL_VTIMEZONE_COMPONENT) {
		icalcomponent_free(comp);
		diag_add(d, D_ICS_BAD_VTIMEZONE, file, line, 1, "?", "it does not parse");
		return 0;
	}
	icalproperty *tp = icalcomponent_get_first_property(comp, ICAL_TZID_PROPERTY);
	const char *tzid = tp ? icalproperty_get_tzid(tp) : NULL;
	if (!tzid || !*tzid) {
		diag_add(d, D_ICS_BAD_VTIMEZONE, file, line, 1, "?", "it has no TZID");
		icalcomponent_free(comp);
		return 0;
	}
	if (find(set, tzid, 0, set->n_vtz)) { /* the first definition wins */
		icalcomponent_free(comp);
		return 0;
	}
	const char *why = vtimezone_unsafe(comp);
	if (why) {
		diag_add(d, D_ICS_BAD_VTIMEZONE, file, line, 1, ics_tzid_shown(tzid), why);
		icalcomponent_free(comp);
		return 0;
	}
	char *tzid_copy = xstrdup(tzid);
	icaltimezone *zone = icaltimezone_new();
	if (!zone || !icaltimezone_set_component(zone, comp)) {
		if (zone)
			icaltimezone_free(zone, 1);
		else
			icalcomponent_free(comp);
		free(tzid_copy);
		return -1;
	}
	int rc = add(set, tzid_copy, zone, 1);
	free(tzid_copy);
	if (rc < 0) {
		icaltimezone_free(zone, 1);
		return -1;
	}
	set->n_vtz = set->n;
	return 0;
}

/* ---- IANA names --------------------------------------------------------- */

static int safe_zone_name(const char *n)
{
	if (!isalpha((unsigned char)n[0]) || strstr(n, "..") || strlen(n) > 64)
		return 0;
	for (const char *p = n; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return 0;
	return 1;
}

static int is_utc_name(const char *n)
{
	static const char *const names[] = { "UTC", "GMT", "Z", "Etc/UTC", "Etc/GMT", "UT",
		"Etc/Universal", "Universal", "Zulu", "Etc/Zulu", "Coordinated Universal Time" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcasecmp(n, names[i]) == 0)
			return 1;
	return 0;
}

/* The builtin zone named exactly `name`, checked against libical's list so
 * that a hostile TZID never becomes a file path. */
static icaltimezone *iana_exact(const char *name)
{
	if (is_utc_name(name))
		return icaltimezone_get_utc_timezone();
	if (!safe_zone_name(name))
		return NULL;
	icalarray *all = icaltimezone_get_builtin_timezones();
	for (size_t i = 0; all && i < all->num_elements; i++) {
		icaltimezone *z = icalarray_element_at(all, i);
		const char *loc = icaltimezone_get_location(z);
		if (loc && strcmp(loc, name) == 0)
			return icaltimezone_get_builtin_timezone(name);
	}
	return NULL;
}

/* Zones ICU knows but libical's list lacks (Etc/GMT-2 and the like): read
 * from the system's zoneinfo by libical's own tzfile reader. The name is
 * an ICU system ID by now, so never a path of the feed's choosing, and
 * there are as many names as ICU has canonical zones (under 600): the
 * cache grows to hold them all, bounded by TZ_SYSTEM_MAX all the same.
 * Its zones are never freed (events keep pointers to them). */
#define TZ_SYSTEM_MAX 2048
static icaltimezone *system_zone(const char *name)
{
	static struct sys_zone { char name[80]; icaltimezone *zone; } *cache;
	static size_t n_cache, cap_cache;
	for (size_t i = 0; i < n_cache; i++)
		if (strcmp(cache[i].name, name) == 0)
			return cache[i].zone;
	if (n_cache == cap_cache) {
		size_t cap = cap_cache ? cap_cache * 2 : 64;
		struct sys_zone *v = cap <= TZ_SYSTEM_MAX ? realloc(cache, cap * sizeof *v) : NULL;
		if (!v)
			return NULL;
		cache = v;
		cap_cache = cap;
	}
	icalcomponent *c = icaltzutil_fetch_timezone(name);
	icaltimezone *z = NULL;
	if (c) {
		z = icaltimezone_new();
		if (z && !icaltimezone_set_component(z, c)) {
			icaltimezone_free(z, 1);
			z = NULL;
		}
	}
	snprintf(cache[n_cache].name, sizeof cache[n_cache].name, "%s", name);
	cache[n_cache++].zone = z;
	return z;
}

/* A name, or its canonical form through ICU (US/Eastern -> America/New_York). */
static icaltimezone *iana(const char *name)
{
	icaltimezone *z = iana_exact(name);
	if (z || !safe_zone_name(name) || is_utc_name(name))
		return z;
	UChar in[80], out[80];
	UErrorCode st = U_ZERO_ERROR;
	UBool system = 0;
	u_uastrcpy(in, name);
	int32_t n = ucal_getCanonicalTimeZoneID(in, -1, out, 80, &system, &st);
	if (U_FAILURE(st) || n <= 0 || n >= 80 || !system)
		return NULL;
	out[n] = 0;
	char buf[80];
	u_austrcpy(buf, out);
	if (strcmp(buf, name) != 0 && (z = iana_exact(buf)) != NULL)
		return z;
	return system_zone(buf);
}

/* An IANA name inside a vendor prefix: "/mozilla.org/20050126_1/Europe/London",
 * "/freeassociation.sourceforge.net/Tzfile/Europe/London". */
static icaltimezone *iana_suffix(const char *tzid)
{
	const char *p = tzid + strlen(tzid);
	int slashes = 0;
	while (p > tzid) {
		p--;
		if (*p == '/') {
			slashes++;
			if (slashes >= 1) {
				icaltimezone *z = iana(p + 1);
				if (z)
					return z;
			}
			if (slashes == 3)
				break;
		}
	}
	return NULL;
}

/* ---- Windows names, through ICU ---------------------------------------- */

const char *ics_tz_windows_to_iana(const char *winid, char *buf, size_t bufsz)
{
	UChar uw[128], ui[128];
	UErrorCode st = U_ZERO_ERROR;
	if (strlen(winid) >= sizeof uw / sizeof *uw)
		return NULL;
	u_uastrcpy(uw, winid);
	int32_t n = ucal_getTimeZoneIDForWindowsID(uw, -1, NULL, ui, 128, &st);
	if (U_FAILURE(st) || n <= 0 || n >= 128 || (size_t)n >= bufsz)
		return NULL;
	ui[n] = 0;
	u_austrcpy(buf, ui);
	return buf;
}

/* ---- Outlook display names ---------------------------------------------- */

static int std_offset(icaltimezone *z)
{
	struct icaltimetype jan = icaltime_from_string("20240115T120000");
	struct icaltimetype jul = icaltime_from_string("20240715T120000");
	int dst;
	int a = icaltimezone_get_utc_offset(z, &jan, &dst);
	int b = icaltimezone_get_utc_offset(z, &jul, &dst);
	return a < b ? a : b;
}

static const struct { const char *text, *iana; } display_names[] = {
	{ "Eastern Time (US", "America/New_York" },
	{ "Central Time (US", "America/Chicago" },
	{ "Mountain Time (US", "America/Denver" },
	{ "Pacific Time (US", "America/Los_Angeles" },
	{ "Atlantic Time (Canada)", "America/Halifax" },
	{ "Alaska", "America/Anchorage" },
	{ "Hawaii", "Pacific/Honolulu" },
	{ "Arizona", "America/Phoenix" },
	{ "Greenwich Mean Time", "Europe/London" },
	{ "Dublin, Edinburgh, Lisbon, London", "Europe/London" },
	{ "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "Europe/Berlin" },
	{ "Brussels, Copenhagen, Madrid, Paris", "Europe/Paris" },
	{ "Belgrade, Bratislava, Budapest, Ljubljana, Prague", "Europe/Budapest" },
	{ "Sarajevo, Skopje, Warsaw, Zagreb", "Europe/Warsaw" },
	{ "Coordinated Universal Time", "UTC" },
};

const char *ics_tz_display_to_iana(const char *display, char *buf, size_t bufsz)
{
	const char *p = display;
	while (*p == ' ' || *p == '"')
		p++;
	if (*p != '(' || (strncasecmp(p + 1, "UTC", 3) && strncasecmp(p + 1, "GMT", 3)))
		return NULL;
	p += 4;
	int off = 0;
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
			return NULL;
		int h = (p[1] - '0') * 10 + (p[2] - '0'), m = 0;
		p += 3;
		if ((*p == ':' || *p == '.') && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
			m = (p[1] - '0') * 10 + (p[2] - '0');
			p += 3;
		}
		off = sign * (h * 3600 + m * 60);
	}
	if (*p != ')')
		return NULL;
	p++;
	while (*p == ' ')
		p++;
	for (size_t i = 0; i < sizeof display_names / sizeof *display_names; i++)
		if (strstr(p, display_names[i].text)) {
			snprintf(buf, bufsz, "%s", display_names[i].iana);
			return buf;
		}
	const char *colon = strchr(p, ':');
	if (colon)
		p = colon + 1;
	icalarray *all = icaltimezone_get_builtin_timezones();
	/* each city of the list, against the last part of every IANA name */
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '/')
			p++;
		char city[64];
		size_t k = 0;
		while (*p && *p != ',' && *p != '/' && *p != '"' && k < sizeof city - 1) {
			city[k++] = *p == ' ' ? '_' : *p;
			p++;
		}
		while (k && city[k - 1] == '_')
			k--;
		city[k] = 0;
		if (*p == '"')
			break;
		if (!k)
			continue;
		for (size_t i = 0; all && i < all->num_elements; i++) {
			icaltimezone *z = icalarray_element_at(all, i);
			const char *loc = icaltimezone_get_location(z);
			const char *last = loc ? strrchr(loc, '/') : NULL;
			if (!last || strcasecmp(last + 1, city) != 0)
				continue;
			/* loading a zone may move libical's strings: copy first */
			char name[96];
			snprintf(name, sizeof name, "%s", loc);
			icaltimezone *bz = icaltimezone_get_builtin_timezone(name);
			if (bz && std_offset(bz) == off) {
				snprintf(buf, bufsz, "%s", name);
				return buf;
			}
		}
	}
	return NULL;
}

icaltimezone *ics_tz_builtin(const char *name)
{
	char buf[128];
	icaltimezone *z = iana(name);
	if (!z && name[0] == '/')
		z = iana_suffix(name);
	if (!z && ics_tz_windows_to_iana(name, buf, sizeof buf))
		z = iana(buf);
	if (!z && ics_tz_display_to_iana(name, buf, sizeof buf))
		z = iana(buf);
	return z;
}

icaltimezone *ics_tz_resolve(struct ics_tzset *set, const char *tzid,
			     const char *file, int line, struct diag *d)
{
	struct tz_entry *e = find(set, tzid, 0, set->n);
	if (e)
		return e->zone;
	/* " 1" against a VTIMEZONE "1": blanks around a TZID carry no meaning */
	char trimmed[256];
	const char *p = tzid;
	while (*p == ' ' || *p == '\t')
		p++;
	snprintf(trimmed, sizeof trimmed, "%s", p);
	size_t k = strlen(trimmed);
	while (k && (trimmed[k - 1] == ' ' || trimmed[k - 1] == '\t'))
		trimmed[--k] = 0;
	icaltimezone *z = NULL;
	if (strcmp(trimmed, tzid) != 0 && (e = find(set, trimmed, 0, set->n_vtz)) != NULL)
		z = e->zone;
	if (!z)
		z = ics_tz_builtin(trimmed);
	if (!z)
		diag_add(d, D_ICS_TZ_UNKNOWN, file, line, 1, ics_tzid_shown(tzid));
	add(set, tzid, z, 0); /* cache, so each TZID is reported once */
	return z;
}
