/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interleaved measurement: per provider, up to NVAL sample arrays of
 * @reps values, and why a provider is left out (its kernel lacks it, the
 * size is beyond it, or one of its calls failed).
 */
#ifndef DMABUF_BENCH_RUN_H
#define DMABUF_BENCH_RUN_H

#include <stddef.h>

#define MAXP 8
#define NVAL 4

struct run {
	size_t size;
	int reps;
	double *v[NVAL][MAXP];
	double *anon[2]; /* bandwidth of anonymous memory, write and read */
	char why[MAXP][200];
};

void run_init(struct run *r, size_t size, int reps);
void run_free(struct run *r);
/* 1 when @ret is 0; else leaves provider @k out, saying @what failed. */
int run_check(struct run *r, int k, const char *what, int ret);
/* Result lines of sample array @idx for every provider. */
void run_report(struct run *r, int idx, const char *metric, const char *unit,
		const char *note);
void run_report_anon(struct run *r);

/*
 * Turn @i of repeat @rep goes to provider @k; the order rotates every
 * repeat and providers left out are passed over.
 */
#define for_each_turn(r, rep, i, k)                                     \
	for ((i) = 0; (i) < nr_providers; (i)++)                        \
		if ((k) = ((i) + (rep)) % nr_providers, (r)->why[k][0]) \
			continue;                                       \
		else

#endif
