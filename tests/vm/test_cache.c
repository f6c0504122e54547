// SPDX-License-Identifier: GPL-2.0
/*
 * The reuse cache: a released buffer comes back zeroed (by the background
 * worker or by the ALLOC that takes it first), the cache never holds more
 * than cache_size, cached memory is nobody's (INFO does not count it), and
 * unloading the module gives it all back.  Tests that reload the module
 * leave it loaded with default parameters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

#define CACHE_PARAM "/sys/module/dmabuf_exporter/parameters/cache_size"

static const char *needs_default_cache(void)
{
	struct dmabuf_exporter_cache_info ci;

	if (ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_CACHE_INFO, &ci))
		return "no CACHE_INFO ioctl";
	if (ci.cache_size < (1 << 20))
		return "module loaded with cache_size below 1 MiB";
	return NULL;
}

/* Allocate @len, write @byte all over it, and release it. */
static void alloc_fill_release(size_t len, int byte)
{
	int fd = exp_alloc_rw(len);
	char *p = map_buf(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	memset(p, byte, len);
	munmap(p, len);
	close(fd);
}

static void cache_info_matches_parameter(void)
{
	struct dmabuf_exporter_cache_info ci = cache_info();
	unsigned long long param = 0;
	FILE *f = fopen(CACHE_PARAM, "r");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fscanf(f, "%llu", &param), 1);
	fclose(f);
	CU_ASSERT_EQUAL(ci.cache_size, param);
	CU_ASSERT_EQUAL(ci.reserved, 0);
	CU_ASSERT(ci.cached_bytes <= ci.cache_size);
	CU_ASSERT(ci.dirty_bytes <= ci.cached_bytes);
	CU_ASSERT(ci.cached_buffers * PAGE <= ci.cached_bytes);
}

/* The same size again is served from the cache, and arrives zeroed. */
static void reuse_arrives_zeroed(size_t len, int wait_for_worker)
{
	struct dmabuf_exporter_cache_info before;
	int fd;
	char *p;

	alloc_fill_release(len, 0x5a);
	if (wait_for_worker)
		CU_ASSERT_EQUAL_FATAL(wait_zeroed(), 0);
	before = cache_info();
	fd = exp_alloc_rw(len);
	CU_ASSERT_EQUAL(cache_info().hits, before.hits + 1);
	p = map_buf(fd, len, PROT_READ, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	CU_ASSERT(p[0] == 0 && !memcmp(p, p + 1, len - 1));
	munmap(p, len);
	close(fd);
}

/* At once: most likely zeroed by the ALLOC itself, the worker not done. */
static void reused_buffer_arrives_zeroed(void)
{
	reuse_arrives_zeroed(256 * PAGE, 0);
}

/* 128 KiB: the smallest size the cache hands to its zeroing worker. */
static void worker_zeroes_released_buffers(void)
{
	reuse_arrives_zeroed(32 * PAGE, 1);
}

/*
 * Below 128 KiB a released buffer is zeroed at release, never queued for
 * the worker, whose wakeup (an IPI under TCG) cost more than the zeroing:
 * right after the last close nothing is dirty.  Sixteen in a row, so that
 * a worker that zeroed them one by one would still be behind.
 */
static void small_buffers_are_zeroed_at_release(void)
{
	int fds[16], i;

	/* What earlier tests released, the worker may still be zeroing. */
	CU_ASSERT_EQUAL_FATAL(wait_zeroed(), 0);
	for (i = 0; i < 16; i++)
		fds[i] = exp_alloc_rw(16 * PAGE);
	for (i = 0; i < 16; i++)
		close(fds[i]);
	CU_ASSERT_EQUAL(cache_info().dirty_bytes, 0);
}

/* A cached buffer is uncharged: INFO shows it released, CACHE_INFO kept. */
static void cached_memory_is_not_allocated(void)
{
	struct usage before = usage_now();
	struct dmabuf_exporter_cache_info ci;

	alloc_fill_release(8 * PAGE, 1);
	assert_usage_is(&before, "after release into the cache");
	ci = cache_info();
	CU_ASSERT(ci.cached_bytes >= 8 * PAGE);
	CU_ASSERT(ci.cached_buffers >= 1);
}

/* Eight 16 KiB buffers into a 64 KiB cache: the newest four stay. */
static void cache_bounded_by_parameter(void)
{
	struct dmabuf_exporter_cache_info ci;
	int fds[8], i;

	module_reload("cache_size=65536");
	for (i = 0; i < 8; i++)
		fds[i] = exp_alloc_rw(4 * PAGE);
	for (i = 0; i < 8; i++)
		close(fds[i]);
	/* A buffer the worker is zeroing holds its room: let it finish. */
	CU_ASSERT_EQUAL_FATAL(wait_zeroed(), 0);
	ci = cache_info();
	CU_ASSERT_EQUAL(ci.cache_size, 65536);
	CU_ASSERT_EQUAL(ci.cached_bytes, 65536);
	CU_ASSERT_EQUAL(ci.cached_buffers, 4);
	/* Larger than the whole cache: never cached, nothing evicted. */
	close(exp_alloc_rw(32 * PAGE));
	CU_ASSERT_EQUAL(cache_info().cached_buffers, 4);
	/* Exactly the cache's size: the four older ones make room. */
	close(exp_alloc_rw(16 * PAGE));
	ci = cache_info();
	CU_ASSERT_EQUAL(ci.cached_bytes, 65536);
	CU_ASSERT_EQUAL(ci.cached_buffers, 1);
	module_reload("");
}

static void cache_size_zero_disables_it(void)
{
	struct dmabuf_exporter_cache_info ci;

	module_reload("cache_size=0");
	alloc_fill_release(4 * PAGE, 1);
	close(exp_alloc_rw(4 * PAGE));
	ci = cache_info();
	CU_ASSERT_EQUAL(ci.cache_size, 0);
	CU_ASSERT_EQUAL(ci.cached_bytes, 0);
	CU_ASSERT_EQUAL(ci.hits, 0);
	module_reload("");
}

/* The default: an eighth of total_limit, at most 64 MiB. */
static void cache_size_default_follows_total_limit(void)
{
	uint64_t eighth;

	module_reload("total_limit=1048576");
	CU_ASSERT_EQUAL(cache_info().cache_size, 131072);
	module_reload("");
	eighth = exp_info().total_limit / 8 / PAGE * PAGE;
	CU_ASSERT_EQUAL(cache_info().cache_size,
			eighth < (64 << 20) ? eighth : 64 << 20);
}

static void bad_cache_size_refuses_to_load(void)
{
	CU_ASSERT_EQUAL_FATAL(module_unload(), 0);
	CU_ASSERT_EQUAL(module_load("cache_size=4097"), -EINVAL);
	CU_ASSERT_EQUAL(module_load("cache_size=-2"), -EINVAL);
	CU_ASSERT_EQUAL(access(EXPORTER_DEV, F_OK), -1);
	CU_ASSERT_EQUAL_FATAL(module_load(""), 0);
}

/*
 * When the allocator fails, the cache is emptied and the allocation tried
 * again: with the cache full of 2 MiB buffers, allocating 4 MiB ones (never
 * served from it) until ENOMEM must end with it empty, and with the
 * counters as before the failed call.
 */
static void allocator_failure_empties_cache(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	const size_t len = 4 << 20;
	struct dmabuf_exporter_alloc a;
	struct usage before;
	char params[96];
	int *fds, n = 0, ret;

	snprintf(params, sizeof(params), "total_limit=%lu cache_size=%zu",
		 (unsigned long)pages * PAGE, 2 * len);
	module_reload(params);
	fds = calloc((size_t)pages * PAGE / len + 4, sizeof(int));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fds);
	for (n = 0; n < 4; n++)
		fds[n] = exp_alloc_rw(len / 2);
	while (n)
		close(fds[--n]);
	CU_ASSERT_EQUAL(cache_info().cached_bytes, 2 * len);
	for (;;) {
		before = usage_now();
		ret = exp_alloc(len, O_RDWR | O_CLOEXEC, 0, &a);
		if (ret)
			break;
		fds[n++] = (int)a.fd;
	}
	CU_ASSERT_EQUAL(ret, -ENOMEM);
	assert_usage_is(&before, "after ENOMEM");
	CU_ASSERT_EQUAL(cache_info().cached_bytes, 0);
	while (n)
		close(fds[--n]);
	free(fds);
	module_reload("");
}

/* Fill the 16 MiB cache; after unload, that memory is free again. */
static void unload_frees_cached_memory(void)
{
	const size_t len = 4 << 20;
	struct dmabuf_exporter_cache_info ci;
	int fds[4], i;
	long before, freed;

	module_reload("cache_size=16777216");
	for (i = 0; i < 4; i++)
		fds[i] = exp_alloc_rw(len);
	for (i = 0; i < 4; i++)
		close(fds[i]);
	ci = cache_info();
	CU_ASSERT_EQUAL(ci.cached_bytes, 4 * len);
	before = free_kib();
	CU_ASSERT_EQUAL_FATAL(module_unload(), 0);
	freed = free_kib() - before;
	printf(" (%ld KiB freed) ", freed);
	/* Most of the 16 MiB: the guest allocates a little meanwhile. */
	CU_ASSERT(freed >= 12 * 1024);
	CU_ASSERT_EQUAL_FATAL(module_load(""), 0);
}

/* Until the cache is empty: 0, or -1 after @ms milliseconds. */
static int wait_cache_empty(long ms)
{
	long waited;

	for (waited = 0; waited < ms; waited += 10) {
		if (!cache_info().cached_bytes)
			return 0;
		usleep(10000);
	}
	return -1;
}

/*
 * Expiry must come back for a buffer the worker was zeroing when it ran:
 * with cache_idle_ms=1 it runs while the worker still works through
 * sixteen released 4 MiB buffers, evicts all the others, finds the age
 * list empty, and used not to arm itself again, leaving the buffer the
 * worker held cached for good.  Five rounds, each of which must see the
 * cache empty (cache_idle_ms is 1 ms) within the harness's limit, which
 * only a stopped expiry ever reaches.
 */
static void expiry_survives_the_zeroing_worker(void)
{
	const size_t len = 4 << 20;
	int fds[16], i, round, ret = 0;

	module_reload("cache_idle_ms=1 cache_size=67108864");
	for (round = 0; round < 5 && !ret; round++) {
		for (i = 0; i < 16; i++)
			fds[i] = exp_alloc_rw(len);
		for (i = 0; i < 16; i++)
			close(fds[i]);
		ret = wait_cache_empty(SETTLE_LIMIT_MS);
		if (ret)
			printf(" (round %d: still cached after %d s: %llu bytes) ",
			       round, SETTLE_LIMIT_MS / 1000,
			       (unsigned long long)cache_info().cached_bytes);
	}
	CU_ASSERT_EQUAL(ret, 0);
	module_reload("");
}

/*
 * The age list stays ordered by release time, oldest first, whatever the
 * zeroing worker does.  A 4 MiB buffer, released first, is zeroed by the
 * worker; a 16 KiB one, released right after, is zeroed at once and goes
 * on the list while the worker still holds the big one.  The worker used
 * to put the big one back at the tail, behind the newer small one.  A
 * third buffer then needs room: the oldest, the 4 MiB one, must go.
 */
static void eviction_takes_the_oldest(void)
{
	const size_t big = 4 << 20, small = 4 * PAGE;
	char params[96];
	int round, wrong = 0;

	snprintf(params, sizeof(params), "cache_idle_ms=0 cache_size=%zu",
		 big + small);
	for (round = 0; round < 5; round++) {
		int fd_big, fd_small;

		module_reload(params);
		fd_big = exp_alloc_rw(big);
		fd_small = exp_alloc_rw(small);
		close(fd_big);
		close(fd_small);
		CU_ASSERT_EQUAL_FATAL(wait_zeroed(), 0);
		CU_ASSERT_EQUAL_FATAL(cache_info().cached_bytes, big + small);
		/* Needs 16 KiB of room: the oldest buffer goes. */
		close(exp_alloc_rw(2 * PAGE + PAGE));
		if (cache_info().cached_bytes != 2 * small) {
			printf(" (round %d: %llu bytes cached, the 4 MiB buffer kept) ",
			       round,
			       (unsigned long long)cache_info().cached_bytes);
			wrong++;
		}
	}
	CU_ASSERT_EQUAL(wrong, 0);
	module_reload("");
}

static const struct vm_test tests[] = {
	VM_TEST_NEEDS(cache_info_matches_parameter, needs_default_cache),
	VM_TEST_NEEDS(reused_buffer_arrives_zeroed, needs_default_cache),
	VM_TEST_NEEDS(worker_zeroes_released_buffers, needs_default_cache),
	VM_TEST_NEEDS(small_buffers_are_zeroed_at_release, needs_default_cache),
	VM_TEST_NEEDS(cached_memory_is_not_allocated, needs_default_cache),
	VM_TEST(cache_bounded_by_parameter),
	VM_TEST(cache_size_zero_disables_it),
	VM_TEST(cache_size_default_follows_total_limit),
	VM_TEST(bad_cache_size_refuses_to_load),
	VM_TEST(unload_frees_cached_memory),
	VM_TEST(allocator_failure_empties_cache),
	VM_TEST(expiry_survives_the_zeroing_worker),
	VM_TEST(eviction_takes_the_oldest),
	VM_TESTS_END,
};

const struct vm_suite suite_cache = { .name = "cache", .tests = tests };
