#!/bin/sh
# t-report.sh: `dovetail report --html`: the family-meeting page. For each
# example family (one shared store): the page is self-contained (nothing
# fetched, nothing run) and mode 0600; headless Chromium parses it, draws
# it and prints it on A4 landscape, a week to a page and the summary on a
# page of its own; in the DOM Chromium built (tests/cli/report_dom.py) the
# before view draws exactly the appointments `week --json` lists and marks
# exactly the errors `check --json` finds, clashes are marked as clashes,
# every picture's text alternative resolves and has a line per day, and
# the changes are undecided. After accepting the whole optimum, `week` and
# `check` give exactly what the report's after view predicted, and a new
# report shows the changes accepted. Then: the same bytes twice, `--none`
# (one and two weeks), and bad input.
# Usage: t-report.sh DOVETAIL [BUILDDIR]
# Needs chromium and pdfinfo/pdftotext (poppler-utils): tools/run-tests
# installs them. With DOVETAIL_REPORT_SCREENSHOT set, family-cp's page as
# drawn is copied to docs/report-family-cp.png.
. "$(dirname "$0")/lib.sh"
BUILDDIR=${2:-}

cd "$SRCDIR" || exit 1
py=/usr/bin/python3
dom=$SRCDIR/tests/cli/report_dom.py
db=$TMP/report.db
mkdir -p "$HOME"

# ---- the tools: their absence is a failure, not a skip
have_chromium=1
have_poppler=1
if ! command -v chromium >/dev/null 2>&1; then
	have_chromium=0
	not_ok "chromium is there (tools/run-tests installs it: apt-get install chromium); the DOM checks below read the file as written instead"
fi
if ! command -v pdfinfo >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
	have_poppler=0
	not_ok "pdfinfo and pdftotext are there (tools/run-tests installs them: apt-get install poppler-utils)"
fi

# chrome ARGS... URL: headless Chromium, bounded; its stderr (dbus noise) kept aside
chrome() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$TMP/chrome" --hide-scrollbars "$@" 2>>"$TMP/chrome.err"
}

# render HTML OUT.dom.html WHAT: the DOM as Chromium parsed HTML (or, without
# Chromium, the file itself, so that the other checks still say something)
render() {
	if [ $have_chromium = 1 ]; then
		chrome --dump-dom "file://$1" >"$2"
		crc=$?
		check "$3: chromium --dump-dom: exit 0, a whole document" \
			sh -c "[ $crc -eq 0 ] && grep -q '</html>' '$2'"
	else
		cp "$1" "$2"
	fi
}

# pycheck DESCRIPTION CHECK ARGS...: tests/cli/report_dom.py CHECK ARGS...,
# its reasons shown when it fails
pycheck() {
	desc=$1
	shift
	if $py "$dom" "$@" >"$TMP/py.out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc"
		diag <"$TMP/py.out"
	fi
}

# What would make a browser fetch or run something: one ERE a line.
cat >"$TMP/fetchers" <<'EOF'
<script
<link
<iframe
<img
<object
<embed
src[[:space:]]*=
href[[:space:]]*=[[:space:]]*([^"'#[:space:]]|["'][^#])
url\([[:space:]]*([^"'#[:space:]]|["'][^#])
@import
https?:
EOF
selfcontained() { # selfcontained FILE WHAT
	grep -Eion -f "$TMP/fetchers" "$1" >"$TMP/fetch.out"
	if [ -s "$TMP/fetch.out" ]; then
		not_ok "$2: self-contained (no script, link, iframe, img, src=, outside href or url(), @import, http:)"
		head -20 "$TMP/fetch.out" | diag
	else
		ok "$2: self-contained (no script, link, iframe, img, src=, outside href or url(), @import, http:)"
	fi
}

# nweeks WEEK.json: how many Monday-Sunday weeks its days touch
nweeks() {
	$py -c 'import json,sys,datetime
ds=[datetime.date.fromisoformat(d["date"]) for d in json.load(open(sys.argv[1]))["days"]]
print(len({d-datetime.timedelta(days=d.weekday()) for d in ds}))' "$1"
}

# shot HTML PNG WHAT: a screenshot, and that it is a 1280x1800 PNG of some size
shot() {
	[ $have_chromium = 1 ] || return 0
	rm -f "$2"
	chrome --screenshot="$2" --window-size=1280,1800 "file://$1" >/dev/null
	crc=$?
	check "$3: chromium --screenshot: exit 0" [ $crc -eq 0 ]
	check "$3: the screenshot is a 1280x1800 PNG of over 20 kB ($(wc -c <"$2" 2>/dev/null || echo 0) bytes)" \
		$py -c 'import struct,sys
b=open(sys.argv[1],"rb").read()
assert b[:8]==b"\x89PNG\r\n\x1a\n" and b[12:16]==b"IHDR", "not a PNG"
assert struct.unpack(">II",b[16:24])==(1280,1800), struct.unpack(">II",b[16:24])
assert len(b)>20000, len(b)' "$2"
}

# pdf HTML PDF WEEKS WHAT: print it; A4 landscape, at least WEEKS+1 pages,
# a week to a page and the summary (Totals) on a page of its own
pdf() {
	[ $have_chromium = 1 ] || return 0
	rm -f "$2"
	chrome --print-to-pdf="$2" --no-pdf-header-footer "file://$1" >/dev/null
	crc=$?
	check "$4: chromium --print-to-pdf: exit 0" sh -c "[ $crc -eq 0 ] && [ -s '$2' ]"
	[ $have_poppler = 1 ] || return 0
	pdfinfo "$2" >"$TMP/pdfinfo" 2>&1
	size=$(sed -n 's/^Page size: *\([0-9.]*\) x \([0-9.]*\) pts.*/\1 x \2/p' "$TMP/pdfinfo")
	pages=$(sed -n 's/^Pages: *\([0-9]*\).*/\1/p' "$TMP/pdfinfo")
	check "$4: PDF pages are A4 landscape ($size pts)" \
		awk -v s="$size" 'BEGIN { split(s, a, " x "); exit !(a[1] > a[2] && a[1] > 838 && a[1] < 846 && a[2] > 591 && a[2] < 599) }'
	check "$4: PDF has at least $(($3 + 1)) pages for $3 week(s) and the summary (${pages:-no} pages)" \
		[ "${pages:-0}" -ge $(($3 + 1)) ]
	# pages are separated by form feeds; W: a week's heading, T: Totals
	pdftotext -layout "$2" - 2>/dev/null | sed 's/^ *//; s/ *$//' >"$TMP/pdftext"
	layout=$(awk -v weeks="$3" 'BEGIN { RS = "\f" }
		{ w = 0; t = 0; n = split($0, L, "\n")
		  for (i = 1; i <= n; i++) {
			if (L[i] ~ /^Week from [A-Z][a-z][a-z] [0-9]+ [A-Z][a-z][a-z]$/) w++
			if (L[i] == "Totals") t++ }
		  W += w; T += t
		  if (w > 1 || (w && t)) bad = 1
		  printf "p%d:%s%s ", NR, (w ? "W" : ""), (t ? "T" : "") }
		END { if (bad || W != weeks || T != 1) printf "BAD" }' "$TMP/pdftext")
	check "$4: one week heading a page, Totals on a page of its own ($layout)" \
		sh -c "case '$layout' in *BAD*) exit 1;; esac"
}

# ---- each family: propose, the week as it is, the report
for fam in cp autism dementia; do
	d=$TMP/family-$fam
	mkdir -p "$d"
	prof=examples/family-$fam/profile.yaml
	run --db "$db" propose --json "$prof"
	check "$fam: propose --json: exit 0 or 2 (some cannot be placed) (got $rc)" sh -c "[ $rc -eq 0 ] || [ $rc -eq 2 ]"
	cp "$TMP/stdout" "$d/propose.json"
	pid=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["proposals"][0]["id"])' "$d/propose.json")
	nch=$($py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["proposals"][0]["changes"]))' "$d/propose.json")
	[ "$fam" = cp ] && pid_cp=$pid
	diag <<-EOF
	$fam: optimum $pid, $nch changes
	EOF
	run --db "$db" week --json "$prof"
	check "$fam: week --json: exit 0" [ "$rc" -eq 0 ]
	cp "$TMP/stdout" "$d/before.json"
	run --db "$db" check --json "$prof"
	check "$fam: check --json: exit 0 or 1" [ "$rc" -le 1 ]
	cp "$TMP/stdout" "$d/check-before.json"
	weeks=$(nweeks "$d/before.json")
	weeks=${weeks:-1}

	run --db "$db" report "$prof" --html "$d/R1.html"
	check "$fam: report: exit 0" [ "$rc" -eq 0 ]
	[ "$rc" -eq 0 ] || diag <"$TMP/stderr"
	check "$fam: report: the optimum by default ($pid)" grep -q "proposal $pid, $nch changes" "$TMP/stdout"
	check "$fam: report: mode 0600" [ "$(mode "$d/R1.html")" = 600 ]
	run --db "$db" report "$prof" --html "$d/R1-again.html"
	check "$fam: report: the same bytes again" cmp -s "$d/R1.html" "$d/R1-again.html"
	selfcontained "$d/R1.html" "$fam: R1"

	render "$d/R1.html" "$d/R1.dom.html" "$fam: R1"
	shot "$d/R1.html" "$d/R1.png" "$fam: R1"
	pdf "$d/R1.html" "$d/R1.pdf" "$weeks" "$fam: R1"
	pycheck "$fam: R1: Chromium's DOM says what the file says" same "$d/R1.dom.html" "$d/R1.html"
	pycheck "$fam: R1: each week has a before and an after figure" views "$d/R1.dom.html" before,after
	pycheck "$fam: R1: before view = week --json, each appointment once" appts "$d/R1.dom.html" before "$d/before.json"
	pycheck "$fam: R1: before view's problems = check --json errors" problems "$d/R1.dom.html" before "$d/check-before.json"
	pycheck "$fam: R1: overlaps and double bookings, and only they, are class clash" clash "$d/R1.dom.html"
	pycheck "$fam: R1: text alternatives resolve, a line per day" a11y "$d/R1.dom.html" "$d/before.json"
	pycheck "$fam: R1: $nch change rows, all undecided" changes "$d/R1.dom.html" undecided "$nch"

	# ---- accept the whole optimum: the week becomes the report's after view
	run --db "$db" accept "$pid" --by test
	check "$fam: accept $pid (all $nch changes): exit 0" [ "$rc" -eq 0 ]
	run --db "$db" week --json "$prof"
	cp "$TMP/stdout" "$d/after.json"
	run --db "$db" check --json "$prof"
	cp "$TMP/stdout" "$d/check-after.json"
	pycheck "$fam: R1: after view = week --json once accepted" appts "$d/R1.dom.html" after "$d/after.json"
	pycheck "$fam: R1: after view's problems = check --json once accepted" problems "$d/R1.dom.html" after "$d/check-after.json"
	pycheck "$fam: R1: compromises = check --json once accepted, summing to propose's claim" compromises "$d/R1.dom.html" "$d/check-after.json" "$d/propose.json"

	run --db "$db" report "$prof" --proposal "$pid" --html "$d/R2.html"
	check "$fam: report --proposal $pid: exit 0, mode 0600" sh -c "[ $rc -eq 0 ] && [ \$(stat -c %a '$d/R2.html') = 600 ]"
	render "$d/R2.html" "$d/R2.dom.html" "$fam: R2"
	pycheck "$fam: R2: each week has a before and an after figure" views "$d/R2.dom.html" before,after
	pycheck "$fam: R2: before view = week --json as it was" appts "$d/R2.dom.html" before "$d/before.json"
	pycheck "$fam: R2: before view's problems = check --json as it was" problems "$d/R2.dom.html" before "$d/check-before.json"
	pycheck "$fam: R2: after view = week --json" appts "$d/R2.dom.html" after "$d/after.json"
	pycheck "$fam: R2: after view's problems = check --json errors" problems "$d/R2.dom.html" after "$d/check-after.json"
	pycheck "$fam: R2: compromises = check --json, summing to propose's claim" compromises "$d/R2.dom.html" "$d/check-after.json" "$d/propose.json"
	pycheck "$fam: R2: clashes marked as such" clash "$d/R2.dom.html"
	pycheck "$fam: R2: text alternatives resolve, a line per day" a11y "$d/R2.dom.html" "$d/after.json"
	pycheck "$fam: R2: $nch change rows, all accepted" changes "$d/R2.dom.html" accepted "$nch"

	# ---- no proposal: the week as agreed, alone
	run --db "$db" report "$prof" --none --html "$d/R0.html"
	check "$fam: report --none: exit 0, mode 0600" sh -c "[ $rc -eq 0 ] && [ \$(stat -c %a '$d/R0.html') = 600 ]"
	selfcontained "$d/R0.html" "$fam: R0"
	render "$d/R0.html" "$d/R0.dom.html" "$fam: R0"
	pycheck "$fam: R0: only a before view" views "$d/R0.dom.html" before
	pycheck "$fam: R0: before view = week --json (as agreed)" appts "$d/R0.dom.html" before "$d/after.json"
	pycheck "$fam: R0: its problems = check --json errors" problems "$d/R0.dom.html" before "$d/check-after.json"
	pycheck "$fam: R0: its compromises = check --json" compromises "$d/R0.dom.html" "$d/check-after.json" -
	pycheck "$fam: R0: text alternatives resolve, a line per day" a11y "$d/R0.dom.html" "$d/after.json"
	pycheck "$fam: R0: no change rows" changes "$d/R0.dom.html" undecided 0
done

# ---- --none over two weeks: a section and a page for each
d=$TMP/family-cp
prof=examples/family-cp/profile.yaml
run --db "$db" week --json "$prof" --from 2026-11-23 --to 2026-12-06
cp "$TMP/stdout" "$d/two.json"
run --db "$db" check --json "$prof" --from 2026-11-23 --to 2026-12-06
cp "$TMP/stdout" "$d/check-two.json"
run --db "$db" report "$prof" --none --from 2026-11-23 --to 2026-12-06 --html "$d/R0-two.html"
check "cp: report --none --from --to (two weeks): exit 0" [ "$rc" -eq 0 ]
check "cp: week --json --from --to spans two weeks" [ "$(nweeks "$d/two.json")" -eq 2 ]
render "$d/R0-two.html" "$d/R0-two.dom.html" "cp: two weeks"
pdf "$d/R0-two.html" "$d/R0-two.pdf" 2 "cp: two weeks"
pycheck "cp: two weeks: a before view in each week" views "$d/R0-two.dom.html" before
pycheck "cp: two weeks: = week --json, each in its week's section" appts "$d/R0-two.dom.html" before "$d/two.json"
pycheck "cp: two weeks: problems = check --json errors" problems "$d/R0-two.dom.html" before "$d/check-two.json"
pycheck "cp: two weeks: text alternatives resolve, a line per day" a11y "$d/R0-two.dom.html" "$d/two.json"

# ---- a proposal with no change (family-cp proposed again once the optimum
# is accepted: the week is already the best): its page draws the week as it
# is, routines and travel too, and its compromises are check's and sum to
# propose's claim (the after view was once an underived copy: no routines,
# no journeys drawn, and the routines' compromises missing from the sum)
run --db "$db" propose --json "$prof"
cp "$TMP/stdout" "$d/propose-again.json"
check "cp: proposed again after accepting: the optimum has no change" \
	[ "$($py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["proposals"][0]["changes"]))' "$d/propose-again.json")" = 0 ]
run --db "$db" report "$prof" --html "$d/R3.html"
check "cp: R3: report of a proposal with no change: exit 0" [ "$rc" -eq 0 ]
run --db "$db" check --json "$prof"
cp "$TMP/stdout" "$d/check-again.json"
pycheck "cp: R3: compromises = check --json, summing to propose's claim" compromises "$d/R3.html" "$d/check-again.json" "$d/propose-again.json"
pycheck "cp: R3: after view's problems = check --json errors" problems "$d/R3.html" after "$d/check-again.json"
check "cp: R3: the after view draws the routines and the journeys" $py -c '
import re, sys
s = open(sys.argv[1]).read()
after = s[s.find("After: with the proposal"):]
assert "travel from Home" in after and "(routine afternoon-nap)" in after, "no routines or travel in the after view"
' "$d/R3.html"

# ---- a step of the change ladder that is not a ranked proposal says so;
# step 0 (the week as booked, with its clashes) is not "already the best"
run --db "$TMP/ladder.db" propose --json "$prof"
l0=$($py -c 'import json,sys; print([x["id"] for x in json.load(open(sys.argv[1]))["ladder"] if x["max_changes"] == 0][0])' "$TMP/stdout")
run --db "$TMP/ladder.db" report "$prof" --proposal "$l0" --html "$d/L0.html"
check "cp: report of the ladder's step 0: exit 0" [ "$rc" -eq 0 ]
check "cp: ... named as the ladder's step, not 'already the best'" $py -c '
import sys
s = open(sys.argv[1]).read()
assert "the change ladder\x27s best plan with at most 0 changes" in s, "not named as a ladder step"
assert "already the best" not in s, "says the week as booked is already the best"
' "$d/L0.html"

# ---- batch --report over the three families: each page is the family's R1
# (the same store state: proposed, nothing decided), and the overview links them.
# Two caseloads: family-cp and family-autism each call their own speech
# therapist "salt", with their own diary, and one caseload may not name one
# practitioner with two (docs/batch.md, "The sharing graph").
cat >"$TMP/caseload.yaml" <<EOF
version: 1
persons:
  - { id: P-0417, profile: $SRCDIR/examples/family-cp/profile.yaml }
  - { id: P-1093, profile: $SRCDIR/examples/family-dementia/profile.yaml }
EOF
cat >"$TMP/caseload2.yaml" <<EOF
version: 1
persons:
  - { id: P-0822, profile: $SRCDIR/examples/family-autism/profile.yaml }
EOF
run --db "$TMP/batch2.db" batch "$TMP/caseload2.yaml" -j 2 --report "$TMP/pages2"
check "batch --report, family-autism: exit 0 (got $rc)" [ "$rc" -eq 0 ]
run --db "$TMP/batch.db" batch "$TMP/caseload.yaml" -j 2 --report "$TMP/pages"
check "batch --report over the two other families: exit 0 or 2 (got $rc)" [ "$rc" -le 2 ]
cp "$TMP/pages2/person-P-0822.html" "$TMP/pages/" 2>/dev/null
samepages=0
for x in cp:P-0417 autism:P-0822 dementia:P-1093; do
	cmp -s "$TMP/family-${x%%:*}/R1.html" "$TMP/pages/person-${x#*:}.html" && samepages=$((samepages + 1))
done
check "... each person's page is byte for byte the family's report ($samepages of 3)" [ "$samepages" -eq 3 ]
# the overview's only links are to the persons' pages beside it
sed 's/href="person-P-[0-9]*\.html"/href="#page"/g' "$TMP/pages/index.html" >"$TMP/index.unlinked.html"
selfcontained "$TMP/index.unlinked.html" "batch overview (its links to the pages beside it aside)"
render "$TMP/pages/index.html" "$TMP/index.dom.html" "batch overview"
check "... the overview links each person's page" \
	sh -c "for p in P-0417 P-1093; do grep -q \"href=.person-\$p.html\" '$TMP/index.dom.html' || exit 1; done"

# ---- an accessibility audit: axe-core 4 (npm; tools/run-tests installs it in
# BUILDDIR/node_modules) run inside Chromium on each family's page, a
# two-week page and the overview: no violation of WCAG 2.1 A/AA or of axe's
# best practices
axe=${AXE_CORE:-$BUILDDIR/node_modules/axe-core/axe.min.js}
if [ $have_chromium = 1 ] && [ -f "$axe" ]; then
	for page in family-cp/R1 family-autism/R1 family-dementia/R1 family-cp/R2 family-cp/R0-two pages/index; do
		$py - "$axe" "$TMP/$page.html" "$TMP/axe.html" <<'PY'
import sys
axe, page, out = sys.argv[1:4]
s = open(page, encoding="utf-8").read()
runner = """<script>%s</script><script>
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
 .then(function (r) { var o = document.createElement("pre"); o.id = "axe-result";
   o.textContent = JSON.stringify({passes: r.passes.length, violations: r.violations.map(function (v) {
     return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); })}; })});
   document.body.appendChild(o); });
</script></body>""" % open(axe, encoding="utf-8").read()
open(out, "w", encoding="utf-8").write(s.replace("</body>", runner))
PY
		chrome --virtual-time-budget=30000 --dump-dom "file://$TMP/axe.html" >"$TMP/axe.dom"
		$py - "$TMP/axe.dom" >"$TMP/axe.out" 2>&1 <<'PY'
import html, json, re, sys
m = re.search(r'<pre id="axe-result">(.*?)</pre>', open(sys.argv[1], encoding="utf-8").read(), re.S)
if not m:
    sys.exit("axe gave no result")
r = json.loads(html.unescape(m.group(1)))
print("%d rules passed" % r["passes"])
for v in r["violations"]:
    print("violation %s (%s): %s at %s" % (v["id"], v["impact"], v["help"], v["nodes"]))
sys.exit(1 if r["violations"] or r["passes"] < 10 else 0)
PY
		arc=$?
		check "$page: axe-core finds no accessibility violation ($(head -1 "$TMP/axe.out"))" [ $arc -eq 0 ]
		[ $arc -eq 0 ] || diag <"$TMP/axe.out"
	done
else
	not_ok "axe-core and chromium are there for the accessibility audit (tools/run-tests installs them)"
fi

# ---- bad input: the status, and the file there before left as it was
cp "$TMP/family-cp/R1.html" "$TMP/keep.html"
keep=$(sha "$TMP/keep.html")
cp_prof=examples/family-cp/profile.yaml
autism_prof=examples/family-autism/profile.yaml
run --db "$db" report "$cp_prof" --proposal p-000000000000 --html "$TMP/keep.html"
check "no such proposal: 65 (got $rc)" [ "$rc" -eq 65 ]
check "... the file left as it was" [ "$(sha "$TMP/keep.html")" = "$keep" ]
run --db "$db" report "$autism_prof" --proposal "$pid_cp" --html "$TMP/keep.html"
check "family-cp's proposal with family-autism's profile: 65 (got $rc)" [ "$rc" -eq 65 ]
check "... saying whose it is" grep -q "proposal '$pid_cp' is another person's, not this profile's" "$TMP/stderr"
check "... the file left as it was" [ "$(sha "$TMP/keep.html")" = "$keep" ]
run --db "$TMP/none.db" report "$autism_prof" --html "$TMP/keep.html"
check "no proposal yet for the person: 65 (got $rc)" [ "$rc" -eq 65 ]
check "... saying what to run" grep -q 'no proposal in the store for this person yet: run `dovetail propose`, or give --none' "$TMP/stderr"
check "... the file left as it was" [ "$(sha "$TMP/keep.html")" = "$keep" ]
run --db "$db" report "$cp_prof"
check "no --html: usage, 64 (got $rc)" [ "$rc" -eq 64 ]
run --db "$db" report "$cp_prof" --from 2026-11-23 --to 2026-11-29 --html "$TMP/keep.html"
check "--from without --none: usage, 64 (got $rc)" [ "$rc" -eq 64 ]
check "... the file left as it was" [ "$(sha "$TMP/keep.html")" = "$keep" ]
run --db "$db" report "$cp_prof" --html "$TMP/no-such-dir/R.html"
check "--html into a folder that does not exist: 73 (got $rc)" [ "$rc" -eq 73 ]
check "... naming the file, creating nothing" \
	sh -c "grep -q 'no-such-dir/R.html' '$TMP/stderr' && ! [ -e '$TMP/no-such-dir' ]"

# ---- the picture for the documentation, only when asked for
if [ -n "${DOVETAIL_REPORT_SCREENSHOT:-}" ] && [ -f "$TMP/family-cp/R1.png" ]; then
	cp "$TMP/family-cp/R1.png" "$SRCDIR/docs/report-family-cp.png"
	check "DOVETAIL_REPORT_SCREENSHOT: docs/report-family-cp.png written" \
		cmp -s "$TMP/family-cp/R1.png" "$SRCDIR/docs/report-family-cp.png"
fi
done_testing
