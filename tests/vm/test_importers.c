// SPDX-License-Identifier: GPL-2.0
/*
 * An importer that is not like us: dmabuf_test_importer.ko (tests/
 * importer-kmod) is a pretend DMA device with the mask and segment limits
 * each test asks for.  It maps the buffer, writes and reads it through the
 * DMA addresses as a device would, vmaps it, and forwards its own mmap() to
 * dma_buf_mmap() as drm_gem_shmem does for imported objects.
 *
 * The suite runs in two boots: a plain one, and one with swiotlb=force,
 * where every importer mapping is bounced.  Device writes must reach the
 * CPU and CPU writes must reach the device in both; segments must respect
 * the importer's limits; a read-only buffer must stay read-only through an
 * importer's mmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "dmabuf_test_importer.h"
#include "harness.h"

#define IMPORTER_DEV "/dev/dmabuf_test_importer"

enum {
	DIR_BIDI = 0,
	DIR_TO_DEV = 1,
	DIR_FROM_DEV = 2
};

static const char *needs_importer(void)
{
	return access(IMPORTER_DEV, R_OK | W_OK) ?
		       "dmabuf_test_importer.ko is not loaded" :
		       NULL;
}

static const char *needs_swiotlb_force(void)
{
	return booted_with_swiotlb_force() ?
		       needs_importer() :
		       "booted without swiotlb=force (the bounced boot runs it)";
}

/* A pretend device attached to @buf: its fd, or fails the test. */
static int importer_attach(int buf, uint64_t max_seg, uint64_t boundary)
{
	struct dmabuf_test_attach a = {
		.fd = (uint32_t)buf,
		.max_seg_size = max_seg,
		.seg_boundary = boundary,
	};
	int imp = open(IMPORTER_DEV, O_RDWR | O_CLOEXEC), ret;

	CU_ASSERT_FATAL(imp >= 0);
	ret = ioctl(imp, DMABUF_TEST_IOC_ATTACH, &a) ? -errno : 0;
	if (ret) {
		printf(" (ATTACH: %s) ", strerror(-ret));
		close(imp);
		close(buf);
	}
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	return imp;
}

static int importer_map(int imp, uint32_t dir, struct dmabuf_test_map *m)
{
	memset(m, 0, sizeof(*m));
	m->dir = dir;
	return ioctl(imp, DMABUF_TEST_IOC_MAP, m) ? -errno : 0;
}

/* Mismatching bytes of a device (or vmap) read of @byte: -1 on error. */
static long long importer_access(int imp, unsigned long cmd, int byte)
{
	struct dmabuf_test_access a = { .byte = (uint32_t)byte };

	if (ioctl(imp, cmd, &a))
		return -1;
	return (long long)a.mismatches;
}

static void cpu_sync(int buf, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	CU_ASSERT_EQUAL(ioctl(buf, DMA_BUF_IOCTL_SYNC, &s), 0);
}

/* Bytes of @buf equal to @byte, as the CPU sees them after SYNC_START. */
static size_t cpu_count(int buf, size_t len, int byte)
{
	unsigned char *p;
	size_t i, n = 0;

	cpu_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	p = map_buf(buf, len, PROT_READ, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	for (i = 0; i < len; i++)
		n += p[i] == byte;
	munmap(p, len);
	cpu_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	return n;
}

/*
 * A device writes every byte and unmaps; the CPU must then see all of
 * them.  swiotlb copies a bounce slot back only on an unmap (or sync)
 * that does not skip the CPU sync.
 */
static void device_write_reaches_cpu(size_t len, uint32_t dir, uint64_t max_seg)
{
	int buf = exp_alloc_rw(len), imp = importer_attach(buf, max_seg, 0);
	struct dmabuf_test_map m;
	size_t seen;

	CU_ASSERT_EQUAL_FATAL(importer_map(imp, dir, &m), 0);
	CU_ASSERT_EQUAL(importer_access(imp, DMABUF_TEST_IOC_DEV_WRITE, 0xa5),
			0);
	CU_ASSERT_EQUAL(ioctl(imp, DMABUF_TEST_IOC_UNMAP), 0);
	seen = cpu_count(buf, len, 0xa5);
	printf(" (%zu of %zu device-written bytes visible, %u segments, %u bounced) ",
	       seen, len, m.nents, m.bounced);
	CU_ASSERT_EQUAL(seen, len);
	close(imp);
	close(buf);
}

static void device_write_from_device_256k(void)
{
	device_write_reaches_cpu(256 << 10, DIR_FROM_DEV, 0);
}

static void device_write_bidirectional_1m(void)
{
	device_write_reaches_cpu(1 << 20, DIR_BIDI, 0);
}

/*
 * A device that claims 4 GiB segments: under swiotlb one mapping holds at
 * most dma_max_mapping_size() (256 KiB), so a 1 MiB segment cannot map.
 */
static void device_write_with_large_segments(void)
{
	device_write_reaches_cpu(1 << 20, DIR_FROM_DEV, 0xfffff000u);
}

/* The CPU writes, then the device maps for reading: it sees every byte. */
static void cpu_write_reaches_device(void)
{
	const size_t len = 512 << 10;
	int buf = exp_alloc_rw(len), imp = importer_attach(buf, 0, 0);
	struct dmabuf_test_map m;
	unsigned char *p;

	cpu_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	p = map_buf(buf, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	memset(p, 0x3c, len);
	munmap(p, len);
	cpu_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	CU_ASSERT_EQUAL_FATAL(importer_map(imp, DIR_TO_DEV, &m), 0);
	CU_ASSERT_EQUAL(importer_access(imp, DMABUF_TEST_IOC_DEV_READ, 0x3c),
			0);
	CU_ASSERT_EQUAL(ioctl(imp, DMABUF_TEST_IOC_UNMAP), 0);
	close(imp);
	close(buf);
}

/*
 * While a device mapping lives, SYNC_START/END brackets hand the memory
 * between CPU and device: a CPU write inside the bracket reaches the
 * device, a device write before SYNC_START reaches the CPU.
 */
static void sync_brackets_move_data_of_live_mapping(void)
{
	const size_t len = 64 << 10;
	int buf = exp_alloc_rw(len), imp = importer_attach(buf, 0, 0);
	struct dmabuf_test_map m;
	unsigned char *p;

	CU_ASSERT_EQUAL_FATAL(importer_map(imp, DIR_BIDI, &m), 0);
	p = map_buf(buf, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	cpu_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	memset(p, 0x11, len);
	cpu_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	CU_ASSERT_EQUAL(importer_access(imp, DMABUF_TEST_IOC_DEV_READ, 0x11),
			0);
	CU_ASSERT_EQUAL(importer_access(imp, DMABUF_TEST_IOC_DEV_WRITE, 0x22),
			0);
	cpu_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	CU_ASSERT(p[0] == 0x22 && p[len - 1] == 0x22 &&
		  !memcmp(p, p + 1, len - 1));
	cpu_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	munmap(p, len);
	CU_ASSERT_EQUAL(ioctl(imp, DMABUF_TEST_IOC_UNMAP), 0);
	close(imp);
	close(buf);
}

static const char *needs_no_swiotlb_force(void)
{
	return booted_with_swiotlb_force() ?
		       "swiotlb=force: the pool out of a 20-bit mask's reach is swiotlb's own WARN" :
		       needs_importer();
}

/*
 * A device without an IOMMU whose mask reaches none of the buffer (20
 * bits: the first MiB, which x86 keeps for itself), and no swiotlb to
 * bounce for it: a clean EIO, not dma-direct's WARN (which fails the boot).
 */
static void unreachable_mask_is_refused_with_eio(void)
{
	struct dmabuf_test_attach a = { .dma_bits = 20 };
	struct dmabuf_test_map m;
	int buf = exp_alloc_rw(64 << 10);
	int imp = open(IMPORTER_DEV, O_RDWR | O_CLOEXEC);

	CU_ASSERT_FATAL(imp >= 0);
	a.fd = (uint32_t)buf;
	CU_ASSERT_EQUAL_FATAL(ioctl(imp, DMABUF_TEST_IOC_ATTACH, &a), 0);
	CU_ASSERT_EQUAL(importer_map(imp, DIR_BIDI, &m), -EIO);
	/* Nothing is left mapped: a second try says the same. */
	CU_ASSERT_EQUAL(importer_map(imp, DIR_TO_DEV, &m), -EIO);
	close(imp);
	close(buf);
}

/* No segment longer than the device takes, none across its boundary. */
static void segments_respect_importer_limits(void)
{
	const size_t len = 1 << 20;
	int buf = exp_alloc_rw(len);
	int imp = importer_attach(buf, 0xfffff000u, 0xffff);
	struct dmabuf_test_map m;

	CU_ASSERT_EQUAL_FATAL(importer_map(imp, DIR_BIDI, &m), 0);
	printf(" (%u segments, %u too long, %u crossing 64 KiB) ", m.nents,
	       m.too_long, m.crossing);
	CU_ASSERT(m.nents >= len / (64 << 10));
	CU_ASSERT_EQUAL(m.too_long, 0);
	CU_ASSERT_EQUAL(m.crossing, 0);
	CU_ASSERT_EQUAL(ioctl(imp, DMABUF_TEST_IOC_UNMAP), 0);
	close(imp);
	close(buf);
}

/* The bounced boot really bounces: otherwise it proves nothing. */
static void swiotlb_boot_bounces_every_segment(void)
{
	int buf = exp_alloc_rw(64 << 10), imp = importer_attach(buf, 0, 0);
	struct dmabuf_test_map m;

	CU_ASSERT_EQUAL_FATAL(importer_map(imp, DIR_BIDI, &m), 0);
	CU_ASSERT(m.nents > 0);
	CU_ASSERT_EQUAL(m.bounced, m.nents);
	CU_ASSERT_EQUAL(ioctl(imp, DMABUF_TEST_IOC_UNMAP), 0);
	close(imp);
	close(buf);
}

/* swiotlb slots in use (debugfs), or -1 where swiotlb shows none. */
static long swiotlb_used(void)
{
	FILE *f = fopen("/sys/kernel/debug/swiotlb/io_tlb_used", "re");
	long used = -1;

	if (f) {
		if (fscanf(f, "%ld", &used) != 1)
			used = -1;
		fclose(f);
	}
	return used;
}

/*
 * An importer that detaches with its mapping still live (a bug of the
 * importer): the exporter unmaps for it, so the device's writes still
 * arrive and no DMA mapping or bounce slot is leaked.
 */
static void detach_while_mapped_unmaps(void)
{
	const size_t len = 128 << 10;
	long slots = swiotlb_used();
	int buf = exp_alloc_rw(len), imp = importer_attach(buf, 0, 0);
	struct dmabuf_test_map m;

	CU_ASSERT_EQUAL_FATAL(importer_map(imp, DIR_FROM_DEV, &m), 0);
	CU_ASSERT_EQUAL(importer_access(imp, DMABUF_TEST_IOC_DEV_WRITE, 0x5c),
			0);
	CU_ASSERT_EQUAL(ioctl(imp, DMABUF_TEST_IOC_DETACH), 0);
	CU_ASSERT_EQUAL(cpu_count(buf, len, 0x5c), len);
	close(imp);
	close(buf);
	if (booted_with_swiotlb_force()) {
		printf(" (swiotlb slots in use: %ld before, %ld after) ", slots,
		       swiotlb_used());
		CU_ASSERT(slots >= 0);
		CU_ASSERT_EQUAL(swiotlb_used(), slots);
	}
}

/* The exporter's .vmap: the kernel address sees CPU writes and back. */
static void vmap_reads_and_writes_the_buffer(void)
{
	const size_t len = 24 * PAGE;
	int buf = exp_alloc_rw(len), imp = importer_attach(buf, 0, 0);

	CU_ASSERT_EQUAL(importer_access(imp, DMABUF_TEST_IOC_VMAP_WRITE, 0x6b),
			0);
	CU_ASSERT_EQUAL(cpu_count(buf, len, 0x6b), len);
	CU_ASSERT_EQUAL(importer_access(imp, DMABUF_TEST_IOC_VMAP_READ, 0x6b),
			0);
	close(imp);
	close(buf);
}

/* Through an importer's mmap, a read-write buffer maps writable. */
static void importer_mmap_of_read_write_buffer(void)
{
	const size_t len = 4 * PAGE;
	int buf = exp_alloc_rw(len), imp = importer_attach(buf, 0, 0);
	unsigned char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, imp, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	memset(p, 0x42, len);
	munmap(p, len);
	CU_ASSERT_EQUAL(cpu_count(buf, len, 0x42), len);
	close(imp);
	close(buf);
}

static int alloc_read_only(size_t len)
{
	struct dmabuf_exporter_alloc a;

	CU_ASSERT_EQUAL_FATAL(exp_alloc(len, O_RDONLY | O_CLOEXEC, 0, &a), 0);
	return (int)a.fd;
}

/*
 * An O_RDONLY buffer stays read-only when an importer (whose own file is
 * read-write) forwards a PROT_WRITE mmap to dma_buf_mmap().
 */
static void read_only_refuses_writable_importer_mmap(void)
{
	const size_t len = 4 * PAGE;
	int buf = alloc_read_only(len), imp = importer_attach(buf, 0, 0);
	unsigned char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, imp, 0);
	if (p != MAP_FAILED) {
		memset(p, 0x99, len);
		munmap(p, len);
		printf(" (PROT_WRITE mapping accepted; %zu of %zu bytes written into the read-only buffer) ",
		       cpu_count(buf, len, 0x99), len);
	}
	CU_ASSERT_EQUAL(p, MAP_FAILED);
	CU_ASSERT_EQUAL(errno, EACCES);
	CU_ASSERT_EQUAL(cpu_count(buf, len, 0), len);
	close(imp);
	close(buf);
}

/* ... and a read mapping made that way cannot be mprotect()ed writable. */
static void read_only_importer_mapping_stays_read_only(void)
{
	const size_t len = 4 * PAGE;
	int buf = alloc_read_only(len), imp = importer_attach(buf, 0, 0);
	unsigned char *p;

	p = mmap(NULL, len, PROT_READ, MAP_SHARED, imp, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	CU_ASSERT_EQUAL(p[len - 1], 0);
	CU_ASSERT_EQUAL(mprotect(p, len, PROT_READ | PROT_WRITE), -1);
	CU_ASSERT_EQUAL(errno, EACCES);
	munmap(p, len);
	close(imp);
	close(buf);
}

static const struct vm_test tests[] = {
	VM_TEST_NEEDS(device_write_from_device_256k, needs_importer),
	VM_TEST_NEEDS(device_write_bidirectional_1m, needs_importer),
	VM_TEST_NEEDS(device_write_with_large_segments, needs_importer),
	VM_TEST_NEEDS(cpu_write_reaches_device, needs_importer),
	VM_TEST_NEEDS(sync_brackets_move_data_of_live_mapping, needs_importer),
	VM_TEST_NEEDS(segments_respect_importer_limits, needs_importer),
	VM_TEST_NEEDS(unreachable_mask_is_refused_with_eio,
		      needs_no_swiotlb_force),
	VM_TEST_NEEDS(swiotlb_boot_bounces_every_segment, needs_swiotlb_force),
	VM_TEST_NEEDS(detach_while_mapped_unmaps, needs_importer),
	VM_TEST_NEEDS(vmap_reads_and_writes_the_buffer, needs_importer),
	VM_TEST_NEEDS(importer_mmap_of_read_write_buffer, needs_importer),
	VM_TEST_NEEDS(read_only_refuses_writable_importer_mmap, needs_importer),
	VM_TEST_NEEDS(read_only_importer_mapping_stays_read_only,
		      needs_importer),
	VM_TESTS_END,
};

const struct vm_suite suite_importers = { .name = "importers", .tests = tests };
