// SPDX-License-Identifier: GPL-2.0
/*
 * The engine: the hardware model that runs one job's operation (FILL,
 * COPY, ROTATE) through the device addresses of its buffers. Scheduling,
 * fences and lifetimes are job.c's; nothing here calls back into it.
 *
 * Memory access: the engine emits device addresses only. On the IOMMU
 * path they are translated by the buffer's unit; the resulting DMA
 * address is, on this platform (see v2d_emu.h), the physical address the
 * device would reach, and the engine reads or writes that page. With
 * swiotlb the page is the bounce slot, and the data reaches the buffer's
 * own pages only through a sync for the CPU, as with real hardware. A
 * non-coherent engine (coherency=non-coherent, or a platform device on
 * arm64) reaches the same pages through a non-cacheable
 * mapping made at import, so that its writes are in memory and its reads
 * come from memory, whatever the CPU's caches hold.
 *
 * Runs: an access reaches as many bytes at once as lie contiguous for the
 * device (the direct path's whole mapping, or as many pages as its IOMMU
 * entries map one after the other), so that the translation, the checks
 * and the mapping are paid once per run, not once per page.
 *
 * Stopping: the engine looks at the job's stop flag before every step
 * (V2D_STEP bytes of a row for FILL and COPY, or of all the rows of a
 * packed surface, which they take as one range; a tile of pixels for
 * ROTATE) and
 * lets the CPU go to others there, so that even a single row of millions
 * of pixels is stopped within a step of the watchdog firing. An operation
 * that ran to its end reports success even if the flag was raised during
 * its last step: its output is complete.
 */
#include <linux/dma-mapping.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/pfn.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "compat.h"
#include "v2d_emu.h"

/*
 * FILL and COPY move a row a run at a time, and look at the stop flag
 * every V2D_STEP bytes (well under a millisecond of work); ROTATE every
 * tile (below). V2D_CHUNK is the size of FILL's pattern. All are
 * multiples of every pixel size.
 */
#define V2D_STEP	SZ_64K
#define V2D_CHUNK	256

/* ---- memory access ---------------------------------------------------- */

/* The mapping the job was submitted with, of its source or destination. */
static const struct v2d_place *v2d_place_of(const struct v2d_job *job,
					    const struct v2d_buffer *buf)
{
	return buf == job->dst ? job->dst_place : job->src_place;
}

/*
 * The DMA address the device reaches for byte @off of @buf, and in *@run
 * how many of the @max bytes from there are contiguous for the device.
 * The engine's accesses @report a failure (a fault, a bus error); the
 * syncs after the job look up the same addresses again and stay quiet.
 */
static int v2d_xlate_dma(struct v2d_job *job, struct v2d_buffer *buf, u64 off,
			 u64 max, dma_addr_t *dma, u64 *run, bool report)
{
	const struct v2d_place *p = v2d_place_of(job, buf);
	u64 addr = p->addr + off;

	*dma = addr;
	*run = max;
	if (p->path == V2D_PATH_IOMMU &&
	    v2d_iommu_translate_run(p->unit, addr, max, dma, run)) {
		if (!report)
			return -EIO;
		atomic64_inc(&v2d_counters.faults);
		dev_err_ratelimited(v2d_dma_dev,
				    "translation fault: unit %u, IOVA %#llx, handle %u (job %llu:%llu)\n",
				    p->unit, addr, buf->handle,
				    job->fence->base.context,
				    job->fence->base.seqno);
		return -EIO;
	}
	/*
	 * dma-direct without an IOMMU: the DMA address is physical. The
	 * engine drives only dma_bits address lines: past its mask it cannot
	 * reach the page at all (a mapping that did not bounce it is a bug).
	 */
	if (*dma + *run - 1 > dma_get_mask(v2d_dma_dev) ||
	    !pfn_valid(PHYS_PFN(*dma)) || !pfn_valid(PHYS_PFN(*dma + *run - 1))) {
		if (!report)
			return -EIO;
		dev_err_ratelimited(v2d_dma_dev,
				    "bus error: DMA address %pad, handle %u\n",
				    dma, buf->handle);
		return -EIO;
	}
	return 0;
}

/*
 * Translate and map the run of @buf at byte @off: at most @len bytes.
 * Returns its kernel address, with its length in *@n and in *@page what
 * v2d_unmap() takes back, or an ERR_PTR on a fault. A non-coherent
 * engine's mapping, made at import, covers the whole buffer (*@page is
 * NULL); so does the kernel's linear map, in which pages contiguous for
 * the device are contiguous too, unless highmem pages must be mapped
 * one at a time.
 */
static void *v2d_map_run(struct v2d_job *job, struct v2d_buffer *buf,
			 u64 off, u64 len, size_t *n, void **page)
{
	dma_addr_t dma;
	u64 run;
	int ret;

	ret = v2d_xlate_dma(job, buf, off, len, &dma, &run, true);
	if (ret)
		return ERR_PTR(ret);
	*n = run;
	*page = NULL;
	/* Non-coherent: past the caches, straight to memory. */
	if (v2d_place_of(job, buf)->nc)
		return v2d_place_of(job, buf)->nc + off;
	if (!IS_ENABLED(CONFIG_HIGHMEM))
		return page_address(pfn_to_page(PHYS_PFN(dma))) + offset_in_page(dma);
	*n = min_t(u64, run, PAGE_SIZE - offset_in_page(dma));
	*page = compat_kmap_local_page(pfn_to_page(PHYS_PFN(dma)));
	return *page + offset_in_page(dma);
}

static void v2d_unmap(void *page)
{
	if (page)
		compat_kunmap_local(page);
}

static int v2d_access(struct v2d_job *job, struct v2d_buffer *buf, u64 off,
		      void *data, size_t len, bool write)
{
	while (len) {
		void *page, *va;
		size_t n;

		va = v2d_map_run(job, buf, off, len, &n, &page);
		if (IS_ERR(va))
			return PTR_ERR(va);
		if (write)
			memcpy(va, data, n);
		else
			memcpy(data, va, n);
		v2d_unmap(page);
		data += n;
		off += n;
		len -= n;
	}
	return 0;
}

static int v2d_read(struct v2d_job *job, struct v2d_buffer *buf, u64 off,
		    void *to, size_t len)
{
	return v2d_access(job, buf, off, to, len, false);
}

static int v2d_write(struct v2d_job *job, struct v2d_buffer *buf, u64 off,
		     const void *from, size_t len)
{
	return v2d_access(job, buf, off, (void *)from, len, true);
}

/* Byte offset of pixel (@col, @row) of surface @s. */
static u64 v2d_pixel(const struct v2d_surface *s, u32 cpp, u32 col, u32 row)
{
	return s->offset + (u64)(s->y + row) * s->stride +
	       (u64)(s->x + col) * cpp;
}

/*
 * Between two steps: yield the CPU, and say why the job must stop. A
 * debug_step_delay_us makes the engine slow on purpose, so that tests
 * can act while a job runs whatever the CPU's speed. A job whose fence
 * has a deadline runs at full speed, as a GPU driver raises its clocks
 * for a waiter's deadline: the delay is skipped.
 */
static int v2d_engine_yield(struct v2d_job *job)
{
	unsigned int us = min(READ_ONCE(v2d_debug_step_delay_us), 10000U);

	if (us && !v2d_fence_deadline(job->fence))
		usleep_range(us, us + us / 4);
	else
		cond_resched();
	return v2d_job_stopping(job);
}

/* ---- operations ------------------------------------------------------- */

/*
 * Write @len bytes of the pixel @pattern (V2D_CHUNK bytes of whole
 * pixels) at @va, starting @phase bytes into a pixel. Every pixel size
 * divides 8, so from an 8-byte boundary on the pattern is one u64 stored
 * over and over: memset32() and memset16() store 4 or 2 bytes at a time
 * (lib/string.c on arm64 and riscv64; x86's rep stos is slow where the
 * CPU is emulated), and a pattern of one repeated byte is memset()'s.
 */
static void v2d_fill_bytes(u8 *va, size_t len, const u8 *pattern, u32 cpp,
			   u64 phase)
{
	size_t head, i, words;
	u64 v, *p;

	phase %= cpp;
	head = min_t(size_t, len, PTR_ALIGN(va, 8) - va);
	for (i = 0; i < head; i++)
		va[i] = pattern[(phase + i) % cpp];
	va += head;
	len -= head;
	phase = (phase + head) % cpp;

	memcpy(&v, pattern + phase, sizeof(v));
	words = len / 8;
	if (v == 0x0101010101010101ULL * (u8)v) {
		memset(va, (u8)v, words * 8);
	} else {
		p = (u64 *)va;
		for (i = 0; i + 4 <= words; i += 4) {
			p[i] = v;
			p[i + 1] = v;
			p[i + 2] = v;
			p[i + 3] = v;
		}
		for (; i < words; i++)
			p[i] = v;
	}
	for (i = words * 8; i < len; i++)
		va[i] = pattern[(phase + i) % cpp];
}

/* FILL [@off, @off + @len) of @buf, a run of a row @phase bytes in. */
static int v2d_fill_range(struct v2d_job *job, struct v2d_buffer *buf,
			  u64 off, u64 len, const u8 *pattern, u64 phase)
{
	while (len) {
		void *page, *va;
		size_t n;

		va = v2d_map_run(job, buf, off, len, &n, &page);
		if (IS_ERR(va))
			return PTR_ERR(va);
		v2d_fill_bytes(va, n, pattern, job->req.cpp, phase);
		v2d_unmap(page);
		off += n;
		phase += n;
		len -= n;
	}
	return 0;
}

/* COPY @len bytes from @soff of the source to @doff of the destination. */
static int v2d_copy_range(struct v2d_job *job, u64 soff, u64 doff, u64 len)
{
	while (len) {
		void *spage, *dpage, *sva, *dva;
		size_t n;

		sva = v2d_map_run(job, job->src, soff, len, &n, &spage);
		if (IS_ERR(sva))
			return PTR_ERR(sva);
		/* No further than the source's run: n only shrinks. */
		dva = v2d_map_run(job, job->dst, doff, n, &n, &dpage);
		if (IS_ERR(dva)) {
			v2d_unmap(spage);
			return PTR_ERR(dva);
		}
		memcpy(dva, sva, n);
		v2d_unmap(dpage);
		v2d_unmap(spage);
		soff += n;
		doff += n;
		len -= n;
	}
	return 0;
}

/*
 * Whether each row of @s, @len bytes, ends where the next begins (a
 * packed surface, as most frames are): FILL and COPY then take all the
 * rows as one range, so that the per-row costs (a translation, a look at
 * the stop flag, a partial pattern) are paid once a step, not once a row.
 */
static bool v2d_rows_touch(const struct v2d_surface *s, u64 len)
{
	return s->stride == len;
}

/*
 * The engine is about to write the first @bytes of the range of rows
 * from @row on, each @len bytes: those rows, the last maybe in part,
 * are what the syncs after the job must cover.
 */
static void v2d_reach_rows(struct v2d_job *job, u32 row, u64 bytes, u64 len)
{
	job->rows_reached = row + div64_u64(bytes + len - 1, len);
}

static int v2d_op_fill(struct v2d_job *job)
{
	const struct v2d_surface *d = &job->req.dst;
	u32 cpp = job->req.cpp, row, rows;
	u64 len = (u64)d->width * cpp;
	u8 pattern[V2D_CHUNK];
	size_t i;
	int ret;

	/* Pixels are little endian: byte i of a pixel is byte i of value. */
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = job->req.value >> (8 * (i % cpp));

	rows = v2d_rows_touch(d, len) ? d->height : 1;
	for (row = 0; row < d->height; row += rows) {
		u64 off = v2d_pixel(d, cpp, 0, row), all = len * rows, done, n;

		for (done = 0; done < all; done += n) {
			n = min_t(u64, all - done, V2D_STEP);
			v2d_reach_rows(job, row, done + n, len);
			ret = v2d_engine_yield(job);
			if (!ret)
				ret = v2d_fill_range(job, job->dst, off + done,
						     n, pattern, done);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int v2d_op_copy(struct v2d_job *job)
{
	const struct v2d_surface *s = &job->req.src, *d = &job->req.dst;
	u32 cpp = job->req.cpp, row, rows;
	u64 len = (u64)d->width * cpp;
	int ret;

	rows = v2d_rows_touch(s, len) && v2d_rows_touch(d, len) ? d->height : 1;
	for (row = 0; row < d->height; row += rows) {
		u64 so = v2d_pixel(s, cpp, 0, row), all = len * rows, n;
		u64 dof = v2d_pixel(d, cpp, 0, row), done;

		for (done = 0; done < all; done += n) {
			n = min_t(u64, all - done, V2D_STEP);
			v2d_reach_rows(job, row, done + n, len);
			ret = v2d_engine_yield(job);
			if (!ret)
				ret = v2d_copy_range(job, so + done, dof + done, n);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * ROTATE moves square tiles of V2D_TILE x V2D_TILE pixels (4 KiB, which
 * stays in the L1 cache). Where every row of a source tile and of its
 * rotated tile is one run of its buffer in the linear map (or the
 * non-coherent mapping), and 4-byte aligned, the pixels move straight
 * from one buffer to the other, each loop written for its angle: one
 * load and one store a pixel, as a CPU's own tiled rotate. Otherwise
 * (highmem, a row that crosses a gap in the IOMMU's entries, an odd
 * offset) every source row is read into v2d_tile and every rotated row
 * gathered from it. One tile buffer serves the engine: its jobs run one
 * at a time, on an ordered workqueue (main.c).
 */
#define V2D_TILE	32

static u32 v2d_tile[V2D_TILE][V2D_TILE];

/* Pixel @x of row @k of the rotated @tw x @th tile, from v2d_tile. */
static u32 v2d_rotated(u32 deg, u32 tw, u32 th, u32 k, u32 x)
{
	switch (deg) {
	case 90:
		return v2d_tile[th - 1 - x][k];
	case 180:
		return v2d_tile[th - 1 - k][tw - 1 - x];
	default:	/* 270 */
		return v2d_tile[x][tw - 1 - k];
	}
}

/*
 * The page each row of a tile lies in, for the source [0] and the
 * destination [1], remembered from one tile to the next along a row of
 * tiles: the next tile's rows lie in the same pages, V2D_TILE pixels
 * further on, so a row of tiles translates each page once rather than
 * once a tile. Valid for one job, whose imports keep their mappings
 * while it runs; v2d_op_rotate() forgets them.
 */
struct v2d_row_page {
	const struct v2d_buffer *buf;
	u64 off;		/* the page's offset in the buffer */
	u8 *va;			/* its kernel address */
};

static struct v2d_row_page v2d_row_pages[2][V2D_TILE];

/*
 * The last run translated for each side, as a device's IOTLB keeps it:
 * the next tile along a row of tiles lies in it, a few pixels on, and
 * takes its rows from it without walking the IOMMU's entries again. Only
 * runs in the linear map (or the non-coherent mapping), which need no
 * mapping undone. Valid for one job, as v2d_row_pages.
 */
struct v2d_run {
	const struct v2d_buffer *buf;
	u64 off;		/* the run's first byte in the buffer */
	u64 len;		/* its bytes, 0: none */
	u8 *va;			/* its kernel address */
	bool gap;		/* what follows it is not contiguous with it */
};

static struct v2d_run v2d_runs[2];

/*
 * The kernel address of [@off, @off + @span) of @buf where those bytes
 * lie in one run that needs no mapping undone, else NULL (or a fault's
 * ERR_PTR). The run is translated up to @reach bytes (at least @span:
 * what the next tiles on this side will touch) and remembered in *@run.
 */
static u8 *v2d_tile_run(struct v2d_job *job, struct v2d_buffer *buf,
			struct v2d_run *run, u64 off, u64 span, u64 reach)
{
	void *page;
	size_t n;
	u8 *p;

	if (run->buf == buf && off >= run->off && off - run->off < run->len) {
		if (span <= run->len - (off - run->off))
			return run->va + (off - run->off);
		/* The tile crosses the gap the run ends at, as the last did. */
		if (run->gap)
			return NULL;
	}
	p = v2d_map_run(job, buf, off, reach, &n, &page);
	if (IS_ERR(p))
		return p;
	if (page) {
		v2d_unmap(page);
		*run = (struct v2d_run){};
		return NULL;
	}
	*run = (struct v2d_run){ buf, off, n, p, n < reach };
	return n >= span ? p : NULL;
}

/* How v2d_tile_rows() found a tile's rows. */
enum v2d_rows {
	V2D_ROWS_RUN,	/* in one run, a stride apart: only va[0] is set */
	V2D_ROWS_EACH,	/* each row in a run of its own: va[i] is row i */
	V2D_ROWS_SLOW,	/* a row is not one run: through v2d_tile */
};

/*
 * The @rows rows of @len bytes from pixel (@c0, @r0) of @s in @buf, as
 * kernel addresses in @va that need no mapping undone: an enum v2d_rows,
 * or a fault's error. @side selects the run and the pages remembered;
 * @reach is how far from the tile's first byte the next tiles on this
 * side reach (at least the tile's own span).
 */
static int v2d_tile_rows(struct v2d_job *job, struct v2d_buffer *buf,
			 const struct v2d_surface *s, unsigned int side,
			 u32 c0, u32 r0, u32 len, u32 rows, u64 reach,
			 u32 **va)
{
	struct v2d_row_page *rp = v2d_row_pages[side];
	u64 off, in, span;
	void *page;
	u8 *p;
	size_t n;
	u32 i;

	/*
	 * All the rows at once where they lie in one run (one chunk, or
	 * pages the IOMMU maps one after the other): one translation for
	 * the whole tile, or none where the run of the tile before holds it.
	 */
	off = v2d_pixel(s, 4, c0, r0);
	span = (u64)(rows - 1) * s->stride + len;
	p = v2d_tile_run(job, buf, &v2d_runs[side], off, span,
			 max(span, reach));
	if (IS_ERR(p))
		return PTR_ERR(p);
	if (p && IS_ALIGNED((unsigned long)p | s->stride, 4)) {
		va[0] = (u32 *)p;
		return V2D_ROWS_RUN;
	}

	for (i = 0; i < rows; i++) {
		off = v2d_pixel(s, 4, c0, r0 + i);
		in = offset_in_page(off);
		if (rp[i].buf == buf && rp[i].off == off - in &&
		    in + len <= PAGE_SIZE) {
			va[i] = (u32 *)(rp[i].va + in);
			continue;
		}
		p = v2d_map_run(job, buf, off, len, &n, &page);
		if (IS_ERR(p))
			return PTR_ERR(p);
		if (page || n < len || !IS_ALIGNED((unsigned long)p, 4)) {
			v2d_unmap(page);
			return V2D_ROWS_SLOW;
		}
		va[i] = (u32 *)p;
		/*
		 * Buffers are whole pages, and the linear map (or the
		 * non-coherent mapping) maps each of them whole, where the
		 * row's offset in its page is the same on both sides.
		 */
		if (offset_in_page(p) == in)
			rp[i] = (struct v2d_row_page){ buf, off - in, p - in };
	}
	return V2D_ROWS_EACH;
}

/* The row addresses of a V2D_ROWS_RUN tile, for v2d_rotate_direct(). */
static void v2d_rows_of_run(u32 **va, u32 rows, u32 stride)
{
	u32 i;

	for (i = 1; i < rows; i++)
		va[i] = (u32 *)((u8 *)va[0] + (size_t)i * stride);
}

/*
 * Rotate the @tw x @th tile from @src (rows @ss pixels apart) into @dst
 * (rows @ds pixels apart): one load and one store a pixel.
 */
static void v2d_rotate_strided(u32 deg, const u32 *src, size_t ss, u32 *dst,
			       size_t ds, u32 tw, u32 th)
{
	const u32 *p;
	u32 k, x;

	switch (deg) {
	case 90:
		/*
		 * Up the source's column k by a pointer: indexed by
		 * (th - 1 - x) * ss, which is u32 arithmetic widened, gcc
		 * multiplies at every pixel.
		 */
		for (k = 0; k < tw; k++, dst += ds) {
			p = src + (size_t)(th - 1) * ss + k;
			for (x = 0; x < th; x++, p -= ss)
				dst[x] = *p;
		}
		break;
	case 180:
		for (k = 0; k < th; k++, dst += ds)
			for (x = 0; x < tw; x++)
				dst[x] = src[(th - 1 - k) * ss + tw - 1 - x];
		break;
	default:	/* 270 */
		for (k = 0; k < tw; k++, dst += ds)
			for (x = 0; x < th; x++)
				dst[x] = src[x * ss + tw - 1 - k];
		break;
	}
}

/* Rotate the @tw x @th tile at @src into @dst, row by row of @dst. */
static void v2d_rotate_direct(u32 deg, u32 *const *src, u32 *const *dst,
			      u32 tw, u32 th)
{
	u32 k, x;

	switch (deg) {
	case 90:
		for (k = 0; k < tw; k++)
			for (x = 0; x < th; x++)
				dst[k][x] = src[th - 1 - x][k];
		break;
	case 180:
		for (k = 0; k < th; k++)
			for (x = 0; x < tw; x++)
				dst[k][x] = src[th - 1 - k][tw - 1 - x];
		break;
	default:	/* 270 */
		for (k = 0; k < tw; k++)
			for (x = 0; x < th; x++)
				dst[k][x] = src[x][tw - 1 - k];
		break;
	}
}

/* The same through v2d_tile: any run, any mapping. */
static int v2d_rotate_copied(struct v2d_job *job, u32 c0, u32 r0, u32 tw,
			     u32 th, u32 dc0, u32 dr0, u32 dw, u32 dh)
{
	const struct v2d_surface *s = &job->req.src, *d = &job->req.dst;
	u32 deg = job->req.rotation, row[V2D_TILE], i, k, x;
	int ret;

	for (i = 0; i < th; i++) {
		ret = v2d_read(job, job->src, v2d_pixel(s, 4, c0, r0 + i),
			       v2d_tile[i], tw * 4);
		if (ret)
			return ret;
	}
	for (k = 0; k < dh; k++) {
		for (x = 0; x < dw; x++)
			row[x] = v2d_rotated(deg, tw, th, k, x);
		ret = v2d_write(job, job->dst, v2d_pixel(d, 4, dc0, dr0 + k),
				row, dw * 4);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * How far from its first byte the tiles of a row of tiles, from the one
 * at column @c0 on, reach in the source: its rows up to the right edge.
 */
static u64 v2d_src_reach(const struct v2d_surface *s, u32 c0, u32 th)
{
	return (u64)(th - 1) * s->stride + (u64)(s->width - c0) * 4;
}

/*
 * The same in the destination, from the rotated tile at (@dc0, @dr0):
 * turned by 90 degrees the next tiles lie below it, down to the last row;
 * otherwise they lie before it, and only the tile's own bytes are sure.
 */
static u64 v2d_dst_reach(const struct v2d_surface *d, u32 deg, u32 dc0,
			 u32 dr0, u32 dw)
{
	if (deg != 90)
		return 0;
	return (u64)(d->height - 1 - dr0) * d->stride + (u64)dw * 4;
}

static int v2d_rotate_tile(struct v2d_job *job, u32 c0, u32 r0, u32 tw,
			   u32 th)
{
	const struct v2d_surface *s = &job->req.src, *d = &job->req.dst;
	u32 deg = job->req.rotation, w = s->width, h = s->height;
	u32 *srows[V2D_TILE], *drows[V2D_TILE], dc0, dr0, dw, dh;
	int rs, rd;

	/* Where the rotated tile lands, and its size. */
	switch (deg) {
	case 90:
		dc0 = h - r0 - th;
		dr0 = c0;
		break;
	case 180:
		dc0 = w - c0 - tw;
		dr0 = h - r0 - th;
		break;
	default:	/* 270 */
		dc0 = r0;
		dr0 = w - c0 - tw;
		break;
	}
	dw = deg == 180 ? tw : th;
	dh = deg == 180 ? th : tw;

	rs = v2d_tile_rows(job, job->src, s, 0, c0, r0, tw * 4, th,
			   v2d_src_reach(s, c0, th), srows);
	if (rs < 0)
		return rs;
	rd = V2D_ROWS_SLOW;
	if (rs != V2D_ROWS_SLOW)
		rd = v2d_tile_rows(job, job->dst, d, 1, dc0, dr0, dw * 4, dh,
				   v2d_dst_reach(d, deg, dc0, dr0, dw), drows);
	if (rd < 0)
		return rd;
	if (rd == V2D_ROWS_SLOW)
		return v2d_rotate_copied(job, c0, r0, tw, th, dc0, dr0, dw, dh);
	if (rs == V2D_ROWS_RUN && rd == V2D_ROWS_RUN) {
		v2d_rotate_strided(deg, srows[0], s->stride / 4, drows[0],
				   d->stride / 4, tw, th);
		return 0;
	}
	if (rs == V2D_ROWS_RUN)
		v2d_rows_of_run(srows, th, s->stride);
	if (rd == V2D_ROWS_RUN)
		v2d_rows_of_run(drows, dh, d->stride);
	v2d_rotate_direct(deg, srows, drows, tw, th);
	return 0;
}

static int v2d_op_rotate(struct v2d_job *job)
{
	const struct v2d_surface *s = &job->req.src;
	u32 c0, r0;
	int ret;

	/* Every tile row of the source reaches most destination rows. */
	job->rows_reached = job->req.dst.height;
	memset(v2d_row_pages, 0, sizeof(v2d_row_pages));
	memset(v2d_runs, 0, sizeof(v2d_runs));
	for (r0 = 0; r0 < s->height; r0 += V2D_TILE) {
		for (c0 = 0; c0 < s->width; c0 += V2D_TILE) {
			/* A tile's worth of pixels between two looks. */
			ret = v2d_engine_yield(job);
			if (!ret)
				ret = v2d_rotate_tile(job, c0, r0,
						      min_t(u32, V2D_TILE, s->width - c0),
						      min_t(u32, V2D_TILE, s->height - r0));
			if (ret)
				return ret;
		}
	}
	return 0;
}

/**
 * v2d_engine_run() - run the job's operation to its end or its stop
 * @job: a job whose dependencies have signalled
 *
 * Return: 0 when every pixel was written; -EIO on a translation fault or
 * bus error; the job's stop error when it was told to stop before the
 * end (its output is then incomplete).
 */
int v2d_engine_run(struct v2d_job *job)
{
	switch (job->req.op) {
	case V2D_OP_FILL:
		return v2d_op_fill(job);
	case V2D_OP_COPY:
		return v2d_op_copy(job);
	default:
		return v2d_op_rotate(job);
	}
}

/*
 * The flush yields the CPU every V2D_FLUSH_BATCH syncs: it runs in the
 * engine's worker, and a large destination has thousands of pages.
 */
#define V2D_FLUSH_BATCH	256

/* Hand the device's writes to [@off, @off + @len) of @buf to the CPU. */
static void v2d_sync_for_cpu(struct v2d_job *job, struct v2d_buffer *buf,
			     u64 off, u64 len)
{
	const struct v2d_place *p = v2d_place_of(job, buf);
	unsigned int n_syncs = 0;

	while (len) {
		/*
		 * A page at a time through the IOMMU: pages contiguous for the
		 * device may belong to different mappings (bounce slots side by
		 * side), and a sync must stay within one.
		 */
		u64 n = p->path == V2D_PATH_DIRECT ? len :
			min_t(u64, len, PAGE_SIZE - offset_in_page(p->addr + off));
		dma_addr_t dma;
		u64 run;

		/* Nothing reached a page that does not translate: skip it. */
		if (!v2d_xlate_dma(job, buf, off, n, &dma, &run, false))
			dma_sync_single_for_cpu(v2d_dma_dev, dma, n,
						DMA_FROM_DEVICE);
		off += n;
		len -= n;
		if (!(++n_syncs % V2D_FLUSH_BATCH))
			cond_resched();
	}
}

/**
 * v2d_engine_flush() - make what the job wrote visible to the CPU
 * @job: a job the engine has run (to its end or not)
 *
 * Called before the job's fence signals. A reader that waited for the
 * fence must find the engine's writes in the pages, even when the job
 * held the last reference to its destination's mapping (a handle
 * released while the job was pending) and the mapping is torn down
 * while the reader looks: the exporter's begin_cpu_access can only sync
 * the mappings that still exist.
 *
 * Only the destination rows the engine reached are synced. Rows less
 * than a page apart are synced as one run, gaps included: a gap costs
 * less than a sync of its own, and so a stopped FILL of millions of
 * one-byte rows is one sync, not millions inside the fence-signalling
 * section. Rows a page or more apart are synced one by one, and there
 * are at most as many of them as the buffer has pages. Bytes of a gap
 * that the engine did not write are handed back unchanged: the CPU owns
 * none of the buffer while the device does (DMA API). Takes no lock and
 * allocates nothing (fence-signalling path).
 */
void v2d_engine_flush(struct v2d_job *job)
{
	const struct v2d_surface *d = &job->req.dst;
	u64 len = (u64)d->width * job->req.cpp, start, off;
	u32 rows = job->rows_reached, row;

	/* A non-coherent engine's writes are in memory before the fence. */
	wmb();
	if (!rows)
		return;
	start = v2d_pixel(d, job->req.cpp, 0, 0);
	if (d->stride < len + PAGE_SIZE) {
		off = v2d_pixel(d, job->req.cpp, 0, rows - 1);
		v2d_sync_for_cpu(job, job->dst, start, off + len - start);
		return;
	}
	for (row = 0; row < rows; row++) {
		off = v2d_pixel(d, job->req.cpp, 0, row);
		v2d_sync_for_cpu(job, job->dst, off, len);
		if (!((row + 1) % V2D_FLUSH_BATCH))
			cond_resched();
	}
}
