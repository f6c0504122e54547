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

#include "cli.h"

const char *cli_cmd = "dmabuf-share";

struct hint {
	const char *op;
	int err;
	const char *text;
};

static const struct hint hints[] = {
	{ "exporter", ENOENT, "is the module loaded? see README" },
	{ "exporter", ENODEV, "is the module loaded? see README" },
	{ "exporter", EACCES,
	  "run as root, or give your user access to the device node" },
	{ "alloc", E2BIG,
	  "larger than the exporter's max_buffer_size; see 'dmabuf-share info'" },
	{ "alloc", EDQUOT,
	  "live buffers would pass the exporter's total_limit; see 'dmabuf-share info'" },
	{ "alloc", ENOMEM,
	  "no contiguous memory that large; try a smaller --size" },
	{ "alloc", EINVAL, "the exporter refused the size or flags" },
	{ "listen", EADDRINUSE,
	  "another server is live on that path; stop it or choose another path" },
	{ "listen", ENAMETOOLONG, "socket paths are limited to 107 bytes" },
	{ "listen", ENOENT, "the directory does not exist" },
	{ "listen", EACCES,
	  "no permission to create a file in that directory" },
	{ "connect", ENOENT, "is 'dmabuf-share serve' running on that path?" },
	{ "connect", ECONNREFUSED,
	  "the server that made this socket is gone; start 'dmabuf-share serve' again" },
	{ "connect", EPROTOTYPE,
	  "that socket does not belong to 'dmabuf-share serve'" },
	{ "connect", EACCES, "no permission to use that socket" },
	{ "connect", ENAMETOOLONG, "socket paths are limited to 107 bytes" },
	{ "receive", ECONNRESET,
	  "the server hung up without sending a buffer" },
	{ "receive", ENOMSG,
	  "the server sent a message without a file descriptor" },
	{ "receive", ENOTTY,
	  "the server sent a file descriptor that is not a dma-buf" },
	{ "receive", EPROTO, "the peer is not a dmabuf-share server" },
	{ "receive", EPROTONOSUPPORT,
	  "server and client speak different protocol versions; use one dmabuf-share for both" },
	{ "receive", EBADMSG, "the server's message is malformed" },
	{ "receive", EMSGSIZE,
	  "the server's message is longer than any known header" },
	{ "receive", ENOBUFS,
	  "file descriptors were dropped: too many sent, or this process is out of fd slots (ulimit -n)" },
	{ "receive", ETOOMANYREFS,
	  "the server sent more than one file descriptor" },
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
};

static const char *hint_for(const char *op, int err)
{
	size_t i;

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (hints[i].err == err && !strcmp(hints[i].op, op))
			return hints[i].text;
	return NULL;
}

int cli_fail(const char *op, int err, const char *fmt, ...)
{
	const char *hint;
	va_list ap;

	if (err < 0)
		err = -err;
	fprintf(stderr, "dmabuf-share %s: cannot ", cli_cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s", strerror(err));
	hint = hint_for(op, err);
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
	return EXIT_FAIL;
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
