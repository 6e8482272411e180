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

#include <linux/dma-buf.h>
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

static int dmabuf_sync(int fd, __u64 flags, const char *what)
{
	struct dma_buf_sync sync = { .flags = flags };
	int ret;

	do {
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	if (ret < 0) {
		fprintf(stderr, "DMA_BUF_IOCTL_SYNC (%s) failed: %s\n", what,
			strerror(errno));
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

int main(int argc, char **argv)
{
	const char *device = DEFAULT_DEVICE;
	char text[256];
	int hold = 0, have_device = 0;
	int dev_fd = -1, buf_fd = -1;
	long page_size;
	char *map = MAP_FAILED;
	int status = 1;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout, argv[0]);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("user_prog %s\n", DMABUF_LAB_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--hold")) {
			hold = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "%s: unknown option '%s'\n", argv[0], argv[i]);
			usage(stderr, argv[0]);
			return 2;
		} else if (have_device) {
			fprintf(stderr, "%s: only one device may be given\n", argv[0]);
			usage(stderr, argv[0]);
			return 2;
		} else {
			device = argv[i];
			have_device = 1;
		}
	}

	page_size = sysconf(_SC_PAGESIZE);
	if (page_size <= 0) {
		fprintf(stderr, "sysconf(_SC_PAGESIZE) failed: %s\n", strerror(errno));
		return 1;
	}

	dev_fd = open(device, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0) {
		fprintf(stderr, "open %s failed: %s\n", device, strerror(errno));
		return 1;
	}

	if (ioctl(dev_fd, PAGEBUF_IOC_CLASSIC_GET_FD, &buf_fd) < 0) {
		fprintf(stderr, "PAGEBUF_IOC_CLASSIC_GET_FD on %s failed: %s\n",
			device, strerror(errno));
		goto out;
	}
	if (buf_fd < 0) {
		fprintf(stderr, "PAGEBUF_IOC_CLASSIC_GET_FD returned fd %d\n", buf_fd);
		buf_fd = -1;
		goto out;
	}

	map = mmap(NULL, (size_t)page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   buf_fd, 0);
	if (map == MAP_FAILED) {
		fprintf(stderr, "mmap of the dma-buf failed: %s\n", strerror(errno));
		goto out;
	}

	/* Read what is there now. */
	if (dmabuf_sync(buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, "start read"))
		goto out;
	copy_text(text, sizeof(text), map, (size_t)page_size);
	if (dmabuf_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, "end read"))
		goto out;
	printf("DMA-BUF: %s\n", text);

	/* Write our text, with its NUL. */
	if (dmabuf_sync(buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, "start write"))
		goto out;
	memcpy(map, USER_TEXT, sizeof(USER_TEXT));
	if (dmabuf_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, "end write"))
		goto out;
	printf("Wrote: %s\n", USER_TEXT);

	/* And read it back. */
	if (dmabuf_sync(buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, "start read"))
		goto out;
	copy_text(text, sizeof(text), map, (size_t)page_size);
	if (dmabuf_sync(buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, "end read"))
		goto out;
	printf("Read back: %s\n", text);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "writing to stdout failed: %s\n", strerror(errno));
		goto out;
	}

	if (strcmp(text, USER_TEXT) != 0) {
		fprintf(stderr, "round trip mismatch: wrote \"%s\", read \"%s\"\n",
			USER_TEXT, text);
		goto out;
	}

	if (hold) {
		/* Only the dma-buf fd and its mapping stay: the device is closed. */
		if (close(dev_fd) < 0) {
			fprintf(stderr, "close %s failed: %s\n", device, strerror(errno));
			dev_fd = -1;
			goto out;
		}
		dev_fd = -1;
		if (hold_until_signal())
			goto out;
	}

	status = 0;
out:
	if (map != MAP_FAILED && munmap(map, (size_t)page_size) < 0) {
		fprintf(stderr, "munmap failed: %s\n", strerror(errno));
		status = 1;
	}
	if (buf_fd >= 0 && close(buf_fd) < 0) {
		fprintf(stderr, "close of the dma-buf fd failed: %s\n", strerror(errno));
		status = 1;
	}
	if (dev_fd >= 0 && close(dev_fd) < 0) {
		fprintf(stderr, "close %s failed: %s\n", device, strerror(errno));
		status = 1;
	}
	return status;
}
