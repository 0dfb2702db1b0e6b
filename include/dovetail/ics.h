/* ics.h: reading iCalendar feeds (scan -> read) and expanding their recurrences. */
#ifndef DOVETAIL_ICS_H
#define DOVETAIL_ICS_H

#include <stddef.h>
#include <stdint.h>

#include <libical/ical.h>

#include "dovetail/diag.h"
#include "dovetail/util.h"

/*
 * Bounds on everything a feed can make grow. Defaults (ics_limits_default)
 * are documented in docs/limits.md; every bound, when passed, is an error
 * that names the file, line and, for expansion, the series.
 */
/* RRULE and EXRULE properties of one event (each is expanded; past this
 * the event is refused with D_LIM_RULES at the line of the one too many) */
#define ICS_MAX_RULES 16
/* days a DURATION may last (100 years): past this, or with a number longer
 * than 9 digits, it is refused as unreadable (D_ICS_BAD_DURATION, or
 * D_ICS_BAD_PERIOD in a PERIOD): libical's fields would wrap, and an end
 * past the year 9999 could not be written back */
#define ICS_MAX_DURATION_DAYS 36525

/* A duration's length in seconds, its sign aside (libical's
 * icaldurationtype_as_int is an int, which 69 years pass). */
int64_t ics_duration_secs(struct icaldurationtype du);

struct ics_limits {
	size_t max_file_bytes;   /* whole feed; default 64 MiB */
	size_t max_line_bytes;   /* one unfolded content line; default 1 MiB */
	size_t max_lines;        /* content lines per feed; default 4,000,000 */
	int max_depth;           /* component nesting; default 8 */
	size_t max_components;   /* VEVENT + VFREEBUSY per feed; default 50,000 */
	size_t max_series_occ;   /* occurrences of one series in the window; default 20,000 */
	size_t max_series_iter;  /* recurrence instances generated per series; default 250,000 */
	size_t max_dates;        /* RDATE and EXDATE values of one event; default 5,000 */
	size_t max_feed_occ;     /* occurrences per feed; default 2,000,000 */
	long cpu_budget_ms;      /* CPU time for expanding one feed; default 5,000 */
};
void ics_limits_default(struct ics_limits *lim);

/* ---- scan.c: content lines, unfolded, each with its position ---------- */

struct ics_line {
	const char *text;    /* unfolded line, NUL-terminated, owned by the scan */
	uint32_t len;
	uint32_t line;       /* 1-based physical line where it starts */
	uint32_t name_len;   /* the name is text[0, name_len), upper-cased */
	uint32_t value_off;  /* the value is text[value_off, len) */
	size_t src_off;      /* byte offset in the source of its first byte */
	size_t src_end;      /* byte offset just past its line ending */
	int bad;             /* malformed, already reported: 1 spoils its component,
				2 is a non-essential line that is only ignored */
};

/* name if it is a component name of RFC 5545 (or a later iCalendar RFC),
 * else a fixed phrase: what diagnostics show, never the file's own word. */
const char *ics_comp_shown(const char *name);

/* tzid if it is shaped like a time zone's name (an IANA name, "Area/Place",
 * with an optional prefix such as /mozilla.org/...; or a short
 * abbreviation or offset, "EST", "GMT+1"), else a fixed phrase: a TZID is
 * a feed's own text, and a diagnostic never shows free text from a feed. */
const char *ics_tzid_shown(const char *tzid);

/* A component as BEGIN ... END lines. */
struct ics_comp {
	char name[24];       /* "VEVENT"; longer names are cut, and never match */
	uint32_t begin, end; /* indices into lines[] of its BEGIN and END lines */
	int32_t parent;      /* index into comps[], -1 at the top */
	int depth;           /* 0 for a VCALENDAR */
	int complete;        /* it has its END line */
};

struct ics_scan {
	char *arena;             /* owned text of all lines */
	struct ics_line *lines;
	size_t n_lines, cap_lines;
	struct ics_comp *comps;  /* in BEGIN order */
	size_t n_comps, cap_comps;
	int fatal;               /* a file-level error: nothing should be imported */
};

/*
 * Split src (len bytes) into unfolded content lines and components.
 * Problems go to d as FILE:LINE:COL; the scan keeps what is well-formed so
 * that --keep-going can use the complete components. Returns 0, or -1 if
 * nothing usable was found or memory ran out.
 */
int ics_scan(struct ics_scan *s, const char *file, const char *src, size_t len,
	     const struct ics_limits *lim, struct diag *d);
void ics_scan_release(struct ics_scan *s);

/* The parameter NAME of a line (value unquoted into buf), or NULL. */
const char *ics_line_param(const struct ics_line *l, const char *name,
			   char *buf, size_t bufsz);

/* The METHOD of the scan's VCALENDAR (its own line, not a component's),
 * upper-cased into out (sz bytes, cut to fit; "" when none). Returns its
 * line, or 0 when there is none. */
uint32_t ics_scan_method(const struct ics_scan *s, char *out, size_t sz);
/* Whether METHOD m (upper case) is an iTIP request or answer, which
 * `import` refuses (docs/replies.md): REQUEST, REPLY, COUNTER,
 * DECLINECOUNTER. */
int ics_method_is_itip_answer_or_request(const char *m);

/* ---- read.c: events with their values parsed and time zones resolved -- */

enum ics_kind { ICS_VEVENT, ICS_VFREEBUSY };
enum ics_status { ICS_ST_NONE, ICS_ST_TENTATIVE, ICS_ST_CONFIRMED, ICS_ST_CANCELLED, ICS_ST_OTHER };

/* A DATE or DATE-TIME value. tt is the wall clock as written; tt.zone is
 * the UTC zone for a 'Z' value, the resolved zone for a TZID, and NULL for
 * floating values, dates and TZIDs that resolve to nothing. */
struct ics_rdate {
	struct icaltimetype start;
	int is_period;
	struct icaltimetype end;            /* when is_period and end given */
	struct icaldurationtype dur;        /* when is_period with a duration */
	int has_end;
	int line;
};

struct ics_busy {            /* one FREEBUSY period, UTC seconds */
	int64_t start, end;
	int type;            /* 0 BUSY, 1 BUSY-TENTATIVE, 2 BUSY-UNAVAILABLE, 3 FREE */
};

struct ics_event {
	enum ics_kind kind;
	int line;                    /* line of BEGIN: */
	int end_line;                /* line of END: (or the last line read) */
	size_t src_off, src_len;     /* the component's text in the feed's source */
	char *uid;                   /* owned; content-derived when the feed has none */
	int uid_synthesized;
	int has_dtstart, has_dtend, has_duration, has_rid, rid_future;
	struct icaltimetype dtstart, dtend, rid;
	struct icaldurationtype duration;
	char *tzid;                  /* DTSTART's TZID as written, owned, or NULL */
	struct icalrecurrencetype *rrules, *exrules;
	size_t n_rrules, n_exrules;  /* together at most ICS_MAX_RULES */
	struct ics_rdate *rdates;
	size_t n_rdates;
	struct icaltimetype *exdates;
	size_t n_exdates;
	struct ics_busy *busy;
	size_t n_busy;
	int sequence;
	enum ics_status status;
	char status_text[16];        /* upper-cased as written, "" if none */
	int transparent;             /* TRANSP:TRANSPARENT */
	char *summary, *location, *categories, *attendees, *organizer; /* owned, unescaped */
	char *description;       /* owned, unescaped; used only to match events to a person */
	char hash[65];               /* SHA-256 of the component text without DTSTAMP */
	int bad;                     /* an error was reported for it: skip it */
	int line_rrule;              /* line of the first RRULE, for reports */
};

struct ics_tzset;                /* time zones of one feed (tz.c) */

struct ics_feed {
	char *file;                  /* name shown in diagnostics, owned */
	struct bytes src;            /* the feed's bytes, owned */
	char hash[65];               /* SHA-256 of src */
	struct ics_scan scan;
	struct ics_event *ev;
	size_t n_ev, cap_ev;
	struct ics_tzset *tz;
	char *x_wr_timezone;         /* owned, or NULL */
	icaltimezone *x_wr_zone;     /* resolved X-WR-TIMEZONE, or NULL */
	int fatal;                   /* file-level error: nothing should be imported */
	size_t errors;               /* errors ics_read reported for this feed, dropped ones too */
};

/*
 * Read a feed. src is taken over (left empty). Each problem is reported
 * once in d; an event with an error has bad set, and f->errors counts every
 * error reported (0: a clean feed), so that callers need not count d.
 * Returns 0, or -1 when the feed is unusable as a whole (then fatal is set).
 */
int ics_read(struct ics_feed *f, const char *file, struct bytes *src,
	     const struct ics_limits *lim, struct diag *d);
void ics_feed_release(struct ics_feed *f);

/* The next item of a comma-separated list as CATEGORIES and ATTENDEE values
 * are kept (ics_event.categories, .attendees): from *p, advanced past it,
 * into *item and *len, without the blanks around it or a "mailto:" prefix.
 * Returns 0 at the end of the list. */
int ics_list_next(const char **p, const char **item, size_t *len);

/* Number of events in f with bad set. */
size_t ics_feed_bad_count(const struct ics_feed *f);

/* The RECURRENCE-ID of e as stored and printed: YYYYMMDD for a date,
 * YYYYMMDDTHHMMSSZ for an instant, YYYYMMDDTHHMMSS when floating; "" for
 * an event without one. out >= 20 bytes. */
void ics_rid_text(const struct ics_event *e, char *out);

/* UTC seconds of wall-clock seconds (as from a date or floating time) in zone. */
int64_t ics_wall_to_utc(int64_t wall, icaltimezone *zone);

/* ---- tz.c: TZID resolution ------------------------------------------ */

/*
 * Resolve TZID, in order: the feed's VTIMEZONE; an IANA name (also inside a
 * vendor prefix such as /mozilla.org/.../Europe/London); a Windows zone
 * name through ICU; an Outlook display name such as
 * "(UTC+00:00) Dublin, Edinburgh, Lisbon, London". Returns NULL when none
 * resolves; the first failure of each TZID is reported as a warning at
 * FILE:LINE. The zone is owned by the set or by libical.
 */
icaltimezone *ics_tz_resolve(struct ics_tzset *set, const char *tzid,
			     const char *file, int line, struct diag *d);
/* An IANA or Windows name alone (no feed), e.g. for --tz. NULL if unknown. */
icaltimezone *ics_tz_builtin(const char *name);
/* The IANA name for a Windows zone name, through ICU, into buf; or NULL. */
const char *ics_tz_windows_to_iana(const char *winid, char *buf, size_t bufsz);
/* The IANA name for an Outlook display name, into buf; or NULL. */
const char *ics_tz_display_to_iana(const char *display, char *buf, size_t bufsz);

/* A new, empty set (free with ics_tzset_free); never NULL (xalloc.h). */
struct ics_tzset *ics_tzset_new(void);
/* Add the VTIMEZONE made of lines[begin..end] (BEGIN and END included). */
int ics_tzset_add_vtimezone(struct ics_tzset *set, const struct ics_scan *s,
			    size_t begin, size_t end, const char *file, struct diag *d);
void ics_tzset_free(struct ics_tzset *set);

/* ---- expand.c: occurrences in a window ------------------------------ */

/* How a time is written: an instant, a floating wall clock, or a date.
 * Floating and date values are carried as "wall seconds": their wall clock
 * read as if it were UTC, which is also how the window compares them. */
enum ics_tkind { ICS_T_UTC = 0, ICS_T_FLOAT = 1, ICS_T_DATE = 2 };

struct ics_occ {
	int64_t start, end, rid;     /* seconds: UTC or wall, per the kinds */
	uint8_t kind, end_kind, rid_kind;
	uint8_t has_rid;             /* recurring: rid is its RECURRENCE-ID */
	uint8_t fb_type;             /* VFREEBUSY: the period's FBTYPE (struct ics_busy) */
	uint32_t ev;                 /* event whose properties it carries */
	uint32_t master;             /* the series' master, or ev */
};

struct ics_occs {
	struct ics_occ *v;
	size_t n, cap;
};

struct ics_expand_opts {
	int64_t from, to;            /* window [from, to), UTC seconds */
	icaltimezone *floating_zone; /* floating times resolve here (X-WR-TIMEZONE wins);
					NULL keeps them floating */
	const struct ics_limits *lim;
};

/* rrcheck.c: 1 when rule r, started at dtstart (wall clock), can be
 * shown to match no instant at all (BYMONTH=2;BYMONTHDAY=30, BYYEARDAY=366
 * in years an INTERVAL never makes leap, BYSETPOS past every period's set,
 * FREQ=MONTHLY;INTERVAL=12;BYMONTH=2 from January, ...); 0 when it
 * matches or cannot be judged (then expansion's CPU watchdog bounds it).
 * Costs a few steps for a rule that matches, at most one 400-year cycle of
 * days (146,097) for one that does not. */
int ics_rule_never_matches(const struct icalrecurrencetype *r, const struct icaltimetype *dtstart);

/*
 * Append every occurrence of f's events (VEVENT and VFREEBUSY) overlapping
 * the window to out, in no particular order. An occurrence overlaps when
 * start < to && end > from, or, with no length, when from <= start < to.
 * A series past a bound gets an error naming it and yields nothing (its
 * event gets bad set). Returns 0, or -1 when the feed's CPU budget or
 * occurrence cap is spent or memory ran out.
 */
int ics_expand(struct ics_feed *f, const struct ics_expand_opts *o,
	       struct ics_occs *out, struct diag *d);
void ics_occs_release(struct ics_occs *o);

/* Write time t of kind k in the oracle normal form into out (>= 17 bytes). */
void ics_fmt_time(int64_t t, int kind, char *out);

#endif
