// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA allocator underneath everything: dma_alloc_coherent() for our
 * platform device, the table of CPU pages behind each allocation, and what
 * each allocation really costs.
 *
 * Only coherent platforms without an IOMMU in front of our device are
 * supported, and dmabuf_exporter_coherent_init() refuses the others:
 * - On a non-coherent device dma_alloc_coherent() hands out an uncached
 *   remap after flushing the linear map (arch_dma_prep_coherent()), while
 *   our userspace mappings are cached and a reused buffer would skip that
 *   flush.  Both would need handling this module does not have.
 * - In a confidential guest the memory is decrypted, which only
 *   dma_mmap_coherent() would apply to a userspace mapping.
 * - Behind an IOMMU (or with a remap) the memory is not one run of linear
 *   map pages, and dma_get_sgtable() is what kernel/dma/mapping.c calls
 *   "fundamentally unsafe" for coherent memory: there may be no struct page
 *   behind it.  For the dma-direct, not remapped, no-IOMMU allocation that
 *   remains, dma_get_sgtable() is dma_direct_get_sgtable(): one entry with
 *   the real pages of the block, which is what the fault handler and the
 *   importers' tables need.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>

#include "exporter.h"

/* The device every buffer is allocated for; fixed at load. */
static struct device *dmabuf_exporter_dma_dev;

/* Largest block the buddy allocator hands out: beyond it only CMA can. */
size_t dmabuf_exporter_buddy_max(void)
{
	return (size_t)MAX_ORDER_NR_PAGES << PAGE_SHIFT;
}

/**
 * dmabuf_exporter_footprint - bytes the allocator takes for a buffer
 * @size: bytes, page aligned
 *
 * dma-direct takes a power-of-two block from the buddy allocator (and
 * frees it whole), so a buffer of 2 MiB + 4 KiB takes 4 MiB.  A CMA area
 * takes exactly the pages asked for, but asked for a power of two it
 * takes that: this module always asks for the footprint, so the quota and
 * the cache count what is really gone whichever allocator answers.  Above
 * the buddy allocator's largest block only CMA can deliver, page by page.
 *
 * Return: the footprint in bytes, at least @size.
 */
size_t dmabuf_exporter_footprint(size_t size)
{
	if (size > dmabuf_exporter_buddy_max())
		return size;
	return PAGE_SIZE << get_order(size);
}

/**
 * dmabuf_exporter_coherent_init - take the device and check the platform
 * @dev: our platform device, with its DMA mask set
 *
 * Return: 0, or -ENODEV where the allocation would not be plain linear-map
 * memory coherent with the CPU (see the top of this file).
 */
int dmabuf_exporter_coherent_init(struct device *dev)
{
	if (!dev_is_dma_coherent(dev) || device_iommu_mapped(dev) ||
	    cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT)) {
		pr_err("needs DMA-coherent, unencrypted memory without an IOMMU\n");
		return -ENODEV;
	}
	dmabuf_exporter_dma_dev = dev;
	return 0;
}

/**
 * dmabuf_exporter_coherent_can_alloc - can the allocator deliver @size now?
 * @size: bytes, page aligned
 *
 * Return: true when an allocation of @size succeeded (and was freed).
 */
bool dmabuf_exporter_coherent_can_alloc(size_t size)
{
	struct device *dev = dmabuf_exporter_dma_dev;
	dma_addr_t dma_addr;
	void *vaddr;

	vaddr = dma_alloc_coherent(dev, size, &dma_addr,
				   GFP_KERNEL | __GFP_NOWARN);
	if (!vaddr)
		return false;
	dma_free_coherent(dev, size, vaddr, dma_addr);
	return true;
}

/**
 * dmabuf_exporter_coherent_max - the largest buffer the allocator delivers
 * @cap: no more than this, page aligned
 *
 * Without a CMA area that is the buddy allocator's largest block.  With
 * one, dma_alloc_coherent() goes further, but the area's size is not
 * exported to modules, so ask the allocator: the largest power of two up to
 * @cap that it hands out right now.
 *
 * Return: bytes, page aligned, at most @cap.
 */
u64 dmabuf_exporter_coherent_max(u64 cap)
{
	u64 buddy = dmabuf_exporter_buddy_max();
	u64 size;

	if (!IS_ENABLED(CONFIG_DMA_CMA) || cap <= buddy)
		return min(buddy, cap);
	for (size = rounddown_pow_of_two(cap); size > buddy; size >>= 1)
		if (dmabuf_exporter_coherent_can_alloc(size))
			return size;
	return buddy;
}

/**
 * dmabuf_exporter_coherent_alloc - a new zeroed buffer from the allocator
 * @size: bytes the buffer shows, page aligned, below 4 GiB
 * @memcg: the memory cgroup to charge (see memcg.c), or NULL; on success
 *	   the buffer owns the caller's reference to it
 *
 * Return: the buffer with its memory and page table, or ERR_PTR(-ENOMEM),
 * also when @memcg is at its memory.max.
 */
struct dmabuf_exporter_buffer *
dmabuf_exporter_coherent_alloc(size_t size, struct mem_cgroup *memcg)
{
	struct dmabuf_exporter_buffer *buf;
	struct device *dev = dmabuf_exporter_dma_dev;
	int ret;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->dev = dev;
	buf->size = size;
	buf->alloc_size = dmabuf_exporter_footprint(size);
	buf->pagecount = size >> PAGE_SHIFT;
	/* dma_alloc_coherent() zeroes: no buffer shows an earlier one's data. */
	buf->vaddr = dmabuf_exporter_memcg_alloc(dev, buf->alloc_size,
						 &buf->dma_addr, memcg);
	if (!buf->vaddr) {
		ret = -ENOMEM;
		goto err_free_buf;
	}
	/* Only the @size bytes the dma-buf shows: nobody sees the rest. */
	ret = dma_get_sgtable(dev, &buf->pages, buf->vaddr, buf->dma_addr,
			      size);
	if (ret)
		goto err_free_coherent;
	buf->memcg = memcg;
	buf->charged = dmabuf_exporter_memcg_charged(buf);
	return buf;

err_free_coherent:
	dma_free_coherent(dev, buf->alloc_size, buf->vaddr, buf->dma_addr);
err_free_buf:
	kfree(buf);
	return ERR_PTR(ret);
}

/**
 * dmabuf_exporter_coherent_free - give a buffer's memory back
 * @buf: a buffer nobody maps, imports or caches
 */
void dmabuf_exporter_coherent_free(struct dmabuf_exporter_buffer *buf)
{
	sg_free_table(&buf->pages);
	/* Uncharges the memcg too: the charge goes with the pages. */
	dma_free_coherent(buf->dev, buf->alloc_size, buf->vaddr, buf->dma_addr);
	dmabuf_exporter_memcg_put(buf->memcg);
	kfree(buf);
}
