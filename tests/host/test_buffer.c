// SPDX-License-Identifier: MIT
/*
 * Buffer calls where no dma-buf exists (the host has no exporter): the
 * errors a caller sees for other files, mapping through the size lseek()
 * reports, and the fdinfo parser on the text dma-buf fdinfo really has.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <CUnit/CUnit.h>

#include "private.h"
#include "helpers.h"
#include "suites.h"

static void test_is_dmabuf_says_no_for_memfd_and_pipe(void)
{
	int memfd = make_memfd(4096, 0), p[2];

	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_EQUAL(dmabuf_share_is_dmabuf(memfd), 0);
	CU_ASSERT_EQUAL(dmabuf_share_is_dmabuf(p[0]), 0);
	close(p[0]);
	close(p[1]);
	close(memfd);
	CU_ASSERT_EQUAL(dmabuf_share_is_dmabuf(memfd), -EBADF);
}

static void test_describe_refuses_non_dmabuf(void)
{
	struct dmabuf_share_desc d;
	int memfd = make_memfd(4096, 0);

	memset(&d, 0xee, sizeof(d));
	d.struct_size = sizeof(d);
	CU_ASSERT_EQUAL(dmabuf_share_describe(memfd, &d), -ENOTTY);
	close(memfd);
	CU_ASSERT_EQUAL(dmabuf_share_describe(memfd, &d), -EBADF);
	CU_ASSERT_EQUAL(d.size, 0xeeeeeeeeeeeeeeeeULL);
}

static void test_describe_pid_of_missing_process(void)
{
	struct dmabuf_share_desc d;

	DMABUF_SHARE_STRUCT_INIT(&d);
	/* pid_max is at most 2^22: this pid cannot exist. */
	CU_ASSERT_EQUAL(dmabuf_share_describe_pid(1 << 23, 0, &d), -ENOENT);
}

/* What dma_buf_show_fdinfo() prints after the generic lines. */
static const char fdinfo_text[] =
	"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1234\n"
	"size:\t1048576\ncount:\t3\nexp_name:\tdmabuf_exporter\n"
	"name:\tcamera frames\n";

static void test_parse_fdinfo_of_a_dmabuf(void)
{
	struct dmabuf_share_desc d;
	FILE *f = fmemopen((void *)fdinfo_text, strlen(fdinfo_text), "r");

	CU_ASSERT_EQUAL(dbs_parse_fdinfo(f, &d), 0);
	CU_ASSERT_EQUAL(d.size, 1048576);
	CU_ASSERT_STRING_EQUAL(d.exp_name, "dmabuf_exporter");
	CU_ASSERT_STRING_EQUAL(d.name, "camera frames");
	fclose(f);
}

static void test_parse_fdinfo_of_a_regular_file(void)
{
	static const char text[] =
		"pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t9\n";
	struct dmabuf_share_desc d;
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	memset(&d, 0xee, sizeof(d));
	CU_ASSERT_EQUAL(dbs_parse_fdinfo(f, &d), -ENOTTY);
	CU_ASSERT_EQUAL(d.size, 0xeeeeeeeeeeeeeeeeULL);
	fclose(f);
}

static void test_map_uses_the_files_size(void)
{
	int memfd = make_memfd(3 * 4096, 0x42);
	unsigned char *p = NULL;
	size_t size = 0;

	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_map(memfd, PROT_READ, 0, (void **)&p, &size), 0);
	CU_ASSERT_EQUAL(size, 3 * 4096);
	CU_ASSERT_EQUAL(p[0], 0x42);
	CU_ASSERT_EQUAL(p[size - 1], 0x42);
	CU_ASSERT_EQUAL(dmabuf_share_unmap(p, size), 0);
	close(memfd);
}

/* The /proc/self/maps line of the mapping that contains @addr. */
static int maps_line(const void *addr, unsigned long *start, unsigned long *end,
		     char *perms)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx %4s", start, end, perms) == 3 &&
			*start <= (unsigned long)addr &&
			(unsigned long)addr < *end;
	if (f)
		fclose(f);
	return found;
}

/*
 * Issue 13, item 4: from 2 MiB up the mapping starts 2 MiB-aligned (a
 * memfd stands in for a dma-buf: placement is the library's, not the
 * exporter's), holds the file's data, and no reserved slack is left
 * behind on either side.
 */
static void check_aligned_map(size_t size)
{
	int memfd = make_memfd(size, 0x5c);
	unsigned long start = 0, end = 0;
	unsigned char *p = NULL;
	char perms[8] = "";
	size_t got = 0;

	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_map(memfd, PROT_READ, 0, (void **)&p, &got), 0);
	CU_ASSERT_EQUAL(got, size);
	CU_ASSERT_EQUAL((uintptr_t)p % DMABUF_SHARE_MAP_ALIGN, 0);
	CU_ASSERT_EQUAL(p[0], 0x5c);
	CU_ASSERT_EQUAL(p[size - 1], 0x5c);
	CU_ASSERT_TRUE(maps_line(p, &start, &end, perms));
	CU_ASSERT_EQUAL(start, (unsigned long)p);
	CU_ASSERT_EQUAL(end, (unsigned long)p + size);
	CU_ASSERT_STRING_EQUAL(perms, "r--s");
	/* The PROT_NONE reservation around it is gone. */
	if (maps_line(p - 1, &start, &end, perms))
		CU_ASSERT_STRING_NOT_EQUAL(perms, "---p");
	if (maps_line(p + size, &start, &end, perms))
		CU_ASSERT_STRING_NOT_EQUAL(perms, "---p");
	CU_ASSERT_EQUAL(dmabuf_share_unmap(p, got), 0);
	close(memfd);
}

static void test_map_from_2mib_is_2mib_aligned(void)
{
	check_aligned_map(2 << 20);
	check_aligned_map((4 << 20) + 4096);
	check_aligned_map(6 << 20);
}

static void test_map_flags(void)
{
	int memfd = make_memfd(2 << 20, 0);
	void *p = NULL;
	size_t size = 0;

	CU_ASSERT_EQUAL(dmabuf_share_map(memfd, PROT_READ, 1u << 5, &p, &size),
			-EINVAL);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_EQUAL(dmabuf_share_map(memfd, PROT_READ,
					 DMABUF_SHARE_MAP_ANY_ADDRESS, &p,
					 &size),
			0);
	CU_ASSERT_EQUAL(size, 2 << 20);
	dmabuf_share_unmap(p, size);
	close(memfd);
}

static int count_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n;
}

/* A refused mapping gives its reservation back too. */
static void test_failed_aligned_map_leaves_nothing(void)
{
	int memfd = make_memfd(2 << 20, 0), ro, before;
	char path[64];
	void *p = NULL;
	size_t size = 0;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	before = count_mappings();
	CU_ASSERT_EQUAL(dmabuf_share_map(ro, PROT_READ | PROT_WRITE, 0, &p,
					 &size),
			-EACCES);
	CU_ASSERT_EQUAL(count_mappings(), before);
	CU_ASSERT_PTR_NULL(p);
	close(ro);
	close(memfd);
}

static void test_map_empty_file_is_einval(void)
{
	int memfd = make_memfd(0, 0);
	void *p = (void *)0x1;
	size_t size = 77;

	CU_ASSERT_EQUAL(dmabuf_share_map(memfd, PROT_READ, 0, &p, &size),
			-EINVAL);
	CU_ASSERT_EQUAL(size, 77);
	close(memfd);
}

static void test_map_read_only_fd_for_writing_is_eacces(void)
{
	int memfd = make_memfd(4096, 0), ro;
	char path[64];
	void *p = NULL;
	size_t size = 0;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_EQUAL(dmabuf_share_map(ro, PROT_READ | PROT_WRITE, 0, &p,
					 &size),
			-EACCES);
	CU_ASSERT_PTR_NULL(p);
	close(ro);
	close(memfd);
}

static void test_sync_rejects_unknown_access(void)
{
	int memfd = make_memfd(4096, 0);

	CU_ASSERT_EQUAL(dmabuf_share_sync_start(memfd, 0, -1), -EINVAL);
	CU_ASSERT_EQUAL(dmabuf_share_sync_start(memfd, 4, 0), -EINVAL);
	CU_ASSERT_EQUAL(dmabuf_share_sync_end(memfd, 7), -EINVAL);
	close(memfd);
}

static void test_dmabuf_ioctls_on_memfd_are_enotty(void)
{
	int memfd = make_memfd(4096, 0);

	CU_ASSERT_EQUAL(dmabuf_share_sync_start(memfd, DMABUF_SHARE_RW, -1),
			-ENOTTY);
	CU_ASSERT_EQUAL(dmabuf_share_sync_end(memfd, DMABUF_SHARE_READ),
			-ENOTTY);
	CU_ASSERT_EQUAL(dmabuf_share_set_name(memfd, "x"), -ENOTTY);
	close(memfd);
}

static void test_set_name_too_long(void)
{
	char name[DMABUF_SHARE_NAME_LEN + 1];
	int memfd = make_memfd(4096, 0);

	memset(name, 'n', sizeof(name) - 1);
	name[DMABUF_SHARE_NAME_LEN] = '\0';
	CU_ASSERT_EQUAL(dmabuf_share_set_name(memfd, name), -ENAMETOOLONG);
	close(memfd);
}

static void test_exporter_missing(void)
{
	int fd = -77;

	CU_ASSERT_EQUAL(dmabuf_share_exporter_open("/nonexistent/exporter",
						   &fd),
			-ENOENT);
	CU_ASSERT_EQUAL(fd, -77);
}

/* Not the exporter: its ioctls must fail cleanly, outputs untouched. */
static void test_exporter_ioctls_on_memfd(void)
{
	struct dmabuf_share_exporter_info info;
	int memfd = make_memfd(4096, 0), fd = -77;
	uint64_t size = 77;

	memset(&info, 0xee, sizeof(info));
	info.struct_size = sizeof(info);
	CU_ASSERT_EQUAL(dmabuf_share_alloc(memfd, 4096, O_RDWR, 0, &fd, &size),
			-ENOTTY);
	CU_ASSERT_EQUAL(fd, -77);
	CU_ASSERT_EQUAL(size, 77);
	CU_ASSERT_EQUAL(dmabuf_share_exporter_info(memfd, &info), -ENOTTY);
	CU_ASSERT_EQUAL(info.live_buffers, 0xeeeeeeee);
	close(memfd);
}

static void test_drm_calls_without_drm(void)
{
	int memfd = make_memfd(4096, 0), fd = -77;
	uint32_t handle = 77;

	CU_ASSERT_EQUAL(dmabuf_share_drm_open("/nonexistent/card0", &fd),
			-ENOENT);
	CU_ASSERT_EQUAL(fd, -77);
	/* libdrm's -1/errno must come back as -errno. */
	CU_ASSERT_EQUAL(dmabuf_share_drm_import(memfd, memfd, &handle),
			-ENOTTY);
	CU_ASSERT_EQUAL(handle, 77);
	CU_ASSERT_EQUAL(dmabuf_share_drm_export(
				memfd, 1, DMABUF_SHARE_EXPORT_WRITABLE, &fd),
			-ENOTTY);
	CU_ASSERT_EQUAL(fd, -77);
	CU_ASSERT_EQUAL(dmabuf_share_drm_close_handle(memfd, 1), -ENOTTY);
	close(memfd);
}

CU_TestInfo buffer_tests[] = {
	{ "is_dmabuf: no for memfd and pipe, EBADF for closed",
	  test_is_dmabuf_says_no_for_memfd_and_pipe },
	{ "describe refuses a non-dma-buf", test_describe_refuses_non_dmabuf },
	{ "describe_pid of a missing process: ENOENT",
	  test_describe_pid_of_missing_process },
	{ "fdinfo parser: a dma-buf's fdinfo", test_parse_fdinfo_of_a_dmabuf },
	{ "fdinfo parser: a regular file is ENOTTY",
	  test_parse_fdinfo_of_a_regular_file },
	{ "map uses the file's size", test_map_uses_the_files_size },
	{ "map of an empty file: EINVAL", test_map_empty_file_is_einval },
	{ "map from 2 MiB up: 2 MiB-aligned, no slack left",
	  test_map_from_2mib_is_2mib_aligned },
	{ "map flags: unknown EINVAL, ANY_ADDRESS works", test_map_flags },
	{ "a refused aligned map leaves nothing mapped",
	  test_failed_aligned_map_leaves_nothing },
	{ "map read-only fd for writing: EACCES",
	  test_map_read_only_fd_for_writing_is_eacces },
	{ "sync rejects unknown access", test_sync_rejects_unknown_access },
	{ "dma-buf ioctls on a memfd: ENOTTY",
	  test_dmabuf_ioctls_on_memfd_are_enotty },
	{ "set_name: 32 bytes is too long", test_set_name_too_long },
	{ "exporter missing: ENOENT", test_exporter_missing },
	{ "exporter ioctls on a memfd: ENOTTY", test_exporter_ioctls_on_memfd },
	{ "DRM calls without DRM: -errno, outputs untouched",
	  test_drm_calls_without_drm },
	CU_TEST_INFO_NULL,
};
