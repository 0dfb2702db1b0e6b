/* caldav.c: a CalDAV calendar collection as one feed: a calendar-query REPORT for every VEVENT, expanded here (RFC 4791). */
#include <libical/ical.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net_impl.h"

static const char caldav_ns[] = "urn:ietf:params:xml:ns:caldav";

int fetch_is_caldav(const char *s)
{
	return s && (strncasecmp(s, "caldav+http://", 14) == 0 || strncasecmp(s, "caldav+https://", 15) == 0);
}

/* Every calendar-data text of the multistatus, merged into merged. */
struct merge {
	icalcomponent *cal;
	size_t objects;
	int bad;
};

static const char *tzid_of(icalcomponent *vtz)
{
	icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	return p ? icalproperty_get_tzid(p) : NULL;
}

static void add_object(struct merge *m, const char *text)
{
	icalcomponent *c = icalparser_parse_string(text);
	if (!c || icalcomponent_isa(c) != ICAL_VCALENDAR_COMPONENT) {
		m->bad++;
		if (c)
			icalcomponent_free(c);
		return;
	}
	m->objects++;
	for (icalcomponent *x = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); x;
	     x = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind k = icalcomponent_isa(x);
		if (k == ICAL_VTIMEZONE_COMPONENT) {
			/* one VTIMEZONE per TZID */
			const char *id = tzid_of(x);
			int seen = 0;
			for (icalcomponent *y = icalcomponent_get_first_component(m->cal, ICAL_VTIMEZONE_COMPONENT);
			     y && id; y = icalcomponent_get_next_component(m->cal, ICAL_VTIMEZONE_COMPONENT)) {
				const char *yid = tzid_of(y);
				seen |= yid && strcmp(yid, id) == 0;
			}
			if (!seen)
				icalcomponent_add_component(m->cal, icalcomponent_new_clone(x));
		} else if (k == ICAL_VEVENT_COMPONENT || k == ICAL_VFREEBUSY_COMPONENT) {
			icalcomponent_add_component(m->cal, icalcomponent_new_clone(x));
		}
	}
	icalcomponent_free(c);
}

static void walk(xmlNode *n, struct merge *m)
{
	for (; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE && n->ns && strcmp((const char *)n->ns->href, caldav_ns) == 0 &&
		    strcmp((const char *)n->name, "calendar-data") == 0) {
			xmlChar *t = xmlNodeGetContent(n);
			if (t && *t)
				add_object(m, (const char *)t);
			xmlFree(t);
		} else {
			walk(n->children, m);
		}
	}
}

/* free-busy-query (RFC 4791 7.10): the answer is one VFREEBUSY, no details. */
static int freebusy(const char *http, const char *shown, const struct fetch_opts *o, const char *a,
		    const char *b, struct bytes *out, struct diag *d)
{
	char body[512];
	snprintf(body, sizeof body,
		 "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		 "<C:free-busy-query xmlns:C=\"urn:ietf:params:xml:ns:caldav\">\n"
		 "  <C:time-range start=\"%s\" end=\"%s\"/>\n"
		 "</C:free-busy-query>\n", a, b);
	struct fetch_result r;
	if (net_request("REPORT", http, body, NULL, 0, o, NULL, &r, d) < 0)
		return -1;
	icalcomponent *c = r.status == 200 ? icalparser_parse_string(r.body.data) : NULL;
	int ok = c && icalcomponent_isa(c) == ICAL_VCALENDAR_COMPONENT &&
		 icalcomponent_get_first_component(c, ICAL_VFREEBUSY_COMPONENT);
	if (c)
		icalcomponent_free(c);
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

int caldav_fetch(const char *url, const struct fetch_opts *o, int64_t from, int64_t to,
		 struct bytes *out, struct diag *d)
{
	memset(out, 0, sizeof *out);
	char a[17], b[17], body[1024];
	time_fmt_utc(from, a);
	time_fmt_utc(to, b);
	/* past "caldav+", and without a #freebusy fragment */
	char http[2048];
	snprintf(http, sizeof http, "%s", url + 7);
	char *frag = strchr(http, '#');
	int fb = frag && strcasecmp(frag, "#freebusy") == 0;
	if (frag)
		*frag = 0;
	if (fb) {
		char shown0[2048];
		fetch_url_shown(url, shown0, sizeof shown0);
		return freebusy(http, shown0, o, a, b, out, d);
	}
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
	if (net_request("REPORT", http, body, NULL, 207, o, NULL, &r, d) < 0)
		return -1;
	/* no network, no entities, no DTD: the server's XML is data */
	xmlDoc *doc = xmlReadMemory(r.body.data, (int)r.body.len, "multistatus.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	fetch_result_release(&r);
	char shown[2048];
	fetch_url_shown(url, shown, sizeof shown);
	if (!doc) {
		diag_add(d, D_NET_FAILED, NULL, 0, 0, shown, "the REPORT answer is not XML");
		return -1;
	}
	struct merge m = { icalcomponent_new_vcalendar(), 0, 0 };
	icalcomponent_add_property(m.cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(m.cal, icalproperty_new_prodid("-//dovetail//CalDAV calendar-query//EN"));
	walk(xmlDocGetRootElement(doc), &m);
	xmlFreeDoc(doc);
	if (m.bad) {
		char why[96];
		snprintf(why, sizeof why, "%d calendar object(s) in the REPORT answer are not iCalendar", m.bad);
		diag_add(d, D_NET_FAILED, NULL, 0, 0, shown, why);
		icalcomponent_free(m.cal);
		return -1;
	}
	char *text = icalcomponent_as_ical_string_r(m.cal);
	icalcomponent_free(m.cal);
	if (!text) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "libical could not write the merged calendar");
		return -1;
	}
	out->data = text;
	out->len = strlen(text);
	return 0;
}
