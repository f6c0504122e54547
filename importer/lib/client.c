// SPDX-License-Identifier: MIT
/* The client side of the server in server.c. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "private.h"

/*
 * Receive room past the v1 header, so that a longer header from a newer
 * server is recognised by its version instead of failing as oversized.
 */
#define MSG_MAX 256

/*
 * connect() refuses a path that is no socket the same way as a socket
 * whose server is gone.  Tell the two apart, so the caller hears the
 * real cause.
 */
static int refused_why(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return -ENOTSOCK;
	return -ECONNREFUSED;
}

/*
 * An AF_UNIX connect waits only while the listener's backlog is full (a
 * stopped or overloaded server), for as long as SO_SNDTIMEO allows; a
 * non-blocking one fails at once with EAGAIN.
 */
static int arm_connect(int s, int left_ms)
{
	struct timeval tv = { 0, 0 };

	if (left_ms > 0) {
		tv.tv_sec = left_ms / 1000;
		tv.tv_usec = (left_ms % 1000) * 1000;
	}
	if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -errno;
	if (left_ms == 0 && fcntl(s, F_SETFL, O_NONBLOCK))
		return -errno;
	return 0;
}

static int connect_until(int s, const struct sockaddr_un *addr,
			 const struct dbs_deadline *d)
{
	for (;;) {
		int ret = arm_connect(s, dbs_deadline_left(d));

		if (ret)
			return ret;
		if (!connect(s, (const struct sockaddr *)addr, sizeof(*addr)))
			return 0;
		if (errno != EINTR)
			break;
	}
	if (errno == EAGAIN || errno == EINPROGRESS)
		return -ETIMEDOUT;
	return errno == ECONNREFUSED ? refused_why(addr->sun_path) : -errno;
}

/* Undo what connect_until() set, so the caller gets a plain socket. */
static int plain_socket(int s)
{
	struct timeval tv = { 0, 0 };

	if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    fcntl(s, F_SETFL, 0))
		return -errno;
	return 0;
}

static int connect_by(const char *path, const struct dbs_deadline *d, int *sock,
		      pid_t *server_pid)
{
	struct sockaddr_un addr;
	pid_t pid = 0;
	int s, ret;

	ret = dbs_unix_addr(path, &addr);
	if (ret)
		return ret;
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	ret = connect_until(s, &addr, d);
	if (!ret)
		ret = plain_socket(s);
	if (!ret)
		ret = dbs_peer_pid(s, &pid);
	if (ret) {
		dbs_close(s);
		return ret;
	}
	*sock = s;
	if (server_pid)
		*server_pid = pid;
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_connect(const char *path,
					     unsigned int flags, int *sock,
					     pid_t *server_pid, int timeout_ms)
{
	struct dbs_deadline d;

	if (flags || dbs_deadline_start(&d, timeout_ms))
		return -EINVAL;
	return connect_by(path, &d, sock, server_pid);
}

/*
 * The header describes the buffer that came with it, or neither is
 * trusted.  The header is checked first: a peer that is no dmabuf-share
 * server at all is the clearer diagnosis than the kind of fd it sent.
 */
static int check_message(const void *msg, size_t len, int fd,
			 unsigned int flags)
{
	const struct dmabuf_share_header *h = msg;
	uint64_t size;
	int ret;

	ret = dmabuf_share_header_check(msg, len);
	if (!ret)
		ret = dmabuf_share_size(fd, &size);
	if (!ret && size != h->size)
		ret = -EBADMSG;
	if (!ret && (flags & DMABUF_SHARE_RECV_DMABUF))
		ret = dmabuf_share_is_dmabuf(fd) == 1 ? 0 : -ENOTTY;
	return ret;
}

/*
 * A message refused for its fds or its length is first read as a header:
 * a peer that is no dmabuf-share server at all ("HTTP/1.0 200 OK") is the
 * cause to report, as the header's rule says, not the missing fd.
 */
static int foreign_or(int err, const void *msg, size_t len)
{
	if (err != -ENOMSG && err != -ETOOMANYREFS && err != -EMSGSIZE &&
	    err != -ENOBUFS)
		return err;
	return len && dmabuf_share_header_check(msg, len) == -EPROTO ? -EPROTO :
								       err;
}

DMABUF_SHARE_EXPORT int dmabuf_share_receive(int sock, unsigned int flags,
					     struct dmabuf_share_header *hdr,
					     int *buf_fd, int timeout_ms)
{
	/* Room for any header version; the current one is read at the front. */
	union {
		struct dmabuf_share_header hdr;
		char raw[MSG_MAX];
	} msg;
	size_t len = 0;
	int fd = -1, ret;

	memset(&msg, 0, sizeof(msg));
	if (flags & ~DMABUF_SHARE_RECV_DMABUF)
		return -EINVAL;
	ret = dbs_recv_fd(sock, msg.raw, sizeof(msg.raw), 0, timeout_ms, &len,
			  &fd);
	if (ret)
		return foreign_or(ret, msg.raw, len);
	ret = check_message(msg.raw, len, fd, flags);
	if (ret) {
		dbs_close(fd);
		return ret;
	}
	*hdr = msg.hdr;
	*buf_fd = fd;
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_attach(const char *path,
					    unsigned int flags,
					    struct dmabuf_share_header *hdr,
					    int *buf_fd, pid_t *server_pid,
					    int timeout_ms)
{
	struct dbs_deadline d;
	pid_t pid = 0;
	int sock = -1, ret;

	if (dbs_deadline_start(&d, timeout_ms))
		return -EINVAL;
	ret = connect_by(path, &d, &sock, &pid);
	if (ret)
		return ret;
	/* One deadline for both steps: the receive gets what is left. */
	ret = dmabuf_share_receive(sock, flags, hdr, buf_fd,
				   dbs_deadline_left(&d));
	dbs_close(sock);
	if (!ret && server_pid)
		*server_pid = pid;
	return ret;
}
