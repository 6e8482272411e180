/* SPDX-License-Identifier: GPL-2.0 */
/*
 * v2d_emu tracepoints, under events/v2d_emu/ in tracefs. Imports are
 * named by handle and by the inode of their dma-buf's file, jobs by
 * their fence's context and seqno: no kernel pointer is recorded.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM v2d_emu

#if !defined(V2D_EMU_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define V2D_EMU_TRACE_H

#include <linux/tracepoint.h>

#include "compat.h"
#include "v2d_emu.h"

TRACE_EVENT(v2d_import,
	    TP_PROTO(const struct v2d_buffer *buf),
	    TP_ARGS(buf),
	    TP_STRUCT__entry(__field(u32, handle)
			     __field(unsigned long, ino)
			     __string(exporter, buf->dmabuf->exp_name)
			     __field(u64, size)
			     __field(u32, path)
			     __field(u32, segments)),
	    TP_fast_assign(__entry->handle = buf->handle;
			   __entry->ino = buf->ino;
			   compat_assign_str(exporter, buf->dmabuf->exp_name);
			   __entry->size = buf->size;
			   __entry->path = buf->path_at_import;
			   __entry->segments = buf->segments_at_import;),
	    TP_printk("handle=%u ino=%lu exporter=%s size=%llu path=%s segments=%u",
		      __entry->handle, __entry->ino, __get_str(exporter),
		      __entry->size,
		      __entry->path == V2D_PATH_IOMMU ? "iommu" : "direct",
		      __entry->segments));

TRACE_EVENT(v2d_release,
	    TP_PROTO(const struct v2d_buffer *buf),
	    TP_ARGS(buf),
	    TP_STRUCT__entry(__field(u32, handle)
			     __field(unsigned long, ino)),
	    TP_fast_assign(__entry->handle = buf->handle;
			   __entry->ino = buf->ino;),
	    TP_printk("handle=%u ino=%lu", __entry->handle, __entry->ino));

/* A dynamic import's exporter invalidated the engine's mapping. */
TRACE_EVENT(v2d_invalidate,
	    TP_PROTO(unsigned long ino, u32 invalidations, bool was_mapped),
	    TP_ARGS(ino, invalidations, was_mapped),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(u32, invalidations)
			     __field(bool, was_mapped)),
	    TP_fast_assign(__entry->ino = ino;
			   __entry->invalidations = invalidations;
			   __entry->was_mapped = was_mapped;),
	    TP_printk("ino=%lu invalidations=%u was_mapped=%d", __entry->ino,
		      __entry->invalidations, __entry->was_mapped));

/* A submit mapped a dynamic import again (@p NULL: it failed). */
TRACE_EVENT(v2d_remap,
	    TP_PROTO(unsigned long ino, const struct v2d_place *p, int error),
	    TP_ARGS(ino, p, error),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(u32, path)
			     __field(u32, segments)
			     __field(int, error)),
	    TP_fast_assign(__entry->ino = ino;
			   __entry->path = p ? p->path : 0;
			   __entry->segments = p ? p->nr_segments : 0;
			   __entry->error = error;),
	    TP_printk("ino=%lu path=%s segments=%u error=%d", __entry->ino,
		      __entry->path == V2D_PATH_IOMMU ? "iommu" :
		      __entry->path == V2D_PATH_DIRECT ? "direct" : "none",
		      __entry->segments, __entry->error));

/* A waiter set a deadline on a job's fence (the earliest one is kept). */
TRACE_EVENT(v2d_fence_deadline,
	    TP_PROTO(const struct dma_fence *f, s64 deadline_ns),
	    TP_ARGS(f, deadline_ns),
	    TP_STRUCT__entry(__field(u64, context)
			     __field(u64, seqno)
			     __field(s64, deadline_ns)
			     __field(s64, in_ns)),
	    TP_fast_assign(__entry->context = f->context;
			   __entry->seqno = f->seqno;
			   __entry->deadline_ns = deadline_ns;
			   __entry->in_ns = deadline_ns - ktime_get_ns();),
	    TP_printk("fence=%llu:%llu deadline_ns=%lld in_ns=%lld",
		      __entry->context, __entry->seqno, __entry->deadline_ns,
		      __entry->in_ns));

DECLARE_EVENT_CLASS(v2d_job_class,
		    TP_PROTO(const struct v2d_job *job),
		    TP_ARGS(job),
		    TP_STRUCT__entry(__field(u64, context)
				     __field(u64, seqno)
				     __field(u32, op)
				     __field(u32, flags)
				     __field(u32, dst)),
		    TP_fast_assign(__entry->context = job->fence->base.context;
				   __entry->seqno = job->fence->base.seqno;
				   __entry->op = job->req.op;
				   __entry->flags = job->req.flags;
				   __entry->dst = job->req.dst.handle;),
		    TP_printk("fence=%llu:%llu op=%u flags=%#x dst=%u", __entry->context,
			      __entry->seqno, __entry->op, __entry->flags,
			      __entry->dst));

DEFINE_EVENT(v2d_job_class,
	     v2d_job_submit,
	     TP_PROTO(const struct v2d_job *job),
	     TP_ARGS(job));

DEFINE_EVENT(v2d_job_class,
	     v2d_job_start,
	     TP_PROTO(const struct v2d_job *job),
	     TP_ARGS(job));

TRACE_EVENT(v2d_job_done,
	    TP_PROTO(const struct v2d_job *job, int error),
	    TP_ARGS(job, error),
	    TP_STRUCT__entry(__field(u64, context)
			     __field(u64, seqno)
			     __field(int, error)),
	    TP_fast_assign(__entry->context = job->fence->base.context;
			   __entry->seqno = job->fence->base.seqno;
			   __entry->error = error;),
	    TP_printk("fence=%llu:%llu error=%d", __entry->context, __entry->seqno,
		      __entry->error));

#endif /* V2D_EMU_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH v2d_emu
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
