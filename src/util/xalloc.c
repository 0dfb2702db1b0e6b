/* xalloc.c: allocation that never returns NULL (contract in xalloc.h). */
#include "dovetail/xalloc.h"

#include "dovetail/diag.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void xalloc_die(void)
{
	static const char msg[] = "dovetail: out of memory\n";
	/* write(2), not stdio: stdio may itself need memory. */
	ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)r;
	exit(DV_EXIT_INTERNAL);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		xalloc_die();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	if (n == 0 || size == 0)
		n = size = 1;
	if (n > SIZE_MAX / size)
		xalloc_die();
	void *p = calloc(n, size);
	if (!p)
		xalloc_die();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	void *q = realloc(p, size ? size : 1);
	if (!q)
		xalloc_die();
	return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		xalloc_die();
	return xrealloc(p, n * size);
}

#define LARGE_PAGE ((size_t)2 << 20)

void *xmalloc_large(size_t n, size_t size)
{
	if (n == 0 || size == 0)
		n = size = 1;
	if (n > SIZE_MAX / size || n * size > SIZE_MAX - LARGE_PAGE)
		xalloc_die();
	size_t bytes = n * size;
	if (bytes < LARGE_PAGE / 8)
		return xmalloc(bytes);   /* a large page would cost more to clear than its faults */
	bytes = (bytes + LARGE_PAGE - 1) & ~(LARGE_PAGE - 1);
	void *p = NULL;
	int rc = posix_memalign(&p, LARGE_PAGE, bytes);
	if (rc != 0 || !p)
		xalloc_die();
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE);   /* advice: nothing changes where it is off */
#endif
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = xmalloc(n + 1);
	memcpy(p, s, n + 1);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		xalloc_die(); /* only an encoding error; our formats have none */
	char *p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
