/* text.c: UTF-8 checks, cuts that never split a character, and the one
 * printer for text from outside (terminal-safe) and the one JSON string writer. */
#include "dovetail/util.h"

#include <stdio.h>
#include <string.h>

size_t utf8_seq(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (!n)
		return 0;
	unsigned c = s[0];
	size_t len;
	uint32_t v, min;
	if (c < 0x80) {
		if (cp)
			*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2; v = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; v = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; v = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;   /* overlong, past Unicode, or a surrogate */
	if (cp)
		*cp = v;
	return len;
}

int utf8_valid(const char *s, size_t n, size_t *bad_off)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(s + i, n - i, NULL);
		if (!k || (s[i] == 0)) {
			if (bad_off)
				*bad_off = i;
			return 0;
		}
		i += k;
	}
	return 1;
}

size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t i = 0;
	while (i < max) {
		size_t k = utf8_seq(s + i, n - i, NULL);
		if (!k)
			k = 1;  /* a bad byte is a unit of its own */
		if (i + k > max)
			break;
		i += k;
	}
	return i;
}

size_t utf8_trim_partial(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t j = n;
	while (j > 0 && n - j < 3 && (s[j - 1] & 0xc0) == 0x80)
		j--;
	if (j == 0 || s[j - 1] < 0xc0)
		return n;   /* ends on ASCII or on continuation bytes with no lead */
	size_t want = s[j - 1] >= 0xf0 ? 4 : s[j - 1] >= 0xe0 ? 3 : 2;
	return n - (j - 1) < want ? j - 1 : n;
}

size_t utf8_copy(char *dst, size_t sz, const char *src)
{
	if (!sz)
		return 0;
	size_t n = src ? strlen(src) : 0;
	size_t k = utf8_cut(src ? src : "", n, sz - 1);
	if (k)
		memcpy(dst, src, k);
	dst[k] = 0;
	return k;
}

int text_unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||         /* C0, DEL, C1 (U+009B is CSI) */
	       cp == 0x061c || cp == 0x200e || cp == 0x200f ||     /* ALM, LRM, RLM */
	       (cp >= 0x202a && cp <= 0x202e) ||                   /* bidi embeddings, overrides */
	       (cp >= 0x2066 && cp <= 0x2069) ||                   /* bidi isolates */
	       cp == 0x2028 || cp == 0x2029;                       /* line and paragraph separators */
}

void text_put_safe(FILE *fp, const char *str)
{
	if (!str)
		return;
	size_t n = strlen(str);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_seq(str + i, n - i, &cp);
		unsigned char b = (unsigned char)str[i];
		if (!k) {
			fprintf(fp, "\\x%02x", b);   /* not UTF-8: each bad byte shown */
			i++;
			continue;
		}
		if (cp == '\n')
			fputs("\\n", fp);
		else if (cp == '\t')
			fputs("\\t", fp);
		else if (cp == '\r')
			fputs("\\r", fp);
		else if (cp < 0x80 && text_unsafe_cp(cp))
			fprintf(fp, "\\x%02x", (unsigned)cp);
		else if (text_unsafe_cp(cp))
			fprintf(fp, "\\u%04x", (unsigned)cp);
		else
			fwrite(str + i, 1, k, fp);
		i += k;
	}
}

void text_put_json(FILE *fp, const char *str)
{
	fputc('"', fp);
	size_t n = str ? strlen(str) : 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_seq(str + i, n - i, &cp);
		if (!k) {
			fputs("\\ufffd", fp);   /* JSON is UTF-8: a bad byte becomes U+FFFD */
			i++;
			continue;
		}
		switch (cp) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		default:
			if (text_unsafe_cp(cp))
				fprintf(fp, "\\u%04x", (unsigned)cp);
			else
				fwrite(str + i, 1, k, fp);
		}
		i += k;
	}
	fputc('"', fp);
}
