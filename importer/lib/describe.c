// SPDX-License-Identifier: MIT
/*
 * Describe a dma-buf from what procfs shows about it.  fdinfo is the only
 * place userspace can read a dma-buf's exporter and name; its inode number
 * is the buffer's identity across processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "private.h"

_Static_assert(sizeof(struct dmabuf_share_desc) == DBS_DESC_SIZE_V1,
	       "fields are appended only");

/* Copy @src into @dst, cut to fit and always NUL-terminated. */
static void copy_field(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

/* Split "key:\tvalue\n" in place; returns the value or NULL. */
static char *fdinfo_value(char *line, const char *key)
{
	size_t klen = strlen(key);
	char *v;

	if (strncmp(line, key, klen) || line[klen] != ':')
		return NULL;
	v = line + klen + 1;
	v += strspn(v, " \t");
	v[strcspn(v, "\n")] = '\0';
	return v;
}

/* Apply one fdinfo line to @desc; returns 1 when it was exp_name. */
static int fdinfo_line(char *line, struct dmabuf_share_desc *desc)
{
	char *v;

	v = fdinfo_value(line, "size");
	if (v) {
		desc->size = strtoull(v, NULL, 10);
		return 0;
	}
	v = fdinfo_value(line, "name");
	if (v) {
		copy_field(desc->name, sizeof(desc->name), v);
		return 0;
	}
	v = fdinfo_value(line, "exp_name");
	if (v) {
		copy_field(desc->exp_name, sizeof(desc->exp_name), v);
		return 1;
	}
	return 0;
}

int dbs_parse_fdinfo(FILE *f, struct dmabuf_share_desc *desc)
{
	struct dmabuf_share_desc d;
	char *line = NULL;
	size_t cap = 0;
	int is_dmabuf = 0;

	memset(&d, 0, sizeof(d));
	while (getline(&line, &cap, f) >= 0)
		is_dmabuf |= fdinfo_line(line, &d);
	free(line);
	/* Only dma_buf_show_fdinfo() prints exp_name: nothing else is one. */
	if (!is_dmabuf)
		return -ENOTTY;
	*desc = d;
	return 0;
}

/* "/proc/self/..." for pid 0, so a process can describe itself anywhere. */
static void proc_path(char *buf, size_t len, pid_t pid, const char *dir, int fd)
{
	if (pid)
		snprintf(buf, len, "/proc/%d/%s/%d", (int)pid, dir, fd);
	else
		snprintf(buf, len, "/proc/self/%s/%d", dir, fd);
}

static int read_fdinfo(pid_t pid, int fd, struct dmabuf_share_desc *desc)
{
	char path[64];
	FILE *f;
	int ret;

	proc_path(path, sizeof(path), pid, "fdinfo", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ret = dbs_parse_fdinfo(f, desc);
	fclose(f);
	return ret;
}

int dbs_describe_pid(pid_t pid, int fd, struct dmabuf_share_desc *desc)
{
	struct dmabuf_share_desc d;
	struct stat st;
	char path[64];
	int ret;

	/* stat() follows the fd's magic link to the buffer's own inode. */
	proc_path(path, sizeof(path), pid, "fd", fd);
	if (stat(path, &st))
		return -errno;
	ret = read_fdinfo(pid, fd, &d);
	if (ret)
		return ret;
	d.inode = (uint64_t)st.st_ino;
	d.struct_size = sizeof(d);
	*desc = d;
	return 0;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_describe_pid(pid_t pid, int fd, struct dmabuf_share_desc *desc)
{
	struct dmabuf_share_desc d;
	int ret;

	ret = dbs_struct_check(desc, DBS_DESC_SIZE_V1);
	if (!ret)
		ret = dbs_describe_pid(pid, fd, &d);
	if (!ret)
		dbs_struct_copy(desc, &d, sizeof(d));
	return ret;
}

DMABUF_SHARE_EXPORT int dmabuf_share_describe(int fd,
					      struct dmabuf_share_desc *desc)
{
	/* Say EBADF for a closed fd, not procfs's ENOENT. */
	if (fcntl(fd, F_GETFD) < 0)
		return -errno;
	return dmabuf_share_describe_pid(0, fd, desc);
}
