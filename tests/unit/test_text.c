/* test_text.c: unit tests for util/text.c: UTF-8 checks, cuts that never
 * split a character, the terminal-safe printer and the JSON string writer
 * (issue 19, items 10 and 11). */
#include <stdlib.h>
#include <string.h>

#include "dovetail/util.h"
#include "tap.h"

/* What f prints for s, in a malloc'd string. */
static char *printed(void (*f)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	f(m, s);
	fclose(m);
	return buf;
}

static void test_valid(void)
{
	size_t bad = 99;
	ok(utf8_valid("plain", 5, NULL), "ASCII is valid");
	ok(utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9, NULL), "2-, 3- and 4-byte forms are valid");
	ok(!utf8_valid("a\xff", 2, &bad) && bad == 1, "0xff is refused at its offset");
	ok(!utf8_valid("\xc0\xaf", 2, NULL), "an overlong '/' is refused");
	ok(!utf8_valid("\xed\xa0\x80", 3, NULL), "a surrogate is refused");
	ok(!utf8_valid("\xf4\x90\x80\x80", 4, NULL), "past U+10FFFF is refused");
	ok(!utf8_valid("\xe2\x82", 2, NULL), "a truncated sequence is refused");
	ok(!utf8_valid("a\0b", 3, NULL), "NUL is refused");
}

static void test_cut(void)
{
	const char *s = "ab\xc3\xa9\xe2\x82\xac";   /* a b é € : 7 bytes */
	is_int(utf8_cut(s, 7, 7), 7, "no cut when it fits");
	is_int(utf8_cut(s, 7, 3), 2, "a cut at 3 bytes leaves out the whole é");
	is_int(utf8_cut(s, 7, 6), 4, "a cut at 6 bytes leaves out the whole €");
	char d[6];
	utf8_copy(d, sizeof d, s);
	is_str(d, "ab\xc3\xa9", "utf8_copy into 6 bytes keeps whole characters");
	is_int(utf8_trim_partial("ab\xe2\x82", 4), 2, "a buffer ending inside € loses the piece");
	is_int(utf8_trim_partial("ab\xc3\xa9", 4), 4, "a buffer ending on a whole character keeps it");
	/* every cut of a long string of 2-, 3- and 4-byte characters is valid */
	char big[64];
	strcpy(big, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	int all = 1;
	for (size_t m = 0; m <= strlen(big); m++) {
		char o[64];
		utf8_copy(o, m + 1, big);
		all &= utf8_valid(o, strlen(o), NULL);
	}
	ok(all, "every utf8_copy cut of mixed characters is valid UTF-8");
}

static void test_safe(void)
{
	char *p = printed(text_put_safe, "a\x1b]0;x\x07" "b\tc\nd");
	is_str(p, "a\\x1b]0;x\\x07b\\tc\\nd", "ESC, BEL, tab and newline are escaped");
	free(p);
	p = printed(text_put_safe, "x\xc2\x9b" "31m\xe2\x80\xae" "y\xe2\x81\xa6z\xe2\x81\xa9");
	is_str(p, "x\\u009b31m\\u202ey\\u2066z\\u2069", "C1 CSI, a bidi override and isolates are escaped");
	free(p);
	p = printed(text_put_safe, "caf\xc3\xa9 \xff");
	is_str(p, "caf\xc3\xa9 \\xff", "UTF-8 text passes; a bad byte is shown as \\xNN");
	free(p);
}

static void test_json(void)
{
	char *p = printed(text_put_json, "a\"\\\x01\xc2\x85\xe2\x80\xae\xff\xc3");
	is_str(p, "\"a\\\"\\\\\\u0001\\u0085\\u202e\\ufffd\\ufffd\"",
	       "JSON: quotes, controls, C1, bidi escaped; bad bytes become U+FFFD");
	ok(utf8_valid(p, strlen(p), NULL), "the JSON written for bad bytes is valid UTF-8");
	free(p);
}

int main(void)
{
	test_valid();
	test_cut();
	test_safe();
	test_json();
	return tap_done();
}
