// SPDX-License-Identifier: GPL-2.0
/*
 * The importer side of /dev/edu_importerN: each open file imports one
 * dma-buf for the edu device, maps it through the dma-buf API, tells the
 * test where each DMA segment lies, and moves bytes between the buffer
 * and the device window only by the device's DMA engine.  Nothing here
 * reads or writes the buffer with the CPU: that is the point.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-buf.h>

#include "edu_engine.h"
#include "edu_import.h"
#include "edu_importer.h"

/**
 * struct edu_import - one open file: an importer of one dma-buf
 * @edu:	the device, referenced
 * @lock:	protects everything below
 * @dmabuf:	the imported buffer, NULL before ATTACH
 * @attach:	its attachment for the edu's PCI device
 * @sgt:	the current mapping, NULL when unmapped
 * @dir:	direction of @sgt
 */
struct edu_import {
	struct edu_dev *edu;
	struct mutex lock; /* protects the fields below */
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static struct sg_table *edu_import_map_attachment(struct dma_buf_attachment *a,
						  enum dma_data_direction dir)
{
#ifdef EDU_IMPORTER_HAVE_MAP_UNLOCKED
	return dma_buf_map_attachment_unlocked(a, dir);
#else
	return dma_buf_map_attachment(a, dir);
#endif
}

static void edu_import_unmap(struct edu_import *imp)
{
#ifdef EDU_IMPORTER_HAVE_MAP_UNLOCKED
	dma_buf_unmap_attachment_unlocked(imp->attach, imp->sgt, imp->dir);
#else
	dma_buf_unmap_attachment(imp->attach, imp->sgt, imp->dir);
#endif
	imp->sgt = NULL;
}

static void edu_import_info(struct edu_import *imp, struct edu_importer_info *r)
{
	struct pci_dev *pdev = imp->edu->pdev;

	r->abi_version = EDU_IMPORTER_ABI_VERSION;
	r->dma_bits = imp->edu->dma_bits;
	r->dma_mask = dma_get_mask(&pdev->dev);
	r->translated = device_iommu_mapped(&pdev->dev);
	r->pci_id = pci_domain_nr(pdev->bus) << 16 | pdev->bus->number << 8 |
		    pdev->devfn;
}

static int edu_import_attach(struct edu_import *imp,
			     const struct edu_importer_attach *req)
{
	struct dma_buf_attachment *attach;
	struct dma_buf *dmabuf;

	if (req->pad)
		return -EINVAL;
	if (imp->dmabuf)
		return -EBUSY;
	dmabuf = dma_buf_get(req->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	attach = dma_buf_attach(dmabuf, &imp->edu->pdev->dev);
	if (IS_ERR(attach)) {
		dma_buf_put(dmabuf);
		return PTR_ERR(attach);
	}
	imp->dmabuf = dmabuf;
	imp->attach = attach;
	return 0;
}

static int edu_import_map(struct edu_import *imp, struct edu_importer_map *req)
{
	struct sg_table *sgt;

	if (!imp->attach)
		return -ENODEV;
	if (imp->sgt)
		return -EBUSY;
	if (!valid_dma_direction(req->dir))
		return -EINVAL;
	sgt = edu_import_map_attachment(imp->attach, req->dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	imp->sgt = sgt;
	imp->dir = req->dir;
	req->nents = sgt->nents;
	return 0;
}

/*
 * DMA segment @index: its buffer offset, address and length.  The DMA
 * segments cover the buffer in order (an IOMMU may have merged several
 * CPU segments into one), so the offset is the sum of those before it.
 */
static int edu_import_segment(struct edu_import *imp,
			      struct edu_importer_segment *req)
{
	struct scatterlist *sg;
	u64 offset = 0;
	unsigned int i;

	if (req->pad)
		return -EINVAL;
	if (!imp->sgt)
		return -ENODEV;
	for_each_sgtable_dma_sg(imp->sgt, sg, i) {
		if (i == req->index) {
			req->offset = offset;
			req->dma_addr = sg_dma_address(sg);
			req->len = sg_dma_len(sg);
			return 0;
		}
		offset += sg_dma_len(sg);
	}
	return -EINVAL;
}

/* The DMA address of @len bytes at @offset, all inside one segment. */
static int edu_import_dma_addr(struct edu_import *imp, u64 offset, u32 len,
			       dma_addr_t *addr)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(imp->sgt, sg, i) {
		if (offset < sg_dma_len(sg)) {
			if (len > sg_dma_len(sg) - offset)
				return -EINVAL;
			*addr = sg_dma_address(sg) + offset;
			return 0;
		}
		offset -= sg_dma_len(sg);
	}
	return -EINVAL;
}

static bool edu_import_dir_allows(enum dma_data_direction dir, bool to_buffer)
{
	if (dir == DMA_BIDIRECTIONAL)
		return true;
	return dir == (to_buffer ? DMA_FROM_DEVICE : DMA_TO_DEVICE);
}

static int edu_import_xfer(struct edu_import *imp,
			   const struct edu_importer_xfer *req)
{
	dma_addr_t addr;
	int ret;

	if (req->pad || req->to_buffer > 1)
		return -EINVAL;
	if (!imp->sgt)
		return -ENODEV;
	/* A device that writes a TO_DEVICE mapping breaks the DMA API. */
	if (!edu_import_dir_allows(imp->dir, req->to_buffer))
		return -EPERM;
	ret = edu_import_dma_addr(imp, req->buf_offset, req->len, &addr);
	if (ret)
		return ret;
	return edu_engine_xfer(imp->edu, addr, req->win_offset, req->len,
			       req->to_buffer);
}

static int edu_import_window(struct edu_import *imp,
			     const struct edu_importer_window *req, bool write)
{
	return edu_engine_window(imp->edu, u64_to_user_ptr(req->data),
				 req->win_offset, req->len, write);
}

/* What a driver does around CPU access to an import: the exporter's sync. */
static int edu_import_sync(struct edu_import *imp,
			   const struct edu_importer_sync *req)
{
	u32 rw = req->flags & DMA_BUF_SYNC_RW;
	enum dma_data_direction dir;

	if (req->pad || !rw || req->flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK)
		return -EINVAL;
	if (!imp->dmabuf)
		return -ENODEV;
	dir = rw == DMA_BUF_SYNC_RW   ? DMA_BIDIRECTIONAL :
	      rw == DMA_BUF_SYNC_READ ? DMA_FROM_DEVICE :
					DMA_TO_DEVICE;
	if (req->flags & DMA_BUF_SYNC_END)
		return dma_buf_end_cpu_access(imp->dmabuf, dir);
	return dma_buf_begin_cpu_access(imp->dmabuf, dir);
}

static void edu_import_detach(struct edu_import *imp)
{
	if (!imp->dmabuf)
		return;
	if (imp->sgt)
		edu_import_unmap(imp);
	dma_buf_detach(imp->dmabuf, imp->attach);
	dma_buf_put(imp->dmabuf);
	imp->dmabuf = NULL;
	imp->attach = NULL;
}

static long edu_import_cmd(struct edu_import *imp, unsigned int cmd, void *arg)
{
	switch (cmd) {
	case EDU_IMPORTER_IOC_INFO:
		edu_import_info(imp, arg);
		return 0;
	case EDU_IMPORTER_IOC_ATTACH:
		return edu_import_attach(imp, arg);
	case EDU_IMPORTER_IOC_MAP:
		return edu_import_map(imp, arg);
	case EDU_IMPORTER_IOC_UNMAP:
		if (!imp->sgt)
			return -ENODEV;
		edu_import_unmap(imp);
		return 0;
	case EDU_IMPORTER_IOC_SEGMENT:
		return edu_import_segment(imp, arg);
	case EDU_IMPORTER_IOC_XFER:
		return edu_import_xfer(imp, arg);
	case EDU_IMPORTER_IOC_WINDOW_WRITE:
	case EDU_IMPORTER_IOC_WINDOW_READ:
		return edu_import_window(imp, arg,
					 cmd == EDU_IMPORTER_IOC_WINDOW_WRITE);
	case EDU_IMPORTER_IOC_SYNC:
		return edu_import_sync(imp, arg);
	case EDU_IMPORTER_IOC_DETACH:
		if (!imp->dmabuf)
			return -ENODEV;
		edu_import_detach(imp);
		return 0;
	}
	return -ENOTTY;
}

static long edu_import_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct edu_import *imp = file->private_data;
	union {
		struct edu_importer_info info;
		struct edu_importer_attach attach;
		struct edu_importer_map map;
		struct edu_importer_segment segment;
		struct edu_importer_xfer xfer;
		struct edu_importer_window window;
		struct edu_importer_sync sync;
	} buf;
	unsigned int size = _IOC_SIZE(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != EDU_IMPORTER_IOC_MAGIC || size > sizeof(buf))
		return -ENOTTY;
	memset(&buf, 0, sizeof(buf));
	if ((_IOC_DIR(cmd) & _IOC_WRITE) &&
	    copy_from_user(&buf, (void __user *)arg, size))
		return -EFAULT;
	mutex_lock(&imp->lock);
	ret = edu_import_cmd(imp, cmd, &buf);
	mutex_unlock(&imp->lock);
	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user((void __user *)arg, &buf, size))
		ret = -EFAULT;
	return ret;
}

static int edu_import_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our struct miscdevice here. */
	struct edu_dev *edu =
		container_of(file->private_data, struct edu_dev, misc);
	struct edu_import *imp = kzalloc(sizeof(*imp), GFP_KERNEL);

	if (!imp)
		return -ENOMEM;
	mutex_init(&imp->lock);
	kref_get(&edu->ref);
	imp->edu = edu;
	file->private_data = imp;
	return 0;
}

static int edu_import_release(struct inode *inode, struct file *file)
{
	struct edu_import *imp = file->private_data;

	edu_import_detach(imp);
	edu_dev_put(imp->edu);
	mutex_destroy(&imp->lock);
	kfree(imp);
	return 0;
}

const struct file_operations edu_import_fops = {
	.owner = THIS_MODULE,
	.open = edu_import_open,
	.release = edu_import_release,
	.unlocked_ioctl = edu_import_ioctl,
	.llseek = noop_llseek,
};
