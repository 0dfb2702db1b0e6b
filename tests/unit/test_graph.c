/* test_graph.c: unit tests for the caseload's sharing graph, its components and shards (batch/graph.c). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovetail/caseload.h"
#include "tap.h"

static char dir[] = "/tmp/dovetail-test-graph.XXXXXX";

/* Write dir/name (folders made) from a printf format. */
static void put(const char *name, const char *fmt, ...)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	va_list ap;
	va_start(ap, fmt);
	if (!f || vfprintf(f, fmt, ap) < 0 || fclose(f) != 0)
		abort();
	va_end(ap);
}

/* A profile at dir/sub/ID.yaml: person ID, then `more` (practitioners,
 * carers, family) as written. Line 5 is `practitioners:` when more starts
 * with it. */
static void person(const char *sub, const char *id, const char *more)
{
	char name[128];
	snprintf(name, sizeof name, "%s/%s.yaml", sub, id);
	put(name,
	    "version: 1\n"
	    "person: { id: %s, timezone: Europe/London, home: home }\n"
	    "venues:\n"
	    "  - { id: home, kind: home }\n"
	    "%s", id, more);
}

static struct caseload *caseload(const char *name, const char *text)
{
	put(name, "%s", text);
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct diag d;
	diag_init(&d);
	struct caseload *c = NULL;
	if (caseload_load(&c, path, &d) < 0) {
		for (size_t i = 0; i < d.n; i++)
			printf("# %s:%d:%d: %s\n", d.v[i].file, d.v[i].line, d.v[i].col, d.v[i].msg);
		abort();
	}
	diag_release(&d);
	return c;
}

static long person_ix(const struct caseload *c, const char *id)
{
	for (size_t i = 0; i < c->n_persons; i++)
		if (strcmp(c->persons[i].id, id) == 0)
			return (long)i;
	abort();
}

/* Person id's keys, joined with ' '. */
static const char *keys_of(const struct cl_graph *g, const struct caseload *c, const char *id)
{
	static char buf[1024];
	size_t i = (size_t)person_ix(c, id), k = 0;
	buf[0] = '\0';
	for (size_t j = g->key_start[i]; j < g->key_start[i + 1]; j++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", j > g->key_start[i] ? " " : "",
				      g->keys[g->key_idx[j]]);
	return buf;
}

static void expect_feeds_error(const char *what, struct caseload *c, int in_dir, const char *file,
			       int line, int col, const char *needle, size_t n_errors)
{
	struct diag d;
	diag_init(&d);
	struct cl_graph *g = (struct cl_graph *)1;
	int rc = caseload_scan(c, in_dir, 1, &g, &d);
	ok(rc == -1 && g == NULL, "%s: refused", what);
	int found = 0;
	for (size_t i = 0; i < d.n; i++)
		found |= d.v[i].code == D_CASELOAD_FEEDS && d.v[i].file && strcmp(d.v[i].file, file) == 0 &&
			 d.v[i].line == line && d.v[i].col == col && strstr(d.v[i].msg, needle) != NULL;
	ok(found, "%s: at %s:%d:%d, saying '%s'", what, file, line, col, needle);
	if (!found)
		for (size_t i = 0; i < d.n; i++)
			printf("#   %s:%d:%d %s\n", d.v[i].file ? d.v[i].file : "-", d.v[i].line, d.v[i].col, d.v[i].msg);
	is_int(d.errors, n_errors, "%s: %zu error(s)", what, n_errors);
	is_int(diag_exit_status(&d), 65, "%s: exit status 65", what);
	cl_graph_free(g);
	diag_release(&d);
}

/* ---- who shares whom ------------------------------------------------------- */

static void test_sharing(void)
{
	/* feeds are never read: none of these is iCalendar */
	const char *feeds[] = { "physio", "salt", "salt2", "ortho", "mum", "gp", "dentist", "own" };
	for (size_t i = 0; i < sizeof feeds / sizeof *feeds; i++) {
		char name[64];
		snprintf(name, sizeof name, "feeds/%s.ics", feeds[i]);
		put(name, "not iCalendar: the scan reads profiles only\n");
	}
	/* a listed practitioner */
	person("a", "P-01", "practitioners:\n  - { id: physio, role: physiotherapist, feeds: [../feeds/physio.ics] }\n");
	person("a", "P-02", "practitioners:\n  - { id: physio, role: physiotherapist, feeds: [./../feeds/physio.ics] }\n");
	/* an unlisted id two profiles name */
	person("a", "P-03", "practitioners:\n  - { id: salt, role: speech therapist, feeds: [../feeds/salt.ics] }\n");
	person("a", "P-04", "practitioners:\n  - { id: salt, role: speech therapist, feeds: [../feeds/salt.ics] }\n"
			    "  - { id: gp, role: GP, feeds: [../feeds/gp.ics] }\n");
	/* a carer feed (under another carer id) */
	person("a", "P-05", "practitioners: []\ncarers:\n  - { id: mum, feeds: [../feeds/mum.ics] }\n");
	person("a", "P-06", "practitioners:\n  - { id: dentist, role: dentist, feeds: [../feeds/dentist.ics] }\n"
			    "carers:\n  - { id: mother, feeds: [../feeds/mum.ics] }\n"
			    "  - { id: nan, feeds: [../feeds/mum.ics] }\n");
	/* a broken profile naming physio with other feeds: a singleton, no error */
	person("a", "P-07", "practitioners: [\n  - { id: physio, role: physiotherapist, feeds: [../feeds/ortho.ics] }\n");
	/* a profile whose person.id is not the caseload's: the same */
	person("a", "P-08", "practitioners:\n  - { id: physio, role: physiotherapist, feeds: [../feeds/ortho.ics] }\n");
	put("a/P-08.yaml", "version: 1\nperson: { id: P-99, timezone: Europe/London, home: home }\n"
			   "venues:\n  - { id: home, kind: home }\n"
			   "practitioners:\n  - { id: physio, role: physiotherapist, feeds: [../feeds/ortho.ics] }\n");
	/* listed, named by one person: still a key */
	person("a", "P-09", "practitioners:\n  - { id: ortho, role: orthotist, feeds: [../feeds/ortho.ics] }\n"
			    "family: { feeds: [../feeds/own.ics] }\n");
	/* the family's own calendar is never shared, nor a lone unlisted id */
	person("a", "P-10", "practitioners:\n  - { id: dentist2, role: dentist, feeds: [../feeds/dentist.ics] }\n"
			    "family: { feeds: [../feeds/own.ics] }\n");
	/* a profile that is missing altogether */
	struct caseload *c = caseload("share.yaml",
		"version: 1\n"
		"practitioners:\n"
		"  - { id: physio, feeds: [feeds/physio.ics] }\n"
		"  - { id: ortho }\n"
		"persons:\n"
		"  - { id: P-10, profile: a/P-10.yaml }\n"
		"  - { id: P-01, profile: a/P-01.yaml }\n"
		"  - { id: P-02, profile: a/P-02.yaml }\n"
		"  - { id: P-03, profile: a/P-03.yaml }\n"
		"  - { id: P-04, profile: a/P-04.yaml }\n"
		"  - { id: P-05, profile: a/P-05.yaml }\n"
		"  - { id: P-06, profile: a/P-06.yaml }\n"
		"  - { id: P-07, profile: a/P-07.yaml }\n"
		"  - { id: P-08, profile: a/P-08.yaml }\n"
		"  - { id: P-09, profile: a/P-09.yaml }\n"
		"  - { id: P-11, profile: a/missing.yaml }\n");
	struct diag d;
	diag_init(&d);
	struct cl_graph *g = NULL;
	int rc = caseload_scan(c, 0, 1, &g, &d);
	ok(rc == 0 && g, "the scan succeeds");
	is_int(d.n, 0, "... and says nothing (broken profiles are the batch's to report)");
	if (!g) {
		for (size_t i = 0; i < d.n; i++)
			printf("#   %s:%d:%d %s\n", d.v[i].file ? d.v[i].file : "-", d.v[i].line, d.v[i].col, d.v[i].msg);
		diag_release(&d);
		caseload_free(c);
		return;
	}
	is_int(g->n_persons, 11, "11 persons");
	is_str(keys_of(g, c, "P-01"), "physio", "P-01: the listed practitioner");
	is_str(keys_of(g, c, "P-02"), "physio", "P-02: the same, its feed written otherwise");
	is_str(keys_of(g, c, "P-03"), "salt", "P-03: an unlisted id another profile names");
	is_str(keys_of(g, c, "P-04"), "salt", "P-04: salt, not gp (no one else names it)");
	ok(strncmp(keys_of(g, c, "P-05"), "carer:", 6) == 0 && !strchr(keys_of(g, c, "P-05"), ' '),
	   "P-05: one carer key (%s)", keys_of(g, c, "P-05"));
	char p5[CL_KEY_MAX];
	snprintf(p5, sizeof p5, "%s", keys_of(g, c, "P-05"));
	is_str(keys_of(g, c, "P-06"), p5, "P-06: the same carer key once (two carers name the feed), not dentist");
	is_str(keys_of(g, c, "P-07"), "", "P-07: a broken profile has no keys");
	is_str(keys_of(g, c, "P-08"), "", "P-08: a profile of another person.id has no keys");
	is_str(keys_of(g, c, "P-09"), "ortho", "P-09: a listed practitioner no one else names; not the family's calendar");
	is_str(keys_of(g, c, "P-10"), "", "P-10: a lone unlisted id and the family's calendar are no keys");
	is_str(keys_of(g, c, "P-11"), "", "P-11: a missing profile has no keys");
	is_int(g->loaded[person_ix(c, "P-01")], 1, "P-01's profile loaded");
	is_int(g->loaded[person_ix(c, "P-07")], 0, "P-07's did not");
	is_int(g->loaded[person_ix(c, "P-08")], 0, "P-08's is not P-08's");
	is_int(g->loaded[person_ix(c, "P-11")], 0, "P-11's is missing");
	is_int(g->n_keys, 4, "four keys in all");
	ok(cl_graph_key_index(g, "physio") >= 0 && cl_graph_key_index(g, "gp") == -1 &&
	   cl_graph_key_index(g, p5) >= 0, "cl_graph_key_index finds keys, and not what is no key");
	for (size_t k = 1; k < g->n_keys; k++)
		ok(strcmp(g->keys[k - 1], g->keys[k]) < 0, "keys ascend (%s < %s)", g->keys[k - 1], g->keys[k]);
	/* P-01 P-02 | P-03 P-04 | P-05 P-06 | P-07 | P-08 | P-09 | P-10 | P-11 */
	is_int(g->n_comps, 8, "8 components");
	static const char *const ids[] = { "P-01", "P-02", "P-03", "P-04", "P-05", "P-06", "P-07", "P-08", "P-09", "P-10", "P-11" };
	static const size_t want[] = { 0, 0, 1, 1, 2, 2, 3, 4, 5, 6, 7 };
	for (size_t i = 0; i < 11; i++)
		is_int(g->comp[person_ix(c, ids[i])], want[i], "%s is in component %zu", ids[i], want[i]);
	is_int(g->comp_size[0], 2, "component 0 has 2 persons");
	is_int(g->comp_first[2], person_ix(c, "P-05"), "component 2 starts at P-05");
	/* the shared carer's key is the library's key of the feed's canonical path */
	char mum[512], key[CL_KEY_MAX];
	snprintf(mum, sizeof mum, "%s/feeds/mum.ics", dir);
	char *canon = realpath(mum, NULL);
	caseload_carer_key(canon, key);
	free(canon);
	is_str(p5, key, "the carer key is caseload_carer_key of the feed's canonical path");
	cl_graph_free(g);
	diag_release(&d);
	caseload_free(c);

	char k2[CL_KEY_MAX];
	caseload_carer_key("/dev/null/mum.ics", k2);
	is_str(k2, "carer:1ede9613df2684e5bba1c7601a090bc3a8d11bddad4486da7d91f11e44b34a03",
	       "caseload_carer_key: \"carer:\" and the SHA-256 hex of the source (as Python's hashlib)");
	is_int(strlen(k2), 70, "a carer key is 70 characters");
}

/* ---- one diary, one truth ---------------------------------------------------- */

static void test_feeds_differ(void)
{
	/* lines: 5 practitioners:, 6 - id: physio (col 5), 8 feeds: (col 5) */
	static const char *const block = "practitioners:\n  - id: physio\n    role: physiotherapist\n    feeds: [%s]\n";
	char more[256];
	snprintf(more, sizeof more, block, "../feeds/physio.ics");
	person("e", "P-A", more);
	snprintf(more, sizeof more, block, "../feeds/ortho.ics");
	person("e", "P-B", more);
	snprintf(more, sizeof more, block, "../feeds/ortho.ics, ../feeds/physio.ics");
	person("e", "P-C", more);
	snprintf(more, sizeof more, block, "../feeds/physio.ics, ../feeds/ortho.ics, ../feeds/physio.ics");
	person("e", "P-D", more);
	person("e", "P-E", "practitioners:\n  - { id: physio, role: physiotherapist, match: { text: P-E } }\n");

	/* the caseload's feeds are the truth */
	struct caseload *c = caseload("e1.yaml",
		"version: 1\npractitioners:\n  - { id: physio, feeds: [feeds/physio.ics] }\n"
		"persons:\n  - { id: P-B, profile: e/P-B.yaml }\n  - { id: P-A, profile: e/P-A.yaml }\n");
	expect_feeds_error("other feeds than the caseload's, in the caseload's folder", c, 1, "e/P-B.yaml", 8, 5,
			   "practitioner physio is shared, but this profile names other feeds for it than the caseload's (", 1);
	char resolved[600];
	snprintf(resolved, sizeof resolved, "%s/e/P-B.yaml", dir);
	expect_feeds_error("... named by its resolved path from elsewhere", c, 0, resolved, 8, 5, "e1.yaml:3:5)", 1);
	caseload_free(c);

	/* an unlisted id: the first person in id order is the truth (P-B
	 * is listed first, P-A is first by id) */
	c = caseload("e2.yaml", "version: 1\npersons:\n  - { id: P-B, profile: e/P-B.yaml }\n"
				"  - { id: P-A, profile: e/P-A.yaml }\n");
	expect_feeds_error("an unlisted shared id with other feeds", c, 1, "e/P-B.yaml", 8, 5,
			   "than person P-A's (e/P-A.yaml:8:5)", 1);
	caseload_free(c);

	/* listed without feeds: the first person's; a set (order and
	 * repeats do not count); a practitioner with no feeds at its entry */
	c = caseload("e3.yaml", "version: 1\npractitioners:\n  - { id: physio }\n"
				"persons:\n  - { id: P-C, profile: e/P-C.yaml }\n  - { id: P-D, profile: e/P-D.yaml }\n"
				"  - { id: P-E, profile: e/P-E.yaml }\n");
	expect_feeds_error("no feeds where the first person has two", c, 1, "e/P-E.yaml", 6, 5,
			   "than person P-C's (e/P-C.yaml:8:5)", 1);
	caseload_free(c);
	c = caseload("e4.yaml", "version: 1\npractitioners:\n  - { id: physio }\n"
				"persons:\n  - { id: P-C, profile: e/P-C.yaml }\n  - { id: P-D, profile: e/P-D.yaml }\n");
	struct diag d;
	diag_init(&d);
	struct cl_graph *g = NULL;
	ok(caseload_scan(c, 1, 1, &g, &d) == 0 && d.n == 0, "the same feeds in another order, one repeated: the same set");
	ok(g && g->n_comps == 1, "... and one component");
	cl_graph_free(g);
	diag_release(&d);
	caseload_free(c);

	/* a feed by URL is its own source, in the caseload as in a profile */
	person("e", "P-U", "practitioners:\n  - { id: physio, role: physiotherapist, feeds: [\"https://cal.example/physio.ics\"] }\n");
	person("e", "P-V", "practitioners:\n  - { id: physio, role: physiotherapist, feeds: [\"https://cal.example/physio.ics\"] }\n");
	c = caseload("e6.yaml", "version: 1\npractitioners:\n  - { id: physio, feeds: [\"https://cal.example/physio.ics\"] }\n"
				"persons:\n  - { id: P-U, profile: e/P-U.yaml }\n  - { id: P-V, profile: e/P-V.yaml }\n");
	diag_init(&d);
	g = NULL;
	ok(caseload_scan(c, 1, 1, &g, &d) == 0 && d.n == 0, "a feed URL in the caseload and the profiles: the same feed");
	ok(g && g->n_comps == 1, "... and one component");
	cl_graph_free(g);
	diag_release(&d);
	caseload_free(c);

	/* every differing profile is reported */
	c = caseload("e5.yaml", "version: 1\npractitioners:\n  - { id: physio, feeds: [feeds/ortho.ics] }\n"
				"persons:\n  - { id: P-A, profile: e/P-A.yaml }\n  - { id: P-B, profile: e/P-B.yaml }\n"
				"  - { id: P-C, profile: e/P-C.yaml }\n  - { id: P-E, profile: e/P-E.yaml }\n");
	expect_feeds_error("three profiles differ from the caseload", c, 1, "e/P-E.yaml", 6, 5, "physio", 3);
	caseload_free(c);
}

/* ---- components and shards -------------------------------------------------- */

static void test_shards(void)
{
	/* 20 persons in 8 components: sizes 5 4 3 3 2 1 1 1, interleaved by id;
	 * group 2 is a chain (c1 links P-02 and P-06, c2 links P-06 and P-10),
	 * group 3 shares a carer feed */
	static const int group[20] = { 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 4, 0, 1, 4, 5, 0, 6, 7, 3 };
	char list[4096];
	size_t k = (size_t)snprintf(list, sizeof list, "version: 1\npersons:\n");
	put("feeds/rota.ics", "x\n");
	for (int i = 0; i < 20; i++) {
		char id[16], more[512];
		snprintf(id, sizeof id, "Q-%02d", i);
		switch (group[i]) {
		case 2:
			snprintf(more, sizeof more, "practitioners:\n%s%s",
				 i <= 6 ? "  - { id: c1, role: nurse, feeds: [../feeds/physio.ics] }\n" : "",
				 i >= 6 ? "  - { id: c2, role: nurse, feeds: [../feeds/salt.ics] }\n" : "");
			break;
		case 3:
			snprintf(more, sizeof more, "practitioners: []\ncarers:\n  - { id: dad, feeds: [../feeds/rota.ics] }\n");
			break;
		default:
			snprintf(more, sizeof more, "practitioners:\n  - { id: g%d, role: nurse, feeds: [../feeds/gp.ics] }\n",
				 group[i]);
		}
		person("s", id, more);
		k += (size_t)snprintf(list + k, sizeof list - k, "  - { id: %s, profile: s/%s.yaml }\n", id, id);
	}
	struct caseload *c = caseload("s.yaml", list);
	struct diag d;
	diag_init(&d);
	struct cl_graph *g = NULL;
	ok(caseload_scan(c, 1, 1, &g, &d) == 0 && g, "20 persons scanned");
	if (!g) {
		diag_release(&d);
		caseload_free(c);
		return;
	}
	is_int(g->n_comps, 8, "8 components");
	/* numbered by their first person: the groups' numbers as listed */
	for (int i = 0; i < 20; i++)
		is_int(g->comp[i], group[i], "Q-%02d is in component %d", i, group[i]);
	static const size_t sizes[8] = { 5, 4, 3, 3, 2, 1, 1, 1 }, firsts[8] = { 0, 1, 2, 3, 11, 15, 17, 18 };
	static const size_t order[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	for (int j = 0; j < 8; j++) {
		is_int(g->comp_size[j], sizes[j], "component %d has %zu persons", j, sizes[j]);
		is_int(g->comp_first[j], firsts[j], "component %d starts at Q-%02zu", j, firsts[j]);
		is_int(g->comp_order[j], order[j], "shards take component %zu %s", order[j], j ? "next" : "first");
	}
	/* 3 shards, worked by hand: 0:5 1:4 2:3 2:3(6) 1:2(6) 0:1(6) 0:1(7) 1:1(7) */
	static const unsigned want3[8] = { 0, 1, 2, 2, 1, 0, 0, 1 };
	unsigned load[3] = { 0 };
	for (int i = 0; i < 20; i++) {
		unsigned s = cl_graph_shard_of(g, (size_t)i, 3);
		is_int(s, want3[group[i]], "3 shards, unplanned: Q-%02d in shard %u", i, want3[group[i]]);
		load[s]++;
	}
	is_int(load[0] * 100 + load[1] * 10 + load[2], 776, "3 shards: 7, 7 and 6 persons");
	ok(cl_graph_plan_shards(g, 3, &d) == 0 && g->shard_n == 3, "planned for 3 shards");
	int same = 1;
	for (int i = 0; i < 20; i++)
		same &= cl_graph_shard_of(g, (size_t)i, 3) == want3[group[i]];
	ok(same, "3 shards, planned: the same");
	/* a whole component in one shard, whatever n */
	for (unsigned n = 1; n <= 30; n++) {
		int whole = 1;
		for (int i = 0; i < 20; i++)
			whole &= cl_graph_shard_of(g, (size_t)i, n) == cl_graph_shard_of(g, g->comp_first[g->comp[i]], n);
		if (n == 1 || n == 2 || n == 8 || n == 30)
			ok(whole, "%u shard(s): each component whole in one", n);
	}
	/* more shards than components: one each, the largest in shard 0 */
	for (int i = 0; i < 20; i++)
		if (cl_graph_shard_of(g, (size_t)i, 25) != (unsigned)group[i])
			same = 0;
	ok(same, "25 shards: component j in shard j, the rest empty");
	/* balance: greedy keeps the spread within the largest component */
	unsigned l2[2] = { 0 };
	for (int i = 0; i < 20; i++)
		l2[cl_graph_shard_of(g, (size_t)i, 2)]++;
	is_int(l2[0] * 100 + l2[1], 1010, "2 shards: 10 and 10 persons");
	/* determinism: a second scan, another planning, the same */
	struct cl_graph *h = NULL;
	ok(caseload_scan(c, 0, 1, &h, &d) == 0 && h, "scanned again");
	int equal = h && h->n_comps == g->n_comps && h->n_keys == g->n_keys;
	for (int i = 0; equal && i < 20; i++)
		for (unsigned n = 1; n <= 9; n++)
			equal &= h->comp[i] == g->comp[i] && cl_graph_shard_of(h, (size_t)i, n) == cl_graph_shard_of(g, (size_t)i, n);
	ok(equal, "the same components and shards for 1 to 9 shards");
	is_int(d.n, 0, "nothing said");
	cl_graph_free(h);
	cl_graph_free(g);
	diag_release(&d);
	caseload_free(c);
}

/* ---- the profiles read in worker processes ----------------------------------- */

/* Whether g and h are the same graph. */
static int same_graph(const struct cl_graph *g, const struct cl_graph *h)
{
	if (!g || !h || g->n_persons != h->n_persons || g->n_keys != h->n_keys || g->n_comps != h->n_comps)
		return 0;
	for (size_t k = 0; k < g->n_keys; k++)
		if (strcmp(g->keys[k], h->keys[k]) != 0)
			return 0;
	for (size_t i = 0; i < g->n_persons; i++) {
		if (g->loaded[i] != h->loaded[i] || g->comp[i] != h->comp[i] || g->key_start[i + 1] != h->key_start[i + 1])
			return 0;
		for (size_t j = g->key_start[i]; j < g->key_start[i + 1]; j++)
			if (g->key_idx[j] != h->key_idx[j])
				return 0;
	}
	return 1;
}

/* Whether d and e said the same, in the same order. */
static int same_diags(const struct diag *d, const struct diag *e)
{
	if (d->n != e->n || d->errors != e->errors)
		return 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].code != e->v[i].code || d->v[i].line != e->v[i].line || d->v[i].col != e->v[i].col ||
		    strcmp(d->v[i].file ? d->v[i].file : "", e->v[i].file ? e->v[i].file : "") != 0 ||
		    strcmp(d->v[i].msg, e->v[i].msg) != 0)
			return 0;
	return 1;
}

static void test_workers(void)
{
	/* 300 persons (5 chunks of the workers' 64): practitioners p0 .. p16
	 * shared, a carer's rota every 7th, 3 profiles that do not load */
	put("feeds/gp.ics", "x\n");
	put("feeds/salt.ics", "x\n");
	put("feeds/rota.ics", "x\n");
	size_t cap = 64 * 1024, k = 0;
	char *list = malloc(cap);
	if (!list)
		abort();
	k += (size_t)snprintf(list + k, cap - k, "version: 1\npersons:\n");
	for (int i = 0; i < 300; i++) {
		char id[16], more[512];
		snprintf(id, sizeof id, "W-%03d", i);
		snprintf(more, sizeof more,
			 "practitioners:\n"
			 "  - { id: p%d, role: nurse, feeds: [../feeds/gp.ics] }\n"
			 "  - { id: q%d, role: nurse, feeds: [../feeds/gp.ics, ../feeds/salt.ics] }\n%s",
			 i % 17, i % 5, i % 7 ? "" : "carers:\n  - { id: dad, feeds: [../feeds/rota.ics] }\n");
		if (i % 101 == 50)
			put("w/W-broken.yaml", "version: 1\nperson: [\n");
		person("w", id, more);
		k += (size_t)snprintf(list + k, cap - k, "  - { id: %s, profile: w/%s.yaml }\n", id,
				      i % 101 == 50 ? "W-broken" : id);
	}
	struct caseload *c = caseload("w.yaml", list);
	struct diag d1, d3;
	diag_init(&d1);
	diag_init(&d3);
	struct cl_graph *g1 = NULL, *g3 = NULL;
	ok(caseload_scan(c, 1, 1, &g1, &d1) == 0 && g1, "300 persons scanned in this process");
	ok(caseload_scan(c, 1, 3, &g3, &d3) == 0 && g3, "... and in 3 workers");
	ok(same_graph(g1, g3), "the same graph");
	int broken = 0;
	for (size_t i = 0; g3 && i < 300; i++)
		broken += !g3->loaded[i];
	is_int(broken, 3, "3 profiles did not load");
	is_int(g3 ? g3->n_comps : 0, 4, "4 components: the 3 that did not load, and the rest");
	ok(same_diags(&d1, &d3) && d3.n == 0, "nothing said");
	cl_graph_free(g1);
	cl_graph_free(g3);
	diag_release(&d1);
	diag_release(&d3);
	caseload_free(c);
	/* the same with q2 and q3 each named with other feeds by one person: the same errors */
	person("w", "W-007", "practitioners:\n  - { id: q2, role: nurse, feeds: [../feeds/salt.ics] }\n");
	person("w", "W-203", "practitioners:\n  - { id: q3, role: nurse, feeds: [../feeds/gp.ics] }\n");
	c = caseload("w.yaml", list);
	diag_init(&d1);
	diag_init(&d3);
	g1 = g3 = (struct cl_graph *)1;
	ok(caseload_scan(c, 1, 1, &g1, &d1) == -1 && !g1, "two practitioners with other feeds: refused");
	ok(caseload_scan(c, 1, 3, &g3, &d3) == -1 && !g3, "... in 3 workers too");
	is_int(d3.errors, 2, "2 errors");
	ok(same_diags(&d1, &d3), "the same errors, in the same order");
	diag_release(&d1);
	diag_release(&d3);
	caseload_free(c);
	free(list);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_sharing();
	test_feeds_differ();
	test_shards();
	test_workers();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
