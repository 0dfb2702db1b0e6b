/* reply.h: practitioners' iTIP answers (REPLY, COUNTER, DECLINECOUNTER) read from .ics files, iMIP mail and maildirs, matched to the changes sent, and recorded (docs/replies.md). */
#ifndef DOVETAIL_REPLY_H
#define DOVETAIL_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"
#include "dovetail/ics.h"
#include "dovetail/store.h"
#include "dovetail/week.h"

/* Bounds on what one run reads (docs/limits.md); each passed is an error. */
struct reply_limits {
	size_t max_files;         /* messages per run (files of all sources); default 1,000 */
	size_t max_message_bytes; /* one message (.ics or mail); default 8 MiB */
	size_t max_total_bytes;   /* all messages of a run; default 64 MiB */
	int max_depth;            /* MIME multipart nesting; default 4 */
	size_t max_parts;         /* MIME parts of one mail; default 64 */
	size_t max_events;        /* answered events (VEVENTs) of one message; default 64 */
};
void reply_limits_default(struct reply_limits *lim);

/* ---- mime.c: the text/calendar part of an iMIP mail (RFC 2045, 2046, 6047) */

struct mime_part {
	char *body;               /* owned, NUL-terminated: the decoded iCalendar text */
	size_t len;
	int line;                 /* line of the mail where the part's body starts */
	int encoded;              /* base64 or quoted-printable: lines in the body are not the mail's */
	char from[256];           /* the From header's address (no name, no <>), "" when none, or not one address */
};

/*
 * Find the first text/calendar part of the mail msg (len bytes, as read):
 * headers (unfolded), multipart bodies by their boundary, nested at most
 * lim->max_depth deep and lim->max_parts parts in all; the body decoded
 * from Content-Transfer-Encoding base64, quoted-printable, 7bit, 8bit or
 * binary. A mail that is itself text/calendar is its own part. Returns 0
 * and fills out (free with mime_part_release), or -1 with d filled at
 * file:line: D_REPLY_MALFORMED (no calendar part, a bad encoding, a
 * multipart without its boundary) or D_REPLY_LIMIT.
 */
int mime_find_calendar(const char *msg, size_t len, const char *file, const struct reply_limits *lim,
		       struct mime_part *out, struct diag *d);
void mime_part_release(struct mime_part *p);

/* ---- reply.c: reading, matching and recording ----------------------------- */

/* One message to read: a file (or standard input, path "-"). */
struct reply_input {
	char *path;               /* owned */
	char *shown;              /* owned: as named in diagnostics */
};

struct reply_inputs {
	struct reply_input *v;
	size_t n, cap;
};

/*
 * The messages of the sources given: a file as itself; "-" standard input;
 * a maildir (a folder with cur/ and new/) its messages in new/ then cur/;
 * another folder its regular files (not hidden ones), not recursing. Each
 * in name order. Past lim->max_files, D_REPLY_LIMIT. Returns 0, or -1 with
 * d filled (D_IO_OPEN for a source that is not there).
 */
int reply_inputs_list(const char *const *sources, size_t n, const struct reply_limits *lim,
		      struct reply_inputs *out, struct diag *d);
void reply_inputs_release(struct reply_inputs *in);

/* What became of one answered event. */
enum reply_fate {
	REPLY_RECORDED,           /* recorded now */
	REPLY_ALREADY,            /* the same message was recorded before: nothing again */
	REPLY_REFUSED             /* a warning or error says why: nothing recorded */
};

struct reply_result {
	char *shown;              /* owned: the message's file */
	int line;                 /* its line (of the VEVENT, or the mail's part) */
	enum reply_fate fate;
	int prac;                 /* index into profile.pracs, or -1 */
	enum reply_kind kind;     /* when prac >= 0 */
	int64_t suggested_start, suggested_end;  /* COUNTER */
	int sequence;
};

struct reply_report {
	struct reply_result *v;   /* by message, then event */
	size_t n, cap;
	size_t messages;          /* messages read */
	size_t bad_messages;      /* messages with an error: nothing of them recorded */
	size_t recorded, already, refused;  /* answered events */
};

/*
 * Read each message of `in` (bounded by lim; ics_scan/ics_read with ics
 * limits ilim for the iCalendar text), and record in s what each answers
 * for the person of week w (the week as agreed: week_apply_decisions):
 * every VEVENT of a METHOD:REPLY (its one ATTENDEE's PARTSTAT ACCEPTED,
 * DECLINED or TENTATIVE), COUNTER (its DTSTART, DTEND) or DECLINECOUNTER
 * is matched by UID and RECURRENCE-ID to an appointment whose accepted
 * change was sent to a practitioner whose address is the answering one
 * (ATTENDEE, ORGANIZER for DECLINECOUNTER; case-insensitive, without
 * "mailto:"; a mail's From too), with the SEQUENCE sent (REQUEST: the
 * feed's plus the accepted changes; COUNTER: the organizer's). A message
 * recorded before (its SHA-256) records nothing again. An event that
 * matches nothing, comes from another address, or has another SEQUENCE is
 * a warning (D_REPLY_UNMATCHED, D_REPLY_ADDRESS, D_REPLY_STALE) at
 * FILE:LINE; a malformed message an error (D_REPLY_MALFORMED,
 * D_REPLY_LIMIT, D_IO_*, or the reader's own): either way nothing of that
 * event (a malformed message: nothing of it) is recorded, and the others
 * are read. Each message's answers are recorded in one transaction, at
 * `now`. Fills r (free with reply_report_release). Returns 0, or -1 when
 * the store fails or memory runs out (d filled; what was recorded before
 * stays, whole per message).
 */
int reply_read_all(struct store *s, const struct week *w, const struct reply_inputs *in,
		   const struct reply_limits *lim, const struct ics_limits *ilim, int64_t now,
		   struct reply_report *r, struct diag *d);
void reply_report_release(struct reply_report *r);

#endif
