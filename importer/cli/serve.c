// SPDX-License-Identifier: MIT
/*
 * dmabuf-share serve: allocate one buffer from the exporter, optionally
 * name and fill it, then hand it to every client until interrupted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>

#include "cli.h"

struct serve_opts {
	const char *sock;
	uint64_t size;
	const char *name;
	const char *device;
	int read_only;
	int fill_given;
	struct pattern fill;
};

static void serve_help(void)
{
	printf("Usage: dmabuf-share serve SOCKET --size N [--name S] "
	       "[--fill PATTERN]\n"
	       "                          [--read-only] [--device PATH]\n\n"
	       "Allocate a buffer from the exporter and hand it to every client "
	       "that connects\nto SOCKET, until SIGINT, SIGTERM or SIGHUP.  A "
	       "socket left by a server that\ndied is replaced; a live server's "
	       "socket and any other file are not.\n\n"
	       "  --size N          bytes, decimal or 0x hex, with an optional "
	       "suffix K, M, G\n"
	       "                    (or KiB, MiB, GiB: powers of 1024); rounded "
	       "up to pages\n"
	       "  --name S          dma-buf name (up to 31 bytes), shown by ls "
	       "and sent to\n                    clients\n"
	       "  --fill PATTERN    fill before serving: a byte, decimal or 0x "
	       "hex (171, 0xAB),\n"
	       "                    or 'counter'\n"
	       "                    (32-bit word i holds i)\n"
	       "  --read-only       allocate O_RDONLY: no process can map it "
	       "writable\n"
	       "  --device PATH     exporter node (default " DMABUF_SHARE_EXPORTER_PATH
	       ")\n");
}

/* A refused --size names the rule it broke, then the whole grammar. */
static int parse_size(const char *arg, uint64_t *size)
{
	char buf[64];

	if (!cli_parse_size(arg, size))
		return EXIT_OK;
	return cli_usage("bad --size '%s': %s; " SIZE_SYNTAX, arg,
			 cli_size_error(arg, buf, sizeof(buf)));
}

static int parse_opt(int c, void *ctx)
{
	struct serve_opts *o = ctx;

	switch (c) {
	case 's':
		return parse_size(optarg, &o->size);
	case 'n':
		if (strlen(optarg) >= DMABUF_SHARE_NAME_LEN)
			return cli_usage("--name is longer than %d bytes",
					 DMABUF_SHARE_NAME_LEN - 1);
		o->name = optarg;
		return EXIT_OK;
	case 'f':
		o->fill_given = 1;
		if (pattern_parse(optarg, &o->fill))
			return cli_usage("bad --fill '%s': " PATTERN_SYNTAX,
					 optarg);
		return EXIT_OK;
	case 'r':
		o->read_only = 1;
		return EXIT_OK;
	case 'd':
		o->device = optarg;
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

static int parse(int argc, char **argv, struct serve_opts *o)
{
	static const struct option opts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "fill", required_argument, NULL, 'f' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ret = cli_options(argc, argv, opts, serve_help, parse_opt, o);

	if (ret)
		return ret;
	if (!o->size)
		return cli_usage("--size is required");
	/* A read-only buffer cannot be mapped for writing, not even here. */
	if (o->read_only && o->fill_given)
		return cli_usage("--fill needs a writable buffer; drop "
				 "--read-only");
	return cli_operand(argc, argv, &o->sock);
}

static int fill(int fd, const struct pattern *p)
{
	size_t size;
	void *map;
	int ret;

	ret = dmabuf_share_map(fd, PROT_READ | PROT_WRITE, 0, &map, &size);
	if (ret)
		return cli_fail("map", ret, "map the buffer to fill it");
	/* A buffer this process just allocated has no device fences. */
	ret = dmabuf_share_sync_start(fd, DMABUF_SHARE_WRITE, -1);
	if (ret) {
		dmabuf_share_unmap(map, size);
		return cli_fail("sync", ret, "begin CPU access");
	}
	pattern_fill(p, map, size);
	ret = dmabuf_share_sync_end(fd, DMABUF_SHARE_WRITE);
	dmabuf_share_unmap(map, size);
	return ret ? cli_fail("sync", ret, "end CPU access") : EXIT_OK;
}

static int allocate(const struct serve_opts *o, int *fd)
{
	const char *dev = o->device ? o->device : DMABUF_SHARE_EXPORTER_PATH;
	int dev_fd, ret, mode = o->read_only ? O_RDONLY : O_RDWR;

	ret = dmabuf_share_exporter_open(dev, &dev_fd);
	if (ret)
		return cli_fail_exporter("exporter", ret, "open %s", dev);
	/* The buffer keeps the module pinned; the device fd is not needed. */
	ret = dmabuf_share_alloc(dev_fd, o->size, mode | O_CLOEXEC, 0, fd,
				 NULL);
	close(dev_fd);
	if (ret == -ENOTTY)
		return cli_fail_exporter("alloc", ret, "allocate from %s", dev);
	if (ret)
		return cli_fail("alloc", ret, "allocate %" PRIu64 " bytes",
				o->size);
	return EXIT_OK;
}

static int prepare(int fd, const struct serve_opts *o)
{
	if (o->name) {
		int ret = dmabuf_share_set_name(fd, o->name);

		if (ret)
			return cli_fail("name", ret, "name the buffer '%s'",
					o->name);
	}
	return o->fill_given ? fill(fd, &o->fill) : EXIT_OK;
}

/* Signals arrive as readable data, so poll() waits for clients and them. */
static int stop_signals_fd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	fd = signalfd(-1, &set, SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void announce(int fd, const struct serve_opts *o)
{
	struct dmabuf_share_desc d;
	char size[64];

	DMABUF_SHARE_STRUCT_INIT(&d);
	if (dmabuf_share_describe(fd, &d))
		DMABUF_SHARE_STRUCT_INIT(&d);
	printf("serving dma-buf inode %" PRIu64 ", %s, exporter %s, name "
	       "'%s', %s, on %s (pid %d); stop with Ctrl-C\n",
	       d.inode, cli_bytes(d.size, size, sizeof(size)), d.exp_name,
	       d.name, o->read_only ? "read-only" : "read-write", o->sock,
	       (int)getpid());
}

static int run(int fd, const struct serve_opts *o)
{
	struct dmabuf_share_server *srv;
	unsigned int count = 0;
	int sig_fd, ret;

	sig_fd = stop_signals_fd();
	if (sig_fd < 0)
		return cli_fail("signals", sig_fd, "set up signal handling");
	ret = dmabuf_share_server_create(o->sock, 0, fd, 0, o->name, &srv);
	if (ret) {
		close(sig_fd);
		return cli_fail_socket("listen", ret, o->sock);
	}
	announce(fd, o);
	ret = serve_loop(srv, sig_fd, &count);
	if (!ret)
		printf("stopping after %u clients; they keep the buffer until "
		       "they let go\n",
		       count);
	dmabuf_share_server_destroy(srv);
	close(sig_fd);
	return ret;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_opts o;
	int fd = -1, ret;

	memset(&o, 0, sizeof(o));
	ret = parse(argc, argv, &o);
	if (ret)
		return ret == CLI_HELP_SHOWN ? EXIT_OK : ret;
	ret = allocate(&o, &fd);
	if (!ret)
		ret = prepare(fd, &o);
	if (!ret)
		ret = run(fd, &o);
	if (fd >= 0)
		close(fd);
	return ret;
}
