// SPDX-License-Identifier: GPL-2.0
/*
 * The views, each built as tables for output.c.
 *
 * Rss of a process is the size of every buffer it holds (through an fd or
 * a mapping); Pss shares each buffer's size evenly between the processes
 * that hold it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

static uint64_t pss(const struct di_buf *b)
{
	return b->nholders ? b->size / b->nholders : b->size;
}

static const char *proc_cols[] = {
	"PID", "COMM", "INODE", "SIZE", "RSS", "PSS", "FDS", "MAPS", "EXPORTER", "NAME",
};
static const char *proc_total_cols[] = { "PID", "COMM", "BUFFERS", "RSS", "PSS" };

size_t di_view_process(const struct di_state *st, struct di_table *t)
{
	uint64_t trss = 0, tpss = 0, tbufs = 0;
	size_t i, j;

	di_table_init(&t[0], "buffers", 10, proc_cols);
	di_table_init(&t[1], "processes", 5, proc_total_cols);
	for (i = 0; i < st->nprocs; i++) {
		const struct di_proc *p = &st->procs[i];
		uint64_t rss = 0, ps = 0;

		for (j = 0; j < p->nholds; j++) {
			const struct di_hold *h = &p->holds[j];
			const struct di_buf *b = &st->bufs[h->buf];

			di_row_add(&t[0]);
			di_cell_num(&t[0], 0, (uint64_t)p->pid);
			di_cell_str(&t[0], 1, p->comm);
			di_cell_ino(&t[0], 2, b->ino);
			di_cell_size(&t[0], 3, b->size);
			di_cell_size(&t[0], 4, b->size);
			di_cell_size(&t[0], 5, pss(b));
			di_cell_num(&t[0], 6, h->nfds);
			di_cell_num(&t[0], 7, h->nmaps);
			di_cell_str(&t[0], 8, b->exp_name);
			di_cell_str(&t[0], 9, b->name);
			rss += b->size;
			ps += pss(b);
		}
		di_row_add(&t[1]);
		di_cell_num(&t[1], 0, (uint64_t)p->pid);
		di_cell_str(&t[1], 1, p->comm);
		di_cell_num(&t[1], 2, p->nholds);
		di_cell_size(&t[1], 3, rss);
		di_cell_size(&t[1], 4, ps);
		trss += rss;
		tpss += ps;
		tbufs += p->nholds;
	}
	di_row_add(&t[1]);
	di_cell_str(&t[1], 0, "total");
	di_cell_num(&t[1], 2, tbufs);
	di_cell_size(&t[1], 3, trss);
	di_cell_size(&t[1], 4, tpss);
	t[1].has_total = 1;
	return 2;
}

/*
 * The processes holding each buffer, in process order, built in one pass
 * over the holds: those of buffer b are proc[start[b]] to
 * proc[start[b + 1] - 1].
 */
struct holder_ix {
	size_t *start;
	size_t *proc;
};

static void holders_index(const struct di_state *st, struct holder_ix *hx)
{
	size_t i, j, *next;

	hx->start = di_xrealloc(NULL, st->nbufs + 1, sizeof(*hx->start));
	memset(hx->start, 0, (st->nbufs + 1) * sizeof(*hx->start));
	for (i = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nholds; j++)
			hx->start[st->procs[i].holds[j].buf + 1]++;
	for (i = 0; i < st->nbufs; i++)
		hx->start[i + 1] += hx->start[i];
	hx->proc = di_xrealloc(NULL, hx->start[st->nbufs], sizeof(*hx->proc));
	next = di_xrealloc(NULL, st->nbufs + 1, sizeof(*next));
	memcpy(next, hx->start, (st->nbufs + 1) * sizeof(*next));
	for (i = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nholds; j++)
			hx->proc[next[st->procs[i].holds[j].buf]++] = i;
	free(next);
}

static void holders_free(struct holder_ix *hx)
{
	free(hx->start);
	free(hx->proc);
}

/*
 * "pid(comm),pid(comm)" of the processes holding buffer @bi; "kernel"
 * when none does, the source lists every buffer and every process could
 * be read.
 */
static char *holders(const struct di_state *st, const struct holder_ix *hx,
		     size_t bi)
{
	char *s, part[300];
	size_t k, len = 0, cap = 1;

	if (hx->start[bi] == hx->start[bi + 1] && di_source_lists_all(st) &&
	    !st->unreadable)
		return di_strdup("kernel");
	s = di_strdup("");

	for (k = hx->start[bi]; k < hx->start[bi + 1]; k++) {
		const struct di_proc *p = &st->procs[hx->proc[k]];
		size_t n;

		snprintf(part, sizeof(part), "%s%d(%s)", len ? "," : "",
			 (int)p->pid, p->comm);
		n = strlen(part);
		s = di_grow(s, &cap, len + n + 1, 1);
		memcpy(s + len, part, n + 1);
		len += n;
	}
	return s;
}

static char *join(char **v, size_t n)
{
	size_t i, len = 0;
	char *s = di_strdup("");

	for (i = 0; i < n; i++) {
		size_t l = strlen(v[i]);

		s = di_xrealloc(s, len + l + 2, 1);
		if (i)
			s[len++] = ',';
		memcpy(s + len, v[i], l + 1);
		len += l;
	}
	return s;
}

static const char *buf_cols[] = {
	"INODE", "SIZE", "EXPORTER", "NAME", "COUNT", "HOLDERS", "DEVICES",
};

size_t di_view_buffer(const struct di_state *st, struct di_table *t)
{
	uint64_t total = 0, n = 0;
	struct holder_ix hx;
	size_t i;

	di_table_init(&t[0], "buffers", 7, buf_cols);
	holders_index(st, &hx);
	for (i = 0; i < st->nbufs; i++) {
		const struct di_buf *b = &st->bufs[i];
		char *s;

		if (b->hidden)
			continue;
		di_row_add(&t[0]);
		di_cell_ino(&t[0], 0, b->ino);
		di_cell_size(&t[0], 1, b->size);
		di_cell_str(&t[0], 2, b->exp_name);
		di_cell_str(&t[0], 3, b->name);
		if (b->in_bufinfo)
			di_cell_num(&t[0], 4, (uint64_t)b->count);
		else
			di_cell_str(&t[0], 4, "-");
		s = holders(st, &hx, i);
		di_cell_str(&t[0], 5, s);
		free(s);
		s = join(b->devices, b->ndevices);
		di_cell_str(&t[0], 6, s);
		free(s);
		total += b->size;
		n++;
	}
	holders_free(&hx);
	di_row_add(&t[0]);
	di_cell_str(&t[0], 0, "total");
	di_cell_size(&t[0], 1, total);
	di_cell_num(&t[0], 4, n);
	t[0].has_total = 1;
	return 1;
}

size_t di_view_grid(const struct di_state *st, struct di_table *t)
{
	const char **cols = di_xrealloc(NULL, st->nprocs + 3, sizeof(*cols));
	size_t *row = di_xrealloc(NULL, st->nbufs ? st->nbufs : 1, sizeof(*row));
	char name[300];
	size_t i, j, k;

	cols[0] = di_strdup("INODE");
	cols[1] = di_strdup("SIZE");
	cols[2] = di_strdup("EXPORTER");
	for (i = 0; i < st->nprocs; i++) {
		snprintf(name, sizeof(name), "%s[%d]", st->procs[i].comm,
			 (int)st->procs[i].pid);
		cols[3 + i] = di_strdup(name);
	}
	di_table_init(&t[0], "grid", st->nprocs + 3, cols);
	t[0].own_cols = 1;
	for (k = 0; k < st->nbufs; k++) {
		const struct di_buf *b = &st->bufs[k];

		row[k] = DI_NONE;
		if (b->hidden)
			continue;
		row[k] = t[0].nrows;
		di_row_add(&t[0]);
		di_cell_ino(&t[0], 0, b->ino);
		di_cell_size(&t[0], 1, b->size);
		di_cell_str(&t[0], 2, b->exp_name);
	}
	/* Then each hold into its cell: one pass, not one per buffer. */
	for (i = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nholds; j++) {
			const struct di_hold *h = &st->procs[i].holds[j];

			if (row[h->buf] == DI_NONE)
				continue;
			di_cell_str_at(&t[0], row[h->buf], 3 + i,
				       h->nfds && h->nmaps ? "fd+map" :
				       h->nfds ? "fd" : "map");
		}
	free(row);
	return 1;
}

struct exp_sum {
	const char *name;
	uint64_t bufs, size, rss, pss;
};

static size_t exp_find(struct exp_sum **v, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name))
			return i;
	*v = di_xrealloc(*v, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].name = name;
	return (*n)++;
}

static const char *exp_cols[] = { "EXPORTER", "BUFFERS", "SIZE", "RSS", "PSS" };

size_t di_view_exporter(const struct di_state *st, struct di_table *t)
{
	struct exp_sum *v = NULL, tot = { "total", 0, 0, 0, 0 };
	size_t n = 0, i, j;

	for (i = 0; i < st->nbufs; i++) {
		const struct di_buf *b = &st->bufs[i];
		size_t e;

		if (b->hidden)
			continue;
		e = exp_find(&v, &n, b->exp_name);
		v[e].bufs++;
		v[e].size += b->size;
	}
	for (i = 0; i < st->nprocs; i++)
		for (j = 0; j < st->procs[i].nholds; j++) {
			const struct di_buf *b = &st->bufs[st->procs[i].holds[j].buf];
			size_t e = exp_find(&v, &n, b->exp_name);

			v[e].rss += b->size;
			v[e].pss += pss(b);
		}
	di_table_init(&t[0], "exporters", 5, exp_cols);
	for (i = 0; i <= n; i++) {
		const struct exp_sum *s = i < n ? &v[i] : &tot;

		di_row_add(&t[0]);
		di_cell_str(&t[0], 0, s->name);
		di_cell_num(&t[0], 1, s->bufs);
		di_cell_size(&t[0], 2, s->size);
		di_cell_size(&t[0], 3, s->rss);
		di_cell_size(&t[0], 4, s->pss);
		if (i < n) {
			tot.bufs += s->bufs;
			tot.size += s->size;
			tot.rss += s->rss;
			tot.pss += s->pss;
		}
	}
	t[0].has_total = 1;
	free(v);
	return 1;
}

static const char *fence_cols[] = {
	"INODE", "EXPORTER", "NAME", "USAGE", "DRIVER", "TIMELINE", "CONTEXT", "SEQNO",
};

size_t di_view_fences(const struct di_state *st, struct di_table *t)
{
	size_t i, j;

	di_table_init(&t[0], "fences", 8, fence_cols);
	for (i = 0; i < st->nbufs; i++) {
		const struct di_buf *b = &st->bufs[i];

		if (b->hidden)
			continue;
		for (j = 0; j < b->nfences; j++) {
			const struct di_fence *f = &b->fences[j];

			if (f->signalled)
				continue;
			di_row_add(&t[0]);
			di_cell_ino(&t[0], 0, b->ino);
			di_cell_str(&t[0], 1, b->exp_name);
			di_cell_str(&t[0], 2, b->name);
			di_cell_str(&t[0], 3, f->usage);
			di_cell_str(&t[0], 4, f->driver);
			di_cell_str(&t[0], 5, f->timeline);
			if (f->context)
				di_cell_num(&t[0], 6, f->context);
			else
				di_cell_str(&t[0], 6, "-");
			if (f->has_seqno)
				di_cell_num(&t[0], 7, f->seqno);
			else
				di_cell_str(&t[0], 7, "-");
		}
	}
	return 1;
}

/* ---- diff ---------------------------------------------------------- */

/* Processes are sorted by PID once the state is finished. */
static const struct di_proc *find_proc(const struct di_state *st, pid_t pid)
{
	size_t lo = 0, hi = st->nprocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->procs[mid].pid == pid)
			return &st->procs[mid];
		if (st->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A process's holds are sorted by inode once the state is finished. */
static int proc_holds(const struct di_state *st, const struct di_proc *p,
		      uint64_t ino)
{
	size_t lo = 0, hi = p && ino ? p->nholds : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t x = st->bufs[p->holds[mid].buf].ino;

		if (x == ino)
			return 1;
		if (x < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int state_has(const struct di_state *st, uint64_t ino)
{
	size_t i = di_state_find_buf(st, ino);

	return i != DI_NONE && !st->bufs[i].hidden;
}

static const char *chg_cols[] = {
	"CHANGE", "PID", "COMM", "INODE", "SIZE", "EXPORTER", "NAME",
};
static const char *dproc_cols[] = { "PID", "COMM", "APPEARED", "GONE", "DELTA" };
static const char *dexp_cols[] = { "EXPORTER", "APPEARED", "GONE", "DELTA" };

struct delta {
	pid_t pid;
	const char *name;
	uint64_t plus, minus;
};

static struct delta *delta_get(struct delta **v, size_t *n, pid_t pid,
			       const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i].pid == pid && !strcmp((*v)[i].name, name))
			return &(*v)[i];
	*v = di_xrealloc(*v, *n + 1, sizeof(**v));
	(*v)[*n].pid = pid;
	(*v)[*n].name = name;
	(*v)[*n].plus = (*v)[*n].minus = 0;
	return &(*v)[(*n)++];
}

/* Holds of @a missing from @b, as rows "sign"; sums into @pd. */
static void diff_holds(const struct di_state *a, const struct di_state *b,
		       const char *sign, struct di_table *t,
		       struct delta **pd, size_t *npd)
{
	size_t i, j;

	for (i = 0; i < a->nprocs; i++) {
		const struct di_proc *p = &a->procs[i];
		const struct di_proc *q = find_proc(b, p->pid);

		for (j = 0; j < p->nholds; j++) {
			const struct di_buf *x = &a->bufs[p->holds[j].buf];
			struct delta *d;

			if (proc_holds(b, q, x->ino))
				continue;
			di_row_add(t);
			di_cell_str(t, 0, sign);
			di_cell_num(t, 1, (uint64_t)p->pid);
			di_cell_str(t, 2, p->comm);
			di_cell_ino(t, 3, x->ino);
			di_cell_size(t, 4, x->size);
			di_cell_str(t, 5, x->exp_name);
			di_cell_str(t, 6, x->name);
			d = delta_get(pd, npd, p->pid, p->comm);
			if (*sign == '+')
				d->plus += x->size;
			else
				d->minus += x->size;
		}
	}
}

static void diff_bufs(const struct di_state *a, const struct di_state *b,
		      int plus, struct delta **ed, size_t *ned)
{
	size_t i;

	for (i = 0; i < a->nbufs; i++) {
		const struct di_buf *x = &a->bufs[i];
		struct delta *d;

		if (x->hidden || state_has(b, x->ino))
			continue;
		d = delta_get(ed, ned, 0, x->exp_name);
		if (plus)
			d->plus += x->size;
		else
			d->minus += x->size;
	}
}

size_t di_view_diff(const struct di_state *old, const struct di_state *cur,
		    struct di_table *t)
{
	struct delta *pd = NULL, *ed = NULL;
	size_t npd = 0, ned = 0, i;

	di_table_init(&t[0], "changes", 7, chg_cols);
	diff_holds(cur, old, "+", &t[0], &pd, &npd);
	diff_holds(old, cur, "-", &t[0], &pd, &npd);
	diff_bufs(cur, old, 1, &ed, &ned);
	diff_bufs(old, cur, 0, &ed, &ned);
	di_table_init(&t[1], "processes", 5, dproc_cols);
	for (i = 0; i < npd; i++) {
		di_row_add(&t[1]);
		di_cell_num(&t[1], 0, (uint64_t)pd[i].pid);
		di_cell_str(&t[1], 1, pd[i].name);
		di_cell_size(&t[1], 2, pd[i].plus);
		di_cell_size(&t[1], 3, pd[i].minus);
		di_cell_delta(&t[1], 4, (int64_t)(pd[i].plus - pd[i].minus));
	}
	di_table_init(&t[2], "exporters", 4, dexp_cols);
	for (i = 0; i < ned; i++) {
		di_row_add(&t[2]);
		di_cell_str(&t[2], 0, ed[i].name);
		di_cell_size(&t[2], 1, ed[i].plus);
		di_cell_size(&t[2], 2, ed[i].minus);
		di_cell_delta(&t[2], 3, (int64_t)(ed[i].plus - ed[i].minus));
	}
	free(pd);
	free(ed);
	return 3;
}
