/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * icmp_error.h - ICMPv6 errors follow their flow.  With direct server
 * return a backend's reply leaves from the VIP, so when a router on the
 * way to the client answers with an ICMPv6 error (Destination Unreachable,
 * Packet Too Big, Time Exceeded, Parameter Problem: RFC 4443 §3, types
 * 1-4), the error comes to the VIP, here.  It belongs to the backend that
 * sent the packet it quotes (RFC 4443 §2.4 c: as much of the invoking
 * packet as fits), which is the backend of the client's session: balanced
 * by its own outer source (the router) it would reach another backend,
 * and Path MTU discovery would never learn (a black hole, RFC 2923 §2.1).
 *
 * The quote is read as the client's own packet would look (mirrored:
 * quoted destination = the client's source, quoted source = the VIP,
 * ports swapped), so the service lookup and the identity keys are the
 * datapath's own:
 *   - the quoted destination: the client's source address, or a care-of
 *     address whose coa session says where the node is (session.h);
 *   - the address of a type 2 routing header in the quote: the home
 *     address of a route-optimised reply (RFC 6275 §6.4, §9.3.2), the
 *     client's HAO identity;
 *   - the interface identifier of the quoted destination, as the client's
 *     own packets are keyed when the service trusts it.
 * The SPI of a quoted ESP or AH packet is NOT an identity here: the
 * backend's reply carries the SPI of the client's inbound SA, which the
 * client chose (RFC 4301 §4.1), while the client's packets, and so the
 * sessions keyed by SPI, carry the SPI of the SA towards the VIP, chosen
 * by the VIP's side.  Looked up in the SPI keyspace, the reply's SPI
 * would find whichever session happens to own that number.  An ESP
 * client's error follows its address instead: every session keyed by SPI
 * has an alias in the address keyspace (identity.h, mip6lb_choose).
 *
 * An error finds its flow's session read-only: it never creates,
 * refreshes or re-hashes one (it is not the client's packet).  With no
 * session, the ring picks by the identity the client's own first packet
 * would be hashed by, so the error lands where that client would.
 *
 * The quote parser uses no BPF helper: lib/parse_user.h builds it for the
 * classifier and the fuzzers.  The step that chooses the backend is BPF
 * only.
 */
#ifndef MIP6LB_ICMP_ERROR_H
#define MIP6LB_ICMP_ERROR_H

#include "parse.h"

/* ICMPv6 error types (RFC 4443 §3; RFC 8200 §5 for Packet Too Big). */
#define MIP6LB_ICMP6_DEST_UNREACH  1
#define MIP6LB_ICMP6_PKT_TOOBIG    2
#define MIP6LB_ICMP6_TIME_EXCEED   3
#define MIP6LB_ICMP6_PARAMPROB     4

#define MIP6LB_ICMP6_HDR_LEN       8   /* type, code, checksum, 4 bytes */
#define MIP6LB_IP6_HDR_LEN         40
#define MIP6LB_RT2_HDRLEN          2   /* RFC 6275 §6.4: 24 bytes */

/* The ICMPv6 error type (1-4) of a packet the parser ended at ICMPv6,
 * else 0.  A later fragment or an unfinished chain has no ICMPv6 header
 * at hand. */
static __always_inline int mip6lb_icmp_error_type(void *data, void *data_end,
						  const struct mip6lb_pkt *pkt)
{
	__u8 *type;

	if (pkt->proto != MIP6LB_NH_ICMPV6 ||
	    (pkt->flags & (MIP6LB_PKT_FRAG_LATER | MIP6LB_PKT_CHAIN_LONG)))
		return 0;
	type = (__u8 *)data + (pkt->l4_off & MIP6LB_PARSE_OFF_MASK);
	if ((void *)(type + 1) > data_end ||
	    (__u32)pkt->l4_off + 1 > sizeof(struct ethhdr) + pkt->l3_len)
		return 0;
	if (*type < MIP6LB_ICMP6_DEST_UNREACH || *type > MIP6LB_ICMP6_PARAMPROB)
		return 0;
	return *type;
}

/* One header of the quote at the cursor.  The quote ends where the error
 * ends (c->limit): a header cut by it is truncated (MALFORMED), a quote
 * that ends between two headers is read as far as it goes (handled by the
 * caller). */
static __always_inline int mip6lb_quote_hdr(struct mip6lb_cursor *c, struct mip6lb_pkt *q)
{
	void *cur;
	__u32 len;

	c->off &= MIP6LB_PARSE_OFF_MASK;
	cur = c->data + c->off;
	switch (c->nexthdr) {
	case MIP6LB_NH_HOPOPTS:
	case MIP6LB_NH_ROUTING:
	case MIP6LB_NH_DSTOPTS: {
		struct mip6lb_rt_hdr *rt = cur;

		if (cur + 8 > c->data_end || c->off + 8 > c->limit)
			return MIP6LB_PARSE_MALFORMED;
		len = (rt->hdrlen + 1) * 8;
		if (cur + len > c->data_end || c->off + len > c->limit)
			return MIP6LB_PARSE_MALFORMED;
		if (c->nexthdr == MIP6LB_NH_ROUTING && rt->type == 2) {
			/* One home address, in a header of exactly 24 bytes
			 * (RFC 6275 §6.4); a second is inconsistent. */
			if (rt->hdrlen != MIP6LB_RT2_HDRLEN || (q->flags & MIP6LB_PKT_HAS_HAO))
				return MIP6LB_PARSE_MALFORMED;
			if (cur + 24 > c->data_end)
				return MIP6LB_PARSE_MALFORMED;
			mip6lb_addr_copy(&q->hoa, (__u8 *)cur + 8);
			q->flags |= MIP6LB_PKT_HAS_HAO | MIP6LB_PKT_RT_TYPE2;
		}
		c->nexthdr = rt->nexthdr;
		c->off += len;
		q->n_ext++;
		return MIP6LB_WALK_NEXT;
	}
	case MIP6LB_NH_FRAGMENT: {
		struct mip6lb_frag_hdr *fh = cur;

		if ((void *)(fh + 1) > c->data_end || c->off + sizeof(*fh) > c->limit)
			return MIP6LB_PARSE_MALFORMED;
		q->flags |= MIP6LB_PKT_FRAG;
		q->frag_id = mip6lb_ntohl(fh->id);
		c->nexthdr = fh->nexthdr;
		c->off += sizeof(*fh);
		q->n_ext++;
		if (mip6lb_ntohs(fh->frag_off) >> 3) {
			q->flags |= MIP6LB_PKT_FRAG_LATER;
			return MIP6LB_WALK_DONE;
		}
		return MIP6LB_WALK_NEXT;
	}
	case MIP6LB_NH_AH: {
		/* Skipped, SPI and all: see the file's opening comment. */
		struct mip6lb_ah_hdr *ah = cur;

		if ((void *)(ah + 1) > c->data_end || c->off + sizeof(*ah) > c->limit)
			return MIP6LB_PARSE_MALFORMED;
		len = (ah->hdrlen + 2) * 4;
		if (len < sizeof(*ah) || c->off + len > c->limit)
			return MIP6LB_PARSE_MALFORMED;
		c->nexthdr = ah->nexthdr;
		c->off += len;
		q->n_ext++;
		return MIP6LB_WALK_NEXT;
	}
	case MIP6LB_NH_ESP:
		/* The SPI must be there for the quote to be whole up to the
		 * upper layer, though it is no identity here. */
		if (cur + 4 > c->data_end || c->off + 4 > c->limit)
			return MIP6LB_PARSE_MALFORMED;
		return MIP6LB_WALK_DONE;
	case MIP6LB_NH_TCP:
	case MIP6LB_NH_UDP: {
		struct mip6lb_ports *ports = cur;

		if ((void *)(ports + 1) > c->data_end || c->off + sizeof(*ports) > c->limit)
			return MIP6LB_PARSE_MALFORMED;
		/* Mirrored: the reply's source port is the service's. */
		q->sport = mip6lb_ntohs(ports->dport);
		q->dport = mip6lb_ntohs(ports->sport);
		q->flags |= MIP6LB_PKT_HAS_PORTS;
		return MIP6LB_WALK_DONE;
	}
	default:
		return MIP6LB_WALK_DONE;
	}
}

/*
 * Parse the packet quoted by the ICMPv6 error whose header is at icmp_off,
 * up to limit (the error's end per its payload length, from data), into q
 * as the client's own packet would look (see the opening comment): src
 * the quoted destination, dst the quoted source, hoa the type 2 routing
 * header's address (MIP6LB_PKT_HAS_HAO | MIP6LB_PKT_RT_TYPE2), the ports
 * swapped, proto the quoted upper layer.  The quote's IPv6 header must be
 * whole; after it, the quote is read as far as it goes when it ends
 * between two headers (no ports, say), and is MALFORMED when it ends
 * inside one.  Its payload length is not checked: a quote is cut by
 * design.  A chain over MIP6LB_MAX_EXT_HDRS sets MIP6LB_PKT_CHAIN_LONG
 * and is read no further.  MIP6LB_PARSE_OK or MIP6LB_PARSE_MALFORMED.
 */
static __always_inline int mip6lb_parse_quote(void *ctx, void *data, void *data_end,
					      __u32 icmp_off, __u32 limit,
					      struct mip6lb_pkt *q)
{
	struct mip6lb_cursor c = { .ctx = ctx, .data = data, .data_end = data_end };
	struct ipv6hdr *ip6;
	int i, ret = MIP6LB_WALK_DONE;

	q->flags = 0;
	q->n_ext = 0;
	q->l3_len = 0;
	q->proto = 0;
	c.off = (icmp_off + MIP6LB_ICMP6_HDR_LEN) & MIP6LB_PARSE_OFF_MASK;
	c.limit = limit;
	ip6 = (void *)((__u8 *)data + c.off);
	if ((void *)(ip6 + 1) > data_end || c.off + MIP6LB_IP6_HDR_LEN > limit)
		return MIP6LB_PARSE_MALFORMED;
	if ((*(__u8 *)ip6 >> 4) != 6)
		return MIP6LB_PARSE_MALFORMED;
	mip6lb_addr_copy(&q->src, &ip6->daddr);
	mip6lb_addr_copy(&q->dst, &ip6->saddr);
	q->flags |= MIP6LB_PKT_ADDRS;
	c.nexthdr = ip6->nexthdr;
	c.off += MIP6LB_IP6_HDR_LEN;

	/* As mip6lb_parse: one pass more than the limit, for the upper layer
	 * behind the last extension header; the cursor masked each pass. */
	for (i = 0; i <= MIP6LB_MAX_EXT_HDRS; i++) {
		if (c.off >= c.limit) {
			/* The quote ends between two headers. */
			ret = MIP6LB_WALK_DONE;
			break;
		}
		if (i == MIP6LB_MAX_EXT_HDRS && mip6lb_is_ext_hdr(c.nexthdr)) {
			ret = MIP6LB_WALK_NEXT;
			break;
		}
		ret = mip6lb_quote_hdr(&c, q);
		if (ret != MIP6LB_WALK_NEXT)
			break;
	}
	if (ret < 0)
		return MIP6LB_PARSE_MALFORMED;
	q->proto = c.nexthdr;
	if (ret != MIP6LB_WALK_DONE)
		q->flags |= MIP6LB_PKT_CHAIN_LONG;
	return MIP6LB_PARSE_OK;
}

#ifdef __bpf__
/* A global function, as mip6lb_parse_dstopts_bpf and for the same reason:
 * verified once, on its own, and never part of the hit path's program. */
__attribute__((noinline))
int mip6lb_parse_quote_bpf(struct xdp_md *ctx, __u32 icmp_off, __u32 limit,
			   struct mip6lb_pkt *q)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (!q)
		return MIP6LB_PARSE_MALFORMED;
	return mip6lb_parse_quote(ctx, data, data_end, icmp_off & MIP6LB_PARSE_OFF_MASK,
				  limit & 0xffff, q);
}

#include "session.h"
#include "service.h"
#include "identity.h"

/* The backend of the session s found at key for error q: its own when
 * still usable, else where the client's next packet would re-hash it (its
 * anchor on the ring, session.h), without writing the session.  0, or
 * -MIP6LB_CNT_DROP_NO_BACKEND. */
static __always_inline int mip6lb_icmp_error_session(const struct mip6lb_session *s,
						     const struct mip6lb_session_key *key,
						     __u8 kind, const struct mip6lb_service *svc,
						     struct mip6lb_choice *ch)
{
	ch->hash = s->flow_hash;
	ch->kind = s->kind == MIP6LB_KIND_COA ? MIP6LB_KIND_COA : kind;
	ch->be = mip6lb_backend_usable(s->backend_id, svc->id);
	if (!ch->hash && (!ch->be || svc->forward == MIP6LB_FWD_IP6IP6))
		ch->hash = mip6lb_session_hash(key, svc->hash_id);
	if (ch->be) {
		ch->backend_id = s->backend_id;
		return 0;
	}
	ch->be = mip6lb_ring_pick(svc->id, ch->hash, &ch->backend_id);
	return ch->be ? 0 : -MIP6LB_CNT_DROP_NO_BACKEND;
}

/*
 * The backend for error q (the quote, mirrored) of service svc: the first
 * identity of the service's order that has a session (sessions, then
 * coa_sessions for a source address), else the first identity's entry on
 * probation, else the ring by the first identity the client's packet
 * would carry (the source address when none), as mip6lb_choose would pick
 * for the client's own first packet.  SPI is skipped (the opening comment
 * says why).  1 when a session or probation entry decided, 0 for the ring,
 * or -MIP6LB_CNT_DROP_NO_BACKEND.
 */
static __always_inline int mip6lb_icmp_error_choose(const struct mip6lb_pkt *q,
						    const struct mip6lb_service *svc,
						    struct mip6lb_choice *ch)
{
	struct mip6lb_session_key key;
	struct mip6lb_settings *set;
	struct mip6lb_session *s;
	__u8 kind, first_kind = MIP6LB_KIND_NONE;
	__u32 i;
	int ret;

	for (i = 0; i < MIP6LB_MAX_ID_ORDER; i++) {
		if (i >= svc->n_ids)
			break;
		kind = svc->id_order[i];
		if (kind == MIP6LB_KIND_SPI)
			continue;
		if (!mip6lb_identity_key(q, svc->id, svc->flags, kind, &key))
			continue;
		s = mip6lb_session_find(&key, kind, svc);
		if (s)
			goto found;
		if (first_kind == MIP6LB_KIND_NONE)
			first_kind = kind;
	}
	if (first_kind == MIP6LB_KIND_NONE) {
		/* "else the source address", as for the client's packets. */
		kind = MIP6LB_KIND_SRC;
		mip6lb_identity_key(q, svc->id, svc->flags, kind, &key);
		s = mip6lb_session_find(&key, kind, svc);
		if (s)
			goto found;
		first_kind = kind;
	} else {
		mip6lb_identity_key(q, svc->id, svc->flags, first_kind, &key);
	}
	kind = first_kind;
	set = mip6lb_settings_get();
	s = mip6lb_probation_find(set, &key);
	if (s)
		goto found;

	ch->hash = mip6lb_session_hash(&key, svc->hash_id);
	ch->kind = kind;
	ch->be = mip6lb_ring_pick(svc->id, ch->hash, &ch->backend_id);
	return ch->be ? 0 : -MIP6LB_CNT_DROP_NO_BACKEND;

found:
	ret = mip6lb_icmp_error_session(s, &key, kind, svc, ch);
	return ret < 0 ? ret : 1;
}

/*
 * The entry program's ICMPv6 step, for a packet whose walk ended at
 * ICMPv6.  0 with *svc and *ch filled: an error to a VIP, to forward to
 * its flow's backend; 1: not an error (informational messages such as
 * echo, an unknown type), to balance as any packet; or a negative reason:
 * pass_not_service (not to a VIP, or no service matches its flow),
 * drop_icmp_malformed (quote truncated, or not from this VIP),
 * drop_no_backend.
 */
static __always_inline int mip6lb_icmp_error(struct xdp_md *ctx, void *data, void *data_end,
					     const struct mip6lb_pkt *pkt,
					     struct mip6lb_counters *cs, __u64 bytes,
					     struct mip6lb_service **svc,
					     struct mip6lb_choice *ch)
{
	struct mip6lb_pkt *q;
	__u32 one = 1;
	int ret;

	if (!mip6lb_icmp_error_type(data, data_end, pkt))
		return 1;
	if (!mip6lb_vip_find(&pkt->dst))
		return -MIP6LB_CNT_PASS_NOT_SERVICE;
	q = bpf_map_lookup_elem(&scratch, &one);
	if (!q)
		return -MIP6LB_CNT_DROP_ICMP_MALFORMED;
	if (mip6lb_parse_quote_bpf(ctx, pkt->l4_off, sizeof(struct ethhdr) + pkt->l3_len, q) < 0)
		return -MIP6LB_CNT_DROP_ICMP_MALFORMED;
	/* An error goes to the source of the packet it quotes (RFC 4443
	 * §2.2): one that came to this VIP about another address is not
	 * about a flow of ours. */
	if (!mip6lb_addr_eq(&q->dst, &pkt->dst))
		return -MIP6LB_CNT_DROP_ICMP_MALFORMED;

	/* The client's service, as its own packets find it; a quote cut
	 * before its ports gets the VIP's default, as a later fragment. */
	*svc = mip6lb_service_lookup(q);
	if (!*svc && !(q->flags & MIP6LB_PKT_HAS_PORTS))
		*svc = mip6lb_service_by_vip(q);
	if (!*svc)
		return -MIP6LB_CNT_PASS_NOT_SERVICE;

	ret = mip6lb_icmp_error_choose(q, *svc, ch);
	if (ret < 0)
		return ret;
	ch->is_new = 0;
	ch->hit = 0;
	mip6lb_cnt_add(cs, ret ? MIP6LB_CNT_ICMP_ERROR_SESSION : MIP6LB_CNT_ICMP_ERROR_RING, bytes);
	return 0;
}
#endif /* __bpf__ */

#endif /* MIP6LB_ICMP_ERROR_H */
