/* test_scan.c: unit tests for ics/scan.c: unfolding, line ends, positions, encoding, structure. */
#include <stdlib.h>
#include <string.h>

#include "dovetail/ics.h"
#include "tap.h"

static struct ics_limits lim;

/* Scan text (NUL-terminated) into s, diagnostics into d. */
static int scan(struct ics_scan *s, struct diag *d, const char *text)
{
	diag_init(d);
	return ics_scan(s, "t.ics", text, strlen(text), &lim, d);
}

/* The first diagnostic with code, or NULL. */
static const struct diag_item *find(const struct diag *d, enum diag_code code)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].code == code)
			return &d->v[i];
	return NULL;
}

/* The first line whose name is name, or NULL. */
static const struct ics_line *line_named(const struct ics_scan *s, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < s->n_lines; i++)
		if (s->lines[i].name_len == n && memcmp(s->lines[i].text, name, n) == 0)
			return &s->lines[i];
	return NULL;
}

static void test_unfold(void)
{
	struct ics_scan s;
	struct diag d;
	int rc = scan(&s, &d,
		      "BEGIN:VCALENDAR\r\n"
		      "BEGIN:VEVENT\r\n"
		      "SUMMARY:Speech and \r\n"
		      " language\r\n"
		      "\tthera\r\n"
		      " py\r\n"
		      "UID:u1\r\n"
		      "END:VEVENT\r\n"
		      "END:VCALENDAR\r\n");
	is_int(rc, 0, "unfold: scan succeeds");
	is_int(d.n, 0, "unfold: no diagnostics");
	const struct ics_line *l = line_named(&s, "SUMMARY");
	ok(l != NULL, "unfold: SUMMARY line found");
	if (l) {
		is_str(l->text, "SUMMARY:Speech and languagetherapy", "unfold: space and tab folds removed");
		is_int(l->line, 3, "unfold: logical line starts on physical line 3");
		is_str(l->text + l->value_off, "Speech and languagetherapy", "unfold: value offset");
	}
	l = line_named(&s, "UID");
	ok(l && l->line == 7, "unfold: next line numbered after the folds (line 7)");
	is_int(s.n_comps, 2, "unfold: two components");
	ok(s.n_comps == 2 && s.comps[1].complete && strcmp(s.comps[1].name, "VEVENT") == 0,
	   "unfold: VEVENT complete");
	ics_scan_release(&s);
	diag_release(&d);
}

static void test_fold_in_utf8(void)
{
	struct ics_scan s;
	struct diag d;
	/* "Café" with the fold between the two bytes of U+00E9 (C3 A9), and
	 * "€" (E2 82 AC) folded after its first byte. */
	int rc = scan(&s, &d,
		      "BEGIN:VCALENDAR\r\n"
		      "BEGIN:VEVENT\r\n"
		      "SUMMARY:Caf\xC3\r\n"
		      " \xA9 \xE2\r\n"
		      " \x82\xAC\r\n"
		      "END:VEVENT\r\n"
		      "END:VCALENDAR\r\n");
	is_int(rc, 0, "utf8 fold: scan succeeds");
	ok(!find(&d, D_ICS_BAD_UTF8), "utf8 fold: a fold inside a character is not bad UTF-8");
	const struct ics_line *l = line_named(&s, "SUMMARY");
	ok(l && !l->bad, "utf8 fold: line kept");
	if (l)
		is_str(l->text + l->value_off, "Caf\xC3\xA9 \xE2\x82\xAC", "utf8 fold: character rejoined");
	ics_scan_release(&s);
	diag_release(&d);
}

static void test_line_ends(void)
{
	static const char *const names[] = { "CRLF", "LF", "CR", "mixed" };
	static const char *const texts[] = {
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n b\nEND:VEVENT\nEND:VCALENDAR\n",
		"BEGIN:VCALENDAR\rBEGIN:VEVENT\rUID:a\r b\rEND:VEVENT\rEND:VCALENDAR\r",
		"BEGIN:VCALENDAR\nBEGIN:VEVENT\r\nUID:a\n b\r\nEND:VEVENT\nEND:VCALENDAR",
	};
	for (size_t k = 0; k < 4; k++) {
		struct ics_scan s;
		struct diag d;
		int rc = scan(&s, &d, texts[k]);
		is_int(rc, 0, "%s: scan succeeds", names[k]);
		is_int(d.n, 0, "%s: no diagnostics", names[k]);
		is_int(s.n_lines, 5, "%s: five logical lines", names[k]);
		const struct ics_line *l = line_named(&s, "UID");
		ok(l && strcmp(l->text, "UID:ab") == 0 && l->line == 3, "%s: UID unfolded, on line 3", names[k]);
		l = line_named(&s, "END");
		ok(l && l->line == 5, "%s: END:VEVENT on line 5", names[k]);
		ok(s.n_comps == 2 && s.comps[0].complete && s.comps[1].complete, "%s: both components closed",
		   names[k]);
		ics_scan_release(&s);
		diag_release(&d);
	}
}

static void test_bom_and_blank(void)
{
	struct ics_scan s;
	struct diag d;
	int rc = scan(&s, &d, "\xEF\xBB\xBF" "BEGIN:VCALENDAR\r\n\r\nEND:VCALENDAR\r\n");
	is_int(rc, 0, "BOM and blank line: accepted");
	is_int(s.n_lines, 2, "BOM and blank line: two lines");
	ok(s.n_lines == 2 && s.lines[1].line == 3, "BOM and blank line: blank line still counted");
	ics_scan_release(&s);
	diag_release(&d);
}

/* Bad UTF-8 is a warning (Latin-1 exports are common): reported once per
 * file at its first bad byte, as LINE:COL, and each bad byte is read as '?'. */
static void bad_utf8_at(const char *what, const char *text, int want_line, int want_col)
{
	struct ics_scan s;
	struct diag d;
	int rc = scan(&s, &d, text);
	size_t n = 0;
	const struct diag_item *it = NULL;
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].code == D_ICS_BAD_UTF8 && n++ == 0)
			it = &d.v[i];
	is_int(rc, 0, "bad UTF-8 (%s): the scan goes on", what);
	is_int(n, 1, "bad UTF-8 (%s): reported once", what);
	ok(it && it->line == want_line && it->col == want_col, "bad UTF-8 (%s): at %d:%d (got %d:%d)", what,
	   want_line, want_col, it ? it->line : 0, it ? it->col : 0);
	ok(it && it->file && strcmp(it->file, "t.ics") == 0, "bad UTF-8 (%s): file named", what);
	ok(diag_severity(D_ICS_BAD_UTF8) == DIAG_WARNING && d.errors == 0, "bad UTF-8 (%s): a warning", what);
	ics_scan_release(&s);
	diag_release(&d);
}

static void test_bad_utf8(void)
{
	bad_utf8_at("0xFF", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-S:ab\xFF" "cd\r\nEND:VCALENDAR\r\n", 3, 7);
	bad_utf8_at("cut after a fold",
		    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nLOCATION:room \r\n 1\xC3(\r\n"
		    "END:VEVENT\r\nEND:VCALENDAR\r\n", 5, 3);
	bad_utf8_at("surrogate", "BEGIN:VCALENDAR\nDESCRIPTION:\xED\xA0\x80\nEND:VCALENDAR\n", 2, 13);
	bad_utf8_at("overlong", "BEGIN:VCALENDAR\nX-A:\xC0\xAF\nEND:VCALENDAR\n", 2, 5);

	struct ics_scan s;
	struct diag d;
	scan(&s, &d,
	     "BEGIN:VCALENDAR\r\n"
	     "BEGIN:VEVENT\r\n"
	     "SUMMARY:ab\xFF" "cd\r\n"
	     "LOCATION:\xE9t\xE9\r\n"
	     "END:VEVENT\r\n"
	     "END:VCALENDAR\r\n");
	is_int(d.n, 1, "bad UTF-8 on two lines: one warning for the file");
	const struct ics_line *l = line_named(&s, "SUMMARY");
	ok(l && !l->bad && strcmp(l->text, "SUMMARY:ab?cd") == 0, "bad UTF-8: byte read as '?'");
	l = line_named(&s, "LOCATION");
	ok(l && !l->bad && strcmp(l->text, "LOCATION:?t?") == 0, "bad UTF-8: Latin-1 bytes read as '?'");
	ics_scan_release(&s);
	diag_release(&d);

	scan(&s, &d, "BEGIN:VCALENDAR\r\nX-A:a\0b\r\nEND:VCALENDAR\r\n");
	diag_release(&d);
	ics_scan_release(&s);
	/* strlen() stops at the NUL above; give the length explicitly */
	static const char nul[] = "BEGIN:VCALENDAR\r\nX-A:a\0b\r\nEND:VCALENDAR\r\n";
	diag_init(&d);
	ics_scan(&s, "t.ics", nul, sizeof nul - 1, &lim, &d);
	const struct diag_item *c = find(&d, D_ICS_CONTROL);
	ok(c && c->line == 2 && c->col == 6, "NUL byte reported at 2:6");
	ics_scan_release(&s);
	diag_release(&d);
}

static void test_unclosed(void)
{
	struct ics_scan s;
	struct diag d;
	int rc = scan(&s, &d,
		      "BEGIN:VCALENDAR\r\n"
		      "VERSION:2.0\r\n"
		      "BEGIN:VEVENT\r\n"
		      "UID:x\r\n"
		      "END:VEVENT\r\n");
	is_int(rc, 0, "missing END:VCALENDAR: the complete VEVENT is kept");
	const struct diag_item *u = find(&d, D_ICS_UNCLOSED);
	ok(u != NULL, "missing END:VCALENDAR: reported as truncated");
	if (u) {
		is_int(u->line, 5, "missing END:VCALENDAR: at the last line");
		ok(strstr(u->msg, "VCALENDAR") && strstr(u->msg, "line 1"), "missing END:VCALENDAR: names BEGIN of line 1 (%s)",
		   u->msg);
	}
	is_int(diag_exit_status(&d), DV_EXIT_INPUT, "missing END:VCALENDAR: exit class INPUT");
	ok(s.n_comps == 2 && !s.comps[0].complete && s.comps[1].complete,
	   "missing END:VCALENDAR: calendar incomplete, event complete");
	ics_scan_release(&s);
	diag_release(&d);

	rc = scan(&s, &d, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n");
	ok(find(&d, D_ICS_END_MISMATCH) != NULL, "END:VCALENDAR closing an open VEVENT is a mismatch");
	ics_scan_release(&s);
	diag_release(&d);

	rc = scan(&s, &d, "BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
	const struct diag_item *e = find(&d, D_ICS_END_UNOPENED);
	ok(e && e->line == 2, "END without BEGIN reported at line 2");
	ics_scan_release(&s);
	diag_release(&d);
}

static void test_nesting(void)
{
	/* depth 9 > the limit of 8 */
	char text[1024] = "BEGIN:VCALENDAR\r\n";
	for (int i = 0; i < 8; i++)
		strcat(text, "BEGIN:X-DEEP\r\n");
	for (int i = 0; i < 8; i++)
		strcat(text, "END:X-DEEP\r\n");
	strcat(text, "END:VCALENDAR\r\n");
	struct ics_scan s;
	struct diag d;
	int rc = scan(&s, &d, text);
	is_int(rc, -1, "nesting: past the cap the scan fails");
	const struct diag_item *n = find(&d, D_ICS_NESTING);
	ok(n && n->line == 9, "nesting: reported at line 9, the ninth BEGIN");
	is_int(diag_exit_status(&d), DV_EXIT_LIMIT, "nesting: exit class LIMIT");
	ok(s.fatal, "nesting: fatal");
	ics_scan_release(&s);
	diag_release(&d);

	/* exactly at the cap: fine */
	strcpy(text, "BEGIN:VCALENDAR\r\n");
	for (int i = 0; i < 7; i++)
		strcat(text, "BEGIN:X-DEEP\r\n");
	for (int i = 0; i < 7; i++)
		strcat(text, "END:X-DEEP\r\n");
	strcat(text, "END:VCALENDAR\r\n");
	rc = scan(&s, &d, text);
	ok(rc == 0 && !find(&d, D_ICS_NESTING), "nesting: depth 8 is accepted");
	ics_scan_release(&s);
	diag_release(&d);
}

static void test_line_limit(void)
{
	struct ics_limits small = lim;
	small.max_line_bytes = 16;
	const char *text = "BEGIN:VCALENDAR\r\nX-LONG:0123456789\r\n abcdef\r\nEND:VCALENDAR\r\n";
	struct ics_scan s;
	struct diag d;
	diag_init(&d);
	ics_scan(&s, "t.ics", text, strlen(text), &small, &d);
	const struct diag_item *it = find(&d, D_ICS_LINE_TOO_LONG);
	ok(it && it->line == 2 && it->col == 1, "line limit: an unfolded line past the limit is reported at 2:1");
	is_int(diag_exit_status(&d), DV_EXIT_LIMIT, "line limit: exit class LIMIT");
	ics_scan_release(&s);
	diag_release(&d);
}

static void test_params(void)
{
	struct ics_scan s;
	struct diag d;
	scan(&s, &d,
	     "BEGIN:VCALENDAR\r\n"
	     "DTSTART;TZID=\"Europe/London\";VALUE=DATE-TIME:20260105T090000\r\n"
	     "ATTENDEE;CN=\"Smith, J\":mailto:j@example.org\r\n"
	     "X-BAD;=x:y\r\n"
	     "DTSTART;=x:20260105\r\n"
	     "END:VCALENDAR\r\n");
	const struct ics_line *l = line_named(&s, "DTSTART");
	char buf[64];
	ok(l && ics_line_param(l, "TZID", buf, sizeof buf) && strcmp(buf, "Europe/London") == 0,
	   "params: quoted TZID unquoted");
	ok(l && ics_line_param(l, "tzid", buf, sizeof buf) != NULL, "params: names match without case");
	ok(l && ics_line_param(l, "RANGE", buf, sizeof buf) == NULL, "params: absent parameter is NULL");
	l = line_named(&s, "ATTENDEE");
	ok(l && strcmp(l->text + l->value_off, "mailto:j@example.org") == 0, "params: ':' inside quotes");
	const struct diag_item *it = find(&d, D_ICS_LINE_IGNORED);
	ok(it && it->line == 4 && it->col == 7, "params: malformed X- line ignored, reported at 4:7");
	l = line_named(&s, "X-BAD");
	ok(l && l->bad == 2, "params: the ignored line is marked bad = 2 (only ignored)");
	it = find(&d, D_ICS_BAD_PARAM);
	ok(it && it->line == 5 && it->col == 9, "params: malformed parameter of DTSTART is an error at 5:9");
	ok(it && strstr(it->msg, "DTSTART") != NULL, "params: the error names DTSTART");
	ics_scan_release(&s);
	diag_release(&d);
}

int main(void)
{
	icalerror_set_errors_are_fatal(0);
	ics_limits_default(&lim);
	test_unfold();
	test_fold_in_utf8();
	test_line_ends();
	test_bom_and_blank();
	test_bad_utf8();
	test_unclosed();
	test_nesting();
	test_line_limit();
	test_params();
	return tap_done();
}
