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
 *					map/unmap/vmap/vunmap run with
 *					dmabuf->resv held, which we assert
 *					(mmap, attach, detach, release and
 *					the cpu-access pair run without it)
 * DMABUF_EXPORTER_HAVE_FD_INSTALL	dma_buf_fd_install() (7.2, and
 *					Debian's 6.1.192): installs the fd
 *					and fires the dma_buf_fd tracepoint
 *					a bare fd_install() skips
 * DMABUF_EXPORTER_HAVE_SYSTEM_DFL_WQ	system_dfl_wq (7.x), the unbound
 *					queue that replaces the deprecated
 *					system_unbound_wq
 * DMABUF_EXPORTER_HAVE_PMD_SPECIAL	pmd_special() exists (6.12+): GUP-fast
 *					refuses special PMDs.  With
 *					CONFIG_ARCH_SUPPORTS_PMD_PFNMAP, THP and
 *					the next probe: PMD mappings on
 * DMABUF_EXPORTER_HAVE_HUGE_FAULT_ORDER	huge_fault(vmf, order) (6.6+) over
 *					huge_fault(vmf, enum page_entry_size)
 * DMABUF_EXPORTER_HAVE_PFN_PMD_PLAIN	vmf_insert_pfn_pmd() takes a plain
 *					pfn (7.x) over a pfn_t (6.12)
 * DMABUF_EXPORTER_HAVE_SHRINKER_ALLOC	shrinker_alloc()/shrinker_register()/
 *					shrinker_free() (6.7+) over a
 *					caller-owned struct shrinker and
 *					register_shrinker() (<= 6.6)
 * DMABUF_EXPORTER_HAVE_LRU_ADD_OBJ	list_lru_add_obj()/list_lru_del_obj()
 *					(6.8+, where list_lru_add() takes the
 *					node and memcg) over list_lru_add()/
 *					list_lru_del() of a slab object (<= 6.7)
 * DMABUF_EXPORTER_HAVE_LRU_WALK_LOCK	list_lru walk callbacks are passed the
 *					list's spinlock (<= 6.12) or not (7.x)
 *
 * Each is built and run on a real kernel of the test matrix (Debian 12's
 * 6.1, bookworm-backports' 6.12, sid's newest); docs/compat.md lists what
 * each probe covers, where each difference was seen, and the differences
 * that need none (iosys_map, faux device, cache_sgt_mapping, nth_page).
 */
#ifndef _DMABUF_EXPORTER_COMPAT_H
#define _DMABUF_EXPORTER_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/dma-resv.h>
#include <linux/list_lru.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

static inline void dmabuf_exporter_vm_flags_set(struct vm_area_struct *vma,
						vm_flags_t flags)
{
#ifdef DMABUF_EXPORTER_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

static inline void dmabuf_exporter_vm_flags_clear(struct vm_area_struct *vma,
						  vm_flags_t flags)
{
#ifdef DMABUF_EXPORTER_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
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

typedef unsigned long (*dmabuf_exporter_shrink_fn)(struct shrinker *,
						   struct shrink_control *);

/*
 * A registered shrinker with SHRINKER_* @flags, or NULL when there is no
 * memory for one.  Both kernel APIs end in the same object, with its id
 * (which a memcg-aware list_lru needs) assigned: the caller never sees the
 * difference.
 */
static inline struct shrinker *
dmabuf_exporter_shrinker_create(dmabuf_exporter_shrink_fn count,
				dmabuf_exporter_shrink_fn scan, int seeks,
				unsigned int flags, const char *name)
{
	struct shrinker *s;

#ifdef DMABUF_EXPORTER_HAVE_SHRINKER_ALLOC
	s = shrinker_alloc(flags, "%s", name);
	if (!s)
		return NULL;
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->flags = flags;
#endif
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = seeks;
#ifdef DMABUF_EXPORTER_HAVE_SHRINKER_ALLOC
	shrinker_register(s);
#else
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

/* Unregister; no callback runs after this returns. */
static inline void dmabuf_exporter_shrinker_destroy(struct shrinker *s)
{
#ifdef DMABUF_EXPORTER_HAVE_SHRINKER_ALLOC
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
#endif
}

/*
 * A slab object on the list of the memcg it is charged to (the root's when
 * it is not charged), on the node of its memory.
 */
static inline bool dmabuf_exporter_lru_add_obj(struct list_lru *lru,
					       struct list_head *item)
{
#ifdef DMABUF_EXPORTER_HAVE_LRU_ADD_OBJ
	return list_lru_add_obj(lru, item);
#else
	return list_lru_add(lru, item);
#endif
}

static inline bool dmabuf_exporter_lru_del_obj(struct list_lru *lru,
					       struct list_head *item)
{
#ifdef DMABUF_EXPORTER_HAVE_LRU_ADD_OBJ
	return list_lru_del_obj(lru, item);
#else
	return list_lru_del(lru, item);
#endif
}

/* A list_lru walk callback without the lock argument some kernels pass. */
typedef enum lru_status (*dmabuf_exporter_isolate_fn)(struct list_head *,
						      struct list_lru_one *,
						      void *);

struct dmabuf_exporter_lru_walk {
	dmabuf_exporter_isolate_fn isolate;
	void *arg;
};

#ifdef DMABUF_EXPORTER_HAVE_LRU_WALK_LOCK
static inline enum lru_status
dmabuf_exporter_lru_walk_cb(struct list_head *item, struct list_lru_one *list,
			    spinlock_t *lock, void *arg)
#else
static inline enum lru_status
dmabuf_exporter_lru_walk_cb(struct list_head *item, struct list_lru_one *list,
			    void *arg)
#endif
{
	struct dmabuf_exporter_lru_walk *walk = arg;

	return walk->isolate(item, list, walk->arg);
}

/* list_lru_walk_one() of one node and memcg's list with @isolate. */
static inline unsigned long
dmabuf_exporter_lru_walk_one(struct list_lru *lru, int nid,
			     struct mem_cgroup *memcg,
			     dmabuf_exporter_isolate_fn isolate, void *arg,
			     unsigned long *nr_to_walk)
{
	struct dmabuf_exporter_lru_walk walk = { isolate, arg };

	return list_lru_walk_one(lru, nid, memcg, dmabuf_exporter_lru_walk_cb,
				 &walk, nr_to_walk);
}

/* The fd was reserved with get_unused_fd_flags(); publish it. */
static inline void dmabuf_exporter_fd_install(struct dma_buf *dmabuf, int fd)
{
#ifdef DMABUF_EXPORTER_HAVE_FD_INSTALL
	dma_buf_fd_install(dmabuf, fd);
#else
	fd_install(fd, dmabuf->file);
#endif
}

/* Long, unordered work that no CPU needs to run (the cache's zeroing). */
#ifdef DMABUF_EXPORTER_HAVE_SYSTEM_DFL_WQ
#define DMABUF_EXPORTER_UNBOUND_WQ system_dfl_wq
#else
#define DMABUF_EXPORTER_UNBOUND_WQ system_unbound_wq
#endif

/*
 * PMD (2 MiB) mappings of the buffer's PFNs, only where GUP-fast knows a
 * special PMD has no page behind it.  Before pmd_special() (6.1), GUP-fast
 * took page references through a PFN PMD, which for a coherent buffer's
 * refcount-less tail pages is the 2003 bug again, and the core never
 * called huge_fault for VM_PFNMAP anyway: there the fault handler maps
 * PTEs only, and nothing below compiles in.
 */
#if defined(DMABUF_EXPORTER_HAVE_PMD_SPECIAL) &&          \
	defined(DMABUF_EXPORTER_HAVE_HUGE_FAULT_ORDER) && \
	defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) &&       \
	defined(CONFIG_TRANSPARENT_HUGEPAGE)
#define DMABUF_EXPORTER_PMD_MAPPINGS 1
#include <linux/huge_mm.h>
#ifndef DMABUF_EXPORTER_HAVE_PFN_PMD_PLAIN
#include <linux/pfn_t.h>
#endif

/*
 * Not a write fault even when it is one: the PMD takes the VMA's
 * protection, which for a shared writable PFN mapping (never
 * write-notified) is already writable, as vmf_insert_pfn() does for PTEs.
 */
static inline vm_fault_t dmabuf_exporter_insert_pfn_pmd(struct vm_fault *vmf,
							unsigned long pfn)
{
#ifdef DMABUF_EXPORTER_HAVE_PFN_PMD_PLAIN
	return vmf_insert_pfn_pmd(vmf, pfn, false);
#else
	return vmf_insert_pfn_pmd(vmf, __pfn_to_pfn_t(pfn, PFN_DEV), false);
#endif
}
#else
#define DMABUF_EXPORTER_PMD_MAPPINGS 0
#endif

#endif /* _DMABUF_EXPORTER_COMPAT_H */
