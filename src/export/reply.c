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
	if (!x) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	x->path = strdup(path);
	x->shown = strdup(shown);
	if (!x->path || !x->shown) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
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

static int push_result(struct msgctx *m, int line, enum reply_fate fate, const struct pend *p)
{
	struct reply_result *x = BUF_PUSH(m->r->v, m->r->n, m->r->cap);
	if (!x || !(x->shown = strdup(m->shown))) {
		if (x)
			m->r->n--;
		diag_add(m->d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
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
	return 0;
}

/* A malformed message: an error at its line, nothing of it recorded. */
static int malformed(struct msgctx *m, int line, const char *why)
{
	diag_add(m->d, D_REPLY_MALFORMED, m->shown, line, 0, why);
	m->r->bad_messages++;
	return push_result(m, line, REPLY_REFUSED, NULL);
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

/* Read, check and match one message's iCalendar text; record its answers.
 * Returns 0 (whatever became of it), or -1 (store, memory). */
static int one_calendar(struct msgctx *m, struct bytes *text)
{
	const struct week *w = m->w;
	const struct profile *p = w->p;
	struct ics_feed f;
	struct diag fd;
	diag_init(&fd);
	struct ics_limits il = *m->ilim;
	if (il.max_file_bytes > m->lim->max_message_bytes)
		il.max_file_bytes = m->lim->max_message_bytes;
	int rc = ics_read(&f, m->shown, text, &il, &fd);
	/* the reader's lines are the calendar text's: make them the file's */
	for (size_t i = 0; i < fd.n; i++)
		if (fd.v[i].line > 0)
			fd.v[i].line = mline(m, fd.v[i].line);
	int errors = f.errors > 0;
	diag_move(m->d, &fd);
	diag_release(&fd);
	struct pend *pv = NULL;
	struct answered {
		const struct ics_event *e;
		const char *addr;
		enum reply_kind kind;
		int64_t ss, se;
		int line;
	} *ev = NULL;
	int ret = 0;
	if (rc < 0 || f.fatal || errors) {
		ret = malformed(m, mline(m, 1), "its iCalendar text has errors");
		goto out;
	}
	char method[32];
	uint32_t ml = ics_scan_method(&f.scan, method, sizeof method);
	enum { M_REPLY, M_COUNTER, M_DECLINECOUNTER } meth;
	if (!strcmp(method, "REPLY"))
		meth = M_REPLY;
	else if (!strcmp(method, "COUNTER"))
		meth = M_COUNTER;
	else if (!strcmp(method, "DECLINECOUNTER"))
		meth = M_DECLINECOUNTER;
	else {
		ret = malformed(m, mline(m, ml ? (int)ml : 1),
				ml ? "its METHOD is not REPLY, COUNTER or DECLINECOUNTER" : "it has no METHOD");
		goto out;
	}
	size_t n_ev = 0;
	for (size_t i = 0; i < f.n_ev; i++)
		n_ev += f.ev[i].kind == ICS_VEVENT;
	if (n_ev == 0) {
		ret = malformed(m, mline(m, 1), "it answers no event (no VEVENT)");
		goto out;
	}
	if (n_ev > m->lim->max_events) {
		char b[32];
		snprintf(b, sizeof b, "%zu", m->lim->max_events);
		diag_add(m->d, D_REPLY_LIMIT, m->shown, mline(m, 1), 0, "answered events in one message", b);
		m->r->bad_messages++;
		ret = push_result(m, mline(m, 1), REPLY_REFUSED, NULL);
		goto out;
	}
	pv = calloc(n_ev, sizeof *pv);
	if (!pv) {
		diag_add(m->d, D_INTERNAL, NULL, 0, 0, "out of memory");
		ret = -1;
		goto out;
	}
	/* first every event is checked (a malformed one spoils the message),
	 * then matched */
	size_t ne = 0;
	ev = calloc(n_ev, sizeof *ev);
	if (!ev) {
		diag_add(m->d, D_INTERNAL, NULL, 0, 0, "out of memory");
		ret = -1;
		goto out;
	}
	for (size_t i = 0; i < f.n_ev && ne < n_ev; i++) {
		const struct ics_event *e = &f.ev[i];
		if (e->kind != ICS_VEVENT)
			continue;
		int line = mline(m, e->line);
		size_t c = f.scan.n_comps;
		for (size_t k = 0; k < f.scan.n_comps; k++)
			if (!strcmp(f.scan.comps[k].name, "VEVENT") &&
			    (int)f.scan.lines[f.scan.comps[k].begin].line == e->line)
				c = k;
		if (c == f.scan.n_comps || e->uid_synthesized) {
			ret = malformed(m, line, "an event without a UID");
			goto out;
		}
		struct who o;
		who_of(&f.scan, c, &o);
		ev[ne].e = e;
		ev[ne].line = line;
		ev[ne].ss = ev[ne].se = 0;
		if (meth == M_REPLY) {
			char ps[32];
			if (o.n_att != 1) {
				ret = malformed(m, line, "a REPLY event must name exactly one ATTENDEE (who answers)");
				goto out;
			}
			if (!ics_line_param(o.att[0], "PARTSTAT", ps, sizeof ps)) {
				ret = malformed(m, line, "its ATTENDEE has no PARTSTAT");
				goto out;
			}
			if (!strcasecmp(ps, "ACCEPTED"))
				ev[ne].kind = REPLY_ACCEPTED;
			else if (!strcasecmp(ps, "DECLINED"))
				ev[ne].kind = REPLY_DECLINED;
			else if (!strcasecmp(ps, "TENTATIVE"))
				ev[ne].kind = REPLY_TENTATIVE;
			else {
				ret = malformed(m, line, "its PARTSTAT is not ACCEPTED, DECLINED or TENTATIVE");
				goto out;
			}
			ev[ne].addr = value(o.att[0]);
		} else if (meth == M_COUNTER) {
			ev[ne].kind = REPLY_COUNTER;
			ev[ne].addr = NULL;
			for (size_t k = 0; k < o.n_att && k < 8 && !ev[ne].addr; k++)
				if (o.n_att == 1 || !same_addr(value(o.att[k]), p->coordinator_address))
					ev[ne].addr = value(o.att[k]);
			if (!ev[ne].addr) {
				ret = malformed(m, line, "a COUNTER event names no ATTENDEE (who suggests)");
				goto out;
			}
			if (!e->has_dtstart || e->dtstart.is_date) {
				ret = malformed(m, line, "a COUNTER event without a DTSTART date-time (the time suggested)");
				goto out;
			}
			ev[ne].ss = utc_of(e->dtstart, w->zone);
			ev[ne].se = e->has_dtend ? utc_of(e->dtend, w->zone) :
				    e->has_duration ? ev[ne].ss + icaldurationtype_as_int(e->duration) : ev[ne].ss;
		} else {
			ev[ne].kind = REPLY_DECLINECOUNTER;
			ev[ne].addr = value(o.org);
			if (!ev[ne].addr) {
				ret = malformed(m, line, "a DECLINECOUNTER event without an ORGANIZER (who declines)");
				goto out;
			}
		}
		ne++;
	}
	assert(ne == n_ev);
	size_t np = 0;
	for (size_t k = 0; k < ne; k++) {
		const struct ics_event *e = ev[k].e;
		char rid[24];
		ics_rid_text(e, rid);
		int line = ev[k].line, found = 0, match = -1;
		for (size_t i = 0; i < w->n_appts && match < 0; i++) {
			const struct wk_appt *a = &w->appts[i];
			if (strcmp(a->uid, e->uid) || strcmp(a->rid, rid))
				continue;
			found = 1;
			/* where export --itip sent it: a REQUEST to the practitioner's
			 * address, else the event's ORGANIZER; a COUNTER to the ORGANIZER */
			const char *addr = p->pracs[a->prac].address;
			const char *sent_to = ev[k].kind == REPLY_DECLINECOUNTER ? a->organizer : addr ? addr : a->organizer;
			if (same_addr(ev[k].addr, sent_to) ||
			    (ev[k].kind == REPLY_DECLINECOUNTER && same_addr(ev[k].addr, p->pracs[a->prac].address)))
				match = (int)i;
		}
		if (!found) {
			diag_add(m->d, D_REPLY_UNMATCHED, m->shown, line, 0, "the event");
		} else if (match < 0) {
			diag_add(m->d, D_REPLY_ADDRESS, m->shown, line, 0, "the event",
				 ev[k].kind == REPLY_DECLINECOUNTER ? "its ORGANIZER" : "its ATTENDEE");
		} else if (m->from && *m->from && !same_addr(m->from, ev[k].addr)) {
			diag_add(m->d, D_REPLY_ADDRESS, m->shown, line, 0, "the event", "the mail's From");
		} else {
			const struct wk_appt *a = &w->appts[match];
			struct pend *x = &pv[np];
			x->line = line;
			x->prac = a->prac;
			x->r.appt = (struct appt_ref){ p->pracs[a->prac].id, a->uid, a->rid, a->feed_start, a->feed_end };
			int sent = ev[k].kind == REPLY_DECLINECOUNTER ? a->sequence : a->sequence + a->accepted;
			int has = a->accepted > 0 && (ev[k].kind != REPLY_DECLINECOUNTER || a->organizer);
			int got = has ? store_last_accept(m->s, p->person_id, &x->r.appt, x->proposal, sizeof x->proposal,
							  &x->r.seq, &x->r.to, x->venue, sizeof x->venue, m->d) : 0;
			if (got < 0) {
				ret = -1;
				goto out;
			}
			if (!got) {
				diag_add(m->d, D_REPLY_UNMATCHED, m->shown, line, 0, "the event");
			} else if (e->sequence != sent) {
				char a1[16], a2[16];
				snprintf(a1, sizeof a1, "%d", e->sequence);
				snprintf(a2, sizeof a2, "%d", sent);
				diag_add(m->d, D_REPLY_STALE, m->shown, line, 0, "the event", a1, a2,
					 e->sequence < sent ? "it answers an older version" : "it is ahead of what was sent");
			} else {
				int dup = 0;
				for (size_t q = 0; q < np && !dup; q++)
					dup = pv[q].prac == x->prac && !strcmp(pv[q].r.appt.uid, x->r.appt.uid) &&
					      !strcmp(pv[q].r.appt.rid, x->r.appt.rid);
				if (dup) {
					ret = malformed(m, line, "it answers the same event twice");
					goto out;
				}
				x->r.digest = m->digest;
				x->r.person = p->person_id;
				x->r.sequence = e->sequence;
				x->r.kind = ev[k].kind;
				x->r.suggested_start = ev[k].ss;
				x->r.suggested_end = ev[k].se;
				x->r.proposal = x->proposal;
				x->r.at = m->now;
				np++;
				continue;
			}
		}
		if (push_result(m, line, REPLY_REFUSED, NULL) < 0) {
			ret = -1;
			goto out;
		}
	}
	assert(np <= n_ev);
	if (np) {
		struct store_reply *v = malloc(np * sizeof *v);
		if (!v) {
			diag_add(m->d, D_INTERNAL, NULL, 0, 0, "out of memory");
			ret = -1;
			goto out;
		}
		for (size_t q = 0; q < np; q++)
			v[q] = pv[q].r;
		int st = store_record_replies(m->s, v, np, m->d);
		free(v);
		if (st < 0) {
			ret = -1;
			goto out;
		}
		for (size_t q = 0; q < np && !ret; q++)
			ret = push_result(m, pv[q].line, REPLY_RECORDED, &pv[q]);
	}
out:
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

int reply_read_all(struct store *s, const struct week *w, const struct reply_inputs *in,
		   const struct reply_limits *lim, const struct ics_limits *ilim, int64_t now,
		   struct reply_report *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	size_t total = 0;
	for (size_t i = 0; i < in->n; i++) {
		struct msgctx m = { s, w, lim, ilim, in->v[i].shown, now, { 0 }, NULL, 0, 0, r, d };
		struct bytes b;
		struct diag fd;
		diag_init(&fd);
		int rc = file_read_all(in->v[i].path, lim->max_message_bytes, &b, &fd);
		for (size_t k = 0; k < fd.n; k++)
			if (fd.v[k].code == D_IO_TOO_BIG) {
				/* say which bound: one message's */
				char lb[32];
				snprintf(lb, sizeof lb, "%zu", lim->max_message_bytes);
				diag_release(&fd);
				diag_init(&fd);
				diag_add(&fd, D_REPLY_LIMIT, in->v[i].shown, 0, 0, "bytes in one message", lb);
				break;
			}
		diag_move(d, &fd);
		diag_release(&fd);
		r->messages++;
		if (rc < 0) {
			r->bad_messages++;
			if (push_result(&m, 0, REPLY_REFUSED, NULL) < 0)
				return -1;
			continue;
		}
		total += b.len;
		if (total > lim->max_total_bytes) {
			char lb[32];
			snprintf(lb, sizeof lb, "%zu", lim->max_total_bytes);
			diag_add(d, D_REPLY_LIMIT, in->v[i].shown, 0, 0, "bytes of messages in one run", lb);
			bytes_release(&b);
			r->bad_messages++;
			if (push_result(&m, 0, REPLY_REFUSED, NULL) < 0)
				return -1;
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
			if (push_result(&m, 0, REPLY_ALREADY, NULL) < 0)
				return -1;
			continue;
		}
		int ret;
		if (is_calendar(&b)) {
			ret = one_calendar(&m, &b);
		} else {
			struct mime_part mp;
			if (mime_find_calendar(b.data, b.len, m.shown, lim, &mp, d) < 0) {
				r->bad_messages++;
				ret = push_result(&m, 0, REPLY_REFUSED, NULL);
			} else {
				m.from = mp.from;
				m.line0 = mp.encoded ? mp.line : mp.line - 1;
				m.encoded = mp.encoded;
				struct bytes t = { mp.body, mp.len };
				mp.body = NULL;
				ret = one_calendar(&m, &t);
				bytes_release(&t);
			}
			mime_part_release(&mp);
		}
		bytes_release(&b);
		if (ret < 0)
			return -1;
	}
	return 0;
}
