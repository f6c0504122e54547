// SPDX-License-Identifier: MIT
/*
 * dmabuf_share_send_fd() / dmabuf_share_recv_fd() with memfds and pipes.
 * Every error case checks the exact errno, that the out-parameter was not
 * touched, and that no fd was left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <CUnit/CUnit.h>

#include "dmabuf_share.h"
#include "helpers.h"
#include "suites.h"

#define UNTOUCHED (-77)
/* Ends a receive that should not wait; a passing one returns at once. */
#define LIMIT_MS 30000

static int same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_ino == sb.st_ino &&
	       sa.st_dev == sb.st_dev;
}

static void test_memfd_arrives_as_same_file(void)
{
	int sv[2], memfd, fd = UNTOUCHED;
	char data[8] = "payload", got[8];
	size_t n = 0;

	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0x5a);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], memfd, data, 8, -1), 0);
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], got, 8, 0, -1, &n, &fd), 0);
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT_NSTRING_EQUAL(got, data, 8);
	CU_ASSERT_TRUE(fd >= 0 && fd != memfd);
	CU_ASSERT_TRUE(same_file(fd, memfd));
	/* MSG_CMSG_CLOEXEC: a received fd must not leak into exec'd children */
	CU_ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	close(memfd);
	close(sv[0]);
	close(sv[1]);
}

static void test_pipe_end_still_works_after_passing(void)
{
	int sv[2], p[2], fd = -1;
	char c = 'x', got = 0;

	seqpacket_pair(sv);
	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], p[0], "p", 1, -1), 0);
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], &got, 1, 0, -1, NULL, &fd),
			0);
	close(p[0]);
	CU_ASSERT_EQUAL(write(p[1], &c, 1), 1);
	CU_ASSERT_EQUAL(read(fd, &got, 1), 1);
	CU_ASSERT_EQUAL(got, 'x');
	close(fd);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/* Receive on sv[1] expecting @err; checks fd untouched and no leak. */
static void expect_recv_error(int sock, size_t len, unsigned int flags, int err,
			      int fds_before)
{
	char buf[512];
	size_t n = 12345;
	int fd = UNTOUCHED;

	CU_ASSERT_EQUAL(
		dmabuf_share_recv_fd(sock, buf, len, flags, -1, &n, &fd), -err);
	CU_ASSERT_EQUAL(fd, UNTOUCHED);
	CU_ASSERT_EQUAL(n, 12345);
	CU_ASSERT_EQUAL(count_fds(), fds_before);
}

static void test_peer_hung_up(void)
{
	int sv[2], before;

	seqpacket_pair(sv);
	close(sv[0]);
	before = count_fds();
	expect_recv_error(sv[1], 8, 0, ECONNRESET, before);
	close(sv[1]);
}

static void test_message_without_fd(void)
{
	int sv[2], before;

	seqpacket_pair(sv);
	CU_ASSERT_EQUAL(send_raw(sv[0], "hdr", 3, NULL, 0), 0);
	before = count_fds();
	expect_recv_error(sv[1], 8, 0, ENOMSG, before);
	close(sv[0]);
	close(sv[1]);
}

/*
 * The receive looks again after a 0 from recvmsg() (the kernel's early
 * end of file, fdpass.c): an empty message from a peer that stays is
 * ENOMSG at once, not a wait for a second message.
 */
static void test_empty_message_from_open_peer(void)
{
	size_t n = 12345;
	int sv[2], fd = UNTOUCHED;
	char buf[8];

	seqpacket_pair(sv);
	CU_ASSERT_EQUAL(send_raw(sv[0], "", 0, NULL, 0), 0);
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], buf, sizeof(buf), 0,
					     LIMIT_MS, &n, &fd),
			-ENOMSG);
	CU_ASSERT_EQUAL(fd, UNTOUCHED);
	CU_ASSERT_EQUAL(n, 12345);
	close(sv[0]);
	close(sv[1]);
}

/* ...and an empty message before the peer's close is its hanging up. */
static void test_empty_message_then_close(void)
{
	int sv[2], before;

	seqpacket_pair(sv);
	CU_ASSERT_EQUAL(send_raw(sv[0], "", 0, NULL, 0), 0);
	close(sv[0]);
	before = count_fds();
	expect_recv_error(sv[1], 8, 0, ECONNRESET, before);
	close(sv[1]);
}

/* A message the peer sent just before closing is received, not EOF. */
static void test_message_then_close_arrives(void)
{
	int sv[2], memfd, fd = -1;
	char got = 0;

	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], memfd, "m", 1, LIMIT_MS),
			0);
	close(sv[0]);
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], &got, 1, 0, LIMIT_MS, NULL,
					     &fd),
			0);
	CU_ASSERT_EQUAL(got, 'm');
	CU_ASSERT(same_file(fd, memfd));
	close(fd);
	close(memfd);
	close(sv[1]);
}

/* Send @n copies of a memfd and expect @err with all of them closed. */
static void extra_fds_case(int n, int err)
{
	int sv[2], fds[64], memfd, before, i;

	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0);
	for (i = 0; i < n; i++)
		fds[i] = memfd;
	CU_ASSERT_EQUAL(send_raw(sv[0], "x", 1, fds, n), 0);
	before = count_fds();
	expect_recv_error(sv[1], 8, 0, err, before);
	close(memfd);
	close(sv[0]);
	close(sv[1]);
}

static void test_two_fds_are_too_many_and_both_closed(void)
{
	extra_fds_case(2, ETOOMANYREFS);
}

static void test_eight_fds_all_closed(void)
{
	extra_fds_case(8, ETOOMANYREFS);
}

static void test_more_fds_than_room_is_ctrunc(void)
{
	extra_fds_case(20, ENOBUFS);
}

/* No free fd slot in the receiver: the kernel drops the fd, MSG_CTRUNC. */
static void test_no_fd_slot_is_ctrunc(void)
{
	struct rlimit old, low;
	int sv[2], memfd, before, fd = UNTOUCHED, ret;
	char buf[8];

	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], memfd, "x", 1, -1), 0);
	before = count_fds();
	CU_ASSERT_FATAL(getrlimit(RLIMIT_NOFILE, &old) == 0);
	low = old;
	/* Every fd below the lowest free one is taken: a limit there is full. */
	low.rlim_cur = (rlim_t)fcntl(sv[0], F_DUPFD, 0);
	close((int)low.rlim_cur);
	CU_ASSERT_FATAL(setrlimit(RLIMIT_NOFILE, &low) == 0);
	ret = dmabuf_share_recv_fd(sv[1], buf, 8, 0, -1, NULL, &fd);
	setrlimit(RLIMIT_NOFILE, &old);
	CU_ASSERT_EQUAL(ret, -ENOBUFS);
	CU_ASSERT_EQUAL(fd, UNTOUCHED);
	CU_ASSERT_EQUAL(count_fds(), before);
	close(memfd);
	close(sv[0]);
	close(sv[1]);
}

static void test_oversized_payload_is_emsgsize(void)
{
	int sv[2], memfd, before;
	char big[64];

	memset(big, 'a', sizeof(big));
	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0);
	CU_ASSERT_EQUAL(
		dmabuf_share_send_fd(sv[0], memfd, big, sizeof(big), -1), 0);
	before = count_fds();
	expect_recv_error(sv[1], 16, 0, EMSGSIZE, before);
	close(memfd);
	close(sv[0]);
	close(sv[1]);
}

/* Pass @fd and receive it asking for a dma-buf: ENOTTY, closed again. */
static void expect_rejected(int fd)
{
	int sv[2], before;

	seqpacket_pair(sv);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], fd, "x", 1, -1), 0);
	before = count_fds();
	expect_recv_error(sv[1], 8, DMABUF_SHARE_RECV_DMABUF, ENOTTY, before);
	close(sv[0]);
	close(sv[1]);
}

static void test_memfd_rejected_when_dmabuf_required(void)
{
	int memfd = make_memfd(4096, 0);

	expect_rejected(memfd);
	close(memfd);
}

static void test_pipe_rejected_when_dmabuf_required(void)
{
	int p[2];

	CU_ASSERT_FATAL(pipe(p) == 0);
	expect_rejected(p[1]);
	close(p[0]);
	close(p[1]);
}

static void test_unknown_recv_flag_is_einval(void)
{
	int sv[2], memfd, fd = UNTOUCHED;
	char buf[8];

	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], memfd, "x", 1, -1), 0);
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], buf, 8, 1u << 7, -1, NULL,
					     &fd),
			-EINVAL);
	CU_ASSERT_EQUAL(fd, UNTOUCHED);
	/* The message was not consumed: a valid call still gets it. */
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], buf, 8, 0, -1, NULL, &fd),
			0);
	close(fd);
	close(memfd);
	close(sv[0]);
	close(sv[1]);
}

static void test_empty_payload_is_einval(void)
{
	int sv[2], memfd;

	seqpacket_pair(sv);
	memfd = make_memfd(4096, 0);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], memfd, "x", 0, -1),
			-EINVAL);
	close(memfd);
	close(sv[0]);
	close(sv[1]);
}

/* The process would die of SIGPIPE here without MSG_NOSIGNAL. */
static void test_send_to_gone_peer_is_epipe_not_sigpipe(void)
{
	int sv[2], memfd;

	seqpacket_pair(sv);
	close(sv[1]);
	memfd = make_memfd(4096, 0);
	CU_ASSERT_EQUAL(dmabuf_share_send_fd(sv[0], memfd, "x", 1, -1), -EPIPE);
	close(memfd);
	close(sv[0]);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal during a blocking receive must not fail the receive. */
static void test_recv_survives_eintr(void)
{
	struct itimerval it = { .it_value = { 0, 50000 } };
	struct sigaction sa, old;
	int sv[2], fd = -1, status;
	char buf[8];
	pid_t child;

	seqpacket_pair(sv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: recvmsg sees EINTR */
	sigaction(SIGALRM, &sa, &old);
	child = fork();
	if (child == 0) {
		usleep(300000);
		_exit(dmabuf_share_send_fd(sv[0], 1, "late", 4, -1) ? 1 : 0);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	CU_ASSERT_EQUAL(dmabuf_share_recv_fd(sv[1], buf, 8, 0, -1, NULL, &fd),
			0);
	CU_ASSERT_TRUE(fd >= 0);
	close(fd);
	waitpid(child, &status, 0);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sigaction(SIGALRM, &old, NULL);
	close(sv[0]);
	close(sv[1]);
}

CU_TestInfo fdpass_tests[] = {
	{ "memfd arrives as the same file, close-on-exec",
	  test_memfd_arrives_as_same_file },
	{ "pipe end still works after passing",
	  test_pipe_end_still_works_after_passing },
	{ "peer hung up: ECONNRESET", test_peer_hung_up },
	{ "message without fd: ENOMSG", test_message_without_fd },
	{ "empty message, peer still there: ENOMSG, no wait",
	  test_empty_message_from_open_peer },
	{ "empty message, then the peer closes: ECONNRESET",
	  test_empty_message_then_close },
	{ "message sent just before the peer closes: received",
	  test_message_then_close_arrives },
	{ "two fds: ETOOMANYREFS, both closed",
	  test_two_fds_are_too_many_and_both_closed },
	{ "eight fds: ETOOMANYREFS, all closed", test_eight_fds_all_closed },
	{ "more fds than room: ENOBUFS (MSG_CTRUNC), none leaked",
	  test_more_fds_than_room_is_ctrunc },
	{ "no free fd slot: ENOBUFS (MSG_CTRUNC)", test_no_fd_slot_is_ctrunc },
	{ "payload longer than buffer: EMSGSIZE, fd closed",
	  test_oversized_payload_is_emsgsize },
	{ "memfd rejected when a dma-buf is required",
	  test_memfd_rejected_when_dmabuf_required },
	{ "pipe rejected when a dma-buf is required",
	  test_pipe_rejected_when_dmabuf_required },
	{ "unknown receive flag: EINVAL, message kept",
	  test_unknown_recv_flag_is_einval },
	{ "empty payload: EINVAL", test_empty_payload_is_einval },
	{ "send to a gone peer: EPIPE, no SIGPIPE",
	  test_send_to_gone_peer_is_epipe_not_sigpipe },
	{ "receive retried after EINTR", test_recv_survives_eintr },
	CU_TEST_INFO_NULL,
};
