/* family.c: the family's calendar of the agreed week, built with libical. */
#include "dovetail/export.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovetail/util.h"

/* A stable UID: the digest of the parts, in an example.invalid-style domain
 * of our own so that it never collides with a practitioner's UID. */
static void stable_uid(const char *kind, const char *a, const char *b, const char *c, char *out,
		       size_t sz)
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
	snprintf(out, sz, "%.32s@family.dovetail.invalid", hex);
}

static struct icaltimetype local(const struct week *w, int64_t t)
{
	struct icaltimetype x = icaltime_from_timet_with_zone((time_t)t, 0, w->zone);
	/* the wall time alone: the TZID parameter says which zone it is in */
	return icaltime_set_timezone(&x, NULL);
}

/* Whether the person's zone is UTC (then times are written as UTC, with
 * no TZID and no VTIMEZONE). */
static int is_utc(const struct week *w)
{
	return w->zone == icaltimezone_get_utc_timezone() || !icaltimezone_get_component(w->zone);
}

/* DTSTART or DTEND at UTC instant t, written in the person's zone. */
static icalproperty *when(const struct week *w, int end, int64_t t)
{
	struct icaltimetype x = is_utc(w) ? icaltime_from_timet_with_zone((time_t)t, 0,
									  icaltimezone_get_utc_timezone())
					  : local(w, t);
	icalproperty *p = end ? icalproperty_new_dtend(x) : icalproperty_new_dtstart(x);
	if (!is_utc(w))
		icalproperty_add_parameter(p, icalparameter_new_tzid(w->p->timezone));
	return p;
}

static icalcomponent *event(const struct week *w, const char *uid, int64_t now, int64_t s, int64_t e)
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

char *export_family(const struct week *w, int64_t now, int routines, struct diag *d)
{
	const struct profile *p = w->p;
	icalcomponent *cal = icalcomponent_new_vcalendar();
	if (!cal) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return NULL;
	}
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//dovetail//dovetail//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	/* the zone's VTIMEZONE, named as the events name it (libical's
	 * built-in ones may carry a TZID prefix of their own) */
	icalcomponent *vtz = is_utc(w) ? NULL : icaltimezone_get_component(w->zone);
	if (vtz) {
		icalcomponent *c = icalcomponent_new_clone(vtz);
		icalproperty *id = icalcomponent_get_first_property(c, ICAL_TZID_PROPERTY);
		if (id)
			icalproperty_set_tzid(id, p->timezone);
		icalcomponent_add_component(cal, c);
	}
	char uid[96], summary[256];
	for (size_t i = 0; i < w->n_appts; i++) {
		const struct wk_appt *a = &w->appts[i];
		const struct prof_practitioner *pr = &p->pracs[a->prac];
		stable_uid("appointment", pr->id, a->uid, a->rid, uid, sizeof uid);
		icalcomponent *ev = event(w, uid, now, a->start, a->end);
		if (pr->display_name)
			snprintf(summary, sizeof summary, "%s (%s)", pr->role ? pr->role : pr->id, pr->display_name);
		else
			snprintf(summary, sizeof summary, "%s", pr->role ? pr->role : pr->id);
		icalcomponent_add_property(ev, icalproperty_new_summary(summary));
		if (a->venue >= 0)
			icalcomponent_add_property(ev, icalproperty_new_location(p->venues[a->venue].name));
		icalcomponent_add_property(ev, icalproperty_new_categories(pr->id));
		icalcomponent_add_component(cal, ev);
	}
	for (size_t i = 0; routines && i < w->n_routines; i++) {
		const struct wk_routine *r = &w->routines[i];
		if (r->start < 0)
			continue;
		const struct prof_routine *rt = &p->routines[r->routine];
		char date[16], win[16];
		time_fmt_date(w->days[r->day].date, date, sizeof date);
		snprintf(win, sizeof win, "%d", r->window);
		stable_uid("routine", rt->id, date, win, uid, sizeof uid);
		int64_t s = week_utc(w, r->day, r->start);
		icalcomponent *ev = event(w, uid, now, s, s + (int64_t)rt->duration * 60);
		icalcomponent_add_property(ev, icalproperty_new_summary(rt->id));
		icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
		icalcomponent_add_property(ev, icalproperty_new_categories("routine"));
		icalcomponent_add_component(cal, ev);
	}
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	if (!text)
		diag_add(d, D_INTERNAL, NULL, 0, 0, "libical could not write the calendar");
	return text;
}
