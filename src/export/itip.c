/* itip.c: the agreed changes as iTIP requests or counters per practitioner, and as iMIP mail. */
#include "dovetail/export.h"

#include <assert.h>
#include <ctype.h>
#include <libical/ical.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"
#include "ical.h"

/* Whether the agreed placement of a differs from its feed's. */
static int moved(const struct wk_appt *a)
{
	return a->accepted > 0 &&
	       (a->start != a->feed_start || a->end != a->feed_end || a->venue != a->feed_venue);
}

/* Whether the practitioner is to be told: it moved, or what they were told
 * before no longer holds (a revision, set by send). */
static int changed(const struct wk_appt *a)
{
	return moved(a) || a->resend_sequence > 0;
}

/* English day and month names, whatever the locale (mail dates need them) */
static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
				   "Aug", "Sep", "Oct", "Nov", "Dec" };

/* "Tue 24 Nov 2026 10:00-11:00" for [s, e) in the person's zone. */
static void fmt_span(const struct week *w, int64_t s, int64_t e, char *out, size_t sz)
{
	struct icaltimetype a = icaltime_from_timet_with_zone((time_t)s, 0, w->zone);
	struct icaltimetype b = icaltime_from_timet_with_zone((time_t)e, 0, w->zone);
	int dow = icaltime_day_of_week(a) - 1;   /* 1 is Sunday */
	snprintf(out, sz, "%s %d %s %d %02d:%02d-%02d:%02d", wd[dow < 0 || dow > 6 ? 0 : dow],
		 a.day, mon[(a.month + 11) % 12], a.year, a.hour, a.minute, b.hour, b.minute);
}

static const char *venue_name(const struct profile *p, int v)
{
	return v >= 0 ? p->venues[v].name : NULL;
}

/* One occurrence's change in words, for DESCRIPTION and the mail. */
static void describe(const struct week *w, const struct wk_appt *a, char *was, char *now, size_t sz)
{
	char t[64];
	const char *v;
	fmt_span(w, a->feed_start, a->feed_end, t, sizeof t);
	v = venue_name(w->p, a->feed_venue);
	snprintf(was, sz, "%s%s%s", t, v ? ", " : "", v ? v : "");
	fmt_span(w, a->start, a->end, t, sizeof t);
	v = venue_name(w->p, a->venue);
	snprintf(now, sz, "%s%s%s", t, v ? ", " : "", v ? v : "");
}

/* The RFC 5322 date of t (UTC), in English whatever the locale. */
static void mail_date(int64_t t, char *out, size_t sz)
{
	time_t x = (time_t)t;
	struct tm tm;
	gmtime_r(&x, &tm);
	snprintf(out, sz, "%s, %d %s %d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
		 mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A calendar address without its scheme, for mail headers. */
static const char *mail_addr(const char *cal_address)
{
	return strncasecmp(cal_address, "mailto:", 7) == 0 ? cal_address + 7 : cal_address;
}

/* One message being put together: a practitioner's changed occurrences of one UID. */
struct msg {
	const struct week *w;
	int prac;
	enum itip_method method;
	const char *to;           /* the recipient's calendar address */
	size_t *ix;               /* appointment indices, by start */
	size_t n;
};

static icalproperty *cal_user(icalproperty *p, const char *cn)
{
	if (cn)
		icalproperty_add_parameter(p, icalparameter_new_cn(cn));
	return p;
}

static void add_words(const struct msg *m, const struct wk_appt *a, icalcomponent *ev);

/* The VEVENT of appointment a in message m. */
static icalcomponent *vevent(const struct msg *m, const struct wk_appt *a, int64_t now)
{
	const struct week *w = m->w;
	const struct profile *p = w->p;
	const struct prof_practitioner *pr = &p->pracs[m->prac];
	icalcomponent *ev = xp_event(w, a->uid, now, a->start, a->end);
	if (*a->rid) {
		struct icaltimetype r = icaltime_from_string(a->rid);
		if (!icaltime_is_null_time(r))
			icalcomponent_add_property(ev, icalproperty_new_recurrenceid(r));
	}
	/* REQUEST: a new version (SEQUENCE up by each accepted change);
	 * COUNTER: the organizer's version, echoed (RFC 5546 3.2.7) */
	int seq = m->method == ITIP_COUNTER ? a->sequence
		: a->resend_sequence > 0 ? a->resend_sequence : a->sequence + a->accepted;
	icalcomponent_add_property(ev, icalproperty_new_sequence(seq));
	icalproperty *org, *att;
	if (m->method == ITIP_REQUEST) {
		org = cal_user(icalproperty_new_organizer(p->coordinator_address), p->coordinator_name);
		att = cal_user(icalproperty_new_attendee(m->to), pr->role);
		icalproperty_add_parameter(att, icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
		icalproperty_add_parameter(att, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
		icalproperty_add_parameter(att, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
		icalproperty_add_parameter(att, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
	} else {
		org = icalproperty_new_organizer(a->organizer);
		att = cal_user(icalproperty_new_attendee(p->coordinator_address), p->coordinator_name);
		icalproperty_add_parameter(att, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
	}
	icalcomponent_add_property(ev, org);
	icalcomponent_add_property(ev, att);
	add_words(m, a, ev);
	/* a provisional booking stays provisional: the family agreeing a time
	 * does not confirm what the practitioner has not */
	icalcomponent_add_property(ev, icalproperty_new_status(a->tentative ? ICAL_STATUS_TENTATIVE
									    : ICAL_STATUS_CONFIRMED));
	return ev;
}

/* The practitioner's own words, kept: their title, their instructions and
 * their place, plus only what changed (docs/export.md, "Words"). */
static void add_words(const struct msg *m, const struct wk_appt *a, icalcomponent *ev)
{
	const struct week *w = m->w;
	const struct profile *p = w->p;
	const struct prof_practitioner *pr = &p->pracs[m->prac];
	char text[512], was[160], now_s[160], who[256];
	if (pr->share_display_name && p->display_name)
		snprintf(who, sizeof who, "%s (%s)", p->person_id, p->display_name);
	else
		snprintf(who, sizeof who, "%s", p->person_id);
	snprintf(text, sizeof text, "%s, %s appointment", who, pr->role);
	icalcomponent_add_property(ev, icalproperty_new_summary(a->summary ? a->summary : text));
	if (a->venue >= 0 && (a->venue != a->feed_venue || !a->location_text))
		icalcomponent_add_property(ev, icalproperty_new_location(p->venues[a->venue].name));
	else if (a->location_text)
		icalcomponent_add_property(ev, icalproperty_new_location(a->location_text));
	describe(w, a, was, now_s, sizeof was);
	if (moved(a))
		snprintf(text, sizeof text, "Moved by agreement with the family of %s (dovetail). It was %s.", who,
			 was);
	else
		snprintf(text, sizeof text, "The move sent before for the family of %s is off (dovetail): it stays"
			 " where it was booked, %s.", who, was);
	if (a->description) {
		char *both = xasprintf("%s\n\n%s", a->description, text);
		icalcomponent_add_property(ev, icalproperty_new_description(both));
		free(both);
	} else {
		icalcomponent_add_property(ev, icalproperty_new_description(text));
	}
}

/* A growing text. */
struct sbuf {
	char *s;
	size_t n, cap;
};

static void put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert(k >= 0);   /* our formats, with %s and numbers only */
	if (b->n + (size_t)k + 1 > b->cap) {
		b->cap = (b->cap ? b->cap * 2 : 1024) + (size_t)k;
		b->s = xrealloc(b->s, b->cap);
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)k;
}

/* The iMIP mail of a message (RFC 6047): multipart/alternative with a
 * plain-text account and the iCalendar object, both base64. */
static char *mail(const struct msg *m, const char *ics, const char *id, const char *const *refs,
		  size_t n_refs, int64_t now)
{
	const struct week *w = m->w;
	const struct profile *p = w->p;
	const struct prof_practitioner *pr = &p->pracs[m->prac];
	int counter = m->method == ITIP_COUNTER;
	struct sbuf t = { 0 }, b = { 0 };
	char subject[128];
	itip_subject(p, m->method, subject, sizeof subject);
	put(&t, "%s\r\n\r\n", counter ? "A new time is proposed for an appointment." :
					"An appointment has changed.");
	put(&t, "For %s, the family has agreed to move %s %s appointment%s with you:\r\n\r\n",
	    p->person_id, m->n == 1 ? "this" : "these", pr->role, m->n == 1 ? "" : "s");
	for (size_t i = 0; i < m->n; i++) {
		char was[160], now_s[160];
		describe(w, &w->appts[m->ix[i]], was, now_s, sizeof was);
		put(&t, "  was:  %s\r\n  now:  %s\r\n\r\n", was, now_s);
	}
	put(&t, "%s\r\n", counter ? "The attached counter-proposal (iCalendar COUNTER) carries the new time:\r\n"
				    "please accept it in your calendar, or decline it and say which\r\n"
				    "time would suit you." :
				    "The attached invitation (iCalendar REQUEST) carries the new time:\r\n"
				    "please accept it, or decline it and say which time would suit you.");
	char boundary[64], date[64];
	snprintf(boundary, sizeof boundary, "=_dovetail_%.24s", id + strlen(ITIP_ID_PREFIX));
	mail_date(now, date, sizeof date);
	char *text64 = base64_mime(t.s, t.n);
	char *ics64 = base64_mime(ics, strlen(ics));
	put(&b, "From: %s\r\n", mail_addr(p->coordinator_address));
	put(&b, "To: %s\r\n", mail_addr(m->to));
	put(&b, "Subject: %s\r\n", subject);
	put(&b, "Date: %s\r\nMessage-ID: <%s>\r\n", date, id);
	/* a re-send threads with what went before: the last one it answers,
	 * and the first plus the latest few of all (RFC 5322 3.6.4) */
	if (n_refs) {
		put(&b, "In-Reply-To: <%s>\r\nReferences: <%s>", refs[n_refs - 1], refs[0]);
		size_t from = n_refs > ITIP_MAX_REFS ? n_refs - (ITIP_MAX_REFS - 1) : 1;
		for (size_t i = from; i < n_refs; i++)
			put(&b, "\r\n <%s>", refs[i]);
		put(&b, "\r\n");
	}
	put(&b, "MIME-Version: 1.0\r\n");
	put(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
	put(&b, "This is a message in MIME format.\r\n\r\n");
	put(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", boundary, text64);
	put(&b, "--%s\r\nContent-Type: text/calendar; charset=utf-8; method=%s\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", boundary,
	    counter ? "COUNTER" : "REQUEST", ics64);
	put(&b, "--%s--\r\n", boundary);
	free(t.s);
	free(text64);
	free(ics64);
	return b.s;
}

void itip_set_release(struct itip_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].ics);
		free(s->v[i].eml);
		free(s->v[i].appts);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

void itip_subject(const struct profile *p, enum itip_method method, char *out, size_t sz)
{
	snprintf(out, sz, "%s: %s", method == ITIP_COUNTER ? "New time proposed" : "Changed appointment",
		 p->person_id);
}

/* Whether line [s, e) is a DTSTAMP line: the moment of writing, not content. */
static int is_dtstamp(const char *s, const char *e)
{
	return e - s >= 8 && strncasecmp(s, "DTSTAMP", 7) == 0 && (s[7] == ':' || s[7] == ';');
}

/* m->digest and m->message_id from m->ics and m->to (export.h). */
static void content_id(const struct profile *p, struct itip_msg *m)
{
	struct hash_ctx *h = hash_new();
	char hex[65] = "";
	for (const char *s = m->ics; *s;) {
		const char *e = strchr(s, '\n');
		e = e ? e + 1 : s + strlen(s);
		/* a folded DTSTAMP (it never is) would leave its tail: harmless */
		if (!is_dtstamp(s, e))
			hash_update(h, s, (size_t)(e - s));
		s = e;
	}
	hash_update(h, "", 1);   /* no line holds a NUL */
	const char *to = mail_addr(m->to);
	for (const char *c = to; *c; c++) {
		char lc = (char)tolower((unsigned char)*c);
		hash_update(h, &lc, 1);
	}
	hash_final_hex(h, hex);
	hash_free(h);
	snprintf(m->digest, sizeof m->digest, "%s", hex);
	/* the coordinator's domain: the messages are theirs; addr_is_one
	 * allows nothing a Message-ID cannot hold but '@' and '.' runs */
	const char *at = p->coordinator_address ? strrchr(p->coordinator_address, '@') : NULL;
	snprintf(m->message_id, sizeof m->message_id, ITIP_ID_PREFIX "%.32s@%s", hex,
		 at ? at + 1 : "dovetail.invalid");
}

int itip_mail_thread(const struct week *w, int64_t now, struct itip_msg *x, const char *const *refs,
		     size_t n_refs, struct diag *d)
{
	assert(x->appts && x->n_changes && x->ics);
	struct msg m = { w, x->prac, x->method, x->to, x->appts, x->n_changes };
	(void)d;   /* nothing left to report: mail() cannot fail */
	char *e = mail(&m, x->ics, x->message_id, refs, n_refs, now);
	free(x->eml);
	x->eml = e;
	return 0;
}

/* Builds the message m into *out. Returns 0 or -1 (d filled). */
static int build(const struct msg *m, const char *name, int64_t now, int eml, struct itip_msg *out,
		 struct diag *d)
{
	icalcomponent *cal = xp_calendar(m->w, m->method == ITIP_COUNTER ? ICAL_METHOD_COUNTER
									 : ICAL_METHOD_REQUEST);
	for (size_t i = 0; i < m->n; i++)
		icalcomponent_add_component(cal, vevent(m, &m->w->appts[m->ix[i]], now));
	memset(out, 0, sizeof *out);
	out->prac = m->prac;
	snprintf(out->name, sizeof out->name, "%s", name);
	out->method = m->method;
	out->n_changes = m->n;
	out->to = m->to;
	out->ics = xp_finish(cal, d);
	if (!out->ics)
		return -1;
	out->appts = xcalloc(m->n, sizeof *out->appts);
	memcpy(out->appts, m->ix, m->n * sizeof *out->appts);
	itip_subject(m->w->p, m->method, out->subject, sizeof out->subject);
	content_id(m->w->p, out);
	if (eml)
		out->eml = mail(m, out->ics, out->message_id, NULL, 0, now);
	return 0;
}

/* Where message m (to practitioner pr, about appointment a) goes: in m->to,
 * and m->method COUNTER when asked and a has an organizer. Returns 0, or
 * -1 (d filled) when there is no one address. */
static int address(struct msg *m, const struct profile *p, const struct prof_practitioner *pr,
		   const struct wk_appt *a, int counter, struct diag *d)
{
	if (counter && a->organizer) {
		m->method = ITIP_COUNTER;
		m->to = a->organizer;
	} else {
		m->to = pr->address ? pr->address : a->organizer;
	}
	if (!m->to) {
		diag_add(d, D_ITIP_NO_ADDRESS, p->path, 0, 0, pr->id);
		return -1;
	}
	/* the feed's ORGANIZER goes into To: and ATTENDEE or ORGANIZER:
	 * one address, or a feed could add recipients or headers */
	if (!addr_is_one(m->to, strlen(m->to))) {
		diag_add(d, D_ITIP_BAD_ADDRESS, p->path, 0, 0, pr->id);
		return -1;
	}
	return 0;
}

int export_itip(const struct week *w, int64_t now, int counter, int eml, struct itip_set *out,
		struct diag *d)
{
	const struct profile *p = w->p;
	memset(out, 0, sizeof *out);
	size_t cap = 0;
	for (size_t i = 1; i < w->n_appts; i++)
		assert(w->appts[i - 1].start <= w->appts[i].start);   /* week.h: by start */
	size_t *ix = xcalloc(w->n_appts + 1, sizeof *ix);
	unsigned char *done = xcalloc(w->n_appts + 1, 1);
	for (size_t i = 0; i < w->n_appts; i++)
		if (changed(&w->appts[i]) && !p->coordinator_address) {
			diag_add(d, D_ITIP_NO_COORDINATOR, p->path, 0, 0);
			goto fail;
		}
	if (p->coordinator_address && !addr_is_one(p->coordinator_address, strlen(p->coordinator_address))) {
		/* the profile loader refuses it: only a profile built otherwise */
		diag_add(d, D_INTERNAL, NULL, 0, 0, "coordinator.address is not one calendar address");
		goto fail;
	}
	for (size_t pi = 0; pi < p->n_pracs; pi++) {
		const struct prof_practitioner *pr = &p->pracs[pi];
		int part = 0;
		/* appointments are by start, so each UID's group is too */
		for (size_t i = 0; i < w->n_appts; i++) {
			const struct wk_appt *a = &w->appts[i];
			if (a->prac != (int)pi || done[i] || !changed(a))
				continue;
			struct msg m = { w, (int)pi, ITIP_REQUEST, NULL, ix, 0 };
			for (size_t j = i; j < w->n_appts; j++) {
				const struct wk_appt *b = &w->appts[j];
				if (b->prac == (int)pi && !done[j] && changed(b) && strcmp(b->uid, a->uid) == 0) {
					done[j] = 1;
					ix[m.n++] = j;
				}
			}
			if (address(&m, p, pr, a, counter, d) < 0)
				goto fail;
			/* '+' is in no id (A-Z a-z 0-9 . _ -), so PRAC+2 is never
			 * another practitioner's first name: names are unique */
			char name[96];
			if (++part == 1)
				snprintf(name, sizeof name, "%s", pr->id);
			else
				snprintf(name, sizeof name, "%s+%d", pr->id, part);
			struct itip_msg *x = BUF_PUSH(out->v, out->n, cap);
			if (build(&m, name, now, eml, x, d) < 0) {
				out->n--;
				goto fail;
			}
		}
	}
	free(ix);
	free(done);
	return 0;
fail:
	free(ix);
	free(done);
	itip_set_release(out);
	return -1;
}
