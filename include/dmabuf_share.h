/* SPDX-License-Identifier: MIT */
/*
 * dmabuf_share.h - share dma-buf file descriptors between processes and devices
 *
 * Read top to bottom: allocate a buffer from /dev/dmabuf_exporter, map it and
 * bracket CPU access, describe any dma-buf fd, pass fds over AF_UNIX sockets,
 * serve one buffer to many clients, import it into a DRM device, and list
 * every dma-buf in the system.
 *
 * Conventions, the same for every function here (libdrm's PRIME habits):
 * - Results are 0 (or a documented non-negative value) on success and a
 *   negative errno on failure.  errno itself is not meaningful afterwards.
 * - Out-parameters are written only on success; on failure they keep what
 *   the caller put there.
 * - Every fd the library creates is close-on-exec unless the caller asks
 *   otherwise.  Interrupted calls (EINTR, and EAGAIN for ioctls) are retried.
 * - Only the exporter section assumes /dev/dmabuf_exporter; everything else
 *   works on any dma-buf fd (udmabuf, dma-heaps, GPU drivers).
 *
 * Link with `pkg-config --cflags --libs dmabuf-share`.
 */
#ifndef DMABUF_SHARE_H
#define DMABUF_SHARE_H

#include <stddef.h>
#include <stdint.h>
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
 * @fd_flags:	O_RDWR or O_RDONLY, optionally | O_CLOEXEC.  O_RDONLY
 *		buffers refuse writable mappings in every process.
 * @alloc_flags: DMABUF_SHARE_ALLOC_* bits, usually 0
 * @buf_fd:	out: the new dma-buf fd
 * @alloc_size:	out, may be NULL: bytes actually allocated (page-rounded)
 *
 * Returns 0, or -EINVAL (bad size, flags or access mode), -E2BIG (above
 * the exporter's max_buffer_size), -EDQUOT (all buffers together would pass
 * total_limit), -ENOMEM, -EMFILE.  A failure allocates nothing.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_alloc(int dev_fd, uint64_t size,
					   int fd_flags, uint64_t alloc_flags,
					   int *buf_fd, uint64_t *alloc_size);

/* The exporter's limits and current usage, all in bytes except the counts. */
struct dmabuf_share_exporter_info {
	uint64_t max_buffer_size; /* largest single buffer */
	uint64_t total_limit;	  /* cap on all live buffers together */
	uint64_t total_allocated; /* held by live buffers now */
	uint32_t live_buffers;	  /* buffers not yet released */
	uint32_t page_size;	  /* sizes round up to this */
};

/**
 * dmabuf_share_exporter_info() - read the exporter's limits and usage
 * @dev_fd:	from dmabuf_share_exporter_open()
 * @info:	out: filled on success
 *
 * A buffer counts as live until its last fd, mapping and device import are
 * gone, so this is the place to check that nothing leaked.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_exporter_info(int dev_fd, struct dmabuf_share_exporter_info *info);

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

/**
 * dmabuf_share_map() - map a whole buffer shared into this process
 * @fd:		the buffer
 * @prot:	PROT_READ, or PROT_READ | PROT_WRITE
 * @addr:	out: start of the mapping
 * @size:	out: length of the mapping (the buffer's size)
 *
 * dma-bufs can only be mapped MAP_SHARED.  Returns -EACCES when asking for
 * PROT_WRITE on a buffer that was allocated or opened read-only, -EINVAL
 * for an empty buffer.  The mapping outlives the fd: close(fd) may follow.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_map(int fd, int prot, void **addr,
					 size_t *size);

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
 *
 * Every CPU access to a mapping belongs between sync_start and sync_end
 * with the same @access, so the exporter can flush or invalidate caches
 * and wait for device fences.  Returns -EINVAL for any other @access,
 * -ENOTTY when @fd is not a dma-buf.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_sync_start(int fd, unsigned int access);

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

/* What the kernel says about one dma-buf. */
struct dmabuf_share_desc {
	uint64_t size;				  /* bytes */
	uint64_t inode;				  /* unique per buffer */
	char exp_name[DMABUF_SHARE_EXP_NAME_LEN]; /* exporter module */
	char name[DMABUF_SHARE_NAME_LEN];	  /* "" when unnamed */
};

/**
 * dmabuf_share_describe() - describe a dma-buf fd of this process
 * @fd:		the buffer
 * @desc:	out: filled from /proc/self/fdinfo/FD and fstat()
 *
 * Returns -ENOTTY when @fd is not a dma-buf, -EBADF when it is not open.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_describe(int fd,
					      struct dmabuf_share_desc *desc);

/**
 * dmabuf_share_describe_pid() - describe a dma-buf fd of any process
 * @pid:	the process, or 0 for this one
 * @fd:		the fd number in that process
 * @desc:	out: as for dmabuf_share_describe()
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
 *
 * Never raises SIGPIPE.  Returns 0, -EPIPE when the peer is gone, -EINVAL
 * for an empty payload, or another -errno from sendmsg().
 */
DMABUF_SHARE_EXPORT int dmabuf_share_send_fd(int sock, int fd, const void *data,
					     size_t len);

/* dmabuf_share_recv_fd() flag: refuse any fd that is not a dma-buf. */
#define DMABUF_SHARE_RECV_DMABUF (1u << 0)

/**
 * dmabuf_share_recv_fd() - receive one message that carries exactly one fd
 * @sock:	a connected AF_UNIX socket
 * @data:	buffer for the payload
 * @len:	its size; a longer message is an error, not cut silently
 * @flags:	0 or DMABUF_SHARE_RECV_DMABUF
 * @received:	out, may be NULL: payload bytes received
 * @fd:		out: the fd, close-on-exec (MSG_CMSG_CLOEXEC)
 *
 * Every error closes every fd that arrived, so nothing leaks:
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
					     unsigned int flags,
					     size_t *received, int *fd);

/* ------------------------------------------------------------------------ */
/* 4. A tiny server: one process owns a buffer, any number of clients        */
/* ------------------------------------------------------------------------ */

/*
 * The server accepts a connection on a SOCK_SEQPACKET socket, sends one
 * message (this header plus the buffer's fd) and closes the connection.
 * Both ends run on one machine, so fields are in host byte order.
 */
#define DMABUF_SHARE_MAGIC 0x48534244u /* "DBSH" in memory */
#define DMABUF_SHARE_VERSION 1u

struct dmabuf_share_header {
	uint32_t magic;	  /* DMABUF_SHARE_MAGIC */
	uint32_t version; /* DMABUF_SHARE_VERSION */
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
 * Returns 0 for a header this version understands, -EBADMSG when @len is
 * not sizeof(struct dmabuf_share_header) or a field is inconsistent (name
 * not terminated, offset past size), -EPROTO for a wrong magic (not a
 * dmabuf-share peer), -EPROTONOSUPPORT for another protocol version.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_header_check(const void *data, size_t len);

/* Opaque; one per served buffer. */
struct dmabuf_share_server;

/**
 * dmabuf_share_server_create() - listen on a socket path for one buffer
 * @path:	filesystem path for the socket; a stale socket left by a dead
 *		server is replaced, a live one is not (-EADDRINUSE)
 * @buf_fd:	the buffer; borrowed, keep it open until destroy
 * @offset:	sent in every header
 * @name:	sent in every header, NULL for ""
 * @server:	out
 *
 * Returns -ENAMETOOLONG when @path does not fit in sockaddr_un,
 * -EADDRINUSE when another server is live on @path, or -errno from the
 * socket calls.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_server_create(const char *path, int buf_fd, uint64_t offset,
			   const char *name,
			   struct dmabuf_share_server **server);

/**
 * dmabuf_share_server_fd() - the listening socket, to poll() for POLLIN
 *
 * Blocking; poll it before dmabuf_share_server_accept() when the caller
 * also waits for other events (signals, timers).
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_server_fd(const struct dmabuf_share_server *server);

/**
 * dmabuf_share_server_accept() - hand the buffer to the next client
 * @server:	from dmabuf_share_server_create()
 * @client_pid:	out, may be NULL: the client's pid (SO_PEERCRED)
 *
 * Blocks until a client connects, sends it the header and the fd, and
 * closes the connection.  Returns -EPIPE when that client went away first;
 * the server stays usable after any error.
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_server_accept(struct dmabuf_share_server *server,
			   pid_t *client_pid);

/**
 * dmabuf_share_server_destroy() - stop listening and remove the socket path
 *
 * Clients that already received the buffer keep it: it lives on until its
 * last fd and mapping are gone.  NULL is allowed.
 */
DMABUF_SHARE_EXPORT void
dmabuf_share_server_destroy(struct dmabuf_share_server *server);

/**
 * dmabuf_share_connect() - connect to a server's socket path
 * @path:	the path given to dmabuf_share_server_create()
 * @sock:	out: the connected socket (close-on-exec)
 * @server_pid: out, may be NULL: the server's pid (SO_PEERCRED)
 *
 * Returns -ENOENT (no such socket), -ECONNREFUSED (a stale socket: the
 * server is gone), -ENAMETOOLONG, or another -errno from connect().
 */
DMABUF_SHARE_EXPORT int dmabuf_share_connect(const char *path, int *sock,
					     pid_t *server_pid);

/**
 * dmabuf_share_receive() - receive a server's header and buffer
 * @sock:	from dmabuf_share_connect()
 * @flags:	0 or DMABUF_SHARE_RECV_DMABUF
 * @hdr:	out: the validated header
 * @buf_fd:	out: the buffer (close-on-exec)
 *
 * All errors of dmabuf_share_recv_fd() and dmabuf_share_header_check(),
 * plus -EBADMSG when the header's size is not the received buffer's size.
 * The header is checked before the kind of fd, so a peer that is not a
 * dmabuf-share server gives -EPROTO, not -ENOTTY.  On error no fd is left
 * open.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_receive(int sock, unsigned int flags,
					     struct dmabuf_share_header *hdr,
					     int *buf_fd);

/**
 * dmabuf_share_attach() - connect, receive and disconnect in one call
 *
 * dmabuf_share_connect() followed by dmabuf_share_receive(); the socket is
 * closed before returning.  @server_pid may be NULL.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_attach(const char *path,
					    unsigned int flags,
					    struct dmabuf_share_header *hdr,
					    int *buf_fd, pid_t *server_pid);

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
 * @name:	out: NUL-terminated, cut to @len
 * @len:	size of @name, more than 0
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

/**
 * dmabuf_share_drm_export() - export a GEM handle as a dma-buf fd
 * @drm_fd:	a DRM device fd
 * @handle:	a GEM handle of that fd
 * @writable:	nonzero for a read-write fd (DRM_RDWR), else read-only
 * @buf_fd:	out: a dma-buf fd (close-on-exec).  For an imported handle
 *		this is the original dma-buf: same inode.
 */
DMABUF_SHARE_EXPORT int dmabuf_share_drm_export(int drm_fd, uint32_t handle,
						int writable, int *buf_fd);

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

/* One process holding a buffer: by fd (fd >= 0) or only by a mapping. */
struct dmabuf_share_holder {
	pid_t pid;
	int fd; /* -1 for a mapping */
};

struct dmabuf_share_buffer {
	struct dmabuf_share_desc desc;
	size_t nr_holders;
	struct dmabuf_share_holder *holders; /* fds first, then mappings */
	int nr_devices;			     /* -1: unknown (no debugfs) */
	char **devices;			     /* attached device names */
};

/* Where an inventory's facts came from. */
#define DMABUF_SHARE_SRC_DEBUGFS (1u << 0) /* bufinfo was readable */
#define DMABUF_SHARE_SRC_PROC (1u << 1)	   /* /proc was walked */

struct dmabuf_share_inventory {
	unsigned int sources; /* DMABUF_SHARE_SRC_* */
	size_t nr_buffers;
	struct dmabuf_share_buffer *buffers; /* sorted by inode */
	size_t nr_hidden_pids; /* processes the caller may not inspect */
};

/**
 * dmabuf_share_inventory_read() - list every dma-buf the caller can see
 * @inv:	out: free with dmabuf_share_inventory_free()
 *
 * Buffers come from /sys/kernel/debug/dma_buf/bufinfo when it is readable
 * (root, debugfs mounted: that also lists attached devices and buffers
 * only the kernel holds), and from /proc/PID/fd, fdinfo and maps of every
 * process the caller may inspect (holders and mappings).
 */
DMABUF_SHARE_EXPORT int
dmabuf_share_inventory_read(struct dmabuf_share_inventory **inv);

/**
 * dmabuf_share_inventory_free() - free an inventory; NULL is allowed
 */
DMABUF_SHARE_EXPORT void
dmabuf_share_inventory_free(struct dmabuf_share_inventory *inv);

#ifdef __cplusplus
}
#endif

#endif /* DMABUF_SHARE_H */
