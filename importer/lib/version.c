// SPDX-License-Identifier: MIT
/*
 * The library's version and what its errors mean.  The version numbers
 * come from the project's VERSION file through the build; the header's
 * macros must agree, which the build checks too.
 */
#include <errno.h>
#include <string.h>

#include "private.h"

_Static_assert(DMABUF_SHARE_BUILD_MAJOR == DMABUF_SHARE_VERSION_MAJOR &&
		       DMABUF_SHARE_BUILD_MINOR == DMABUF_SHARE_VERSION_MINOR &&
		       DMABUF_SHARE_BUILD_PATCH == DMABUF_SHARE_VERSION_PATCH,
	       "include/dmabuf_share.h and VERSION disagree");

DMABUF_SHARE_EXPORT unsigned int dmabuf_share_version(void)
{
	return DMABUF_SHARE_VERSION_ENCODE(DMABUF_SHARE_BUILD_MAJOR,
					   DMABUF_SHARE_BUILD_MINOR,
					   DMABUF_SHARE_BUILD_PATCH);
}

DMABUF_SHARE_EXPORT const char *dmabuf_share_version_string(void)
{
	return DMABUF_SHARE_BUILD_VERSION;
}

struct meaning {
	int err;
	const char *text;
};

/*
 * Errnos this library gives a meaning of its own, where the C library's
 * text ("Too many references: cannot splice") would send a user the
 * wrong way.
 */
static const struct meaning meanings[] = {
	{ ENOTTY, "not a dma-buf, or not the device this call needs" },
	{ ETOOMANYREFS, "more than one file descriptor arrived" },
	{ ENOMSG, "a message arrived without a file descriptor" },
	{ ENOBUFS, "file descriptors were dropped: too many were sent, or "
		   "this process has no free fd slot" },
	{ EMSGSIZE, "the message is longer than any dmabuf-share header" },
	{ EPROTO, "the peer is not a dmabuf-share server" },
	{ EPROTONOSUPPORT,
	  "the peer speaks another dmabuf-share protocol version" },
	{ EBADMSG, "the dmabuf-share message is malformed" },
	{ ECONNRESET, "the peer hung up without sending a buffer" },
	{ ECONNREFUSED, "nobody listens on that socket: its server is gone" },
	{ ENOTSOCK, "the path is not a socket" },
	{ EADDRINUSE, "a server is listening on that path" },
	{ ETIMEDOUT, "timed out" },
	{ E2BIG, "larger than the exporter's max_buffer_size" },
	{ EDQUOT, "all live buffers together would pass the exporter's "
		  "total_limit" },
};

DMABUF_SHARE_EXPORT const char *dmabuf_share_strerror(int err)
{
	const char *text;
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (meanings[i].err == err)
			return meanings[i].text;
	/* Unlike strerror(), never a buffer that another call rewrites. */
	text = strerrordesc_np(err);
	return text ? text : "unknown error";
}
