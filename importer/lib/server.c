// SPDX-License-Identifier: MIT
/*
 * The serving side: one process owns a buffer and hands it to every client
 * that connects.  Each connection carries exactly one message (header and
 * fd) and is closed, so the server keeps no per-client state.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
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
};

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
dmabuf_share_server_create(const char *path, int buf_fd, uint64_t offset,
			   const char *name,
			   struct dmabuf_share_server **server)
{
	struct dmabuf_share_server *srv;
	uint64_t size;
	int ret;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	ret = dbs_unix_addr(path, &srv->addr);
	if (!ret)
		ret = dmabuf_share_size(buf_fd, &size);
	if (!ret)
		ret = dmabuf_share_header_init(&srv->hdr, size, offset, name);
	if (!ret)
		ret = listen_at(srv);
	if (ret) {
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
	free(server);
}
