// SPDX-License-Identifier: GPL-2.0
/* Options, data collection and the --watch loop. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dmabuf-lab.h>

#include "inspect.h"

/* Set from dkms.conf by version.mk. */
#ifndef DMABUF_LAB_VERSION
#error "DMABUF_LAB_VERSION is not defined: build with the Makefile"
#endif

/* The longest --watch interval: a day. */
#define MAX_WATCH 86400

enum view { V_PROCESS, V_BUFFER, V_GRID, V_EXPORTER, V_FENCES };

/* Where the list of buffers comes from; /proc always gives the holders. */
enum source { S_AUTO, S_BPF, S_DEBUGFS, S_SYSFS, S_PROC };

static const char *const source_names[] = {
	[S_AUTO] = "auto", [S_BPF] = "bpf", [S_DEBUGFS] = "debugfs",
	[S_SYSFS] = "sysfs", [S_PROC] = "proc",
};

/* What each source cannot see, said with every output. */
static const char *const source_blind[] = {
	[S_BPF] = "fence driver and timeline names",
	[S_DEBUGFS] = "nothing",
	[S_SYSFS] = "names, attached devices and fences",
	[S_PROC] = "buffers held only by the kernel, attached devices, fences, "
		   "and the exporter of a buffer held only through a mapping",
};

struct opts {
	enum view view;
	enum di_fmt fmt;
	enum source source;
	pid_t pid;
	const char *root, *save, *diff;
	double watch, trace;
	int watching, tracing;
	long count;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: " DI_NAME " [OPTION]...\n"
"Show which processes hold which dma-bufs, for any exporter.\n"
"\n"
"Views (default: per process, with Rss and Pss):\n"
"  -b, --buffers        per buffer: inode, size, exporter, name, holders,\n"
"                       attached devices\n"
"  -a, --all            buffer x process grid\n"
"  -e, --exporters      totals per exporter\n"
"      --fences         unsignalled fences and the buffers they sit on\n"
"  -p, --pid PID        only this process\n"
"\n"
"Output (default: aligned table, sizes in KiB):\n"
"      --csv            comma-separated values, sizes in bytes\n"
"      --json           JSON, sizes in bytes\n"
"\n"
"Leaks and peaks:\n"
"      --save FILE      write a snapshot to FILE\n"
"      --diff FILE      show what appeared and went away since snapshot FILE\n"
"      --watch SECONDS  print totals, per-exporter changes and the peak\n"
"                       every SECONDS\n"
"      --count N        stop --watch after N lines\n"
"      --trace SECONDS  stream dma-buf events (export, fd, get, put, mmap,\n"
"                       attach, detach, map, unmap, release) for SECONDS\n"
"                       (0: until interrupted), then report the buffers\n"
"                       exported meanwhile that are still alive\n"
"\n"
"      --source SOURCE  where the list of buffers comes from: auto (the\n"
"                       default: the first that works of the following),\n"
"                       bpf (the kernel's BPF dma-buf iterator, 6.16+),\n"
"                       debugfs (dma_buf/bufinfo), sysfs\n"
"                       (/sys/kernel/dmabuf, CONFIG_DMABUF_SYSFS_STATS)\n"
"                       or proc (/proc alone: only buffers that processes\n"
"                       hold); every output names the source used\n"
"      --root DIR       read DIR/proc, DIR/sys/kernel/debug and\n"
"                       DIR/sys/kernel/dmabuf instead of /proc and /sys\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"
"Holders always come from /proc/PID/fd, /proc/PID/fdinfo and\n"
"/proc/PID/maps; a buffer that no process holds is held by the kernel.\n"
"Exit status: 0 ok, 1 runtime error (a --source that is not available\n"
"here, with the reason), 2 usage error.\n");
}

enum { O_FENCES = 256, O_CSV, O_JSON, O_SAVE, O_DIFF, O_WATCH, O_COUNT, O_ROOT,
       O_SOURCE, O_TRACE };

static const struct option long_opts[] = {
	{ "buffers", no_argument, NULL, 'b' },
	{ "all", no_argument, NULL, 'a' },
	{ "exporters", no_argument, NULL, 'e' },
	{ "fences", no_argument, NULL, O_FENCES },
	{ "pid", required_argument, NULL, 'p' },
	{ "csv", no_argument, NULL, O_CSV },
	{ "json", no_argument, NULL, O_JSON },
	{ "save", required_argument, NULL, O_SAVE },
	{ "diff", required_argument, NULL, O_DIFF },
	{ "watch", required_argument, NULL, O_WATCH },
	{ "count", required_argument, NULL, O_COUNT },
	{ "root", required_argument, NULL, O_ROOT },
	{ "source", required_argument, NULL, O_SOURCE },
	{ "trace", required_argument, NULL, O_TRACE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_source(const char *s, enum source *out)
{
	size_t i;

	for (i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++)
		if (!strcmp(s, source_names[i])) {
			*out = (enum source)i;
			return 0;
		}
	return -1;
}

/* 0 ok, 2 usage error (message printed), -1 help or version printed. */
static int parse_opts(int argc, char **argv, struct opts *o, FILE *out,
		      FILE *err)
{
	int c;
	uint64_t n;

	memset(o, 0, sizeof(*o));
	o->root = "";
	o->count = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":baep:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'b': o->view = V_BUFFER; break;
		case 'a': o->view = V_GRID; break;
		case 'e': o->view = V_EXPORTER; break;
		case O_FENCES: o->view = V_FENCES; break;
		case O_CSV: o->fmt = DI_CSV; break;
		case O_JSON: o->fmt = DI_JSON; break;
		case O_SAVE: o->save = optarg; break;
		case O_DIFF: o->diff = optarg; break;
		case O_ROOT: o->root = optarg; break;
		case 'p':
			if (dmabuf_lab_parse_u64(optarg, 1, INT_MAX, &n)) {
				fprintf(err, DI_NAME ": invalid PID '%s' for --pid\n",
					optarg);
				return 2;
			}
			o->pid = (pid_t)n;
			break;
		case O_WATCH:
			if (dmabuf_lab_parse_double(optarg, 0, MAX_WATCH, &o->watch)) {
				fprintf(err, DI_NAME ": --watch takes seconds from 0 to %d, not '%s'\n",
					MAX_WATCH, optarg);
				return 2;
			}
			o->watching = 1;
			break;
		case O_SOURCE:
			if (parse_source(optarg, &o->source)) {
				fprintf(err, DI_NAME ": --source takes auto, bpf, debugfs, sysfs or proc, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case O_TRACE:
			if (dmabuf_lab_parse_double(optarg, 0, MAX_WATCH, &o->trace)) {
				fprintf(err, DI_NAME ": --trace takes seconds from 0 to %d, not '%s'\n",
					MAX_WATCH, optarg);
				return 2;
			}
			o->tracing = 1;
			break;
		case O_COUNT:
			if (dmabuf_lab_parse_u64(optarg, 1, INT_MAX, &n)) {
				fprintf(err, DI_NAME ": --count takes 1 to %d, not '%s'\n",
					INT_MAX, optarg);
				return 2;
			}
			o->count = (long)n;
			break;
		case 'h':
			usage(out);
			return -1;
		case 'V':
			fprintf(out, DI_NAME " %s\n", DMABUF_LAB_VERSION);
			return -1;
		case ':':
			if (optopt > 0 && optopt < 256)
				fprintf(err, DI_NAME ": option '-%c' needs an argument\n",
					optopt);
			else
				fprintf(err, DI_NAME ": option '%s' needs an argument\n",
					argv[optind - 1]);
			fprintf(err, "Try '" DI_NAME " --help'.\n");
			return 2;
		default:
			if (optopt > 0 && optopt < 256)
				fprintf(err, DI_NAME ": unknown option '-%c'\n",
					optopt);
			else
				fprintf(err, DI_NAME ": unknown option '%s'\n",
					argv[optind - 1]);
			fprintf(err, "Try '" DI_NAME " --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(err, DI_NAME ": unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!!o->save + !!o->diff + o->watching + o->tracing > 1) {
		fprintf(err, DI_NAME ": --save, --diff, --watch and --trace exclude each other\n");
		return 2;
	}
	if (o->count > 0 && !o->watching) {
		fprintf(err, DI_NAME ": --count needs --watch\n");
		return 2;
	}
	return 0;
}

/*
 * Try source @src: 1 when it gave the list of buffers, 0 when it is not
 * available here (the reason in @why).
 */
static int try_source(struct di_state *st, enum source src, const char *root,
		      char *why, size_t len)
{
	switch (src) {
	case S_BPF:
		if (*root) {
			snprintf(why, len, "the BPF iterator reads the running kernel, not --root");
			return 0;
		}
		return di_scan_bpf(st, why, len) == 0;
	case S_DEBUGFS:
		if (di_scan_bufinfo(st, root) == 0)
			return 1;
		if (errno == ENOENT)
			snprintf(why, len, "debugfs bufinfo not readable: no %s/sys/kernel/debug/dma_buf/bufinfo (debugfs not mounted?)",
				 root);
		else
			snprintf(why, len, "debugfs bufinfo not readable: %s%s",
				 strerror(errno),
				 errno == EACCES || errno == EPERM ? " (root is needed)" : "");
		return 0;
	case S_SYSFS:
		switch (di_scan_sysfs(st, root)) {
		case 0:
			return 1;
		case 1:
			snprintf(why, len, "no %s/sys/kernel/dmabuf/buffers (CONFIG_DMABUF_SYSFS_STATS: off in Debian, removed by 7.2)",
				 root);
			return 0;
		default:
			snprintf(why, len, "%s/sys/kernel/dmabuf/buffers not readable: %s",
				 root, strerror(errno));
			return 0;
		}
	case S_PROC:
	case S_AUTO:
		break;
	}
	return 1;
}

/* The table's line on stderr: which source, what it cannot see, and why not a better one. */
static void say_source(const struct di_state *st, FILE *err, const char *skipped)
{
	fprintf(err, DI_NAME ": source: %s (cannot see: %s)%s\n", st->source,
		st->blind, skipped);
}

/*
 * The list of buffers from the chosen source, or from the first that
 * works (auto). 0, or 1 after a message: a chosen source that is not
 * available is a runtime error, with its reason. With @notes, auto says
 * which source it took and why not the better ones.
 */
static int pick_source(struct di_state *st, const struct opts *o, FILE *err,
		       int notes)
{
	char why[S_PROC][256], skipped[1200] = "";
	enum source s, t, first;

	if (o->source != S_AUTO) {
		if (try_source(st, o->source, o->root, why[0], sizeof(why[0]))) {
			st->source = source_names[o->source];
			st->blind = source_blind[o->source];
			if (notes && o->fmt == DI_TABLE)
				say_source(st, err, "");
			return 0;
		}
		fprintf(err, DI_NAME ": source %s is not available: %s\n",
			source_names[o->source], why[0]);
		return 1;
	}
	/* A --root tree is no running kernel: the BPF source is not for it. */
	first = *o->root ? S_DEBUGFS : S_BPF;
	for (s = first; s < S_PROC; s++)
		if (try_source(st, s, o->root, why[s], sizeof(why[s])))
			break;
	st->source = source_names[s];
	st->blind = source_blind[s];
	for (t = first; t < s; t++)
		snprintf(skipped + strlen(skipped), sizeof(skipped) - strlen(skipped),
			 "; not %s: %s", source_names[t], why[t]);
	if (notes && o->fmt == DI_TABLE)
		say_source(st, err, skipped);
	else if (notes && *skipped)
		fprintf(err, DI_NAME ": note: source %s%s\n", st->source, skipped);
	return 0;
}

/* Read everything. 0, or 1 after a message (runtime error). */
static int collect(struct di_state *st, const struct opts *o, FILE *err,
		   int notes)
{
	di_state_init(st);
	st->warn = notes ? err : NULL;
	if (di_scan_proc(st, o->root) < 0) {
		fprintf(err, DI_NAME ": cannot read %s/proc: %s\n", o->root,
			strerror(errno));
		di_state_free(st);
		return 1;
	}
	if (pick_source(st, o, err, notes)) {
		di_state_free(st);
		return 1;
	}
	if (st->unreadable && notes)
		fprintf(err, DI_NAME ": note: %u processes could not be read%s\n",
			st->unreadable,
			geteuid() ? "; run as root to see them" : "");
	di_state_finish(st);
	if (o->pid)
		di_state_filter_pid(st, o->pid);
	return 0;
}

static size_t build_view(const struct di_state *st, enum view v,
			 struct di_table *t)
{
	switch (v) {
	case V_BUFFER: return di_view_buffer(st, t);
	case V_GRID: return di_view_grid(st, t);
	case V_EXPORTER: return di_view_exporter(st, t);
	case V_FENCES: return di_view_fences(st, t);
	case V_PROCESS: break;
	}
	return di_view_process(st, t);
}

static void free_tables(struct di_table *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		di_table_free(&t[i]);
}

/* ---- --watch ---------------------------------------------------------- */

struct exp_total {
	char *name;
	uint64_t size;
};

static uint64_t totals(const struct di_state *st, struct exp_total **v,
		       size_t *n, size_t *nbufs)
{
	uint64_t total = 0;
	size_t i, j;

	*n = 0;
	*v = NULL;
	*nbufs = 0;
	for (i = 0; i < st->nbufs; i++) {
		const struct di_buf *b = &st->bufs[i];

		if (b->hidden)
			continue;
		total += b->size;
		(*nbufs)++;
		for (j = 0; j < *n; j++)
			if (!strcmp((*v)[j].name, b->exp_name))
				break;
		if (j == *n) {
			*v = di_xrealloc(*v, *n + 1, sizeof(**v));
			(*v)[j].name = di_strdup(b->exp_name);
			(*v)[j].size = 0;
			(*n)++;
		}
		(*v)[j].size += b->size;
	}
	return total;
}

static void free_totals(struct exp_total *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

static uint64_t find_total(const struct exp_total *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].size;
	return 0;
}

static void sleep_for(double s)
{
	struct timespec ts, rem;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}

static void print_delta(FILE *out, const struct opts *o, const char *name,
			int64_t d, int first)
{
	if (o->fmt == DI_JSON) {
		fputs(first ? "" : ", ", out);
		di_json_string(out, name);
		fprintf(out, ": %" PRId64, d);
	} else {
		char *e = di_text_escape(name, DI_CELL_MAX, NULL);

		if (o->fmt == DI_CSV)
			fprintf(out, "%s%s:%+" PRId64, first ? "" : ";", e, d);
		else
			fprintf(out, " %s %+" PRId64 "KiB", e, d / 1024);
		free(e);
	}
}

static int watch(const struct opts *o, FILE *out, FILE *err)
{
	struct exp_total *prev = NULL;
	size_t nprev = 0;
	uint64_t peak = 0;
	long line;
	double t = 0;

	if (o->fmt == DI_CSV)
		fprintf(out, "time,total,buffers,peak,deltas\n");
	for (line = 0; o->count < 0 || line < o->count; line++) {
		struct di_state st;
		struct exp_total *cur;
		size_t ncur, nbufs, i;
		uint64_t total;
		int first = 1;

		if (line) {
			sleep_for(o->watch);
			t += o->watch;
		}
		if (collect(&st, o, err, line == 0)) {
			free_totals(prev, nprev);
			return 1;
		}
		total = totals(&st, &cur, &ncur, &nbufs);
		if (total > peak)
			peak = total;
		if (o->fmt == DI_JSON)
			fprintf(out, "{\"time\": %.3f, \"total\": %" PRIu64
				", \"buffers\": %zu, \"peak\": %" PRIu64
				", \"deltas\": {", t, total, nbufs, peak);
		else if (o->fmt == DI_CSV)
			fprintf(out, "%.3f,%" PRIu64 ",%zu,%" PRIu64 ",", t,
				total, nbufs, peak);
		else
			fprintf(out, "t=%.1fs total=%" PRIu64 "KiB buffers=%zu peak=%"
				PRIu64 "KiB", t, total / 1024, nbufs, peak / 1024);
		if (line) {
			for (i = 0; i < ncur; i++) {
				int64_t d = (int64_t)(cur[i].size -
					find_total(prev, nprev, cur[i].name));

				if (d) {
					print_delta(out, o, cur[i].name, d, first);
					first = 0;
				}
			}
			for (i = 0; i < nprev; i++)
				if (!find_total(cur, ncur, prev[i].name)) {
					print_delta(out, o, prev[i].name,
						    -(int64_t)prev[i].size, first);
					first = 0;
				}
		}
		fputs(o->fmt == DI_JSON ? "}}\n" : "\n", out);
		if (fflush(out) != 0) {
			free_totals(cur, ncur);
			di_state_free(&st);
			break;
		}
		free_totals(prev, nprev);
		prev = cur;
		nprev = ncur;
		di_state_free(&st);
	}
	free_totals(prev, nprev);
	return 0;
}

struct trace_arg {
	const struct opts *o;
	FILE *err;
};

/* The leak report's snapshot: every buffer, by the source asked for. */
static int trace_snapshot(struct di_state *st, void *arg)
{
	const struct trace_arg *a = arg;
	struct opts o = *a->o;

	o.pid = 0;
	return collect(st, &o, a->err, 0);
}

static int trace(const struct opts *o, FILE *out, FILE *err)
{
	const struct di_trace_opts t = {
		.seconds = o->trace,
		.fmt = o->fmt,
		.root = o->root,
	};
	struct trace_arg a = { o, err };

	return di_trace(&t, trace_snapshot, &a, out, err);
}

int di_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct di_table tables[4];
	struct di_state st, old;
	char why[512];
	struct opts o;
	size_t n;
	int ret;

	ret = parse_opts(argc, argv, &o, out, err);
	if (ret == -1)
		return ferror(out) ? 1 : 0;
	if (ret)
		return ret;
	if (o.watching)
		ret = watch(&o, out, err);
	else if (o.tracing)
		ret = trace(&o, out, err);
	else
		ret = collect(&st, &o, err, 1);
	if (ret || o.watching || o.tracing)
		goto out;
	if (o.save) {
		if (di_snapshot_save(&st, o.save) < 0) {
			fprintf(err, DI_NAME ": cannot write %s: %s\n", o.save,
				strerror(errno));
			ret = 1;
		}
	} else if (o.diff) {
		di_state_init(&old);
		if (di_snapshot_load(&old, o.diff, why, sizeof(why)) < 0) {
			fprintf(err, DI_NAME ": cannot read snapshot %s\n", why);
			ret = 1;
		} else {
			if (o.pid)
				di_state_filter_pid(&old, o.pid);
			n = di_view_diff(&old, &st, tables);
			di_render_doc(out, o.fmt, tables, n, st.source, st.blind);
			free_tables(tables, n);
		}
		di_state_free(&old);
	} else {
		n = build_view(&st, o.view, tables);
		di_render_doc(out, o.fmt, tables, n, st.source, st.blind);
		free_tables(tables, n);
	}
	di_state_free(&st);
out:
	if (fflush(out) != 0 || ferror(out)) {
		fprintf(err, DI_NAME ": write error: %s\n", strerror(errno));
		return 1;
	}
	return ret;
}
