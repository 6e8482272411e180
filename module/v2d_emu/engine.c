// SPDX-License-Identifier: GPL-2.0
/*
 * The engine: jobs, their checks, the queue and the operations.
 *
 * One engine, one ordered workqueue: jobs run one at a time in the order
 * they were queued, which is also the order of their seqnos on each
 * file's timeline, so fences signal in order.
 *
 * A job carries everything it needs (its buffers, rectangles, fence,
 * dependencies): there is no engine-wide state a job switches, and two
 * jobs never share translation state.
 *
 * Memory access: the engine emits device addresses only. On the IOMMU
 * path they are translated by the buffer's unit; the resulting DMA
 * address is, on this platform (see v2d_emu.h), the physical address the
 * device would reach, and the engine reads or writes that page. With
 * swiotlb the page is the bounce slot, and the data reaches the buffer's
 * own pages only through the exporter's syncs, as with real hardware.
 *
 * Lifetime: a job lives from v2d_job_create() until the worker retires
 * it; the file's list holds it from commit to retirement. Its fence
 * outlives it.
 */
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pfn.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sync_file.h>

#include "compat.h"
#include "trace.h"
#include "v2d_emu.h"

/* Bytes moved per step of a row: a multiple of every pixel size. */
#define V2D_CHUNK	256

/* ---- checks ---------------------------------------------------------- */

/* Rectangles against their buffers, and against each other. */
static int v2d_job_check(struct v2d_job *job)
{
	const struct v2d_submit *req = &job->req;
	u64 ds, de, ss, se;
	int ret;

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

/* ---- memory access ---------------------------------------------------- */

static bool v2d_job_stopping(const struct v2d_job *job)
{
	return READ_ONCE(job->stop_err);
}

/*
 * The physical page and offset behind byte @off of @buf, as the device
 * reaches it, and how many bytes follow in that page.
 */
static int v2d_xlate(struct v2d_job *job, struct v2d_buffer *buf, u64 off,
		     struct page **page, size_t *pgoff)
{
	u64 addr = buf->addr + off;
	dma_addr_t dma = addr;

	if (buf->path == V2D_PATH_IOMMU &&
	    v2d_iommu_translate(buf->unit, addr, &dma)) {
		atomic64_inc(&v2d_counters.faults);
		dev_err_ratelimited(v2d_dma_dev,
				    "translation fault: unit %u, IOVA %#llx, handle %u (job %llu:%llu)\n",
				    buf->unit, addr, buf->handle,
				    job->fence->base.context,
				    job->fence->base.seqno);
		return -EIO;
	}
	/*
	 * dma-direct without an IOMMU: the DMA address is physical. The
	 * engine drives only dma_bits address lines: past its mask it cannot
	 * reach the page at all (a mapping that did not bounce it is a bug).
	 */
	if (dma > dma_get_mask(v2d_dma_dev) || !pfn_valid(PHYS_PFN(dma))) {
		dev_err_ratelimited(v2d_dma_dev,
				    "bus error: DMA address %pad, handle %u\n",
				    &dma, buf->handle);
		return -EIO;
	}
	*page = pfn_to_page(PHYS_PFN(dma));
	*pgoff = offset_in_page(dma);
	return 0;
}

static int v2d_read(struct v2d_job *job, struct v2d_buffer *buf, u64 off,
		    void *to, size_t len)
{
	while (len) {
		struct page *page;
		size_t pgoff, n;
		void *va;
		int ret;

		ret = v2d_xlate(job, buf, off, &page, &pgoff);
		if (ret)
			return ret;
		n = min(len, PAGE_SIZE - pgoff);
		va = compat_kmap_local_page(page);
		memcpy(to, va + pgoff, n);
		compat_kunmap_local(va);
		to += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int v2d_write(struct v2d_job *job, struct v2d_buffer *buf, u64 off,
		     const void *from, size_t len)
{
	while (len) {
		struct page *page;
		size_t pgoff, n;
		void *va;
		int ret;

		ret = v2d_xlate(job, buf, off, &page, &pgoff);
		if (ret)
			return ret;
		n = min(len, PAGE_SIZE - pgoff);
		va = compat_kmap_local_page(page);
		memcpy(va + pgoff, from, n);
		compat_kunmap_local(va);
		from += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Byte offset of pixel (@col, @row) of surface @s. */
static u64 v2d_pixel(const struct v2d_surface *s, u32 cpp, u32 col, u32 row)
{
	return s->offset + (u64)(s->y + row) * s->stride +
	       (u64)(s->x + col) * cpp;
}

/* ---- operations ------------------------------------------------------- */

static int v2d_op_fill(struct v2d_job *job)
{
	const struct v2d_surface *d = &job->req.dst;
	u32 cpp = job->req.cpp, row;
	u64 len = (u64)d->width * cpp;
	u8 pattern[V2D_CHUNK];
	size_t i;

	/* Pixels are little endian: byte i of a pixel is byte i of value. */
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = job->req.value >> (8 * (i % cpp));

	for (row = 0; row < d->height && !v2d_job_stopping(job); row++) {
		u64 off = v2d_pixel(d, cpp, 0, row), done;

		for (done = 0; done < len; done += V2D_CHUNK) {
			int ret = v2d_write(job, job->dst, off + done, pattern,
					    min_t(u64, len - done, V2D_CHUNK));
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int v2d_op_copy(struct v2d_job *job)
{
	const struct v2d_surface *s = &job->req.src, *d = &job->req.dst;
	u32 cpp = job->req.cpp, row;
	u64 len = (u64)d->width * cpp;
	u8 chunk[V2D_CHUNK];

	for (row = 0; row < d->height && !v2d_job_stopping(job); row++) {
		u64 so = v2d_pixel(s, cpp, 0, row);
		u64 dof = v2d_pixel(d, cpp, 0, row), done;

		for (done = 0; done < len; done += V2D_CHUNK) {
			size_t n = min_t(u64, len - done, V2D_CHUNK);
			int ret;

			ret = v2d_read(job, job->src, so + done, chunk, n);
			if (!ret)
				ret = v2d_write(job, job->dst, dof + done,
						chunk, n);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Where source pixel (@col, @row) lands in the destination. */
static void v2d_rotate_pos(const struct v2d_job *job, u32 col, u32 row,
			   u32 *dcol, u32 *drow)
{
	u32 w = job->req.src.width, h = job->req.src.height;

	switch (job->req.rotation) {
	case 90:
		*dcol = h - 1 - row;
		*drow = col;
		break;
	case 180:
		*dcol = w - 1 - col;
		*drow = h - 1 - row;
		break;
	default:	/* 270 */
		*dcol = row;
		*drow = w - 1 - col;
		break;
	}
}

static int v2d_op_rotate(struct v2d_job *job)
{
	const struct v2d_surface *s = &job->req.src, *d = &job->req.dst;
	u32 col, row, dcol, drow, px;
	int ret;

	for (row = 0; row < s->height && !v2d_job_stopping(job); row++) {
		for (col = 0; col < s->width; col++) {
			ret = v2d_read(job, job->src, v2d_pixel(s, 4, col, row),
				       &px, 4);
			if (ret)
				return ret;
			v2d_rotate_pos(job, col, row, &dcol, &drow);
			ret = v2d_write(job, job->dst,
					v2d_pixel(d, 4, dcol, drow), &px, 4);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int v2d_engine_run(struct v2d_job *job)
{
	switch (job->req.op) {
	case V2D_OP_FILL:
		return v2d_op_fill(job);
	case V2D_OP_COPY:
		return v2d_op_copy(job);
	default:
		return v2d_op_rotate(job);
	}
}

/* ---- lifetime ----------------------------------------------------------- */

/**
 * v2d_job_stop() - tell a job to stop as soon as the engine can
 * @job: the job
 * @err: the error its fence will carry (-ETIMEDOUT, -ECANCELED)
 *
 * The first reason given wins. The worker signals the fence once the
 * engine has stopped touching the buffers.
 */
void v2d_job_stop(struct v2d_job *job, int err)
{
	if (!cmpxchg(&job->stop_err, 0, err))
		complete_all(&job->stop);
}

/* What the worker does with a job; the fence's error, or 0. */
static int v2d_job_execute(struct v2d_job *job)
{
	int ret;

	if (v2d_job_stopping(job))
		return job->stop_err;

	ret = v2d_fence_wait_deps(job);
	if (ret)
		return ret;

	if (job->req.flags & V2D_SUBMIT_HANG) {
		/* A stalled engine: only the watchdog or a close ends it. */
		wait_for_completion(&job->stop);
		return job->stop_err;
	}

	ret = v2d_engine_run(job);
	/* Stopped midway: the output is incomplete. */
	return ret ? ret : READ_ONCE(job->stop_err);
}

static void v2d_job_free(struct v2d_job *job)
{
	int i;

	for (i = 0; i < V2D_NR_DEPS; i++)
		dma_fence_put(job->deps[i]);
	if (job->src)
		v2d_buffer_put(job->src);
	v2d_buffer_put(job->dst);
	dma_fence_put(&job->fence->base);
	kfree(job);
	atomic64_dec(&v2d_counters.live_jobs);
}

static void v2d_job_retire(struct v2d_job *job)
{
	struct v2d_file *vfile = job->file;

	v2d_watchdog_cancel(job);

	/*
	 * Wake a closing file under the lock: once the list is empty the
	 * file may be freed, as soon as the lock is dropped.
	 */
	spin_lock(&vfile->jobs_lock);
	list_del(&job->node);
	if (list_empty(&vfile->jobs))
		wake_up_all(&vfile->idle);
	spin_unlock(&vfile->jobs_lock);

	v2d_job_free(job);
}

static void v2d_job_work(struct work_struct *work)
{
	struct v2d_job *job = container_of(work, struct v2d_job, work);
	int err;

	WRITE_ONCE(job->started, true);
	trace_v2d_job_start(job);
	v2d_watchdog_arm(job);
	err = v2d_job_execute(job);

	/* Count before signalling: a waiter may read the counters at once. */
	if (err == -ETIMEDOUT)
		atomic64_inc(&v2d_counters.timeouts);
	atomic64_inc(err ? &v2d_counters.jobs_failed : &v2d_counters.jobs_done);
	trace_v2d_job_done(job, err);
	v2d_fence_finish(job->fence, err);
	v2d_job_retire(job);
}

static struct v2d_job *v2d_job_alloc(struct v2d_file *vfile,
				     const struct v2d_submit *req)
{
	struct v2d_job *job;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return NULL;

	job->file = vfile;
	job->req = *req;
	job->out_fd = -1;
	INIT_LIST_HEAD(&job->node);
	INIT_WORK(&job->work, v2d_job_work);
	init_completion(&job->stop);
	v2d_watchdog_init(job);
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

/* Free a job that never got a fence. */
static void v2d_job_discard(struct v2d_job *job)
{
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
 * Return: the job, or an ERR_PTR: -ENOENT (unknown handle), -EINVAL,
 * -ERANGE (see &struct v2d_submit), -ENOMEM.
 */
struct v2d_job *v2d_job_create(struct v2d_file *vfile,
			       const struct v2d_submit *req)
{
	struct v2d_job *job;
	int ret;

	job = v2d_job_alloc(vfile, req);
	if (!job)
		return ERR_PTR(-ENOMEM);

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
 * copy out. On error the job is freed.
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
	v2d_job_free(job);
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
	int ret;

	ret = v2d_fence_publish(job);
	if (ret) {
		v2d_job_abandon(job);
		return ret;
	}

	job->submitted = ktime_get();
	spin_lock(&vfile->jobs_lock);
	list_add_tail(&job->node, &vfile->jobs);
	spin_unlock(&vfile->jobs_lock);

	trace_v2d_job_submit(job);
	v2d_fence_install_sync_file(job);
	queue_work(v2d_wq, &job->work);
	return 0;
}

/**
 * v2d_file_cancel_jobs() - stop every job of a closing file and wait
 * @vfile: the file
 *
 * Jobs not yet run are skipped and jobs running are stopped; their
 * fences carry -ECANCELED. Returns once all of them are retired.
 */
void v2d_file_cancel_jobs(struct v2d_file *vfile)
{
	struct v2d_job *job;

	spin_lock(&vfile->jobs_lock);
	list_for_each_entry(job, &vfile->jobs, node)
		v2d_job_stop(job, -ECANCELED);
	spin_unlock(&vfile->jobs_lock);

	wait_event(vfile->idle, list_empty_careful(&vfile->jobs));
	/* The last retiring job may still be inside the lock: let it out. */
	spin_lock(&vfile->jobs_lock);
	spin_unlock(&vfile->jobs_lock);
}
