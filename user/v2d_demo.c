// SPDX-License-Identifier: GPL-2.0
/*
 * v2d_demo: the emulated 2D engine at work on pagebuf buffers.
 *
 * Allocates a scattered source buffer (one page per DMA segment, so the
 * engine maps it through a translation unit) and a contiguous destination
 * (used directly), fills the four quadrants of an 8x4 image in the source
 * with four FILL jobs, rotates it into the destination, waits for the
 * rotation's fence and prints both images, reading them through the
 * buffers' mappings inside DMA_BUF_IOCTL_SYNC brackets.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <dmabuf-lab.h>
#include <uapi/v2d_emu.h>

/* Set from dkms.conf by version.mk. */
#ifndef DMABUF_LAB_VERSION
#error "DMABUF_LAB_VERSION is not defined: build with the Makefile"
#endif

#define W		8
#define H		4
#define STRIDE		64
#define BUF_SIZE	(2 * 4096)

struct image {
	int fd;
	uint32_t handle;
	struct v2d_query q;
	unsigned char *map;
};

static void usage(FILE *out, const char *argv0)
{
	fprintf(out,
		"Usage: %s [--rotation 90|180|270] [--pagebuf DEV] [--v2d DEV]\n"
		"Fill an 8x4 image with the v2d_emu engine, rotate it into a second\n"
		"buffer and print both. Needs pagebuf.ko and v2d_emu.ko loaded.\n"
		"Defaults: --rotation 90 --pagebuf /dev/pagebuf --v2d /dev/v2d_emu\n"
		"  -h, --help     show this help\n"
		"  -V, --version  show the version\n"
		"Exit status: 0 both images printed, 1 failure, 2 usage error.\n",
		argv0);
}

static int fail_with(const char *what, int err)
{
	fprintf(stderr, "v2d_demo: %s: %s\n", what, strerror(err));
	return -1;
}

static int fail(const char *what)
{
	return fail_with(what, errno);
}

/* A buffer of @src, mapped for reading and imported into the engine. */
static int image_alloc(const struct dmabuf_lab_source *src, int v2d, struct image *img)
{
	void *map;
	int ret;

	img->fd = dmabuf_lab_source_alloc(src, BUF_SIZE);
	if (img->fd < 0)
		return fail_with("PAGEBUF_IOC_ALLOC", -img->fd);
	ret = dmabuf_lab_map(img->fd, 0, BUF_SIZE, PROT_READ, &map);
	if (ret < 0)
		return fail_with("mmap", -ret);
	img->map = map;
	ret = dmabuf_lab_v2d_import(v2d, img->fd, &img->handle);
	if (ret < 0)
		return fail_with("V2D_IOC_IMPORT", -ret);
	ret = dmabuf_lab_v2d_query(v2d, img->handle, &img->q);
	if (ret < 0)
		return fail_with("V2D_IOC_QUERY", -ret);
	return 0;
}

static void surface(struct v2d_surface *s, uint32_t handle, uint32_t x,
		    uint32_t y, uint32_t w, uint32_t h)
{
	memset(s, 0, sizeof(*s));
	s->handle = handle;
	s->stride = STRIDE;
	s->x = x;
	s->y = y;
	s->width = w;
	s->height = h;
}

/* Four FILL jobs, one per quadrant; they need no fences of their own. */
static int fill_quadrants(int v2d, uint32_t handle)
{
	static const uint32_t colour[4] = { 0xaaaaaaaa, 0xbbbbbbbb,
					    0xcccccccc, 0xdddddddd };
	int i;

	for (i = 0; i < 4; i++) {
		struct v2d_submit req = {
			.op = V2D_OP_FILL, .cpp = 4, .value = colour[i],
		};

		int ret;

		surface(&req.dst, handle, (i % 2) * W / 2, (i / 2) * H / 2,
			W / 2, H / 2);
		ret = dmabuf_lab_v2d_submit(v2d, &req);
		if (ret < 0)
			return fail_with("V2D_IOC_SUBMIT (fill)", -ret);
	}
	return 0;
}

/* Rotate and wait for the job's fence; the job waits for the fills. */
static int rotate(int v2d, uint32_t src, uint32_t dst, uint32_t degrees)
{
	struct v2d_submit req = {
		.op = V2D_OP_ROTATE, .cpp = 4, .rotation = degrees,
		.flags = V2D_SUBMIT_OUT_FENCE,
	};
	int ret;

	surface(&req.src, src, 0, 0, W, H);
	if (degrees == 180)
		surface(&req.dst, dst, 0, 0, W, H);
	else
		surface(&req.dst, dst, 0, 0, H, W);
	ret = dmabuf_lab_v2d_submit(v2d, &req);
	if (ret < 0)
		return fail_with("V2D_IOC_SUBMIT (rotate)", -ret);

	ret = dmabuf_lab_fence_wait(req.out_fence_fd, 10000);
	close(req.out_fence_fd);
	if (ret < 0)
		return fail_with("poll", -ret);
	if (ret == 0) {
		fprintf(stderr, "v2d_demo: the rotation did not finish in 10 s\n");
		return -1;
	}
	printf("rotation job %llu done\n", (unsigned long long)req.seqno);
	return 0;
}

/* The images are only read: the bracket is a read one. */
static int sync_buf(int fd, int begin)
{
	int ret = begin ? dmabuf_lab_begin_cpu(fd, DMABUF_LAB_CPU_READ) :
			  dmabuf_lab_end_cpu(fd, DMABUF_LAB_CPU_READ);

	return ret < 0 ? fail_with("DMA_BUF_IOCTL_SYNC", -ret) : 0;
}

/* One hex digit per pixel: the low nibble of its first byte. */
static int print_image(const char *title, struct image *img, int w, int h)
{
	int x, y;

	printf("%s (%s path, %u DMA segments):\n", title,
	       img->q.path == V2D_PATH_IOMMU ? "IOMMU" : "direct",
	       img->q.nr_segments);
	if (sync_buf(img->fd, 1))
		return -1;
	for (y = 0; y < h; y++) {
		printf("  ");
		for (x = 0; x < w; x++)
			printf("%x", img->map[y * STRIDE + x * 4] & 0xf);
		printf("\n");
	}
	return sync_buf(img->fd, 0);
}

/* One pagebuf source of @spec on the device @path; NULL and a message if it cannot open. */
static struct dmabuf_lab_source *open_source(const char *spec, const char *path)
{
	struct dmabuf_lab_source *src;
	int ret = dmabuf_lab_source_open(&src, spec, path, NULL, 0);

	if (ret < 0) {
		fail_with(path, -ret);
		return NULL;
	}
	return src;
}

static int run(const char *pb_path, const char *v2d_path, uint32_t degrees)
{
	struct image src = { .fd = -1, .map = MAP_FAILED };
	struct image dst = { .fd = -1, .map = MAP_FAILED };
	struct dmabuf_lab_source *scattered, *contig = NULL;
	int v2d = -1, ret = -1;
	int dw = degrees == 180 ? W : H, dh = degrees == 180 ? H : W;

	/* The source scattered (the engine maps it), the destination in one block. */
	scattered = open_source("pagebuf:order0", pb_path);
	if (!scattered)
		return -1;
	contig = open_source("pagebuf:contig", pb_path);
	if (!contig)
		goto out;
	v2d = open(v2d_path, O_RDWR | O_CLOEXEC);
	if (v2d < 0) {
		fail(v2d_path);
		goto out;
	}

	if (image_alloc(scattered, v2d, &src) || image_alloc(contig, v2d, &dst))
		goto out;
	if (print_image("destination before", &dst, dw, dh) ||
	    fill_quadrants(v2d, src.handle) ||
	    rotate(v2d, src.handle, dst.handle, degrees) ||
	    print_image("source, filled by the engine", &src, W, H))
		goto out;
	printf("rotated by %u degrees clockwise:\n", degrees);
	if (print_image("destination after", &dst, dw, dh))
		goto out;
	ret = 0;
out:
	if (dst.map != MAP_FAILED)
		dmabuf_lab_unmap(dst.map, BUF_SIZE);
	if (src.map != MAP_FAILED)
		dmabuf_lab_unmap(src.map, BUF_SIZE);
	if (dst.fd >= 0)
		close(dst.fd);
	if (src.fd >= 0)
		close(src.fd);
	/* Closing the engine's file drops its imports. */
	if (v2d >= 0)
		close(v2d);
	dmabuf_lab_source_close(contig);
	dmabuf_lab_source_close(scattered);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rotation", required_argument, NULL, 'r' },
		{ "pagebuf", required_argument, NULL, 'p' },
		{ "v2d", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *pb_path = "/dev/pagebuf", *v2d_path = "/dev/v2d_emu";
	uint64_t degrees = 90;
	int c;

	while ((c = getopt_long(argc, argv, "r:p:v:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (dmabuf_lab_parse_u64(optarg, 90, 270, &degrees) ||
			    degrees % 90) {
				fprintf(stderr, "%s: --rotation: 90, 180 or 270, not '%s'\n",
					argv[0], optarg);
				return 2;
			}
			break;
		case 'p':
			pb_path = optarg;
			break;
		case 'v':
			v2d_path = optarg;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		case 'V':
			printf("v2d_demo %s\n", DMABUF_LAB_VERSION);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr, argv[0]);
		return 2;
	}
	return run(pb_path, v2d_path, degrees) ? 1 : 0;
}
