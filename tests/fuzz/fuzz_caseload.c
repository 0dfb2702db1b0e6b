/* fuzz_caseload.c: libFuzzer target: the caseload loader. */
#include <stdint.h>
#include <stdlib.h>

#include "dovetail/caseload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d;
	diag_init(&d);
	struct caseload *c = NULL;
	caseload_load_text(&c, "/nonexistent-dovetail-fuzz/caseload.yaml", (const char *)data, size, &d);
	caseload_free(c);
	diag_release(&d);
	return 0;
}
