// SPDX-License-Identifier: GPL-2.0
/*
 * hold - allocate a pagebuf buffer and keep it until SIGTERM or SIGINT.
 *
 *   hold [--size BYTES] [--policy default|order0|contig] [--map-only]
 *        [--device PATH]
 *
 * The buffer is mapped; with --map-only its fd is closed, so that only the
 * mapping refers to it. The device itself is closed before holding, so the
 * buffer is the only thing that uses the module. Prints "ready" once
 * holding, and exits 0 when told to stop, 1 on failure, 2 on usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/pagebuf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--size BYTES] [--policy default|order0|contig] "
		"[--map-only] [--device PATH]\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	const char *device = "/dev/pagebuf";
	struct pagebuf_alloc a;
	unsigned long long size = 4096;
	unsigned int flags = 0;
	int map_only = 0, dev, i;
	struct sigaction sa;
	sigset_t block, old;
	char *end;
	void *m;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--size") && i + 1 < argc) {
			size = strtoull(argv[++i], &end, 0);
			if (*end || !size)
				return usage(argv[0]);
		} else if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "default"))
				flags = 0;
			else if (!strcmp(argv[i], "order0"))
				flags = PAGEBUF_ALLOC_ORDER0;
			else if (!strcmp(argv[i], "contig"))
				flags = PAGEBUF_ALLOC_CONTIG;
			else
				return usage(argv[0]);
		} else if (!strcmp(argv[i], "--map-only")) {
			map_only = 1;
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			device = argv[++i];
		} else {
			return usage(argv[0]);
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ||
	    sigprocmask(SIG_BLOCK, &block, &old)) {
		fprintf(stderr, "hold: signals: %s\n", strerror(errno));
		return 1;
	}

	dev = open(device, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "hold: open %s: %s\n", device, strerror(errno));
		return 1;
	}
	memset(&a, 0, sizeof(a));
	a.size = size;
	a.flags = flags;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(dev, PAGEBUF_IOC_ALLOC, &a) < 0) {
		fprintf(stderr, "hold: PAGEBUF_IOC_ALLOC: %s\n", strerror(errno));
		return 1;
	}
	if (close(dev)) {
		fprintf(stderr, "hold: close %s: %s\n", device, strerror(errno));
		return 1;
	}
	size = (unsigned long long)lseek(a.fd, 0, SEEK_END);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	if (m == MAP_FAILED) {
		fprintf(stderr, "hold: mmap: %s\n", strerror(errno));
		return 1;
	}
	memset(m, 0x5a, size);
	if (map_only && close(a.fd)) {
		fprintf(stderr, "hold: close: %s\n", strerror(errno));
		return 1;
	}

	printf("ready\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);

	/* Still intact after all that time. */
	for (i = 0; i < (int)size; i += 4096)
		if (((unsigned char *)m)[i] != 0x5a) {
			fprintf(stderr, "hold: buffer changed at offset %d\n", i);
			return 1;
		}
	return 0;
}
