// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace mappings of a buffer and the fault handler that fills them.
 *
 * This is the part the project exists for.  A 2003 driver returned the
 * pages of a multi-page coherent buffer from its nopage handler without a
 * reference; the coherent allocator's pages are one high-order block that
 * is not a compound page, so only the first page has a usable refcount and
 * the second munmap() freed memory the driver still owned.  Here the MM
 * never sees a struct page: mappings are VM_PFNMAP and pages go in by PFN.
 */
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/huge_mm.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sizes.h>

#include "compat.h"
#include "exporter.h"

/* Every mapping: PFNs only, no growth, not in core dumps. */
#define DMABUF_EXPORTER_VM_FLAGS \
	(VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP)

/*
 * Bytes of a mapping one fault fills (with PTEs; PMDs go one per fault):
 * the largest buffer the buddy allocator delivers (4 MiB on x86-64) still
 * takes one fault, and a fault on a CMA buffer of hundreds of MiB writes
 * no more than 1024 PTEs while it holds its lock (the VMA's, or mmap_lock).
 */
#define DMABUF_EXPORTER_FILL_WINDOW SZ_4M

/* Pages in one PMD mapping (2 MiB on x86-64). */
#define DMABUF_EXPORTER_PMD_PAGES (PMD_SIZE >> PAGE_SHIFT)

/*
 * The PFN of the buffer's page @pgoff and, in *@run, how many pages from
 * there on are physically contiguous (the rest of its sg_table segment);
 * *@run is 0 past the end.  PFN arithmetic, not nth_page(): 7.x removed it,
 * and a segment is one contiguous block by construction.
 */
static unsigned long
dmabuf_exporter_pfn_at(const struct dmabuf_exporter_buffer *buf, pgoff_t pgoff,
		       unsigned long *run)
{
	struct scatterlist *sg;
	unsigned long n;
	unsigned int i;

	for_each_sgtable_sg(&buf->pages, sg, i) {
		n = PAGE_ALIGN(sg->offset + sg->length) >> PAGE_SHIFT;
		if (pgoff < n) {
			*run = n - pgoff;
			return page_to_pfn(sg_page(sg)) + pgoff;
		}
		pgoff -= n;
	}
	*run = 0;
	return 0;
}

/* The buffer page behind @addr of @vma. */
static pgoff_t dmabuf_exporter_pgoff(const struct vm_area_struct *vma,
				     unsigned long addr)
{
	return vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
}

/*
 * Whether the 2 MiB at @haddr (PMD aligned) can be one PMD mapping: wholly
 * inside the VMA and the buffer, physically contiguous and 2 MiB aligned.
 * Never with PMD mappings compiled out (6.1: GUP-fast would take page
 * references through a PFN PMD, the 2003 bug again), and never for a
 * buffer that asked for one page per fault.  On success *@pfn is the first
 * PFN.
 */
static bool dmabuf_exporter_pmd_fits(const struct vm_area_struct *vma,
				     unsigned long haddr, unsigned long *pfn)
{
	const struct dmabuf_exporter_buffer *buf = vma->vm_private_data;
	unsigned long run;
	pgoff_t pgoff;

	if (!DMABUF_EXPORTER_PMD_MAPPINGS || buf->fault_per_page)
		return false;
	if (haddr < vma->vm_start || vma->vm_end - haddr < PMD_SIZE)
		return false;
	pgoff = dmabuf_exporter_pgoff(vma, haddr);
	if (pgoff >= buf->pagecount ||
	    buf->pagecount - pgoff < DMABUF_EXPORTER_PMD_PAGES)
		return false;
	*pfn = dmabuf_exporter_pfn_at(buf, pgoff, &run);
	return run >= DMABUF_EXPORTER_PMD_PAGES &&
	       IS_ALIGNED(*pfn, DMABUF_EXPORTER_PMD_PAGES);
}

/*
 * One PTE fill: the PFN at @start, the protection for every page, and
 * whether the next PTE visited is the faulting page's, still to be
 * checked (the first pass starts there).
 */
struct dmabuf_exporter_fill {
	struct vm_area_struct *vma;
	unsigned long start;
	unsigned long pfn;
	pgprot_t prot;
	bool checking;
};

/*
 * A PTE reduced to what the mapping decides: no Accessed, Dirty or
 * soft-dirty bit, no write bit (write-notify may have taken it away), none
 * of what hardware or an earlier fault may have set since.
 */
static pte_t dmabuf_exporter_pte_bare(pte_t pte)
{
	return pte_clear_soft_dirty(pte_mkold(pte_mkclean(pte_wrprotect(pte))));
}

/*
 * apply_to_page_range() callback, run under the PTE table's lock.  A
 * present entry (another thread's fault, a fork's copy) is left as it is,
 * as vmf_insert_pfn() leaves it.  Special PTEs: no struct page behind them
 * for the MM, so no reference, no rmap, no GUP.
 *
 * The faulting page's PTE is the core's, from vmf_insert_pfn(), which
 * starts from the VMA's protection but may have changed the cache mode
 * (PAT on x86: track_pfn_insert() or pfnmap_setup_cachemode(), not
 * exported).  The fill is only right if it did not: so the pass starts at
 * that PTE, and when it is not the VMA's protection, bare, stops there,
 * before any PTE is written, and every page faults in through
 * vmf_insert_pfn() itself.
 */
static int dmabuf_exporter_set_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct dmabuf_exporter_fill *f = data;
	unsigned long pfn = f->pfn + ((addr - f->start) >> PAGE_SHIFT);
	pte_t want = pte_mkspecial(pfn_pte(pfn, f->prot));
	pte_t entry = ptep_get(pte);

	if (f->checking) {
		f->checking = false;
		if (pte_none(entry) ||
		    !pte_same(dmabuf_exporter_pte_bare(entry),
			      dmabuf_exporter_pte_bare(want)))
			return -EINVAL;
		return 0;
	}
	if (!pte_none(entry))
		return 0;
	set_pte_at(f->vma->vm_mm, addr, pte, want);
	update_mmu_cache(f->vma, addr, pte);
	return 0;
}

/*
 * Fill [@start, @end) of the faulting VMA with PTEs, one page-table walk
 * and one PTE lock per run of contiguous pages instead of one of each per
 * page.  Best effort: a page left out faults on its own later.
 *
 * Return: 0, or the first error: -EINVAL when the faulting page's check
 * failed (see above), -ENOMEM when a page table could not be allocated.
 */
static int dmabuf_exporter_fill_ptes(struct dmabuf_exporter_fill *f,
				     unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = f->vma;
	struct dmabuf_exporter_buffer *buf = vma->vm_private_data;
	unsigned long run, len;
	pgoff_t pgoff;
	int ret;

	while (start < end) {
		pgoff = dmabuf_exporter_pgoff(vma, start);
		f->pfn = dmabuf_exporter_pfn_at(buf, pgoff, &run);
		if (!run)
			return 0;
		len = min(end - start, run << PAGE_SHIFT);
		f->start = start;
		ret = apply_to_page_range(vma->vm_mm, start, len,
					  dmabuf_exporter_set_pte, f);
		if (ret)
			return ret;
		start += len;
	}
	return 0;
}

/*
 * The part of the VMA one fault fills: the DMABUF_EXPORTER_FILL_WINDOW
 * bytes around @addr, counted from the VMA's start so that a mapping of up
 * to that size always takes one fault, wherever it lies.
 */
static void dmabuf_exporter_fill_window(const struct vm_area_struct *vma,
					unsigned long addr,
					unsigned long *start,
					unsigned long *end)
{
	unsigned long off = addr - vma->vm_start;

	*start = vma->vm_start + round_down(off, DMABUF_EXPORTER_FILL_WINDOW);
	*end = vma->vm_end - *start > DMABUF_EXPORTER_FILL_WINDOW ?
		       *start + DMABUF_EXPORTER_FILL_WINDOW :
		       vma->vm_end;
}

/*
 * After the faulting page is in, fill the rest of its window of the VMA
 * with PTEs: one fault per window instead of one per page.  Bounded, so
 * that no fault holds its lock (the VMA's on 6.4+, which mprotect, mremap
 * and munmap of this mapping wait for; mmap_lock before) longer than one
 * window takes, and in chunks of one page table, with a chance to
 * reschedule between them.
 * The faulting page's own table goes first, from the faulting page on, so
 * that its check comes before any write.  Every 2 MiB that a PMD can map
 * is left out (its own fault installs the PMD; a PTE table there would
 * block it, and a PTE insert under a PMD is a BUG), except the faulting
 * one's: the core chose PTEs for it.
 */
static void dmabuf_exporter_fill_vma(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long addr = vmf->address & PAGE_MASK;
	unsigned long fault_block = addr & PMD_MASK;
	struct dmabuf_exporter_fill f = {
		.vma = vma,
		.prot = vma->vm_page_prot,
		.checking = true,
	};
	unsigned long start, end, block, next, huge;

	dmabuf_exporter_fill_window(vma, addr, &start, &end);
	/* Nothing more unless the check ran and passed. */
	if (dmabuf_exporter_fill_ptes(&f, addr,
				      min(fault_block + PMD_SIZE, end)) ||
	    f.checking)
		return;
	dmabuf_exporter_fill_ptes(&f, max(start, fault_block), addr);
	for (block = start; block < end; block = next) {
		next = min((block & PMD_MASK) + PMD_SIZE, end);
		if ((block & PMD_MASK) == fault_block ||
		    dmabuf_exporter_pmd_fits(vma, block & PMD_MASK, &huge))
			continue;
		cond_resched();
		dmabuf_exporter_fill_ptes(&f, block, next);
	}
}

static vm_fault_t dmabuf_exporter_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct dmabuf_exporter_buffer *buf = vma->vm_private_data;
	unsigned long pfn, run;
	vm_fault_t ret;

	/* >=, not >: pgoff == pagecount is one past the end (CVE-2024-46852). */
	if (vmf->pgoff >= buf->pagecount)
		return VM_FAULT_SIGBUS;
	pfn = dmabuf_exporter_pfn_at(buf, vmf->pgoff, &run);
	if (!run)
		return VM_FAULT_SIGBUS;
	/*
	 * A PFN, not vmf->page + get_page(): the coherent allocator's pages
	 * are one non-compound high-order block whose tail pages carry no
	 * refcount of their own, so a page reference here is the 2003 bug.
	 * With VM_PFNMAP the MM never touches struct page at all, and GUP
	 * (process_vm_readv, O_DIRECT) is refused.
	 */
	ret = vmf_insert_pfn(vma, vmf->address, pfn);
	/*
	 * The rest of the fault's 4 MiB window at once (docs/design.md has
	 * the measurements); without special PTEs the core's own insert is
	 * the only safe way in, one page at a time.
	 */
	if (ret == VM_FAULT_NOPAGE && !buf->fault_per_page &&
	    IS_ENABLED(CONFIG_ARCH_HAS_PTE_SPECIAL))
		dmabuf_exporter_fill_vma(vmf);
	return ret;
}

#if DMABUF_EXPORTER_PMD_MAPPINGS
/*
 * 2 MiB at a time where a PMD fits; anything else (a PUD, a 2 MiB that
 * crosses the VMA's or buffer's end, an unaligned or split PFN range)
 * falls back to the PTE path.
 */
static vm_fault_t dmabuf_exporter_huge_fault(struct vm_fault *vmf,
					     unsigned int order)
{
	unsigned long pfn;

	if (order != PMD_ORDER ||
	    !dmabuf_exporter_pmd_fits(vmf->vma, vmf->address & PMD_MASK, &pfn))
		return VM_FAULT_FALLBACK;
	return dmabuf_exporter_insert_pfn_pmd(vmf, pfn);
}
#endif

/*
 * Nothing to map around a fault: dmabuf_exporter_fault() fills its window
 * itself.  The hook is here for what its presence tells the core (6.4+,
 * vmf_can_call_fault() in mm/memory.c): that ->fault needs no mmap_lock
 * and may run under the per-VMA lock.  Without it every first touch of a
 * mapping faulted twice, once to find out that ->fault wants mmap_lock and
 * once more under it.  ->fault holds up: it only writes PTEs inside its
 * own VMA, which the VMA lock keeps from being unmapped, moved or split,
 * and allocates page tables the way the core's own faults do.  Read faults
 * call it for fault-around, under RCU; it maps nothing and does not sleep.
 */
static vm_fault_t dmabuf_exporter_map_pages(struct vm_fault *vmf,
					    pgoff_t start_pgoff,
					    pgoff_t end_pgoff)
{
	return 0;
}

static const struct vm_operations_struct dmabuf_exporter_vm_ops = {
	.fault = dmabuf_exporter_fault,
	.map_pages = dmabuf_exporter_map_pages,
#if DMABUF_EXPORTER_PMD_MAPPINGS
	.huge_fault = dmabuf_exporter_huge_fault,
#endif
};

/**
 * dmabuf_exporter_mmap - set up a userspace mapping; pages come at fault time
 * @dmabuf: the buffer's dma-buf
 * @vma: the new mapping; the mmap lock is held for write
 *
 * Return: 0, -EINVAL for a private mapping or one outside the buffer, or
 * -EACCES for a writable mapping of a read-only dma-buf.
 */
int dmabuf_exporter_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct dmabuf_exporter_buffer *buf = dmabuf->priv;

	/*
	 * A private mapping would be a COW mapping, which PFN mappings cannot
	 * back (vmf_insert_pfn() BUGs on one): shared only.  A read-only fd's
	 * MAP_SHARED mapping has VM_MAYSHARE without VM_SHARED, hence this.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/*
	 * Read-only must hold for every way in.  do_mmap() derived the write
	 * permissions from the file being mapped, which is not ours when an
	 * importer forwards its own mmap to dma_buf_mmap() (drm_gem_shmem does
	 * for imported objects): the dma-buf's own file mode decides.
	 * Clearing VM_MAYWRITE also stops a later mprotect(PROT_WRITE).
	 */
	if (!(dmabuf->file->f_mode & FMODE_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		dmabuf_exporter_vm_flags_clear(vma, VM_MAYWRITE);
	}
	/* The core checks this too, but the fault handler relies on it. */
	if (vma->vm_pgoff >= buf->pagecount ||
	    vma_pages(vma) > buf->pagecount - vma->vm_pgoff)
		return -EINVAL;
	/*
	 * Flags can only change here, under the mmap write lock.  VM_DONTEXPAND
	 * stops mremap() from growing the mapping past the buffer.
	 */
	dmabuf_exporter_vm_flags_set(vma, DMABUF_EXPORTER_VM_FLAGS);
	vma->vm_ops = &dmabuf_exporter_vm_ops;
	vma->vm_private_data = buf;
	return 0;
}
