// SPDX-License-Identifier: MIT
/*
 * The memory cgroup of each of the exporter's buffers, for ls.
 *
 * Only the exporter knows which cgroup a buffer's memory is charged to,
 * and it tells for an fd of the buffer (BUF_INFO, through
 * dmabuf_share_buffer_cgroup()).  ls holds no fd of other processes'
 * buffers, so it borrows one: pidfd_open() + pidfd_getfd() of a holder's
 * fd (root, or a process it may ptrace), checked to be the same buffer by
 * its inode, since the fd may have been closed and reused since the
 * inventory was read.  A buffer held only as a mapping or by devices, or
 * only by processes ls may not touch, is shown as unknown, and why goes
 * into the notes.  The cgroup id is the inode number of the cgroup's
 * directory in cgroup2fs: the path is found by walking the cgroup2 mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

/* The same numbers on every architecture (the unified syscall table). */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* exp_name of this project's module, as fdinfo and bufinfo show it. */
#define LS_OUR_EXPORTER "dmabuf_exporter"

/* Why a buffer's cgroup is unknown; notes group buffers by these. */
static const char R_NO_DEVICE[] = "the exporter device cannot be opened";
static const char R_NO_FD[] = "no process holds an fd of it (only "
			      "mappings or devices)";
static const char R_EPERM[] = "its holders' fds may not be taken "
			      "(pidfd_getfd needs root or ptrace rights)";
static const char R_GONE[] = "its holders exited or closed it since it "
			     "was listed";
static const char R_NOSYS[] = "the kernel lacks pidfd_getfd (5.6+)";
static const char R_OLD_MODULE[] = "the module predates BUF_INFO";
static const char R_FAILED[] = "BUF_INFO failed";

/* A cgroup directory: its id (inode) and path under the cgroup2 mount. */
struct cg_dir {
	uint64_t id;
	char *path;
};

struct ls_cgroups {
	size_t count;
	struct ls_cgroup *bufs; /* one per inventory buffer, same order */
	struct cg_dir *dirs;	/* sorted by id; read when first needed */
	size_t ndirs, capdirs;
	int dirs_read;
	char *dev_error; /* R_NO_DEVICE's detail: "open PATH: ERROR" */
};

/* nftw() has no context argument; ls is single-threaded. */
static struct ls_cgroups *walking;
static size_t walk_root_len;

static int cg_dir_cmp(const void *a, const void *b)
{
	const struct cg_dir *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	struct ls_cgroups *c = walking;
	const char *rel = path + walk_root_len;
	struct cg_dir *d;

	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (c->ndirs == c->capdirs) {
		size_t cap = c->capdirs ? 2 * c->capdirs : 64;

		d = realloc(c->dirs, cap * sizeof(*d));
		if (!d)
			return 1;
		c->dirs = d;
		c->capdirs = cap;
	}
	d = &c->dirs[c->ndirs];
	d->id = (uint64_t)st->st_ino;
	d->path = strdup(*rel ? rel : "/");
	if (!d->path)
		return 1;
	c->ndirs++;
	return 0;
}

/* mountinfo escapes spaces and the like as \ooo. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Where cgroup2 is mounted, from /proc/self/mountinfo; 0 or -1. */
static int cgroup2_mount(char *mnt, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], point[4096], type[64];
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		const char *dash = strstr(line, " - ");

		if (!dash || sscanf(dash, " - %63s", type) != 1 ||
		    strcmp(type, "cgroup2") ||
		    sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
			continue;
		unescape(point);
		found = strlen(point) < len;
		if (found)
			strcpy(mnt, point);
	}
	fclose(f);
	return found ? 0 : -1;
}

/* Every cgroup directory, once; none when there is no cgroup2 mount. */
static void read_dirs(struct ls_cgroups *c)
{
	char mnt[4096];

	if (c->dirs_read)
		return;
	c->dirs_read = 1;
	if (cgroup2_mount(mnt, sizeof(mnt)))
		return;
	walking = c;
	walk_root_len = strcmp(mnt, "/") ? strlen(mnt) : 0;
	/* A partial walk still names what it reached. */
	nftw(mnt, walk_one, 16, FTW_PHYS | FTW_MOUNT);
	walking = NULL;
	if (c->ndirs > 1)
		qsort(c->dirs, c->ndirs, sizeof(*c->dirs), cg_dir_cmp);
}

const char *ls_cgroup_path(struct ls_cgroups *c, uint64_t id)
{
	struct cg_dir key = { id, NULL }, *d;

	read_dirs(c);
	d = c->ndirs ? bsearch(&key, c->dirs, c->ndirs, sizeof(*c->dirs),
			       cg_dir_cmp) :
		       NULL;
	return d ? d->path : NULL;
}

/* One pidfd at a time: holders come grouped by buffer, not by process. */
struct pidfd_cache {
	pid_t pid;
	int fd; /* -errno when pidfd_open() failed */
};

static int pidfd_of(struct pidfd_cache *pc, pid_t pid)
{
	if (pc->pid != pid) {
		if (pc->fd >= 0)
			close(pc->fd);
		pc->pid = pid;
		pc->fd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pc->fd < 0)
			pc->fd = -errno;
	}
	return pc->fd;
}

/*
 * A local fd of @pid's @fd if it is still the buffer @inode: 0 with *@out
 * set (*@own when it is our own fd, not to be closed), or -errno.
 */
static int borrow_fd(struct pidfd_cache *pc, pid_t pid, int fd, uint64_t inode,
		     int *out, int *own)
{
	struct stat st;
	int local;

	*own = pid == getpid();
	if (*own) {
		local = fd;
	} else {
		int pidfd = pidfd_of(pc, pid);

		if (pidfd < 0)
			return pidfd;
		local = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (local < 0)
			return -errno;
	}
	if (fstat(local, &st) || (uint64_t)st.st_ino != inode) {
		if (!*own)
			close(local);
		return -EBADF; /* closed, and the number reused */
	}
	*out = local;
	return 0;
}

static const char *reason_of(int err)
{
	switch (err) {
	case -EPERM:
	case -EACCES:
		return R_EPERM;
	case -ESRCH:
	case -EBADF:
		return R_GONE;
	case -ENOSYS:
		return R_NOSYS;
	case -ENOTTY:
		return R_OLD_MODULE;
	default:
		return R_FAILED;
	}
}

/* Ask BUF_INFO through the first holder's fd that can be borrowed. */
static void lookup(struct ls_cgroup *cg, const struct dmabuf_share_buffer *b,
		   int dev_fd, uint64_t inode, struct pidfd_cache *pc)
{
	size_t i, n = dmabuf_share_buffer_holder_count(b);
	int fd, local = -1, own = 0, err = 0, charged = 0;
	uint64_t id = 0;
	pid_t pid;

	for (i = 0; i < n && !dmabuf_share_buffer_holder(b, i, &pid, &fd);
	     i++) {
		if (fd < 0)
			continue;
		err = borrow_fd(pc, pid, fd, inode, &local, &own);
		if (err)
			continue;
		err = dmabuf_share_buffer_cgroup(dev_fd, local, &id, &charged);
		if (!own)
			close(local);
		if (!err) {
			cg->state = LS_CG_KNOWN;
			cg->id = id;
			cg->charged = charged;
			return;
		}
	}
	cg->reason = err ? reason_of(err) : R_NO_FD;
}

struct ls_cgroups *ls_cgroups_read(const struct dmabuf_share_inventory *inv,
				   const char *dev)
{
	struct ls_cgroups *c = calloc(1, sizeof(*c));
	struct pidfd_cache pc = { 0, -ESRCH };
	struct dmabuf_share_desc d;
	int dev_fd = -1, dev_err = 1;
	size_t i;

	if (!c)
		return NULL;
	/* No inventory: only ls_cgroup_path() will be asked. */
	c->count = inv ? dmabuf_share_inventory_count(inv) : 0;
	c->bufs = calloc(c->count ? c->count : 1, sizeof(*c->bufs));
	if (!c->bufs) {
		free(c);
		return NULL;
	}
	for (i = 0; i < c->count; i++) {
		const struct dmabuf_share_buffer *b =
			dmabuf_share_inventory_buffer(inv, i);
		struct ls_cgroup *cg = &c->bufs[i];

		DMABUF_SHARE_STRUCT_INIT(&d);
		if (dmabuf_share_buffer_desc(b, &d) ||
		    strcmp(d.exp_name, LS_OUR_EXPORTER))
			continue;
		cg->state = LS_CG_UNKNOWN;
		/* Opened at the first buffer of ours, and only then. */
		if (dev_err == 1) {
			dev_err = dmabuf_share_exporter_open(dev, &dev_fd);
			if (dev_err &&
			    asprintf(&c->dev_error, "open %s: %s", dev,
				     dmabuf_share_strerror(dev_err)) < 0)
				c->dev_error = NULL;
		}
		if (dev_err)
			cg->reason = R_NO_DEVICE;
		else
			lookup(cg, b, dev_fd, d.inode, &pc);
	}
	for (i = 0; i < c->count; i++)
		if (c->bufs[i].state == LS_CG_KNOWN)
			c->bufs[i].path = ls_cgroup_path(c, c->bufs[i].id);
	if (pc.fd >= 0)
		close(pc.fd);
	if (dev_fd >= 0)
		close(dev_fd);
	return c;
}

const struct ls_cgroup *ls_cgroups_get(const struct ls_cgroups *c, size_t index)
{
	static const struct ls_cgroup none = { LS_CG_NONE, 0, 0, NULL, NULL };

	return c && index < c->count ? &c->bufs[index] : &none;
}

void ls_cgroups_notes(const struct ls_cgroups *c, FILE *err)
{
	static const char *const reasons[] = { R_NO_DEVICE, R_NO_FD,
					       R_EPERM,	    R_GONE,
					       R_NOSYS,	    R_OLD_MODULE,
					       R_FAILED };
	size_t i, j, n;

	for (j = 0; c && j < sizeof(reasons) / sizeof(reasons[0]); j++) {
		for (i = n = 0; i < c->count; i++)
			n += c->bufs[i].state == LS_CG_UNKNOWN &&
			     c->bufs[i].reason == reasons[j];
		if (!n)
			continue;
		fprintf(err, "note: memory cgroup unknown for %zu buffer%s: %s",
			n, n == 1 ? "" : "s", reasons[j]);
		if (reasons[j] == R_NO_DEVICE && c->dev_error)
			fprintf(err, " (%s)", c->dev_error);
		fputc('\n', err);
	}
}

void ls_cgroups_free(struct ls_cgroups *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->ndirs; i++)
		free(c->dirs[i].path);
	free(c->dirs);
	free(c->bufs);
	free(c->dev_error);
	free(c);
}
