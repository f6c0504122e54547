// SPDX-License-Identifier: GPL-2.0
/*
 * The providers: how each one turns a size into a dma-buf (or memfd) fd.
 * A provider this kernel lacks keeps the reason in @why and every
 * measurement reports it as unavailable instead of failing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <linux/dmabuf_exporter.h>
#include <linux/udmabuf.h>

#include "bench.h"

static int exporter_alloc(const struct provider *p, size_t size, int populate,
			  struct buf *b)
{
	struct dmabuf_exporter_alloc a;

	(void)populate; /* coherent memory is always allocated up front */
	memset(&a, 0, sizeof(a));
	a.size = size;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	a.flags = p->flags;
	if (ioctl(p->dev, DMABUF_EXPORTER_IOCTL_ALLOC, &a))
		return -errno;
	b->fd = (int)a.fd;
	return 0;
}

static int memfd_new(size_t size, unsigned int mfd_flags)
{
	int fd = memfd_create("bench", MFD_CLOEXEC | mfd_flags);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

static int memfd_alloc(const struct provider *p, size_t size, int populate,
		       struct buf *b)
{
	int fd = memfd_new(size, 0);

	(void)p;
	if (fd < 0)
		return fd;
	if (populate && fallocate(fd, 0, 0, (off_t)size)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	b->fd = fd;
	return 0;
}

/* udmabuf wants a memfd sealed against shrinking; it pins the pages. */
static int udmabuf_alloc(const struct provider *p, size_t size, int populate,
			 struct buf *b)
{
	struct udmabuf_create c;
	int memfd = memfd_new(size, MFD_ALLOW_SEALING), fd, ret = 0;

	(void)populate; /* UDMABUF_CREATE allocates every page */
	if (memfd < 0)
		return memfd;
	memset(&c, 0, sizeof(c));
	c.memfd = (uint32_t)memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = size;
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		ret = -errno;
	fd = ret ? -1 : ioctl(p->dev, UDMABUF_CREATE, &c);
	if (!ret && fd < 0)
		ret = -errno;
	/* The udmabuf holds the pages: the memfd itself can go. */
	close(memfd);
	if (!ret)
		b->fd = fd;
	return ret;
}

static int heap_alloc(const struct provider *p, size_t size, int populate,
		      struct buf *b)
{
	struct dma_heap_allocation_data d;

	(void)populate; /* heaps allocate at once */
	memset(&d, 0, sizeof(d));
	d.len = size;
	d.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(p->dev, DMA_HEAP_IOCTL_ALLOC, &d))
		return -errno;
	b->fd = (int)d.fd;
	return 0;
}

static int open_dev(struct provider *p, const char *path, const char *config)
{
	p->dev = open(path, O_RDWR | O_CLOEXEC);
	if (p->dev < 0)
		snprintf(p->why, sizeof(p->why), "no %s (%s): %s", path, config,
			 strerror(errno));
	return p->dev;
}

static struct dmabuf_exporter_info exporter_info(int dev)
{
	struct dmabuf_exporter_info info;

	memset(&info, 0, sizeof(info));
	if (dev >= 0 && ioctl(dev, DMABUF_EXPORTER_IOCTL_INFO, &info))
		memset(&info, 0, sizeof(info));
	return info;
}

static void exporter_init(struct provider *p)
{
	if (open_dev(p, "/dev/dmabuf_exporter", "dmabuf_exporter.ko") >= 0)
		p->max_size = exporter_info(p->dev).max_buffer_size;
}

uint64_t exporter_total_limit(void)
{
	return exporter_info(providers[0].dev).total_limit;
}

/* Wait (up to 2 s) until the exporter's cache has zeroed what it holds. */
static void exporter_wait_zeroed(void)
{
	struct dmabuf_exporter_cache_info ci;
	int tries;

	for (tries = 0; tries < 2000; tries++) {
		memset(&ci, 0, sizeof(ci));
		if (ioctl(providers[0].dev, DMABUF_EXPORTER_IOCTL_CACHE_INFO,
			  &ci) ||
		    !ci.dirty_bytes)
			return;
		usleep(1000);
	}
}

/* The largest udmabuf is a module parameter (default 64 MiB). */
static void udmabuf_init(struct provider *p)
{
	FILE *f;
	long mb;

	if (open_dev(p, "/dev/udmabuf", "CONFIG_UDMABUF") < 0)
		return;
	f = fopen("/sys/module/udmabuf/parameters/size_limit_mb", "r");
	if (f && fscanf(f, "%ld", &mb) == 1)
		p->max_size = (size_t)mb * MIB;
	if (f)
		fclose(f);
}

/*
 * The CMA heap is named after its CMA area ("reserved" for the default
 * one): take the first heap that is not the system heap.
 */
static void cma_heap_init(struct provider *p)
{
	char path[300] = "";
	struct dirent *e;
	DIR *d = opendir("/dev/dma_heap");

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strncmp(e->d_name, "system", 6))
			snprintf(path, sizeof(path), "/dev/dma_heap/%s",
				 e->d_name);
	if (d)
		closedir(d);
	if (!path[0]) {
		snprintf(
			p->why, sizeof(p->why),
			"no CMA heap in /dev/dma_heap (CONFIG_DMABUF_HEAPS_CMA and a CMA area)");
		return;
	}
	open_dev(p, path, "CONFIG_DMABUF_HEAPS_CMA");
}

static void system_heap_init(struct provider *p)
{
	open_dev(p, "/dev/dma_heap/system", "CONFIG_DMABUF_HEAPS_SYSTEM");
}

/*
 * The providers (each repeat takes them in its own shuffled order).  The exporter
 * zeroes released buffers in the background for reuse: every sample waits
 * (untimed) for that to finish, as a user that does not reallocate within
 * microseconds would find it.  The cost when one does is measured on its
 * own (cycle-reuse-now).
 */
struct provider providers[] = {
	{ .name = "exporter",
	  .init = exporter_init,
	  .alloc = exporter_alloc,
	  .dev = -1,
	  .zeroes_later = 1 },
	{ .name = "exporter-per-page",
	  .init = exporter_init,
	  .alloc = exporter_alloc,
	  .dev = -1,
	  .zeroes_later = 1,
	  .flags = DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE },
	{ .name = "memfd", .alloc = memfd_alloc, .dev = -1 },
	{ .name = "udmabuf",
	  .init = udmabuf_init,
	  .alloc = udmabuf_alloc,
	  .dev = -1 },
	{ .name = "heap-system",
	  .init = system_heap_init,
	  .alloc = heap_alloc,
	  .dev = -1 },
	{ .name = "heap-cma",
	  .init = cma_heap_init,
	  .alloc = heap_alloc,
	  .dev = -1 },
};
const int nr_providers = sizeof(providers) / sizeof(providers[0]);

void providers_init(void)
{
	int i;

	for (i = 0; i < nr_providers; i++)
		if (providers[i].init)
			providers[i].init(&providers[i]);
}

void providers_select(const char *names)
{
	const char *s;
	int i;

	for (i = 0; i < nr_providers; i++) {
		size_t n = strlen(providers[i].name);
		int found = 0;

		for (s = names; (s = strstr(s, providers[i].name)); s += n)
			if ((s == names || s[-1] == ',') &&
			    (!s[n] || s[n] == ','))
				found = 1;
		if (!found && !providers[i].why[0])
			snprintf(providers[i].why, sizeof(providers[i].why),
				 "not selected (--providers)");
	}
}

void providers_tag(const char *tag)
{
	static char names[2][64];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(names[i], sizeof(names[i]), "%s-%s", providers[i].name,
			 tag);
		providers[i].name = names[i];
	}
}

const char *provider_unavailable(const struct provider *p, size_t size)
{
	if (p->why[0])
		return p->why;
	if (p->max_size && size > p->max_size) {
		static char why[200];

		snprintf(why, sizeof(why),
			 "above its largest buffer, %zu KiB on this kernel",
			 p->max_size / KIB);
		return why;
	}
	return NULL;
}

int buf_alloc(const struct provider *p, size_t size, int populate,
	      struct buf *b)
{
	b->fd = -1;
	b->size = size;
	return p->alloc(p, size, populate, b);
}

void provider_settle(const struct provider *p)
{
	if (p->zeroes_later)
		exporter_wait_zeroed();
}

void buf_free(struct buf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}
