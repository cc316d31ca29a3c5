// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * bench_wrap.bpf.c - time a packet-rewriting XDP program correctly with
 * bpf_prog_test_run and a large repeat count.
 *
 * test_run re-runs the program on the same xdp_buff: after an l2-dsr MAC
 * rewrite the next iteration sees the rewritten frame, and after an ip6ip6
 * encapsulation it sees a frame 40 bytes longer whose outer header is
 * addressed to the backend, which is no service: every later iteration
 * times the XDP_PASS path instead of the encapsulation (and a program that
 * kept encapsulating would run out of headroom after 6).  This wrapper runs
 * first on every iteration:
 *   1. shrinks the frame back to its input length (bpf_xdp_adjust_head by
 *      the growth, 0 when nothing grew: always called, so its cost is the
 *      same for the program under test and for the floor; after
 *      mip6lb-decap's decapsulation the delta is -40 and it grows back),
 *   2. rewrites the leading bytes from a template,
 *   3. optionally writes a per-iteration identity (churn, new sessions): a
 *      32-bit big-endian word at id_off = base + per-CPU counter [% mod],
 *   4. tail-calls the program under test; its verdict is test_run's retval.
 * With BENCH_RESTORE_TAIL, step 1 instead strips the head_grow bytes the
 * program prepended and grows the tail back to the input length (the
 * datapath's Packet Too Big trims the packet to a 1232-byte quote).
 * The same wrapper tail-calling bench_floor gives the overhead to subtract.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../bench/bench_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_wrap_cfg);
} wrap_cfg SEC(".maps");

/* Iterations so far on this CPU: the identity sequence. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} wrap_iter SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, BENCH_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} wrap_progs SEC(".maps");

SEC("xdp")
int bench_wrap(struct xdp_md *ctx)
{
	struct bench_wrap_cfg *cfg;
	__u32 zero = 0, len;
	__u64 *iter;
	long cur;

	cfg = bpf_map_lookup_elem(&wrap_cfg, &zero);
	iter = bpf_map_lookup_elem(&wrap_iter, &zero);
	if (!cfg || !iter)
		return XDP_ABORTED;

	cur = (long)ctx->data_end - (long)ctx->data;
	if (cfg->flags & BENCH_RESTORE_TAIL) {
		if (bpf_xdp_adjust_head(ctx, cur != cfg->orig_len ? (int)cfg->head_grow : 0))
			return XDP_ABORTED;
		cur = (long)ctx->data_end - (long)ctx->data;
		if (bpf_xdp_adjust_tail(ctx, (int)((long)cfg->orig_len - cur)))
			return XDP_ABORTED;
	} else if (bpf_xdp_adjust_head(ctx, (int)(cur - (long)cfg->orig_len))) {
		return XDP_ABORTED;
	}

	len = cfg->restore_len;
	if (len > BENCH_TMPL_MAX)
		len = BENCH_TMPL_MAX;
	if (len && bpf_xdp_store_bytes(ctx, 0, cfg->tmpl, len))
		return XDP_ABORTED;

	if (cfg->flags & BENCH_ID_VARY) {
		__u32 n = (__u32)*iter, id;

		if ((cfg->flags & BENCH_ID_MOD) && cfg->id_mod)
			n %= cfg->id_mod;
		id = bpf_htonl(cfg->id_base + n);
		if (bpf_xdp_store_bytes(ctx, cfg->id_off, &id, sizeof(id)))
			return XDP_ABORTED;
	}
	*iter += 1;

	bpf_tail_call(ctx, &wrap_progs, cfg->slot);
	return XDP_ABORTED;     /* empty slot */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
