/* fuzz_ics.c: libFuzzer target: a feed read and expanded, whole and as the prefixes a feed
 * arriving in chunks would show (every problem must be a diagnostic, never a crash or a hang). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/ics.h"
#include "dovetail/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounds small enough that one input stays well under a second. */
static void limits(struct ics_limits *lim)
{
	ics_limits_default(lim);
	lim->max_series_occ = 2000;
	lim->max_series_iter = 20000;
	lim->max_feed_occ = 20000;
	lim->cpu_budget_ms = 200;
}

static void read_expand(const uint8_t *data, size_t size, const struct ics_limits *lim)
{
	struct bytes b;
	b.data = malloc(size + 1);
	if (!b.data)
		return;
	memcpy(b.data, data, size);
	b.data[size] = 0;
	b.len = size;
	struct diag d;
	diag_init(&d);
	struct ics_feed f;
	if (ics_read(&f, "fuzz.ics", &b, lim, &d) == 0) {
		struct ics_occs occ;
		memset(&occ, 0, sizeof occ);
		/* a year around the feeds' usual dates */
		struct ics_expand_opts o = { 1767225600, 1798761600, ics_tz_builtin("Europe/London"), lim };
		ics_expand(&f, &o, &occ, &d);
		ics_occs_release(&occ);
	}
	ics_feed_release(&f);
	diag_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ics_limits lim;
	limits(&lim);
	read_expand(data, size, &lim);
	/* the chunks: the first byte picks a chunk size; each prefix that ends
	 * on a chunk boundary is a feed cut off there (at most 4 of them) */
	if (size > 1) {
		size_t chunk = 1 + (size_t)data[0] * (size / 256 + 1);
		for (size_t end = chunk, k = 0; end < size && k < 4; end += chunk, k++)
			read_expand(data + 1, end, &lim);
	}
	return 0;
}
