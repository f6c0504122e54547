// SPDX-License-Identifier: MIT
/*
 * Is a server listening on this socket file?  Asked of the kernel's socket
 * table, never by connecting: a connection would reach a live server,
 * which would hand its buffer to the probe and log a client.
 *
 * sock_diag (NETLINK_SOCK_DIAG, unix_diag) names the inode and device of
 * the file each listening socket is bound to: an exact answer.  Where it
 * is missing (CONFIG_UNIX_DIAG is a module that may not be loaded),
 * /proc/net/unix lists listening sockets by the path they were bound with;
 * that path may be spelled differently from ours (relative, through a
 * symlink), so there a listener with the same file name counts as live.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#include "private.h"

#define TCP_LISTEN_STATE 10	  /* what unix sockets report while listening */
#define SO_ACCEPTCON_FLAG 0x10000 /* __SO_ACCEPTCON in /proc/net/unix */

static int diag_request(int nl)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} msg;

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.req.sdiag_family = AF_UNIX;
	msg.req.udiag_states = 1u << TCP_LISTEN_STATE;
	msg.req.udiag_show = UDIAG_SHOW_VFS;
	return send(nl, &msg, sizeof(msg), 0) < 0 ? -errno : 0;
}

/* 1 when this dump entry is bound to the file @st. */
static int diag_matches(const struct nlmsghdr *h, const struct stat *st)
{
	const struct unix_diag_msg *m = NLMSG_DATA(h);
	const struct unix_diag_vfs *v;
	const struct rtattr *a = (const struct rtattr *)(m + 1);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(*m));

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type != UNIX_DIAG_VFS)
			continue;
		v = RTA_DATA(a);
		/* The kernel's dev_t: major in the top 12 bits. */
		return v->udiag_vfs_ino == st->st_ino &&
		       v->udiag_vfs_dev >> 20 == major(st->st_dev) &&
		       (v->udiag_vfs_dev & 0xfffff) == minor(st->st_dev);
	}
	return 0;
}

/* One datagram of the dump: 1 match, 0 none yet, 2 done, or -errno. */
static int diag_batch(const char *buf, ssize_t n, const struct stat *st)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	int len = (int)n;

	for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		if (h->nlmsg_type == NLMSG_DONE)
			return 2;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			return e->error ? e->error : -EPROTO;
		}
		if (diag_matches(h, st))
			return 1;
	}
	return 0;
}

/* 1 listening, 0 not, -errno when sock_diag cannot answer. */
static int diag_listening(const struct stat *st)
{
	long buf[8192 / sizeof(long)];
	int nl, ret;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	ret = diag_request(nl);
	while (!ret) {
		ssize_t n = recv(nl, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		ret = n < 0 ? -errno : diag_batch((const char *)buf, n, st);
	}
	dbs_close(nl);
	return ret == 2 ? 0 : ret;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int dbs_parse_proc_net_unix(FILE *f, const char *path)
{
	char *line = NULL, *p;
	unsigned long flags;
	size_t cap = 0;
	int found = 0, pos;

	while (!found && getline(&line, &cap, f) >= 0) {
		pos = 0;
		/* "Num: RefCount Protocol Flags Type St Inode Path" */
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %n", &flags,
			   &pos) != 1 ||
		    !pos || !(flags & SO_ACCEPTCON_FLAG))
			continue;
		p = line + pos;
		p[strcspn(p, "\n")] = '\0';
		found = *p != '@' && !strcmp(base_name(p), base_name(path));
	}
	free(line);
	return found;
}

static int proc_listening(const char *path)
{
	FILE *f = fopen("/proc/net/unix", "re");
	int ret;

	if (!f)
		return -errno;
	ret = dbs_parse_proc_net_unix(f, path);
	fclose(f);
	return ret;
}

int dbs_socket_is_listening(const char *path, const struct stat *st)
{
	int ret = diag_listening(st);

	if (ret < 0)
		ret = proc_listening(path);
	return ret != 0;
}
