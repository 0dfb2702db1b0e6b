/* ical.h: what the exporters share (internal to src/export). */
#ifndef DOVETAIL_EXPORT_ICAL_H
#define DOVETAIL_EXPORT_ICAL_H

#include <libical/ical.h>
#include <stddef.h>
#include <stdint.h>

#include "dovetail/week.h"

/* A stable UID: a digest of kind and the parts a, b, c, as 32 hex digits
 * at `domain` (one of our own under .invalid, so that it never collides
 * with a practitioner's UID). out >= 40 + strlen(domain) bytes. */
void xp_stable_id(const char *kind, const char *a, const char *b, const char *c,
		  const char *domain, char *out, size_t sz);

/* A VCALENDAR with PRODID, VERSION 2.0, CALSCALE and METHOD (none for
 * ICAL_METHOD_NONE), and the
 * person's VTIMEZONE unless the person's zone is UTC: its TZID the name
 * the events use, the zone's current rules from 1970 (one STANDARD and one
 * DAYLIGHT, or one STANDARD), when they give the zone's real offsets from
 * a year before the horizon to a year after, else libical's definition
 * from 1970 (docs/export.md, "Time zones"). Never NULL: libical running
 * out of memory ends the process, as xalloc.h does. */
icalcomponent *xp_calendar(const struct week *w, icalproperty_method method);

/* A VEVENT with UID, DTSTAMP `now` (UTC), and DTSTART/DTEND at UTC instants
 * s and e written in the person's zone (TZID local times, or UTC times
 * when the person's zone is UTC). */
icalcomponent *xp_event(const struct week *w, const char *uid, int64_t now, int64_t s, int64_t e);

/* The calendar as text (CRLF lines, folded by libical), and frees it.
 * NULL with d filled when libical cannot write it. */
char *xp_finish(icalcomponent *cal, struct diag *d);

#endif
