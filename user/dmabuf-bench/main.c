// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-bench: run every measure against every source, interleaved:
 * one warm-up round that is not counted, then --reps rounds, each of
 * which measures everything once. Medians and ranges come from the
 * rounds, so a disturbance hits all sources alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <dmabuf-lab.h>

#include "bench.h"

/* Set from dkms.conf by version.mk. */
#ifndef DMABUF_LAB_VERSION
#error "DMABUF_LAB_VERSION is not defined: build with the Makefile"
#endif

int quick;
int round_no;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: dmabuf-bench [--reps N] [--json] [--quick]\n"
		"\n"
		"Measure pagebuf (each allocation policy) against the kernel's system\n"
		"heap, udmabuf, anonymous memory and the CPU, side by side in one run:\n"
		"allocation rate and cost (P1, P2 and how P2 grows), mapping and first\n"
		"write (P3, P3e), handing a frame to another process (P5), and the\n"
		"v2d_emu engine's FILL, COPY and ROTATE against memset, memcpy and a\n"
		"CPU rotate. Then 10 000 allocate/free cycles, after which pagebuf's\n"
		"counters and the free memory must be back (P6).\n"
		"\n"
		"Sources the kernel lacks (no /dev/dma_heap/system, /dev/udmabuf or\n"
		"/dev/v2d_emu) show why in their rows. A ratio above 1 means faster\n"
		"than the row it names, whatever the unit.\n"
		"\n"
		"  -r, --reps N   rounds after the warm-up (default 5, at most %d)\n"
		"  -j, --json     print JSON instead of the table\n"
		"  -q, --quick    smaller sizes and shorter loops, for a first look\n"
		"  -o, --only L   only these measures, comma-separated: p1, threads\n"
		"                 (P1 from 2 threads), p2, p3 (with P3e), p5, v2d,\n"
		"                 inspect (dmabuf-inspect's snapshot of 1 000 and\n"
		"                 10 000 buffers, per source), trace (P1 under\n"
		"                 dmabuf-inspect --trace), p6\n"
		"  -V, --version  print the version\n"
		"  -h, --help     show this help\n"
		"\n"
		"Exit status: 0 every selected measure ran, 1 when P6 found something\n"
		"left behind or a measure failed, 2 for a bad option, 3 when P6 was\n"
		"selected but could not run (no /dev/pagebuf).\n", MAX_REPS);
}

/* The measures, by the names --only takes. */
static const struct {
	const char *name;
	void (*run)(void);
} measures[] = {
	{ "p1", measure_alloc_rate },
	{ "p1", measure_alloc_split },
	{ "threads", measure_alloc_threads },
	{ "p2", measure_alloc_large },
	{ "p2", measure_alloc_scaling },
	{ "p3", measure_first_write },
	{ "p5", measure_handover },
	{ "v2d", measure_engine },
	{ "inspect", measure_inspect },
	{ "trace", measure_trace_overhead },
};

static const char *only;	/* comma-separated names, NULL: all */

static int selected(const char *name)
{
	const char *p = only;
	size_t n = strlen(name);

	if (!only)
		return 1;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

/*
 * Every name in --only must be a measure's, and one at least: a list
 * that selects nothing would run nothing and look like a success.
 */
static int check_only(const char *list)
{
	static const char *const names[] = { "p1", "threads", "p2", "p3", "p5", "v2d",
					     "inspect", "trace", "p6" };
	const char *p = list;
	size_t i, len;

	do {
		len = strcspn(p, ",");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (len == strlen(names[i]) && !strncmp(p, names[i], len))
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "dmabuf-bench: --only: '%.*s' is not a measure "
				"(p1, threads, p2, p3, p5, v2d, inspect, trace, p6)\n",
				(int)len, p);
			return -1;
		}
		p += len;
	} while (*p++ == ',');
	return 0;
}

static void round_once(void)
{
	size_t i;

	for (i = 0; i < sizeof(measures) / sizeof(measures[0]); i++)
		if (selected(measures[i].name))
			measures[i].run();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int reps = 5, json = 0, c, i, p6;
	char summary[512];
	struct utsname u;
	uint64_t n;

	while ((c = getopt_long(argc, argv, "r:jqo:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (dmabuf_lab_parse_u64(optarg, 1, MAX_REPS, &n)) {
				fprintf(stderr, "dmabuf-bench: --reps takes 1 to %d, not '%s'\n",
					MAX_REPS, optarg);
				return 2;
			}
			reps = (int)n;
			break;
		case 'j':
			json = 1;
			break;
		case 'q':
			quick = 1;
			break;
		case 'o':
			only = optarg;
			if (check_only(only))
				return 2;
			break;
		case 'V':
			printf("dmabuf-bench %s\n", DMABUF_LAB_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dmabuf-bench: unexpected argument %s\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (uname(&u))
		strcpy(u.release, "?");

	sources_open();
	round_once();
	rows_reset();
	for (i = 0; i < reps; i++) {
		fprintf(stderr, "dmabuf-bench: round %d of %d\n", i + 1, reps);
		round_no = i + 1;
		round_once();
	}
	p6 = P6_NOT_SELECTED;
	snprintf(summary, sizeof(summary), "not selected");
	if (selected("p6"))
		p6 = check_alloc_cycles(summary, sizeof(summary));

	if (json) {
		printf("{\"kernel\": \"%s\", \"repetitions\": %d, ", u.release, reps);
		print_json(stdout);
		printf(",\n\"p6\": {\"ok\": %s, \"ran\": %s, \"summary\": \"%s\"}}\n",
		       p6 == P6_LEAK ? "false" : "true",
		       p6 == P6_OK || p6 == P6_LEAK ? "true" : "false", summary);
	} else {
		printf("dmabuf-bench %s on Linux %s: %d round%s after a warm-up; medians\n\n",
		       DMABUF_LAB_VERSION, u.release, reps, reps == 1 ? "" : "s");
		print_table(stdout, reps);
		printf("\nP6 allocate/free cycles: %s%s\n",
		       p6 == P6_LEAK ? "FAIL: " : p6 == P6_OK ? "ok: " : "", summary);
	}
	/* 0 only when every selected measure ran: a P6 that could not is 3. */
	return p6 == P6_LEAK ? 1 : p6 == P6_NOT_RUN ? 3 : 0;
}
