/* fetch.c: GET a feed with libcurl: bounded, verified, conditional, all or nothing. */
#include "dovetail/fetch.h"

#include "curl_lib.h"
#include "net_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dovetail/xalloc.h"

/* libcurl's calls (curl_lib.h): set by the first request, before any other call */
static const struct curl_lib *cu;

void fetch_url_redacted(const char *url, char *out, size_t sz)
{
	const char *a, *e, *at = url_userinfo_end(url);
	url_authority(url, &a, &e);
	const char *host = at ? at : a;
	const char *frag = strchr(e, '#');
	size_t rest = frag ? (size_t)(frag - e) : strlen(e);
	int fb = frag && strcasecmp(frag, "#freebusy") == 0;
	if (rest == 0 || (rest == 1 && *e == '/')) {
		snprintf(out, sz, "%.*s%.*s%.*s%s", (int)(a - url), url, (int)(e - host), host, (int)rest, e,
			 fb ? "#freebusy" : "");
		return;
	}
	char hex[65];
	hash_sha256_hex(url, strlen(url), hex);
	snprintf(out, sz, "%.*s%.*s/<redacted:%.6s>%s", (int)(a - url), url, (int)(e - host), host, hex,
		 fb ? "#freebusy" : "");
}

/* Whether a validator can go into a header as it is: one line of visible
 * ASCII and blanks, under 1024 bytes (a CR, LF or NUL in it would end the
 * header and start another). */
static int header_value_ok(const char *v, size_t n)
{
	if (!n || n >= 1024)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];
		if ((c < 0x20 && c != '\t') || c > 0x7E)
			return 0;
	}
	return 1;
}

void fetch_validators_release(struct fetch_validators *v)
{
	free(v->etag);
	free(v->last_modified);
	v->etag = v->last_modified = NULL;
}

void fetch_opts_default(struct fetch_opts *o, size_t max_bytes)
{
	o->connect_timeout_s = 10;
	o->timeout_s = 60;
	const char *t = getenv("DOVETAIL_FETCH_TIMEOUT");
	long v = t ? strtol(t, NULL, 10) : 0;
	if (v >= 1 && v <= 3600) {
		o->timeout_s = v;
		if (o->connect_timeout_s > v)
			o->connect_timeout_s = v;
	}
	o->max_redirects = 5;
	o->max_bytes = max_bytes;
	o->deadline_ms = 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fetch_deadline(void)
{
	long total = 300;
	const char *t = getenv("DOVETAIL_FETCH_TOTAL");
	long v = t ? strtol(t, NULL, 10) : 0;
	if (v >= 1 && v <= 86400)
		total = v;
	return now_ms() + (int64_t)total * 1000;
}

void fetch_result_release(struct fetch_result *r)
{
	bytes_release(&r->body);
	fetch_validators_release(&r->v);
	memset(r, 0, sizeof *r);
}

struct sink {
	struct fetch_result *r;
	size_t cap, max;
	int too_big;
};

/* curl's body callback: the body into r->body, up to max bytes. */
static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	size_t len = size * n;
	struct bytes *b = &k->r->body;
	if (b->len + len > k->max) {
		k->too_big = 1;
		return 0;   /* stops the transfer */
	}
	if (b->len + len + 1 > k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 65536;
		while (cap < b->len + len + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		k->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = 0;
	return len;
}

/* ETag and Last-Modified of the final response (a redirect's are dropped). */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink *k = arg;
	size_t len = size * n;
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		fetch_validators_release(&k->r->v);
	const char *names[] = { "etag:", "last-modified:" };
	char **dst[] = { &k->r->v.etag, &k->r->v.last_modified };
	for (int i = 0; i < 2; i++) {
		size_t nl = strlen(names[i]);
		if (len > nl && strncasecmp(p, names[i], nl) == 0) {
			const char *v = p + nl;
			size_t vl = len - nl;
			while (vl && (*v == ' ' || *v == '\t'))
				v++, vl--;
			while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
				vl--;
			free(*dst[i]);
			*dst[i] = header_value_ok(v, vl) ? xstrndup(v, vl) : NULL;
		}
	}
	return len;
}

int fetch_url(const char *url, const struct fetch_opts *o, const struct fetch_validators *prev,
	      struct fetch_result *out, struct diag *d)
{
	if (strlen(url) > FETCH_MAX_URL) {
		char shown[256];
		memset(out, 0, sizeof *out);
		fetch_url_redacted(url, shown, sizeof shown);
		diag_add(d, D_NET_URL_LONG, NULL, 0, 0, shown, DV_STR(FETCH_MAX_URL));
		snprintf(out->error, sizeof out->error, "the URL is too long");
		return -1;
	}
	struct net_req q = { .method = "GET", .url = url, .want = 200 };
	return net_request(&q, o, prev, out, d);
}

static int status_also(const struct net_req *q, long st)
{
	return st && (q->also[0] == st || q->also[1] == st);
}

/* A URL that may be requested: http(s) or webcal, without credentials
 * in it. Returns 0, or -1 (d and out->error filled). */
static int check_url(const char *url, const char *shown, struct fetch_result *out, struct diag *d)
{
	if (!fetch_is_url(url)) {
		diag_add(d, D_NET_SCHEME, NULL, 0, 0, shown);
		snprintf(out->error, sizeof out->error, "not an http or https URL");
		return -1;
	}
	if (url_userinfo_end(url)) {
		diag_add(d, D_NET_CREDENTIALS, NULL, 0, 0, shown);
		snprintf(out->error, sizeof out->error, "a URL with a user or password in it is refused");
		return -1;
	}
	return 0;
}

/* The request's timeouts, cut to the time left for this profile's (or
 * this import's) feeds. Returns 0, or -1 when none is left (d and
 * out->error filled). */
static int time_left(const struct fetch_opts *o, const char *shown, long *timeout_ms, long *connect_ms,
		     struct fetch_result *out, struct diag *d)
{
	*timeout_ms = o->timeout_s * 1000;
	*connect_ms = o->connect_timeout_s * 1000;
	if (!o->deadline_ms)
		return 0;
	int64_t left = o->deadline_ms - now_ms();
	if (left <= 0) {
		diag_add(d, D_NET_FAILED, NULL, 0, 0, shown,
			 "not fetched: the time for fetching these feeds is spent"
			 " ($DOVETAIL_FETCH_TOTAL, docs/limits.md)");
		snprintf(out->error, sizeof out->error,
			 "not requested: the time for these requests is spent ($DOVETAIL_FETCH_TOTAL)");
		return -1;
	}
	if (left < *timeout_ms)
		*timeout_ms = (long)left;
	if (left < *connect_ms)
		*connect_ms = (long)left;
	return 0;
}

/* The transfer's bounds, TLS verification and callbacks. */
static void set_transfer(CURL *c, const char *real, const struct net_req *q, const struct fetch_opts *o,
			 long timeout_ms, long connect_ms, struct sink *k, char *err)
{
	cu->easy_setopt(c, CURLOPT_URL, real);
	cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cu->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, q->no_redirects ? 0L : 1L);
	cu->easy_setopt(c, CURLOPT_MAXREDIRS, o->max_redirects);
	cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	cu->easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	cu->easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	cu->easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_USERAGENT, "dovetail/0.1 (+docs/feeds.md)");
	cu->easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");   /* gzip and deflate, as offered */
	cu->easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	cu->easy_setopt(c, CURLOPT_WRITEDATA, k);
	cu->easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	cu->easy_setopt(c, CURLOPT_HEADERDATA, k);
	const char *ca = getenv("CURL_CA_BUNDLE");
	if (ca && *ca)
		cu->easy_setopt(c, CURLOPT_CAINFO, ca);
}

/* Credentials: a netrc file, or the environment for one host; only in
 * answer to a challenge (two methods allowed: curl asks first), and over
 * plain http only when the user says so. Returns whether they were
 * withheld (plain http without DOVETAIL_FEED_HTTP_CREDENTIALS=1). */
static int set_credentials(CURL *c, const char *real)
{
	const char *opt_in = getenv("DOVETAIL_FEED_HTTP_CREDENTIALS");
	int plain = strncasecmp(real, "http://", 7) == 0;
	if (plain && !(opt_in && strcmp(opt_in, "1") == 0)) {
		cu->easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
		return 1;
	}
	const char *host = getenv("DOVETAIL_FEED_HOST"), *user = getenv("DOVETAIL_FEED_USER"),
		   *pass = getenv("DOVETAIL_FEED_PASSWORD");
	/* libcurl looks the netrc up again at each redirect's host: an https
	 * feed is never followed to plain http, where it would send them in
	 * clear (unless the user says plain http may carry them) */
	if (!plain && !(opt_in && strcmp(opt_in, "1") == 0))
		cu->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	cu->easy_setopt(c, CURLOPT_HTTPAUTH, (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
	cu->easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
	const char *netrc = getenv("NETRC");
	if (netrc && *netrc)
		cu->easy_setopt(c, CURLOPT_NETRC_FILE, netrc);
	if (host && user && pass) {
		const char *a, *e;
		url_authority(real, &a, &e);
		size_t hl = strcspn(a, ":/?#");
		if ((size_t)(e - a) >= hl && strlen(host) == hl && strncasecmp(a, host, hl) == 0) {
			cu->easy_setopt(c, CURLOPT_USERNAME, user);
			cu->easy_setopt(c, CURLOPT_PASSWORD, pass);
			cu->easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
		}
	}
	return 0;
}

/* Append "NAME: value" to hdr when value is one line of visible ASCII. */
static struct curl_slist *add_header(struct curl_slist *hdr, const char *name, const char *value)
{
	if (!value || !header_value_ok(value, strlen(value)))
		return hdr;
	char h[1100];
	snprintf(h, sizeof h, "%s: %s", name, value);
	return cu->slist_append(hdr, h);
}

/* The method, body and headers of q (with prev's validators); the header
 * list to free. */
static struct curl_slist *set_request(CURL *c, const struct net_req *q, const struct fetch_validators *prev)
{
	struct curl_slist *hdr = NULL;
	if (prev) {
		hdr = add_header(hdr, "If-None-Match", prev->etag);
		hdr = add_header(hdr, "If-Modified-Since", prev->last_modified);
	}
	if (strcmp(q->method, "GET") != 0) {
		cu->easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
		/* a redirected REPORT stays a REPORT */
		cu->easy_setopt(c, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
	}
	if (q->body) {
		cu->easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		cu->easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
		char h[128];
		snprintf(h, sizeof h, "Content-Type: %s",
			 q->content_type ? q->content_type : "application/xml; charset=utf-8");
		hdr = cu->slist_append(hdr, h);
	}
	if (q->depth) {
		char h[64];
		snprintf(h, sizeof h, "Depth: %s", q->depth);
		hdr = cu->slist_append(hdr, h);
	}
	hdr = add_header(hdr, "If-Match", q->if_match);
	if (q->if_none_match_any)
		hdr = cu->slist_append(hdr, "If-None-Match: *");
	/* curl would send "Expect: 100-continue" with a large body and wait */
	if (q->body)
		hdr = cu->slist_append(hdr, "Expect:");
	if (hdr)
		cu->easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	return hdr;
}

/* What the finished transfer (cc, out->status) comes to: 0 (a 304 to a
 * conditional request, or a status q accepts, with the whole body), or -1
 * with d and out->error filled. */
static int outcome(const struct net_req *q, const struct fetch_opts *o, const struct fetch_validators *prev,
		   CURLcode cc, const struct sink *k, const char *err, int withheld, const char *shown,
		   struct fetch_result *out, struct diag *d)
{
	char lim[32];
	snprintf(lim, sizeof lim, "%zu", o->max_bytes);
	if (k->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
		diag_add(d, D_NET_TOO_BIG, NULL, 0, 0, shown, lim);
		snprintf(out->error, sizeof out->error, "the response is larger than the limit of %s bytes", lim);
		return -1;
	}
	if (cc != CURLE_OK) {
		/* libcurl says "Out of memory" for a header line past its bound
		 * (100 KB): the server's fault, far more often than ours */
		const char *why = cc == CURLE_OUT_OF_MEMORY ? "the answer could not be held: a header line longer than"
							      " libcurl's bound of 100 KB, or out of memory"
					 : *err ? err : cu->easy_strerror(cc);
		diag_add(d, D_NET_FAILED, NULL, 0, 0, shown, why);
		snprintf(out->error, sizeof out->error, "%s", why);
		return -1;
	}
	if (out->status == 304 && prev) {
		out->not_modified = 1;
		bytes_release(&out->body);
		return 0;
	}
	if (!status_also(q, out->status) &&
	    (q->want ? out->status != q->want : out->status < 200 || out->status > 299)) {
		char st[160];
		snprintf(st, sizeof st, "%ld%s", out->status,
			 out->status == 401 && withheld
				 ? " (credentials are not sent over plain http unless"
				   " DOVETAIL_FEED_HTTP_CREDENTIALS=1, docs/feeds.md)" : "");
		diag_add(d, D_NET_HTTP, NULL, 0, 0, shown, st);
		snprintf(out->error, sizeof out->error, "HTTP status %s", st);
		return -1;
	}
	if (!out->body.data) {
		out->body.data = xcalloc(1, 1);
		out->body.len = 0;
	}
	return 0;
}

int net_request(const struct net_req *q, const struct fetch_opts *o, const struct fetch_validators *prev,
		struct fetch_result *out, struct diag *d)
{
	const char *url = q->url;
	memset(out, 0, sizeof *out);
	size_t ulen = strlen(url), shown_sz = ulen + 1 > 128 ? ulen + 1 : 128;
	char *shown = xmalloc(shown_sz), *real = xmalloc(ulen + 8);
	fetch_url_redacted(url, shown, shown_sz);
	int rc = -1;
	CURL *c = NULL;
	struct curl_slist *hdr = NULL;
	long timeout_ms, connect_ms;
	if (check_url(url, shown, out, d) < 0 || time_left(o, shown, &timeout_ms, &connect_ms, out, d) < 0)
		goto out;
	if (strncasecmp(url, "webcal://", 9) == 0)
		snprintf(real, ulen + 8, "https://%s", url + 9);
	else
		snprintf(real, ulen + 8, "%s", url);
	if (!(cu = curl_lib(d)))
		goto out;
	c = cu->easy_init();
	if (!c) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "libcurl could not start");
		goto out;
	}
	struct sink k = { out, 0, o->max_bytes, 0 };
	char err[CURL_ERROR_SIZE] = "";
	set_transfer(c, real, q, o, timeout_ms, connect_ms, &k, err);
	int withheld = set_credentials(c, real);
	hdr = set_request(c, q, prev);
	CURLcode cc = cu->easy_perform(c);
	cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	rc = outcome(q, o, prev, cc, &k, err, withheld, shown, out, d);
out:
	if (rc < 0) {
		bytes_release(&out->body);
		fetch_validators_release(&out->v);
	}
	if (hdr)
		cu->slist_free_all(hdr);
	if (c)
		cu->easy_cleanup(c);
	free(shown);
	free(real);
	return rc;
}
