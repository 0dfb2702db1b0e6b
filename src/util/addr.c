/* addr.c: one validator for every calendar address that reaches a mail header. */
#include "dovetail/util.h"

#include <string.h>
#include <strings.h>

int addr_is_one(const char *s, size_t len)
{
	if (len <= 7 || len > 7 + 254 || strncasecmp(s, "mailto:", 7) != 0)
		return 0;
	const char *at = memchr(s + 7, '@', len - 7);
	if (!at || at == s + 7 || at == s + len - 1 || memchr(at + 1, '@', (size_t)(s + len - at - 1)))
		return 0;
	for (size_t i = 7; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= 0x20 || ch >= 0x7f || strchr("\"(),:;<>[\\]", ch))
			return 0;
	}
	return 1;
}
