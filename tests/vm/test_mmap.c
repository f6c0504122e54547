// SPDX-License-Identifier: GPL-2.0
/*
 * Mappings and the fault handler: what is refused, what each page shows,
 * how many faults a first touch takes, and that the MM keeps its hands off
 * the pages (no GUP, the four VMA flags).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "harness.h"

static void touch_pages(volatile char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += PAGE)
		(void)p[off];
}

static void private_mapping_refused(void)
{
	int fd = exp_alloc_rw(2 * PAGE);

	CU_ASSERT_EQUAL(map_buf(fd, 2 * PAGE, PROT_READ, MAP_PRIVATE, 0),
			MAP_FAILED);
	CU_ASSERT_EQUAL(errno, EINVAL);
	close(fd);
}

static void mapping_past_end_refused(void)
{
	int fd = exp_alloc_rw(2 * PAGE);

	CU_ASSERT_EQUAL(map_buf(fd, 3 * PAGE, PROT_READ, MAP_SHARED, 0),
			MAP_FAILED);
	CU_ASSERT_EQUAL(errno, EINVAL);
	close(fd);
}

static void offset_at_or_past_end_refused(void)
{
	int fd = exp_alloc_rw(2 * PAGE);

	/* pgoff == pagecount: the CVE-2024-46852 boundary. */
	CU_ASSERT_EQUAL(map_buf(fd, PAGE, PROT_READ, MAP_SHARED, 2 * PAGE),
			MAP_FAILED);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(map_buf(fd, PAGE, PROT_READ, MAP_SHARED, 3 * PAGE),
			MAP_FAILED);
	CU_ASSERT_EQUAL(map_buf(fd, 2 * PAGE, PROT_READ, MAP_SHARED, PAGE),
			MAP_FAILED);
	close(fd);
}

static void mremap_growth_refused(void)
{
	int fd = exp_alloc_rw(4 * PAGE);
	char *p = map_buf(fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	CU_ASSERT_EQUAL(mremap(p, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE),
			MAP_FAILED);
	CU_ASSERT_EQUAL(mremap(p, 2 * PAGE, 3 * PAGE, 0), MAP_FAILED);
	p[PAGE] = 1;
	munmap(p, 2 * PAGE);
	close(fd);
}

/* Each page of a mapping at an offset is the buffer's page at that offset. */
static void offset_mapping_shows_right_pages(void)
{
	const size_t len = 8 * PAGE;
	int fd = exp_alloc_rw(len);
	char *all = map_buf(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char *part = map_buf(fd, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			     5 * PAGE);

	CU_ASSERT_NOT_EQUAL_FATAL(all, MAP_FAILED);
	CU_ASSERT_NOT_EQUAL_FATAL(part, MAP_FAILED);
	fill_pattern(all, len, 7);
	CU_ASSERT_EQUAL(memcmp(part, all + 5 * PAGE, 3 * PAGE), 0);
	part[0] = 'x';
	CU_ASSERT_EQUAL(all[5 * PAGE], 'x');
	munmap(part, 3 * PAGE);
	munmap(all, len);
	close(fd);
}

/*
 * Faults in a VMA split by munmap(): the tail VMA starts at page 4 of the
 * buffer, so the handler must use the VMA's own offset.
 */
static void split_vma_faults_right_pages(void)
{
	const size_t len = 6 * PAGE;
	int fd = exp_alloc_rw(len);
	char *all = map_buf(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char *p = map_buf(fd, len, PROT_READ, MAP_SHARED, 0);

	CU_ASSERT_NOT_EQUAL_FATAL(all, MAP_FAILED);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	fill_pattern(all, len, 3);
	CU_ASSERT_EQUAL(munmap(p + 2 * PAGE, 2 * PAGE), 0);
	/* First touch of the tail VMA, then of the head VMA. */
	CU_ASSERT_EQUAL(memcmp(p + 4 * PAGE, all + 4 * PAGE, 2 * PAGE), 0);
	CU_ASSERT_EQUAL(memcmp(p, all, 2 * PAGE), 0);
	munmap(p, 2 * PAGE);
	munmap(p + 4 * PAGE, 2 * PAGE);
	munmap(all, len);
	close(fd);
}

static long faults_to_touch(uint64_t flags, size_t pages)
{
	struct dmabuf_exporter_alloc a;
	long before;
	char *p;

	CU_ASSERT_EQUAL_FATAL(
		exp_alloc(pages * PAGE, O_RDWR | O_CLOEXEC, flags, &a), 0);
	p = map_buf((int)a.fd, pages * PAGE, PROT_READ, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	before = minor_faults();
	touch_pages(p, pages * PAGE);
	before = minor_faults() - before;
	munmap(p, pages * PAGE);
	close((int)a.fd);
	return before;
}

/* The default installs the whole VMA on its first fault. */
static void first_touch_takes_one_fault(void)
{
	CU_ASSERT_EQUAL(faults_to_touch(0, 1), 1);
	CU_ASSERT_EQUAL(faults_to_touch(0, 16), 1);
	CU_ASSERT_EQUAL(faults_to_touch(0, 256), 1);
}

static void fault_per_page_flag_takes_one_fault_per_page(void)
{
	CU_ASSERT_EQUAL(
		faults_to_touch(DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE, 16), 16);
}

static int child_writes(void *arg)
{
	char *p = arg;

	if (check_pattern(p, 4 * PAGE, 11))
		return 1;
	fill_pattern(p, 4 * PAGE, 12);
	return 0;
}

static void fork_child_shares_mapping(void)
{
	int fd = exp_alloc_rw(4 * PAGE);
	char *p = map_buf(fd, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	fill_pattern(p, 4 * PAGE, 11);
	CU_ASSERT_EQUAL(run_child(child_writes, p), 0);
	CU_ASSERT_EQUAL(check_pattern(p, 4 * PAGE, 12), 0);
	munmap(p, 4 * PAGE);
	close(fd);
}

/* VM_PFNMAP: get_user_pages() must refuse, so process_vm_readv fails. */
static void process_vm_readv_refused(void)
{
	int fd = exp_alloc_rw(2 * PAGE);
	char *p = map_buf(fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	char out[64];
	struct iovec local = { out, sizeof(out) }, remote;

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	p[0] = 1; /* populated, so only GUP itself can refuse */
	remote.iov_base = p;
	remote.iov_len = sizeof(out);
	CU_ASSERT_EQUAL(process_vm_readv(getpid(), &local, 1, &remote, 1, 0),
			-1);
	CU_ASSERT_EQUAL(errno, EFAULT);
	munmap(p, 2 * PAGE);
	close(fd);
}

/* The VmFlags line of @addr's VMA in /proc/self/smaps. */
static int vma_flags(const void *addr, char *flags, size_t len)
{
	char line[512];
	unsigned long start, end, want = (unsigned long)addr;
	int in_vma = 0;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in_vma = want >= start && want < end;
		else if (in_vma && !strncmp(line, "VmFlags:", 8)) {
			snprintf(flags, len, "%.*s", (int)len - 1, line + 8);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	return -1;
}

static void smaps_shows_pfnmap_io_dontexpand_dontdump(void)
{
	int fd = exp_alloc_rw(PAGE);
	char *p = map_buf(fd, PAGE, PROT_READ, MAP_SHARED, 0);
	char flags[256];

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	CU_ASSERT_EQUAL_FATAL(vma_flags(p, flags, sizeof(flags)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " pf"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " io"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " de"));
	CU_ASSERT_PTR_NOT_NULL(strstr(flags, " dd"));
	munmap(p, PAGE);
	close(fd);
}

static void mapping_outlives_fd(void)
{
	struct usage before = usage_now();
	int fd = exp_alloc_rw(3 * PAGE);
	char *p = map_buf(fd, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	close(fd);
	fill_pattern(p, 3 * PAGE, 5);
	CU_ASSERT_EQUAL(check_pattern(p, 3 * PAGE, 5), 0);
	CU_ASSERT_EQUAL(exp_info().live_buffers, before.live_buffers + 1);
	munmap(p, 3 * PAGE);
	assert_usage_is(&before, "after last munmap");
}

static const struct vm_test tests[] = {
	VM_TEST(private_mapping_refused),
	VM_TEST(mapping_past_end_refused),
	VM_TEST(offset_at_or_past_end_refused),
	VM_TEST(mremap_growth_refused),
	VM_TEST(offset_mapping_shows_right_pages),
	VM_TEST(split_vma_faults_right_pages),
	VM_TEST(first_touch_takes_one_fault),
	VM_TEST(fault_per_page_flag_takes_one_fault_per_page),
	VM_TEST(fork_child_shares_mapping),
	VM_TEST(process_vm_readv_refused),
	VM_TEST(smaps_shows_pfnmap_io_dontexpand_dontdump),
	VM_TEST(mapping_outlives_fd),
	VM_TESTS_END,
};

const struct vm_suite suite_mmap = { "mmap", tests };
