/* test_export.c: unit tests for the iTIP export (export/itip.c) and its helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/export.h"
#include "dovetail/util.h"
#include "family.h"

/* Two practitioners: a's weekly series (no ORGANIZER), b's single visit
 * organised by b's booking team. */
static const char feed_a[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a-weekly\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261116T100000Z\r\n"
	"DTEND:20261116T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSEQUENCE:2\r\nSUMMARY:Session\r\n"
	"LOCATION:Clinic\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";
static const char feed_b[] =
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T140000Z\r\n"
	"DTEND:20261125T143000Z\r\nSUMMARY:Visit for Secret Name\r\nLOCATION:Clinic room 4\r\n"
	"ORGANIZER;CN=Bookings:mailto:bookings@b.example\r\nEND:VEVENT\r\n"
	"END:VCALENDAR\r\n";

static const char profile_text[] =
	"version: 1\n"
	"person: { id: P-1, display_name: Secret Name, timezone: Europe/London, home: home }\n"
	"coordinator: { address: \"mailto:kw@council.example\", name: Keyworker }\n"
	"venues:\n"
	"  - { id: home, kind: home }\n"
	"  - { id: clinic, name: Clinic }\n"
	"practitioners:\n"
	"  - { id: a, role: physiotherapist, feeds: [a.ics], address: \"mailto:a@nhs.example\" }\n"
	"  - { id: b, role: nurse, feeds: [b.ics] }\n";

/* Move appointment i by `minutes`, as an accepted change would. */
static void move(struct week *w, size_t i, int minutes)
{
	w->appts[i].start += minutes * 60;
	w->appts[i].end += minutes * 60;
	w->appts[i].accepted++;
}

static int has(const char *text, const char *needle)
{
	return text && strstr(text, needle) != NULL;
}

int main(void)
{
	char *b = base64_mime("foobar", 6);
	is_str(b, "Zm9vYmFy\r\n", "base64 of foobar (RFC 4648 vector)");
	free(b);
	char big[120];
	memset(big, 'x', sizeof big);
	b = base64_mime(big, sizeof big);
	ok(b && strlen(b) == 76 + 2 + 76 + 2 + 8 + 2 && b[76] == '\r', "base64 lines of 76 (57 bytes each)");
	free(b);
	b = base64_mime("", 0);
	is_str(b, "", "base64 of nothing is nothing");
	free(b);

	/* SHA-256 (src/util/hash.c): FIPS 180-2's vectors, at once and in pieces */
	char hex[65];
	hash_sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256 of abc");
	hash_sha256_hex(NULL, 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "SHA-256 of nothing");
	static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hash_sha256_hex(two, strlen(two), hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "SHA-256 of two blocks");
	struct hash_ctx *h = hash_new();
	for (size_t i = 0; i < strlen(two); i++)
		hash_update(h, two + i, 1);
	hash_update(h, NULL, 0);
	hash_final_hex(h, hex);
	hash_free(h);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "... the same a byte at a time");
	char *million = malloc(1000000);
	if (million) {
		memset(million, 'a', 1000000);
		h = hash_new();
		for (size_t i = 0; i < 1000000; i += 4096)
			hash_update(h, million + i, 1000000 - i < 4096 ? 1000000 - i : 4096);
		hash_final_hex(h, hex);
		hash_free(h);
		is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
		       "SHA-256 of a million a's, in pieces of 4096");
		free(million);
	}
	hash_free(NULL);

	static const char *const files[] = { "a.ics", feed_a, "b.ics", feed_b, NULL };
	struct family fam;
	if (!ok(family_open(&fam, files, profile_text) == 0, "the family loads, imports and reads"))
		return tap_done();
	struct week *w = &fam.w;
	is_int(w->n_appts, 2, "two appointments: a's Monday occurrence and b's visit");
	is_int(w->appts[0].sequence, 2, "the feed's SEQUENCE is kept");
	ok(w->appts[0].organizer == NULL, "a's event has no ORGANIZER");
	is_str(w->appts[1].organizer, "mailto:bookings@b.example", "b's ORGANIZER is kept");

	struct itip_set set;
	is_int(export_itip(w, 1795392000, 0, 0, &set, &fam.d), 0, "nothing changed: runs");
	is_int(set.n, 0, "... and sends nothing");

	move(w, 0, 60);
	w->appts[1].accepted++;   /* accepted where it already is: not a change */
	is_int(export_itip(w, 1795392000, 0, 1, &set, &fam.d), 0, "one change");
	is_int(set.n, 1, "... one message");
	const struct itip_msg *m = &set.v[0];
	is_str(m->name, "a", "... named after its practitioner");
	ok(m->method == ITIP_REQUEST && has(m->ics, "METHOD:REQUEST"), "... METHOD:REQUEST");
	ok(has(m->ics, "UID:a-weekly") && has(m->ics, "RECURRENCE-ID:20261123T100000Z"),
	   "... the series' UID and the occurrence's RECURRENCE-ID");
	ok(has(m->ics, "DTSTART;TZID=Europe/London:20261123T110000"), "... the agreed start");
	ok(has(m->ics, "SEQUENCE:3"), "... SEQUENCE 2 + 1");
	ok(has(m->ics, "DTSTAMP:20261123T000000Z"), "... DTSTAMP is now");
	ok(has(m->ics, "ORGANIZER;CN=Keyworker:mailto:kw@council.example"), "... ORGANIZER the coordinator");
	ok(has(m->ics, "RSVP=TRUE") && has(m->ics, "PARTSTAT=NEEDS-ACTION") && has(m->ics, "mailto:a@nhs.example"),
	   "... ATTENDEE the practitioner, RSVP=TRUE, PARTSTAT=NEEDS-ACTION");
	ok(has(m->ics, "BEGIN:VTIMEZONE") && has(m->ics, "TZID:Europe/London"), "... with the VTIMEZONE");
	ok(!has(m->ics, "Secret Name"), "... no display name");
	ok(has(m->eml, "Content-Type: multipart/alternative") &&
	   has(m->eml, "Content-Type: text/calendar; charset=utf-8; method=REQUEST") &&
	   has(m->eml, "To: a@nhs.example") && has(m->eml, "Date: Mon, 23 Nov 2026 00:00:00 +0000"),
	   "... and an iMIP mail");
	itip_set_release(&set);

	move(w, 1, -30);
	is_int(export_itip(w, 1795392000, 1, 0, &set, &fam.d), 0, "--counter");
	is_int(set.n, 2, "... two messages");
	ok(set.v[0].method == ITIP_REQUEST, "... REQUEST for a's event (no ORGANIZER to counter)");
	m = &set.v[1];
	ok(m->method == ITIP_COUNTER && has(m->ics, "METHOD:COUNTER"), "... COUNTER for b's");
	ok(has(m->ics, "ORGANIZER:mailto:bookings@b.example"), "... to the event's ORGANIZER");
	ok(has(m->ics, "SEQUENCE:0"), "... SEQUENCE unchanged");
	ok(has(m->ics, "SUMMARY:Visit for Secret Name") && has(m->ics, "LOCATION:Clinic room 4"),
	   "... b's own words kept (their SUMMARY and LOCATION, echoed back to them only)");
	ok(has(m->ics, "Moved by agreement with the family of P-1 (dovetail)"), "... plus what changed");
	ok(!has(m->ics, "a-weekly") && !has(m->ics, "physiotherapist"), "... nothing about a");
	itip_set_release(&set);

	/* Message-IDs from the content (issue 20): another moment, the same
	 * ids; a REQUEST and a COUNTER, or two recipients, never one */
	struct itip_set s1, s2, s3;
	is_int(export_itip(w, 1795392000, 0, 1, &s1, &fam.d), 0, "ids: REQUEST for both");
	is_int(export_itip(w, 1795392000 + 3600, 0, 1, &s2, &fam.d), 0, "... an hour later");
	is_int(export_itip(w, 1795392000, 1, 1, &s3, &fam.d), 0, "... and with --counter");
	ok(s1.n == 2 && s2.n == 2 && s3.n == 2, "... two messages each");
	ok(strcmp(s1.v[0].ics, s2.v[0].ics) != 0, "... the DTSTAMP differs an hour later");
	is_str(s2.v[0].message_id, s1.v[0].message_id, "... yet the id stays: the content is the same");
	is_str(s2.v[0].digest, s1.v[0].digest, "... and the digest");
	ok(strcmp(s1.v[0].message_id, s1.v[1].message_id) != 0, "... two messages, two ids");
	ok(strcmp(s3.v[1].message_id, s1.v[1].message_id) != 0, "... the COUNTER's id is not the REQUEST's");
	is_str(s3.v[0].message_id, s1.v[0].message_id, "... a's REQUEST is the same in both");
	ok(strncmp(s1.v[0].message_id, ITIP_ID_PREFIX, strlen(ITIP_ID_PREFIX)) == 0 &&
	   has(s1.v[0].message_id, "@council.example") && strlen(s1.v[0].message_id) ==
	   strlen(ITIP_ID_PREFIX) + 32 + strlen("@council.example"), "... dovetail.HEX32@the coordinator's domain");
	char hdr[200];
	snprintf(hdr, sizeof hdr, "Message-ID: <%s>\r\n", s1.v[0].message_id);
	ok(has(s1.v[0].eml, hdr), "... in the mail");
	ok(!has(s1.v[0].eml, "In-Reply-To") && !has(s1.v[0].eml, "References"), "... not threaded");
	is_int(s1.v[0].n_changes, 1, "... one appointment");
	ok(s1.v[0].appts && s1.v[0].appts[0] == 0 && s1.v[1].appts[0] == 1, "... which one");
	is_str(s1.v[0].to, "mailto:a@nhs.example", "... to whom");
	is_str(s1.v[0].subject, "Changed appointment: P-1", "... the subject");
	is_str(s3.v[1].subject, "New time proposed: P-1", "... a COUNTER's subject");
	/* a re-send: In-Reply-To the last, References the first and the latest 9 */
	const char *refs[12];
	char rb[12][32];
	for (int i = 0; i < 12; i++) {
		snprintf(rb[i], sizeof rb[i], "r%02d@x.example", i + 1);
		refs[i] = rb[i];
	}
	is_int(itip_mail_thread(w, 1795392000, &s1.v[0], refs, 1, &fam.d), 0, "thread: one earlier");
	ok(has(s1.v[0].eml, "In-Reply-To: <r01@x.example>\r\nReferences: <r01@x.example>\r\nMIME-Version"),
	   "... In-Reply-To and References it");
	ok(has(s1.v[0].eml, hdr), "... the same Message-ID");
	is_int(itip_mail_thread(w, 1795392000, &s1.v[0], refs, 12, &fam.d), 0, "thread: twelve earlier");
	ok(has(s1.v[0].eml, "In-Reply-To: <r12@x.example>\r\nReferences: <r01@x.example>\r\n <r04@x.example>\r\n"),
	   "... In-Reply-To the last; References the first, then from the 4th");
	ok(has(s1.v[0].eml, " <r12@x.example>\r\nMIME-Version") && !has(s1.v[0].eml, "r02@") &&
	   !has(s1.v[0].eml, "r03@"), "... up to the last: ITIP_MAX_REFS in all");
	is_int(itip_mail_thread(w, 1795392000, &s1.v[0], refs, 0, &fam.d), 0, "thread: none");
	ok(strcmp(s1.v[0].eml, s2.v[0].eml) != 0 && !has(s1.v[0].eml, "References"), "... the mail as export writes it");
	itip_set_release(&s1);
	itip_set_release(&s2);
	itip_set_release(&s3);

	is_int(export_itip(w, 1795392000, 0, 0, &set, &fam.d), 0, "REQUEST for both");
	ok(set.n == 2 && set.v[1].method == ITIP_REQUEST &&
	   has(set.v[1].ics, "RSVP=TRUE:mailto:bookings@b.example"),
	   "... b has no address: the ATTENDEE is its event's ORGANIZER");
	itip_set_release(&set);

	free(fam.p->pracs[0].address);
	fam.p->pracs[0].address = NULL;
	is_int(export_itip(w, 1795392000, 0, 0, &set, &fam.d), -1, "a has no address and no ORGANIZER: refused");
	ok(fam.d.n && fam.d.v[0].code == D_ITIP_NO_ADDRESS, "... D_ITIP_NO_ADDRESS");
	is_int(set.n, 0, "... and nothing is left");
	diag_release(&fam.d);
	diag_init(&fam.d);

	free(fam.p->coordinator_address);
	fam.p->coordinator_address = NULL;
	is_int(export_itip(w, 1795392000, 0, 0, &set, &fam.d), -1, "no coordinator: refused");
	ok(fam.d.n && fam.d.v[0].code == D_ITIP_NO_COORDINATOR, "... D_ITIP_NO_COORDINATOR");
	family_close(&fam);
	return tap_done();
}
