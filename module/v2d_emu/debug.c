// SPDX-License-Identifier: GPL-2.0
/*
 * v2d_emu's debugfs directory, /sys/kernel/debug/v2d_emu/:
 *
 *   imports  one line per import: handle, inode of the dma-buf's file,
 *            exporter, size, path (direct or IOMMU), translation unit and
 *            IOVA (IOMMU path only), segments, the mapping's direction
 *            (bidirectional, or to_device for a read-only dma-buf),
 *            whether the DMA API syncs it (need_sync: yes for a
 *            non-coherent engine or a bouncing mapping), static or
 *            dynamic (with ",pinned" where the kernel pins dynamic
 *            mappings, ",invalid" until the next job maps it again, and
 *            the counts of invalidations and remaps), importing process
 *   dma      the engine's device as the DMA API sees it: whether it is
 *            coherent with the CPU's caches, its mask width, and the
 *            largest mapping and segment it takes (one "key value" a line)
 *   jobs     one line per job in flight: context:seqno, op, handles,
 *            state (queued; waiting for its dependencies; running on
 *            the engine; stopping), fence state and error, age in
 *            milliseconds, the deadline a waiter set on its fence (in
 *            milliseconds from now, "-" for none), and the first fence
 *            it still waits for (driver:timeline:context:seqno, "-")
 *
 * Imports are on one list from their creation to their destruction, open
 * files on another from open to release, both under debug_lock; a file's
 * jobs are read under its jobs_lock. Lock order: debug_lock, then a
 * file's jobs_lock; debug_lock, then a dynamic import's reservation
 * lock. The device address of the direct path is not shown (it is a
 * physical address), and no kernel pointer is.
 */
#include <linux/debugfs.h>
#include <linux/dma-fence.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>

#include "compat.h"
#include "v2d_emu.h"

static LIST_HEAD(imports);
static LIST_HEAD(files);
static DEFINE_MUTEX(debug_lock);
static struct dentry *debug_dir;

void v2d_debug_add_file(struct v2d_file *vfile)
{
	mutex_lock(&debug_lock);
	list_add_tail(&vfile->debug_node, &files);
	mutex_unlock(&debug_lock);
}

void v2d_debug_del_file(struct v2d_file *vfile)
{
	mutex_lock(&debug_lock);
	list_del(&vfile->debug_node);
	mutex_unlock(&debug_lock);
}

void v2d_debug_add_import(struct v2d_buffer *buf)
{
	mutex_lock(&debug_lock);
	list_add_tail(&buf->debug_node, &imports);
	mutex_unlock(&debug_lock);
}

void v2d_debug_del_import(struct v2d_buffer *buf)
{
	mutex_lock(&debug_lock);
	list_del_init(&buf->debug_node);
	mutex_unlock(&debug_lock);
}

/*
 * The mapping column: "static", or "dynamic" with the exporter's
 * invalidations and the engine's remaps since the first dynamic import
 * ("dynamic,invalid,3,2" while the next job has yet to map it again).
 */
static void v2d_import_show(struct seq_file *s, struct v2d_buffer *buf)
{
	struct v2d_query q;
	bool need_sync;

	seq_printf(s, "%u %lu %s %llu ", READ_ONCE(buf->handle),
		   buf->ino, buf->dmabuf->exp_name, buf->size);
	if (v2d_buffer_describe(buf, &q, &need_sync)) {
		seq_printf(s, "? - - - - - ? %d %s\n", buf->pid, buf->comm);
		return;
	}
	if (q.path == V2D_PATH_IOMMU)
		seq_printf(s, "iommu %u %#llx", q.unit, q.iova);
	else if (q.path == V2D_PATH_DIRECT)
		seq_puts(s, "direct - -");
	else
		seq_puts(s, "none - -");
	seq_printf(s, " %u %s %s ", q.nr_segments,
		   buf->dir == DMA_TO_DEVICE ? "to_device" : "bidirectional",
		   q.path ? (need_sync ? "yes" : "no") : "-");
	if (!buf->dynamic)
		seq_puts(s, "static");
	else
		seq_printf(s, "dynamic%s%s%s,%u,%u",
			   q.state & V2D_QUERY_PINNED ? ",pinned" : "",
			   q.state & V2D_QUERY_REVOCABLE ? ",revocable" : "",
			   q.state & V2D_QUERY_INVALID ? ",invalid" : "",
			   q.invalidations, q.remaps);
	seq_printf(s, " %d %s\n", buf->pid, buf->comm);
}

static int v2d_imports_show(struct seq_file *s, void *unused)
{
	struct v2d_buffer *buf;

	seq_puts(s, "handle inode exporter size path unit iova segments dir need_sync mapping pid comm\n");
	mutex_lock(&debug_lock);
	list_for_each_entry(buf, &imports, debug_node)
		v2d_import_show(s, buf);
	mutex_unlock(&debug_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(v2d_imports);

static const char *v2d_op_name(u32 op)
{
	switch (op) {
	case V2D_OP_FILL:
		return "fill";
	case V2D_OP_COPY:
		return "copy";
	default:
		return "rotate";
	}
}

/*
 * The first dependency the job still waits for, as
 * driver:timeline:context:seqno, or "-". Another driver's names are
 * escaped: they are not ours to trust.
 */
static void v2d_show_waits(struct seq_file *s, struct v2d_job *job)
{
	struct dma_fence *dep;
	int i;

	for (i = 0; i < V2D_NR_DEPS; i++) {
		dep = job->deps[i];
		/*
		 * The flag, not dma_fence_is_signaled(): that may signal
		 * the fence, and run its callbacks, under this file's
		 * jobs_lock.
		 */
		if (!dep || test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &dep->flags))
			continue;
		rcu_read_lock();
		seq_escape(s, compat_dma_fence_driver_name(dep), " \t\n\\:");
		seq_putc(s, ':');
		seq_escape(s, compat_dma_fence_timeline_name(dep), " \t\n\\:");
		rcu_read_unlock();
		seq_printf(s, ":%llu:%llu", dep->context, dep->seqno);
		return;
	}
	seq_putc(s, '-');
}

static void v2d_show_job(struct seq_file *s, struct v2d_job *job, ktime_t now)
{
	struct dma_fence *f = &job->fence->base;
	s64 deadline = v2d_fence_deadline(job->fence);
	const char *state;

	if (READ_ONCE(job->stop_err))
		state = "stopping";
	else if (job->running)
		state = "running";
	else if (READ_ONCE(job->started))
		state = "waiting";
	else
		state = "queued";

	seq_printf(s, "%llu:%llu %s %u %u %s%s %s %d %lld ",
		   f->context, f->seqno, v2d_op_name(job->req.op),
		   job->src ? job->src->handle : 0, job->dst->handle, state,
		   job->req.flags & V2D_SUBMIT_HANG ? "(hang)" : "",
		   dma_fence_is_signaled(f) ? "signalled" : "unsignalled",
		   f->error, ktime_ms_delta(now, job->submitted));
	if (deadline)
		seq_printf(s, "%lld ", div_s64(deadline - ktime_to_ns(now),
					       NSEC_PER_MSEC));
	else
		seq_puts(s, "- ");
	v2d_show_waits(s, job);
	seq_putc(s, '\n');
}

static int v2d_jobs_show(struct seq_file *s, void *unused)
{
	ktime_t now = ktime_get();
	struct v2d_file *vfile;
	struct v2d_job *job;

	seq_puts(s, "fence op src dst state fence error age_ms deadline_ms waits\n");
	mutex_lock(&debug_lock);
	list_for_each_entry(vfile, &files, debug_node) {
		spin_lock(&vfile->jobs_lock);
		list_for_each_entry(job, &vfile->jobs, node)
			v2d_show_job(s, job, now);
		spin_unlock(&vfile->jobs_lock);
	}
	mutex_unlock(&debug_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(v2d_jobs);

static int v2d_dma_show(struct seq_file *s, void *unused)
{
	struct device *dev = v2d_dma_dev;

	seq_printf(s, "coherent %s\n", dev_is_dma_coherent(dev) ? "yes" : "no");
	seq_printf(s, "dma_bits %d\n", fls64(dma_get_mask(dev)));
	seq_printf(s, "max_mapping_size %zu\n", dma_max_mapping_size(dev));
	seq_printf(s, "max_segment_size %u\n", dma_get_max_seg_size(dev));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(v2d_dma);

/* A debugging aid: the engine works without debugfs, so no error here. */
void v2d_debug_init(void)
{
	debug_dir = debugfs_create_dir("v2d_emu", NULL);
	debugfs_create_file("imports", 0400, debug_dir, NULL,
			    &v2d_imports_fops);
	debugfs_create_file("jobs", 0400, debug_dir, NULL, &v2d_jobs_fops);
	debugfs_create_file("dma", 0444, debug_dir, NULL, &v2d_dma_fops);
}

void v2d_debug_exit(void)
{
	debugfs_remove_recursive(debug_dir);
}
