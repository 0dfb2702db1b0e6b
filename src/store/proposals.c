/* proposals.c: keep the proposals propose printed, as one transaction, and read one back. */
#include "store_impl.h"
#include "dovetail/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every column of proposals but id and created_at, in bind order ?2 ... */
#define PROPOSAL_COLUMNS \
	"person, horizon_from, horizon_to, kind, rank, ladder, objective, proven, gap, capped," \
	" unplaced, created_at," \
	" before_journeys, before_travel_minutes, before_travel_money, before_clashes," \
	" before_routine_conflicts, before_peak_energy, before_unfamiliar_max, before_appointments," \
	" after_journeys, after_travel_minutes, after_travel_money, after_clashes," \
	" after_routine_conflicts, after_peak_energy, after_unfamiliar_max, after_appointments"

#define TOTALS_UPDATE(w) \
	w "_journeys = excluded." w "_journeys, " \
	w "_travel_minutes = excluded." w "_travel_minutes, " \
	w "_travel_money = excluded." w "_travel_money, " \
	w "_clashes = excluded." w "_clashes, " \
	w "_routine_conflicts = excluded." w "_routine_conflicts, " \
	w "_peak_energy = excluded." w "_peak_energy, " \
	w "_unfamiliar_max = excluded." w "_unfamiliar_max, " \
	w "_appointments = excluded." w "_appointments"

/* Same id: replace every column but created_at (when first proposed). */
static const char SQL_PROPOSAL[] =
	"INSERT INTO proposals (id, " PROPOSAL_COLUMNS ") VALUES"
	" (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"
	" ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)"
	" ON CONFLICT (id) DO UPDATE SET person = excluded.person,"
	" horizon_from = excluded.horizon_from, horizon_to = excluded.horizon_to,"
	" kind = excluded.kind, rank = excluded.rank, ladder = excluded.ladder,"
	" objective = excluded.objective, proven = excluded.proven, gap = excluded.gap,"
	" capped = excluded.capped, unplaced = excluded.unplaced, "
	TOTALS_UPDATE("before") ", " TOTALS_UPDATE("after");

#define CHANGE_COLUMNS \
	"practitioner, uid, rid, start_utc, end_utc, from_date, from_minute, from_venue," \
	" to_date, to_minute, to_venue, is_move, is_venue, is_joint, reason, decide_by"

/* Changes are updated in place, not deleted and inserted again, so that
 * rows which refer to (proposal_id, seq) survive a re-save. */
static const char SQL_CHANGE[] =
	"INSERT INTO changes (proposal_id, seq, " CHANGE_COLUMNS ") VALUES"
	" (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
	" ON CONFLICT (proposal_id, seq) DO UPDATE SET practitioner = excluded.practitioner,"
	" uid = excluded.uid, rid = excluded.rid, start_utc = excluded.start_utc,"
	" end_utc = excluded.end_utc, from_date = excluded.from_date,"
	" from_minute = excluded.from_minute, from_venue = excluded.from_venue,"
	" to_date = excluded.to_date, to_minute = excluded.to_minute, to_venue = excluded.to_venue,"
	" is_move = excluded.is_move, is_venue = excluded.is_venue, is_joint = excluded.is_joint,"
	" reason = excluded.reason, decide_by = excluded.decide_by";

static const char SQL_TRIM[] = "DELETE FROM changes WHERE proposal_id = ?1 AND seq > ?2";
static const char SQL_UNJOIN[] = "DELETE FROM joint_partners WHERE proposal_id = ?1";
static const char SQL_JOIN[] =
	"INSERT INTO joint_partners (proposal_id, seq, n, practitioner, uid, rid, start_utc, end_utc)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

static const char SQL_UNPLACE_ALL[] = "DELETE FROM unplaced WHERE proposal_id = ?1";
static const char SQL_UNPLACE[] =
	"INSERT INTO unplaced (proposal_id, n, practitioner, uid, rid, start_utc, end_utc, reason)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

enum { Q_PROPOSAL, Q_CHANGE, Q_TRIM, Q_UNJOIN, Q_JOIN, Q_UNPLACE_ALL, Q_UNPLACE, Q__COUNT };

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

static void bind_date(sqlite3_stmt *q, int i, int64_t date)
{
	char buf[16];
	time_fmt_date(date, buf, sizeof buf);
	sqlite3_bind_text(q, i, buf, -1, SQLITE_TRANSIENT);
}

/* Bind t as the 8 totals columns from index i. */
static void bind_totals(sqlite3_stmt *q, int i, const struct store_totals *t)
{
	sqlite3_bind_int(q, i, t->journeys);
	sqlite3_bind_int(q, i + 1, t->travel_min);
	sqlite3_bind_double(q, i + 2, t->travel_cost);
	sqlite3_bind_int(q, i + 3, t->clashes);
	sqlite3_bind_int(q, i + 4, t->routine_conflicts);
	sqlite3_bind_double(q, i + 5, t->peak_energy);
	sqlite3_bind_int(q, i + 6, t->unfamiliar_max);
	sqlite3_bind_int(q, i + 7, t->placed);
}

/* Run a bound statement that returns no rows; reset it. Returns 0 or -1
 * (the connection's error left for store_sql_error). */
static int run(sqlite3_stmt *q)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Write the proposal row of p. */
static int save_row(sqlite3_stmt *x, const struct store_proposal *p)
{
	sqlite3_bind_text(x, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(x, 2, p->person, -1, SQLITE_STATIC);
	bind_date(x, 3, p->from_date);
	bind_date(x, 4, p->to_date);
	sqlite3_bind_text(x, 5, p->kind == STORE_LADDER ? "ladder" : "ranked", -1, SQLITE_STATIC);
	sqlite3_bind_int(x, 6, p->rank);
	if (p->ladder >= 0)
		sqlite3_bind_int(x, 7, p->ladder);
	sqlite3_bind_double(x, 8, p->objective);
	sqlite3_bind_int(x, 9, !!p->proven);
	sqlite3_bind_double(x, 10, p->gap);
	sqlite3_bind_int(x, 11, !!p->capped);
	sqlite3_bind_int(x, 12, p->unplaced);
	sqlite3_bind_int64(x, 13, p->created);
	bind_totals(x, 14, &p->before);
	bind_totals(x, 22, &p->after);
	return run(x);
}

/* Write change c of p (numbered c + 1) and its joint partners. */
static int save_change(sqlite3_stmt **q, const struct store_proposal *p, size_t c)
{
	const struct store_change *ch = &p->changes[c];
	sqlite3_stmt *x = q[Q_CHANGE];
	sqlite3_bind_text(x, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(x, 2, (int64_t)c + 1);
	sqlite3_bind_text(x, 3, ch->ch.appt.practitioner, -1, SQLITE_STATIC);
	sqlite3_bind_text(x, 4, ch->ch.appt.uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(x, 5, ch->ch.appt.rid ? ch->ch.appt.rid : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(x, 6, ch->ch.appt.start);
	sqlite3_bind_int64(x, 7, ch->ch.appt.end);
	bind_date(x, 8, ch->ch.from.date);
	sqlite3_bind_int(x, 9, ch->ch.from.start);
	bind_text(x, 10, ch->ch.from.venue);
	bind_date(x, 11, ch->ch.to.date);
	sqlite3_bind_int(x, 12, ch->ch.to.start);
	bind_text(x, 13, ch->ch.to.venue);
	sqlite3_bind_int(x, 14, !!(ch->ch.kind & CHANGE_MOVE));
	sqlite3_bind_int(x, 15, !!(ch->ch.kind & CHANGE_VENUE));
	sqlite3_bind_int(x, 16, !!(ch->ch.kind & CHANGE_JOINT));
	sqlite3_bind_text(x, 17, ch->reason ? ch->reason : "", -1, SQLITE_STATIC);
	if (ch->decide_by)
		sqlite3_bind_int64(x, 18, ch->decide_by);
	else
		sqlite3_bind_null(x, 18);
	if (run(x) < 0)
		return -1;
	for (size_t k = 0; k < ch->n_with; k++) {
		const struct appt_ref *w = &ch->with[k];
		x = q[Q_JOIN];
		sqlite3_bind_text(x, 1, p->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(x, 2, (int64_t)c + 1);
		sqlite3_bind_int64(x, 3, (int64_t)k + 1);
		sqlite3_bind_text(x, 4, w->practitioner, -1, SQLITE_STATIC);
		sqlite3_bind_text(x, 5, w->uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(x, 6, w->rid ? w->rid : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(x, 7, w->start);
		sqlite3_bind_int64(x, 8, w->end);
		if (run(x) < 0)
			return -1;
	}
	return 0;
}

/* Write the appointments p leaves unplaced, in place of those stored. */
static int save_unplaced(sqlite3_stmt **q, const struct store_proposal *p)
{
	sqlite3_stmt *x = q[Q_UNPLACE_ALL];
	sqlite3_bind_text(x, 1, p->id, -1, SQLITE_STATIC);
	if (run(x) < 0)
		return -1;
	for (size_t u = 0; u < p->n_unplaced_v; u++) {
		const struct store_unplaced *un = &p->unplaced_v[u];
		x = q[Q_UNPLACE];
		sqlite3_bind_text(x, 1, p->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(x, 2, (int64_t)u + 1);
		sqlite3_bind_text(x, 3, un->appt.practitioner, -1, SQLITE_STATIC);
		sqlite3_bind_text(x, 4, un->appt.uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(x, 5, un->appt.rid ? un->appt.rid : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(x, 6, un->appt.start);
		sqlite3_bind_int64(x, 7, un->appt.end);
		sqlite3_bind_text(x, 8, un->reason ? un->reason : "", -1, SQLITE_STATIC);
		if (run(x) < 0)
			return -1;
	}
	return 0;
}

/* Write proposal p whole: its row, changes, partners and unplaced
 * appointments, and drop the changes past its last. */
static int save_one(sqlite3_stmt **q, const struct store_proposal *p)
{
	if (save_row(q[Q_PROPOSAL], p) < 0)
		return -1;
	sqlite3_stmt *x = q[Q_UNJOIN];
	sqlite3_bind_text(x, 1, p->id, -1, SQLITE_STATIC);
	if (run(x) < 0)
		return -1;
	for (size_t c = 0; c < p->n_changes; c++)
		if (save_change(q, p, c) < 0)
			return -1;
	if (save_unplaced(q, p) < 0)
		return -1;
	x = q[Q_TRIM];
	sqlite3_bind_text(x, 1, p->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(x, 2, (int64_t)p->n_changes);
	return run(x);
}

/* The contract's preconditions; what SQL would not catch, or catch late. */
static int valid(const struct store_proposal *v, size_t n, struct diag *d)
{
	for (size_t i = 0; i < n; i++) {
		const struct store_proposal *p = &v[i];
		if (!p->id || !*p->id || !p->person || (p->n_changes && !p->changes)) {
			diag_add(d, D_INTERNAL, NULL, 0, 0, "store_save_proposals: a proposal without id, person or changes");
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(v[j].id, p->id) == 0) {
				char msg[128];
				snprintf(msg, sizeof msg, "store_save_proposals: proposal %.40s given twice", p->id);
				diag_add(d, D_INTERNAL, NULL, 0, 0, msg);
				return -1;
			}
		}
		for (size_t u = 0; u < p->n_unplaced_v; u++) {
			if (!p->unplaced_v[u].appt.practitioner || !p->unplaced_v[u].appt.uid) {
				diag_add(d, D_INTERNAL, NULL, 0, 0,
					 "store_save_proposals: an unplaced appointment without practitioner or UID");
				return -1;
			}
		}
		for (size_t c = 0; c < p->n_changes; c++) {
			const struct store_change *ch = &p->changes[c];
			int bad = !ch->ch.appt.practitioner || !ch->ch.appt.uid || ch->n_with > STORE_MAX_JOINT;
			for (size_t k = 0; k < ch->n_with && !bad; k++)
				bad = !ch->with[k].practitioner || !ch->with[k].uid;
			if (bad) {
				diag_add(d, D_INTERNAL, NULL, 0, 0,
					 "store_save_proposals: a change without practitioner or UID, or with too many partners");
				return -1;
			}
		}
	}
	return 0;
}

/* The proposals of one save are one propose run: the person's next run
 * number (taken for all of them before any is marked), the feeds their
 * week was read from, and the last decision stored now (docs/decisions.md,
 * "Superseded"). */
static int mark_run(struct store *s, const struct store_proposal *v, size_t n)
{
	static const char next_sql[] =
		"SELECT coalesce(max(run), 0) + 1 FROM proposals WHERE person = ?1";
	static const char mark_sql[] =
		"UPDATE proposals SET run = ?2, feeds = ?3,"
		" decisions_seen = (SELECT coalesce(max(id), 0) FROM decisions) WHERE id = ?1";
	sqlite3_stmt *next = NULL, *mark = NULL;
	int64_t *runs = xcalloc(n + 1, sizeof *runs);
	int rc = -1;
	if (sqlite3_prepare_v2(s->db, next_sql, -1, &next, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, mark_sql, -1, &mark, NULL) != SQLITE_OK)
		goto out;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(next, 1, v[i].person, -1, SQLITE_STATIC);
		if (sqlite3_step(next) != SQLITE_ROW)
			goto out;
		runs[i] = sqlite3_column_int64(next, 0);
		sqlite3_reset(next);
	}
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(mark, 1, v[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(mark, 2, runs[i]);
		sqlite3_bind_text(mark, 3, v[i].feeds ? v[i].feeds : "", -1, SQLITE_STATIC);
		if (run(mark) < 0)
			goto out;
	}
	rc = 0;
out:
	free(runs);
	sqlite3_finalize(next);
	sqlite3_finalize(mark);
	return rc;
}

int store_save_proposals(struct store *s, const struct store_proposal *v, size_t n, struct diag *d)
{
	static const char *const sql[Q__COUNT] = { SQL_PROPOSAL, SQL_CHANGE, SQL_TRIM, SQL_UNJOIN, SQL_JOIN,
		SQL_UNPLACE_ALL, SQL_UNPLACE };
	if (valid(v, n, d) < 0)
		return -1;
	if (!n)
		return 0;
	sqlite3_stmt *q[Q__COUNT] = { 0 };
	int rc = -1, began = 0;
	for (size_t i = 0; i < Q__COUNT; i++)
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &q[i], NULL) != SQLITE_OK)
			goto fail;
	if (store_tx_begin(s, d) < 0)
		goto done;
	began = 1;
	for (size_t i = 0; i < n; i++)
		if (save_one(q, &v[i]) < 0)
			goto fail;
	if (mark_run(s, v, n) < 0)
		goto fail;
	if (store_tx_end(s, 1, d) == 0)
		rc = 0;
	goto done;
fail:
	store_sql_error(s, d);
	if (began)
		store_tx_end(s, 0, d);
done:
	for (size_t i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(q[i]);
	return rc;
}

/* ---- reading back ------------------------------------------------------------ */

/* A copy of column i (NULL stays NULL). */
static char *dup_col(sqlite3_stmt *q, int i)
{
	const char *t = (const char *)sqlite3_column_text(q, i);
	return t ? xstrdup(t) : NULL;
}

int store_col_date(sqlite3_stmt *q, int i, int64_t *out)
{
	const char *t = (const char *)sqlite3_column_text(q, i);
	int64_t sec;
	if (!t || time_parse_arg(t, &sec) < 0 || sec % 86400 != 0)
		return -1;
	*out = sec / 86400;
	return 0;
}

void store_col_appt(sqlite3_stmt *q, int i, struct appt_ref *out)
{
	out->practitioner = (const char *)sqlite3_column_text(q, i);
	out->uid = (const char *)sqlite3_column_text(q, i + 1);
	out->rid = (const char *)sqlite3_column_text(q, i + 2);
	out->start = sqlite3_column_int64(q, i + 3);
	out->end = sqlite3_column_int64(q, i + 4);
}

int store_col_place(sqlite3_stmt *q, int i, struct place *out)
{
	out->start = sqlite3_column_int(q, i + 1);
	out->venue = (const char *)sqlite3_column_text(q, i + 2);
	return store_col_date(q, i, &out->date);
}

static void col_totals(sqlite3_stmt *q, int i, struct store_totals *t)
{
	t->journeys = sqlite3_column_int(q, i);
	t->travel_min = sqlite3_column_int(q, i + 1);
	t->travel_cost = sqlite3_column_double(q, i + 2);
	t->clashes = sqlite3_column_int(q, i + 3);
	t->routine_conflicts = sqlite3_column_int(q, i + 4);
	t->peak_energy = sqlite3_column_double(q, i + 5);
	t->unfamiliar_max = sqlite3_column_int(q, i + 6);
	t->placed = sqlite3_column_int(q, i + 7);
}

static void ref_release(struct appt_ref *r)
{
	free((void *)r->practitioner);
	free((void *)r->uid);
	free((void *)r->rid);
}

void store_proposal_free(struct store_proposal *p)
{
	if (!p)
		return;
	struct store_change *cs = (struct store_change *)p->changes;
	for (size_t c = 0; c < p->n_changes; c++) {
		ref_release(&cs[c].ch.appt);
		for (size_t k = 0; k < cs[c].n_with; k++)
			ref_release(&cs[c].with[k]);
		free((void *)cs[c].ch.from.venue);
		free((void *)cs[c].ch.to.venue);
		free((void *)cs[c].reason);
	}
	free(cs);
	struct store_unplaced *us = (struct store_unplaced *)p->unplaced_v;
	for (size_t u = 0; u < p->n_unplaced_v; u++) {
		ref_release(&us[u].appt);
		free((void *)us[u].reason);
	}
	free(us);
	free((void *)p->id);
	free((void *)p->person);
	free(p);
}

/* Fill *r from columns i .. i + 4 (practitioner, uid, rid, start, end). */
static void col_ref(sqlite3_stmt *q, int i, struct appt_ref *r)
{
	r->practitioner = dup_col(q, i);
	r->uid = dup_col(q, i + 1);
	r->rid = dup_col(q, i + 2);
	r->start = sqlite3_column_int64(q, i + 3);
	r->end = sqlite3_column_int64(q, i + 4);
}

/* Report a row that breaks what save writes, as D_STORE_SQL. */
static int corrupt(struct diag *d, const char *id, const char *what)
{
	char msg[160];
	snprintf(msg, sizeof msg, "stored proposal %.40s: %s", id, what);
	diag_add(d, D_STORE_SQL, NULL, 0, 0, msg);
	return -1;
}

/* Read the changes of p (id p->id), in order, into p->changes. 0 or -1. */
static int load_change_rows(struct store *s, struct store_proposal *p, struct diag *d)
{
	sqlite3_stmt *q;
	int rc, bad = 0;
	size_t cap = 0;
	struct store_change *cs = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT seq, practitioner, uid, rid, start_utc, end_utc, from_date, from_minute,"
			       " from_venue, to_date, to_minute, to_venue, is_move, is_venue, is_joint, reason"
			       " FROM changes WHERE proposal_id = ?1 ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, p->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_change *ch = BUF_PUSH(cs, p->n_changes, cap);
		memset(ch, 0, sizeof *ch);
		p->changes = cs;
		if (sqlite3_column_int64(q, 0) != (int64_t)p->n_changes)
			bad = 1;
		col_ref(q, 1, &ch->ch.appt);
		if (store_col_date(q, 6, &ch->ch.from.date) < 0 || store_col_date(q, 9, &ch->ch.to.date) < 0)
			bad = 1;
		ch->ch.from.start = sqlite3_column_int(q, 7);
		ch->ch.from.venue = dup_col(q, 8);
		ch->ch.to.start = sqlite3_column_int(q, 10);
		ch->ch.to.venue = dup_col(q, 11);
		ch->ch.kind = (sqlite3_column_int(q, 12) ? CHANGE_MOVE : 0) |
			   (sqlite3_column_int(q, 13) ? CHANGE_VENUE : 0) |
			   (sqlite3_column_int(q, 14) ? CHANGE_JOINT : 0);
		ch->reason = dup_col(q, 15);
		if (bad)
			break;
	}
	sqlite3_finalize(q);
	if (bad)
		return corrupt(d, p->id, "its changes are not numbered 1, 2, ... or have a bad date");
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_error(s, d);
	return 0;
}

/* Read the joint partners of p's changes (loaded) into them. 0 or -1. */
static int load_partners(struct store *s, struct store_proposal *p, struct diag *d)
{
	struct store_change *cs = (struct store_change *)p->changes;
	sqlite3_stmt *q;
	int rc, bad = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT seq, practitioner, uid, rid, start_utc, end_utc FROM joint_partners"
			       " WHERE proposal_id = ?1 ORDER BY seq, n",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, p->id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(q, 0);
		if (seq < 1 || (uint64_t)seq > p->n_changes || cs[seq - 1].n_with == STORE_MAX_JOINT) {
			bad = 1;
			break;
		}
		struct store_change *ch = &cs[seq - 1];
		col_ref(q, 1, &ch->with[ch->n_with++]);
	}
	sqlite3_finalize(q);
	if (bad)
		return corrupt(d, p->id, "a joint partner of no change, or too many");
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_error(s, d);
	return 0;
}

/* Read the appointments p left unplaced into p->unplaced_v. 0 or -1. */
static int load_unplaced(struct store *s, struct store_proposal *p, struct diag *d)
{
	sqlite3_stmt *q;
	int rc;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT practitioner, uid, rid, start_utc, end_utc, reason FROM unplaced"
			       " WHERE proposal_id = ?1 ORDER BY n",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, p->id, -1, SQLITE_STATIC);
	struct store_unplaced *us = NULL;
	size_t ucap = 0;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_unplaced *u = BUF_PUSH(us, p->n_unplaced_v, ucap);
		p->unplaced_v = us;
		memset(u, 0, sizeof *u);
		col_ref(q, 0, &u->appt);
		u->reason = dup_col(q, 5);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_error(s, d);
	return 0;
}

/* Read the changes, partners and unplaced appointments of p (id p->id)
 * into p. 0 or -1. */
static int load_changes(struct store *s, struct store_proposal *p, struct diag *d)
{
	if (load_change_rows(s, p, d) < 0 || load_partners(s, p, d) < 0)
		return -1;
	return load_unplaced(s, p, d);
}

/* Read the proposal row, then its changes and partners. */
static int load(struct store *s, const char *id, struct store_proposal **out, struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE id = ?1", -1, &q,
			       NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(q);
		return rc == SQLITE_DONE ? 0 : store_sql_error(s, d);
	}
	struct store_proposal *p = xcalloc(1, sizeof *p);
	p->id = xstrdup(id);
	p->person = dup_col(q, 0);
	int bad = store_col_date(q, 1, &p->from_date) < 0 || store_col_date(q, 2, &p->to_date) < 0;
	const char *kind = (const char *)sqlite3_column_text(q, 3);
	p->kind = kind && strcmp(kind, "ladder") == 0 ? STORE_LADDER : STORE_RANKED;
	p->rank = sqlite3_column_int(q, 4);
	p->ladder = sqlite3_column_type(q, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 5);
	p->objective = sqlite3_column_double(q, 6);
	p->proven = sqlite3_column_int(q, 7);
	p->gap = sqlite3_column_double(q, 8);
	p->capped = sqlite3_column_int(q, 9);
	p->unplaced = sqlite3_column_int(q, 10);
	p->created = sqlite3_column_int64(q, 11);
	col_totals(q, 12, &p->before);
	col_totals(q, 20, &p->after);
	sqlite3_finalize(q);
	if (bad) {
		store_proposal_free(p);
		return corrupt(d, id, "a bad horizon date");
	}
	if (load_changes(s, p, d) < 0) {
		store_proposal_free(p);
		return -1;
	}
	*out = p;
	return 1;
}

int store_load_proposal(struct store *s, const char *id, struct store_proposal **out, struct diag *d)
{
	*out = NULL;
	/* one read transaction: the three queries see the same save */
	if (sqlite3_exec(s->db, "SAVEPOINT load_proposal", NULL, NULL, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	int rc = load(s, id, out, d);
	sqlite3_exec(s->db, "RELEASE load_proposal", NULL, NULL, NULL);
	return rc;
}

int store_latest_proposal(struct store *s, const char *person, char *id, size_t sz, struct diag *d)
{
	static const char sql[] = "SELECT id FROM proposals WHERE kind = 'ranked' AND rank = 1"
				  " AND (?1 IS NULL OR person = ?1)"
				  " ORDER BY created_at DESC, rowid DESC LIMIT 1";
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(q);
		return store_sql_error(s, d);
	}
	int r = sqlite3_step(q), found = 0;
	if (r == SQLITE_ROW) {
		snprintf(id, sz, "%s", (const char *)sqlite3_column_text(q, 0));
		found = 1;
	}
	sqlite3_finalize(q);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_sql_error(s, d);
	return found;
}
