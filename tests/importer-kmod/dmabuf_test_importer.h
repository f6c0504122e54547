/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dmabuf_test_importer: a test-only dma-buf importer, the ABI shared by the
 * module and the in-VM suites.  Never installed.
 *
 * Each open of /dev/dmabuf_test_importer is one pretend device: it attaches
 * to one dma-buf with the DMA mask and segment limits asked for, maps it in
 * one direction, reads and writes the memory through the DMA addresses as a
 * device would, vmaps it, and forwards its own mmap() to dma_buf_mmap().
 */
#ifndef _UAPI_DMABUF_TEST_IMPORTER_H
#define _UAPI_DMABUF_TEST_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct dmabuf_test_attach - DMABUF_TEST_IOC_ATTACH argument
 * @fd:		the dma-buf to attach to
 * @dma_bits:	the pretend device's DMA mask in bits, 0 for 64
 * @max_seg_size: largest DMA segment the device takes, 0 for the default
 *		(64 KiB, a device without DMA parameters)
 * @seg_boundary: segment boundary mask, 0 for the default (4 GiB - 1)
 */
struct dmabuf_test_attach {
	__u32 fd;
	__u32 dma_bits;
	__u64 max_seg_size;
	__u64 seg_boundary;
};

/**
 * struct dmabuf_test_map - DMABUF_TEST_IOC_MAP argument and result
 * @dir:	in: enum dma_data_direction (0 BIDIRECTIONAL, 1 TO_DEVICE,
 *		2 FROM_DEVICE)
 * @nents:	out: DMA segments of the mapping
 * @bounced:	out: segments whose DMA address is not the physical address
 *		of their CPU page (swiotlb copies them)
 * @too_long:	out: segments longer than the device's max_seg_size
 * @crossing:	out: segments that cross the device's segment boundary
 * @pad:	0
 */
struct dmabuf_test_map {
	__u32 dir;
	__u32 nents;
	__u32 bounced;
	__u32 too_long;
	__u32 crossing;
	__u32 pad;
};

/**
 * struct dmabuf_test_access - a device or kernel access to the whole buffer
 * @byte:	in: the value written, or expected when reading
 * @pad:	0
 * @mismatches:	out: bytes read that differ from @byte
 */
struct dmabuf_test_access {
	__u32 byte;
	__u32 pad;
	__u64 mismatches;
};

#define DMABUF_TEST_IOC_MAGIC 'T'
/* Attach to a dma-buf; one per open file. */
#define DMABUF_TEST_IOC_ATTACH \
	_IOW(DMABUF_TEST_IOC_MAGIC, 0, struct dmabuf_test_attach)
/* dma_buf_map_attachment() in a direction, and describe the mapping. */
#define DMABUF_TEST_IOC_MAP \
	_IOWR(DMABUF_TEST_IOC_MAGIC, 1, struct dmabuf_test_map)
#define DMABUF_TEST_IOC_UNMAP _IO(DMABUF_TEST_IOC_MAGIC, 2)
/* Write or read every mapped byte through the DMA addresses. */
#define DMABUF_TEST_IOC_DEV_WRITE \
	_IOWR(DMABUF_TEST_IOC_MAGIC, 3, struct dmabuf_test_access)
#define DMABUF_TEST_IOC_DEV_READ \
	_IOWR(DMABUF_TEST_IOC_MAGIC, 4, struct dmabuf_test_access)
/* Write or read every byte through dma_buf_vmap(). */
#define DMABUF_TEST_IOC_VMAP_WRITE \
	_IOWR(DMABUF_TEST_IOC_MAGIC, 5, struct dmabuf_test_access)
#define DMABUF_TEST_IOC_VMAP_READ \
	_IOWR(DMABUF_TEST_IOC_MAGIC, 6, struct dmabuf_test_access)
/* Detach without unmapping first: an importer bug the exporter must survive. */
#define DMABUF_TEST_IOC_DETACH _IO(DMABUF_TEST_IOC_MAGIC, 7)

#endif /* _UAPI_DMABUF_TEST_IMPORTER_H */
