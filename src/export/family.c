/* family.c: the family's calendar of the agreed week, built with libical. */
#include "dovetail/export.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovetail/util.h"
#include "ical.h"

char *export_family(const struct week *w, int64_t now, int routines, struct diag *d)
{
	const struct profile *p = w->p;
	icalcomponent *cal = xp_calendar(w, ICAL_METHOD_PUBLISH);
	if (!cal) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return NULL;
	}
	/* the calendar's name in clients that show one: it is the family's own */
	char name[256];
	snprintf(name, sizeof name, "Appointments: %s", p->display_name ? p->display_name : p->person_id);
	icalproperty *xn = icalproperty_new_x(name);
	icalproperty_set_x_name(xn, "X-WR-CALNAME");
	icalcomponent_add_property(cal, xn);
	char uid[96], summary[256];
	for (size_t i = 0; i < w->n_appts; i++) {
		const struct wk_appt *a = &w->appts[i];
		const struct prof_practitioner *pr = &p->pracs[a->prac];
		xp_stable_id("appointment", pr->id, a->uid, a->rid, "family.dovetail.invalid", uid, sizeof uid);
		icalcomponent *ev = xp_event(w, uid, now, a->start, a->end);
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
		xp_stable_id("routine", rt->id, date, win, "family.dovetail.invalid", uid, sizeof uid);
		int64_t s = week_utc(w, r->day, r->start);
		icalcomponent *ev = xp_event(w, uid, now, s, s + (int64_t)rt->duration * 60);
		icalcomponent_add_property(ev, icalproperty_new_summary(rt->id));
		icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
		icalcomponent_add_property(ev, icalproperty_new_categories("routine"));
		icalcomponent_add_component(cal, ev);
	}
	return xp_finish(cal, d);
}
