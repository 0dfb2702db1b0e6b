/* replies.c: record practitioners' iTIP answers (never changed or deleted), list them, and find the accepted change and group an answer concerns. */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"

static const char *const kind_names[REPLY_KINDS] = { "accepted", "declined", "tentative", "counter",
						     "declinecounter" };

const char *reply_kind_name(enum reply_kind k)
{
	return (unsigned)k < REPLY_KINDS ? kind_names[k] : "?";
}

static int kind_of(const char *s)
{
	for (int k = 0; k < REPLY_KINDS; k++)
		if (s && !strcmp(s, kind_names[k]))
			return k;
	return -1;
}

int store_reply_seen(struct store *s, const char *digest, struct diag *d)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM replies WHERE digest = ?1 LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, digest, -1, SQLITE_STATIC);
	int r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r == SQLITE_ROW)
		return 1;
	if (r == SQLITE_DONE)
		return 0;
	return store_sql_error(s, d);
}

int store_record_replies(struct store *s, const struct store_reply *v, size_t n, struct diag *d)
{
	static const char sql[] =
		"INSERT INTO replies (digest, person, practitioner, uid, rid, start_utc, end_utc, sequence,"
		" kind, suggested_start, suggested_end, proposal_id, seq, to_date, to_minute, to_venue,"
		" received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	if (store_tx_begin(s, d) < 0) {
		sqlite3_finalize(q);
		return -1;
	}
	int ok = 1;
	for (size_t i = 0; ok && i < n; i++) {
		const struct store_reply *x = &v[i];
		char date[16];
		time_fmt_date(x->to.date, date, sizeof date);
		sqlite3_bind_text(q, 1, x->digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, x->person, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, x->appt.practitioner, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, x->appt.uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, x->appt.rid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 6, x->appt.start);
		sqlite3_bind_int64(q, 7, x->appt.end);
		sqlite3_bind_int(q, 8, x->sequence);
		sqlite3_bind_text(q, 9, reply_kind_name(x->kind), -1, SQLITE_STATIC);
		if (x->kind == REPLY_COUNTER) {
			sqlite3_bind_int64(q, 10, x->suggested_start);
			sqlite3_bind_int64(q, 11, x->suggested_end);
		} else {
			sqlite3_bind_null(q, 10);
			sqlite3_bind_null(q, 11);
		}
		sqlite3_bind_text(q, 12, x->proposal, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 13, x->seq);
		sqlite3_bind_text(q, 14, date, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 15, x->to.start);
		if (x->to.venue)
			sqlite3_bind_text(q, 16, x->to.venue, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(q, 16);
		sqlite3_bind_int64(q, 17, x->at);
		ok = sqlite3_step(q) == SQLITE_DONE;
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
	}
	if (!ok)
		store_sql_error(s, d);
	sqlite3_finalize(q);
	return store_tx_end(s, ok, d) < 0 || !ok ? -1 : 0;
}

int store_each_reply(struct store *s, const char *person,
		     int (*fn)(const struct store_reply *, void *), void *arg, struct diag *d)
{
	static const char sql[] =
		"SELECT id, digest, person, practitioner, uid, rid, start_utc, end_utc, sequence, kind,"
		" suggested_start, suggested_end, proposal_id, seq, to_date, to_minute, to_venue, received_at"
		" FROM replies WHERE ?1 IS NULL OR person = ?1 ORDER BY id";
	sqlite3_stmt *q = store_stmt(s, sql, d);
	if (!q)
		return -1;
	if (person)
		sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_reply x;
		memset(&x, 0, sizeof x);
		x.id = sqlite3_column_int64(q, 0);
		x.digest = (const char *)sqlite3_column_text(q, 1);
		x.person = (const char *)sqlite3_column_text(q, 2);
		store_col_appt(q, 3, &x.appt);
		x.sequence = sqlite3_column_int(q, 8);
		int k = kind_of((const char *)sqlite3_column_text(q, 9));
		x.suggested_start = sqlite3_column_int64(q, 10);
		x.suggested_end = sqlite3_column_int64(q, 11);
		x.proposal = (const char *)sqlite3_column_text(q, 12);
		x.seq = sqlite3_column_int(q, 13);
		x.at = sqlite3_column_int64(q, 17);
		if (k < 0 || store_col_place(q, 14, &x.to) < 0) {
			store_stmt_done(s, q);
			diag_add(d, D_STORE_SQL, NULL, 0, 0, "a reply with a bad kind or date");
			return -1;
		}
		x.kind = (enum reply_kind)k;
		if (fn(&x, arg))
			break;
	}
	int ok = r == SQLITE_ROW || r == SQLITE_DONE;
	store_stmt_done(s, q);
	return ok ? 0 : store_sql_error(s, d);
}

int store_last_accept(struct store *s, const char *person, const struct appt_ref *a, char *proposal,
		      size_t sz, int *seq, struct place *to, char *venue, size_t vsz, struct diag *d)
{
	static const char sql[] =
		"SELECT proposal_id, seq, to_date, to_minute, to_venue FROM decisions"
		" WHERE person = ?1 AND practitioner = ?2 AND uid = ?3 AND rid = ?4 AND start_utc = ?5"
		" AND verdict = 'accept' ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, a->practitioner, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, a->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, a->rid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, a->start);
	int r = sqlite3_step(q), found = 0;
	if (r == SQLITE_ROW) {
		snprintf(proposal, sz, "%s", (const char *)sqlite3_column_text(q, 0));
		*seq = sqlite3_column_int(q, 1);
		to->start = sqlite3_column_int(q, 3);
		const char *v = (const char *)sqlite3_column_text(q, 4);
		if (v) {
			snprintf(venue, vsz, "%s", v);
			to->venue = venue;
		} else {
			to->venue = NULL;
		}
		if (store_col_date(q, 2, &to->date) < 0) {
			sqlite3_finalize(q);
			diag_add(d, D_STORE_SQL, NULL, 0, 0, "a decision with a bad date");
			return -1;
		}
		found = 1;
	}
	sqlite3_finalize(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_sql_error(s, d);
	return found;
}

int store_each_partner(struct store *s, const char *proposal, int seq,
		       int (*fn)(const struct appt_ref *, void *), void *arg, struct diag *d)
{
	/* the whole group, as accept decides it (store_decide: partners of
	 * partners too), not only the change's own partners */
	static const char sql[] =
		"WITH RECURSIVE grp(proposal_id, seq) AS (SELECT ?1, ?2 UNION"
		" SELECT c.proposal_id, c.seq FROM grp g" STORE_SQL_PARTNERS_OF("g") " UNION"
		" SELECT c.proposal_id, c.seq FROM grp g" STORE_SQL_PARTNERS_BACK("g") ")"
		" SELECT c.practitioner, c.uid, c.rid, c.start_utc, c.end_utc FROM grp"
		" JOIN changes c ON c.proposal_id = ?1 AND c.seq = grp.seq WHERE grp.seq != ?2 ORDER BY grp.seq";
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, proposal, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, seq);
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct appt_ref a = {
			(const char *)sqlite3_column_text(q, 0), (const char *)sqlite3_column_text(q, 1),
			(const char *)sqlite3_column_text(q, 2), sqlite3_column_int64(q, 3),
			sqlite3_column_int64(q, 4),
		};
		if (fn(&a, arg))
			break;
	}
	int ok = r == SQLITE_ROW || r == SQLITE_DONE;
	sqlite3_finalize(q);
	return ok ? 0 : store_sql_error(s, d);
}
