/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ptb.h - ICMPv6 Packet Too Big for ip6ip6 (RFC 4443 §3.2).  The outer
 * header adds 40 bytes: a client packet that fits the client's link can no
 * longer fit the backend's, and a frame too big for the egress is dropped
 * by the driver with nobody told.  Like a router, the balancer drops it and
 * answers the client with Packet Too Big, from the VIP the packet was sent
 * to, MTU = the backend's mtu - 40, so the client's path MTU discovery
 * (RFC 8201) sends smaller packets.  The message is built in place of the
 * packet (trimmed to the IPv6 minimum MTU, the headers rewritten, the MACs
 * swapped) and leaves with XDP_TX out of the ingress interface.
 *
 * Not for an ICMPv6 error (RFC 4443 §2.4 (e.1)), nor for a source that is
 * not one node's (e.6): those are dropped and counted (drop_too_big).  The
 * messages are rate-limited per CPU (§2.4 (f)) by a token bucket of
 * settings.ptb_per_sec (drop_ptb_rate).
 */
#ifndef MIP6LB_PTB_H
#define MIP6LB_PTB_H

#include "maps.h"
#include "parse.h"
#include "session.h"

#define MIP6LB_ICMP6_PKT_TOO_BIG 2
#define MIP6LB_ICMP6_INFO_MIN    128   /* types below are errors (§2.1) */
#define MIP6LB_PTB_HOP_LIMIT     64

struct mip6lb_icmp6_ptb {      /* RFC 4443 §3.2 */
	__u8   type;
	__u8   code;
	__be16 csum;
	__be32 mtu;
};

/* The reply: Ethernet, IPv6, ICMPv6, and the quote of the invoking packet. */
#define MIP6LB_PTB_ICMP_LEN  (sizeof(struct mip6lb_icmp6_ptb) + MIP6LB_PTB_QUOTE)
#define MIP6LB_PTB_FRAME_LEN (sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + \
			      MIP6LB_PTB_ICMP_LEN)

/* May an error answer this packet (RFC 4443 §2.4 (e))?  The parser stops
 * at ICMPv6 without reading it: the type is read here when the ICMPv6
 * header follows the IPv6 header; behind extension headers (a fragment
 * among them) it counts as an error, so no error ever answers one. */
static __always_inline int mip6lb_ptb_allowed(const struct mip6lb_pkt *pkt,
					      void *data, void *data_end)
{
	__u8 *type = data + sizeof(struct ethhdr) + sizeof(struct ipv6hdr);

	/* (e.6): multicast and unspecified sources name no single node. */
	if (pkt->src.in6_u.u6_addr8[0] == 0xff ||
	    !(mip6lb_get64(&pkt->src) | mip6lb_get64((const __u8 *)&pkt->src + 8)))
		return 0;
	if (pkt->proto != MIP6LB_NH_ICMPV6)
		return 1;
	if (pkt->n_ext || (void *)(type + 1) > data_end)
		return 0;
	return *type >= MIP6LB_ICMP6_INFO_MIN;
}

/* One token of the per-CPU bucket (GCRA: bursts of ptb_per_sec, then
 * ptb_per_sec a second); 0 when it is empty or the rate is 0. */
static __always_inline int mip6lb_ptb_token(void)
{
	const __u64 sec = 1000000000ULL;
	struct mip6lb_settings *set;
	struct mip6lb_ptb_bucket *b;
	__u32 zero = 0;
	__u64 now, step, tat;

	set = bpf_map_lookup_elem(&settings, &zero);
	b = bpf_map_lookup_elem(&ptb_bucket, &zero);
	if (!set || !b || !set->ptb_per_sec)
		return 0;
	now = mip6lb_now();
	step = sec / set->ptb_per_sec;
	tat = b->tat_ns > now ? b->tat_ns : now;
	if (tat + step - now > sec)
		return 0;
	b->tat_ns = tat + step;
	return 1;
}

/* The ICMPv6 checksum (RFC 4443 §2.3): the pseudo-header (RFC 8200 §8.1)
 * and the message, in four bpf_csum_diff calls (each may read 512 bytes
 * at most; all sizes are multiples of 4). */
static __always_inline __u16 mip6lb_ptb_csum(struct ipv6hdr *ip6, void *icmp, void *data_end)
{
	__s64 s;
	__u64 sum;

	if (icmp + MIP6LB_PTB_ICMP_LEN > data_end)
		return 0;
	s = bpf_csum_diff(0, 0, (__be32 *)&ip6->saddr, 32, 0);
	s = bpf_csum_diff(0, 0, icmp, 512, (__u32)s);
	s = bpf_csum_diff(0, 0, icmp + 512, 512, (__u32)s);
	s = bpf_csum_diff(0, 0, icmp + 1024, MIP6LB_PTB_ICMP_LEN - 1024, (__u32)s);
	sum = (__u32)s;
	sum += bpf_htonl(MIP6LB_PTB_ICMP_LEN);
	sum += bpf_htonl(MIP6LB_NH_ICMPV6);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* Turn the frame into the Packet Too Big for it.  The frame holds more
 * than MIP6LB_PTB_QUOTE bytes of IPv6 (the caller checked the packet is
 * over mtu - 40 >= 1280).  Returns -MIP6LB_CNT_PTB_SENT, which the entry
 * program sends with XDP_TX, or -MIP6LB_CNT_DROP_ENCAP when the frame
 * cannot be resized. */
static __always_inline int mip6lb_ptb_build(struct xdp_md *ctx, __u32 mtu)
{
	const int hdrs = sizeof(struct ipv6hdr) + sizeof(struct mip6lb_icmp6_ptb);
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct mip6lb_icmp6_ptb *icmp;
	struct ipv6hdr *ip6, *orig;
	struct ethhdr *eth, *oeth;
	int len = data_end - data;

	/* Keep Ethernet and the quote; then room for the new headers. */
	if (len <= (int)(sizeof(*eth) + MIP6LB_PTB_QUOTE))
		return -MIP6LB_CNT_DROP_TOO_BIG;
	if (bpf_xdp_adjust_tail(ctx, (int)(sizeof(*eth) + MIP6LB_PTB_QUOTE) - len))
		return -MIP6LB_CNT_DROP_ENCAP;
	if (bpf_xdp_adjust_head(ctx, -hdrs))
		return -MIP6LB_CNT_DROP_ENCAP;
	/* Every packet pointer is stale after the adjustments: re-derive. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + MIP6LB_PTB_FRAME_LEN > data_end)
		return -MIP6LB_CNT_DROP_ENCAP;
	eth = data;
	ip6 = (void *)(eth + 1);
	icmp = (void *)(ip6 + 1);
	oeth = data + hdrs;
	orig = (void *)(oeth + 1);

	/* The old Ethernet header lies under the new IPv6 and ICMPv6 ones:
	 * take its MACs (swapped: back to the hop that sent it) first. */
	__builtin_memcpy(eth->h_dest, oeth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, oeth->h_dest, ETH_ALEN);
	eth->h_proto = mip6lb_htons(MIP6LB_ETH_P_IPV6);

	*(__be32 *)ip6 = bpf_htonl(0x60000000U);
	ip6->payload_len = bpf_htons(MIP6LB_PTB_ICMP_LEN);
	ip6->nexthdr = MIP6LB_NH_ICMPV6;
	ip6->hop_limit = MIP6LB_PTB_HOP_LIMIT;
	/* From the VIP it was sent to, to its source (with an HAO, the
	 * care-of address: the quote carries the home address, RFC 6275). */
	mip6lb_addr_copy(&ip6->saddr, &orig->daddr);
	mip6lb_addr_copy(&ip6->daddr, &orig->saddr);

	icmp->type = MIP6LB_ICMP6_PKT_TOO_BIG;
	icmp->code = 0;
	icmp->csum = 0;
	icmp->mtu = bpf_htonl(mtu - MIP6LB_ENCAP_OVERHEAD);
	icmp->csum = mip6lb_ptb_csum(ip6, icmp, data_end);
	return -MIP6LB_CNT_PTB_SENT;
}

/* The packet is over its backend's mtu once encapsulated: answer it, or
 * say why not.  It is dropped either way. */
static __always_inline int mip6lb_ptb(struct xdp_md *ctx, const struct mip6lb_pkt *pkt,
				      __u32 mtu)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (mtu < MIP6LB_PTB_MIN_MTU || !mip6lb_ptb_allowed(pkt, data, data_end))
		return -MIP6LB_CNT_DROP_TOO_BIG;
	if (!mip6lb_ptb_token())
		return -MIP6LB_CNT_DROP_PTB_RATE;
	return mip6lb_ptb_build(ctx, mtu);
}

/* Before mip6lb_forward(): 0 when the packet fits its backend (always for
 * l2-dsr, which adds nothing, and with mtu 0, unknown), else the packet
 * ends in mip6lb_ptb(). */
static __always_inline int mip6lb_mtu_check(struct xdp_md *ctx,
					    const struct mip6lb_service *svc,
					    const struct mip6lb_choice *ch,
					    const struct mip6lb_pkt *pkt)
{
	__u32 mtu = ch->be->mtu;

	if (svc->forward != MIP6LB_FWD_IP6IP6 ||
	    (__u32)pkt->l3_len + MIP6LB_ENCAP_OVERHEAD <= mtu || !mtu)
		return 0;
	return mip6lb_ptb(ctx, pkt, mtu);
}

#endif /* MIP6LB_PTB_H */
