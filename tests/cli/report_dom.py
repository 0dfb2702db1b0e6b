#!/usr/bin/python3
"""report_dom.py: read a `dovetail report --html` page (as written, or as
Chromium parsed it: `chromium --headless --dump-dom`) and compare what it
draws with what `dovetail week --json` and `dovetail check --json` say.
Standard library only. Used by tests/cli/t-report.sh.

Usage: report_dom.py CHECK HTML [ARGS...]; exit 0 when the check holds,
1 with the reasons on stdout when it does not, 2 on a usage error.

  appts HTML VIEW WEEK.json      the VIEW's (before|after) appointments, as a
                                 multiset of (practitioner, uid, recurrence
                                 id, start, end), are WEEK.json's: each drawn
                                 exactly once, in the section of its week
  problems HTML VIEW CHECK.json  the VIEW's marked problems, as a multiset of
                                 (kind, start, end), are CHECK.json's errors
                                 that are not about the whole week
  clash HTML                     a problem carries class "clash" exactly when
                                 its kind is overlap or double-booked
  a11y HTML WEEK.json            every svg.weekview is role=img and its
                                 aria-labelledby and aria-describedby ids
                                 resolve (ids are unique); the description
                                 is a div.sr-only whose list has one top-level
                                 li per day of that week, in order
  views HTML LIST                every week section holds exactly the
                                 figures LIST (e.g. "before,after"), each
                                 with one svg.weekview, and nothing is drawn
                                 outside them
  changes HTML STATUS N          N rows tr.change, numbered 1..N, all with
                                 data-status=STATUS
  same HTML OTHER.html           both pages give the same facts (the file as
                                 written and the DOM as Chromium built it)
  compromises HTML CHECK.json PROPOSE.json
                                 the rows tr.compromise, as a multiset of
                                 (kind, date, week), are CHECK.json's
                                 problems of a compromise kind (the person's
                                 rules: docs/propose.md, "Three tiers"), and
                                 their data-penalty values sum to PROPOSE.json's
                                 first proposal's compromise ("-": no sum)
"""
import collections
import datetime
import html.parser
import json
import sys

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "param", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children = []  # Nodes and strings
        self.line = 0

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def has_class(self, c):
        return c in self.classes()

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def text(self):
        out = []
        for c in self.children:
            out.append(c.text() if isinstance(c, Node) else c)
        return "".join(out)

    def ancestor(self, pred):
        n = self.parent
        while n is not None:
            if pred(n):
                return n
            n = n.parent
        return None

    def where(self):
        a = " ".join('%s="%s"' % kv for kv in sorted(self.attrs.items())
                     if kv[0] in ("class", "id", "data-start", "data-kind", "data-practitioner"))
        return "<%s %s> (line %d)" % (self.tag, a, self.line)


class Builder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, {k: ("" if v is None else v) for k, v in attrs}, self.cur)
        n.line = self.getpos()[0]
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        n = Node(tag, {k: ("" if v is None else v) for k, v in attrs}, self.cur)
        n.line = self.getpos()[0]
        self.cur.children.append(n)

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path):
    b = Builder()
    with open(path, encoding="utf-8") as f:
        b.feed(f.read())
    b.close()
    return b.root


def weeks(root):
    return [n for n in root.iter() if n.tag == "section" and n.has_class("week")]


def figures(section):
    return [n for n in section.iter() if n.tag == "figure" and n.has_class("view")]


def view_of(n):
    f = n.ancestor(lambda a: a.tag == "figure" and a.has_class("view"))
    return f.attrs.get("data-view") if f is not None else None


def appt_key(a):
    g = a.attrs.get
    return (g("data-practitioner"), g("data-uid"), g("data-recurrence-id"), g("data-start"), g("data-end"))


def problem_key(p):
    g = p.attrs.get
    return (g("data-kind"), g("data-start"), g("data-end"))


def drawn(root, cls, view):
    """[(week index, node)] of the g elements of class cls in figures of view"""
    out = []
    for i, s in enumerate(weeks(root)):
        for f in figures(s):
            if f.attrs.get("data-view") != view:
                continue
            out += [(i, n) for n in f.iter() if n.tag == "g" and n.has_class(cls)]
    return out


def mondays(days):
    out = []
    for d in days:
        day = datetime.date.fromisoformat(d)
        m = day - datetime.timedelta(days=day.weekday())
        if m not in out:
            out.append(m)
    return out


def multiset_diff(what, got, want):
    g, w = collections.Counter(got), collections.Counter(want)
    msgs = []
    for k in sorted(w - g, key=repr):
        msgs.append("%s missing (want %d, drawn %d): %r" % (what, w[k], g[k], k))
    for k in sorted(g - w, key=repr):
        if w[k]:
            msgs.append("%s drawn %d times, wanted %d: %r" % (what, g[k], w[k], k))
        else:
            msgs.append("%s drawn but not wanted (x%d): %r" % (what, g[k], k))
    return msgs


def c_appts(path, view, week_json):
    root = parse(path)
    wk = json.load(open(week_json))
    want = []
    for d in wk["days"]:
        for a in d["appointments"]:
            want.append((a["practitioner"], a["uid"], a["recurrence_id"], a["start"], a["end"]))
    got = drawn(root, "appt", view)
    msgs = multiset_diff("appointment", [appt_key(n) for _, n in got], want)
    ms = mondays([d["date"] for d in wk["days"]])
    for i, n in got:
        st = (n.attrs.get("data-start") or "")[:10]
        try:
            day = datetime.date.fromisoformat(st)
        except ValueError:
            msgs.append("bad data-start: %s" % n.where())
            continue
        if i >= len(ms) or not ms[i] <= day < ms[i] + datetime.timedelta(days=7):
            msgs.append("drawn in week section %d, not its week: %s" % (i + 1, n.where()))
    if not want and not got:
        print("(no appointments on either side)")
    else:
        print("%d appointments drawn in the %s view, %d in %s" % (len(got), view, len(want), week_json))
    return msgs


def c_problems(path, view, check_json):
    root = parse(path)
    ck = json.load(open(check_json))
    want = [(p["kind"], p["start"], p["end"]) for p in ck["problems"]
            if p["severity"] == "error" and not p["week"]]
    got = drawn(root, "problem", view)
    print("%d problems marked in the %s view, %d errors (not week) in %s" % (len(got), view, len(want), check_json))
    return multiset_diff("problem", [problem_key(n) for _, n in got], want)


def c_clash(path):
    root = parse(path)
    msgs = []
    n_ = 0
    for n in root.iter():
        if n.tag == "g" and n.has_class("problem"):
            n_ += 1
            want = n.attrs.get("data-kind") in ("overlap", "double-booked")
            if want and not n.has_class("clash"):
                msgs.append("a clash without class clash: %s" % n.where())
            if not want and n.has_class("clash"):
                msgs.append("class clash on another kind: %s" % n.where())
    print("%d problems marked" % n_)
    return msgs


def c_a11y(path, week_json):
    root = parse(path)
    wk = json.load(open(week_json))
    dates = [datetime.date.fromisoformat(d["date"]) for d in wk["days"]]
    ms = mondays([d["date"] for d in wk["days"]])
    ids = collections.Counter(n.attrs["id"] for n in root.iter() if "id" in n.attrs)
    byid = {n.attrs["id"]: n for n in root.iter() if "id" in n.attrs}
    msgs = ["id %r used %d times" % (k, v) for k, v in sorted(ids.items()) if v > 1]
    secs = weeks(root)
    if len(secs) != len(ms):
        msgs.append("%d week sections, %d weeks in %s" % (len(secs), len(ms), week_json))
    nsvg = 0
    for n in root.iter():
        if n.tag == "svg" and n.has_class("weekview"):
            nsvg += 1
            if n.attrs.get("role") != "img":
                msgs.append("svg without role=img: %s" % n.where())
            for attr in ("aria-labelledby", "aria-describedby"):
                toks = (n.attrs.get(attr) or "").split()
                if not toks:
                    msgs.append("svg without %s: %s" % (attr, n.where()))
                for t in toks:
                    if t not in byid:
                        msgs.append("%s=%r resolves to nothing: %s" % (attr, t, n.where()))
                    elif not byid[t].text().strip():
                        msgs.append("%s=%r is empty: %s" % (attr, t, n.where()))
            sec = n.ancestor(lambda a: a.tag == "section" and a.has_class("week"))
            wi = secs.index(sec) if sec in secs else -1
            want_days = [d for d in dates if 0 <= wi < len(ms) and ms[wi] <= d < ms[wi] + datetime.timedelta(days=7)]
            for t in (n.attrs.get("aria-describedby") or "").split():
                d = byid.get(t)
                if d is None:
                    continue
                if not (d.tag == "div" and d.has_class("sr-only")):
                    msgs.append("aria-describedby=%r is not a div.sr-only" % t)
                uls = [c for c in d.children if isinstance(c, Node) and c.tag == "ul"]
                if len(uls) != 1:
                    msgs.append("%s: %d top-level lists, want 1" % (t, len(uls)))
                    continue
                lis = [c for c in uls[0].children if isinstance(c, Node) and c.tag == "li"]
                if len(lis) != len(want_days):
                    msgs.append("%s: %d top-level li, want %d (days of week %d)" % (t, len(lis), len(want_days), wi + 1))
                for li, day in zip(lis, want_days):
                    label = "%s %d %s" % (day.strftime("%a"), day.day, day.strftime("%b"))
                    if not li.text().strip().startswith(label):
                        msgs.append("%s: li %r does not start with %r" % (t, li.text().strip()[:40], label))
    if nsvg == 0:
        msgs.append("no svg.weekview at all")
    print("%d svg.weekview, %d week sections, %d ids" % (nsvg, len(secs), len(ids)))
    return msgs


def c_views(path, spec):
    root = parse(path)
    want = spec.split(",")
    msgs = []
    secs = weeks(root)
    if not secs:
        msgs.append("no week section")
    inside = 0
    for i, s in enumerate(secs):
        fs = figures(s)
        got = [f.attrs.get("data-view") for f in fs]
        if got != want:
            msgs.append("week %d: views %r, want %r" % (i + 1, got, want))
        for f in fs:
            v = f.attrs.get("data-view")
            if v not in f.classes():
                msgs.append("week %d: figure data-view=%r without class %r" % (i + 1, v, v))
            svgs = [n for n in f.iter() if n.tag == "svg" and n.has_class("weekview")]
            if len(svgs) != 1:
                msgs.append("week %d %s: %d svg.weekview" % (i + 1, v, len(svgs)))
            inside += sum(1 for n in f.iter() if n.tag == "g" and (n.has_class("appt") or n.has_class("problem")))
    total = sum(1 for n in root.iter() if n.tag == "g" and (n.has_class("appt") or n.has_class("problem")))
    if total != inside:
        msgs.append("%d appointments or problems drawn outside the week figures" % (total - inside))
    print("%d week sections, views %s" % (len(secs), spec))
    return msgs


def c_changes(path, status, n):
    root = parse(path)
    rows = [r for r in root.iter() if r.tag == "tr" and r.has_class("change")]
    msgs = []
    if len(rows) != int(n):
        msgs.append("%d change rows, want %s" % (len(rows), n))
    nums = [r.attrs.get("data-change") for r in rows]
    if nums != [str(i) for i in range(1, len(rows) + 1)]:
        msgs.append("change rows numbered %r" % nums)
    for r in rows:
        if r.attrs.get("data-status") != status:
            msgs.append("change %s: data-status=%r, want %r" % (r.attrs.get("data-change"), r.attrs.get("data-status"), status))
    print("%d change rows" % len(rows))
    return msgs


# the person's rules that give way (docs/propose.md, "Three tiers", tier 2)
COMPROMISE_KINDS = {"routine", "routine-late", "outside-day", "free-day", "energy", "time-out",
                    "appointments", "rest", "unfamiliar"}


def c_compromises(path, check_json, propose_json):
    root = parse(path)
    ck = json.load(open(check_json))
    want = [(p["kind"], p["date"], p["week"]) for p in ck["problems"] if p["kind"] in COMPROMISE_KINDS]
    rows = [r for r in root.iter() if r.tag == "tr" and r.has_class("compromise")]
    got = [(r.attrs.get("data-kind"), r.attrs.get("data-date"), r.attrs.get("data-week") == "true") for r in rows]
    msgs = multiset_diff("compromise", got, want)
    total = sum(float(r.attrs.get("data-penalty") or "nan") for r in rows)
    if propose_json != "-":
        claim = json.load(open(propose_json))["proposals"][0]["compromise"]
        if not abs(total - claim) <= 1e-3 * (1 + abs(claim)):
            msgs.append("the page's compromises sum to %.4f, propose claimed %.4f" % (total, claim))
    print("%d compromise rows (penalty %.2f), %d in %s" % (len(rows), total, len(want), check_json))
    return msgs


def facts(path):
    root = parse(path)
    out = {"ids": sorted(n.attrs["id"] for n in root.iter() if "id" in n.attrs)}
    for i, s in enumerate(weeks(root)):
        for f in figures(s):
            v = f.attrs.get("data-view")
            out["w%d-%s-appts" % (i, v)] = [appt_key(n) + (n.attrs.get("data-venue"), " ".join(n.classes()))
                                            for n in f.iter() if n.tag == "g" and n.has_class("appt")]
            out["w%d-%s-problems" % (i, v)] = [problem_key(n) + (" ".join(n.classes()),)
                                               for n in f.iter() if n.tag == "g" and n.has_class("problem")]
            out["w%d-%s-days" % (i, v)] = [li.text() for li in f.iter() if li.tag == "li"]
    out["compromises"] = [(r.attrs.get("data-kind"), r.attrs.get("data-date"), r.attrs.get("data-penalty"))
                          for r in root.iter() if r.tag == "tr" and r.has_class("compromise")]
    out["changes"] = [(r.attrs.get("data-change"), r.attrs.get("data-status"))
                      for r in root.iter() if r.tag == "tr" and r.has_class("change")]
    return out


def c_same(path, other):
    a, b = facts(path), facts(other)
    msgs = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            msgs.append("%s differs: %r ... vs %r ..." % (k, repr(a.get(k))[:200], repr(b.get(k))[:200]))
    print("%d facts compared" % len(a))
    return msgs


CHECKS = {"appts": (c_appts, 3), "problems": (c_problems, 3), "clash": (c_clash, 1),
          "a11y": (c_a11y, 2), "views": (c_views, 2), "changes": (c_changes, 3), "same": (c_same, 2),
          "compromises": (c_compromises, 3)}


def main(argv):
    if len(argv) < 2 or argv[1] not in CHECKS or len(argv) - 2 != CHECKS[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    msgs = CHECKS[argv[1]][0](*argv[2:])
    for m in msgs[:40]:
        print(m)
    if len(msgs) > 40:
        print("... and %d more" % (len(msgs) - 40))
    return 1 if msgs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
