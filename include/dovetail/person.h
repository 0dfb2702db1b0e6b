/* person.h: a person's week as every command reads it: the profile's feeds imported, the week built, the decisions in force. */
#ifndef DOVETAIL_PERSON_H
#define DOVETAIL_PERSON_H

#include <stdint.h>

#include "dovetail/ics.h"
#include "dovetail/profile.h"
#include "dovetail/store.h"
#include "dovetail/week.h"

/*
 * The import window, one for every command that imports (`import` and the
 * commands that read a profile): whole weeks around the week that holds
 * `now` in `zone`, from IMPORT_DAYS_BEFORE days before its Monday to
 * IMPORT_DAYS_AFTER days after it, in UTC seconds [*from, *to). Every run
 * in the same week imports with the same window, so that the store finds
 * the same bytes unchanged and re-imports nothing (store_import). 35 days
 * back holds the last month's appointments that a change may move; 371
 * ahead holds a year of the horizons a command can ask (366 days) from any
 * day of the week.
 */
#define IMPORT_DAYS_BEFORE 35
#define IMPORT_DAYS_AFTER 371
void import_window(int64_t now, icaltimezone *zone, int64_t *from, int64_t *to);

/* A person's week: their profile and the horizon read through it. */
struct person {
	struct profile *prof;     /* owned */
	struct week week;
	int64_t from_date, to_date;   /* the horizon, local dates (days since the epoch), inclusive */
};

/* The horizon: from_date PERSON_DEFAULT_DATE starts it on the Monday of
 * the week that holds `now` in the person's zone; to_date
 * PERSON_DEFAULT_DATE ends it 6 days after its start. */
#define PERSON_DEFAULT_DATE INT64_MIN

struct person_opts {
	int64_t now;              /* UTC seconds */
	int64_t from_date, to_date;
	const struct ics_limits *lim;   /* borrowed */
	unsigned flags;           /* PERSON_WHOLE_CHANGES, PERSON_USE_STORED, PERSON_TRUST_SAME, or 0 */
};

/* person_opts.flags: */
/* the week spans the days of every accepted change that touches the
 * horizon (export --itip), instead of the horizon */
#define PERSON_WHOLE_CHANGES 1u
/* a feed the store holds a copy of, read in the profile's zone over a
 * window that covers the horizon, is neither read nor fetched again: the
 * store is only read (the read-only commands without --refresh); without
 * it, every feed is imported */
#define PERSON_USE_STORED 2u
/* a feed file whose very bytes the store holds (same window, zone and
 * practitioner) is not read again, and its warnings are not given again
 * (import_opts.trust_same): for callers that keep none (batch workers) */
#define PERSON_TRUST_SAME 4u

/*
 * Open the person of profile `prof` (taken: person_release frees it,
 * whatever this returns): import every feed it names into s (idempotently,
 * each as one transaction; files and URLs), over the import window
 * (import_window(), widened to a horizon that passes it) so that every run
 * in the same week re-imports nothing; with PERSON_USE_STORED, only the feeds
 * the store holds no copy of that covers the horizon; read the week
 * (week_build) and put the decisions in force (week_apply_decisions); warn
 * of overrides that match no appointment. An accepted change is a move
 * from one date to another, and either may lie outside the horizon: the
 * week is read over the horizon plus the dates of every accepted change
 * whose old or new date is in it (at most 366 days), the decisions are put
 * in force there, and then the week is cut back to the horizon
 * (week_trim), so that an appointment moved out of it is gone and one
 * moved into it is there; with PERSON_WHOLE_CHANGES it is not cut back, and
 * pw->from_date and to_date say what it spans. Every feed is tried even when
 * one fails. Returns 0, or -1 with d filled (a horizon past 366 days or
 * ending before it starts is D_USAGE; a feed that cannot be read keeps its
 * file or network diagnostic).
 */
int person_open(struct person *pw, struct profile *prof, struct store *s, const struct person_opts *o,
		struct diag *d);
void person_release(struct person *pw);   /* NULL-safe inside */

/* What s holds of the feeds profile p names for the local dates
 * [from_date, to_date] (store_feeds_state), into *out (malloc'd): kept
 * with a proposal, whose decisions are refused once one of them has
 * changed (docs/decisions.md). Returns 0 or -1 (d filled). */
int person_feeds_state(const struct profile *p, struct store *s, int64_t from_date, int64_t to_date, char **out,
		       struct diag *d);

#endif
