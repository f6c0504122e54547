// SPDX-License-Identifier: GPL-2.0
/*
 * Measurements in one process: the full cycle, remapping a live buffer,
 * and bandwidth through the mapping.  Every measurement interleaves the
 * providers (one sample of each in turn, in a new order every repeat),
 * so the drift of an emulated machine hits them all alike.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dmabuf_share.h>
#include <linux/dmabuf_exporter.h>

#include "bench.h"
#include "run.h"

/*
 * Through the importer library, as a program would map: from 2 MiB up it
 * places the mapping at a 2 MiB-aligned address (dma-buf files have no
 * get_unmapped_area), so a kernel that can map a PMD at once may.
 */
void *map_shared(const struct buf *b)
{
	size_t size;
	void *p;
	int ret = dmabuf_share_map(b->fd, PROT_READ | PROT_WRITE, 0, &p, &size);

	if (ret) {
		errno = -ret;
		return NULL;
	}
	return p;
}

void touch_pages(void *p, size_t size, uint64_t seed)
{
	size_t off;

	for (off = 0; off < size; off += PAGE)
		*(volatile uint64_t *)((char *)p + off) = seed + off / PAGE;
}

size_t check_pages(const void *p, size_t size, uint64_t seed)
{
	size_t off, bad = 0;

	for (off = 0; off < size; off += PAGE)
		bad += *(const volatile uint64_t *)((const char *)p + off) !=
		       seed + off / PAGE;
	return bad;
}

int buf_alloc_mapped(const struct provider *p, size_t size, struct buf *b,
		     void **m)
{
	int ret = buf_alloc(p, size, 0, b);

	if (ret)
		return ret;
	*m = map_shared(b);
	if (*m)
		return 0;
	ret = -errno;
	buf_free(b);
	return ret;
}

int buf_alloc_filled(const struct provider *p, size_t size, uint64_t seed,
		     struct buf *b)
{
	void *m;
	int ret = buf_alloc_mapped(p, size, b, &m);

	if (ret)
		return ret;
	touch_pages(m, size, seed);
	munmap(m, size);
	return 0;
}

/*
 * allocate, export, mmap, touch every page, munmap, close: the time of the
 * whole and the faults of the touch.
 */
static int one_cycle(const struct provider *p, size_t size, double *us,
		     double *faults)
{
	double t0 = now_us();
	struct buf b;
	long f0;
	void *m;
	int ret = buf_alloc_mapped(p, size, &b, &m);

	if (ret)
		return ret;
	f0 = minor_faults();
	touch_pages(m, size, 0);
	*faults = (double)(minor_faults() - f0);
	munmap(m, size);
	buf_free(&b);
	*us = now_us() - t0;
	return 0;
}

/* exporter-per-page shares the exporter's reuse cache: see below. */
static void leave_out_cache_sharers(struct run *r)
{
	int k;

	for (k = 0; k < nr_providers; k++)
		if ((providers[k].flags &
		     DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE) &&
		    !r->why[k][0])
			snprintf(r->why[k], sizeof(r->why[k]),
				 "left out: it shares the exporter's cache");
}

/*
 * The frame loop: each provider in turn runs @o->frames cycles back to
 * back, the first one after an untimed cycle, so that every timed cycle
 * follows the release of a buffer of the same size (what a program that
 * allocates a buffer per frame does).  Background work a provider's
 * releases leave is finished, untimed, before the next provider's turn;
 * the order of providers changes every round.
 *
 * exporter-per-page is left out: it shares the exporter's reuse cache, and
 * its released buffers would hand the exporter a second, already zeroed
 * buffer of the same size, which a program with one buffer per frame
 * never has.
 */
void measure_frame(const struct bench_opts *o, size_t size)
{
	double us, faults;
	struct run r;
	int round, i, j, k, at;

	run_init(&r, size, o->rounds * o->frames);
	leave_out_cache_sharers(&r);
	for (round = 0; round < o->rounds; round++) {
		for (i = 0; i < nr_providers; i++) {
			k = run_turn(&r, round, i);
			if (k < 0 || !run_check(&r, k, "frame",
						one_cycle(&providers[k], size,
							  &us, &faults)))
				continue;
			for (j = 0; j < o->frames; j++) {
				at = round * o->frames + j;
				if (!run_check(&r, k, "frame",
					       one_cycle(&providers[k], size,
							 &r.v[0][k][at],
							 &r.v[1][k][at])))
					break;
			}
			provider_settle(&providers[k]);
		}
	}
	run_report(&r, 0, "frame", "us", "back to back");
	run_report(&r, 1, "frame-faults", "faults", NULL);
	run_free(&r);
}

/*
 * CPU time of the whole machine, in us, counted from an arbitrary zero:
 * the wall time of every online CPU less the time they spent idle (idle
 * and iowait from /proc/stat's first line).  It counts kworkers and
 * interrupts too, e.g. the exporter's cache zeroing a released buffer on
 * another CPU.  The idle time, unlike the busy fields, is not sampled by
 * the scheduler tick: with the tick stopped in idle (NO_HZ, as in
 * Debian's kernels) the kernel clocks each idle period, and a tick the
 * emulator delivered late or not at all cannot lose busy time.
 * /proc/stat prints it in USER_HZ (10 ms) units.
 */
static double machine_cpu_us(void)
{
	unsigned long long v[5] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK), cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double t = now_us();
	int n = 0;

	if (f) {
		n = fscanf(f, "cpu %llu %llu %llu %llu %llu", &v[0], &v[1],
			   &v[2], &v[3], &v[4]);
		fclose(f);
	}
	if (n < 5 || hz <= 0 || cpus <= 0)
		return -1;
	return t * (double)cpus - (double)(v[3] + v[4]) * 1e6 / (double)hz;
}

/*
 * The frame loop's CPU cost: each provider in turn runs cycles back to
 * back for @o->cpu_ms of wall time, and a sample is the CPU time the whole
 * machine spent over that turn (read again after the provider's
 * background work is done) divided by its cycles, and the same for this
 * process alone (CLOCK_PROCESS_CPUTIME_ID, exact to the ns).  The
 * machine's figure resolves 10 ms per turn: 1 s turns give 1%.
 */
void measure_frame_cpu(const struct bench_opts *o, size_t size)
{
	double us, faults, t_end, m0, m1, s0, n;
	struct run r;
	int round, i, k;

	run_init(&r, size, o->rounds);
	leave_out_cache_sharers(&r);
	for (round = 0; round < o->rounds; round++) {
		for (i = 0; i < nr_providers; i++) {
			k = run_turn(&r, round, i);
			if (k < 0 || !run_check(&r, k, "frame-cpu",
						one_cycle(&providers[k], size,
							  &us, &faults)))
				continue;
			provider_settle(&providers[k]);
			m0 = machine_cpu_us();
			s0 = process_cpu_us();
			t_end = now_us() + o->cpu_ms * 1e3;
			for (n = 0; now_us() < t_end; n++)
				if (!run_check(&r, k, "frame-cpu",
					       one_cycle(&providers[k], size,
							 &us, &faults)))
					break;
			r.v[1][k][round] = (process_cpu_us() - s0) / n;
			provider_settle(&providers[k]);
			m1 = machine_cpu_us();
			if (!run_check(&r, k, "/proc/stat",
				       m0 == -1 || m1 == -1 ? -EIO : 0))
				continue;
			r.v[0][k][round] = (m1 - m0) / n;
		}
	}
	run_report(&r, 0, "frame-cpu", "us",
		   o->cpu_ms >= 1000 ? "all CPUs, per cycle" :
				       "all CPUs, per cycle; short turns");
	run_report(&r, 1, "frame-cpu-self", "us", "this process, per cycle");
	run_free(&r);
}

/* The steps of one cycle, each timed on its own. */
static const char *const step_names[] = { "step-alloc", "step-mmap",
					  "step-touch", "step-munmap",
					  "step-close" };
#define NSTEPS 5

static int one_cycle_steps(const struct provider *p, size_t size, double *t)
{
	double t0 = now_us(), t1;
	struct buf b;
	void *m;
	int ret = buf_alloc(p, size, 0, &b);

	if (ret)
		return ret;
	t1 = now_us();
	t[0] = t1 - t0;
	m = map_shared(&b);
	t0 = now_us();
	t[1] = t0 - t1;
	if (!m) {
		ret = -errno;
		buf_free(&b);
		return ret;
	}
	touch_pages(m, size, 0);
	t1 = now_us();
	t[2] = t1 - t0;
	munmap(m, size);
	t0 = now_us();
	t[3] = t0 - t1;
	buf_free(&b);
	t[4] = now_us() - t0;
	return 0;
}

/*
 * The frame loop again, each step timed on its own: where a cycle's time
 * goes, provider by provider (the mmap step includes placing the mapping).
 */
void measure_steps(const struct bench_opts *o, size_t size)
{
	double t[NSTEPS];
	struct run r;
	int round, i, j, k, at, st;

	run_init(&r, size, o->rounds * o->frames);
	leave_out_cache_sharers(&r);
	for (round = 0; round < o->rounds; round++) {
		for (i = 0; i < nr_providers; i++) {
			k = run_turn(&r, round, i);
			if (k < 0 ||
			    !run_check(&r, k, "steps",
				       one_cycle_steps(&providers[k], size, t)))
				continue;
			for (j = 0; j < o->frames; j++) {
				if (!run_check(&r, k, "steps",
					       one_cycle_steps(&providers[k],
							       size, t)))
					break;
				at = round * o->frames + j;
				for (st = 0; st < NSTEPS; st++)
					r.v[st][k][at] = t[st];
			}
			provider_settle(&providers[k]);
		}
	}
	for (st = 0; st < NSTEPS; st++)
		run_report(&r, st, step_names[st], "us", "frame loop");
	run_free(&r);
}

/*
 * The exporter's cycle right after a release of the same size, when its
 * cache has had no time to zero that buffer in the background: the ALLOC
 * zeroes it (or waits for the worker) itself.
 */
static void cycle_reuse_now(struct run *r, int rep)
{
	double us, faults;

	if (run_check(r, 0, "cycle",
		      one_cycle(&providers[0], r->size, &us, &faults)))
		run_check(r, 0, "cycle",
			  one_cycle(&providers[0], r->size, &r->v[2][0][rep],
				    &faults));
	provider_settle(&providers[0]);
}

void measure_cycle(const struct bench_opts *o, size_t size)
{
	struct summary s;
	struct run r;
	int rep, i, k;

	run_init(&r, size, o->reps);
	for (rep = 0; rep < r.reps; rep++) {
		for (i = 0; i < nr_providers; i++) {
			k = run_turn(&r, rep, i);
			if (k < 0)
				continue;
			run_check(&r, k, "cycle",
				  one_cycle(&providers[k], size,
					    &r.v[0][k][rep], &r.v[1][k][rep]));
			provider_settle(&providers[k]);
		}
		if (!r.why[0][0])
			cycle_reuse_now(&r, rep);
	}
	run_report(&r, 0, "cycle", "us", NULL);
	run_report(&r, 1, "faults", "faults", NULL);
	if (!r.why[0][0]) {
		s = summarize(r.v[2][0], r.reps);
		result("cycle-reuse-now", providers[0].name, size, &s, "us",
		       "right after a release of the same size");
	}
	run_free(&r);
}

/* Live buffers of every usable provider, touched once. */
static void live_buffers(struct run *r, struct buf *b, void **m)
{
	int k;

	for (k = 0; k < nr_providers; k++) {
		m[k] = NULL;
		if (r->why[k][0])
			continue;
		if (!run_check(r, k, "alloc",
			       buf_alloc(&providers[k], r->size, 1, &b[k])))
			continue;
		m[k] = map_shared(&b[k]);
		if (!run_check(r, k, "mmap", m[k] ? 0 : -errno))
			buf_free(&b[k]);
		else
			touch_pages(m[k], r->size, 0);
	}
}

static void drop_buffers(struct run *r, struct buf *b, void **m)
{
	int k;

	for (k = 0; k < nr_providers; k++)
		if (m[k]) {
			munmap(m[k], r->size);
			buf_free(&b[k]);
			provider_settle(&providers[k]);
		}
}

/* mmap + touch @touch bytes + munmap of a live buffer. */
static int one_remap(const struct buf *b, size_t touch, double *us)
{
	double t0 = now_us();
	void *m = map_shared(b);

	if (!m)
		return -errno;
	touch_pages(m, touch, 0);
	munmap(m, b->size);
	*us = now_us() - t0;
	return 0;
}

/*
 * The cost of mapping alone, without allocation: every page touched, and
 * only the first (where filling the whole VMA on one fault could lose).
 */
void measure_remap(const struct bench_opts *o, size_t size)
{
	struct buf b[MAXP];
	void *m[MAXP];
	struct run r;
	int rep, i, k;

	run_init(&r, size, o->reps);
	live_buffers(&r, b, m);
	for (rep = 0; rep < r.reps; rep++)
		for (i = 0; i < nr_providers; i++) {
			k = run_turn(&r, rep, i);
			if (k < 0)
				continue;
			run_check(&r, k, "remap",
				  one_remap(&b[k], size, &r.v[0][k][rep]));
			run_check(&r, k, "remap",
				  one_remap(&b[k], PAGE, &r.v[1][k][rep]));
		}
	run_report(&r, 0, "remap-all", "us", NULL);
	run_report(&r, 1, "remap-first", "us", NULL);
	drop_buffers(&r, b, m);
	run_free(&r);
}

static volatile uint64_t sink;

static double time_write(void *m, size_t size, int passes, int seed)
{
	double t0 = now_us();
	int i;

	for (i = 0; i < passes; i++)
		memset(m, seed + i, size);
	return now_us() - t0;
}

static double time_read(const void *m, size_t size, int passes)
{
	const uint64_t *w = m;
	double t0 = now_us();
	uint64_t sum = 0;
	size_t j;
	int i;

	for (i = 0; i < passes; i++)
		for (j = 0; j < size / sizeof(*w); j++)
			sum += w[j];
	sink = sum;
	return now_us() - t0;
}

/* Per repeat: anonymous memory, then every provider; ratios pairwise. */
static void bandwidth_rep(struct run *r, void **m, void *anon, int rep,
			  int passes)
{
	double aw = time_write(anon, r->size, passes, rep);
	double ar = time_read(anon, r->size, passes);
	double mb = (double)r->size * passes / MIB * 1e6, w, rd;
	int i;

	for (i = 0; i < nr_providers; i++) {
		int k = run_turn(r, rep, i);

		if (k < 0)
			continue;
		w = time_write(m[k], r->size, passes, rep);
		rd = time_read(m[k], r->size, passes);
		r->v[0][k][rep] = aw / w;
		r->v[1][k][rep] = ar / rd;
		r->v[2][k][rep] = mb / w;
		r->v[3][k][rep] = mb / rd;
	}
	r->anon[0][rep] = mb / aw;
	r->anon[1][rep] = mb / ar;
}

/*
 * Sequential write (memset) and read (64-bit sums) through a prefaulted
 * mapping, as a ratio to prefaulted anonymous memory timed in the same
 * repeat.  A sample covers at least @o->bw_bytes.
 */
void measure_bandwidth(const struct bench_opts *o, size_t size)
{
	int passes = (int)(o->bw_bytes > size ? o->bw_bytes / size : 1);
	struct buf b[MAXP];
	void *m[MAXP], *anon;
	struct run r;
	int rep;

	anon = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (anon == MAP_FAILED) {
		perror("mmap anonymous");
		exit(1);
	}
	run_init(&r, size, o->bw_reps);
	live_buffers(&r, b, m);
	for (rep = 0; rep < r.reps; rep++)
		bandwidth_rep(&r, m, anon, rep, passes);
	run_report(&r, 0, "write-ratio", "x-anon", NULL);
	run_report(&r, 1, "read-ratio", "x-anon", NULL);
	run_report(&r, 2, "write-bw", "MiB/s", NULL);
	run_report(&r, 3, "read-bw", "MiB/s", NULL);
	run_report_anon(&r);
	drop_buffers(&r, b, m);
	run_free(&r);
	munmap(anon, size);
}
