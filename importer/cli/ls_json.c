// SPDX-License-Identifier: MIT
/*
 * `dmabuf-share ls --json`: the listing as one JSON object on one line,
 * schema "dmabuf-share-ls" version 1 (documented in dmabuf-share(1)).
 * Fields are only ever added within a version; a change of meaning bumps
 * "version".  Numbers are decimal integers; unknown values are null.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

#define LS_SCHEMA_VERSION 1

static void json_holders(FILE *out, const struct dmabuf_share_buffer *b)
{
	size_t i, n = dmabuf_share_buffer_holder_count(b);
	const char *sep = "";
	pid_t pid;
	int fd;

	fputs("\"fds\":[", out);
	for (i = 0; i < n && !dmabuf_share_buffer_holder(b, i, &pid, &fd); i++)
		if (fd >= 0) {
			fprintf(out, "%s{\"pid\":%d,\"fd\":%d}", sep, (int)pid,
				fd);
			sep = ",";
		}
	fputs("],\"maps\":[", out);
	sep = "";
	for (i = 0; i < n && !dmabuf_share_buffer_holder(b, i, &pid, &fd); i++)
		if (fd < 0) {
			fprintf(out, "%s%d", sep, (int)pid);
			sep = ",";
		}
	fputc(']', out);
}

static void json_devices(FILE *out, const struct dmabuf_share_buffer *b,
			 int known)
{
	size_t i, n = dmabuf_share_buffer_device_count(b);

	fputs(",\"devices\":", out);
	if (!known) {
		fputs("null", out);
		return;
	}
	fputc('[', out);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		json_string(out, dmabuf_share_buffer_device(b, i));
	}
	fputc(']', out);
}

/*
 * null for another exporter's buffer; else every key, each null when not
 * known, "unknown" saying why it is not.
 */
static void json_cgroup(FILE *out, const struct ls_cgroup *cg)
{
	int known = cg->state == LS_CG_KNOWN;

	fputs(",\"memory_cgroup\":", out);
	if (cg->state == LS_CG_NONE) {
		fputs("null", out);
		return;
	}
	fputs("{\"path\":", out);
	json_string_or_null(out, known ? cg->path : NULL);
	if (known)
		fprintf(out, ",\"id\":%" PRIu64 ",\"charged\":%s", cg->id,
			cg->charged ? "true" : "false");
	else
		fputs(",\"id\":null,\"charged\":null", out);
	fputs(",\"unknown\":", out);
	json_string_or_null(out, known ? NULL : cg->reason);
	fputc('}', out);
}

/* Returns the buffer's size (0 when unknown), for the total. */
static uint64_t json_buffer(FILE *out, const struct dmabuf_share_buffer *b,
			    const struct ls_cgroup *cg, int known)
{
	struct dmabuf_share_desc d;

	DMABUF_SHARE_STRUCT_INIT(&d);
	dmabuf_share_buffer_desc(b, &d);
	fprintf(out, "{\"inode\":%" PRIu64 ",\"size\":", d.inode);
	if (d.size)
		fprintf(out, "%" PRIu64, d.size);
	else
		fputs("null", out);
	fputs(",\"exporter\":", out);
	json_string_or_null(out, d.exp_name);
	fputs(",\"name\":", out);
	json_string(out, d.name);
	fputc(',', out);
	json_holders(out, b);
	json_devices(out, b, known);
	json_cgroup(out, cg);
	fputc('}', out);
	return d.size;
}

static void json_processes(FILE *out, const struct ls_process *p, size_t n)
{
	size_t i;

	fputs(",\"processes\":[", out);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s{\"pid\":%d,\"command\":", i ? "," : "",
			(int)p[i].pid);
		json_string_or_null(out, p[i].comm);
		fprintf(out, ",\"buffers\":%zu,\"bytes\":%" PRIu64 "}",
			p[i].buffers, p[i].bytes);
	}
	fputc(']', out);
}

void ls_json(FILE *out, const struct dmabuf_share_inventory *inv,
	     const struct ls_cgroups *cg, const struct ls_process *procs,
	     size_t nprocs)
{
	unsigned int src = dmabuf_share_inventory_sources(inv);
	int known = !!(src & DMABUF_SHARE_SRC_DEBUGFS);
	const struct dmabuf_share_buffer *b;
	uint64_t total = 0;
	size_t i;

	fprintf(out, "{\"schema\":\"dmabuf-share-ls\",\"version\":%d,",
		LS_SCHEMA_VERSION);
	fprintf(out, "\"sources\":{\"debugfs\":%s,\"proc\":%s},",
		known ? "true" : "false",
		src & DMABUF_SHARE_SRC_PROC ? "true" : "false");
	fputs("\"buffers\":[", out);
	for (i = 0; (b = dmabuf_share_inventory_buffer(inv, i)) != NULL; i++) {
		if (i)
			fputc(',', out);
		total += json_buffer(out, b, ls_cgroups_get(cg, i), known);
	}
	fputc(']', out);
	json_processes(out, procs, nprocs);
	fprintf(out,
		",\"total\":{\"buffers\":%zu,\"bytes\":%" PRIu64 "},"
		"\"uninspected_processes\":%zu}\n",
		dmabuf_share_inventory_count(inv), total,
		dmabuf_share_inventory_hidden_pids(inv));
}
