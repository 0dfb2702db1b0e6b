/* caldav.h: the family's calendar written into a CalDAV collection, one object per UID (RFC 4791 5.3.2). */
#ifndef DOVETAIL_CALDAV_H
#define DOVETAIL_CALDAV_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"
#include "dovetail/export.h"
#include "dovetail/fetch.h"

struct store;

/* Bounds of one write (docs/limits.md). */
#define CALDAV_MAX_OBJECTS 5000           /* objects of the plan, and objects recorded */
#define CALDAV_MAX_BYTES (64u << 20)      /* bytes PUT in one run */

struct caldav_write_opts {
	const char *person;       /* the profile's person id: whose objects */
	int64_t now;              /* UTC seconds, recorded as written_at */
	size_t max_objects;       /* CALDAV_MAX_OBJECTS, or less ($DOVETAIL_CALDAV_MAX_OBJECTS) */
	size_t max_bytes;         /* CALDAV_MAX_BYTES, or less ($DOVETAIL_CALDAV_MAX_BYTES) */
	struct fetch_opts net;    /* timeouts, the response bound, the deadline of the run */
};
/* Sets every field: the bounds from the environment (1 up to the
 * default), net as fetch_opts_default() with a 1 MiB response bound and
 * the deadline fetch_deadline() ($DOVETAIL_FETCH_TOTAL). */
void caldav_write_opts_default(struct caldav_write_opts *o, const char *person, int64_t now);

struct caldav_write_report {
	size_t created, replaced, unchanged, deleted, conflicts, adopted;
	size_t bytes;             /* PUT */
};

/*
 * Make the collection at url (caldav+http(s)://HOST/PATH/) hold objs, as
 * far as dovetail's own objects go (docs/export.md, "CalDAV"):
 *  - an object dovetail has not written there: PUT COLLECTION/NAME with
 *    If-None-Match: * (never replacing what is there);
 *  - one it wrote whose digest changed: PUT with If-Match: the ETag kept;
 *    unchanged: nothing;
 *  - one it wrote that objs no longer hold: DELETE with If-Match.
 * Objects dovetail did not write are never touched. The ETag each answer
 * gives (else one GET's) is kept in s (store_caldav_obj_put) right after
 * each request, so that s matches the server whenever this stops. A 412
 * (precondition failed) is looked into with a GET: the object gone (a
 * PUT: it is written afresh; a DELETE: forgotten), or holding exactly what
 * dovetail would write (its ETag is adopted); else it is a conflict
 * (D_CALDAV_CONFLICT naming the resource, never its content): a changed
 * object is left and reported on every run; one the plan no longer holds
 * is left and forgotten. Conflicts do not stop the run. Any other failure
 * (a status, the network, the deadline) stops it (D_CALDAV_WRITE naming
 * the method and resource); what was done before is recorded. More than
 * o->max_objects objects (in objs or recorded), or more than o->max_bytes
 * to PUT, is refused before any request (D_CALDAV_LIMIT). Messages name
 * the collection as fetch_url_redacted() shows it.
 * Returns 0 (r filled; conflicts may be non-zero, with d filled), or -1
 * with d filled (r counts what was done).
 */
int caldav_write(struct store *s, const char *url, const struct cal_objects *objs,
		 const struct caldav_write_opts *o, struct caldav_write_report *r, struct diag *d);

#endif
