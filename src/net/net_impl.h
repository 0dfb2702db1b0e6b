/* net_impl.h: what the network files share (private). */
#ifndef DOVETAIL_NET_IMPL_H
#define DOVETAIL_NET_IMPL_H

#include "dovetail/fetch.h"

/* One request as fetch_url() makes it (the same bounds, TLS, credentials
 * after a challenge, all-or-nothing body), with another method, a body and
 * the conditional headers of a write. */
struct net_req {
	const char *method;       /* "GET", "REPORT", "PUT", "DELETE" */
	const char *url;          /* http(s):// or webcal:// (never caldav+) */
	const char *body;         /* the request body (NUL-terminated), or NULL */
	const char *content_type; /* of body; NULL: application/xml; charset=utf-8 */
	const char *depth;        /* a Depth header ("1"), or NULL */
	const char *if_match;     /* If-Match: this ETag (one line of visible ASCII), or NULL */
	int if_none_match_any;    /* If-None-Match: * (create, never replace) */
	long want;                /* the status that succeeds; 0: any 2xx */
	long also[2];             /* further statuses that succeed (0: none), for
				     the caller to tell apart: 404, 412 */
	int no_redirects;         /* a 3xx is an error (a write goes nowhere else) */
};
/* Returns 0 with out filled (out->status says which status), or -1 with d
 * filled as fetch_url() fills it, and out->error saying why in words
 * ("HTTP status 500", curl's error) without the URL. */
int net_request(const struct net_req *q, const struct fetch_opts *o, const struct fetch_validators *prev,
		struct fetch_result *out, struct diag *d);

#endif
