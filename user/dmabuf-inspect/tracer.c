// SPDX-License-Identifier: GPL-2.0
/*
 * The tracer of --trace (trace.c feeds it): trace_pipe text in, one line
 * per dma-buf event out, what each buffer went through remembered, and
 * at the end the buffers exported meanwhile that are still alive (the
 * leak report), from that and a snapshot.
 *
 * Events, in order of preference:
 *  - the dma-buf core's own (events/dma_buf/, Linux 7.x), for every
 *    exporter; the core has no release event, so pagebuf's release (and
 *    its map/unmap) are taken too when pagebuf is loaded;
 *  - without them, pagebuf's and v2d_emu's events: only the buffers of
 *    pagebuf and the imports of v2d_emu are seen, and the output says so.
 *
 * The lines are read as text: the events' formats are fixed TP_printk()
 * strings whose numbers sit at known places, and Debian's libtracefs
 * gives fields by name only from the per-CPU raw buffers, read in a loop
 * that fits neither a poll timeout nor signals. Each line is matched
 * whole against its event's format: numbers strictly, strings by
 * position, since a comm, an exporter or a device name may hold any byte
 * but NUL and newline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dmabuf-lab.h>

#include "inspect.h"


/*
 * The longest line taken from trace_pipe: the kernel formats each event
 * in a page-sized trace_seq, so a longer one is not one of its lines.
 */
#define TRACE_LINE_MAX	4096

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- the events --------------------------------------------------------- */

enum tev_kind {
	K_EXPORT, K_FD, K_GET, K_PUT, K_MMAP, K_ATTACH, K_DETACH, K_RELEASE,
	K_MAP, K_UNMAP,
};

static const char *const kind_names[] = {
	[K_EXPORT] = "export", [K_FD] = "fd", [K_GET] = "get", [K_PUT] = "put",
	[K_MMAP] = "mmap", [K_ATTACH] = "attach", [K_DETACH] = "detach",
	[K_RELEASE] = "release", [K_MAP] = "map", [K_UNMAP] = "unmap",
};

static int kind_has_device(enum tev_kind k)
{
	return k == K_ATTACH || k == K_DETACH || k == K_MAP || k == K_UNMAP;
}

/* Which set of events an event belongs to: with the core's, without them. */
#define M_CORE		1
#define M_FALLBACK	2

/*
 * An event's format is its TP_printk() with each conversion followed by
 * the field it fills: %s string, %u unsigned, %d signed (decimal), %t a
 * token without blanks (%p, %#x); then e exporter, v device, i inode,
 * z size, p pid, f fd, _ none. A string is always followed by a literal
 * character (or ends the format): that is where it may end.
 */
#define FMT_BUF		"exp_name=%se size=%uz ino=%ui"
#define FMT_FD		"exp_name=%se size=%uz ino=%ui fd=%df"
#define FMT_ATTACH	"exp_name=%se size=%uz ino=%ui attachment:%t_ is_dynamic=%d_ dev_name=%sv"
#define FMT_PB_MAP	"ino=%ui dev=%sv dir=%d_ nents=%u_"
#define FMT_PB_ATTACH	"ino=%ui dev=%sv"

struct ev_def {
	const char *system, *name;
	enum tev_kind kind;
	const char *fmt;
	const char *exporter;	/* implied by the event, or NULL */
	const char *device;	/* implied by the event, or NULL */
	unsigned int use;	/* M_CORE, M_FALLBACK */
};

/* Checked against module/pagebuf/trace.h and module/v2d_emu/trace.h. */
static const struct ev_def ev_defs[] = {
	{ "dma_buf", "dma_buf_export", K_EXPORT, FMT_BUF, NULL, NULL, M_CORE },
	{ "dma_buf", "dma_buf_fd", K_FD, FMT_FD, NULL, NULL, M_CORE },
	{ "dma_buf", "dma_buf_get", K_GET, FMT_FD, NULL, NULL, M_CORE },
	{ "dma_buf", "dma_buf_put", K_PUT, FMT_BUF, NULL, NULL, M_CORE },
	{ "dma_buf", "dma_buf_mmap", K_MMAP, FMT_BUF, NULL, NULL, M_CORE },
	{ "dma_buf", "dma_buf_mmap_internal", K_MMAP, FMT_BUF, NULL, NULL, M_CORE },
	{ "dma_buf", "dma_buf_dynamic_attach", K_ATTACH, FMT_ATTACH, NULL, NULL, M_CORE },
	{ "dma_buf", "dma_buf_detach", K_DETACH, FMT_ATTACH, NULL, NULL, M_CORE },
	{ "pagebuf", "pagebuf_release", K_RELEASE, "ino=%ui size=%uz demo=%d_",
	  "pagebuf", NULL, M_CORE | M_FALLBACK },
	{ "pagebuf", "pagebuf_map", K_MAP, FMT_PB_MAP, "pagebuf", NULL,
	  M_CORE | M_FALLBACK },
	{ "pagebuf", "pagebuf_unmap", K_UNMAP, FMT_PB_MAP, "pagebuf", NULL,
	  M_CORE | M_FALLBACK },
	{ "pagebuf", "pagebuf_alloc", K_EXPORT,
	  "ino=%ui size=%uz segments=%u_ flags=%t_ pid=%dp", "pagebuf", NULL,
	  M_FALLBACK },
	{ "pagebuf", "pagebuf_attach", K_ATTACH, FMT_PB_ATTACH, "pagebuf", NULL,
	  M_FALLBACK },
	{ "pagebuf", "pagebuf_detach", K_DETACH, FMT_PB_ATTACH, "pagebuf", NULL,
	  M_FALLBACK },
	{ "pagebuf", "pagebuf_mmap", K_MMAP, "ino=%ui pgoff=%u_ len=%u_",
	  "pagebuf", NULL, M_FALLBACK },
	{ "v2d_emu", "v2d_import", K_ATTACH,
	  "handle=%u_ ino=%ui exporter=%se size=%uz path=%s_ segments=%u_",
	  NULL, "v2d_emu", M_FALLBACK },
	{ "v2d_emu", "v2d_release", K_DETACH, "handle=%u_ ino=%ui", NULL,
	  "v2d_emu", M_FALLBACK },
};

#define FALLBACK_NOTE "this kernel has no dma_buf trace events (Linux 7.x " \
	"has them): only pagebuf's buffers and v2d_emu's imports are seen"

/* One event, its strings in the line it was parsed from. */
struct tev {
	const struct ev_def *def;
	const char *ts, *comm;
	const char *exporter;	/* "" when unknown */
	const char *device;	/* NULL when the event has none */
	pid_t pid;
	uint64_t ino, size;
	int has_size;
	int fd;			/* -1: none */
};

/* ---- matching a line's fields ------------------------------------------ */

struct slot {
	char *p;
	size_t n;
};

#define HAS_SIZE	(1U << 0)
#define HAS_PID		(1U << 1)
#define HAS_FD		(1U << 2)

struct fields {
	struct slot exporter, device;
	uint64_t ino, size;
	int64_t pid, fd;
	unsigned int has;
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t digits_len(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	return n;
}

/* The length of the token of conversion @conv at @s; 0 when there is none. */
static size_t token_len(char conv, const char *s)
{
	size_t n;

	switch (conv) {
	case 'u':
		return digits_len(s);
	case 'd':
		n = digits_len(s + (*s == '-'));
		return n ? n + (*s == '-') : 0;
	case 't':
		return strcspn(s, " ");
	}
	return 0;
}

/* @n bytes of digits at @s as a number of at most @max: 0, or -1. */
static int parse_num(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	char buf[24];

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return dmabuf_lab_parse_u64(buf, 0, max, v) ? -1 : 0;
}

/* A %d token as an int. */
static int parse_int(const char *s, size_t n, int64_t *v)
{
	int neg = *s == '-';
	uint64_t u;

	if (parse_num(s + neg, n - neg, INT_MAX, &u))
		return -1;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

static int store(struct fields *f, char conv, char field, const char *s,
		 size_t n)
{
	uint64_t u = 0;
	int64_t d = 0;

	if (conv == 'u' && parse_num(s, n, UINT64_MAX, &u))
		return -1;
	if (conv == 'd' && parse_int(s, n, &d))
		return -1;
	switch (field) {
	case 'i':
		f->ino = u;
		break;
	case 'z':
		f->size = u;
		f->has |= HAS_SIZE;
		break;
	case 'p':
		if (d < 0)
			return -1;
		f->pid = d;
		f->has |= HAS_PID;
		break;
	case 'f':
		f->fd = d;
		f->has |= HAS_FD;
		break;
	}
	return 0;
}

static void put_string(struct fields *f, char field, char *s, size_t n)
{
	struct slot *sl = field == 'e' ? &f->exporter :
			  field == 'v' ? &f->device : NULL;

	if (sl) {
		sl->p = s;
		sl->n = n;
	}
}

static int match(const char *fmt, char *s, struct fields *f);

/*
 * A string, then the rest of the format. The shortest string for which
 * the rest matches is taken: a string followed only by numbers can end
 * in one place alone; of two strings (dma_buf_detach's exporter and
 * device) the first is the shortest possible.
 */
static int match_string(const char *fmt, char *s, char field,
			struct fields *f)
{
	struct fields saved = *f;
	char *p;

	if (!*fmt) {
		put_string(f, field, s, strlen(s));
		return 0;
	}
	for (p = strchr(s, *fmt); p; p = strchr(p + 1, *fmt)) {
		put_string(f, field, s, (size_t)(p - s));
		if (!match(fmt, p, f))
			return 0;
		*f = saved;
	}
	return -1;
}

/* Match all of @s against @fmt: 0, or -1. */
static int match(const char *fmt, char *s, struct fields *f)
{
	while (*fmt) {
		char conv, field;
		size_t n;

		if (*fmt != '%') {
			if (*s != *fmt)
				return -1;
			s++;
			fmt++;
			continue;
		}
		conv = fmt[1];
		field = fmt[2];
		fmt += 3;
		if (conv == 's')
			return match_string(fmt, s, field, f);
		n = token_len(conv, s);
		if (!n || store(f, conv, field, s, n))
			return -1;
		s += n;
	}
	return *s ? -1 : 0;
}

/* ---- the header: COMM-PID [CPU] FLAGS TIMESTAMP ------------------------ */

static size_t back_digits(const char *h, size_t e)
{
	while (e && is_digit(h[e - 1]))
		e--;
	return e;
}

static size_t back_blanks(const char *h, size_t e)
{
	while (e && h[e - 1] == ' ')
		e--;
	return e;
}

/* Where the blank run ending at @e starts; -1 (as size_t) when there is none. */
static size_t blank_before(const char *h, size_t e)
{
	size_t b = back_blanks(h, e);

	return b == e ? (size_t)-1 : b;
}

/* The timestamp ending at @e: "SECONDS.MICROS" or a counter. Its start, or -1. */
static size_t header_ts(const char *h, size_t e)
{
	size_t b = back_digits(h, e), dot;

	if (b == e)
		return (size_t)-1;
	if (b && h[b - 1] == '.') {
		dot = b - 1;
		b = back_digits(h, dot);
		if (b == dot)
			return (size_t)-1;
	}
	return b;
}

/*
 * The part of the header before the timestamp, from the right: irq-info
 * flags (optional, "d..1."), "[CPU]", "(TGID)" (with record-tgid), then
 * "-PID" and the comm. The position of the dash before the PID, or -1.
 */
static size_t header_pid(const char *h, size_t e, uint64_t *pid)
{
	size_t b;

	if (e && h[e - 1] != ']') {
		b = e;
		while (b && h[b - 1] != ' ')
			b--;
		if (e - b > 8 || (e = blank_before(h, b)) == (size_t)-1)
			return (size_t)-1;
	}
	if (!e || h[e - 1] != ']')
		return (size_t)-1;
	b = back_digits(h, e - 1);
	if (b == e - 1 || !b || h[b - 1] != '[')
		return (size_t)-1;
	if ((e = blank_before(h, b - 1)) == (size_t)-1)
		return (size_t)-1;
	if (e && h[e - 1] == ')') {
		b = e - 1;
		while (b && (is_digit(h[b - 1]) || h[b - 1] == ' ' || h[b - 1] == '-'))
			b--;
		if (!b || h[b - 1] != '(' ||
		    (e = blank_before(h, b - 1)) == (size_t)-1)
			return (size_t)-1;
	}
	b = back_digits(h, e);
	if (b == e || !b || h[b - 1] != '-' || parse_num(h + b, e - b, INT_MAX, pid))
		return (size_t)-1;
	return b - 1;
}

/*
 * The header, the @n bytes at @h, parsed from the right: the comm (any
 * bytes, right-aligned in 16 columns) is all that is left of "-PID".
 * 0 with the comm and the timestamp NUL-terminated in place, or -1.
 */
static int parse_header(char *h, size_t n, struct tev *ev)
{
	size_t ts, e, dash, b = 0;
	uint64_t pid;

	ts = header_ts(h, n);
	if (ts == (size_t)-1 || (e = blank_before(h, ts)) == (size_t)-1)
		return -1;
	dash = header_pid(h, e, &pid);
	if (dash == (size_t)-1)
		return -1;
	while (b < dash && h[b] == ' ')
		b++;
	h[dash] = '\0';
	h[n] = '\0';
	ev->comm = h + b;
	ev->ts = h + ts;
	ev->pid = (pid_t)pid;
	return 0;
}

/* The event whose name and ": " start @s. */
static const struct ev_def *find_def(const char *s)
{
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(ev_defs); i++) {
		n = strlen(ev_defs[i].name);
		if (!strncmp(s, ev_defs[i].name, n) && s[n] == ':' &&
		    s[n + 1] == ' ')
			return &ev_defs[i];
	}
	return NULL;
}

static void fill_event(struct tev *ev, const struct ev_def *d,
		       const struct fields *f)
{
	ev->def = d;
	ev->ino = f->ino;
	ev->size = f->size;
	ev->has_size = !!(f->has & HAS_SIZE);
	ev->exporter = f->exporter.p ? f->exporter.p :
		       d->exporter ? d->exporter : "";
	ev->device = f->device.p ? f->device.p : d->device;
	ev->fd = f->has & HAS_FD ? (int)f->fd : -1;
	/* pagebuf_alloc names the allocating process, maybe not the one running. */
	if (f->has & HAS_PID) {
		if ((pid_t)f->pid != ev->pid)
			ev->comm = "<...>";
		ev->pid = (pid_t)f->pid;
	}
}

/*
 * One trace_pipe line (no newline), modified in place: 0 and *@ev, or -1
 * when it is not one of our events. The header ends at the first ": "
 * followed by one of our event names and ": " that a valid header
 * precedes: a comm (15 bytes) is too short to hold a whole header and an
 * event name, and the fields come after it.
 */
static int parse_line(char *line, struct tev *ev)
{
	const struct ev_def *d;
	struct fields f;
	char *q;

	memset(ev, 0, sizeof(*ev));
	for (q = strstr(line, ": "); q; q = strstr(q + 1, ": ")) {
		d = find_def(q + 2);
		if (!d)
			continue;
		if (parse_header(line, (size_t)(q - line), ev))
			continue;
		memset(&f, 0, sizeof(f));
		if (match(d->fmt, q + 2 + strlen(d->name) + 2, &f))
			return -1;
		/* The strings end where the next literal began. */
		if (f.exporter.p)
			f.exporter.p[f.exporter.n] = '\0';
		if (f.device.p)
			f.device.p[f.device.n] = '\0';
		fill_event(ev, d, &f);
		return 0;
	}
	return -1;
}

/* ---- the tracer ---------------------------------------------------------- */

/* A buffer seen in the window. */
struct tbuf {
	uint64_t ino, size;
	char *exporter, *name;
	char *comm;		/* of the process that exported it */
	pid_t pid;
	int exported, released;
	uint64_t seq;		/* order of its export */
	pid_t fd_pid;		/* where its name can be read, if fd >= 0 */
	int fd;
};

struct di_tracer {
	enum di_fmt fmt;
	const char *root;
	FILE *out, *err;
	struct tbuf *bufs;
	size_t nbufs, cap;
	struct di_index ix;	/* inode -> bufs[] */
	uint64_t seq;
	unsigned long rejected;
	char line[TRACE_LINE_MAX + 1];
	size_t len;
	int skipping;		/* in a line too long to keep */
};

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = di_strdup(s);
}

/* A small file of @root/proc, its trailing blanks cut, into @buf: 0 or -1. */
static int read_proc(const char *root, pid_t pid, const char *what,
		     char *buf, size_t len)
{
	char path[PATH_MAX], *text;

	if (snprintf(path, sizeof(path), "%s/proc/%d/%s", root, (int)pid,
		     what) >= (int)sizeof(path))
		return -1;
	text = di_read_file(path, DI_MAX_SMALL, O_NOFOLLOW, NULL);
	if (!text)
		return -1;
	di_rstrip(text);
	snprintf(buf, len, "%s", text);
	free(text);
	return *buf ? 0 : -1;
}

static struct tbuf *tbuf_get(struct di_tracer *t, uint64_t ino)
{
	size_t i = di_index_get(&t->ix, ino);
	struct tbuf *b;

	if (i != DI_NONE)
		return &t->bufs[i];
	t->bufs = di_grow(t->bufs, &t->cap, t->nbufs + 1, sizeof(*t->bufs));
	b = &t->bufs[t->nbufs];
	memset(b, 0, sizeof(*b));
	b->ino = ino;
	b->exporter = di_strdup("");
	b->name = di_strdup("");
	b->comm = di_strdup("");
	b->fd = -1;
	di_index_put(&t->ix, ino, t->nbufs++);
	return b;
}

/*
 * The name of @b, from the fdinfo of the fd an fd or get event gave,
 * while that fd still is this buffer's. Cheap enough to try again at
 * each event of the buffer until it has a name: a buffer is named after
 * it is made.
 */
static void learn_name(struct di_tracer *t, struct tbuf *b)
{
	struct dmabuf_lab_fdinfo fi;
	char path[PATH_MAX], *text;
	int same;

	if (*b->name || b->fd < 0)
		return;
	if (snprintf(path, sizeof(path), "%s/proc/%d/fdinfo/%d", t->root,
		     (int)b->fd_pid, b->fd) >= (int)sizeof(path))
		return;
	text = di_read_file(path, DI_MAX_SMALL, O_NOFOLLOW, NULL);
	if (!text) {
		b->fd = -1;
		return;
	}
	dmabuf_lab_fdinfo_parse(text, &fi);
	free(text);
	/* Before 6.1 fdinfo has no inode: then size and exporter must agree. */
	if (fi.has & DMABUF_LAB_FDINFO_INO)
		same = fi.ino == b->ino;
	else
		same = fi.size == b->size && !strcmp(fi.exp_name, b->exporter);
	if (!same)
		b->fd = -1;
	else if (fi.has & DMABUF_LAB_FDINFO_NAME)
		set_str(&b->name, fi.name);
}

/* What the event tells of its buffer, and what the buffer tells the event. */
static struct tbuf *track(struct di_tracer *t, struct tev *ev)
{
	enum tev_kind k = ev->def->kind;
	struct tbuf *b;

	if (!ev->ino)
		return NULL;
	b = tbuf_get(t, ev->ino);
	if (k == K_EXPORT) {
		/* A new buffer, even if a dead one had its inode. */
		b->exported = 1;
		b->released = 0;
		b->seq = ++t->seq;
		b->pid = ev->pid;
		b->fd = -1;
		set_str(&b->comm, ev->comm);
		set_str(&b->name, "");
		set_str(&b->exporter, ev->exporter);
	} else if (k == K_RELEASE) {
		b->released = 1;
	}
	if (ev->has_size) {
		b->size = ev->size;
	} else if (b->size) {
		ev->size = b->size;
		ev->has_size = 1;
	}
	if (*ev->exporter && strcmp(ev->exporter, b->exporter))
		set_str(&b->exporter, ev->exporter);
	ev->exporter = b->exporter;
	if ((k == K_FD || k == K_GET) && ev->fd >= 0) {
		b->fd_pid = ev->pid;
		b->fd = ev->fd;
	}
	learn_name(t, b);
	return b;
}

static void pad(FILE *out, size_t n)
{
	while (n--)
		fputc(' ', out);
}

/* One column of a table line: escaped, "-" when empty, padded to @width. */
static void put_col(FILE *out, const char *s, size_t width, int right,
		    int last)
{
	size_t w;
	char *e = di_text_escape(s && *s ? s : "-", DI_CELL_MAX, &w);

	if (right && w < width)
		pad(out, width - w);
	fputs(e, out);
	if (!last)
		pad(out, (!right && w < width ? width - w : 0) + 1);
	free(e);
}

/* Sizes in KiB, as the other tables have them. */
static void kib_text(uint64_t n, char *buf, size_t len)
{
	if (n % 1024 == 0)
		snprintf(buf, len, "%" PRIu64, n / 1024);
	else
		snprintf(buf, len, "%.1f", (double)n / 1024.0);
}

static const size_t col_w[] = { 14, 7, 7, 16, 10, 10, 12, 16 };

static void table_header(FILE *out)
{
	static const char *const cols[] = {
		"TIME", "EVENT", "PID", "COMM", "INODE", "SIZE(KiB)",
		"EXPORTER", "NAME", "DEVICE",
	};
	static const int right[] = { 0, 0, 1, 0, 1, 1, 0, 0, 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cols); i++)
		put_col(out, cols[i], i < ARRAY_SIZE(col_w) ? col_w[i] : 0,
			right[i], i + 1 == ARRAY_SIZE(cols));
	fputc('\n', out);
}

static void print_table(FILE *out, const struct tev *ev, const char *name)
{
	enum tev_kind k = ev->def->kind;
	char pid[16], ino[24], size[32];

	snprintf(pid, sizeof(pid), "%d", (int)ev->pid);
	snprintf(ino, sizeof(ino), "%" PRIu64, ev->ino);
	if (ev->has_size)
		kib_text(ev->size, size, sizeof(size));
	else
		size[0] = '\0';
	put_col(out, ev->ts, col_w[0], 0, 0);
	put_col(out, kind_names[k], col_w[1], 0, 0);
	put_col(out, pid, col_w[2], 1, 0);
	put_col(out, ev->comm, col_w[3], 0, 0);
	put_col(out, ev->ino ? ino : "", col_w[4], 1, 0);
	put_col(out, size, col_w[5], 1, 0);
	put_col(out, ev->exporter, col_w[6], 0, 0);
	put_col(out, name, col_w[7], 0, 0);
	put_col(out, kind_has_device(k) ? ev->device : "", 0, 0, 1);
	fputc('\n', out);
}

static void print_json(FILE *out, const struct tev *ev, const char *name)
{
	enum tev_kind k = ev->def->kind;

	fprintf(out, "{\"event\": \"%s\", \"inode\": %" PRIu64 ", \"size\": ",
		kind_names[k], ev->ino);
	if (ev->has_size)
		fprintf(out, "%" PRIu64, ev->size);
	else
		fputs("null", out);
	fputs(", \"exporter\": ", out);
	di_json_string(out, ev->exporter);
	fputs(", \"name\": ", out);
	di_json_string(out, name);
	fprintf(out, ", \"pid\": %d, \"comm\": ", (int)ev->pid);
	di_json_string(out, ev->comm);
	if (kind_has_device(k)) {
		fputs(", \"device\": ", out);
		di_json_string(out, ev->device ? ev->device : "");
	}
	fputs("}\n", out);
}

struct di_tracer *di_tracer_new(const struct di_trace_opts *o, int fallback,
				FILE *out, FILE *err)
{
	struct di_tracer *t = di_xrealloc(NULL, 1, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->fmt = o->fmt == DI_JSON ? DI_JSON : DI_TABLE;
	t->root = o->root ? o->root : "";
	t->out = out;
	t->err = err;
	if (fallback && t->fmt == DI_JSON) {
		fputs("{\"source\": \"pagebuf+v2d_emu\", \"note\": ", out);
		di_json_string(out, FALLBACK_NOTE);
		fputs("}\n", out);
	} else if (fallback) {
		fprintf(err, DI_NAME ": note: " FALLBACK_NOTE "\n");
	}
	if (t->fmt != DI_JSON)
		table_header(out);
	return t;
}

/*
 * A line the kernel adds where its ring buffer overflowed:
 * "CPU:N [LOST M EVENTS]" (or "[LOST EVENTS]").
 */
static int lost_line(struct di_tracer *t, const char *line)
{
	char *e;

	if (strncmp(line, "CPU:", 4) || !strstr(line, "[LOST "))
		return 0;
	e = di_text_escape(line, 200, NULL);
	fprintf(t->err, DI_NAME ": warning: the trace lost events (%s): the "
		"leak report may miss buffers\n", e);
	free(e);
	return 1;
}

/* 1 an event printed, 0 a line with nothing for us, -1 not understood. */
int di_tracer_line(struct di_tracer *t, char *line)
{
	char comm[256];
	struct tbuf *b;
	struct tev ev;

	if (!*line || lost_line(t, line))
		return 0;
	if (parse_line(line, &ev)) {
		t->rejected++;
		return -1;
	}
	/* Not in the saved cmdlines: the process may still be there. */
	if (!strcmp(ev.comm, "<...>") &&
	    !read_proc(t->root, ev.pid, "comm", comm, sizeof(comm)))
		ev.comm = comm;
	b = track(t, &ev);
	/*
	 * Without the core's events, pagebuf says when its buffers are
	 * attached, to v2d_emu as to any device: v2d_emu's own event would
	 * say it twice.
	 */
	if (ev.def->device && !strcmp(ev.exporter, "pagebuf"))
		return 0;
	if (t->fmt == DI_JSON)
		print_json(t->out, &ev, b ? b->name : "");
	else
		print_table(t->out, &ev, b ? b->name : "");
	return 1;
}

void di_tracer_feed(struct di_tracer *t, const char *data, size_t len)
{
	while (len) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		if (!t->skipping && t->len + n > TRACE_LINE_MAX) {
			fprintf(t->err, DI_NAME ": warning: a trace line longer "
				"than %d bytes, skipped\n", TRACE_LINE_MAX);
			t->skipping = 1;
		}
		if (!t->skipping) {
			memcpy(t->line + t->len, data, n);
			t->len += n;
		}
		if (nl) {
			t->line[t->len] = '\0';
			/* A NUL inside would cut the line short unseen. */
			if (!t->skipping && strlen(t->line) != t->len)
				t->rejected++;
			else if (!t->skipping)
				(void)di_tracer_line(t, t->line);
			t->skipping = 0;
			t->len = 0;
			n++;
		}
		data += n;
		len -= n;
	}
}

void di_tracer_free(struct di_tracer *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nbufs; i++) {
		free(t->bufs[i].exporter);
		free(t->bufs[i].name);
		free(t->bufs[i].comm);
	}
	free(t->bufs);
	di_index_free(&t->ix);
	free(t);
}

/* ---- the leak report ---------------------------------------------------- */

struct leak {
	const struct tbuf *tb;
	size_t bi;		/* in the snapshot */
	uint64_t size;
	const char *name;
	char *holders;
};

struct group {
	size_t first, n;	/* in the sorted leaks */
	uint64_t bytes;
};

static int cmp_leak(const void *a, const void *b)
{
	const struct tbuf *x = ((const struct leak *)a)->tb;
	const struct tbuf *y = ((const struct leak *)b)->tb;
	int c;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	c = strcmp(x->comm, y->comm);
	if (!c)
		c = strcmp(x->exporter, y->exporter);
	if (!c)
		c = (x->seq > y->seq) - (x->seq < y->seq);
	return c;
}

static const struct leak *sort_leaks;

/* The largest first; then by process and exporter. */
static int cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return cmp_leak(&sort_leaks[x->first], &sort_leaks[y->first]);
}

static int same_group(const struct tbuf *x, const struct tbuf *y)
{
	return x->pid == y->pid && !strcmp(x->comm, y->comm) &&
	       !strcmp(x->exporter, y->exporter);
}

/* Buffers exported in the window, not released, alive in @st. */
static size_t find_leaks(const struct di_tracer *t, const struct di_state *st,
			 struct leak **out)
{
	struct di_index sx = { 0 };
	struct leak *v = NULL;
	size_t i, n = 0, cap = 0, bi;

	for (i = 0; i < st->nbufs; i++)
		if (st->bufs[i].ino && !st->bufs[i].hidden)
			di_index_put(&sx, st->bufs[i].ino, i);
	for (i = 0; i < t->nbufs; i++) {
		const struct tbuf *tb = &t->bufs[i];

		if (!tb->exported || tb->released)
			continue;
		bi = di_index_get(&sx, tb->ino);
		if (bi == DI_NONE)
			continue;
		v = di_grow(v, &cap, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		v[n].tb = tb;
		v[n].bi = bi;
		v[n].size = st->bufs[bi].size ? st->bufs[bi].size : tb->size;
		v[n].name = st->bufs[bi].name ? st->bufs[bi].name : "";
		n++;
	}
	di_index_free(&sx);
	*out = v;
	return n;
}

/*
 * Who holds a leaked buffer no process holds: the kernel, when the
 * snapshot lists every buffer and could read every process.
 */
static char *nobody_text(const struct di_state *st)
{
	char buf[160];

	if (di_source_lists_all(st) && !st->unreadable)
		return di_strdup("kernel");
	if (di_source_lists_all(st))
		snprintf(buf, sizeof(buf), "unknown (%u processes could not be read)",
			 st->unreadable);
	else
		snprintf(buf, sizeof(buf), "unknown (%s cannot see kernel-held buffers)",
			 st->source ? st->source : "the snapshot");
	return di_strdup(buf);
}

static void append(char **s, size_t *len, const char *part)
{
	size_t n = strlen(part);

	*s = di_xrealloc(*s, *len + n + 1, 1);
	memcpy(*s + *len, part, n + 1);
	*len += n;
}

/* "pid(comm),pid(comm)" of each leak, from the snapshot's holds. */
static void leak_holders(const struct di_state *st, struct leak *v, size_t n)
{
	size_t *which = di_xrealloc(NULL, st->nbufs ? st->nbufs : 1, sizeof(*which));
	size_t *len = di_xrealloc(NULL, n ? n : 1, sizeof(*len));
	char part[300];
	size_t i, j;

	for (i = 0; i < st->nbufs; i++)
		which[i] = DI_NONE;
	for (i = 0; i < n; i++) {
		which[v[i].bi] = i;
		len[i] = 0;
	}
	for (i = 0; i < st->nprocs; i++) {
		const struct di_proc *p = &st->procs[i];

		for (j = 0; j < p->nholds; j++) {
			size_t l = which[p->holds[j].buf];

			if (l == DI_NONE)
				continue;
			snprintf(part, sizeof(part), "%s%d(%s)", len[l] ? "," : "",
				 (int)p->pid, p->comm);
			append(&v[l].holders, &len[l], part);
		}
	}
	for (i = 0; i < n; i++)
		if (!v[i].holders)
			v[i].holders = nobody_text(st);
	free(which);
	free(len);
}

/* Sort the leaks into groups, the largest first: their number. */
static size_t make_groups(struct leak *v, size_t n, struct group **out)
{
	struct group *g = di_xrealloc(NULL, n ? n : 1, sizeof(*g));
	size_t i, ng = 0;

	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_leak);
	for (i = 0; i < n; i++) {
		if (!i || !same_group(v[i - 1].tb, v[i].tb)) {
			g[ng].first = i;
			g[ng].n = 0;
			g[ng].bytes = 0;
			ng++;
		}
		g[ng - 1].n++;
		g[ng - 1].bytes += v[i].size;
	}
	sort_leaks = v;
	if (ng > 1)
		qsort(g, ng, sizeof(*g), cmp_group);
	*out = g;
	return ng;
}

static void report_json(FILE *out, const struct di_state *st,
			const struct leak *v, const struct group *g, size_t ng)
{
	size_t i, j;

	fputs("{\"leaks\": [", out);
	for (i = 0; i < ng; i++) {
		const struct tbuf *tb = v[g[i].first].tb;

		fprintf(out, "%s{\"pid\": %d, \"comm\": ", i ? ", " : "",
			(int)tb->pid);
		di_json_string(out, tb->comm);
		fputs(", \"exporter\": ", out);
		di_json_string(out, tb->exporter);
		fprintf(out, ", \"buffers\": %zu, \"bytes\": %" PRIu64
			", \"items\": [", g[i].n, g[i].bytes);
		for (j = g[i].first; j < g[i].first + g[i].n; j++) {
			fprintf(out, "%s{\"inode\": %" PRIu64 ", \"size\": %" PRIu64
				", \"name\": ", j > g[i].first ? ", " : "",
				v[j].tb->ino, v[j].size);
			di_json_string(out, v[j].name);
			fputs(", \"holders\": ", out);
			di_json_string(out, v[j].holders);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("], \"source\": ", out);
	di_json_string(out, st->source ? st->source : "");
	fputs("}\n", out);
}

static const char *leak_cols[] = {
	"PID", "COMM", "EXPORTER", "BUFFERS", "INODE", "SIZE", "NAME", "HOLDERS",
};

/* A row per process and exporter (its totals), then one per buffer. */
static void report_table(FILE *out, const struct di_state *st,
			 const struct leak *v, const struct group *g,
			 size_t ng, size_t nexported)
{
	const char *src = st->source ? st->source : "unknown";
	struct di_table tab;
	uint64_t bytes = 0;
	size_t i, j, n = 0;
	char kib[32];

	for (i = 0; i < ng; i++) {
		bytes += g[i].bytes;
		n += g[i].n;
	}
	fputc('\n', out);
	if (!nexported) {
		fprintf(out, "Leaks: no buffer was exported during the trace.\n");
		return;
	}
	if (!n) {
		fprintf(out, "Leaks: none of the %zu buffers exported during the "
			"trace is still alive (snapshot: %s).\n", nexported, src);
		return;
	}
	kib_text(bytes, kib, sizeof(kib));
	fprintf(out, "Leaks: %zu of the %zu buffers exported during the trace "
		"are still alive, %s KiB (snapshot: %s):\n", n, nexported, kib,
		src);
	di_table_init(&tab, NULL, ARRAY_SIZE(leak_cols), leak_cols);
	for (i = 0; i < ng; i++) {
		const struct tbuf *tb = v[g[i].first].tb;

		di_row_add(&tab);
		di_cell_num(&tab, 0, (uint64_t)tb->pid);
		di_cell_str(&tab, 1, tb->comm);
		di_cell_str(&tab, 2, tb->exporter);
		di_cell_num(&tab, 3, g[i].n);
		di_cell_size(&tab, 5, g[i].bytes);
		for (j = g[i].first; j < g[i].first + g[i].n; j++) {
			di_row_add(&tab);
			di_cell_ino(&tab, 4, v[j].tb->ino);
			di_cell_size(&tab, 5, v[j].size);
			di_cell_str(&tab, 6, v[j].name);
			di_cell_str(&tab, 7, v[j].holders);
		}
	}
	di_render(out, DI_TABLE, &tab, 1);
	di_table_free(&tab);
}

void di_tracer_report(struct di_tracer *t, const struct di_state *st)
{
	struct group *g;
	struct leak *v;
	size_t n, ng, i, nexported = 0;

	for (i = 0; i < t->nbufs; i++)
		nexported += t->bufs[i].exported;
	n = find_leaks(t, st, &v);
	leak_holders(st, v, n);
	ng = make_groups(v, n, &g);
	if (t->fmt == DI_JSON)
		report_json(t->out, st, v, g, ng);
	else
		report_table(t->out, st, v, g, ng, nexported);
	for (i = 0; i < n; i++)
		free(v[i].holders);
	free(v);
	free(g);
}

int di_trace_event(size_t i, int core, const char **system, const char **name)
{
	if (i >= ARRAY_SIZE(ev_defs))
		return -1;
	if (!(ev_defs[i].use & (core ? M_CORE : M_FALLBACK)))
		return 0;
	*system = ev_defs[i].system;
	*name = ev_defs[i].name;
	return 1;
}

int di_tracer_flush(struct di_tracer *t)
{
	return fflush(t->out) != 0 || ferror(t->out) ? -1 : 0;
}

void di_tracer_notes(const struct di_tracer *t)
{
	if (t->rejected)
		fprintf(t->err, DI_NAME ": note: %lu trace lines not understood, "
			"skipped\n", t->rejected);
}
