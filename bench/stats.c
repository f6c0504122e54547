// SPDX-License-Identifier: GPL-2.0
/*
 * Clocks, fault counters, medians, and the result lines the host collects.
 *
 * Lines for the host are tab separated.  One context line first:
 *   @@BENCH-CONTEXT date kernel cpu accel
 * then one line per result:
 *   @@BENCH metric provider size n median min max unit note
 * A provider the kernel lacks gets n = 0, "-" for the numbers and the
 * reason as its note.  Everything else on stdout is progress for people.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"

double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

double process_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v in place. */
struct summary summarize(double *v, int n)
{
	struct summary s = { .n = n };

	if (n < 1)
		return s;
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

/* Notes and names go in one tab-separated field: no tabs or newlines. */
static const char *field(const char *s)
{
	static char out[256];
	size_t i;

	snprintf(out, sizeof(out), "%s", s && *s ? s : "-");
	for (i = 0; out[i]; i++)
		if (out[i] == '\t' || out[i] == '\n')
			out[i] = ' ';
	return out;
}

void result(const char *metric, const char *provider, size_t size,
	    const struct summary *s, const char *unit, const char *note)
{
	printf("@@BENCH\t%s\t%s\t%zu\t%d\t%.6g\t%.6g\t%.6g\t%s\t%s\n", metric,
	       provider, size, s->n, s->median, s->min, s->max, unit,
	       field(note));
}

void result_unavailable(const char *metric, const char *provider, size_t size,
			const char *why)
{
	printf("@@BENCH\t%s\t%s\t%zu\t0\t-\t-\t-\t-\tunavailable: %s\n", metric,
	       provider, size, field(why));
}

void result_context(const char *kernel, const char *cpu, const char *accel,
		    const char *date)
{
	printf("@@BENCH-CONTEXT\t%s\t%s\t%s\t", date, kernel, field(cpu));
	printf("%s\n", field(accel));
}

void progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}
