// SPDX-License-Identifier: MIT
/*
 * dmabuf-share drm-import: receive a served buffer and import it into a
 * DRM device (PRIME), then prove the round trip: importing again gives the
 * same handle, and exporting the handle gives back the same dma-buf.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"

struct import_opts {
	const char *sock;
	const char *device;
	unsigned int hold;
	unsigned int timeout;
};

static void import_help(void)
{
	printf("Usage: dmabuf-share drm-import SOCKET [--device PATH] "
	       "[--hold SECONDS]\n"
	       "                               [--timeout SECONDS]\n\n"
	       "Receive the buffer served on SOCKET and import it into a DRM "
	       "device; print the\nGEM handle and the identity of the dma-buf "
	       "exported back from that handle.\nExit status 1 unless the "
	       "round trip gives back the same buffer.\n\n"
	       "  --device PATH     DRM node, e.g. /dev/dri/card0 (default: "
	       "the first render\n"
	       "                    node, else the first primary node)\n"
	       "  --hold SECONDS    keep the import that long (the device "
	       "stays attached);\n"
	       "                    SIGUSR1 ends it sooner\n"
	       "  --timeout SECONDS give up when the server has not sent the "
	       "buffer by then\n"
	       "                    (default %u; 0 waits forever)\n",
	       TIMEOUT_DEFAULT);
}

static int parse_opt(int c, void *ctx)
{
	struct import_opts *o = ctx;

	if (c == 'd')
		o->device = optarg;
	else if (c == 'H' && cli_parse_seconds(optarg, HOLD_MAX, &o->hold))
		return cli_usage("bad --hold '%s': " SECONDS_SYNTAX, optarg,
				 HOLD_MAX);
	else if (c == 't' &&
		 cli_parse_seconds(optarg, TIMEOUT_MAX, &o->timeout))
		return cli_usage("bad --timeout '%s': " SECONDS_SYNTAX, optarg,
				 TIMEOUT_MAX);
	return EXIT_OK;
}

static int parse(int argc, char **argv, struct import_opts *o)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "hold", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ret = cli_options(argc, argv, opts, import_help, parse_opt, o);

	return ret ? ret : cli_operand(argc, argv, &o->sock);
}

/* Which node was opened, for the report (NULL --device picks one). */
static void node_path(int drm_fd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", drm_fd);
	n = readlink(link, buf, len - 1);
	buf[n < 0 ? 0 : n] = '\0';
}

static int open_device(const char *device, int *drm_fd)
{
	char path[256], driver[64];
	int ret;

	ret = dmabuf_share_drm_open(device, drm_fd);
	if (ret)
		return cli_fail("drm-open", ret, "open %s",
				device ? device : "a DRM device");
	node_path(*drm_fd, path, sizeof(path));
	if (dmabuf_share_drm_driver(*drm_fd, driver, sizeof(driver)))
		snprintf(driver, sizeof(driver), "unknown driver");
	printf("opened %s (%s)\n", path, driver);
	return EXIT_OK;
}

/* Export @handle back to a dma-buf; it must be the buffer we imported. */
static int round_trip(int drm_fd, uint32_t handle, uint64_t inode)
{
	struct stat st;
	int fd = -1, ret;

	ret = dmabuf_share_drm_export(drm_fd, handle,
				      DMABUF_SHARE_EXPORT_WRITABLE, &fd);
	if (ret)
		return cli_fail("drm-export", ret, "export handle %u", handle);
	ret = fstat(fd, &st) ? -errno : 0;
	close(fd);
	if (ret)
		return cli_fail("drm-export", ret, "stat the re-exported fd");
	printf("re-exported handle %u: dma-buf inode %" PRIu64 " (%s)\n",
	       handle, (uint64_t)st.st_ino,
	       (uint64_t)st.st_ino == inode ? "same buffer" : "DIFFERENT");
	return (uint64_t)st.st_ino == inode ? EXIT_OK : EXIT_FAIL;
}

static int import_twice(int drm_fd, int buf_fd, uint32_t *handle)
{
	uint32_t again = 0;
	int ret;

	ret = dmabuf_share_drm_import(drm_fd, buf_fd, handle);
	if (ret)
		return cli_fail("drm-import", ret, "import the buffer");
	printf("imported: GEM handle %u\n", *handle);
	/* PRIME keeps one handle per buffer and device fd. */
	ret = dmabuf_share_drm_import(drm_fd, buf_fd, &again);
	if (ret)
		return cli_fail("drm-import", ret, "import the buffer again");
	printf("imported again: GEM handle %u (%s)\n", again,
	       again == *handle ? "same handle" : "DIFFERENT");
	return again == *handle ? EXIT_OK : EXIT_FAIL;
}

static int import(int drm_fd, int buf_fd, const struct dmabuf_share_desc *d,
		  unsigned int hold)
{
	uint32_t handle = 0;
	int ret, closed;

	ret = import_twice(drm_fd, buf_fd, &handle);
	if (!ret)
		ret = round_trip(drm_fd, handle, d->inode);
	if (!ret && hold) {
		cli_hold(hold, "import");
	}
	if (!handle)
		return ret;
	closed = dmabuf_share_drm_close_handle(drm_fd, handle);
	if (closed)
		return cli_fail("drm-close", closed, "close handle %u", handle);
	printf("closed handle %u\n", handle);
	return ret;
}

int cmd_drm_import(int argc, char **argv)
{
	struct dmabuf_share_header hdr;
	struct dmabuf_share_desc desc;
	struct import_opts o;
	int buf_fd = -1, drm_fd = -1, ret;
	pid_t server = 0;

	memset(&o, 0, sizeof(o));
	o.timeout = TIMEOUT_DEFAULT;
	ret = parse(argc, argv, &o);
	if (ret)
		return ret == CLI_HELP_SHOWN ? EXIT_OK : ret;
	/* No device, no import: then the server's buffer is not taken. */
	ret = open_device(o.device, &drm_fd);
	if (ret)
		return ret;
	ret = cli_receive(o.sock, o.timeout, &hdr, &buf_fd, &desc, &server);
	if (ret) {
		close(drm_fd);
		return ret;
	}
	printf("received dma-buf inode %" PRIu64 " (%" PRIu64 " bytes, "
	       "exporter %s) from pid %d\n",
	       desc.inode, desc.size, desc.exp_name, (int)server);
	ret = import(drm_fd, buf_fd, &desc, o.hold);
	close(drm_fd);
	close(buf_fd);
	return ret;
}
