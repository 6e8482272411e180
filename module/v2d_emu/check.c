// SPDX-License-Identifier: GPL-2.0
/*
 * The checks of a job's rectangles: pure arithmetic on the request, kept
 * apart from the engine so that the KUnit tests (module/kunit/) can call
 * them without a device, a file or a buffer.
 */
#include <linux/errno.h>
#include <linux/overflow.h>
#include <linux/types.h>

#include "v2d_emu.h"

/*
 * Byte range [*start, *end) the rectangle spans in its buffer; -EINVAL
 * for a malformed rectangle, -ERANGE when it reaches past @size.
 */
int v2d_surface_span(const struct v2d_surface *s, u32 cpp, u64 size,
		     u64 *start, u64 *end)
{
	u64 row_end, first, last;

	if (!s->width || !s->height)
		return -EINVAL;
	/* Bytes the rectangle uses in a row, from the row's start. */
	if (check_add_overflow((u64)s->x, (u64)s->width, &row_end) ||
	    check_mul_overflow(row_end, (u64)cpp, &row_end))
		return -ERANGE;
	if (row_end > s->stride)
		return -EINVAL;

	if (check_mul_overflow((u64)s->y, (u64)s->stride, &first) ||
	    check_add_overflow(first, s->offset, &first) ||
	    check_add_overflow(first, (u64)s->x * cpp, &first))
		return -ERANGE;
	if (check_mul_overflow((u64)s->y + s->height - 1, (u64)s->stride,
			       &last) ||
	    check_add_overflow(last, s->offset, &last) ||
	    check_add_overflow(last, row_end, &last))
		return -ERANGE;
	if (last > size)
		return -ERANGE;

	*start = first;
	*end = last;
	return 0;
}

/* Source and destination sizes agree, given the operation and rotation. */
int v2d_check_sizes(const struct v2d_submit *req)
{
	const struct v2d_surface *s = &req->src, *d = &req->dst;

	if (req->op == V2D_OP_COPY || req->rotation == 180)
		return s->width == d->width && s->height == d->height ?
		       0 : -EINVAL;
	return s->width == d->height && s->height == d->width ? 0 : -EINVAL;
}
