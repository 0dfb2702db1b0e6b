/* family.c: the family's calendar of the agreed week, built with libical: one file, or one object per UID. */
#include "dovetail/export.h"

#include <assert.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"
#include "ical.h"

/* The SUMMARY, DESCRIPTION and CATEGORIES text of appointment i, a joint
 * session's parts (the appointments that follow it in the week's order)
 * included, in *sum, *desc and *cats (allocated); its latest end in *end. */
static void appt_texts(const struct week *w, size_t i, char **sum, char **desc, char **cats, int64_t *end)
{
	const struct profile *p = w->p;
	const struct wk_appt *a = &w->appts[i];
	size_t nsum = 0, ndesc = 0, ncats = 0;
	*sum = *desc = *cats = NULL;
	*end = a->end;
	FILE *fs = open_memstream(sum, &nsum), *fd = open_memstream(desc, &ndesc),
	     *fc = open_memstream(cats, &ncats);
	if (!fs || !fd || !fc)
		xalloc_die();   /* a memory stream fails only when out of memory */
	int parts = 0, descs = 0;
	for (size_t j = i; j < w->n_appts; j++) {
		const struct wk_appt *b = &w->appts[j];
		if (j != i && !week_joint(w, a, b))
			continue;
		const struct prof_practitioner *q = &p->pracs[b->prac];
		if (b->end > *end)
			*end = b->end;
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
	/* every stream closed, whatever the others did */
	int bad = fclose(fs) != 0;
	bad |= fclose(fd) != 0;
	bad |= fclose(fc) != 0;
	if (bad || !*sum || !*desc || !*cats)
		xalloc_die();
}

/* The VEVENT of appointment i (a joint session as one). */
static icalcomponent *appt_event(const struct week *w, size_t i, int64_t now)
{
	const struct profile *p = w->p;
	const struct wk_appt *a = &w->appts[i];
	const struct prof_practitioner *pr = &p->pracs[a->prac];
	char uid[96];
	xp_stable_id("appointment", pr->id, a->uid, a->rid, "family.dovetail.invalid", uid, sizeof uid);
	char *sum, *desc, *cats;
	int64_t end;
	appt_texts(w, i, &sum, &desc, &cats, &end);
	icalcomponent *ev = xp_event(w, uid, now, a->start, end);
	icalcomponent_add_property(ev, icalproperty_new_summary(sum));
	if (*desc)
		icalcomponent_add_property(ev, icalproperty_new_description(desc));
	if (a->venue >= 0)
		icalcomponent_add_property(ev, icalproperty_new_location(p->venues[a->venue].name));
	icalcomponent_add_property(ev, icalproperty_new_categories(cats));
	free(sum);
	free(desc);
	free(cats);
	return ev;
}

/* The VEVENT of placed routine r. */
static icalcomponent *routine_event(const struct week *w, const struct wk_routine *r, int64_t now)
{
	const struct prof_routine *rt = &w->p->routines[r->routine];
	char uid[96], date[16], win[16];
	time_fmt_date(w->days[r->day].date, date, sizeof date);
	snprintf(win, sizeof win, "%d", r->window);
	xp_stable_id("routine", rt->id, date, win, "family.dovetail.invalid", uid, sizeof uid);
	int64_t s = week_utc(w, r->day, r->start);
	icalcomponent *ev = xp_event(w, uid, now, s, s + (int64_t)rt->duration * 60);
	icalcomponent_add_property(ev, icalproperty_new_summary(rt->id));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
	icalcomponent_add_property(ev, icalproperty_new_categories("routine"));
	return ev;
}

/* Each event of the family's calendar, in order: the appointments (a
 * joint session as one), then the routines. Calls put(ev, arg) with each
 * VEVENT (put takes it); returns 0, or -1 when put does. */
static int family_events(const struct week *w, int64_t now, int routines,
			 int (*put)(icalcomponent *ev, void *arg), void *arg)
{
	for (size_t i = 0; i < w->n_appts; i++) {
		/* a joint session is one event: its first part (in the week's
		 * order) carries the others */
		int part = 0;
		for (size_t j = 0; j < i && !part; j++)
			part = week_joint(w, &w->appts[j], &w->appts[i]);
		if (!part && put(appt_event(w, i, now), arg) < 0)
			return -1;
	}
	for (size_t i = 0; routines && i < w->n_routines; i++)
		if (w->routines[i].start >= 0 && put(routine_event(w, &w->routines[i], now), arg) < 0)
			return -1;
	return 0;
}

static int put_in_calendar(icalcomponent *ev, void *arg)
{
	icalcomponent_add_component(arg, ev);
	return 0;
}

char *export_family(const struct week *w, int64_t now, int routines, struct diag *d)
{
	const struct profile *p = w->p;
	icalcomponent *cal = xp_calendar(w, ICAL_METHOD_PUBLISH);
	/* the calendar's name in clients that show one: it is the family's own */
	char name[256];
	snprintf(name, sizeof name, "Appointments: %s", p->display_name ? p->display_name : p->person_id);
	icalproperty *xn = icalproperty_new_x(name);
	icalproperty_set_x_name(xn, "X-WR-CALNAME");
	icalcomponent_add_property(cal, xn);
	int rc = family_events(w, now, routines, put_in_calendar, cal);
	assert(rc == 0);   /* put_in_calendar never fails */
	(void)rc;
	return xp_finish(cal, d);
}

/* ---- one calendar object per UID (CalDAV, RFC 4791 4.1) ------------------ */

struct objects_ctx {
	const struct week *w;
	struct cal_objects *out;
	size_t cap;
	struct diag *d;
};

/* strcmp on two lines, for qsort */
static int by_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void cal_object_digest(const char *text, char out[65])
{
	/* the object's unfolded content lines without CR, its DTSTAMP lines
	 * (the time of the export, not of the plan) left out, sorted: the
	 * same for the same content however a server orders or folds it (as
	 * Radicale rewrites what it is given) */
	out[0] = 0;
	size_t len = strlen(text), n = 0;
	char *u = xmalloc(len + 1);
	char **lines = xcalloc(len / 2 + 2, sizeof *lines);
	struct hash_ctx *h = hash_new();
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\r')
			continue;
		if (text[i] == '\n' && (text[i + 1] == ' ' || text[i + 1] == '\t')) {
			i++;   /* a folded line goes on */
			continue;
		}
		u[k++] = text[i];
	}
	u[k] = 0;
	for (char *p = u; *p;) {
		size_t m = strcspn(p, "\n");
		int end = p[m] == 0;
		p[m] = 0;
		if (m && !(m >= 8 && strncmp(p, "DTSTAMP:", 8) == 0))
			lines[n++] = p;
		p += m + !end;
	}
	qsort(lines, n, sizeof *lines, by_line);
	for (size_t i = 0; i < n; i++)
		hash_update(h, lines[i], strlen(lines[i]) + 1);
	assert(n <= len / 2 + 2);
	hash_final_hex(h, out);
	hash_free(h);
	free(lines);
	free(u);
}

static int put_object(icalcomponent *ev, void *arg)
{
	struct objects_ctx *c = arg;
	icalcomponent *cal = xp_calendar(c->w, ICAL_METHOD_NONE);
	icalcomponent_add_component(cal, ev);
	struct cal_object o;
	memset(&o, 0, sizeof o);
	snprintf(o.uid, sizeof o.uid, "%s", icalcomponent_get_uid(ev));
	/* the UID is 32 hex digits at our domain (xp_stable_id): its digits
	 * name the resource, so no character needs escaping in the path */
	assert(strspn(o.uid, "0123456789abcdef") == 32 && o.uid[32] == '@');
	snprintf(o.name, sizeof o.name, "%.32s.ics", o.uid);
	o.text = xp_finish(cal, c->d);
	if (!o.text)
		return -1;
	cal_object_digest(o.text, o.digest);
	*BUF_PUSH(c->out->v, c->out->n, c->cap) = o;
	return 0;
}

static int by_uid(const void *a, const void *b)
{
	return strcmp(((const struct cal_object *)a)->uid, ((const struct cal_object *)b)->uid);
}

int export_family_objects(const struct week *w, int64_t now, int routines, struct cal_objects *out,
			  struct diag *d)
{
	memset(out, 0, sizeof *out);
	struct objects_ctx c = { w, out, 0, d };
	if (family_events(w, now, routines, put_object, &c) < 0) {
		cal_objects_release(out);
		return -1;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, by_uid);
	for (size_t i = 1; i < out->n; i++)
		if (strcmp(out->v[i - 1].uid, out->v[i].uid) == 0) {
			/* a stable UID names one appointment, or one routine instance */
			diag_add(d, D_INTERNAL, NULL, 0, 0, "two events of the family's calendar share a UID");
			cal_objects_release(out);
			return -1;
		}
	return 0;
}

void cal_objects_release(struct cal_objects *s)
{
	for (size_t i = 0; s && i < s->n; i++)
		free(s->v[i].text);
	if (s) {
		free(s->v);
		memset(s, 0, sizeof *s);
	}
}
