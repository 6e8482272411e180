// SPDX-License-Identifier: GPL-2.0
/*
 * inspect_sources: each source of dmabuf-inspect against a known
 * population of buffers.
 *
 * The test makes buffers of every exporter this kernel has (pagebuf's
 * policies, the system heap, udmabuf, vgem), named and unnamed, held
 * through an fd only, through a mapping only (fd closed), by a child that
 * got the fd through SCM_RIGHTS, and by the kernel only (imported into
 * v2d_emu, every fd closed). Then `dmabuf-inspect --source S --buffers
 * --json` must list each buffer the source can see with its inode, size,
 * exporter, name and holders, exactly; what a source cannot see is the
 * table below (and the README's):
 *
 *   source   kernel-held buffers   exporter of a mapping-only buffer
 *   bpf      yes ("kernel")        yes
 *   debugfs  yes ("kernel")        yes
 *   sysfs    yes ("kernel"), no name   yes
 *   proc     no                    no ("")
 *
 * Which source a kernel has (Debian's kernels; the debug kernel also
 * has sysfs stats):
 *
 *   kernel        bpf (iterator + BTF)            debugfs (root)   sysfs stats
 *   5.10 - 6.12   no: "no BPF dma-buf iterator"   yes              no (off)
 *   debug 6.12    no: "no BTF"                    yes              yes
 *   6.16+ (7.2)   yes                             yes              no (removed)
 *
 * With debugfs unmounted, bpf and auto still see every buffer; as an
 * unprivileged user, auto falls back to what that user can read and
 * says why, and --source bpf fails with its reason.
 *
 * Usage: inspect_sources DIR, where DIR holds dmabuf-inspect.
 */
#define _GNU_SOURCE
#include "common.h"
#include "live.h"

#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <dmabuf-lab.h>

static const char *tool_dir = "/dmabuf-lab";
static char inspect[256];

/* How a buffer of the population is held. */
enum held { BY_FD, BY_MAP, BY_CHILD, BY_KERNEL };

struct member {
	const char *spec;	/* dmabuf_lab_alloc()'s */
	uint64_t size;		/* asked for; vgem rounds up */
	const char *name;	/* set with DMA_BUF_SET_NAME, or NULL */
	enum held held;
	/* Filled in: */
	int fd;			/* -1 once closed */
	unsigned long ino;
	char exporter[64];
	char want_name[64];
	void *map;
	uint32_t handle;	/* v2d_emu's, BY_KERNEL */
	int present;		/* this kernel has the exporter */
};

static struct member pop[] = {
	{ .spec = "pagebuf", .size = 64 * KIB, .name = NULL, .held = BY_FD },
	{ .spec = "pagebuf:order0", .size = 32 * KIB, .name = "order0-named", .held = BY_FD },
	{ .spec = "pagebuf:contig", .size = 128 * KIB, .name = NULL, .held = BY_MAP },
	{ .spec = "pagebuf:movable", .size = 16 * KIB, .name = "to-child", .held = BY_CHILD },
	{ .spec = "pagebuf", .size = 8 * KIB, .name = "kernel-only", .held = BY_KERNEL },
	{ .spec = "heap:system", .size = 256 * KIB, .name = NULL, .held = BY_FD },
	{ .spec = "heap:system", .size = 64 * KIB, .name = "heap-mapped", .held = BY_MAP },
	{ .spec = "udmabuf", .size = 64 * KIB, .name = "udmabuf-named", .held = BY_FD },
	{ .spec = "udmabuf", .size = 32 * KIB, .name = NULL, .held = BY_KERNEL },
	{ .spec = "vgem", .size = 16 * KIB, .name = NULL, .held = BY_FD },
	{ .spec = "vgem", .size = 16 * KIB, .name = "vgem-child", .held = BY_CHILD },
};
#define NPOP (sizeof(pop) / sizeof(pop[0]))

static pid_t child = -1;
static int child_sock = -1;
static int v2d = -1;

/* ---- the population ---------------------------------------------------- */

/* The child: takes fds from the socket and holds them until told to go. */
static void child_main(int sock)
{
	char c;
	int fd;

	for (;;) {
		ssize_t n = dmabuf_lab_recv_fd(sock, &fd, &c, 1);

		if (n <= 0)
			_exit(0);
		if (c == 'q')
			_exit(0);
		/* Acknowledged once held: the parent then closes its copy. */
		if (write(sock, "k", 1) != 1)
			_exit(1);
	}
}

static void start_child(void)
{
	int sv[2];

	assert_succeeds(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(sv[0]);
		child_main(sv[1]);
	}
	close(sv[1]);
	child_sock = sv[0];
}

static void give_to_child(int fd)
{
	char c;

	assert_int_equal(dmabuf_lab_send_fd(child_sock, fd, "f", 1), 0);
	assert_int_equal(read(child_sock, &c, 1), 1);
}

static void stop_child(void)
{
	if (child < 0)
		return;
	close(child_sock);
	pb_wait(child);
	child = -1;
}

static int make_member(struct member *m)
{
	char err[256], comm[32];
	off_t end;

	m->fd = dmabuf_lab_alloc(m->spec, m->size, err, sizeof(err));
	if (m->fd == -ENOENT || m->fd == -ENODEV) {
		pb_diag("%s: not on this kernel (%s)", m->spec, err);
		return 0;
	}
	if (m->fd < 0) {
		pb_diag("%s: %s", m->spec, err);
		fail();
	}
	end = lseek(m->fd, 0, SEEK_END);
	assert_true(end > 0);
	m->size = (uint64_t)end;
	m->ino = dl_ino(m->fd);
	assert_int_equal(pb_fdinfo(0, m->fd, "exp_name", m->exporter,
				   sizeof(m->exporter)), 0);
	if (m->name)
		assert_int_equal(dmabuf_lab_set_name(m->fd, m->name), 0);
	/* pagebuf names its buffers after their creator unless told. */
	pb_comm(comm, sizeof(comm));
	if (m->name)
		snprintf(m->want_name, sizeof(m->want_name), "%s", m->name);
	else if (!strcmp(m->exporter, "pagebuf"))
		snprintf(m->want_name, sizeof(m->want_name), "%d-%s",
			 (int)getpid(), comm);
	else
		m->want_name[0] = '\0';
	return 1;
}

static void hold_member(struct member *m)
{
	switch (m->held) {
	case BY_FD:
		return;
	case BY_MAP:
		m->map = pb_map(m->fd, m->size, PROT_READ, 0);
		break;
	case BY_CHILD:
		give_to_child(m->fd);
		break;
	case BY_KERNEL:
		m->handle = v2d_import_ok(v2d, m->fd);
		break;
	}
	close(m->fd);
	m->fd = -1;
}

static void make_population(void)
{
	size_t i;

	v2d = open(V2D_DEVICE, O_RDWR | O_CLOEXEC);
	start_child();
	for (i = 0; i < NPOP; i++) {
		struct member *m = &pop[i];

		m->present = 0;
		if (m->held == BY_KERNEL && v2d < 0) {
			pb_diag("%s held by the kernel: no v2d_emu to import it", m->spec);
			continue;
		}
		if (!make_member(m))
			continue;
		hold_member(m);
		m->present = 1;
	}
}

static int debugfs_detached;

static void drop_population(void)
{
	size_t i;

	if (debugfs_detached &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) == 0)
		debugfs_detached = 0;
	for (i = 0; i < NPOP; i++) {
		struct member *m = &pop[i];

		if (!m->present)
			continue;
		if (m->held == BY_MAP)
			pb_unmap(m->map, m->size);
		if (m->held == BY_KERNEL)
			v2d_release_ok(v2d, m->handle);
		if (m->fd >= 0)
			close(m->fd);
		m->present = 0;
	}
	stop_child();
	if (v2d >= 0)
		close(v2d);
	v2d = -1;
}

/* ---- reading dmabuf-inspect's JSON --------------------------------------- */

/* dmabuf-inspect with @args: its standard output, and stderr after it if @err. */
static char *run_tool(int *status, const char *args, int err)
{
	char *out = dl_run(status, "%s %s%s", inspect, args, err ? " 2>&1" : " 2>/dev/null");

	assert_non_null(out);
	return out;
}

/* What @source sees of member @m, checked against its row in @out. */
static void check_member(const char *out, const char *source, const struct member *m)
{
	int proc = !strcmp(source, "proc"), sysfs = !strcmp(source, "sysfs");
	char got[128], want_holders[64];
	uint64_t size;
	char *row;

	row = dl_json_object(out, "inode", m->ino);
	if (m->held == BY_KERNEL && proc) {
		if (row) {
			pb_diag("source proc lists %s (ino %lu), which only the kernel holds",
				m->spec, m->ino);
			fail();
		}
		return;
	}
	if (!row) {
		pb_diag("source %s does not list %s (ino %lu, held by %d); output:",
			source, m->spec, m->ino, (int)m->held);
		pb_diag("%s", out);
		fail();
	}
	assert_true(dl_json_u64(row, "size", &size));
	assert_int_equal(size, m->size);

	assert_true(dl_json_str(row, "exporter", got, sizeof(got)));
	if (m->held == BY_MAP && proc) {
		/* A mapping carries no fdinfo: /proc alone cannot name the exporter. */
		assert_string_equal(got, "");
	} else if (strcmp(got, m->exporter)) {
		pb_diag("source %s: %s (ino %lu): exporter \"%s\", expected \"%s\"",
			source, m->spec, m->ino, got, m->exporter);
		fail();
	}

	assert_true(dl_json_str(row, "name", got, sizeof(got)));
	if (m->held == BY_KERNEL && sysfs) {
		assert_string_equal(got, "");
	} else if (strcmp(got, m->want_name)) {
		pb_diag("source %s: %s (ino %lu): name \"%s\", expected \"%s\"",
			source, m->spec, m->ino, got, m->want_name);
		fail();
	}

	switch (m->held) {
	case BY_FD:
	case BY_MAP:
		snprintf(want_holders, sizeof(want_holders), "%d(", (int)getpid());
		break;
	case BY_CHILD:
		snprintf(want_holders, sizeof(want_holders), "%d(", (int)child);
		break;
	case BY_KERNEL:
		snprintf(want_holders, sizeof(want_holders), "kernel");
		break;
	}
	assert_true(dl_json_str(row, "holders", got, sizeof(got)));
	if (strncmp(got, want_holders, strlen(want_holders)) ||
	    (m->held == BY_KERNEL && strcmp(got, want_holders)) ||
	    (m->held != BY_KERNEL && strchr(got, ','))) {
		pb_diag("source %s: %s (ino %lu): holders \"%s\", expected \"%s...\"",
			source, m->spec, m->ino, got, want_holders);
		fail();
	}
	free(row);
}

/* The whole population through @source, which must be the one used. */
static void check_source(const char *source, const char *expect_used)
{
	char args[64], used[32];
	int status;
	size_t i;
	char *out;

	snprintf(args, sizeof(args), "--source %s --buffers --json", source);
	out = run_tool(&status, args, 0);
	if (status != 0) {
		free(out);
		out = run_tool(&status, args, 1);
		pb_diag("%s %s: exit %d: %s", inspect, args, status, out);
		fail();
	}
	assert_true(dl_json_str(out, "source", used, sizeof(used)));
	if (strcmp(used, expect_used)) {
		pb_diag("--source %s used \"%s\", expected \"%s\"", source, used, expect_used);
		fail();
	}
	for (i = 0; i < NPOP; i++)
		if (pop[i].present)
			check_member(out, used, &pop[i]);
	free(out);
}

/* A source this kernel does not have: exit 1 and one line with @reason. */
static void check_unavailable(const char *source, const char *reason)
{
	char args[64];
	int status;
	char *out;

	snprintf(args, sizeof(args), "--source %s --buffers --json", source);
	out = run_tool(&status, args, 1);
	if (status != 1 || !strstr(out, reason) || strchr(out, '\n') != strrchr(out, '\n')) {
		pb_diag("--source %s: exit %d, expected 1 and one line with \"%s\": %s",
			source, status, reason, out);
		fail();
	}
	free(out);
}

/* ---- what this kernel has ---------------------------------------------- */

/* The BPF dma-buf iterator came with 6.16; Debian's kernels all have BTF. */
static int kernel_has_iterator(void)
{
	unsigned int major = 0, minor = 0;
	struct utsname u;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return 0;
	return major > 6 || (major == 6 && minor >= 16);
}

/* Why --source bpf must fail on a kernel without the iterator. */
static const char *no_iterator_reason(void)
{
	return access("/sys/kernel/btf/vmlinux", F_OK) ? "no BTF" :
							 "no BPF dma-buf iterator";
}

static int have_debugfs(void)
{
	return access("/sys/kernel/debug/dma_buf/bufinfo", R_OK) == 0;
}

static int have_sysfs_stats(void)
{
	return access("/sys/kernel/dmabuf/buffers", R_OK) == 0;
}

/* ---- the tests ------------------------------------------------------------ */

/* Whatever a test left when it failed: buffers, the child, debugfs. */
static int teardown(void **state)
{
	(void)state;
	drop_population();
	return 0;
}

static void test_every_source_matches_the_population(void **state)
{
	(void)state;
	make_population();

	if (kernel_has_iterator()) {
		check_source("bpf", "bpf");
		check_source("auto", "bpf");
	} else {
		check_unavailable("bpf", no_iterator_reason());
		check_source("auto", have_debugfs() ? "debugfs" :
				     have_sysfs_stats() ? "sysfs" : "proc");
	}
	if (have_debugfs())
		check_source("debugfs", "debugfs");
	else
		check_unavailable("debugfs", "debugfs");
	if (have_sysfs_stats())
		check_source("sysfs", "sysfs");
	else
		check_unavailable("sysfs", "CONFIG_DMABUF_SYSFS_STATS");
	check_source("proc", "proc");

	drop_population();
}

/* With debugfs unmounted, as on many boards: bpf and auto see everything. */
static void test_bpf_without_debugfs(void **state)
{
	(void)state;
	if (!kernel_has_iterator())
		skip_because("this kernel has no BPF dma-buf iterator (6.16+)");
	if (!have_debugfs())
		skip_because("debugfs is not mounted here to begin with");
	make_population();
	assert_succeeds(umount2("/sys/kernel/debug", MNT_DETACH));
	debugfs_detached = 1;
	check_source("bpf", "bpf");
	check_source("auto", "bpf");
	check_unavailable("debugfs", "debugfs");
	drop_population();
	assert_int_equal(debugfs_detached, 0);
}

/* As nobody: auto falls back and says why; --source bpf fails clearly. */
static char *run_unprivileged(int *status, const char *args)
{
	int p[2];
	pid_t pid;
	char *out = malloc(65536);
	size_t len = 0;
	ssize_t n;

	assert_non_null(out);
	assert_succeeds(pipe2(p, O_CLOEXEC));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char cmd[512];

		dup2(p[1], 1);
		dup2(p[1], 2);
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(126);
		snprintf(cmd, sizeof(cmd), "%s %s", inspect, args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (len + 1 < 65536 && (n = read(p[0], out + len, 65536 - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(p[0]);
	*status = pb_wait(pid);
	return out;
}

static void test_unprivileged_falls_back(void **state)
{
	char used[32];
	int status;
	char *out;

	(void)state;
	make_population();
	out = run_unprivileged(&status, "--buffers --json");
	if (status != 0 || !dl_json_str(out, "source", used, sizeof(used))) {
		pb_diag("auto as nobody: exit %d: %s", status, out);
		fail();
	}
	pb_diag("auto as nobody: source %s", used);
	/* Neither BPF nor debugfs for nobody; the note says why not bpf. */
	assert_true(strcmp(used, "bpf") && strcmp(used, "debugfs"));
	if (!strstr(out, "not bpf: ")) {
		pb_diag("no reason given for not using bpf: %s", out);
		fail();
	}
	free(out);

	out = run_unprivileged(&status, "--source bpf --buffers");
	if (status != 1 || !strstr(out, "source bpf is not available: ") ||
	    !strstr(out, kernel_has_iterator() ? "not permitted" : no_iterator_reason())) {
		pb_diag("--source bpf as nobody: exit %d: %s", status, out);
		fail();
	}
	free(out);
	drop_population();
}

int main(int argc, char **argv)
{
	struct pb_tests t = { 0 };

	if (argc > 1)
		tool_dir = argv[1];
	snprintf(inspect, sizeof(inspect), "%s/dmabuf-inspect", tool_dir);
#define ADD(fn) pb_add_fixture(&t, #fn, test_##fn, NULL, NULL, teardown)
	ADD(every_source_matches_the_population);
	ADD(bpf_without_debugfs);
	ADD(unprivileged_falls_back);
	return pb_run("inspect_sources", &t) ? 1 : 0;
}
