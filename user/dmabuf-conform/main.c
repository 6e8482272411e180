// SPDX-License-Identifier: GPL-2.0
/*
 * dmabuf-conform: options, then every selected check in a child process
 * of its own, bounded by a timeout.
 *
 * Exit status: 0 nothing failed, 1 a check failed, 2 usage error, 3 the
 * source gave no buffer at all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uapi/pagebuf.h>

#include <dmabuf-lab.h>

#include "conform.h"

#ifndef DMABUF_LAB_VERSION
#error "DMABUF_LAB_VERSION comes from version.mk"
#endif

static int timeout_s = 30;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: dmabuf-conform SOURCE [--size BYTES] [--only PATTERN] [--json] [--verbose]\n"
		"                      [--timeout S]\n"
		"       dmabuf-conform --list | --help | --version\n"
		"Checks a dma-buf exporter against the rules the kernel documents.\n"
		"SOURCE, exactly one of:\n"
		"  --heap NAME          /dev/dma_heap/NAME\n"
		"  --udmabuf            a sealed memfd through /dev/udmabuf\n"
		"  --vgem               a dumb buffer of the vgem DRM device, exported with PRIME\n"
		"  --pagebuf [--policy default|order0|contig|movable]   /dev/pagebuf\n"
		"  --pidfd PID:FD       another process's fd (pidfd_getfd: needs ptrace rights)\n"
		"  --recv SOCKET        listen on a unix socket, receive one fd (SCM_RIGHTS)\n"
		"Options:\n"
		"  --size BYTES         buffer size, a multiple of 4096 (K and M suffixes; default 1M)\n"
		"  --only PATTERN       run the checks whose names match (fnmatch), e.g. 'mmap.*'\n"
		"  --json               print a JSON document instead of lines\n"
		"  --verbose            PASS lines say what the check saw, too\n"
		"  --timeout S          a check running longer fails (default 30)\n"
		"  --list               list the checks and the rule each enforces\n"
		"Exit status: 0 all passed or skipped, 1 a check failed, 2 usage error,\n"
		"3 the source gave no buffer.\n");
}

/* A positive multiple of 4096 that size_t holds (K and M suffixes). */
static int parse_size(const char *s, size_t *size)
{
	uint64_t v;

	if (dmabuf_lab_parse_size(s, 4096, SIZE_MAX, &v) || v % 4096)
		return -1;
	*size = v;
	return 0;
}

/* poll() takes milliseconds in an int. */
#define MAX_TIMEOUT (INT_MAX / 1000)

static int parse_timeout(const char *s)
{
	uint64_t v;

	if (dmabuf_lab_parse_u64(s, 1, MAX_TIMEOUT, &v))
		return -1;
	timeout_s = (int)v;
	return 0;
}

static int parse_policy(const char *s, uint32_t *policy)
{
	if (!strcmp(s, "default"))
		*policy = 0;
	else if (!strcmp(s, "order0"))
		*policy = PAGEBUF_ALLOC_ORDER0;
	else if (!strcmp(s, "contig"))
		*policy = PAGEBUF_ALLOC_CONTIG;
	else if (!strcmp(s, "movable"))
		*policy = PAGEBUF_ALLOC_MOVABLE;
	else
		return -1;
	return 0;
}

/*
 * Run @c in a child; its result and reason come back through a pipe. A
 * child that does not answer within the timeout is killed.
 */
static enum result run_one(const struct check *c, char *why, size_t len)
{
	int fds[2], status, ret;
	struct pollfd p;
	enum result r;
	ssize_t n;
	pid_t pid;
	char buf[1024];

	if (pipe2(fds, O_CLOEXEC))
		return failed(why, len, "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return failed(why, len, "fork: %s", strerror(errno));
	}
	if (!pid) {
		close(fds[0]);
		buf[0] = '0' + c->run(buf + 1, sizeof(buf) - 1);
		n = write(fds[1], buf, strlen(buf));
		_exit(n < 0);
	}
	close(fds[1]);
	p.fd = fds[0];
	p.events = POLLIN;
	ret = poll(&p, 1, timeout_s * 1000);
	n = ret > 0 ? read(fds[0], buf, sizeof(buf) - 1) : -1;
	close(fds[0]);
	if (ret == 0)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (ret == 0)
		return failed(why, len, "no answer within %d s (a fence that never signals?)",
			      timeout_s);
	if (n <= 0) {
		if (WIFSIGNALED(status))
			return failed(why, len, "the check was killed by signal %d (%s)",
				      WTERMSIG(status), strsignal(WTERMSIG(status)));
		return failed(why, len, "the check ended without a result");
	}
	buf[n] = '\0';
	r = buf[0] - '0';
	snprintf(why, len, "%s", buf + 1);
	return r;
}

static int run_group(const struct check *c, int n, const char *only)
{
	char why[1024];
	int i, ran = 0;

	for (i = 0; i < n; i++) {
		if (only && fnmatch(only, c[i].name, 0))
			continue;
		why[0] = '\0';
		report_result(&c[i], run_one(&c[i], why, sizeof(why)), why);
		ran++;
	}
	return ran;
}

enum { OPT_HEAP = 256, OPT_UDMABUF, OPT_VGEM, OPT_PAGEBUF, OPT_POLICY, OPT_PIDFD,
       OPT_RECV, OPT_SIZE, OPT_ONLY, OPT_JSON, OPT_VERBOSE, OPT_LIST, OPT_TIMEOUT, OPT_VERSION };

static const struct option options[] = {
	{ "heap", required_argument, NULL, OPT_HEAP },
	{ "udmabuf", no_argument, NULL, OPT_UDMABUF },
	{ "vgem", no_argument, NULL, OPT_VGEM },
	{ "pagebuf", no_argument, NULL, OPT_PAGEBUF },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "pidfd", required_argument, NULL, OPT_PIDFD },
	{ "recv", required_argument, NULL, OPT_RECV },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "only", required_argument, NULL, OPT_ONLY },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int set_source(enum source_kind kind, const char *arg)
{
	if (src.kind != SRC_NONE) {
		fprintf(stderr, "dmabuf-conform: give exactly one source\n");
		return -1;
	}
	src.kind = kind;
	src.arg = arg;
	return 0;
}

int main(int argc, char **argv)
{
	enum format fmt = FMT_TEXT;
	const char *only = NULL, *policy = NULL;
	int opt, ret, sized = 0, verbose = 0, passed, nfailed, nskipped, ran;

	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		ret = 0;
		switch (opt) {
		case OPT_HEAP:
			ret = set_source(SRC_HEAP, optarg);
			break;
		case OPT_UDMABUF:
			ret = set_source(SRC_UDMABUF, NULL);
			break;
		case OPT_VGEM:
			ret = set_source(SRC_VGEM, NULL);
			break;
		case OPT_PAGEBUF:
			ret = set_source(SRC_PAGEBUF, NULL);
			break;
		case OPT_PIDFD:
			ret = set_source(SRC_PIDFD, optarg);
			break;
		case OPT_RECV:
			ret = set_source(SRC_RECV, optarg);
			/* An empty path would bind an abstract socket, unreachable. */
			if (!ret && !*optarg) {
				fprintf(stderr, "dmabuf-conform: --recv wants a socket path\n");
				ret = -1;
			}
			break;
		case OPT_POLICY:
			policy = optarg;
			ret = parse_policy(optarg, &src.policy);
			if (ret)
				fprintf(stderr, "dmabuf-conform: --policy is default, order0, contig or movable\n");
			break;
		case OPT_SIZE:
			sized = 1;
			ret = parse_size(optarg, &src.size);
			if (ret)
				fprintf(stderr, "dmabuf-conform: --size wants a positive multiple of 4096, not '%s'\n",
					optarg);
			break;
		case OPT_ONLY:
			only = optarg;
			break;
		case OPT_JSON:
			fmt = FMT_JSON;
			break;
		case OPT_VERBOSE:
			verbose = 1;
			break;
		case OPT_TIMEOUT:
			ret = parse_timeout(optarg);
			if (ret)
				fprintf(stderr, "dmabuf-conform: --timeout wants seconds from 1 to %d, not '%s'\n",
					MAX_TIMEOUT, optarg);
			break;
		case OPT_LIST:
			report_list();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("dmabuf-conform %s\n", DMABUF_LAB_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (ret)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "dmabuf-conform: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (src.kind == SRC_NONE) {
		fprintf(stderr, "dmabuf-conform: no source given (--heap, --udmabuf, --vgem, --pagebuf, --pidfd or --recv)\n");
		usage(stderr);
		return 2;
	}
	if (policy && src.kind != SRC_PAGEBUF) {
		fprintf(stderr, "dmabuf-conform: --policy goes with --pagebuf\n");
		return 2;
	}
	if (sized && !source_allocates(&src)) {
		fprintf(stderr, "dmabuf-conform: --size is for sources that allocate\n");
		return 2;
	}
	ret = source_open(&src);
	if (ret) {
		source_close(&src);
		return ret;
	}
	report_begin(fmt, verbose);
	ran = run_group(file_checks, nr_file_checks, only);
	ran += run_group(mmap_checks, nr_mmap_checks, only);
	ran += run_group(device_checks, nr_device_checks, only);
	ran += run_group(dynamic_checks, nr_dynamic_checks, only);
	report_end(&passed, &nfailed, &nskipped);
	source_close(&src);
	if (!ran) {
		fprintf(stderr, "dmabuf-conform: no check matches '%s'\n", only);
		return 2;
	}
	return nfailed ? 1 : 0;
}
