/* batch.c: batch runs in the store: each person whole or not at all. */
#include "store_impl.h"

#include <stdio.h>
#include <string.h>

static int exec1(struct store *s, const char *sql, const char *a, const char *b, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	if (a)
		sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_sql_error(s, d);
}

int store_batch_begin(struct store *s, const char *run, const char *caseload_sha, size_t persons,
		      int64_t now, int fresh, struct diag *d)
{
	if (store_tx_begin(s, d) < 0)
		return -1;
	int ok = !fresh || exec1(s, "DELETE FROM batch_runs WHERE run = ?1", run, NULL, d) == 0;
	sqlite3_stmt *q = NULL;
	if (ok && sqlite3_prepare_v2(s->db,
				     "INSERT OR IGNORE INTO batch_runs (run, caseload_sha256, persons, started_at)"
				     " VALUES (?1, ?2, ?3, ?4)", -1, &q, NULL) != SQLITE_OK)
		ok = store_sql_error(s, d) == 0;
	if (ok) {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, caseload_sha, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)persons);
		sqlite3_bind_int64(q, 4, now);
		ok = sqlite3_step(q) == SQLITE_DONE || store_sql_error(s, d) == 0;
	}
	sqlite3_finalize(q);
	/* bookings have no key of their own: drop the orphans of a fresh run */
	if (ok && fresh)
		ok = exec1(s, "DELETE FROM batch_bookings WHERE run = ?1", run, NULL, d) == 0;
	return store_tx_end(s, ok, d);
}

static int put_bookings(struct store *s, const char *run, const char *person, int final,
			const struct store_booking *b, size_t n, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "DELETE FROM batch_bookings WHERE run = ?1 AND person = ?2 AND final = ?3",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, person, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, final);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, d);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO batch_bookings (run, person, final, practitioner, start_utc, end_utc)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, person, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 3, final);
		sqlite3_bind_text(q, 4, b[i].practitioner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 5, b[i].start);
		sqlite3_bind_int64(q, 6, b[i].end);
		if (sqlite3_step(q) != SQLITE_DONE) {
			sqlite3_finalize(q);
			return store_sql_error(s, d);
		}
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return 0;
}

int store_batch_save(struct store *s, const char *run, const struct store_batch_row *r,
		     const struct store_booking *b, size_t n, struct diag *d)
{
	if (store_tx_begin(s, d) < 0)
		return -1;
	sqlite3_stmt *q;
	int ok = sqlite3_prepare_v2(s->db,
				    "INSERT OR REPLACE INTO batch_persons (run, person, digest, status, result, metrics,"
				    " report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				    -1, &q, NULL) == SQLITE_OK;
	if (!ok) {
		store_sql_error(s, d);
	} else {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, r->person, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, r->digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, r->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, r->result, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, r->metrics, -1, SQLITE_STATIC);
		if (r->report)
			sqlite3_bind_text(q, 7, r->report, -1, SQLITE_STATIC);
		ok = sqlite3_step(q) == SQLITE_DONE || store_sql_error(s, d) == 0;
		sqlite3_finalize(q);
	}
	ok = ok && put_bookings(s, run, r->person, 0, b, n, d) == 0 &&
	     put_bookings(s, run, r->person, 1, NULL, 0, d) == 0;
	return store_tx_end(s, ok, d);
}

int store_batch_save_final(struct store *s, const char *run, const char *person, const char *basis,
			   const char *status, const char *result, const char *metrics,
			   const char *report, const struct store_booking *b, size_t n,
			   struct diag *d)
{
	if (store_tx_begin(s, d) < 0)
		return -1;
	sqlite3_stmt *q;
	int ok = sqlite3_prepare_v2(s->db,
				    "UPDATE batch_persons SET final_basis = ?3, final_status = ?4, final_result = ?5,"
				    " final_metrics = ?6, final_report = ?7 WHERE run = ?1 AND person = ?2", -1, &q,
				    NULL) == SQLITE_OK;
	if (!ok) {
		store_sql_error(s, d);
	} else {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, person, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, basis, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 5, result, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, metrics, -1, SQLITE_STATIC);
		if (report)
			sqlite3_bind_text(q, 7, report, -1, SQLITE_STATIC);
		ok = sqlite3_step(q) == SQLITE_DONE || store_sql_error(s, d) == 0;
		sqlite3_finalize(q);
	}
	ok = ok && put_bookings(s, run, person, 1, b, n, d) == 0;
	return store_tx_end(s, ok, d);
}

int store_batch_each(struct store *s, const char *run, const char *person,
		     int (*fn)(const struct store_batch_row *, void *), void *arg, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT person, digest, status, result, metrics, final_basis, final_status,"
			       " final_result, final_metrics"
			       " FROM batch_persons WHERE run = ?1 AND (?2 IS NULL OR person = ?2) ORDER BY person",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	if (person)
		sqlite3_bind_text(q, 2, person, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_batch_row r;
		const char **f[] = { &r.person, &r.digest, &r.status, &r.result, &r.metrics,
				     &r.final_basis, &r.final_status, &r.final_result, &r.final_metrics };
		for (int i = 0; i < 9; i++)
			*f[i] = (const char *)sqlite3_column_text(q, i);
		if (fn(&r, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

int store_batch_bookings(struct store *s, const char *run, const char *person, int final,
			 int (*fn)(const struct store_booking *, void *), void *arg, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT practitioner, start_utc, end_utc FROM batch_bookings"
			       " WHERE run = ?1 AND person = ?2 AND final = ?3"
			       " ORDER BY practitioner, start_utc, end_utc", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, person, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, final);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_booking b = { (const char *)sqlite3_column_text(q, 0),
					   sqlite3_column_int64(q, 1), sqlite3_column_int64(q, 2) };
		if (fn(&b, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

int store_batch_report(struct store *s, const char *run, const char *person, char **html,
		       struct diag *d)
{
	*html = NULL;
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT coalesce(final_report, report) FROM batch_persons"
			       " WHERE run = ?1 AND person = ?2",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, person, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q), oom = 0;
	if (rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		oom = !(*html = strdup((const char *)sqlite3_column_text(q, 0)));
	sqlite3_finalize(q);
	if (oom) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

int store_batch_merge(struct store *s, const char *run, const char *path, size_t *n,
		      struct diag *d)
{
	*n = 0;
	/* a shard store is checked as the main store is: a regular file of this
	 * user's that group and others cannot use, and so are its -wal, -shm */
	int exists;
	if (store_check_file(path, &exists, d) < 0)
		return -1;
	if (!exists) {
		diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, "no such file");
		return -1;
	}
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "ATTACH DATABASE ?1 AS shard", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, d);
	int ok = store_tx_begin(s, d) == 0;
	int began = ok;
	/* a person both stores hold is an error, named */
	if (ok && sqlite3_prepare_v2(s->db,
				     "SELECT a.person FROM shard.batch_persons a JOIN batch_persons b"
				     " ON b.run = a.run AND b.person = a.person WHERE a.run = ?1 ORDER BY a.person LIMIT 1",
				     -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW) {
			diag_add(d, D_BATCH_TWICE, path, 0, 0, (const char *)sqlite3_column_text(q, 0));
			ok = 0;
		}
		sqlite3_finalize(q);
	} else if (ok) {
		ok = store_sql_error(s, d) == 0;
	}
	ok = ok && exec1(s, "INSERT INTO batch_persons (run, person, digest, status, result, metrics, report)"
			    " SELECT run, person, digest, status, result, metrics, report FROM shard.batch_persons"
			    " WHERE run = ?1",
			 run, NULL, d) == 0;
	if (ok)
		*n = (size_t)sqlite3_changes(s->db);
	ok = ok && exec1(s, "INSERT INTO batch_bookings (run, person, final, practitioner, start_utc, end_utc)"
			    " SELECT run, person, 0, practitioner, start_utc, end_utc FROM shard.batch_bookings"
			    " WHERE run = ?1 AND final = 0", run, NULL, d) == 0;
	if (began)
		store_tx_end(s, ok, d);
	sqlite3_exec(s->db, "DETACH DATABASE shard", NULL, NULL, NULL);
	return ok ? 0 : -1;
}
