/* fuzz_itip.c: libFuzzer target: a feed imported into a real store, read as a person's week,
 * its appointments moved as decisions the input picks (week_apply_changes), exported as iTIP
 * (export_itip) and every message read back with dovetail's own reader (ics_read): each
 * changed appointment is in exactly one message, each message is one VCALENDAR with the
 * METHOD it says, holding one VEVENT per appointment, in order, with the appointment's UID,
 * RECURRENCE-ID, agreed start and end, the SEQUENCE docs/export.md gives and the ORGANIZER
 * it names; the same inputs give the same bytes; a refusal leaves nothing and names why.
 *
 * Input: an optional control line (not starting "BEGIN:"; at most CTRL_MAX bytes before its
 * '\n'), then the feed. Control byte 0: bit 0 --counter, bit 1 --eml. Byte 1 + i % (n - 1)
 * is appointment i's decision (decide()); without control bytes every appointment gets
 * DEFAULT_DECISION. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovetail/export.h"
#include "dovetail/ics.h"
#include "dovetail/plan.h"
#include "dovetail/profile.h"
#include "dovetail/store.h"
#include "dovetail/util.h"
#include "dovetail/week.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CTRL_MAX 64
#define DEFAULT_DECISION 0x65   /* a move a day later and 30 min on, accepted once */
#define NOW 1795392000          /* Monday 2026-11-23 00:00 UTC */
#define MONDAY 20780            /* its date, days since the epoch */

static char dir[64];
static struct store *st;
static struct profile *prof;
static struct ics_limits lim;

/* a names an address; b does not (its ATTENDEE is its event's ORGANIZER,
 * else the export is refused); both read the one feed */
static const char profile_text[] =
	"version: 1\n"
	"person: { id: P-1, display_name: Secret Name, timezone: Europe/London, home: home }\n"
	"coordinator: { address: \"mailto:kw@council.example\", name: Keyworker }\n"
	"venues: [{ id: home, kind: home }, { id: clinic, name: Clinic }, { id: hospital, name: Hospital }]\n"
	"practitioners:\n"
	"  - { id: a, role: therapist, feeds: [f.ics], match: { text: P-1 }, default_venue: clinic,\n"
	"      address: \"mailto:a@nhs.example\" }\n"
	"  - { id: b, role: nurse, feeds: [f.ics], match: { text: Visit }, default_venue: home,\n"
	"      share_display_name: true }\n";

/* At exit: the store closed and the work folder removed. */
static void cleanup(void)
{
	static const char *const names[] = { "f.ics", "s.db", "s.db-wal", "s.db-shm", "s.db-journal" };
	char path[128];
	store_close(st);
	st = NULL;
	profile_free(prof);
	prof = NULL;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/dovetail-fuzz-itip.%d", (int)getpid());
	char path[128];
	snprintf(path, sizeof path, "%s/f.ics", dir);
	struct diag d;
	diag_init(&d);
	if (mkdir(dir, 0700) < 0 && access(dir, W_OK) < 0)
		abort();
	FILE *f = fopen(path, "w");
	if (!f || fclose(f) != 0)
		abort();
	snprintf(path, sizeof path, "%s/p.yaml", dir);
	if (profile_load_text(&prof, path, profile_text, sizeof profile_text - 1, &d) < 0)
		abort();
	snprintf(path, sizeof path, "%s/s.db", dir);
	if (store_open(&st, path, 0, &d) < 0)
		abort();
	ics_limits_default(&lim);
	lim.max_series_occ = 2000;
	lim.max_series_iter = 20000;
	lim.max_feed_occ = 20000;
	lim.cpu_budget_ms = 200;
	diag_release(&d);
	atexit(cleanup);
}

/* What one decision byte c does to appointment a: bits 0-1 the kind (0 none,
 * 1 a move, 2 a venue change, 3 both), bits 2-5 the shift in half hours
 * (-8..7), bit 6 a day later, bits 6-7 the venue, bit 4 accepted twice
 * (else once); 0xf0 all set: also a revision to resend (resend_sequence,
 * set by the caller). Fills ch and *accepted; returns 0 for none. */
static int decide(const struct week *w, const struct wk_appt *a, unsigned c, struct change *ch,
		  int *accepted)
{
	unsigned kind = c & 3;
	if (!kind)
		return 0;
	int dur = a->e_min - a->s_min;
	int start = a->s_min;
	int64_t date = w->days[a->day].date;
	const char *venue = NULL;
	if (kind & 1) {
		start += ((int)((c >> 2) & 15) - 8) * 30;
		date += (c >> 6) & 1;
		if (start < 0)
			start = 0;
		if (dur <= 1440 && start + dur > 1440)
			start = 1440 - dur;
		if (start > 1439)
			start = 1439;
	}
	if (kind & 2)
		venue = w->p->venues[((c >> 6) & 3) % w->p->n_venues].id;
	*ch = (struct change){ { w->p->pracs[a->prac].id, a->uid, a->rid, a->feed_start, a->feed_end },
			       { w->days[a->day].date, a->s_min, NULL }, { date, start, venue },
			       (kind & 1 ? CHANGE_MOVE : 0) | (kind & 2 ? CHANGE_VENUE : 0) };
	*accepted = 1 + (int)((c >> 4) & 1);
	return 1;
}

/* UTC seconds of a time read back from an export: it must carry a zone. */
static int64_t utc_of(struct icaltimetype t)
{
	if (!t.zone || t.is_date)
		abort();   /* an exported time is a local time with its TZID */
	icaltimezone *z = (icaltimezone *)t.zone;
	t.zone = NULL;
	return (int64_t)icaltime_as_timet_with_zone(t, z);
}

/* Whether the practitioner is told about a (export.h: it moved, or a revision). */
static int changed(const struct wk_appt *a)
{
	return (a->accepted > 0 && (a->start != a->feed_start || a->end != a->feed_end ||
				    a->venue != a->feed_venue)) || a->resend_sequence > 0;
}

/* Read message m back and check it against the week; aborts on a mismatch. */
static void check_msg(const struct week *w, const struct itip_msg *m, int eml, size_t *seen)
{
	struct bytes b = { strdup(m->ics), strlen(m->ics) };
	if (!b.data)
		abort();
	struct diag d;
	diag_init(&d);
	struct ics_feed f;
	if (ics_read(&f, "itip.ics", &b, &lim, &d) != 0 || diag_exit_status(&d) != 0 || f.n_ev != m->n_changes ||
	    m->n_changes == 0)
		abort();   /* dovetail cannot read its own message, or it holds other events */
	const char *method = m->method == ITIP_COUNTER ? "COUNTER" : "REQUEST";
	char got[32];
	if (!ics_scan_method(&f.scan, got, sizeof got) || strcmp(got, method) != 0)
		abort();   /* the METHOD is not the one the message says */
	if (eml && (!m->eml || !strstr(m->eml, method)))
		abort();   /* the mail does not carry the calendar's method */
	for (size_t k = 0; k < f.n_ev; k++) {
		const struct ics_event *e = &f.ev[k];
		size_t i = m->appts[k];
		if (i >= w->n_appts || seen[i]++)
			abort();   /* an appointment in two messages, or none of the week's */
		const struct wk_appt *a = &w->appts[i];
		if (a->prac != m->prac || !changed(a))
			abort();   /* another practitioner's, or an unchanged one */
		char rid[20];
		ics_rid_text(e, rid);
		if (e->kind != ICS_VEVENT || e->bad || strcmp(e->uid, a->uid) != 0 || strcmp(rid, a->rid) != 0)
			abort();   /* the UID or RECURRENCE-ID did not round-trip */
		if (!e->has_dtend || utc_of(e->dtstart) != a->start || utc_of(e->dtend) != a->end)
			abort();   /* not at the agreed time */
		int seq = m->method == ITIP_COUNTER ? a->sequence
			: a->resend_sequence > 0 ? a->resend_sequence : a->sequence + a->accepted;
		if (e->sequence != seq)
			abort();   /* the SEQUENCE is not the one docs/export.md gives */
		const char *org = m->method == ITIP_COUNTER ? a->organizer : w->p->coordinator_address;
		if (!e->organizer || !org || strcasecmp(e->organizer, org) != 0)
			abort();   /* the ORGANIZER did not round-trip */
	}
	ics_feed_release(&f);
	diag_release(&d);
}

/* Export w's changes and check every message; aborts on a mismatch. */
static void check_export(const struct week *w, int counter, int eml)
{
	struct diag d;
	diag_init(&d);
	struct itip_set set, again;
	int rc = export_itip(w, NOW, counter, eml, &set, &d);
	if (rc < 0) {
		if (set.n != 0 || set.v != NULL || diag_exit_status(&d) == 0)
			abort();   /* a refusal that leaves messages or names no error */
		diag_release(&d);
		return;
	}
	size_t *seen = calloc(w->n_appts + 1, sizeof *seen);
	if (!seen)
		abort();
	for (size_t k = 0; k < set.n; k++)
		check_msg(w, &set.v[k], eml, seen);
	for (size_t i = 0; i < w->n_appts; i++)
		if (changed(&w->appts[i]) != (seen[i] == 1))
			abort();   /* a changed appointment nobody is told about */
	if (export_itip(w, NOW, counter, eml, &again, &d) != 0 || again.n != set.n)
		abort();
	for (size_t k = 0; k < set.n; k++)
		if (strcmp(set.v[k].ics, again.v[k].ics) != 0 || strcmp(set.v[k].name, again.v[k].name) != 0 ||
		    strcmp(set.v[k].message_id, again.v[k].message_id) != 0)
			abort();   /* the same inputs, other bytes */
	itip_set_release(&again);
	itip_set_release(&set);
	free(seen);
	diag_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st)
		setup();
	const uint8_t *ctrl = NULL;
	size_t n_ctrl = 0;
	if (size < 6 || memcmp(data, "BEGIN:", 6) != 0) {
		const uint8_t *nl = memchr(data, '\n', size < CTRL_MAX + 1 ? size : CTRL_MAX + 1);
		if (!nl)
			return 0;
		ctrl = data;
		n_ctrl = (size_t)(nl - data);
		size -= n_ctrl + 1;
		data = nl + 1;
	}
	int counter = n_ctrl > 0 && (ctrl[0] & 1), eml = n_ctrl > 0 && (ctrl[0] & 2);
	struct diag d;
	diag_init(&d);
	struct bytes b = { malloc(size + 1), size };
	if (!b.data)
		return 0;
	memcpy(b.data, data, size);
	b.data[size] = 0;
	struct ics_feed feed;
	int64_t from = (MONDAY - 7) * 86400, to = (MONDAY + 21) * 86400;
	int imported = 0;
	if (ics_read(&feed, "f.ics", &b, &lim, &d) == 0) {
		struct import_opts o = { .source = prof->pracs[0].feeds[0].source, .practitioner = "a",
					 .keep_going = 1, .from = from, .to = to,
					 .zone = ics_tz_builtin("Europe/London"), .zone_name = "Europe/London",
					 .now = 0, .lim = &lim };
		struct import_report r;
		memset(&r, 0, sizeof r);
		imported = store_import(st, &feed, &o, &r, &d) == 0 && !r.rejected;
	}
	ics_feed_release(&feed);
	struct week w;
	/* only this input's feed: a rejected one would leave the last input's in the store */
	if (imported && week_build(&w, prof, st, MONDAY, MONDAY + 13, &d) == 0) {
		size_t n = w.n_appts;
		struct change *v = calloc(n + 1, sizeof *v);
		int *acc = calloc(n + 1, sizeof *acc), *where = calloc(n + 1, sizeof *where);
		int *resend = calloc(n + 1, sizeof *resend);
		if (!v || !acc || !where || !resend)
			abort();
		size_t nv = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned c = n_ctrl > 1 ? ctrl[1 + i % (n_ctrl - 1)] : DEFAULT_DECISION;
			if ((c & 0xf0) == 0xf0)
				resend[i] = w.appts[i].sequence + 5;
			if (decide(&w, &w.appts[i], c, &v[nv], &acc[nv]))
				nv++;
		}
		/* the revisions first: appts are re-sorted by week_apply_changes */
		for (size_t i = 0; i < n; i++)
			w.appts[i].resend_sequence = resend[i];
		int applied = week_apply_changes(&w, v, nv, where, &d);
		if (applied < 0 || (size_t)applied > nv)
			abort();
		for (size_t k = 0; k < nv; k++)
			if (where[k] >= 0)
				w.appts[where[k]].accepted += acc[k];
		check_export(&w, counter, eml);
		free(v);
		free(acc);
		free(where);
		free(resend);
		week_release(&w);
	}
	diag_release(&d);
	return 0;
}
