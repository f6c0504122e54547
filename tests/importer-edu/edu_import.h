/* SPDX-License-Identifier: GPL-2.0 */
/* The file operations of /dev/edu_importerN, and the device's lifetime. */
#ifndef _EDU_IMPORT_H
#define _EDU_IMPORT_H

#include <linux/fs.h>

struct edu_dev;

extern const struct file_operations edu_import_fops;
void edu_dev_put(struct edu_dev *edu);

#endif /* _EDU_IMPORT_H */
