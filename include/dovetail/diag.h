/* diag.h: the one diagnostics catalogue, and the list library code fills. */
#ifndef DOVETAIL_DIAG_H
#define DOVETAIL_DIAG_H

#include <stddef.h>

/*
 * Exit statuses (documented in docs/exit-status.md). A command exits with
 * the status of the worst diagnostic it reported; warnings exit 0.
 */
enum dv_exit {
	DV_EXIT_OK = 0,
	DV_EXIT_PROBLEMS = 1, /* check: the week has problems (a linter's "found") */
	DV_EXIT_PARTIAL = 2,  /* propose: some appointment cannot be placed; the result is partial */
	DV_EXIT_USAGE = 64,   /* EX_USAGE: unknown command or option, bad option value */
	DV_EXIT_INPUT = 65,   /* EX_DATAERR: a feed or a profile is invalid */
	DV_EXIT_LIMIT = 65,   /* EX_DATAERR too: an input went past a bound */
	DV_EXIT_IO = 66,      /* EX_NOINPUT: a file named on the command line cannot be read */
	DV_EXIT_UNAVAILABLE = 69, /* EX_UNAVAILABLE: a feed URL cannot be fetched (HTTP status, network) */
	DV_EXIT_INTERNAL = 70,/* EX_SOFTWARE: a bug, please report it */
	DV_EXIT_CANTCREAT = 73, /* EX_CANTCREAT: an output file named on the command line cannot be written */
	DV_EXIT_STORE = 74    /* EX_IOERR: the database cannot be opened, is unsafe, or failed */
};

enum diag_severity { DIAG_NOTE = 0, DIAG_WARNING = 1, DIAG_ERROR = 2 };

/*
 * X(code, severity, exit status, message template)
 * Templates take only %s arguments. Messages never quote free text from a
 * feed (summaries, descriptions, names): they name files, lines, property
 * names, ids and values such as dates, so that logs carry no health data.
 */
#define DIAG_CATALOGUE(X) \
	X(D_USAGE,               ERROR,   USAGE,  "%s") \
	X(D_BAD_ARG,             ERROR,   USAGE,  "invalid %s: '%s' (%s)") \
	X(D_ARG_UTF8,            ERROR,   USAGE,  "argument %s is not valid UTF-8 (byte %s): dovetail takes UTF-8 text, names and file names") \
	X(D_TEXT_UTF8,           ERROR,   USAGE,  "%s is not valid UTF-8 (byte %s); nothing recorded") \
	X(D_IO_OPEN,             ERROR,   IO,     "cannot open: %s") \
	X(D_IO_READ,             ERROR,   IO,     "cannot read: %s") \
	X(D_IO_TOO_BIG,          ERROR,   LIMIT,  "file is larger than the limit of %s bytes") \
	X(D_ICS_EMPTY,           ERROR,   INPUT,  "empty file: no iCalendar data") \
	X(D_ICS_LINE_TOO_LONG,   ERROR,   LIMIT,  "content line is longer than the limit of %s bytes") \
	X(D_ICS_TOO_MANY_LINES,  ERROR,   LIMIT,  "more than %s content lines") \
	X(D_ICS_BAD_UTF8,        WARNING, OK,     "invalid UTF-8 byte sequence; each bad byte is read as '?'") \
	X(D_ICS_LINE_IGNORED,    WARNING, OK,     "malformed line of %s ignored (it is not one dovetail needs)") \
	X(D_ICS_LENIENT,         WARNING, OK,     "%s: %s; read as %s") \
	X(D_ICS_CONTROL,         ERROR,   INPUT,  "control character 0x%s in a content line") \
	X(D_ICS_BAD_NAME,        ERROR,   INPUT,  "expected a property name (letters, digits and '-')") \
	X(D_ICS_BAD_PARAM,       ERROR,   INPUT,  "malformed parameter in %s") \
	X(D_ICS_NO_COLON,        ERROR,   INPUT,  "missing ':' after the name of %s") \
	X(D_ICS_END_MISMATCH,    ERROR,   INPUT,  "END:%s does not close BEGIN:%s of line %s") \
	X(D_ICS_END_UNOPENED,    ERROR,   INPUT,  "END:%s without a matching BEGIN") \
	X(D_ICS_UNCLOSED,        ERROR,   INPUT,  "truncated file: BEGIN:%s of line %s is never closed") \
	X(D_ICS_OUTSIDE,         ERROR,   INPUT,  "%s outside BEGIN:VCALENDAR ... END:VCALENDAR") \
	X(D_ICS_BARE,            WARNING, OK,     "BEGIN:%s outside any VCALENDAR; read as if inside one") \
	X(D_ICS_NESTING,         ERROR,   LIMIT,  "components nested deeper than the limit of %s") \
	X(D_ICS_NO_CALENDAR,     ERROR,   INPUT,  "no VCALENDAR component") \
	X(D_ICS_TOO_MANY_COMPS,  ERROR,   LIMIT,  "more than %s events in one feed") \
	X(D_ICS_NO_DTSTART,      ERROR,   INPUT,  "%s %s has no DTSTART") \
	X(D_ICS_BAD_TIME,        ERROR,   INPUT,  "%s: invalid %s value") \
	X(D_ICS_BAD_DURATION,    ERROR,   INPUT,  "%s: invalid duration") \
	X(D_ICS_BAD_PERIOD,      ERROR,   INPUT,  "%s: invalid period") \
	X(D_ICS_BAD_INTEGER,     ERROR,   INPUT,  "%s: invalid integer") \
	X(D_ICS_BAD_RRULE,       ERROR,   INPUT,  "%s: invalid recurrence rule (%s)") \
	X(D_ICS_IMPOSSIBLE_RULE, WARNING, OK,     "series %s: the recurrence rule never matches a date; only DTSTART occurs") \
	X(D_ICS_SUBDAILY,        WARNING, OK,     "series %s: FREQ=%s is a sub-hourly rule; expansion is bounded") \
	X(D_ICS_COUNT_UNTIL,     WARNING, OK,     "%s: RRULE has both COUNT and UNTIL (RFC 5545 3.3.10); UNTIL is ignored") \
	X(D_ICS_END_BEFORE_START,ERROR,   INPUT,  "%s %s ends before it starts") \
	X(D_ICS_DTEND_DURATION,  ERROR,   INPUT,  "%s %s has both DTEND and DURATION") \
	X(D_ICS_MIXED_VALUE,     WARNING, OK,     "%s: value type differs from DTSTART's; compared as %s") \
	X(D_ICS_NO_UID,          WARNING, OK,     "%s has no UID; using the content-derived id %s") \
	X(D_ICS_DUPLICATE,       WARNING, OK,     "UID %s with RECURRENCE-ID %s appears again; the later component of line %s is used") \
	X(D_ICS_BAD_ENUM,        WARNING, OK,     "%s: unknown value; treated as %s") \
	X(D_ICS_BAD_VTIMEZONE,   WARNING, OK,     "VTIMEZONE %s is unusable (%s); trying other sources") \
	X(D_ICS_TZ_UNKNOWN,      WARNING, OK,     "TZID '%s' resolves to no time zone; its times are treated as floating") \
	X(D_ICS_TZ_MAPPED,       NOTE,    OK,     "TZID '%s' resolved as %s") \
	X(D_ICS_EXRULE,          WARNING, OK,     "series %s: EXRULE is deprecated (RFC 5545 appendix A.3) but applied") \
	X(D_LIM_SERIES,          ERROR,   LIMIT,  "series %s: more than %s occurrences in the window") \
	X(D_LIM_ITER,            ERROR,   LIMIT,  "series %s: more than %s recurrence instances before the window ends") \
	X(D_LIM_DATES,           ERROR,   LIMIT,  "series %s: more than %s RDATE and EXDATE values") \
	X(D_LIM_RULES,           ERROR,   LIMIT,  "series %s: more than %s RRULE and EXRULE properties") \
	X(D_LIM_FEED,            ERROR,   LIMIT,  "series %s: the feed passes the limit of %s occurrences") \
	X(D_LIM_CPU,             ERROR,   LIMIT,  "series %s: the feed's CPU budget of %s ms is spent") \
	X(D_STORE_OPEN,          ERROR,   STORE,  "cannot open database %s: %s") \
	X(D_STORE_PERM,          ERROR,   STORE,  "database %s can be read by others (mode %s); refusing it: run chmod 600") \
	X(D_STORE_NOT_FILE,      ERROR,   STORE,  "database %s is not a regular file") \
	X(D_STORE_OWNER,         ERROR,   STORE,  "database %s belongs to another user; refusing it") \
	X(D_STORE_NEWER,         ERROR,   STORE,  "database schema version %s is newer than this dovetail understands (%s)") \
	X(D_STORE_SQL,           ERROR,   STORE,  "database error: %s") \
	X(D_UNKNOWN_ID,          ERROR,   INPUT,  "no %s '%s' in the store") \
	X(D_SUPERSEDED,          ERROR,   INPUT,  "proposal %s is superseded (a later propose left it out): run `dovetail propose` again and decide on its proposals") \
	X(D_DECIDE_CONFLICT,     ERROR,   INPUT,  "change %s conflicts with change %s, decided since (%s): run `dovetail propose` again and decide on its proposals") \
	X(D_IMP_SKIPPED,         ERROR,   INPUT,  "skipped %s: %s") \
	X(D_IMP_REJECTED,        ERROR,   INPUT,  "feed rejected: %s error(s); nothing was written (use --keep-going to import the valid events)") \
	X(D_IMP_ITIP,            ERROR,   INPUT,  "METHOD:%s: this is an iTIP message, not a calendar feed; nothing imported (read practitioners' answers with `dovetail replies`)") \
	X(D_IMP_STALE,           NOTE,    OK,     "UID %s: stored SEQUENCE %s is higher than the feed's %s; the stored version is kept") \
	X(D_PROF_TOO_BIG,        ERROR,   INPUT,  "the file is larger than the limit of %s bytes") \
	X(D_PROF_BAD_UTF8,       ERROR,   INPUT,  "invalid UTF-8 byte 0x%s") \
	X(D_PROF_YAML,           ERROR,   INPUT,  "YAML syntax: %s") \
	X(D_PROF_REFUSED,        ERROR,   INPUT,  "YAML %s are refused in a profile (docs/profile.md)") \
	X(D_PROF_DEEP,           ERROR,   INPUT,  "nesting deeper than the limit of %s levels") \
	X(D_PROF_SCALAR,         ERROR,   INPUT,  "a value longer than the limit of %s bytes") \
	X(D_PROF_EVENTS,         ERROR,   INPUT,  "more than %s YAML nodes") \
	X(D_PROF_EMPTY,          ERROR,   INPUT,  "the profile is empty") \
	X(D_PROF_UNKNOWN_KEY,    ERROR,   INPUT,  "an unknown key in %s%s") \
	X(D_PROF_DUP_KEY,        ERROR,   INPUT,  "key '%s' given twice (first on line %s)") \
	X(D_PROF_MISSING,        ERROR,   INPUT,  "%s: missing required key '%s'") \
	X(D_PROF_TYPE,           ERROR,   INPUT,  "%s: expected %s, found %s") \
	X(D_PROF_VALUE,          ERROR,   INPUT,  "%s: %s") \
	X(D_PROF_BACKWARDS,      ERROR,   INPUT,  "%s: the range '%s' ends before it starts") \
	X(D_PROF_FILE,           ERROR,   INPUT,  "%s: cannot read '%s': %s") \
	X(D_PROF_NO_ID,          ERROR,   INPUT,  "%s: no %s with id '%s'") \
	X(D_PROF_DUP_ID,         ERROR,   INPUT,  "%s: id '%s' is already used on line %s") \
	X(D_PROF_TOO_MANY,       ERROR,   INPUT,  "%s: more than %s entries") \
	X(D_PROF_CSV,            ERROR,   INPUT,  "travel CSV: %s") \
	X(D_PROF_NO_TRAVEL,      WARNING, OK,     "no travel time known between venues '%s' and '%s' (no matrix entry, CSV row or coordinates); counted as 0") \
	X(D_PROF_OVERRIDE_UNUSED,WARNING, OK,     "override for UID %s matches no appointment of this person in the horizon") \
	X(D_WEEK_TWO_CLAIMS,     WARNING, OK,     "the appointment at %s in a feed that practitioners %s and %s share is claimed by both rules; it goes to %s (the more specific rule, else the first listed: docs/profile.md)") \
	X(D_LIM_INSTANCE,        ERROR,   LIMIT,  "the instance passes the limit of %s %s") \
	X(D_PLAN_INVALID,        ERROR,   INTERNAL, "plan_check: %s") \
	X(D_PLAN_TEXT,           ERROR,   INPUT,  "stored plan, at byte %s: %s") \
	X(D_SOLVER,              ERROR,   INTERNAL, "the MIP solver (GLPK) failed: %s") \
	X(D_SOLVER_CAP,          WARNING, OK,     "the solve stopped early (%s); the plan holds every appointment but is not proven optimal (gap %s)") \
	X(D_ITIP_NO_COORDINATOR, ERROR,   INPUT,  "export --itip needs coordinator.address in the profile: who the changes come from (docs/profile.md)") \
	X(D_ITIP_NO_ADDRESS,     ERROR,   INPUT,  "practitioner %s has a changed appointment but no address (practitioners[].address), and the event no ORGANIZER: there is nobody to send it to") \
	X(D_ITIP_BAD_ADDRESS,    ERROR,   INPUT,  "practitioner %s: the ORGANIZER of a changed event is not one calendar address (mailto:name@domain); no message is addressed to it") \
	X(D_REPLY_UNMATCHED,     WARNING, OK,     "%s answers no change that was sent (no agreed change of this person's with that UID and RECURRENCE-ID); nothing recorded") \
	X(D_REPLY_ADDRESS,       WARNING, OK,     "%s: %s is not the address the change was sent to; nothing recorded") \
	X(D_REPLY_STALE,         WARNING, OK,     "%s is for SEQUENCE %s, but SEQUENCE %s is the one sent (%s); nothing recorded") \
	X(D_REPLY_MALFORMED,     ERROR,   INPUT,  "not a usable iTIP answer: %s; nothing recorded from this message") \
	X(D_REPLY_LIMIT,         ERROR,   LIMIT,  "more %s than the limit of %s; nothing recorded") \
	X(D_LIM_JOINT,           ERROR,   LIMIT,  "the caseload's master passes the limit of %s %s") \
	X(D_BATCH_TWICE,         ERROR,   INPUT,  "person %s is in two shard stores: each person must be in exactly one") \
	X(D_BATCH_MISSING,       ERROR,   INPUT,  "%s person(s) of the caseload are in no shard store, the first %s") \
	X(D_BATCH_PERSON,        ERROR,   PARTIAL, "person %s skipped: %s") \
	X(D_BATCH_NO_RUN,        ERROR,   INPUT,  "no stored run %s to resume: run the batch without --resume") \
	X(D_CASELOAD_FEEDS,      ERROR,   INPUT,  "practitioner %s is shared, but this profile names other feeds for it than %s: one diary, one truth (docs/batch.md, \"The sharing graph\")") \
	X(D_NET_CREDENTIALS,     ERROR,   USAGE,  "%s: a URL with a user or password in it is refused: put credentials in a netrc file or the environment (docs/feeds.md)") \
	X(D_NET_SCHEME,          ERROR,   USAGE,  "%s: not an http, https or webcal URL") \
	X(D_NET_HTTP,            ERROR,   UNAVAILABLE, "%s: HTTP status %s; nothing imported") \
	X(D_NET_FAILED,          ERROR,   UNAVAILABLE, "%s: %s; nothing imported") \
	X(D_NET_TOO_BIG,         ERROR,   LIMIT,  "%s: the response is larger than the limit of %s bytes; nothing imported") \
	X(D_CALDAV_CONFLICT,     ERROR,   PARTIAL, "%s: %s: %s; it is left as the server holds it") \
	X(D_CALDAV_WRITE,        ERROR,   UNAVAILABLE, "%s: %s %s failed: %s; what was written before it is recorded, the rest is left for the next run") \
	X(D_CALDAV_LIMIT,        ERROR,   LIMIT,  "%s: %s, past the limit of %s (docs/limits.md); nothing written") \
	X(D_SMTP_CONF,           ERROR,   INPUT,  "send: %s (docs/send.md)") \
	X(D_SMTP_FAILED,         ERROR,   UNAVAILABLE, "%s: the message to %s was not sent: %s; nothing more is sent") \
	X(D_SMTP_REFUSED,        ERROR,   INPUT,  "%s refused the recipient %s: %s; nothing more is sent") \
	X(D_SEND_TOO_BIG,        ERROR,   LIMIT,  "the message to %s is %s bytes, over the limit of %s (DOVETAIL_SMTP_MAX_BYTES); nothing more is sent") \
	X(D_SEND_LIMIT,          ERROR,   PARTIAL, "%s message(s) left for the next run: at most %s are sent per run (DOVETAIL_SMTP_MAX_MESSAGES)") \
	X(D_SEND_UNRECORDED,     ERROR,   STORE,  "the server accepted the message to %s (%s) but the store could not record it: the next send sends it again") \
	X(D_IO_WRITE,            ERROR,   CANTCREAT, "cannot write %s: %s") \
	X(D_IO_UNSAFE,           ERROR,   CANTCREAT, "refusing the folder %s: %s") \
	X(D_INTERNAL,            ERROR,   INTERNAL, "internal error: %s")

enum diag_code {
#define DIAG_ENUM_(code, sev, ex, tmpl) code,
	DIAG_CATALOGUE(DIAG_ENUM_)
#undef DIAG_ENUM_
	D__COUNT
};

struct diag_item {
	enum diag_code code;
	char *file;  /* owned; may be NULL */
	int line;    /* 1-based; 0 when unknown */
	int col;     /* 1-based; 0 when unknown */
	char *msg;   /* owned, formatted */
};

/*
 * A list of diagnostics. Library functions append to it and leave it
 * untouched on success with nothing to say. It keeps at most `limit` items
 * (default 1000) and counts the rest in `dropped`, so hostile input cannot
 * grow it without bound.
 */
struct diag {
	struct diag_item *v;
	size_t n, cap;
	size_t limit;
	size_t dropped;
	size_t errors, warnings; /* counted including dropped ones */
	int worst_exit;          /* exit status of the first error, 0 if none */
};

void diag_init(struct diag *d);
void diag_release(struct diag *d);   /* frees the items; NULL-safe */

/* Append code at FILE:LINE:COL. Arguments fill the template's %s. */
void diag_add(struct diag *d, enum diag_code code, const char *file,
	      int line, int col, ...);
/* Move all items of src to the end of dst; src is left empty. */
void diag_move(struct diag *dst, struct diag *src);

enum diag_severity diag_severity(enum diag_code code);
enum dv_exit diag_exit(enum diag_code code);
const char *diag_name(enum diag_code code);      /* "D_ICS_BAD_UTF8" */
const char *diag_template(enum diag_code code);
const char *diag_severity_name(enum diag_severity sev);
/* Exit status for everything reported so far. */
int diag_exit_status(const struct diag *d);
size_t diag_count(const struct diag *d, enum diag_severity sev);

#endif
