/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces between the parts of pagebuf.ko:
 *   main.c     misc device, ioctl dispatch, module parameters, init/exit
 *   buffer.c   the buffer object and its dma_buf_ops
 *   pages.c    page allocation policies
 *   classic.c  the classic demo buffer, its ioctl and read()
 *   stats.c    live buffer/byte/peak counters and the quota
 *   debug.c    debugfs: the registry of live buffers, their mappings
 *   sysfs.c    the counters as attributes of the misc device
 *   trace.c    the tracepoints (trace.h)
 *   heap.c     the allocation policies as dma-heaps (dma_heaps=1)
 */
#ifndef PAGEBUF_H
#define PAGEBUF_H

#include <linux/dma-buf.h>
#include <linux/types.h>

#include <uapi/pagebuf.h>

struct page;
struct pagebuf_buffer;
struct attribute_group;

/* buffer.c */
struct dma_buf *pagebuf_buffer_create(size_t size, u32 flags, u32 mode,
				      const char *name);
void pagebuf_buffer_commit(struct dma_buf *dmabuf);
unsigned int pagebuf_buffer_segments(struct dma_buf *dmabuf);
bool pagebuf_buffer_is_movable(struct dma_buf *dmabuf);
int pagebuf_buffer_move(struct dma_buf *dmabuf, u32 policy, u32 *nr_segments);
int pagebuf_buffer_revoke(struct dma_buf *dmabuf);
struct dma_buf *pagebuf_buffer_wrap_page(struct page *page);
void pagebuf_buffer_set_release_hook(struct dma_buf *dmabuf,
				     void (*hook)(struct dma_buf *dmabuf));

/* pages.c */
int pagebuf_pages_alloc(struct sg_table *table, struct scatterlist *one,
			size_t size, u32 flags);
void pagebuf_pages_free(struct sg_table *table);
int pagebuf_table_alloc(struct sg_table *table, struct scatterlist *one,
			unsigned int nents);
void pagebuf_table_free(struct sg_table *table, struct scatterlist *one);

/* classic.c */
int pagebuf_classic_init(void);
void pagebuf_classic_exit(void);
long pagebuf_classic_get_fd(int __user *ufd);
ssize_t pagebuf_classic_read(char __user *ubuf, size_t count, loff_t *ppos);

/* stats.c */
int pagebuf_stats_reserve(u64 bytes, u64 quota);
void pagebuf_stats_cancel(u64 bytes);
void pagebuf_stats_commit(u64 bytes);
void pagebuf_stats_release(u64 bytes);
void pagebuf_stats_attach(int delta);
void pagebuf_stats_map(int delta);
void pagebuf_stats_vmap(int delta);
void pagebuf_stats_read(struct pagebuf_stats *out);
void pagebuf_stats_reset_peak(void);

/* debug.c */
void pagebuf_debug_init(void);
void pagebuf_debug_exit(void);
void pagebuf_debug_list(struct pagebuf_buffer *buf);
void pagebuf_debug_unlist(struct pagebuf_buffer *buf);

/* heap.c: the policies as dma-heaps, where the kernel allows it */
/* Whether dma_heaps= can be honoured: called before anything is registered. */
int pagebuf_heap_check(void);
int pagebuf_heap_init(void);

/* sysfs.c: attributes of the misc device */
extern const struct attribute_group *pagebuf_attr_groups[];

/* main.c: module parameters, read with READ_ONCE (writable at run time) */
extern unsigned long pagebuf_max_buffer_size;
extern unsigned long pagebuf_quota;

#endif /* PAGEBUF_H */
