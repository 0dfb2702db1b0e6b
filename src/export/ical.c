/* ical.c: the iCalendar pieces the family and iTIP exports share. */
#include "ical.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

void xp_stable_id(const char *kind, const char *a, const char *b, const char *c,
		  const char *domain, char *out, size_t sz)
{
	struct hash_ctx *h = hash_new();
	char hex[65] = "";
	const char *parts[] = { kind, a, b, c };
	for (size_t i = 0; i < 4; i++) {
		hash_update(h, parts[i], strlen(parts[i]));
		hash_update(h, "", 1);   /* a separator no part contains */
	}
	hash_final_hex(h, hex);
	hash_free(h);
	snprintf(out, sz, "%.32s@%s", hex, domain);
}

/* Whether the person's zone is UTC (then times are written as UTC, with
 * no TZID and no VTIMEZONE). */
static int is_utc(const struct week *w)
{
	return w->zone == icaltimezone_get_utc_timezone() || !icaltimezone_get_component(w->zone);
}

/* An observance of the zone's current rules: a STANDARD or DAYLIGHT with
 * an RRULE that never ends (libical writes the rules of the zone's TZif
 * footer so, from 2037 on). */
static int open_ended(icalcomponent *obs)
{
	icalproperty *rr = icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY);
	if (!rr)
		return 0;
	struct icalrecurrencetype r = icalproperty_get_rrule(rr);
	return icaltime_is_null_time(r.until) && r.count == 0;
}

/* A copy of observance obs (its kind, TZNAME, offsets and RRULE) that
 * starts at the rule's first onset in 1970, or on 1 January 1970 when it
 * has no rule (the offset then holds throughout). */
static icalcomponent *from_1970(icalcomponent *obs, int offset_s)
{
	icalcomponent *o = icalcomponent_new(obs ? icalcomponent_isa(obs) : ICAL_XSTANDARD_COMPONENT);
	if (!o)
		return NULL;
	icalproperty *nm = obs ? icalcomponent_get_first_property(obs, ICAL_TZNAME_PROPERTY) : NULL;
	if (nm)
		icalcomponent_add_property(o, icalproperty_new_clone(nm));
	icalproperty *rr = obs ? icalcomponent_get_first_property(obs, ICAL_RRULE_PROPERTY) : NULL;
	struct icaltimetype start = icaltime_from_string("19700101T000000");
	if (obs) {
		icalcomponent_add_property(o, icalproperty_new_clone(
			icalcomponent_get_first_property(obs, ICAL_TZOFFSETFROM_PROPERTY)));
		icalcomponent_add_property(o, icalproperty_new_clone(
			icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY)));
		struct icaltimetype t = icalcomponent_get_dtstart(obs);
		start.hour = t.hour;
		start.minute = t.minute;
		start.second = t.second;
	} else {
		icalcomponent_add_property(o, icalproperty_new_tzoffsetfrom(offset_s));
		icalcomponent_add_property(o, icalproperty_new_tzoffsetto(offset_s));
	}
	if (rr) {
		/* the first onset on or after 1 January 1970 (libical's
		 * iterator gives the first instance that matches the rule) */
		icalrecur_iterator *it = icalrecur_iterator_new(icalproperty_get_rrule(rr), start);
		struct icaltimetype first = it ? icalrecur_iterator_next(it) : icaltime_null_time();
		if (it)
			icalrecur_iterator_free(it);
		if (icaltime_is_null_time(first)) {
			icalcomponent_free(o);
			return NULL;
		}
		start = first;
	}
	icalcomponent_add_property(o, icalproperty_new_dtstart(start));
	if (rr)
		icalcomponent_add_property(o, icalproperty_new_clone(rr));
	return o;
}

/* Whether the zone defined by vtz gives the zone's own UTC offset at every
 * hour from a year before the horizon to a year after it. */
static int same_offsets(const struct week *w, icalcomponent *vtz)
{
	icaltimezone *z = icaltimezone_new();
	icalcomponent *c = z ? icalcomponent_new_clone(vtz) : NULL;
	if (!z || !c || !icaltimezone_set_component(z, c)) {
		if (c)
			icalcomponent_free(c);
		if (z)
			icaltimezone_free(z, 1);
		return 0;
	}
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	int same = 1;
	for (int64_t t = w->days[0].midnight - 366 * 86400; same && t <= w->days[w->n_days].midnight + 366 * 86400;
	     t += 3600) {
		struct icaltimetype x = icaltime_from_timet_with_zone((time_t)t, 0, utc);
		int dst1, dst2;
		same = icaltimezone_get_utc_offset_of_utc_time(w->zone, &x, &dst1) ==
		       icaltimezone_get_utc_offset_of_utc_time(z, &x, &dst2);
	}
	icaltimezone_free(z, 1);
	return same;
}

/*
 * The person's VTIMEZONE as conventional readers expect it (RFC 5545,
 * 3.6.5; docs/export.md, "Time zones"): the zone's current rules, one
 * STANDARD and one DAYLIGHT that start in 1970 and never end, or one
 * STANDARD from 1970 for a zone without daylight saving now. Readers such
 * as ts-ics and ruby-icalendar misread, or refuse, the definition libical
 * derives from the system's zoneinfo (observances that end in 2037 and
 * rules that start again after it). It is used only when it gives the
 * zone's real offset at every hour from a year before the horizon to a
 * year after; otherwise libical's own definition from 1970 is written.
 */
static icalcomponent *vtimezone(const struct week *w)
{
	icalcomponent *real = icaltimezone_get_component(w->zone);
	icalcomponent *v = icalcomponent_new_vtimezone();
	if (!v)
		xalloc_die();   /* libical fails here only when out of memory */
	icalcomponent_add_property(v, icalproperty_new_tzid(w->p->timezone));
	icalcomponent *rules[2] = { NULL, NULL };
	int n = 0;
	for (icalcomponent *o = icalcomponent_get_first_component(real, ICAL_ANY_COMPONENT); o;
	     o = icalcomponent_get_next_component(real, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind k = icalcomponent_isa(o);
		if ((k == ICAL_XSTANDARD_COMPONENT || k == ICAL_XDAYLIGHT_COMPONENT) && open_ended(o))
			rules[n < 2 ? n : 1] = o, n++;
	}
	int ok = 1;
	if (n == 2 && icalcomponent_isa(rules[0]) != icalcomponent_isa(rules[1])) {
		for (int i = 0; i < 2 && ok; i++) {
			icalcomponent *o = from_1970(rules[i], 0);
			if (o)
				icalcomponent_add_component(v, o);
			ok = o != NULL;
		}
	} else if (n == 0) {
		/* no daylight saving now: the offset at the horizon, from 1970 */
		struct icaltimetype x = icaltime_from_timet_with_zone((time_t)w->days[0].midnight, 0,
								      icaltimezone_get_utc_timezone());
		int dst;
		icalcomponent *o = from_1970(NULL, icaltimezone_get_utc_offset_of_utc_time(w->zone, &x, &dst));
		if (o)
			icalcomponent_add_component(v, o);
		ok = o != NULL;
	} else {
		ok = 0;
	}
	if (ok && same_offsets(w, v))
		return v;
	icalcomponent_free(v);
	/* libical's own definition, from 1970 */
	icalcomponent *c = icalcomponent_new_clone(real);
	if (!c)
		xalloc_die();
	icalproperty *id = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
	if (id)
		icalproperty_set_tzid(id, w->p->timezone);
	struct icaltimetype from = icaltime_from_string("19700101T000000Z");
	icaltimezone_truncate_vtimezone(c, from, icaltime_null_time(), 1);
	return c;
}

icalcomponent *xp_calendar(const struct week *w, icalproperty_method method)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();
	if (!cal)
		xalloc_die();   /* libical fails here only when out of memory */
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//dovetail//dovetail//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	if (method != ICAL_METHOD_NONE)   /* a CalDAV object has none (RFC 4791 4.1) */
		icalcomponent_add_property(cal, icalproperty_new_method(method));
	/* the zone's VTIMEZONE, named as the events name it (libical's
	 * built-in ones may carry a TZID prefix of their own) */
	if (!is_utc(w)) {
		icalcomponent_add_component(cal, vtimezone(w));
	}
	return cal;
}

/* DTSTART or DTEND at UTC instant t, written in the person's zone. */
static icalproperty *when(const struct week *w, int end, int64_t t)
{
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	struct icaltimetype x;
	if (is_utc(w)) {
		x = icaltime_from_timet_with_zone((time_t)t, 0, utc);
	} else {
		x = icaltime_from_timet_with_zone((time_t)t, 0, w->zone);
		/* the wall time alone: the TZID parameter says which zone it is in */
		x = icaltime_set_timezone(&x, NULL);
	}
	icalproperty *p = end ? icalproperty_new_dtend(x) : icalproperty_new_dtstart(x);
	if (!is_utc(w))
		icalproperty_add_parameter(p, icalparameter_new_tzid(w->p->timezone));
	return p;
}

icalcomponent *xp_event(const struct week *w, const char *uid, int64_t now, int64_t s, int64_t e)
{
	icalcomponent *ev = icalcomponent_new_vevent();
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	struct icaltimetype stamp =
		icaltime_from_timet_with_zone((time_t)now, 0, icaltimezone_get_utc_timezone());
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
	icalcomponent_add_property(ev, when(w, 0, s));
	icalcomponent_add_property(ev, when(w, 1, e));
	return ev;
}

char *xp_finish(icalcomponent *cal, struct diag *d)
{
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (!text)
		diag_add(d, D_INTERNAL, NULL, 0, 0, "libical could not write the calendar");
	return text;
}
