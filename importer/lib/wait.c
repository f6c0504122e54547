// SPDX-License-Identifier: MIT
/*
 * Waiting with a deadline.  Every call that waits for another process
 * counts against one deadline, so a signal or a spurious wake-up never
 * makes it wait longer than the caller allowed.
 */
#include <errno.h>
#include <poll.h>

#include "private.h"

int dbs_deadline_start(struct dbs_deadline *d, int timeout_ms)
{
	if (timeout_ms < -1)
		return -EINVAL;
	d->forever = timeout_ms == -1;
	clock_gettime(CLOCK_MONOTONIC, &d->end);
	if (d->forever)
		return 0;
	d->end.tv_sec += timeout_ms / 1000;
	d->end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (d->end.tv_nsec >= 1000000000L) {
		d->end.tv_sec++;
		d->end.tv_nsec -= 1000000000L;
	}
	return 0;
}

int dbs_deadline_left(const struct dbs_deadline *d)
{
	struct timespec now;
	long long ns;

	if (d->forever)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long long)(d->end.tv_sec - now.tv_sec) * 1000000000LL +
	     (d->end.tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	/* Rounded up, so a wait never ends a fraction of a ms early. */
	return (int)((ns + 999999) / 1000000);
}

int dbs_wait_fd(int fd, short events, const struct dbs_deadline *d)
{
	struct pollfd p = { .fd = fd, .events = events };

	for (;;) {
		int n = poll(&p, 1, dbs_deadline_left(d));

		if (n > 0)
			return (p.revents & POLLNVAL) ? -EBADF : 0;
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}
