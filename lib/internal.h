/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the library's files share and do not export: only the functions
 * named in libdmabuf-lab.map leave the shared object (everything is
 * built with -fvisibility=hidden; DL_EXPORT marks the public ones).
 */
#ifndef DMABUF_LAB_INTERNAL_H
#define DMABUF_LAB_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <dmabuf-lab.h>

#define DL_EXPORT	__attribute__((visibility("default")))

/* Write a message into the caller's optional error buffer. */
void dl_seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* What a source spec says, once parsed. */
enum dl_kind { DL_PAGEBUF, DL_HEAP, DL_UDMABUF, DL_VGEM };

struct dl_spec {
	enum dl_kind kind;
	uint32_t pagebuf_flags;			/* PAGEBUF_ALLOC_* */
	char heap[DMABUF_LAB_HEAP_NAME_MAX + 1];
	char canon[sizeof("heap:") + DMABUF_LAB_HEAP_NAME_MAX];
};

/* Parse @spec strictly: 0, or -EINVAL with a message in @err. */
int dl_spec_parse(const char *spec, struct dl_spec *out, char *err, size_t errlen);

/*
 * One exporter's allocation: a dma-buf fd of at least @size bytes from
 * the open device @dev (O_RDWR | O_CLOEXEC), or -errno.
 */
int dl_alloc_pagebuf(int dev, uint32_t flags, uint64_t size);
int dl_alloc_heap(int dev, uint64_t size);
int dl_alloc_udmabuf(int dev, uint64_t size);
int dl_alloc_vgem(int dev, uint64_t size);

/* Open @path and make sure it is a vgem card: the fd, or -errno (-ENODEV). */
int dl_vgem_open_path(const char *path);

/* Read the regular file @path, at most @max bytes, NUL-terminated. */
int dl_read_bounded(const char *path, char *buf, size_t max);

/* ioctl() that gives -errno instead of -1. */
int dl_ioctl(int fd, unsigned long req, void *arg);

#endif /* DMABUF_LAB_INTERNAL_H */
