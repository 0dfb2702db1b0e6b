/* status.c: each agreed change and where it stands with its practitioner: decided, sent, answered. */
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/xalloc.h"

/* SQL: the SEQUENCE a REQUEST of a's move goes with (docs/send.md): the
 * feed's SEQUENCE of the occurrence, plus the accepts on it */
#define FEED_SEQUENCE(a)                                                                            \
	"coalesce((SELECT max(e.sequence) FROM occurrence o JOIN event e ON e.id = o.event_id"        \
	" WHERE e.uid = " a ".uid AND o.rid = " a ".rid), 0)"
#define ACCEPTS(a)                                                                                  \
	"(SELECT count(*) FROM decisions g WHERE g.person = " a ".person AND g.practitioner = " a     \
	".practitioner AND g.uid = " a ".uid AND g.rid = " a ".rid AND g.start_utc = " a ".start_utc" \
	" AND g.verdict = 'accept')"

/* The accept in force on each appointment (its last accept or keep is an
 * accept), with the last message sent and the last answer about it. */
static const char SQL_STATUS[] =
	"SELECT d.practitioner, d.uid, d.rid, d.start_utc, d.end_utc, d.to_date, d.to_minute, d.to_venue,"
	" d.proposal_id, d.seq, d.who, d.decided_at,"
	" s.sent_at, s.method, s.sequence,"
	" r.kind, r.received_at, r.sequence, r.suggested_start, r.suggested_end,"
	" " FEED_SEQUENCE("d") " + " ACCEPTS("d") ","
	" z.kind, z.received_at, z.id = r.id"
	" FROM decisions d"
	" LEFT JOIN sent s ON s.id = (SELECT max(x.id) FROM sent x WHERE x.person = d.person"
	"   AND x.practitioner = d.practitioner AND x.uid = d.uid AND x.rid = d.rid)"
	" LEFT JOIN replies r ON r.id = (SELECT max(y.id) FROM replies y WHERE y.person = d.person"
	"   AND y.practitioner = d.practitioner AND y.uid = d.uid AND y.rid = d.rid)"
	/* the refusal of this very change that stands, as week_apply_decisions
	 * reads it: a decline, declined counter or counter of it at the
	 * SEQUENCE sent (a later ACCEPTED or TENTATIVE does not put the move
	 * back, docs/replies.md) */
	" LEFT JOIN replies z ON z.id = (SELECT max(v.id) FROM replies v WHERE v.person = d.person"
	"   AND v.practitioner = d.practitioner AND v.uid = d.uid AND v.rid = d.rid"
	"   AND v.start_utc = d.start_utc AND v.proposal_id = d.proposal_id AND v.seq = d.seq"
	"   AND v.kind IN ('declined', 'declinecounter', 'counter')"
	"   AND v.sequence = " FEED_SEQUENCE("v")
	"   + CASE WHEN v.kind = 'declinecounter' THEN 0 ELSE " ACCEPTS("v") " END)"
	" WHERE d.person = ?1 AND d.verdict = 'accept' AND d.id = (SELECT max(e.id) FROM decisions e"
	"   WHERE e.person = d.person AND e.practitioner = d.practitioner AND e.uid = d.uid"
	"   AND e.rid = d.rid AND e.start_utc = d.start_utc AND (e.verdict = 'accept' OR e.keep = 1))"
	"   AND" STORE_SQL_NOT_UNDONE("d")
	" ORDER BY d.to_date, d.to_minute, d.practitioner, d.uid, d.rid";

/* The changes undone by a practitioner's answer to another change of their
 * group (docs/replies.md): each decline, declined counter or counter that
 * still stands as week_apply_decisions reads it (the last accept on its
 * appointment is still the change it answered, and the SEQUENCE answered
 * is still the one sent), then the changes of its group as accept decides
 * one, partners of partners too; each with who answered. */
static const char SQL_UNDONE[] =
	"WITH RECURSIVE dec(proposal_id, seq, by, at) AS ("
	"  SELECT r.proposal_id, r.seq, r.practitioner, r.received_at FROM replies r"
	"  WHERE r.person = ?1 AND r.kind IN ('declined', 'declinecounter', 'counter')"
	"  AND EXISTS (SELECT 1 FROM decisions e WHERE e.id = (SELECT max(f.id) FROM decisions f"
	"    WHERE f.person = r.person AND f.practitioner = r.practitioner AND f.uid = r.uid AND f.rid = r.rid"
	"    AND f.start_utc = r.start_utc AND (f.verdict = 'accept' OR f.keep = 1))"
	"    AND e.verdict = 'accept' AND e.proposal_id = r.proposal_id AND e.seq = r.seq"
	"    AND" STORE_SQL_NOT_UNDONE("e") ")"
	/* ... and at the SEQUENCE that was sent: the feed's, plus the accepts
	 * for an answer to a REQUEST (not a later revision's, nor after the
	 * feed moved on) */
	"  AND r.sequence = " FEED_SEQUENCE("r")
	"   + CASE WHEN r.kind = 'declinecounter' THEN 0 ELSE " ACCEPTS("r") " END),"
	" grp(proposal_id, seq, by, at) AS (SELECT proposal_id, seq, by, at FROM dec UNION"
	"  SELECT c.proposal_id, c.seq, g.by, g.at FROM grp g" STORE_SQL_PARTNERS_OF("g") " UNION"
	"  SELECT c.proposal_id, c.seq, g.by, g.at FROM grp g" STORE_SQL_PARTNERS_BACK("g") ")"
	" SELECT g.proposal_id, g.seq, min(g.by), max(g.at) FROM grp g"
	" WHERE NOT EXISTS (SELECT 1 FROM dec x WHERE x.proposal_id = g.proposal_id AND x.seq = g.seq)"
	" GROUP BY g.proposal_id, g.seq";

struct undone {
	char *proposal, *by;
	int seq;
	int64_t at;
};

static int each_row(struct store *s, const char *person, const struct undone *un, size_t n_un,
		    int (*fn)(const struct store_status_row *, void *), void *arg, struct diag *d);

int store_each_status(struct store *s, const char *person,
		      int (*fn)(const struct store_status_row *, void *), void *arg, struct diag *d)
{
	struct undone *un = NULL;
	size_t n_un = 0;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, SQL_UNDONE, -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		un = xreallocarray(un, n_un + 1, sizeof *un);
		un[n_un++] = (struct undone){ xstrdup((const char *)sqlite3_column_text(q, 0)),
					      xstrdup((const char *)sqlite3_column_text(q, 2)), sqlite3_column_int(q, 1),
					      sqlite3_column_int64(q, 3) };
	}
	sqlite3_finalize(q);
	q = NULL;
	int rc = r == SQLITE_DONE ? each_row(s, person, un, n_un, fn, arg, d) : store_sql_error(s, d);
	for (size_t i = 0; i < n_un; i++) {
		free(un[i].proposal);
		free(un[i].by);
	}
	free(un);
	return rc;
}

static int each_row(struct store *s, const char *person, const struct undone *un, size_t n_un,
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
		x.move_sequence = sqlite3_column_int(q, 20);
		x.refused = (const char *)sqlite3_column_text(q, 21);
		x.refused_at = sqlite3_column_int64(q, 22);
		x.refused_last = sqlite3_column_int(q, 23);
		for (size_t i = 0; i < n_un && !x.undone_by; i++)
			if (un[i].seq == x.seq && !strcmp(un[i].proposal, x.proposal)) {
				x.undone_by = un[i].by;
				x.undone_at = un[i].at;
			}
		if (fn(&x, arg))
			break;
	}
	int ok = r == SQLITE_ROW || r == SQLITE_DONE;
	sqlite3_finalize(q);
	return ok ? 0 : store_sql_error(s, d);
}

void store_status_standing(const struct store_status_row *x, int64_t now, struct store_standing *out)
{
	out->answered = x->answer && (!x->sent || x->answer_sequence >= x->sent_sequence);
	out->revision = x->undone_by && x->sent && x->sent_sequence > x->move_sequence;
	out->to_revision = x->answer && x->undone_by && x->answer_sequence > x->move_sequence;
	out->waiting = x->sent && !out->answered && (!x->undone_by || out->revision);
	out->days = out->waiting && now > x->sent_at ? (long)((now - x->sent_at) / 86400) : 0;
}
