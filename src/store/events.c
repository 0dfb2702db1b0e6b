/* events.c: read stored occurrences back, in a stable order. */
#include "store_impl.h"
#include "dovetail/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *text(sqlite3_stmt *q, int i)
{
	return (const char *)sqlite3_column_text(q, i);
}

int store_each_occurrence(struct store *s, int64_t from, int64_t to,
			  int (*fn)(const struct store_occ *, void *), void *arg,
			  struct diag *d)
{
	return store_each_occurrence_in(s, NULL, 0, from, to, fn, arg, d);
}

/* sources as a JSON array, for json_each() */
static char *json_list(const char *const *v, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		xalloc_die();   /* a memory stream fails only when out of memory */
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\"" : "\"", f);
		for (const unsigned char *c = (const unsigned char *)v[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				fprintf(f, "\\%c", *c);
			else if (*c < 0x20)
				fprintf(f, "\\u%04x", *c);
			else
				fputc(*c, f);
		}
		fputc('"', f);
	}
	fputc(']', f);
	if (fclose(f) != 0 || !buf)
		xalloc_die();
	return buf;
}

/* The occurrence of the current row of q (columns as store_each_occurrence_in
 * selects them); its strings are the statement's, valid until the next step. */
static void occ_of_row(sqlite3_stmt *q, struct store_occ *o)
{
	memset(o, 0, sizeof *o);
	o->start = sqlite3_column_int64(q, 0);
	o->end = sqlite3_column_int64(q, 1);
	o->all_day = sqlite3_column_int(q, 2);
	o->busy = sqlite3_column_int(q, 3);
	o->tentative = sqlite3_column_int(q, 4);
	o->uid = text(q, 5);
	o->rid = text(q, 6);
	o->summary = text(q, 7);
	o->location = text(q, 8);
	o->status = text(q, 9);
	o->practitioner = text(q, 10);
	o->source = text(q, 11);
	o->kind = text(q, 12);
	o->description = text(q, 13);
	o->categories = text(q, 14);
	o->attendees = text(q, 15);
	o->transparent = sqlite3_column_int(q, 16);
	o->organizer = text(q, 17);
	o->sequence = sqlite3_column_int(q, 18);
}

int store_each_occurrence_in(struct store *s, const char *const *sources, size_t n_sources,
			     int64_t from, int64_t to, int (*fn)(const struct store_occ *, void *),
			     void *arg, struct diag *d)
{
	/* with sources, the feeds lead (a store of many feeds, as a batch
	 * worker's, is not scanned whole for one person); string constants,
	 * so that each is prepared once per store (store_stmt) */
#define OCC_COLS                                                                                  \
	"SELECT o.start_utc, o.end_utc, o.all_day, o.busy, o.tentative, e.uid, o.rid,"            \
	" e.summary, e.location, e.status, f.practitioner, f.source, e.kind,"                     \
	" e.description, e.categories, e.attendees, e.transparent, e.organizer, e.sequence"
#define OCC_WHERE                                                                                 \
	"o.start_utc < ?2 AND (o.end_utc > ?1 OR (o.end_utc = o.start_utc AND o.start_utc >= ?1))" \
	" ORDER BY o.start_utc, o.end_utc, e.uid, o.rid, f.source"
	static const char of_sources[] =
		OCC_COLS " FROM feed f CROSS JOIN event e ON e.feed_id = f.id CROSS JOIN occurrence o"
		" ON o.event_id = e.id WHERE f.source IN (SELECT value FROM json_each(?3)) AND " OCC_WHERE;
	static const char of_all[] =
		OCC_COLS " FROM occurrence o JOIN event e ON e.id = o.event_id JOIN feed f ON f.id = e.feed_id"
		" WHERE " OCC_WHERE;
#undef OCC_COLS
#undef OCC_WHERE
	char *list = sources ? json_list(sources, n_sources) : NULL;
	sqlite3_stmt *q = store_stmt(s, sources ? of_sources : of_all, d);
	if (!q) {
		free(list);
		return -1;
	}
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int64(q, 2, to);
	if (list)
		sqlite3_bind_text(q, 3, list, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_occ o;
		occ_of_row(q, &o);
		if (fn(&o, arg))
			break;
	}
	store_stmt_done(s, q);
	free(list);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_error(s, d);
	return 0;
}
