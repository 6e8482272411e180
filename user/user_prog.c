// SPDX-License-Identifier: GPL-2.0
/*
 * user_prog - the classic pagebuf demo.
 *
 * Opens /dev/pagebuf (or the device node given as argument), asks for the
 * demo buffer's dma-buf fd with PAGEBUF_IOC_CLASSIC_GET_FD, maps its page,
 * prints the text the page holds, writes "Hello from user space!" into it
 * and reads it back. With --hold it then keeps the fd and the mapping until
 * SIGTERM or SIGINT arrives (the device itself is closed), so that a test can try to unload the module
 * while the buffer is in use.
 *
 * Exit status: 0 when the round trip was verified, 1 on any failure,
 * 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dmabuf-lab.h>
#include <uapi/pagebuf.h>

/* Set from dkms.conf by version.mk. */
#ifndef DMABUF_LAB_VERSION
#error "DMABUF_LAB_VERSION is not defined: build with the Makefile"
#endif

#define DEFAULT_DEVICE	"/dev/pagebuf"
#define USER_TEXT	"Hello from user space!"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [--hold] [DEVICE]\n"
		"\n"
		"Round trip through the pagebuf demo buffer: get its dma-buf fd from\n"
		"DEVICE (default " DEFAULT_DEVICE ") with PAGEBUF_IOC_CLASSIC_GET_FD,\n"
		"mmap it, print its text, write \"" USER_TEXT "\" and read it back.\n"
		"\n"
		"  --hold    after the round trip keep the fd and the mapping until\n"
		"            SIGTERM or SIGINT (prints \"holding\" when ready)\n"
		"  --help    show this help\n"
		"  --version show the version\n"
		"\n"
		"Exit status: 0 verified, 1 failure, 2 usage error.\n", prog);
}

/* One half of the CPU-access bracket (@begin or not), failures reported as @what. */
static int cpu_access(int fd, int begin, unsigned int dir, const char *what)
{
	int ret = begin ? dmabuf_lab_begin_cpu(fd, dir) : dmabuf_lab_end_cpu(fd, dir);

	if (ret < 0) {
		fprintf(stderr, "DMA_BUF_IOCTL_SYNC (%s) failed: %s\n", what, strerror(-ret));
		return -1;
	}
	return 0;
}

/* Copy the NUL-terminated text at the start of the page (at most len-1). */
static void copy_text(char *dst, size_t len, const char *page, size_t page_size)
{
	size_t n = strnlen(page, page_size);

	if (n >= len)
		n = len - 1;
	memcpy(dst, page, n);
	dst[n] = '\0';
}

static int hold_until_signal(void)
{
	struct sigaction sa;
	sigset_t block, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0) {
		fprintf(stderr, "sigaction failed: %s\n", strerror(errno));
		return -1;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigprocmask(SIG_BLOCK, &block, &old) < 0) {
		fprintf(stderr, "sigprocmask failed: %s\n", strerror(errno));
		return -1;
	}
	printf("holding\n");
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "writing to stdout failed: %s\n", strerror(errno));
		return -1;
	}
	while (!stop_requested)
		sigsuspend(&old);
	if (sigprocmask(SIG_SETMASK, &old, NULL) < 0) {
		fprintf(stderr, "sigprocmask failed: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

struct options {
	const char *device;
	int hold;
};

/* The command line into @o: -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	int i, have_device = 0;

	o->device = DEFAULT_DEVICE;
	o->hold = 0;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout, argv[0]);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("user_prog %s\n", DMABUF_LAB_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--hold")) {
			o->hold = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "%s: unknown option '%s'\n", argv[0], argv[i]);
			usage(stderr, argv[0]);
			return 2;
		} else if (have_device) {
			fprintf(stderr, "%s: only one device may be given\n", argv[0]);
			usage(stderr, argv[0]);
			return 2;
		} else {
			o->device = argv[i];
			have_device = 1;
		}
	}
	return -1;
}

/* The demo buffer: the device it came from, its fd and its page, mapped. */
struct classic {
	const char *device;
	int dev_fd, buf_fd;
	size_t page;
	char *map;
};

/* Get the demo buffer's fd from the device and map its page. 0 or -1. */
static int classic_open(struct classic *c)
{
	void *map;
	int ret;

	c->dev_fd = open(c->device, O_RDWR | O_CLOEXEC);
	if (c->dev_fd < 0) {
		fprintf(stderr, "open %s failed: %s\n", c->device, strerror(errno));
		return -1;
	}
	if (ioctl(c->dev_fd, PAGEBUF_IOC_CLASSIC_GET_FD, &c->buf_fd) < 0) {
		fprintf(stderr, "PAGEBUF_IOC_CLASSIC_GET_FD on %s failed: %s\n",
			c->device, strerror(errno));
		c->buf_fd = -1;
		return -1;
	}
	if (c->buf_fd < 0) {
		fprintf(stderr, "PAGEBUF_IOC_CLASSIC_GET_FD returned fd %d\n", c->buf_fd);
		c->buf_fd = -1;
		return -1;
	}
	ret = dmabuf_lab_map(c->buf_fd, 0, c->page, PROT_READ | PROT_WRITE, &map);
	if (ret < 0) {
		fprintf(stderr, "mmap of the dma-buf failed: %s\n", strerror(-ret));
		return -1;
	}
	c->map = map;
	return 0;
}

/* The page's text, read inside a read bracket. 0 or -1. */
static int read_text(const struct classic *c, char *text, size_t len)
{
	if (cpu_access(c->buf_fd, 1, DMABUF_LAB_CPU_READ, "start read"))
		return -1;
	copy_text(text, len, c->map, c->page);
	return cpu_access(c->buf_fd, 0, DMABUF_LAB_CPU_READ, "end read");
}

/* @s with its NUL at the start of the page, inside a write bracket. 0 or -1. */
static int write_text(const struct classic *c, const char *s)
{
	if (cpu_access(c->buf_fd, 1, DMABUF_LAB_CPU_WRITE, "start write"))
		return -1;
	memcpy(c->map, s, strlen(s) + 1);
	return cpu_access(c->buf_fd, 0, DMABUF_LAB_CPU_WRITE, "end write");
}

/* Print the kernel's text, write ours, read it back and compare. 0 or -1. */
static int round_trip(const struct classic *c)
{
	char text[256];

	if (read_text(c, text, sizeof(text)))
		return -1;
	printf("DMA-BUF: %s\n", text);
	if (write_text(c, USER_TEXT))
		return -1;
	printf("Wrote: %s\n", USER_TEXT);
	if (read_text(c, text, sizeof(text)))
		return -1;
	printf("Read back: %s\n", text);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "writing to stdout failed: %s\n", strerror(errno));
		return -1;
	}
	if (strcmp(text, USER_TEXT) != 0) {
		fprintf(stderr, "round trip mismatch: wrote \"%s\", read \"%s\"\n",
			USER_TEXT, text);
		return -1;
	}
	return 0;
}

/* Keep only the dma-buf fd and its mapping (the device is closed) until a signal. */
static int hold(struct classic *c)
{
	int ret = close(c->dev_fd);

	c->dev_fd = -1;
	if (ret < 0) {
		fprintf(stderr, "close %s failed: %s\n", c->device, strerror(errno));
		return -1;
	}
	return hold_until_signal();
}

/* Unmap and close what is open; -1 if any of it failed. */
static int classic_close(struct classic *c)
{
	int status = 0, ret;

	if (c->map) {
		ret = dmabuf_lab_unmap(c->map, c->page);
		if (ret < 0) {
			fprintf(stderr, "munmap failed: %s\n", strerror(-ret));
			status = -1;
		}
	}
	if (c->buf_fd >= 0 && close(c->buf_fd) < 0) {
		fprintf(stderr, "close of the dma-buf fd failed: %s\n", strerror(errno));
		status = -1;
	}
	if (c->dev_fd >= 0 && close(c->dev_fd) < 0) {
		fprintf(stderr, "close %s failed: %s\n", c->device, strerror(errno));
		status = -1;
	}
	return status;
}

int main(int argc, char **argv)
{
	struct classic c = { .dev_fd = -1, .buf_fd = -1 };
	struct options o;
	long page_size;
	int status;

	status = parse_args(argc, argv, &o);
	if (status >= 0)
		return status;
	page_size = sysconf(_SC_PAGESIZE);
	if (page_size <= 0) {
		fprintf(stderr, "sysconf(_SC_PAGESIZE) failed: %s\n", strerror(errno));
		return 1;
	}
	c.device = o.device;
	c.page = (size_t)page_size;
	status = classic_open(&c) || round_trip(&c) || (o.hold && hold(&c)) ? 1 : 0;
	if (classic_close(&c))
		status = 1;
	return status;
}
