// SPDX-License-Identifier: GPL-2.0
/*
 * fault-mode: does installing the whole VMA on the first fault pay off?
 * For each size, alternates buffers in the two modes (whole VMA, one page
 * per fault) and reports, per mode, the minor faults and the median time of
 * mmap + touch every page + munmap on a fresh mapping of a live buffer, and
 * of the same with only the first page touched (the case whole-VMA fill
 * could lose).
 * Interleaving keeps TCG's drift out of the ratio.
 *
 * usage: fault-mode [REPEATS]     (default 200)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/dmabuf_exporter.h>

#define PAGE 4096UL

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int alloc_buf(int dev, size_t len, __u64 flags)
{
	struct dmabuf_exporter_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = len;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	a.flags = flags;
	if (ioctl(dev, DMABUF_EXPORTER_IOCTL_ALLOC, &a)) {
		perror("DMABUF_EXPORTER_IOCTL_ALLOC");
		exit(1);
	}
	return (int)a.fd;
}

/* One mmap + touch + munmap; returns microseconds, adds faults to *flt. */
static double touch_once(int fd, size_t len, size_t touch, long *flt)
{
	double t0 = now_us();
	long f0 = minflt();
	volatile char *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	size_t off;

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (off = 0; off < touch; off += PAGE)
		(void)p[off];
	munmap((void *)p, len);
	*flt += minflt() - f0;
	return now_us() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const size_t pages[] = { 1, 16, 256, 1024 };
	int reps = argc > 1 ? atoi(argv[1]) : 200;
	int dev = open("/dev/dmabuf_exporter", O_RDWR | O_CLOEXEC);
	double *t[2];
	size_t i;
	int r, m;

	if (dev < 0 || reps < 1) {
		perror("open /dev/dmabuf_exporter");
		return 1;
	}
	t[0] = calloc(reps, sizeof(double));
	t[1] = calloc(reps, sizeof(double));
	printf("%-8s %-7s %-10s %10s %12s %12s %12s\n", "pages", "touched",
	       "mode", "faults", "median_us", "min_us", "max_us");
	for (i = 0; i < 2 * sizeof(pages) / sizeof(pages[0]); i++) {
		size_t len = pages[i / 2] * PAGE, touch = i & 1 ? PAGE : len;
		int fd[2] = { alloc_buf(dev, len, 0),
			      alloc_buf(dev, len,
					DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE) };
		long flt[2] = { 0, 0 };

		for (r = 0; r < reps; r++)
			for (m = 0; m < 2; m++)
				t[m][r] =
					touch_once(fd[m], len, touch, &flt[m]);
		for (m = 0; m < 2; m++) {
			qsort(t[m], reps, sizeof(double), cmp_double);
			printf("%-8zu %-7s %-10s %10.1f %12.1f %12.1f %12.1f\n",
			       pages[i / 2], i & 1 ? "first" : "all",
			       m ? "per-page" : "whole-vma",
			       (double)flt[m] / reps, t[m][reps / 2], t[m][0],
			       t[m][reps - 1]);
			close(fd[m]);
		}
	}
	return 0;
}
