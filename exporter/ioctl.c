// SPDX-License-Identifier: GPL-2.0
/*
 * The ABI of /dev/dmabuf_exporter: argument checks and the commands.
 * Every check runs before anything is allocated, so a rejected call has
 * nothing to undo.
 */
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/dmabuf_exporter.h>

#include "compat.h"
#include "exporter.h"

static int dmabuf_exporter_check_alloc(const struct dmabuf_exporter_alloc *req)
{
	u32 accmode = req->fd_flags & O_ACCMODE;

	if (!req->size || req->fd || req->reserved)
		return -EINVAL;
	if (req->fd_flags & ~DMABUF_EXPORTER_VALID_FD_FLAGS)
		return -EINVAL;
	if (accmode != O_RDWR && accmode != O_RDONLY)
		return -EINVAL;
	if (req->flags & ~DMABUF_EXPORTER_ALLOC_VALID_FLAGS)
		return -EINVAL;
	return dmabuf_exporter_check_size(req->size);
}

static long
dmabuf_exporter_ioctl_alloc(struct dmabuf_exporter_alloc __user *uarg)
{
	struct dmabuf_exporter_alloc req;
	struct dma_buf *dmabuf;
	int fd, ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	ret = dmabuf_exporter_check_alloc(&req);
	if (ret)
		return ret;
	/*
	 * This is dma_buf_fd() split in two: reserve the slot first, so a full
	 * fd table (EMFILE) costs no allocation, and install it last, so a
	 * failed copy to userspace leaves no fd behind.
	 */
	fd = get_unused_fd_flags(req.fd_flags & O_CLOEXEC);
	if (fd < 0)
		return fd;
	dmabuf = dmabuf_exporter_export(req.size, req.flags,
					req.fd_flags & O_ACCMODE);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_put_fd;
	}
	req.size = dmabuf->size;
	req.fd = fd;
	if (copy_to_user(uarg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto err_put_dmabuf;
	}
	/* No failure after this point: the fd now belongs to userspace. */
	dmabuf_exporter_fd_install(dmabuf, fd);
	return 0;

err_put_dmabuf:
	/* After export the dma-buf owns the buffer: its release() frees it. */
	dma_buf_put(dmabuf);
err_put_fd:
	put_unused_fd(fd);
	return ret;
}

static long dmabuf_exporter_ioctl_info(struct dmabuf_exporter_info __user *uarg)
{
	struct dmabuf_exporter_info info = { 0 };

	dmabuf_exporter_get_info(&info);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long
dmabuf_exporter_ioctl_cache_info(struct dmabuf_exporter_cache_info __user *uarg)
{
	struct dmabuf_exporter_cache_info info = { 0 };

	dmabuf_exporter_cache_get_info(&info);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long
dmabuf_exporter_ioctl_memcg_info(struct dmabuf_exporter_memcg_info __user *uarg)
{
	struct dmabuf_exporter_memcg_info info = { 0 };

	dmabuf_exporter_get_memcg_info(&info);
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long
dmabuf_exporter_ioctl_buf_info(struct dmabuf_exporter_buf_info __user *uarg)
{
	struct dmabuf_exporter_buf_info info;
	struct dmabuf_exporter_buffer *buf;
	struct dma_buf *dmabuf;
	u32 fd;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	if (info.flags || info.size || info.footprint || info.cgroup_id ||
	    info.reserved)
		return -EINVAL;
	fd = info.fd;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	buf = dmabuf_exporter_buffer_of(dmabuf);
	if (buf) {
		memset(&info, 0, sizeof(info));
		info.fd = fd;
		dmabuf_exporter_buffer_describe(buf, &info);
	}
	/* The fd's reference keeps @buf alive until here at least. */
	dma_buf_put(dmabuf);
	if (!buf)
		return -ENODEV;
	if (copy_to_user(uarg, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

/**
 * dmabuf_exporter_ioctl - dispatch one command to its worker
 * @file: the open device
 * @cmd: DMABUF_EXPORTER_IOCTL_*
 * @arg: userspace pointer to the command's struct
 *
 * Return: 0 or -errno; -ENOTTY for a command this module does not know.
 */
long dmabuf_exporter_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case DMABUF_EXPORTER_IOCTL_ALLOC:
		return dmabuf_exporter_ioctl_alloc(uarg);
	case DMABUF_EXPORTER_IOCTL_INFO:
		return dmabuf_exporter_ioctl_info(uarg);
	case DMABUF_EXPORTER_IOCTL_CACHE_INFO:
		return dmabuf_exporter_ioctl_cache_info(uarg);
	case DMABUF_EXPORTER_IOCTL_BUF_INFO:
		return dmabuf_exporter_ioctl_buf_info(uarg);
	case DMABUF_EXPORTER_IOCTL_MEMCG_INFO:
		return dmabuf_exporter_ioctl_memcg_info(uarg);
	}
	return -ENOTTY;
}
