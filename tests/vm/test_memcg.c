// SPDX-License-Identifier: GPL-2.0
/*
 * Memory cgroups: every buffer is charged to the memory cgroup of the
 * process that allocated it, in a cgroup v2 hierarchy at /sys/fs/cgroup
 * (scripts/vm/init mounts it).  memory.current rises by each buffer's
 * footprint and falls back after release (once the cache lets go);
 * memory.max stops allocations with ENOMEM, not with an OOM kill; an OOM
 * inside a cgroup kills one of its own processes; the cache never hands a
 * buffer charged to one cgroup to another; a buffer passed to another
 * process stays charged to its allocator's cgroup; BUF_INFO names it.
 *
 * The checks that run in a child inside a cgroup return 0 or the line that
 * failed (printed with its reason), and the parent asserts on that.
 * Tests that reload the module leave it loaded with default parameters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define CG "/sys/fs/cgroup"
#define MIB (1UL << 20)
/* Kernel objects charged along with a buffer (its file, dma-buf, slabs). */
#define SLACK (256UL << 10)
/*
 * What a dead child leaves charged to its cgroup for a while (slabs freed
 * through RCU, its page tables' pages on per-CPU lists): 260 KiB was seen
 * once on a loaded guest.  Still a quarter of one 1 MiB buffer, so a
 * buffer that stayed charged cannot hide in it.
 */
#define RESIDUE (512UL << 10)

/* A check in a child: report and return the failing line. */
#define CHILD_CHECK(cond)                                                         \
	do {                                                                      \
		if (!(cond)) {                                                    \
			printf("\n    child %d, line %d: %s failed (errno %d)\n", \
			       getpid(), __LINE__, #cond, errno);                 \
			return __LINE__ % 90 + 1;                                 \
		}                                                                 \
	} while (0)

/* cgroup file @file of cgroup @cg; -1 when it cannot be read. */
static long long cg_read(const char *cg, const char *file)
{
	char path[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), CG "/%s/%s", cg, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The counter @key of the flat-keyed file @file ("memory.events"). */
static long long cg_key(const char *cg, const char *file, const char *key)
{
	char path[256], k[64];
	long long v, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), CG "/%s/%s", cg, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &v) == 2)
		if (!strcmp(k, key))
			found = v;
	fclose(f);
	return found;
}

static long long current_of(const char *cg)
{
	return cg_read(cg, "memory.current");
}

/* A fresh cgroup @cg with memory.max @max ("max" for none): 0 or -errno. */
static int cg_make(const char *cg, const char *max)
{
	char path[256];

	snprintf(path, sizeof(path), CG "/%s", cg);
	rmdir(path);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), CG "/%s/memory.max", cg);
	return write_file(path, max);
}

static void cg_make_ok(const char *cg, const char *max)
{
	CU_ASSERT_EQUAL_FATAL(cg_make(cg, max), 0);
}

/* Move the calling process into @cg. */
static int cg_enter(const char *cg)
{
	char path[256], pid[32];

	snprintf(path, sizeof(path), CG "/%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

/* The cgroup id of @cg: the inode number of its directory. */
static uint64_t cg_id(const char *cg)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), CG "/%s", cg);
	return stat(path, &st) ? 0 : st.st_ino;
}

/* Remove @cg; it lingers as a dying cgroup while charges remain. */
static void cg_remove(const char *cg)
{
	char path[256];

	snprintf(path, sizeof(path), CG "/%s", cg);
	rmdir(path);
}

static int buf_info(int fd, struct dmabuf_exporter_buf_info *bi)
{
	memset(bi, 0, sizeof(*bi));
	bi->fd = (uint32_t)fd;
	return ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_BUF_INFO, bi) ? -errno : 0;
}

static struct dmabuf_exporter_memcg_info memcg_info(void)
{
	struct dmabuf_exporter_memcg_info mi;

	memset(&mi, 0xff, sizeof(mi));
	CU_ASSERT_EQUAL_FATAL(
		ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_MEMCG_INFO, &mi), 0);
	return mi;
}

/* ALLOC of @len, 0 or -errno, the fd in *@fd. */
static int alloc_fd(size_t len, int *fd)
{
	struct dmabuf_exporter_alloc a;
	int ret = exp_alloc(len, O_RDWR | O_CLOEXEC, 0, &a);

	if (!ret)
		*fd = (int)a.fd;
	return ret;
}

/* CmaTotal of /proc/meminfo in kB: 0 without a CMA area. */
static long cma_total_kb(void)
{
	char line[128];
	long kb = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CmaTotal: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static const char *needs_memcg(void)
{
	char line[256] = "";
	FILE *f = fopen(CG "/cgroup.controllers", "re");

	if (!f)
		return "no cgroup v2 at " CG;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	if (!strstr(line, "memory"))
		return "the kernel has no memory controller";
	if (write_file(CG "/cgroup.subtree_control", "+memory"))
		return "cannot enable the memory controller";
	return NULL;
}

/*
 * And the buffers are charged: not so when they come from a CMA area
 * (dma-direct takes every buffer above one page from it), which the
 * kernel never charges.
 */
static const char *needs_charged_buffers(void)
{
	const char *why = needs_memcg();

	if (why)
		return why;
	if (cma_total_kb())
		return "a CMA area serves the buffers, and the kernel does not charge CMA";
	return NULL;
}

/* Until @cg's memory.current is at most @limit: 0, or -1 after @ms. */
static int wait_current_below(const char *cg, long long limit, long ms)
{
	long waited;

	for (waited = 0; waited < ms; waited += 20) {
		if (current_of(cg) <= limit)
			return 0;
		usleep(20000);
	}
	return -1;
}

/*
 * In "dmabuf-charge": four 1 MiB buffers, each raising memory.current by
 * its footprint, each named by BUF_INFO as charged to this cgroup; their
 * release leaves them cached, still charged.
 */
static int charge_four(void *arg)
{
	struct dmabuf_exporter_buf_info bi;
	long long before;
	int fds[4], i;

	(void)arg;
	CHILD_CHECK(cg_enter("dmabuf-charge") == 0);
	for (i = 0; i < 4; i++) {
		long long after;

		before = current_of("dmabuf-charge");
		CHILD_CHECK(alloc_fd(MIB, &fds[i]) == 0);
		after = current_of("dmabuf-charge");
		printf(" [+%lld KiB]", (after - before) >> 10);
		CHILD_CHECK(after - before >= (long long)(MIB - SLACK / 4));
		CHILD_CHECK(after - before <= (long long)(MIB + SLACK));
		CHILD_CHECK(buf_info(fds[i], &bi) == 0);
		CHILD_CHECK(bi.flags == DMABUF_EXPORTER_BUF_CHARGED);
		CHILD_CHECK(bi.cgroup_id == cg_id("dmabuf-charge"));
		CHILD_CHECK(bi.size == MIB && bi.footprint == MIB);
	}
	before = current_of("dmabuf-charge");
	for (i = 0; i < 4; i++)
		close(fds[i]);
	/* Cached, not given back: still this cgroup's. */
	CHILD_CHECK(current_of("dmabuf-charge") >= before - (long long)SLACK);
	return 0;
}

/*
 * memory.current rises by each buffer's footprint, and returns to its
 * baseline once the cache's expiry (cache_idle_ms, 1 s here) has run: the
 * wait ends on that, with the harness's limit, not on a guess of when a
 * loaded guest runs the expiry.
 */
static void charge_rises_and_falls(void)
{
	long long base;

	module_reload("cache_idle_ms=1000");
	cg_make_ok("dmabuf-charge", "max");
	base = current_of("dmabuf-charge");
	CU_ASSERT_EQUAL(run_child(charge_four, NULL), 0);
	CU_ASSERT(current_of("dmabuf-charge") >= base + (long long)(3 * MIB));
	CU_ASSERT_EQUAL(wait_current_below("dmabuf-charge",
					   base + (long long)RESIDUE,
					   SETTLE_LIMIT_MS),
			0);
	printf(" (baseline %lld KiB, now %lld KiB) ", base >> 10,
	       current_of("dmabuf-charge") >> 10);
	cg_remove("dmabuf-charge");
	module_reload("");
}

struct fill_to_max {
	const char *cg;
	size_t len;
};

/* Allocate @len buffers in @cg until refused; must be ENOMEM near max. */
static int fill_until_refused(void *arg)
{
	const struct fill_to_max *f = arg;
	struct rlimit rl = { 8192, 8192 };
	long long max = cg_read(f->cg, "memory.max");
	size_t n = 0;
	int fd, ret;

	CHILD_CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	/*
	 * A cgroup the buffers filled to memory.max has no room for one more
	 * page of ours: a copy-on-write fault there would meet its OOM
	 * killer, as any allocation would.  So every page this child writes
	 * is faulted in, and charged where the test runs, before it moves.
	 */
	printf(" ");
	fflush(stdout);
	CHILD_CHECK(mlockall(MCL_CURRENT) == 0);
	CHILD_CHECK(cg_enter(f->cg) == 0);
	while ((ret = alloc_fd(f->len, &fd)) == 0 && n < 8000)
		n++;
	printf(" [%s: %zu x %zu KiB, then %s]", f->cg, n, f->len >> 10,
	       strerror(-ret));
	CHILD_CHECK(ret == -ENOMEM);
	CHILD_CHECK((long long)(n * f->len) <= max);
	/* The child's own memory is small: at least half of max is buffers. */
	CHILD_CHECK((long long)(n * f->len) >= max / 2);
	return 0;
}

/*
 * memory.max = 64 MiB stops 4 MiB buffers, and 8 MiB stops 16 KiB ones
 * (small orders are where the memcg OOM killer would otherwise strike),
 * with ENOMEM to the caller, who lives on: no OOM kill in the cgroup.
 */
static void max_refuses_with_enomem(void)
{
	struct fill_to_max big = { "dmabuf-max", 4 * MIB };
	struct fill_to_max small = { "dmabuf-max-small", 16 << 10 };

	cg_make_ok(big.cg, "67108864");
	CU_ASSERT_EQUAL(run_child(fill_until_refused, &big), 0);
	CU_ASSERT_EQUAL(cg_key(big.cg, "memory.events", "oom_kill"), 0);
	cg_make_ok(small.cg, "8388608");
	CU_ASSERT_EQUAL(run_child(fill_until_refused, &small), 0);
	CU_ASSERT_EQUAL(cg_key(small.cg, "memory.events", "oom_kill"), 0);
	cg_remove(big.cg);
	cg_remove(small.cg);
}

/*
 * In "dmabuf-refill" (64 MiB): 12 buffers of 4 MiB, released (the cache
 * keeps what fits, still charged here), then buffers of 2 MiB + 4 KiB,
 * also 4 MiB each but never served from the cache: as many as fit in the
 * cgroup, i.e. the cache gave its charge back when it was in the way.
 */
static int refill_after_release(void *arg)
{
	int fds[16], i, n = 0, fd;

	(void)arg;
	printf(" ");
	fflush(stdout);
	CHILD_CHECK(mlockall(MCL_CURRENT) == 0);
	CHILD_CHECK(cg_enter("dmabuf-refill") == 0);
	for (i = 0; i < 12; i++)
		CHILD_CHECK(alloc_fd(4 * MIB, &fds[i]) == 0);
	for (i = 0; i < 12; i++)
		close(fds[i]);
	CHILD_CHECK(cache_info().cached_bytes >= 4 * MIB);
	while (n < 16 && alloc_fd(2 * MIB + PAGE, &fd) == 0)
		n++;
	printf("[%d MiB cached, then %d more buffers of 4 MiB]",
	       (int)(cache_info().cached_bytes >> 20), n);
	CHILD_CHECK(n >= 12);
	return 0;
}

/*
 * Pressure in the cgroup itself gives back what the cache holds for it
 * at once: the cache's shrinker is memcg aware, and an allocation that
 * still fails its charge empties the cache and is tried again.
 */
static void own_pressure_empties_the_cache(void)
{
	cg_make_ok("dmabuf-refill", "67108864");
	CU_ASSERT_EQUAL(run_child(refill_after_release, NULL), 0);
	CU_ASSERT_EQUAL(cg_key("dmabuf-refill", "memory.events", "oom_kill"),
			0);
	cg_remove("dmabuf-refill");
}

/*
 * In "dmabuf-reclaim" (64 MiB): 6 buffers of 4 MiB, released into the
 * cache and still charged here, then 56 MiB of anonymous memory touched.
 * 24 + 56 MiB do not fit in 64: the cgroup's own reclaim must give back
 * at least 16 MiB of its cached buffers, or the cgroup's OOM killer kills
 * this child.  Nothing else frees them meanwhile: expiry is off.
 */
static int anon_after_release(void *arg)
{
	size_t off, len = 56 * MIB;
	uint64_t cached, after;
	int fds[6], i;
	char *p;

	(void)arg;
	printf(" ");
	fflush(stdout);
	/* This child's own pages are charged where the test runs. */
	CHILD_CHECK(mlockall(MCL_CURRENT) == 0);
	CHILD_CHECK(cg_enter("dmabuf-reclaim") == 0);
	for (i = 0; i < 6; i++)
		CHILD_CHECK(alloc_fd(4 * MIB, &fds[i]) == 0);
	for (i = 0; i < 6; i++)
		close(fds[i]);
	cached = cache_info().cached_bytes;
	CHILD_CHECK(cached >= 24 * MIB);
	CHILD_CHECK(current_of("dmabuf-reclaim") >= (long long)(24 * MIB));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHILD_CHECK(p != MAP_FAILED);
	for (off = 0; off < len; off += PAGE)
		p[off] = 1;
	after = cache_info().cached_bytes;
	printf("[cached %llu MiB, after 56 MiB of anonymous memory %llu MiB; memory.current %lld MiB]",
	       (unsigned long long)(cached >> 20),
	       (unsigned long long)(after >> 20),
	       current_of("dmabuf-reclaim") >> 20);
	CHILD_CHECK(after + 16 * MIB <= cached);
	munmap(p, len);
	return 0;
}

/*
 * Reclaim inside a cgroup (here its memory.max, met by anonymous memory)
 * gives back the buffers the cache keeps charged to it, at once: the
 * cache's shrinker is memcg aware.  Before, only global reclaim ran it,
 * and the process was OOM-killed with the cache still full.
 */
static void pressure_in_the_cgroup_frees_its_cache(void)
{
	module_reload("cache_idle_ms=0 cache_size=33554432");
	cg_make_ok("dmabuf-reclaim", "67108864");
	CU_ASSERT_EQUAL(run_child(anon_after_release, NULL), 0);
	CU_ASSERT_EQUAL(cg_key("dmabuf-reclaim", "memory.events", "oom_kill"),
			0);
	cg_remove("dmabuf-reclaim");
	module_reload("");
}

/* Hold 40 MiB of buffers in "dmabuf-oom", say so on @arg's pipe, wait. */
static int hold_buffers(void *arg)
{
	int *ready = arg, fd, i;

	CHILD_CHECK(cg_enter("dmabuf-oom") == 0);
	for (i = 0; i < 10; i++)
		CHILD_CHECK(alloc_fd(4 * MIB, &fd) == 0);
	CHILD_CHECK(write(ready[1], "x", 1) == 1);
	for (;;)
		pause();
	return 0;
}

/* Touch anonymous memory in "dmabuf-oom" until killed (128 MiB at most). */
static int eat_memory(void *arg)
{
	size_t off, len = 128 * MIB;
	char *p;

	(void)arg;
	CHILD_CHECK(cg_enter("dmabuf-oom") == 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHILD_CHECK(p != MAP_FAILED);
	for (off = 0; off < len; off += PAGE)
		p[off] = 1;
	return 0;
}

static int sleep_forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return 0;
}

static pid_t spawn(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	return pid;
}

#define PRINTK "/proc/sys/kernel/printk"

/* printk's console levels now, to restore them; "" if unreadable. */
static void console_levels(char *buf, size_t len)
{
	FILE *f = fopen(PRINTK, "re");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = 0;
		fclose(f);
	}
}

/* Whether the kernel log after @mark holds a report other than the OOM's. */
static int kernel_reported_after(const char *mark)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *log, *from;
	int bad;

	if (len <= 0)
		return 0;
	log = calloc(1, (size_t)len + 1);
	if (!log)
		return 1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len);
	from = len > 0 ? strstr(log, mark) : NULL;
	bad = from && (strstr(from, "WARNING:") || strstr(from, "BUG:") ||
		       strstr(from, "Oops") || strstr(from, "KASAN"));
	free(log);
	return bad;
}

/*
 * With 40 MiB of buffers charged to "dmabuf-oom" (memory.max 64 MiB), a
 * process there touching anonymous memory meets the cgroup's OOM killer,
 * which must kill a process of that cgroup, never the innocent sleeper
 * outside.  The OOM report's stack dump would fail the run's log check,
 * so the console does not show warnings while it happens; the kernel log
 * over that window is checked here instead.
 */
static void oom_kills_inside_the_cgroup(void)
{
	const char *mark = "dmabuf-exporter-tests: OOM window";
	int ready[2], status = 0;
	char levels[64];
	pid_t holder, eater, innocent;
	char c;

	cg_make_ok("dmabuf-oom", "67108864");
	CU_ASSERT_EQUAL_FATAL(pipe(ready), 0);
	innocent = spawn(sleep_forever, NULL);
	holder = spawn(hold_buffers, ready);
	CU_ASSERT_FATAL(innocent > 0 && holder > 0);
	CU_ASSERT_EQUAL_FATAL(read(ready[0], &c, 1), 1);
	write_file("/dev/kmsg", mark);
	console_levels(levels, sizeof(levels));
	/* Errors and worse still reach the console; warnings do not. */
	write_file(PRINTK, "4");
	eater = spawn(eat_memory, NULL);
	CU_ASSERT_FATAL(eater > 0);
	/* The eater ends either way: killed, or after touching 128 MiB. */
	waitpid(eater, &status, 0);
	if (levels[0])
		write_file(PRINTK, levels);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CU_ASSERT(cg_key("dmabuf-oom", "memory.events", "oom_kill") >= 1);
	CU_ASSERT_EQUAL(waitpid(innocent, NULL, WNOHANG), 0);
	CU_ASSERT_FALSE(kernel_reported_after(mark));
	kill(holder, SIGKILL);
	kill(innocent, SIGKILL);
	CU_ASSERT_NOT_EQUAL(wait_child(holder), 0);
	CU_ASSERT_NOT_EQUAL(wait_child(innocent), 0);
	close(ready[0]);
	close(ready[1]);
	cg_remove("dmabuf-oom");
}

struct in_cgroup {
	const char *cg;
	size_t len;
};

/* Allocate @len in @cg, record hits and the cgroup, release it. */
static int alloc_in(void *arg)
{
	struct in_cgroup *in = arg;
	struct dmabuf_exporter_buf_info bi;
	uint64_t hits = cache_info().hits;
	int fd;

	CHILD_CHECK(cg_enter(in->cg) == 0);
	CHILD_CHECK(alloc_fd(in->len, &fd) == 0);
	CHILD_CHECK(buf_info(fd, &bi) == 0);
	CHILD_CHECK(bi.flags & DMABUF_EXPORTER_BUF_CHARGED);
	CHILD_CHECK(bi.cgroup_id == cg_id(in->cg));
	hits = cache_info().hits - hits;
	close(fd);
	/* Above any CHILD_CHECK line code: 101 for a hit, 100 for a miss. */
	return hits ? 101 : 100;
}

/*
 * A buffer released in cgroup A is cached still charged to A: an ALLOC of
 * its size in cgroup B must not get it (a miss, and B's own charge), and
 * one in A again must (a hit).
 */
static void cache_never_crosses_cgroups(void)
{
	struct in_cgroup a = { "dmabuf-a", 64 * PAGE };
	struct in_cgroup b = { "dmabuf-b", 64 * PAGE };

	cg_make_ok(a.cg, "max");
	cg_make_ok(b.cg, "max");
	CU_ASSERT_EQUAL(run_child(alloc_in, &a), 100);
	CU_ASSERT_EQUAL_FATAL(wait_zeroed(), 0);
	CU_ASSERT_EQUAL(run_child(alloc_in, &b), 100);
	CU_ASSERT_EQUAL(run_child(alloc_in, &a), 101);
	CU_ASSERT_EQUAL(run_child(alloc_in, &b), 101);
	cg_remove(a.cg);
	cg_remove(b.cg);
}

static int send_fd(int sock, int fd)
{
	char data = 'f', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char data, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &data, 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = ctl,
			      .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1 ||
	    (msg.msg_flags & MSG_CTRUNC))
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Allocate 1 MiB in "dmabuf-giver", pass it on @arg's socket, exit. */
static int give_buffer(void *arg)
{
	int *sock = arg, fd;

	CHILD_CHECK(cg_enter("dmabuf-giver") == 0);
	CHILD_CHECK(alloc_fd(MIB, &fd) == 0);
	CHILD_CHECK(send_fd(sock[1], fd) == 0);
	return 0;
}

/*
 * Like shmem: a buffer handed to a process in another cgroup (here the
 * test itself, in the root cgroup) stays charged to its allocator's
 * cgroup, also after the allocator exited, until it is released and the
 * cache lets go of it.
 */
static void passed_buffer_stays_charged(void)
{
	struct dmabuf_exporter_buf_info bi;
	long long base;
	int sock[2], fd;

	module_reload("cache_idle_ms=1000");
	cg_make_ok("dmabuf-giver", "max");
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sock), 0);
	base = current_of("dmabuf-giver");
	CU_ASSERT_EQUAL(run_child(give_buffer, sock), 0);
	fd = recv_fd(sock[0]);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(current_of("dmabuf-giver") >=
		  base + (long long)(MIB - SLACK / 4));
	CU_ASSERT_EQUAL(buf_info(fd, &bi), 0);
	CU_ASSERT_EQUAL(bi.flags, DMABUF_EXPORTER_BUF_CHARGED);
	CU_ASSERT_EQUAL(bi.cgroup_id, cg_id("dmabuf-giver"));
	close(fd);
	CU_ASSERT_EQUAL(wait_current_below("dmabuf-giver",
					   base + (long long)RESIDUE,
					   SETTLE_LIMIT_MS),
			0);
	close(sock[0]);
	close(sock[1]);
	cg_remove("dmabuf-giver");
	module_reload("");
}

/*
 * A CMA area small enough that the largest buffer only fits when the
 * cache gives back what it holds: less than max_buffer_size + cache_size
 * (cma=300M on a 2 GiB guest: 256 MiB + 60 MiB).
 */
static const char *needs_tight_cma(void)
{
	struct dmabuf_exporter_cache_info ci;
	struct dmabuf_exporter_info info;
	const char *why = needs_memcg();

	if (why)
		return why;
	if (!cma_total_kb())
		return "no CMA area (boot with cma=)";
	if (ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_INFO, &info) ||
	    ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_CACHE_INFO, &ci))
		return "no INFO or CACHE_INFO";
	if ((unsigned long long)cma_total_kb() << 10 >=
	    info.max_buffer_size + ci.cache_size)
		return "the CMA area holds the largest buffer beside a full cache (boot with cma= below max_buffer_size + cache_size)";
	return NULL;
}

struct cma_use {
	const char *cg;
	size_t len;
	int count;
};

/*
 * @count buffers of @len in @cg: each one from CMA, so not charged, and
 * BUF_INFO says so, naming the allocating cgroup.
 */
static int cma_alloc_in(void *arg)
{
	struct cma_use *u = arg;
	struct dmabuf_exporter_buf_info bi;
	int fd, i;

	CHILD_CHECK(cg_enter(u->cg) == 0);
	for (i = 0; i < u->count; i++) {
		CHILD_CHECK(alloc_fd(u->len, &fd) == 0);
		CHILD_CHECK(buf_info(fd, &bi) == 0);
		CHILD_CHECK(!(bi.flags & DMABUF_EXPORTER_BUF_CHARGED));
		CHILD_CHECK(bi.cgroup_id == cg_id(u->cg));
	}
	return 0;
}

/*
 * The CMA area is not hoarded: with cgroup A's released buffers cached
 * (from CMA, and usable by A only) and the area too small for the largest
 * buffer beside them, cgroup B still gets the largest buffer at once,
 * because a failed allocation empties the cache and tries again.  Another driver's cma_alloc() gets no such help: for it the bound
 * is cache_idle_ms (docs/design.md).
 */
static void cma_cache_yields_to_another_cgroup(void)
{
	struct dmabuf_exporter_cache_info ci = cache_info();
	struct cma_use a = { "dmabuf-cma-a", ci.cache_size / 2 / PAGE * PAGE,
			     2 };
	struct cma_use b = { "dmabuf-cma-b", exp_info().max_buffer_size, 1 };

	cg_make_ok(a.cg, "max");
	cg_make_ok(b.cg, "max");
	CU_ASSERT_EQUAL(run_child(cma_alloc_in, &a), 0);
	CU_ASSERT_EQUAL_FATAL(wait_zeroed(), 0);
	ci = cache_info();
	printf(" (cached %llu MiB of A's; B takes %zu MiB) ",
	       (unsigned long long)ci.cached_bytes >> 20, b.len >> 20);
	/* Both of A's, and perhaps a page-sized one an earlier test left. */
	CU_ASSERT(ci.cached_bytes >= 2 * a.len);
	/* CMA is charged to nobody: MEMCG_INFO reports all of it apart. */
	CU_ASSERT_EQUAL(memcg_info().cached_uncharged_bytes, ci.cached_bytes);
	CU_ASSERT_EQUAL(run_child(cma_alloc_in, &b), 0);
	cg_remove(a.cg);
	cg_remove(b.cg);
}

/* Allocate 1 MiB in "dmabuf-counted" and say whether MEMCG_INFO moved. */
static int alloc_counted(void *arg)
{
	uint64_t before;
	int fd;

	(void)arg;
	CHILD_CHECK(cg_enter("dmabuf-counted") == 0);
	before = memcg_info().uncharged_bytes;
	CHILD_CHECK(alloc_fd(MIB, &fd) == 0);
	CHILD_CHECK(memcg_info().uncharged_bytes == before);
	close(fd);
	return 0;
}

/*
 * MEMCG_INFO counts what is charged to nobody: a buffer allocated from the
 * root cgroup (where this test runs), live and then cached; one allocated
 * in a cgroup is charged, and not counted.
 */
static void memcg_info_counts_uncharged(void)
{
	struct dmabuf_exporter_memcg_info before = memcg_info(), now;
	int fd = exp_alloc_rw(MIB);

	CU_ASSERT_EQUAL(before.reserved[0] | before.reserved[1], 0);
	now = memcg_info();
	CU_ASSERT_EQUAL(now.uncharged_bytes, before.uncharged_bytes + MIB);
	CU_ASSERT_EQUAL(now.uncharged_buffers, before.uncharged_buffers + 1);
	close(fd);
	now = memcg_info();
	CU_ASSERT_EQUAL(now.uncharged_bytes, before.uncharged_bytes);
	CU_ASSERT_EQUAL(now.uncharged_buffers, before.uncharged_buffers);
	/* Cached now (1 MiB fits the default cache), still uncharged. */
	CU_ASSERT_EQUAL(now.cached_uncharged_bytes,
			before.cached_uncharged_bytes + MIB);
	cg_make_ok("dmabuf-counted", "max");
	CU_ASSERT_EQUAL(run_child(alloc_counted, NULL), 0);
	cg_remove("dmabuf-counted");
}

/* BUF_INFO's own checks: a bad field, a bad fd, another kind of file. */
static void buf_info_refuses_bad_input(void)
{
	struct dmabuf_exporter_buf_info bi;
	int fd = exp_alloc_rw(PAGE);

	CU_ASSERT_EQUAL(buf_info(fd, &bi), 0);
	CU_ASSERT_EQUAL(bi.size, PAGE);
	CU_ASSERT_EQUAL(bi.footprint, PAGE);
	CU_ASSERT_EQUAL(bi.reserved, 0);
	memset(&bi, 0, sizeof(bi));
	bi.fd = (uint32_t)fd;
	bi.reserved = 1;
	CU_ASSERT_EQUAL(ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_BUF_INFO, &bi),
			-1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	bi.reserved = 0;
	bi.cgroup_id = 1;
	CU_ASSERT_EQUAL(ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_BUF_INFO, &bi),
			-1);
	CU_ASSERT_EQUAL(errno, EINVAL);
	CU_ASSERT_EQUAL(buf_info(-1, &bi), -EBADF);
	CU_ASSERT_EQUAL(buf_info(dev_fd(), &bi), -EINVAL);
	close(fd);
}

static const struct vm_test tests[] = {
	VM_TEST(buf_info_refuses_bad_input),
	VM_TEST_NEEDS(charge_rises_and_falls, needs_charged_buffers),
	VM_TEST_NEEDS(memcg_info_counts_uncharged, needs_charged_buffers),
	VM_TEST_NEEDS(max_refuses_with_enomem, needs_charged_buffers),
	VM_TEST_NEEDS(own_pressure_empties_the_cache, needs_charged_buffers),
	VM_TEST_NEEDS(pressure_in_the_cgroup_frees_its_cache,
		      needs_charged_buffers),
	VM_TEST_NEEDS(oom_kills_inside_the_cgroup, needs_charged_buffers),
	VM_TEST_NEEDS(cache_never_crosses_cgroups, needs_charged_buffers),
	VM_TEST_NEEDS(passed_buffer_stays_charged, needs_charged_buffers),
	VM_TEST_NEEDS(cma_cache_yields_to_another_cgroup, needs_tight_cma),
	VM_TESTS_END,
};

const struct vm_suite suite_memcg = { .name = "memcg", .tests = tests };
