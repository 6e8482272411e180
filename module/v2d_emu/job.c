// SPDX-License-Identifier: GPL-2.0
/*
 * Jobs: their creation and checks, the queue, the worker, the watchdog
 * and their retirement.
 *
 * One engine, one ordered workqueue: jobs run one at a time in the order
 * they were queued. A job is queued while it still holds the reservation
 * locks under which its fence was ordered after the fences it waits for
 * (v2d_job_commit()), so the queue order never contradicts the fences:
 * a job never waits for one queued behind it, whichever files submit on
 * the same buffers. Its fence reaches the reservation objects only once
 * it is queued, so that a lockless reader (DMA_BUF_IOCTL_EXPORT_SYNC_FILE)
 * cannot hand it as an in-fence to a job queued ahead of it. Within a
 * file, seqnos follow the queue order too, so each file's fences signal
 * in order.
 *
 * Fence signalling (Documentation/driver-api/dma-buf.rst): everything
 * from a job's start to its fence's signal is a signalling critical
 * section, annotated with dma_fence_begin/end_signalling(), as are the
 * watchdog and the cancelling of a closing file's jobs. None of them
 * allocates memory or takes a lock that is held while waiting for a
 * fence (no reservation lock): dropping the job's buffers, which may
 * unmap them under the reservation lock, is retirement, done afterwards
 * on a workqueue of its own so that the engine's queue never waits for
 * it.
 *
 * Lifetime: a job lives from v2d_job_create() until it is retired; the
 * file's list holds it from commit to retirement, and the file's close
 * waits for that list to empty. Its fence outlives it.
 */
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/sync_file.h>

#include "trace.h"
#include "v2d_emu.h"

/* ---- checks ---------------------------------------------------------- */

/* Rectangles against their buffers, and against each other. */
static int v2d_job_check(struct v2d_job *job)
{
	const struct v2d_submit *req = &job->req;
	u64 ds, de, ss, se;
	int ret;

	/* The engine writes only what was imported from a writable fd, */
	if (!job->dst->writable)
		return -EACCES;
	/* and reads only what was imported from a readable one. */
	if (job->src && !job->src->readable)
		return -EACCES;
	ret = v2d_surface_span(&req->dst, req->cpp, job->dst->size, &ds, &de);
	if (ret || !job->src)
		return ret;
	ret = v2d_surface_span(&req->src, req->cpp, job->src->size, &ss, &se);
	if (ret)
		return ret;
	ret = v2d_check_sizes(req);
	if (ret)
		return ret;
	if (job->src->dmabuf == job->dst->dmabuf && ss < de && ds < se)
		return -EINVAL;
	return 0;
}

/* ---- stopping and the watchdog ---------------------------------------- */

/**
 * v2d_job_stop() - tell a job to stop as soon as the engine can
 * @job: the job
 * @err: the error its fence will carry (-ETIMEDOUT, -ECANCELED)
 *
 * The first reason given wins. The worker signals the fence once the
 * engine has stopped touching the buffers.
 */
static void v2d_job_stop(struct v2d_job *job, int err)
{
	if (!cmpxchg(&job->stop_err, 0, err))
		complete_all(&job->stop);
}

/*
 * A job running longer than timeout_ms is told to stop with ETIMEDOUT;
 * the worker then signals its fence with that error once the engine has
 * let go of the buffers, so that nothing is written after the fence says
 * the job is over. The worker, not this, reports it: a job told to stop
 * during its last step completes (see engine.c), and was not stopped.
 */
static void v2d_watchdog_fire(struct work_struct *work)
{
	struct v2d_job *job = container_of(to_delayed_work(work),
					   struct v2d_job, watchdog);
	bool cookie = dma_fence_begin_signalling();

	v2d_job_stop(job, -ETIMEDOUT);
	dma_fence_end_signalling(cookie);
}

static void v2d_watchdog_arm(struct v2d_job *job)
{
	queue_delayed_work(system_wq, &job->watchdog,
			   msecs_to_jiffies(READ_ONCE(v2d_timeout_ms)));
}

/* ---- the worker ---------------------------------------------------------- */

/*
 * The job is about to touch its buffers: from here on a close lets it
 * finish. False when it was told to stop first.
 */
static bool v2d_job_claim(struct v2d_job *job)
{
	struct v2d_file *vfile = job->file;
	bool ok;

	spin_lock(&vfile->jobs_lock);
	ok = !READ_ONCE(job->stop_err);
	if (ok)
		job->running = true;
	spin_unlock(&vfile->jobs_lock);
	return ok;
}

/* What the worker does with a job; the fence's error, or 0. */
static int v2d_job_execute(struct v2d_job *job)
{
	int ret;

	ret = v2d_fence_wait_deps(job);
	if (ret)
		return ret;
	/* A dynamic import that could not be mapped: fail in fence order. */
	if (job->map_err)
		return job->map_err;
	if (!v2d_job_claim(job))
		return job->stop_err;

	if (job->req.flags & V2D_SUBMIT_HANG) {
		/* A stalled engine: only the watchdog or a close ends it. */
		wait_for_completion(&job->stop);
		return job->stop_err;
	}

	ret = v2d_engine_run(job);
	v2d_engine_flush(job);
	return ret;
}

/* The engine takes the job: it leaves its file's share of the queue. */
static void v2d_job_dequeue(struct v2d_job *job)
{
	struct v2d_file *vfile = job->file;

	spin_lock(&vfile->jobs_lock);
	vfile->nr_queued--;
	WRITE_ONCE(job->started, true);
	spin_unlock(&vfile->jobs_lock);
	wake_up(&vfile->queue_room);
}

static void v2d_job_work(struct work_struct *work)
{
	struct v2d_job *job = container_of(work, struct v2d_job, work);
	bool cookie = dma_fence_begin_signalling();
	int err;

	v2d_job_dequeue(job);
	trace_v2d_job_start(job);
	v2d_watchdog_arm(job);
	err = v2d_job_execute(job);
	/*
	 * Done with the engine: the watchdog has nothing left to stop. Not
	 * the _sync cancel, which would wait for the watchdog's own
	 * signalling section inside this one (lockdep rightly objects);
	 * one that already fired can only raise a flag nobody reads now,
	 * and retirement waits for it before the job is freed.
	 */
	cancel_delayed_work(&job->watchdog);
	if (err == -ETIMEDOUT)
		dev_warn(v2d_dma_dev, "job %llu:%llu timed out after %u ms\n",
			 job->fence->base.context, job->fence->base.seqno,
			 READ_ONCE(v2d_timeout_ms));

	/* Count before signalling: a waiter may read the counters at once. */
	if (err == -ETIMEDOUT)
		atomic64_inc(&v2d_counters.timeouts);
	atomic64_inc(err ? &v2d_counters.jobs_failed : &v2d_counters.jobs_done);
	trace_v2d_job_done(job, err);
	v2d_fence_finish(job->fence, err);
	dma_fence_end_signalling(cookie);

	queue_work(v2d_retire_wq, &job->retire);
}

/* ---- lifetime ----------------------------------------------------------- */

static void v2d_job_free(struct v2d_job *job)
{
	int i;

	for (i = 0; i < V2D_NR_DEPS; i++)
		dma_fence_put(job->deps[i]);
	/* The places before the buffers, whose mappings they belong to. */
	v2d_place_put(job->src_place);
	v2d_place_put(job->dst_place);
	if (job->src)
		v2d_buffer_put(job->src);
	v2d_buffer_put(job->dst);
	dma_fence_put(&job->fence->base);
	kfree(job);
	atomic64_dec(&v2d_counters.live_jobs);
}

/*
 * After the fence: off the file's list (debugfs shows the jobs on it,
 * their fences and buffers), then drop the buffers, and only then leave
 * the file's count, so that a closing file finds its jobs freed and the
 * counters final when its close returns.
 */
static void v2d_job_retire(struct work_struct *work)
{
	struct v2d_job *job = container_of(work, struct v2d_job, retire);
	struct v2d_file *vfile = job->file;

	/* A watchdog that fired as the job ended may still be running. */
	cancel_delayed_work_sync(&job->watchdog);

	spin_lock(&vfile->jobs_lock);
	list_del(&job->node);
	spin_unlock(&vfile->jobs_lock);

	v2d_job_free(job);

	/*
	 * Wake a closing file under the lock: once the count is zero the
	 * file may be freed, as soon as the lock is dropped.
	 */
	spin_lock(&vfile->jobs_lock);
	if (!--vfile->nr_jobs)
		wake_up_all(&vfile->idle);
	spin_unlock(&vfile->jobs_lock);
}

/* Count a new job of @vfile against its cap. */
static int v2d_job_charge(struct v2d_file *vfile)
{
	int ret = 0;

	spin_lock(&vfile->jobs_lock);
	if (vfile->nr_jobs >= READ_ONCE(v2d_max_pending_jobs))
		ret = -EBUSY;
	else
		vfile->nr_jobs++;
	spin_unlock(&vfile->jobs_lock);
	return ret;
}

static void v2d_job_uncharge(struct v2d_file *vfile)
{
	spin_lock(&vfile->jobs_lock);
	vfile->nr_jobs--;
	spin_unlock(&vfile->jobs_lock);
}

static struct v2d_job *v2d_job_alloc(struct v2d_file *vfile,
				     const struct v2d_submit *req)
{
	struct v2d_job *job;
	int ret;

	ret = v2d_job_charge(vfile);
	if (ret)
		return ERR_PTR(ret);
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		v2d_job_uncharge(vfile);
		return ERR_PTR(-ENOMEM);
	}

	job->file = vfile;
	job->req = *req;
	job->out_fd = -1;
	INIT_LIST_HEAD(&job->node);
	INIT_WORK(&job->work, v2d_job_work);
	INIT_WORK(&job->retire, v2d_job_retire);
	INIT_DELAYED_WORK(&job->watchdog, v2d_watchdog_fire);
	init_completion(&job->stop);
	atomic64_inc(&v2d_counters.live_jobs);
	return job;
}

/* Take the buffers and in-fence the request names. */
static int v2d_job_get_inputs(struct v2d_job *job)
{
	const struct v2d_submit *req = &job->req;

	job->dst = v2d_buffer_lookup(job->file, req->dst.handle);
	if (!job->dst)
		return -ENOENT;
	if (req->op != V2D_OP_FILL) {
		job->src = v2d_buffer_lookup(job->file, req->src.handle);
		if (!job->src)
			return -ENOENT;
	}
	if (req->flags & V2D_SUBMIT_IN_FENCE) {
		job->deps[V2D_DEP_IN] = sync_file_get_fence(req->in_fence_fd);
		if (!job->deps[V2D_DEP_IN])
			return -EINVAL;
	}
	return 0;
}

/**
 * v2d_job_discard() - free a job from v2d_job_create() that will not run
 * @job: the job, not yet prepared (it has no fence)
 */
void v2d_job_discard(struct v2d_job *job)
{
	v2d_job_uncharge(job->file);
	dma_fence_put(job->deps[V2D_DEP_IN]);
	if (job->src)
		v2d_buffer_put(job->src);
	if (job->dst)
		v2d_buffer_put(job->dst);
	kfree(job);
	atomic64_dec(&v2d_counters.live_jobs);
}

/**
 * v2d_job_create() - a job from a request whose fields were checked
 * @vfile: the submitting file
 * @req: the request; op, flags, cpp and rotation are valid
 *
 * Looks up the buffers and the in-fence, and checks the rectangles
 * against the buffers. Nothing is visible to anyone yet.
 *
 * Return: the job, or an ERR_PTR: -EBUSY (the file has
 * ``max_pending_jobs`` jobs not yet retired), -ENOENT (unknown handle),
 * -EACCES (a destination imported from a dma-buf not open for writing, a
 * source from one not open for reading), -EINVAL, -ERANGE
 * (see &struct v2d_submit), -ENOMEM.
 */
struct v2d_job *v2d_job_create(struct v2d_file *vfile,
			       const struct v2d_submit *req)
{
	struct v2d_job *job;
	int ret;

	job = v2d_job_alloc(vfile, req);
	if (IS_ERR(job))
		return job;

	ret = v2d_job_get_inputs(job);
	if (ret)
		goto err_discard;
	ret = v2d_job_check(job);
	if (ret)
		goto err_discard;
	return job;

err_discard:
	v2d_job_discard(job);
	return ERR_PTR(ret);
}

/**
 * v2d_job_prepare() - give the job its fence and out-fence fd
 * @job: a job from v2d_job_create(); the caller holds the file's
 *	submit_lock until v2d_job_commit() or v2d_job_abandon()
 *
 * Fills @job->req.seqno and @job->req.out_fence_fd for the caller to
 * copy out. Everything a job needs is allocated here, before its fence
 * is visible to anyone. On error the job is freed.
 *
 * Return: 0, -ENOMEM or -EMFILE.
 */
int v2d_job_prepare(struct v2d_job *job)
{
	int ret;

	job->fence = v2d_fence_create(job->file);
	if (!job->fence) {
		v2d_job_discard(job);
		return -ENOMEM;
	}
	job->req.seqno = job->fence->base.seqno;

	if (job->req.flags & V2D_SUBMIT_OUT_FENCE) {
		ret = v2d_fence_make_sync_file(job);
		if (ret) {
			v2d_job_abandon(job);
			return ret;
		}
	}
	job->req.out_fence_fd = job->out_fd;
	return 0;
}

/**
 * v2d_job_abandon() - drop a prepared job that will not run
 * @job: the job
 *
 * Its fence, which nobody else can see yet, is signalled as cancelled.
 */
void v2d_job_abandon(struct v2d_job *job)
{
	v2d_fence_drop_sync_file(job);
	v2d_fence_finish(job->fence, -ECANCELED);
	v2d_job_uncharge(job->file);
	v2d_job_free(job);
}

/*
 * The mappings the job will run on, under its buffers' reservation
 * locks: a dynamic import invalidated since its last job is mapped again
 * here, after the exporter's move, never in the engine's worker (which
 * may not take a reservation lock). One that cannot be mapped fails the
 * job, not the submit: its fence carries the error.
 */
static void v2d_job_take_places(struct v2d_job *job)
{
	struct v2d_place *p;

	p = v2d_buffer_place(job->dst);
	if (IS_ERR(p)) {
		job->map_err = PTR_ERR(p);
		return;
	}
	job->dst_place = p;
	if (!job->src)
		return;
	p = v2d_buffer_place(job->src);
	if (IS_ERR(p)) {
		job->map_err = PTR_ERR(p);
		return;
	}
	job->src_place = p;
}

/**
 * v2d_job_commit() - publish the job's fence and queue the job
 * @job: a prepared job
 *
 * On error the job is abandoned; once it returns 0 the job belongs to
 * the engine, which always completes it.
 *
 * Return: 0, -EINTR or -ENOMEM.
 */
int v2d_job_commit(struct v2d_job *job)
{
	struct v2d_file *vfile = job->file;
	struct sync_file *sync_file = job->sync_file;
	struct v2d_buffer *dst, *src;
	struct v2d_resv_set set;
	struct dma_fence *fence;
	unsigned int delay_ms;
	int fd = job->out_fd;
	int ret;

	ret = v2d_fence_lock_buffers(job, &set);
	if (ret)
		goto err_abandon;
	ret = v2d_fence_order_locked(job, &set);
	if (ret) {
		v2d_fence_unlock_buffers(&set);
		goto err_abandon;
	}
	v2d_job_take_places(job);

	/* A debugging aid: the tests widen the window of a submit here. */
	delay_ms = READ_ONCE(v2d_debug_commit_delay_ms);
	if (unlikely(delay_ms))
		msleep(delay_ms);

	/*
	 * The job may run and retire as soon as it is queued: what is used
	 * after that is held here, the buffers so that the locked
	 * reservation objects outlive the job.
	 */
	fence = dma_fence_get(&job->fence->base);
	dst = v2d_buffer_get(job->dst);
	src = job->src ? v2d_buffer_get(job->src) : NULL;

	job->submitted = ktime_get();
	job->sync_file = NULL;
	spin_lock(&vfile->jobs_lock);
	list_add_tail(&job->node, &vfile->jobs);
	vfile->nr_queued++;
	spin_unlock(&vfile->jobs_lock);
	trace_v2d_job_submit(job);
	/*
	 * Queued, then published, both before the locks that ordered its
	 * fence are dropped (see the top of this file): a lockless reader
	 * of a reservation object never finds the fence of a job that is
	 * not on the queue yet.
	 */
	queue_work(v2d_wq, &job->work);
	v2d_fence_publish_locked(fence, &set);
	v2d_fence_unlock_buffers(&set);

	dma_fence_put(fence);
	if (src)
		v2d_buffer_put(src);
	v2d_buffer_put(dst);
	if (sync_file)
		fd_install(fd, sync_file->file);
	return 0;

err_abandon:
	v2d_job_abandon(job);
	return ret;
}

/* Has @vfile room for one more job in its share of the queue? */
static bool v2d_file_queue_room(struct v2d_file *vfile)
{
	bool room;

	spin_lock(&vfile->jobs_lock);
	room = vfile->nr_queued < max(READ_ONCE(v2d_max_queued_jobs), 1U);
	spin_unlock(&vfile->jobs_lock);
	return room;
}

/**
 * v2d_job_wait_queue_room() - wait for room in the file's queue share
 * @vfile: the file; the caller holds its submit_lock, so the room found
 *	is still there when its job is committed
 * @nonblock: the file is O_NONBLOCK: do not wait
 *
 * One engine runs every file's jobs in submission order: without a share,
 * a file that queued hundreds of jobs, each allowed ``timeout_ms``, would
 * hold every other file's jobs up for as long. A file may have
 * ``max_queued_jobs`` jobs that the engine has not started on.
 *
 * Return: 0, -EAGAIN (@nonblock and no room) or -EINTR (a signal).
 */
int v2d_job_wait_queue_room(struct v2d_file *vfile, bool nonblock)
{
	if (nonblock)
		return v2d_file_queue_room(vfile) ? 0 : -EAGAIN;
	if (wait_event_interruptible(vfile->queue_room,
				     v2d_file_queue_room(vfile)))
		return -EINTR;
	return 0;
}

/**
 * v2d_file_cancel_jobs() - end the jobs of a closing file and wait
 * @vfile: the file
 *
 * Jobs the engine has not started on are skipped, and their fences carry
 * -ECANCELED. A job the engine is running is let finish (real hardware
 * is not stopped midway either), except a stalled (HANG) one, whose
 * stall ends with -ECANCELED. Returns once all of them are retired.
 */
void v2d_file_cancel_jobs(struct v2d_file *vfile)
{
	bool cookie = dma_fence_begin_signalling();
	struct v2d_job *job;

	spin_lock(&vfile->jobs_lock);
	list_for_each_entry(job, &vfile->jobs, node)
		if (!job->running || (job->req.flags & V2D_SUBMIT_HANG))
			v2d_job_stop(job, -ECANCELED);
	spin_unlock(&vfile->jobs_lock);
	dma_fence_end_signalling(cookie);

	wait_event(vfile->idle, !READ_ONCE(vfile->nr_jobs));
	/* The last retiring job may still be inside the lock: let it out. */
	spin_lock(&vfile->jobs_lock);
	spin_unlock(&vfile->jobs_lock);
}
