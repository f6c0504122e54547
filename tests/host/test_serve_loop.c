// SPDX-License-Identifier: MIT
/*
 * The CLI's serve loop (issue 11, item 4) run in a child process whose fd
 * table is full, with a real client waiting: accept fails with EMFILE on
 * every wake-up.  The loop must say so once, with a hint, back off instead
 * of spinning, and stop when told; the client must give up on its own
 * timeout instead of hanging.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <CUnit/CUnit.h>

#include "cli.h"
#include "helpers.h"
#include "suites.h"

/* Leave this process no free fd number, so the next accept is EMFILE. */
static void fill_fd_table(void)
{
	struct rlimit rl;
	int lowest = dup(0);

	close(lowest);
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = (rlim_t)lowest;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static pid_t start_loop(struct dmabuf_share_server *srv, int stop_fd,
			int err_fd)
{
	unsigned int clients = 0;
	pid_t pid = fork();

	if (pid)
		return pid;
	dup2(err_fd, STDERR_FILENO);
	cli_cmd = "serve";
	fill_fd_table();
	_exit(serve_loop(srv, stop_fd, &clients));
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_out_of_fds_backs_off_and_says_it_once(void)
{
	const char *path = test_path("emfile.sock");
	struct dmabuf_share_server *srv = NULL;
	int memfd = make_memfd(4096, 0), stop[2], sock = -1, fd = -77;
	int err_fd = memfd_create("stderr", MFD_CLOEXEC), status = -1;
	struct dmabuf_share_header h;
	struct rusage ru;
	char err[4096];
	ssize_t n;
	pid_t pid;
	double cpu;

	CU_ASSERT_FATAL(pipe(stop) == 0);
	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv), 0);
	pid = start_loop(srv, stop[0], err_fd);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 1000), 0);
	/* The loop cannot accept it: the client times out, it does not hang. */
	CU_ASSERT_EQUAL(dmabuf_share_receive(sock, 0, &h, &fd, 1500),
			-ETIMEDOUT);
	CU_ASSERT_EQUAL(fd, -77);
	CU_ASSERT_EQUAL(write(stop[1], "q", 1), 1);
	CU_ASSERT_EQUAL(wait4(pid, &status, 0, &ru), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	n = pread(err_fd, err, sizeof(err) - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	/* Said once, with the cause and what to do; not a line per wake-up. */
	CU_ASSERT_EQUAL(count_lines(err), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cannot accept clients: Too many "
					   "open files"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "ulimit -n"));
	CU_ASSERT_PTR_NULL(strstr(err, "left before receiving"));
	/* Backing off: 1.5 s of EMFILE costs little CPU, not a busy loop. */
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	CU_ASSERT_TRUE(cpu < 0.3);
	if (cpu >= 0.3)
		fprintf(stderr, "serve loop used %.2f s of CPU\n", cpu);
	close(sock);
	dmabuf_share_server_destroy(srv);
	close(stop[0]);
	close(stop[1]);
	close(err_fd);
	close(memfd);
}

/* The client that leaves is named as such, and the loop goes on. */
static void test_a_client_that_left_is_reported(void)
{
	const char *path = test_path("left.sock");
	struct dmabuf_share_server *srv = NULL;
	int memfd = make_memfd(4096, 0), stop[2], sock = -1, fd = -1;
	int err_fd = memfd_create("stderr", MFD_CLOEXEC), status = -1;
	unsigned int clients = 0;
	struct dmabuf_share_header h;
	char err[4096];
	ssize_t n;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(stop) == 0);
	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv), 0);
	/* Queue one that leaves and one that stays, then run the loop. */
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 1000), 0);
	close(sock);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 0, &sock, NULL, 1000), 0);
	pid = fork();
	if (pid == 0) {
		dup2(err_fd, STDERR_FILENO);
		cli_cmd = "serve";
		_exit(serve_loop(srv, stop[0], &clients));
	}
	CU_ASSERT_EQUAL(dmabuf_share_receive(sock, 0, &h, &fd, 5000), 0);
	CU_ASSERT_EQUAL(write(stop[1], "q", 1), 1);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	n = pread(err_fd, err, sizeof(err) - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "a client left before receiving "
					   "the buffer"));
	CU_ASSERT_EQUAL(count_lines(err), 1);
	close(fd);
	close(sock);
	dmabuf_share_server_destroy(srv);
	close(stop[0]);
	close(stop[1]);
	close(err_fd);
	close(memfd);
}

CU_TestInfo serve_loop_tests[] = {
	{ "out of fds: backs off, says it once with a hint",
	  test_out_of_fds_backs_off_and_says_it_once },
	{ "a client that left is reported, the loop goes on",
	  test_a_client_that_left_is_reported },
	CU_TEST_INFO_NULL,
};
