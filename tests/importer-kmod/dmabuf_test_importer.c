// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_test_importer: a pretend device that imports dma-bufs, for tests.
 *
 * In the spirit of vgem and vivid: no hardware, small, never loaded outside
 * the test VM.  Each open file is one device (a platform device of its own,
 * so each can have its own DMA mask and segment limits) attached to at most
 * one dma-buf.  It maps the buffer for that device, touches the memory
 * through the DMA addresses the way a bus-mastering device would, vmaps it,
 * and forwards mmap() of its own file to dma_buf_mmap(), as drm_gem_shmem
 * does for imported objects.  The ABI is dmabuf_test_importer.h.
 *
 * "Through the DMA addresses" means: a DMA address is turned back into the
 * CPU's view of the same bus address.  That is only the identity on a
 * machine where bus addresses are physical addresses (no IOMMU, no DMA
 * offset, no memory encryption), which the module checks at attach time:
 * the test VM is such a machine.  With swiotlb the DMA address is the bounce
 * slot, so the "device" sees exactly what a real one would.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/uaccess.h>

#include "dmabuf_test_importer.h"

/**
 * struct test_importer - one open file: a device and its import
 * @lock:	protects everything below
 * @pdev:	the pretend device, with the DMA mask asked for
 * @dmabuf:	the imported buffer, NULL before ATTACH
 * @attach:	its attachment for @pdev
 * @sgt:	the current DMA mapping, NULL when unmapped
 * @dir:	direction of @sgt
 */
struct test_importer {
	struct mutex lock; /* protects the fields below */
	struct platform_device *pdev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static struct sg_table *test_importer_map(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
#ifdef TEST_IMPORTER_HAVE_MAP_UNLOCKED
	return dma_buf_map_attachment_unlocked(attach, dir);
#else
	return dma_buf_map_attachment(attach, dir);
#endif
}

static void test_importer_unmap(struct test_importer *ti)
{
#ifdef TEST_IMPORTER_HAVE_MAP_UNLOCKED
	dma_buf_unmap_attachment_unlocked(ti->attach, ti->sgt, ti->dir);
#else
	dma_buf_unmap_attachment(ti->attach, ti->sgt, ti->dir);
#endif
	ti->sgt = NULL;
}

static int test_importer_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
#ifdef TEST_IMPORTER_HAVE_VMAP_UNLOCKED
	return dma_buf_vmap_unlocked(dmabuf, map);
#else
	return dma_buf_vmap(dmabuf, map);
#endif
}

static void test_importer_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
#ifdef TEST_IMPORTER_HAVE_VMAP_UNLOCKED
	dma_buf_vunmap_unlocked(dmabuf, map);
#else
	dma_buf_vunmap(dmabuf, map);
#endif
}

/* Bus address == physical address: see the top of this file. */
static bool test_importer_bus_is_phys(struct device *dev)
{
	return !dev->dma_range_map && !device_iommu_mapped(dev) &&
	       !cc_platform_has(CC_ATTR_MEM_ENCRYPT);
}

static struct platform_device *test_importer_device(u32 bits)
{
	const struct platform_device_info info = {
		.name = KBUILD_MODNAME,
		.id = PLATFORM_DEVID_AUTO,
		.dma_mask = DMA_BIT_MASK(bits ?: 64),
	};

	return platform_device_register_full(&info);
}

static int test_importer_attach(struct test_importer *ti,
				const struct dmabuf_test_attach *req)
{
	struct dma_buf_attachment *attach;
	struct platform_device *pdev;
	struct dma_buf *dmabuf;
	int ret;

	if (ti->dmabuf)
		return -EBUSY;
	if (req->dma_bits > 64 || req->max_seg_size > UINT_MAX)
		return -EINVAL;
	pdev = test_importer_device(req->dma_bits);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	ret = -EOPNOTSUPP;
	if (!test_importer_bus_is_phys(&pdev->dev))
		goto err_unregister;
	if (req->max_seg_size)
		dma_set_max_seg_size(&pdev->dev, req->max_seg_size);
	if (req->seg_boundary)
		dma_set_seg_boundary(&pdev->dev, req->seg_boundary);
	dmabuf = dma_buf_get(req->fd);
	ret = PTR_ERR(dmabuf);
	if (IS_ERR(dmabuf))
		goto err_unregister;
	attach = dma_buf_attach(dmabuf, &pdev->dev);
	ret = PTR_ERR(attach);
	if (IS_ERR(attach))
		goto err_put;
	ti->pdev = pdev;
	ti->dmabuf = dmabuf;
	ti->attach = attach;
	return 0;

err_put:
	dma_buf_put(dmabuf);
err_unregister:
	platform_device_unregister(pdev);
	return ret;
}

/* Count what the exporter got wrong for this device, if anything. */
static void test_importer_describe(struct test_importer *ti,
				   struct dmabuf_test_map *res)
{
	struct device *dev = &ti->pdev->dev;
	unsigned long boundary = dma_get_seg_boundary(dev);
	unsigned int max_seg = dma_get_max_seg_size(dev);
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_dma_sg(ti->sgt, sg, i) {
		dma_addr_t addr = sg_dma_address(sg);
		unsigned int len = sg_dma_len(sg);

		res->nents++;
		if (addr != page_to_phys(sg_page(sg)) + sg->offset)
			res->bounced++;
		if (len > max_seg)
			res->too_long++;
		if ((addr & ~(dma_addr_t)boundary) !=
		    ((addr + len - 1) & ~(dma_addr_t)boundary))
			res->crossing++;
	}
}

static int test_importer_do_map(struct test_importer *ti,
				struct dmabuf_test_map *req)
{
	struct sg_table *sgt;

	if (!ti->attach)
		return -ENODEV;
	if (ti->sgt)
		return -EBUSY;
	if (req->pad || !valid_dma_direction(req->dir))
		return -EINVAL;
	sgt = test_importer_map(ti->attach, req->dir);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	ti->sgt = sgt;
	ti->dir = req->dir;
	test_importer_describe(ti, req);
	return 0;
}

/*
 * What a device does: write or compare every byte the mapping covers, at
 * the bus addresses it was given.  No CPU sync here: a device does none.
 */
static u64 test_importer_dma_access(struct test_importer *ti, u8 byte,
				    bool write)
{
	struct scatterlist *sg;
	u64 mismatches = 0;
	unsigned int i, j;

	for_each_sgtable_dma_sg(ti->sgt, sg, i) {
		u8 *p = phys_to_virt(sg_dma_address(sg));

		if (write) {
			memset(p, byte, sg_dma_len(sg));
			continue;
		}
		for (j = 0; j < sg_dma_len(sg); j++)
			mismatches += p[j] != byte;
		cond_resched();
	}
	return mismatches;
}

static int test_importer_dev_access(struct test_importer *ti,
				    struct dmabuf_test_access *req, bool write)
{
	if (!ti->sgt)
		return -ENODEV;
	if (req->pad || req->byte > 0xff)
		return -EINVAL;
	req->mismatches = test_importer_dma_access(ti, req->byte, write);
	return 0;
}

static int test_importer_vmap_access(struct test_importer *ti,
				     struct dmabuf_test_access *req, bool write)
{
	struct iosys_map map;
	size_t i;
	int ret;

	if (!ti->dmabuf)
		return -ENODEV;
	if (req->pad || req->byte > 0xff)
		return -EINVAL;
	ret = test_importer_vmap(ti->dmabuf, &map);
	if (ret)
		return ret;
	req->mismatches = 0;
	if (write)
		iosys_map_memset(&map, 0, req->byte, ti->dmabuf->size);
	else
		for (i = 0; i < ti->dmabuf->size; i++)
			req->mismatches += iosys_map_rd(&map, i, u8) !=
					   req->byte;
	test_importer_vunmap(ti->dmabuf, &map);
	return 0;
}

/* Tear down in reverse; @unmap false leaves a mapping for detach to find. */
static void test_importer_detach(struct test_importer *ti, bool unmap)
{
	if (!ti->dmabuf)
		return;
	if (ti->sgt && unmap)
		test_importer_unmap(ti);
	ti->sgt = NULL;
	dma_buf_detach(ti->dmabuf, ti->attach);
	dma_buf_put(ti->dmabuf);
	platform_device_unregister(ti->pdev);
	ti->dmabuf = NULL;
	ti->attach = NULL;
	ti->pdev = NULL;
}

static long test_importer_cmd(struct test_importer *ti, unsigned int cmd,
			      void *arg)
{
	bool write = cmd == DMABUF_TEST_IOC_DEV_WRITE ||
		     cmd == DMABUF_TEST_IOC_VMAP_WRITE;

	switch (cmd) {
	case DMABUF_TEST_IOC_ATTACH:
		return test_importer_attach(ti, arg);
	case DMABUF_TEST_IOC_MAP:
		return test_importer_do_map(ti, arg);
	case DMABUF_TEST_IOC_UNMAP:
		if (!ti->sgt)
			return -ENODEV;
		test_importer_unmap(ti);
		return 0;
	case DMABUF_TEST_IOC_DEV_WRITE:
	case DMABUF_TEST_IOC_DEV_READ:
		return test_importer_dev_access(ti, arg, write);
	case DMABUF_TEST_IOC_VMAP_WRITE:
	case DMABUF_TEST_IOC_VMAP_READ:
		return test_importer_vmap_access(ti, arg, write);
	case DMABUF_TEST_IOC_DETACH:
		test_importer_detach(ti, false);
		return 0;
	}
	return -ENOTTY;
}

static long test_importer_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct test_importer *ti = file->private_data;
	union {
		struct dmabuf_test_attach attach;
		struct dmabuf_test_map map;
		struct dmabuf_test_access access;
	} buf;
	unsigned int size = _IOC_SIZE(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != DMABUF_TEST_IOC_MAGIC || size > sizeof(buf))
		return -ENOTTY;
	memset(&buf, 0, sizeof(buf));
	if ((_IOC_DIR(cmd) & _IOC_WRITE) &&
	    copy_from_user(&buf, (void __user *)arg, size))
		return -EFAULT;
	mutex_lock(&ti->lock);
	ret = test_importer_cmd(ti, cmd, &buf);
	mutex_unlock(&ti->lock);
	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user((void __user *)arg, &buf, size))
		ret = -EFAULT;
	return ret;
}

/* What drm_gem_shmem does for an imported object: let the exporter map. */
static int test_importer_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct test_importer *ti = file->private_data;
	int ret = -ENODEV;

	mutex_lock(&ti->lock);
	if (ti->dmabuf)
		ret = dma_buf_mmap(ti->dmabuf, vma, vma->vm_pgoff);
	mutex_unlock(&ti->lock);
	return ret;
}

static int test_importer_open(struct inode *inode, struct file *file)
{
	struct test_importer *ti = kzalloc(sizeof(*ti), GFP_KERNEL);

	if (!ti)
		return -ENOMEM;
	mutex_init(&ti->lock);
	file->private_data = ti;
	return 0;
}

static int test_importer_release(struct inode *inode, struct file *file)
{
	struct test_importer *ti = file->private_data;

	test_importer_detach(ti, true);
	mutex_destroy(&ti->lock);
	kfree(ti);
	return 0;
}

static const struct file_operations test_importer_fops = {
	.owner = THIS_MODULE,
	.open = test_importer_open,
	.release = test_importer_release,
	.unlocked_ioctl = test_importer_ioctl,
	.mmap = test_importer_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice test_importer_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KBUILD_MODNAME,
	.fops = &test_importer_fops,
	.mode = 0600,
};

module_misc_device(test_importer_misc);

MODULE_DESCRIPTION("Test-only dma-buf importer: a pretend DMA device");
MODULE_LICENSE("GPL");
#ifdef TEST_IMPORTER_HAVE_STRING_IMPORT_NS
MODULE_IMPORT_NS("DMA_BUF");
#else
MODULE_IMPORT_NS(DMA_BUF);
#endif
