// SPDX-License-Identifier: GPL-2.0
/*
 * The dma-buf around a coherent buffer: importer attachments and their
 * DMA mappings, CPU access brackets, kernel mapping and release.
 */
#include <linux/dma-buf.h>
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
 * @dir:	direction of the current mapping
 * @mapped:	@table is DMA-mapped
 * @node:	entry in dmabuf_exporter_buffer.attachments
 */
struct dmabuf_exporter_attachment {
	struct device *dev;
	struct sg_table table;
	enum dma_data_direction dir;
	bool mapped;
	struct list_head node;
};

/*
 * Copy @src into @dst, cutting every segment to at most @max_seg bytes.
 * The buffer's own table is one segment per contiguous run, but the
 * importer's device may take less: one without DMA parameters accepts
 * 64 KiB, and DMA-API debug reports a longer segment as a bug of whoever
 * built the list.
 */
static int dmabuf_exporter_copy_table(struct sg_table *dst,
				      const struct sg_table *src,
				      unsigned int max_seg)
{
	struct scatterlist *s, *d;
	unsigned int i, nents = 0, off, len;
	int ret;

	/* Whole pages, and at least one whatever the device claims. */
	max_seg = round_down(max_seg, PAGE_SIZE) ?: PAGE_SIZE;
	for_each_sgtable_sg(src, s, i)
		nents += DIV_ROUND_UP(s->length, max_seg);
	ret = sg_alloc_table(dst, nents, GFP_KERNEL);
	if (ret)
		return ret;
	d = dst->sgl;
	for_each_sgtable_sg(src, s, i) {
		for (off = 0; off < s->length; off += len) {
			unsigned int pos = s->offset + off;

			len = min(s->length - off, max_seg);
			/*
			 * Through the pfn: correct on every memory model,
			 * and nth_page() is gone by 7.2.
			 */
			sg_set_page(d, pfn_to_page(page_to_pfn(sg_page(s)) +
						   (pos >> PAGE_SHIFT)),
				    len, offset_in_page(pos));
			d = sg_next(d);
		}
	}
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
					 dma_get_max_seg_size(attachment->dev));
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

static void dmabuf_exporter_detach(struct dma_buf *dmabuf,
				   struct dma_buf_attachment *attachment)
{
	struct dmabuf_exporter_buffer *buf = dmabuf->priv;
	struct dmabuf_exporter_attachment *a = attachment->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	/* The core unmaps before detaching; a mapping left here is a bug. */
	WARN_ON(a->mapped);
	sg_free_table(&a->table);
	kfree(a);
}

static struct sg_table *
dmabuf_exporter_map_dma_buf(struct dma_buf_attachment *attachment,
			    enum dma_data_direction dir)
{
	struct dmabuf_exporter_buffer *buf = attachment->dmabuf->priv;
	struct dmabuf_exporter_attachment *a = attachment->priv;
	int ret = -EBUSY;

	dmabuf_exporter_assert_resv_held(attachment->dmabuf);
	mutex_lock(&buf->lock);
	/*
	 * The memory is coherent, so there is nothing to flush: skip the CPU
	 * sync.  That also tells DMA-API debug that this streaming mapping of
	 * memory it already tracks as a coherent allocation is intended.
	 */
	if (!a->mapped)
		ret = dma_map_sgtable(a->dev, &a->table, dir,
				      DMA_ATTR_SKIP_CPU_SYNC);
	if (!ret) {
		a->mapped = true;
		a->dir = dir;
	}
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
	dma_unmap_sgtable(a->dev, table, dir, DMA_ATTR_SKIP_CPU_SYNC);
	a->mapped = false;
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
