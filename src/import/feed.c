/* feed.c: a feed into the store: a file read or a URL fetched whole (or found unchanged), parsed once, then imported. */
#include "dovetail/import.h"

#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "dovetail/xalloc.h"

enum import_status import_feed(struct store *s, struct ics_feed *f, const struct import_opts *o,
			       struct import_report *r, struct diag *d)
{
	struct bytes b = { NULL, 0 };
	int stale = store_held_bytes(s, f, o, &b, d);
	if (stale < 0) {
		memset(r, 0, sizeof *r);
		r->rejected = 1;
		return IMPORT_FAILED;
	}
	if (!stale)
		return store_import_held(s, f, NULL, o, r, d);
	/* read once more, as the store will hold it: its reports are f's own
	 * (reported above) or the stored components' (reported when imported) */
	struct ics_feed held;
	struct diag quiet;
	diag_init(&quiet);
	ics_read(&held, f->file, &b, o->lim, &quiet);   /* takes b */
	diag_release(&quiet);
	enum import_status st = store_import_held(s, f, &held, o, r, d);
	ics_feed_release(&held);
	return st;
}

enum import_status import_file(struct store *s, const char *path, const char *shown,
			       const struct ics_limits *lim, const struct import_opts *o,
			       struct import_report *r, struct diag *d)
{
	struct bytes b;
	if (file_read_all(path, lim->max_file_bytes, &b, d) < 0) {
		memset(r, 0, sizeof *r);
		r->rejected = 1;
		return IMPORT_UNREADABLE;
	}
	if (o->trust_same) {
		/* the bytes the store holds already: nothing to read (ics_read
		 * hashes the same bytes, so the store's hash is this one) */
		char hash[65];
		size_t events;
		hash_sha256_hex(b.data, b.len, hash);
		int same = store_feed_has_bytes(s, o, hash, &events, d);
		if (same != 0) {
			free(b.data);
			memset(r, 0, sizeof *r);
			r->same_bytes = same > 0;
			r->unchanged = events;
			r->rejected = same < 0;
			return same > 0 ? IMPORT_OK : IMPORT_FAILED;
		}
	}
	struct ics_feed f;
	memset(&f, 0, sizeof f);
	ics_read(&f, shown, &b, lim, d);   /* takes b */
	enum import_status st = import_feed(s, &f, o, r, d);
	ics_feed_release(&f);
	return st;
}

/* Read body (taken) as the feed named shown, and import it. */
static enum import_status import_body(struct store *s, const char *shown, struct bytes *body,
				      const struct ics_limits *lim, const struct import_opts *o,
				      struct import_report *r, struct diag *d)
{
	struct ics_feed f;
	memset(&f, 0, sizeof f);
	ics_read(&f, shown, body, lim, d);
	enum import_status st = import_feed(s, &f, o, r, d);
	ics_feed_release(&f);
	return st;
}

/* A CalDAV collection: the events of the window, one REPORT; the store
 * then finds unchanged bytes unchanged. */
static enum import_status import_collection(struct store *s, const char *url, const struct fetch_opts *fo,
					    const struct ics_limits *lim, const struct import_opts *o,
					    struct import_report *r, struct diag *d)
{
	struct bytes b;
	if (caldav_fetch(url, fo, lim, o->from, o->to, &b, d) < 0)
		return IMPORT_NOT_FETCHED;
	char shown[2048];
	fetch_url_redacted(url, shown, sizeof shown);
	return import_body(s, shown, &b, lim, o, r, d);
}

enum import_status import_url(struct store *s, const char *url, const struct fetch_opts *fo,
			      const struct ics_limits *lim, const struct import_opts *o,
			      struct import_report *r, int *not_modified, struct diag *d)
{
	*not_modified = 0;
	memset(r, 0, sizeof *r);
	if (fetch_is_caldav(url))
		return import_collection(s, url, fo, lim, o, r, d);
	struct fetch_validators prev = { NULL, NULL };
	if (store_feed_validators(s, o->source, o, &prev.etag, &prev.last_modified, d) < 0)
		return IMPORT_FAILED;
	struct fetch_result res;
	int rc = fetch_url(url, fo, prev.etag || prev.last_modified ? &prev : NULL, &res, d);
	fetch_validators_release(&prev);
	if (rc < 0)
		return IMPORT_NOT_FETCHED;
	if (res.not_modified) {
		*not_modified = 1;
		fetch_result_release(&res);
		return IMPORT_OK;
	}
	size_t len = strlen(url) + 128;
	char *shown = xmalloc(len);
	fetch_url_redacted(url, shown, len);
	enum import_status st = import_body(s, shown, &res.body, lim, o, r, d);   /* takes the body */
	if (st == IMPORT_OK &&
	    store_set_feed_validators(s, o->source, res.v.etag, res.v.last_modified, d) < 0)
		st = IMPORT_FAILED;
	fetch_result_release(&res);
	free(shown);
	return st;
}
