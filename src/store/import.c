/* import.c: one feed into the store, as one transaction (upsert by feed, UID, RECURRENCE-ID). */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static char *col_dup(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return strdup(t ? (const char *)t : "");
}

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

/* The first error reported inside event e's lines: its reason for a skip. */
static const char *reason_of(const struct diag *d, const struct ics_event *e, size_t from)
{
	for (size_t i = from; i < d->n; i++)
		if (diag_severity(d->v[i].code) == DIAG_ERROR && d->v[i].line >= e->line &&
		    d->v[i].line <= e->end_line)
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
static int mark_duplicates(struct imp *m)
{
	struct ics_feed *f = m->f;
	size_t *ix = malloc((f->n_ev ? f->n_ev : 1) * sizeof *ix), n = 0;
	if (!ix)
		return -1;
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
	return 0;
}

/* Decide what happens to each event of the feed. */
static int decide(struct imp *m)
{
	struct ics_feed *f = m->f;
	for (size_t i = 0; i < f->n_ev; i++)
		ics_rid_text(&f->ev[i], m->rid[i]);
	if (mark_duplicates(m) < 0)
		return -1;
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
	return 0;
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
	char *out = malloc(f->src.len + extra + 1);
	if (!out)
		return NULL;
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

static int write_event(struct imp *m, sqlite3_stmt *ins, sqlite3_stmt *upd, int64_t feed_id, size_t i)
{
	const struct ics_event *e = &m->f->ev[i];
	int is_new = m->act[i] == A_NEW;
	sqlite3_stmt *q = is_new ? ins : upd;
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

static int write_all(struct imp *m, int64_t *feed_id, const struct ics_feed *eff,
		     const struct ics_occs *occ)
{
	struct ics_feed *f = m->f;
	const struct import_opts *o = m->o;
	sqlite3_stmt *q = NULL, *ins = NULL, *upd = NULL, *del = NULL, *occ_ins = NULL, *occ_del = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(m->s->db,
			       "INSERT INTO feed (source, practitioner, content_sha256, win_from, win_to, zone, imported_at)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?)"
			       " ON CONFLICT (source) DO UPDATE SET practitioner = excluded.practitioner,"
			       " content_sha256 = excluded.content_sha256, win_from = excluded.win_from,"
			       " win_to = excluded.win_to, zone = excluded.zone, imported_at = excluded.imported_at"
			       " RETURNING id", -1, &q, NULL) != SQLITE_OK)
		goto sql;
	bind_text(q, 1, o->source);
	bind_text(q, 2, o->practitioner);
	bind_text(q, 3, f->hash);
	sqlite3_bind_int64(q, 4, o->from);
	sqlite3_bind_int64(q, 5, o->to);
	bind_text(q, 6, o->zone_name);
	sqlite3_bind_int64(q, 7, o->now);
	if (sqlite3_step(q) != SQLITE_ROW)
		goto sql;
	*feed_id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	q = NULL;

	static const char cols[] = "kind, sequence, status, transparent, tzid, summary, location,"
				   " categories, attendees, organizer, description, content_sha256, raw, line";
	char sql[512];
	snprintf(sql, sizeof sql, "INSERT INTO event (feed_id, uid, rid, %s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", cols);
	if (sqlite3_prepare_v2(m->s->db, sql, -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m->s->db,
			       "UPDATE event SET kind = ?, sequence = ?, status = ?, transparent = ?, tzid = ?,"
			       " summary = ?, location = ?, categories = ?, attendees = ?, organizer = ?, description = ?,"
			       " content_sha256 = ?, raw = ?, line = ? WHERE id = ?", -1, &upd, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m->s->db, "DELETE FROM event WHERE id = ?", -1, &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m->s->db, "DELETE FROM occurrence WHERE event_id = ?", -1, &occ_del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(m->s->db,
			       "INSERT INTO occurrence (event_id, start_utc, end_utc, all_day, rid, busy, tentative)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &occ_ins, NULL) != SQLITE_OK)
		goto sql;

	for (size_t i = 0; i < f->n_ev; i++) {
		const struct ics_event *e = &f->ev[i];
		size_t k = m->st_of[i];
		int was_cancelled = k != SIZE_MAX && strcmp(m->st[k].status, "CANCELLED") == 0;
		int cancelled = e->status == ICS_ST_CANCELLED;
		switch (m->act[i]) {
		case A_NEW:
		case A_UPDATE:
			if (write_event(m, ins, upd, *feed_id, i) < 0)
				goto out;
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
			diag_add(m->d, D_IMP_SKIPPED, f->file, e->line, 1, what, reason_of(m->d, e, 0));
			m->r->skipped++;
			break;
		}
		case A_DUP:
			break;
		}
		if (k != SIZE_MAX)
			m->st[k].seen = 1;
		if (m->act[i] != A_SKIP && m->act[i] != A_DUP) {
			sqlite3_reset(occ_del);
			sqlite3_bind_int64(occ_del, 1, m->row[i]);
			if (sqlite3_step(occ_del) != SQLITE_DONE)
				goto sql;
		}
	}
	/* gone from the feed: gone from the store */
	for (size_t k = 0; k < m->n_st; k++) {
		if (m->st[k].seen)
			continue;
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, m->st[k].id);
		if (sqlite3_step(del) != SQLITE_DONE)
			goto sql;
		m->r->removed++;
	}
	for (size_t j = 0; j < occ->n; j++) {
		const struct ics_occ *c = &occ->v[j];
		const struct ics_event *e = &eff->ev[c->ev];
		if (m->act[c->ev] == A_SKIP || m->act[c->ev] == A_DUP || m->act[c->master] == A_SKIP)
			continue;
		if (e->status == ICS_ST_CANCELLED || eff->ev[c->master].status == ICS_ST_CANCELLED)
			continue;
		int64_t s = c->start, en = c->end;
		if (c->kind != ICS_T_UTC) {
			icaltimezone *z = eff->x_wr_zone ? eff->x_wr_zone : o->zone;
			s = ics_wall_to_utc(s, z);
			en = ics_wall_to_utc(en, z);
		}
		char rid[24] = "";
		if (c->has_rid)
			ics_fmt_time(c->rid, c->rid_kind, rid);
		sqlite3_reset(occ_ins);
		sqlite3_bind_int64(occ_ins, 1, m->row[c->ev]);
		sqlite3_bind_int64(occ_ins, 2, s);
		sqlite3_bind_int64(occ_ins, 3, en);
		sqlite3_bind_int(occ_ins, 4, c->kind == ICS_T_DATE);
		sqlite3_bind_text(occ_ins, 5, rid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(occ_ins, 6, e->kind == ICS_VFREEBUSY ? 1 : !e->transparent);
		sqlite3_bind_int(occ_ins, 7, e->status == ICS_ST_TENTATIVE || c->fb_type == 1);
		if (sqlite3_step(occ_ins) != SQLITE_DONE)
			goto sql;
	}
	rc = 0;
	goto out;
sql:
	store_sql_error(m->s, m->d);
out:
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_finalize(del);
	sqlite3_finalize(occ_ins);
	sqlite3_finalize(occ_del);
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

int store_import(struct store *s, struct ics_feed *f, const struct import_opts *o,
		 struct import_report *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	struct imp m = { s, f, o, r, d, NULL, 0, 0, NULL, NULL, NULL, NULL };
	struct ics_feed eff_feed;
	int have_eff = 0, rc = -1;
	struct ics_occs occ = { 0 };
	memset(&eff_feed, 0, sizeof eff_feed);
	if (f->fatal) {
		r->rejected = 1;
		return -1;
	}
	/* an iTIP request or answer is a message, not a feed */
	char method[32];
	uint32_t mline = ics_scan_method(&f->scan, method, sizeof method);
	if (mline && ics_method_is_itip_answer_or_request(method)) {
		diag_add(d, D_IMP_ITIP, f->file, (int)mline, 1, method);
		r->rejected = 1;
		return -1;
	}
	size_t n = f->n_ev ? f->n_ev : 1;
	m.act = calloc(n, sizeof *m.act);
	m.row = calloc(n, sizeof *m.row);
	m.st_of = calloc(n, sizeof *m.st_of);
	m.rid = calloc(n, sizeof *m.rid);
	if (!m.act || !m.row || !m.st_of || !m.rid) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		release(&m);
		return -1;
	}
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		store_sql_error(s, d);
		release(&m);
		return -1;
	}
	/* the same bytes, window, zone and practitioner: nothing to do */
	sqlite3_stmt *q;
	int64_t feed_id = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT id, content_sha256 = ? AND win_from = ? AND win_to = ? AND zone = ?"
			       " AND practitioner IS ?, (SELECT count(*) FROM event WHERE feed_id = feed.id)"
			       " FROM feed WHERE source = ?", -1, &q, NULL) != SQLITE_OK) {
		store_sql_error(s, d);
		goto rollback;
	}
	bind_text(q, 1, f->hash);
	sqlite3_bind_int64(q, 2, o->from);
	sqlite3_bind_int64(q, 3, o->to);
	bind_text(q, 4, o->zone_name);
	bind_text(q, 5, o->practitioner);
	bind_text(q, 6, o->source);
	int step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		feed_id = sqlite3_column_int64(q, 0);
		if (sqlite3_column_int(q, 1)) {
			r->same_bytes = 1;
			r->unchanged = (size_t)sqlite3_column_int64(q, 2);
		}
	}
	sqlite3_finalize(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		store_sql_error(s, d);
		goto rollback;
	}
	if (r->same_bytes) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		r->occurrences = count_occurrences(s, feed_id);
		release(&m);
		return 0;
	}
	if (feed_id && load_stored(&m, feed_id) < 0)
		goto rollback;
	if (decide(&m) < 0) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		goto rollback;
	}

	/* expand what the store will hold */
	struct ics_feed *eff = f;
	size_t len = 0;
	char *spliced = splice_stale(&m, &len);
	if (spliced) {
		struct bytes b = { spliced, len };
		struct diag quiet;
		diag_init(&quiet);
		ics_read(&eff_feed, f->file, &b, o->lim, &quiet);
		diag_release(&quiet);
		have_eff = 1;
		if (eff_feed.n_ev != f->n_ev) {
			diag_add(d, D_INTERNAL, f->file, 0, 0, "a stored event no longer parses");
			goto rollback;
		}
		for (size_t i = 0; i < f->n_ev; i++)
			eff_feed.ev[i].bad = m.act[i] == A_SKIP || m.act[i] == A_DUP;
		eff = &eff_feed;
	} else {
		for (size_t i = 0; i < f->n_ev; i++)
			if (m.act[i] == A_DUP)
				f->ev[i].bad = 1;
	}
	struct ics_expand_opts xo = { o->from, o->to, o->zone, o->lim };
	size_t bad_before = ics_feed_bad_count(eff);
	if (ics_expand(eff, &xo, &occ, d) < 0) {
		r->rejected = 1;
		goto rollback;
	}
	if (ics_feed_bad_count(eff) != bad_before)
		for (size_t i = 0; i < f->n_ev; i++)
			if (eff->ev[i].bad && m.act[i] != A_DUP)
				m.act[i] = A_SKIP;
	for (size_t i = 0; i < f->n_ev; i++)
		if (m.act[i] == A_DUP)
			f->ev[i].bad = 0;
	/* d holds this feed's reports only: reading's errors count too */
	if (d->errors > 0 || f->scan.fatal) {
		if (!o->keep_going) {
			char nb[32];
			snprintf(nb, sizeof nb, "%zu", d->errors);
			diag_add(d, D_IMP_REJECTED, f->file, 0, 0, nb);
			r->rejected = 1;
			goto rollback;
		}
	}
	if (write_all(&m, &feed_id, eff, &occ) < 0)
		goto rollback;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_sql_error(s, d);
		goto rollback;
	}
	r->occurrences = count_occurrences(s, feed_id);
	rc = 0;
	goto out;
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	r->added = r->updated = r->cancelled = r->removed = 0;
	r->rejected = 1;
out:
	ics_occs_release(&occ);
	if (have_eff)
		ics_feed_release(&eff_feed);
	release(&m);
	return rc;
}

int store_import_file(struct store *s, const char *path, const char *shown,
		      const struct ics_limits *lim, const struct import_opts *o,
		      struct import_report *r, struct diag *d)
{
	struct bytes b;
	if (file_read_all(path, lim->max_file_bytes, &b, d) < 0)
		return -1;
	struct ics_feed f;
	memset(&f, 0, sizeof f);
	ics_read(&f, shown, &b, lim, d);   /* takes b */
	int rc = store_import(s, &f, o, r, d);
	ics_feed_release(&f);
	return rc;
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
		*etag = e ? strdup(e) : NULL;
		*last_modified = l ? strdup(l) : NULL;
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
