#!/usr/bin/python3
"""caldav_hostile.py: write the REPORT answers tests/cli/t-feeds.sh serves (feedserver.py,
/dav/file/NAME/ and /dav/fbfile/NAME/) into DIR: one good answer, and each failed, partial or
hostile answer of issue 19 (items 1-3).

Usage: caldav_hostile.py DIR
"""
import os
import sys

DIR = sys.argv[1]


def ical(uid, summary="Physio", extra=""):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:%s\r\n"
            "DTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\nDTEND:20261124T100000Z\r\n"
            "SUMMARY:%s\r\n%sEND:VEVENT\r\nEND:VCALENDAR\r\n") % (uid, summary, extra)


def propstat(data, status="HTTP/1.1 200 OK"):
    return ('<D:propstat><D:prop><D:getetag>"1"</D:getetag><C:calendar-data>%s</C:calendar-data>'
            '</D:prop><D:status>%s</D:status></D:propstat>') % (data, status)


def response(href, inner):
    return "<D:response><D:href>%s</D:href>%s</D:response>" % (href, inner)


def ms(*rs, prolog=""):
    return ('<?xml version="1.0" encoding="utf-8"?>\n%s<D:multistatus xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav">%s</D:multistatus>\n') % (prolog, "".join(rs))


def write(name, text):
    with open(os.path.join(DIR, name), "w", newline="") as f:
        f.write(text)


write("good.xml", ms(response("/c/a.ics", propstat(ical("a@test"))),
                     response("/c/b.ics", propstat(ical("b@test", "Salt")))))
# a missing ETag is no loss
write("etag404.xml", ms(response("/c/a.ics", propstat(ical("a@test")) +
                                 '<D:propstat><D:prop><D:getetag/></D:prop>'
                                 '<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>'),
                        response("/c/b.ics", propstat(ical("b@test", "Salt")))))
write("empty.xml", ms())
# item 2 (a): failed or partial answers
write("propstat404.xml", ms(response("/c/a.ics", propstat(ical("a@test"), "HTTP/1.1 404 Not Found"))))
write("propstat403.xml", ms(response("/c/a.ics", '<D:propstat><D:prop><C:calendar-data/></D:prop>'
                                     '<D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat>')))
write("response403.xml", ms(response("/c/", "<D:status>HTTP/1.1 403 Forbidden</D:status>")))
write("response507.xml", ms(response("/c/a.ics", propstat(ical("a@test"))),
                            response("/c/", "<D:status>HTTP/1.1 507 Insufficient Storage</D:status>")))
# item 2 (b): calendar-data that does not read
# answers that are not an empty collection, though no response in them is read
# as one: words in the multistatus, a response wrapped in another element, only
# a description and an error (a server's limit), a response in a namespace "DAV"
write("words.xml", ms("Internal Server Error: database unavailable"))
write("wrapped.xml", ms("<D:x-wrapper>" + response("/c/", "<D:status>HTTP/1.1 507 Insufficient Storage</D:status>") +
                        "</D:x-wrapper>"))
write("described.xml", ms("<D:responsedescription>too many matches</D:responsedescription>"
                          "<D:error><D:number-of-matches-within-limits/></D:error>"))
write("desconly.xml", ms("<D:responsedescription>too many matches</D:responsedescription>"))
write("badns.xml", ms('<X:response xmlns:X="DAV"><X:href>/c/</X:href>'
                      '<X:status>HTTP/1.1 404 Not Found</X:status></X:response>'))
write("emptydata.xml", ms(response("/c/a.ics", propstat(""))))
write("notical.xml", ms(response("/c/a.ics", propstat("this is not a calendar"))))
write("cut.xml", ms(response("/c/a.ics", propstat(ical("a@test"))))[:300])
# bytes that are not UTF-8: libxml2 would print its own message (quoting them) to stderr
with open(os.path.join(DIR, "badutf8.xml"), "wb") as f:
    f.write(ms(response("/c/a.ics", propstat(ical("a@test", "\udccf\udccf0")))).encode("utf-8", "surrogateescape"))
write("notdav.xml", '<?xml version="1.0"?><html><body>maintenance</body></html>\n')
# item 3: an entity expanded after parsing (small here: it is refused, not measured)
ent = "x" * 1024
write("entity.xml", ms(response("/c/a.ics", propstat(ical("a@test", "&e;" * 100))),
                       prolog='<!DOCTYPE D:multistatus [<!ENTITY e "%s">]>\n' % ent))
# item 3: lines with no line break (quadratic in libical: 8 MiB took 17-31 s): three objects
# with a 9 MiB line each, past the 1 MiB line bound; it must cost the scanner one linear pass
write("longline.xml", ms(*[response("/c/%d.ics" % i, propstat(ical("l%d@test" % i, "L" * (9 << 20))))
                           for i in range(3)]))
# one calendar-data of 24 MiB: past libxml2's bound on a text (10,000,000 bytes)
write("hugetext.xml", ms(response("/c/a.ics", propstat(ical("a@test", "L" * (24 << 20))))))
# item 1: 200,000 nested components
deep = "BEGIN:X\r\n" * 200000 + "END:X\r\n" * 200000
write("deep.xml", ms(response("/c/a.ics", propstat(ical("a@test", "deep", deep)))))
# the same two through free-busy-query: a 200 whose body is the calendar
# a free-busy answer that carries another client's event with its details
write("fbleak.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VFREEBUSY\r\nUID:fb@t\r\n"
      "DTSTAMP:20261101T000000Z\r\nDTSTART:20261123T000000Z\r\nDTEND:20261130T000000Z\r\n"
      "FREEBUSY:20261124T100000Z/20261124T110000Z\r\nEND:VFREEBUSY\r\nBEGIN:VEVENT\r\nUID:leak@t\r\n"
      "DTSTAMP:20261101T000000Z\r\nDTSTART:20261126T100000Z\r\nDTEND:20261126T110000Z\r\n"
      "SUMMARY:Other client J. Bloggs\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
write("deep.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VFREEBUSY\r\n" + deep +
      "DTSTART:20261123T000000Z\r\nDTEND:20261130T000000Z\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n")
write("longline.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VFREEBUSY\r\n"
      "DTSTART:20261123T000000Z\r\nDTEND:20261130T000000Z\r\nCOMMENT:" + "L" * (24 << 20) +
      "\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n")
