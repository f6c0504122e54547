// SPDX-License-Identifier: MIT
/*
 * The dmabuf-share CLI as a separate process ($DMABUF_SHARE): help, the
 * 0/1/2 exit statuses, and error messages that name what failed, why and
 * what to do.  Peers that are not real servers are played by this test.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <CUnit/CUnit.h>

#include "cli.h"
#include "dmabuf_share.h"
#include "helpers.h"
#include "suites.h"

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void expect_usage(const char *const argv[])
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, argv), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--help"));
}

static void test_help_for_every_command(void)
{
	static const char *const cmds[] = { "serve", "attach", "drm-import",
					    "ls", "info" };
	char want[64];
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CU_ASSERT_EQUAL(run_cli(&r, ARGV(cmds[i], "--help")), 0);
		snprintf(want, sizeof(want), "Usage: dmabuf-share %s", cmds[i]);
		CU_ASSERT_EQUAL(strncmp(r.out, want, strlen(want)), 0);
	}
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("--help")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "drm-import"));
}

static void test_pattern_syntax_is_in_help(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", "--help")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "0xAB"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "'counter'"));
}

static void test_no_command_is_usage(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV(NULL)), 2);
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("frobnicate")), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "unknown command 'frobnicate'"));
}

static void test_usage_errors(void)
{
	expect_usage(ARGV("serve", "/tmp/s"));
	expect_usage(ARGV("serve", "/tmp/s", "--size", "0"));
	expect_usage(ARGV("serve", "/tmp/s", "--size", "4Q"));
	expect_usage(ARGV("serve", "--size", "4K"));
	expect_usage(
		ARGV("serve", "/tmp/s", "--size", "4K", "--fill", "0x100"));
	expect_usage(ARGV("serve", "/tmp/s", "--size", "4K", "--read-only",
			  "--fill", "1"));
	expect_usage(ARGV("serve", "/tmp/s", "--size", "4K", "--name",
			  "a-name-that-is-longer-than-31-bytes"));
	expect_usage(ARGV("attach"));
	expect_usage(ARGV("attach", "/tmp/a", "/tmp/b"));
	expect_usage(ARGV("attach", "/tmp/a", "--hold", "-1"));
	expect_usage(ARGV("attach", "/tmp/a", "--verify", "ab"));
	expect_usage(ARGV("attach", "/tmp/a", "--hold"));
	expect_usage(ARGV("drm-import", "/tmp/a", "--bogus"));
	expect_usage(ARGV("ls", "extra"));
	expect_usage(ARGV("info", "extra"));
}

static void test_missing_exporter_says_load_module(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("info", "--device", "/nonexistent")),
			1);
	CU_ASSERT_STRING_EQUAL(
		r.err, "dmabuf-share info: cannot open "
		       "/nonexistent: No such file or directory (is the "
		       "module loaded? as root: modprobe dmabuf_exporter)\n");
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("serve", test_path("x.sock"), "--size",
					 "4K", "--device", "/nonexistent")),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "is the module loaded?"));
}

static void test_attach_without_server(void)
{
	const char *path = test_path("nobody.sock");
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", path)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot connect to"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "No such file or directory"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "is 'dmabuf-share serve' "
					     "running on that path?"));
	/* drm-import opens its device first (issue 18, item 11). */
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("drm-import", path)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, access("/dev/dri", F_OK) ?
						     "no DRM device" :
						     "cannot connect to"));
}

static void test_attach_to_stale_socket(void)
{
	const char *path = test_path("stale-cli.sock");
	int s = listen_seqpacket(path);
	struct run r;

	close(s); /* the file stays, nobody listens */
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", path)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "nobody listens on that socket: "
					     "its server is gone (start "));
	unlink(path);
}

/* Accept the CLI's connection (if it comes) and send it @hdr + @fd. */
static void answer(int listener, const void *hdr, size_t len, int fd)
{
	struct pollfd p = { .fd = listener, .events = POLLIN };
	int conn;

	if (poll(&p, 1, 10000) != 1)
		return;
	conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	CU_ASSERT_EQUAL(send_raw(conn, hdr, len, &fd, 1), 0);
	close(conn);
}

/* Run attach against a peer that sends @hdr with a 4 KiB memfd. */
static void attach_to_fake(const char *name, const void *hdr, size_t len,
			   struct run *r)
{
	const char *path = test_path(name);
	int s = listen_seqpacket(path), memfd = make_memfd(4096, 0);

	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL_FATAL(run_start(r, ARGV("attach", path)), 0);
	answer(s, hdr, len, memfd);
	run_wait(r, 30);
	close(s);
	close(memfd);
	unlink(path);
}

static void test_attach_refuses_a_memfd(void)
{
	struct dmabuf_share_header h;
	struct run r;

	dmabuf_share_header_init(&h, 4096, 0, "fake");
	attach_to_fake("memfd-cli.sock", &h, sizeof(h), &r);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot receive a buffer from"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "not a dma-buf"));
}

static void test_attach_refuses_a_foreign_peer(void)
{
	static const char junk[64] = "HTTP/1.1 200 OK\r\n";
	struct run r;

	attach_to_fake("junk-cli.sock", junk, sizeof(junk), &r);
	CU_ASSERT_EQUAL(r.status, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "not a dmabuf-share server"));
}

/* Item 1: a server that accepted and never sends (SIGSTOPed, wedged). */
static void test_attach_times_out_naming_path_and_wait(void)
{
	const char *path = test_path("silent-cli.sock");
	char want[256];
	int s = listen_seqpacket(path);
	struct run r;

	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", path, "--timeout", "1")), 1);
	snprintf(want, sizeof(want),
		 "dmabuf-share attach: cannot receive a buffer from %s: timed "
		 "out after 1 s waiting for the server to send it (",
		 path);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "--timeout SECONDS waits longer"));
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("drm-import", path, "--timeout", "1")),
			1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, access("/dev/dri", F_OK) ?
						     "no DRM device" :
						     "timed out after 1 s"));
	close(s);
	unlink(path);
}

/* Item 2: the real cause, not "Connection refused". */
static void test_attach_to_what_is_no_socket(void)
{
	static const char *const kinds[][2] = {
		{ "plain", "a regular file" },
		{ "dir", "a directory" },
		{ "/dev/null", "a character device" },
	};
	char path[128], want[512];
	struct run r;
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s",
			 kinds[i][0][0] == '/' ? kinds[i][0] :
						 test_path(kinds[i][0]));
		if (i == 0)
			close(open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
		if (i == 1)
			mkdir(path, 0700);
		CU_ASSERT_EQUAL(run_cli(&r, ARGV("attach", path)), 1);
		snprintf(want, sizeof(want),
			 "cannot connect to %s: %s is %s, not a socket (give "
			 "the SOCKET path 'dmabuf-share serve' listens on)\n",
			 path, path, kinds[i][1]);
		CU_ASSERT_PTR_NOT_NULL(strstr(r.err, want));
	}
}

/* Item 2, serve side: serve needs the exporter, so its report is run here. */
static void test_serve_names_what_is_no_socket(void)
{
	const char *dir = test_path("serve-dir");
	int err_fd = memfd_create("err", MFD_CLOEXEC), saved = dup(2);
	char out[512], want[512];
	ssize_t n;

	mkdir(dir, 0700);
	dup2(err_fd, 2);
	cli_cmd = "serve";
	CU_ASSERT_EQUAL(cli_fail_socket("listen", -ENOTSOCK, dir), 1);
	CU_ASSERT_EQUAL(cli_fail_socket("listen", -EADDRINUSE, dir), 1);
	cli_cmd = "dmabuf-share";
	dup2(saved, 2);
	close(saved);
	n = pread(err_fd, out, sizeof(out) - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(err_fd);
	snprintf(want, sizeof(want),
		 "dmabuf-share serve: cannot listen on %s: %s is a directory, "
		 "not a socket (serve replaces only a socket left by a server "
		 "that died; choose another path)\n"
		 "dmabuf-share serve: cannot listen on %s: a server is "
		 "listening on that path (stop that server or choose another "
		 "path)\n",
		 dir, dir, dir);
	CU_ASSERT_STRING_EQUAL(out, want);
}

/* Item 5: a rejected value says what is allowed. */
static void test_rejected_numbers_say_what_is_allowed(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("serve", "/tmp/s", "--size", "0")), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "bad --size '0': it must be "
					     "above 0; a size is a whole "
					     "number of bytes above 0, "
					     "decimal or 0x hex"));
	CU_ASSERT_EQUAL(
		run_cli(&r, ARGV("attach", "/tmp/a", "--verify", "0x100")), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "a PATTERN is a byte from 0 to "
					     "255"));
	CU_ASSERT_EQUAL(
		run_cli(&r, ARGV("attach", "/tmp/a", "--timeout", "1x")), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "whole seconds in decimal"));
}

static void test_version_is_one_line_for_scripts(void)
{
	char want[64];
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("--version")), 0);
	snprintf(want, sizeof(want), "dmabuf-share %s\n",
		 dmabuf_share_version_string());
	CU_ASSERT_EQUAL(strncmp(r.out, want, strlen(want)), 0);
}

/* A file the build names in $VAR, read whole; NULL when not given. */
static char *read_doc(const char *var)
{
	const char *path = getenv(var);
	static char buf[3][65536];
	static int next;
	char *b = buf[next++ % 3];
	FILE *f = path ? fopen(path, "re") : NULL;
	size_t n;

	if (!f)
		return NULL;
	n = fread(b, 1, sizeof(buf[0]) - 1, f);
	b[n] = '\0';
	fclose(f);
	return b;
}

/* An option as the man page writes it: every '-' as a backslash-dash. */
static void man_escape(const char *opt, char *out, size_t len)
{
	size_t o = 0;

	for (; *opt && o + 3 < len; opt++) {
		if (*opt == '-')
			out[o++] = '\\';
		out[o++] = *opt;
	}
	out[o] = '\0';
}

/* Whether the README's CLI table row of @cmd ("| `serve ...") has @opt. */
static int readme_row_has(const char *readme, const char *cmd, const char *opt)
{
	const char *row, *end, *found;
	char head[64];

	snprintf(head, sizeof(head), "\n| `%s ", cmd);
	row = strstr(readme, head);
	if (!row)
		return 0;
	end = strchr(row + 1, '\n');
	found = strstr(row, opt);
	return found && (!end || found < end);
}

/*
 * Item 10: every option each --help lists is in the man page and in the
 * README's CLI table; SIGHUP is in serve --help.
 */
static void test_docs_name_every_option(void)
{
	static const char *const cmds[] = { "serve", "attach", "drm-import",
					    "ls", "info" };
	char *man = read_doc("DMABUF_SHARE_MAN");
	char *readme = read_doc("DMABUF_SHARE_README");
	char opt[64], man_opt[80], *p;
	struct run r;
	size_t i, n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(man);
	CU_ASSERT_PTR_NOT_NULL_FATAL(readme);
	CU_ASSERT_EQUAL(run_cli(&r, ARGV("serve", "--help")), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "SIGHUP"));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CU_ASSERT_EQUAL(run_cli(&r, ARGV(cmds[i], "--help")), 0);
		for (p = strstr(r.out, "  --"); p; p = strstr(p + 1, "  --")) {
			n = strspn(p + 2, "-abcdefghijklmnopqrstuvwxyz");
			snprintf(opt, sizeof(opt), "%.*s", (int)n, p + 2);
			man_escape(opt, man_opt, sizeof(man_opt));
			if (!strstr(man, man_opt))
				fprintf(stderr, "man page lacks %s %s\n",
					cmds[i], opt);
			CU_ASSERT_PTR_NOT_NULL(strstr(man, man_opt));
			if (!readme_row_has(readme, cmds[i], opt))
				fprintf(stderr, "README lacks %s %s\n", cmds[i],
					opt);
			CU_ASSERT_TRUE(readme_row_has(readme, cmds[i], opt));
		}
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(man, "SIGHUP"));
	CU_ASSERT_PTR_NOT_NULL(strstr(readme, "SIGHUP"));
}

static void test_info_on_a_device_that_is_not_the_exporter(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("info", "--device", "/dev/null")), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "cannot read INFO from "
					     "/dev/null: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.err, "/dev/null is not the "
					     "dmabuf_exporter device (give "
					     "--device the exporter's node"));
}

static void test_ls_prints_a_table(void)
{
	struct run r;

	CU_ASSERT_EQUAL(run_cli(&r, ARGV("ls")), 0);
	CU_ASSERT_EQUAL(strncmp(r.out, "INODE", 5), 0);
	/* A host with a GPU has dma-bufs of its own: only the shape is fixed. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "\ntotal: "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.out, " dma-bufs, "));
}

CU_TestInfo cli_tests[] = {
	{ "--help for every command", test_help_for_every_command },
	{ "PATTERN syntax is in --help", test_pattern_syntax_is_in_help },
	{ "no or unknown command: exit 2", test_no_command_is_usage },
	{ "usage errors: exit 2 and point at --help", test_usage_errors },
	{ "missing exporter: exit 1, says load the module",
	  test_missing_exporter_says_load_module },
	{ "attach without server: exit 1, says start serve",
	  test_attach_without_server },
	{ "attach to a stale socket: says the server is gone",
	  test_attach_to_stale_socket },
	{ "attach refuses a memfd: not a dma-buf",
	  test_attach_refuses_a_memfd },
	{ "attach refuses a foreign peer", test_attach_refuses_a_foreign_peer },
	{ "ls prints a table", test_ls_prints_a_table },
	{ "attach times out, naming the path and the wait",
	  test_attach_times_out_naming_path_and_wait },
	{ "attach to a file, directory, device: says what it is",
	  test_attach_to_what_is_no_socket },
	{ "serve names a path that is no socket",
	  test_serve_names_what_is_no_socket },
	{ "rejected numbers say what is allowed",
	  test_rejected_numbers_say_what_is_allowed },
	{ "--version: one line for scripts",
	  test_version_is_one_line_for_scripts },
	{ "man page and README name every option",
	  test_docs_name_every_option },
	{ "info on a device that is not the exporter",
	  test_info_on_a_device_that_is_not_the_exporter },
	CU_TEST_INFO_NULL,
};
