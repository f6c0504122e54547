// SPDX-License-Identifier: GPL-2.0
/*
 * A device importer: vgem takes the buffer through libdrm's PRIME calls,
 * which runs our attach and map_dma_buf for vgem's device.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <sys/ioctl.h>
#include <xf86drm.h>

#include "harness.h"

static void vgem_import_same_handle_twice_then_close(void)
{
	struct usage before = usage_now();
	int drm = open_vgem(), fd = exp_alloc_rw(8 * PAGE);
	uint32_t h1 = 0, h2 = 0;

	CU_ASSERT_FATAL(drm >= 0);
	CU_ASSERT_EQUAL(ioctl(fd, DMA_BUF_SET_NAME, "vgem-import"), 0);
	CU_ASSERT_EQUAL_FATAL(drmPrimeFDToHandle(drm, fd, &h1), 0);
	CU_ASSERT_NOT_EQUAL(h1, 0);
	CU_ASSERT_EQUAL(drmPrimeFDToHandle(drm, fd, &h2), 0);
	CU_ASSERT_EQUAL(h1, h2);
	CU_ASSERT_EQUAL(attachments_of("vgem-import"), 1);
	CU_ASSERT_EQUAL(drmCloseBufferHandle(drm, h1), 0);
	CU_ASSERT_EQUAL(attachments_of("vgem-import"), 0);
	close(fd);
	close(drm);
	before.fds = count_fds();
	assert_usage_is(&before, "after the vgem handle and fd closed");
}

/*
 * The handle keeps the buffer alive without our fd, and exporting it back
 * gives the same dma-buf (same inode) with the same contents.
 */
static void vgem_handle_keeps_buffer_and_reexports_it(void)
{
	struct usage before = usage_now();
	int drm = open_vgem(), fd = exp_alloc_rw(4 * PAGE), back = -1;
	struct stat st1, st2;
	uint32_t h = 0;
	char *p;

	CU_ASSERT_FATAL(drm >= 0);
	p = map_buf(fd, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	fill_pattern(p, 4 * PAGE, 21);
	munmap(p, 4 * PAGE);
	CU_ASSERT_EQUAL_FATAL(drmPrimeFDToHandle(drm, fd, &h), 0);
	CU_ASSERT_EQUAL(fstat(fd, &st1), 0);
	close(fd);
	CU_ASSERT_EQUAL(exp_info().live_buffers, before.live_buffers + 1);
	CU_ASSERT_EQUAL_FATAL(
		drmPrimeHandleToFD(drm, h, DRM_CLOEXEC | DRM_RDWR, &back), 0);
	CU_ASSERT_EQUAL(fstat(back, &st2), 0);
	CU_ASSERT_EQUAL(st1.st_ino, st2.st_ino);
	p = map_buf(back, 4 * PAGE, PROT_READ, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	CU_ASSERT_EQUAL(check_pattern(p, 4 * PAGE, 21), 0);
	munmap(p, 4 * PAGE);
	CU_ASSERT_EQUAL(drmCloseBufferHandle(drm, h), 0);
	close(back);
	close(drm);
	assert_usage_is(&before, "after handle and re-exported fd closed");
}

/*
 * CPU access brackets while vgem holds a DMA mapping: each live device
 * mapping is synced in its own direction (DMA-API debug checks this).
 */
static void sync_while_vgem_maps_buffer(void)
{
	int drm = open_vgem(), fd = exp_alloc_rw(4 * PAGE);
	struct dma_buf_sync sync = { 0 };
	const __u64 dirs[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE,
			       DMA_BUF_SYNC_RW };
	uint32_t h = 0;
	size_t i;

	CU_ASSERT_FATAL(drm >= 0);
	CU_ASSERT_EQUAL_FATAL(drmPrimeFDToHandle(drm, fd, &h), 0);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		sync.flags = DMA_BUF_SYNC_START | dirs[i];
		CU_ASSERT_EQUAL(ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
		sync.flags = DMA_BUF_SYNC_END | dirs[i];
		CU_ASSERT_EQUAL(ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	}
	CU_ASSERT_EQUAL(drmCloseBufferHandle(drm, h), 0);
	close(fd);
	close(drm);
}

static const struct vm_test tests[] = {
	VM_TEST_NEEDS(vgem_import_same_handle_twice_then_close, needs_vgem),
	VM_TEST_NEEDS(vgem_handle_keeps_buffer_and_reexports_it, needs_vgem),
	VM_TEST_NEEDS(sync_while_vgem_maps_buffer, needs_vgem),
	VM_TESTS_END,
};

const struct vm_suite suite_import = { "import", tests };
