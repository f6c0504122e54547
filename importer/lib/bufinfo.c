// SPDX-License-Identifier: MIT
/*
 * Parser for /sys/kernel/debug/dma_buf/bufinfo.  Since 5.19 each buffer is
 *
 *   SIZE\tFLAGS\tMODE\tCOUNT\tEXP_NAME\tINODE\tNAME        (NAME "<none>")
 *   \t<usage> fence: ...                                   (zero or more)
 *   \tAttached Devices:
 *   \tDEVICE                                               (zero or more)
 *   Total N devices attached
 *
 * Older kernels print no NAME column; those without INODE give no identity
 * and their lines are skipped rather than guessed at.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

enum {
	F_SIZE,
	F_FLAGS,
	F_MODE,
	F_COUNT,
	F_EXP,
	F_INODE,
	F_NAME,
	NR_FIELDS
};

/* Split a tab-separated line in place; returns the number of fields. */
static int split_tabs(char *line, char *field[NR_FIELDS])
{
	int n = 0;
	char *p;

	line[strcspn(line, "\n")] = '\0';
	while (n < NR_FIELDS && (p = strsep(&line, "\t")) != NULL)
		field[n++] = p;
	return n;
}

static void fill_desc(struct dmabuf_share_desc *d, char *field[], int n)
{
	d->size = strtoull(field[F_SIZE], NULL, 10);
	snprintf(d->exp_name, sizeof(d->exp_name), "%s", field[F_EXP]);
	/* The kernel prints "<none>" for an unnamed buffer. */
	if (n > F_NAME && strcmp(field[F_NAME], "<none>"))
		snprintf(d->name, sizeof(d->name), "%s", field[F_NAME]);
}

/* A buffer's first line; NULL when @line is not one (or out of memory). */
static struct dmabuf_share_buffer *
object_line(char *line, struct dmabuf_share_inventory *inv, int *err)
{
	struct dmabuf_share_buffer *b;
	char *field[NR_FIELDS];
	uint64_t inode;
	int n;

	if (line[0] < '0' || line[0] > '9')
		return NULL;
	n = split_tabs(line, field);
	if (n <= F_INODE)
		return NULL;
	inode = strtoull(field[F_INODE], NULL, 10);
	b = dbs_inv_find(inv, inode);
	if (!b)
		b = dbs_inv_add(inv, inode);
	if (!b) {
		*err = -ENOMEM;
		return NULL;
	}
	fill_desc(&b->desc, field, n);
	b->nr_devices = 0; /* known from here on, even when none follow */
	return b;
}

/* Lines that belong to the current buffer; returns 0 or -ENOMEM. */
static int detail_line(char *line, struct dmabuf_share_buffer *b,
		       int *in_devices)
{
	if (!strcmp(line, "\tAttached Devices:\n")) {
		*in_devices = 1;
		return 0;
	}
	if (line[0] != '\t') {
		*in_devices = 0; /* "Total N devices attached" */
		return 0;
	}
	if (!*in_devices)
		return 0; /* fence lines */
	line[strcspn(line, "\n")] = '\0';
	return dbs_buffer_add_device(b, line + 1);
}

int dbs_parse_bufinfo(FILE *f, struct dmabuf_share_inventory *inv)
{
	struct dmabuf_share_buffer *cur = NULL, *b;
	char *line = NULL;
	size_t cap = 0;
	int in_devices = 0, ret = 0;

	while (!ret && getline(&line, &cap, f) >= 0) {
		b = object_line(line, inv, &ret);
		if (b) {
			cur = b;
			in_devices = 0;
		} else if (cur && !ret) {
			ret = detail_line(line, cur, &in_devices);
		}
	}
	free(line);
	return ret;
}
