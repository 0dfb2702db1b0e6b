/* fuzz_caldav.c: libFuzzer target: a CalDAV REPORT answer (a DAV:multistatus) read as the
 * fetcher reads it (caldav_report_parse), then the iCalendar stream it gives read and expanded
 * as import_url() does (every problem must be a diagnostic, never a crash, a hang or a blow-up). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/fetch.h"
#include "dovetail/ics.h"
#include "dovetail/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ics_limits lim;
	ics_limits_default(&lim);
	lim.max_file_bytes = 1u << 20;
	lim.max_series_occ = 2000;
	lim.max_series_iter = 20000;
	lim.max_feed_occ = 20000;
	lim.cpu_budget_ms = 200;
	struct diag d;
	diag_init(&d);
	struct bytes b;
	if (caldav_report_parse((const char *)data, size, "caldav+https://dav.example/<redacted:000000>",
				lim.max_file_bytes, &b, &d) == 0) {
		/* what the reader gets: text that fits the bound, ending in NUL */
		if (b.len > lim.max_file_bytes || !b.data || b.data[b.len] != 0)
			abort();
		struct ics_feed f;
		if (ics_read(&f, "caldav", &b, &lim, &d) == 0) {
			struct ics_occs occ;
			memset(&occ, 0, sizeof occ);
			struct ics_expand_opts o = { 1767225600, 1798761600, ics_tz_builtin("Europe/London"), &lim };
			ics_expand(&f, &o, &occ, &d);
			ics_occs_release(&occ);
		}
		ics_feed_release(&f);
	} else if (b.data || b.len) {
		abort();   /* a refused answer leaves nothing */
	}
	diag_release(&d);
	return 0;
}
