/* test_profile.c: unit tests for the profile loader (yaml.c, read.c): strictness, bounds, venues, travel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/profile.h"
#include "tap.h"

static char dir[] = "/tmp/dovetail-test-profile.XXXXXX";

static const char base[] =
	"version: 1\n"
	"person:\n"
	"  id: T-1\n"
	"  timezone: Europe/London\n"
	"  home: home\n"
	"venues:\n"
	"  - id: home\n"
	"    kind: home\n"
	"    at: [51.4545, -2.5879]\n"
	"  - id: cdc\n"
	"    name: Child Development Centre\n"
	"    aliases: [CDC, \"Frenchay CDC\"]\n"
	"    at: [51.4946, -2.5246]\n"
	"  - id: hosp\n"
	"    name: Hospital\n"
	"  - id: hosp-eye\n"
	"    name: Hospital Eye Clinic\n"
	"practitioners:\n"
	"  - id: physio\n"
	"    role: physiotherapist\n";

/* Load text as DIR/p.yaml; returns the profile or NULL; d gets the reports. */
static struct profile *load(const char *text, struct diag *d)
{
	char path[300];
	snprintf(path, sizeof path, "%s/p.yaml", dir);
	struct profile *p = NULL;
	diag_init(d);
	profile_load_text(&p, path, text, strlen(text), d);
	return p;
}

/* The first diagnostic's message, line and column must be as given. */
static void expect_error(const char *what, const char *text, int line, int col, const char *needle)
{
	struct diag d;
	struct profile *p = load(text, &d);
	ok(!p, "%s: refused", what);
	if (d.n == 0) {
		ok(0, "%s: a diagnostic", what);
	} else {
		is_int(d.v[0].line, line, "%s: line", what);
		is_int(d.v[0].col, col, "%s: column", what);
		ok(strstr(d.v[0].msg, needle) != NULL, "%s: message has '%s'", what, needle);
		if (!strstr(d.v[0].msg, needle))
			printf("#   got: %s\n", d.v[0].msg);
		is_int(diag_exit_status(&d), 65, "%s: exit status 65", what);
	}
	profile_free(p);
	diag_release(&d);
}

static char *with(const char *extra)
{
	size_t n = strlen(base) + strlen(extra) + 1;
	char *s = malloc(n);
	snprintf(s, n, "%s%s", base, extra);
	return s;
}

static void test_valid(void)
{
	struct diag d;
	struct profile *p = load(base, &d);
	ok(p != NULL, "base profile loads");
	if (!p) {
		for (size_t i = 0; i < d.n; i++)
			printf("#   %d:%d %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
		diag_release(&d);
		return;
	}
	is_int(d.n, 0, "no diagnostics");
	is_str(p->person_id, "T-1", "person id");
	is_int(p->day.from, 7 * 60, "day starts 07:00 by default");
	is_int(p->day.to, 19 * 60, "day ends 19:00 by default");
	is_int(p->slot, 5, "slot 5 min by default");
	is_int(p->home, 0, "home venue");
	is_int(p->grouping, GROUP_NEUTRAL, "grouping is neutral unless stated");
	is_int(p->max_appts_per_day, -1, "no limit unless stated");
	ok(fabs(p->weights.journeys - 10) < 1e-9, "default journey weight 10");
	is_int(p->pracs[0].match, MATCH_ALL, "match: all by default");
	is_int(p->pracs[0].movable, 1, "movable by default");
	/* venues by LOCATION */
	is_int(profile_match_venue(p, "Child Development Centre, Room 3"), 1, "name in LOCATION");
	is_int(profile_match_venue(p, "cdc (frenchay)"), 1, "alias, any case, punctuation");
	is_int(profile_match_venue(p, "CDCX building"), -1, "whole words only");
	is_int(profile_match_venue(p, "Hospital Eye Clinic, Level 2"), 3, "the longest name wins");
	is_int(profile_match_venue(p, "Hospital, main entrance"), 2, "shorter name alone");
	is_int(profile_match_venue(p, ""), -1, "empty LOCATION");
	/* travel estimate: 5.97 km * 1.3 / 30 km/h = 15.5 min, + 5 overhead, ceil, slots */
	int t = profile_travel(p, 0, 1);
	is_int(t, 25, "estimated travel home-cdc: 20.5 min, in whole slots of 5: 25");
	is_int(profile_travel(p, 1, 0), t, "estimate is symmetric");
	is_int(profile_travel(p, 0, 2), -1, "no coordinates: unknown");
	is_int(profile_travel(p, 2, 2), 0, "a venue to itself: 0");
	profile_free(p);
	diag_release(&d);
}

static void test_matrix_and_csv(void)
{
	char csv[300];
	snprintf(csv, sizeof csv, "%s/travel.csv", dir);
	FILE *fp = fopen(csv, "w");
	fputs("from,to,minutes,cost\nhome,hosp,40,6.50\nhosp,home,35,6.50\nhome,cdc,99,1\n", fp);
	fclose(fp);
	char *text = with("travel:\n  matrix:\n    - [home, cdc, 12, 2.5]\n  file: travel.csv\n");
	struct diag d;
	struct profile *p = load(text, &d);
	ok(p != NULL, "matrix and CSV load");
	if (p) {
		is_int(profile_travel(p, 0, 1), 15, "matrix wins over CSV and estimate (12 -> 15 in slots)");
		is_int(profile_travel(p, 1, 0), 15, "matrix entry applies both ways");
		is_int(profile_travel(p, 0, 2), 40, "CSV row");
		is_int(profile_travel(p, 2, 0), 35, "CSV reverse row kept");
		ok(fabs(profile_travel_cost(p, 0, 1) - 2.5) < 1e-9, "matrix cost");
	}
	profile_free(p);
	diag_release(&d);
	free(text);
	fp = fopen(csv, "w");
	fputs("from,to,minutes,cost\nhome,nowhere,40,1\n", fp);
	fclose(fp);
	text = with("travel:\n  file: travel.csv\n");
	p = load(text, &d);
	ok(!p && d.n && d.v[0].line == 2 && d.v[0].col == 6 && strstr(d.v[0].file, "travel.csv"),
	   "a bad CSV row is reported at the CSV's line and column");
	profile_free(p);
	diag_release(&d);
	free(text);
	unlink(csv);
}

static void test_errors(void)
{
	char *t;
	expect_error("unknown key", t = with("    rolle: x\n"), 21, 5, "did you mean 'role'?");
	free(t);
	expect_error("duplicate key", t = with("    role: again\n"), 21, 5, "given twice");
	free(t);
	expect_error("anchor", "version: 1\nperson: &p\n  id: x\n", 2, 9, "anchors");
	expect_error("alias", "version: 1\na: [1]\nb: *x\n", 3, 4, "YAML");
	expect_error("tag", "version: 1\nperson: !!map\n  id: x\n", 2, 9, "tags");
	expect_error("merge key", "version: 1\nperson:\n  <<: {id: x}\n", 3, 3, "merge keys");
	expect_error("wrong type", t = with("    intensity: high\n"), 21, 16, "expected a number");
	free(t);
	expect_error("quoted number", t = with("    people: \"2\"\n"), 21, 13, "quoted");
	free(t);
	expect_error("backwards range", t = with("routines:\n  - id: nap\n    kind: sleep\n    duration: 90\n    start: \"13:30-12:30\"\n"),
		     25, 12, "ends before it starts");
	free(t);
	expect_error("negative duration", t = with("routines:\n  - id: nap\n    kind: sleep\n    duration: -5\n    start: \"12:30-13:30\"\n"),
		     24, 15, "must be positive");
	free(t);
	expect_error("unknown venue id", t = with("    default_venue: clinic\n"), 21, 20, "no venue with id 'clinic'");
	free(t);
	expect_error("missing feed", t = with("    feeds: [nope.ics]\n"), 21, 13, "cannot read 'nope.ics'");
	free(t);
	expect_error("missing required key", "version: 1\nperson:\n  id: x\nvenues: []\npractitioners: []\n", 3, 3, "missing required key 'home'");
	expect_error("bad version", "version: 2\n", 1, 10, "between 1 and 1");
	expect_error("two documents", "version: 1\n---\nversion: 1\n", 2, 1, "more than one document");
	expect_error("syntax", "version: 1\nperson: [\n", 3, 1, "YAML syntax");
	expect_error("empty", "", 1, 1, "empty");
	expect_error("bad UTF-8", "version: 1\n# caf\xc3\n", 2, 6, "invalid UTF-8");
	expect_error("overlong UTF-8", "version: 1\n# \xc0\xaf\n", 2, 3, "invalid UTF-8");
	expect_error("BOM", "\xef\xbb\xbfversion: 1\n", 1, 1, "byte order mark");
	/* calendar addresses (export --itip) */
	expect_error("address without mailto:", t = with("    address: physio@nhs.example\n"), 21, 14,
		     "a calendar address is mailto:name@domain");
	free(t);
	expect_error("address with a space", t = with("    address: \"mailto:a b@nhs.example\"\n"), 21, 14,
		     "a calendar address is mailto:name@domain");
	free(t);
	expect_error("address with two @", t = with("    address: mailto:a@b@nhs.example\n"), 21, 14,
		     "a calendar address is mailto:name@domain");
	free(t);
	expect_error("coordinator without address", t = with("coordinator: { name: Keyworker }\n"), 21, 14,
		     "missing required key 'address'");
	free(t);
	struct diag d;
	struct profile *p = load(t = with("    address: MAILTO:physio@nhs.example\n    share_display_name: true\n"
					  "coordinator: { address: \"mailto:kw@council.example\", name: Keyworker }\n"), &d);
	ok(p && p->pracs[0].address && strcmp(p->pracs[0].address, "MAILTO:physio@nhs.example") == 0 &&
	   p->pracs[0].share_display_name == 1, "a practitioner's address and share_display_name");
	ok(p && p->coordinator_address && strcmp(p->coordinator_name, "Keyworker") == 0, "the coordinator");
	free(t);
	profile_free(p);
	diag_release(&d);
}

static void test_bounds(void)
{
	/* deep nesting */
	size_t n = 20000;
	char *deep = malloc(n * 2 + 32);
	strcpy(deep, "version: 1\nx: ");
	size_t off = strlen(deep);
	memset(deep + off, '[', n);
	memset(deep + off + n, ']', n);
	deep[off + 2 * n] = '\0';
	expect_error("10,000 levels of nesting", deep, 2, 35, "nesting deeper");
	free(deep);
	/* a 10 MB scalar: the loader reads only past the file bound */
	size_t big = 10u * 1024 * 1024;
	char *s = malloc(big + 64);
	strcpy(s, "version: 1\nx: ");
	off = strlen(s);
	memset(s + off, 'a', big);
	s[off + big] = '\0';
	expect_error("10 MB value", s, 2, 4, "longer than the limit");
	free(s);
	/* a file past the size bound made of small values */
	size_t lines = 100000;
	s = malloc(lines * 16 + 32);
	strcpy(s, "version: 1\nx:\n");
	off = strlen(s);
	for (size_t i = 0; i < lines; i++)
		off += (size_t)sprintf(s + off, "  - 1234567890\n");
	/* 1 MiB = 14 header bytes + 69,904 lines of 15 bytes + 2 */
	expect_error("2 MB of small values", s, 69907, 3, "larger than the limit");
	free(s);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_valid();
	test_matrix_and_csv();
	test_errors();
	test_bounds();
	rmdir(dir);
	return tap_done();
}
