// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * maglev.c - weighted Maglev ring builder.
 *
 * Each backend walks its own permutation of the slots, (offset + j * skip)
 * mod M, and claims the next free slot when its turn comes.  The paper gives
 * every backend one turn per round; for weights, turns are apportioned by
 * the Sainte-Lague method: the k-th claim (k = 1, 2, ...) of a backend with
 * weight w happens at virtual time (k - 1/2) / w, earliest first, ties to
 * the smaller name.  With equal weights that is exactly the paper's round
 * robin.  In general backend i ends with round(T * w_i) slots for one T, so
 * it is off its exact share M * w_i / W by at most 1/2 + (n/2) * w_i / W
 * slots.  (Claiming at k / w instead, as a plain credit scheme does, rounds
 * every share down and hands all the remainders to the heaviest backend:
 * with one weight-65535 backend and 4095 of weight 1 it took 65535 of the
 * 65537 slots instead of its 94%.)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "maglev.h"
#include "namehash.h"

#define SEED_OFFSET 0x6d61676c65763031ULL /* "maglev01" */
#define SEED_SKIP   0x6d61676c65763032ULL /* "maglev02" */

struct mg_ent {
	const char *name;
	__u32 id;
	__u32 weight;
	__u32 skip;
	__u32 pos;         /* the next entry of this backend's permutation */
	__u64 claims;
};

/* The name's hash (namehash.h), seeded through the offset basis. */
static __u64 name_hash(const char *s, __u64 seed)
{
	return namehash(s, NAMEHASH_FNV_BASIS ^ seed);
}

static bool is_prime(__u32 m)
{
	__u32 d;

	if (m < 2)
		return false;
	for (d = 2; (__u64)d * d <= m; d++)
		if (m % d == 0)
			return false;
	return true;
}

static int cmp_name(const void *a, const void *b)
{
	const struct mg_ent *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Does a take its next turn before b?  Its next turn is at (claims + 1/2) /
 * weight, compared as (2 * claims + 1) / (2 * weight) cross-multiplied to
 * stay in integers (claims <= 2^24, weight < 2^32: the products fit in 64
 * bits).  Ties go to the smaller index, i.e. the smaller name, which keeps
 * the result independent of the input order. */
static bool before(const struct mg_ent *e, __u32 a, __u32 b)
{
	__u64 ta = (2 * e[a].claims + 1) * e[b].weight;
	__u64 tb = (2 * e[b].claims + 1) * e[a].weight;

	return ta < tb || (ta == tb && a < b);
}

static void sift_down(const struct mg_ent *e, __u32 *heap, __u32 n, __u32 i)
{
	for (;;) {
		__u32 l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < n && before(e, heap[l], heap[m]))
			m = l;
		if (r < n && before(e, heap[r], heap[m]))
			m = r;
		if (m == i)
			return;
		t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

int maglev_build(const struct maglev_backend *be, int n, __u32 *ring, __u32 ring_size)
{
	struct mg_ent *ents = NULL;
	__u32 *heap = NULL;
	__u32 i, n_live = 0, filled;
	int err = 0;

	if (n < 0 || (n > 0 && !be) || !ring || ring_size > MAGLEV_MAX_RING_SIZE ||
	    !is_prime(ring_size))
		return -EINVAL;
	/* A prime M makes every skip in 1..M-1 coprime to M, so each
	 * permutation visits every slot and the fill below terminates. */

	if (n > 0) {
		ents = calloc(n, sizeof(*ents));
		if (!ents)
			return -ENOMEM;
	}
	for (i = 0; i < (__u32)n; i++) {
		if (!be[i].name || be[i].id == MAGLEV_EMPTY) {
			err = -EINVAL;
			goto out;
		}
		ents[i].name = be[i].name;
		ents[i].id = be[i].id;
		ents[i].weight = be[i].weight;
	}
	if (n > 1)
		qsort(ents, n, sizeof(*ents), cmp_name);
	for (i = 1; i < (__u32)n; i++) {
		if (!strcmp(ents[i - 1].name, ents[i].name)) {
			/* Two backends with one name would share a permutation
			 * and make the ring depend on the input order. */
			err = -EINVAL;
			goto out;
		}
	}
	/* Drop weight-0 backends, keeping name order. */
	for (i = 0; i < (__u32)n; i++)
		if (ents[i].weight)
			ents[n_live++] = ents[i];
	if (n_live > ring_size) {
		err = -E2BIG;
		goto out;
	}
	if (!n_live) {
		for (i = 0; i < ring_size; i++)
			ring[i] = MAGLEV_EMPTY;
		goto out;
	}

	heap = calloc(n_live, sizeof(*heap));
	if (!heap) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n_live; i++) {
		ents[i].pos = name_hash(ents[i].name, SEED_OFFSET) % ring_size;
		ents[i].skip = name_hash(ents[i].name, SEED_SKIP) % (ring_size - 1) + 1;
		heap[i] = i;
	}
	for (i = n_live / 2; i-- > 0;)
		sift_down(ents, heap, n_live, i);

	for (i = 0; i < ring_size; i++)
		ring[i] = MAGLEV_EMPTY;
	for (filled = 0; filled < ring_size; filled++) {
		struct mg_ent *e = &ents[heap[0]];

		while (ring[e->pos] != MAGLEV_EMPTY) {
			e->pos += e->skip;
			if (e->pos >= ring_size)
				e->pos -= ring_size;
		}
		ring[e->pos] = e->id;
		e->claims++;
		sift_down(ents, heap, n_live, 0);
	}
out:
	free(heap);
	free(ents);
	return err;
}
