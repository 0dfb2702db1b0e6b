/* url.c: what kind of feed a name is (a URL, a CalDAV collection), and a URL without credentials: pure string functions. */
#include "dovetail/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

int fetch_is_caldav(const char *s)
{
	return s && (strncasecmp(s, "caldav+http://", 14) == 0 || strncasecmp(s, "caldav+https://", 15) == 0);
}

int fetch_is_url(const char *s)
{
	return s && (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0 ||
		     strncasecmp(s, "webcal://", 9) == 0 || fetch_is_caldav(s));
}

void url_authority(const char *url, const char **a, const char **e)
{
	const char *p = strstr(url, "://");
	*a = p ? p + 3 : url;
	*e = *a + strcspn(*a, "/?#");
}

const char *url_userinfo_end(const char *url)
{
	const char *a, *e;
	url_authority(url, &a, &e);
	for (const char *p = e; p > a; p--)
		if (p[-1] == '@')
			return p;
	return NULL;
}

void fetch_url_shown(const char *url, char *out, size_t sz)
{
	const char *a, *e, *at = url_userinfo_end(url);
	url_authority(url, &a, &e);
	if (!at)
		snprintf(out, sz, "%s", url);
	else
		snprintf(out, sz, "%.*s%s", (int)(a - url), url, at);
}
