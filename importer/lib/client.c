// SPDX-License-Identifier: MIT
/* The client side of the server in server.c. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "private.h"

/*
 * Receive room past the v1 header, so that a longer header from a newer
 * server is recognised by its version instead of failing as oversized.
 */
#define MSG_MAX 256

DMABUF_SHARE_EXPORT int dmabuf_share_connect(const char *path, int *sock,
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
	/* An AF_UNIX connect interrupted while waiting for room can restart. */
	do {
		ret = connect(s, (struct sockaddr *)&addr, sizeof(addr));
	} while (ret < 0 && errno == EINTR);
	ret = ret < 0 ? -errno : dbs_peer_pid(s, &pid);
	if (ret) {
		dbs_close(s);
		return ret;
	}
	*sock = s;
	if (server_pid)
		*server_pid = pid;
	return 0;
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

DMABUF_SHARE_EXPORT int dmabuf_share_receive(int sock, unsigned int flags,
					     struct dmabuf_share_header *hdr,
					     int *buf_fd)
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
	ret = dmabuf_share_recv_fd(sock, msg.raw, sizeof(msg.raw), 0, &len,
				   &fd);
	if (ret)
		return ret;
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
					    int *buf_fd, pid_t *server_pid)
{
	pid_t pid = 0;
	int sock = -1, ret;

	ret = dmabuf_share_connect(path, &sock, &pid);
	if (ret)
		return ret;
	ret = dmabuf_share_receive(sock, flags, hdr, buf_fd);
	dbs_close(sock);
	if (!ret && server_pid)
		*server_pid = pid;
	return ret;
}
