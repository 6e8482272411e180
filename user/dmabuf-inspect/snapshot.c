// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots for --save and --diff: a text file, one record a line, fields
 * separated by tabs, strings escaped (\\, \t, \n):
 *
 *   dmabuf-inspect snapshot 1
 *   B <buffer> <size> <exporter> <name>
 *   P <pid> <comm>
 *   H <pid> <buffer> <fds> <maps> <mapped bytes>
 *
 * A buffer is its inode, or "~N" (N = 1, 2, ...) for one whose inode was
 * not known: such a one matches no buffer of another state.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <dmabuf-lab.h>

#include "inspect.h"

#define MAGIC "dmabuf-inspect snapshot 1"

static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*d++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

static void put_ident(FILE *f, const struct di_buf *b)
{
	if (b->ino)
		fprintf(f, "%" PRIu64, b->ino);
	else
		fprintf(f, "~%" PRIu64, b->anon);
}

int di_snapshot_save(const struct di_state *st, const char *path)
{
	FILE *f = fopen(path, "w");
	size_t i, j;
	int bad;

	if (!f)
		return -1;
	fprintf(f, MAGIC "\n");
	for (i = 0; i < st->nbufs; i++) {
		const struct di_buf *b = &st->bufs[i];

		if (b->hidden)
			continue;
		fputs("B\t", f);
		put_ident(f, b);
		fprintf(f, "\t%" PRIu64 "\t", b->size);
		put_escaped(f, b->exp_name);
		fputc('\t', f);
		put_escaped(f, b->name);
		fputc('\n', f);
	}
	for (i = 0; i < st->nprocs; i++) {
		const struct di_proc *p = &st->procs[i];

		fprintf(f, "P\t%d\t", (int)p->pid);
		put_escaped(f, p->comm);
		fputc('\n', f);
		for (j = 0; j < p->nholds; j++) {
			const struct di_hold *h = &p->holds[j];

			fprintf(f, "H\t%d\t", (int)p->pid);
			put_ident(f, &st->bufs[h->buf]);
			fprintf(f, "\t%u\t%u\t%" PRIu64 "\n", h->nfds,
				h->nmaps, h->mapped);
		}
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* Where a snapshot is being read, for messages. */
struct snap_ctx {
	struct di_state *st;
	const char *name;
	int line;
	char *why;
	size_t len;
	struct di_index anon;	/* "~N" of the file -> bufs[] */
};

static int bad(struct snap_ctx *c, const char *what, const char *field)
{
	snprintf(c->why, c->len, "%s:%d: %s '%s'", c->name, c->line, what,
		 field);
	return -1;
}

static int number(struct snap_ctx *c, const char *f, uint64_t min,
		  uint64_t max, const char *what, uint64_t *v)
{
	return dmabuf_lab_parse_u64(f, min, max, v) ? bad(c, what, f) : 0;
}

/* A buffer's identity: its inode, or "~N" for one of unknown inode. */
static int buffer(struct snap_ctx *c, const char *f, size_t *bi)
{
	uint64_t v;

	if (f[0] == '~') {
		if (number(c, f + 1, 1, UINT64_MAX, "bad buffer", &v))
			return -1;
		*bi = di_index_get(&c->anon, v);
		if (*bi == DI_NONE) {
			*bi = di_state_buf(c->st, 0);
			di_index_put(&c->anon, v, *bi);
		}
		return 0;
	}
	if (number(c, f, 1, UINT64_MAX, "bad inode", &v))
		return -1;
	*bi = di_state_buf(c->st, v);
	return 0;
}

static int record_buffer(struct snap_ctx *c, char **f)
{
	uint64_t size;
	size_t bi;

	if (buffer(c, f[1], &bi) || number(c, f[2], 0, UINT64_MAX, "bad size", &size))
		return -1;
	unescape(f[3]);
	unescape(f[4]);
	c->st->bufs[bi].size = size;
	di_buf_set_strings(&c->st->bufs[bi], f[3], f[4]);
	return 0;
}

static int record_hold(struct snap_ctx *c, char **f)
{
	uint64_t pid, fds, maps, mapped;
	struct di_hold *h;
	size_t bi;

	if (number(c, f[1], 1, INT_MAX, "bad PID", &pid) || buffer(c, f[2], &bi) ||
	    number(c, f[3], 0, UINT_MAX, "bad fd count", &fds) ||
	    number(c, f[4], 0, UINT_MAX, "bad mapping count", &maps) ||
	    number(c, f[5], 0, UINT64_MAX, "bad mapped size", &mapped))
		return -1;
	h = di_proc_hold(c->st, di_state_proc(c->st, (pid_t)pid, NULL), bi);
	h->nfds = (unsigned int)fds;
	h->nmaps = (unsigned int)maps;
	h->mapped = mapped;
	return 0;
}

static int record(struct snap_ctx *c, char *line)
{
	char *f[8];
	size_t n = di_split_tabs(line, f, 8);
	uint64_t pid;

	if (!strcmp(f[0], "B") && n == 5)
		return record_buffer(c, f);
	if (!strcmp(f[0], "H") && n == 6)
		return record_hold(c, f);
	if (!strcmp(f[0], "P") && n == 3) {
		if (number(c, f[1], 1, INT_MAX, "bad PID", &pid))
			return -1;
		unescape(f[2]);
		(void)di_state_proc(c->st, (pid_t)pid, f[2]);
		return 0;
	}
	snprintf(c->why, c->len, "%s:%d: not a B line (5 fields), P line (3) "
		 "or H line (6)", c->name, c->line);
	return -1;
}

int di_snapshot_parse(struct di_state *st, char *text, const char *name,
		      char *why, size_t len)
{
	struct snap_ctx c = { st, name, 1, why, len, { NULL, NULL, 0, 0 } };
	char *line, *nl;
	int ret = 0;

	if (strncmp(text, MAGIC "\n", strlen(MAGIC) + 1) != 0) {
		snprintf(why, len, "%s:1: not a dmabuf-inspect snapshot", name);
		return -1;
	}
	for (line = strchr(text, '\n') + 1; *line && !ret; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = line + strlen(line);
		c.line++;
		if (*line)
			ret = record(&c, line);
	}
	di_index_free(&c.anon);
	if (!ret)
		di_state_finish(st);
	return ret;
}

int di_snapshot_load(struct di_state *st, const char *path, char *why,
		     size_t len)
{
	char *text = di_read_file(path, DI_MAX_SNAPSHOT, 0, NULL);
	int ret;

	if (!text) {
		snprintf(why, len, "%s: %s", path,
			 di_read_error(errno, DI_MAX_SNAPSHOT));
		return -1;
	}
	ret = di_snapshot_parse(st, text, path, why, len);
	free(text);
	return ret;
}
