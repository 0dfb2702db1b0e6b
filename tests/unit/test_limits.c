/* test_limits.c: every bound of docs/limits.md that no other test trips,
 * tripped here, each through the library's own entry point (issue 19,
 * item 15). The map from each bound to its test is the "test" column of
 * docs/limits.md; a bound is a parameter (struct ics_limits) or a
 * constant, and a parameter is tripped at a smaller value where its
 * default would need a file of hundreds of megabytes, the default itself
 * then checked by ics_limits_default. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/caseload.h"
#include "dovetail/ics.h"
#include "dovetail/profile.h"
#include "dovetail/util.h"
#include "tap.h"

/* A growable string. */
struct sb {
	char *s;
	size_t n, cap;
};

static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
		va_end(ap);
		if (b->s && (size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		b->cap = (b->cap + (size_t)k + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
}

static int has_code(const struct diag *d, enum diag_code code, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].code == code && (!needle || strstr(d->v[i].msg, needle)))
			return 1;
	return 0;
}

static void show(const struct diag *d)
{
	for (size_t i = 0; i < d->n && i < 3; i++)
		printf("#   %d:%d %s: %s\n", d->v[i].line, d->v[i].col, diag_name(d->v[i].code), d->v[i].msg);
}

/* ---- feeds ---------------------------------------------------------------- */

static struct ics_limits lim;

/* Read (and expand, when it reads) text; the diagnostics in d. */
static int feed(const char *text, size_t len, const struct ics_limits *l, struct diag *d)
{
	diag_init(d);
	struct bytes b = { malloc(len + 1), len };
	memcpy(b.data, text, len);
	b.data[len] = 0;
	struct ics_feed f;
	int rc = ics_read(&f, "t.ics", &b, l, d);
	if (rc == 0) {
		struct ics_occs occ = { 0 };
		int64_t from = 0, to = 0;
		time_parse_arg("20260101", &from);
		time_parse_arg("20270101", &to);
		struct ics_expand_opts o = { from, to, NULL, l };
		rc = ics_expand(&f, &o, &occ, d);
		ics_occs_release(&occ);
	}
	ics_feed_release(&f);   /* read or not, as the commands do */
	bytes_release(&b);
	return rc;
}

static void test_feeds(void)
{
	struct ics_limits def;
	ics_limits_default(&def);
	ok(def.max_file_bytes == 64u << 20 && def.max_line_bytes == 1u << 20 && def.max_lines == 4000000 &&
	   def.max_depth == 8 && def.max_components == 50000 && def.max_series_occ == 20000 &&
	   def.max_series_iter == 250000 && def.max_dates == 5000 && def.max_feed_occ == 2000000 &&
	   def.cpu_budget_ms == 5000, "the defaults are those of docs/limits.md");

	/* feed size: file_read_all refuses past max_bytes */
	char path[] = "/tmp/dovetail-test-limits.XXXXXX";
	int fd = mkstemp(path);
	ok(fd >= 0 && write(fd, "0123456789", 10) == 10, "a 10-byte file");
	close(fd);
	struct diag d;
	diag_init(&d);
	struct bytes b;
	ok(file_read_all(path, 9, &b, &d) < 0 && has_code(&d, D_IO_TOO_BIG, "9"),
	   "feed size: a file past the limit is D_IO_TOO_BIG, naming the limit");
	is_int(diag_exit_status(&d), 65, "... exit 65");
	diag_release(&d);
	unlink(path);

	/* content lines per feed: 4,000,000 (20 MB of lines; at the default) */
	struct sb t = { 0 };
	sb_add(&t, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n");
	for (long i = 0; i < 4000000; i++)
		sb_add(&t, "X:1\r\n");
	sb_add(&t, "END:VCALENDAR\r\n");
	feed(t.s, t.n, &lim, &d);
	ok(has_code(&d, D_ICS_TOO_MANY_LINES, "4000000"), "content lines: line 4,000,001 is D_ICS_TOO_MANY_LINES");
	show(&d);
	diag_release(&d);
	free(t.s);

	/* recurrence instances of a daily series: 250,000 (a daily rule since 1342) */
	const char *daily = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:old\r\n"
			    "DTSTART:13000101T090000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
	feed(daily, strlen(daily), &lim, &d);
	ok(has_code(&d, D_LIM_ITER, "250000"), "instances per series: a daily rule since 1300 is D_LIM_ITER at 250,000");
	show(&d);
	diag_release(&d);

	/* occurrences per feed: 2,000,000 (tripped at 10,000: 2 hourly series, 8,760 each in the year) */
	struct ics_limits small = lim;
	small.max_feed_occ = 10000;
	const char *two = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
			  "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T000000Z\r\nRRULE:FREQ=HOURLY;COUNT=19000\r\nEND:VEVENT\r\n"
			  "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260101T003000Z\r\nRRULE:FREQ=HOURLY;COUNT=19000\r\nEND:VEVENT\r\n"
			  "END:VCALENDAR\r\n";
	feed(two, strlen(two), &small, &d);
	ok(has_code(&d, D_LIM_FEED, "10000"), "occurrences per feed: D_LIM_FEED past the feed's cap");
	show(&d);
	diag_release(&d);

	/* VTIMEZONE observances: 2,000; RDATEs per observance: 1,000 */
	t = (struct sb){ 0 };
	sb_add(&t, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Many\r\n");
	for (int i = 0; i < 2001; i++)
		sb_add(&t, "BEGIN:STANDARD\r\nDTSTART:%04d0101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n",
		       1000 + i % 1000);
	sb_add(&t, "END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:z\r\nDTSTART;TZID=Many:20260105T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	feed(t.s, t.n, &lim, &d);
	ok(has_code(&d, D_ICS_BAD_VTIMEZONE, "too many observances"), "VTIMEZONE observances: 2,001 make it unusable");
	show(&d);
	diag_release(&d);
	free(t.s);
	t = (struct sb){ 0 };
	sb_add(&t, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTIMEZONE\r\nTZID:Many\r\nBEGIN:STANDARD\r\n"
		   "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n");
	for (int i = 0; i < 1001; i++)
		sb_add(&t, "RDATE:%04d0101T000000\r\n", 1971 + i);
	sb_add(&t, "END:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:z\r\nDTSTART;TZID=Many:20260105T090000\r\n"
		   "END:VEVENT\r\nEND:VCALENDAR\r\n");
	feed(t.s, t.n, &lim, &d);
	ok(has_code(&d, D_ICS_BAD_VTIMEZONE, "too many RDATEs"), "RDATEs of one observance: 1,001 make it unusable");
	show(&d);
	diag_release(&d);
	free(t.s);

	/* diagnostics kept per run: 1,000, the rest counted */
	diag_init(&d);
	for (int i = 0; i < 1500; i++)
		diag_add(&d, D_ICS_LINE_IGNORED, "t.ics", i + 1, 1, "X");
	ok(d.n == 1000 && d.dropped == 500 && d.warnings == 1500, "diagnostics: 1,000 kept, 500 counted as dropped");
	diag_release(&d);
}

/* ---- profiles --------------------------------------------------------------- */

static const char head[] =
	"version: 1\n"
	"person:\n"
	"  id: T-1\n"
	"  timezone: Europe/London\n"
	"  home: home\n";

/* Load text as a profile: refused with code (naming needle, exit 65), or,
 * when not refused, loaded with nothing said. */
static int profile_check(const char *text, int refused, enum diag_code code, const char *needle, const char *what)
{
	struct diag d;
	diag_init(&d);
	struct profile *p = NULL;
	int rc = profile_load_text(&p, "/tmp/p.yaml", text, strlen(text), &d);
	int good = refused ? rc < 0 && !p && has_code(&d, code, needle) && diag_exit_status(&d) == 65
			: rc == 0 && p && d.n == 0;
	ok(good, "%s", what);
	if (!good)
		show(&d);
	profile_free(p);
	diag_release(&d);
	return good;
}

static int profile_fails(const char *text, enum diag_code code, const char *needle, const char *what)
{
	return profile_check(text, 1, code, needle, what);
}

static int profile_loads(const char *text, const char *what)
{
	return profile_check(text, 0, D_USAGE, NULL, what);
}

static void test_profiles(void)
{
	struct sb t = { 0 };
	/* venues 256 */
	sb_add(&t, "%svenues:\n  - { id: home, kind: home }\n", head);
	for (int i = 0; i < 256; i++)
		sb_add(&t, "  - { id: v%d, name: V%d }\n", i, i);
	sb_add(&t, "practitioners:\n  - { id: physio, role: physio }\n");
	profile_fails(t.s, D_PROF_TOO_MANY, "256", "venues: the 257th is D_PROF_TOO_MANY");
	free(t.s);
	/* practitioners 64 */
	t = (struct sb){ 0 };
	sb_add(&t, "%svenues:\n  - { id: home, kind: home }\npractitioners:\n", head);
	for (int i = 0; i < 65; i++)
		sb_add(&t, "  - { id: p%d, role: r }\n", i);
	profile_fails(t.s, D_PROF_TOO_MANY, "64", "practitioners: the 65th is D_PROF_TOO_MANY");
	free(t.s);
	/* feeds per practitioner 16 */
	t = (struct sb){ 0 };
	sb_add(&t, "%svenues:\n  - { id: home, kind: home }\npractitioners:\n  - id: p\n    role: r\n    feeds: [", head);
	for (int i = 0; i < 17; i++)
		sb_add(&t, "%sf%d.ics", i ? ", " : "", i);
	sb_add(&t, "]\n");
	profile_fails(t.s, D_PROF_TOO_MANY, "16", "feeds of one practitioner: the 17th is D_PROF_TOO_MANY");
	free(t.s);
	/* entries of one list 256 (aliases) */
	t = (struct sb){ 0 };
	sb_add(&t, "%svenues:\n  - { id: home, kind: home }\n  - id: v\n    name: V\n    aliases: [", head);
	for (int i = 0; i < 257; i++)
		sb_add(&t, "%sa%d", i ? ", " : "", i);
	sb_add(&t, "]\npractitioners:\n  - { id: physio, role: physio }\n");
	profile_fails(t.s, D_PROF_TOO_MANY, "256", "entries of one list: the 257th alias is D_PROF_TOO_MANY");
	free(t.s);
	/* carers 16 */
	for (int n = 16; n <= 17; n++) {
		t = (struct sb){ 0 };
		sb_add(&t, "%svenues:\n  - { id: home, kind: home }\npractitioners:\n  - { id: physio, role: physio }\ncarers:\n",
		       head);
		for (int i = 0; i < n; i++)
			sb_add(&t, "  - { id: c%d, working_hours: [{ days: [tue], hours: \"09:00-12:00\" }] }\n", i);
		if (n == 16)
			profile_loads(t.s, "carers: 16 load");
		else
			profile_fails(t.s, D_PROF_TOO_MANY, "16", "carers: the 17th is D_PROF_TOO_MANY");
		free(t.s);
	}
	/* an id: 1 to 64 characters (PROFILE_MAX_ID), of a practitioner, a venue, a routine */
	char id64[PROFILE_MAX_ID + 2];
	memset(id64, 'x', sizeof id64);
	for (int n = PROFILE_MAX_ID; n <= PROFILE_MAX_ID + 1; n++) {
		id64[n - 1] = 'x';
		id64[n] = 0;
		static const char *const kinds[] = { "practitioner", "venue", "routine" };
		for (int k = 0; k < 3; k++) {
			t = (struct sb){ 0 };
			sb_add(&t, "%svenues:\n  - { id: home, kind: home }\n  - { id: %s, name: V }\n", head,
			       k == 1 ? id64 : "clinic");
			sb_add(&t, "practitioners:\n  - { id: %s, role: physio }\n", k == 0 ? id64 : "physio");
			sb_add(&t, "routines:\n  - { id: %s, kind: meal, days: all, start: \"12:00-13:00\", duration: 30, place: home }\n",
			       k == 2 ? id64 : "lunch");
			char what[128];
			snprintf(what, sizeof what, "ids: a %s id of %d characters %s", kinds[k], n,
				 n > PROFILE_MAX_ID ? "is D_PROF_VALUE" : "loads");
			if (n > PROFILE_MAX_ID)
				profile_fails(t.s, D_PROF_VALUE, "1 to 64", what);
			else
				profile_loads(t.s, what);
			free(t.s);
		}
	}
	/* a feed's URL: at most 2,000 bytes (FETCH_MAX_URL) */
	for (size_t n = FETCH_MAX_URL; n <= FETCH_MAX_URL + 1; n++) {
		char *u = malloc(n + 1);
		memset(u, 'a', n);
		memcpy(u, "https://h/", 10);
		u[n] = 0;
		t = (struct sb){ 0 };
		sb_add(&t, "%svenues:\n  - { id: home, kind: home }\npractitioners:\n  - { id: p, role: r, feeds: [\"%s\"] }\n",
		       head, u);
		if (n > FETCH_MAX_URL)
			profile_fails(t.s, D_PROF_VALUE, "longer than 2000", "feed URL: 2,001 bytes are D_PROF_VALUE");
		else
			profile_loads(t.s, "feed URL: 2,000 bytes load");
		free(t.s);
		free(u);
	}
	/* routines 64 */
	t = (struct sb){ 0 };
	sb_add(&t, "%svenues:\n  - { id: home, kind: home }\npractitioners:\n  - { id: physio, role: physio }\nroutines:\n", head);
	for (int i = 0; i < 65; i++)
		sb_add(&t, "  - { id: r%d, kind: meal, days: all, start: \"12:00-13:00\", duration: 30, venue: home }\n", i);
	profile_fails(t.s, D_PROF_TOO_MANY, "64", "routines: the 65th is D_PROF_TOO_MANY");
	free(t.s);
	/* overrides 1,024 */
	t = (struct sb){ 0 };
	sb_add(&t, "%svenues:\n  - { id: home, kind: home }\npractitioners:\n  - { id: physio, role: physio }\noverrides:\n", head);
	for (int i = 0; i < 1025; i++)
		sb_add(&t, "  - { uid: u%d, fixed: true }\n", i);
	profile_fails(t.s, D_PROF_TOO_MANY, "1024", "overrides: the 1,025th is D_PROF_TOO_MANY");
	free(t.s);
	/* YAML events 100,000 */
	t = (struct sb){ 0 };
	sb_add(&t, "version: 1\nx: [");
	for (int i = 0; i < 100001; i++)
		sb_add(&t, "%s1", i ? "," : "");
	sb_add(&t, "]\n");
	profile_fails(t.s, D_PROF_EVENTS, "100000", "YAML nodes: past 100,000 is D_PROF_EVENTS");
	free(t.s);
	/* nesting 32 */
	t = (struct sb){ 0 };
	sb_add(&t, "version: 1\nx: ");
	for (int i = 0; i < 33; i++)
		sb_add(&t, "[");
	for (int i = 0; i < 33; i++)
		sb_add(&t, "]");
	sb_add(&t, "\n");
	profile_fails(t.s, D_PROF_DEEP, "32", "nesting: 33 levels is D_PROF_DEEP");
	free(t.s);
	/* travel matrix entries 65,536 (MAX_MATRIX): the YAML events stop a
	 * matrix near 16,666 first, so the bound is lowered to 3 here */
	profile_matrix_limit(3);
	for (int n = 3; n <= 4; n++) {
		t = (struct sb){ 0 };
		sb_add(&t, "%svenues:\n  - { id: home, kind: home }\n  - { id: a, name: A }\n  - { id: b, name: B }\n"
			   "practitioners:\n  - { id: physio, role: physio }\ntravel:\n  matrix:\n", head);
		static const char *const pairs[] = { "home, a", "home, b", "a, b", "b, a" };
		for (int i = 0; i < n; i++)
			sb_add(&t, "    - [%s, 10, 1]\n", pairs[i]);
		if (n == 3)
			profile_loads(t.s, "travel matrix: 3 entries load at a bound of 3");
		else
			profile_fails(t.s, D_PROF_TOO_MANY, "3", "travel matrix: the 4th is D_PROF_TOO_MANY at a bound of 3");
		free(t.s);
	}
	profile_matrix_limit(65536);
	/* travel CSV 1 MiB */
	char dir[] = "/tmp/dovetail-test-limits.XXXXXX";
	if (mkdtemp(dir)) {
		char csv[300], prof[300];
		snprintf(csv, sizeof csv, "%s/t.csv", dir);
		snprintf(prof, sizeof prof, "%s/p.yaml", dir);
		FILE *f = fopen(csv, "w");
		fputs("from,to,minutes,cost\n", f);
		for (int i = 0; i < 80000; i++)   /* 1.1 MB */
			fputs("home,home,0,0\n", f);
		fclose(f);
		t = (struct sb){ 0 };
		sb_add(&t, "%svenues:\n  - { id: home, kind: home }\npractitioners:\n  - { id: physio, role: physio }\n"
			   "travel:\n  file: t.csv\n", head);
		struct diag d;
		diag_init(&d);
		struct profile *p = NULL;
		int rc = profile_load_text(&p, prof, t.s, t.n, &d);
		int good = rc < 0 && has_code(&d, D_PROF_FILE, "1048576");
		ok(good, "travel CSV: past 1 MiB is refused, naming the limit");
		if (!good)
			show(&d);
		profile_free(p);
		diag_release(&d);
		free(t.s);
		unlink(csv);
		rmdir(dir);
	}
	/* a byte order mark, invalid UTF-8 */
	profile_fails("\xef\xbb\xbfversion: 1\n", D_PROF_YAML, "byte order mark", "a byte order mark is refused");
	profile_fails("version: 1\nx: \xff\n", D_PROF_BAD_UTF8, NULL, "invalid UTF-8 is refused");
}

/* ---- caseloads ----------------------------------------------------------- */

static int caseload_fails(const char *text, size_t len, enum diag_code code, const char *needle, const char *what)
{
	struct diag d;
	diag_init(&d);
	struct caseload *c = NULL;
	int rc = caseload_load_text(&c, "/tmp/c.yaml", text, len, &d);
	int good = rc < 0 && !c && has_code(&d, code, needle) && diag_exit_status(&d) == 65;
	ok(good, "%s", what);
	if (!good)
		show(&d);
	caseload_free(c);
	diag_release(&d);
	return good;
}

static void test_caseloads(void)
{
	struct sb t = { 0 };
	/* an id: 1 to 64 characters (PROFILE_MAX_ID), of a person, a shared practitioner */
	char id[PROFILE_MAX_ID + 2];
	memset(id, 'x', sizeof id);
	for (int n = PROFILE_MAX_ID; n <= PROFILE_MAX_ID + 1; n++) {
		id[n - 1] = 'x';
		id[n] = 0;
		for (int k = 0; k < 2; k++) {
			t = (struct sb){ 0 };
			sb_add(&t, "version: 1\npersons:\n- {id: %s, profile: p}\npractitioners:\n- {id: %s, feeds: [f]}\n",
			       k == 0 ? id : "P0", k == 1 ? id : "r0");
			char what[128];
			snprintf(what, sizeof what, "ids: a %s id of %d characters %s", k ? "shared practitioner" : "person",
				 n, n > PROFILE_MAX_ID ? "is D_PROF_VALUE" : "loads");
			if (n > PROFILE_MAX_ID) {
				caseload_fails(t.s, t.n, D_PROF_VALUE, "1 to 64", what);
			} else {
				struct diag d;
				diag_init(&d);
				struct caseload *c = NULL;
				int good = caseload_load_text(&c, "/tmp/c.yaml", t.s, t.n, &d) == 0 && c && d.n == 0;
				ok(good, "%s", what);
				if (!good)
					show(&d);
				caseload_free(c);
				diag_release(&d);
			}
			free(t.s);
		}
	}
	t = (struct sb){ 0 };
	sb_add(&t, "version: 1\npersons:\n");
	for (long i = 0; i < CASELOAD_MAX_PERSONS + 1L; i++)
		sb_add(&t, "- {id: P%ld, profile: p}\n", i);
	caseload_fails(t.s, t.n, D_PROF_TOO_MANY, "200000", "persons: the 200,001st is D_PROF_TOO_MANY");
	free(t.s);
	t = (struct sb){ 0 };
	sb_add(&t, "version: 1\npersons:\n- {id: P0, profile: p}\npractitioners:\n");
	for (long i = 0; i < CASELOAD_MAX_PRACS + 1L; i++)
		sb_add(&t, "- {id: r%ld, feeds: [f]}\n", i);
	caseload_fails(t.s, t.n, D_PROF_TOO_MANY, "50000", "shared practitioners: the 50,001st is D_PROF_TOO_MANY");
	free(t.s);
	t = (struct sb){ 0 };
	sb_add(&t, "version: 1\nx: [");
	for (long i = 0; i < CASELOAD_MAX_EVENTS; i++)
		sb_add(&t, "%s1", i ? "," : "");
	sb_add(&t, "]\n");
	caseload_fails(t.s, t.n, D_PROF_EVENTS, "4000000", "YAML nodes: past 4,000,000 is D_PROF_EVENTS");
	free(t.s);
	size_t big = CASELOAD_MAX_FILE + 1;
	char *s = malloc(big);
	memset(s, '#', big);
	s[0] = '#';
	for (size_t i = 80; i < big; i += 80)
		s[i] = '\n';
	caseload_fails(s, big, D_PROF_TOO_BIG, NULL, "file: past 32 MiB is D_PROF_TOO_BIG");
	free(s);
}

int main(void)
{
	icalerror_set_errors_are_fatal(0);
	ics_limits_default(&lim);
	test_feeds();
	test_profiles();
	test_caseloads();
	return tap_done();
}
