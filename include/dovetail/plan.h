/* plan.h: one change to the person's week (which appointment, where it was, where it goes, how) and the one function that applies changes to a week. */
#ifndef DOVETAIL_PLAN_H
#define DOVETAIL_PLAN_H

#include <stddef.h>
#include <stdint.h>

/* Which appointment: one occurrence as booked in its feed. */
struct appt_ref {
	const char *practitioner; /* practitioner id in the profile */
	const char *uid, *rid;    /* rid "" for a single event */
	int64_t start, end;       /* the occurrence as booked in the feed, UTC seconds */
};

/* Where and when an appointment is: a local date (days since the epoch, in
 * the person's zone), a start in local minutes from that date's midnight
 * (0 to 1439), and a venue id (NULL: unknown). */
struct place {
	int64_t date;
	int start;
	const char *venue;
};

/* The kinds of a change, as bits; a joint change may also move. */
enum { CHANGE_MOVE = 1, CHANGE_VENUE = 2, CHANGE_JOINT = 4 };

/*
 * One change: appointment `appt` goes from `from` to `to`. This is the one
 * shape of a change everywhere: the solver's proposals (sv_change), the
 * stored ones (store_change), the decisions in force, the report's views.
 * Strings are borrowed.
 */
struct change {
	struct appt_ref appt;
	struct place from, to;
	unsigned kind;            /* CHANGE_* bits, at least one */
};

struct week;
struct diag;

/*
 * Apply n changes to w: each appointment, found by its reference
 * (practitioner, UID, RECURRENCE-ID and its start in the feed), is put at
 * its change's `to`, keeping its length (a NULL or unknown venue keeps the
 * one it has); then everything that follows is derived again, once. `from`
 * is not required to match where the appointment is now (a later decision
 * supersedes an earlier one). A change whose appointment is not in w, or
 * whose `to` date is outside w's horizon, is not applied. where, if not
 * NULL, gets per change the index of its appointment in w->appts after
 * the derivation, or -1 when not applied. Returns how many were applied,
 * or -1 (d filled: out of memory).
 */
int week_apply_changes(struct week *w, const struct change *v, size_t n, int *where, struct diag *d);

/*
 * dst: a copy of src (week_copy) with the n changes v applied
 * (week_apply_changes, where as there), and derived even when none of them
 * moved anything (n 0, or their appointments gone): week_copy copies the
 * appointments, not the travel and routines derived from them, so a copy
 * read without a derivation has no journeys, no routines and none of the
 * problems about them. Returns 0, or -1 (d filled); release dst with
 * week_release either way.
 */
int week_copy_changed(struct week *dst, const struct week *src, const struct change *v, size_t n, int *where,
		      struct diag *d);

#endif
