/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dmabuf_null: the benchmark's rooflines (module/dmabuf_null), built only
 * for dmabuf-bench's guest and never installed. /dev/dmabuf_null takes
 * pagebuf's PAGEBUF_IOC_ALLOC (buffers without pages) and the ioctl below.
 */
#ifndef _UAPI_DMABUF_NULL_H
#define _UAPI_DMABUF_NULL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct dmabuf_null_rotate - DMABUF_NULL_IOC_ROTATE's argument
 * @src_fd: dma-buf of @width x @height pixels of 4 bytes, rows packed
 * @dst_fd: dma-buf of at least as many bytes, another buffer
 * @width: pixels a source row, at least 1
 * @height: source rows, at least 1
 * @ns: out: nanoseconds the rotate took, mapping and syncs excluded
 *
 * Rotates the source 90 degrees clockwise into the destination with the
 * loop of dmabuf-bench's CPU rotate, run by the kernel on both buffers'
 * kernel mappings (dma_buf_vmap): what the same code costs in kernel
 * mode, the ceiling of an engine emulated by kernel code.
 */
struct dmabuf_null_rotate {
	__s32 src_fd;
	__s32 dst_fd;
	__u32 width;
	__u32 height;
	__u64 ns;
};

#define DMABUF_NULL_IOC_MAGIC	'N'
#define DMABUF_NULL_IOC_ROTATE	_IOWR(DMABUF_NULL_IOC_MAGIC, 1, struct dmabuf_null_rotate)

#endif /* _UAPI_DMABUF_NULL_H */
