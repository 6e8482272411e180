// SPDX-License-Identifier: GPL-2.0
/*
 * Tables and their renderings: aligned text (sizes in KiB), CSV and JSON
 * (sizes in bytes). Write errors are caught by the caller with ferror().
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

void di_table_init(struct di_table *t, const char *title, size_t ncols,
		   const char **cols)
{
	memset(t, 0, sizeof(*t));
	t->title = title;
	t->ncols = ncols;
	t->cols = cols;
}

void di_table_free(struct di_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].s);
	free(t->cells);
	t->cells = NULL;
	if (t->own_cols) {
		for (i = 0; i < t->ncols; i++)
			free((char *)t->cols[i]);
		free(t->cols);
		t->cols = NULL;
	}
	t->nrows = 0;
}

void di_row_add(struct di_table *t)
{
	size_t i;

	t->cells = di_xrealloc(t->cells, (t->nrows + 1) * t->ncols,
			       sizeof(*t->cells));
	for (i = 0; i < t->ncols; i++) {
		struct di_cell *c = &t->cells[t->nrows * t->ncols + i];

		memset(c, 0, sizeof(*c));
		c->s = di_strdup("");
	}
	t->nrows++;
}

static struct di_cell *last(struct di_table *t, size_t col)
{
	return &t->cells[(t->nrows - 1) * t->ncols + col];
}

void di_cell_str(struct di_table *t, size_t col, const char *s)
{
	struct di_cell *c = last(t, col);

	free(c->s);
	c->type = DI_STR;
	c->s = di_strdup(s ? s : "");
}

void di_cell_num(struct di_table *t, size_t col, uint64_t n)
{
	struct di_cell *c = last(t, col);

	c->type = DI_NUM;
	c->n = n;
	c->neg = 0;
}

void di_cell_size(struct di_table *t, size_t col, uint64_t n)
{
	di_cell_num(t, col, n);
	last(t, col)->type = DI_SIZE;
}

void di_cell_delta(struct di_table *t, size_t col, int64_t d)
{
	struct di_cell *c = last(t, col);

	c->type = DI_SIZE;
	c->neg = d < 0;
	c->n = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
}

void di_cell_ino(struct di_table *t, size_t col, uint64_t ino)
{
	if (ino >= DI_FAKE_INO_BASE)
		di_cell_str(t, col, "-");
	else
		di_cell_num(t, col, ino);
}

/* A cell as text: sizes in KiB for the table, in bytes otherwise. */
static void cell_text(const struct di_cell *c, int kib, char *buf, size_t n)
{
	const char *sign = c->neg ? "-" : "";

	switch (c->type) {
	case DI_STR:
		snprintf(buf, n, "%s", c->s);
		break;
	case DI_NUM:
		snprintf(buf, n, "%" PRIu64, c->n);
		break;
	case DI_SIZE:
		if (kib && c->n % 1024 == 0)
			snprintf(buf, n, "%s%" PRIu64, sign, c->n / 1024);
		else if (kib)
			snprintf(buf, n, "%s%.1f", sign, (double)c->n / 1024.0);
		else
			snprintf(buf, n, "%s%" PRIu64, sign, c->n);
		break;
	}
}

static int col_has(const struct di_table *t, size_t col, int size_only)
{
	size_t r;

	for (r = 0; r < t->nrows; r++) {
		enum di_ctype ty = t->cells[r * t->ncols + col].type;

		if (ty == DI_SIZE || (!size_only && ty == DI_NUM))
			return 1;
	}
	return 0;
}

/* Print one line of the table, without trailing blanks. */
static void put_line(FILE *out, char *line)
{
	di_rstrip(line);
	fputs(line, out);
	fputc('\n', out);
}

static void render_table(FILE *out, const struct di_table *t)
{
	size_t *w = di_xrealloc(NULL, t->ncols, sizeof(*w));
	char buf[1024], head[256];
	char *line = NULL;
	size_t llen = 0, r, c;
	FILE *lf;

	for (c = 0; c < t->ncols; c++) {
		snprintf(head, sizeof(head), "%s%s", t->cols[c],
			 col_has(t, c, 1) ? "(KiB)" : "");
		w[c] = strlen(head);
		for (r = 0; r < t->nrows; r++) {
			cell_text(&t->cells[r * t->ncols + c], 1, buf, sizeof(buf));
			if (strlen(buf) > w[c])
				w[c] = strlen(buf);
		}
	}
	if (t->title)
		fprintf(out, "%s:\n", t->title);
	lf = open_memstream(&line, &llen);
	if (!lf) {
		fprintf(stderr, DI_NAME ": out of memory\n");
		exit(1);
	}
	for (r = 0; r <= t->nrows; r++) {
		if (r && t->has_total && r == t->nrows) {
			size_t total = 0;

			for (c = 0; c < t->ncols; c++)
				total += w[c] + (c + 1 < t->ncols ? 2 : 0);
			while (total--)
				fputc('-', out);
			fputc('\n', out);
		}
		if (fseeko(lf, 0, SEEK_SET) != 0)
			break;
		for (c = 0; c < t->ncols; c++) {
			int right;

			if (r == 0) {
				snprintf(buf, sizeof(buf), "%s%s", t->cols[c],
					 col_has(t, c, 1) ? "(KiB)" : "");
				right = col_has(t, c, 0);
			} else {
				const struct di_cell *cell =
					&t->cells[(r - 1) * t->ncols + c];

				cell_text(cell, 1, buf, sizeof(buf));
				right = cell->type != DI_STR ||
					(col_has(t, c, 0) && !*buf);
			}
			fprintf(lf, right ? "%*s  " : "%-*s  ", (int)w[c], buf);
		}
		fputc('\0', lf);
		if (fflush(lf) != 0)
			break;
		put_line(out, line);
	}
	if (fclose(lf) != 0)
		fprintf(stderr, DI_NAME ": out of memory\n");
	free(line);
	free(w);
}

void di_csv_string(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void render_csv(FILE *out, const struct di_table *t)
{
	char buf[1024];
	size_t r, c;

	for (c = 0; c < t->ncols; c++) {
		if (c)
			fputc(',', out);
		di_csv_string(out, t->cols[c]);
	}
	fputc('\n', out);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', out);
			cell_text(&t->cells[r * t->ncols + c], 0, buf, sizeof(buf));
			di_csv_string(out, buf);
		}
		fputc('\n', out);
	}
}

void di_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (ch < 0x20)
				fprintf(out, "\\u%04x", ch);
			else
				fputc(ch, out);
		}
	}
	fputc('"', out);
}

/* JSON keys: lower case, '_' for anything but letters and digits. */
static void json_key(FILE *out, const char *s)
{
	char k[128];
	size_t i;

	for (i = 0; s[i] && i + 1 < sizeof(k); i++) {
		char ch = s[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')))
			ch = '_';
		k[i] = ch;
	}
	k[i] = '\0';
	di_json_string(out, k);
}

static void json_row(FILE *out, const struct di_table *t, size_t r)
{
	char buf[1024];
	size_t c;

	fputc('{', out);
	for (c = 0; c < t->ncols; c++) {
		const struct di_cell *cell = &t->cells[r * t->ncols + c];

		if (c)
			fputs(", ", out);
		json_key(out, t->cols[c]);
		fputs(": ", out);
		cell_text(cell, 0, buf, sizeof(buf));
		if (cell->type == DI_STR)
			di_json_string(out, buf);
		else
			fputs(buf, out);
	}
	fputc('}', out);
}

static void render_json(FILE *out, const struct di_table *t)
{
	size_t r, n = t->has_total ? t->nrows - 1 : t->nrows;

	json_key(out, t->title ? t->title : "rows");
	fputs(": [", out);
	for (r = 0; r < n; r++) {
		fputs(r ? ",\n    " : "\n    ", out);
		json_row(out, t, r);
	}
	fputs(n ? "\n  ]" : "]", out);
	if (t->has_total) {
		char key[160];

		fputs(",\n  ", out);
		snprintf(key, sizeof(key), "%s_total", t->title ? t->title : "rows");
		json_key(out, key);
		fputs(": ", out);
		json_row(out, t, t->nrows - 1);
	}
}

void di_render(FILE *out, enum di_fmt fmt, struct di_table *tables, size_t n)
{
	size_t i;

	if (fmt == DI_JSON)
		fputs("{\n  ", out);
	for (i = 0; i < n; i++) {
		switch (fmt) {
		case DI_TABLE:
			if (i)
				fputc('\n', out);
			render_table(out, &tables[i]);
			break;
		case DI_CSV:
			if (i)
				fputc('\n', out);
			render_csv(out, &tables[i]);
			break;
		case DI_JSON:
			if (i)
				fputs(",\n  ", out);
			render_json(out, &tables[i]);
			break;
		}
	}
	if (fmt == DI_JSON)
		fputs("\n}\n", out);
}
