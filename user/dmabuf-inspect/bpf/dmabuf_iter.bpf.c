// SPDX-License-Identifier: GPL-2.0
/*
 * Every dma-buf of the system, one fixed-size record each (dmabuf_iter.h),
 * from the kernel's BPF dma-buf iterator (Linux 6.16+, "iter/dmabuf").
 *
 * CO-RE: the kernel types below name only the fields read here, and
 * libbpf finds their offsets in the running kernel's BTF, so one object
 * serves every kernel and architecture that has the iterator. The
 * iterator holds a reference on each buffer's file while this runs, and
 * runs it under rcu_read_lock(): the buffer cannot go away, and the
 * fence list, freed after a grace period, stays readable. The name is
 * read without the buffer's name_lock (a BPF program cannot take it), as
 * the kernel's own selftest of the iterator does: a rename racing with
 * it may give a mix of the two names, always NUL-terminated.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "dmabuf_iter.h"

struct seq_file;

struct bpf_iter_meta {
	struct seq_file *seq;
} __attribute__((preserve_access_index));

struct list_head {
	struct list_head *next;
} __attribute__((preserve_access_index));

struct kobject {
	const char *name;
} __attribute__((preserve_access_index));

struct device {
	struct kobject kobj;
} __attribute__((preserve_access_index));

struct inode {
	unsigned long i_ino;
} __attribute__((preserve_access_index));

/* file_ref_t (6.13+): the count of references, less one. */
struct file_ref {
	struct {
		long counter;
	} refcnt;
};

struct file {
	struct file_ref f_ref;
	struct inode *f_inode;
} __attribute__((preserve_access_index));

struct dma_fence {
	__u64 context;
	__u64 seqno;
	unsigned long flags;
} __attribute__((preserve_access_index));

struct dma_resv_list {
	__u32 num_fences;
	struct dma_fence *table[];
} __attribute__((preserve_access_index));

struct dma_resv {
	struct dma_resv_list *fences;
} __attribute__((preserve_access_index));

struct dma_buf {
	__u64 size;
	struct file *file;
	struct list_head attachments;
	const char *exp_name;
	const char *name;
	struct dma_resv *resv;
} __attribute__((preserve_access_index));

struct dma_buf_attachment {
	struct device *dev;
	struct list_head node;
} __attribute__((preserve_access_index));

struct bpf_iter__dmabuf {
	struct bpf_iter_meta *meta;
	struct dma_buf *dmabuf;
} __attribute__((preserve_access_index));

enum dma_fence_flag_bits {
	DMA_FENCE_FLAG_SIGNALED_BIT = 0,
};

/* A fence list entry's low bits are its usage (DMA_RESV_LIST_MASK). */
#define RESV_USAGE_MASK 0x3UL

/* The record is larger than the BPF stack: built in this map's slot. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct di_bpf_rec);
} scratch SEC(".maps");

static void read_devices(struct dma_buf *d, struct di_bpf_rec *rec)
{
	struct list_head *head = __builtin_preserve_access_index(&d->attachments);
	struct list_head *pos = BPF_CORE_READ(d, attachments.next);
	__u32 i;

	for (i = 0; i < DI_BPF_MAX_COUNT; i++) {
		struct dma_buf_attachment *a;

		if (!pos || pos == head)
			break;
		a = (void *)pos - bpf_core_field_offset(struct dma_buf_attachment, node);
		if (i < DI_BPF_MAX_DEVS)
			bpf_probe_read_kernel_str(rec->devs[i], DI_BPF_DEV_LEN,
						  BPF_CORE_READ(a, dev, kobj.name));
		pos = BPF_CORE_READ(pos, next);
	}
	rec->ndevs = i;
}

static void read_fences(struct dma_buf *d, struct di_bpf_rec *rec)
{
	struct dma_resv_list *list = BPF_CORE_READ(d, resv, fences);
	__u32 n, i, bit;

	if (!list)
		return;
	n = BPF_CORE_READ(list, num_fences);
	bit = bpf_core_enum_value(enum dma_fence_flag_bits,
				  DMA_FENCE_FLAG_SIGNALED_BIT);
	for (i = 0; i < DI_BPF_MAX_FENCES && i < n; i++) {
		struct dma_fence *f;
		unsigned long e = 0;

		bpf_probe_read_kernel(&e, sizeof(e),
				      __builtin_preserve_access_index(&list->table[i]));
		f = (struct dma_fence *)(e & ~RESV_USAGE_MASK);
		rec->fences[i].usage = e & RESV_USAGE_MASK;
		rec->fences[i].context = BPF_CORE_READ(f, context);
		rec->fences[i].seqno = BPF_CORE_READ(f, seqno);
		rec->fences[i].signalled = (BPF_CORE_READ(f, flags) >> (bit & 63)) & 1;
	}
	rec->nfences = n < DI_BPF_MAX_COUNT ? n : DI_BPF_MAX_COUNT;
}

SEC("iter/dmabuf")
int dmabuf_collect(struct bpf_iter__dmabuf *ctx)
{
	struct dma_buf *d = ctx->dmabuf;
	struct di_bpf_rec *rec;
	__u32 zero = 0;

	if (!d)
		return 0;
	rec = bpf_map_lookup_elem(&scratch, &zero);
	if (!rec)
		return 0;
	__builtin_memset(rec, 0, sizeof(*rec));
	rec->magic = DI_BPF_MAGIC;
	rec->size = BPF_CORE_READ(d, size);
	rec->ino = BPF_CORE_READ(d, file, f_inode, i_ino);
	rec->file_refs = BPF_CORE_READ(d, file, f_ref.refcnt.counter);
	bpf_probe_read_kernel_str(rec->exp_name, sizeof(rec->exp_name),
				  BPF_CORE_READ(d, exp_name));
	bpf_probe_read_kernel_str(rec->name, sizeof(rec->name),
				  BPF_CORE_READ(d, name));
	read_devices(d, rec);
	read_fences(d, rec);
	bpf_seq_write(ctx->meta->seq, rec, sizeof(*rec));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
