// SPDX-License-Identifier: GPL-2.0
/*
 * Escaping of strings that come from other processes (buffer names,
 * comms) or from drivers, before they reach a terminal or a parser.
 *
 * Text (table, CSV, --watch): printable ASCII and valid UTF-8 stay as
 * they are; every other byte becomes \xNN, and a backslash \\, so the
 * output is unambiguous. Escaped too: C0 and C1 controls, DEL, and the
 * bidirectional overrides and isolates (U+202A..U+202E, U+2066..U+2069),
 * which reorder what a terminal shows.
 *
 * JSON: always valid UTF-8. Control characters become \u00XX, and so
 * does each byte of an invalid UTF-8 sequence (as the code point of the
 * same number: the byte stays visible).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

/*
 * The length of the valid UTF-8 sequence at @s (2 to 4), its code point
 * in *@cp; 0 when @s does not start one (overlong forms, surrogates and
 * code points above U+10FFFF are invalid).
 */
static size_t utf8_seq(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n, i;
	uint32_t c;

	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2, c = *s & 0x1f;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3, c = *s & 0x0f;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4, c = *s & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Code points a terminal acts on rather than shows. */
static int is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = di_xrealloc(b->s, b->cap, 1);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_hex(struct sbuf *b, const unsigned char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', 0, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		e[2] = hex[s[i] >> 4];
		e[3] = hex[s[i] & 15];
		sb_put(b, e, 4);
	}
}

char *di_text_escape(const char *str, size_t max, size_t *width)
{
	const unsigned char *s = (const unsigned char *)str;
	struct sbuf b = { NULL, 0, 0 };
	size_t w = 0, cut = 0, cut_w = 0;

	sb_put(&b, "", 0);
	while (*s) {
		size_t n = 1;
		uint32_t cp = *s;

		if (*s >= 0x80 && !(n = utf8_seq(s, &cp)))
			n = 1, cp = 0x80;	/* invalid: escaped as a byte */
		if (*s == '\\') {
			sb_put(&b, "\\\\", 2);
			w += 2;
		} else if (is_control(cp)) {
			sb_hex(&b, s, n);
			w += 4 * n;
		} else {
			sb_put(&b, (const char *)s, n);
			w++;
		}
		s += n;
		/* Where to cut, should the text need it: room for "...". */
		if (max && w <= max - 3) {
			cut = b.len;
			cut_w = w;
		}
		if (max && w > max) {
			b.len = cut;
			sb_put(&b, "...", 3);
			w = cut_w + 3;
			break;
		}
	}
	if (width)
		*width = w;
	return b.s;
}

void di_json_string(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		size_t n = 1;
		uint32_t cp = *s;

		if (*s >= 0x80 && !(n = utf8_seq(s, &cp)))
			n = 1;	/* invalid: the byte as a code point */
		switch (cp) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if ((n == 1 && cp >= 0x80) || is_control(cp))
				fprintf(out, "\\u%04x", (unsigned int)cp);
			else
				fwrite(s, 1, n, out);
		}
		s += n;
	}
	fputc('"', out);
}
