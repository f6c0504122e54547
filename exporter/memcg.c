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
#include <linux/gfp.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

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
 * killer is never invoked for a buffer either.
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
				   GFP_KERNEL | __GFP_ACCOUNT | __GFP_NOWARN |
					   __GFP_RETRY_MAYFAIL);
	set_active_memcg(old);
	return vaddr;
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
bool dmabuf_exporter_memcg_describe(const struct dmabuf_exporter_buffer *buf,
				    u64 *id)
{
	*id = 0;
	return false;
}
#endif
