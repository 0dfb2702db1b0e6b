/* test_proposals.c: unit tests for the store's proposals (proposals.c, migration 2 -> 3): round trip, idempotent re-save, rollback. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dovetail/store.h"
#include "tap.h"

static char dir[] = "/tmp/dovetail-test-proposals.XXXXXX";
static char db[256];

/* ---- a raw connection, to look at the rows and to inject faults --------- */

static sqlite3 *raw_open(void)
{
	sqlite3 *h = NULL;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		puts("Bail out! cannot open the test database");
		exit(1);
	}
	sqlite3_busy_timeout(h, 5000);
	return h;
}

/* The integer the query sql returns (-1 on error). */
static int64_t raw_int(const char *sql)
{
	sqlite3 *h = raw_open();
	sqlite3_stmt *q;
	int64_t v = -1;
	if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			v = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(h);
	return v;
}

static int raw_exec(const char *sql)
{
	sqlite3 *h = raw_open();
	int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
	return rc == SQLITE_OK ? 0 : -1;
}

/* "proposals/changes/partners" row counts, e.g. "2/3/1". */
static const char *counts(void)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "%lld/%lld/%lld", (long long)raw_int("SELECT count(*) FROM proposals"),
		 (long long)raw_int("SELECT count(*) FROM changes"),
		 (long long)raw_int("SELECT count(*) FROM joint_partners"));
	return buf;
}

/* ---- the fixture: what propose would save for one week --------------- */

static struct store_change changes_a[3];
static struct store_unplaced unplaced_c[2];
static struct store_proposal props[3];

static void fixture(void)
{
	static const struct appt_ref physio = { "physio", "p1@test", "", 1795426200, 1795429800 };
	static const struct appt_ref salt = { "salt", "s1@test", "20261126T133000Z", 1795773600, 1795776300 };
	static const struct appt_ref dietitian = { "dietitian", "d1@test", "", 1795604400, 1795607100 };
	memset(changes_a, 0, sizeof changes_a);
	memset(props, 0, sizeof props);
	int64_t mon = 20780; /* 2026-11-23 */
	changes_a[0] = (struct store_change){ .ch.appt = physio, .ch.from = { mon, 570, "home" },
					      .ch.to = { mon + 1, 600, NULL }, .ch.kind = CHANGE_MOVE,
					      .reason = "brings feeds 15 min nearer" };
	changes_a[1] = (struct store_change){ .ch.appt = salt, .ch.from = { mon + 3, 810, "nursery" },
					      .ch.to = { mon + 1, 600, "cdc" },
					      .ch.kind = CHANGE_MOVE | CHANGE_VENUE | CHANGE_JOINT,
					      .with = { physio }, .n_with = 1, .reason = "joins physio in one visit" };
	changes_a[2] = (struct store_change){ .ch.appt = dietitian, .ch.from = { mon + 2, 660, "cdc" },
					      .ch.to = { mon + 2, 630, "cdc" }, .ch.kind = CHANGE_VENUE,
					      .reason = "line one\nline 'two'; DROP TABLE proposals;" };
	struct store_totals before = { 9, 230, 12.5, 2, 1, 7.25, 3, 9 };
	struct store_totals after = { 6, 120, 6.75, 0, 0, 5.5, 2, 9 };
	props[0] = (struct store_proposal){ .id = "p-000000000001", .person = "P-0417", .from_date = mon,
					    .to_date = mon + 6, .kind = STORE_RANKED, .rank = 1, .ladder = 3,
					    .objective = 4086.13, .gap = 0, .proven = 1, .unplaced = 0,
					    .created = 1795392000, .before = before, .after = after,
					    .changes = changes_a, .n_changes = 3 };
	props[1] = props[0];
	props[1].id = "p-000000000002";
	props[1].rank = 2;
	props[1].ladder = -1;
	props[1].objective = 4087.5;
	props[1].n_changes = 1;
	props[2] = (struct store_proposal){ .id = "p-000000000003", .person = "P-0417", .from_date = mon,
					    .to_date = mon + 6, .kind = STORE_LADDER, .rank = 0, .ladder = 0,
					    .objective = 7034.67, .gap = 0.125, .proven = 0, .capped = 1,
					    .unplaced = 2, .created = 1795392000, .before = before, .after = before };
	unplaced_c[0] = (struct store_unplaced){ .appt = dietitian, .reason = "it is fixed, and booked on a day kept free" };
	unplaced_c[1] = (struct store_unplaced){ .appt = salt, .reason = "its window leaves no free time" };
	props[2].unplaced_v = unplaced_c;
	props[2].n_unplaced_v = 2;
}

static int same_ref(const struct appt_ref *a, const struct appt_ref *b)
{
	return strcmp(a->practitioner, b->practitioner) == 0 && strcmp(a->uid, b->uid) == 0 &&
	       strcmp(a->rid, b->rid) == 0 && a->start == b->start && a->end == b->end;
}

static int same_venue(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_place(const struct place *a, const struct place *b)
{
	return a->date == b->date && a->start == b->start && same_venue(a->venue, b->venue);
}

static int same_totals(const struct store_totals *a, const struct store_totals *b)
{
	return a->journeys == b->journeys && a->travel_min == b->travel_min && a->travel_cost == b->travel_cost &&
	       a->clashes == b->clashes && a->routine_conflicts == b->routine_conflicts &&
	       a->peak_energy == b->peak_energy && a->unfamiliar_max == b->unfamiliar_max && a->placed == b->placed;
}

/* Load id and compare every field with want; created is checked apart. */
static void round_trip(struct store *s, const struct store_proposal *want, int64_t created, const char *what)
{
	struct diag d;
	diag_init(&d);
	struct store_proposal *got = NULL;
	int rc = store_load_proposal(s, want->id, &got, &d);
	if (!ok(rc == 1 && got, "%s: %s is stored", what, want->id)) {
		diag_release(&d);
		return;
	}
	ok(strcmp(got->id, want->id) == 0 && strcmp(got->person, want->person) == 0 &&
	   got->from_date == want->from_date && got->to_date == want->to_date && got->kind == want->kind &&
	   got->rank == want->rank && got->ladder == want->ladder && got->objective == want->objective &&
	   got->gap == want->gap && got->proven == want->proven && got->capped == want->capped &&
	   got->unplaced == want->unplaced,
	   "%s: %s: id, person, horizon, kind, rank, ladder, objective, status read back", what, want->id);
	is_int(got->created, created, "%s: %s: created", what, want->id);
	ok(same_totals(&got->before, &want->before) && same_totals(&got->after, &want->after),
	   "%s: %s: before and after totals read back", what, want->id);
	is_int(got->n_changes, want->n_changes, "%s: %s: number of changes", what, want->id);
	int all = got->n_changes == want->n_changes;
	for (size_t c = 0; all && c < got->n_changes; c++) {
		const struct store_change *g = &got->changes[c], *w = &want->changes[c];
		all = same_ref(&g->ch.appt, &w->ch.appt) && same_place(&g->ch.from, &w->ch.from) &&
		      same_place(&g->ch.to, &w->ch.to) && g->ch.kind == w->ch.kind && g->n_with == w->n_with &&
		      strcmp(g->reason, w->reason) == 0;
		for (size_t k = 0; all && k < g->n_with; k++)
			all = same_ref(&g->with[k], &w->with[k]);
		if (!all)
			tap_note("change %zu differs", c + 1);
	}
	ok(all, "%s: %s: every change read back in order, with its partners", what, want->id);
	all = got->n_unplaced_v == want->n_unplaced_v;
	for (size_t u = 0; all && u < got->n_unplaced_v; u++)
		all = same_ref(&got->unplaced_v[u].appt, &want->unplaced_v[u].appt) &&
		      strcmp(got->unplaced_v[u].reason, want->unplaced_v[u].reason) == 0;
	ok(all, "%s: %s: the unplaced appointments read back in order, with their reasons", what, want->id);
	store_proposal_free(got);
	is_int(d.n, 0, "%s: no diagnostics", what);
	diag_release(&d);
}

static void test_round_trip(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	ok(store_open(&s, db, 0, &d) == 0, "store_open creates the database");
	is_int(raw_int("PRAGMA user_version"), STORE_SCHEMA_VERSION, "schema version is STORE_SCHEMA_VERSION");
	is_int(STORE_SCHEMA_VERSION, 15, "STORE_SCHEMA_VERSION is 15");
	fixture();
	ok(store_save_proposals(s, props, 3, &d) == 0, "save 3 proposals");
	is_str(counts(), "3/4/1", "3 proposals, 4 changes, 1 joint partner stored");
	is_int(raw_int("SELECT count(*) FROM changes WHERE proposal_id = 'p-000000000001' AND seq BETWEEN 1 AND 3"), 3,
	       "changes are numbered from 1 in printed order");
	is_int(raw_int("SELECT count(*) FROM proposals WHERE horizon_from = '2026-11-23' AND horizon_to = '2026-11-29'"
		       " AND created_at = 1795392000"), 3, "horizon stored as local dates, created_at as given");
	is_int(raw_int("SELECT count(*) FROM changes WHERE to_venue IS NULL"), 2, "an unknown venue is NULL");
	for (size_t i = 0; i < 3; i++)
		round_trip(s, &props[i], 1795392000, "round trip");
	struct store_proposal *none = (struct store_proposal *)&props[0];
	int rc = store_load_proposal(s, "p-ffffffffffff", &none, &d);
	ok(rc == 0 && !none, "an unknown id: 0 and NULL");
	ok(store_save_proposals(s, props, 0, &d) == 0, "saving nothing is a no-op");
	store_proposal_free(NULL);
	is_int(d.n, 0, "no diagnostics");
	store_close(s);
	diag_release(&d);
}

static void test_resave(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	store_open(&s, db, 0, &d);
	fixture();
	/* the same run again, later: nothing duplicated, created kept */
	for (size_t i = 0; i < 3; i++)
		props[i].created = 1795478400;
	ok(store_save_proposals(s, props, 3, &d) == 0, "re-save the same proposals");
	is_str(counts(), "3/4/1", "re-save: no row duplicated");
	round_trip(s, &props[0], 1795392000, "re-save");

	/* the same id with fewer changes and new values: replaced */
	props[0].n_changes = 1;
	props[0].objective = 4000.25;
	props[0].ladder = -1;
	changes_a[0].reason = "a new reason";
	changes_a[0].ch.to.venue = "cdc";
	ok(store_save_proposals(s, props, 1, &d) == 0, "re-save one proposal with one change");
	is_str(counts(), "3/2/0", "re-save: the dropped changes and their partners are gone");
	round_trip(s, &props[0], 1795392000, "replaced");
	fixture();
	ok(store_save_proposals(s, props, 1, &d) == 0, "re-save it as it was");
	is_str(counts(), "3/4/1", "re-save: changes and partners back");
	is_int(d.n, 0, "no diagnostics");
	store_close(s);
	diag_release(&d);
}

static void test_rollback(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	store_open(&s, db, 0, &d);
	fixture();

	/* a fault in the middle of the transaction, after rows were written */
	ok(raw_exec("CREATE TRIGGER fault BEFORE INSERT ON changes WHEN NEW.uid = 'boom@test'"
		    " BEGIN SELECT RAISE(ABORT, 'injected fault'); END;") == 0, "install a failing trigger");
	struct store_change bad = changes_a[0];
	bad.ch.appt.uid = "boom@test";
	struct store_proposal v[3] = { props[0], props[1], props[2] };
	v[0].objective = 1;                 /* would replace p-...1 */
	v[1].id = "p-000000000004";         /* would be new */
	v[2].id = "p-000000000005";
	v[2].changes = &bad;
	v[2].n_changes = 1;
	int rc = store_save_proposals(s, v, 3, &d);
	ok(rc == -1, "a failing insert: -1");
	ok(d.n == 1 && d.v[0].code == D_STORE_SQL && strstr(d.v[0].msg, "injected fault"),
	   "reported as D_STORE_SQL with SQLite's message (%s)", d.n ? d.v[0].msg : "none");
	is_int(diag_exit_status(&d), DV_EXIT_STORE, "exit class STORE (74)");
	is_str(counts(), "3/4/1", "rolled back: the same rows as before");
	is_int(raw_int("SELECT count(*) FROM proposals WHERE id IN ('p-000000000004', 'p-000000000005')"), 0,
	       "rolled back: no new proposal");
	round_trip(s, &props[0], 1795392000, "after rollback");
	ok(raw_exec("DROP TRIGGER fault") == 0, "remove the trigger");
	diag_release(&d);

	/* the store is usable after a rollback */
	diag_init(&d);
	ok(store_save_proposals(s, props, 3, &d) == 0, "save works again after the rollback");

	/* ids must be distinct: refused before anything is written */
	struct store_proposal twice[2] = { props[1], props[1] };
	twice[1].objective = 99;
	rc = store_save_proposals(s, twice, 2, &d);
	ok(rc == -1 && d.n == 1 && d.v[0].code == D_INTERNAL, "the same id twice in one call: D_INTERNAL");
	is_str(counts(), "3/4/1", "the same id twice: nothing written");
	store_close(s);
	diag_release(&d);
}

/* A change has at most STORE_MAX_JOINT (8) partners: as many are saved and
 * read back; one more is refused before anything is written, and a store
 * that holds one more is read as corrupt. */
static void test_joint_bound(void)
{
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	store_open(&s, db, 0, &d);
	fixture();
	static char uids[STORE_MAX_JOINT][32];
	struct store_change ch = changes_a[1];
	ch.n_with = STORE_MAX_JOINT;
	for (size_t k = 0; k < STORE_MAX_JOINT; k++) {
		snprintf(uids[k], sizeof uids[k], "j%zu@test", k);
		ch.with[k] = (struct appt_ref){ "physio", uids[k], "", 1795426200, 1795429800 };
	}
	struct store_proposal p = props[1];
	p.id = "p-000000000006";
	p.changes = &ch;
	p.n_changes = 1;
	ok(store_save_proposals(s, &p, 1, &d) == 0, "joint bound: a change with %d partners is saved", STORE_MAX_JOINT);
	is_str(counts(), "4/5/9", "joint bound: ... its %d partners stored", STORE_MAX_JOINT);
	round_trip(s, &p, props[1].created, "joint bound");
	/* one more: refused before anything is written */
	struct store_proposal q = p;
	struct store_change over = ch;
	over.n_with = STORE_MAX_JOINT + 1;
	q.id = "p-000000000007";
	q.changes = &over;
	int rc = store_save_proposals(s, &q, 1, &d);
	ok(rc == -1 && d.n == 1 && d.v[0].code == D_INTERNAL && strstr(d.v[0].msg, "too many partners"),
	   "joint bound: %d partners are refused (D_INTERNAL: %s)", STORE_MAX_JOINT + 1, d.n ? d.v[0].msg : "none");
	is_str(counts(), "4/5/9", "joint bound: ... nothing written");
	diag_release(&d);
	/* a store holding one more: corrupt, not read past the array */
	diag_init(&d);
	ok(raw_exec("INSERT INTO joint_partners (proposal_id, seq, n, practitioner, uid, rid, start_utc, end_utc)"
		    " VALUES ('p-000000000006', 1, 99, 'physio', 'j9@test', '', 1795426200, 1795429800)") == 0,
	   "joint bound: a ninth partner written behind the store's back");
	struct store_proposal *got = NULL;
	rc = store_load_proposal(s, "p-000000000006", &got, &d);
	ok(rc == -1 && !got && d.n == 1 && d.v[0].code == D_STORE_SQL && strstr(d.v[0].msg, "too many"),
	   "joint bound: ... the proposal is read as corrupt (%s)", d.n ? d.v[0].msg : "none");
	store_proposal_free(got);
	ok(raw_exec("DELETE FROM joint_partners WHERE proposal_id = 'p-000000000006';"
		    " DELETE FROM changes WHERE proposal_id = 'p-000000000006';"
		    " DELETE FROM proposals WHERE id = 'p-000000000006'") == 0 && strcmp(counts(), "3/4/1") == 0,
	   "joint bound: the proposal removed again (%s)", counts());
	store_close(s);
	diag_release(&d);
}

static void test_migration(void)
{
	/* a version-2 database: the proposal and decision tables are added,
	 * the rest kept */
	ok(raw_exec("DROP TABLE sent; DROP TABLE caldav_objects; DROP TABLE batch_bookings; DROP TABLE batch_columns; DROP TABLE batch_persons; DROP TABLE batch_runs;"
		    "DROP TABLE replies; DROP TABLE unplaced; DROP TABLE decisions; DROP TABLE joint_partners; DROP TABLE changes;"
		    " DROP TABLE proposals;"
		    "ALTER TABLE feed DROP COLUMN etag; ALTER TABLE feed DROP COLUMN last_modified;"
		    "INSERT INTO feed (source, content_sha256, win_from, win_to, zone, imported_at)"
		    " VALUES ('kept', 'x', 0, 1, 'UTC', 0);"
		    "PRAGMA user_version = 2;") == 0, "make a version-2 database");
	struct diag d;
	struct store *s = NULL;
	diag_init(&d);
	ok(store_open(&s, db, 0, &d) == 0, "store_open migrates it");
	is_int(raw_int("PRAGMA user_version"), STORE_SCHEMA_VERSION, "migrated to the current version");
	is_int(raw_int("SELECT count(*) FROM feed WHERE source = 'kept'"), 1, "migration keeps the feeds");
	fixture();
	ok(store_save_proposals(s, props, 3, &d) == 0, "save after the migration");
	is_str(counts(), "3/4/1", "the rows are there");
	is_int(raw_int("PRAGMA foreign_key_check"), -1, "no foreign key violations");
	struct stat st;
	ok(stat(db, &st) == 0 && (st.st_mode & 07777) == 0600, "the database stays mode 0600");
	store_close(s);
	diag_release(&d);

	/* deleting a proposal takes its changes and partners (ON DELETE CASCADE) */
	ok(raw_exec("PRAGMA foreign_keys = ON; DELETE FROM proposals WHERE id = 'p-000000000001'") == 0,
	   "delete a proposal");
	is_str(counts(), "2/1/0", "its changes and partners went with it");
}

struct seen {
	char verdicts[16];
	int seqs[8], n;
	int note_ok;
};

static int seen_one(const struct store_decision *x, void *arg)
{
	struct seen *v = arg;
	if (v->n < 15) {
		v->verdicts[v->n] = x->verdict == VERDICT_ACCEPT ? 'a' : x->verdict == VERDICT_KEEP ? 'k' : 'r';
		v->seqs[v->n < 8 ? v->n : 7] = x->seq;
	}
	if (v->n == 0)
		v->note_ok = x->note && !strcmp(x->note, "both in one visit") && !strcmp(x->who, "kw") &&
			     x->at == 1795400000 && !strcmp(x->appt.uid, "p1@test") && x->to.date == 20781 &&
			     x->to.start == 600 && !x->to.venue;
	v->n++;
	return 0;
}

static int count_partner(const struct appt_ref *a, void *arg)
{
	(void)a;
	++*(int *)arg;
	return 0;
}

static void test_decisions(void)
{
	struct store *s;
	struct diag d;
	diag_init(&d);
	char path[200];
	snprintf(path, sizeof path, "%.150s/decide.db", dir);
	ok(store_open(&s, path, 0, &d) == 0, "open a fresh store for decisions");
	fixture();
	/* a fourth proposal of the same run: the dietitian into Tuesday 10:30,
	 * where the physio goes in the first */
	struct store_proposal all[4] = { props[0], props[1], props[0], props[0] };
	struct store_change diet = changes_a[2];
	diet.ch.to = (struct place){ 20781, 630, NULL };
	diet.ch.kind = CHANGE_MOVE;
	all[2].id = "p-000000000004";
	all[2].rank = 3;
	all[2].ladder = -1;
	all[2].changes = &diet;
	all[2].n_changes = 1;
	/* a fifth: the physio to Wednesday 10:00 instead */
	struct store_change physio_wed = changes_a[0];
	physio_wed.ch.to = (struct place){ 20782, 600, NULL };
	all[3].id = "p-000000000005";
	all[3].rank = 4;
	all[3].ladder = -1;
	all[3].changes = &physio_wed;
	all[3].n_changes = 1;
	ok(store_save_proposals(s, all, 4, &d) == 0, "save the proposals to decide on");
	size_t n = 0, same = 0;
	int one = 1, two = 2, three = 3, nine = 9;
	ok(store_decide(s, "p-000000000001", &two, 1, VERDICT_ACCEPT, "kw", 1795400000, "both in one visit", &n,
			&same, &d) == 0, "accept change 2 (a joint session)");
	is_int((int)n, 2, "its joint partner, change 1, is accepted with it");
	ok(store_decide(s, "p-000000000009", &two, 1, VERDICT_ACCEPT, "kw", 1795400000, NULL, &n, &same, &d) < 0,
	   "an unknown proposal is refused");
	ok(d.n && d.v[d.n - 1].code == D_UNKNOWN_ID, "... as D_UNKNOWN_ID");
	ok(store_decide(s, "p-000000000001", &nine, 1, VERDICT_REJECT, "kw", 1795400000, NULL, &n, &same, &d) < 0,
	   "an unknown change is refused");
	ok(store_decide(s, "p-000000000001", &two, 1, VERDICT_ACCEPT, "kw", 1795400050, NULL, &n, &same, &d) == 0 &&
	   n == 0 && same == 2, "accepting the same changes again records nothing (%zu, %zu the same)", n, same);
	/* the other proposals of the run stay decidable unless they conflict */
	ok(store_decide(s, "p-000000000004", &one, 1, VERDICT_ACCEPT, "kw", 1795400060, NULL, &n, &same, &d) < 0 &&
	   d.v[d.n - 1].code == D_DECIDE_CONFLICT && strstr(d.v[d.n - 1].msg, "p-000000000004-1") &&
	   strstr(d.v[d.n - 1].msg, "p-000000000001-1") && strstr(d.v[d.n - 1].msg, "into that time"),
	   "accepting another proposal's change into the time just accepted is a conflict, named (%s)",
	   d.n ? d.v[d.n - 1].msg : "");
	ok(store_decide(s, "p-000000000004", &one, 1, VERDICT_REJECT, "kw", 1795400070, NULL, &n, &same, &d) == 0 &&
	   n == 1, "... rejecting it is not: a rejection never conflicts");
	int rc2 = store_decide(s, "p-000000000002", &one, 1, VERDICT_ACCEPT, "kw", 1795400080, NULL, &n, &same, &d);
	ok(rc2 == 0 && n == 0 && same == 1,
	   "accepting the same appointment into the very placement accepted, from another proposal: already so "
	   "(%d: %zu, %zu the same)", rc2, n, same);
	rc2 = store_decide(s, "p-000000000005", &one, 1, VERDICT_ACCEPT, "kw", 1795400085, NULL, &n, &same, &d);
	ok(rc2 < 0 && d.v[d.n - 1].code == D_DECIDE_CONFLICT && strstr(d.v[d.n - 1].msg, "accepted elsewhere"),
	   "accepting the same appointment elsewhere from another proposal is a conflict (%s)",
	   d.n ? d.v[d.n - 1].msg : "");
	ok(store_decide(s, "p-000000000001", &three, 1, VERDICT_KEEP, "kw", 1795400090, NULL, &n, &same, &d) == 0 &&
	   n == 1, "keep (reject --keep) the dietitian where booked: another proposal's rejection of a placement does not conflict");
	ok(store_decide(s, "p-000000000001", NULL, 0, VERDICT_REJECT, "kw", 1795400100, NULL, &n, &same, &d) == 0,
	   "reject every change of the proposal");
	is_int((int)n, 3, "all three (a reject after a keep is another decision)");
	struct seen v = { { 0 }, { 0 }, 0, 0 };
	ok(store_each_decision(s, "P-0417", seen_one, &v, &d) == 0, "list the decisions");
	is_int(v.n, 7, "seven decisions, none from the refused or repeated calls");
	is_str(v.verdicts, "aarkrrr", "in the order they were made, keep told from reject");
	ok(v.seqs[0] == 1 && v.seqs[1] == 2 && v.seqs[2] == 1 && v.seqs[3] == 3 && v.seqs[6] == 3,
	   "each on its change");
	ok(v.note_ok, "with who, when, the note, the appointment and where it goes");
	v.n = 0;
	ok(store_each_decision(s, "P-9999", seen_one, &v, &d) == 0 && v.n == 0, "another person has none");
	/* superseded: by a later run that leaves it out */
	ok(store_save_proposals(s, &props[1], 1, &d) == 0, "a later run proposes only the second");
	ok(store_decide(s, "p-000000000001", NULL, 0, VERDICT_ACCEPT, "kw", 1795400300, NULL, &n, &same, &d) < 0 &&
	   d.v[d.n - 1].code == D_SUPERSEDED, "the first is superseded by the later run");
	ok(store_decide(s, "p-000000000002", NULL, 0, VERDICT_ACCEPT, "kw", 1795400300, NULL, &n, &same, &d) == 0 &&
	   n == 1, "the second, proposed again, can be decided");
	store_close(s);
	diag_release(&d);
	snprintf(db, sizeof db, "%s", path);
	ok(raw_exec("DELETE FROM decisions") != 0, "decisions cannot be deleted");
	ok(raw_exec("UPDATE decisions SET verdict = 'accept'") != 0, "nor changed");
	is_int((int)raw_int("SELECT count(*) FROM decisions"), 8, "all eight are still there");
	is_int((int)raw_int("SELECT count(*) FROM decisions WHERE keep = 1"), 1, "one kept where booked");
	snprintf(db, sizeof db, "%s/t.db", dir);
}

/* A decision on every change of a proposal takes each of them, however
 * many: the set of change numbers stopped at 256 (the rest were left
 * undecided, silently). At most STORE_MAX_CHANGES: one more is refused. */
static size_t decide_all(struct store *s, const char *id, size_t n_changes, int *rc, struct diag *d)
{
	static struct store_change many[STORE_MAX_CHANGES + 1];
	static char uids[STORE_MAX_CHANGES + 1][24];
	fixture();
	for (size_t k = 0; k < n_changes; k++) {
		snprintf(uids[k], sizeof uids[k], "m%zu@test", k);
		many[k] = changes_a[0];
		many[k].ch.appt.uid = uids[k];
		many[k].ch.to.start = (int)(k % 1440);
	}
	struct store_proposal p = props[1];
	p.id = id;
	p.changes = many;
	p.n_changes = n_changes;
	size_t n = 0, same = 0;
	*rc = -1;
	if (store_save_proposals(s, &p, 1, d) == 0)
		*rc = store_decide(s, id, NULL, 0, VERDICT_REJECT, "kw", 1795400000, NULL, &n, &same, d);
	return n;
}

static void test_decide_many(void)
{
	struct store *s;
	struct diag d;
	diag_init(&d);
	char path[200];
	snprintf(path, sizeof path, "%.150s/many.db", dir);
	ok(store_open(&s, path, 0, &d) == 0, "decide many: a fresh store");
	int rc;
	size_t n = decide_all(s, "p-000000000011", 300, &rc, &d);
	ok(rc == 0 && n == 300, "decide many: rejecting a proposal of 300 changes rejects all 300 (%zu)", n);
	n = decide_all(s, "p-000000000012", STORE_MAX_CHANGES, &rc, &d);
	ok(rc == 0 && n == STORE_MAX_CHANGES, "decide many: ... of %d, all %d (%zu)", STORE_MAX_CHANGES,
	   STORE_MAX_CHANGES, n);
	n = decide_all(s, "p-000000000013", STORE_MAX_CHANGES + 1, &rc, &d);
	ok(rc < 0 && n == 0 && d.n && d.v[d.n - 1].code == D_STORE_SQL && strstr(d.v[d.n - 1].msg, "more than"),
	   "decide many: one of %d changes is refused, nothing recorded (%s)", STORE_MAX_CHANGES + 1,
	   d.n ? d.v[d.n - 1].msg : "none");
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

/* A group is read both ways: a change that only others list as their
 * partner (a list cut at STORE_MAX_JOINT keeps the other side's) is still
 * decided with them, and they with it, partners of partners too. */
static void test_partners_back(void)
{
	struct store *s;
	struct diag d;
	diag_init(&d);
	char path[200];
	snprintf(path, sizeof path, "%.150s/back.db", dir);
	ok(store_open(&s, path, 0, &d) == 0, "back: a fresh store");
	fixture();
	/* change 2 lists change 1; change 3 lists change 2; change 1 lists none */
	struct store_change cs[3] = { changes_a[0], changes_a[1], changes_a[2] };
	cs[0].n_with = 0;
	cs[1].with[0] = cs[0].ch.appt;
	cs[1].n_with = 1;
	cs[2].with[0] = cs[1].ch.appt;
	cs[2].n_with = 1;
	struct store_proposal p = props[0];
	p.id = "p-00000000000b";
	p.changes = cs;
	p.n_changes = 3;
	ok(store_save_proposals(s, &p, 1, &d) == 0, "back: a proposal whose partners are listed one way");
	size_t n = 0, same = 0;
	int one = 1;
	int rc = store_decide(s, p.id, &one, 1, VERDICT_ACCEPT, "kw", 1795400000, NULL, &n, &same, &d);
	ok(rc == 0 && n == 3, "back: accepting change 1, listed by none, decides its whole group (%zu of 3)", n);
	int seen = 0;
	rc = store_each_partner(s, p.id, 1, count_partner, &seen, &d);
	ok(rc == 0 && seen == 2, "back: ... and its group as a decline undoes it is the other two (%d)", seen);
	store_close(s);
	diag_release(&d);
}

int main(void)
{
	umask(022);
	if (!mkdtemp(dir)) {
		puts("Bail out! mkdtemp failed");
		return 1;
	}
	snprintf(db, sizeof db, "%s/t.db", dir);
	test_round_trip();
	test_resave();
	test_rollback();
	test_joint_bound();
	test_migration();
	test_decisions();
	test_decide_many();
	test_partners_back();
	cleanup();
	return tap_done();
}
