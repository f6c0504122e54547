/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the library's files.  Nothing here is exported: the
 * shared library hides it (-fvisibility=hidden), and only the host tests
 * reach it, by linking the static archive.
 */
#ifndef DMABUF_SHARE_PRIVATE_H
#define DMABUF_SHARE_PRIVATE_H

#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include "dmabuf_share.h"

/*
 * Large-file offsets on every ABI (i386, armhf): lseek() on a buffer of
 * 2 GiB or more fails with EOVERFLOW otherwise.  The Makefile defines
 * _FILE_OFFSET_BITS=64; no off_t is in the public API, so it is ABI-neutral.
 */
_Static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64");

/* The inventory behind the opaque handles of dmabuf_share.h. */
struct dmabuf_share_holder {
	pid_t pid;
	int fd; /* -1 for a mapping */
};

struct dmabuf_share_buffer {
	struct dmabuf_share_desc desc;
	size_t nr_holders, holders_cap;
	struct dmabuf_share_holder *holders; /* fds first, then mappings */
	int nr_devices;			     /* -1: unknown (no debugfs) */
	char **devices;			     /* attached device names */
};

struct dmabuf_share_inventory {
	unsigned int sources; /* DMABUF_SHARE_SRC_* */
	size_t nr_buffers, buffers_cap;
	struct dmabuf_share_buffer *buffers; /* sorted by inode once read */
	size_t nr_hidden_pids; /* processes the caller may not inspect */
	/*
	 * While reading: open-addressing table of index + 1 into @buffers
	 * by inode (0: empty slot), so each lookup is O(1).  Freed by
	 * dbs_inv_finish(), whose sort would make it stale.
	 */
	size_t *slots, nr_slots; /* nr_slots: a power of 2, or 0 */
};

/*
 * The first published size of each growable struct.  These numbers are
 * frozen: a caller built against 1.0 passes them forever.
 */
#define DBS_DESC_SIZE_V1 120
#define DBS_EXPORTER_INFO_SIZE_V1 40
#define DBS_CACHE_INFO_SIZE_V1 48

/* The largest struct_size taken: a page, as clone3() and openat2() allow. */
#define DBS_STRUCT_SIZE_MAX 4096u

/*
 * 0 when @caller's struct_size is at least @min_size and at most
 * DBS_STRUCT_SIZE_MAX; -EINVAL when smaller, -E2BIG when larger.
 */
int dbs_struct_check(const void *caller, size_t min_size);

/*
 * Copy the library's filled struct @src (@lib_size bytes) into @caller as
 * far as both sizes allow, zero the rest of @caller, and set its
 * struct_size to the bytes copied.  Call dbs_struct_check() first.
 */
void dbs_struct_copy(void *caller, const void *src, size_t lib_size);

/* A point in time a waiting call must not pass (CLOCK_MONOTONIC). */
struct dbs_deadline {
	int forever;
	struct timespec end;
};

/* Start counting @timeout_ms; -EINVAL for a value below -1. */
int dbs_deadline_start(struct dbs_deadline *d, int timeout_ms);

/* Milliseconds left, rounded up: -1 forever, 0 when expired. */
int dbs_deadline_left(const struct dbs_deadline *d);

/*
 * poll() @fd for @events until it is ready (or reports an error or hang-up,
 * which the next call will see) or @d passes.  Signals restart the wait
 * with the time left.  Returns 0, -ETIMEDOUT or -errno.
 */
int dbs_wait_fd(int fd, short events, const struct dbs_deadline *d);

/*
 * Whether a socket in the LISTEN state is bound to the socket file
 * @path (whose stat is @st), without connecting to it: 1 yes, 0 no.
 * When the kernel's socket table cannot be read, the answer is 1: a live
 * server must never lose its path.
 */
struct stat;
int dbs_socket_is_listening(const char *path, const struct stat *st);

/* Parse /proc/net/unix text: 1 when a listening socket matches @path. */
int dbs_parse_proc_net_unix(FILE *f, const char *path);

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

/*
 * dmabuf_share_recv_fd() that also sets @received (payload bytes) when a
 * message arrived but was refused, so the caller can still read it.
 */
int dbs_recv_fd(int sock, void *data, size_t len, unsigned int flags,
		int timeout_ms, size_t *received, int *fd);

/* The peer's pid from SO_PEERCRED. */
int dbs_peer_pid(int sock, pid_t *pid);

/* Fill a desc from fdinfo and stat; the full (library-sized) struct. */
int dbs_describe_pid(pid_t pid, int fd, struct dmabuf_share_desc *desc);

/* Growable inventory building, used by the /proc and debugfs readers. */
struct dmabuf_share_buffer *dbs_inv_find(struct dmabuf_share_inventory *inv,
					 uint64_t inode);
struct dmabuf_share_buffer *dbs_inv_add(struct dmabuf_share_inventory *inv,
					uint64_t inode);
int dbs_buffer_add_holder(struct dmabuf_share_buffer *buf, pid_t pid, int fd);
int dbs_buffer_add_device(struct dmabuf_share_buffer *buf, const char *dev);

/* Done adding: sort buffers by inode and holders (fds, then mappings). */
void dbs_inv_finish(struct dmabuf_share_inventory *inv);

/* Parse debugfs bufinfo text into @inv; buffers are added or completed. */
int dbs_parse_bufinfo(FILE *f, struct dmabuf_share_inventory *inv);

/* Add every dma-buf fd and mapping of every process the caller may see. */
int dbs_scan_proc(struct dmabuf_share_inventory *inv);

/* 1 when @pid is a kernel thread (PF_KTHREAD in /proc/PID/stat). */
int dbs_is_kernel_thread(pid_t pid);

/* True for the link target or maps path of a dma-buf ("/dmabuf:NAME"). */
int dbs_is_dmabuf_path(const char *path);

#endif /* DMABUF_SHARE_PRIVATE_H */
