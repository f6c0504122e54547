// SPDX-License-Identifier: MIT
/*
 * A live server's path is never taken over (issue 18, item 3): not by a
 * server in another network namespace, whose socket sock_diag and
 * /proc/net/unix cannot see, and not by a second server racing the first
 * between its bind() and listen().  The lock file beside the socket,
 * held with flock(), is what both rely on.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <CUnit/CUnit.h>

#include "dmabuf_share.h"
#include "helpers.h"
#include "suites.h"

static uint64_t inode_at(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

/*
 * A child that serves @path from a network namespace of its own, until
 * @stop is readable.  Writes 'y' to @ready once serving, 'n' when it
 * could not enter the namespace (no CAP_SYS_ADMIN), 'f' on failure.
 */
static void serve_in_netns(const char *path, int ready, int stop)
{
	struct dmabuf_share_server *srv = NULL;
	int memfd = make_memfd(4096, 0);
	char c;

	if (unshare(CLONE_NEWNET)) {
		c = 'n';
	} else {
		c = dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv) ?
			    'f' :
			    'y';
	}
	if (write(ready, &c, 1) != 1 || c != 'y')
		_exit(1);
	if (read(stop, &c, 1) < 0)
		_exit(1);
	dmabuf_share_server_destroy(srv);
	_exit(0);
}

static void test_server_in_another_netns_keeps_its_path(void)
{
	const char *path = test_path("netns.sock");
	struct dmabuf_share_server *srv = NULL;
	int ready[2], stop[2], memfd = make_memfd(4096, 0), status = 0;
	pid_t child;
	char c = 0;

	CU_ASSERT_FATAL(pipe2(ready, O_CLOEXEC) == 0 &&
			pipe2(stop, O_CLOEXEC) == 0);
	child = fork();
	if (child == 0) {
		close(stop[1]);
		serve_in_netns(path, ready[1], stop[0]);
	}
	CU_ASSERT_EQUAL(read(ready[0], &c, 1), 1);
	if (c == 'n') {
		fprintf(stderr, "\n    SKIP: unshare(CLONE_NEWNET) refused "
				"(needs CAP_SYS_ADMIN)\n");
	} else {
		uint64_t ino = inode_at(path);

		CU_ASSERT_EQUAL(c, 'y');
		CU_ASSERT_NOT_EQUAL(ino, 0);
		CU_ASSERT_EQUAL(dmabuf_share_server_create(path, 0, memfd, 0,
							   NULL, &srv),
				-EADDRINUSE);
		/* The other namespace's socket file is still there. */
		CU_ASSERT_EQUAL(inode_at(path), ino);
		if (srv)
			dmabuf_share_server_destroy(srv);
	}
	close(stop[1]);
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	/* Once it is gone, the path is free again. */
	srv = NULL;
	CU_ASSERT_EQUAL(
		dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv), 0);
	dmabuf_share_server_destroy(srv);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	close(ready[0]);
	close(ready[1]);
	close(stop[0]);
	close(memfd);
}

/*
 * Racers start at one moment (a pipe closes), each tries to serve @path
 * and writes one byte to @result: 'w' won, 'l' lost with EADDRINUSE, 'e'
 * any other error.  A winner holds the path until @done closes, then
 * exits 0 when the socket file is still the one it bound.
 */
static void racer(const char *path, int go, int result, int done)
{
	struct dmabuf_share_server *srv = NULL;
	int memfd = make_memfd(4096, 0), ret;
	struct stat st, again;
	char c;

	if (read(go, &c, 1) < 0)
		_exit(2);
	ret = dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv);
	c = ret ? (ret == -EADDRINUSE ? 'l' : 'e') : 'w';
	if (write(result, &c, 1) != 1 || ret)
		_exit(ret == -EADDRINUSE ? 1 : 2);
	if (lstat(path, &st))
		_exit(3);
	if (read(done, &c, 1) < 0)
		_exit(2);
	if (lstat(path, &again) || again.st_ino != st.st_ino)
		_exit(4);
	dmabuf_share_server_destroy(srv);
	_exit(0);
}

#define RACERS 4
#define ROUNDS 100

/* Returns how many racers won the round. */
static int race_once(const char *path, int *bad)
{
	int go[2], res[2], done[2], i, won = 0, status;
	pid_t pids[RACERS];
	char c;

	if (pipe2(go, O_CLOEXEC) || pipe2(res, O_CLOEXEC) ||
	    pipe2(done, O_CLOEXEC))
		return -1;
	for (i = 0; i < RACERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(go[1]);
			close(done[1]);
			racer(path, go[0], res[1], done[0]);
		}
	}
	close(go[1]);
	close(res[1]);
	/* Every racer has tried once it wrote its byte; then winners go. */
	for (i = 0; i < RACERS && read(res[0], &c, 1) == 1; i++)
		won += c == 'w';
	close(done[1]);
	for (i = 0; i < RACERS; i++) {
		waitpid(pids[i], &status, 0);
		*bad += !WIFEXITED(status) || WEXITSTATUS(status) > 1;
	}
	close(go[0]);
	close(res[0]);
	close(done[0]);
	return won;
}

static void test_racing_servers_one_wins(void)
{
	const char *path = test_path("race.sock");
	int round, bad = 0, not_one = 0;

	for (round = 0; round < ROUNDS; round++)
		not_one += race_once(path, &bad) != 1;
	if (not_one || bad)
		fprintf(stderr,
			"\n    %d of %d rounds without exactly one "
			"winner, %d racers failed otherwise\n",
			not_one, ROUNDS, bad);
	CU_ASSERT_EQUAL(not_one, 0);
	CU_ASSERT_EQUAL(bad, 0);
	unlink(path);
}

/* A server killed with SIGKILL leaves both files; its lock died with it. */
static void test_killed_server_leaves_a_free_path(void)
{
	const char *path = test_path("killed.sock");
	struct dmabuf_share_server *srv = NULL;
	int memfd = make_memfd(4096, 0), ready[2], status = 0;
	char lock[256], c = 0;
	pid_t child;

	snprintf(lock, sizeof(lock), "%s.lock", path);
	CU_ASSERT_FATAL(pipe2(ready, O_CLOEXEC) == 0);
	child = fork();
	if (child == 0) {
		c = dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv) ?
			    'f' :
			    'y';
		if (write(ready[1], &c, 1) == 1)
			pause();
		_exit(1);
	}
	CU_ASSERT_EQUAL(read(ready[0], &c, 1), 1);
	CU_ASSERT_EQUAL(c, 'y');
	CU_ASSERT_EQUAL(dmabuf_share_server_create(path, 0, memfd, 0, NULL,
						   &srv),
			-EADDRINUSE);
	kill(child, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	CU_ASSERT_EQUAL(access(lock, F_OK), 0);
	srv = NULL;
	CU_ASSERT_EQUAL(
		dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv), 0);
	dmabuf_share_server_destroy(srv);
	/* A clean stop removes both. */
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT_EQUAL(access(lock, F_OK), -1);
	close(ready[0]);
	close(ready[1]);
	close(memfd);
}

/* The fd of this process open on @path, from /proc/self/fd; -1 if none. */
static int fd_open_on(const char *path)
{
	char link[64], target[512];
	int fd;

	for (fd = 0; fd < 1024; fd++) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!strcmp(target, path))
			return fd;
	}
	return -1;
}

/* Every fd the server holds (socket, lock file) is close-on-exec. */
static void test_server_fds_are_close_on_exec(void)
{
	const char *path = test_path("cloexec.sock");
	struct dmabuf_share_server *srv = NULL;
	int memfd = make_memfd(4096, 0), lock_fd;
	char lock[256];

	snprintf(lock, sizeof(lock), "%s.lock", path);
	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_server_create(path, 0, memfd, 0, NULL, &srv), 0);
	lock_fd = fd_open_on(lock);
	CU_ASSERT(lock_fd >= 0);
	CU_ASSERT(fcntl(lock_fd, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT(fcntl(dmabuf_share_server_fd(srv), F_GETFD) & FD_CLOEXEC);
	dmabuf_share_server_destroy(srv);
	CU_ASSERT_EQUAL(fd_open_on(lock), -1);
	close(memfd);
}

CU_TestInfo lock_tests[] = {
	{ "the server's socket and lock file are close-on-exec",
	  test_server_fds_are_close_on_exec },
	{ "a killed server's lock dies with it; destroy removes the lock",
	  test_killed_server_leaves_a_free_path },
	{ "a server in another netns keeps its path",
	  test_server_in_another_netns_keeps_its_path },
	{ "racing servers: exactly one wins, nobody loses its path",
	  test_racing_servers_one_wins },
	CU_TEST_INFO_NULL,
};
