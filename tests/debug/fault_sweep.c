// SPDX-License-Identifier: GPL-2.0
/*
 * fault-sweep: make every allocation on the exporter's paths fail, one at
 * a time.
 *
 * For each operation below and N = 1, 2, ...: arm this thread's
 * /proc/thread-self/fail-nth with N, so the N-th fault-injection point the
 * thread reaches fails (slab and page allocations of any order and gfp,
 * and copies from and to userspace), run the operation once, and read
 * back whether the fault was consumed.  Then check that
 *   - the call failed with one of the operation's documented errors, or
 *     succeeded because a fallback absorbed the failure;
 *   - INFO, our fd count and the importer count are what they were;
 *   - the same call without injection works, and leaves nothing behind.
 * The sweep of an operation ends at the first N the call no longer
 * reaches.  Fault injection is set to verbose=0: a forced failure prints
 * nothing, so any report in the kernel log is a real one.
 *
 * usage: fault-sweep [--max-n N]   (default 4000 per operation)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "lane.h"

#define IMPORT_NAME "fault-sweep"
#define MAX_ERRNO 256

/* What the operations share: prepared outside injection by setup(). */
struct sweep_ctx {
	int fd;
	size_t len;
	uint64_t flags;
	uint32_t fd_flags;
	char *map;
	int drm;
	uint32_t handle;
	int made_fd;
};

struct sweep_op {
	const char *name;
	int needs_vgem;
	void (*setup)(struct sweep_ctx *c);
	/* Under injection: 0 or -errno, and nothing else in between. */
	int (*run)(struct sweep_ctx *c);
	/* Release what a successful run() made. */
	void (*undo)(struct sweep_ctx *c);
	void (*teardown)(struct sweep_ctx *c);
	/* The errors a failure may show, 0-terminated. */
	int errors[4];
	/*
	 * After EFAULT: release what the kernel made before its copy-out
	 * failed and kept (DRM keeps the handle); 1 when there was one.
	 */
	int (*recover)(struct sweep_ctx *c);
};

static int fail_nth = -1;
static unsigned long injected, absorbed, kept, by_errno[MAX_ERRNO];

static void arm(unsigned int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%u", n);

	if (pwrite(fail_nth, b, len, 0) != len) {
		lane_fail("cannot arm fail-nth: %s", strerror(errno));
		exit(1);
	}
}

/*
 * 1 when the armed fault was consumed.  The read that asks may take a
 * fault still pending (its own copy-out fails: not consumed by the call),
 * and so may the write that clears it, which is then simply repeated.
 */
static int disarm(void)
{
	char b[16] = "";
	ssize_t r = pread(fail_nth, b, sizeof(b) - 1, 0);
	int tries;

	for (tries = 0; tries < 3; tries++)
		if (pwrite(fail_nth, "0", 1, 0) == 1)
			break;
	return r > 0 && atoi(b) == 0;
}

static int write_debugfs(const char *path, const char *value)
{
	char full[128];
	int fd, ok;

	snprintf(full, sizeof(full), "/sys/kernel/debug/%s", path);
	fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -EIO;
}

/*
 * Every allocation counts: the defaults skip sleeping allocations, the
 * highmem ones and order 0 pages.  Probability stays 0, so nothing fails
 * but what fail-nth asks for.
 */
static int configure_fault_injection(void)
{
	static const char *const settings[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/verbose", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/verbose", "0" },
		{ "fail_usercopy/verbose", "0" },
	};
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		int ret = write_debugfs(settings[i][0], settings[i][1]);

		if (ret) {
			lane_fail(
				"cannot set %s: %s (kernel without fault injection?)",
				settings[i][0], strerror(-ret));
			return ret;
		}
	}
	fail_nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fail_nth < 0) {
		lane_fail("no /proc/thread-self/fail-nth: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int dma_api_disabled(void)
{
	char c = 'N';
	int fd = open("/sys/kernel/debug/dma-api/disabled", O_RDONLY);

	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = 'N';
	close(fd);
	return c == 'Y';
}

/* --- the operations ------------------------------------------------------ */

static int alloc_run(struct sweep_ctx *c)
{
	struct dmabuf_exporter_alloc a;
	int ret = exp_alloc(c->len, c->fd_flags, c->flags, &a);

	if (!ret)
		c->made_fd = (int)a.fd;
	return ret;
}

/*
 * A size no earlier run used, so the buffer never comes from the cache of
 * released buffers: the allocator's path, not the reuse path.
 */
static int alloc_uncached_run(struct sweep_ctx *c)
{
	static size_t next = 64;

	c->len = next++ * PAGE;
	return alloc_run(c);
}

static void close_made_fd(struct sweep_ctx *c)
{
	close(c->made_fd);
	c->made_fd = -1;
}

static void alloc_small_setup(struct sweep_ctx *c)
{
	c->len = 3 * PAGE;
	c->fd_flags = O_RDWR | O_CLOEXEC;
}

static void alloc_rdonly_setup(struct sweep_ctx *c)
{
	c->len = 5 * PAGE + 1;
	c->fd_flags = O_RDONLY;
	c->flags = DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE;
}

/* The largest buffer: from the CMA area where there is one. */
static void alloc_largest_setup(struct sweep_ctx *c)
{
	struct dmabuf_exporter_info info;

	lane_info(&info);
	c->len = info.max_buffer_size;
	c->fd_flags = O_RDWR | O_CLOEXEC;
}

/* A buffer of @pages filled with the test pattern, as c->fd. */
static void make_buffer(struct sweep_ctx *c, size_t pages, uint64_t flags)
{
	struct dmabuf_exporter_alloc a;
	char *p;

	c->len = pages * PAGE;
	if (exp_alloc(c->len, O_RDWR | O_CLOEXEC, flags, &a)) {
		lane_fail("setup: ALLOC of %zu pages failed", pages);
		exit(1);
	}
	c->fd = (int)a.fd;
	p = mmap(NULL, c->len, PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (p == MAP_FAILED) {
		lane_fail("setup: mmap failed: %s", strerror(errno));
		exit(1);
	}
	fill_pattern(p, c->len, 77);
	munmap(p, c->len);
	if (ioctl(c->fd, DMA_BUF_SET_NAME, IMPORT_NAME))
		lane_fail("setup: SET_NAME failed: %s", strerror(errno));
}

static void buffer_teardown(struct sweep_ctx *c)
{
	if (c->map && c->map != MAP_FAILED)
		munmap(c->map, c->len);
	if (c->handle)
		drmCloseBufferHandle(c->drm, c->handle);
	if (c->drm >= 0)
		close(c->drm);
	close(c->fd);
}

static void mmap_setup(struct sweep_ctx *c)
{
	make_buffer(c, 4, 0);
}

static int mmap_run(struct sweep_ctx *c)
{
	c->map = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd,
		      0);
	return c->map == MAP_FAILED ? -errno : 0;
}

static void mmap_undo(struct sweep_ctx *c)
{
	if (check_pattern(c->map, c->len, 77))
		lane_fail(
			"mmap: a mapping made under injection shows wrong data");
	munmap(c->map, c->len);
	c->map = NULL;
}

static sigjmp_buf fault_env;

static void fault_signal(int sig)
{
	siglongjmp(fault_env, sig);
}

/* A fresh mapping of c->fd, not yet faulted. */
static void fresh_mapping(struct sweep_ctx *c)
{
	c->map = mmap(NULL, c->len, PROT_READ, MAP_SHARED, c->fd, 0);
	if (c->map == MAP_FAILED) {
		lane_fail("setup: mmap failed: %s", strerror(errno));
		exit(1);
	}
}

static void fault_setup_flags(struct sweep_ctx *c, uint64_t flags)
{
	struct sigaction sa = { .sa_handler = fault_signal };

	make_buffer(c, 16, flags);
	fresh_mapping(c);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

static void fault_setup(struct sweep_ctx *c)
{
	fault_setup_flags(c, 0);
}

static void fault_per_page_setup(struct sweep_ctx *c)
{
	fault_setup_flags(c, DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE);
}

/*
 * First touch of every page.  A failed fault is retried by the MM
 * (VM_FAULT_OOM), so the only right outcome is the data, never a signal.
 */
static int fault_run(struct sweep_ctx *c)
{
	int sig = sigsetjmp(fault_env, 1);

	if (sig)
		return -EINTR;
	return check_pattern(c->map, c->len, 77) ? -EIO : 0;
}

/*
 * A new mapping, so the next run faults every page again (MADV_DONTNEED
 * is refused on PFN mappings).
 */
static void fault_undo(struct sweep_ctx *c)
{
	munmap(c->map, c->len);
	fresh_mapping(c);
}

static void import_setup(struct sweep_ctx *c)
{
	/* 80 pages: more than one segment for a device taking 64 KiB. */
	make_buffer(c, 80, 0);
	c->drm = open_vgem();
}

static int import_run(struct sweep_ctx *c)
{
	return drmPrimeFDToHandle(c->drm, c->fd, &c->handle) ? -errno : 0;
}

static void import_undo(struct sweep_ctx *c)
{
	if (drmCloseBufferHandle(c->drm, c->handle))
		lane_fail("import: closing the handle failed: %s",
			  strerror(errno));
	c->handle = 0;
}

/*
 * DRM creates the handle, then copies it out; when that copy fails the
 * handle stays in the DRM file.  Importing again finds that very handle
 * (no new attachment); closing it releases both.  A leak of ours would
 * leave one attachment more than before.
 */
static int import_recover(struct sweep_ctx *c)
{
	int left = attachments_of(IMPORT_NAME);

	if (import_run(c))
		return 0;
	import_undo(c);
	return left > attachments_of(IMPORT_NAME);
}

static void imported_setup(struct sweep_ctx *c)
{
	import_setup(c);
	if (drmPrimeFDToHandle(c->drm, c->fd, &c->handle))
		lane_fail("setup: vgem import failed: %s", strerror(errno));
}

static int sync_run(struct sweep_ctx *c)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START |
					   DMA_BUF_SYNC_RW };

	return ioctl(c->fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

static void sync_undo(struct sweep_ctx *c)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW };

	if (ioctl(c->fd, DMA_BUF_IOCTL_SYNC, &s))
		lane_fail("sync: SYNC_END failed: %s", strerror(errno));
}

static int set_name_run(struct sweep_ctx *c)
{
	return ioctl(c->fd, DMA_BUF_SET_NAME, IMPORT_NAME) ? -errno : 0;
}

static void nothing(struct sweep_ctx *c)
{
	(void)c;
}

#define SWEEP_OP(op_name, set, call, done, down, ...)                     \
	{                                                                 \
		.name = op_name, .setup = set, .run = call, .undo = done, \
		.errors = { __VA_ARGS__ }, .teardown = down               \
	}
/* Through vgem: a DRM device imports the buffer (attach, map_dma_buf). */
#define SWEEP_VGEM_OP(op_name, set, call, done, fix, ...)                    \
	{                                                                    \
		.name = op_name, .needs_vgem = 1, .setup = set, .run = call, \
		.undo = done, .teardown = buffer_teardown,                   \
		.errors = { __VA_ARGS__ }, .recover = fix                    \
	}

static const struct sweep_op ops[] = {
	SWEEP_OP("alloc", alloc_small_setup, alloc_run, close_made_fd, nothing,
		 ENOMEM, EFAULT),
	SWEEP_OP("alloc-uncached", alloc_small_setup, alloc_uncached_run,
		 close_made_fd, nothing, ENOMEM, EFAULT),
	SWEEP_OP("alloc-rdonly-per-page", alloc_rdonly_setup, alloc_run,
		 close_made_fd, nothing, ENOMEM, EFAULT),
	SWEEP_OP("alloc-largest", alloc_largest_setup, alloc_run, close_made_fd,
		 nothing, ENOMEM, EFAULT),
	SWEEP_OP("mmap", mmap_setup, mmap_run, mmap_undo, buffer_teardown,
		 ENOMEM),
	/* A fault has no error to return: the MM retries it. */
	SWEEP_OP("fault", fault_setup, fault_run, fault_undo, buffer_teardown,
		 0),
	SWEEP_OP("fault-per-page", fault_per_page_setup, fault_run, fault_undo,
		 buffer_teardown, 0),
	SWEEP_OP("set-name", mmap_setup, set_name_run, nothing, buffer_teardown,
		 ENOMEM, EFAULT),
	SWEEP_VGEM_OP("vgem-import", import_setup, import_run, import_undo,
		      import_recover, ENOMEM, EFAULT),
	SWEEP_VGEM_OP("sync-while-imported", imported_setup, sync_run,
		      sync_undo, NULL, EFAULT),
};

static int documented(const struct sweep_op *op, int err)
{
	size_t i;

	for (i = 0; i < sizeof(op->errors) / sizeof(op->errors[0]); i++)
		if (op->errors[i] && op->errors[i] == err)
			return 1;
	return 0;
}

/* Nothing the call made is left: usage and importers as @before. */
static void check_nothing_left(const struct sweep_op *op, unsigned int n,
			       const struct lane_usage *before, int importers,
			       const char *when)
{
	char where[96];

	snprintf(where, sizeof(where), "in %s at n=%u %s", op->name, n, when);
	if (!lane_usage_wait(before, LANE_SETTLE_MS))
		lane_usage_fail(where, before);
	if (op->needs_vgem && attachments_of(IMPORT_NAME) != importers)
		lane_fail("importer left attached %s: %d -> %d", where,
			  importers, attachments_of(IMPORT_NAME));
}

/* One step: the N-th injection point fails.  0 when the call never got there. */
static int sweep_step(const struct sweep_op *op, struct sweep_ctx *c,
		      unsigned int n)
{
	struct lane_usage before = lane_usage();
	int importers = op->needs_vgem ? attachments_of(IMPORT_NAME) : 0;
	int ret, consumed;

	arm(n);
	ret = op->run(c);
	consumed = disarm();
	if (!consumed) {
		if (ret)
			lane_fail(
				"%s: failed with %s at n=%u, no fault injected",
				op->name, strerror(-ret), n);
		else
			op->undo(c);
		return 0;
	}
	injected++;
	if (!ret) {
		absorbed++;
		op->undo(c);
	} else if (documented(op, -ret)) {
		by_errno[-ret < MAX_ERRNO ? -ret : 0]++;
		if (ret == -EFAULT && op->recover)
			kept += op->recover(c);
	} else {
		lane_fail("%s: undocumented error %s at n=%u", op->name,
			  strerror(-ret), n);
	}
	check_nothing_left(op, n, &before, importers, "after the failure");
	ret = op->run(c);
	if (ret)
		lane_fail("%s: the call after n=%u failed: %s", op->name, n,
			  strerror(-ret));
	else
		op->undo(c);
	check_nothing_left(op, n, &before, importers, "after the next call");
	return 1;
}

static void sweep(const struct sweep_op *op, unsigned int max_n)
{
	struct sweep_ctx c = { .fd = -1, .drm = -1, .made_fd = -1 };
	unsigned long before_injected = injected;
	unsigned long before_failures = lane_failures;
	double t0 = lane_now();
	unsigned int n;

	op->setup(&c);
	for (n = 1; n <= max_n; n++) {
		if (!sweep_step(op, &c, n))
			break;
		if (dma_api_disabled()) {
			lane_fail(
				"%s: DMA-API debug switched itself off at n=%u",
				op->name, n);
			break;
		}
		if (lane_failures - before_failures > 20) {
			lane_fail("%s: too many failures, stopping", op->name);
			break;
		}
	}
	if (n > max_n)
		lane_fail("%s: still reaching new injection points at n=%u",
			  op->name, max_n);
	op->teardown(&c);
	printf("sweep %-22s %4lu faults injected, %.1fs\n", op->name,
	       injected - before_injected, lane_now() - t0);
}

int main(int argc, char **argv)
{
	uint64_t max_n = 4000;
	struct lane_usage start;
	int have_vgem, fd;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	lane_arg_u64(argc, argv, "--max-n", &max_n);
	if (dev_fd() < 0 || configure_fault_injection()) {
		perror("fault-sweep: setup");
		return 1;
	}
	/* Our own memory must not fault while a fault is armed. */
	if (mlockall(MCL_CURRENT))
		printf("mlockall failed (%s): stray faults may absorb injections\n",
		       strerror(errno));
	fd = open_vgem();
	have_vgem = fd >= 0;
	if (have_vgem)
		close(fd);
	start = lane_usage();
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (ops[i].needs_vgem && !have_vgem) {
			printf("sweep %-22s skipped: no vgem device\n",
			       ops[i].name);
			continue;
		}
		sweep(&ops[i], (unsigned int)max_n);
	}
	if (!lane_usage_wait(&start, LANE_SETTLE_MS))
		lane_usage_fail("after the sweep", &start);
	printf("SUMMARY fault-sweep: %zu operations, %lu faults injected "
	       "(ENOMEM %lu, EFAULT %lu, absorbed by a fallback %lu; "
	       "DRM kept the handle after EFAULT %lu times), %lu failures\n",
	       sizeof(ops) / sizeof(ops[0]), injected, by_errno[ENOMEM],
	       by_errno[EFAULT], absorbed, kept, lane_failures);
	return lane_failures ? 1 : 0;
}
