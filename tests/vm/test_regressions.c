// SPDX-License-Identifier: GPL-2.0
/*
 * One test per bug class our peers shipped, named after the CVE that made
 * the class famous.  Each one is the strongest form of its check that runs
 * on any kernel: on the stock kernel a regression shows as a failed assert
 * or a WARN in the log, on the debug kernel KASAN and DMA-API debug see
 * what userspace cannot.  Weaker single-case versions live in abi_errors
 * and mmap; these add the second mapping, mremap, every flag combination,
 * repetition and the importer's view.
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
#include <sys/resource.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "harness.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define DMA_API_DIR "/sys/kernel/debug/dma-api"

static const uint64_t fault_modes[] = { 0,
					DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE };
#define N_FAULT_MODES (sizeof(fault_modes) / sizeof(fault_modes[0]))

static const uint32_t all_fd_flags[] = { O_RDWR, O_RDONLY, O_RDWR | O_CLOEXEC,
					 O_RDONLY | O_CLOEXEC };
#define N_FD_FLAGS (sizeof(all_fd_flags) / sizeof(all_fd_flags[0]))

static sigjmp_buf probe_env;

static void probe_signal(int sig)
{
	siglongjmp(probe_env, sig);
}

/*
 * Read the byte at @p into *@out: 0 when the read worked, else the signal
 * it raised (SIGBUS from a fault handler that refused, SIGSEGV where
 * nothing is mapped).
 */
static int probe(const volatile char *p, char *out)
{
	struct sigaction sa = { .sa_handler = probe_signal }, old_bus, old_segv;
	int sig;

	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	sig = sigsetjmp(probe_env, 1);
	if (!sig)
		*out = *p;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	return sig;
}

static int alloc_fd(uint64_t size, uint32_t fd_flags, uint64_t flags)
{
	struct dmabuf_exporter_alloc a;

	CU_ASSERT_EQUAL_FATAL(exp_alloc(size, fd_flags, flags, &a), 0);
	return (int)a.fd;
}

/* A read-write buffer of @len, mapped whole at *@all and filled from @seed. */
static int mapped_filled(size_t len, uint64_t flags, unsigned int seed,
			 char **all)
{
	int fd = alloc_fd(len, O_RDWR | O_CLOEXEC, flags);

	*all = map_buf(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(*all, MAP_FAILED);
	fill_pattern(*all, len, seed);
	return fd;
}

/* The fd number the next open() would get. */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * CVE-2023-2008 (udmabuf): the fault handler trusted the page offset.
 * With one mapping live, a second one at the end, past it, straddling it
 * or overflowing the offset must be refused, and the last page must map
 * and alias the first mapping, in both fault modes.
 */
static void second_mapping_at_or_past_end_refused_cve_2023_2008(void)
{
	struct usage before = usage_now();
	const size_t len = 4 * PAGE;
	size_t m;

	for (m = 0; m < N_FAULT_MODES; m++) {
		const int prot = PROT_READ | PROT_WRITE;
		char *all, *last, c;
		int fd = mapped_filled(len, fault_modes[m], 31, &all);

		CU_ASSERT_EQUAL(map_buf(fd, PAGE, prot, MAP_SHARED, len),
				MAP_FAILED);
		CU_ASSERT_EQUAL(map_buf(fd, PAGE, prot, MAP_SHARED, len + PAGE),
				MAP_FAILED);
		CU_ASSERT_EQUAL(map_buf(fd, 2 * PAGE, prot, MAP_SHARED,
					len - PAGE),
				MAP_FAILED);
		CU_ASSERT_EQUAL(map_buf(fd, PAGE, prot, MAP_SHARED,
					(off_t)1 << 44),
				MAP_FAILED);
		/* The largest offset mmap() itself accepts. */
		CU_ASSERT_EQUAL(map_buf(fd, 2 * PAGE, prot, MAP_SHARED,
					(off_t)(~0ULL >> 1) &
						~(off_t)(PAGE - 1)),
				MAP_FAILED);
		last = map_buf(fd, PAGE, prot, MAP_SHARED, len - PAGE);
		CU_ASSERT_NOT_EQUAL_FATAL(last, MAP_FAILED);
		CU_ASSERT_EQUAL(probe(last + PAGE - 1, &c), 0);
		CU_ASSERT_EQUAL(memcmp(last, all + len - PAGE, PAGE), 0);
		last[7] = 'L';
		CU_ASSERT_EQUAL(all[len - PAGE + 7], 'L');
		munmap(last, PAGE);
		munmap(all, len);
		close(fd);
	}
	assert_usage_is(&before, "after the second mappings");
}

/* Move @p (@len bytes) to a fresh address; MAP_FAILED on error. */
static char *mremap_to_fresh_address(char *p, size_t len)
{
	char *dst =
		mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (dst == MAP_FAILED)
		return MAP_FAILED;
	return mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
}

/*
 * A mapping of the last page only: no mremap() may grow it past the end
 * of the buffer; if one ever does, the new page must raise SIGBUS rather
 * than show memory past the buffer.
 */
static void last_page_mapping_cannot_grow(int fd, const char *all, size_t len)
{
	char *tail = map_buf(fd, PAGE, PROT_READ, MAP_SHARED, len - PAGE);
	char *grown, c;

	CU_ASSERT_NOT_EQUAL_FATAL(tail, MAP_FAILED);
	CU_ASSERT_EQUAL(mremap(tail, PAGE, 2 * PAGE, 0), MAP_FAILED);
	grown = mremap(tail, PAGE, 2 * PAGE, MREMAP_MAYMOVE);
	CU_ASSERT_EQUAL(grown, MAP_FAILED);
	if (grown != MAP_FAILED) {
		CU_ASSERT_EQUAL(probe(grown + PAGE, &c), SIGBUS);
		tail = grown;
	}
	/* Moved, it still shows the buffer's last page and nothing else. */
	grown = mremap_to_fresh_address(tail, PAGE);
	CU_ASSERT_NOT_EQUAL_FATAL(grown, MAP_FAILED);
	CU_ASSERT_EQUAL(probe(grown, &c), 0);
	CU_ASSERT_EQUAL(memcmp(grown, all + len - PAGE, PAGE), 0);
	CU_ASSERT_EQUAL(mremap(grown, PAGE, 2 * PAGE, MREMAP_MAYMOVE),
			MAP_FAILED);
	munmap(grown, PAGE);
}

/* Shrunk in place, a mapping cannot grow back, not even within the buffer. */
static void shrunk_mapping_cannot_regrow(int fd, size_t len)
{
	char *p = map_buf(fd, len, PROT_READ, MAP_SHARED, 0), *q;

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	q = mremap(p, len, len / 2, 0);
	CU_ASSERT_EQUAL_FATAL(q, p);
	CU_ASSERT_EQUAL(mremap(q, len / 2, len, MREMAP_MAYMOVE), MAP_FAILED);
	CU_ASSERT_EQUAL(mremap(q, len / 2, len / 2,
			       MREMAP_MAYMOVE | MREMAP_DONTUNMAP),
			MAP_FAILED);
	munmap(q, len / 2);
}

/*
 * CVE-2024-46852 (CMA heap, a > that should have been >=) and the mremap
 * vector of CVE-2023-2008: a mapping that reaches the last page, moved,
 * shrunk or grown by mremap(), never reaches page count.
 */
static void mremap_never_reaches_past_end_cve_2024_46852(void)
{
	struct usage before = usage_now();
	const size_t len = 4 * PAGE;
	size_t m;

	for (m = 0; m < N_FAULT_MODES; m++) {
		char *all;
		int fd = mapped_filled(len, fault_modes[m], 41, &all);

		last_page_mapping_cannot_grow(fd, all, len);
		shrunk_mapping_cannot_regrow(fd, len);
		/* The moved whole mapping faults its own pages, in order. */
		all = mremap_to_fresh_address(all, len);
		CU_ASSERT_NOT_EQUAL_FATAL(all, MAP_FAILED);
		CU_ASSERT_EQUAL(check_pattern(all, len, 41), 0);
		munmap(all, len);
		close(fd);
	}
	assert_usage_is(&before, "after the mremap calls");
}

/*
 * CVE-2021-47649 (udmabuf): a zero size went on to a zero-length
 * allocation.  Zero is EINVAL with every fd_flags and flags combination;
 * sizes that would round up to zero are E2BIG; the smallest real size is
 * one page, everywhere it shows.
 */
static void size_zero_refused_in_every_combination_cve_2021_47649(void)
{
	const uint64_t wrap[] = { UINT64_MAX, UINT64_MAX - PAGE + 2,
				  0 - PAGE + 1 };
	struct usage before = usage_now();
	struct dmabuf_exporter_alloc a;
	size_t f, m, i;
	int fd;

	for (f = 0; f < N_FD_FLAGS; f++)
		for (m = 0; m < N_FAULT_MODES; m++) {
			CU_ASSERT_EQUAL(exp_alloc(0, all_fd_flags[f],
						  fault_modes[m], &a),
					-EINVAL);
			for (i = 0; i < sizeof(wrap) / sizeof(wrap[0]); i++)
				CU_ASSERT_EQUAL(exp_alloc(wrap[i],
							  all_fd_flags[f],
							  fault_modes[m], &a),
						-E2BIG);
		}
	assert_usage_is(&before, "after the refused sizes");
	CU_ASSERT_EQUAL_FATAL(exp_alloc(1, O_RDWR | O_CLOEXEC, 0, &a), 0);
	fd = (int)a.fd;
	CU_ASSERT_EQUAL(a.size, PAGE);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_END), (off_t)PAGE);
	CU_ASSERT_EQUAL(exp_info().total_allocated,
			before.total_allocated + PAGE);
	CU_ASSERT_EQUAL(map_buf(fd, 0, PROT_READ, MAP_SHARED, 0), MAP_FAILED);
	CU_ASSERT_EQUAL(map_buf(fd, 2 * PAGE, PROT_READ, MAP_SHARED, 0),
			MAP_FAILED);
	close(fd);
	assert_usage_is(&before, "after the one-page buffer");
}

/* DMA-API debug's error count; -1 when DMA-API debug is not there. */
static long dma_api_errors(void)
{
	long v = -1;
	FILE *f = fopen(DMA_API_DIR "/error_count", "re");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* DMA-API debug turns itself off when it runs out of memory: "Y". */
static int dma_api_disabled(void)
{
	FILE *f = fopen(DMA_API_DIR "/disabled", "re");
	int c;

	if (!f)
		return -1;
	c = fgetc(f);
	fclose(f);
	return c == 'Y';
}

/*
 * Live DMA-API debug entries whose device name is @dev; -1 without it.
 * A dump line starts with the driver's name, then the device's: ours has
 * no driver, so its lines read "platform dmabuf_exporter coherent ...".
 */
static long dma_api_entries_of(const char *dev)
{
	char line[256], drv[64], name[64];
	long count = 0;
	FILE *f = fopen(DMA_API_DIR "/dump", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %63s", drv, name) == 2 &&
		    !strcmp(name, dev))
			count++;
	fclose(f);
	return count;
}

struct dma_api_state {
	long errors;
	long vgem_entries;
};

static struct dma_api_state dma_api_now(void)
{
	struct dma_api_state s = {
		.errors = dma_api_errors(),
		.vgem_entries = dma_api_entries_of("vgem"),
	};

	return s;
}

/* Released buffers the module keeps for reuse, each still allocated. */
static long cached_buffers(void)
{
#ifdef DMABUF_EXPORTER_IOCTL_CACHE_INFO
	struct dmabuf_exporter_cache_info ci;

	if (!ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_CACHE_INFO, &ci))
		return ci.cached_buffers;
#endif
	return 0;
}

/*
 * Every coherent allocation of ours belongs to a live or a cached buffer.
 * The cache gives idle buffers back on its own (cache_idle_ms), and a
 * buffer leaves its count just before its memory goes: read until the two
 * agree, for up to SETTLE_LIMIT_MS; a real leak never does.
 */
static void assert_allocations_accounted(void)
{
	long entries = -1, owned = -1;
	int tries;

	for (tries = 0; tries < SETTLE_LIMIT_MS / SETTLE_STEP_MS; tries++) {
		owned = (long)exp_info().live_buffers + cached_buffers();
		entries = dma_api_entries_of("dmabuf_exporter");
		if (entries == owned)
			break;
		usleep(SETTLE_STEP_MS * 1000);
	}
	if (entries != owned)
		printf(" (%ld coherent allocations for %ld live and cached buffers) ",
		       entries, owned);
	CU_ASSERT_EQUAL(entries, owned);
}

/*
 * DMA-API debug saw no new error, is still on, and holds no importer
 * mapping that was not there at @before; every coherent allocation of
 * ours belongs to a live or a cached buffer.  Without DMA-API debug (the
 * stock kernel) the WARN_ONs on a missing mask in the DMA API itself are
 * what the log scanner catches.
 */
static void assert_dma_api_clean(const struct dma_api_state *before)
{
	struct dma_api_state now = dma_api_now();

	if (before->errors < 0) {
		printf(" (no DMA-API debug in this kernel) ");
		return;
	}
	CU_ASSERT_EQUAL(dma_api_disabled(), 0);
	CU_ASSERT_EQUAL(now.errors, before->errors);
	CU_ASSERT_EQUAL(now.vgem_entries, before->vgem_entries);
	assert_allocations_accounted();
}

static int sync_fd(int fd, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

static void sync_every_direction(int fd)
{
	const __u64 dirs[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE,
			       DMA_BUF_SYNC_RW };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		CU_ASSERT_EQUAL(sync_fd(fd, DMA_BUF_SYNC_START | dirs[i]), 0);
		CU_ASSERT_EQUAL(sync_fd(fd, DMA_BUF_SYNC_END | dirs[i]), 0);
	}
}

/*
 * CVE-2022-49983 (udmabuf): CPU access ran the DMA API on a device with
 * no DMA mask.  Every CPU-access bracket, with no importer attached, on
 * every size class, leaves DMA-API debug without a complaint.
 */
static void cpu_access_passes_dma_api_debug_cve_2022_49983(void)
{
	struct dma_api_state dma = dma_api_now();
	struct usage before = usage_now();
	const uint64_t sizes[] = { PAGE, 17 * PAGE, 64 * 1024 + PAGE,
				   exp_info().max_buffer_size };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int fd = alloc_fd(sizes[i], O_RDWR | O_CLOEXEC, 0);
		char *p = map_buf(fd, sizes[i], PROT_READ | PROT_WRITE,
				  MAP_SHARED, 0);

		CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
		sync_every_direction(fd);
		p[sizes[i] - 1] = 1;
		munmap(p, sizes[i]);
		close(fd);
	}
	assert_usage_is(&before, "after the CPU access brackets");
	assert_dma_api_clean(&dma);
}

/* Import @fd into vgem, sync both ways, export it back and release it. */
static void vgem_round_trip(int drm, int fd, size_t len)
{
	char *p = map_buf(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0), *q;
	uint32_t h = 0;
	int back = -1;

	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	fill_pattern(p, len, (unsigned int)len);
	CU_ASSERT_EQUAL_FATAL(drmPrimeFDToHandle(drm, fd, &h), 0);
	sync_every_direction(fd);
	CU_ASSERT_EQUAL(
		drmPrimeHandleToFD(drm, h, DRM_CLOEXEC | DRM_RDWR, &back), 0);
	q = map_buf(back, len, PROT_READ, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL(q, MAP_FAILED);
	if (q != MAP_FAILED) {
		CU_ASSERT_EQUAL(check_pattern(q, len, (unsigned int)len), 0);
		munmap(q, len);
	}
	CU_ASSERT_EQUAL(drmCloseBufferHandle(drm, h), 0);
	close(back);
	munmap(p, len);
}

/*
 * The same class on the importer side: vgem maps buffers of every size
 * class, up to the largest, for its own device (one segment beyond the
 * 64 KiB a device without DMA parameters accepts, many pages, one page)
 * and DMA-API debug checks the mask, the segments, the directions of the
 * syncs and that every mapping is gone after the handle is closed.
 */
static void importer_mapping_passes_dma_api_debug_cve_2022_49983(void)
{
	struct dma_api_state dma = dma_api_now();
	struct usage before = usage_now();
	const uint64_t sizes[] = { PAGE, 2 * PAGE, 17 * PAGE, 64 * 1024 + PAGE,
				   exp_info().max_buffer_size };
	int drm = open_vgem();
	size_t i;

	CU_ASSERT_FATAL(drm >= 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int fd = alloc_fd(sizes[i], O_RDWR | O_CLOEXEC, 0);

		vgem_round_trip(drm, fd, sizes[i]);
		close(fd);
	}
	close(drm);
	assert_usage_is(&before, "after the vgem imports");
	assert_dma_api_clean(&dma);
}

/*
 * CVE-2022-50819 (udmabuf freed an error pointer on a failure path), and
 * the leak every exporter had when the fd could not be given out: the only
 * failure after export is the copy of the result to userspace.  Each time,
 * in every fd_flags and flags combination, the fd slot that was reserved
 * stays closed and comes back, and the buffer is gone.
 */
static void efault_after_export_leaves_no_fd_cve_2022_50819(void)
{
	struct usage before = usage_now();
	struct dmabuf_exporter_alloc req = { .size = 3 * PAGE };
	struct dmabuf_exporter_alloc *ro =
		mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t f, m, i;
	int slot, fd;

	CU_ASSERT_NOT_EQUAL_FATAL(ro, MAP_FAILED);
	for (f = 0; f < N_FD_FLAGS; f++)
		for (m = 0; m < N_FAULT_MODES; m++)
			for (i = 0; i < 8; i++) {
				req.fd_flags = all_fd_flags[f];
				req.flags = fault_modes[m];
				CU_ASSERT_EQUAL_FATAL(
					mprotect(ro, PAGE, PROT_WRITE), 0);
				*ro = req;
				CU_ASSERT_EQUAL_FATAL(
					mprotect(ro, PAGE, PROT_READ), 0);
				slot = lowest_free_fd();
				CU_ASSERT_EQUAL(
					ioctl(dev_fd(),
					      DMABUF_EXPORTER_IOCTL_ALLOC, ro),
					-1);
				CU_ASSERT_EQUAL(errno, EFAULT);
				CU_ASSERT_EQUAL(fcntl(slot, F_GETFD), -1);
				CU_ASSERT_EQUAL(exp_info().live_buffers,
						before.live_buffers);
			}
	munmap(ro, PAGE);
	assert_usage_is(&before, "after EFAULT on copy-out");
	slot = lowest_free_fd();
	fd = exp_alloc_rw(PAGE);
	CU_ASSERT_EQUAL(fd, slot);
	close(fd);
}

/* Every call that fails on a live buffer, none of which may harm it. */
static void refused_calls_on_exported_buffer(int fd, int ro_fd, char *p)
{
	char *ro_map = map_buf(ro_fd, PAGE, PROT_READ, MAP_SHARED, 0);
	char name[64], c;

	CU_ASSERT_NOT_EQUAL_FATAL(ro_map, MAP_FAILED);
	CU_ASSERT_EQUAL(map_buf(fd, PAGE, PROT_READ, MAP_PRIVATE, 0),
			MAP_FAILED);
	CU_ASSERT_EQUAL(map_buf(fd, 8 * PAGE, PROT_READ, MAP_SHARED, 0),
			MAP_FAILED);
	CU_ASSERT_EQUAL(map_buf(ro_fd, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
				0),
			MAP_FAILED);
	CU_ASSERT_EQUAL(mprotect(ro_map, PAGE, PROT_READ | PROT_WRITE), -1);
	CU_ASSERT_EQUAL(mremap(p, 4 * PAGE, 5 * PAGE, MREMAP_MAYMOVE),
			MAP_FAILED);
	CU_ASSERT_EQUAL(sync_fd(fd, 0), -EINVAL);
	CU_ASSERT_EQUAL(sync_fd(fd, ~0ULL), -EINVAL);
	CU_ASSERT_EQUAL(ioctl(fd, DMA_BUF_IOCTL_SYNC, NULL), -1);
	CU_ASSERT_EQUAL(ioctl(fd, DMA_BUF_SET_NAME, (void *)8), -1);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CU_ASSERT_EQUAL(ioctl(fd, DMA_BUF_SET_NAME, name), -1);
	CU_ASSERT_EQUAL(read(fd, &c, 1), -1);
	CU_ASSERT_EQUAL(write(fd, "x", 1), -1);
	CU_ASSERT_EQUAL(probe(ro_map, &c), 0);
	munmap(ro_map, PAGE);
}

/*
 * The same class for the calls userspace makes on an exported buffer:
 * each refused mmap, mprotect, mremap, SYNC, SET_NAME, read and write
 * leaves the buffer whole, mappable and freed exactly once at the end.
 */
static void refused_calls_leave_exported_buffer_intact_cve_2022_50819(void)
{
	struct usage before = usage_now();
	char *p, *q;
	int fd = mapped_filled(4 * PAGE, 0, 51, &p);
	int ro_fd = alloc_fd(2 * PAGE, O_RDONLY | O_CLOEXEC, 0);

	refused_calls_on_exported_buffer(fd, ro_fd, p);
	CU_ASSERT_EQUAL(check_pattern(p, 4 * PAGE, 51), 0);
	sync_every_direction(fd);
	q = map_buf(fd, 4 * PAGE, PROT_READ, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(q, MAP_FAILED);
	CU_ASSERT_EQUAL(check_pattern(q, 4 * PAGE, 51), 0);
	CU_ASSERT_EQUAL(exp_info().live_buffers, before.live_buffers + 2);
	munmap(q, 4 * PAGE);
	munmap(p, 4 * PAGE);
	close(ro_fd);
	close(fd);
	assert_usage_is(&before, "after the refused calls");
}

/* Fill every fd slot below the limit @cap with dups; returns how many. */
static int fill_fd_table(int *fds, int max)
{
	int n = 0;

	while (n < max && (fds[n] = dup(0)) >= 0)
		n++;
	CU_ASSERT_EQUAL(errno, EMFILE);
	return n;
}

/*
 * A full fd table (real fds, not only a low limit), in every combination
 * and many times over: EMFILE, nothing allocated, no slot taken.  A slot
 * freed is the one the next buffer gets, and a full table with a live
 * buffer still refuses without touching it.
 */
static void fd_table_full_leaks_nothing_emfile(void)
{
	struct usage before = usage_now();
	struct dmabuf_exporter_info info;
	struct dmabuf_exporter_alloc a;
	struct rlimit old, lim;
	int fds[64], n, i, hole;
	size_t f, m;

	CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)lowest_free_fd() + 8;
	CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_NOFILE, &lim), 0);
	n = fill_fd_table(fds, 64);
	for (i = 0; i < 16; i++)
		for (f = 0; f < N_FD_FLAGS; f++)
			for (m = 0; m < N_FAULT_MODES; m++)
				CU_ASSERT_EQUAL(exp_alloc(PAGE, all_fd_flags[f],
							  fault_modes[m], &a),
						-EMFILE);
	info = exp_info();
	CU_ASSERT_EQUAL(info.live_buffers, before.live_buffers);
	CU_ASSERT_EQUAL(info.total_allocated, before.total_allocated);
	hole = fds[--n];
	close(hole);
	CU_ASSERT_EQUAL(exp_alloc(2 * PAGE, O_RDWR | O_CLOEXEC, 0, &a), 0);
	CU_ASSERT_EQUAL((int)a.fd, hole);
	CU_ASSERT_EQUAL(exp_alloc(PAGE, O_RDWR | O_CLOEXEC, 0, NULL), -EMFILE);
	CU_ASSERT_EQUAL(exp_info().live_buffers, before.live_buffers + 1);
	close((int)a.fd);
	while (n)
		close(fds[--n]);
	CU_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_usage_is(&before, "after the full fd table");
}

static const struct vm_test tests[] = {
	VM_TEST(second_mapping_at_or_past_end_refused_cve_2023_2008),
	VM_TEST(mremap_never_reaches_past_end_cve_2024_46852),
	VM_TEST(size_zero_refused_in_every_combination_cve_2021_47649),
	VM_TEST(cpu_access_passes_dma_api_debug_cve_2022_49983),
	VM_TEST_NEEDS(importer_mapping_passes_dma_api_debug_cve_2022_49983,
		      needs_vgem),
	VM_TEST(efault_after_export_leaves_no_fd_cve_2022_50819),
	VM_TEST(refused_calls_leave_exported_buffer_intact_cve_2022_50819),
	VM_TEST(fd_table_full_leaks_nothing_emfile),
	VM_TESTS_END,
};

const struct vm_suite suite_regressions = { "regressions", tests };
