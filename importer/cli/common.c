// SPDX-License-Identifier: MIT
/* Parsing and small helpers shared by the subcommands. */
#include <errno.h>
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
	if (operand)
		*operand = argv[optind];
	return EXIT_OK;
}

/* Binary unit suffix -> shift; 0 for none, -1 for an unknown suffix. */
static int suffix_shift(const char *s)
{
	if (!*s)
		return 0;
	if (s[1] && !(s[1] == 'i' && s[2] == 'B' && !s[3]))
		return -1;
	switch (*s) {
	case 'K':
	case 'k':
		return 10;
	case 'M':
	case 'm':
		return 20;
	case 'G':
	case 'g':
		return 30;
	}
	return -1;
}

int cli_parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;
	int shift;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	shift = suffix_shift(end);
	if (errno || end == s || shift < 0 || v == 0)
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -EINVAL;
	*bytes = (uint64_t)v << shift;
	return 0;
}

int cli_parse_seconds(const char *s, unsigned int *seconds)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 86400UL * 365)
		return -EINVAL;
	*seconds = (unsigned int)v;
	return 0;
}

void cli_hold(unsigned int seconds)
{
	struct timespec left = { .tv_sec = seconds, .tv_nsec = 0 };

	while (nanosleep(&left, &left) && errno == EINTR)
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

int cli_receive(const char *sock, struct dmabuf_share_header *hdr, int *fd,
		struct dmabuf_share_desc *desc, pid_t *server_pid)
{
	int sk = -1, ret;

	ret = dmabuf_share_connect(sock, &sk, server_pid);
	if (ret)
		return cli_fail("connect", ret, "connect to %s", sock);
	ret = dmabuf_share_receive(sk, DMABUF_SHARE_RECV_DMABUF, hdr, fd);
	close(sk);
	if (ret)
		return cli_fail("receive", ret, "receive a buffer from %s",
				sock);
	ret = dmabuf_share_describe(*fd, desc);
	if (ret) {
		close(*fd);
		return cli_fail("describe", ret,
				"describe the received buffer");
	}
	return EXIT_OK;
}
