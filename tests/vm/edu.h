/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The edu importer (tests/importer-edu) from a test's side: the edu
 * devices present, and one small wrapper per ioctl, each returning 0 or
 * -errno.
 */
#ifndef DMABUF_EXPORTER_TEST_EDU_H
#define DMABUF_EXPORTER_TEST_EDU_H

#include <stddef.h>
#include <stdint.h>

#include "edu_importer.h"

#define EDU_MAX_DEVICES 8

/* One /dev/edu_importerN and what INFO said about it. */
struct edu {
	char path[32];
	struct edu_importer_info info;
};

/* The devices present, in N order; 0 when none (or no module). */
int edu_devices(struct edu *out, int max);
/* "00:10.0 (64-bit, IOMMU)": for messages. */
const char *edu_name(const struct edu *e);

/* An open importer of @e attached to @buf, or -errno. */
int edu_open_attached(const struct edu *e, int buf);
int edu_map(int imp, uint32_t dir, uint32_t *nents);
int edu_unmap(int imp);
int edu_segment(int imp, uint32_t index, struct edu_importer_segment *seg);
int edu_xfer(int imp, uint64_t buf_off, uint32_t win_off, uint32_t len,
	     int to_buffer);
int edu_window(int imp, void *data, uint32_t win_off, uint32_t len, int write);
int edu_sync(int imp, uint32_t flags);

#endif
