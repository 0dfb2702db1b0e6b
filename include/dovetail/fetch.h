/* fetch.h: feeds where they live: http(s) and webcal URLs through libcurl (docs/feeds.md). */
#ifndef DOVETAIL_FETCH_H
#define DOVETAIL_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "dovetail/diag.h"
#include "dovetail/util.h"

/* fetch_is_url(), fetch_is_caldav() and fetch_url_shown(), the URL-kind
 * helpers, are pure string functions in util.h (src/util/url.c). */

/* url as messages, logs and reports show it: the scheme, host and port,
 * with the path and query (which may hold a secret token, as in
 * /private-TOKEN/ or ?token=) replaced by "<redacted:HEX>", HEX the first
 * 6 hex digits of the SHA-256 of the whole URL, so that two feeds on one
 * host stay apart; a "#freebusy" fragment is kept. A URL with no path
 * beyond "/" and no query is shown as is (without credentials). Cut to
 * sz - 1 bytes; sz >= 64 is enough for any host of 40 bytes. */
void fetch_url_redacted(const char *url, char *out, size_t sz);

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
	int64_t deadline_ms;      /* CLOCK_MONOTONIC milliseconds past which no
				     request runs (one fetch_deadline() shared
				     by every feed of a profile), or 0: none */
};
/* Sets every field; deadline_ms is 0. */
void fetch_opts_default(struct fetch_opts *o, size_t max_bytes);
/* The deadline of a set of fetches (all the feeds of a profile, or of one
 * import): now plus $DOVETAIL_FETCH_TOTAL seconds (1..86400), default
 * 300, in CLOCK_MONOTONIC milliseconds. Each request's own timeout is cut
 * to what is left; past it, a request is not made (D_NET_FAILED). */
int64_t fetch_deadline(void);

struct fetch_result {
	long status;              /* the final HTTP status */
	int not_modified;         /* 304: the stored copy stands; body is empty */
	struct bytes body;        /* owned: the whole body (200) */
	struct fetch_validators v;/* the response's validators */
	char error[256];          /* on failure: why, without the URL ("HTTP status 500") */
};
void fetch_result_release(struct fetch_result *r);

/*
 * GET url (webcal:// is fetched as https://) with TLS verification on,
 * the timeouts, a redirect cap (http and https only) and the size cap. With
 * prev, a conditional request (If-None-Match, If-Modified-Since).
 * Credentials come from a netrc file ($NETRC, else ~/.netrc) or from
 * DOVETAIL_FEED_USER and DOVETAIL_FEED_PASSWORD for the host named by
 * DOVETAIL_FEED_HOST; a URL carrying them is refused. They are sent only
 * in answer to a challenge (a 401), and never over plain http unless
 * DOVETAIL_FEED_HTTP_CREDENTIALS=1. Validators (ETag, Last-Modified) that
 * are not one line of visible ASCII are neither kept nor sent. CA certificates:
 * the system's, or the file $CURL_CA_BUNDLE names. Returns 0 with out
 * filled (a 200 with the whole body, or a 304), or -1 with d filled
 * (D_NET_*: the URL as fetch_url_redacted() shows it and the HTTP status
 * or curl's error); nothing is kept from a failed or partial transfer.
 */
int fetch_url(const char *url, const struct fetch_opts *o, const struct fetch_validators *prev,
	      struct fetch_result *out, struct diag *d);

/*
 * The events of the CalDAV collection at url (caldav+http(s)://...): a
 * calendar-query REPORT for every VEVENT (RFC 4791 7.8; the window is
 * applied when the events are expanded), Depth 1, bounded and verified as
 * fetch_url(); the answer is read by caldav_report_parse() with
 * lim->max_file_bytes as its bound, so that the calendar objects reach the
 * bounded scanner (ics_scan) as one iCalendar stream, before libical sees
 * any of them. With "#freebusy" at the end of url, a free-busy-query
 * REPORT (RFC 4791 7.10) for [from, to) (UTC seconds) instead: only busy
 * time, no details; a server that does not answer it with a VFREEBUSY
 * (looked for with ics_scan) is an error (the details are not fetched
 * instead). Returns 0 with *out (malloc'd text), or -1 with d filled.
 */
struct ics_limits;
int caldav_fetch(const char *url, const struct fetch_opts *o, const struct ics_limits *lim,
		 int64_t from, int64_t to, struct bytes *out, struct diag *d);

/*
 * A calendar-query REPORT answer (body, len bytes: a DAV:multistatus,
 * RFC 4918 13; RFC 4791 7.8) as one iCalendar stream (RFC 5545 3.4): the
 * text of each calendar-data in turn, each ending with a line break, or an
 * empty VCALENDAR when the collection is empty. The XML is read as a
 * stream (libxml2's reader, no network); an answer with a DOCTYPE, an
 * entity declaration or an entity reference is refused, so nothing is
 * ever expanded. A failed or partial answer is refused, never read as
 * fewer events: a response or propstat whose status is not 2xx (a propstat
 * holding only DAV:getetag excepted), a response without calendar-data, a
 * calendar-data that is empty or does not begin with BEGIN:VCALENDAR, XML
 * that is not well-formed or not read whole (out of memory). Past
 * max_bytes of text: D_NET_TOO_BIG. Other faults: D_NET_FAILED naming
 * shown and the line of the answer. Returns 0 with *out (malloc'd,
 * NUL-terminated; the caller frees), or -1 with d filled and *out empty.
 * The CalDAV fuzz target (tests/fuzz/fuzz_caldav.c) drives this.
 */
int caldav_report_parse(const char *body, size_t len, const char *shown, size_t max_bytes,
			struct bytes *out, struct diag *d);

/* import_url() (fetch, parse, store) is in import.h: net does not write the store. */

#endif
