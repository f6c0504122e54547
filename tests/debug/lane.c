// SPDX-License-Identifier: GPL-2.0
/* Helpers of the debug-lane programs; see lane.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "lane.h"

unsigned long lane_failures;

void lane_fail(const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&lane_failures, 1, __ATOMIC_RELAXED);
	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int lane_info(struct dmabuf_exporter_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_INFO, info) ? -errno : 0;
}

struct lane_usage lane_usage(void)
{
	struct dmabuf_exporter_info info;
	struct lane_usage u = { .fds = count_fds() };

	if (lane_info(&info)) {
		lane_fail("INFO failed: %s", strerror(errno));
		return u;
	}
	u.live = info.live_buffers;
	u.bytes = info.total_allocated;
	return u;
}

static int same_usage(const struct lane_usage *a, const struct lane_usage *b)
{
	return a->live == b->live && a->bytes == b->bytes && a->fds == b->fds;
}

int lane_usage_wait(const struct lane_usage *want, int wait_ms)
{
	struct lane_usage now = lane_usage();

	while (!same_usage(&now, want) && wait_ms > 0) {
		usleep(10000);
		wait_ms -= 10;
		now = lane_usage();
	}
	return same_usage(&now, want);
}

void lane_usage_fail(const char *where, const struct lane_usage *want)
{
	struct lane_usage now = lane_usage();

	lane_fail(
		"leak %s: live buffers %u -> %u, bytes %llu -> %llu, fds %d -> %d",
		where, want->live, now.live, (unsigned long long)want->bytes,
		(unsigned long long)now.bytes, want->fds, now.fds);
}

void lane_rng_seed(struct lane_rng *r, uint64_t seed)
{
	/* splitmix64 of the seed: never the all-zero state xorshift hates. */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1;
}

uint64_t lane_rand(struct lane_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

uint64_t lane_below(struct lane_rng *r, uint64_t n)
{
	return lane_rand(r) % n;
}

uint64_t lane_clock_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000007ULL) ^ (uint64_t)ts.tv_nsec ^
	       ((uint64_t)getpid() << 32);
}

double lane_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int lane_arg_u64(int argc, char **argv, const char *name, uint64_t *out)
{
	char *end;
	int i;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], name))
			continue;
		errno = 0;
		*out = strtoull(argv[i + 1], &end, 0);
		if (errno || *end) {
			fprintf(stderr, "bad value for %s: %s\n", name,
				argv[i + 1]);
			exit(2);
		}
		return 1;
	}
	return 0;
}
