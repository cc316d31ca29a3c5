// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * maglev_rows.c - how much of the identity space the ring moves when the
 * backend set changes, and how evenly it spreads at equal weights.
 *
 * Identities are 1M synthetic home addresses hashed exactly as the datapath
 * does (mip6lb_ring_slot, bpf/hash.h) onto rings built by the daemon's
 * builder (maglev_build, lib/maglev.h).  Moving from N backends to N-1
 * changes the same slots as moving from N-1 back to N, so one figure covers
 * removal and addition; it is averaged over which backend goes.  Live
 * sessions never move (the session table wins over the ring): this is the
 * fraction of identities without a session that land elsewhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "hash.h"
#include "maglev.h"
#include "config.h"

#define IDENTITIES 1000000

static __u64 rng = 0x9e3779b97f4a7c15ULL;

static __u64 next_rand(void)
{
	/* xorshift64*: deterministic, so every run hashes the same set. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static int build(int n, int skip, __u32 *ring)
{
	struct maglev_backend be[64];
	char names[64][16];
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (i == skip)
			continue;
		snprintf(names[k], sizeof(names[k]), "be%d", i);
		be[k].id = i;
		be[k].name = names[k];
		be[k].weight = 1;
		k++;
	}
	return maglev_build(be, k, ring, MIP6LB_RING_SIZE);
}

int bench_maglev(void)
{
	static const int ns[] = { 4, 16, 64 };
	__u32 *slots = malloc(sizeof(*slots) * IDENTITIES);
	__u32 *full = malloc(sizeof(*full) * MIP6LB_RING_SIZE);
	__u32 *less = malloc(sizeof(*less) * MIP6LB_RING_SIZE);
	int identities = bopt.quick ? 100000 : IDENTITIES;
	int i, t, k, err = 0;

	if (!slots || !full || !less) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < identities; i++) {
		struct mip6lb_session_key key = { .service_id = 0, .space = MIP6LB_SPACE_ADDR };
		__u64 a = next_rand(), b = next_rand();

		memcpy(&key.id.addr.s6_addr[0], &a, 8);
		memcpy(&key.id.addr.s6_addr[8], &b, 8);
		slots[i] = mip6lb_ring_slot(&key, config_service_hash_id("web"));
	}

	for (t = 0; t < 3; t++) {
		int n = ns[t], trials = bopt.quick ? 2 : n;
		double sum = 0, worst = 0, mean, max_slots = 0, min_slots = 1e9;
		__u32 count[64] = {};
		struct bench_row *row;
		char name[32], mode[8];

		err = build(n, -1, full);
		if (err)
			goto out;
		for (i = 0; i < MIP6LB_RING_SIZE; i++)
			count[full[i]]++;
		for (i = 0; i < n; i++) {
			if (count[i] > max_slots)
				max_slots = count[i];
			if (count[i] < min_slots)
				min_slots = count[i];
		}
		mean = (double)MIP6LB_RING_SIZE / n;

		for (k = 0; k < trials; k++) {
			int moved = 0;
			double f;

			err = build(n, k, less);
			if (err)
				goto out;
			for (i = 0; i < identities; i++)
				moved += full[slots[i]] != less[slots[i]];
			f = (double)moved / identities;
			sum += f;
			if (f > worst)
				worst = f;
		}

		snprintf(name, sizeof(name), "maglev-move-n%d", n);
		row = row_add(name, "remove-or-add");
		row_set_value(row, sum / trials, "fraction");
		row_set_floor(row, 1.0 / n);      /* the ideal: only the removed share */
		row_extra_double(row, "ideal", 1.0 / n);
		row_extra_double(row, "worst", worst);
		row_extra_int(row, "identities", identities);
		row_extra_int(row, "backends_removed", trials);

		snprintf(mode, sizeof(mode), "n%d", n);
		row = row_add("maglev-balance", mode);
		row_set_value(row, max_slots / mean, "max/mean");
		row_extra_double(row, "min_over_mean", min_slots / mean);
		row_extra_int(row, "ring", MIP6LB_RING_SIZE);
	}
out:
	if (err) {
		fprintf(stderr, "mip6lb-bench: maglev: %s\n", strerror(-err));
		for (t = 0; t < 3; t++) {
			char name[32];

			snprintf(name, sizeof(name), "maglev-move-n%d", ns[t]);
			row_null(name, "remove-or-add", "fraction", "maglev_build: %s", strerror(-err));
		}
		row_null("maglev-balance", NULL, "max/mean", "maglev_build: %s", strerror(-err));
	}
	free(slots);
	free(full);
	free(less);
	return err;
}
