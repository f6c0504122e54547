// SPDX-License-Identifier: GPL-2.0
/* The edu importer's devices and ioctls; see edu.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "edu.h"

int edu_devices(struct edu *out, int max)
{
	int i, n = 0;

	for (i = 0; i < EDU_MAX_DEVICES && n < max; i++) {
		struct edu *e = &out[n];
		int fd;

		snprintf(e->path, sizeof(e->path), "/dev/edu_importer%d", i);
		fd = open(e->path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&e->info, 0, sizeof(e->info));
		if (!ioctl(fd, EDU_IMPORTER_IOC_INFO, &e->info))
			n++;
		close(fd);
	}
	return n;
}

const char *edu_name(const struct edu *e)
{
	static char name[64];
	uint32_t id = e->info.pci_id;

	snprintf(name, sizeof(name), "%02x:%02x.%x (%u-bit, %s)",
		 (id >> 8) & 0xff, (id >> 3) & 0x1f, id & 7, e->info.dma_bits,
		 e->info.translated ? "IOMMU" : "no IOMMU");
	return name;
}

static int edu_ioctl(int imp, unsigned long cmd, void *arg)
{
	return ioctl(imp, cmd, arg) ? -errno : 0;
}

int edu_open_attached(const struct edu *e, int buf)
{
	struct edu_importer_attach a = { .fd = (uint32_t)buf };
	int imp = open(e->path, O_RDWR | O_CLOEXEC), ret;

	if (imp < 0)
		return -errno;
	ret = edu_ioctl(imp, EDU_IMPORTER_IOC_ATTACH, &a);
	if (ret) {
		close(imp);
		return ret;
	}
	return imp;
}

int edu_map(int imp, uint32_t dir, uint32_t *nents)
{
	struct edu_importer_map m = { .dir = dir };
	int ret = edu_ioctl(imp, EDU_IMPORTER_IOC_MAP, &m);

	if (!ret && nents)
		*nents = m.nents;
	return ret;
}

int edu_unmap(int imp)
{
	return edu_ioctl(imp, EDU_IMPORTER_IOC_UNMAP, NULL);
}

int edu_segment(int imp, uint32_t index, struct edu_importer_segment *seg)
{
	memset(seg, 0, sizeof(*seg));
	seg->index = index;
	return edu_ioctl(imp, EDU_IMPORTER_IOC_SEGMENT, seg);
}

int edu_xfer(int imp, uint64_t buf_off, uint32_t win_off, uint32_t len,
	     int to_buffer)
{
	struct edu_importer_xfer x = {
		.buf_offset = buf_off,
		.win_offset = win_off,
		.len = len,
		.to_buffer = (uint32_t)to_buffer,
	};

	return edu_ioctl(imp, EDU_IMPORTER_IOC_XFER, &x);
}

int edu_window(int imp, void *data, uint32_t win_off, uint32_t len, int write)
{
	struct edu_importer_window w = {
		.data = (uint64_t)(uintptr_t)data,
		.win_offset = win_off,
		.len = len,
	};

	return edu_ioctl(imp,
			 write ? EDU_IMPORTER_IOC_WINDOW_WRITE :
				 EDU_IMPORTER_IOC_WINDOW_READ,
			 &w);
}

int edu_sync(int imp, uint32_t flags)
{
	struct edu_importer_sync s = { .flags = flags };

	return edu_ioctl(imp, EDU_IMPORTER_IOC_SYNC, &s);
}
