/* test_file.c: unit tests for util/file.c and util/addr.c: output folders written whole, private files, one address. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovetail/profile.h"
#include "dovetail/util.h"
#include "tap.h"

static char root[64];

static char *at(const char *name)
{
	static char buf[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", root, name);
	return buf[k];
}

static int slurp_eq(const char *path, const char *want)
{
	char got[256] = { 0 };
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(got, 1, sizeof got - 1, f);
	fclose(f);
	return n == strlen(want) && memcmp(got, want, n) == 0;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_addr(void)
{
	static const struct { const char *s; int ok; } v[] = {
		{ "mailto:x@nhs.example", 1 },
		{ "MAILTO:x.y+z@nhs.example", 1 },
		{ "mailto:x@nhs.example, spy@evil.example", 0 },
		{ "mailto:x@nhs.example,spy@evil.example", 0 },
		{ "mailto:x@nhs.example\r\nBcc: spy@evil.example", 0 },
		{ "mailto:x@nhs.example\nBcc:spy@evil.example", 0 },
		{ "mailto:Someone <x@nhs.example>", 0 },
		{ "mailto:\"a b\"@nhs.example", 0 },
		{ "mailto:x@nhs.example;y@evil.example", 0 },
		{ "mailto:x@y@evil.example", 0 },
		{ "mailto:@nhs.example", 0 },
		{ "mailto:x@", 0 },
		{ "mailto:", 0 },
		{ "x@nhs.example", 0 },
		{ "urn:uuid:1234", 0 },
		{ "mailto:x@nh\xc3\xa9.example", 0 },
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		is_int(addr_is_one(v[i].s, strlen(v[i].s)), v[i].ok, "addr_is_one #%zu", i);
	char longer[300];
	snprintf(longer, sizeof longer, "mailto:%0251d@e.x", 0);
	is_int(addr_is_one(longer, strlen(longer)), 0, "more than 254 characters after the scheme");
	static const char nul[] = "mailto:x@nhs.example\0, spy@evil.example";
	is_int(addr_is_one(nul, sizeof nul - 1), 0, "a NUL inside is refused");
}

static void test_private(void)
{
	struct diag d;
	diag_init(&d);
	put(at("victim"), "keep");
	symlink(at("victim"), at("link"));
	ok(file_write_private(at("link"), "x", 1, &d) < 0, "a symbolic link at the target is refused");
	ok(slurp_eq(at("victim"), "keep"), "... and what it points to is untouched");
	diag_release(&d);
	mode_t old = umask(0);
	ok(file_write_private(at("plain"), "abc", 3, &d) == 0, "a file written under umask 0");
	umask(old);
	struct stat st;
	ok(stat(at("plain"), &st) == 0 && (st.st_mode & 0777) == 0600, "... is 0600");
	/* a stale temporary of the target is removed; others are not */
	put(at("plain.tmp-Abc123"), "stale");
	put(at("plain.tmp-Abc12"), "not ours: five characters");
	put(at("plainx.tmp-Abc123"), "another target's");
	ok(file_write_private(at("plain"), "def", 3, &d) == 0, "written again");
	ok(access(at("plain.tmp-Abc123"), F_OK) != 0, "... its stale temporary removed");
	ok(access(at("plain.tmp-Abc12"), F_OK) == 0, "... a name that is not a temporary's kept");
	ok(access(at("plainx.tmp-Abc123"), F_OK) == 0, "... another target's temporary kept");
	diag_release(&d);
}

static void test_outdir(void)
{
	struct diag d;
	diag_init(&d);
	struct outdir o;
	ok(outdir_begin(&o, at("out"), &d) == 0, "begin a new folder");
	ok(outdir_put(&o, "a.ics", "A1", 2, &d) == 0 && outdir_put(&o, "b.ics", "B1", 2, &d) == 0, "put two files");
	ok(access(at("out"), F_OK) != 0, "... nothing in place before commit");
	ok(outdir_commit(&o, &d) == 0, "commit");
	ok(slurp_eq(at("out/a.ics"), "A1") && slurp_eq(at("out/b.ics"), "B1"), "... both there");
	struct stat st;
	ok(stat(at("out"), &st) == 0 && (st.st_mode & 0777) == 0700, "... the folder 0700");
	ok(stat(at("out/a.ics"), &st) == 0 && (st.st_mode & 0777) == 0600, "... the files 0600");
	ok(access(at("out/.dovetail-output"), F_OK) == 0, "... with the marker");

	ok(outdir_begin(&o, at("out/"), &d) == 0, "begin over it (a trailing slash)");
	ok(outdir_put(&o, "a.ics", "A2", 2, &d) == 0, "put one file");
	ok(outdir_put(&o, "a.ics", "A3", 2, &d) < 0, "the same name twice is refused");
	diag_release(&d);
	ok(outdir_commit(&o, &d) == 0, "commit");
	ok(slurp_eq(at("out/a.ics"), "A2") && access(at("out/b.ics"), F_OK) != 0,
	   "... replaced whole: the new file, and the old set's other file gone");

	ok(outdir_begin(&o, at("out"), &d) == 0, "begin, then discard");
	outdir_put(&o, "c.ics", "C", 1, &d);
	outdir_discard(&o);
	ok(slurp_eq(at("out/a.ics"), "A2") && access(at("out/c.ics"), F_OK) != 0, "... the folder as it was");

	int exists;
	mkdir(at("mine"), 0700);
	put(at("mine/notes.txt"), "mine");
	ok(file_check_outdir(at("mine"), &exists, &d) < 0 && exists, "a folder with files dovetail did not write: refused");
	diag_release(&d);
	mkdir(at("empty"), 0755);
	ok(file_check_outdir(at("empty"), &exists, &d) == 0, "an empty folder: taken");
	mkdir(at("world"), 0700);
	chmod(at("world"), 0777);
	ok(file_check_outdir(at("world"), &exists, &d) < 0, "a folder others can write to: refused");
	diag_release(&d);
	symlink(at("empty"), at("slink"));
	ok(file_check_outdir(at("slink"), &exists, &d) < 0, "a symbolic link: refused");
	diag_release(&d);
	ok(outdir_begin(&o, ".", &d) < 0, "'.' is refused");
	diag_release(&d);
	ok(file_check_outdir(at("absent"), &exists, &d) == 0 && !exists, "an absent folder: taken, absent");

	ok(file_in_dir(at("out/family.ics"), at("out")) != NULL, "file_in_dir: a file in the folder");
	ok(file_in_dir(at("family.ics"), at("out")) == NULL, "file_in_dir: a file beside it");
	ok(file_same_place(at("out"), at("out/")), "file_same_place: a trailing slash");
	ok(!file_same_place(at("out"), at("mine")), "file_same_place: two folders");
	diag_release(&d);
}

/* Inputs are never replaced by an output (util.h, file_mark_input), and
 * at most FILE_MAX_INPUTS are remembered. */
static void test_inputs(void)
{
	struct diag d;
	diag_init(&d);
	put(at("in.yaml"), "profile\n");
	put(at("out.ics"), "old\n");
	struct bytes b;
	ok(file_read_all(at("in.yaml"), 1024, &b, &d) == 0, "inputs: a file read");
	free(b.data);
	ok(file_is_input(at("in.yaml")) && !file_is_input(at("out.ics")) && !file_is_input(at("none")),
	   "inputs: what file_read_all read is an input; another file, or none, is not");
	ok(file_write_private(at("in.yaml"), "x", 1, &d) < 0 && d.n && d.v[d.n - 1].code == D_IO_WRITE &&
	   slurp_eq(at("in.yaml"), "profile\n"),
	   "inputs: writing over an input is refused (D_IO_WRITE), and it is unchanged");
	ok(file_write_private(at("out.ics"), "new\n", 4, &d) == 0 && slurp_eq(at("out.ics"), "new\n"),
	   "inputs: another file is written");
	if (link(at("in.yaml"), at("alias.yaml")) == 0)
		ok(file_write_private(at("alias.yaml"), "x", 1, &d) < 0, "inputs: also under another name (a hard link)");
	/* the bound: past the limit (FILE_MAX_INPUTS; here 3 more), no more are marked */
	mkdir(at("many"), 0700);
	char name[300];
	size_t before = file_inputs_marked(), made = 0;
	file_inputs_limit(before + 3);
	for (size_t k = 0; k < 4; k++) {
		snprintf(name, sizeof name, "%s/%zu", at("many"), k);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			break;
		close(fd);
		file_mark_input(name);
		made++;
	}
	ok(made == 4 && file_inputs_marked() == before + 3 && !file_is_input(name),
	   "inputs: at most the limit are remembered (the one past it is not)");
	file_inputs_limit(FILE_MAX_INPUTS);
	diag_release(&d);
}

/* Another dovetail, cleaning stale temporaries, between the making of one
 * and its lock (file_test_on_made): once per test. */
static int raced, made;
static char race_target[300];

static void race_scratch(const char *path)
{
	(void)path;
	made++;
	if (!raced++)
		file_scratch_clean("dovetail-unit-race");
}

static void race_write(const char *path)
{
	(void)path;
	made++;
	if (!raced++) {
		struct diag d;
		diag_init(&d);
		file_write_private(race_target, "theirs\n", 7, &d);
		diag_release(&d);
	}
}

/* Every temporary removed as soon as it is made: the writer makes one at
 * most TEMP_TRIES (100, src/util/file.c) times, then gives up. */
static void race_always(const char *path)
{
	made++;
	if (unlink(path) != 0)
		rmdir(path);
}

/* A temporary taken for stale by another dovetail before it was locked:
 * another is made, and the writer goes on (a batch worker once died of
 * this when three shards started at once). */
static void test_race(void)
{
	struct diag d;
	diag_init(&d);
	char dir[600];
	int lock;
	raced = made = 0;
	file_test_on_made(race_scratch);
	int rc = file_scratch_make("dovetail-unit-race", dir, sizeof dir, &lock, &d);
	struct stat st;
	ok(rc == 0 && made == 2 && stat(dir, &st) == 0 && S_ISDIR(st.st_mode),
	   "race: a scratch folder removed before its lock is made again, and is there");
	int fd = rc == 0 ? open(dir, O_RDONLY | O_DIRECTORY) : -1;
	ok(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0, "race: ... and locked");
	if (fd >= 0)
		close(fd);
	file_scratch_clean("dovetail-unit-race");
	ok(rc == 0 && stat(dir, &st) == 0, "race: ... so that no other dovetail removes it");
	if (rc == 0)
		file_scratch_remove(dir, lock);
	raced = made = 0;
	snprintf(race_target, sizeof race_target, "%s", at("race.ics"));
	file_test_on_made(race_write);
	ok(file_write_private(race_target, "mine\n", 5, &d) == 0 && made == 3 && slurp_eq(race_target, "mine\n"),
	   "race: a file's temporary removed before its lock is made again, and the file written");
	file_test_on_made(NULL);
	DIR *x = opendir(root);
	int left = 0;
	struct dirent *e;
	while (x && (e = readdir(x)))
		left += strncmp(e->d_name, "race.ics.tmp-", 13) == 0;
	if (x)
		closedir(x);
	ok(left == 0, "race: ... and no temporary is left");
	/* the bound on the temporaries made for one write (TEMP_TRIES): each
	 * taken away, the write fails after 100, and the file is as it was */
	made = 0;
	size_t before = d.n;
	file_test_on_made(race_always);
	rc = file_write_private(race_target, "again\n", 6, &d);
	ok(rc < 0 && made == 100 && d.n == before + 1 && d.v[d.n - 1].code == D_IO_WRITE &&
	   slurp_eq(race_target, "mine\n"),
	   "race: every temporary taken away: the write fails after 100 (%d), the file unchanged", made);
	made = 0;
	char scratch[600];
	rc = file_scratch_make("dovetail-unit-race", scratch, sizeof scratch, &lock, &d);
	ok(rc < 0 && made == 100, "race: ... a scratch folder too (%d)", made);
	file_test_on_made(NULL);
	diag_release(&d);
}

/* A FIFO named as an input (a caseload's profile, a feed, a caseload) that
 * nobody writes to: read as empty at once, never waited on for ever (a
 * plain open waits for a writer; a batch hung on such a profile). The
 * alarm is only a backstop that kills a hung run, far past any machine's
 * time for an open. */
static void test_fifo(void)
{
	char fifo[600];
	snprintf(fifo, sizeof fifo, "%s/in.fifo", root);
	if (!ok(mkfifo(fifo, 0600) == 0, "fifo: made"))
		return;
	alarm(120);
	struct diag d;
	diag_init(&d);
	struct bytes b;
	ok(file_read_all(fifo, 1000, &b, &d) == 0 && b.len == 0, "file_read_all: a FIFO nobody writes to reads as empty");
	bytes_release(&b);
	struct profile *p = NULL;
	ok(profile_load(&p, fifo, &d) < 0 && !p, "profile_load: a FIFO nobody writes to is an empty file (an error), not a hang");
	int fd = file_open_read(fifo);
	ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0, "file_open_read: opened, and blocking again for the reads");
	if (fd >= 0)
		close(fd);
	alarm(0);
	diag_release(&d);
}

int main(void)
{
	snprintf(root, sizeof root, "%s/dovetail-unit.XXXXXX", getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(root))
		return 1;
	test_addr();
	test_private();
	test_outdir();
	test_inputs();
	test_race();
	test_fifo();
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		ok(0, "cleaning up");
	return tap_done();
}
