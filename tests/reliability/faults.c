// SPDX-License-Identifier: GPL-2.0
/*
 * faults - make the Nth allocation of a call fail, for N = 1, 2, ... until
 * the call gets through without reaching its Nth allocation, on every
 * path of pagebuf and v2d_emu that allocates.
 *
 *   faults [--mode fail-nth|debugfs] [--path NAME] [--max N] [--verbose]
 *
 * Two ways of failing the Nth fault-injection point this thread reaches
 * (CONFIG_FAULT_INJECTION); the caller (the guest suite) sets both
 * attributes to fail even order-0, highmem and sleeping allocations,
 * silently (verbose=0). Only this thread is affected in either mode.
 *
 * --mode fail-nth (default): /proc/thread-self/fail-nth = N fails the Nth
 * point, slab (failslab) or page allocator (fail_page_alloc), whatever
 * the attributes' probability. fail-nth reads 0 after the injection.
 *
 * --mode debugfs: each attribute's own knobs, one attribute at a time
 * (failslab, then fail_page_alloc; the other one has times=0):
 * task-filter=Y with /proc/thread-self/make-it-fail=1 for this thread,
 * probability=100, times=1, interval=N. should_fail() counts the points
 * that pass those filters in a private counter, never reset, and fails
 * the one where count % N == 0; so before each call the counter is
 * aligned: cheap allocations of the same kind (open /dev/null for slab,
 * the first byte written into a new pipe for a page) are made with
 * times=1 until one of them takes the failure (times reads 0: the
 * counter is a multiple of N), then times=1 again and the Nth point of
 * the call fails. times reads 0 after the injection. Every knob is
 * restored on exit.
 *
 * For each N: the counters of both modules are read, the Nth point of
 * the call is armed, and then
 *   - failed: the errno must be one an allocation failure may give
 *     (ENOMEM, or what the path documents), and every counter must be
 *     as before: nothing half-made is left behind;
 *   - succeeded with the fault consumed: an allocation with a fallback
 *     (a high order tried first); undone, and the sweep goes on;
 *   - fault still pending: the call made fewer than N allocations;
 *     the path is done.
 * The kernel's side (KASAN, kmemleak, lockdep) is checked by the harness.
 *
 * A path on which an injected failure makes the kernel WARN by design
 * (vivid_qbuf_vmap: dma_buf_vmap() warns once when the exporter's vmap
 * fails) is reported as skipped unless named with --path: the harness
 * fails a run on any WARNING, except in the boot of its own that runs
 * that path alone and requires exactly that one warning.
 *
 * Prints one suite line per path: "ok - faults/PATH" (fail-nth) or
 * "ok - faults/debugfs/PATH/ATTR" (debugfs) with the number of failure
 * points, or "not ok - ..." with diagnostics. Exit status: 0 when every
 * path passed, 1 otherwise, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <linux/dma-buf.h>
#include <linux/videodev2.h>

#include <uapi/pagebuf.h>
#include <uapi/v2d_emu.h>

static int pagebuf_dev = -1, v2d_dev = -1, card = -1, fail_nth = -1;
static bool verbose;
static unsigned int max_n = 2000;

struct counters {
	struct pagebuf_stats pb;
	struct v2d_stats v2d;
};

/* Context of one path: what setup made, what the call made. */
struct ctx {
	int buf_fd;		/* a dma-buf made by setup */
	uint32_t handle;	/* its v2d import, when setup imported it */
	uint32_t handle2;
	int out_fd;		/* what the call made: an fd, or -1 */
	uint32_t out_handle;
	void *map;
	size_t map_len;
	int video_fd;		/* the vivid capture node */
	uint32_t video_len;	/* its frame size, page aligned */
};

struct path {
	const char *name;
	size_t size;		/* buffer size the setup allocates */
	uint32_t flags;		/* its pagebuf policy */
	int (*setup)(struct ctx *c, const struct path *p);
	int (*call)(struct ctx *c, const struct path *p);	/* 0 or -errno */
	void (*undo)(struct ctx *c);		/* undo a successful call */
	void (*teardown)(struct ctx *c);
	int also_errno;		/* an errno this path may fail with, besides acceptable() */
	bool needs_v2d, needs_vgem, needs_vivid;
	/*
	 * Why an injected failure on this path makes the kernel WARN, which
	 * the harness counts as a splat: such a path runs only when named
	 * with --path.
	 */
	const char *warns;
};

static int read_counters(struct counters *c)
{
	memset(c, 0, sizeof(*c));
	if (ioctl(pagebuf_dev, PAGEBUF_IOC_GET_STATS, &c->pb))
		return -errno;
	if (v2d_dev >= 0 && ioctl(v2d_dev, V2D_IOC_GET_STATS, &c->v2d))
		return -errno;
	return 0;
}

/* The live counters; the totals (jobs_done, peak...) may move. */
static bool same_counters(const struct counters *a, const struct counters *b, char *why,
			  size_t len)
{
#define CMP(f) do { if (a->f != b->f) { \
		snprintf(why, len, #f " %llu before, %llu after", \
			 (unsigned long long)a->f, (unsigned long long)b->f); \
		return false; } } while (0)
	CMP(pb.live_buffers);
	CMP(pb.live_bytes);
	CMP(pb.live_attachments);
	CMP(pb.live_mappings);
	CMP(pb.live_vmaps);
	CMP(v2d.live_imports);
	CMP(v2d.live_jobs);
	CMP(v2d.live_fences);
	CMP(v2d.mapped_pages);
#undef CMP
	return true;
}

static int set_fail_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fail_nth, buf, len, 0) != len)
		return -errno;
	return 0;
}

/* What is left of fail-nth: 0 when the fault was injected. */
static long get_fail_nth(void)
{
	char buf[16] = { 0 };

	if (pread(fail_nth, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* ---- building blocks, never under fault injection ------------------------- */

static int alloc_buf(size_t size, uint32_t flags)
{
	struct pagebuf_alloc req = { .size = size, .fd_flags = O_RDWR | O_CLOEXEC,
				     .flags = flags };

	if (ioctl(pagebuf_dev, PAGEBUF_IOC_ALLOC, &req))
		return -errno;
	return req.fd;
}

static int v2d_import(int fd, uint32_t *handle)
{
	struct v2d_import imp = { .fd = fd };

	if (ioctl(v2d_dev, V2D_IOC_IMPORT, &imp))
		return -errno;
	*handle = imp.handle;
	return 0;
}

static void v2d_release(uint32_t handle)
{
	struct v2d_release rel = { .handle = handle };

	if (ioctl(v2d_dev, V2D_IOC_RELEASE, &rel))
		fprintf(stderr, "faults: release %u: %s\n", handle, strerror(errno));
}

static int vgem_buf(void)
{
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 16, .bpp = 32 };
	struct drm_prime_handle prime = { 0 };
	struct drm_gem_close gc = { 0 };
	int ret = 0;

	if (ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -errno;
	prime.handle = dumb.handle;
	prime.flags = DRM_CLOEXEC | DRM_RDWR;
	if (ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime))
		ret = -errno;
	gc.handle = dumb.handle;
	ioctl(card, DRM_IOCTL_GEM_CLOSE, &gc);
	return ret ? ret : prime.fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- the paths ------------------------------------------------------------ */

static int setup_none(struct ctx *c, const struct path *p)
{
	(void)c;
	(void)p;
	return 0;
}

static int setup_buf(struct ctx *c, const struct path *p)
{
	c->buf_fd = alloc_buf(p->size, p->flags);
	return c->buf_fd < 0 ? c->buf_fd : 0;
}

static int setup_vgem(struct ctx *c, const struct path *p)
{
	(void)p;
	c->buf_fd = vgem_buf();
	return c->buf_fd < 0 ? c->buf_fd : 0;
}

/* Two imported buffers, for jobs. */
static int setup_two_imports(struct ctx *c, const struct path *p)
{
	int ret = setup_buf(c, p), fd2;

	if (ret)
		return ret;
	ret = v2d_import(c->buf_fd, &c->handle);
	if (ret)
		return ret;
	fd2 = alloc_buf(p->size, p->flags);
	if (fd2 < 0)
		return fd2;
	ret = v2d_import(fd2, &c->handle2);
	close(fd2);
	return ret;
}

static void teardown(struct ctx *c)
{
	if (c->handle)
		v2d_release(c->handle);
	if (c->handle2)
		v2d_release(c->handle2);
	c->handle = c->handle2 = 0;
	close_fd(&c->buf_fd);
}

static int call_alloc(struct ctx *c, const struct path *p)
{
	c->out_fd = alloc_buf(p->size, p->flags);
	return c->out_fd < 0 ? c->out_fd : 0;
}

static void undo_fd(struct ctx *c)
{
	close_fd(&c->out_fd);
}

static int call_import(struct ctx *c, const struct path *p)
{
	(void)p;
	return v2d_import(c->buf_fd, &c->out_handle);
}

static void undo_import(struct ctx *c)
{
	v2d_release(c->out_handle);
	c->out_handle = 0;
}

static int call_mmap(struct ctx *c, const struct path *p)
{
	void *m = mmap(NULL, p->size, PROT_READ | PROT_WRITE, MAP_SHARED, c->buf_fd, 0);

	if (m == MAP_FAILED)
		return -errno;
	c->map = m;
	c->map_len = p->size;
	return 0;
}

/*
 * The same, at an address far from every other mapping (128 GiB: inside
 * even riscv64's 256 GiB Sv39 user space), so that the mapping needs
 * page tables of its own and their allocation is one of the points the
 * sweep fails. Near the program's other mappings the tables usually
 * exist already, and a failure inside the exporter's remap is reached
 * only by chance.
 */
#define FRESH_TABLES_HINT ((void *)(128UL << 30))

static int call_mmap_fresh_tables(struct ctx *c, const struct path *p)
{
	void *m = mmap(FRESH_TABLES_HINT, p->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       c->buf_fd, 0);

	if (m == MAP_FAILED)
		return -errno;
	c->map = m;
	c->map_len = p->size;
	return 0;
}

static void undo_mmap(struct ctx *c)
{
	munmap(c->map, c->map_len);
	c->map = NULL;
}

static int call_sync(struct ctx *c, const struct path *p)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };

	(void)p;
	if (ioctl(c->buf_fd, DMA_BUF_IOCTL_SYNC, &s))
		return -errno;
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	if (ioctl(c->buf_fd, DMA_BUF_IOCTL_SYNC, &s))
		return -errno;
	return 0;
}

static int call_set_name(struct ctx *c, const struct path *p)
{
	(void)p;
	if (ioctl(c->buf_fd, DMA_BUF_SET_NAME, "fault-sweep"))
		return -errno;
	return 0;
}

static void undo_nothing(struct ctx *c)
{
	(void)c;
}

static int submit(struct ctx *c, uint32_t op, uint32_t flags)
{
	struct v2d_submit req = { .op = op, .flags = flags, .cpp = 4 };
	struct v2d_surface s = { .stride = 256, .width = 64, .height = 16 };

	req.dst = s;
	req.dst.handle = c->handle;
	if (op != V2D_OP_FILL) {
		req.src = s;
		req.src.handle = c->handle2;
	}
	if (ioctl(v2d_dev, V2D_IOC_SUBMIT, &req))
		return -errno;
	c->out_fd = flags & V2D_SUBMIT_OUT_FENCE ? req.out_fence_fd : -1;
	return 0;
}

static int call_submit_fill(struct ctx *c, const struct path *p)
{
	(void)p;
	return submit(c, V2D_OP_FILL, 0);
}

static int call_submit_copy_fence(struct ctx *c, const struct path *p)
{
	(void)p;
	return submit(c, V2D_OP_COPY, V2D_SUBMIT_OUT_FENCE);
}

/*
 * A job that succeeded is waited for (its fence signals, the counters
 * settle): closing the out-fence alone does not retire it.
 */
static void undo_job(struct ctx *c)
{
	struct v2d_stats st;
	int i;

	close_fd(&c->out_fd);
	for (i = 0; i < 500; i++) {
		if (ioctl(v2d_dev, V2D_IOC_GET_STATS, &st) || !st.live_jobs)
			break;
		usleep(10000);
	}
}

/*
 * vivid's vmalloc instance (the suite loads instance 0 with allocators=0)
 * imports a DMABUF buffer at VIDIOC_QBUF: vb2_vmalloc's attach_dmabuf
 * (its own bookkeeping, no dma-buf attachment) and map_dmabuf, which is
 * dma_buf_vmap(): pagebuf's vmap op. Returns the node or -1.
 */
static int open_vivid_vmalloc(void)
{
	struct v4l2_capability cap;
	char path[32];
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((const char *)cap.driver, "vivid") &&
		    !strcmp((const char *)cap.bus_info, "platform:vivid-000") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE))
			return fd;
		close(fd);
	}
	return -1;
}

static int video_reqbufs(int fd, uint32_t count)
{
	struct v4l2_requestbuffers rb = {
		.count = count,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
	};

	if (ioctl(fd, VIDIOC_REQBUFS, &rb))
		return -errno;
	/* vb2 may allocate more than asked (its minimum for streaming). */
	return count && rb.count < count ? -ENOBUFS : 0;
}

/* A small frame (vivid picks its nearest size) and one DMABUF slot. */
static int setup_vivid(struct ctx *c, const struct path *p)
{
	struct v4l2_format f = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	long page = sysconf(_SC_PAGESIZE);
	int ret;

	c->video_fd = open_vivid_vmalloc();
	if (c->video_fd < 0)
		return -ENODEV;
	f.fmt.pix.width = 64;
	f.fmt.pix.height = 48;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_XBGR32;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	if (ioctl(c->video_fd, VIDIOC_S_FMT, &f))
		return -errno;
	c->video_len = (f.fmt.pix.sizeimage + page - 1) & ~(page - 1);
	ret = video_reqbufs(c->video_fd, 1);
	if (ret)
		return ret;
	c->buf_fd = alloc_buf(c->video_len, p->flags);
	return c->buf_fd < 0 ? c->buf_fd : 0;
}

static int call_vivid_qbuf(struct ctx *c, const struct path *p)
{
	struct v4l2_buffer b = {
		.index = 0,
		.type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
		.memory = V4L2_MEMORY_DMABUF,
		.m.fd = c->buf_fd,
		.length = c->video_len,
	};

	(void)p;
	if (ioctl(c->video_fd, VIDIOC_QBUF, &b))
		return -errno;
	return 0;
}

/* Freeing the queue's buffers drops the vmap and vb2's hold on the dma-buf. */
static void undo_vivid_qbuf(struct ctx *c)
{
	int ret = video_reqbufs(c->video_fd, 0);

	if (ret)
		fprintf(stderr, "faults: REQBUFS 0: %s\n", strerror(-ret));
}

static void teardown_vivid(struct ctx *c)
{
	if (c->video_fd >= 0)
		undo_vivid_qbuf(c);
	close_fd(&c->video_fd);
	teardown(c);
}

#define PATH(n, sz, fl, su, ca, un, v2d, vgem) {				\
	.name = n, .size = sz, .flags = fl, .setup = su, .call = ca,	\
	.undo = un, .teardown = teardown, .needs_v2d = v2d, .needs_vgem = vgem }

static const struct path paths[] = {
	PATH("alloc_default_1M", 1 << 20, 0, setup_none, call_alloc, undo_fd, false, false),
	PATH("alloc_order0_64K", 64 << 10, PAGEBUF_ALLOC_ORDER0, setup_none, call_alloc,
	     undo_fd, false, false),
	PATH("alloc_contig_64K", 64 << 10, PAGEBUF_ALLOC_CONTIG, setup_none, call_alloc,
	     undo_fd, false, false),
	PATH("mmap", 64 << 10, 0, setup_buf, call_mmap, undo_mmap, false, false),
	PATH("mmap_fresh_page_tables", 64 << 10, 0, setup_buf, call_mmap_fresh_tables,
	     undo_mmap, false, false),
	PATH("mmap_fresh_page_tables_4K", 4096, 0, setup_buf, call_mmap_fresh_tables,
	     undo_mmap, false, false),
	PATH("sync", 64 << 10, PAGEBUF_ALLOC_ORDER0, setup_buf, call_sync, undo_nothing,
	     false, false),
	PATH("set_name", 4096, 0, setup_buf, call_set_name, undo_nothing, false, false),
	PATH("v2d_import_attach_map_iommu", 64 << 10, PAGEBUF_ALLOC_ORDER0, setup_buf,
	     call_import, undo_import, true, false),
	PATH("v2d_import_contig_direct", 64 << 10, PAGEBUF_ALLOC_CONTIG, setup_buf,
	     call_import, undo_import, true, false),
	PATH("v2d_import_vgem", 0, 0, setup_vgem, call_import, undo_import, true, true),
	PATH("v2d_submit_fill", 64 << 10, 0, setup_two_imports, call_submit_fill, undo_job,
	     true, false),
	PATH("v2d_submit_copy_out_fence", 64 << 10, 0, setup_two_imports,
	     call_submit_copy_fence, undo_job, true, false),
	/*
	 * A failed QBUF leaves nothing behind: on any error __prepare_dmabuf()
	 * puts what it had acquired (__vb2_buf_dmabuf_put(): vunmap, detach,
	 * dma_buf_put), so the counters are compared before REQBUFS 0.
	 * vb2_vmalloc_map_dmabuf() reports any dma_buf_vmap() failure as
	 * EFAULT, whatever the exporter returned: an allocation failure in
	 * pagebuf's vmap op reaches user space as EFAULT.
	 * dma_buf_vmap() also WARN_ON_ONCE()s when the exporter's vmap op
	 * fails, for any reason: the first injected failure inside pagebuf's
	 * vmap op prints a WARNING and a call trace, once per boot.
	 */
	{ .name = "vivid_qbuf_vmap", .flags = PAGEBUF_ALLOC_ORDER0, .setup = setup_vivid,
	  .call = call_vivid_qbuf, .undo = undo_vivid_qbuf, .teardown = teardown_vivid,
	  .also_errno = EFAULT, .needs_vivid = true,
	  .warns = "a failed exporter vmap makes dma_buf_vmap() WARN once per boot; "
		   "it runs alone (--path vivid_qbuf_vmap) in a boot that expects that" },
};

/* Errnos an allocation failure may surface as, besides ENOMEM. */
static bool acceptable(const struct path *p, int err)
{
	return err == ENOMEM || err == ENOSPC || err == EMFILE || err == ENFILE ||
	       err == EAGAIN || err == EINTR || err == ENODEV ||
	       (p->also_errno && err == p->also_errno);
}

/* ---- stepping: which fault point of the call fails ------------------------ */

/* One fault attribute under /sys/kernel/debug. */
struct knobs {
	const char *name;		/* failslab, fail_page_alloc */
	void (*touch)(void);		/* one allocation or more of its kind */
	char saved[4][32];		/* probability, interval, task-filter, times */
	bool changed;			/* saved[] is to be restored */
};

/*
 * How the Nth point is armed before the call, and what is left of it
 * after: 0 when the fault was injected, > 0 when the call did not reach
 * it, < 0 on error. knobs is NULL for fail-nth.
 */
struct stepper {
	int (*arm)(const struct stepper *s, unsigned int n);
	long (*disarm)(const struct stepper *s);
	struct knobs *knobs;
};

static int fail_nth_arm(const struct stepper *s, unsigned int n)
{
	(void)s;
	return set_fail_nth(n);
}

static long fail_nth_disarm(const struct stepper *s)
{
	long left = get_fail_nth();

	(void)s;
	set_fail_nth(0);
	return left;
}

static const char *const knob_names[4] = { "probability", "interval", "task-filter", "times" };
enum { PROBABILITY, INTERVAL, TASK_FILTER, TIMES };

/*
 * The knob files are opened for every access: they cannot seek, and
 * simple_attr_read() serves a second read(2) from the first one's text.
 * Opening one allocates, so this thread's make-it-fail is 0 whenever a
 * knob is opened: only the alignment and the call are counted.
 * Only open/write/close: also called from a signal handler.
 */
static int knob_set(const struct knobs *k, int knob, const char *val)
{
	char path[80] = "/sys/kernel/debug/";
	ssize_t len = (ssize_t)strlen(val);
	int fd, ret = 0;

	strcat(strcat(strcat(path, k->name), "/"), knob_names[knob]);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

static int knob_set_u(const struct knobs *k, int knob, unsigned long val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%lu", val);
	return knob_set(k, knob, buf);
}

static int knob_get(const struct knobs *k, int knob, char *buf, size_t len)
{
	char path[80];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", k->name, knob_names[knob]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return n ? -errno : -ENODATA;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static long knob_get_l(const struct knobs *k, int knob)
{
	char buf[24];

	return knob_get(k, knob, buf, sizeof(buf)) ? -1 : strtol(buf, NULL, 10);
}

/* open() takes at least a struct file and a name buffer from the slab. */
static void touch_slab(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
}

/*
 * The first byte written into a pipe takes a page from the page
 * allocator; a new pipe each time, as a drained one keeps its page for
 * the next write.
 */
static void touch_page(void)
{
	ssize_t n;
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return;
	n = write(p[1], "", 1);
	(void)n;
	close(p[0]);
	close(p[1]);
}

static struct knobs attrs[] = {
	{ .name = "failslab", .touch = touch_slab },
	{ .name = "fail_page_alloc", .touch = touch_page },
};
#define NR_ATTRS (sizeof(attrs) / sizeof(attrs[0]))

/* /proc/thread-self/make-it-fail: 1 only while a point is armed. */
static int make_it_fail = -1;
static char make_it_fail_saved[8];

static int set_make_it_fail(const char *val)
{
	ssize_t len = (ssize_t)strlen(val);

	return pwrite(make_it_fail, val, len, 0) == len ? 0 : -errno;
}

/*
 * should_fail() fails the point where its private count reaches a
 * multiple of the interval, and counts only the points that pass the
 * task filter with times != 0. Align the count first: with interval=N
 * and times=1, make allocations of the attribute's kind until one takes
 * the failure (times reads 0, the count is a multiple of N; with times=0
 * nothing more is counted). Then times=1: the call's Nth point fails.
 * With interval=1 the count is not used and the first point fails.
 */
static int debugfs_arm(const struct stepper *s, unsigned int n)
{
	struct knobs *k = s->knobs;
	unsigned int i;
	int ret;

	ret = knob_set_u(k, INTERVAL, n);
	if (!ret)
		ret = knob_set(k, TIMES, "1");
	for (i = 0; !ret && i < 4 * n + 64; i++) {
		ret = set_make_it_fail("1");
		k->touch();
		ret = ret ? ret : set_make_it_fail("0");
		if (!ret && knob_get_l(k, TIMES) == 0) {
			ret = knob_set(k, TIMES, "1");
			return ret ? ret : set_make_it_fail("1");
		}
	}
	knob_set(k, TIMES, "0");
	return ret ? ret : -ETIMEDOUT;
}

static long debugfs_disarm(const struct stepper *s)
{
	long left;

	if (set_make_it_fail("0"))
		return -1;
	left = knob_get_l(s->knobs, TIMES);
	knob_set(s->knobs, TIMES, "0");
	return left;
}

/*
 * Put back what debugfs_setup() changed: this thread out of it first,
 * then injection off (times=0) while the others are restored, times
 * last.
 */
static void debugfs_restore(void)
{
	unsigned int i;

	if (make_it_fail >= 0)
		set_make_it_fail(make_it_fail_saved);
	for (i = 0; i < NR_ATTRS; i++) {
		struct knobs *k = &attrs[i];

		if (!k->changed)
			continue;
		knob_set(k, TIMES, "0");
		knob_set(k, PROBABILITY, k->saved[PROBABILITY]);
		knob_set(k, INTERVAL, k->saved[INTERVAL]);
		knob_set(k, TASK_FILTER, k->saved[TASK_FILTER]);
		knob_set(k, TIMES, k->saved[TIMES]);
	}
}

static void on_signal(int sig)
{
	debugfs_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int save_attr(struct knobs *k)
{
	int knob, ret;

	for (knob = 0; knob < 4; knob++) {
		ret = knob_get(k, knob, k->saved[knob], sizeof(k->saved[knob]));
		if (ret) {
			printf("not ok - faults/debugfs/setup\n# /sys/kernel/debug/%s/%s: %s\n",
			       k->name, knob_names[knob], strerror(-ret));
			return -1;
		}
	}
	k->changed = true;
	return 0;
}

/*
 * Both attributes quiet (times=0) but ready: only this thread
 * (task-filter, make-it-fail), every point it reaches (probability 100).
 */
static int debugfs_setup(void)
{
	unsigned int i;
	int ret;

	make_it_fail = open("/proc/thread-self/make-it-fail", O_RDWR | O_CLOEXEC);
	if (make_it_fail < 0 || pread(make_it_fail, make_it_fail_saved,
				      sizeof(make_it_fail_saved) - 1, 0) <= 0) {
		printf("not ok - faults/debugfs/setup\n# /proc/thread-self/make-it-fail: %s\n",
		       strerror(errno));
		return -1;
	}
	make_it_fail_saved[strcspn(make_it_fail_saved, "\n")] = 0;
	atexit(debugfs_restore);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (i = 0; i < NR_ATTRS; i++) {
		struct knobs *k = &attrs[i];

		if (save_attr(k))
			return -1;
		ret = knob_set(k, TIMES, "0");
		ret = ret ? ret : knob_set(k, TASK_FILTER, "Y");
		ret = ret ? ret : knob_set(k, PROBABILITY, "100");
		ret = ret ? ret : knob_set(k, INTERVAL, "1");
		if (ret) {
			printf("not ok - faults/debugfs/setup\n# cannot configure %s: %s\n",
			       k->name, strerror(-ret));
			return -1;
		}
	}
	return 0;
}

/* ---- the sweep ----------------------------------------------------------- */

static void not_ok(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("not ok - faults/%s\n# ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/*
 * A failed call: the fault was injected, the errno is one an allocation
 * failure may give, and the counters are as before the call.
 */
static bool check_failure(const char *name, const struct path *p, unsigned int n, int err,
			  long left, const struct counters *before)
{
	struct counters after;
	char why[160];

	if (left != 0) {
		not_ok(name, "N=%u: failed with %s, but no fault was injected", n, strerror(err));
		return false;
	}
	if (!acceptable(p, err)) {
		not_ok(name, "N=%u: the injected failure gave %s", n, strerror(err));
		return false;
	}
	/* Let a failed job's cleanup (if any) settle first. */
	usleep(1000);
	if (read_counters(&after) || !same_counters(before, &after, why, sizeof(why))) {
		not_ok(name, "N=%u: failed with %s and left %s", n, strerror(err), why);
		return false;
	}
	return true;
}

/* Step N: 1 the path is done, 0 go on, -1 failed. */
static int step(const char *name, const struct path *p, const struct stepper *s,
		unsigned int n, unsigned int *points, unsigned int *fallbacks)
{
	struct ctx c = { .buf_fd = -1, .out_fd = -1, .video_fd = -1 };
	struct counters before;
	int ret, done = -1;
	long left;

	ret = p->setup(&c, p);
	if (ret) {
		not_ok(name, "setup failed without fault injection: %s", strerror(-ret));
		goto out;
	}
	if (read_counters(&before)) {
		not_ok(name, "cannot read the counters");
		goto out;
	}
	ret = s->arm(s, n);
	if (ret) {
		not_ok(name, "N=%u: cannot arm the fault: %s", n, strerror(-ret));
		goto out;
	}
	ret = p->call(&c, p);
	left = s->disarm(s);
	if (verbose)
		fprintf(stderr, "faults: %s N=%u: %s, left %ld\n", name, n,
			ret ? strerror(-ret) : "ok", left);
	if (left < 0) {
		not_ok(name, "N=%u: cannot read back the fault", n);
	} else if (ret) {
		(*points)++;
		if (check_failure(name, p, n, -ret, left, &before))
			done = 0;
	} else {
		p->undo(&c);
		if (left == 0)
			(*fallbacks)++;
		done = left > 0;
	}
out:
	p->teardown(&c);
	return done;
}

static bool sweep(const struct path *p, const struct stepper *s)
{
	unsigned int n, points = 0, fallbacks = 0;
	char name[96];

	if (s->knobs)
		snprintf(name, sizeof(name), "debugfs/%s/%s", p->name, s->knobs->name);
	else
		snprintf(name, sizeof(name), "%s", p->name);
	for (n = 1; n <= max_n; n++) {
		int done = step(name, p, s, n, &points, &fallbacks);

		if (done < 0)
			return false;
		if (done) {
			printf("ok - faults/%s\n# %u failure points, %u survived by a fallback\n",
			       name, points, fallbacks);
			return true;
		}
	}
	not_ok(name, "still reaching allocations after %u", max_n);
	return false;
}

static const struct stepper fail_nth_stepper = {
	.arm = fail_nth_arm, .disarm = fail_nth_disarm,
};

/* Every attribute of the mode, in turn. */
static bool sweep_path(const struct path *p, bool debugfs)
{
	bool ok = true;
	unsigned int i;

	if (!debugfs)
		return sweep(p, &fail_nth_stepper);
	for (i = 0; i < NR_ATTRS; i++) {
		struct stepper s = { .arm = debugfs_arm, .disarm = debugfs_disarm,
				     .knobs = &attrs[i] };

		ok &= sweep(p, &s);
		fflush(stdout);
	}
	return ok;
}

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"Usage: faults [--mode fail-nth|debugfs] [--path NAME] [--max N] [--verbose]\n"
		"Fail the Nth allocation of each path for N = 1, 2, ...\n"
		"  --mode fail-nth  with /proc/thread-self/fail-nth (default)\n"
		"  --mode debugfs   with the knobs of /sys/kernel/debug/failslab, then\n"
		"                   of fail_page_alloc (task-filter, probability, times,\n"
		"                   interval) and /proc/thread-self/make-it-fail;\n"
		"                   restored on exit\n"
		"  --path NAME      only this path (default: all)\n"
		"  --max N          give up after N failure points (default 2000)\n"
		"  --verbose        log every step on stderr\n"
		"Needs CONFIG_FAULT_INJECTION, /dev/pagebuf; v2d paths /dev/v2d_emu,\n"
		"the vgem path /dev/dri/card0, the vivid path vivid's vmalloc instance\n"
		"(platform:vivid-000, allocators=0). A path whose failure makes the\n"
		"kernel WARN runs only when named with --path (marked *). Paths:");
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		fprintf(f, " %s%s", paths[i].name, paths[i].warns ? "*" : "");
	fprintf(f, "\n");
}

/* Why the path cannot run here, or NULL. */
static const char *missing(const struct path *p)
{
	int fd;

	if (p->needs_v2d && v2d_dev < 0)
		return "no /dev/v2d_emu";
	if (p->needs_vgem && card < 0)
		return "no /dev/dri/card0 (vgem)";
	if (p->needs_vivid) {
		fd = open_vivid_vmalloc();
		if (fd < 0)
			return "no capture node of vivid's vmalloc instance (vivid not loaded)";
		close(fd);
	}
	return NULL;
}

static int open_devices(bool debugfs)
{
	if (debugfs) {
		if (debugfs_setup())
			return -1;
	} else {
		fail_nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
		if (fail_nth < 0) {
			printf("not ok - faults/setup\n# /proc/thread-self/fail-nth: %s\n",
			       strerror(errno));
			return -1;
		}
	}
	pagebuf_dev = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	if (pagebuf_dev < 0) {
		printf("not ok - faults/setup\n# /dev/pagebuf: %s\n", strerror(errno));
		return -1;
	}
	v2d_dev = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);
	card = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	return 0;
}

int main(int argc, char **argv)
{
	const char *only = NULL, *why;
	bool ok = true, debugfs = false;
	unsigned int i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[a], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[a], "--path") && a + 1 < argc) {
			only = argv[++a];
		} else if (!strcmp(argv[a], "--max") && a + 1 < argc) {
			max_n = (unsigned int)strtoul(argv[++a], NULL, 10);
		} else if (!strcmp(argv[a], "--mode") && a + 1 < argc &&
			   (!strcmp(argv[a + 1], "fail-nth") || !strcmp(argv[a + 1], "debugfs"))) {
			debugfs = !strcmp(argv[++a], "debugfs");
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (open_devices(debugfs))
		return 1;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct path *p = &paths[i];

		if (only && strcmp(only, p->name))
			continue;
		why = missing(p);
		if (!why && !only)
			why = p->warns;
		if (why) {
			printf("ok - faults/%s%s # SKIP %s\n", debugfs ? "debugfs/" : "",
			       p->name, why);
			continue;
		}
		fflush(stdout);
		if (!sweep_path(p, debugfs))
			ok = false;
		fflush(stdout);
	}
	return ok ? 0 : 1;
}
