/* fuzz_mime.c: libFuzzer target: an iMIP mail read as `dovetail replies` reads it
 * (mime_find_calendar), then its calendar part scanned as the reader does; every problem must
 * be a diagnostic, never a crash, a hang or a part that breaks its contract. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dovetail/ics.h"
#include "dovetail/reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_limits lim;
	reply_limits_default(&lim);
	lim.max_message_bytes = 1u << 20;
	struct diag d;
	diag_init(&d);
	struct mime_part p;
	if (mime_find_calendar((const char *)data, size, "fuzz.eml", &lim, &p, &d) == 0) {
		/* a decoded body is never longer than the mail, and ends in NUL */
		if (!p.body || p.len > size || p.body[p.len] != 0 || p.line < 1)
			abort();
		struct ics_limits il;
		ics_limits_default(&il);
		struct ics_scan s;
		memset(&s, 0, sizeof s);
		ics_scan(&s, "fuzz.eml", p.body, p.len, &il, &d);
		char m[32];
		ics_scan_method(&s, m, sizeof m);
		ics_scan_release(&s);
		mime_part_release(&p);
	} else if (p.body || !d.n) {
		abort();   /* a failure leaves no part and says why */
	}
	diag_release(&d);
	return 0;
}
