/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libdmabuf-lab: the dma-buf basics every dmabuf-lab program needs, written
 * once. Allocating a buffer from an exporter named by a string, mapping it,
 * bracketing CPU access, naming it, reading its fdinfo, passing its fd to
 * another process, driving the v2d_emu importer and its fences, and the
 * strict number parser the tools read their command lines with.
 *
 * Conventions, for every function below unless it says otherwise:
 *
 *  - A function returns a value >= 0 on success (0, an fd, a count) and a
 *    negative errno value on failure (-ENOENT, -EINVAL, ...), as libkmod
 *    does. errno itself is unspecified afterwards: read the return value.
 *    strerror(-ret) describes it.
 *  - Functions that can say more than an errno value take an optional
 *    buffer @err of @errlen bytes (NULL, 0: none). On failure it holds a
 *    one-line message without a trailing newline or program name, e.g.
 *    "cannot open /dev/udmabuf: No such file or directory (udmabuf is not
 *    in this kernel)"; on success it is left alone.
 *  - Every fd the library makes is close-on-exec.
 *  - Nothing is retried except where a function says so.
 *
 * In this tree programs include <dmabuf-lab.h> with -Iinclude; installed,
 * `pkg-config --cflags --libs dmabuf-lab` gives the same.
 */
#ifndef DMABUF_LAB_H
#define DMABUF_LAB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <uapi/v2d_emu.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- buffer sources ------------------------------------------------------ */

/*
 * A source spec names where buffers come from:
 *
 *   pagebuf           /dev/pagebuf, its default allocation policy
 *   pagebuf:order0    /dev/pagebuf, one page per segment
 *   pagebuf:contig    /dev/pagebuf, one physically contiguous block
 *   heap:NAME         the DMA heap /dev/dma_heap/NAME
 *   udmabuf           a sealed memfd turned into a dma-buf by /dev/udmabuf
 *   vgem              a dumb buffer of the first vgem DRM card, exported
 *                     with PRIME
 *
 * Nothing else is accepted: no blanks, no upper case, no empty or
 * path-like heap NAME (no '/', not "." or ".."; printable ASCII, at most
 * DMABUF_LAB_HEAP_NAME_MAX characters).
 */
#define DMABUF_LAB_HEAP_NAME_MAX	63

struct dmabuf_lab_source;

/* Check @spec without opening anything: 0 or -EINVAL (and @err). */
int dmabuf_lab_spec_check(const char *spec, char *err, size_t errlen);

/*
 * Open the device behind @spec: @dev is its path, or NULL for the spec's
 * own (/dev/pagebuf, /dev/dma_heap/NAME, /dev/udmabuf, the first
 * /dev/dri/cardN driven by vgem). *@src is set on success; free it with
 * dmabuf_lab_source_close(). -EINVAL for a bad spec, -ENOMEM, or why the
 * device could not be opened (-ENODEV: no vgem card).
 */
int dmabuf_lab_source_open(struct dmabuf_lab_source **src, const char *spec,
			   const char *dev, char *err, size_t errlen);
/* Close the source's device and free it; NULL is allowed. */
void dmabuf_lab_source_close(struct dmabuf_lab_source *src);
/* The canonical spec ("pagebuf:order0", "heap:system", ...). */
const char *dmabuf_lab_source_spec(const struct dmabuf_lab_source *src);

/*
 * A new dma-buf of at least @size bytes (exporters round up to pages,
 * vgem to rows of 4096 bytes), opened O_RDWR | O_CLOEXEC: its fd, or the
 * exporter's error. Safe to call from several threads at once.
 */
int dmabuf_lab_source_alloc(const struct dmabuf_lab_source *src, uint64_t size);

/* Open @spec's default device, allocate one buffer, close: its fd. */
int dmabuf_lab_alloc(const char *spec, uint64_t size, char *err, size_t errlen);

/*
 * The first /dev/dri/cardN (N < 64) whose DRM driver is vgem, opened
 * O_RDWR | O_CLOEXEC: its fd, or -ENODEV when there is none.
 */
int dmabuf_lab_vgem_open(void);

/* ---- mapping --------------------------------------------------------------- */

/*
 * mmap(MAP_SHARED) @len bytes of the buffer @fd from byte @offset with
 * @prot (PROT_READ, PROT_WRITE): 0 and *@addr, or -errno.
 */
int dmabuf_lab_map(int fd, uint64_t offset, size_t len, int prot, void **addr);
/* munmap: 0 or -errno. */
int dmabuf_lab_unmap(void *addr, size_t len);

/* ---- CPU access ------------------------------------------------------------ */

/*
 * Directions of CPU access, with the values of DMA_BUF_SYNC_READ and
 * DMA_BUF_SYNC_WRITE.
 */
#define DMABUF_LAB_CPU_READ	(1U << 0)
#define DMABUF_LAB_CPU_WRITE	(1U << 1)
#define DMABUF_LAB_CPU_RW	(DMABUF_LAB_CPU_READ | DMABUF_LAB_CPU_WRITE)

/*
 * DMA_BUF_IOCTL_SYNC with DMA_BUF_SYNC_START (begin) or DMA_BUF_SYNC_END
 * (end) and exactly the directions @dir asks for; an end takes the same
 * @dir as its begin. Retried while the kernel says EINTR or EAGAIN (a
 * signal or a fence wait cut short), as libdrm's drmIoctl() does. -EINVAL
 * without a system call when @dir is 0 or has other bits.
 */
int dmabuf_lab_begin_cpu(int fd, unsigned int dir);
int dmabuf_lab_end_cpu(int fd, unsigned int dir);

/* ---- names ------------------------------------------------------------------- */

/*
 * DMA_BUF_SET_NAME: 0 or -errno (-EINVAL from the kernel for a name of
 * DMA_BUF_NAME_LEN characters or more).
 */
int dmabuf_lab_set_name(int fd, const char *name);
/*
 * The buffer's name as this process's fdinfo shows it ("" when it has
 * none), truncated to @len - 1 bytes: its length, or -errno (-ENOTTY
 * when @fd is not a dma-buf).
 */
int dmabuf_lab_get_name(int fd, char *buf, size_t len);

/* ---- fdinfo ------------------------------------------------------------------ */

/*
 * What /proc/PID/fdinfo/FD says of a dma-buf. The file is read with a
 * bound (DMABUF_LAB_FDINFO_MAX bytes) and parsed as hostile text: any
 * process holding a buffer may name it, and a name may hold newlines
 * that look like the kernel's lines. So each key's first line is the
 * kernel's, numbers are plain decimal digits or not taken, and
 * everything after "name:" is the name (newlines kept, truncated to fit).
 */
#define DMABUF_LAB_FDINFO_MAX	(64 * 1024)

#define DMABUF_LAB_FDINFO_SIZE		(1U << 0)
#define DMABUF_LAB_FDINFO_INO		(1U << 1)	/* from Linux 6.1 */
#define DMABUF_LAB_FDINFO_COUNT		(1U << 2)
#define DMABUF_LAB_FDINFO_EXP_NAME	(1U << 3)
#define DMABUF_LAB_FDINFO_NAME		(1U << 4)

struct dmabuf_lab_fdinfo {
	unsigned int has;	/* DMABUF_LAB_FDINFO_* of the fields found */
	uint64_t size;
	uint64_t ino;
	uint64_t count;
	char exp_name[128];
	char name[256];
};

/* Parse the text of one fdinfo file (NUL-terminated); always succeeds. */
void dmabuf_lab_fdinfo_parse(const char *text, struct dmabuf_lab_fdinfo *fi);
/*
 * Read and parse the fdinfo of @fd in process @pid (0: this process):
 * 0, -ENOTTY when it is not a dma-buf's (no exp_name), -EFBIG when the
 * file is larger than the bound, or why it could not be read.
 */
int dmabuf_lab_fdinfo_read(pid_t pid, int fd, struct dmabuf_lab_fdinfo *fi);
/*
 * The value of "KEY:" in fdinfo @text, by the same rules (the first
 * line of a key; no key after "name:" but the name itself), copied to
 * @buf and truncated to @len - 1 bytes: its length, or -ENOENT.
 */
int dmabuf_lab_fdinfo_value(const char *text, const char *key, char *buf,
			    size_t len);
/* The same, reading /proc/PID/fdinfo/FD (@pid 0: this process). */
int dmabuf_lab_fdinfo_get(pid_t pid, int fd, const char *key, char *buf,
			  size_t len);

/* ---- passing fds between processes ------------------------------------------- */

/*
 * Send @len bytes of @data (at least one) on the unix socket @sock, with
 * the fd @fd attached (SCM_RIGHTS) unless @fd is negative: 0, -EIO for a
 * short send, or -errno.
 */
int dmabuf_lab_send_fd(int sock, int fd, const void *data, size_t len);
/*
 * Receive one message of at most @len bytes into @data; *@fd is the fd
 * it carried (close-on-exec), or -1 when it carried none. The number of
 * bytes (0: the peer closed), or -errno; -EBADMSG, with every fd it
 * carried closed, for a message whose control data was cut short or
 * held anything but one fd.
 */
ssize_t dmabuf_lab_recv_fd(int sock, int *fd, void *data, size_t len);
/*
 * A copy of fd @fd of process @pid (pidfd_open, then pidfd_getfd), which
 * needs the right to ptrace @pid: the new fd, or -errno; @err says which
 * step failed ("pidfd_getfd(PID, FD): ...", with a hint on EPERM).
 */
int dmabuf_lab_take_fd(pid_t pid, int fd, char *err, size_t errlen);

/* ---- the v2d_emu importer -------------------------------------------------- */

/* V2D_IOC_IMPORT of the dma-buf @buf_fd on the engine @v2d: 0 and *@handle. */
int dmabuf_lab_v2d_import(int v2d, int buf_fd, uint32_t *handle);
/* V2D_IOC_RELEASE. */
int dmabuf_lab_v2d_release(int v2d, uint32_t handle);
/* V2D_IOC_QUERY of @handle into *@q (cleared first). */
int dmabuf_lab_v2d_query(int v2d, uint32_t handle, struct v2d_query *q);
/*
 * V2D_IOC_SUBMIT of @req as it is: with V2D_SUBMIT_OUT_FENCE in its
 * flags, req->out_fence_fd is the job's fence (a sync_file) to wait on
 * and close.
 */
int dmabuf_lab_v2d_submit(int v2d, struct v2d_submit *req);

/* ---- fences (sync_file) ------------------------------------------------- */

/*
 * Wait up to @timeout_ms (negative: for ever) for the sync_file
 * @fence_fd to signal (poll for POLLIN, resumed after a signal with the
 * time left): 1 when it signalled (dmabuf_lab_fence_status() then says
 * whether with an error), 0 when it did not in time, or -errno. The fd
 * stays open.
 */
int dmabuf_lab_fence_wait(int fence_fd, int timeout_ms);
/*
 * SYNC_IOC_FILE_INFO: 0 and *@status (1 signalled, 0 active, negative the
 * error it signalled with), or -errno when @fence_fd is no sync_file.
 */
int dmabuf_lab_fence_status(int fence_fd, int *status);
/*
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE (Linux 6.0): a sync_file of the fences
 * a CPU access in directions @dir (DMABUF_LAB_CPU_*) would wait for; the
 * new fd, or -errno (-ENOTTY before 6.0).
 */
int dmabuf_lab_export_sync_file(int buf_fd, unsigned int dir);
/*
 * DMA_BUF_IOCTL_IMPORT_SYNC_FILE (Linux 6.0): add the sync_file
 * @fence_fd to the buffer's fences, as a writer (DMABUF_LAB_CPU_WRITE)
 * or a reader (DMABUF_LAB_CPU_READ). 0 or -errno.
 */
int dmabuf_lab_import_sync_file(int buf_fd, unsigned int dir, int fence_fd);

/* ---- strict numbers -------------------------------------------------------- */

/*
 * Numbers from command lines, /proc and sysfs: decimal digits and nothing
 * else (no sign, no blank, no base prefix). 0 and *@out, or -EINVAL (not
 * such a number) or -ERANGE (one it cannot represent, or outside [@min,
 * @max]); *@out is left alone on failure.
 */
int dmabuf_lab_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A byte count: digits, then optionally K or M (either case) for KiB or MiB. */
int dmabuf_lab_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A finite decimal number (strtod's syntax without blanks, nan, inf or hex). */
int dmabuf_lab_parse_double(const char *s, double min, double max, double *out);

#ifdef __cplusplus
}
#endif

#endif /* DMABUF_LAB_H */
