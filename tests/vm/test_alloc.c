// SPDX-License-Identifier: GPL-2.0
/* Allocation: sizes, rounding, fd flags, access mode, zeroed memory. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

/* Allocate @want bytes and check the reported and seek sizes are @expect. */
static void check_size(uint64_t want, uint64_t expect)
{
	struct dmabuf_exporter_alloc a;

	CU_ASSERT_EQUAL_FATAL(exp_alloc(want, O_RDWR | O_CLOEXEC, 0, &a), 0);
	CU_ASSERT_EQUAL(a.size, expect);
	CU_ASSERT_EQUAL(lseek((int)a.fd, 0, SEEK_END), (off_t)expect);
	close((int)a.fd);
}

static void alloc_one_byte_gives_one_page(void)
{
	check_size(1, PAGE);
}

static void alloc_one_two_three_pages(void)
{
	check_size(PAGE, PAGE);
	check_size(2 * PAGE, 2 * PAGE);
	check_size(3 * PAGE, 3 * PAGE);
}

static void alloc_one_mib(void)
{
	check_size(1 << 20, 1 << 20);
}

static void alloc_rounds_up_to_page(void)
{
	check_size(PAGE + 1, 2 * PAGE);
	check_size(3 * PAGE - 1, 3 * PAGE);
}

static void alloc_max_buffer_size_works(void)
{
	check_size(exp_info().max_buffer_size, exp_info().max_buffer_size);
}

static void info_reports_page_size_and_usage(void)
{
	struct dmabuf_exporter_info before = exp_info(), during;
	int fd = exp_alloc_rw(5 * PAGE);

	during = exp_info();
	CU_ASSERT_EQUAL(during.page_size, (uint32_t)getpagesize());
	CU_ASSERT_EQUAL(during.live_buffers, before.live_buffers + 1);
	/* Charged what the allocator took: 8 pages, its block for 5. */
	CU_ASSERT_EQUAL(during.total_allocated,
			before.total_allocated + footprint(5 * PAGE));
	CU_ASSERT_EQUAL(footprint(5 * PAGE), 8 * PAGE);
	CU_ASSERT(during.total_limit >= during.max_buffer_size);
	close(fd);
	CU_ASSERT_EQUAL(exp_info().live_buffers, before.live_buffers);
}

static void cloexec_honoured(void)
{
	struct dmabuf_exporter_alloc a;

	CU_ASSERT_EQUAL_FATAL(exp_alloc(PAGE, O_RDWR | O_CLOEXEC, 0, &a), 0);
	CU_ASSERT(fcntl((int)a.fd, F_GETFD) & FD_CLOEXEC);
	close((int)a.fd);
	CU_ASSERT_EQUAL_FATAL(exp_alloc(PAGE, O_RDWR, 0, &a), 0);
	CU_ASSERT_FALSE(fcntl((int)a.fd, F_GETFD) & FD_CLOEXEC);
	close((int)a.fd);
}

static void access_mode_becomes_file_mode(void)
{
	struct dmabuf_exporter_alloc a;

	CU_ASSERT_EQUAL_FATAL(exp_alloc(PAGE, O_RDONLY | O_CLOEXEC, 0, &a), 0);
	CU_ASSERT_EQUAL(fcntl((int)a.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close((int)a.fd);
	CU_ASSERT_EQUAL_FATAL(exp_alloc(PAGE, O_RDWR | O_CLOEXEC, 0, &a), 0);
	CU_ASSERT_EQUAL(fcntl((int)a.fd, F_GETFL) & O_ACCMODE, O_RDWR);
	close((int)a.fd);
}

static void readonly_buffer_refuses_writable_mapping(void)
{
	struct dmabuf_exporter_alloc a;
	void *p;

	CU_ASSERT_EQUAL_FATAL(exp_alloc(2 * PAGE, O_RDONLY | O_CLOEXEC, 0, &a),
			      0);
	p = map_buf((int)a.fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	CU_ASSERT_EQUAL(p, MAP_FAILED);
	CU_ASSERT_EQUAL(errno, EACCES);
	p = map_buf((int)a.fd, 2 * PAGE, PROT_READ, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	CU_ASSERT_EQUAL(((volatile char *)p)[PAGE], 0);
	/* Nor can the read-only mapping be made writable afterwards. */
	CU_ASSERT_EQUAL(mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE), -1);
	CU_ASSERT_EQUAL(errno, EACCES);
	munmap(p, 2 * PAGE);
	close((int)a.fd);
}

/* Fill buffers, free them, and check the next ones arrive zeroed. */
static void buffers_arrive_zeroed(void)
{
	const size_t len = 16 * PAGE;
	int fds[32], i;
	char *p;

	for (i = 0; i < 32; i++) {
		fds[i] = exp_alloc_rw(len);
		p = map_buf(fds[i], len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
		memset(p, 0xa5, len);
		munmap(p, len);
	}
	for (i = 0; i < 32; i++)
		close(fds[i]);
	for (i = 0; i < 32; i++) {
		fds[i] = exp_alloc_rw(len);
		p = map_buf(fds[i], len, PROT_READ, MAP_SHARED, 0);
		CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
		CU_ASSERT(p[0] == 0 && !memcmp(p, p + 1, len - 1));
		munmap(p, len);
	}
	for (i = 0; i < 32; i++)
		close(fds[i]);
}

static const struct vm_test tests[] = {
	VM_TEST(alloc_one_byte_gives_one_page),
	VM_TEST(alloc_one_two_three_pages),
	VM_TEST(alloc_one_mib),
	VM_TEST(alloc_rounds_up_to_page),
	VM_TEST(alloc_max_buffer_size_works),
	VM_TEST(info_reports_page_size_and_usage),
	VM_TEST(cloexec_honoured),
	VM_TEST(access_mode_becomes_file_mode),
	VM_TEST(readonly_buffer_refuses_writable_mapping),
	VM_TEST(buffers_arrive_zeroed),
	VM_TESTS_END,
};

const struct vm_suite suite_alloc = { "alloc", tests };
