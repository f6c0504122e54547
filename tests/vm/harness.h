/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the in-VM CUnit suites: test registration with reported skips,
 * thin wrappers around the exporter ABI, and leak accounting.
 */
#ifndef DMABUF_EXPORTER_TEST_HARNESS_H
#define DMABUF_EXPORTER_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <CUnit/CUnit.h>
#include <linux/dmabuf_exporter.h>

#define EXPORTER_DEV "/dev/dmabuf_exporter"
#define EXPORTER_KO "/payload/dmabuf_exporter.ko"
#define PAGE 4096UL

/*
 * The limit of every wait for the kernel to settle (the zeroing worker, a
 * dead child's last fput, the cache's expiry): a wait returns as soon as
 * what it waits for happens, so only a real failure ever takes this long.
 * As long as a test's own limit, never a guess at how fast a loaded TCG
 * guest is (issue 20).
 */
#define SETTLE_LIMIT_MS 120000
/* The polling step of those waits. */
#define SETTLE_STEP_MS 10

/*
 * A test and what it needs: @needs returns NULL when the running system can
 * run the test, else the reason it cannot, and the test is reported as
 * skipped (never registered, so never counted as passed).
 */
struct vm_test {
	const char *name;
	void (*fn)(void);
	const char *(*needs)(void);
};

struct vm_suite {
	const char *name;
	const struct vm_test *tests;
};

#define VM_TEST_NEEDS(test, why)                        \
	{                                               \
		.name = #test, .fn = test, .needs = why \
	}
#define VM_TEST(test) VM_TEST_NEEDS(test, NULL)
#define VM_TESTS_END          \
	{                     \
		.name = NULL, \
	}

/* The suites, one per file. */
extern const struct vm_suite suite_alloc;
extern const struct vm_suite suite_abi_errors;
extern const struct vm_suite suite_mmap;
extern const struct vm_suite suite_pmd;
extern const struct vm_suite suite_share;
extern const struct vm_suite suite_cpu_access;
extern const struct vm_suite suite_import;
extern const struct vm_suite suite_importers;
extern const struct vm_suite suite_regressions;
extern const struct vm_suite suite_v4l2;
extern const struct vm_suite suite_stress;
extern const struct vm_suite suite_cache;
extern const struct vm_suite suite_memory;
extern const struct vm_suite suite_fill;
extern const struct vm_suite suite_memcg;
extern const struct vm_suite suite_edu;
extern const struct vm_suite suite_module;

/* Write @text to a sysfs, procfs or cgroupfs file: 0 or -errno. */
int write_file(const char *path, const char *text);

/* The exporter device, opened once per test program (O_CLOEXEC). */
int dev_fd(void);
void dev_reopen(void);

/*
 * Unload the exporter (refused while anything pins it) and load it with
 * @params: 0 or -errno.  module_reload() does both and fails the test if
 * either fails.
 */
int module_unload(void);
int module_load(const char *params);
void module_reload(const char *params);

/* ALLOC: 0 and *out filled, or -errno.  @fd_flags/@flags as in the ABI. */
int exp_alloc(uint64_t size, uint32_t fd_flags, uint64_t flags,
	      struct dmabuf_exporter_alloc *out);
/* ALLOC of a read-write, close-on-exec buffer; fails the test on error. */
int exp_alloc_rw(uint64_t size);
struct dmabuf_exporter_info exp_info(void);
struct dmabuf_exporter_cache_info cache_info(void);
/* Until the cache's worker has zeroed every released buffer: 0, or -1 after 5 s. */
int wait_zeroed(void);

/*
 * What INFO charges for a buffer of @size bytes: the power-of-two block
 * dma-direct takes, up to the buddy allocator's largest (4 MiB on x86-64);
 * beyond that only CMA delivers, page by page.
 */
uint64_t footprint(uint64_t size);

/* Open fds of this process (from /proc/self/fd). */
int count_fds(void);

/* What a leak check compares: exporter usage and our own fd count. */
struct usage {
	uint32_t live_buffers;
	uint64_t total_allocated;
	int fds;
};
struct usage usage_now(void);
/* Assert usage returned to @before; release may trail a child's exit. */
void assert_usage_is(const struct usage *before, const char *where);

/* mmap() of a dma-buf fd; MAP_FAILED on error. */
void *map_buf(int fd, size_t len, int prot, int flags, off_t off);
/* Minor faults this process has taken so far. */
long minor_faults(void);

/* Fork a child running @fn(@arg); returns its exit status (0 = ok). */
int run_child(int (*fn)(void *), void *arg);
/* Exit status of @pid: 0 for a clean exit 0, else nonzero. */
int wait_child(pid_t pid);
/*
 * Fork @procs children (1 to 64) all running @fn(@arg) at once and assert
 * that each exits 0: the shape of every multi-process stress test.
 */
void run_children(long procs, int (*fn)(void *), void *arg);
/* A tuning knob from the environment (STRESS_PROCS=...), or @fallback. */
long env_long(const char *name, long fallback);

/* Write/verify a per-page pattern: byte i of page p is (seed + p + i). */
void fill_pattern(void *p, size_t len, unsigned int seed);
int check_pattern(const void *p, size_t len, unsigned int seed);

/* /proc/self/fdinfo/<fd> value of @key ("name", "exp_name", "size"). */
int fdinfo_value(int fd, const char *key, char *buf, size_t len);

/* The vgem DRM node, opened O_CLOEXEC; -1 when there is none. */
int open_vgem(void);
/* Importers attached to our buffer named @name (bufinfo); -1 if unknown. */
int attachments_of(const char *name);

/*
 * Free memory in KiB: MemFree plus the pages parked on the per-CPU free
 * lists (/proc/zoneinfo "count:"), which MemFree leaves out.  Memory a
 * driver frees page by page (CMA) lands there first, often by the MiB.
 */
long free_kib(void);

/* The guest booted with swiotlb=force: every importer mapping bounces. */
int booted_with_swiotlb_force(void);

/* Skip reasons for VM_TEST_NEEDS. */
const char *needs_vgem(void);
const char *needs_debugfs_bufinfo(void);

#endif
