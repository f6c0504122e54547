// SPDX-License-Identifier: GPL-2.0
/*
 * edu_importer: binds QEMU's edu PCI devices (1234:11e8) and gives each a
 * /dev/edu_importerN through which a test imports dma-bufs and moves their
 * bytes by the device's DMA engine.  Test-only, never installed.  The ABI
 * is edu_importer.h; the DMA engine is edu_engine.c, the importer
 * edu_import.c.
 *
 * The DMA mask must be the device's own: edu clamps an address beyond it
 * instead of refusing it, and a clamped address is someone else's memory.
 * The device does not tell its mask (QEMU's dma_mask property, 28 bits by
 * default), so whoever starts QEMU tells the driver, per PCI address, in
 * the dma_bits parameter; an edu not named there gets edu's default.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "edu_engine.h"
#include "edu_import.h"

#define EDU_DEFAULT_DMA_BITS 28

static char *dma_bits;
module_param(dma_bits, charp, 0444);
MODULE_PARM_DESC(dma_bits, "BDF=BITS,... e.g. 0000:00:04.0=64 (else 28)");

static DEFINE_IDA(edu_ida);

/* The bits given for @pdev in dma_bits, or edu's default; -EINVAL if bad. */
static int edu_dma_bits(struct pci_dev *pdev)
{
	char *list, *cur, *item, *eq;
	unsigned int bits = EDU_DEFAULT_DMA_BITS;
	int ret = 0;

	if (!dma_bits)
		return bits;
	list = kstrdup(dma_bits, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while ((item = strsep(&cur, ","))) {
		eq = strchr(item, '=');
		if (!eq)
			continue;
		*eq = '\0';
		if (strcmp(item, pci_name(pdev)))
			continue;
		if (kstrtouint(eq + 1, 10, &bits) || bits < 12 || bits > 64)
			ret = -EINVAL;
	}
	kfree(list);
	return ret ?: bits;
}

static void edu_dev_release(struct kref *ref)
{
	struct edu_dev *edu = container_of(ref, struct edu_dev, ref);

	ida_free(&edu_ida, edu->index);
	pci_dev_put(edu->pdev);
	mutex_destroy(&edu->lock);
	kfree(edu);
}

void edu_dev_put(struct edu_dev *edu)
{
	kref_put(&edu->ref, edu_dev_release);
}

static int edu_setup_dma(struct edu_dev *edu)
{
	struct device *dev = &edu->pdev->dev;
	int bits = edu_dma_bits(edu->pdev);
	int ret;

	if (bits < 0) {
		dev_err(dev, "bad dma_bits entry for %s\n",
			pci_name(edu->pdev));
		return bits;
	}
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret) {
		dev_err(dev, "a %d-bit DMA mask is not supported here\n", bits);
		return ret;
	}
	edu->dma_bits = bits;
	edu->staging = dma_alloc_coherent(dev, PAGE_SIZE, &edu->staging_dma,
					  GFP_KERNEL);
	return edu->staging ? 0 : -ENOMEM;
}

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_dev *edu;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	kref_init(&edu->ref);
	mutex_init(&edu->lock);
	edu->pdev = pci_dev_get(pdev);
	edu->index = ida_alloc(&edu_ida, GFP_KERNEL);
	if (edu->index < 0) {
		ret = edu->index;
		pci_dev_put(pdev);
		mutex_destroy(&edu->lock);
		kfree(edu);
		return ret;
	}
	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_put;
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	pci_set_master(pdev);
	ret = edu_setup_dma(edu);
	if (ret)
		goto err_unmap;
	snprintf(edu->name, sizeof(edu->name), "edu_importer%d", edu->index);
	edu->misc.minor = MISC_DYNAMIC_MINOR;
	edu->misc.name = edu->name;
	edu->misc.fops = &edu_import_fops;
	edu->misc.mode = 0600;
	ret = misc_register(&edu->misc);
	if (ret)
		goto err_free_staging;
	pci_set_drvdata(pdev, edu);
	dev_info(&pdev->dev, "/dev/%s: %u-bit DMA mask, %s\n", edu->name,
		 edu->dma_bits,
		 device_iommu_mapped(&pdev->dev) ? "behind an IOMMU" :
						   "no IOMMU");
	return 0;

err_free_staging:
	dma_free_coherent(&pdev->dev, PAGE_SIZE, edu->staging,
			  edu->staging_dma);
err_unmap:
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu->regs);
err_release:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
err_put:
	edu_dev_put(edu);
	return ret;
}

/*
 * Open files keep @edu (and the pci_dev) alive, not the hardware: mark it
 * gone under the engine lock, so no transfer starts after the registers
 * and the staging page are released.
 */
static void edu_remove(struct pci_dev *pdev)
{
	struct edu_dev *edu = pci_get_drvdata(pdev);

	misc_deregister(&edu->misc);
	mutex_lock(&edu->lock);
	edu->gone = true;
	mutex_unlock(&edu->lock);
	dma_free_coherent(&pdev->dev, PAGE_SIZE, edu->staging,
			  edu->staging_dma);
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu->regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	edu_dev_put(edu);
}

static const struct pci_device_id edu_ids[] = { { PCI_DEVICE(0x1234, 0x11e8) },
						{} };
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};
module_pci_driver(edu_driver);

MODULE_DESCRIPTION("Test-only dma-buf importer driving QEMU's edu DMA engine");
MODULE_LICENSE("GPL");
#ifdef EDU_IMPORTER_HAVE_STRING_IMPORT_NS
MODULE_IMPORT_NS("DMA_BUF");
#else
MODULE_IMPORT_NS(DMA_BUF);
#endif
