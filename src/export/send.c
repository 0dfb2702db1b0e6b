/* send.c: mail each iTIP message once, threaded with what went before, recorded as the server accepts it. */
#include "dovetail/send.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

void send_report_release(struct send_report *r)
{
	if (!r)
		return;
	free(r->v);
	if (r->week)
		week_release(r->week);
	free(r->week);
	memset(r, 0, sizeof *r);
}

static int by_row(const void *a, const void *b)
{
	const struct store_sent_ref *x = a, *y = b;
	return (x->row > y->row) - (x->row < y->row);
}

/* The thread m continues: every message sent before about any of its
 * appointments, oldest first, each once, bounded as itip_mail_thread
 * writes them. Fills refs (sorted, deduplicated). */
static int thread_of(struct store *s, const struct week *w, const struct itip_msg *m,
		     struct store_sent_refs *refs, struct diag *d)
{
	const struct profile *p = w->p;
	for (size_t i = 0; i < m->n_changes; i++) {
		const struct wk_appt *a = &w->appts[m->appts[i]];
		if (store_sent_thread(s, p->person_id, p->pracs[m->prac].id, a->uid, a->rid, ITIP_MAX_REFS,
				      refs, d) < 0)
			return -1;
	}
	if (refs->n > 1)
		qsort(refs->v, refs->n, sizeof *refs->v, by_row);
	size_t k = 0;
	for (size_t i = 0; i < refs->n; i++) {
		int dup = 0;
		for (size_t j = 0; j < k && !dup; j++)
			dup = strcmp(refs->v[j].message_id, refs->v[i].message_id) == 0;
		if (dup)
			free(refs->v[i].message_id);
		else
			refs->v[k++] = refs->v[i];
	}
	refs->n = k;
	for (size_t i = 1; i < k; i++)
		assert(refs->v[i - 1].row < refs->v[i].row);   /* oldest first, each once */
	/* the first and the latest: drop the middle */
	if (k > ITIP_MAX_REFS) {
		size_t drop = k - ITIP_MAX_REFS;
		for (size_t i = 1; i <= drop; i++)
			free(refs->v[i].message_id);
		memmove(&refs->v[1], &refs->v[1 + drop], (k - 1 - drop) * sizeof *refs->v);
		refs->n = ITIP_MAX_REFS;
	}
	return 0;
}

/* What went: one row per appointment of m. */
static int record(struct store *s, const struct week *w, const struct itip_msg *m, int64_t now,
		  struct diag *d)
{
	const struct profile *p = w->p;
	struct store_sent *rows = xcalloc(m->n_changes, sizeof *rows);
	for (size_t i = 0; i < m->n_changes; i++) {
		const struct wk_appt *a = &w->appts[m->appts[i]];
		int counter = m->method == ITIP_COUNTER;
		rows[i] = (struct store_sent){ p->person_id, m->message_id, m->digest, m->to + 7,
			p->pracs[m->prac].id, counter ? "COUNTER" : "REQUEST", a->uid, a->rid,
			counter ? a->sequence : a->resend_sequence > 0 ? a->resend_sequence : a->sequence + a->accepted,
			now };
	}
	int r = store_sent_add(s, rows, m->n_changes, d);
	free(rows);
	return r;
}

/*
 * Revisions (docs/send.md): an appointment a REQUEST was sent about, whose
 * change is no longer in force (another practitioner declined the change
 * it went with, and the group was reopened), is back where it is booked:
 * its practitioner gets a revised REQUEST there, with the next SEQUENCE,
 * once. Not the practitioner who declined: they know. Marks each such
 * appointment of w (resend_sequence). A later accepted move of it goes
 * with the SEQUENCE of the feed plus the accepted changes, which may equal
 * the revision's; its later DTSTAMP makes it the newer (RFC 5546 2.1.5).
 * Returns 0 or -1 (d filled).
 */
static int mark_revisions(struct store *s, struct week *w, struct diag *d)
{
	const struct profile *p = w->p;
	for (size_t i = 0; i < w->n_appts; i++) {
		struct wk_appt *a = &w->appts[i];
		int moved = a->start != a->feed_start || a->end != a->feed_end || a->venue != a->feed_venue;
		if (!a->accepted || moved)
			continue;
		int seq, declined;
		if (store_sent_standing(s, p->person_id, p->pracs[a->prac].id, a->uid, a->rid, &seq, &declined, d) < 0)
			return -1;
		/* the move was sent (SEQUENCE base): revise it, one up; the
		 * revision was sent (above base): the same message again, which
		 * the digest then finds already sent */
		int base = a->sequence + a->accepted;
		if (seq > 0 && !declined && seq >= base)
			a->resend_sequence = seq == base ? seq + 1 : seq;
	}
	return 0;
}

/* One run of send_run: what it was given, and how far it got. */
struct run {
	struct store *s;
	const struct week *w;
	const struct send_opts *o;
	struct send_report *r;
	struct diag *d;
	struct smtp_conf conf;
	struct smtp *sm;          /* connected on the first message sent */
	int have_conf, stopped, store_bad, rc;
	double t0;                /* when the run began (monotonic seconds) */
	size_t late;              /* left: the run's time was spent (conf.total_s) */
};

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Thread message m with what went before (item it says so) and check its
 * size against the server's bound. Returns 0, or -1 (d filled). */
static int ready_mail(struct run *x, struct itip_msg *m, struct send_item *it, const char *rcpt)
{
	struct store_sent_refs refs = { 0 };
	const char *ids[ITIP_MAX_REFS];
	int bad = thread_of(x->s, x->w, m, &refs, x->d) < 0;
	for (size_t j = 0; !bad && j < refs.n; j++)
		ids[j] = refs.v[j].message_id;
	if (!bad && refs.n) {
		bad = itip_mail_thread(x->w, x->o->now, m, ids, refs.n, x->d) < 0;
		snprintf(it->in_reply_to, sizeof it->in_reply_to, "%s", refs.v[refs.n - 1].message_id);
		it->n_refs = refs.n;
	}
	store_sent_refs_release(&refs);
	size_t len = bad ? 0 : strlen(m->eml);
	if (!bad && len > x->conf.max_bytes) {
		char a[32], b[32];
		snprintf(a, sizeof a, "%zu", len);
		snprintf(b, sizeof b, "%zu", x->conf.max_bytes);
		diag_add(x->d, D_SEND_TOO_BIG, NULL, 0, 0, rcpt, a, b);
		bad = 1;
	}
	return bad ? -1 : 0;
}

/* Stop the run here: the rest are told apart but not sent. */
static void stop(struct run *x)
{
	x->stopped = 1;
	x->rc = -1;
}

/* Mail message m, the run's item it, unless it went before, the run has
 * stopped or reached its bound; record it as the server accepts it. */
static void send_one(struct run *x, struct itip_msg *m, struct send_item *it)
{
	struct send_report *r = x->r;
	const struct profile *p = x->w->p;
	assert(m->to && addr_is_one(m->to, strlen(m->to)));
	const char *rcpt = m->to + 7;
	/* after a failure the rest are still told apart: already sent,
	 * or left for the next run (unless the store itself failed) */
	int had = x->store_bad ? 0 : store_sent_has(x->s, p->person_id, m->digest, rcpt, x->d);
	if (had < 0) {
		x->store_bad = 1;
		stop(x);
	}
	if (had > 0) {
		it->state = SEND_ALREADY;
		r->already++;
		return;
	}
	if (x->stopped) {
		r->left++;
		return;
	}
	if (!x->have_conf) {
		if (smtp_conf_load(p, !x->o->dry_run, &x->conf, x->d) < 0) {
			stop(x);
			r->left++;
			return;
		}
		x->have_conf = 1;
	}
	if (ready_mail(x, m, it, rcpt) < 0) {
		it->state = SEND_FAILED;
		stop(x);
		return;
	}
	if (x->o->dry_run) {
		it->state = SEND_WOULD;
		r->would++;
		return;
	}
	if (r->sent >= x->conf.max_messages) {
		r->left++;
		return;
	}
	if (mono_now() - x->t0 >= (double)x->conf.total_s) {
		/* a slow server: each message is bounded (timeout_s), and so is
		 * the run, between messages */
		r->left++;
		x->late++;
		return;
	}
	if (!x->sm && !(x->sm = smtp_new(&x->conf, x->d))) {
		stop(x);
		r->left++;
		return;
	}
	if (smtp_send(x->sm, rcpt, m->eml, strlen(m->eml), x->d) < 0) {
		it->state = SEND_FAILED;
		stop(x);
		return;
	}
	/* accepted: recorded now, in a transaction of its own, so that a
	 * later failure leaves this one on record */
	if (record(x->s, x->w, m, x->o->now, x->d) < 0) {
		diag_add(x->d, D_SEND_UNRECORDED, NULL, 0, 0, rcpt, m->message_id);
		x->store_bad = 1;
		stop(x);
	}
	it->state = SEND_SENT;
	r->sent++;
}

int send_run(struct store *s, const struct week *w0, const struct send_opts *o, struct send_report *r,
	     struct diag *d)
{
	memset(r, 0, sizeof *r);
	/* one send at a time on a store: another waits, then finds what this
	 * one sent already sent (each message once, docs/send.md) */
	if (!o->dry_run && store_hold(s, STORE_HOLD_SEND, d) < 0)
		return -1;
	struct itip_set set;
	struct week *wk = xcalloc(1, sizeof *wk);
	if (week_copy(wk, w0, d) < 0) {
		free(wk);
		return -1;
	}
	r->week = wk;
	if (mark_revisions(s, wk, d) < 0 || export_itip(wk, o->now, o->counter, 1, &set, d) < 0)
		return -1;
	for (size_t i = 0; i < wk->n_appts; i++)
		r->revisions += wk->appts[i].resend_sequence > 0;
	r->v = xcalloc(set.n ? set.n : 1, sizeof *r->v);
	struct run x = { .s = s, .w = wk, .o = o, .r = r, .d = d, .t0 = mono_now() };
	for (size_t i = 0; i < set.n; i++) {
		struct itip_msg *m = &set.v[i];
		struct send_item *it = &r->v[r->n++];
		it->prac = m->prac;
		it->method = m->method;
		it->to = m->to;
		it->n_changes = m->n_changes;
		snprintf(it->subject, sizeof it->subject, "%s", m->subject);
		snprintf(it->message_id, sizeof it->message_id, "%s", m->message_id);
		it->state = SEND_LEFT;
		send_one(&x, m, it);
	}
	if (!x.stopped && r->left) {
		char a[32], b[32];
		snprintf(a, sizeof a, "%zu", r->left);
		if (x.late) {
			snprintf(b, sizeof b, "%ld", x.conf.total_s);
			diag_add(d, D_SEND_TIME, NULL, 0, 0, a, b);
		} else {
			snprintf(b, sizeof b, "%zu", x.conf.max_messages);
			diag_add(d, D_SEND_LIMIT, NULL, 0, 0, a, b);
		}
		x.rc = -1;
	}
	smtp_free(x.sm);
	itip_set_release(&set);
	return x.rc;
}
