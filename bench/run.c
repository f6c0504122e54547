// SPDX-License-Identifier: GPL-2.0
/* Bookkeeping of one interleaved measurement; see run.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "run.h"

void run_init(struct run *r, size_t size, int reps)
{
	int k, j;

	memset(r, 0, sizeof(*r));
	r->size = size;
	r->reps = reps;
	for (k = 0; k < nr_providers; k++) {
		const char *why = provider_unavailable(&providers[k], size);

		if (why)
			snprintf(r->why[k], sizeof(r->why[k]), "%s", why);
		for (j = 0; j < NVAL; j++)
			r->v[j][k] = calloc((size_t)reps, sizeof(double));
	}
	for (j = 0; j < 2; j++)
		r->anon[j] = calloc((size_t)reps, sizeof(double));
}

void run_free(struct run *r)
{
	int k, j;

	for (k = 0; k < nr_providers; k++)
		for (j = 0; j < NVAL; j++)
			free(r->v[j][k]);
	for (j = 0; j < 2; j++)
		free(r->anon[j]);
}

/*
 * A shuffle of the providers, the same for every call with @rep: no
 * provider always follows the same other one and inherits the work its
 * release leaves behind.
 */
int run_turn(const struct run *r, int rep, int i)
{
	unsigned int x = 2654435761u * (unsigned int)(rep + 1);
	int order[MAXP] = { 0 }, j, k;

	for (j = 0; j < nr_providers; j++)
		order[j] = j;
	for (j = nr_providers - 1; j > 0; j--) {
		int t;

		x = x * 1103515245u + 12345u;
		k = (int)((x >> 16) % (unsigned int)(j + 1));
		t = order[j];
		order[j] = order[k];
		order[k] = t;
	}
	k = order[i];
	return r->why[k][0] ? -1 : k;
}

int run_check(struct run *r, int k, const char *what, int ret)
{
	if (!ret)
		return 1;
	if (!r->why[k][0])
		snprintf(r->why[k], sizeof(r->why[k]), "%s failed: %s", what,
			 strerror(-ret));
	return 0;
}

void run_report(struct run *r, int idx, const char *metric, const char *unit,
		const char *note)
{
	struct summary s;
	int k;

	for (k = 0; k < nr_providers; k++) {
		if (r->why[k][0]) {
			result_unavailable(metric, providers[k].name, r->size,
					   r->why[k]);
			continue;
		}
		s = summarize(r->v[idx][k], r->reps);
		result(metric, providers[k].name, r->size, &s, unit, note);
	}
}

void run_report_anon(struct run *r)
{
	struct summary s;

	s = summarize(r->anon[0], r->reps);
	result("write-bw", "anonymous", r->size, &s, "MiB/s", "prefaulted");
	s = summarize(r->anon[1], r->reps);
	result("read-bw", "anonymous", r->size, &s, "MiB/s", "prefaulted");
}
