/* sent.c: what `send` mailed to whom and when: recorded per accepted message, read to skip and thread. */
#include "store_impl.h"
#include "dovetail/xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_ADD[] =
	"INSERT INTO sent (person, message_id, digest, recipient, practitioner, method, uid, rid,"
	" sequence, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_HAS[] =
	"SELECT 1 FROM sent WHERE person = ?1 AND digest = ?2 AND recipient = ?3 LIMIT 1";
/* the first message about the appointment, then the latest ?5 - 1 */
static const char SQL_THREAD[] =
	"SELECT id, message_id FROM (SELECT id, message_id FROM sent"
	"  WHERE person = ?1 AND practitioner = ?2 AND uid = ?3 AND rid = ?4 ORDER BY id LIMIT 1)"
	" UNION SELECT id, message_id FROM (SELECT id, message_id FROM sent"
	"  WHERE person = ?1 AND practitioner = ?2 AND uid = ?3 AND rid = ?4 ORDER BY id DESC LIMIT ?5 - 1)"
	" ORDER BY id";

int store_sent_add(struct store *s, const struct store_sent *rows, size_t n, struct diag *d)
{
	sqlite3_stmt *q = NULL;
	if (store_tx_begin(s, d) < 0)
		return -1;
	int ok = sqlite3_prepare_v2(s->db, SQL_ADD, -1, &q, NULL) == SQLITE_OK;
	for (size_t i = 0; ok && i < n; i++) {
		const struct store_sent *r = &rows[i];
		assert(r->person && r->message_id && r->digest && r->recipient && r->practitioner &&
		       r->method && r->uid && r->rid);
		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, r->person, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, r->message_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, r->digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, r->recipient, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, r->practitioner, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, r->method, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 7, r->uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 8, r->rid, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 9, r->sequence);
		sqlite3_bind_int64(q, 10, r->sent_at);
		ok = sqlite3_step(q) == SQLITE_DONE;
	}
	if (!ok)
		store_sql_error(s, d);
	sqlite3_finalize(q);
	int r = store_tx_end(s, ok, d);
	return ok && r == 0 ? 0 : -1;
}

int store_sent_has(struct store *s, const char *person, const char *digest, const char *recipient,
		   struct diag *d)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, SQL_HAS, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, recipient, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	int r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
	sqlite3_finalize(q);
	return r;
}

void store_sent_refs_release(struct store_sent_refs *r)
{
	for (size_t i = 0; r && i < r->n; i++)
		free(r->v[i].message_id);
	if (r) {
		free(r->v);
		r->v = NULL;
		r->n = 0;
	}
}

int store_sent_thread(struct store *s, const char *person, const char *practitioner, const char *uid,
		      const char *rid, size_t max, struct store_sent_refs *out, struct diag *d)
{
	assert(max >= 2);
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, SQL_THREAD, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, practitioner, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, rid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, (sqlite3_int64)max);
	int rc, r = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 1);
		if (!id)
			continue;
		out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
		out->v[out->n].row = sqlite3_column_int64(q, 0);
		out->v[out->n++].message_id = xstrdup(id);
	}
	if (!r && rc != SQLITE_DONE)
		r = store_sql_error(s, d);
	sqlite3_finalize(q);
	return r;
}

/* the highest SEQUENCE sent about an appointment, and the kind of its
 * practitioner's last answer at that SEQUENCE or later */
static const char SQL_STANDING[] =
	"SELECT coalesce((SELECT max(sequence) FROM sent WHERE person = ?1 AND practitioner = ?2"
	"   AND uid = ?3 AND rid = ?4), 0),"
	" (SELECT kind FROM replies WHERE person = ?1 AND practitioner = ?2 AND uid = ?3 AND rid = ?4"
	"   AND sequence >= (SELECT coalesce(max(sequence), 0) FROM sent WHERE person = ?1"
	"     AND practitioner = ?2 AND uid = ?3 AND rid = ?4)"
	"   ORDER BY id DESC LIMIT 1)";

int store_sent_standing(struct store *s, const char *person, const char *practitioner, const char *uid,
			const char *rid, int *seq, int *declined, struct diag *d)
{
	*seq = *declined = 0;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, SQL_STANDING, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, practitioner, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, rid, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int(q, 0);
		const char *k = (const char *)sqlite3_column_text(q, 1);
		*declined = k && (!strcmp(k, "declined") || !strcmp(k, "declinecounter"));
	}
	int r = rc == SQLITE_ROW ? 0 : store_sql_error(s, d);
	sqlite3_finalize(q);
	return r;
}
