/* ical.c: the iCalendar pieces the family and iTIP exports share. */
#include "ical.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dovetail/util.h"

void xp_stable_id(const char *kind, const char *a, const char *b, const char *c,
		  const char *domain, char *out, size_t sz)
{
	struct hash_ctx *h = hash_new();
	char hex[65] = "";
	if (h) {
		const char *parts[] = { kind, a, b, c };
		for (size_t i = 0; i < 4; i++) {
			hash_update(h, parts[i], strlen(parts[i]));
			hash_update(h, "", 1);   /* a separator no part contains */
		}
		hash_final_hex(h, hex);
		hash_free(h);
	}
	snprintf(out, sz, "%.32s@%s", hex, domain);
}

/* Whether the person's zone is UTC (then times are written as UTC, with
 * no TZID and no VTIMEZONE). */
static int is_utc(const struct week *w)
{
	return w->zone == icaltimezone_get_utc_timezone() || !icaltimezone_get_component(w->zone);
}

icalcomponent *xp_calendar(const struct week *w, icalproperty_method method)
{
	icalcomponent *cal = icalcomponent_new_vcalendar();
	if (!cal)
		return NULL;
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//dovetail//dovetail//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(method));
	/* the zone's VTIMEZONE, named as the events name it (libical's
	 * built-in ones may carry a TZID prefix of their own) */
	icalcomponent *vtz = is_utc(w) ? NULL : icaltimezone_get_component(w->zone);
	if (vtz) {
		icalcomponent *c = icalcomponent_new_clone(vtz);
		icalproperty *id = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
		if (id)
			icalproperty_set_tzid(id, w->p->timezone);
		/* only the rules in force from a year before the horizon on:
		 * the whole history since 1847 helps nobody */
		struct icaltimetype from = icaltime_from_timet_with_zone(
			(time_t)(w->days[0].midnight - 366 * 86400), 0, icaltimezone_get_utc_timezone());
		icaltimezone_truncate_vtimezone(c, from, icaltime_null_time(), 0);
		icalcomponent_add_component(cal, c);
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
