// SPDX-License-Identifier: GPL-2.0
/*
 * Measurements across processes: hand-off of one fd over SCM_RIGHTS to a
 * receiver, and fan-out of one buffer to many processes at once.  In both
 * the producer writes a pattern first and the consumers read it back, so a
 * wrong page is caught, not just timed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "dmabuf_share.h"
#include "run.h"

/* The sender's request and the receiver's answer. */
struct handoff_msg {
	uint64_t size, seed;
};

struct handoff_reply {
	double done_us;
	long faults;
	size_t bad;
};

/* The importer library's SCM_RIGHTS calls: 0 or -errno. */
static int send_fd(int sock, int fd, const void *data, size_t len)
{
	return dmabuf_share_send_fd(sock, fd, data, len, -1);
}

/* The fd passed with exactly @len bytes, or -1 (also at end of stream). */
static int recv_fd(int sock, void *data, size_t len)
{
	size_t got;
	int fd;

	if (dmabuf_share_recv_fd(sock, data, len, 0, -1, &got, &fd))
		return -1;
	if (got != len) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Map what arrives, read every page, report when done; until EOF. */
static void receiver(int sock)
{
	struct handoff_reply rep;
	struct handoff_msg msg;
	struct buf b;

	while ((b.fd = recv_fd(sock, &msg, sizeof(msg))) >= 0) {
		long f0 = minor_faults();
		void *m;

		b.size = msg.size;
		m = map_shared(&b);
		memset(&rep, 0, sizeof(rep));
		rep.bad = m ? check_pages(m, b.size, msg.seed) : b.size / PAGE;
		rep.done_us = now_us();
		rep.faults = minor_faults() - f0;
		if (m)
			munmap(m, b.size);
		buf_free(&b);
		if (write(sock, &rep, sizeof(rep)) != sizeof(rep))
			break;
	}
	_exit(0);
}

/* Allocate and fill, then time from sendmsg() to the receiver's last read. */
static int one_handoff(const struct provider *p, int sock, size_t size,
		       uint64_t seed, double *us, double *faults)
{
	struct handoff_msg msg = { .size = size, .seed = seed };
	struct handoff_reply rep;
	struct buf b;
	double t0;
	int ret = buf_alloc_filled(p, size, seed, &b);

	if (ret)
		return ret;
	t0 = now_us();
	ret = send_fd(sock, b.fd, &msg, sizeof(msg));
	if (!ret && read(sock, &rep, sizeof(rep)) != sizeof(rep))
		ret = -EPIPE;
	if (!ret && rep.bad)
		ret = -EILSEQ; /* the receiver saw other data than was sent */
	*us = rep.done_us - t0;
	*faults = (double)rep.faults;
	buf_free(&b);
	return ret;
}

void measure_handoff(const struct bench_opts *o, size_t size)
{
	struct run r;
	int sv[2], rep, i, k;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		perror("socketpair");
		exit(1);
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		receiver(sv[1]);
	}
	close(sv[1]);
	run_init(&r, size, o->reps);
	for (rep = 0; rep < r.reps; rep++)
		for (i = 0; i < nr_providers; i++) {
			k = run_turn(&r, rep, i);
			if (k < 0)
				continue;
			run_check(&r, k, "hand-off",
				  one_handoff(&providers[k], sv[0], size,
					      (uint64_t)rep << 32,
					      &r.v[0][k][rep],
					      &r.v[1][k][rep]));
			provider_settle(&providers[k]);
		}
	close(sv[0]);
	waitpid(pid, NULL, 0);
	run_report(&r, 0, "handoff", "us", "send to receiver's full read");
	run_report(&r, 1, "handoff-faults", "faults", "in the receiver");
	run_free(&r);
}

/* Shared with the fan-out children: their results, and a start count. */
struct fanout_board {
	volatile int ready;
	struct {
		double done_us;
		long faults;
		size_t bad;
	} child[];
};

static void fanout_child(struct fanout_board *fb, int n, int start,
			 const struct buf *b)
{
	double done;
	size_t bad;
	long f0, f;
	char c;
	void *m;

	/* Take the fork's own faults (stack, board, clock) before counting. */
	fb->child[n].done_us = now_us();
	__sync_fetch_and_add(&fb->ready, 1);
	if (read(start, &c, 1) < 0) /* EOF: everyone starts at once */
		_exit(1);
	f0 = minor_faults();
	m = map_shared(b);
	bad = m ? check_pages(m, b->size, 7) : b->size / PAGE;
	f = minor_faults() - f0;
	done = now_us();
	fb->child[n].bad = bad;
	fb->child[n].faults = f;
	fb->child[n].done_us = done;
	_exit(0);
}

/* Fork @procs readers of @b, release them together, wait for the last. */
static int fanout_once(const struct buf *b, int procs, struct fanout_board *fb,
		       double *us, double *faults)
{
	double t0, last = 0;
	int start[2], n, ret = 0;

	if (pipe(start))
		return -errno;
	fb->ready = 0;
	for (n = 0; n < procs; n++)
		if (fork() == 0) {
			close(start[1]);
			fanout_child(fb, n, start[0], b);
		}
	close(start[0]);
	while (fb->ready < procs)
		usleep(1000);
	t0 = now_us();
	close(start[1]);
	for (n = 0; n < procs; n++)
		if (wait(NULL) < 0)
			ret = -errno;
	*faults = 0;
	for (n = 0; n < procs; n++) {
		*faults += (double)fb->child[n].faults;
		if (fb->child[n].done_us > last)
			last = fb->child[n].done_us;
		if (fb->child[n].bad)
			ret = -EILSEQ;
	}
	*us = last - t0;
	return ret;
}

static int one_fanout(const struct provider *p, size_t size, int procs,
		      struct fanout_board *fb, double *us, double *faults)
{
	struct buf b;
	int ret = buf_alloc_filled(p, size, 7, &b);

	if (ret)
		return ret;
	ret = fanout_once(&b, procs, fb, us, faults);
	buf_free(&b);
	return ret;
}

/*
 * @o->fanout_procs processes map one buffer at once and read every page:
 * wall time from their release to the last one done, and all their faults.
 */
void measure_fanout(const struct bench_opts *o, size_t size)
{
	size_t len = sizeof(struct fanout_board) +
		     (size_t)o->fanout_procs *
			     sizeof(((struct fanout_board *)0)->child[0]);
	struct fanout_board *fb;
	char note[64];
	struct run r;
	int rep, i, k;

	fb = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	if (fb == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	run_init(&r, size, o->fanout_reps);
	for (rep = 0; rep < r.reps; rep++)
		for (i = 0; i < nr_providers; i++) {
			k = run_turn(&r, rep, i);
			if (k < 0)
				continue;
			run_check(&r, k, "fan-out",
				  one_fanout(&providers[k], size,
					     o->fanout_procs, fb,
					     &r.v[0][k][rep], &r.v[1][k][rep]));
			provider_settle(&providers[k]);
		}
	snprintf(note, sizeof(note), "%d processes", o->fanout_procs);
	run_report(&r, 0, "fanout", "us", note);
	run_report(&r, 1, "fanout-faults", "faults", note);
	run_free(&r);
	munmap(fb, len);
}
