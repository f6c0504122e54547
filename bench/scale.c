// SPDX-License-Identifier: GPL-2.0
/*
 * Scale: how many live buffers of one size fit before the first failure,
 * and whether allocating gets slower as they pile up.  One provider at a
 * time (each holds all its buffers until it is done), memory allocated at
 * once for every provider (a memfd is fallocate()d), up to a cap that
 * keeps the guest out of the OOM killer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* Allocation number L (made with L buffers live) opens window L. */
static const long windows[] = { 1, 1000, 10000 };
#define WINDOW 100

#define NR_WINDOWS (sizeof(windows) / sizeof(windows[0]))

static void window_metric(char *metric, size_t len, size_t i)
{
	snprintf(metric, len, "alloc-at-%ld", windows[i]);
}

/* Every result of a provider that could not run, with the reason. */
static void scale_unavailable(const struct provider *p, size_t size,
			      const char *why)
{
	char metric[32];
	size_t i;

	result_unavailable("scale-count", p->name, size, why);
	for (i = 0; i < NR_WINDOWS; i++) {
		window_metric(metric, sizeof(metric), i);
		result_unavailable(metric, p->name, size, why);
	}
}

/* The windows' results from the times of @n allocations. */
static void scale_windows(const struct provider *p, size_t size, double *t,
			  long n)
{
	char metric[32], only[64];
	struct summary s;
	size_t i;

	snprintf(only, sizeof(only), "only %ld buffers fit", n);
	for (i = 0; i < NR_WINDOWS; i++) {
		window_metric(metric, sizeof(metric), i);
		if (n < windows[i] + WINDOW) {
			result_unavailable(metric, p->name, size, only);
			continue;
		}
		s = summarize(t + windows[i], WINDOW);
		result(metric, p->name, size, &s, "us",
		       "allocation alone, 100 in a row");
	}
}

static void scale_provider(const struct provider *p, size_t size, long cap)
{
	struct buf *b = calloc((size_t)cap, sizeof(*b));
	double *t = calloc((size_t)cap, sizeof(*t));
	struct summary s = { .n = 1 };
	char note[160];
	long n;
	int ret = 0;

	if (!b || !t) {
		perror("calloc");
		exit(1);
	}
	for (n = 0; n < cap; n++) {
		double t0 = now_us();

		ret = buf_alloc(p, size, 1, &b[n]);
		t[n] = now_us() - t0;
		if (ret)
			break;
	}
	if (ret)
		snprintf(note, sizeof(note), "first failure: %s",
			 strerror(-ret));
	else
		snprintf(note, sizeof(note),
			 "no failure: stopped at the cap of %ld", cap);
	s.median = s.min = s.max = (double)n;
	result("scale-count", p->name, size, &s, "buffers", note);
	scale_windows(p, size, t, n);
	while (n--)
		buf_free(&b[n]);
	free(b);
	free(t);
}

void measure_scale(const struct bench_opts *o)
{
	int k;

	for (k = 0; k < nr_providers; k++) {
		const char *why =
			provider_unavailable(&providers[k], o->scale_size);

		if (why) {
			scale_unavailable(&providers[k], o->scale_size, why);
			continue;
		}
		progress("scale: %s, %zu KiB buffers, up to %ld",
			 providers[k].name, o->scale_size / KIB, o->scale_cap);
		scale_provider(&providers[k], o->scale_size, o->scale_cap);
	}
}
