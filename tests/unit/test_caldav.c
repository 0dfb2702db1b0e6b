/* test_caldav.c: unit tests for net/caldav.c: a REPORT answer read into one iCalendar stream, and every answer that must be refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/fetch.h"
#include "dovetail/ics.h"
#include "tap.h"

#define CAL(uid) "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:" uid \
	"\r\nDTSTART:20261124T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR"
#define HEAD "<?xml version=\"1.0\"?>\n<D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
#define TAIL "</D:multistatus>\n"
#define PS(data, st) "<D:propstat><D:prop><D:getetag>\"1\"</D:getetag><C:calendar-data>" data \
	"</C:calendar-data></D:prop><D:status>HTTP/1.1 " st "</D:status></D:propstat>"
#define RESP(inner) "<D:response><D:href>/c/x.ics</D:href>" inner "</D:response>"

static const char *last_msg;
static char msgbuf[512];

/* Parse text with max bytes; 0 or -1; the stream in *out; the message of
 * the first diagnostic in last_msg. */
static int parse(const char *text, size_t max, struct bytes *out, enum diag_code *code)
{
	struct diag d;
	diag_init(&d);
	int rc = caldav_report_parse(text, strlen(text), "caldav+https://h/<redacted:000000>", max, out, &d);
	*code = d.n ? d.v[0].code : D_INTERNAL;
	snprintf(msgbuf, sizeof msgbuf, "%s", d.n ? d.v[0].msg : "");
	last_msg = msgbuf;
	if (rc == 0 && d.n)
		rc = -2;   /* a success says nothing */
	diag_release(&d);
	return rc;
}

static void refused(const char *what, const char *text, const char *says)
{
	struct bytes b;
	enum diag_code c;
	int rc = parse(text, 1 << 20, &b, &c);
	ok(rc == -1 && c == D_NET_FAILED && !b.data && !b.len, "%s: refused (D_NET_FAILED), nothing kept", what);
	ok(strstr(last_msg, says) != NULL, "... saying \"%s\"", says);
	if (!strstr(last_msg, says))
		printf("#   got: %s\n", last_msg);
	bytes_release(&b);
}

/* A URL of exactly n bytes: prefix, then 'a's. */
static char *url_of(const char *prefix, size_t n)
{
	char *u = malloc(n + 1);
	size_t k = strlen(prefix);
	memcpy(u, prefix, k);
	memset(u + k, 'a', n - k);
	u[n] = 0;
	return u;
}

/* The URL of a feed or a collection: at most FETCH_MAX_URL (2,000) bytes.
 * One past it is refused (D_NET_URL_LONG) before any request; at the bound
 * it is requested (here from a port nothing listens on: refused by the
 * system, not by length). */
static void url_bound(void)
{
	struct fetch_opts o;
	fetch_opts_default(&o, 1 << 20);
	o.connect_timeout_s = 2;
	o.timeout_s = 2;
	struct ics_limits lim;
	ics_limits_default(&lim);
	for (size_t n = FETCH_MAX_URL; n <= FETCH_MAX_URL + 1; n++) {
		for (int dav = 0; dav < 2; dav++) {
			char *u = url_of(dav ? "caldav+http://127.0.0.1:1/" : "http://127.0.0.1:1/", n);
			struct diag d;
			diag_init(&d);
			int rc;
			if (dav) {
				struct bytes b;
				rc = caldav_fetch(u, &o, &lim, 0, 86400, &b, &d);
				if (rc == 0)
					free(b.data);
			} else {
				struct fetch_result r;
				rc = fetch_url(u, &o, NULL, &r, &d);
				if (rc == 0)
					fetch_result_release(&r);
			}
			int is_long = 0;
			for (size_t i = 0; i < d.n; i++)
				is_long |= d.v[i].code == D_NET_URL_LONG;
			if (n > FETCH_MAX_URL)
				ok(rc == -1 && is_long && d.n == 1, "%s URL of %zu bytes: refused for its length (D_NET_URL_LONG)",
				   dav ? "a CalDAV" : "a feed", n);
			else
				ok(rc == -1 && !is_long && d.n >= 1, "%s URL of %zu bytes: requested (%s)",
				   dav ? "a CalDAV" : "a feed", n, d.n ? d.v[0].msg : "no diagnostic");
			diag_release(&d);
			free(u);
		}
	}
}

int main(void)
{
	struct bytes b;
	enum diag_code c;

	/* two objects, one stream: each object whole, each ending a line */
	int rc = parse(HEAD RESP(PS(CAL("a"), "200 OK")) RESP(PS("<![CDATA[" CAL("b") "\r\n]]>", "200 OK")) TAIL,
		       1 << 20, &b, &c);
	ok(rc == 0, "two calendar objects: read");
	ok(rc == 0 && strncmp(b.data, "BEGIN:VCALENDAR", 15) == 0 && strstr(b.data, "UID:a") &&
	   strstr(b.data, "END:VCALENDAR\r\nBEGIN:VCALENDAR") && strstr(b.data, "UID:b") &&
	   b.data[b.len - 1] == '\n' && strlen(b.data) == b.len,
	   "... as one stream, each object on its own lines (CDATA too)");
	bytes_release(&b);
	rc = parse(HEAD TAIL, 1 << 20, &b, &c);
	ok(rc == 0 && strstr(b.data, "BEGIN:VCALENDAR") && strstr(b.data, "END:VCALENDAR"),
	   "an empty multistatus: an empty VCALENDAR (an empty collection)");
	bytes_release(&b);
	rc = parse(HEAD RESP(PS(CAL("a"), "200 OK") "<D:propstat><D:prop><D:getetag/></D:prop>"
				 "<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>") TAIL, 1 << 20, &b, &c);
	ok(rc == 0 && strstr(b.data, "UID:a"), "a propstat 404 for the ETag only: no loss, read");
	bytes_release(&b);
	rc = parse(HEAD RESP(PS("A &amp; B &#65;", "200 OK")) TAIL, 1 << 20, &b, &c);
	ok(rc == -1, "character references are read, but text that is not iCalendar is refused");
	bytes_release(&b);

	/* failed or partial answers (issue 19, item 2) */
	refused("a propstat 404", HEAD RESP(PS(CAL("a"), "404 Not Found")) TAIL, "status other than 2xx");
	refused("a propstat 403 with an empty prop",
		HEAD RESP("<D:propstat><D:prop/><D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat>") TAIL,
		"status other than 2xx");
	refused("a response 403 (the collection)",
		HEAD "<D:response><D:href>/c/</D:href><D:status>HTTP/1.1 403 Forbidden</D:status></D:response>" TAIL,
		"a response in the REPORT answer has a status other than 2xx");
	refused("a 507 after a good response (truncated results)",
		HEAD RESP(PS(CAL("a"), "200 OK")) "<D:response><D:href>/c/</D:href><D:status>HTTP/1.1 507 x</D:status></D:response>" TAIL,
		"partial answer (line 9 of the answer)");
	refused("a response without calendar-data",
		HEAD "<D:response><D:href>/c/x.ics</D:href><D:propstat><D:prop><D:getetag>1</D:getetag></D:prop>"
		"<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>" TAIL, "has no calendar-data");
	refused("a propstat without a status", HEAD RESP("<D:propstat><D:prop><C:calendar-data>" CAL("a")
							 "</C:calendar-data></D:prop></D:propstat>") TAIL, "has no status");
	refused("an empty calendar-data", HEAD RESP(PS("", "200 OK")) TAIL, "is empty");
	refused("calendar-data that is not iCalendar", HEAD RESP(PS("hello", "200 OK")) TAIL, "not an iCalendar object");
	refused("XML cut short", HEAD RESP(PS(CAL("a"), "200 OK")), "not well-formed");
	refused("not a multistatus", "<?xml version=\"1.0\"?><html/>", "not a DAV:multistatus");
	refused("not XML", "BEGIN:VCALENDAR\r\n", "not well-formed");
	refused("an element inside calendar-data", HEAD RESP(PS("<x/>", "200 OK")) TAIL, "an element inside");

	/* no DTD, no entities (issue 19, item 3) */
	refused("an internal DTD with an entity",
		"<?xml version=\"1.0\"?>\n<!DOCTYPE m [\n<!ENTITY e \"xxxxxxxxxx\">]>\n" HEAD RESP(PS("&e;&e;", "200 OK")) TAIL,
		"DOCTYPE or entities, which are refused (line 2 of the answer)");
	refused("an ENTITY declaration anywhere", HEAD "<!ENTITY e 'x'>" TAIL, "DOCTYPE or entities");
	refused("an external DTD", "<?xml version=\"1.0\"?><!DOCTYPE m SYSTEM \"http://evil.example/x.dtd\">" HEAD TAIL,
		"DOCTYPE or entities");
	refused("an undeclared entity reference", HEAD RESP(PS("&e;", "200 OK")) TAIL, "REPORT answer");
	refused("UTF-16 (where a byte search could not see a DOCTYPE)", "\xff\xfe<\0?\0x\0m\0l\0", "not well-formed");

	/* the bound on the text (D_NET_TOO_BIG), tripped */
	rc = parse(HEAD RESP(PS(CAL("a"), "200 OK")) TAIL, 40, &b, &c);
	ok(rc == -1 && c == D_NET_TOO_BIG && !b.data, "calendar-data past max_bytes: D_NET_TOO_BIG, nothing kept");
	rc = parse(HEAD RESP(PS(CAL("a"), "200 OK")) TAIL, strlen(CAL("a")) + 2, &b, &c);
	ok(rc == 0, "... and text of exactly max_bytes is read");
	bytes_release(&b);

	/* deep XML: refused, no recursion */
	{
		size_t n = 100000;
		char *deep = malloc(strlen(HEAD) + n * 7 + 64);
		strcpy(deep, HEAD);
		for (size_t i = 0; i < n; i++)
			strcat(deep + strlen(HEAD) + i * 3, "<x>");
		strcat(deep, TAIL);
		rc = parse(deep, 1 << 20, &b, &c);
		ok(rc == -1 && !b.data, "100,000 nested XML elements: refused");
		free(deep);
	}
	url_bound();
	return tap_done();
}
