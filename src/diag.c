/* diag.c: the diagnostics catalogue and the bounded list of reports. */
#include "dovetail/diag.h"
#include "dovetail/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	const char *name;
	enum diag_severity sev;
	enum dv_exit exit;
	const char *tmpl;
};

static const struct entry catalogue[D__COUNT] = {
#define DIAG_ROW_(code, sev, ex, tmpl) { #code, DIAG_##sev, DV_EXIT_##ex, tmpl },
	DIAG_CATALOGUE(DIAG_ROW_)
#undef DIAG_ROW_
};

static const char *const explanation[D__COUNT] = {
#define DIAG_EXPLAIN_ROW_(code, text) [code] = text,
	DIAG_EXPLAIN(DIAG_EXPLAIN_ROW_)
#undef DIAG_EXPLAIN_ROW_
};

/* DIAG_EXPLAIN holds one entry per code, in the catalogue's order: a code
 * added to one list and not the other fails the build here. */
enum {
#define DIAG_EXPLAIN_ORDER_(code, text) explain_##code,
	DIAG_EXPLAIN(DIAG_EXPLAIN_ORDER_)
#undef DIAG_EXPLAIN_ORDER_
	explain__count
};
_Static_assert((int)explain__count == (int)D__COUNT, "DIAG_EXPLAIN needs one entry per DIAG_CATALOGUE code");
#define DIAG_EXPLAIN_SAME_(code, text) _Static_assert((int)explain_##code == (int)code, #code " is out of the catalogue's order in DIAG_EXPLAIN");
DIAG_EXPLAIN(DIAG_EXPLAIN_SAME_)
#undef DIAG_EXPLAIN_SAME_

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof *d);
	d->limit = 1000;
}

void diag_release(struct diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	size_t limit = d->limit;
	diag_init(d);
	d->limit = limit;
}

static char *format(const char *tmpl, va_list ap)
{
	/* Templates only take %s; substitute by hand so that a template is never
	 * used as a printf format string. */
	size_t cap = strlen(tmpl) + 64, len = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (const char *p = tmpl; *p; p++) {
		const char *s = NULL;
		char one[2] = { *p, 0 };
		if (p[0] == '%' && p[1] == 's') {
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			p++;
		} else {
			s = one;
		}
		/* values quoted in messages are bounded, and never cut inside a character */
		size_t sl = utf8_cut(s, strlen(s), 512);
		if (len + sl + 1 > cap) {
			cap = (len + sl + 1) * 2;
			char *n = realloc(out, cap);
			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		memcpy(out + len, s, sl);
		len += sl;
	}
	out[len] = 0;
	return out;
}

void diag_add(struct diag *d, enum diag_code code, const char *file,
	      int line, int col, ...)
{
	const struct entry *e = &catalogue[code];
	char *msg = NULL;
	if (d->n > 0 && d->n < d->limit) {
		/* the same diagnostic again, at once (a full disk fails each
		 * statement of a store's transaction alike): said once */
		va_list ap;
		va_start(ap, col);
		msg = format(e->tmpl, ap);
		va_end(ap);
		const struct diag_item *last = &d->v[d->n - 1];
		if (msg && last->code == code && last->line == line && last->col == col &&
		    (last->file ? file && !strcmp(last->file, file) : !file) && last->msg &&
		    !strcmp(last->msg, msg)) {
			free(msg);
			return;
		}
	}
	if (e->sev == DIAG_ERROR) {
		d->worst_exit = diag_exit_worse(d->worst_exit, (int)e->exit);
		d->errors++;
	} else if (e->sev == DIAG_WARNING) {
		d->warnings++;
	}
	if (d->n >= d->limit) {
		d->dropped++;
		free(msg);
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct diag_item *v = realloc(d->v, cap * sizeof *v);
		if (!v) {
			d->dropped++;
			free(msg);
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	if (!msg) {
		va_list ap;
		va_start(ap, col);
		msg = format(e->tmpl, ap);
		va_end(ap);
	}
	struct diag_item *it = &d->v[d->n++];
	it->code = code;
	it->file = file ? strdup(file) : NULL;
	it->line = line;
	it->col = col;
	it->msg = msg;
}

void diag_move(struct diag *dst, struct diag *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (dst->n >= dst->limit) {
			dst->dropped++;
			free(src->v[i].file);
			free(src->v[i].msg);
			continue;
		}
		if (dst->n == dst->cap) {
			size_t cap = dst->cap ? dst->cap * 2 : 16;
			struct diag_item *v = realloc(dst->v, cap * sizeof *v);
			if (!v) {
				dst->dropped++;
				free(src->v[i].file);
				free(src->v[i].msg);
				continue;
			}
			dst->v = v;
			dst->cap = cap;
		}
		dst->v[dst->n++] = src->v[i];
	}
	dst->worst_exit = diag_exit_worse(dst->worst_exit, src->worst_exit);
	dst->errors += src->errors;
	dst->warnings += src->warnings;
	dst->dropped += src->dropped;
	free(src->v);
	size_t limit = src->limit;
	memset(src, 0, sizeof *src);
	src->limit = limit;
}

enum diag_severity diag_severity(enum diag_code code) { return catalogue[code].sev; }
enum dv_exit diag_exit(enum diag_code code) { return catalogue[code].exit; }
const char *diag_name(enum diag_code code) { return catalogue[code].name; }
const char *diag_template(enum diag_code code) { return catalogue[code].tmpl; }
const char *diag_explanation(enum diag_code code) { return explanation[code]; }

const char *diag_severity_name(enum diag_severity sev)
{
	switch (sev) {
	case DIAG_NOTE: return "note";
	case DIAG_WARNING: return "warning";
	case DIAG_ERROR: return "error";
	}
	return "?";
}

int diag_exit_rank(int status)
{
	/* docs/exit-status.md, "Which status wins": keep the two in step */
	switch (status) {
	case DV_EXIT_INTERNAL: return 9;
	case DV_EXIT_STORE: return 8;
	case DV_EXIT_CANTCREAT: return 7;
	case DV_EXIT_UNAVAILABLE: return 6;
	case DV_EXIT_IO: return 5;
	case DV_EXIT_USAGE: return 4;
	case DV_EXIT_INPUT: return 3; /* DV_EXIT_LIMIT too: the same 65 */
	case DV_EXIT_PARTIAL: return 2;
	case DV_EXIT_PROBLEMS: return 1;
	default: return 0;
	}
}

int diag_exit_worse(int a, int b)
{
	return diag_exit_rank(b) > diag_exit_rank(a) ? b : a;
}

int diag_exit_status(const struct diag *d)
{
	return d->errors ? d->worst_exit : DV_EXIT_OK;
}

size_t diag_count(const struct diag *d, enum diag_severity sev)
{
	return sev == DIAG_ERROR ? d->errors : sev == DIAG_WARNING ? d->warnings : 0;
}
