/* curl_lib.c: libcurl, loaded on first use (contract in curl_lib.h). */
#include "curl_lib.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

/* The sonames libcurl 7 and 8 are installed under: Debian's libcurl4
 * (OpenSSL, what the README installs), then its GnuTLS and NSS builds,
 * which share the ABI. */
static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4", "libcurl-nss.so.4" };

/* dlsym gives an object pointer; POSIX guarantees it holds a function's
 * address, which ISO C cannot say: copy its bytes, as POSIX's dlsym
 * example does by assignment through (void **). */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers are as wide as void *");
#define LOAD(h, field, name, missing) \
	do { \
		void *f_ = dlsym((h), (name)); \
		if (!f_) \
			*(missing) = 1; \
		memcpy(&(field), &f_, sizeof f_); \
	} while (0)

const struct curl_lib *curl_lib(struct diag *d)
{
	static struct curl_lib lib;
	static int ready;
	if (ready)
		return &lib;
	void *h = NULL;
	for (size_t i = 0; i < sizeof sonames / sizeof *sonames && !h; i++)
		h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "libcurl (libcurl.so.4) could not be loaded: feeds by URL, CalDAV and mail need it");
		return NULL;
	}
	int missing = 0;
	CURLcode (*global_init)(long) = NULL;
	LOAD(h, global_init, "curl_global_init", &missing);
	LOAD(h, lib.easy_init, "curl_easy_init", &missing);
	LOAD(h, lib.easy_setopt, "curl_easy_setopt", &missing);
	LOAD(h, lib.easy_perform, "curl_easy_perform", &missing);
	LOAD(h, lib.easy_getinfo, "curl_easy_getinfo", &missing);
	LOAD(h, lib.easy_reset, "curl_easy_reset", &missing);
	LOAD(h, lib.easy_cleanup, "curl_easy_cleanup", &missing);
	LOAD(h, lib.easy_strerror, "curl_easy_strerror", &missing);
	LOAD(h, lib.slist_append, "curl_slist_append", &missing);
	LOAD(h, lib.slist_free_all, "curl_slist_free_all", &missing);
	if (missing || global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		dlclose(h);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "libcurl (libcurl.so.4) could not be started");
		return NULL;
	}
	ready = 1;   /* h stays open for the process's life, as a linked library would */
	return &lib;
}
