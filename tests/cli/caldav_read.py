#!/usr/bin/python3
"""caldav_read.py: the events of a CalDAV collection, or of an iCalendar file, one a line.

Usage: caldav_read.py URL USER PASSWORD     (a calendar-query REPORT, read with urllib)
       caldav_read.py --file FILE.ics
       caldav_read.py --get URL USER PASSWORD   (one object's text, as the server holds it)
       caldav_read.py --edit URL USER PASSWORD  (someone else's edit: SUMMARY becomes "Moved
                                                 by the clinic", PUT with no precondition)
       caldav_read.py --delete URL USER PASSWORD
       caldav_read.py --mkcalendar URL USER PASSWORD

Each VEVENT as "UID START END TRANSP SUMMARY|LOCATION", START and END as UTC instants (python3-
icalendar and zoneinfo read them), sorted; a REPORT also checks that each calendar object holds
exactly one UID (RFC 4791 4.1) and prints "# objects N".
"""
import base64
import re
import sys
import urllib.error
import urllib.request
from datetime import timezone
from xml.etree import ElementTree

import icalendar


def lines(cal):
    out = []
    for e in cal.walk("VEVENT"):
        f = "%Y-%m-%dT%H:%M:%SZ"
        s = e["DTSTART"].dt.astimezone(timezone.utc).strftime(f)
        t = e["DTEND"].dt.astimezone(timezone.utc).strftime(f)
        out.append("%s %s %s %s %s|%s" % (e["UID"], s, t, e.get("TRANSP", "OPAQUE"),
                                          e.get("SUMMARY", ""), e.get("LOCATION", "")))
    return out


def req(method, url, user, pw, body=None, depth=None, ctype="application/xml; charset=utf-8"):
    r = urllib.request.Request(url, data=body, method=method)
    r.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode())
    if body:
        r.add_header("Content-Type", ctype)
    if depth:
        r.add_header("Depth", depth)
    with urllib.request.urlopen(r) as resp:
        return resp.read()


if sys.argv[1] == "--file":
    print("\n".join(sorted(lines(icalendar.Calendar.from_ical(open(sys.argv[2], "rb").read())))))
    sys.exit(0)
if sys.argv[1] == "--get":
    sys.stdout.write(req("GET", sys.argv[2], sys.argv[3], sys.argv[4]).decode())
    sys.exit(0)
if sys.argv[1] == "--edit":
    text = req("GET", sys.argv[2], sys.argv[3], sys.argv[4]).decode()
    text = re.sub(r"(?m)^SUMMARY:.*$", "SUMMARY:Moved by the clinic\r", text)
    req("PUT", sys.argv[2], sys.argv[3], sys.argv[4], text.encode(), ctype="text/calendar; charset=utf-8")
    sys.exit(0)
if sys.argv[1] == "--delete":
    req("DELETE", sys.argv[2], sys.argv[3], sys.argv[4])
    sys.exit(0)
if sys.argv[1] == "--mkcalendar":
    try:
        req("MKCALENDAR", sys.argv[2], sys.argv[3], sys.argv[4])
    except urllib.error.HTTPError as e:
        if e.code not in (405, 409):
            raise
    sys.exit(0)
url, user, pw = sys.argv[1:4]
q = (b'<?xml version="1.0" encoding="utf-8"?><C:calendar-query xmlns:D="DAV:" '
     b'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>'
     b'<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"/></C:comp-filter>'
     b'</C:filter></C:calendar-query>')
ms = ElementTree.fromstring(req("REPORT", url, user, pw, q, "1"))
out, n = [], 0
for d in ms.iter("{urn:ietf:params:xml:ns:caldav}calendar-data"):
    cal = icalendar.Calendar.from_ical(d.text)
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert len(uids) == 1, uids
    assert "METHOD" not in cal, "a calendar object with a METHOD"
    n += 1
    out += lines(cal)
print("\n".join(sorted(out)))
print("# objects %d" % n)
