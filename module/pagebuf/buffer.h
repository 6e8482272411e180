/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The buffer object of pagebuf.ko, shared by buffer.c, which owns it, and
 * debug.c, which shows it. Locking and lifetime rules are at the top of
 * buffer.c; debug.c only reads, under the locks those rules name.
 */
#ifndef PAGEBUF_BUFFER_H
#define PAGEBUF_BUFFER_H

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

/* Where a buffer stands with the counters of stats.c. */
enum pagebuf_accounting {
	PAGEBUF_UNCOUNTED,	/* module-owned pages: never counted */
	PAGEBUF_RESERVED,	/* quota reserved, fd not yet handed out */
	PAGEBUF_COMMITTED,	/* counted as a live buffer */
};

struct pagebuf_buffer {
	struct mutex lock;		/* see the top of buffer.c */
	struct list_head attachments;
	struct sg_table table;
	struct scatterlist one;		/* table's entry for a single chunk */
	size_t size;
	enum pagebuf_accounting accounting;
	bool owns_pages;
	/*
	 * Called by release, before the buffer is freed, when set: the part
	 * of the module that keeps a pointer to the dma_buf (without a
	 * reference) forgets it there. Set while a reference is held.
	 */
	void (*release_hook)(struct dma_buf *dmabuf);
	unsigned int vmap_count;
	void *vaddr;
	/*
	 * A movable buffer (PAGEBUF_ALLOC_MOVABLE): exported with pin and
	 * unpin, its CPU mappings filled on fault, its DMA mappings holding
	 * a reference on each page (a move frees the old pages while an
	 * importer that was told may still have them mapped). @pins counts
	 * the pinned attachments, under the reservation lock; @moves the
	 * moves done, under @lock. A revoked buffer refuses every new
	 * access (pagebuf_buffer_revoke()); @unmapped is woken when the
	 * last of its @nr_mappings DMA mappings goes, for a revoke waiting
	 * for the importers to let go.
	 */
	bool movable;
	unsigned int pins;
	unsigned int moves;
	bool revoked;			/* under @lock and the resv lock */
	wait_queue_head_t unmapped;
	atomic_t nr_mappings;

	/* What debug.c shows; fixed once the buffer is exported. */
	struct dma_buf *dmabuf;		/* the owner, valid until release */
	unsigned long ino;		/* its file's inode number */
	u32 flags;			/* PAGEBUF_ALLOC_* policy */
	pid_t pid;			/* exporting process (tgid) */
	char comm[TASK_COMM_LEN];
	atomic_t mmaps;			/* live user mappings (VMAs) */
	struct list_head debug_node;	/* in debug.c's registry */
	bool listed;			/* on that registry */
	int listed_on;			/* the CPU whose list has it */
};

struct pagebuf_attachment {
	struct device *dev;
	struct list_head node;		/* in buffer->attachments */
	struct list_head mappings;	/* of struct pagebuf_mapping */
	unsigned int pins;		/* under the reservation lock */
};

struct pagebuf_mapping {
	struct list_head node;		/* in attachment->mappings */
	struct sg_table table;
	enum dma_data_direction dir;
};

#endif /* PAGEBUF_BUFFER_H */
