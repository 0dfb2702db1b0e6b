/* test_caseload.c: unit tests for the caseload loader and the shard hash (batch/caseload.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dovetail/caseload.h"
#include "tap.h"

static char dir[] = "/tmp/dovetail-test-caseload.XXXXXX";

static struct caseload *load(const char *text, struct diag *d)
{
	char path[256];
	snprintf(path, sizeof path, "%s/c.yaml", dir);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
	diag_init(d);
	struct caseload *c = NULL;
	caseload_load(&c, path, d);
	return c;
}

static void expect_error(const char *what, const char *text, int line, int col, const char *needle)
{
	struct diag d;
	struct caseload *c = load(text, &d);
	ok(c == NULL, "%s: refused", what);
	int found = 0;
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].line == line && d.v[i].col == col && strstr(d.v[i].msg, needle))
			found = 1;
	ok(found, "%s: at %d:%d, saying '%s'", what, line, col, needle);
	if (!found)
		for (size_t i = 0; i < d.n; i++)
			printf("#   %d:%d %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
	is_int(diag_exit_status(&d), 65, "%s: exit status 65", what);
	caseload_free(c);
	diag_release(&d);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	struct diag d;
	struct caseload *c = load("version: 1\n"
				  "practitioners:\n"
				  "  - { id: physio, feeds: [physio.ics] }\n"
				  "persons:\n"
				  "  - { id: P-2, profile: p2.yaml }\n"
				  "  - { id: P-1, profile: sub/p1.yaml }\n", &d);
	ok(c != NULL, "a caseload loads");
	if (c) {
		is_int(c->n_persons, 2, "two persons");
		is_str(c->persons[0].id, "P-1", "sorted by id");
		ok(strstr(c->persons[0].profile, "/sub/p1.yaml") != NULL, "profiles resolved from the caseload's folder");
		is_int(caseload_prac_index(c, "physio"), 0, "a shared practitioner");
		is_int(caseload_prac_index(c, "salt"), -1, "... and one that is not");
		is_int(strlen(c->digest), 64, "the file's digest");
	}
	caseload_free(c);
	diag_release(&d);
	/* the shard of a person is fixed by FNV-1a, not by the build */
	is_int(caseload_shard_of("P-00001", 3), 0, "P-00001 is in shard 0 of 3");
	is_int(caseload_shard_of("P-00003", 3), 1, "P-00003 is in shard 1 of 3 (FNV-1a 64, as computed independently in Python)");
	is_int(caseload_shard_of("anything", 1), 0, "one shard holds everyone");
	unsigned counts[4] = { 0 };
	char id[16];
	for (int i = 0; i < 4000; i++) {
		snprintf(id, sizeof id, "P-%05d", i);
		counts[caseload_shard_of(id, 4)]++;
	}
	/* FNV-1a is fixed, so the spread is too: exactly even for these ids */
	ok(counts[0] == 1000 && counts[1] == 1000 && counts[2] == 1000 && counts[3] == 1000,
	   "4,000 persons spread over 4 shards, 1,000 each (%u %u %u %u)", counts[0], counts[1], counts[2], counts[3]);

	expect_error("unknown key", "version: 1\npersons:\n  - { id: P-1, profil: x.yaml }\n", 3, 16,
		     "an unknown key in persons[0]; did you mean 'profile'?");
	/* issue 19, item 12: a key that is not the schema's is never quoted */
	expect_error("unknown key, not echoed", "version: 1\npersons:\n  - { id: P-1, profile: x.yaml }\n"
		     "root:x:0:0:root:/root:/bin/bash: 1\n", 4, 1, "an unknown key in the caseload; valid keys: see docs/batch.md");
	/* issue 19, item 15: one schema layer: a key given twice is refused, as in a profile */
	expect_error("duplicate key", "version: 1\npersons:\n  - { id: P-1, id: P-2, profile: x.yaml }\n", 3, 16,
		     "key 'id' given twice (first on line 3)");
	expect_error("missing profile", "version: 1\npersons:\n  - { id: P-1 }\n", 3, 5, "missing required key 'profile'");
	expect_error("duplicate person", "version: 1\npersons:\n  - { id: P-1, profile: a.yaml }\n  - { id: P-1, profile: b.yaml }\n",
		     4, 5, "id 'P-1' is already used on line 3");
	expect_error("bad id", "version: 1\npersons:\n  - { id: \"P 1\", profile: a.yaml }\n", 3, 11, "an id is 1 to 64 characters");
	expect_error("no persons", "version: 1\npersons: []\n", 2, 10, "at least one person");
	expect_error("version", "version: 2\npersons:\n  - { id: P-1, profile: a.yaml }\n", 1, 10, "must be 1");
	expect_error("YAML alias", "version: 1\npersons: &a\n  - { id: P-1, profile: a.yaml }\n", 2, 10, "anchors");
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
