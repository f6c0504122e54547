// SPDX-License-Identifier: GPL-2.0
/*
 * A V4L2 importer: vivid captures frames into exporter buffers queued with
 * V4L2_MEMORY_DMABUF, and we read each frame back through our own mapping.
 *
 * vivid's default allocator (vmalloc) takes the buffer through our .vmap
 * alone and never attaches.  Its dma-contig allocator (module parameter
 * allocators=1 for an instance) attaches, calls our .map_dma_buf for its
 * device and insists on one DMA-contiguous range, then vmaps to draw.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include "harness.h"

#define VIVID_PARAMS "/sys/module/vivid/parameters/"
#define NBUFS 4
#define FRAMES 8
/* Not a byte of vivid's 75% colour bars in YUYV: every frame overwrites it. */
#define POISON 0x5a
#define SYNC_START_READ (DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)
#define SYNC_END_READ (DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)
#define SYNC_START_WRITE (DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE)
#define SYNC_END_WRITE (DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE)

enum vivid_allocator {
	VIVID_VMALLOC = 0,
	VIVID_DMA_CONTIG = 1
};

struct capture {
	int video;
	unsigned int inst;
	struct v4l2_pix_format pix;
	size_t size;	    /* bytes per buffer: sizeimage, page rounded */
	unsigned int count; /* buffers vivid accepted */
	int fds[NBUFS];
	unsigned char *maps[NBUFS];
};

/* The first vivid instance using @alloc, or -1 (also when vivid is absent). */
static int vivid_instance(enum vivid_allocator alloc)
{
	char list[512], *tok, *save = NULL;
	unsigned int n_devs = 0, inst = 0;
	FILE *f;

	f = fopen(VIVID_PARAMS "n_devs", "re");
	if (!f)
		return -1;
	if (fscanf(f, "%u", &n_devs) != 1)
		n_devs = 0;
	fclose(f);
	f = fopen(VIVID_PARAMS "allocators", "re");
	if (!f)
		return -1;
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	for (tok = strtok_r(list, ",\n", &save); tok && inst < n_devs;
	     tok = strtok_r(NULL, ",\n", &save), inst++)
		if (strtoul(tok, NULL, 10) == alloc)
			return (int)inst;
	return -1;
}

/* @why when vivid has no instance using @alloc, else NULL. */
static const char *vivid_lacks(enum vivid_allocator alloc, const char *why)
{
	if (access("/sys/module/vivid", F_OK))
		return "vivid is not loaded in this kernel";
	if (vivid_instance(alloc) < 0)
		return why;
	return NULL;
}

static const char *needs_vivid_vmalloc(void)
{
	return vivid_lacks(VIVID_VMALLOC,
			   "no vivid instance uses vmalloc (allocators=0)");
}

static const char *needs_vivid_dma_contig(void)
{
	if (booted_with_swiotlb_force())
		return "vivid writes frames with the CPU through vmap while it holds a DMA_FROM_DEVICE mapping; with swiotlb=force the unmap copies its untouched bounce buffer back over them, for any exporter that honours the DMA API (the system heap too)";
	return vivid_lacks(
		VIVID_DMA_CONTIG,
		"no vivid instance uses dma-contig (load vivid with n_devs=2 allocators=0,1)");
}

/* Open instance @inst's video capture node, found by its sysfs name. */
static int open_vivid_capture(unsigned int inst)
{
	char want[32], path[64], name[64];
	int i, fd = -1;

	snprintf(want, sizeof(want), "vivid-%03u-vid-cap\n", inst);
	for (i = 0; i < 64 && fd < 0; i++) {
		FILE *f;

		snprintf(path, sizeof(path),
			 "/sys/class/video4linux/video%d/name", i);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strcmp(name, want)) {
			snprintf(path, sizeof(path), "/dev/video%d", i);
			fd = open(path, O_RDWR | O_CLOEXEC);
		}
		fclose(f);
	}
	return fd;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, req, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

static int sync_buf(int fd, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* Fill buffer @i with POISON between CPU-access brackets. */
static void poison(struct capture *c, unsigned int i)
{
	CU_ASSERT_EQUAL(sync_buf(c->fds[i], SYNC_START_WRITE), 0);
	memset(c->maps[i], POISON, c->size);
	CU_ASSERT_EQUAL(sync_buf(c->fds[i], SYNC_END_WRITE), 0);
}

static int qbuf(struct capture *c, unsigned int i)
{
	struct v4l2_buffer b;

	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_DMABUF;
	b.index = i;
	b.m.fd = c->fds[i];
	b.length = c->size;
	return xioctl(c->video, VIDIOC_QBUF, &b);
}

/*
 * Wait for a filled buffer (the event), with the harness's one limit: vivid's
 * frame thread runs late on a loaded TCG guest.
 */
static int dqbuf(struct capture *c, struct v4l2_buffer *b)
{
	struct pollfd pfd = { .fd = c->video, .events = POLLIN };

	if (poll(&pfd, 1, SETTLE_LIMIT_MS) != 1)
		return -ETIMEDOUT;
	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_DMABUF;
	return xioctl(c->video, VIDIOC_DQBUF, b);
}

static void capture_open(struct capture *c, unsigned int inst)
{
	struct v4l2_capability cap;
	struct v4l2_format fmt;

	memset(c, 0, sizeof(*c));
	c->inst = inst;
	c->video = open_vivid_capture(inst);
	CU_ASSERT_FATAL(c->video >= 0);
	memset(&cap, 0, sizeof(cap));
	CU_ASSERT_EQUAL_FATAL(xioctl(c->video, VIDIOC_QUERYCAP, &cap), 0);
	CU_ASSERT_FATAL((cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
			(cap.device_caps & V4L2_CAP_STREAMING));
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	CU_ASSERT_EQUAL_FATAL(xioctl(c->video, VIDIOC_G_FMT, &fmt), 0);
	c->pix = fmt.fmt.pix;
	CU_ASSERT_FATAL(c->pix.sizeimage > 0);
	c->size = (c->pix.sizeimage + PAGE - 1) & ~(PAGE - 1);
}

/* REQBUFS for DMABUF, then one named, poisoned exporter buffer per slot. */
static void capture_queue(struct capture *c)
{
	struct v4l2_requestbuffers req;
	char name[32];
	unsigned int i;

	memset(&req, 0, sizeof(req));
	req.count = NBUFS;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_DMABUF;
	CU_ASSERT_EQUAL_FATAL(xioctl(c->video, VIDIOC_REQBUFS, &req), 0);
	CU_ASSERT_FATAL(req.count >= 2 && req.count <= NBUFS);
	c->count = req.count;
	for (i = 0; i < c->count; i++) {
		c->fds[i] = exp_alloc_rw(c->size);
		snprintf(name, sizeof(name), "vivid%u-%u", c->inst, i);
		CU_ASSERT_EQUAL(xioctl(c->fds[i], DMA_BUF_SET_NAME, name), 0);
		c->maps[i] = map_buf(c->fds[i], c->size, PROT_READ | PROT_WRITE,
				     MAP_SHARED, 0);
		CU_ASSERT_NOT_EQUAL_FATAL(c->maps[i], MAP_FAILED);
		poison(c, i);
		CU_ASSERT_EQUAL_FATAL(qbuf(c, i), 0);
	}
}

static void capture_close(struct capture *c)
{
	struct v4l2_requestbuffers req;
	unsigned int i;

	/* REQBUFS 0 drops vivid's references to our buffers. */
	memset(&req, 0, sizeof(req));
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_DMABUF;
	CU_ASSERT_EQUAL(xioctl(c->video, VIDIOC_REQBUFS, &req), 0);
	for (i = 0; i < c->count; i++) {
		munmap(c->maps[i], c->size);
		close(c->fds[i]);
	}
	close(c->video);
}

/* Devices attached to the buffer named @name, by their lines in bufinfo. */
static int vivid_attachments(const char *name)
{
	char line[512];
	int n = 0, in_buf = 0;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "\tdmabuf_exporter\t"))
			in_buf = !strcmp(strrchr(line, '\t') + 1, name);
		else if (in_buf && !strncmp(line, "\tvivid.", 7))
			n++;
	}
	fclose(f);
	return n;
}

/*
 * A frame is vivid's picture, not our poison: most bytes overwritten and
 * many distinct values.  Returns a checksum of the frame.
 */
static unsigned long check_frame(const unsigned char *p, size_t len)
{
	unsigned long sum = 5381;
	size_t i, poisoned = 0;
	int seen[256] = { 0 }, distinct = 0;

	for (i = 0; i < len; i++) {
		poisoned += p[i] == POISON;
		distinct += !seen[p[i]]++;
		sum = sum * 33 + p[i];
	}
	CU_ASSERT(poisoned < len / 10);
	CU_ASSERT(distinct >= 8);
	return sum;
}

/* Read buffer @b.index through our mapping, then poison and requeue it. */
static unsigned long take_frame(struct capture *c, const struct v4l2_buffer *b)
{
	unsigned int i = b->index;
	unsigned long sum;

	CU_ASSERT_FATAL(i < c->count);
	CU_ASSERT_EQUAL(b->bytesused, c->pix.sizeimage);
	CU_ASSERT_FALSE(b->flags & V4L2_BUF_FLAG_ERROR);
	CU_ASSERT_EQUAL(sync_buf(c->fds[i], SYNC_START_READ), 0);
	sum = check_frame(c->maps[i], c->pix.sizeimage);
	CU_ASSERT_EQUAL(sync_buf(c->fds[i], SYNC_END_READ), 0);
	poison(c, i);
	CU_ASSERT_EQUAL(qbuf(c, i), 0);
	return sum;
}

/*
 * Stream FRAMES frames from vivid instance @inst into exporter buffers;
 * @attached: vivid devices each buffer must have attached while queued.
 */
static void stream_into_exporter_buffers(int inst, int attached)
{
	struct usage before = usage_now();
	unsigned long sums[FRAMES];
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, n, changes = 0;
	struct v4l2_buffer b;
	struct capture c;
	char name[32];

	CU_ASSERT_FATAL(inst >= 0);
	capture_open(&c, (unsigned int)inst);
	capture_queue(&c);
	snprintf(name, sizeof(name), "vivid%d-0\n", inst);
	if (!needs_debugfs_bufinfo())
		CU_ASSERT_EQUAL(vivid_attachments(name), attached);
	CU_ASSERT_EQUAL_FATAL(xioctl(c.video, VIDIOC_STREAMON, &type), 0);
	for (n = 0; n < FRAMES; n++) {
		CU_ASSERT_EQUAL_FATAL(dqbuf(&c, &b), 0);
		sums[n] = take_frame(&c, &b);
		changes += n > 0 && sums[n] != sums[n - 1];
	}
	CU_ASSERT_EQUAL(xioctl(c.video, VIDIOC_STREAMOFF, &type), 0);
	/* vivid's overlay prints a frame counter: frames must differ. */
	CU_ASSERT(changes >= FRAMES / 2);
	printf("\n  vivid instance %d: %ux%u %.4s, %d frames of %u bytes, %d changes ",
	       inst, c.pix.width, c.pix.height,
	       (const char *)&c.pix.pixelformat, FRAMES, c.pix.sizeimage,
	       changes);
	capture_close(&c);
	assert_usage_is(&before, "after vivid released the buffers");
}

static void vivid_vmalloc_captures_into_buffers_via_vmap(void)
{
	stream_into_exporter_buffers(vivid_instance(VIVID_VMALLOC), 0);
}

static void vivid_dma_contig_captures_into_buffers_via_map_dma_buf(void)
{
	stream_into_exporter_buffers(vivid_instance(VIVID_DMA_CONTIG), 1);
}

static const struct vm_test tests[] = {
	VM_TEST_NEEDS(vivid_vmalloc_captures_into_buffers_via_vmap,
		      needs_vivid_vmalloc),
	VM_TEST_NEEDS(vivid_dma_contig_captures_into_buffers_via_map_dma_buf,
		      needs_vivid_dma_contig),
	VM_TESTS_END,
};

const struct vm_suite suite_v4l2 = { "v4l2", tests };
