// SPDX-License-Identifier: GPL-2.0
/*
 * contention: v2d_emu.ko under several threads and open files that fight
 * for the same buffers, handles and fences, and at the edges of its
 * limits (pending jobs, unprivileged hangs, the watchdog inside a long
 * row, a file closed with a job running).
 *
 * Every result is checked against a CPU model, as in the v2d area; every
 * wait is bounded, so that a deadlocked engine fails a test instead of
 * hanging the suite.
 */
#define _GNU_SOURCE
#include "v2d_lib.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <linux/userfaultfd.h>

/* ---- waiting without cmocka (in threads) --------------------------------- */

/*
 * Jobs in flight per thread: each submit first retires the job WINDOW
 * submits back, so that thousands of jobs run without thousands of fds.
 */
#define WINDOW		32

struct window {
	int fd[WINDOW];
	unsigned long n;		/* jobs put in */
	unsigned long failed;		/* fences with an error */
	int err;			/* the first error, as a negative errno */
};

/* A fence's outcome within @ms: 1 signalled, 0 not yet, <0 its error. */
static int fence_result(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sync_file_info info;

	if (poll(&p, 1, ms) != 1)
		return 0;
	memset(&info, 0, sizeof(info));
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	return info.status;
}

static void window_init(struct window *win)
{
	memset(win, 0, sizeof(*win));
	memset(win->fd, -1, sizeof(win->fd));
}

/* Wait for and close the fence in @slot; a fence not done in 20 s counts as -EDEADLK. */
static void window_retire(struct window *win, unsigned long slot)
{
	int *fd = &win->fd[slot % WINDOW], st;

	if (*fd < 0)
		return;
	st = fence_result(*fd, 20000);
	if (st != 1) {
		win->failed++;
		if (!win->err)
			win->err = st ? st : -EDEADLK;
	}
	close(*fd);
	*fd = -1;
}

static void window_put(struct window *win, int fd)
{
	window_retire(win, win->n);
	win->fd[win->n++ % WINDOW] = fd;
}

static void window_drain(struct window *win)
{
	unsigned long i;

	for (i = 0; i < WINDOW; i++)
		window_retire(win, i);
}

/* ---- jobs of four threads in two files among three buffers ------------- */

#define NR_BUFS		3
#define NR_THREADS	4
#define MIX_MS		10000		/* how long the threads submit */
#define SIDE		64		/* pixels of a thread's square region */
#define STRIDE		4096		/* bytes per row of every buffer */
#define BUF_SIZE	(1 * MIB)

struct mix {
	int dev[2];			/* two open files of the engine */
	uint32_t handle[2][NR_BUFS];	/* each buffer imported in each */
	pthread_mutex_t lock;
	int last_fence[NR_THREADS];	/* each thread's newest out-fence */
	int64_t deadline;
};

struct worker {
	struct mix *mix;
	int id;
	int dev;
	uint32_t *handle;
	unsigned char model[NR_BUFS][SIDE * SIDE * 4];
	struct window win;
	int err;			/* the first submit error */
	char why[160];
};

/* A thread's square in buffer @b: its own columns, so results never mix. */
static struct v2d_surface region(const struct worker *w, int b)
{
	return surf(w->handle[b], STRIDE, 0, w->id * SIDE, 0, SIDE, SIDE);
}

/* What the job does to the thread's squares, on the CPU. */
static void model_step(struct worker *w, int s, int d, uint32_t deg)
{
	const struct v2d_surface sq = surf(0, SIDE * 4, 0, 0, 0, SIDE, SIDE);
	unsigned char tmp[SIDE * SIDE * 4];

	if (!deg) {
		memcpy(w->model[d], w->model[s], sizeof(tmp));
		return;
	}
	model_rotate(tmp, w->model[s], &sq, &sq, deg);
	memcpy(w->model[d], tmp, sizeof(tmp));
}

/* A dup of another thread's newest out-fence, or -1. */
static int borrow_fence(struct mix *mix, int other)
{
	int fd = -1;

	pthread_mutex_lock(&mix->lock);
	if (mix->last_fence[other] >= 0)
		fd = fcntl(mix->last_fence[other], F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&mix->lock);
	return fd;
}

static void publish_fence(struct mix *mix, int id, int fd)
{
	pthread_mutex_lock(&mix->lock);
	if (mix->last_fence[id] >= 0)
		close(mix->last_fence[id]);
	mix->last_fence[id] = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&mix->lock);
}

/*
 * Each step copies or rotates the thread's square from one buffer into
 * another, the six ordered pairs in turn (each thread starting elsewhere,
 * so that the threads lock the buffers in every order); every third job
 * also waits for another thread's newest job through an in-fence.
 */
static void *worker_run(void *arg)
{
	static const int pairs[6][2] = {
		{ 0, 1 }, { 1, 0 }, { 1, 2 }, { 2, 1 }, { 2, 0 }, { 0, 2 },
	};
	static const uint32_t degs[3] = { 90, 180, 270 };
	struct worker *w = arg;
	unsigned long i;

	for (i = 0; now_ms() < w->mix->deadline && !w->win.err; i++) {
		int s = pairs[(i + w->id) % 6][0], d = pairs[(i + w->id) % 6][1];
		uint32_t deg = i % 3 == 2 ? degs[(i / 3) % 3] : 0;
		struct v2d_submit req;
		int in = -1;

		memset(&req, 0, sizeof(req));
		req.op = deg ? V2D_OP_ROTATE : V2D_OP_COPY;
		req.cpp = 4;
		req.rotation = deg;
		req.flags = V2D_SUBMIT_OUT_FENCE;
		req.src = region(w, s);
		req.dst = region(w, d);
		if (i % 3 == 0)
			in = borrow_fence(w->mix, (w->id + 1) % NR_THREADS);
		if (in >= 0) {
			req.flags |= V2D_SUBMIT_IN_FENCE;
			req.in_fence_fd = in;
		}
		if (ioctl(w->dev, V2D_IOC_SUBMIT, &req)) {
			w->err = errno;
			snprintf(w->why, sizeof(w->why),
				 "thread %d step %lu: SUBMIT %s %d->%d: %s",
				 w->id, i, deg ? "rotate" : "copy", s, d,
				 pb_errname(errno));
			if (in >= 0)
				close(in);
			break;
		}
		if (in >= 0)
			close(in);
		publish_fence(w->mix, w->id, req.out_fence_fd);
		window_put(&w->win, req.out_fence_fd);
		model_step(w, s, d, deg);
	}
	window_drain(&w->win);
	return NULL;
}

/* Fill every thread's square of every buffer with its own pattern. */
static void mix_seed(int *fds, unsigned char **maps, struct worker *w)
{
	int b, t;
	uint32_t r;

	for (b = 0; b < NR_BUFS; b++) {
		assert_int_equal(pb_sync(fds[b], DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
		for (t = 0; t < NR_THREADS; t++) {
			pb_fill(w[t].model[b], sizeof(w[t].model[b]), 1000 + 10 * t + b);
			for (r = 0; r < SIDE; r++)
				memcpy(maps[b] + (size_t)r * STRIDE + t * SIDE * 4,
				       w[t].model[b] + (size_t)r * SIDE * 4, SIDE * 4);
		}
		assert_int_equal(pb_sync(fds[b], DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
	}
}

/* Compare every thread's squares with its model. */
static void mix_check(int *fds, unsigned char **maps, struct worker *w)
{
	int b, t;
	uint32_t r;

	for (b = 0; b < NR_BUFS; b++) {
		unsigned char *copy = snapshot(fds[b], maps[b], BUF_SIZE);

		for (t = 0; t < NR_THREADS; t++) {
			for (r = 0; r < SIDE; r++) {
				if (!memcmp(copy + (size_t)r * STRIDE + t * SIDE * 4,
					    w[t].model[b] + (size_t)r * SIDE * 4, SIDE * 4))
					continue;
				pb_diag("buffer %d, thread %d's square, row %u differs from the model",
					b, t, r);
				free(copy);
				fail();
			}
		}
		free(copy);
	}
}

static void test_copy_rotate_among_shared_buffers_in_every_order(void **state)
{
	static struct worker w[NR_THREADS];
	pthread_t th[NR_THREADS];
	unsigned char *maps[NR_BUFS];
	struct v2d_stats before, after;
	unsigned long jobs = 0, failed = 0;
	struct mix mix;
	int fds[NR_BUFS], b, f, t, bad = 0;
	int64_t t0;

	(void)state;
	memset(&mix, 0, sizeof(mix));
	pthread_mutex_init(&mix.lock, NULL);
	for (t = 0; t < NR_THREADS; t++)
		mix.last_fence[t] = -1;
	for (f = 0; f < 2; f++)
		mix.dev[f] = track(v2d_open_ok());
	for (b = 0; b < NR_BUFS; b++) {
		fds[b] = alloc_buf(BUF_SIZE, PAGEBUF_ALLOC_ORDER0, NULL);
		maps[b] = map_buf(fds[b], BUF_SIZE, PROT_READ | PROT_WRITE, 0);
		for (f = 0; f < 2; f++)
			assert_int_equal(import_raw(mix.dev[f], fds[b],
						    &mix.handle[f][b]), 0);
	}
	memset(w, 0, sizeof(w));
	for (t = 0; t < NR_THREADS; t++) {
		w[t].mix = &mix;
		w[t].id = t;
		w[t].dev = mix.dev[t % 2];
		w[t].handle = mix.handle[t % 2];
		window_init(&w[t].win);
	}
	mix_seed(fds, maps, w);

	stats_ok(&before);
	t0 = now_ms();
	mix.deadline = t0 + MIX_MS;
	for (t = 0; t < NR_THREADS; t++)
		assert_int_equal(pthread_create(&th[t], NULL, worker_run, &w[t]), 0);
	for (t = 0; t < NR_THREADS; t++)
		pthread_join(th[t], NULL);
	stats_ok(&after);

	for (t = 0; t < NR_THREADS; t++) {
		jobs += w[t].win.n;
		failed += w[t].win.failed;
		if (w[t].err) {
			pb_diag("%s", w[t].why);
			bad = 1;
		}
		if (w[t].win.err) {
			pb_diag("thread %d: %lu of %lu jobs failed, the first with %s",
				t, w[t].win.failed, w[t].win.n,
				pb_errname(-w[t].win.err));
			bad = 1;
		}
		if (mix.last_fence[t] >= 0)
			close(mix.last_fence[t]);
	}
	pb_diag("%d threads, %lu jobs in %lld ms, %lu failed; watchdog timeouts: %llu",
		NR_THREADS, jobs, (long long)(now_ms() - t0), failed,
		(unsigned long long)(after.timeouts - before.timeouts));
	/* A wedged buffer would block the checks below: stop here. */
	assert_int_equal(bad, 0);
	assert_int_equal(after.timeouts, before.timeouts);
	mix_check(fds, maps, w);
}

/* ---- two files, each job waiting for the other file's newest ----------- */

#define CHAIN_MS	5000

struct chain {
	int dev[2];
	uint32_t handle[2];
	pthread_mutex_t lock;
	int newest[2];			/* each file's newest out-fence */
	uint32_t last[2];		/* the value of each file's last job */
	struct window win[2];
	int err[2];
	int64_t deadline;
};

struct chain_arg {
	struct chain *c;
	int side;
};

static void *chain_run(void *arg)
{
	struct chain_arg *a = arg;
	struct chain *c = a->c;
	int me = a->side, other = !a->side;
	uint32_t i;

	for (i = 1; now_ms() < c->deadline && !c->win[me].err; i++) {
		struct v2d_submit req;
		int in = -1;

		pthread_mutex_lock(&c->lock);
		if (c->newest[other] >= 0)
			in = fcntl(c->newest[other], F_DUPFD_CLOEXEC, 0);
		pthread_mutex_unlock(&c->lock);

		memset(&req, 0, sizeof(req));
		req.op = V2D_OP_FILL;
		req.cpp = 4;
		req.value = (uint32_t)me << 24 | i;
		req.flags = V2D_SUBMIT_OUT_FENCE;
		req.dst = surf(c->handle[me], STRIDE, 0, 0, me, 64, 1);
		if (in >= 0) {
			req.flags |= V2D_SUBMIT_IN_FENCE;
			req.in_fence_fd = in;
		}
		if (ioctl(c->dev[me], V2D_IOC_SUBMIT, &req))
			c->err[me] = errno;
		if (in >= 0)
			close(in);
		if (c->err[me])
			break;
		c->last[me] = req.value;
		pthread_mutex_lock(&c->lock);
		if (c->newest[me] >= 0)
			close(c->newest[me]);
		c->newest[me] = fcntl(req.out_fence_fd, F_DUPFD_CLOEXEC, 0);
		pthread_mutex_unlock(&c->lock);
		window_put(&c->win[me], req.out_fence_fd);
	}
	window_drain(&c->win[me]);
	return NULL;
}

static void test_two_files_waiting_on_each_other_never_time_out(void **state)
{
	struct chain c;
	struct chain_arg args[2];
	pthread_t th[2];
	int fd = alloc_buf(64 * KIB, 0, NULL);
	unsigned char *map;
	int64_t t0;
	int s;

	(void)state;
	memset(&c, 0, sizeof(c));
	pthread_mutex_init(&c.lock, NULL);
	for (s = 0; s < 2; s++) {
		c.dev[s] = track(v2d_open_ok());
		assert_int_equal(import_raw(c.dev[s], fd, &c.handle[s]), 0);
		c.newest[s] = -1;
		window_init(&c.win[s]);
	}
	t0 = now_ms();
	c.deadline = t0 + CHAIN_MS;
	for (s = 0; s < 2; s++) {
		args[s].c = &c;
		args[s].side = s;
		assert_int_equal(pthread_create(&th[s], NULL, chain_run, &args[s]), 0);
	}
	for (s = 0; s < 2; s++)
		pthread_join(th[s], NULL);
	pb_diag("2 files, %lu + %lu jobs in %lld ms, %lu + %lu failed",
		c.win[0].n, c.win[1].n, (long long)(now_ms() - t0),
		c.win[0].failed, c.win[1].failed);
	for (s = 0; s < 2; s++) {
		if (c.newest[s] >= 0)
			close(c.newest[s]);
		if (c.err[s])
			pb_diag("file %d: SUBMIT failed: %s", s, pb_errname(c.err[s]));
		if (c.win[s].err)
			pb_diag("file %d: the first failed job ended with %s", s,
				pb_errname(-c.win[s].err));
	}
	assert_int_equal(c.err[0] | c.err[1], 0);
	assert_int_equal(c.win[0].failed + c.win[1].failed, 0);

	/* Each file's row holds its last value. */
	map = map_buf(fd, 64 * KIB, PROT_READ, 0);
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	for (s = 0; s < 2; s++) {
		uint32_t v;

		memcpy(&v, map + (size_t)s * STRIDE + 63 * 4, 4);
		assert_int_equal(v, c.last[s]);
	}
	assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
}

/* ---- handles: import against release ------------------------------------ */

#define RACE_ROUNDS	3000

struct race {
	int dev, buf;
	volatile int stop;
	int err;
};

static void *race_import(void *arg)
{
	struct race *r = arg;
	int i;

	for (i = 0; i < RACE_ROUNDS; i++) {
		uint32_t h;
		int err = import_raw(r->dev, r->buf, &h);

		if (err && err != EMFILE && !r->err)
			r->err = err;
	}
	return NULL;
}

/* Release handles as they are handed out: the low ones, over and over. */
static void *race_release(void *arg)
{
	struct race *r = arg;
	uint32_t h = 1;

	while (!r->stop) {
		struct v2d_release req = { .handle = h };

		ioctl(r->dev, V2D_IOC_RELEASE, &req);
		h = h % 16 + 1;
	}
	return NULL;
}

static void test_import_racing_release_leaks_nothing(void **state)
{
	struct pagebuf_stats pst;
	struct pb_snap snap;
	struct v2d_stats st;
	pthread_t imp[2], rel;
	struct race r;
	int i;

	(void)state;
	r.buf = alloc_buf(64 * KIB, 0, NULL);
	pb_snap(&snap);
	r.dev = track(v2d_open_ok());
	r.stop = 0;
	r.err = 0;
	assert_int_equal(pthread_create(&rel, NULL, race_release, &r), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&imp[i], NULL, race_import, &r), 0);
	for (i = 0; i < 2; i++)
		pthread_join(imp[i], NULL);
	r.stop = 1;
	pthread_join(rel, NULL);
	assert_int_equal(r.err, 0);

	/* Closing the file drops every handle it still has: all of them. */
	assert_int_equal(close(untrack(r.dev)), 0);
	stats_ok(&st);
	pb_stats(&pst);
	pb_diag("after close: v2d imports %llu, pagebuf attachments %llu mappings %llu",
		(unsigned long long)st.live_imports,
		(unsigned long long)pst.live_attachments,
		(unsigned long long)pst.live_mappings);
	assert_int_equal(st.live_imports, 0);
	assert_int_equal(st.mapped_pages, 0);
	assert_int_equal(pst.live_attachments, snap.st.live_attachments);
	assert_int_equal(pst.live_mappings, snap.st.live_mappings);
}

/*
 * An IMPORT whose result cannot be copied out (the argument is in a
 * read-only page) fails with EFAULT and leaves no import behind.
 */
static void test_import_result_not_copied_out_leaves_nothing(void **state)
{
	int fd = alloc_buf(64 * KIB, 0, NULL);
	struct v2d_import *req;
	struct v2d_stats before, after;
	struct pagebuf_stats pst;
	struct pb_snap snap;

	(void)state;
	req = mmap(NULL, pb_page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(req != MAP_FAILED);
	memset(req, 0, sizeof(*req));
	req->fd = fd;
	assert_int_equal(mprotect(req, pb_page, PROT_READ), 0);
	pb_snap(&snap);
	stats_ok(&before);
	assert_fails_with(ioctl(vd, V2D_IOC_IMPORT, req), EFAULT);
	stats_ok(&after);
	pb_stats(&pst);
	assert_int_equal(after.live_imports, before.live_imports);
	assert_int_equal(pst.live_attachments, snap.st.live_attachments);
	/* The handle it would have had is free: the next import is 1. */
	assert_int_equal(import_ok(fd), 1);
	munmap(req, pb_page);
}

/*
 * An IMPORT stopped in the middle of copying its result out (the
 * argument's page is write-protected through userfaultfd) has a handle
 * that userspace does not know yet. Nothing else may take that handle
 * meanwhile: a RELEASE of it is ENOENT, and another IMPORT gets another
 * handle, so that no two imports are ever handed the same one.
 */
struct blocked_import {
	struct v2d_import *req;
	int ret, err;
};

static void *import_in_thread(void *arg)
{
	struct blocked_import *b = arg;

	b->ret = ioctl(vd, V2D_IOC_IMPORT, b->req);
	b->err = errno;
	return NULL;
}

/* A userfaultfd that write-protects @page, or -1 with the reason said. */
static int wp_page(void *page, char *why, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP };
	struct uffdio_register reg = {
		.range = { .start = (unsigned long)page, .len = pb_page },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	struct uffdio_writeprotect wp = {
		.range = reg.range, .mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	/* poll() on a userfaultfd needs O_NONBLOCK (POLLERR otherwise). */
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    ioctl(uffd, UFFDIO_WRITEPROTECT, &wp)) {
		snprintf(why, len, "userfaultfd write-protection: %s",
			 strerror(errno));
		if (uffd >= 0)
			close(uffd);
		return -1;
	}
	return uffd;
}

static void test_handle_in_flight_is_nobody_elses(void **state)
{
	int fd = alloc_buf(64 * KIB, 0, NULL);
	struct uffdio_writeprotect wp;
	struct v2d_release rel = { .handle = 1 };
	struct blocked_import b = { 0 };
	struct pollfd pfd;
	struct v2d_query q;
	char why[128];
	pthread_t th;
	uint32_t other;
	int uffd, rel_ret, rel_err;

	(void)state;
	b.req = mmap(NULL, pb_page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(b.req != MAP_FAILED);
	memset(b.req, 0, sizeof(*b.req));
	b.req->fd = fd;
	uffd = wp_page(b.req, why, sizeof(why));
	if (uffd < 0) {
		munmap(b.req, pb_page);
		skip_because("%s", why);
	}
	assert_int_equal(pthread_create(&th, NULL, import_in_thread, &b), 0);
	/* The import has its handle (1, on a fresh file) and is copying it out. */
	pfd.fd = uffd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(pfd.revents, POLLIN);

	rel_ret = ioctl(vd, V2D_IOC_RELEASE, &rel);
	rel_err = errno;
	other = import_ok(fd);

	memset(&wp, 0, sizeof(wp));
	wp.range.start = (unsigned long)b.req;
	wp.range.len = pb_page;
	assert_succeeds(ioctl(uffd, UFFDIO_WRITEPROTECT, &wp));
	pthread_join(th, NULL);
	close(uffd);
	pb_diag("in-flight import got handle %u (%s); RELEASE of 1 meanwhile: %s; another import got %u",
		b.req->handle, pb_errname(b.ret ? b.err : 0),
		pb_errname(rel_ret ? rel_err : 0), other);
	assert_int_equal(b.ret, 0);
	assert_int_equal(b.req->handle, 1);
	assert_int_equal(rel_ret, -1);
	assert_int_equal(rel_err, ENOENT);
	assert_int_not_equal(other, b.req->handle);
	/* Both name live imports of their own. */
	query_ok(b.req->handle, &q);
	query_ok(other, &q);
	release_ok(b.req->handle);
	release_ok(other);
	munmap(b.req, pb_page);
}

/* ---- what a reader sees after the fence ------------------------------------ */

/*
 * A handle released while its job is pending: the job holds the last
 * reference to the import, and the engine's writes must be in the pages
 * by the time its fence signals, whatever happens to the mapping after.
 * (Under swiotlb the writes sit in bounce slots until synced.)
 */
static void released_while_pending(uint64_t size, uint32_t flags)
{
	unsigned char *map;
	struct v2d_submit req;
	int fd, out, round;
	uint32_t h, value;

	for (round = 0; round < 8; round++) {
		fd = alloc_buf(size, flags, NULL);
		map = map_buf(fd, size, PROT_READ, 0);
		h = import_ok(fd);
		value = 0x01010101u * (uint32_t)(0x30 + round);
		memset(&req, 0, sizeof(req));
		req.op = V2D_OP_FILL;
		req.cpp = 4;
		req.value = value;
		req.dst = surf(h, STRIDE, 0, 0, 0, STRIDE / 4, size / STRIDE);
		out = submit_ok(&req);
		release_ok(h);
		assert_int_equal(fence_wait(out), 1);
		assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
		assert_bytes(map, size, (unsigned char)value);
		assert_int_equal(pb_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
		unmap_buf(map, size);
		close(untrack(out));
		close(untrack(fd));
	}
}

static void test_handle_released_while_pending_keeps_writes(void **state)
{
	(void)state;
	/* 256 KiB: swiotlb bounces up to that much in one segment. */
	released_while_pending(256 * KIB, PAGEBUF_ALLOC_CONTIG);	/* direct */
	released_while_pending(1 * MIB, PAGEBUF_ALLOC_ORDER0);		/* IOMMU */
}

/* ---- closing a file ---------------------------------------------------------- */

/* Whether debugfs shows a job of the engine in state @state. */
static int job_in_state(const char *state)
{
	return file_has_line("/sys/kernel/debug/v2d_emu/jobs", state);
}

/*
 * A job the engine has started runs to its end when its file is closed;
 * a job still queued behind it is cancelled and writes nothing. The
 * running one is a per-pixel ROTATE of half a million pixels, long enough
 * to be seen running: one row turned into a column, so that the column
 * holds the row's bytes in order.
 */
static void test_close_lets_a_running_job_finish(void **state)
{
	const uint64_t size = 2 * MIB;
	unsigned char *smap, *dmap;
	struct v2d_submit req;
	int sfd, dfd, dev, save = vd, first, next, i;
	uint32_t hs, hd;

	(void)state;
	v2d_param("timeout_ms", "20000");
	/*
	 * A slow engine (at least 20 us a tile, of 32 pixels here: a third
	 * of a second or more in all), so that the close comes while the
	 * job runs however fast the engine is on this CPU.
	 */
	v2d_param("debug_step_delay_us", "20");
	sfd = buf_with_pattern(size, PAGEBUF_ALLOC_ORDER0, 41, &smap);
	dfd = alloc_buf(size + STRIDE, PAGEBUF_ALLOC_ORDER0, NULL);
	dmap = map_buf(dfd, size + STRIDE, PROT_READ, 0);
	dev = track(v2d_open_ok());
	vd = dev;
	hs = import_ok(sfd);
	hd = import_ok(dfd);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_ROTATE;
	req.cpp = 4;
	req.rotation = 90;
	req.src = surf(hs, size, 0, 0, 0, size / 4, 1);
	req.dst = surf(hd, 4, 0, 0, 0, 1, size / 4);
	first = submit_ok(&req);
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x11111111;
	req.dst = surf(hd, STRIDE, size, 0, 0, STRIDE / 4, 1);
	next = submit_ok(&req);
	vd = save;

	for (i = 0; i < 5000 && job_in_state(" running ") == 0; i++)
		usleep(1000);
	if (job_in_state(" running ") < 0)
		skip_because("no /sys/kernel/debug/v2d_emu/jobs: debugfs not mounted");
	if (fence_status(first) != 0)
		skip_because("the first job ended before the file could be closed while it ran");
	assert_int_equal(close(untrack(dev)), 0);

	assert_int_equal(fence_wait(first), 1);
	assert_int_equal(fence_wait(next), -ECANCELED);
	check_buf(dfd, dmap, smap, size);
	assert_int_equal(pb_sync(dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_bytes(dmap + size, STRIDE, 0);
	assert_int_equal(pb_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
}

/* ---- one file against another: imports and the queue ------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t median(int64_t *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	return v[n / 2];
}

#define BIG_ROUNDS	64

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Imports and releases of one large buffer, each timed, on a file of its own. */
struct big_importer {
	volatile int stop, done;
	int fd, dev;
	volatile int n;
	int64_t us[BIG_ROUNDS];
};

static void *big_import_run(void *arg)
{
	struct big_importer *b = arg;
	struct v2d_release rel = { 0 };

	while (!b->stop && b->n < BIG_ROUNDS) {
		int64_t t0 = now_us();

		if (import_raw(b->dev, b->fd, &rel.handle) ||
		    ioctl(b->dev, V2D_IOC_RELEASE, &rel))
			break;
		b->us[b->n] = now_us() - t0;
		b->n++;
	}
	b->done = 1;
	return NULL;
}

/*
 * A buffer of single pages whose import and release take 20 ms or more,
 * from 4 MiB up to 64 MiB (32 MiB under swiotlb=force, where it bounces,
 * to leave the pool room): long enough to stand out, and no longer than
 * that on a debug kernel, where every page costs far more.
 */
static int large_buffer(int dev)
{
	uint64_t size = 4 * MIB, max = pb_cmdline_has("swiotlb=force") ?
					       32 * MIB : 64 * MIB;
	struct v2d_release rel = { 0 };

	for (;;) {
		int fd = alloc_buf(size, PAGEBUF_ALLOC_ORDER0, NULL);
		int64_t t0 = now_us();

		assert_int_equal(import_raw(dev, fd, &rel.handle), 0);
		assert_succeeds(ioctl(dev, V2D_IOC_RELEASE, &rel));
		if (now_us() - t0 >= 20000 || size >= max)
			return fd;
		close(untrack(fd));
		size *= 2;
	}
}

/*
 * Imports of different dma-bufs do not wait for each other: the engine
 * keeps no lock while an exporter attaches, maps or unmaps. A thread
 * imports and releases a buffer of single pages, long to map, over
 * and over; small imports meanwhile take a fraction of its time, where
 * a global lock made each of them wait for a large one to be mapped or
 * unmapped.
 */
static void test_imports_of_other_buffers_do_not_wait(void **state)
{
	struct big_importer b = { 0 };
	int64_t small[32], big_us, small_us;
	int small_fd, i;
	pthread_t t;

	(void)state;
	b.dev = track(v2d_open_ok());
	b.fd = large_buffer(b.dev);
	small_fd = alloc_buf(64 * KIB, 0, NULL);
	assert_int_equal(pthread_create(&t, NULL, big_import_run, &b), 0);
	usleep(20 * 1000);
	for (i = 0; i < 32 && !b.stop; i++) {
		int64_t t0 = now_us();

		release_ok(import_ok(small_fd));
		small[i] = now_us() - t0;
		usleep(3 * 1000);
	}
	/* A few large rounds for their median, however slow they are. */
	while (b.n < 3 && !b.done)
		usleep(10 * 1000);
	b.stop = 1;
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(b.n >= 3);
	big_us = median(b.us, b.n);
	small_us = median(small, 32);
	pb_diag("large import+release: median %lld us (%d rounds); small import+release beside it: median %lld us",
		(long long)big_us, b.n, (long long)small_us);
	assert_true(small_us * 4 <= big_us);
}

/* A v2d_emu parameter's value; @val is left alone when there is none. */
static void v2d_param_get(const char *name, uint64_t *val)
{
	char path[256];
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), V2D_PARAMS "/%s", name);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fscanf(f, "%llu", &v) == 1)
		*val = v;
	fclose(f);
}

/* Stalling jobs of a file of its own, submitted until told to stop. */
struct hog {
	volatile int stop;
	int dev, submitted, err;
	uint32_t h;
};

static void on_signal(int sig)
{
	(void)sig;
}

static void *hog_run(void *arg)
{
	struct hog *g = arg;
	struct v2d_submit req;

	while (!g->stop && g->submitted < 64) {
		memset(&req, 0, sizeof(req));
		req.op = V2D_OP_FILL;
		req.cpp = 4;
		req.flags = V2D_SUBMIT_HANG;
		req.dst = surf(g->h, 4096, 0, 0, 0, 16, 1);
		if (ioctl(g->dev, V2D_IOC_SUBMIT, &req)) {
			g->err = errno;
			break;
		}
		g->submitted++;
	}
	return NULL;
}

/*
 * One file cannot hold another's jobs up for longer than its share of the
 * engine's queue allows: with a file that submits 64 jobs which each run
 * until the watchdog stops them (timeout_ms), another file's job starts
 * after at most max_queued_jobs of them (and the one running), not all.
 */
static void test_another_files_jobs_wait_for_its_queue_share_at_most(void **state)
{
	const int timeout_ms = 200;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t share = 16;
	struct hog g = { 0 };
	struct v2d_submit req;
	int64_t t0, waited;
	uint32_t h;
	pthread_t t;
	int out;

	(void)state;
	v2d_param_get("max_queued_jobs", &share);
	v2d_param("timeout_ms", "200");
	g.dev = track(v2d_open_ok());
	assert_int_equal(import_raw(g.dev, alloc_buf(64 * KIB, 0, NULL), &g.h), 0);
	h = import_ok(alloc_buf(64 * KIB, 0, NULL));
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
	assert_int_equal(pthread_create(&t, NULL, hog_run, &g), 0);
	/* Let the other file fill what it may of the queue. */
	usleep(300 * 1000);

	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.value = 0x77777777;
	req.dst = surf(h, 4096, 0, 0, 0, 1024, 4);
	t0 = now_ms();
	out = submit_ok(&req);
	assert_int_equal(fence_wait_ms(out, 60000), 1);
	waited = now_ms() - t0;
	close(untrack(out));

	g.stop = 1;
	pthread_kill(t, SIGUSR1);
	assert_int_equal(pthread_join(t, NULL), 0);
	pb_diag("a job behind another file's %d stalling jobs (share %llu, %d ms each) waited %lld ms",
		g.submitted, (unsigned long long)share, timeout_ms,
		(long long)waited);
	assert_true(waited < (int64_t)(share + 8) * timeout_ms);
	close(untrack(g.dev));
}

/* ---- limits ------------------------------------------------------------------ */

/* More pending jobs than the file may have: EBUSY, and nothing leaks. */
static void test_pending_jobs_beyond_the_cap_ebusy(void **state)
{
	int fd = alloc_buf(64 * KIB, 0, NULL);
	struct v2d_stats before, after;
	struct v2d_submit req;
	int dev, save = vd, hang, i;
	uint32_t h;

	(void)state;
	v2d_param("max_pending_jobs", "8");
	v2d_param("timeout_ms", "10000");
	stats_ok(&before);
	dev = track(v2d_open_ok());
	vd = dev;
	h = import_ok(fd);
	hang = submit_hang(h);		/* keeps the others pending */
	for (i = 1; i < 8; i++) {
		memset(&req, 0, sizeof(req));
		req.op = V2D_OP_FILL;
		req.cpp = 4;
		req.dst = surf(h, 4096, 0, 0, 0, 16, 1);
		assert_int_equal(submit_raw(&req), 0);
	}
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.flags = V2D_SUBMIT_OUT_FENCE;
	req.dst = surf(h, 4096, 0, 0, 0, 16, 1);
	assert_fails_with(ioctl(dev, V2D_IOC_SUBMIT, &req), EBUSY);
	stats_ok(&after);
	assert_int_equal(after.live_jobs - before.live_jobs, 8);
	vd = save;
	assert_int_equal(close(untrack(dev)), 0);
	assert_int_equal(fence_wait(hang), -ECANCELED);
	stats_ok(&after);
	assert_int_equal(after.live_jobs, before.live_jobs);
}

/*
 * close() returns once the file's jobs are retired, as the uapi says of
 * live_jobs: the counters show no job or import of the file at once,
 * with nothing left for a worker to finish later. The handle is released
 * while its jobs are pending, so that the last job holds the import and
 * its retirement unmaps and detaches a buffer of many pages: the longest
 * a worker can lag behind. Many rounds, since a leftover shows only when
 * the closing task runs before the worker has finished.
 */
static void test_close_returns_once_its_jobs_are_retired(void **state)
{
	int fd = alloc_buf(4 * MIB, PAGEBUF_ALLOC_ORDER0, NULL);
	struct v2d_stats before, after;
	struct v2d_release rel = { 0 };
	struct v2d_submit req;
	int round, i, save = vd;

	(void)state;
	v2d_param("timeout_ms", "10000");
	stats_ok(&before);
	for (round = 0; round < 100; round++) {
		int dev = v2d_open_ok();
		uint32_t h;

		vd = dev;
		h = import_ok(fd);
		close(untrack(submit_hang(h)));
		for (i = 0; i < 3; i++) {
			memset(&req, 0, sizeof(req));
			req.op = V2D_OP_FILL;
			req.cpp = 4;
			req.dst = surf(h, 4096, 0, 0, 0, 16, 1);
			assert_int_equal(submit_raw(&req), 0);
		}
		rel.handle = h;
		assert_succeeds(ioctl(dev, V2D_IOC_RELEASE, &rel));
		vd = save;
		assert_int_equal(close(dev), 0);
		stats_ok(&after);
		if (after.live_jobs != before.live_jobs ||
		    after.live_imports != before.live_imports) {
			pb_diag("round %d: close returned with %lld jobs and %lld imports still live",
				round,
				(long long)(after.live_jobs - before.live_jobs),
				(long long)(after.live_imports - before.live_imports));
			fail();
		}
	}
}

static int hang_as_nobody(void *arg)
{
	struct v2d_submit req;
	uint32_t *h = arg;
	int ret;

	CHILD_CHECK(setresgid(65534, 65534, 65534) == 0, "setresgid: %s",
		    strerror(errno));
	CHILD_CHECK(setresuid(65534, 65534, 65534) == 0, "setresuid: %s",
		    strerror(errno));
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.cpp = 4;
	req.flags = V2D_SUBMIT_HANG;
	req.dst = surf(*h, 4096, 0, 0, 0, 16, 1);
	errno = 0;
	ret = ioctl(vd, V2D_IOC_SUBMIT, &req);
	CHILD_CHECK(ret == -1 && errno == EPERM,
		    "an unprivileged HANG returned %d (%s), not EPERM", ret,
		    strerror(errno));
	/* An ordinary job from the same user is accepted. */
	req.flags = 0;
	CHILD_CHECK(ioctl(vd, V2D_IOC_SUBMIT, &req) == 0, "SUBMIT: %s",
		    strerror(errno));
	return 0;
}

static void test_hang_needs_cap_sys_admin(void **state)
{
	int fd = alloc_buf(64 * KIB, 0, NULL);
	uint32_t h;

	(void)state;
	h = import_ok(fd);
	assert_int_equal(pb_in_child(hang_as_nobody, &h), 0);
}

/*
 * One row of millions of pixels. The watchdog stops a job inside the row
 * (the engine looks between chunks, not only between rows), and its
 * fence tells the truth: ETIMEDOUT only for a job that did not reach its
 * last pixel, success only for one that wrote every pixel. A FILL may
 * beat a short watchdog; a per-pixel ROTATE of the row never does.
 */
static int one_long_row(uint32_t op, int timeout)
{
	const uint64_t size = 16 * MIB;
	struct v2d_submit req;
	unsigned char *map, last;
	uint32_t hs, hd;
	int src, dst, out, st;
	int64_t t0, dt;

	src = alloc_buf(size, PAGEBUF_ALLOC_ORDER0, NULL);
	dst = alloc_buf(size, PAGEBUF_ALLOC_ORDER0, NULL);
	map = map_buf(dst, size, PROT_READ, 0);
	hs = import_ok(src);
	hd = import_ok(dst);
	memset(&req, 0, sizeof(req));
	req.op = op;
	req.cpp = 4;
	if (op == V2D_OP_FILL) {
		req.value = 0xabababab;
		req.dst = surf(hd, size, 0, 0, 0, size / 4, 1);
	} else {
		/* The source's pixels are zero: mark where its last one lands. */
		req.rotation = 90;
		req.src = surf(hs, size, 0, 0, 0, size / 4, 1);
		req.dst = surf(hd, 4, 0, 0, 0, 1, size / 4);
		assert_int_equal(pb_sync(dst, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
		unmap_buf(map, size);
		map = map_buf(dst, size, PROT_READ | PROT_WRITE, 0);
		map[size - 1] = 0xab;
		assert_int_equal(pb_sync(dst, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE), 0);
	}
	t0 = now_ms();
	out = submit_ok(&req);
	st = fence_wait(out);
	dt = now_ms() - t0;
	assert_int_equal(pb_sync(dst, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	last = map[size - 1];
	assert_int_equal(pb_sync(dst, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	pb_diag("%s of one %llu-pixel row: fence %s after %lld ms (timeout %d ms), last byte %#x",
		op == V2D_OP_FILL ? "fill" : "rotate",
		(unsigned long long)(size / 4), pb_errname(st == 1 ? 0 : -st),
		(long long)dt, timeout, last);
	if (st == 1) {
		/* Done: the last pixel was written (0xab, then 0 by ROTATE). */
		assert_int_equal(last, op == V2D_OP_FILL ? 0xab : 0);
		return 0;
	}
	assert_int_equal(st, -ETIMEDOUT);
	/* Stopped before the end: the last pixel is as it was. */
	assert_int_equal(last, op == V2D_OP_FILL ? 0 : 0xab);
	/* timeout_ms, plus one chunk, plus what an emulated CPU adds. */
	assert_true(dt < timeout + 1000);
	return 1;
}

static void test_watchdog_stops_a_job_inside_one_long_row(void **state)
{
	(void)state;
	v2d_param("timeout_ms", "5");
	one_long_row(V2D_OP_FILL, 5);
	assert_int_equal(one_long_row(V2D_OP_ROTATE, 5), 1);
}

/* ---- module lifetime ------------------------------------------------------ */

/* Is the module loaded by modprobe (the installed one), not from a file? */
static bool v2d_by_modprobe(void)
{
	const char *m = getenv("DL_MODPROBE");

	return m && !strcmp(m, "1");
}

/* modprobe v2d_emu ARGS: its exit status. */
static int v2d_modprobe(const char *args)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "modprobe v2d_emu %s", args);
	return system(cmd);
}

/*
 * Load v2d_emu again, with the suite's arguments: from the file the
 * suite names, or with modprobe where the installed module is tested.
 */
static void v2d_reload(void)
{
	const char *ko = getenv("DL_V2D_KO"), *args = getenv("DL_V2D_ARGS");
	int fd, i;

	if (!access("/sys/module/v2d_emu", F_OK)) {
		if (vd < 0)
			vd = v2d_open_ok();
		return;
	}
	if (v2d_by_modprobe()) {
		assert_int_equal(v2d_modprobe(args ? args : ""), 0);
	} else {
		assert_non_null(ko);
		fd = open(ko, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_succeeds(syscall(SYS_finit_module, fd, args ? args : "", 0));
		close(fd);
	}
	for (i = 0; i < 500 && access(V2D_DEVICE, F_OK); i++)
		usleep(10000);
	vd = v2d_open_ok();
}

/* In a child: once the parent says go, try to unload for up to 2 s. */
static int rmmod_until_gone(void *arg)
{
	int *go = arg;
	int64_t end;
	char c;

	if (read(go[0], &c, 1) != 1)
		return 2;
	end = now_ms() + 2000;
	while (now_ms() < end)
		if (!delete_module("v2d_emu"))
			return 0;
	return 1;
}

/*
 * The last fence reference goes while rmmod is tried in a loop: the
 * module may go only once no code of its own runs any more (its fence
 * release path ends in an RCU callback that the exit waits for). A
 * crash, or a KASAN report, fails the run.
 */
static void test_rmmod_racing_the_last_fence_release(void **state)
{
	int round, unloaded = 0;

	(void)state;
	if (!v2d_by_modprobe() && !getenv("DL_V2D_KO"))
		skip_because("DL_V2D_KO not set: the module could not be loaded again");
	for (round = 0; round < 20; round++) {
		struct v2d_submit req;
		int fd, out, dev, go[2];
		pid_t child;
		uint32_t h;

		/* The child starts holding nothing of the engine's. */
		close(vd);
		vd = -1;
		assert_int_equal(pipe2(go, O_CLOEXEC), 0);
		child = pb_spawn(rmmod_until_gone, go);
		close(go[0]);

		fd = pb_alloc_ok(64 * KIB, 0, NULL);
		dev = track(v2d_open_ok());
		assert_int_equal(import_raw(dev, fd, &h), 0);
		memset(&req, 0, sizeof(req));
		req.op = V2D_OP_FILL;
		req.cpp = 4;
		req.flags = V2D_SUBMIT_OUT_FENCE;
		req.dst = surf(h, 4096, 0, 0, 0, 16, 4);
		assert_succeeds(ioctl(dev, V2D_IOC_SUBMIT, &req));
		out = req.out_fence_fd;
		assert_int_equal(fence_wait(out), 1);
		close(untrack(dev));
		close(fd);
		/* Only the sync_file holds the module now, through its fence. */
		assert_int_equal(write(go[1], "g", 1), 1);
		close(out);
		close(go[1]);
		if (pb_wait(child) == 0)
			unloaded++;
		v2d_reload();
	}
	pb_diag("the module went away after the last fence in %d of 20 rounds",
		unloaded);
	assert_true(unloaded > 0);
}

static void test_counters_clean_at_end(void **state)
{
	(void)state;
	v2d_assert_idle();
}

int main(void)
{
	struct pb_tests t = { 0 };

	v2d_open_for_tests();
#define ADD(name) pb_add_fixture(&t, #name, test_##name, NULL, NULL, v2d_teardown)
	ADD(copy_rotate_among_shared_buffers_in_every_order);
	ADD(two_files_waiting_on_each_other_never_time_out);
	ADD(import_racing_release_leaks_nothing);
	ADD(import_result_not_copied_out_leaves_nothing);
	ADD(handle_in_flight_is_nobody_elses);
	ADD(handle_released_while_pending_keeps_writes);
	ADD(close_lets_a_running_job_finish);
	ADD(imports_of_other_buffers_do_not_wait);
	ADD(another_files_jobs_wait_for_its_queue_share_at_most);
	ADD(pending_jobs_beyond_the_cap_ebusy);
	ADD(close_returns_once_its_jobs_are_retired);
	ADD(hang_needs_cap_sys_admin);
	ADD(watchdog_stops_a_job_inside_one_long_row);
	ADD(rmmod_racing_the_last_fence_release);
	ADD(counters_clean_at_end);
#undef ADD
	return pb_run("contention", &t);
}
