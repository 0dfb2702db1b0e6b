/* status.c: each agreed change and where it stands with its practitioner: decided, sent, answered. */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The accept in force on each appointment (its last accept or keep is an
 * accept), with the last message sent and the last answer about it. */
static const char SQL_STATUS[] =
	"SELECT d.practitioner, d.uid, d.rid, d.start_utc, d.end_utc, d.to_date, d.to_minute, d.to_venue,"
	" d.proposal_id, d.seq, d.who, d.decided_at,"
	" s.sent_at, s.method, s.sequence,"
	" r.kind, r.received_at, r.sequence, r.suggested_start, r.suggested_end"
	" FROM decisions d"
	" LEFT JOIN sent s ON s.id = (SELECT max(x.id) FROM sent x WHERE x.person = d.person"
	"   AND x.practitioner = d.practitioner AND x.uid = d.uid AND x.rid = d.rid)"
	" LEFT JOIN replies r ON r.id = (SELECT max(y.id) FROM replies y WHERE y.person = d.person"
	"   AND y.practitioner = d.practitioner AND y.uid = d.uid AND y.rid = d.rid)"
	" WHERE d.person = ?1 AND d.verdict = 'accept' AND d.id = (SELECT max(e.id) FROM decisions e"
	"   WHERE e.person = d.person AND e.practitioner = d.practitioner AND e.uid = d.uid"
	"   AND e.rid = d.rid AND e.start_utc = d.start_utc AND (e.verdict = 'accept' OR e.keep = 1))"
	" ORDER BY d.to_date, d.to_minute, d.practitioner, d.uid, d.rid";

int store_each_status(struct store *s, const char *person,
		      int (*fn)(const struct store_status_row *, void *), void *arg, struct diag *d)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, SQL_STATUS, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_status_row x;
		memset(&x, 0, sizeof x);
		store_col_appt(q, 0, &x.appt);
		if (store_col_place(q, 5, &x.to) < 0) {
			sqlite3_finalize(q);
			diag_add(d, D_STORE_SQL, NULL, 0, 0, "a decision with a bad date");
			return -1;
		}
		x.proposal = (const char *)sqlite3_column_text(q, 8);
		x.seq = sqlite3_column_int(q, 9);
		x.who = (const char *)sqlite3_column_text(q, 10);
		x.decided_at = sqlite3_column_int64(q, 11);
		x.sent = sqlite3_column_type(q, 12) != SQLITE_NULL;
		x.sent_at = sqlite3_column_int64(q, 12);
		x.method = (const char *)sqlite3_column_text(q, 13);
		x.sent_sequence = sqlite3_column_int(q, 14);
		x.answer = (const char *)sqlite3_column_text(q, 15);
		x.answered_at = sqlite3_column_int64(q, 16);
		x.answer_sequence = sqlite3_column_int(q, 17);
		x.suggested_start = sqlite3_column_int64(q, 18);
		x.suggested_end = sqlite3_column_int64(q, 19);
		if (fn(&x, arg))
			break;
	}
	int ok = r == SQLITE_ROW || r == SQLITE_DONE;
	sqlite3_finalize(q);
	return ok ? 0 : store_sql_error(s, d);
}
