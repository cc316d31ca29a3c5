// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lb.bpf.c - the XDP entry point:
 *   parse (parse.h) -> find the service -> choose the backend by identity
 *   (session.h) -> forward (forward.h) -> count.
 * Anything that is not IPv6 to a configured service leaves untouched with
 * XDP_PASS; every drop has a counter.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif

#include "mip6lb.h"
#include "maps.h"
#include "parse.h"
#include "hash.h"
#include "session.h"
#include "forward.h"

/* Every exit counts rx and its reason with the packet's one counters
 * lookup (cs may be NULL only in theory: the map has one slot). */
static __always_inline int mip6lb_drop(struct mip6lb_counters *cs, __u32 reason, __u64 bytes)
{
	mip6lb_cnt_add(cs, MIP6LB_CNT_RX, bytes);
	mip6lb_cnt_add(cs, reason, bytes);
	return XDP_DROP;
}

static __always_inline int mip6lb_pass(struct mip6lb_counters *cs, __u32 reason, __u64 bytes)
{
	mip6lb_cnt_add(cs, MIP6LB_CNT_RX, bytes);
	mip6lb_cnt_add(cs, reason, bytes);
	return XDP_PASS;
}

/* Later fragments have no upper-layer header: follow the first fragment,
 * else count them and balance by source (or by HAO, which every fragment
 * carries in its unfragmentable part, RFC 6275 §6.3). */
static __always_inline int mip6lb_later_fragment(const struct mip6lb_pkt *pkt,
						 struct mip6lb_counters *cs,
						 struct mip6lb_service **svc,
						 __u64 now, __u64 bytes,
						 struct mip6lb_choice *ch)
{
	struct mip6lb_frag_key fk;
	struct mip6lb_frag *fr;

	mip6lb_frag_key(pkt, &fk);
	fr = bpf_map_lookup_elem(&frags, &fk);
	if (fr) {
		*svc = mip6lb_service_by_id(fr->service_id);
		if (*svc) {
			ch->be = mip6lb_backend_usable(fr->backend_id, fr->service_id);
			if (ch->be) {
				ch->backend_id = fr->backend_id;
				ch->kind = fr->kind;
				/* No identity at hand: flow label 0 (RFC 6437). */
				ch->hash = 0;
				ch->is_new = 0;
				mip6lb_cnt_add(cs, MIP6LB_CNT_FRAG_TRACKED, bytes);
				return 0;
			}
		}
	}
	*svc = mip6lb_service_by_vip(pkt);
	if (!*svc)
		return 1;
	mip6lb_cnt_add(cs, MIP6LB_CNT_FRAG_UNTRACKED, bytes);
	return mip6lb_choose(pkt, *svc, 1, now, ch) ? -1 : 0;
}

SEC("xdp")
int mip6lb_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct mip6lb_counters *cs = mip6lb_counters_get();
	struct mip6lb_service *svc;
	struct mip6lb_choice ch = {};
	struct mip6lb_pkt *pkt;
	__u32 zero = 0;
	__u64 now;
	int ret;

	pkt = bpf_map_lookup_elem(&scratch, &zero);
	if (!pkt) {
		mip6lb_cnt_add(cs, MIP6LB_CNT_RX, bytes);
		return XDP_PASS;
	}
	ret = mip6lb_parse(ctx, data, data_end, pkt);
	if (ret == MIP6LB_PARSE_NOT_IPV6)
		return mip6lb_pass(cs, MIP6LB_CNT_PASS_NOT_IPV6, bytes);
	if (ret < 0) {
		/* Only a VIP's traffic is ours to judge: a malformed packet to
		 * another address goes to the kernel as it came. */
		if ((pkt->flags & MIP6LB_PKT_ADDRS) && !mip6lb_service_by_vip(pkt))
			return mip6lb_pass(cs, MIP6LB_CNT_PASS_NOT_SERVICE, bytes);
		return mip6lb_drop(cs, MIP6LB_CNT_DROP_MALFORMED, bytes);
	}
	if (pkt->flags & MIP6LB_PKT_HAO_BAD)
		mip6lb_cnt_add(cs, MIP6LB_CNT_HAO_MALFORMED, bytes);
	if (pkt->flags & MIP6LB_PKT_OPT_BAD)
		mip6lb_cnt_add(cs, MIP6LB_CNT_OPT_MALFORMED, bytes);

	now = mip6lb_now();

	if (pkt->flags & MIP6LB_PKT_FRAG_LATER) {
		ret = mip6lb_later_fragment(pkt, cs, &svc, now, bytes, &ch);
		if (ret > 0)
			return mip6lb_pass(cs, MIP6LB_CNT_PASS_NOT_SERVICE, bytes);
		if (ret < 0)
			return mip6lb_drop(cs, MIP6LB_CNT_DROP_NO_BACKEND, bytes);
		goto forward;
	}

	if (pkt->flags & MIP6LB_PKT_CHAIN_LONG) {
		svc = mip6lb_service_by_vip(pkt);
		if (!svc)
			return mip6lb_pass(cs, MIP6LB_CNT_PASS_NOT_SERVICE, bytes);
		mip6lb_cnt_add(cs, MIP6LB_CNT_CHAIN_TOO_LONG, bytes);
		if (svc->chain_policy == MIP6LB_CHAIN_DROP)
			return mip6lb_drop(cs, MIP6LB_CNT_DROP_CHAIN_POLICY, bytes);
		if (mip6lb_choose(pkt, svc, 1, now, &ch))
			return mip6lb_drop(cs, MIP6LB_CNT_DROP_NO_BACKEND, bytes);
		goto forward;
	}

	svc = mip6lb_service_lookup(pkt);
	if (!svc)
		return mip6lb_pass(cs, MIP6LB_CNT_PASS_NOT_SERVICE, bytes);
	if (mip6lb_choose(pkt, svc, 0, now, &ch))
		return mip6lb_drop(cs, MIP6LB_CNT_DROP_NO_BACKEND, bytes);

	if (pkt->flags & MIP6LB_PKT_FRAG) {
		/* First fragment: later ones follow its choice. */
		struct mip6lb_frag_key fk;
		struct mip6lb_frag fr = {
			.service_id = svc->id,
			.backend_id = ch.backend_id,
			.kind = ch.kind,
		};

		mip6lb_frag_key(pkt, &fk);
		bpf_map_update_elem(&frags, &fk, &fr, BPF_ANY);
	}

forward:
	if (ch.hit)
		mip6lb_cnt_add(cs, MIP6LB_CNT_SESSION_HIT, 0);
	ret = mip6lb_forward(ctx, svc, ch.be, pkt->l3_len, &ch);
	if (ret == MIP6LB_FWD_NO_NEXTHOP)
		return mip6lb_drop(cs, MIP6LB_CNT_DROP_NO_NEXTHOP, bytes);
	if (ret < 0 || ret == XDP_ABORTED)
		return mip6lb_drop(cs, ret < 0 ? MIP6LB_CNT_DROP_ENCAP : MIP6LB_CNT_DROP_NO_NEXTHOP, bytes);

	mip6lb_cnt_add(cs, MIP6LB_CNT_RX, bytes);
	mip6lb_cnt_add(cs, MIP6LB_CNT_KIND_HOA + ch.kind - MIP6LB_KIND_HOA, bytes);
	mip6lb_cnt_add(cs, ret == XDP_TX ? MIP6LB_CNT_TX : MIP6LB_CNT_REDIRECT, bytes);
	{
		struct mip6lb_counter_val *bs;
		__u32 id = ch.backend_id;

		bs = bpf_map_lookup_elem(&backend_stats, &id);
		if (bs) {
			bs->packets++;
			bs->bytes += bytes;
		}
	}
	return ret;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
