// SPDX-License-Identifier: MIT
/* Small system-call wrappers with the library's error conventions. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "private.h"

int dbs_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	/* Same loop as drmIoctl(): a signal or a busy device is not a failure. */
	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

void dbs_close(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}

int dbs_unix_addr(const char *path, struct sockaddr_un *addr)
{
	size_t len = strlen(path);

	if (len == 0)
		return -EINVAL;
	/* Keep room for the NUL: an unterminated sun_path is ambiguous. */
	if (len >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path, path, len + 1);
	return 0;
}

int dbs_peer_pid(int sock, pid_t *pid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	memset(&cred, 0, sizeof(cred));
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return -errno;
	*pid = cred.pid;
	return 0;
}

int dbs_struct_check(const void *caller, size_t min_size)
{
	uint32_t size;

	if (!caller)
		return -EINVAL;
	memcpy(&size, caller, sizeof(size));
	/*
	 * Like clone3() and openat2(): a size above a page is garbage (a
	 * struct that never went through DMABUF_SHARE_STRUCT_INIT), not a
	 * struct from the future, and zeroing up to it would write far past
	 * the caller's memory.
	 */
	if (size > DBS_STRUCT_SIZE_MAX)
		return -E2BIG;
	return size >= min_size ? 0 : -EINVAL;
}

void dbs_struct_copy(void *caller, const void *src, size_t lib_size)
{
	uint32_t want, filled;

	memcpy(&want, caller, sizeof(want));
	filled = want < lib_size ? want : (uint32_t)lib_size;
	memcpy(caller, src, filled);
	/* A newer caller's fields this library does not know read as 0. */
	memset((char *)caller + filled, 0, want - filled);
	memcpy(caller, &filled, sizeof(filled));
}
