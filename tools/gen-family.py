#!/usr/bin/env python3
"""Generate a seeded, synthetic family instance (profile + feeds) for benchmarking the optimiser.

Usage: gen-family.py --seed N --weeks W --out DIR [--slot MIN] [--witness] [--nonmetric]
       gen-family.py --wide --seed N --weeks W --out DIR [--slot MIN] [--practitioners P]
                     [--nonmetric]
       gen-family.py --elderly --seed N --weeks W --out DIR [--slot MIN] [--nonmetric]

Writes DIR/profile.yaml (docs/profile.md) and DIR/feeds/<practitioner>.ics. The output is a pure
function of the arguments: random.Random(seed), no wall clock, DTSTAMP 20261101T000000Z, so the
same arguments give the same bytes. Python 3 standard library only. Prints nothing on success;
bad arguments exit 2 with a message.

The horizon is W (1, 2 or 4) weeks from Monday 2026-11-23, Europe/London (GMT throughout, so
local time equals UTC). Check an instance with

    dovetail --db FRESH.db --now 2026-11-23T00:00:00Z check DIR/profile.yaml \
        --from 2026-11-23 --to <last Sunday>

What is drawn from the seed:
  * venues: home plus 2-7 others (clinic, hospital, GP, nursery, ...) 1-7 km from home (1-4 km
    when the person travels by bus), all with coordinates, so travel is estimated; about 40% of
    instances also list 1-2 explicit matrix pairs (slower, with parking money).
  * practitioners: 3-6. About a quarter are fixed (movable: false); the rest are movable with a
    window of +-1..3 days (sometimes same_week), weekdays and 1-2 time ranges, and 2-3 allowed
    venues (often including home visits). About 60% have `works` blocks (days, hours, venues).
    Roughly a third of them are in mutual `joint_with` pairs (partners share a venue). Each has
    a weekly-series or a single-events pattern, and a match rule (mostly { text: <person id> },
    sometimes categories or attendee).
  * appointments: A in 4..12 per week (the same A every week): each series has one occurrence a
    week (COUNT or UNTIL bounds it to the horizon), single-event practitioners have their events
    redrawn each week. Weekdays only, 09:00-17:00, on a 15-minute grid (coarser when --slot does
    not divide 15). Some feeds add a moved occurrence (RECURRENCE-ID), a cancelled or transparent
    event (ignored), and 1-3 events of busy time with other clients (never matched).
  * routines: a nap at home (60-120 min, start window ~1 h around 12:30-14:00) and 2-4 feeds or
    meals (20-30 min, 1 h start windows, anywhere), every day.
  * limits: energy budget, max_appointments_per_day (2, or 3 when A > 8), max_time_out_per_day,
    max_unfamiliar_per_day (sometimes per week too), min_rest_between 15, free_days weekend.

How feasibility is kept: the generator first builds a clean arrangement (the witness) that keeps
every appointment inside its practitioner's works, window and venues and is clean for
`dovetail check` (no overlap, travel, rest, routine or double-booking problem), using a copy of
check's day model (journeys, legs, routine fitting). The limits are then set just above the
witness's worst day (energy +0.5..1.0 rounded up to 0.5, time out +15..30 min rounded up to 15,
unfamiliar +0..1), so the witness keeps them all. The week as booked is then derived from the
witness: 30-60% of the movable appointments are moved within their window and venues (so the
witness can be reached back), then moves are undone or appointments pushed onto one another or
over the nap until the first week has 2-4 overlap/travel/routine errors; some busy time with
other clients is then put over moved bookings (double-booked). With seeds 1-30 the first week
has 2-8 errors (median 4) plus the limits it passes. Fixed appointments stay where the witness
has them. A practitioner that cannot be fitted (far venues with a coarse --slot) is widened: its
works hours dropped, then home visits allowed. --witness writes the witness arrangement as booked
instead (the same instance, already solved: `check` finds no error and no passed limit in it,
only the grouping warnings scattered-day and repeat-journey).

The family depends on the seed and the slot grid; the horizon changes the later draws, so the
same seed gives the same venues and person, and normally the same practitioners, for every
--weeks, but not the same appointments. Files from an earlier run in DIR/feeds that the new profile does not name are left
alone.

Other modes (none changes what the default mode writes for the same arguments):

  --nonmetric (with any mode): explicit matrix pairs that break the triangle inequality. Venue
    A (a hospital if there is one, else the venue farthest from home) is 60 minutes from home
    either way, but 10 minutes from venue B (the venue nearest home), which is 15 minutes from
    home; with a third venue C, C->home is 45 minutes and home->C 20 (asymmetric). Drawn from a
    random.Random of its own, so the rest draws as without it; in the default mode the witness
    is built on this travel, so it stays clean.
  --wide: a child seen by 8-12 practitioners (--practitioners P: exactly P) who are all free
    Monday to Friday 09:00-17:00: works blocks on every weekday with 2-3 venues each (one
    block, or two splitting the week), windows { days: 4, same_week: true, weekdays: weekdays,
    times: [09:00-17:00] }, 2-4 sessions each a week (30-90 min on the slot grid, so --slot 5
    gives 5-minute starts), weekly series when W > 1, 1-3 blocks of busy time each. Joint
    sessions are common: mutual joint_with pairs between practitioners who share a venue on a
    day (about a third of such pairs, and at least one partner each where there is one). A nap
    and 2-4 feeds or meals as in the default mode. Binding daily limits from the week's load
    spread over five days: appointments a day ceil(A/5) (+0 or 1), energy budget the mean
    day's energy x 1.1-1.3 + 0.5, time out 300-420 min, unfamiliar people ceil(A/5) - 1,
    rest 10-15 min, weekends free.
  --elderly (meant with --weeks 4): an elderly person at home (day 07:00-21:00, car, 10 min
    overhead): a district nurse every day at home (30-45 min, window the same day
    08:30-12:30, a daily round of other patients as busy time, 1-3 occurrences moved by
    RECURRENCE-ID), home carers twice a day at home (a morning call of 45-60 min and an
    evening call of 30, daily series, each with an override window about +-30-45 min; match
    all half the time), a day centre one or two weekdays 10:30-15:30 (fixed, familiar, a free
    minibus), a weekly physiotherapy session, then single appointments (GP, OT, 3-5 of the
    clinics: geriatrician, memory clinic, podiatry, social worker, pharmacist, audiology,
    optometrist; some fixed) until there are 100-120 appointments over 4 weeks (scaled for
    fewer weeks). Routines: tablets, breakfast, lunch, tea, an afternoon rest (lunch, midday
    tablets and rest not on day-centre days). Limits: energy and appointments a day at the
    80th percentile of the booked days, time out 240-300, 2 unfamiliar people a day and 5-6
    a week, rest 15-30 min; no free days.

--wide and --elderly have no witness: the booked week is drawn directly, each appointment at
a random place inside its practitioner's works, window and venues, clear of the person's
other sessions (with rest and travel, and, in --wide, of the nap) and of the practitioner's
busy time where one can be found, else anywhere. So the week may have problems, and there may
be no clean arrangement at all (real weeks are like that). --witness does not apply to them.
"""
import argparse
import datetime as dt
import math
import os
import random
import sys

START = dt.date(2026, 11, 23)        # a Monday
DTSTAMP = "20261101T000000Z"
DAY_FROM, DAY_TO = 8 * 60, 18 * 60   # the person's day
APPT_FROM, APPT_TO = 9 * 60, 17 * 60  # where appointments are placed
HOME_STAY_MIN = 30                   # as src/week/build.c
MIN_REST = 15
WD = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ICS_WD = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

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

# Fictional points near (not at) city centres.
CITIES = [(51.4620, -2.5900), (53.7990, -1.5600), (53.3830, -1.4800), (52.9530, -1.1500),
          (53.4790, -2.2300), (52.6300, 1.2900), (50.7200, -3.5300), (52.4800, -1.9000)]
PLACES = ["Riverside", "Oakfield", "Hollybank", "Kingsley", "Westgate", "Ashgrove", "Elmwood",
          "Fairfield", "Highbury", "Millbrook", "Northgate", "Parkside", "Redhill", "Southmead",
          "Thornbury", "Willowdale", "Brookvale", "Larkhill", "Moorcroft", "Stonebridge"]
# kind: (id suffix, name suffixes, alias suffix)
KINDS = {
    "clinic": ("cdc", ["Child Development Centre", "Health Centre", "Clinic"], "CDC"),
    "hospital": ("hospital", ["General Hospital", "Children's Hospital"], "Outpatients"),
    "gp": ("gp", ["Surgery", "Medical Practice"], "GP"),
    "nursery": ("nursery", ["Day Nursery"], "Nursery"),
    "school": ("school", ["Primary School"], "Primary"),
    "community": ("centre", ["Children's Centre", "Community Centre"], "Centre"),
    "day-centre": ("family-centre", ["Family Centre"], "Family Hub"),
    "other": ("pool", ["Leisure Centre"], "Hydrotherapy Pool"),
}
# id, role, agency, preferred venue kinds, home visits likely, intensities
ROLES = [
    ("physio", "physiotherapist", "NHS community children's services (physiotherapy)",
     ["clinic", "other"], 0.5, [1.5, 2.0, 2.5, 3.0]),
    ("ot", "occupational therapist", "NHS children's occupational therapy",
     ["clinic"], 0.6, [1.5, 2.0, 2.5]),
    ("salt", "speech and language therapist", "NHS children's speech and language therapy",
     ["clinic", "nursery", "school"], 0.5, [1.0, 1.5, 2.0]),
    ("paed", "consultant paediatrician", "Children's outpatients",
     ["hospital"], 0.0, [1.0, 1.5]),
    ("dietitian", "paediatric dietitian", "Community nutrition service",
     ["hospital", "clinic"], 0.3, [0.5, 1.0]),
    ("edpsych", "educational psychologist", "Local authority educational psychology service",
     ["community", "school"], 0.5, [1.0, 1.5]),
    ("portage", "Portage home visitor", "Early years inclusion service",
     ["community", "nursery"], 0.9, [0.5, 1.0]),
    ("qtvi", "qualified teacher of children with vision impairment", "Sensory support service",
     ["nursery", "school"], 0.8, [1.0, 1.5]),
    ("camhs", "CAMHS clinician", "NHS child and adolescent mental health services",
     ["clinic"], 0.2, [1.5, 2.0]),
    ("nurse", "community children's nurse", "Children's community nursing team",
     ["gp", "clinic"], 0.9, [0.5, 1.0]),
    ("orthotist", "orthotist", "Orthotics service",
     ["hospital"], 0.0, [0.5, 1.0]),
    ("audiology", "audiologist", "Paediatric audiology",
     ["hospital", "clinic"], 0.0, [0.5, 1.0]),
    ("social", "social worker", "Children with disabilities team",
     ["day-centre", "community"], 0.7, [1.0, 1.5]),
    ("hydro", "hydrotherapy physiotherapist", "Leisure and wellbeing trust",
     ["other", "clinic"], 0.0, [2.0, 2.5, 3.0]),
]
WINDOW_TIMES = [["09:00-16:30"], ["09:30-15:30"], ["09:00-12:30", "13:30-16:30"],
                ["09:00-12:00", "14:00-17:00"], ["09:30-16:00"], ["09:00-15:00"],
                ["10:00-16:30"]]
WORK_HOURS = ["08:30-16:30", "09:00-17:00", "09:00-12:30", "13:00-17:00", "09:00-15:30",
              "08:30-17:00"]
BUSY_TEXT = ["Client appointment", "Busy", "Clinic", "Team meeting", "Home visit (other family)",
             "Supervision", "Assessment clinic"]


def hm(m):
    return "%02d:%02d" % (m // 60, m % 60)


def parse_hm(s):
    return int(s[:2]) * 60 + int(s[3:5])


def parse_range(r):
    a, b = r.split("-")
    return parse_hm(a), parse_hm(b)


def haversine_km(la1, lo1, la2, lo2):
    """As src/profile/travel.c."""
    r, rad = 6371.0088, math.pi / 180
    dla, dlo = (la2 - la1) * rad, (lo2 - lo1) * rad
    h = math.sin(dla / 2) ** 2 + math.cos(la1 * rad) * math.cos(la2 * rad) * math.sin(dlo / 2) ** 2
    return 2 * r * math.asin(math.sqrt(min(h, 1)))


def ceil_to(x, q):
    return int(math.ceil(x / q - 1e-9)) * q


def fold(line):
    """Fold one content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 sequence."""
    b = line.encode("utf-8")
    parts, limit = [], 75
    while len(b) > limit:
        cut = limit
        while (b[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(b[:cut])
        b = b[cut:]
        limit = 74
    parts.append(b)
    return b"\r\n ".join(parts) + b"\r\n"


def esc(text):
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fmt_num(x):
    s = ("%.2f" % x).rstrip("0")
    return s + "0" if s.endswith(".") else s


class Gen:
    def __init__(self, seed, weeks, slot, nonmetric=False):
        self.rng = random.Random(seed)
        self.seed = seed
        self.nonmetric = nonmetric
        self.W = weeks
        self.slot = slot
        # the grid of appointment starts and durations: a multiple of the slot, at least 15
        self.g = min(m for m in (15, 20, 30, 60) if m % slot == 0)

    # ---- the world: venues and travel ---------------------------------------------------------

    def make_venues(self):
        r = self.rng
        self.mode = "bus" if r.random() < 0.25 else "car"
        self.overhead = r.choice([5, 5, 5, 10])
        self.detour = 1.3
        self.speed = {"car": 30.0, "bus": 15.0}[self.mode]
        self.perkm = {"car": 0.45, "bus": 0.10}[self.mode]
        lat0, lon0 = r.choice(CITIES)
        hlat = round(lat0 + r.uniform(-0.03, 0.03), 4)
        hlon = round(lon0 + r.uniform(-0.05, 0.05), 4)
        nv = r.randint(3, 8)
        kinds = ["clinic", r.choice(["hospital", "clinic", "community"])]
        pool = ["hospital", "gp", "nursery", "school", "community", "day-centre", "other", "clinic"]
        while len(kinds) < nv - 1:
            kinds.append(r.choice(pool))
        places = r.sample(PLACES, nv - 1)
        venues = [{"id": "home", "name": "Home", "kind": "home", "aliases": ["home visit"],
                   "at": (hlat, hlon)}]
        used = {"home"}
        dmax = 4.0 if self.mode == "bus" else 7.0
        for kind, place in zip(kinds, places):
            suffix, names, alias = KINDS[kind]
            vid = place.lower() + "-" + suffix
            while vid in used:
                vid += "2"
            used.add(vid)
            d = r.uniform(1.0, dmax)
            b = r.uniform(0, 2 * math.pi)
            lat = round(hlat + d * math.cos(b) / 111.2, 4)
            lon = round(hlon + d * math.sin(b) / (111.2 * math.cos(math.radians(hlat))), 4)
            venues.append({"id": vid, "name": place + " " + r.choice(names), "kind": kind,
                           "aliases": [place + " " + alias], "at": (lat, lon)})
        self.venues = venues
        self.HOME = 0
        n = len(venues)
        mins = [[0] * n for _ in range(n)]
        cost = [[0.0] * n for _ in range(n)]
        for a in range(n):
            for b in range(n):
                if a != b:
                    km = haversine_km(*venues[a]["at"], *venues[b]["at"]) * self.detour
                    mins[a][b] = int(self.overhead + math.ceil(km / self.speed * 60 - 1e-9))
                    cost[a][b] = round(km * self.perkm * 100) / 100
        self.matrix = []
        if r.random() < 0.4:
            hosp = [i for i, v in enumerate(venues) if v["kind"] == "hospital"]
            pairs = set()
            for _ in range(r.randint(1, 2)):
                a = hosp[0] if hosp and r.random() < 0.7 else r.randrange(1, n)
                b = r.choice([x for x in range(n) if x != a])
                if (a, b) in pairs or (b, a) in pairs:
                    continue
                pairs.add((a, b))
                m = mins[a][b] + r.choice([5, 10, 15])
                c = round(r.uniform(1.5, 6.0), 2)
                mins[a][b] = mins[b][a] = m
                cost[a][b] = cost[b][a] = c
                self.matrix.append((venues[a]["id"], venues[b]["id"], m, c))
        if self.nonmetric:
            self.break_triangle(mins, cost)
        # as profile_travel(): rounded up to whole slots
        self.T = [[ceil_to(x, self.slot) if x else 0 for x in row] for row in mins]

    def break_triangle(self, mins, cost):
        """--nonmetric: explicit matrix pairs that break the triangle inequality. Venue A (a
        hospital if there is one, else the non-home venue farthest from home) is 60 minutes from
        home either way, but 10 minutes from venue B (the non-home venue nearest home), which is
        15 minutes from home: going home from A directly takes longer than by way of B. With a
        third venue C, the pair C-home is also asymmetric (45 minutes back, 20 out). Drawn from
        its own random.Random, so the rest of the instance draws as without --nonmetric; matrix
        pairs drawn before on these venues are replaced."""
        r = random.Random(self.seed * 7919 + 4099)
        n, home = len(self.venues), self.HOME
        far = lambda i: haversine_km(*self.venues[home]["at"], *self.venues[i]["at"])
        nonhome = list(range(1, n))
        if len(nonhome) < 2:
            raise RuntimeError("--nonmetric needs at least two venues besides home")
        hosp = [i for i in nonhome if self.venues[i]["kind"] == "hospital"]
        a = hosp[0] if hosp else max(nonhome, key=far)
        b = min((i for i in nonhome if i != a), key=far)
        pairs = [(a, home, 60, round(r.uniform(7.0, 12.0), 2)),
                 (a, b, 10, round(r.uniform(0.8, 1.6), 2)),
                 (b, home, 15, round(r.uniform(1.0, 2.0), 2))]
        one_way = []
        rest = [i for i in nonhome if i not in (a, b)]
        if rest:
            c = r.choice(rest)
            one_way = [(c, home, 45, round(r.uniform(3.0, 6.0), 2)),
                       (home, c, 20, round(r.uniform(1.5, 3.0), 2))]
        ids = lambda x, y: {self.venues[x]["id"], self.venues[y]["id"]}
        touched = [ids(x, y) for x, y, _, _ in pairs + one_way]
        self.matrix = [e for e in self.matrix if {e[0], e[1]} not in touched]
        for x, y, m, c in pairs:
            mins[x][y] = mins[y][x] = m
            cost[x][y] = cost[y][x] = c
            self.matrix.append((self.venues[x]["id"], self.venues[y]["id"], m, c))
        for x, y, m, c in one_way:
            mins[x][y] = m
            cost[x][y] = c
            self.matrix.append((self.venues[x]["id"], self.venues[y]["id"], m, c))

    # ---- people ------------------------------------------------------------------------------

    def make_person(self):
        r = self.rng
        self.pid = "P-%04d" % r.randrange(1000, 10000)
        self.tph = r.choice([1.0, 1.0, 1.5])
        # nap
        shift = r.choice([-30, 0, 0, 30])
        self.nap = {"id": "nap", "kind": "sleep", "duration": r.choice([60, 75, 90, 90, 90, 105, 120]),
                    "starts": [(750 + shift, 810 + shift)], "place": "home"}
        nap_from = 750 + shift
        cands = [("breakfast", (480, 540)), ("snack", (600, 660)),
                 ("lunch", (nap_from - 60, nap_from)),
                 ("afternoon", (900, 960) if nap_from + self.nap["duration"] <= 900 else (930, 990)),
                 ("tea", (1005, 1050))]
        k = r.randint(2, 4)
        chosen = sorted(r.sample(range(len(cands)), k))
        meals = [cands[i] for i in chosen]
        if r.random() < 0.5:
            self.meals = [{"id": "feeds", "kind": "feed", "duration": r.choice([20, 25, 30]),
                           "starts": [w for _, w in meals], "place": "anywhere"}]
        else:
            self.meals = [{"id": name, "kind": "meal" if name in ("breakfast", "lunch", "tea") else "feed",
                           "duration": r.choice([20, 25, 30]), "starts": [w], "place": "anywhere"}
                          for name, w in meals]
        self.routines = [self.nap] + self.meals

    def make_practitioners(self):
        r = self.rng
        n = r.randint(3, 6)
        roles = r.sample(ROLES, n)
        nonhome = list(range(1, len(self.venues)))
        pracs = []
        for pid, role, agency, kinds, homeprob, intens in roles:
            pref = [i for i in nonhome if self.venues[i]["kind"] in kinds]
            base = r.choice(pref) if pref else r.choice(nonhome)
            p = {"id": pid, "role": role, "agency": agency, "base": base,
                 "fixed": r.random() < 0.25, "intensity": r.choice(intens),
                 "familiar": r.random() < 0.25, "people": 2 if r.random() < 0.15 else 1,
                 "joint": [], "match": r.choices(["text", "categories", "attendee"], [7, 1.5, 1.5])[0]}
            allowed = [base]
            if r.random() < max(homeprob, 0.3):
                allowed.append(self.HOME)
            if len(allowed) < 3 and r.random() < 0.4 or len(allowed) < 2:
                others = [i for i in nonhome if i not in allowed]
                if others:
                    allowed.append(r.choice(others))
                elif self.HOME not in allowed:
                    allowed.append(self.HOME)
            p["allowed"] = allowed
            pracs.append(p)
        if all(p["fixed"] for p in pracs[:-1]) or sum(not p["fixed"] for p in pracs) < 2:
            for p in pracs[:2]:
                p["fixed"] = False
        for p in pracs:
            if p["fixed"]:
                p["allowed"] = [p["base"]]
        # mutual joint_with pairs, about a third of the practitioners
        npairs = 0
        if r.random() < (0.6 if n <= 4 else 0.8):
            npairs = 1 + (n >= 5 and r.random() < 0.25)
        free = [p for p in pracs if not p["fixed"]]
        r.shuffle(free)
        for _ in range(npairs):
            if len(free) < 2:
                break
            a, b = free.pop(), free.pop()
            a["joint"].append(b["id"])
            b["joint"].append(a["id"])
            common = set(a["allowed"]) & set(b["allowed"])
            if not common or common == {self.HOME} and r.random() < 0.5:
                if a["base"] not in b["allowed"]:
                    if len(b["allowed"]) >= 3:
                        b["allowed"].pop()
                    b["allowed"].append(a["base"])
        for p in pracs:
            self.make_pattern(p)
        self.pracs = pracs

    def make_pattern(self, p):
        """Durations, works blocks and window; redrawn until there is room to place sessions."""
        r = self.rng
        g = self.g
        cache = self.__dict__.setdefault("_pos", {})
        for attempt in range(50):
            for d in [k for k in cache if k[0] == p["id"]]:
                del cache[d]
            if p["fixed"]:
                durs = [r.choice([30, 45, 60])]
            else:
                d0 = r.choice([30, 45, 60, 60, 90])
                durs = sorted({d0, r.choice([d0, d0, 45, 60])})
            p["durs"] = [ceil_to(d, g) for d in durs]
            p["works"] = None
            if r.random() < 0.6:
                days = sorted(r.sample(range(5), r.randint(2, 5)))
                nb = min(len(days), r.randint(1, 3))
                cuts = sorted(r.sample(range(1, len(days)), nb - 1)) if nb > 1 else []
                groups, last = [], 0
                for c in cuts + [len(days)]:
                    groups.append(days[last:c])
                    last = c
                blocks = []
                for grp in groups:
                    hours = r.choice(WORK_HOURS) if attempt < 25 else "08:30-17:00"
                    k = r.randint(1, len(p["allowed"]))
                    vs = sorted(r.sample(p["allowed"], k))
                    blocks.append({"days": grp, "hours": parse_range(hours), "venues": vs})
                p["works"] = blocks
            if not p["fixed"]:
                times = r.choice(WINDOW_TIMES) if attempt < 25 else ["09:00-16:30"]
                wdays = sorted({d for b in p["works"] for d in b["days"]}) if p["works"] else None
                p["window"] = {"days": r.randint(1, 3), "same_week": r.random() < 0.4,
                               "weekdays": wdays, "times": [parse_range(t) for t in times]}
            if all(len(self.positions(p, d)) >= 6 for d in p["durs"]):
                return
        raise RuntimeError("no room for " + p["id"])

    def positions(self, p, dur):
        """Every (weekday, start, venue) where a session of dur minutes is allowed by p's
        works, window (weekdays, times) and venues."""
        key = (p["id"], dur)
        cache = self.__dict__.setdefault("_pos", {})
        if key in cache:
            return cache[key]
        out = []
        win = p.get("window")
        for wd in range(5):
            if win and win["weekdays"] is not None and wd not in win["weekdays"]:
                continue
            for v in p["allowed"]:
                for s in range(APPT_FROM, APPT_TO - dur + 1, self.g):
                    e = s + dur
                    if win and not any(a <= s and e <= b for a, b in win["times"]):
                        continue
                    if p["works"] and not any(wd in b["days"] and b["hours"][0] <= s and
                                              e <= b["hours"][1] and v in b["venues"]
                                              for b in p["works"]):
                        continue
                    out.append((wd, s, v))
        cache[key] = out
        return out

    # ---- check's day model (src/week/build.c plan_day, fit_routine) ---------------------------

    def plan_day(self, appts):
        """appts: sorted list of (s, e, venue, energy, prac). Returns legs, time out, energy."""
        T, home = self.T, self.HOME
        at, free_from, depart = home, 0, -1
        legs, time_out, energy = [], 0, 0.0
        for s, e, v, en, _ in appts:
            energy += en
            if at != home:
                back, there = T[at][home], (0 if v == home else T[home][v])
                if v == home or s - free_from - back - there >= HOME_STAY_MIN:
                    legs.append((at, home, free_from, free_from + back))
                    time_out += free_from + back - depart
                    at = home
            if at == home and v != home:
                depart = s - T[home][v]
                legs.append((home, v, depart, s))
            elif at != v:
                legs.append((at, v, free_from, free_from + T[at][v]))
            if at != v or e > free_from:
                free_from = e
            at = v
        if at != home:
            back = T[at][home]
            legs.append((at, home, free_from, free_from + back))
            time_out += free_from + back - depart
        travel = sum(b - a for _, _, a, b in legs)
        return legs, time_out, energy + travel / 60.0 * self.tph

    def fit_routine(self, appts, legs, rt, win):
        lo, hi = win
        s = ceil_to(lo, self.slot)
        while s <= hi:
            e = s + rt["duration"]
            ok = not any(s < b and a < e for a, b, _, _, _ in appts)
            ok = ok and not any(s < arr and dep < e for _, _, dep, arr in legs)
            if ok and rt["place"] == "home":
                out = -1
                for f, t, dep, arr in legs:
                    if f == self.HOME:
                        out = dep
                    if t == self.HOME and out >= 0:
                        if s < arr and out < e:
                            ok = False
                        out = -1
            if ok:
                return s
            s += self.slot
        return -1

    def day_eval(self, appts):
        """Errors (overlap, travel, routine) and the metrics (with rest and outside-day warnings)
        of one weekday."""
        appts = sorted(appts)
        errs = warns = 0
        for i in range(len(appts)):
            for j in range(i + 1, len(appts)):
                if appts[j][0] < appts[i][1]:
                    errs += 1
        for a, b in zip(appts, appts[1:]):
            gap = b[0] - a[1]
            if gap < 0:
                continue
            if a[2] != b[2] and self.T[a[2]][b[2]] > gap:
                errs += 1
            if gap < MIN_REST:
                warns += 1
        for s, e, _, _, _ in appts:
            if s < DAY_FROM or e > DAY_TO:
                warns += 1
        legs, time_out, energy = self.plan_day(appts)
        for rt in self.routines:
            for win in rt["starts"]:
                if self.fit_routine(appts, legs, rt, win) < 0:
                    errs += 1
        unfam = sum(self.pmap[q]["people"] for q in {a[4] for a in appts}
                    if not self.pmap[q]["familiar"])
        return errs, {"n": len(appts), "time_out": time_out, "energy": energy, "unfam": unfam,
                      "warns": warns}

    # ---- the witness: a clean arrangement ------------------------------------------------------

    def make_items(self, A):
        r = self.rng
        counts = {p["id"]: 1 for p in self.pracs}
        cap = {p["id"]: (2 if p["fixed"] else 3) for p in self.pracs}
        A = min(A, sum(cap.values()))
        while sum(counts.values()) < A:
            q = r.choice([x for x in counts if counts[x] < cap[x]])
            counts[q] += 1
        items = []
        for p in self.pracs:
            p["series"] = r.random() < (0.5 if p["fixed"] else 0.75)
            for k in range(counts[p["id"]]):
                dur = r.choice(p["durs"])
                base = {"prac": p["id"], "dur": dur, "fixed": p["fixed"],
                        "energy": p["intensity"] * dur / 60.0, "exc": {}}
                if p["series"]:
                    items.append(dict(base, kind="series", week=None))
                else:
                    for w in range(self.W):
                        items.append(dict(base, kind="single", week=w))
        return items

    def weeks_of(self, it):
        return range(self.W) if it["kind"] == "series" else [it["week"]]

    def occ(self, it, pos):
        wd, s, v = pos
        return (s, s + it["dur"], v, it["energy"], it["prac"])

    def place_witness(self, items, maxpd):
        r = self.rng
        sched = [[[] for _ in range(5)] for _ in range(self.W)]
        order = [it for it in items if it["kind"] == "series"] + \
                [it for it in items if it["kind"] == "single"]
        head = order[:]
        r.shuffle(head)
        order = [it for it in head if it["kind"] == "series"] + \
                [it for it in head if it["kind"] == "single"]
        for it in order:
            cands = list(self.positions(self.pmap[it["prac"]], it["dur"]))
            r.shuffle(cands)
            good = []
            for pos in cands:
                wd = pos[0]
                ok = True
                load = 0.0
                for w in self.weeks_of(it):
                    day = sched[w][wd] + [self.occ(it, pos)]
                    if len(day) > maxpd:
                        ok = False
                        break
                    errs, m = self.day_eval(day)
                    if errs or m["warns"]:
                        ok = False
                        break
                    load = max(load, m["n"] + m["energy"] / 4.0 + m["time_out"] / 240.0)
                if ok:
                    good.append((load, len(good), pos))
                    if len(good) >= 6:
                        break
            if not good:
                return None, it["prac"]
            pos = min(good)[2]
            it["clean"] = pos
            for w in self.weeks_of(it):
                sched[w][pos[0]].append(self.occ(it, pos))
        return sched, None

    def relax(self, p):
        """Widen a practitioner that keeps failing to fit (coarse slots, far venues): first drop
        its works hours and widen its window, then let it see the person at home."""
        p["relaxed"] = p.get("relaxed", 0) + 1
        if p["relaxed"] == 1:
            p["works"] = None
            if not p["fixed"]:
                p["window"]["times"] = [parse_range("09:00-16:30")]
                p["window"]["weekdays"] = None
        elif self.HOME not in p["allowed"]:
            if p["fixed"]:
                p["base"], p["allowed"] = self.HOME, [self.HOME]
            else:
                p["allowed"] = p["allowed"][:2] + [self.HOME]
        cache = self.__dict__.setdefault("_pos", {})
        for k in [k for k in cache if k[0] == p["id"]]:
            del cache[k]

    def make_witness(self):
        r = self.rng
        n = len(self.pracs)
        A = r.randint(max(4, n), min(12, 3 * n))
        self.maxpd = 3 if A > 8 or r.random() < 0.25 else 2
        fails = {}
        for attempt in range(200):
            items = self.make_items(A)
            sched, bad = self.place_witness(items, self.maxpd)
            if sched is not None:
                self.items, self.A = items, A
                return sched
            fails[bad] = fails.get(bad, 0) + 1
            if attempt % 8 == 7:
                worst = max(sorted(fails), key=lambda q: fails[q])
                if self.maxpd == 2:
                    self.maxpd = 3
                elif self.pmap[worst].get("relaxed", 0) < 2:
                    self.relax(self.pmap[worst])
                elif A > n:
                    A -= 1
                fails = {}
        raise RuntimeError("cannot build a feasible arrangement for this seed and slot")

    def set_limits(self, sched):
        r = self.rng
        emax = tmax = umax = nmax = 0
        for w in range(self.W):
            for wd in range(5):
                _, m = self.day_eval(sched[w][wd])
                emax = max(emax, m["energy"])
                tmax = max(tmax, m["time_out"])
                umax = max(umax, m["unfam"])
                nmax = max(nmax, m["n"])
        self.budget = max(2.0, ceil_to(emax + r.choice([0.5, 0.75, 1.0]), 0.5))
        self.max_time_out = max(60, ceil_to(tmax + r.choice([15, 15, 30]), 15))
        self.max_unfam = max(1, umax + r.choice([0, 1, 1]))
        self.maxpd = max(self.maxpd, nmax)
        week_unfam = sum(p["people"] for p in self.pracs if not p["familiar"])
        self.max_unfam_week = week_unfam if r.random() < 0.4 and week_unfam else None

    # ---- the week as booked -------------------------------------------------------------------

    def moves(self, it):
        """Positions the booking may take so that the witness stays inside its window."""
        p = self.pmap[it["prac"]]
        cwd = it["clean"][0]
        d = p["window"]["days"]
        return [pos for pos in self.positions(p, it["dur"])
                if abs(pos[0] - cwd) <= d and pos != it["clean"]]

    def booked_week(self, w):
        days = [[] for _ in range(5)]
        for it in self.items:
            if w in self.weeks_of(it):
                pos = it["exc"].get(w, it["booked"])
                days[pos[0]].append(self.occ(it, pos))
        return days

    def week_errors(self, w):
        return sum(self.day_eval(d)[0] for d in self.booked_week(w))

    def make_booked(self):
        r = self.rng
        for it in self.items:
            it["booked"] = it["clean"]
        movable = [it for it in self.items if not it["fixed"] and self.moves(it)]
        pmove = r.uniform(0.3, 0.6)
        for it in movable:
            if r.random() < pmove:
                it["booked"] = r.choice(self.moves(it))
        # make the first week messy, but not chaotic: 2-4 errors (overlap, travel, routine)
        target = r.randint(2, 4)
        first = [it for it in movable if 0 in self.weeks_of(it)]
        moved = [it for it in first if it["booked"] != it["clean"]]
        r.shuffle(moved)
        for it in moved:
            if self.week_errors(0) <= target:
                break
            before = self.week_errors(0)
            old = it["booked"]
            it["booked"] = it["clean"]
            if self.week_errors(0) >= before:
                it["booked"] = old
        tries = 0
        while self.week_errors(0) < target and tries < 30 and first:
            tries += 1
            it = r.choice(first)
            w0 = 0
            before = self.week_errors(w0)
            old = it["booked"]
            best = None
            cands = self.moves(it)
            r.shuffle(cands)
            for pos in cands[:40]:
                it["booked"] = pos
                gain = self.week_errors(w0) - before
                if 0 < gain <= 2 and (best is None or gain > best[0]):
                    best = (gain, pos)
            it["booked"] = best[1] if best else old
        # a moved occurrence of a series in a later week (RECURRENCE-ID)
        if self.W > 1 and r.random() < 0.6:
            ser = [it for it in movable if it["kind"] == "series"]
            if ser:
                it = r.choice(ser)
                w = r.randrange(1, self.W)
                cands = [pos for pos in self.moves(it) + [it["clean"]] if pos != it["booked"]]
                if cands:
                    it["exc"][w] = r.choice(cands)

    # ---- busy time with other clients ---------------------------------------------------------

    def make_busy(self):
        r = self.rng
        for p in self.pracs:
            clean = []   # (abs day, s, e) of every witness session of p
            booked = []
            for it in self.items:
                if it["prac"] != p["id"]:
                    continue
                for w in self.weeks_of(it):
                    wd, s, v = it["clean"]
                    clean.append((7 * w + wd, s, s + it["dur"]))
                    bwd, bs, bv = it["exc"].get(w, it["booked"])
                    if (bwd, bs) != (wd, s):
                        booked.append((7 * w + bwd, bs, bs + it["dur"]))

            def clear(day, s, e, weekly):
                days = [day % 7 + 7 * w for w in range(self.W)] if weekly else [day]
                return not any(d in days and s < ce and cs < e for d, cs, ce in clean)

            busy = []
            nb = r.randint(1, 3)
            # busy time over a moved booking: double-booked as booked, clear in the witness
            if booked and r.random() < 0.35:
                day, bs, be = r.choice(booked)
                for _ in range(30):
                    s = bs - r.choice([0, 15, 30, 45, 60])
                    e = max(be, s + 30) + r.choice([-15, 0, 15, 30])
                    if e > s and s < be and bs < e and clear(day, s, e, False):
                        busy.append({"day": day, "s": s, "e": e, "weekly": False})
                        break
            for _ in range(200):
                if len(busy) >= nb:
                    break
                weekly = self.W > 1 and r.random() < 0.4
                day = r.randrange(5) + (0 if weekly else 7 * r.randrange(self.W))
                dur = r.choice([60, 90, 120, 180, 240])
                s = r.randrange(APPT_FROM, APPT_TO - dur + 1, 15)
                if clear(day, s, s + dur, weekly):
                    busy.append({"day": day, "s": s, "e": s + dur, "weekly": weekly})
            p["busy"] = busy

    # ---- output -------------------------------------------------------------------------------

    def uid(self, style):
        r = self.rng
        if style == 0:
            return "%08x-%04x-4%03x-%04x-%012x" % (r.getrandbits(32), r.getrandbits(16),
                                                    r.getrandbits(12), 0x8000 | r.getrandbits(14),
                                                    r.getrandbits(48))
        if style == 1:
            return "".join(r.choice("0123456789abcdefghijklmnopqrstuvwxyz")
                           for _ in range(26)) + "@google.com"
        return "%s-%d-%06d@dovetail-gen.example" % (r.choice(["appt", "sess", "ev"]),
                                                     self.seed, r.randrange(10 ** 6))

    def write_feed(self, p, path, witness):
        r = self.rng
        tz = r.random() < 0.5
        ustyle = r.randrange(3)
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0",
                 "PRODID:-//dovetail//gen-family.py seed %d//EN" % self.seed,
                 "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                 "X-WR-CALNAME:" + esc(p["role"].capitalize() + " - " + p["agency"])]
        if tz:
            lines.append("X-WR-TIMEZONE:Europe/London")
            lines += VTIMEZONE.split("\n")

        def stamp(day, m):
            d = START + dt.timedelta(days=day)
            return "%04d%02d%02dT%02d%02d00" % (d.year, d.month, d.day, m // 60, m % 60)

        def when(name, day, m):
            return "%s;TZID=Europe/London:%s" % (name, stamp(day, m)) if tz \
                else "%s:%sZ" % (name, stamp(day, m))

        def span(day, s, e):
            out = [when("DTSTART", day, s)]
            if r.random() < 0.2:
                out.append("DURATION:PT%dM" % (e - s) if (e - s) % 60 else "DURATION:PT%dH" % ((e - s) // 60))
            else:
                out.append(when("DTEND", day, e))
            return out

        def location(v):
            if v == p.get("default_venue") and r.random() < 0.5:
                return []
            ven = self.venues[v]
            if v == self.HOME:
                return ["LOCATION:" + esc(r.choice(["Home", "Home visit", "Home visit (family home)"]))]
            name = r.choice([ven["name"]] + ven["aliases"])
            if r.random() < 0.5:
                name += ", " + r.choice(["Room %d" % r.randint(1, 9), "Reception", "Main entrance",
                                         "Therapy suite"])
            return ["LOCATION:" + esc(name)]

        def mine_props():
            out = []
            if p["match"] == "categories":
                out.append("CATEGORIES:" + self.pid)
            if p["match"] == "attendee":
                out.append("ATTENDEE;CN=%s parent;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:%s"
                           % (self.pid, self.email))
            return out

        def summary(extra=""):
            return "SUMMARY:" + esc("%s - %s%s" % (p["short"], self.pid, extra))

        events = []
        seq = 0
        for it in self.items:
            if it["prac"] != p["id"]:
                continue
            pos = it["clean"] if witness else it["booked"]
            wd, s, v = pos
            w0 = 0 if it["kind"] == "series" else it["week"]
            day = 7 * w0 + wd
            ev = ["BEGIN:VEVENT", "UID:" + it["uid"], "DTSTAMP:" + DTSTAMP]
            ev += span(day, s, s + it["dur"])
            if it["kind"] == "series":
                if r.random() < 0.5:
                    rule = "FREQ=WEEKLY;BYDAY=%s;COUNT=%d" % (ICS_WD[wd], self.W)
                else:
                    last = START + dt.timedelta(days=7 * (self.W - 1) + wd)
                    rule = "FREQ=WEEKLY;WKST=MO;UNTIL=%04d%02d%02dT235959Z;BYDAY=%s" % (
                        last.year, last.month, last.day, ICS_WD[wd])
                ev.append("RRULE:" + rule)
            ev.append(summary())
            if r.random() < 0.5:
                ev.append("DESCRIPTION:" + esc("%s session for %s. %s" % (
                    p["role"].capitalize(), self.pid,
                    r.choice(["Please bring the equipment.", "Review of goals.",
                              "Parent to attend.", "Joint planning if possible."]))))
            ev += location(v)
            ev += mine_props()
            ev += ["STATUS:CONFIRMED", "SEQUENCE:0", "TRANSP:OPAQUE", "END:VEVENT"]
            events.append(ev)
            if it["kind"] == "series" and not witness:
                for w, (xwd, xs, xv) in sorted(it["exc"].items()):
                    orig = 7 * w + wd
                    ev = ["BEGIN:VEVENT", "UID:" + it["uid"], "DTSTAMP:" + DTSTAMP,
                          when("RECURRENCE-ID", orig, s)]
                    ev += span(7 * w + xwd, xs, xs + it["dur"])
                    ev.append(summary(" (moved this week)"))
                    ev += location(xv)
                    ev += mine_props()
                    ev += ["STATUS:CONFIRMED", "SEQUENCE:1", "TRANSP:OPAQUE", "END:VEVENT"]
                    events.append(ev)
        for b in p["busy"]:
            ev = ["BEGIN:VEVENT", "UID:" + self.uid(ustyle), "DTSTAMP:" + DTSTAMP]
            ev += span(b["day"], b["s"], b["e"])
            if b["weekly"]:
                ev.append("RRULE:FREQ=WEEKLY;BYDAY=%s;COUNT=%d" % (ICS_WD[b["day"] % 7], self.W))
            ev.append("SUMMARY:" + esc(r.choice(BUSY_TEXT)))
            if p["base"] != self.HOME:
                ev.append("LOCATION:" + esc(self.venues[p["base"]]["name"]))
            ev += ["CLASS:PRIVATE", "STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT"]
            events.append(ev)
        # noise the loader must ignore: a cancelled session, a transparent training day
        if r.random() < 0.25:
            day = r.randrange(5) + 7 * r.randrange(self.W)
            s = r.randrange(APPT_FROM, APPT_TO - 60 + 1, 15)
            ev = ["BEGIN:VEVENT", "UID:" + self.uid(ustyle), "DTSTAMP:" + DTSTAMP]
            ev += span(day, s, s + 45)
            ev += [summary(" (cancelled)"), "STATUS:CANCELLED"] + mine_props() + ["END:VEVENT"]
            events.append(ev)
        if r.random() < 0.15:
            day = r.randrange(5) + 7 * r.randrange(self.W)
            d0 = START + dt.timedelta(days=day)
            d1 = d0 + dt.timedelta(days=1)
            events.append(["BEGIN:VEVENT", "UID:" + self.uid(ustyle), "DTSTAMP:" + DTSTAMP,
                           "DTSTART;VALUE=DATE:" + d0.strftime("%Y%m%d"),
                           "DTEND;VALUE=DATE:" + d1.strftime("%Y%m%d"),
                           "SUMMARY:Training day", "TRANSP:TRANSPARENT", "END:VEVENT"])
        for ev in events:
            lines += ev
        lines.append("END:VCALENDAR")
        with open(path, "wb") as f:
            f.write(b"".join(fold(x) for x in lines))

    def write_profile(self, path):
        r = self.rng
        L = ["# Synthetic family instance (tools/gen-family.py --seed %d --weeks %d --slot %d%s)."
             % (self.seed, self.W, self.slot, " --nonmetric" if self.nonmetric else ""),
             "# Fictional and pseudonymous; the horizon is %d week%s from Mon 23 Nov 2026."
             % (self.W, "" if self.W == 1 else "s"),
             "version: 1", "", "person:", "  id: " + self.pid, "  timezone: Europe/London",
             "  day: %s-%s" % (hm(DAY_FROM), hm(DAY_TO)), "  slot: %d" % self.slot,
             "  home: home", "  travel_mode: " + self.mode, "", "venues:"]
        for v in self.venues:
            L += ["  - id: " + v["id"], '    name: "%s"' % v["name"], "    kind: " + v["kind"],
                  "    aliases: [%s]" % ", ".join('"%s"' % a for a in v["aliases"]),
                  "    at: [%.4f, %.4f]" % v["at"]]
        L += ["", "travel:", "  detour: %s" % fmt_num(self.detour),
              "  overhead: %d" % self.overhead]
        if self.matrix:
            L.append("  matrix:")
            if self.nonmetric:
                L.append("    # --nonmetric: these pairs break the triangle inequality")
            L += ["    - [%s, %s, %d, %s]" % (a, b, m, fmt_num(c)) for a, b, m, c in self.matrix]
        L += ["", "practitioners:"]
        vid = lambda i: self.venues[i]["id"]
        days = lambda ds: "[%s]" % ", ".join(WD[d] for d in ds)
        for p in self.pracs:
            L += ["  - id: " + p["id"], "    role: " + p["role"], '    agency: "%s"' % p["agency"],
                  "    feeds: [feeds/%s.ics]" % p["id"]]
            if p["match"] == "text":
                L.append("    match: { text: %s }" % self.pid)
            elif p["match"] == "categories":
                L.append("    match: { categories: %s }" % self.pid)
            else:
                L.append('    match: { attendee: "mailto:%s" }' % self.email)
            if p["works"]:
                L.append("    works:")
                for b in p["works"]:
                    L.append("      - { days: %s, hours: %s-%s, venues: [%s] }" % (
                        days(b["days"]), hm(b["hours"][0]), hm(b["hours"][1]),
                        ", ".join(vid(v) for v in b["venues"])))
            if p.get("default_venue") is not None:
                L.append("    default_venue: " + vid(p["default_venue"]))
            L.append("    movable: %s" % ("false" if p["fixed"] else "true"))
            if not p["fixed"]:
                w = p["window"]
                parts = ["days: %d" % w["days"]]
                if w["same_week"]:
                    parts.append("same_week: true")
                parts.append("weekdays: " + (days(w["weekdays"]) if w["weekdays"] is not None
                                             else "weekdays"))
                parts.append("times: [%s]" % ", ".join("%s-%s" % (hm(a), hm(b))
                                                       for a, b in w["times"]))
                L.append("    window: { %s }" % ", ".join(parts))
                L.append("    venues: [%s]" % ", ".join(vid(v) for v in p["allowed"]))
            L.append("    intensity: " + fmt_num(p["intensity"]))
            if p["familiar"]:
                L.append("    familiar: true")
            if p["people"] != 1:
                L.append("    people: %d" % p["people"])
            if p["joint"]:
                L.append("    joint_with: [%s]" % ", ".join(p["joint"]))
            L.append("")
        if self.overrides:
            L.append("overrides:")
            for o in self.overrides:
                L.append('  - uid: "%s"' % o["uid"])
                if "rid" in o:
                    L.append('    recurrence_id: "%s"' % o["rid"])
                if "movable" in o:
                    L.append("    movable: false")
                if "energy" in o:
                    L.append("    energy: " + fmt_num(o["energy"]))
            L.append("")
        L.append("routines:")
        for rt in self.routines:
            st = ["%s-%s" % (hm(a), hm(b)) for a, b in rt["starts"]]
            L += ["  - id: " + rt["id"], "    kind: " + rt["kind"],
                  "    duration: %d" % rt["duration"],
                  "    start: " + (st[0] if len(st) == 1 else "[%s]" % ", ".join(st)),
                  "    place: " + rt["place"]]
        L += ["", "energy:", "  budget: " + fmt_num(self.budget),
              "  travel_per_hour: " + fmt_num(self.tph), "", "limits:",
              "  max_appointments_per_day: %d" % self.maxpd,
              "  max_time_out_per_day: %d" % self.max_time_out,
              "  max_unfamiliar_per_day: %d" % self.max_unfam]
        if self.max_unfam_week is not None:
            L.append("  max_unfamiliar_per_week: %d" % self.max_unfam_week)
        L += ["  min_rest_between: %d" % MIN_REST, "  free_days: weekend", "",
              "preferences:", "  grouping: " + r.choice(["wanted", "wanted", "neutral", "unwanted"])]
        if r.random() < 0.5:
            a = self.nap["starts"][0][0]
            L += ["  avoid_times:",
                  "    - { days: all, times: [%s-%s] }" % (hm(a), hm(a + 120))]
        if r.random() < 0.3:
            L += ["  preferred_times:", "    - { days: weekdays, times: [09:30-12:00] }"]
        with open(path, "wb") as f:
            f.write(("\n".join(L) + "\n").encode("utf-8"))

    def finish(self):
        """UIDs, default venues and overrides: after the arrangement, before writing."""
        r = self.rng
        self.email = "%s.parent@example.net" % self.pid.lower().replace("-", "")
        shorts = {"physio": "Physio session", "ot": "OT session", "salt": "SLT session",
                  "paed": "Outpatient review", "dietitian": "Dietetics review",
                  "edpsych": "EP consultation", "portage": "Portage visit", "qtvi": "QTVI visit",
                  "camhs": "CAMHS appointment", "nurse": "Nursing visit",
                  "orthotist": "Orthotics fitting", "audiology": "Hearing test",
                  "social": "Social work visit", "hydro": "Hydrotherapy"}
        for p in self.pracs:
            p["short"] = shorts[p["id"]]
            if self.HOME in p["allowed"] and r.random() < 0.5:
                p["default_venue"] = self.HOME
            elif p["fixed"] and r.random() < 0.5:
                p["default_venue"] = p["base"]
        for it in self.items:
            it["uid"] = self.uid(r.randrange(3))
        self.overrides = []
        ser = [it for it in self.items if it["kind"] == "series"]
        for it in ser:
            if it["fixed"]:
                continue
            if it["booked"] == it["clean"] and not it["exc"] and r.random() < 0.15:
                it["fixed"] = True
                self.overrides.append({"uid": it["uid"], "movable": False})
        if ser and r.random() < 0.3:
            it = r.choice(ser)
            it["energy"] = r.choice([0.5, 1.0, 2.0, 3.0])
            same = [o for o in self.overrides if o["uid"] == it["uid"]]
            if same:
                same[0]["energy"] = it["energy"]
            else:
                self.overrides.append({"uid": it["uid"], "energy": it["energy"]})
        if self.W > 1:
            taken = {o["uid"] for o in self.overrides}
            unmoved = [it for it in ser if not it["fixed"] and it["booked"] == it["clean"]
                       and not it["exc"] and it["uid"] not in taken]
            if unmoved and r.random() < 0.4:
                it = r.choice(unmoved)
                w = r.randrange(self.W)
                wd, s, v = it["clean"]
                d = START + dt.timedelta(days=7 * w + wd)
                self.overrides.append({"uid": it["uid"], "movable": False,
                                       "rid": "%04d%02d%02dT%02d%02d00Z" % (
                                           d.year, d.month, d.day, s // 60, s % 60)})

    def run(self, out, witness):
        self.make_venues()
        self.make_person()
        self.make_practitioners()
        self.pmap = {p["id"]: p for p in self.pracs}
        sched = self.make_witness()
        self.set_limits(sched)
        self.make_booked()
        self.make_busy()
        self.finish()
        # an energy override changes the witness's energy: keep the budget above it
        if any("energy" in o for o in self.overrides):
            self.set_budget_again()
        os.makedirs(os.path.join(out, "feeds"), exist_ok=True)
        for p in self.pracs:
            self.write_feed(p, os.path.join(out, "feeds", p["id"] + ".ics"), witness)
        self.write_profile(os.path.join(out, "profile.yaml"))

    def set_budget_again(self):
        emax = 0.0
        for w in range(self.W):
            days = [[] for _ in range(5)]
            for it in self.items:
                if w in self.weeks_of(it):
                    days[it["clean"][0]].append(self.occ(it, it["clean"]))
            for d in days:
                emax = max(emax, self.day_eval(d)[1]["energy"])
        if emax > self.budget - 0.5:
            self.budget = ceil_to(emax + 0.5, 0.5)



# ---- --wide and --elderly: no witness ------------------------------------------------------------

SHORTS = {"physio": "Physio session", "ot": "OT session", "salt": "SLT session",
          "paed": "Outpatient review", "dietitian": "Dietetics review",
          "edpsych": "EP consultation", "portage": "Portage visit", "qtvi": "QTVI visit",
          "camhs": "CAMHS appointment", "nurse": "Nursing visit",
          "orthotist": "Orthotics fitting", "audiology": "Hearing test",
          "social": "Social work visit", "hydro": "Hydrotherapy"}
ALL_DAYS = list(range(7))
WEEKDAYS = list(range(5))
# --elderly: kind, place names, alias
OLD_VENUES = [("gp", ["Surgery", "Medical Practice"], "Surgery"),
              ("hospital", ["General Hospital", "University Hospital"], "Outpatients"),
              ("day-centre", ["Day Centre", "Resource Centre"], "Day Centre"),
              ("community", ["Community Hospital"], "Therapy Unit"),
              ("clinic", ["Health Centre", "Eye Clinic"], "Clinic"),
              ("other", ["Pharmacy"], "Chemist")]
# id, role, agency, venue kinds (first is the base), home visits, intensity, short summary
OLD_ROLES = [
    ("gp", "general practitioner", "GP surgery", ["gp"], True, 1.0, "GP appointment"),
    ("geriatrician", "consultant geriatrician", "Older people's medicine outpatients",
     ["hospital"], False, 2.0, "Outpatient review"),
    ("memory", "memory nurse specialist", "Memory assessment service",
     ["hospital", "clinic"], True, 2.0, "Memory clinic"),
    ("physio", "community physiotherapist", "Community rehabilitation team",
     ["community"], True, 1.5, "Physio session"),
    ("ot", "occupational therapist", "Adult social care occupational therapy",
     ["community"], True, 1.5, "OT visit"),
    ("podiatry", "podiatrist", "Community podiatry", ["clinic"], True, 1.0, "Podiatry"),
    ("social", "social worker", "Adult social care, older people's team",
     ["day-centre"], True, 1.0, "Care review"),
    ("pharmacist", "pharmacist", "Community pharmacy", ["other"], False, 0.5,
     "Medicines review"),
    ("audiology", "audiologist", "Adult hearing service", ["hospital", "clinic"], False, 1.0,
     "Hearing test"),
    ("optometrist", "optometrist", "Eye clinic", ["clinic"], True, 1.0, "Eye test"),
]


def days_text(ds):
    ds = sorted(ds)
    if ds == ALL_DAYS:
        return "all"
    if ds == WEEKDAYS:
        return "weekdays"
    return "[%s]" % ", ".join(WD[d] for d in ds)


class ModeGen(Gen):
    """--wide and --elderly. These draw the booked week directly (no witness, so the week may
    well have no clean arrangement): appointments are placed at random inside each
    practitioner's works, window and venues, trying (not insisting) to avoid overlaps and the
    practitioner's other bookings. Output is a pure function of the arguments, as above.

    Items: {"prac", "dur", "day" (abs day of the first occurrence), "s", "v", "rule" (RRULE text
    or None), "occ" (abs days of the occurrences), "exc" {abs day: (abs day, s, v)}}."""

    def __init__(self, seed, weeks, slot, what, npracs=None, nonmetric=False):
        Gen.__init__(self, seed, weeks, slot, nonmetric)
        self.what = what
        self.npracs = npracs
        self.g = slot if what == "wide" else self.g
        self.ndays = 7 * weeks
        self.taken = {}        # abs day -> [(s, e)] of the person's booked sessions
        self.overrides = []
        self.items = []

    # ---- world -----------------------------------------------------------------------------

    def world(self, spec, dmax):
        """spec: [(kind, names, alias)] of the venues besides home."""
        r = self.rng
        lat0, lon0 = r.choice(CITIES)
        hlat = round(lat0 + r.uniform(-0.03, 0.03), 4)
        hlon = round(lon0 + r.uniform(-0.05, 0.05), 4)
        venues = [{"id": "home", "name": "Home", "kind": "home", "aliases": ["home visit"],
                   "at": (hlat, hlon)}]
        used = {"home"}
        for (kind, names, alias), place in zip(spec, r.sample(PLACES, len(spec))):
            vid = place.lower() + "-" + (KINDS[kind][0] if kind in KINDS else kind)
            while vid in used:
                vid += "2"
            used.add(vid)
            d, b = r.uniform(1.0, dmax), r.uniform(0, 2 * math.pi)
            lat = round(hlat + d * math.cos(b) / 111.2, 4)
            lon = round(hlon + d * math.sin(b) / (111.2 * math.cos(math.radians(hlat))), 4)
            venues.append({"id": vid, "name": place + " " + r.choice(names), "kind": kind,
                           "aliases": [place + " " + alias], "at": (lat, lon)})
        self.venues, self.HOME = venues, 0
        n = len(venues)
        mins = [[0] * n for _ in range(n)]
        cost = [[0.0] * n for _ in range(n)]
        for a in range(n):
            for b in range(n):
                if a != b:
                    km = haversine_km(*venues[a]["at"], *venues[b]["at"]) * self.detour
                    mins[a][b] = int(self.overhead + math.ceil(km / self.speed * 60 - 1e-9))
                    cost[a][b] = round(km * self.perkm * 100) / 100
        self.matrix = []
        if self.what == "elderly":
            # the day centre's minibus: free, on its round
            dc = [i for i, v in enumerate(venues) if v["kind"] == "day-centre"]
            if dc:
                m = mins[0][dc[0]] + r.choice([10, 15, 20])
                mins[0][dc[0]] = mins[dc[0]][0] = m
                cost[0][dc[0]] = cost[dc[0]][0] = 0.0
                self.matrix.append(("home", venues[dc[0]]["id"], m, 0.0))
        elif r.random() < 0.4:
            a = r.randrange(1, n)
            b = r.choice([x for x in range(n) if x != a])
            m, c = mins[a][b] + r.choice([5, 10, 15]), round(r.uniform(1.5, 6.0), 2)
            mins[a][b] = mins[b][a] = m
            cost[a][b] = cost[b][a] = c
            self.matrix.append((venues[a]["id"], venues[b]["id"], m, c))
        if self.nonmetric:
            self.break_triangle(mins, cost)
        self.T = [[ceil_to(x, self.slot) if x else 0 for x in row] for row in mins]

    # ---- placing the booked appointments -----------------------------------------------------

    def free(self, p, day, s, e, v, gap=0):
        """Clear of the person's other sessions (with gap, and the travel between them) and
        of p's other bookings."""
        for a, b, u in self.taken.get(day, []):
            if s < b + gap + self.T[u][v] and a < e + gap + self.T[v][u]:
                return False
        return not any(day == bd and s < be and bs < e for bd, bs, be in p["busy_abs"])

    def starts(self, p, wd, dur, v):
        """Starts on the grid for a session of dur at venue v on weekday wd inside p's works
        and the window's times (or the item's own times)."""
        out = []
        for blk in p["works"]:
            if wd not in blk["days"] or v not in blk["venues"]:
                continue
            lo, hi = blk["hours"]
            for a, b in p["times"]:
                for s in range(ceil_to(max(lo, a), self.g), min(hi, b) - dur + 1, self.g):
                    out.append(s)
        return sorted(set(out))

    def book(self, p, dur, days, gap=15, venues=None):
        """A (day, s, v) for a single session on one of days: a random one of those clear of
        everything with gap minutes to spare, else clear with none, else any."""
        r = self.rng
        cands = [(day, s, v) for day in days for v in (venues or p["allowed"])
                 for s in self.starts(p, day % 7, dur, v)]
        if not cands:
            raise RuntimeError("no room for " + p["id"])
        r.shuffle(cands)
        for g in (gap, 0):
            for day, s, v in cands:
                if self.free(p, day, s, s + dur, v, g):
                    return (day, s, v)
        return cands[0]

    def take(self, day, s, e, v):
        self.taken.setdefault(day, []).append((s, e, v))

    def add_single(self, p, dur, days, venues=None):
        day, s, v = self.book(p, dur, days, venues=venues)
        self.take(day, s, s + dur, v)
        it = {"prac": p["id"], "dur": dur, "day": day, "s": s, "v": v, "rule": None,
              "occ": [day], "exc": {}}
        self.items.append(it)
        return it

    def add_series(self, p, dur, wdays, s, v, freq):
        """A series on weekdays wdays at s, v from the first week to the end of the horizon."""
        r = self.rng
        occ = [d for d in range(self.ndays) if d % 7 in wdays]
        first = occ[0]
        last = START + dt.timedelta(days=occ[-1])
        if freq == "DAILY":
            rule = "FREQ=DAILY"
        else:
            rule = "FREQ=WEEKLY;BYDAY=%s" % ",".join(ICS_WD[d] for d in sorted(wdays))
        if r.random() < 0.5:
            rule += ";COUNT=%d" % len(occ)
        else:
            rule += ";UNTIL=%04d%02d%02dT235959Z" % (last.year, last.month, last.day)
        it = {"prac": p["id"], "dur": dur, "day": first, "s": s, "v": v, "rule": rule,
              "occ": occ, "exc": {}}
        for d in occ:
            self.take(d, s, s + dur, v)
        self.items.append(it)
        return it

    def move_one(self, it, p, times, k):
        """k occurrences of a series moved (RECURRENCE-ID), within times on the same day."""
        r = self.rng
        for d in r.sample(it["occ"], min(k, len(it["occ"]))):
            cands = [s for a, b in times for s in range(ceil_to(a, self.g), b - it["dur"] + 1, self.g)
                     if s != it["s"]]
            if cands:
                it["exc"][d] = (d, r.choice(cands), it["v"])

    def add_busy(self, p, n, days=None, lo=APPT_FROM, hi=APPT_TO, durs=(60, 90, 120, 180, 240)):
        """n blocks of busy time with other clients, clear of p's own sessions."""
        r = self.rng
        mine = [(d2, s2, s2 + it["dur"]) for it in self.items if it["prac"] == p["id"]
                for d in it["occ"] for d2, s2, _ in [it["exc"].get(d, (d, it["s"], it["v"]))]]
        for _ in range(100):
            if n <= 0:
                break
            day = r.choice(days or [d for d in range(self.ndays) if d % 7 < 5])
            dur = r.choice(durs)
            if hi - dur < lo:
                continue
            s = r.randrange(lo, hi - dur + 1, 15)
            if any(day == d and s < e and a < s + dur for d, a, e in mine + p["busy_abs"]):
                continue
            p["busy"].append({"day": day, "s": s, "e": s + dur, "rule": None})
            p["busy_abs"].append((day, s, s + dur))
            n -= 1

    # ---- --wide ------------------------------------------------------------------------------

    def make_wide(self):
        r = self.rng
        self.mode = "bus" if r.random() < 0.2 else "car"
        self.overhead = r.choice([5, 5, 10])
        self.detour = 1.3
        self.speed = {"car": 30.0, "bus": 15.0}[self.mode]
        self.perkm = {"car": 0.45, "bus": 0.10}[self.mode]
        kinds = ["clinic", "hospital"] + r.sample(["nursery", "community", "other", "gp",
                                                  "school", "day-centre"], r.randint(2, 4))
        self.world([(k,) + KINDS[k][1:] for k in kinds], 4.0 if self.mode == "bus" else 7.0)
        self.make_person()
        self.day = (DAY_FROM, DAY_TO)
        n = self.npracs or r.randint(8, 12)
        nonhome = list(range(1, len(self.venues)))
        pracs = []
        for pid, role, agency, kinds, homeprob, intens in r.sample(ROLES, n):
            pref = [i for i in nonhome if self.venues[i]["kind"] in kinds]
            base = r.choice(pref) if pref else r.choice(nonhome)
            allowed = [base]
            if r.random() < max(homeprob, 0.4):
                allowed.append(self.HOME)
            while len(allowed) < 2 or len(allowed) < 3 and r.random() < 0.5:
                allowed.append(r.choice([i for i in range(len(self.venues)) if i not in allowed]))
            # works: every weekday 09:00-17:00, in one or two blocks of 2-3 venues
            if len(allowed) == 3 and r.random() < 0.6:
                split = sorted(r.sample(WEEKDAYS, r.randint(2, 3)))
                works = [{"days": split, "venues": sorted(allowed)},
                         {"days": [d for d in WEEKDAYS if d not in split],
                          "venues": sorted(r.sample(allowed, 2))}]
            else:
                works = [{"days": WEEKDAYS, "venues": sorted(allowed)}]
            for blk in works:
                blk["hours"] = (APPT_FROM, APPT_TO)
            pracs.append({"id": pid, "role": role, "agency": agency, "base": base,
                          "allowed": allowed, "works": works, "fixed": False,
                          "intensity": r.choice(intens), "familiar": r.random() < 0.2,
                          "people": 2 if r.random() < 0.1 else 1, "joint": [],
                          "match": r.choices(["text", "categories", "attendee"], [7, 1.5, 1.5])[0],
                          "window": {"days": 4, "same_week": True, "weekdays": None,
                                     "times": [(APPT_FROM, APPT_TO)]},
                          "times": [(APPT_FROM, APPT_TO)], "busy": [], "busy_abs": [],
                          "short": SHORTS[pid]})
        self.pracs = pracs
        self.pmap = {p["id"]: p for p in pracs}
        # joint sessions common: mutual pairs among practitioners who share a venue on some day
        def share(a, b):
            return any(set(x["days"]) & set(y["days"]) and set(x["venues"]) & set(y["venues"])
                       for x in a["works"] for y in b["works"])
        for i, a in enumerate(pracs):
            for b in pracs[i + 1:]:
                if share(a, b) and r.random() < 0.3:
                    a["joint"].append(b["id"])
                    b["joint"].append(a["id"])
        for a in pracs:
            if not a["joint"]:
                mates = [b for b in pracs if b is not a and share(a, b) and len(b["joint"]) < 3]
                if mates:
                    b = r.choice(mates)
                    a["joint"].append(b["id"])
                    b["joint"].append(a["id"])
        # the nap is kept clear where possible, and busy time comes first, so that the
        # sessions are booked around them
        for d in range(self.ndays):
            if d % 7 < 5:
                a = self.nap["starts"][0][0]
                self.take(d, a, a + self.nap["duration"], self.HOME)
        for p in pracs:
            self.add_busy(p, r.randint(1, 3))
        durs = [30, 45, 45, 60, 60, 90] if self.slot % 15 == 0 else [30, 35, 40, 45, 50, 60, 90]
        for p in pracs:
            p["durs"] = sorted({ceil_to(r.choice(durs), self.g) for _ in range(2)})
            k = r.randint(2, 4)
            for _ in range(k):
                dur = r.choice(p["durs"])
                if self.W > 1 and r.random() < 0.6:
                    wd = r.randrange(5)
                    day, s, v = self.book(p, dur, [wd])
                    # the same slot in every week, if it is free then (not insisted on)
                    self.add_series(p, dur, [wd], s, v, "WEEKLY")
                else:
                    for w in range(self.W):
                        self.add_single(p, dur, [7 * w + d for d in WEEKDAYS])
        # binding daily limits: from the week's load spread evenly over the five weekdays
        A = sum(len(it["occ"]) for it in self.items) / self.W
        E = sum(self.pmap[it["prac"]]["intensity"] * it["dur"] / 60.0 * len(it["occ"])
                for it in self.items) / self.W
        self.limits = [("max_appointments_per_day", int(math.ceil(A / 5)) + r.choice([0, 0, 1])),
                       ("max_time_out_per_day", r.choice([300, 360, 420])),
                       ("max_unfamiliar_per_day", max(2, int(math.ceil(A / 5)) - 1)),
                       ("min_rest_between", r.choice([10, 15])),
                       ("free_days", "weekend")]
        self.budget = max(2.0, ceil_to(E / 5 * r.uniform(1.1, 1.3) + 0.5, 0.5))
        self.routines = [self.nap] + self.meals
        self.grouping = r.choice(["wanted", "wanted", "neutral"])

    # ---- --elderly ---------------------------------------------------------------------------

    def make_elderly(self):
        r = self.rng
        self.mode = "car"
        self.overhead = 10           # the walking frame and the wheelchair, each end
        self.detour = 1.3
        self.speed, self.perkm = 30.0, 0.45
        self.world(OLD_VENUES, 6.0)
        kind = {v["kind"]: i for i, v in reversed(list(enumerate(self.venues)))}
        self.pid = "P-%04d" % r.randrange(1000, 10000)
        self.tph = 1.0
        self.day = (7 * 60, 21 * 60)
        pracs = []

        def prac(pid, role, agency, allowed, works, window, intensity, short, **kw):
            p = {"id": pid, "role": role, "agency": agency, "base": allowed[0],
                 "allowed": allowed, "works": works, "fixed": window is None,
                 "intensity": intensity, "familiar": False, "people": 1, "joint": [],
                 "match": "text", "window": window,
                 "times": window["times"] if window else [(0, 24 * 60)],
                 "busy": [], "busy_abs": [], "short": short}
            p.update(kw)
            pracs.append(p)
            return p

        H = self.HOME
        # the district nurse: every day at home, the morning round
        nurse = prac("district-nurse", "district nurse", "Community nursing, neighbourhood team",
                     [H], [{"days": ALL_DAYS, "hours": (480, 1080), "venues": [H]}],
                     {"days": 0, "same_week": False, "weekdays": None,
                      "times": [(510, 750)]}, 1.0, "District nurse visit",
                     default_venue=H)
        # home carers: a morning and an evening call, at home, narrow windows
        two = r.random() < 0.5
        carers = prac("home-carers", "home care workers" + (" (double-handed)" if two else ""),
                      r.choice(["Riverside Home Care Ltd", "Elmwood Care Services"]),
                      [H], [{"days": ALL_DAYS, "hours": (420, 1290), "venues": [H]}],
                      {"days": 0, "same_week": False, "weekdays": None,
                       "times": [(420, 570), (1080, 1230)]}, 0.4, "Care call",
                      default_venue=H, familiar=True, people=2 if two else 1,
                      match="all" if r.random() < 0.5 else "text")
        # the GP, the physiotherapist and the OT always; 3-5 of the other clinics
        others = OLD_ROLES[:1] + OLD_ROLES[3:5] + \
            sorted(r.sample(OLD_ROLES[1:3] + OLD_ROLES[5:], r.randint(3, 5)))
        for pid, role, agency, kinds, homev, inten, short in others:
            vs = [kind[k] for k in kinds if k in kind]
            if homev and r.random() < 0.6:
                vs.append(H)
            wd = sorted(r.sample(WEEKDAYS, r.randint(2, 5)))
            works = [{"days": wd, "hours": (540, 1020), "venues": vs}]
            if pid in ("geriatrician", "audiology", "pharmacist") or r.random() < 0.2:
                window = None
            else:
                window = {"days": r.choice([2, 3, 5, 7]), "same_week": r.random() < 0.3,
                          "weekdays": "weekdays",
                          "times": [r.choice([(540, 720), (540, 990), (600, 960), (570, 1020)])]}
            prac(pid, role, agency, vs, works, window, inten, short,
                 familiar=False, people=2 if pid == "memory" else 1,
                 match=r.choices(["text", "categories", "attendee"], [7, 1.5, 1.5])[0])
        dayc = prac("day-centre", "day centre", "Adult social care day services",
                    [kind["day-centre"]],
                    [{"days": WEEKDAYS, "hours": (570, 990), "venues": [kind["day-centre"]]}],
                    None, 0.5, "Day centre", familiar=True, match="categories",
                    default_venue=kind["day-centre"])
        self.pracs = pracs
        self.pmap = {p["id"]: p for p in pracs}
        nurse["joint"] = ["gp"]
        self.pmap["gp"]["joint"] = ["district-nurse"]
        if H in self.pmap["ot"]["allowed"] and H in self.pmap["physio"]["allowed"]:
            self.pmap["ot"]["joint"] = ["physio"]
            self.pmap["physio"]["joint"] = ["ot"]
        # the other clients of the nurse: a daily round around this visit
        ns = r.choice([510, 540])
        for a, b in ((ns - 90, ns - 30), (ns + 60, ns + 120), (ns + 150, ns + 240)):
            if a >= 480:
                nurse["busy"].append({"day": 0, "s": a, "e": b, "rule": "FREQ=DAILY;COUNT=%d" % self.ndays})
                nurse["busy_abs"] += [(d, a, b) for d in range(self.ndays)]
        # the fixed attendances first: the day centre, one or two days a week, 10:00-15:00
        dcd = sorted(r.sample([1, 2, 3], r.randint(1, 2)))
        self.add_series(dayc, 300, dcd, 630, kind["day-centre"], "WEEKLY")
        # the daily calls
        am = r.choice([450, 465, 480])
        pm = r.choice([1110, 1125, 1140])
        it_am = self.add_series(carers, r.choice([45, 60]), ALL_DAYS, am, H, "DAILY")
        it_pm = self.add_series(carers, 30, ALL_DAYS, pm, H, "DAILY")
        it_n = self.add_series(nurse, r.choice([30, 30, 45]), ALL_DAYS, ns, H, "DAILY")
        self.move_one(it_n, nurse, [(510, 750)], r.randint(1, 3))
        self.move_one(it_am, carers, [(420, 570)], r.randint(0, 2))
        for it, times in ((it_am, [(am - 30, am + it_am["dur"] + 45)]),
                          (it_pm, [(pm - 30, pm + 60)])):
            self.overrides.append({"item": it, "window": {"days": 0, "same_week": False,
                                                          "weekdays": None, "times": times}})
        # physio: a weekly session; then single clinic appointments up to 100-120 in all
        # (over 4 weeks; scaled for a shorter horizon)
        ph = self.pmap["physio"]
        day, s, v = self.book(ph, 45, [r.choice(ph["works"][0]["days"])])
        self.add_series(ph, 45, [day], s, v, "WEEKLY")
        target = r.randint(100, 120) * self.W // 4
        count = lambda: sum(len(it["occ"]) for it in self.items)
        singles = [p for p in pracs if p["id"] not in ("district-nurse", "home-carers",
                                                       "day-centre")]
        weights = {"gp": 3, "physio": 2, "ot": 2, "memory": 1, "geriatrician": 1, "podiatry": 1,
                   "social": 1, "pharmacist": 1, "audiology": 1, "optometrist": 1}
        while count() < target:
            p = r.choices(singles, [weights[q["id"]] for q in singles])[0]
            dur = r.choice({"gp": [15, 30], "memory": [60, 90], "geriatrician": [30, 45]}
                           .get(p["id"], [30, 45, 60]))
            dur = ceil_to(dur, self.g)
            days = [d for d in range(self.ndays) if d % 7 in p["works"][0]["days"]]
            self.add_single(p, dur, days)
        for p in pracs:
            if p["id"] not in ("district-nurse", "home-carers", "day-centre"):
                self.add_busy(p, r.randint(1, 2 * self.W),
                              days=[d for d in range(self.ndays) if d % 7 < 5])
        # routines: medicines, meals at home, an afternoon rest (on day-centre days the centre
        # gives lunch and the midday tablets, and she rests there)
        lunch_days = [d for d in ALL_DAYS if d not in dcd]
        self.routines = [
            {"id": "tablets-morning", "kind": "medication", "duration": 10,
             "starts": [(510, 540)], "place": "anywhere"},
            {"id": "breakfast", "kind": "meal", "duration": 30, "starts": [(510, 570)],
             "place": "home"},
            {"id": "lunch", "kind": "meal", "duration": 45, "starts": [(720, 780)],
             "place": "home", "days": lunch_days},
            {"id": "tablets-midday", "kind": "medication", "duration": 10,
             "starts": [(720, 750)], "place": "anywhere", "days": lunch_days},
            {"id": "afternoon-rest", "kind": "rest", "duration": 60, "starts": [(810, 930)],
             "place": "home", "days": lunch_days},
            {"id": "tea", "kind": "meal", "duration": 45, "starts": [(990, 1050)],
             "place": "home"},
            {"id": "tablets-evening", "kind": "medication", "duration": 10,
             "starts": [(1200, 1230)], "place": "anywhere"}]
        # limits: per day from the load, not above the busiest booked day
        E = [0.0] * self.ndays
        N = [0] * self.ndays
        for it in self.items:
            for d in it["occ"]:
                dd = it["exc"].get(d, (d,))[0]
                E[dd] += self.pmap[it["prac"]]["intensity"] * it["dur"] / 60.0
                N[dd] += 1
        self.budget = ceil_to(sorted(E)[int(0.8 * len(E))] + 0.5, 0.5)
        self.limits = [("max_appointments_per_day", max(4, sorted(N)[int(0.8 * len(N))])),
                       ("max_time_out_per_day", r.choice([240, 300])),
                       ("max_unfamiliar_per_day", 2),
                       ("max_unfamiliar_per_week", r.choice([5, 6])),
                       ("min_rest_between", r.choice([15, 30]))]
        self.grouping = "wanted"

    # ---- output ------------------------------------------------------------------------------

    def write_feed(self, p, path, witness=False):
        r = self.rng
        tz = r.random() < 0.5
        ustyle = r.randrange(3)
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0",
                 "PRODID:-//dovetail//gen-family.py %s seed %d//EN" % (self.what, self.seed),
                 "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                 "X-WR-CALNAME:" + esc(p["role"].capitalize() + " - " + p["agency"])]
        if tz:
            lines.append("X-WR-TIMEZONE:Europe/London")
            lines += VTIMEZONE.split("\n")

        def stamp(day, m):
            d = START + dt.timedelta(days=day)
            return "%04d%02d%02dT%02d%02d00" % (d.year, d.month, d.day, m // 60, m % 60)

        def when(name, day, m):
            return "%s;TZID=Europe/London:%s" % (name, stamp(day, m)) if tz \
                else "%s:%sZ" % (name, stamp(day, m))

        def span(day, s, e):
            if r.random() < 0.2:
                return [when("DTSTART", day, s), "DURATION:PT%dM" % (e - s)]
            return [when("DTSTART", day, s), when("DTEND", day, e)]

        def location(v):
            if v == p.get("default_venue") and r.random() < 0.5:
                return []
            ven = self.venues[v]
            if v == self.HOME:
                return ["LOCATION:" + esc(r.choice(["Home", "Home visit", "Client's home"]))]
            return ["LOCATION:" + esc(r.choice([ven["name"]] + ven["aliases"]))]

        def mine():
            if p["match"] == "categories":
                return ["CATEGORIES:" + self.pid]
            if p["match"] == "attendee":
                return ["ATTENDEE;CN=%s family;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:%s"
                        % (self.pid, self.email)]
            return []

        summary = lambda extra="": "SUMMARY:" + esc("%s - %s%s" % (p["short"], self.pid, extra))
        for it in self.items:
            if it["prac"] != p["id"]:
                continue
            ev = ["BEGIN:VEVENT", "UID:" + it["uid"], "DTSTAMP:" + DTSTAMP]
            ev += span(it["day"], it["s"], it["s"] + it["dur"])
            if it["rule"]:
                ev.append("RRULE:" + it["rule"])
            ev.append(summary())
            ev += location(it["v"]) + mine()
            ev += ["STATUS:CONFIRMED", "SEQUENCE:0", "TRANSP:OPAQUE", "END:VEVENT"]
            lines += ev
            for d, (xd, xs, xv) in sorted(it["exc"].items()):
                ev = ["BEGIN:VEVENT", "UID:" + it["uid"], "DTSTAMP:" + DTSTAMP,
                      when("RECURRENCE-ID", d, it["s"])]
                ev += span(xd, xs, xs + it["dur"])
                ev += [summary(" (moved)")] + location(xv) + mine()
                ev += ["STATUS:CONFIRMED", "SEQUENCE:1", "TRANSP:OPAQUE", "END:VEVENT"]
                lines += ev
        for b in p["busy"]:
            ev = ["BEGIN:VEVENT", "UID:" + self.uid(ustyle), "DTSTAMP:" + DTSTAMP]
            ev += span(b["day"], b["s"], b["e"])
            if b["rule"]:
                ev.append("RRULE:" + b["rule"])
            ev += ["SUMMARY:" + esc(r.choice(BUSY_TEXT)), "CLASS:PRIVATE", "STATUS:CONFIRMED",
                   "TRANSP:OPAQUE", "END:VEVENT"]
            lines += ev
        lines.append("END:VCALENDAR")
        with open(path, "wb") as f:
            f.write(b"".join(fold(x) for x in lines))

    def write_profile(self, path):
        r = self.rng
        flags = " --" + self.what + (" --practitioners %d" % self.npracs if self.npracs else "") \
            + (" --nonmetric" if self.nonmetric else "")
        who = {"wide": "a child seen by %d practitioners free all week" % len(self.pracs),
               "elderly": "an elderly person at home with daily nursing and care calls"}[self.what]
        L = ["# Synthetic instance (tools/gen-family.py --seed %d --weeks %d --slot %d%s)."
             % (self.seed, self.W, self.slot, flags),
             "# Fictional and pseudonymous: %s; the horizon is %d week%s from Mon 23 Nov 2026."
             % (who, self.W, "" if self.W == 1 else "s"),
             "version: 1", "", "person:", "  id: " + self.pid, "  timezone: Europe/London",
             "  day: %s-%s" % (hm(self.day[0]), hm(self.day[1])), "  slot: %d" % self.slot,
             "  home: home", "  travel_mode: " + self.mode, "", "venues:"]
        for v in self.venues:
            L += ["  - id: " + v["id"], '    name: "%s"' % v["name"], "    kind: " + v["kind"],
                  "    aliases: [%s]" % ", ".join('"%s"' % a for a in v["aliases"]),
                  "    at: [%.4f, %.4f]" % v["at"]]
        L += ["", "travel:", "  detour: %s" % fmt_num(self.detour),
              "  overhead: %d" % self.overhead]
        if self.matrix:
            L.append("  matrix:")
            if self.nonmetric:
                L.append("    # --nonmetric: these pairs break the triangle inequality")
            L += ["    - [%s, %s, %d, %s]" % (a, b, m, fmt_num(c)) for a, b, m, c in self.matrix]
        vid = lambda i: self.venues[i]["id"]

        def window(w):
            parts = ["days: %d" % w["days"]]
            if w["same_week"]:
                parts.append("same_week: true")
            if w["weekdays"] is not None:
                parts.append("weekdays: " + (w["weekdays"] if isinstance(w["weekdays"], str)
                                             else days_text(w["weekdays"])))
            elif self.what == "wide":
                parts.append("weekdays: weekdays")
            parts.append("times: [%s]" % ", ".join("%s-%s" % (hm(a), hm(b)) for a, b in w["times"]))
            return "{ %s }" % ", ".join(parts)

        L += ["", "practitioners:"]
        for p in self.pracs:
            L += ["  - id: " + p["id"], "    role: " + p["role"], '    agency: "%s"' % p["agency"],
                  "    feeds: [feeds/%s.ics]" % p["id"]]
            if p["match"] == "text":
                L.append("    match: { text: %s }" % self.pid)
            elif p["match"] == "categories":
                L.append("    match: { categories: %s }" % self.pid)
            elif p["match"] == "attendee":
                L.append('    match: { attendee: "mailto:%s" }' % self.email)
            else:
                L.append("    match: all")
            L.append("    works:")
            for b in p["works"]:
                L.append("      - { days: %s, hours: %s-%s, venues: [%s] }" % (
                    days_text(b["days"]), hm(b["hours"][0]), hm(b["hours"][1]),
                    ", ".join(vid(v) for v in b["venues"])))
            if p.get("default_venue") is not None:
                L.append("    default_venue: " + vid(p["default_venue"]))
            L.append("    movable: %s" % ("false" if p["fixed"] else "true"))
            if not p["fixed"]:
                L.append("    window: " + window(p["window"]))
                L.append("    venues: [%s]" % ", ".join(vid(v) for v in p["allowed"]))
            L.append("    intensity: " + fmt_num(p["intensity"]))
            if p["familiar"]:
                L.append("    familiar: true")
            if p["people"] != 1:
                L.append("    people: %d" % p["people"])
            if p["joint"]:
                L.append("    joint_with: [%s]" % ", ".join(p["joint"]))
            L.append("")
        if self.overrides:
            L.append("overrides:")
            for o in self.overrides:
                L.append('  - uid: "%s"' % o["item"]["uid"])
                if "window" in o:
                    L.append("    window: " + window(o["window"]))
            L.append("")
        L.append("routines:")
        for rt in self.routines:
            st = ["%s-%s" % (hm(a), hm(b)) for a, b in rt["starts"]]
            L += ["  - id: " + rt["id"], "    kind: " + rt["kind"],
                  "    duration: %d" % rt["duration"],
                  "    start: " + (st[0] if len(st) == 1 else "[%s]" % ", ".join(st))]
            if rt.get("days") is not None:
                L.append("    days: " + days_text(rt["days"]))
            L.append("    place: " + rt["place"])
        L += ["", "energy:", "  budget: " + fmt_num(self.budget),
              "  travel_per_hour: " + fmt_num(self.tph), "", "limits:"]
        L += ["  %s: %s" % (k, v) for k, v in self.limits]
        L += ["", "preferences:", "  grouping: " + self.grouping]
        if self.what == "elderly":
            L += ["  preferred_times:", "    - { days: weekdays, times: [09:30-12:00] }"]
        with open(path, "wb") as f:
            f.write(("\n".join(L) + "\n").encode("utf-8"))

    def run(self, out, witness=False):
        if self.what == "wide":
            self.make_wide()
        else:
            self.make_elderly()
        self.email = "%s.family@example.net" % self.pid.lower().replace("-", "")
        for it in self.items:
            it["uid"] = self.uid(self.rng.randrange(3))
        os.makedirs(os.path.join(out, "feeds"), exist_ok=True)
        for p in self.pracs:
            self.write_feed(p, os.path.join(out, "feeds", p["id"] + ".ics"))
        self.write_profile(os.path.join(out, "profile.yaml"))


def main():
    ap = argparse.ArgumentParser(
        prog="gen-family.py",
        description="Generate a seeded synthetic family instance (profile.yaml + feeds/*.ics).")
    ap.add_argument("--seed", type=int, required=True, help="random seed (an integer)")
    ap.add_argument("--weeks", type=int, required=True, help="horizon in weeks: 1, 2 or 4")
    ap.add_argument("--out", required=True, help="output folder (created if missing)")
    ap.add_argument("--slot", type=int, default=15,
                    help="person.slot in minutes, 1-60 and a divisor of 60 (default 15)")
    ap.add_argument("--witness", action="store_true",
                    help="write the clean arrangement the limits were set from, not the messy one")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--wide", action="store_true",
                      help="8-12 practitioners free all week at 2-3 venues, windows of +-4 days, "
                           "many joint sessions, binding daily limits (no witness)")
    mode.add_argument("--elderly", action="store_true",
                      help="an elderly person: a daily district nurse visit, carers twice a "
                           "day, clinic appointments; 100-120 appointments over 4 weeks (no witness)")
    ap.add_argument("--practitioners", type=int, metavar="N",
                    help="with --wide: exactly N practitioners (1-14; default 8-12 drawn)")
    ap.add_argument("--nonmetric", action="store_true",
                    help="explicit travel pairs that break the triangle inequality (any mode)")
    args = ap.parse_args()
    if args.weeks not in (1, 2, 4):
        ap.error("--weeks must be 1, 2 or 4")
    if not 1 <= args.slot <= 60 or 60 % args.slot:
        ap.error("--slot must be 1-60 and a divisor of 60")
    if args.seed < 0:
        ap.error("--seed must be a non-negative integer")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        ap.error("--out %s exists and is not a folder" % args.out)
    if (args.wide or args.elderly) and args.witness:
        ap.error("--witness applies to the default mode only (--wide and --elderly have no witness)")
    if args.practitioners is not None and (not args.wide or not 1 <= args.practitioners <= 14):
        ap.error("--practitioners goes with --wide, and is 1-14")
    try:
        if args.wide or args.elderly:
            ModeGen(args.seed, args.weeks, args.slot, "wide" if args.wide else "elderly",
                    args.practitioners, args.nonmetric).run(args.out)
        else:
            Gen(args.seed, args.weeks, args.slot, args.nonmetric).run(args.out, args.witness)
    except (OSError, RuntimeError) as e:
        print("gen-family.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
