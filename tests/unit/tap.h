/* tap.h: a tiny Test Anything Protocol helper shared by the unit tests.
 *
 * Usage: call ok()/is_int()/is_str() for each check, then
 * `return tap_done();` from main. Plan is printed at the end ("1..N"),
 * which TAP allows, so tests need not count their checks.
 */
#ifndef DOVETAIL_TAP_H
#define DOVETAIL_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_n_, tap_failed_;

/* One check: prints "ok N - what" or "not ok N - what". Returns cond. */
static inline int tap_ok_(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	printf("%sok %d - ", cond ? "" : "not ", ++tap_n_);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond) {
		tap_failed_++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) do { \
		int64_t g_ = (int64_t)(got), w_ = (int64_t)(want); \
		if (!tap_ok_(g_ == w_, __FILE__, __LINE__, __VA_ARGS__)) \
			printf("#   got %" PRId64 ", want %" PRId64 "\n", g_, w_); \
	} while (0)

/* Print label and s as TAP comment lines, one "#" line per line of s. */
static inline void tap_show_(const char *label, const char *s)
{
	printf("#   %s:", label);
	if (!s) {
		puts(" (null)");
		return;
	}
	if (!strchr(s, '\n')) {
		printf(" '%s'\n", s);
		return;
	}
	putchar('\n');
	for (const char *p = s; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		printf("#     %.*s\n", (int)n, p);
		p += n + (e != NULL);
	}
}

#define is_str(got, want, ...) do { \
		const char *g_ = (got), *w_ = (want); \
		if (!tap_ok_(g_ && w_ && strcmp(g_, w_) == 0, __FILE__, __LINE__, __VA_ARGS__)) { \
			tap_show_("got", g_); \
			tap_show_("want", w_); \
		} \
	} while (0)

/* A diagnostic line for the log, ignored by TAP consumers. */
static inline void tap_note(const char *fmt, ...)
{
	va_list ap;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Print the plan; the exit status is 1 when any check failed. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n_);
	return tap_failed_ ? 1 : 0;
}

#endif
