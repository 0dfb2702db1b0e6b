/* import.c: one feed into the store, as one transaction (upsert by feed, UID, RECURRENCE-ID). */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/xalloc.h"

enum action { A_NEW, A_UPDATE, A_SAME, A_STALE, A_SKIP, A_DUP };

struct stored {
	int64_t id;
	char *uid, *rid, *raw, *status;
	int seq;
	char hash[65];
	int seen;
};

struct imp {
	struct store *s;
	struct ics_feed *f;
	struct ics_feed *held;   /* given: f as the store will hold it, or NULL */
	int keep_stale;          /* no held given: stale events keep their stored occurrences */
	const struct import_opts *o;
	struct import_report *r;
	struct diag *d;
	struct stored *st;
	size_t n_st, cap_st;
	enum action *act;
	int64_t *row;        /* event row id, per event of f */
	size_t *st_of;       /* index into st, or SIZE_MAX */
	char (*rid)[24];
};

static int cmp_stored(const void *a, const void *b)
{
	const struct stored *x = a, *y = b;
	int c = strcmp(x->uid, y->uid);
	return c ? c : strcmp(x->rid, y->rid);
}

static size_t find_stored(struct imp *m, const char *uid, const char *rid)
{
	struct stored key = { 0 };
	key.uid = (char *)uid;
	key.rid = (char *)rid;
	struct stored *p = m->n_st ? bsearch(&key, m->st, m->n_st, sizeof *m->st, cmp_stored) : NULL;
	return p ? (size_t)(p - m->st) : SIZE_MAX;
}

/* Column i of q as a new string ("" for NULL). */
static char *col_dup(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return xstrdup(t ? (const char *)t : "");
}

/* The feed's stored events into m->st, sorted by UID and RECURRENCE-ID.
 * Returns 0 or -1 (d filled). */
static int load_stored(struct imp *m, int64_t feed_id)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(m->s->db,
			       "SELECT id, uid, rid, sequence, content_sha256, raw, coalesce(status, '')"
			       " FROM event WHERE feed_id = ?", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(m->s, m->d);
	sqlite3_bind_int64(q, 1, feed_id);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct stored *p = BUF_PUSH(m->st, m->n_st, m->cap_st);
		if (!p)
			break;
		memset(p, 0, sizeof *p);
		p->id = sqlite3_column_int64(q, 0);
		p->uid = col_dup(q, 1);
		p->rid = col_dup(q, 2);
		p->seq = sqlite3_column_int(q, 3);
		snprintf(p->hash, sizeof p->hash, "%s", (const char *)sqlite3_column_text(q, 4));
		p->raw = col_dup(q, 5);
		p->status = col_dup(q, 6);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_sql_error(m->s, m->d);
	if (m->n_st > 1)
		qsort(m->st, m->n_st, sizeof *m->st, cmp_stored);
	return 0;
}

/* The first error reported inside event e's lines of file: its reason
 * for a skip (the text of a message, for the message that lists it). */
static const char *reason_of(const struct diag *d, const char *file, const struct ics_event *e)
{
	for (size_t i = 0; i < d->n; i++)
		if (diag_severity(d->v[i].code) == DIAG_ERROR && d->v[i].line >= e->line &&
		    d->v[i].line <= e->end_line && d->v[i].file && strcmp(d->v[i].file, file) == 0)
			return d->v[i].msg;
	return "a line of it is malformed";
}

static struct imp *sort_imp;
static int cmp_key(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_imp->f->ev[i].uid, sort_imp->f->ev[j].uid);
	if (!c)
		c = strcmp(sort_imp->rid[i], sort_imp->rid[j]);
	return c ? c : (i > j) - (i < j);
}

/* The same UID and RECURRENCE-ID twice in one feed: the later one wins. */
static void mark_duplicates(struct imp *m)
{
	struct ics_feed *f = m->f;
	size_t *ix = xcalloc(f->n_ev ? f->n_ev : 1, sizeof *ix), n = 0;
	for (size_t i = 0; i < f->n_ev; i++)
		if (!f->ev[i].bad)
			ix[n++] = i;
	sort_imp = m;
	qsort(ix, n, sizeof *ix, cmp_key);
	sort_imp = NULL;
	for (size_t k = 0; k + 1 < n; k++) {
		size_t i = ix[k], j = ix[k + 1];
		if (strcmp(f->ev[i].uid, f->ev[j].uid) || strcmp(m->rid[i], m->rid[j]))
			continue;
		char ln[16];
		snprintf(ln, sizeof ln, "%d", f->ev[j].line);
		diag_add(m->d, D_ICS_DUPLICATE, f->file, f->ev[i].line, 1, f->ev[i].uid,
			 *m->rid[i] ? m->rid[i] : "-", ln);
		m->act[i] = A_DUP;
	}
	free(ix);
}

/* Decide what happens to each event of the feed. */
static void decide(struct imp *m)
{
	struct ics_feed *f = m->f;
	for (size_t i = 0; i < f->n_ev; i++)
		ics_rid_text(&f->ev[i], m->rid[i]);
	mark_duplicates(m);
	for (size_t i = 0; i < f->n_ev; i++) {
		struct ics_event *e = &f->ev[i];
		m->st_of[i] = find_stored(m, e->uid, m->rid[i]);
		if (e->bad) {
			m->act[i] = A_SKIP;
			continue;
		}
		if (m->act[i] == A_DUP)
			continue;
		size_t k = m->st_of[i];
		if (k == SIZE_MAX) {
			m->act[i] = A_NEW;
		} else if (e->sequence < m->st[k].seq) {
			char a[16], b[16];
			snprintf(a, sizeof a, "%d", m->st[k].seq);
			snprintf(b, sizeof b, "%d", e->sequence);
			diag_add(m->d, D_IMP_STALE, f->file, e->line, 1, e->uid, a, b);
			m->act[i] = A_STALE;
		} else if (strcmp(e->hash, m->st[k].hash) == 0) {
			m->act[i] = A_SAME;
		} else {
			m->act[i] = A_UPDATE;
		}
	}
}

/* The feed as it stands after the upsert: the incoming bytes with each
 * stale component replaced by the stored one. NULL when nothing is stale. */
static char *splice_stale(struct imp *m, size_t *len)
{
	struct ics_feed *f = m->f;
	size_t n = 0, extra = 0;
	for (size_t i = 0; i < f->n_ev; i++)
		if (m->act[i] == A_STALE) {
			n++;
			extra += strlen(m->st[m->st_of[i]].raw);
		}
	if (!n)
		return NULL;
	char *out = xmalloc(f->src.len + extra + 1);
	size_t o = 0, p = 0;
	for (size_t i = 0; i < f->n_ev; i++) {
		if (m->act[i] != A_STALE)
			continue;
		const struct ics_event *e = &f->ev[i];
		memcpy(out + o, f->src.data + p, e->src_off - p);
		o += e->src_off - p;
		const char *raw = m->st[m->st_of[i]].raw;
		memcpy(out + o, raw, strlen(raw));
		o += strlen(raw);
		p = e->src_off + e->src_len;
	}
	memcpy(out + o, f->src.data + p, f->src.len - p);
	o += f->src.len - p;
	out[o] = 0;
	*len = o;
	return out;
}

static int bind_text(sqlite3_stmt *q, int i, const char *t)
{
	return t ? sqlite3_bind_text(q, i, t, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(q, i);
}

/* The statements that write a feed's events and occurrences. */
struct writes {
	sqlite3_stmt *ins, *upd, *del, *occ_ins, *occ_del;
};

/* Prepare every statement of w. Returns 0, or -1 (w partly prepared:
 * finalize_writes frees it). */
static int prepare_writes(struct store *s, struct writes *w)
{
	static const char cols[] = "kind, sequence, status, transparent, tzid, summary, location,"
				   " categories, attendees, organizer, description, content_sha256, raw, line";
	char sql[512];
	snprintf(sql, sizeof sql, "INSERT INTO event (feed_id, uid, rid, %s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cols);
	memset(w, 0, sizeof *w);
	if (sqlite3_prepare_v2(s->db, sql, -1, &w->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "UPDATE event SET kind = ?, sequence = ?, status = ?, transparent = ?, tzid = ?,"
			       " summary = ?, location = ?, categories = ?, attendees = ?, organizer = ?, description = ?,"
			       " content_sha256 = ?, raw = ?, line = ? WHERE id = ?", -1, &w->upd, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "DELETE FROM event WHERE id = ?", -1, &w->del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "DELETE FROM occurrence WHERE event_id = ?", -1, &w->occ_del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO occurrence (event_id, start_utc, end_utc, all_day, rid, busy, tentative)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &w->occ_ins, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

static void finalize_writes(struct writes *w)
{
	sqlite3_finalize(w->ins);
	sqlite3_finalize(w->upd);
	sqlite3_finalize(w->del);
	sqlite3_finalize(w->occ_ins);
	sqlite3_finalize(w->occ_del);
}

/* Insert (A_NEW) or update (A_UPDATE) event i of the feed. Returns 0 or -1 (d filled). */
static int write_event(struct imp *m, const struct writes *w, int64_t feed_id, size_t i)
{
	const struct ics_event *e = &m->f->ev[i];
	int is_new = m->act[i] == A_NEW;
	sqlite3_stmt *q = is_new ? w->ins : w->upd;
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	int c = 1;
	if (is_new) {
		sqlite3_bind_int64(q, c++, feed_id);
		bind_text(q, c++, e->uid);
		bind_text(q, c++, m->rid[i]);
	}
	bind_text(q, c++, e->kind == ICS_VEVENT ? "event" : "freebusy");
	sqlite3_bind_int(q, c++, e->sequence);
	bind_text(q, c++, e->status_text[0] ? e->status_text : NULL);
	sqlite3_bind_int(q, c++, e->transparent);
	bind_text(q, c++, e->tzid);
	bind_text(q, c++, e->summary);
	bind_text(q, c++, e->location);
	bind_text(q, c++, e->categories);
	bind_text(q, c++, e->attendees);
	bind_text(q, c++, e->organizer);
	bind_text(q, c++, e->description);
	bind_text(q, c++, e->hash);
	sqlite3_bind_text(q, c++, m->f->src.data + e->src_off, (int)e->src_len, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, c++, e->line);
	if (!is_new)
		sqlite3_bind_int64(q, c++, m->st[m->st_of[i]].id);
	if (sqlite3_step(q) != SQLITE_DONE)
		return store_sql_error(m->s, m->d);
	m->row[i] = is_new ? sqlite3_last_insert_rowid(m->s->db) : m->st[m->st_of[i]].id;
	return 0;
}

/* The feed's row, inserted or updated with o's window, zone and digest:
 * its id in *feed_id. Returns 0 or -1 (d filled). */
static int upsert_feed(struct imp *m, int64_t *feed_id)
{
	const struct import_opts *o = m->o;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(m->s->db,
			       "INSERT INTO feed (source, practitioner, content_sha256, win_from, win_to, zone, imported_at)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?)"
			       " ON CONFLICT (source) DO UPDATE SET practitioner = excluded.practitioner,"
			       " content_sha256 = excluded.content_sha256, win_from = excluded.win_from,"
			       " win_to = excluded.win_to, zone = excluded.zone, imported_at = excluded.imported_at"
			       " RETURNING id", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(m->s, m->d);
	bind_text(q, 1, o->source);
	bind_text(q, 2, o->practitioner);
	bind_text(q, 3, m->f->hash);
	sqlite3_bind_int64(q, 4, o->from);
	sqlite3_bind_int64(q, 5, o->to);
	bind_text(q, 6, o->zone_name);
	sqlite3_bind_int64(q, 7, o->now);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		*feed_id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : store_sql_error(m->s, m->d);
}

/* Each event of the feed as decided: written, kept or skipped (and
 * counted in the report); the occurrences of every kept one cleared, to be
 * written again. Returns 0 or -1 (d filled). */
static int write_events(struct imp *m, const struct writes *w, int64_t feed_id)
{
	struct ics_feed *f = m->f;
	for (size_t i = 0; i < f->n_ev; i++) {
		const struct ics_event *e = &f->ev[i];
		size_t k = m->st_of[i];
		int was_cancelled = k != SIZE_MAX && strcmp(m->st[k].status, "CANCELLED") == 0;
		int cancelled = e->status == ICS_ST_CANCELLED;
		switch (m->act[i]) {
		case A_NEW:
		case A_UPDATE:
			if (write_event(m, w, feed_id, i) < 0)
				return -1;
			if (cancelled && !was_cancelled)
				m->r->cancelled++;
			else if (m->act[i] == A_NEW)
				m->r->added++;
			else
				m->r->updated++;
			break;
		case A_SAME:
		case A_STALE:
			m->row[i] = m->st[k].id;
			m->r->unchanged++;
			break;
		case A_SKIP: {
			char what[300];
			snprintf(what, sizeof what, "%s %.200s",
				 e->kind == ICS_VEVENT ? "VEVENT" : "VFREEBUSY", e->uid);
			diag_add(m->d, D_IMP_SKIPPED, f->file, e->line, 1, what, reason_of(m->d, f->file, e));
			m->r->skipped++;
			break;
		}
		case A_DUP:
			break;
		}
		if (k != SIZE_MAX)
			m->st[k].seen = 1;
		if (m->act[i] != A_SKIP && m->act[i] != A_DUP && !(m->keep_stale && m->act[i] == A_STALE)) {
			sqlite3_reset(w->occ_del);
			sqlite3_bind_int64(w->occ_del, 1, m->row[i]);
			if (sqlite3_step(w->occ_del) != SQLITE_DONE)
				return store_sql_error(m->s, m->d);
		}
	}
	return 0;
}

/* Gone from the feed: gone from the store. Returns 0 or -1 (d filled). */
static int remove_gone(struct imp *m, const struct writes *w)
{
	for (size_t k = 0; k < m->n_st; k++) {
		if (m->st[k].seen)
			continue;
		sqlite3_reset(w->del);
		sqlite3_bind_int64(w->del, 1, m->st[k].id);
		if (sqlite3_step(w->del) != SQLITE_DONE)
			return store_sql_error(m->s, m->d);
		m->r->removed++;
	}
	return 0;
}

/* The occurrences of held (the feed as the store holds it), in UTC, of
 * every event kept and not cancelled. Returns 0 or -1 (d filled). */
static int write_occurrences(struct imp *m, const struct writes *w, const struct ics_feed *held,
			     const struct ics_occs *occ)
{
	for (size_t j = 0; j < occ->n; j++) {
		const struct ics_occ *c = &occ->v[j];
		const struct ics_event *e = &held->ev[c->ev];
		if (m->act[c->ev] == A_SKIP || m->act[c->ev] == A_DUP || m->act[c->master] == A_SKIP)
			continue;
		if (m->keep_stale && m->act[c->ev] == A_STALE)
			continue;   /* its stored occurrences stand */
		if (e->status == ICS_ST_CANCELLED || held->ev[c->master].status == ICS_ST_CANCELLED)
			continue;
		int64_t s = c->start, en = c->end;
		if (c->kind != ICS_T_UTC) {
			icaltimezone *z = held->x_wr_zone ? held->x_wr_zone : m->o->zone;
			s = ics_wall_to_utc(s, z);
			/* an end more than a year after its start is taken at the
			 * start's offset: converting it would make libical extend
			 * the zone's transitions out to that year again for each
			 * such end (seconds of CPU for a hostile feed), and an hour
			 * either way that far out changes nothing shown */
			en = c->end - c->start > IMPORT_LONG_OCCURRENCE_DAYS * 86400LL ? s + (c->end - c->start) : ics_wall_to_utc(en, z);
		}
		char rid[24] = "";
		if (c->has_rid)
			ics_fmt_time(c->rid, c->rid_kind, rid);
		sqlite3_stmt *q = w->occ_ins;
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, m->row[c->ev]);
		sqlite3_bind_int64(q, 2, s);
		sqlite3_bind_int64(q, 3, en);
		sqlite3_bind_int(q, 4, c->kind == ICS_T_DATE);
		sqlite3_bind_text(q, 5, rid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 6, e->kind == ICS_VFREEBUSY ? 1 : !e->transparent);
		sqlite3_bind_int(q, 7, e->status == ICS_ST_TENTATIVE || c->fb_type == 1);
		if (sqlite3_step(q) != SQLITE_DONE)
			return store_sql_error(m->s, m->d);
	}
	return 0;
}

/* Write everything decided: the feed's row, its events, the removal of
 * those gone, and the occurrences of held. Returns 0 or -1 (d filled). */
static int write_all(struct imp *m, int64_t *feed_id, const struct ics_feed *held,
		     const struct ics_occs *occ)
{
	struct writes w;
	int rc = -1;
	if (upsert_feed(m, feed_id) < 0)
		return -1;
	if (prepare_writes(m->s, &w) < 0)
		store_sql_error(m->s, m->d);
	else if (write_events(m, &w, *feed_id) == 0 && remove_gone(m, &w) == 0 &&
		 write_occurrences(m, &w, held, occ) == 0)
		rc = 0;
	finalize_writes(&w);
	return rc;
}

static size_t count_occurrences(struct store *s, int64_t feed_id)
{
	sqlite3_stmt *c;
	size_t n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM occurrence JOIN event ON event.id ="
			       " occurrence.event_id WHERE feed_id = ?", -1, &c, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(c, 1, feed_id);
	if (sqlite3_step(c) == SQLITE_ROW)
		n = (size_t)sqlite3_column_int64(c, 0);
	sqlite3_finalize(c);
	return n;
}

static void release(struct imp *m)
{
	for (size_t k = 0; k < m->n_st; k++) {
		free(m->st[k].uid);
		free(m->st[k].rid);
		free(m->st[k].raw);
		free(m->st[k].status);
	}
	free(m->st);
	free(m->act);
	free(m->row);
	free(m->st_of);
	free(m->rid);
}

/* The feed's row for o->source: its id, or 0 when there is none; -1 (d filled). */
static int64_t feed_row(struct store *s, const char *source, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM feed WHERE source = ?", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	bind_text(q, 1, source);
	int rc = sqlite3_step(q);
	int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? id : store_sql_error(s, d);
}

static int same_bytes(struct imp *m, int64_t *feed_id);

int store_held_bytes(struct store *s, const struct ics_feed *f, const struct import_opts *o,
		     struct bytes *held, struct diag *d)
{
	size_t n = f->n_ev ? f->n_ev : 1;
	struct diag quiet;   /* the notes decide() makes; store_import makes them again */
	diag_init(&quiet);
	struct imp m = { s, (struct ics_feed *)f, NULL, 0, o, NULL, d, NULL, 0, 0, NULL, NULL, NULL, NULL };
	m.act = xcalloc(n, sizeof *m.act);
	m.row = xcalloc(n, sizeof *m.row);
	m.st_of = xcalloc(n, sizeof *m.st_of);
	m.rid = xcalloc(n, sizeof *m.rid);
	int rc = 0;
	int64_t feed_id = f->fatal ? 0 : feed_row(s, o->source, d);
	/* the same bytes, window, zone and practitioner as stored: the import
	 * writes nothing, so nothing need be spliced (and the stored events
	 * need not be read: every profile command comes this way) */
	struct import_report same;
	memset(&same, 0, sizeof same);
	m.r = &same;
	int64_t same_id;
	if (feed_id > 0 && same_bytes(&m, &same_id) > 0)
		feed_id = 0;
	m.r = NULL;
	if (feed_id < 0 || (feed_id > 0 && load_stored(&m, feed_id) < 0)) {
		rc = -1;
	} else if (feed_id > 0) {
		m.d = &quiet;
		decide(&m);
		size_t len = 0;
		char *text = splice_stale(&m, &len);
		if (text) {
			held->data = text;
			held->len = len;
			rc = 1;
		}
	}
	diag_release(&quiet);
	release(&m);
	return rc;
}

/* An iTIP request or answer is a message, not a feed: D_IMP_ITIP. Returns
 * whether f is one. */
static int is_itip_message(const struct ics_feed *f, struct diag *d)
{
	char method[32];
	uint32_t mline = ics_scan_method(&f->scan, method, sizeof method);
	if (mline && ics_method_is_itip_answer_or_request(method)) {
		diag_add(d, D_IMP_ITIP, f->file, (int)mline, 1, method);
		return 1;
	}
	return 0;
}

/* The feed row of o->source, and whether it holds the bytes hash imported
 * with o's window, zone and practitioner (*same, with *events): 0, or -1
 * (d filled). *feed_id: the feed's row, or 0 when there is none. */
static int feed_held(struct store *s, const struct import_opts *o, const char *hash, int64_t *feed_id,
		    int *same, size_t *events, struct diag *d)
{
	static const char sql[] =
		"SELECT id, content_sha256 = ? AND win_from = ? AND win_to = ? AND zone = ?"
		" AND practitioner IS ?, (SELECT count(*) FROM event WHERE feed_id = feed.id)"
		" FROM feed WHERE source = ?";
	*feed_id = 0;
	*same = 0;
	*events = 0;
	sqlite3_stmt *q = store_stmt(s, sql, d);
	if (!q)
		return -1;
	bind_text(q, 1, hash);
	sqlite3_bind_int64(q, 2, o->from);
	sqlite3_bind_int64(q, 3, o->to);
	bind_text(q, 4, o->zone_name);
	bind_text(q, 5, o->practitioner);
	bind_text(q, 6, o->source);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		*feed_id = sqlite3_column_int64(q, 0);
		*same = sqlite3_column_int(q, 1) != 0;
		*events = (size_t)sqlite3_column_int64(q, 2);
	}
	store_stmt_done(s, q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_sql_error(s, d);
	return 0;
}

int store_feed_has_bytes(struct store *s, const struct import_opts *o, const char *sha256_hex,
			 size_t *events, struct diag *d)
{
	int64_t id;
	int same;
	if (feed_held(s, o, sha256_hex, &id, &same, events, d) < 0)
		return -1;
	return same;
}

/* Whether the store holds these bytes of the feed already, imported with
 * the same window, zone and practitioner: 1 (r says so), 0, or -1 (d
 * filled). *feed_id: the feed's row, or 0 when there is none. */
static int same_bytes(struct imp *m, int64_t *feed_id)
{
	int same;
	size_t events;
	if (feed_held(m->s, m->o, m->f->hash, feed_id, &same, &events, m->d) < 0)
		return -1;
	if (same) {
		m->r->same_bytes = 1;
		m->r->unchanged = events;
	}
	return m->r->same_bytes;
}

/* Whether m's stale components are those of held: the same events, and
 * each stale one holds the stored version (its UID and SEQUENCE). */
static int held_matches(const struct imp *m, const struct ics_feed *held)
{
	if (held->fatal || held->n_ev != m->f->n_ev)
		return 0;
	for (size_t i = 0; i < held->n_ev; i++) {
		if (m->act[i] != A_STALE)
			continue;
		const struct stored *st = &m->st[m->st_of[i]];
		if (held->ev[i].sequence != st->seq || strcmp(held->ev[i].uid, st->uid) != 0)
			return 0;
	}
	return 1;
}

/* The feed as the store will hold it: f itself, or, when a stored version
 * is kept over a stale one, the held feed the caller read
 * (store_held_bytes); without one, f, its stale events keeping the
 * occurrences stored. Duplicates are marked bad so that they are not
 * expanded. Returns the feed, or NULL (d filled). */
static struct ics_feed *held_feed(struct imp *m)
{
	struct ics_feed *f = m->f;
	int stale = 0;
	for (size_t i = 0; i < f->n_ev; i++)
		stale |= m->act[i] == A_STALE;
	if (!stale || !m->held) {
		m->keep_stale = stale;
		for (size_t i = 0; i < f->n_ev; i++)
			if (m->act[i] == A_DUP)
				f->ev[i].bad = 1;
		return f;
	}
	if (!held_matches(m, m->held)) {
		diag_add(m->d, D_INTERNAL, f->file, 0, 0,
			 "the stored events changed during the import; nothing written: import again");
		return NULL;
	}
	for (size_t i = 0; i < f->n_ev; i++)
		m->held->ev[i].bad = m->act[i] == A_SKIP || m->act[i] == A_DUP;
	return m->held;
}

/* Expand held over o's window into *occ; an event the expansion finds bad
 * is skipped. *errors: the expansion's errors (the events it marked bad).
 * Returns 0, or -1 when the feed cannot be expanded at all (d filled). */
static int expand_held(struct imp *m, struct ics_feed *held, struct ics_occs *occ, size_t *errors)
{
	const struct import_opts *o = m->o;
	struct ics_feed *f = m->f;
	struct ics_expand_opts xo = { o->from, o->to, o->zone, o->lim };
	size_t bad_before = ics_feed_bad_count(held);
	if (ics_expand(held, &xo, occ, m->d) < 0)
		return -1;
	size_t bad_after = ics_feed_bad_count(held);
	*errors = bad_after - bad_before;
	if (bad_after != bad_before)
		for (size_t i = 0; i < f->n_ev; i++)
			if (held->ev[i].bad && m->act[i] != A_DUP)
				m->act[i] = A_SKIP;
	for (size_t i = 0; i < f->n_ev; i++)
		if (m->act[i] == A_DUP)
			f->ev[i].bad = 0;
	return 0;
}

/* What store_import does inside its transaction, once begun: returns
 * IMPORT_OK (committed, or ended with nothing to write), or a failure
 * (the caller rolls back, unless *ended: a failed commit rolled back). */
static enum import_status import_in_tx(struct imp *m, int *ended)
{
	struct ics_feed *f = m->f;
	struct store *s = m->s;
	struct diag *d = m->d;
	int64_t feed_id;
	int same = same_bytes(m, &feed_id);
	if (same < 0)
		return IMPORT_FAILED;
	if (same) {
		store_tx_end(s, 0, d);
		m->r->occurrences = count_occurrences(s, feed_id);
		return IMPORT_OK;
	}
	if (feed_id && load_stored(m, feed_id) < 0)
		return IMPORT_FAILED;
	decide(m);
	struct ics_occs occ = { 0 };
	enum import_status st = IMPORT_FAILED;
	struct ics_feed *held = held_feed(m);
	size_t expand_errors = 0;
	if (!held)
		goto out;
	if (expand_held(m, held, &occ, &expand_errors) < 0) {
		st = IMPORT_REJECTED;
		goto out;
	}
	/* an error reading or expanding the feed rejects it, unless keep_going */
	size_t errors = f->errors + expand_errors;
	if ((errors > 0 || f->scan.fatal) && !m->o->keep_going) {
		char nb[32];
		snprintf(nb, sizeof nb, "%zu", errors);
		diag_add(d, D_IMP_REJECTED, f->file, 0, 0, nb,
			 m->o->offer_keep_going ? " (use --keep-going to import the valid events)" : "");
		st = IMPORT_REJECTED;
		goto out;
	}
	if (write_all(m, &feed_id, held, &occ) < 0)
		goto out;
	*ended = 1;
	if (store_tx_end(s, 1, d) < 0)
		goto out;
	m->r->occurrences = count_occurrences(s, feed_id);
	st = IMPORT_OK;
out:
	ics_occs_release(&occ);
	return st;
}

enum import_status store_import(struct store *s, struct ics_feed *f, const struct import_opts *o,
				struct import_report *r, struct diag *d)
{
	return store_import_held(s, f, NULL, o, r, d);
}

enum import_status store_import_held(struct store *s, struct ics_feed *f, struct ics_feed *held,
				     const struct import_opts *o, struct import_report *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	if (f->fatal || is_itip_message(f, d)) {
		r->rejected = 1;
		return IMPORT_REJECTED;
	}
	size_t n = f->n_ev ? f->n_ev : 1;
	struct imp m = { s, f, held, 0, o, r, d, NULL, 0, 0, NULL, NULL, NULL, NULL };
	m.act = xcalloc(n, sizeof *m.act);
	m.row = xcalloc(n, sizeof *m.row);
	m.st_of = xcalloc(n, sizeof *m.st_of);
	m.rid = xcalloc(n, sizeof *m.rid);
	if (store_tx_begin(s, d) < 0) {
		release(&m);
		r->rejected = 1;
		return IMPORT_FAILED;
	}
	int ended = 0;
	enum import_status st = import_in_tx(&m, &ended);
	if (st != IMPORT_OK) {
		if (!ended)
			store_tx_end(s, 0, d);
		r->added = r->updated = r->cancelled = r->removed = 0;
		r->rejected = 1;
	}
	release(&m);
	return st;
}

int store_feed_validators(struct store *s, const char *source, const struct import_opts *o,
			  char **etag, char **last_modified, struct diag *d)
{
	*etag = *last_modified = NULL;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT etag, last_modified FROM feed WHERE source = ?1 AND win_from = ?2"
			       " AND win_to = ?3 AND zone IS ?4", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, o->from);
	sqlite3_bind_int64(q, 3, o->to);
	sqlite3_bind_text(q, 4, o->zone_name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(q, 0);
		const char *l = (const char *)sqlite3_column_text(q, 1);
		*etag = e ? xstrdup(e) : NULL;
		*last_modified = l ? xstrdup(l) : NULL;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

int store_feed_copy(struct store *s, const char *source, const char *zone_name, int64_t *from,
		    int64_t *to, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT win_from, win_to FROM feed WHERE source = ?1 AND zone IS ?2",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, zone_name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*from = sqlite3_column_int64(q, 0);
		*to = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_error(s, d);
	return rc == SQLITE_ROW;
}

int store_set_feed_validators(struct store *s, const char *source, const char *etag,
			      const char *last_modified, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "UPDATE feed SET etag = ?2, last_modified = ?3 WHERE source = ?1",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, etag, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, last_modified, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* What a feed says, as far as a week is read from it: every field of its
 * events a match rule or the week reads, and their occurrences that
 * touch the local dates [from_date, to_date] (with a day's margin each
 * side, as import_window's need), in a fixed order; not the raw text, so
 * a feed fetched again with only a new DTSTAMP (Google stamps every
 * download) gives the same digest. */
static const char SQL_FEED_WHAT[] =
	"SELECT e.uid, e.rid, e.kind, e.sequence, e.status, e.transparent, e.tzid, e.summary,"
	" e.location, e.categories, e.attendees, e.organizer, e.description,"
	" o.start_utc, o.end_utc, o.all_day, o.rid, o.busy, o.tentative"
	" FROM event e JOIN occurrence o ON o.event_id = e.id"
	" WHERE e.feed_id = ?1 AND o.start_utc < ?3 AND o.end_utc > ?2"
	" ORDER BY e.uid, e.rid, o.start_utc, o.end_utc, o.rid, o.id";

int store_feed_digest(struct store *s, int64_t feed, int64_t from_date, int64_t to_date, char out[65],
		      struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, SQL_FEED_WHAT, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_int64(q, 1, feed);
	sqlite3_bind_int64(q, 2, (from_date - 2) * 86400);
	sqlite3_bind_int64(q, 3, (to_date + 3) * 86400);
	struct hash_ctx *h = hash_new();
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		int nc = sqlite3_column_count(q);
		for (int c = 0; c < nc; c++) {
			/* each field as its type, length and bytes: no two rows alike */
			const unsigned char *t = sqlite3_column_text(q, c);
			int len = t ? sqlite3_column_bytes(q, c) : -1;
			char head[32];
			int hl = snprintf(head, sizeof head, "%d:%d:", sqlite3_column_type(q, c), len);
			hash_update(h, head, (size_t)hl);
			if (t)
				hash_update(h, t, (size_t)len);
		}
		hash_update(h, "\n", 1);
	}
	sqlite3_finalize(q);
	hash_final_hex(h, out);
	hash_free(h);
	return r == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

int store_feeds_state(struct store *s, const char *const *sources, size_t n, int64_t from_date,
		      int64_t to_date, char **out, struct diag *d)
{
	*out = NULL;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM feed WHERE source = ?1", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	int64_t *ids = xcalloc(n + 1, sizeof *ids);
	size_t k = 0;
	int failed = 0;
	for (size_t i = 0; i < n && !failed; i++) {
		sqlite3_bind_text(q, 1, sources[i], -1, SQLITE_STATIC);
		int r = sqlite3_step(q);
		if (r == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(q, 0);
			int seen = 0;
			for (size_t j = 0; j < k && !seen; j++)
				seen = ids[j] == id;
			if (!seen)
				ids[k++] = id;
		} else if (r != SQLITE_DONE) {
			failed = 1;
		}
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	if (failed) {
		free(ids);
		return store_sql_error(s, d);
	}
	qsort(ids, k, sizeof *ids, cmp_i64);
	/* an entry: up to 20 digits, ':', 64 hex digits, ' ' */
	size_t cap = k * 96 + 1, len = 0;
	char *buf = xcalloc(cap, 1);
	for (size_t i = 0; i < k; i++) {
		char dg[65];
		if (store_feed_digest(s, ids[i], from_date, to_date, dg, d) < 0) {
			free(ids);
			free(buf);
			return -1;
		}
		len += (size_t)snprintf(buf + len, cap - len, "%s%lld:%s", len ? " " : "", (long long)ids[i], dg);
	}
	free(ids);
	*out = buf;
	return 0;
}
