/* test_store.c: unit tests for the store (store.c, import.c, events.c): safe opening, and the import rules. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/store/store_impl.h"
#include "dovetail/import.h"
#include "dovetail/store.h"
#include "tap.h"

static struct ics_limits lim;
static char dir[] = "/tmp/dovetail-test-store.XXXXXX";
static char db[256];

static int64_t at(const char *s)
{
	int64_t t = 0;
	if (time_parse_arg(s, &t) < 0)
		abort();
	return t;
}

/* Options to import feed source of practitioner prac in UTC, over a window
 * from `from` to 2027, on 23 November 2026. */
static void opts_of(struct import_opts *o, const char *source, const char *prac, const char *from)
{
	memset(o, 0, sizeof *o);
	o->source = source;
	o->practitioner = prac;
	o->from = at(from);
	o->to = at("20270101T000000Z");
	o->zone = icaltimezone_get_utc_timezone();
	o->zone_name = "UTC";
	o->now = at("20261123T000000Z");
	o->lim = &lim;
}

/* Import body (VEVENTs) as feed "feed-a" into s. Returns store_import's value. */
static int import(struct store *s, const char *body, struct import_report *r, struct diag *d, int keep_going)
{
	size_t n = strlen(body) + 80;
	struct bytes b = { malloc(n), 0 };
	snprintf(b.data, n, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n%sEND:VCALENDAR\r\n", body);
	b.len = strlen(b.data);
	struct ics_feed f;
	ics_read(&f, "a.ics", &b, &lim, d);
	struct import_opts o;
	opts_of(&o, "feed-a", "physio", "20260101T000000Z");
	o.keep_going = keep_going;
	int rc = store_import(s, &f, &o, r, d);
	ics_feed_release(&f);
	bytes_release(&b);
	return rc;
}

struct seen {
	char text[4096];
	size_t n;
};

static int collect(const struct store_occ *o, void *arg)
{
	struct seen *s = arg;
	char a[24], line[256];
	time_fmt_utc(o->start, a);
	snprintf(line, sizeof line, "%s %s %s %s|", a, o->uid, o->summary ? o->summary : "-",
		 o->status ? o->status : "-");
	if (strlen(s->text) + strlen(line) < sizeof s->text)
		strcat(s->text, line);
	s->n++;
	return 0;
}

static void list(struct store *s, struct seen *out)
{
	struct diag d;
	diag_init(&d);
	memset(out, 0, sizeof *out);
	store_each_occurrence(s, at("20260101T000000Z"), at("20270101T000000Z"), collect, out, &d);
	diag_release(&d);
}

static void file_hash(const char *path, char out[65])
{
	struct diag d;
	struct bytes b;
	diag_init(&d);
	if (file_read_all(path, 1u << 30, &b, &d) < 0) {
		strcpy(out, "unreadable");
	} else {
		hash_sha256_hex(b.data, b.len, out);
		bytes_release(&b);
	}
	diag_release(&d);
}

static const char *const E1 =
	"BEGIN:VEVENT\r\nUID:e1\r\nSEQUENCE:2\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Physio A\r\n"
	"DTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n";
static const char *const E2 =
	"BEGIN:VEVENT\r\nUID:e2\r\nSUMMARY:Clinic\r\nDTSTART:20260210T140000Z\r\nDURATION:PT30M\r\nEND:VEVENT\r\n";

static void test_open(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	int rc = store_open(&s, db, 0, &d);
	ok(rc == 0 && s, "store_open creates a new database");
	struct stat st;
	ok(stat(db, &st) == 0 && (st.st_mode & 07777) == 0600, "new database has mode 0600 (got %04o)",
	   (unsigned)(st.st_mode & 07777));
	store_close(s);
	is_int(d.n, 0, "store_open: no diagnostics");
	diag_release(&d);

	/* a database others can read is refused */
	char loose[300];
	snprintf(loose, sizeof loose, "%s/loose.db", dir);
	int fd = open(loose, O_WRONLY | O_CREAT, 0600);
	close(fd);
	chmod(loose, 0644);
	diag_init(&d);
	s = NULL;
	rc = store_open(&s, loose, 0, &d);
	ok(rc == -1 && !s, "store_open refuses a 0644 file");
	ok(d.n == 1 && d.v[0].code == D_STORE_PERM, "refusal is D_STORE_PERM");
	if (d.n)
		ok(strstr(d.v[0].msg, "0644") != NULL, "message names the mode (%s)", d.v[0].msg);
	is_int(diag_exit_status(&d), DV_EXIT_STORE, "refusal has exit class STORE");
	diag_release(&d);
	struct stat st2;
	ok(stat(loose, &st2) == 0 && st2.st_size == 0, "refused file left untouched");

	/* a -wal file others can read is refused too */
	char wal[320];
	snprintf(wal, sizeof wal, "%s-wal", db);
	fd = open(wal, O_WRONLY | O_CREAT, 0644);
	close(fd);
	chmod(wal, 0644);
	diag_init(&d);
	rc = store_open(&s, db, 0, &d);
	ok(rc == -1 && d.n && d.v[0].code == D_STORE_PERM, "store_open refuses a 0644 -wal file");
	diag_release(&d);
	unlink(wal);

	/* create_dir makes missing parents 0700 */
	char deep[300], parent[300];
	snprintf(parent, sizeof parent, "%s/a", dir);
	snprintf(deep, sizeof deep, "%s/a/b/c.db", dir);
	diag_init(&d);
	rc = store_open(&s, deep, 1, &d);
	ok(rc == 0 && stat(parent, &st) == 0 && (st.st_mode & 0777) == 0700, "create_dir makes parents with mode 0700");
	store_close(s);
	diag_release(&d);
}

static void test_import(void)
{
	struct diag d;
	struct store *s = NULL;
	struct import_report r;
	struct seen seen;
	char body[4096];
	diag_init(&d);
	store_open(&s, db, 0, &d);

	snprintf(body, sizeof body, "%s%s", E1, E2);
	int rc = import(s, body, &r, &d, 0);
	ok(rc == 0 && r.added == 2 && r.occurrences == 4, "first import: 2 new, 4 occurrences (%zu, %zu)", r.added,
	   r.occurrences);
	rc = import(s, body, &r, &d, 0);
	ok(rc == 0 && r.same_bytes && r.unchanged == 2 && r.occurrences == 4, "same bytes again: same_bytes");

	/* a re-export with only DTSTAMP changed: unchanged events */
	char re[4096];
	snprintf(re, sizeof re, "%s%s", E1, E2);
	char *stamp = strstr(re, "20261101T000000Z");
	memcpy(stamp, "20261102", 8);
	rc = import(s, re, &r, &d, 0);
	ok(rc == 0 && !r.same_bytes && r.unchanged == 2 && r.added == 0 && r.updated == 0,
	   "DTSTAMP change only: 2 unchanged");

	/* a lower SEQUENCE loses: the stored version stays */
	snprintf(body, sizeof body,
		 "BEGIN:VEVENT\r\nUID:e1\r\nSEQUENCE:1\r\nSUMMARY:Physio OLD\r\n"
		 "DTSTART:20260105T090000Z\r\nDTEND:20260105T100000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n%s", E2);
	size_t notes = d.n;
	rc = import(s, body, &r, &d, 0);
	ok(rc == 0 && r.updated == 0 && r.unchanged == 2, "lower SEQUENCE: nothing updated");
	int stale = 0;
	for (size_t i = notes; i < d.n; i++)
		stale |= d.v[i].code == D_IMP_STALE;
	ok(stale, "lower SEQUENCE: D_IMP_STALE note");
	list(s, &seen);
	ok(strstr(seen.text, "Physio A") && !strstr(seen.text, "Physio OLD"), "lower SEQUENCE: stored summary kept");

	/* a higher SEQUENCE wins */
	snprintf(body, sizeof body,
		 "BEGIN:VEVENT\r\nUID:e1\r\nSEQUENCE:3\r\nSUMMARY:Physio B\r\n"
		 "DTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n%s", E2);
	rc = import(s, body, &r, &d, 0);
	ok(rc == 0 && r.updated == 1 && r.unchanged == 1 && r.occurrences == 3, "higher SEQUENCE: updated (%zu, %zu)",
	   r.updated, r.occurrences);
	list(s, &seen);
	is_str(seen.text,
	       "20260105T100000Z e1 Physio B -|20260112T100000Z e1 Physio B -|20260210T140000Z e2 Clinic -|",
	       "higher SEQUENCE: new times and summary stored");

	/* STATUS:CANCELLED removes the occurrences */
	snprintf(body, sizeof body,
		 "BEGIN:VEVENT\r\nUID:e1\r\nSEQUENCE:4\r\nSTATUS:CANCELLED\r\nSUMMARY:Physio B\r\n"
		 "DTSTART:20260105T100000Z\r\nDTEND:20260105T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\n%s", E2);
	rc = import(s, body, &r, &d, 0);
	ok(rc == 0 && r.cancelled == 1 && r.occurrences == 1, "CANCELLED: counted, its occurrences gone (%zu, %zu)",
	   r.cancelled, r.occurrences);
	list(s, &seen);
	is_str(seen.text, "20260210T140000Z e2 Clinic -|", "CANCELLED: only the other event is listed");

	/* an override cancelled: just that instance goes */
	snprintf(body, sizeof body,
		 "%s"
		 "BEGIN:VEVENT\r\nUID:e1\r\nRECURRENCE-ID:20260112T090000Z\r\nSEQUENCE:3\r\nSTATUS:CANCELLED\r\n"
		 "DTSTART:20260112T090000Z\r\nDTEND:20260112T100000Z\r\nEND:VEVENT\r\n%s", E1, E2);
	char *seq = strstr(body, "SEQUENCE:2");
	memcpy(seq, "SEQUENCE:5", 10);
	rc = import(s, body, &r, &d, 0);
	list(s, &seen);
	ok(rc == 0 && seen.n == 3 && !strstr(seen.text, "20260112T"), "cancelled override hides one instance (%s)",
	   seen.text);

	/* an event gone from the feed is removed */
	rc = import(s, E2, &r, &d, 0);
	ok(rc == 0 && r.removed == 2 && r.unchanged == 1 && r.occurrences == 1, "gone from the feed: removed (%zu)",
	   r.removed);
	list(s, &seen);
	is_str(seen.text, "20260210T140000Z e2 Clinic -|", "gone from the feed: not listed");

	store_close(s);
	diag_release(&d);
}

/* Import body into the closed database db; it must be rejected with exit
 * class want_exit, and the file's bytes must not change. */
static void rejected(const char *what, const char *body, int want_exit, int fatal_text)
{
	char before[65], after[65];
	file_hash(db, before);
	struct diag d;
	struct store *s = NULL;
	struct import_report r;
	diag_init(&d);
	store_open(&s, db, 0, &d);
	int rc;
	if (fatal_text) {
		/* a whole file, not a list of VEVENTs */
		struct bytes b = { strdup(body), strlen(body) };
		struct ics_feed f;
		ics_read(&f, "a.ics", &b, &lim, &d);
		struct import_opts o;
		memset(&o, 0, sizeof o);
		o.source = "feed-a";
		o.from = at("20260101T000000Z");
		o.to = at("20270101T000000Z");
		o.zone = icaltimezone_get_utc_timezone();
		o.zone_name = "UTC";
		o.lim = &lim;
		rc = store_import(s, &f, &o, &r, &d);
		ics_feed_release(&f);
	} else {
		rc = import(s, body, &r, &d, 0);
	}
	ok(rc == -1 && r.rejected, "%s: rejected", what);
	is_int(diag_exit_status(&d), want_exit, "%s: exit class", what);
	if (rc == 0)
		tap_note("%s: report %zu new, %zu updated, %zu unchanged, %zu skipped", what, r.added, r.updated,
			 r.unchanged, r.skipped);
	store_close(s);
	diag_release(&d);
	file_hash(db, after);
	is_str(after, before, "%s: database file bytes identical", what);
	char wal[320];
	snprintf(wal, sizeof wal, "%s-wal", db);
	ok(access(wal, F_OK) != 0, "%s: no -wal file left after close", what);
}

static void test_rejected(void)
{
	char body[4096];
	/* store_import's contract: "A feed with errors writes nothing unless keep_going" */
	snprintf(body, sizeof body,
		 "%sBEGIN:VEVENT\r\nUID:bad\r\nDTSTART:20260105T090000Z\r\nRRULE:FREQ=DAILY;INTERVAL=0\r\nEND:VEVENT\r\n", E1);
	rejected("INTERVAL=0", body, DV_EXIT_INPUT, 0);
	snprintf(body, sizeof body,
		 "%sBEGIN:VEVENT\r\nUID:bomb\r\nDTSTART:20260105T090000Z\r\n"
		 "RRULE:FREQ=SECONDLY;COUNT=200000000\r\nEND:VEVENT\r\n", E1);
	rejected("expansion bomb", body, DV_EXIT_LIMIT, 0);
	rejected("nesting past the cap",
		 "BEGIN:VCALENDAR\r\nBEGIN:X\r\nBEGIN:X\r\nBEGIN:X\r\nBEGIN:X\r\n"
		 "BEGIN:X\r\nBEGIN:X\r\nBEGIN:X\r\nBEGIN:X\r\n", DV_EXIT_LIMIT, 1);
	snprintf(body, sizeof body, "BEGIN:VCALENDAR\r\n%s", E1);
	body[strlen(body) - 2] = 0; /* cut the last line ending too */
	rejected("missing END:VCALENDAR", body, DV_EXIT_INPUT, 1);

	/* keep_going imports the rest and lists the skipped one */
	struct diag d;
	struct store *s = NULL;
	struct import_report r;
	struct seen seen;
	diag_init(&d);
	store_open(&s, db, 0, &d);
	snprintf(body, sizeof body,
		 "%sBEGIN:VEVENT\r\nUID:bad\r\nDTSTART:20260105T090000Z\r\nRRULE:FREQ=DAILY;INTERVAL=0\r\nEND:VEVENT\r\n", E2);
	int rc = import(s, body, &r, &d, 1);
	ok(rc == 0 && r.skipped == 1, "keep_going: one skipped");
	const struct diag_item *sk = NULL;
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].code == D_IMP_SKIPPED)
			sk = &d.v[i];
	ok(sk && strstr(sk->msg, "VEVENT bad") && sk->line == 10, "keep_going: skipped event named with its line (%s)",
	   sk ? sk->msg : "none");
	is_int(diag_exit_status(&d), DV_EXIT_INPUT, "keep_going: still exit class INPUT");
	list(s, &seen);
	is_str(seen.text, "20260210T140000Z e2 Clinic -|", "keep_going: the valid event is stored");
	store_close(s);
	diag_release(&d);
}

static void cleanup(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_note("could not remove %s", dir);
}

static int pragma_int(struct store *s, const char *sql)
{
	sqlite3_stmt *q;
	int v = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* The connection's protections (docs/security.md), seen from inside. */
static void test_hardening(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	if (!ok(store_open(&s, db, 0, &d) == 0, "hardening: the store opens"))
		return;
	is_int(pragma_int(s, "PRAGMA secure_delete"), 1, "secure_delete is on");
	is_int(pragma_int(s, "PRAGMA trusted_schema"), 0, "trusted_schema is off");
	is_int(pragma_int(s, "PRAGMA foreign_keys"), 1, "foreign keys are enforced");
	int v = -1;
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, -1, &v);
	is_int(v, 1, "SQLITE_DBCONFIG_DEFENSIVE is on");
	/* defensive mode: the schema cannot be edited behind SQLite's back */
	sqlite3_exec(s->db, "PRAGMA writable_schema = ON", NULL, NULL, NULL);
	int rc = sqlite3_exec(s->db, "UPDATE sqlite_schema SET sql = 'CREATE TABLE feed (x)' WHERE name = 'feed'",
			      NULL, NULL, NULL);
	ok(rc != SQLITE_OK, "defensive: writing sqlite_schema is refused (%s)", sqlite3_errstr(rc));
	store_close(s);
	diag_release(&d);
}

/* store_stmt: one prepared statement per call site, reused ready to bind
 * (reset, no bindings), its cache bounded (STORE_STMT_CACHE) and emptied
 * by store_close. */
/* import_file with trust_same: the very bytes the store holds are not read
 * again (no parse, so none of their warnings again); other bytes, or the
 * same bytes over another window, are imported as ever. */
static void test_trust_same(void)
{
	struct diag d;
	struct store *s = NULL;
	struct import_report r;
	diag_init(&d);
	char path[320];
	snprintf(path, sizeof path, "%s/trust.ics", dir);
	/* an event without UID: reading it warns (D_ICS_NO_UID), so the
	 * warning tells whether the bytes were read */
	static const char cal[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
				  "BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:OT\r\n"
				  "DTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\nEND:VEVENT\r\n"
				  "END:VCALENDAR\r\n";
	FILE *f = fopen(path, "w");
	fputs(cal, f);
	fclose(f);
	store_open(&s, db, 0, &d);
	struct import_opts o;
	opts_of(&o, "feed-trust", "ot", "20261101T000000Z");
	o.trust_same = 1;
	int rc = import_file(s, path, "trust.ics", &lim, &o, &r, &d);
	ok(rc == IMPORT_OK && r.added == 1 && !r.same_bytes, "trust_same, a feed not held: imported (added %zu)",
	   r.added);
	ok(d.n == 1 && d.v[0].code == D_ICS_NO_UID, "... and read: its warning is given");
	size_t events;
	char hash[65];
	hash_sha256_hex(cal, strlen(cal), hash);
	ok(store_feed_has_bytes(s, &o, hash, &events, &d) == 1 && events == 1,
	   "store_feed_has_bytes: the store holds those bytes, 1 event");
	size_t before = d.n;
	rc = import_file(s, path, "trust.ics", &lim, &o, &r, &d);
	ok(rc == IMPORT_OK && r.same_bytes && r.unchanged == 1 && r.added == 0 && d.n == before,
	   "trust_same, the same bytes: nothing read, nothing said");
	/* another window: the same bytes are read and imported again */
	o.to = at("20270201T000000Z");
	ok(store_feed_has_bytes(s, &o, hash, &events, &d) == 0, "store_feed_has_bytes: not over another window");
	diag_release(&d);   /* (a run of its own: the same warning just after is said once, diag.h) */
	diag_init(&d);
	rc = import_file(s, path, "trust.ics", &lim, &o, &r, &d);
	ok(rc == IMPORT_OK && !r.same_bytes && r.unchanged == 1 && d.n == 1 && d.v[0].code == D_ICS_NO_UID,
	   "trust_same, another window: read again (its warning again)");
	/* other bytes: imported */
	f = fopen(path, "w");
	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	      "BEGIN:VEVENT\r\nUID:t1\r\nSEQUENCE:1\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:OT\r\n"
	      "DTSTART:20261124T110000Z\r\nDTEND:20261124T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	      f);
	fclose(f);
	rc = import_file(s, path, "trust.ics", &lim, &o, &r, &d);
	ok(rc == IMPORT_OK && !r.same_bytes && r.added == 1 && r.removed == 1,
	   "trust_same, other bytes: imported (added %zu, removed %zu)", r.added, r.removed);
	ok(store_feed_has_bytes(s, &o, hash, &events, &d) == 0, "store_feed_has_bytes: the old bytes are no longer held");
	store_close(s);
	diag_release(&d);
	unlink(path);
}

static void test_stmt_cache(void)
{
	static const char *const sql[] = { "SELECT ?1", "SELECT ?1 + 1" };
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	if (!ok(store_open(&s, db, 0, &d) == 0, "stmt cache: the store opens"))
		return;
	sqlite3_stmt *a = store_stmt(s, sql[0], &d);
	ok(a != NULL && s->n_cache == 1, "a statement is prepared once and kept");
	sqlite3_bind_int(a, 1, 41);
	ok(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 41, "it runs");
	/* mid-step (a callback of an iteration asking for the same sql): a
	 * statement of its own, finalized when done; the first is untouched */
	sqlite3_stmt *inner = store_stmt(s, sql[0], &d);
	ok(inner != NULL && inner != a && s->n_cache == 1, "in use: the same call site gets one of its own");
	sqlite3_bind_int(inner, 1, 7);
	ok(sqlite3_step(inner) == SQLITE_ROW && sqlite3_column_int(inner, 0) == 7, "it runs");
	store_stmt_done(s, inner);   /* finalized (ASan and sqlite3_close would say otherwise) */
	ok(sqlite3_column_int(a, 0) == 41, "the first is where it was");
	store_stmt_done(s, a);
	sqlite3_stmt *b = store_stmt(s, sql[0], &d);
	ok(b == a && s->n_cache == 1, "done with: the same call site gets the same statement back");
	ok(sqlite3_step(b) == SQLITE_ROW && sqlite3_column_type(b, 0) == SQLITE_NULL,
	   "reset, with its bindings cleared");
	sqlite3_reset(b);
	sqlite3_stmt *c = store_stmt(s, sql[1], &d);
	ok(c != NULL && c != a && s->n_cache == 2, "another call site, another statement");
	sqlite3_reset(c);
	ok(store_stmt(s, "SELECT FROM", &d) == NULL && diag_exit_status(&d) != 0 && s->n_cache == 2,
	   "SQL that does not prepare: NULL, a diagnostic, nothing kept");
	/* up to the bound: each call site kept, the first ones still there */
	static char more[STORE_STMT_CACHE][24];
	size_t kept = 0;
	for (size_t i = s->n_cache; i < STORE_STMT_CACHE; i++) {
		snprintf(more[i], sizeof more[i], "SELECT %zu", i);
		sqlite3_stmt *q = store_stmt(s, more[i], &d);
		kept += q != NULL;
	}
	ok(kept == STORE_STMT_CACHE - 2 && s->n_cache == STORE_STMT_CACHE && store_stmt(s, sql[0], &d) == a,
	   "%d call sites kept (the bound), the first still the same", STORE_STMT_CACHE);
	store_close(s);   /* finalizes them: sqlite3_close would fail (and leak) otherwise */
	diag_release(&d);
}

/* A group of writes (store_group_begin): each write's transaction a
 * savepoint inside it, nothing visible to another reader until the group
 * ends, and a write that fails undone alone. */
static int rows_seen(const char *sql)
{
	sqlite3 *r = NULL;
	sqlite3_stmt *q = NULL;
	int n = -1;
	if (sqlite3_open_v2(db, &r, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(r, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(r);
	return n;
}

static void test_group(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	if (!ok(store_open(&s, db, 0, &d) == 0, "group: the store opens"))
		return;
	ok(sqlite3_exec(s->db, "CREATE TABLE g (v INTEGER)", NULL, NULL, NULL) == SQLITE_OK, "a scratch table");
	ok(store_group_begin(s, &d) == 0 && s->depth == 1, "a group begins");
	int a = store_tx_begin(s, &d) == 0 && s->depth == 2 &&
		sqlite3_exec(s->db, "INSERT INTO g VALUES (1)", NULL, NULL, NULL) == SQLITE_OK;
	ok(a && store_tx_end(s, 1, &d) == 0 && s->depth == 1, "a write inside it: a savepoint, released");
	int b = store_tx_begin(s, &d) == 0 && sqlite3_exec(s->db, "INSERT INTO g VALUES (2)", NULL, NULL, NULL) == SQLITE_OK;
	ok(b && store_tx_end(s, 0, &d) < 0 && s->depth == 1, "a write that fails: rolled back to its savepoint");
	ok(rows_seen("SELECT count(*) FROM g") == 0, "another reader sees nothing of the group yet");
	ok(store_group_end(s, &d) == 0 && s->depth == 0, "the group ends: committed");
	ok(rows_seen("SELECT count(*) FROM g") == 1 && rows_seen("SELECT sum(v) FROM g") == 1,
	   "another reader sees the write kept, not the one undone");
	ok(store_tx_begin(s, &d) == 0 && sqlite3_exec(s->db, "INSERT INTO g VALUES (3)", NULL, NULL, NULL) == SQLITE_OK &&
	   store_tx_end(s, 1, &d) == 0 && rows_seen("SELECT count(*) FROM g") == 2,
	   "outside a group, a write commits at once");
	ok(sqlite3_exec(s->db, "DROP TABLE g", NULL, NULL, NULL) == SQLITE_OK, "the scratch table dropped");
	ok(diag_exit_status(&d) == 0, "no diagnostics");
	store_close(s);
	diag_release(&d);
}

/* What send mailed (table sent): recorded, looked up, threaded, never changed. */
static void test_sent(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	if (!ok(store_open(&s, db, 0, &d) == 0, "sent: the store opens"))
		return;
	char ids[14][32];
	for (int i = 0; i < 14; i++) {
		snprintf(ids[i], sizeof ids[i], "m%02d@x.example", i);
		/* two rows per message: occurrences 1 and 2 of series u */
		struct store_sent rows[2] = {
			{ "P-1", ids[i], ids[i], "a@x.example", "a", "REQUEST", "u", "20261123T100000Z", i, 100 + i },
			{ "P-1", ids[i], ids[i], "a@x.example", "a", "REQUEST", "u", "20261130T100000Z", i, 100 + i },
		};
		if (store_sent_add(s, rows, i == 13 ? 1 : 2, &d) < 0)
			break;
	}
	is_int(d.n, 0, "sent: 14 messages recorded");
	is_int(store_sent_has(s, "P-1", "m03@x.example", "a@x.example", &d), 1, "has: the digest to the recipient");
	is_int(store_sent_has(s, "P-1", "m03@x.example", "b@x.example", &d), 0, "... not to another recipient");
	is_int(store_sent_has(s, "P-2", "m03@x.example", "a@x.example", &d), 0, "... nor for another person");
	struct store_sent_refs r = { 0 };
	is_int(store_sent_thread(s, "P-1", "a", "u", "20261130T100000Z", 10, &r, &d), 0, "thread of occurrence 2");
	ok(r.n == 10 && strcmp(r.v[0].message_id, "m00@x.example") == 0 &&
	   strcmp(r.v[1].message_id, "m04@x.example") == 0 && strcmp(r.v[9].message_id, "m12@x.example") == 0,
	   "... the first and the latest 9, oldest first (m13 is about occurrence 1 only)");
	int sorted = 1;
	for (size_t i = 1; i < r.n; i++)
		sorted &= r.v[i - 1].row < r.v[i].row;
	ok(sorted, "... by row");
	store_sent_refs_release(&r);
	is_int(store_sent_thread(s, "P-1", "b", "u", "20261130T100000Z", 10, &r, &d), 0, "another practitioner");
	is_int(r.n, 0, "... has no thread");
	struct store_sent dup = { "P-1", ids[0], ids[0], "a@x.example", "a", "REQUEST", "u", "20261123T100000Z", 0, 1 };
	struct store_sent fresh = { "P-1", "new@x.example", "new", "a@x.example", "a", "REQUEST", "v", "", 0, 1 };
	struct store_sent two[2] = { fresh, dup };
	is_int(store_sent_add(s, two, 2, &d), -1, "one message, a row already there: refused");
	is_int(store_sent_has(s, "P-1", "new", "a@x.example", &d), 0, "... and nothing of it written");
	ok(sqlite3_exec(s->db, "UPDATE sent SET recipient = 'z@x.example'", NULL, NULL, NULL) != SQLITE_OK,
	   "what was sent is never changed (trigger)");
	store_close(s);
	diag_release(&d);
}

/* One batch or merge at a time on a store (store_batch_begin's run lock):
 * a second store handle on the same file is refused with D_BATCH_BUSY,
 * and nothing of its run is written, until the first is closed; a store's
 * own second begin (resume, merge's join) takes it again. */
static void test_run_lock(void)
{
	struct diag d;
	struct store *a = NULL, *b = NULL;
	diag_init(&d);
	if (!ok(store_open(&a, db, 0, &d) == 0 && store_open(&b, db, 0, &d) == 0, "run lock: the store opens twice"))
		return;
	is_int(store_batch_begin(a, "b-one", "sha", 3, 1, 1, &d), 0, "the first run begins");
	is_int(store_batch_begin(a, "b-one", "sha", 3, 1, 0, &d), 0, "... and begins again (resume) on its own handle");
	is_int(d.n, 0, "... no diagnostics");
	is_int(store_batch_begin(b, "b-one", "sha", 3, 1, 1, &d), -1, "a second run on the same store is refused");
	ok(d.n == 1 && d.v[0].code == D_BATCH_BUSY && diag_exit_status(&d) == DV_EXIT_STORE,
	   "... with D_BATCH_BUSY, exit 74");
	is_int(rows_seen("SELECT count(*) FROM batch_runs WHERE run = 'b-one'"), 1,
	       "... and the first run's row is still there (nothing dropped)");
	store_close(a);
	diag_release(&d);
	diag_init(&d);
	is_int(store_batch_begin(b, "b-one", "sha", 3, 1, 1, &d), 0, "once the first is closed, the second begins");
	is_int(d.n, 0, "... no diagnostics");
	store_close(b);
	diag_release(&d);
}

/* The runs a store keeps (STORE_BATCH_RUNS): a run begun afresh drops the
 * runs before the newest STORE_BATCH_RUNS, with their persons; a run
 * resumed drops nothing, and keeps its place. */
static void test_runs_kept(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	if (!ok(store_open(&s, db, 0, &d) == 0, "runs kept: the store opens"))
		return;
	char run[32];
	int fails = 0;
	for (int k = 1; k <= STORE_BATCH_RUNS + 2; k++) {
		snprintf(run, sizeof run, "b-kept-%d", k);
		struct store_batch_person p = { "P-1", "digest", "error", "a reason", { 0 }, -1 };
		if (store_batch_begin(s, run, "sha", 1, k, 1, &d) < 0 ||
		    store_batch_save_person(s, run, &p, NULL, 0, NULL, NULL, &d) < 0)
			fails++;
		if (k == STORE_BATCH_RUNS + 1)
			fails += store_batch_begin(s, "b-kept-3", "sha", 1, 3, 0, &d) < 0;   /* resumed */
	}
	is_int(fails, 0, "runs kept: %d runs begun, each with a person, one resumed", STORE_BATCH_RUNS + 2);
	is_int(rows_seen("SELECT count(*) FROM batch_runs WHERE run LIKE 'b-kept-%'"), STORE_BATCH_RUNS,
	       "... the newest %d are kept", STORE_BATCH_RUNS);
	is_int(rows_seen("SELECT count(*) FROM batch_runs WHERE run IN ('b-kept-1', 'b-kept-2')"), 0,
	       "... the two oldest are dropped (resuming one in between moved nothing)");
	is_int(rows_seen("SELECT count(*) FROM batch_persons WHERE run IN ('b-kept-1', 'b-kept-2')"), 0,
	       "... with their persons");
	is_int(rows_seen("SELECT count(*) FROM batch_persons WHERE run LIKE 'b-kept-%'"), STORE_BATCH_RUNS,
	       "... and the kept runs keep theirs");
	store_close(s);
	diag_release(&d);
}

int main(void)
{
	icalerror_set_errors_are_fatal(0);
	ics_limits_default(&lim);
	umask(022);
	if (!mkdtemp(dir)) {
		puts("Bail out! mkdtemp failed");
		return 1;
	}
	snprintf(db, sizeof db, "%s/t.db", dir);
	test_open();
	test_import();
	test_rejected();
	test_hardening();
	test_stmt_cache();
	test_trust_same();
	test_group();
	test_sent();
	test_run_lock();
	test_runs_kept();
	cleanup();
	return tap_done();
}
