/* profile.h: the person profile (docs/profile.md): loading it strictly, venues, travel. */
#ifndef DOVETAIL_PROFILE_H
#define DOVETAIL_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"

/* Weekday bits: bit 0 is Monday ... bit 6 is Sunday. */
#define WD_ALL 0x7fu
#define PROFILE_MAX_ID 64    /* bytes of an id (A-Z a-z 0-9 . _ -) of a practitioner, venue, carer, routine */
#define PROFILE_MAX_PRACS 64 /* practitioners and the family's calendar: the bits of a uint64_t */
unsigned wd_bit_of_days(int64_t days_since_epoch);  /* 1970-01-01 was a Thursday */

/* A local time-of-day range, minutes from midnight, from < to <= 1440. */
struct prof_range {
	int from, to;
};

/* Where in time an appointment may move (docs/profile.md, "Windows"). */
struct prof_window {
	int days;                /* +- days, 0..28 */
	int same_week;
	unsigned weekdays;       /* WD_* bits */
	struct prof_range *times;/* owned; n_times 0 means the person's day */
	size_t n_times;
};

enum venue_kind {
	VK_HOME, VK_CLINIC, VK_HOSPITAL, VK_GP, VK_SCHOOL, VK_NURSERY,
	VK_DAY_CENTRE, VK_COMMUNITY, VK_OTHER
};
const char *venue_kind_name(enum venue_kind k);

struct prof_venue {
	char *id, *name;         /* owned; name defaults to the id */
	char **aliases;          /* owned */
	size_t n_aliases;
	enum venue_kind kind;
	int has_at;
	double lat, lon;         /* degrees, when has_at */
};

/* A list of indices into profile.venues. */
struct idx_list {
	int *v;                  /* owned */
	size_t n;
};

struct prof_work {
	unsigned days;           /* WD_* bits */
	struct prof_range hours;
	struct idx_list venues;  /* n 0 means any venue */
};

enum match_kind { MATCH_ALL, MATCH_ATTENDEE, MATCH_CATEGORIES, MATCH_TEXT };

struct prof_path {
	char *given;             /* as written in the profile */
	char *path;              /* resolved from the profile's folder, for messages */
	char *source;            /* its canonical absolute path: the store's feed source */
	int line, col;           /* where it was written */
};

/* How long before an appointment it may no longer be moved, nor anything
 * moved to it (docs/propose.md, "Notice"): `amount` working days (Monday
 * to Friday), calendar days or hours after "now". */
enum notice_unit { NOTICE_WORKING_DAYS, NOTICE_DAYS, NOTICE_HOURS };
struct prof_notice {
	int amount;              /* 0..28 days, 0..672 hours */
	enum notice_unit unit;
};

struct prof_practitioner {
	char *id, *role, *agency, *display_name;   /* owned; agency, display_name may be NULL */
	struct prof_path *feeds;
	size_t n_feeds;
	enum match_kind match;
	char *match_text;        /* owned; NULL for MATCH_ALL */
	struct prof_work *works; /* owned; n_works 0 means any time, any venue */
	size_t n_works;
	int default_venue;       /* venue index, or -1 */
	int movable;
	struct prof_window window;
	struct idx_list venues;  /* allowed venues; n 0 means the current venue only */
	double intensity;        /* energy points per hour */
	int familiar;
	int people;
	struct idx_list joint_with;  /* practitioner indices */
	char *address;           /* owned; calendar address "mailto:..." or NULL */
	int share_display_name;  /* the person's display_name may go in this one's iTIP files */
	int private_text;        /* `private`: its feeds' words (SUMMARY, DESCRIPTION) never go in
				    the family's calendar, only the role */
	int has_notice;          /* notice given here; else the person's */
	struct prof_notice notice;
	int family;              /* the family's own calendar (`family:`, id "family"):
				    the person's own commitments, fixed; listed last */
	int needs_carer;         /* its appointments need a carer free (`carers:`); default:
				    yes when carers are listed, never for the family's calendar */
	int line, col;           /* where its entry starts (`family:` for the family's calendar) */
	int feeds_line, feeds_col;  /* where its `feeds` key is written; 0 when not given */
};

/* Someone who takes the person to appointments (`carers:`): their own busy
 * time (shifts, their own appointments) is in their feeds. */
struct prof_carer {
	char *id;                /* owned */
	struct prof_path *feeds;
	size_t n_feeds;
	struct prof_work *working; /* working hours: busy time every week (venues unused) */
	size_t n_working;
	uint64_t takes;          /* practitioner indices (bits) this carer takes the person to; 0: all */
	int line, col;
};

struct prof_override {
	char *uid;               /* owned */
	int has_rid;
	int64_t rid;             /* UTC seconds, when has_rid */
	int movable;             /* -1 when not given */
	int has_window;
	struct prof_window window;
	struct idx_list venues;  /* n 0: not given */
	double energy;           /* < 0 when not given */
	int line, col;
};

enum routine_kind {
	RK_SLEEP, RK_FEED, RK_MEAL, RK_MEDICATION, RK_REST, RK_SCHOOL,
	RK_NURSERY, RK_SCHOOL_RUN, RK_OTHER
};
const char *routine_kind_name(enum routine_kind k);

#define PLACE_HOME (-1)
#define PLACE_ANYWHERE (-2)

struct prof_routine {
	char *id;                /* owned */
	enum routine_kind kind;
	int duration;            /* minutes, > 0 */
	struct prof_range *starts;  /* owned: windows for the start; one routine each */
	size_t n_starts;
	unsigned days;           /* WD_* bits */
	int place;               /* PLACE_HOME, PLACE_ANYWHERE or a venue index */
};

enum grouping { GROUP_NEUTRAL, GROUP_WANTED, GROUP_UNWANTED };

struct prof_when {
	unsigned days;
	struct prof_range times;
};

struct prof_weights {
	double journeys, travel_minutes, travel_money, change, change_day,
	       change_venue, routine_shift, peak_energy, unfamiliar, preference;
};

/* Tier 2 of propose (docs/propose.md, "Three tiers"): the penalty per unit
 * of each of the person's rules broken; each in (0, 10000]. In the order of
 * the profile's `compromises:` keys. */
struct prof_compromise {
	double routine_missed;   /* per routine (window, day) not kept */
	double routine_late;     /* per minute a routine starts after its window */
	double outside_day;      /* per minute of an appointment outside the person's day */
	double free_day;         /* per appointment on a day kept free */
	double energy;           /* per energy point over the budget, per day */
	double time_out;         /* per minute over max_time_out_per_day, per day */
	double appointments;     /* per appointment over max_appointments_per_day */
	double rest;             /* per minute short of min_rest_between, per pair */
	double unfamiliar_day;   /* per person over max_unfamiliar_per_day, per day */
	double unfamiliar_week;  /* per person over max_unfamiliar_per_week, per week */
};

enum travel_mode { TM_WALK, TM_WHEELCHAIR, TM_BUS, TM_CAR, TM_TAXI, TM__COUNT };

struct profile {
	char *path;              /* owned: the profile file as given */
	char *dir;               /* owned: its folder, for relative paths */

	char *person_id, *display_name;  /* owned; display_name may be NULL */
	/* who sends the agreed changes (export --itip): a calendar address
	 * "mailto:..." and a name for its CN; owned, either may be NULL */
	char *coordinator_address, *coordinator_name;
	/* how `send` reaches its SMTP server (mail:, docs/send.md): the
	 * server's smtp:// or smtps:// URL (no user or password in it), the
	 * user name to log in with, and a CA file for a private CA; owned,
	 * each may be NULL (ca_file.path NULL). mail_starttls: 1 (default)
	 * STARTTLS is required on smtp://, 0 the user opted out */
	char *mail_server, *mail_username;
	struct prof_path mail_ca_file;
	int mail_starttls;
	char *timezone;          /* owned; a name ics_tz_builtin() knows */
	struct prof_range day;   /* default 07:00-19:00 */
	int slot;                /* minutes, divides 60 */
	int home;                /* venue index */
	enum travel_mode mode;

	struct prof_venue *venues;
	size_t n_venues;

	/* travel between venue i and j: minutes [i * n + j], -1 when unknown */
	int *travel_min;
	double *travel_cost;
	double detour, overhead;
	double speed[TM__COUNT], cost_per_km[TM__COUNT];

	struct prof_practitioner *pracs;
	size_t n_pracs;
	struct prof_override *overrides;
	size_t n_overrides;
	struct prof_routine *routines;
	size_t n_routines;
	struct prof_carer *carers;
	size_t n_carers;

	double energy_budget, travel_energy_per_hour;

	/* limits; -1 means none */
	int max_appts_per_day, max_time_out, max_unfam_day, max_unfam_week, min_rest;
	unsigned free_days;

	enum grouping grouping;
	struct prof_when *preferred, *avoid;
	size_t n_preferred, n_avoid;
	struct prof_weights weights;
	struct prof_compromise compromise;
	struct prof_notice notice;   /* the person's default notice */
};

/*
 * Load and check the profile at path. Every problem is an error at
 * FILE:LINE:COL in d (exit status 65); a profile with any error is not
 * returned. Paths in it are resolved from its folder and must be readable.
 * Returns 0 and *out (free with profile_free), or -1.
 */
int profile_load(struct profile **out, const char *path, struct diag *d);
/* The same from text already in memory (for tests and fuzzing); path names it
 * in diagnostics and sets the folder for relative paths. */
int profile_load_text(struct profile **out, const char *path, const char *text,
		      size_t len, struct diag *d);
void profile_free(struct profile *p);   /* NULL-safe */
/* For tests: read at most n (1 .. 65,536, the bound in src/profile/getters.h)
 * entries of travel.matrix from now on; the YAML events of a profile stop a
 * matrix at about 20,000 entries before the bound itself. */
void profile_matrix_limit(size_t n);

/* The venue whose name or alias LOCATION contains as whole words (longest
 * wins, then the first listed), or -1. */
int profile_match_venue(const struct profile *p, const char *location);

/* Travel minutes from venue a to b, rounded up to whole slots (0 when
 * a == b; -1 when unknown, or when a or b is negative). A non-negative
 * a or b must be a venue index (asserted). */
int profile_travel(const struct profile *p, int a, int b);
double profile_travel_cost(const struct profile *p, int a, int b);

/* Whether practitioners a and b (indices, asserted) each list the other in joint_with. */
int profile_joint(const struct profile *p, int a, int b);

/* Index of a practitioner or venue id, or -1. */
int profile_prac_index(const struct profile *p, const char *id);
int profile_venue_index(const struct profile *p, const char *id);

/* The sources of the profile's feeds (a feed's path when it has no
 * source), practitioners' then carers', into a new array (free it; the
 * strings are the profile's) of *n. */
const char **profile_feed_sources(const struct profile *p, size_t *n);

#endif
