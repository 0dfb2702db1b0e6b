/* mime.c: a small, bounded MIME reader: the text/calendar part of an iMIP mail, decoded, and its From address. */
#include "dovetail/reply.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dovetail/xalloc.h"

struct mctx {
	const char *base;         /* the whole mail */
	const char *file;
	const struct reply_limits *lim;
	size_t parts;
	struct mime_part *out;
	struct diag *d;
};

/* 1-based line of p in the mail. */
static int line_at(const struct mctx *m, const char *p)
{
	int n = 1;
	for (const char *q = m->base; q < p; q++)
		n += *q == '\n';
	return n;
}

static int fault(struct mctx *m, const char *at, const char *why)
{
	diag_add(m->d, D_REPLY_MALFORMED, m->file, at ? line_at(m, at) : 0, 0, why);
	return -1;
}

static int limit(struct mctx *m, const char *at, const char *what, size_t n)
{
	char b[32];
	snprintf(b, sizeof b, "%zu", n);
	diag_add(m->d, D_REPLY_LIMIT, m->file, at ? line_at(m, at) : 0, 0, what, b);
	return -1;
}

/* The end of the line at p (its '\n', or end) */
static const char *eol(const char *p, const char *end)
{
	const char *q = memchr(p, '\n', (size_t)(end - p));
	return q ? q : end;
}

/* Length of the line [p, e) without a trailing '\r'. */
static size_t trimmed(const char *p, const char *e)
{
	return (size_t)(e - p) - (e > p && e[-1] == '\r');
}

struct headers {
	char ctype[1024];         /* Content-Type, unfolded ("" when none) */
	char cte[64];             /* Content-Transfer-Encoding */
	char from[1024];          /* From */
	int n_from;               /* From fields seen (one is the only right number) */
};

/* Append the header value [p, p + n) (a line or a continuation) to buf. */
static void append(char *buf, size_t sz, const char *p, size_t n)
{
	size_t have = strlen(buf);
	if (have + 1 >= sz)
		return;
	if (n > sz - 1 - have)
		n = sz - 1 - have;
	memcpy(buf + have, p, n);
	buf[have + n] = 0;
}

/* Read the headers from p; *body is where the body starts (end when none). */
static void read_headers(const char *p, const char *end, struct headers *h, const char **body)
{
	memset(h, 0, sizeof *h);
	char *cur = NULL;
	size_t cursz = 0;
	while (p < end) {
		const char *e = eol(p, end);
		size_t n = trimmed(p, e);
		if (n == 0) {
			*body = e < end ? e + 1 : end;
			return;
		}
		if ((*p == ' ' || *p == '\t') && cur) {
			append(cur, cursz, p, n);
		} else {
			const char *colon = memchr(p, ':', n);
			cur = NULL;
			if (colon) {
				size_t nl = (size_t)(colon - p);
				if (nl == 12 && !strncasecmp(p, "Content-Type", 12))
					cur = h->ctype, cursz = sizeof h->ctype;
				else if (nl == 25 && !strncasecmp(p, "Content-Transfer-Encoding", 25))
					cur = h->cte, cursz = sizeof h->cte;
				else if (nl == 4 && !strncasecmp(p, "From", 4))
					cur = h->from, cursz = sizeof h->from, h->n_from++;
				if (cur) {
					*cur = 0;
					append(cur, cursz, colon + 1, n - nl - 1);
				}
			}
		}
		p = e < end ? e + 1 : end;
	}
	*body = end;
}

/* The media type of a Content-Type value, lower-cased, into out. */
static void media_type(const char *ct, char *out, size_t sz)
{
	size_t k = 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	for (; *ct && *ct != ';' && *ct != ' ' && *ct != '\t' && k + 1 < sz; ct++)
		out[k++] = (char)(*ct >= 'A' && *ct <= 'Z' ? *ct - 'A' + 'a' : *ct);
	out[k] = 0;
}

/* The parameter `name` of a Content-Type value into out; 0 when absent. */
static int ct_param(const char *ct, const char *name, char *out, size_t sz)
{
	size_t nl = strlen(name);
	const char *p = strchr(ct, ';');
	while (p) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		const char *eq = strchr(p, '=');
		if (!eq)
			return 0;
		const char *ne = eq;
		while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		const char *v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		const char *ve;
		if (*v == '"') {
			v++;
			ve = strchr(v, '"');
			if (!ve)
				return 0;
		} else {
			ve = v;
			while (*ve && *ve != ';' && *ve != ' ' && *ve != '\t')
				ve++;
		}
		if ((size_t)(ne - p) == nl && !strncasecmp(p, name, nl)) {
			size_t n = (size_t)(ve - v);
			if (n + 1 > sz)
				return 0;
			memcpy(out, v, n);
			out[n] = 0;
			return 1;
		}
		p = strchr(ve, ';');
	}
	return 0;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 [p, end) into out (room for (end - p) * 3 / 4 + 3).
 * Returns the length, or -1 when it is not base64. */
static long unbase64(const char *p, const char *end, char *out)
{
	unsigned acc = 0;
	int bits = 0, pad = 0;
	long n = 0;
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		int v = b64val(c);
		if (v < 0 || pad)
			return -1;
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(acc >> bits & 0xff);
		}
	}
	if (pad > 2 || bits >= 6)
		return -1;
	return n;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode quoted-printable [p, end) into out (room for end - p). Returns
 * the length, or -1 for a bad escape. */
static long unqp(const char *p, const char *end, char *out)
{
	long n = 0;
	while (p < end) {
		if (*p != '=') {
			out[n++] = *p++;
			continue;
		}
		if (p + 1 < end && p[1] == '\n') {
			p += 2;
			continue;
		}
		if (p + 2 < end && p[1] == '\r' && p[2] == '\n') {
			p += 3;
			continue;
		}
		if (p + 1 == end)
			break;   /* a soft break at the very end */
		int h = p + 2 < end ? hexval((unsigned char)p[1]) : -1, l = h >= 0 ? hexval((unsigned char)p[2]) : -1;
		if (l < 0)
			return -1;
		out[n++] = (char)(h << 4 | l);
		p += 3;
	}
	return n;
}

/* The body [p, end) of a text/calendar part, decoded into m->out. */
static int take(struct mctx *m, const struct headers *h, const char *p, const char *end)
{
	char cte[64];
	media_type(h->cte, cte, sizeof cte);
	char *buf = xmalloc((size_t)(end - p) + 4);
	long n;
	int encoded = 0;
	if (!*cte || !strcmp(cte, "7bit") || !strcmp(cte, "8bit") || !strcmp(cte, "binary")) {
		n = (long)(end - p);
		memcpy(buf, p, (size_t)n);
	} else if (!strcmp(cte, "base64")) {
		n = unbase64(p, end, buf);
		encoded = 1;
	} else if (!strcmp(cte, "quoted-printable")) {
		n = unqp(p, end, buf);
		encoded = 1;
	} else {
		free(buf);
		return fault(m, p, "the calendar part has an unknown Content-Transfer-Encoding");
	}
	if (n < 0) {
		free(buf);
		return fault(m, p, encoded ? "the calendar part's encoding is broken" : "bad body");
	}
	buf[n] = 0;
	assert((size_t)n <= (size_t)(end - p));   /* decoding never grows the text */
	m->out->body = buf;
	m->out->len = (size_t)n;
	m->out->line = line_at(m, p);
	m->out->encoded = encoded;
	return 1;
}

/* Whether From value v names more than one mailbox, or a group: a ',' or
 * ':' (a group's "name: a, b;"), or a second '<', outside quotes, comments
 * and angle brackets. */
static int from_many(const char *v)
{
	int quoted = 0, comment = 0, angle = 0, addrs = 0;
	for (; *v; v++) {
		if (quoted) {
			if (*v == '\\' && v[1])
				v++;
			else if (*v == '"')
				quoted = 0;
		} else if (comment) {
			if (*v == '\\' && v[1])
				v++;
			else if (*v == '(')
				comment++;
			else if (*v == ')')
				comment--;
		} else if (*v == '"') {
			quoted = 1;
		} else if (*v == '(') {
			comment = 1;
		} else if (*v == '<') {
			if (angle++ || addrs++)
				return 1;
		} else if (*v == '>') {
			angle = angle ? angle - 1 : 0;
		} else if (!angle && (*v == ',' || *v == ':' || *v == ';')) {
			return 1;
		}
	}
	return 0;
}

/* The address of the mail's From h->from ("Name <addr>", or the value
 * itself), without blanks around it, into out[sz]; "" when the mail has
 * no From, more than one, one that names more than one mailbox, or one
 * too long to be held whole: an answer's sender must be one address
 * (docs/replies.md). */
static void from_address(const struct headers *h, char *out, size_t sz)
{
	const char *from = h->from;
	if (h->n_from != 1 || strlen(from) + 1 >= sizeof h->from || from_many(from)) {
		snprintf(out, sz, "%s", "");
		return;
	}
	const char *lt = strrchr(from, '<'), *a = from;
	size_t n = strlen(from);
	if (lt) {
		const char *gt = strchr(lt, '>');
		a = lt + 1;
		n = gt ? (size_t)(gt - a) : strlen(a);
	}
	while (n && (*a == ' ' || *a == '\t'))
		a++, n--;
	while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
		n--;
	snprintf(out, sz, "%.*s", (int)n, a);
}

/* Whether line [q, e) is a delimiter of boundary ("--boundary"), and in
 * *close whether it is the closing one ("--boundary--"). */
static int is_delimiter(const char *q, const char *e, const char *boundary, int *close)
{
	size_t bl = strlen(boundary), n = trimmed(q, e);
	int delim = n >= bl + 2 && q[0] == '-' && q[1] == '-' && !memcmp(q + 2, boundary, bl);
	*close = delim && n >= bl + 4 && q[bl + 2] == '-' && q[bl + 3] == '-';
	/* after the boundary (and "--"), only blanks: "--b2" is not "--b" */
	for (size_t k = bl + 2 + (*close ? 2 : 0); delim && k < n; k++)
		if (q[k] != ' ' && q[k] != '\t')
			delim = *close = 0;
	return delim;
}

/* One entity (the mail, or a part) [p, end). 1 found, 0 not here, -1. */
static int entity(struct mctx *m, const char *p, const char *end, int depth)
{
	assert(p <= end && depth <= m->lim->max_depth);
	struct headers h;
	const char *body;
	read_headers(p, end, &h, &body);
	if (depth == 0)
		from_address(&h, m->out->from, sizeof m->out->from);
	char type[128];
	media_type(h.ctype, type, sizeof type);
	if (!strcmp(type, "text/calendar") || !strcmp(type, "application/ics"))
		return take(m, &h, body, end);
	if (strncmp(type, "multipart/", 10))
		return 0;
	if (depth + 1 > m->lim->max_depth)
		return limit(m, p, "nested MIME multiparts", (size_t)m->lim->max_depth);
	char boundary[256];
	if (!ct_param(h.ctype, "boundary", boundary, sizeof boundary) || !*boundary)
		return fault(m, p, "a multipart without a boundary");
	const char *part = NULL;   /* the start of the current part's headers */
	for (const char *q = body; q < end;) {
		const char *e = eol(q, end);
		int close, delim = is_delimiter(q, e, boundary, &close);
		if (delim) {
			if (part) {
				/* the line break before the delimiter belongs to it */
				const char *pe = q;
				if (pe > part && pe[-1] == '\n')
					pe--;
				if (pe > part && pe[-1] == '\r')
					pe--;
				int r = entity(m, part, pe, depth + 1);
				if (r)
					return r;
			}
			if (close)
				return 0;
			if (++m->parts > m->lim->max_parts)
				return limit(m, q, "MIME parts", m->lim->max_parts);
			part = e < end ? e + 1 : end;
		}
		q = e < end ? e + 1 : end;
	}
	if (part)
		return fault(m, end, "a multipart that is never closed (no final boundary)");
	return 0;
}

int mime_find_calendar(const char *msg, size_t len, const char *file, const struct reply_limits *lim,
		       struct mime_part *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	struct mctx m = { msg, file, lim, 0, out, d };
	if (len > lim->max_message_bytes) {
		char b[32];
		snprintf(b, sizeof b, "%zu", lim->max_message_bytes);
		diag_add(d, D_REPLY_LIMIT, file, 0, 0, "bytes in one message", b);
		return -1;
	}
	int r = entity(&m, msg, msg + len, 0);
	if (r == 1)
		return 0;
	if (r == 0)
		fault(&m, NULL, "the mail has no text/calendar part");
	mime_part_release(out);
	return -1;
}

void mime_part_release(struct mime_part *p)
{
	if (!p)
		return;
	free(p->body);
	p->body = NULL;
	p->len = 0;
}
