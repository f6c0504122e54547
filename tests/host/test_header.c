// SPDX-License-Identifier: MIT
/*
 * The server's message header: building it, validating it, and
 * dmabuf_share_receive() refusing every malformed message without leaking
 * the fd that came with it.  Each case changes one thing from a valid one.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "dmabuf_share.h"
#include "helpers.h"
#include "suites.h"

static struct dmabuf_share_header valid(uint64_t size)
{
	struct dmabuf_share_header h;

	CU_ASSERT_EQUAL(dmabuf_share_header_init(&h, size, 0, "buf"), 0);
	return h;
}

static void test_init_fills_every_field(void)
{
	struct dmabuf_share_header h;

	memset(&h, 0xee, sizeof(h));
	CU_ASSERT_EQUAL(dmabuf_share_header_init(&h, 8192, 4096, "cam0"), 0);
	CU_ASSERT_EQUAL(h.magic, DMABUF_SHARE_MAGIC);
	CU_ASSERT_EQUAL(h.version, DMABUF_SHARE_PROTOCOL_VERSION);
	CU_ASSERT_EQUAL(h.size, 8192);
	CU_ASSERT_EQUAL(h.offset, 4096);
	CU_ASSERT_STRING_EQUAL(h.name, "cam0");
	/* No stale bytes after the name travel to another process. */
	CU_ASSERT_EQUAL(h.name[sizeof(h.name) - 1], 0);
	CU_ASSERT_EQUAL(dmabuf_share_header_check(&h, sizeof(h)), 0);
}

static void test_init_rejects_offset_past_size(void)
{
	struct dmabuf_share_header h;

	memset(&h, 0xee, sizeof(h));
	CU_ASSERT_EQUAL(dmabuf_share_header_init(&h, 4096, 4097, NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(h.magic, 0xeeeeeeee);
}

static void test_init_rejects_long_name(void)
{
	struct dmabuf_share_header h;
	char name[DMABUF_SHARE_NAME_LEN + 1];

	memset(name, 'n', sizeof(name));
	name[DMABUF_SHARE_NAME_LEN] = '\0';
	CU_ASSERT_EQUAL(dmabuf_share_header_init(&h, 4096, 0, name),
			-ENAMETOOLONG);
	name[DMABUF_SHARE_NAME_LEN - 1] = '\0'; /* 31 bytes fit */
	CU_ASSERT_EQUAL(dmabuf_share_header_init(&h, 4096, 0, name), 0);
}

static void test_check_short(void)
{
	struct dmabuf_share_header h = valid(4096);

	CU_ASSERT_EQUAL(dmabuf_share_header_check(&h, 4), -EBADMSG);
	CU_ASSERT_EQUAL(dmabuf_share_header_check(&h, sizeof(h) - 1), -EBADMSG);
}

static void test_check_longer_than_v1(void)
{
	char raw[sizeof(struct dmabuf_share_header) + 8];
	struct dmabuf_share_header h = valid(4096);

	memset(raw, 0, sizeof(raw));
	memcpy(raw, &h, sizeof(h));
	CU_ASSERT_EQUAL(dmabuf_share_header_check(raw, sizeof(raw)), -EBADMSG);
}

static void test_check_wrong_magic(void)
{
	struct dmabuf_share_header h = valid(4096);

	h.magic ^= 1;
	CU_ASSERT_EQUAL(dmabuf_share_header_check(&h, sizeof(h)), -EPROTO);
}

static void test_check_wrong_version(void)
{
	struct dmabuf_share_header h = valid(4096);

	h.version = DMABUF_SHARE_PROTOCOL_VERSION + 1;
	CU_ASSERT_EQUAL(dmabuf_share_header_check(&h, sizeof(h)),
			-EPROTONOSUPPORT);
}

static void test_check_unterminated_name(void)
{
	struct dmabuf_share_header h = valid(4096);

	memset(h.name, 'x', sizeof(h.name));
	CU_ASSERT_EQUAL(dmabuf_share_header_check(&h, sizeof(h)), -EBADMSG);
}

static void test_check_offset_past_size(void)
{
	struct dmabuf_share_header h = valid(4096);

	h.offset = 4097;
	CU_ASSERT_EQUAL(dmabuf_share_header_check(&h, sizeof(h)), -EBADMSG);
}

/* Send @len bytes of @data with a 4 KiB memfd; receive must fail @err. */
static void receive_case(const void *data, size_t len, int err)
{
	struct dmabuf_share_header got;
	int sv[2], memfd, before, fd = -77;

	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0);
	CU_ASSERT_EQUAL(send_raw(sv[0], data, len, &memfd, 1), 0);
	close(memfd);
	before = count_fds();
	memset(&got, 0xee, sizeof(got));
	CU_ASSERT_EQUAL(dmabuf_share_receive(sv[1], 0, &got, &fd, 1000), -err);
	CU_ASSERT_EQUAL(fd, -77);
	CU_ASSERT_EQUAL(got.magic, 0xeeeeeeee);
	CU_ASSERT_EQUAL(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

static void test_receive_valid(void)
{
	struct dmabuf_share_header h = valid(4096), got;
	int sv[2], memfd, fd = -1;

	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0);
	CU_ASSERT_EQUAL(send_raw(sv[0], &h, sizeof(h), &memfd, 1), 0);
	CU_ASSERT_EQUAL(dmabuf_share_receive(sv[1], 0, &got, &fd, 1000), 0);
	CU_ASSERT_EQUAL(memcmp(&got, &h, sizeof(h)), 0);
	CU_ASSERT_TRUE(fd >= 0);
	close(fd);
	close(memfd);
	close(sv[0]);
	close(sv[1]);
}

static void test_receive_short(void)
{
	struct dmabuf_share_header h = valid(4096);

	receive_case(&h, 20, EBADMSG);
}

static void test_receive_wrong_magic(void)
{
	struct dmabuf_share_header h = valid(4096);

	h.magic = 0x12345678;
	receive_case(&h, sizeof(h), EPROTO);
}

static void test_receive_wrong_version(void)
{
	struct dmabuf_share_header h = valid(4096);

	h.version = 0;
	receive_case(&h, sizeof(h), EPROTONOSUPPORT);
}

static void test_receive_oversized(void)
{
	char raw[1024];
	struct dmabuf_share_header h = valid(4096);

	memset(raw, 0, sizeof(raw));
	memcpy(raw, &h, sizeof(h));
	receive_case(raw, sizeof(raw), EMSGSIZE);
}

static void test_receive_size_not_the_buffers(void)
{
	struct dmabuf_share_header h = valid(8192);

	receive_case(&h, sizeof(h), EBADMSG);
}

CU_TestInfo header_tests[] = {
	{ "init fills every field", test_init_fills_every_field },
	{ "init rejects offset past size", test_init_rejects_offset_past_size },
	{ "init rejects a 32-byte name", test_init_rejects_long_name },
	{ "check: short", test_check_short },
	{ "check: longer than v1", test_check_longer_than_v1 },
	{ "check: wrong magic", test_check_wrong_magic },
	{ "check: wrong version", test_check_wrong_version },
	{ "check: unterminated name", test_check_unterminated_name },
	{ "check: offset past size", test_check_offset_past_size },
	{ "receive: valid message", test_receive_valid },
	{ "receive: short, fd closed", test_receive_short },
	{ "receive: wrong magic, fd closed", test_receive_wrong_magic },
	{ "receive: wrong version, fd closed", test_receive_wrong_version },
	{ "receive: oversized, fd closed", test_receive_oversized },
	{ "receive: size is not the buffer's, fd closed",
	  test_receive_size_not_the_buffers },
	CU_TEST_INFO_NULL,
};
