// SPDX-License-Identifier: GPL-2.0
/*
 * soak - several threads, for a while, mixing everything at once:
 * allocations, mmap and touching, vgem buffers, v2d imports and jobs with
 * chained fences, DMA_BUF_IOCTL_SYNC, and closes in any order.
 *
 *   soak [--threads N] [--seconds S] [--seed N]
 *
 * Every thread owns its fds and one /dev/v2d_emu file. Besides its own
 * buffers, each imports NSHARED buffers that all threads share, and
 * copies and fills among them in any order, waiting on other threads'
 * jobs through in-fences: the contention mix, where the engine's
 * reservation locking backs off and jobs of different files depend on
 * each other. No job may time out (none is told to hang). Afterwards
 * every fd is closed and both modules' live counters must be back at
 * zero. Exit: 0 ok, 1 failure, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <linux/dma-buf.h>

#include <uapi/pagebuf.h>
#include <uapi/v2d_emu.h>

#define NBUF	8
#define W	64
#define H	16
#define STRIDE	(W * 4)
#define BUFSZ	(STRIDE * H)

#define NSHARED	3

static int pagebuf_dev = -1, card = -1;
static atomic_bool failed, stop;
static int shared_fds[NSHARED];
/* The newest job on the shared buffers, for others to wait on. */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static int shared_fence = -1;
static atomic_ulong total_ops, total_jobs;
static uint64_t seed;

struct buf {
	int fd;
	uint32_t handle;
	void *map;
};

struct worker {
	pthread_t tid;
	unsigned int id;
	uint64_t rng;
	int v2d;
	struct buf bufs[NBUF];
	uint32_t shared[NSHARED];	/* handles of the shared buffers */
	int fence;		/* last out-fence, chained into the next job */
};

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545F4914F6CDD1DULL;
}

static void fail(struct worker *w, const char *what, int err)
{
	printf("soak: thread %u: %s: %s\n", w->id, what, strerror(err));
	fflush(stdout);
	atomic_store(&failed, true);
	atomic_store(&stop, true);
}

static void buf_drop(struct worker *w, struct buf *b)
{
	if (b->map)
		munmap(b->map, BUFSZ);
	if (b->handle) {
		struct v2d_release rel = { .handle = b->handle };

		if (ioctl(w->v2d, V2D_IOC_RELEASE, &rel))
			fail(w, "V2D_IOC_RELEASE", errno);
	}
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	b->handle = 0;
	b->map = NULL;
}

static int vgem_fd(void)
{
	struct drm_mode_create_dumb dumb = { .width = W, .height = H, .bpp = 32 };
	struct drm_prime_handle prime = { 0 };
	struct drm_gem_close gc = { 0 };
	int ret;

	if (card < 0 || ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		return -1;
	prime.handle = dumb.handle;
	prime.flags = DRM_CLOEXEC | DRM_RDWR;
	ret = ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime) ? -1 : prime.fd;
	gc.handle = dumb.handle;
	ioctl(card, DRM_IOCTL_GEM_CLOSE, &gc);
	return ret;
}

static void buf_make(struct worker *w, struct buf *b)
{
	static const uint32_t policies[] = { 0, PAGEBUF_ALLOC_ORDER0, PAGEBUF_ALLOC_CONTIG };
	struct pagebuf_alloc req = { .size = BUFSZ, .fd_flags = O_RDWR | O_CLOEXEC };
	struct v2d_import imp = { 0 };

	buf_drop(w, b);
	if (rnd(w) % 4 == 0) {
		b->fd = vgem_fd();
	} else {
		req.flags = policies[rnd(w) % 3];
		if (ioctl(pagebuf_dev, PAGEBUF_IOC_ALLOC, &req)) {
			if (errno != ENOMEM && errno != ENOSPC)
				fail(w, "PAGEBUF_IOC_ALLOC", errno);
			return;
		}
		b->fd = req.fd;
	}
	if (b->fd < 0)
		return;
	imp.fd = b->fd;
	if (ioctl(w->v2d, V2D_IOC_IMPORT, &imp)) {
		if (errno != ENOMEM && errno != ENOSPC)
			fail(w, "V2D_IOC_IMPORT", errno);
		return;
	}
	b->handle = imp.handle;
}

static void job(struct worker *w)
{
	struct buf *s = &w->bufs[rnd(w) % NBUF], *d = &w->bufs[rnd(w) % NBUF];
	struct v2d_surface surf = { .stride = STRIDE, .width = W, .height = H };
	struct v2d_submit req = { .cpp = 4, .flags = V2D_SUBMIT_OUT_FENCE };

	if (!d->handle)
		return;
	req.dst = surf;
	req.dst.handle = d->handle;
	if (s->handle && s != d && rnd(w) % 2) {
		req.op = V2D_OP_COPY;
		req.src = surf;
		req.src.handle = s->handle;
	} else {
		req.op = V2D_OP_FILL;
		req.value = (uint32_t)rnd(w);
	}
	if (w->fence >= 0) {
		req.flags |= V2D_SUBMIT_IN_FENCE;
		req.in_fence_fd = w->fence;
	}
	if (ioctl(w->v2d, V2D_IOC_SUBMIT, &req)) {
		if (errno != ENOMEM && errno != EINTR && errno != EBUSY)
			fail(w, "V2D_IOC_SUBMIT", errno);
		return;
	}
	if (w->fence >= 0)
		close(w->fence);
	w->fence = req.out_fence_fd;
	atomic_fetch_add(&total_jobs, 1);
}

/* A dup of the newest shared job's fence, or -1. */
static int shared_fence_get(void)
{
	int fd = -1;

	pthread_mutex_lock(&shared_lock);
	if (shared_fence >= 0)
		fd = fcntl(shared_fence, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&shared_lock);
	return fd;
}

static void shared_fence_set(int fd)
{
	pthread_mutex_lock(&shared_lock);
	if (shared_fence >= 0)
		close(shared_fence);
	shared_fence = fd;
	pthread_mutex_unlock(&shared_lock);
}

/* A job among the shared buffers, after another thread's newest one. */
static void shared_job(struct worker *w)
{
	unsigned int a = rnd(w) % NSHARED, b = (a + 1 + rnd(w) % (NSHARED - 1)) % NSHARED;
	struct v2d_surface surf = { .stride = STRIDE, .width = W / 4, .height = H };
	struct v2d_submit req = { .cpp = 4, .flags = V2D_SUBMIT_OUT_FENCE };
	int in = rnd(w) % 2 ? shared_fence_get() : -1;

	surf.x = (w->id % 4) * (W / 4);
	req.dst = surf;
	req.dst.handle = w->shared[b];
	if (rnd(w) % 3) {
		req.op = V2D_OP_COPY;
		req.src = surf;
		req.src.handle = w->shared[a];
	} else {
		req.op = V2D_OP_FILL;
		req.value = (uint32_t)rnd(w);
	}
	if (in >= 0) {
		req.flags |= V2D_SUBMIT_IN_FENCE;
		req.in_fence_fd = in;
	}
	if (ioctl(w->v2d, V2D_IOC_SUBMIT, &req)) {
		if (errno != ENOMEM && errno != EINTR && errno != EBUSY)
			fail(w, "V2D_IOC_SUBMIT (shared)", errno);
	} else {
		shared_fence_set(req.out_fence_fd);
		atomic_fetch_add(&total_jobs, 1);
	}
	if (in >= 0)
		close(in);
}

static void cpu_access(struct worker *w, struct buf *b)
{
	struct dma_buf_sync sync = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	volatile unsigned char *p;

	if (b->fd < 0)
		return;
	if (!b->map) {
		void *m = mmap(NULL, BUFSZ, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);

		if (m == MAP_FAILED)
			return;
		b->map = m;
	}
	/* Waits for the jobs' fences on the buffer, then syncs. */
	if (ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &sync)) {
		if (errno != EINTR && errno != EAGAIN)
			fail(w, "DMA_BUF_IOCTL_SYNC start", errno);
		return;
	}
	p = b->map;
	p[rnd(w) % BUFSZ] ^= 1;
	(void)p[rnd(w) % BUFSZ];
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	if (ioctl(b->fd, DMA_BUF_IOCTL_SYNC, &sync))
		fail(w, "DMA_BUF_IOCTL_SYNC end", errno);
}

static void *run(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	w->v2d = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);
	if (w->v2d < 0) {
		fail(w, "open /dev/v2d_emu", errno);
		return NULL;
	}
	for (i = 0; i < NSHARED; i++) {
		struct v2d_import imp = { .fd = shared_fds[i] };

		if (ioctl(w->v2d, V2D_IOC_IMPORT, &imp))
			fail(w, "V2D_IOC_IMPORT (shared)", errno);
		w->shared[i] = imp.handle;
	}
	while (!atomic_load(&stop)) {
		struct buf *b = &w->bufs[rnd(w) % NBUF];

		switch (rnd(w) % 10) {
		case 8:
		case 9:
			shared_job(w);
			break;
		case 0:
		case 1:
			buf_make(w, b);
			break;
		case 2:
		case 3:
		case 4:
			job(w);
			break;
		case 5:
		case 6:
			cpu_access(w, b);
			break;
		default:
			buf_drop(w, b);
			break;
		}
		atomic_fetch_add(&total_ops, 1);
	}
	/* Closes in an order of the generator's choosing. */
	for (i = 0; i < NBUF; i++)
		buf_drop(w, &w->bufs[(i * 5 + w->id) % NBUF]);
	if (w->fence >= 0)
		close(w->fence);
	close(w->v2d);
	return NULL;
}

/* The engine's count of jobs the watchdog stopped. */
static int v2d_timeouts(uint64_t *n)
{
	struct v2d_stats vs;
	int fd = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, V2D_IOC_GET_STATS, &vs)) {
		printf("soak: V2D_IOC_GET_STATS: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	*n = vs.timeouts;
	return 0;
}

static int counters_zero(void)
{
	struct pagebuf_stats ps;
	struct v2d_stats vs = { 0 };
	int fd, i;

	if (ioctl(pagebuf_dev, PAGEBUF_IOC_GET_STATS, &ps))
		return -errno;
	fd = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);
	for (i = 0; fd >= 0 && i < 200; i++) {
		if (ioctl(fd, V2D_IOC_GET_STATS, &vs))
			break;
		if (!vs.live_imports && !vs.live_jobs && !vs.live_fences && !vs.mapped_pages)
			break;
		usleep(50000);
	}
	if (fd >= 0)
		close(fd);
	printf("soak: pagebuf live buffers %llu bytes %llu attachments %llu mappings %llu; v2d imports %llu jobs %llu fences %llu pages %llu\n",
	       (unsigned long long)ps.live_buffers, (unsigned long long)ps.live_bytes,
	       (unsigned long long)ps.live_attachments, (unsigned long long)ps.live_mappings,
	       (unsigned long long)vs.live_imports, (unsigned long long)vs.live_jobs,
	       (unsigned long long)vs.live_fences, (unsigned long long)vs.mapped_pages);
	return ps.live_buffers || ps.live_bytes || ps.live_attachments || ps.live_mappings ||
	       ps.live_vmaps || vs.live_imports || vs.live_jobs || vs.live_fences ||
	       vs.mapped_pages;
}

int main(int argc, char **argv)
{
	unsigned int nthreads = 4, seconds = 60, i, j;
	uint64_t timeouts, after;
	struct worker *ws;
	int a;

	seed = (uint64_t)time(NULL);
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
			printf("Usage: soak [--threads N] [--seconds S] [--seed N]\n"
			       "N threads (default 4) for S seconds (default 60) mixing pagebuf and\n"
			       "vgem buffers, mmap, SYNC, v2d imports and fenced jobs; then every\n"
			       "live counter must be zero. Exit: 0 ok, 1 failure, 2 usage.\n");
			return 0;
		} else if (!strcmp(argv[a], "--threads") && a + 1 < argc) {
			nthreads = (unsigned int)strtoul(argv[++a], NULL, 10);
		} else if (!strcmp(argv[a], "--seconds") && a + 1 < argc) {
			seconds = (unsigned int)strtoul(argv[++a], NULL, 10);
		} else if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			seed = strtoull(argv[++a], NULL, 0);
		} else {
			fprintf(stderr, "soak: bad argument %s (see --help)\n", argv[a]);
			return 2;
		}
	}
	if (!nthreads || nthreads > 64) {
		fprintf(stderr, "soak: --threads must be 1..64\n");
		return 2;
	}
	pagebuf_dev = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	if (pagebuf_dev < 0) {
		printf("soak: open /dev/pagebuf: %s\n", strerror(errno));
		return 1;
	}
	card = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	for (i = 0; i < NSHARED; i++) {
		struct pagebuf_alloc req = { .size = BUFSZ, .fd_flags = O_RDWR | O_CLOEXEC };

		if (ioctl(pagebuf_dev, PAGEBUF_IOC_ALLOC, &req)) {
			printf("soak: PAGEBUF_IOC_ALLOC: %s\n", strerror(errno));
			return 1;
		}
		shared_fds[i] = req.fd;
	}
	if (v2d_timeouts(&timeouts))
		return 1;
	ws = calloc(nthreads, sizeof(*ws));
	if (!ws)
		return 1;
	printf("soak: seed %" PRIu64 ", %u threads, %u s%s\n", seed, nthreads, seconds,
	       card < 0 ? " (no vgem)" : "");
	fflush(stdout);
	for (i = 0; i < nthreads; i++) {
		ws[i].id = i;
		ws[i].rng = seed * 2654435761u + i + 1;
		ws[i].fence = -1;
		for (j = 0; j < NBUF; j++)
			ws[i].bufs[j].fd = -1;
		if (pthread_create(&ws[i].tid, NULL, run, &ws[i])) {
			printf("soak: pthread_create failed\n");
			return 1;
		}
	}
	for (i = 0; i < seconds * 10 && !atomic_load(&stop); i++)
		usleep(100000);
	atomic_store(&stop, true);
	for (i = 0; i < nthreads; i++)
		pthread_join(ws[i].tid, NULL);
	free(ws);
	shared_fence_set(-1);
	for (i = 0; i < NSHARED; i++)
		close(shared_fds[i]);
	printf("soak: %lu operations, %lu jobs\n", atomic_load(&total_ops),
	       atomic_load(&total_jobs));
	if (v2d_timeouts(&after))
		return 1;
	if (after != timeouts) {
		printf("soak: %llu jobs timed out, none was told to hang\n",
		       (unsigned long long)(after - timeouts));
		return 1;
	}
	if (counters_zero()) {
		printf("soak: live counters not zero after every fd was closed\n");
		return 1;
	}
	if (card >= 0)
		close(card);
	close(pagebuf_dev);
	return atomic_load(&failed) ? 1 : 0;
}
