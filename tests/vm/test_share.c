// SPDX-License-Identifier: GPL-2.0
/*
 * Sharing across processes: an fd passed with SCM_RIGHTS (through the
 * importer library), writes visible both ways, and a process killed while
 * it holds a mapping.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dmabuf_share.h"
#include "harness.h"

#define LEN (4 * PAGE)

/* The library's SCM_RIGHTS calls, asking for a dma-buf on receipt. */
static int send_fd(int sock, int fd)
{
	return dmabuf_share_send_fd(sock, fd, "f", 1, -1);
}

static int recv_fd(int sock)
{
	char byte;
	int fd;

	if (dmabuf_share_recv_fd(sock, &byte, 1, DMABUF_SHARE_RECV_DMABUF, -1,
				 NULL, &fd))
		return -1;
	return fd;
}

static int say(int sock, char what)
{
	return write(sock, &what, 1) == 1 ? 0 : -1;
}

static int hear(int sock, char what)
{
	char got;

	return read(sock, &got, 1) == 1 && got == what ? 0 : -1;
}

/* The receiving side: map, drop the fd, check, answer, check again. */
static int receiver(int sock)
{
	int fd = recv_fd(sock);
	char *p;

	if (fd < 0)
		return 2;
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED || check_pattern(p, LEN, 1))
		return 3;
	fill_pattern(p, LEN, 2);
	if (say(sock, 'B') || hear(sock, 'C') || check_pattern(p, LEN, 3))
		return 4;
	munmap(p, LEN);
	return 0;
}

static void scm_rights_share_writes_both_ways(void)
{
	struct usage before = usage_now();
	int sv[2], fd;
	pid_t pid;
	char *p;

	CU_ASSERT_EQUAL_FATAL(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		_exit(receiver(sv[1]));
	}
	close(sv[1]);
	/* Allocated after the fork: the child can only get it by SCM_RIGHTS. */
	fd = exp_alloc_rw(LEN);
	p = map_buf(fd, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	CU_ASSERT_NOT_EQUAL_FATAL(p, MAP_FAILED);
	fill_pattern(p, LEN, 1);
	CU_ASSERT_EQUAL(send_fd(sv[0], fd), 0);
	close(fd);
	CU_ASSERT_EQUAL(hear(sv[0], 'B'), 0);
	CU_ASSERT_EQUAL(check_pattern(p, LEN, 2), 0);
	fill_pattern(p, LEN, 3);
	CU_ASSERT_EQUAL(say(sv[0], 'C'), 0);
	CU_ASSERT_EQUAL(wait_child(pid), 0);
	munmap(p, LEN);
	close(sv[0]);
	assert_usage_is(&before, "after both sides unmapped");
}

static void killed_holder_releases_buffer(void)
{
	struct usage before = usage_now();
	int sv[2];
	pid_t pid;

	CU_ASSERT_EQUAL_FATAL(
		socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int fd = exp_alloc_rw(LEN);
		char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED,
			       fd, 0);

		close(fd);
		if (p != MAP_FAILED)
			fill_pattern(p, LEN, 9);
		say(sv[1], p == MAP_FAILED ? 'E' : 'R');
		pause();
		_exit(0);
	}
	close(sv[1]);
	CU_ASSERT_EQUAL(hear(sv[0], 'R'), 0);
	CU_ASSERT_EQUAL(exp_info().live_buffers, before.live_buffers + 1);
	kill(pid, SIGKILL);
	CU_ASSERT_EQUAL(wait_child(pid), 128 + SIGKILL);
	close(sv[0]);
	assert_usage_is(&before, "after the holder was killed");
}

static const struct vm_test tests[] = {
	VM_TEST(scm_rights_share_writes_both_ways),
	VM_TEST(killed_holder_releases_buffer),
	VM_TESTS_END,
};

const struct vm_suite suite_share = { "share", tests };
