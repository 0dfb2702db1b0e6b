/* import.h: a feed into the store, the one way data flows in: read (a file) or fetched (a URL), parsed once, then stored. */
#ifndef DOVETAIL_IMPORT_H
#define DOVETAIL_IMPORT_H

#include "dovetail/diag.h"
#include "dovetail/fetch.h"
#include "dovetail/ics.h"
#include "dovetail/store.h"

/*
 * Import feed f (read by ics_read, its reports in d) into s: when the store
 * keeps a stored version of some component over f's (a higher SEQUENCE),
 * the feed as the store will hold it (store_held_bytes) is read here, so
 * that the store never parses; what reading it reports was reported when
 * those components were imported, or is f's own, and is not repeated.
 * Returns store_import_held()'s value.
 */
enum import_status import_feed(struct store *s, struct ics_feed *f, const struct import_opts *o,
			       struct import_report *r, struct diag *d);

/*
 * Read the feed at path ("-" for standard input; named `shown` in
 * diagnostics), bounded by lim, and import it with import_feed().
 * Returns its value, or IMPORT_UNREADABLE when the file cannot be read
 * (D_IO_*, nothing written).
 */
enum import_status import_file(struct store *s, const char *path, const char *shown,
			       const struct ics_limits *lim, const struct import_opts *o,
			       struct import_report *r, struct diag *d);

/*
 * Import the feed at url into s as import_file() imports a file: the
 * source is o->source (the URL without credentials); messages name the
 * URL as fetch_url_redacted() shows it. When the store holds a copy
 * imported with o's window and zone, the request is conditional: a 304
 * sets *not_modified and costs no parse and no write. Else the whole body
 * is read, then parsed and imported in one transaction, then its
 * validators are kept. A CalDAV collection (caldav+http(s)://) is read
 * with one REPORT over o's window (caldav_fetch). A failed or partial
 * fetch writes nothing. Returns IMPORT_OK, IMPORT_NOT_FETCHED (D_NET_*:
 * refused, failed, too big, past the deadline), or import_feed()'s
 * failure (the feed's own errors, the store), with d filled.
 */
enum import_status import_url(struct store *s, const char *url, const struct fetch_opts *fo,
			      const struct ics_limits *lim, const struct import_opts *o,
			      struct import_report *r, int *not_modified, struct diag *d);

#endif
