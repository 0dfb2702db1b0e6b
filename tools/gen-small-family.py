#!/usr/bin/python3
"""gen-small-family.py SEED OUTDIR: a small random family for the exact propose oracle.

Writes OUTDIR/profile.yaml (docs/profile.md), OUTDIR/feeds/<practitioner>.ics and OUTDIR/now.txt
(the --now to use). A pure function of SEED: random.Random(SEED), no clock, fixed DTSTAMPs, so
the same seed gives the same bytes.

The week is Monday 23 - Sunday 29 November 2026, Europe/London (GMT: local time is UTC, the
feeds are written in UTC). Each family has 3 to 7 appointments from 3 to 5 practitioners, and is
kept small enough for tools/oracle-propose.py to read every plan: slot 15 or 30 minutes, narrow
windows, one or two venues each; when the candidate placements would make too many plans, the
windows are narrowed (or an appointment fixed) until they do not.

What the seeds draw, across seeds:
  * travel: an explicit matrix for every pair of venues, sometimes not metric (hospital->home
    60 min, hospital->clinic 10, clinic->home 15) and sometimes one-way pairs; minutes that are
    not whole slots (rounded up by dovetail);
  * limits that bind: energy budget, appointments a day, time out, rest, unfamiliar people a
    day and a week, a day kept free; compromise penalties and objective weights changed now
    and then;
  * routines at home, anywhere and at a named venue (place: VENUE), on some days;
  * joint sessions (practitioners listing each other in joint_with, equal durations), some
    already booked as one;
  * fixed appointments (movable: false, or an override), a notice per person or practitioner,
    and a "now" on Monday to Friday (so some appointments are before the notice cut-off);
  * clashes as booked: overlaps, travel that cannot be done, double bookings (busy events with
    other clients that the match rule does not match), an appointment on a free day or outside
    the person's day;
  * a series with two occurrences in the week (spacing 2 or 4 days), and series whose one
    occurrence this week has a RECURRENCE-ID;
  * preferred and avoided times.
Things the oracle's documents leave open are avoided: joint partners have equal durations, as
booked no appointment is nested in another or overlaps two others, and no group at one start
and venue is a partial joint clique (see tools/oracle-propose.py, DECISION).
"""
import datetime as dt
import importlib.util
import os
import random
import sys

sys.dont_write_bytecode = True
MONDAY = dt.date(2026, 11, 23)
DTSTAMP = "20261101T000000Z"
WD = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ICS_WD = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
MAX_PLANS = 6000

VENUES = [("home", "Home", "home", ["home visit"]),
          ("clinic", "Riverside Clinic", "clinic", ["Riverside CDC"]),
          ("hospital", "Royal Infirmary", "hospital", ["Childrens Outpatients"]),
          ("centre", "Oakfield Family Centre", "day-centre", ["Family Hub"]),
          ("gp", "Millbrook Surgery", "gp", ["Millbrook GP"])]
ROLES = [("physio", "physiotherapist"), ("salt", "speech and language therapist"),
         ("ot", "occupational therapist"), ("paed", "paediatrician"),
         ("dietitian", "dietitian"), ("portage", "Portage home visitor"),
         ("nurse", "community nurse"), ("qtvi", "teacher of the visually impaired")]


def hm(m):
    return "%02d:%02d" % (m // 60, m % 60)


def fnum(x):
    s = ("%.2f" % x).rstrip("0")
    return s + "0" if s.endswith(".") else s


def load_oracle():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("oracle_propose",
                                                  os.path.join(here, "oracle-propose.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Gen:
    def __init__(self, seed):
        self.seed = seed
        self.r = random.Random(seed)

    # ---- the world ------------------------------------------------------------------------
    def world(self):
        r = self.r
        self.slot = r.choice([15, 15, 30])
        self.pid = "P-%04d" % r.randrange(1000, 10000)
        self.day = r.choice([(9 * 60, 17 * 60), (8 * 60 + 30, 17 * 60 + 30), (9 * 60, 16 * 60)])
        nv = r.randint(3, 5)
        self.venues = VENUES[:nv]
        ids = [v[0] for v in self.venues]
        self.vids = ids
        mat = {}
        for i in range(nv):
            for j in range(i + 1, nv):
                m = r.choice([10, 15, 20, 25, 30, 40])
                if r.random() < 0.3:
                    m += r.choice([2, 5, 7])          # not a whole slot: rounded up
                mat[(ids[i], ids[j])] = (m, round(r.uniform(0, 5), 2) if r.random() < 0.7 else 0)
        if r.random() < 0.5:
            # not metric: hospital->home is slow, by way of the clinic it is quick
            mat[("home", "hospital")] = (60, round(r.uniform(6, 10), 2))
            mat[("clinic", "hospital")] = (10, round(r.uniform(0.5, 1.5), 2))
            mat[("home", "clinic")] = (15, round(r.uniform(1, 2), 2))
        self.oneway = []
        if r.random() < 0.3 and nv >= 4:
            # one-way pairs: both directions listed
            a = ids[r.randint(1, nv - 1)]
            self.oneway = [("home", a, r.choice([20, 30]), 1.5), (a, "home", r.choice([35, 45]), 2.5)]
            mat.pop(("home", a), None)
        self.matrix = [(a, b, m, c) for (a, b), (m, c) in sorted(mat.items())] + self.oneway

    def people(self):
        r = self.r
        self.routines = []
        # a nap at home
        if r.random() < 0.7:
            s = r.choice([12 * 60, 12 * 60 + 30, 13 * 60])
            self.routines.append({"id": "nap", "kind": "sleep", "duration": r.choice([45, 60, 90]),
                                  "start": ["%s-%s" % (hm(s), hm(s + r.choice([30, 60])))],
                                  "place": "home", "days": None})
        if r.random() < 0.7:
            s = r.choice([11 * 60 + 30, 12 * 60])
            self.routines.append({"id": "lunch", "kind": "meal", "duration": r.choice([20, 30]),
                                  "start": ["%s-%s" % (hm(s), hm(s + r.choice([30, 45, 60])))],
                                  "place": "anywhere", "days": None})
        if r.random() < 0.5:
            self.routines.append({"id": "medicine", "kind": "medication", "duration": r.choice([5, 10]),
                                  "start": ["%s-%s" % (hm(s), hm(s + 30)) for s in
                                            r.sample([8 * 60, 10 * 60, 14 * 60, 16 * 60, 18 * 60], 2)],
                                  "place": r.choice(["home", "anywhere"]), "days": None})
        if r.random() < 0.4 and "centre" in self.vids:
            s = r.choice([10 * 60, 11 * 60, 14 * 60])
            self.routines.append({"id": "group", "kind": "other", "duration": r.choice([30, 45]),
                                  "start": ["%s-%s" % (hm(s), hm(s + 60))], "place": "centre",
                                  "days": sorted(r.sample(range(5), 2))})
        elif r.random() < 0.3:
            s = r.choice([10 * 60, 14 * 60])
            self.routines.append({"id": "hydro", "kind": "other", "duration": 30,
                                  "start": ["%s-%s" % (hm(s), hm(s + 30))], "place": "clinic",
                                  "days": [r.randrange(5)]})
        for rt in self.routines:
            if rt["days"] is None and r.random() < 0.3:
                rt["days"] = sorted(r.sample(range(7), r.randint(2, 5)))

    def practitioners(self):
        r = self.r
        npr = r.randint(3, 5)
        roles = r.sample(ROLES, npr)
        self.pracs = []
        for pid, role in roles:
            q = {"id": pid, "role": role, "fixed": r.random() < 0.2,
                 "intensity": r.choice([0.5, 1.0, 1.5, 2.0, 2.5, 3.0]),
                 "familiar": r.random() < 0.3, "people": 2 if r.random() < 0.15 else 1,
                 "joint": [], "match": r.choices(["text", "categories", "attendee"], [6, 2, 2])[0],
                 "base": r.choice(self.vids), "notice": None, "busy": []}
            alts = [v for v in self.vids if v != q["base"]]
            q["venues"] = [q["base"]] + (r.sample(alts, 1) if r.random() < 0.4 else [])
            q["dur"] = r.choice([30, 30, 45, 60, 60, 90]) if self.slot == 15 else r.choice([30, 60, 60, 90])
            if r.random() < 0.25:
                q["notice"] = r.choice(["0 hours", "2 hours", "1 day", "2 working days", "1 working day"])
            self.pracs.append(q)
        # joint: a pair (sometimes a triple) of practitioners listing each other, same duration,
        # a venue in common
        if r.random() < 0.55:
            k = 3 if (npr >= 4 and r.random() < 0.25) else 2
            grp = r.sample(self.pracs, k)
            common = grp[0]["base"]
            for q in grp:
                q["joint"] = [x["id"] for x in grp if x is not q]
                q["dur"] = grp[0]["dur"]
                if common not in q["venues"]:
                    q["venues"] = q["venues"][:1] + [common]
            self.joint = grp
        else:
            self.joint = []

    # ---- the appointments as booked -------------------------------------------------------
    def bookings(self):
        r = self.r
        total = r.randint(3, 7)
        counts = {q["id"]: 1 for q in self.pracs}
        while sum(counts.values()) < total:
            q = r.choice(self.pracs)
            if counts[q["id"]] < 2:
                counts[q["id"]] += 1
            elif all(counts[x["id"]] >= 2 for x in self.pracs):
                break
        self.appts = []
        dstart, dend = self.day
        for q in self.pracs:
            for k in range(counts[q["id"]]):
                day = r.choice([0, 1, 1, 2, 2, 3, 3, 4, 4])
                lo, hi = dstart, dend - q["dur"]
                s = r.randrange(lo, hi + 1, 15)
                s -= s % 15
                v = r.choice(q["venues"])
                self.appts.append({"prac": q, "day": day, "start": s, "venue": v, "kind": "single"})
        # one series with two occurrences this week (spacing 2 or 4 days)
        if r.random() < 0.3:
            a = r.choice(self.appts)
            a["kind"] = "series2"
            d0 = r.choice([0, 1, 2]) if r.random() < 0.5 else 0
            a["day"] = d0
            a["day2"] = d0 + r.choice([2, 4]) if d0 == 0 else d0 + 2
            if len(self.appts) == 7:      # two occurrences: at most 7 appointments in all
                spare = [b for b in self.appts if b is not a and
                         sum(1 for c in self.appts if c["prac"] is b["prac"]) > 1]
                if spare:
                    self.appts.remove(spare[-1])
                else:
                    a["kind"] = "single"
        # a weekly series whose occurrence this week is its second (RECURRENCE-ID)
        for a in self.appts:
            if a["kind"] == "single" and r.random() < 0.3:
                a["kind"] = "weekly"
        # a joint session already booked as one
        if self.joint and r.random() < 0.5:
            parts = [next((a for a in self.appts if a["prac"] is q and a["kind"] != "series2"), None)
                     for q in self.joint]
            parts = [p for p in parts if p is not None]
            if len(parts) >= 2:
                for p in parts[1:]:
                    p["day"], p["start"], p["venue"] = parts[0]["day"], parts[0]["start"], parts[0]["venue"]
                    if p["venue"] not in p["prac"]["venues"]:
                        p["venue"] = parts[0]["venue"]
                for p in parts:
                    if parts[0]["venue"] not in p["prac"]["venues"]:
                        p["prac"]["venues"].append(parts[0]["venue"])
        # odd bookings: on a free day, outside the person's day
        self.free_days = r.choice([["sat", "sun"], ["sun"], ["sat", "sun"], []])
        if r.random() < 0.25 and self.free_days:
            a = r.choice([a for a in self.appts if a["kind"] == "single"] or self.appts)
            if a["kind"] == "single":
                a["day"] = WD.index(self.free_days[0])
        if r.random() < 0.3:
            a = r.choice([a for a in self.appts if a["kind"] == "single"] or self.appts)
            if r.random() < 0.5:
                a["start"] = max(7 * 60, dstart - r.choice([15, 30, 45]))
            else:
                a["start"] = dend - a["prac"]["dur"] + r.choice([15, 30])
        # clashes: pull an appointment onto another (partial overlap) or just after it
        for _ in range(r.choice([0, 1, 1, 2])):
            a, b = r.sample(self.appts, 2)
            if b["kind"] == "series2" or b["prac"] is a["prac"]:
                continue
            b["day"] = a["day"]
            if r.random() < 0.5:
                b["start"] = a["start"] + max(15, a["prac"]["dur"] - r.choice([15, 30]))   # overlap
            else:
                b["start"] = a["start"] + a["prac"]["dur"] + r.choice([0, 5, 15])           # tight
            b["start"] -= b["start"] % 5
            if b["start"] + b["prac"]["dur"] > 20 * 60:
                b["start"] = 20 * 60 - b["prac"]["dur"]
        self.tidy()
        # fixed: a practitioner (movable: false) or one appointment (an override)
        self.overrides = []
        mov = [a for a in self.appts if not a["prac"]["fixed"]]
        if mov and r.random() < 0.3:
            a = r.choice(mov)
            self.overrides.append({"a": a, "movable": False, "one": a["kind"] != "single"})
        if r.random() < 0.3:
            a = r.choice(self.appts)
            e = r.choice([0.5, 1.0, 2.5, 4.0])
            o = next((o for o in self.overrides if o["a"] is a), None)
            if o is None:
                self.overrides.append({"a": a, "energy": e, "one": False})
            else:   # one override per appointment (two naming one UID: see the oracle)
                o["energy"] = e

    def tidy(self):
        """No nesting, no appointment overlapping two others, no same-start overlap other than a
        whole joint session, no same-practitioner overlap: move the offenders later."""
        def occs():
            out = []
            for a in self.appts:
                out.append((a["day"], a))
                if a["kind"] == "series2":
                    out.append((a["day2"], a))
            return out
        for _ in range(50):
            bad = None
            oc = occs()
            for d in range(7):
                day = sorted([a for dd, a in oc if dd == d], key=lambda a: (a["start"], a["prac"]["id"]))
                for i, a in enumerate(day):
                    ea = a["start"] + a["prac"]["dur"]
                    ov = [b for b in day if b is not a and b["start"] < ea and a["start"] < b["start"] + b["prac"]["dur"]]
                    joint_same = [b for b in ov if b["start"] == a["start"] and b["venue"] == a["venue"]
                                  and b["prac"]["id"] in a["prac"]["joint"]]
                    others = [b for b in ov if b not in joint_same]
                    if joint_same and others:
                        bad = others[0]
                    elif len(others) > 1:
                        bad = others[-1]
                    for b in others:
                        eb = b["start"] + b["prac"]["dur"]
                        if (b["start"] == a["start"]) or (a["start"] <= b["start"] and eb <= ea) \
                                or b["prac"] is a["prac"]:
                            bad = b
                    if bad is not None:
                        break
                if bad is not None:
                    break
            if bad is None:
                return
            bad["start"] += 60
            if bad["start"] + bad["prac"]["dur"] > 20 * 60:
                bad["start"] = 7 * 60 + self.r.randrange(0, 8) * 15
                bad["day"] = (bad["day"] + 1) % 5 if bad["kind"] != "series2" else bad["day"]
        raise RuntimeError("cannot tidy")

    def windows(self):
        r = self.r
        for q in self.pracs:
            mine = [a for a in self.appts if a["prac"] is q]
            s0 = min(a["start"] for a in mine)
            lo = max(self.day[0], s0 - r.choice([0, 30, 60]))
            lo = min(lo, self.day[1] - q["dur"])
            lo -= lo % 30
            span = q["dur"] + r.choice([30, 60, 90, 120])
            hi = min(self.day[1], lo + span)
            q["window"] = {"days": r.choice([0, 1, 1, 2]), "times": [(lo, hi)]}
            if r.random() < 0.3:
                q["window"]["weekdays"] = "weekdays"
            if r.random() < 0.2:
                q["window"]["same_week"] = True
            q["works"] = None
            if r.random() < 0.4:
                days = sorted(r.sample(range(5), r.randint(2, 4)))
                q["works"] = [{"days": days, "hours": (self.day[0] - 30, self.day[1]),
                               "venues": q["venues"]}]
                if r.random() < 0.4:
                    other = [d for d in range(5) if d not in days]
                    if other:
                        q["works"].append({"days": other[:1], "hours": (13 * 60, 16 * 60),
                                           "venues": q["venues"][:1]})
            # busy time with other clients: sometimes over a booking (double booked)
            q["busy"] = []
            if r.random() < 0.5:
                for _ in range(r.randint(1, 2)):
                    a = r.choice(mine)
                    if r.random() < 0.4:
                        bs = a["start"] + r.choice([-15, 0, 15])          # double booked
                        be = bs + 30
                    else:
                        bs = lo + r.choice([0, 30, 60])
                        be = bs + r.choice([30, 60])
                    q["busy"].append((r.choice([a["day"], a["day"] + 1, a["day"] - 1]) % 5, bs, be))
            q["busy"] = self.clean_busy(q, mine)

    def clean_busy(self, q, mine):
        """At most one busy period over any one booking (one double-booked problem each)."""
        out = []
        for b in q["busy"]:
            trial = out + [b]
            ok = True
            for a in mine:
                for d in [a["day"]] + ([a["day2"]] if a["kind"] == "series2" else []):
                    n = sum(1 for bd, bs, be in trial if bd == d and bs < a["start"] + q["dur"] and a["start"] < be)
                    if n > 1:
                        ok = False
            if ok:
                out.append(b)
        return out

    def limits(self):
        r = self.r
        self.budget = r.choice([2, 3, 3.5, 4, 5, 10])
        self.tph = r.choice([1, 1, 1.5, 2])
        self.lim = {}
        if r.random() < 0.7:
            self.lim["max_appointments_per_day"] = r.choice([1, 2, 2, 3])
        if r.random() < 0.6:
            self.lim["max_time_out_per_day"] = r.choice([60, 90, 120, 180])
        if r.random() < 0.5:
            self.lim["max_unfamiliar_per_day"] = r.choice([1, 2])
        if r.random() < 0.4:
            self.lim["max_unfamiliar_per_week"] = r.choice([1, 2, 3])
        if r.random() < 0.6:
            self.lim["min_rest_between"] = r.choice([15, 30, 45, 60])
        self.notice = r.choice([None, "1 working day", "0 hours", "4 hours", "1 day", "2 working days"])
        self.now = r.choice(["2026-11-23T00:00:00Z", "2026-11-23T08:00:00Z", "2026-11-24T13:30:00Z",
                             "2026-11-25T14:00:00Z", "2026-11-26T17:00:00Z", "2026-11-27T17:00:00Z",
                             "2026-11-23T00:00:00Z"])
        if self.now.startswith("2026-11-27") and self.notice in (None, "1 working day", "2 working days", "1 day"):
            self.notice = "0 hours"
        self.prefs = {}
        self.grouping = r.choice(["wanted", "neutral"])
        if r.random() < 0.4:
            self.prefs["preferred"] = [("weekdays", ["%s-%s" % (hm(9 * 60 + 30), hm(12 * 60))])]
        if r.random() < 0.4:
            self.prefs["avoid"] = [("all", ["12:30-14:00"])] + ([("[fri]", ["14:00-17:00"])] if r.random() < 0.5 else [])
        self.weights = {}
        if r.random() < 0.4:
            for k, vals in [("journeys", [5, 12, 20]), ("peak_energy", [0, 1, 3]),
                            ("change", [1, 4, 8]), ("routine_shift", [0, 0.05, 0.25]),
                            ("travel_minutes", [0.1, 0.5]), ("unfamiliar", [0, 4])]:
                if r.random() < 0.4:
                    self.weights[k] = r.choice(vals)
        self.penalties = {}
        if r.random() < 0.3:
            for k, vals in [("routine_missed", [5, 40]), ("energy", [2, 25]), ("rest", [0.1, 1]),
                            ("appointments", [5, 30]), ("outside_day", [0.1, 2]),
                            ("time_out", [0.05, 1])]:
                if r.random() < 0.5:
                    self.penalties[k] = r.choice(vals)

    # ---- writing ---------------------------------------------------------------------------
    def write(self, out):
        os.makedirs(os.path.join(out, "feeds"), exist_ok=True)
        with open(os.path.join(out, "now.txt"), "w") as f:
            f.write(self.now + "\n")
        for q in self.pracs:
            self.write_feed(q, os.path.join(out, "feeds", q["id"] + ".ics"))
        with open(os.path.join(out, "profile.yaml"), "w") as f:
            f.write(self.profile_text())

    def uid(self, a):
        if "uid" not in a:
            a["uid"] = "%s-%d-%d@small.example" % (a["prac"]["id"], self.seed, self.appts.index(a))
        return a["uid"]

    def write_feed(self, q, path):
        r = random.Random(self.seed * 1000003 + sum(map(ord, q["id"])))
        L = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dovetail tests//small family//EN"]

        def ts(day, m):
            d = MONDAY + dt.timedelta(days=day)
            return "%04d%02d%02dT%02d%02d00Z" % (d.year, d.month, d.day, m // 60, m % 60)

        def mine(a):
            out = []
            s = "%s session - %s" % (q["role"], self.pid)
            if q["match"] == "text":
                out.append("SUMMARY:" + s)
            else:
                out.append("SUMMARY:%s session" % q["role"])
                if q["match"] == "categories":
                    out.append("CATEGORIES:" + self.pid)
                else:
                    out.append("ATTENDEE;CN=Parent:mailto:parent.%s@example.net" % self.pid.lower())
            v = a["venue"]
            vv = [x for x in self.venues if x[0] == v][0]
            name = r.choice([vv[1]] + vv[3])
            out.append("LOCATION:" + name)
            return out

        for a in self.appts:
            if a["prac"] is not q:
                continue
            uid = self.uid(a)
            dur = q["dur"]
            if a["kind"] == "single":
                L += ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + DTSTAMP,
                      "DTSTART:" + ts(a["day"], a["start"]), "DTEND:" + ts(a["day"], a["start"] + dur)]
                L += mine(a) + ["END:VEVENT"]
            elif a["kind"] == "weekly":
                # began the week before; this week's occurrence keeps its time
                L += ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + DTSTAMP,
                      "DTSTART:" + ts(a["day"] - 7, a["start"]),
                      "DTEND:" + ts(a["day"] - 7, a["start"] + dur),
                      "RRULE:FREQ=WEEKLY;COUNT=3"]
                L += mine(a) + ["END:VEVENT"]
            else:  # series2: two occurrences this week, same time
                L += ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + DTSTAMP,
                      "DTSTART:" + ts(a["day"], a["start"]), "DTEND:" + ts(a["day"], a["start"] + dur),
                      "RRULE:FREQ=WEEKLY;COUNT=2;BYDAY=%s,%s" % (ICS_WD[a["day"]], ICS_WD[a["day2"]])]
                L += mine(a) + ["END:VEVENT"]
        for k, (d, bs, be) in enumerate(q["busy"]):
            L += ["BEGIN:VEVENT", "UID:busy-%s-%d-%d@small.example" % (q["id"], self.seed, k),
                  "DTSTAMP:" + DTSTAMP, "DTSTART:" + ts(d, bs), "DTEND:" + ts(d, be),
                  "SUMMARY:" + r.choice(["Clinic", "Home visit (other family)", "Team meeting"]),
                  "END:VEVENT"]
        if r.random() < 0.2:   # noise the reader must ignore
            L += ["BEGIN:VEVENT", "UID:cancelled-%s-%d@small.example" % (q["id"], self.seed),
                  "DTSTAMP:" + DTSTAMP, "DTSTART:" + ts(2, 10 * 60), "DTEND:" + ts(2, 11 * 60),
                  "SUMMARY:%s session - %s (cancelled)" % (q["role"], self.pid),
                  "CATEGORIES:" + self.pid, "STATUS:CANCELLED", "END:VEVENT"]
        L.append("END:VCALENDAR")
        with open(path, "wb") as f:
            f.write(("\r\n".join(L) + "\r\n").encode())

    def profile_text(self):
        L = ["# Small synthetic family (tools/gen-small-family.py %d): fictional." % self.seed,
             "version: 1", "person:", "  id: " + self.pid, "  timezone: Europe/London",
             "  day: %s-%s" % (hm(self.day[0]), hm(self.day[1])), "  slot: %d" % self.slot,
             "  home: home"]
        if self.notice:
            L.append("  notice: " + self.notice)
        L.append("venues:")
        for vid, name, kind, aliases in self.venues:
            L += ["  - id: " + vid, '    name: "%s"' % name, "    kind: " + kind,
                  "    aliases: [%s]" % ", ".join('"%s"' % x for x in aliases)]
        L += ["travel:", "  matrix:"]
        L += ["    - [%s, %s, %d, %s]" % (a, b, m, fnum(c)) for a, b, m, c in self.matrix]
        L.append("practitioners:")
        for q in self.pracs:
            L += ["  - id: " + q["id"], "    role: " + q["role"], "    feeds: [feeds/%s.ics]" % q["id"]]
            if q["match"] == "text":
                L.append("    match: { text: %s }" % self.pid)
            elif q["match"] == "categories":
                L.append("    match: { categories: %s }" % self.pid)
            else:
                L.append('    match: { attendee: "mailto:parent.%s@example.net" }' % self.pid.lower())
            if q["works"]:
                L.append("    works:")
                for b in q["works"]:
                    L.append("      - { days: [%s], hours: %s-%s, venues: [%s] }" % (
                        ", ".join(WD[d] for d in b["days"]), hm(b["hours"][0]), hm(b["hours"][1]),
                        ", ".join(b["venues"])))
            L.append("    movable: %s" % ("false" if q["fixed"] else "true"))
            w = q["window"]
            parts = ["days: %d" % w["days"]]
            if w.get("same_week"):
                parts.append("same_week: true")
            if w.get("weekdays"):
                parts.append("weekdays: " + w["weekdays"])
            parts.append("times: [%s]" % ", ".join("%s-%s" % (hm(a), hm(b)) for a, b in w["times"]))
            L.append("    window: { %s }" % ", ".join(parts))
            L.append("    venues: [%s]" % ", ".join(q["venues"]))
            L.append("    intensity: " + fnum(q["intensity"]))
            if q["familiar"]:
                L.append("    familiar: true")
            if q["people"] != 1:
                L.append("    people: %d" % q["people"])
            if q["joint"]:
                L.append("    joint_with: [%s]" % ", ".join(q["joint"]))
            if q["notice"]:
                L.append("    notice: " + q["notice"])
        if self.overrides:
            L.append("overrides:")
            for o in self.overrides:
                a = o["a"]
                L.append('  - uid: "%s"' % self.uid(a))
                if o["one"] and a["kind"] == "weekly":
                    d = MONDAY + dt.timedelta(days=a["day"])
                    L.append('    recurrence_id: "%04d%02d%02dT%02d%02d00Z"' % (
                        d.year, d.month, d.day, a["start"] // 60, a["start"] % 60))
                if "movable" in o:
                    L.append("    movable: false")
                if "energy" in o:
                    L.append("    energy: " + fnum(o["energy"]))
        if self.routines:
            L.append("routines:")
            for rt in self.routines:
                L += ["  - id: " + rt["id"], "    kind: " + rt["kind"],
                      "    duration: %d" % rt["duration"],
                      "    start: [%s]" % ", ".join(rt["start"]), "    place: " + rt["place"]]
                if rt["days"] is not None:
                    L.append("    days: [%s]" % ", ".join(WD[d] for d in rt["days"]))
        L += ["energy:", "  budget: " + fnum(self.budget), "  travel_per_hour: " + fnum(self.tph)]
        lim = dict(self.lim)
        if lim or self.free_days:
            L.append("limits:")
            for k, v in lim.items():
                L.append("  %s: %d" % (k, v))
            if self.free_days:
                L.append("  free_days: [%s]" % ", ".join(self.free_days))
        if self.prefs or self.weights:
            L.append("preferences:")
            L.append("  grouping: " + self.grouping)
            for key, name in (("preferred", "preferred_times"), ("avoid", "avoid_times")):
                if key in self.prefs:
                    L.append("  %s:" % name)
                    for days, times in self.prefs[key]:
                        L.append("    - { days: %s, times: [%s] }" % (days, ", ".join(times)))
            if self.weights:
                L.append("  weights:")
                for k, v in self.weights.items():
                    L.append("    %s: %s" % (k, fnum(v)))
        if self.penalties:
            L.append("compromises:")
            for k, v in self.penalties.items():
                L.append("  %s: %s" % (k, fnum(v)))
        return "\n".join(L) + "\n"

    # ---- keeping it small -----------------------------------------------------------------
    def plan_bound(self, out, oracle):
        P = oracle.Profile(os.path.join(out, "profile.yaml"))
        inst = oracle.Instance(P, oracle.parse_now(self.now))
        J = oracle.Judge(inst)
        n = 1
        for c in J.cands:
            n *= len(c)
        return n, inst, J

    def shrink(self, inst, J):
        """Narrow the practitioner whose appointment has the most candidates."""
        i = max(range(inst.n), key=lambda i: (len(J.cands[i]), -i))
        q = next(q for q in self.pracs if q["id"] == inst.appts[i].prac)
        w = q["window"]
        lo, hi = w["times"][0]
        if w["days"] > 0:
            w["days"] -= 1
        elif len(q["venues"]) > 1:
            q["venues"] = q["venues"][:1]
            if q["works"]:
                for b in q["works"]:
                    b["venues"] = [v for v in b["venues"] if v in q["venues"]] or q["venues"]
        elif hi - lo > q["dur"] + 30:
            w["times"] = [(lo, hi - 30)]
        else:
            q["fixed"] = True

    def run(self, out):
        self.world()
        self.people()
        self.practitioners()
        self.bookings()
        self.windows()
        self.limits()
        oracle = load_oracle()
        for _ in range(60):
            self.write(out)
            n, inst, J = self.plan_bound(out, oracle)
            if n <= MAX_PLANS:
                return
            self.shrink(inst, J)
        raise RuntimeError("cannot shrink")


def main():
    if len(sys.argv) != 3:
        print("usage: gen-small-family.py SEED OUTDIR", file=sys.stderr)
        return 2
    Gen(int(sys.argv[1])).run(sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
