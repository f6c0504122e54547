/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dmabuf-bench: the exporter against the other ways to share a buffer
 * (memfd, udmabuf, the dma-buf heaps), measured in one boot.
 *
 * providers.c knows how each provider allocates; measure.c runs the
 * measurements through that one interface; stats.c turns samples into
 * result lines; main.c decides what runs in which order.
 */
#ifndef DMABUF_BENCH_H
#define DMABUF_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define PAGE 4096UL
#define KIB 1024UL
#define MIB (1024UL * 1024UL)

/* One allocated buffer: the fd to map and to pass on. */
struct buf {
	int fd;
	size_t size;
};

/*
 * A way to get a shareable buffer.  @why is empty when the provider exists
 * on this kernel, else the reason it does not; @max_size is the largest
 * buffer it hands out (0: no limit known); @zeroes_later is set when a
 * released buffer is zeroed in the background (the exporter's cache).
 */
struct provider {
	const char *name;
	void (*init)(struct provider *p);
	int (*alloc)(const struct provider *p, size_t size, int populate,
		     struct buf *b);
	int dev;
	int zeroes_later;
	uint64_t flags;
	size_t max_size;
	char why[160];
};

/* providers.c */
extern struct provider providers[];
extern const int nr_providers;
void providers_init(void);
/* Leave out every provider not named in the comma-separated @names. */
void providers_select(const char *names);
/* Append @tag to the exporter's provider names ("exporter-TAG"). */
void providers_tag(const char *tag);
/* NULL when @p can serve @size, else why not. */
const char *provider_unavailable(const struct provider *p, size_t size);
/*
 * Allocate @size bytes: 0 or -errno.  @populate asks a provider whose
 * memory appears only on first touch (memfd) to allocate it now.
 */
int buf_alloc(const struct provider *p, size_t size, int populate,
	      struct buf *b);
void buf_free(struct buf *b);
/*
 * Untimed, after each sample: let @p finish the work its releases left in
 * the background, so that it lands in neither the next sample of @p nor
 * another provider's.
 */
void provider_settle(const struct provider *p);
/* The exporter's total_limit from INFO, 0 when it is not loaded. */
uint64_t exporter_total_limit(void);

/* stats.c */
double now_us(void);
/* CPU time of this process, all its threads, user and system. */
double process_cpu_us(void);
long minor_faults(void);
struct summary {
	int n;
	double median, min, max;
};
struct summary summarize(double *v, int n);
/* Row context printed on every result line. */
void result_context(const char *kernel, const char *cpu, const char *accel,
		    const char *date);
/* One machine-readable result line (prefix @@BENCH) and a readable echo. */
void result(const char *metric, const char *provider, size_t size,
	    const struct summary *s, const char *unit, const char *note);
void result_unavailable(const char *metric, const char *provider, size_t size,
			const char *why);
/* Readable progress on stdout, never parsed. */
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* measure.c: each interleaves every provider usable at @size. */
struct bench_opts {
	int rounds;	  /* frame loop: rounds over every provider */
	int frames;	  /* frame loop: back-to-back cycles per turn */
	int cpu_ms;	  /* frame loop's CPU time: wall ms per turn */
	int reps;	  /* cycle and remap repeats */
	int handoff_reps; /* hand-off repeats (each forks a receiver) */
	int bw_reps;	  /* bandwidth repeats */
	int fanout_reps;  /* fan-out repeats */
	int fanout_procs;
	size_t bw_bytes; /* bytes written or read per bandwidth sample */
	size_t scale_size;
	long scale_cap; /* most live buffers tried in the scale test */
};
void measure_frame(const struct bench_opts *o, size_t size);
void measure_frame_cpu(const struct bench_opts *o, size_t size);
void measure_steps(const struct bench_opts *o, size_t size);
void measure_cycle(const struct bench_opts *o, size_t size);
void measure_remap(const struct bench_opts *o, size_t size);
void measure_bandwidth(const struct bench_opts *o, size_t size);
void measure_handoff(const struct bench_opts *o, size_t size);
void measure_fanout(const struct bench_opts *o, size_t size);
void measure_scale(const struct bench_opts *o);

/*
 * Map @b shared, read-write, through the importer library (from 2 MiB up
 * at a 2 MiB-aligned address);
 * NULL on failure.
 */
void *map_shared(const struct buf *b);
/* buf_alloc() and map_shared(): 0 or -errno, with nothing left behind. */
int buf_alloc_mapped(const struct provider *p, size_t size, struct buf *b,
		     void **m);
/* A buffer holding the touch_pages() pattern of @seed, not mapped. */
int buf_alloc_filled(const struct provider *p, size_t size, uint64_t seed,
		     struct buf *b);
/* Write one 64-bit word into every page: value @seed + page index. */
void touch_pages(void *p, size_t size, uint64_t seed);
/* Read one word from every page; the number of pages that do not match. */
size_t check_pages(const void *p, size_t size, uint64_t seed);

#endif
