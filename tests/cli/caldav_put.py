#!/usr/bin/python3
"""caldav_put.py: put a feed's events into a CalDAV collection, as a clinic's system would.

Usage: caldav_put.py COLLECTION_URL USER PASSWORD FEED.ics

Makes the collection (MKCALENDAR; an existing one is kept), then PUTs one calendar object
resource per UID (the series with its overrides), each with the VTIMEZONEs of the feed, with real
HTTP requests (urllib). VFREEBUSY components are not calendar objects a calendar-query returns
and are left out. Prints the number of objects put.
"""
import base64
import hashlib
import sys
import urllib.error
import urllib.request

import icalendar

url, user, pw, feed = sys.argv[1:5]
if not url.endswith("/"):
    url += "/"
auth = "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()


def req(method, u, body=None, ctype=None):
    r = urllib.request.Request(u, data=body, method=method)
    r.add_header("Authorization", auth)
    if ctype:
        r.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


st = req("MKCALENDAR", url)
if st not in (201, 405, 409):
    sys.exit("MKCALENDAR %s: %d" % (url, st))
cal = icalendar.Calendar.from_ical(open(feed, "rb").read())
tzs = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
groups = {}
for c in cal.subcomponents:
    if c.name == "VEVENT":
        groups.setdefault(str(c["UID"]), []).append(c)
n = 0
for uid, comps in groups.items():
    obj = icalendar.Calendar()
    obj.add("VERSION", "2.0")
    obj.add("PRODID", "-//dovetail tests//caldav_put//EN")
    for t in tzs:
        obj.add_component(t)
    for c in comps:
        obj.add_component(c)
    name = hashlib.sha256(uid.encode()).hexdigest()[:24] + ".ics"
    st = req("PUT", url + name, obj.to_ical(), "text/calendar; charset=utf-8")
    if st not in (200, 201, 204):
        sys.exit("PUT %s (UID %s): %d" % (name, uid, st))
    n += 1
print(n)
