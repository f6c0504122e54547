/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the debug-lane programs (fault-sweep, fuzz, stress): what they
 * need beyond the in-VM suites' harness, without CUnit.  Every failure is
 * printed as one "FAIL" line and counted; each program ends with one
 * "SUMMARY" line that scripts/check-debug.sh collects.
 */
#ifndef DMABUF_EXPORTER_DEBUG_LANE_H
#define DMABUF_EXPORTER_DEBUG_LANE_H

/*
 * How long the lane waits for the kernel to settle (a dead child's last
 * fput, the cache's worker): the wait ends as soon as it has, so only a
 * real leak takes this long.  Never a guess at the speed of a loaded KASAN
 * guest under TCG (issue 20).
 */
#define LANE_SETTLE_MS 120000

#include <stdint.h>

#include "../vm/harness.h"

/* Failures so far; lane_fail() prints one and counts it. */
extern unsigned long lane_failures;
void lane_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* INFO into *@info; 0 or -errno. */
int lane_info(struct dmabuf_exporter_info *info);

/*
 * Exporter usage and our fd count, as a leak check compares them.  Waits
 * up to @wait_ms for @want (a dead child's last fput trails its exit).
 */
struct lane_usage {
	uint32_t live;
	uint64_t bytes;
	int fds;
};
struct lane_usage lane_usage(void);
int lane_usage_wait(const struct lane_usage *want, int wait_ms);
/* Print where and how @now differs from @want as a failure. */
void lane_usage_fail(const char *where, const struct lane_usage *want);

/* xorshift64*: the one random source, so a seed replays a run. */
struct lane_rng {
	uint64_t s;
};
void lane_rng_seed(struct lane_rng *r, uint64_t seed);
uint64_t lane_rand(struct lane_rng *r);
/* Uniform in [0, n); n > 0. */
uint64_t lane_below(struct lane_rng *r, uint64_t n);
/* A seed from the clock, for runs not given one. */
uint64_t lane_clock_seed(void);

/* Seconds since an arbitrary start (CLOCK_MONOTONIC). */
double lane_now(void);

/* Parse "--name VALUE" from argv into *@out; 1 when found. */
int lane_arg_u64(int argc, char **argv, const char *name, uint64_t *out);

#endif
