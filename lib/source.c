// SPDX-License-Identifier: GPL-2.0
/*
 * A source: a parsed spec and its open device, from which any number of
 * buffers are allocated (a benchmark allocates thousands a second, so
 * the device is opened once, not per buffer).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct dmabuf_lab_source {
	struct dl_spec spec;
	int dev;
};

/* The device a spec names when the caller gives none, and what its absence means. */
static void default_dev(const struct dl_spec *s, char *path, size_t len, int *flags,
			const char **hint)
{
	*flags = O_RDWR;
	switch (s->kind) {
	case DL_PAGEBUF:
		snprintf(path, len, "/dev/pagebuf");
		*hint = "is pagebuf.ko loaded?";
		break;
	case DL_HEAP:
		snprintf(path, len, "/dev/dma_heap/%s", s->heap);
		*flags = O_RDONLY;
		*hint = "no such DMA heap in this kernel";
		break;
	case DL_UDMABUF:
		snprintf(path, len, "/dev/udmabuf");
		*hint = "udmabuf is not in this kernel";
		break;
	case DL_VGEM:
		path[0] = '\0';
		*hint = "is vgem.ko loaded?";
		break;
	}
}

static int open_dev(const struct dl_spec *s, const char *dev, char *err, size_t errlen)
{
	char path[96];
	const char *hint = "";
	int flags, fd;

	default_dev(s, path, sizeof(path), &flags, &hint);
	if (s->kind == DL_VGEM) {
		fd = dev ? dl_vgem_open_path(dev) : dmabuf_lab_vgem_open();
		if (fd == -ENODEV && !dev)
			dl_seterr(err, errlen, "no DRM card of the vgem driver under /dev/dri (%s)",
				  hint);
		else if (fd == -ENODEV)
			dl_seterr(err, errlen, "%s is not a DRM card of the vgem driver", dev);
		else if (fd < 0)
			dl_seterr(err, errlen, "cannot open %s: %s", dev, strerror(-fd));
		return fd;
	}
	if (!dev)
		dev = path;
	fd = open(dev, flags | O_CLOEXEC);
	if (fd < 0) {
		fd = -errno;
		dl_seterr(err, errlen, "cannot open %s: %s (%s)", dev, strerror(-fd), hint);
	}
	return fd;
}

DL_EXPORT int dmabuf_lab_source_open(struct dmabuf_lab_source **src, const char *spec,
				     const char *dev, char *err, size_t errlen)
{
	struct dmabuf_lab_source *s;
	int ret;

	*src = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		dl_seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = dl_spec_parse(spec, &s->spec, err, errlen);
	if (!ret)
		ret = open_dev(&s->spec, dev, err, errlen);
	if (ret < 0) {
		free(s);
		return ret;
	}
	s->dev = ret;
	*src = s;
	return 0;
}

DL_EXPORT void dmabuf_lab_source_close(struct dmabuf_lab_source *src)
{
	if (!src)
		return;
	/* Nothing to report: the fd was only ever used for ioctls. */
	(void)close(src->dev);
	free(src);
}

DL_EXPORT const char *dmabuf_lab_source_spec(const struct dmabuf_lab_source *src)
{
	return src->spec.canon;
}

DL_EXPORT int dmabuf_lab_source_alloc(const struct dmabuf_lab_source *src, uint64_t size)
{
	switch (src->spec.kind) {
	case DL_PAGEBUF:
		return dl_alloc_pagebuf(src->dev, src->spec.pagebuf_flags, size);
	case DL_HEAP:
		return dl_alloc_heap(src->dev, size);
	case DL_UDMABUF:
		return dl_alloc_udmabuf(src->dev, size);
	case DL_VGEM:
		return dl_alloc_vgem(src->dev, size);
	}
	return -EINVAL;
}

DL_EXPORT int dmabuf_lab_alloc(const char *spec, uint64_t size, char *err, size_t errlen)
{
	struct dmabuf_lab_source *s;
	int ret;

	ret = dmabuf_lab_source_open(&s, spec, NULL, err, errlen);
	if (ret < 0)
		return ret;
	ret = dmabuf_lab_source_alloc(s, size);
	if (ret < 0)
		dl_seterr(err, errlen, "%s gave no buffer of %llu bytes: %s", s->spec.canon,
			  (unsigned long long)size, strerror(-ret));
	dmabuf_lab_source_close(s);
	return ret;
}
