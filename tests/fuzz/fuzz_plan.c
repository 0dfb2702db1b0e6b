/* fuzz_plan.c: libFuzzer target: a stored plan's text (plan_decode) read against a fixed week
 * (the brute-force family of tests/unit/family.h, four appointments): it aborts unless the text
 * is refused with exactly one D_PLAN_TEXT and no plan, or decoded into a plan that passes
 * plan_check, encodes back to the same text, and makes a proposal (sv_proposal_of_plan). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovetail/person.h"
#include "dovetail/solver.h"
#include "dovetail/util.h"
#include "../unit/family.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct person pw;
static struct store *st;
static struct instance in;
static int ready;

/* The brute-force family's week as booked: a and c may meet jointly at the
 * clinic, b is a home visit, d is fixed (as tests/unit/test_propose.c). */
static const char *const feeds[] = {
	"a.ics",
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:a-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T093000Z\r\n"
	"DTEND:20261123T103000Z\r\nSUMMARY:P-1 physio\r\nLOCATION:Clinic\r\nEND:VEVENT\r\n"
	"BEGIN:VEVENT\r\nUID:a-busy\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\n"
	"DTEND:20261124T100000Z\r\nSUMMARY:Other client\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	"b.ics",
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:b-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261123T110000Z\r\n"
	"DTEND:20261123T113000Z\r\nSUMMARY:P-1 visit\r\nLOCATION:Home\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	"c.ics",
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:c-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T100000Z\r\n"
	"DTEND:20261124T103000Z\r\nSUMMARY:P-1 salt\r\nLOCATION:Clinic\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	"d.ics",
	"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
	"BEGIN:VEVENT\r\nUID:d-1\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261125T100000Z\r\n"
	"DTEND:20261125T110000Z\r\nSUMMARY:P-1 gp\r\nLOCATION:Surgery\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
	NULL
};

static void setup(void)
{
	char dir[64], path[128];
	snprintf(dir, sizeof dir, "/tmp/dovetail-fuzz-plan.%d", (int)getpid());
	if (mkdir(dir, 0700) < 0 && access(dir, W_OK) < 0)
		abort();
	for (size_t i = 0; feeds[i]; i += 2) {
		snprintf(path, sizeof path, "%s/%s", dir, feeds[i]);
		FILE *f = fopen(path, "w");
		if (!f || fputs(feeds[i + 1], f) < 0 || fclose(f) != 0)
			abort();
	}
	struct diag d;
	diag_init(&d);
	struct profile *p;
	static const char profile_text[] = FAMILY_BRUTE_PROFILE;
	snprintf(path, sizeof path, "%s/p.yaml", dir);
	if (profile_load_text(&p, path, profile_text, sizeof profile_text - 1, &d) < 0)
		abort();
	snprintf(path, sizeof path, "%s/s.db", dir);
	if (store_open(&st, path, 0, &d) < 0)
		abort();
	static struct ics_limits lim;
	ics_limits_default(&lim);
	int64_t now = days_from_civil(2026, 11, 23) * 86400;
	struct person_opts po = { now, PERSON_DEFAULT_DATE, PERSON_DEFAULT_DATE, &lim, 0 };
	if (person_open(&pw, p, st, &po, &d) < 0 || instance_build(&in, &pw.week, now, &d) < 0)
		abort();
	diag_release(&d);
	ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready)
		setup();
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;   /* the text ends at its first NUL, as a C string does */
	struct diag d;
	diag_init(&d);
	struct plan pl;
	if (plan_decode(&in, text, &pl, &d) == 0) {
		struct problems bad;
		char *again = NULL;
		struct sv_proposal x;
		if (d.n || pl.n != in.n || plan_check(&in, &pl, &bad, &d) != 1)
			abort();   /* a decoded text is a plan */
		problems_release(&bad);
		if (plan_encode(&in, &pl, &again, &d) < 0 || strcmp(again, text))
			abort();   /* and its text is canonical */
		if (sv_proposal_of_plan(&in, &pl, &x, &d) < 0)
			abort();   /* and makes a proposal */
		sv_proposal_release(&x);
		free(again);
		free(pl.at);
	} else if (pl.at || pl.n || d.n != 1 || d.v[0].code != D_PLAN_TEXT) {
		abort();   /* refused: one D_PLAN_TEXT, no plan */
	}
	diag_release(&d);
	free(text);
	return 0;
}
