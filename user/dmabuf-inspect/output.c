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

/* Cells hold this until given a string of their own: no allocation. */
static char empty[] = "";

static void cell_free(struct di_cell *c)
{
	if (c->s != empty)
		free(c->s);
}

void di_table_free(struct di_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		cell_free(&t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	if (t->own_cols) {
		for (i = 0; i < t->ncols; i++)
			free((char *)t->cols[i]);
		free(t->cols);
		t->cols = NULL;
	}
	t->nrows = 0;
	t->cells_cap = 0;
}

void di_row_add(struct di_table *t)
{
	size_t i;

	t->cells = di_grow(t->cells, &t->cells_cap, (t->nrows + 1) * t->ncols,
			   sizeof(*t->cells));
	for (i = 0; i < t->ncols; i++) {
		struct di_cell *c = &t->cells[t->nrows * t->ncols + i];

		memset(c, 0, sizeof(*c));
		c->s = empty;
	}
	t->nrows++;
}

static struct di_cell *last(struct di_table *t, size_t col)
{
	return &t->cells[(t->nrows - 1) * t->ncols + col];
}

void di_cell_str_at(struct di_table *t, size_t row, size_t col, const char *s)
{
	struct di_cell *c = &t->cells[row * t->ncols + col];

	cell_free(c);
	c->type = DI_STR;
	c->s = s && *s ? di_strdup(s) : empty;
}

void di_cell_str(struct di_table *t, size_t col, const char *s)
{
	di_cell_str_at(t, t->nrows - 1, col, s);
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
	if (ino == 0)
		di_cell_str(t, col, "-");
	else
		di_cell_num(t, col, ino);
}

/* A number cell as text: sizes in KiB for the table, in bytes otherwise. */
static void num_text(const struct di_cell *c, int kib, char *buf, size_t n)
{
	const char *sign = c->neg ? "-" : "";

	if (c->type == DI_NUM)
		snprintf(buf, n, "%" PRIu64, c->n);
	else if (kib && c->n % 1024 == 0)
		snprintf(buf, n, "%s%" PRIu64, sign, c->n / 1024);
	else if (kib)
		snprintf(buf, n, "%s%.1f", sign, (double)c->n / 1024.0);
	else
		snprintf(buf, n, "%s%" PRIu64, sign, c->n);
}

/*
 * A cell as the table shows it, allocated: a string escaped and cut to
 * DI_CELL_MAX characters. Its width in *@w.
 */
static char *table_text(const struct di_cell *c, size_t *w)
{
	char buf[64];

	if (c->type == DI_STR)
		return di_text_escape(c->s, DI_CELL_MAX, w);
	num_text(c, 1, buf, sizeof(buf));
	*w = strlen(buf);
	return di_strdup(buf);
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

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

/*
 * One line; blanks are held back until text follows them, so that no
 * line ends in blanks.
 */
static void put_row(FILE *out, const struct di_table *t, char **text,
		    const size_t *tw, const int *right, const size_t *w)
{
	size_t blank = 0, c;

	for (c = 0; c < t->ncols; c++) {
		if (!*text[c]) {
			blank += w[c] + 2;
			continue;
		}
		if (right[c])
			blank += w[c] - tw[c];
		pad(out, blank);
		fputs(text[c], out);
		blank = (right[c] ? 0 : w[c] - tw[c]) + 2;
	}
	fputc('\n', out);
}

static void render_table(FILE *out, const struct di_table *t)
{
	size_t nc = t->ncols, ncells = t->nrows * nc, r, c, i;
	size_t *w = di_xrealloc(NULL, nc, sizeof(*w));
	size_t *tw = di_xrealloc(NULL, ncells + nc, sizeof(*tw));
	char **text = di_xrealloc(NULL, ncells + nc, sizeof(*text));
	int *right = di_xrealloc(NULL, ncells + nc, sizeof(*right));
	int *has_size = di_xrealloc(NULL, nc, sizeof(*has_size));
	int *has_num = di_xrealloc(NULL, nc, sizeof(*has_num));

	/* Row 0 is the header; cell (r, c) is text[(r + 1) * nc + c]. */
	for (c = 0; c < nc; c++) {
		char *e = di_text_escape(t->cols[c], DI_CELL_MAX, NULL);

		has_size[c] = col_has(t, c, 1);
		has_num[c] = col_has(t, c, 0);
		text[c] = di_xrealloc(NULL, strlen(e) + 6, 1);
		sprintf(text[c], "%s%s", e, has_size[c] ? "(KiB)" : "");
		free(e);
		tw[c] = strlen(text[c]);
		right[c] = has_num[c];
		w[c] = tw[c];
	}
	for (i = 0; i < ncells; i++) {
		const struct di_cell *cell = &t->cells[i];

		c = i % nc;
		text[nc + i] = table_text(cell, &tw[nc + i]);
		right[nc + i] = cell->type != DI_STR ||
				(has_num[c] && !*text[nc + i]);
		if (tw[nc + i] > w[c])
			w[c] = tw[nc + i];
	}
	if (t->title)
		fprintf(out, "%s:\n", t->title);
	for (r = 0; r <= t->nrows; r++) {
		if (r && t->has_total && r == t->nrows) {
			size_t total = 0;

			for (c = 0; c < nc; c++)
				total += w[c] + (c + 1 < nc ? 2 : 0);
			while (total--)
				fputc('-', out);
			fputc('\n', out);
		}
		put_row(out, t, text + r * nc, tw + r * nc, right + r * nc, w);
	}
	for (i = 0; i < ncells + nc; i++)
		free(text[i]);
	free(text);
	free(tw);
	free(right);
	free(has_size);
	free(has_num);
	free(w);
}

/* Escaped (see escape.c), then quoted where CSV needs it. */
void di_csv_string(FILE *out, const char *str)
{
	char *e = di_text_escape(str, 0, NULL), *s;

	if (!strpbrk(e, ",\"")) {
		fputs(e, out);
		free(e);
		return;
	}
	fputc('"', out);
	for (s = e; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
	free(e);
}

/* A cell as CSV or JSON has it (@json: strings as JSON strings). */
static void put_cell(FILE *out, const struct di_cell *cell, int json)
{
	char buf[64];

	if (cell->type == DI_STR && json) {
		di_json_string(out, cell->s);
	} else if (cell->type == DI_STR) {
		di_csv_string(out, cell->s);
	} else {
		num_text(cell, 0, buf, sizeof(buf));
		fputs(buf, out);
	}
}

static void render_csv(FILE *out, const struct di_table *t)
{
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
			put_cell(out, &t->cells[r * t->ncols + c], 0);
		}
		fputc('\n', out);
	}
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
	size_t c;

	fputc('{', out);
	for (c = 0; c < t->ncols; c++) {
		if (c)
			fputs(", ", out);
		json_key(out, t->cols[c]);
		fputs(": ", out);
		put_cell(out, &t->cells[r * t->ncols + c], 1);
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
	di_render_doc(out, fmt, tables, n, NULL, NULL);
}

void di_render_doc(FILE *out, enum di_fmt fmt, struct di_table *tables,
		   size_t n, const char *source, const char *blind)
{
	size_t i;

	if (fmt == DI_JSON) {
		fputs("{\n  ", out);
		if (source) {
			fputs("\"source\": ", out);
			di_json_string(out, source);
			fputs(",\n  \"cannot_see\": ", out);
			di_json_string(out, blind ? blind : "");
			fputs(n ? ",\n  " : "", out);
		}
	} else if (fmt == DI_CSV && source) {
		/* A comment line, as CSV readers take them (# first). */
		fprintf(out, "# source: %s; cannot see: %s\n", source,
			blind ? blind : "");
	}
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
