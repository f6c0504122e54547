// SPDX-License-Identifier: MIT
/*
 * dmabuf-share attach: receive a served buffer, map it, verify and/or
 * write it, optionally keep the mapping for a while and check it again.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "cli.h"

struct attach_opts {
	const char *sock;
	int verify_given, write_given;
	struct pattern verify, write;
	unsigned int hold;
	unsigned int timeout;
};

static void attach_help(void)
{
	printf("Usage: dmabuf-share attach SOCKET [--verify PATTERN] "
	       "[--write PATTERN]\n"
	       "                           [--hold SECONDS] [--timeout SECONDS]"
	       "\n\n"
	       "Receive the buffer served on SOCKET, map it and report what "
	       "was received.\n\n"
	       "  --verify PATTERN  fail unless the buffer holds PATTERN\n"
	       "  --write PATTERN   then write PATTERN into it (needs a "
	       "read-write buffer)\n"
	       "  --hold SECONDS    keep the mapping that long, then check "
	       "again that it holds\n"
	       "                    the --write (else the --verify) pattern;"
	       " SIGUSR1 ends it\n"
	       "  --timeout SECONDS give up when the server has not sent the "
	       "buffer by then,\n"
	       "                    or device fences block CPU access that "
	       "long (default %u;\n"
	       "                    0 waits forever)\n\n"
	       "PATTERN is a byte value, decimal or 0x hex (171, 0xAB: every "
	       "byte), or\n'counter' (32-bit word i holds i, so a page at the "
	       "wrong offset is caught).\nSECONDS are whole decimal seconds.  "
	       "Exit status 1 on a mismatch.\n",
	       TIMEOUT_DEFAULT);
}

static int parse_opt(int c, void *ctx)
{
	struct attach_opts *o = ctx;

	switch (c) {
	case 'v':
		o->verify_given = 1;
		if (pattern_parse(optarg, &o->verify))
			return cli_usage("bad --verify '%s': " PATTERN_SYNTAX,
					 optarg);
		return EXIT_OK;
	case 'w':
		o->write_given = 1;
		if (pattern_parse(optarg, &o->write))
			return cli_usage("bad --write '%s': " PATTERN_SYNTAX,
					 optarg);
		return EXIT_OK;
	case 'H':
		if (cli_parse_seconds(optarg, HOLD_MAX, &o->hold))
			return cli_usage("bad --hold '%s': " SECONDS_SYNTAX,
					 optarg, HOLD_MAX);
		return EXIT_OK;
	case 't':
		if (cli_parse_seconds(optarg, TIMEOUT_MAX, &o->timeout))
			return cli_usage("bad --timeout '%s': " SECONDS_SYNTAX,
					 optarg, TIMEOUT_MAX);
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

static int parse(int argc, char **argv, struct attach_opts *o)
{
	static const struct option opts[] = {
		{ "verify", required_argument, NULL, 'v' },
		{ "write", required_argument, NULL, 'w' },
		{ "hold", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ret = cli_options(argc, argv, opts, attach_help, parse_opt, o);

	return ret ? ret : cli_operand(argc, argv, &o->sock);
}

/* Compare inside a READ bracket so caches are coherent with devices. */
/* Begin CPU access, waiting for device fences no longer than --timeout. */
static int sync_start(int fd, unsigned int access, unsigned int timeout)
{
	int ret = dmabuf_share_sync_start(fd, access, cli_timeout_ms(timeout));

	if (ret == -ETIMEDOUT)
		return cli_fail_why("device fences did not signal in time",
				    "a device is still using the buffer; "
				    "--timeout SECONDS waits longer",
				    "begin CPU access within %u s", timeout);
	return ret ? cli_fail("sync", ret, "begin CPU access") : EXIT_OK;
}

static int check(int fd, const void *map, size_t size, const struct pattern *p,
		 const char *when, unsigned int timeout)
{
	char why[128];
	int ret, bad;

	ret = sync_start(fd, DMABUF_SHARE_READ, timeout);
	if (ret)
		return ret;
	bad = pattern_check(p, map, size, why, sizeof(why));
	ret = dmabuf_share_sync_end(fd, DMABUF_SHARE_READ);
	if (ret)
		return cli_fail("sync", ret, "end CPU access");
	if (bad) {
		fprintf(stderr,
			"dmabuf-share attach: %s: buffer does not "
			"hold %s: %s\n",
			when, p->text, why);
		return EXIT_FAIL;
	}
	printf("%s: verified %zu bytes hold %s\n", when, size, p->text);
	return EXIT_OK;
}

static int write_pattern(int fd, void *map, size_t size,
			 const struct pattern *p, unsigned int timeout)
{
	int ret;

	ret = sync_start(fd, DMABUF_SHARE_WRITE, timeout);
	if (ret)
		return ret;
	pattern_fill(p, map, size);
	ret = dmabuf_share_sync_end(fd, DMABUF_SHARE_WRITE);
	if (ret)
		return cli_fail("sync", ret, "end CPU access");
	printf("wrote %s into %zu bytes\n", p->text, size);
	return EXIT_OK;
}

static int use_mapping(int fd, void *map, size_t size,
		       const struct attach_opts *o)
{
	const struct pattern *last = o->write_given ? &o->write : &o->verify;
	int ret = EXIT_OK;

	if (o->verify_given)
		ret = check(fd, map, size, &o->verify, "on attach", o->timeout);
	if (!ret && o->write_given)
		ret = write_pattern(fd, map, size, &o->write, o->timeout);
	if (ret || !o->hold)
		return ret;
	cli_hold(o->hold, "mapping");
	/* The point of holding: the pages must outlive the server. */
	if (o->verify_given || o->write_given)
		ret = check(fd, map, size, last, "after hold", o->timeout);
	return ret;
}

static void report(const char *sock, const struct dmabuf_share_header *h,
		   const struct dmabuf_share_desc *d, pid_t server)
{
	char size[64];

	printf("attached to %s (server pid %d): dma-buf inode %" PRIu64
	       ", %s, exporter %s, name '%s', offset %" PRIu64 "\n",
	       sock, (int)server, d->inode,
	       cli_bytes(d->size, size, sizeof(size)), d->exp_name, h->name,
	       h->offset);
}

int cmd_attach(int argc, char **argv)
{
	struct dmabuf_share_header hdr;
	struct dmabuf_share_desc desc;
	struct attach_opts o;
	int fd = -1, prot, ret;
	pid_t server = 0;
	size_t size = 0;
	void *map = NULL;

	memset(&o, 0, sizeof(o));
	o.timeout = TIMEOUT_DEFAULT;
	ret = parse(argc, argv, &o);
	if (ret)
		return ret == CLI_HELP_SHOWN ? EXIT_OK : ret;
	ret = cli_receive(o.sock, o.timeout, &hdr, &fd, &desc, &server);
	if (ret)
		return ret;
	report(o.sock, &hdr, &desc, server);
	prot = PROT_READ | (o.write_given ? PROT_WRITE : 0);
	ret = dmabuf_share_map(fd, prot, 0, &map, &size);
	if (ret)
		ret = cli_fail("map", ret, "map the buffer%s",
			       o.write_given ? " for writing" : "");
	else
		ret = use_mapping(fd, map, size, &o);
	if (map)
		dmabuf_share_unmap(map, size);
	close(fd);
	if (!ret)
		printf("detached\n");
	return ret;
}
