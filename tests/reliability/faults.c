// SPDX-License-Identifier: GPL-2.0
/*
 * faults - make the Nth allocation of a call fail, for N = 1, 2, ... until
 * the call gets through without reaching its Nth allocation, on every
 * path of pagebuf and v2d_emu that allocates.
 *
 *   faults [--path NAME] [--max N] [--verbose]
 *
 * Mechanism: /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION) fails the
 * Nth fault-injection point this thread reaches, slab (failslab) or page
 * allocator (fail_page_alloc), whatever the probability settings; the
 * caller (the guest suite) sets both to fail even order-0, highmem and
 * sleeping allocations, silently. Only this thread is affected.
 *
 * For each N: the counters of both modules are read, the call is made
 * with fail-nth = N, and then
 *   - failed: the errno must be one an allocation failure may give
 *     (ENOMEM, or what the path documents), and every counter must be
 *     as before: nothing half-made is left behind;
 *   - succeeded with the fault consumed: an allocation with a fallback
 *     (a high order tried first); undone, and the sweep goes on;
 *   - fail-nth still pending: the call made fewer than N allocations;
 *     the path is done.
 * The kernel's side (KASAN, kmemleak, lockdep) is checked by the harness.
 *
 * Prints one suite line per path: "ok - faults/PATH" with the number of
 * failure points, or "not ok - faults/PATH" with diagnostics. Exit
 * status: 0 when every path passed, 1 otherwise, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
};

struct path {
	const char *name;
	size_t size;		/* buffer size the setup allocates */
	uint32_t flags;		/* its pagebuf policy */
	int (*setup)(struct ctx *c, const struct path *p);
	int (*call)(struct ctx *c, const struct path *p);	/* 0 or -errno */
	void (*undo)(struct ctx *c);		/* undo a successful call */
	void (*teardown)(struct ctx *c);
	bool needs_v2d, needs_vgem;
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
};

/* Errnos an allocation failure may surface as, besides ENOMEM. */
static bool acceptable(int err)
{
	return err == ENOMEM || err == ENOSPC || err == EMFILE || err == ENFILE ||
	       err == EAGAIN || err == EINTR || err == ENODEV;
}

static bool sweep(const struct path *p)
{
	unsigned int n, points = 0, fallbacks = 0;
	struct counters before, after;
	char why[160];

	for (n = 1; n <= max_n; n++) {
		struct ctx c = { .buf_fd = -1, .out_fd = -1 };
		long left;
		int ret;

		ret = p->setup(&c, p);
		if (ret) {
			printf("not ok - faults/%s\n# setup failed without fault injection: %s\n",
			       p->name, strerror(-ret));
			p->teardown(&c);
			return false;
		}
		if (read_counters(&before)) {
			printf("not ok - faults/%s\n# cannot read the counters\n", p->name);
			return false;
		}
		if (set_fail_nth(n)) {
			printf("not ok - faults/%s\n# cannot write fail-nth\n", p->name);
			return false;
		}
		ret = p->call(&c, p);
		left = get_fail_nth();
		set_fail_nth(0);
		if (verbose)
			fprintf(stderr, "faults: %s N=%u: %s, fail-nth left %ld\n", p->name, n,
				ret ? strerror(-ret) : "ok", left);
		if (ret) {
			if (left != 0) {
				printf("not ok - faults/%s\n# N=%u: failed with %s, but no fault was injected\n",
				       p->name, n, strerror(-ret));
				p->teardown(&c);
				return false;
			}
			points++;
			if (!acceptable(-ret)) {
				printf("not ok - faults/%s\n# N=%u: the injected failure gave %s\n",
				       p->name, n, strerror(-ret));
				p->teardown(&c);
				return false;
			}
			/* Let a failed job's cleanup (if any) settle first. */
			usleep(1000);
			if (read_counters(&after) ||
			    !same_counters(&before, &after, why, sizeof(why))) {
				printf("not ok - faults/%s\n# N=%u: failed with %s and left %s\n",
				       p->name, n, strerror(-ret), why);
				p->teardown(&c);
				return false;
			}
		} else {
			p->undo(&c);
			if (left == 0)
				fallbacks++;
		}
		p->teardown(&c);
		if (!ret && left > 0) {
			printf("ok - faults/%s\n# %u failure points, %u survived by a fallback\n",
			       p->name, points, fallbacks);
			return true;
		}
	}
	printf("not ok - faults/%s\n# still reaching allocations after %u\n", p->name, max_n);
	return false;
}

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"Usage: faults [--path NAME] [--max N] [--verbose]\n"
		"Fail the Nth allocation of each path for N = 1, 2, ... (fail-nth).\n"
		"  --path NAME  only this path (default: all)\n"
		"  --max N      give up after N failure points (default 2000)\n"
		"  --verbose    log every step on stderr\n"
		"Needs CONFIG_FAULT_INJECTION, /dev/pagebuf; v2d paths /dev/v2d_emu,\n"
		"the vgem path /dev/dri/card0. Paths:");
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		fprintf(f, " %s", paths[i].name);
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	bool ok = true;
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
		} else {
			usage(stderr);
			return 2;
		}
	}
	fail_nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fail_nth < 0) {
		printf("not ok - faults/setup\n# /proc/thread-self/fail-nth: %s\n", strerror(errno));
		return 1;
	}
	pagebuf_dev = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	if (pagebuf_dev < 0) {
		printf("not ok - faults/setup\n# /dev/pagebuf: %s\n", strerror(errno));
		return 1;
	}
	v2d_dev = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);
	card = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct path *p = &paths[i];

		if (only && strcmp(only, p->name))
			continue;
		if (p->needs_v2d && v2d_dev < 0) {
			printf("ok - faults/%s # SKIP /dev/v2d_emu: %s\n", p->name, strerror(ENOENT));
			continue;
		}
		if (p->needs_vgem && card < 0) {
			printf("ok - faults/%s # SKIP no /dev/dri/card0 (vgem)\n", p->name);
			continue;
		}
		fflush(stdout);
		if (!sweep(p))
			ok = false;
		fflush(stdout);
	}
	return ok ? 0 : 1;
}
