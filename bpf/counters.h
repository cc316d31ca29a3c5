/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * counters.h - the datapath's counters (enum mip6lb_counter in mip6lb.h)
 * and its convention for giving up: a helper that ends a packet's way
 * returns the negative counter index of the reason (-MIP6LB_CNT_DROP_*,
 * -MIP6LB_CNT_PASS_*), as Cilium's DROP_* codes do, and the entry program
 * turns it into a verdict at its one exit (mip6lb_reason_passes()).
 */
#ifndef MIP6LB_COUNTERS_H
#define MIP6LB_COUNTERS_H

#include "maps.h"

static __always_inline struct mip6lb_counters *mip6lb_counters_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

/* Count with the entry the caller already holds (the per-packet path). */
static __always_inline void mip6lb_cnt_add(struct mip6lb_counters *cs, __u32 idx, __u64 bytes)
{
	if (cs && idx < MIP6LB_CNT_MAX) {
		cs->c[idx].packets++;
		cs->c[idx].bytes += bytes;
	}
}

/* Count from anywhere (the rarer paths). */
static __always_inline void mip6lb_count(__u32 idx, __u64 bytes)
{
	mip6lb_cnt_add(mip6lb_counters_get(), idx, bytes);
}

/* The reasons that hand the packet to the kernel untouched; every other
 * reason a helper returns is a drop. */
static __always_inline int mip6lb_reason_passes(__u32 reason)
{
	return reason == MIP6LB_CNT_PASS_NOT_IPV6 || reason == MIP6LB_CNT_PASS_NOT_SERVICE;
}

#endif /* MIP6LB_COUNTERS_H */
