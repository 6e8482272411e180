// SPDX-License-Identifier: GPL-2.0
/*
 * Parser of debugfs dma_buf/bufinfo, in the formats of the kernels in use:
 *
 * 5.10   header "size flags mode count exp_name ino" (tab separated), per
 *        buffer "%08zu\t%08x\t%08x\t%08ld\t%s\t%08lu\t%s" with an empty name
 *        when unnamed, fences as "\tExclusive fence: DRV TL [un]signalled"
 *        and "\tShared fence: DRV TL [un]signalled".
 * 6.1    header gains "name", unnamed buffers print "<none>", fences come
 * 6.12   from dma_resv_describe(): "\tUSAGE fence:DRV TL seq N [un]signalled"
 *        (USAGE is kernel, write, read or bookkeep).
 * 7.x    fences print "\tUSAGE fence:CTX:SEQ TL DRV [un]signalled", with
 *        empty TL and DRV once signalled.
 * All of them then print "\tAttached Devices:", one "\tDEVICE" line per
 * attachment, "Total N devices attached", and at the end
 * "Total N objects, B bytes".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

static int parse_hex(const char *s, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || end == s)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/*
 * Every kernel prints size, flags, mode, count and inode zero-padded to
 * at least 8 digits ("%08zu\t%08x\t%08x\t%08ld\t%s\t%08lu\t%s"), so a
 * buffer line is at least 46 bytes long before its name. The name ends
 * the line, raw, and a newline in it starts a line of its own; but a
 * name is at most 31 bytes (DMA_BUF_NAME_LEN), too short to hold a line
 * of that shape. A line whose numbers are narrower is a name's
 * continuation, never a buffer. Each buffer is listed once, so a second
 * line with an inode already seen is not believed either: the first one,
 * the kernel's, stands, and what follows the second is dropped. A
 * name's continuation that starts with a tab still reads as a fence or
 * device of its own buffer: only the buffer's holder can name it.
 */
#define BUFINFO_MIN_DIGITS 8

static int wide_enough(char **f)
{
	static const int cols[] = { 0, 1, 2, 3, 5 };
	size_t i;

	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (strlen(f[cols[i]]) < BUFINFO_MIN_DIGITS)
			return 0;
	return 1;
}

static int parse_buffer_line(struct di_state *st, char *line, size_t *cur)
{
	char *f[8];
	size_t n = di_split_tabs(line, f, 8), bi;
	uint64_t size, count, ino;
	unsigned int flags, mode;
	struct di_buf *b;

	if (n < 6 || !wide_enough(f))
		return -1;
	if (di_parse_u64(f[0], &size) || parse_hex(f[1], &flags) ||
	    parse_hex(f[2], &mode) || di_parse_u64(f[3], &count) ||
	    di_parse_u64(f[5], &ino) || count > LONG_MAX)
		return -1;
	bi = di_state_find_buf(st, ino);
	if (bi != DI_NONE && st->bufs[bi].in_bufinfo)
		return -2;
	bi = di_state_buf(st, ino);
	b = &st->bufs[bi];
	b->size = size;
	b->flags = flags;
	b->mode = mode;
	b->count = (long)count;
	b->in_bufinfo = 1;
	di_buf_set_strings(b, f[4], n > 6 ? f[6] : NULL);
	*cur = bi;
	return 0;
}

static char *next_token(char **s)
{
	char *t = *s, *e;

	while (*t == ' ')
		t++;
	if (!*t)
		return NULL;
	e = strchr(t, ' ');
	if (e) {
		*e = '\0';
		*s = e + 1;
	} else {
		*s = t + strlen(t);
	}
	return t;
}

/* "[un]signalled" at the end of @rest; strips it. -1 if absent. */
static int take_signalled(char *rest)
{
	size_t n;

	di_rstrip(rest);
	n = strlen(rest);
	if (n >= 11 && !strcmp(rest + n - 11, "unsignalled")) {
		rest[n - 11] = '\0';
		return 0;
	}
	if (n >= 9 && !strcmp(rest + n - 9, "signalled")) {
		rest[n - 9] = '\0';
		return 1;
	}
	return -1;
}

/* @line is after the leading tab. Returns 1 if it was a fence line. */
static int parse_fence_line(struct di_state *st, struct di_buf *b, char *line)
{
	char *colon = strstr(line, " fence:");
	char usage[32], *rest, *t1, *t2, *t3, *t4;
	int sig;

	if (!colon || colon == line || (size_t)(colon - line) >= sizeof(usage))
		return 0;
	memcpy(usage, line, (size_t)(colon - line));
	usage[colon - line] = '\0';
	if (strchr(usage, ' '))
		return 0;
	rest = colon + 7;
	sig = take_signalled(rest);
	if (sig < 0)
		return 0;
	if (!strcmp(usage, "Exclusive") || !strcmp(usage, "Shared")) {
		/* 5.10: DRV TL */
		usage[0] = (char)tolower((unsigned char)usage[0]);
		t1 = next_token(&rest);
		t2 = next_token(&rest);
		di_buf_add_fence(b, usage, t1, t2, 0, 0, 0, sig);
		if (!st->bufinfo_format || st->bufinfo_format == 601)
			st->bufinfo_format = 510;
		return 1;
	}
	t1 = next_token(&rest);
	if (t1 && isdigit((unsigned char)*t1) && strchr(t1, ':')) {
		/* 7.x: CTX:SEQ TL DRV */
		unsigned long long ctx, seq;

		if (sscanf(t1, "%llu:%llu", &ctx, &seq) != 2)
			return 0;
		t2 = next_token(&rest);
		t3 = next_token(&rest);
		di_buf_add_fence(b, usage, t3, t2, ctx, seq, 1, sig);
		st->bufinfo_format = 700;
		return 1;
	}
	/* 6.1/6.12: DRV TL seq N */
	t2 = next_token(&rest);
	t3 = next_token(&rest);
	t4 = next_token(&rest);
	if (t3 && t4 && !strcmp(t3, "seq")) {
		uint64_t seq;

		if (di_parse_u64(t4, &seq))
			return 0;
		di_buf_add_fence(b, usage, t1, t2, 0, seq, 1, sig);
	} else {
		di_buf_add_fence(b, usage, t1, t2, 0, 0, 0, sig);
	}
	return 1;
}

int di_parse_bufinfo(struct di_state *st, const char *text)
{
	char *copy = di_strdup(text), *line, *nl;
	size_t cur = (size_t)-1;
	int in_devices = 0, seen_header = 0;

	for (line = copy; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (!seen_header && !strncmp(line, "size", 4) &&
		    strstr(line, "exp_name")) {
			char tmp[256];

			seen_header = 1;
			snprintf(tmp, sizeof(tmp), "%s", line);
			di_rstrip(tmp);
			if (!st->bufinfo_format || st->bufinfo_format == 510)
				st->bufinfo_format =
					strlen(tmp) >= 4 &&
					!strcmp(tmp + strlen(tmp) - 4, "name") ?
					601 : 510;
			continue;
		}
		if (!strncmp(line, "Total ", 6)) {
			in_devices = 0;
			continue;
		}
		if (line[0] == '\t') {
			struct di_buf *b;
			char *l = line + 1;

			if (cur == (size_t)-1)
				continue;
			b = &st->bufs[cur];
			di_rstrip(l);
			if (!strcmp(l, "Attached Devices:")) {
				in_devices = 1;
				continue;
			}
			if (!in_devices && parse_fence_line(st, b, l))
				continue;
			if (in_devices && *l)
				di_buf_add_device(b, l);
			continue;
		}
		if (isdigit((unsigned char)line[0])) {
			in_devices = 0;
			/* Not a buffer: a name's continuation, or garbage. */
			if (parse_buffer_line(st, line, &cur) == -2)
				cur = (size_t)-1;
		}
	}
	free(copy);
	if (!seen_header)
		return -1;
	st->have_bufinfo = 1;
	return 0;
}

int di_scan_bufinfo(struct di_state *st, const char *root)
{
	char path[4096];
	char *text;
	int ret;

	if (snprintf(path, sizeof(path), "%s/sys/kernel/debug/dma_buf/bufinfo",
		     root) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	text = di_read_file(path, DI_MAX_BUFINFO, O_NOFOLLOW, NULL);
	if (!text) {
		int err = errno;

		/* Warned of here; ENOENT and EACCES are the caller's note. */
		if (di_warn_file(st, path, err, DI_MAX_BUFINFO))
			err = 0;
		errno = err;
		return -1;
	}
	ret = di_parse_bufinfo(st, text);
	free(text);
	if (ret < 0)
		errno = EINVAL;
	return ret;
}
