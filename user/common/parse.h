/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsing of the numbers the programs take, on their command lines
 * and in files, shared by dmabuf-inspect, dmabuf-conform and dmabuf-bench.
 *
 * A number is decimal digits and nothing else: no sign, no blank, no base
 * prefix. Each function returns 0, or -1 with errno EINVAL (not such a
 * number) or ERANGE (one it cannot represent, or outside [min, max]); on
 * failure *out is left alone.
 */
#ifndef DMABUF_LAB_PARSE_H
#define DMABUF_LAB_PARSE_H

#include <stdint.h>

int lab_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/*
 * A byte count: digits, then optionally K or M (either case) for KiB or
 * MiB, the multiplication checked for overflow.
 */
int lab_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A finite decimal number (strtod's syntax, no blank, no nan or inf). */
int lab_parse_double(const char *s, double min, double max, double *out);

#endif
