/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * maglev.h - weighted Maglev ring builder (Eisenbud et al., "Maglev: A Fast
 * and Reliable Software Network Load Balancer", NSDI 2016, section 3.4).
 *
 * The datapath indexes a service's ring with mip6lb_ring_slot() (bpf/hash.h)
 * and reads a backend id; this file only decides which id sits in each slot.
 */
#ifndef MIP6LB_MAGLEV_H
#define MIP6LB_MAGLEV_H

#include <linux/types.h>

/* A slot no backend owns.  Must equal MIP6LB_RING_EMPTY in bpf/session.h,
 * which the datapath treats as "no backend". */
#define MAGLEV_EMPTY 0xffffffffU

/* Largest ring maglev_build() accepts; keeps its 64-bit share arithmetic
 * (claims * weight) from overflowing. */
#define MAGLEV_MAX_RING_SIZE (1U << 24)

struct maglev_backend {
	__u32 id;          /* written into the ring; must not be MAGLEV_EMPTY */
	const char *name;  /* placement key: unique, stable across restarts */
	__u32 weight;      /* relative share of slots; 0 = no slot */
};

/*
 * Fill ring[0..ring_size) with backend ids.
 *
 * Placement depends only on the backends' names and weights, never on their
 * ids or on the order of be[], so a restart or a reordered config rebuilds
 * the same ring, and renumbering ids does not move sessions.  Of n backends
 * with weights summing to W, backend i gets ring_size * w_i / W slots to
 * within 1/2 + (n/2) * w_i / W (one slot for equal weights; see maglev.c).
 *
 * ring_size must be prime (MIP6LB_RING_SIZE = 65537 is) and at most
 * MAGLEV_MAX_RING_SIZE.  An empty set (n == 0, or every weight 0) fills every
 * slot with MAGLEV_EMPTY and succeeds.
 *
 * Returns 0; -EINVAL for a non-prime or oversized ring_size, n < 0, a NULL
 * or duplicate name, or an id equal to MAGLEV_EMPTY; -E2BIG when more
 * backends have a weight than the ring has slots; -ENOMEM.  On error the
 * ring is left untouched.
 */
int maglev_build(const struct maglev_backend *be, int n, __u32 *ring, __u32 ring_size);

#endif
