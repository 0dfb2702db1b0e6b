#!/usr/bin/python3
"""oracle-propose.py: an exact, brute-force oracle for `dovetail propose`.

Usage:
  oracle-propose.py PROFILE_DIR [--now TIME] [--compare PROPOSE.json] [--naive]
  oracle-propose.py PROFILE_DIR [--now TIME] --as-booked [--appts-from-week WEEK.json]
      (the week as booked, read as check and week read it: per day journeys, legs, time out,
      energy, routines, and the problems; to compare with `week --json` and `check --json`)
  --plans: also print each plan in words.

DOVETAIL_ORACLE_VENUE_ROUTINES=reading reads a routine at a named venue (place: VENUE) as
dovetail's week does today (the routine and the journey there and back fit in one stretch of
the day as read in which the person stays at one place); the default, "docs", is
docs/profile.md's rule (time to travel there from the appointment before and on to the
appointment after). The two differ; see the DECISION in fits().

Written from the documents only (docs/propose.md "What a plan is", "Three tiers", "The
objective", "Alternatives and the ladder"; docs/profile.md, "How a day is read"; docs/check.md),
sharing no code with the solver. It reads PROFILE_DIR/profile.yaml and the feeds it names
(python3-icalendar and python3-dateutil; simple feeds: VEVENTs with DTSTART/DTEND or DURATION,
RRULE, EXDATE, RECURRENCE-ID, VFREEBUSY), takes "now" from --now, else PROFILE_DIR/now.txt, and
enumerates EVERY plan: every appointment of the horizon at one of its candidate placements
(its current placement; and if it is movable and starts at or after the notice cut-off, every
day, start on the slot grid and venue its window, the person's day, the practitioner's working
pattern, venues and busy time allow, starting at or after the cut-off). The only pruning is
provably safe: a partial plan in which a moved appointment overlaps another appointment (other
than as a joint session), or two occurrences of a series come closer than the spacing rule
allows, cannot be completed into a plan, so it is dropped. Each full plan is read day by day
(cached per day: a day's reading depends only on what is on that day) and judged on
(impossible, compromise, cost), compared lexicographically, in exact rational arithmetic.

It prints JSON:
  {"optimum": {"impossible", "compromise", "objective", "changes", "changes_min",
               "changes_max"},
   "ladder": [{"max_changes": m, "impossible", "compromise", "objective", "changes"}
              for m in 0 .. optimum's changes],
   "ladder_all": (the same for m in 0 .. number of appointments),
   "alternatives": [rank 2, rank 3] (each best among plans that differ from the better ones in
                   the day or the venue of at least one appointment),
   "appointments": N, "plans": number of plans read, ...}
"changes" of a tier-optimal plan is not unique when several plans tie on all three tiers:
changes_min/changes_max give the range over the tied optima.

--compare PROPOSE.json (the output of `propose --json`, format dovetail-propose/2) checks it:
proposal 1 against the optimum; every ladder step (max_changes m) against the best plan with at
most m changes, and the steps 0 .. proposal 1's changes are all there; proposal 2 against the
best plan that differs in a day or a venue from dovetail's own proposal 1 (so a tie for the
optimum cannot make a false alarm), proposal 3 likewise from dovetail's 1 and 2; each proposal
places every appointment; and each proposal's plan (rebuilt from its changes) re-read by this
oracle has the tiers dovetail printed. Numbers match within 1e-6 relative. Prints a JSON verdict
{"ok": bool, "errors": [...], "oracle": ...}; exits 0 when it matches, 1 when not.

Where the documents leave a choice open, the decision taken here is marked DECISION in the code
(and listed in the report that came with this file).
"""
import datetime as dt
import itertools
import json
import math
import os
import re
import sys
from fractions import Fraction as F

import yaml

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None

HOME_STAY = 30          # docs/profile.md: the gap must leave at least 30 minutes at home
WD = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SCALE = 3600 * 10 ** 12  # every rational quantity is held as an integer multiple of 1/SCALE

DEFAULT_WEIGHTS = {"journeys": "10", "travel_minutes": "0.2", "travel_money": "1", "change": "4",
                   "change_day": "1", "change_venue": "3", "routine_shift": "0.1",
                   "peak_energy": "2", "unfamiliar": "3", "preference": "2"}
DEFAULT_PENALTIES = {"routine_missed": "20", "routine_late": "0.1", "outside_day": "0.5", "free_day": "20",
                     "energy": "10", "time_out": "0.2", "appointments": "15", "rest": "0.3",
                     "unfamiliar_day": "10", "unfamiliar_week": "10"}


class OracleError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# small parsers

def num(s):
    """A YAML scalar (read as a string) as an exact rational."""
    return F(str(s).strip())


def hm(s):
    s = str(s).strip()
    h, m = s.split(":")
    return int(h) * 60 + int(m)


def trange(s):
    a, b = str(s).strip().split("-")
    return hm(a), hm(b)


def tranges(v):
    if isinstance(v, list):
        return [trange(x) for x in v]
    return [trange(v)]


def days_of(v):
    if v is None:
        return set(range(7))
    if isinstance(v, list):
        return {WD.index(str(x).strip().lower()) for x in v}
    s = str(v).strip().lower()
    if s == "weekdays":
        return set(range(5))
    if s == "weekend":
        return {5, 6}
    if s == "all":
        return set(range(7))
    return {WD.index(s)}


def boolv(v, default):
    if v is None:
        return default
    return str(v).strip() == "true"


def parse_notice(s):
    m = re.fullmatch(r"\s*(\d+)\s+(working\s+days?|days?|hours?)\s*", str(s))
    if not m:
        raise OracleError("bad notice %r" % s)
    n, unit = int(m.group(1)), m.group(2).split()[0]
    return n, {"working": "wd", "day": "d", "days": "d", "hour": "h", "hours": "h"}[unit]


def norm_text(s):
    s = s.lower()
    s = re.sub(r"[\s,.;:\-()/]+", " ", s)
    return s.strip()


def wild_in(pattern, text):
    """docs/profile.md match text: PATTERN appears in the text, ASCII case ignored; * any run,
    ? any one character."""
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.search(rx, text, re.IGNORECASE | re.DOTALL) is not None


# ---------------------------------------------------------------------------------------------
# the profile

class Profile:
    def __init__(self, path):
        self.path = path
        self.base = os.path.dirname(os.path.abspath(path))
        with open(path, encoding="utf-8") as f:
            y = yaml.load(f, Loader=yaml.BaseLoader)   # every scalar a string: no 10:00 -> 600
        self.y = y
        p = y["person"]
        self.pid = p["id"]
        self.tzname = p.get("timezone", "UTC")
        self.tz = ZoneInfo(self.tzname)
        self.day = trange(p.get("day", "07:00-19:00"))
        self.slot = int(p.get("slot", "5"))
        self.home = p["home"]
        self.notice = parse_notice(p.get("notice", "1 working day"))
        self.mode = p.get("travel_mode", "car")
        self.venues = [v["id"] for v in y["venues"]]
        self.vnames = {}
        for v in y["venues"]:
            names = [v.get("name", v["id"])] + list(v.get("aliases", []))
            self.vnames[v["id"]] = [norm_text(n) for n in names if norm_text(n)]
        self.vat = {v["id"]: (float(v["at"][0]), float(v["at"][1])) for v in y["venues"] if "at" in v}
        self.read_travel(y.get("travel", {}) or {})
        self.pracs = {}
        self.prac_order = []
        for q in y["practitioners"]:
            self.prac_order.append(q["id"])
            self.pracs[q["id"]] = q
        self.overrides = y.get("overrides", []) or []
        self.routines = []
        for r in y.get("routines", []) or []:
            self.routines.append({"id": r["id"], "kind": r["kind"], "dur": int(r["duration"]),
                                  "wins": tranges(r["start"]), "days": days_of(r.get("days")),
                                  "place": r.get("place", "home")})
        e = y.get("energy", {}) or {}
        self.budget = num(e.get("budget", "10"))
        self.tph = num(e.get("travel_per_hour", "1"))
        lim = y.get("limits", {}) or {}
        g = lambda k: int(lim[k]) if k in lim else None
        self.max_appts = g("max_appointments_per_day")
        self.max_out = g("max_time_out_per_day")
        self.max_unf_day = g("max_unfamiliar_per_day")
        self.max_unf_week = g("max_unfamiliar_per_week")
        self.min_rest = g("min_rest_between")
        self.free_days = days_of(lim["free_days"]) if "free_days" in lim else set()
        pref = y.get("preferences", {}) or {}
        self.preferred = [(days_of(x.get("days")), tranges(x["times"]))
                          for x in pref.get("preferred_times", []) or []]
        self.avoid = [(days_of(x.get("days")), tranges(x["times"]))
                      for x in pref.get("avoid_times", []) or []]
        w = dict(DEFAULT_WEIGHTS)
        w.update(pref.get("weights", {}) or {})
        self.w = {k: num(v) for k, v in w.items()}
        c = dict(DEFAULT_PENALTIES)
        c.update(y.get("compromises", {}) or {})
        self.pen = {k: num(v) for k, v in c.items()}

    def read_travel(self, t):
        self.T = {}   # (a, b) -> (minutes rounded up to the slot, cost)
        explicit = {}
        for row in t.get("matrix", []) or []:
            a, b, m, c = row
            explicit[(a, b)] = (int(m), num(c))
        if "file" in t:
            path = t["file"] if os.path.isabs(t["file"]) else os.path.join(self.base, t["file"])
            with open(path, encoding="utf-8") as f:
                lines = [ln.strip() for ln in f if ln.strip()]
            for ln in lines[1:]:
                a, b, m, c = [x.strip() for x in ln.split(",")]
                if (a, b) not in explicit:
                    explicit.setdefault(("csv", a, b), (int(m), num(c)))
        self.detour = float(t.get("detour", "1.3"))
        speed = {"walk": 4.5, "wheelchair": 4.0, "bus": 15.0, "car": 30.0, "taxi": 30.0}
        speed.update({k: float(v) for k, v in (t.get("speed", {}) or {}).items()})
        perkm = {"walk": 0.0, "wheelchair": 0.0, "bus": 0.10, "car": 0.45, "taxi": 2.00}
        perkm.update({k: float(v) for k, v in (t.get("cost_per_km", {}) or {}).items()})
        self.overhead = int(t.get("overhead", "5"))
        self.speed, self.perkm = speed[self.mode], perkm[self.mode]
        self.explicit = explicit

    def travel(self, a, b):
        """(minutes rounded up to whole slots, money) from venue a to b; None venue: 0."""
        if a is None or b is None or a == b:
            return 0, F(0)
        key = (a, b)
        if key in self.T:
            return self.T[key]
        m = c = None
        for src in ((a, b), ("csv", a, b)):
            if src in self.explicit:
                m, c = self.explicit[src]
                break
            rev = (b, a) if len(src) == 2 else ("csv", b, a)
            if rev in self.explicit:
                m, c = self.explicit[rev]
                break
        if m is None and a in self.vat and b in self.vat:
            km = haversine_km(*self.vat[a], *self.vat[b])
            m = self.overhead + int(math.ceil(km * self.detour / self.speed * 60 - 1e-9))
            c = F(str(round(km * self.detour * self.perkm, 2)))
        if m is None:
            m, c = 0, F(0)
        m = -(-m // self.slot) * self.slot
        self.T[key] = (m, c)
        return m, c

    def venue_of(self, location, default):
        if location is None or not str(location).strip():
            return default
        loc = " " + norm_text(str(location)) + " "
        best, blen = None, -1
        for vid in self.venues:
            for n in self.vnames[vid]:
                if (" " + n + " ") in loc and len(n) > blen:
                    best, blen = vid, len(n)
        return best


def haversine_km(la1, lo1, la2, lo2):
    r, rad = 6371.0088, math.pi / 180
    dla, dlo = (la2 - la1) * rad, (lo2 - lo1) * rad
    h = math.sin(dla / 2) ** 2 + math.cos(la1 * rad) * math.cos(la2 * rad) * math.sin(dlo / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(h, 1)))


# ---------------------------------------------------------------------------------------------
# the feeds

def parse_now(s):
    s = s.strip()
    for fmt in ("%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ"):
        try:
            return dt.datetime.strptime(s, fmt).replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    raise OracleError("cannot read now %r" % s)


def rid_text(t_utc):
    return t_utc.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def read_feed(path, prof):
    """Returns a list of event instances: dicts with uid, rid, start, end (aware UTC), props."""
    import icalendar
    from dateutil import rrule as du

    with open(path, "rb") as f:
        cal = icalendar.Calendar.from_ical(f.read())
    out, busy = [], []
    masters, exceptions = [], {}

    def aware(v):
        d = v.dt
        if isinstance(d, dt.datetime):
            if d.tzinfo is None:
                d = d.replace(tzinfo=prof.tz)
            return d.astimezone(dt.timezone.utc)
        raise OracleError("all-day events are not supported by the oracle")

    for comp in cal.walk():
        if comp.name == "VFREEBUSY":
            fbs = comp.get("FREEBUSY")
            if fbs is None:
                continue
            if not isinstance(fbs, list):
                fbs = [fbs]
            for fb in fbs:
                fbtype = str(fb.params.get("FBTYPE", "BUSY")).upper()
                if fbtype == "FREE":
                    continue
                periods = fb.dt if isinstance(fb.dt, list) else [fb.dt]
                for per in periods:
                    s, e = per
                    if isinstance(e, dt.timedelta):
                        e = s + e
                    busy.append((s.astimezone(dt.timezone.utc), e.astimezone(dt.timezone.utc)))
            continue
        if comp.name != "VEVENT":
            continue
        st = str(comp.get("STATUS", "")).upper()
        tr = str(comp.get("TRANSP", "")).upper()
        ev = {"uid": str(comp.get("UID")), "start": aware(comp["DTSTART"]),
              "summary": str(comp.get("SUMMARY", "")), "description": str(comp.get("DESCRIPTION", "")),
              "location": str(comp["LOCATION"]) if comp.get("LOCATION") is not None else None,
              "categories": [], "attendees": [], "ignored": st == "CANCELLED" or tr == "TRANSPARENT"}
        if comp.get("DTEND") is not None:
            ev["dur"] = aware(comp["DTEND"]) - ev["start"]
        elif comp.get("DURATION") is not None:
            ev["dur"] = comp["DURATION"].dt
        else:
            ev["dur"] = dt.timedelta(0)
        cats = comp.get("CATEGORIES")
        if cats is not None:
            for c in (cats if isinstance(cats, list) else [cats]):
                if hasattr(c, "cats"):
                    ev["categories"] += [str(x) for x in c.cats]
                else:
                    ev["categories"] += [x.strip() for x in c.to_ical().decode().split(",")]
        att = comp.get("ATTENDEE")
        if att is not None:
            ev["attendees"] = [str(a) for a in (att if isinstance(att, list) else [att])]
        if comp.get("RECURRENCE-ID") is not None:
            exceptions[(ev["uid"], rid_text(aware(comp["RECURRENCE-ID"])))] = ev
            continue
        rr = comp.get("RRULE")
        if rr is not None:
            ev["rrule"] = rr.to_ical().decode()
            ex = comp.get("EXDATE")
            exd = set()
            if ex is not None:
                for e in (ex if isinstance(ex, list) else [ex]):
                    for d in e.dts:
                        exd.add(rid_text(aware(d)))
            ev["exdates"] = exd
        masters.append(ev)
    for ev in masters:
        if "rrule" in ev:
            local0 = ev["start"].astimezone(prof.tz).replace(tzinfo=None)
            rule = ev["rrule"]
            # UNTIL in UTC: compare in local wall time (the same in November in London)
            m = re.search(r"UNTIL=(\d{8}T\d{6})Z", rule)
            if m:
                u = dt.datetime.strptime(m.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=dt.timezone.utc)
                rule = rule.replace(m.group(0), "UNTIL=" + u.astimezone(prof.tz).strftime("%Y%m%dT%H%M%S"))
            starts = []
            for t in du.rrulestr(rule, dtstart=local0):
                if t.year > 2030:
                    break
                starts.append(t.replace(tzinfo=prof.tz).astimezone(dt.timezone.utc))
                if len(starts) > 5000:
                    break
            for s in starts:
                rid = rid_text(s)
                if rid in ev["exdates"]:
                    continue
                inst = exceptions.pop((ev["uid"], rid), None)
                if inst is None:
                    inst = dict(ev, start=s)
                out.append(dict(inst, rid=rid))
        else:
            out.append(dict(ev, rid=""))
    for (uid, rid), ev in exceptions.items():   # an exception whose master is not here
        out.append(dict(ev, rid=rid))
    for ev in out:
        ev["end"] = ev["start"] + ev["dur"]
    return out, busy


def matches(q, ev):
    m = q.get("match", "all")
    if m == "all":
        return True
    if "text" in m:
        return wild_in(m["text"], ev["summary"]) or wild_in(m["text"], ev["description"])
    if "categories" in m:
        return any(c.strip().lower() == m["categories"].strip().lower() for c in ev["categories"])
    if "attendee" in m:
        return any(a.strip().lower() == m["attendee"].strip().lower() for a in ev["attendees"])
    raise OracleError("unknown match rule")


# ---------------------------------------------------------------------------------------------
# the instance: appointments, busy time, candidates

class Appt:
    pass


class Instance:
    def __init__(self, prof, now_utc, appts_json=None):
        self.prof = prof
        P = prof
        self.now_utc = now_utc
        now_local = now_utc.astimezone(P.tz)
        self.monday = (now_local - dt.timedelta(days=now_local.weekday())).date()
        self.h0 = dt.datetime.combine(self.monday, dt.time(0, 0), tzinfo=P.tz)
        self.now_abs = self.abs_min(now_utc)
        self.busy = {q: [] for q in P.pracs}
        raw = []
        if appts_json is None:
            for qid in P.prac_order:
                q = P.pracs[qid]
                for fp in q.get("feeds", []) or []:
                    path = fp if os.path.isabs(fp) else os.path.join(P.base, fp)
                    evs, fb = read_feed(path, P)
                    for s, e in fb:
                        self.busy[qid].append((self.abs_min(s), self.abs_min(e)))
                    for ev in evs:
                        if ev["ignored"]:
                            continue
                        if matches(q, ev):
                            raw.append((qid, ev))
                        else:
                            self.busy[qid].append((self.abs_min(ev["start"]), self.abs_min(ev["end"])))
        else:
            raw = appts_json
        self.appts = []
        for qid, ev in raw:
            s, e = self.abs_min(ev["start"]), self.abs_min(ev["end"])
            if not (0 <= s < 7 * 1440):
                continue
            a = Appt()
            q = P.pracs[qid]
            a.prac, a.uid, a.rid = qid, ev["uid"], ev["rid"]
            a.day, a.start, a.dur = s // 1440, s % 1440, e - s
            if "venue" in ev:
                a.venue = ev["venue"]
            else:
                a.venue = P.venue_of(ev["location"], q.get("default_venue"))
            self.settings(a, q)
            self.appts.append(a)
        self.appts.sort(key=lambda a: (a.day, a.start, a.prac, a.uid, a.rid))
        for i, a in enumerate(self.appts):
            a.idx = i
        self.n = len(self.appts)
        # DECISION (docs/profile.md, "The person's own time is not another client's"): busy
        # time of a practitioner that is one of the person's own appointments with them, the
        # same start and end or a period containing it, is not another client's: the
        # appointment's span is taken out, and what is before and after it stays busy.
        for qid in self.busy:
            mine = sorted((a.day * 1440 + a.start, a.day * 1440 + a.start + a.dur)
                          for a in self.appts if a.prac == qid and a.dur > 0)
            out = []
            for b0, b1 in self.busy[qid]:
                inside = [(s, e) for s, e in mine if b0 <= s and e <= b1]
                if not inside:
                    out.append((b0, b1))
                    continue
                cur = b0
                for s, e in inside:
                    if s > cur:
                        out.append((cur, s))
                    cur = max(cur, e)
                if cur < b1:
                    out.append((cur, b1))
            self.busy[qid] = out

    def abs_min(self, t):
        """Minutes from the horizon's Monday 00:00, local time."""
        loc = t.astimezone(self.prof.tz)
        d = (loc.date() - self.monday).days
        return d * 1440 + loc.hour * 60 + loc.minute

    def settings(self, a, q):
        P = self.prof
        ov = {}
        for o in P.overrides:
            if o["uid"] != a.uid:
                continue
            if "recurrence_id" in o:
                r = o["recurrence_id"].replace("-", "").replace(":", "")
                if r != a.rid:
                    continue
            ov.update({k: v for k, v in o.items() if k not in ("uid", "recurrence_id")})
        # DECISION: an override for one occurrence wins over one for the whole series,
        # whatever their order in the file.
        for o in P.overrides:
            if o["uid"] == a.uid and "recurrence_id" in o and \
                    o["recurrence_id"].replace("-", "").replace(":", "") == a.rid:
                ov.update({k: v for k, v in o.items() if k not in ("uid", "recurrence_id")})
        a.movable = boolv(ov.get("movable", q.get("movable")), True)
        win = ov.get("window", q.get("window")) or {}
        a.win_days = int(win.get("days", "0"))
        a.win_same_week = boolv(win.get("same_week"), False)
        a.win_weekdays = days_of(win.get("weekdays")) if "weekdays" in win else set(range(7))
        a.win_times = tranges(win["times"]) if "times" in win else [P.day]
        vs = ov.get("venues", q.get("venues"))
        a.venues = list(vs) if vs is not None else [a.venue]
        if "energy" in ov:
            a.energy = num(ov["energy"])
        else:
            a.energy = num(q.get("intensity", "1.0")) * a.dur / 60
        a.familiar = boolv(q.get("familiar"), False)
        a.people = int(q.get("people", "1"))
        a.joint = set(q.get("joint_with", []) or [])
        a.works = None
        if q.get("works") is not None:
            a.works = [(days_of(b["days"]), trange(b["hours"]) if "hours" in b else P.day,
                        set(b["venues"]) if "venues" in b else None) for b in q["works"]]
        notice = parse_notice(q["notice"]) if "notice" in q else P.notice
        a.cutoff = self.cutoff(notice)

    def cutoff(self, notice):
        n, unit = notice
        if unit == "h":
            return self.now_abs + 60 * n
        if unit == "d":
            return self.now_abs + 1440 * n
        # working days: step n weekdays forward, at the same local time of day
        now_local = self.now_utc.astimezone(self.prof.tz)
        d = now_local.date()
        k = n
        while k > 0:
            d += dt.timedelta(days=1)
            if d.weekday() < 5:
                k -= 1
        return (d - self.monday).days * 1440 + now_local.hour * 60 + now_local.minute

    def candidates(self, a):
        """[(day, start, venue)]: the current placement first."""
        P = self.prof
        cur = (a.day, a.start, a.venue)
        out = [cur]
        if not a.movable or a.day * 1440 + a.start < a.cutoff:
            return out
        seen = {cur}
        busy = self.busy[a.prac]
        for d in range(7):
            if abs(d - a.day) > a.win_days:
                continue
            # same_week: the horizon is one Monday-Sunday week, so every day of it is the same week
            if d not in a.win_weekdays or d in P.free_days:
                continue
            t = 0
            while t + a.dur <= 1440:
                s, e = t, t + a.dur
                t += P.slot
                if s < P.day[0] or e > P.day[1]:
                    continue
                if not any(lo <= s and e <= hi for lo, hi in a.win_times):
                    continue
                if d * 1440 + s < a.cutoff:
                    continue
                if any(b0 < d * 1440 + e and d * 1440 + s < b1 for b0, b1 in busy):
                    continue
                for v in a.venues:
                    if a.works is not None and not any(
                            d in bd and lo <= s and e <= hi and (bv is None or v in bv)
                            for bd, (lo, hi), bv in a.works):
                        continue
                    c = (d, s, v)
                    if c not in seen:
                        seen.add(c)
                        out.append(c)
        return out


# ---------------------------------------------------------------------------------------------
# reading a day (docs/profile.md "How a day is read", docs/check.md)

def joint_ok(a, b):
    """Two appointments that may form (part of) a joint session when at the same start and
    venue: different practitioners that list each other in joint_with, and a known venue."""
    return a.prac != b.prac and b.prac in a.joint and a.prac in b.joint


def overlaps(s1, e1, s2, e2):
    return s1 < e2 and s2 < e1


class DayReading:
    pass


def read_day(inst, d, placed):
    """placed: list of (appt, start, venue, moved). Returns a DayReading: problems, legs,
    journeys, totals, routines, and 'valid' (False when a moved appointment takes part in an
    overlap, a double-booking or a travel problem: then it is not a plan)."""
    P = inst.prof
    R = DayReading()
    R.valid = True
    R.problems = []
    items = sorted(placed, key=lambda x: (x[1], x[1] + x[0].dur, x[2] or "", x[0].prac, x[0].idx))
    # ---- sessions: appointments at one start and one known venue whose practitioners all list
    # each other form one joint session (at most 3); anything else is a session of its own.
    # DECISION: a group at one start and venue that is not such a clique is read as separate,
    # overlapping appointments.
    groups = {}
    for it in items:
        groups.setdefault((it[1], it[2]), []).append(it)
    sessions = []
    for (s, v), grp in groups.items():
        ok = v is not None and 2 <= len(grp) <= 3 and all(
            joint_ok(x[0], y[0]) for x, y in itertools.combinations(grp, 2))
        if ok:
            sessions.append(grp)
        else:
            sessions += [[x] for x in grp]
    S = []
    for grp in sessions:
        s = grp[0][1]
        e = max(x[1] + x[0].dur for x in grp)
        S.append({"start": s, "end": e, "venue": grp[0][2], "parts": grp,
                  "moved": any(x[3] for x in grp),
                  "energy": max(x[0].energy for x in grp)})
    S.sort(key=lambda x: (x["start"], x["end"], x["venue"] or "", x["parts"][0][0].prac))
    R.sessions = S
    # ---- overlap: each pair of appointments (not of one session) that overlap in time
    sess_of = {}
    for k, ss in enumerate(S):
        for x in ss["parts"]:
            sess_of[x[0].idx] = k
    for x, y in itertools.combinations(items, 2):
        if sess_of[x[0].idx] == sess_of[y[0].idx]:
            continue
        if overlaps(x[1], x[1] + x[0].dur, y[1], y[1] + y[0].dur):
            R.problems.append(("overlap", (x[0].idx, y[0].idx)))
            if x[3] or y[3]:
                R.valid = False
    # ---- double-booked: an appointment over its practitioner's busy time with other clients
    # DECISION: one problem per appointment (however many busy periods it overlaps), judged on
    # the appointment's own times; a session with a moved part needs every practitioner free
    # for the whole session (docs/propose.md, joint sessions).
    for x in items:
        a = x[0]
        s0, e0 = d * 1440 + x[1], d * 1440 + x[1] + a.dur
        if any(overlaps(s0, e0, b0, b1) for b0, b1 in inst.busy[a.prac]):
            R.problems.append(("double-booked", (a.idx,)))
            if x[3]:
                R.valid = False
    for ss in S:
        if ss["moved"] and len(ss["parts"]) > 1:
            s0, e0 = d * 1440 + ss["start"], d * 1440 + ss["end"]
            for x in ss["parts"]:
                if any(overlaps(s0, e0, b0, b1) for b0, b1 in inst.busy[x[0].prac]):
                    R.valid = False
    # ---- consecutive sessions: travel and rest (only pairs that do not overlap)
    rest_short = []
    for A, B in zip(S, S[1:]):
        gap = B["start"] - A["end"]
        if gap < 0:
            continue
        if A["venue"] != B["venue"]:
            tmin = P.travel(A["venue"], B["venue"])[0]
            if gap < tmin:
                R.problems.append(("travel", tuple(x[0].idx for x in A["parts"] + B["parts"])))
                if A["moved"] or B["moved"]:
                    R.valid = False
        if P.min_rest is not None and gap < P.min_rest:
            rest_short.append(P.min_rest - gap)
            R.problems.append(("rest", tuple(x[0].idx for x in A["parts"] + B["parts"])))
    R.rest_short = rest_short
    # ---- journeys and legs
    home = P.home
    legs, journeys = [], []
    at, free_from, leave = home, None, None
    for ss in S:
        v = ss["venue"]
        if v is None:
            # DECISION (as dovetail week reads it): an appointment at an unknown venue is no
            # journey and costs no travel; the oracle's generator never writes one
            continue
        if at != home:
            back = P.travel(at, home)[0]
            there = 0 if v == home else P.travel(home, v)[0]
            if v == home or ss["start"] - free_from - back - there >= HOME_STAY:
                legs.append((at, home, free_from, free_from + back))
                journeys.append((leave, free_from + back))
                at = home
        if at == home and v != home:
            tt = P.travel(home, v)[0]
            leave = ss["start"] - tt
            legs.append((home, v, leave, ss["start"]))
        elif at != v:
            legs.append((at, v, free_from, free_from + P.travel(at, v)[0]))
        # DECISION: the person is free from the latest end so far at this venue
        free_from = ss["end"] if (at != v or free_from is None) else max(free_from, ss["end"])
        at = v
    if at != home:
        back = P.travel(at, home)[0]
        legs.append((at, home, free_from, free_from + back))
        journeys.append((leave, free_from + back))
    R.legs, R.journeys = legs, journeys
    R.travel_minutes = sum(b - a for _, _, a, b in legs)
    R.travel_money = sum((P.travel(f, t)[1] for f, t, _, _ in legs), F(0))
    R.time_out = sum(b - a for a, b in journeys)
    R.appt_energy = sum((ss["energy"] for ss in S), F(0))
    R.energy = R.appt_energy + P.tph * R.travel_minutes / 60
    R.n_appts = len(items)   # DECISION: appointments a day counts appointments, not sessions
    # ---- outside-day, free-day
    R.outside = 0
    for x in items:
        s, e = x[1], x[1] + x[0].dur
        inside = max(0, min(e, P.day[1]) - max(s, P.day[0]))
        if e - s - inside > 0:
            R.outside += e - s - inside
            R.problems.append(("outside-day", (x[0].idx,)))
        elif e == s and (s < P.day[0] or s > P.day[1]):
            # DECISION: an appointment of no length outside the day counts 1 minute (docs/propose.md)
            R.outside += 1
            R.problems.append(("outside-day", (x[0].idx,)))
    R.free = 0
    if d in P.free_days:
        for x in items:
            R.free += 1
            R.problems.append(("free-day", (x[0].idx,)))
    # ---- unfamiliar people met
    unf = {}
    for x in items:
        if not x[0].familiar:
            unf[x[0].prac] = x[0].people
    R.unfamiliar = sum(unf.values())
    R.unf_pracs = set(unf)
    # ---- routines
    R.routines = []
    busy_iv = [(ss["start"], ss["end"]) for ss in S]
    leg_iv = [(a, b) for _, _, a, b in legs]
    stay = stays(S, legs, P) if VENUE_ROUTINES == "reading" else None
    # docs/profile.md: a day's routines are placed in the order of their window starts (then
    # profile order, then window order), each clear of those placed before it that are apart
    # from it: one at home and one at a venue, or at two venues (never one anywhere)
    todo = [(lo, ri, wi, rt, hi) for ri, rt in enumerate(P.routines) if d in rt["days"]
            for wi, (lo, hi) in enumerate(rt["wins"])]
    placed, got_of = [], {}
    for lo, ri, wi, rt, hi in sorted(todo, key=lambda x: (x[0], x[1], x[2])):
        got = None
        t = -(-lo // P.slot) * P.slot
        # docs/profile.md: the first start in the window, or else at most 180 minutes
        # after it (and ending by midnight); DECISION: the start window includes its end
        last = min(hi + 180, 1440 - rt["dur"])
        while t <= last:
            if fits(P, rt, t, S, busy_iv, leg_iv, journeys, stay) and \
                    not any(apart(P, rt["place"], pl) and overlaps(t, t + rt["dur"], a, b)
                            for a, b, pl in placed):
                got = t
                break
            t += P.slot
        if got is not None:
            placed.append((got, got + rt["dur"], rt["place"]))
        got_of[(ri, wi)] = got
    for lo, ri, wi, rt, hi in todo:
        got = got_of[(ri, wi)]
        R.routines.append((rt["id"], wi, got, lo, hi))
        if got is None:
            R.problems.append(("routine", (rt["id"], wi)))
        elif got > hi:
            R.problems.append(("routine-late", (rt["id"], wi)))
    # ---- limits
    if R.energy > P.budget:
        R.problems.append(("energy", ()))
    if P.max_out is not None and R.time_out > P.max_out:
        R.problems.append(("time-out", ()))
    if P.max_appts is not None and R.n_appts > P.max_appts:
        R.problems.append(("appointments", ()))
    if P.max_unf_day is not None and R.unfamiliar > P.max_unf_day:
        R.problems.append(("unfamiliar", ()))
    R.items = items
    return R


VENUE_ROUTINES = os.environ.get("DOVETAIL_ORACLE_VENUE_ROUTINES", "docs")


def stays(S, legs, P):
    """The stretches [a, b) of the day in which the person stays at one place, as read."""
    ev = sorted([(ss["start"], ss["end"], ss["venue"]) for ss in S] +
                [(a, b, t) for f, t, a, b in legs], key=lambda x: (x[0], x[1]))
    loc, free, out = P.home, 0, []
    for s, e, v in ev:
        if s > free:
            out.append((free, s, loc))
        if v is not None:
            loc = v
        free = max(free, e)
    out.append((free, 1440, loc))
    return out


def apart(P, a, b):
    """Two routines' places the person cannot be at together: home and a venue, or two
    venues; a routine anywhere goes with any other (docs/profile.md)."""
    a = "home" if a == P.home else a
    b = "home" if b == P.home else b
    return a != "anywhere" and b != "anywhere" and a != b


def fits(P, rt, t, S, busy_iv, leg_iv, journeys, stay):
    e = t + rt["dur"]
    if any(overlaps(t, e, a, b) for a, b in busy_iv):
        return False
    place = rt["place"]
    if place == "anywhere":
        # clear of the travel too (docs/check.md: "clear of the day's appointments and of the
        # travel to and from its place")
        return not any(overlaps(t, e, a, b) for a, b in leg_iv)
    if place == "home" or place == P.home:
        # at home: outside every journey (from leaving home to coming back), and clear of the
        # travel (a leg can outlast the journey when appointments overlap as booked)
        return not any(overlaps(t, e, a, b) for a, b in journeys) and \
            not any(overlaps(t, e, a, b) for a, b in leg_iv)
    if VENUE_ROUTINES == "reading":
        # as dovetail's week reads it: the routine and the journey there and back fit in one
        # stretch of the day as read in which the person stays at one place (home or a venue)
        for a, b, at in stay:
            if a + P.travel(at, place)[0] <= t and e + P.travel(place, at)[0] <= b:
                return True
        return False
    # DECISION (docs/profile.md): a routine at a named venue needs time to travel there from
    # the session before (no constraint when there is none) and on to the session after, and
    # is clear of the travel legs of the day as read.
    if any(overlaps(t, e, a, b) for a, b in leg_iv):
        return False
    prev = [ss for ss in S if ss["end"] <= t]
    nxt = [ss for ss in S if ss["start"] >= e]
    if prev:
        pv = max(prev, key=lambda ss: ss["end"])
        if pv["end"] + P.travel(pv["venue"], place)[0] > t:
            return False
    if nxt:
        nx = min(nxt, key=lambda ss: ss["start"])
        if e + P.travel(place, nx["venue"])[0] > nx["start"]:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# judging a plan

def to_int(x):
    y = F(x) * SCALE
    if y.denominator != 1:
        raise OracleError("a quantity is not a multiple of 1/SCALE: %s" % x)
    return y.numerator


class Judge:
    def __init__(self, inst):
        self.inst = inst
        P = inst.prof
        self.P = P
        self.cands = [inst.candidates(a) for a in inst.appts]
        self.cache = {}
        # the weekly unfamiliar compromise depends only on who is met in the horizon, and every
        # plan meets everyone: a constant
        unf = {}
        for a in inst.appts:
            if not a.familiar:
                unf[a.prac] = a.people
        self.week_unf = sum(unf.values())
        over = max(0, self.week_unf - P.max_unf_week) if P.max_unf_week is not None else 0
        self.week_comp = F(over) * P.pen["unfamiliar_week"]
        # series spacing (a hard rule for moves)
        self.spacing = {}
        byuid = {}
        for a in inst.appts:
            byuid.setdefault(a.uid, []).append(a.idx)
        for uid, ids in byuid.items():
            if len(ids) < 2:
                continue
            dmin = min(abs(inst.appts[i].day - inst.appts[j].day)
                       for i, j in itertools.combinations(ids, 2))
            # DECISION: not closer than half the closest spacing as booked, rounded down
            # ("a weekly session stays at least 3 days from the next")
            need = dmin // 2
            for i, j in itertools.combinations(ids, 2):
                self.spacing[(i, j)] = need
                self.spacing[(j, i)] = need

    def change_cost(self, a, c):
        P = self.P
        if c == (a.day, a.start, a.venue):
            return F(0), 0
        w = P.w
        cost = w["change"] + w["change_day"] * abs(c[0] - a.day)
        if c[2] != a.venue:
            cost += w["change_venue"]
        return cost, 1

    def day_value(self, d, key):
        """key: tuple of (appt idx, cand idx). Cached. None when not a plan."""
        ck = (d, key)
        if ck in self.cache:
            return self.cache[ck]
        inst = self.inst
        placed = []
        for i, k in key:
            a = inst.appts[i]
            c = self.cands[i][k]
            placed.append((a, c[1], c[2], k != 0))
        R = read_day(inst, d, placed)
        if not R.valid:
            self.cache[ck] = None
            return None
        v = self.tiers_of_day(d, R, key)
        self.cache[ck] = v
        return v

    def tiers_of_day(self, d, R, key):
        P, inst = self.P, self.inst
        imp = sum(1 for k, _ in R.problems if k in ("overlap", "double-booked", "travel"))
        pen = P.pen
        comp = F(0)
        comp += pen["routine_missed"] * sum(1 for r in R.routines if r[2] is None)
        comp += pen["routine_late"] * sum(r[2] - r[4] for r in R.routines if r[2] is not None and r[2] > r[4])
        comp += pen["outside_day"] * R.outside
        comp += pen["free_day"] * R.free
        comp += pen["energy"] * max(F(0), R.energy - P.budget)
        if P.max_out is not None:
            comp += pen["time_out"] * max(0, R.time_out - P.max_out)
        if P.max_appts is not None:
            comp += pen["appointments"] * max(0, R.n_appts - P.max_appts)
        comp += pen["rest"] * sum(R.rest_short)
        if P.max_unf_day is not None:
            comp += pen["unfamiliar_day"] * max(0, R.unfamiliar - P.max_unf_day)
        w = P.w
        cost = w["journeys"] * len(R.journeys) + w["travel_minutes"] * R.travel_minutes + \
            w["travel_money"] * R.travel_money
        cost += w["routine_shift"] * sum(r[2] - r[3] for r in R.routines if r[2] is not None)
        cost += w["unfamiliar"] * R.unfamiliar
        npref = 0
        for x in R.items:
            s, e = x[1], x[1] + x[0].dur
            if any(d in ds and any(overlaps(s, e, lo, hi) for lo, hi in tr) for ds, tr in P.avoid):
                npref += 1
            # DECISION: "preferred times exist" means the profile lists any, on any day
            if P.preferred and not any(d in ds and any(lo <= s and e <= hi for lo, hi in tr)
                                       for ds, tr in P.preferred):
                npref += 1
        cost += w["preference"] * npref
        nchg = 0
        for i, k in key:
            cc, ch = self.change_cost(inst.appts[i], self.cands[i][k])
            cost += cc
            nchg += ch
        return (imp, to_int(comp), to_int(cost), to_int(R.energy * w["peak_energy"]), nchg)

    def plan_tiers(self, choice):
        """choice: list of candidate index per appointment -> (imp, comp, cost, changes) or None."""
        per = {}
        for i, k in enumerate(choice):
            per.setdefault(self.cands[i][k][0], []).append((i, k))
        return self.combine(per)

    def combine(self, per):
        imp = 0
        comp = to_int(self.week_comp)
        cost = 0
        peak = 0
        nchg = 0
        for d in range(7):
            key = tuple(per.get(d, ()))
            v = self.day_value(d, key)
            if v is None:
                return None
            imp += v[0]
            comp += v[1]
            cost += v[2]
            peak = max(peak, v[3])
            nchg += v[4]
        return (imp, comp, cost + peak, nchg)


# ---------------------------------------------------------------------------------------------
# the enumeration

def enumerate_plans(J, naive=False):
    """Every plan: yields (tiers, changes, signature, choice)."""
    inst = J.inst
    n = inst.n
    cands = J.cands
    appts = inst.appts
    order = sorted(range(n), key=lambda i: (len(cands[i]), i))
    choice = [0] * n
    per = [[] for _ in range(7)]
    results = []

    def compatible(i, k, j, kj):
        """Pairwise: False when no plan can hold both (a moved one overlapping another, other
        than as a joint session at one start and venue; the series spacing)."""
        ci, cj = cands[i][k], cands[j][kj]
        sp = J.spacing.get((i, j))
        if sp is not None and (k or kj) and abs(ci[0] - cj[0]) < sp:
            return False
        if ci[0] != cj[0] or not (k or kj):
            return True
        a, b = appts[i], appts[j]
        if not overlaps(ci[1], ci[1] + a.dur, cj[1], cj[1] + b.dur):
            return True
        if ci[1] == cj[1] and ci[2] == cj[2] and ci[2] is not None and joint_ok(a, b):
            return True
        return False

    placed = []

    def rec(pos):
        if pos == n:
            t = J.combine({d: sorted(per[d]) for d in range(7) if per[d]})
            if t is not None:
                sig = tuple((cands[i][choice[i]][0], cands[i][choice[i]][2]) for i in range(n))
                results.append((t[:3], t[3], sig, tuple(choice)))
            return
        i = order[pos]
        for k in range(len(cands[i])):
            if not naive and not all(compatible(i, k, j, choice[j]) for j in placed):
                continue
            if naive:
                # the spacing rule is still a rule, not pruning
                if not all(compatible_spacing(J, i, k, j, choice[j]) for j in placed):
                    continue
            choice[i] = k
            d = cands[i][k][0]
            per[d].append((i, k))
            placed.append(i)
            rec(pos + 1)
            placed.pop()
            per[d].pop()
        choice[i] = 0

    rec(0)
    return results


def compatible_spacing(J, i, k, j, kj):
    sp = J.spacing.get((i, j))
    ci, cj = J.cands[i][k], J.cands[j][kj]
    return sp is None or not (k or kj) or abs(ci[0] - cj[0]) >= sp


def tiers_json(t, changes=None):
    out = {"impossible": t[0], "compromise": float(F(t[1], SCALE)),
           "objective": float(F(t[2], SCALE))}
    if changes is not None:
        out["changes"] = changes
    return out


def describe(J, choice):
    """A plan in words: the changed appointments, where they go."""
    inst = J.inst
    out = []
    for i, k in enumerate(choice):
        if k:
            a, c = inst.appts[i], J.cands[i][k]
            out.append("%s[%s] %s %02d:%02d %s -> %s %02d:%02d %s" % (
                a.prac, a.rid or a.uid, WD[a.day], a.start // 60, a.start % 60, a.venue,
                WD[c[0]], c[1] // 60, c[1] % 60, c[2]))
    return out


def solve(J, naive=False, show_plans=False):
    res = enumerate_plans(J, naive)
    if not res:
        raise OracleError("no plan at all (cannot happen: the week as booked is a plan)")
    n = J.inst.n
    best_by_c = {}
    best_by_sig = {}
    for t, c, sig, ch in res:
        if c not in best_by_c or t < best_by_c[c][0]:
            best_by_c[c] = (t, ch)
        if sig not in best_by_sig or t < best_by_sig[sig][0]:
            best_by_sig[sig] = (t, c, ch)
    opt = min(best_by_c.values())[0]
    tied = sorted(c for c, (t, _) in best_by_c.items() if t == opt)
    cmin = tied[0]
    out = {"appointments": n, "plans": len(res),
           "candidates": [len(c) for c in J.cands],
           "optimum": dict(tiers_json(opt, cmin), changes_min=tied[0], changes_max=tied[-1])}
    ladder = []
    cur = None
    for m in range(n + 1):
        if m in best_by_c and (cur is None or best_by_c[m][0] < cur[0]):
            cur = (best_by_c[m][0], m)
        if cur is None:
            raise OracleError("no plan with 0 changes")
        ladder.append(dict(tiers_json(cur[0], cur[1]), max_changes=m))
    if show_plans:
        for st in ladder:
            m = st["max_changes"]
            bc = min((best_by_c[c] for c in best_by_c if c <= m))
            st["plan"] = describe(J, bc[1])
        out["optimum"]["plan"] = describe(J, min(best_by_c.values())[1])
    out["ladder_all"] = ladder
    out["ladder"] = ladder[:cmin + 1]

    def best_excluding(excl):
        b = None
        for sig, (t, c, ch) in best_by_sig.items():
            if sig in excl:
                continue
            if b is None or t < b[0]:
                b = (t, c, sig)
        return b

    # the oracle's own proposals 2 and 3 (from its own proposal 1: among tied optima the one
    # with fewest changes, then the smallest signature)
    sig1 = min((s for s, (t, c, ch) in best_by_sig.items() if t == opt), key=lambda s: (best_by_sig[s][1], s))
    alts = []
    excl = {sig1}
    for _ in range(2):
        b = best_excluding(excl)
        if b is None:
            break
        alts.append(tiers_json(b[0], b[1]))
        excl.add(b[2])
    out["alternatives"] = alts
    out["_best_by_c"] = best_by_c
    out["_best_by_sig"] = best_by_sig
    out["_best_excluding"] = best_excluding
    out["_opt"] = opt
    return out


# ---------------------------------------------------------------------------------------------
# comparing with dovetail's propose --json

def close(a, b, tol=1e-6):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def tiers_close(mine, theirs):
    return mine["impossible"] == theirs["impossible"] and \
        close(mine["compromise"], theirs["compromise"]) and close(mine["objective"], theirs["objective"])


def plan_of(J, prop):
    """The candidate index of every appointment in a proposal, from its changes."""
    inst = J.inst
    choice = [0] * inst.n
    for chg in prop.get("changes", []):
        a = find_appt(inst, chg)
        if a is None:
            raise OracleError("change %s names no appointment of the oracle" % chg.get("id"))
        to = chg["to"]
        t = dt.datetime.strptime(to["start"][:16], "%Y-%m-%dT%H:%M")
        d = (t.date() - inst.monday).days
        c = (d, t.hour * 60 + t.minute, to.get("venue"))
        if c not in J.cands[a.idx]:
            raise OracleError("change %s puts %s at %s, not one of its candidates" %
                              (chg.get("id"), a.prac, c))
        choice[a.idx] = J.cands[a.idx].index(c)
    return choice


def find_appt(inst, chg):
    fr = chg["from"]["start"][:16]
    for a in inst.appts:
        if a.prac != chg.get("practitioner") or a.uid != chg.get("uid"):
            continue
        if (chg.get("recurrence_id") or "") != a.rid:
            continue
        t = (inst.monday + dt.timedelta(days=a.day)).strftime("%Y-%m-%d") + \
            "T%02d:%02d" % (a.start // 60, a.start % 60)
        if t == fr:
            return a
    return None


def compare(J, sol, prod):
    errs = []
    n = J.inst.n
    if prod.get("format") != "dovetail-propose/2":
        errs.append("format is %r, not dovetail-propose/2" % prod.get("format"))
        return errs
    props = prod.get("proposals", [])
    if not props:
        return ["no proposals"]
    opt = tiers_json(sol["_opt"])
    plans = []
    for p in props:
        tag = "proposal %s" % p.get("rank")
        tot = p.get("totals", {})
        if tot.get("appointments") != n:
            errs.append("%s places %s appointments, the horizon has %d" % (tag, tot.get("appointments"), n))
        try:
            ch = plan_of(J, p)
        except OracleError as e:
            errs.append("%s: %s" % (tag, e))
            plans.append(None)
            continue
        plans.append(ch)
        t = J.plan_tiers(ch)
        if t is None:
            errs.append("%s is not a plan (a moved appointment clashes, or the series spacing)" % tag)
            continue
        mine = tiers_json(t, t[3])
        if not tiers_close(mine, p):
            errs.append("%s as re-read by the oracle: %s; dovetail says %s" %
                        (tag, mine, {k: p.get(k) for k in ("impossible", "compromise", "objective")}))
        if tot.get("changes") is not None and tot.get("changes") != t[3]:
            errs.append("%s: %d changes by its plan, totals say %s" % (tag, t[3], tot.get("changes")))
    p1 = props[0]
    if not tiers_close(opt, p1):
        errs.append("proposal 1 %s; the optimum is %s" %
                    ({k: p1.get(k) for k in ("impossible", "compromise", "objective")}, opt))
    # alternatives, relative to dovetail's own better proposals
    sigs = []
    for k, p in enumerate(props[:3]):
        if k > 0:
            if None in plans[:k]:
                break
            b = sol["_best_excluding"](set(sigs))
            if b is None:
                errs.append("proposal %d offered, but no plan differs in a day or venue from the "
                            "ones before" % (k + 1))
            else:
                want = tiers_json(b[0])
                if not tiers_close(want, p):
                    errs.append("proposal %d %s; the best plan differing in a day or venue from "
                                "dovetail's proposals 1..%d is %s" %
                                (k + 1, {x: p.get(x) for x in ("impossible", "compromise", "objective")},
                                 k, want))
        if plans[k] is None:
            break
        sig = tuple((J.cands[i][c][0], J.cands[i][c][2]) for i, c in enumerate(plans[k]))
        if sig in sigs:
            errs.append("proposal %d has the same days and venues as an earlier one" % (k + 1))
        sigs.append(sig)
    if len(props) < 3 and None not in plans:
        b = sol["_best_excluding"](set(sigs))
        if b is not None:
            errs.append("only %d proposals, but a plan differing in a day or venue exists: %s" %
                        (len(props), tiers_json(b[0])))
    # the ladder
    lad = prod.get("ladder", [])
    steps = {}
    for st in lad:
        m = st.get("max_changes")
        steps[m] = st
        if m is None or m < 0 or m > n:
            errs.append("ladder step with max_changes %r" % m)
            continue
        want = sol["ladder_all"][m]
        if not tiers_close(want, st):
            errs.append("ladder step %d %s; the best plan with at most %d changes is %s" %
                        (m, {x: st.get(x) for x in ("impossible", "compromise", "objective")}, m,
                         {x: want[x] for x in ("impossible", "compromise", "objective")}))
        c = st.get("totals", {}).get("changes")
        if c is not None and c > m:
            errs.append("ladder step %d makes %d changes" % (m, c))
        if st.get("totals", {}).get("appointments") != n:
            errs.append("ladder step %d places %s appointments, the horizon has %d" %
                        (m, st.get("totals", {}).get("appointments"), n))
    c1 = p1.get("totals", {}).get("changes")
    if c1 is not None:
        missing = [m for m in range(c1 + 1) if m not in steps]
        if missing:
            errs.append("ladder steps missing for max_changes %s (proposal 1 makes %d changes)" %
                        (missing, c1))
    return errs


# ---------------------------------------------------------------------------------------------
# the week as booked, for checking the day reading against `week` and `check`

def as_booked(J):
    inst, P = J.inst, J.P
    days = []
    probs = []
    for d in range(7):
        placed = [(a, a.start, a.venue, False) for a in inst.appts if a.day == d]
        R = read_day(inst, d, placed)
        date = (inst.monday + dt.timedelta(days=d)).isoformat()
        days.append({"date": date, "journeys": len(R.journeys), "travel_minutes": R.travel_minutes,
                     "travel_cost": float(R.travel_money), "time_out_minutes": R.time_out,
                     "energy": float(R.energy), "appointments": R.n_appts,
                     "legs": [[f, t, a, b] for f, t, a, b in R.legs],
                     "routines": [[r[0], r[1], r[2]] for r in R.routines],
                     "unfamiliar": R.unfamiliar})
        for k, who in R.problems:
            probs.append({"kind": k, "date": date, "who": list(who)})
    if P.max_unf_week is not None and J.week_unf > P.max_unf_week:
        probs.append({"kind": "unfamiliar", "date": inst.monday.isoformat(), "who": ["week"]})
    t = J.plan_tiers([0] * inst.n)
    return {"days": days, "problems": probs, "tiers": tiers_json(t, t[3]) if t else None,
            "appointments": [{"practitioner": a.prac, "uid": a.uid, "rid": a.rid, "day": a.day,
                              "start": a.start, "end": a.start + a.dur, "venue": a.venue,
                              "movable": a.movable, "energy": float(a.energy),
                              "cutoff": a.cutoff, "candidates": len(J.cands[a.idx])}
                             for a in inst.appts]}


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="exact brute-force oracle for dovetail propose")
    ap.add_argument("dir")
    ap.add_argument("--now")
    ap.add_argument("--compare")
    ap.add_argument("--naive", action="store_true", help="no pruning (slow; to check the pruning)")
    ap.add_argument("--as-booked", action="store_true")
    ap.add_argument("--plans", action="store_true", help="also print the plans (changes in words)")
    ap.add_argument("--appts-from-week", help="take the appointments from week --json")
    args = ap.parse_args(argv)
    prof_path = args.dir if args.dir.endswith(".yaml") else os.path.join(args.dir, "profile.yaml")
    now = args.now
    if now is None:
        with open(os.path.join(os.path.dirname(prof_path), "now.txt")) as f:
            now = f.read().strip()
    P = Profile(prof_path)
    appts_json = None
    if args.appts_from_week:
        wk = json.load(open(args.appts_from_week))
        appts_json = []
        for day in wk["days"]:
            for a in day["appointments"]:
                s = dt.datetime.strptime(a["start"], "%Y-%m-%dT%H:%M").replace(tzinfo=P.tz)
                e = dt.datetime.strptime(a["end"], "%Y-%m-%dT%H:%M").replace(tzinfo=P.tz)
                appts_json.append((a["practitioner"], {"uid": a["uid"], "rid": a["recurrence_id"],
                                                       "start": s, "end": e, "venue": a["venue"]}))
    inst = Instance(P, parse_now(now), appts_json)
    J = Judge(inst)
    if args.as_booked:
        json.dump(as_booked(J), sys.stdout, indent=1)
        print()
        return 0
    sol = solve(J, naive=args.naive, show_plans=args.plans)
    pub = {k: v for k, v in sol.items() if not k.startswith("_")}
    if args.compare:
        prod = json.load(open(args.compare))
        errs = compare(J, sol, prod)
        json.dump({"ok": not errs, "errors": errs, "oracle": pub}, sys.stdout, indent=1)
        print()
        return 0 if not errs else 1
    json.dump(pub, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except OracleError as e:
        print("oracle-propose: " + str(e), file=sys.stderr)
        sys.exit(3)
