// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_sweep.bpf.c - an aging sweep done in the kernel, for comparison
 * with the daemon's batch-syscall sweep (lib/aging.c): one
 * bpf_prog_test_run of this program walks the sessions map with
 * bpf_for_each_map_elem (RCU, no bucket locks, nothing copied to user
 * space) and deletes what expired, with the same rule as aging_expired().
 * The bench points `sessions` at the datapath's map (bpf_map__reuse_fd).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "mip6lb.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);          /* replaced by the datapath's map */
	__type(key, struct mip6lb_session_key);
	__type(value, struct mip6lb_session);
} sessions SEC(".maps");

/* In: now_ns.  Out: scanned, deleted. */
struct sweep_state {
	__u64 now_ns;
	__u64 scanned;
	__u64 deleted;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sweep_state);
} sweep_state SEC(".maps");

static long sweep_one(struct bpf_map *map, struct mip6lb_session_key *key,
		      struct mip6lb_session *val, struct sweep_state *st)
{
	__u64 life = (__u64)val->lifetime_s * 1000000000ULL;

	st->scanned++;
	if (val->lifetime_s && val->last_used_ns < st->now_ns &&
	    st->now_ns - val->last_used_ns > life) {
		if (!bpf_map_delete_elem(map, key))
			st->deleted++;
	}
	return 0;
}

SEC("xdp")
int bench_sweep(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct sweep_state *st = bpf_map_lookup_elem(&sweep_state, &zero);
	struct sweep_state run = {};

	if (!st)
		return XDP_ABORTED;
	/* The callback's context must live on the stack. */
	run.now_ns = st->now_ns;
	bpf_for_each_map_elem(&sessions, sweep_one, &run, 0);
	st->scanned = run.scanned;
	st->deleted = run.deleted;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
