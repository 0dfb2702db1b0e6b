/* decisions.c: record accept and reject decisions on proposed changes (never deleted), and list them. */
#include "store_impl.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/xalloc.h"

/* 1 when the proposal is superseded: a later propose run for the person
 * left it out */
static const char SQL_PROPOSAL[] =
	"SELECT p.run < (SELECT max(run) FROM proposals q WHERE q.person = p.person), p.feeds,"
	" p.horizon_from, p.horizon_to"
	" FROM proposals p WHERE p.id = ?1";
/* the last instant change ?2 may be accepted (NULL: not checked) */
static const char SQL_DECIDE_BY[] = "SELECT decide_by FROM changes WHERE proposal_id = ?1 AND seq = ?2";
/* whether a feed is still stored */
static const char SQL_FEED[] = "SELECT 1 FROM feed WHERE id = ?1";
/* the last decision on change ?2: its verdict and keep */
static const char SQL_LAST[] =
	"SELECT verdict, keep FROM decisions WHERE proposal_id = ?1 AND seq = ?2 ORDER BY id DESC LIMIT 1";
/* the first decision on another proposal since ?1 was saved that change ?2,
 * accepted (?3 = 1) or kept (?3 = 0), would conflict with: the same
 * appointment accepted or kept; (accept) the same placement rejected; or
 * (accept) another appointment accepted into an overlapping time; an
 * accept undone since (its placement rejected) no longer counts */
#define SAME_APPT "d.practitioner = c.practitioner AND d.uid = c.uid AND d.rid = c.rid AND d.start_utc = c.start_utc"
static const char SQL_CONFLICT[] =
	"SELECT d.proposal_id, d.seq, CASE WHEN " SAME_APPT
	"   THEN (CASE WHEN d.verdict = 'accept' THEN 'its appointment was accepted elsewhere'"
	"         WHEN d.keep = 1 THEN 'its appointment was kept where it is booked'"
	"         ELSE 'that placement was rejected' END)"
	"   ELSE 'another appointment was accepted into that time' END"
	" FROM proposals p JOIN changes c ON c.proposal_id = p.id AND c.seq = ?2"
	" JOIN decisions d ON d.person = p.person AND d.id > p.decisions_seen AND d.proposal_id != p.id"
	" WHERE p.id = ?1 AND ((" SAME_APPT " AND ((d.verdict = 'accept' AND" STORE_SQL_NOT_UNDONE("d") ") OR d.keep = 1"
	"     OR (?3 = 1 AND d.to_date = c.to_date AND d.to_minute = c.to_minute AND d.to_venue IS c.to_venue)))"
	"   OR (?3 = 1 AND d.verdict = 'accept' AND" STORE_SQL_NOT_UNDONE("d") " AND NOT (" SAME_APPT ") AND d.to_date = c.to_date"
	"     AND d.to_minute * 60 < c.to_minute * 60 + (c.end_utc - c.start_utc)"
	"     AND c.to_minute * 60 < d.to_minute * 60 + (d.end_utc - d.start_utc)))"
	" ORDER BY d.id LIMIT 1";
/* whether the decision in force on change ?2's appointment (its last
 * accept or keep, on any proposal) is an accept of that very placement,
 * not undone by a reject of it since */
static const char SQL_SAME_PLACE[] =
	"SELECT d.verdict = 'accept' AND d.to_date = c.to_date AND d.to_minute = c.to_minute"
	" AND d.to_venue IS c.to_venue AND" STORE_SQL_NOT_UNDONE("d")
	" FROM proposals p JOIN changes c ON c.proposal_id = p.id AND c.seq = ?2"
	" JOIN decisions d ON d.person = p.person AND " SAME_APPT " AND (d.verdict = 'accept' OR d.keep = 1)"
	" WHERE p.id = ?1 ORDER BY d.id DESC LIMIT 1";
static const char SQL_CHANGE[] = "SELECT 1 FROM changes WHERE proposal_id = ?1 AND seq = ?2";
static const char SQL_ALL[] = "SELECT seq FROM changes WHERE proposal_id = ?1 ORDER BY seq";
/* the changes of the same proposal that are joint partners of change ?2,
 * or list it as theirs */
static const char SQL_PARTNERS[] =
	"SELECT c.seq FROM (SELECT ?1 AS proposal_id, ?2 AS seq) x" STORE_SQL_PARTNERS_OF("x") " UNION"
	" SELECT c.seq FROM (SELECT ?1 AS proposal_id, ?2 AS seq) x" STORE_SQL_PARTNERS_BACK("x") " ORDER BY 1";
static const char SQL_INSERT[] =
	"INSERT INTO decisions (proposal_id, seq, verdict, person, practitioner, uid, rid,"
	" start_utc, end_utc, to_date, to_minute, to_venue, who, decided_at, note, keep)"
	" SELECT c.proposal_id, c.seq, ?3, p.person, c.practitioner, c.uid, c.rid, c.start_utc,"
	" c.end_utc, c.to_date, c.to_minute, c.to_venue, ?4, ?5, ?6, ?7"
	" FROM changes c JOIN proposals p ON p.id = c.proposal_id"
	" WHERE c.proposal_id = ?1 AND c.seq = ?2";

enum { Q_PROPOSAL, Q_CHANGE, Q_ALL, Q_PARTNERS, Q_INSERT, Q_LAST, Q_CONFLICT, Q_FEED, Q_DECIDE_BY,
       Q_SAME_PLACE, Q__COUNT };

/* A set of change numbers: at most STORE_MAX_CHANGES, a horizon's
 * appointments (put says when one more would pass it). */
struct seqset {
	int v[STORE_MAX_CHANGES];
	size_t n;
};

static int has(const struct seqset *s, int x)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == x)
			return 1;
	return 0;
}

/* Add x to s: 0, or -1 when s is full (x is not in it). */
static int put(struct seqset *s, int x)
{
	if (has(s, x))
		return 0;
	if (s->n == sizeof s->v / sizeof *s->v)
		return -1;
	s->v[s->n++] = x;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* 1 when the bound query has a row, 0 when not, -1 on error. */
static int exists(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* One store_decide: its statements (q), what it decides, and where it says
 * why. The steps below return 0, SQL_FAILED (say so from the store's error)
 * or REPORTED (a diagnostic is in d). */
struct decide {
	sqlite3_stmt *q[Q__COUNT];
	const char *proposal;
	enum verdict v;
	const char *verdict;      /* "accept" or "reject" */
	int keep;
	int64_t at;               /* when it is decided (UTC seconds) */
	struct diag *d;
};

enum { SQL_FAILED = -1, REPORTED = -2 };

/* Decisions are kept for good: what goes in must be text (UTF-8). Returns
 * 0, or -1 with d filled. */
static int check_text(const char *who, const char *note, struct diag *d)
{
	const char *const what[2] = { "who decides (--by, $DOVETAIL_USER, $USER)", "the note" };
	const char *const text[2] = { who, note };
	for (size_t i = 0; i < 2; i++) {
		size_t bad;
		if (text[i] && !utf8_valid(text[i], strlen(text[i]), &bad)) {
			char b[32];
			snprintf(b, sizeof b, "%zu", bad + 1);
			diag_add(d, D_TEXT_UTF8, NULL, 0, 0, what[i], b);
			return -1;
		}
	}
	return 0;
}

/* Whether every feed of the list ("FEED-ID:SHA256 ...", store_feeds_state)
 * says what it said about the proposal's dates [from, to]: 1, 0 (one
 * changed or is gone), SQL_FAILED or REPORTED. */
static int feeds_same(struct store *s, struct decide *x, const char *feeds, int64_t from, int64_t to)
{
	sqlite3_stmt *f = x->q[Q_FEED];
	const char *p = feeds;
	while (*p) {
		char *end;
		long long id = strtoll(p, &end, 10);
		if (end == p || *end != ':')
			return 0;   /* not a list this build wrote: do not trust it */
		const char *h = end + 1;
		size_t hl = strcspn(h, " ");
		sqlite3_bind_int64(f, 1, id);
		int r = sqlite3_step(f);
		sqlite3_reset(f);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			return SQL_FAILED;
		if (r == SQLITE_DONE)
			return 0;   /* the feed is gone */
		char now[65];
		if (store_feed_digest(s, id, from, to, now, x->d) < 0)
			return REPORTED;
		if (strlen(now) != hl || strncmp(now, h, hl))
			return 0;
		p = h + hl;
		while (*p == ' ')
			p++;
	}
	return 1;
}

/* The proposal exists and is not superseded: by a later propose run, or
 * by a feed its week was read from that has changed since. */
static int check_proposal(struct store *s, struct decide *x)
{
	sqlite3_stmt *q = x->q[Q_PROPOSAL];
	sqlite3_bind_text(q, 1, x->proposal, -1, SQLITE_STATIC);
	int r0 = sqlite3_step(q);
	if (r0 == SQLITE_DONE) {
		diag_add(x->d, D_UNKNOWN_ID, NULL, 0, 0, "proposal", x->proposal);
		return REPORTED;
	}
	if (r0 != SQLITE_ROW)
		return SQL_FAILED;
	if (sqlite3_column_int(q, 0)) {
		sqlite3_reset(q);
		diag_add(x->d, D_SUPERSEDED, NULL, 0, 0, x->proposal, "a later propose left it out");
		return REPORTED;
	}
	const char *feeds = (const char *)sqlite3_column_text(q, 1);
	char *list = xstrdup(feeds ? feeds : "");
	int64_t from = 0, to = 0;
	int dates = store_col_date(q, 2, &from) == 0 && store_col_date(q, 3, &to) == 0;
	sqlite3_reset(q);
	int same = dates ? feeds_same(s, x, list, from, to) : 0;
	free(list);
	if (same < 0)
		return same;
	if (!same) {
		diag_add(x->d, D_SUPERSEDED, NULL, 0, 0, x->proposal,
			 "a feed its week was read from has changed since");
		return REPORTED;
	}
	return 0;
}

/* A decision on more than STORE_MAX_CHANGES changes: refused, nothing recorded. */
static int too_many(struct decide *x)
{
	char msg[160];
	snprintf(msg, sizeof msg, "stored proposal %.40s: a decision on more than " DV_STR(STORE_MAX_CHANGES)
		 " changes", x->proposal);
	diag_add(x->d, D_STORE_SQL, NULL, 0, 0, msg);
	return REPORTED;
}

/* Put into set each change number the bound query q gives. */
static int put_all(struct decide *x, sqlite3_stmt *q, struct seqset *set)
{
	int r, full = 0;
	while (!full && (r = sqlite3_step(q)) == SQLITE_ROW)
		full = put(set, sqlite3_column_int(q, 0)) < 0;
	sqlite3_reset(q);
	if (full)
		return too_many(x);
	return r == SQLITE_DONE ? 0 : SQL_FAILED;
}

/* The changes decided, in order: seqs[0..n) (each must exist), or all
 * when n is 0, with the joint partners of each. */
static int collect(struct decide *x, const int *seqs, size_t n, struct seqset *set)
{
	if (n == 0) {
		sqlite3_bind_text(x->q[Q_ALL], 1, x->proposal, -1, SQLITE_STATIC);
		int r = put_all(x, x->q[Q_ALL], set);
		if (r < 0)
			return r;
	}
	sqlite3_bind_text(x->q[Q_CHANGE], 1, x->proposal, -1, SQLITE_STATIC);
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int(x->q[Q_CHANGE], 2, seqs[i]);
		int e = exists(x->q[Q_CHANGE]);
		if (e < 0)
			return SQL_FAILED;
		if (!e) {
			char id[160];
			snprintf(id, sizeof id, "%s-%d", x->proposal, seqs[i]);
			diag_add(x->d, D_UNKNOWN_ID, NULL, 0, 0, "change", id);
			return REPORTED;
		}
		if (put(set, seqs[i]) < 0)
			return too_many(x);
	}
	/* a joint session is decided whole (set grows as it is walked) */
	sqlite3_bind_text(x->q[Q_PARTNERS], 1, x->proposal, -1, SQLITE_STATIC);
	for (size_t i = 0; i < set->n; i++) {
		sqlite3_bind_int(x->q[Q_PARTNERS], 2, set->v[i]);
		int r = put_all(x, x->q[Q_PARTNERS], set);
		if (r < 0)
			return r;
	}
	if (set->n > 1)
		qsort(set->v, set->n, sizeof *set->v, cmp_int);
	for (size_t i = 1; i < set->n; i++)
		assert(set->v[i - 1] < set->v[i]);   /* put keeps each once */
	return 0;
}

/* Whether change seq was decided last the way x decides it now, or (an
 * accept) its appointment is accepted into that very placement already,
 * by a change of another proposal: 1, 0, or SQL_FAILED. */
static int same_as_last(struct decide *x, int seq)
{
	sqlite3_stmt *l = x->q[Q_LAST];
	sqlite3_bind_text(l, 1, x->proposal, -1, SQLITE_STATIC);
	sqlite3_bind_int(l, 2, seq);
	int r = sqlite3_step(l), same = 0;
	if (r == SQLITE_ROW)
		same = !strcmp((const char *)sqlite3_column_text(l, 0), x->verdict) &&
		       (x->v == VERDICT_ACCEPT || sqlite3_column_int(l, 1) == x->keep);
	sqlite3_reset(l);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return SQL_FAILED;
	if (same || x->v != VERDICT_ACCEPT)
		return same;
	sqlite3_stmt *p = x->q[Q_SAME_PLACE];
	sqlite3_bind_text(p, 1, x->proposal, -1, SQLITE_STATIC);
	sqlite3_bind_int(p, 2, seq);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW)
		same = sqlite3_column_int(p, 0);
	sqlite3_reset(p);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return SQL_FAILED;
	return same;
}

/* An accept or keep of change seq must not conflict with what was decided
 * since on the person's other proposals: 0, REPORTED or SQL_FAILED. */
static int no_conflict(struct decide *x, int seq)
{
	if (x->v == VERDICT_REJECT)
		return 0;
	sqlite3_stmt *k = x->q[Q_CONFLICT];
	sqlite3_bind_text(k, 1, x->proposal, -1, SQLITE_STATIC);
	sqlite3_bind_int(k, 2, seq);
	sqlite3_bind_int(k, 3, x->v == VERDICT_ACCEPT);
	int r = sqlite3_step(k);
	if (r == SQLITE_ROW) {
		char mine[160], theirs[160];
		snprintf(mine, sizeof mine, "%s-%d", x->proposal, seq);
		snprintf(theirs, sizeof theirs, "%s-%d", (const char *)sqlite3_column_text(k, 0),
			 sqlite3_column_int(k, 1));
		diag_add(x->d, D_DECIDE_CONFLICT, NULL, 0, 0, mine, theirs, (const char *)sqlite3_column_text(k, 2));
		sqlite3_reset(k);
		return REPORTED;
	}
	sqlite3_reset(k);
	return r == SQLITE_DONE ? 0 : SQL_FAILED;
}

/* An accept of change seq must come while it can still be made: not
 * after its decide_by (its appointment, or the time it moves to, is by
 * then inside the practitioner's notice or past). 0, REPORTED or
 * SQL_FAILED. */
static int not_late(struct decide *x, int seq)
{
	if (x->v != VERDICT_ACCEPT)
		return 0;
	sqlite3_stmt *k = x->q[Q_DECIDE_BY];
	sqlite3_bind_text(k, 1, x->proposal, -1, SQLITE_STATIC);
	sqlite3_bind_int(k, 2, seq);
	int r = sqlite3_step(k), late = 0;
	int64_t by = 0;
	if (r == SQLITE_ROW && sqlite3_column_type(k, 0) != SQLITE_NULL) {
		by = sqlite3_column_int64(k, 0);
		late = x->at > by;
	}
	sqlite3_reset(k);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return SQL_FAILED;
	if (late) {
		char mine[160], iso[32];
		snprintf(mine, sizeof mine, "%s-%d", x->proposal, seq);
		time_fmt_iso(by, iso);
		diag_add(x->d, D_DECIDE_LATE, NULL, 0, 0, mine, iso);
		return REPORTED;
	}
	return 0;
}

/* Keep in *set only what is not decided the same way already (counted in
 * *n_same), checking each for conflicts. */
static int drop_decided(struct decide *x, struct seqset *set, size_t *n_same)
{
	struct seqset todo = { .n = 0 };
	for (size_t i = 0; i < set->n; i++) {
		int same = same_as_last(x, set->v[i]);
		if (same < 0)
			return same;
		if (same) {
			(*n_same)++;
			continue;
		}
		int r = no_conflict(x, set->v[i]);
		if (r == 0)
			r = not_late(x, set->v[i]);
		if (r < 0)
			return r;
		put(&todo, set->v[i]);   /* a part of set: never full */
	}
	*set = todo;
	return 0;
}

/* Record the decision on each change of set. */
static int insert_all(struct decide *x, const struct seqset *set, const char *who, int64_t at,
		      const char *note)
{
	sqlite3_stmt *ins = x->q[Q_INSERT];
	for (size_t i = 0; i < set->n; i++) {
		sqlite3_bind_text(ins, 1, x->proposal, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 2, set->v[i]);
		sqlite3_bind_text(ins, 3, x->verdict, -1, SQLITE_STATIC);
		sqlite3_bind_int(ins, 7, x->keep);
		sqlite3_bind_text(ins, 4, who, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 5, at);
		if (note)
			sqlite3_bind_text(ins, 6, note, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, 6);
		int r = sqlite3_step(ins);
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		if (r != SQLITE_DONE)
			return SQL_FAILED;
	}
	return 0;
}

int store_decidable(struct store *s, const char *proposal, struct diag *d)
{
	struct decide x = { .q = { 0 }, .proposal = proposal, .v = VERDICT_REJECT, .verdict = "reject", .d = d };
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, SQL_PROPOSAL, -1, &x.q[Q_PROPOSAL], NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, SQL_FEED, -1, &x.q[Q_FEED], NULL) != SQLITE_OK) {
		store_sql_error(s, d);
		goto out;
	}
	int r = check_proposal(s, &x);
	if (r == SQL_FAILED)
		store_sql_error(s, d);
	rc = r == 0 ? 1 : r == REPORTED && d->n && diag_exit_status(d) == DV_EXIT_INPUT ? 0 : -1;
out:
	sqlite3_finalize(x.q[Q_PROPOSAL]);
	sqlite3_finalize(x.q[Q_FEED]);
	return rc;
}

int store_decide(struct store *s, const char *proposal, const int *seqs, size_t n, enum verdict v,
		 const char *who, int64_t at, const char *note, size_t *n_decided, size_t *n_same,
		 struct diag *d)
{
	static const char *const sql[Q__COUNT] = { SQL_PROPOSAL, SQL_CHANGE, SQL_ALL, SQL_PARTNERS,
						   SQL_INSERT, SQL_LAST, SQL_CONFLICT, SQL_FEED,
						   SQL_DECIDE_BY, SQL_SAME_PLACE };
	struct decide x = { .q = { 0 }, .proposal = proposal, .v = v,
			    .verdict = v == VERDICT_ACCEPT ? "accept" : "reject", .keep = v == VERDICT_KEEP,
			    .at = at, .d = d };
	struct seqset set = { .n = 0 };
	int rc = SQL_FAILED, began = 0;
	*n_decided = *n_same = 0;
	if (check_text(who, note, d) < 0)
		return -1;
	for (size_t i = 0; i < Q__COUNT; i++)
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &x.q[i], NULL) != SQLITE_OK)
			goto fail;
	if (store_tx_begin(s, d) < 0) {
		rc = -1;
		goto done;
	}
	began = 1;
	if ((rc = check_proposal(s, &x)) < 0 || (rc = collect(&x, seqs, n, &set)) < 0 ||
	    (rc = drop_decided(&x, &set, n_same)) < 0 || (rc = insert_all(&x, &set, who, at, note)) < 0)
		goto fail;
	if (store_tx_end(s, 1, d) < 0) {
		rc = -1;
		goto done;
	}
	*n_decided = set.n;
	rc = 0;
	goto done;
fail:
	if (rc == SQL_FAILED)
		store_sql_error(s, d);
	if (began)
		store_tx_end(s, 0, d);
	rc = -1;
done:
	for (size_t i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(x.q[i]);
	return rc;
}

int store_each_decision(struct store *s, const char *person,
			int (*fn)(const struct store_decision *, void *), void *arg,
			struct diag *d)
{
	static const char sql[] =
		"SELECT id, proposal_id, seq, verdict, person, practitioner, uid, rid, start_utc,"
		" end_utc, to_date, to_minute, to_venue, who, decided_at, note, keep FROM decisions"
		" WHERE ?1 IS NULL OR person = ?1 ORDER BY id";
	sqlite3_stmt *q = store_stmt(s, sql, d);
	if (!q)
		return -1;
	if (person)
		sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_decision x;
		memset(&x, 0, sizeof x);
		x.id = sqlite3_column_int64(q, 0);
		x.proposal = (const char *)sqlite3_column_text(q, 1);
		x.seq = sqlite3_column_int(q, 2);
		x.accept = !strcmp((const char *)sqlite3_column_text(q, 3), "accept");
		x.verdict = x.accept ? VERDICT_ACCEPT : sqlite3_column_int(q, 16) ? VERDICT_KEEP : VERDICT_REJECT;
		x.person = (const char *)sqlite3_column_text(q, 4);
		store_col_appt(q, 5, &x.appt);
		if (store_col_place(q, 10, &x.to) < 0) {
			store_stmt_done(s, q);
			diag_add(d, D_STORE_SQL, NULL, 0, 0, "a decision with a bad date");
			return -1;
		}
		x.who = (const char *)sqlite3_column_text(q, 13);
		x.at = sqlite3_column_int64(q, 14);
		x.note = (const char *)sqlite3_column_text(q, 15);
		if (fn(&x, arg))
			break;
	}
	int ok = r == SQLITE_ROW || r == SQLITE_DONE;
	store_stmt_done(s, q);
	return ok ? 0 : store_sql_error(s, d);
}
