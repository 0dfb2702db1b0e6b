/* draft.h: a first profile drafted from a person's feeds (`dovetail init`), for the keyworker to check and finish. */
#ifndef DOVETAIL_DRAFT_H
#define DOVETAIL_DRAFT_H

#include <stddef.h>

#include "dovetail/diag.h"
#include "dovetail/ics.h"

/* Bounds of a draft (docs/limits.md). */
#define DRAFT_MAX_FEEDS 64        /* feeds named on the command line (one practitioner each) */
#define DRAFT_MAX_VENUES 200      /* distinct places drafted as venues */

/*
 * Draft a profile for person `person` (a pseudonymous id) in time zone `tz`
 * from the n iCalendar files `feeds` (as given; written into the profile as
 * given, so relative to where it will be saved): one practitioner per feed,
 * with the match rule that catches this person's events there (CATEGORIES
 * equal to the id, else the id in SUMMARY or DESCRIPTION, else the
 * attendee most events carry but not all, else `all`); venues from the
 * events' LOCATIONs, spellings that differ only in case and punctuation
 * grouped as aliases; a home venue; the documented defaults. Comments list
 * the organizers, attendees, categories and locations found, and mark each
 * guess "check this". Never an event's SUMMARY or DESCRIPTION. The text is
 * a profile profile_load() reads as it is. Returns it (free()), or NULL
 * with d filled (a feed unreadable, invalid as a whole or with an error in
 * any event or line: FILE:LINE:COL; a bound passed; out of memory).
 */
char *profile_draft(const char *person, const char *tz, const char *const *feeds, size_t n,
		    const struct ics_limits *lim, struct diag *d);

#endif
