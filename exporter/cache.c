// SPDX-License-Identifier: GPL-2.0
/*
 * The reuse cache: a layer in front of the allocator (coherent.c) that
 * keeps released buffers for the next ALLOC of the same size, and gives
 * them back to the allocator whenever they are not worth their memory.
 *
 * With a CMA area, dma_alloc_coherent() of more than one page is a CMA
 * allocation, whose cost (isolating and migrating a range) dominates small
 * buffers; without one, it is still a high-order buddy allocation plus an
 * sg_table.  And every new buffer is zeroed, which dominates large ones.
 * A buffer that goes into the cache keeps its memory and its sg_table, and
 * is zeroed before anyone gets it again: a small one at release, a larger
 * one by a worker on an idle CPU soon after, or by the ALLOC that takes it
 * if the worker has not got to it yet; on a machine with one CPU, where
 * the worker could only take the CPU from the releasing thread, every one
 * at release.  No buffer ever shows an earlier one's data.
 *
 * Cached memory is unmovable high-order blocks that no process owns, so
 * the cache never holds on to it against the kernel's need:
 * - it is bounded by cache_size, itself at most total_limit;
 * - a shrinker gives the oldest buffers back under memory pressure, before
 *   the OOM killer would have to pick a process (ttm_pool does the same),
 *   and it is memcg aware: pressure inside one memory cgroup (its
 *   memory.max or memory.high, memory.reclaim) gives back that cgroup's
 *   buffers, not everyone's, and not only under global pressure;
 * - buffers unused for cache_idle_ms go back on their own;
 * - when the allocator fails, the cache is emptied and the allocation
 *   tried once more, so the cache never turns a possible ALLOC into ENOMEM.
 *
 * Every byte count here is a footprint: what the allocator took.  A cached
 * buffer is allocated to nobody: buffer.c uncharges it from total_limit
 * and INFO, and CACHE_INFO counts it instead.  But its memory stays
 * charged to the memory cgroup that allocated it (memcg.c), and a module
 * cannot move a charge: so a buffer is found by its size and that cgroup,
 * and only an ALLOC from the same cgroup reuses it.  The module therefore holds
 * at most total_limit + cache_size bytes, and cache_size <= total_limit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/hashtable.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/list_lru.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/dmabuf_exporter.h>

#include "compat.h"
#include "exporter.h"

/*
 * Buffers from this size up are zeroed by the worker; smaller ones cost
 * less to zero at once than to hand over.  64 KiB is below the line: on
 * 7.2 with two vCPUs, handing one to the worker (a wakeup and an IPI)
 * left the 64 KiB frame loop at 0.65x to 2.52x of the system heap's
 * speed over four rounds of one boot, zeroing it at release at 1.24x to
 * 3.85x (docs/bench.md).
 */
#define DMABUF_EXPORTER_CACHE_ZERO_LATER SZ_128K

static void dmabuf_exporter_cache_zero_work(struct work_struct *work);
static DECLARE_WORK(dmabuf_exporter_cache_work,
		    dmabuf_exporter_cache_zero_work);
static void dmabuf_exporter_cache_expire_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(dmabuf_exporter_cache_expiry,
			    dmabuf_exporter_cache_expire_work);
static struct shrinker *dmabuf_exporter_cache_shrinker;

/*
 * A cached buffer's place on the shrinker's lists: one list per memory
 * cgroup and node (a memcg-aware list_lru), so that reclaim in cgroup X
 * finds X's buffers.  A list_lru files an item by the slab object it
 * lives in: the entry is allocated, charged to the buffer's cgroup, by
 * kmem_cache_alloc_lru(), which also creates that cgroup's list (nothing
 * else a module may call does).  It goes with the buffer into the cache
 * and is freed when the buffer leaves it.
 */
struct dmabuf_exporter_cache_entry {
	struct list_head lru;
	struct dmabuf_exporter_buffer *buf;
};

static struct kmem_cache *dmabuf_exporter_cache_entries;
static struct list_lru dmabuf_exporter_cache_memcg_lru;
/* The shrinker is registered before its list_lru exists (it needs its id). */
static bool dmabuf_exporter_cache_lru_ready;

/* Fixed at load. */
static u64 dmabuf_exporter_cache_limit;
static unsigned long dmabuf_exporter_cache_idle; /* jiffies, 0: never */

/*
 * Protects everything below.  A cached buffer is on the by-size table and
 * the age list, and also on the dirty list until it is zeroed.  While the
 * worker zeroes one it is on no list, but still counted in bytes and
 * count, so the bound holds; an ALLOC of its size waits for it rather than
 * allocate anew; it stays on the shrinker's list_lru, which skips it.
 * Never allocate memory with it held: the shrinker takes it from inside
 * reclaim.  Taken before the list_lru's own lock.
 */
static DEFINE_MUTEX(dmabuf_exporter_cache_lock);
static DEFINE_HASHTABLE(dmabuf_exporter_cache_by_size, 6);
static LIST_HEAD(dmabuf_exporter_cache_lru);
static LIST_HEAD(dmabuf_exporter_cache_dirty);
static u64 dmabuf_exporter_cache_bytes;
static u64 dmabuf_exporter_cache_dirty_bytes; /* not zeroed yet */
static u64 dmabuf_exporter_cache_uncharged_bytes; /* charged to no memcg */
static u32 dmabuf_exporter_cache_uncharged_count;
static u32 dmabuf_exporter_cache_count;
static u64 dmabuf_exporter_cache_hits;
static u64 dmabuf_exporter_cache_misses;
/* The buffer the worker is zeroing; an ALLOC that wants it waits here. */
static struct dmabuf_exporter_buffer *dmabuf_exporter_cache_zeroing;
static DECLARE_WAIT_QUEUE_HEAD(dmabuf_exporter_cache_zeroed);

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
	dmabuf_exporter_lru_add_obj(&dmabuf_exporter_cache_memcg_lru,
				    &buf->cache_entry->lru);
	INIT_LIST_HEAD(&buf->cache_dirty);
	if (dirty) {
		list_add_tail(&buf->cache_dirty, &dmabuf_exporter_cache_dirty);
		dmabuf_exporter_cache_dirty_bytes += buf->alloc_size;
	}
	buf->cache_since = jiffies;
	dmabuf_exporter_cache_bytes += buf->alloc_size;
	dmabuf_exporter_cache_count++;
	if (!buf->charged) {
		dmabuf_exporter_cache_uncharged_bytes += buf->alloc_size;
		dmabuf_exporter_cache_uncharged_count++;
	}
}

/* Free @buf's shrinker entry, which is on no list (any more). */
static void dmabuf_exporter_cache_entry_put(struct dmabuf_exporter_buffer *buf)
{
	kmem_cache_free(dmabuf_exporter_cache_entries, buf->cache_entry);
	buf->cache_entry = NULL;
}

/*
 * Off the shrinker's list, and the entry freed: when the buffer leaves the
 * cache other than through the shrinker (which isolates it itself).
 */
static void dmabuf_exporter_cache_entry_free(struct dmabuf_exporter_buffer *buf)
{
	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	dmabuf_exporter_lru_del_obj(&dmabuf_exporter_cache_memcg_lru,
				    &buf->cache_entry->lru);
	dmabuf_exporter_cache_entry_put(buf);
}

/* Off every list but the shrinker's; the caller settles the counters. */
static void dmabuf_exporter_cache_unlink(struct dmabuf_exporter_buffer *buf)
{
	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	hash_del(&buf->cache_node);
	list_del(&buf->cache_lru);
	list_del_init(&buf->cache_dirty);
}

/* Out of the cache for good: to a caller, or to the allocator. */
static void dmabuf_exporter_cache_del(struct dmabuf_exporter_buffer *buf)
{
	if (!list_empty(&buf->cache_dirty))
		dmabuf_exporter_cache_dirty_bytes -= buf->alloc_size;
	dmabuf_exporter_cache_unlink(buf);
	dmabuf_exporter_cache_bytes -= buf->alloc_size;
	dmabuf_exporter_cache_count--;
	if (!buf->charged) {
		dmabuf_exporter_cache_uncharged_bytes -= buf->alloc_size;
		dmabuf_exporter_cache_uncharged_count--;
	}
}

/* Move the oldest buffer to @out, to be given back; its pages. */
static unsigned long dmabuf_exporter_cache_evict(struct list_head *out)
{
	struct dmabuf_exporter_buffer *old;

	old = list_first_entry(&dmabuf_exporter_cache_lru,
			       struct dmabuf_exporter_buffer, cache_lru);
	dmabuf_exporter_cache_entry_free(old);
	dmabuf_exporter_cache_del(old);
	list_add_tail(&old->cache_lru, out);
	return old->alloc_size >> PAGE_SHIFT;
}

/* Give the buffers on @list, linked by cache_lru, back to the allocator. */
static void dmabuf_exporter_cache_release(struct list_head *list)
{
	struct dmabuf_exporter_buffer *buf, *next;

	list_for_each_entry_safe(buf, next, list, cache_lru)
		dmabuf_exporter_coherent_free(buf);
}

/* Give back the oldest buffers, at least @pages pages of them if there are. */
static unsigned long dmabuf_exporter_cache_shrink(unsigned long pages)
{
	unsigned long freed = 0;
	LIST_HEAD(old);

	mutex_lock(&dmabuf_exporter_cache_lock);
	while (freed < pages && !list_empty(&dmabuf_exporter_cache_lru))
		freed += dmabuf_exporter_cache_evict(&old);
	mutex_unlock(&dmabuf_exporter_cache_lock);
	dmabuf_exporter_cache_release(&old);
	return freed;
}

/*
 * A buffer of @size charged to @memcg, preferring one the worker has
 * zeroed already.  Never one of another cgroup: the module cannot move a
 * charge, so handing it over would charge one cgroup for another's use.
 */
static struct dmabuf_exporter_buffer *
dmabuf_exporter_cache_find(size_t size, const struct mem_cgroup *memcg)
{
	struct dmabuf_exporter_buffer *buf, *dirty = NULL;

	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	hash_for_each_possible(dmabuf_exporter_cache_by_size, buf, cache_node,
			       size) {
		if (buf->size != size || buf->memcg != memcg)
			continue;
		if (list_empty(&buf->cache_dirty))
			return buf;
		dirty = buf;
	}
	return dirty;
}

/* The worker is done with @busy (and may be on the next one). */
static bool
dmabuf_exporter_cache_zeroed_now(struct dmabuf_exporter_buffer *busy)
{
	return READ_ONCE(dmabuf_exporter_cache_zeroing) != busy;
}

/*
 * Take a cached buffer of exactly @size bytes charged to @memcg, zeroed:
 * the buffer, NULL when none is cached, or ERR_PTR(-EINTR) when the caller
 * was killed while waiting for the worker to finish one.
 */
static struct dmabuf_exporter_buffer *
dmabuf_exporter_cache_take(size_t size, const struct mem_cgroup *memcg)
{
	struct dmabuf_exporter_buffer *buf, *busy;
	bool dirty = false;

	mutex_lock(&dmabuf_exporter_cache_lock);
	for (;;) {
		buf = dmabuf_exporter_cache_find(size, memcg);
		busy = dmabuf_exporter_cache_zeroing;
		if (buf || !busy || busy->size != size || busy->memcg != memcg)
			break;
		/* The worker is zeroing one of this size: it is nearly ready. */
		mutex_unlock(&dmabuf_exporter_cache_lock);
		if (wait_event_killable(dmabuf_exporter_cache_zeroed,
					dmabuf_exporter_cache_zeroed_now(busy)))
			return ERR_PTR(-EINTR);
		mutex_lock(&dmabuf_exporter_cache_lock);
	}
	if (buf) {
		dirty = !list_empty(&buf->cache_dirty);
		dmabuf_exporter_cache_entry_free(buf);
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

/**
 * dmabuf_exporter_cache_alloc - a zeroed buffer, cached or new
 * @size: bytes the buffer shows, page aligned
 * @memcg: the caller's memory cgroup (memcg.c), or NULL; the caller's
 *	   reference is consumed: a new buffer keeps it, a cached one
 *	   already holds its own
 *
 * Return: the buffer, or ERR_PTR(-ENOMEM) when the allocator fails even
 * with the cache emptied (also when @memcg is at its memory.max),
 * ERR_PTR(-EINTR) when the caller was killed.
 */
struct dmabuf_exporter_buffer *
dmabuf_exporter_cache_alloc(size_t size, struct mem_cgroup *memcg)
{
	struct dmabuf_exporter_buffer *buf;

	buf = dmabuf_exporter_cache_take(size, memcg);
	if (buf)
		goto out_put_memcg;
	buf = dmabuf_exporter_coherent_alloc(size, memcg);
	/*
	 * What the cache holds may be just what the allocator lacks, or
	 * what the caller's cgroup is charged for.
	 */
	if (IS_ERR(buf) && dmabuf_exporter_cache_shrink(ULONG_MAX))
		buf = dmabuf_exporter_coherent_alloc(size, memcg);
	if (!IS_ERR(buf))
		return buf;
out_put_memcg:
	dmabuf_exporter_memcg_put(memcg);
	return buf;
}

/* Make room for @bytes by pushing out the oldest idle buffers. */
static bool dmabuf_exporter_cache_make_room(size_t bytes,
					    struct list_head *evicted)
{
	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	while (dmabuf_exporter_cache_bytes + bytes >
		       dmabuf_exporter_cache_limit &&
	       !list_empty(&dmabuf_exporter_cache_lru))
		dmabuf_exporter_cache_evict(evicted);
	/* Still short only while the worker holds a buffer being zeroed. */
	return dmabuf_exporter_cache_bytes + bytes <=
	       dmabuf_exporter_cache_limit;
}

/*
 * Zero @buf later, in the worker, rather than now?  Only a large buffer,
 * and only with another CPU for the worker to run on: with one CPU the
 * worker takes the CPU from the very thread that released the buffer, and
 * the zeroing costs the same plus two context switches and a wakeup (a
 * 64 KiB frame loop on one vCPU spent 30 us in close against 11 zeroing at
 * once).
 */
static bool
dmabuf_exporter_cache_zero_later(const struct dmabuf_exporter_buffer *buf)
{
	return buf->size >= DMABUF_EXPORTER_CACHE_ZERO_LATER &&
	       num_online_cpus() > 1;
}

/* Keep @buf for reuse; false when the caller must give it back instead. */
static bool dmabuf_exporter_cache_keep(struct dmabuf_exporter_buffer *buf,
				       struct list_head *evicted)
{
	bool later = dmabuf_exporter_cache_zero_later(buf);
	struct list_lru *lru = &dmabuf_exporter_cache_memcg_lru;
	struct kmem_cache *entries = dmabuf_exporter_cache_entries;
	struct dmabuf_exporter_cache_entry *entry;
	bool taken = false;

	if (buf->alloc_size > dmabuf_exporter_cache_limit)
		return false;
	/*
	 * Charged to the buffer's cgroup, not to whoever dropped the last
	 * reference: its list is the one reclaim there walks.  A cgroup with
	 * no room for it has no room for a cached buffer either.
	 */
	entry = dmabuf_exporter_memcg_alloc_lru(entries, lru, buf->memcg);
	if (!entry)
		return false;
	INIT_LIST_HEAD(&entry->lru);
	entry->buf = buf;
	buf->cache_entry = entry;
	if (!later)
		dmabuf_exporter_cache_zero(buf);
	mutex_lock(&dmabuf_exporter_cache_lock);
	if (dmabuf_exporter_cache_make_room(buf->alloc_size, evicted)) {
		dmabuf_exporter_cache_add(buf, later);
		taken = true;
	}
	mutex_unlock(&dmabuf_exporter_cache_lock);
	if (!taken) {
		dmabuf_exporter_cache_entry_put(buf);
		return false;
	}
	/* Unbound: the zeroing runs on whichever CPU is idle. */
	if (later)
		queue_work(DMABUF_EXPORTER_UNBOUND_WQ,
			   &dmabuf_exporter_cache_work);
	/* A no-op while pending: the oldest buffer's deadline comes first. */
	if (dmabuf_exporter_cache_idle)
		queue_delayed_work(DMABUF_EXPORTER_UNBOUND_WQ,
				   &dmabuf_exporter_cache_expiry,
				   dmabuf_exporter_cache_idle);
	return true;
}

/**
 * dmabuf_exporter_cache_free - keep a released buffer or give it back
 * @buf: a buffer nobody maps, imports or holds any more
 *
 * The cache takes @buf when it fits, pushing older buffers out to make
 * room; otherwise @buf goes straight back to the allocator.
 */
void dmabuf_exporter_cache_free(struct dmabuf_exporter_buffer *buf)
{
	LIST_HEAD(evicted);

	if (!dmabuf_exporter_cache_keep(buf, &evicted))
		dmabuf_exporter_coherent_free(buf);
	dmabuf_exporter_cache_release(&evicted);
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

/*
 * Back on the age list at its place by cache_since, not at the tail: expiry
 * and the shrinker take the head as the oldest.  Zeroed buffers come back
 * newest first, so the walk from the tail is short; on a tie (the same
 * jiffy) the one coming back goes first, since small buffers, zeroed at
 * release, were linked at once while it was held.
 */
static void dmabuf_exporter_cache_relink(struct dmabuf_exporter_buffer *buf)
{
	struct dmabuf_exporter_buffer *pos;

	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	hash_add(dmabuf_exporter_cache_by_size, &buf->cache_node, buf->size);
	list_for_each_entry_reverse(pos, &dmabuf_exporter_cache_lru, cache_lru)
		if (time_before(pos->cache_since, buf->cache_since))
			break;
	/* After @pos, or first when the loop ran off the head. */
	list_add(&buf->cache_lru, &pos->cache_lru);
}

/*
 * Expiry at the oldest buffer's deadline.  The expiry work stops when it
 * finds the age list empty, which it is while the worker holds the only
 * buffer: whoever puts a buffer back must arm it again.  mod, not queue: a
 * pending expiry may be set for a later, newer buffer.
 */
static void dmabuf_exporter_cache_arm_expiry(void)
{
	struct dmabuf_exporter_buffer *oldest;
	unsigned long deadline, now = jiffies;

	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	if (!dmabuf_exporter_cache_idle ||
	    list_empty(&dmabuf_exporter_cache_lru))
		return;
	oldest = list_first_entry(&dmabuf_exporter_cache_lru,
				  struct dmabuf_exporter_buffer, cache_lru);
	deadline = oldest->cache_since + dmabuf_exporter_cache_idle;
	mod_delayed_work(DMABUF_EXPORTER_UNBOUND_WQ,
			 &dmabuf_exporter_cache_expiry,
			 time_after(deadline, now) ? deadline - now : 0);
}

/* Zero released buffers off the ALLOC path, newest first. */
static void dmabuf_exporter_cache_zero_work(struct work_struct *work)
{
	struct dmabuf_exporter_buffer *buf;

	while ((buf = dmabuf_exporter_cache_take_dirty())) {
		dmabuf_exporter_cache_zero(buf);
		mutex_lock(&dmabuf_exporter_cache_lock);
		dmabuf_exporter_cache_relink(buf);
		dmabuf_exporter_cache_arm_expiry();
		dmabuf_exporter_cache_dirty_bytes -= buf->alloc_size;
		WRITE_ONCE(dmabuf_exporter_cache_zeroing, NULL);
		mutex_unlock(&dmabuf_exporter_cache_lock);
		wake_up_all(&dmabuf_exporter_cache_zeroed);
	}
}

/* Give back what sat unused for cache_idle_ms; come back for the rest. */
static void dmabuf_exporter_cache_expire_work(struct work_struct *work)
{
	struct dmabuf_exporter_buffer *oldest;
	unsigned long deadline;
	LIST_HEAD(old);

	mutex_lock(&dmabuf_exporter_cache_lock);
	while (!list_empty(&dmabuf_exporter_cache_lru)) {
		oldest = list_first_entry(&dmabuf_exporter_cache_lru,
					  struct dmabuf_exporter_buffer,
					  cache_lru);
		deadline = oldest->cache_since + dmabuf_exporter_cache_idle;
		if (time_before(jiffies, deadline)) {
			queue_delayed_work(DMABUF_EXPORTER_UNBOUND_WQ,
					   &dmabuf_exporter_cache_expiry,
					   deadline - jiffies);
			break;
		}
		dmabuf_exporter_cache_evict(&old);
	}
	mutex_unlock(&dmabuf_exporter_cache_lock);
	dmabuf_exporter_cache_release(&old);
}

/*
 * Pages of an average cached buffer.  The lists count buffers, reclaim
 * asks in pages: a 4 MiB buffer must weigh 1024 times a 4 KiB one, or a
 * cache of a few large buffers would only be scanned at the lowest
 * priorities.  Racy reads: an estimate is all reclaim needs.
 */
static unsigned long dmabuf_exporter_cache_avg_pages(void)
{
	u32 count = READ_ONCE(dmabuf_exporter_cache_count);
	u64 bytes = READ_ONCE(dmabuf_exporter_cache_bytes);

	if (!count)
		return 1;
	return max_t(unsigned long, div_u64(bytes, count) >> PAGE_SHIFT, 1);
}

/* Pages the shrinker could give back from @sc's cgroup and node. */
static unsigned long dmabuf_exporter_cache_pages(struct shrinker *s,
						 struct shrink_control *sc)
{
	unsigned long n;

	/* Pairs with the release in init: the list_lru is set up. */
	if (!smp_load_acquire(&dmabuf_exporter_cache_lru_ready))
		return 0;
	n = list_lru_shrink_count(&dmabuf_exporter_cache_memcg_lru, sc);
	return n ? n * dmabuf_exporter_cache_avg_pages() : SHRINK_EMPTY;
}

/* What one reclaim pass took out of the cache. */
struct dmabuf_exporter_cache_reclaimed {
	struct list_head out; /* buffers, linked by cache_lru */
	unsigned long pages;
};

/* Take the buffer behind @item out of the cache, oldest first. */
static enum lru_status dmabuf_exporter_cache_isolate(struct list_head *item,
						     struct list_lru_one *list,
						     void *arg)
{
	struct dmabuf_exporter_cache_entry *entry =
		container_of(item, struct dmabuf_exporter_cache_entry, lru);
	struct dmabuf_exporter_buffer *buf = entry->buf;
	struct dmabuf_exporter_cache_reclaimed *r = arg;

	lockdep_assert_held(&dmabuf_exporter_cache_lock);
	/* The zeroing worker has it; it is back in the cache soon. */
	if (buf == dmabuf_exporter_cache_zeroing)
		return LRU_SKIP;
	/* Under the list's lock: list_lru_del() would take it again. */
	list_lru_isolate(list, item);
	dmabuf_exporter_cache_entry_put(buf);
	dmabuf_exporter_cache_del(buf);
	list_add_tail(&buf->cache_lru, &r->out);
	r->pages += buf->alloc_size >> PAGE_SHIFT;
	return LRU_REMOVED;
}

static unsigned long dmabuf_exporter_cache_reclaim(struct shrinker *s,
						   struct shrink_control *sc)
{
	struct dmabuf_exporter_cache_reclaimed r = {
		.out = LIST_HEAD_INIT(r.out),
	};
	unsigned long walk;

	/* Pairs with the release in init: the list_lru is set up. */
	if (!smp_load_acquire(&dmabuf_exporter_cache_lru_ready))
		return SHRINK_STOP;
	walk = DIV_ROUND_UP(sc->nr_to_scan, dmabuf_exporter_cache_avg_pages());
	mutex_lock(&dmabuf_exporter_cache_lock);
	dmabuf_exporter_lru_walk_one(&dmabuf_exporter_cache_memcg_lru, sc->nid,
				     sc->memcg, dmabuf_exporter_cache_isolate,
				     &r, &walk);
	mutex_unlock(&dmabuf_exporter_cache_lock);
	dmabuf_exporter_cache_release(&r.out);
	return r.pages ?: SHRINK_STOP;
}

/**
 * dmabuf_exporter_cache_init - set the bounds and register the shrinker
 * @cache_size: in: bytes the cache may hold, page aligned, at most
 *		@total_limit, 0 to disable it, -1 for the default (an eighth
 *		of @total_limit, at most 64 MiB); out: the bound in force
 * @idle_ms: give back buffers unused for this long; 0 never
 * @total_limit: the module's total_limit in force
 *
 * Return: 0, -EINVAL for a size that is negative, not page aligned or
 * above @total_limit, or -ENOMEM when the shrinker or its lists cannot be
 * made.
 */
int dmabuf_exporter_cache_init(long *cache_size, unsigned int idle_ms,
			       u64 total_limit)
{
	unsigned int flags = SHRINKER_MEMCG_AWARE | SHRINKER_NUMA_AWARE;
	struct shrinker *s;
	int ret;

	if (*cache_size == -1)
		*cache_size =
			min_t(u64, PAGE_ALIGN_DOWN(total_limit / 8), SZ_64M);
	if (*cache_size < 0 || !PAGE_ALIGNED(*cache_size) ||
	    *cache_size > total_limit) {
		pr_err("cache_size=%ld must be page aligned and at most total_limit (%llu), or 0 or -1\n",
		       *cache_size, total_limit);
		return -EINVAL;
	}
	dmabuf_exporter_cache_limit = *cache_size;
	dmabuf_exporter_cache_idle = msecs_to_jiffies(idle_ms);
	dmabuf_exporter_cache_entries =
		KMEM_CACHE(dmabuf_exporter_cache_entry, SLAB_ACCOUNT);
	if (!dmabuf_exporter_cache_entries)
		return -ENOMEM;
	/*
	 * seeks = 1, as ttm_pool: a cached buffer is cheap to make again, so
	 * reclaim should prefer it to memory that costs I/O to bring back.
	 * Node aware too: an entry is listed on the node of its own memory,
	 * and a shrinker that is not would only ever be asked for node 0.
	 */
	s = dmabuf_exporter_shrinker_create(dmabuf_exporter_cache_pages,
					    dmabuf_exporter_cache_reclaim, 1,
					    flags, KBUILD_MODNAME "-cache");
	if (!s) {
		ret = -ENOMEM;
		goto err_destroy_entries;
	}
	ret = list_lru_init_memcg(&dmabuf_exporter_cache_memcg_lru, s);
	if (ret)
		goto err_destroy_shrinker;
	/* The shrinker may run from now on: publish the list_lru to it. */
	smp_store_release(&dmabuf_exporter_cache_lru_ready, true);
	dmabuf_exporter_cache_shrinker = s;
	return 0;

err_destroy_shrinker:
	dmabuf_exporter_shrinker_destroy(s);
err_destroy_entries:
	kmem_cache_destroy(dmabuf_exporter_cache_entries);
	return ret;
}

/**
 * dmabuf_exporter_cache_exit - give every cached buffer back at unload
 *
 * Every live buffer pins the module, so by now the cache holds all there
 * is.  The shrinker and the workers go first, so nothing races the drain.
 */
void dmabuf_exporter_cache_exit(void)
{
	dmabuf_exporter_shrinker_destroy(dmabuf_exporter_cache_shrinker);
	/* The zeroing worker arms expiry: it goes first. */
	cancel_work_sync(&dmabuf_exporter_cache_work);
	cancel_delayed_work_sync(&dmabuf_exporter_cache_expiry);
	dmabuf_exporter_cache_shrink(ULONG_MAX);
	list_lru_destroy(&dmabuf_exporter_cache_memcg_lru);
	kmem_cache_destroy(dmabuf_exporter_cache_entries);
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

/**
 * dmabuf_exporter_cache_memcg_info - the cache's part of MEMCG_INFO
 * @info: zeroed by the caller
 */
void dmabuf_exporter_cache_memcg_info(struct dmabuf_exporter_memcg_info *info)
{
	mutex_lock(&dmabuf_exporter_cache_lock);
	info->cached_uncharged_bytes = dmabuf_exporter_cache_uncharged_bytes;
	info->cached_uncharged_buffers = dmabuf_exporter_cache_uncharged_count;
	mutex_unlock(&dmabuf_exporter_cache_lock);
}
