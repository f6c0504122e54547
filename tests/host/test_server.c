// SPDX-License-Identifier: MIT
/*
 * The tiny server and its client, over a real socket path, serving a
 * memfd (the library does not care what it serves unless told to).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <CUnit/CUnit.h>

#include "dmabuf_share.h"
#include "helpers.h"
#include "suites.h"

static struct dmabuf_share_server *serve_memfd(const char *path, int memfd)
{
	struct dmabuf_share_server *srv = NULL;

	CU_ASSERT_EQUAL_FATAL(dmabuf_share_server_create(path, 0, memfd, 1024,
							 "host-test", &srv),
			      0);
	return srv;
}

static uint64_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (uint64_t)st.st_ino;
}

/* Connect a client; the server answers; the client receives. */
static int client_round(struct dmabuf_share_server *srv, const char *path,
			unsigned int flags, struct dmabuf_share_header *h,
			int *fd)
{
	pid_t client = 0, server = 0;
	int sock = -1, ret;

	/* An AF_UNIX connect completes before accept(): no thread needed. */
	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_connect(path, 0, &sock, &server, 1000), 0);
	CU_ASSERT_EQUAL(server, getpid());
	CU_ASSERT_EQUAL(dmabuf_share_server_accept(srv, &client, 1000), 0);
	CU_ASSERT_EQUAL(client, getpid());
	ret = dmabuf_share_receive(sock, flags, h, fd, 1000);
	close(sock);
	return ret;
}

static void test_many_clients_get_the_same_buffer(void)
{
	const char *path = test_path("many.sock");
	struct dmabuf_share_server *srv;
	struct dmabuf_share_header h;
	int memfd, fd, i, before;

	memfd = make_memfd(8192, 0x11);
	before = count_fds();
	srv = serve_memfd(path, memfd);
	for (i = 0; i < 5; i++) {
		fd = -1;
		CU_ASSERT_EQUAL(client_round(srv, path, 0, &h, &fd), 0);
		CU_ASSERT_EQUAL(inode_of(fd), inode_of(memfd));
		CU_ASSERT_EQUAL(h.size, 8192);
		CU_ASSERT_EQUAL(h.offset, 1024);
		CU_ASSERT_STRING_EQUAL(h.name, "host-test");
		close(fd);
	}
	dmabuf_share_server_destroy(srv);
	CU_ASSERT_EQUAL(count_fds(), before);
	/* destroy removes the socket path it created */
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	close(memfd);
}

static void test_memfd_server_refused_when_dmabuf_required(void)
{
	const char *path = test_path("memfd.sock");
	struct dmabuf_share_server *srv;
	struct dmabuf_share_header h;
	int memfd, fd = -77, before;

	memfd = make_memfd(4096, 0);
	srv = serve_memfd(path, memfd);
	before = count_fds();
	CU_ASSERT_EQUAL(client_round(srv, path, DMABUF_SHARE_RECV_DMABUF, &h,
				     &fd),
			-ENOTTY);
	CU_ASSERT_EQUAL(fd, -77);
	CU_ASSERT_EQUAL(count_fds(), before);
	dmabuf_share_server_destroy(srv);
	close(memfd);
}

static void test_connect_without_server(void)
{
	int sock = -77;
	pid_t pid = -77;

	CU_ASSERT_EQUAL(dmabuf_share_connect(test_path("none.sock"), 0, &sock,
					     &pid, 1000),
			-ENOENT);
	CU_ASSERT_EQUAL(sock, -77);
	CU_ASSERT_EQUAL(pid, -77);
}

static void test_attach_without_server_leaves_no_fd(void)
{
	struct dmabuf_share_header h;
	int fd = -77, before = count_fds();

	CU_ASSERT_EQUAL(dmabuf_share_attach(test_path("none.sock"), 0, &h, &fd,
					    NULL, 1000),
			-ENOENT);
	CU_ASSERT_EQUAL(fd, -77);
	CU_ASSERT_EQUAL(count_fds(), before);
}

static void test_stale_socket_is_replaced(void)
{
	const char *path = test_path("stale.sock");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct dmabuf_share_server *srv;
	int memfd = make_memfd(4096, 0);
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	/* What a server that died leaves: a socket file nobody listens on. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	CU_ASSERT_EQUAL_FATAL(bind(s, (struct sockaddr *)&addr, sizeof(addr)),
			      0);
	close(s);
	srv = serve_memfd(path, memfd);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &s, NULL, 1000), 0);
	close(s);
	dmabuf_share_server_destroy(srv);
	close(memfd);
}

static void test_live_server_is_not_replaced(void)
{
	const char *path = test_path("live.sock");
	struct dmabuf_share_server *a, *b = NULL;
	int memfd = make_memfd(4096, 0);

	a = serve_memfd(path, memfd);
	CU_ASSERT_EQUAL(dmabuf_share_server_create(path, 0, memfd, 0, NULL, &b),
			-EADDRINUSE);
	CU_ASSERT_PTR_NULL(b);
	/* The check asked the kernel's table: no client reached server a. */
	CU_ASSERT_EQUAL(dmabuf_share_server_accept(a, NULL, 0), -ETIMEDOUT);
	dmabuf_share_server_destroy(a);
	close(memfd);
}

static void test_regular_file_is_not_replaced(void)
{
	const char *path = test_path("file");
	struct dmabuf_share_server *b = NULL;
	int memfd = make_memfd(4096, 0);
	int f = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

	close(f);
	CU_ASSERT_EQUAL(dmabuf_share_server_create(path, 0, memfd, 0, NULL, &b),
			-ENOTSOCK);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	unlink(path);
	close(memfd);
}

static void test_directory_is_not_replaced(void)
{
	const char *path = test_path("dir");
	struct dmabuf_share_server *b = NULL;
	int memfd = make_memfd(4096, 0);

	CU_ASSERT_EQUAL_FATAL(mkdir(path, 0700), 0);
	CU_ASSERT_EQUAL(dmabuf_share_server_create(path, 0, memfd, 0, NULL, &b),
			-ENOTSOCK);
	CU_ASSERT_PTR_NULL(b);
	CU_ASSERT_EQUAL(rmdir(path), 0);
	close(memfd);
}

static void test_path_too_long(void)
{
	struct dmabuf_share_server *b = NULL;
	char path[200];
	int memfd = make_memfd(4096, 0), sock = -77;

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	CU_ASSERT_EQUAL(dmabuf_share_server_create(path, 0, memfd, 0, NULL, &b),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 1000),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(sock, -77);
	close(memfd);
}

static void test_offset_past_size_refused(void)
{
	struct dmabuf_share_server *b = NULL;
	int memfd = make_memfd(4096, 0);

	CU_ASSERT_EQUAL(dmabuf_share_server_create(test_path("o.sock"), 0,
						   memfd, 4097, NULL, &b),
			-EINVAL);
	CU_ASSERT_PTR_NULL(b);
	close(memfd);
}

/* A client that connects and leaves before its turn does not stop others. */
static void test_server_survives_vanished_client(void)
{
	const char *path = test_path("vanish.sock");
	struct dmabuf_share_server *srv;
	struct dmabuf_share_header h;
	int memfd = make_memfd(4096, 0), sock = -1, fd = -1;

	srv = serve_memfd(path, memfd);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 1000), 0);
	close(sock);
	CU_ASSERT_EQUAL(dmabuf_share_server_accept(srv, NULL, 1000), -EPIPE);
	CU_ASSERT_EQUAL(client_round(srv, path, 0, &h, &fd), 0);
	close(fd);
	dmabuf_share_server_destroy(srv);
	close(memfd);
}

CU_TestInfo server_tests[] = {
	{ "five clients get the same buffer and header",
	  test_many_clients_get_the_same_buffer },
	{ "memfd server refused when a dma-buf is required",
	  test_memfd_server_refused_when_dmabuf_required },
	{ "connect without a server: ENOENT", test_connect_without_server },
	{ "attach without a server leaves no fd",
	  test_attach_without_server_leaves_no_fd },
	{ "stale socket is replaced", test_stale_socket_is_replaced },
	{ "live server is not replaced, nor reached: EADDRINUSE",
	  test_live_server_is_not_replaced },
	{ "regular file is not replaced: ENOTSOCK",
	  test_regular_file_is_not_replaced },
	{ "directory is not replaced: ENOTSOCK",
	  test_directory_is_not_replaced },
	{ "path too long: ENAMETOOLONG", test_path_too_long },
	{ "offset past size refused", test_offset_past_size_refused },
	{ "server survives a client that vanished",
	  test_server_survives_vanished_client },
	CU_TEST_INFO_NULL,
};
