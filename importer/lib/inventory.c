// SPDX-License-Identifier: MIT
/*
 * The system-wide list of dma-bufs behind `dmabuf-share ls`: a table keyed
 * by inode, filled from debugfs (every buffer, attached devices) and /proc
 * (which process holds which buffer by fd or mapping).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define BUFINFO_PATH "/sys/kernel/debug/dma_buf/bufinfo"

/* Fibonacci hashing spreads inodes, which come in runs, over the table. */
static size_t slot_of(uint64_t inode, size_t nr_slots)
{
	return (size_t)((inode * 0x9e3779b97f4a7c15ull) >> 32) & (nr_slots - 1);
}

struct dmabuf_share_buffer *dbs_inv_find(struct dmabuf_share_inventory *inv,
					 uint64_t inode)
{
	size_t i;

	if (!inv->nr_slots)
		return NULL;
	for (i = slot_of(inode, inv->nr_slots); inv->slots[i];
	     i = (i + 1) & (inv->nr_slots - 1))
		if (inv->buffers[inv->slots[i] - 1].desc.inode == inode)
			return &inv->buffers[inv->slots[i] - 1];
	return NULL;
}

static void slot_insert(size_t *slots, size_t nr_slots, uint64_t inode,
			size_t index)
{
	size_t i = slot_of(inode, nr_slots);

	while (slots[i])
		i = (i + 1) & (nr_slots - 1);
	slots[i] = index + 1;
}

/* Keep the table at most half full, so probes stay short. */
static int grow_slots(struct dmabuf_share_inventory *inv)
{
	size_t n = inv->nr_slots ? inv->nr_slots * 2 : 64, i;
	size_t *slots;

	if (inv->nr_buffers + 1 <= inv->nr_slots / 2)
		return 0;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < inv->nr_buffers; i++)
		slot_insert(slots, n, inv->buffers[i].desc.inode, i);
	free(inv->slots);
	inv->slots = slots;
	inv->nr_slots = n;
	return 0;
}

/* Room for one more element in @*array, doubling: O(1) amortised. */
static int grow(void **array, size_t *cap, size_t used, size_t size)
{
	size_t n = *cap ? *cap * 2 : 4;
	void *p;

	if (used < *cap)
		return 0;
	if (n > SIZE_MAX / size)
		return -ENOMEM;
	p = realloc(*array, n * size);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = n;
	return 0;
}

/* Returns the new entry; earlier entry pointers are invalid afterwards. */
struct dmabuf_share_buffer *dbs_inv_add(struct dmabuf_share_inventory *inv,
					uint64_t inode)
{
	struct dmabuf_share_buffer *b;

	if (grow_slots(inv) || grow((void **)&inv->buffers, &inv->buffers_cap,
				    inv->nr_buffers, sizeof(*inv->buffers)))
		return NULL;
	slot_insert(inv->slots, inv->nr_slots, inode, inv->nr_buffers);
	b = &inv->buffers[inv->nr_buffers++];
	memset(b, 0, sizeof(*b));
	b->desc.struct_size = sizeof(b->desc);
	b->desc.inode = inode;
	b->nr_devices = -1; /* unknown until debugfs says otherwise */
	return b;
}

int dbs_buffer_add_holder(struct dmabuf_share_buffer *buf, pid_t pid, int fd)
{
	struct dmabuf_share_holder *h;

	/*
	 * A process mapping a buffer several times is one holder.  /proc is
	 * walked one process at a time, so a repeat is always the last entry:
	 * one comparison, not a scan of every holder.
	 */
	h = buf->nr_holders ? &buf->holders[buf->nr_holders - 1] : NULL;
	if (h && h->pid == pid && h->fd == fd)
		return 0;
	if (grow((void **)&buf->holders, &buf->holders_cap, buf->nr_holders,
		 sizeof(*buf->holders)))
		return -ENOMEM;
	h = buf->holders;
	h[buf->nr_holders].pid = pid;
	h[buf->nr_holders].fd = fd;
	buf->nr_holders++;
	return 0;
}

int dbs_buffer_add_device(struct dmabuf_share_buffer *buf, const char *dev)
{
	size_t n = buf->nr_devices > 0 ? (size_t)buf->nr_devices : 0;
	char **devs, *copy;

	copy = strdup(dev);
	if (!copy)
		return -ENOMEM;
	devs = realloc(buf->devices, (n + 1) * sizeof(*devs));
	if (!devs) {
		free(copy);
		return -ENOMEM;
	}
	devs[n] = copy;
	buf->devices = devs;
	buf->nr_devices = (int)n + 1;
	return 0;
}

/* Missing or unreadable debugfs is normal (not root, not mounted). */
static int read_debugfs(struct dmabuf_share_inventory *inv)
{
	FILE *f = fopen(BUFINFO_PATH, "re");
	int ret;

	if (!f)
		return 0;
	ret = dbs_parse_bufinfo(f, inv);
	fclose(f);
	if (!ret)
		inv->sources |= DMABUF_SHARE_SRC_DEBUGFS;
	return ret;
}

/* fds before mappings, each by pid, so the listing reads naturally. */
static int holder_cmp(const void *a, const void *b)
{
	const struct dmabuf_share_holder *x = a, *y = b;

	if ((x->fd < 0) != (y->fd < 0))
		return x->fd < 0 ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

static int buffer_cmp(const void *a, const void *b)
{
	const struct dmabuf_share_buffer *x = a, *y = b;

	return (x->desc.inode > y->desc.inode) -
	       (x->desc.inode < y->desc.inode);
}

/* qsort() with NULL is undefined even for no elements: skip 0 and 1. */
static void sort(void *base, size_t n, size_t size,
		 int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static void sort_inventory(struct dmabuf_share_inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->nr_buffers; i++)
		sort(inv->buffers[i].holders, inv->buffers[i].nr_holders,
		     sizeof(struct dmabuf_share_holder), holder_cmp);
	sort(inv->buffers, inv->nr_buffers, sizeof(*inv->buffers), buffer_cmp);
}

void dbs_inv_finish(struct dmabuf_share_inventory *inv)
{
	free(inv->slots);
	inv->slots = NULL;
	inv->nr_slots = 0;
	sort_inventory(inv);
}

DMABUF_SHARE_EXPORT int
dmabuf_share_inventory_read(unsigned int flags,
			    struct dmabuf_share_inventory **inv)
{
	struct dmabuf_share_inventory *i;
	int ret;

	if (flags)
		return -EINVAL;
	i = calloc(1, sizeof(*i));
	if (!i)
		return -ENOMEM;
	ret = read_debugfs(i);
	if (!ret)
		ret = dbs_scan_proc(i);
	if (ret) {
		dmabuf_share_inventory_free(i);
		return ret;
	}
	dbs_inv_finish(i);
	*inv = i;
	return 0;
}

static void free_buffer(struct dmabuf_share_buffer *b)
{
	int i;

	for (i = 0; i < b->nr_devices; i++)
		free(b->devices[i]);
	free(b->devices);
	free(b->holders);
}

DMABUF_SHARE_EXPORT void
dmabuf_share_inventory_free(struct dmabuf_share_inventory *inv)
{
	size_t i;

	if (!inv)
		return;
	for (i = 0; i < inv->nr_buffers; i++)
		free_buffer(&inv->buffers[i]);
	free(inv->buffers);
	free(inv->slots);
	free(inv);
}

DMABUF_SHARE_EXPORT unsigned int
dmabuf_share_inventory_sources(const struct dmabuf_share_inventory *inv)
{
	return inv->sources;
}

DMABUF_SHARE_EXPORT size_t
dmabuf_share_inventory_hidden_pids(const struct dmabuf_share_inventory *inv)
{
	return inv->nr_hidden_pids;
}

DMABUF_SHARE_EXPORT size_t
dmabuf_share_inventory_count(const struct dmabuf_share_inventory *inv)
{
	return inv->nr_buffers;
}

DMABUF_SHARE_EXPORT const struct dmabuf_share_buffer *
dmabuf_share_inventory_buffer(const struct dmabuf_share_inventory *inv,
			      size_t index)
{
	return index < inv->nr_buffers ? &inv->buffers[index] : NULL;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_buffer_desc(const struct dmabuf_share_buffer *buf,
			 struct dmabuf_share_desc *desc)
{
	int ret = dbs_struct_check(desc, DBS_DESC_SIZE_V1);

	if (!ret)
		dbs_struct_copy(desc, &buf->desc, sizeof(buf->desc));
	return ret;
}

DMABUF_SHARE_EXPORT size_t
dmabuf_share_buffer_holder_count(const struct dmabuf_share_buffer *buf)
{
	return buf->nr_holders;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_buffer_holder(const struct dmabuf_share_buffer *buf, size_t index,
			   pid_t *pid, int *fd)
{
	if (index >= buf->nr_holders)
		return -ERANGE;
	*pid = buf->holders[index].pid;
	*fd = buf->holders[index].fd;
	return 0;
}

DMABUF_SHARE_EXPORT size_t
dmabuf_share_buffer_device_count(const struct dmabuf_share_buffer *buf)
{
	return buf->nr_devices > 0 ? (size_t)buf->nr_devices : 0;
}

DMABUF_SHARE_EXPORT const char *
dmabuf_share_buffer_device(const struct dmabuf_share_buffer *buf, size_t index)
{
	if (buf->nr_devices < 0 || index >= (size_t)buf->nr_devices)
		return NULL;
	return buf->devices[index];
}
