// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-inspect at scale, and what its trace costs the traced: a
 * snapshot of 1 000 and of 10 000 small pagebuf buffers held by 100
 * processes, through each source (time, and the tool's peak memory),
 * with the cost per buffer at 10 000 against 1 000 (1 means linear: no
 * join grows with the square of the buffers); then P1's allocation rate
 * with `dmabuf-inspect --trace` running beside it against without.
 * dmabuf-inspect is the one beside this program (or $DMABUF_INSPECT).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define HOLDERS		100
static const unsigned int populations[] = { 1000, 10000 };
static const char *const inspect_sources[] = { "bpf", "debugfs", "sysfs", "proc" };

static char inspect_path[PATH_MAX];

/* dmabuf-inspect beside /proc/self/exe; "" when there is none. */
static const char *inspect_tool(void)
{
	const char *env = getenv("DMABUF_INSPECT");
	char *slash;
	ssize_t n;

	if (inspect_path[0])
		return inspect_path;
	if (env && *env) {
		snprintf(inspect_path, sizeof(inspect_path), "%s", env);
	} else {
		n = readlink("/proc/self/exe", inspect_path, sizeof(inspect_path) - 32);
		if (n <= 0)
			return "";
		inspect_path[n] = '\0';
		slash = strrchr(inspect_path, '/');
		strcpy(slash ? slash + 1 : inspect_path, "dmabuf-inspect");
	}
	if (access(inspect_path, X_OK) < 0)
		inspect_path[0] = '\0';
	return inspect_path;
}

/* ---- the population: HOLDERS processes, each holding its share ---------- */

struct population {
	pid_t pids[HOLDERS];
	int release;		/* write end: closing it lets the holders go */
};

/* A holder: allocate @n buffers, say so, hold them until the pipe closes. */
static void holder(const struct source *s, unsigned int n, int ready, int release)
{
	unsigned int i;
	char c = 0;

	for (i = 0; i < n; i++)
		if (source_alloc(s, 4 * KIB) < 0)
			_exit(1);
	if (write(ready, &c, 1) != 1)
		_exit(1);
	while (read(release, &c, 1) > 0)
		;
	_exit(0);
}

static void populate(struct population *p, unsigned int total)
{
	const struct source *s = source_by_name("pagebuf");
	int ready[2], release[2], i;
	char c;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(release, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	for (i = 0; i < HOLDERS; i++) {
		p->pids[i] = fork();
		if (p->pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (p->pids[i] == 0) {
			close(ready[0]);
			close(release[1]);
			holder(s, total / HOLDERS, ready[1], release[0]);
		}
	}
	close(ready[1]);
	close(release[0]);
	for (i = 0; i < HOLDERS; i++)
		if (read(ready[0], &c, 1) != 1)
			die("a holder of %u buffers failed (quota, or fds?)", total / HOLDERS);
	close(ready[0]);
	p->release = release[1];
}

static void depopulate(struct population *p)
{
	int i, st;

	close(p->release);
	for (i = 0; i < HOLDERS; i++)
		waitpid(p->pids[i], &st, 0);
}

/* dmabuf-inspect with the arguments @argv (argv[0] first), output thrown away. */
static pid_t spawn_inspect(char *const argv[])
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
			_exit(127);
		execv(inspect_tool(), argv);
		_exit(127);
	}
	return pid;
}

/*
 * One `dmabuf-inspect --source @source --buffers --json`, its output
 * thrown away: 0 with its time (ms) and peak memory (KiB), or -1 when
 * the source is not available here.
 */
static int snapshot_cost(const char *source, double *ms, double *kib)
{
	char *const argv[] = { "dmabuf-inspect", "--source", (char *)source,
			       "--buffers", "--json", NULL };
	struct rusage ru;
	double t0 = now_s();
	pid_t pid = spawn_inspect(argv);
	int st;

	if (wait4(pid, &st, 0, &ru) < 0)
		die("wait4: %s", strerror(errno));
	*ms = (now_s() - t0) * 1e3;
	*kib = (double)ru.ru_maxrss;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		die("dmabuf-inspect --source %s failed (status %d)", source, st);
	return 0;
}

void measure_inspect(void)
{
	double ms[2][4], kib[2][4];
	int ok[2][4];
	struct population p;
	char measure[48];
	size_t i, j;

	if (!*inspect_tool() || source_by_name("pagebuf")->why_not) {
		record_missing("inspect 10000 buffers", "-", "ms",
			       *inspect_tool() ? "no /dev/pagebuf" :
						 "no dmabuf-inspect beside dmabuf-bench");
		return;
	}
	for (i = 0; i < 2; i++) {
		populate(&p, populations[i]);
		for (j = 0; j < 4; j++)
			ok[i][j] = !snapshot_cost(inspect_sources[j], &ms[i][j], &kib[i][j]);
		depopulate(&p);
	}
	for (j = 0; j < 4; j++) {
		const char *src = inspect_sources[j];

		for (i = 0; i < 2; i++) {
			snprintf(measure, sizeof(measure), "inspect %u buffers", populations[i]);
			if (!ok[i][j]) {
				record_missing(measure, src, "ms", "not available on this kernel");
				continue;
			}
			record(measure, src, "ms", LOWER, "proc", ms[i][j]);
			snprintf(measure, sizeof(measure), "inspect %u buffers, peak", populations[i]);
			record(measure, src, "KiB", LOWER, "proc", kib[i][j]);
		}
		/* The cost of a buffer at 10 000 against at 1 000: 1 is linear. */
		if (ok[0][j] && ok[1][j])
			record("inspect cost/buffer 10000:1000", src, "x", LOWER, NULL,
			       (ms[1][j] / populations[1]) / (ms[0][j] / populations[0]));
	}
}

/* P1 of pagebuf with `dmabuf-inspect --trace 0` streaming, and without. */
void measure_trace_overhead(void)
{
	const struct source *s = source_by_name("pagebuf");
	static const char m[] = "P1 4K with --trace running";
	char *const argv[] = { "dmabuf-inspect", "--trace", "0", "--json", NULL };
	pid_t pid;
	int st;

	if (!*inspect_tool() || s->why_not) {
		record_missing(m, "pagebuf", "k/s", "no dmabuf-inspect or no /dev/pagebuf");
		return;
	}
	record(m, "without", "k/s", HIGHER, "without", small_rate(s, 1));
	pid = spawn_inspect(argv);
	/* Its tracefs instance and events are set up well within this. */
	usleep(500000);
	if (waitpid(pid, &st, WNOHANG) == pid) {
		record_missing(m, "traced", "k/s", "dmabuf-inspect --trace did not start here");
		return;
	}
	record(m, "traced", "k/s", HIGHER, "without", small_rate(s, 1));
	kill(pid, SIGINT);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("dmabuf-inspect --trace did not end cleanly on SIGINT (status %d)", st);
}
