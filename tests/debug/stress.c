// SPDX-License-Identifier: GPL-2.0
/*
 * stress: the 2003 bug at scale and the races around a mapping.
 *
 *  1. cycles: --procs processes x --cycles cycles each of ALLOC, mmap,
 *     write and verify every page, munmap, close, on buffers of 2 to 16
 *     pages in both fault modes (a multi-page coherent buffer released
 *     while the MM still holds its tail pages was the 2003 bug);
 *  2. refault race: --threads threads read one mapping at random pages,
 *     every byte checked, while --replacers threads close and re-open what
 *     is behind it: each allocates a new buffer with the same contents,
 *     maps it over the old one with MAP_FIXED and closes its fd, so the
 *     old buffer is released while the readers fault;
 *  3. killed children: --kills children run cycles (with a vgem import
 *     when there is one) and are SIGKILLed at a random point.
 * After each part INFO and the fd count must be back where they were.
 *
 * usage: stress [--procs 8] [--cycles 10000] [--threads 8] [--replacers 4]
 *               [--replacements 250] [--kills 100] [--seed N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>

#include "lane.h"

#define RACE_PAGES 16
#define RACE_SEED 99

static uint64_t seed;

/*
 * Write the first and the last byte of every page, then read them all
 * back: every page faulted and checked, at a fraction of the cost of
 * filling it (under TCG, the cycles' time goes into the kernel).
 */
static int touch_pages(char *p, size_t pages, unsigned char stamp)
{
	size_t i;

	for (i = 0; i < pages; i++) {
		p[i * PAGE] = (char)(stamp + i);
		p[i * PAGE + PAGE - 1] = (char)(stamp - i);
	}
	for (i = 0; i < pages; i++)
		if (p[i * PAGE] != (char)(stamp + i) ||
		    p[i * PAGE + PAGE - 1] != (char)(stamp - i))
			return -1;
	return 0;
}

/* One cycle on a fresh buffer of 2 to 16 pages; 0 when every page held. */
static int cycle(struct lane_rng *r, int drm)
{
	size_t pages = 2 + lane_below(r, 15), len = pages * PAGE;
	uint64_t flags =
		lane_below(r, 2) ? DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE : 0;
	unsigned char stamp = (unsigned char)lane_rand(r);
	struct dmabuf_exporter_alloc a;
	uint32_t handle = 0;
	int ret = 0;
	char *p;

	if (exp_alloc(len, O_RDWR | O_CLOEXEC, flags, &a))
		return 1;
	if (drm >= 0 && drmPrimeFDToHandle(drm, (int)a.fd, &handle))
		ret = 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, (int)a.fd, 0);
	if (p == MAP_FAILED) {
		ret = 1;
	} else {
		if (touch_pages(p, pages, stamp) || munmap(p, len))
			ret = 1;
	}
	if (handle && drmCloseBufferHandle(drm, handle))
		ret = 1;
	close((int)a.fd);
	return ret;
}

static int cycles(uint64_t n, uint64_t proc_seed)
{
	struct lane_rng r;
	uint64_t i;

	lane_rng_seed(&r, proc_seed);
	for (i = 0; i < n; i++)
		if (cycle(&r, -1)) {
			printf("FAIL: cycle %llu of process %d: %s\n",
			       (unsigned long long)i, getpid(),
			       strerror(errno));
			return 1;
		}
	return 0;
}

static void part_cycles(uint64_t procs, uint64_t n)
{
	struct lane_usage before = lane_usage();
	double t0 = lane_now();
	pid_t pids[64];
	uint64_t i;

	for (i = 0; i < procs && i < 64; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(cycles(n, seed + i));
		if (pids[i] < 0)
			lane_fail("fork: %s", strerror(errno));
	}
	for (i = 0; i < procs && i < 64; i++)
		if (pids[i] > 0 && wait_child(pids[i]))
			lane_fail("cycling process %llu failed",
				  (unsigned long long)i);
	if (!lane_usage_wait(&before, LANE_SETTLE_MS))
		lane_usage_fail("after the cycles", &before);
	printf("stress cycles: %llu processes x %llu cycles of 2-16 pages, %.1fs\n",
	       (unsigned long long)procs, (unsigned long long)n,
	       lane_now() - t0);
}

struct race {
	char *region;
	int stop;
	unsigned long reads, replacements, bad;
	uint64_t replacements_each;
};

static __thread sigjmp_buf *reader_env;

static void reader_signal(int sig)
{
	siglongjmp(*reader_env, sig);
}

static void *reader(void *arg)
{
	struct race *rc = arg;
	sigjmp_buf env;
	struct lane_rng r;
	volatile unsigned long reads = 0;
	int sig;

	lane_rng_seed(&r, seed ^ (uintptr_t)&env);
	reader_env = &env;
	sig = sigsetjmp(env, 1);
	if (sig) {
		printf("FAIL: reader got signal %d\n", sig);
		__atomic_add_fetch(&rc->bad, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	while (!__atomic_load_n(&rc->stop, __ATOMIC_RELAXED)) {
		size_t i = lane_below(&r, RACE_PAGES * PAGE);
		unsigned char want = (unsigned char)(RACE_SEED + i / PAGE + i);

		if ((unsigned char)rc->region[i] != want)
			__atomic_add_fetch(&rc->bad, 1, __ATOMIC_RELAXED);
		reads++;
	}
	__atomic_add_fetch(&rc->reads, reads, __ATOMIC_RELAXED);
	return NULL;
}

/* A new buffer with the race's contents, mapped over the region. */
static int replace_once(struct race *rc, struct lane_rng *r)
{
	uint64_t flags =
		lane_below(r, 2) ? DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE : 0;
	size_t len = RACE_PAGES * PAGE;
	struct dmabuf_exporter_alloc a;
	char *p;

	if (exp_alloc(len, O_RDWR | O_CLOEXEC, flags, &a))
		return -1;
	p = mmap(NULL, len, PROT_WRITE, MAP_SHARED, (int)a.fd, 0);
	if (p != MAP_FAILED) {
		fill_pattern(p, len, RACE_SEED);
		munmap(p, len);
		p = mmap(rc->region, len, PROT_READ, MAP_SHARED | MAP_FIXED,
			 (int)a.fd, 0);
	}
	close((int)a.fd);
	return p == rc->region ? 0 : -1;
}

static void *replacer(void *arg)
{
	struct race *rc = arg;
	struct lane_rng r;
	uint64_t i;

	lane_rng_seed(&r, seed ^ (uintptr_t)&r);
	for (i = 0; i < rc->replacements_each; i++) {
		if (replace_once(rc, &r)) {
			printf("FAIL: replacing the mapping: %s\n",
			       strerror(errno));
			__atomic_add_fetch(&rc->bad, 1, __ATOMIC_RELAXED);
			break;
		}
		__atomic_add_fetch(&rc->replacements, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void part_race(uint64_t threads, uint64_t replacers, uint64_t each)
{
	struct sigaction sa = { .sa_handler = reader_signal };
	struct race rc = { .replacements_each = each };
	struct lane_usage before = lane_usage();
	pthread_t t[64], w[64];
	double t0 = lane_now();
	struct lane_rng r;
	uint64_t i;

	if (threads > 64)
		threads = 64;
	if (replacers > 64)
		replacers = 64;
	lane_rng_seed(&r, seed);
	rc.region = mmap(NULL, RACE_PAGES * PAGE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rc.region == MAP_FAILED || replace_once(&rc, &r)) {
		lane_fail("race setup: %s", strerror(errno));
		return;
	}
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, reader, &rc);
	for (i = 0; i < replacers; i++)
		pthread_create(&w[i], NULL, replacer, &rc);
	for (i = 0; i < replacers; i++)
		pthread_join(w[i], NULL);
	__atomic_store_n(&rc.stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
	munmap(rc.region, RACE_PAGES * PAGE);
	if (rc.bad)
		lane_fail(
			"refault race: %lu wrong reads or failed replacements",
			rc.bad);
	if (!lane_usage_wait(&before, LANE_SETTLE_MS))
		lane_usage_fail("after the refault race", &before);
	printf("stress race: %llu readers, %lu reads, %lu buffers replaced under them, %.1fs\n",
	       (unsigned long long)threads, rc.reads, rc.replacements,
	       lane_now() - t0);
}

/* Killed at a random point: in ALLOC, a fault, an import, munmap, close. */
static void part_kills(uint64_t kills)
{
	struct lane_usage before = lane_usage();
	double t0 = lane_now();
	struct lane_rng r;
	unsigned long killed = 0;
	uint64_t i;
	int status;

	lane_rng_seed(&r, seed + 1000);
	for (i = 0; i < kills; i++) {
		uint64_t child_seed = lane_rand(&r);
		pid_t pid = fork();

		if (pid < 0) {
			lane_fail("fork: %s", strerror(errno));
			break;
		}
		if (!pid) {
			struct lane_rng cr;
			int drm = open_vgem();

			lane_rng_seed(&cr, child_seed);
			for (;;)
				if (cycle(&cr, drm))
					_exit(1);
		}
		usleep((useconds_t)lane_below(&r, 30000));
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) ||
		    WTERMSIG(status) != SIGKILL)
			lane_fail("child %llu: status %#x, not killed",
				  (unsigned long long)i, status);
		else
			killed++;
	}
	if (!lane_usage_wait(&before, LANE_SETTLE_MS))
		lane_usage_fail("after the killed children", &before);
	printf("stress kills: %lu children killed mid-cycle, %.1fs\n", killed,
	       lane_now() - t0);
}

int main(int argc, char **argv)
{
	uint64_t procs = 8, n = 10000, threads = 8, replacers = 4;
	uint64_t each = 250, kills = 100;
	double t0 = lane_now();

	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = lane_clock_seed();
	lane_arg_u64(argc, argv, "--seed", &seed);
	lane_arg_u64(argc, argv, "--procs", &procs);
	lane_arg_u64(argc, argv, "--cycles", &n);
	lane_arg_u64(argc, argv, "--threads", &threads);
	lane_arg_u64(argc, argv, "--replacers", &replacers);
	lane_arg_u64(argc, argv, "--replacements", &each);
	lane_arg_u64(argc, argv, "--kills", &kills);
	printf("stress: seed %llu\n", (unsigned long long)seed);
	if (dev_fd() < 0) {
		perror("stress: " EXPORTER_DEV);
		return 1;
	}
	part_cycles(procs, n);
	part_race(threads, replacers, each);
	part_kills(kills);
	printf("SUMMARY stress: seed %llu, %llu cycles in %llu processes, %llu buffers replaced under %llu readers, %llu children killed, %.0fs, %lu failures\n",
	       (unsigned long long)seed, (unsigned long long)(procs * n),
	       (unsigned long long)procs,
	       (unsigned long long)(replacers * each),
	       (unsigned long long)threads, (unsigned long long)kills,
	       lane_now() - t0, lane_failures);
	return lane_failures ? 1 : 0;
}
