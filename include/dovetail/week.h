/* week.h: the person's current week read from the store through the profile: appointments, busy time, days, routines. */
#ifndef DOVETAIL_WEEK_H
#define DOVETAIL_WEEK_H

#include <stddef.h>
#include <stdint.h>

#include <libical/ical.h>

#include "dovetail/diag.h"
#include "dovetail/profile.h"
#include "dovetail/store.h"

/* A placement the person refused for an appointment ("not this time",
 * docs/decisions.md): no proposal puts it there again. */
struct wk_refusal {
	int64_t date;            /* local date, days since the epoch */
	int start;               /* local minute of the day */
	int venue;               /* venue index, or -1 */
};

/* One of the person's appointments (an occurrence that matched a
 * practitioner's rule), in local minutes of its day. */
struct wk_appt {
	int prac;                /* index into profile.pracs */
	int day;                 /* index into week.days */
	int64_t start, end;      /* UTC seconds */
	int s_min, e_min;        /* local minutes from the day's midnight; e_min <= 1440 */
	int venue;               /* venue index, or -1 when LOCATION matched none */
	int has_location;        /* the event had a non-empty LOCATION */
	int tentative;
	char *uid, *rid;         /* owned; rid "" for a single event */
	double energy;           /* points */
	int movable;
	int kept;                /* the family said "don't move it" (reject --keep): not
				    movable, and no practitioner is asked to move it */
	const struct prof_window *window;   /* borrowed from the profile */
	const struct idx_list *venues;      /* allowed venues; n 0: the current one */
	/* as booked in the feed, before any decision (week_apply_decisions) */
	int64_t feed_start, feed_end;       /* UTC seconds */
	int feed_venue;                     /* venue index or -1 */
	int sequence;                       /* the event's SEQUENCE in the feed */
	char *organizer;                    /* owned; its ORGANIZER address, or NULL */
	int accepted;                       /* accepted changes recorded on it */
	int needs_carer;                    /* its practitioner's needs_carer (profile `carers:`) */
	struct wk_refusal *refused;         /* owned; placements refused (reject, or declined by the practitioner), by decision order */
	size_t n_refused;
	/* the event's own words, as its feed has them (owned, or NULL): only
	 * for the practitioner's own iTIP copy and the family's calendar
	 * (docs/export.md, "Words"); never in a message or log */
	char *summary, *description, *location_text;
	/* times its practitioner suggested (an iTIP COUNTER in force,
	 * docs/replies.md): candidates `propose` considers even outside the
	 * window and working pattern; by the order answers were recorded */
	struct wk_refusal *suggested;       /* owned */
	size_t n_suggested;
	/* > 0: a REQUEST sent about it no longer holds (its change was undone
	 * by another practitioner's answer): `send` sends a revised REQUEST,
	 * where it now is, with this SEQUENCE (docs/send.md, "Revisions") */
	int resend_sequence;
};

/* A practitioner's busy time with other clients (or free/busy); or a
 * carer's own busy time (profile `carers:`). */
struct wk_busy {
	int prac;                /* index into profile.pracs; -1 - c for carer c */
	int64_t start, end;      /* UTC seconds */
};

/* One leg of travel between venues (from == to never). */
struct wk_leg {
	int day;
	int from, to;            /* venue indices */
	int dep, arr;            /* local minutes */
};

/* A routine on one day: where it fits, or that it cannot. */
struct wk_routine {
	int routine;             /* index into profile.routines */
	int window;              /* index into its start windows */
	int day;
	int start;               /* local minutes of the first start that fits, or -1 */
	int late;                /* minutes that start is after its window's last start (0: in it) */
};

/* How late a routine may start after its window before it counts as not
 * kept (docs/profile.md, "routines"). */
#define WEEK_ROUTINE_MAX_LATE 180

/* Whether routines at places a and b (PLACE_HOME, PLACE_ANYWHERE or a
 * venue index; the home venue is home) may not overlap: the person cannot
 * be in two places at once, so one at home and one at a venue, or at two
 * venues, are apart. A routine anywhere may fall within any other (lunch
 * during the school day), and two at one place may overlap
 * (docs/profile.md, "routines"). */
int week_routines_apart(const struct profile *p, int a, int b);

/* Whether window wa of routine ra is placed before window wb of routine rb
 * on a day: the earlier window start first, then profile order, then
 * window order. Each routine keeps clear of those placed before it that
 * are apart from it (week_routines_apart). */
int week_routine_before(const struct profile *p, size_t ra, size_t wa, size_t rb, size_t wb);

struct wk_day {
	int64_t date;            /* days since 1970-01-01 (local date) */
	int64_t midnight;        /* UTC seconds of its local midnight */
	unsigned wd;             /* WD_* bit of its weekday */
	size_t first, n;         /* its appointments: appts[first .. first + n) */
	int journeys;            /* outings from home */
	int travel_min;          /* minutes of travel */
	double travel_cost;
	int time_out;            /* minutes from leaving home to coming back */
	double energy;           /* appointments plus travel */
};

struct week {
	const struct profile *p; /* borrowed */
	icaltimezone *zone;      /* the person's zone (libical built-in; not freed) */
	struct wk_day *days;
	size_t n_days;
	struct wk_appt *appts;   /* sorted by start, end, practitioner id, UID, RECURRENCE-ID */
	size_t n_appts;
	struct wk_busy *busy;
	size_t n_busy;
	struct wk_leg *legs;     /* by day, then departure */
	size_t n_legs;
	struct wk_routine *routines;  /* by day, then routine, then window */
	size_t n_routines;
	unsigned char *override_used; /* per profile override: matched an appointment */
	size_t appts_cap, busy_cap, legs_cap, routines_cap;
};

/*
 * Read the person's week: the days [from_date, to_date] (days since the
 * epoch, local, inclusive) from the store, through the profile's match
 * rules, venues, overrides and routines. Only occurrences of feeds the
 * profile names are read. Returns 0 and fills w (free with week_release),
 * or -1 with d filled.
 */
int week_build(struct week *w, const struct profile *p, struct store *s,
	       int64_t from_date, int64_t to_date, struct diag *d);
void week_release(struct week *w);
/* Free what one appointment owns (for code that drops one from a week). */
void week_appt_release(struct wk_appt *a);

/* Cut w down to the days [from_date, to_date] (within its own): the
 * appointments that start outside them go, and everything is derived
 * again. Returns 0 or -1 (d filled). */
int week_trim(struct week *w, int64_t from_date, int64_t to_date, struct diag *d);

/* Recompute what follows from the appointments (their order, each day's
 * list, journeys, travel, energy, routines) after they were changed. An
 * appointment's day follows its UTC start when that is in the horizon.
 * Returns 0 or -1 (d filled). */
int week_derive(struct week *w, struct diag *d);
/*
 * The week as the person agreed it (docs/decisions.md): for each
 * appointment (matched by practitioner, UID, RECURRENCE-ID and its start
 * in the feed), the last accept or keep stored for it is in force. An
 * accepted change moves the appointment there: that becomes its current
 * placement. A kept one (reject --keep) stays where it is booked and is no
 * longer movable, so no proposal moves it. Every rejected placement ("not
 * this time") goes in the appointment's `refused`, whatever else is
 * decided: no proposal puts it there again.
 * Each appointment's `accepted` counts the accepted changes on it (so that
 * an update sent for it can carry a higher SEQUENCE each time).
 * Then the practitioners' answers (`dovetail replies`, docs/replies.md):
 * the placement a DECLINED, DECLINECOUNTER or COUNTER answered is refused
 * for good; while the answer's SEQUENCE is still the one sent (no later
 * accept, no new SEQUENCE in the feed), the accepted change it answered is
 * no longer in force (the appointment is back where its feed has it), nor
 * are the accepts of the same proposal on the rest of its group (joint
 * partners, makes room for), and a COUNTER's time is in `suggested`.
 * Then everything is derived again. Returns 0 or -1 (d filled).
 */
int week_apply_decisions(struct week *w, struct store *s, struct diag *d);
/* The index of the appointment of practitioner prac with this UID,
 * RECURRENCE-ID and start in the feed (UTC), or -1. */
int week_find(const struct week *w, int prac, const char *uid, const char *rid, int64_t feed_start);
/* Put appointment i at local minute `minute` of local date `date` (days
 * since the epoch), keeping its length, at venue `venue` (-1: where it
 * is). Returns 0, or -1 when the date is outside the horizon (nothing
 * changed). Call week_derive after the last one. */
int week_place(struct week *w, size_t i, int64_t date, int minute, int venue);
/* A deep copy of src (appointments, busy time, days); free with week_release.
 * Returns 0 (it cannot fail; the int is kept for its callers). */
int week_copy(struct week *dst, const struct week *src, struct diag *d);
/* UTC seconds of local minute `minutes` of day index `day`. */
int64_t week_utc(const struct week *w, int day, int minutes);

/* The local date (days since the epoch) of UTC instant t in zone. */
int64_t week_local_date(int64_t t, icaltimezone *zone);

/* Local minutes of UTC instant t from the midnight of day index `day`,
 * clipped to 0..1440. */
int week_minutes(const struct week *w, int day, int64_t t);

/* Minutes at home that make going home between two appointments away
 * worth it (docs/profile.md, "How a day is read"). */
#define WEEK_HOME_STAY_MIN 30

/* The notice cut-off for practitioner prac's appointments (docs/propose.md,
 * "Notice"): now (UTC seconds) plus the practitioner's notice, else the
 * person's; working days and days step whole local days in the person's
 * zone, keeping the time of day. Nothing starting before it may move, and
 * nothing may move to a start before it. */
int64_t week_notice_cutoff(const struct week *w, int prac, int64_t now);
/* The last instant (UTC seconds) at which a change made at `now` that
 * moves appointment i (of w, where it is now) to local date to_date (days
 * since the epoch), minute to_minute, may still be accepted: every t from
 * now to it has a notice cut-off (week_notice_cutoff) not after the
 * appointment's start nor the new one (the cut-off can fall back over a
 * weekend: the first t after now past it closes the change). At least
 * now: what the solver offered at now may be accepted at now. Kept with
 * the change (store_change.decide_by); docs/decisions.md. */
int64_t week_decide_by(const struct week *w, size_t i, int64_t to_date, int to_minute, int64_t now);

/* Whether practitioner prac is busy with another client within [s, e) (UTC). */
int week_busy(const struct week *w, int prac, int64_t s, int64_t e);

/* A carer goes with the person from leaving home to coming back: for an
 * appointment at venue (-1: unknown, no journey) within [s, e) (UTC), the
 * carer's time is [*cs, *ce): s less the journey from home, e plus the
 * journey home (docs/profile.md, "carers"). */
void week_carer_span(const struct week *w, int venue, int64_t s, int64_t e, int64_t *cs, int64_t *ce);

#define WEEK_CARER_NONE_NEEDED (-1)
#define WEEK_CARER_NONE_FREE (-2)
/* The carer who takes the person to appointment a at venue within [s, e)
 * (UTC): the first listed carer who takes the person to its practitioner
 * and has no busy time of their own in the carer's time (week_carer_span).
 * Returns the carer's index, WEEK_CARER_NONE_NEEDED when the appointment
 * needs no carer (its practitioner's needs_carer, or no carers listed), or
 * WEEK_CARER_NONE_FREE when every carer who would take it is busy. */
int week_carer_for(const struct week *w, const struct wk_appt *a, int venue, int64_t s, int64_t e);

/* Whether appointment a could take place at venue within [s, e) as far as
 * carers go: week_carer_for is not WEEK_CARER_NONE_FREE. */
int week_carer_free(const struct week *w, const struct wk_appt *a, int venue, int64_t s, int64_t e);

/* Whether a and b form a joint session: the same day, start and known
 * venue, and practitioners who each list the other in joint_with. The
 * session is as long as its longest part and costs the energy of its most
 * tiring part; it is one visit for travel. */
int week_joint(const struct week *w, const struct wk_appt *a, const struct wk_appt *b);

/* Whether window win lets an appointment on day index `from` go to day
 * index `to`: within +-days, in the same Monday-Sunday week if asked, on
 * one of its weekdays. */
int week_window_allows(const struct week *w, const struct prof_window *win, int from, int to);

/* Whether an appointment could take place on day `day` (index) at its
 * venue: it is movable, its window allows the day, and its practitioner
 * works that weekday at that venue for long enough. */
int week_could_move_to(const struct week *w, const struct wk_appt *a, int day);

#endif
