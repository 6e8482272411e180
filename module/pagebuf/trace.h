/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagebuf tracepoints, under events/pagebuf/ in tracefs. Buffers are
 * named by the inode of their dma-buf file, as in /proc/PID/fdinfo,
 * devices by name: no kernel pointer is recorded.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pagebuf

#if !defined(PAGEBUF_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define PAGEBUF_TRACE_H

#include <linux/device.h>
#include <linux/tracepoint.h>

#include "buffer.h"
#include "compat.h"

TRACE_EVENT(pagebuf_alloc,
	    TP_PROTO(const struct pagebuf_buffer *buf),
	    TP_ARGS(buf),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(size_t, size)
			     __field(unsigned int, segments)
			     __field(u32, flags)
			     __field(pid_t, pid)),
	    TP_fast_assign(__entry->ino = buf->ino;
			   __entry->size = buf->size;
			   __entry->segments = buf->table.orig_nents;
			   __entry->flags = buf->flags;
			   __entry->pid = buf->pid;),
	    TP_printk("ino=%lu size=%zu segments=%u flags=%#x pid=%d", __entry->ino,
		      __entry->size, __entry->segments, __entry->flags,
		      __entry->pid));

TRACE_EVENT(pagebuf_release,
	    TP_PROTO(const struct pagebuf_buffer *buf),
	    TP_ARGS(buf),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(size_t, size)
			     __field(bool, demo)),
	    TP_fast_assign(__entry->ino = buf->ino;
			   __entry->size = buf->size;
			   __entry->demo = !buf->owns_pages;),
	    TP_printk("ino=%lu size=%zu demo=%d", __entry->ino, __entry->size,
		      __entry->demo));

TRACE_EVENT(pagebuf_move,
	    TP_PROTO(const struct pagebuf_buffer *buf, unsigned int old_segments),
	    TP_ARGS(buf, old_segments),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(size_t, size)
			     __field(unsigned int, old_segments)
			     __field(unsigned int, segments)
			     __field(u32, flags)
			     __field(unsigned int, moves)),
	    TP_fast_assign(__entry->ino = buf->ino;
			   __entry->size = buf->size;
			   __entry->old_segments = old_segments;
			   __entry->segments = buf->table.orig_nents;
			   __entry->flags = buf->flags;
			   __entry->moves = buf->moves;),
	    TP_printk("ino=%lu size=%zu segments=%u->%u flags=%#x moves=%u",
		      __entry->ino, __entry->size, __entry->old_segments,
		      __entry->segments, __entry->flags, __entry->moves));

TRACE_EVENT(pagebuf_revoke,
	    TP_PROTO(const struct pagebuf_buffer *buf),
	    TP_ARGS(buf),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(size_t, size)
			     __field(int, mmaps)),
	    TP_fast_assign(__entry->ino = buf->ino;
			   __entry->size = buf->size;
			   __entry->mmaps = atomic_read(&buf->mmaps);),
	    TP_printk("ino=%lu size=%zu mmaps=%d", __entry->ino, __entry->size,
		      __entry->mmaps));

DECLARE_EVENT_CLASS(pagebuf_attach_class,
		    TP_PROTO(const struct pagebuf_buffer *buf, struct device *dev),
		    TP_ARGS(buf, dev),
		    TP_STRUCT__entry(__field(unsigned long, ino)
				     __string(dev, dev_name(dev))),
		    TP_fast_assign(__entry->ino = buf->ino;
				   compat_assign_str(dev, dev_name(dev));),
		    TP_printk("ino=%lu dev=%s", __entry->ino, __get_str(dev)));

DEFINE_EVENT(pagebuf_attach_class,
	     pagebuf_attach,
	     TP_PROTO(const struct pagebuf_buffer *buf, struct device *dev),
	     TP_ARGS(buf, dev));

DEFINE_EVENT(pagebuf_attach_class,
	     pagebuf_detach,
	     TP_PROTO(const struct pagebuf_buffer *buf, struct device *dev),
	     TP_ARGS(buf, dev));

DECLARE_EVENT_CLASS(pagebuf_map_class,
		    TP_PROTO(const struct pagebuf_buffer *buf, struct device *dev,
			     enum dma_data_direction dir, unsigned int nents),
		    TP_ARGS(buf, dev, dir, nents),
		    TP_STRUCT__entry(__field(unsigned long, ino)
				     __string(dev, dev_name(dev))
				     __field(int, dir)
				     __field(unsigned int, nents)),
		    TP_fast_assign(__entry->ino = buf->ino;
				   compat_assign_str(dev, dev_name(dev));
				   __entry->dir = dir;
				   __entry->nents = nents;),
		    TP_printk("ino=%lu dev=%s dir=%d nents=%u", __entry->ino, __get_str(dev),
			      __entry->dir, __entry->nents));

DEFINE_EVENT(pagebuf_map_class,
	     pagebuf_map,
	     TP_PROTO(const struct pagebuf_buffer *buf, struct device *dev,
		      enum dma_data_direction dir, unsigned int nents),
	     TP_ARGS(buf, dev, dir, nents));

DEFINE_EVENT(pagebuf_map_class,
	     pagebuf_unmap,
	     TP_PROTO(const struct pagebuf_buffer *buf, struct device *dev,
		      enum dma_data_direction dir, unsigned int nents),
	     TP_ARGS(buf, dev, dir, nents));

TRACE_EVENT(pagebuf_mmap,
	    TP_PROTO(const struct pagebuf_buffer *buf, unsigned long pgoff,
		     unsigned long len),
	    TP_ARGS(buf, pgoff, len),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(unsigned long, pgoff)
			     __field(unsigned long, len)),
	    TP_fast_assign(__entry->ino = buf->ino;
			   __entry->pgoff = pgoff;
			   __entry->len = len;),
	    TP_printk("ino=%lu pgoff=%lu len=%lu", __entry->ino, __entry->pgoff,
		      __entry->len));

TRACE_EVENT(pagebuf_cpu_access,
	    TP_PROTO(const struct pagebuf_buffer *buf, enum dma_data_direction dir,
		     bool begin),
	    TP_ARGS(buf, dir, begin),
	    TP_STRUCT__entry(__field(unsigned long, ino)
			     __field(int, dir)
			     __field(bool, begin)),
	    TP_fast_assign(__entry->ino = buf->ino;
			   __entry->dir = dir;
			   __entry->begin = begin;),
	    TP_printk("ino=%lu dir=%d %s", __entry->ino, __entry->dir,
		      __entry->begin ? "begin" : "end"));

#endif /* PAGEBUF_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH pagebuf
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
