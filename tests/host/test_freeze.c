// SPDX-License-Identifier: MIT
/*
 * The 1.0 freeze (issue 18): every rule the header states for callers
 * that make mistakes, for servers sharing a path, and for the CLI's
 * messages is held here by a test that changes one input at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <CUnit/CUnit.h>

#include "private.h"
#include "cli.h"
#include "helpers.h"
#include "suites.h"

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * Item 1: a desc placed right before an inaccessible page, with a
 * struct_size far past it (a caller that forgot DMABUF_SHARE_STRUCT_INIT).
 * Run in a child, so the old crash is a failed assertion, not a dead run.
 */
static int desc_at_guard_page(uint32_t struct_size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct dmabuf_share_inventory inv;
	struct dmabuf_share_desc *d;
	struct dmabuf_share_buffer b;
	char *area;

	area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED || mprotect(area + page, page, PROT_NONE))
		return -1000;
	memset(&inv, 0, sizeof(inv));
	memset(&b, 0, sizeof(b));
	b.desc.struct_size = sizeof(b.desc);
	b.desc.inode = 7;
	d = (struct dmabuf_share_desc *)(area + page - sizeof(*d));
	memset(d, 0xee, sizeof(*d));
	d->struct_size = struct_size;
	return dmabuf_share_buffer_desc(&b, d);
}

static int in_child(int (*fn)(uint32_t), uint32_t arg, int *status)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg) == -E2BIG ? 0 : 1);
	if (pid < 0 || waitpid(pid, status, 0) != pid)
		return -1;
	return 0;
}

static void test_struct_size_above_a_page_is_e2big(void)
{
	int status = 0;

	CU_ASSERT_EQUAL_FATAL(in_child(desc_at_guard_page, 0x2000, &status), 0);
	CU_ASSERT_TRUE(WIFEXITED(status));
	if (WIFSIGNALED(status))
		fprintf(stderr,
			"\n    desc_at_guard_page(0x2000): killed by "
			"signal %d\n",
			WTERMSIG(status));
	CU_ASSERT_EQUAL(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
	/* A page exactly is allowed: the limit is "above a page". */
	CU_ASSERT_EQUAL(dbs_struct_check(&(uint32_t){ 4096 }, 120), 0);
	CU_ASSERT_EQUAL(dbs_struct_check(&(uint32_t){ 4097 }, 120), -E2BIG);
	CU_ASSERT_EQUAL(dbs_struct_check(&(uint32_t){ UINT32_MAX }, 120),
			-E2BIG);
}

/* Item 7: UBSan reports the negation of INT_MIN. */
static void test_strerror_of_int_min(void)
{
	CU_ASSERT_STRING_EQUAL(dmabuf_share_strerror(INT_MIN), "unknown error");
	CU_ASSERT_STRING_EQUAL(dmabuf_share_strerror(INT_MAX), "unknown error");
	CU_ASSERT_STRING_EQUAL(dmabuf_share_strerror(0), "Success");
}

/* Item 4: the access mode and O_CLOEXEC are all dmabuf_share_alloc takes. */
static void test_alloc_rejects_unknown_fd_flags(void)
{
	int dev = open("/dev/null", O_RDWR | O_CLOEXEC), fd = -7;

	CU_ASSERT_FATAL(dev >= 0);
	CU_ASSERT_EQUAL(dmabuf_share_alloc(dev, 4096, O_RDWR | O_NONBLOCK, 0,
					   &fd, NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(dmabuf_share_alloc(dev, 4096, O_WRONLY, 0, &fd, NULL),
			-EINVAL);
	/* A valid call reaches the device, which is no exporter. */
	CU_ASSERT_EQUAL(dmabuf_share_alloc(dev, 4096, O_RDWR, 0, &fd, NULL),
			-ENOTTY);
	CU_ASSERT_EQUAL(fd, -7);
	close(dev);
}

/* Item 10: an empty SOCKET is a usage mistake, like a missing one. */
static void test_empty_socket_path_is_usage(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", "")), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "SOCKET is empty"));
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("drm-import", "")), 2);
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("serve", "", "--size", "4K")), 2);
}

/* Item 14: usage lines fit 80 columns; 'help' is a command. */
static void test_help_fits_80_columns(void)
{
	static const char *const cmds[] = { "serve", "attach", "drm-import",
					    "ls", "info" };
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *line;

		CU_ASSERT_EQUAL(run_cli(&r, ARGV(cmds[i], "--help")), 0);
		for (line = r.out; *line;) {
			size_t n = strcspn(line, "\n");

			if (n > 80)
				fprintf(stderr,
					"\n    %s --help: %zu columns: "
					"%.*s\n",
					cmds[i], n, (int)n, line);
			CU_ASSERT(n <= 80);
			line += n + (line[n] != '\0');
		}
	}
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("help")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "Commands:"));
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("help", "attach")), 0);
	CU_ASSERT_EQUAL(strncmp(r.out, "Usage: dmabuf-share attach", 26), 0);
}

/* Item 12: each way a --size can be wrong is named. */
static void expect_size_error(const char *size, const char *why)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("serve", "/tmp/s", "--size", size)),
			2);
	if (!strstr(r.err, why))
		fprintf(stderr, "\n    --size '%s': want '%s', got: %s", size,
			why, r.err);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, why));
}

static void test_size_errors_name_the_rule(void)
{
	expect_size_error("0", "must be above 0");
	expect_size_error("-1", "no sign");
	expect_size_error("1Q", "unknown unit 'Q'");
	expect_size_error("99999999999999999999", "too large");
	expect_size_error("17179869184G", "too large");
	expect_size_error("0x", "no digits after 0x");
	expect_size_error("1MB", "unknown unit 'MB'");
	expect_size_error("1.5M", "not a whole number");
	expect_size_error("", "empty");
}

/* Items 8 and 9: what the user reads names the real cause. */
static void test_info_on_null_and_directory(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("info", "--device", "/dev/null")), 1);
	CU_ASSERT_PTR_NULL(strstr(r.err, "not a dma-buf"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/dev/null is not the "
					     "dmabuf_exporter device"));
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("info", "--device", "/tmp")), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/tmp is a directory"));
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("serve", test_path("n.sock"), "--size",
					 "4K", "--device", "/dev/null")),
			1);
	CU_ASSERT_PTR_NULL(strstr(r.err, "not a dma-buf"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "not the dmabuf_exporter"));
}

static void test_strerror_names_short_sends(void)
{
	CU_ASSERT_PTR_NULL(strstr(dmabuf_share_strerror(-EMSGSIZE),
				  "longer than any dmabuf-share header"));
	CU_ASSERT_PTR_NULL(strstr(dmabuf_share_strerror(-ENOTTY), ", or "));
}

/* A peer answers attach with @len bytes of @data and @nfds memfds. */
static void attach_to_peer(const char *name, const char *data, size_t len,
			   int nfds, struct run *r)
{
	const char *path = test_path(name);
	int s = listen_seqpacket(path), fds[2];
	struct pollfd p = { .fd = s, .events = POLLIN };

	fds[0] = make_memfd(4096, 0);
	fds[1] = make_memfd(4096, 0);
	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL_FATAL(run_start(r, ARGV("attach", path)), 0);
	if (poll(&p, 1, 30000) == 1) {
		int conn = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		CU_ASSERT_EQUAL(send_raw(conn, data, len, fds, nfds), 0);
		close(conn);
	}
	run_wait(r, 30);
	close(s);
	close(fds[0]);
	close(fds[1]);
	unlink(path);
}

static void test_foreign_peer_is_named(void)
{
	static const char http[] = "HTTP/1.0 200 OK\r\n\r\n";
	struct dmabuf_share_header h;
	struct run r;

	attach_to_peer("http.sock", http, sizeof(http) - 1, 0, &r);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "another program is listening "
					     "on that path"));
	attach_to_peer("http2.sock", http, sizeof(http) - 1, 2, &r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "another program is listening "
					     "on that path"));
	/* A dmabuf-share header with two fds: a hint, not a bare errno. */
	dmabuf_share_header_init(&h, 4096, 0, NULL);
	attach_to_peer("twofds.sock", (const char *)&h, sizeof(h), 2, &r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "more than one file descriptor"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, " ("));
	/* A memfd: the cause once, not twice. */
	attach_to_peer("memfd.sock", (const char *)&h, sizeof(h), 1, &r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "not a dma-buf"));
	CU_ASSERT_PTR_NULL(
		strstr(strstr(r.err, "not a dma-buf") + 1, "not a dma-buf"));
}

/* Item 9: a peer that hangs up without sending gets a hint, not a bare errno. */
static void test_hang_up_has_a_hint(void)
{
	const char *path = test_path("hangup.sock");
	int s = listen_seqpacket(path);
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct run r;

	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL_FATAL(run_start(&r, ARGV("attach", path)), 0);
	if (poll(&p, 1, 30000) == 1)
		close(accept4(s, NULL, NULL, SOCK_CLOEXEC));
	CU_ASSERT_EQUAL(run_wait(&r, 30), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "the peer hung up without "
					     "sending a buffer (the server may "
					     "be out of file descriptors"));
	close(s);
	unlink(path);
}

/* Item 11: the DRM device is opened before anything is received. */
static void test_drm_import_checks_the_device_first(void)
{
	const char *path = test_path("drm-first.sock");
	int s = listen_seqpacket(path);
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct run r;

	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("drm-import", path, "--device",
					 "/nonexistent/card0")),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/nonexistent/card0"));
	/* Nobody connected: the buffer was never taken from the server. */
	CU_ASSERT_EQUAL(poll(&p, 1, 0), 0);
	close(s);
	unlink(path);
}

/* Item 15: flag arguments everywhere a call may grow, unknown bits -EINVAL. */
static void test_flags_reject_unknown_bits(void)
{
	struct dmabuf_share_server *srv = NULL;
	struct dmabuf_share_inventory *inv = NULL;
	const char *path = test_path("flags.sock");
	int memfd = make_memfd(4096, 0), null = open("/dev/null", O_RDWR);
	int sock = -7, fd = -7;

	CU_ASSERT_EQUAL(dmabuf_share_drm_export(null, 1, 1u << 31, &fd),
			-EINVAL);
	CU_ASSERT_EQUAL(dmabuf_share_drm_export(null, 1, 2, &fd), -EINVAL);
	/* Known bits reach the device, which is no DRM device here. */
	CU_ASSERT_EQUAL(dmabuf_share_drm_export(
				null, 1, DMABUF_SHARE_EXPORT_WRITABLE, &fd),
			-ENOTTY);
	CU_ASSERT_EQUAL(fd, -7);
	CU_ASSERT_EQUAL(dmabuf_share_server_create(path, 1, memfd, 0, NULL,
						   &srv),
			-EINVAL);
	CU_ASSERT_PTR_NULL(srv);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT_EQUAL(dmabuf_share_connect(path, 1, &sock, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(sock, -7);
	CU_ASSERT_EQUAL(dmabuf_share_inventory_read(1, &inv), -EINVAL);
	CU_ASSERT_PTR_NULL(inv);
	close(null);
	close(memfd);
}

/* Item 16: counts are size_t; a name that does not fit is -ERANGE. */
static void test_counts_and_names_are_consistent(void)
{
	size_t (*holders)(const struct dmabuf_share_buffer *) =
		dmabuf_share_buffer_holder_count;
	size_t (*devices)(const struct dmabuf_share_buffer *) =
		dmabuf_share_buffer_device_count;
	int (*cache)(int, struct dmabuf_share_exporter_cache_info *) =
		dmabuf_share_exporter_cache_info;
	char name[8] = "keep";
	int null = open("/dev/null", O_RDWR);

	CU_ASSERT_PTR_NOT_NULL(holders);
	CU_ASSERT_PTR_NOT_NULL(devices);
	CU_ASSERT_PTR_NOT_NULL(cache);
	/* Not a DRM device: the error, and the caller's buffer untouched. */
	CU_ASSERT_NOT_EQUAL(dmabuf_share_drm_driver(null, name, sizeof(name)),
			    0);
	CU_ASSERT_STRING_EQUAL(name, "keep");
	close(null);
}

/*
 * Item 6: the time attach has left after connecting is computed from one
 * clock reading.  With the clock 300 ms further at every reading, two
 * readings in one computation gave 1000 - 1200 = -200 ms, which the
 * library refuses with EINVAL ("Invalid argument") instead of timing out.
 */
static void test_time_left_is_never_negative(void)
{
	const char *shim = getenv("DMABUF_SHARE_CLOCKSHIM");
	const char *path = test_path("clock.sock"), *asan;
	char opts[512], saved[512] = "";
	int s = listen_seqpacket(path);
	struct run r;

	CU_ASSERT_FATAL(s >= 0);
	if (!shim) {
		fprintf(stderr, "\n    SKIP: DMABUF_SHARE_CLOCKSHIM not set\n");
		close(s);
		return;
	}
	asan = getenv("ASAN_OPTIONS");
	snprintf(opts, sizeof(opts), "%s%sverify_asan_link_order=0",
		 asan ? asan : "", asan ? ":" : "");
	if (asan)
		snprintf(saved, sizeof(saved), "%s", asan);
	setenv("LD_PRELOAD", shim, 1);
	setenv("DBS_CLOCK_STEP_MS", "300", 1);
	/* An ASan build wants its runtime first; the shim only wraps a clock. */
	setenv("ASAN_OPTIONS", opts, 1);
	CU_ASSERT_EQUAL(run_start(&r, ARGV("attach", path, "--timeout", "1")),
			0);
	unsetenv("LD_PRELOAD");
	unsetenv("DBS_CLOCK_STEP_MS");
	if (asan)
		setenv("ASAN_OPTIONS", saved, 1);
	else
		unsetenv("ASAN_OPTIONS");
	CU_ASSERT_EQUAL(run_wait(&r, 30), 1);
	CU_ASSERT_PTR_NULL(strstr(r.err, "Invalid argument"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "timed out after 1 s"));
	if (!strstr(r.err, "timed out after 1 s"))
		fprintf(stderr, "\n    attach said: %s", r.err);
	close(s);
	unlink(path);
	/* The computation itself, at its edges. */
	{
		struct timespec now, past;

		clock_gettime(CLOCK_MONOTONIC, &now);
		past = now;
		past.tv_sec -= 5;
		CU_ASSERT_EQUAL(cli_ms_left(-1, &past), -1);
		CU_ASSERT_EQUAL(cli_ms_left(1000, &past), 0);
		CU_ASSERT_EQUAL(cli_ms_left(0, &now), 0);
		CU_ASSERT(cli_ms_left(60000, &now) > 50000);
	}
}

CU_TestInfo freeze_tests[] = {
	{ "struct_size above a page: -E2BIG, nothing written",
	  test_struct_size_above_a_page_is_e2big },
	{ "strerror(INT_MIN) is defined", test_strerror_of_int_min },
	{ "alloc rejects unknown fd_flags",
	  test_alloc_rejects_unknown_fd_flags },
	{ "an empty SOCKET is a usage error", test_empty_socket_path_is_usage },
	{ "help fits 80 columns; 'help' is a command",
	  test_help_fits_80_columns },
	{ "each bad --size names the rule it broke",
	  test_size_errors_name_the_rule },
	{ "info on /dev/null and a directory names the cause",
	  test_info_on_null_and_directory },
	{ "strerror names no wrong cause", test_strerror_names_short_sends },
	{ "a foreign peer is named as one", test_foreign_peer_is_named },
	{ "a hang-up without a buffer has a hint", test_hang_up_has_a_hint },
	{ "drm-import opens the device before taking the buffer",
	  test_drm_import_checks_the_device_first },
	{ "flags reject unknown bits", test_flags_reject_unknown_bits },
	{ "counts are size_t, names are never cut",
	  test_counts_and_names_are_consistent },
	{ "attach's time left is never negative",
	  test_time_left_is_never_negative },
	CU_TEST_INFO_NULL,
};
