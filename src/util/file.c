/* file.c: read a whole input file or standard input, with a size cap. */
#define _XOPEN_SOURCE 700
#include "dovetail/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read_all(const char *path, size_t max_bytes, struct bytes *out, struct diag *d)
{
	out->data = NULL;
	out->len = 0;
	int is_stdin = strcmp(path, "-") == 0;
	const char *shown = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		diag_add(d, D_IO_OPEN, shown, 0, 0, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_add(d, D_IO_READ, shown, 0, 0, "is a directory");
		if (!is_stdin)
			close(fd);
		return -1;
	}
	size_t cap = 0, len = 0;
	char *buf = NULL;
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((unsigned long long)st.st_size > max_bytes) {
			char lim[32];
			snprintf(lim, sizeof lim, "%zu", max_bytes);
			diag_add(d, D_IO_TOO_BIG, shown, 0, 0, lim);
			if (!is_stdin)
				close(fd);
			return -1;
		}
		cap = (size_t)st.st_size + 1;
		buf = malloc(cap + 1);
		if (!buf) {
			diag_add(d, D_IO_READ, shown, 0, 0, "out of memory");
			if (!is_stdin)
				close(fd);
			return -1;
		}
		cap++;
	}
	for (;;) {
		if (len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			if (ncap > max_bytes + 2)
				ncap = max_bytes + 2;
			char *n = realloc(buf, ncap);
			if (!n) {
				free(buf);
				diag_add(d, D_IO_READ, shown, 0, 0, "out of memory");
				if (!is_stdin)
					close(fd);
				return -1;
			}
			buf = n;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + len, cap - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			diag_add(d, D_IO_READ, shown, 0, 0, strerror(errno));
			free(buf);
			if (!is_stdin)
				close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max_bytes) {
			char lim[32];
			snprintf(lim, sizeof lim, "%zu", max_bytes);
			diag_add(d, D_IO_TOO_BIG, shown, 0, 0, lim);
			free(buf);
			if (!is_stdin)
				close(fd);
			return -1;
		}
	}
	if (!is_stdin)
		close(fd);
	if (!buf) {
		buf = malloc(1);
		if (!buf) {
			diag_add(d, D_IO_READ, shown, 0, 0, "out of memory");
			return -1;
		}
	}
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

int file_stage_private(const char *path, const void *data, size_t len, char **staged,
		       struct diag *d)
{
	*staged = NULL;
	struct stat st;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		/* found now, not when the rename fails after others were made */
		diag_add(d, D_IO_WRITE, path, 0, 0, path, "it exists and is not a regular file");
		return -1;
	}
	size_t n = strlen(path);
	char *tmp = malloc(n + 16);
	if (!tmp) {
		diag_add(d, D_INTERNAL, NULL, 0, 0, "out of memory");
		return -1;
	}
	snprintf(tmp, n + 16, "%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp);   /* mode 0600 */
	if (fd < 0) {
		diag_add(d, D_IO_WRITE, path, 0, 0, path, strerror(errno));
		free(tmp);
		return -1;
	}
	const char *p = data;
	size_t left = len;
	int err = 0;
	while (left && !err) {
		ssize_t k = write(fd, p, left);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			err = errno ? errno : EIO;
		else {
			p += k;
			left -= (size_t)k;
		}
	}
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (err) {
		unlink(tmp);
		free(tmp);
		diag_add(d, D_IO_WRITE, path, 0, 0, path, strerror(err));
		return -1;
	}
	*staged = tmp;
	return 0;
}

int file_commit_staged(const char *path, char *staged, struct diag *d)
{
	int err = rename(staged, path) < 0 ? errno : 0;
	if (err) {
		unlink(staged);
		diag_add(d, D_IO_WRITE, path, 0, 0, path, strerror(err));
	}
	free(staged);
	return err ? -1 : 0;
}

void file_discard_staged(char *staged)
{
	if (staged)
		unlink(staged);
	free(staged);
}

int file_write_private(const char *path, const void *data, size_t len, struct diag *d)
{
	char *staged;
	if (file_stage_private(path, data, len, &staged, d) < 0)
		return -1;
	return file_commit_staged(path, staged, d);
}
