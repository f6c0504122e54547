/* SPDX-License-Identifier: MIT */
/* Shared by the dmabuf-share subcommands: exit codes, errors, parsing. */
#ifndef DMABUF_SHARE_CLI_H
#define DMABUF_SHARE_CLI_H

#include <stddef.h>
#include <stdint.h>
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
 * (HINT)", where HINT says what to do about @err for operation @op (see
 * the table in errors.c).  Returns EXIT_FAIL.
 */
int cli_fail(const char *op, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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

/* "64K", "1M", "4096", "0x1000": bytes, more than 0.  Returns 0 or -EINVAL. */
int cli_parse_size(const char *s, uint64_t *bytes);

/* Whole seconds, 0 or more.  Returns 0 or -EINVAL. */
int cli_parse_seconds(const char *s, unsigned int *seconds);

/* Sleep for @seconds, restarting after signals that do not kill us. */
void cli_hold(unsigned int seconds);

/* Bytes with a binary unit for people: "1048576 (1.0 MiB)". */
const char *cli_bytes(uint64_t bytes, char *buf, size_t len);

/*
 * Connect to a serve socket and receive its dma-buf, reporting any failure.
 * Returns EXIT_OK with @hdr, @fd, @desc and @server_pid filled.
 */
int cli_receive(const char *sock, struct dmabuf_share_header *hdr, int *fd,
		struct dmabuf_share_desc *desc, pid_t *server_pid);

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
