/* net_impl.h: what the network files share (private). */
#ifndef DOVETAIL_NET_IMPL_H
#define DOVETAIL_NET_IMPL_H

#include "dovetail/fetch.h"

/* One request as fetch_url() makes it (the same bounds, TLS, credentials,
 * all-or-nothing body), with another method and a body (sent with Depth: 1
 * and content_type, or application/xml), succeeding on status `want` (0:
 * any 2xx; the caller checks out->status). */
int net_request(const char *method, const char *url, const char *body, const char *content_type,
		long want, const struct fetch_opts *o, const struct fetch_validators *prev,
		struct fetch_result *out, struct diag *d);

#endif
