/* test_reply.c: the MIME reader of iMIP mail (mime.c) and the listing and byte bounds of `replies` (reply.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dovetail/reply.h"
#include "dovetail/util.h"
#include "tap.h"

static const char CAL[] = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n";

static struct reply_limits lim;

/* Run the reader on mail m; returns its result and leaves the part in *p
 * and the first diagnostic's code in *code (-1: none). */
static int find(const char *m, struct mime_part *p, int *code, int *line)
{
	struct diag d;
	diag_init(&d);
	int rc = mime_find_calendar(m, strlen(m), "m.eml", &lim, p, &d);
	*code = d.n ? (int)d.v[0].code : -1;
	if (line)
		*line = d.n ? d.v[0].line : 0;
	diag_release(&d);
	return rc;
}

static char *b64(const char *s)
{
	return base64_mime(s, strlen(s));
}

/* A mail nested `depth` multiparts deep around a 7bit calendar part. */
static char *nested(int depth)
{
	size_t cap = 4096 + (size_t)depth * 256;
	char *m = malloc(cap), *e = m;
	e += sprintf(e, "From: x@example.org\r\n");
	for (int k = 0; k < depth; k++)
		e += sprintf(e, "Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n", k, k);
	e += sprintf(e, "Content-Type: text/calendar\r\n\r\n%s", CAL);
	for (int k = depth - 1; k >= 0; k--)
		e += sprintf(e, "\r\n--b%d--\r\n", k);
	return m;
}

static void test_mime(void)
{
	struct mime_part p;
	int code, line;
	char *enc = b64(CAL), m[8192];

	snprintf(m, sizeof m,
		 "From: \"Dr Who\" <Paed@Example.ORG>\r\nSubject: re\r\nMIME-Version: 1.0\r\n"
		 "Content-Type: multipart/mixed;\r\n boundary=\"==b==\"\r\n\r\npreamble\r\n"
		 "--==b==\r\nContent-Type: text/plain\r\n\r\nI cannot come.\r\n"
		 "--==b==\r\nContent-Type: text/calendar; method=REPLY\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n"
		 "--==b==--\r\nepilogue\r\n", enc);
	ok(find(m, &p, &code, NULL) == 0, "multipart/mixed with a base64 calendar part: found");
	is_str(p.body, CAL, "... decoded");
	is_str(p.from, "Paed@Example.ORG", "... From's address, without the name and brackets");
	is_int(p.line, 16, "... the line where the part's body starts");
	is_int(p.encoded, 1, "... encoded");
	mime_part_release(&p);

	snprintf(m, sizeof m, "From: a@b.example\nContent-Type: multipart/alternative; boundary=x\n\n"
		 "--x\nContent-Type: TEXT/CALENDAR\nContent-Transfer-Encoding: quoted-printable\n\n"
		 "BEGIN:VCALENDAR=0D=0AMETHOD:RE=\nPLY=0D=0AX-A:1=3D2\n--x--\n");
	ok(find(m, &p, &code, NULL) == 0, "quoted-printable, LF line ends: found");
	is_str(p.body, "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nX-A:1=2", "... decoded (escapes, soft breaks)");
	mime_part_release(&p);

	/* the sender is one address, or none is given: no From, two, a list,
	 * a group, an empty one all give "" (it never passes for the
	 * practitioner's); a name with a comma, quoted, or a comment is one */
	static const struct {
		const char *headers, *want, *what;
	} froms[] = {
		{ "", "", "no From" },
		{ "From: \r\n", "", "an empty From" },
		{ "From: <>\r\n", "", "From: <>" },
		{ "From: <paed@x.example>, eve@evil.example\r\n", "", "two mailboxes" },
		{ "From: Eve <eve@evil.example>, <paed@x.example>\r\n", "", "two mailboxes, the second the practitioner's" },
		{ "From: eve@evil.example\r\nFrom: paed@x.example\r\n", "", "two From fields" },
		{ "From: team: paed@x.example;\r\n", "", "a group" },
		{ "From: \"Smith, Jo\" <paed@x.example>\r\n", "paed@x.example", "a quoted name with a comma: one" },
		{ "From: Jo (paed, Bristol) <paed@x.example>\r\n", "paed@x.example", "a comment with a comma: one" },
		{ "From: Jo\r\n <paed@x.example>\r\n", "paed@x.example", "folded: one" },
	};
	for (size_t i = 0; i < sizeof froms / sizeof froms[0]; i++) {
		snprintf(m, sizeof m, "%sContent-Type: text/calendar; method=REPLY\r\n\r\n%s", froms[i].headers, CAL);
		ok(find(m, &p, &code, NULL) == 0 && !strcmp(p.from, froms[i].want), "From: %s gives '%s' (got '%s')",
		   froms[i].what, froms[i].want, p.from);
		mime_part_release(&p);
	}

	snprintf(m, sizeof m, "From: a@b.example\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n%s", CAL);
	ok(find(m, &p, &code, NULL) == 0, "a mail that is itself text/calendar");
	is_str(p.body, CAL, "... its body, as it is (7bit)");
	is_int(p.line, 4, "... from line 4");
	is_int(p.encoded, 0, "... not encoded");
	mime_part_release(&p);

	snprintf(m, sizeof m, "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
		 "Content-Type: multipart/mixed; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\nx\r\n"
		 "--b2 \r\nContent-Type: text/calendar\r\n\r\n%s\r\n--b2--\r\n--b--\r\n", CAL);
	ok(find(m, &p, &code, NULL) == 0, "an inner boundary that starts with the outer one (b2, b), padded with a blank");
	is_str(p.body, CAL, "... the calendar part of the inner multipart");
	mime_part_release(&p);

	char *n4 = nested(4), *n5 = nested(5);
	ok(find(n4, &p, &code, NULL) == 0, "multiparts nested 4 deep: read");
	is_str(p.body, CAL, "... the calendar part");
	mime_part_release(&p);
	ok(find(n5, &p, &code, NULL) < 0 && code == D_REPLY_LIMIT, "nested 5 deep: D_REPLY_LIMIT");
	free(n4);
	free(n5);

	/* 64 parts read; 65 refused */
	for (int parts = 64; parts <= 65; parts++) {
		char *big = malloc(65536), *e = big;
		e += sprintf(e, "Content-Type: multipart/mixed; boundary=q\r\n\r\n");
		for (int k = 0; k < parts - 1; k++)
			e += sprintf(e, "--q\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", k);
		e += sprintf(e, "--q\r\nContent-Type: text/calendar\r\n\r\n%s\r\n--q--\r\n", CAL);
		int rc = find(big, &p, &code, &line);
		if (parts == 64)
			ok(rc == 0, "64 MIME parts: read");
		else
			ok(rc < 0 && code == D_REPLY_LIMIT && line > 0, "65 MIME parts: D_REPLY_LIMIT at a line");
		mime_part_release(&p);
		free(big);
	}

	ok(find("Content-Type: multipart/mixed\r\n\r\n--x\r\n", &p, &code, NULL) < 0 && code == D_REPLY_MALFORMED,
	   "a multipart without a boundary: malformed");
	ok(find("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n",
		&p, &code, NULL) < 0 && code == D_REPLY_MALFORMED,
	   "a multipart never closed: malformed");
	ok(find("Content-Type: text/calendar\r\nContent-Transfer-Encoding: base64\r\n\r\nQkVH*SU4=\r\n", &p, &code,
		&line) < 0 && code == D_REPLY_MALFORMED && line == 4,
	   "broken base64: malformed, at the body's line");
	ok(find("Content-Type: text/calendar\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n", &p, &code,
		NULL) < 0 && code == D_REPLY_MALFORMED,
	   "an unknown transfer encoding: malformed");
	ok(find("From: a@b.example\r\nSubject: hi\r\n\r\njust text\r\n", &p, &code, NULL) < 0 &&
	   code == D_REPLY_MALFORMED, "no calendar part: malformed");

	struct reply_limits small = lim;
	small.max_message_bytes = 10;
	struct diag d;
	diag_init(&d);
	ok(mime_find_calendar(CAL, strlen(CAL), "m.eml", &small, &p, &d) < 0 && d.n &&
	   d.v[0].code == D_REPLY_LIMIT, "a mail over max_message_bytes: D_REPLY_LIMIT");
	diag_release(&d);
	free(enc);
}

static void put(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	fputs(s, f);
	fclose(f);
}

static void test_inputs(const char *dir)
{
	char p[512];
	snprintf(p, sizeof p, "%s/md", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/cur", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/new", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/md/tmp", dir);
	mkdir(p, 0700);
	const char *files[] = { "md/cur/a", "md/cur/b", "md/new/z", "md/new/.hidden", "md/tmp/t", "plain/2", "plain/1" };
	snprintf(p, sizeof p, "%s/plain", dir);
	mkdir(p, 0700);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		put(p, "x");
	}
	char md[512], plain[512];
	snprintf(md, sizeof md, "%s/md", dir);
	snprintf(plain, sizeof plain, "%s/plain", dir);
	const char *src[] = { md, plain, "-" };
	struct reply_inputs in;
	struct diag d;
	diag_init(&d);
	ok(reply_inputs_list(src, 3, &lim, &in, &d) == 0, "list a maildir, a folder and stdin");
	is_int(in.n, 6, "... new/ then cur/ (not tmp/, not hidden), the folder's files, stdin");
	char want[6][512];
	snprintf(want[0], 512, "%s/md/new/z", dir);
	snprintf(want[1], 512, "%s/md/cur/a", dir);
	snprintf(want[2], 512, "%s/md/cur/b", dir);
	snprintf(want[3], 512, "%s/plain/1", dir);
	snprintf(want[4], 512, "%s/plain/2", dir);
	snprintf(want[5], 512, "-");
	for (size_t i = 0; i < 6 && i < in.n; i++)
		is_str(in.v[i].path, want[i], "... message %zu in order", i + 1);
	reply_inputs_release(&in);

	struct reply_limits two = lim;
	two.max_files = 2;
	ok(reply_inputs_list(src, 1, &two, &in, &d) < 0 && d.n && d.v[0].code == D_REPLY_LIMIT && !in.n,
	   "more than max_files messages: D_REPLY_LIMIT, nothing listed");
	diag_release(&d);
	diag_init(&d);
	const char *missing[] = { "/nonexistent/dovetail-replies" };
	ok(reply_inputs_list(missing, 1, &lim, &in, &d) < 0 && d.n && d.v[0].code == D_IO_OPEN,
	   "a missing source: D_IO_OPEN");
	diag_release(&d);

	/* the bytes of one run: 3 messages of 100 bytes, a bound of 250 */
	char msgs[3][512];
	const char *ms[3];
	char junk[101];
	memset(junk, 'j', 100);
	junk[100] = 0;
	for (int k = 0; k < 3; k++) {
		snprintf(msgs[k], sizeof msgs[k], "%s/junk%d", dir, k);
		put(msgs[k], junk);
		ms[k] = msgs[k];
	}
	struct reply_limits run = lim;
	run.max_total_bytes = 250;
	diag_init(&d);
	ok(reply_inputs_list(ms, 3, &lim, &in, &d) == 0, "list three messages");
	char db[512];
	snprintf(db, sizeof db, "%s/s.db", dir);
	struct store *s = NULL;
	ok(store_open(&s, db, 0, &d) == 0, "a store");
	struct week w;
	memset(&w, 0, sizeof w);
	struct reply_report r;
	struct ics_limits il;
	ics_limits_default(&il);
	ok(reply_read_all(s, &w, &in, &run, &il, 0, &r, &d) == 0, "read them with a bound of 250 bytes in all");
	int limit_at = -1;
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].code == D_REPLY_LIMIT)
			limit_at = (int)i;
	ok(limit_at >= 0 && strstr(d.v[limit_at].file, "junk2"), "... the third passes it: D_REPLY_LIMIT naming it");
	is_int(r.messages, 3, "... three messages looked at");
	is_int(r.recorded, 0, "... nothing recorded");
	reply_report_release(&r);
	reply_inputs_release(&in);
	store_close(s);
	diag_release(&d);
}

int main(void)
{
	reply_limits_default(&lim);
	is_int(lim.max_files, 1000, "default: 1,000 messages a run");
	is_int(lim.max_message_bytes, 8 << 20, "default: 8 MiB a message");
	is_int(lim.max_depth, 4, "default: multiparts 4 deep");
	is_int(lim.max_parts, 64, "default: 64 parts");
	test_mime();
	char dir[] = "/tmp/dovetail-test-reply.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	test_inputs(dir);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_note("could not remove %s", dir);
	return tap_done();
}
