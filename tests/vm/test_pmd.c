// SPDX-License-Identifier: GPL-2.0
/*
 * 2 MiB (PMD) mappings of a buffer.  On a kernel whose GUP-fast knows
 * special PMDs (pmd_special, 6.12+ on x86-64) an aligned 2 MiB of a buffer
 * is mapped by one PMD; on older kernels (6.1) a PFN PMD would let GUP-fast
 * take page references, the 2003 bug, so there the mapping must stay PTEs.
 *
 * Walks of /proc (smaps, pagemap) skip VM_PFNMAP mappings, so the proof is
 * VmPTE in /proc/self/status: PTE tables are counted there, and a PMD
 * mapping needs none.  Every other behaviour (GUP refused, fork, mremap,
 * splits, the 2003-bug stress) runs on every kernel over the same 2 MiB
 * aligned placement; the host fails the run on any kernel report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmabuf_share.h>

#include "harness.h"

#define MIB (1024UL * 1024UL)
#define PMD_BYTES (2 * MIB)
/* The largest buffer every matrix kernel delivers without CMA (buddy). */
#define BUF_BYTES (4 * MIB)
#define COPIES 8

/*
 * Whether this kernel can map PFNs by PMD: pmd_special (6.12+) on x86-64,
 * with THP not switched off (6.12 honours the sysfs switch for PFN
 * mappings).  Decided from the kernel, not from the module, so a module
 * whose probe misses the feature fails instead of passing with PTEs.
 */
static const char *pmd_kernel_why(void)
{
	static char why[160];
	struct utsname u;
	char mode[128];
	int major, minor;
	FILE *f;

#ifndef __x86_64__
	return "PFN PMD mappings are tested on x86-64 only";
#endif
	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return "cannot read the kernel version";
	if (major < 6 || (major == 6 && minor < 12)) {
		snprintf(why, sizeof(why),
			 "kernel %s has no pmd_special (6.12+): PTEs only",
			 u.release);
		return why;
	}
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
	if (!f)
		return "no transparent hugepage support in this kernel";
	if (!fgets(mode, sizeof(mode), f))
		mode[0] = 0;
	fclose(f);
	if (strstr(mode, "[never]"))
		return "transparent hugepages are set to never";
	return NULL;
}

static const char *needs_pmd_kernel(void)
{
	return pmd_kernel_why();
}

static const char *needs_kernel_without_pmd(void)
{
	return pmd_kernel_why() ? NULL :
				  "this kernel maps PFN PMDs (pmd_special)";
}

/*
 * @len bytes of address space from a 2 MiB boundary, reserved PROT_NONE:
 * dma-buf files have no get_unmapped_area, so placement is ours.
 */
static char *reserve_aligned(size_t len)
{
	size_t span = len + PMD_BYTES;
	char *r =
		mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (r == MAP_FAILED)
		return MAP_FAILED;
	a = (char *)(((unsigned long)r + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	if (a > r)
		munmap(r, (size_t)(a - r));
	if (r + span > a + len)
		munmap(a + len, (size_t)(r + span - (a + len)));
	return a;
}

/* mmap() @len bytes of @fd from @off at a 2 MiB-aligned address. */
static char *map_aligned(int fd, size_t len, off_t off, int prot)
{
	char *a = reserve_aligned(len), *p;

	if (a == MAP_FAILED)
		return MAP_FAILED;
	p = mmap(a, len, prot, MAP_SHARED | MAP_FIXED, fd, off);
	if (p == MAP_FAILED)
		munmap(a, len);
	return p;
}

static int alloc_buf(size_t len)
{
	return exp_alloc_rw(len);
}

/* One 64-bit word per page: @seed + page index. */
static void touch_words(char *p, size_t len, uint64_t seed)
{
	size_t i;

	for (i = 0; i < len / PAGE; i++)
		*(volatile uint64_t *)(p + i * PAGE) = seed + i;
}

static size_t bad_words(const char *p, size_t len, uint64_t seed)
{
	size_t i, bad = 0;

	for (i = 0; i < len / PAGE; i++)
		bad += *(const volatile uint64_t *)(p + i * PAGE) != seed + i;
	return bad;
}

/* VmPTE of this process in kB: its page tables, PTE tables included. */
static long vm_pte_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPTE: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* THPeligible of @addr's VMA in /proc/self/smaps; -1 when absent. */
static int thp_eligible(const void *addr)
{
	char line[512];
	unsigned long start, end, want = (unsigned long)addr;
	int in_vma = 0, v = -1;
	FILE *f = fopen("/proc/self/smaps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' '))
			in_vma = want >= start && want < end;
		else if (in_vma && sscanf(line, "THPeligible: %d", &v) == 1)
			break;
	}
	fclose(f);
	return v;
}

struct placement {
	char *base;  /* COPIES aligned mappings of one buffer, back to back */
	long pte_kb; /* VmPTE growth from touching every page of all */
	long faults; /* minor faults it took */
};

/*
 * Map one 4 MiB buffer COPIES times, back to back from a 2 MiB boundary,
 * and touch every page: PTEs need two PTE tables (8 kB) per copy, PMDs
 * none (new PMD and PUD tables for the range are 12 kB at most).
 */
static void place_copies(int fd, struct placement *pl)
{
	const size_t all = COPIES * BUF_BYTES;
	long faults, pte;
	int i;

	pl->base = reserve_aligned(all);
	CU_ASSERT_NOT_EQUAL_FATAL(pl->base, MAP_FAILED);
	for (i = 0; i < COPIES; i++) {
		char *p = mmap(pl->base + i * BUF_BYTES, BUF_BYTES,
			       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			       fd, 0);

		CU_ASSERT_EQUAL_FATAL(p, pl->base + i * BUF_BYTES);
	}
	pte = vm_pte_kb();
	faults = minor_faults();
	for (i = 0; i < COPIES; i++)
		touch_words(pl->base + i * BUF_BYTES, BUF_BYTES, 40);
	pl->faults = minor_faults() - faults;
	pl->pte_kb = vm_pte_kb() - pte;
	printf("\n    %d aligned 4 MiB mappings: %ld faults, VmPTE +%ld kB, THPeligible %d\n",
	       COPIES, pl->faults, pl->pte_kb, thp_eligible(pl->base));
}

/* The buffer is the first copy's mapping: each copy is the same memory. */
static void check_copies(const struct placement *pl)
{
	int i;

	for (i = 0; i < COPIES; i++)
		CU_ASSERT_EQUAL(
			bad_words(pl->base + i * BUF_BYTES, BUF_BYTES, 40), 0);
}

static void pmd_kernel_maps_aligned_2m_by_pmd(void)
{
	int fd = alloc_buf(BUF_BYTES);
	struct placement pl;

	place_copies(fd, &pl);
	/* At most new PMD and PUD tables for the range, never PTE tables. */
	CU_ASSERT(pl.pte_kb >= 0 && pl.pte_kb <= 12);
	/* One fault per PMD: two per 4 MiB copy. */
	CU_ASSERT_EQUAL(pl.faults, 2 * COPIES);
	CU_ASSERT_EQUAL(thp_eligible(pl.base), 1);
	check_copies(&pl);
	munmap(pl.base, COPIES * BUF_BYTES);
	close(fd);
}

static void kernel_without_pmd_special_keeps_ptes(void)
{
	int fd = alloc_buf(BUF_BYTES);
	struct placement pl;

	place_copies(fd, &pl);
	CU_ASSERT(pl.pte_kb >= 8 * COPIES);
	/* The whole VMA on its first fault: one per copy. */
	CU_ASSERT_EQUAL(pl.faults, COPIES);
	CU_ASSERT_NOT_EQUAL(thp_eligible(pl.base), 1);
	check_copies(&pl);
	munmap(pl.base, COPIES * BUF_BYTES);
	close(fd);
}

/*
 * What a program gets through the importer library: dmabuf_share_map()
 * places a 4 MiB buffer at a 2 MiB-aligned address, and four such
 * mappings, every page touched, need no PTE table (PTEs would need 32 kB).
 */
static void library_mappings_are_pmd_mapped(void)
{
	int fd = alloc_buf(BUF_BYTES), i;
	void *m[4];
	size_t size;
	long pte;

	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL_FATAL(dmabuf_share_map(fd,
						       PROT_READ | PROT_WRITE,
						       0, &m[i], &size),
				      0);
		CU_ASSERT_EQUAL(size, BUF_BYTES);
		CU_ASSERT_EQUAL((uintptr_t)m[i] % PMD_BYTES, 0);
	}
	pte = vm_pte_kb();
	for (i = 0; i < 4; i++)
		touch_words(m[i], BUF_BYTES, 50);
	pte = vm_pte_kb() - pte;
	printf("\n    4 library mappings of 4 MiB: VmPTE +%ld kB\n", pte);
	CU_ASSERT(pte >= 0 && pte < 4 * 8);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(bad_words(m[i], BUF_BYTES, 50), 0);
		dmabuf_share_unmap(m[i], BUF_BYTES);
	}
	close(fd);
}

/*
 * A mapping whose 2 MiB-aligned addresses meet unaligned buffer pages (at
 * a 4 KiB offset) cannot take a PMD: PTEs, right contents, and every
 * touch after the first fault free.
 */
static void unaligned_pfns_fall_back_to_ptes(void)
{
	const size_t len = BUF_BYTES - PAGE;
	int fd = alloc_buf(BUF_BYTES);
	char *all = map_aligned(fd, BUF_BYTES, 0, PROT_READ | PROT_WRITE);
	char *p = map_aligned(fd, len, PAGE, PROT_READ | PROT_WRITE);
	long pte, faults;

	CU_ASSERT_NOT_EQUAL_FATAL(all, MAP_FAILED);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	touch_words(all, BUF_BYTES, 7);
	pte = vm_pte_kb();
	faults = minor_faults();
	CU_ASSERT_EQUAL(bad_words(p, len, 8), 0);
	CU_ASSERT_EQUAL(minor_faults() - faults, 1);
	CU_ASSERT(vm_pte_kb() - pte >= 8);
	munmap(p, len);
	munmap(all, BUF_BYTES);
	close(fd);
}

/* A PMD-mapped buffer, touched: the fixture of the tests below. */
struct pmd_buf {
	int fd;
	char *p;
};

static void pmd_buf_get(struct pmd_buf *b, uint64_t seed)
{
	b->fd = alloc_buf(BUF_BYTES);
	b->p = map_aligned(b->fd, BUF_BYTES, 0, PROT_READ | PROT_WRITE);
	CU_ASSERT_NOT_EQUAL_FATAL(b->p, MAP_FAILED);
	touch_words(b->p, BUF_BYTES, seed);
}

static void pmd_buf_put(struct pmd_buf *b)
{
	munmap(b->p, BUF_BYTES);
	close(b->fd);
}

static void process_vm_readv_refused_on_pmd(void)
{
	struct pmd_buf b;
	char out[64];
	struct iovec local = { out, sizeof(out) }, remote;

	pmd_buf_get(&b, 1);
	remote.iov_base = b.p + PMD_BYTES;
	remote.iov_len = sizeof(out);
	CU_ASSERT_EQUAL(process_vm_readv(getpid(), &local, 1, &remote, 1, 0),
			-1);
	CU_ASSERT_EQUAL(errno, EFAULT);
	pmd_buf_put(&b);
}

/* vmsplice() pins the user pages it puts into the pipe: GUP-fast first. */
static void vmsplice_refused_on_pmd(void)
{
	struct pmd_buf b;
	struct iovec iov;
	int pipefd[2];

	pmd_buf_get(&b, 2);
	CU_ASSERT_EQUAL_FATAL(pipe(pipefd), 0);
	iov.iov_base = b.p + PMD_BYTES;
	iov.iov_len = PAGE;
	CU_ASSERT_EQUAL(vmsplice(pipefd[1], &iov, 1, 0), -1);
	CU_ASSERT_EQUAL(errno, EFAULT);
	close(pipefd[0]);
	close(pipefd[1]);
	pmd_buf_put(&b);
}

#define RAMDISK "/dev/ram0"

static const char *needs_ramdisk(void)
{
	return access(RAMDISK, R_OK) ? RAMDISK
		       " missing (the brd module gives O_DIRECT a block device)" :
				       NULL;
}

/* An O_DIRECT read DMAs into the user pages, so it must pin them. */
static void o_direct_read_refused_on_pmd(void)
{
	struct pmd_buf b;
	int fd = open(RAMDISK, O_RDONLY | O_DIRECT | O_CLOEXEC);

	CU_ASSERT_NOT_EQUAL_FATAL(fd, -1);
	pmd_buf_get(&b, 3);
	CU_ASSERT_EQUAL(pread(fd, b.p + PMD_BYTES, PAGE, 0), -1);
	CU_ASSERT_EQUAL(errno, EFAULT);
	CU_ASSERT_EQUAL(bad_words(b.p, BUF_BYTES, 3), 0);
	close(fd);
	pmd_buf_put(&b);
}

static int child_checks_and_writes(void *arg)
{
	char *p = arg;

	if (bad_words(p, BUF_BYTES, 4))
		return 1;
	touch_words(p, BUF_BYTES, 5);
	return 0;
}

static void fork_child_shares_pmd_mapping(void)
{
	struct pmd_buf b;

	pmd_buf_get(&b, 4);
	CU_ASSERT_EQUAL(run_child(child_checks_and_writes, b.p), 0);
	CU_ASSERT_EQUAL(bad_words(b.p, BUF_BYTES, 5), 0);
	pmd_buf_put(&b);
}

/*
 * mremap() moves page tables: a PMD moves whole to a 2 MiB-aligned target,
 * and is split (and refaulted by PTEs) on the way to an unaligned one.
 */
static void mremap_move_keeps_contents(void)
{
	const size_t span = 2 * BUF_BYTES + 3 * PMD_BYTES;
	struct pmd_buf b;
	char *r, *to, *q;

	pmd_buf_get(&b, 6);
	r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(r, MAP_FAILED);
	to = (char *)(((unsigned long)r + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	q = mremap(b.p, BUF_BYTES, BUF_BYTES, MREMAP_MAYMOVE | MREMAP_FIXED,
		   to);
	CU_ASSERT_EQUAL_FATAL(q, to);
	CU_ASSERT_EQUAL(bad_words(q, BUF_BYTES, 6), 0);
	/* Source and target must not overlap: the next 2 MiB boundary + 4K. */
	to += BUF_BYTES + PMD_BYTES + PAGE;
	b.p = mremap(q, BUF_BYTES, BUF_BYTES, MREMAP_MAYMOVE | MREMAP_FIXED,
		     to);
	CU_ASSERT_EQUAL_FATAL(b.p, to);
	CU_ASSERT_EQUAL(bad_words(b.p, BUF_BYTES, 6), 0);
	touch_words(b.p, BUF_BYTES, 7);
	CU_ASSERT_EQUAL(bad_words(b.p, BUF_BYTES, 7), 0);
	pmd_buf_put(&b);
	munmap(r, span);
}

/* munmap() of half a PMD splits it; the rest refaults with PTEs. */
static void munmap_half_pmd_keeps_rest(void)
{
	struct pmd_buf b;

	pmd_buf_get(&b, 8);
	CU_ASSERT_EQUAL(munmap(b.p + MIB, MIB), 0);
	CU_ASSERT_EQUAL(bad_words(b.p, MIB, 8), 0);
	CU_ASSERT_EQUAL(
		bad_words(b.p + PMD_BYTES, PMD_BYTES, 8 + PMD_BYTES / PAGE), 0);
	touch_words(b.p, MIB, 9);
	CU_ASSERT_EQUAL(bad_words(b.p, MIB, 9), 0);
	munmap(b.p, MIB);
	munmap(b.p + PMD_BYTES, PMD_BYTES);
	close(b.fd);
}

static sigjmp_buf write_env;

static void write_signal(int sig)
{
	siglongjmp(write_env, sig);
}

/* Write one byte at @p: 0, or the signal the write raised. */
static int try_write(volatile char *p)
{
	struct sigaction sa = { .sa_handler = write_signal }, old;
	int sig;

	sigaction(SIGSEGV, &sa, &old);
	sig = sigsetjmp(write_env, 1);
	if (!sig)
		*p = 1;
	sigaction(SIGSEGV, &old, NULL);
	return sig;
}

/*
 * mprotect() of half a PMD splits it: the read-only half refuses writes,
 * the other half and the other PMD still take them, and nothing changed.
 */
static void mprotect_half_pmd_splits(void)
{
	struct pmd_buf b;

	pmd_buf_get(&b, 10);
	CU_ASSERT_EQUAL(mprotect(b.p + MIB, MIB, PROT_READ), 0);
	CU_ASSERT_EQUAL(bad_words(b.p, BUF_BYTES, 10), 0);
	CU_ASSERT_EQUAL(try_write(b.p + MIB + 8), SIGSEGV);
	CU_ASSERT_EQUAL(try_write(b.p + 8), 0);
	CU_ASSERT_EQUAL(try_write(b.p + PMD_BYTES + 8), 0);
	CU_ASSERT_EQUAL(mprotect(b.p + MIB, MIB, PROT_READ | PROT_WRITE), 0);
	CU_ASSERT_EQUAL(try_write(b.p + MIB + 8), 0);
	pmd_buf_put(&b);
}

/*
 * The 2003 bug over PMD-mapped buffers: alloc, aligned mmap, touch every
 * page, munmap, close, over and over in several processes, 2 and 4 MiB.
 */
static int pmd_cycles(void *arg)
{
	long n = (long)arg, i;

	for (i = 0; i < n; i++) {
		size_t len = i & 1 ? BUF_BYTES : PMD_BYTES;
		struct dmabuf_exporter_alloc a;
		int bad;
		char *p;

		if (exp_alloc(len, O_RDWR | O_CLOEXEC, 0, &a) < 0)
			return 1;
		p = map_aligned((int)a.fd, len, 0, PROT_READ | PROT_WRITE);
		if (p == MAP_FAILED)
			return 1;
		touch_words(p, len, (uint64_t)i);
		bad = bad_words(p, len, (uint64_t)i) != 0;
		if (munmap(p, len) || bad)
			return 1;
		close((int)a.fd);
	}
	return 0;
}

static void many_processes_cycle_pmd_buffers(void)
{
	long n = env_long("PMD_STRESS_CYCLES", 250);
	struct usage before = usage_now();

	run_children(env_long("STRESS_PROCS", 4), pmd_cycles, (void *)n);
	assert_usage_is(&before, "after the PMD cycles");
}

static const struct vm_test tests[] = {
	VM_TEST_NEEDS(pmd_kernel_maps_aligned_2m_by_pmd, needs_pmd_kernel),
	VM_TEST_NEEDS(library_mappings_are_pmd_mapped, needs_pmd_kernel),
	VM_TEST_NEEDS(kernel_without_pmd_special_keeps_ptes,
		      needs_kernel_without_pmd),
	VM_TEST(unaligned_pfns_fall_back_to_ptes),
	VM_TEST(process_vm_readv_refused_on_pmd),
	VM_TEST(vmsplice_refused_on_pmd),
	VM_TEST_NEEDS(o_direct_read_refused_on_pmd, needs_ramdisk),
	VM_TEST(fork_child_shares_pmd_mapping),
	VM_TEST(mremap_move_keeps_contents),
	VM_TEST(munmap_half_pmd_keeps_rest),
	VM_TEST(mprotect_half_pmd_splits),
	VM_TEST(many_processes_cycle_pmd_buffers),
	VM_TESTS_END,
};

const struct vm_suite suite_pmd = { "pmd", tests };
