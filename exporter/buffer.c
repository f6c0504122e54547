// SPDX-License-Identifier: GPL-2.0
/*
 * A buffer's life as the ABI sees it: the limits it is held to, the quota
 * it is charged against, and the usage counters that INFO reports.  The
 * memory itself comes from the reuse cache (cache.c), which goes to the
 * allocator (coherent.c) when it has none to give.
 *
 * A buffer is charged what the allocator really takes for it (its
 * footprint, see coherent.c), before any memory is taken, and uncharged
 * only after its memory has gone to the cache or back to the allocator, so
 * INFO never shows less than is really held and a failed ALLOC leaves the
 * counters as they were.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/limits.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <uapi/linux/dmabuf_exporter.h>

#include "exporter.h"

/*
 * Scatterlist lengths are unsigned int: a buffer of 4 GiB or more would
 * not fit one entry of the page table, nor the importers' segments.
 */
#define DMABUF_EXPORTER_SIZE_CAP ((u64)PAGE_ALIGN_DOWN(UINT_MAX))

/* Limits fixed at load time; read-only afterwards. */
static u64 dmabuf_exporter_max_size;
static u64 dmabuf_exporter_limit;

/* Protects the two usage counters below: ALLOC, INFO and release race. */
static DEFINE_SPINLOCK(dmabuf_exporter_usage_lock);
static u64 dmabuf_exporter_allocated;
static u32 dmabuf_exporter_live;
/* Protected by the same lock: the part charged to no memory cgroup. */
static u64 dmabuf_exporter_uncharged;
static u32 dmabuf_exporter_uncharged_live;

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

static int dmabuf_exporter_set_max_size(u64 *max_size, u64 total_limit)
{
	u64 cap = min(total_limit, DMABUF_EXPORTER_SIZE_CAP);

	if (!*max_size) {
		*max_size = dmabuf_exporter_coherent_max(cap);
		return 0;
	}
	if (!PAGE_ALIGNED(*max_size) || *max_size > cap ||
	    dmabuf_exporter_footprint(*max_size) > total_limit ||
	    (*max_size > dmabuf_exporter_buddy_max() &&
	     !dmabuf_exporter_coherent_can_alloc(*max_size))) {
		pr_err("max_buffer_size=%llu must be page aligned, below 4 GiB, take at most total_limit (%llu) and be deliverable by the allocator (no CMA: at most %zu)\n",
		       *max_size, total_limit, dmabuf_exporter_buddy_max());
		return -EINVAL;
	}
	return 0;
}

/**
 * dmabuf_exporter_buffers_init - fix the limits for this module's lifetime
 * @max_buffer_size: in: the module parameter, 0 for automatic; out: the limit
 * @total_limit: in: the module parameter, 0 for automatic; out: the limit
 *
 * Call after dmabuf_exporter_coherent_init(): the defaults ask the
 * allocator.
 *
 * Return: 0, or -EINVAL when a parameter asks for what cannot be delivered.
 */
int dmabuf_exporter_buffers_init(u64 *max_buffer_size, u64 *total_limit)
{
	int ret;

	ret = dmabuf_exporter_set_limit(total_limit);
	if (ret)
		return ret;
	ret = dmabuf_exporter_set_max_size(max_buffer_size, *total_limit);
	if (ret)
		return ret;
	dmabuf_exporter_max_size = *max_buffer_size;
	dmabuf_exporter_limit = *total_limit;
	return 0;
}

/* -E2BIG when @size (before rounding) exceeds max_buffer_size. */
int dmabuf_exporter_check_size(u64 size)
{
	return size > dmabuf_exporter_max_size ? -E2BIG : 0;
}

static int dmabuf_exporter_charge(u64 bytes)
{
	int ret = 0;

	spin_lock(&dmabuf_exporter_usage_lock);
	if (bytes > dmabuf_exporter_limit - dmabuf_exporter_allocated) {
		ret = -EDQUOT;
	} else {
		dmabuf_exporter_allocated += bytes;
		dmabuf_exporter_live++;
	}
	spin_unlock(&dmabuf_exporter_usage_lock);
	return ret;
}

static void dmabuf_exporter_uncharge(u64 bytes)
{
	spin_lock(&dmabuf_exporter_usage_lock);
	dmabuf_exporter_allocated -= bytes;
	dmabuf_exporter_live--;
	spin_unlock(&dmabuf_exporter_usage_lock);
}

/* Count @buf among the memory charged to no cgroup, if it is; @sign +-1. */
static void dmabuf_exporter_count_uncharged(struct dmabuf_exporter_buffer *buf,
					    int sign)
{
	if (buf->charged)
		return;
	spin_lock(&dmabuf_exporter_usage_lock);
	dmabuf_exporter_uncharged += sign * (s64)buf->alloc_size;
	dmabuf_exporter_uncharged_live += sign;
	spin_unlock(&dmabuf_exporter_usage_lock);
}

static void dmabuf_exporter_buffer_init(struct dmabuf_exporter_buffer *buf,
					u64 flags)
{
	buf->fault_per_page = flags & DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE;
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
}

/**
 * dmabuf_exporter_buffer_alloc - charge and allocate a zeroed buffer
 * @size: bytes, at most max_buffer_size; rounded up to PAGE_SIZE here
 * @flags: DMABUF_EXPORTER_ALLOC_* bits, already validated
 *
 * Return: the buffer, or ERR_PTR(-EDQUOT) when its footprint would pass
 * total_limit, ERR_PTR(-ENOMEM) when the allocator fails or the caller's
 * memory cgroup would pass its memory.max, ERR_PTR(-EINTR)
 * when the caller was killed while waiting for a cached buffer.  On error
 * nothing stays charged.
 */
struct dmabuf_exporter_buffer *dmabuf_exporter_buffer_alloc(u64 size, u64 flags)
{
	struct dmabuf_exporter_buffer *buf;
	u64 footprint;
	int ret;

	size = PAGE_ALIGN(size);
	footprint = dmabuf_exporter_footprint(size);
	ret = dmabuf_exporter_charge(footprint);
	if (ret)
		return ERR_PTR(ret);
	/* Charged to the caller's memory cgroup, for the buffer's life. */
	buf = dmabuf_exporter_cache_alloc(size, dmabuf_exporter_memcg_get());
	if (IS_ERR(buf)) {
		dmabuf_exporter_uncharge(footprint);
		return buf;
	}
	dmabuf_exporter_buffer_init(buf, flags);
	dmabuf_exporter_count_uncharged(buf, 1);
	return buf;
}

/**
 * dmabuf_exporter_buffer_free - release a buffer and uncharge it
 * @buf: a buffer with no attachments and no mappings left
 *
 * The memory goes to the cache, which keeps it or gives it back.
 */
void dmabuf_exporter_buffer_free(struct dmabuf_exporter_buffer *buf)
{
	u64 footprint = buf->alloc_size;

	/*
	 * An importer still attached may still have its device writing into
	 * the memory: leak it, charged, rather than hand it to the next
	 * owner.  INFO keeps showing it, which is the truth.
	 */
	if (WARN_ON(!list_empty(&buf->attachments)))
		return;
	mutex_destroy(&buf->lock);
	dmabuf_exporter_count_uncharged(buf, -1);
	dmabuf_exporter_cache_free(buf);
	dmabuf_exporter_uncharge(footprint);
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

/**
 * dmabuf_exporter_buffer_describe - fill the BUF_INFO reply for one buffer
 * @buf: a live buffer
 * @info: zeroed by the caller, @fd already set
 */
void dmabuf_exporter_buffer_describe(const struct dmabuf_exporter_buffer *buf,
				     struct dmabuf_exporter_buf_info *info)
{
	info->size = buf->size;
	info->footprint = buf->alloc_size;
	if (dmabuf_exporter_memcg_describe(buf, &info->cgroup_id))
		info->flags |= DMABUF_EXPORTER_BUF_CHARGED;
}

/**
 * dmabuf_exporter_get_memcg_info - fill the MEMCG_INFO reply
 * @info: zeroed by the caller
 */
void dmabuf_exporter_get_memcg_info(struct dmabuf_exporter_memcg_info *info)
{
	spin_lock(&dmabuf_exporter_usage_lock);
	info->uncharged_bytes = dmabuf_exporter_uncharged;
	info->uncharged_buffers = dmabuf_exporter_uncharged_live;
	spin_unlock(&dmabuf_exporter_usage_lock);
	dmabuf_exporter_cache_memcg_info(info);
}
