/* caldav.c: a CalDAV calendar collection as one feed: a calendar-query REPORT for every VEVENT, read as one iCalendar stream (RFC 4791). */
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dovetail/ics.h"
#include "net_impl.h"
#include "dovetail/xalloc.h"

static const char caldav_ns[] = "urn:ietf:params:xml:ns:caldav";
static const char dav_ns[] = "DAV:";

/* ---- the REPORT answer: a DAV:multistatus read as a stream ------------- */

enum kind { K_OTHER, K_MULTISTATUS, K_RESPONSE, K_PROPSTAT, K_PROP, K_STATUS, K_GETETAG, K_CALDATA, K_RESPDESC };

/* Elements deeper than this are refused: a multistatus is 5 deep. */
#define MAX_XML_DEPTH 32

struct report {
	const char *shown;
	size_t max_bytes;
	struct bytes *out;
	size_t cap;
	enum kind stack[MAX_XML_DEPTH];
	/* the open response and propstat */
	int in_response, in_propstat, in_caldata, in_status;
	char status[64];
	size_t status_len;
	int resp_status, ps_status;      /* HTTP status, 0 when none given */
	size_t resp_objects;             /* calendar objects read from its 2xx propstats */
	size_t ps_objects, ps_props, ps_other;
	size_t ps_start;                 /* out->len when the propstat opened */
	size_t obj_start;                /* out->len when the calendar-data opened */
	size_t objects;
	int described;                   /* the multistatus has a responsedescription */
	const char *why;                 /* the first fault, static text */
	int line;                        /* and its line in the answer */
	int too_big;
};

static enum kind classify(xmlTextReaderPtr r)
{
	const char *ns = (const char *)xmlTextReaderConstNamespaceUri(r);
	const char *n = (const char *)xmlTextReaderConstLocalName(r);
	if (!ns || !n)
		return K_OTHER;
	if (strcmp(ns, dav_ns) == 0) {
		if (strcmp(n, "multistatus") == 0)
			return K_MULTISTATUS;
		if (strcmp(n, "response") == 0)
			return K_RESPONSE;
		if (strcmp(n, "propstat") == 0)
			return K_PROPSTAT;
		if (strcmp(n, "prop") == 0)
			return K_PROP;
		if (strcmp(n, "status") == 0)
			return K_STATUS;
		if (strcmp(n, "getetag") == 0)
			return K_GETETAG;
		if (strcmp(n, "responsedescription") == 0)
			return K_RESPDESC;
	} else if (strcmp(ns, caldav_ns) == 0 && strcmp(n, "calendar-data") == 0) {
		return K_CALDATA;
	}
	return K_OTHER;
}

static void fault(struct report *p, xmlTextReaderPtr r, const char *why)
{
	if (!p->why) {
		/* the line of the element at fault, else where the parser is */
		p->why = why;
		xmlNodePtr n = r ? xmlTextReaderCurrentNode(r) : NULL;
		long ln = n ? xmlGetLineNo(n) : -1;
		p->line = ln > 0 && ln < INT_MAX ? (int)ln : r ? xmlTextReaderGetParserLineNumber(r) : 0;
	}
}

static int append(struct report *p, const char *s, size_t n)
{
	struct bytes *b = p->out;
	if (b->len + n > p->max_bytes) {
		p->too_big = 1;
		return -1;
	}
	if (b->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		p->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

/* "HTTP/1.1 404 Not Found" -> 404; 0 when it is not a status line. */
static int status_code(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (strncmp(s, "HTTP/", 5) != 0)
		return 0;
	s += strcspn(s, " \t");
	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] < '1' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return 0;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* One calendar-data text has ended: it must be an iCalendar object; it
 * ends with a line break, so that the next one starts on a line of its own. */
static int end_object(struct report *p, xmlTextReaderPtr r)
{
	const char *t = p->out->data ? p->out->data + p->obj_start : "";
	size_t n = p->out->len - p->obj_start;
	size_t i = 0;
	if (n >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
		i++;
	if (n - i < 15 || strncasecmp(t + i, "BEGIN:VCALENDAR", 15) != 0) {
		fault(p, r, n - i ? "a calendar-data in the REPORT answer is not an iCalendar object"
				  : "a calendar-data in the REPORT answer is empty");
		return -1;
	}
	p->ps_objects++;
	if (t[n - 1] != '\n')
		return append(p, "\r\n", 2);
	return 0;
}

static int start_element(struct report *p, xmlTextReaderPtr r, int depth, enum kind k)
{
	enum kind parent = depth ? p->stack[depth - 1] : K_OTHER;
	if (depth == 0 && k != K_MULTISTATUS) {
		fault(p, r, "the REPORT answer is not a DAV:multistatus");
		return -1;
	}
	if (p->in_caldata || p->in_status) {
		fault(p, r, "an element inside a calendar-data or status in the REPORT answer");
		return -1;
	}
	/* a multistatus holds responses (and may describe them), nothing
	 * else: anything else in it, or a response anywhere else, is a
	 * failed or partial answer, never fewer events (RFC 4918 14.16) */
	if (depth == 1 && k == K_RESPDESC) {
		p->described = 1;
	} else if ((depth == 1 && k != K_RESPONSE) || (k == K_RESPONSE && parent != K_MULTISTATUS)) {
		fault(p, r, "the REPORT answer holds something other than responses in its multistatus: a failed or partial answer");
		return -1;
	}
	switch (k) {
	case K_RESPONSE:
		p->in_response = 1;
		p->resp_status = 0;
		p->resp_objects = 0;
		break;
	case K_PROPSTAT:
		if (parent != K_RESPONSE)
			break;
		p->in_propstat = 1;
		p->ps_status = 0;
		p->ps_objects = p->ps_props = p->ps_other = 0;
		p->ps_start = p->out->len;
		break;
	case K_STATUS:
		if (parent != K_RESPONSE && parent != K_PROPSTAT)
			break;
		p->in_status = 1;
		p->status_len = 0;
		break;
	default:
		if (parent == K_PROP && p->in_propstat) {
			p->ps_props++;
			if (k != K_GETETAG && k != K_CALDATA)
				p->ps_other++;
		}
		if (k == K_CALDATA && parent == K_PROP && p->in_propstat) {
			p->in_caldata = 1;
			p->obj_start = p->out->len;
		}
		break;
	}
	return 0;
}

static int end_element(struct report *p, xmlTextReaderPtr r, int depth)
{
	enum kind k = p->stack[depth], parent = depth ? p->stack[depth - 1] : K_OTHER;
	switch (k) {
	case K_STATUS:
		if (!p->in_status)
			break;
		p->in_status = 0;
		p->status[p->status_len] = 0;
		{
			int code = status_code(p->status);
			if (!code) {
				fault(p, r, "a status in the REPORT answer is not an HTTP status line");
				return -1;
			}
			if (parent == K_PROPSTAT)
				p->ps_status = code;
			else
				p->resp_status = code;
		}
		break;
	case K_CALDATA:
		if (!p->in_caldata)
			break;
		p->in_caldata = 0;
		return end_object(p, r);
	case K_PROPSTAT:
		if (!p->in_propstat)
			break;
		p->in_propstat = 0;
		if (!p->ps_status) {
			fault(p, r, "a propstat in the REPORT answer has no status");
			return -1;
		}
		if (p->ps_status < 200 || p->ps_status > 299) {
			/* only a missing ETag is no loss; any other failed
			 * property is a failed or partial answer */
			if (p->ps_objects || !p->ps_props || p->ps_other) {
				fault(p, r, "a propstat in the REPORT answer has a status other than 2xx: a failed or partial answer");
				return -1;
			}
			p->out->len = p->ps_start;
			break;
		}
		p->resp_objects += p->ps_objects;
		break;
	case K_RESPONSE:
		if (!p->in_response)
			break;
		p->in_response = 0;
		if (p->resp_status && (p->resp_status < 200 || p->resp_status > 299)) {
			fault(p, r, "a response in the REPORT answer has a status other than 2xx: a failed or partial answer");
			return -1;
		}
		if (!p->resp_objects) {
			fault(p, r, "a response in the REPORT answer has no calendar-data");
			return -1;
		}
		p->objects += p->resp_objects;
		break;
	default:
		break;
	}
	return 0;
}

static int text(struct report *p, xmlTextReaderPtr r)
{
	const char *v = (const char *)xmlTextReaderConstValue(r);
	if (!v)
		return xmlTextReaderNodeType(r) == XML_READER_TYPE_TEXT ? -1 : 0;
	size_t n = strlen(v);
	if (xmlTextReaderDepth(r) == 1 && v[strspn(v, " \t\r\n")]) {
		/* words in the multistatus itself ("Internal Server Error") */
		fault(p, r, "the REPORT answer holds something other than responses in its multistatus: a failed or partial answer");
		return -1;
	}
	if (p->in_caldata)
		return append(p, v, n);
	if (p->in_status) {
		size_t room = sizeof p->status - 1 - p->status_len;
		if (n > room)
			n = room;
		memcpy(p->status + p->status_len, v, n);
		p->status_len += n;
	}
	return 0;
}

/* libxml2's messages are not shown (they may quote the answer); one of
 * its bounds, passed, is named. */
static void quiet_errors(void *arg, const char *msg, xmlParserSeverities sev, xmlTextReaderLocatorPtr loc)
{
	struct report *p = arg;
	(void)sev;
	if (msg && strstr(msg, "huge text node") && !p->why) {
		p->why = "a text in the REPORT answer is longer than libxml2's bound of 10,000,000 bytes";
		p->line = loc ? xmlTextReaderLocatorLineNumber(loc) : 0;
	}
}

/* Where the n bytes at h first hold needle, or NULL (memmem is not in C11
 * or POSIX). */
static const char *find(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (const char *p = h; n >= k && (p = memchr(p, needle[0], n - k + 1 - (size_t)(p - h)));) {
		if (memcmp(p, needle, k) == 0)
			return p;
		p++;
	}
	return NULL;
}

static void quiet_generic(void *arg, const char *msg, ...)
{
	(void)arg, (void)msg;
}

static void quiet_structured(void *arg, xmlErrorPtr e)
{
	(void)arg, (void)e;
}

static int read_report(struct report *p, const char *body, size_t len)
{
	/* no DTD at all: entity declarations are how an answer of kilobytes
	 * becomes gigabytes (a DOCTYPE is only allowed before the root, but
	 * is looked for anywhere: a CDATA section holding one is refused too) */
	const char *dt = find(body, len, "<!DOCTYPE");
	if (!dt)
		dt = find(body, len, "<!ENTITY");
	if (dt) {
		fault(p, NULL, "the REPORT answer declares a DOCTYPE or entities, which are refused");
		p->line = 1;
		for (const char *q = body; q < dt; q++)
			p->line += *q == '\n';
		return -1;
	}
	if (len > INT_MAX) {
		p->too_big = 1;
		return -1;
	}
	/* UTF-8 whatever the answer declares: an encoding in which the test
	 * above could not see a DOCTYPE does not read */
	xmlTextReaderPtr r = xmlReaderForMemory(body, (int)len, "multistatus.xml", "UTF-8",
						XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
						XML_PARSE_BIG_LINES);
	if (!r) {
		fault(p, NULL, "the REPORT answer could not be read (out of memory)");
		return -1;
	}
	xmlTextReaderSetErrorHandler(r, quiet_errors, p);
	int rc, seen_root = 0, bad = 0;
	while (!bad && (rc = xmlTextReaderRead(r)) == 1) {
		int t = xmlTextReaderNodeType(r), depth = xmlTextReaderDepth(r);
		if (depth < 0 || depth >= MAX_XML_DEPTH) {
			fault(p, r, "the REPORT answer nests elements too deeply");
			bad = 1;
			break;
		}
		switch (t) {
		case XML_READER_TYPE_ELEMENT: {
			enum kind k = classify(r);
			seen_root = 1;
			p->stack[depth] = k;
			if (start_element(p, r, depth, k) < 0 ||
			    (xmlTextReaderIsEmptyElement(r) && end_element(p, r, depth) < 0))
				bad = 1;
			break;
		}
		case XML_READER_TYPE_END_ELEMENT:
			bad = end_element(p, r, depth) < 0;
			break;
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_WHITESPACE:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			bad = text(p, r) < 0;
			break;
		case XML_READER_TYPE_DOCUMENT_TYPE:
		case XML_READER_TYPE_ENTITY_REFERENCE:
		case XML_READER_TYPE_ENTITY:
		case XML_READER_TYPE_NOTATION:
			fault(p, r, "the REPORT answer declares a DOCTYPE or entities, which are refused");
			bad = 1;
			break;
		default:   /* comments, processing instructions */
			break;
		}
	}
	if (!bad && rc != 0 && !p->why)
		fault(p, r, "the REPORT answer is not well-formed XML, or could not be read whole");
	else if (!bad && !seen_root)
		fault(p, r, "the REPORT answer is not a DAV:multistatus");
	else if (bad && !p->why && !p->too_big)
		fault(p, r, "the REPORT answer could not be read (out of memory)");
	xmlFreeTextReader(r);
	return p->why || p->too_big ? -1 : 0;
}

int caldav_report_parse(const char *body, size_t len, const char *shown, size_t max_bytes,
			struct bytes *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	struct report p;
	memset(&p, 0, sizeof p);
	p.shown = shown;
	p.max_bytes = max_bytes;
	p.out = out;
	/* libxml2 writes some faults (encoding errors) to stderr whatever the
	 * reader's handler: nothing of the answer is shown, so none of them */
	xmlGenericErrorFunc generic = xmlGenericError;
	void *generic_ctx = xmlGenericErrorContext;
	xmlStructuredErrorFunc structured = xmlStructuredError;
	void *structured_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
	int rc = read_report(&p, body ? body : "", body ? len : 0);
	xmlSetGenericErrorFunc(generic_ctx, generic);
	xmlSetStructuredErrorFunc(structured_ctx, structured);
	if (rc == 0 && !p.objects && p.described) {
		/* no responses, only words: not an empty collection */
		p.why = "the REPORT answer has no responses, only a responsedescription: a failed answer";
		rc = -1;
	} else if (rc == 0 && !p.objects) {
		/* an empty collection: an empty calendar */
		static const char empty[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
					    "PRODID:-//dovetail//CalDAV calendar-query//EN\r\nEND:VCALENDAR\r\n";
		rc = append(&p, empty, sizeof empty - 1);
	}
	if (rc < 0) {
		if (p.too_big) {
			char lim[32];
			snprintf(lim, sizeof lim, "%zu", max_bytes);
			diag_add(d, D_NET_TOO_BIG, NULL, 0, 0, shown, lim);
		} else {
			char why[192];
			if (p.line > 0)
				snprintf(why, sizeof why, "%s (line %d of the answer)", p.why, p.line);
			else
				snprintf(why, sizeof why, "%s", p.why ? p.why : "out of memory");
			diag_add(d, D_NET_FAILED, NULL, 0, 0, shown, why);
		}
		bytes_release(out);
		return -1;
	}
	return 0;
}

/* ---- the requests ------------------------------------------------------- */

/* free-busy-query (RFC 4791 7.10): the answer is one VFREEBUSY, no details. */
static int freebusy(const char *http, const char *shown, const struct fetch_opts *o,
		    const struct ics_limits *lim, const char *a, const char *b, struct bytes *out,
		    struct diag *d)
{
	char body[512];
	snprintf(body, sizeof body,
		 "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<C:free-busy-query xmlns:C=\"urn:ietf:params:xml:ns:caldav\">\n"
		 "  <C:time-range start=\"%s\" end=\"%s\"/>\n"
		 "</C:free-busy-query>\n", a, b);
	struct fetch_result r;
	struct net_req q = { .method = "REPORT", .url = http, .body = body, .depth = "1" };
	if (net_request(&q, o, NULL, &r, d) < 0)
		return -1;
	/* whether it is a VFREEBUSY: the bounded scanner looks, never libical
	 * (the reader reads it as any feed after) */
	int ok = 0, details = 0;
	if (r.status == 200) {
		struct ics_scan s;
		struct diag quiet;
		memset(&s, 0, sizeof s);
		diag_init(&quiet);
		int rc = ics_scan(&s, shown, r.body.data, r.body.len, lim, &quiet);
		for (size_t i = 0; rc == 0 && i < s.n_comps; i++) {
			if (s.comps[i].depth != 1)
				continue;
			if (s.comps[i].complete && strcmp(s.comps[i].name, "VFREEBUSY") == 0)
				ok = 1;
			else if (strcmp(s.comps[i].name, "VTIMEZONE") != 0)
				details = 1;   /* a VEVENT, say: what a busy-only feed never keeps */
		}
		ics_scan_release(&s);
		if (rc < 0) {
			/* past a bound (nesting, lines): that is the answer's fault */
			diag_move(d, &quiet);
			diag_release(&quiet);
			fetch_result_release(&r);
			return -1;
		}
		diag_release(&quiet);
	}
	if (ok && details) {
		diag_add(d, D_NET_FAILED, NULL, 0, 0, shown,
			 "the free-busy answer holds more than VFREEBUSY (events with their details), which a busy-only feed never keeps");
		fetch_result_release(&r);
		return -1;
	}
	if (!ok) {
		/* a server that answers with anything else (Radicale: a 207 list)
		 * does not offer it; the details are not fetched instead */
		diag_add(d, D_NET_FAILED, NULL, 0, 0, shown,
			 "the server does not answer free-busy-query with a VFREEBUSY (RFC 4791 7.10)");
		fetch_result_release(&r);
		return -1;
	}
	*out = r.body;
	r.body.data = NULL;
	r.body.len = 0;
	fetch_result_release(&r);
	return 0;
}

int caldav_fetch(const char *url, const struct fetch_opts *o, const struct ics_limits *lim,
		 int64_t from, int64_t to, struct bytes *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	char a[17], b[17], body[1024];
	time_fmt_utc(from, a);
	time_fmt_utc(to, b);
	/* past "caldav+", and without a #freebusy fragment */
	char http[FETCH_MAX_URL + 1];
	if (strlen(url) > FETCH_MAX_URL) {
		char shown[256];
		fetch_url_redacted(url, shown, sizeof shown);
		diag_add(d, D_NET_URL_LONG, NULL, 0, 0, shown, DV_STR(FETCH_MAX_URL));
		return -1;
	}
	snprintf(http, sizeof http, "%s", url + 7);
	char *frag = strchr(http, '#');
	int fb = frag && strcasecmp(frag, "#freebusy") == 0;
	if (frag)
		*frag = 0;
	char shown[2048];
	fetch_url_redacted(url, shown, sizeof shown);
	if (fb)
		return freebusy(http, shown, o, lim, a, b, out, d);
	/* every VEVENT of the collection, expanded here as any feed: no
	 * time-range filter, since servers apply it to recurring events
	 * unreliably (Xandikos 0.2.8 ignores RRULE in it and drops the series
	 * whose first instance is before the window); the answer is bounded
	 * as any download (docs/feeds.md, "CalDAV") */
	snprintf(body, sizeof body,
		 "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">\n"
		 "  <D:prop><D:getetag/><C:calendar-data/></D:prop>\n"
		 "  <C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"/>\n"
		 "  </C:comp-filter></C:filter>\n"
		 "</C:calendar-query>\n");
	struct fetch_result r;
	struct net_req q = { .method = "REPORT", .url = http, .body = body, .depth = "1", .want = 207 };
	if (net_request(&q, o, NULL, &r, d) < 0)
		return -1;
	int rc = caldav_report_parse(r.body.data, r.body.len, shown, lim->max_file_bytes, out, d);
	fetch_result_release(&r);
	return rc;
}
