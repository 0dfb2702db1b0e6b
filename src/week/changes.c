/* changes.c: the one function that applies changes (plan.h) to a week, and finding and placing one appointment. */
#include "dovetail/plan.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/week.h"

int week_find(const struct week *w, int prac, const char *uid, const char *rid, int64_t feed_start)
{
	for (size_t i = 0; i < w->n_appts; i++) {
		const struct wk_appt *a = &w->appts[i];
		if (a->prac == prac && a->feed_start == feed_start && !strcmp(a->uid, uid) &&
		    !strcmp(a->rid, rid))
			return (int)i;
	}
	return -1;
}

int week_place(struct week *w, size_t i, int64_t date, int minute, int venue)
{
	int day = -1;
	for (size_t k = 0; k < w->n_days; k++)
		if (w->days[k].date == date)
			day = (int)k;
	if (day < 0)
		return -1;
	assert(i < w->n_appts);
	struct wk_appt *a = &w->appts[i];
	int dur = a->e_min - a->s_min;
	a->day = day;
	a->s_min = minute;
	a->e_min = minute + dur;
	if (venue >= 0)
		a->venue = venue;
	a->start = week_utc(w, day, a->s_min);
	a->end = week_utc(w, day, a->e_min);
	return 0;
}

/* The index in w of the appointment r refers to, or -1. */
static int find_ref(const struct week *w, const struct appt_ref *r)
{
	int prac = r->practitioner ? profile_prac_index(w->p, r->practitioner) : -1;
	if (prac < 0 || !r->uid)
		return -1;
	return week_find(w, prac, r->uid, r->rid ? r->rid : "", r->start);
}

int week_copy_changed(struct week *dst, const struct week *src, const struct change *v, size_t n, int *where,
		      struct diag *d)
{
	if (week_copy(dst, src, d) < 0)
		return -1;
	int rc = week_apply_changes(dst, v, n, where, d);
	if (rc == 0)
		rc = week_derive(dst, d);   /* nothing moved: derived all the same */
	return rc < 0 ? -1 : 0;
}

int week_apply_changes(struct week *w, const struct change *v, size_t n, int *where, struct diag *d)
{
	int applied = 0;
	for (size_t k = 0; k < n; k++) {
		const struct change *c = &v[k];
		int i = find_ref(w, &c->appt);
		int venue = c->to.venue ? profile_venue_index(w->p, c->to.venue) : -1;
		int ok = i >= 0 && week_place(w, (size_t)i, c->to.date, c->to.start, venue) == 0;
		applied += ok;
		if (where)
			where[k] = ok ? 0 : -1;   /* found again below, after the derivation */
	}
	if (applied && week_derive(w, d) < 0)
		return -1;
	for (size_t k = 0; where && k < n; k++)
		if (where[k] == 0)
			where[k] = find_ref(w, &v[k].appt);
	return applied;
}
