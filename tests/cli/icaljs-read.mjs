// icaljs-read.mjs: read iCalendar files with ical.js (the engine of
// Thunderbird's calendar) and print each VEVENT as
// "FILE METHOD UID RECURRENCE-ID START END" (UTC), one a line.
// Usage: ICALJS=PATH/ical.js node icaljs-read.mjs FILE...
// Exits non-zero on the first file ical.js cannot parse.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
const ICAL = (await import(process.env.ICALJS)).default;
const f = (t) => t.toJSDate().toISOString().replace(/\.\d+Z$/, 'Z');
for (const file of process.argv.slice(2)) {
	const comp = new ICAL.Component(ICAL.parse(readFileSync(file, 'utf8')));
	for (const tz of comp.getAllSubcomponents('vtimezone'))
		ICAL.TimezoneService.register(tz);
	const method = comp.getFirstPropertyValue('method') || '-';
	for (const v of comp.getAllSubcomponents('vevent')) {
		const e = new ICAL.Event(v);
		const tzid = v.getFirstProperty('dtstart').getParameter('tzid');
		if (tzid && e.startDate.zone.tzid !== tzid)
			throw new Error(`${file}: zone ${tzid} not resolved (${e.startDate.zone.tzid})`);
		const rid = v.getFirstPropertyValue('recurrence-id');
		console.log(basename(file), method, e.uid, rid ? f(rid) : '-', f(e.startDate), f(e.endDate));
	}
}
