// SPDX-License-Identifier: GPL-2.0
/*
 * inspect_live: dmabuf-inspect on real buffers of this kernel.
 *
 * The test holds buffers of every exporter the guest has (pagebuf, vgem,
 * and where the kernel has them the system dma-heap and udmabuf), runs
 * dmabuf-inspect on itself and checks its per-process and per-exporter
 * numbers against what it allocated; then the two diagnosis flows of the
 * README: a leaked buffer (user_prog --hold) named by --diff, and a hung
 * v2d_emu job whose write fence --fences shows until the watchdog fails it.
 *
 * Usage: inspect_live DIR, where DIR holds dmabuf-inspect and user_prog.
 */
#define _GNU_SOURCE
#include "common.h"
#include "live.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <dmabuf-lab.h>

static const char *tool_dir = "/dmabuf-lab";
static char inspect[256];

/* ---- what the test holds ---------------------------------------------- */

struct expect {
	char exporter[64];
	unsigned int count;
	uint64_t size;
};

static struct expect exps[8];
static size_t nexps;

/* Count buffer @fd of @size under its exporter, as fdinfo names it. */
static void expect_buf(int fd, uint64_t size)
{
	char exp[64];
	size_t i;

	assert_int_equal(pb_fdinfo(0, fd, "exp_name", exp, sizeof(exp)), 0);
	for (i = 0; i < nexps; i++)
		if (!strcmp(exps[i].exporter, exp))
			break;
	assert_true(i < sizeof(exps) / sizeof(exps[0]));
	if (i == nexps) {
		snprintf(exps[i].exporter, sizeof(exps[i].exporter), "%s", exp);
		nexps++;
	}
	exps[i].count++;
	exps[i].size += size;
}

/*
 * A buffer of another exporter (a library spec), or -1 when this kernel
 * has none; *@size is what it got (vgem rounds up to whole rows).
 */
static int other_buffer(const char *spec, uint64_t *size)
{
	char err[256];
	off_t end;
	int fd = dmabuf_lab_alloc(spec, *size, err, sizeof(err));

	if (fd == -ENOENT || fd == -ENODEV)
		return -1;
	if (fd < 0) {
		pb_diag("%s", err);
		fail();
	}
	end = lseek(fd, 0, SEEK_END);
	assert_true(end > 0);
	*size = (uint64_t)end;
	return fd;
}

static char *run_inspect(const char *args)
{
	char *out;
	int st;

	out = dl_run(&st, "%s %s", inspect, args);
	if (!out || st != 0) {
		pb_diag("%s %s: exit %d", inspect, args, st);
		if (out)
			pb_diag("%s", out);
		fail();
	}
	return out;
}

static void assert_csv(const char *out, const char *header, const char *key,
		       int col, const char *want)
{
	char got[256];

	if (!dl_csv(out, header, 0, key, col, got, sizeof(got))) {
		pb_diag("no row \"%s\" in table \"%s\"; output:", key, header);
		pb_diag("%s", out);
		fail();
	}
	if (strcmp(got, want)) {
		pb_diag("row \"%s\" of \"%s\", column %d: \"%s\", expected \"%s\"",
			key, header, col, got, want);
		pb_diag("%s", out);
		fail();
	}
}

static void assert_csv_u64(const char *out, const char *header, const char *key,
			   int col, uint64_t want)
{
	char w[32];

	snprintf(w, sizeof(w), "%" PRIu64, want);
	assert_csv(out, header, key, col, w);
}

/* The kernel's exporters beside pagebuf, where this kernel has them. */
static const struct {
	const char *spec;
	uint64_t size;
	const char *absent;
} others[] = {
	{ "vgem", 16 * KIB, "no vgem device: no vgem buffer" },
	{ "heap:system", 256 * KIB, "no /dev/dma_heap/system on this kernel: no heap buffer" },
	{ "udmabuf", 64 * KIB, "no /dev/udmabuf on this kernel: no udmabuf buffer" },
};

static void test_process_and_exporter_totals(void **state)
{
	int fds[8], n = 0, fd, i;
	size_t j;
	uint64_t total = 0, size;
	char args[64], pid[16];
	unsigned int count = 0;
	void *map;
	char *out;

	(void)state;
	nexps = 0;
	memset(exps, 0, sizeof(exps));

	fds[n] = pb_alloc_ok(64 * KIB, PAGEBUF_ALLOC_ORDER0, NULL);
	expect_buf(fds[n++], 64 * KIB);
	fds[n] = pb_alloc_ok(1 * MIB, 0, NULL);
	expect_buf(fds[n++], 1 * MIB);
	/* Held through a mapping only: the fd is closed. */
	fd = pb_alloc_ok(128 * KIB, PAGEBUF_ALLOC_CONTIG, NULL);
	expect_buf(fd, 128 * KIB);
	map = pb_map(fd, 128 * KIB, PROT_READ, 0);
	close(fd);

	/* vgem's 64 x 64 pixels of 32 bits, as a DRM client would ask for. */
	for (j = 0; j < sizeof(others) / sizeof(others[0]); j++) {
		size = others[j].size;
		fd = other_buffer(others[j].spec, &size);
		if (fd < 0) {
			pb_diag("%s", others[j].absent);
			continue;
		}
		expect_buf(fd, size);
		fds[n++] = fd;
	}
	for (i = 0; i < (int)nexps; i++) {
		total += exps[i].size;
		count += exps[i].count;
	}

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(args, sizeof(args), "--csv -p %s", pid);
	out = run_inspect(args);
	assert_csv_u64(out, "PID,COMM,BUFFERS,RSS,PSS", pid, 2, count);
	assert_csv_u64(out, "PID,COMM,BUFFERS,RSS,PSS", pid, 3, total);
	assert_csv_u64(out, "PID,COMM,BUFFERS,RSS,PSS", pid, 4, total);
	free(out);

	snprintf(args, sizeof(args), "--csv -e -p %s", pid);
	out = run_inspect(args);
	for (i = 0; i < (int)nexps; i++) {
		pb_diag("%s: %u buffers, %" PRIu64 " bytes", exps[i].exporter,
			exps[i].count, exps[i].size);
		assert_csv_u64(out, "EXPORTER,BUFFERS,SIZE", exps[i].exporter, 1,
			       exps[i].count);
		assert_csv_u64(out, "EXPORTER,BUFFERS,SIZE", exps[i].exporter, 2,
			       exps[i].size);
		assert_csv_u64(out, "EXPORTER,BUFFERS,SIZE", exps[i].exporter, 3,
			       exps[i].size);
	}
	assert_csv_u64(out, "EXPORTER,BUFFERS,SIZE", "total", 1, count);
	assert_csv_u64(out, "EXPORTER,BUFFERS,SIZE", "total", 2, total);
	free(out);

	pb_unmap(map, 128 * KIB);
	while (n)
		close(fds[--n]);
}

/* Start user_prog --hold; returns its pid once it says "holding". */
static pid_t start_holder(void)
{
	char path[256], line[128];
	int p[2];
	pid_t pid;
	FILE *f;

	snprintf(path, sizeof(path), "%s/user_prog", tool_dir);
	assert_succeeds(pipe2(p, O_CLOEXEC));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		execl(path, "user_prog", "--hold", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strcmp(line, "holding\n"))
			break;
	fclose(f);
	if (strcmp(line, "holding\n")) {
		kill(pid, SIGKILL);
		pb_wait(pid);
		pb_diag("%s --hold did not get to hold its buffer", path);
		fail();
	}
	return pid;
}

static void test_leak_named_by_diff(void **state)
{
	const char *changes = "CHANGE,PID,COMM,INODE,SIZE,EXPORTER,NAME";
	char args[128], snap[64], key[16], got[64];
	pid_t holder;
	char *out;

	(void)state;
	snprintf(snap, sizeof(snap), "/tmp/inspect-live.%d.snap", (int)getpid());
	snprintf(args, sizeof(args), "--save %s", snap);
	free(run_inspect(args));

	holder = start_holder();
	snprintf(key, sizeof(key), "%d", (int)holder);
	snprintf(args, sizeof(args), "--diff %s --csv", snap);
	out = run_inspect(args);
	/* The process, the exporter and the size of what it keeps. */
	if (!dl_csv(out, changes, 1, key, 0, got, sizeof(got))) {
		pb_diag("--diff does not name process %s:", key);
		pb_diag("%s", out);
		kill(holder, SIGKILL);
		pb_wait(holder);
		fail();
	}
	assert_string_equal(got, "+");
	assert_true(dl_csv(out, changes, 1, key, 2, got, sizeof(got)));
	assert_string_equal(got, "user_prog");
	assert_true(dl_csv(out, changes, 1, key, 4, got, sizeof(got)));
	assert_int_equal(strtoull(got, NULL, 10), pb_page);
	assert_true(dl_csv(out, changes, 1, key, 5, got, sizeof(got)));
	assert_string_equal(got, "pagebuf");
	assert_csv_u64(out, "PID,COMM,APPEARED", key, 2, pb_page);
	assert_csv_u64(out, "EXPORTER,APPEARED", "pagebuf", 1, pb_page);
	free(out);

	/* Once the holder is gone, so is the change. */
	assert_succeeds(kill(holder, SIGTERM));
	assert_int_equal(pb_wait(holder), 0);
	out = run_inspect(args);
	assert_false(dl_csv(out, changes, 1, key, 0, got, sizeof(got)));
	free(out);
	unlink(snap);
}

static void test_hung_job_shows_in_fences(void **state)
{
	const char *fences = "INODE,EXPORTER,NAME,USAGE,DRIVER,TIMELINE";
	char key[32], got[64];
	int dev, fd, out, st;
	uint64_t seq;
	uint32_t h;
	char *text;

	(void)state;
	dev = v2d_open_dev();
	if (access("/sys/kernel/debug/dma_buf/bufinfo", R_OK))
		skip_because("no dma_buf/bufinfo: debugfs not mounted");
	fd = pb_alloc_ok(64 * KIB, PAGEBUF_ALLOC_CONTIG, NULL);
	snprintf(key, sizeof(key), "%lu", dl_ino(fd));
	h = v2d_import_ok(dev, fd);
	v2d_param_set("timeout_ms", "2000");
	out = v2d_fill(dev, h, 1, &seq);

	/* debugfs names each fence's driver and timeline; BPF cannot. */
	text = run_inspect("--fences --csv --source debugfs");
	assert_csv(text, fences, key, 1, "pagebuf");
	assert_true(dl_csv(text, fences, 0, key, 3, got, sizeof(got)));
	/* A writer's fence: "write" from 5.19, the exclusive one before. */
	if (strcmp(got, "write") && strcmp(got, "exclusive")) {
		pb_diag("usage \"%s\" is not a writer's", got);
		fail();
	}
	assert_csv(text, fences, key, 4, "v2d_emu");
	assert_csv(text, fences, key, 5, "v2d_emu-engine");
	assert_true(dl_csv(text, fences, 0, key, 7, got, sizeof(got)));
	if (strcmp(got, "-"))
		assert_int_equal(strtoull(got, NULL, 10), seq);
	free(text);

	st = dl_fence_wait(out, 10000);
	v2d_param_set("timeout_ms", "5000");
	assert_int_equal(st, -ETIMEDOUT);
	text = run_inspect("--fences --csv --source debugfs");
	assert_false(dl_csv(text, fences, 0, key, 0, got, sizeof(got)));
	free(text);

	close(out);
	v2d_release_ok(dev, h);
	close(fd);
	close(dev);
}

int main(int argc, char **argv)
{
	struct pb_tests t = { 0 };

	if (argc > 1)
		tool_dir = argv[1];
	snprintf(inspect, sizeof(inspect), "%s/dmabuf-inspect", tool_dir);
#define ADD(fn) pb_add(&t, #fn, test_##fn, NULL)
	ADD(process_and_exporter_totals);
	ADD(leak_named_by_diff);
	ADD(hung_job_shows_in_fences);
	return pb_run("inspect_live", &t) ? 1 : 0;
}
