// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_gen.bpf.c - the veth benchmark's traffic generator, run with
 * bpf_prog_test_run(BPF_F_TEST_XDP_LIVE_FRAMES): every iteration is a real
 * frame from a page_pool, and XDP_REDIRECT into gen_tx transmits it out of
 * the veth whose peer runs the program under test.
 *
 * Live frames are initialised from data_in only when their page is first
 * allocated; a recycled page comes back with whatever the last program wrote
 * (an ip6ip6 encapsulation overwrites the first 14 bytes of the original
 * frame).  So the generator rewrites the leading bytes from a template each
 * time, the same cost for every program measured against it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "../bench/bench_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_gen_cfg);
} gen_cfg SEC(".maps");

/* Slot 0: the egress veth. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} gen_tx SEC(".maps");

SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	struct bench_gen_cfg *cfg;
	__u32 zero = 0, len;

	cfg = bpf_map_lookup_elem(&gen_cfg, &zero);
	if (!cfg)
		return XDP_ABORTED;
	len = cfg->restore_len;
	if (len > BENCH_TMPL_MAX)
		len = BENCH_TMPL_MAX;
	if (len && bpf_xdp_store_bytes(ctx, 0, cfg->tmpl, len))
		return XDP_ABORTED;
	return bpf_redirect_map(&gen_tx, 0, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
