// SPDX-License-Identifier: MIT
/* Parsing and small helpers shared by the subcommands. */
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_getopt(int argc, char **argv, const struct option *opts)
{
	int c;

	opterr = 0; /* our own messages, in the house format */
	c = getopt_long(argc, argv, ":h", opts, NULL);
	if (c == ':')
		cli_usage("option '%s' needs a value", argv[optind - 1]);
	else if (c == '?')
		cli_usage("unknown option '%s'", argv[optind - 1]);
	return c == ':' ? '?' : c;
}

int cli_options(int argc, char **argv, const struct option *opts,
		void (*help)(void), int (*handle)(int c, void *ctx), void *ctx)
{
	int c;

	while ((c = cli_getopt(argc, argv, opts)) != -1) {
		int ret;

		if (c == 'h') {
			help();
			return CLI_HELP_SHOWN;
		}
		if (c == '?' || !handle)
			return EXIT_USAGE;
		ret = handle(c, ctx);
		if (ret)
			return ret;
	}
	return EXIT_OK;
}

int cli_operand(int argc, char **argv, const char **operand)
{
	int want = operand ? 1 : 0;

	if (optind + want > argc)
		return cli_usage("missing SOCKET");
	if (optind + want < argc)
		return cli_usage("unexpected argument '%s'",
				 argv[optind + want]);
	/* connect("") and bind("") fail with EINVAL: name the mistake. */
	if (operand && !argv[optind][0])
		return cli_usage("SOCKET is empty");
	if (operand)
		*operand = argv[optind];
	return EXIT_OK;
}

static volatile sig_atomic_t hold_ended;

static void end_hold(int sig)
{
	(void)sig;
	hold_ended = 1;
}

/*
 * SIGUSR1 ends a hold early, so a script (or a test) that is done with the
 * holder need not guess how long its own checks will take.  The handler is
 * in place before the "holding" line is printed: whoever reacts to that
 * line can never kill us with SIGUSR1's default action.
 */
void cli_hold(unsigned int seconds, const char *what)
{
	struct timespec left = { .tv_sec = seconds, .tv_nsec = 0 };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = end_hold; /* no SA_RESTART: nanosleep sees EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	printf("holding the %s for %u s (SIGUSR1 ends it sooner)\n", what,
	       seconds);
	while (!hold_ended && nanosleep(&left, &left) && errno == EINTR)
		;
}

const char *cli_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%llu bytes (%.1f %s)",
			 (unsigned long long)bytes, v, unit[u]);
	return buf;
}

int cli_ms_left(int total_ms, const struct timespec *start)
{
	struct timespec now;
	long long elapsed;

	if (total_ms < 0)
		return -1;
	/* One reading: two could straddle the limit and give below 0. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed = (now.tv_sec - start->tv_sec) * 1000LL +
		  (now.tv_nsec - start->tv_nsec) / 1000000;
	return elapsed >= total_ms ? 0 : (int)(total_ms - elapsed);
}

static int receive_failed(const char *sock, int err, unsigned int timeout_s)
{
	char why[128];

	if (err != -ETIMEDOUT)
		return cli_fail("receive", err, "receive a buffer from %s",
				sock);
	snprintf(why, sizeof(why),
		 "timed out after %u s waiting for the server to send it",
		 timeout_s);
	return cli_fail_why(why, cli_hint("receive", err),
			    "receive a buffer from %s", sock);
}

static int connect_failed(const char *sock, int err, unsigned int timeout_s)
{
	char why[128];

	if (err != -ETIMEDOUT)
		return cli_fail_socket("connect", err, sock);
	snprintf(why, sizeof(why),
		 "timed out after %u s waiting for the server to accept",
		 timeout_s);
	return cli_fail_why(why, cli_hint("connect", err), "connect to %s",
			    sock);
}

int cli_receive(const char *sock, unsigned int timeout_s,
		struct dmabuf_share_header *hdr, int *fd,
		struct dmabuf_share_desc *desc, pid_t *server_pid)
{
	int ms = cli_timeout_ms(timeout_s), sk = -1, ret;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	ret = dmabuf_share_connect(sock, 0, &sk, server_pid, ms);
	if (ret)
		return connect_failed(sock, ret, timeout_s);
	/* One limit for the whole exchange, as --timeout promises. */
	ms = cli_ms_left(ms, &start);
	ret = dmabuf_share_receive(sk, DMABUF_SHARE_RECV_DMABUF, hdr, fd, ms);
	close(sk);
	if (ret)
		return receive_failed(sock, ret, timeout_s);
	DMABUF_SHARE_STRUCT_INIT(desc);
	ret = dmabuf_share_describe(*fd, desc);
	if (ret) {
		close(*fd);
		return cli_fail("describe", ret,
				"describe the received buffer");
	}
	return EXIT_OK;
}
