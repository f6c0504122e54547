// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded cache of released buffers, for reuse by the next ALLOC of the
 * same size.
 *
 * With a CMA area, dma_alloc_coherent() of more than one page is a CMA
 * allocation, whose cost (isolating and migrating a range) dominates small
 * buffers; without one, it is still a high-order buddy allocation plus an
 * sg_table.  A buffer that goes back into the cache keeps its memory and
 * its sg_table, and is zeroed when it is handed out again, so no buffer
 * ever shows an earlier one's data.
 *
 * The cache only holds buffers; buffer.c allocates and frees them.  A
 * cached buffer is not allocated to anyone: it is uncharged from
 * total_limit and INFO like a freed one, and counted in CACHE_INFO instead.
 * The module therefore holds at most total_limit + cache_size bytes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <uapi/linux/dmabuf_exporter.h>

#include "exporter.h"

/* Protects everything below; the cache_size bound is fixed at load. */
static DEFINE_MUTEX(dmabuf_exporter_cache_lock);
static u64 dmabuf_exporter_cache_limit;
/* Cached buffers by size, to find one, and by age, to evict the oldest. */
static DEFINE_HASHTABLE(dmabuf_exporter_cache_by_size, 6);
static LIST_HEAD(dmabuf_exporter_cache_lru);
static u64 dmabuf_exporter_cache_bytes;
static u32 dmabuf_exporter_cache_count;
static u64 dmabuf_exporter_cache_hits;
static u64 dmabuf_exporter_cache_misses;

/**
 * dmabuf_exporter_cache_init - set the bound for the module's lifetime
 * @cache_size: bytes the cache may hold, page aligned; 0 disables it
 *
 * Return: 0, or -EINVAL for a size that is not page aligned.
 */
int dmabuf_exporter_cache_init(u64 cache_size)
{
	if (!PAGE_ALIGNED(cache_size)) {
		pr_err("cache_size=%llu must be page aligned\n", cache_size);
		return -EINVAL;
	}
	dmabuf_exporter_cache_limit = cache_size;
	return 0;
}

static void dmabuf_exporter_cache_del(struct dmabuf_exporter_buffer *buf)
{
	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	hash_del(&buf->cache_node);
	list_del(&buf->cache_lru);
	dmabuf_exporter_cache_bytes -= buf->size;
	dmabuf_exporter_cache_count--;
}

static struct dmabuf_exporter_buffer *dmabuf_exporter_cache_find(size_t size)
{
	struct dmabuf_exporter_buffer *buf;

	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	hash_for_each_possible(dmabuf_exporter_cache_by_size, buf, cache_node,
			       size)
		if (buf->size == size)
			return buf;
	return NULL;
}

/**
 * dmabuf_exporter_cache_get - take a cached buffer of exactly @size bytes
 * @size: bytes, page aligned
 *
 * Return: the buffer, its memory zeroed, or NULL when none is cached.
 */
struct dmabuf_exporter_buffer *dmabuf_exporter_cache_get(size_t size)
{
	struct dmabuf_exporter_buffer *buf;

	mutex_lock(&dmabuf_exporter_cache_lock);
	buf = dmabuf_exporter_cache_find(size);
	if (buf) {
		dmabuf_exporter_cache_del(buf);
		dmabuf_exporter_cache_hits++;
	} else {
		dmabuf_exporter_cache_misses++;
	}
	mutex_unlock(&dmabuf_exporter_cache_lock);
	/* The previous owner's data must never reach the next one. */
	if (buf)
		memset(buf->vaddr, 0, size);
	return buf;
}

/**
 * dmabuf_exporter_cache_put - keep a released buffer for reuse
 * @buf: a buffer nobody maps, imports or holds any more
 * @evicted: gets the older buffers pushed out to make room; the caller
 *	     frees them
 *
 * Return: true when the cache took @buf, false when the caller must free
 * it (the cache is disabled or smaller than @buf).
 */
bool dmabuf_exporter_cache_put(struct dmabuf_exporter_buffer *buf,
			       struct list_head *evicted)
{
	struct dmabuf_exporter_buffer *old;

	if (buf->size > dmabuf_exporter_cache_limit)
		return false;
	mutex_lock(&dmabuf_exporter_cache_lock);
	while (dmabuf_exporter_cache_bytes + buf->size >
	       dmabuf_exporter_cache_limit) {
		old = list_first_entry(&dmabuf_exporter_cache_lru,
				       struct dmabuf_exporter_buffer, cache_lru);
		dmabuf_exporter_cache_del(old);
		list_add_tail(&old->cache_lru, evicted);
	}
	hash_add(dmabuf_exporter_cache_by_size, &buf->cache_node, buf->size);
	list_add_tail(&buf->cache_lru, &dmabuf_exporter_cache_lru);
	dmabuf_exporter_cache_bytes += buf->size;
	dmabuf_exporter_cache_count++;
	mutex_unlock(&dmabuf_exporter_cache_lock);
	return true;
}

/**
 * dmabuf_exporter_cache_drain - empty the cache, at module unload
 * @out: gets every cached buffer, linked by cache_lru; the caller frees them
 */
void dmabuf_exporter_cache_drain(struct list_head *out)
{
	struct dmabuf_exporter_buffer *buf, *next;

	mutex_lock(&dmabuf_exporter_cache_lock);
	list_for_each_entry_safe(buf, next, &dmabuf_exporter_cache_lru,
				 cache_lru) {
		dmabuf_exporter_cache_del(buf);
		list_add_tail(&buf->cache_lru, out);
	}
	mutex_unlock(&dmabuf_exporter_cache_lock);
}

/**
 * dmabuf_exporter_cache_get_info - fill the CACHE_INFO reply
 * @info: zeroed by the caller
 */
void dmabuf_exporter_cache_get_info(struct dmabuf_exporter_cache_info *info)
{
	info->cache_size = dmabuf_exporter_cache_limit;
	mutex_lock(&dmabuf_exporter_cache_lock);
	info->cached_bytes = dmabuf_exporter_cache_bytes;
	info->cached_buffers = dmabuf_exporter_cache_count;
	info->hits = dmabuf_exporter_cache_hits;
	info->misses = dmabuf_exporter_cache_misses;
	mutex_unlock(&dmabuf_exporter_cache_lock);
}
