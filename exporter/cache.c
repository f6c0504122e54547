// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded cache of released buffers, for reuse by the next ALLOC of the
 * same size.
 *
 * With a CMA area, dma_alloc_coherent() of more than one page is a CMA
 * allocation, whose cost (isolating and migrating a range) dominates small
 * buffers; without one, it is still a high-order buddy allocation plus an
 * sg_table.  And every new buffer is zeroed, which dominates large ones.
 * A buffer that goes back into the cache keeps its memory and its
 * sg_table, and is zeroed before anyone gets it again: a small one at
 * release, a larger one by a worker on an idle CPU soon after, or by the
 * ALLOC that takes it if the worker has not got to it yet.  No buffer ever
 * shows an earlier one's data.
 *
 * The cache only holds buffers; buffer.c allocates and frees them.  A
 * cached buffer is not allocated to anyone: it is uncharged from
 * total_limit and INFO like a freed one, and counted in CACHE_INFO instead.
 * The module therefore holds at most total_limit + cache_size bytes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/dmabuf_exporter.h>

#include "compat.h"
#include "exporter.h"

/*
 * Buffers from this size up are zeroed by the worker; smaller ones cost
 * less to zero at once than to hand over.
 */
#define DMABUF_EXPORTER_CACHE_ZERO_LATER SZ_64K

static void dmabuf_exporter_cache_zero_work(struct work_struct *work);
static DECLARE_WORK(dmabuf_exporter_cache_work,
		    dmabuf_exporter_cache_zero_work);

/*
 * Protects everything below; the cache_size bound is fixed at load.  A
 * cached buffer is on the by-size table and the age list, and also on the
 * dirty list until it is zeroed.  While the worker zeroes one it is on no
 * list, but still counted in bytes and count, so the bound holds; an ALLOC
 * of its size waits for it rather than allocate anew.
 */
static DEFINE_MUTEX(dmabuf_exporter_cache_lock);
static u64 dmabuf_exporter_cache_limit;
static DEFINE_HASHTABLE(dmabuf_exporter_cache_by_size, 6);
static LIST_HEAD(dmabuf_exporter_cache_lru);
static LIST_HEAD(dmabuf_exporter_cache_dirty);
static u64 dmabuf_exporter_cache_bytes;
static u64 dmabuf_exporter_cache_dirty_bytes; /* not zeroed yet */
static u32 dmabuf_exporter_cache_count;
static u64 dmabuf_exporter_cache_hits;
static u64 dmabuf_exporter_cache_misses;
/* The buffer the worker is zeroing; an ALLOC that wants it waits here. */
static struct dmabuf_exporter_buffer *dmabuf_exporter_cache_zeroing;
static DECLARE_WAIT_QUEUE_HEAD(dmabuf_exporter_cache_zeroed);

/**
 * dmabuf_exporter_cache_init - set the bound for the module's lifetime
 * @cache_size: in: bytes the cache may hold, page aligned, 0 to disable
 *		it, -1 for the default (an eighth of @total_limit, at most
 *		64 MiB); out: the bound in force
 * @total_limit: the module's total_limit in force
 *
 * Return: 0, or -EINVAL for a size that is negative or not page aligned.
 */
int dmabuf_exporter_cache_init(long *cache_size, u64 total_limit)
{
	if (*cache_size == -1)
		*cache_size =
			min_t(u64, PAGE_ALIGN_DOWN(total_limit / 8), SZ_64M);
	if (*cache_size < 0 || !PAGE_ALIGNED(*cache_size)) {
		pr_err("cache_size=%ld must be page aligned, 0 or -1\n",
		       *cache_size);
		return -EINVAL;
	}
	dmabuf_exporter_cache_limit = *cache_size;
	return 0;
}

/* In chunks: zeroing tens of MiB at once would hog the CPU. */
static void dmabuf_exporter_cache_zero(struct dmabuf_exporter_buffer *buf)
{
	size_t off, len;

	for (off = 0; off < buf->size; off += len) {
		len = min_t(size_t, buf->size - off, SZ_1M);
		memset(buf->vaddr + off, 0, len);
		cond_resched();
	}
}

static void dmabuf_exporter_cache_link(struct dmabuf_exporter_buffer *buf)
{
	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	hash_add(dmabuf_exporter_cache_by_size, &buf->cache_node, buf->size);
	list_add_tail(&buf->cache_lru, &dmabuf_exporter_cache_lru);
}

/* Into the cache, counted, and on the dirty list unless zeroed already. */
static void dmabuf_exporter_cache_add(struct dmabuf_exporter_buffer *buf,
				      bool dirty)
{
	dmabuf_exporter_cache_link(buf);
	INIT_LIST_HEAD(&buf->cache_dirty);
	if (dirty) {
		list_add_tail(&buf->cache_dirty, &dmabuf_exporter_cache_dirty);
		dmabuf_exporter_cache_dirty_bytes += buf->size;
	}
	dmabuf_exporter_cache_bytes += buf->size;
	dmabuf_exporter_cache_count++;
}

/* Off every list; the caller settles the counters. */
static void dmabuf_exporter_cache_unlink(struct dmabuf_exporter_buffer *buf)
{
	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	hash_del(&buf->cache_node);
	list_del(&buf->cache_lru);
	list_del_init(&buf->cache_dirty);
}

/* Out of the cache for good: to a caller, or to be freed. */
static void dmabuf_exporter_cache_del(struct dmabuf_exporter_buffer *buf)
{
	if (!list_empty(&buf->cache_dirty))
		dmabuf_exporter_cache_dirty_bytes -= buf->size;
	dmabuf_exporter_cache_unlink(buf);
	dmabuf_exporter_cache_bytes -= buf->size;
	dmabuf_exporter_cache_count--;
}

/* A buffer of @size, preferring one the worker has zeroed already. */
static struct dmabuf_exporter_buffer *dmabuf_exporter_cache_find(size_t size)
{
	struct dmabuf_exporter_buffer *buf, *dirty = NULL;

	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	hash_for_each_possible(dmabuf_exporter_cache_by_size, buf, cache_node,
			       size) {
		if (buf->size != size)
			continue;
		if (list_empty(&buf->cache_dirty))
			return buf;
		dirty = buf;
	}
	return dirty;
}

/**
 * dmabuf_exporter_cache_get - take a cached buffer of exactly @size bytes
 * @size: bytes, page aligned
 *
 * Return: the buffer, its memory zeroed, or NULL when none is cached.
 */
struct dmabuf_exporter_buffer *dmabuf_exporter_cache_get(size_t size)
{
	struct dmabuf_exporter_buffer *buf, *busy;
	bool dirty = false;

	mutex_lock(&dmabuf_exporter_cache_lock);
	for (;;) {
		buf = dmabuf_exporter_cache_find(size);
		busy = dmabuf_exporter_cache_zeroing;
		if (buf || !busy || busy->size != size)
			break;
		/* The worker is zeroing one of this size: it is nearly ready. */
		mutex_unlock(&dmabuf_exporter_cache_lock);
		wait_event(dmabuf_exporter_cache_zeroed,
			   READ_ONCE(dmabuf_exporter_cache_zeroing) != busy);
		mutex_lock(&dmabuf_exporter_cache_lock);
	}
	if (buf) {
		dirty = !list_empty(&buf->cache_dirty);
		dmabuf_exporter_cache_del(buf);
		dmabuf_exporter_cache_hits++;
	} else {
		dmabuf_exporter_cache_misses++;
	}
	mutex_unlock(&dmabuf_exporter_cache_lock);
	/* The previous owner's data must never reach the next one. */
	if (dirty)
		dmabuf_exporter_cache_zero(buf);
	return buf;
}

/* Make room for @size bytes by pushing out the oldest idle buffers. */
static bool dmabuf_exporter_cache_make_room(size_t size,
					    struct list_head *evicted)
{
	struct dmabuf_exporter_buffer *old;

	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	while (dmabuf_exporter_cache_bytes + size >
		       dmabuf_exporter_cache_limit &&
	       !list_empty(&dmabuf_exporter_cache_lru)) {
		old = list_first_entry(&dmabuf_exporter_cache_lru,
				       struct dmabuf_exporter_buffer,
				       cache_lru);
		dmabuf_exporter_cache_del(old);
		list_add_tail(&old->cache_lru, evicted);
	}
	/* Still short only while the worker holds a buffer being zeroed. */
	return dmabuf_exporter_cache_bytes + size <=
	       dmabuf_exporter_cache_limit;
}

/**
 * dmabuf_exporter_cache_put - keep a released buffer for reuse
 * @buf: a buffer nobody maps, imports or holds any more
 * @evicted: gets the older buffers pushed out to make room, linked by
 *	     cache_lru; the caller frees them
 *
 * Return: true when the cache took @buf, false when the caller must free
 * it (the cache is disabled or has no room for it).
 */
bool dmabuf_exporter_cache_put(struct dmabuf_exporter_buffer *buf,
			       struct list_head *evicted)
{
	bool later = buf->size >= DMABUF_EXPORTER_CACHE_ZERO_LATER;
	bool taken = false;

	if (buf->size > dmabuf_exporter_cache_limit)
		return false;
	if (!later)
		dmabuf_exporter_cache_zero(buf);
	mutex_lock(&dmabuf_exporter_cache_lock);
	if (dmabuf_exporter_cache_make_room(buf->size, evicted)) {
		dmabuf_exporter_cache_add(buf, later);
		taken = true;
	}
	mutex_unlock(&dmabuf_exporter_cache_lock);
	/* Unbound: the zeroing runs on whichever CPU is idle. */
	if (taken && later)
		queue_work(DMABUF_EXPORTER_UNBOUND_WQ, &dmabuf_exporter_cache_work);
	return taken;
}

/* Take the most recently released dirty buffer out of reach, or NULL. */
static struct dmabuf_exporter_buffer *dmabuf_exporter_cache_take_dirty(void)
{
	struct dmabuf_exporter_buffer *buf = NULL;

	mutex_lock(&dmabuf_exporter_cache_lock);
	if (!list_empty(&dmabuf_exporter_cache_dirty)) {
		buf = list_last_entry(&dmabuf_exporter_cache_dirty,
				      struct dmabuf_exporter_buffer,
				      cache_dirty);
		dmabuf_exporter_cache_unlink(buf);
	}
	WRITE_ONCE(dmabuf_exporter_cache_zeroing, buf);
	mutex_unlock(&dmabuf_exporter_cache_lock);
	return buf;
}

/* Zero released buffers off the ALLOC path, newest first. */
static void dmabuf_exporter_cache_zero_work(struct work_struct *work)
{
	struct dmabuf_exporter_buffer *buf;

	while ((buf = dmabuf_exporter_cache_take_dirty())) {
		dmabuf_exporter_cache_zero(buf);
		mutex_lock(&dmabuf_exporter_cache_lock);
		dmabuf_exporter_cache_link(buf);
		dmabuf_exporter_cache_dirty_bytes -= buf->size;
		WRITE_ONCE(dmabuf_exporter_cache_zeroing, NULL);
		mutex_unlock(&dmabuf_exporter_cache_lock);
		wake_up_all(&dmabuf_exporter_cache_zeroed);
	}
}

/**
 * dmabuf_exporter_cache_drain - empty the cache
 * @out: gets every cached buffer, linked by cache_lru; the caller frees them
 *
 * Waits for the worker first, so no buffer is left in its hands.
 */
void dmabuf_exporter_cache_drain(struct list_head *out)
{
	struct dmabuf_exporter_buffer *buf, *next;

	cancel_work_sync(&dmabuf_exporter_cache_work);
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
	info->dirty_bytes = dmabuf_exporter_cache_dirty_bytes;
	info->cached_buffers = dmabuf_exporter_cache_count;
	info->hits = dmabuf_exporter_cache_hits;
	info->misses = dmabuf_exporter_cache_misses;
	mutex_unlock(&dmabuf_exporter_cache_lock);
}
