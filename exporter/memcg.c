// SPDX-License-Identifier: GPL-2.0
/*
 * Whose memory a buffer is: the memory cgroup of the process that
 * allocated it.
 *
 * What a module can do about memcg, on every kernel of the matrix (6.1,
 * 6.12, 7.2; docs/design.md has the source lines): no charge API is
 * exported (__memcg_kmem_charge_page(), obj_cgroup_charge() are not), but
 * the page allocator charges every allocation with __GFP_ACCOUNT to the
 * "active" memcg or the caller's, and dma_alloc_coherent() passes that
 * flag through dma-direct to alloc_pages_node() untouched.  The charge
 * goes with the pages: freeing them uncharges, whoever frees.  A CMA
 * allocation (cma_alloc()) keeps only __GFP_NOWARN of the flags, so
 * buffers from a CMA area are not charged at all.
 *
 * So: take a reference on the caller's memcg at ALLOC, make it the active
 * memcg for the allocation (set_active_memcg() is inline; int_active_memcg
 * is exported), and keep the reference with the buffer for its life.  The
 * reference is the reuse cache's key: a cached buffer stays charged to the
 * cgroup that allocated it, so only a process of that cgroup may get it
 * back.
 */
#include <linux/cgroup.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/list_lru.h>
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "exporter.h"

/**
 * dmabuf_exporter_memcg_get - the caller's memory cgroup, referenced
 *
 * Return: the memcg, NULL when memcg is disabled.  Release it with
 * dmabuf_exporter_memcg_put().
 */
struct mem_cgroup *dmabuf_exporter_memcg_get(void)
{
	return get_mem_cgroup_from_mm(current->mm);
}

void dmabuf_exporter_memcg_put(struct mem_cgroup *memcg)
{
	mem_cgroup_put(memcg);
}

/* GFP for everything charged here: see dmabuf_exporter_memcg_alloc(). */
#define DMABUF_EXPORTER_MEMCG_GFP \
	(GFP_KERNEL | __GFP_ACCOUNT | __GFP_NOWARN | __GFP_RETRY_MAYFAIL)

/*
 * Pages a cgroup must still have free after a buffer's charge: the
 * dma-buf's file, dentry and inode are charged to it right after, by
 * plain GFP_KERNEL allocations that meet the cgroup's OOM killer when
 * they do not fit.  64 KiB is many times what they take.
 */
#define DMABUF_EXPORTER_MEMCG_ROOM_PAGES 16

#ifdef CONFIG_MEMCG
/* Whether @memcg or an ancestor has less than 1 MiB below memory.max. */
static bool dmabuf_exporter_memcg_tight(struct mem_cgroup *memcg)
{
	unsigned long near = SZ_1M >> PAGE_SHIFT;

	/* The root has no limit (and its css no parent). */
	for (; memcg && memcg->css.parent; memcg = parent_mem_cgroup(memcg))
		if (page_counter_read(&memcg->memory) + near >
		    READ_ONCE(memcg->memory.max))
			return true;
	return false;
}
#else
static bool dmabuf_exporter_memcg_tight(struct mem_cgroup *memcg)
{
	return false;
}
#endif

/*
 * Leave the caller's cgroup room for the buffer's own kernel objects: near
 * its limit, charge DMABUF_EXPORTER_MEMCG_ROOM_PAGES more (reclaiming if
 * need be, failing rather than killing) and give them straight back.
 * Nothing exported tells a module how much a cgroup can still take (its
 * page cache may be reclaimable), so this asks the allocator.
 */
static bool dmabuf_exporter_memcg_room(struct mem_cgroup *memcg)
{
	struct page *pages[DMABUF_EXPORTER_MEMCG_ROOM_PAGES];
	unsigned int i, n;

	if (!dmabuf_exporter_memcg_tight(memcg))
		return true;
	for (n = 0; n < DMABUF_EXPORTER_MEMCG_ROOM_PAGES; n++) {
		pages[n] = alloc_page(DMABUF_EXPORTER_MEMCG_GFP);
		if (!pages[n])
			break;
	}
	for (i = 0; i < n; i++)
		__free_page(pages[i]);
	return n == DMABUF_EXPORTER_MEMCG_ROOM_PAGES;
}

/**
 * dmabuf_exporter_memcg_alloc - dma_alloc_coherent() charged to @memcg
 * @dev: the device
 * @size: bytes
 * @dma_addr: out: the DMA address
 * @memcg: the cgroup to charge, NULL for none
 *
 * __GFP_RETRY_MAYFAIL: a cgroup at memory.max gets ENOMEM from this
 * allocation instead of the memcg OOM killer (which small orders would
 * invoke) killing one of its processes for it; and the system's OOM
 * killer is never invoked for a buffer either.  The same holds for what
 * the dma-buf needs next: see dmabuf_exporter_memcg_room().
 *
 * Return: the kernel address, NULL on failure.
 */
void *dmabuf_exporter_memcg_alloc(struct device *dev, size_t size,
				  dma_addr_t *dma_addr,
				  struct mem_cgroup *memcg)
{
	struct mem_cgroup *old = set_active_memcg(memcg);
	void *vaddr;

	vaddr = dma_alloc_coherent(dev, size, dma_addr,
				   DMABUF_EXPORTER_MEMCG_GFP);
	if (vaddr && !dmabuf_exporter_memcg_room(memcg)) {
		dma_free_coherent(dev, size, vaddr, *dma_addr);
		vaddr = NULL;
	}
	set_active_memcg(old);
	return vaddr;
}

/**
 * dmabuf_exporter_memcg_alloc_lru - a slab object charged to @memcg
 * @s: the slab cache
 * @lru: a memcg-aware list_lru the object will go on
 * @memcg: the cgroup to charge, NULL for the caller's
 *
 * kmem_cache_alloc_lru() charges the object to the active memcg and makes
 * sure @lru has a list for it (only the slab allocator may create one: the
 * function that does is not exported), so that list_lru_add() of the
 * object lands on @memcg's list, which reclaim in @memcg walks.  Fails
 * rather than reclaim hard or kill when @memcg is at its limit.
 *
 * Return: the object, NULL on failure.
 */
void *dmabuf_exporter_memcg_alloc_lru(struct kmem_cache *s,
				      struct list_lru *lru,
				      struct mem_cgroup *memcg)
{
	struct mem_cgroup *old = set_active_memcg(memcg);
	void *obj;

	obj = kmem_cache_alloc_lru(s, lru, DMABUF_EXPORTER_MEMCG_GFP);
	set_active_memcg(old);
	return obj;
}

#ifdef CONFIG_MEMCG
/*
 * The cgroup id (the inode number of its directory in cgroup2fs) of the
 * memcg @page is charged to now: after the allocating cgroup is removed,
 * its charges belong to the parent.  0 when the page is not charged.
 */
static u64 dmabuf_exporter_memcg_page_id(struct page *page)
{
	struct mem_cgroup *memcg;
	u64 id = 0;

	rcu_read_lock();
	memcg = folio_memcg(page_folio(page));
	if (memcg)
		id = cgroup_id(memcg->css.cgroup);
	rcu_read_unlock();
	return id;
}

/**
 * dmabuf_exporter_memcg_charged - is a buffer's memory charged to a memcg?
 * @buf: a buffer with its memory
 *
 * Return: true when it is (the root cgroup and CMA are never charged).
 */
bool dmabuf_exporter_memcg_charged(const struct dmabuf_exporter_buffer *buf)
{
	return dmabuf_exporter_memcg_page_id(sg_page(buf->pages.sgl));
}

/**
 * dmabuf_exporter_memcg_describe - which cgroup a buffer belongs to
 * @buf: a live buffer
 * @id: out: the cgroup its memory is charged to, else the cgroup
 *	       of the process that allocated it; 0 without memcg
 *
 * Return: true when the memory is charged (to *@id).
 */
bool dmabuf_exporter_memcg_describe(const struct dmabuf_exporter_buffer *buf,
				    u64 *id)
{
	*id = dmabuf_exporter_memcg_page_id(sg_page(buf->pages.sgl));
	if (*id)
		return true;
	*id = buf->memcg ? cgroup_id(buf->memcg->css.cgroup) : 0;
	return false;
}
#else
bool dmabuf_exporter_memcg_charged(const struct dmabuf_exporter_buffer *buf)
{
	return false;
}

bool dmabuf_exporter_memcg_describe(const struct dmabuf_exporter_buffer *buf,
				    u64 *id)
{
	*id = 0;
	return false;
}
#endif
