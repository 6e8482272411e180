/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DMABUF_NULL_H
#define DMABUF_NULL_H

#include <linux/compiler_types.h>

struct dmabuf_null_rotate;

/* rotate.c */
long null_ioctl_rotate(struct dmabuf_null_rotate __user *uarg);

#endif /* DMABUF_NULL_H */
