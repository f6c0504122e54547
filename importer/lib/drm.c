// SPDX-License-Identifier: MIT
/*
 * PRIME import through libdrm.  libdrm's calls return -1 with errno set;
 * here they are turned into the library's -errno results.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <xf86drm.h>

#include "private.h"

/* The kernel numbers render nodes from 128 and allows 64 of each kind. */
#define RENDER_MINOR_BASE 128
#define NODES_PER_KIND 64

static int open_node(const char *path, int *drm_fd)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*drm_fd = fd;
	return 0;
}

/* First node of one kind; -ENOENT when none exists. */
static int open_first(const char *fmt, int base, int *drm_fd)
{
	char path[64];
	int i, ret = -ENOENT;

	for (i = 0; i < NODES_PER_KIND; i++) {
		snprintf(path, sizeof(path), fmt, base + i);
		ret = open_node(path, drm_fd);
		if (ret != -ENOENT)
			return ret;
	}
	return ret;
}

DMABUF_SHARE_EXPORT int dmabuf_share_drm_open(const char *path, int *drm_fd)
{
	int ret;

	if (path)
		return open_node(path, drm_fd);
	/* Render nodes need no DRM master or authentication: prefer them. */
	ret = open_first("/dev/dri/renderD%d", RENDER_MINOR_BASE, drm_fd);
	if (ret != -ENOENT)
		return ret;
	return open_first("/dev/dri/card%d", 0, drm_fd);
}

DMABUF_SHARE_EXPORT int dmabuf_share_drm_driver(int drm_fd, char *name,
						size_t len)
{
	drmVersionPtr v;
	int ret;

	if (len == 0)
		return -EINVAL;
	/* drmGetVersion() may fail without setting errno (out of memory). */
	errno = 0;
	v = drmGetVersion(drm_fd);
	if (!v)
		return errno ? -errno : -ENOMEM;
	/* A cut name could be another driver's: say it did not fit. */
	ret = (size_t)snprintf(name, 0, "%s", v->name ? v->name : "") < len ?
		      0 :
		      -ERANGE;
	if (!ret)
		snprintf(name, len, "%s", v->name ? v->name : "");
	drmFreeVersion(v);
	return ret;
}

DMABUF_SHARE_EXPORT int dmabuf_share_drm_import(int drm_fd, int buf_fd,
						uint32_t *handle)
{
	uint32_t h = 0;

	/* drmIoctl() inside already retries EINTR/EAGAIN. */
	if (drmPrimeFDToHandle(drm_fd, buf_fd, &h))
		return -errno;
	*handle = h;
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_drm_export(int drm_fd, uint32_t handle,
						unsigned int flags, int *buf_fd)
{
	uint32_t prime = DRM_CLOEXEC;
	int fd = -1;

	if (flags & ~DMABUF_SHARE_EXPORT_WRITABLE)
		return -EINVAL;
	if (flags & DMABUF_SHARE_EXPORT_WRITABLE)
		prime |= DRM_RDWR;
	if (drmPrimeHandleToFD(drm_fd, handle, prime, &fd))
		return -errno;
	*buf_fd = fd;
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_drm_close_handle(int drm_fd,
						      uint32_t handle)
{
	return drmCloseBufferHandle(drm_fd, handle) ? -errno : 0;
}
