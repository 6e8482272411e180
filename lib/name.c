// SPDX-License-Identifier: GPL-2.0
/*
 * A buffer's name: set with DMA_BUF_SET_NAME, read back from fdinfo (the
 * only place the kernel shows it to the process holding the buffer).
 */
#include <errno.h>
#include <sys/ioctl.h>

#include <linux/dma-buf.h>

#include "internal.h"

DL_EXPORT int dmabuf_lab_set_name(int fd, const char *name)
{
	/* DMA_BUF_SET_NAME's argument is the string itself, not a pointer to one. */
	return ioctl(fd, DMA_BUF_SET_NAME, name) ? -errno : 0;
}

DL_EXPORT int dmabuf_lab_get_name(int fd, char *buf, size_t len)
{
	struct dmabuf_lab_fdinfo fi;
	size_t n;
	int ret;

	if (!len)
		return -EINVAL;
	ret = dmabuf_lab_fdinfo_read(0, fd, &fi);
	if (ret < 0)
		return ret;
	/* An unnamed buffer has no name line: its name is "". */
	for (n = 0; n < len - 1 && fi.name[n]; n++)
		buf[n] = fi.name[n];
	buf[n] = '\0';
	return (int)n;
}
