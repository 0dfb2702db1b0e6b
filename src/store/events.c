/* events.c: read stored occurrences back, in a stable order. */
#include "store_impl.h"

#include <string.h>

static const char *text(sqlite3_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q, i);
}

int store_each_occurrence(struct store *s, int64_t from, int64_t to,
			  int (*fn)(const struct store_occ *, void *), void *arg,
			  struct diag *d)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT o.start_utc, o.end_utc, o.all_day, o.busy, o.tentative, e.uid, o.rid,"
			       " e.summary, e.location, e.status, f.practitioner, f.source, e.kind,"
			       " e.description, e.categories, e.attendees, e.transparent, e.organizer, e.sequence"
			       " FROM occurrence o JOIN event e ON e.id = o.event_id JOIN feed f ON f.id = e.feed_id"
			       " WHERE o.start_utc < ?2 AND (o.end_utc > ?1 OR (o.end_utc = o.start_utc AND o.start_utc >= ?1))"
			       " ORDER BY o.start_utc, o.end_utc, e.uid, o.rid, f.source",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_occ o;
		memset(&o, 0, sizeof o);
		o.start = sqlite3_column_int64(q, 0);
		o.end = sqlite3_column_int64(q, 1);
		o.all_day = sqlite3_column_int(q, 2);
		o.busy = sqlite3_column_int(q, 3);
		o.tentative = sqlite3_column_int(q, 4);
		o.uid = text(q, 5);
		o.rid = text(q, 6);
		o.summary = text(q, 7);
		o.location = text(q, 8);
		o.status = text(q, 9);
		o.practitioner = text(q, 10);
		o.source = text(q, 11);
		o.kind = text(q, 12);
		o.description = text(q, 13);
		o.categories = text(q, 14);
		o.attendees = text(q, 15);
		o.transparent = sqlite3_column_int(q, 16);
		o.organizer = text(q, 17);
		o.sequence = sqlite3_column_int(q, 18);
		if (fn(&o, arg))
			break;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_error(s, d);
	return 0;
}
