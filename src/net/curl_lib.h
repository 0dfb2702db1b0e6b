/* curl_lib.h: libcurl, loaded when the network is first used (private to
 * src/net).
 *
 * Only feeds by URL, CalDAV and mail use libcurl, and with its TLS, HTTP/2,
 * LDAP and SSH libraries it is 28 of the 49 shared libraries dovetail
 * would load: ~12 ms of every command's start, on the virtual machines we
 * measured, for commands (week, check, propose) that never touch the
 * network. So it is loaded with dlopen() the first time a request is made,
 * as systemd loads its optional libraries. The header, the version checked
 * at build time (meson.build) and the behaviour are libcurl's; only the
 * calls go through this table.
 */
#ifndef DOVETAIL_CURL_LIB_H
#define DOVETAIL_CURL_LIB_H

#include <curl/curl.h>

#include "dovetail/diag.h"

struct curl_lib {
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *c);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
	void (*easy_reset)(CURL *c);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode code);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

/* libcurl's functions, loaded and globally initialised on the first call
 * (the process has one thread), the same table after. NULL when libcurl
 * cannot be loaded, with d filled (D_INTERNAL: the installation lacks a
 * library it was built with); the next call tries again. */
const struct curl_lib *curl_lib(struct diag *d);

#endif
