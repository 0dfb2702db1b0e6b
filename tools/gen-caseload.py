#!/usr/bin/env python3
"""Generate a seeded, synthetic caseload: persons sharing practitioners, for `dovetail batch`.

Usage: gen-caseload.py --persons N --out DIR [--seed S] [--broken K] [--areas A] [--households H]

Writes DIR/caseload.yaml (docs/batch.md), DIR/persons/<id>.yaml (docs/profile.md) and
DIR/feeds/<practitioner>.ics. The output is a pure function of the arguments (random.Random(seed),
no wall clock), so the same arguments give the same bytes. Python 3 standard library only.

The week is Monday 2026-11-23, Europe/London (GMT: local time equals UTC). There is about one
practitioner per 5 persons (at least 3); each works Mon-Fri 09:00-16:00 at one of the clinics (some
also make home visits) and holds 45-minute sessions on the hour. Each person sees 2-4 of them,
once each this week, at a free hour of that practitioner's diary; the rest of each diary is free
or team meetings (busy). Each person's profile matches their sessions by their id in SUMMARY, so
every other session in a shared diary is that practitioner's busy time. Sessions fall where they
fall: two at the same hour for one person, over the nap, or three on a day, which `propose` moves;
two persons' plans may then want the same free hour of a practitioner, which the batch's final
pass resolves. With --broken K, K persons (spread over the caseload) are broken: every other one
has a profile with a YAML error, the rest an extra practitioner (an id of their own) whose feed is
not iCalendar.

With --areas A (default 1), persons and practitioners are split into A areas (person k and
practitioner i are in area k mod A and i mod A), and a person sees practitioners of their own area
only: the sharing graph (docs/batch.md, "The sharing graph") has at least A components. With
--households H, H pairs of siblings (persons k and k + A, so of one area) share a carer: a parent
whose rota, DIR/feeds/carer-NNNN.ics, both profiles name under `carers:` (one shift, 13:00-16:00 on
one weekday). The defaults write the same bytes as before these options existed.
"""
import argparse
import math
import os
import random

DAYS = ["20261123", "20261124", "20261125", "20261126", "20261127"]
HOURS = [9, 10, 11, 12, 13, 14, 15]
ROLES = ["physiotherapist", "occupational therapist", "speech and language therapist",
         "community nurse", "dietitian", "paediatrician", "social worker", "psychologist"]


def ics_event(uid, day, hour, minutes, summary, location):
    start = "%sT%02d0000Z" % (day, hour)
    end_m = hour * 60 + minutes
    end = "%sT%02d%02d00Z" % (day, end_m // 60, end_m % 60)
    lines = ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20261101T000000Z", "DTSTART:" + start,
             "DTEND:" + end, "SUMMARY:" + summary]
    if location:
        lines.append("LOCATION:" + location)
    lines.append("END:VEVENT")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--broken", type=int, default=0)
    ap.add_argument("--areas", type=int, default=1)
    ap.add_argument("--households", type=int, default=0)
    a = ap.parse_args()
    if a.persons < 1 or a.broken < 0 or a.broken > a.persons:
        ap.error("--persons >= 1 and 0 <= --broken <= --persons")
    rnd = random.Random(a.seed)
    n_pr = max(3, a.persons // 5)
    if a.areas < 1 or a.areas > a.persons or 3 * a.areas > n_pr:
        ap.error("--areas: 1 to --persons, with at least 3 practitioners (one per 5 persons) in each")
    # sibling pairs (k, k + areas): k in an even block of `areas` persons, spread over the caseload
    pairs = [(k, k + a.areas) for k in range(a.persons - a.areas) if (k // a.areas) % 2 == 0]
    if a.households < 0 or a.households > len(pairs):
        ap.error("--households: 0 to %d for these --persons and --areas" % len(pairs))
    households = [pairs[h * len(pairs) // a.households] for h in range(a.households)]
    carer_of = {}   # person index -> household number
    for h, (x, y) in enumerate(households):
        carer_of[x] = carer_of[y] = h
    n_cl = max(2, n_pr // 4)
    os.makedirs(os.path.join(a.out, "feeds"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "persons"), exist_ok=True)
    lat0, lon0 = 51.4545, -2.5879
    clinics = []
    for c in range(n_cl):
        clinics.append(("clinic-%03d" % c, "Clinic %d" % c,
                        round(lat0 + rnd.uniform(-0.04, 0.04), 4), round(lon0 + rnd.uniform(-0.06, 0.06), 4)))
    pracs = []
    for i in range(n_pr):
        pracs.append({"id": "pr-%04d" % i, "role": ROLES[i % len(ROLES)], "clinic": rnd.randrange(n_cl),
                      "home_visits": rnd.random() < 0.3,
                      "free": [(d, h) for d in DAYS for h in HOURS], "events": []})
    persons = []
    for k in range(a.persons):
        pid = "P-%05d" % k
        want = rnd.randint(2, 4)
        chosen = []
        area = range(k % a.areas, n_pr, a.areas)   # range(n_pr) for one area: the same draws
        for pr in rnd.sample(area, min(len(area), 12)):
            if len(chosen) == want:
                break
            if len(pracs[pr]["free"]) > 8:   # keep some of every diary free
                chosen.append(pr)
        home = (round(lat0 + rnd.uniform(-0.05, 0.05), 4), round(lon0 + rnd.uniform(-0.07, 0.07), 4))
        for pr in chosen:
            p = pracs[pr]
            slot = p["free"].pop(rnd.randrange(len(p["free"])))
            at_home = p["home_visits"] and rnd.random() < 0.5
            loc = "Home visit" if at_home else clinics[p["clinic"]][1]
            p["events"].append((slot, "%s-%s@%s.example" % (pid, p["id"], p["id"]), "Session " + pid, loc))
        persons.append({"id": pid, "pracs": chosen, "home": home,
                        "nap": rnd.choice([60, 75, 90]), "budget": rnd.choice([4, 5, 6])})
    for p in pracs:
        for _ in range(rnd.randint(1, 3)):
            if len(p["free"]) > 6:
                slot = p["free"].pop(rnd.randrange(len(p["free"])))
                p["events"].append((slot, "meeting-%s-%s%02d@%s.example" % (p["id"], slot[0], slot[1], p["id"]),
                                    "Team meeting", None))
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dovetail//gen-caseload//EN", "METHOD:PUBLISH"]
        for slot, uid, summary, loc in sorted(p["events"]):
            lines += ics_event(uid, slot[0], slot[1], 45, summary, loc)
        lines.append("END:VCALENDAR")
        with open(os.path.join(a.out, "feeds", p["id"] + ".ics"), "w", newline="") as f:
            f.write("\r\n".join(lines) + "\r\n")
    broken = {}   # person index -> 0: a YAML error, 1: a feed that is not iCalendar
    if a.broken:
        step = a.persons / a.broken
        broken = {int(i * step): i % 2 for i in range(a.broken)}
    for k, x in enumerate(persons):
        used = sorted({pracs[pr]["clinic"] for pr in x["pracs"]})
        y = ["version: 1", "person:", "  id: " + x["id"], "  timezone: Europe/London",
             "  day: \"08:30-17:00\"", "  home: home", "venues:",
             "  - { id: home, kind: home, aliases: [Home visit], at: [%s, %s] }" % x["home"]]
        for c in used:
            cid, name, la, lo = clinics[c]
            y.append("  - { id: %s, name: %s, kind: clinic, at: [%s, %s] }" % (cid, name, la, lo))
        y.append("practitioners:")
        for pr in x["pracs"]:
            p = pracs[pr]
            cid = clinics[p["clinic"]][0]
            venues = "[%s, home]" % cid if p["home_visits"] else "[%s]" % cid
            y += ["  - id: " + p["id"], "    role: " + p["role"],
                  "    feeds: [../feeds/%s.ics]" % p["id"], "    match: { text: %s }" % x["id"],
                  "    works: [{ days: weekdays, hours: \"09:00-16:00\", venues: %s }]" % venues,
                  "    window: { days: 2, same_week: true, weekdays: weekdays, times: [\"09:00-15:15\"] }",
                  "    venues: " + venues]
        if broken.get(k) == 1:
            # an id of this person's: persons naming one id with other feeds would be
            # a bad caseload (docs/batch.md, "The sharing graph")
            y += ["  - id: broken-feed-" + x["id"], "    role: visitor",
                  "    feeds: [../feeds/broken-%s.ics]" % x["id"]]
            with open(os.path.join(a.out, "feeds", "broken-%s.ics" % x["id"]), "w") as f:
                f.write("this is not iCalendar\n")
        if k in carer_of:
            y += ["carers:", "  - { id: parent, feeds: [../feeds/carer-%04d.ics] }" % carer_of[k]]
        y += ["routines:",
              "  - { id: nap, kind: sleep, duration: %d, start: \"12:30-13:30\", place: home }" % x["nap"],
              "energy: { budget: %d }" % x["budget"],
              "limits: { max_appointments_per_day: 2, min_rest_between: 15, free_days: weekend }",
              "preferences: { grouping: wanted }"]
        text = "\n".join(y) + "\n"
        if broken.get(k) == 0:
            text = text.replace("practitioners:", "practitioners: [", 1)   # a YAML error
        with open(os.path.join(a.out, "persons", x["id"] + ".yaml"), "w") as f:
            f.write(text)
    for h in range(a.households):
        day = DAYS[h % len(DAYS)]
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dovetail//gen-caseload//EN", "METHOD:PUBLISH"]
        lines += ics_event("shift-%04d-%s@carer.example" % (h, day), day, 13, 180, "Shift", None)
        lines.append("END:VCALENDAR")
        with open(os.path.join(a.out, "feeds", "carer-%04d.ics" % h), "w", newline="") as f:
            f.write("\r\n".join(lines) + "\r\n")
    c = ["# A generated caseload (tools/gen-caseload.py --persons %d --seed %d%s%s%s)." %
         (a.persons, a.seed, " --broken %d" % a.broken if a.broken else "",
          " --areas %d" % a.areas if a.areas != 1 else "",
          " --households %d" % a.households if a.households else ""), "version: 1", "practitioners:"]
    for p in pracs:
        c.append("  - { id: %s, feeds: [feeds/%s.ics] }" % (p["id"], p["id"]))
    c.append("persons:")
    for x in persons:
        c.append("  - { id: %s, profile: persons/%s.yaml }" % (x["id"], x["id"]))
    with open(os.path.join(a.out, "caseload.yaml"), "w") as f:
        f.write("\n".join(c) + "\n")


main()
