// SPDX-License-Identifier: MIT
/* dmabuf-share info: the exporter's limits and what is allocated now. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void info_help(void)
{
	printf("Usage: dmabuf-share info [--device PATH]\n\n"
	       "Show the exporter's limits, live usage and reuse cache, one "
	       "'key: value' per\nline.  A buffer stays live until its last fd, "
	       "mapping and device import are\ngone; released buffers the "
	       "module keeps for reuse are counted under cache_*.  Buffers are "
	       "charged to the\nmemory cgroup of the process that allocates "
	       "them (memory_cgroup: this one's).\n\n"
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

static void print_cache(const struct dmabuf_share_cache_info *c)
{
	char buf[64];

	printf("cache_size: %s\n", cli_bytes(c->cache_size, buf, sizeof(buf)));
	printf("cache_bytes: %s\n",
	       cli_bytes(c->cached_bytes, buf, sizeof(buf)));
	printf("cache_dirty_bytes: %s\n",
	       cli_bytes(c->dirty_bytes, buf, sizeof(buf)));
	printf("cache_buffers: %u\n", c->cached_buffers);
	printf("cache_hits: %llu\n", (unsigned long long)c->hits);
	printf("cache_misses: %llu\n", (unsigned long long)c->misses);
}

/*
 * The memory cgroup this process's allocations are charged to: the
 * cgroup v2 line of /proc/self/cgroup ("0::/path").  Without one (no
 * cgroup2, or v1 only) there is nothing to say.
 */
static void print_cgroup(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		printf("memory_cgroup: %s (%s)\n", line + 3,
		       strcmp(line + 3, "/") ?
			       "buffers allocated from here are charged to it" :
			       "root: buffers allocated from here are not charged");
		break;
	}
	fclose(f);
}

/* A module without the cache is older, not broken: say so and go on. */
static int show_cache(int fd, const char *dev)
{
	struct dmabuf_share_cache_info cache;
	int ret;

	DMABUF_SHARE_STRUCT_INIT(&cache);
	ret = dmabuf_share_cache_info(fd, &cache);
	if (ret == -ENOTTY) {
		printf("cache: not reported by this module\n");
		return EXIT_OK;
	}
	if (ret)
		return cli_fail("cache-info", ret, "read CACHE_INFO from %s",
				dev);
	print_cache(&cache);
	return EXIT_OK;
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
	DMABUF_SHARE_STRUCT_INIT(&info);
	ret = dmabuf_share_exporter_info(fd, &info);
	if (ret) {
		close(fd);
		return cli_fail("info", ret, "read INFO from %s", dev);
	}
	print_info(dev, &info);
	print_cgroup();
	ret = show_cache(fd, dev);
	close(fd);
	return ret;
}
