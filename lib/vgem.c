// SPDX-License-Identifier: GPL-2.0
/*
 * vgem, the DRM driver without hardware: finding its card among the
 * others a machine may have, and a dumb buffer exported through PRIME.
 * Through the DRM uapi only: the library does not need libdrm at run time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>

#include "internal.h"

/* Is @fd a DRM device driven by vgem? */
static int is_vgem(int fd)
{
	struct drm_version v;
	char name[16];

	memset(&v, 0, sizeof(v));
	memset(name, 0, sizeof(name));
	v.name = name;
	v.name_len = sizeof(name) - 1;
	if (dl_ioctl(fd, DRM_IOCTL_VERSION, &v) < 0)
		return 0;
	/* name_len is the driver's full name length, whatever was copied. */
	return v.name_len == 4 && !memcmp(name, "vgem", 4);
}

DL_EXPORT int dmabuf_lab_vgem_open(void)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vgem(fd))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

int dl_vgem_open_path(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!is_vgem(fd)) {
		close(fd);
		return -ENODEV;
	}
	return fd;
}

/* Rows of 1024 pixels of 32 bits: 4096 bytes each, enough of them. */
int dl_alloc_vgem(int dev, uint64_t size)
{
	struct drm_mode_create_dumb c;
	struct drm_prime_handle p;
	struct drm_gem_close cl;
	int ret;

	if (!size || (size + 4095) / 4096 > UINT32_MAX)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.width = 1024;
	c.height = (uint32_t)((size + 4095) / 4096);
	c.bpp = 32;
	ret = dl_ioctl(dev, DRM_IOCTL_MODE_CREATE_DUMB, &c);
	if (ret < 0)
		return ret;
	memset(&p, 0, sizeof(p));
	p.handle = c.handle;
	p.flags = DRM_CLOEXEC | DRM_RDWR;
	ret = dl_ioctl(dev, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);
	/* The dma-buf holds the object: the handle is not needed either way. */
	memset(&cl, 0, sizeof(cl));
	cl.handle = c.handle;
	(void)dl_ioctl(dev, DRM_IOCTL_GEM_CLOSE, &cl);
	return ret < 0 ? ret : p.fd;
}
