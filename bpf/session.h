/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * session.h - service lookup, the session table, the Maglev ring and
 * fragment tracking.  This is where a packet's backend is chosen:
 * an existing session always wins over the ring, so adding a backend or
 * draining one never moves a live session.
 */
#ifndef MIP6LB_SESSION_H
#define MIP6LB_SESSION_H

#include "maps.h"
#include "parse.h"
#include "hash.h"

#define MIP6LB_RING_EMPTY 0xffffffffU

struct mip6lb_choice {
	struct mip6lb_backend *be;
	__u32 backend_id;
	__u32 hash;                    /* identity hash: set on a miss or a
					* re-hash, and for ip6ip6 (flow label);
					* a plain l2-dsr hit never computes it */
	__u8  kind;                    /* the kind the packet was matched by */
	__u8  is_new;
	__u8  hit;                     /* found a live session (session_hit is
					* counted by the caller, with the rest) */
};

static __always_inline struct mip6lb_counters *mip6lb_counters_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

/* Count with the entry the caller already holds (the per-packet path). */
static __always_inline void mip6lb_cnt_add(struct mip6lb_counters *cs, __u32 idx, __u64 bytes)
{
	if (cs && idx < MIP6LB_CNT_MAX) {
		cs->c[idx].packets++;
		cs->c[idx].bytes += bytes;
	}
}

/* Count from anywhere (the rarer paths). */
static __always_inline void mip6lb_count(__u32 idx, __u64 bytes)
{
	mip6lb_cnt_add(mip6lb_counters_get(), idx, bytes);
}

/* CLOCK_MONOTONIC, coarse.  The coarse clock only moves on a tick, so
 * it is read once per jiffy per CPU (bpf_jiffies64 is inlined to a load;
 * the clock helper is a call through the timekeeping code).  At worst a
 * value is one tick old. */
static __always_inline __u64 mip6lb_now(void)
{
	__u32 zero = 0;
	struct mip6lb_clock *c = bpf_map_lookup_elem(&clock_cache, &zero);
	__u64 j = bpf_jiffies64();

	if (!c)
		return bpf_ktime_get_coarse_ns();
	if (c->jiffies != j) {
		c->jiffies = j;
		c->now_ns = bpf_ktime_get_coarse_ns();
	}
	return c->now_ns;
}

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

/* A session may use a backend that is still configured for its service;
 * a drained backend still qualifies. */
static __always_inline struct mip6lb_backend *
mip6lb_backend_usable(__u32 id, __u32 service_id)
{
	struct mip6lb_backend *be = bpf_map_lookup_elem(&backends, &id);

	if (!be || !(be->flags & MIP6LB_BE_ACTIVE) || be->service_id != service_id)
		return NULL;
	return be;
}

static __always_inline struct mip6lb_backend *
mip6lb_ring_pick(__u32 service_id, __u32 hash, __u32 *backend_id)
{
	__u32 idx = service_id * MIP6LB_RING_SIZE + hash % MIP6LB_RING_SIZE;
	__u32 *slot = bpf_map_lookup_elem(&rings, &idx);

	if (!slot || *slot == MIP6LB_RING_EMPTY)
		return NULL;
	*backend_id = *slot;
	return mip6lb_backend_usable(*slot, service_id);
}

/* Refresh last use at most once per MIP6LB_TOUCH_NS: a plain store into
 * the map value, not a map update, and only when it changed enough. */
static __always_inline void mip6lb_session_touch(struct mip6lb_session *s, __u64 now)
{
	if (now - s->last_used_ns >= MIP6LB_TOUCH_NS)
		s->last_used_ns = now;
}

static __always_inline void mip6lb_event_new(const struct mip6lb_pkt *pkt,
					     const struct mip6lb_session_key *key,
					     __u8 kind, __u32 backend_id, __u64 now)
{
	struct mip6lb_event_window *win;
	struct mip6lb_settings *set;
	struct mip6lb_event *ev;
	__u32 zero = 0;

	set = bpf_map_lookup_elem(&settings, &zero);
	win = bpf_map_lookup_elem(&event_window, &zero);
	if (!set || !win || !set->events_per_sec)
		return;
	if (now - win->start_ns >= 1000000000ULL) {
		win->start_ns = now;
		win->sent = 0;
	}
	if (win->sent >= set->events_per_sec) {
		mip6lb_count(MIP6LB_CNT_EVENT_DROPPED, 0);
		return;
	}
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		mip6lb_count(MIP6LB_CNT_EVENT_DROPPED, 0);
		return;
	}
	win->sent++;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = MIP6LB_EV_SESSION_NEW;
	ev->backend_id = backend_id;
	ev->key = *key;
	ev->kind = kind;
	ev->has_hao = !!(pkt->flags & MIP6LB_PKT_HAS_HAO);
	__builtin_memcpy(&ev->home_addr, ev->has_hao ? &pkt->hoa : &pkt->src,
			 sizeof(ev->home_addr));
	__builtin_memcpy(&ev->src, &pkt->src, sizeof(ev->src));
	ev->ts_ns = now;
	bpf_ringbuf_submit(ev, 0);
	mip6lb_count(MIP6LB_CNT_EVENT_SENT, 0);
}

/* Use the session at key if it exists: 0 with *out filled, 1 on a miss,
 * -1 when its backend is gone and the ring has none to re-hash it to.  A
 * session whose backend was removed is re-hashed in place. */
static __always_inline int mip6lb_session_use(const struct mip6lb_session_key *key,
					      __u8 kind, const struct mip6lb_service *svc,
					      __u64 now, struct mip6lb_choice *out)
{
	struct mip6lb_session *sess = bpf_map_lookup_elem(&sessions, key);

	if (!sess)
		return 1;
	out->hash = 0;
	if (svc->forward == MIP6LB_FWD_IP6IP6) {
		/* Hashed once per session, not per packet. */
		out->hash = sess->flow_hash;
		if (!out->hash) {
			out->hash = mip6lb_session_hash(key);
			sess->flow_hash = out->hash;
		}
	}
	out->kind = sess->kind == MIP6LB_KIND_COA ? MIP6LB_KIND_COA : kind;
	out->is_new = 0;
	out->be = mip6lb_backend_usable(sess->backend_id, svc->id);
	if (out->be) {
		out->backend_id = sess->backend_id;
		mip6lb_session_touch(sess, now);
		out->hit = 1;
		return 0;
	}
	out->hash = mip6lb_session_hash(key);
	out->be = mip6lb_ring_pick(svc->id, out->hash, &out->backend_id);
	if (!out->be)
		return -1;
	sess->backend_id = out->backend_id;
	sess->flow_hash = out->hash;
	sess->last_used_ns = now;
	mip6lb_count(MIP6LB_CNT_SESSION_REHASH, 0);
	return 0;
}

static __always_inline void mip6lb_session_promote(const struct mip6lb_session_key *key,
						   __u8 kind,
						   const struct mip6lb_service *svc,
						   __u64 now,
						   const struct mip6lb_choice *ch)
{
	struct mip6lb_session val = {
		.backend_id = ch->backend_id,
		.kind = kind,
		.lifetime_s = svc->lifetime_s,
		.flow_hash = ch->hash,
		.last_used_ns = now,
	};

	if (!bpf_map_update_elem(&sessions, key, &val, BPF_NOEXIST))
		mip6lb_count(MIP6LB_CNT_SESSION_PROMOTED, 0);
}

/*
 * Choose the backend for a packet of service svc.  Each identity the
 * service enables is looked up in priority order and the first live
 * session wins (and is copied to the packet's highest-priority identity
 * if that had none); a session whose backend is gone is re-hashed in place.  On a
 * miss, the first identity present picks a backend on the ring and becomes
 * the session; the node's address (HAO, else source) is added as an alias
 * when the session is keyed otherwise, so that the same node later seen in
 * the address keyspace (home link, HAO, binding notification) finds it.
 * src_only restricts the identities to the source address (and the HAO
 * when present), for packets whose other identities cannot be trusted.
 */
static __always_inline int mip6lb_choose(const struct mip6lb_pkt *pkt,
					 struct mip6lb_service *svc, int src_only,
					 __u64 now, struct mip6lb_choice *out)
{
	struct mip6lb_session_key key;
	struct mip6lb_session val = {};
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
		if (first_kind == MIP6LB_KIND_NONE)
			first_kind = kind;
		ret = mip6lb_session_use(&key, kind, svc, now, out);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			/* Found under a lower-priority identity while a higher
			 * one went unmatched (a node that sent from its CoA
			 * before naming its home address, an IKE rekey's new
			 * SPI): give the higher identity the same backend, so
			 * the node's next move still finds it. */
			if (kind != first_kind) {
				mip6lb_identity_key(pkt, svc->id, svc->flags, first_kind, &key);
				mip6lb_session_promote(&key, first_kind, svc, now, out);
			}
			return 0;
		}
	}

	/* "else the source address": the last resort for every service. */
	if (first_kind == MIP6LB_KIND_NONE) {
		first_kind = MIP6LB_KIND_SRC;
		mip6lb_identity_key(pkt, svc->id, svc->flags, first_kind, &key);
		ret = mip6lb_session_use(&key, first_kind, svc, now, out);
		if (ret <= 0)
			return ret;
	} else {
		/* The loop left key at the last identity tried. */
		mip6lb_identity_key(pkt, svc->id, svc->flags, first_kind, &key);
	}

	out->hash = mip6lb_session_hash(&key);
	out->kind = first_kind;
	out->is_new = 1;
	out->be = mip6lb_ring_pick(svc->id, out->hash, &out->backend_id);
	if (!out->be)
		return -1;
	val.backend_id = out->backend_id;
	val.kind = first_kind;
	val.lifetime_s = svc->lifetime_s;
	val.flow_hash = out->hash;
	val.last_used_ns = now;
	bpf_map_update_elem(&sessions, &key, &val, BPF_ANY);
	mip6lb_event_new(pkt, &key, first_kind, out->backend_id, now);
	if (key.space != MIP6LB_SPACE_ADDR) {
		/* Alias in the address keyspace; never overwrite a live one. */
		__u8 alias_kind = (pkt->flags & MIP6LB_PKT_HAS_HAO) ?
				  MIP6LB_KIND_HOA : MIP6LB_KIND_SRC;

		mip6lb_identity_key(pkt, svc->id, svc->flags, alias_kind, &key);
		val.kind = alias_kind;
		bpf_map_update_elem(&sessions, &key, &val, BPF_NOEXIST);
	}
	mip6lb_count(MIP6LB_CNT_SESSION_NEW, 0);
	return 0;
}

static __always_inline void mip6lb_frag_key(const struct mip6lb_pkt *pkt,
					    struct mip6lb_frag_key *fk)
{
	__builtin_memset(fk, 0, sizeof(*fk));
	__builtin_memcpy(&fk->src, &pkt->src, sizeof(fk->src));
	__builtin_memcpy(&fk->dst, &pkt->dst, sizeof(fk->dst));
	fk->id = pkt->frag_id;
}

#endif /* MIP6LB_SESSION_H */
