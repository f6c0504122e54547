// SPDX-License-Identifier: GPL-2.0
/*
 * A real DMA engine: QEMU's edu device, driven by tests/importer-edu as a
 * dma-buf importer.  The device moves bytes between the exporter's buffer
 * and its 4 KiB window by DMA only; the CPU checks what the device wrote
 * in another process, through that process's own mapping, and the device
 * checks what the CPU wrote.  Offsets are chosen from the importer's own
 * sg_table: the first and last page, both sides of every DMA segment
 * boundary, and a random page (its seed is printed).
 *
 * Every topology of scripts/vm/topology.sh runs this suite: no IOMMU,
 * intel-iommu (with an untranslated pxb-pcie bus in the same boot),
 * virtio-iommu, swiotlb=force.  Each test runs on every edu device there.
 * A 28-bit edu that cannot reach the buffer (no IOMMU) must be refused
 * with EIO, never handed a clamped address.
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>

#include "edu.h"
#include "harness.h"

#define EDU_BUF (1UL << 20)
/* Window bytes a transfer may use: never the last one (QEMU 7.2). */
#define WIN_USED (EDU_IMPORTER_WINDOW_SIZE - 1)
#define EDGE 256
#define MAX_SPANS 80

enum {
	DIR_BIDI = 0,
	DIR_TO_DEV = 1,
	DIR_FROM_DEV = 2
};

/* A byte range of the buffer that one transfer covers. */
struct span {
	uint64_t off;
	uint32_t len;
};

struct plan {
	struct span s[MAX_SPANS];
	int n;
	uint32_t nents;
};

static struct edu edus[EDU_MAX_DEVICES];
static int n_edus = -1;
static unsigned int seed;

static int edu_count(void)
{
	if (n_edus < 0) {
		n_edus = edu_devices(edus, EDU_MAX_DEVICES);
		seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
		printf("edu: %d devices, random seed %u\n", n_edus, seed);
		srand(seed);
	}
	return n_edus;
}

static const char *needs_edu(void)
{
	return edu_count() > 0 ?
		       NULL :
		       "no edu device (this topology has none, or edu_importer.ko is not loaded)";
}

static void add_span(struct plan *p, uint64_t off, uint32_t len)
{
	if (p->n < MAX_SPANS)
		p->s[p->n++] = (struct span){ off, len };
}

/*
 * Read the mapping's segments: they must cover the buffer in order, and
 * every byte must be addressable by the device.  Then plan the spans.
 */
static void describe(int imp, const struct edu *e, uint32_t nents,
		     struct plan *p)
{
	struct edu_importer_segment seg;
	uint64_t next = 0;
	uint32_t i;

	memset(p, 0, sizeof(*p));
	p->nents = nents;
	add_span(p, 0, 2048);
	for (i = 0; i < nents; i++) {
		CU_ASSERT_EQUAL_FATAL(edu_segment(imp, i, &seg), 0);
		CU_ASSERT_EQUAL(seg.offset, next);
		CU_ASSERT(seg.len >= PAGE && seg.len % PAGE == 0);
		if (seg.dma_addr + seg.len - 1 > e->info.dma_mask)
			printf(" (segment %u at %#llx+%#llx is beyond the mask %#llx) ",
			       i, (unsigned long long)seg.dma_addr,
			       (unsigned long long)seg.len,
			       (unsigned long long)e->info.dma_mask);
		CU_ASSERT(seg.dma_addr + seg.len - 1 <= e->info.dma_mask);
		if (i) {
			add_span(p, seg.offset - EDGE, EDGE);
			add_span(p, seg.offset, EDGE);
		}
		next = seg.offset + seg.len;
	}
	CU_ASSERT_EQUAL(next, EDU_BUF);
	CU_ASSERT_EQUAL(edu_segment(imp, nents, &seg), -EINVAL);
	add_span(p, (uint64_t)(rand() % (int)(EDU_BUF / PAGE)) * PAGE + 1024,
		 2048);
	add_span(p, EDU_BUF - 2048, 2048);
}

/*
 * A device that cannot reach the buffer: without an IOMMU, a mask below
 * the buffer gets a bounced mapping or EIO, nothing else.
 */
static int refused_cleanly(const struct edu *e, int err)
{
	if (err != -EIO || e->info.translated || e->info.dma_bits >= 32)
		return 0;
	printf(" (%s: map refused with EIO: the buffer is out of its reach) ",
	       edu_name(e));
	return 1;
}

/* Attach @e to @buf and map it in @dir: the importer fd, or -1 if refused. */
static int map_planned(const struct edu *e, int buf, uint32_t dir,
		       struct plan *p)
{
	int imp = edu_open_attached(e, buf), ret;
	uint32_t nents = 0;

	CU_ASSERT_FATAL(imp >= 0);
	ret = edu_map(imp, dir, &nents);
	if (ret) {
		if (!refused_cleanly(e, ret)) {
			printf(" (%s: map: %s) ", edu_name(e), strerror(-ret));
			CU_FAIL("map refused");
		}
		close(imp);
		return -1;
	}
	describe(imp, e, nents, p);
	return imp;
}

/* The CPU writes the whole buffer with pattern @s, in a SYNC bracket. */
static void cpu_fill(int buf, unsigned char *shadow, unsigned int s)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE };
	unsigned char *p =
		map_buf(buf, EDU_BUF, PROT_READ | PROT_WRITE, MAP_SHARED, 0);

	CU_ASSERT_FATAL(p != MAP_FAILED);
	CU_ASSERT_EQUAL(ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync), 0);
	fill_pattern(p, EDU_BUF, s);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE;
	CU_ASSERT_EQUAL(ioctl(buf, DMA_BUF_IOCTL_SYNC, &sync), 0);
	munmap(p, EDU_BUF);
	fill_pattern(shadow, EDU_BUF, s);
}

/* Fill the window with random bytes (by DMA from the driver's page). */
static void window_fill(int imp, unsigned char *win)
{
	int i;

	for (i = 0; i < WIN_USED; i++)
		win[i] = (unsigned char)rand();
	CU_ASSERT_EQUAL_FATAL(edu_window(imp, win, 0, 2048, 1), 0);
	CU_ASSERT_EQUAL_FATAL(
		edu_window(imp, win + 2048, 2048, WIN_USED - 2048, 1), 0);
}

/* The device writes every span from the window; @shadow follows. */
static void device_writes(int imp, const struct plan *p,
			  const unsigned char *win, unsigned char *shadow)
{
	int k;

	for (k = 0; k < p->n; k++) {
		uint32_t len = p->s[k].len;
		uint32_t w = (uint32_t)(k * 97) % (WIN_USED - len + 1);

		CU_ASSERT_EQUAL_FATAL(edu_xfer(imp, p->s[k].off, w, len, 1), 0);
		memcpy(shadow + p->s[k].off, win + w, len);
	}
}

/* Bytes of the spans the device reads back that differ from @shadow. */
static long device_read_mismatches(int imp, const struct plan *p,
				   const unsigned char *shadow)
{
	unsigned char got[2048];
	long bad = 0;
	int k;
	uint32_t i;

	for (k = 0; k < p->n; k++) {
		uint32_t len = p->s[k].len;

		CU_ASSERT_EQUAL_FATAL(edu_xfer(imp, p->s[k].off, 0, len, 0), 0);
		CU_ASSERT_EQUAL_FATAL(edu_window(imp, got, 0, len, 0), 0);
		for (i = 0; i < len; i++)
			bad += got[i] != shadow[p->s[k].off + i];
	}
	return bad;
}

struct check {
	int buf;
	const unsigned char *shadow;
};

/* In a child: its own mapping, a SYNC bracket, the whole buffer compared. */
static int check_in_child(void *arg)
{
	const struct check *c = arg;
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	unsigned char *p = map_buf(c->buf, EDU_BUF, PROT_READ, MAP_SHARED, 0);
	size_t i, bad = 0, first = 0;

	if (p == MAP_FAILED || ioctl(c->buf, DMA_BUF_IOCTL_SYNC, &sync))
		return 2;
	for (i = 0; i < EDU_BUF; i++)
		if (p[i] != c->shadow[i] && !bad++)
			first = i;
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	if (ioctl(c->buf, DMA_BUF_IOCTL_SYNC, &sync))
		return 2;
	if (bad)
		printf(" (other process: %zu of %lu bytes wrong, first at %#zx) ",
		       bad, EDU_BUF, first);
	return bad ? 1 : 0;
}

static void assert_cpu_sees(int buf, const unsigned char *shadow)
{
	struct check c = { buf, shadow };

	CU_ASSERT_EQUAL(run_child(check_in_child, &c), 0);
}

static unsigned char *shadow_new(void)
{
	unsigned char *s = malloc(EDU_BUF);

	CU_ASSERT_FATAL(s != NULL);
	return s;
}

/* Every device's mapping stays inside its mask, or is refused with EIO. */
static void edu_mapping_fits_device_mask(void)
{
	struct plan p;
	int i;

	for (i = 0; i < edu_count(); i++) {
		int buf = exp_alloc_rw(EDU_BUF);
		int imp = map_planned(&edus[i], buf, DIR_BIDI, &p);

		if (imp >= 0) {
			printf(" (%s: %u segments) ", edu_name(&edus[i]),
			       p.nents);
			CU_ASSERT_EQUAL(edu_unmap(imp), 0);
			close(imp);
		}
		close(buf);
	}
}

/* The device writes by DMA; another process sees exactly that. */
static void edu_device_writes_reach_other_process(void)
{
	unsigned char *shadow = shadow_new(), win[WIN_USED];
	struct plan p;
	int i;

	for (i = 0; i < edu_count(); i++) {
		int buf = exp_alloc_rw(EDU_BUF), imp;

		cpu_fill(buf, shadow, 11 + i);
		imp = map_planned(&edus[i], buf, DIR_FROM_DEV, &p);
		if (imp >= 0) {
			window_fill(imp, win);
			device_writes(imp, &p, win, shadow);
			CU_ASSERT_EQUAL(edu_unmap(imp), 0);
			printf(" (%s: %d transfers) ", edu_name(&edus[i]), p.n);
			assert_cpu_sees(buf, shadow);
			close(imp);
		}
		close(buf);
	}
	free(shadow);
}

/* The CPU writes; the device reads every span by DMA and compares. */
static void edu_cpu_writes_reach_device(void)
{
	unsigned char *shadow = shadow_new();
	struct plan p;
	int i;

	for (i = 0; i < edu_count(); i++) {
		int buf = exp_alloc_rw(EDU_BUF), imp;

		cpu_fill(buf, shadow, 23 + i);
		imp = map_planned(&edus[i], buf, DIR_TO_DEV, &p);
		if (imp >= 0) {
			CU_ASSERT_EQUAL(device_read_mismatches(imp, &p, shadow),
					0);
			CU_ASSERT_EQUAL(edu_unmap(imp), 0);
			close(imp);
		}
		close(buf);
	}
	free(shadow);
}

/* A writable mapping in BIDIRECTIONAL: both ways through one mapping. */
static void edu_bidirectional_round_trip(void)
{
	unsigned char *shadow = shadow_new(), win[WIN_USED];
	struct plan p;
	int i;

	for (i = 0; i < edu_count(); i++) {
		int buf = exp_alloc_rw(EDU_BUF), imp;

		cpu_fill(buf, shadow, 31 + i);
		imp = map_planned(&edus[i], buf, DIR_BIDI, &p);
		if (imp >= 0) {
			CU_ASSERT_EQUAL(device_read_mismatches(imp, &p, shadow),
					0);
			window_fill(imp, win);
			device_writes(imp, &p, win, shadow);
			/* Still mapped: the SYNC bracket must bring it in. */
			assert_cpu_sees(buf, shadow);
			CU_ASSERT_EQUAL(edu_unmap(imp), 0);
			assert_cpu_sees(buf, shadow);
			close(imp);
		}
		close(buf);
	}
	free(shadow);
}

/* The devices that map a buffer, for the tests that need two. */
static int mapping_edus(const struct edu **out)
{
	int i, n = 0;

	for (i = 0; i < edu_count(); i++)
		if (edus[i].info.translated || edus[i].info.dma_bits >= 32)
			out[n++] = &edus[i];
	return n;
}

/*
 * Device to device, as the dma-buf contract asks: A writes by DMA and
 * unmaps (or, with @sync, stays mapped and the writes are synced through
 * the exporter's CPU bracket); B maps and reads them by DMA.
 */
static void device_to_device(int sync)
{
	unsigned char *shadow = shadow_new(), win[WIN_USED];
	struct plan pa, pb;
	int i;

	for (i = 0; i < edu_count(); i++) {
		const struct edu *a = &edus[i],
				 *b = &edus[(i + 1) % edu_count()];
		int buf = exp_alloc_rw(EDU_BUF), ia, ib = -1;

		cpu_fill(buf, shadow, 41 + i);
		ia = map_planned(a, buf, sync ? DIR_BIDI : DIR_FROM_DEV, &pa);
		if (ia < 0)
			goto out_close_buf;
		window_fill(ia, win);
		device_writes(ia, &pa, win, shadow);
		if (sync) {
			CU_ASSERT_EQUAL(edu_sync(ia, DMA_BUF_SYNC_START |
							     DMA_BUF_SYNC_READ),
					0);
			CU_ASSERT_EQUAL(edu_sync(ia, DMA_BUF_SYNC_END |
							     DMA_BUF_SYNC_READ),
					0);
		} else {
			CU_ASSERT_EQUAL(edu_unmap(ia), 0);
		}
		ib = map_planned(b, buf, DIR_TO_DEV, &pb);
		if (ib < 0) {
			/* B cannot reach the buffer: A's second importer reads. */
			b = a;
			ib = map_planned(b, buf, DIR_TO_DEV, &pb);
		}
		if (ib >= 0) {
			/* B reads where A wrote, and in its own segments. */
			CU_ASSERT_EQUAL(device_read_mismatches(ib, &pa, shadow),
					0);
			CU_ASSERT_EQUAL(device_read_mismatches(ib, &pb, shadow),
					0);
			printf(" (%s -> ", edu_name(a));
			printf("%s) ", edu_name(b));
			CU_ASSERT_EQUAL(edu_unmap(ib), 0);
			close(ib);
		}
		if (sync)
			CU_ASSERT_EQUAL(edu_unmap(ia), 0);
		assert_cpu_sees(buf, shadow);
		close(ia);
out_close_buf:
		close(buf);
	}
	free(shadow);
}

static void edu_device_to_device_after_unmap(void)
{
	device_to_device(0);
}

static void edu_device_to_device_after_sync(void)
{
	device_to_device(1);
}

/*
 * Two writable mappings of one buffer, the writer mapped last.  Bounced,
 * each has its own copy: the exporter must never copy the idle one's
 * stale copy over what the writer wrote (it refuses a second writable
 * bounced mapping with EBUSY; see docs/design.md).  Unbounced, both map
 * and the writes must arrive.
 */
static void edu_idle_writable_mapping_loses_nothing(void)
{
	const struct edu *ok[EDU_MAX_DEVICES];
	unsigned char *shadow = shadow_new();
	int n = mapping_edus(ok), buf, idle, writer, ret;
	struct plan p;

	CU_ASSERT_FATAL(n > 0);
	buf = exp_alloc_rw(EDU_BUF);
	cpu_fill(buf, shadow, 53);
	idle = map_planned(ok[0], buf, DIR_BIDI, &p);
	CU_ASSERT_FATAL(idle >= 0);
	writer = edu_open_attached(ok[n - 1], buf);
	CU_ASSERT_FATAL(writer >= 0);
	ret = edu_map(writer, DIR_BIDI, &p.nents);
	if (ret == -EBUSY && booted_with_swiotlb_force()) {
		printf(" (second writable bounced mapping refused: EBUSY) ");
	} else {
		unsigned char win[WIN_USED];

		CU_ASSERT_EQUAL_FATAL(ret, 0);
		describe(writer, ok[n - 1], p.nents, &p);
		window_fill(writer, win);
		device_writes(writer, &p, win, shadow);
		assert_cpu_sees(buf, shadow);
		CU_ASSERT_EQUAL(edu_unmap(writer), 0);
	}
	CU_ASSERT_EQUAL(edu_unmap(idle), 0);
	assert_cpu_sees(buf, shadow);
	close(writer);
	close(idle);
	close(buf);
	free(shadow);
}

/*
 * A capture queue: a FROM_DEVICE mapping the device has not written yet,
 * while the CPU writes the buffer inside a SYNC bracket.  The unmap must
 * not copy a bounce slot from map time back over the CPU's bytes.
 */
static void edu_cpu_writes_survive_from_device_unmap(void)
{
	const struct edu *ok[EDU_MAX_DEVICES];
	unsigned char *shadow = shadow_new();
	int n = mapping_edus(ok), buf, imp;
	struct plan p;

	CU_ASSERT_FATAL(n > 0);
	buf = exp_alloc_rw(EDU_BUF);
	cpu_fill(buf, shadow, 61);
	imp = map_planned(ok[0], buf, DIR_FROM_DEV, &p);
	CU_ASSERT_FATAL(imp >= 0);
	cpu_fill(buf, shadow, 67);
	CU_ASSERT_EQUAL(edu_unmap(imp), 0);
	assert_cpu_sees(buf, shadow);
	close(imp);
	close(buf);
	free(shadow);
}

/* Wrong directions and ranges: refused, nothing moved. */
static void edu_bad_transfers_are_refused(void)
{
	const struct edu *ok[EDU_MAX_DEVICES];
	int n = mapping_edus(ok), buf, imp;
	struct edu_importer_info info;
	struct plan p;

	CU_ASSERT_FATAL(n > 0);
	buf = exp_alloc_rw(EDU_BUF);
	imp = map_planned(ok[0], buf, DIR_TO_DEV, &p);
	CU_ASSERT_FATAL(imp >= 0);
	CU_ASSERT_EQUAL(ioctl(imp, EDU_IMPORTER_IOC_INFO, &info), 0);
	CU_ASSERT_EQUAL(info.abi_version, EDU_IMPORTER_ABI_VERSION);
	/* The device must not write a TO_DEVICE mapping. */
	CU_ASSERT_EQUAL(edu_xfer(imp, 0, 0, 64, 1), -EPERM);
	/* Across a segment end, past the buffer, too long, the last byte. */
	if (p.nents > 1)
		CU_ASSERT_EQUAL(edu_xfer(imp, p.s[1].off, 0, 2 * EDGE, 0),
				-EINVAL);
	CU_ASSERT_EQUAL(edu_xfer(imp, EDU_BUF, 0, 64, 0), -EINVAL);
	CU_ASSERT_EQUAL(edu_xfer(imp, 0, 0, 2049, 0), -EINVAL);
	CU_ASSERT_EQUAL(edu_xfer(imp, 0, WIN_USED - 63, 64, 0), -EINVAL);
	CU_ASSERT_EQUAL(edu_xfer(imp, 0, 0, 0, 0), -EINVAL);
	CU_ASSERT_EQUAL(edu_map(imp, DIR_BIDI, NULL), -EBUSY);
	CU_ASSERT_EQUAL(edu_unmap(imp), 0);
	CU_ASSERT_EQUAL(edu_unmap(imp), -ENODEV);
	CU_ASSERT_EQUAL(edu_xfer(imp, 0, 0, 64, 0), -ENODEV);
	close(imp);
	close(buf);
}

/* An IOMMU's presence, from sysfs: its devices appear in /sys/class/iommu. */
static int iommu_present(void)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n > 0;
}

/* A virtio-iommu-pci device (1af4:1057) is on the bus. */
static int virtio_iommu_device(void)
{
	char line[16];
	glob_t g;
	size_t i;
	int found = 0;

	if (glob("/sys/bus/pci/devices/*/device", 0, NULL, &g))
		return 0;
	for (i = 0; i < g.gl_pathc && !found; i++) {
		FILE *f = fopen(g.gl_pathv[i], "re");

		if (f && fgets(line, sizeof(line), f))
			found = !strncmp(line, "0x1057", 6);
		if (f)
			fclose(f);
	}
	globfree(&g);
	return found;
}

static const char *needs_iommu(void)
{
	const char *why = needs_edu();

	if (why)
		return why;
	if (iommu_present())
		return NULL;
	return virtio_iommu_device() ?
		       "virtio-iommu-pci is present but this kernel has no virtio-iommu driver" :
		       "no IOMMU in this topology";
}

/*
 * Behind an IOMMU, root-bus edus are translated and the pxb-pcie bus with
 * bypass_iommu (bus 0x80 and up) is not: both kinds in one boot.
 */
static void edu_iommu_translates_root_bus_only(void)
{
	int i, translated = 0;

	for (i = 0; i < edu_count(); i++) {
		int bus = (edus[i].info.pci_id >> 8) & 0xff;

		printf(" (%s) ", edu_name(&edus[i]));
		CU_ASSERT_EQUAL(!!edus[i].info.translated, bus < 0x80);
		translated += !!edus[i].info.translated;
	}
	CU_ASSERT(translated > 0);
}

static const struct vm_test edu_tests[] = {
	VM_TEST_NEEDS(edu_mapping_fits_device_mask, needs_edu),
	VM_TEST_NEEDS(edu_device_writes_reach_other_process, needs_edu),
	VM_TEST_NEEDS(edu_cpu_writes_reach_device, needs_edu),
	VM_TEST_NEEDS(edu_bidirectional_round_trip, needs_edu),
	VM_TEST_NEEDS(edu_device_to_device_after_unmap, needs_edu),
	VM_TEST_NEEDS(edu_device_to_device_after_sync, needs_edu),
	VM_TEST_NEEDS(edu_idle_writable_mapping_loses_nothing, needs_edu),
	VM_TEST_NEEDS(edu_cpu_writes_survive_from_device_unmap, needs_edu),
	VM_TEST_NEEDS(edu_bad_transfers_are_refused, needs_edu),
	VM_TEST_NEEDS(edu_iommu_translates_root_bus_only, needs_iommu),
	VM_TESTS_END
};

const struct vm_suite suite_edu = { "edu", edu_tests };
