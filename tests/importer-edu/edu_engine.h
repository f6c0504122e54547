/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One edu device as the importer side sees it: its registers, its DMA
 * engine and the staging page the driver fills the window through.
 */
#ifndef _EDU_ENGINE_H
#define _EDU_ENGINE_H

#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>

/**
 * struct edu_dev - one bound edu device
 * @pdev:	the PCI device, referenced for as long as @ref lives
 * @ref:	held by the PCI binding and by every open file
 * @lock:	one transfer at a time; protects @regs, @staging and @gone
 * @regs:	BAR 0
 * @staging:	a coherent page of ours, the other end of window accesses
 * @staging_dma: its DMA address
 * @gone:	the device was unbound or a transfer timed out: no more DMA
 * @dma_bits:	the mask set on @pdev, in bits
 * @index:	N of /dev/edu_importerN
 * @name:	"edu_importerN"
 * @misc:	the character device
 */
struct edu_dev {
	struct pci_dev *pdev;
	struct kref ref;
	struct mutex lock; /* serialises the engine; protects the next four */
	void __iomem *regs;
	void *staging;
	dma_addr_t staging_dma;
	bool gone;
	unsigned int dma_bits;
	int index;
	char name[24];
	struct miscdevice misc;
};

int edu_engine_xfer(struct edu_dev *edu, dma_addr_t addr, u32 win_offset,
		    u32 len, bool to_ram);
int edu_engine_window(struct edu_dev *edu, void __user *data, u32 win_offset,
		      u32 len, bool write);
int edu_engine_check(struct edu_dev *edu, u32 win_offset, u32 len);

#endif /* _EDU_ENGINE_H */
