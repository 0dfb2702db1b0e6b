/* diag-man.c: writes the DIAGNOSTICS section of dovetail(1) from the
 * catalogue in include/dovetail/diag.h (DIAG_CATALOGUE and DIAG_EXPLAIN).
 *
 *   diag-man                 print the section (mdoc) on stdout
 *   diag-man --check PAGE    exit 1 when PAGE's section differs from it, or
 *                            a code is missing from PAGE
 *   diag-man --write PAGE    replace PAGE's section with it
 */
#include "dovetail/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Text s as roff text lines of at most 78 bytes where the words allow,
 * each sentence on a line of its own (mandoc -Tlint's rules), backslashes
 * escaped and no line starting with a control character, so that no byte
 * of a message is read as a request. prefix and suffix (escapes) go
 * around the whole text. */
static void put_text(FILE *out, const char *prefix, const char *s, const char *suffix)
{
	size_t col = strlen(prefix);
	fputs(prefix, out);
	int at_start = 1; /* no space before the next word */
	while (*s) {
		const char *e = strchr(s, ' ');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		int sentence_end = n > 1 && s[n - 1] == '.' && e && e[1] >= 'A' && e[1] <= 'Z';
		size_t w = n + (e ? 0 : strlen(suffix));
		if (!at_start && col + 1 + w > 78) {
			fputc('\n', out);
			col = 0;
			at_start = 1;
		}
		if (!at_start) {
			fputc(' ', out);
			col++;
		}
		if (at_start && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '\\')
				fputs("\\e", out);
			else
				fputc(s[i], out);
		}
		col += n;
		at_start = 0;
		s += n;
		while (*s == ' ')
			s++;
		if (sentence_end && *s) {
			fputc('\n', out);
			col = 0;
			at_start = 1;
		}
	}
	fputs(suffix, out);
	fputc('\n', out);
}

/* The whole section, from ".Sh DIAGNOSTICS" to its last line. */
static void section(FILE *out)
{
	fputs(".Sh DIAGNOSTICS\n"
	      "Messages go to standard error as\n"
	      ".Dl dovetail: FILE:LINE:COL: error|warning|note: message\n"
	      "with the file, line and column when known.\n"
	      "Notes are shown only with\n"
	      ".Fl v .\n"
	      "A message names files, lines, property names, ids and limits,\n"
	      "never free text from a feed or a profile.\n"
	      "Warnings and notes never change the exit status;\n"
	      "when a run reports errors of different statuses it exits with the worst\n"
	      "(see\n"
	      ".Sx EXIT STATUS\n"
	      "and\n"
	      ".Pa docs/exit-status.md ) .\n"
	      "An error in a feed rejects the whole feed unless\n"
	      ".Cm import Fl -keep-going\n"
	      "is given.\n"
	      ".Pp\n"
	      "Each diagnostic below is given by its code, its severity, its exit status\n"
	      "when it is an error, and its message, where\n"
	      ".Sq %s\n"
	      "stands for a value filled in.\n"
	      "This list is generated from\n"
	      ".Pa include/dovetail/diag.h\n"
	      "by\n"
	      ".Pa tools/diag-man.c .\n"
	      ".Bl -tag -width Ds\n", out);
	for (int c = 0; c < D__COUNT; c++) {
		enum diag_code code = (enum diag_code)c;
		enum diag_severity sev = diag_severity(code);
		fprintf(out, ".It Sy %s\n", diag_name(code));
		if (sev == DIAG_ERROR)
			fprintf(out, "error, exit %d:\n", (int)diag_exit(code));
		else
			fprintf(out, "%s:\n", diag_severity_name(sev));
		put_text(out, "\\(lq", diag_template(code), "\\(rq");
		fputs(".Pp\n", out);
		put_text(out, "", diag_explanation(code), "");
	}
	fputs(".El\n", out);
}

/* The whole file at path, NUL-terminated, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	size_t r;
	while (b && (r = fread(b + n, 1, cap - n - 1, fp)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(fp);
	if (b)
		b[n] = 0;
	*len = n;
	return b;
}

/* Where PAGE's section starts and ends (the next .Sh, or the end). */
static int find_section(const char *page, size_t len, size_t *from, size_t *to)
{
	const char *s = strstr(page, "\n.Sh DIAGNOSTICS\n");
	if (!s)
		return -1;
	*from = (size_t)(s - page) + 1;
	const char *e = strstr(page + *from + 1, "\n.Sh ");
	*to = e ? (size_t)(e - page) + 1 : len;
	return 0;
}

static char *generated(size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	if (!m)
		return NULL;
	section(m);
	fclose(m);
	return buf;
}

int main(int argc, char **argv)
{
	if (argc == 1) {
		section(stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (argc != 3 || (strcmp(argv[1], "--check") && strcmp(argv[1], "--write"))) {
		fputs("usage: diag-man [--check PAGE | --write PAGE]\n", stderr);
		return 64;
	}
	size_t len, glen, from, to;
	char *page = slurp(argv[2], &len);
	char *gen = generated(&glen);
	if (!page || !gen) {
		fprintf(stderr, "diag-man: cannot read %s\n", argv[2]);
		return 66;
	}
	if (find_section(page, len, &from, &to) < 0) {
		fprintf(stderr, "diag-man: %s has no .Sh DIAGNOSTICS section\n", argv[2]);
		return 1;
	}
	if (strcmp(argv[1], "--write") == 0) {
		size_t n = strlen(argv[2]);
		char *tmp = malloc(n + 8);
		if (!tmp)
			return 70;
		snprintf(tmp, n + 8, "%s.tmp", argv[2]);
		FILE *out = fopen(tmp, "wb");
		if (!out || fwrite(page, 1, from, out) != from || fwrite(gen, 1, glen, out) != glen ||
		    fwrite(page + to, 1, len - to, out) != len - to || fclose(out) != 0 || rename(tmp, argv[2]) < 0) {
			fprintf(stderr, "diag-man: cannot write %s\n", argv[2]);
			return 73;
		}
		free(tmp);
		free(page);
		free(gen);
		return 0;
	}
	int bad = 0;
	/* every code, by its item line, in the section */
	page[to] = 0;
	for (int c = 0; c < D__COUNT; c++) {
		char item[96];
		snprintf(item, sizeof item, "\n.It Sy %s\n", diag_name((enum diag_code)c));
		if (!strstr(page + from - 1, item)) {
			printf("not in %s: %s\n", argv[2], diag_name((enum diag_code)c));
			bad = 1;
		}
	}
	if (to - from != glen || memcmp(page + from, gen, glen) != 0) {
		size_t i = 0, line = 1;
		while (i < glen && from + i < to && page[from + i] == gen[i]) {
			if (gen[i] == '\n')
				line++;
			i++;
		}
		printf("%s: the DIAGNOSTICS section differs from the catalogue's at its line %zu;"
		       " run diag-man --write %s\n", argv[2], line, argv[2]);
		bad = 1;
	}
	free(page);
	free(gen);
	return bad;
}
