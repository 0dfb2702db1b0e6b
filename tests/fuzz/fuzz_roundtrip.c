/* fuzz_roundtrip.c: libFuzzer target: a feed imported into a real store, read as a person's
 * week, exported as the family's calendar, and read back: the export must always be a valid
 * calendar that dovetail reads without error, with one event per appointment and routine;
 * and the week's HTML report must draw each appointment once, with nothing from the feed
 * opening markup. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovetail/export.h"
#include "dovetail/ics.h"
#include "dovetail/profile.h"
#include "dovetail/report.h"
#include "dovetail/store.h"
#include "dovetail/util.h"
#include "dovetail/week.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static struct store *st;
static struct profile *prof;
static struct ics_limits lim;

static const char profile_text[] =
	"version: 1\n"
	"person: { id: P-1, timezone: Europe/London, home: home }\n"
	"venues: [{ id: home, kind: home }, { id: clinic, name: Clinic }]\n"
	"practitioners:\n"
	"  - { id: a, role: therapist, feeds: [f.ics], default_venue: home }\n"
	"routines:\n"
	"  - { id: nap, kind: sleep, duration: 60, start: \"12:00-14:00\", place: home }\n";

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/dovetail-fuzz-rt.%d", (int)getpid());
	char path[128];
	snprintf(path, sizeof path, "%s/f.ics", dir);
	struct diag d;
	diag_init(&d);
	if (mkdir(dir, 0700) < 0 && access(dir, W_OK) < 0)
		abort();
	FILE *f = fopen(path, "w");
	if (!f || fclose(f) != 0)
		abort();
	snprintf(path, sizeof path, "%s/p.yaml", dir);
	if (profile_load_text(&prof, path, profile_text, sizeof profile_text - 1, &d) < 0)
		abort();
	snprintf(path, sizeof path, "%s/s.db", dir);
	if (store_open(&st, path, 0, &d) < 0)
		abort();
	ics_limits_default(&lim);
	lim.max_series_occ = 2000;
	lim.max_series_iter = 20000;
	lim.max_feed_occ = 20000;
	lim.cpu_budget_ms = 200;
	diag_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!st)
		setup();
	struct diag d;
	diag_init(&d);
	struct bytes b = { malloc(size + 1), size };
	if (!b.data)
		return 0;
	memcpy(b.data, data, size);
	b.data[size] = 0;
	struct ics_feed feed;
	int64_t mon = 20780 /* 2026-11-23 */, from = (mon - 7) * 86400, to = (mon + 35) * 86400;
	if (ics_read(&feed, "f.ics", &b, &lim, &d) == 0) {
		struct import_opts o = { .source = prof->pracs[0].feeds[0].source, .practitioner = "a",
					 .keep_going = 1, .from = from, .to = to,
					 .zone = ics_tz_builtin("Europe/London"), .zone_name = "Europe/London",
					 .now = 0, .lim = &lim };
		struct import_report r;
		memset(&r, 0, sizeof r);
		store_import(st, &feed, &o, &r, &d);
	}
	ics_feed_release(&feed);
	struct week w;
	if (week_build(&w, prof, st, mon, mon + 27, &d) == 0) {
		char *text = export_family(&w, 1795392000, 1, &d);
		if (!text)
			abort();   /* the export of any week must be writable */
		size_t routines = 0;
		for (size_t i = 0; i < w.n_routines; i++)
			routines += w.routines[i].start >= 0;
		struct bytes back = { text, strlen(text) };
		struct diag d2;
		diag_init(&d2);
		struct ics_feed f2;
		if (ics_read(&f2, "export.ics", &back, &lim, &d2) != 0 || diag_exit_status(&d2) != 0 ||
		    f2.n_ev != w.n_appts + routines)
			abort();   /* dovetail cannot read its own export */
		ics_feed_release(&f2);
		diag_release(&d2);
		struct report rep = { .before = &w, .now = 1795392000 };
		char *page = report_html(&rep, &d);
		if (!page)
			abort();   /* the report of any week must be drawable */
		size_t drawn = 0;
		for (const char *q = page; (q = strstr(q, "<g class=\"appt")); q++)
			drawn++;
		if (drawn != w.n_appts || strstr(page, "<script") || strstr(page, "<SCRIPT"))
			abort();   /* an appointment not drawn once, or feed text as markup */
		free(page);
		week_release(&w);
	}
	diag_release(&d);
	return 0;
}
