// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-coherent allocations, the limits they are held to, and the usage
 * counters that INFO reports.
 *
 * A buffer is charged against total_limit before any memory is taken and
 * uncharged only after all of its memory is given back, so INFO never shows
 * less than is really held and a failed ALLOC leaves the counters as they
 * were.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <uapi/linux/dmabuf_exporter.h>

#include "exporter.h"

/* Allocator limits fixed at load time; read-only afterwards. */
static struct device *dmabuf_exporter_dma_dev;
static u64 dmabuf_exporter_max_size;
static u64 dmabuf_exporter_limit;

/* Protects the two usage counters below: ALLOC, INFO and release race. */
static DEFINE_SPINLOCK(dmabuf_exporter_usage_lock);
static u64 dmabuf_exporter_allocated;
static u32 dmabuf_exporter_live;

/* Largest block the buddy allocator hands out: a coherent buffer beyond
 * this needs CMA.
 */
static u64 dmabuf_exporter_buddy_max(void)
{
	return (u64)MAX_ORDER_NR_PAGES << PAGE_SHIFT;
}

static bool dmabuf_exporter_can_alloc(struct device *dev, u64 size)
{
	dma_addr_t dma_addr;
	void *vaddr;

	vaddr = dma_alloc_coherent(dev, size, &dma_addr,
				   GFP_KERNEL | __GFP_NOWARN);
	if (!vaddr)
		return false;
	dma_free_coherent(dev, size, vaddr, dma_addr);
	return true;
}

/*
 * The largest buffer the allocator can deliver on this kernel.  Without a
 * CMA area that is the buddy allocator's largest block.  With one,
 * dma_alloc_coherent() goes further, but the area's size is not exported to
 * modules, so ask the allocator: the largest power of two up to @cap that it
 * hands out right now.
 */
static u64 dmabuf_exporter_probe_max_size(struct device *dev, u64 cap)
{
	u64 buddy = dmabuf_exporter_buddy_max();
	u64 size;

	if (!IS_ENABLED(CONFIG_DMA_CMA) || cap <= buddy)
		return min(buddy, cap);
	for (size = rounddown_pow_of_two(cap); size > buddy; size >>= 1)
		if (dmabuf_exporter_can_alloc(dev, size))
			return size;
	return buddy;
}

static int dmabuf_exporter_set_limit(u64 *total_limit)
{
	u64 ram = (u64)totalram_pages() << PAGE_SHIFT;

	if (!*total_limit)
		*total_limit = PAGE_ALIGN_DOWN(ram / 4);
	if (*total_limit > ram || !PAGE_ALIGNED(*total_limit)) {
		pr_err("total_limit=%llu must be page aligned and at most RAM (%llu bytes)\n",
		       *total_limit, ram);
		return -EINVAL;
	}
	return 0;
}

static int dmabuf_exporter_set_max_size(struct device *dev, u64 *max_size,
					u64 total_limit)
{
	if (!*max_size) {
		*max_size = dmabuf_exporter_probe_max_size(dev, total_limit);
		return 0;
	}
	if (!PAGE_ALIGNED(*max_size) || *max_size > total_limit ||
	    (*max_size > dmabuf_exporter_buddy_max() &&
	     !dmabuf_exporter_can_alloc(dev, *max_size))) {
		pr_err("max_buffer_size=%llu must be page aligned, at most total_limit (%llu) and deliverable by the allocator (no CMA: at most %llu)\n",
		       *max_size, total_limit, dmabuf_exporter_buddy_max());
		return -EINVAL;
	}
	return 0;
}

/**
 * dmabuf_exporter_buffers_init - fix the limits for this module's lifetime
 * @dev: the device every buffer is allocated for
 * @max_buffer_size: in: the module parameter, 0 for automatic; out: the limit
 * @total_limit: in: the module parameter, 0 for automatic; out: the limit
 *
 * Return: 0, or -EINVAL when a parameter asks for what cannot be delivered.
 */
int dmabuf_exporter_buffers_init(struct device *dev, u64 *max_buffer_size,
				 u64 *total_limit)
{
	int ret;

	ret = dmabuf_exporter_set_limit(total_limit);
	if (ret)
		return ret;
	ret = dmabuf_exporter_set_max_size(dev, max_buffer_size, *total_limit);
	if (ret)
		return ret;
	dmabuf_exporter_dma_dev = dev;
	dmabuf_exporter_max_size = *max_buffer_size;
	dmabuf_exporter_limit = *total_limit;
	return 0;
}

/* -E2BIG when @size (before rounding) exceeds max_buffer_size. */
int dmabuf_exporter_check_size(u64 size)
{
	return size > dmabuf_exporter_max_size ? -E2BIG : 0;
}

static int dmabuf_exporter_charge(u64 size)
{
	int ret = 0;

	spin_lock(&dmabuf_exporter_usage_lock);
	if (size > dmabuf_exporter_limit - dmabuf_exporter_allocated) {
		ret = -EDQUOT;
	} else {
		dmabuf_exporter_allocated += size;
		dmabuf_exporter_live++;
	}
	spin_unlock(&dmabuf_exporter_usage_lock);
	return ret;
}

static void dmabuf_exporter_uncharge(u64 size)
{
	spin_lock(&dmabuf_exporter_usage_lock);
	dmabuf_exporter_allocated -= size;
	dmabuf_exporter_live--;
	spin_unlock(&dmabuf_exporter_usage_lock);
}

static void dmabuf_exporter_buffer_init(struct dmabuf_exporter_buffer *buf,
					u64 flags)
{
	buf->pagecount = buf->size >> PAGE_SHIFT;
	buf->fault_per_page = flags & DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE;
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
}

/* A new zeroed coherent buffer of @size bytes with its page table. */
static struct dmabuf_exporter_buffer *dmabuf_exporter_buffer_create(u64 size)
{
	struct dmabuf_exporter_buffer *buf;
	struct device *dev = dmabuf_exporter_dma_dev;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->dev = dev;
	buf->size = size;
	/* dma_alloc_coherent() zeroes: no buffer shows an earlier one's data. */
	buf->vaddr = dma_alloc_coherent(dev, size, &buf->dma_addr,
					GFP_KERNEL | __GFP_NOWARN);
	if (!buf->vaddr) {
		ret = -ENOMEM;
		goto err_free_buf;
	}
	ret = dma_get_sgtable(dev, &buf->pages, buf->vaddr, buf->dma_addr,
			      size);
	if (ret)
		goto err_free_coherent;
	return buf;

err_free_coherent:
	dma_free_coherent(dev, size, buf->vaddr, buf->dma_addr);
err_free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

/* Give a buffer's memory back to the allocator; it is charged to no one. */
static void dmabuf_exporter_buffer_destroy(struct dmabuf_exporter_buffer *buf)
{
	sg_free_table(&buf->pages);
	dma_free_coherent(buf->dev, buf->size, buf->vaddr, buf->dma_addr);
	kfree(buf);
}

/* Destroy the buffers the cache handed back, linked by cache_lru. */
static void dmabuf_exporter_destroy_list(struct list_head *list)
{
	struct dmabuf_exporter_buffer *buf, *next;

	list_for_each_entry_safe(buf, next, list, cache_lru)
		dmabuf_exporter_buffer_destroy(buf);
}

/* Give every cached buffer back; true when there was any. */
static bool dmabuf_exporter_cache_flush(void)
{
	LIST_HEAD(cached);

	dmabuf_exporter_cache_drain(&cached);
	if (list_empty(&cached))
		return false;
	dmabuf_exporter_destroy_list(&cached);
	return true;
}

/**
 * dmabuf_exporter_buffer_alloc - charge and allocate a zeroed coherent buffer
 * @size: bytes, at most max_buffer_size; rounded up to PAGE_SIZE here
 * @flags: DMABUF_EXPORTER_ALLOC_* bits, already validated
 *
 * A released buffer of the same size is reused when the cache has one.
 * When the allocator fails, the cache is emptied and the allocation tried
 * once more, so the cache never turns a possible allocation into ENOMEM.
 *
 * Return: the buffer, or ERR_PTR(-EDQUOT) over total_limit, ERR_PTR(-ENOMEM)
 * when the allocator fails.  On error nothing stays charged.
 */
struct dmabuf_exporter_buffer *dmabuf_exporter_buffer_alloc(u64 size, u64 flags)
{
	struct dmabuf_exporter_buffer *buf;
	int ret;

	size = PAGE_ALIGN(size);
	ret = dmabuf_exporter_charge(size);
	if (ret)
		return ERR_PTR(ret);
	buf = dmabuf_exporter_cache_get(size);
	if (!buf)
		buf = dmabuf_exporter_buffer_create(size);
	if (IS_ERR(buf) && dmabuf_exporter_cache_flush())
		buf = dmabuf_exporter_buffer_create(size);
	if (IS_ERR(buf)) {
		dmabuf_exporter_uncharge(size);
		return buf;
	}
	dmabuf_exporter_buffer_init(buf, flags);
	return buf;
}

/**
 * dmabuf_exporter_buffer_free - release a buffer and uncharge it
 * @buf: a buffer with no attachments and no mappings left
 *
 * The buffer goes into the cache when it fits, else back to the allocator,
 * along with any older buffers the cache pushes out to make room.
 */
void dmabuf_exporter_buffer_free(struct dmabuf_exporter_buffer *buf)
{
	u64 size = buf->size;
	LIST_HEAD(evicted);

	WARN_ON(!list_empty(&buf->attachments));
	mutex_destroy(&buf->lock);
	if (!dmabuf_exporter_cache_put(buf, &evicted))
		dmabuf_exporter_buffer_destroy(buf);
	dmabuf_exporter_destroy_list(&evicted);
	dmabuf_exporter_uncharge(size);
}

/**
 * dmabuf_exporter_buffers_exit - free the cached buffers at module unload
 *
 * Every live buffer pins the module, so by now the cache holds all there is.
 */
void dmabuf_exporter_buffers_exit(void)
{
	dmabuf_exporter_cache_flush();
}

/**
 * dmabuf_exporter_get_info - fill the INFO reply
 * @info: zeroed by the caller
 */
void dmabuf_exporter_get_info(struct dmabuf_exporter_info *info)
{
	info->max_buffer_size = dmabuf_exporter_max_size;
	info->total_limit = dmabuf_exporter_limit;
	info->page_size = PAGE_SIZE;
	spin_lock(&dmabuf_exporter_usage_lock);
	info->total_allocated = dmabuf_exporter_allocated;
	info->live_buffers = dmabuf_exporter_live;
	spin_unlock(&dmabuf_exporter_usage_lock);
}
