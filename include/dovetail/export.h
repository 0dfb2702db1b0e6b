/* export.h: the agreed plan as iCalendar for real calendar clients (issue 5). */
#ifndef DOVETAIL_EXPORT_H
#define DOVETAIL_EXPORT_H

#include <stdint.h>

#include "dovetail/diag.h"
#include "dovetail/week.h"

/*
 * The family's own calendar of week w as agreed (the week as
 * week_apply_decisions left it): one VEVENT per appointment, at its local
 * time in the person's zone (DTSTART/DTEND with TZID, and that zone's
 * VTIMEZONE), SUMMARY the practitioner's role (and display name), LOCATION
 * the venue's name, DTSTAMP `now`, and a UID that stays the same for the
 * same appointment (a digest of practitioner, UID and RECURRENCE-ID: an
 * occurrence of a series becomes an event of its own). With routines, each
 * routine instance that fits is also an event, TRANSP:TRANSPARENT. No free
 * text from any feed is copied. The bytes depend only on the inputs.
 * Returns a malloc'd string (CRLF lines, folded by libical), or NULL with d
 * filled.
 */
char *export_family(const struct week *w, int64_t now, int routines, struct diag *d);

#endif
