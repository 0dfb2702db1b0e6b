/* caldav.c: the calendar objects dovetail wrote into CalDAV collections, with their ETags and digests. */
#include "store_impl.h"
#include "dovetail/xalloc.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static char *dup_col(sqlite3_stmt *q, int i)
{
	const char *t = (const char *)sqlite3_column_text(q, i);
	return t ? xstrdup(t) : NULL;
}

void store_caldav_objs_free(struct store_caldav_obj *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].uid);
		free(v[i].name);
		free(v[i].etag);
		free(v[i].digest);
	}
	free(v);
}

int store_caldav_objs(struct store *s, const char *person, const char *collection, size_t max,
		      struct store_caldav_obj **out, size_t *n, struct diag *d)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *q = NULL;
	/* byte order (BINARY), as strcmp orders the plan's objects */
	if (sqlite3_prepare_v2(s->db,
			       "SELECT uid, name, etag, digest FROM caldav_objects"
			       " WHERE person = ?1 AND collection = ?2 ORDER BY uid LIMIT ?3",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, collection, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)max + 1);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_caldav_obj *o = BUF_PUSH(*out, *n, cap);
		o->uid = dup_col(q, 0);
		o->name = dup_col(q, 1);
		o->etag = dup_col(q, 2);
		o->digest = dup_col(q, 3);
	}
	if (rc != SQLITE_DONE) {
		store_sql_error(s, d);
		sqlite3_finalize(q);
		store_caldav_objs_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	sqlite3_finalize(q);
	for (size_t i = 1; i < *n; i++)   /* the key's uid, in byte order: as strcmp */
		assert(strcmp((*out)[i - 1].uid, (*out)[i].uid) < 0);
	return 0;
}

int store_caldav_obj_put(struct store *s, const char *person, const char *collection,
			 const struct store_caldav_obj *o, int64_t now, struct diag *d)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT OR REPLACE INTO caldav_objects"
			       " (person, collection, uid, name, etag, digest, written_at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, collection, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, o->uid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, o->name, -1, SQLITE_STATIC);
	if (o->etag)
		sqlite3_bind_text(q, 5, o->etag, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 5);
	sqlite3_bind_text(q, 6, o->digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)now);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : store_sql_error(s, d);
	sqlite3_finalize(q);
	return rc;
}

int store_caldav_obj_forget(struct store *s, const char *person, const char *collection,
			    const char *uid, struct diag *d)
{
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "DELETE FROM caldav_objects WHERE person = ?1 AND collection = ?2 AND uid = ?3",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sql_error(s, d);
	sqlite3_bind_text(q, 1, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, collection, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, uid, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : store_sql_error(s, d);
	sqlite3_finalize(q);
	return rc;
}
