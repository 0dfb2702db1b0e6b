/* store.c: open the SQLite file safely and migrate its schema by PRAGMA user_version. */
#define _GNU_SOURCE   /* F_OFD_SETLK: store_hold */
#include "store_impl.h"
#include "dovetail/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Each step moves the schema from version i to i + 1. Never edit a step
 * that has shipped; add one. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE feed ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL UNIQUE,"
	"  practitioner TEXT,"
	"  content_sha256 TEXT NOT NULL,"
	"  win_from INTEGER NOT NULL,"
	"  win_to INTEGER NOT NULL,"
	"  zone TEXT NOT NULL,"
	"  imported_at INTEGER NOT NULL"
	");"
	"CREATE TABLE event ("
	"  id INTEGER PRIMARY KEY,"
	"  feed_id INTEGER NOT NULL REFERENCES feed(id) ON DELETE CASCADE,"
	"  uid TEXT NOT NULL,"
	"  rid TEXT NOT NULL DEFAULT '',"
	"  kind TEXT NOT NULL CHECK (kind IN ('event', 'freebusy')),"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT,"
	"  transparent INTEGER NOT NULL DEFAULT 0,"
	"  tzid TEXT,"
	"  summary TEXT,"
	"  location TEXT,"
	"  categories TEXT,"
	"  attendees TEXT,"
	"  organizer TEXT,"
	"  content_sha256 TEXT NOT NULL,"
	"  raw TEXT NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  UNIQUE (feed_id, uid, rid)"
	");"
	"CREATE TABLE occurrence ("
	"  id INTEGER PRIMARY KEY,"
	"  event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE,"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  all_day INTEGER NOT NULL,"
	"  rid TEXT NOT NULL DEFAULT '',"
	"  busy INTEGER NOT NULL,"
	"  tentative INTEGER NOT NULL"
	");"
	"CREATE INDEX occurrence_event ON occurrence(event_id);"
	"CREATE INDEX occurrence_start ON occurrence(start_utc);",
	/* 1 -> 2: DESCRIPTION, for profile match rules. Clearing the hashes
	 * makes the next import of each feed rewrite its events. */
	"ALTER TABLE event ADD COLUMN description TEXT;"
	"UPDATE event SET content_sha256 = '';"
	"UPDATE feed SET content_sha256 = '';",
	/* 2 -> 3: the proposals propose printed, and their changes
	 * (proposals.c; docs/propose.md, "Stored proposals"). Dates are
	 * local YYYY-MM-DD, minutes local from midnight, times UTC seconds. */
	"CREATE TABLE proposals ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  person TEXT NOT NULL,"
	"  horizon_from TEXT NOT NULL,"
	"  horizon_to TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('ranked', 'ladder')),"
	"  rank INTEGER NOT NULL,"
	"  ladder INTEGER,"
	"  objective REAL NOT NULL,"
	"  proven INTEGER NOT NULL,"
	"  gap REAL NOT NULL,"
	"  capped INTEGER NOT NULL,"
	"  unplaced INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  before_journeys INTEGER NOT NULL,"
	"  before_travel_minutes INTEGER NOT NULL,"
	"  before_travel_money REAL NOT NULL,"
	"  before_clashes INTEGER NOT NULL,"
	"  before_routine_conflicts INTEGER NOT NULL,"
	"  before_peak_energy REAL NOT NULL,"
	"  before_unfamiliar_max INTEGER NOT NULL,"
	"  before_appointments INTEGER NOT NULL,"
	"  after_journeys INTEGER NOT NULL,"
	"  after_travel_minutes INTEGER NOT NULL,"
	"  after_travel_money REAL NOT NULL,"
	"  after_clashes INTEGER NOT NULL,"
	"  after_routine_conflicts INTEGER NOT NULL,"
	"  after_peak_energy REAL NOT NULL,"
	"  after_unfamiliar_max INTEGER NOT NULL,"
	"  after_appointments INTEGER NOT NULL"
	");"
	"CREATE INDEX proposals_person ON proposals(person, horizon_from);"
	"CREATE TABLE changes ("
	"  proposal_id TEXT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),"
	"  practitioner TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  rid TEXT NOT NULL DEFAULT '',"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  from_date TEXT NOT NULL,"
	"  from_minute INTEGER NOT NULL,"
	"  from_venue TEXT,"
	"  to_date TEXT NOT NULL,"
	"  to_minute INTEGER NOT NULL,"
	"  to_venue TEXT,"
	"  is_move INTEGER NOT NULL,"
	"  is_venue INTEGER NOT NULL,"
	"  is_joint INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  PRIMARY KEY (proposal_id, seq)"
	");"
	"CREATE TABLE joint_partners ("
	"  proposal_id TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  n INTEGER NOT NULL CHECK (n >= 1),"
	"  practitioner TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  rid TEXT NOT NULL DEFAULT '',"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  PRIMARY KEY (proposal_id, seq, n),"
	"  FOREIGN KEY (proposal_id, seq) REFERENCES changes(proposal_id, seq) ON DELETE CASCADE"
	");",
	/* 3 -> 4: decisions on changes (who, when, a note). Each row is whole on
	 * its own (the appointment and where the change put it), so that it
	 * outlives the proposal; rows are never changed or deleted. */
	"CREATE TABLE decisions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  proposal_id TEXT NOT NULL,"
	"  seq INTEGER NOT NULL CHECK (seq >= 1),"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'reject')),"
	"  person TEXT NOT NULL,"
	"  practitioner TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  rid TEXT NOT NULL DEFAULT '',"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  to_date TEXT NOT NULL,"
	"  to_minute INTEGER NOT NULL,"
	"  to_venue TEXT,"
	"  who TEXT NOT NULL,"
	"  decided_at INTEGER NOT NULL,"
	"  note TEXT"
	");"
	"CREATE INDEX decisions_person ON decisions (person, id);"
	"CREATE TRIGGER decisions_never_deleted BEFORE DELETE ON decisions"
	" BEGIN SELECT RAISE(ABORT, 'decisions are never deleted'); END;"
	"CREATE TRIGGER decisions_never_changed BEFORE UPDATE ON decisions"
	" BEGIN SELECT RAISE(ABORT, 'decisions are never changed'); END;"
	/* which propose run last printed a proposal, and the last decision
	 * the store held then: a proposal is superseded by a later run for the
	 * person, or by a decision on another proposal since */
	"ALTER TABLE proposals ADD COLUMN run INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE proposals ADD COLUMN decisions_seen INTEGER NOT NULL DEFAULT 0;",
	/* 4 -> 5: batch runs over a caseload (docs/batch.md). A person's row is
	 * its done-marker: written with its bookings in one transaction. */
	"CREATE TABLE batch_runs ("
	"  run TEXT PRIMARY KEY NOT NULL,"
	"  caseload_sha256 TEXT NOT NULL,"
	"  persons INTEGER NOT NULL,"
	"  started_at INTEGER NOT NULL"
	");"
	"CREATE TABLE batch_persons ("
	"  run TEXT NOT NULL REFERENCES batch_runs(run) ON DELETE CASCADE,"
	"  person TEXT NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'error')),"
	"  result TEXT NOT NULL,"
	"  metrics TEXT NOT NULL,"
	"  final_basis TEXT,"
	"  final_status TEXT CHECK (final_status IN ('ok', 'partial', 'error')),"
	"  final_result TEXT,"
	"  final_metrics TEXT,"
	"  PRIMARY KEY (run, person)"
	");"
	"CREATE TABLE batch_bookings ("
	"  run TEXT NOT NULL,"
	"  person TEXT NOT NULL,"
	"  final INTEGER NOT NULL CHECK (final IN (0, 1)),"
	"  practitioner TEXT NOT NULL,"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  FOREIGN KEY (run, person) REFERENCES batch_persons(run, person) ON DELETE CASCADE"
	");"
	"CREATE INDEX batch_bookings_person ON batch_bookings (run, person, final);",
	/* 5 -> 6: HTTP validators of a feed fetched by URL (docs/feeds.md) */
	"ALTER TABLE feed ADD COLUMN etag TEXT; ALTER TABLE feed ADD COLUMN last_modified TEXT;",
	/* 6 -> 7: the appointments a proposal leaves unplaced, and why
	 * (report draws them; docs/propose.md, "Stored proposals") */
	"CREATE TABLE unplaced ("
	"  proposal_id TEXT NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,"
	"  n INTEGER NOT NULL CHECK (n >= 1),"
	"  practitioner TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  rid TEXT NOT NULL DEFAULT '',"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  PRIMARY KEY (proposal_id, n)"
	");",
	/* 7 -> 8: a batch person's HTML report (batch --report), solved alone
	 * and final, kept with its row so that a resumed or merged run
	 * writes the same pages */
	"ALTER TABLE batch_persons ADD COLUMN report TEXT; ALTER TABLE batch_persons ADD COLUMN final_report TEXT;",
	/* 8 -> 9: which reject (docs/decisions.md): keep 1, "don't move it"
	 * (reject --keep; what every reject meant before), or 0, "not this
	 * time" (that placement is never proposed again). 0 for an accept. */
	"ALTER TABLE decisions ADD COLUMN keep INTEGER NOT NULL DEFAULT 1 CHECK (keep IN (0, 1));",
	/* 9 -> 10: practitioners' iTIP answers (`dovetail replies`,
	 * docs/replies.md): one row per answered event of a message, with
	 * the accepted change it answers; never changed or deleted */
	"CREATE TABLE replies ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  digest TEXT NOT NULL,"
	"  person TEXT NOT NULL,"
	"  practitioner TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  rid TEXT NOT NULL DEFAULT '',"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  sequence INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('accepted', 'declined', 'tentative', 'counter', 'declinecounter')),"
	"  suggested_start INTEGER,"
	"  suggested_end INTEGER,"
	"  proposal_id TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  to_date TEXT NOT NULL,"
	"  to_minute INTEGER NOT NULL,"
	"  to_venue TEXT,"
	"  received_at INTEGER NOT NULL,"
	"  UNIQUE (digest, practitioner, uid, rid)"
	");"
	"CREATE INDEX replies_person ON replies (person, id);"
	"CREATE TRIGGER replies_never_deleted BEFORE DELETE ON replies"
	" BEGIN SELECT RAISE(ABORT, 'replies are never deleted'); END;"
	"CREATE TRIGGER replies_never_changed BEFORE UPDATE ON replies"
	" BEGIN SELECT RAISE(ABORT, 'replies are never changed'); END;",
	/* 10 -> 11: the calendar objects dovetail wrote into a CalDAV
	 * collection (export --calendar caldav+...; docs/export.md): the ETag
	 * the server gave, and the digest of what was written, so that a
	 * change made by someone else is not overwritten and an unchanged
	 * object is not written again. collection is the URL without
	 * credentials (a URL with them is refused). */
	"CREATE TABLE caldav_objects ("
	"  person TEXT NOT NULL,"
	"  collection TEXT NOT NULL,"
	"  uid TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  etag TEXT,"
	"  digest TEXT NOT NULL,"
	"  written_at INTEGER NOT NULL,"
	"  PRIMARY KEY (person, collection, uid)"
	");",
	/* 11 -> 12: what `send` mailed to whom and when (docs/send.md): one row
	 * per appointment (UID, RECURRENCE-ID) a message the server accepted
	 * was about, written once the server said 250, never changed */
	"CREATE TABLE sent ("
	"  id INTEGER PRIMARY KEY,"
	"  person TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  recipient TEXT NOT NULL,"
	"  practitioner TEXT NOT NULL,"
	"  method TEXT NOT NULL CHECK (method IN ('REQUEST', 'COUNTER')),"
	"  uid TEXT NOT NULL,"
	"  rid TEXT NOT NULL DEFAULT '',"
	"  sequence INTEGER NOT NULL,"
	"  sent_at INTEGER NOT NULL,"
	"  UNIQUE (message_id, uid, rid)"
	");"
	"CREATE INDEX sent_digest ON sent (person, digest, recipient);"
	"CREATE INDEX sent_thread ON sent (person, practitioner, uid, rid, id);"
	"CREATE TRIGGER sent_never_changed BEFORE UPDATE ON sent"
	" BEGIN SELECT RAISE(ABORT, 'what was sent is never changed'); END;",
	/* 12 -> 13: batch runs planned together (docs/batch.md, "The joint
	 * master"): each person's plans are columns, with their figures as
	 * columns of the table (not a string) and their bookings of shared
	 * practitioners and carers; the person's row names the plan chosen.
	 * A run's rows are derived from its inputs: a run stored by an
	 * earlier version is dropped and solved again when it is next run. */
	"DROP TABLE batch_bookings;"
	"DROP TABLE batch_persons;"
	"DELETE FROM batch_runs;"
	"CREATE TABLE batch_persons ("
	"  run TEXT NOT NULL REFERENCES batch_runs(run) ON DELETE CASCADE,"
	"  person TEXT NOT NULL,"
	"  digest TEXT NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('ok', 'error')),"
	"  error TEXT,"
	"  journeys INTEGER NOT NULL DEFAULT 0,"
	"  travel_min INTEGER NOT NULL DEFAULT 0,"
	"  travel_money REAL NOT NULL DEFAULT 0,"
	"  clashes INTEGER NOT NULL DEFAULT 0,"
	"  routine_conflicts INTEGER NOT NULL DEFAULT 0,"
	"  peak_energy REAL NOT NULL DEFAULT 0,"
	"  unfamiliar INTEGER NOT NULL DEFAULT 0,"
	"  chosen INTEGER,"
	"  PRIMARY KEY (run, person)"
	");"
	"CREATE TABLE batch_columns ("
	"  run TEXT NOT NULL,"
	"  person TEXT NOT NULL,"
	"  n INTEGER NOT NULL CHECK (n >= 0),"
	"  origin TEXT NOT NULL CHECK (origin IN ('alone', 'booked', 'priced')),"
	"  basis TEXT NOT NULL DEFAULT '',"
	"  round INTEGER NOT NULL DEFAULT 0 CHECK (round >= 0),"
	"  impossible INTEGER NOT NULL,"
	"  compromise REAL NOT NULL,"
	"  cost REAL NOT NULL,"
	"  proven INTEGER NOT NULL CHECK (proven IN (0, 1)),"
	"  journeys INTEGER NOT NULL,"
	"  travel_min INTEGER NOT NULL,"
	"  travel_money REAL NOT NULL,"
	"  clashes INTEGER NOT NULL,"
	"  routine_conflicts INTEGER NOT NULL,"
	"  peak_energy REAL NOT NULL,"
	"  unfamiliar INTEGER NOT NULL,"
	"  changes INTEGER NOT NULL,"
	"  appointments INTEGER NOT NULL,"
	"  result TEXT NOT NULL,"
	"  plan TEXT NOT NULL,"
	"  UNIQUE (run, person, n),"
	"  FOREIGN KEY (run, person) REFERENCES batch_persons(run, person) ON DELETE CASCADE"
	");"
	"CREATE TABLE batch_bookings ("
	"  run TEXT NOT NULL,"
	"  person TEXT NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  lane TEXT NOT NULL,"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL,"
	"  fixed INTEGER NOT NULL CHECK (fixed IN (0, 1)),"
	"  FOREIGN KEY (run, person, n) REFERENCES batch_columns(run, person, n) ON DELETE CASCADE"
	");"
	"CREATE INDEX batch_bookings_column ON batch_bookings (run, person, n);",
	/* 13 -> 14: the feeds a proposal's week was read from, as
	 * "FEED-ID:SHA256" entries (feed.id, store_feed_digest) separated by
	 * spaces: a decision on it is refused once one of them has changed
	 * (docs/decisions.md, "Superseded"); '' (proposals saved before) is
	 * not checked */
	"ALTER TABLE proposals ADD COLUMN feeds TEXT NOT NULL DEFAULT '';",
	/* 14 -> 15: the last instant a change may be accepted (UTC seconds):
	 * later, the appointment, or the time it moves to, is inside its
	 * practitioner's notice or past (docs/decisions.md); NULL (changes
	 * saved before) is not checked */
	"ALTER TABLE changes ADD COLUMN decide_by INTEGER;",
};
_Static_assert(sizeof migrations / sizeof *migrations == STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

const char *store_default_path(char *buf, size_t bufsz)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;
	if (xdg && *xdg == '/')
		n = snprintf(buf, bufsz, "%s/dovetail/dovetail.db", xdg);
	else if (home && *home)
		n = snprintf(buf, bufsz, "%s/.local/share/dovetail/dovetail.db", home);
	else
		return NULL;
	return n > 0 && (size_t)n < bufsz ? buf : NULL;
}

static int mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	char *slash = strrchr(tmp, '/');
	if (!slash || slash == tmp)
		return 0;
	*slash = 0;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Refuse a file that group or others can use; 0 also when it is absent. */
static int check_private(const char *path, const char *shown, struct diag *d, int *exists)
{
	struct stat st;
	*exists = 0;
	if (lstat(path, &st) < 0)
		return 0;
	*exists = 1;
	if (!S_ISREG(st.st_mode)) {
		diag_add(d, D_STORE_NOT_FILE, NULL, 0, 0, shown);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		/* root can read it, and would leave files the user cannot use */
		diag_add(d, D_STORE_OWNER, NULL, 0, 0, shown);
		return -1;
	}
	if (st.st_mode & 077) {
		char mode[8];
		snprintf(mode, sizeof mode, "%04o", (unsigned)(st.st_mode & 07777));
		diag_add(d, D_STORE_PERM, NULL, 0, 0, shown, st.st_mode & 044 ? "read" : "changed", mode);
		return -1;
	}
	return 0;
}

int store_check_file(const char *path, int *exists, struct diag *d)
{
	char side[4200];
	if (check_private(path, path, d, exists) < 0)
		return -1;
	static const char *const suffixes[] = { "-wal", "-shm", "-journal" };
	for (size_t i = 0; i < 3; i++) {
		int e;
		snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
		if (check_private(side, side, d, &e) < 0)
			return -1;
	}
	return 0;
}

int store_sql_error(struct store *s, struct diag *d)
{
	/* named by its file, as a failure to open it is (a full disk, say) */
	const char *file = sqlite3_db_filename(s->db, "main");
	diag_add(d, D_STORE_SQL, file && *file ? file : NULL, 0, 0, sqlite3_errmsg(s->db));
	return -1;
}

int store_tx_begin(struct store *s, struct diag *d)
{
	const char *sql = s->depth ? "SAVEPOINT dv" : "BEGIN IMMEDIATE";
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	s->depth++;
	return 0;
}

int store_tx_end(struct store *s, int ok, struct diag *d)
{
	assert(s->depth > 0);
	int inner = --s->depth > 0;   /* a savepoint in a group */
	if (ok && sqlite3_exec(s->db, inner ? "RELEASE dv" : "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	if (ok)
		store_sql_error(s, d);
	sqlite3_exec(s->db, inner ? "ROLLBACK TO dv; RELEASE dv" : "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int store_group_begin(struct store *s, struct diag *d)
{
	assert(s->depth == 0);
	return store_tx_begin(s, d);
}

int store_group_end(struct store *s, struct diag *d)
{
	assert(s->depth == 1);
	return store_tx_end(s, 1, d);
}

static int migrate(struct store *s, struct diag *d)
{
	sqlite3_stmt *st;
	int version = 0;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	int known = (int)(sizeof migrations / sizeof *migrations);
	if (version > known) {
		char a[16], b[16];
		snprintf(a, sizeof a, "%d", version);
		snprintf(b, sizeof b, "%d", known);
		diag_add(d, D_STORE_NEWER, NULL, 0, 0, a, b);
		return -1;
	}
	if (version == known)
		return 0;
	if (store_tx_begin(s, d) < 0)
		return -1;
	for (int v = version; v < known; v++) {
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
			store_sql_error(s, d);
			store_tx_end(s, 0, d);
			return -1;
		}
	}
	return store_tx_end(s, 1, d);
}

int store_open(struct store **out, const char *path, int create_dir, struct diag *d)
{
	*out = NULL;
	int exists;
	if (store_check_file(path, &exists, d) < 0)
		return -1;
	if (!exists) {
		if (create_dir && mkdirs(path) < 0) {
			diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, strerror(errno));
			return -1;
		}
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST) {
			diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, strerror(errno));
			return -1;
		}
		if (fd >= 0) {
			fchmod(fd, 0600); /* whatever the umask said */
			close(fd);
		}
	}
	struct store *s = xcalloc(1, sizeof *s);
	file_mark_input(path);   /* no output of this run replaces it */
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		if (!s->db)
			xalloc_die();   /* SQLite gives no handle only when out of memory */
		diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, sqlite3_errmsg(s->db));
		store_close(s);
		return -1;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
	sqlite3_busy_timeout(s->db, 10000);
	char *err = NULL;
	if (sqlite3_exec(s->db,
			 "PRAGMA journal_mode = WAL;"
			 "PRAGMA foreign_keys = ON;"
			 "PRAGMA secure_delete = ON;"
			 "PRAGMA trusted_schema = OFF;"
			 "PRAGMA synchronous = NORMAL;",
			 NULL, NULL, &err) != SQLITE_OK) {
		diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, err ? err : "PRAGMA failed");
		sqlite3_free(err);
		store_close(s);
		return -1;
	}
	if (migrate(s, d) < 0) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct diag *d)
{
	sqlite3_stmt *q;
	for (size_t i = 0; i < s->n_cache; i++)
		if (s->cache[i].sql == sql) {
			q = s->cache[i].q;
			if (sqlite3_stmt_busy(q))
				goto fresh;   /* in use further up the stack: one of its own */
			sqlite3_reset(q);
			sqlite3_clear_bindings(q);
			return q;
		}
	assert(s->n_cache < STORE_STMT_CACHE);
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q, NULL) != SQLITE_OK) {
		store_sql_error(s, d);
		return NULL;
	}
	s->cache[s->n_cache].sql = sql;
	s->cache[s->n_cache++].q = q;
	return q;
fresh:
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		store_sql_error(s, d);
		return NULL;
	}
	return q;
}

void store_stmt_done(struct store *s, sqlite3_stmt *q)
{
	for (size_t i = 0; i < s->n_cache; i++)
		if (s->cache[i].q == q) {
			sqlite3_reset(q);
			sqlite3_clear_bindings(q);   /* no pointer of the caller's outlives the call */
			return;
		}
	sqlite3_finalize(q);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_cache; i++)
		sqlite3_finalize(s->cache[i].q);
	sqlite3_close(s->db);
	for (int i = 0; i < STORE_HOLDS; i++)
		if (s->hold_fd[i])
			close(s->hold_fd[i] - 1);   /* the locks go with it */
	free(s);
}

/* The bytes of the store's file store_hold locks: below SQLite's own lock
 * bytes (from 0x40000000, its PENDING_BYTE), which it never takes, so
 * they never meet SQLite's locks; open file description locks
 * (F_OFD_SETLK), so closing another descriptor of the file (SQLite's)
 * never drops them, and they hold across machines on NFS as POSIX locks
 * do. A batch's workers share its lock and die with it. */
#define HOLD_BYTE 0x3ffffff0
#define HOLD_TRIES 50   /* a refusal's tries, 20 ms apart */

int store_hold(struct store *s, enum store_hold what, struct diag *d)
{
	if (s->hold_fd[what])
		return 0;
	const char *path = sqlite3_db_filename(s->db, "main");
	if (!path || !*path)
		return 0;   /* an in-memory store: nobody else sees it */
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, strerror(errno));
		return -1;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = HOLD_BYTE + what, .l_len = 1 };
	int r, tries = 0;
	if (what == STORE_HOLD_SEND || what == STORE_HOLD_REPLIES) {
		/* a send waits for the other to end (its time is bounded,
		 * DOVETAIL_SMTP_TOTAL), then sees what it sent; a replies run
		 * (its messages bounded) likewise sees what it recorded */
		while ((r = fcntl(fd, F_OFD_SETLKW, &fl)) < 0 && errno == EINTR)
			;
	} else {
		/* a run just killed may leave its workers a moment to die
		 * (they hold the lock with it): a second at most, then it is
		 * another run's */
		while ((r = fcntl(fd, F_OFD_SETLK, &fl)) < 0 && (errno == EAGAIN || errno == EACCES) &&
		       tries++ < HOLD_TRIES)
			nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
	}
	if (r < 0) {
		int e = errno;
		close(fd);
		if (e == EINVAL || e == ENOSYS || e == EOPNOTSUPP || e == ENOLCK)
			return 0;   /* a file system or kernel without such locks: run unheld, as before */
		if (e == EAGAIN || e == EACCES)
			diag_add(d, D_BATCH_BUSY, NULL, 0, 0, path);
		else
			diag_add(d, D_STORE_OPEN, NULL, 0, 0, path, strerror(e));
		return -1;
	}
	s->hold_fd[what] = fd + 1;
	return 0;
}
