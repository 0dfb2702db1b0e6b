#!/usr/bin/env node
// Benchmark baseline: parse an .ics file with ical.js and count the occurrences that overlap a window.
//
// Usage: node tools/icaljs-expand.mjs FILE WIN_START WIN_END [--runs N]
//   WIN_START / WIN_END: UTC, YYYYMMDDTHHMMSSZ; the window is [WIN_START, WIN_END).
// Output, one line per run:  icaljs run=<i> seconds=<float> occurrences=<n>
// ical.js comes from $ICALJS (path to dist/ical.js), or by default from
// /tmp/icaljs/node_modules/ical.js/dist/ical.js  (npm install --prefix /tmp/icaljs ical.js@2.2.1).
//
// Each run times the whole job: read the file, parse it, build the events, and expand every
// VEVENT master with its own RECURRENCE-ID exceptions (strictExceptions). It counts the
// occurrences with start < WIN_END && end > WIN_START, in UTC via toUnixTime(), and prints
// nothing per occurrence. Iteration stops at the first instance that starts at or after
// WIN_END. An override with no master counts once if it overlaps. Floating and all-day
// times are taken as UTC wall clock. No expansion-bomb guard: give it sane input.
import { readFileSync } from 'node:fs';

const ICALJS = process.env.ICALJS || '/tmp/icaljs/node_modules/ical.js/dist/ical.js';
const ICAL = (await import(ICALJS)).default;

const args = process.argv.slice(2);
let runs = 1;
const pos = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = parseInt(args[++i], 10);
  else if (args[i].startsWith('--runs=')) runs = parseInt(args[i].slice(7), 10);
  else pos.push(args[i]);
}
if (pos.length !== 3 || !(runs >= 1)) {
  console.error('usage: node icaljs-expand.mjs FILE WIN_START WIN_END [--runs N]');
  process.exit(2);
}
const [file, wsArg, weArg] = pos;
const parseUtc = (s) => {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s);
  if (!m) { console.error(`bad window bound: ${s} (want YYYYMMDDTHHMMSSZ)`); process.exit(2); }
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
};
const WS = parseUtc(wsArg), WE = parseUtc(weArg);   // UTC seconds

function overlaps(s, e) {
  return s === e ? (WS <= s && s < WE) : (s < WE && e > WS);
}

function expandFile() {
  const text = readFileSync(file, 'utf8');
  const jcal = ICAL.parse(text);
  const roots = (Array.isArray(jcal[0]) ? jcal : [jcal]).map((j) => new ICAL.Component(j));
  // Group by UID: masters and their RECURRENCE-ID exceptions.
  const byUid = new Map();
  for (const root of roots) {
    const events = root.name === 'vevent' ? [root] : root.getAllSubcomponents('vevent');
    for (const ve of events) {
      const uid = ve.getFirstPropertyValue('uid') || '';
      let g = byUid.get(uid);
      if (!g) { g = { masters: [], exceptions: [] }; byUid.set(uid, g); }
      (ve.hasProperty('recurrence-id') ? g.exceptions : g.masters).push(ve);
    }
  }
  let n = 0;
  for (const { masters, exceptions } of byUid.values()) {
    if (masters.length === 0) {          // orphan overrides: each is a single event
      for (const exc of exceptions) {
        const ev = new ICAL.Event(exc, { strictExceptions: true, exceptions: [] });
        if (overlaps(ev.startDate.toUnixTime(), ev.endDate.toUnixTime())) n++;
      }
      continue;
    }
    for (const master of masters) {
      const ev = new ICAL.Event(master, { strictExceptions: true, exceptions });
      if (!ev.isRecurring()) {
        if (overlaps(ev.startDate.toUnixTime(), ev.endDate.toUnixTime())) n++;
        continue;
      }
      const it = ev.iterator();
      let t;
      while ((t = it.next())) {
        if (t instanceof ICAL.Period) t = t.start;   // ical.js 2.2.1 yields RDATE;VALUE=PERIOD as a Period
        if (t.toUnixTime() >= WE) break;
        const d = ev.getOccurrenceDetails(t);
        if (overlaps(d.startDate.toUnixTime(), d.endDate.toUnixTime())) n++;
      }
    }
  }
  return n;
}

for (let i = 1; i <= runs; i++) {
  const t0 = process.hrtime.bigint();
  const n = expandFile();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`icaljs run=${i} seconds=${secs.toFixed(6)} occurrences=${n}`);
}
