// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzing target of dmabuf-inspect's parsers: debugfs bufinfo, fdinfo,
 * maps and snapshots, then every view rendered as a table, CSV and JSON
 * (the escaping); and trace_pipe lines through --trace's tracer, in both
 * event sets and formats, with its leak report. The first byte of an
 * input picks the parser ('b', 'f', 'm', 's', 't'; any other byte by its
 * value modulo 5), the rest is the text.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz), or
 * with -DFUZZ_STANDALONE and any compiler: then it runs each file named
 * on its command line once (for afl++, and where libFuzzer is missing).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmabuf-lab.h>

#include "inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

static void render(const struct di_state *st)
{
	size_t (*const views[])(const struct di_state *, struct di_table *) = {
		di_view_process, di_view_buffer, di_view_grid,
		di_view_exporter, di_view_fences,
	};
	struct di_table t[4];
	size_t v, n, i;

	for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		n = views[v](st, t);
		di_render(sink, DI_TABLE, t, n);
		di_render(sink, DI_CSV, t, n);
		di_render(sink, DI_JSON, t, n);
		for (i = 0; i < n; i++)
			di_table_free(&t[i]);
	}
	n = di_view_diff(st, st, t);
	di_render(sink, DI_TABLE, t, n);
	for (i = 0; i < n; i++)
		di_table_free(&t[i]);
}

/* Trace text through the tracer, each way it can print, then its report. */
static void trace_lines(const char *data, size_t len, struct di_state *st)
{
	static const enum di_fmt fmts[] = { DI_TABLE, DI_JSON };
	struct di_trace_opts o = { .root = "/nonexistent" };
	struct di_tracer *t;
	size_t f;
	int fallback;

	st->source = "debugfs";
	for (fallback = 0; fallback < 2; fallback++)
		for (f = 0; f < 2; f++) {
			o.fmt = fmts[f];
			t = di_tracer_new(&o, fallback, sink, sink);
			di_tracer_feed(t, data, len);
			di_tracer_report(t, st);
			di_tracer_free(t);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct di_state st;
	struct dmabuf_lab_fdinfo fi;
	char why[256], *text;
	size_t bi;

	if (!size)
		return 0;
	if (!sink)
		sink = fopen("/dev/null", "w");
	text = di_strndup((const char *)data + 1, size - 1);
	di_state_init(&st);
	switch (data[0] == 'b' ? 0 : data[0] == 'f' ? 1 : data[0] == 'm' ? 2 :
		data[0] == 's' ? 3 : data[0] == 't' ? 4 : data[0] % 5) {
	case 4:
		trace_lines((const char *)data + 1, size - 1, &st);
		di_state_free(&st);
		free(text);
		return 0;
	case 0:
		(void)di_parse_bufinfo(&st, text);
		break;
	case 1:
		dmabuf_lab_fdinfo_parse(text, &fi);
		bi = di_state_buf(&st, fi.has & DMABUF_LAB_FDINFO_INO ? fi.ino : 0);
		di_buf_set_strings(&st.bufs[bi], fi.exp_name, fi.name);
		di_proc_hold(&st, di_state_proc(&st, 1, fi.name), bi)->nfds++;
		break;
	case 2:
		di_parse_maps(&st, text, 1, "fuzz");
		break;
	case 3:
		if (di_snapshot_parse(&st, text, "fuzz", why, sizeof(why)) == 0)
			render(&st);
		di_state_free(&st);
		free(text);
		return 0;
	}
	di_state_finish(&st);
	render(&st);
	di_state_free(&st);
	free(text);
	return 0;
}

#ifdef FUZZ_STANDALONE
int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		size_t len;
		char *s = di_read_file(argv[i], 1 << 20, 0, &len);

		if (!s) {
			perror(argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)s, len);
		free(s);
	}
	return 0;
}
#endif
