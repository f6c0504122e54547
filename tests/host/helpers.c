// SPDX-License-Identifier: MIT
/* Helpers for the CUnit suites; see helpers.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <CUnit/Basic.h>

#include "helpers.h"

int count_fds(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory stream's own fd */
}

void seqpacket_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		perror("socketpair");
		exit(2);
	}
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int make_memfd(size_t size, unsigned char fill)
{
	int fd = memfd_create("dmabuf-share-test", MFD_CLOEXEC);
	unsigned char *buf;

	if (fd < 0 || ftruncate(fd, (off_t)size))
		return -1;
	buf = malloc(size ? size : 1);
	memset(buf, fill, size);
	if (size && write(fd, buf, size) != (ssize_t)size)
		fd = -1;
	free(buf);
	return fd;
}

int listen_seqpacket(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4))
		return -1;
	return s;
}

int send_raw(int sock, const void *data, size_t len, const int *fds, int nfds)
{
	char ctl[CMSG_SPACE(sizeof(int) * 64)];
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg;

	memset(&msg, 0, sizeof(msg));
	memset(ctl, 0, sizeof(ctl));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *c;

		msg.msg_control = ctl;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

const char *test_path(const char *name)
{
	static char dir[64];
	static char path[128];

	const char *tmp = getenv("TMPDIR");

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/dmabuf-share-test.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			exit(2);
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

const char *cli_path(void)
{
	static char beside[4096];
	const char *p = getenv("DMABUF_SHARE");
	ssize_t n;
	char *slash;

	if (p && *p)
		return p;
	/* In the VM payload the CLI sits next to the test binary. */
	n = readlink("/proc/self/exe", beside, sizeof(beside) - 32);
	slash = n > 0 ? memrchr(beside, '/', (size_t)n) : NULL;
	if (slash) {
		strcpy(slash + 1, "dmabuf-share");
		if (access(beside, X_OK) == 0)
			return beside;
	}
	return "dmabuf-share";
}

static void child_exec(const struct run *r, const char *const argv[])
{
	const char *args[32];
	int i;

	args[0] = cli_path();
	for (i = 0; i < 30 && argv[i]; i++)
		args[i + 1] = argv[i];
	args[i + 1] = NULL;
	dup2(r->out_fd, STDOUT_FILENO);
	dup2(r->err_fd, STDERR_FILENO);
	execvp(args[0], (char *const *)args);
	dprintf(STDERR_FILENO, "exec %s: %s\n", args[0], strerror(errno));
	_exit(127);
}

int run_start(struct run *r, const char *const argv[])
{
	memset(r, 0, sizeof(*r));
	r->out_fd = memfd_create("stdout", MFD_CLOEXEC);
	r->err_fd = memfd_create("stderr", MFD_CLOEXEC);
	if (r->out_fd < 0 || r->err_fd < 0)
		return -errno;
	r->pid = fork();
	if (r->pid < 0)
		return -errno;
	if (r->pid == 0)
		child_exec(r, argv);
	return 0;
}

/* Read what a run printed so far; NUL-terminated. */
static void read_output(struct run *r)
{
	ssize_t n;

	n = pread(r->out_fd, r->out, sizeof(r->out) - 1, 0);
	r->out[n > 0 ? n : 0] = '\0';
	n = pread(r->err_fd, r->err, sizeof(r->err) - 1, 0);
	r->err[n > 0 ? n : 0] = '\0';
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int run_wait(struct run *r, unsigned int timeout_s)
{
	long waited = 0;
	int status = 0;
	pid_t p;

	while ((p = waitpid(r->pid, &status, WNOHANG)) == 0) {
		if (waited >= (long)timeout_s * 1000) {
			kill(r->pid, SIGKILL);
			fprintf(stderr, "run_wait: pid %d timed out\n", r->pid);
		}
		sleep_ms(10);
		waited += 10;
	}
	read_output(r);
	close(r->out_fd);
	close(r->err_fd);
	if (p < 0)
		return r->status = -1;
	if (WIFSIGNALED(status))
		return r->status = 128 + WTERMSIG(status);
	return r->status = WEXITSTATUS(status);
}

int run_cli(struct run *r, const char *const argv[])
{
	int ret = run_start(r, argv);

	return ret ? ret : run_wait(r, 30);
}

int run_wait_output(struct run *r, const char *text, unsigned int timeout_s)
{
	long waited;

	for (waited = 0; waited <= (long)timeout_s * 1000; waited += 10) {
		read_output(r);
		if (strstr(r->out, text))
			return 1;
		sleep_ms(10);
	}
	return 0;
}

int cunit_main(CU_SuiteInfo *suites, void (*prepare)(void))
{
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "%s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	if (prepare)
		prepare();
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() +
		 CU_get_number_of_suites_failed() +
		 CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
