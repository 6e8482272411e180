// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of dmabuf-inspect. Each test builds a fixture tree in a
 * temporary directory (proc/PID/{comm,fd,fdinfo,maps},
 * sys/kernel/debug/dma_buf/bufinfo, sys/kernel/dmabuf/buffers) and runs
 * the parsers, the views or the whole program (di_main) with --root on it.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <dmabuf-lab.h>

#include "inspect.h"

#define MIB (1024ULL * 1024ULL)

/* ---- fixture building ------------------------------------------------- */

struct fx {
	char root[64];
};

static void mkdir_p(const char *path)
{
	char tmp[4096], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", tmp, strerror(errno));
}

static void put_file(struct fx *f, const char *rel, const char *text)
{
	char path[4096], dir[4096], *slash;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdir_p(dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static void add_proc(struct fx *f, int pid, const char *comm)
{
	char rel[256], text[256];

	snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
	snprintf(text, sizeof(text), "%s\n", comm);
	put_file(f, rel, text);
	snprintf(rel, sizeof(rel), "%s/proc/%d/fd", f->root, pid);
	mkdir_p(rel);
	snprintf(rel, sizeof(rel), "%s/proc/%d/fdinfo", f->root, pid);
	mkdir_p(rel);
}

/* An fd: link target and fdinfo text (NULL: no fdinfo file). */
static void add_fd(struct fx *f, int pid, int fd, const char *target,
		   const char *fdinfo)
{
	char path[4096], rel[256];

	snprintf(path, sizeof(path), "%s/proc/%d/fd/%d", f->root, pid, fd);
	assert_int_equal(symlink(target, path), 0);
	if (fdinfo) {
		snprintf(rel, sizeof(rel), "proc/%d/fdinfo/%d", pid, fd);
		put_file(f, rel, fdinfo);
	}
}

static void add_maps(struct fx *f, int pid, const char *maps)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "proc/%d/maps", pid);
	put_file(f, rel, maps);
}

static void fx_new(struct fx *f)
{
	snprintf(f->root, sizeof(f->root), "%s", "/tmp/di-test.XXXXXX");
	assert_non_null(mkdtemp(f->root));
}

static int rm_entry(const char *path, const struct stat *sb, int type,
		    struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void fx_free(struct fx *f)
{
	assert_int_equal(nftw(f->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* ---- the standard fixture (6.1 format) -------------------------------- */

static const char bufinfo_61[] =
	"\nDma-buf Objects:\n"
	"size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
	"01048576\t00000002\t00080007\t00000004\tsystem\t00001001\tcam0\n"
	"\twrite fence:vgem vgem-tl seq 7 unsignalled\n"
	"\tread fence:i915 ring0 seq 3 signalled\n"
	"\tAttached Devices:\n"
	"Total 0 devices attached\n\n"
	"00004096\t00000002\t00080007\t00000002\tpagebuf\t00001002\t<none>\n"
	"\tAttached Devices:\n"
	"\tvgem\n"
	"\t0000:00:02.0\n"
	"Total 2 devices attached\n\n"
	"00008192\t00000002\t00080007\t00000001\tpagebuf\t00001003\t<none>\n"
	"\tAttached Devices:\n"
	"Total 0 devices attached\n\n"
	"00065536\t00000002\t00080007\t00000001\tsystem\t00001004\t<none>\n"
	"\tAttached Devices:\n"
	"Total 0 devices attached\n\n"
	"\nTotal 4 objects, 1126400 bytes\n";

static void fx_standard(struct fx *f, int with_bufinfo)
{
	fx_new(f);
	add_proc(f, 100, "gst-launch");
	add_fd(f, 100, 3, "/dmabuf:cam0",
	       "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1001\nsize:\t1048576\n"
	       "count:\t2\nexp_name:\tsystem\nname:\tcam0\n");
	add_fd(f, 100, 4, "anon_inode:dmabuf",
	       "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1002\nsize:\t4096\n"
	       "count:\t1\nexp_name:\tpagebuf\n");
	add_fd(f, 100, 5, "/dev/null", "pos:\t0\nflags:\t02\n");
	add_maps(f, 100,
		 "55e04c1ec000-55e04c1ee000 r--p 00000000 fe:00 247498                     /usr/bin/gst\n"
		 "7f0000000000-7f0000100000 rw-s 00000000 00:0d 1001                       /dmabuf:cam0\n");
	add_proc(f, 200, "weston");
	add_fd(f, 200, 7, "/dmabuf:cam0",
	       "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1001\nsize:\t1048576\n"
	       "count:\t2\nexp_name:\tsystem\nname:\tcam0\n");
	add_maps(f, 200,
		 "7f1000000000-7f1000002000 rw-s 00000000 00:0d 1003                       anon_inode:dmabuf\n");
	add_proc(f, 300, "bash");
	add_fd(f, 300, 0, "/dev/pts/0", "pos:\t0\n");
	if (with_bufinfo)
		put_file(f, "sys/kernel/debug/dma_buf/bufinfo", bufinfo_61);
}

static const struct di_buf *buf_by_ino(const struct di_state *st, uint64_t ino)
{
	size_t i;

	for (i = 0; i < st->nbufs; i++)
		if (st->bufs[i].ino == ino)
			return &st->bufs[i];
	fail_msg("no buffer with inode %llu", (unsigned long long)ino);
	return NULL;
}

static void load(struct di_state *st, struct fx *f)
{
	di_state_init(st);
	assert_int_equal(di_scan_proc(st, f->root), 0);
	assert_int_equal(di_scan_sysfs(st, f->root), 1);
	(void)di_scan_bufinfo(st, f->root);
	di_state_finish(st);
}

/* Run the program; its stdout and stderr land in *out and *err. */
static int run(char **out, char **err, ...)
{
	char *argv[32];
	size_t olen, elen;
	FILE *o, *e;
	va_list ap;
	int argc = 0, ret;

	argv[argc++] = (char *)"dmabuf-inspect";
	va_start(ap, err);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	o = open_memstream(out, &olen);
	e = open_memstream(err, &elen);
	assert_non_null(o);
	assert_non_null(e);
	ret = di_main(argc, argv, o, e);
	assert_int_equal(fclose(o), 0);
	assert_int_equal(fclose(e), 0);
	return ret;
}

static uint64_t cell_n(const struct di_table *t, size_t row, size_t col)
{
	assert_true(row < t->nrows);
	return t->cells[row * t->ncols + col].n;
}

static const char *cell_s(const struct di_table *t, size_t row, size_t col)
{
	assert_true(row < t->nrows);
	return t->cells[row * t->ncols + col].s;
}

/* ---- tests: fdinfo and /proc ------------------------------------------ */

static void fdinfo_fields(void **state)
{
	struct dmabuf_lab_fdinfo fi;

	(void)state;
	dmabuf_lab_fdinfo_parse("pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t4242\n"
			"size:\t8192\ncount:\t3\nexp_name:\tv2d-emu\nname:\tmy buf\n",
			&fi);
	assert_true(fi.has & DMABUF_LAB_FDINFO_SIZE);
	assert_int_equal(fi.size, 8192);
	assert_true(fi.has & DMABUF_LAB_FDINFO_INO);
	assert_int_equal(fi.ino, 4242);
	assert_int_equal(fi.count, 3);
	assert_string_equal(fi.exp_name, "v2d-emu");
	assert_string_equal(fi.name, "my buf");

	/* 5.10: no ino, no name. */
	dmabuf_lab_fdinfo_parse("pos:\t0\nflags:\t02\nmnt_id:\t9\nsize:\t4096\ncount:\t1\n"
			"exp_name:\tpagebuf\n", &fi);
	assert_false(fi.has & DMABUF_LAB_FDINFO_INO);
	assert_int_equal(fi.size, 4096);
	assert_string_equal(fi.exp_name, "pagebuf");
	assert_string_equal(fi.name, "");
}

static void dmabuf_paths(void **state)
{
	(void)state;
	assert_true(di_is_dmabuf_path("/dmabuf:"));
	assert_true(di_is_dmabuf_path("/dmabuf:cam0"));
	assert_true(di_is_dmabuf_path("anon_inode:dmabuf"));
	assert_false(di_is_dmabuf_path("anon_inode:[eventfd]"));
	assert_false(di_is_dmabuf_path("/dev/dma_heap/system"));
	assert_false(di_is_dmabuf_path("/dev/null"));
}

static void proc_scan_holders(void **state)
{
	struct di_state st;
	struct fx f;
	const struct di_buf *b;

	(void)state;
	fx_standard(&f, 0);
	load(&st, &f);
	assert_int_equal(st.nprocs, 2);	/* bash holds no dma-buf */
	assert_int_equal(st.procs[0].pid, 100);
	assert_string_equal(st.procs[0].comm, "gst-launch");
	assert_int_equal(st.procs[0].nholds, 2);
	assert_int_equal(st.procs[1].pid, 200);
	assert_int_equal(st.procs[1].nholds, 2);
	b = buf_by_ino(&st, 1001);
	assert_int_equal(b->size, MIB);
	assert_int_equal(b->nholders, 2);
	assert_string_equal(b->exp_name, "system");
	assert_string_equal(b->name, "cam0");
	/* fd and mapping of 1001 in pid 100 count once. */
	assert_int_equal(st.procs[0].holds[0].nfds, 1);
	assert_int_equal(st.procs[0].holds[0].nmaps, 1);
	assert_int_equal(st.procs[0].holds[0].mapped, MIB);
	/* 1003 is only mapped (fd closed): size from the mapping. */
	b = buf_by_ino(&st, 1003);
	assert_int_equal(b->size, 8192);
	assert_int_equal(b->nholders, 1);
	assert_false(st.have_bufinfo);
	di_state_free(&st);
	fx_free(&f);
}

static void process_rss_pss(void **state)
{
	struct di_table t[4];
	struct di_state st;
	struct fx f;
	size_t n;

	(void)state;
	fx_standard(&f, 1);
	load(&st, &f);
	n = di_view_process(&st, t);
	assert_int_equal(n, 2);
	/* processes: PID COMM BUFFERS RSS PSS, then the total. */
	assert_int_equal(t[1].nrows, 3);
	assert_int_equal(cell_n(&t[1], 0, 0), 100);
	assert_int_equal(cell_n(&t[1], 0, 2), 2);
	assert_int_equal(cell_n(&t[1], 0, 3), MIB + 4096);
	assert_int_equal(cell_n(&t[1], 0, 4), MIB / 2 + 4096);
	assert_int_equal(cell_n(&t[1], 1, 0), 200);
	assert_int_equal(cell_n(&t[1], 1, 3), MIB + 8192);
	assert_int_equal(cell_n(&t[1], 1, 4), MIB / 2 + 8192);
	assert_string_equal(cell_s(&t[1], 2, 0), "total");
	assert_int_equal(cell_n(&t[1], 2, 3), 2 * MIB + 4096 + 8192);
	assert_int_equal(cell_n(&t[1], 2, 4), MIB + 4096 + 8192);
	/* buffers: one row per process and buffer. */
	assert_int_equal(t[0].nrows, 4);
	assert_int_equal(cell_n(&t[0], 0, 2), 1001);
	assert_int_equal(cell_n(&t[0], 0, 5), MIB / 2);
	assert_string_equal(cell_s(&t[0], 0, 9), "cam0");
	di_table_free(&t[0]);
	di_table_free(&t[1]);
	di_state_free(&st);
	fx_free(&f);
}

static void exporter_totals(void **state)
{
	struct di_table t[4];
	struct di_state st;
	struct fx f;

	(void)state;
	fx_standard(&f, 1);
	load(&st, &f);
	assert_int_equal(di_view_exporter(&st, t), 1);
	assert_int_equal(t[0].nrows, 3);
	/* EXPORTER BUFFERS SIZE RSS PSS; 1004 is held by no process. */
	assert_string_equal(cell_s(&t[0], 0, 0), "system");
	assert_int_equal(cell_n(&t[0], 0, 1), 2);
	assert_int_equal(cell_n(&t[0], 0, 2), MIB + 65536);
	assert_int_equal(cell_n(&t[0], 0, 3), 2 * MIB);
	assert_int_equal(cell_n(&t[0], 0, 4), MIB);
	assert_string_equal(cell_s(&t[0], 1, 0), "pagebuf");
	assert_int_equal(cell_n(&t[0], 1, 1), 2);
	assert_int_equal(cell_n(&t[0], 1, 2), 4096 + 8192);
	assert_string_equal(cell_s(&t[0], 2, 0), "total");
	assert_int_equal(cell_n(&t[0], 2, 1), 4);
	assert_int_equal(cell_n(&t[0], 2, 2), MIB + 65536 + 4096 + 8192);
	di_table_free(&t[0]);
	di_state_free(&st);
	fx_free(&f);
}

/* ---- tests: bufinfo formats ------------------------------------------- */

static void bufinfo_61_format(void **state)
{
	struct di_state st;
	const struct di_buf *b;

	(void)state;
	di_state_init(&st);
	assert_int_equal(di_parse_bufinfo(&st, bufinfo_61), 0);
	assert_int_equal(st.bufinfo_format, 601);
	assert_int_equal(st.nbufs, 4);
	b = buf_by_ino(&st, 1001);
	assert_int_equal(b->size, MIB);
	assert_int_equal(b->flags, 2);
	assert_int_equal(b->mode, 0x80007);
	assert_int_equal(b->count, 4);
	assert_string_equal(b->exp_name, "system");
	assert_string_equal(b->name, "cam0");
	assert_int_equal(b->nfences, 2);
	assert_string_equal(b->fences[0].usage, "write");
	assert_string_equal(b->fences[0].driver, "vgem");
	assert_string_equal(b->fences[0].timeline, "vgem-tl");
	assert_int_equal(b->fences[0].seqno, 7);
	assert_false(b->fences[0].signalled);
	assert_string_equal(b->fences[1].usage, "read");
	assert_true(b->fences[1].signalled);
	assert_int_equal(b->ndevices, 0);
	b = buf_by_ino(&st, 1002);
	assert_string_equal(b->name, "");	/* "<none>" */
	assert_int_equal(b->ndevices, 2);
	assert_string_equal(b->devices[0], "vgem");
	assert_string_equal(b->devices[1], "0000:00:02.0");
	di_state_free(&st);
}

static const char bufinfo_510[] =
	"\nDma-buf Objects:\n"
	"size    \tflags   \tmode    \tcount   \texp_name\tino     \n"
	"00004096\t00000002\t00000005\t00000003\tpagebuf\t00000017\t\n"
	"\tExclusive fence: vgem vgem-timeline unsignalled\n"
	"\tShared fence: i915 ring0 signalled\n"
	"\tAttached Devices:\n"
	"\tvgem\n"
	"Total 1 devices attached\n\n"
	"00008192\t00000002\t00000005\t00000001\tsystem\t00000018\tmybuf\n"
	"\tAttached Devices:\n"
	"Total 0 devices attached\n\n"
	"\nTotal 2 objects, 12288 bytes\n";

static void bufinfo_510_format(void **state)
{
	struct di_state st;
	const struct di_buf *b;

	(void)state;
	di_state_init(&st);
	assert_int_equal(di_parse_bufinfo(&st, bufinfo_510), 0);
	assert_int_equal(st.bufinfo_format, 510);
	assert_int_equal(st.nbufs, 2);
	b = buf_by_ino(&st, 17);
	assert_int_equal(b->size, 4096);
	assert_int_equal(b->count, 3);
	assert_int_equal(b->mode, 5);
	assert_string_equal(b->exp_name, "pagebuf");
	assert_string_equal(b->name, "");
	assert_int_equal(b->nfences, 2);
	assert_string_equal(b->fences[0].usage, "exclusive");
	assert_string_equal(b->fences[0].driver, "vgem");
	assert_string_equal(b->fences[0].timeline, "vgem-timeline");
	assert_false(b->fences[0].has_seqno);
	assert_false(b->fences[0].signalled);
	assert_string_equal(b->fences[1].usage, "shared");
	assert_true(b->fences[1].signalled);
	assert_int_equal(b->ndevices, 1);
	assert_string_equal(b->devices[0], "vgem");
	b = buf_by_ino(&st, 18);
	assert_string_equal(b->name, "mybuf");
	assert_int_equal(b->nfences, 0);
	di_state_free(&st);
}

static const char bufinfo_7x[] =
	"\nDma-buf Objects:\n"
	"size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
	"00016384\t00000002\t00080007\t00000002\tv2d-emu\t00000042\tframe\n"
	"\twrite fence:5:12 v2d-ring v2d-emu unsignalled\n"
	"\tread fence:6:3   signalled\n"
	"\tkernel fence:7:1 vgem-tl vgem unsignalled\n"
	"\tAttached Devices:\n"
	"\tv2d-emu.0\n"
	"Total 1 devices attached\n\n"
	"\nTotal 1 objects, 16384 bytes\n";

static void bufinfo_7x_format(void **state)
{
	struct di_state st;
	const struct di_buf *b;

	(void)state;
	di_state_init(&st);
	assert_int_equal(di_parse_bufinfo(&st, bufinfo_7x), 0);
	assert_int_equal(st.bufinfo_format, 700);
	b = buf_by_ino(&st, 42);
	assert_int_equal(b->size, 16384);
	assert_string_equal(b->exp_name, "v2d-emu");
	assert_string_equal(b->name, "frame");
	assert_int_equal(b->nfences, 3);
	assert_string_equal(b->fences[0].usage, "write");
	assert_int_equal(b->fences[0].context, 5);
	assert_int_equal(b->fences[0].seqno, 12);
	assert_string_equal(b->fences[0].timeline, "v2d-ring");
	assert_string_equal(b->fences[0].driver, "v2d-emu");
	assert_false(b->fences[0].signalled);
	assert_int_equal(b->fences[1].context, 6);
	assert_int_equal(b->fences[1].seqno, 3);
	assert_string_equal(b->fences[1].driver, "");
	assert_true(b->fences[1].signalled);
	assert_string_equal(b->fences[2].usage, "kernel");
	assert_int_equal(b->ndevices, 1);
	assert_string_equal(b->devices[0], "v2d-emu.0");
	di_state_free(&st);
}

static const char bufinfo_612[] =
	"\nDma-buf Objects:\n"
	"size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
	"00262144\t00000002\t00080007\t00000003\tdrm\t00000301\tmy frame\n"
	"\tbookkeep fence:drm_sched gfx_0.0.0 seq 1234 unsignalled\n"
	"\tkernel fence:vgem vgem-tl seq 2 signalled\n"
	"\tAttached Devices:\n"
	"\t0000:00:02.0\n"
	"\tvgem\n"
	"Total 2 devices attached\n\n"
	"\nTotal 1 objects, 262144 bytes\n";

static void bufinfo_612_format(void **state)
{
	struct di_state st;
	const struct di_buf *b;

	(void)state;
	di_state_init(&st);
	assert_int_equal(di_parse_bufinfo(&st, bufinfo_612), 0);
	assert_int_equal(st.bufinfo_format, 601);
	b = buf_by_ino(&st, 301);
	assert_int_equal(b->size, 262144);
	assert_int_equal(b->count, 3);
	assert_string_equal(b->exp_name, "drm");
	assert_string_equal(b->name, "my frame");
	assert_int_equal(b->nfences, 2);
	assert_string_equal(b->fences[0].usage, "bookkeep");
	assert_string_equal(b->fences[0].driver, "drm_sched");
	assert_string_equal(b->fences[0].timeline, "gfx_0.0.0");
	assert_int_equal(b->fences[0].seqno, 1234);
	assert_false(b->fences[0].signalled);
	assert_string_equal(b->fences[1].usage, "kernel");
	assert_true(b->fences[1].signalled);
	assert_int_equal(b->ndevices, 2);
	assert_string_equal(b->devices[1], "vgem");
	di_state_free(&st);
}

/* A 5.10 system: fdinfo without ino, 5.10 bufinfo; the whole program. */
static void cli_kernel_510(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_new(&f);
	add_proc(&f, 42, "cam");
	add_fd(&f, 42, 3, "/dmabuf:", "pos:\t0\nflags:\t02\nmnt_id:\t9\n"
	       "size:\t4096\ncount:\t1\nexp_name:\tpagebuf\n");
	put_file(&f, "sys/kernel/debug/dma_buf/bufinfo", bufinfo_510);
	assert_int_equal(run(&out, &err, "--root", f.root, "--csv", NULL), 0);
	/* Unknown inode shown as "-"; Rss/Pss from fdinfo. */
	assert_non_null(strstr(out, "42,cam,-,4096,4096,4096,1,0,pagebuf,\n"));
	assert_string_equal(err, "");
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--root", f.root, "--fences", "--csv", NULL), 0);
	assert_non_null(strstr(out, "17,pagebuf,,exclusive,vgem,vgem-timeline,-,-\n"));
	assert_null(strstr(out, "shared"));
	free(out);
	free(err);
	fx_free(&f);
}

static void bufinfo_not_bufinfo(void **state)
{
	struct di_state st;

	(void)state;
	di_state_init(&st);
	assert_int_equal(di_parse_bufinfo(&st, "hello\nworld\n"), -1);
	assert_int_equal(di_parse_bufinfo(&st, ""), -1);
	di_state_free(&st);
}

static void fences_view(void **state)
{
	struct di_table t[4];
	struct di_state st;

	(void)state;
	di_state_init(&st);
	assert_int_equal(di_parse_bufinfo(&st, bufinfo_7x), 0);
	di_state_finish(&st);
	assert_int_equal(di_view_fences(&st, t), 1);
	/* Only the two unsignalled ones. */
	assert_int_equal(t[0].nrows, 2);
	assert_int_equal(cell_n(&t[0], 0, 0), 42);
	assert_string_equal(cell_s(&t[0], 0, 3), "write");
	assert_string_equal(cell_s(&t[0], 0, 4), "v2d-emu");
	assert_string_equal(cell_s(&t[0], 0, 5), "v2d-ring");
	assert_int_equal(cell_n(&t[0], 0, 7), 12);
	assert_string_equal(cell_s(&t[0], 1, 3), "kernel");
	di_table_free(&t[0]);
	di_state_free(&st);
}

/* ---- tests: sysfs ----------------------------------------------------- */

static void sysfs_buffers(void **state)
{
	struct di_state st;
	struct fx f;
	const struct di_buf *b;

	(void)state;
	fx_new(&f);
	put_file(&f, "proc/.keep", "");
	put_file(&f, "sys/kernel/dmabuf/buffers/77/exporter_name", "system\n");
	put_file(&f, "sys/kernel/dmabuf/buffers/77/size", "12288\n");
	di_state_init(&st);
	assert_int_equal(di_scan_sysfs(&st, f.root), 0);
	b = buf_by_ino(&st, 77);
	assert_int_equal(b->size, 12288);
	assert_string_equal(b->exp_name, "system");
	di_state_free(&st);
	fx_free(&f);
}

/* ---- tests: the program ----------------------------------------------- */

static void cli_csv_process(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_standard(&f, 1);
	assert_int_equal(run(&out, &err, "--root", f.root, "--csv", NULL), 0);
	assert_non_null(strstr(out, "PID,COMM,INODE,SIZE,RSS,PSS,FDS,MAPS,EXPORTER,NAME\n"));
	assert_non_null(strstr(out, "100,gst-launch,1001,1048576,1048576,524288,1,1,system,cam0\n"));
	assert_non_null(strstr(out, "200,weston,1003,8192,8192,8192,0,1,pagebuf,\n"));
	assert_non_null(strstr(out, "total,,4,2109440,1060864\n"));
	assert_string_equal(err, "");
	free(out);
	free(err);
	fx_free(&f);
}

static void cli_table_buffers(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_standard(&f, 1);
	assert_int_equal(run(&out, &err, "--root", f.root, "-b", NULL), 0);
	assert_non_null(strstr(out, "SIZE(KiB)"));
	assert_non_null(strstr(out, "100(gst-launch),200(weston)"));
	assert_non_null(strstr(out, "vgem,0000:00:02.0"));
	assert_non_null(strstr(out, "1024"));
	free(out);
	free(err);
	fx_free(&f);
}

static void cli_pid_filter(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_standard(&f, 1);
	assert_int_equal(run(&out, &err, "--root", f.root, "-p", "200", "-b",
			     "--csv", NULL), 0);
	assert_null(strstr(out, "1002,"));
	assert_non_null(strstr(out, "1001,1048576,system,cam0,4,200(weston),\n"));
	assert_non_null(strstr(out, "1003,8192,pagebuf,,1,200(weston),\n"));
	free(out);
	free(err);
	fx_free(&f);
}

static void cli_grid(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_standard(&f, 1);
	assert_int_equal(run(&out, &err, "--root", f.root, "-a", "--csv", NULL), 0);
	assert_non_null(strstr(out, "INODE,SIZE,EXPORTER,gst-launch[100],weston[200]\n"));
	assert_non_null(strstr(out, "1001,1048576,system,fd+map,fd\n"));
	assert_non_null(strstr(out, "1003,8192,pagebuf,,map\n"));
	assert_non_null(strstr(out, "1004,65536,system,,\n"));
	free(out);
	free(err);
	fx_free(&f);
}

static void cli_json_escape(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_new(&f);
	add_proc(&f, 10, "app");
	add_fd(&f, 10, 3, "/dmabuf:x",
	       "ino:\t5\nsize:\t4096\ncount:\t1\nexp_name:\tsys\"tem\nname:\ta\\b\tc\n");
	assert_int_equal(run(&out, &err, "--root", f.root, "-b", "--json", NULL), 0);
	assert_non_null(strstr(out, "\"exporter\": \"sys\\\"tem\""));
	assert_non_null(strstr(out, "\"name\": \"a\\\\b\\tc\""));
	assert_non_null(strstr(out, "\"size\": 4096"));
	assert_non_null(strstr(out, "\"buffers_total\": {"));
	/* No bufinfo in this tree: a note, and still success. */
	assert_non_null(strstr(err, "bufinfo not readable"));
	free(out);
	free(err);
	fx_free(&f);
}

static void cli_diff_appeared(void **state)
{
	char *out, *err, snap[128];
	struct fx f;

	(void)state;
	fx_standard(&f, 1);
	snprintf(snap, sizeof(snap), "%s/snap", f.root);
	assert_int_equal(run(&out, &err, "--root", f.root, "--save", snap, NULL), 0);
	free(out);
	free(err);
	/* A new buffer in gst-launch; weston lets go of its mapping. */
	add_fd(&f, 100, 9, "/dmabuf:leak",
	       "ino:\t1005\nsize:\t16384\ncount:\t1\nexp_name:\tv2d-emu\nname:\tleak\n");
	add_maps(&f, 200, "");
	assert_int_equal(run(&out, &err, "--root", f.root, "--diff", snap, "--csv",
			     NULL), 0);
	assert_non_null(strstr(out, "+,100,gst-launch,1005,16384,v2d-emu,leak\n"));
	assert_non_null(strstr(out, "-,200,weston,1003,8192,pagebuf,\n"));
	assert_non_null(strstr(out, "PID,COMM,APPEARED,GONE,DELTA\n"));
	assert_non_null(strstr(out, "100,gst-launch,16384,0,16384\n"));
	assert_non_null(strstr(out, "200,weston,0,8192,-8192\n"));
	assert_non_null(strstr(out, "v2d-emu,16384,0,16384\n"));
	/* 1003 still exists (bufinfo): no exporter change for pagebuf. */
	assert_null(strstr(out, "\npagebuf,"));
	free(out);
	free(err);
	fx_free(&f);
}

static void cli_watch_count(void **state)
{
	char *out, *err, *p;
	struct fx f;
	int lines = 0;

	(void)state;
	fx_standard(&f, 1);
	assert_int_equal(run(&out, &err, "--root", f.root, "--watch", "0",
			     "--count", "3", "--csv", NULL), 0);
	for (p = out; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 4);
	assert_non_null(strstr(out, "time,total,buffers,peak,deltas\n"));
	assert_non_null(strstr(out, "0.000,1126400,4,1126400,\n"));
	free(out);
	free(err);
	fx_free(&f);
}

static void cli_usage_errors(void **state)
{
	char *out, *err;

	(void)state;
	assert_int_equal(run(&out, &err, "--bogus", NULL), 2);
	assert_non_null(strstr(err, "unknown option"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "-p", "abc", NULL), 2);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--count", "2", NULL), 2);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--watch", NULL), 2);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--help", NULL), 0);
	assert_non_null(strstr(out, "Usage: dmabuf-inspect"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--root", "/nonexistent/di", NULL), 1);
	assert_non_null(strstr(err, "cannot read"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--diff", "/nonexistent/snap", NULL), 1);
	free(out);
	free(err);
}


/* ---- tests: hostile input --------------------------------------------- */

/*
 * Any process holding a dma-buf may name it (DMA_BUF_SET_NAME, up to 31
 * bytes), and the kernel prints the name raw, last, in fdinfo: a newline
 * in it starts lines that look like the kernel's own.
 */
static void fdinfo_name_cannot_forge(void **state)
{
	struct dmabuf_lab_fdinfo fi;

	(void)state;
	dmabuf_lab_fdinfo_parse("pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1001\nsize:\t4096\n"
			"count:\t1\nexp_name:\tsystem\nname:\tx\nino:\t7\n"
			"size:\t999999999999\n", &fi);
	assert_int_equal(fi.ino, 1001);
	assert_int_equal(fi.size, 4096);
	assert_string_equal(fi.exp_name, "system");
	/* 5.10 prints no ino: the name's must not stand in for it. */
	dmabuf_lab_fdinfo_parse("pos:\t0\nflags:\t02\nmnt_id:\t9\nsize:\t4096\ncount:\t1\n"
			"exp_name:\tpagebuf\nname:\tx\nino:\t7\nexp_name:\tevil\n", &fi);
	assert_false(fi.has & DMABUF_LAB_FDINFO_INO);
	assert_string_equal(fi.exp_name, "pagebuf");
	assert_string_equal(fi.name, "x\nino:\t7\nexp_name:\tevil");
}

/* In bufinfo the name ends the buffer's line: its rest must not be a buffer. */
static void bufinfo_name_cannot_forge(void **state)
{
	static const char text[] =
		"\nDma-buf Objects:\n"
		"size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
		"00004096\t00000002\t00080007\t00000001\tsystem\t00001001\tx\n"
		"1\t2\t3\t4\tsystem\t7\tforged\n"
		"\tAttached Devices:\n"
		"\tvgem\n"
		"Total 1 devices attached\n\n"
		"00008192\t00000002\t00080007\t00000001\tsystem\t00001002\t<none>\n"
		"\tAttached Devices:\n"
		"Total 0 devices attached\n\n"
		/* Impossible: a buffer listed twice. The first line stands. */
		"00999999\t00000002\t00080007\t00000001\tsystem\t00001001\tdup\n"
		"\tAttached Devices:\n"
		"\tforged-device\n"
		"Total 1 devices attached\n\n"
		"\nTotal 2 objects, 12288 bytes\n";
	struct di_state st;
	const struct di_buf *b;

	(void)state;
	di_state_init(&st);
	assert_int_equal(di_parse_bufinfo(&st, text), 0);
	assert_int_equal(st.nbufs, 2);
	b = buf_by_ino(&st, 1001);
	assert_int_equal(b->size, 4096);
	assert_string_equal(b->name, "x");
	assert_int_equal(b->ndevices, 1);
	assert_string_equal(b->devices[0], "vgem");
	b = buf_by_ino(&st, 1002);
	assert_int_equal(b->size, 8192);
	di_state_free(&st);
}

/* Names and comms are chosen by any process: nothing in them may steer a terminal. */
static void cli_escapes_control_bytes(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_new(&f);
	add_proc(&f, 10, "ev\033]0;il");
	add_fd(&f, 10, 3, "/dmabuf:x",
	       "ino:\t5\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n"
	       "name:\ta\033[31mred\\\r\n");
	assert_int_equal(run(&out, &err, "--root", f.root, NULL), 0);
	assert_null(strchr(out, '\033'));
	assert_null(strchr(out, '\r'));
	assert_non_null(strstr(out, "a\\x1b[31mred\\\\\\x0d"));
	assert_non_null(strstr(out, "ev\\x1b]0;il"));
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--root", f.root, "-a", "--csv", NULL), 0);
	assert_null(strchr(out, '\033'));
	assert_non_null(strstr(out, "ev\\x1b]0;il[10]"));
	free(out);
	free(err);
	fx_free(&f);
}

/* Is @s valid UTF-8 with no control character at all? */
static int clean_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n, i;

		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
		if (!n || *p > 0xf4)
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		if (n == 2 && *p == 0xc2 && p[1] < 0xa0)
			return 0;	/* C1 controls */
		p += n;
	}
	return 1;
}

static void cli_json_always_utf8(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_new(&f);
	add_proc(&f, 10, "app\xff");
	add_fd(&f, 10, 3, "/dmabuf:x",
	       "ino:\t5\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n"
	       "name:\t\xc3\xa9t\xc3\xa9\xfe\xc2\x9b\xe2\x82\n");
	assert_int_equal(run(&out, &err, "--root", f.root, "--json", NULL), 0);
	assert_true(clean_utf8(out));
	assert_non_null(strstr(out, "\"name\": \"\xc3\xa9t\xc3\xa9\\u00fe\\u009b\\u00e2\\u0082\""));
	assert_non_null(strstr(out, "\"comm\": \"app\\u00ff\""));
	free(out);
	free(err);
	fx_free(&f);
}

/* A table cell that is too long is cut visibly; CSV and JSON carry it whole. */
static void cli_long_cell_marked(void **state)
{
	char *out, *err, *text, *line;
	struct fx f;
	size_t len;

	(void)state;
	fx_new(&f);
	add_proc(&f, 10, "app");
	add_fd(&f, 10, 3, "/dmabuf:x",
	       "ino:\t1001\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n");
	text = malloc(4096);
	assert_non_null(text);
	len = (size_t)snprintf(text, 4096, "%s",
			       "\nDma-buf Objects:\n"
			       "size    \tflags   \tmode    \tcount   \texp_name\tino     \tname\n"
			       "00004096\t00000002\t00080007\t00000001\tsystem\t00001001\t<none>\n"
			       "\tAttached Devices:\n\t");
	memset(text + len, 'd', 1500);
	snprintf(text + len + 1500, 4096 - len - 1500, "\nTotal 1 devices attached\n\n"
		 "\nTotal 1 objects, 4096 bytes\n");
	put_file(&f, "sys/kernel/debug/dma_buf/bufinfo", text);
	free(text);
	assert_int_equal(run(&out, &err, "--root", f.root, "-b", NULL), 0);
	line = strstr(out, "ddd");
	assert_non_null(line);
	assert_int_equal(strspn(line, "d"), 1021);
	assert_memory_equal(line + 1021, "...", 3);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--root", f.root, "-b", "--csv", NULL), 0);
	line = strstr(out, "ddd");
	assert_non_null(line);
	assert_int_equal(strspn(line, "d"), 1500);
	free(out);
	free(err);
	fx_free(&f);
}

/* No process holds a buffer; a snapshot's process holds none: no qsort(NULL). */
static void nothing_held(void **state)
{
	char *out, *err, snap[128];
	struct fx f;

	(void)state;
	fx_new(&f);
	add_proc(&f, 10, "idle");
	snprintf(snap, sizeof(snap), "%s/snap", f.root);
	put_file(&f, "snap", "dmabuf-inspect snapshot 1\nP\t10\tidle\n");
	assert_int_equal(run(&out, &err, "--root", f.root, "--diff", snap, NULL), 0);
	free(out);
	free(err);
	fx_free(&f);
}

static void cli_watch_interval_finite(void **state)
{
	static const char *const bad[] = { "nan", "NAN", "inf", "-1", "1e999",
					   " 1", "1s", "", "86401" };
	char *out, *err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(run(&out, &err, "--watch", bad[i], "--count", "1",
				     "--root", "/nonexistent/di", NULL), 2);
		assert_non_null(strstr(err, "--watch"));
		free(out);
		free(err);
	}
}

/* A directory proc/@dir whose fd 3 links to @target. */
static void add_proc_dir(struct fx *f, const char *dir, const char *comm,
			 const char *target)
{
	char rel[256], path[4096];

	snprintf(rel, sizeof(rel), "proc/%s/comm", dir);
	put_file(f, rel, comm);
	snprintf(path, sizeof(path), "%s/proc/%s/fd", f->root, dir);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/proc/%s/fd/3", f->root, dir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(rel, sizeof(rel), "proc/%s/fdinfo/3", dir);
	put_file(f, rel, "ino:\t77\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n");
}

/* PID directories that are not a PID as the kernel writes one are skipped. */
static void odd_pid_dirs(void **state)
{
	char *out, *err, snap[128];
	struct fx f;

	(void)state;
	fx_new(&f);
	add_proc(&f, 10, "app");
	add_fd(&f, 10, 3, "/dmabuf:x", "ino:\t5\nsize:\t4096\ncount:\t1\nexp_name:\tsystem\n");
	add_proc_dir(&f, "2147483648", "big\n", "/dmabuf:y");
	add_proc_dir(&f, "99999999999999999999", "huge\n", "/dmabuf:y");
	add_proc_dir(&f, "0012", "lead\n", "/dmabuf:z");
	add_proc_dir(&f, "0", "zero\n", "/dmabuf:z");
	assert_int_equal(run(&out, &err, "--root", f.root, "--csv", NULL), 0);
	assert_non_null(strstr(out, "\n10,app,5,"));
	assert_null(strstr(out, "\n-"));
	assert_null(strstr(out, "big"));
	assert_null(strstr(out, "huge"));
	assert_null(strstr(out, "lead"));
	assert_null(strstr(out, "zero"));
	free(out);
	free(err);
	snprintf(snap, sizeof(snap), "%s/snap", f.root);
	assert_int_equal(run(&out, &err, "--root", f.root, "--save", snap, NULL), 0);
	free(out);
	free(err);
	assert_int_equal(run(&out, &err, "--root", f.root, "--diff", snap, NULL), 0);
	free(out);
	free(err);
	fx_free(&f);
}

/* Every inode is a real one's: none may pass for "unknown". */
static void huge_inode_is_real(void **state)
{
	char *out, *err;
	struct fx f;

	(void)state;
	fx_new(&f);
	add_proc(&f, 10, "app");
	add_fd(&f, 10, 3, "/dmabuf:a", "size:\t4096\ncount:\t1\nexp_name:\tsystem\n");
	add_fd(&f, 10, 4, "/dmabuf:b", "ino:\t4611686018427387904\nsize:\t8192\n"
	       "count:\t1\nexp_name:\tsystem\n");
	add_fd(&f, 10, 5, "/dmabuf:c", "ino:\t18446744073709551615\nsize:\t12288\n"
	       "count:\t1\nexp_name:\tsystem\n");
	assert_int_equal(run(&out, &err, "--root", f.root, "-b", "--csv", NULL), 0);
	assert_non_null(strstr(out, "\n-,4096,system,"));
	assert_non_null(strstr(out, "\n4611686018427387904,8192,system,"));
	assert_non_null(strstr(out, "\n18446744073709551615,12288,system,"));
	assert_non_null(strstr(out, "total,24576,,,3,"));
	free(out);
	free(err);
	fx_free(&f);
}

/* A bad snapshot is reported with its file, line and what is wrong. */
static void snapshot_error_line(void **state)
{
	char *out, *err, snap[128], want[160];
	struct fx f;

	(void)state;
	fx_new(&f);
	add_proc(&f, 10, "app");
	snprintf(snap, sizeof(snap), "%s/snap", f.root);
	put_file(&f, "snap", "dmabuf-inspect snapshot 1\nB\t5\t4096\tsystem\t\n"
		 "H\t10\tfive\t1\t0\t0\n");
	assert_int_equal(run(&out, &err, "--root", f.root, "--diff", snap, NULL), 1);
	snprintf(want, sizeof(want), "%s:3: ", snap);
	assert_non_null(strstr(err, want));
	free(out);
	free(err);
	put_file(&f, "snap", "dmabuf-inspect snapshot 1\nP\t-5\tapp\n");
	assert_int_equal(run(&out, &err, "--root", f.root, "--diff", snap, NULL), 1);
	snprintf(want, sizeof(want), "%s:2: ", snap);
	assert_non_null(strstr(err, want));
	free(out);
	free(err);
	put_file(&f, "snap", "not a snapshot\n");
	assert_int_equal(run(&out, &err, "--root", f.root, "--diff", snap, NULL), 1);
	snprintf(want, sizeof(want), "%s:1: ", snap);
	assert_non_null(strstr(err, want));
	free(out);
	free(err);
	fx_free(&f);
}

/* ---- tests: --trace (trace.c) ----------------------------------------- */

/* A tracer writing to memory. */
struct trun {
	struct di_tracer *t;
	FILE *o, *e;
	char *out, *err;
	size_t olen, elen;
};

static void trun_start(struct trun *r, enum di_fmt fmt, const char *root,
		       int fallback)
{
	struct di_trace_opts o = { .seconds = 0, .fmt = fmt, .root = root };

	r->o = open_memstream(&r->out, &r->olen);
	r->e = open_memstream(&r->err, &r->elen);
	assert_non_null(r->o);
	assert_non_null(r->e);
	r->t = di_tracer_new(&o, fallback, r->o, r->e);
	assert_non_null(r->t);
}

/* Ends the tracer, with the leak report when @st is given. */
static void trun_end(struct trun *r, const struct di_state *st)
{
	if (st)
		di_tracer_report(r->t, st);
	di_tracer_free(r->t);
	assert_int_equal(fclose(r->o), 0);
	assert_int_equal(fclose(r->e), 0);
}

static void trun_free(struct trun *r)
{
	free(r->out);
	free(r->err);
}

/* A line as trace_pipe has it: comm right-aligned in 16, irq-info flags. */
static int tline(struct trun *r, const char *comm, int pid, const char *event,
		 const char *fields)
{
	char line[8192];

	snprintf(line, sizeof(line), "%16s-%-7d [%03d] d..1. %5u.%06u: %s: %s",
		 comm, pid, 1, 123, 456789, event, fields);
	return di_tracer_line(r->t, line);
}

/* @text, a copy of which the tracer may modify. */
static int rawline(struct trun *r, const char *text)
{
	char line[8192];

	snprintf(line, sizeof(line), "%s", text);
	return di_tracer_line(r->t, line);
}

/* Line @n (from 0) of @text, without its newline, into @buf. */
static const char *nth_line(const char *text, int n, char *buf, size_t len)
{
	const char *nl;

	while (n-- > 0) {
		nl = strchr(text, '\n');
		assert_non_null(nl);
		text = nl + 1;
	}
	nl = strchr(text, '\n');
	assert_non_null(nl);
	assert_true((size_t)(nl - text) < len);
	memcpy(buf, text, (size_t)(nl - text));
	buf[nl - text] = '\0';
	return buf;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

/*
 * The keys of a one-line JSON object, comma-separated, and whether
 * every string in it is well formed: enough to check the JSON Lines.
 */
static void json_keys(const char *s, char *keys, size_t len)
{
	size_t k = 0;

	assert_int_equal(*s++, '{');
	keys[0] = '\0';
	for (;;) {
		assert_int_equal(*s++, '"');
		while (*s != '"') {
			assert_true(*s && k + 2 < len);
			keys[k++] = *s++;
		}
		keys[k++] = ',';
		keys[k] = '\0';
		s++;
		assert_int_equal(strncmp(s, ": ", 2), 0);
		s += 2;
		if (*s == '"') {
			for (s++; *s != '"'; s++) {
				assert_true(*s && (unsigned char)*s >= 0x20);
				if (*s == '\\')
					s++;
			}
			s++;
		} else {
			s += strcspn(s, ",}");
		}
		if (*s == '}')
			break;
		assert_int_equal(strncmp(s, ", ", 2), 0);
		s += 2;
	}
	assert_int_equal(s[1], '\0');
	if (k)
		keys[k - 1] = '\0';
}

/* The fixture the tracer reads comms and fdinfo names from. */
static void fx_trace(struct fx *f)
{
	fx_new(f);
	add_proc(f, 100, "gst-launch");
	put_file(f, "proc/100/fdinfo/5",
		 "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t1001\nsize:\t1048576\n"
		 "count:\t1\nexp_name:\tsystem\nname:\tcam0\n");
	/* Another buffer's fd now: its name must not be taken. */
	put_file(f, "proc/100/fdinfo/6",
		 "pos:\t0\nflags:\t02\nmnt_id:\t15\nino:\t4444\nsize:\t4096\n"
		 "count:\t1\nexp_name:\tsystem\nname:\twrong\n");
	add_proc(f, 300, "evil\x1b[31m");
}

#define EXP_1001 "exp_name=system size=1048576 ino=1001"

/* Every event of the dma-buf core, and pagebuf's that go with them. */
static void trace_core_events(void **state)
{
	static const char *const want[] = {
		"{\"event\": \"export\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\"}",
		"{\"event\": \"fd\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"cam0\", \"pid\": 100, \"comm\": \"gst-launch\"}",
		"{\"event\": \"get\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"cam0\", \"pid\": 200, \"comm\": \"weston\"}",
		"{\"event\": \"mmap\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"cam0\", \"pid\": 100, \"comm\": \"gst-launch\"}",
		"{\"event\": \"mmap\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"cam0\", \"pid\": 100, \"comm\": \"gst-launch\"}",
		"{\"event\": \"attach\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"cam0\", \"pid\": 200, \"comm\": \"weston\", \"device\": \"0000:00:02.0\"}",
		"{\"event\": \"detach\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"cam0\", \"pid\": 200, \"comm\": \"weston\", \"device\": \"0000:00:02.0\"}",
		"{\"event\": \"put\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"cam0\", \"pid\": 200, \"comm\": \"weston\"}",
		"{\"event\": \"map\", \"inode\": 1002, \"size\": null, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 200, \"comm\": \"weston\", \"device\": \"v2d_emu\"}",
		"{\"event\": \"unmap\", \"inode\": 1002, \"size\": null, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 200, \"comm\": \"weston\", \"device\": \"v2d_emu\"}",
		"{\"event\": \"release\", \"inode\": 1002, \"size\": 8192, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 0, \"comm\": \"<idle>\"}",
		"{\"event\": \"fd\", \"inode\": 1003, \"size\": 4096, \"exporter\": \"system\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\"}",
	};
	char buf[1024];
	struct trun r;
	struct fx f;
	size_t i;

	(void)state;
	fx_trace(&f);
	trun_start(&r, DI_JSON, f.root, 0);
	assert_int_equal(tline(&r, "gst-launch", 100, "dma_buf_export", EXP_1001), 1);
	assert_int_equal(tline(&r, "gst-launch", 100, "dma_buf_fd", EXP_1001 " fd=5"), 1);
	assert_int_equal(tline(&r, "weston", 200, "dma_buf_get", EXP_1001 " fd=9"), 1);
	assert_int_equal(tline(&r, "gst-launch", 100, "dma_buf_mmap", EXP_1001), 1);
	assert_int_equal(tline(&r, "gst-launch", 100, "dma_buf_mmap_internal", EXP_1001), 1);
	assert_int_equal(tline(&r, "weston", 200, "dma_buf_dynamic_attach",
			       EXP_1001 " attachment:00000000c0ffee00 is_dynamic=1 dev_name=0000:00:02.0"), 1);
	assert_int_equal(tline(&r, "weston", 200, "dma_buf_detach",
			       EXP_1001 " attachment:00000000c0ffee00 is_dynamic=0 dev_name=0000:00:02.0"), 1);
	assert_int_equal(tline(&r, "weston", 200, "dma_buf_put", EXP_1001), 1);
	assert_int_equal(tline(&r, "weston", 200, "pagebuf_map", "ino=1002 dev=v2d_emu dir=0 nents=3"), 1);
	assert_int_equal(tline(&r, "weston", 200, "pagebuf_unmap", "ino=1002 dev=v2d_emu dir=0 nents=3"), 1);
	assert_int_equal(tline(&r, "<idle>", 0, "pagebuf_release", "ino=1002 size=8192 demo=0"), 1);
	/* fd 6 is another buffer's now: no name from it. */
	assert_int_equal(tline(&r, "gst-launch", 100, "dma_buf_fd",
			       "exp_name=system size=4096 ino=1003 fd=6"), 1);
	trun_end(&r, NULL);
	assert_int_equal(count_lines(r.out), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(nth_line(r.out, (int)i, buf, sizeof(buf)), want[i]);
	assert_string_equal(r.err, "");
	trun_free(&r);
	fx_free(&f);
}

/* Without the core's events: pagebuf's and v2d_emu's, and a note first. */
static void trace_fallback_events(void **state)
{
	static const char *const want[] = {
		"{\"source\": \"pagebuf+v2d_emu\", \"note\": \"this kernel has no dma_buf trace events (Linux 7.x has them): only pagebuf's buffers and v2d_emu's imports are seen\"}",
		"{\"event\": \"export\", \"inode\": 2001, \"size\": 65536, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\"}",
		"{\"event\": \"export\", \"inode\": 2002, \"size\": 4096, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\"}",
		"{\"event\": \"attach\", \"inode\": 2001, \"size\": 65536, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\", \"device\": \"v2d_emu\"}",
		"{\"event\": \"mmap\", \"inode\": 2001, \"size\": 65536, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\"}",
		"{\"event\": \"attach\", \"inode\": 3001, \"size\": 8192, \"exporter\": \"system\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\", \"device\": \"v2d_emu\"}",
		"{\"event\": \"detach\", \"inode\": 3001, \"size\": 8192, \"exporter\": \"system\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\", \"device\": \"v2d_emu\"}",
		"{\"event\": \"detach\", \"inode\": 2001, \"size\": 65536, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 100, \"comm\": \"gst-launch\", \"device\": \"v2d_emu\"}",
		"{\"event\": \"release\", \"inode\": 2001, \"size\": 65536, \"exporter\": \"pagebuf\", \"name\": \"\", \"pid\": 42, \"comm\": \"kworker/0:1\"}",
	};
	char buf[1024];
	struct trun r;
	struct fx f;
	size_t i;

	(void)state;
	fx_trace(&f);
	trun_start(&r, DI_JSON, f.root, 1);
	assert_int_equal(tline(&r, "gst-launch", 100, "pagebuf_alloc",
			       "ino=2001 size=65536 segments=16 flags=0x3 pid=100"), 1);
	/* Made for process 100 by another task: 100's comm, from /proc. */
	assert_int_equal(tline(&r, "kworker/0:1", 42, "pagebuf_alloc",
			       "ino=2002 size=4096 segments=1 flags=0 pid=100"), 1);
	assert_int_equal(tline(&r, "gst-launch", 100, "pagebuf_attach", "ino=2001 dev=v2d_emu"), 1);
	assert_int_equal(tline(&r, "gst-launch", 100, "pagebuf_mmap", "ino=2001 pgoff=0 len=65536"), 1);
	/* pagebuf's own attach and detach say it: v2d_emu's are not repeated. */
	assert_int_equal(tline(&r, "gst-launch", 100, "v2d_import",
			       "handle=1 ino=2001 exporter=pagebuf size=65536 path=iommu segments=16"), 0);
	assert_int_equal(tline(&r, "gst-launch", 100, "v2d_import",
			       "handle=2 ino=3001 exporter=system size=8192 path=direct segments=2"), 1);
	assert_int_equal(tline(&r, "gst-launch", 100, "v2d_release", "handle=1 ino=2001"), 0);
	assert_int_equal(tline(&r, "gst-launch", 100, "v2d_release", "handle=2 ino=3001"), 1);
	assert_int_equal(tline(&r, "gst-launch", 100, "pagebuf_detach", "ino=2001 dev=v2d_emu"), 1);
	assert_int_equal(tline(&r, "kworker/0:1", 42, "pagebuf_release", "ino=2001 size=65536 demo=0"), 1);
	trun_end(&r, NULL);
	assert_int_equal(count_lines(r.out), sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_string_equal(nth_line(r.out, (int)i, buf, sizeof(buf)), want[i]);
	assert_string_equal(r.err, "");
	trun_free(&r);

	/* The table says it on stderr. */
	trun_start(&r, DI_TABLE, f.root, 1);
	trun_end(&r, NULL);
	assert_non_null(strstr(r.err, "dmabuf-inspect: note: this kernel has no dma_buf trace events"));
	assert_int_equal(count_lines(r.err), 1);
	trun_free(&r);
	fx_free(&f);
}

/* Comms, exporters and devices are hostile: any byte but NUL and newline. */
static void trace_hostile_strings(void **state)
{
	char buf[2048];
	struct trun r;
	struct fx f;

	(void)state;
	fx_trace(&f);
	trun_start(&r, DI_JSON, f.root, 0);
	/* A comm that looks like a header. */
	assert_int_equal(tline(&r, "a-1 [2] 9.9: x", 100, "dma_buf_put", EXP_1001), 1);
	/* One that is an event's name and separator (15 bytes). */
	assert_int_equal(tline(&r, ": dma_buf_put: ", 100, "dma_buf_put", EXP_1001), 1);
	/* An exporter that holds what follows it. */
	assert_int_equal(tline(&r, "app", 100, "dma_buf_export",
			       "exp_name=x size=1 ino=2 size=4096 ino=77"), 1);
	/* Two strings: the first is the shortest that fits. */
	assert_int_equal(tline(&r, "app", 100, "dma_buf_detach",
			       "exp_name=e\"q size=4096 ino=78 attachment:0 is_dynamic=0 "
			       "dev_name=d size=1 ino=2 attachment:0 is_dynamic=0 dev_name=z"), 1);
	/* Control bytes and bad UTF-8; a comm the saved cmdlines lacked. */
	assert_int_equal(tline(&r, "<...>", 300, "dma_buf_dynamic_attach",
			       "exp_name=\x1b]0;t\x07 size=4096 ino=79 attachment:(____ptrval____) "
			       "is_dynamic=1 dev_name=\xff\xfe dev"), 1);
	assert_int_equal(tline(&r, "<...>", 999999, "dma_buf_put", EXP_1001), 1);
	trun_end(&r, NULL);
	assert_string_equal(nth_line(r.out, 0, buf, sizeof(buf)),
		"{\"event\": \"put\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"\", \"pid\": 100, \"comm\": \"a-1 [2] 9.9: x\"}");
	assert_string_equal(nth_line(r.out, 1, buf, sizeof(buf)),
		"{\"event\": \"put\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"\", \"pid\": 100, \"comm\": \": dma_buf_put: \"}");
	assert_string_equal(nth_line(r.out, 2, buf, sizeof(buf)),
		"{\"event\": \"export\", \"inode\": 77, \"size\": 4096, \"exporter\": \"x size=1 ino=2\", \"name\": \"\", \"pid\": 100, \"comm\": \"app\"}");
	assert_string_equal(nth_line(r.out, 3, buf, sizeof(buf)),
		"{\"event\": \"detach\", \"inode\": 78, \"size\": 4096, \"exporter\": \"e\\\"q\", \"name\": \"\", \"pid\": 100, \"comm\": \"app\", \"device\": \"d size=1 ino=2 attachment:0 is_dynamic=0 dev_name=z\"}");
	assert_string_equal(nth_line(r.out, 4, buf, sizeof(buf)),
		"{\"event\": \"attach\", \"inode\": 79, \"size\": 4096, \"exporter\": \"\\u001b]0;t\\u0007\", \"name\": \"\", \"pid\": 300, \"comm\": \"evil\\u001b[31m\", \"device\": \"\\u00ff\\u00fe dev\"}");
	/* Gone: the comm stays as the kernel gave it. */
	assert_string_equal(nth_line(r.out, 5, buf, sizeof(buf)),
		"{\"event\": \"put\", \"inode\": 1001, \"size\": 1048576, \"exporter\": \"system\", \"name\": \"\", \"pid\": 999999, \"comm\": \"<...>\"}");
	trun_free(&r);

	/* The table escapes them. */
	trun_start(&r, DI_TABLE, f.root, 0);
	assert_int_equal(tline(&r, "<...>", 300, "dma_buf_dynamic_attach",
			       "exp_name=\x1b]0;t\x07 size=4096 ino=79 attachment:0 "
			       "is_dynamic=1 dev_name=\xff\xfe dev"), 1);
	trun_end(&r, NULL);
	assert_null(strchr(r.out, '\x1b'));
	assert_null(strchr(r.out, '\x07'));
	assert_non_null(strstr(r.out, "evil\\x1b[31m"));
	assert_non_null(strstr(r.out, "\\x1b]0;t\\x07"));
	assert_non_null(strstr(r.out, "\\xff\\xfe dev\n"));
	trun_free(&r);
	fx_free(&f);
}

/* What is not one of our events' lines is refused, whole. */
static void trace_malformed_lines(void **state)
{
	static const char *const bad[] = {
		"garbage",
		": dma_buf_put: " EXP_1001,
		"dma_buf_export: " EXP_1001,
		"app-100 [001] d..1. 1.0: dma_buf_export: exp_name=x size=abc ino=1",
		"app-100 [001] d..1. 1.0: dma_buf_export: exp_name=x size=-5 ino=1",
		"app-100 [001] d..1. 1.0: dma_buf_export: exp_name=x size=1 ino=99999999999999999999999",
		"app-100 [001] d..1. 1.0: dma_buf_export: exp_name=x size=1",
		"app-100 [001] d..1. 1.0: dma_buf_export: exp_name=x size=1 ino=",
		"app-100 [001] d..1. 1.0: dma_buf_export: exp_name=x size=1 ino=2 extra",
		"app-100 [001] d..1. 1.0: dma_buf_export: exp_name=x size=1 ino=2 ",
		"app-100 [001] d..1. 1.0: dma_buf_export: exp_name=x  size=1  ino=2x",
		"app-100 001 d..1. 1.0: dma_buf_export: " EXP_1001,
		"app-100 [] d..1. 1.0: dma_buf_export: " EXP_1001,
		"app-abc [001] d..1. 1.0: dma_buf_export: " EXP_1001,
		"app-99999999999 [001] d..1. 1.0: dma_buf_export: " EXP_1001,
		"app-100 [001] d..1. 1.2.3: dma_buf_export: " EXP_1001,
		"app-100 [001] d..1. .5: dma_buf_export: " EXP_1001,
		"app-100 [001] d..1. 1.0 dma_buf_export: " EXP_1001,
		"app-100 [001] waytoolongflags 1.0: dma_buf_export: " EXP_1001,
		"app100 [001] d..1. 1.0: dma_buf_export: " EXP_1001,
		"app-100 [001] d..1. 1.0: dma_buf_exported: " EXP_1001,
		"app-100 [001] d..1. 1.0: sched_switch: prev_comm=a prev_pid=1",
		"app-100 [001] d..1. 1.0: dma_buf_fd: " EXP_1001 " fd=x",
		"app-100 [001] d..1. 1.0: dma_buf_fd: " EXP_1001 " fd=99999999999",
		"app-100 [001] d..1. 1.0: dma_buf_detach: " EXP_1001 " attachment: is_dynamic=0 dev_name=d",
		"app-100 [001] d..1. 1.0: dma_buf_detach: " EXP_1001 " attachment:0 is_dynamic=-",
		"app-100 [001] d..1. 1.0: pagebuf_alloc: ino=1 size=1 segments=1 flags=0 pid=-1",
		"app-100 [001] d..1. 1.0: pagebuf_release: ino=1 size=1",
		"app-100 [001] d..1. 1.0: v2d_release: handle=1 ino=1 exporter=x",
		"app-100 [001] d..1. 1.0: v2d_import: handle=1 ino=1 exporter=x size=1 segments=1",
	};
	static const char *const good[] = {
		/* No irq-info flags; record-tgid; a counter clock. */
		"app-100 [001] 1.000000: dma_buf_put: " EXP_1001,
		"app-100     (    100) [001] d..1. 1.000000: dma_buf_put: " EXP_1001,
		"app-100     (-------) [001] d..1. 1.000000: dma_buf_put: " EXP_1001,
		"app-100 [001] d..1.   12345678: dma_buf_put: " EXP_1001,
		"-100 [001] d..1. 1.0: dma_buf_put: " EXP_1001,
	};
	static const char nul_line[] =
		"app-100 [001] d..1. 1.0: dma_buf_put: exp_name=a\0b size=1 ino=3\n";
	char big[10000];
	struct trun r;
	size_t i;

	(void)state;
	trun_start(&r, DI_JSON, "/nonexistent", 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rawline(&r, bad[i]) != -1)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(rawline(&r, ""), 0);
	assert_int_equal(rawline(&r, "CPU:1 [LOST 42 EVENTS]"), 0);
	trun_end(&r, NULL);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "warning: the trace lost events (CPU:1 [LOST 42 EVENTS])"));
	assert_int_equal(count_lines(r.err), 1);
	trun_free(&r);

	trun_start(&r, DI_JSON, "/nonexistent", 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (rawline(&r, good[i]) != 1)
			fail_msg("refused: %s", good[i]);
	trun_end(&r, NULL);
	assert_int_equal(count_lines(r.out), sizeof(good) / sizeof(good[0]));
	trun_free(&r);

	/* Bytes in pieces: a line over 4 KiB skipped, a NUL refused, the rest whole. */
	trun_start(&r, DI_JSON, "/nonexistent", 0);
	memset(big, 'x', sizeof(big));
	di_tracer_feed(r.t, "app-100 [001] d..1. 1.0: dma_buf_put: ", 38);
	di_tracer_feed(r.t, big, sizeof(big));
	di_tracer_feed(r.t, "\napp-100 [001] d..1. 1.0: dma_", 30);
	di_tracer_feed(r.t, "buf_put: " EXP_1001 "\n", 9 + strlen(EXP_1001) + 1);
	di_tracer_feed(r.t, nul_line, sizeof(nul_line) - 1);
	snprintf(big, sizeof(big), "app-100 [001] d..1. 1.0: dma_buf_put: exp_name=%4030s size=1 ino=4\n", "y");
	di_tracer_feed(r.t, big, strlen(big));
	trun_end(&r, NULL);
	assert_int_equal(count_lines(r.out), 2);
	assert_non_null(strstr(r.out, "\"inode\": 1001,"));
	assert_non_null(strstr(r.out, "\"inode\": 4,"));
	assert_null(strstr(r.out, "\"inode\": 3,"));
	assert_non_null(strstr(r.err, "warning: a trace line longer than 4096 bytes, skipped"));
	assert_int_equal(count_lines(r.err), 1);
	trun_free(&r);
}

/* Each JSON line has exactly its keys, in order. */
static void trace_json_keys(void **state)
{
	static const char *const with_dev =
		"event,inode,size,exporter,name,pid,comm,device";
	static const char *const without =
		"event,inode,size,exporter,name,pid,comm";
	char line[2048], keys[256];
	struct trun r;
	size_t i, n;

	(void)state;
	trun_start(&r, DI_JSON, "/nonexistent", 0);
	tline(&r, "a", 1, "dma_buf_export", EXP_1001);
	tline(&r, "a", 1, "dma_buf_fd", EXP_1001 " fd=3");
	tline(&r, "a", 1, "dma_buf_get", EXP_1001 " fd=3");
	tline(&r, "a", 1, "dma_buf_put", EXP_1001);
	tline(&r, "a", 1, "dma_buf_mmap", EXP_1001);
	tline(&r, "a", 1, "dma_buf_mmap_internal", EXP_1001);
	tline(&r, "a", 1, "dma_buf_dynamic_attach", EXP_1001 " attachment:0 is_dynamic=1 dev_name=d");
	tline(&r, "a", 1, "dma_buf_detach", EXP_1001 " attachment:0 is_dynamic=1 dev_name=d");
	tline(&r, "a", 1, "pagebuf_map", "ino=1 dev=d dir=1 nents=1");
	tline(&r, "a", 1, "pagebuf_unmap", "ino=1 dev=d dir=1 nents=1");
	tline(&r, "a", 1, "pagebuf_release", "ino=1 size=4096 demo=1");
	tline(&r, "a\"\\", 1, "pagebuf_alloc", "ino=5 size=4096 segments=1 flags=0x1 pid=1");
	tline(&r, "a", 1, "pagebuf_attach", "ino=5 dev=d");
	tline(&r, "a", 1, "pagebuf_detach", "ino=5 dev=d");
	tline(&r, "a", 1, "pagebuf_mmap", "ino=5 pgoff=0 len=4096");
	tline(&r, "a", 1, "v2d_import", "handle=1 ino=5 exporter=pagebuf size=4096 path=iommu segments=1");
	tline(&r, "a", 1, "v2d_release", "handle=1 ino=5");
	trun_end(&r, NULL);
	n = count_lines(r.out);
	/* v2d_emu's events of a pagebuf buffer are pagebuf's to tell. */
	assert_int_equal(n, 15);
	for (i = 0; i < n; i++) {
		int dev;

		nth_line(r.out, (int)i, line, sizeof(line));
		json_keys(line, keys, sizeof(keys));
		dev = strstr(line, "\"event\": \"attach\"") || strstr(line, "\"event\": \"detach\"") ||
		      strstr(line, "\"event\": \"map\"") || strstr(line, "\"event\": \"unmap\"");
		assert_string_equal(keys, dev ? with_dev : without);
	}
	trun_free(&r);
}

/* The table: a header, one aligned line per event, no trailing blanks. */
static void trace_table_lines(void **state)
{
	char line[1024];
	struct trun r;
	struct fx f;

	(void)state;
	fx_trace(&f);
	trun_start(&r, DI_TABLE, f.root, 0);
	tline(&r, "gst-launch", 100, "dma_buf_export", EXP_1001);
	tline(&r, "gst-launch", 100, "dma_buf_fd", EXP_1001 " fd=5");
	tline(&r, "weston", 200, "pagebuf_map", "ino=1002 dev=v2d_emu dir=0 nents=3");
	trun_end(&r, NULL);
	assert_string_equal(nth_line(r.out, 0, line, sizeof(line)),
		"TIME           EVENT       PID COMM                  INODE  SIZE(KiB) EXPORTER     NAME             DEVICE");
	assert_string_equal(nth_line(r.out, 1, line, sizeof(line)),
		"123.456789     export      100 gst-launch             1001       1024 system       -                -");
	assert_string_equal(nth_line(r.out, 2, line, sizeof(line)),
		"123.456789     fd          100 gst-launch             1001       1024 system       cam0             -");
	assert_string_equal(nth_line(r.out, 3, line, sizeof(line)),
		"123.456789     map         200 weston                 1002          - pagebuf      -                v2d_emu");
	trun_free(&r);
	fx_free(&f);
}

static void snap_buf(struct di_state *st, uint64_t ino, uint64_t size,
		     const char *exp, const char *name)
{
	size_t bi = di_state_buf(st, ino);

	st->bufs[bi].size = size;
	di_buf_set_strings(&st->bufs[bi], exp, name);
}

static void snap_hold(struct di_state *st, pid_t pid, const char *comm,
		      uint64_t ino)
{
	struct di_proc *p = di_state_proc(st, pid, comm);

	di_proc_hold(st, p, di_state_find_buf(st, ino))->nfds++;
}

/*
 * Exported in the window and alive: a leak. Exported and released, or
 * gone: not. Exported before the window: not in the report.
 */
static void leak_events(struct trun *r)
{
	tline(r, "gst-launch", 100, "dma_buf_export", EXP_1001);
	tline(r, "gst-launch", 100, "dma_buf_export", "exp_name=pagebuf size=8192 ino=1003");
	tline(r, "gst-launch", 100, "dma_buf_export", "exp_name=pagebuf size=8192 ino=1005");
	tline(r, "gst-launch", 100, "pagebuf_release", "ino=1005 size=8192 demo=0");
	tline(r, "gst-launch", 100, "dma_buf_export", "exp_name=system size=4096 ino=1006");
	tline(r, "gst-launch", 100, "dma_buf_fd", "exp_name=system size=4096 ino=1002 fd=4");
	tline(r, "weston", 200, "dma_buf_export", "exp_name=system size=4096 ino=1007");
}

static void leak_snapshot(struct di_state *st, const char *source,
			  unsigned int unreadable)
{
	di_state_init(st);
	snap_buf(st, 1001, 1048576, "system", "cam0");
	snap_buf(st, 1002, 4096, "system", "old");
	snap_buf(st, 1003, 8192, "pagebuf", "");
	snap_buf(st, 1005, 8192, "pagebuf", "");
	snap_buf(st, 1007, 4096, "system", "");
	snap_hold(st, 100, "gst-launch", 1001);
	snap_hold(st, 100, "gst-launch", 1002);
	snap_hold(st, 200, "weston", 1007);
	snap_hold(st, 300, "compositor", 1001);
	di_state_finish(st);
	st->source = source;
	st->unreadable = unreadable;
}

static char *leak_report(enum di_fmt fmt, const char *source,
			 unsigned int unreadable)
{
	struct di_state st;
	struct trun r;

	leak_snapshot(&st, source, unreadable);
	trun_start(&r, fmt, "/nonexistent", 0);
	leak_events(&r);
	trun_end(&r, &st);
	di_state_free(&st);
	free(r.err);
	return r.out;
}

static void trace_leak_report(void **state)
{
	char *out, line[2048];
	const char *last, *report;

	(void)state;
	out = leak_report(DI_JSON, "debugfs", 0);
	assert_int_equal(count_lines(out), 8);
	last = nth_line(out, 7, line, sizeof(line));
	assert_string_equal(last,
		"{\"leaks\": ["
		"{\"pid\": 100, \"comm\": \"gst-launch\", \"exporter\": \"system\", \"buffers\": 1, \"bytes\": 1048576, \"items\": ["
		"{\"inode\": 1001, \"size\": 1048576, \"name\": \"cam0\", \"holders\": \"100(gst-launch),300(compositor)\"}]}, "
		"{\"pid\": 100, \"comm\": \"gst-launch\", \"exporter\": \"pagebuf\", \"buffers\": 1, \"bytes\": 8192, \"items\": ["
		"{\"inode\": 1003, \"size\": 8192, \"name\": \"\", \"holders\": \"kernel\"}]}, "
		"{\"pid\": 200, \"comm\": \"weston\", \"exporter\": \"system\", \"buffers\": 1, \"bytes\": 4096, \"items\": ["
		"{\"inode\": 1007, \"size\": 4096, \"name\": \"\", \"holders\": \"200(weston)\"}]}], "
		"\"source\": \"debugfs\"}");
	free(out);

	out = leak_report(DI_JSON, "bpf", 0);
	assert_non_null(strstr(out, "\"inode\": 1003, \"size\": 8192, \"name\": \"\", \"holders\": \"kernel\""));
	free(out);
	out = leak_report(DI_JSON, "sysfs", 0);
	assert_non_null(strstr(out, "\"inode\": 1003, \"size\": 8192, \"name\": \"\", \"holders\": \"kernel\""));
	assert_non_null(strstr(out, "\"source\": \"sysfs\"}\n"));
	free(out);
	out = leak_report(DI_JSON, "proc", 0);
	assert_non_null(strstr(out, "\"holders\": \"unknown (proc cannot see kernel-held buffers)\""));
	free(out);
	out = leak_report(DI_JSON, "debugfs", 2);
	assert_non_null(strstr(out, "\"holders\": \"unknown (2 processes could not be read)\""));
	free(out);

	out = leak_report(DI_TABLE, "debugfs", 0);
	assert_non_null(strstr(out, "\nLeaks: 3 of the 5 buffers exported during the trace are "
			       "still alive, 1036 KiB (snapshot: debugfs):\n"
			       "PID  COMM        EXPORTER  BUFFERS  INODE  SIZE(KiB)  NAME  HOLDERS\n"
			       "100  gst-launch  system          1              1024\n"
			       "                                     1001       1024  cam0  100(gst-launch),300(compositor)\n"
			       "100  gst-launch  pagebuf         1                 8\n"
			       "                                     1003          8        kernel\n"
			       "200  weston      system          1                 4\n"
			       "                                     1007          4        200(weston)\n"));
	/* Released, gone: in the stream above, not in the report. */
	report = strstr(out, "\nLeaks: ");
	assert_null(strstr(report, "1005"));
	assert_null(strstr(report, "1006"));
	assert_null(strstr(report, "1002"));
	free(out);
}

/* Nothing exported, or nothing left: said so. */
static void trace_no_leaks(void **state)
{
	struct di_state st;
	struct trun r;

	(void)state;
	di_state_init(&st);
	st.source = "debugfs";
	trun_start(&r, DI_TABLE, "/nonexistent", 0);
	tline(&r, "a", 1, "dma_buf_put", EXP_1001);
	trun_end(&r, &st);
	assert_non_null(strstr(r.out, "\nLeaks: no buffer was exported during the trace.\n"));
	trun_free(&r);

	trun_start(&r, DI_TABLE, "/nonexistent", 0);
	tline(&r, "a", 1, "dma_buf_export", EXP_1001);
	trun_end(&r, &st);
	assert_non_null(strstr(r.out, "\nLeaks: none of the 1 buffers exported during the "
			       "trace is still alive (snapshot: debugfs).\n"));
	trun_free(&r);

	trun_start(&r, DI_JSON, "/nonexistent", 0);
	trun_end(&r, &st);
	assert_string_equal(r.out, "{\"leaks\": [], \"source\": \"debugfs\"}\n");
	trun_free(&r);
	di_state_free(&st);
}

static int snap_calls;

static int count_snap(struct di_state *st, void *arg)
{
	(void)st;
	(void)arg;
	snap_calls++;
	return 0;
}

static int dir_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/*
 * Without tracefs, or without any event to trace: one line, status 1,
 * and no instance left behind (nor those of killed runs).
 */
static void trace_tracefs_errors(void **state)
{
	struct di_trace_opts o = { .seconds = 1, .fmt = DI_TABLE };
	char path[4096], *out, *err;
	size_t olen, elen;
	const char *const bases[] = { "sys/kernel/tracing", "sys/kernel/debug/tracing" };
	struct fx f;
	FILE *fo, *fe;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		fx_new(&f);
		o.root = f.root;
		if (i) {
			snprintf(path, sizeof(path), "%s/%s/instances/dmabuf-inspect-2147483646",
				 f.root, bases[i - 1]);
			mkdir_p(path);
			snprintf(path, sizeof(path), "%s/%s/instances/dmabuf-inspect-%d",
				 f.root, bases[i - 1], (int)getpid());
			mkdir_p(path);
			/* Not ours: left alone. */
			snprintf(path, sizeof(path), "%s/%s/instances/other", f.root, bases[i - 1]);
			mkdir_p(path);
		}
		fo = open_memstream(&out, &olen);
		fe = open_memstream(&err, &elen);
		snap_calls = 0;
		assert_int_equal(di_trace(&o, count_snap, NULL, fo, fe), 1);
		assert_int_equal(fclose(fo), 0);
		assert_int_equal(fclose(fe), 0);
		assert_int_equal(snap_calls, 0);
		assert_string_equal(out, "");
		assert_int_equal(count_lines(err), 1);
		assert_int_equal(strncmp(err, "dmabuf-inspect: ", 16), 0);
		if (!i) {
			assert_non_null(strstr(err, "tracefs (with instances) is not mounted"));
		} else {
			assert_non_null(strstr(err, "nothing to trace: this kernel has no "
					       "dma_buf trace events"));
			snprintf(path, sizeof(path), "%s/%s/instances/dmabuf-inspect-2147483646",
				 f.root, bases[i - 1]);
			assert_false(dir_exists(path));
			snprintf(path, sizeof(path), "%s/%s/instances/dmabuf-inspect-%d",
				 f.root, bases[i - 1], (int)getpid());
			assert_false(dir_exists(path));
			snprintf(path, sizeof(path), "%s/%s/instances/other", f.root, bases[i - 1]);
			assert_true(dir_exists(path));
		}
		free(out);
		free(err);
		fx_free(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fdinfo_fields),
		cmocka_unit_test(dmabuf_paths),
		cmocka_unit_test(proc_scan_holders),
		cmocka_unit_test(process_rss_pss),
		cmocka_unit_test(exporter_totals),
		cmocka_unit_test(bufinfo_61_format),
		cmocka_unit_test(bufinfo_510_format),
		cmocka_unit_test(bufinfo_612_format),
		cmocka_unit_test(bufinfo_7x_format),
		cmocka_unit_test(bufinfo_not_bufinfo),
		cmocka_unit_test(fences_view),
		cmocka_unit_test(sysfs_buffers),
		cmocka_unit_test(cli_csv_process),
		cmocka_unit_test(cli_kernel_510),
		cmocka_unit_test(cli_table_buffers),
		cmocka_unit_test(cli_pid_filter),
		cmocka_unit_test(cli_grid),
		cmocka_unit_test(cli_json_escape),
		cmocka_unit_test(cli_diff_appeared),
		cmocka_unit_test(cli_watch_count),
		cmocka_unit_test(cli_usage_errors),
		cmocka_unit_test(fdinfo_name_cannot_forge),
		cmocka_unit_test(bufinfo_name_cannot_forge),
		cmocka_unit_test(cli_escapes_control_bytes),
		cmocka_unit_test(cli_json_always_utf8),
		cmocka_unit_test(cli_long_cell_marked),
		cmocka_unit_test(nothing_held),
		cmocka_unit_test(cli_watch_interval_finite),
		cmocka_unit_test(odd_pid_dirs),
		cmocka_unit_test(huge_inode_is_real),
		cmocka_unit_test(snapshot_error_line),
		cmocka_unit_test(trace_core_events),
		cmocka_unit_test(trace_fallback_events),
		cmocka_unit_test(trace_hostile_strings),
		cmocka_unit_test(trace_malformed_lines),
		cmocka_unit_test(trace_json_keys),
		cmocka_unit_test(trace_table_lines),
		cmocka_unit_test(trace_leak_report),
		cmocka_unit_test(trace_no_leaks),
		cmocka_unit_test(trace_tracefs_errors),
	};

	return cmocka_run_group_tests_name("inspect", tests, NULL, NULL);
}
