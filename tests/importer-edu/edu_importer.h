/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edu_importer: a test-only dma-buf importer driving QEMU's edu PCI device
 * (1234:11e8), a real DMA engine.  The ABI shared by the module and the
 * in-VM suite.  Never installed.
 *
 * Each edu device is /dev/edu_importerN.  Each open file is one importer
 * of that device: it attaches to one dma-buf, maps it for the edu's PCI
 * device in the direction asked for, and moves bytes between the buffer
 * and the device's 4 KiB window only by the device's DMA engine.  The CPU
 * never touches the buffer.  The window itself is filled and read by DMA
 * from and to the driver's own coherent staging page.
 *
 * Version: EDU_IMPORTER_ABI_VERSION, reported by INFO; new ioctls get new
 * numbers and a new version.
 */
#ifndef _UAPI_EDU_IMPORTER_H
#define _UAPI_EDU_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define EDU_IMPORTER_ABI_VERSION 1
/* edu's window: 4 KiB at device address 0x40000. */
#define EDU_IMPORTER_WINDOW_SIZE 4096
/*
 * Longest transfer the driver programs.  QEMU 7.2's range check is off by
 * one: a transfer that reaches the window's last byte kills QEMU.  The
 * driver also refuses win_offset + len > EDU_IMPORTER_WINDOW_SIZE - 1.
 */
#define EDU_IMPORTER_MAX_XFER 2048

/**
 * struct edu_importer_info - EDU_IMPORTER_IOC_INFO result
 * @abi_version: EDU_IMPORTER_ABI_VERSION of the module
 * @dma_bits:	the DMA mask the driver set for the device, in bits
 * @dma_mask:	that mask
 * @translated:	1 when the device's DMA goes through an IOMMU
 * @pci_id:	PCI domain << 16 | bus << 8 | devfn
 */
struct edu_importer_info {
	__u32 abi_version;
	__u32 dma_bits;
	__u64 dma_mask;
	__u32 translated;
	__u32 pci_id;
};

/**
 * struct edu_importer_attach - EDU_IMPORTER_IOC_ATTACH argument
 * @fd:		the dma-buf to import
 * @pad:	0
 */
struct edu_importer_attach {
	__u32 fd;
	__u32 pad;
};

/**
 * struct edu_importer_map - EDU_IMPORTER_IOC_MAP argument and result
 * @dir:	in: enum dma_data_direction (0 BIDIRECTIONAL, 1 TO_DEVICE,
 *		2 FROM_DEVICE)
 * @nents:	out: DMA segments of the mapping (EDU_IMPORTER_IOC_SEGMENT)
 */
struct edu_importer_map {
	__u32 dir;
	__u32 nents;
};

/**
 * struct edu_importer_segment - EDU_IMPORTER_IOC_SEGMENT argument and result
 * @index:	in: DMA segment, below edu_importer_map.nents
 * @pad:	0
 * @offset:	out: where the segment starts in the buffer
 * @dma_addr:	out: its DMA address as the device sees it
 * @len:	out: its length in bytes
 */
struct edu_importer_segment {
	__u32 index;
	__u32 pad;
	__u64 offset;
	__u64 dma_addr;
	__u64 len;
};

/**
 * struct edu_importer_xfer - EDU_IMPORTER_IOC_XFER argument
 * @buf_offset:	byte offset in the buffer; the transfer must lie inside one
 *		DMA segment
 * @win_offset:	byte offset in the device window
 * @len:	bytes, 1 to EDU_IMPORTER_MAX_XFER
 * @to_buffer:	1: the device writes the buffer (window -> buffer; needs a
 *		FROM_DEVICE or BIDIRECTIONAL mapping); 0: the device reads it
 *		(buffer -> window; TO_DEVICE or BIDIRECTIONAL)
 * @pad:	0
 */
struct edu_importer_xfer {
	__u64 buf_offset;
	__u32 win_offset;
	__u32 len;
	__u32 to_buffer;
	__u32 pad;
};

/**
 * struct edu_importer_window - EDU_IMPORTER_IOC_WINDOW_{READ,WRITE} argument
 * @data:	user pointer to @len bytes
 * @win_offset:	byte offset in the device window
 * @len:	bytes, 1 to EDU_IMPORTER_MAX_XFER
 */
struct edu_importer_window {
	__u64 data;
	__u32 win_offset;
	__u32 len;
};

/**
 * struct edu_importer_sync - EDU_IMPORTER_IOC_SYNC argument
 * @flags:	DMA_BUF_SYNC_START or DMA_BUF_SYNC_END, with DMA_BUF_SYNC_READ
 *		and/or DMA_BUF_SYNC_WRITE, as in <linux/dma-buf.h>: the
 *		driver calls dma_buf_begin/end_cpu_access() on the import
 * @pad:	0
 */
struct edu_importer_sync {
	__u32 flags;
	__u32 pad;
};

#define EDU_IMPORTER_IOC_MAGIC 'E'
#define EDU_IMPORTER_IOC_INFO \
	_IOR(EDU_IMPORTER_IOC_MAGIC, 0, struct edu_importer_info)
/* dma_buf_get() + dma_buf_attach() for the edu device; one per open file. */
#define EDU_IMPORTER_IOC_ATTACH \
	_IOW(EDU_IMPORTER_IOC_MAGIC, 1, struct edu_importer_attach)
/* dma_buf_map_attachment() in a direction. */
#define EDU_IMPORTER_IOC_MAP \
	_IOWR(EDU_IMPORTER_IOC_MAGIC, 2, struct edu_importer_map)
#define EDU_IMPORTER_IOC_UNMAP _IO(EDU_IMPORTER_IOC_MAGIC, 3)
#define EDU_IMPORTER_IOC_SEGMENT \
	_IOWR(EDU_IMPORTER_IOC_MAGIC, 4, struct edu_importer_segment)
/* One DMA transfer between the mapped buffer and the window. */
#define EDU_IMPORTER_IOC_XFER \
	_IOW(EDU_IMPORTER_IOC_MAGIC, 5, struct edu_importer_xfer)
/* Fill or read the window (by DMA through the driver's staging page). */
#define EDU_IMPORTER_IOC_WINDOW_WRITE \
	_IOW(EDU_IMPORTER_IOC_MAGIC, 6, struct edu_importer_window)
#define EDU_IMPORTER_IOC_WINDOW_READ \
	_IOW(EDU_IMPORTER_IOC_MAGIC, 7, struct edu_importer_window)
#define EDU_IMPORTER_IOC_SYNC \
	_IOW(EDU_IMPORTER_IOC_MAGIC, 8, struct edu_importer_sync)
/* dma_buf_detach() + dma_buf_put(); unmaps first when still mapped. */
#define EDU_IMPORTER_IOC_DETACH _IO(EDU_IMPORTER_IOC_MAGIC, 9)

#endif /* _UAPI_EDU_IMPORTER_H */
