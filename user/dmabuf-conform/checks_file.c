// SPDX-License-Identifier: GPL-2.0
/*
 * The dma-buf file itself: what fdinfo and lseek say about it, the CPU
 * access ioctl's flags, naming, and poll on an idle buffer. Much of this
 * is the dma-buf core's work, but an exporter can still break it (a
 * begin_cpu_access that fails, a size that is not what was asked for).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include <dmabuf-lab.h>

#include "conform.h"

static enum result fdinfo_fields(char *why, size_t len)
{
	char size[32], count[32], exp[64], ino[32];
	enum result r;
	int fd;

	GET_OR_FAIL(fd);
	if (dmabuf_lab_fdinfo_get(0, fd, "size", size, sizeof(size)) < 0 ||
	    dmabuf_lab_fdinfo_get(0, fd, "count", count, sizeof(count)) < 0 ||
	    dmabuf_lab_fdinfo_get(0, fd, "exp_name", exp, sizeof(exp)) < 0)
		r = failed(why, len, "fdinfo lacks size, count or exp_name");
	else if (strtoull(size, NULL, 10) != src.size)
		r = failed(why, len, "fdinfo size %s, the buffer has %zu bytes", size, src.size);
	else if (!exp[0])
		r = failed(why, len, "empty exp_name");
	else if (dmabuf_lab_fdinfo_get(0, fd, "ino", ino, sizeof(ino)) >= 0 &&
		 strtoul(ino, NULL, 10) != fd_ino(fd))
		r = failed(why, len, "fdinfo ino %s, the file's inode is %lu", ino, fd_ino(fd));
	else
		r = pass(why, len, "exp_name %s, size %s", exp, size);
	close(fd);
	return r;
}

static enum result lseek_end(char *why, size_t len)
{
	enum result r;
	off_t end, cur;
	int fd;

	GET_OR_FAIL(fd);
	end = lseek(fd, 0, SEEK_END);
	cur = lseek(fd, 0, SEEK_CUR);
	if (end < 0)
		r = failed(why, len, "lseek(SEEK_END): %s", strerror(errno));
	else if ((size_t)end != src.size || end % 4096)
		r = failed(why, len, "lseek(SEEK_END) = %lld, want %zu (page-aligned)",
			   (long long)end, src.size);
	else if (lseek(fd, 0, SEEK_SET) != 0)
		r = failed(why, len, "lseek(0, SEEK_SET) did not return 0");
	else if (cur >= 0 || errno != EINVAL)
		r = failed(why, len, "lseek(SEEK_CUR) was not EINVAL");
	else
		r = pass(why, len, "%lld bytes", (long long)end);
	close(fd);
	return r;
}

static const uint64_t sync_dirs[] = {
	DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
};

static const uint64_t sync_bad[] = {
	DMA_BUF_SYNC_START, DMA_BUF_SYNC_END, 1ULL << 3,
	DMA_BUF_SYNC_RW | (1ULL << 3), ~0ULL,
};

static enum result sync_flags(char *why, size_t len)
{
	enum result r = RES_PASS;
	struct dma_buf_sync s;
	unsigned int i;
	int fd, err;

	GET_OR_FAIL(fd);
	why[0] = '\0';
	for (i = 0; i < sizeof(sync_dirs) / sizeof(sync_dirs[0]) && r == RES_PASS; i++) {
		err = -dmabuf_lab_begin_cpu(fd, sync_dirs[i]);
		if (!err)
			err = -dmabuf_lab_end_cpu(fd, sync_dirs[i]);
		if (err)
			r = failed(why, len, "flags %#llx refused: %s",
				   (unsigned long long)sync_dirs[i], strerror(err));
	}
	/* Raw: the library refuses these flags itself; the kernel must too. */
	for (i = 0; i < sizeof(sync_bad) / sizeof(sync_bad[0]) && r == RES_PASS; i++) {
		s.flags = sync_bad[i];
		if (!ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) || errno != EINVAL)
			r = failed(why, len, "invalid flags %#llx: %s, want EINVAL",
				   (unsigned long long)sync_bad[i],
				   errno ? strerror(errno) : "accepted");
		errno = 0;
	}
	close(fd);
	return r;
}

static enum result name_set(char *why, size_t len)
{
	static const char name[] = "dmabuf-conform";
	char got[64], longest[DMA_BUF_NAME_LEN], too_long[DMA_BUF_NAME_LEN + 1];
	enum result r;
	int fd;

	if (!source_allocates(&src))
		return skipped(why, len, "renaming would change a buffer another process owns");
	GET_OR_FAIL(fd);
	/* Raw DMA_BUF_SET_NAME: the ioctl is what this check is about. */
	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	if (ioctl(fd, DMA_BUF_SET_NAME, name))
		r = failed(why, len, "DMA_BUF_SET_NAME: %s", strerror(errno));
	else if (dmabuf_lab_fdinfo_get(0, fd, "name", got, sizeof(got)) < 0 || strcmp(got, name))
		r = failed(why, len, "fdinfo does not show the name set");
	else if (ioctl(fd, DMA_BUF_SET_NAME, longest))
		r = failed(why, len, "a name of %zu characters: %s", strlen(longest),
			   strerror(errno));
	else if (!ioctl(fd, DMA_BUF_SET_NAME, too_long) || errno != EINVAL)
		r = failed(why, len, "a name of %zu characters was not EINVAL", strlen(too_long));
	else if (dmabuf_lab_fdinfo_get(0, fd, "name", got, sizeof(got)) < 0 || strcmp(got, longest))
		r = failed(why, len, "a refused name changed the buffer's name");
	else
		r = pass(why, len, "%d characters at most", DMA_BUF_NAME_LEN - 1);
	close(fd);
	return r;
}

static enum result poll_idle(char *why, size_t len)
{
	struct pollfd p = { .events = POLLIN | POLLOUT };
	enum result r;
	int fd, ret;

	GET_OR_FAIL(fd);
	p.fd = fd;
	ret = poll(&p, 1, 1000);
	if (ret < 0)
		r = failed(why, len, "poll: %s", strerror(errno));
	else if ((p.revents & (POLLIN | POLLOUT)) != (POLLIN | POLLOUT))
		r = failed(why, len, "revents %#x within 1 s, want POLLIN|POLLOUT", p.revents);
	else
		r = pass(why, len, "ready");
	close(fd);
	return r;
}

const struct check file_checks[] = {
	{ "fdinfo.fields", "fdinfo shows the buffer's size, count, exp_name (and ino from 6.1)", fdinfo_fields },
	{ "size.lseek_end", "lseek(0, SEEK_END) is the size, SEEK_SET gives 0, other whence EINVAL", lseek_end },
	{ "sync.flags", "DMA_BUF_IOCTL_SYNC takes START/END with READ, WRITE or both; anything else is EINVAL", sync_flags },
	{ "name.set", "DMA_BUF_SET_NAME shows in fdinfo; DMA_BUF_NAME_LEN - 1 characters at most, longer is EINVAL", name_set },
	{ "poll.idle", "poll on a buffer without fences is ready for read and write at once", poll_idle },
};
const int nr_file_checks = sizeof(file_checks) / sizeof(file_checks[0]);
