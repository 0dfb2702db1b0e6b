/* store_impl.h: what the store's own files share; not part of the API. */
#ifndef DOVETAIL_STORE_IMPL_H
#define DOVETAIL_STORE_IMPL_H

#include <sqlite3.h>

#include "dovetail/store.h"

#define STORE_STMT_CACHE 16      /* statements store_stmt() keeps prepared */

/* SQL: from row g (proposal_id, seq: a change), the changes of the same
 * proposal that are its joint partners, that it makes room for or that
 * make room for it, as c (the joint_partners table; a group is these,
 * walked to the end: accept decides it whole, a decline undoes it whole) */
/* SQL: accept decision d is not undone by a later reject ("not this
 * time") of that very placement of its appointment (docs/decisions.md,
 * "What a decision means"; week_apply_decisions reads it so) */
#define STORE_SQL_NOT_UNDONE(d)                                                                      \
	" NOT EXISTS (SELECT 1 FROM decisions u WHERE u.person = " d ".person AND u.id > " d ".id"    \
	" AND u.verdict = 'reject' AND u.keep = 0 AND u.practitioner = " d ".practitioner"             \
	" AND u.uid = " d ".uid AND u.rid = " d ".rid AND u.start_utc = " d ".start_utc"               \
	" AND u.to_date = " d ".to_date AND u.to_minute = " d ".to_minute AND u.to_venue IS " d ".to_venue)"
#define STORE_SQL_PARTNERS_OF(g)                                                                     \
	" JOIN joint_partners j ON j.proposal_id = " g ".proposal_id AND j.seq = " g ".seq"          \
	" JOIN changes c ON c.proposal_id = j.proposal_id AND c.practitioner = j.practitioner"       \
	" AND c.uid = j.uid AND c.rid = j.rid AND c.start_utc = j.start_utc"
/* ... and the changes c that list change g as their partner: the relation
 * is read both ways, so that a group is whole even where one side's list
 * was cut at STORE_MAX_JOINT (a change many others make room for) */
#define STORE_SQL_PARTNERS_BACK(g)                                                                   \
	" JOIN changes m ON m.proposal_id = " g ".proposal_id AND m.seq = " g ".seq"                 \
	" JOIN joint_partners j ON j.proposal_id = m.proposal_id AND j.practitioner = m.practitioner" \
	" AND j.uid = m.uid AND j.rid = m.rid AND j.start_utc = m.start_utc"                         \
	" JOIN changes c ON c.proposal_id = j.proposal_id AND c.seq = j.seq"

struct store {
	sqlite3 *db;
	struct {
		const char *sql;          /* the call site's string constant */
		sqlite3_stmt *q;
	} cache[STORE_STMT_CACHE];
	size_t n_cache;
	int depth;                /* open transactions: the outermost, then savepoints */
	int hold_fd[STORE_HOLDS]; /* 1 + the descriptor holding each lock of
				     store_hold, 0: not held */
};

/* The prepared statement of sql, a string constant (the cache is keyed by
 * its address: a fixed set of call sites, at most STORE_STMT_CACHE),
 * ready to bind: reset and with no bindings. The store owns it (never
 * finalize it); reset it after its last step, or give it to
 * store_stmt_done. Prepared once per store: the statements of a batch's
 * many small transactions, and of each person's reads, are not parsed
 * again each time. While the cached one is mid-iteration (a callback
 * further down asks for the same sql), a statement of its own is
 * prepared: give that one to store_stmt_done, which finalizes it. NULL
 * with d filled when it cannot be prepared. */
sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct diag *d);
/* Done with q from store_stmt: reset when cached, else finalized. */
void store_stmt_done(struct store *s, sqlite3_stmt *q);

/* Report the connection's last error as D_STORE_SQL; returns -1. */
int store_sql_error(struct store *s, struct diag *d);

/* A write transaction: begin (BEGIN IMMEDIATE), then end it with ok set
 * (COMMIT; a failed commit rolls back) or not (ROLLBACK). Both return 0,
 * or -1 with d filled (end also returns -1 when it rolled back). Inside
 * another (a group, store_group_begin), a transaction is a savepoint:
 * its end releases it or rolls back to it, and the outermost commits. */
int store_tx_begin(struct store *s, struct diag *d);
int store_tx_end(struct store *s, int ok, struct diag *d);

/* Column i, a stored YYYY-MM-DD, as days since the epoch in *out;
 * returns 0, or -1 when it is not one. */
int store_col_date(sqlite3_stmt *q, int i, int64_t *out);
/* Columns i .. i+4 (practitioner, uid, rid, start_utc, end_utc) as an
 * appointment reference; the strings live until the next step. */
void store_col_appt(sqlite3_stmt *q, int i, struct appt_ref *out);
/* Columns i .. i+2 (to_date, to_minute, to_venue) as a place; returns 0,
 * or -1 when the date is not one. */
int store_col_place(sqlite3_stmt *q, int i, struct place *out);

#endif
