# ruby-read.rb: read iCalendar files with ruby-icalendar (Debian's
# ruby-icalendar) and print each VEVENT as
# "FILE METHOD UID RECURRENCE-ID START END" (UTC), one a line, as
# icaljs-read.mjs does for ical.js. ruby-icalendar takes each time's
# offset from the file's VTIMEZONE.
# Usage: ruby ruby-read.rb FILE...  (exits non-zero on the first file it
# cannot read)
require 'stringio'
require 'time'
require 'icalendar'
f = ->(t) { t.to_time.utc.strftime('%Y-%m-%dT%H:%M:%SZ') }
ARGV.each do |file|
  Icalendar::Calendar.parse(File.read(file, encoding: 'UTF-8')).each do |cal|
    method = cal.ip_method || '-'
    cal.events.each do |e|
      rid = e.recurrence_id ? f.call(e.recurrence_id) : '-'
      puts [File.basename(file), method, e.uid, rid, f.call(e.dtstart), f.call(e.dtend)].join(' ')
    end
  end
end
