/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, selected by the header probes in Kbuild.
 *
 * Each probe greps the headers of the kernel being built against, so a
 * distribution kernel with a backport gets the right variant whatever its
 * version number says.  Nothing but these shims lives here.
 *
 * probe macro				selects
 * DMABUF_EXPORTER_HAVE_VM_FLAGS_SET	vm_flags_set() (6.3+) over a direct
 *					write to vma->vm_flags (<= 6.2)
 * DMABUF_EXPORTER_HAVE_STRING_IMPORT_NS	MODULE_IMPORT_NS("DMA_BUF") (6.13+)
 *					over MODULE_IMPORT_NS(DMA_BUF)
 * DMABUF_EXPORTER_HAVE_RESV_LOCKING	the 6.2+ dma-buf locking convention:
 *					map/unmap/mmap/vmap run with
 *					dmabuf->resv held, which we assert
 *
 * scripts/compat-check.sh builds each variant against edited headers;
 * docs/compat.md lists what each probe covers and the differences that
 * need none (iosys_map, faux device, cache_sgt_mapping).
 */
#ifndef _DMABUF_EXPORTER_COMPAT_H
#define _DMABUF_EXPORTER_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/module.h>

static inline void dmabuf_exporter_vm_flags_set(struct vm_area_struct *vma,
						vm_flags_t flags)
{
#ifdef DMABUF_EXPORTER_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

#ifdef DMABUF_EXPORTER_HAVE_STRING_IMPORT_NS
#define DMABUF_EXPORTER_IMPORT_DMA_BUF_NS() MODULE_IMPORT_NS("DMA_BUF")
#else
#define DMABUF_EXPORTER_IMPORT_DMA_BUF_NS() MODULE_IMPORT_NS(DMA_BUF)
#endif

/*
 * Where the core holds dmabuf->resv around an op, say so and let lockdep
 * check it; older kernels call the same ops without it, and the code under
 * the assertion is correct either way because it never takes resv itself.
 */
static inline void dmabuf_exporter_assert_resv_held(struct dma_buf *dmabuf)
{
#ifdef DMABUF_EXPORTER_HAVE_RESV_LOCKING
	dma_resv_assert_held(dmabuf->resv);
#endif
}

#endif /* _DMABUF_EXPORTER_COMPAT_H */
