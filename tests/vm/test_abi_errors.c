// SPDX-License-Identifier: GPL-2.0
/*
 * Every ABI error, each from a valid call with exactly one input changed,
 * and each followed by a check that nothing leaked: no buffer, no bytes,
 * no fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness.h"

static struct dmabuf_exporter_alloc valid_request(void)
{
	struct dmabuf_exporter_alloc req;

	memset(&req, 0, sizeof(req));
	req.size = PAGE;
	req.fd_flags = O_RDWR | O_CLOEXEC;
	return req;
}

/* Issue ALLOC with @req; expect -1/@err and usage unchanged. */
static void expect_alloc_error(struct dmabuf_exporter_alloc req, int err)
{
	struct usage before = usage_now();
	int ret = ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC, &req);

	CU_ASSERT_EQUAL(ret, -1);
	CU_ASSERT_EQUAL(errno, err);
	if (ret == 0)
		close((int)req.fd);
	assert_usage_is(&before, "after a refused ALLOC");
}

static void valid_request_succeeds(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	CU_ASSERT_EQUAL_FATAL(
		ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC, &req), 0);
	close((int)req.fd);
}

static void size_zero_is_einval(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	req.size = 0;
	expect_alloc_error(req, EINVAL);
}

static void fd_nonzero_on_input_is_einval(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	req.fd = 3;
	expect_alloc_error(req, EINVAL);
}

static void fd_flags_unknown_bit_is_einval(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	req.fd_flags |= O_NONBLOCK;
	expect_alloc_error(req, EINVAL);
}

static void fd_flags_write_only_is_einval(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	req.fd_flags = O_WRONLY | O_CLOEXEC;
	expect_alloc_error(req, EINVAL);
}

static void fd_flags_accmode_3_is_einval(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	req.fd_flags = O_ACCMODE;
	expect_alloc_error(req, EINVAL);
}

static void flags_unknown_bit_is_einval(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	req.flags = ~(uint64_t)DMABUF_EXPORTER_ALLOC_VALID_FLAGS &
		    (DMABUF_EXPORTER_ALLOC_VALID_FLAGS << 1);
	expect_alloc_error(req, EINVAL);
	req.flags = 1ULL << 63;
	expect_alloc_error(req, EINVAL);
}

static void reserved_nonzero_is_einval(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	req.reserved = 1;
	expect_alloc_error(req, EINVAL);
}

static void size_over_max_is_e2big(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	req.size = exp_info().max_buffer_size + 1;
	expect_alloc_error(req, E2BIG);
}

static void size_u64_max_is_e2big(void)
{
	struct dmabuf_exporter_alloc req = valid_request();

	/* Would wrap to 0 if rounded up before the limit check. */
	req.size = UINT64_MAX;
	expect_alloc_error(req, E2BIG);
}

static void null_argument_is_efault(void)
{
	struct usage before = usage_now();

	CU_ASSERT_EQUAL(ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC, NULL), -1);
	CU_ASSERT_EQUAL(errno, EFAULT);
	CU_ASSERT_EQUAL(ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_INFO, NULL), -1);
	CU_ASSERT_EQUAL(errno, EFAULT);
	assert_usage_is(&before, "after EFAULT");
}

/*
 * A read-only argument page: the request is read fine, the buffer is
 * allocated and exported, and only writing the fd back fails.  That path
 * runs after export and must undo it completely.
 */
static void readonly_argument_is_efault_after_export(void)
{
	struct dmabuf_exporter_alloc req = valid_request();
	struct usage before = usage_now();
	void *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CU_ASSERT_NOT_EQUAL_FATAL(page, MAP_FAILED);
	memcpy(page, &req, sizeof(req));
	CU_ASSERT_EQUAL_FATAL(mprotect(page, PAGE, PROT_READ), 0);
	CU_ASSERT_EQUAL(ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC, page), -1);
	CU_ASSERT_EQUAL(errno, EFAULT);
	munmap(page, PAGE);
	assert_usage_is(&before, "after EFAULT on copy-out");
}

static void unknown_command_is_enotty(void)
{
	struct dmabuf_exporter_alloc req = valid_request();
	struct usage before = usage_now();

	CU_ASSERT_EQUAL(ioctl(dev_fd(),
			      _IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x3,
				    struct dmabuf_exporter_alloc),
			      &req),
			-1);
	CU_ASSERT_EQUAL(errno, ENOTTY);
	/* ALLOC's number with the wrong size is a different command. */
	CU_ASSERT_EQUAL(ioctl(dev_fd(),
			      _IOWR(DMABUF_EXPORTER_IOC_MAGIC, 0x0, __u64),
			      &req),
			-1);
	CU_ASSERT_EQUAL(errno, ENOTTY);
	CU_ASSERT_EQUAL(ioctl(dev_fd(), _IOR('b', 0x0, __u64), &req), -1);
	CU_ASSERT_EQUAL(errno, ENOTTY);
	assert_usage_is(&before, "after ENOTTY");
}

static void fd_table_full_is_emfile(void)
{
	struct dmabuf_exporter_alloc req = valid_request();
	struct usage before = usage_now();
	struct rlimit old, full;
	int ret, err;

	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &old), 0);
	/* Lowest free fd is before.fds at best: no slot left below the cap. */
	full.rlim_cur = (rlim_t)before.fds;
	full.rlim_max = old.rlim_max;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_NOFILE, &full), 0);
	ret = ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC, &req);
	err = errno;
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &old), 0);
	CU_ASSERT_EQUAL(ret, -1);
	CU_ASSERT_EQUAL(err, EMFILE);
	assert_usage_is(&before, "after EMFILE");
}

/*
 * Fill the total limit, then one more.  The filling buffers are at most
 * 4 MiB, the buddy allocator's largest block on x86-64: a larger
 * max_buffer_size comes from a CMA area, which may deliver it only once.
 * Each is a power of two, so each is charged exactly its size.
 */
static void total_limit_is_edquot(void)
{
	struct dmabuf_exporter_info info = exp_info();
	uint64_t left = info.total_limit - info.total_allocated;
	uint64_t chunk = 4ULL << 20;
	size_t n = 0, cap;
	struct dmabuf_exporter_alloc req = valid_request();
	int *fds;

	if (chunk > info.max_buffer_size)
		chunk = info.max_buffer_size;
	cap = left / chunk + 64;
	fds = calloc(cap, sizeof(int));
	CU_ASSERT_PTR_NOT_NULL_FATAL(fds);
	while (left >= chunk && n < cap) {
		fds[n++] = exp_alloc_rw(chunk);
		left -= chunk;
	}
	req.size = left + PAGE;
	expect_alloc_error(req, EDQUOT);
	/* Exactly up to the limit still fits, in blocks that halve. */
	for (; left && n < cap; chunk /= 2) {
		if (chunk > left)
			continue;
		fds[n++] = exp_alloc_rw(chunk);
		left -= chunk;
	}
	CU_ASSERT_EQUAL(left, 0);
	req.size = PAGE;
	expect_alloc_error(req, EDQUOT);
	while (n)
		close(fds[--n]);
	free(fds);
	/* Released memory is usable again. */
	close(exp_alloc_rw(info.max_buffer_size));
}

static const struct vm_test tests[] = {
	VM_TEST(valid_request_succeeds),
	VM_TEST(size_zero_is_einval),
	VM_TEST(fd_nonzero_on_input_is_einval),
	VM_TEST(fd_flags_unknown_bit_is_einval),
	VM_TEST(fd_flags_write_only_is_einval),
	VM_TEST(fd_flags_accmode_3_is_einval),
	VM_TEST(flags_unknown_bit_is_einval),
	VM_TEST(reserved_nonzero_is_einval),
	VM_TEST(size_over_max_is_e2big),
	VM_TEST(size_u64_max_is_e2big),
	VM_TEST(null_argument_is_efault),
	VM_TEST(readonly_argument_is_efault_after_export),
	VM_TEST(unknown_command_is_enotty),
	VM_TEST(fd_table_full_is_emfile),
	VM_TEST(total_limit_is_edquot),
	VM_TESTS_END,
};

const struct vm_suite suite_abi_errors = { "abi_errors", tests };
