// SPDX-License-Identifier: MIT
/*
 * Operations on any dma-buf fd: size, mapping, CPU-access brackets, name.
 * Nothing here knows which driver exported the buffer.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/vfs.h>

#include <linux/dma-buf.h>
#include <linux/magic.h>

#include "private.h"

DMABUF_SHARE_EXPORT int dmabuf_share_is_dmabuf(int fd)
{
	struct statfs sfs;

	/* Every dma-buf file lives on the kernel's internal dmabuf fs. */
	if (fstatfs(fd, &sfs))
		return -errno;
	return sfs.f_type == DMA_BUF_MAGIC;
}

DMABUF_SHARE_EXPORT int dmabuf_share_size(int fd, uint64_t *size)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end < 0)
		return -errno;
	*size = (uint64_t)end;
	return 0;
}

/*
 * Map @len bytes of @fd at an address that is a multiple of
 * DMABUF_SHARE_MAP_ALIGN: reserve @len plus the alignment as inaccessible
 * anonymous memory, map the buffer over the aligned part with MAP_FIXED
 * (which replaces that part of the reservation atomically), and give back
 * the slack on both sides.  Only then can a PMD cover each aligned 2 MiB.
 */
static void *map_aligned(int fd, size_t len, int prot)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (len + page - 1) / page * page;
	size_t total = span + DMABUF_SHARE_MAP_ALIGN;
	uintptr_t start, aligned;
	void *res, *p;

	res = mmap(NULL, total, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	start = (uintptr_t)res;
	aligned = (start + DMABUF_SHARE_MAP_ALIGN - 1) &
		  ~(uintptr_t)(DMABUF_SHARE_MAP_ALIGN - 1);
	p = mmap((void *)aligned, len, prot, MAP_SHARED | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;

		munmap(res, total);
		errno = err;
		return MAP_FAILED;
	}
	if (aligned > start)
		munmap(res, aligned - start);
	if (start + total > aligned + span)
		munmap((void *)(aligned + span),
		       start + total - aligned - span);
	return p;
}

DMABUF_SHARE_EXPORT int dmabuf_share_map(int fd, int prot, unsigned int flags,
					 void **addr, size_t *size)
{
	uint64_t len = 0;
	void *p;
	int ret;

	if (flags & ~DMABUF_SHARE_MAP_ANY_ADDRESS)
		return -EINVAL;
	ret = dmabuf_share_size(fd, &len);
	if (ret)
		return ret;
	if (len == 0 || len > SIZE_MAX - DMABUF_SHARE_MAP_ALIGN)
		return -EINVAL;
	/* dma-buf mmap refuses private mappings: they would need COW pages. */
	if (len >= DMABUF_SHARE_MAP_ALIGN &&
	    !(flags & DMABUF_SHARE_MAP_ANY_ADDRESS))
		p = map_aligned(fd, (size_t)len, prot);
	else
		p = mmap(NULL, (size_t)len, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	*size = (size_t)len;
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_unmap(void *addr, size_t size)
{
	return munmap(addr, size) ? -errno : 0;
}

static int sync_flags(unsigned int access, __u64 *flags)
{
	switch (access) {
	case DMABUF_SHARE_READ:
		*flags = DMA_BUF_SYNC_READ;
		return 0;
	case DMABUF_SHARE_WRITE:
		*flags = DMA_BUF_SYNC_WRITE;
		return 0;
	case DMABUF_SHARE_RW:
		*flags = DMA_BUF_SYNC_RW;
		return 0;
	}
	return -EINVAL;
}

static int sync_ioctl(int fd, unsigned int access, __u64 phase)
{
	struct dma_buf_sync arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	ret = sync_flags(access, &arg.flags);
	if (ret)
		return ret;
	arg.flags |= phase;
	return dbs_ioctl(fd, DMA_BUF_IOCTL_SYNC, &arg);
}

/*
 * A dma-buf polls readable once its write fences have signalled and
 * writable once all have: exactly what a READ or WRITE bracket waits for.
 */
static int wait_fences(int fd, unsigned int access, int timeout_ms)
{
	struct dbs_deadline d;
	int ret;

	ret = dbs_deadline_start(&d, timeout_ms);
	if (ret || timeout_ms == -1)
		return ret;
	/* Only a dma-buf answers poll() this way; others fail in the ioctl. */
	ret = dmabuf_share_is_dmabuf(fd);
	if (ret <= 0)
		return ret < 0 ? ret : -ENOTTY;
	return dbs_wait_fd(fd, access & DMABUF_SHARE_WRITE ? POLLOUT : POLLIN,
			   &d);
}

DMABUF_SHARE_EXPORT int dmabuf_share_sync_start(int fd, unsigned int access,
						int timeout_ms)
{
	__u64 flags;
	int ret;

	ret = sync_flags(access, &flags);
	if (!ret)
		ret = wait_fences(fd, access, timeout_ms);
	return ret ? ret : sync_ioctl(fd, access, DMA_BUF_SYNC_START);
}

DMABUF_SHARE_EXPORT int dmabuf_share_sync_end(int fd, unsigned int access)
{
	return sync_ioctl(fd, access, DMA_BUF_SYNC_END);
}

DMABUF_SHARE_EXPORT int dmabuf_share_set_name(int fd, const char *name)
{
	/* The kernel would say EINVAL; a length error is clearer to report. */
	if (strnlen(name, DMABUF_SHARE_NAME_LEN) >= DMABUF_SHARE_NAME_LEN)
		return -ENAMETOOLONG;
	/* The argument is the string pointer itself, not a struct. */
	return dbs_ioctl(fd, DMA_BUF_SET_NAME, (void *)name);
}
