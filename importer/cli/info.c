// SPDX-License-Identifier: MIT
/* dmabuf-share info: the exporter's limits and what is allocated now. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void info_help(void)
{
	printf("Usage: dmabuf-share info [--device PATH]\n\n"
	       "Show the exporter's limits and live usage, one 'key: value' "
	       "per line.\nA buffer stays live until its last fd, mapping and "
	       "device import are gone.\n\n"
	       "  --device PATH     exporter node (default " DMABUF_SHARE_EXPORTER_PATH
	       ")\n");
}

static int parse_opt(int c, void *ctx)
{
	(void)c; /* --device is the only option */
	*(const char **)ctx = optarg;
	return EXIT_OK;
}

static int parse(int argc, char **argv, const char **device)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ret = cli_options(argc, argv, opts, info_help, parse_opt, device);

	return ret ? ret : cli_operand(argc, argv, NULL);
}

static void print_info(const char *dev,
		       const struct dmabuf_share_exporter_info *i)
{
	char buf[64];

	printf("device: %s\n", dev);
	printf("max_buffer_size: %s\n",
	       cli_bytes(i->max_buffer_size, buf, sizeof(buf)));
	printf("total_limit: %s\n",
	       cli_bytes(i->total_limit, buf, sizeof(buf)));
	printf("total_allocated: %s\n",
	       cli_bytes(i->total_allocated, buf, sizeof(buf)));
	printf("live_buffers: %u\n", i->live_buffers);
	printf("page_size: %u\n", i->page_size);
}

int cmd_info(int argc, char **argv)
{
	struct dmabuf_share_exporter_info info;
	const char *dev = DMABUF_SHARE_EXPORTER_PATH;
	int fd, ret;

	ret = parse(argc, argv, &dev);
	if (ret)
		return ret == CLI_HELP_SHOWN ? EXIT_OK : ret;
	ret = dmabuf_share_exporter_open(dev, &fd);
	if (ret)
		return cli_fail("exporter", ret, "open %s", dev);
	ret = dmabuf_share_exporter_info(fd, &info);
	close(fd);
	if (ret)
		return cli_fail("info", ret, "read INFO from %s", dev);
	print_info(dev, &info);
	return EXIT_OK;
}
