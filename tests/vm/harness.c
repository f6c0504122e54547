// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the in-VM suites; see harness.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "harness.h"

static int exporter_fd = -1;

int dev_fd(void)
{
	if (exporter_fd < 0)
		exporter_fd = open(EXPORTER_DEV, O_RDWR | O_CLOEXEC);
	return exporter_fd;
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

void dev_reopen(void)
{
	if (exporter_fd >= 0)
		close(exporter_fd);
	exporter_fd = -1;
}

int module_unload(void)
{
	dev_reopen(); /* our own open device pins the module too */
	return syscall(SYS_delete_module, "dmabuf_exporter", O_NONBLOCK) ?
		       -errno :
		       0;
}

int module_load(const char *params)
{
	int fd = open(EXPORTER_KO, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

void module_reload(const char *params)
{
	CU_ASSERT_EQUAL_FATAL(module_unload(), 0);
	CU_ASSERT_EQUAL_FATAL(module_load(params), 0);
	CU_ASSERT_FATAL(dev_fd() >= 0);
}

int exp_alloc(uint64_t size, uint32_t fd_flags, uint64_t flags,
	      struct dmabuf_exporter_alloc *out)
{
	struct dmabuf_exporter_alloc req;

	memset(&req, 0, sizeof(req));
	req.size = size;
	req.fd_flags = fd_flags;
	req.flags = flags;
	if (ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_ALLOC, &req) < 0)
		return -errno;
	if (out)
		*out = req;
	return 0;
}

int exp_alloc_rw(uint64_t size)
{
	struct dmabuf_exporter_alloc a;
	int ret = exp_alloc(size, O_RDWR | O_CLOEXEC, 0, &a);

	CU_ASSERT_EQUAL_FATAL(ret, 0);
	return (int)a.fd;
}

struct dmabuf_exporter_info exp_info(void)
{
	struct dmabuf_exporter_info info;

	memset(&info, 0xff, sizeof(info));
	CU_ASSERT_EQUAL_FATAL(
		ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_INFO, &info), 0);
	return info;
}

struct dmabuf_exporter_cache_info cache_info(void)
{
	struct dmabuf_exporter_cache_info ci;

	memset(&ci, 0xff, sizeof(ci));
	CU_ASSERT_EQUAL_FATAL(
		ioctl(dev_fd(), DMABUF_EXPORTER_IOCTL_CACHE_INFO, &ci), 0);
	return ci;
}

int wait_zeroed(void)
{
	int tries;

	for (tries = 0; tries < SETTLE_LIMIT_MS / SETTLE_STEP_MS; tries++) {
		if (!cache_info().dirty_bytes)
			return 0;
		usleep(SETTLE_STEP_MS * 1000);
	}
	printf("\n  the zeroing worker still had %llu dirty bytes after %d s\n",
	       (unsigned long long)cache_info().dirty_bytes,
	       SETTLE_LIMIT_MS / 1000);
	return -1;
}

uint64_t footprint(uint64_t size)
{
	uint64_t block = PAGE;

	size = (size + PAGE - 1) / PAGE * PAGE;
	if (size > (4 << 20))
		return size;
	while (block < size)
		block *= 2;
	return block;
}

int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

struct usage usage_now(void)
{
	struct dmabuf_exporter_info info = exp_info();
	struct usage u = {
		.live_buffers = info.live_buffers,
		.total_allocated = info.total_allocated,
		.fds = count_fds(),
	};
	return u;
}

static int usage_equal(const struct usage *a, const struct usage *b)
{
	return a->live_buffers == b->live_buffers &&
	       a->total_allocated == b->total_allocated && a->fds == b->fds;
}

void assert_usage_is(const struct usage *before, const char *where)
{
	struct usage now = usage_now();
	int tries;

	/* A dead child's last fput can trail its exit by a little. */
	for (tries = 0; tries < SETTLE_LIMIT_MS / SETTLE_STEP_MS &&
			!usage_equal(before, &now);
	     tries++) {
		usleep(SETTLE_STEP_MS * 1000);
		now = usage_now();
	}
	if (!usage_equal(before, &now))
		printf("\n  leak at %s: live %u -> %u, bytes %llu -> %llu, fds %d -> %d\n",
		       where, before->live_buffers, now.live_buffers,
		       (unsigned long long)before->total_allocated,
		       (unsigned long long)now.total_allocated, before->fds,
		       now.fds);
	CU_ASSERT_EQUAL(now.live_buffers, before->live_buffers);
	CU_ASSERT_EQUAL(now.total_allocated, before->total_allocated);
	CU_ASSERT_EQUAL(now.fds, before->fds);
}

void *map_buf(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	return wait_child(pid);
}

void run_children(long procs, int (*fn)(void *), void *arg)
{
	pid_t pids[64];
	long i;

	CU_ASSERT_FATAL(procs > 0 && procs <= 64);
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		CU_ASSERT_FATAL(pids[i] >= 0);
		if (pids[i] == 0)
			_exit(fn(arg));
	}
	for (i = 0; i < procs; i++)
		CU_ASSERT_EQUAL(wait_child(pids[i]), 0);
}

long env_long(const char *name, long fallback)
{
	const char *v = getenv(name);

	return v ? strtol(v, NULL, 0) : fallback;
}

void fill_pattern(void *p, size_t len, unsigned int seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = (unsigned char)(seed + i / PAGE + i);
}

int check_pattern(const void *p, size_t len, unsigned int seed)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i] != (unsigned char)(seed + i / PAGE + i))
			return -1;
	return 0;
}

int fdinfo_value(int fd, const char *key, char *buf, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		snprintf(buf, len, "%s",
			 line + klen + 1 + strspn(line + klen + 1, " \t"));
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

/* Open the vgem node among /dev/dri/card*; -1 when there is none. */
int open_vgem(void)
{
	char path[32];
	drmVersionPtr v;
	int i, is_vgem;

	for (i = 0; i < 16; i++) {
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		is_vgem = v && !strcmp(v->name, "vgem");
		drmFreeVersion(v);
		if (is_vgem)
			return fd;
		close(fd);
	}
	return -1;
}

/* Devices attached to the buffer named @name, from debugfs bufinfo. */
int attachments_of(const char *name)
{
	char line[512];
	int n = -1, in_buf = 0;
	FILE *f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "dmabuf_exporter"))
			in_buf = strstr(line, name) != NULL;
		else if (in_buf &&
			 sscanf(line, "Total %d devices attached", &n) == 1)
			break;
	}
	fclose(f);
	return n;
}

/* The device node, not /sys/module/vgem: a built-in vgem has no entry there. */
const char *needs_vgem(void)
{
	int fd = open_vgem();

	if (fd < 0)
		return "no vgem device among /dev/dri/card*";
	close(fd);
	return NULL;
}

const char *needs_debugfs_bufinfo(void)
{
	return access("/sys/kernel/debug/dma_buf/bufinfo", R_OK) ?
		       "debugfs dma_buf/bufinfo is not available" :
		       NULL;
}

int booted_with_swiotlb_force(void)
{
	char line[1024] = "";
	FILE *f = fopen("/proc/cmdline", "re");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	return strstr(line, "swiotlb=force") != NULL;
}

static long meminfo_free_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

long free_kib(void)
{
	char line[256];
	long pages = 0, n;
	FILE *f = fopen("/proc/zoneinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pages += n;
	if (f)
		fclose(f);
	return meminfo_free_kib() + pages * (long)(PAGE / 1024);
}
