// SPDX-License-Identifier: MIT
/*
 * Who holds which dma-buf, from /proc: fds (fd links and fdinfo) and
 * mappings (maps lines).  Processes that vanish mid-walk or that the caller
 * may not inspect are skipped; the latter are counted so `ls` can say so.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"

int dbs_is_dmabuf_path(const char *path)
{
	/* "anon_inode:dmabuf" is what kernels before 5.3 showed. */
	return !strncmp(path, "/dmabuf:", 8) ||
	       !strcmp(path, "anon_inode:dmabuf");
}

/* Entry for @inode, described from @desc when it is new. */
static struct dmabuf_share_buffer *
buffer_for(struct dmabuf_share_inventory *inv,
	   const struct dmabuf_share_desc *desc)
{
	struct dmabuf_share_buffer *b = dbs_inv_find(inv, desc->inode);

	/* A buffer first seen as a mapping learns its size from an fd. */
	if (b && !b->desc.exp_name[0] && desc->exp_name[0])
		b->desc = *desc;
	if (b)
		return b;
	b = dbs_inv_add(inv, desc->inode);
	if (b)
		b->desc = *desc;
	return b;
}

static int scan_fd(struct dmabuf_share_inventory *inv, pid_t pid, int fd)
{
	struct dmabuf_share_buffer *b;
	struct dmabuf_share_desc desc;
	char link[64], target[256];
	ssize_t n;

	/* The link is cheap to read; fdinfo is opened only for dma-bufs. */
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	if (!dbs_is_dmabuf_path(target) || dbs_describe_pid(pid, fd, &desc))
		return 0;
	b = buffer_for(inv, &desc);
	return b ? dbs_buffer_add_holder(b, pid, fd) : -ENOMEM;
}

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h */

int dbs_is_kernel_thread(pid_t pid)
{
	char path[64], buf[512], *p;
	unsigned long flags = 0;
	FILE *f;

	/* "pid (comm) state ppid pgrp session tty tpgid flags ...": comm
	 * may hold spaces and parentheses, so fields start after the last ')'.
	 */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p &&
	       sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 &&
	       (flags & PF_KTHREAD) != 0;
}

/*
 * Returns 1 when the process's fds are hidden from the caller.  Kernel
 * threads hide theirs from everyone but root, and hold no dma-buf fd:
 * they do not count.
 */
static int scan_fds(struct dmabuf_share_inventory *inv, pid_t pid, int *err)
{
	struct dirent *de;
	char path[64];
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return errno == EACCES && !dbs_is_kernel_thread(pid);
	while (!*err && (de = readdir(dir)) != NULL)
		if (isdigit((unsigned char)de->d_name[0]))
			*err = scan_fd(inv, pid, atoi(de->d_name));
	closedir(dir);
	return 0;
}

/* A maps line: "start-end perms offset dev inode path". */
static int scan_map_line(struct dmabuf_share_inventory *inv, pid_t pid,
			 char *line)
{
	struct dmabuf_share_desc desc;
	struct dmabuf_share_buffer *b;
	unsigned long long ino;
	int pos = 0;
	char *path;

	if (sscanf(line, "%*s %*s %*s %*s %llu %n", &ino, &pos) != 1 || !pos)
		return 0;
	path = line + pos;
	path[strcspn(path, "\n")] = '\0';
	if (!dbs_is_dmabuf_path(path))
		return 0;
	/* A mapping alone tells the name, not the size or the exporter. */
	memset(&desc, 0, sizeof(desc));
	desc.struct_size = sizeof(desc);
	desc.inode = ino;
	if (path[0] == '/')
		snprintf(desc.name, sizeof(desc.name), "%s", path + 8);
	b = buffer_for(inv, &desc);
	return b ? dbs_buffer_add_holder(b, pid, -1) : -ENOMEM;
}

static int scan_maps(struct dmabuf_share_inventory *inv, pid_t pid)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!ret && getline(&line, &cap, f) >= 0)
		ret = scan_map_line(inv, pid, line);
	free(line);
	fclose(f);
	return ret;
}

int dbs_scan_proc(struct dmabuf_share_inventory *inv)
{
	struct dirent *de;
	int ret = 0;
	pid_t pid;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while (!ret && (de = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		/* fds first: their fdinfo describes what the maps only name. */
		inv->nr_hidden_pids += (size_t)scan_fds(inv, pid, &ret);
		if (!ret)
			ret = scan_maps(inv, pid);
	}
	closedir(dir);
	if (!ret)
		inv->sources |= DMABUF_SHARE_SRC_PROC;
	return ret;
}
