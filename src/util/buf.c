/* buf.c: growable arrays with overflow checks. */
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

#include <assert.h>
#include <stdint.h>

int buf_reserve(void **v, size_t *cap, size_t need, size_t esz)
{
	assert(esz > 0);
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			xalloc_die();
		n *= 2;
	}
	*v = xreallocarray(*v, n, esz);
	*cap = n;
	return 0;
}
