#!/usr/bin/python3
"""send_check.py: read what the test SMTP server received (tests/cli/smtpserver.py).

  send_check.py summary GOTDIR          one JSON line per message received
  send_check.py mails GOTDIR STORE PROFILE [FIRST]
      checks every message from number FIRST on (default 1): the envelope
      recipient is the To: and the ATTENDEE (REQUEST) of the iCalendar
      part; the mail is multipart/alternative with text/plain and
      text/calendar; METHOD is REQUEST; one UID; the SEQUENCE of each
      VEVENT is what the store recorded for that message; the Message-ID is
      recorded for that recipient; each recipient is a practitioner of
      PROFILE (their address); came over TLS with the login.
Prints "ok ..." lines, or "FAIL: why" and exits 1.
"""
import email
import email.policy
import glob
import json
import os
import sqlite3
import sys

import icalendar
import yaml


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def read(got):
    out = []
    for eml in sorted(glob.glob(os.path.join(got, "*.eml"))):
        env = json.load(open(eml[:-4] + ".json"))
        m = email.message_from_bytes(open(eml, "rb").read(), policy=email.policy.default)
        cal = None
        types = []
        for part in m.walk():
            types.append(part.get_content_type())
            if part.get_content_type() == "text/calendar":
                cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                cal_method = part.get_param("method")
        evs = cal.walk("VEVENT") if cal else []
        refs = (m.get("References") or "").split()
        out.append({
            "file": os.path.basename(eml), "rcpt": env["rcpt_tos"], "from": env["mail_from"],
            "tls": env["tls"], "login": env["login"],
            "to": str(m["To"]), "msgid": str(m["Message-ID"]).strip("<>"),
            "in_reply_to": str(m["In-Reply-To"]).strip("<>") if m["In-Reply-To"] else None,
            "references": [r.strip("<>") for r in refs],
            "types": types, "part_method": cal_method if cal else None,
            "method": str(cal["METHOD"]) if cal else None,
            "events": [{"uid": str(e["UID"]),
                        "rid": e["RECURRENCE-ID"].to_ical().decode() if e.get("RECURRENCE-ID") else "",
                        "seq": int(e["SEQUENCE"]), "attendee": str(e["ATTENDEE"])} for e in evs],
        })
    return out


def main():
    mode, got = sys.argv[1], sys.argv[2]
    msgs = read(got)
    if mode == "summary":
        for x in msgs:
            print(json.dumps(x, sort_keys=True))
        return
    store, profile = sys.argv[3], sys.argv[4]
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    p = yaml.safe_load(open(profile))
    addrs = {x["address"][7:].lower() for x in p["practitioners"] if x.get("address")}
    db = sqlite3.connect(store)
    for x in msgs[first - 1:]:
        f = x["file"]
        if len(x["rcpt"]) != 1:
            fail("%s: %d envelope recipients" % (f, len(x["rcpt"])))
        r = x["rcpt"][0]
        if r.lower() not in addrs:
            fail("%s: recipient %s is no practitioner's address" % (f, r))
        if x["to"] != r:
            fail("%s: To: %s is not the envelope recipient %s" % (f, x["to"], r))
        if x["types"][:3] != ["multipart/alternative", "text/plain", "text/calendar"]:
            fail("%s: parts %s" % (f, x["types"]))
        if x["method"] != "REQUEST" or x["part_method"] != "REQUEST":
            fail("%s: METHOD %s, method= %s" % (f, x["method"], x["part_method"]))
        if not x["events"] or len({e["uid"] for e in x["events"]}) != 1:
            fail("%s: not one UID" % f)
        if not x["tls"] or x["login"] != os.environ.get("SEND_CHECK_LOGIN", x["login"]):
            fail("%s: tls %s login %s" % (f, x["tls"], x["login"]))
        for e in x["events"]:
            if e["attendee"].lower() != "mailto:" + r.lower():
                fail("%s: ATTENDEE %s" % (f, e["attendee"]))
            row = db.execute("SELECT sequence, recipient FROM sent WHERE message_id = ? AND uid = ? AND rid = ?",
                             (x["msgid"], e["uid"], e["rid"])).fetchall()
            if len(row) != 1:
                fail("%s: the store has %d rows for %s %s %s" % (f, len(row), x["msgid"], e["uid"], e["rid"]))
            if row[0][0] != e["seq"] or row[0][1] != r:
                fail("%s: SEQUENCE %d / %s, the store says %s" % (f, e["seq"], r, row[0]))
        print("ok %s: REQUEST to %s, UID %s, SEQUENCE %s, <%s>" % (
            f, r, x["events"][0]["uid"][:24], ",".join(str(e["seq"]) for e in x["events"]), x["msgid"]))


main()
