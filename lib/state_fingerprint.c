// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state_fingerprint.c - fingerprints that two instances of mip6lbd compare
 * to know that they give every new identity the same backend
 * (docs/mip6lbd.md "Running several instances: what must match").
 *
 * Everything in them is a name, an address or a config value, never a
 * local id: ids come from an instance's history (a service deleted and
 * re-added, the order of backend additions), names do not.
 *
 *  - A ring's layout: each of its MIP6LB_RING_SIZE slots as the hash of
 *    the member name that owns it ("service/backend", the name Maglev
 *    places by), computed when the ring is written (state_apply.c
 *    write_ring), so it reflects weights, drained and down backends as the
 *    datapath sees them.
 *  - A service's fingerprint: the layout, plus what else decides the
 *    backend of a new identity: the service's name (its hash_id), its
 *    (vip, proto, port), its identity order and eui64_only; and every
 *    configured backend's name and address (a name that points at another
 *    host on another instance is not the same backend).
 *  - The overall fingerprint: the services' names and fingerprints in
 *    name order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "state_priv.h"
#include "maglev.h"
#include "namehash.h"

/* Bumped when what goes in changes meaning (the hash, the ring builder),
 * so that instances of different versions do not look alike. */
#define FP_VERSION 1

/* A string with its terminator, so "ab"+"c" differs from "a"+"bc". */
static __u64 fnv_str(__u64 h, const char *s)
{
	return namehash_fnv(h, s, strlen(s) + 1);
}

static __u64 fnv_u64(__u64 h, __u64 v)
{
	return namehash_fnv(h, &v, sizeof(v));
}

__u64 st_ring_layout(const struct lb_state *st, int n)
{
	__u64 *by_id, h = NAMEHASH_FNV_BASIS, v;
	__u32 i;
	int j;

	by_id = calloc(NBE, sizeof(*by_id));
	if (!by_id)
		return 0;
	for (j = 0; j < n; j++)
		if (st->mb[j].id < NBE)
			by_id[st->mb[j].id] = namehash_fmix64(fnv_str(NAMEHASH_FNV_BASIS, st->mb[j].name)) | 1;
	/* Slot by slot; a word-wide step (xor, multiply, shift) instead of
	 * FNV's byte loop: 65537 slots per rebuild. */
	for (i = 0; i < MIP6LB_RING_SIZE; i++) {
		v = st->ring[i] < NBE ? by_id[st->ring[i]] : 0;
		h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	free(by_id);
	h = namehash_fmix64(h ^ (__u64)n);
	return h ? h : 1;
}

/* The configured backends of service sid as an order-free sum of each
 * one's (name, addr): the same set gives the same value whatever ids they
 * have or the order they came in. */
static __u64 backends_sum(const struct lb_state *st, __u32 sid)
{
	__u64 sum = 0, h;
	__u32 id;

	for (id = 0; id < NBE; id++) {
		const struct st_backend *b = &st->bes[id];

		if (!b->used || b->service_id != sid || !b->cfg.name[0])
			continue;
		h = fnv_str(NAMEHASH_FNV_BASIS, b->cfg.name);
		h = namehash_fnv(h, &b->cfg.addr, sizeof(b->cfg.addr));
		sum += namehash_fmix64(h);
	}
	return sum;
}

int state_service_fingerprint(const struct lb_state *st, __u32 id, __u64 *fp)
{
	const struct st_service *s;
	__u64 h = NAMEHASH_FNV_BASIS;

	if (id >= NSVC || !st->svcs[id].used || !st->svcs[id].cfg.name[0])
		return -ENOENT;
	s = &st->svcs[id];
	if (!s->ring_layout)
		return -EAGAIN;        /* its ring was never written */
	h = fnv_u64(h, FP_VERSION);
	h = fnv_u64(h, MIP6LB_RING_SIZE);
	h = fnv_str(h, s->cfg.name);
	h = namehash_fnv(h, &s->key.vip, sizeof(s->key.vip));
	h = fnv_u64(h, s->key.proto);
	h = fnv_u64(h, s->key.port);
	h = fnv_u64(h, s->cfg.n_ids);
	h = namehash_fnv(h, s->cfg.id_order, s->cfg.n_ids);
	h = fnv_u64(h, s->cfg.eui64_only);
	h = fnv_u64(h, s->ring_layout);
	h = fnv_u64(h, backends_sum(st, id));
	*fp = namehash_fmix64(h);
	return 0;
}

static int cmp_name(const void *a, const void *b, void *arg)
{
	const struct lb_state *st = arg;

	return strcmp(st->svcs[*(const __u32 *)a].cfg.name, st->svcs[*(const __u32 *)b].cfg.name);
}

int state_fingerprint(const struct lb_state *st, __u64 *fp)
{
	__u32 ids[NSVC], id;
	__u64 h = NAMEHASH_FNV_BASIS, one;
	int n = 0, i, ret = 0;

	for (id = 0; id < NSVC; id++)
		if (st->svcs[id].used && st->svcs[id].cfg.name[0])
			ids[n++] = id;
	qsort_r(ids, n, sizeof(ids[0]), cmp_name, (void *)st);
	h = fnv_u64(h, FP_VERSION);
	for (i = 0; i < n; i++) {
		int err = state_service_fingerprint(st, ids[i], &one);

		if (err) {
			ret = err;
			one = 0;
		}
		h = fnv_str(h, st->svcs[ids[i]].cfg.name);
		h = fnv_u64(h, one);
	}
	*fp = namehash_fmix64(h);
	return ret;
}
