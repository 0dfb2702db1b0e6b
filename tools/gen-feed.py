#!/usr/bin/env python3
"""Generate a large, seeded, deterministic iCalendar feed of recurring events (benchmark input).

Usage: gen-feed.py [--events N] [--seed S] [--year Y] [--expect] > feed.ics

Writes one VCALENDAR with a VTIMEZONE for Europe/London and N recurring VEVENT masters. Every
date-time has TZID=Europe/London, and every UNTIL is in UTC. The mix:
  * FREQ=DAILY with INTERVAL 1..9
  * FREQ=WEEKLY with a BYDAY list of 1..3 days, INTERVAL 1..2
  * FREQ=MONTHLY with BYDAY (1TU,3TU / 2WE,-1WE / ...) or BYMONTHDAY (1,15 / 5,12,20 / ...)
Each series is bounded by COUNT, by UNTIL, or not at all. About a quarter of the events have
EXDATEs. About 15% have one RECURRENCE-ID override that moves an instance by hours or by a day.
Each DTSTART is the first instance of its rule, so every expander agrees on the set.

The occurrences of each event in the UTC window [Y-01-01, Y+1-01-01) are known exactly, and they
average about 20 per event (about 100,000 for 5,000 events). All times are 08:00-18:00 local,
which keeps them clear of the DST transitions (01:00 UTC) and of the window edges.
--expect prints the exact expected count to stderr.
Output: stdout, CRLF line endings, lines folded at 75 octets (RFC 5545 3.1). Python 3 stdlib only.
"""
import argparse
import datetime as dt
import random
import sys

D1 = dt.timedelta(days=1)
WD = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/London
X-LIC-LOCATION:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE"""

WORDS = ("review clinic session group visit assessment planning meeting supervision handover "
         "therapy outreach training caseload liaison report equipment seating hydrotherapy "
         "feeding communication mobility vision hearing portage nursery school home").split()


def fold(line):
    """Fold one content line at 75 octets, never inside a UTF-8 sequence."""
    b = line.encode("utf-8")
    parts, limit = [], 75
    while len(b) > limit:
        cut = limit
        while (b[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(b[:cut])
        b = b[cut:]
        limit = 74          # the continuation line's leading space takes one octet
    parts.append(b)
    return b"\r\n ".join(parts) + b"\r\n"


def nth_weekday(year, month, wd, n):
    """Date of the n-th (n>0) or last (n=-1) weekday wd (0=Monday) of a month, or None."""
    if n > 0:
        d = dt.date(year, month, 1)
        d += dt.timedelta(days=(wd - d.weekday()) % 7 + 7 * (n - 1))
        return d if d.month == month else None
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    d = nxt - D1
    return d - dt.timedelta(days=(d.weekday() - wd) % 7)


def occurrences(rule, start, end):
    """Dates of the rule's instances in [start, end], given that start is the first one."""
    kind = rule["kind"]
    out = []
    if kind == "daily":
        d = start
        while d <= end:
            out.append(d)
            d += dt.timedelta(days=rule["interval"])
    elif kind == "weekly":
        week0 = start - dt.timedelta(days=start.weekday())   # WKST=MO
        d = start
        while d <= end:
            wk = (d - week0).days // 7
            if d.weekday() in rule["days"] and wk % rule["interval"] == 0:
                out.append(d)
            d += D1
    else:   # monthly
        y, m = start.year, start.month
        while dt.date(y, m, 1) <= end:
            if kind == "mbyday":
                ds = [nth_weekday(y, m, wd, n) for n, wd in rule["days"]]
            else:
                ds = [dt.date(y, m, md) for md in rule["days"]]
            out.extend(sorted(x for x in ds if x and start <= x <= end))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def occurrences_from(rule, d, end):
    """Instances on or after d, for a rule whose DTSTART is d snapped to the rule's pattern."""
    kind = rule["kind"]
    if kind == "daily":
        return occurrences(rule, d, end)
    if kind == "weekly":
        while d.weekday() not in rule["days"]:
            d += D1
        return occurrences(rule, d, end)
    # monthly: generate from the 1st of d's month, then drop the ones before d
    return [x for x in occurrences(rule, dt.date(d.year, d.month, 1), end) if x >= d]


def random_rule(rng):
    r = rng.random()
    if r < 0.30:
        return {"kind": "daily", "interval": rng.choice([1, 2, 3, 3, 4, 5, 7, 7, 9])}
    if r < 0.65:
        days = sorted(rng.sample(range(5) if rng.random() < 0.9 else range(7), rng.choice([1, 2, 2, 3])))
        return {"kind": "weekly", "days": days, "interval": rng.choice([1, 1, 2])}
    if r < 0.85:
        wd = rng.randrange(5)
        pat = rng.choice([[(1, wd), (3, wd)], [(2, wd), (4, wd)], [(2, wd), (-1, wd)], [(1, wd), (-1, wd)]])
        return {"kind": "mbyday", "days": pat}
    return {"kind": "mbymonthday", "days": rng.choice([[1, 15], [5, 20], [10, 25], [3, 12, 24], [7, 28]])}


def rrule_text(rule):
    kind = rule["kind"]
    if kind == "daily":
        s = "FREQ=DAILY"
        if rule["interval"] > 1:
            s += f";INTERVAL={rule['interval']}"
        return s
    if kind == "weekly":
        s = "FREQ=WEEKLY"
        if rule["interval"] > 1:
            s += f";INTERVAL={rule['interval']}"
        return s + ";BYDAY=" + ",".join(WD[d] for d in rule["days"])
    if kind == "mbyday":
        return "FREQ=MONTHLY;BYDAY=" + ",".join(f"{n}{WD[wd]}" for n, wd in rule["days"])
    return "FREQ=MONTHLY;BYMONTHDAY=" + ",".join(str(x) for x in rule["days"])


def local(d, hh, mm):
    return f"{d:%Y%m%d}T{hh:02d}{mm:02d}00"


def text(s):
    return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def gen_event(rng, i, year, seed):
    """Return (lines, expected occurrences in [year-01-01, year+1-01-01))."""
    y0, y1 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    target = rng.randint(13, 28)
    for _attempt in range(50):
        rule = random_rule(rng)
        full = occurrences_from(rule, y0, y1)
        if len(full) >= target:
            break
    else:   # every rule in the mix has at least 24 instances a year, so this cannot happen
        raise RuntimeError("no rule found")
    mode = rng.choices(["count", "until", "open"], [45, 35, 20])[0]
    if mode == "open":
        # start so that exactly `target` instances remain before the year ends
        occ = full[len(full) - target:]
    else:
        slack = (y1 - full[target - 1]).days
        start = y0 + dt.timedelta(days=rng.randint(0, max(0, slack)))
        occ = occurrences_from(rule, start, y1)[:target]
        if len(occ) < target:   # the pattern drifted; fall back to the start of the year
            occ = full[:target]
    dstart = occ[0]
    hh = rng.randint(8, 16)
    mm = rng.choice([0, 0, 15, 30, 45])
    dur = rng.choice([30, 45, 60, 60, 90, 120])
    eh, em = divmod(hh * 60 + mm + dur, 60)
    rr = rrule_text(rule)
    if mode == "count":
        rr += f";COUNT={len(occ)}"
    elif mode == "until":
        rr += f";UNTIL={occ[-1]:%Y%m%d}T235959Z"
    uid = f"gen-{seed}-{i:06d}@dovetail.invalid"
    stamp = f"{year - 1}1201T090000Z"
    summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).capitalize()
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
             f"DTSTART;TZID=Europe/London:{local(dstart, hh, mm)}",
             f"DTEND;TZID=Europe/London:{local(dstart, eh, em)}",
             f"RRULE:{rr}", f"SUMMARY:{text(summary)}",
             f"LOCATION:{text(rng.choice(['Child Development Centre, Room 3', 'Home', 'Royal Infirmary Outpatients', 'Nursery', 'Community clinic']))}"]
    if rng.random() < 0.3:
        desc = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
        lines.append(f"DESCRIPTION:{text(desc)}")
    expected = len(occ)
    candidates = occ[1:]    # never touch the first instance (it is DTSTART)
    excluded = set()
    if len(candidates) > 3 and rng.random() < 0.25:
        excluded = set(rng.sample(candidates, rng.choice([1, 1, 2, 3])))
        ex = sorted(excluded)
        if rng.random() < 0.5:
            lines.append("EXDATE;TZID=Europe/London:" + ",".join(local(d, hh, mm) for d in ex))
        else:
            lines.extend(f"EXDATE;TZID=Europe/London:{local(d, hh, mm)}" for d in ex)
        expected -= len(ex)
    lines.append("END:VEVENT")
    override = []
    rest = [d for d in candidates if d not in excluded and d < y1]
    if rest and rng.random() < 0.15:
        od = rng.choice(rest)
        if rng.random() < 0.5:
            nd, nh = od, min(hh + rng.randint(1, 2), 17)          # later the same day
        else:
            nd, nh = od + D1, hh                                 # next day (still in the year)
        neh, nem = divmod(nh * 60 + mm + dur, 60)
        override = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
                    f"RECURRENCE-ID;TZID=Europe/London:{local(od, hh, mm)}",
                    f"DTSTART;TZID=Europe/London:{local(nd, nh, mm)}",
                    f"DTEND;TZID=Europe/London:{local(nd, neh, nem)}",
                    f"SUMMARY:{text(summary + ' (moved)')}", "LOCATION:Home", "SEQUENCE:1",
                    "END:VEVENT"]
    return lines + override, expected


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--expect", action="store_true",
                    help="print the expected occurrence count in the year to stderr")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout.buffer
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dovetail//gen-feed.py//EN",
            "CALSCALE:GREGORIAN", f"X-WR-CALNAME:Generated feed (seed {a.seed}\\, {a.events} events)"]
    out.write(b"".join(fold(l) for l in head + VTIMEZONE.split("\n")))
    total = 0
    for i in range(a.events):
        lines, n = gen_event(rng, i, a.year, a.seed)
        total += n
        out.write(b"".join(fold(l) for l in lines))
    out.write(fold("END:VCALENDAR"))
    out.flush()
    if a.expect:
        print(f"expected occurrences in [{a.year}-01-01, {a.year + 1}-01-01): {total}", file=sys.stderr)


if __name__ == "__main__":
    main()
