/* SPDX-License-Identifier: MIT */
/*
 * dmabuf_share.h - share dma-buf file descriptors between processes and devices
 *
 * Read top to bottom: the library's version and error texts, allocate a
 * buffer from /dev/dmabuf_exporter, map it and bracket CPU access, describe
 * any dma-buf fd, pass fds over AF_UNIX sockets, serve one buffer to many
 * clients, import it into a DRM device, and list every dma-buf in the
 * system.
 *
 * Conventions, the same for every function here (libdrm's PRIME habits):
 * - Results are 0 (or a documented non-negative value) on success and a
 *   negative errno on failure.  errno itself is not meaningful afterwards.
 *   dmabuf_share_strerror() says what an error means to this library.
 * - Out-parameters are written only on success; on failure they keep what
 *   the caller put there.
 * - Every fd the library creates is close-on-exec, whatever flags were
 *   passed; to hand one to a program you exec, clear FD_CLOEXEC with
 *   fcntl(fd, F_SETFD, 0).  Interrupted calls (EINTR, and EAGAIN for
 *   ioctls) are retried.
 * - Only the exporter section assumes /dev/dmabuf_exporter; everything else
 *   works on any dma-buf fd (udmabuf, dma-heaps, GPU drivers).
 *
 * Waiting: every call that can wait for another process takes
 * @timeout_ms: -1 waits as long as it takes, 0 does not wait at all, any
 * other value is the most milliseconds the call waits in total (signals
 * that do not kill the process do not restart the count).  A call that
 * runs out of time returns -ETIMEDOUT and changes nothing.  Those calls
 * are dmabuf_share_connect(), dmabuf_share_receive(),
 * dmabuf_share_attach(), dmabuf_share_recv_fd(), dmabuf_share_send_fd(),
 * dmabuf_share_server_accept() and dmabuf_share_sync_start() (which waits
 * for device fences).  Every other call returns without waiting for
 * another process (the kernel's own locks aside).
 *
 * Threads and fork: the library keeps no global state.  Calls on
 * different objects (fds, servers, inventories) may run in parallel
 * threads; one server or inventory must not be used by two threads at
 * once.  Strings returned by the library are constant or live as long as
 * the object they came from.  After fork() both processes may use an
 * inherited server's fds, but only the process that created a server
 * removes its socket path in dmabuf_share_server_destroy().
 *
 * ABI rules: link with `pkg-config --cflags --libs dmabuf-share`; the
 * soname is libdmabuf-share.so.1 and every symbol has the version
 * DMABUF_SHARE_1.0 (later additions get later versions).  The ABI grows
 * without a soname bump, by these rules:
 * - Functions are only added, never changed or removed.
 * - Structs the caller passes in to be filled begin with
 *   `uint32_t struct_size`: set it to sizeof the struct (or use
 *   DMABUF_SHARE_STRUCT_INIT()).  The library fills what fits in both its
 *   version of the struct and @struct_size, zeroes the rest of the caller's
 *   struct, and sets @struct_size to the bytes it filled; fields are only
 *   ever appended, so DMABUF_SHARE_HAS_FIELD() tells whether a field was
 *   filled.  A @struct_size smaller than the first version of the struct
 *   is -EINVAL; one above 4096 bytes (a page, as clone3() and openat2()
 *   allow) is -E2BIG: it is garbage, a struct that never went through
 *   DMABUF_SHARE_STRUCT_INIT(), and the library writes nothing.
 * - Structs the caller passes in to be read (none yet in 1.0) will follow
 *   the kernel's copy_struct_from_user() rule: the same leading
 *   @struct_size; a smaller struct is read as if zero-extended to the
 *   library's size, so an old caller gets the defaults of new fields; the
 *   bytes of a larger struct past what the library knows must all be 0,
 *   else the call fails with -E2BIG and does nothing; above a page is
 *   -E2BIG too.
 * - Everything else is opaque (servers, inventories and their buffers)
 *   and read through functions.
 * - struct dmabuf_share_header is the protocol's wire format, frozen for
 *   DMABUF_SHARE_PROTOCOL_VERSION 1; another protocol version would come
 *   with its own struct and functions.
 * - Flag arguments reject unknown bits with -EINVAL, so new bits can be
 *   given meaning later.
 */
#ifndef DMABUF_SHARE_H
#define DMABUF_SHARE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the public API; everything else in the library is hidden. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define DMABUF_SHARE_EXPORT __attribute__((visibility("default")))
#else
#define DMABUF_SHARE_EXPORT
#endif

/* ------------------------------------------------------------------------ */
/* 0. Version, errors, growable structs                                      */
/* ------------------------------------------------------------------------ */

/*
 * The version of this header (the project's VERSION file; the build fails
 * when they differ).  The library a program runs with may be newer:
 * compare with dmabuf_share_version().
 */
#define DMABUF_SHARE_VERSION_MAJOR 1
#define DMABUF_SHARE_VERSION_MINOR 0
#define DMABUF_SHARE_VERSION_PATCH 0
#define DMABUF_SHARE_VERSION_ENCODE(major, minor, patch) \
	(((major) << 16) | ((minor) << 8) | (patch))
#define DMABUF_SHARE_VERSION_NUMBER                             \
	DMABUF_SHARE_VERSION_ENCODE(DMABUF_SHARE_VERSION_MAJOR, \
				    DMABUF_SHARE_VERSION_MINOR, \
				    DMABUF_SHARE_VERSION_PATCH)

/**
 * dmabuf_share_version() - the running library's version
 *
 * Returns DMABUF_SHARE_VERSION_ENCODE(major, minor, patch) of the library
 * loaded at run time, e.g. 0x010000 for 1.0.0.
 */
DMABUF_SHARE_EXPORT unsigned int dmabuf_share_version(void);

/**
 * dmabuf_share_version_string() - the running library's version as text
 *
 * Returns a constant string such as "1.0.0".
 */
DMABUF_SHARE_EXPORT const char *dmabuf_share_version_string(void);

/**
 * dmabuf_share_strerror() - what an error of this library means
 * @err:	a result of a library call: a negative errno (a positive one
 *		is taken as its negation)
 *
 * The library gives some errnos a meaning of its own (-ENOTTY: "not a
 * dma-buf", -ETOOMANYREFS: "more than one fd arrived", -EPROTO: "the peer
 * is not a dmabuf-share server"); their strerror() texts would mislead.
 * Returns a constant string: the library's meaning where it has one, else
 * the C library's description, else "unknown error" (also for INT_MIN).
 * Thread-safe.
 */
DMABUF_SHARE_EXPORT const char *dmabuf_share_strerror(int err);

/* Set a growable struct's size before passing it to be filled. */
#define DMABUF_SHARE_STRUCT_INIT(ptr)                          \
	do {                                                   \
		memset((ptr), 0, sizeof(*(ptr)));              \
		(ptr)->struct_size = (uint32_t)sizeof(*(ptr)); \
	} while (0)

/* Whether a filled growable struct holds @field. */
#define DMABUF_SHARE_HAS_FIELD(ptr, type, field) \
	((ptr)->struct_size >= offsetof(type, field) + sizeof((ptr)->field))

/* ------------------------------------------------------------------------ */
/* 1. The exporter device: allocation and live usage                         */
/* ------------------------------------------------------------------------ */

/* Where the dmabuf_exporter module puts its device node. */
#define DMABUF_SHARE_EXPORTER_PATH "/dev/dmabuf_exporter"

/* Fault in one page per page fault instead of the whole mapping at once. */
#define DMABUF_SHARE_ALLOC_FAULT_PER_PAGE (1ULL << 0)

/**
 * dmabuf_share_exporter_open() - open the exporter device
 * @path:	device node, or NULL for DMABUF_SHARE_EXPORTER_PATH
 * @dev_fd:	out: the device fd (O_RDWR | O_CLOEXEC); close() it when done
 *
 * Returns 0, or -ENOENT when the module is not loaded, -EACCES when the
 * caller may not open the node, or another -errno from open().
 */
DMABUF_SHARE_EXPORT int dmabuf_share_exporter_open(const char *path,
						   int *dev_fd);

/**
 * dmabuf_share_alloc() - allocate a buffer and get its dma-buf fd
 * @dev_fd:	from dmabuf_share_exporter_open()
 * @size:	bytes wanted, more than 0; the exporter rounds up to pages
 * @fd_flags:	O_RDWR or O_RDONLY, optionally | O_CLOEXEC (the fd is
 *		close-on-exec either way, as every fd of this library);
 *		any other bit is -EINVAL.  O_RDONLY buffers refuse
 *		writable mappings in every process.
 * @alloc_flags: DMABUF_SHARE_ALLOC_* bits, usually 0
 * @buf_fd:	out: the new dma-buf fd
 * @alloc_size:	out, may be NULL: bytes actually allocated (page-rounded)
 *
 * Returns 0, or -EINVAL (bad size, flags or access mode), -ENOTTY when
 * @dev_fd is not the exporter, -E2BIG (above
 * the exporter's max_buffer_size), -EDQUOT (all buffers together would pass
 * total_limit), -ENOMEM, -EMFILE.  A failure allocates nothing.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_alloc(int dev_fd, uint64_t size,
					   int fd_flags, uint64_t alloc_flags,
					   int *buf_fd, uint64_t *alloc_size);

/*
 * The exporter's limits and current usage, all in bytes except the counts.
 * Growable: set @struct_size first (see the ABI rules above).
 */
struct dmabuf_share_exporter_info {
	uint32_t struct_size;	  /* in: sizeof; out: bytes filled */
	uint32_t page_size;	  /* sizes round up to this */
	uint64_t max_buffer_size; /* largest single buffer */
	uint64_t total_limit;	  /* cap on all live buffers together */
	uint64_t total_allocated; /* held by live buffers now */
	uint32_t live_buffers;	  /* buffers not yet released */
	uint32_t reserved;	  /* 0 */
};

/**
 * dmabuf_share_exporter_info() - read the exporter's limits and usage
 * @dev_fd:	from dmabuf_share_exporter_open()
 * @info:	in: @struct_size set; out: filled on success
 *
 * A buffer counts as live until its last fd, mapping and device import are
 * gone, so this is the place to check that nothing leaked.  Returns
 * -ENOTTY when @dev_fd is not the exporter, -EINVAL for a bad @struct_size.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_exporter_info(int dev_fd, struct dmabuf_share_exporter_info *info);

/*
 * The exporter's reuse cache: released buffers kept (and zeroed) for the
 * next allocation of the same size.  Cached buffers belong to nobody and
 * are not counted in struct dmabuf_share_exporter_info.  Growable.
 */
struct dmabuf_share_exporter_cache_info {
	uint32_t struct_size;	 /* in: sizeof; out: bytes filled */
	uint32_t cached_buffers; /* buffers kept now */
	uint64_t cache_size;	 /* bytes it may keep; 0: cache off */
	uint64_t cached_bytes;	 /* bytes kept now */
	uint64_t dirty_bytes;	 /* part of cached_bytes not zeroed yet */
	uint64_t hits;		 /* allocations served from the cache */
	uint64_t misses;	 /* allocations that found none to reuse */
};

/**
 * dmabuf_share_exporter_cache_info() - the exporter's reuse-cache statistics
 * @dev_fd:	from dmabuf_share_exporter_open()
 * @info:	in: @struct_size set; out: filled on success
 *
 * @hits and @misses count since the module was loaded.  Returns -ENOTTY
 * when @dev_fd is not the exporter or the module predates the cache,
 * -EINVAL for a bad @struct_size.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_exporter_cache_info(int dev_fd,
				 struct dmabuf_share_exporter_cache_info *info);

/**
 * dmabuf_share_buffer_cgroup() - the memory cgroup a buffer is charged to
 * @dev_fd:	from dmabuf_share_exporter_open()
 * @buf_fd:	a dma-buf fd this exporter made (any holder's copy)
 * @cgroup_id:	out: a cgroup v2 id, the inode number of the cgroup's
 *		directory under the cgroup2 mount
 * @charged:	out: 1 when the memory is charged to @cgroup_id, the cgroup
 *		of the process that allocated it (or its parent, once it was
 *		removed); 0 when it is charged to nobody (allocated from the
 *		root cgroup, or from a CMA area), @cgroup_id then naming the
 *		allocating cgroup, 0 without a memory controller
 *
 * A buffer stays charged to its allocator's cgroup whoever holds it, as
 * shmem does.  Outputs are written only on success.  Returns -ENOTTY when
 * the module predates this query or @dev_fd is not the exporter, -ENODEV
 * for another exporter's dma-buf, -EINVAL when @buf_fd is no dma-buf,
 * -EBADF when it is not open.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_buffer_cgroup(int dev_fd, int buf_fd,
						   uint64_t *cgroup_id,
						   int *charged);

/* ------------------------------------------------------------------------ */
/* 2. Any dma-buf fd: size, mapping, CPU access, name, description            */
/* ------------------------------------------------------------------------ */

/**
 * dmabuf_share_is_dmabuf() - tell whether an fd refers to a dma-buf
 *
 * Returns 1 for a dma-buf, 0 for any other file, -EBADF for a closed fd.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_is_dmabuf(int fd);

/**
 * dmabuf_share_size() - size of a buffer in bytes
 * @fd:		a dma-buf (or any seekable file; the offset is left at its end)
 * @size:	out: lseek(fd, 0, SEEK_END), the only size a dma-buf reports
 */
DMABUF_SHARE_EXPORT int dmabuf_share_size(int fd, uint64_t *size);

/* dmabuf_share_map() flag: let the kernel place the mapping anywhere. */
#define DMABUF_SHARE_MAP_ANY_ADDRESS (1u << 0)

/* Mappings this large or larger start at a multiple of it. */
#define DMABUF_SHARE_MAP_ALIGN (2u << 20)

/**
 * dmabuf_share_map() - map a whole buffer shared into this process
 * @fd:		the buffer
 * @prot:	PROT_READ, or PROT_READ | PROT_WRITE
 * @flags:	0 or DMABUF_SHARE_MAP_ANY_ADDRESS
 * @addr:	out: start of the mapping
 * @size:	out: length of the mapping (the buffer's size)
 *
 * dma-bufs can only be mapped MAP_SHARED.  A buffer of
 * DMABUF_SHARE_MAP_ALIGN (2 MiB) or more is mapped at a 2 MiB-aligned
 * address, so an exporter that can map 2 MiB at a time (a PMD) can do so:
 * dma-buf files have no get_unmapped_area, so the kernel alone would place
 * the mapping anywhere.  The library reserves the size plus 2 MiB of
 * address space, maps the buffer over the aligned part of it and returns
 * the rest; nothing else stays mapped.  Returns -EACCES when asking for
 * PROT_WRITE on a buffer that was allocated or opened read-only, -EINVAL
 * for an empty buffer or unknown @flags.  The mapping outlives the fd:
 * close(fd) may follow.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_map(int fd, int prot, unsigned int flags,
					 void **addr, size_t *size);

/**
 * dmabuf_share_unmap() - undo dmabuf_share_map()
 */
DMABUF_SHARE_EXPORT int dmabuf_share_unmap(void *addr, size_t size);

/* Which CPU access a sync bracket covers (DMA_BUF_SYNC_READ/WRITE/RW). */
enum dmabuf_share_access {
	DMABUF_SHARE_READ = 1,
	DMABUF_SHARE_WRITE = 2,
	DMABUF_SHARE_RW = 3,
};

/**
 * dmabuf_share_sync_start() - begin CPU access through a mapping
 * @fd:		the buffer
 * @access:	DMABUF_SHARE_READ, DMABUF_SHARE_WRITE or DMABUF_SHARE_RW
 * @timeout_ms:	how long to wait for the device fences on the buffer
 *		(reads wait for writers, writes for every user); -1 forever
 *
 * Every CPU access to a mapping belongs between sync_start and sync_end
 * with the same @access, so the exporter can flush or invalidate caches
 * and wait for device fences.  The wait covers the fences present when
 * the call starts.  Returns -ETIMEDOUT when they did not signal in time,
 * -EINVAL for any other @access, -ENOTTY when @fd is not a dma-buf.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_sync_start(int fd, unsigned int access,
						int timeout_ms);

/**
 * dmabuf_share_sync_end() - end CPU access begun with dmabuf_share_sync_start()
 */
DMABUF_SHARE_EXPORT int dmabuf_share_sync_end(int fd, unsigned int access);

/* Longest dma-buf name plus its NUL (the kernel's DMA_BUF_NAME_LEN). */
#define DMABUF_SHARE_NAME_LEN 32

/**
 * dmabuf_share_set_name() - name a buffer for debugging tools
 * @fd:		the buffer
 * @name:	at most DMABUF_SHARE_NAME_LEN - 1 bytes
 *
 * The name shows in fdinfo, /proc/PID/maps and debugfs bufinfo, in every
 * process.  Returns -ENAMETOOLONG for a longer name (nothing is sent to the
 * kernel), -ENOTTY when @fd is not a dma-buf.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_set_name(int fd, const char *name);

/* Room for an exporter name; longer ones are cut (and stay NUL-terminated). */
#define DMABUF_SHARE_EXP_NAME_LEN 64

/* What the kernel says about one dma-buf.  Growable. */
struct dmabuf_share_desc {
	uint32_t struct_size;			  /* in: sizeof; out: filled */
	uint32_t reserved;			  /* 0 */
	uint64_t size;				  /* bytes; 0: unknown */
	uint64_t inode;				  /* unique per buffer */
	char exp_name[DMABUF_SHARE_EXP_NAME_LEN]; /* exporter; "": unknown */
	char name[DMABUF_SHARE_NAME_LEN];	  /* "" when unnamed */
};

/**
 * dmabuf_share_describe() - describe a dma-buf fd of this process
 * @fd:		the buffer
 * @desc:	in: @struct_size set; out: filled from /proc/self/fdinfo/FD
 *		and fstat()
 *
 * Returns -ENOTTY when @fd is not a dma-buf, -EBADF when it is not open,
 * -EINVAL for a bad @struct_size.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_describe(int fd,
					      struct dmabuf_share_desc *desc);

/**
 * dmabuf_share_describe_pid() - describe a dma-buf fd of any process
 * @pid:	the process, or 0 for this one
 * @fd:		the fd number in that process
 * @desc:	in/out: as for dmabuf_share_describe()
 *
 * Returns -ENOTTY when that fd is not a dma-buf, -ENOENT when the process
 * or fd does not exist, -EACCES when the caller may not inspect it.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_describe_pid(pid_t pid, int fd, struct dmabuf_share_desc *desc);

/* ------------------------------------------------------------------------ */
/* 3. Passing fds over AF_UNIX sockets (SCM_RIGHTS)                           */
/* ------------------------------------------------------------------------ */

/**
 * dmabuf_share_send_fd() - send bytes with one fd attached
 * @sock:	a connected AF_UNIX socket, best SOCK_SEQPACKET so that one
 *		send is one message
 * @fd:		the fd to pass; the caller keeps its own copy
 * @data:	payload, at least one byte (an fd cannot travel alone)
 * @len:	payload length, more than 0
 * @timeout_ms:	how long to wait for room in the peer's receive queue
 *
 * Never raises SIGPIPE.  Returns 0, -EPIPE when the peer is gone, -EINVAL
 * for an empty payload, -ETIMEDOUT, or another -errno from sendmsg().
 */
DMABUF_SHARE_EXPORT int dmabuf_share_send_fd(int sock, int fd, const void *data,
					     size_t len, int timeout_ms);

/* dmabuf_share_recv_fd() flag: refuse any fd that is not a dma-buf. */
#define DMABUF_SHARE_RECV_DMABUF (1u << 0)

/**
 * dmabuf_share_recv_fd() - receive one message that carries exactly one fd
 * @sock:	a connected AF_UNIX socket
 * @data:	buffer for the payload
 * @len:	its size; a longer message is an error, not cut silently
 * @flags:	0 or DMABUF_SHARE_RECV_DMABUF
 * @timeout_ms:	how long to wait for the message
 * @received:	out, may be NULL: payload bytes received
 * @fd:		out: the fd, close-on-exec (MSG_CMSG_CLOEXEC)
 *
 * Every error closes every fd that arrived, so nothing leaks:
 * -ETIMEDOUT	no message arrived in time (nothing was read)
 * -ECONNRESET	the peer hung up (end of stream) before sending
 * -ENOMSG	a message without an fd
 * -ETOOMANYREFS more than one fd arrived
 * -ENOBUFS	MSG_CTRUNC: fds were dropped by the kernel, because more
 *		arrived than fit or this process had no free fd slot
 * -EMSGSIZE	MSG_TRUNC: the payload was longer than @len
 * -ENOTTY	DMABUF_SHARE_RECV_DMABUF was given and the fd is no dma-buf
 * -EINVAL	unknown @flags bits
 */
DMABUF_SHARE_EXPORT int dmabuf_share_recv_fd(int sock, void *data, size_t len,
					     unsigned int flags, int timeout_ms,
					     size_t *received, int *fd);

/* ------------------------------------------------------------------------ */
/* 4. A tiny server: one process owns a buffer, any number of clients        */
/* ------------------------------------------------------------------------ */

/*
 * The server accepts a connection on a SOCK_SEQPACKET socket, sends one
 * message (this header plus the buffer's fd) and closes the connection.
 * Both ends run on one machine, so fields are in host byte order.  This
 * struct is the wire format of protocol version 1 and never changes.
 */
#define DMABUF_SHARE_MAGIC 0x48534244u /* "DBSH" in memory */
#define DMABUF_SHARE_PROTOCOL_VERSION 1u

struct dmabuf_share_header {
	uint32_t magic;	  /* DMABUF_SHARE_MAGIC */
	uint32_t version; /* DMABUF_SHARE_PROTOCOL_VERSION */
	uint64_t size;	  /* the buffer's size in bytes */
	uint64_t offset;  /* where the server's data starts, <= size */
	char name[DMABUF_SHARE_NAME_LEN]; /* NUL-terminated, may be "" */
};

/**
 * dmabuf_share_header_init() - fill a header for a buffer
 * @hdr:	out
 * @size:	the buffer's size
 * @offset:	where the data starts, at most @size
 * @name:	NULL or at most DMABUF_SHARE_NAME_LEN - 1 bytes
 *
 * Returns -EINVAL for @offset > @size, -ENAMETOOLONG for a long name.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_header_init(struct dmabuf_share_header *hdr, uint64_t size,
			 uint64_t offset, const char *name);

/**
 * dmabuf_share_header_check() - validate a received header
 * @data:	the bytes received
 * @len:	how many
 *
 * Returns 0 for a header this version understands, -EPROTO when the
 * message is too short to hold the magic or the magic is wrong (the peer
 * is not a dmabuf-share server), -EPROTONOSUPPORT for another protocol
 * version, -EBADMSG when a dmabuf-share header of this version has the
 * wrong length or an inconsistent field (name not terminated, offset past
 * size).
 */
DMABUF_SHARE_EXPORT int dmabuf_share_header_check(const void *data, size_t len);

/* Opaque; one per served buffer. */
struct dmabuf_share_server;

/**
 * dmabuf_share_server_create() - listen on a socket path for one buffer
 * @path:	filesystem path for the socket; a stale socket left by a dead
 *		server is replaced, a live one is not
 * @flags:	0 (no flags are defined yet; others are -EINVAL)
 * @buf_fd:	the buffer; borrowed, keep it open until destroy
 * @offset:	sent in every header
 * @name:	sent in every header, NULL for ""
 * @server:	out
 *
 * A server holds flock() on the lock file "@path.lock" beside the socket
 * (created 0644 if missing) for as long as it lives, as Wayland
 * compositors do: the kernel drops the lock when the process dies however
 * it dies, every network namespace sees it, and it is taken before bind(),
 * so two servers starting at once cannot both win, nor remove each
 * other's socket.  A socket file whose lock is free is also looked up in
 * the kernel's socket table (sock_diag, else /proc/net/unix), never by
 * connecting, so a program that takes no lock keeps its path too.
 * Returns -ENAMETOOLONG when @path does not fit in sockaddr_un,
 * -EADDRINUSE when a server holds the lock or listens on @path, -ENOTSOCK
 * when @path exists and is not a socket (a file or directory is never
 * replaced), or -errno from open(), flock() and the socket calls.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_server_create(const char *path, unsigned int flags, int buf_fd,
			   uint64_t offset, const char *name,
			   struct dmabuf_share_server **server);

/**
 * dmabuf_share_server_fd() - the listening socket, to poll() for POLLIN
 *
 * Non-blocking; poll it and call dmabuf_share_server_accept() with
 * @timeout_ms 0 when the caller also waits for other events (signals,
 * timers).
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_server_fd(const struct dmabuf_share_server *server);

/**
 * dmabuf_share_server_accept() - hand the buffer to the next client
 * @server:	from dmabuf_share_server_create()
 * @client_pid:	out, may be NULL: the client's pid (SO_PEERCRED)
 * @timeout_ms:	how long to wait for a client to connect
 *
 * Waits for a client, sends it the header and the fd without waiting, and
 * closes the connection.  The server stays usable after any error:
 * -ETIMEDOUT	no client connected in time
 * -EPIPE, -ECONNRESET	that client went away first
 * -EAGAIN	that client's receive queue had no room for the message
 * -EMFILE, -ENFILE	no fd for the connection: it stays queued, so an
 *		immediate retry fails the same way; back off first
 * -ENOBUFS, -ENOMEM	the kernel is short of memory; back off too
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_server_accept(struct dmabuf_share_server *server,
			   pid_t *client_pid, int timeout_ms);

/**
 * dmabuf_share_server_destroy() - stop listening and remove the socket path
 *
 * Clients that already received the buffer keep it: it lives on until its
 * last fd and mapping are gone.  The path and its lock file are removed
 * only by the process that created the server and only while they are
 * still this server's files.  NULL is allowed.
 */
DMABUF_SHARE_EXPORT void
dmabuf_share_server_destroy(struct dmabuf_share_server *server);

/**
 * dmabuf_share_connect() - connect to a server's socket path
 * @path:	the path given to dmabuf_share_server_create()
 * @flags:	0 (no flags are defined yet; others are -EINVAL)
 * @sock:	out: the connected socket (close-on-exec)
 * @server_pid: out, may be NULL: the server's pid (SO_PEERCRED)
 * @timeout_ms:	how long to wait while the server's backlog is full (a
 *		stopped or overloaded server)
 *
 * Returns -ENOENT (no such socket), -ECONNREFUSED (a stale socket: the
 * server is gone), -ENOTSOCK (@path is not a socket: a file, directory or
 * device), -ETIMEDOUT, -ENAMETOOLONG, or another -errno from connect().
 */
DMABUF_SHARE_EXPORT int dmabuf_share_connect(const char *path,
					     unsigned int flags, int *sock,
					     pid_t *server_pid, int timeout_ms);

/**
 * dmabuf_share_receive() - receive a server's header and buffer
 * @sock:	from dmabuf_share_connect()
 * @flags:	0 or DMABUF_SHARE_RECV_DMABUF
 * @hdr:	out: the validated header
 * @buf_fd:	out: the buffer (close-on-exec)
 * @timeout_ms:	how long to wait for the server to send
 *
 * All errors of dmabuf_share_recv_fd() and dmabuf_share_header_check(),
 * plus -EBADMSG when the header's size is not the received buffer's size.
 * The header is checked before the kind of fd, so a peer that is not a
 * dmabuf-share server gives -EPROTO, not -ENOTTY; a message without the
 * header's magic is -EPROTO too when it came with no fd, several fds or
 * too many bytes (an HTTP server answers "HTTP/1.0 200 OK").  On error no fd is left
 * open.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_receive(int sock, unsigned int flags,
					     struct dmabuf_share_header *hdr,
					     int *buf_fd, int timeout_ms);

/**
 * dmabuf_share_attach() - connect, receive and disconnect in one call
 *
 * dmabuf_share_connect() followed by dmabuf_share_receive(), both within
 * one @timeout_ms; the socket is closed before returning.  @server_pid may
 * be NULL.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_attach(const char *path,
					    unsigned int flags,
					    struct dmabuf_share_header *hdr,
					    int *buf_fd, pid_t *server_pid,
					    int timeout_ms);

/* ------------------------------------------------------------------------ */
/* 5. Importing into a DRM device (PRIME)                                    */
/* ------------------------------------------------------------------------ */

/**
 * dmabuf_share_drm_open() - open a DRM device node
 * @path:	e.g. "/dev/dri/renderD128" or "/dev/dri/card0"; NULL picks the
 *		first render node, else the first primary node
 * @drm_fd:	out: the device fd (O_RDWR | O_CLOEXEC)
 *
 * Returns -ENOENT when there is no such node (or, for NULL, no DRM device
 * at all), or another -errno from open().
 */
DMABUF_SHARE_EXPORT int dmabuf_share_drm_open(const char *path, int *drm_fd);

/**
 * dmabuf_share_drm_driver() - the DRM driver's name, e.g. "vgem"
 * @drm_fd:	a DRM device fd
 * @name:	out: the NUL-terminated name
 * @len:	size of @name; 32 bytes hold every driver name in Linux
 *
 * Returns -ERANGE when the name and its NUL do not fit in @len (nothing
 * is written: a cut name could name another driver), -EINVAL for a 0
 * @len, or -errno from the DRM_IOCTL_VERSION ioctl.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_drm_driver(int drm_fd, char *name,
						size_t len);

/**
 * dmabuf_share_drm_import() - import a dma-buf, get a GEM handle
 * @drm_fd:	a DRM device fd
 * @buf_fd:	the dma-buf
 * @handle:	out: the GEM handle; importing one dma-buf twice into one
 *		device fd gives the same handle (and one reference)
 *
 * The device attaches to and maps the buffer here.  Returns -ENODEV when
 * the driver has no PRIME import, -EINVAL when it cannot use this buffer.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_drm_import(int drm_fd, int buf_fd,
						uint32_t *handle);

/* dmabuf_share_drm_export() flag: a read-write fd (DRM_RDWR). */
#define DMABUF_SHARE_EXPORT_WRITABLE (1u << 0)

/**
 * dmabuf_share_drm_export() - export a GEM handle as a dma-buf fd
 * @drm_fd:	a DRM device fd
 * @handle:	a GEM handle of that fd
 * @flags:	DMABUF_SHARE_EXPORT_WRITABLE for a read-write fd, 0 for a
 *		read-only one; other bits are -EINVAL
 * @buf_fd:	out: a dma-buf fd (close-on-exec).  For an imported handle
 *		this is the original dma-buf: same inode.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_drm_export(int drm_fd, uint32_t handle,
						unsigned int flags,
						int *buf_fd);

/**
 * dmabuf_share_drm_close_handle() - drop a GEM handle
 *
 * The device detaches from an imported buffer once its last handle goes.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_drm_close_handle(int drm_fd,
						      uint32_t handle);

/* ------------------------------------------------------------------------ */
/* 6. Every dma-buf in the system                                            */
/* ------------------------------------------------------------------------ */

/* Opaque: a snapshot of every dma-buf, and one buffer in it. */
struct dmabuf_share_inventory;
struct dmabuf_share_buffer;

/* Where an inventory's facts came from. */
#define DMABUF_SHARE_SRC_DEBUGFS (1u << 0) /* bufinfo was readable */
#define DMABUF_SHARE_SRC_PROC (1u << 1)	   /* /proc was walked */

/**
 * dmabuf_share_inventory_read() - list every dma-buf the caller can see
 * @flags:	0 (no flags are defined yet; others are -EINVAL)
 * @inv:	out: free with dmabuf_share_inventory_free()
 *
 * Time and memory grow linearly with the number of buffers and holders
 * (20,000 buffers: about 8 ms of CPU on top of reading the files).
 * Buffers come from /sys/kernel/debug/dma_buf/bufinfo when it is readable
 * (root, debugfs mounted: that also lists attached devices and buffers
 * only the kernel holds), and from /proc/PID/fd, fdinfo and maps of every
 * process the caller may inspect (holders and mappings).
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_inventory_read(unsigned int flags,
			    struct dmabuf_share_inventory **inv);

/**
 * dmabuf_share_inventory_free() - free an inventory; NULL is allowed
 *
 * Every buffer and string read from it goes with it.
 */
DMABUF_SHARE_EXPORT void
dmabuf_share_inventory_free(struct dmabuf_share_inventory *inv);

/* DMABUF_SHARE_SRC_* bits: which sources were read. */
DMABUF_SHARE_EXPORT unsigned int
dmabuf_share_inventory_sources(const struct dmabuf_share_inventory *inv);

/*
 * Processes the caller was not allowed to inspect (run as root for all).
 * Kernel threads, which hold no fds, are not counted.
 */
DMABUF_SHARE_EXPORT size_t
dmabuf_share_inventory_hidden_pids(const struct dmabuf_share_inventory *inv);

/* How many buffers the inventory holds. */
DMABUF_SHARE_EXPORT size_t
dmabuf_share_inventory_count(const struct dmabuf_share_inventory *inv);

/**
 * dmabuf_share_inventory_buffer() - one buffer, sorted by inode
 * @inv:	the inventory
 * @index:	0 to dmabuf_share_inventory_count() - 1
 *
 * Returns NULL for an @index past the end.
 */
DMABUF_SHARE_EXPORT const struct dmabuf_share_buffer *
dmabuf_share_inventory_buffer(const struct dmabuf_share_inventory *inv,
			      size_t index);

/**
 * dmabuf_share_buffer_desc() - what is known about a buffer
 * @buf:	from dmabuf_share_inventory_buffer()
 * @desc:	in: @struct_size set; out: size and exporter are unknown (0,
 *		"") for a buffer only seen as a mapping
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_buffer_desc(const struct dmabuf_share_buffer *buf,
			 struct dmabuf_share_desc *desc);

/* How many processes hold the buffer: fds first, then mappings. */
DMABUF_SHARE_EXPORT size_t
dmabuf_share_buffer_holder_count(const struct dmabuf_share_buffer *buf);

/**
 * dmabuf_share_buffer_holder() - one process holding the buffer
 * @buf:	the buffer
 * @index:	0 to dmabuf_share_buffer_holder_count() - 1
 * @pid:	out: the process
 * @fd:		out: its fd number, or -1 when it holds only a mapping
 *
 * Returns -ERANGE for an @index past the end.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_buffer_holder(const struct dmabuf_share_buffer *buf, size_t index,
			   pid_t *pid, int *fd);

/*
 * How many devices are attached to the buffer.  Devices are read from
 * debugfs bufinfo only: without DMABUF_SHARE_SRC_DEBUGFS in
 * dmabuf_share_inventory_sources() they are unknown and this is 0, and a
 * buffer created after bufinfo was read had none attached when it was.
 */
DMABUF_SHARE_EXPORT size_t
dmabuf_share_buffer_device_count(const struct dmabuf_share_buffer *buf);

/* The name of attached device @index, or NULL past the end. */
DMABUF_SHARE_EXPORT const char *
dmabuf_share_buffer_device(const struct dmabuf_share_buffer *buf, size_t index);

#ifdef __cplusplus
}
#endif

#endif /* DMABUF_SHARE_H */
