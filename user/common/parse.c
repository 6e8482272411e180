// SPDX-License-Identifier: GPL-2.0
/*
 * Strict number parsing (see parse.h). strtoull alone would accept
 * leading blanks and a '-' (" -4096" becomes 2^64 - 4096), and atoi
 * accepts trailing garbage and truncates: so the digits are checked
 * first, and the end and the range after.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* The digits at @s as a number; *@end after them. */
static int digits(const char *s, const char **end, uint64_t *v)
{
	char *e;

	if (*s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	*v = strtoull(s, &e, 10);
	if (errno)
		return -1;	/* ERANGE */
	*end = e;
	return 0;
}

static int in_range(uint64_t v, uint64_t min, uint64_t max, uint64_t *out)
{
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int lab_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (digits(s, &end, &v))
		return -1;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	return in_range(v, min, max, out);
}

int lab_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v, unit = 1;
	const char *end;

	if (digits(s, &end, &v))
		return -1;
	if (*end == 'K' || *end == 'k')
		unit = 1024, end++;
	else if (*end == 'M' || *end == 'm')
		unit = 1024 * 1024, end++;
	if (*end) {
		errno = EINVAL;
		return -1;
	}
	if (v > UINT64_MAX / unit) {
		errno = ERANGE;
		return -1;
	}
	return in_range(v * unit, min, max, out);
}

int lab_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	/* strtod would take blanks, "nan", "inf" and hex floats. */
	if (((*s < '0' || *s > '9') && *s != '.') || strpbrk(s, "xX")) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno)
		return -1;
	if (end == s || *end) {
		errno = EINVAL;
		return -1;
	}
	if (!isfinite(v) || v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}
