// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime and parameters: a live fd or mapping pins the module,
 * unload and reload work once the last one goes, bad parameters refuse to
 * load, and the limits hold exactly.  Every test leaves the module loaded
 * with default parameters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"

static void expect_unload_refused(void)
{
	int ret = module_unload();

	/* EWOULDBLOCK from 3.x kernels on, EBUSY before. */
	CU_ASSERT(ret == -EWOULDBLOCK || ret == -EBUSY);
	CU_ASSERT_FATAL(dev_fd() >= 0);
}

static void unload_refused_while_fd_alive(void)
{
	int fd = exp_alloc_rw(PAGE);

	dev_reopen();
	expect_unload_refused();
	close(fd);
	module_reload("");
}

static void unload_refused_while_only_mapping_alive(void)
{
	int fd = exp_alloc_rw(2 * PAGE);
	char *p = map_buf(fd, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	close(fd);
	p[PAGE] = 1;
	expect_unload_refused();
	munmap(p, 2 * PAGE);
	module_reload("");
}

static void unload_then_reload_works(void)
{
	CU_ASSERT_EQUAL_FATAL(module_unload(), 0);
	CU_ASSERT_EQUAL(access(EXPORTER_DEV, F_OK), -1);
	CU_ASSERT_EQUAL_FATAL(module_load(""), 0);
	close(exp_alloc_rw(3 * PAGE));
	CU_ASSERT_EQUAL(exp_info().live_buffers, 0);
}

static void bad_parameters_refuse_to_load(void)
{
	char params[96];

	CU_ASSERT_EQUAL_FATAL(module_unload(), 0);
	CU_ASSERT_EQUAL(module_load("max_buffer_size=4097"), -EINVAL);
	CU_ASSERT_EQUAL(module_load("total_limit=12345"), -EINVAL);
	snprintf(params, sizeof(params), "total_limit=%lu",
		 (unsigned long)sysconf(_SC_PHYS_PAGES) * PAGE + PAGE);
	CU_ASSERT_EQUAL(module_load(params), -EINVAL);
	/* More than the allocator can deliver (no CMA: 4 MiB on x86-64). */
	CU_ASSERT_EQUAL(module_load("max_buffer_size=1099511627776"), -EINVAL);
	CU_ASSERT_EQUAL(access(EXPORTER_DEV, F_OK), -1);
	CU_ASSERT_EQUAL_FATAL(module_load(""), 0);
}

static void parameters_read_back_in_info(void)
{
	struct dmabuf_exporter_info info;

	module_reload("max_buffer_size=32768 total_limit=65536");
	info = exp_info();
	CU_ASSERT_EQUAL(info.max_buffer_size, 32768);
	CU_ASSERT_EQUAL(info.total_limit, 65536);
	module_reload("");
	info = exp_info();
	CU_ASSERT(info.total_limit <=
		  (uint64_t)sysconf(_SC_PHYS_PAGES) * PAGE / 4);
	CU_ASSERT(info.max_buffer_size >= 4 << 20);
}

/* Exactly total_limit fits; one page more is EDQUOT; a release frees it. */
static void quota_reached_cleanly_and_recovers(void)
{
	struct dmabuf_exporter_alloc a;
	struct usage full;
	int fds[4], i;

	module_reload("max_buffer_size=16384 total_limit=65536");
	for (i = 0; i < 4; i++)
		fds[i] = exp_alloc_rw(16384);
	full = usage_now();
	CU_ASSERT_EQUAL(full.total_allocated, 65536);
	CU_ASSERT_EQUAL(exp_alloc(PAGE, O_RDWR | O_CLOEXEC, 0, &a), -EDQUOT);
	CU_ASSERT_EQUAL(exp_alloc(16385, O_RDWR | O_CLOEXEC, 0, &a), -E2BIG);
	assert_usage_is(&full, "after EDQUOT");
	close(fds[3]);
	CU_ASSERT_EQUAL(exp_alloc(16384, O_RDWR | O_CLOEXEC, 0, &a), 0);
	fds[3] = (int)a.fd;
	for (i = 0; i < 4; i++)
		close(fds[i]);
	module_reload("");
}

/*
 * With total_limit at all of RAM, the allocator runs out first: ENOMEM,
 * with the counters exactly as before the failed call.
 */
static void allocator_failure_is_enomem(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	struct dmabuf_exporter_alloc a;
	char params[64];
	struct usage before;
	int *fds, n = 0, ret = 0;

	snprintf(params, sizeof(params), "total_limit=%lu",
		 (unsigned long)pages * PAGE);
	module_reload(params);
	fds = calloc((size_t)pages * PAGE / (4 << 20) + 1, sizeof(int));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fds);
	for (;;) {
		before = usage_now();
		ret = exp_alloc(4 << 20, O_RDWR | O_CLOEXEC, 0, &a);
		if (ret)
			break;
		fds[n++] = (int)a.fd;
	}
	CU_ASSERT_EQUAL(ret, -ENOMEM);
	assert_usage_is(&before, "after ENOMEM");
	printf(" (%d x 4 MiB before ENOMEM) ", n);
	while (n)
		close(fds[--n]);
	free(fds);
	module_reload("");
}

static const struct vm_test tests[] = {
	VM_TEST(unload_refused_while_fd_alive),
	VM_TEST(unload_refused_while_only_mapping_alive),
	VM_TEST(unload_then_reload_works),
	VM_TEST(bad_parameters_refuse_to_load),
	VM_TEST(parameters_read_back_in_info),
	VM_TEST(quota_reached_cleanly_and_recovers),
	VM_TEST(allocator_failure_is_enomem),
	VM_TESTS_END,
};

const struct vm_suite suite_module = { "module", tests };
