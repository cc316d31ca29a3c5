/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * identity.h - where a packet's identity is chosen.  The keys: each kind
 * of identity a packet may carry (home address, SPI, interface identifier,
 * source address) as a session key.  The choice: a service lists the kinds
 * it trusts in priority order, and the first that has a live session wins,
 * else the first the packet carries starts one (session.h picks the
 * backend for it).
 *
 * The key builders use no BPF helper: the offline classifier and the
 * fuzzers build the same keys (lib/parse_user.h includes this file).  The
 * choice uses the maps and is built for BPF only.
 */
#ifndef MIP6LB_IDENTITY_H
#define MIP6LB_IDENTITY_H

#include "parse.h"

/* Modified EUI-64 interface identifiers carry ff:fe in the middle
 * (RFC 4291 Appendix A): bytes 11 and 12 of the address. */
static __always_inline int mip6lb_is_eui64(const struct in6_addr *a)
{
	const __u8 *b = (const __u8 *)a;

	return b[11] == 0xff && b[12] == 0xfe;
}

/*
 * Fill key with the identity of the given kind if the packet carries one.
 * Returns 1 when it does, 0 when it does not.  hoa and src land in the same
 * address keyspace on purpose (see mip6lb.h).
 */
static __always_inline int mip6lb_identity_key(const struct mip6lb_pkt *pkt,
					       __u32 service_id, __u32 svc_flags,
					       __u8 kind,
					       struct mip6lb_session_key *key)
{
	/* Written as three 8-byte words (service id, space, pad | id), for
	 * the reason given at mip6lb_get64: the kernel hashes and compares
	 * the key right after. */
	const __u8 *k = (const __u8 *)key;
	__u64 w1, w2;
	__u8 space;

	switch (kind) {
	case MIP6LB_KIND_HOA:
		if (!(pkt->flags & MIP6LB_PKT_HAS_HAO))
			return 0;
		space = MIP6LB_SPACE_ADDR;
		w1 = mip6lb_get64(&pkt->hoa);
		w2 = mip6lb_get64((const __u8 *)&pkt->hoa + 8);
		break;
	case MIP6LB_KIND_SPI:
		if (!(pkt->flags & MIP6LB_PKT_HAS_SPI))
			return 0;
		space = MIP6LB_SPACE_SPI;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		w1 = pkt->spi;         /* id.spi: the first 4 bytes of the id */
#else
		w1 = (__u64)pkt->spi << 32;
#endif
		w2 = 0;
		break;
	case MIP6LB_KIND_IID:
		if ((svc_flags & MIP6LB_SVC_EUI64_ONLY) && !mip6lb_is_eui64(&pkt->src))
			return 0;
		space = MIP6LB_SPACE_IID;
		w1 = mip6lb_get64((const __u8 *)&pkt->src + 8);
		w2 = 0;
		break;
	case MIP6LB_KIND_SRC:
		space = MIP6LB_SPACE_ADDR;
		w1 = mip6lb_get64(&pkt->src);
		w2 = mip6lb_get64((const __u8 *)&pkt->src + 8);
		break;
	default:
		return 0;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	mip6lb_put64((void *)k, (__u64)service_id | (__u64)space << 32);
#else
	mip6lb_put64((void *)k, (__u64)service_id << 32 | (__u64)space << 24);
#endif
	mip6lb_put64((void *)(k + 8), w1);
	mip6lb_put64((void *)(k + 16), w2);
	return 1;
}

#ifdef __bpf__
#include "session.h"

/* The packet of an identity on probation (p, at key; it came over the
 * budget or when sessions was full): forwarded to its backend; once the
 * identity is seen again settings.probation_ms after its first packet, it
 * moves into sessions (with its SPI/IID alias) if this CPU's budget and
 * the room allow, else it stays and tries again on its next packet.  0, or
 * mip6lb_session_apply's reason. */
static __always_inline int mip6lb_probation_use(const struct mip6lb_pkt *pkt,
						const struct mip6lb_settings *set,
						struct mip6lb_session_key *key,
						struct mip6lb_session *p, __u8 kind,
						const struct mip6lb_service *svc, __u64 now,
						struct mip6lb_choice *out)
{
	struct mip6lb_session val;
	int ret;

	ret = mip6lb_session_apply(p, key, kind, svc, now, out, 1);
	if (ret < 0)
		return ret;
	/* Each CPU caches the coarse clock (mip6lb_now), so an entry made on
	 * another CPU may look a tick younger than zero: not yet passed. */
	if (now < p->last_used_ns + (__u64)set->probation_ms * 1000000ULL) {
		mip6lb_count(MIP6LB_CNT_PROBATION_HIT, 0);
		return 0;
	}
	/* Moving in is a new entry in sessions: within the budget only. */
	if (!mip6lb_admit(set, now)) {
		mip6lb_count(MIP6LB_CNT_PROBATION_HIT, 0);
		return 0;
	}
	val = *p;
	val.flags = 0;
	val.last_used_ns = now;
	ret = bpf_map_update_elem(&sessions, key, &val, BPF_NOEXIST);
	if (ret && ret != -17 /* EEXIST: another CPU moved it first */) {
		mip6lb_count(MIP6LB_CNT_SESSION_TABLE_FULL, 0);
		return 0;
	}
	bpf_map_delete_elem(&probation, key);
	if (key->space != MIP6LB_SPACE_ADDR) {
		__u8 alias_kind = mip6lb_alias_kind(pkt);

		mip6lb_identity_key(pkt, svc->id, svc->flags, alias_kind, key);
		val.kind = alias_kind;
		bpf_map_update_elem(&sessions, key, &val, BPF_NOEXIST);
		bpf_map_delete_elem(&probation, key);
	}
	mip6lb_count(MIP6LB_CNT_PROBATION_PASSED, 0);
	return 0;
}

/* The identity at key, missed in sessions: on probation? */
static __always_inline struct mip6lb_session *
mip6lb_probation_find(const struct mip6lb_settings *set, const struct mip6lb_session_key *key)
{
	if (!set || !set->probation_ms)
		return NULL;
	return bpf_map_lookup_elem(&probation, key);
}

/*
 * Choose the backend for a packet of service svc.  Each identity the
 * service enables is looked up in priority order and the first established
 * session wins (and is copied to the packet's highest-priority identity
 * if that had none); a session whose backend is gone is re-hashed in place.
 * When the highest identity has no session but is on probation, its
 * probation entry decides, without the lower identities' lookups: they were
 * made at its first packet.  On a miss, the first identity present picks a
 * backend on the ring and is recorded, within the budget (session.h); the
 * node's address (HAO, else source) is added as an alias when the session
 * is keyed otherwise, so that the same node later seen in the address
 * keyspace (home link, HAO, binding notification) finds it.  src_only
 * restricts the identities to the source address (and the HAO when
 * present), for packets whose other identities cannot be trusted.  0, or
 * -MIP6LB_CNT_DROP_NO_BACKEND.
 */
static __always_inline int mip6lb_choose(const struct mip6lb_pkt *pkt,
					 struct mip6lb_service *svc, int src_only,
					 __u64 now, struct mip6lb_choice *out)
{
	struct mip6lb_session_key key;
	struct mip6lb_session val = {};
	struct mip6lb_settings *set = NULL;
	struct mip6lb_session *p;
	__u8 first_kind = MIP6LB_KIND_NONE;
	__u32 i;
	int ret;

	for (i = 0; i < MIP6LB_MAX_ID_ORDER; i++) {
		__u8 kind;

		if (i >= svc->n_ids)
			break;
		kind = svc->id_order[i];
		if (src_only && kind != MIP6LB_KIND_HOA && kind != MIP6LB_KIND_SRC)
			continue;
		if (!mip6lb_identity_key(pkt, svc->id, svc->flags, kind, &key))
			continue;
		ret = mip6lb_session_use(&key, kind, svc, now, out);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			/* Found under a lower-priority identity while a higher
			 * one went unmatched (a node that sent from its CoA
			 * before naming its home address, an IKE rekey's new
			 * SPI): give the higher identity the same backend, so
			 * the node's next move still finds it. */
			if (first_kind != MIP6LB_KIND_NONE)
				goto promote;
			return 0;
		}
		if (first_kind == MIP6LB_KIND_NONE) {
			first_kind = kind;
			set = mip6lb_settings_get();
			p = mip6lb_probation_find(set, &key);
			if (p)
				goto probation;
		}
	}

	/* "else the source address": the last resort for every service. */
	if (first_kind == MIP6LB_KIND_NONE) {
		first_kind = MIP6LB_KIND_SRC;
		mip6lb_identity_key(pkt, svc->id, svc->flags, first_kind, &key);
		ret = mip6lb_session_use(&key, first_kind, svc, now, out);
		if (ret <= 0)
			return ret;
		set = mip6lb_settings_get();
		p = mip6lb_probation_find(set, &key);
		if (p)
			goto probation;
	} else {
		/* The loop left key at the last identity tried. */
		mip6lb_identity_key(pkt, svc->id, svc->flags, first_kind, &key);
	}

	ret = mip6lb_session_new(pkt, set, &key, first_kind, svc, now, out, &val);
	if (ret < 0)
		return ret;
	mip6lb_midflow_count(pkt, svc->id);
	if (ret > 0 && key.space != MIP6LB_SPACE_ADDR) {
		/* Alias in the address keyspace; never overwrite a live one. */
		__u8 alias_kind = mip6lb_alias_kind(pkt);

		mip6lb_identity_key(pkt, svc->id, svc->flags, alias_kind, &key);
		mip6lb_session_alias(&key, alias_kind, &val);
	}
	mip6lb_count(MIP6LB_CNT_SESSION_NEW, 0);
	return 0;

	/* The two ways out of the loop have one place each, so the unrolled
	 * loop does not carry a copy of them per identity. */
promote:
	mip6lb_identity_key(pkt, svc->id, svc->flags, first_kind, &key);
	mip6lb_session_promote(pkt, &key, first_kind, svc, now, out);
	return 0;
probation:
	/* key is first_kind's. */
	return mip6lb_probation_use(pkt, set, &key, p, first_kind, svc, now, out);
}
#endif /* __bpf__ */

#endif /* MIP6LB_IDENTITY_H */
