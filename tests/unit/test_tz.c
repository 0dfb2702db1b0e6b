/* test_tz.c: the cache of system zones (src/ics/tz.c) holds every zone ICU
 * knows: none is refused because the cache is full. */
#include "dovetail/ics.h"
#include "tap.h"

#include <libical/icaltz-util.h>
#include <unicode/ucal.h>

int main(void)
{
	icalerror_set_errors_are_fatal(0);
	UErrorCode st = U_ZERO_ERROR;
	UEnumeration *e = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_CANONICAL, NULL, NULL, &st);
	ok(e && !U_FAILURE(st), "ICU lists its canonical zones");
	if (!e)
		return tap_done();
	/* every ICU zone once: libical's list, or the system's zoneinfo (cached) */
	size_t n = 0, resolved = 0, refused = 0;
	const char *id;
	int32_t len;
	while ((id = uenum_next(e, &len, &st)) != NULL) {
		n++;
		if (ics_tz_builtin(id)) {
			resolved++;
			continue;
		}
		/* unresolved only when the system has no such zone either */
		icalcomponent *c = icaltzutil_fetch_timezone(id);
		if (c) {
			refused++;
			printf("# %s is in zoneinfo but does not resolve\n", id);
			icalcomponent_free(c);
		}
	}
	uenum_close(e);
	ok(n > 300, "ICU lists %zu canonical zones", n);
	is_int(refused, 0, "no zone the system has is refused (%zu of %zu resolve), the cache holding them all", resolved, n);
	/* zones only the system has, looked up again after all the others */
	ok(ics_tz_builtin("Etc/GMT-2") != NULL, "Etc/GMT-2 still resolves");
	ok(ics_tz_builtin("Etc/GMT-2") == ics_tz_builtin("Etc/GMT-2"), "from the cache: the same zone");
	icaltimezone_free_builtin_timezones();
	return tap_done();
}
