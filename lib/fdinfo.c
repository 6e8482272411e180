// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/PID/fdinfo/FD of a dma-buf, read as hostile input. The kernel
 * prints the generic lines (pos, flags, mnt_id, ino from 6.1) and then
 * the buffer's own (size, count, exp_name), its name last and raw: any
 * process holding the buffer may name it, and a newline in the name
 * starts lines that look like the kernel's. So a key's first line is the
 * kernel's, and everything after "name:" is the name (on 5.10, which
 * prints no ino, a forged "ino:" line can only come after it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Copy @n bytes of @v to @dst of @len bytes, cut to fit; the length copied. */
static size_t copy_value(char *dst, size_t len, const char *v, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return n;
}

/*
 * Call @fn for each "key: value" line of @text, up to and including the
 * name, which runs to the end of the text less its last newline. @fn
 * returns non-zero to stop.
 */
static void each_line(const char *text, void *arg,
		      int (*fn)(void *arg, const char *key, size_t klen,
				const char *v, size_t vlen))
{
	const char *line = text;

	while (line && *line) {
		const char *colon = strchr(line, ':');
		const char *nl = strchr(line, '\n');
		const char *v;
		size_t klen, vlen;

		if (colon && (!nl || colon < nl)) {
			klen = (size_t)(colon - line);
			v = colon + 1;
			v += strspn(v, " \t");
			if (klen == 4 && !strncmp(line, "name", 4)) {
				vlen = strlen(v);
				if (vlen && v[vlen - 1] == '\n')
					vlen--;
				fn(arg, line, klen, v, vlen);
				return;
			}
			vlen = strcspn(v, "\n");
			if (fn(arg, line, klen, v, vlen))
				return;
		}
		line = nl ? nl + 1 : NULL;
	}
}

/* A number as the kernel prints one: digits, blanks after allowed. */
static int number(const char *v, size_t vlen, uint64_t *out)
{
	char digits[32];

	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (vlen >= sizeof(digits))
		return -ERANGE;
	memcpy(digits, v, vlen);
	digits[vlen] = '\0';
	return dmabuf_lab_parse_u64(digits, 0, UINT64_MAX, out);
}

struct fields {
	struct dmabuf_lab_fdinfo *fi;
	unsigned int seen;	/* keys met, whether or not their value was taken */
};

/* The first line of @bit's key, and only if it holds a number. */
static void take_number(struct fields *f, unsigned int bit, const char *v, size_t vlen,
			uint64_t *out)
{
	if (f->seen & bit)
		return;
	f->seen |= bit;
	if (!number(v, vlen, out))
		f->fi->has |= bit;
}

static int take_field(void *arg, const char *key, size_t klen, const char *v, size_t vlen)
{
	struct fields *f = arg;
	struct dmabuf_lab_fdinfo *fi = f->fi;

#define IS(k)	(klen == sizeof(k) - 1 && !strncmp(key, k, klen))
	if (IS("name")) {
		copy_value(fi->name, sizeof(fi->name), v, vlen);
		fi->has |= DMABUF_LAB_FDINFO_NAME;
	} else if (IS("size")) {
		take_number(f, DMABUF_LAB_FDINFO_SIZE, v, vlen, &fi->size);
	} else if (IS("ino")) {
		take_number(f, DMABUF_LAB_FDINFO_INO, v, vlen, &fi->ino);
	} else if (IS("count")) {
		take_number(f, DMABUF_LAB_FDINFO_COUNT, v, vlen, &fi->count);
	} else if (IS("exp_name") && !(f->seen & DMABUF_LAB_FDINFO_EXP_NAME)) {
		f->seen |= DMABUF_LAB_FDINFO_EXP_NAME;
		copy_value(fi->exp_name, sizeof(fi->exp_name), v, vlen);
		fi->has |= DMABUF_LAB_FDINFO_EXP_NAME;
	}
#undef IS
	return 0;
}

DL_EXPORT void dmabuf_lab_fdinfo_parse(const char *text, struct dmabuf_lab_fdinfo *fi)
{
	struct fields f = { .fi = fi };

	memset(fi, 0, sizeof(*fi));
	each_line(text, &f, take_field);
}

struct lookup {
	const char *key;
	char *buf;
	size_t len;
	int ret;
};

static int take_value(void *arg, const char *key, size_t klen, const char *v, size_t vlen)
{
	struct lookup *l = arg;

	if (strlen(l->key) != klen || strncmp(key, l->key, klen))
		return 0;
	l->ret = (int)copy_value(l->buf, l->len, v, vlen);
	return 1;
}

DL_EXPORT int dmabuf_lab_fdinfo_value(const char *text, const char *key, char *buf, size_t len)
{
	struct lookup l = { .key = key, .buf = buf, .len = len, .ret = -ENOENT };

	if (!len)
		return -EINVAL;
	each_line(text, &l, take_value);
	return l.ret;
}

int dl_read_bounded(const char *path, char *buf, size_t max)
{
	struct stat st;
	size_t have = 0;
	ssize_t n;
	int fd, ret = 0;

	/* The last component of an fdinfo path is never a link. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	/* A FIFO or a device would block or never end. */
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	for (;;) {
		n = read(fd, buf + have, max - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		/* The buffer is full: a file larger than the bound is refused. */
		if (have == max) {
			ret = -EFBIG;
			goto out;
		}
	}
	buf[have] = '\0';
out:
	close(fd);
	return ret;
}

/* The text of @pid's fdinfo of @fd, malloc'ed: 0 and *@text, or -errno. */
static int read_fdinfo(pid_t pid, int fd, char **text)
{
	char path[64];
	int ret;

	if (fd < 0 || pid < 0)
		return -EBADF;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	*text = malloc(DMABUF_LAB_FDINFO_MAX + 1);
	if (!*text)
		return -ENOMEM;
	/* One byte more than the bound: a file of exactly the bound fits. */
	ret = dl_read_bounded(path, *text, DMABUF_LAB_FDINFO_MAX + 1);
	if (ret < 0) {
		free(*text);
		*text = NULL;
	}
	return ret;
}

DL_EXPORT int dmabuf_lab_fdinfo_read(pid_t pid, int fd, struct dmabuf_lab_fdinfo *fi)
{
	char *text;
	int ret = read_fdinfo(pid, fd, &text);

	if (ret < 0)
		return ret;
	dmabuf_lab_fdinfo_parse(text, fi);
	free(text);
	return fi->has & DMABUF_LAB_FDINFO_EXP_NAME ? 0 : -ENOTTY;
}

DL_EXPORT int dmabuf_lab_fdinfo_get(pid_t pid, int fd, const char *key, char *buf, size_t len)
{
	char *text;
	int ret = read_fdinfo(pid, fd, &text);

	if (ret < 0)
		return ret;
	ret = dmabuf_lab_fdinfo_value(text, key, buf, len);
	free(text);
	return ret;
}
