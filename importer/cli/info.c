// SPDX-License-Identifier: MIT
/* dmabuf-share info: the exporter's limits and what is allocated now. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct info_opts {
	const char *device;
	int json;
};

static void info_help(void)
{
	printf("Usage: dmabuf-share info [--device PATH] [--json]\n\n"
	       "Show the exporter's limits, live usage and reuse cache, one "
	       "'key: value' per\nline, each key named after its field in "
	       "dmabuf_share.h.  A buffer stays live\nuntil its last fd, "
	       "mapping and device import are gone; released buffers the\n"
	       "module keeps for reuse are counted under cache_size, "
	       "cached_*, cache_*.\nBuffers are charged to the memory cgroup "
	       "of the process that allocates them\n(memory_cgroup: this "
	       "one's).\n\n"
	       "  --device PATH     exporter node (default " DMABUF_SHARE_EXPORTER_PATH
	       ")\n"
	       "  --json            one JSON object instead (schema "
	       "\"dmabuf-share-info\",\n"
	       "                    version 1; see dmabuf-share(1))\n");
}

static int parse_opt(int c, void *ctx)
{
	struct info_opts *o = ctx;

	if (c == 'd')
		o->device = optarg;
	else
		o->json = 1;
	return EXIT_OK;
}

static int parse(int argc, char **argv, struct info_opts *o)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ret = cli_options(argc, argv, opts, info_help, parse_opt, o);

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

/* Keys are the struct's field names; "cache_" where they do not say so. */
static void print_cache(const struct dmabuf_share_exporter_cache_info *c)
{
	char buf[64];

	if (!c) {
		printf("cache: not reported by this module\n");
		return;
	}
	printf("cache_size: %s\n", cli_bytes(c->cache_size, buf, sizeof(buf)));
	printf("cached_bytes: %s\n",
	       cli_bytes(c->cached_bytes, buf, sizeof(buf)));
	printf("cache_dirty_bytes: %s\n",
	       cli_bytes(c->dirty_bytes, buf, sizeof(buf)));
	printf("cached_buffers: %u\n", c->cached_buffers);
	printf("cache_hits: %llu\n", (unsigned long long)c->hits);
	printf("cache_misses: %llu\n", (unsigned long long)c->misses);
}

/* Schema "dmabuf-share-info" version 1: the structs' own field names. */
static void print_json(const char *dev,
		       const struct dmabuf_share_exporter_info *i,
		       const struct dmabuf_share_exporter_cache_info *c)
{
	printf("{\"schema\":\"dmabuf-share-info\",\"version\":1,\"device\":");
	json_string(stdout, dev);
	printf(",\"page_size\":%u,\"max_buffer_size\":%llu,"
	       "\"total_limit\":%llu,\"total_allocated\":%llu,"
	       "\"live_buffers\":%u,\"cache\":",
	       i->page_size, (unsigned long long)i->max_buffer_size,
	       (unsigned long long)i->total_limit,
	       (unsigned long long)i->total_allocated, i->live_buffers);
	if (c)
		printf("{\"cache_size\":%llu,\"cached_buffers\":%u,"
		       "\"cached_bytes\":%llu,\"dirty_bytes\":%llu,"
		       "\"hits\":%llu,\"misses\":%llu}",
		       (unsigned long long)c->cache_size, c->cached_buffers,
		       (unsigned long long)c->cached_bytes,
		       (unsigned long long)c->dirty_bytes,
		       (unsigned long long)c->hits,
		       (unsigned long long)c->misses);
	else
		printf("null");
	printf("}\n");
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

/*
 * A module without the cache is older, not broken: *have is 0 and the
 * listing says so.
 */
static int read_cache(int fd, const char *dev,
		      struct dmabuf_share_exporter_cache_info *cache, int *have)
{
	int ret;

	DMABUF_SHARE_STRUCT_INIT(cache);
	ret = dmabuf_share_exporter_cache_info(fd, cache);
	*have = !ret;
	if (ret == -ENOTTY)
		return EXIT_OK;
	return ret ? cli_fail("cache-info", ret, "read CACHE_INFO from %s",
			      dev) :
		     EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
	struct dmabuf_share_exporter_cache_info cache;
	struct dmabuf_share_exporter_info info;
	struct info_opts o = { DMABUF_SHARE_EXPORTER_PATH, 0 };
	int fd, ret, have = 0;

	ret = parse(argc, argv, &o);
	if (ret)
		return ret == CLI_HELP_SHOWN ? EXIT_OK : ret;
	ret = dmabuf_share_exporter_open(o.device, &fd);
	if (ret)
		return cli_fail_exporter("exporter", ret, "open %s", o.device);
	DMABUF_SHARE_STRUCT_INIT(&info);
	ret = dmabuf_share_exporter_info(fd, &info);
	if (ret)
		ret = cli_fail_exporter("info", ret, "read INFO from %s",
					o.device);
	if (!ret)
		ret = read_cache(fd, o.device, &cache, &have);
	close(fd);
	if (ret)
		return ret;
	if (o.json) {
		print_json(o.device, &info, have ? &cache : NULL);
		return EXIT_OK;
	}
	print_info(o.device, &info);
	print_cgroup();
	print_cache(have ? &cache : NULL);
	return EXIT_OK;
}
