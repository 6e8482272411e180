// SPDX-License-Identifier: GPL-2.0
/*
 * Source specs ("pagebuf:order0", "heap:system", ...), parsed strictly: a
 * spec that is almost right is an error that says what is accepted, never
 * a guess. The spec may come from a command line, so the messages quote
 * it with anything unprintable replaced.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uapi/pagebuf.h>

#include "internal.h"

#define ACCEPTED "pagebuf, pagebuf:order0, pagebuf:contig, pagebuf:movable, heap:NAME, udmabuf or vgem"

/* @s as a message may quote it: printable ASCII, cut at 64 characters. */
static const char *quoted(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 64; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* A heap's name is a file name under /dev/dma_heap, and only that. */
static int heap_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (!n || n > DMABUF_LAB_HEAP_NAME_MAX)
		return 0;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	for (i = 0; i < n; i++)
		if (name[i] <= 0x20 || name[i] >= 0x7f || name[i] == '/')
			return 0;
	return 1;
}

int dl_spec_parse(const char *spec, struct dl_spec *out, char *err, size_t errlen)
{
	char q[80];

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec) {
		dl_seterr(err, errlen, "no source given (" ACCEPTED ")");
		return -EINVAL;
	}
	if (!strcmp(spec, "pagebuf")) {
		out->kind = DL_PAGEBUF;
	} else if (!strcmp(spec, "pagebuf:order0")) {
		out->kind = DL_PAGEBUF;
		out->pagebuf_flags = PAGEBUF_ALLOC_ORDER0;
	} else if (!strcmp(spec, "pagebuf:contig")) {
		out->kind = DL_PAGEBUF;
		out->pagebuf_flags = PAGEBUF_ALLOC_CONTIG;
	} else if (!strcmp(spec, "pagebuf:movable")) {
		out->kind = DL_PAGEBUF;
		out->pagebuf_flags = PAGEBUF_ALLOC_MOVABLE;
	} else if (!strncmp(spec, "pagebuf:", 8)) {
		dl_seterr(err, errlen, "unknown pagebuf policy in '%s' (order0, contig or movable)",
			  quoted(spec, q, sizeof(q)));
		return -EINVAL;
	} else if (!strncmp(spec, "heap:", 5)) {
		if (!heap_name_ok(spec + 5)) {
			dl_seterr(err, errlen,
				  "bad heap name in '%s' (heap:NAME, NAME a file under /dev/dma_heap: printable, no '/', at most %d characters)",
				  quoted(spec, q, sizeof(q)), DMABUF_LAB_HEAP_NAME_MAX);
			return -EINVAL;
		}
		out->kind = DL_HEAP;
		strcpy(out->heap, spec + 5);
	} else if (!strcmp(spec, "udmabuf")) {
		out->kind = DL_UDMABUF;
	} else if (!strcmp(spec, "vgem")) {
		out->kind = DL_VGEM;
	} else {
		dl_seterr(err, errlen, "unknown source '%s' (" ACCEPTED ")",
			  quoted(spec, q, sizeof(q)));
		return -EINVAL;
	}
	/* Accepted specs are short: the canonical form is the spec itself. */
	snprintf(out->canon, sizeof(out->canon), "%s", spec);
	return 0;
}

DL_EXPORT int dmabuf_lab_spec_check(const char *spec, char *err, size_t errlen)
{
	struct dl_spec s;

	return dl_spec_parse(spec, &s, err, errlen);
}
