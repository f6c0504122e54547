// SPDX-License-Identifier: MIT
/*
 * dmabuf-share ls: every dma-buf in the system, one line each, with who
 * holds it (fds and mappings) and which devices are attached; then each
 * process with its name and what it holds in total.  Each of the
 * exporter's buffers also shows the memory cgroup it is charged to
 * (ls_cgroup.c).  --json prints the
 * same as one JSON object (schema "dmabuf-share-ls", version 1, in the
 * man page).  Notes about what could not be seen go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void ls_help(void)
{
	printf("Usage: dmabuf-share ls [--json]\n\n"
	       "List every dma-buf: one line per buffer, sorted by inode.\n\n"
	       "  INODE     the buffer's identity, the same in every process\n"
	       "  SIZE      bytes ('?' when only a mapping was seen)\n"
	       "  EXPORTER  the exporting driver\n"
	       "  FDS       PID/FD pairs holding an fd ('-' for none)\n"
	       "  MAPS      PIDs with the buffer mapped\n"
	       "  DEVICES   attached devices ('?' without debugfs)\n"
	       "  CGROUP    the memory cgroup the buffer is charged to, for\n"
	       "            dmabuf_exporter's buffers: its path under the\n"
	       "            cgroup2 mount, 'none' when charged to nobody (root\n"
	       "            cgroup, CMA), '?' when unknown (the notes say why),\n"
	       "            '-' for other exporters\n"
	       "  NAME      the dma-buf name, last as it may contain spaces\n\n"
	       "Then one line per process holding any: PID, BUFFERS, BYTES "
	       "(their total size)\nand COMMAND.  Notes on what could not be "
	       "seen go to stderr.\n\n"
	       "  --json            one JSON object instead (schema "
	       "\"dmabuf-share-ls\",\n"
	       "                    version 1; see dmabuf-share(1))\n\n"
	       "Sources: /sys/kernel/debug/dma_buf/bufinfo when readable (root "
	       "with debugfs\nmounted: every buffer and its devices), and "
	       "/proc/PID/fd, fdinfo and maps of\nevery process you may "
	       "inspect (root: all).  CGROUP comes from the exporter\n"
	       "(BUF_INFO on /dev/dmabuf_exporter) through a holder's fd, "
	       "taken with\npidfd_getfd (root, or a process you may "
	       "ptrace).\n");
}

static int parse_opt(int c, void *ctx)
{
	(void)c; /* --json is the only option */
	*(int *)ctx = 1;
	return EXIT_OK;
}

static int parse(int argc, char **argv, int *json)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ret = cli_options(argc, argv, opts, ls_help, parse_opt, json);

	return ret ? ret : cli_operand(argc, argv, NULL);
}

/* One holder of one buffer, for the per-process totals. */
struct holding {
	pid_t pid;
	size_t buffer; /* index in the inventory */
};

static int holding_cmp(const void *a, const void *b)
{
	const struct holding *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->buffer > y->buffer) - (x->buffer < y->buffer);
}

static uint64_t buffer_size(const struct dmabuf_share_buffer *b)
{
	struct dmabuf_share_desc d;

	DMABUF_SHARE_STRUCT_INIT(&d);
	return dmabuf_share_buffer_desc(b, &d) ? 0 : d.size;
}

/* Every (pid, buffer) pair, sorted: O(H log H) for H holders in all. */
static struct holding *collect(const struct dmabuf_share_inventory *inv,
			       size_t *count)
{
	size_t n = 0, cap = 0, i, j;
	struct holding *all = NULL, *p;
	const struct dmabuf_share_buffer *b;
	pid_t pid;
	int fd;

	for (i = 0; (b = dmabuf_share_inventory_buffer(inv, i)) != NULL; i++)
		cap += dmabuf_share_buffer_holder_count(b);
	all = malloc((cap ? cap : 1) * sizeof(*all));
	if (!all)
		return NULL;
	for (i = 0; (b = dmabuf_share_inventory_buffer(inv, i)) != NULL; i++)
		for (j = 0; !dmabuf_share_buffer_holder(b, j, &pid, &fd); j++) {
			p = &all[n++];
			p->pid = pid;
			p->buffer = i;
		}
	if (n > 1)
		qsort(all, n, sizeof(*all), holding_cmp);
	*count = n;
	return all;
}

static void read_comm(pid_t pid, char *comm, size_t len)
{
	char path[64];
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)len, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
}

/* Fold the sorted pairs into one entry per process. */
static struct ls_process *fold(const struct dmabuf_share_inventory *inv,
			       const struct holding *h, size_t n, size_t *count)
{
	struct ls_process *procs = malloc((n ? n : 1) * sizeof(*procs)), *p;
	size_t i, np = 0;

	if (!procs)
		return NULL;
	for (i = 0; i < n; i++) {
		int same_pid = np && procs[np - 1].pid == h[i].pid;

		/* A process holding one buffer by fd and map counts it once. */
		if (same_pid && h[i].buffer == h[i - 1].buffer)
			continue;
		if (!same_pid) {
			p = &procs[np++];
			memset(p, 0, sizeof(*p));
			p->pid = h[i].pid;
			read_comm(p->pid, p->comm, sizeof(p->comm));
		}
		p = &procs[np - 1];
		p->buffers++;
		p->bytes += buffer_size(
			dmabuf_share_inventory_buffer(inv, h[i].buffer));
	}
	*count = np;
	return procs;
}

static struct ls_process *processes(const struct dmabuf_share_inventory *inv,
				    size_t *count)
{
	struct holding *h;
	struct ls_process *p;
	size_t n = 0;

	h = collect(inv, &n);
	if (!h)
		return NULL;
	p = fold(inv, h, n, count);
	free(h);
	return p;
}

/* Column widths; longer lists push the rest right rather than being cut. */
#define W_INODE 8
#define W_SIZE 10
#define W_EXP 16
#define W_FDS 20
#define W_MAPS 12
#define W_DEVS 8
#define W_CG 12

/* Holders of one kind as "a,b,c" ("-" for none): fds as PID/FD, maps PID. */
static void print_holders(FILE *out, const struct dmabuf_share_buffer *b,
			  int maps, int width)
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
	fprintf(out, "%-*s  ", width, list && *list ? list : "-");
	free(list);
}

static void print_devices(FILE *out, const struct dmabuf_share_buffer *b,
			  int known)
{
	size_t i, count = dmabuf_share_buffer_device_count(b);
	int n = 0;

	if (!count)
		n = fprintf(out, "%s", known ? "-" : "?");
	for (i = 0; i < count; i++)
		n += fprintf(out, "%s%s", i ? "," : "",
			     dmabuf_share_buffer_device(b, i));
	fprintf(out, "%*s  ", n < W_DEVS ? W_DEVS - n : 0, "");
}

static void print_cgroup(FILE *out, const struct ls_cgroup *cg)
{
	char id[32];
	const char *s = "-";

	if (cg->state == LS_CG_UNKNOWN) {
		s = "?";
	} else if (cg->state == LS_CG_KNOWN && !cg->charged) {
		s = "none";
	} else if (cg->state == LS_CG_KNOWN) {
		snprintf(id, sizeof(id), "#%" PRIu64, cg->id);
		s = cg->path ? cg->path : id;
	}
	fprintf(out, "%-*s  ", W_CG, s);
}

/* Returns the buffer's size, for the total. */
static uint64_t print_buffer(FILE *out, const struct dmabuf_share_buffer *b,
			     const struct ls_cgroup *cg, int known)
{
	struct dmabuf_share_desc d;
	char size[24];

	DMABUF_SHARE_STRUCT_INIT(&d);
	dmabuf_share_buffer_desc(b, &d);
	if (d.size)
		snprintf(size, sizeof(size), "%" PRIu64, d.size);
	else
		snprintf(size, sizeof(size), "?");
	fprintf(out, "%-*" PRIu64 "  %-*s  %-*s  ", W_INODE, d.inode, W_SIZE,
		size, W_EXP, d.exp_name[0] ? d.exp_name : "?");
	print_holders(out, b, 0, W_FDS);
	print_holders(out, b, 1, W_MAPS);
	print_devices(out, b, known);
	print_cgroup(out, cg);
	fprintf(out, "%s\n", d.name);
	return d.size;
}

/*
 * Process lines are indented, so no line but a buffer's starts with a
 * number: a script looking for "\nINODE " finds only buffers.
 */
static void print_processes(FILE *out, const struct ls_process *p, size_t n)
{
	size_t i;

	if (!n)
		return;
	fprintf(out, "\n  %-8s  %-7s  %-12s  COMMAND\n", "PID", "BUFFERS",
		"BYTES");
	for (i = 0; i < n; i++)
		fprintf(out, "  %-8d  %-7zu  %-12" PRIu64 "  %s\n",
			(int)p[i].pid, p[i].buffers, p[i].bytes,
			p[i].comm[0] ? p[i].comm : "?");
}

static void print_table(FILE *out, const struct dmabuf_share_inventory *inv,
			const struct ls_cgroups *cg,
			const struct ls_process *procs, size_t nprocs)
{
	int known = !!(dmabuf_share_inventory_sources(inv) &
		       DMABUF_SHARE_SRC_DEBUGFS);
	const struct dmabuf_share_buffer *b;
	uint64_t total = 0;
	size_t i;

	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  NAME\n",
		W_INODE, "INODE", W_SIZE, "SIZE", W_EXP, "EXPORTER", W_FDS,
		"FDS", W_MAPS, "MAPS", W_DEVS, "DEVICES", W_CG, "CGROUP");
	for (i = 0; (b = dmabuf_share_inventory_buffer(inv, i)) != NULL; i++)
		total += print_buffer(out, b, ls_cgroups_get(cg, i), known);
	fprintf(out, "total: %zu dma-bufs, %" PRIu64 " bytes\n",
		dmabuf_share_inventory_count(inv), total);
	print_processes(out, procs, nprocs);
}

/* On stderr, so that stdout stays the listing alone. */
static void print_notes(const struct dmabuf_share_inventory *inv,
			const struct ls_cgroups *cg)
{
	size_t hidden = dmabuf_share_inventory_hidden_pids(inv);

	if (!(dmabuf_share_inventory_sources(inv) & DMABUF_SHARE_SRC_DEBUGFS))
		fprintf(stderr,
			"note: debugfs bufinfo not readable: buffers held only "
			"by devices are missing, DEVICES unknown (as root: "
			"mount -t debugfs none /sys/kernel/debug)\n");
	if (hidden)
		fprintf(stderr,
			"note: %zu processes could not be inspected; run as "
			"root to see all\n",
			hidden);
	ls_cgroups_notes(cg, stderr);
}

int ls_print(const struct dmabuf_share_inventory *inv,
	     const struct ls_cgroups *cg, int json, FILE *out)
{
	struct ls_process *procs;
	size_t nprocs = 0;

	procs = processes(inv, &nprocs);
	if (!procs)
		return -1;
	if (json)
		ls_json(out, inv, cg, procs, nprocs);
	else
		print_table(out, inv, cg, procs, nprocs);
	free(procs);
	return 0;
}

int cmd_ls(int argc, char **argv)
{
	struct dmabuf_share_inventory *inv = NULL;
	struct ls_cgroups *cg;
	int ret, json = 0;

	ret = parse(argc, argv, &json);
	if (ret)
		return ret == CLI_HELP_SHOWN ? EXIT_OK : ret;
	ret = dmabuf_share_inventory_read(0, &inv);
	if (ret)
		return cli_fail("ls", ret, "list dma-bufs");
	cg = ls_cgroups_read(inv, DMABUF_SHARE_EXPORTER_PATH);
	ret = cg ? ls_print(inv, cg, json, stdout) : -1;
	if (!ret)
		print_notes(inv, cg);
	ls_cgroups_free(cg);
	dmabuf_share_inventory_free(inv);
	return ret ? cli_fail("ls", -ENOMEM, "sum up the processes") : EXIT_OK;
}
