// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for one CLI test: CLOCK_MONOTONIC moves forward by
 * $DBS_CLOCK_STEP_MS at every reading, from the real time of the first
 * one.  Time then passes between two readings of one computation, as it
 * does on a loaded machine, but the same way on every run.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

int clock_gettime(clockid_t clk, struct timespec *ts);

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	static struct timespec first;
	static long long calls;
	long long ns;
	int ret;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(
			RTLD_NEXT, "clock_gettime");
	if (clk != CLOCK_MONOTONIC)
		return real(clk, ts);
	if (!calls)
		ret = real(clk, &first);
	else
		ret = 0;
	ns = first.tv_nsec +
	     calls++ * atoll(getenv("DBS_CLOCK_STEP_MS") ?: "0") * 1000000LL;
	ts->tv_sec = first.tv_sec + ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
	return ret;
}
