// SPDX-License-Identifier: GPL-2.0
/* The dma-buf conventions around the fd: SYNC brackets, names, fdinfo. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "harness.h"

static int sync_buf(int fd, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

static void sync_brackets_accepted(void)
{
	int fd = exp_alloc_rw(2 * PAGE);
	char *p = map_buf(fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	const __u64 dirs[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE,
			       DMA_BUF_SYNC_RW };
	size_t i;

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		CU_ASSERT_EQUAL(sync_buf(fd, DMA_BUF_SYNC_START | dirs[i]), 0);
		p[PAGE] = (char)i;
		CU_ASSERT_EQUAL(sync_buf(fd, DMA_BUF_SYNC_END | dirs[i]), 0);
	}
	munmap(p, 2 * PAGE);
	close(fd);
}

static void sync_bad_flags_einval(void)
{
	int fd = exp_alloc_rw(PAGE);

	CU_ASSERT_EQUAL(sync_buf(fd, 0), -EINVAL);
	CU_ASSERT_EQUAL(sync_buf(fd, DMA_BUF_SYNC_START), -EINVAL);
	CU_ASSERT_EQUAL(sync_buf(fd, DMA_BUF_SYNC_RW | (1ULL << 8)), -EINVAL);
	close(fd);
}

static void fdinfo_shows_exporter_size_and_name(void)
{
	int fd = exp_alloc_rw(3 * PAGE);
	char val[128];

	CU_ASSERT_EQUAL(fdinfo_value(fd, "exp_name", val, sizeof(val)), 0);
	CU_ASSERT_STRING_EQUAL(val, "dmabuf_exporter");
	CU_ASSERT_EQUAL(fdinfo_value(fd, "size", val, sizeof(val)), 0);
	CU_ASSERT_STRING_EQUAL(val, "12288");
	CU_ASSERT_EQUAL(ioctl(fd, DMA_BUF_SET_NAME, "camera-frame-0"), 0);
	CU_ASSERT_EQUAL(fdinfo_value(fd, "name", val, sizeof(val)), 0);
	CU_ASSERT_STRING_EQUAL(val, "camera-frame-0");
	close(fd);
}

static void bufinfo_lists_buffer(void)
{
	int fd = exp_alloc_rw(5 * PAGE);
	char line[512];
	int found = 0;
	FILE *f;

	CU_ASSERT_EQUAL(ioctl(fd, DMA_BUF_SET_NAME, "bufinfo-probe"), 0);
	f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "dmabuf_exporter") &&
		    strstr(line, "bufinfo-probe") && strstr(line, "00020480"))
			found = 1;
	fclose(f);
	CU_ASSERT(found);
	close(fd);
}

static const struct vm_test tests[] = {
	VM_TEST(sync_brackets_accepted),
	VM_TEST(sync_bad_flags_einval),
	VM_TEST(fdinfo_shows_exporter_size_and_name),
	VM_TEST_NEEDS(bufinfo_lists_buffer, needs_debugfs_bufinfo),
	VM_TESTS_END,
};

const struct vm_suite suite_cpu_access = { "cpu_access", tests };
