/* graph-scan.c: time caseload_scan on a caseload and describe its sharing graph (tools/bench-graph.py drives it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dovetail/caseload.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int by_size_desc(const void *x, const void *y)
{
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	return (a < b) - (a > b);
}

static void print_diag(const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "graph-scan: %s:%d:%d: %s\n", d->v[i].file ? d->v[i].file : "-", d->v[i].line,
			d->v[i].col, d->v[i].msg);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: graph-scan CASELOAD [RUNS [SHARDS]]\n");
		return 64;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 1;
	unsigned shards = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 4;
	if (runs < 1 || runs > 100 || shards < 1 || shards > CL_GRAPH_MAX_SHARDS) {
		fprintf(stderr, "graph-scan: RUNS 1..100, SHARDS 1..%u\n", CL_GRAPH_MAX_SHARDS);
		return 64;
	}
	struct diag d;
	diag_init(&d);
	struct caseload *cl = NULL;
	double t0 = now_s();
	if (caseload_load(&cl, argv[1], &d) < 0) {
		print_diag(&d);
		return diag_exit_status(&d);
	}
	double t_load = now_s() - t0;
	struct cl_graph *g = NULL;
	double best = 1e30;
	for (int r = 0; r < runs; r++) {
		cl_graph_free(g);
		g = NULL;
		t0 = now_s();
		if (caseload_scan(cl, 0, 1, &g, &d) < 0) {
			print_diag(&d);
			caseload_free(cl);
			return diag_exit_status(&d);
		}
		double t = now_s() - t0;
		printf("scan %d: %.3f s\n", r + 1, t);
		best = t < best ? t : best;
	}
	size_t loaded = 0, singletons = 0;
	for (size_t i = 0; i < g->n_persons; i++)
		loaded += g->loaded[i];
	size_t *sizes = malloc((g->n_comps ? g->n_comps : 1) * sizeof *sizes);
	if (!sizes)
		return 70;
	for (size_t c = 0; c < g->n_comps; c++) {
		sizes[c] = g->comp_size[c];
		singletons += sizes[c] == 1;
	}
	qsort(sizes, g->n_comps, sizeof *sizes, by_size_desc);
	t0 = now_s();
	if (cl_graph_plan_shards(g, shards, &d) < 0) {
		print_diag(&d);
		return 70;
	}
	double t_plan = now_s() - t0;
	size_t *load = calloc(shards, sizeof *load);
	if (!load)
		return 70;
	for (size_t i = 0; i < g->n_persons; i++)
		load[cl_graph_shard_of(g, i, shards)]++;
	size_t lo = (size_t)-1, hi = 0;
	for (unsigned s = 0; s < shards; s++) {
		lo = load[s] < lo ? load[s] : lo;
		hi = load[s] > hi ? load[s] : hi;
	}
	printf("caseload: %zu persons, %zu practitioners listed (load %.3f s)\n", cl->n_persons, cl->n_pracs, t_load);
	printf("scan: best of %d %.3f s (%.1f us per person)\n", runs, best, best * 1e6 / (double)cl->n_persons);
	printf("profiles loaded: %zu; keys: %zu\n", loaded, g->n_keys);
	printf("components: %zu (singletons %zu); largest:", g->n_comps, singletons);
	for (size_t c = 0; c < g->n_comps && c < 10; c++)
		printf(" %zu", sizes[c]);
	printf("%s\n", g->n_comps > 10 ? " ..." : "");
	printf("shards: %u, persons per shard %zu..%zu (plan %.6f s)\n", shards, lo, hi, t_plan);
	free(load);
	free(sizes);
	cl_graph_free(g);
	caseload_free(cl);
	diag_release(&d);
	return 0;
}
