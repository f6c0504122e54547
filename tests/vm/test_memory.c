// SPDX-License-Identifier: GPL-2.0
/*
 * Memory as the kernel sees it: INFO and CACHE_INFO count what the
 * allocator really took (MemFree agrees), the quota holds against that,
 * and the reuse cache gives its memory back when the kernel needs it (to
 * the shrinker, before anyone is OOM-killed) or when it sits idle.  Tests
 * that reload the module leave it loaded with default parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

/*
 * Free memory (free_kib(): MemFree plus the per-CPU free lists) moves by
 * more than our buffers: per-buffer bookkeeping (the dma-buf, its file and
 * inode, the sg_table) and whatever the guest does meanwhile.  A few MiB,
 * far below the half that a wrong count misses.
 */
#define SLACK_KIB(kib) (4096 + (kib) / 32)

static long meminfo_kib(const char *key)
{
	char line[128];
	size_t klen = strlen(key);
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			kib = strtol(line + klen + 1, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return kib;
}

/* Until the cache holds at most @bytes: 0, or -1 after @ms. */
static int wait_cached_at_most(uint64_t bytes, int ms)
{
	for (; ms > 0; ms -= 10) {
		if (cache_info().cached_bytes <= bytes)
			return 0;
		usleep(10000);
	}
	return cache_info().cached_bytes <= bytes ? 0 : -1;
}

static void assert_near(long measured_kib, long counted_kib, const char *what)
{
	long slack = SLACK_KIB(counted_kib);

	printf(" (%s: MemFree moved %ld KiB, counted %ld KiB) ", what,
	       measured_kib, counted_kib);
	CU_ASSERT(measured_kib <= counted_kib + slack);
	CU_ASSERT(measured_kib >= counted_kib - slack);
}

/*
 * The numbers: total_limit=64M and 2 MiB + 4 KiB buffers.  Without
 * CMA each takes a 4 MiB block, so 16 fit, not 31; whatever the allocator,
 * the quota must hold against the memory MemFree says is gone.
 */
static void quota_holds_against_real_memory(void)
{
	const size_t len = (2 << 20) + PAGE;
	struct dmabuf_exporter_info info;
	int fds[64], n = 0, ret = 0;
	long before;

	module_reload("total_limit=67108864 cache_size=0");
	before = free_kib();
	while (n < 64) {
		struct dmabuf_exporter_alloc a;

		ret = exp_alloc(len, O_RDWR | O_CLOEXEC, 0, &a);
		if (ret)
			break;
		fds[n++] = (int)a.fd;
	}
	info = exp_info();
	printf(" (%d buffers before %s) ", n, strerror(-ret));
	CU_ASSERT_EQUAL(ret, -EDQUOT);
	CU_ASSERT(info.total_allocated <= info.total_limit);
	assert_near(before - free_kib(), (long)(info.total_allocated >> 10),
		    "quota full");
	while (n)
		close(fds[--n]);
	CU_ASSERT_EQUAL(exp_info().total_allocated, 0);
	module_reload("");
}

/* Sizes of every kind: pages, odd sizes, just past powers of two. */
static const size_t mixed_sizes[] = {
	PAGE,	       3 * PAGE,	 17 * PAGE, 100 << 10,
	(1 << 20) + 1, (2 << 20) - PAGE, 3 << 20,   (2 << 20) + PAGE,
};
#define N_MIXED (sizeof(mixed_sizes) / sizeof(mixed_sizes[0]))

/*
 * INFO's total_allocated is what MemFree lost to live buffers; after
 * release into the cache, CACHE_INFO's cached_bytes is what stays lost.
 */
static void info_matches_memfree(void)
{
	int fds[N_MIXED * 4];
	long before, used;
	unsigned int i;

	module_reload("cache_size=67108864");
	before = free_kib();
	for (i = 0; i < N_MIXED * 4; i++)
		fds[i] = exp_alloc_rw(mixed_sizes[i % N_MIXED]);
	used = before - free_kib();
	assert_near(used, (long)(exp_info().total_allocated >> 10), "live");
	for (i = 0; i < N_MIXED * 4; i++)
		close(fds[i]);
	CU_ASSERT_EQUAL(exp_info().total_allocated, 0);
	/* Let the worker finish zeroing: it holds no extra memory, but wait. */
	CU_ASSERT_EQUAL(wait_zeroed(), 0);
	used = before - free_kib();
	assert_near(used, (long)(cache_info().cached_bytes >> 10), "cached");
	module_reload("");
}

/* Fill the cache with @n buffers of 4 MiB; fails the test otherwise. */
static void fill_cache(int n)
{
	int fds[64], i;

	for (i = 0; i < n; i++)
		fds[i] = exp_alloc_rw(4 << 20);
	for (i = 0; i < n; i++)
		close(fds[i]);
	CU_ASSERT_EQUAL_FATAL(cache_info().cached_bytes, (uint64_t)n << 22);
}

/*
 * drop_caches=2 runs every shrinker: the cache must be one of them.  The
 * one buffer the zeroing worker may hold for a moment is out of reach of
 * the shrinker (and of the next reclaim pass, not lost): let it finish.
 */
static void shrinker_empties_cache(void)
{
	long before;

	module_reload("cache_size=33554432");
	fill_cache(8);
	CU_ASSERT_EQUAL_FATAL(wait_zeroed(), 0);
	before = free_kib();
	CU_ASSERT_EQUAL_FATAL(write_file("/proc/sys/vm/drop_caches", "2"), 0);
	printf(" (%llu bytes still cached, MemFree up %ld KiB) ",
	       (unsigned long long)cache_info().cached_bytes,
	       free_kib() - before);
	CU_ASSERT_EQUAL(cache_info().cached_bytes, 0);
	CU_ASSERT(free_kib() - before >= 28 << 10);
	module_reload("");
}

/*
 * A process that needs more than is free, and less than is free plus the
 * cache: the kernel must take the cache back rather than OOM-kill it.  Its
 * oom_score_adj makes it the OOM killer's first choice, so a cache that
 * does not give way shows as the child killed (and a dirty kernel log).
 */
static int hog(void *arg)
{
	size_t len = *(size_t *)arg, off;
	char *p;

	if (write_file("/proc/self/oom_score_adj", "1000"))
		return 2;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return 3;
	for (off = 0; off < len; off += PAGE)
		p[off] = 1;
	return 0;
}

static void cache_yields_before_oom(void)
{
	const int n = 32;
	char params[96];
	size_t len;
	int status;

	snprintf(params, sizeof(params), "total_limit=%lu cache_size=%lu",
		 (unsigned long)n << 22, (unsigned long)n << 22);
	module_reload(params);
	fill_cache(n);
	/* Everything free now, plus half of what the cache holds. */
	len = ((size_t)meminfo_kib("MemFree") << 10) + ((size_t)n << 21);
	status = run_child(hog, &len);
	printf(" (hog of %zu MiB: %s; %llu MiB still cached) ", len >> 20,
	       status == 0	       ? "ran" :
	       status == 128 + SIGKILL ? "OOM-killed" :
					 "failed",
	       (unsigned long long)cache_info().cached_bytes >> 20);
	CU_ASSERT_EQUAL(status, 0);
	CU_ASSERT(cache_info().cached_bytes <= ((uint64_t)n << 21));
	module_reload("");
}

/* A cache nobody uses empties itself after cache_idle_ms. */
static void idle_cache_expires(void)
{
	module_reload("cache_size=16777216 cache_idle_ms=200");
	fill_cache(2);
	CU_ASSERT_EQUAL(wait_cached_at_most(0, SETTLE_LIMIT_MS), 0);
	module_reload("");
}

/* The cache is memory nobody owns: never more of it than the quota. */
static void cache_size_above_total_limit_refused(void)
{
	CU_ASSERT_EQUAL_FATAL(module_unload(), 0);
	CU_ASSERT_EQUAL(module_load("total_limit=8388608 cache_size=16777216"),
			-EINVAL);
	CU_ASSERT_EQUAL(access(EXPORTER_DEV, F_OK), -1);
	CU_ASSERT_EQUAL(module_load("total_limit=8388608 cache_size=8388608"),
			0);
	CU_ASSERT_EQUAL_FATAL(module_unload(), 0);
	CU_ASSERT_EQUAL_FATAL(module_load(""), 0);
}

static const struct vm_test tests[] = {
	VM_TEST(quota_holds_against_real_memory),
	VM_TEST(info_matches_memfree),
	VM_TEST(shrinker_empties_cache),
	VM_TEST(cache_yields_before_oom),
	VM_TEST(idle_cache_expires),
	VM_TEST(cache_size_above_total_limit_refused),
	VM_TESTS_END,
};

const struct vm_suite suite_memory = { .name = "memory", .tests = tests };
