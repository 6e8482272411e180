// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshots for --save and --diff: a text file, one record a line, fields
 * separated by tabs, strings escaped (\\, \t, \n):
 *
 *   dmabuf-inspect snapshot 1
 *   B <ino> <size> <exporter> <name>
 *   P <pid> <comm>
 *   H <pid> <ino> <fds> <maps> <mapped bytes>
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
		fprintf(f, "B\t%" PRIu64 "\t%" PRIu64 "\t", b->ino, b->size);
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

			fprintf(f, "H\t%d\t%" PRIu64 "\t%u\t%u\t%" PRIu64 "\n",
				(int)p->pid, st->bufs[h->buf].ino, h->nfds,
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

static size_t split(char *s, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, '\t');
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

int di_snapshot_load(struct di_state *st, const char *path)
{
	char *text = di_read_file(path, DI_MAX_SNAPSHOT, 0, NULL), *line, *nl;
	int lineno = 0;

	if (!text)
		return -1;
	if (strncmp(text, MAGIC "\n", strlen(MAGIC) + 1) != 0) {
		free(text);
		errno = EINVAL;
		return -1;
	}
	for (line = text; line && *line; line = nl) {
		char *f[8];
		size_t n;
		uint64_t a, b, c, d, e;

		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (lineno++ == 0 || !*line)
			continue;
		n = split(line, f, 8);
		if (!strcmp(f[0], "B") && n == 5 && !di_parse_u64(f[1], &a) &&
		    !di_parse_u64(f[2], &b)) {
			size_t bi = di_state_buf(st, a);
			struct di_buf *x = &st->bufs[bi];

			unescape(f[3]);
			unescape(f[4]);
			x->size = b;
			di_buf_set_strings(x, f[3], f[4]);
		} else if (!strcmp(f[0], "P") && n == 3 &&
			   !di_parse_u64(f[1], &a)) {
			unescape(f[2]);
			(void)di_state_proc(st, (pid_t)a, f[2]);
		} else if (!strcmp(f[0], "H") && n == 6 &&
			   !di_parse_u64(f[1], &a) && !di_parse_u64(f[2], &b) &&
			   !di_parse_u64(f[3], &c) && !di_parse_u64(f[4], &d) &&
			   !di_parse_u64(f[5], &e)) {
			size_t bi = di_state_buf(st, b);
			struct di_proc *p = di_state_proc(st, (pid_t)a, NULL);
			struct di_hold *h = di_proc_hold(st, p, bi);

			h->nfds = (unsigned int)c;
			h->nmaps = (unsigned int)d;
			h->mapped = e;
		} else {
			free(text);
			errno = EINVAL;
			return -1;
		}
	}
	free(text);
	di_state_finish(st);
	return 0;
}
