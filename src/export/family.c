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
	char uid[96];
	for (size_t i = 0; i < w->n_appts; i++) {
		const struct wk_appt *a = &w->appts[i];
		/* a joint session is one event: its first part (in the week's
		 * order) carries the others */
		int part = 0;
		for (size_t j = 0; j < i && !part; j++)
			part = week_joint(w, &w->appts[j], a);
		if (part)
			continue;
		const struct prof_practitioner *pr = &p->pracs[a->prac];
		xp_stable_id("appointment", pr->id, a->uid, a->rid, "family.dovetail.invalid", uid, sizeof uid);
		int64_t end = a->end;
		char *sum = NULL, *desc = NULL, *cats = NULL;
		size_t nsum = 0, ndesc = 0, ncats = 0;
		FILE *fs = open_memstream(&sum, &nsum), *fd = open_memstream(&desc, &ndesc),
		     *fc = open_memstream(&cats, &ncats);
		int parts = 0, descs = 0;
		for (size_t j = i; fs && fd && fc && j < w->n_appts; j++) {
			const struct wk_appt *b = &w->appts[j];
			if (j != i && !week_joint(w, a, b))
				continue;
			const struct prof_practitioner *q = &p->pracs[b->prac];
			if (b->end > end)
				end = b->end;
			/* the role, and the event's own title and instructions
			 * unless the practitioner's feeds are private */
			fprintf(fs, "%s%s", parts ? " and " : "", q->role ? q->role : q->id);
			if (q->display_name)
				fprintf(fs, " (%s)", q->display_name);
			if (!q->private_text && b->summary)
				fprintf(fs, ": %s", b->summary);
			if (!q->private_text && b->description)
				fprintf(fd, "%s%s", descs++ ? "\n\n" : "", b->description);
			fprintf(fc, "%s%s", parts++ ? "," : "", q->id);
		}
		int bad = !fs || !fd || !fc;
		bad |= (fs && fclose(fs) != 0) | (fd && fclose(fd) != 0) | (fc && fclose(fc) != 0);
		if (bad || !sum || !desc || !cats) {
			free(sum);
			free(desc);
			free(cats);
			icalcomponent_free(cal);
			diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
			return NULL;
		}
		icalcomponent *ev = xp_event(w, uid, now, a->start, end);
		icalcomponent_add_property(ev, icalproperty_new_summary(sum));
		if (*desc)
			icalcomponent_add_property(ev, icalproperty_new_description(desc));
		if (a->venue >= 0)
			icalcomponent_add_property(ev, icalproperty_new_location(p->venues[a->venue].name));
		icalcomponent_add_property(ev, icalproperty_new_categories(cats));
		icalcomponent_add_component(cal, ev);
		free(sum);
		free(desc);
		free(cats);
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
