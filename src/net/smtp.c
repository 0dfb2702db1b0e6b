/* smtp.c: mail one message at a time by SMTP through libcurl: TLS verified, STARTTLS required, bounded. */
#include "dovetail/send.h"
#include "curl_lib.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dovetail/fetch.h"
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

/* libcurl's calls (curl_lib.h): set by the first request, before any other call */
static const struct curl_lib *cu;

static long env_long(const char *name, long lo, long hi, long dflt)
{
	const char *t = getenv(name);
	char *end;
	long v = t && *t ? strtol(t, &end, 10) : 0;
	return t && *t && !*end && v >= lo && v <= hi ? v : dflt;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static int is_smtp_url(const char *u)
{
	return strncasecmp(u, "smtp://", 7) == 0 || strncasecmp(u, "smtps://", 8) == 0;
}

void smtp_url_shown(const char *url, char *out, size_t sz)
{
	/* scheme://host[:port]: no user, password or path */
	const char *a = strstr(url, "://");
	a = a ? a + 3 : url;
	const char *e = a + strcspn(a, "/?#");
	const char *at = NULL;
	for (const char *p = a; p < e; p++)
		if (*p == '@')
			at = p + 1;
	const char *h = at ? at : a;
	snprintf(out, sz, "%.*s%.*s", (int)(a - url), url, (int)(e - h), h);
}

int smtp_conf_load(const struct profile *p, int need_server, struct smtp_conf *c, struct diag *d)
{
	memset(c, 0, sizeof *c);
	c->url = env("DOVETAIL_SMTP_URL");
	if (!c->url)
		c->url = p->mail_server;
	c->user = env("DOVETAIL_SMTP_USER");
	if (!c->user)
		c->user = p->mail_username;
	c->password = env("DOVETAIL_SMTP_PASSWORD");
	c->ca_file = env("DOVETAIL_SMTP_CA");
	if (!c->ca_file)
		c->ca_file = p->mail_ca_file.path;
	const char *st = getenv("DOVETAIL_SMTP_STARTTLS");
	c->starttls = p->mail_starttls && !(st && strcmp(st, "0") == 0);
	c->timeout_s = env_long("DOVETAIL_SMTP_TIMEOUT", 1, 3600, 60);
	c->connect_timeout_s = c->timeout_s < 10 ? c->timeout_s : 10;
	c->max_bytes = (size_t)env_long("DOVETAIL_SMTP_MAX_BYTES", 1024, 16L << 20, 1L << 20);
	c->max_messages = (size_t)env_long("DOVETAIL_SMTP_MAX_MESSAGES", 1, 10000, 200);
	c->total_s = env_long("DOVETAIL_SMTP_TOTAL", 1, 86400, 1800);
	if (!p->coordinator_address) {
		diag_add(d, D_SMTP_CONF, NULL, 0, 0,
			 "the profile has no coordinator.address, the sender of every message");
		return -1;
	}
	c->from = p->coordinator_address + 7;   /* addr_is_one: "mailto:" and one address */
	if (!c->url) {
		if (!need_server)
			return 0;
		diag_add(d, D_SMTP_CONF, NULL, 0, 0,
			 "no SMTP server: set mail.server in the profile, or DOVETAIL_SMTP_URL");
		return -1;
	}
	char shown[512];
	smtp_url_shown(c->url, shown, sizeof shown);
	if (!is_smtp_url(c->url)) {
		diag_add(d, D_SMTP_CONF, NULL, 0, 0, "the SMTP server is not an smtp:// or smtps:// URL");
		return -1;
	}
	char plain[4096];
	fetch_url_shown(c->url, plain, sizeof plain);
	if (strlen(c->url) >= sizeof plain || strcmp(plain, c->url) != 0) {
		/* the URL itself is never shown: it holds the secret */
		diag_add(d, D_SMTP_CONF, NULL, 0, 0,
			 "the SMTP server URL must not carry a user or password (DOVETAIL_SMTP_USER,"
			 " DOVETAIL_SMTP_PASSWORD or a netrc file)");
		return -1;
	}
	return 0;
}

struct smtp {
	const struct smtp_conf *c;
	CURL *h;
	char shown[256];
};

struct smtp *smtp_new(const struct smtp_conf *c, struct diag *d)
{
	assert(c->url && c->from);
	if (!(cu = curl_lib(d)))
		return NULL;
	struct smtp *s = xcalloc(1, sizeof *s);
	s->h = cu->easy_init();
	if (!s->h) {
		free(s);
		diag_add(d, D_INTERNAL, NULL, 0, 0, "libcurl could not start");
		return NULL;
	}
	s->c = c;
	smtp_url_shown(c->url, s->shown, sizeof s->shown);
	return s;
}

void smtp_free(struct smtp *s)
{
	if (!s)
		return;
	cu->easy_cleanup(s->h);
	free(s);
}

/* The message, read out to libcurl. */
struct src {
	const char *p;
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct src *r = arg;
	size_t k = size * n < r->left ? size * n : r->left;
	memcpy(buf, r->p, k);
	r->p += k;
	r->left -= k;
	return k;
}

/* The server's replies as libcurl's debug stream shows them: the last
 * line kept (printable ASCII, bounded), and the command it answered. Only
 * the first word of what we send is looked at: an AUTH line carries the
 * credentials, and is never copied. */
struct talk {
	char reply[201];  /* the last reply */
	char phase[8];    /* the last command: MAIL, RCPT, DATA, AUTH, STAR(TTLS), EHLO, ... */
	char bad[201];    /* the first 4xx or 5xx reply (libcurl may QUIT after it) */
	char bad_phase[8];
};

static int on_debug(CURL *h, curl_infotype t, char *p, size_t n, void *arg)
{
	struct talk *k = arg;
	(void)h;
	if (t == CURLINFO_HEADER_OUT && n >= 4) {
		size_t m = 4;
		for (size_t i = 0; i < m; i++)
			k->phase[i] = (char)((p[i] >= 'a' && p[i] <= 'z') ? p[i] - 32 : p[i]);
		k->phase[m] = 0;
	} else if (t == CURLINFO_HEADER_IN) {
		/* a reply may come in several lines: keep the last one */
		const char *line = p, *end = p + n;
		for (const char *q = p; q < end; q++)
			if (*q == '\n' && q + 1 < end)
				line = q + 1;
		size_t j = 0;
		for (const char *q = line; q < end && j < sizeof k->reply - 1; q++) {
			unsigned char ch = (unsigned char)*q;
			if (ch == '\r' || ch == '\n')
				break;
			k->reply[j++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		k->reply[j] = 0;
		if (!*k->bad && (k->reply[0] == '4' || k->reply[0] == '5')) {
			memcpy(k->bad, k->reply, sizeof k->bad);
			memcpy(k->bad_phase, k->phase, sizeof k->bad_phase);
		}
	}
	return 0;
}

int smtp_send(struct smtp *s, const char *rcpt, const char *msg, size_t len, struct diag *d)
{
	const struct smtp_conf *c = s->c;
	char mailto[300];
	snprintf(mailto, sizeof mailto, "mailto:%s", rcpt);
	if (strlen(rcpt) > 254 || !addr_is_one(mailto, strlen(mailto))) {
		diag_add(d, D_SMTP_REFUSED, NULL, 0, 0, "dovetail", "(not one address)",
			 "a recipient must be exactly one address");
		return -1;
	}
	CURL *h = s->h;
	if (!h) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory (libcurl)");
		return -1;
	}
	struct curl_slist *to = NULL;
	char rcpt_arg[300], from_arg[300];
	snprintf(rcpt_arg, sizeof rcpt_arg, "<%s>", rcpt);
	snprintf(from_arg, sizeof from_arg, "<%s>", c->from);
	to = cu->slist_append(NULL, rcpt_arg);
	if (!to) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	struct src r = { msg, len };
	struct talk k = { "", "", "", "" };
	char err[CURL_ERROR_SIZE] = "";
	cu->easy_reset(h);
	cu->easy_setopt(h, CURLOPT_URL, c->url);
	cu->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	cu->easy_setopt(h, CURLOPT_MAIL_FROM, from_arg);
	cu->easy_setopt(h, CURLOPT_MAIL_RCPT, to);
	cu->easy_setopt(h, CURLOPT_UPLOAD, 1L);
	cu->easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	cu->easy_setopt(h, CURLOPT_READDATA, &r);
	cu->easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	cu->easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
	cu->easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s);
	/* the answer after the data, and to QUIT when the connection closes,
	 * wait on this one, not the above (libcurl's default: 120 s) */
	cu->easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, c->timeout_s);
	cu->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	cu->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	cu->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(h, CURLOPT_ERRORBUFFER, err);
	cu->easy_setopt(h, CURLOPT_VERBOSE, 1L);   /* into on_debug, never to stderr */
	cu->easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
	cu->easy_setopt(h, CURLOPT_DEBUGDATA, &k);
	const char *ca = c->ca_file ? c->ca_file : getenv("CURL_CA_BUNDLE");
	if (ca && *ca)
		cu->easy_setopt(h, CURLOPT_CAINFO, ca);
	int tls = strncasecmp(c->url, "smtps://", 8) == 0 || c->starttls;
	if (strncasecmp(c->url, "smtp://", 7) == 0)
		cu->easy_setopt(h, CURLOPT_USE_SSL, (long)(c->starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
	if (tls) {
		/* credentials only inside TLS: the login named, or netrc's */
		cu->easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
		const char *netrc = getenv("NETRC");
		if (netrc && *netrc)
			cu->easy_setopt(h, CURLOPT_NETRC_FILE, netrc);
		/* without a password, netrc's login and password for the host
		 * (libcurl 7.88 does not look up the password of a login it is
		 * given) */
		if (c->user && c->password) {
			cu->easy_setopt(h, CURLOPT_USERNAME, c->user);
			cu->easy_setopt(h, CURLOPT_PASSWORD, c->password);
		}
	} else {
		cu->easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	}
	CURLcode cc = cu->easy_perform(h);
	cu->slist_free_all(to);
	if (cc == CURLE_OK)
		return 0;
	long code = 0;
	cu->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	char why[512];
	if (cc == CURLE_USE_SSL_FAILED)
		snprintf(why, sizeof why, "the server offers no STARTTLS, which is required"
			 " (mail.starttls: false, or DOVETAIL_SMTP_STARTTLS=0, sends in clear)%s%s",
			 *k.reply ? "; its last reply: " : "", k.reply);
	else if (*k.bad)
		snprintf(why, sizeof why, "%s (after %s)", k.bad, *k.bad_phase ? k.bad_phase : "connecting");
	else
		snprintf(why, sizeof why, "%s", *err ? err : cu->easy_strerror(cc));
	(void)code;
	/* a permanent refusal of the recipient: the address is wrong */
	if (strcmp(k.bad_phase, "RCPT") == 0 && k.bad[0] == '5')
		diag_add(d, D_SMTP_REFUSED, NULL, 0, 0, s->shown, rcpt, why);
	else
		diag_add(d, D_SMTP_FAILED, NULL, 0, 0, s->shown, rcpt, why);
	/* the session is in an unknown state: the next message starts afresh */
	cu->easy_cleanup(s->h);
	s->h = cu->easy_init();
	return -1;
}
