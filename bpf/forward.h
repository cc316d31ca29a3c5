/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * forward.h - deliver a packet to its backend: l2-dsr (rewrite MACs) or
 * ip6ip6 (prepend an outer IPv6 header, RFC 2473), then XDP_TX out of the
 * ingress interface or bpf_redirect_map to another one.  No FIB lookup per
 * packet: the daemon resolves the next hop into the backend entry.  A
 * failure returns its reason, -MIP6LB_CNT_DROP_* (counters.h).  A packet
 * too big for ip6ip6 never gets here: mip6lb_mtu_check() (ptb.h) answers
 * it first.
 */
#ifndef MIP6LB_FORWARD_H
#define MIP6LB_FORWARD_H

#include "maps.h"
#include "parse.h"
#include "session.h"

#define MIP6LB_ENCAP_HOP_LIMIT 64

static __always_inline void mip6lb_set_macs(struct ethhdr *eth,
					    const struct mip6lb_backend *be)
{
	__builtin_memcpy(eth->h_dest, be->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, be->smac, ETH_ALEN);
}

static __always_inline int mip6lb_encap_ip6ip6(struct xdp_md *ctx,
					       const struct mip6lb_service *svc,
					       const struct mip6lb_backend *be,
					       __u16 inner_len, __u32 flow_hash)
{
	struct ethhdr *eth;
	struct ipv6hdr *outer;
	void *data, *data_end;

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct ipv6hdr)))
		return -MIP6LB_CNT_DROP_ENCAP;
	/* Every packet pointer is stale after adjust_head: re-derive. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	outer = (void *)(eth + 1);
	if ((void *)(outer + 1) > data_end)
		return -MIP6LB_CNT_DROP_ENCAP;

	eth->h_proto = mip6lb_htons(MIP6LB_ETH_P_IPV6);
	/* Version 6, traffic class 0, flow label from the identity hash so
	 * ECMP between balancer and backend keeps a session on one path
	 * (RFC 6438). */
	*(__be32 *)outer = bpf_htonl(0x60000000U | (flow_hash & 0xfffff));
	outer->payload_len = bpf_htons(inner_len);
	outer->nexthdr = MIP6LB_NH_IPV6;
	outer->hop_limit = MIP6LB_ENCAP_HOP_LIMIT;
	__builtin_memcpy(&outer->saddr, &svc->lb_addr, sizeof(outer->saddr));
	/* lb_addr as a prefix: the node's hash in its host bits (at most the
	 * last 32), so each node has one outer source and nodes spread over
	 * the backends' receive queues; a /128 has a zero mask. */
	outer->saddr.in6_u.u6_addr32[3] =
		(svc->lb_addr.in6_u.u6_addr32[3] & ~svc->lb_host_mask) |
		(bpf_htonl(flow_hash) & svc->lb_host_mask);
	__builtin_memcpy(&outer->daddr, &be->addr, sizeof(outer->daddr));
	mip6lb_set_macs(eth, be);
	return 0;
}

/* XDP_TX or XDP_REDIRECT, or -MIP6LB_CNT_DROP_NO_NEXTHOP (unresolved, or
 * an egress missing from tx_ports), or -MIP6LB_CNT_DROP_ENCAP. */
static __always_inline int mip6lb_forward(struct xdp_md *ctx,
					  const struct mip6lb_service *svc,
					  const struct mip6lb_choice *ch, __u16 l3_len)
{
	const struct mip6lb_backend *be = ch->be;
	int ret;

	if (!(be->flags & MIP6LB_BE_NH_VALID))
		return -MIP6LB_CNT_DROP_NO_NEXTHOP;

	if (svc->forward == MIP6LB_FWD_IP6IP6) {
		int err = mip6lb_encap_ip6ip6(ctx, svc, be, l3_len, ch->hash);

		if (err)
			return err;
	} else {
		void *data = (void *)(long)ctx->data;
		void *data_end = (void *)(long)ctx->data_end;
		struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end)
			return -MIP6LB_CNT_DROP_ENCAP;
		mip6lb_set_macs(eth, be);
	}

	if (be->ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	ret = bpf_redirect_map(&tx_ports, be->ifindex, XDP_ABORTED);
	return ret == XDP_ABORTED ? -MIP6LB_CNT_DROP_NO_NEXTHOP : ret;
}

#endif /* MIP6LB_FORWARD_H */
