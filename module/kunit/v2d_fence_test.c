// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of v2d_emu's reservation locking (fence.c, compiled in
 * here so that its static functions can be called): the wound-wait
 * back-off of v2d_resv_lock_all() against an older acquire context that
 * a kernel thread moves from lock to lock, so that the engine's context
 * must back off three times in one call.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-resv.h>
#include <linux/kthread.h>

/*
 * fence.c traces deadlines; the tracepoints live in v2d_emu.ko, and a
 * second module may not define events of the same names: the tests
 * compile fence.c without them.
 */
#include "../v2d_emu/v2d_emu.h"
#define V2D_EMU_TRACE_H
static inline void trace_v2d_fence_deadline(const struct dma_fence *f, s64 ns)
{
}

#include "../v2d_emu/fence.c"

/* What main.c defines in the real module; fence.c uses it. */
unsigned int v2d_timeout_ms = 5000;

/* Long enough for the other side to reach its next wait, even on TCG. */
#define SETTLE_MS	300

struct older {
	struct dma_resv *a, *b;
	struct completion holds_b;	/* the older context holds B */
	int steps;			/* how far it got */
};

/*
 * CONFIG_DEBUG_WW_MUTEX_SLOWPATH makes ww_mutex_lock() fail now and then
 * with -EDEADLK (after it unlocked the mutex it had just taken) so that
 * every caller's back-off path runs. The older context below is a script
 * that never backs off: an injected -EDEADLK would leave it holding
 * fewer locks than it thinks (then unlocking one it does not hold), so
 * injection is turned off for it. The engine's context keeps it.
 */
static void older_no_injected_backoff(struct ww_acquire_ctx *ctx)
{
#ifdef CONFIG_DEBUG_WW_MUTEX_SLOWPATH
	ctx->deadlock_inject_countdown = UINT_MAX;
#endif
}

/*
 * The older context: hold B, then A, give B up and take it back while
 * the engine's context waits for A, then let everything go. Each time it
 * holds what the younger context asks for next, so that one is told to
 * back off (-EDEADLK) again.
 */
static int older_run(void *arg)
{
	struct older *o = arg;
	struct ww_acquire_ctx ctx;

	ww_acquire_init(&ctx, &reservation_ww_class);
	older_no_injected_backoff(&ctx);
	dma_resv_lock(o->b, &ctx);
	o->steps = 1;
	complete(&o->holds_b);
	/* It takes A, fails on B (the first back-off) and sleeps on B. */
	msleep(SETTLE_MS);
	dma_resv_lock(o->a, &ctx);
	o->steps = 2;
	dma_resv_unlock(o->b);
	/* It takes B, fails on A, drops B and sleeps on A. */
	msleep(SETTLE_MS);
	dma_resv_lock(o->b, &ctx);
	o->steps = 3;
	dma_resv_unlock(o->a);
	/* It takes A, fails on B: the third back-off. */
	msleep(SETTLE_MS);
	dma_resv_unlock(o->b);
	o->steps = 4;
	ww_acquire_fini(&ctx);
	return 0;
}

static void lock_all_backs_off_three_times(struct kunit *test)
{
	struct dma_resv a, b, *objs[2] = { &a, &b };
	struct ww_acquire_ctx ctx;
	struct task_struct *t;
	struct older o;
	int ret;

	dma_resv_init(&a);
	dma_resv_init(&b);
	o.a = &a;
	o.b = &b;
	o.steps = 0;
	init_completion(&o.holds_b);

	t = kthread_run(older_run, &o, "v2d_kunit_older");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wait_for_completion(&o.holds_b);

	/* Younger than the thread's context: it is the one to back off. */
	ww_acquire_init(&ctx, &reservation_ww_class);
	ret = v2d_resv_lock_all(objs, 2, &ctx);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret) {
		KUNIT_EXPECT_TRUE(test, ww_mutex_is_locked(&a.lock));
		KUNIT_EXPECT_TRUE(test, ww_mutex_is_locked(&b.lock));
		dma_resv_unlock(&b);
		dma_resv_unlock(&a);
	}
	ww_acquire_fini(&ctx);

	/* The other context gets to its end whatever happened here. */
	for (ret = 0; READ_ONCE(o.steps) < 4 && ret < 250; ret++)
		msleep(20);
	KUNIT_EXPECT_EQ(test, READ_ONCE(o.steps), 4);
	KUNIT_EXPECT_FALSE(test, ww_mutex_is_locked(&a.lock));
	KUNIT_EXPECT_FALSE(test, ww_mutex_is_locked(&b.lock));
	if (ww_mutex_is_locked(&a.lock))
		kunit_info(test, "A is still locked: a lock leaked across the back-off\n");
	else
		dma_resv_fini(&a);
	dma_resv_fini(&b);
}

/*
 * Two dma-bufs may share one reservation object (a driver exporting
 * several objects of one VM does). A job on both locks it once, and
 * its fence orders after everything on it.
 */
static void lock_buffers_locks_a_shared_resv_once(struct kunit *test)
{
	/*
	 * On the heap: two dma_bufs and a dma_resv with the debug kernel's
	 * lockdep maps overflow a 2 KiB stack frame.
	 */
	struct {
		struct dma_buf a, b;
		struct dma_resv resv;
	} *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);
	struct v2d_buffer dst = { 0 }, src = { 0 };
	struct v2d_job job = { .dst = &dst, .src = &src };
	struct v2d_resv_set set;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, o);
	dst.dmabuf = &o->a;
	src.dmabuf = &o->b;
	dma_resv_init(&o->resv);
	o->a.resv = &o->resv;
	o->b.resv = &o->resv;
	ret = v2d_fence_lock_buffers(&job, &set);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret) {
		KUNIT_EXPECT_EQ(test, set.n, 1);
		KUNIT_EXPECT_TRUE(test, ww_mutex_is_locked(&o->resv.lock));
		v2d_fence_unlock_buffers(&set);
	}
	KUNIT_EXPECT_FALSE(test, ww_mutex_is_locked(&o->resv.lock));
	dma_resv_fini(&o->resv);
}

static struct kunit_case v2d_resv_cases[] = {
	KUNIT_CASE(lock_all_backs_off_three_times),
	KUNIT_CASE(lock_buffers_locks_a_shared_resv_once),
	{}
};

static struct kunit_suite v2d_resv_suite = {
	.name = "v2d_resv",
	.test_cases = v2d_resv_cases,
};

kunit_test_suites(&v2d_resv_suite);
