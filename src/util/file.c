/* file.c: read a whole input file or standard input, with a size cap. */
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
