/* import_url.c: a feed by URL into the store: fetched whole (or found unchanged), then imported. */
#include "dovetail/fetch.h"

#include <stdlib.h>
#include <string.h>

#include "dovetail/ics.h"
#include "dovetail/store.h"

int import_url(struct store *s, const char *url, const struct fetch_opts *fo,
	       const struct ics_limits *lim, const struct import_opts *o, struct import_report *r,
	       int *not_modified, struct diag *d)
{
	*not_modified = 0;
	if (fetch_is_caldav(url)) {
		/* a collection: the events of the window, one REPORT; the store
		 * then finds unchanged bytes unchanged */
		struct bytes b;
		if (caldav_fetch(url, fo, lim, o->from, o->to, &b, d) < 0)
			return -1;
		char shown[2048];
		fetch_url_redacted(url, shown, sizeof shown);
		struct ics_feed f;
		memset(&f, 0, sizeof f);
		ics_read(&f, shown, &b, lim, d);
		int rc = store_import(s, &f, o, r, d);
		ics_feed_release(&f);
		return rc;
	}
	struct fetch_validators prev = { NULL, NULL };
	if (store_feed_validators(s, o->source, o, &prev.etag, &prev.last_modified, d) < 0)
		return -1;
	struct fetch_result res;
	int rc = fetch_url(url, fo, prev.etag || prev.last_modified ? &prev : NULL, &res, d);
	fetch_validators_release(&prev);
	if (rc < 0)
		return -1;
	if (res.not_modified) {
		*not_modified = 1;
		fetch_result_release(&res);
		return 0;
	}
	size_t len = strlen(url) + 128;
	char *shown = malloc(len);
	if (!shown) {
		fetch_result_release(&res);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	fetch_url_redacted(url, shown, len);
	struct ics_feed f;
	memset(&f, 0, sizeof f);
	ics_read(&f, shown, &res.body, lim, d);   /* takes the body */
	rc = store_import(s, &f, o, r, d);
	ics_feed_release(&f);
	if (rc == 0 && store_set_feed_validators(s, o->source, res.v.etag, res.v.last_modified, d) < 0)
		rc = -1;
	fetch_result_release(&res);
	free(shown);
	return rc;
}
