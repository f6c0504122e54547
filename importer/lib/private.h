/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the library's files.  Nothing here is exported: the
 * shared library hides it (-fvisibility=hidden), and only the host tests
 * reach it, by linking the static archive.
 */
#ifndef DMABUF_SHARE_PRIVATE_H
#define DMABUF_SHARE_PRIVATE_H

#include <stdio.h>
#include <sys/types.h>

#include "dmabuf_share.h"

/* ioctl() that retries EINTR/EAGAIN like drmIoctl(); returns 0 or -errno. */
int dbs_ioctl(int fd, unsigned long request, void *arg);

/* close() that keeps errno, for error paths that must report the first one. */
void dbs_close(int fd);

/*
 * Fill @desc from an open fdinfo stream (size, exp_name, name lines);
 * @desc->inode is left 0 (old kernels print no ino line: use stat()).
 * Returns -ENOTTY when the stream has no exp_name line: not a dma-buf.
 */
int dbs_parse_fdinfo(FILE *f, struct dmabuf_share_desc *desc);

/* Fill a sockaddr_un for @path; -ENAMETOOLONG when it does not fit. */
struct sockaddr_un;
int dbs_unix_addr(const char *path, struct sockaddr_un *addr);

/* The peer's pid from SO_PEERCRED. */
int dbs_peer_pid(int sock, pid_t *pid);

/* Growable inventory building, used by the /proc and debugfs readers. */
struct dmabuf_share_buffer *dbs_inv_find(struct dmabuf_share_inventory *inv,
					 uint64_t inode);
struct dmabuf_share_buffer *dbs_inv_add(struct dmabuf_share_inventory *inv,
					uint64_t inode);
int dbs_buffer_add_holder(struct dmabuf_share_buffer *buf, pid_t pid, int fd);
int dbs_buffer_add_device(struct dmabuf_share_buffer *buf, const char *dev);

/* Parse debugfs bufinfo text into @inv; buffers are added or completed. */
int dbs_parse_bufinfo(FILE *f, struct dmabuf_share_inventory *inv);

/* Add every dma-buf fd and mapping of every process the caller may see. */
int dbs_scan_proc(struct dmabuf_share_inventory *inv);

/* True for the link target or maps path of a dma-buf ("/dmabuf:NAME"). */
int dbs_is_dmabuf_path(const char *path);

#endif /* DMABUF_SHARE_PRIVATE_H */
