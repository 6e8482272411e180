/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record the BPF dma-buf iterator (dmabuf_iter.bpf.c) writes for each
 * buffer, read by bpf.c: fixed-size, so that userspace needs no parser
 * beyond a bounds check. Strings are NUL-terminated (the BPF side always
 * terminates them) but may hold any other byte: they are the kernel's and
 * the buffers' owners' words, printed escaped.
 */
#ifndef DMABUF_ITER_H
#define DMABUF_ITER_H

#define DI_BPF_EXP_LEN		32
#define DI_BPF_NAME_LEN		64	/* DMA_BUF_NAME_LEN is 32 */
#define DI_BPF_DEV_LEN		32
#define DI_BPF_MAX_DEVS		8
#define DI_BPF_MAX_FENCES	8
/* Attachments and fences are counted up to this, listed up to the above. */
#define DI_BPF_MAX_COUNT	64

/* A fence on the buffer's reservation object. */
struct di_bpf_fence {
	__u64 context;
	__u64 seqno;
	__u32 usage;		/* enum dma_resv_usage: 0 kernel ... 3 bookkeep */
	__u32 signalled;
};

struct di_bpf_rec {
	__u32 magic;		/* DI_BPF_MAGIC: the layout below */
	__u32 ndevs;		/* attachments counted (up to DI_BPF_MAX_COUNT) */
	__u64 ino;
	__u64 size;
	__s64 file_refs;	/* references to the buffer's file */
	__u32 nfences;		/* fences counted (up to DI_BPF_MAX_COUNT) */
	__u32 pad;
	char exp_name[DI_BPF_EXP_LEN];
	char name[DI_BPF_NAME_LEN];
	char devs[DI_BPF_MAX_DEVS][DI_BPF_DEV_LEN];
	struct di_bpf_fence fences[DI_BPF_MAX_FENCES];
};

#define DI_BPF_MAGIC		0x64627566	/* "dbuf" */

#endif
