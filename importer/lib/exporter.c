// SPDX-License-Identifier: MIT
/*
 * The only file that knows /dev/dmabuf_exporter: open it, allocate, read
 * INFO and CACHE_INFO.  Everything else in the library works on any dma-buf.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <linux/dmabuf_exporter.h>

#include "private.h"

_Static_assert(sizeof(struct dmabuf_share_exporter_info) ==
		       DBS_EXPORTER_INFO_SIZE_V1,
	       "fields are appended only");
_Static_assert(sizeof(struct dmabuf_share_exporter_cache_info) ==
		       DBS_CACHE_INFO_SIZE_V1,
	       "fields are appended only");

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

	if (fd_flags & ~(O_ACCMODE | O_CLOEXEC) ||
	    ((fd_flags & O_ACCMODE) != O_RDWR &&
	     (fd_flags & O_ACCMODE) != O_RDONLY))
		return -EINVAL;
	/* Zeroed so reserved fields and the input fd are 0, as the ABI asks. */
	memset(&arg, 0, sizeof(arg));
	arg.size = size;
	/* The library's rule, not the module's: every fd is close-on-exec. */
	arg.fd_flags = (__u32)(fd_flags | O_CLOEXEC);
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
	struct dmabuf_share_exporter_info out;
	struct dmabuf_exporter_info arg;
	int ret;

	ret = dbs_struct_check(info, DBS_EXPORTER_INFO_SIZE_V1);
	if (ret)
		return ret;
	memset(&arg, 0, sizeof(arg));
	ret = dbs_ioctl(dev_fd, DMABUF_EXPORTER_IOCTL_INFO, &arg);
	if (ret)
		return ret;
	memset(&out, 0, sizeof(out));
	out.max_buffer_size = arg.max_buffer_size;
	out.total_limit = arg.total_limit;
	out.total_allocated = arg.total_allocated;
	out.live_buffers = arg.live_buffers;
	out.page_size = arg.page_size;
	dbs_struct_copy(info, &out, sizeof(out));
	return 0;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_exporter_cache_info(int dev_fd,
				 struct dmabuf_share_exporter_cache_info *info)
{
	struct dmabuf_exporter_cache_info arg;
	struct dmabuf_share_exporter_cache_info out;
	int ret;

	ret = dbs_struct_check(info, DBS_CACHE_INFO_SIZE_V1);
	if (ret)
		return ret;
	memset(&arg, 0, sizeof(arg));
	ret = dbs_ioctl(dev_fd, DMABUF_EXPORTER_IOCTL_CACHE_INFO, &arg);
	if (ret)
		return ret;
	memset(&out, 0, sizeof(out));
	out.cache_size = arg.cache_size;
	out.cached_bytes = arg.cached_bytes;
	out.dirty_bytes = arg.dirty_bytes;
	out.cached_buffers = arg.cached_buffers;
	out.hits = arg.hits;
	out.misses = arg.misses;
	dbs_struct_copy(info, &out, sizeof(out));
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_buffer_cgroup(int dev_fd, int buf_fd,
						   uint64_t *cgroup_id,
						   int *charged)
{
	struct dmabuf_exporter_buf_info arg;
	int ret;

	if (buf_fd < 0)
		return -EBADF;
	/* Zeroed: every field but the fd must be 0 on input. */
	memset(&arg, 0, sizeof(arg));
	arg.fd = (__u32)buf_fd;
	ret = dbs_ioctl(dev_fd, DMABUF_EXPORTER_IOCTL_BUF_INFO, &arg);
	if (ret)
		return ret;
	*cgroup_id = arg.cgroup_id;
	*charged = !!(arg.flags & DMABUF_EXPORTER_BUF_CHARGED);
	return 0;
}
