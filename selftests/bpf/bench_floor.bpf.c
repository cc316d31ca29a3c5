// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_floor.bpf.c - the benchmark's reference programs.
 *
 * bench_floor: returns XDP_TX and does nothing else.  Every datapath figure
 * is printed as a ratio to its cost measured in the same run: it is what
 * bpf_prog_test_run itself costs per iteration (bh disable/enable, the
 * program call, the loop), the part no XDP program can avoid.
 *
 * bench_sink: XDP_DROP and count, per CPU.  The veth benchmark loads it on
 * the peer that receives what the program under test transmits (a veth only
 * takes XDP_TX frames when its peer runs XDP), and on the device under test
 * as the XDP_DROP reference.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sink_count SEC(".maps");

SEC("xdp")
int bench_floor(struct xdp_md *ctx)
{
	return XDP_TX;
}

SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&sink_count, &zero);

	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
