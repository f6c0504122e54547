// SPDX-License-Identifier: MIT
/*
 * The inventory behind `ls`: the debugfs bufinfo parser on the text the
 * kernel prints, and a real /proc walk (the host has no dma-bufs, so the
 * walk must find none even with memfds and pipes open).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>

#include "private.h"
#include "helpers.h"
#include "suites.h"

/* dma_buf_debug_show() of 6.1: two buffers, one attached to vgem. */
static const char bufinfo_6_1[] =
	"\nDma-buf Objects:\n"
	"size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
	"01048576\t00000002\t00080007\t00000003\tdmabuf_exporter\t00000042\tdemo buf\n"
	"\tAttached Devices:\n"
	"\tvgem\n"
	"Total 1 devices attached\n\n"
	"00004096\t00000000\t00080005\t00000001\tdmabuf_exporter\t00000043\t<none>\n"
	"\twrite fence: vgem vgem unsignalled\n"
	"\tAttached Devices:\n"
	"Total 0 devices attached\n\n"
	"\nTotal 2 objects, 1052672 bytes\n";

static struct dmabuf_share_inventory *parse(const char *text)
{
	struct dmabuf_share_inventory *inv = calloc(1, sizeof(*inv));
	FILE *f = fmemopen((void *)text, strlen(text), "r");

	CU_ASSERT_EQUAL(dbs_parse_bufinfo(f, inv), 0);
	fclose(f);
	return inv;
}

static void test_bufinfo_two_buffers(void)
{
	struct dmabuf_share_inventory *inv = parse(bufinfo_6_1);
	struct dmabuf_share_buffer *a, *b;

	CU_ASSERT_EQUAL_FATAL(inv->nr_buffers, 2);
	a = dbs_inv_find(inv, 42);
	b = dbs_inv_find(inv, 43);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(a->desc.size, 1048576);
	CU_ASSERT_STRING_EQUAL(a->desc.exp_name, "dmabuf_exporter");
	CU_ASSERT_STRING_EQUAL(a->desc.name, "demo buf");
	CU_ASSERT_EQUAL_FATAL(a->nr_devices, 1);
	CU_ASSERT_STRING_EQUAL(a->devices[0], "vgem");
	/* "<none>" is how the kernel prints no name; fences are no devices */
	CU_ASSERT_STRING_EQUAL(b->desc.name, "");
	CU_ASSERT_EQUAL(b->nr_devices, 0);
	dmabuf_share_inventory_free(inv);
}

static void test_bufinfo_without_name_column(void)
{
	static const char text[] =
		"00008192\t00000002\t00080007\t00000001\tsystem\t00000007\n"
		"\tAttached Devices:\n\tdev0\n\tdev1\nTotal 2 devices attached\n";
	struct dmabuf_share_inventory *inv = parse(text);

	CU_ASSERT_EQUAL_FATAL(inv->nr_buffers, 1);
	CU_ASSERT_EQUAL(inv->buffers[0].desc.inode, 7);
	CU_ASSERT_STRING_EQUAL(inv->buffers[0].desc.exp_name, "system");
	CU_ASSERT_EQUAL(inv->buffers[0].nr_devices, 2);
	dmabuf_share_inventory_free(inv);
}

static void test_bufinfo_without_inode_is_skipped(void)
{
	static const char text[] =
		"00008192\t00000002\t00080007\t00000001\tsystem\n"
		"\tAttached Devices:\n\tdev0\nTotal 1 devices attached\n";
	struct dmabuf_share_inventory *inv = parse(text);

	CU_ASSERT_EQUAL(inv->nr_buffers, 0);
	dmabuf_share_inventory_free(inv);
}

static void test_dmabuf_paths(void)
{
	CU_ASSERT_TRUE(dbs_is_dmabuf_path("/dmabuf:"));
	CU_ASSERT_TRUE(dbs_is_dmabuf_path("/dmabuf:demo buf"));
	CU_ASSERT_TRUE(dbs_is_dmabuf_path("anon_inode:dmabuf"));
	CU_ASSERT_FALSE(dbs_is_dmabuf_path("/memfd:dmabuf (deleted)"));
	CU_ASSERT_FALSE(dbs_is_dmabuf_path("anon_inode:[eventfd]"));
	CU_ASSERT_FALSE(dbs_is_dmabuf_path("/tmp/dmabuf:x"));
}

static int listed(const struct dmabuf_share_inventory *inv, int fd)
{
	struct stat st;
	size_t i;

	fstat(fd, &st);
	for (i = 0; i < inv->nr_buffers; i++)
		if (inv->buffers[i].desc.inode == (uint64_t)st.st_ino)
			return 1;
	return 0;
}

/* The host may have dma-bufs of its own (a GPU); ours must not show. */
static void test_proc_walk_finds_no_memfd_or_pipe(void)
{
	struct dmabuf_share_inventory *inv = NULL;
	int memfd = make_memfd(4096, 0), p[2], before;
	void *map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, memfd, 0);

	CU_ASSERT_FATAL(pipe(p) == 0);
	before = count_fds();
	CU_ASSERT_EQUAL_FATAL(dmabuf_share_inventory_read(0, &inv), 0);
	CU_ASSERT_TRUE(inv->sources & DMABUF_SHARE_SRC_PROC);
	CU_ASSERT_FALSE(listed(inv, memfd));
	CU_ASSERT_FALSE(listed(inv, p[0]));
	dmabuf_share_inventory_free(inv);
	munmap(map, 4096);
	CU_ASSERT_EQUAL(count_fds(), before);
	close(p[0]);
	close(p[1]);
	close(memfd);
}

CU_TestInfo inventory_tests[] = {
	{ "bufinfo 6.1: two buffers, names, devices",
	  test_bufinfo_two_buffers },
	{ "bufinfo without name column", test_bufinfo_without_name_column },
	{ "bufinfo without inode is skipped",
	  test_bufinfo_without_inode_is_skipped },
	{ "dma-buf link and maps paths", test_dmabuf_paths },
	{ "/proc walk: no memfd or pipe listed, no fd leaked",
	  test_proc_walk_finds_no_memfd_or_pipe },
	CU_TEST_INFO_NULL,
};
