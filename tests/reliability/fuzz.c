// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz - seeded, reproducible random sequences of every call that reaches
 * pagebuf and v2d_emu, with random and hostile arguments.
 *
 *   fuzz [--seed N] [--calls N] [--verbose]
 *
 * Each call picks an operation and its arguments from one xorshift
 * generator seeded by --seed: the same seed gives the same sequence
 * (forked children and the kernel's own timing aside). Operations:
 * PAGEBUF_IOC_ALLOC at and around every limit (sizes, flags, fd flags,
 * struct sizes, bad pointers), GET_STATS, the classic ioctl, unknown
 * ioctls; mmap/munmap/mremap and touching the mappings (a SIGBUS or
 * SIGSEGV past a buffer's end is caught and expected); DMA_BUF_IOCTL_SYNC
 * and DMA_BUF_SET_NAME; fork; SCM_RIGHTS passing; every v2d_emu ioctl on
 * every kind of fd (pagebuf, vgem, udmabuf, dma-heap, sync_file, plain,
 * closed), jobs with random rectangles and chained in-fences; closes in
 * random order.
 *
 * What must hold: the exact errno of the pagebuf requests whose outcome
 * the arguments decide; no signal outside a mapping's touch; and, once
 * everything is closed, every live counter of both modules back at zero.
 * The kernel's side (KASAN, lockdep, kmemleak...) is the harness's to
 * check. The first line printed is the seed; a failure prints the
 * command that replays it. Exit status: 0 ok, 1 failure, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include <uapi/pagebuf.h>
#include <uapi/v2d_emu.h>

#define NFDS		48
#define NMAPS		16
#define NV2D		3
#define NHANDLES	32

enum kind { K_NONE, K_PAGEBUF, K_VGEM, K_UDMABUF, K_HEAP, K_SYNC, K_PLAIN, K_NKINDS };

static const char *const kind_name[K_NKINDS] = {
	"none", "pagebuf", "vgem", "udmabuf", "heap", "sync_file", "plain",
};

struct slot {
	int fd;
	enum kind kind;
	uint64_t size;
};

struct map {
	void *addr;
	size_t len;
	uint64_t buf_size;	/* bytes of the buffer behind it, from the offset */
};

struct v2d {
	int fd;
	uint32_t handles[NHANDLES];
	unsigned int nhandles;
};

static struct slot slots[NFDS];
static struct map maps[NMAPS];
static struct v2d v2ds[NV2D];
static int pagebuf_dev = -1, card = -1, udmabuf_dev = -1, heap_dev = -1;
static uint64_t rng_state, seed, calls, call_no;
static unsigned long max_buffer_size = 512UL << 20, quota = 1UL << 30;
static long page;
static bool verbose;
static unsigned long stat_ops[32];
static unsigned long ok_allocs, ok_imports, ok_jobs, ok_maps;

static sigjmp_buf touch_jmp;
static volatile sig_atomic_t touching;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "[%" PRIu64 "] ", call_no);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("fuzz: FAILED at call %" PRIu64 ": ", call_no);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nfuzz: reproduce with: fuzz --seed %" PRIu64 " --calls %" PRIu64 "\n",
	       seed, call_no);
	fflush(stdout);
	exit(1);
}

/* A size at or around one of the limits, or anywhere. */
static uint64_t pick_size(void)
{
	static const uint64_t fixed[] = { 0, 1, 4095, 4096, 4097, 8192, 65535, 65536,
					  65537, 1 << 20, (1 << 20) + 1, UINT32_MAX,
					  (uint64_t)UINT32_MAX + 1, INT64_MAX,
					  UINT64_MAX, UINT64_MAX - 4095 };
	uint64_t lim;

	switch (below(6)) {
	case 0:
		return fixed[below(sizeof(fixed) / sizeof(fixed[0]))];
	case 1:
		lim = chance(50) ? max_buffer_size : quota;
		return lim + below(2 * page + 1) - page;
	case 2:
		return rnd();
	default:
		/* Small buffers most of the time: they are what fits. */
		return 1 + below(chance(80) ? 16 * page : 4 << 20);
	}
}

static void *bad_pointer(void)
{
	static const uintptr_t bad[] = { 0, 1, 4096, (uintptr_t)-4096, 0x800000000000ULL };

	return (void *)bad[below(sizeof(bad) / sizeof(bad[0]))];
}

static int free_slot(void)
{
	int i, start = (int)below(NFDS);

	for (i = 0; i < NFDS; i++) {
		int s = (start + i) % NFDS;

		if (slots[s].kind == K_NONE)
			return s;
	}
	return -1;
}

static void slot_close(int s)
{
	if (slots[s].kind == K_NONE)
		return;
	if (close(slots[s].fd))
		failf("close(%d) of a %s: %s", slots[s].fd, kind_name[slots[s].kind],
		      strerror(errno));
	slots[s].kind = K_NONE;
	slots[s].fd = -1;
}

/* Keep @fd in a slot (closing a random one if all are taken). */
static void keep(int fd, enum kind kind, uint64_t size)
{
	int s = free_slot();

	if (s < 0) {
		s = (int)below(NFDS);
		slot_close(s);
	}
	slots[s].fd = fd;
	slots[s].kind = kind;
	slots[s].size = size;
}

/* Any fd: a live one of any kind, a closed number, -1, or a device. */
static int pick_fd(enum kind *kind, uint64_t *size)
{
	int s = (int)below(NFDS);

	*kind = K_NONE;
	*size = 0;
	switch (below(10)) {
	case 0:
		return chance(50) ? -1 : 1000 + (int)below(50);
	case 1:
		return pagebuf_dev;
	default:
		if (slots[s].kind == K_NONE)
			return slots[s].fd < 0 ? 999 : slots[s].fd;
		*kind = slots[s].kind;
		*size = slots[s].size;
		return slots[s].fd;
	}
}

/* A job's out-fence, to chain the next job on; else any fd. */
static int pick_sync(void)
{
	int i, start = (int)below(NFDS);
	enum kind kind;
	uint64_t size;

	for (i = 0; i < NFDS; i++) {
		int s = (start + i) % NFDS;

		if (slots[s].kind == K_SYNC)
			return slots[s].fd;
	}
	return pick_fd(&kind, &size);
}

/* ---- pagebuf ------------------------------------------------------------- */

static void op_pagebuf_alloc(void)
{
	unsigned char raw[sizeof(struct pagebuf_alloc) + 16];
	struct pagebuf_alloc *req = (struct pagebuf_alloc *)raw;
	static const uint32_t fdf[] = { O_RDWR, O_RDWR | O_CLOEXEC, O_RDONLY, O_WRONLY,
					O_ACCMODE, O_NONBLOCK, O_RDWR | O_APPEND };
	size_t usize = sizeof(*req);
	int want = 0, ret, err;
	unsigned long cmd;
	void *arg = raw;

	memset(raw, 0, sizeof(raw));
	req->size = pick_size();
	req->fd_flags = chance(85) ? fdf[below(2)] : fdf[below(7)];
	req->flags = chance(80) ? (uint32_t)below(3) : (uint32_t)rnd();
	if (chance(20))
		snprintf(req->name, sizeof(req->name), "fz%" PRIu64, call_no);
	if (chance(3))
		memset(req->name, 'x', sizeof(req->name));
	if (chance(3))
		req->reserved = rnd() | 1;
	switch (below(12)) {
	case 0:
		usize = PAGEBUF_ALLOC_SIZE_VER0;
		break;
	case 1:
		usize = sizeof(raw);
		if (chance(50))
			raw[sizeof(raw) - 1] = 1;	/* unknown non-zero tail: E2BIG */
		break;
	case 2:
		usize = below(PAGEBUF_ALLOC_SIZE_VER0);
		break;
	}
	cmd = _IOC(_IOC_READ | _IOC_WRITE, PAGEBUF_IOC_MAGIC, 1, usize);
	if (chance(3))
		arg = bad_pointer();

	/* The errno the arguments decide, checked in the module's order. */
	if (arg != raw)
		want = EFAULT;
	else if (usize < PAGEBUF_ALLOC_SIZE_VER0)
		want = EINVAL;
	else if (usize > sizeof(*req) && raw[sizeof(raw) - 1])
		want = E2BIG;
	else if ((req->flags & ~PAGEBUF_ALLOC_VALID_FLAGS) ||
		 (req->flags & PAGEBUF_ALLOC_POLICY_MASK) == PAGEBUF_ALLOC_POLICY_MASK ||
		 (req->fd_flags & ~(O_CLOEXEC | O_ACCMODE)) ||
		 (req->fd_flags & O_ACCMODE) == O_ACCMODE ||
		 (usize >= sizeof(*req) && (req->reserved ||
					    !memchr(req->name, 0, sizeof(req->name)))) ||
		 !req->size)
		want = EINVAL;
	else if (req->size > (max_buffer_size & ~(uint64_t)(page - 1)))
		want = EFBIG;

	ret = ioctl(pagebuf_dev, cmd, arg);
	err = ret < 0 ? errno : 0;
	note("alloc size=%" PRIu64 " flags=%#x fd_flags=%#x usize=%zu -> %d %s",
	     req->size, req->flags, req->fd_flags, usize, ret, err ? strerror(err) : "");
	if (want == EFAULT) {
		if (!err)
			failf("ALLOC with a bad pointer succeeded");
		return;
	}
	if (want) {
		if (err != want)
			failf("ALLOC size=%" PRIu64 " flags=%#x fd_flags=%#x usize=%zu: %s, expected %s",
			      req->size, req->flags, req->fd_flags, usize,
			      err ? strerror(err) : "success", strerror(want));
		return;
	}
	if (err) {
		if (err != ENOSPC && err != ENOMEM && err != EMFILE && err != EFBIG)
			failf("valid ALLOC size=%" PRIu64 " failed: %s", req->size, strerror(err));
		return;
	}
	ok_allocs++;
	keep(req->fd, K_PAGEBUF, (req->size + page - 1) & ~(uint64_t)(page - 1));
}

static void op_pagebuf_misc(void)
{
	struct pagebuf_stats st;
	int fd;

	switch (below(4)) {
	case 0:
		if (ioctl(pagebuf_dev, PAGEBUF_IOC_GET_STATS, chance(10) ? bad_pointer() : &st) < 0 &&
		    errno != EFAULT)
			failf("GET_STATS: %s", strerror(errno));
		break;
	case 1:
		/*
		 * The demo buffer outlives every fd (the module owns it): a
		 * job's fence left on it would stay counted at the end.
		 */
		if (ioctl(pagebuf_dev, PAGEBUF_IOC_CLASSIC_GET_FD, &fd) == 0)
			close(fd);
		break;
	case 2:
		/* Unknown commands: ENOTTY, never anything else. */
		if (ioctl(pagebuf_dev, _IOC(below(4), below(256), below(256), below(128)),
			  &st) == 0)
			note("unknown ioctl accepted");
		break;
	default: {
		char buf[64];

		if (pread(pagebuf_dev, buf, below(sizeof(buf)), (off_t)below(64)) < 0 &&
		    errno != EINVAL && errno != EFAULT)
			note("read: %s", strerror(errno));
		break;
	}
	}
}

/* ---- other exporters ---------------------------------------------------- */

static void op_other_exporter(void)
{
	switch (below(3)) {
	case 0: {
		struct drm_mode_create_dumb dumb = { 0 };
		struct drm_prime_handle prime = { 0 };
		struct drm_gem_close gc = { 0 };

		if (card < 0)
			return;
		dumb.width = 1 + below(256);
		dumb.height = 1 + below(64);
		dumb.bpp = 32;
		if (ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
			return;
		prime.handle = dumb.handle;
		prime.flags = DRM_CLOEXEC | DRM_RDWR;
		if (ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime) == 0)
			keep(prime.fd, K_VGEM, dumb.size);
		gc.handle = dumb.handle;
		if (ioctl(card, DRM_IOCTL_GEM_CLOSE, &gc))
			failf("GEM_CLOSE: %s", strerror(errno));
		break;
	}
	case 1: {
		struct udmabuf_create c = { 0 };
		size_t size = page * (1 + below(8));
		int memfd, fd;

		if (udmabuf_dev < 0)
			return;
		memfd = memfd_create("fuzz", MFD_ALLOW_SEALING);
		if (memfd < 0)
			return;
		if (ftruncate(memfd, size) == 0 &&
		    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) == 0) {
			c.memfd = memfd;
			c.flags = UDMABUF_FLAGS_CLOEXEC;
			c.size = chance(90) ? size : pick_size();
			fd = ioctl(udmabuf_dev, UDMABUF_CREATE, &c);
			if (fd >= 0)
				keep(fd, K_UDMABUF, c.size);
		}
		close(memfd);
		break;
	}
	default: {
		struct dma_heap_allocation_data a = { 0 };

		if (heap_dev < 0)
			return;
		/*
		 * Small, or hostile sizes the heap core refuses before
		 * allocating (0, and U64_MAX, which rounds up to 0). The
		 * system heap has no quota: it allocates any other size
		 * until the OOM killer stops it.
		 */
		a.len = chance(90) ? page * (1 + below(16)) :
			(uint64_t[]){ 0, 1, UINT64_MAX }[below(3)];
		a.fd_flags = O_RDWR | O_CLOEXEC;
		if (ioctl(heap_dev, DMA_HEAP_IOCTL_ALLOC, &a) == 0)
			keep(a.fd, K_HEAP, a.len);
		break;
	}
	}
}

/* ---- mappings ------------------------------------------------------------ */

static void on_fault(int sig)
{
	if (touching)
		siglongjmp(touch_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void map_drop(int m)
{
	if (!maps[m].addr)
		return;
	if (munmap(maps[m].addr, maps[m].len))
		failf("munmap: %s", strerror(errno));
	maps[m].addr = NULL;
}

static void op_mmap(void)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_WRITE, PROT_NONE };
	int m = (int)below(NMAPS), fd, prot;
	uint64_t size, off;
	enum kind kind;
	size_t len;
	void *p;

	fd = pick_fd(&kind, &size);
	len = chance(85) ? page * (1 + below(size ? (size + page - 1) / page + 1 : 8))
			 : (size_t)pick_size();
	off = chance(80) ? 0 : page * below(4);
	prot = prots[below(4)];
	p = mmap(NULL, len, prot, chance(90) ? MAP_SHARED : MAP_PRIVATE, fd, (off_t)off);
	note("mmap fd=%d (%s) len=%zu off=%" PRIu64 " -> %p", fd, kind_name[kind], len, off,
	     p == MAP_FAILED ? NULL : p);
	if (p == MAP_FAILED)
		return;
	ok_maps++;
	map_drop(m);
	maps[m].addr = p;
	maps[m].len = len;
	maps[m].buf_size = size > off ? size - off : 0;
}

static void op_touch(void)
{
	int m = (int)below(NMAPS), sig;
	volatile unsigned char *p;
	volatile size_t off;

	if (!maps[m].addr)
		return;
	p = maps[m].addr;
	off = (size_t)below(maps[m].len);
	touching = 1;
	sig = sigsetjmp(touch_jmp, 1);
	if (!sig) {
		if (chance(50))
			p[off] = (unsigned char)call_no;
		else
			(void)p[off];
	}
	touching = 0;
	note("touch map %d at %zu of %zu: %s", m, off, maps[m].len, sig ? strsignal(sig) : "ok");
}

static void op_mremap(void)
{
	int m = (int)below(NMAPS);
	size_t len;
	void *p;

	if (!maps[m].addr)
		return;
	if (chance(30)) {
		map_drop(m);
		return;
	}
	len = page * (1 + below(maps[m].len / page + 2));
	p = mremap(maps[m].addr, maps[m].len, len, MREMAP_MAYMOVE);
	note("mremap %zu -> %zu: %s", maps[m].len, len, p == MAP_FAILED ? strerror(errno) : "ok");
	if (p == MAP_FAILED)
		return;
	maps[m].addr = p;
	maps[m].len = len;
}

/* ---- dma-buf ioctls ------------------------------------------------------ */

static void op_dmabuf_ioctl(void)
{
	static const uint64_t sflags[] = {
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
		0, DMA_BUF_SYNC_START, 0x80, UINT64_MAX,
	};
	struct dma_buf_sync sync;
	uint64_t size;
	enum kind kind;
	char name[64];
	int fd, ret;

	fd = pick_fd(&kind, &size);
	switch (below(4)) {
	case 0:
	case 1:
		sync.flags = sflags[below(sizeof(sflags) / sizeof(sflags[0]))];
		/*
		 * udmabuf (6.12) maps its CPU-access table in the direction
		 * of the first SYNC and syncs later ones in theirs, which
		 * DMA-API debug reports against udmabuf; the fuzzer is after
		 * our modules, so udmabuf gets one direction only.
		 */
		if (kind == K_UDMABUF && (sync.flags & DMA_BUF_SYNC_RW))
			sync.flags |= DMA_BUF_SYNC_RW;
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, chance(5) ? bad_pointer() : &sync);
		note("SYNC %s %#llx -> %d", kind_name[kind], (unsigned long long)sync.flags, ret);
		break;
	case 2:
		memset(name, 'n', sizeof(name));
		name[below(sizeof(name))] = 0;
		if (chance(10))
			name[sizeof(name) - 1] = 'z';
		ret = ioctl(fd, DMA_BUF_SET_NAME, chance(10) ? bad_pointer() : name);
		note("SET_NAME %s -> %d", kind_name[kind], ret);
		break;
	default: {
		struct pollfd pfd = { .fd = fd, .events = chance(50) ? POLLIN : POLLOUT };

		ret = poll(&pfd, 1, 0);
		(void)ret;
		break;
	}
	}
}

/* ---- v2d_emu --------------------------------------------------------------- */

static struct v2d *pick_v2d(void)
{
	struct v2d *v = &v2ds[below(NV2D)];

	if (v->fd < 0) {
		v->fd = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);
		v->nhandles = 0;
	}
	return v->fd < 0 ? NULL : v;
}

static uint32_t pick_handle(struct v2d *v)
{
	if (v->nhandles && chance(90))
		return v->handles[below(v->nhandles)];
	return (uint32_t)(chance(50) ? below(4) : rnd());
}

static void pick_surface(struct v2d_surface *s, struct v2d *v)
{
	s->handle = pick_handle(v);
	/* Half of them fit any buffer of a page or more: jobs that run. */
	if (chance(50)) {
		s->stride = 64;
		s->offset = 0;
		s->x = (uint32_t)below(4);
		s->y = (uint32_t)below(4);
		s->width = (uint32_t)(1 + below(8));
		s->height = (uint32_t)(1 + below(8));
		return;
	}
	s->stride = chance(80) ? (uint32_t)(4 * (1 + below(64))) : (uint32_t)rnd();
	s->offset = chance(80) ? below(page) : rnd();
	s->x = chance(80) ? (uint32_t)below(8) : (uint32_t)rnd();
	s->y = chance(80) ? (uint32_t)below(8) : (uint32_t)rnd();
	s->width = chance(90) ? (uint32_t)(1 + below(16)) : (uint32_t)rnd();
	s->height = chance(90) ? (uint32_t)(1 + below(16)) : (uint32_t)rnd();
}

static void op_v2d(void)
{
	struct v2d *v = pick_v2d();
	uint64_t size;
	enum kind kind;

	if (!v)
		return;
	switch (below(8)) {
	case 0:
	case 1: {
		struct v2d_import imp = { 0 };

		imp.fd = pick_fd(&kind, &size);
		imp.flags = chance(95) ? 0 : (uint32_t)rnd();
		if (ioctl(v->fd, V2D_IOC_IMPORT, chance(3) ? bad_pointer() : &imp) == 0) {
			ok_imports++;
			if (v->nhandles < NHANDLES)
				v->handles[v->nhandles++] = imp.handle;
		}
		note("import %s -> %s", kind_name[kind], strerror(errno));
		break;
	}
	case 2: {
		struct v2d_release rel = { .handle = pick_handle(v) };
		unsigned int i;

		if (ioctl(v->fd, V2D_IOC_RELEASE, &rel) == 0) {
			for (i = 0; i < v->nhandles; i++)
				if (v->handles[i] == rel.handle)
					v->handles[i] = v->handles[--v->nhandles];
		}
		break;
	}
	case 3: {
		struct v2d_query q = { .handle = pick_handle(v) };

		(void)ioctl(v->fd, V2D_IOC_QUERY, chance(5) ? bad_pointer() : &q);
		break;
	}
	case 4: {
		struct v2d_stats st;

		if (ioctl(v->fd, V2D_IOC_GET_STATS, &st))
			failf("V2D GET_STATS: %s", strerror(errno));
		break;
	}
	case 5:
		if (chance(20)) {
			/* Closing a file cancels its queued jobs. */
			close(v->fd);
			v->fd = -1;
			v->nhandles = 0;
		}
		break;
	default: {
		struct v2d_submit req = { 0 };
		static const uint32_t cpps[] = { 1, 2, 4, 3, 0 };
		static const uint32_t rots[] = { 90, 180, 270, 0, 45 };

		req.op = chance(95) ? (uint32_t)(1 + below(3)) : (uint32_t)rnd();
		req.cpp = chance(90) ? cpps[below(3)] : cpps[below(5)];
		if (req.op == V2D_OP_ROTATE) {
			req.cpp = chance(90) ? 4 : req.cpp;
			req.rotation = rots[below(chance(90) ? 3 : 5)];
		}
		if (req.op == V2D_OP_FILL)
			req.value = (uint32_t)rnd();
		pick_surface(&req.dst, v);
		if (req.op != V2D_OP_FILL) {
			pick_surface(&req.src, v);
			if (chance(70)) {
				if (req.op == V2D_OP_ROTATE && req.rotation != 180) {
					req.src.width = req.dst.height;
					req.src.height = req.dst.width;
				} else {
					req.src.width = req.dst.width;
					req.src.height = req.dst.height;
				}
			}
		}
		if (chance(60))
			req.flags |= V2D_SUBMIT_OUT_FENCE;
		if (chance(30)) {
			req.flags |= V2D_SUBMIT_IN_FENCE;
			req.in_fence_fd = chance(80) ? pick_sync() : pick_fd(&kind, &size);
		}
		/* Rare: a hung job holds the engine until the watchdog fires. */
		if (!below(1000))
			req.flags |= V2D_SUBMIT_HANG;
		if (chance(2))
			req.flags |= 1U << below(32);
		if (chance(2))
			req.reserved = 1;
		if (ioctl(v->fd, V2D_IOC_SUBMIT, chance(3) ? bad_pointer() : &req) == 0) {
			ok_jobs++;
			if (req.flags & V2D_SUBMIT_OUT_FENCE)
				keep(req.out_fence_fd, K_SYNC, 0);
		}
		note("submit op=%u flags=%#x -> %s", req.op, req.flags, strerror(errno));
		break;
	}
	}
}

/* ---- processes and fd passing ------------------------------------------------ */

/* A child shares the fds and mappings: it syncs, maps, closes and exits. */
static void op_fork(void)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		int i;

		rng_state ^= 0x9E3779B97F4A7C15ULL;
		for (i = 0; i < 8; i++) {
			switch (below(3)) {
			case 0:
				op_dmabuf_ioctl();
				break;
			case 1:
				op_touch();
				break;
			default:
				close(slots[below(NFDS)].fd);
				break;
			}
		}
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		failf("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		failf("forked child died: status %#x", status);
}

static void op_scm_rights(void)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msghdr msg = { 0 };
	struct cmsghdr *cmsg;
	struct iovec iov;
	uint64_t size;
	enum kind kind;
	int sv[2], fd, got;
	char byte = 'x';

	fd = pick_fd(&kind, &size);
	if (kind == K_NONE || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	if (sendmsg(sv[0], &msg, 0) != 1)
		failf("sendmsg SCM_RIGHTS of a %s: %s", kind_name[kind], strerror(errno));
	/* Half the time the fd dies in flight, with the socket. */
	if (chance(50)) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_controllen = sizeof(cbuf);
		if (recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) != 1)
			failf("recvmsg: %s", strerror(errno));
		cmsg = CMSG_FIRSTHDR(&msg);
		if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
			failf("no fd received");
		memcpy(&got, CMSG_DATA(cmsg), sizeof(int));
		keep(got, kind, size);
	}
	close(sv[0]);
	close(sv[1]);
}

static void op_close(void)
{
	int s = (int)below(NFDS);

	if (chance(20)) {
		int fd = dup(slots[s].fd);

		if (fd >= 0)
			keep(fd, slots[s].kind, slots[s].size);
		return;
	}
	slot_close(s);
}

/* ---- main ------------------------------------------------------------------- */

static unsigned long read_param(const char *path, unsigned long dflt)
{
	unsigned long v;
	FILE *f = fopen(path, "r");

	if (!f)
		return dflt;
	if (fscanf(f, "%lu", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

static void close_everything(void)
{
	int i;

	for (i = 0; i < NMAPS; i++)
		map_drop(i);
	for (i = 0; i < NFDS; i++)
		slot_close(i);
	for (i = 0; i < NV2D; i++)
		if (v2ds[i].fd >= 0) {
			close(v2ds[i].fd);
			v2ds[i].fd = -1;
		}
}

/* Everything is closed: both modules' live counters are back at zero. */
static void check_counters(void)
{
	struct pagebuf_stats ps;
	struct v2d_stats vs;
	int fd, tries;

	if (ioctl(pagebuf_dev, PAGEBUF_IOC_GET_STATS, &ps))
		failf("GET_STATS: %s", strerror(errno));
	if (ps.live_buffers || ps.live_bytes || ps.live_attachments || ps.live_mappings ||
	    ps.live_vmaps)
		failf("pagebuf counters not zero at the end: buffers %llu bytes %llu attachments %llu mappings %llu vmaps %llu",
		      (unsigned long long)ps.live_buffers, (unsigned long long)ps.live_bytes,
		      (unsigned long long)ps.live_attachments,
		      (unsigned long long)ps.live_mappings, (unsigned long long)ps.live_vmaps);
	fd = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	/* Fences of cancelled jobs may still be signalling. */
	for (tries = 0; tries < 100; tries++) {
		if (ioctl(fd, V2D_IOC_GET_STATS, &vs))
			failf("V2D GET_STATS: %s", strerror(errno));
		if (!vs.live_imports && !vs.live_jobs && !vs.live_fences && !vs.mapped_pages)
			break;
		usleep(100000);
	}
	close(fd);
	if (vs.live_imports || vs.live_jobs || vs.live_fences || vs.mapped_pages)
		failf("v2d counters not zero at the end: imports %llu jobs %llu fences %llu pages %llu",
		      (unsigned long long)vs.live_imports, (unsigned long long)vs.live_jobs,
		      (unsigned long long)vs.live_fences, (unsigned long long)vs.mapped_pages);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: fuzz [--seed N] [--calls N] [--verbose]\n"
		"Random, reproducible sequences of pagebuf, v2d_emu and dma-buf calls.\n"
		"  --seed N     generator seed (default: from the clock; always printed)\n"
		"  --calls N    number of calls (default 10000; the long run is 1000000)\n"
		"  --verbose    log every call on stderr\n"
		"Needs /dev/pagebuf; uses /dev/v2d_emu, /dev/dri/card0, /dev/udmabuf and\n"
		"/dev/dma_heap/system when present. Exit: 0 ok, 1 failure, 2 usage.\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && *s && !*end;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { 0 };
	struct timespec ts;
	unsigned int i;
	int a;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = (uint64_t)ts.tv_sec * 1000003 ^ (uint64_t)ts.tv_nsec;
	calls = 10000;
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[a], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			if (!parse_u64(argv[++a], &seed))
				goto bad;
		} else if (!strcmp(argv[a], "--calls") && a + 1 < argc) {
			if (!parse_u64(argv[++a], &calls))
				goto bad;
		} else {
			goto bad;
		}
	}
	rng_state = seed ? seed : 1;
	printf("fuzz: seed %" PRIu64 ", %" PRIu64 " calls\n", seed, calls);
	fflush(stdout);

	page = sysconf(_SC_PAGESIZE);
	max_buffer_size = read_param("/sys/module/pagebuf/parameters/max_buffer_size",
				     max_buffer_size);
	quota = read_param("/sys/module/pagebuf/parameters/quota", quota);
	pagebuf_dev = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	if (pagebuf_dev < 0) {
		printf("fuzz: open /dev/pagebuf: %s\n", strerror(errno));
		return 1;
	}
	card = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	udmabuf_dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	heap_dev = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < NFDS; i++)
		slots[i].fd = -1;
	for (i = 0; i < NV2D; i++)
		v2ds[i].fd = -1;

	sa.sa_handler = on_fault;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) || sigaction(SIGSEGV, &sa, NULL))
		return 1;
	signal(SIGPIPE, SIG_IGN);

	for (call_no = 1; call_no <= calls; call_no++) {
		unsigned int op = (unsigned int)below(100);

		if (op < 20)
			op_pagebuf_alloc(), stat_ops[0]++;
		else if (op < 25)
			op_pagebuf_misc(), stat_ops[1]++;
		else if (op < 30)
			op_other_exporter(), stat_ops[2]++;
		else if (op < 40)
			op_mmap(), stat_ops[3]++;
		else if (op < 48)
			op_touch(), stat_ops[4]++;
		else if (op < 52)
			op_mremap(), stat_ops[5]++;
		else if (op < 62)
			op_dmabuf_ioctl(), stat_ops[6]++;
		else if (op < 82)
			op_v2d(), stat_ops[7]++;
		else if (op < 83)
			op_fork(), stat_ops[8]++;
		else if (op < 86)
			op_scm_rights(), stat_ops[9]++;
		else
			op_close(), stat_ops[10]++;
	}
	close_everything();
	check_counters();
	printf("fuzz: ok: seed %" PRIu64 ", %" PRIu64 " calls (alloc %lu, pagebuf %lu, other exporters %lu, mmap %lu, touch %lu, mremap %lu, dma-buf ioctls %lu, v2d %lu, fork %lu, scm_rights %lu, close %lu)\n",
	       seed, calls, stat_ops[0], stat_ops[1], stat_ops[2], stat_ops[3], stat_ops[4],
	       stat_ops[5], stat_ops[6], stat_ops[7], stat_ops[8], stat_ops[9], stat_ops[10]);
	printf("fuzz: succeeded: %lu allocations, %lu mmaps, %lu v2d imports, %lu v2d jobs\n",
	       ok_allocs, ok_maps, ok_imports, ok_jobs);
	if (card >= 0)
		close(card);
	if (udmabuf_dev >= 0)
		close(udmabuf_dev);
	if (heap_dev >= 0)
		close(heap_dev);
	close(pagebuf_dev);
	return 0;

bad:
	usage(stderr);
	return 2;
}
