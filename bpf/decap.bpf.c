// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * decap.bpf.c - mip6lb-decap, the backend's IPv6-in-IPv6 decapsulator.
 *
 * The balancer's ip6ip6 mode (forward.h) prepends one outer IPv6 header,
 * next header 41, no extension headers (RFC 2473 §3.1), addressed to the
 * backend's decap address.  Backends whose kernel has neither ip6tnl nor
 * SRv6 End.DT6 attach this program to strip it: the inner packet then goes
 * up the stack as if it had arrived bare, behind the same Ethernet header.
 *
 * Everything that is not an ip6ip6 packet to one of our decap addresses
 * passes untouched (ICMPv6 and ND to the decap address keep working); every
 * frame counts rx and exactly one reason in decap_counters.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif

#include "mip6lb.h"
#include "parse.h"

/* The outer destinations this host decapsulates for.  A map, not .rodata:
 * mip6lb-decap adds and removes addresses at run time without reloading
 * (and so without a moment with no program attached). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MIP6LB_DECAP_MAX_ADDRS);
	__type(key, struct mip6lb_decap_addr);
	__type(value, struct mip6lb_decap_addr_val);
} decap_addrs SEC(".maps");

/* Slot 0: every counter (enum mip6lb_decap_counter -> packets and bytes),
 * per CPU so counting takes no lock; readers sum the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mip6lb_decap_counters);
} decap_counters SEC(".maps");

/* ECN codepoints, the low two bits of the traffic class (RFC 3168 §5). */
#define DECAP_ECN_NOT_ECT 0
#define DECAP_ECN_ECT1    1
#define DECAP_ECN_ECT0    2
#define DECAP_ECN_CE      3

/* The traffic class straddles the first two bytes (version:4, tc:8,
 * flow label:20); its ECN bits are bits 5..4 of byte 1. */
static __always_inline __u8 decap_ecn(const struct ipv6hdr *ip6)
{
	return (((const __u8 *)ip6)[1] >> 4) & 3;
}

static __always_inline void decap_set_ecn(struct ipv6hdr *ip6, __u8 ecn)
{
	__u8 *b = (__u8 *)ip6;

	b[1] = (b[1] & ~0x30) | (ecn << 4);
}

static __always_inline __u8 decap_version(const struct ipv6hdr *ip6)
{
	return ((const __u8 *)ip6)[0] >> 4;
}

/* The one exit: count rx and the reason (with the frame's length on
 * arrival), return the verdict. */
static __always_inline int decap_exit(__u32 reason, __u64 bytes, int verdict)
{
	struct mip6lb_decap_counters *cs;
	__u32 zero = 0;

	cs = bpf_map_lookup_elem(&decap_counters, &zero);
	if (cs && reason < MIP6LB_DCNT_MAX) {
		cs->c[MIP6LB_DCNT_RX].packets++;
		cs->c[MIP6LB_DCNT_RX].bytes += bytes;
		cs->c[reason].packets++;
		cs->c[reason].bytes += bytes;
	}
	return verdict;
}

SEC("xdp")
int mip6lb_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	struct mip6lb_decap_addr key;
	struct ipv6hdr *outer, *inner;
	struct ethhdr *eth, *neth;
	__u16 outer_plen, inner_plen;
	__u8 oecn, iecn;
	__u64 present;

	eth = data;
	if ((void *)(eth + 1) > data_end)
		return decap_exit(MIP6LB_DCNT_PASS_NOT_IPV6, bytes, XDP_PASS);
	/* A VLAN tag puts 0x8100/0x88a8 here: not ours either, the balancer
	 * sends untagged frames and the stack handles the rest. */
	if (eth->h_proto != bpf_htons(MIP6LB_ETH_P_IPV6))
		return decap_exit(MIP6LB_DCNT_PASS_NOT_IPV6, bytes, XDP_PASS);

	outer = (void *)(eth + 1);
	if ((void *)(outer + 1) > data_end)
		return decap_exit(MIP6LB_DCNT_DROP_TRUNCATED, bytes, XDP_DROP);

	/* The key through the stack, as two 8-byte words (mip6lb_addr_copy);
	 * handing the helper the packet pointer measured the same (bench row
	 * decap) and ties the key's type to the packet layout. */
	mip6lb_addr_copy(&key.addr, &outer->daddr);
	if (!bpf_map_lookup_elem(&decap_addrs, &key))
		return decap_exit(MIP6LB_DCNT_PASS_NOT_OURS, bytes, XDP_PASS);

	if (decap_version(outer) != 6)
		return decap_exit(MIP6LB_DCNT_DROP_MALFORMED, bytes, XDP_DROP);

	/* Only next header 41 straight after the fixed header is a tunnel.
	 * An extension header before it is not walked (mip6lb emits none,
	 * and RFC 2473 §4.1.1's Tunnel Encapsulation Limit option is not
	 * ours to act on): such a packet passes to the stack as PASS_NOT_TUNNEL. */
	if (outer->nexthdr != MIP6LB_NH_IPV6)
		return decap_exit(MIP6LB_DCNT_PASS_NOT_TUNNEL, bytes, XDP_PASS);

	/* Bytes after the outer header.  More than payload_len is allowed
	 * (Ethernet padding, trailers): the stack trims the frame to the
	 * inner payload length.  Less is a lie about the length. */
	present = data_end - (void *)(outer + 1);
	outer_plen = bpf_ntohs(outer->payload_len);
	if (outer_plen > present)
		return decap_exit(MIP6LB_DCNT_DROP_BAD_LENGTH, bytes, XDP_DROP);

	inner = (void *)(outer + 1);
	/* An honest length that cannot hold an inner header: cut short. */
	if ((void *)(inner + 1) > data_end)
		return decap_exit(MIP6LB_DCNT_DROP_TRUNCATED, bytes, XDP_DROP);
	/* The inner header is in the frame but outside the outer payload
	 * (payload_len 0 is a jumbogram only with a Hop-by-Hop option, RFC
	 * 2675, which cannot be here since next header is 41). */
	if (outer_plen < sizeof(*inner))
		return decap_exit(MIP6LB_DCNT_DROP_BAD_LENGTH, bytes, XDP_DROP);

	/* RFC 2473 §3 allows IPv4 inside too; mip6lb only ever tunnels IPv6,
	 * and next header 41 promises IPv6. */
	if (decap_version(inner) != 6)
		return decap_exit(MIP6LB_DCNT_DROP_INNER_NOT_IPV6, bytes, XDP_DROP);
	inner_plen = bpf_ntohs(inner->payload_len);
	if ((__u32)inner_plen + sizeof(*inner) > outer_plen)
		return decap_exit(MIP6LB_DCNT_DROP_BAD_LENGTH, bytes, XDP_DROP);
	/* A tunnel in a tunnel (RFC 2473 §4): the balancer never nests, and
	 * one more layer would only reach a stack that cannot strip it. */
	if (inner->nexthdr == MIP6LB_NH_IPV6)
		return decap_exit(MIP6LB_DCNT_DROP_NESTED, bytes, XDP_DROP);

	/* RFC 6040 §4.2 (Figure 4), whatever mode the encapsulator used.
	 * Outer CE over a Not-ECT inner is a congestion mark the inner
	 * transport cannot understand: drop.  Outer CE over ECT(0)/ECT(1) becomes inner CE, and outer
	 * ECT(1) over inner ECT(0) becomes ECT(1); every other combination
	 * keeps the inner codepoint.  IPv6 has no header checksum to fix, and
	 * the rest of the traffic class, the flow label and the hop limit
	 * stay as they arrived: RFC 2473 §3.3 removes the outer header and
	 * hands on the original packet, and this host delivers it locally. */
	oecn = decap_ecn(outer);
	iecn = decap_ecn(inner);
	if (oecn == DECAP_ECN_CE) {
		if (iecn == DECAP_ECN_NOT_ECT)
			return decap_exit(MIP6LB_DCNT_DROP_ECN, bytes, XDP_DROP);
		if (iecn != DECAP_ECN_CE)
			decap_set_ecn(inner, DECAP_ECN_CE);
	} else if (oecn == DECAP_ECN_ECT1 && iecn == DECAP_ECN_ECT0) {
		decap_set_ecn(inner, DECAP_ECN_ECT1);
	}

	/* Move the Ethernet header up against the inner header: its new place
	 * [40, 54) overlaps only outer bytes already read, never the old
	 * header [0, 14).  The ethertype stays IPv6.  No bounds check: the
	 * verifier already knows the frame holds the inner header, past it. */
	neth = (void *)eth + sizeof(*outer);
	__builtin_memcpy(neth->h_dest, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(neth->h_source, eth->h_source, ETH_ALEN);
	neth->h_proto = bpf_htons(MIP6LB_ETH_P_IPV6);

	if (bpf_xdp_adjust_head(ctx, (int)sizeof(*outer)))
		return decap_exit(MIP6LB_DCNT_DROP_ERROR, bytes, XDP_DROP);
	/* Every packet pointer is invalid after adjust_head (the verifier
	 * rejects any use of eth, outer, inner or neth now): re-derive, and
	 * check that the frame starts with the moved Ethernet header. */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(MIP6LB_ETH_P_IPV6))
		return decap_exit(MIP6LB_DCNT_DROP_ERROR, bytes, XDP_DROP);
	return decap_exit(MIP6LB_DCNT_DECAPSULATED, bytes, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
