// SPDX-License-Identifier: GPL-2.0
/*
 * Every dma-buf of the system from the kernel's BPF dma-buf iterator
 * (Linux 6.16+): the program in bpf/dmabuf_iter.bpf.c, built into this
 * file by bpftool's skeleton and loaded with libbpf. It sees what debugfs
 * bufinfo sees (buffers held only by drivers, their attachments and
 * fences) without debugfs, and what CONFIG_DMABUF_SYSFS_STATS showed
 * before its removal. It needs the kernel's BTF and the right to load BPF
 * programs (root, or CAP_BPF with CAP_PERFMON).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "inspect.h"
#include "bpf/dmabuf_iter.h"
#include "bpf/dmabuf_iter.skel.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* libbpf's own messages would name internals; the reasons below do not. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* NULL when the running kernel has BTF and the iterator, else why not. */
static const char *iter_missing(void)
{
	struct btf *btf;
	int id;

	if (access(VMLINUX_BTF, R_OK) < 0)
		return errno == ENOENT ?
		       "the kernel has no BTF (" VMLINUX_BTF ", CONFIG_DEBUG_INFO_BTF)" :
		       VMLINUX_BTF " is not readable";
	btf = btf__load_vmlinux_btf();
	if (!btf)
		return "the kernel's BTF cannot be read";
	id = btf__find_by_name_kind(btf, "bpf_iter_dmabuf", BTF_KIND_FUNC);
	btf__free(btf);
	if (id < 0)
		return "the kernel has no BPF dma-buf iterator (Linux 6.16 or newer)";
	return NULL;
}

static const char *const usages[] = { "kernel", "write", "read", "bookkeep" };

/* The BPF side ends every string; a record read from elsewhere may not. */
static void terminate(char *s, size_t n)
{
	s[n - 1] = '\0';
}

static void add_record(struct di_state *st, struct di_bpf_rec *r)
{
	struct di_buf *b;
	char more[32];
	size_t bi;
	__u32 i;

	if (!r->ino)
		return;
	/* Apart: di_state_buf() may move st->bufs. */
	bi = di_state_buf(st, r->ino);
	b = &st->bufs[bi];
	terminate(r->exp_name, sizeof(r->exp_name));
	terminate(r->name, sizeof(r->name));
	di_buf_set_strings(b, r->exp_name, r->name);
	b->size = r->size;
	b->count = r->file_refs < 0 ? 0 : (long)r->file_refs;
	b->in_bufinfo = 1;
	for (i = 0; i < r->ndevs && i < DI_BPF_MAX_DEVS; i++) {
		terminate(r->devs[i], sizeof(r->devs[i]));
		di_buf_add_device(b, r->devs[i]);
	}
	if (r->ndevs > DI_BPF_MAX_DEVS) {
		snprintf(more, sizeof(more), "+%u more",
			 (unsigned int)(r->ndevs - DI_BPF_MAX_DEVS));
		di_buf_add_device(b, more);
	}
	for (i = 0; i < r->nfences && i < DI_BPF_MAX_FENCES; i++) {
		const struct di_bpf_fence *f = &r->fences[i];

		di_buf_add_fence(b, usages[f->usage & 3], NULL, NULL,
				 f->context, f->seqno, 1, !!f->signalled);
	}
}

/*
 * The iterator's output: whole records, which a read() may split. At
 * most DI_MAX_BUFINFO bytes, as bufinfo's text.
 */
static int read_records(struct di_state *st, int fd, char *why, size_t len)
{
	static char chunk[64 * sizeof(struct di_bpf_rec)];
	struct di_bpf_rec rec;
	size_t have = 0, total = 0;
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, len, "reading the BPF iterator: %s",
				 strerror(errno));
			return -1;
		}
		total += (size_t)n;
		if (total > DI_MAX_BUFINFO) {
			snprintf(why, len, "the BPF iterator gave more than %lu MiB",
				 DI_MAX_BUFINFO >> 20);
			return -1;
		}
		while (off < (size_t)n) {
			size_t take = sizeof(rec) - have;

			if (take > (size_t)n - off)
				take = (size_t)n - off;
			memcpy((char *)&rec + have, chunk + off, take);
			have += take;
			off += take;
			if (have < sizeof(rec))
				break;
			have = 0;
			if (rec.magic != DI_BPF_MAGIC) {
				snprintf(why, len, "the BPF iterator's records are not this program's");
				return -1;
			}
			add_record(st, &rec);
		}
	}
	if (have) {
		snprintf(why, len, "the BPF iterator's output ended inside a record");
		return -1;
	}
	return 0;
}

int di_scan_bpf(struct di_state *st, char *why, size_t len)
{
	const char *missing = iter_missing();
	struct dmabuf_iter *skel;
	struct bpf_link *link;
	int fd, ret = -1;

	if (missing) {
		snprintf(why, len, "%s", missing);
		return -1;
	}
	libbpf_set_print(quiet);
	skel = dmabuf_iter__open_and_load();
	if (!skel) {
		int err = errno;

		if (err == EPERM || err == EACCES)
			snprintf(why, len, "not permitted to load BPF programs "
				 "(root, or CAP_BPF and CAP_PERFMON, is needed)");
		else
			snprintf(why, len, "the BPF iterator does not load: %s",
				 strerror(err));
		return -1;
	}
	link = bpf_program__attach_iter(skel->progs.dmabuf_collect, NULL);
	if (!link) {
		snprintf(why, len, "the BPF iterator does not attach: %s",
			 strerror(errno));
		goto out_skel;
	}
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		snprintf(why, len, "the BPF iterator does not start: %s",
			 strerror(errno));
		goto out_link;
	}
	ret = read_records(st, fd, why, len);
	close(fd);
out_link:
	bpf_link__destroy(link);
out_skel:
	dmabuf_iter__destroy(skel);
	return ret;
}
