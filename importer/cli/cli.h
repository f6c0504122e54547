/* SPDX-License-Identifier: MIT */
/* Shared by the dmabuf-share subcommands: exit codes, errors, parsing. */
#ifndef DMABUF_SHARE_CLI_H
#define DMABUF_SHARE_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "dmabuf_share.h"

/* The documented exit statuses. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2
};

/* One entry per subcommand; each returns an exit status. */
int cmd_serve(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_drm_import(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_info(int argc, char **argv);

/* The running subcommand's name, for messages ("attach"). */
extern const char *cli_cmd;

/*
 * Report a failed operation as "dmabuf-share CMD: cannot WHAT: REASON
 * (HINT)", where REASON is dmabuf_share_strerror(@err) and HINT says what
 * to do about @err for operation @op (see the table in errors.c).
 * Returns EXIT_FAIL.
 */
int cli_fail(const char *op, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with REASON and HINT given (HINT may be NULL). */
int cli_fail_why(const char *why, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The hint for @err in operation @op, or NULL. */
const char *cli_hint(const char *op, int err);

/* What @path is, for "X is a directory, not a socket": "a directory". */
const char *cli_file_kind(const char *path);

/*
 * Report a failure to use @path as a socket (@op "connect" or "listen"):
 * a path that is no socket is named as what it is.  Returns EXIT_FAIL.
 */
int cli_fail_socket(const char *op, int err, const char *path);

/*
 * Report a failure to use @dev as the exporter (@what: "open %s", "read
 * INFO from %s"): a node that is some other file or device is named as
 * such, not as "not a dma-buf".  Returns EXIT_FAIL.
 */
int cli_fail_exporter(const char *op, int err, const char *what,
		      const char *dev);

/* Print a warning: "dmabuf-share CMD: warning: ...". */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a usage mistake and point at --help.  Returns EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * getopt_long() with the messages above; short options are only -h.
 * Returns the option, -1 after the last one, or '?' once a usage error
 * has been reported.
 */
struct option;
int cli_getopt(int argc, char **argv, const struct option *opts);

/* Returned by option parsers when --help was printed: exit 0. */
#define CLI_HELP_SHOWN (-1)

/*
 * The option loop of every subcommand: --help prints @help and returns
 * CLI_HELP_SHOWN, any other option goes to @handle (NULL when the command
 * has no options) with @ctx.  Returns EXIT_OK or a usage error.
 */
int cli_options(int argc, char **argv, const struct option *opts,
		void (*help)(void), int (*handle)(int c, void *ctx), void *ctx);

/*
 * The operand left after the options: exactly one (SOCKET) when @operand
 * is not NULL, none otherwise; anything else is a usage error.
 */
int cli_operand(int argc, char **argv, const char **operand);

/*
 * Numbers on the command line are decimal ("0100" is one hundred) or hex
 * after 0x; no sign, no spaces.  Each parser returns 0 or -EINVAL, and its
 * *_SYNTAX text says what is allowed, for the usage message.
 */
#define SIZE_SYNTAX                                                      \
	"a size is a whole number of bytes above 0, decimal or 0x hex, " \
	"optionally followed by K, M or G (or KiB, MiB, GiB: powers of " \
	"1024); e.g. 4096, 64K, 0x100000"
#define SECONDS_SYNTAX "whole seconds in decimal, 0 to %u"
#define PATTERN_SYNTAX                                                       \
	"a PATTERN is a byte from 0 to 255, decimal or 0x hex (171, 0xAB), " \
	"or 'counter'"

/* Largest --hold and --timeout values. */
#define HOLD_MAX (86400u * 365)
#define TIMEOUT_MAX 86400u

/* Default --timeout: how long a client waits for the server. */
#define TIMEOUT_DEFAULT 10u

/* Decimal or 0x hex, the whole string, at most @max. */
int cli_parse_number(const char *s, uint64_t max, uint64_t *value);

/* "64K", "1M", "4096", "0x1000": bytes, more than 0. */
int cli_parse_size(const char *s, uint64_t *bytes);

/*
 * Why cli_parse_size() refused @s: "it must be above 0", "unknown unit
 * 'MB'" (written into @buf), and so on.
 */
const char *cli_size_error(const char *s, char *buf, size_t len);

/* Whole decimal seconds, 0 to @max. */
int cli_parse_seconds(const char *s, unsigned int max, unsigned int *seconds);

/* --timeout SECONDS in milliseconds for the library: 0 is -1 (no limit). */
int cli_timeout_ms(unsigned int seconds);

/*
 * What is left of @total_ms (-1: no limit) since @start (CLOCK_MONOTONIC):
 * -1, or 0 to @total_ms, never below 0.
 */
struct timespec;
int cli_ms_left(int total_ms, const struct timespec *start);

/* Sleep for @seconds, restarting after signals that do not kill us. */
void cli_hold(unsigned int seconds, const char *what);

/* Bytes with a binary unit for people: "1048576 (1.0 MiB)". */
const char *cli_bytes(uint64_t bytes, char *buf, size_t len);

/*
 * Connect to a serve socket and receive its dma-buf within @timeout_s
 * seconds (0: no limit), reporting any failure.  Returns EXIT_OK with
 * @hdr, @fd, @desc and @server_pid filled.
 */
int cli_receive(const char *sock, unsigned int timeout_s,
		struct dmabuf_share_header *hdr, int *fd,
		struct dmabuf_share_desc *desc, pid_t *server_pid);

/*
 * The serve loop: hand the buffer to every client until @stop_fd is
 * readable (a signalfd, or any fd in tests).  Accept errors are reported
 * once per kind, with a hint, and retried after a back-off of up to a
 * second, so a process out of fds neither spins nor floods its log.
 * @clients counts the clients served.  Returns EXIT_OK or EXIT_FAIL.
 */
int serve_loop(struct dmabuf_share_server *srv, int stop_fd,
	       unsigned int *clients);

/* What one process holds: distinct buffers and their total size. */
struct ls_process {
	pid_t pid;
	size_t buffers;
	uint64_t bytes;
	char comm[32]; /* its /proc/PID/comm; "" when it is gone */
};

/* What ls knows of one buffer's memory cgroup (ls_cgroup.c). */
enum ls_cg_state {
	LS_CG_NONE,    /* not this exporter's buffer: it has none to show */
	LS_CG_UNKNOWN, /* the exporter's, but no fd of it could be asked */
	LS_CG_KNOWN,
};

struct ls_cgroup {
	enum ls_cg_state state;
	int charged;	    /* KNOWN: 1 charged to @id; 0 charged to nobody,
			     * @id the allocating cgroup (0: no memcg) */
	uint64_t id;	    /* KNOWN: cgroup id, its directory's inode */
	const char *path;   /* KNOWN: under the cgroup2 mount ("/a/b"), NULL
			     * when not found there */
	const char *reason; /* UNKNOWN: why, for the notes */
};

struct ls_cgroups;

/*
 * Ask the exporter at @dev (BUF_INFO) for the cgroup of each of its
 * buffers in @inv, through a holder's fd (pidfd_getfd() for other
 * processes').  NULL when out of memory.
 */
struct ls_cgroups *ls_cgroups_read(const struct dmabuf_share_inventory *inv,
				   const char *dev);

/* Buffer @index of the inventory; a NONE entry past the end or for NULL. */
const struct ls_cgroup *ls_cgroups_get(const struct ls_cgroups *c,
				       size_t index);

/* The path of cgroup @id under the cgroup2 mount, or NULL. */
const char *ls_cgroup_path(struct ls_cgroups *c, uint64_t id);

/* "note: memory cgroup unknown for N buffers: WHY" lines, to @err. */
void ls_cgroups_notes(const struct ls_cgroups *c, FILE *err);

void ls_cgroups_free(struct ls_cgroups *c);

/*
 * Print @inv as ls does, with each buffer's cgroup from @cg (NULL: none
 * looked up), as the table or (@json) as one JSON object, to @out.
 * Returns 0, or -1 when out of memory.
 */
int ls_print(const struct dmabuf_share_inventory *inv,
	     const struct ls_cgroups *cg, int json, FILE *out);

/* The JSON form of ls (schema "dmabuf-share-ls", version 1). */
void ls_json(FILE *out, const struct dmabuf_share_inventory *inv,
	     const struct ls_cgroups *cg, const struct ls_process *procs,
	     size_t nprocs);

/* A JSON string, escaped; bytes that are not UTF-8 become U+FFFD. */
void json_string(FILE *out, const char *s);

/* The same, or null for NULL or "". */
void json_string_or_null(FILE *out, const char *s);

/* PATTERN: a byte value ("0xab", "171") or "counter" (32-bit word index). */
struct pattern {
	int counter;   /* 1: word i holds i */
	uint8_t byte;  /* the byte, when !counter */
	char text[16]; /* as the user wrote it, for messages */
};

int pattern_parse(const char *s, struct pattern *p);
void pattern_fill(const struct pattern *p, void *buf, size_t len);

/*
 * Compare @buf with @p.  Returns 0 on a match, else 1 with the first
 * mismatch described in @why ("offset 0x1000: expected 0x00000400, found
 * 0xabababab").
 */
int pattern_check(const struct pattern *p, const void *buf, size_t len,
		  char *why, size_t why_len);

#endif /* DMABUF_SHARE_CLI_H */
