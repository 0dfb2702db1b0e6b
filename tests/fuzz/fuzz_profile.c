/* fuzz_profile.c: libFuzzer target: the profile loader (strict YAML, every value checked). */
#include <stdint.h>
#include <stdlib.h>

#include "dovetail/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	diag_init(&d);
	struct profile *p = NULL;
	/* relative paths resolve from a folder that does not exist: a feed
	 * named in the profile is then an error, as it should be */
	profile_load_text(&p, "/nonexistent-dovetail-fuzz/p.yaml", (const char *)data, size, &d);
	profile_free(p);
	diag_release(&d);
	return 0;
}
