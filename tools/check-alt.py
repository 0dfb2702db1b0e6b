#!/usr/bin/python3
"""check-alt.py: the scripted alternative to `dovetail check`, for the benchmark.

What a service's analyst would write with the usual Python libraries:
PyYAML for the profile, python-icalendar plus recurring-ical-events for the
feeds. It does only part of check's work: it expands each practitioner's
feeds over the week, splits the person's events from other busy time by the
profile's match rule, and reports overlaps and double-bookings. So its time
is a floor for a scripted check, not a match for dovetail's.

Usage: check-alt.py PROFILE MONDAY (YYYY-MM-DD)
"""
import datetime as dt
import os
import sys

import icalendar
import recurring_ical_events
import yaml
from zoneinfo import ZoneInfo


def main():
    path, monday = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
    prof = yaml.safe_load(open(path, encoding="utf-8"))
    base = os.path.dirname(os.path.abspath(path))
    start = dt.datetime.combine(monday, dt.time(), dt.timezone.utc)
    end = start + dt.timedelta(days=7)
    mine, busy = [], []
    zone = ZoneInfo(prof["person"].get("timezone", "UTC"))
    for pr in prof["practitioners"]:
        match = pr.get("match", "all")
        for feed in pr.get("feeds", []):
            cal = icalendar.Calendar.from_ical(open(os.path.join(base, feed), "rb").read())
            for ev in recurring_ical_events.of(cal).between(start, end):
                if str(ev.get("STATUS", "")).upper() == "CANCELLED" or \
                   str(ev.get("TRANSP", "")).upper() == "TRANSPARENT":
                    continue
                s = ev["DTSTART"].dt
                if not isinstance(s, dt.datetime):
                    continue
                if "DTEND" in ev:
                    e = ev["DTEND"].dt
                elif "DURATION" in ev:
                    e = s + ev["DURATION"].dt
                else:
                    e = s
                if s.tzinfo is None:
                    s, e = s.replace(tzinfo=zone), e.replace(tzinfo=zone)
                text = (str(ev.get("SUMMARY", "")) + " " + str(ev.get("DESCRIPTION", ""))).lower()
                if match == "all":
                    ours = True
                elif "text" in match:
                    ours = match["text"].lower() in text
                elif "categories" in match:
                    cats = ev.get("CATEGORIES")
                    cats = cats if isinstance(cats, list) else [cats] if cats else []
                    ours = any(match["categories"].lower() in
                               [str(c).lower() for c in x.cats] for x in cats)
                else:
                    att = ev.get("ATTENDEE") or []
                    att = att if isinstance(att, list) else [att]
                    ours = any(match["attendee"].lower().removeprefix("mailto:") in str(a).lower()
                               for a in att)
                (mine if ours else busy).append((s, e, pr["id"]))
    mine.sort()
    n = 0
    for i, (s, e, p) in enumerate(mine):
        for s2, e2, p2 in mine[i + 1:]:
            if s2 < e:
                n += 1
        for s2, e2, p2 in busy:
            if p2 == p and s2 < e and s < e2:
                n += 1
    print(f"{len(mine)} appointments, {n} overlaps or double-bookings")


if __name__ == "__main__":
    main()
