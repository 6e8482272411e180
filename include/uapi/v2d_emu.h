/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * v2d_emu: an emulated 2D engine that imports dma-bufs.
 *
 * This header is the contract between v2d_emu.ko and userspace. The
 * engine works on surfaces inside imported buffers: a buffer is imported
 * once per open file and named by a handle; a job (fill, copy, rotate)
 * runs asynchronously and completes through a dma_fence, which is also
 * added to the buffers' reservation objects so that other devices and
 * DMA_BUF_IOCTL_SYNC wait for it (implicit sync).
 *
 * Every struct has fixed-width fields and explicit padding; structs passed
 * in are extensible: the ioctl number encodes the size userspace was built
 * with, the driver accepts any size from the first published version up,
 * zero-extends a shorter struct and rejects a longer one whose extra bytes
 * are not zero (E2BIG). Reserved fields and unknown flags must be zero
 * (EINVAL). On error, out fields hold undefined values.
 */
#ifndef _UAPI_V2D_EMU_H
#define _UAPI_V2D_EMU_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct v2d_import - argument of %V2D_IOC_IMPORT
 * @fd: in: a dma-buf fd. A negative or closed fd is EBADF; an open fd
 *	that is not a dma-buf (a pipe, a regular file) is EINVAL.
 * @flags: in: %V2D_IMPORT_DYNAMIC, %V2D_IMPORT_PIN or zero; other bits
 *	are EINVAL.
 * @handle: out: the handle naming the import in this open file (never 0).
 * @pad: must be zero.
 * @reserved: must be zero.
 *
 * The engine does with a buffer what its dma-buf's file allows: it
 * writes only into an import made from a dma-buf open for writing
 * (O_RDWR or O_WRONLY), and reads only from one open for reading
 * (O_RDWR or O_RDONLY). An O_RDONLY dma-buf can be a source, never a
 * destination; an O_WRONLY one a destination, never a source (see
 * %V2D_IOC_SUBMIT).
 *
 * The buffer is attached to the engine and mapped for DMA at once: in
 * both directions, or to the device only for an O_RDONLY dma-buf, which
 * the engine never writes; every import of the same dma-buf, from any open file,
 * gets its own handle but shares that one attachment and mapping (and so
 * the same device address), which lives until the last such import is
 * released. When the mapping has a single DMA segment the engine
 * uses its address directly; otherwise the segments are mapped into one
 * of the engine's translation units. Errors besides the above: ENOSPC
 * when no translation unit has a free IOVA window large enough, EMFILE
 * past the per-file import limit, ENOMEM, EFAULT, E2BIG, or an error of
 * the exporter's attach or map callback.
 */
/**
 * DOC: dynamic imports (%V2D_IMPORT_DYNAMIC)
 *
 * By default an import is static: the engine maps the buffer once and
 * the exporter keeps its pages where they are for as long as the import
 * lives (the dma-buf core pins it).
 *
 * %V2D_IMPORT_DYNAMIC makes a dynamic attachment instead
 * (dma_buf_dynamic_attach() with an invalidation callback), as GPU and
 * RDMA drivers do: an exporter may move the buffer, or revoke it, after
 * telling the engine. The engine then marks its mapping invalid (it
 * does not wait there); jobs already submitted finish on the old
 * mapping, which the exporter keeps until their fences signal, and the
 * engine maps the buffer again under its reservation lock at the next
 * %V2D_IOC_SUBMIT that uses it, ordered after the exporter's fences. The
 * old mapping and its translation unit entries go when its last job is
 * done. When that mapping fails (ENODEV: the exporter revoked the
 * buffer), the SUBMIT still succeeds and its job completes at once, in
 * its fence order, with that error on its fence, without touching
 * memory. Dynamic and static imports of one dma-buf have one attachment
 * each.
 *
 * Kernels before 7.1 built without CONFIG_DMABUF_MOVE_NOTIFY (every
 * Debian kernel up to 6.12) pin a dynamic attachment's mapping too: an
 * exporter cannot move it, and %V2D_QUERY_PINNED says so.
 *
 * %V2D_IMPORT_PIN (only with %V2D_IMPORT_DYNAMIC) pins the buffer as
 * iommufd and VFIO do: the exporter never moves it, but may still revoke
 * it on 7.1+ (dma_buf_attach_revocable(); %V2D_QUERY_REVOCABLE), after
 * which the engine behaves as above. Without %V2D_IMPORT_DYNAMIC it is
 * EINVAL.
 */
#define V2D_IMPORT_DYNAMIC	(1U << 0)
#define V2D_IMPORT_PIN		(1U << 1)
#define V2D_IMPORT_VALID_FLAGS	(V2D_IMPORT_DYNAMIC | V2D_IMPORT_PIN)

struct v2d_import {
	__s32 fd;
	__u32 flags;
	__u32 handle;
	__u32 pad;
	__u64 reserved;
};

#define V2D_IMPORT_SIZE_VER0	24

/**
 * struct v2d_release - argument of %V2D_IOC_RELEASE
 * @handle: in: a handle from %V2D_IOC_IMPORT; unknown is ENOENT.
 * @flags: in: must be zero.
 *
 * The handle is gone at once; the buffer stays mapped until the jobs
 * already submitted on it are done.
 */
struct v2d_release {
	__u32 handle;
	__u32 flags;
};

/** @V2D_PATH_DIRECT: the engine uses the single DMA address directly. */
#define V2D_PATH_DIRECT		1
/** @V2D_PATH_IOMMU: the DMA segments are mapped by a translation unit. */
#define V2D_PATH_IOMMU		2

/**
 * struct v2d_query - argument of %V2D_IOC_QUERY
 * @handle: in: the handle; unknown is ENOENT.
 * @flags: in: must be zero.
 * @size: out: the buffer's size in bytes.
 * @nr_segments: out: number of DMA segments of the engine's mapping.
 * @path: out: %V2D_PATH_DIRECT or %V2D_PATH_IOMMU.
 * @unit: out: the translation unit (IOMMU path), else 0.
 * @pad: out: zero.
 * @state: out: %V2D_QUERY_* bits (zero for a static import).
 * @iova: out: where the buffer starts in the unit's IOVA window (IOMMU
 *	path); 0 on the direct path, where the device address is a bus
 *	address and is not disclosed.
 * @reserved: must be zero.
 * @invalidations: out: how often the exporter told the engine that the
 *	buffer moves (or is revoked) since its first dynamic import; zero
 *	for a static import.
 * @remaps: out: how often the engine mapped the buffer again since.
 *
 * For a dynamic import whose mapping is invalid, @nr_segments, @path,
 * @unit and @iova are zero. Besides ENOENT: EINTR when a signal arrived
 * while waiting for a dynamic import's reservation lock.
 */
struct v2d_query {
	__u32 handle;
	__u32 flags;
	__u64 size;
	__u32 nr_segments;
	__u32 path;
	__u32 unit;
	__u32 state;
	__u64 iova;
	__u64 reserved;
	__u32 invalidations;
	__u32 remaps;
};

#define V2D_QUERY_SIZE_VER0	48
#define V2D_QUERY_SIZE_VER1	56

/** @V2D_QUERY_DYNAMIC: imported with %V2D_IMPORT_DYNAMIC. */
#define V2D_QUERY_DYNAMIC	(1U << 0)
/** @V2D_QUERY_PINNED: dynamic, but pinned (%V2D_IMPORT_PIN, or by this kernel). */
#define V2D_QUERY_PINNED	(1U << 1)
/** @V2D_QUERY_INVALID: the exporter invalidated the mapping; not remapped yet. */
#define V2D_QUERY_INVALID	(1U << 2)
/** @V2D_QUERY_REVOCABLE: pinned (%V2D_IMPORT_PIN), yet the exporter may revoke it. */
#define V2D_QUERY_REVOCABLE	(1U << 3)

/**
 * struct v2d_surface - a rectangle of pixels in an imported buffer
 * @handle: the import.
 * @stride: bytes from one row to the next; at least @width pixels.
 * @offset: byte offset of pixel (0, 0) in the buffer.
 * @x: first column of the rectangle.
 * @y: first row of the rectangle.
 * @width: columns, at least 1.
 * @height: rows, at least 1.
 *
 * Byte (col, row) of pixel size B lies at @offset + row * @stride + col * B.
 * Every byte of the rectangle must lie within the buffer.
 */
struct v2d_surface {
	__u32 handle;
	__u32 stride;
	__u64 offset;
	__u32 x;
	__u32 y;
	__u32 width;
	__u32 height;
};

/**
 * DOC: operations (&struct v2d_submit.op)
 *
 * %V2D_OP_FILL: set every pixel of @dst to the low @cpp bytes of @value
 * (little endian). @src must be all zero.
 *
 * %V2D_OP_COPY: copy @src to @dst, which has the same width and height.
 *
 * %V2D_OP_ROTATE: rotate @src clockwise by @rotation degrees (90, 180 or
 * 270) into @dst, whose width and height are those of @src swapped for
 * 90 and 270; 4 bytes per pixel only.
 *
 * For COPY and ROTATE, @src and @dst must not overlap when they are in
 * the same buffer.
 */
#define V2D_OP_FILL		1
#define V2D_OP_COPY		2
#define V2D_OP_ROTATE		3

/**
 * DOC: submit flags (&struct v2d_submit.flags)
 *
 * %V2D_SUBMIT_IN_FENCE: wait for the sync_file @in_fence_fd before the job
 * runs (besides the fences already on its buffers).
 *
 * %V2D_SUBMIT_OUT_FENCE: return the job's fence as a new sync_file fd in
 * @out_fence_fd (close-on-exec).
 *
 * %V2D_SUBMIT_HANG: debugging aid: the engine stalls on this job instead
 * of running it, until the watchdog (module parameter ``timeout_ms``)
 * fails it with ETIMEDOUT, or the file is closed. Meanwhile the job's
 * unsignalled write fence is visible in /sys/kernel/debug/dma_buf/bufinfo.
 * A stall holds up every file's jobs, so it needs CAP_SYS_ADMIN (EPERM
 * otherwise).
 */
#define V2D_SUBMIT_IN_FENCE	(1U << 0)
#define V2D_SUBMIT_OUT_FENCE	(1U << 1)
#define V2D_SUBMIT_HANG		(1U << 2)
#define V2D_SUBMIT_VALID_FLAGS	\
	(V2D_SUBMIT_IN_FENCE | V2D_SUBMIT_OUT_FENCE | V2D_SUBMIT_HANG)

/**
 * struct v2d_submit - argument of %V2D_IOC_SUBMIT
 * @op: in: %V2D_OP_*.
 * @flags: in: %V2D_SUBMIT_* flags.
 * @cpp: in: bytes per pixel: 1, 2 or 4 (4 for ROTATE).
 * @rotation: in: degrees for ROTATE, 0 otherwise.
 * @value: in: the FILL value, 0 otherwise.
 * @in_fence_fd: in: with %V2D_SUBMIT_IN_FENCE, a sync_file fd, else 0.
 * @out_fence_fd: out: with %V2D_SUBMIT_OUT_FENCE, the job's sync_file
 *	fd, else -1.
 * @pad: must be zero.
 * @seqno: out: the job's fence sequence number on this file's timeline;
 *	it grows by one with every job.
 * @src: in: the source (COPY, ROTATE), else all zero.
 * @dst: in: the destination.
 * @reserved: must be zero.
 *
 * Everything is checked before anything runs. Errors: EINVAL for a bad
 * op, flag, @cpp, @rotation, zero width or height, @stride shorter than
 * a row, sizes that do not match, overlapping source and destination,
 * non-zero fields the op does not use; ERANGE when a rectangle reaches
 * past its buffer (also when the arithmetic would overflow); ENOENT for
 * an unknown handle; EINVAL also for an @in_fence_fd that is not a
 * sync_file (a closed fd included); EINTR when a signal arrived while
 * waiting for the buffers' locks; EBUSY when the file already has
 * ``max_pending_jobs`` (module parameter, default 256) jobs submitted and
 * not yet done; EAGAIN on a file opened O_NONBLOCK whose queue share is
 * full (below); EPERM for %V2D_SUBMIT_HANG without CAP_SYS_ADMIN;
 * EACCES when @dst was imported from a dma-buf fd not open for writing
 * (such an import can still be a source), or @src from one not open for
 * reading (such an import can still be a destination);
 * EMFILE, ENOMEM, EFAULT, E2BIG.
 *
 * A job that was accepted always completes through its fence: with no
 * error, or with the fence's error set to EIO (translation fault),
 * ENODEV or another exporter's error (a dynamic import the engine could
 * not map again, see %V2D_IMPORT_DYNAMIC),
 * ETIMEDOUT (the watchdog stopped it before its end, or a dependency did
 * not signal in time) or ECANCELED (the file was closed before the
 * engine started on it; a job already running when the file is closed
 * runs to its end). Whatever the job wrote is in the buffer's pages, for
 * a reader that waited for its fence and then began CPU access, even if
 * its handle was released in the meantime.
 *
 * The engine runs the jobs of every open file in the order they were
 * submitted. So that one file cannot hold another's jobs up without
 * bound, a file may have at most ``max_queued_jobs`` (module parameter,
 * default 16) jobs waiting for the engine to start on them: a SUBMIT
 * beyond that share waits until the engine starts on one of the file's
 * jobs (EINTR when a signal arrives meanwhile, EAGAIN at once on an
 * O_NONBLOCK file). Another file's job then waits for at most that many
 * of this file's jobs, each stopped after ``timeout_ms``.
 */
struct v2d_submit {
	__u32 op;
	__u32 flags;
	__u32 cpp;
	__u32 rotation;
	__u32 value;
	__s32 in_fence_fd;
	__s32 out_fence_fd;
	__u32 pad;
	__u64 seqno;
	struct v2d_surface src;
	struct v2d_surface dst;
	__u64 reserved;
};

#define V2D_SUBMIT_SIZE_VER0	112

/**
 * struct v2d_stats - argument of %V2D_IOC_GET_STATS
 * @live_imports: imports of all files not yet released (a released
 *	handle counts until its last job is done).
 * @live_jobs: jobs submitted and not yet retired.
 * @live_fences: job fences still referenced anywhere (a reservation
 *	object, a sync_file, a waiter); each holds a module reference.
 * @mapped_pages: pages mapped in all translation units.
 * @jobs_done: jobs completed without error since load.
 * @jobs_failed: jobs completed with an error since load.
 * @faults: translation faults since load.
 * @timeouts: jobs failed by the watchdog since load.
 */
struct v2d_stats {
	__u64 live_imports;
	__u64 live_jobs;
	__u64 live_fences;
	__u64 mapped_pages;
	__u64 jobs_done;
	__u64 jobs_failed;
	__u64 faults;
	__u64 timeouts;
};

#define V2D_IOC_MAGIC		'V'

/**
 * define V2D_IOC_IMPORT - import a dma-buf; see &struct v2d_import
 */
#define V2D_IOC_IMPORT		_IOWR(V2D_IOC_MAGIC, 1, struct v2d_import)

/**
 * define V2D_IOC_RELEASE - drop a handle; see &struct v2d_release
 */
#define V2D_IOC_RELEASE		_IOW(V2D_IOC_MAGIC, 2, struct v2d_release)

/**
 * define V2D_IOC_QUERY - describe an import; see &struct v2d_query
 */
#define V2D_IOC_QUERY		_IOWR(V2D_IOC_MAGIC, 3, struct v2d_query)

/**
 * define V2D_IOC_SUBMIT - queue a job; see &struct v2d_submit
 */
#define V2D_IOC_SUBMIT		_IOWR(V2D_IOC_MAGIC, 4, struct v2d_submit)

/**
 * define V2D_IOC_GET_STATS - read the module's counters
 *
 * All live counters are back at zero once every file, buffer and fence
 * the engine touched is gone.
 */
#define V2D_IOC_GET_STATS	_IOR(V2D_IOC_MAGIC, 5, struct v2d_stats)

#endif /* _UAPI_V2D_EMU_H */
