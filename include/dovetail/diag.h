/* diag.h: the one diagnostics catalogue, and the list library code fills. */
#ifndef DOVETAIL_DIAG_H
#define DOVETAIL_DIAG_H

#include <stddef.h>

/*
 * Exit statuses (documented in docs/exit-status.md). A command exits with
 * the status of the worst diagnostic it reported; warnings exit 0. "Worst"
 * is the rank diag_exit_rank() gives, from worst to least:
 *   INTERNAL 70 > STORE 74 > CANTCREAT 73 > UNAVAILABLE 69 > IO 66
 *   > USAGE 64 > INPUT and LIMIT 65 > PARTIAL 2 > PROBLEMS 1 > OK 0
 * (a bug, then what is kept, what is written, what is reached, what is
 * read, then how dovetail was called, then what it was given).
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
	X(D_ICS_TOO_LONG,        ERROR,   INPUT,  "%s %s lasts more than 100 years") \
	X(D_ICS_MIXED_VALUE,     WARNING, OK,     "%s: value type differs from DTSTART's; compared as %s") \
	X(D_ICS_NO_UID,          WARNING, OK,     "%s has no UID; using the content-derived id %s") \
	X(D_ICS_DUPLICATE,       WARNING, OK,     "UID %s with RECURRENCE-ID %s appears again; the later component of line %s is used") \
	X(D_ICS_BAD_ENUM,        WARNING, OK,     "%s: unknown value; treated as %s") \
	X(D_ICS_BAD_VTIMEZONE,   WARNING, OK,     "VTIMEZONE %s is unusable (%s); trying other sources") \
	X(D_ICS_TZ_UNKNOWN,      WARNING, OK,     "TZID %s resolves to no time zone; its times are treated as floating") \
	X(D_ICS_TZ_MAPPED,       NOTE,    OK,     "TZID '%s' resolved as %s") \
	X(D_ICS_EXRULE,          WARNING, OK,     "series %s: EXRULE is deprecated (RFC 5545 appendix A.3) but applied") \
	X(D_LIM_SERIES,          ERROR,   LIMIT,  "series %s: more than %s occurrences in the window") \
	X(D_LIM_ITER,            ERROR,   LIMIT,  "series %s: more than %s recurrence instances before the window ends") \
	X(D_LIM_DATES,           ERROR,   LIMIT,  "series %s: more than %s RDATE and EXDATE values") \
	X(D_LIM_RULES,           ERROR,   LIMIT,  "series %s: more than %s RRULE and EXRULE properties") \
	X(D_LIM_FEED,            ERROR,   LIMIT,  "series %s: the feed passes the limit of %s occurrences") \
	X(D_LIM_CPU,             ERROR,   LIMIT,  "series %s: the feed's CPU budget of %s ms is spent") \
	X(D_STORE_OPEN,          ERROR,   STORE,  "cannot open database %s: %s") \
	X(D_STORE_PERM,          ERROR,   STORE,  "database %s can be %s by others (mode %s); refusing it: run chmod 600") \
	X(D_STORE_NOT_FILE,      ERROR,   STORE,  "database %s is not a regular file") \
	X(D_STORE_OWNER,         ERROR,   STORE,  "database %s belongs to another user; refusing it") \
	X(D_STORE_NEWER,         ERROR,   STORE,  "database schema version %s is newer than this dovetail understands (%s)") \
	X(D_STORE_SQL,           ERROR,   STORE,  "database error: %s") \
	X(D_UNKNOWN_ID,          ERROR,   INPUT,  "no %s '%s' in the store") \
	X(D_NO_PROPOSAL,         ERROR,   INPUT,  "no proposal in the store%s yet: run `dovetail propose`%s") \
	X(D_OTHER_PERSON,        ERROR,   INPUT,  "proposal '%s' is another person's, not this profile's") \
	X(D_SUPERSEDED,          ERROR,   INPUT,  "proposal %s is superseded (%s): run `dovetail propose` again and decide on its proposals") \
	X(D_DECIDE_CONFLICT,     ERROR,   INPUT,  "change %s conflicts with change %s, decided since (%s): run `dovetail propose` again and decide on its proposals") \
	X(D_DECIDE_LATE,         ERROR,   INPUT,  "change %s could be accepted until %s: by now its appointment, or the time it moves to, is inside the practitioner's notice or past: run `dovetail propose` again and decide on its proposals") \
	X(D_IMP_SKIPPED,         ERROR,   INPUT,  "skipped %s: %s") \
	X(D_IMP_REJECTED,        ERROR,   INPUT,  "feed rejected: %s error(s); nothing was written%s") \
	X(D_IMP_ITIP,            ERROR,   INPUT,  "METHOD:%s: this is an iTIP message, not a calendar feed; nothing imported (read practitioners' answers with `dovetail replies`)") \
	X(D_IMP_STALE,           NOTE,    OK,     "UID %s: stored SEQUENCE %s is higher than the feed's %s; the stored version is kept") \
	X(D_PROF_TOO_BIG,        ERROR,   INPUT,  "the file is larger than the limit of %s bytes") \
	X(D_PROF_BAD_UTF8,       ERROR,   INPUT,  "invalid UTF-8 byte 0x%s") \
	X(D_PROF_YAML,           ERROR,   INPUT,  "YAML syntax: %s") \
	X(D_PROF_REFUSED,        ERROR,   INPUT,  "YAML %s are refused in a profile (docs/profile.md)") \
	X(D_PROF_DEEP,           ERROR,   INPUT,  "nesting deeper than the limit of %s levels") \
	X(D_PROF_SCALAR,         ERROR,   INPUT,  "a value longer than the limit of %s bytes") \
	X(D_PROF_EVENTS,         ERROR,   INPUT,  "more than %s YAML nodes") \
	X(D_PROF_EMPTY,          ERROR,   INPUT,  "the file is empty: no YAML document in it") \
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
	X(D_PROF_OVERRIDE_UNUSED,WARNING, OK,     "override for UID %s%s matches no appointment of this person in the horizon") \
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
	X(D_BATCH_OTHER_RUN,     ERROR,   INPUT,  "this shard store holds batch run %s, not %s: merge with the caseload, --now, --time-limit and --cap the shards were run with") \
	X(D_BATCH_PERSON,        ERROR,   PARTIAL, "person %s skipped: %s") \
	X(D_BATCH_NO_RUN,        ERROR,   INPUT,  "no stored run %s to resume: run the batch without --resume") \
	X(D_BATCH_SHARD_SELF,    ERROR,   USAGE,  "the shard store is this merge's own store (--db): merge into another store, a new one for the whole run") \
	X(D_BATCH_BUSY,          ERROR,   STORE,  "database %s: another dovetail batch or merge is running on it; wait for it to end (or give this run its own --db)") \
	X(D_BATCH_SHARD_FILES,   WARNING, OK,     "%s: a shard writes no files: the merge of the shards' stores does (dovetail merge ... %s DIR)") \
	X(D_CASELOAD_FEEDS,      ERROR,   INPUT,  "practitioner %s is shared, but this profile names other feeds for it than %s: one diary, one truth (docs/batch.md, \"The sharing graph\")") \
	X(D_NET_CREDENTIALS,     ERROR,   USAGE,  "%s: a URL with a user or password in it is refused: put credentials in a netrc file or the environment (docs/feeds.md)") \
	X(D_NET_SCHEME,          ERROR,   USAGE,  "%s: not an http, https or webcal URL") \
	X(D_NET_URL_LONG,        ERROR,   USAGE,  "%s: the URL is longer than %s bytes") \
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
	X(D_SEND_TIME,           ERROR,   PARTIAL, "%s message(s) left for the next run: the run's time, %s s, is spent (DOVETAIL_SMTP_TOTAL)") \
	X(D_SEND_UNRECORDED,     ERROR,   STORE,  "the server accepted the message to %s (%s) but the store could not record it: the next send sends it again") \
	X(D_IO_WRITE,            ERROR,   CANTCREAT, "cannot write %s: %s") \
	X(D_IO_UNSAFE,           ERROR,   CANTCREAT, "refusing the folder %s: %s") \
	X(D_INTERNAL,            ERROR,   INTERNAL, "internal error: %s")

/*
 * X(code, explanation): what each code means and what to do, in the
 * catalogue's order, one entry per code (diag.c checks the count and the
 * order). tools/diag-man.c writes these into the DIAGNOSTICS section of
 * docs/man/dovetail.1, and the test diag-man fails when the page and this
 * list differ: after editing here, run `build/tools/diag-man --write
 * docs/man/dovetail.1`. Plain text: say only what the code does where it
 * raises the code.
 */
#define DIAG_EXPLAIN(X) \
	X(D_USAGE, "The command line is wrong: an unknown command or option, a missing argument, no database to use (no --db, DOVETAIL_DB or HOME), --to before --from or more than 366 days after it, or --shard-from-env without the Slurm variables. Nothing was done. Read the command's --help.") \
	X(D_BAD_ARG, "An option's value cannot be used: the message names the option, the value and the form expected (a date, an instant, a time zone name, a number). Nothing was done. Give the value in the form shown.") \
	X(D_ARG_UTF8, "An argument is not valid UTF-8. It is named by its position and the offending byte, never echoed. Nothing was done. Give names, notes and file names in UTF-8.") \
	X(D_TEXT_UTF8, "A text to be recorded (who decides, or the note of accept, reject or review) is not valid UTF-8. Nothing was recorded. Give it again in UTF-8.") \
	X(D_IO_OPEN, "A file or folder named on the command line (or a folder of iTIP answers) cannot be opened; the reason is the system's. Check the name and its permissions.") \
	X(D_IO_READ, "A file could be opened but not read: it is a directory, reading failed, or memory ran out. Check the file.") \
	X(D_IO_TOO_BIG, "A file is larger than the bound on what dovetail reads from one file (docs/limits.md). Nothing of it was used. Split the file, or check that it is the file meant.") \
	X(D_ICS_EMPTY, "The iCalendar file holds no content line at all. The feed is refused; check that the server or the export produced the calendar.") \
	X(D_ICS_LINE_TOO_LONG, "A content line (after unfolding) is longer than the bound (docs/limits.md). The line is not used and the feed counts an error; usually the file is not iCalendar or is damaged.") \
	X(D_ICS_TOO_MANY_LINES, "The feed holds more content lines than the bound (docs/limits.md). Reading stops and the feed is refused. Ask for a narrower export.") \
	X(D_ICS_BAD_UTF8, "A content line holds bytes that are not UTF-8 (often a Latin-1 export). Each bad byte is read as '?' and the line is kept; only the first is reported. Re-export the calendar as UTF-8 to keep the text.") \
	X(D_ICS_LINE_IGNORED, "A line that is not well formed belongs to a property dovetail does not use, so it is ignored and the rest of the component is read.") \
	X(D_ICS_LENIENT, "A value breaks RFC 5545 in a way with one sensible reading (VALUE=DATE with a date-time, an RRULE part without '='); it is read as the message says. Tell the feed's producer.") \
	X(D_ICS_CONTROL, "A content line holds a control character that iCalendar does not allow: a NUL byte anywhere, or any control character but a tab in a UID (which is written back to the practitioner as it came). The line, or for a UID its event, is not used and the feed counts one error.") \
	X(D_ICS_BAD_NAME, "A content line does not start with a property name (letters, digits and '-') followed by ';' or ':'. The line is not used and the feed counts one error.") \
	X(D_ICS_BAD_PARAM, "A parameter of the named property is malformed (no '=', an unclosed quote, a stray character). The line is not used and the feed counts one error.") \
	X(D_ICS_NO_COLON, "A content line has a name but no ':' before its value. The line is not used and the feed counts one error; a wrongly folded line is a common cause.") \
	X(D_ICS_END_MISMATCH, "An END line closes a component other than the one open; what was open inside is closed there. The feed counts one error; it is damaged or hand-edited.") \
	X(D_ICS_END_UNOPENED, "An END line has no BEGIN of that component open. The line is not used and the feed counts one error.") \
	X(D_ICS_UNCLOSED, "The file ends while a component is still open: it was cut short (a partial download or copy). The feed counts one error; fetch or export it again.") \
	X(D_ICS_OUTSIDE, "A content line stands outside BEGIN:VCALENDAR ... END:VCALENDAR. The line is not used and the feed counts one error.") \
	X(D_ICS_BARE, "A component (a VEVENT, say) stands outside any VCALENDAR; it is read as if it were inside one. Some exporters write such files; nothing needs doing unless the file is truncated.") \
	X(D_ICS_NESTING, "Components are nested deeper than the bound (docs/limits.md). Reading stops and the feed is refused.") \
	X(D_ICS_NO_CALENDAR, "The file has content lines but no VCALENDAR component: it is not an iCalendar feed. The feed is refused.") \
	X(D_ICS_TOO_MANY_COMPS, "The feed holds more events (or components) than the bound (docs/limits.md). Reading stops and the feed is refused. Ask for a narrower export.") \
	X(D_ICS_NO_DTSTART, "An event has no DTSTART, so it has no time. The feed counts one error.") \
	X(D_ICS_BAD_TIME, "A date or date-time value of the named property cannot be read. The feed counts one error; the value is not quoted.") \
	X(D_ICS_BAD_DURATION, "A DURATION value cannot be read (RFC 5545 3.3.6), has a number of more than 9 digits, or lasts more than 100 years (ICS_MAX_DURATION_DAYS). The feed counts one error.") \
	X(D_ICS_BAD_PERIOD, "A period value (in RDATE or FREEBUSY) cannot be read, is a date where a date-time is needed, or ends before it starts. The feed counts one error.") \
	X(D_ICS_BAD_INTEGER, "A SEQUENCE value is not a whole number of 0 or more. The feed counts one error.") \
	X(D_ICS_BAD_RRULE, "A recurrence rule cannot be used: no FREQ, a COUNT or INTERVAL that is not a whole number of 1 or more, an UNTIL that is not a date, or a part libical refuses. The feed counts one error.") \
	X(D_ICS_IMPOSSIBLE_RULE, "A recurrence rule matches no date (FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30, say), so only DTSTART occurs. Check the series with its owner.") \
	X(D_ICS_SUBDAILY, "A rule repeats every second or minute. It is expanded, but within the bound on instances (docs/limits.md); such rules are almost always a mistake.") \
	X(D_ICS_COUNT_UNTIL, "An RRULE has both COUNT and UNTIL, which RFC 5545 forbids; COUNT is kept and UNTIL ignored.") \
	X(D_ICS_END_BEFORE_START, "An event's DTEND is before its DTSTART, or its DURATION is negative. The feed counts one error.") \
	X(D_ICS_DTEND_DURATION, "An event has both DTEND and DURATION, which RFC 5545 forbids. The feed counts one error.") \
	X(D_ICS_TOO_LONG, "An event's DTEND is more than 100 years (ICS_MAX_DURATION_DAYS) after its DTSTART: no appointment lasts so long, and an end some thousands of years on cannot be written back in the person's zone. The feed counts one error.") \
	X(D_ICS_MIXED_VALUE, "Reserved: this version of dovetail does not report it.") \
	X(D_ICS_NO_UID, "An event has no UID; an id derived from its content is used instead, so a change to the event makes it a new one in the store. Ask the producer to give UIDs.") \
	X(D_ICS_DUPLICATE, "Two components share a UID and RECURRENCE-ID; the later one (the line named) is the one imported.") \
	X(D_ICS_BAD_ENUM, "Reserved: this version of dovetail does not report it.") \
	X(D_ICS_BAD_VTIMEZONE, "A VTIMEZONE in the feed does not parse, has no TZID, or is refused as unsafe (the reason is given). Its TZID is then looked up among the built-in zones.") \
	X(D_ICS_TZ_UNKNOWN, "A TZID matches neither a VTIMEZONE of the feed nor a built-in IANA or Windows zone name. Times in that zone are read as floating (local) times; reported once per TZID of a feed.") \
	X(D_ICS_TZ_MAPPED, "Reserved: this version of dovetail does not report it.") \
	X(D_ICS_EXRULE, "An event uses EXRULE, deprecated by RFC 5545. It is applied all the same.") \
	X(D_LIM_SERIES, "One series has more occurrences in the window than the bound (docs/limits.md). The feed counts one error.") \
	X(D_LIM_ITER, "A series generates more instances than the bound before the window ends (a rule stepping by seconds from long ago, say). The feed counts one error.") \
	X(D_LIM_DATES, "An event has more RDATE and EXDATE values than the bound (docs/limits.md). The feed counts one error.") \
	X(D_LIM_RULES, "An event has more RRULE and EXRULE properties than the bound. The feed counts one error, as a rule left out would change its dates.") \
	X(D_LIM_FEED, "The feed's occurrences in the window pass the bound for one feed (docs/limits.md). Expansion stops there and the feed counts one error.") \
	X(D_LIM_CPU, "Expanding the feed used up its CPU-time budget (docs/limits.md). Expansion stops there and the feed counts one error.") \
	X(D_STORE_OPEN, "The database cannot be created or opened (its folder cannot be made, the file does not exist where it must, or SQLite refuses it). Check the path given by --db or DOVETAIL_DB.") \
	X(D_STORE_PERM, "The database can be read or written by group or others. It holds health details, so it is refused; run chmod 600 on it.") \
	X(D_STORE_NOT_FILE, "The database path is not a regular file (a symbolic link, a folder, a device). It is refused.") \
	X(D_STORE_OWNER, "The database belongs to another user (root is refused too). It is refused; run dovetail as its owner.") \
	X(D_STORE_NEWER, "The database was written by a newer dovetail, with a schema this build does not know. It is left untouched; use the newer dovetail.") \
	X(D_STORE_SQL, "A database operation failed (SQLite's reason is given), or a stored row is not what dovetail writes. Check the disk and the database; a row dovetail did not write means something else changed the database.") \
	X(D_UNKNOWN_ID, "The store holds no proposal or change with the id given, or the profile no practitioner of that id. Nothing was recorded; check the id.") \
	X(D_NO_PROPOSAL, "No proposal was given and the store holds none (for the person, or at all) to take as the latest. Run `dovetail propose` first; `report` can also draw the week without one (--none).") \
	X(D_OTHER_PERSON, "The proposal given is in the store, but for another person than the profile's. Give the profile of the person it was proposed for, or one of this person's proposals.") \
	X(D_SUPERSEDED, "The proposal was left out by a later propose, or a feed its week was read from has changed since (re-imported), so it no longer describes the week and can no longer be decided on. Nothing was recorded; run `dovetail propose` again.") \
	X(D_DECIDE_CONFLICT, "The change conflicts with another decided since. Nothing was recorded; run `dovetail propose` again and decide on its proposals.") \
	X(D_DECIDE_LATE, "The proposal was made earlier (an earlier --now); by now the appointment has started or is inside its practitioner's notice, or the time it would move to is, so the change can no longer be made. Nothing was recorded; run `dovetail propose` again.") \
	X(D_IMP_SKIPPED, "With --keep-going, an event with an error is skipped and the valid ones are imported; the first error inside the event is given.") \
	X(D_IMP_REJECTED, "The feed had errors, so nothing of it was written and the store keeps what it held. Fix the feed; `dovetail import` says that its --keep-going imports the valid events (a profile's feeds are read whole, so the other commands do not).") \
	X(D_IMP_ITIP, "The file is an iTIP message (METHOD REQUEST, REPLY, COUNTER or DECLINECOUNTER), not a calendar feed. Nothing was imported; read answers with `dovetail replies`.") \
	X(D_IMP_STALE, "The store holds the event with a higher SEQUENCE than the feed's, so the stored version is kept. Shown only with -v.") \
	X(D_PROF_TOO_BIG, "The profile (or caseload) is larger than the bound (docs/limits.md). It is refused.") \
	X(D_PROF_BAD_UTF8, "The profile (or caseload) holds a byte that is not UTF-8, at the line and column given. It is refused; save it as UTF-8.") \
	X(D_PROF_YAML, "The profile (or caseload) is not valid YAML, or holds more than one document or a NUL character; the reason is given.") \
	X(D_PROF_REFUSED, "The profile uses a YAML feature dovetail refuses: anchors, aliases, tags, tag directives, merge keys or non-text keys (docs/profile.md). Write the value out in full.") \
	X(D_PROF_DEEP, "The profile nests mappings and lists deeper than the bound. It is refused.") \
	X(D_PROF_SCALAR, "A value in the profile is longer than the bound. It is refused.") \
	X(D_PROF_EVENTS, "The profile has more YAML nodes than the bound. It is refused.") \
	X(D_PROF_EMPTY, "The profile (or caseload) holds no document. It is refused.") \
	X(D_PROF_UNKNOWN_KEY, "A key is not one of the schema's at that place; the nearest valid key is suggested when one is close, else the document that lists them. The key itself is not quoted.") \
	X(D_PROF_DUP_KEY, "A key is given twice in one mapping; the line of the first is named. Keep one.") \
	X(D_PROF_MISSING, "A required key is missing from the mapping named. Add it (docs/profile.md, docs/batch.md).") \
	X(D_PROF_TYPE, "A value has the wrong type: a list where a mapping is needed, quoted text where a number is, and so on. The message names the expected and the found type.") \
	X(D_PROF_VALUE, "A value has the right type but cannot be used: out of range, a malformed id, time or address, or an unknown word. The message says what is allowed.") \
	X(D_PROF_BACKWARDS, "A time or date range ends before (or where) it starts. Swap or correct its ends.") \
	X(D_PROF_FILE, "A file the profile names (a feed, a travel CSV) cannot be read; the reason is given. It is reported at the profile's line, with status 65, as a fault of the profile.") \
	X(D_PROF_NO_ID, "The profile refers to a venue, practitioner or other entry by an id that no entry has. Check the spelling, or add the entry.") \
	X(D_PROF_DUP_ID, "Two entries of one list share an id; the line of the first is named. Ids must be unique.") \
	X(D_PROF_TOO_MANY, "A list in the profile has more entries than the bound (docs/limits.md).") \
	X(D_PROF_CSV, "The travel CSV is malformed: a wrong header (from,to,minutes,cost), a row without four fields, or a value that cannot be used. The CSV's line is given.") \
	X(D_PROF_NO_TRAVEL, "Two venues have no travel time known (no matrix entry, CSV row or coordinates), so moving between them counts as 0 minutes. Add the pair to the profile's travel section.") \
	X(D_PROF_OVERRIDE_UNUSED, "An override names a UID (and, when it has recurrence_id, one occurrence: the message gives its time) that matches no appointment of this person in the horizon; it has no effect. Check the UID and the recurrence_id, or remove the override.") \
	X(D_WEEK_TWO_CLAIMS, "An appointment in a feed that two practitioners share matches both their rules; it is given to the one named (the more specific rule, else the first listed). Make the rules exclusive to choose otherwise (docs/profile.md).") \
	X(D_LIM_INSTANCE, "The input passes a bound on what one run handles (appointments, placements, practitioners, feeds to draft from, the size of a model), named in the message. What needed it is not done; narrow the horizon with --from and --to, or split the input.") \
	X(D_PLAN_INVALID, "A plan the solver made breaks an invariant of plan_check (it places an appointment where it may not go, say). This is a bug: please report it with the input that caused it.") \
	X(D_PLAN_TEXT, "A plan kept in the store as text cannot be read back at the byte given. The store was changed by something else, or this is a bug.") \
	X(D_SOLVER, "GLPK, the MIP solver, failed or returned an unexpected code. This is a bug or a GLPK fault: please report it.") \
	X(D_SOLVER_CAP, "The solve stopped at the time cap or the search was cut short. The plan places every appointment but is not proven optimal; the gap is the most it could improve. A larger --time-limit may give a better plan.") \
	X(D_ITIP_NO_COORDINATOR, "export --itip needs coordinator.address in the profile, the sender of the changes. Nothing was written.") \
	X(D_ITIP_NO_ADDRESS, "A practitioner has a changed appointment, but neither an address in the profile nor an ORGANIZER in the feed. Nothing was written; add practitioners[].address.") \
	X(D_ITIP_BAD_ADDRESS, "The ORGANIZER a message would go to is not exactly one mailto: address, so no message is addressed to it. Nothing was written; give practitioners[].address.") \
	X(D_REPLY_UNMATCHED, "An answer names an event for which no change was sent (no agreed change of this person's with that UID and RECURRENCE-ID). Nothing of it is recorded.") \
	X(D_REPLY_ADDRESS, "An answer's ATTENDEE, ORGANIZER or the mail's From is not the address the change was sent to. Nothing of it is recorded.") \
	X(D_REPLY_STALE, "An answer is for another SEQUENCE than the one sent (an older version, or one ahead). Nothing of it is recorded.") \
	X(D_REPLY_MALFORMED, "A message is not a usable iTIP answer (bad MIME, no calendar part, missing properties); the reason is given. Nothing of the message is recorded.") \
	X(D_REPLY_LIMIT, "replies passes a bound (messages, bytes of one message or of all, answered events in one message; docs/replies.md). Nothing of what passes it is recorded.") \
	X(D_LIM_JOINT, "The caseload's joint master problem passes a bound (conflicting pairs of plans) and is not built. Split the caseload into smaller ones.") \
	X(D_BATCH_TWICE, "merge: a person appears in two shard stores. Each person must be in exactly one; nothing is merged.") \
	X(D_BATCH_MISSING, "merge: persons of the caseload are in no shard store; the count and the first are named. Run the missing shards first.") \
	X(D_BATCH_OTHER_RUN, "merge: a shard store holds persons of another batch run and none of this one. A run is identified by the caseload file, --now, --time-limit and --cap; give merge the ones the shards were run with.") \
	X(D_BATCH_PERSON, "batch or merge: a person was skipped (a bad profile or feed, or no plan chosen); the reason is given. The rest of the caseload completed; exit 2 (0 with --partial-ok).") \
	X(D_BATCH_NO_RUN, "Reserved: this version of dovetail does not report it.") \
	X(D_BATCH_SHARD_SELF, "merge: a shard store named is the store merge writes (--db, the same file by any name). Merging would first drop that shard's persons from it; nothing is done. Give merge another store.") \
	X(D_BATCH_BUSY, "batch or merge: another batch or merge holds the store (it takes it for the whole run, docs/batch.md, \"Crash safety and --resume\"). Two runs on one store would drop and write each other's rows; nothing is done. Wait for the other to end; a killed run holds nothing.") \
	X(D_BATCH_SHARD_FILES, "batch: --out or --report given to a shard (--shard, --shard-from-env). A shard stores its persons' plans and writes no summaries or pages: the merge of the shards' stores does (dovetail merge ... --out DIR or --report DIR). The shard itself runs as it would without them.") \
	X(D_CASELOAD_FEEDS, "A practitioner shared between persons of the caseload is given other feeds in this profile than in the first one. A shared diary must be read from the same feeds (docs/batch.md).") \
	X(D_NET_CREDENTIALS, "A URL holds a user or password. It is refused so that secrets do not end up in profiles or logs; put them in a netrc file or the environment (docs/feeds.md).") \
	X(D_NET_SCHEME, "A URL is not http, https or webcal. It is refused.") \
	X(D_NET_URL_LONG, "A feed's or a CalDAV collection's URL is longer than FETCH_MAX_URL bytes (docs/limits.md). It is refused, never cut short.") \
	X(D_NET_HTTP, "The server answered a feed request with an HTTP status other than 200 or 304. Nothing of that feed was imported.") \
	X(D_NET_FAILED, "A feed could not be fetched: the network, TLS, a time bound, too many redirects, or a CalDAV answer dovetail cannot use; the reason is given. Nothing of that feed was imported.") \
	X(D_NET_TOO_BIG, "The server's answer is larger than the bound (docs/limits.md). Reading stops and nothing of that feed is imported.") \
	X(D_CALDAV_CONFLICT, "A calendar object dovetail wrote was changed on the server by someone else (HTTP 412). It is left as the server holds it; the rest is written.") \
	X(D_CALDAV_WRITE, "A PUT, DELETE or GET to the CalDAV server failed. The run stops there; what was written before is recorded, and the next run writes the rest.") \
	X(D_CALDAV_LIMIT, "Writing to CalDAV would pass a bound (objects or bytes; docs/limits.md). Nothing was written.") \
	X(D_SMTP_CONF, "send cannot start: no coordinator.address, no SMTP server, a server URL that is not smtp:// or smtps://, or one with a user or password in it (docs/send.md). Nothing was sent.") \
	X(D_SMTP_FAILED, "The SMTP server could not be reached, or deferred or refused a message; the reply is given. What was accepted before is recorded; nothing more is sent in this run.") \
	X(D_SMTP_REFUSED, "The SMTP server refused a recipient with a permanent (5xx) reply, or the recipient is not one address. Nothing more is sent; correct the practitioner's address.") \
	X(D_SEND_TOO_BIG, "A message is larger than DOVETAIL_SMTP_MAX_BYTES. It is not sent, and nothing more is sent in this run.") \
	X(D_SEND_LIMIT, "More messages are due than DOVETAIL_SMTP_MAX_MESSAGES allows in one run; the rest are left for the next run.") \
	X(D_SEND_TIME, "The run has taken DOVETAIL_SMTP_TOTAL seconds (a slow server): no more messages are started; the rest are left for the next run.") \
	X(D_SEND_UNRECORDED, "The SMTP server accepted a message but the store could not record it, so the next send sends it again. Check the database.") \
	X(D_IO_WRITE, "An output file cannot be written (or exists and is not a regular file); the reason is given. Outputs are written to a temporary file and renamed, so the old file, if any, is left whole.") \
	X(D_IO_UNSAFE, "An output folder is refused: a symbolic link, not a folder, another user's, writable by group or others, holding files dovetail did not write, or given as . or .. (docs/security.md). Nothing was written.") \
	X(D_INTERNAL, "Something that should not happen did, or memory ran out. This is a bug unless memory is short: please report it with the command that caused it.")

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
	int worst_exit;          /* worst exit status (diag_exit_rank) of the errors, 0 if none */
};

void diag_init(struct diag *d);
void diag_release(struct diag *d);   /* frees the items; NULL-safe */

/* Append code at FILE:LINE:COL. Arguments fill the template's %s. The
 * same diagnostic as the last one (code, place and text) is said once:
 * neither added nor counted again. */
void diag_add(struct diag *d, enum diag_code code, const char *file,
	      int line, int col, ...);
/* Move all items of src to the end of dst, counts and worst exit status
 * included; src is left empty (its limit kept). */
void diag_move(struct diag *dst, struct diag *src);

enum diag_severity diag_severity(enum diag_code code);
enum dv_exit diag_exit(enum diag_code code);
const char *diag_name(enum diag_code code);      /* "D_ICS_BAD_UTF8" */
const char *diag_template(enum diag_code code);
const char *diag_explanation(enum diag_code code); /* DIAG_EXPLAIN's text */
const char *diag_severity_name(enum diag_severity sev);
/* Exit status for everything reported so far: the worst of the errors'
 * (warnings and notes count as 0), dropped ones included. */
int diag_exit_status(const struct diag *d);
/* The rank of an exit status in the order above: higher is worse; 0 for
 * DV_EXIT_OK and for a status that is not an enum dv_exit. */
int diag_exit_rank(int status);
/* The worse of two exit statuses by diag_exit_rank (a when they tie). */
int diag_exit_worse(int a, int b);
size_t diag_count(const struct diag *d, enum diag_severity sev);

#endif
