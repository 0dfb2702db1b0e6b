/* check.h: the problems of a week (docs/check.md), found without changing anything. */
#ifndef DOVETAIL_CHECK_H
#define DOVETAIL_CHECK_H

#include <stddef.h>

#include "dovetail/week.h"

/* In the order problems of one moment are listed. */
#define CHECK_KINDS(X) \
	X(PK_OVERLAP,        "overlap",        1) \
	X(PK_DOUBLE_BOOKED,  "double-booked",  1) \
	X(PK_NO_CARER,       "no-carer",       1) \
	X(PK_TRAVEL,         "travel",         1) \
	X(PK_ROUTINE,        "routine",        1) \
	X(PK_ROUTINE_LATE,   "routine-late",   0) \
	X(PK_OUTSIDE_DAY,    "outside-day",    0) \
	X(PK_FREE_DAY,       "free-day",       0) \
	X(PK_ENERGY,         "energy",         0) \
	X(PK_TIME_OUT,       "time-out",       0) \
	X(PK_APPOINTMENTS,   "appointments",   0) \
	X(PK_REST,           "rest",           0) \
	X(PK_UNFAMILIAR,     "unfamiliar",     0) \
	X(PK_UNKNOWN_VENUE,  "unknown-venue",  0) \
	X(PK_NOT_PRACTITIONER, "unclaimed",      0) \
	X(PK_REPEAT_JOURNEY, "repeat-journey", 0) \
	X(PK_SCATTERED_DAY,  "scattered-day",  0)

enum problem_kind {
#define PK_ENUM_(k, name, err) k,
	CHECK_KINDS(PK_ENUM_)
#undef PK_ENUM_
	PK__COUNT
};

const char *problem_kind_name(enum problem_kind k);
int problem_is_error(enum problem_kind k);   /* else a warning */

#define PROBLEM_MAX_REFS 8

struct problem {
	enum problem_kind kind;
	int day;                 /* index into week.days */
	int from, to;            /* local minutes; the whole day is 0..1440 */
	int week_wide;           /* about the whole Monday-Sunday week of `day` */
	int venues[PROBLEM_MAX_REFS];   /* venue indices (-1: unknown) */
	size_t n_venues;
	int pracs[PROBLEM_MAX_REFS];    /* practitioner indices */
	size_t n_pracs;
	int appts[PROBLEM_MAX_REFS];    /* indices into week.appts */
	size_t n_appts;
	int routine;             /* routine index for PK_ROUTINE and PK_ROUTINE_LATE, else -1 */
	int window;              /* ... and the index of its start window */
	char msg[240];           /* what and why, with ids and times only */
};

struct problems {
	struct problem *v;
	size_t n, cap;
};

/* Find every problem of w, sorted by day, start, kind, practitioners.
 * Returns 0, or -1 when out of memory (d filled). */
int check_week(const struct week *w, struct problems *out, struct diag *d);
/* The same problems, in the same order, without their messages (each msg
 * is ""): for valuing plans, where only kinds, places and sizes count. */
int check_week_quiet(const struct week *w, struct problems *out, struct diag *d);
void problems_release(struct problems *ps);

#endif
