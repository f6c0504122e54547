// SPDX-License-Identifier: MIT
/*
 * The only file that knows /dev/dmabuf_exporter: open it, allocate, read
 * INFO.  Everything else in the library works on any dma-buf.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/dmabuf_exporter.h>

#include "private.h"

DMABUF_SHARE_EXPORT int dmabuf_share_exporter_open(const char *path,
						   int *dev_fd)
{
	int fd;

	fd = open(path ? path : DMABUF_SHARE_EXPORTER_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*dev_fd = fd;
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_alloc(int dev_fd, uint64_t size,
					   int fd_flags, uint64_t alloc_flags,
					   int *buf_fd, uint64_t *alloc_size)
{
	struct dmabuf_exporter_alloc arg;
	int ret;

	/* Zeroed so reserved fields and the input fd are 0, as the ABI asks. */
	memset(&arg, 0, sizeof(arg));
	arg.size = size;
	arg.fd_flags = (__u32)fd_flags;
	arg.flags = alloc_flags;
	ret = dbs_ioctl(dev_fd, DMABUF_EXPORTER_IOCTL_ALLOC, &arg);
	if (ret)
		return ret;
	*buf_fd = (int)arg.fd;
	if (alloc_size)
		*alloc_size = arg.size;
	return 0;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_exporter_info(int dev_fd, struct dmabuf_share_exporter_info *info)
{
	struct dmabuf_exporter_info arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	ret = dbs_ioctl(dev_fd, DMABUF_EXPORTER_IOCTL_INFO, &arg);
	if (ret)
		return ret;
	info->max_buffer_size = arg.max_buffer_size;
	info->total_limit = arg.total_limit;
	info->total_allocated = arg.total_allocated;
	info->live_buffers = arg.live_buffers;
	info->page_size = arg.page_size;
	return 0;
}
