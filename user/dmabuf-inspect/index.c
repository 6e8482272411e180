// SPDX-License-Identifier: GPL-2.0
/*
 * A hash index from 64-bit keys (inodes, PIDs) to array positions, so
 * that finding a buffer, a process or a hold costs the same with 40 000
 * of them as with 10: open addressing, linear probing, at most half
 * full.
 */
#include <stdlib.h>
#include <string.h>

#include "inspect.h"

/* splitmix64's finaliser: inodes and PIDs are dense, spread them. */
static uint64_t mix(uint64_t k)
{
	k ^= k >> 30;
	k *= 0xbf58476d1ce4e5b9ULL;
	k ^= k >> 27;
	k *= 0x94d049bb133111ebULL;
	return k ^ (k >> 31);
}

static void grow(struct di_index *ix)
{
	struct di_index old = *ix;
	size_t i;

	ix->cap = old.cap ? old.cap * 2 : 64;
	ix->n = 0;
	ix->keys = di_xrealloc(NULL, ix->cap, sizeof(*ix->keys));
	ix->vals = di_xrealloc(NULL, ix->cap, sizeof(*ix->vals));
	for (i = 0; i < ix->cap; i++)
		ix->vals[i] = DI_NONE;
	for (i = 0; i < old.cap; i++)
		if (old.vals[i] != DI_NONE)
			di_index_put(ix, old.keys[i], old.vals[i]);
	free(old.keys);
	free(old.vals);
}

/* The slot of @key, or the empty one where it would go. */
static size_t slot(const struct di_index *ix, uint64_t key)
{
	size_t i = mix(key) & (ix->cap - 1);

	while (ix->vals[i] != DI_NONE && ix->keys[i] != key)
		i = (i + 1) & (ix->cap - 1);
	return i;
}

size_t di_index_get(const struct di_index *ix, uint64_t key)
{
	return ix->cap ? ix->vals[slot(ix, key)] : DI_NONE;
}

void di_index_put(struct di_index *ix, uint64_t key, size_t val)
{
	size_t i;

	if (2 * (ix->n + 1) > ix->cap)
		grow(ix);
	i = slot(ix, key);
	if (ix->vals[i] == DI_NONE)
		ix->n++;
	ix->keys[i] = key;
	ix->vals[i] = val;
}

void di_index_free(struct di_index *ix)
{
	free(ix->keys);
	free(ix->vals);
	memset(ix, 0, sizeof(*ix));
}
