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
#define NVAL 6

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
 * The provider whose turn @i (0 to nr_providers - 1) of repeat @rep is, or
 * -1 when it is left out.  Every repeat has its own order.
 */
int run_turn(const struct run *r, int rep, int i);

#endif
