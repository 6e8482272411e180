// SPDX-License-Identifier: GPL-2.0
/*
 * Results: one line a check (PASS name; FAIL name: reason (rule); SKIP
 * name: reason) and the count line, or one JSON document with the same.
 */
#include <stdio.h>
#include <string.h>

#include "conform.h"

static enum format format;
static int verbose;
static int counts[3];
static int nr_json;

static const char *const words[] = { "PASS", "FAIL", "SKIP" };

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

void report_begin(enum format fmt, int verb)
{
	format = fmt;
	verbose = verb;
	if (format == FMT_JSON) {
		printf("{\n  \"source\": ");
		json_str(src.desc);
		printf(",\n  \"size\": %zu,\n  \"checks\": [", src.size);
	}
}

void report_result(const struct check *c, enum result r, const char *why)
{
	counts[r]++;
	if (format == FMT_JSON) {
		printf("%s\n    { \"name\": ", nr_json++ ? "," : "");
		json_str(c->name);
		printf(", \"result\": \"%s\", \"reason\": ", words[r]);
		json_str(why);
		printf(", \"rule\": ");
		json_str(c->rule);
		printf(" }");
		return;
	}
	switch (r) {
	case RES_PASS:
		if (verbose && why[0])
			printf("PASS %s: %s\n", c->name, why);
		else
			printf("PASS %s\n", c->name);
		break;
	case RES_FAIL:
		printf("FAIL %s: %s (%s)\n", c->name, why, c->rule);
		break;
	default:
		printf("SKIP %s: %s\n", c->name, why);
		break;
	}
	fflush(stdout);
}

void report_end(int *passed, int *failed, int *skipped)
{
	*passed = counts[RES_PASS];
	*failed = counts[RES_FAIL];
	*skipped = counts[RES_SKIP];
	if (format == FMT_JSON)
		printf("\n  ],\n  \"summary\": { \"passed\": %d, \"failed\": %d, \"skipped\": %d }\n}\n",
		       *passed, *failed, *skipped);
	else
		printf("%d passed, %d failed, %d skipped\n", *passed, *failed, *skipped);
}

static void list_group(const struct check *c, int n)
{
	int i;

	for (i = 0; i < n; i++)
		printf("%-28s %s\n", c[i].name, c[i].rule);
}

void report_list(void)
{
	list_group(file_checks, nr_file_checks);
	list_group(mmap_checks, nr_mmap_checks);
	list_group(device_checks, nr_device_checks);
	list_group(dynamic_checks, nr_dynamic_checks);
}
