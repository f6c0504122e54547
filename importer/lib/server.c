// SPDX-License-Identifier: MIT
/*
 * The serving side: one process owns a buffer and hands it to every client
 * that connects.  Each connection carries exactly one message (header and
 * fd) and is closed, so the server keeps no per-client state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "private.h"

struct dmabuf_share_server {
	int sock;			/* listening, SOCK_SEQPACKET */
	int buf_fd;			/* borrowed from the caller */
	struct dmabuf_share_header hdr; /* sent to every client */
	struct sockaddr_un addr;	/* unlinked on destroy */
};

/*
 * A socket file whose server died refuses connections.  Only then is it
 * safe to unlink: a live server or a file that is not a socket stays.
 */
static int is_stale_socket(const struct sockaddr_un *addr)
{
	struct stat st;
	int s, ret;

	if (stat(addr->sun_path, &st) || !S_ISSOCK(st.st_mode))
		return 0;
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return 0;
	ret = connect(s, (const struct sockaddr *)addr, sizeof(*addr));
	ret = ret < 0 && errno == ECONNREFUSED;
	dbs_close(s);
	return ret;
}

static int bind_replacing_stale(int s, const struct sockaddr_un *addr)
{
	const struct sockaddr *sa = (const struct sockaddr *)addr;

	if (bind(s, sa, sizeof(*addr)) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return -errno;
	if (!is_stale_socket(addr))
		return -EADDRINUSE;
	if (unlink(addr->sun_path))
		return -errno;
	return bind(s, sa, sizeof(*addr)) ? -errno : 0;
}

static int listen_at(const struct sockaddr_un *addr, int *sock)
{
	int s, ret;

	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	ret = bind_replacing_stale(s, addr);
	if (!ret && listen(s, SOMAXCONN))
		ret = -errno;
	if (ret) {
		dbs_close(s);
		return ret;
	}
	*sock = s;
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
		ret = listen_at(&srv->addr, &srv->sock);
	if (ret) {
		free(srv);
		return ret;
	}
	srv->buf_fd = buf_fd;
	*server = srv;
	return 0;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_server_fd(const struct dmabuf_share_server *server)
{
	return server->sock;
}

DMABUF_SHARE_EXPORT int
dmabuf_share_server_accept(struct dmabuf_share_server *server,
			   pid_t *client_pid)
{
	pid_t pid = 0;
	int conn, ret;

	do {
		conn = accept4(server->sock, NULL, NULL, SOCK_CLOEXEC);
	} while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return -errno;
	ret = dbs_peer_pid(conn, &pid);
	if (!ret)
		ret = dmabuf_share_send_fd(conn, server->buf_fd, &server->hdr,
					   sizeof(server->hdr));
	/* The message stays queued for the client after this close. */
	dbs_close(conn);
	if (ret)
		return ret;
	if (client_pid)
		*client_pid = pid;
	return 0;
}

DMABUF_SHARE_EXPORT void
dmabuf_share_server_destroy(struct dmabuf_share_server *server)
{
	if (!server)
		return;
	dbs_close(server->sock);
	unlink(server->addr.sun_path);
	free(server);
}
