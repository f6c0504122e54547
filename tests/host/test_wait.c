// SPDX-License-Identifier: MIT
/*
 * Nothing waits forever unless asked to (issue 11, item 1): each call that
 * waits for another process gives up with -ETIMEDOUT after its timeout,
 * leaks no fd and changes no out-parameter.  The peers here are real
 * sockets that accept and never send, or never accept at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <CUnit/CUnit.h>

#include "dmabuf_share.h"
#include "helpers.h"
#include "suites.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A listener with @backlog that never accepts. */
static int listener(const char *path, int backlog)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, backlog))
		return -1;
	return s;
}

static void test_recv_fd_times_out(void)
{
	int sv[2], fd = -77, before;
	size_t n = 77;
	char buf[8];
	long t0;

	seqpacket_pair(sv);
	before = count_fds();
	t0 = now_ms();
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], buf, sizeof(buf), 0, 200,
					     &n, &fd),
			-ETIMEDOUT);
	CU_ASSERT_TRUE(now_ms() - t0 >= 200);
	CU_ASSERT_TRUE(now_ms() - t0 < 2000);
	CU_ASSERT_EQUAL(fd, -77);
	CU_ASSERT_EQUAL(n, 77);
	/* 0: look once, do not wait */
	t0 = now_ms();
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], buf, sizeof(buf), 0, 0, &n,
					     &fd),
			-ETIMEDOUT);
	CU_ASSERT_TRUE(now_ms() - t0 < 100);
	CU_ASSERT_EQUAL(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

static void test_timeout_below_minus_one_is_einval(void)
{
	int sv[2], fd = -77;
	char buf[8];

	seqpacket_pair(sv);
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], buf, sizeof(buf), 0, -2,
					     NULL, &fd),
			-EINVAL);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], 0, "x", 1, -2), -EINVAL);
	CU_ASSERT_EQUAL(dmabuf_share_connect("/nonexistent", 0, &fd, NULL, -5),
			-EINVAL);
	CU_ASSERT_EQUAL(fd, -77);
	close(sv[0]);
	close(sv[1]);
}

/* A peer that never reads: the send queue fills, then send times out. */
static void test_send_fd_times_out_on_a_full_queue(void)
{
	int sv[2], memfd = make_memfd(4096, 0), ret, i;
	char big[4096];

	memset(big, 'b', sizeof(big));
	seqpacket_pair(sv);
	for (i = 0; i < 10000; i++) {
		ret = dmabuf_share_send_fd(sv[0], memfd, big, sizeof(big), 0);
		if (ret)
			break;
	}
	CU_ASSERT_EQUAL(ret, -ETIMEDOUT);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], memfd, big, sizeof(big),
					     100),
			-ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
	close(memfd);
}

/* A server that accepted and never sends: SIGSTOPed, wedged, or not ours. */
static void test_receive_times_out_on_a_silent_server(void)
{
	const char *path = test_path("silent.sock");
	struct dmabuf_share_header h;
	int s = listener(path, 4), sock = -1, fd = -77, before;
	long t0;

	CU_ASSERT_FATAL(s >= 0);
	before = count_fds();
	t0 = now_ms();
	CU_ASSERT_EQUAL(dmabuf_share_attach(path, 0, &h, &fd, NULL, 300),
			-ETIMEDOUT);
	CU_ASSERT_TRUE(now_ms() - t0 >= 300);
	CU_ASSERT_TRUE(now_ms() - t0 < 2000);
	CU_ASSERT_EQUAL(fd, -77);
	CU_ASSERT_EQUAL(count_fds(), before);
	CU_ASSERT_EQUAL_FATAL(dmabuf_share_connect(path, 0, &sock, NULL, 300),
			      0);
	CU_ASSERT_EQUAL(dmabuf_share_receive(sock, 0, &h, &fd, 100),
			-ETIMEDOUT);
	CU_ASSERT_EQUAL(fd, -77);
	close(sock);
	close(s);
	unlink(path);
}

/* A stopped server's backlog fills up; then connect itself waits. */
static void test_connect_times_out_on_a_full_backlog(void)
{
	const char *path = test_path("full.sock");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = listener(path, 0), q[64], n = 0, sock = -77, before;
	long t0;

	CU_ASSERT_FATAL(s >= 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	for (n = 0; n < 64; n++) {
		q[n] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
		if (connect(q[n], (struct sockaddr *)&a, sizeof(a))) {
			close(q[n]);
			break;
		}
	}
	CU_ASSERT_FATAL(n < 64);
	before = count_fds();
	t0 = now_ms();
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 300),
			-ETIMEDOUT);
	CU_ASSERT_TRUE(now_ms() - t0 >= 250);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 0),
			-ETIMEDOUT);
	CU_ASSERT_EQUAL(sock, -77);
	CU_ASSERT_EQUAL(count_fds(), before);
	while (n--)
		close(q[n]);
	close(s);
	unlink(path);
}

static void test_accept_times_out_without_clients(void)
{
	const char *path = test_path("lonely.sock");
	struct dmabuf_share_server *srv = NULL;
	int memfd = make_memfd(4096, 0);
	pid_t pid = -77;
	long t0;

	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv), 0);
	t0 = now_ms();
	CU_ASSERT_EQUAL(dmabuf_share_server_accept(srv, &pid, 150), -ETIMEDOUT);
	CU_ASSERT_TRUE(now_ms() - t0 >= 150);
	CU_ASSERT_EQUAL(pid, -77);
	/* The listening socket is non-blocking, as documented. */
	CU_ASSERT_TRUE(fcntl(dmabuf_share_server_fd(srv), F_GETFL) &
		       O_NONBLOCK);
	dmabuf_share_server_destroy(srv);
	close(memfd);
}

/* A timeout on a memfd: not a dma-buf, so there are no fences to wait for. */
static void test_sync_start_with_timeout_on_memfd(void)
{
	int memfd = make_memfd(4096, 0);

	CU_ASSERT_EQUAL(dmabuf_share_sync_start(memfd, DMABUF_SHARE_READ, 100),
			-ENOTTY);
	CU_ASSERT_EQUAL(dmabuf_share_sync_start(memfd, DMABUF_SHARE_READ, -3),
			-EINVAL);
	close(memfd);
}

CU_TestInfo wait_tests[] = {
	{ "recv_fd times out, nothing changed", test_recv_fd_times_out },
	{ "timeout below -1: EINVAL", test_timeout_below_minus_one_is_einval },
	{ "send_fd times out on a full queue",
	  test_send_fd_times_out_on_a_full_queue },
	{ "attach and receive time out on a silent server",
	  test_receive_times_out_on_a_silent_server },
	{ "connect times out on a full backlog",
	  test_connect_times_out_on_a_full_backlog },
	{ "server_accept times out without clients",
	  test_accept_times_out_without_clients },
	{ "sync_start with a timeout on a memfd: ENOTTY",
	  test_sync_start_with_timeout_on_memfd },
	CU_TEST_INFO_NULL,
};
