// SPDX-License-Identifier: GPL-2.0
/*
 * How much one fault fills, and what that costs the rest of the process:
 * a fault fills at most a 4 MiB window of the mapping with PTEs (so a
 * fault on a CMA buffer of hundreds of MiB is bounded), and another
 * thread's mmap() during the faults on the largest buffer is measured.
 * The measurements are printed, never asserted: this machine is loaded.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* What one fault fills at most: exporter/mmap.c's window. */
#define FILL_WINDOW (4UL << 20)
#define PMD_BYTES (2UL << 20)

/* Not exp_info(): its assertion would run outside any test. */
static const char *needs_buffer_past_window(void)
{
	struct dmabuf_exporter_info info;

	if (ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_INFO, &info))
		return "no INFO ioctl";
	if (info.max_buffer_size <= FILL_WINDOW)
		return "largest buffer is 4 MiB or less, one fill window (boot with cma= for more)";
	return NULL;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * A shared mapping of @fd at one page past a 2 MiB boundary: no PMD fits
 * anywhere, so every page is a PTE and each fault fills its window.
 */
static char *map_unaligned(int fd, size_t len)
{
	char *area, *at;

	area = mmap(NULL, len + 2 * PMD_BYTES, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return MAP_FAILED;
	at = (char *)(((unsigned long)area + PMD_BYTES - 1) &
		      ~(PMD_BYTES - 1)) +
	     PAGE;
	return mmap(at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		    0);
}

/* The largest buffer the module allows (max_buffer_size). */
static size_t largest_len(void)
{
	return exp_info().max_buffer_size;
}

/*
 * Touching every page of the largest buffer takes one fault per 4 MiB
 * window, not one for the whole mapping (up to 65536 PTEs under the mmap
 * lock in one go before).
 */
static void each_fault_fills_one_window(void)
{
	size_t len = largest_len(), off;
	long faults;
	int fd = exp_alloc_rw(len);
	volatile char *p = map_unaligned(fd, len);

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	faults = minor_faults();
	for (off = 0; off < len; off += PAGE)
		(void)p[off];
	faults = minor_faults() - faults;
	printf(" (%zu MiB: %ld faults) ", len >> 20, faults);
	CU_ASSERT_EQUAL(faults, (long)((len + FILL_WINDOW - 1) / FILL_WINDOW));
	munmap((void *)p, len);
	close(fd);
}

struct mmap_probe {
	atomic_int stop;
	double worst_ms;
	long calls;
};

/* Another thread's mmap()/munmap() of one anonymous page, timed. */
static void *mmap_prober(void *arg)
{
	struct mmap_probe *m = arg;

	while (!atomic_load(&m->stop)) {
		double t = now_ms();
		void *p = mmap(NULL, PAGE, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		t = now_ms() - t;
		if (p != MAP_FAILED)
			munmap(p, PAGE);
		if (t > m->worst_ms)
			m->worst_ms = t;
		m->calls++;
	}
	return NULL;
}

struct touch_time {
	double worst_ms;  /* the slowest single touch: one fault and its fill */
	double window_ms; /* median touch of a window's first page: a fault */
	double total_ms;  /* every page */
	long faults;
	int bad; /* OR of every byte read: 0 for a zeroed buffer */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Touch every page of a fresh mapping of @fd, one read each, timed. */
static struct touch_time touch_timed(int fd, size_t len)
{
	struct touch_time r = { 0, 0, 0, 0, 0 };
	volatile char *p = map_unaligned(fd, len);
	double firsts[1024];
	size_t off, n = 0;

	if (p == MAP_FAILED) {
		r.bad = -1;
		return r;
	}
	r.faults = minor_faults();
	for (off = 0; off < len; off += PAGE) {
		double t = now_ms();

		r.bad |= p[off];
		t = now_ms() - t;
		r.total_ms += t;
		if (t > r.worst_ms)
			r.worst_ms = t;
		if (off % FILL_WINDOW == 0 && n < 1024)
			firsts[n++] = t;
	}
	r.faults = minor_faults() - r.faults;
	qsort(firsts, n, sizeof(firsts[0]), cmp_double);
	r.window_ms = n ? firsts[n / 2] : 0;
	munmap((void *)p, len);
	return r;
}

/*
 * The worst single fault on the largest buffer, alone, and the worst
 * mmap() of a second thread while the first touches every page: three of
 * each, printed for docs/design.md.  Apart, because the second thread's
 * munmap()s cost the first TLB-flush interrupts, and under TCG those
 * dominate what it measures.  Asserted: the buffer reads zero everywhere,
 * and the other thread got its calls through.
 */
static void fault_stall_measured(void)
{
	size_t len = largest_len();
	int fd = exp_alloc_rw(len), i, step;
	struct mmap_probe m;
	pthread_t th;

	printf("\n");
	for (i = 0; i < 6; i++) {
		struct touch_time r;

		memset(&m, 0, sizeof(m));
		if (i >= 3) {
			CU_ASSERT_EQUAL_FATAL(
				pthread_create(&th, NULL, mmap_prober, &m), 0);
			/* Let it start (10 s at most). */
			for (step = 0; m.calls < 100 && step < 10000; step++)
				usleep(1000);
		}
		r = touch_timed(fd, len);
		if (i >= 3) {
			atomic_store(&m.stop, 1);
			pthread_join(th, NULL);
			CU_ASSERT(m.calls >= 100);
		}
		CU_ASSERT_EQUAL(r.bad, 0);
		printf("    %zu MiB, %s: %ld faults, window's first page median %.3f ms, worst touch %.3f ms, all pages %.1f ms",
		       len >> 20, i < 3 ? "alone" : "with an mmap() thread",
		       r.faults, r.window_ms, r.worst_ms, r.total_ms);
		if (i >= 3)
			printf("; its mmap(): worst %.3f ms over %ld calls",
			       m.worst_ms, m.calls);
		printf("\n");
	}
	close(fd);
}

static const struct vm_test tests[] = {
	VM_TEST_NEEDS(each_fault_fills_one_window, needs_buffer_past_window),
	VM_TEST(fault_stall_measured),
	VM_TESTS_END,
};

const struct vm_suite suite_fill = { .name = "fill", .tests = tests };
