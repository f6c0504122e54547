// SPDX-License-Identifier: MIT
/*
 * Socket paths as users get them wrong (issue 11, items 2, 3 and 9): a
 * path that is no socket is named as such on both sides, the stale-socket
 * check reads the kernel's socket table and never connects, and a server
 * handle removes its path only from the process that created it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <CUnit/CUnit.h>

#include "private.h"
#include "helpers.h"
#include "suites.h"

static void expect_not_a_socket(const char *path)
{
	struct dmabuf_share_header h;
	int sock = -77, fd = -77;

	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 1000),
			-ENOTSOCK);
	CU_ASSERT_EQUAL(dmabuf_share_attach(path, 0, &h, &fd, NULL, 1000),
			-ENOTSOCK);
	CU_ASSERT_EQUAL(sock, -77);
	CU_ASSERT_EQUAL(fd, -77);
}

static void test_connect_to_what_is_no_socket(void)
{
	const char *file = strdup(test_path("plain-file"));
	const char *dir = strdup(test_path("a-dir"));

	close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	expect_not_a_socket(file);
	expect_not_a_socket(dir);
	expect_not_a_socket("/dev/null");
	unlink(file);
	rmdir(dir);
	free((void *)file);
	free((void *)dir);
}

static int bound_socket(const char *path, int do_listen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    (do_listen && listen(s, 4))) {
		close(s);
		return -1;
	}
	return s;
}

static void test_connect_to_a_stale_socket(void)
{
	const char *path = test_path("stale2.sock");
	int s = bound_socket(path, 1), sock = -77;

	close(s);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 1000),
			-ECONNREFUSED);
	unlink(path);
}

/* The kernel's table, asked directly: a listener counts, a stale file not. */
static void test_listening_is_read_from_the_socket_table(void)
{
	const char *path = test_path("table.sock");
	int s = bound_socket(path, 1);
	struct stat st;

	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(dbs_socket_is_listening(path, &st), 1);
	close(s);
	CU_ASSERT_EQUAL(dbs_socket_is_listening(path, &st), 0);
	/* bound but not listening: a dead server's half-made socket */
	s = bound_socket(path, 0);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(dbs_socket_is_listening(path, &st), 0);
	close(s);
	unlink(path);
}

/* /proc/net/unix, the fallback without unix_diag, as 6.1 prints it. */
static void test_proc_net_unix_fallback(void)
{
	static const char text[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"0000000000000000: 00000002 00000000 00010000 0005 01 4242 /run/a/frame.sock\n"
		"0000000000000000: 00000002 00000000 00000000 0005 01 4243 /tmp/connected.sock\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 4244 @abstract.sock\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 4245\n";
	const char *cases[][2] = {
		{ "/run/a/frame.sock", "1" },
		/* same name elsewhere: may be the same file, so live */
		{ "frame.sock", "1" },
		{ "/tmp/other.sock", "0" },
		{ "/tmp/connected.sock", "0" },
		{ "/tmp/abstract.sock", "0" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fmemopen((void *)text, strlen(text), "r");

		CU_ASSERT_EQUAL(dbs_parse_proc_net_unix(f, cases[i][0]),
				cases[i][1][0] - '0');
		fclose(f);
	}
}

static struct dmabuf_share_server *serve(const char *path, int memfd)
{
	struct dmabuf_share_server *srv = NULL;

	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv), 0);
	return srv;
}

static void test_destroy_in_a_forked_child_keeps_the_path(void)
{
	const char *path = test_path("fork.sock");
	int memfd = make_memfd(4096, 0), status = -1, sock = -1;
	struct dmabuf_share_server *srv = serve(path, memfd);
	pid_t child = fork();

	if (child == 0) {
		dmabuf_share_server_destroy(srv);
		_exit(0);
	}
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 1000), 0);
	CU_ASSERT_EQUAL(dmabuf_share_server_accept(srv, NULL, 1000), 0);
	close(sock);
	dmabuf_share_server_destroy(srv);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	close(memfd);
}

/* Someone replaced the path meanwhile: destroy leaves their file alone. */
static void test_destroy_keeps_a_replaced_path(void)
{
	const char *path = test_path("replaced.sock");
	int memfd = make_memfd(4096, 0);
	struct dmabuf_share_server *srv = serve(path, memfd);

	CU_ASSERT_EQUAL(unlink(path), 0);
	close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
	dmabuf_share_server_destroy(srv);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	unlink(path);
	close(memfd);
}

CU_TestInfo path_tests[] = {
	{ "connect to a file, directory or device: ENOTSOCK",
	  test_connect_to_what_is_no_socket },
	{ "connect to a stale socket: ECONNREFUSED",
	  test_connect_to_a_stale_socket },
	{ "listening is read from the kernel's socket table",
	  test_listening_is_read_from_the_socket_table },
	{ "/proc/net/unix fallback", test_proc_net_unix_fallback },
	{ "destroy in a forked child keeps the path",
	  test_destroy_in_a_forked_child_keeps_the_path },
	{ "destroy keeps a path someone replaced",
	  test_destroy_keeps_a_replaced_path },
	CU_TEST_INFO_NULL,
};
