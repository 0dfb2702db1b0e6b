/* batch.c: batch runs in the store: each person whole or not at all. */
#include "store_impl.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Bind a and b (when not NULL) to ?1 and ?2 of q, step it once; the
 * step's result. */
static int step2(sqlite3_stmt *q, const char *a, const char *b)
{
	if (a)
		sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
	return sqlite3_step(q);
}

static int exec1(struct store *s, const char *sql, const char *a, const char *b, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	int rc = step2(q, a, b);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_sql_error(s, d);
}

/* exec1 through the store's statement cache (sql: a string constant), for
 * the statements of every person's transaction. */
static int exec_cached(struct store *s, const char *sql, const char *a, const char *b, struct diag *d)
{
	sqlite3_stmt *q = store_stmt(s, sql, d);
	if (!q)
		return -1;
	int rc = step2(q, a, b);
	store_stmt_done(s, q);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_sql_error(s, d);
}

int store_batch_begin(struct store *s, const char *run, const char *caseload_sha, size_t persons,
		      int64_t now, int fresh, struct diag *d)
{
	if (store_hold(s, STORE_HOLD_RUN, d) < 0 || store_tx_begin(s, d) < 0)
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
	/* plans and bookings are dropped with their person (cascades); these
	 * catch any a foreign-key-less store left */
	if (ok && fresh)
		ok = exec1(s, "DELETE FROM batch_bookings WHERE run = ?1", run, NULL, d) == 0 &&
		     exec1(s, "DELETE FROM batch_columns WHERE run = ?1", run, NULL, d) == 0;
	/* the runs before the newest STORE_BATCH_RUNS (in the order they were
	 * begun afresh: this one was just inserted, so it is the newest) */
#define OLD_RUNS "(SELECT run FROM batch_runs ORDER BY rowid DESC LIMIT -1 OFFSET " DV_STR(STORE_BATCH_RUNS) ")"
	if (ok && fresh)
		ok = exec1(s, "DELETE FROM batch_bookings WHERE run IN " OLD_RUNS, NULL, NULL, d) == 0 &&
		     exec1(s, "DELETE FROM batch_columns WHERE run IN " OLD_RUNS, NULL, NULL, d) == 0 &&
		     exec1(s, "DELETE FROM batch_persons WHERE run IN " OLD_RUNS, NULL, NULL, d) == 0 &&
		     exec1(s, "DELETE FROM batch_runs WHERE run IN " OLD_RUNS, NULL, NULL, d) == 0;
#undef OLD_RUNS
	return store_tx_end(s, ok, d);
}

static void bind_figures(sqlite3_stmt *q, int at, const struct store_batch_figures *f)
{
	sqlite3_bind_int(q, at, f->journeys);
	sqlite3_bind_int(q, at + 1, f->travel_min);
	sqlite3_bind_double(q, at + 2, f->travel_money);
	sqlite3_bind_int(q, at + 3, f->clashes);
	sqlite3_bind_int(q, at + 4, f->routine_conflicts);
	sqlite3_bind_double(q, at + 5, f->peak_energy);
	sqlite3_bind_int(q, at + 6, f->unfamiliar);
}

static void read_figures(sqlite3_stmt *q, int at, struct store_batch_figures *f)
{
	f->journeys = sqlite3_column_int(q, at);
	f->travel_min = sqlite3_column_int(q, at + 1);
	f->travel_money = sqlite3_column_double(q, at + 2);
	f->clashes = sqlite3_column_int(q, at + 3);
	f->routine_conflicts = sqlite3_column_int(q, at + 4);
	f->peak_energy = sqlite3_column_double(q, at + 5);
	f->unfamiliar = sqlite3_column_int(q, at + 6);
}

#define FIGURES "journeys, travel_min, travel_money, clashes, routine_conflicts, peak_energy, unfamiliar"
#define COLUMN_FIELDS "person, n, origin, basis, round, impossible, compromise, cost, proven, " FIGURES ", changes, appointments"

static int put_column(struct store *s, const char *run, const struct store_batch_column *c,
		      const struct store_batch_booking *b, size_t n, struct diag *d)
{
	sqlite3_stmt *q = store_stmt(s,
				     "INSERT INTO batch_columns (run, " COLUMN_FIELDS ", result, plan)"
				     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
				     d);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, c->person, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, c->n);
	sqlite3_bind_text(q, 4, c->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, c->basis ? c->basis : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 6, c->round);
	sqlite3_bind_int(q, 7, c->impossible);
	sqlite3_bind_double(q, 8, c->compromise);
	sqlite3_bind_double(q, 9, c->cost);
	sqlite3_bind_int(q, 10, c->proven);
	bind_figures(q, 11, &c->after);
	sqlite3_bind_int(q, 18, c->changes);
	sqlite3_bind_int(q, 19, c->appointments);
	sqlite3_bind_text(q, 20, c->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 21, c->plan ? c->plan : "", -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return store_sql_error(s, d);
	q = store_stmt(s,
		       "INSERT INTO batch_bookings (run, person, n, lane, start_utc, end_utc, fixed)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", d);
	if (!q)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, c->person, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 3, c->n);
		sqlite3_bind_text(q, 4, b[i].lane, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 5, b[i].start);
		sqlite3_bind_int64(q, 6, b[i].end);
		sqlite3_bind_int(q, 7, !!b[i].fixed);
		rc = sqlite3_step(q);
		sqlite3_reset(q);
		if (rc != SQLITE_DONE)
			return store_sql_error(s, d);
	}
	return 0;
}

int store_batch_save_person(struct store *s, const char *run, const struct store_batch_person *p,
			    const struct store_batch_column *cols, size_t n_cols,
			    const struct store_batch_booking *const *book, const size_t *n_book,
			    struct diag *d)
{
	if (store_tx_begin(s, d) < 0)
		return -1;
	int ok = exec_cached(s, "DELETE FROM batch_bookings WHERE run = ?1 AND person = ?2", run, p->person, d) == 0 &&
		 exec_cached(s, "DELETE FROM batch_columns WHERE run = ?1 AND person = ?2", run, p->person, d) == 0;
	sqlite3_stmt *q = NULL;
	if (ok && !(q = store_stmt(s,
				   "INSERT OR REPLACE INTO batch_persons (run, person, digest, status, error, " FIGURES
				   ", chosen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL)", d)))
		ok = 0;
	if (ok) {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, p->person, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, p->digest, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, p->status, -1, SQLITE_STATIC);
		if (p->error)
			sqlite3_bind_text(q, 5, p->error, -1, SQLITE_STATIC);
		bind_figures(q, 6, &p->before);
		ok = sqlite3_step(q) == SQLITE_DONE || store_sql_error(s, d) == 0;
		sqlite3_reset(q);
	}
	for (size_t i = 0; ok && i < n_cols; i++)
		ok = put_column(s, run, &cols[i], book[i], n_book[i], d) == 0;
	return store_tx_end(s, ok, d);
}

int store_batch_drop_priced(struct store *s, const char *run, struct diag *d)
{
	if (store_tx_begin(s, d) < 0)
		return -1;
	int ok = exec1(s,
		       "DELETE FROM batch_bookings WHERE run = ?1 AND EXISTS (SELECT 1 FROM batch_columns c"
		       " WHERE c.run = ?1 AND c.person = batch_bookings.person AND c.n = batch_bookings.n"
		       " AND c.origin = 'priced')", run, NULL, d) == 0 &&
		 exec1(s, "DELETE FROM batch_columns WHERE run = ?1 AND origin = 'priced'", run, NULL, d) == 0 &&
		 exec1(s, "UPDATE batch_persons SET chosen = NULL WHERE run = ?1", run, NULL, d) == 0;
	return store_tx_end(s, ok, d);
}

int store_batch_save_column(struct store *s, const char *run, const struct store_batch_column *c,
			    const struct store_batch_booking *book, size_t n_book, struct diag *d)
{
	if (store_tx_begin(s, d) < 0)
		return -1;
	int ok = put_column(s, run, c, book, n_book, d) == 0;
	return store_tx_end(s, ok, d);
}

int store_batch_save_choice(struct store *s, const char *run, const char *const *persons, const int *chosen,
			    size_t n, struct diag *d)
{
	if (store_tx_begin(s, d) < 0)
		return -1;
	sqlite3_stmt *q = store_stmt(s, "UPDATE batch_persons SET chosen = ?3 WHERE run = ?1 AND person = ?2", d);
	int ok = q != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, persons[i], -1, SQLITE_STATIC);
		if (chosen[i] >= 0)
			sqlite3_bind_int(q, 3, chosen[i]);
		else
			sqlite3_bind_null(q, 3);
		ok = sqlite3_step(q) == SQLITE_DONE || store_sql_error(s, d) == 0;
		sqlite3_reset(q);
	}
	return store_tx_end(s, ok, d);
}

static void read_person(sqlite3_stmt *q, int at, struct store_batch_person *p)
{
	p->person = (const char *)sqlite3_column_text(q, at);
	p->digest = (const char *)sqlite3_column_text(q, at + 1);
	p->status = (const char *)sqlite3_column_text(q, at + 2);
	p->error = (const char *)sqlite3_column_text(q, at + 3);
	read_figures(q, at + 4, &p->before);
	p->chosen = sqlite3_column_type(q, at + 11) == SQLITE_NULL ? -1 : sqlite3_column_int(q, at + 11);
}

static void read_column(sqlite3_stmt *q, int at, int text, struct store_batch_column *c)
{
	c->person = (const char *)sqlite3_column_text(q, at);
	c->n = sqlite3_column_int(q, at + 1);
	c->origin = (const char *)sqlite3_column_text(q, at + 2);
	c->basis = (const char *)sqlite3_column_text(q, at + 3);
	c->round = sqlite3_column_int(q, at + 4);
	c->impossible = sqlite3_column_int(q, at + 5);
	c->compromise = sqlite3_column_double(q, at + 6);
	c->cost = sqlite3_column_double(q, at + 7);
	c->proven = sqlite3_column_int(q, at + 8);
	read_figures(q, at + 9, &c->after);
	c->changes = sqlite3_column_int(q, at + 16);
	c->appointments = sqlite3_column_int(q, at + 17);
	c->result = text ? (const char *)sqlite3_column_text(q, at + 18) : NULL;
	c->plan = text ? (const char *)sqlite3_column_text(q, at + 19) : NULL;
}

#define PERSON_FIELDS "person, digest, status, error, " FIGURES ", chosen"

int store_batch_each(struct store *s, const char *run, const char *person,
		     int (*fn)(const struct store_batch_person *, void *), void *arg, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT " PERSON_FIELDS
			       " FROM batch_persons WHERE run = ?1 AND (?2 IS NULL OR person = ?2) ORDER BY person",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	if (person)
		sqlite3_bind_text(q, 2, person, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_batch_person r;
		read_person(q, 0, &r);
		if (fn(&r, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

int store_batch_columns(struct store *s, const char *run, int text,
			int (*fn)(const struct store_batch_column *, void *), void *arg, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       text ? "SELECT " COLUMN_FIELDS ", result, plan FROM batch_columns WHERE run = ?1 ORDER BY person, n"
				    : "SELECT " COLUMN_FIELDS " FROM batch_columns WHERE run = ?1 ORDER BY person, n",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_batch_column c;
		read_column(q, 0, text, &c);
		if (fn(&c, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

int store_batch_bookings(struct store *s, const char *run,
			 int (*fn)(const char *person, int n, const struct store_batch_booking *, void *), void *arg,
			 struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT person, n, lane, start_utc, end_utc, fixed FROM batch_bookings WHERE run = ?1"
			       " ORDER BY person, n, lane, start_utc, end_utc, fixed", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_batch_booking b = { (const char *)sqlite3_column_text(q, 2), sqlite3_column_int64(q, 3),
						 sqlite3_column_int64(q, 4), sqlite3_column_int(q, 5) };
		if (fn((const char *)sqlite3_column_text(q, 0), sqlite3_column_int(q, 1), &b, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
}

int store_batch_finals(struct store *s, const char *run,
		       int (*fn)(const struct store_batch_person *, const struct store_batch_column *chosen,
				 const struct store_batch_column *alone, void *),
		       void *arg, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT p.person, p.digest, p.status, p.error, p.journeys, p.travel_min, p.travel_money,"
			       " p.clashes, p.routine_conflicts, p.peak_energy, p.unfamiliar, p.chosen,"
			       " c.person, c.n, c.origin, c.basis, c.round, c.impossible, c.compromise, c.cost, c.proven,"
			       " c.journeys, c.travel_min, c.travel_money, c.clashes, c.routine_conflicts,"
			       " c.peak_energy, c.unfamiliar, c.changes, c.appointments, c.result, c.plan,"
			       " o.person, o.n, o.origin, o.basis, o.round, o.impossible, o.compromise, o.cost, o.proven,"
			       " o.journeys, o.travel_min, o.travel_money, o.clashes, o.routine_conflicts,"
			       " o.peak_energy, o.unfamiliar, o.changes, o.appointments"
			       " FROM batch_persons p LEFT JOIN batch_columns c"
			       " ON c.run = p.run AND c.person = p.person AND c.n = p.chosen"
			       " LEFT JOIN batch_columns o ON o.run = p.run AND o.person = p.person AND o.n ="
			       " (SELECT MIN(n) FROM batch_columns a WHERE a.run = p.run AND a.person = p.person"
			       " AND a.origin = 'alone')"
			       " WHERE p.run = ?1 ORDER BY p.person", -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_batch_person p;
		struct store_batch_column c, o;
		read_person(q, 0, &p);
		read_column(q, 12, 1, &c);
		read_column(q, 32, 0, &o);
		int has = sqlite3_column_type(q, 12) != SQLITE_NULL, alone = sqlite3_column_type(q, 32) != SQLITE_NULL;
		if (fn(&p, has ? &c : NULL, alone ? &o : NULL, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
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
	if (rc != SQLITE_DONE) {
		diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, sqlite3_errmsg(s->db));
		return -1;
	}
	/* a file that is not a store may only show when it is read: named */
	if (sqlite3_exec(s->db, "SELECT count(*) FROM shard.sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, sqlite3_errmsg(s->db));
		sqlite3_exec(s->db, "DETACH DATABASE shard", NULL, NULL, NULL);
		return -1;
	}
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
	ok = ok && exec1(s, "INSERT INTO batch_persons (run, " PERSON_FIELDS ")"
			    " SELECT run, person, digest, status, error, " FIGURES ", NULL FROM shard.batch_persons"
			    " WHERE run = ?1",
			 run, NULL, d) == 0;
	if (ok)
		*n = (size_t)sqlite3_changes(s->db);
	ok = ok && exec1(s, "INSERT INTO batch_columns (run, " COLUMN_FIELDS ", result, plan)"
			    " SELECT run, " COLUMN_FIELDS ", result, plan FROM shard.batch_columns WHERE run = ?1",
			 run, NULL, d) == 0;
	ok = ok && exec1(s, "INSERT INTO batch_bookings (run, person, n, lane, start_utc, end_utc, fixed)"
			    " SELECT run, person, n, lane, start_utc, end_utc, fixed FROM shard.batch_bookings"
			    " WHERE run = ?1", run, NULL, d) == 0;
	/* none of this run, but another's: the shard was run with another
	 * caseload, --now, --time-limit or --cap */
	if (ok && *n == 0 &&
	    sqlite3_prepare_v2(s->db, "SELECT run FROM shard.batch_persons WHERE run != ?1 ORDER BY run LIMIT 1", -1,
			       &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, run, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW) {
			diag_add(d, D_BATCH_OTHER_RUN, path, 0, 0, (const char *)sqlite3_column_text(q, 0), run);
			ok = 0;
		}
		sqlite3_finalize(q);
	}
	if (began)
		store_tx_end(s, ok, d);
	sqlite3_exec(s->db, "DETACH DATABASE shard", NULL, NULL, NULL);
	return ok ? 0 : -1;
}

int store_batch_shards_apart(struct store *s, char *const *paths, size_t n, struct diag *d)
{
	const char *own = sqlite3_db_filename(s->db, "main");
	struct stat a, b;
	if (!own || !*own || stat(own, &a) < 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (stat(paths[i], &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			diag_add(d, D_BATCH_SHARD_SELF, paths[i], 0, 0);
			return -1;
		}
	return 0;
}
