// SPDX-License-Identifier: GPL-2.0
/*
 * The 2003 bug at scale and concurrent faults.  The bug showed as a hang or
 * "Bad page" at the second munmap() of a multi-page coherent buffer, so the
 * cycles use 2- and 16-page buffers and the host fails the run on any such
 * report in the kernel log.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

/* One alloc/mmap/touch-every-page/munmap/close cycle; 0 when it held. */
static int cycle(size_t pages, unsigned int seed)
{
	struct dmabuf_exporter_alloc a;
	size_t len = pages * PAGE;
	int ret;
	char *p;

	if (exp_alloc(len, O_RDWR | O_CLOEXEC, 0, &a) < 0)
		return 1;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, (int)a.fd, 0);
	if (p == MAP_FAILED) {
		close((int)a.fd);
		return 1;
	}
	fill_pattern(p, len, seed);
	ret = check_pattern(p, len, seed) ? 1 : 0;
	if (munmap(p, len))
		ret = 1;
	close((int)a.fd);
	return ret;
}

static int cycles(void *arg)
{
	long i, n = (long)arg;

	for (i = 0; i < n; i++)
		if (cycle(i & 1 ? 16 : 2, (unsigned int)(getpid() + i)))
			return 1;
	return 0;
}

/* STRESS_PROCS processes x STRESS_CYCLES cycles each, all at once. */
static void many_processes_cycle_multipage_buffers(void)
{
	long n = env_long("STRESS_CYCLES", 2500);
	struct usage before = usage_now();

	run_children(env_long("STRESS_PROCS", 4), cycles, (void *)n);
	assert_usage_is(&before, "after the cycles");
}

#define FAULT_THREADS 8
#define FAULT_PAGES 64

struct fault_race {
	pthread_barrier_t start;
	char *p;
	int bad;
};

/* Every thread faults every page, each starting at a different page. */
static void *fault_all(void *arg)
{
	struct fault_race *r = arg;
	static int next;
	int me = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
	size_t i;

	pthread_barrier_wait(&r->start);
	for (i = 0; i < FAULT_PAGES; i++) {
		size_t page = (i + (size_t)me * 7) % FAULT_PAGES;

		if (r->p[page * PAGE + 1] != (char)page)
			__atomic_store_n(&r->bad, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void race_faults(uint64_t flags)
{
	struct dmabuf_exporter_alloc a;
	struct fault_race r = { .bad = 0 };
	pthread_t t[FAULT_THREADS];
	char *fill;
	int i;

	CU_ASSERT_EQUAL_FATAL(exp_alloc(FAULT_PAGES * PAGE, O_RDWR | O_CLOEXEC,
					flags, &a),
			      0);
	fill = map_buf((int)a.fd, FAULT_PAGES * PAGE, PROT_WRITE, MAP_SHARED,
		       0);
	CU_ASSERT_NOT_EQUAL_FATAL(fill, MAP_FAILED);
	for (i = 0; i < FAULT_PAGES; i++)
		fill[i * PAGE + 1] = (char)i;
	munmap(fill, FAULT_PAGES * PAGE);
	/* A fresh mapping: all of its faults happen in the race. */
	r.p = map_buf((int)a.fd, FAULT_PAGES * PAGE, PROT_READ, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(r.p, MAP_FAILED);
	pthread_barrier_init(&r.start, NULL, FAULT_THREADS);
	for (i = 0; i < FAULT_THREADS; i++)
		CU_ASSERT_EQUAL_FATAL(
			pthread_create(&t[i], NULL, fault_all, &r), 0);
	for (i = 0; i < FAULT_THREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&r.start);
	CU_ASSERT_EQUAL(r.bad, 0);
	munmap(r.p, FAULT_PAGES * PAGE);
	close((int)a.fd);
}

static void eight_threads_fault_one_mapping(void)
{
	race_faults(0);
}

static void eight_threads_fault_one_mapping_per_page(void)
{
	race_faults(DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE);
}

static const struct vm_test tests[] = {
	VM_TEST(many_processes_cycle_multipage_buffers),
	VM_TEST(eight_threads_fault_one_mapping),
	VM_TEST(eight_threads_fault_one_mapping_per_page),
	VM_TESTS_END,
};

const struct vm_suite suite_stress = { "stress", tests };
