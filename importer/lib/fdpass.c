// SPDX-License-Identifier: MIT
/*
 * Passing one fd over an AF_UNIX socket with SCM_RIGHTS.  The receive side
 * is strict: whatever goes wrong, every fd that arrived is closed, so a
 * misbehaving peer can never leak descriptors into this process.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "private.h"

/*
 * Room for this many fds: a peer that sends a few too many is reported as
 * such (and they are closed); beyond this the kernel drops the rest and
 * says so with MSG_CTRUNC.
 */
#define RECV_MAX_FDS 8

/* One payload buffer plus a control buffer: every message here. */
static void init_msg(struct msghdr *msg, struct iovec *iov, void *ctl,
		     size_t ctl_len)
{
	memset(msg, 0, sizeof(*msg));
	msg->msg_iov = iov;
	msg->msg_iovlen = 1;
	msg->msg_control = ctl;
	msg->msg_controllen = ctl_len;
}

/* sendmsg() without blocking; wait for room until @d passes. */
static ssize_t send_until(int sock, const struct msghdr *msg,
			  const struct dbs_deadline *d)
{
	int ret;

	for (;;) {
		ssize_t n = sendmsg(sock, msg, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		ret = dbs_wait_fd(sock, POLLOUT, d);
		if (ret)
			return ret;
	}
}

DMABUF_SHARE_EXPORT int dmabuf_share_send_fd(int sock, int fd, const void *data,
					     size_t len, int timeout_ms)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct dbs_deadline d;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	ssize_t n;

	/* A stream socket drops ancillary data sent with zero bytes. */
	if (!data || len == 0 || dbs_deadline_start(&d, timeout_ms))
		return -EINVAL;
	memset(&ctl, 0, sizeof(ctl));
	init_msg(&msg, &iov, ctl.buf, sizeof(ctl.buf));
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	n = send_until(sock, &msg, &d);
	if (n < 0)
		return (int)n;
	/* Only a stream socket sends part; the fd went, the message did not. */
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

struct received_fds {
	int fds[RECV_MAX_FDS];
	size_t count;
};

static void close_received(struct received_fds *rx)
{
	size_t i;

	for (i = 0; i < rx->count; i++)
		dbs_close(rx->fds[i]);
	rx->count = 0;
}

/* Collect the fds of every SCM_RIGHTS header, so all of them can be closed. */
static void collect_fds(struct msghdr *msg, struct received_fds *rx)
{
	struct cmsghdr *c;
	size_t n, i;

	rx->count = 0;
	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n && rx->count < RECV_MAX_FDS; i++)
			memcpy(&rx->fds[rx->count++],
			       CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
}

/* Decide what a received message means; 0 only for exactly one fd. */
static int classify(ssize_t n, int msg_flags, const struct received_fds *rx,
		    unsigned int flags)
{
	int dmabuf;

	if (n == 0 && rx->count == 0 && !(msg_flags & MSG_CTRUNC))
		return -ECONNRESET;
	if (msg_flags & MSG_CTRUNC)
		return -ENOBUFS;
	if (rx->count == 0)
		return -ENOMSG;
	if (rx->count > 1)
		return -ETOOMANYREFS;
	if (msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	if (!(flags & DMABUF_SHARE_RECV_DMABUF))
		return 0;
	dmabuf = dmabuf_share_is_dmabuf(rx->fds[0]);
	if (dmabuf < 0)
		return dmabuf;
	return dmabuf ? 0 : -ENOTTY;
}

/*
 * A non-blocking recvmsg() on a SOCK_SEQPACKET socket can return 0, end
 * of file, while the peer's last message is already queued: the kernel
 * (6.1 to 7.2, __unix_dgram_recvmsg()) finds the queue empty, and only
 * then reads the peer's shutdown flag, so a peer that sends and closes
 * between the two is taken for one that closed without sending.  A
 * server does exactly that with every client: in a 2-vCPU TCG guest, 2
 * runs in 15 of the CLI tests lost an attach to it ("the peer hung up"
 * while the server counted the client as served).  The message was queued
 * before the close that made recvmsg() return 0, so a second look finds
 * it; a second 0 is the real end, and nothing at all means the first 0
 * was an empty message from a peer still there.
 */
static ssize_t look_again(int sock, struct msghdr *msg, size_t ctl_len)
{
	ssize_t n;

	do {
		msg->msg_controllen = ctl_len;
		n = recvmsg(sock, msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	return errno == EAGAIN ? -ENOMSG : -errno;
}

static int is_seqpacket(int sock)
{
	socklen_t len = sizeof(int);
	int type = 0;

	return !getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) &&
	       type == SOCK_SEQPACKET;
}

/*
 * recvmsg() without blocking; wait for a message until @d passes.  Without
 * MSG_DONTWAIT a peer that never sends would hold this process forever.
 */
static ssize_t recv_until(int sock, struct msghdr *msg,
			  const struct dbs_deadline *d)
{
	size_t ctl_len = msg->msg_controllen;
	int ret;

	for (;;) {
		ssize_t n = recvmsg(sock, msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

		if (n == 0 && msg->msg_controllen == 0 &&
		    !(msg->msg_flags & MSG_CTRUNC) && is_seqpacket(sock))
			return look_again(sock, msg, ctl_len);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -errno;
		ret = dbs_wait_fd(sock, POLLIN, d);
		if (ret)
			return ret;
	}
}

int dbs_recv_fd(int sock, void *data, size_t len, unsigned int flags,
		int timeout_ms, size_t *received, int *fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * RECV_MAX_FDS)];
	} ctl;
	struct iovec iov = { .iov_base = data, .iov_len = len };
	struct received_fds rx;
	struct dbs_deadline d;
	struct msghdr msg;
	ssize_t n;
	int ret;

	if (flags & ~DMABUF_SHARE_RECV_DMABUF ||
	    dbs_deadline_start(&d, timeout_ms))
		return -EINVAL;
	init_msg(&msg, &iov, ctl.buf, sizeof(ctl.buf));
	n = recv_until(sock, &msg, &d);
	if (n < 0)
		return (int)n;
	collect_fds(&msg, &rx);
	*received = (size_t)n;
	ret = classify(n, msg.msg_flags, &rx, flags);
	if (ret) {
		close_received(&rx);
		return ret;
	}
	*fd = rx.fds[0];
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_recv_fd(int sock, void *data, size_t len,
					     unsigned int flags, int timeout_ms,
					     size_t *received, int *fd)
{
	size_t n = 0;
	int ret = dbs_recv_fd(sock, data, len, flags, timeout_ms, &n, fd);

	if (!ret && received)
		*received = n;
	return ret;
}
