/* reply.c: practitioners' iTIP answers: listing the messages, reading each (bounded), matching it to the change sent, recording it. */
#include "dovetail/reply.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

void reply_limits_default(struct reply_limits *lim)
{
	lim->max_files = 1000;
	lim->max_message_bytes = (size_t)8 << 20;
	lim->max_total_bytes = (size_t)64 << 20;
	lim->max_depth = 4;
	lim->max_parts = 64;
	lim->max_events = 64;
}

/* ---- the messages of the sources ------------------------------------------ */

static int push_input(struct reply_inputs *out, const char *path, const char *shown,
		      const struct reply_limits *lim, struct diag *d)
{
	if (out->n >= lim->max_files) {
		char b[32];
		snprintf(b, sizeof b, "%zu", lim->max_files);
		diag_add(d, D_REPLY_LIMIT, NULL, 0, 0, "messages in one run", b);
		return -1;
	}
	struct reply_input *x = BUF_PUSH(out->v, out->n, out->cap);
	x->path = xstrdup(path);
	x->shown = xstrdup(shown);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The regular files of folder dir (not hidden ones), by name. */
static int list_dir(const char *dir, struct reply_inputs *out, const struct reply_limits *lim,
		    struct diag *d)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, by_name);
	if (n < 0) {
		diag_add(d, D_IO_OPEN, dir, 0, 0, strerror(errno));
		return -1;
	}
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *nm = names[i]->d_name;
		if (!rc && nm[0] != '.') {
			char path[4096];
			struct stat st;
			int k = snprintf(path, sizeof path, "%s/%s", dir, nm);
			if (k > 0 && (size_t)k < sizeof path && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
				rc = push_input(out, path, path, lim, d);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int reply_inputs_list(const char *const *sources, size_t n, const struct reply_limits *lim,
		      struct reply_inputs *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		const char *src = sources[i];
		int rc;
		if (!strcmp(src, "-")) {
			rc = push_input(out, "-", "<stdin>", lim, d);
		} else if (is_dir(src)) {
			char cur[4096], nw[4096];
			snprintf(cur, sizeof cur, "%s/cur", src);
			snprintf(nw, sizeof nw, "%s/new", src);
			if (is_dir(cur) && is_dir(nw))   /* a maildir */
				rc = list_dir(nw, out, lim, d) < 0 ? -1 : list_dir(cur, out, lim, d);
			else
				rc = list_dir(src, out, lim, d);
		} else {
			struct stat st;
			if (stat(src, &st) < 0) {
				diag_add(d, D_IO_OPEN, src, 0, 0, strerror(errno));
				rc = -1;
			} else {
				rc = push_input(out, src, src, lim, d);
			}
		}
		if (rc < 0) {
			reply_inputs_release(out);
			return -1;
		}
	}
	return 0;
}

void reply_inputs_release(struct reply_inputs *in)
{
	if (!in)
		return;
	for (size_t i = 0; i < in->n; i++) {
		free(in->v[i].path);
		free(in->v[i].shown);
	}
	free(in->v);
	memset(in, 0, sizeof *in);
}

void reply_report_release(struct reply_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].shown);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* ---- one message ------------------------------------------------------------ */

/* Whether calendar or mail addresses a and b are the same: without
 * "mailto:", blanks around them, and case. */
static int same_addr(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	while (*a == ' ' || *a == '\t')
		a++;
	while (*b == ' ' || *b == '\t')
		b++;
	if (!strncasecmp(a, "mailto:", 7))
		a += 7;
	if (!strncasecmp(b, "mailto:", 7))
		b += 7;
	size_t na = strlen(a), nb = strlen(b);
	while (na && (a[na - 1] == ' ' || a[na - 1] == '\t'))
		na--;
	while (nb && (b[nb - 1] == ' ' || b[nb - 1] == '\t'))
		nb--;
	return na && na == nb && !strncasecmp(a, b, na);
}

/* One answered event, before it is recorded. */
struct pend {
	struct store_reply r;
	char proposal[64], venue[128];
	int line;
	int prac;
};

struct msgctx {
	struct store *s;
	const struct week *w;
	const struct reply_limits *lim;
	const struct ics_limits *ilim;
	const char *shown;
	int64_t now;
	char digest[65];
	const char *from;         /* the mail's From, or NULL */
	int line0, encoded;       /* where the iCalendar text is in the file */
	struct reply_report *r;
	struct diag *d;           /* this message's diagnostics */
};

static int mline(const struct msgctx *m, int line)
{
	return m->encoded ? m->line0 : m->line0 + line;
}

/* Add what became of one answered event (p NULL: of none) to the report. */
static void push_result(struct msgctx *m, int line, enum reply_fate fate, const struct pend *p)
{
	struct reply_result *x = BUF_PUSH(m->r->v, m->r->n, m->r->cap);
	x->shown = xstrdup(m->shown);
	x->line = line;
	x->fate = fate;
	x->prac = p ? p->prac : -1;
	x->kind = p ? p->r.kind : REPLY_ACCEPTED;
	x->suggested_start = p ? p->r.suggested_start : 0;
	x->suggested_end = p ? p->r.suggested_end : 0;
	x->sequence = p ? p->r.sequence : 0;
	if (fate == REPLY_RECORDED)
		m->r->recorded++;
	else if (fate == REPLY_ALREADY)
		m->r->already++;
	else
		m->r->refused++;
}

/* A malformed message: an error at its line, nothing of it recorded.
 * Returns -1, for the checks that stop at it. */
static int malformed(struct msgctx *m, int line, const char *why)
{
	diag_add(m->d, D_REPLY_MALFORMED, m->shown, line, 0, why);
	m->r->bad_messages++;
	push_result(m, line, REPLY_REFUSED, NULL);
	return -1;
}

/* UTC seconds of a DTSTART or DTEND value (floating: in the person's zone). */
static int64_t utc_of(struct icaltimetype t, icaltimezone *person)
{
	return (int64_t)icaltime_as_timet_with_zone(t, t.zone ? (icaltimezone *)t.zone : person);
}

/* The ATTENDEE and ORGANIZER lines of the component at comps[c] (not of
 * components inside it). */
struct who {
	const struct ics_line *att[8];
	size_t n_att;             /* may pass 8: counted, not kept */
	const struct ics_line *org;
};

static void who_of(const struct ics_scan *s, size_t c, struct who *o)
{
	memset(o, 0, sizeof *o);
	int depth = 0;
	for (uint32_t i = s->comps[c].begin; i <= s->comps[c].end && i < s->n_lines; i++) {
		const struct ics_line *l = &s->lines[i];
		if (l->name_len == 5 && !memcmp(l->text, "BEGIN", 5)) {
			depth++;
			continue;
		}
		if (l->name_len == 3 && !memcmp(l->text, "END", 3)) {
			depth--;
			continue;
		}
		if (depth != 1 || l->bad)
			continue;
		if (l->name_len == 8 && !memcmp(l->text, "ATTENDEE", 8)) {
			if (o->n_att < 8)
				o->att[o->n_att] = l;
			o->n_att++;
		} else if (l->name_len == 9 && !memcmp(l->text, "ORGANIZER", 9)) {
			o->org = l;
		}
	}
}

static const char *value(const struct ics_line *l)
{
	return l ? l->text + l->value_off : NULL;
}

enum method { M_REPLY, M_COUNTER, M_DECLINECOUNTER };

/* One event of the message, checked, before it is matched. */
struct answered {
	const struct ics_event *e;
	const char *addr;         /* who answers (in the message) */
	enum reply_kind kind;
	int64_t ss, se;           /* the time a COUNTER suggests (UTC) */
	int line;
};

/* Parse the message's calendar text into *f, its diagnostics on the
 * message's lines. Returns 0, or -1 when it has errors (f still to
 * release). */
static int parse_calendar(struct msgctx *m, struct bytes *text, struct ics_feed *f)
{
	struct diag fd;
	diag_init(&fd);
	struct ics_limits il = *m->ilim;
	if (il.max_file_bytes > m->lim->max_message_bytes)
		il.max_file_bytes = m->lim->max_message_bytes;
	int rc = ics_read(f, m->shown, text, &il, &fd);
	/* the reader's lines are the calendar text's: make them the file's */
	for (size_t i = 0; i < fd.n; i++)
		if (fd.v[i].line > 0)
			fd.v[i].line = mline(m, fd.v[i].line);
	int errors = f->errors > 0;
	diag_move(m->d, &fd);
	diag_release(&fd);
	return rc < 0 || f->fatal || errors ? -1 : 0;
}

/* The message's METHOD in *meth; -1 when it has none we take (reported). */
static int method_of(struct msgctx *m, const struct ics_feed *f, enum method *meth)
{
	char method[32];
	uint32_t ml = ics_scan_method(&f->scan, method, sizeof method);
	if (!strcmp(method, "REPLY"))
		*meth = M_REPLY;
	else if (!strcmp(method, "COUNTER"))
		*meth = M_COUNTER;
	else if (!strcmp(method, "DECLINECOUNTER"))
		*meth = M_DECLINECOUNTER;
	else
		return malformed(m, mline(m, ml ? (int)ml : 1),
				 ml ? "its METHOD is not REPLY, COUNTER or DECLINECOUNTER" : "it has no METHOD");
	return 0;
}

/* Fill a REPLY event's answer from its one ATTENDEE's PARTSTAT. */
static int check_reply(struct msgctx *m, const struct who *o, struct answered *a)
{
	char ps[32];
	if (o->n_att != 1)
		return malformed(m, a->line, "a REPLY event must name exactly one ATTENDEE (who answers)");
	if (!ics_line_param(o->att[0], "PARTSTAT", ps, sizeof ps))
		return malformed(m, a->line, "its ATTENDEE has no PARTSTAT");
	if (!strcasecmp(ps, "ACCEPTED"))
		a->kind = REPLY_ACCEPTED;
	else if (!strcasecmp(ps, "DECLINED"))
		a->kind = REPLY_DECLINED;
	else if (!strcasecmp(ps, "TENTATIVE"))
		a->kind = REPLY_TENTATIVE;
	else
		return malformed(m, a->line, "its PARTSTAT is not ACCEPTED, DECLINED or TENTATIVE");
	a->addr = value(o->att[0]);
	return 0;
}

/* Fill a COUNTER event's answer: who suggests, and the time suggested. */
static int check_counter(struct msgctx *m, const struct who *o, struct answered *a)
{
	const struct ics_event *e = a->e;
	a->kind = REPLY_COUNTER;
	a->addr = NULL;
	for (size_t k = 0; k < o->n_att && k < 8 && !a->addr; k++)
		if (o->n_att == 1 || !same_addr(value(o->att[k]), m->w->p->coordinator_address))
			a->addr = value(o->att[k]);
	if (!a->addr)
		return malformed(m, a->line, "a COUNTER event names no ATTENDEE (who suggests)");
	if (!e->has_dtstart || e->dtstart.is_date)
		return malformed(m, a->line, "a COUNTER event without a DTSTART date-time (the time suggested)");
	a->ss = utc_of(e->dtstart, m->w->zone);
	a->se = e->has_dtend ? utc_of(e->dtend, m->w->zone) :
		e->has_duration ? a->ss + (e->duration.is_neg ? -1 : 1) * ics_duration_secs(e->duration) : a->ss;
	return 0;
}

/* Check one VEVENT e of the message (method meth) into *a. Returns 0, or
 * -1 when it is malformed (reported: the message is). */
static int check_event(struct msgctx *m, const struct ics_feed *f, const struct ics_event *e,
		       enum method meth, struct answered *a)
{
	int line = mline(m, e->line);
	size_t c = f->scan.n_comps;
	for (size_t k = 0; k < f->scan.n_comps; k++)
		if (!strcmp(f->scan.comps[k].name, "VEVENT") &&
		    (int)f->scan.lines[f->scan.comps[k].begin].line == e->line)
			c = k;
	if (c == f->scan.n_comps || e->uid_synthesized)
		return malformed(m, line, "an event without a UID");
	struct who o;
	who_of(&f->scan, c, &o);
	a->e = e;
	a->line = line;
	a->ss = a->se = 0;
	if (meth == M_REPLY)
		return check_reply(m, &o, a);
	if (meth == M_COUNTER)
		return check_counter(m, &o, a);
	a->kind = REPLY_DECLINECOUNTER;
	a->addr = value(o.org);
	if (!a->addr)
		return malformed(m, line, "a DECLINECOUNTER event without an ORGANIZER (who declines)");
	return 0;
}

/* The appointment of the week that answered event a answers, checking
 * who answers against where export --itip sent it; -1 when none (the
 * diagnostic said why). */
static int find_appt(struct msgctx *m, const struct answered *a)
{
	const struct week *w = m->w;
	const struct profile *p = w->p;
	char rid[24];
	ics_rid_text(a->e, rid);
	int found = 0, match = -1;
	for (size_t i = 0; i < w->n_appts && match < 0; i++) {
		const struct wk_appt *x = &w->appts[i];
		if (strcmp(x->uid, a->e->uid) || strcmp(x->rid, rid))
			continue;
		found = 1;
		/* where export --itip sent it: a REQUEST to the practitioner's
		 * address, else the event's ORGANIZER; a COUNTER to the ORGANIZER */
		const char *addr = p->pracs[x->prac].address;
		const char *sent_to = a->kind == REPLY_DECLINECOUNTER ? x->organizer : addr ? addr : x->organizer;
		if (same_addr(a->addr, sent_to) ||
		    (a->kind == REPLY_DECLINECOUNTER && same_addr(a->addr, p->pracs[x->prac].address)))
			match = (int)i;
	}
	if (!found)
		diag_add(m->d, D_REPLY_UNMATCHED, m->shown, a->line, 0, "the event");
	else if (match < 0)
		diag_add(m->d, D_REPLY_ADDRESS, m->shown, a->line, 0, "the event",
			 a->kind == REPLY_DECLINECOUNTER ? "its ORGANIZER" : "its ATTENDEE");
	else if (m->from && (!*m->from || !same_addr(m->from, a->addr))) {
		/* a mail's sender is one address, and the practitioner's: none,
		 * or a list, never passes for it */
		diag_add(m->d, D_REPLY_ADDRESS, m->shown, a->line, 0, "the event",
			 *m->from ? "the mail's From" : "the mail's From (none, or not one address)");
		match = -1;
	}
	return match;
}

enum matched { PENDED, REFUSED, STOP, FAIL };

/* Match answered event a to the change sent for it; when it fits, fill
 * pv[*np] and count it. PENDED: kept for recording; REFUSED: not (said
 * why); STOP: the message is malformed (reported); FAIL: the store failed. */
static enum matched match_event(struct msgctx *m, const struct answered *a, struct pend *pv, size_t *np)
{
	const struct profile *p = m->w->p;
	int match = find_appt(m, a);
	if (match < 0)
		return REFUSED;
	const struct wk_appt *ap = &m->w->appts[match];
	struct pend *x = &pv[*np];
	x->line = a->line;
	x->prac = ap->prac;
	x->r.appt = (struct appt_ref){ p->pracs[ap->prac].id, ap->uid, ap->rid, ap->feed_start, ap->feed_end };
	int sent = a->kind == REPLY_DECLINECOUNTER ? ap->sequence : ap->sequence + ap->accepted;
	if (a->kind != REPLY_DECLINECOUNTER) {
		/* a revision (docs/send.md) went out one SEQUENCE above the
		 * move it called off: an answer to it answers the last sent */
		int last, declined;
		if (store_sent_standing(m->s, p->person_id, p->pracs[ap->prac].id, ap->uid, ap->rid, &last, &declined,
					m->d) < 0)
			return FAIL;
		if (last > sent)
			sent = last;
	}
	int has = ap->accepted > 0 && (a->kind != REPLY_DECLINECOUNTER || ap->organizer);
	int got = has ? store_last_accept(m->s, p->person_id, &x->r.appt, x->proposal, sizeof x->proposal,
					  &x->r.seq, &x->r.to, x->venue, sizeof x->venue, m->d) : 0;
	if (got < 0)
		return FAIL;
	if (!got) {
		diag_add(m->d, D_REPLY_UNMATCHED, m->shown, a->line, 0, "the event");
		return REFUSED;
	}
	if (a->e->sequence != sent) {
		char a1[16], a2[16];
		snprintf(a1, sizeof a1, "%d", a->e->sequence);
		snprintf(a2, sizeof a2, "%d", sent);
		diag_add(m->d, D_REPLY_STALE, m->shown, a->line, 0, "the event", a1, a2,
			 a->e->sequence < sent ? "it answers an older version" : "it is ahead of what was sent");
		return REFUSED;
	}
	for (size_t q = 0; q < *np; q++)
		if (pv[q].prac == x->prac && !strcmp(pv[q].r.appt.uid, x->r.appt.uid) &&
		    !strcmp(pv[q].r.appt.rid, x->r.appt.rid)) {
			malformed(m, a->line, "it answers the same event twice");
			return STOP;
		}
	x->r.digest = m->digest;
	x->r.person = p->person_id;
	x->r.sequence = a->e->sequence;
	x->r.kind = a->kind;
	x->r.suggested_start = a->ss;
	x->r.suggested_end = a->se;
	x->r.proposal = x->proposal;
	x->r.at = m->now;
	(*np)++;
	return PENDED;
}

/* Record the np answers kept, in one go, and report them. Returns 0 or -1
 * (store). */
static int record_pending(struct msgctx *m, const struct pend *pv, size_t np)
{
	struct store_reply *v = xcalloc(np, sizeof *v);
	for (size_t q = 0; q < np; q++)
		v[q] = pv[q].r;
	int st = store_record_replies(m->s, v, np, m->d);
	free(v);
	if (st < 0)
		return -1;
	for (size_t q = 0; q < np; q++)
		push_result(m, pv[q].line, REPLY_RECORDED, &pv[q]);
	return 0;
}

/* Check every VEVENT of f (n_ev of them) into ev: a malformed one spoils
 * the message. Returns 0, or -1 (reported). */
static int check_events(struct msgctx *m, const struct ics_feed *f, enum method meth,
			struct answered *ev, size_t n_ev)
{
	size_t ne = 0;
	for (size_t i = 0; i < f->n_ev && ne < n_ev; i++) {
		if (f->ev[i].kind != ICS_VEVENT)
			continue;
		if (check_event(m, f, &f->ev[i], meth, &ev[ne]) < 0)
			return -1;
		ne++;
	}
	assert(ne == n_ev);
	return 0;
}

/* The results of one message's n events, from r->v[first]: those refused
 * (refused[k]), pushed as they were matched, then those recorded, both in
 * event order; put them all in event order, as the report lists them. */
static void in_event_order(struct reply_report *r, size_t first, const char *refused, size_t n)
{
	size_t len = r->n - first, nr = 0;
	if (len != n)
		return;   /* not one result per event: leave them */
	for (size_t k = 0; k < n; k++)
		nr += refused[k] != 0;
	struct reply_result *tmp = xmalloc(len * sizeof *tmp);
	memcpy(tmp, r->v + first, len * sizeof *tmp);
	size_t a = 0, b = nr;
	for (size_t k = 0; k < n; k++)
		r->v[first + k] = tmp[refused[k] ? a++ : b++];
	free(tmp);
}

/* Read, check and match one message's iCalendar text; record its answers.
 * Returns 0 (whatever became of it), or -1 (store). */
static int one_calendar(struct msgctx *m, struct bytes *text)
{
	struct ics_feed f;
	struct pend *pv = NULL;
	struct answered *ev = NULL;
	char *refused = NULL;
	enum method meth = M_REPLY;
	int ret = 0;
	if (parse_calendar(m, text, &f) < 0) {
		malformed(m, mline(m, 1), "its iCalendar text has errors");
		goto out;
	}
	if (method_of(m, &f, &meth) < 0)
		goto out;
	size_t n_ev = 0;
	for (size_t i = 0; i < f.n_ev; i++)
		n_ev += f.ev[i].kind == ICS_VEVENT;
	if (n_ev == 0) {
		malformed(m, mline(m, 1), "it answers no event (no VEVENT)");
		goto out;
	}
	if (n_ev > m->lim->max_events) {
		char b[32];
		snprintf(b, sizeof b, "%zu", m->lim->max_events);
		diag_add(m->d, D_REPLY_LIMIT, m->shown, mline(m, 1), 0, "answered events in one message", b);
		m->r->bad_messages++;
		push_result(m, mline(m, 1), REPLY_REFUSED, NULL);
		goto out;
	}
	/* first every event is checked (a malformed one spoils the message),
	 * then matched */
	pv = xcalloc(n_ev, sizeof *pv);
	ev = xcalloc(n_ev, sizeof *ev);
	if (check_events(m, &f, meth, ev, n_ev) < 0)
		goto out;
	size_t np = 0, first = m->r->n;
	refused = xcalloc(n_ev, 1);
	for (size_t k = 0; k < n_ev; k++) {
		enum matched r = match_event(m, &ev[k], pv, &np);
		if (r == FAIL)
			ret = -1;
		if (r == FAIL || r == STOP)
			goto out;
		if (r == REFUSED) {
			push_result(m, ev[k].line, REPLY_REFUSED, NULL);
			refused[k] = 1;
		}
	}
	assert(np <= n_ev);
	if (np && (ret = record_pending(m, pv, np)) == 0)
		in_event_order(m->r, first, refused, n_ev);
out:
	free(refused);
	free(pv);
	free(ev);
	ics_feed_release(&f);
	return ret;
}

/* Whether the bytes begin (after blanks and a BOM) with BEGIN:VCALENDAR. */
static int is_calendar(const struct bytes *b)
{
	const char *p = b->data, *end = b->data + b->len;
	if (end - p >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return end - p >= 15 && !strncasecmp(p, "BEGIN:VCALENDAR", 15);
}

/* Read one message of at most lim->max_message_bytes into *b. Returns 0,
 * or -1 with d filled (too big: D_REPLY_LIMIT, naming that bound). */
static int read_message(const struct reply_input *in, const struct reply_limits *lim, struct bytes *b,
			struct diag *d)
{
	struct diag fd;
	diag_init(&fd);
	int rc = file_read_all(in->path, lim->max_message_bytes, b, &fd);
	for (size_t k = 0; k < fd.n; k++)
		if (fd.v[k].code == D_IO_TOO_BIG) {
			/* say which bound: one message's */
			char lb[32];
			snprintf(lb, sizeof lb, "%zu", lim->max_message_bytes);
			diag_release(&fd);
			diag_init(&fd);
			diag_add(&fd, D_REPLY_LIMIT, in->shown, 0, 0, "bytes in one message", lb);
			break;
		}
	diag_move(d, &fd);
	diag_release(&fd);
	return rc;
}

/* A mail message b: find its calendar part and read that. Returns as
 * one_calendar does. */
static int one_mail(struct msgctx *m, const struct bytes *b)
{
	struct mime_part mp;
	int ret = 0;
	if (mime_find_calendar(b->data, b->len, m->shown, m->lim, &mp, m->d) < 0) {
		m->r->bad_messages++;
		push_result(m, 0, REPLY_REFUSED, NULL);
	} else {
		m->from = mp.from;
		m->line0 = mp.encoded ? mp.line : mp.line - 1;
		m->encoded = mp.encoded;
		struct bytes t = { mp.body, mp.len };
		mp.body = NULL;
		ret = one_calendar(m, &t);
		bytes_release(&t);
	}
	mime_part_release(&mp);
	return ret;
}

int reply_read_all(struct store *s, const struct week *w, const struct reply_inputs *in,
		   const struct reply_limits *lim, const struct ics_limits *ilim, int64_t now,
		   struct reply_report *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	/* one replies run at a time on a store: another reading the same
	 * messages waits, then finds them recorded (not a store error) */
	if (store_hold(s, STORE_HOLD_REPLIES, d) < 0)
		return -1;
	size_t total = 0;
	for (size_t i = 0; i < in->n; i++) {
		struct msgctx m = { s, w, lim, ilim, in->v[i].shown, now, { 0 }, NULL, 0, 0, r, d };
		struct bytes b;
		int rc = read_message(&in->v[i], lim, &b, d);
		r->messages++;
		if (rc < 0) {
			r->bad_messages++;
			push_result(&m, 0, REPLY_REFUSED, NULL);
			continue;
		}
		total += b.len;
		if (total > lim->max_total_bytes) {
			char lb[32];
			snprintf(lb, sizeof lb, "%zu", lim->max_total_bytes);
			diag_add(d, D_REPLY_LIMIT, in->v[i].shown, 0, 0, "bytes of messages in one run", lb);
			bytes_release(&b);
			r->bad_messages++;
			push_result(&m, 0, REPLY_REFUSED, NULL);
			break;
		}
		hash_sha256_hex(b.data, b.len, m.digest);
		int seen = store_reply_seen(s, m.digest, d);
		if (seen < 0) {
			bytes_release(&b);
			return -1;
		}
		if (seen) {
			bytes_release(&b);
			push_result(&m, 0, REPLY_ALREADY, NULL);
			continue;
		}
		int ret = is_calendar(&b) ? one_calendar(&m, &b) : one_mail(&m, &b);
		bytes_release(&b);
		if (ret < 0)
			return -1;
	}
	return 0;
}
