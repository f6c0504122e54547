/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's model of what it holds: buffers (fd, size, a shadow of the
 * first byte of every page) and mappings into them.  fuzz.c drives,
 * fuzz_ops.c holds one function per kind of call.  Every call checks its
 * result against what the ABI and the dma-buf core promise for exactly
 * those arguments.
 */
#ifndef DMABUF_EXPORTER_FUZZ_H
#define DMABUF_EXPORTER_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "lane.h"

#define FUZZ_BUFS 12
#define FUZZ_MAPS 48
#define FUZZ_MAX_PAGES 32

struct fuzz_buf {
	int used;
	int fd; /* -1 once closed; mappings and a vgem handle outlive it */
	size_t pages;
	int rdonly;
	uint32_t handle; /* vgem handle, 0 when not imported */
	int maps;
	unsigned char shadow[FUZZ_MAX_PAGES]; /* byte 0 of every page */
};

struct fuzz_map {
	int used;
	char *addr;
	size_t pages;
	size_t pgoff;
	int prot;
	int buf;
};

struct fuzz {
	struct lane_rng rng;
	struct fuzz_buf bufs[FUZZ_BUFS];
	struct fuzz_map maps[FUZZ_MAPS];
	struct dmabuf_exporter_info info;     /* limits, read once */
	struct dmabuf_exporter_alloc *ro_req; /* a page, read-only when used */
	int drm;			      /* vgem, or -1 */
	int in_child;			      /* forked: read only, no vgem */
	unsigned long calls, accesses, forks, kills;
};

/* Count one system call. */
#define FUZZ_CALL(fz, expr) ((fz)->calls++, (expr))

/* A random used buffer with an open fd (or any used one); -1 if none. */
int fuzz_pick_buf(struct fuzz *fz, int need_fd);
int fuzz_pick_map(struct fuzz *fz);
/* Drop buffer @b once nothing refers to it any more. */
void fuzz_put_buf(struct fuzz *fz, int b);
/* Record a new mapping; unmaps it when the table is full. */
void fuzz_add_map(struct fuzz *fz, char *addr, size_t pages, size_t pgoff,
		  int prot, int b);
void fuzz_del_map(struct fuzz *fz, int m);

/* Read or write one byte where a fault may raise a signal: 0 or the signal. */
int fuzz_read(const volatile char *p, char *out);
int fuzz_write(volatile char *p, char v);

/* The calls, each one step of the fuzzer. */
void fuzz_alloc_pool(struct fuzz *fz);
void fuzz_alloc_random(struct fuzz *fz);
void fuzz_info(struct fuzz *fz);
void fuzz_dev_ioctl_random(struct fuzz *fz);
void fuzz_mmap(struct fuzz *fz);
void fuzz_access(struct fuzz *fz);
void fuzz_munmap(struct fuzz *fz);
void fuzz_mremap(struct fuzz *fz);
void fuzz_mprotect(struct fuzz *fz);
void fuzz_madvise(struct fuzz *fz);
void fuzz_sync(struct fuzz *fz);
void fuzz_set_name(struct fuzz *fz);
void fuzz_buf_ioctl_random(struct fuzz *fz);
void fuzz_file_ops(struct fuzz *fz);
void fuzz_close(struct fuzz *fz);
void fuzz_vgem(struct fuzz *fz);
void fuzz_reopen_dev(struct fuzz *fz);

#endif
