// SPDX-License-Identifier: MIT
/*
 * In-VM end-to-end tests of the dmabuf-share CLI with the real exporter
 * module (and vgem for DRM import).  Every server and client is the CLI
 * exec'd as its own process; this program only orchestrates and checks,
 * through the library (INFO, inventory, its own attach) and the CLI's
 * output.
 *
 * Usage: importer-tests   (built as importer/build/static/importer-tests)
 * The CLI is $DMABUF_SHARE, else the dmabuf-share next to this binary.
 * Needs: root, /dev/dmabuf_exporter; vgem (/dev/dri) for the DRM tests,
 * which are marked inactive, with the reason printed, when it is missing.
 * Exit status: 0 all passed, 1 a test failed, 2 could not start.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>

#include "dmabuf_share.h"
#include "helpers.h"

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NR_CLIENTS 32

/*
 * Every wait on another process has this one limit, as long as the test's
 * own: the CLI's --timeout, a hold, waiting for a line of output.  A wait
 * that is satisfied returns at once, so a long limit costs a passing run
 * nothing; a short one fails a loaded TCG guest (issue 20: "the buffer is
 * read-only" missing was the CLI's default 10 s receive timeout running
 * out, on a guest that shared two host cores with other VMs).
 */
#define LIMIT_S 120
#define LIMIT "120"
#define LIMIT_MS (LIMIT_S * 1000)
/* A process gets a little longer than its own --timeout to report it. */
#define RUN_LIMIT_S (LIMIT_S + 30)
/* Holds are ended by SIGUSR1 once the test has checked, never by a clock. */
#define HOLD "600"

/* argv as one line, for failure reports. */
static const char *argv_text(const char *const argv[])
{
	static char line[512];
	size_t len = 0;
	int i;

	line[0] = '\0';
	for (i = 0; argv[i] && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %s",
					argv[i]);
	return line;
}

/*
 * Run the CLI to completion; when its exit status is not @want, print the
 * command, the status and everything it said, so a failure names its cause.
 */
static int cli_expect(struct run *r, int want, const char *const argv[],
		      int line)
{
	int rc = run_start(r, argv);

	if (!rc)
		rc = run_wait(r, RUN_LIMIT_S);
	if (rc == want)
		return 1;
	printf("\n  line %d: dmabuf-share%s exited %d, wanted %d\n"
	       "  stdout: %s\n  stderr: %s\n",
	       line, argv_text(argv), rc, want, r->out, r->err);
	return 0;
}

#define CLI_EXPECT(r, want, ...) \
	CU_ASSERT_TRUE(cli_expect(r, want, ARGV(__VA_ARGS__), __LINE__))

/* @text is in @r's stdout (@err 0) or stderr (@err 1); else show both. */
static int said(const struct run *r, int err, const char *text, int line)
{
	if (strstr(err ? r->err : r->out, text))
		return 1;
	printf("\n  line %d: '%s' not on %s\n  stdout: %s\n  stderr: %s\n",
	       line, text, err ? "stderr" : "stdout", r->out, r->err);
	return 0;
}

#define OUT_HAS(r, text) CU_ASSERT_TRUE(said(r, 0, text, __LINE__))
#define ERR_HAS(r, text) CU_ASSERT_TRUE(said(r, 1, text, __LINE__))

/* Wait for @text on @r's stdout; on failure show what it did say. */
static int saw(struct run *r, const char *text, int line)
{
	if (run_wait_output(r, text, LIMIT_S))
		return 1;
	printf("\n  line %d: no '%s' within %d s\n  stdout: %s\n"
	       "  stderr: %s\n",
	       line, text, LIMIT_S, r->out, r->err);
	return 0;
}

#define SEES(r, text) CU_ASSERT_TRUE(saw(r, text, __LINE__))

/* End a --hold now that the test has checked what it held. */
static int end_hold(struct run *r)
{
	kill(r->pid, SIGUSR1);
	return run_wait(r, RUN_LIMIT_S);
}

/* State at start, which the last test compares against. */
static struct dmabuf_share_exporter_info baseline;
static int baseline_fds;

static struct dmabuf_share_exporter_cache_info cache_info(void)
{
	struct dmabuf_share_exporter_cache_info info;
	int fd = -1;

	DMABUF_SHARE_STRUCT_INIT(&info);
	if (dmabuf_share_exporter_open(NULL, &fd) == 0) {
		CU_ASSERT_EQUAL(dmabuf_share_exporter_cache_info(fd, &info), 0);
		close(fd);
	}
	return info;
}

static struct dmabuf_share_exporter_info exporter_info(void)
{
	struct dmabuf_share_exporter_info info;
	int fd = -1;

	memset(&info, 0xff, sizeof(info));
	info.struct_size = sizeof(info);
	if (dmabuf_share_exporter_open(NULL, &fd) == 0) {
		CU_ASSERT_EQUAL(dmabuf_share_exporter_info(fd, &info), 0);
		close(fd);
	}
	return info;
}

/* Wait until a started `serve` listens; the test ends if it never does. */
static void wait_serving(struct run *r)
{
	if (!run_wait_output(r, "serving dma-buf", LIMIT_S)) {
		run_wait(r, 1);
		fprintf(stderr, "serve did not start: %s\n", r->err);
		CU_FAIL_FATAL("serve did not start");
	}
}

/* Start `serve` and wait until it listens; argv[0] is "serve". */
static void start_server(struct run *r, const char *const argv[])
{
	CU_ASSERT_EQUAL_FATAL(run_start(r, argv), 0);
	wait_serving(r);
}

/*
 * Stop a server; what it warned about (a client it could not serve) is
 * shown, since a client's failure is often explained only there.
 */
static int stop_server(struct run *r)
{
	int rc;

	kill(r->pid, SIGTERM);
	rc = run_wait(r, RUN_LIMIT_S);
	if (r->err[0])
		printf("\n  server stderr: %s\n", r->err);
	return rc;
}

static void test_fill_write_verify_across_processes(void)
{
	const char *sock = test_path("basic.sock");
	struct run srv, r;

	start_server(&srv, ARGV("serve", sock, "--size", "64K", "--name",
				"vm-basic", "--fill", "counter"));
	CLI_EXPECT(&r, 0, "attach", sock, "--verify", "counter", "--timeout",
		   LIMIT);
	OUT_HAS(&r, "name 'vm-basic'");
	CLI_EXPECT(&r, 0, "attach", sock, "--write", "0x5A", "--timeout",
		   LIMIT);
	CLI_EXPECT(&r, 0, "attach", sock, "--verify", "0x5a", "--timeout",
		   LIMIT);
	/* A check that cannot fail proves nothing: the old contents are gone. */
	CLI_EXPECT(&r, 1, "attach", sock, "--verify", "counter", "--timeout",
		   LIMIT);
	ERR_HAS(&r, "does not hold counter");
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
	OUT_HAS(&srv, "stopping after 4 clients");
}

/* Holders of @inode that have it mapped, from the system inventory. */
static size_t mappers_of(uint64_t inode)
{
	struct dmabuf_share_inventory *inv = NULL;
	const struct dmabuf_share_buffer *b;
	struct dmabuf_share_desc d;
	size_t i, j, n = 0;
	pid_t pid;
	int fd;

	CU_ASSERT_EQUAL_FATAL(dmabuf_share_inventory_read(0, &inv), 0);
	for (i = 0; (b = dmabuf_share_inventory_buffer(inv, i)) != NULL; i++) {
		DMABUF_SHARE_STRUCT_INIT(&d);
		CU_ASSERT_EQUAL(dmabuf_share_buffer_desc(b, &d), 0);
		for (j = 0; d.inode == inode &&
			    !dmabuf_share_buffer_holder(b, j, &pid, &fd);
		     j++)
			n += fd < 0;
	}
	dmabuf_share_inventory_free(inv);
	return n;
}

/* The inode the server announced: "serving dma-buf inode N, ...". */
static uint64_t served_inode(const struct run *srv)
{
	const char *p = strstr(srv->out, "serving dma-buf inode ");

	return p ? strtoull(p + 22, NULL, 10) : 0;
}

static void test_32_clients_attached_at_once(void)
{
	static struct run clients[NR_CLIENTS];
	const char *sock = test_path("many.sock");
	struct run srv;
	int i;

	start_server(&srv,
		     ARGV("serve", sock, "--size", "1M", "--fill", "0xAB"));
	for (i = 0; i < NR_CLIENTS; i++)
		CU_ASSERT_EQUAL(run_start(&clients[i],
					  ARGV("attach", sock, "--verify",
					       "0xAB", "--hold", HOLD,
					       "--timeout", LIMIT)),
				0);
	/*
	 * The server hands out the fd one client at a time; each client
	 * holds its mapping until told to stop, so all 32 are mapped at
	 * once however slowly the guest starts them.
	 */
	for (i = 0; i < NR_CLIENTS; i++)
		SEES(&clients[i], "holding");
	CU_ASSERT_EQUAL(mappers_of(served_inode(&srv)), NR_CLIENTS);
	CU_ASSERT_EQUAL(exporter_info().live_buffers,
			baseline.live_buffers + 1);
	for (i = 0; i < NR_CLIENTS; i++) {
		CU_ASSERT_EQUAL(end_hold(&clients[i]), 0);
		OUT_HAS(&clients[i], "after hold: verified");
	}
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
	OUT_HAS(&srv, "(32 so far)");
}

static void test_server_exit_leaves_client_mappings(void)
{
	const char *sock = test_path("exit.sock");
	struct run srv, clients[3];
	int i;

	start_server(&srv,
		     ARGV("serve", sock, "--size", "256K", "--fill", "0x3C"));
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(run_start(&clients[i],
					  ARGV("attach", sock, "--verify",
					       "0x3C", "--hold", HOLD,
					       "--timeout", LIMIT)),
				0);
		SEES(&clients[i], "holding");
	}
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
	CU_ASSERT_EQUAL(access(sock, F_OK), -1);
	/* The clients' mappings keep the buffer alive without its owner. */
	CU_ASSERT_EQUAL(exporter_info().live_buffers,
			baseline.live_buffers + 1);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(end_hold(&clients[i]), 0);
		OUT_HAS(&clients[i], "after hold: verified");
	}
	CU_ASSERT_EQUAL(exporter_info().live_buffers, baseline.live_buffers);
}

static void test_client_killed_mid_use(void)
{
	const char *sock = test_path("kill.sock");
	struct run srv, victim, r;

	start_server(&srv, ARGV("serve", sock, "--size", "128K", "--fill",
				"counter"));
	CU_ASSERT_EQUAL(run_start(&victim,
				  ARGV("attach", sock, "--write", "0x77",
				       "--hold", HOLD, "--timeout", LIMIT)),
			0);
	SEES(&victim, "holding");
	kill(victim.pid, SIGKILL);
	CU_ASSERT_EQUAL(run_wait(&victim, RUN_LIMIT_S), 128 + SIGKILL);
	/* The server and the buffer carry on; the victim's write stays. */
	CLI_EXPECT(&r, 0, "attach", sock, "--verify", "0x77", "--timeout",
		   LIMIT);
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
	CU_ASSERT_EQUAL(exporter_info().live_buffers, baseline.live_buffers);
}

/* Fields of the `ls` line for @inode; the line's NAME is the rest. */
struct ls_line {
	char size[32], exporter[64], fds[1024], maps[512], devices[256];
	char cgroup[256];
	const char *name;
};

static int find_ls_line(const char *out, uint64_t inode, struct ls_line *l)
{
	char key[32];
	const char *p;
	int pos = 0;

	snprintf(key, sizeof(key), "\n%" PRIu64 " ", inode);
	p = strstr(out, key);
	if (!p || sscanf(p + 1, "%*s %31s %63s %1023s %511s %255s %255s %n",
			 l->size, l->exporter, l->fds, l->maps, l->devices,
			 l->cgroup, &pos) != 6)
		return 0;
	l->name = p + 1 + pos;
	return 1;
}

/* @list ("a,b,c") contains the element @item. */
static int has_item(const char *list, const char *item)
{
	size_t n = strlen(item);
	const char *p = list;

	while ((p = strstr(p, item)) != NULL) {
		if ((p == list || p[-1] == ',') && (!p[n] || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

static void check_ls_line(const struct ls_line *l,
			  const struct dmabuf_share_desc *d, pid_t server,
			  int fd)
{
	char item[64];

	CU_ASSERT_EQUAL(strtoull(l->size, NULL, 10), d->size);
	CU_ASSERT_STRING_EQUAL(l->exporter, d->exp_name);
	CU_ASSERT_EQUAL(strncmp(l->name, "vm-ls\n", 6), 0);
	snprintf(item, sizeof(item), "%d/%d", (int)getpid(), fd);
	CU_ASSERT_TRUE(has_item(l->fds, item));
	snprintf(item, sizeof(item), "%d", (int)getpid());
	CU_ASSERT_TRUE(has_item(l->maps, item));
	/* The server holds it by fd but does not keep a mapping. */
	snprintf(item, sizeof(item), "%d/", (int)server);
	CU_ASSERT_PTR_NOT_NULL(strstr(l->fds, item));
	snprintf(item, sizeof(item), "%d", (int)server);
	CU_ASSERT_FALSE(has_item(l->maps, item));
}

/* Receive the buffer served on @sock in this process, and describe it. */
static int attach_here(const char *sock, struct dmabuf_share_desc *d)
{
	struct dmabuf_share_header h;
	int fd = -1;

	CU_ASSERT_EQUAL_FATAL(dmabuf_share_attach(sock,
						  DMABUF_SHARE_RECV_DMABUF, &h,
						  &fd, NULL, LIMIT_MS),
			      0);
	DMABUF_SHARE_STRUCT_INIT(d);
	CU_ASSERT_EQUAL(dmabuf_share_describe(fd, d), 0);
	CU_ASSERT_EQUAL(d->size, h.size);
	return fd;
}

static void test_ls_matches_existing_buffers(void)
{
	const char *sock = test_path("ls.sock");
	struct dmabuf_share_desc d;
	struct run srv, r;
	struct ls_line line;
	size_t size = 0;
	void *map = NULL;
	int fd;

	start_server(&srv,
		     ARGV("serve", sock, "--size", "128K", "--name", "vm-ls"));
	fd = attach_here(sock, &d);
	CU_ASSERT_EQUAL(d.size, 128 * 1024);
	CU_ASSERT_EQUAL(dmabuf_share_map(fd, PROT_READ, 0, &map, &size), 0);
	CLI_EXPECT(&r, 0, "ls");
	CU_ASSERT_TRUE(find_ls_line(r.out, d.inode, &line));
	if (find_ls_line(r.out, d.inode, &line))
		check_ls_line(&line, &d, srv.pid, fd);
	dmabuf_share_unmap(map, size);
	close(fd);
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
	/* Once every holder is gone the buffer is gone from the listing. */
	CLI_EXPECT(&r, 0, "ls");
	CU_ASSERT_FALSE(find_ls_line(r.out, d.inode, &line));
}

#define LS_CG "/sys/fs/cgroup/importer-ls"

/* Start a server from inside cgroup LS_CG, so its buffer is charged there. */
static void start_server_in_cgroup(struct run *srv, const char *const argv[])
{
	char pid[32];
	int rc;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CU_ASSERT_EQUAL_FATAL(write_file(LS_CG "/cgroup.procs", pid), 0);
	rc = run_start(srv, argv);
	/* Back to the root before anything can fail. */
	CU_ASSERT_EQUAL(write_file("/sys/fs/cgroup/cgroup.procs", pid), 0);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	wait_serving(srv);
}

/* The JSON object of buffer @inode in @out holds @want. */
static int json_buffer_has(const char *out, uint64_t inode, const char *want)
{
	char key[48];
	const char *p, *next, *hit;

	snprintf(key, sizeof(key), "{\"inode\":%" PRIu64 ",", inode);
	p = strstr(out, key);
	if (!p)
		return 0;
	next = strstr(p + 1, "{\"inode\":");
	hit = strstr(p, want);
	return hit && (!next || hit < next);
}

/*
 * A buffer allocated by a server in cgroup X is listed with X, by `ls` and
 * `ls --json`, as BUF_INFO names it: X's path when the memory is charged
 * (the page allocator), "none" when charged to nobody (a CMA area).  ls
 * reaches the buffer through the server's and this process's fds.
 */
static void test_ls_shows_the_charged_cgroup(void)
{
	const char *sock = test_path("lscg.sock");
	struct dmabuf_share_desc d;
	struct run srv, r;
	struct ls_line line;
	struct stat st;
	uint64_t id = 0;
	int charged = -1, dev = -1, fd;
	char want[256];

	/* Enabled by the memcg suite too; harmless when it already is. */
	write_file("/sys/fs/cgroup/cgroup.subtree_control", "+memory");
	rmdir(LS_CG);
	CU_ASSERT_EQUAL_FATAL(mkdir(LS_CG, 0755), 0);
	CU_ASSERT_EQUAL_FATAL(stat(LS_CG, &st), 0);
	start_server_in_cgroup(&srv, ARGV("serve", sock, "--size", "128K",
					  "--name", "vm-ls-cgroup"));
	fd = attach_here(sock, &d);
	CU_ASSERT_EQUAL_FATAL(dmabuf_share_exporter_open(NULL, &dev), 0);
	CU_ASSERT_EQUAL(dmabuf_share_buffer_cgroup(dev, fd, &id, &charged), 0);
	close(dev);
	/* Charged or not, the id names the allocating cgroup here. */
	CU_ASSERT_EQUAL(id, (uint64_t)st.st_ino);
	CLI_EXPECT(&r, 0, "ls");
	CU_ASSERT_TRUE(find_ls_line(r.out, d.inode, &line));
	if (find_ls_line(r.out, d.inode, &line))
		CU_ASSERT_STRING_EQUAL(line.cgroup,
				       charged ? "/importer-ls" : "none");
	CU_ASSERT_PTR_NULL(strstr(r.err, "memory cgroup unknown"));
	CLI_EXPECT(&r, 0, "ls", "--json");
	snprintf(want, sizeof(want),
		 "\"memory_cgroup\":{\"path\":\"/importer-ls\",\"id\":%" PRIu64
		 ",\"charged\":%s,\"unknown\":null}",
		 (uint64_t)st.st_ino, charged ? "true" : "false");
	CU_ASSERT_TRUE(json_buffer_has(r.out, d.inode, want));
	printf("\n    buffer %" PRIu64 " %s to cgroup %" PRIu64 " (%s)\n",
	       d.inode, charged ? "charged" : "not charged (CMA)", id,
	       line.cgroup);
	close(fd);
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
	rmdir(LS_CG);
}

/* Library-level PRIME round trip on an fd received from a CLI server. */
static void round_trip(int buf_fd, const struct dmabuf_share_desc *d)
{
	uint32_t handle = 0, again = 0;
	struct dmabuf_share_desc back;
	int drm_fd = -1, fd2 = -1;
	char driver[32] = "";

	DMABUF_SHARE_STRUCT_INIT(&back);
	CU_ASSERT_EQUAL_FATAL(dmabuf_share_drm_open(NULL, &drm_fd), 0);
	CU_ASSERT_EQUAL(dmabuf_share_drm_driver(drm_fd, driver, sizeof(driver)),
			0);
	CU_ASSERT_STRING_EQUAL(driver, "vgem");
	/* A name that does not fit is an error, never cut short (issue 18). */
	memset(driver, 'x', sizeof(driver));
	CU_ASSERT_EQUAL(dmabuf_share_drm_driver(drm_fd, driver, 4), -ERANGE);
	CU_ASSERT_EQUAL(driver[0], 'x');
	CU_ASSERT_EQUAL(dmabuf_share_drm_import(drm_fd, buf_fd, &handle), 0);
	CU_ASSERT_EQUAL(dmabuf_share_drm_import(drm_fd, buf_fd, &again), 0);
	CU_ASSERT_EQUAL(again, handle);
	CU_ASSERT_EQUAL(dmabuf_share_drm_export(drm_fd, handle,
						DMABUF_SHARE_EXPORT_WRITABLE,
						&fd2),
			0);
	CU_ASSERT_EQUAL(dmabuf_share_describe(fd2, &back), 0);
	CU_ASSERT_EQUAL(back.inode, d->inode);
	CU_ASSERT_STRING_EQUAL(back.exp_name, d->exp_name);
	CU_ASSERT_EQUAL(dmabuf_share_drm_close_handle(drm_fd, handle), 0);
	/* One import, one handle: it is gone after one close. */
	CU_ASSERT_NOT_EQUAL(dmabuf_share_drm_close_handle(drm_fd, handle), 0);
	close(fd2);
	close(drm_fd);
}

/* vgem cannot mmap an import: check the contents through our own map. */
static void check_counter(int fd)
{
	uint32_t *w = NULL;
	size_t size = 0, i, bad = 0;

	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_map(fd, PROT_READ, 0, (void **)&w, &size), 0);
	CU_ASSERT_EQUAL(
		dmabuf_share_sync_start(fd, DMABUF_SHARE_READ, LIMIT_MS), 0);
	for (i = 0; i < size / 4; i++)
		bad += w[i] != (uint32_t)i;
	CU_ASSERT_EQUAL(dmabuf_share_sync_end(fd, DMABUF_SHARE_READ), 0);
	CU_ASSERT_EQUAL(bad, 0);
	dmabuf_share_unmap(w, size);
}

static void test_drm_import_round_trip_library(void)
{
	const char *sock = test_path("drm-lib.sock");
	struct dmabuf_share_desc d;
	struct run srv;
	int fd;

	start_server(&srv, ARGV("serve", sock, "--size", "256K", "--fill",
				"counter"));
	fd = attach_here(sock, &d);
	round_trip(fd, &d);
	check_counter(fd);
	close(fd);
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
}

static void test_drm_import_cli_shows_attachment(void)
{
	const char *sock = test_path("drm-cli.sock");
	struct run srv, imp, r;
	struct ls_line line;

	start_server(&srv,
		     ARGV("serve", sock, "--size", "64K", "--name", "vm-drm"));
	CU_ASSERT_EQUAL(run_start(&imp, ARGV("drm-import", sock, "--hold", HOLD,
					     "--timeout", LIMIT)),
			0);
	SEES(&imp, "holding the import");
	/* While imported, vgem is attached to the buffer (debugfs bufinfo). */
	CLI_EXPECT(&r, 0, "ls");
	CU_ASSERT_TRUE(find_ls_line(r.out, served_inode(&srv), &line));
	if (find_ls_line(r.out, served_inode(&srv), &line))
		CU_ASSERT_PTR_NOT_NULL(strstr(line.devices, "vgem"));
	CU_ASSERT_EQUAL(end_hold(&imp), 0);
	OUT_HAS(&imp, "(same handle)");
	OUT_HAS(&imp, "(same buffer)");
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
}

static void test_errors_name_the_cause(void)
{
	const char *sock = test_path("err.sock");
	char too_big[32];
	struct run srv, r;

	snprintf(too_big, sizeof(too_big), "%" PRIu64,
		 baseline.max_buffer_size + baseline.page_size);
	CLI_EXPECT(&r, 1, "serve", sock, "--size", too_big);
	ERR_HAS(&r, "max_buffer_size");
	start_server(&srv, ARGV("serve", sock, "--size", "4K", "--read-only"));
	CLI_EXPECT(&r, 1, "attach", sock, "--write", "1", "--timeout", LIMIT);
	ERR_HAS(&r, "the buffer is read-only");
	CLI_EXPECT(&r, 0, "attach", sock, "--verify", "0", "--timeout", LIMIT);
	CLI_EXPECT(&r, 1, "serve", sock, "--size", "4K");
	ERR_HAS(&r, "a server is listening on that path");
	CLI_EXPECT(&r, 1, "serve", "/tmp", "--size", "4K");
	ERR_HAS(&r, "/tmp is a directory, not a socket");
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
	/* The refused second serve never reached the live one as a client. */
	OUT_HAS(&srv, "stopping after 2 clients");
}

/* Issue 11, item 1: a stopped server makes clients time out, not hang. */
static void test_stopped_server_times_clients_out(void)
{
	const char *sock = test_path("stopped.sock");
	struct run srv, r;

	start_server(&srv, ARGV("serve", sock, "--size", "4K"));
	kill(srv.pid, SIGSTOP);
	/* Here the short timeout is what is tested: the server never sends. */
	CLI_EXPECT(&r, 1, "attach", sock, "--timeout", "2");
	ERR_HAS(&r, "timed out after 2 s waiting for the server to send it");
	ERR_HAS(&r, sock);
	kill(srv.pid, SIGCONT);
	CU_ASSERT_EQUAL(stop_server(&srv), 0);
}

static void test_nothing_leaked(void)
{
	struct dmabuf_share_exporter_info now = exporter_info();
	char want[64];
	struct run r;

	CU_ASSERT_EQUAL(now.live_buffers, baseline.live_buffers);
	CU_ASSERT_EQUAL(now.total_allocated, baseline.total_allocated);
	CU_ASSERT_EQUAL(count_fds(), baseline_fds);
	/* The CLI's view agrees with the library's. */
	snprintf(want, sizeof(want), "live_buffers: %u\n",
		 baseline.live_buffers);
	CLI_EXPECT(&r, 0, "info");
	OUT_HAS(&r, want);
	/* The cache statistics too (nothing allocates in between). */
	snprintf(want, sizeof(want), "cache_misses: %llu\n",
		 (unsigned long long)cache_info().misses);
	OUT_HAS(&r, want);
}

/* A real dma-buf of 2 MiB and more maps 2 MiB-aligned (issue 13, item 4). */
static void test_library_maps_4mib_aligned(void)
{
	int dev = -1, fd = -1;
	uint32_t *w = NULL;
	size_t size = 0;

	CU_ASSERT_EQUAL_FATAL(dmabuf_share_exporter_open(NULL, &dev), 0);
	CU_ASSERT_EQUAL_FATAL(
		dmabuf_share_alloc(dev, 4 << 20, O_RDWR, 0, &fd, NULL), 0);
	close(dev);
	/* Close-on-exec even when not asked for: the library's rule. */
	CU_ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CU_ASSERT_EQUAL_FATAL(dmabuf_share_map(fd, PROT_READ | PROT_WRITE, 0,
					       (void **)&w, &size),
			      0);
	CU_ASSERT_EQUAL((uintptr_t)w % DMABUF_SHARE_MAP_ALIGN, 0);
	w[0] = 1;
	w[size / 4 - 1] = 2;
	CU_ASSERT_EQUAL(w[0] + w[size / 4 - 1], 3);
	CU_ASSERT_EQUAL(dmabuf_share_unmap(w, size), 0);
	close(fd);
}

static CU_TestInfo cli_tests[] = {
	{ "fill, write and verify across processes",
	  test_fill_write_verify_across_processes },
	{ "32 clients attached at once", test_32_clients_attached_at_once },
	{ "server exit leaves client mappings",
	  test_server_exit_leaves_client_mappings },
	{ "client killed mid-use", test_client_killed_mid_use },
	{ "ls matches existing buffers", test_ls_matches_existing_buffers },
	{ "ls shows the charged cgroup", test_ls_shows_the_charged_cgroup },
	{ "library maps 4 MiB 2 MiB-aligned", test_library_maps_4mib_aligned },
	{ "errors name the cause", test_errors_name_the_cause },
	{ "a stopped server times clients out",
	  test_stopped_server_times_clients_out },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo drm_tests[] = {
	{ "PRIME round trip through vgem (library)",
	  test_drm_import_round_trip_library },
	{ "drm-import CLI: same handle, same buffer, vgem attached",
	  test_drm_import_cli_shows_attachment },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo end_tests[] = {
	{ "no buffer or fd leaked", test_nothing_leaked },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ .pName = "importer CLI end to end", .pTests = cli_tests },
	{ .pName = "importer DRM import", .pTests = drm_tests },
	{ .pName = "importer leaks", .pTests = end_tests },
	CU_SUITE_INFO_NULL,
};

/* ls needs debugfs for attached devices; the initramfs may not mount it. */
static void mount_debugfs(void)
{
	if (access("/sys/kernel/debug/dma_buf", F_OK) == 0)
		return;
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		fprintf(stderr, "importer-tests: cannot mount debugfs: %s\n",
			strerror(errno));
}

/* No DRM device means the DRM suite cannot run: inactive, not passed. */
static void skip_drm_without_device(void)
{
	int fd = -1, ret = dmabuf_share_drm_open(NULL, &fd);

	if (!ret) {
		close(fd);
		return;
	}
	printf("SKIP importer DRM import: no DRM device (%s); load vgem\n",
	       strerror(-ret));
	CU_set_suite_active(CU_get_suite("importer DRM import"), CU_FALSE);
}

static int setup(void)
{
	int fd = -1, ret;

	mkdir("/tmp", 01777);
	ret = dmabuf_share_exporter_open(NULL, &fd);
	if (ret) {
		fprintf(stderr,
			"importer-tests: cannot open %s: %s (load "
			"dmabuf_exporter.ko first)\n",
			DMABUF_SHARE_EXPORTER_PATH, strerror(-ret));
		return -1;
	}
	DMABUF_SHARE_STRUCT_INIT(&baseline);
	ret = dmabuf_share_exporter_info(fd, &baseline);
	close(fd);
	mount_debugfs();
	baseline_fds = count_fds();
	printf("importer-tests: CLI %s, %u live buffers at start\n", cli_path(),
	       baseline.live_buffers);
	return ret;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup())
		return 2;
	return cunit_main(suites, skip_drm_without_device);
}
