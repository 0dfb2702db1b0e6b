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
 * multipart/alternative, text/plain and text/calendar with the method.
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
};

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

#endif
