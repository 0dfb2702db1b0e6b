/* test_diag.c: the diagnostics list: adding, the bound and dropped counting,
 * moving, the worst exit status, severity counts, message formatting, and
 * the catalogue's own rules. */
#include "dovetail/diag.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Adding fills one item with the code, a copy of the file, the position and
 * the formatted message, and counts it by severity. */
static void test_add(void)
{
	struct diag d;
	diag_init(&d);
	is_int(d.limit, 1000, "the default bound is 1000 items");
	is_int(diag_exit_status(&d), DV_EXIT_OK, "an empty list exits 0");
	char file[] = "feed.ics";
	diag_add(&d, D_ICS_BAD_TIME, file, 12, 3, "DTSTART", "date");
	file[0] = 'X'; /* the list keeps its own copy */
	is_int(d.n, 1, "one item");
	is_int(d.v[0].code, D_ICS_BAD_TIME, "its code");
	is_str(d.v[0].file, "feed.ics", "its file, copied");
	is_int(d.v[0].line, 12, "its line");
	is_int(d.v[0].col, 3, "its column");
	is_str(d.v[0].msg, "DTSTART: invalid date value", "the template filled in order");
	is_int(d.errors, 1, "counted as an error");
	is_int(d.warnings, 0, "not as a warning");
	diag_add(&d, D_ICS_EMPTY, NULL, 0, 0);
	ok(d.v[1].file == NULL, "no file stays NULL");
	is_str(d.v[1].msg, "empty file: no iCalendar data", "a template with no argument");
	diag_release(&d);
	is_int(d.n, 0, "release empties the list");
	is_int(d.errors, 0, "and its counts");
	diag_release(NULL); /* NULL-safe */
	ok(1, "diag_release(NULL) returns");
}

/* Templates take %s only and are never a printf format: an argument with
 * '%' in it is copied as it is, a NULL argument shows "(null)", and a long
 * argument is cut at 512 bytes, never inside a UTF-8 character. */
static void test_format(void)
{
	struct diag d;
	diag_init(&d);
	diag_add(&d, D_INTERNAL, NULL, 0, 0, "%d%s%n 100%");
	is_str(d.v[0].msg, "internal error: %d%s%n 100%", "'%' in an argument is copied, not interpreted");
	diag_add(&d, D_INTERNAL, NULL, 0, 0, (const char *)NULL);
	is_str(d.v[1].msg, "internal error: (null)", "a NULL argument");
	char big[700];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	diag_add(&d, D_INTERNAL, NULL, 0, 0, big);
	is_int(strlen(d.v[2].msg), strlen("internal error: ") + 512, "an argument is cut at 512 bytes");
	/* 511 ASCII bytes then a 2-byte character: the character does not fit */
	memset(big, 'b', 511);
	memcpy(big + 511, "\xc3\xa9" "cc", 5);
	diag_add(&d, D_INTERNAL, NULL, 0, 0, big);
	is_int(strlen(d.v[3].msg), strlen("internal error: ") + 511, "the cut falls before a character, not inside it");
	diag_add(&d, D_BAD_ARG, NULL, 0, 0, "--from", "x", "use a date");
	is_str(d.v[4].msg, "invalid --from: 'x' (use a date)", "three arguments in order");
	diag_release(&d);
}

/* The list keeps `limit` items and counts the rest as dropped; counts and
 * the exit status include the dropped ones. */
static void test_limit(void)
{
	struct diag d;
	diag_init(&d);
	d.limit = 3;
	for (int i = 0; i < 4; i++)
		diag_add(&d, D_ICS_BAD_UTF8, "f", i + 1, 0);
	diag_add(&d, D_STORE_SQL, "f", 9, 0, "disk I/O error");
	diag_add(&d, D_ICS_TZ_MAPPED, "f", 10, 0, "X", "Y");
	is_int(d.n, 3, "three items kept");
	is_int(d.dropped, 3, "three dropped");
	is_int(d.warnings, 4, "warnings counted past the bound");
	is_int(d.errors, 1, "an error counted past the bound");
	is_int(d.v[2].line, 3, "the first ones are kept");
	is_int(diag_exit_status(&d), DV_EXIT_STORE, "a dropped error still decides the exit status");
	diag_release(&d);
	is_int(d.limit, 3, "release keeps the bound");
	is_int(d.dropped, 0, "and zeroes dropped");
	/* a list with room for none */
	d.limit = 0;
	diag_add(&d, D_ICS_EMPTY, NULL, 0, 0);
	is_int(d.n, 0, "limit 0 keeps nothing");
	is_int(d.dropped, 1, "and counts it");
	is_int(diag_exit_status(&d), DV_EXIT_INPUT, "the exit status still counts it");
	diag_release(&d);
}

/* The same diagnostic again at once (a store's statements failing alike
 * on a full disk) is said once; at another place, or another, it is not. */
static void test_again(void)
{
	struct diag d;
	diag_init(&d);
	for (int i = 0; i < 4; i++)
		diag_add(&d, D_STORE_SQL, "s.db", 0, 0, "database or disk is full");
	is_int(d.n, 1, "the same error four times at once: said once");
	is_int(d.errors, 1, "... and counted once");
	diag_add(&d, D_STORE_SQL, "t.db", 0, 0, "database or disk is full");
	diag_add(&d, D_STORE_SQL, "t.db", 0, 0, "disk I/O error");
	diag_add(&d, D_STORE_SQL, NULL, 0, 0, "disk I/O error");
	diag_add(&d, D_ICS_BAD_UTF8, "f", 1, 0);
	diag_add(&d, D_ICS_BAD_UTF8, "f", 2, 0);
	diag_add(&d, D_ICS_BAD_UTF8, "f", 1, 0);
	is_int(d.n, 7, "another file, text, line or code, or the same after another: each said");
	is_int(d.errors, 4, "... and counted");
	diag_release(&d);
}

/* Severity counts: notes are in the list but counted nowhere; only errors
 * change the exit status. */
static void test_severity(void)
{
	struct diag d;
	diag_init(&d);
	diag_add(&d, D_ICS_TZ_MAPPED, NULL, 0, 0, "X", "Y");
	diag_add(&d, D_ICS_NO_UID, NULL, 0, 0, "VEVENT", "h1");
	diag_add(&d, D_ICS_BARE, NULL, 0, 0, "VEVENT");
	is_int(d.n, 3, "three items");
	is_int(diag_count(&d, DIAG_ERROR), 0, "no error");
	is_int(diag_count(&d, DIAG_WARNING), 2, "two warnings");
	is_int(diag_count(&d, DIAG_NOTE), 0, "notes are not counted");
	is_int(diag_exit_status(&d), DV_EXIT_OK, "warnings and notes exit 0");
	diag_add(&d, D_PROF_EMPTY, NULL, 0, 0);
	is_int(diag_count(&d, DIAG_ERROR), 1, "one error");
	is_int(diag_exit_status(&d), DV_EXIT_INPUT, "the error's status");
	is_int(diag_severity(D_ICS_TZ_MAPPED), DIAG_NOTE, "a note's severity");
	is_int(diag_severity(D_ICS_NO_UID), DIAG_WARNING, "a warning's severity");
	is_int(diag_severity(D_STORE_SQL), DIAG_ERROR, "an error's severity");
	is_str(diag_severity_name(DIAG_NOTE), "note", "note's name");
	is_str(diag_severity_name(DIAG_WARNING), "warning", "warning's name");
	is_str(diag_severity_name(DIAG_ERROR), "error", "error's name");
	is_str(diag_name(D_ICS_BAD_UTF8), "D_ICS_BAD_UTF8", "a code's name");
	is_int(diag_exit(D_NET_HTTP), DV_EXIT_UNAVAILABLE, "a code's exit status");
	diag_release(&d);
}

/* The worst status wins, whatever the order the errors came in. */
static void test_worst(void)
{
	static const int order[] = {
		DV_EXIT_INTERNAL, DV_EXIT_STORE, DV_EXIT_CANTCREAT, DV_EXIT_UNAVAILABLE,
		DV_EXIT_IO, DV_EXIT_USAGE, DV_EXIT_INPUT, DV_EXIT_PARTIAL, DV_EXIT_PROBLEMS, DV_EXIT_OK
	};
	size_t n = sizeof order / sizeof order[0];
	for (size_t i = 0; i + 1 < n; i++)
		ok(diag_exit_rank(order[i]) > diag_exit_rank(order[i + 1]),
		   "status %d ranks above %d", order[i], order[i + 1]);
	is_int(diag_exit_rank(DV_EXIT_LIMIT), diag_exit_rank(DV_EXIT_INPUT), "a bound passed ranks as bad input");
	is_int(diag_exit_rank(3), 0, "a status outside enum dv_exit ranks 0");
	is_int(diag_exit_worse(DV_EXIT_INPUT, DV_EXIT_STORE), DV_EXIT_STORE, "worse(65, 74)");
	is_int(diag_exit_worse(DV_EXIT_STORE, DV_EXIT_INPUT), DV_EXIT_STORE, "worse(74, 65)");
	is_int(diag_exit_worse(DV_EXIT_OK, DV_EXIT_PARTIAL), DV_EXIT_PARTIAL, "worse(0, 2)");

	/* input first, store second: the store error wins (it was the first's before) */
	struct diag d;
	diag_init(&d);
	diag_add(&d, D_ICS_EMPTY, "a", 0, 0);
	is_int(diag_exit_status(&d), DV_EXIT_INPUT, "one input error: 65");
	diag_add(&d, D_STORE_SQL, NULL, 0, 0, "x");
	is_int(diag_exit_status(&d), DV_EXIT_STORE, "then a store error: 74");
	diag_add(&d, D_USAGE, NULL, 0, 0, "x");
	is_int(diag_exit_status(&d), DV_EXIT_STORE, "a usage error after it does not lower it");
	diag_add(&d, D_ICS_NO_UID, NULL, 0, 0, "VEVENT", "h");
	is_int(diag_exit_status(&d), DV_EXIT_STORE, "nor does a warning");
	diag_add(&d, D_INTERNAL, NULL, 0, 0, "x");
	is_int(diag_exit_status(&d), DV_EXIT_INTERNAL, "an internal error outranks it");
	diag_release(&d);

	/* partial (an error of status 2) then bad input: 65 */
	diag_init(&d);
	diag_add(&d, D_BATCH_PERSON, NULL, 0, 0, "p1", "x");
	is_int(diag_exit_status(&d), DV_EXIT_PARTIAL, "a partial error alone: 2");
	diag_add(&d, D_PROF_EMPTY, NULL, 0, 0);
	is_int(diag_exit_status(&d), DV_EXIT_INPUT, "bad input after it: 65");
	diag_add(&d, D_NET_SCHEME, NULL, 0, 0, "u");
	is_int(diag_exit_status(&d), DV_EXIT_USAGE, "a usage error outranks bad input: 64");
	diag_add(&d, D_IO_OPEN, NULL, 0, 0, "f");
	is_int(diag_exit_status(&d), DV_EXIT_IO, "a file not read outranks usage: 66");
	diag_add(&d, D_NET_HTTP, NULL, 0, 0, "u", "500");
	is_int(diag_exit_status(&d), DV_EXIT_UNAVAILABLE, "a peer not reached outranks it: 69");
	diag_add(&d, D_IO_WRITE, NULL, 0, 0, "f", "x");
	is_int(diag_exit_status(&d), DV_EXIT_CANTCREAT, "an output not written outranks it: 73");
	diag_release(&d);
}

/* Moving appends src's items to dst, adds its counts, keeps the worse exit
 * status, respects dst's bound, and leaves src empty with its bound. */
static void test_move(void)
{
	struct diag dst, src;
	diag_init(&dst);
	diag_init(&src);
	dst.limit = 3;
	src.limit = 7;
	diag_add(&dst, D_ICS_EMPTY, "dst", 1, 0);
	diag_add(&src, D_ICS_NO_UID, "src", 1, 0, "VEVENT", "h");
	diag_add(&src, D_STORE_SQL, "src", 2, 0, "x");
	diag_add(&src, D_ICS_BARE, "src", 3, 0, "VEVENT");
	diag_move(&dst, &src);
	is_int(dst.n, 3, "dst holds up to its bound");
	is_int(dst.dropped, 1, "the item past dst's bound is dropped");
	is_str(dst.v[1].file, "src", "src's items come after dst's");
	is_int(dst.v[2].line, 2, "in their order");
	is_int(dst.errors, 2, "errors added");
	is_int(dst.warnings, 2, "warnings added");
	is_int(diag_exit_status(&dst), DV_EXIT_STORE, "the worse exit status of the two lists");
	is_int(src.n, 0, "src is left empty");
	is_int(src.errors + src.warnings + src.dropped, 0, "with its counts zeroed");
	is_int(diag_exit_status(&src), DV_EXIT_OK, "and exit 0");
	is_int(src.limit, 7, "src keeps its bound");
	ok(src.v == NULL, "src holds no array");

	/* a worse status already in dst stays; src's dropped ones are added */
	struct diag a, b;
	diag_init(&a);
	diag_init(&b);
	b.limit = 1;
	diag_add(&a, D_INTERNAL, NULL, 0, 0, "x");
	diag_add(&b, D_ICS_EMPTY, NULL, 0, 0);
	diag_add(&b, D_ICS_EMPTY, NULL, 0, 0);
	diag_move(&a, &b);
	is_int(diag_exit_status(&a), DV_EXIT_INTERNAL, "dst's worse status stays");
	is_int(a.dropped, 1, "src's dropped count is added");
	is_int(a.errors, 3, "and its errors, dropped ones included");
	/* moving an empty list changes nothing */
	diag_move(&a, &b);
	is_int(a.n, 2, "moving an empty list adds no item");
	is_int(a.errors, 3, "nor any count");
	diag_release(&a);
	diag_release(&b);
	diag_release(&dst);
	diag_release(&src);
}

/* The catalogue's rules: names unique and spelled like the code, templates
 * with no conversion but %s, an error always with a failing status and a
 * warning or note never. */
static void test_catalogue(void)
{
	int bad_names = 0, bad_tmpl = 0, bad_exit = 0;
	for (int c = 0; c < D__COUNT; c++) {
		const char *name = diag_name((enum diag_code)c);
		if (strncmp(name, "D_", 2) != 0)
			bad_names++;
		for (int k = 0; k < c; k++)
			if (strcmp(name, diag_name((enum diag_code)k)) == 0)
				bad_names++;
		for (const char *p = diag_template((enum diag_code)c); *p; p++)
			if (p[0] == '%' && p[1] != 's' && p[-1] != '%')
				bad_tmpl++;
		enum diag_severity sev = diag_severity((enum diag_code)c);
		int ex = diag_exit((enum diag_code)c);
		if ((sev == DIAG_ERROR) != (ex != DV_EXIT_OK) || (ex != DV_EXIT_OK && !diag_exit_rank(ex)))
			bad_exit++;
	}
	is_int(bad_names, 0, "names start with D_ and are unique");
	is_int(bad_tmpl, 0, "templates take %%s only");
	is_int(bad_exit, 0, "errors and only errors have a ranked, failing status");
	ok(D__COUNT > 90, "the catalogue holds every code (%d)", (int)D__COUNT);
	is_str(diag_explanation(D_STORE_PERM) ? "set" : "unset", "set", "a code has an explanation");
	int missing = 0;
	for (int c = 0; c < D__COUNT; c++)
		if (!diag_explanation((enum diag_code)c) || !*diag_explanation((enum diag_code)c))
			missing++;
	is_int(missing, 0, "every code has an explanation");
}

int main(void)
{
	test_add();
	test_format();
	test_limit();
	test_again();
	test_severity();
	test_worst();
	test_move();
	test_catalogue();
	return tap_done();
}
