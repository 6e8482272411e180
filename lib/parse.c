// SPDX-License-Identifier: GPL-2.0
/*
 * Strict number parsing (see dmabuf-lab.h). strtoull alone would accept
 * leading blanks and a '-' (" -4096" becomes 2^64 - 4096), and atoi
 * accepts trailing garbage and truncates: so the digits are checked
 * first, and the end and the range after.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The digits at @s as a number; *@end after them. 0 or -errno. */
static int digits(const char *s, const char **end, uint64_t *v)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (errno)
		return -ERANGE;
	*end = e;
	return 0;
}

static int in_range(uint64_t v, uint64_t min, uint64_t max, uint64_t *out)
{
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

DL_EXPORT int dmabuf_lab_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int ret;

	ret = digits(s, &end, &v);
	if (ret)
		return ret;
	if (*end)
		return -EINVAL;
	return in_range(v, min, max, out);
}

DL_EXPORT int dmabuf_lab_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v, unit = 1;
	const char *end;
	int ret;

	ret = digits(s, &end, &v);
	if (ret)
		return ret;
	if (*end == 'K' || *end == 'k')
		unit = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		unit = 1024 * 1024, end++;
	if (*end)
		return -EINVAL;
	if (v > UINT64_MAX / unit)
		return -ERANGE;
	return in_range(v * unit, min, max, out);
}

DL_EXPORT int dmabuf_lab_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	/* strtod would take blanks, "nan", "inf" and hex floats. */
	if (((*s < '0' || *s > '9') && *s != '.') || strpbrk(s, "xX"))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno)
		return -ERANGE;
	if (end == s || *end)
		return -EINVAL;
	if (!isfinite(v) || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}
