// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* XDP_PASS on the peer of a veth: a veth only takes XDP_TX and redirected
 * frames (through NAPI) when its peer has an XDP program; without one they
 * are dropped silently (the TX "dropped" counter).  Tests and the demo load
 * this on every veth peer that receives from the balancer. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
