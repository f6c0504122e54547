/* SPDX-License-Identifier: MIT */
/*
 * Test helpers shared by the host suites and the in-VM suite: fd
 * accounting, socket pairs, raw SCM_RIGHTS sends, and running the CLI as
 * a separate process with its output captured.
 */
#ifndef DMABUF_SHARE_TEST_HELPERS_H
#define DMABUF_SHARE_TEST_HELPERS_H

#include <stddef.h>
#include <sys/types.h>

/* Open fds in this process, from /proc/self/fd (the dir's own fd excluded). */
int count_fds(void);

/* A connected AF_UNIX SOCK_SEQPACKET pair; aborts the test run on failure. */
void seqpacket_pair(int sv[2]);

/* Write @text to a sysfs, procfs or cgroupfs file: 0 or -errno. */
int write_file(const char *path, const char *text);

/* A memfd of @size bytes, every byte @fill. */
int make_memfd(size_t size, unsigned char fill);

/* A SOCK_SEQPACKET listener bound at @path (replacing any file), or -1. */
int listen_seqpacket(const char *path);

/* sendmsg() @len bytes with @nfds fds in one SCM_RIGHTS header. */
int send_raw(int sock, const void *data, size_t len, const int *fds, int nfds);

/* @name inside a fresh directory under $TMPDIR (default /tmp). */
const char *test_path(const char *name);

/* A CLI run: exit status (or 128 + signal) and what it printed. */
struct run {
	pid_t pid;
	int out_fd, err_fd; /* memfds holding stdout and stderr */
	int status;
	char out[8192];
	char err[4096];
};

/* Start the CLI ($DMABUF_SHARE) with @argv (NULL-terminated, no argv[0]). */
int run_start(struct run *r, const char *const argv[]);

/*
 * Wait for a started run (killing it after @timeout_s seconds) and read
 * its output.  Returns its exit status.
 */
int run_wait(struct run *r, unsigned int timeout_s);

/* run_start() + run_wait() with a 30 s limit. */
int run_cli(struct run *r, const char *const argv[]);

/* Wait until @r has printed @text on stdout (or @timeout_s passes). */
int run_wait_output(struct run *r, const char *text, unsigned int timeout_s);

/*
 * Path of the CLI under test: $DMABUF_SHARE, else a dmabuf-share next to
 * this executable, else "dmabuf-share" from $PATH.
 */
const char *cli_path(void);

/*
 * Register @suites, call @prepare (may be NULL; e.g. to deactivate suites
 * the machine cannot run), run them verbosely and return the exit status:
 * 0 when nothing failed, 1 otherwise, 2 when CUnit could not start.
 */
struct CU_SuiteInfo;
int cunit_main(struct CU_SuiteInfo *suites, void (*prepare)(void));

#endif /* DMABUF_SHARE_TEST_HELPERS_H */
