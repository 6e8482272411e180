// SPDX-License-Identifier: GPL-2.0
/* The buffers and processes found by the scanners. */
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

void di_state_init(struct di_state *st)
{
	memset(st, 0, sizeof(*st));
}

static void buf_free(struct di_buf *b)
{
	size_t i;

	free(b->exp_name);
	free(b->name);
	for (i = 0; i < b->ndevices; i++)
		free(b->devices[i]);
	free(b->devices);
	for (i = 0; i < b->nfences; i++) {
		free(b->fences[i].usage);
		free(b->fences[i].driver);
		free(b->fences[i].timeline);
	}
	free(b->fences);
}

void di_state_free(struct di_state *st)
{
	size_t i;

	for (i = 0; i < st->nbufs; i++)
		buf_free(&st->bufs[i]);
	free(st->bufs);
	for (i = 0; i < st->nprocs; i++) {
		free(st->procs[i].comm);
		free(st->procs[i].holds);
	}
	free(st->procs);
	di_index_free(&st->buf_ix);
	di_index_free(&st->proc_ix);
	di_index_free(&st->hold_ix);
	di_state_init(st);
}

size_t di_state_find_buf(const struct di_state *st, uint64_t ino)
{
	return di_index_get(&st->buf_ix, ino);
}

size_t di_state_buf(struct di_state *st, uint64_t ino)
{
	size_t i;
	struct di_buf *b;

	i = ino ? di_state_find_buf(st, ino) : DI_NONE;
	if (i != DI_NONE)
		return i;
	st->bufs = di_grow(st->bufs, &st->bufs_cap, st->nbufs + 1,
			   sizeof(*st->bufs));
	b = &st->bufs[st->nbufs];
	memset(b, 0, sizeof(*b));
	b->ino = ino;
	b->anon = ino ? 0 : ++st->nanon;
	b->exp_name = di_strdup("");
	b->name = di_strdup("");
	if (ino)
		di_index_put(&st->buf_ix, ino, st->nbufs);
	return st->nbufs++;
}

void di_buf_set_strings(struct di_buf *b, const char *exp, const char *name)
{
	if (exp && *exp) {
		free(b->exp_name);
		b->exp_name = di_strdup(exp);
	}
	if (name && *name && strcmp(name, "<none>") != 0) {
		free(b->name);
		b->name = di_strdup(name);
	}
}

/* A hold's key: its process's PID and its buffer's index. */
static uint64_t hold_key(pid_t pid, size_t buf)
{
	return (uint64_t)(uint32_t)pid << 32 | (uint32_t)buf;
}

/* The PID and hold lookups, after the arrays were sorted or filtered. */
static void reindex(struct di_state *st)
{
	size_t i, j;

	di_index_free(&st->proc_ix);
	di_index_free(&st->hold_ix);
	for (i = 0; i < st->nprocs; i++) {
		const struct di_proc *p = &st->procs[i];

		di_index_put(&st->proc_ix, (uint32_t)p->pid, i);
		for (j = 0; j < p->nholds; j++)
			di_index_put(&st->hold_ix, hold_key(p->pid, p->holds[j].buf), j);
	}
	st->indexed = 1;
}

struct di_proc *di_state_proc(struct di_state *st, pid_t pid, const char *comm)
{
	size_t i;
	struct di_proc *p;

	if (!st->indexed)
		reindex(st);
	i = di_index_get(&st->proc_ix, (uint32_t)pid);
	if (i != DI_NONE)
		return &st->procs[i];
	st->procs = di_grow(st->procs, &st->procs_cap, st->nprocs + 1,
			    sizeof(*st->procs));
	p = &st->procs[st->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->comm = di_strdup(comm ? comm : "");
	di_index_put(&st->proc_ix, (uint32_t)pid, st->nprocs++);
	return p;
}

struct di_hold *di_proc_hold(struct di_state *st, struct di_proc *p, size_t buf)
{
	uint64_t key = hold_key(p->pid, buf);
	size_t i;

	if (!st->indexed)
		reindex(st);
	i = di_index_get(&st->hold_ix, key);
	if (i != DI_NONE)
		return &p->holds[i];
	p->holds = di_grow(p->holds, &p->holds_cap, p->nholds + 1,
			   sizeof(*p->holds));
	memset(&p->holds[p->nholds], 0, sizeof(*p->holds));
	p->holds[p->nholds].buf = buf;
	di_index_put(&st->hold_ix, key, p->nholds);
	return &p->holds[p->nholds++];
}

static const struct di_state *sort_st;

static int cmp_proc(const void *a, const void *b)
{
	const struct di_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_hold(const void *a, const void *b)
{
	const struct di_hold *x = a, *y = b;
	const struct di_buf *bx = &sort_st->bufs[x->buf];
	const struct di_buf *by = &sort_st->bufs[y->buf];

	if (bx->ino != by->ino)
		return (bx->ino > by->ino) - (bx->ino < by->ino);
	return (bx->anon > by->anon) - (bx->anon < by->anon);
}

void di_state_finish(struct di_state *st)
{
	size_t i, j;

	st->indexed = 0;	/* positions change */
	/* qsort()'s array must not be NULL, even when empty. */
	if (st->nprocs > 1)
		qsort(st->procs, st->nprocs, sizeof(*st->procs), cmp_proc);
	sort_st = st;
	for (i = 0; i < st->nbufs; i++)
		st->bufs[i].nholders = 0;
	for (i = 0; i < st->nprocs; i++) {
		struct di_proc *p = &st->procs[i];

		if (p->nholds > 1)
			qsort(p->holds, p->nholds, sizeof(*p->holds), cmp_hold);
		for (j = 0; j < p->nholds; j++) {
			struct di_buf *b = &st->bufs[p->holds[j].buf];

			b->nholders++;
			/* Known only from a mapping: at least what is mapped. */
			if (b->size < p->holds[j].mapped && !b->in_bufinfo)
				b->size = p->holds[j].mapped;
		}
	}
}

void di_state_filter_pid(struct di_state *st, pid_t pid)
{
	size_t i, n = 0;

	for (i = 0; i < st->nprocs; i++) {
		if (st->procs[i].pid == pid) {
			st->procs[n++] = st->procs[i];
		} else {
			free(st->procs[i].comm);
			free(st->procs[i].holds);
		}
	}
	st->nprocs = n;
	st->indexed = 0;
	for (i = 0; i < st->nbufs; i++)
		st->bufs[i].hidden = 1;
	for (i = 0; i < st->nprocs; i++) {
		size_t j;

		for (j = 0; j < st->procs[i].nholds; j++)
			st->bufs[st->procs[i].holds[j].buf].hidden = 0;
	}
}

void di_buf_add_device(struct di_buf *b, const char *dev)
{
	b->devices = di_xrealloc(b->devices, b->ndevices + 1, sizeof(*b->devices));
	b->devices[b->ndevices++] = di_strdup(dev);
}

void di_buf_add_fence(struct di_buf *b, const char *usage, const char *drv,
		      const char *tl, uint64_t ctx, uint64_t seq, int has_seq,
		      int signalled)
{
	struct di_fence *f;

	b->fences = di_xrealloc(b->fences, b->nfences + 1, sizeof(*b->fences));
	f = &b->fences[b->nfences++];
	f->usage = di_strdup(usage);
	f->driver = di_strdup(drv ? drv : "");
	f->timeline = di_strdup(tl ? tl : "");
	f->context = ctx;
	f->seqno = seq;
	f->has_seqno = has_seq;
	f->signalled = signalled;
}

int di_source_lists_all(const struct di_state *st)
{
	return st->source && strcmp(st->source, "proc");
}
