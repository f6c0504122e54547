/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of dmabuf_exporter.ko.
 *
 * Data flows one way: ioctl.c validates a request and asks dmabuf.c to
 * export a buffer that buffer.c allocated; mmap.c serves the mappings of
 * the exported dma-buf.  main.c only wires these up at load time.
 */
#ifndef _DMABUF_EXPORTER_H
#define _DMABUF_EXPORTER_H

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct dmabuf_exporter_cache_info;
struct dmabuf_exporter_info;

/**
 * struct dmabuf_exporter_buffer - one DMA-coherent allocation
 * @dev:		the device the memory was allocated for
 * @vaddr:		kernel address of the memory, from dma_alloc_coherent()
 * @dma_addr:		its address for @dev
 * @size:		bytes, a multiple of PAGE_SIZE
 * @pagecount:		@size in pages; the bound every page offset is checked
 *			against
 * @pages:		the CPU pages behind @vaddr, from dma_get_sgtable(); the
 *			fault handler takes PFNs from it and every attachment
 *			copies it.  Never DMA-mapped itself.
 * @fault_per_page:	install one page per fault instead of the whole VMA
 * @lock:		protects @attachments and each attachment's mapping
 * @attachments:	struct dmabuf_exporter_attachment, one per importer
 * @cache_node:		entry in the cache's by-size table while cached
 * @cache_lru:		entry in the cache's age list while cached, and in
 *			lists of buffers the cache hands back to be freed
 * @cache_dirty:	entry in the cache's list of buffers not zeroed yet
 */
struct dmabuf_exporter_buffer {
	struct device *dev;
	void *vaddr;
	dma_addr_t dma_addr;
	size_t size;
	pgoff_t pagecount;
	struct sg_table pages;
	bool fault_per_page;
	struct mutex lock; /* protects attachments and their mapped state */
	struct list_head attachments;
	struct hlist_node cache_node;
	struct list_head cache_lru;
	struct list_head cache_dirty;
};

/* buffer.c: allocation, limits and accounting */
int dmabuf_exporter_buffers_init(struct device *dev, u64 *max_buffer_size,
				 u64 *total_limit);
int dmabuf_exporter_check_size(u64 size);
struct dmabuf_exporter_buffer *dmabuf_exporter_buffer_alloc(u64 size,
							    u64 flags);
void dmabuf_exporter_buffer_free(struct dmabuf_exporter_buffer *buf);
void dmabuf_exporter_buffers_exit(void);
void dmabuf_exporter_get_info(struct dmabuf_exporter_info *info);

/* cache.c: released buffers kept for reuse, zeroed before reuse */
int dmabuf_exporter_cache_init(long *cache_size, u64 total_limit);
struct dmabuf_exporter_buffer *dmabuf_exporter_cache_get(size_t size);
bool dmabuf_exporter_cache_put(struct dmabuf_exporter_buffer *buf,
			       struct list_head *evicted);
void dmabuf_exporter_cache_drain(struct list_head *out);
void dmabuf_exporter_cache_get_info(struct dmabuf_exporter_cache_info *info);

/* dmabuf.c: the dma-buf around a buffer */
struct dma_buf *dmabuf_exporter_export(u64 size, u64 flags, u32 accmode);

/* mmap.c: userspace mappings and the fault handler */
int dmabuf_exporter_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma);

/* ioctl.c: the ABI */
long dmabuf_exporter_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg);

#endif /* _DMABUF_EXPORTER_H */
