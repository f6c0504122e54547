// SPDX-License-Identifier: MIT
/*
 * Operations on any dma-buf fd: size, mapping, CPU-access brackets, name.
 * Nothing here knows which driver exported the buffer.
 */
#include <errno.h>
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

DMABUF_SHARE_EXPORT int dmabuf_share_map(int fd, int prot, void **addr,
					 size_t *size)
{
	uint64_t len = 0;
	void *p;
	int ret;

	ret = dmabuf_share_size(fd, &len);
	if (ret)
		return ret;
	if (len == 0 || len > SIZE_MAX)
		return -EINVAL;
	/* dma-buf mmap refuses private mappings: they would need COW pages. */
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

DMABUF_SHARE_EXPORT int dmabuf_share_sync_start(int fd, unsigned int access)
{
	return sync_ioctl(fd, access, DMA_BUF_SYNC_START);
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
