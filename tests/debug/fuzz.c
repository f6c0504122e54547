// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz: a seeded random sequence of exporter ioctls, dma-buf calls and
 * mappings, every result checked against its oracle (fuzz_ops.c).
 *
 * A pool of buffers and mappings lives across calls, so the orders that
 * break exporters come up: close before munmap and after, mremap of a
 * mapping whose fd is gone, a vgem handle outliving both, a forked child
 * reading shared pages and being killed at a random moment.  At the end
 * everything is released and INFO and the fd count must be back where
 * they started.
 *
 * usage: fuzz [--seed N] [--calls N] [--time SECONDS]
 *   default: a seed from the clock (printed), 100000 calls, 900 s.  The
 *   same seed replays the same sequence.  Reaching the time cap before the
 *   call count is a failure: the run did not do what it promised.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>

#include "fuzz.h"

struct fuzz_step {
	void (*fn)(struct fuzz *fz);
	unsigned int weight;
};

static void fuzz_fork(struct fuzz *fz);

static const struct fuzz_step steps[] = {
	{ fuzz_alloc_pool, 40 },
	{ fuzz_alloc_random, 60 },
	{ fuzz_info, 10 },
	{ fuzz_dev_ioctl_random, 20 },
	{ fuzz_mmap, 80 },
	{ fuzz_access, 120 },
	{ fuzz_munmap, 35 },
	{ fuzz_mremap, 30 },
	{ fuzz_mprotect, 25 },
	{ fuzz_madvise, 15 },
	{ fuzz_sync, 40 },
	{ fuzz_set_name, 15 },
	{ fuzz_buf_ioctl_random, 15 },
	{ fuzz_file_ops, 40 },
	{ fuzz_close, 30 },
	{ fuzz_vgem, 15 },
	{ fuzz_reopen_dev, 2 },
	{ fuzz_fork, 1 },
};

static void fuzz_one(struct fuzz *fz)
{
	static unsigned int total;
	unsigned int pick;
	size_t i;

	if (!total)
		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
			total += steps[i].weight;
	pick = (unsigned int)lane_below(&fz->rng, total);
	for (i = 0; pick >= steps[i].weight; i++)
		pick -= steps[i].weight;
	steps[i].fn(fz);
}

/*
 * A child inherits every fd and mapping, reads (never writes: the parent
 * keeps the shadow) and reshuffles its copies, until it exits or the
 * parent kills it at a random moment.
 */
static void fuzz_fork(struct fuzz *fz)
{
	uint64_t child_seed = lane_rand(&fz->rng);
	int kill_it = (int)lane_below(&fz->rng, 2), status;
	unsigned int n = 20 + (unsigned int)lane_below(&fz->rng, 200);
	pid_t pid;

	if (fz->in_child)
		return;
	pid = FUZZ_CALL(fz, fork());
	if (pid < 0) {
		lane_fail("fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		lane_failures = 0; /* the child reports only its own */
		fz->in_child = 1;
		lane_rng_seed(&fz->rng, child_seed);
		while (n--)
			fuzz_one(fz);
		_exit(lane_failures ? 1 : 0);
	}
	fz->forks++;
	if (kill_it) {
		usleep((useconds_t)lane_below(&fz->rng, 20000));
		FUZZ_CALL(fz, kill(pid, SIGKILL));
	}
	FUZZ_CALL(fz, waitpid(pid, &status, 0));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && kill_it)
		fz->kills++;
	else if (!WIFEXITED(status) || WEXITSTATUS(status))
		lane_fail("child %d: status %#x", pid, status);
}

static int live_pool_buffers(const struct fuzz *fz)
{
	int i, n = 0;

	for (i = 0; i < FUZZ_BUFS; i++)
		n += fz->bufs[i].used;
	return n;
}

/* INFO counts exactly the buffers the pool holds. */
static void check_accounting(struct fuzz *fz, const struct lane_usage *start)
{
	struct dmabuf_exporter_info info;
	uint32_t want = start->live + (uint32_t)live_pool_buffers(fz);
	int tries;

	for (tries = 0; tries < LANE_SETTLE_MS / 10; tries++) {
		lane_info(&info);
		if (info.live_buffers == want)
			return;
		usleep(10000);
	}
	lane_fail(
		"after %lu calls INFO shows %u live buffers, the pool holds %u",
		fz->calls, info.live_buffers, want);
}

static void release_all(struct fuzz *fz)
{
	int i;

	for (i = 0; i < FUZZ_MAPS; i++)
		if (fz->maps[i].used) {
			munmap(fz->maps[i].addr, fz->maps[i].pages * PAGE);
			fuzz_del_map(fz, i);
		}
	for (i = 0; i < FUZZ_BUFS; i++) {
		struct fuzz_buf *fb = &fz->bufs[i];

		if (!fb->used)
			continue;
		if (fb->handle)
			drmCloseBufferHandle(fz->drm, fb->handle);
		if (fb->fd >= 0)
			close(fb->fd);
		fb->used = 0;
	}
}

int main(int argc, char **argv)
{
	uint64_t seed = lane_clock_seed(), calls = 100000, cap = 900;
	struct fuzz fz = { .drm = -1 };
	struct lane_usage start;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	lane_arg_u64(argc, argv, "--seed", &seed);
	lane_arg_u64(argc, argv, "--calls", &calls);
	lane_arg_u64(argc, argv, "--time", &cap);
	printf("fuzz: seed %llu, %llu calls, time cap %llus (replay: fuzz --seed %llu --calls %llu)\n",
	       (unsigned long long)seed, (unsigned long long)calls,
	       (unsigned long long)cap, (unsigned long long)seed,
	       (unsigned long long)calls);
	if (dev_fd() < 0 || lane_info(&fz.info)) {
		perror("fuzz: " EXPORTER_DEV);
		return 1;
	}
	lane_rng_seed(&fz.rng, seed);
	fz.ro_req =
		mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz.ro_req == MAP_FAILED) {
		perror("fuzz: mmap");
		return 1;
	}
	fz.drm = open_vgem();
	start = lane_usage();
	t0 = lane_now();
	while (fz.calls < calls && lane_now() - t0 < (double)cap &&
	       lane_failures < 50) {
		unsigned long before = fz.calls / 10000;

		fuzz_one(&fz);
		if (fz.calls / 10000 != before) {
			check_accounting(&fz, &start);
			printf("fuzz: %lu calls, %.0fs\n", fz.calls,
			       lane_now() - t0);
		}
	}
	if (fz.calls < calls)
		lane_fail("stopped after %lu of %llu calls (%s)", fz.calls,
			  (unsigned long long)calls,
			  lane_failures >= 50 ? "too many failures" :
						"time cap reached");
	release_all(&fz);
	if (!lane_usage_wait(&start, LANE_SETTLE_MS))
		lane_usage_fail("after the fuzzer released everything", &start);
	if (fz.drm >= 0)
		close(fz.drm);
	printf("SUMMARY fuzz: seed %llu, %lu calls, %lu page accesses, %lu forks (%lu killed), %.0fs, %lu failures\n",
	       (unsigned long long)seed, fz.calls, fz.accesses, fz.forks,
	       fz.kills, lane_now() - t0, lane_failures);
	return lane_failures ? 1 : 0;
}
