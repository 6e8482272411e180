// SPDX-License-Identifier: GPL-2.0
/* The buffers and processes found by the scanners. */
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

void di_state_init(struct di_state *st)
{
	memset(st, 0, sizeof(*st));
	st->next_fake_ino = DI_FAKE_INO_BASE;
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
	di_state_init(st);
}

size_t di_state_find_buf(const struct di_state *st, uint64_t ino)
{
	size_t i;

	for (i = 0; i < st->nbufs; i++)
		if (st->bufs[i].ino == ino)
			return i;
	return DI_NONE;
}

size_t di_state_buf(struct di_state *st, uint64_t ino)
{
	size_t i;
	struct di_buf *b;

	if (ino == 0)
		ino = st->next_fake_ino++;
	for (i = 0; i < st->nbufs; i++)
		if (st->bufs[i].ino == ino)
			return i;
	st->bufs = di_xrealloc(st->bufs, st->nbufs + 1, sizeof(*st->bufs));
	b = &st->bufs[st->nbufs];
	memset(b, 0, sizeof(*b));
	b->ino = ino;
	b->exp_name = di_strdup("");
	b->name = di_strdup("");
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

struct di_proc *di_state_proc(struct di_state *st, pid_t pid, const char *comm)
{
	size_t i;
	struct di_proc *p;

	for (i = 0; i < st->nprocs; i++)
		if (st->procs[i].pid == pid)
			return &st->procs[i];
	st->procs = di_xrealloc(st->procs, st->nprocs + 1, sizeof(*st->procs));
	p = &st->procs[st->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->comm = di_strdup(comm ? comm : "");
	return p;
}

struct di_hold *di_proc_hold(struct di_proc *p, size_t buf)
{
	size_t i;

	for (i = 0; i < p->nholds; i++)
		if (p->holds[i].buf == buf)
			return &p->holds[i];
	p->holds = di_xrealloc(p->holds, p->nholds + 1, sizeof(*p->holds));
	memset(&p->holds[p->nholds], 0, sizeof(*p->holds));
	p->holds[p->nholds].buf = buf;
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
	uint64_t ix = sort_st->bufs[x->buf].ino, iy = sort_st->bufs[y->buf].ino;

	return (ix > iy) - (ix < iy);
}

void di_state_finish(struct di_state *st)
{
	size_t i, j;

	qsort(st->procs, st->nprocs, sizeof(*st->procs), cmp_proc);
	sort_st = st;
	for (i = 0; i < st->nbufs; i++)
		st->bufs[i].nholders = 0;
	for (i = 0; i < st->nprocs; i++) {
		struct di_proc *p = &st->procs[i];

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
	for (i = 0; i < st->nbufs; i++)
		st->bufs[i].hidden = 1;
	for (i = 0; i < st->nprocs; i++) {
		size_t j;

		for (j = 0; j < st->procs[i].nholds; j++)
			st->bufs[st->procs[i].holds[j].buf].hidden = 0;
	}
}
