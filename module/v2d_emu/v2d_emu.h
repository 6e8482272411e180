/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces between the parts of v2d_emu.ko:
 *   main.c     misc device, ioctl dispatch, platform device, params, init/exit
 *   import.c   dma_buf_get/attach/map and the per-file handles
 *   nc.c       a non-coherent engine's non-cacheable view of a buffer
 *   iommu.c    translation units: IOVA windows, page tables, faults
 *   check.c    rectangle and size checks of a job (pure arithmetic)
 *   job.c      jobs: checks, queue, worker, watchdog, retirement
 *   engine.c   the hardware model: FILL/COPY/ROTATE through device
 *              addresses, and the syncs that hand its writes to the CPU
 *   fence.c    job fences, reservation objects, dependencies, sync_file
 *   debug.c    debugfs: imports and jobs in flight
 *   trace.c    the tracepoints (trace.h)
 *
 * Platform assumption, the one the engine's memory access rests on: the
 * DMA device is a platform device behind dma-direct, with no real IOMMU,
 * so a DMA address is the physical address of the memory the device
 * reaches (a swiotlb bounce slot when the mapping bounces). The engine
 * reads and writes that physical memory and nothing else, as hardware
 * would.
 */
#ifndef V2D_EMU_H
#define V2D_EMU_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/rcupdate.h>
#include <linux/kref.h>
#include <linux/refcount.h>
#include <linux/list.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <uapi/v2d_emu.h>

struct sync_file;

/*
 * An open file of /dev/v2d_emu: its imports and its jobs. Lifetime: the
 * file's release waits for its jobs to retire, so a job may point at its
 * file without a reference.
 */
struct v2d_file {
	struct xarray imports;		/* handle -> struct v2d_buffer */
	struct mutex submit_lock;	/* seqno order == queue order */
	u64 context;			/* fence context of this file */
	u64 seqno;			/* last seqno, under submit_lock */
	spinlock_t jobs_lock;
	struct list_head jobs;		/* live jobs, under jobs_lock */
	unsigned int nr_jobs;		/* created, not retired; jobs_lock */
	unsigned int nr_queued;		/* queued, not started; jobs_lock */
	wait_queue_head_t idle;		/* woken when @nr_jobs is 0 */
	wait_queue_head_t queue_room;	/* woken when a job starts */
	struct list_head debug_node;	/* in debug.c's list of files */
};

/*
 * One import of a dma-buf, mapped for the engine's device. Handles and
 * jobs hold references; the last one unmaps and detaches.
 */
struct v2d_mapping;

struct v2d_buffer {
	struct kref ref;
	struct dma_buf *dmabuf;
	struct v2d_mapping *mapping;	/* shared by imports of @dmabuf */
	u64 size;
	u32 handle;
	u32 path_at_import;		/* V2D_PATH_*, for the tracepoint */
	u32 segments_at_import;
	enum dma_data_direction dir;	/* of the mapping */
	bool dynamic;			/* V2D_IMPORT_DYNAMIC */
	bool writable;			/* the fd was open for writing */
	bool readable;			/* the fd was open for reading */
	unsigned long ino;		/* inode of the dma-buf's file */
	pid_t pid;			/* importing process (tgid) */
	char comm[TASK_COMM_LEN];
	struct list_head debug_node;	/* in debug.c's list of imports */
};

/*
 * One DMA mapping of an import's dma-buf and how the engine reaches it.
 * A static import has one for its whole life; a dynamic one a new one
 * after each invalidation by the exporter. The mapping holds the current
 * one and every job the one it was submitted with, so that a job runs on
 * the pages its fence was ordered for, whatever moved since.
 */
struct v2d_place {
	refcount_t ref;
	struct v2d_mapping *mapping;
	struct sg_table *sgt;
	u32 nr_segments;
	u32 path;			/* V2D_PATH_* */
	u32 unit;			/* translation unit (IOMMU path) */
	u64 addr;			/* device address of byte 0 */
	void *nc;			/* non-coherent engine: its view */
	bool need_sync;			/* the DMA API syncs the mapping */
};

/*
 * A job's fence. The first member is the dma_fence, so that the core's
 * dma_fence_free() frees the whole object.
 */
struct v2d_fence {
	struct dma_fence base;
	spinlock_t lock;		/* the dma_fence's lock */
	unsigned long done;		/* bit 0: error set and signalled */
	atomic64_t deadline;		/* earliest deadline (ns), 0: none */
	struct rcu_head rcu;		/* frees it after release */
};

/* Up to three fences a job waits for before it runs. */
enum v2d_dep {
	V2D_DEP_DST,			/* readers and writers of the destination */
	V2D_DEP_SRC,			/* writers of the source */
	V2D_DEP_IN,			/* the caller's in-fence */
	V2D_NR_DEPS
};

struct v2d_job {
	struct list_head node;		/* in file->jobs */
	struct v2d_file *file;
	struct work_struct work;	/* on v2d_wq: run it */
	struct work_struct retire;	/* on v2d_retire_wq: after the fence */
	struct delayed_work watchdog;
	struct completion stop;		/* completed when @stop_err is set */
	int stop_err;			/* why the job must stop, or 0 */
	struct v2d_fence *fence;
	struct dma_fence *deps[V2D_NR_DEPS];
	struct sync_file *sync_file;	/* out-fence before it is installed */
	int out_fd;
	struct v2d_submit req;
	struct v2d_buffer *src;		/* NULL for FILL */
	struct v2d_buffer *dst;
	/* The mappings it runs on, taken at commit; NULL if @map_err. */
	struct v2d_place *src_place;
	struct v2d_place *dst_place;
	int map_err;			/* a dynamic import could not be mapped */
	ktime_t submitted;		/* for its age in debugfs */
	u32 rows_reached;		/* destination rows the engine wrote */
	bool started;			/* the worker has taken it; jobs_lock */
	bool running;			/* the engine touches its buffers; jobs_lock */
};

/* The stop error the job was given, or 0: checked between chunks. */
static inline int v2d_job_stopping(const struct v2d_job *job)
{
	return READ_ONCE(job->stop_err);
}

/* The reservation objects of a job's buffers, locked together. */
struct v2d_resv_set {
	struct dma_resv *objs[2];	/* the destination's first */
	int n;
	struct ww_acquire_ctx ctx;
};

/* main.c */
struct v2d_counters {
	atomic64_t live_imports;
	atomic64_t live_jobs;
	atomic64_t live_fences;
	atomic64_t mapped_pages;
	atomic64_t jobs_done;
	atomic64_t jobs_failed;
	atomic64_t faults;
	atomic64_t timeouts;
};

extern struct v2d_counters v2d_counters;
extern struct device *v2d_dma_dev;
extern struct workqueue_struct *v2d_wq;
extern struct workqueue_struct *v2d_retire_wq;
extern unsigned int v2d_timeout_ms;
extern unsigned int v2d_max_pending_jobs;
extern unsigned int v2d_max_queued_jobs;
extern bool v2d_inject_fault;
extern unsigned int v2d_debug_commit_delay_ms;
extern unsigned int v2d_debug_step_delay_us;

/* import.c */
struct v2d_buffer *v2d_buffer_import(struct v2d_file *vfile, int fd,
				     u32 flags);
void v2d_buffer_publish(struct v2d_file *vfile, struct v2d_buffer *buf);
void v2d_buffer_unreserve(struct v2d_file *vfile, struct v2d_buffer *buf);
int v2d_buffer_release(struct v2d_file *vfile, u32 handle);
struct v2d_buffer *v2d_buffer_lookup(struct v2d_file *vfile, u32 handle);
void v2d_buffer_put(struct v2d_buffer *buf);
void v2d_buffer_release_all(struct v2d_file *vfile);
struct v2d_place *v2d_buffer_place(struct v2d_buffer *buf);
void v2d_place_put(struct v2d_place *p);
int v2d_buffer_describe(struct v2d_buffer *buf, struct v2d_query *q,
			bool *need_sync);

/* Another reference to an import the caller holds one of. */
static inline struct v2d_buffer *v2d_buffer_get(struct v2d_buffer *buf)
{
	kref_get(&buf->ref);
	return buf;
}

/* nc.c */
void *v2d_nc_map(struct sg_table *sgt, u64 size);

/* iommu.c */
int v2d_iommu_init(void);
void v2d_iommu_exit(void);
int v2d_iommu_map(struct sg_table *sgt, u64 size, u32 *unit, u64 *iova);
void v2d_iommu_unmap(u32 unit, u64 iova, u64 size);
int v2d_iommu_translate(u32 unit, u64 iova, dma_addr_t *dma);
int v2d_iommu_translate_run(u32 unit, u64 iova, u64 max, dma_addr_t *dma,
			    u64 *len);

/* check.c */
int v2d_surface_span(const struct v2d_surface *s, u32 cpp, u64 size,
		     u64 *start, u64 *end);
int v2d_check_sizes(const struct v2d_submit *req);

/* job.c */
struct v2d_job *v2d_job_create(struct v2d_file *vfile,
			       const struct v2d_submit *req);
int v2d_job_prepare(struct v2d_job *job);
int v2d_job_commit(struct v2d_job *job);
int v2d_job_wait_queue_room(struct v2d_file *vfile, bool nonblock);
void v2d_job_discard(struct v2d_job *job);
void v2d_job_abandon(struct v2d_job *job);
void v2d_file_cancel_jobs(struct v2d_file *vfile);

/* engine.c */
int v2d_engine_run(struct v2d_job *job);
void v2d_engine_flush(struct v2d_job *job);

/* fence.c */
void v2d_fence_barrier(void);
struct v2d_fence *v2d_fence_create(struct v2d_file *vfile);
bool v2d_fence_finish(struct v2d_fence *fence, int err);
s64 v2d_fence_deadline(struct v2d_fence *fence);
int v2d_fence_lock_buffers(struct v2d_job *job, struct v2d_resv_set *set);
int v2d_fence_order_locked(struct v2d_job *job, struct v2d_resv_set *set);
void v2d_fence_publish_locked(struct dma_fence *fence,
			      struct v2d_resv_set *set);
void v2d_fence_unlock_buffers(struct v2d_resv_set *set);
int v2d_fence_make_sync_file(struct v2d_job *job);
void v2d_fence_drop_sync_file(struct v2d_job *job);
int v2d_fence_wait_deps(struct v2d_job *job);

/* debug.c */
void v2d_debug_init(void);
void v2d_debug_exit(void);
void v2d_debug_add_file(struct v2d_file *vfile);
void v2d_debug_del_file(struct v2d_file *vfile);
void v2d_debug_add_import(struct v2d_buffer *buf);
void v2d_debug_del_import(struct v2d_buffer *buf);

#endif /* V2D_EMU_H */
