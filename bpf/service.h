/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * service.h - which service a packet is for: the VIP's entry in vip_index
 * (the vips hash map when its bucket overflowed), the one-lookup fast path
 * for a VIP whose only service is (vip, any, any), else the most specific
 * (vip, proto, port) in services.  The service's config is service_conf[id].
 */
#ifndef MIP6LB_SERVICE_H
#define MIP6LB_SERVICE_H

#include "maps.h"
#include "parse.h"

static __always_inline struct mip6lb_service *mip6lb_service_by_id(__u32 id)
{
	struct mip6lb_service *svc = bpf_map_lookup_elem(&service_conf, &id);

	return svc && (svc->flags & MIP6LB_SVC_ACTIVE) ? svc : NULL;
}

static __always_inline int mip6lb_addr_eq(const struct in6_addr *a,
					  const struct in6_addr *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]));
}

/* The VIP's entry: its bucket in vip_index, and the vips hash map only
 * when that bucket overflowed.  NULL: the address is no VIP. */
static __always_inline struct mip6lb_vip *mip6lb_vip_find(const struct in6_addr *dst)
{
	__u32 b = mip6lb_vip_bucket_of(dst);
	struct mip6lb_vip_bucket *bk = bpf_map_lookup_elem(&vip_index, &b);
	__u32 i;

	if (!bk)
		return NULL;
	for (i = 0; i < MIP6LB_VIP_BUCKET_SLOTS; i++) {
		struct mip6lb_vip_slot *sl = &bk->slot[i];

		if ((bk->used & (1U << i)) && mip6lb_addr_eq(&sl->addr, dst))
			return &sl->vip;
	}
	if (bk->flags & MIP6LB_VIPB_OVERFLOW)
		return bpf_map_lookup_elem(&vips, dst);
	return NULL;
}

/* A VIP whose only service is (vip, any, any) answers in one lookup;
 * otherwise exact (vip, proto, port), then (vip, proto, any), then
 * (vip, any, any). */
static __always_inline struct mip6lb_service *
mip6lb_service_lookup(const struct mip6lb_pkt *pkt)
{
	struct mip6lb_service_key key = {};
	struct mip6lb_service_ref *ref;
	struct mip6lb_vip *vip;

	/* Every VIP that has a service has a vips entry (dp_service_write
	 * keeps it so): no entry, no service, and host traffic costs one
	 * lookup. */
	vip = mip6lb_vip_find(&pkt->dst);
	if (!vip)
		return NULL;
	if (vip->fast_id != MIP6LB_NO_SERVICE) {
		struct mip6lb_service *svc = mip6lb_service_by_id(vip->fast_id);

		if (svc)
			return svc;
	}

	__builtin_memcpy(&key.vip, &pkt->dst, sizeof(key.vip));
	key.proto = pkt->proto;
	if (pkt->flags & MIP6LB_PKT_HAS_PORTS) {
		key.port = pkt->dport;
		ref = bpf_map_lookup_elem(&services, &key);
		if (ref)
			return mip6lb_service_by_id(ref->id);
		key.port = 0;
	}
	ref = bpf_map_lookup_elem(&services, &key);
	if (ref)
		return mip6lb_service_by_id(ref->id);
	key.proto = 0;
	ref = bpf_map_lookup_elem(&services, &key);
	return ref ? mip6lb_service_by_id(ref->id) : NULL;
}

/* For packets with no port to match: the VIP's default service. */
static __always_inline struct mip6lb_service *
mip6lb_service_by_vip(const struct mip6lb_pkt *pkt)
{
	struct mip6lb_vip *vip = mip6lb_vip_find(&pkt->dst);

	return vip ? mip6lb_service_by_id(vip->service_id) : NULL;
}

#endif /* MIP6LB_SERVICE_H */
