// SPDX-License-Identifier: GPL-2.0
/*
 * Where the buffer under test comes from: a DMA heap, udmabuf (a sealed
 * memfd), vgem's dumb buffers (exported through PRIME), pagebuf, or a
 * buffer of another process (taken with pidfd_getfd, or sent over a unix
 * socket). Allocating sources give the checks fresh buffers; the others
 * give new fds on the one buffer received.
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <xf86drm.h>

#include <uapi/pagebuf.h>

#include "conform.h"
#include "parse.h"

struct source src = { .dev = -1, .given = -1, .size = MIB };

static int pagebuf_dev = -1;

int pagebuf_alloc(size_t size, int *fd)
{
	struct pagebuf_alloc a;

	if (pagebuf_dev < 0)
		pagebuf_dev = open("/dev/pagebuf", O_RDWR | O_CLOEXEC);
	if (pagebuf_dev < 0)
		return errno;
	memset(&a, 0, sizeof(a));
	a.size = size;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(pagebuf_dev, PAGEBUF_IOC_ALLOC, &a))
		return errno;
	*fd = a.fd;
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

static int alloc_pagebuf(const struct source *s, int *fd)
{
	struct pagebuf_alloc a;

	memset(&a, 0, sizeof(a));
	a.size = s->size;
	a.flags = s->policy;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(s->dev, PAGEBUF_IOC_ALLOC, &a))
		return errno;
	*fd = a.fd;
	return 0;
}

static int alloc_heap(const struct source *s, int *fd)
{
	struct dma_heap_allocation_data a;

	memset(&a, 0, sizeof(a));
	a.len = s->size;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	if (ioctl(s->dev, DMA_HEAP_IOCTL_ALLOC, &a))
		return errno;
	*fd = a.fd;
	return 0;
}

/* udmabuf wants a memfd that cannot shrink; the dma-buf keeps its pages. */
static int alloc_udmabuf(const struct source *s, int *fd)
{
	struct udmabuf_create c;
	int memfd, ret, err = 0;

	memfd = memfd_create("dmabuf-conform", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return errno;
	if (ftruncate(memfd, s->size) || fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		err = errno;
		goto out;
	}
	memset(&c, 0, sizeof(c));
	c.memfd = memfd;
	c.flags = UDMABUF_FLAGS_CLOEXEC;
	c.size = s->size;
	ret = ioctl(s->dev, UDMABUF_CREATE, &c);
	if (ret < 0)
		err = errno;
	else
		*fd = ret;
out:
	close(memfd);
	return err;
}

/* A dumb buffer of 32-bit pixels, 1024 a row, exported with PRIME. */
static int alloc_vgem(const struct source *s, int *fd)
{
	struct drm_mode_create_dumb c;
	struct drm_gem_close cl;
	int err = 0;

	memset(&c, 0, sizeof(c));
	c.width = 1024;
	c.height = (s->size + 4095) / 4096;
	c.bpp = 32;
	if (drmIoctl(s->dev, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return errno;
	if (drmPrimeHandleToFD(s->dev, c.handle, DRM_CLOEXEC | DRM_RDWR, fd))
		err = errno ? errno : EINVAL;
	/* The dma-buf holds the object; the handle is not needed. */
	memset(&cl, 0, sizeof(cl));
	cl.handle = c.handle;
	drmIoctl(s->dev, DRM_IOCTL_GEM_CLOSE, &cl);
	return err;
}

int source_allocates(const struct source *s)
{
	return s->kind != SRC_PIDFD && s->kind != SRC_RECV;
}

int source_get(const struct source *s, int *fd)
{
	switch (s->kind) {
	case SRC_HEAP:
		return alloc_heap(s, fd);
	case SRC_UDMABUF:
		return alloc_udmabuf(s, fd);
	case SRC_VGEM:
		return alloc_vgem(s, fd);
	case SRC_PAGEBUF:
		return alloc_pagebuf(s, fd);
	default:
		*fd = fcntl(s->given, F_DUPFD_CLOEXEC, 0);
		return *fd < 0 ? errno : 0;
	}
}

/* The DRM card whose driver is vgem: the system may have others. */
static int open_vgem(void)
{
	char path[64];
	int i, fd;

	for (i = 0; i < 64; i++) {
		drmVersionPtr v;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && v->name && !strcmp(v->name, "vgem")) {
			drmFreeVersion(v);
			return fd;
		}
		if (v)
			drmFreeVersion(v);
		close(fd);
	}
	return -1;
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
	if (lab_parse_u64(head, 1, INT_MAX, &p) ||
	    lab_parse_u64(colon + 1, 0, INT_MAX, &f))
		return -1;
	*pid = (int)p;
	*fd = (int)f;
	return 0;
}

static int take_pidfd(struct source *s)
{
	int pid, target, pidfd;

	if (parse_pid_fd(s->arg, &pid, &target)) {
		fprintf(stderr, "dmabuf-conform: --pidfd wants PID:FD (decimal, PID 1 to %d), not '%s'\n",
			INT_MAX, s->arg);
		return 2;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		fprintf(stderr, "dmabuf-conform: pidfd_open(%d): %s\n", pid, strerror(errno));
		return 3;
	}
	s->given = syscall(SYS_pidfd_getfd, pidfd, target, 0);
	if (s->given < 0) {
		int err = errno;

		fprintf(stderr, "dmabuf-conform: pidfd_getfd(%d, %d): %s%s\n", pid, target,
			strerror(err), err == EPERM ?
			" (taking another process's fd needs the right to ptrace it: "
			"root, or the same user with ptrace_scope 0)" : "");
	}
	close(pidfd);
	return s->given < 0 ? 3 : 0;
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
	char data, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int ls, cs = -1, bound = 0, ret = 3;

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
	if (cs < 0 || recvmsg(cs, &msg, MSG_CMSG_CLOEXEC) < 0) {
		fprintf(stderr, "dmabuf-conform: receiving on %s: %s\n", s->arg, strerror(errno));
		goto out;
	}
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN(sizeof(int))) {
		fprintf(stderr, "dmabuf-conform: the message on %s carried no fd\n", s->arg);
		goto out;
	}
	memcpy(&s->given, CMSG_DATA(cm), sizeof(int));
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

/* Open @path for the source; 3 and a message when it is not there. */
static int open_dev(struct source *s, const char *path, int flags, const char *what)
{
	s->dev = open(path, flags | O_CLOEXEC);
	if (s->dev >= 0)
		return 0;
	fprintf(stderr, "dmabuf-conform: cannot open %s: %s (%s)\n", path,
		strerror(errno), what);
	return 3;
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
	char path[256], val[64];
	int ret;

	switch (s->kind) {
	case SRC_HEAP:
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", s->arg);
		snprintf(s->desc, sizeof(s->desc), "heap %s", s->arg);
		ret = open_dev(s, path, O_RDONLY, "no such DMA heap in this kernel");
		break;
	case SRC_UDMABUF:
		snprintf(s->desc, sizeof(s->desc), "udmabuf");
		ret = open_dev(s, "/dev/udmabuf", O_RDWR, "udmabuf is not in this kernel");
		break;
	case SRC_PAGEBUF:
		snprintf(s->desc, sizeof(s->desc), "pagebuf (%s)",
			 s->policy == PAGEBUF_ALLOC_ORDER0 ? "order0" :
			 s->policy == PAGEBUF_ALLOC_CONTIG ? "contig" : "default");
		ret = open_dev(s, "/dev/pagebuf", O_RDWR, "is pagebuf.ko loaded?");
		break;
	case SRC_VGEM:
		snprintf(s->desc, sizeof(s->desc), "vgem");
		s->dev = open_vgem();
		ret = 0;
		if (s->dev < 0) {
			fprintf(stderr, "dmabuf-conform: no DRM card of the vgem driver under /dev/dri (is vgem.ko loaded?)\n");
			ret = 3;
		}
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
	if (fdinfo_get(s->given, "exp_name", val, sizeof(val))) {
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
	if (s->dev >= 0)
		close(s->dev);
	if (pagebuf_dev >= 0)
		close(pagebuf_dev);
	s->given = s->dev = pagebuf_dev = -1;
}
