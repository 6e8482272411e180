// SPDX-License-Identifier: GPL-2.0
/*
 * Job fences: the dma_fence of every job, its place in the buffers'
 * reservation objects (implicit sync), the waits for its dependencies
 * and the sync_file out-fence. Nothing here calls into job.c.
 *
 * Rules:
 * - Every fence is signalled exactly once, with its error set first when
 *   the job failed; v2d_fence_finish() is the one place that does it.
 *   Jobs always get there: the worker finishes every job it is given,
 *   and a job that never reaches the queue is finished where it is
 *   abandoned.
 * - A fence holds a reference on the module until it is freed: a
 *   signalled fence may sit in a reservation object long after its job,
 *   and debugfs still calls its ops to print it. The reference is
 *   dropped by the RCU callback that frees the fence, and the module's
 *   exit waits for such callbacks (v2d_fence_barrier()), so no code of
 *   the module runs after its last reference is gone.
 * - The job waits for the fences its buffers held before it (writers of
 *   the source, readers and writers of the destination), collected under
 *   the reservation locks together with adding its own, so that its own
 *   fence is never among them.
 */
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sync_file.h>

#include "compat.h"
#include "trace.h"
#include "v2d_emu.h"

/* How long a dependency wait sleeps before looking at the stop flag. */
#define V2D_DEP_POLL	(HZ / 20)

static const char *v2d_fence_driver_name(struct dma_fence *f)
{
	return "v2d_emu";
}

static const char *v2d_fence_timeline_name(struct dma_fence *f)
{
	/* One engine; each open file is a context on it. */
	return "v2d_emu-engine";
}

/* After a grace period: RCU readers of a reservation object may still look. */
static void v2d_fence_free_rcu(struct rcu_head *rcu)
{
	struct v2d_fence *fence = container_of(rcu, struct v2d_fence, rcu);

	kfree(fence);
	/* Last: the module may go now, once this callback has returned. */
	module_put(THIS_MODULE);
}

/* The last reference is gone: no longer live, freed after a grace period. */
static void v2d_fence_release(struct dma_fence *f)
{
	struct v2d_fence *fence = container_of(f, struct v2d_fence, base);

	atomic64_dec(&v2d_counters.live_fences);
	call_rcu(&fence->rcu, v2d_fence_free_rcu);
}

/*
 * A waiter needs the fence by @deadline (SYNC_IOC_SET_DEADLINE, a
 * display's next vblank). Kept, the earliest one wins: the engine runs a
 * job with a deadline at full speed (see engine.c), debugfs and a
 * tracepoint show it. Any context, no lock: one atomic.
 */
static void __maybe_unused v2d_fence_set_deadline(struct dma_fence *f,
						  ktime_t deadline)
{
	struct v2d_fence *fence = container_of(f, struct v2d_fence, base);
	s64 ns = max_t(s64, ktime_to_ns(deadline), 1);
	s64 old = atomic64_read(&fence->deadline);

	do {
		if (old && old <= ns)
			return;
	} while (!atomic64_try_cmpxchg(&fence->deadline, &old, ns));
	trace_v2d_fence_deadline(f, ns);
}

/**
 * v2d_fence_deadline() - the earliest deadline a waiter set, in ns
 * @fence: the fence
 *
 * Return: CLOCK_MONOTONIC nanoseconds, or 0 when nobody set one.
 */
s64 v2d_fence_deadline(struct v2d_fence *fence)
{
	return atomic64_read(&fence->deadline);
}

static const struct dma_fence_ops v2d_fence_ops = {
	.get_driver_name = v2d_fence_driver_name,
	.get_timeline_name = v2d_fence_timeline_name,
	COMPAT_DMA_FENCE_OPS_SET_DEADLINE(v2d_fence_set_deadline)
	.release = v2d_fence_release,
};

/**
 * v2d_fence_barrier() - wait until every released fence is freed
 *
 * For the module's exit: the last fence's RCU callback drops the last
 * module reference and may still be returning.
 */
void v2d_fence_barrier(void)
{
	rcu_barrier();
}

/**
 * v2d_fence_create() - a new fence on the file's timeline
 * @vfile: the file; the caller holds its submit_lock, so seqnos are
 *	handed out in queue order
 *
 * Return: the fence, or NULL when out of memory.
 */
struct v2d_fence *v2d_fence_create(struct v2d_file *vfile)
{
	struct v2d_fence *fence;

	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence)
		return NULL;

	/* Cannot fail: an open file of this module already holds one. */
	__module_get(THIS_MODULE);
	atomic64_inc(&v2d_counters.live_fences);

	spin_lock_init(&fence->lock);
	dma_fence_init(&fence->base, &v2d_fence_ops, &fence->lock,
		       vfile->context, ++vfile->seqno);
	return fence;
}

/**
 * v2d_fence_finish() - set the fence's error and signal it, once
 * @fence: the fence
 * @err: 0 or a negative errno
 *
 * Return: true if this call signalled the fence.
 */
bool v2d_fence_finish(struct v2d_fence *fence, int err)
{
	if (test_and_set_bit(0, &fence->done))
		return false;
	if (err)
		dma_fence_set_error(&fence->base, err);
	dma_fence_signal(&fence->base);
	return true;
}

/*
 * Lock every reservation object of @objs, backing off and sleeping on
 * the contended one when the wound-wait protocol says -EDEADLK. On
 * error nothing is locked.
 */
static int v2d_resv_lock_all(struct dma_resv **objs, int n,
			     struct ww_acquire_ctx *ctx)
{
	int contended = -1;
	int i, j, ret;

retry:
	if (contended >= 0) {
		ret = dma_resv_lock_slow_interruptible(objs[contended], ctx);
		if (ret)
			return ret;
	}
	for (i = 0; i < n; i++) {
		if (i == contended)
			continue;
		ret = dma_resv_lock_interruptible(objs[i], ctx);
		if (!ret)
			continue;

		/* Unlock all we hold: those before @i, the contended one too. */
		for (j = 0; j < i; j++)
			dma_resv_unlock(objs[j]);
		if (contended > i)
			dma_resv_unlock(objs[contended]);
		if (ret != -EDEADLK)
			return ret;
		contended = i;
		goto retry;
	}
	return 0;
}

/**
 * v2d_fence_lock_buffers() - lock the reservation objects of a job
 * @job: the job, with its buffers
 * @set: out: what is locked, for v2d_fence_order_locked() and
 *	v2d_fence_unlock_buffers()
 *
 * The destination first, then a source with another reservation object.
 * Two dma-bufs may share one (an exporter may give several buffers of
 * one context the same object): it is locked once, since locking it
 * twice in one acquire context is -EALREADY.
 *
 * Return: 0, or -EINTR when a signal arrived while waiting (nothing is
 * locked then).
 */
int v2d_fence_lock_buffers(struct v2d_job *job, struct v2d_resv_set *set)
{
	int ret;

	set->n = 0;
	set->objs[set->n++] = job->dst->dmabuf->resv;
	if (job->src && job->src->dmabuf->resv != set->objs[0])
		set->objs[set->n++] = job->src->dmabuf->resv;

	ww_acquire_init(&set->ctx, &reservation_ww_class);
	ret = v2d_resv_lock_all(set->objs, set->n, &set->ctx);
	if (ret) {
		ww_acquire_fini(&set->ctx);
		return ret;
	}
	ww_acquire_done(&set->ctx);
	return 0;
}

void v2d_fence_unlock_buffers(struct v2d_resv_set *set)
{
	int i = set->n;

	while (i--)
		dma_resv_unlock(set->objs[i]);
	ww_acquire_fini(&set->ctx);
}

/**
 * v2d_fence_order_locked() - order the job's fence after its buffers' fences
 * @job: the job, with its fence
 * @set: the locked reservation objects
 *
 * Collects the fences the job must wait for (writers of the source,
 * readers and writers of the destination) into @job->deps, and reserves
 * the slots v2d_fence_publish_locked() fills, so that publishing cannot
 * fail. The fence is on no buffer yet: it is published only once its job
 * is queued (job.c).
 *
 * Return: 0 or -ENOMEM.
 */
int v2d_fence_order_locked(struct v2d_job *job, struct v2d_resv_set *set)
{
	struct dma_resv **objs = set->objs;
	int i, ret;

	for (i = 0; i < set->n; i++) {
		ret = compat_dma_resv_reserve_fences(objs[i], 1);
		if (ret)
			return ret;
	}

	ret = compat_dma_resv_get_singleton(objs[0], true,
					    &job->deps[V2D_DEP_DST]);
	if (ret)
		return ret;
	if (set->n > 1)
		ret = compat_dma_resv_get_singleton(objs[1], false,
						    &job->deps[V2D_DEP_SRC]);
	return ret;
}

/**
 * v2d_fence_publish_locked() - make a job's fence implicit on its buffers
 * @fence: the fence, ordered by v2d_fence_order_locked() under the same
 *	locks
 * @set: the locked reservation objects
 *
 * The destination gets the fence as a writer, a source with another
 * reservation object as a reader (a source sharing the destination's is
 * covered by the write fence). Cannot fail.
 */
void v2d_fence_publish_locked(struct dma_fence *fence,
			      struct v2d_resv_set *set)
{
	compat_dma_resv_add_fence(set->objs[0], fence, true);
	if (set->n > 1)
		compat_dma_resv_add_fence(set->objs[1], fence, false);
}

/**
 * v2d_fence_wait_deps() - wait for what the job depends on
 * @job: the job
 *
 * Waits at most ``timeout_ms`` in all, and stops early when the job is
 * told to stop. A dependency that failed does not fail the job.
 *
 * Return: 0, -ETIMEDOUT, or the job's stop error.
 */
int v2d_fence_wait_deps(struct v2d_job *job)
{
	unsigned long deadline = jiffies +
		msecs_to_jiffies(READ_ONCE(v2d_timeout_ms));
	int i;

	for (i = 0; i < V2D_NR_DEPS; i++) {
		struct dma_fence *dep = job->deps[i];

		while (dep && !dma_fence_is_signaled(dep)) {
			if (READ_ONCE(job->stop_err))
				return READ_ONCE(job->stop_err);
			if (time_after_eq(jiffies, deadline))
				return -ETIMEDOUT;
			dma_fence_wait_timeout(dep, false, V2D_DEP_POLL);
		}
	}
	return 0;
}

/**
 * v2d_fence_make_sync_file() - prepare the job's out-fence fd
 * @job: the job, with its fence
 *
 * Reserves an fd and wraps the fence in a sync_file; the fd reaches the
 * process only once the job is committed (fd_install()).
 *
 * Return: 0, -EMFILE or -ENOMEM.
 */
int v2d_fence_make_sync_file(struct v2d_job *job)
{
	int fd;

	job->sync_file = sync_file_create(&job->fence->base);
	if (!job->sync_file)
		return -ENOMEM;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		fput(job->sync_file->file);
		job->sync_file = NULL;
		return fd;
	}
	job->out_fd = fd;
	return 0;
}

void v2d_fence_drop_sync_file(struct v2d_job *job)
{
	if (!job->sync_file)
		return;
	put_unused_fd(job->out_fd);
	fput(job->sync_file->file);
	job->sync_file = NULL;
}
