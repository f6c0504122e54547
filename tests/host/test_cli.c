// SPDX-License-Identifier: MIT
/*
 * The dmabuf-share CLI as a separate process ($DMABUF_SHARE): help, the
 * 0/1/2 exit statuses, and error messages that name what failed, why and
 * what to do.  Peers that are not real servers are played by this test.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <CUnit/CUnit.h>

#include "dmabuf_share.h"
#include "helpers.h"
#include "suites.h"

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void expect_usage(const char *const argv[])
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, argv), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--help"));
}

static void test_help_for_every_command(void)
{
	static const char *const cmds[] = { "serve", "attach", "drm-import",
					    "ls", "info" };
	char want[64];
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CU_ASSERT_EQUAL(run_cli(&r, ARGV(cmds[i], "--help")), 0);
		snprintf(want, sizeof(want), "Usage: dmabuf-share %s", cmds[i]);
		CU_ASSERT_EQUAL(strncmp(r.out, want, strlen(want)), 0);
	}
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("--help")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "drm-import"));
}

static void test_pattern_syntax_is_in_help(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", "--help")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "0xAB"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "'counter'"));
}

static void test_no_command_is_usage(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV(NULL)), 2);
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("frobnicate")), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown command 'frobnicate'"));
}

static void test_usage_errors(void)
{
	expect_usage(ARGV("serve", "/tmp/s"));
	expect_usage(ARGV("serve", "/tmp/s", "--size", "0"));
	expect_usage(ARGV("serve", "/tmp/s", "--size", "4Q"));
	expect_usage(ARGV("serve", "--size", "4K"));
	expect_usage(
		ARGV("serve", "/tmp/s", "--size", "4K", "--fill", "0x100"));
	expect_usage(ARGV("serve", "/tmp/s", "--size", "4K", "--read-only",
			  "--fill", "1"));
	expect_usage(ARGV("serve", "/tmp/s", "--size", "4K", "--name",
			  "a-name-that-is-longer-than-31-bytes"));
	expect_usage(ARGV("attach"));
	expect_usage(ARGV("attach", "/tmp/a", "/tmp/b"));
	expect_usage(ARGV("attach", "/tmp/a", "--hold", "-1"));
	expect_usage(ARGV("attach", "/tmp/a", "--verify", "ab"));
	expect_usage(ARGV("attach", "/tmp/a", "--hold"));
	expect_usage(ARGV("drm-import", "/tmp/a", "--bogus"));
	expect_usage(ARGV("ls", "extra"));
	expect_usage(ARGV("info", "extra"));
}

static void test_missing_exporter_says_load_module(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("info", "--device", "/nonexistent")),
			1);
	CU_ASSERT_STRING_EQUAL(
		r.err, "dmabuf-share info: cannot open "
		       "/nonexistent: No such file or directory (is the "
		       "module loaded? as root: modprobe dmabuf_exporter)\n");
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("serve", test_path("x.sock"), "--size",
					 "4K", "--device", "/nonexistent")),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "is the module loaded?"));
}

static void test_attach_without_server(void)
{
	const char *path = test_path("nobody.sock");
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", path)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot connect to"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "No such file or directory"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "is 'dmabuf-share serve' "
					     "running on that path?"));
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("drm-import", path)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot connect to"));
}

static int listen_raw(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4))
		return -1;
	return s;
}

static void test_attach_to_stale_socket(void)
{
	const char *path = test_path("stale-cli.sock");
	int s = listen_raw(path);
	struct run r;

	close(s); /* the file stays, nobody listens */
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", path)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "nobody listens on that socket: "
					     "its server is gone (start "));
	unlink(path);
}

/* Accept the CLI's connection (if it comes) and send it @hdr + @fd. */
static void answer(int listener, const void *hdr, size_t len, int fd)
{
	struct pollfd p = { .fd = listener, .events = POLLIN };
	int conn;

	if (poll(&p, 1, 10000) != 1)
		return;
	conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	CU_ASSERT_EQUAL(send_raw(conn, hdr, len, &fd, 1), 0);
	close(conn);
}

/* Run attach against a peer that sends @hdr with a 4 KiB memfd. */
static void attach_to_fake(const char *name, const void *hdr, size_t len,
			   struct run *r)
{
	const char *path = test_path(name);
	int s = listen_raw(path), memfd = make_memfd(4096, 0);

	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL_FATAL(run_start(r, ARGV("attach", path)), 0);
	answer(s, hdr, len, memfd);
	run_wait(r, 30);
	close(s);
	close(memfd);
	unlink(path);
}

static void test_attach_refuses_a_memfd(void)
{
	struct dmabuf_share_header h;
	struct run r;

	dmabuf_share_header_init(&h, 4096, 0, "fake");
	attach_to_fake("memfd-cli.sock", &h, sizeof(h), &r);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot receive a buffer from"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "not a dma-buf"));
}

static void test_attach_refuses_a_foreign_peer(void)
{
	static const char junk[64] = "HTTP/1.1 200 OK\r\n";
	struct run r;

	attach_to_fake("junk-cli.sock", junk, sizeof(junk), &r);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "not a dmabuf-share server"));
}

static void test_ls_prints_a_table(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("ls")), 0);
	CU_ASSERT_EQUAL(strncmp(r.out, "INODE", 5), 0);
	/* A host with a GPU has dma-bufs of its own: only the shape is fixed. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\ntotal: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, " dma-bufs, "));
}

CU_TestInfo cli_tests[] = {
	{ "--help for every command", test_help_for_every_command },
	{ "PATTERN syntax is in --help", test_pattern_syntax_is_in_help },
	{ "no or unknown command: exit 2", test_no_command_is_usage },
	{ "usage errors: exit 2 and point at --help", test_usage_errors },
	{ "missing exporter: exit 1, says load the module",
	  test_missing_exporter_says_load_module },
	{ "attach without server: exit 1, says start serve",
	  test_attach_without_server },
	{ "attach to a stale socket: says the server is gone",
	  test_attach_to_stale_socket },
	{ "attach refuses a memfd: not a dma-buf",
	  test_attach_refuses_a_memfd },
	{ "attach refuses a foreign peer", test_attach_refuses_a_foreign_peer },
	{ "ls prints a table", test_ls_prints_a_table },
	CU_TEST_INFO_NULL,
};
