// SPDX-License-Identifier: GPL-2.0
/*
 * edu's DMA engine (QEMU hw/misc/edu.c, docs/specs/edu.rst): program one
 * transfer between a DMA address and the 4 KiB window at device address
 * 0x40000, and wait until the device reports it done.
 *
 * The wait polls the command register's RUN bit, which the device clears
 * when the transfer has happened (about 100 ms of virtual time after the
 * start), with a limit: a device that never finishes is marked gone, and
 * no further transfer is started on it, since it may still write memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/uaccess.h>

#include "edu_engine.h"
#include "edu_importer.h"

#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_CNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_CMD_RUN BIT(0)
#define EDU_CMD_TO_RAM BIT(1)
#define EDU_WINDOW_ADDR 0x40000

/* 100 ms of virtual time per transfer; a loaded TCG host is slow. */
#define EDU_XFER_TIMEOUT_S 10
#define EDU_XFER_TIMEOUT_US (EDU_XFER_TIMEOUT_S * USEC_PER_SEC)
#define EDU_XFER_POLL_US 1000

/*
 * A window range the device takes: at most EDU_IMPORTER_MAX_XFER bytes,
 * and never the window's last byte (QEMU 7.2 turns that into a fatal
 * hw_error: its range check is off by one).
 */
int edu_engine_check(struct edu_dev *edu, u32 win_offset, u32 len)
{
	if (!len || len > EDU_IMPORTER_MAX_XFER ||
	    win_offset >= EDU_IMPORTER_WINDOW_SIZE - 1 ||
	    len > EDU_IMPORTER_WINDOW_SIZE - 1 - win_offset)
		return -EINVAL;
	return 0;
}

/* The registers take 64-bit accesses only: 0x84 is no register. */
static void edu_engine_start(struct edu_dev *edu, u64 src, u64 dst, u64 len,
			     bool to_ram)
{
	writeq(src, edu->regs + EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + EDU_REG_DMA_DST);
	writeq(len, edu->regs + EDU_REG_DMA_CNT);
	writeq(EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0),
	       edu->regs + EDU_REG_DMA_CMD);
}

/* Caller holds edu->lock and checked the range. */
static int edu_engine_run(struct edu_dev *edu, dma_addr_t addr, u32 win_offset,
			  u32 len, bool to_ram)
{
	u64 window = EDU_WINDOW_ADDR + win_offset;
	u64 cmd;
	int ret;

	lockdep_assert_held(&edu->lock);
	if (edu->gone)
		return -ENODEV;
	/*
	 * edu clamps an address beyond its mask instead of refusing it: a
	 * clamped address is another page's memory.  The DMA API must never
	 * hand one out; refuse rather than corrupt memory if it did.
	 */
	if (addr + len - 1 > dma_get_mask(&edu->pdev->dev)) {
		dev_err(&edu->pdev->dev,
			"DMA address %pad+%u beyond the %u-bit mask\n", &addr,
			len, edu->dma_bits);
		return -EIO;
	}
	if (to_ram)
		edu_engine_start(edu, window, addr, len, true);
	else
		edu_engine_start(edu, addr, window, len, false);
	ret = readq_poll_timeout(edu->regs + EDU_REG_DMA_CMD, cmd,
				 !(cmd & EDU_CMD_RUN), EDU_XFER_POLL_US,
				 EDU_XFER_TIMEOUT_US);
	if (ret) {
		edu->gone = true;
		dev_err(&edu->pdev->dev,
			"DMA transfer did not finish in %u s; device disabled\n",
			EDU_XFER_TIMEOUT_S);
	}
	return ret;
}

/**
 * edu_engine_xfer - one DMA transfer between memory and the window
 * @edu:	the device
 * @addr:	DMA address of the memory side, mapped for @edu
 * @win_offset:	offset in the window
 * @len:	bytes
 * @to_ram:	true: window -> memory, false: memory -> window
 *
 * Return: 0, -EINVAL for a range the device cannot take, -EIO for an
 * address beyond the mask, -ENODEV or -ETIMEDOUT for a dead device.
 */
int edu_engine_xfer(struct edu_dev *edu, dma_addr_t addr, u32 win_offset,
		    u32 len, bool to_ram)
{
	int ret = edu_engine_check(edu, win_offset, len);

	if (ret)
		return ret;
	mutex_lock(&edu->lock);
	ret = edu_engine_run(edu, addr, win_offset, len, to_ram);
	mutex_unlock(&edu->lock);
	return ret;
}

/*
 * The window has no CPU access (edu decodes only its registers), so it is
 * filled and read by DMA through our own coherent staging page.
 */
int edu_engine_window(struct edu_dev *edu, void __user *data, u32 win_offset,
		      u32 len, bool write)
{
	int ret = edu_engine_check(edu, win_offset, len);

	if (ret)
		return ret;
	mutex_lock(&edu->lock);
	if (write && copy_from_user(edu->staging, data, len)) {
		ret = -EFAULT;
		goto out_unlock;
	}
	ret = edu_engine_run(edu, edu->staging_dma, win_offset, len, !write);
	if (!ret && !write && copy_to_user(data, edu->staging, len))
		ret = -EFAULT;
out_unlock:
	mutex_unlock(&edu->lock);
	return ret;
}
