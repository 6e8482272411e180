// SPDX-License-Identifier: GPL-2.0
/*
 * Where the buffer under test comes from: a DMA heap, udmabuf (a sealed
 * memfd), vgem's dumb buffers (exported through PRIME), pagebuf (each
 * a libdmabuf-lab source), or a buffer of another process (taken with
 * pidfd_getfd, or sent over a unix socket). Allocating sources give the
 * checks fresh buffers; the others give new fds on the one buffer
 * received.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <uapi/pagebuf.h>

#include <dmabuf-lab.h>

#include "conform.h"

struct source src = { .given = -1, .size = MIB };

/* pagebuf, the known-good exporter some checks compare with, and its counters. */
static struct dmabuf_lab_source *known_good;
static int pagebuf_dev = -1;

int pagebuf_alloc(size_t size, int *fd)
{
	int ret;

	if (!known_good) {
		ret = dmabuf_lab_source_open(&known_good, "pagebuf", NULL, NULL, 0);
		if (ret < 0)
			return -ret;
	}
	ret = dmabuf_lab_source_alloc(known_good, size);
	if (ret < 0)
		return -ret;
	*fd = ret;
	return 0;
}

int pagebuf_stats(struct pagebuf_stats *st)
{
	if (pagebuf_dev < 0)
		pagebuf_dev = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	if (pagebuf_dev < 0)
		return errno;
	return ioctl(pagebuf_dev, PAGEBUF_IOC_GET_STATS, st) ? errno : 0;
}

int pagebuf_move(int fd, uint32_t policy)
{
	struct pagebuf_move m = { .fd = fd, .flags = policy };

	if (pagebuf_dev < 0)
		pagebuf_dev = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	if (pagebuf_dev < 0)
		return errno;
	return ioctl(pagebuf_dev, PAGEBUF_IOC_MOVE, &m) ? errno : 0;
}

int source_moves(const struct source *s)
{
	return s->kind == SRC_PAGEBUF && (s->policy & PAGEBUF_ALLOC_MOVABLE);
}

int source_allocates(const struct source *s)
{
	return s->kind != SRC_PIDFD && s->kind != SRC_RECV;
}

int source_get(const struct source *s, int *fd)
{
	int ret;

	if (s->lib) {
		ret = dmabuf_lab_source_alloc(s->lib, s->size);
		if (ret < 0)
			return -ret;
		*fd = ret;
		return 0;
	}
	*fd = fcntl(s->given, F_DUPFD_CLOEXEC, 0);
	return *fd < 0 ? errno : 0;
}

/* PID:FD, both strictly decimal and within an int. */
static int parse_pid_fd(const char *arg, int *pid, int *fd)
{
	const char *colon = strchr(arg, ':');
	uint64_t p, f;
	char head[24];

	if (!colon || (size_t)(colon - arg) >= sizeof(head))
		return -1;
	memcpy(head, arg, colon - arg);
	head[colon - arg] = '\0';
	if (dmabuf_lab_parse_u64(head, 1, INT_MAX, &p) ||
	    dmabuf_lab_parse_u64(colon + 1, 0, INT_MAX, &f))
		return -1;
	*pid = (int)p;
	*fd = (int)f;
	return 0;
}

static int take_pidfd(struct source *s)
{
	char err[256];
	int pid, target;

	if (parse_pid_fd(s->arg, &pid, &target)) {
		fprintf(stderr, "dmabuf-conform: --pidfd wants PID:FD (decimal, PID 1 to %d), not '%s'\n",
			INT_MAX, s->arg);
		return 2;
	}
	s->given = dmabuf_lab_take_fd(pid, target, err, sizeof(err));
	if (s->given < 0) {
		fprintf(stderr, "dmabuf-conform: %s\n", err);
		s->given = -1;
		return 3;
	}
	return 0;
}

/*
 * A socket left by a --recv that was killed: nobody listens on it. Remove
 * it (and only it: not a file of another kind, nor a socket in use), so
 * that the next run can bind there. 0 when it was removed.
 */
static int remove_stale(const struct sockaddr_un *addr)
{
	struct stat sb;
	int fd, ret;

	if (lstat(addr->sun_path, &sb) || !S_ISSOCK(sb.st_mode))
		goto in_use;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto in_use;
	ret = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (ret == 0 || errno != ECONNREFUSED || unlink(addr->sun_path))
		goto in_use;
	return 0;
in_use:
	errno = EADDRINUSE;
	return -1;
}

/* Wait on a unix socket for one connection carrying one fd (SCM_RIGHTS). */
static int receive_fd(struct source *s)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int ls, cs = -1, bound = 0, ret = 3;
	ssize_t n = 0;
	char data;

	if (strlen(s->arg) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "dmabuf-conform: socket path too long: %s\n", s->arg);
		return 2;
	}
	strcpy(addr.sun_path, s->arg);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls >= 0 && !bind(ls, (struct sockaddr *)&addr, sizeof(addr)))
		bound = 1;
	else if (ls >= 0 && errno == EADDRINUSE && !remove_stale(&addr) &&
		 !bind(ls, (struct sockaddr *)&addr, sizeof(addr)))
		bound = 1;
	if (!bound || listen(ls, 1)) {
		fprintf(stderr, "dmabuf-conform: listening on %s: %s\n", s->arg, strerror(errno));
		goto out;
	}
	fprintf(stderr, "dmabuf-conform: waiting for a dma-buf fd on %s\n", s->arg);
	cs = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (cs >= 0)
		n = dmabuf_lab_recv_fd(cs, &s->given, &data, 1);
	if (cs < 0 || (n < 0 && n != -EBADMSG)) {
		fprintf(stderr, "dmabuf-conform: receiving on %s: %s\n", s->arg,
			strerror(cs < 0 ? errno : (int)-n));
		goto out;
	}
	/* More than one fd, or a message cut short: the library closed them all. */
	if (s->given < 0) {
		fprintf(stderr, "dmabuf-conform: the message on %s carried no fd\n", s->arg);
		goto out;
	}
	ret = 0;
out:
	if (cs >= 0)
		close(cs);
	/* Only the socket made here goes: a path in use stays as it was. */
	if (bound)
		unlink(s->arg);
	if (ls >= 0)
		close(ls);
	return ret;
}

/* The library's spec of an allocating source. */
static void source_spec(const struct source *s, char *spec, size_t len)
{
	switch (s->kind) {
	case SRC_HEAP:
		snprintf(spec, len, "heap:%s", s->arg);
		break;
	case SRC_UDMABUF:
		snprintf(spec, len, "udmabuf");
		break;
	case SRC_VGEM:
		snprintf(spec, len, "vgem");
		break;
	default:
		snprintf(spec, len, "pagebuf%s", s->policy == PAGEBUF_ALLOC_ORDER0 ? ":order0" :
			 s->policy == PAGEBUF_ALLOC_CONTIG ? ":contig" :
			 s->policy == PAGEBUF_ALLOC_MOVABLE ? ":movable" : "");
		break;
	}
}

/* Open an allocating source; 3 and the library's message when it cannot. */
static int open_lib(struct source *s)
{
	char spec[128], err[256];

	source_spec(s, spec, sizeof(spec));
	if (dmabuf_lab_source_open(&s->lib, spec, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "dmabuf-conform: %s\n", err);
		return 3;
	}
	return 0;
}

static int probe(struct source *s)
{
	int fd, err;

	err = source_get(s, &fd);
	if (err) {
		fprintf(stderr, "dmabuf-conform: %s gave no buffer of %zu bytes: %s\n",
			s->desc, s->size, strerror(err));
		return 3;
	}
	close(fd);
	return 0;
}

int source_open(struct source *s)
{
	char val[64];
	int ret;

	switch (s->kind) {
	case SRC_HEAP:
		snprintf(s->desc, sizeof(s->desc), "heap %s", s->arg);
		ret = open_lib(s);
		break;
	case SRC_UDMABUF:
		snprintf(s->desc, sizeof(s->desc), "udmabuf");
		ret = open_lib(s);
		break;
	case SRC_PAGEBUF:
		snprintf(s->desc, sizeof(s->desc), "pagebuf (%s)",
			 s->policy == PAGEBUF_ALLOC_ORDER0 ? "order0" :
			 s->policy == PAGEBUF_ALLOC_CONTIG ? "contig" :
			 s->policy == PAGEBUF_ALLOC_MOVABLE ? "movable" : "default");
		ret = open_lib(s);
		break;
	case SRC_VGEM:
		snprintf(s->desc, sizeof(s->desc), "vgem");
		ret = open_lib(s);
		break;
	case SRC_PIDFD:
		snprintf(s->desc, sizeof(s->desc), "fd %s", s->arg);
		ret = take_pidfd(s);
		break;
	default:
		snprintf(s->desc, sizeof(s->desc), "fd received on %s", s->arg);
		ret = receive_fd(s);
		break;
	}
	if (ret)
		return ret;
	if (source_allocates(s))
		return probe(s);
	if (dmabuf_lab_fdinfo_get(0, s->given, "exp_name", val, sizeof(val)) < 0) {
		fprintf(stderr, "dmabuf-conform: %s is not a dma-buf (no exp_name in its fdinfo)\n",
			s->desc);
		return 3;
	}
	s->size = lseek(s->given, 0, SEEK_END);
	lseek(s->given, 0, SEEK_SET);
	return 0;
}

void source_close(struct source *s)
{
	if (s->given >= 0)
		close(s->given);
	if (pagebuf_dev >= 0)
		close(pagebuf_dev);
	dmabuf_lab_source_close(s->lib);
	dmabuf_lab_source_close(known_good);
	s->lib = known_good = NULL;
	s->given = pagebuf_dev = -1;
}
