#!/usr/bin/python3
"""itip_check.py: check what `dovetail export --itip` wrote, with python3-icalendar.

  itip_check.py FAMILY_DIR OUT_DIR WEEK_JSON NOW [--counter] [--shared PRAC]

FAMILY_DIR holds profile.yaml and the feeds it names; OUT_DIR the iTIP files
(and .eml mails, if any); WEEK_JSON is `dovetail week --json` of the agreed
week. Checks, for every file (RFC 5546 and docs/export.md):
  - it parses; METHOD is REQUEST, or COUNTER only with --counter and only
    for an event whose feed names an ORGANIZER; one UID per file;
  - each VEVENT is one of this practitioner's appointments that the agreed
    week has somewhere else than its feed: its own UID and RECURRENCE-ID,
    the agreed DTSTART/DTEND, DTSTAMP = NOW, a VTIMEZONE for every TZID;
  - REQUEST: ORGANIZER the coordinator; ATTENDEE the practitioner with
    RSVP=TRUE and PARTSTAT=NEEDS-ACTION; SEQUENCE the feed's plus one or more.
    COUNTER: the feed's ORGANIZER and SEQUENCE, ATTENDEE the coordinator;
  - every changed appointment of the week is in exactly one file;
  - privacy: no other practitioner's UID, id, role, agency, display name,
    address, SUMMARY or LOCATION, and the person's display name only in the
    file of the practitioner named by --shared;
  - each .eml is multipart/alternative: text/plain, then text/calendar with
    the file's method, whose body is the .ics byte for byte.
Prints one line per file; exits 1 on the first failure with the reason.
"""
import email
import email.policy
import glob
import json
import os
import re
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import icalendar
import yaml

UTC = timezone.utc


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def utc(dt):
    if not isinstance(dt, datetime):
        return None
    if dt.tzinfo is None:
        fail("floating time %s" % dt)
    return dt.astimezone(UTC)


def unfold(raw):
    return re.sub(r"\r?\n[ \t]", "", raw)


def main():
    args = sys.argv[1:]
    counter = "--counter" in args
    shared = None
    if "--shared" in args:
        shared = args[args.index("--shared") + 1]
    fam, out, week_json, now = args[:4]
    prof = yaml.safe_load(open(os.path.join(fam, "profile.yaml")))
    person = prof["person"]
    coord = prof["coordinator"]["address"].lower()
    venues = {v["id"]: v for v in prof["venues"]}
    vocab = set()
    for v in prof["venues"]:
        vocab.add(v["name"])
        vocab.update(v.get("aliases", []))
    pracs = {p["id"]: p for p in prof["practitioners"]}

    # what each practitioner's feeds hold
    feed = {}
    for pid, p in pracs.items():
        events = []
        for f in p.get("feeds", []):
            cal = icalendar.Calendar.from_ical(open(os.path.join(fam, f), "rb").read())
            events += cal.walk("VEVENT")
        feed[pid] = events

    def texts(pid):
        p = pracs[pid]
        t = {("id", pid), ("role", p["role"])}
        for k in ("agency", "display_name", "address"):
            if p.get(k):
                t.add((k, p[k]))
        for e in feed[pid]:
            t.add(("UID", str(e["UID"])))
            for k in ("SUMMARY", "LOCATION"):
                if e.get(k) and str(e[k]).strip():
                    t.add((k, str(e[k])))
        return t

    def feed_event(pid, uid, rid):
        master = None
        for e in feed[pid]:
            if str(e["UID"]) != uid:
                continue
            r = e.get("RECURRENCE-ID")
            if r is None:
                master = e
            elif rid and utc(r.dt) == rid:
                return e
        return master

    # the changed appointments of the agreed week
    week = json.load(open(week_json))
    agreed = {}
    for d in week["days"]:
        for a in d["appointments"]:
            agreed[(a["practitioner"], a["uid"], a.get("recurrence_id") or "")] = a
    now_dt = datetime.strptime(now, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    zone = ZoneInfo(person.get("timezone", "UTC"))

    def local(dt):
        return utc(dt).astimezone(zone).strftime("%Y-%m-%dT%H:%M")

    def booked(pid, uid, rid):
        """Where the feed has the occurrence: its override, its RECURRENCE-ID, or DTSTART."""
        e = feed_event(pid, uid, rid)
        if e.get("RECURRENCE-ID") is not None or rid is None:
            return e["DTSTART"].dt
        return rid

    seen = set()
    tentative_seen = []
    files = sorted(glob.glob(os.path.join(out, "*.ics")))
    for path in files:
        name = os.path.basename(path)[:-4]
        pid = name.split("+", 1)[0]   # PRAC, PRAC+2, ...: "+" is in no id
        if pid not in pracs:
            fail("%s: no practitioner %s" % (path, pid))
        raw = open(path, "rb").read()
        if oct(os.stat(path).st_mode & 0o777) != "0o600":
            fail("%s: mode %o" % (path, os.stat(path).st_mode & 0o777))
        cal = icalendar.Calendar.from_ical(raw)
        method = str(cal["METHOD"])
        evs = cal.walk("VEVENT")
        if not evs:
            fail("%s: no VEVENT" % path)
        uids = {str(e["UID"]) for e in evs}
        if len(uids) != 1:
            fail("%s: %d UIDs in one iTIP object (RFC 5546)" % (path, len(uids)))
        tzids = {str(t["TZID"]) for t in cal.walk("VTIMEZONE")}
        for e in evs:
            uid = str(e["UID"])
            rid = utc(e["RECURRENCE-ID"].dt) if e.get("RECURRENCE-ID") else None
            rid_s = rid.strftime("%Y%m%dT%H%M%SZ") if rid else ""
            orig = feed_event(pid, uid, rid)
            if orig is None:
                fail("%s: UID %s is not in %s's feeds" % (path, uid, pid))
            key = (pid, uid, rid_s)
            if key not in agreed:
                fail("%s: %s is not an appointment of the agreed week" % (path, key))
            if key in seen:
                fail("%s: %s sent twice" % (path, key))
            seen.add(key)
            a = agreed[key]
            for prop in ("DTSTART", "DTEND"):
                tz = e[prop].params.get("TZID")
                if tz and str(tz) not in tzids:
                    fail("%s: TZID %s without its VTIMEZONE" % (path, tz))
            if local(e["DTSTART"].dt) != a["start"] or local(e["DTEND"].dt) != a["end"]:
                fail("%s: %s-%s, agreed %s-%s" % (path, local(e["DTSTART"].dt),
                                                  local(e["DTEND"].dt), a["start"], a["end"]))
            if utc(e["DTSTAMP"].dt) != now_dt:
                fail("%s: DTSTAMP %s is not --now" % (path, e["DTSTAMP"].dt))
            # a provisional booking stays provisional (docs/export.md)
            want_status = "TENTATIVE" if a.get("tentative") else "CONFIRMED"
            if str(e.get("STATUS", "")) != want_status:
                fail("%s: STATUS %s, the agreed week's is %s" % (path, e.get("STATUS"), want_status))
            tentative_seen.append(want_status == "TENTATIVE")
            oseq = int(orig.get("SEQUENCE", 0))
            seq = int(e.get("SEQUENCE", 0))
            org = str(e["ORGANIZER"]).lower()
            att = e["ATTENDEE"]
            att = att if isinstance(att, list) else [att]
            if method == "REQUEST":
                if org != coord:
                    fail("%s: ORGANIZER %s is not the coordinator" % (path, org))
                if seq <= oseq:
                    fail("%s: SEQUENCE %d not above the feed's %d" % (path, seq, oseq))
                want = (pracs[pid].get("address") or str(orig.get("ORGANIZER", ""))).lower()
                ok = [x for x in att if str(x).lower() == want and
                      x.params.get("RSVP") == "TRUE" and x.params.get("PARTSTAT") == "NEEDS-ACTION"]
                if not ok:
                    fail("%s: no ATTENDEE %s with RSVP=TRUE, PARTSTAT=NEEDS-ACTION" % (path, want))
            elif method == "COUNTER":
                if not counter:
                    fail("%s: COUNTER without --counter" % path)
                if not orig.get("ORGANIZER") or org != str(orig["ORGANIZER"]).lower():
                    fail("%s: COUNTER's ORGANIZER %s is not the event's" % (path, org))
                if seq != oseq:
                    fail("%s: COUNTER SEQUENCE %d, the event's is %d" % (path, seq, oseq))
                if not any(str(x).lower() == coord for x in att):
                    fail("%s: COUNTER without the coordinator as ATTENDEE" % path)
            else:
                fail("%s: METHOD %s" % (path, method))
            if counter and method == "REQUEST" and orig.get("ORGANIZER"):
                fail("%s: --counter, yet a REQUEST for an event with an ORGANIZER" % path)

        # words (docs/export.md, "Words"): the practitioner's own SUMMARY,
        # DESCRIPTION and LOCATION kept, plus only what changed
        own_words = set()
        added = []
        for e in evs:
            rid = utc(e["RECURRENCE-ID"].dt) if e.get("RECURRENCE-ID") else None
            o = feed_event(pid, str(e["UID"]), rid)
            osum, odesc, oloc = (str(o.get(k, "")).strip() for k in ("SUMMARY", "DESCRIPTION", "LOCATION"))
            own_words |= {osum, odesc, oloc}
            s, d, l = (str(e.get(k, "")) for k in ("SUMMARY", "DESCRIPTION", "LOCATION"))
            if osum and s != osum:
                fail("%s: SUMMARY %r is not the practitioner's own %r" % (path, s, osum))
            if odesc and not d.startswith(odesc):
                fail("%s: DESCRIPTION does not keep the practitioner's own" % path)
            if "Moved by agreement with the family" not in d:
                fail("%s: DESCRIPTION does not say what changed" % path)
            added += [x for x in (s, l) if x and x not in own_words]
            added.append(d[len(odesc):] if odesc and d.startswith(odesc) else d)

        # privacy: what dovetail wrote, not the practitioner's own words
        keep = [ln for ln in unfold(raw.decode("utf-8")).splitlines()
                if ln.split(":", 1)[0].split(";", 1)[0].upper() not in ("SUMMARY", "DESCRIPTION", "LOCATION")]
        text = "\n".join(keep + added)
        eml_path = path[:-4] + ".eml"
        if os.path.exists(eml_path):
            msg = email.message_from_bytes(open(eml_path, "rb").read(), policy=email.policy.default)
            if msg.get_content_type() != "multipart/alternative":
                fail("%s: %s" % (eml_path, msg.get_content_type()))
            parts = list(msg.iter_parts())
            if [p.get_content_type() for p in parts] != ["text/plain", "text/calendar"]:
                fail("%s: parts %s" % (eml_path, [p.get_content_type() for p in parts]))
            if parts[1].get_param("method") != method:
                fail("%s: method=%s, file %s" % (eml_path, parts[1].get_param("method"), method))
            if parts[1].get_payload(decode=True) != raw:
                fail("%s: the calendar part is not the .ics" % eml_path)
            to = msg["To"].lower()
            text += "\n" + parts[0].get_content() + "\n" + msg["Subject"] + "\n" + to
        for other in pracs:
            if other == pid:
                continue
            mine = {v for _, v in texts(pid)}
            for kind, v in texts(other):
                if v in vocab or v in mine or len(v) < 2:
                    continue   # the family's own words, or this practitioner's own
                if kind == "id":
                    hit = re.search(r"(?<![\w.-])" + re.escape(v) + r"(?![\w-])", text)
                else:
                    hit = v in text
                if hit:
                    fail("%s: holds %s's %s %r" % (path, other, kind, v))
        dn = person.get("display_name")
        if dn and (dn in text) != (pid == shared):
            fail("%s: the person's display name %s" % (path, "is there" if dn in text else "is missing"))
        print("%s %s %d" % (os.path.basename(path), method, len(evs)))

    # every appointment the agreed week has at another time than its feed went to someone
    moved = 0
    for key, a in agreed.items():
        rid = datetime.strptime(key[2], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) if key[2] else None
        if feed_event(key[0], key[1], rid) is None:
            continue
        if local(booked(key[0], key[1], rid)) != a["start"]:
            moved += 1
            if key not in seen:
                fail("changed appointment %s is in no file" % (key,))
    print("moved %d, sent %d, %d of them provisional (STATUS:TENTATIVE)" % (moved, len(seen), sum(tentative_seen)))


main()
