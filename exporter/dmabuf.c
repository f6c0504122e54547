// SPDX-License-Identifier: GPL-2.0
/*
 * The dma-buf around a coherent buffer: importer attachments and their
 * DMA mappings, CPU access brackets, kernel mapping and release.
 */
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/slab.h>

#include "compat.h"
#include "exporter.h"

/**
 * struct dmabuf_exporter_attachment - one importer device's view
 * @dev:	the importer's device
 * @table:	a copy of the buffer's pages in segments @dev accepts, DMA-mapped
 *		for @dev while @mapped
 * @dir:	direction of the current mapping, as we made it (see
 *		dmabuf_exporter_map_dir())
 * @mapped:	@table is DMA-mapped
 * @bounced:	the mapping gives @dev its own copy of the buffer (swiotlb)
 * @node:	entry in dmabuf_exporter_buffer.attachments
 */
struct dmabuf_exporter_attachment {
	struct device *dev;
	struct sg_table table;
	enum dma_data_direction dir;
	bool mapped;
	bool bounced;
	struct list_head node;
};

/*
 * What one DMA segment may be for an importer's device: at most @max_seg
 * bytes (whole pages), and never across a @boundary mask line.
 */
struct dmabuf_exporter_seg_limits {
	unsigned int max_seg;
	unsigned long boundary;
};

/*
 * The importer's own limits, not ours: its dma_get_max_seg_size() (64 KiB
 * for a device without DMA parameters; DMA-API debug reports a longer
 * segment), dma_max_mapping_size() (swiotlb bounces at most 256 KiB at
 * once and cannot map a longer segment) and dma_get_seg_boundary().
 */
static void dmabuf_exporter_seg_limits(struct device *dev,
				       struct dmabuf_exporter_seg_limits *lim)
{
	size_t max = min_t(size_t, dma_get_max_seg_size(dev),
			   dma_max_mapping_size(dev));

	/* Whole pages, and at least one whatever the device claims. */
	lim->max_seg = round_down(min_t(size_t, max, UINT_MAX), PAGE_SIZE) ?:
			       PAGE_SIZE;
	lim->boundary = dma_get_seg_boundary(dev) | (PAGE_SIZE - 1);
}

/*
 * The length of the segment that starts at @phys with @left bytes to go.
 * The physical address stands for the bus address: they are the same for
 * dma-direct without an offset, and swiotlb and IOMMUs keep to the
 * boundary on their own.
 */
static unsigned int
dmabuf_exporter_seg_len(phys_addr_t phys, unsigned int left,
			const struct dmabuf_exporter_seg_limits *lim)
{
	unsigned long to_boundary = lim->boundary - (phys & lim->boundary);
	unsigned int len = min(left, lim->max_seg);

	/* to_boundary is one less than the room, so ~0UL cannot overflow. */
	if (len - 1 > to_boundary)
		len = to_boundary + 1;
	return len;
}

/*
 * Cut @src into segments within @lim and write them to @d, or only count
 * them when @d is NULL.  Pages come by PFN: the buffer is one physically
 * contiguous run, and pfn_to_page() is right on every memory model.
 */
static unsigned int
dmabuf_exporter_split(const struct sg_table *src, struct scatterlist *d,
		      const struct dmabuf_exporter_seg_limits *lim)
{
	unsigned int i, n = 0, off, len;
	struct scatterlist *s;

	for_each_sgtable_sg(src, s, i) {
		for (off = 0; off < s->length; off += len, n++) {
			phys_addr_t phys = sg_phys(s) + off;

			len = dmabuf_exporter_seg_len(phys, s->length - off,
						      lim);
			if (!d)
				continue;
			sg_set_page(d, pfn_to_page(PHYS_PFN(phys)), len,
				    offset_in_page(phys));
			d = sg_next(d);
		}
	}
	return n;
}

/* Copy @src into @dst in segments @dev accepts. */
static int dmabuf_exporter_copy_table(struct sg_table *dst,
				      const struct sg_table *src,
				      struct device *dev)
{
	struct dmabuf_exporter_seg_limits lim;
	int ret;

	dmabuf_exporter_seg_limits(dev, &lim);
	ret = sg_alloc_table(dst, dmabuf_exporter_split(src, NULL, &lim),
			     GFP_KERNEL);
	if (ret)
		return ret;
	dmabuf_exporter_split(src, dst->sgl, &lim);
	return 0;
}

static int dmabuf_exporter_attach(struct dma_buf *dmabuf,
				  struct dma_buf_attachment *attachment)
{
	struct dmabuf_exporter_buffer *buf = dmabuf->priv;
	struct dmabuf_exporter_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	/*
	 * Each importer gets its own table: dma_map_sgtable() writes the
	 * importer's DMA addresses into it, so it can never be shared.
	 */
	ret = dmabuf_exporter_copy_table(&a->table, &buf->pages,
					 attachment->dev);
	if (ret) {
		kfree(a);
		return ret;
	}
	a->dev = attachment->dev;
	attachment->priv = a;
	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;
}

/*
 * Unmap without DMA_ATTR_SKIP_CPU_SYNC: the memory is coherent for our
 * device, not for the importer's.  A bounced mapping (swiotlb: Xen,
 * swiotlb=force, a DMA mask below the buffer) is copied back only by an
 * unmap that syncs, and a non-coherent importer needs the cache
 * maintenance.  Skipping it lost every byte a device wrote.
 */
static void dmabuf_exporter_unmap(struct dmabuf_exporter_attachment *a)
{
	dma_unmap_sgtable(a->dev, &a->table, a->dir, 0);
	a->mapped = false;
}

static void dmabuf_exporter_detach(struct dma_buf *dmabuf,
				   struct dma_buf_attachment *attachment)
{
	struct dmabuf_exporter_buffer *buf = dmabuf->priv;
	struct dmabuf_exporter_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	/*
	 * The importer must unmap before it detaches, and the core does not
	 * do it for us (no cache_sgt_mapping; 7.2 removed it).  Freeing a
	 * table that is still mapped would leak the mapping and its bounce
	 * slots and drop what the device wrote: unmap it here instead.
	 */
	if (a->mapped) {
		dev_warn_once(a->dev, "detached while mapped; unmapping\n");
		dmabuf_exporter_unmap(a);
	}
	mutex_unlock(&buf->lock);
	sg_free_table(&a->table);
	kfree(a);
}

/*
 * The direction we map in.  A FROM_DEVICE mapping is made BIDIRECTIONAL:
 * with a bounce buffer, FROM_DEVICE copies nothing in, neither at map time
 * (we skip that sync) nor in sync_for_device, yet its unmap copies the
 * whole slot back.  Bytes the device did not write, and bytes the CPU
 * wrote in a SYNC bracket while it was mapped (a capture queue), were
 * lost to whatever the slot held.  BIDIRECTIONAL keeps the slot equal to
 * the buffer until the device writes; the importer's direction still
 * holds for its own syncs (DMA-API debug accepts any on a BIDIRECTIONAL
 * mapping).
 */
static enum dma_data_direction
dmabuf_exporter_map_dir(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE ? DMA_BIDIRECTIONAL : dir;
}

/*
 * Does the mapping hand @a->dev a copy of the buffer instead of the buffer?
 * dma_need_sync() says so for a swiotlb slot (and, conservatively, for a
 * non-coherent device, which then counts as bounced too).  Behind an IOMMU
 * the device reaches the buffer itself (untrusted devices that
 * iommu-dma bounces for sub-page mappings are not considered).
 */
static bool dmabuf_exporter_is_bounced(struct dmabuf_exporter_attachment *a)
{
	struct scatterlist *sg;
	unsigned int i;

	if (device_iommu_mapped(a->dev))
		return false;
	for_each_sgtable_dma_sg(&a->table, sg, i)
		if (dma_need_sync(a->dev, sg_dma_address(sg)))
			return true;
	return false;
}

/*
 * Several mappings that may write, one of them bounced: the rule is
 * "refuse".  Each bounced mapping has its own copy, and begin_cpu_access
 * and unmap copy each back whole: an idle device's stale copy would land
 * over what the writing device wrote, in whatever order we sync them.
 * Nothing tells the exporter which device wrote, so a second writable
 * mapping is refused (-EBUSY) when either it or a mapped writable one is
 * bounced.  Read-only (TO_DEVICE) mappings never copy back: any number.
 */
static bool dmabuf_exporter_write_conflict(struct dmabuf_exporter_buffer *buf,
					   struct dmabuf_exporter_attachment *a)
{
	struct dmabuf_exporter_attachment *o;

	lockdep_assert_held(&buf->lock);
	if (a->dir == DMA_TO_DEVICE)
		return false;
	list_for_each_entry(o, &buf->attachments, node)
		if (o != a && o->mapped && o->dir != DMA_TO_DEVICE &&
		    (a->bounced || o->bounced))
			return true;
	return false;
}

/*
 * A device without an IOMMU whose DMA mask does not reach every segment,
 * with no swiotlb to bounce them (a 28-bit device, memory above 256 MiB):
 * dma-direct would WARN and fail the map.  Refuse it ourselves, cleanly.
 * dma_max_mapping_size() is how a module learns that swiotlb serves the
 * device (is_swiotlb_active() is not exported after 6.1): it is finite
 * exactly then.  With swiotlb, a pool out of reach is swiotlb's own WARN.
 */
static bool dmabuf_exporter_unreachable(struct dmabuf_exporter_attachment *a)
{
	struct scatterlist *sg;
	unsigned int i;

	if (device_iommu_mapped(a->dev) ||
	    dma_max_mapping_size(a->dev) != SIZE_MAX)
		return false;
	for_each_sgtable_sg(&a->table, sg, i)
		if (!dma_capable(a->dev, phys_to_dma(a->dev, sg_phys(sg)),
				 sg->length, true))
			return true;
	return false;
}

/* A mapping we cannot make safely: say why, in the importer's name. */
static void dmabuf_exporter_refuse(struct device *dev, const char *why)
{
	dev_warn_ratelimited(dev, "dma-buf mapping refused: %s\n", why);
}

/*
 * Map with the CPU sync skipped, then sync for the device.  The skip tells
 * DMA-API debug that this streaming mapping of memory it tracks as a
 * coherent allocation is intended; the explicit sync still does what the
 * importer's device needs (bounce copy, cache maintenance), since the
 * memory is coherent only for our own device.
 */
static int dmabuf_exporter_map(struct dmabuf_exporter_buffer *buf,
			       struct dmabuf_exporter_attachment *a,
			       enum dma_data_direction dir)
{
	int ret;

	lockdep_assert_held(&buf->lock);
	if (a->mapped)
		return -EBUSY;
	if (dmabuf_exporter_unreachable(a)) {
		dmabuf_exporter_refuse(a->dev,
				       "DMA mask below the buffer, no bounce");
		return -EIO;
	}
	a->dir = dmabuf_exporter_map_dir(dir);
	ret = dma_map_sgtable(a->dev, &a->table, a->dir,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		return ret;
	a->bounced = dmabuf_exporter_is_bounced(a);
	if (dmabuf_exporter_write_conflict(buf, a)) {
		/* Nothing was copied in: copy nothing out. */
		dma_unmap_sgtable(a->dev, &a->table, a->dir,
				  DMA_ATTR_SKIP_CPU_SYNC);
		dmabuf_exporter_refuse(a->dev,
				       "2nd writable mapping, bounced copies");
		return -EBUSY;
	}
	dma_sync_sgtable_for_device(a->dev, &a->table, a->dir);
	a->mapped = true;
	return 0;
}

static struct sg_table *
dmabuf_exporter_map_dma_buf(struct dma_buf_attachment *attachment,
			    enum dma_data_direction dir)
{
	struct dmabuf_exporter_buffer *buf = attachment->dmabuf->priv;
	struct dmabuf_exporter_attachment *a = attachment->priv;
	int ret;

	dmabuf_exporter_assert_resv_held(attachment->dmabuf);
	mutex_lock(&buf->lock);
	ret = dmabuf_exporter_map(buf, a, dir);
	mutex_unlock(&buf->lock);
	return ret ? ERR_PTR(ret) : &a->table;
}

static void dmabuf_exporter_unmap_dma_buf(struct dma_buf_attachment *attachment,
					  struct sg_table *table,
					  enum dma_data_direction dir)
{
	struct dmabuf_exporter_buffer *buf = attachment->dmabuf->priv;
	struct dmabuf_exporter_attachment *a = attachment->priv;

	dmabuf_exporter_assert_resv_held(attachment->dmabuf);
	mutex_lock(&buf->lock);
	/* @table is what map_dma_buf handed out; a->dir is how we mapped it. */
	if (!WARN_ON(!a->mapped || table != &a->table))
		dmabuf_exporter_unmap(a);
	mutex_unlock(&buf->lock);
}

/*
 * CPU access brackets.  The buffer is coherent for our device, but an
 * importer's device may not be: sync each live device mapping, in the
 * direction it was mapped with (DMA-API debug rejects any other).
 */
static void dmabuf_exporter_sync_mapped(struct dmabuf_exporter_buffer *buf,
					bool for_cpu)
{
	struct dmabuf_exporter_attachment *a;

	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node) {
		if (!a->mapped)
			continue;
		if (for_cpu)
			dma_sync_sgtable_for_cpu(a->dev, &a->table, a->dir);
		else
			dma_sync_sgtable_for_device(a->dev, &a->table, a->dir);
	}
	mutex_unlock(&buf->lock);
}

static int dmabuf_exporter_begin_cpu_access(struct dma_buf *dmabuf,
					    enum dma_data_direction dir)
{
	dmabuf_exporter_sync_mapped(dmabuf->priv, true);
	return 0;
}

static int dmabuf_exporter_end_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction dir)
{
	dmabuf_exporter_sync_mapped(dmabuf->priv, false);
	return 0;
}

/* The coherent allocation already has a kernel address: hand it out. */
static int dmabuf_exporter_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct dmabuf_exporter_buffer *buf = dmabuf->priv;

	dmabuf_exporter_assert_resv_held(dmabuf);
	iosys_map_set_vaddr(map, buf->vaddr);
	return 0;
}

static void dmabuf_exporter_vunmap(struct dma_buf *dmabuf,
				   struct iosys_map *map)
{
	dmabuf_exporter_assert_resv_held(dmabuf);
}

static void dmabuf_exporter_release(struct dma_buf *dmabuf)
{
	dmabuf_exporter_buffer_free(dmabuf->priv);
}

static const struct dma_buf_ops dmabuf_exporter_dmabuf_ops = {
	.attach = dmabuf_exporter_attach,
	.detach = dmabuf_exporter_detach,
	.map_dma_buf = dmabuf_exporter_map_dma_buf,
	.unmap_dma_buf = dmabuf_exporter_unmap_dma_buf,
	.begin_cpu_access = dmabuf_exporter_begin_cpu_access,
	.end_cpu_access = dmabuf_exporter_end_cpu_access,
	.mmap = dmabuf_exporter_mmap,
	.vmap = dmabuf_exporter_vmap,
	.vunmap = dmabuf_exporter_vunmap,
	.release = dmabuf_exporter_release,
};

/**
 * dmabuf_exporter_export - allocate a buffer and wrap it in a dma-buf
 * @size: bytes, already checked against max_buffer_size
 * @flags: DMABUF_EXPORTER_ALLOC_* bits, already validated
 * @accmode: O_RDWR or O_RDONLY: the mode of the dma-buf's file
 *
 * Return: the dma-buf, holding the only reference, or an ERR_PTR with
 * nothing allocated.
 */
struct dma_buf *dmabuf_exporter_export(u64 size, u64 flags, u32 accmode)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dmabuf_exporter_buffer *buf;
	struct dma_buf *dmabuf;

	buf = dmabuf_exporter_buffer_alloc(size, flags);
	if (IS_ERR(buf))
		return ERR_CAST(buf);
	exp_info.ops = &dmabuf_exporter_dmabuf_ops;
	exp_info.size = buf->size;
	/* The file mode comes from here; dma_buf_fd() only adds O_CLOEXEC. */
	exp_info.flags = accmode;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		dmabuf_exporter_buffer_free(buf);
		return dmabuf;
	}
	/*
	 * Ownership moves here: from now on only the dma-buf frees @buf, in
	 * release(), whenever its last reference goes.  Callers undo with
	 * dma_buf_put(), never by freeing @buf.
	 */
	return dmabuf;
}

/**
 * dmabuf_exporter_buffer_of - our buffer behind a dma-buf, if it is ours
 * @dmabuf: any dma-buf
 *
 * Return: the buffer, or NULL for another exporter's dma-buf.
 */
struct dmabuf_exporter_buffer *dmabuf_exporter_buffer_of(struct dma_buf *dmabuf)
{
	return dmabuf->ops == &dmabuf_exporter_dmabuf_ops ? dmabuf->priv : NULL;
}
