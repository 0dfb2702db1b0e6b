#!/usr/bin/python3
"""itip_reply.py: answer an iTIP REQUEST the way a calendar does, with
python3-icalendar (and python's email package for iMIP mail).

usage: itip_reply.py REQUEST.ics OUT accepted|declined|tentative|counter
       [--start YYYYMMDDTHHMM] [--attendee ADDR] [--sequence N]
       [--uid UID] [--eml FROM] [--maildir]

accepted/declined/tentative: METHOD:REPLY, the one ATTENDEE with that
PARTSTAT; counter: METHOD:COUNTER with DTSTART moved to --start (local, in
the event's zone), keeping the length (or ending at --end); declinecounter: answers a COUNTER
(dovetail's, for an event the practitioner organises) as its organizer
does, METHOD:DECLINECOUNTER. --eml wraps it in an RFC 6047 mail
(multipart/mixed: text/plain and text/calendar, base64) From the address
given. Everything else (UID, RECURRENCE-ID, SEQUENCE, ORGANIZER) is echoed
from the request unless overridden (for the bad cases of t-replies.sh).
"""
import argparse
import datetime
import sys
from email.message import EmailMessage
from email.utils import format_datetime

import icalendar


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("request")
    ap.add_argument("out")
    ap.add_argument("kind", choices=["accepted", "declined", "tentative", "counter", "declinecounter"])
    ap.add_argument("--start")
    ap.add_argument("--end")
    ap.add_argument("--attendee")
    ap.add_argument("--sequence", type=int)
    ap.add_argument("--uid")
    ap.add_argument("--eml")
    a = ap.parse_args()

    req = icalendar.Calendar.from_ical(open(a.request, "rb").read())
    want = "COUNTER" if a.kind == "declinecounter" else "REQUEST"
    assert str(req["METHOD"]) == want, "not a " + want
    ev = req.walk("VEVENT")[0]
    cal = icalendar.Calendar()
    cal.add("prodid", "-//python-icalendar test calendar//EN")
    cal.add("version", "2.0")
    cal.add("method", {"counter": "COUNTER", "declinecounter": "DECLINECOUNTER"}.get(a.kind, "REPLY"))
    for tz in req.walk("VTIMEZONE"):
        cal.add_component(tz)
    out = icalendar.Event()
    out.add("uid", a.uid or str(ev["UID"]))
    if "RECURRENCE-ID" in ev:
        out["RECURRENCE-ID"] = ev["RECURRENCE-ID"]
    out.add("sequence", a.sequence if a.sequence is not None else int(ev["SEQUENCE"]))
    out.add("dtstamp", datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.timezone.utc))
    start = ev.decoded("DTSTART")
    end = ev.decoded("DTEND")
    if a.kind == "counter":
        new = datetime.datetime.strptime(a.start, "%Y%m%dT%H%M").replace(tzinfo=start.tzinfo)
        end = new + (end - start)
        start = new
        if a.end:
            end = datetime.datetime.strptime(a.end, "%Y%m%dT%H%M").replace(tzinfo=start.tzinfo)
    out.add("dtstart", start)
    out.add("dtend", end)
    out["ORGANIZER"] = ev["ORGANIZER"]
    att_addr = a.attendee or str(ev["ATTENDEE"])
    att = icalendar.vCalAddress(att_addr)
    if a.kind not in ("counter", "declinecounter"):
        att.params["PARTSTAT"] = a.kind.upper()
    out.add("attendee", att)
    if a.kind == "counter":
        out.add("summary", str(ev["SUMMARY"]))
        out.add("comment", "Thursday afternoon would suit better")
    cal.add_component(out)
    ics = cal.to_ical()

    if not a.eml:
        open(a.out, "wb").write(ics)
        return
    m = EmailMessage()
    m["From"] = "Practitioner <%s>" % a.eml
    m["To"] = str(ev["ORGANIZER"]).split(":", 1)[1]
    m["Subject"] = "Declined: changed appointment" if a.kind == "declined" else "Re: changed appointment"
    m["Date"] = format_datetime(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.timezone.utc))
    m["Message-ID"] = "<reply-%s@practitioner.example>" % a.kind
    m.set_content("I cannot make this time.\n")
    m.add_attachment(ics, maintype="text", subtype="calendar",
                     params={"method": str(cal["METHOD"])}, cte="base64")
    open(a.out, "wb").write(bytes(m))


if __name__ == "__main__":
    sys.exit(main())
