// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health.bpf.c - tc egress on the balancer's interfaces: mip6lbd's health
 * probes (bpf/health.h) leave the host as ordinary packets to the VIP,
 * routed towards the balancer's gateway; this program takes every frame
 * whose socket mark names a backend and sends it to that backend exactly
 * as forward.h sends balanced traffic: l2-dsr rewrites the MACs to the
 * backend's next hop; ip6ip6 also prepends the outer header from the
 * service's lb_addr to the backend's (decap) address.  The backend answers
 * from the VIP straight to the balancer's own address.
 *
 * It reads the datapath's backends and service_conf maps (the daemon hands
 * it their fds before loading), and ignores a backend's ACTIVE flag: a
 * backend that is down must still be probed to come back.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_ALEN
#define ETH_ALEN 6
#endif
#define TC_ACT_OK   0
#define TC_ACT_SHOT 2

#include "mip6lb.h"
#include "health_mark.h"

#define MIP6LB_NH_IPV6          41
#define MIP6LB_ENCAP_HOP_LIMIT  64

/* The datapath's backends and service_conf, reused by fd. */
#include "shared_maps.h"

/* What happened to marked frames, by enum mip6lb_health_counter. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MIP6LB_HCNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} health_counters SEC(".maps");

static __always_inline int count(__u32 idx, int verdict)
{
	__u64 *c = bpf_map_lookup_elem(&health_counters, &idx);

	if (c)
		(*c)++;
	return verdict;
}

/* RFC 2473 §3.1: one outer header, next header 41, flow label 0 (a probe
 * has no identity hash). */
static __always_inline int push_outer(struct __sk_buff *skb, const struct mip6lb_service *svc,
				      const struct mip6lb_backend *be)
{
	struct ipv6hdr outer = {};
	__u32 inner_len = skb->len - sizeof(struct ethhdr);

	if (bpf_skb_adjust_room(skb, sizeof(outer), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV6))
		return -1;
	*(__be32 *)&outer = bpf_htonl(0x60000000U);
	outer.payload_len = bpf_htons(inner_len);
	outer.nexthdr = MIP6LB_NH_IPV6;
	outer.hop_limit = MIP6LB_ENCAP_HOP_LIMIT;
	__builtin_memcpy(&outer.saddr, &svc->lb_addr, sizeof(outer.saddr));
	__builtin_memcpy(&outer.daddr, &be->addr, sizeof(outer.daddr));
	return bpf_skb_store_bytes(skb, sizeof(struct ethhdr), &outer, sizeof(outer), 0);
}

SEC("tc")
int mip6lb_health_egress(struct __sk_buff *skb)
{
	const struct mip6lb_service *svc;
	const struct mip6lb_backend *be;
	__u32 id, sid;

	if ((skb->mark & MIP6LB_HEALTH_MARK_MASK) != MIP6LB_HEALTH_MARK)
		return TC_ACT_OK;
	if (skb->protocol != bpf_htons(0x86DD))
		return TC_ACT_OK;
	id = skb->mark & ~MIP6LB_HEALTH_MARK_MASK;
	be = bpf_map_lookup_elem(&backends, &id);
	if (!be)
		return count(MIP6LB_HCNT_NO_BACKEND, TC_ACT_SHOT);
	if (!(be->flags & MIP6LB_BE_NH_VALID))
		return count(MIP6LB_HCNT_NO_NEXTHOP, TC_ACT_SHOT);
	sid = be->service_id;
	svc = bpf_map_lookup_elem(&service_conf, &sid);
	if (!svc)
		return count(MIP6LB_HCNT_NO_BACKEND, TC_ACT_SHOT);
	if (svc->forward == MIP6LB_FWD_IP6IP6 && push_outer(skb, svc, be))
		return count(MIP6LB_HCNT_ENCAP_FAILED, TC_ACT_SHOT);
	/* Destination then source MAC: the first 12 bytes of the frame. */
	if (bpf_skb_store_bytes(skb, 0, be->dmac, ETH_ALEN, 0) ||
	    bpf_skb_store_bytes(skb, ETH_ALEN, be->smac, ETH_ALEN, 0))
		return count(MIP6LB_HCNT_ENCAP_FAILED, TC_ACT_SHOT);
	count(MIP6LB_HCNT_FORWARDED, 0);
	if (be->ifindex && be->ifindex != skb->ifindex)
		return bpf_redirect(be->ifindex, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
