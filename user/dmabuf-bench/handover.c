// SPDX-License-Identifier: GPL-2.0
/*
 * Handing a frame to another process (P5): its dma-buf fd over a unix
 * socket, the receiver mapping it and touching every page, against the
 * same bytes written through a pipe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dmabuf-lab.h>

#include "bench.h"

/*
 * The receiver: for each message, either an fd (map it and touch every
 * page) or a byte count to read from the pipe; then one byte back.
 */
static void receiver(int sock, int pipe_rd)
{
	long page = sysconf(_SC_PAGESIZE);
	char *buf = NULL;
	size_t have = 0;

	for (;;) {
		uint64_t size;
		size_t off;
		int fd;

		if (dmabuf_lab_recv_fd(sock, &fd, &size, sizeof(size)) != sizeof(size))
			_exit(0);
		if (fd >= 0) {
			char *p = map_fd(fd, size);

			cpu_access(fd, 1, DMABUF_LAB_CPU_READ);
			/* Touch every page: a volatile read is never optimised out. */
			for (off = 0; off < size; off += page)
				(void)*(volatile char *)&p[off];
			cpu_access(fd, 0, DMABUF_LAB_CPU_READ);
			dmabuf_lab_unmap(p, size);
			close(fd);
		} else {
			if (have < size) {
				buf = realloc(buf, size);
				if (!buf)
					_exit(1);
				memset(buf, 0, size);
				have = size;
			}
			for (off = 0; off < size;) {
				ssize_t n = read(pipe_rd, buf + off, size - off);

				if (n <= 0)
					_exit(1);
				off += n;
			}
		}
		if (write(sock, "k", 1) != 1)
			_exit(1);
	}
}

/* The frame's size, with its buffer's fd unless @fd is -1 (the pipe's turn). */
static void send_frame(int sock, int fd, uint64_t size)
{
	int ret = dmabuf_lab_send_fd(sock, fd, &size, sizeof(size));

	if (ret < 0)
		die("sendmsg: %s", strerror(-ret));
}

static void wait_ack(int sock)
{
	char k;

	if (read(sock, &k, 1) != 1)
		die("the receiving process went away");
}

#define P5 "P5 64M frame to a process"

void measure_handover(void)
{
	size_t size = quick ? 16 * MIB : LARGE;
	int sv[2], pp[2], i, fd;
	double t0;
	pid_t pid;
	char *src;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(pp, O_CLOEXEC))
		die("socketpair/pipe: %s", strerror(errno));
	fcntl(pp[1], F_SETPIPE_SZ, 1 << 20);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		close(sv[0]);
		close(pp[1]);
		receiver(sv[1], pp[0]);
	}
	close(sv[1]);
	close(pp[0]);

	for (i = 0; i < nr_sources; i++) {
		const struct source *s = nth_source(i);

		if (s->why_not || !source_fits(s, size)) {
			record_missing(P5, s->name, "ms",
				       s->why_not ? s->why_not : "larger than its largest block");
			continue;
		}
		fd = alloc_or_die(s, size);
		map_and_write(fd, size);
		t0 = now_s();
		send_frame(sv[0], fd, size);
		wait_ack(sv[0]);
		record(P5, s->name, "ms", LOWER, "heap", (now_s() - t0) * 1e3);
		close(fd);
	}

	/* The same bytes through a pipe: what dma-bufs save. */
	src = anon_alloc(size);
	memset(src, 0x5a, size);
	t0 = now_s();
	send_frame(sv[0], -1, size);
	for (size_t off = 0; off < size;) {
		ssize_t n = write(pp[1], src + off, size - off);

		if (n <= 0)
			die("pipe write: %s", strerror(errno));
		off += n;
	}
	wait_ack(sv[0]);
	record(P5, "pipe", "ms", LOWER, "heap", (now_s() - t0) * 1e3);
	munmap(src, size);

	close(sv[0]);
	close(pp[1]);
	waitpid(pid, NULL, 0);
}
