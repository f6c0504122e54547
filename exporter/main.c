// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf_exporter: DMA-coherent memory handed to userspace as dma-bufs.
 *
 * Load-time wiring only: the module parameters, the platform device the
 * DMA API allocates for, and the misc device userspace talks to.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include "compat.h"
#include "exporter.h"

static unsigned long max_buffer_size;
module_param(max_buffer_size, ulong, 0444);
MODULE_PARM_DESC(max_buffer_size,
		 "Largest buffer (bytes); 0 = what the DMA allocator delivers");

static unsigned long total_limit;
module_param(total_limit, ulong, 0444);
MODULE_PARM_DESC(total_limit,
		 "Cap on all live buffers (bytes); 0 = a quarter of RAM");

static long cache_size = -1;
module_param(cache_size, long, 0444);
MODULE_PARM_DESC(cache_size,
		 "Freed buffers kept (bytes, <= total_limit); 0 off, -1 auto");

static unsigned int cache_idle_ms = 10000;
module_param(cache_idle_ms, uint, 0444);
MODULE_PARM_DESC(cache_idle_ms,
		 "Cached buffers unused this long (ms) are freed; 0 never");

/* The device the DMA API allocates for; it outlives every buffer, see exit. */
static struct platform_device *dmabuf_exporter_pdev;

static const struct file_operations dmabuf_exporter_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = dmabuf_exporter_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice dmabuf_exporter_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = KBUILD_MODNAME,
	.fops = &dmabuf_exporter_fops,
	.mode = 0600,
};

/*
 * No hardware: a bare platform device gives the DMA API something to
 * allocate for.  The 64-bit mask must be set at registration; the _simple
 * variant leaves a 32-bit one (udmabuf shipped without a mask:
 * CVE-2022-49983).
 */
static struct platform_device *dmabuf_exporter_register_pdev(void)
{
	const struct platform_device_info info = {
		.name = KBUILD_MODNAME,
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(64),
	};

	return platform_device_register_full(&info);
}

static int __init dmabuf_exporter_init(void)
{
	u64 max_size = max_buffer_size, limit = total_limit;
	int ret;

	dmabuf_exporter_pdev = dmabuf_exporter_register_pdev();
	if (IS_ERR(dmabuf_exporter_pdev))
		return PTR_ERR(dmabuf_exporter_pdev);
	ret = dmabuf_exporter_coherent_init(&dmabuf_exporter_pdev->dev);
	if (ret)
		goto err_unregister_pdev;
	ret = dmabuf_exporter_buffers_init(&max_size, &limit);
	if (ret)
		goto err_unregister_pdev;
	ret = dmabuf_exporter_cache_init(&cache_size, cache_idle_ms, limit);
	if (ret)
		goto err_unregister_pdev;
	/* Show the limits in force, not the 0 that asked for defaults. */
	max_buffer_size = max_size;
	total_limit = limit;
	ret = misc_register(&dmabuf_exporter_misc);
	if (ret)
		goto err_cache_exit;
	pr_info("max_buffer_size=%lu total_limit=%lu cache_size=%ld cache_idle_ms=%u\n",
		max_buffer_size, total_limit, cache_size, cache_idle_ms);
	return 0;

err_cache_exit:
	dmabuf_exporter_cache_exit();
err_unregister_pdev:
	platform_device_unregister(dmabuf_exporter_pdev);
	return ret;
}

/*
 * Every dma-buf holds a reference on this module (exp_info.owner), so exit
 * runs only after the last buffer was released: the cached buffers and
 * then the platform device can go now.
 */
static void __exit dmabuf_exporter_exit(void)
{
	misc_deregister(&dmabuf_exporter_misc);
	dmabuf_exporter_cache_exit();
	platform_device_unregister(dmabuf_exporter_pdev);
}

module_init(dmabuf_exporter_init);
module_exit(dmabuf_exporter_exit);

MODULE_DESCRIPTION("DMA-coherent memory exported to userspace as dma-bufs");
MODULE_LICENSE("GPL");
DMABUF_EXPORTER_IMPORT_DMA_BUF_NS();
