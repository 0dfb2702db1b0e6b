/* export.h: the agreed plan as iCalendar for real calendar clients (issue 5). */
#ifndef DOVETAIL_EXPORT_H
#define DOVETAIL_EXPORT_H

#include <stdint.h>

#include "dovetail/diag.h"
#include "dovetail/week.h"

/*
 * The family's own calendar of week w as agreed (the week as
 * week_apply_decisions left it): one VEVENT per appointment, at its local
 * time in the person's zone (DTSTART/DTEND with TZID, and that zone's
 * VTIMEZONE), SUMMARY the practitioner's role (and display name), LOCATION
 * the venue's name, DTSTAMP `now`, and a UID that stays the same for the
 * same appointment (a digest of practitioner, UID and RECURRENCE-ID: an
 * occurrence of a series becomes an event of its own). With routines, each
 * routine instance that fits is also an event, TRANSP:TRANSPARENT. The
 * calendar is named (X-WR-CALNAME) after the person's display name, or id. No free
 * text from any feed is copied. The bytes depend only on the inputs.
 * Returns a malloc'd string (CRLF lines, folded by libical), or NULL with d
 * filled.
 */
char *export_family(const struct week *w, int64_t now, int routines, struct diag *d);

/*
 * The same events as calendar objects for a CalDAV collection (RFC 4791
 * 4.1): one VCALENDAR per UID, holding that VEVENT and the person's
 * VTIMEZONE, with no METHOD and no calendar name. name is the resource's
 * name in the collection, the UID's 32 hex digits and ".ics" (nothing to
 * escape); digest its cal_object_digest() (DTSTAMP left out), so that an export at another --now of the same
 * plan has the same digests. Sorted by UID, no two alike. Returns 0 with
 * *out filled (free with cal_objects_release), or -1 with d filled.
 */
struct cal_object {
	char uid[96];
	char name[48];
	char digest[65];
	char *text;               /* owned: CRLF lines */
};
struct cal_objects {
	struct cal_object *v;
	size_t n;
};
int export_family_objects(const struct week *w, int64_t now, int routines, struct cal_objects *out,
			  struct diag *d);
void cal_objects_release(struct cal_objects *s);   /* NULL-safe; leaves s empty */
/* The digest of a calendar object's text: SHA-256 (hex) of its unfolded
 * content lines (without CR), sorted, its DTSTAMP lines left out: the same
 * however a server orders, folds or ends the lines of what it was given.
 * out[0] is 0 when out of memory. */
void cal_object_digest(const char *text, char out[65]);

/*
 * The agreed changes, told to each practitioner (RFC 5546 iTIP, RFC 6047
 * iMIP). An appointment is changed when a decision accepted a move and it
 * is no longer where its feed has it (time or venue). A message covers one
 * practitioner's changed occurrences of one event (one UID: RFC 5546 allows
 * one UID per iTIP object), so a practitioner gets one message per changed
 * event, usually one in all. Each VEVENT has the event's own UID (and its
 * RECURRENCE-ID for an occurrence of a series), the agreed DTSTART/DTEND in
 * the person's zone with its VTIMEZONE, DTSTAMP `now`, SUMMARY the person's
 * pseudonymous id and the practitioner's role (the person's display name
 * only where the practitioner has share_display_name), LOCATION the agreed
 * venue's name, and a DESCRIPTION saying where it was. Nothing about any
 * other practitioner and no text from any feed goes in.
 *
 * METHOD:REQUEST (default): ORGANIZER the profile's coordinator, ATTENDEE
 * the practitioner (their address, else the event's ORGANIZER) with
 * RSVP=TRUE and PARTSTAT=NEEDS-ACTION, SEQUENCE the feed's plus the number
 * of accepted changes on it. With `counter`, an event whose feed names an
 * ORGANIZER (the practitioner's side organises it) gets METHOD:COUNTER
 * instead: the same UID and ORGANIZER, SEQUENCE unchanged, ATTENDEE the
 * coordinator. With `eml`, each message is also an RFC 5322 mail:
 * multipart/alternative, text/plain and text/calendar with the method,
 * and a Message-ID from the content (itip_msg.message_id): a REQUEST and
 * a COUNTER, or one message to two people, never share one, and the same
 * message keeps its id whenever it is written.
 * The bytes depend only on the inputs.
 */
enum itip_method { ITIP_REQUEST, ITIP_COUNTER };

struct itip_msg {
	int prac;                 /* index into profile.pracs */
	char name[96];            /* file name without extension: PRAC, PRAC+2, ... ('+' is in no id) */
	enum itip_method method;
	size_t n_changes;         /* changed occurrences (VEVENTs) in it */
	char *ics;                /* owned: the iCalendar object */
	char *eml;                /* owned: the mail, or NULL without eml */
	const char *to;           /* the recipient, "mailto:..." (addr_is_one): the
				     profile's or the week's; lives as long as they do */
	size_t *appts;            /* owned: its n_changes appointments, indices
				     into the week's appts, by start */
	char subject[128];        /* the mail's Subject (itip_subject) */
	/* What the message says, to whom: the SHA-256 (hex) of the iCalendar
	 * object without its DTSTAMP lines (the moment of writing), a NUL, and
	 * the recipient's address without "mailto:", in lower case. The same
	 * message to the same person has the same digest whenever it is
	 * written; any other message, or another recipient, has another. */
	char digest[65];
	/* The Message-ID, without angle brackets: ITIP_ID_PREFIX, the first 32
	 * hex digits of digest, '@', and the domain of coordinator.address. */
	char message_id[160];
};
#define ITIP_ID_PREFIX "dovetail."
/* At most this many message ids in a References header: the first and
 * the latest ITIP_MAX_REFS - 1 (RFC 5322 3.6.4 allows leaving some out). */
#define ITIP_MAX_REFS 10

struct itip_set {
	struct itip_msg *v;       /* by practitioner (profile order), then first start */
	size_t n;
};

/* Fills out (free with itip_set_release) and returns 0; none changed is
 * n == 0. Returns -1 with d filled: D_ITIP_NO_COORDINATOR or
 * D_ITIP_NO_ADDRESS (exit 65) when someone cannot be addressed, and
 * D_ITIP_BAD_ADDRESS (exit 65) when the address a message would go to (an
 * event's ORGANIZER) is not exactly one address (addr_is_one). */
int export_itip(const struct week *w, int64_t now, int counter, int eml, struct itip_set *out,
		struct diag *d);
void itip_set_release(struct itip_set *s);

/* "Changed appointment: PERSON-ID" (REQUEST) or "New time proposed:
 * PERSON-ID" (COUNTER), cut to sz - 1 bytes. */
void itip_subject(const struct profile *p, enum itip_method method, char *out, size_t sz);

/* Rewrite m->eml (m from export_itip on w, with or without eml) as a
 * re-send in a thread: In-Reply-To refs[n_refs - 1], References refs[0]
 * and the latest ITIP_MAX_REFS - 1 of refs (ids without angle brackets,
 * oldest first, as the store gives them: dot-atoms, no CR or LF). With
 * n_refs 0, the mail as export_itip writes it. Returns 0, or -1 with d
 * filled (out of memory; m->eml unchanged). */
int itip_mail_thread(const struct week *w, int64_t now, struct itip_msg *m, const char *const *refs,
		     size_t n_refs, struct diag *d);

#endif
