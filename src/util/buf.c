/* buf.c: growable arrays with overflow checks. */
#include "dovetail/util.h"

#include <stdint.h>
#include <stdlib.h>

int buf_reserve(void **v, size_t *cap, size_t need, size_t esz)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return -1;
		n *= 2;
	}
	if (n > SIZE_MAX / esz)
		return -1;
	void *p = realloc(*v, n * esz);
	if (!p)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}
