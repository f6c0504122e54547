// SPDX-License-Identifier: MIT
/*
 * The serving side: one process owns a buffer and hands it to every client
 * that connects.  Each connection carries exactly one message (header and
 * fd) and is closed, so the server keeps no per-client state.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/file.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "private.h"

struct dmabuf_share_server {
	int sock;   /* listening, SOCK_SEQPACKET, non-blocking */
	int buf_fd; /* borrowed from the caller */
	struct dmabuf_share_header hdr; /* sent to every client */
	struct sockaddr_un addr;	/* unlinked on destroy */
	pid_t owner;			/* only this process unlinks */
	dev_t dev;			/* the socket file we bound, so */
	ino_t ino;			/* destroy never unlinks another's */
	int lock_fd;			/* flock()ed while we serve */
	struct stat lock_st;		/* the lock file we hold */
	char lock_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 5];
};

/*
 * The lock file beside the socket, "PATH.lock", is Wayland's answer to
 * "is a server alive on this path?": a live server holds flock() on it
 * for as long as it serves, and the kernel drops the lock when the
 * server dies however it dies.  Unlike the socket table, the lock is seen
 * from every network namespace, and taken before bind() it leaves no
 * window between bind() and listen() in which a second server could
 * judge the first one stale.
 */
static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int take_lock(struct dmabuf_share_server *srv)
{
	struct stat now;
	int ret;

	for (;;) {
		/* Read-only is enough for flock(), and works on others' files. */
		int fd = open(srv->lock_path,
			      O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
			      0644);
		if (fd < 0)
			return -errno;
		do {
			ret = flock(fd, LOCK_EX | LOCK_NB) ? -errno : 0;
		} while (ret == -EINTR);
		if (ret) {
			dbs_close(fd);
			return ret == -EWOULDBLOCK ? -EADDRINUSE : ret;
		}
		/*
		 * The previous owner unlinks its lock file on destroy; a lock
		 * won on such an unlinked file guards nothing: open again.
		 */
		if (fstat(fd, &srv->lock_st) == 0 &&
		    stat(srv->lock_path, &now) == 0 &&
		    same_file(&srv->lock_st, &now)) {
			srv->lock_fd = fd;
			return 0;
		}
		dbs_close(fd);
	}
}

/* Remove our lock file (if it is still ours) and drop the lock. */
static void drop_lock(struct dmabuf_share_server *srv, int unlink_it)
{
	struct stat now;

	if (srv->lock_fd < 0)
		return;
	if (unlink_it && stat(srv->lock_path, &now) == 0 &&
	    same_file(&srv->lock_st, &now))
		unlink(srv->lock_path);
	dbs_close(srv->lock_fd);
	srv->lock_fd = -1;
}

/*
 * Why bind() found @path taken: -ENOTSOCK for a file that is no socket
 * (never replaced), -EADDRINUSE while a server listens on it, 0 for a
 * stale socket, which is then removed.
 */
static int clear_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	if (dbs_socket_is_listening(path, &st))
		return -EADDRINUSE;
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

static int bind_replacing_stale(int s, const struct sockaddr_un *addr)
{
	const struct sockaddr *sa = (const struct sockaddr *)addr;
	int ret;

	if (bind(s, sa, sizeof(*addr)) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return -errno;
	ret = clear_stale(addr->sun_path);
	if (ret)
		return ret;
	return bind(s, sa, sizeof(*addr)) ? -errno : 0;
}

static int listen_at(struct dmabuf_share_server *srv)
{
	struct stat st;
	int s, ret;

	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	ret = bind_replacing_stale(s, &srv->addr);
	if (!ret && listen(s, SOMAXCONN))
		ret = -errno;
	if (!ret && lstat(srv->addr.sun_path, &st))
		ret = -errno;
	if (ret) {
		dbs_close(s);
		return ret;
	}
	srv->sock = s;
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	return 0;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_server_create(const char *path, unsigned int flags, int buf_fd,
			   uint64_t offset, const char *name,
			   struct dmabuf_share_server **server)
{
	struct dmabuf_share_server *srv;
	uint64_t size;
	int ret;

	if (flags)
		return -EINVAL;
	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->lock_fd = -1;
	ret = dbs_unix_addr(path, &srv->addr);
	if (!ret)
		ret = dmabuf_share_size(buf_fd, &size);
	if (!ret)
		ret = dmabuf_share_header_init(&srv->hdr, size, offset, name);
	if (!ret) {
		snprintf(srv->lock_path, sizeof(srv->lock_path), "%s.lock",
			 path);
		ret = take_lock(srv);
	}
	if (!ret)
		ret = listen_at(srv);
	if (ret) {
		/* Held, so ours: a lock file for a path we do not serve goes. */
		drop_lock(srv, 1);
		free(srv);
		return ret;
	}
	srv->buf_fd = buf_fd;
	srv->owner = getpid();
	*server = srv;
	return 0;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_server_fd(const struct dmabuf_share_server *server)
{
	return server->sock;
}

/* accept4() on the non-blocking listener, waiting until @d passes. */
static int accept_until(int sock, const struct dbs_deadline *d)
{
	int ret;

	for (;;) {
		int conn = accept4(sock, NULL, NULL, SOCK_CLOEXEC);

		if (conn >= 0)
			return conn;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EAGAIN)
			return -errno;
		ret = dbs_wait_fd(sock, POLLIN, d);
		if (ret)
			return ret;
	}
}

DMABUF_SHARE_EXPORT int
dmabuf_share_server_accept(struct dmabuf_share_server *server,
			   pid_t *client_pid, int timeout_ms)
{
	struct dbs_deadline d;
	pid_t pid = 0;
	int conn, ret;

	if (dbs_deadline_start(&d, timeout_ms))
		return -EINVAL;
	conn = accept_until(server->sock, &d);
	if (conn < 0)
		return conn;
	ret = dbs_peer_pid(conn, &pid);
	/* A new connection has room for one message: never wait here. */
	if (!ret)
		ret = dmabuf_share_send_fd(conn, server->buf_fd, &server->hdr,
					   sizeof(server->hdr), 0);
	if (ret == -ETIMEDOUT)
		ret = -EAGAIN;
	/* The message stays queued for the client after this close. */
	dbs_close(conn);
	if (ret)
		return ret;
	if (client_pid)
		*client_pid = pid;
	return 0;
}

/* Whether @path is still the socket file this server bound. */
static int still_ours(const struct dmabuf_share_server *server)
{
	struct stat st;

	return lstat(server->addr.sun_path, &st) == 0 &&
	       st.st_dev == server->dev && st.st_ino == server->ino;
}

DMABUF_SHARE_EXPORT void
dmabuf_share_server_destroy(struct dmabuf_share_server *server)
{
	if (!server)
		return;
	/* A forked child closing its copy must not take the path away. */
	if (server->owner == getpid() && still_ours(server))
		unlink(server->addr.sun_path);
	dbs_close(server->sock);
	/* The socket goes first: a lock-holder's path is never missing. */
	drop_lock(server, server->owner == getpid());
	free(server);
}
