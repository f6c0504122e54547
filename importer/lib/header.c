// SPDX-License-Identifier: MIT
/*
 * The one message the server sends: a fixed header next to the fd.  It is
 * validated field by field on receipt so a client never acts on a message
 * from something that is not a dmabuf-share server of this version.
 */
#include <errno.h>
#include <string.h>

#include "private.h"

/* magic and version come first so any future, longer header is recognised. */
#define HEADER_ID_LEN (2 * sizeof(uint32_t))

DMABUF_SHARE_EXPORT int
dmabuf_share_header_init(struct dmabuf_share_header *hdr, uint64_t size,
			 uint64_t offset, const char *name)
{
	struct dmabuf_share_header h;

	if (offset > size)
		return -EINVAL;
	if (name && strlen(name) >= sizeof(h.name))
		return -ENAMETOOLONG;
	/* Zeroed so no stack bytes travel to another process. */
	memset(&h, 0, sizeof(h));
	h.magic = DMABUF_SHARE_MAGIC;
	h.version = DMABUF_SHARE_PROTOCOL_VERSION;
	h.size = size;
	h.offset = offset;
	if (name)
		strcpy(h.name, name);
	*hdr = h;
	return 0;
}

/* Consistency of a header whose magic, version and length are right. */
static int check_fields(const struct dmabuf_share_header *h)
{
	if (!memchr(h->name, '\0', sizeof(h->name)))
		return -EBADMSG;
	if (h->offset > h->size)
		return -EBADMSG;
	return 0;
}

DMABUF_SHARE_EXPORT int dmabuf_share_header_check(const void *data, size_t len)
{
	struct dmabuf_share_header h;

	/* Too short to carry the magic: not a dmabuf-share server either. */
	if (len < sizeof(h.magic))
		return -EPROTO;
	memset(&h, 0, sizeof(h));
	memcpy(&h, data, len < HEADER_ID_LEN ? len : HEADER_ID_LEN);
	if (h.magic != DMABUF_SHARE_MAGIC)
		return -EPROTO;
	if (len < HEADER_ID_LEN)
		return -EBADMSG;
	if (h.version != DMABUF_SHARE_PROTOCOL_VERSION)
		return -EPROTONOSUPPORT;
	if (len != sizeof(h))
		return -EBADMSG;
	memcpy(&h, data, sizeof(h));
	return check_fields(&h);
}
