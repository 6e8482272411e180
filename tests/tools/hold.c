// SPDX-License-Identifier: GPL-2.0
/*
 * hold - allocate a pagebuf buffer and keep it until SIGTERM or SIGINT.
 *
 *   hold [--size BYTES] [--policy default|order0|contig] [--map-only]
 *        [--device PATH] [--send SOCKET] [--hang]
 *
 * The buffer is mapped; with --map-only its fd is closed, so that only the
 * mapping refers to it. The device itself is closed before holding, so the
 * buffer is the only thing that uses the module. With --send, the fd also
 * goes to whoever listens on the unix socket SOCKET (SCM_RIGHTS), waiting
 * up to 10 s for it to appear. With --hang, v2d_emu imports the buffer and
 * a FILL of it that stalls the engine (V2D_SUBMIT_HANG, root only) is
 * queued first: its write fence stays unsignalled until the engine's
 * watchdog fires. Prints "ready" once
 * holding, and exits 0 when told to stop, 1 on failure, 2 on usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <dmabuf-lab.h>
#include <uapi/v2d_emu.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--size BYTES] [--policy default|order0|contig] "
		"[--map-only] [--device PATH] [--send SOCKET] [--hang]\n", prog);
	return 2;
}

/* Send @fd over a connection to the unix socket @path: 0 or errno. */
static int send_fd(const char *path, int fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s, tries, err = 0;

	if (strlen(path) >= sizeof(addr.sun_path))
		return ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return errno;
	/* The receiver may not be listening yet. */
	for (tries = 100; connect(s, (struct sockaddr *)&addr, sizeof(addr)); tries--) {
		if (!tries || (errno != ENOENT && errno != ECONNREFUSED)) {
			err = errno;
			goto out;
		}
		usleep(100000);
	}
	err = -dmabuf_lab_send_fd(s, fd, "F", 1);
out:
	close(s);
	return err;
}

/* Queue a FILL of @fd that stalls the engine: 0 or errno. */
static int hang_on(int fd, unsigned long long size)
{
	struct v2d_submit req;
	uint32_t handle;
	int vd, err;

	vd = open("/dev/v2d_emu", O_RDWR | O_CLOEXEC);
	if (vd < 0)
		return errno;
	err = -dmabuf_lab_v2d_import(vd, fd, &handle);
	if (err)
		goto out;
	memset(&req, 0, sizeof(req));
	req.op = V2D_OP_FILL;
	req.flags = V2D_SUBMIT_HANG;
	req.cpp = 4;
	req.dst.handle = handle;
	req.dst.stride = 4096;
	req.dst.width = 1024;
	req.dst.height = size / 4096;
	err = -dmabuf_lab_v2d_submit(vd, &req);
out:
	/* Kept open: closing would cancel the job if it has not started. */
	if (err)
		close(vd);
	return err;
}

int main(int argc, char **argv)
{
	const char *device = "/dev/pagebuf", *send = NULL, *spec = "pagebuf";
	struct dmabuf_lab_source *src;
	unsigned long long size = 4096;
	int map_only = 0, hang = 0, fd, ret, i;
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
				spec = "pagebuf";
			else if (!strcmp(argv[i], "order0"))
				spec = "pagebuf:order0";
			else if (!strcmp(argv[i], "contig"))
				spec = "pagebuf:contig";
			else
				return usage(argv[0]);
		} else if (!strcmp(argv[i], "--map-only")) {
			map_only = 1;
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			device = argv[++i];
		} else if (!strcmp(argv[i], "--send") && i + 1 < argc) {
			send = argv[++i];
		} else if (!strcmp(argv[i], "--hang")) {
			hang = 1;
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

	ret = dmabuf_lab_source_open(&src, spec, device, NULL, 0);
	if (ret < 0) {
		fprintf(stderr, "hold: open %s: %s\n", device, strerror(-ret));
		return 1;
	}
	fd = dmabuf_lab_source_alloc(src, size);
	if (fd < 0) {
		fprintf(stderr, "hold: PAGEBUF_IOC_ALLOC: %s\n", strerror(-fd));
		return 1;
	}
	/* The device is closed: the buffer alone keeps the module in use. */
	dmabuf_lab_source_close(src);
	size = (unsigned long long)lseek(fd, 0, SEEK_END);
	ret = dmabuf_lab_map(fd, 0, size, PROT_READ | PROT_WRITE, &m);
	if (ret < 0) {
		fprintf(stderr, "hold: mmap: %s\n", strerror(-ret));
		return 1;
	}
	memset(m, 0x5a, size);
	if (hang) {
		int err = hang_on(fd, size);

		if (err) {
			fprintf(stderr, "hold: a stalling job on v2d_emu: %s\n", strerror(err));
			return 1;
		}
	}
	if (send) {
		int err = send_fd(send, fd);

		if (err) {
			fprintf(stderr, "hold: sending the fd to %s: %s\n", send, strerror(err));
			return 1;
		}
	}
	if (map_only && close(fd)) {
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
