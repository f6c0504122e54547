/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of dmabuf_exporter.ko.
 *
 * Data flows one way: ioctl.c validates a request and asks dmabuf.c to
 * export a buffer that buffer.c charged to the quota and took from the
 * reuse cache (cache.c), which takes it from the allocator (coherent.c)
 * when it has none; mmap.c serves the mappings of the exported dma-buf.
 * main.c only wires these up at load time.
 */
#ifndef _DMABUF_EXPORTER_H
#define _DMABUF_EXPORTER_H

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct dmabuf_exporter_buf_info;
struct dmabuf_exporter_cache_info;
struct dmabuf_exporter_info;
struct dmabuf_exporter_memcg_info;
struct dmabuf_exporter_cache_entry;
struct kmem_cache;
struct list_lru;
struct mem_cgroup;

/**
 * struct dmabuf_exporter_buffer - one DMA-coherent allocation
 *
 * Each layer owns its own fields; data flows buffer.c -> cache.c ->
 * coherent.c and never back.
 *
 * The memory (coherent.c fills it; it stays the same while cache.c keeps
 * the buffer for reuse):
 * @dev:		the device the memory was allocated for
 * @vaddr:		kernel address of the memory, from dma_alloc_coherent()
 * @dma_addr:		its address for @dev
 * @size:		bytes the dma-buf shows, a multiple of PAGE_SIZE
 * @alloc_size:		bytes the allocator took for it (see
 *			dmabuf_exporter_footprint()); what is charged and cached
 * @pagecount:		@size in pages; the bound every page offset is checked
 *			against
 * @pages:		the CPU pages of the first @size bytes, from
 *			dma_get_sgtable(); the fault handler takes PFNs from it
 *			and every attachment copies it.  Never DMA-mapped itself.
 * @memcg:		the memory cgroup of the process that allocated it, the
 *			one the memory is charged to (memcg.c), referenced
 *			until the memory goes back; NULL without memcg
 * @charged:		whether the memory is charged to a memcg (not so for
 *			the root cgroup and for CMA); fixed at allocation
 *
 * The reuse cache (cache.c, only while the buffer is cached):
 * @cache_node:		entry in the cache's by-size table
 * @cache_lru:		entry in the cache's age list, and in lists of buffers
 *			the cache gives back to the allocator
 * @cache_dirty:	entry in the cache's list of buffers not zeroed yet
 * @cache_since:	jiffies when the buffer went into the cache
 * @cache_entry:	its place on the per-memcg lists of the cache's shrinker
 *
 * The buffer (buffer.c and dmabuf.c, while a dma-buf owns it):
 * @fault_per_page:	install one page per fault instead of the whole VMA
 * @lock:		protects @attachments and each attachment's mapping
 * @attachments:	struct dmabuf_exporter_attachment, one per importer
 */
struct dmabuf_exporter_buffer {
	struct device *dev;
	void *vaddr;
	dma_addr_t dma_addr;
	size_t size;
	size_t alloc_size;
	pgoff_t pagecount;
	struct sg_table pages;
	struct mem_cgroup *memcg;
	bool charged;
	struct hlist_node cache_node;
	struct list_head cache_lru;
	struct list_head cache_dirty;
	unsigned long cache_since;
	struct dmabuf_exporter_cache_entry *cache_entry;
	bool fault_per_page;
	struct mutex lock; /* protects attachments and their mapped state */
	struct list_head attachments;
};

/* coherent.c: the DMA allocator, and what it really takes */
int dmabuf_exporter_coherent_init(struct device *dev);
size_t dmabuf_exporter_buddy_max(void);
size_t dmabuf_exporter_footprint(size_t size);
u64 dmabuf_exporter_coherent_max(u64 cap);
bool dmabuf_exporter_coherent_can_alloc(size_t size);
struct dmabuf_exporter_buffer *
dmabuf_exporter_coherent_alloc(size_t size, struct mem_cgroup *memcg);
void dmabuf_exporter_coherent_free(struct dmabuf_exporter_buffer *buf);

/* memcg.c: whose memory a buffer is */
struct mem_cgroup *dmabuf_exporter_memcg_get(void);
void dmabuf_exporter_memcg_put(struct mem_cgroup *memcg);
void *dmabuf_exporter_memcg_alloc(struct device *dev, size_t size,
				  dma_addr_t *dma_addr,
				  struct mem_cgroup *memcg);
void *dmabuf_exporter_memcg_alloc_lru(struct kmem_cache *s,
				      struct list_lru *lru,
				      struct mem_cgroup *memcg);
bool dmabuf_exporter_memcg_charged(const struct dmabuf_exporter_buffer *buf);
bool dmabuf_exporter_memcg_describe(const struct dmabuf_exporter_buffer *buf,
				    u64 *id);

/* cache.c: a reclaimable cache of released buffers in front of coherent.c */
int dmabuf_exporter_cache_init(long *cache_size, unsigned int idle_ms,
			       u64 total_limit);
void dmabuf_exporter_cache_exit(void);
struct dmabuf_exporter_buffer *
dmabuf_exporter_cache_alloc(size_t size, struct mem_cgroup *memcg);
void dmabuf_exporter_cache_free(struct dmabuf_exporter_buffer *buf);
void dmabuf_exporter_cache_get_info(struct dmabuf_exporter_cache_info *info);
void dmabuf_exporter_cache_memcg_info(struct dmabuf_exporter_memcg_info *info);

/* buffer.c: limits, the quota, and a buffer's life */
int dmabuf_exporter_buffers_init(u64 *max_buffer_size, u64 *total_limit);
int dmabuf_exporter_check_size(u64 size);
struct dmabuf_exporter_buffer *dmabuf_exporter_buffer_alloc(u64 size,
							    u64 flags);
void dmabuf_exporter_buffer_free(struct dmabuf_exporter_buffer *buf);
void dmabuf_exporter_get_info(struct dmabuf_exporter_info *info);
void dmabuf_exporter_get_memcg_info(struct dmabuf_exporter_memcg_info *info);
void dmabuf_exporter_buffer_describe(const struct dmabuf_exporter_buffer *buf,
				     struct dmabuf_exporter_buf_info *info);

/* dmabuf.c: the dma-buf around a buffer */
struct dma_buf *dmabuf_exporter_export(u64 size, u64 flags, u32 accmode);
struct dmabuf_exporter_buffer *
dmabuf_exporter_buffer_of(struct dma_buf *dmabuf);

/* mmap.c: userspace mappings and the fault handler */
int dmabuf_exporter_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma);

/* ioctl.c: the ABI */
long dmabuf_exporter_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg);

#endif /* _DMABUF_EXPORTER_H */
