// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's calls.  Each picks random arguments, makes the call and
 * checks the result against an oracle: what the exporter's ABI, the
 * dma-buf core and the MM promise for exactly those arguments.  A wrong
 * result is a failure; so is a signal on a page that must be there, wrong
 * data on a page, or a page that should not be there and is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <xf86drm.h>

#include "fuzz.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

#define PAGE_ALIGN_UP(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))

/*
 * What the quota charges for @size bytes: the power-of-two block the DMA
 * allocator takes, up to its largest (4 MiB on x86-64), pages beyond.
 */
static uint64_t charged(uint64_t size)
{
	uint64_t block = PAGE;

	size = PAGE_ALIGN_UP(size);
	if (size > (4 << 20))
		return size;
	while (block < size)
		block *= 2;
	return block;
}

/* Addresses that are never ours: the first page and the kernel's half. */
static void *bad_pointer(struct fuzz *fz)
{
	static const uintptr_t bad[] = { 8, 0xfff, 0xffff888000000000ULL,
					 0xffffffffff600000ULL };

	return (void *)bad[lane_below(&fz->rng, sizeof(bad) / sizeof(bad[0]))];
}

static int buf_ok(const struct fuzz *fz, int i, int need_fd)
{
	return fz->bufs[i].used && (!need_fd || fz->bufs[i].fd >= 0);
}

int fuzz_pick_buf(struct fuzz *fz, int need_fd)
{
	int n = 0, i, k;

	for (i = 0; i < FUZZ_BUFS; i++)
		n += buf_ok(fz, i, need_fd);
	if (!n)
		return -1;
	k = (int)lane_below(&fz->rng, n);
	for (i = 0; i < FUZZ_BUFS; i++)
		if (buf_ok(fz, i, need_fd) && !k--)
			break;
	return i;
}

int fuzz_pick_map(struct fuzz *fz)
{
	int n = 0, i, k;

	for (i = 0; i < FUZZ_MAPS; i++)
		n += fz->maps[i].used;
	if (!n)
		return -1;
	k = (int)lane_below(&fz->rng, n);
	for (i = 0; i < FUZZ_MAPS; i++)
		if (fz->maps[i].used && !k--)
			break;
	return i;
}

void fuzz_put_buf(struct fuzz *fz, int b)
{
	struct fuzz_buf *fb = &fz->bufs[b];

	if (fb->fd < 0 && !fb->maps && !fb->handle)
		fb->used = 0;
}

void fuzz_add_map(struct fuzz *fz, char *addr, size_t pages, size_t pgoff,
		  int prot, int b)
{
	int i;

	for (i = 0; i < FUZZ_MAPS; i++) {
		if (fz->maps[i].used)
			continue;
		fz->maps[i] =
			(struct fuzz_map){ 1, addr, pages, pgoff, prot, b };
		fz->bufs[b].maps++;
		return;
	}
	FUZZ_CALL(fz, munmap(addr, pages * PAGE));
}

void fuzz_del_map(struct fuzz *fz, int m)
{
	int b = fz->maps[m].buf;

	fz->maps[m].used = 0;
	fz->bufs[b].maps--;
	fuzz_put_buf(fz, b);
}

static sigjmp_buf access_env;

static void access_signal(int sig)
{
	siglongjmp(access_env, sig);
}

static int guarded(const volatile char *rp, volatile char *wp, char *out,
		   char v)
{
	struct sigaction sa = { .sa_handler = access_signal }, ob, os;
	int sig;

	sigaction(SIGBUS, &sa, &ob);
	sigaction(SIGSEGV, &sa, &os);
	sig = sigsetjmp(access_env, 1);
	if (!sig) {
		if (rp)
			*out = *rp;
		else
			*wp = v;
	}
	sigaction(SIGBUS, &ob, NULL);
	sigaction(SIGSEGV, &os, NULL);
	return sig;
}

int fuzz_read(const volatile char *p, char *out)
{
	return guarded(p, NULL, out, 0);
}

int fuzz_write(volatile char *p, char v)
{
	return guarded(NULL, p, NULL, v);
}

/* A buffer for the pool: valid arguments, so only ENOMEM may refuse it. */
void fuzz_alloc_pool(struct fuzz *fz)
{
	struct dmabuf_exporter_alloc a;
	struct fuzz_buf *fb = NULL;
	uint32_t fd_flags;
	uint64_t flags;
	int i, ret;

	for (i = 0; i < FUZZ_BUFS && !fb; i++)
		if (!fz->bufs[i].used)
			fb = &fz->bufs[i];
	if (!fb)
		return;
	memset(fb, 0, sizeof(*fb));
	fb->pages = 1 + lane_below(&fz->rng, FUZZ_MAX_PAGES);
	fb->rdonly = !lane_below(&fz->rng, 5);
	fd_flags = (fb->rdonly ? O_RDONLY : O_RDWR) |
		   (lane_below(&fz->rng, 2) ? O_CLOEXEC : 0);
	flags = lane_below(&fz->rng, 2) ? DMABUF_EXPORTER_ALLOC_FAULT_PER_PAGE :
					  0;
	ret = FUZZ_CALL(fz,
			exp_alloc(fb->pages * PAGE - lane_below(&fz->rng, PAGE),
				  fd_flags, flags, &a));
	if (ret) {
		if (ret != -ENOMEM && ret != -EDQUOT)
			lane_fail("pool ALLOC of %zu pages: %s", fb->pages,
				  strerror(-ret));
		return;
	}
	if (a.size != fb->pages * PAGE)
		lane_fail("ALLOC gave %llu bytes for %zu pages",
			  (unsigned long long)a.size, fb->pages);
	fb->used = 1;
	fb->fd = (int)a.fd;
}

static uint64_t random_size(struct fuzz *fz)
{
	uint64_t max = fz->info.max_buffer_size;

	switch (lane_below(&fz->rng, 12)) {
	case 0:
		return 0;
	case 1:
		return max - lane_below(&fz->rng, 2);
	case 2:
		return max + 1 + lane_below(&fz->rng, PAGE);
	case 3:
		return UINT64_MAX - lane_below(&fz->rng, 2 * PAGE);
	case 4:
		return lane_rand(&fz->rng);
	case 5:
		/* Rare and large: every size class, up to the largest. */
		return lane_below(&fz->rng, 8) ?
			       1 + lane_below(&fz->rng, 64 * PAGE) :
			       1 + lane_below(&fz->rng, max);
	default:
		return 1 + lane_below(&fz->rng, 16 * PAGE);
	}
}

static uint32_t random_fd_flags(struct fuzz *fz)
{
	static const uint32_t valid[] = { O_RDWR, O_RDONLY, O_RDWR | O_CLOEXEC,
					  O_RDONLY | O_CLOEXEC };

	switch (lane_below(&fz->rng, 8)) {
	case 0:
		return (uint32_t)lane_rand(&fz->rng);
	case 1:
		return valid[lane_below(&fz->rng, 4)] |
		       1u << lane_below(&fz->rng, 32);
	case 2:
		return O_WRONLY | (uint32_t)lane_below(&fz->rng, 2) * O_CLOEXEC;
	default:
		return valid[lane_below(&fz->rng, 4)];
	}
}

/* What ALLOC must answer for @r, before the allocator is asked. */
static int alloc_oracle(struct fuzz *fz, const struct dmabuf_exporter_alloc *r)
{
	struct dmabuf_exporter_info now;
	uint32_t acc = r->fd_flags & O_ACCMODE;

	if (!r->size || r->fd || r->reserved ||
	    (r->fd_flags & ~(uint32_t)DMABUF_EXPORTER_VALID_FD_FLAGS) ||
	    (acc != O_RDWR && acc != O_RDONLY) ||
	    (r->flags & ~(uint64_t)DMABUF_EXPORTER_ALLOC_VALID_FLAGS))
		return -EINVAL;
	if (r->size > fz->info.max_buffer_size)
		return -E2BIG;
	FUZZ_CALL(fz, lane_info(&now));
	if (charged(r->size) > now.total_limit - now.total_allocated)
		return -EDQUOT;
	return 0;
}

/*
 * ALLOC from a read-only copy of @r: the request reads fine, only the
 * copy-out of the result can fail, after the buffer was exported.
 */
static int alloc_from_readonly_page(struct fuzz *fz,
				    const struct dmabuf_exporter_alloc *r)
{
	int ret;

	if (FUZZ_CALL(fz, mprotect(fz->ro_req, PAGE, PROT_READ | PROT_WRITE)))
		return -errno;
	*fz->ro_req = *r;
	FUZZ_CALL(fz, mprotect(fz->ro_req, PAGE, PROT_READ));
	ret = FUZZ_CALL(fz, ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC,
				  fz->ro_req));
	return ret ? -errno : 0;
}

/* ALLOC with every field random; the result is closed at once. */
void fuzz_alloc_random(struct fuzz *fz)
{
	struct dmabuf_exporter_alloc r = {
		.size = random_size(fz),
		.fd_flags = random_fd_flags(fz),
	};
	int want, ret, may_enomem;

	if (!lane_below(&fz->rng, 10))
		r.fd = (uint32_t)lane_rand(&fz->rng) | 1;
	if (!lane_below(&fz->rng, 4))
		r.flags = lane_below(&fz->rng, 2) ?
				  lane_rand(&fz->rng) :
				  1ULL << lane_below(&fz->rng, 64);
	else
		r.flags = lane_below(&fz->rng, 2);
	if (!lane_below(&fz->rng, 10))
		r.reserved = lane_rand(&fz->rng) | 1;
	if (!lane_below(&fz->rng, 40)) {
		ret = FUZZ_CALL(fz, ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC,
					  bad_pointer(fz)));
		if (ret != -1 || errno != EFAULT)
			lane_fail("ALLOC with a bad pointer: %d/%s", ret,
				  strerror(errno));
		return;
	}
	want = alloc_oracle(fz, &r);
	/* Only a request that reaches the allocator may meet ENOMEM. */
	may_enomem = !want;
	if (!lane_below(&fz->rng, 20)) {
		ret = alloc_from_readonly_page(fz, &r);
		/* Allocated and exported, then the copy-out fails. */
		if (!want)
			want = -EFAULT;
	} else {
		ret = FUZZ_CALL(fz, ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC,
					  &r)) ?
			      -errno :
			      0;
	}
	if (!ret)
		FUZZ_CALL(fz, close((int)r.fd));
	if (ret != want && !(may_enomem && ret == -ENOMEM))
		lane_fail(
			"ALLOC size %#llx fd %u fd_flags %#x flags %#llx reserved %#llx: got %s, want %s",
			(unsigned long long)r.size, r.fd, r.fd_flags,
			(unsigned long long)r.flags,
			(unsigned long long)r.reserved, strerror(-ret),
			strerror(-want));
}

void fuzz_info(struct fuzz *fz)
{
	struct dmabuf_exporter_info info;

	if (!lane_below(&fz->rng, 8)) {
		int ret = FUZZ_CALL(fz,
				    ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_INFO,
					  bad_pointer(fz)));
		if (ret != -1 || errno != EFAULT)
			lane_fail("INFO with a bad pointer: %d", ret);
		return;
	}
	if (FUZZ_CALL(fz, lane_info(&info)) ||
	    info.max_buffer_size != fz->info.max_buffer_size ||
	    info.total_allocated > info.total_limit || info.page_size != PAGE)
		lane_fail("INFO inconsistent");
}

/* Any other command on the device is ENOTTY, whatever its argument. */
void fuzz_dev_ioctl_random(struct fuzz *fz)
{
	unsigned char arg[256];
	unsigned long cmd;
	size_t i;

	for (i = 0; i < sizeof(arg); i++)
		arg[i] = (unsigned char)lane_rand(&fz->rng);
	if (lane_below(&fz->rng, 2))
		cmd = (unsigned long)(uint32_t)lane_rand(&fz->rng);
	else
		cmd = _IOC(lane_below(&fz->rng, 4), DMABUF_EXPORTER_IOC_MAGIC,
			   lane_below(&fz->rng, 8), lane_below(&fz->rng, 64));
	if (cmd == DMABUF_EXPORTER_IOCTL_ALLOC ||
	    cmd == DMABUF_EXPORTER_IOCTL_CACHE_INFO ||
	    cmd == DMABUF_EXPORTER_IOCTL_INFO)
		return;
	/* Output only: any argument buffer is simply overwritten. */
	if (cmd == DMABUF_EXPORTER_IOCTL_MEMCG_INFO) {
		if (FUZZ_CALL(fz, ioctl(dev_fd(), cmd, arg)))
			lane_fail("MEMCG_INFO: %s", strerror(errno));
		return;
	}
	/*
	 * Random input: a bad field or fd is refused; only a real dma-buf fd
	 * of ours with every other field 0 may succeed.
	 */
	if (cmd == DMABUF_EXPORTER_IOCTL_BUF_INFO) {
		if (FUZZ_CALL(fz, ioctl(dev_fd(), cmd, arg)) == -1 &&
		    errno != EINVAL && errno != EBADF && errno != ENODEV)
			lane_fail("BUF_INFO: %s", strerror(errno));
		return;
	}
	if (FUZZ_CALL(fz, ioctl(dev_fd(), cmd, arg)) != -1 || errno != ENOTTY)
		lane_fail("device ioctl %#lx: not ENOTTY", cmd);
}

void fuzz_mmap(struct fuzz *fz)
{
	static const int prots[] = { PROT_READ, PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_NONE,
				     PROT_READ | PROT_EXEC };
	static const int types[] = { MAP_SHARED, MAP_SHARED, MAP_SHARED,
				     MAP_SHARED_VALIDATE, MAP_PRIVATE };
	static const int extras[] = { 0, 0, MAP_POPULATE, MAP_NORESERVE,
				      MAP_LOCKED };
	int b = fuzz_pick_buf(fz, 1), prot, type, flags, ok;
	size_t pgoff, pages;
	struct fuzz_buf *fb;
	off_t off;
	char *p;

	if (b < 0)
		return;
	fb = &fz->bufs[b];
	pgoff = lane_below(&fz->rng, fb->pages + 2);
	pages = lane_below(&fz->rng, fb->pages + 2);
	prot = prots[lane_below(&fz->rng, 5)];
	type = types[lane_below(&fz->rng, 5)];
	flags = type | extras[lane_below(&fz->rng, 5)];
	off = (off_t)(pgoff * PAGE);
	if (!lane_below(&fz->rng, 30))
		off += 1 + (off_t)lane_below(&fz->rng, PAGE - 1);
	ok = pages && pgoff + pages <= fb->pages && off % PAGE == 0 &&
	     type != MAP_PRIVATE && !(fb->rdonly && (prot & PROT_WRITE));
	p = FUZZ_CALL(fz, mmap(NULL, pages * PAGE, prot, flags, fb->fd, off));
	if (p != MAP_FAILED)
		fuzz_add_map(fz, p, pages, pgoff, prot, b);
	/* Executable mappings depend on the dma-buf mount: either is fine. */
	if ((prot & PROT_EXEC) && ok)
		return;
	if (ok != (p != MAP_FAILED) && !(ok && errno == ENOMEM))
		lane_fail(
			"mmap of %zu pages at page %zu (+%lld) of %zu, prot %#x flags %#x%s: %s",
			pages, pgoff, (long long)(off - (off_t)(pgoff * PAGE)),
			fb->pages, prot, flags, fb->rdonly ? ", read-only" : "",
			p == MAP_FAILED ? strerror(errno) : "mapped");
}

/*
 * Touch one page of a mapping: readable pages show the shadow byte, a
 * PROT_NONE mapping faults with SIGSEGV, nothing raises SIGBUS.
 */
void fuzz_access(struct fuzz *fz)
{
	int m = fuzz_pick_map(fz), sig;
	struct fuzz_map *fm;
	struct fuzz_buf *fb;
	size_t page;
	char c = 0;

	if (m < 0)
		return;
	fm = &fz->maps[m];
	fb = &fz->bufs[fm->buf];
	page = lane_below(&fz->rng, fm->pages);
	fz->accesses++;
	if (fm->prot & PROT_WRITE && !fz->in_child && lane_below(&fz->rng, 2)) {
		char v = (char)lane_rand(&fz->rng);

		sig = fuzz_write(fm->addr + page * PAGE, v);
		if (!sig)
			fb->shadow[fm->pgoff + page] = (unsigned char)v;
	} else {
		sig = fuzz_read(fm->addr + page * PAGE, &c);
		if (!sig && fm->prot != PROT_NONE &&
		    (unsigned char)c != fb->shadow[fm->pgoff + page])
			lane_fail("page %zu of a buffer reads %#x, wrote %#x",
				  fm->pgoff + page, (unsigned char)c,
				  fb->shadow[fm->pgoff + page]);
	}
	if (sig != (fm->prot == PROT_NONE ? SIGSEGV : 0))
		lane_fail("access to page %zu of %zu (prot %#x): signal %d",
			  fm->pgoff + page, fb->pages, fm->prot, sig);
}

/* Remove pages [@first, @first + @n) of mapping @m: whole, head, tail or a hole. */
static void unmap_range(struct fuzz *fz, int m, size_t first, size_t n)
{
	struct fuzz_map *fm = &fz->maps[m];
	size_t tail = fm->pages - first - n;

	if (FUZZ_CALL(fz, munmap(fm->addr + first * PAGE, n * PAGE))) {
		lane_fail("munmap: %s", strerror(errno));
		return;
	}
	if (!first && !tail) {
		fuzz_del_map(fz, m);
		return;
	}
	if (tail && first)
		fuzz_add_map(fz, fm->addr + (first + n) * PAGE, tail,
			     fm->pgoff + first + n, fm->prot, fm->buf);
	if (!first) {
		fm->addr += n * PAGE;
		fm->pgoff += n;
		fm->pages = tail;
	} else {
		fm->pages = first;
	}
}

void fuzz_munmap(struct fuzz *fz)
{
	int m = fuzz_pick_map(fz);
	size_t first, n;

	if (m < 0)
		return;
	if (lane_below(&fz->rng, 2)) {
		unmap_range(fz, m, 0, fz->maps[m].pages);
		return;
	}
	first = lane_below(&fz->rng, fz->maps[m].pages);
	n = 1 + lane_below(&fz->rng, fz->maps[m].pages - first);
	unmap_range(fz, m, first, n);
}

/* Moving works; growing, in place or not, and DONTUNMAP never do. */
void fuzz_mremap(struct fuzz *fz)
{
	int m = fuzz_pick_map(fz);
	size_t len, grow;
	struct fuzz_map *fm;
	char *dst, *p;

	if (m < 0)
		return;
	fm = &fz->maps[m];
	len = fm->pages * PAGE;
	switch (lane_below(&fz->rng, 4)) {
	case 0:
		dst = FUZZ_CALL(fz, mmap(NULL, len, PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		if (dst == MAP_FAILED)
			return;
		p = FUZZ_CALL(fz, mremap(fm->addr, len, len,
					 MREMAP_MAYMOVE | MREMAP_FIXED, dst));
		if (p == MAP_FAILED) {
			lane_fail("mremap move: %s", strerror(errno));
			FUZZ_CALL(fz, munmap(dst, len));
			return;
		}
		fm->addr = p;
		return;
	case 1:
		if (fm->pages < 2)
			return;
		grow = 1 + lane_below(&fz->rng, fm->pages - 1);
		p = FUZZ_CALL(fz, mremap(fm->addr, len, len - grow * PAGE, 0));
		if (p != fm->addr)
			lane_fail("mremap shrink: %s", strerror(errno));
		else
			fm->pages -= grow;
		return;
	case 2:
		p = FUZZ_CALL(fz, mremap(fm->addr, len, len,
					 MREMAP_MAYMOVE | MREMAP_DONTUNMAP));
		break;
	default:
		grow = 1 + lane_below(&fz->rng, 4);
		p = FUZZ_CALL(fz,
			      mremap(fm->addr, len, len + grow * PAGE,
				     lane_below(&fz->rng, 2) ? MREMAP_MAYMOVE :
							       0));
		break;
	}
	if (p != MAP_FAILED) {
		lane_fail("mremap grew or duplicated a mapping of a dma-buf");
		FUZZ_CALL(fz, munmap(p, len));
	}
}

/* Any protection but write on a read-only buffer's mapping. */
void fuzz_mprotect(struct fuzz *fz)
{
	static const int prots[] = { PROT_READ, PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_NONE };
	int m = fuzz_pick_map(fz), prot, ret, ok;
	struct fuzz_map *fm;

	if (m < 0)
		return;
	fm = &fz->maps[m];
	prot = prots[lane_below(&fz->rng, 4)];
	ok = !(fz->bufs[fm->buf].rdonly && (prot & PROT_WRITE));
	ret = FUZZ_CALL(fz, mprotect(fm->addr, fm->pages * PAGE, prot));
	if (!ret)
		fm->prot = prot;
	if (ok != !ret)
		lane_fail("mprotect %#x on a %s mapping: %s", prot,
			  fz->bufs[fm->buf].rdonly ? "read-only" : "writable",
			  ret ? strerror(errno) : "allowed");
}

/* Advice PFN mappings refuse or ignore; the data must stay. */
void fuzz_madvise(struct fuzz *fz)
{
	static const int advice[] = { MADV_NORMAL,     MADV_RANDOM,
				      MADV_SEQUENTIAL, MADV_WILLNEED,
				      MADV_DONTNEED,   MADV_COLD,
				      MADV_PAGEOUT,    MADV_FREE,
				      MADV_DONTDUMP };
	int m = fuzz_pick_map(fz);

	if (m < 0)
		return;
	FUZZ_CALL(fz, madvise(fz->maps[m].addr, fz->maps[m].pages * PAGE,
			      advice[lane_below(&fz->rng, 9)]));
}

/* Only START or END with READ, WRITE or both is a valid SYNC. */
void fuzz_sync(struct fuzz *fz)
{
	static const uint64_t dirs[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE,
					 DMA_BUF_SYNC_RW };
	int b = fuzz_pick_buf(fz, 1), want, ret;
	struct dma_buf_sync s;

	if (b < 0)
		return;
	if (lane_below(&fz->rng, 4))
		s.flags = (lane_below(&fz->rng, 2) ? DMA_BUF_SYNC_END :
						     DMA_BUF_SYNC_START) |
			  dirs[lane_below(&fz->rng, 3)];
	else
		s.flags = lane_below(&fz->rng, 2) ?
				  lane_rand(&fz->rng) :
				  1ULL << lane_below(&fz->rng, 64);
	want = (s.flags & ~(uint64_t)DMA_BUF_SYNC_VALID_FLAGS_MASK) ||
			       !(s.flags & DMA_BUF_SYNC_RW) ?
		       -EINVAL :
		       0;
	if (!lane_below(&fz->rng, 30)) {
		ret = FUZZ_CALL(fz, ioctl(fz->bufs[b].fd, DMA_BUF_IOCTL_SYNC,
					  bad_pointer(fz)));
		want = -EFAULT;
	} else {
		ret = FUZZ_CALL(fz,
				ioctl(fz->bufs[b].fd, DMA_BUF_IOCTL_SYNC, &s));
	}
	ret = ret ? -errno : 0;
	if (ret != want)
		lane_fail("SYNC flags %#llx: got %s, want %s",
			  (unsigned long long)s.flags, strerror(-ret),
			  strerror(-want));
}

/* Names up to DMA_BUF_NAME_LEN - 1 bytes are taken, longer ones refused. */
void fuzz_set_name(struct fuzz *fz)
{
	int b = fuzz_pick_buf(fz, 1), ret;
	size_t len, i;
	char name[48];

	if (b < 0)
		return;
	len = lane_below(&fz->rng, sizeof(name));
	for (i = 0; i < len; i++)
		name[i] = (char)('a' + lane_below(&fz->rng, 26));
	name[len] = '\0';
	ret = FUZZ_CALL(fz, ioctl(fz->bufs[b].fd, DMA_BUF_SET_NAME, name)) ?
		      -errno :
		      0;
	if (ret != (len < DMA_BUF_NAME_LEN ? 0 : -EINVAL))
		lane_fail("SET_NAME of %zu bytes: %s", len, strerror(-ret));
}

/*
 * The dma-buf core's other commands with random arguments; a sync_file
 * handed out is closed again.  No oracle but the checkers in the kernel.
 */
void fuzz_buf_ioctl_random(struct fuzz *fz)
{
	int b = fuzz_pick_buf(fz, 1);
	union {
		struct dma_buf_export_sync_file ex;
		unsigned char raw[64];
	} arg;
	unsigned long cmd;
	size_t i;

	if (b < 0)
		return;
	for (i = 0; i < sizeof(arg); i++)
		arg.raw[i] = (unsigned char)lane_rand(&fz->rng);
	if (lane_below(&fz->rng, 2)) {
		cmd = DMA_BUF_IOCTL_EXPORT_SYNC_FILE;
		arg.ex.flags = lane_below(&fz->rng, 5);
		arg.ex.fd = (uint32_t)-1;
	} else {
		cmd = _IOC(lane_below(&fz->rng, 4), DMA_BUF_BASE,
			   lane_below(&fz->rng, 8), lane_below(&fz->rng, 24));
		if (_IOC_NR(cmd) <= 2)
			return; /* SYNC, SET_NAME, EXPORT: covered above */
	}
	if (!FUZZ_CALL(fz, ioctl(fz->bufs[b].fd, cmd, &arg)) &&
	    cmd == DMA_BUF_IOCTL_EXPORT_SYNC_FILE)
		FUZZ_CALL(fz, close((int)arg.ex.fd));
}

/* lseek, read, write, poll, fstat, dup and fdinfo on a buffer's fd. */
void fuzz_file_ops(struct fuzz *fz)
{
	int b = fuzz_pick_buf(fz, 1), fd, whence;
	struct pollfd pfd;
	struct fuzz_buf *fb;
	off_t off, got;
	char c, v[32];

	if (b < 0)
		return;
	fb = &fz->bufs[b];
	fd = fb->fd;
	switch (lane_below(&fz->rng, 6)) {
	case 0:
		whence = (int)lane_below(&fz->rng, 5);
		off = lane_below(&fz->rng, 4) ? 0 : (off_t)lane_rand(&fz->rng);
		got = FUZZ_CALL(fz, lseek(fd, off, whence));
		if (got != (off || (whence != SEEK_SET && whence != SEEK_END) ?
				    -1 :
			    whence == SEEK_END ? (off_t)(fb->pages * PAGE) :
						 0))
			lane_fail("lseek(%lld, %d) = %lld", (long long)off,
				  whence, (long long)got);
		break;
	case 1:
		if (FUZZ_CALL(fz, read(fd, &c, 1)) >= 0 ||
		    FUZZ_CALL(fz, write(fd, "x", 1)) >= 0)
			lane_fail("read or write on a dma-buf fd worked");
		break;
	case 2:
		pfd.fd = fd;
		pfd.events = (short)lane_rand(&fz->rng);
		if (FUZZ_CALL(fz, poll(&pfd, 1, 0)) < 0)
			lane_fail("poll: %s", strerror(errno));
		break;
	case 3:
		fd = FUZZ_CALL(fz, fcntl(fd, F_DUPFD_CLOEXEC, 0));
		if (fd < 0 || FUZZ_CALL(fz, close(fd)))
			lane_fail("dup or close of a dup failed");
		break;
	case 4:
		fz->calls += 3; /* open, read, close */
		if (fdinfo_value(fd, "size", v, sizeof(v)) ||
		    strtoull(v, NULL, 10) != fb->pages * PAGE)
			lane_fail("fdinfo size %s, want %zu", v,
				  fb->pages * PAGE);
		break;
	default: {
		struct stat st;

		if (FUZZ_CALL(fz, fstat(fd, &st)))
			lane_fail("fstat: %s", strerror(errno));
		break;
	}
	}
}

/* Close a buffer's fd; its mappings and vgem handle keep it alive. */
void fuzz_close(struct fuzz *fz)
{
	int b = fuzz_pick_buf(fz, 1);

	if (b < 0)
		return;
	if (FUZZ_CALL(fz, close(fz->bufs[b].fd)))
		lane_fail("close: %s", strerror(errno));
	fz->bufs[b].fd = -1;
	fuzz_put_buf(fz, b);
}

/* Import into vgem, export back (the same buffer), or release the handle. */
void fuzz_vgem(struct fuzz *fz)
{
	int b = fuzz_pick_buf(fz, 0), fd;
	struct stat a, c;
	struct fuzz_buf *fb;

	if (b < 0 || fz->drm < 0 || fz->in_child)
		return;
	fb = &fz->bufs[b];
	if (!fb->handle && fb->fd >= 0) {
		if (FUZZ_CALL(fz,
			      drmPrimeFDToHandle(fz->drm, fb->fd, &fb->handle)))
			lane_fail("vgem import: %s", strerror(errno));
	} else if (fb->handle && lane_below(&fz->rng, 2)) {
		if (FUZZ_CALL(fz, drmPrimeHandleToFD(fz->drm, fb->handle,
						     DRM_CLOEXEC, &fd))) {
			lane_fail("vgem export back: %s", strerror(errno));
			return;
		}
		if (fb->fd >= 0 && (fstat(fd, &a) || fstat(fb->fd, &c) ||
				    a.st_ino != c.st_ino))
			lane_fail("vgem exported back another buffer");
		FUZZ_CALL(fz, close(fd));
	} else if (fb->handle) {
		if (FUZZ_CALL(fz, drmCloseBufferHandle(fz->drm, fb->handle)))
			lane_fail("vgem handle close: %s", strerror(errno));
		fb->handle = 0;
		fuzz_put_buf(fz, b);
	}
}

void fuzz_reopen_dev(struct fuzz *fz)
{
	dev_reopen();
	if (FUZZ_CALL(fz, dev_fd()) < 0)
		lane_fail("reopening the device: %s", strerror(errno));
	fz->calls++; /* the close */
}
