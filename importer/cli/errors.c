// SPDX-License-Identifier: MIT
/*
 * Error reporting: every failure names what failed, why, and what to do.
 * The "what to do" depends on both the operation and the errno, so it
 * lives in one table instead of being repeated at every call site.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

const char *cli_cmd = "dmabuf-share";

struct hint {
	const char *op;
	int err;
	const char *text;
};

static const struct hint hints[] = {
	{ "exporter", ENOENT,
	  "is the module loaded? as root: modprobe dmabuf_exporter" },
	{ "exporter", ENODEV,
	  "is the module loaded? as root: modprobe dmabuf_exporter" },
	{ "cache-info", ENOTTY,
	  "this dmabuf_exporter module has no reuse cache; update it" },
	{ "exporter", EACCES,
	  "run as root, or give your user access to the device node" },
	{ "alloc", E2BIG,
	  "larger than the exporter's max_buffer_size; see 'dmabuf-share info'" },
	{ "alloc", EDQUOT,
	  "live buffers would pass the exporter's total_limit; see 'dmabuf-share info'" },
	{ "alloc", ENOMEM,
	  "no contiguous memory that large; try a smaller --size" },
	{ "alloc", EINVAL, "the exporter refused the size or flags" },
	{ "listen", EADDRINUSE, "stop that server or choose another path" },
	{ "listen", ENAMETOOLONG, "socket paths are limited to 107 bytes" },
	{ "listen", ENOENT, "the directory does not exist" },
	{ "listen", EACCES,
	  "no permission to create a file in that directory" },
	{ "connect", ENOENT, "is 'dmabuf-share serve' running on that path?" },
	{ "connect", ECONNREFUSED, "start 'dmabuf-share serve' again" },
	{ "connect", EPROTOTYPE,
	  "that socket does not belong to 'dmabuf-share serve'" },
	{ "connect", ETIMEDOUT,
	  "its queue of waiting clients is full: is it stopped or "
	  "overloaded? --timeout SECONDS waits longer" },
	{ "connect", EACCES, "no permission to use that socket" },
	{ "connect", ENAMETOOLONG, "socket paths are limited to 107 bytes" },
	{ "receive", ETIMEDOUT,
	  "is the server stopped or hung, or another program listening on "
	  "that path? --timeout SECONDS waits longer" },
	{ "receive", ENOTTY,
	  "the server sent some other kind of file; is it a dmabuf-share "
	  "server?" },
	{ "receive", ETOOMANYREFS,
	  "a dmabuf-share server sends exactly one; another program may be "
	  "listening on that path" },
	{ "receive", ENOMSG, "another program may be listening on that path" },
	{ "receive", EMSGSIZE,
	  "a dmabuf-share header is 56 bytes; another program may be "
	  "listening on that path" },
	{ "receive", ECONNRESET,
	  "the server may be out of file descriptors, or not a dmabuf-share "
	  "server" },
	{ "receive", EBADMSG,
	  "the server is broken, or another program is listening on that "
	  "path" },
	{ "receive", EPROTO, "another program is listening on that path" },
	{ "receive", EPROTONOSUPPORT,
	  "use one dmabuf-share version for server and client" },
	{ "receive", ENOBUFS,
	  "raise 'ulimit -n' if this process is out of fds" },
	{ "map", EACCES, "the buffer is read-only; drop --write" },
	{ "map", ENOMEM, "not enough address space or memory for the mapping" },
	{ "drm-open", ENOENT,
	  "no DRM device; load one (modprobe vgem) or pass --device" },
	{ "drm-open", EACCES,
	  "join the 'render' or 'video' group, or run as root" },
	{ "drm-import", ENODEV, "this DRM driver cannot import dma-bufs" },
	{ "drm-import", EOPNOTSUPP, "this DRM driver cannot import dma-bufs" },
	{ "drm-import", EINVAL, "the DRM driver cannot use this buffer" },
	{ "drm-import", EACCES,
	  "a primary node needs DRM master or authentication; use a render node" },
	{ "ls", EACCES, "run as root to see every process" },
	{ "accept", EMFILE,
	  "this process is out of file descriptors: raise 'ulimit -n'" },
	{ "accept", ENFILE,
	  "the system is out of file descriptors: see fs.file-max" },
	{ "accept", ENOBUFS, "the kernel is short of memory" },
	{ "accept", ENOMEM, "the kernel is short of memory" },
};

const char *cli_hint(const char *op, int err)
{
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].err == err && !strcmp(hints[i].op, op))
			return hints[i].text;
	return NULL;
}

static void vfail(const char *why, const char *hint, const char *fmt,
		  va_list ap)
{
	fprintf(stderr, "dmabuf-share %s: cannot ", cli_cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s", why);
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
}

int cli_fail(const char *op, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(dmabuf_share_strerror(err), cli_hint(op, err), fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

int cli_fail_why(const char *why, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(why, hint, fmt, ap);
	va_end(ap);
	return EXIT_FAIL;
}

const char *cli_file_kind(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return "missing";
	if (S_ISREG(st.st_mode))
		return "a regular file";
	if (S_ISDIR(st.st_mode))
		return "a directory";
	if (S_ISCHR(st.st_mode))
		return "a character device";
	if (S_ISBLK(st.st_mode))
		return "a block device";
	if (S_ISFIFO(st.st_mode))
		return "a FIFO";
	return S_ISSOCK(st.st_mode) ? "a socket" : "not a socket";
}

int cli_fail_socket(const char *op, int err, const char *path)
{
	const char *what = strcmp(op, "listen") ? "connect to" : "listen on";
	char why[160];

	if (err != -ENOTSOCK && err != ENOTSOCK)
		return cli_fail(op, err, "%s %s", what, path);
	snprintf(why, sizeof(why), "%s is %s, not a socket", path,
		 cli_file_kind(path));
	return cli_fail_why(why,
			    strcmp(op, "listen") ?
				    "give the SOCKET path 'dmabuf-share "
				    "serve' listens on" :
				    "serve replaces only a socket left by a "
				    "server that died; choose another path",
			    "%s %s", what, path);
}

int cli_fail_exporter(const char *op, int err, const char *what,
		      const char *dev)
{
	char why[192], action[160];
	const char *kind = cli_file_kind(dev);

	snprintf(action, sizeof(action), what, dev);
	/* The exporter is a character device: anything else is named. */
	if (err == -ENOTTY || err == ENOTTY)
		snprintf(why, sizeof(why),
			 "%s is not the dmabuf_exporter device", dev);
	else if (err == -EISDIR || err == EISDIR ||
		 (strcmp(kind, "missing") &&
		  strcmp(kind, "a character device")))
		snprintf(why, sizeof(why), "%s is %s, not a device node", dev,
			 kind);
	else
		return cli_fail(op, err, "%s", action);
	return cli_fail_why(
		why,
		"give --device the exporter's node, " DMABUF_SHARE_EXPORTER_PATH,
		"%s", action);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dmabuf-share %s: warning: ", cli_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dmabuf-share %s: ", cli_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'dmabuf-share %s --help'.\n", cli_cmd);
	return EXIT_USAGE;
}
