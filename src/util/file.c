/* file.c: read a whole input file with a size cap; write output files and folders whole, private and crash-safe. */
#define _GNU_SOURCE   /* renameat2 (RENAME_EXCHANGE) */
#include "dovetail/util.h"
#include "dovetail/xalloc.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Report that shown is larger than max_bytes (D_IO_TOO_BIG). */
static void too_big(struct diag *d, const char *shown, size_t max_bytes)
{
	char lim[32];
	snprintf(lim, sizeof lim, "%zu", max_bytes);
	diag_add(d, D_IO_TOO_BIG, shown, 0, 0, lim);
}

/* Read fd to its end into *buf (capacity *cap, grown up to max_bytes + 2),
 * *len bytes so far. Returns 0, or -1 with d filled (a read error, or
 * more than max_bytes). */
static int read_to_end(int fd, const char *shown, size_t max_bytes, char **buf, size_t *cap,
		       size_t *len, struct diag *d)
{
	for (;;) {
		if (*len + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 65536;
			if (ncap > max_bytes + 2)
				ncap = max_bytes + 2;
			*buf = xrealloc(*buf, ncap);
			*cap = ncap;
		}
		ssize_t r = read(fd, *buf + *len, *cap - 1 - *len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			diag_add(d, D_IO_READ, shown, 0, 0, strerror(errno));
			return -1;
		}
		if (r == 0)
			return 0;
		*len += (size_t)r;
		if (*len > max_bytes) {
			too_big(d, shown, max_bytes);
			return -1;
		}
	}
}

/* ---- inputs, never replaced by an output ---------------------------------- */

struct file_id {
	dev_t dev;
	ino_t ino;
	int used;
};
/* an open-addressing set, grown by doubling (at most half full) */
static struct file_id *inputs;
static size_t n_inputs, cap_inputs, max_inputs = FILE_MAX_INPUTS;

static size_t id_slot(const struct file_id *v, size_t cap, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)ino * 0xC2B2AE3D27D4EB4Full);
	size_t k = (size_t)(h ^ h >> 29) & (cap - 1);
	while (v[k].used && !(v[k].dev == dev && v[k].ino == ino))
		k = (k + 1) & (cap - 1);
	return k;
}

static void mark_stat(const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || n_inputs >= max_inputs)
		return;
	if (2 * (n_inputs + 1) > cap_inputs) {
		size_t cap = cap_inputs ? 2 * cap_inputs : 64;
		struct file_id *v = xcalloc(cap, sizeof *v);
		for (size_t k = 0; k < cap_inputs; k++)
			if (inputs[k].used)
				v[id_slot(v, cap, inputs[k].dev, inputs[k].ino)] = inputs[k];
		free(inputs);
		inputs = v;
		cap_inputs = cap;
	}
	struct file_id *x = &inputs[id_slot(inputs, cap_inputs, st->st_dev, st->st_ino)];
	if (x->used)
		return;
	*x = (struct file_id){ st->st_dev, st->st_ino, 1 };
	n_inputs++;
}

void file_mark_input(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		mark_stat(&st);
}

int file_is_input(const char *path)
{
	struct stat st;
	if (!cap_inputs || stat(path, &st) < 0)
		return 0;
	return inputs[id_slot(inputs, cap_inputs, st.st_dev, st.st_ino)].used;
}

size_t file_inputs_marked(void)
{
	return n_inputs;
}

void file_inputs_limit(size_t n)
{
	assert(n <= FILE_MAX_INPUTS);
	max_inputs = n;
}

/* An output at path would replace an input: said in d. */
static int refuse_input(const char *path, struct diag *d)
{
	if (!file_is_input(path))
		return 0;
	diag_add(d, D_IO_WRITE, path, 0, 0, path,
		 "it is a file this run reads or keeps (the store, the profile, a feed): an output never replaces one");
	return -1;
}

int file_open_read(const char *path)
{
	/* O_NONBLOCK: opening a FIFO nobody writes to waits for a writer,
	 * for ever; so it is opened without waiting, then read as any file
	 * (a FIFO without a writer reads as empty; with one, as it comes) */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int file_read_all(const char *path, size_t max_bytes, struct bytes *out, struct diag *d)
{
	out->data = NULL;
	out->len = 0;
	int is_stdin = strcmp(path, "-") == 0;
	const char *shown = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? 0 : file_open_read(path);
	if (fd < 0) {
		diag_add(d, D_IO_OPEN, shown, 0, 0, strerror(errno));
		return -1;
	}
	struct stat st;
	size_t cap = 0, len = 0;
	char *buf = NULL;
	int rc = 0;
	int have = fstat(fd, &st) == 0;
	if (have && !is_stdin)
		mark_stat(&st);
	if (have && S_ISDIR(st.st_mode)) {
		diag_add(d, D_IO_READ, shown, 0, 0, "is a directory");
		rc = -1;
	} else if (have && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((unsigned long long)st.st_size > max_bytes) {
			too_big(d, shown, max_bytes);
			rc = -1;
		} else {
			cap = (size_t)st.st_size + 2;
			buf = xmalloc(cap);
		}
	}
	if (rc == 0)
		rc = read_to_end(fd, shown, max_bytes, &buf, &cap, &len, d);
	if (!is_stdin)
		close(fd);
	if (rc < 0) {
		free(buf);
		return -1;
	}
	if (!buf)
		buf = xmalloc(1);
	buf[len] = 0;
	out->data = buf;
	out->len = len;
	return 0;
}

void bytes_release(struct bytes *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

/* ---- a test hook: a real SIGKILL at a named point ------------------------ */

void file_kill_point(const char *point)
{
	static int parsed;
	static char name[32];
	static long at, hits;
	if (!parsed) {
		parsed = 1;
		const char *e = getenv("DOVETAIL_TEST_KILL_AT");
		const char *c = e ? strrchr(e, ':') : NULL;
		if (c && (size_t)(c - e) < sizeof name) {
			memcpy(name, e, (size_t)(c - e));
			name[c - e] = 0;
			at = strtol(c + 1, NULL, 10);
		}
	}
	if (at > 0 && strcmp(point, name) == 0 && ++hits == at)
		kill(getpid(), SIGKILL);
}

/* ---- temporaries: named, locked while in use, removed when stale ---------- */

/* The folder part of path ("." when none) in dir[sz], and where the last
 * component starts. Trailing slashes are not expected (callers strip them). */
static const char *split(const char *path, char *dir, size_t sz)
{
	const char *slash = strrchr(path, '/');
	if (!slash) {
		snprintf(dir, sz, ".");
		return path;
	}
	if (slash == path)
		snprintf(dir, sz, "/");
	else
		snprintf(dir, sz, "%.*s", (int)(slash - path), path);
	return slash + 1;
}

/* Whether name is stem followed by exactly six characters of mkstemp's alphabet. */
static int temp_name(const char *name, const char *stem)
{
	size_t n = strlen(stem);
	if (strncmp(name, stem, n) != 0 || strlen(name + n) != 6)
		return 0;
	for (const char *p = name + n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return 0;
	return 1;
}

/* Remove name in dfd: a file or symbolic link (never followed), or a folder
 * and what it holds, at most depth levels down. */
static int remove_tree_at(int dfd, const char *name, int depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0);
	if (depth <= 0)
		return -1;
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			remove_tree_at(fd, e->d_name, depth - 1);
	closedir(dir);
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Remove, in folder dirpath, every temporary named stem + six characters
 * that a dovetail that died left: owned by this user, a regular file or a
 * folder, and not locked (a live dovetail holds a lock on each of its own). */
static void clean_stale(const char *dirpath, const char *stem)
{
	int dfd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int lfd = dfd < 0 ? -1 : dup(dfd);
	DIR *dir = lfd < 0 ? NULL : fdopendir(lfd);
	if (!dir) {
		if (lfd >= 0)
			close(lfd);
		if (dfd >= 0)
			close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(dir))) {
		struct stat st, st2;
		if (!temp_name(e->d_name, stem) || fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    st.st_uid != geteuid() || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
			continue;
		int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st2) == 0 && st2.st_ino == st.st_ino && st2.st_dev == st.st_dev &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0)
			remove_tree_at(dfd, e->d_name, 2);
		close(fd);
	}
	closedir(dir);
	close(dfd);
}

/* For tests (util.h): called between making a temporary and locking it. */
static void (*on_made)(const char *path);

void file_test_on_made(void (*fn)(const char *path))
{
	on_made = fn;
}

/* Make the temporary templ (ending in six X: a folder, or a file opened
 * for writing) and lock it, so that no other dovetail's clean_stale removes
 * it. Between the making and the lock, another one may take it for stale
 * and remove it: after the lock, the name must still lead to what is
 * locked, or another is made, at most TEMP_TRIES times. Returns the locked
 * descriptor, or -1 with errno set. */
#define TEMP_TRIES 100
static int make_locked(char *templ, int folder)
{
	size_t n = strlen(templ);
	assert(n >= 6 && strcmp(templ + n - 6, "XXXXXX") == 0);
	for (int tries = 0; tries < TEMP_TRIES; tries++) {
		memcpy(templ + n - 6, "XXXXXX", 6);
		int fd;
		if (!folder) {
			fd = mkstemp(templ);   /* mode 0600, whatever the umask */
			if (fd < 0)
				return -1;
		} else {
			if (!mkdtemp(templ))
				return -1;
			fd = open(templ, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				int e = errno;
				if (e == ENOENT)
					continue;   /* made, and removed before it was opened */
				rmdir(templ);
				errno = e;
				return -1;
			}
		}
		if (on_made)
			on_made(templ);
		struct stat a, b;
		if (flock(fd, LOCK_EX) < 0) {
			int e = errno;
			if (folder)
				rmdir(templ);
			else
				unlink(templ);
			close(fd);
			errno = e;
			return -1;
		}
		if (fstat(fd, &a) == 0 && lstat(templ, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;   /* locked, and still there: ours while we live */
		close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/* Make sure what was renamed into folder dirpath is on disk. */
static void sync_dir(const char *dirpath)
{
	int fd = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int write_fd(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t k = write(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return errno ? errno : EIO;
		p += k;
		len -= (size_t)k;
	}
	return fsync(fd) < 0 ? errno : 0;
}

/* ---- one file --------------------------------------------------------------- */

int file_stage_private(const char *path, const void *data, size_t len, struct file_staged *out,
		       struct diag *d)
{
	out->tmp = NULL;
	out->fd = -1;
	struct stat st;
	if (refuse_input(path, d) < 0)
		return -1;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* found now, not when the rename fails after others were made */
		diag_add(d, D_IO_WRITE, path, 0, 0, path, "it exists and is not a regular file");
		return -1;
	}
	size_t n = strlen(path);
	char *tmp = xmalloc(n + 16), *dir = xmalloc(n + 2);
	snprintf(tmp, n + 16, "%s.tmp-", split(path, dir, n + 2));
	clean_stale(dir, tmp);
	free(dir);
	snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
	int fd = make_locked(tmp, 0);
	if (fd < 0) {
		diag_add(d, D_IO_WRITE, path, 0, 0, path, strerror(errno));
		free(tmp);
		return -1;
	}
	int err = write_fd(fd, data, len);
	if (err) {
		unlink(tmp);
		close(fd);
		free(tmp);
		diag_add(d, D_IO_WRITE, path, 0, 0, path, strerror(err));
		return -1;
	}
	out->tmp = tmp;
	out->fd = fd;
	file_kill_point("file-staged");
	return 0;
}

int file_commit_staged(const char *path, struct file_staged *st, struct diag *d)
{
	file_kill_point("file-commit");
	int err = rename(st->tmp, path) < 0 ? errno : 0;
	if (err) {
		unlink(st->tmp);
		diag_add(d, D_IO_WRITE, path, 0, 0, path, strerror(err));
	} else {
		size_t n = strlen(path);
		char *dir = xmalloc(n + 2);
		split(path, dir, n + 2);
		sync_dir(dir);
		free(dir);
	}
	close(st->fd);
	free(st->tmp);
	st->tmp = NULL;
	st->fd = -1;
	return err ? -1 : 0;
}

void file_discard_staged(struct file_staged *st)
{
	if (!st || !st->tmp)
		return;
	unlink(st->tmp);
	close(st->fd);
	free(st->tmp);
	st->tmp = NULL;
	st->fd = -1;
}

int file_write_private(const char *path, const void *data, size_t len, struct diag *d)
{
	struct file_staged st;
	if (file_stage_private(path, data, len, &st, d) < 0)
		return -1;
	return file_commit_staged(path, &st, d);
}

int file_write_with(const char *path, int (*fill)(const char *tmp, void *arg), void *arg,
		    struct diag *d)
{
	struct stat st;
	if (refuse_input(path, d) < 0)
		return -1;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		diag_add(d, D_IO_WRITE, path, 0, 0, path, "it exists and is not a regular file");
		return -1;
	}
	size_t n = strlen(path);
	char *stage = xmalloc(n + 16), *dir = xmalloc(n + 2), *file = xmalloc(n + 24);
	int r = -1;
	snprintf(stage, n + 16, "%s.tmp-", split(path, dir, n + 2));
	clean_stale(dir, stage);
	snprintf(stage, n + 16, "%s.tmp-XXXXXX", path);
	int lock = make_locked(stage, 1);   /* mode 0700: nobody else can plant anything in it */
	if (lock < 0) {
		diag_add(d, D_IO_WRITE, path, 0, 0, path, strerror(errno));
		goto out;
	}
	snprintf(file, n + 24, "%s/file", stage);
	int fd = -1, err = 0;
	if (fill(file, arg) < 0)
		err = EIO;
	else if ((fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fchmod(fd, 0600) < 0 ||
		 fsync(fd) < 0)
		err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	file_kill_point("file-commit");
	if (!err && rename(file, path) < 0)
		err = errno;
	if (err)
		diag_add(d, D_IO_WRITE, path, 0, 0, path, strerror(err));
	else
		sync_dir(dir);
	unlink(file);
	rmdir(stage);
	close(lock);
	r = err ? -1 : 0;
out:
	free(stage);
	free(dir);
	free(file);
	return r;
}

/* ---- private scratch folders under $TMPDIR -------------------------------- */

static const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

int file_scratch_make(const char *stem, char *dir, size_t sz, int *lock, struct diag *d)
{
	*lock = -1;
	snprintf(dir, sz, "%s/%s.XXXXXX", tmp_base(), stem);
	*lock = make_locked(dir, 1);
	if (*lock < 0) {
		diag_add(d, D_IO_WRITE, dir, 0, 0, dir, strerror(errno));
		return -1;
	}
	file_kill_point("scratch");
	return 0;
}

void file_scratch_remove(const char *dir, int lock)
{
	remove_tree_at(AT_FDCWD, dir, 2);
	if (lock >= 0)
		close(lock);
}

void file_scratch_clean(const char *stem)
{
	char s[64];
	snprintf(s, sizeof s, "%s.", stem);
	clean_stale(tmp_base(), s);
}

/* ---- output folders, replaced whole ----------------------------------------- */

#define MARKER ".dovetail-output"

int file_check_outdir(const char *dir, int *exists, struct diag *d)
{
	struct stat st;
	*exists = 0;
	if (lstat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		diag_add(d, D_IO_WRITE, dir, 0, 0, dir, strerror(errno));
		return -1;
	}
	*exists = 1;
	char why[160];
	if (S_ISLNK(st.st_mode))
		snprintf(why, sizeof why, "it is a symbolic link");
	else if (!S_ISDIR(st.st_mode))
		snprintf(why, sizeof why, "it is not a folder");
	else if (st.st_uid != geteuid())
		snprintf(why, sizeof why, "it belongs to another user");
	else if (st.st_mode & 022)
		snprintf(why, sizeof why, "group or others can write to it (mode %04o)",
			 (unsigned)(st.st_mode & 07777));
	else
		why[0] = 0;
	if (!why[0]) {
		/* replaced whole, so it must be one dovetail wrote, or empty */
		DIR *x = opendir(dir);
		int empty = 1, marked = 0;
		struct dirent *e;
		while (x && (e = readdir(x)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				empty = 0;
				marked |= strcmp(e->d_name, MARKER) == 0;
			}
		if (!x)
			snprintf(why, sizeof why, "%s", strerror(errno));
		else if (!empty && !marked)
			snprintf(why, sizeof why, "it holds files that dovetail did not write (no " MARKER
				 " in it); give a new or an empty folder");
		if (x)
			closedir(x);
	}
	if (why[0]) {
		diag_add(d, D_IO_UNSAFE, dir, 0, 0, dir, why);
		return -1;
	}
	return 0;
}

const char *file_in_dir(const char *path, const char *dir)
{
	size_t n = strlen(path), k = strlen(dir);
	while (k > 1 && dir[k - 1] == '/')
		k--;
	char *parent = xmalloc(n + 2);
	const char *base = split(path, parent, n + 2);
	struct stat a, b;
	int same = (strlen(parent) == k && strncmp(parent, dir, k) == 0) ||
		   (stat(parent, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	free(parent);
	return same && *base ? base : NULL;
}

int file_same_place(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	while (na > 1 && a[na - 1] == '/')
		na--;
	while (nb > 1 && b[nb - 1] == '/')
		nb--;
	char *x = xstrndup(a, na), *y = xstrndup(b, nb), *px = xmalloc(na + 2), *py = xmalloc(nb + 2);
	const char *bx = split(x, px, na + 2), *by = split(y, py, nb + 2);
	struct stat s1, s2;
	int same = strcmp(x, y) == 0 ||
		   (strcmp(bx, by) == 0 && stat(px, &s1) == 0 && stat(py, &s2) == 0 &&
		    s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino);
	free(x);
	free(y);
	free(px);
	free(py);
	return same;
}

void outdir_init(struct outdir *o)
{
	o->final = o->stage = NULL;
	o->fd = -1;
}

int outdir_begin(struct outdir *o, const char *final, struct diag *d)
{
	outdir_init(o);
	size_t n = strlen(final);
	while (n > 1 && final[n - 1] == '/')
		n--;
	const char *base = memrchr(final, '/', n);
	base = base ? base + 1 : final;
	size_t bl = (size_t)(final + n - base);
	if (bl == 0 || (bl == 1 && base[0] == '.') || (bl == 2 && base[0] == '.' && base[1] == '.')) {
		diag_add(d, D_IO_UNSAFE, final, 0, 0, final, "give the folder by its name, not . or .. or /");
		return -1;
	}
	char *dir = xmalloc(n + 2);
	o->final = xstrndup(final, n);
	o->stage = xcalloc(n + 16, 1);
	o->stage[0] = 0;          /* not made yet */
	int exists;
	if (file_check_outdir(o->final, &exists, d) < 0) {
		free(dir);
		outdir_discard(o);
		return -1;
	}
	snprintf(o->stage, n + 16, "%s.tmp-", split(o->final, dir, n + 2));
	clean_stale(dir, o->stage);
	free(dir);
	snprintf(o->stage, n + 16, "%s.tmp-XXXXXX", o->final);
	o->fd = make_locked(o->stage, 1);   /* 0700 */
	if (o->fd < 0) {
		diag_add(d, D_IO_WRITE, o->final, 0, 0, o->final, strerror(errno));
		free(o->stage);
		o->stage = NULL;
		outdir_discard(o);
		return -1;
	}
	static const char note[] = "This folder is written by dovetail, and replaced whole by each run.\n";
	return outdir_put(o, MARKER, note, sizeof note - 1, d);
}

int outdir_put(struct outdir *o, const char *name, const void *data, size_t len, struct diag *d)
{
	assert(!strchr(name, '/') && strcmp(name, ".") && strcmp(name, ".."));
	int fd = openat(o->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = fd < 0 ? errno : 0;
	if (!err && fchmod(fd, 0600) < 0)   /* whatever the umask said */
		err = errno;
	if (!err)
		err = write_fd(fd, data, len);
	if (fd >= 0)
		close(fd);
	if (err) {
		size_t sz = strlen(o->final) + strlen(name) + 2;
		char *shown = xmalloc(sz);
		snprintf(shown, sz, "%s/%s", o->final, name);
		diag_add(d, D_IO_WRITE, shown, 0, 0, shown, strerror(err));
		free(shown);
		return -1;
	}
	file_kill_point("outdir-put");
	return 0;
}

/* Where the exchange is missing: the old o->final aside (under a
 * temporary's name, so that a crash leaves it to be cleaned), then the stage
 * in its place; o->stage then names the old folder. n is strlen(o->final).
 * Returns 0 or an errno (o->final then as it was). */
static int swap_by_renames(struct outdir *o, size_t n)
{
	size_t m = n + 16;
	char *old = xmalloc(m);
	int err = 0;
	snprintf(old, m, "%s.tmp-XXXXXX", o->final);
	if (!mkdtemp(old) || rename(o->final, old) < 0)
		err = errno;
	else if (rename(o->stage, o->final) < 0) {
		err = errno;
		rename(old, o->final);
	} else {
		memcpy(o->stage, old, strlen(old) + 1);
	}
	if (err)
		rmdir(old);
	free(old);
	return err;
}

int outdir_commit(struct outdir *o, struct diag *d)
{
	size_t n = strlen(o->final);
	char *dir = xmalloc(n + 2);
	split(o->final, dir, n + 2);
	int err = fsync(o->fd) < 0 ? errno : 0;
	file_kill_point("outdir-commit");
	int swapped = 0;
	if (!err) {
		/* one rename: a reader, or a crash, sees the old folder or the new */
		if (renameat2(AT_FDCWD, o->stage, AT_FDCWD, o->final, RENAME_EXCHANGE) == 0)
			swapped = 1;
		else if (errno == ENOENT)
			err = rename(o->stage, o->final) < 0 ? errno : 0;
		else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
			err = swap_by_renames(o, n);
			swapped = !err;
		} else {
			err = errno;
		}
	}
	if (err) {
		diag_add(d, D_IO_WRITE, o->final, 0, 0, o->final, strerror(err));
		free(dir);
		outdir_discard(o);
		return -1;
	}
	sync_dir(dir);
	if (swapped) {
		/* the old folder now has the temporary's name: remove it */
		file_kill_point("outdir-swapped");
		remove_tree_at(AT_FDCWD, o->stage, 2);
	}
	free(dir);
	close(o->fd);
	o->fd = -1;
	free(o->stage);
	o->stage = NULL;
	free(o->final);
	o->final = NULL;
	return 0;
}

void outdir_discard(struct outdir *o)
{
	if (!o)
		return;
	if (o->stage && *o->stage && o->fd >= 0)
		remove_tree_at(AT_FDCWD, o->stage, 2);
	else if (o->stage && *o->stage)
		rmdir(o->stage);
	if (o->fd >= 0)
		close(o->fd);
	free(o->stage);
	free(o->final);
	outdir_init(o);
}
