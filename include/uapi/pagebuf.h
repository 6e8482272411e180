/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pagebuf: a reference dma-buf exporter of page-backed buffers.
 *
 * This header is the contract between pagebuf.ko and userspace. Every
 * struct has fixed-width fields and explicit padding; structs passed in
 * are extensible: the ioctl number encodes the size userspace was built
 * with, the driver accepts any size from the first published version up,
 * zero-extends a shorter struct and rejects a longer one whose extra bytes
 * are not zero (E2BIG).
 */
#ifndef _UAPI_PAGEBUF_H
#define _UAPI_PAGEBUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** @PAGEBUF_NAME_LEN: size of a buffer name, including the NUL. */
#define PAGEBUF_NAME_LEN	32

/**
 * DOC: allocation flags (&struct pagebuf_alloc.flags)
 *
 * At most one policy flag may be set; none selects the default policy,
 * which allocates order-8, then order-4, then order-0 pages like the
 * kernel's system heap.
 *
 * %PAGEBUF_ALLOC_ORDER0: one page at a time, so that an importer sees a
 * scattered table with one segment per page.
 *
 * %PAGEBUF_ALLOC_CONTIG: one physically contiguous block. The block comes
 * from the page allocator, so the largest size is its largest order
 * (4 MiB with 4 KiB pages); anything it cannot provide fails with ENOMEM.
 *
 * %PAGEBUF_ALLOC_MOVABLE, with any policy: a dynamic dma-buf, whose pages
 * %PAGEBUF_IOC_MOVE may replace. Its exporter implements pin and unpin, and
 * maps for importers with the buffer's reservation lock held. An importer
 * that cannot follow a move (a static one: most drivers) pins it for as
 * long as it is attached; a kernel mapping (vmap) pins it too. CPU
 * mappings are filled page by page on fault, so that a move can take them
 * away and the next access finds the new pages.
 */
#define PAGEBUF_ALLOC_ORDER0	(1U << 0)
#define PAGEBUF_ALLOC_CONTIG	(1U << 1)
#define PAGEBUF_ALLOC_MOVABLE	(1U << 2)
#define PAGEBUF_ALLOC_POLICY_MASK (PAGEBUF_ALLOC_ORDER0 | PAGEBUF_ALLOC_CONTIG)
#define PAGEBUF_ALLOC_VALID_FLAGS (PAGEBUF_ALLOC_POLICY_MASK | PAGEBUF_ALLOC_MOVABLE)

/**
 * struct pagebuf_alloc - argument of %PAGEBUF_IOC_ALLOC
 * @size: in: size in bytes, rounded up to whole pages. 0 is EINVAL; more
 *	than the ``max_buffer_size`` module parameter is EFBIG; more than
 *	what is left of the ``quota`` parameter for all live buffers is
 *	ENOSPC.
 * @fd_flags: in: flags of the returned fd: %O_CLOEXEC and an access mode
 *	(%O_RDONLY, %O_WRONLY or %O_RDWR); anything else is EINVAL.
 * @flags: in: %PAGEBUF_ALLOC_* flags; unknown bits, or both policies, are
 *	EINVAL.
 * @fd: out: the new dma-buf fd.
 * @nr_segments: out: number of physically contiguous chunks the buffer
 *	was allocated in (the entries of its scatter-gather table).
 * @name: in: optional buffer name (shown in /proc/PID/fdinfo and in
 *	debugfs), NUL-terminated; an empty name selects the default
 *	``<tgid>-<comm>``. A name without its NUL is EINVAL. Added in the
 *	second version of the struct.
 * @reserved: must be zero (EINVAL otherwise).
 *
 * The first version of the struct ended after @nr_segments
 * (%PAGEBUF_ALLOC_SIZE_VER0 bytes); a program built with it still works.
 */
struct pagebuf_alloc {
	__u64 size;
	__u32 fd_flags;
	__u32 flags;
	__s32 fd;
	__u32 nr_segments;
	/* end of version 0 */
	char name[PAGEBUF_NAME_LEN];
	__u64 reserved;
};

#define PAGEBUF_ALLOC_SIZE_VER0	24
#define PAGEBUF_ALLOC_SIZE_VER1	64

/**
 * struct pagebuf_stats - argument of %PAGEBUF_IOC_GET_STATS
 * @live_buffers: buffers allocated with %PAGEBUF_IOC_ALLOC and not yet
 *	released (the demo buffer of the classic protocol is not counted).
 * @live_bytes: their total size in bytes.
 * @peak_bytes: the highest @live_bytes since the module was loaded, or
 *	since the peak was last reset (writing 0 to the ``peak`` file in
 *	debugfs or to the ``peak`` attribute of the misc device).
 * @live_attachments: importer attachments to any dma-buf pagebuf exported,
 *	the demo buffer's included, so that an importer's leak shows.
 * @live_mappings: DMA mappings of those attachments.
 * @live_vmaps: those dma-bufs currently mapped into the kernel (vmap).
 *
 * The counters let a test prove that nothing leaks: all of them but
 * @peak_bytes are back at zero once every fd and mapping is gone.
 */
struct pagebuf_stats {
	__u64 live_buffers;
	__u64 live_bytes;
	__u64 peak_bytes;
	__u64 live_attachments;
	__u64 live_mappings;
	__u64 live_vmaps;
};

/**
 * struct pagebuf_move - argument of %PAGEBUF_IOC_MOVE
 * @fd: in: a dma-buf fd of a buffer allocated with %PAGEBUF_ALLOC_MOVABLE.
 * @flags: in: the policy of the new pages: 0 (default), or one of
 *	%PAGEBUF_ALLOC_ORDER0 and %PAGEBUF_ALLOC_CONTIG. The buffer keeps
 *	the new policy.
 * @nr_segments: out: the number of chunks of the new pages.
 * @reserved: must be zero.
 */
struct pagebuf_move {
	__s32 fd;
	__u32 flags;
	__u32 nr_segments;
	__u32 reserved;
};

/**
 * struct pagebuf_revoke - argument of %PAGEBUF_IOC_REVOKE
 * @fd: in: a dma-buf fd of a buffer allocated with %PAGEBUF_ALLOC_MOVABLE.
 * @reserved: must be zero.
 */
struct pagebuf_revoke {
	__s32 fd;
	__u32 reserved;
};

#define PAGEBUF_IOC_MAGIC	'P'

/**
 * define PAGEBUF_IOC_ALLOC - allocate a zeroed buffer and export it
 *
 * Returns 0 and fills @fd and @nr_segments, or -1 with errno: EINVAL,
 * EFBIG, ENOSPC, ENOMEM, EFAULT, E2BIG as described above, or EMFILE
 * when the process has no fd left. On error nothing stays allocated.
 */
#define PAGEBUF_IOC_ALLOC	_IOWR(PAGEBUF_IOC_MAGIC, 1, struct pagebuf_alloc)

/**
 * define PAGEBUF_IOC_GET_STATS - read the module's buffer counters
 */
#define PAGEBUF_IOC_GET_STATS	_IOR(PAGEBUF_IOC_MAGIC, 2, struct pagebuf_stats)

/**
 * define PAGEBUF_IOC_MOVE - move a buffer's contents to new pages
 *
 * Needs CAP_SYS_ADMIN: it exists to test importers, which a move must not
 * break, and costs a copy of the whole buffer. With the buffer's
 * reservation lock held it tells every dynamic importer that its mappings
 * are invalid, waits for all the buffer's fences, takes the CPU mappings
 * away, copies the contents to freshly allocated pages of the policy
 * asked for, and frees the old pages once no DMA mapping uses them. The
 * contents are the same before and after; mappings made before the move
 * see the new pages on their next access.
 *
 * Returns 0 and fills @nr_segments, or -1 with errno: EPERM without the
 * capability; EBADF for a bad fd; EINVAL for a dma-buf that is not a
 * movable pagebuf buffer, unknown or two policy flags, or a non-zero
 * @reserved; ENODEV for a revoked buffer; EBUSY while an importer pins
 * the buffer or the kernel has it mapped (vmap); ENOMEM; EINTR (or a
 * restart) when a signal came while waiting for fences. On error the
 * buffer keeps its pages.
 */
#define PAGEBUF_IOC_MOVE	_IOWR(PAGEBUF_IOC_MAGIC, 3, struct pagebuf_move)

/**
 * define PAGEBUF_IOC_REVOKE - end all access to a buffer for good
 *
 * Needs CAP_SYS_ADMIN. With the buffer's reservation lock held it tells
 * every dynamic importer that its mappings are invalid, waits for all the
 * buffer's fences and takes the CPU mappings away. From then on the
 * buffer refuses every new access with ENODEV: attach, DMA map (an
 * importer gets the error, never a page), mmap, vmap and move; a CPU
 * mapping made before raises SIGBUS on its next access. Then, without
 * the lock, it waits until the importers have unmapped what they mapped
 * before (an importer told may still read the pages until it unmaps;
 * each must do so within bounded time). The fds stay valid, and the
 * pages stay allocated, out of everyone's reach, until the buffer is
 * released. Revoking a revoked buffer succeeds once nothing is mapped.
 *
 * Pinned attachments: on 7.1 and later a pinned importer that declares
 * itself revocable (dma_buf_attach_revocable(): it has an invalidation
 * callback and unmaps when called, as iommufd and VFIO do) is revoked
 * like a dynamic one. Any other pin refuses the revoke: the core pins
 * for every static importer (while it is attached before 7.x, while it
 * maps since), and kernels before 7.1 built without
 * CONFIG_DMABUF_MOVE_NOTIFY pin dynamic importers' mappings too.
 *
 * Returns 0, or -1 with errno: EPERM without the capability; EBADF for a
 * bad fd; EINVAL for a dma-buf that is not a movable pagebuf buffer or a
 * non-zero @reserved; EBUSY while a pin that may not be revoked holds
 * the buffer or the kernel has it mapped (vmap), and nothing is revoked;
 * EINTR (or a restart) when a signal came while waiting for fences
 * (nothing revoked) or for the unmaps (the buffer revoked all the same).
 */
#define PAGEBUF_IOC_REVOKE	_IOW(PAGEBUF_IOC_MAGIC, 4, struct pagebuf_revoke)

/**
 * define PAGEBUF_IOC_CLASSIC_GET_FD - the classic demo protocol
 *
 * Writes an O_RDWR dma-buf fd for the module's one-page demo buffer to the
 * int the argument points to. Every call gives a new fd on the same
 * dma-buf while any fd or mapping of it is open, and exports a new one
 * over the same page once none is (on kernels before 6.7, which cannot
 * find an open file again without holding it, every call exports a new
 * one). The page's content lives as long as the module: at load it holds
 * the NUL-terminated text "Data inited by kernel!", and read() on the
 * device returns that text up to its first NUL, plus a newline.
 */
#define PAGEBUF_IOC_CLASSIC_GET_FD _IOR('a', 1, int)

#endif /* _UAPI_PAGEBUF_H */
