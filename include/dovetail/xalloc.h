/* xalloc.h: the one allocation family.
 *
 * Every allocation in dovetail goes through these. Running out of memory is
 * not something a caller can repair, so none of them returns NULL: on
 * failure, or when a size computation would pass SIZE_MAX, they print
 * "dovetail: out of memory" to standard error and end the process with
 * DV_EXIT_INTERNAL (70, EX_SOFTWARE), as mandoc's mandoc_malloc() and
 * cmark's default allocator do. Nothing stored is half-written by this: the
 * store commits whole transactions only, and output files are renamed into
 * place only when complete (util/file.c).
 *
 * This is the only exit in the library. Bad input never exits: it is a
 * diagnostic and a return status, as before.
 *
 * Sizes of zero are allowed and give a unique pointer that can be freed.
 */
#ifndef DOVETAIL_XALLOC_H
#define DOVETAIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);             /* zeroed, n * size checked */
void *xrealloc(void *p, size_t size);
void *xreallocarray(void *p, size_t n, size_t size); /* n * size checked */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);          /* at most n bytes, NUL added */
/* Memory for a large array filled once, in order (the optimiser's labels):
 * n * size bytes, checked, not zeroed, freed with free(). Aligned to 2 MiB
 * and advised to the kernel as wanting large pages: on a virtual machine a
 * fault on a 4 KiB page can cost ~10 us, and the labels of a small family
 * took ~2,000 of them, a fifth of its whole solve. Only the pages touched
 * are backed, but under MALLOC_PERTURB_ (which meson test sets) glibc
 * writes the whole block: ask for what will be used, growing in steps
 * (solver/daygen.c's label_room). Under 256 KiB it is plain xmalloc. */
void *xmalloc_large(size_t n, size_t size);
/* printf into a new string (%s, %d, %zu ... as printf). */
char *xasprintf(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* Ends the process as the functions above do on failure. */
#if defined(__GNUC__)
__attribute__((noreturn))
#endif
void xalloc_die(void);

#endif
