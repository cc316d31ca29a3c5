/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * session.h - where a packet's backend is picked, given its identity's
 * session key (identity.h): the session table (use, refresh, re-hash,
 * promotion, creation), the Maglev ring, new-session events and fragment
 * tracking.  An existing session always wins over the ring, so adding a
 * backend or draining one never moves a live session.
 */
#ifndef MIP6LB_SESSION_H
#define MIP6LB_SESSION_H

#include "maps.h"
#include "parse.h"
#include "hash.h"
#include "counters.h"
#include "service.h"

#define MIP6LB_RING_EMPTY 0xffffffffU

struct mip6lb_choice {
	struct mip6lb_backend *be;
	__u32 backend_id;
	__u32 hash;                    /* the node's anchor (the session's
					* flow_hash), or the identity hash on a
					* miss: the ip6ip6 flow label, and what a
					* promoted identity inherits; a plain
					* l2-dsr hit only reads it */
	__u8  kind;                    /* the kind the packet was matched by */
	__u8  is_new;
	__u8  hit;                     /* found a live session (session_hit is
					* counted by the caller, with the rest) */
};

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

/* Why backend id is not usable by a session of service_id, as a counter
 * (enum mip6lb_rehash_reason).  Only the re-hash path calls it, so the
 * hit path keeps its one lookup; the entry is read again here rather
 * than passed down from mip6lb_backend_usable. */
static __always_inline __u32 mip6lb_rehash_reason(__u32 id, __u32 service_id)
{
	struct mip6lb_backend *be = bpf_map_lookup_elem(&backends, &id);
	__u32 r = MIP6LB_REHASH_REMOVED;

	if (be && be->service_id == service_id) {
		if (be->flags & MIP6LB_BE_DISABLED)
			r = MIP6LB_REHASH_DISABLED;
		else if (be->flags & MIP6LB_BE_DOWN)
			r = MIP6LB_REHASH_DOWN;
		else if (be->flags & MIP6LB_BE_DRAINED)
			r = MIP6LB_REHASH_DRAINED;
	}
	return MIP6LB_CNT_REHASH_DOWN + r;
}

/* Count a re-hash off backend gone: session_rehash and its reason.  A
 * global function, which the verifier checks once on its own: the three
 * inlined re-hash paths each cost a call instead of the reason's lookup and
 * branches, so the hit paths beside them keep the code and registers they
 * had (inlined, clang moved their registers and spills around). */
__attribute__((noinline))
int mip6lb_rehash_count(__u32 gone, __u32 service_id)
{
	mip6lb_count(MIP6LB_CNT_SESSION_REHASH, 0);
	mip6lb_count(mip6lb_rehash_reason(gone, service_id), 0);
	return 0;
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
 * the map value, not a map update, and only when it changed enough.  A
 * copy from another instance becomes this instance's own once used here
 * (MIP6LB_SESS_SYNCED). */
static __always_inline void mip6lb_session_touch(struct mip6lb_session *s, __u64 now)
{
	if (now - s->last_used_ns >= MIP6LB_TOUCH_NS) {
		s->last_used_ns = now;
		s->flags &= ~MIP6LB_SESS_SYNCED;
	}
}

/* This CPU's one-second window of events and admissions, restarted when
 * its second is over.  Compared without a subtraction: a start written
 * from a finer clock (the daemon, a test) may be a tick ahead of the
 * coarse now. */
static __always_inline struct mip6lb_event_window *mip6lb_window(__u64 now)
{
	__u32 zero = 0;
	struct mip6lb_event_window *win = bpf_map_lookup_elem(&event_window, &zero);

	if (win && now >= win->start_ns + 1000000000ULL) {
		win->start_ns = now;
		win->sent = 0;
		win->admitted = 0;
	}
	return win;
}

static __always_inline struct mip6lb_settings *mip6lb_settings_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&settings, &zero);
}

static __always_inline void mip6lb_event_new(const struct mip6lb_pkt *pkt,
					     const struct mip6lb_settings *set,
					     const struct mip6lb_session_key *key,
					     __u8 kind, __u32 backend_id, __u32 anchor, __u64 now,
					     __u32 type)
{
	struct mip6lb_event_window *win;
	struct mip6lb_event *ev;

	if (!set || !set->events_per_sec)
		return;
	win = mip6lb_window(now);
	if (!win)
		return;
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
	ev->type = type;
	ev->backend_id = backend_id;
	ev->key = *key;
	ev->kind = kind;
	ev->anchor = anchor;
	ev->has_hao = !!(pkt->flags & MIP6LB_PKT_HAS_HAO);
	__builtin_memcpy(&ev->home_addr, ev->has_hao ? &pkt->hoa : &pkt->src,
			 sizeof(ev->home_addr));
	__builtin_memcpy(&ev->src, &pkt->src, sizeof(ev->src));
	ev->ts_ns = now;
	bpf_ringbuf_submit(ev, 0);
	mip6lb_count(MIP6LB_CNT_EVENT_SENT, 0);
}

/* May this CPU record one more new identity this second
 * (settings.new_per_sec)?  Counts it when it may. */
static __always_inline int mip6lb_admit(const struct mip6lb_settings *set, __u64 now)
{
	struct mip6lb_event_window *win;

	if (!set || !set->new_per_sec)
		return 1;
	win = mip6lb_window(now);
	if (!win)
		return 1;
	if (win->admitted >= set->new_per_sec)
		return 0;
	win->admitted++;
	return 1;
}

/* The established session at key: sessions, then, for a source address
 * in a service that takes binding notifications, coa_sessions (no other
 * service can have coa sessions, so the others skip that lookup).  In this
 * order a plain source's hit costs one lookup, as before coa sessions had
 * their own map; a coa hit costs a miss more.  A session that plain
 * packets from a new care-of address started before its notification
 * arrived would shadow the coa session: the daemon deletes it when it
 * writes the coa session (loader/notify_coa.c). */
static __always_inline struct mip6lb_session *
mip6lb_session_find(const struct mip6lb_session_key *key, __u8 kind,
		    const struct mip6lb_service *svc)
{
	struct mip6lb_session *sess = bpf_map_lookup_elem(&sessions, key);

	if (!sess && kind == MIP6LB_KIND_SRC && svc->notify != MIP6LB_NOTIFY_OFF)
		sess = bpf_map_lookup_elem(&coa_sessions, key);
	return sess;
}

/* Use the session sess found at key: 0 with *out filled,
 * -MIP6LB_CNT_DROP_NO_BACKEND when its backend is gone and the ring has
 * none to re-hash it to.  A session whose backend is gone (removed, down,
 * disabled, drained past its deadline) is re-hashed in place on its node's
 * anchor (flow_hash), so every session of the node lands on the same new
 * backend; it counts as session_rehash and under its reason.  A session on
 * probation keeps its first sighting as last use. */
static __always_inline int mip6lb_session_apply(struct mip6lb_session *sess,
						const struct mip6lb_session_key *key,
						__u8 kind, const struct mip6lb_service *svc,
						__u64 now, struct mip6lb_choice *out,
						int on_probation)
{
	__u32 gone;

	/* The anchor, for the flow label, a re-hash and a higher identity
	 * copied from this session.  A session written without one gets its
	 * own key's when it first needs it (one hash per session, and one
	 * place that computes it). */
	out->hash = sess->flow_hash;
	out->kind = sess->kind == MIP6LB_KIND_COA ? MIP6LB_KIND_COA : kind;
	out->is_new = 0;
	out->be = mip6lb_backend_usable(sess->backend_id, svc->id);
	if (!out->hash && (!out->be || svc->forward == MIP6LB_FWD_IP6IP6)) {
		out->hash = mip6lb_session_hash(key, svc->hash_id);
		sess->flow_hash = out->hash;
	}
	if (out->be) {
		out->backend_id = sess->backend_id;
		if (!on_probation)
			mip6lb_session_touch(sess, now);
		out->hit = !on_probation;
		return 0;
	}
	out->be = mip6lb_ring_pick(svc->id, out->hash, &out->backend_id);
	if (!out->be)
		return -MIP6LB_CNT_DROP_NO_BACKEND;
	gone = sess->backend_id;
	sess->backend_id = out->backend_id;
	sess->flow_hash = out->hash;
	if (!on_probation) {
		sess->last_used_ns = now;
		sess->flags &= ~MIP6LB_SESS_SYNCED;    /* this instance's choice now */
	}
	mip6lb_rehash_count(gone, svc->id);
	return 0;
}

/* Use the established session at key if it exists: 0 with *out filled,
 * 1 on a miss, or mip6lb_session_apply's reason. */
static __always_inline int mip6lb_session_use(const struct mip6lb_session_key *key,
					      __u8 kind, const struct mip6lb_service *svc,
					      __u64 now, struct mip6lb_choice *out)
{
	struct mip6lb_session *sess = mip6lb_session_find(key, kind, svc);

	if (!sess)
		return 1;
	return mip6lb_session_apply(sess, key, kind, svc, now, out, 0);
}

/*
 * Record val at key as a new identity (admission): into sessions while this
 * CPU's budget (settings.new_per_sec) allows and there is room, so a node
 * that sent one packet and went quiet keeps its session for its lifetime,
 * whatever comes after it; else on probation when that is on, where it must
 * be seen again probation_ms later to move into sessions; else nowhere
 * (session_unrecorded): the ring forwards it.  0 when recorded (val->flags
 * says where), -1 when not.  flags: BPF_ANY, or BPF_NOEXIST when a live
 * session must not be overwritten (-1 then, uncounted).
 */
static __always_inline int mip6lb_admit_record(const struct mip6lb_session_key *key,
					       struct mip6lb_session *val,
					       const struct mip6lb_settings *set, __u64 now,
					       __u64 flags)
{
	int on_probation = set && set->probation_ms;
	long err;

	if (mip6lb_admit(set, now)) {
		val->flags = 0;
		err = bpf_map_update_elem(&sessions, key, val, flags);
		if (!err)
			return 0;
		if (err == -17)                /* EEXIST: a live one is there */
			return -1;
		mip6lb_count(MIP6LB_CNT_SESSION_TABLE_FULL, 0);
	} else if (!on_probation) {
		mip6lb_count(MIP6LB_CNT_SESSION_UNRECORDED, 0);
	}
	if (!on_probation)
		return -1;
	val->flags = MIP6LB_SESS_PROBATION;
	if (bpf_map_update_elem(&probation, key, val, flags))
		return -1;
	mip6lb_count(MIP6LB_CNT_PROBATION_NEW, 0);
	return 0;
}

/* Found under a lower-priority identity while the higher one at key went
 * unmatched: give the higher identity the same backend and anchor.  It is
 * a new key like any other (a forged HAO from a known source must not
 * bypass admission): the budget and probation apply.  Announced
 * (MIP6LB_EV_SESSION_PROMOTED) when it went into sessions: the ring
 * cannot rebuild it on another instance, so session sync shares it. */
static __always_inline void mip6lb_session_promote(const struct mip6lb_pkt *pkt,
						   const struct mip6lb_session_key *key,
						   __u8 kind,
						   const struct mip6lb_service *svc,
						   __u64 now,
						   const struct mip6lb_choice *ch)
{
	struct mip6lb_settings *set = mip6lb_settings_get();
	struct mip6lb_session val = {
		.backend_id = ch->backend_id,
		.kind = kind,
		.lifetime_s = svc->lifetime_s,
		.flow_hash = ch->hash,         /* 0: not known, as the source's */
		.last_used_ns = now,
	};

	if (!mip6lb_admit_record(key, &val, set, now, BPF_NOEXIST)) {
		mip6lb_count(MIP6LB_CNT_SESSION_PROMOTED, 0);
		if (!(val.flags & MIP6LB_SESS_PROBATION))
			mip6lb_event_new(pkt, set, key, kind, ch->backend_id, ch->hash, now,
					 MIP6LB_EV_SESSION_PROMOTED);
	}
}

/* The node's address-keyspace identity (HAO, else source), where a
 * session keyed by SPI or IID gets its alias. */
static __always_inline __u8 mip6lb_alias_kind(const struct mip6lb_pkt *pkt)
{
	return (pkt->flags & MIP6LB_PKT_HAS_HAO) ? MIP6LB_KIND_HOA : MIP6LB_KIND_SRC;
}

/* A miss: the ring picks the backend for key, and the identity is
 * recorded as mip6lb_admit_record() decides and announced; val is left as
 * recorded, for the caller's alias.  1 when recorded, 0 when forwarded
 * unrecorded, -MIP6LB_CNT_DROP_NO_BACKEND when the ring is empty. */
static __always_inline int mip6lb_session_new(const struct mip6lb_pkt *pkt,
					      const struct mip6lb_settings *set,
					      const struct mip6lb_session_key *key,
					      __u8 kind, const struct mip6lb_service *svc,
					      __u64 now, struct mip6lb_choice *out,
					      struct mip6lb_session *val)
{
	out->hash = mip6lb_session_hash(key, svc->hash_id);
	out->kind = kind;
	out->is_new = 1;
	out->be = mip6lb_ring_pick(svc->id, out->hash, &out->backend_id);
	if (!out->be)
		return -MIP6LB_CNT_DROP_NO_BACKEND;
	val->backend_id = out->backend_id;
	val->kind = kind;
	val->lifetime_s = svc->lifetime_s;
	val->flow_hash = out->hash;
	val->last_used_ns = now;
	if (mip6lb_admit_record(key, val, set, now, BPF_ANY))
		return 0;
	mip6lb_event_new(pkt, set, key, kind, out->backend_id, out->hash, now,
			 MIP6LB_EV_SESSION_NEW);
	return 1;
}

/* A miss by a TCP segment without SYN: its connection started before, so
 * its session was lost (evicted, a restart, another instance) or never
 * made (Katran counts mid-connection LRU misses the same way).  Counted on
 * the miss path only, for every packet that found no session: recorded,
 * put on probation, or forwarded unrecorded (which finds none again next
 * time, and counts again).  A packet that finds its identity on probation
 * found state, so is not counted: the packet that made it was. */
static __always_inline void mip6lb_midflow_count(const struct mip6lb_pkt *pkt, __u32 service_id)
{
	struct mip6lb_service_stats *st;

	if (!(pkt->flags & MIP6LB_PKT_HAS_TCP) || (pkt->tcp_flags & MIP6LB_TCP_SYN))
		return;
	st = bpf_map_lookup_elem(&service_stats, &service_id);
	if (st)
		st->midflow_new++;
}

/* The new session val again under key (another identity of the same
 * node, in the table val went to), unless a live one is there already. */
static __always_inline void mip6lb_session_alias(const struct mip6lb_session_key *key,
						 __u8 kind, struct mip6lb_session *val)
{
	val->kind = kind;
	if (val->flags & MIP6LB_SESS_PROBATION)
		bpf_map_update_elem(&probation, key, val, BPF_NOEXIST);
	else
		bpf_map_update_elem(&sessions, key, val, BPF_NOEXIST);
}

static __always_inline void mip6lb_frag_key(const struct mip6lb_pkt *pkt,
					    struct mip6lb_frag_key *fk)
{
	__builtin_memset(fk, 0, sizeof(*fk));
	__builtin_memcpy(&fk->src, &pkt->src, sizeof(fk->src));
	__builtin_memcpy(&fk->dst, &pkt->dst, sizeof(fk->dst));
	fk->id = pkt->frag_id;
}

/* A later fragment has no upper-layer header: it follows its first
 * fragment's choice when that was tracked and still holds.  0 with *svc
 * and *ch filled, 1 when it must be balanced on its own. */
static __always_inline int mip6lb_frag_follow(const struct mip6lb_pkt *pkt,
					      struct mip6lb_counters *cs, __u64 bytes,
					      struct mip6lb_service **svc,
					      struct mip6lb_choice *ch)
{
	struct mip6lb_frag_key fk;
	struct mip6lb_frag *fr;

	mip6lb_frag_key(pkt, &fk);
	fr = bpf_map_lookup_elem(&frags, &fk);
	if (!fr)
		return 1;
	*svc = mip6lb_service_by_id(fr->service_id);
	if (!*svc)
		return 1;
	ch->be = mip6lb_backend_usable(fr->backend_id, fr->service_id);
	if (!ch->be)
		return 1;
	ch->backend_id = fr->backend_id;
	ch->kind = fr->kind;
	/* No identity at hand: the first fragment's, so every fragment has
	 * one flow label (RFC 6437 §3) and one outer source. */
	ch->hash = fr->hash;
	ch->is_new = 0;
	mip6lb_cnt_add(cs, MIP6LB_CNT_FRAG_TRACKED, bytes);
	return 0;
}

/* A first fragment: remember its choice for the later ones. */
static __always_inline void mip6lb_frag_record(const struct mip6lb_pkt *pkt,
					       const struct mip6lb_service *svc,
					       const struct mip6lb_choice *ch)
{
	struct mip6lb_frag_key fk;
	struct mip6lb_frag fr = {
		.service_id = svc->id,
		.backend_id = ch->backend_id,
		.kind = ch->kind,
		.hash = ch->hash,
	};

	mip6lb_frag_key(pkt, &fk);
	bpf_map_update_elem(&frags, &fk, &fr, BPF_ANY);
}

#endif /* MIP6LB_SESSION_H */
