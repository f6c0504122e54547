// SPDX-License-Identifier: MIT
/*
 * The ABI's growth rules (issue 11, items 6 and 9): the version queries
 * agree with the header, dmabuf_share_strerror() gives the library's
 * meaning of overloaded errnos, growable structs are filled by their
 * struct_size in both directions (an older and a newer caller), and the
 * inventory is read through its getters only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "private.h"
#include "helpers.h"
#include "suites.h"

static void test_version_agrees_with_the_header(void)
{
	char want[32];

	CU_ASSERT_EQUAL(dmabuf_share_version(), DMABUF_SHARE_VERSION_NUMBER);
	snprintf(want, sizeof(want), "%d.%d.%d", DMABUF_SHARE_VERSION_MAJOR,
		 DMABUF_SHARE_VERSION_MINOR, DMABUF_SHARE_VERSION_PATCH);
	CU_ASSERT_STRING_EQUAL(dmabuf_share_version_string(), want);
	CU_ASSERT_EQUAL(DMABUF_SHARE_VERSION_ENCODE(1, 2, 3), 0x010203);
	CU_ASSERT_EQUAL(DMABUF_SHARE_PROTOCOL_VERSION, 1);
}

static void test_strerror_says_what_the_library_means(void)
{
	CU_ASSERT_STRING_EQUAL(dmabuf_share_strerror(-ETOOMANYREFS),
			       "more than one file descriptor arrived");
	CU_ASSERT_PTR_NOT_NULL(
		strstr(dmabuf_share_strerror(-ENOTTY), "not a dma-buf"));
	CU_ASSERT_STRING_EQUAL(dmabuf_share_strerror(-EPROTO),
			       "the peer is not a dmabuf-share server");
	/* Positive or negative, the same text. */
	CU_ASSERT_PTR_EQUAL(dmabuf_share_strerror(ENOTSOCK),
			    dmabuf_share_strerror(-ENOTSOCK));
	/* Errnos without a meaning of their own read as the C library's. */
	CU_ASSERT_STRING_EQUAL(dmabuf_share_strerror(-ENOENT),
			       "No such file or directory");
	CU_ASSERT_STRING_EQUAL(dmabuf_share_strerror(-100000), "unknown error");
}

/* A v1 desc followed by fields a newer header might add. */
struct desc_newer {
	struct dmabuf_share_desc v1;
	uint64_t future[2];
};

static void test_growable_struct_in_both_directions(void)
{
	struct dmabuf_share_desc src, older;
	struct desc_newer newer;

	memset(&src, 0, sizeof(src));
	src.struct_size = sizeof(src);
	src.size = 4096;
	src.inode = 42;
	strcpy(src.name, "n");
	/* A newer caller: everything known is filled, the rest zeroed. */
	memset(&newer, 0xee, sizeof(newer));
	newer.v1.struct_size = sizeof(newer);
	CU_ASSERT_EQUAL(dbs_struct_check(&newer, DBS_DESC_SIZE_V1), 0);
	dbs_struct_copy(&newer, &src, sizeof(src));
	CU_ASSERT_EQUAL(newer.v1.struct_size, DBS_DESC_SIZE_V1);
	CU_ASSERT_EQUAL(newer.v1.inode, 42);
	CU_ASSERT_STRING_EQUAL(newer.v1.name, "n");
	CU_ASSERT_EQUAL(newer.future[0], 0);
	CU_ASSERT_EQUAL(newer.future[1], 0);
	CU_ASSERT_TRUE(DMABUF_SHARE_HAS_FIELD(&newer.v1,
					      struct dmabuf_share_desc, name));
	/* Smaller than version 1: refused before anything is written. */
	memset(&older, 0xee, sizeof(older));
	older.struct_size = DBS_DESC_SIZE_V1 - 8;
	CU_ASSERT_EQUAL(dbs_struct_check(&older, DBS_DESC_SIZE_V1), -EINVAL);
	CU_ASSERT_EQUAL(dbs_struct_check(NULL, DBS_DESC_SIZE_V1), -EINVAL);
}

static void test_calls_refuse_a_bad_struct_size(void)
{
	struct dmabuf_share_exporter_info info;
	struct dmabuf_share_exporter_cache_info cache;
	struct dmabuf_share_desc d;
	int memfd = make_memfd(4096, 0);

	memset(&info, 0, sizeof(info));
	memset(&cache, 0, sizeof(cache));
	memset(&d, 0xee, sizeof(d));
	d.struct_size = 0;
	CU_ASSERT_EQUAL(dmabuf_share_exporter_info(memfd, &info), -EINVAL);
	CU_ASSERT_EQUAL(dmabuf_share_exporter_cache_info(memfd, &cache),
			-EINVAL);
	CU_ASSERT_EQUAL(dmabuf_share_describe(memfd, &d), -EINVAL);
	CU_ASSERT_EQUAL(d.size, 0xeeeeeeeeeeeeeeeeULL);
	/* With the size right, a memfd is simply not the exporter. */
	DMABUF_SHARE_STRUCT_INIT(&cache);
	CU_ASSERT_EQUAL(dmabuf_share_exporter_cache_info(memfd, &cache),
			-ENOTTY);
	close(memfd);
}

static const char bufinfo[] =
	"00008192\t00000002\t00080007\t00000001\tsystem\t00000007\tcam\n"
	"\tAttached Devices:\n\tdev0\nTotal 1 devices attached\n";

static void test_inventory_getters(void)
{
	struct dmabuf_share_inventory *inv = calloc(1, sizeof(*inv));
	FILE *f = fmemopen((void *)bufinfo, strlen(bufinfo), "r");
	const struct dmabuf_share_buffer *b;
	struct dmabuf_share_desc d;
	pid_t pid = -77;
	int fd = -77;

	CU_ASSERT_EQUAL_FATAL(dbs_parse_bufinfo(f, inv), 0);
	fclose(f);
	CU_ASSERT_EQUAL(dbs_buffer_add_holder(&inv->buffers[0], 12, 3), 0);
	CU_ASSERT_EQUAL(dmabuf_share_inventory_count(inv), 1);
	CU_ASSERT_PTR_NULL(dmabuf_share_inventory_buffer(inv, 1));
	b = dmabuf_share_inventory_buffer(inv, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	DMABUF_SHARE_STRUCT_INIT(&d);
	CU_ASSERT_EQUAL(dmabuf_share_buffer_desc(b, &d), 0);
	CU_ASSERT_EQUAL(d.inode, 7);
	CU_ASSERT_EQUAL(d.size, 8192);
	CU_ASSERT_STRING_EQUAL(d.name, "cam");
	CU_ASSERT_EQUAL(dmabuf_share_buffer_holder_count(b), 1);
	CU_ASSERT_EQUAL(dmabuf_share_buffer_holder(b, 0, &pid, &fd), 0);
	CU_ASSERT_EQUAL(pid, 12);
	CU_ASSERT_EQUAL(fd, 3);
	CU_ASSERT_EQUAL(dmabuf_share_buffer_holder(b, 1, &pid, &fd), -ERANGE);
	CU_ASSERT_EQUAL(dmabuf_share_buffer_device_count(b), 1);
	CU_ASSERT_STRING_EQUAL(dmabuf_share_buffer_device(b, 0), "dev0");
	CU_ASSERT_PTR_NULL(dmabuf_share_buffer_device(b, 1));
	dmabuf_share_inventory_free(inv);
}

/* Item 8: no dma-bufs at all sorts nothing (qsort(NULL, 0) is UB). */
static void test_empty_inventory_reads_cleanly(void)
{
	struct dmabuf_share_inventory *inv = NULL;

	CU_ASSERT_EQUAL_FATAL(dmabuf_share_inventory_read(0, &inv), 0);
	CU_ASSERT_TRUE(dmabuf_share_inventory_sources(inv) &
		       DMABUF_SHARE_SRC_PROC);
	if (dmabuf_share_inventory_count(inv) == 0)
		CU_ASSERT_PTR_NULL(dmabuf_share_inventory_buffer(inv, 0));
	dmabuf_share_inventory_free(inv);
}

/* Item 9: a short message is no dmabuf-share server, not a bad message. */
static void test_short_message_is_eproto(void)
{
	struct dmabuf_share_header h;
	int sv[2], memfd = make_memfd(4096, 0), fd = -77;

	CU_ASSERT_EQUAL(dmabuf_share_header_check("OK", 2), -EPROTO);
	CU_ASSERT_EQUAL(dmabuf_share_header_check("", 0), -EPROTO);
	seqpacket_pair(sv);
	CU_ASSERT_EQUAL(send_raw(sv[0], "HI", 2, &memfd, 1), 0);
	CU_ASSERT_EQUAL(dmabuf_share_receive(sv[1], 0, &h, &fd, 1000), -EPROTO);
	CU_ASSERT_EQUAL(fd, -77);
	close(sv[0]);
	close(sv[1]);
	close(memfd);
}

CU_TestInfo abi_tests[] = {
	{ "version queries agree with the header",
	  test_version_agrees_with_the_header },
	{ "strerror says what the library means",
	  test_strerror_says_what_the_library_means },
	{ "growable struct: newer and older callers",
	  test_growable_struct_in_both_directions },
	{ "calls refuse a bad struct_size",
	  test_calls_refuse_a_bad_struct_size },
	{ "inventory getters", test_inventory_getters },
	{ "inventory of a system without dma-bufs",
	  test_empty_inventory_reads_cleanly },
	{ "short message: EPROTO", test_short_message_is_eproto },
	CU_TEST_INFO_NULL,
};
