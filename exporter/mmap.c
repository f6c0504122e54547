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
#include <linux/mm.h>
#include <linux/scatterlist.h>

#include "compat.h"
#include "exporter.h"

/* Every mapping: PFNs only, no growth, not in core dumps. */
#define DMABUF_EXPORTER_VM_FLAGS \
	(VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP)

/*
 * Install the buffer's pages for [@start, @end) of the faulting VMA and
 * return the result for the faulting address; failures on the other pages
 * are left for their own faults to report.
 */
static vm_fault_t dmabuf_exporter_insert_range(struct vm_fault *vmf,
					       unsigned long start,
					       unsigned long end)
{
	struct vm_area_struct *vma = vmf->vma;
	struct dmabuf_exporter_buffer *buf = vma->vm_private_data;
	pgoff_t pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	vm_fault_t ret = VM_FAULT_SIGBUS;
	struct sg_page_iter piter;
	unsigned long addr = start;
	vm_fault_t r;

	for_each_sgtable_page(&buf->pages, &piter, pgoff) {
		if (addr >= end)
			break;
		/*
		 * A PFN, not vmf->page + get_page(): the coherent allocator's
		 * pages are one non-compound high-order block whose tail pages
		 * carry no refcount of their own, so a page reference here is
		 * the 2003 bug.  With VM_PFNMAP the MM never touches struct page
		 * at all, and GUP (process_vm_readv, O_DIRECT) is refused.
		 */
		r = vmf_insert_pfn(vma, addr,
				   page_to_pfn(sg_page_iter_page(&piter)));
		if (addr == vmf->address)
			ret = r;
		addr += PAGE_SIZE;
	}
	return ret;
}

static vm_fault_t dmabuf_exporter_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct dmabuf_exporter_buffer *buf = vma->vm_private_data;

	/* >=, not >: pgoff == pagecount is one past the end (CVE-2024-46852). */
	if (vmf->pgoff >= buf->pagecount)
		return VM_FAULT_SIGBUS;
	if (buf->fault_per_page)
		return dmabuf_exporter_insert_range(vmf, vmf->address,
						    vmf->address + PAGE_SIZE);
	/*
	 * Fill the whole VMA now: one fault per mapping instead of one per
	 * page (docs/design.md has the measurement).
	 */
	return dmabuf_exporter_insert_range(vmf, vma->vm_start, vma->vm_end);
}

static const struct vm_operations_struct dmabuf_exporter_vm_ops = {
	.fault = dmabuf_exporter_fault,
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
