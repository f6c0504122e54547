// SPDX-License-Identifier: MIT
/*
 * dmabuf-share ls: every dma-buf in the system, one line each, with who
 * holds it (fds and mappings) and which devices are attached.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void ls_help(void)
{
	printf("Usage: dmabuf-share ls\n\n"
	       "List every dma-buf: one line per buffer, sorted by inode.\n\n"
	       "  INODE     the buffer's identity, the same in every process\n"
	       "  SIZE      bytes ('?' when only a mapping was seen)\n"
	       "  EXPORTER  the exporting driver\n"
	       "  FDS       PID/FD pairs holding an fd ('-' for none)\n"
	       "  MAPS      PIDs with the buffer mapped\n"
	       "  DEVICES   attached devices ('?' without debugfs)\n"
	       "  NAME      the dma-buf name, last as it may contain spaces\n\n"
	       "Sources: /sys/kernel/debug/dma_buf/bufinfo when readable (root "
	       "with debugfs\nmounted: every buffer and its devices), and "
	       "/proc/PID/fd, fdinfo and maps of\nevery process you may "
	       "inspect (root: all).\n");
}

static int parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ret = cli_options(argc, argv, opts, ls_help, NULL, NULL);

	return ret ? ret : cli_operand(argc, argv, NULL);
}

/* Column widths; longer lists push the rest right rather than being cut. */
#define W_INODE 8
#define W_SIZE 10
#define W_EXP 16
#define W_FDS 20
#define W_MAPS 12
#define W_DEVS 8

/* Holders of one kind as "a,b,c" ("-" for none): fds as PID/FD, maps PID. */
static void print_holders(const struct dmabuf_share_buffer *b, int maps,
			  int width)
{
	size_t n = dmabuf_share_buffer_holder_count(b), len = 0, i;
	char *list = NULL;
	FILE *f = open_memstream(&list, &len);
	pid_t pid;
	int fd;

	for (i = 0; f && i < n; i++) {
		if (dmabuf_share_buffer_holder(b, i, &pid, &fd) ||
		    (fd < 0) != maps)
			continue;
		fprintf(f, "%s%d", ftell(f) ? "," : "", (int)pid);
		if (!maps)
			fprintf(f, "/%d", fd);
	}
	if (f)
		fclose(f);
	printf("%-*s  ", width, list && *list ? list : "-");
	free(list);
}

static void print_devices(const struct dmabuf_share_buffer *b)
{
	int i, n = 0, count = (int)dmabuf_share_buffer_device_count(b);

	if (count <= 0)
		n = printf("%s", count < 0 ? "?" : "-");
	for (i = 0; i < count; i++)
		n += printf("%s%s", i ? "," : "",
			    dmabuf_share_buffer_device(b, (size_t)i));
	printf("%*s  ", n < W_DEVS ? W_DEVS - n : 0, "");
}

/* Returns the buffer's size, for the total. */
static uint64_t print_buffer(const struct dmabuf_share_buffer *b)
{
	struct dmabuf_share_desc d;
	char size[24];

	DMABUF_SHARE_STRUCT_INIT(&d);
	dmabuf_share_buffer_desc(b, &d);
	if (d.size)
		snprintf(size, sizeof(size), "%" PRIu64, d.size);
	else
		snprintf(size, sizeof(size), "?");
	printf("%-*" PRIu64 "  %-*s  %-*s  ", W_INODE, d.inode, W_SIZE, size,
	       W_EXP, d.exp_name[0] ? d.exp_name : "?");
	print_holders(b, 0, W_FDS);
	print_holders(b, 1, W_MAPS);
	print_devices(b);
	printf("%s\n", d.name);
	return d.size;
}

static void print_footer(const struct dmabuf_share_inventory *inv,
			 uint64_t total)
{
	size_t hidden = dmabuf_share_inventory_hidden_pids(inv);

	printf("total: %zu dma-bufs, %" PRIu64 " bytes\n",
	       dmabuf_share_inventory_count(inv), total);
	if (!(dmabuf_share_inventory_sources(inv) & DMABUF_SHARE_SRC_DEBUGFS))
		printf("note: debugfs bufinfo not readable: buffers held only "
		       "by devices are missing, DEVICES unknown (as root: "
		       "mount -t debugfs none /sys/kernel/debug)\n");
	if (hidden)
		printf("note: %zu processes could not be inspected; run as "
		       "root to see all\n",
		       hidden);
}

int cmd_ls(int argc, char **argv)
{
	struct dmabuf_share_inventory *inv = NULL;
	const struct dmabuf_share_buffer *b;
	uint64_t total = 0;
	size_t i;
	int ret;

	ret = parse(argc, argv);
	if (ret)
		return ret == CLI_HELP_SHOWN ? EXIT_OK : ret;
	ret = dmabuf_share_inventory_read(0, &inv);
	if (ret)
		return cli_fail("ls", ret, "list dma-bufs");
	printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  NAME\n", W_INODE, "INODE",
	       W_SIZE, "SIZE", W_EXP, "EXPORTER", W_FDS, "FDS", W_MAPS, "MAPS",
	       W_DEVS, "DEVICES");
	for (i = 0; (b = dmabuf_share_inventory_buffer(inv, i)) != NULL; i++)
		total += print_buffer(b);
	print_footer(inv, total);
	dmabuf_share_inventory_free(inv);
	return EXIT_OK;
}
