// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lb.bpf.c - the XDP entry point:
 *   parse (parse.h) -> service (service.h) -> identity (identity.h) ->
 *   session or ring (session.h) -> mtu (ptb.h) -> forward (forward.h) ->
 *   count.
 * An ICMPv6 error to a VIP takes a branch of its own before the service
 * step: it follows the flow it quotes (icmp_error.h).
 * Each step returns a negative counter index when the packet ends there
 * (counters.h); the program has one exit for passes and one for drops, and
 * each counts rx and its reason.  Anything that is not IPv6 to a configured
 * service leaves untouched with XDP_PASS; every drop has a counter.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif

#include "mip6lb.h"
#include "maps.h"
#include "counters.h"
#include "parse.h"
#include "hash.h"
#include "service.h"
#include "session.h"
#include "identity.h"
#include "forward.h"
#include "ptb.h"
#include "icmp_error.h"

/* Parse, and count what the parser forgave.  Only a VIP's traffic is ours
 * to judge: a malformed packet to another address goes to the kernel as it
 * came. */
static __always_inline int mip6lb_parse_step(struct xdp_md *ctx, void *data, void *data_end,
					     struct mip6lb_pkt *pkt,
					     struct mip6lb_counters *cs, __u64 bytes)
{
	int ret = mip6lb_parse(ctx, data, data_end, pkt);

	if (ret == MIP6LB_PARSE_NOT_IPV6)
		return -MIP6LB_CNT_PASS_NOT_IPV6;
	if (ret < 0) {
		if ((pkt->flags & MIP6LB_PKT_ADDRS) && !mip6lb_service_by_vip(pkt))
			return -MIP6LB_CNT_PASS_NOT_SERVICE;
		return -MIP6LB_CNT_DROP_MALFORMED;
	}
	if (pkt->flags & MIP6LB_PKT_HAO_BAD)
		mip6lb_cnt_add(cs, MIP6LB_CNT_HAO_MALFORMED, bytes);
	if (pkt->flags & MIP6LB_PKT_OPT_BAD)
		mip6lb_cnt_add(cs, MIP6LB_CNT_OPT_MALFORMED, bytes);
	return 0;
}

/* The packet's service.  A packet whose ports the parser could not reach
 * (a later fragment nobody tracked, a chain over MIP6LB_MAX_EXT_HDRS) gets
 * the VIP's default service and is balanced by source (or by HAO, which
 * every fragment carries in its unfragmentable part, RFC 6275 §6.3).
 * Returns src_only for mip6lb_choose(), or a negative reason. */
static __always_inline int mip6lb_service_step(const struct mip6lb_pkt *pkt,
					       struct mip6lb_counters *cs, __u64 bytes,
					       struct mip6lb_service **svc)
{
	if (pkt->flags & (MIP6LB_PKT_FRAG_LATER | MIP6LB_PKT_CHAIN_LONG)) {
		*svc = mip6lb_service_by_vip(pkt);
		if (!*svc)
			return -MIP6LB_CNT_PASS_NOT_SERVICE;
		if (pkt->flags & MIP6LB_PKT_FRAG_LATER) {
			mip6lb_cnt_add(cs, MIP6LB_CNT_FRAG_UNTRACKED, bytes);
			return 1;
		}
		mip6lb_cnt_add(cs, MIP6LB_CNT_CHAIN_TOO_LONG, bytes);
		if ((*svc)->chain_policy == MIP6LB_CHAIN_DROP)
			return -MIP6LB_CNT_DROP_CHAIN_POLICY;
		return 1;
	}
	*svc = mip6lb_service_lookup(pkt);
	return *svc ? 0 : -MIP6LB_CNT_PASS_NOT_SERVICE;
}

/* Forwarded: rx, the identity kind, tx or redirect, and the backend. */
static __always_inline int mip6lb_forwarded(struct mip6lb_counters *cs,
					    const struct mip6lb_choice *ch,
					    int verdict, __u64 bytes)
{
	struct mip6lb_counter_val *bs;
	__u32 id = ch->backend_id;

	mip6lb_cnt_add(cs, MIP6LB_CNT_RX, bytes);
	mip6lb_cnt_add(cs, MIP6LB_CNT_KIND_HOA + ch->kind - MIP6LB_KIND_HOA, bytes);
	mip6lb_cnt_add(cs, verdict == XDP_TX ? MIP6LB_CNT_TX : MIP6LB_CNT_REDIRECT, bytes);
	bs = bpf_map_lookup_elem(&backend_stats, &id);
	if (bs) {
		bs->packets++;
		bs->bytes += bytes;
	}
	return verdict;
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
		/* Cannot happen (one per-CPU slot): no reason to give. */
		mip6lb_cnt_add(cs, MIP6LB_CNT_RX, bytes);
		return XDP_PASS;
	}
	ret = mip6lb_parse_step(ctx, data, data_end, pkt, cs, bytes);
	if (ret < 0)
		goto out;
	/* An ICMPv6 error goes where the flow it quotes goes (icmp_error.h);
	 * informational messages go on as any packet. */
	if (pkt->proto == MIP6LB_NH_ICMPV6) {
		ret = mip6lb_icmp_error(ctx, data, data_end, pkt, cs, bytes, &svc, &ch);
		if (ret < 0)
			goto out;
		if (!ret)
			goto forward;
	}
	now = mip6lb_now();

	/* A later fragment follows its first when that was tracked. */
	if ((pkt->flags & MIP6LB_PKT_FRAG_LATER) &&
	    !mip6lb_frag_follow(pkt, cs, bytes, &svc, &ch))
		goto forward;

	ret = mip6lb_service_step(pkt, cs, bytes, &svc);
	if (ret < 0)
		goto out;
	ret = mip6lb_choose(pkt, svc, ret, now, &ch);
	if (ret < 0)
		goto out;
	/* A first fragment: its later ones follow this choice. */
	if ((pkt->flags & (MIP6LB_PKT_FRAG | MIP6LB_PKT_FRAG_LATER | MIP6LB_PKT_CHAIN_LONG)) ==
	    MIP6LB_PKT_FRAG)
		mip6lb_frag_record(pkt, svc, &ch);

forward:
	if (ch.hit)
		mip6lb_cnt_add(cs, MIP6LB_CNT_SESSION_HIT, 0);
	ret = mip6lb_mtu_check(ctx, svc, &ch, pkt);
	if (ret < 0)
		goto out;
	ret = mip6lb_forward(ctx, svc, &ch, pkt->l3_len);
	if (ret < 0)
		goto out;
	return mip6lb_forwarded(cs, &ch, ret, bytes);

out:
	/* The one exit of every packet that is not forwarded. */
	mip6lb_cnt_add(cs, MIP6LB_CNT_RX, bytes);
	mip6lb_cnt_add(cs, -ret, bytes);
	if (mip6lb_reason_passes(-ret))
		return XDP_PASS;
	/* The packet was dropped, and its frame now holds the answer. */
	if (-ret == MIP6LB_CNT_PTB_SENT)
		return XDP_TX;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
