/* fetch.h: feeds where they live: http(s) and webcal URLs through libcurl (docs/feeds.md). */
#ifndef DOVETAIL_FETCH_H
#define DOVETAIL_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"
#include "dovetail/util.h"

/* Whether s names a feed by URL (http://, https://, webcal://, or a
 * CalDAV collection, caldav+http:// or caldav+https://; any case). */
int fetch_is_url(const char *s);
/* Whether s names a CalDAV calendar collection (caldav+http(s)://). */
int fetch_is_caldav(const char *s);



/* url with any user and password taken out, for messages and the store
 * (it is the feed's identity); out >= strlen(url) + 1 bytes. */
void fetch_url_shown(const char *url, char *out, size_t sz);

/* HTTP validators of a stored copy: ETag and Last-Modified, or NULL. */
struct fetch_validators {
	char *etag, *last_modified;   /* owned */
};
void fetch_validators_release(struct fetch_validators *v);

struct fetch_opts {
	long connect_timeout_s;   /* default 10 */
	long timeout_s;           /* the whole transfer; default 60, or $DOVETAIL_FETCH_TIMEOUT */
	long max_redirects;       /* default 5 */
	size_t max_bytes;         /* the body; the feed size bound */
};
void fetch_opts_default(struct fetch_opts *o, size_t max_bytes);

struct fetch_result {
	long status;              /* the final HTTP status */
	int not_modified;         /* 304: the stored copy stands; body is empty */
	struct bytes body;        /* owned: the whole body (200) */
	struct fetch_validators v;/* the response's validators */
};
void fetch_result_release(struct fetch_result *r);

/*
 * GET url (webcal:// is fetched as https://) with TLS verification on,
 * the timeouts, a redirect cap (http and https only) and the size cap. With
 * prev, a conditional request (If-None-Match, If-Modified-Since).
 * Credentials come from a netrc file ($NETRC, else ~/.netrc) or from
 * DOVETAIL_FEED_USER and DOVETAIL_FEED_PASSWORD for the host named by
 * DOVETAIL_FEED_HOST; a URL carrying them is refused. CA certificates:
 * the system's, or the file $CURL_CA_BUNDLE names. Returns 0 with out
 * filled (a 200 with the whole body, or a 304), or -1 with d filled
 * (D_NET_*: the URL without credentials and the HTTP status or curl's
 * error); nothing is kept from a failed or partial transfer.
 */
int fetch_url(const char *url, const struct fetch_opts *o, const struct fetch_validators *prev,
	      struct fetch_result *out, struct diag *d);

/*
 * The events of the CalDAV collection at url (caldav+http(s)://...) that
 * overlap [from, to) (UTC seconds): a calendar-query REPORT with that
 * time-range (RFC 4791 7.8), Depth 1, bounded and verified as fetch_url();
 * the calendar objects of the 207 answer (parsed with libxml2, no network
 * or entities) are merged with libical into one VCALENDAR (each VTIMEZONE
 * once). With "#freebusy" at the end of url, a free-busy-query REPORT
 * (RFC 4791 7.10) instead: only busy time, no details; a server that does
 * not answer it with a VFREEBUSY is an error (the details are not fetched
 * instead). Returns 0 with *out (malloc'd text), or -1 with d filled.
 */
int caldav_fetch(const char *url, const struct fetch_opts *o, int64_t from, int64_t to,
		 struct bytes *out, struct diag *d);

/*
 * Import the feed at url into s as store_import_file() imports a file: the
 * source is the URL without credentials. When the store holds a copy
 * imported with o's window and zone, the request is conditional: a 304
 * sets *not_modified and costs no parse and no write. Else the whole body
 * is read, then parsed and imported in one transaction, then its
 * validators are kept. A failed or partial fetch writes nothing. Returns 0,
 * or -1 with d filled (D_NET_*, or the feed's own errors).
 */
struct store;
struct import_opts;
struct import_report;
struct ics_limits;
int import_url(struct store *s, const char *url, const struct fetch_opts *fo,
	       const struct ics_limits *lim, const struct import_opts *o, struct import_report *r,
	       int *not_modified, struct diag *d);

#endif
