// tsics-read.mjs: read iCalendar files with ts-ics (npm) and print each
// VEVENT as "FILE METHOD UID RECURRENCE-ID START END" (UTC), one a line,
// as icaljs-read.mjs does for ical.js. ts-ics takes each time's offset
// from the file's VTIMEZONE.
// Usage: TSICS=PATH/node_modules/ts-ics node tsics-read.mjs FILE...
// Exits non-zero on the first file ts-ics cannot read.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(join(process.env.TSICS, 'package.json'));
const { convertIcsCalendar } = require(process.env.TSICS);
const f = (d) => d.toISOString().replace(/\.\d+Z$/, 'Z');
for (const file of process.argv.slice(2)) {
	const text = readFileSync(file, 'utf8');
	const cal = convertIcsCalendar(undefined, text);
	const method = cal.method || '-';
	for (const e of cal.events ?? []) {
		const rid = e.recurrenceId ? f(e.recurrenceId.value.date) : '-';
		console.log(basename(file), method, e.uid, rid, f(e.start.date), f(e.end.date));
	}
}
