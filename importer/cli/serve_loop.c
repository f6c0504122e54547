// SPDX-License-Identifier: MIT
/*
 * The serve loop: hand the buffer to each client that connects until told
 * to stop.  An accept that fails leaves the client queued, so poll() wakes
 * again at once: without a back-off a process out of fds would spin and
 * print the same warning forever.  Each kind of failure is reported once,
 * with a hint, and retried after a pause that doubles up to a second;
 * a success after failures says so.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>

#include "cli.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 1000

struct accept_state {
	int err; /* errno of the failures being retried, 0: none */
	unsigned long failures; /* in a row */
	int backoff_ms;		/* next pause; 0 while accepting works */
	int backing_off;	/* 1 while pausing */
};

static void failed(struct accept_state *st, int err)
{
	const char *hint = cli_hint("accept", err);

	if (st->err != err)
		cli_warn("cannot accept clients: %s (%s%sretrying every "
			 "%d ms at most; waiting clients stay queued)",
			 dmabuf_share_strerror(err), hint ? hint : "",
			 hint ? "; " : "", BACKOFF_MAX_MS);
	st->err = err;
	st->failures++;
	st->backoff_ms = st->backoff_ms ? st->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (st->backoff_ms > BACKOFF_MAX_MS)
		st->backoff_ms = BACKOFF_MAX_MS;
	st->backing_off = 1;
}

static void recovered(struct accept_state *st)
{
	if (st->failures)
		cli_warn("accepting clients again after %lu failed attempts",
			 st->failures);
	st->err = 0;
	st->failures = 0;
	st->backoff_ms = 0;
}

/* Errors that say the listening socket itself is broken: no retry. */
static int fatal(int err)
{
	return err == EBADF || err == EINVAL || err == ENOTSOCK ||
	       err == EOPNOTSUPP || err == EFAULT;
}

static int accept_one(struct dmabuf_share_server *srv, struct accept_state *st,
		      unsigned int *clients)
{
	pid_t pid = 0;
	int ret;

	ret = dmabuf_share_server_accept(srv, &pid, 0);
	if (!ret) {
		recovered(st);
		printf("client pid %d attached (%u so far)\n", (int)pid,
		       ++*clients);
		return EXIT_OK;
	}
	ret = -ret;
	/* The connection went before it was accepted: nothing to do. */
	if (ret == ETIMEDOUT)
		return EXIT_OK;
	/* One client's trouble must not stop the others. */
	if (ret == EPIPE || ret == ECONNRESET || ret == EAGAIN) {
		cli_warn("a client left before receiving the buffer: %s",
			 dmabuf_share_strerror(ret));
		return EXIT_OK;
	}
	if (fatal(ret))
		return cli_fail("accept", ret, "accept clients");
	failed(st, ret);
	return EXIT_OK;
}

int serve_loop(struct dmabuf_share_server *srv, int stop_fd,
	       unsigned int *clients)
{
	struct pollfd pfd[2] = {
		{ .fd = stop_fd, .events = POLLIN },
		{ .fd = dmabuf_share_server_fd(srv), .events = POLLIN },
	};
	struct accept_state st = { 0, 0, 0, 0 };

	for (;;) {
		/* While pausing, only the stop fd is watched. */
		int n = poll(pfd, st.backing_off ? 1 : 2,
			     st.backing_off ? st.backoff_ms : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cli_fail("poll", errno, "wait for clients");
		if (pfd[0].revents)
			return EXIT_OK;
		if (st.backing_off) {
			st.backing_off = n != 0;
			continue;
		}
		if (pfd[1].revents) {
			int ret = accept_one(srv, &st, clients);

			if (ret)
				return ret;
		}
	}
}
