// SPDX-License-Identifier: MIT
/*
 * The library's version and what its errors mean.  The version numbers
 * come from the project's VERSION file through the build; the header's
 * macros must agree, which the build checks too.
 */
#include <errno.h>
#include <limits.h>
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
	{ ENOTTY, "not a dma-buf" },
	{ ETOOMANYREFS, "more than one file descriptor arrived" },
	{ ENOMSG, "a message arrived without a file descriptor" },
	{ ENOBUFS, "file descriptors were dropped: too many were sent, or "
		   "this process has no free fd slot" },
	{ EMSGSIZE, "the message did not fit: it was cut short" },
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

/*
 * The C library's text for @err as a string no other call rewrites, or
 * NULL for an unknown errno.  glibc 2.32 and later say so with
 * strerrordesc_np(); musl's and older glibc's strerror() return constant
 * table entries for every errno they know, and a number they do not know
 * is told apart by its generic text.
 */
static const char *constant_strerror(int err)
{
#if defined(__GLIBC__) && !defined(DBS_NO_STRERRORDESC) && \
	(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	return strerrordesc_np(err);
#else
	const char *text = strerror(err);

	if (!text || !strncmp(text, "Unknown error", 13) ||
	    !strcmp(text, "No error information"))
		return NULL;
	return text;
#endif
}

DMABUF_SHARE_EXPORT const char *dmabuf_share_strerror(int err)
{
	const char *text;
	size_t i;

	/* -INT_MIN does not exist; no errno is that large anyway. */
	if (err == INT_MIN)
		return "unknown error";
	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(meanings) / sizeof(meanings[0]); i++)
		if (meanings[i].err == err)
			return meanings[i].text;
	text = constant_strerror(err);
	return text ? text : "unknown error";
}
