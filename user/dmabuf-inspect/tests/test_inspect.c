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
	};

	return cmocka_run_group_tests_name("inspect", tests, NULL, NULL);
}
