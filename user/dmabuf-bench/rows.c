// SPDX-License-Identifier: GPL-2.0
/*
 * The figures: one row per measure and source, a value per repetition,
 * printed as a table (median, min-max, ratio to the row's baseline) or
 * as JSON. A ratio above 1 always means "faster than the baseline",
 * whether the unit is a rate or a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define MAX_ROWS	256

static struct row rows[MAX_ROWS];
static int nr_rows;

static struct row *find(const char *measure, const char *source)
{
	int i;

	for (i = 0; i < nr_rows; i++)
		if (!strcmp(rows[i].measure, measure) &&
		    !strcmp(rows[i].source, source))
			return &rows[i];
	return NULL;
}

static struct row *get(const char *measure, const char *source,
		       const char *unit)
{
	struct row *r = find(measure, source);

	if (r)
		return r;
	if (nr_rows == MAX_ROWS)
		die("more than %d rows", MAX_ROWS);
	r = &rows[nr_rows++];
	snprintf(r->measure, sizeof(r->measure), "%s", measure);
	snprintf(r->source, sizeof(r->source), "%s", source);
	r->unit = unit;
	return r;
}

void record(const char *measure, const char *source, const char *unit,
	    enum better better, const char *baseline, double value)
{
	struct row *r = get(measure, source, unit);

	r->better = better;
	r->baseline = baseline;
	if (r->n < MAX_REPS)
		r->v[r->n++] = value;
}

void set_limit(const char *measure, const char *limit)
{
	int i;

	for (i = 0; i < nr_rows; i++)
		if (!strcmp(rows[i].measure, measure))
			rows[i].limit = limit;
}

void record_missing(const char *measure, const char *source, const char *unit,
		    const char *why)
{
	get(measure, source, unit)->missing = why;
}

/* The rows stay, in the warm-up's order; their values go. */
void rows_reset(void)
{
	int i;

	for (i = 0; i < nr_rows; i++)
		rows[i].n = 0;
}

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const struct row *r)
{
	double s[MAX_REPS];

	memcpy(s, r->v, r->n * sizeof(double));
	qsort(s, r->n, sizeof(double), cmp_double);
	return r->n % 2 ? s[r->n / 2] : (s[r->n / 2 - 1] + s[r->n / 2]) / 2;
}

static double minimum(const struct row *r)
{
	double m = r->v[0];
	int i;

	for (i = 1; i < r->n; i++)
		if (r->v[i] < m)
			m = r->v[i];
	return m;
}

static double maximum(const struct row *r)
{
	double m = r->v[0];
	int i;

	for (i = 1; i < r->n; i++)
		if (r->v[i] > m)
			m = r->v[i];
	return m;
}

/* One figure's speed relative to another's (>1: faster), or 0. */
static double speed_ratio(enum better better, double v, double base)
{
	if (v <= 0 || base <= 0)
		return 0;
	return better == HIGHER ? v / base : base / v;
}

/*
 * The row's speed relative to row @to's, or 0 when there is none. Rows
 * with a figure from every round are compared round by round (the
 * median of the rounds' ratios): both figures of a round were measured
 * minutes apart at most, so a host that slows down or speeds up during
 * the run moves both alike. Otherwise, the ratio of the medians.
 */
static double ratio_to(const struct row *r, const char *to)
{
	struct row q = { .n = 0 };
	const struct row *b;
	int i;

	if (!to || !r->n || !strcmp(r->source, to))
		return 0;
	b = find(r->measure, to);
	if (!b || !b->n)
		return 0;
	if (b->n != r->n)
		return speed_ratio(r->better, median(r), median(b));
	for (i = 0; i < r->n; i++) {
		q.v[i] = speed_ratio(r->better, r->v[i], b->v[i]);
		if (q.v[i] <= 0)
			return 0;
	}
	q.n = r->n;
	return median(&q);
}

static double ratio(const struct row *r)
{
	return ratio_to(r, r->baseline);
}

/* Figures with three significant digits or so. */
static void fmt(char *buf, size_t len, double v)
{
	if (v >= 100)
		snprintf(buf, len, "%.0f", v);
	else if (v >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.2f", v);
}

/* The first two words of a measure: rows of one family print together. */
static int same_family(const char *a, const char *b)
{
	size_t n = 0;
	int words = 0;

	while (a[n] && a[n] == b[n] && words < 2)
		if (a[n++] == ' ')
			words++;
	return words == 2 || (!a[n] && !b[n]);
}

static void print_row(FILE *out, const struct row *r, int reps)
{
	char med[32], lo[32], hi[32], range[72], rat[96];
	double x = ratio(r), y = ratio_to(r, r->limit);

	if (!r->n) {
		fprintf(out, "%-34s %-15s %9s %-19s %-6s %s\n", r->measure,
			r->source, "-", "", r->unit,
			r->missing ? r->missing : "not measured");
		return;
	}
	fmt(med, sizeof(med), median(r));
	fmt(lo, sizeof(lo), minimum(r));
	fmt(hi, sizeof(hi), maximum(r));
	if (reps > 1)
		snprintf(range, sizeof(range), "%s-%s", lo, hi);
	else
		range[0] = '\0';
	rat[0] = '\0';
	if (x > 0)
		snprintf(rat, sizeof(rat), "%.2fx %s", x, r->baseline);
	if (y > 0)
		snprintf(rat + strlen(rat), sizeof(rat) - strlen(rat), "%s%.2fx %s",
			 x > 0 ? ", " : "", y, r->limit);
	fprintf(out, "%-34s %-15s %9s %-19s %-6s %s\n", r->measure, r->source,
		med, range, r->unit, rat);
}

/* Rows grouped by measure, in the order measures first appeared. */
void print_table(FILE *out, int reps)
{
	const char *last = NULL;
	int i, j, k;

	fprintf(out, "%-34s %-15s %9s %-19s %-6s %s\n", "measure", "source",
		"median", reps > 1 ? "min-max" : "", "unit", "ratio (>1: faster)");
	for (i = 0; i < nr_rows; i++) {
		for (k = 0; k < i && strcmp(rows[k].measure, rows[i].measure); k++)
			;
		if (k < i)
			continue;	/* printed with the measure's first row */
		if (last && !same_family(last, rows[i].measure))
			fputc('\n', out);
		last = rows[i].measure;
		for (j = i; j < nr_rows; j++)
			if (!strcmp(rows[j].measure, rows[i].measure))
				print_row(out, &rows[j], reps);
	}
}

/* Names and units are the program's own: no JSON escaping is needed. */
void print_json(FILE *out)
{
	int i, j;

	fprintf(out, "\"rows\": [");
	for (i = 0; i < nr_rows; i++) {
		const struct row *r = &rows[i];

		fprintf(out, "%s\n  {\"measure\": \"%s\", \"source\": \"%s\", \"unit\": \"%s\"",
			i ? "," : "", r->measure, r->source, r->unit);
		if (!r->n) {
			fprintf(out, ", \"missing\": \"%s\"}",
				r->missing ? r->missing : "not measured");
			continue;
		}
		fprintf(out, ", \"median\": %g, \"min\": %g, \"max\": %g, \"values\": [",
			median(r), minimum(r), maximum(r));
		for (j = 0; j < r->n; j++)
			fprintf(out, "%s%g", j ? ", " : "", r->v[j]);
		fputc(']', out);
		if (ratio(r) > 0)
			fprintf(out, ", \"ratio\": %.4f, \"versus\": \"%s\"",
				ratio(r), r->baseline);
		if (ratio_to(r, r->limit) > 0)
			fprintf(out, ", \"limit_ratio\": %.4f, \"limit\": \"%s\"",
				ratio_to(r, r->limit), r->limit);
		fputc('}', out);
	}
	fprintf(out, "\n]");
}
