/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dmabuf_exporter userspace API
 *
 * /dev/dmabuf_exporter hands out DMA-coherent memory as dma-buf file
 * descriptors.  The returned fd is an ordinary dma-buf: mmap() it with
 * MAP_SHARED, bracket CPU access with DMA_BUF_IOCTL_SYNC, name it with
 * DMA_BUF_SET_NAME, import it into any device driver that accepts dma-bufs.
 *
 * Rules shared by every ioctl here (see botching-up-ioctls.rst):
 * - only __u32/__u64 fields, every struct a multiple of 8 bytes;
 * - unknown flag bits and non-zero reserved fields are rejected (EINVAL);
 * - the interface grows by new ioctl numbers, never by a version field.
 */
#ifndef _UAPI_LINUX_DMABUF_EXPORTER_H
#define _UAPI_LINUX_DMABUF_EXPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * DOC: allocation flags
 *
 * DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE: install one page per page fault
 * instead of the whole mapping on its first fault.  The default (whole
 * mapping at once) takes one fault per mapping; this flag exists to compare
 * the two and to debug importers that depend on fault order.
 */
#define DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE (1ULL << 0)

/* Every flag bit the kernel accepts; any other bit set is EINVAL. */
#define DMABUF_EXPORTER_ALLOC_VALID_FLAGS (DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE)

/*
 * Valid @fd_flags: O_CLOEXEC, plus the access mode O_RDWR or O_RDONLY
 * (O_WRONLY is refused: a mapping can never be write-only).
 */
#define DMABUF_EXPORTER_VALID_FD_FLAGS (O_CLOEXEC | O_ACCMODE)

/**
 * struct dmabuf_exporter_alloc - DMABUF_EXPORTER_IOCTL_ALLOC argument
 * @size:	in: bytes wanted, greater than 0; rounded up to a multiple of
 *		the page size.  out: bytes allocated (the rounded size), which is
 *		also what lseek(fd, 0, SEEK_END) reports.
 * @fd:		out: the new dma-buf file descriptor.  Must be 0 on input.
 * @fd_flags:	in: O_CLOEXEC and an access mode, O_RDWR or O_RDONLY.  The
 *		access mode becomes the dma-buf file's mode: an O_RDONLY buffer
 *		refuses writable mappings, also those an importer's driver
 *		forwards to dma_buf_mmap().  It does not restrict what an
 *		importer's device writes by DMA.  Nothing else is accepted.
 * @flags:	in: DMABUF_EXPORTER_ALLOC_* bits within
 *		DMABUF_EXPORTER_ALLOC_VALID_FLAGS.
 * @reserved:	must be 0.
 *
 * Errors: EINVAL for any field outside these rules, E2BIG when @size is
 * above the max_buffer_size limit, EDQUOT when the footprints of all live
 * buffers together would pass the total_limit (see struct
 * dmabuf_exporter_info), ENOMEM when the allocator fails or when the
 * buffer would take the caller's memory cgroup past its memory.max (the
 * memory is charged to it: see struct dmabuf_exporter_buf_info; the
 * cgroup's OOM killer is not invoked for it), EMFILE when the caller has
 * no free fd slot, EFAULT for a bad argument pointer.  A failed call
 * allocates nothing and installs no fd.
 */
struct dmabuf_exporter_alloc {
	__u64 size;
	__u32 fd;
	__u32 fd_flags;
	__u64 flags;
	__u64 reserved;
};

/**
 * struct dmabuf_exporter_info - DMABUF_EXPORTER_IOCTL_INFO result
 * @max_buffer_size:	largest single buffer accepted, in bytes.
 * @total_limit:	cap on @total_allocated.
 * @total_allocated:	bytes of memory held by live buffers now: for each
 *			buffer its footprint, what the allocator really took
 *			for it.  The DMA allocator takes whole power-of-two
 *			blocks up to its largest (4 MiB on x86-64), so a
 *			buffer of 2 MiB + 4 KiB counts 4 MiB; above that (CMA
 *			only) the size rounded up to pages.  Free memory drops
 *			by this much, plus a little bookkeeping.
 * @live_buffers:	buffers allocated and not yet released (a buffer is
 *			released when its last fd, mapping and importer go).
 * @page_size:		the kernel's page size; sizes round up to it.
 */
struct dmabuf_exporter_info {
	__u64 max_buffer_size;
	__u64 total_limit;
	__u64 total_allocated;
	__u32 live_buffers;
	__u32 page_size;
};

/**
 * struct dmabuf_exporter_cache_info - DMABUF_EXPORTER_IOCTL_CACHE_INFO result
 * @cache_size:		bytes of released buffers the module may keep for reuse
 *			(the cache_size parameter, at most total_limit); 0
 *			when the cache is off.
 * @cached_bytes:	bytes kept now, footprints as in struct
 *			dmabuf_exporter_info.  The kernel reclaims them under
 *			memory pressure, and after cache_idle_ms unused.
 *			Cached buffers are not in @total_allocated or
 *			@live_buffers of struct dmabuf_exporter_info, so the
 *			module holds at most total_limit + @cache_size bytes;
 *			their memory stays charged to the memory cgroup that
 *			allocated it, and only an allocation from that cgroup
 *			reuses them.
 * @dirty_bytes:	part of @cached_bytes not zeroed yet.  A worker zeroes
 *			released buffers in the background; an allocation
 *			that gets one first zeroes it itself.
 * @cached_buffers:	buffers kept now.
 * @reserved:		0.
 * @hits:		allocations served from the cache since the module
 *			loaded; their memory is zeroed before reuse.
 * @misses:		allocations that found no cached buffer of their size.
 */
struct dmabuf_exporter_cache_info {
	__u64 cache_size;
	__u64 cached_bytes;
	__u64 dirty_bytes;
	__u32 cached_buffers;
	__u32 reserved;
	__u64 hits;
	__u64 misses;
};

/*
 * DMABUF_EXPORTER_BUF_CHARGED: the buffer's memory is charged to the memory
 * cgroup @cgroup_id of struct dmabuf_exporter_buf_info.
 */
#define DMABUF_EXPORTER_BUF_CHARGED (1U << 0)

/**
 * struct dmabuf_exporter_buf_info - DMABUF_EXPORTER_IOCTL_BUF_INFO argument
 * @fd:		in: a dma-buf file descriptor this module exported.
 * @flags:	out: DMABUF_EXPORTER_BUF_* bits.  Must be 0 on input.
 * @size:	out: bytes the buffer shows.  Must be 0 on input.
 * @footprint:	out: bytes the allocator took for it, as counted in struct
 *		dmabuf_exporter_info.  Must be 0 on input.
 * @cgroup_id:	out: with DMABUF_EXPORTER_BUF_CHARGED, the cgroup v2 id of
 *		the memory cgroup the memory is charged to: the inode number
 *		of its directory under the cgroup2 mount (name_to_handle_at()
 *		gives the same number).  That is the cgroup of the process that
 *		allocated the buffer, whoever holds it now, or that cgroup's
 *		parent once it was removed.  Without the flag the memory is
 *		charged to nobody: the allocating process was in the root
 *		cgroup, or the memory came from a CMA area (which the kernel
 *		does not charge), and @cgroup_id is the allocating process's
 *		memory cgroup, 0 when the kernel has no memory controller.
 *		Must be 0 on input.
 * @reserved:	must be 0.
 *
 * Errors: EINVAL for a non-zero output or reserved field, EBADF when @fd is
 * not an open file, EINVAL when it is not a dma-buf, ENODEV when it is
 * another exporter's dma-buf, EFAULT for a bad argument pointer.
 */
struct dmabuf_exporter_buf_info {
	__u32 fd;
	__u32 flags;
	__u64 size;
	__u64 footprint;
	__u64 cgroup_id;
	__u64 reserved;
};

/**
 * struct dmabuf_exporter_memcg_info - DMABUF_EXPORTER_IOCTL_MEMCG_INFO result
 * @uncharged_bytes:	footprints of the live buffers (those in
 *			total_allocated of struct dmabuf_exporter_info) whose
 *			memory is charged to no memory cgroup: allocated from
 *			the root cgroup, or taken from a CMA area, which the
 *			kernel never charges.  The rest is charged to the
 *			cgroup of the process that allocated it.
 * @cached_uncharged_bytes: the same for the buffers the reuse cache keeps
 *			(cached_bytes of struct dmabuf_exporter_cache_info).
 * @uncharged_buffers:	live buffers counted in @uncharged_bytes.
 * @cached_uncharged_buffers: cached buffers counted in
 *			@cached_uncharged_bytes.
 * @reserved:		0.
 */
struct dmabuf_exporter_memcg_info {
	__u64 uncharged_bytes;
	__u64 cached_uncharged_bytes;
	__u32 uncharged_buffers;
	__u32 cached_uncharged_buffers;
	__u64 reserved[2];
};

/* 0xDE: free in Documentation/userspace-api/ioctl/ioctl-number.rst (6.1). */
#define DMABUF_EXPORTER_IOC_MAGIC 0xDE

/**
 * DOC: DMABUF_EXPORTER_IOCTL_ALLOC - allocate a buffer and return its fd
 *
 * Takes a struct dmabuf_exporter_alloc and returns it with @fd and @size
 * filled in.
 */
#define DMABUF_EXPORTER_IOCTL_ALLOC \
	_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x0, struct dmabuf_exporter_alloc)

/**
 * DOC: DMABUF_EXPORTER_IOCTL_INFO - read the limits and live usage
 */
#define DMABUF_EXPORTER_IOCTL_INFO \
	_IOR(DMABUF_EXPORTER_IOC_MAGIC, 0x1, struct dmabuf_exporter_info)

/**
 * DOC: DMABUF_EXPORTER_IOCTL_CACHE_INFO - read the reuse cache's state
 */
#define DMABUF_EXPORTER_IOCTL_CACHE_INFO \
	_IOR(DMABUF_EXPORTER_IOC_MAGIC, 0x2, struct dmabuf_exporter_cache_info)

/**
 * DOC: DMABUF_EXPORTER_IOCTL_BUF_INFO - describe one buffer given its fd
 *
 * Takes a struct dmabuf_exporter_buf_info with @fd set and returns it
 * filled in: which memory cgroup the buffer is charged to.
 */
#define DMABUF_EXPORTER_IOCTL_BUF_INFO \
	_IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x3, struct dmabuf_exporter_buf_info)

/**
 * DOC: DMABUF_EXPORTER_IOCTL_MEMCG_INFO - what memory is charged to nobody
 */
#define DMABUF_EXPORTER_IOCTL_MEMCG_INFO \
	_IOR(DMABUF_EXPORTER_IOC_MAGIC, 0x4, struct dmabuf_exporter_memcg_info)

#endif /* _UAPI_LINUX_DMABUF_EXPORTER_H */
