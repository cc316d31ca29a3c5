/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * parse.h - the IPv6 next-header chain walk, one helper per header type,
 * and what it reads for the identities (Home Address option, ESP/AH SPI,
 * addresses, ports) into struct mip6lb_pkt.  Which identity a packet is
 * balanced by is chosen in identity.h.
 *
 * It uses no BPF helper, so the same code compiles for the datapath and for
 * userspace (the offline classifier, fuzzers and the parity tests): include
 * vmlinux.h first in BPF, or <netinet/in.h>, <linux/if_ether.h> and
 * <linux/ipv6.h> first in userspace.
 *
 * Style: a cursor (struct mip6lb_cursor) walks the packet; every read is preceded by a bounds check
 * against data_end; loops are bounded by MIP6LB_MAX_EXT_HDRS and
 * MIP6LB_MAX_DST_OPTS so the verifier can prove termination.
 */
#ifndef MIP6LB_PARSE_H
#define MIP6LB_PARSE_H

#include "mip6lb.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define mip6lb_ntohs(x) __builtin_bswap16(x)
#define mip6lb_ntohl(x) __builtin_bswap32(x)
#define mip6lb_htons(x) __builtin_bswap16(x)
#else
#define mip6lb_ntohs(x) (x)
#define mip6lb_ntohl(x) (x)
#define mip6lb_htons(x) (x)
#endif

/* 16-byte address copy in two 8-byte moves (see mip6lb_get64). */
static __always_inline void mip6lb_addr_copy(struct in6_addr *dst, const void *src)
{
	mip6lb_put64(dst, mip6lb_get64(src));
	mip6lb_put64((__u8 *)dst + 8, mip6lb_get64((const __u8 *)src + 8));
}

/* IANA protocol numbers walked here (RFC 8200 §4, RFC 6275 §6.1). */
#define MIP6LB_NH_HOPOPTS   0
#define MIP6LB_NH_TCP       6
#define MIP6LB_NH_UDP       17
#define MIP6LB_NH_IPV6      41
#define MIP6LB_NH_ROUTING   43
#define MIP6LB_NH_FRAGMENT  44
#define MIP6LB_NH_ESP       50
#define MIP6LB_NH_AH        51
#define MIP6LB_NH_ICMPV6    58
#define MIP6LB_NH_NONE      59
#define MIP6LB_NH_DSTOPTS   60
#define MIP6LB_NH_MOBILITY  135

#define MIP6LB_OPT_PAD1     0
#define MIP6LB_OPT_PADN     1
#define MIP6LB_OPT_HAO      201   /* RFC 6275 §6.3 */
#define MIP6LB_HAO_LEN      16

#define MIP6LB_ETH_P_IPV6   0x86DD

/* Headers are parsed within the first 16 KiB of a frame: every cursor
 * offset is masked with this, which also bounds it for the verifier. */
#define MIP6LB_PARSE_OFF_MASK 0x3fff

/* Wire layouts of the headers walked here.  Defined locally so BPF and
 * userspace agree without depending on which kernel headers carry them. */
struct mip6lb_ext_hdr {         /* HBH, Routing, DestOpt: RFC 8200 §4.3-4.6 */
	__u8 nexthdr;
	__u8 hdrlen;            /* 8-octet units, not counting the first 8 */
};

struct mip6lb_rt_hdr {          /* RFC 8200 §4.4 */
	__u8 nexthdr;
	__u8 hdrlen;
	__u8 type;              /* 2 = Mobile IPv6 type 2 (RFC 6275 §6.4) */
	__u8 segments_left;
};

struct mip6lb_frag_hdr {        /* RFC 8200 §4.5 */
	__u8   nexthdr;
	__u8   reserved;
	__be16 frag_off;        /* offset << 3 | M */
	__be32 id;
};

struct mip6lb_ah_hdr {          /* RFC 4302 §2 */
	__u8   nexthdr;
	__u8   hdrlen;          /* 4-octet units, minus 2 */
	__be16 reserved;
	__be32 spi;
	__be32 seq;
};

struct mip6lb_esp_hdr {         /* RFC 4303 §2 */
	__be32 spi;
	__be32 seq;
};

struct mip6lb_ports {           /* first four bytes of TCP and UDP */
	__be16 sport;
	__be16 dport;
};

/* Parse results. */
enum mip6lb_parse_status {
	MIP6LB_PARSE_OK        = 0,
	MIP6LB_PARSE_NOT_IPV6  = -1,   /* not ours: XDP_PASS untouched */
	MIP6LB_PARSE_MALFORMED = -2,   /* truncated or inconsistent */
};

/* What the walk found. */
#define MIP6LB_PKT_HAS_HAO      (1U << 0)
#define MIP6LB_PKT_HAS_SPI      (1U << 1)
#define MIP6LB_PKT_HAS_PORTS    (1U << 2)
#define MIP6LB_PKT_FRAG         (1U << 3)  /* carries a Fragment header */
#define MIP6LB_PKT_FRAG_LATER   (1U << 4)  /* fragment offset != 0 */
#define MIP6LB_PKT_CHAIN_LONG   (1U << 5)  /* over MIP6LB_MAX_EXT_HDRS */
#define MIP6LB_PKT_HAO_BAD      (1U << 6)  /* a malformed HAO was ignored */
#define MIP6LB_PKT_RT_TYPE2     (1U << 7)  /* type 2 routing header seen */
#define MIP6LB_PKT_ADDRS        (1U << 8)  /* src and dst were readable */
#define MIP6LB_PKT_OPT_BAD      (1U << 9)  /* an option overran its header,
                                              * or too many to walk */
#define MIP6LB_PKT_HAS_TCP      (1U << 10) /* tcp_flags is set: a TCP header
                                              * up to its flags byte */

#define MIP6LB_TCP_SYN          0x02       /* RFC 9293 §3.1 control bits */

struct mip6lb_pkt {
	struct in6_addr src;
	struct in6_addr dst;
	struct in6_addr hoa;           /* valid with MIP6LB_PKT_HAS_HAO */
	__u32 spi;                     /* host order, with MIP6LB_PKT_HAS_SPI */
	__u32 frag_id;                 /* host order, with MIP6LB_PKT_FRAG */
	__u16 flags;                   /* MIP6LB_PKT_* */
	__u16 sport;                   /* host order, with MIP6LB_PKT_HAS_PORTS */
	__u16 dport;
	__u16 l3_len;                  /* IPv6 header + payload, per the header */
	__u8  proto;                   /* upper layer, or where the walk stopped */
	__u8  spi_proto;               /* MIP6LB_NH_ESP or MIP6LB_NH_AH */
	__u8  n_ext;                   /* extension headers walked */
	__u8  tcp_flags;               /* with MIP6LB_PKT_HAS_TCP: byte 13
					* (CWR ... FIN) */
	__u16 l4_off;                  /* with proto MIP6LB_NH_ICMPV6: the
					* ICMPv6 header's offset in the frame
					* (icmp_error.h reads it) */
	__u16 pad2;                    /* per-CPU values are 8-byte multiples */
} __attribute__((aligned(8)));     /* addresses are read as 8-byte words */

/* Walk the TLV options of one Destination Options header looking for the
 * Home Address option.  Malformed options do not fail the packet: an HAO
 * with the wrong length, one that overruns its header, or a second HAO is
 * flagged and ignored (RFC 6275 §6.3 allows one HAO per packet). */
static __always_inline int mip6lb_parse_dstopts(void *data, __u32 hdr_off,
						__u32 hdr_len, void *data_end,
						struct mip6lb_pkt *pkt)
{
	__u32 off = sizeof(struct mip6lb_ext_hdr);
	int i;

	for (i = 0; i < MIP6LB_MAX_DST_OPTS; i++) {
		__u8 *opt, type, len;

		if (off >= hdr_len)
			break;
		/* Masked offsets keep the verifier's ranges small (see below). */
		opt = (__u8 *)data + ((hdr_off + off) & MIP6LB_PARSE_OFF_MASK);
		if ((void *)(opt + 1) > data_end)
			return MIP6LB_PARSE_MALFORMED;
		type = opt[0];
		if (type == MIP6LB_OPT_PAD1) {
			off += 1;
			continue;
		}
		if ((void *)(opt + 2) > data_end)
			return MIP6LB_PARSE_MALFORMED;
		len = opt[1];
		if (off + 2 + len > hdr_len) {
			/* Overruns its header: stop reading options. */
			pkt->flags |= MIP6LB_PKT_OPT_BAD;
			if (type == MIP6LB_OPT_HAO)
				pkt->flags |= MIP6LB_PKT_HAO_BAD;
			break;
		}
		if (type == MIP6LB_OPT_HAO) {
			if (len != MIP6LB_HAO_LEN || (pkt->flags & MIP6LB_PKT_HAS_HAO)) {
				pkt->flags |= MIP6LB_PKT_HAO_BAD;
			} else {
				if ((void *)(opt + 2 + MIP6LB_HAO_LEN) > data_end)
					return MIP6LB_PARSE_MALFORMED;
				mip6lb_addr_copy(&pkt->hoa, opt + 2);
				pkt->flags |= MIP6LB_PKT_HAS_HAO;
			}
		}
		off += 2 + len;
	}
	/* More options than MIP6LB_MAX_DST_OPTS: the rest go unread, and an HAO
	 * among them unseen; count it rather than pass it silently. */
	if (off < hdr_len)
		pkt->flags |= MIP6LB_PKT_OPT_BAD;
	return MIP6LB_PARSE_OK;
}

static __always_inline int mip6lb_is_ext_hdr(__u8 nexthdr)
{
	return nexthdr == MIP6LB_NH_HOPOPTS || nexthdr == MIP6LB_NH_ROUTING ||
	       nexthdr == MIP6LB_NH_DSTOPTS || nexthdr == MIP6LB_NH_FRAGMENT ||
	       nexthdr == MIP6LB_NH_AH;
}

#ifdef __bpf__
/* In BPF the options walk is a global function: the verifier checks it
 * once, on its own, instead of once per path through the header chain
 * (inlined, the two nested bounded loops exceed the 1M-instruction budget). */
__attribute__((noinline))
int mip6lb_parse_dstopts_bpf(struct xdp_md *ctx, __u32 hdr_off, __u32 hdr_len,
			     struct mip6lb_pkt *pkt)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (!pkt)
		return MIP6LB_PARSE_MALFORMED;
	return mip6lb_parse_dstopts(data, hdr_off & MIP6LB_PARSE_OFF_MASK,
				    hdr_len & 0xfff, data_end, pkt);
}
#define MIP6LB_PARSE_DSTOPTS(ctx, data, off, len, end, pkt) \
	mip6lb_parse_dstopts_bpf(ctx, off, len, pkt)
#else
#define MIP6LB_PARSE_DSTOPTS(ctx, data, off, len, end, pkt) \
	mip6lb_parse_dstopts(data, off, len, end, pkt)
#endif

/* The walk's position: the next header's number and its offset from data
 * (masked before every use), and where the packet ends per its payload
 * length.  ctx is the xdp_md in BPF (for the options walk), unused in
 * userspace.  Inlined, it lives in registers. */
struct mip6lb_cursor {
	void *ctx;
	void *data;
	void *data_end;
	__u32 off;
	__u32 limit;
	__u8  nexthdr;
};

/* What a header's helper tells the walk, besides MIP6LB_PARSE_MALFORMED. */
enum {
	MIP6LB_WALK_NEXT = 0,          /* cursor advanced past the header */
	MIP6LB_WALK_DONE = 1,          /* the chain ends here */
};

/* Ethernet, then the fixed IPv6 header (RFC 8200 §3): addresses, payload
 * length, the first next header. */
static __always_inline int mip6lb_parse_ipv6(struct mip6lb_cursor *c,
					     struct mip6lb_pkt *pkt)
{
	struct ethhdr *eth = c->data;
	struct ipv6hdr *ip6;
	__u16 plen;

	if ((void *)(eth + 1) > c->data_end)
		return MIP6LB_PARSE_NOT_IPV6;
	if (eth->h_proto != mip6lb_htons(MIP6LB_ETH_P_IPV6))
		return MIP6LB_PARSE_NOT_IPV6;

	ip6 = (void *)(eth + 1);
	if ((void *)(ip6 + 1) > c->data_end)
		return MIP6LB_PARSE_MALFORMED;
	if ((*(__u8 *)ip6 >> 4) != 6)
		return MIP6LB_PARSE_MALFORMED;
	mip6lb_addr_copy(&pkt->src, &ip6->saddr);
	mip6lb_addr_copy(&pkt->dst, &ip6->daddr);
	pkt->flags |= MIP6LB_PKT_ADDRS;
	plen = mip6lb_ntohs(ip6->payload_len);
	/* A payload length past the frame means truncation (Ethernet padding
	 * may make the frame longer, never shorter).  Jumbograms (plen 0,
	 * RFC 2675) are not expected on a load balancer's VIP. */
	if (plen == 0 || (void *)(ip6 + 1) + plen > c->data_end)
		return MIP6LB_PARSE_MALFORMED;
	pkt->l3_len = plen + sizeof(*ip6);
	/* Headers end where the payload length says, not at the frame's end:
	 * bytes past it (padding, garbage) are not part of the packet. */
	c->limit = sizeof(*eth) + pkt->l3_len;
	c->nexthdr = ip6->nexthdr;
	c->off = sizeof(*eth) + sizeof(*ip6);
	return MIP6LB_PARSE_OK;
}

/* Destination Options (RFC 8200 §4.6) of len bytes at cur: where the Home
 * Address option is (RFC 6275 §6.3). */
static __always_inline int mip6lb_parse_dstopts_hdr(struct mip6lb_cursor *c, __u8 *o,
						    __u32 len, struct mip6lb_pkt *pkt)
{
	/* Fast path for the layout RFC 6275 §6.3's 8n+6 alignment gives a
	 * lone HAO: PadN(2), then the option at offset 6 filling the 24-byte
	 * header.  Anything else takes the full option walk. */
	if (len == 24 && (void *)(o + 24) <= c->data_end &&
	    o[2] == MIP6LB_OPT_PADN && o[3] == 2 &&
	    o[6] == MIP6LB_OPT_HAO && o[7] == MIP6LB_HAO_LEN) {
		if (pkt->flags & MIP6LB_PKT_HAS_HAO) {
			pkt->flags |= MIP6LB_PKT_HAO_BAD;
		} else {
			mip6lb_addr_copy(&pkt->hoa, o + 8);
			pkt->flags |= MIP6LB_PKT_HAS_HAO;
		}
		return MIP6LB_PARSE_OK;
	}
	if (MIP6LB_PARSE_DSTOPTS(c->ctx, c->data, c->off, len, c->data_end, pkt) < 0)
		return MIP6LB_PARSE_MALFORMED;
	return MIP6LB_PARSE_OK;
}

/* Routing header (RFC 8200 §4.4): type 2 is Mobile IPv6's (RFC 6275 §6.4). */
static __always_inline void mip6lb_parse_routing(const struct mip6lb_rt_hdr *rt,
						 struct mip6lb_pkt *pkt)
{
	if (rt->type == 2)
		pkt->flags |= MIP6LB_PKT_RT_TYPE2;
}

/* Hop-by-Hop, Routing and Destination Options share one layout (RFC 8200
 * §4.3-4.6): next header, length in 8-octet units past the first 8. */
static __always_inline int mip6lb_parse_ext(struct mip6lb_cursor *c, void *cur,
					    struct mip6lb_pkt *pkt)
{
	struct mip6lb_ext_hdr *ext = cur;
	__u32 len;

	/* Every such header is at least 8 octets. */
	if (cur + 8 > c->data_end)
		return MIP6LB_PARSE_MALFORMED;
	len = (ext->hdrlen + 1) * 8;
	if (cur + len > c->data_end || c->off + len > c->limit)
		return MIP6LB_PARSE_MALFORMED;
	if (c->nexthdr == MIP6LB_NH_DSTOPTS) {
		if (mip6lb_parse_dstopts_hdr(c, cur, len, pkt) < 0)
			return MIP6LB_PARSE_MALFORMED;
	} else if (c->nexthdr == MIP6LB_NH_ROUTING) {
		mip6lb_parse_routing(cur, pkt);
	}
	c->nexthdr = ext->nexthdr;
	c->off += len;
	pkt->n_ext++;
	return MIP6LB_WALK_NEXT;
}

/* Fragment header (RFC 8200 §4.5): a later fragment carries payload, not
 * headers, so the walk ends there. */
static __always_inline int mip6lb_parse_frag(struct mip6lb_cursor *c, void *cur,
					     struct mip6lb_pkt *pkt)
{
	struct mip6lb_frag_hdr *fh = cur;
	__u16 foff;

	if ((void *)(fh + 1) > c->data_end || c->off + sizeof(*fh) > c->limit)
		return MIP6LB_PARSE_MALFORMED;
	foff = mip6lb_ntohs(fh->frag_off) >> 3;
	pkt->flags |= MIP6LB_PKT_FRAG;
	pkt->frag_id = mip6lb_ntohl(fh->id);
	c->nexthdr = fh->nexthdr;
	c->off += sizeof(*fh);
	pkt->n_ext++;
	if (foff) {
		pkt->flags |= MIP6LB_PKT_FRAG_LATER;
		return MIP6LB_WALK_DONE;
	}
	return MIP6LB_WALK_NEXT;
}

/* Authentication Header (RFC 4302 §2): the first SPI of the chain is the
 * packet's. */
static __always_inline int mip6lb_parse_ah(struct mip6lb_cursor *c, void *cur,
					   struct mip6lb_pkt *pkt)
{
	struct mip6lb_ah_hdr *ah = cur;

	if ((void *)(ah + 1) > c->data_end || c->off + sizeof(*ah) > c->limit)
		return MIP6LB_PARSE_MALFORMED;
	if (!(pkt->flags & MIP6LB_PKT_HAS_SPI)) {
		pkt->spi = mip6lb_ntohl(ah->spi);
		pkt->spi_proto = MIP6LB_NH_AH;
		pkt->flags |= MIP6LB_PKT_HAS_SPI;
	}
	c->nexthdr = ah->nexthdr;
	c->off += (ah->hdrlen + 2) * 4;
	pkt->n_ext++;
	return MIP6LB_WALK_NEXT;
}

/* ESP (RFC 4303 §2): everything after the SPI and sequence is encrypted,
 * so the walk ends here. */
static __always_inline int mip6lb_parse_esp(struct mip6lb_cursor *c, void *cur,
					    struct mip6lb_pkt *pkt)
{
	struct mip6lb_esp_hdr *esp = cur;

	if ((void *)(esp + 1) > c->data_end || c->off + sizeof(*esp) > c->limit)
		return MIP6LB_PARSE_MALFORMED;
	if (!(pkt->flags & MIP6LB_PKT_HAS_SPI)) {
		pkt->spi = mip6lb_ntohl(esp->spi);
		pkt->spi_proto = MIP6LB_NH_ESP;
		pkt->flags |= MIP6LB_PKT_HAS_SPI;
	}
	return MIP6LB_WALK_DONE;
}

/* Bytes of a TCP header up to and with its flags (RFC 9293 §3.1). */
#define MIP6LB_TCP_FLAGS_LEN 14

/* TCP or UDP: the ports a service may be narrowed to, and TCP's flags
 * (a segment without SYN that finds no session is mid-flow: persistence
 * failed somewhere).  A TCP header cut before its flags is malformed: no
 * TCP segment is that short, and a first fragment that cuts it so is the
 * tiny-fragment attack (RFC 1858 §3; RFC 7112 wants the whole header
 * chain, upper-layer header included, in the first fragment). */
static __always_inline int mip6lb_parse_ports(struct mip6lb_cursor *c, void *cur,
					      struct mip6lb_pkt *pkt)
{
	struct mip6lb_ports *ports = cur;

	if ((void *)(ports + 1) > c->data_end || c->off + sizeof(*ports) > c->limit)
		return MIP6LB_PARSE_MALFORMED;
	if (c->nexthdr == MIP6LB_NH_TCP) {
		__u8 *tcp = cur;

		if ((void *)(tcp + MIP6LB_TCP_FLAGS_LEN) > c->data_end ||
		    c->off + MIP6LB_TCP_FLAGS_LEN > c->limit)
			return MIP6LB_PARSE_MALFORMED;
		pkt->tcp_flags = tcp[13];
		pkt->flags |= MIP6LB_PKT_HAS_TCP;
	}
	pkt->sport = mip6lb_ntohs(ports->sport);
	pkt->dport = mip6lb_ntohs(ports->dport);
	pkt->flags |= MIP6LB_PKT_HAS_PORTS;
	return MIP6LB_WALK_DONE;
}

/* One header at the cursor, by its number. */
static __always_inline int mip6lb_parse_hdr(struct mip6lb_cursor *c, struct mip6lb_pkt *pkt)
{
	void *cur;

	c->off &= MIP6LB_PARSE_OFF_MASK;
	cur = c->data + c->off;
	switch (c->nexthdr) {
	case MIP6LB_NH_HOPOPTS:
	case MIP6LB_NH_ROUTING:
	case MIP6LB_NH_DSTOPTS:
		return mip6lb_parse_ext(c, cur, pkt);
	case MIP6LB_NH_FRAGMENT:
		return mip6lb_parse_frag(c, cur, pkt);
	case MIP6LB_NH_AH:
		return mip6lb_parse_ah(c, cur, pkt);
	case MIP6LB_NH_ESP:
		return mip6lb_parse_esp(c, cur, pkt);
	case MIP6LB_NH_TCP:
	case MIP6LB_NH_UDP:
		return mip6lb_parse_ports(c, cur, pkt);
	case MIP6LB_NH_ICMPV6:
		/* Where an ICMPv6 error's quote begins (icmp_error.h): stored
		 * here, so that no other packet pays a store for it. */
		pkt->l4_off = (__u16)c->off;
		return MIP6LB_WALK_DONE;
	default:
		/* Mobility (135), No Next Header (59) and every other
		 * upper layer end the chain. */
		return MIP6LB_WALK_DONE;
	}
}

/*
 * Parse an Ethernet frame (ctx is the xdp_md in BPF, unused in userspace).
 * On MIP6LB_PARSE_OK, *pkt holds the addresses, the identities found and
 * the upper-layer protocol; a chain longer than MIP6LB_MAX_EXT_HDRS sets
 * MIP6LB_PKT_CHAIN_LONG and stops there.
 */
static __always_inline int mip6lb_parse(void *ctx, void *data, void *data_end,
					struct mip6lb_pkt *pkt)
{
	struct mip6lb_cursor c = { .ctx = ctx, .data = data, .data_end = data_end };
	int i, ret;

	/* Only what every later reader relies on; the other fields are
	 * defined by the flags that announce them (mip6lb_pkt_same()). */
	pkt->flags = 0;
	pkt->n_ext = 0;
	pkt->l3_len = 0;
	pkt->proto = 0;
	ret = mip6lb_parse_ipv6(&c, pkt);
	if (ret < 0)
		return ret;
	/* ret is MIP6LB_PARSE_OK, which is MIP6LB_WALK_NEXT: a walk that
	 * never reaches its end is a chain too long. */

	/* One pass more than the limit, to read the upper layer behind the
	 * MIP6LB_MAX_EXT_HDRS-th extension header.  The cursor is an offset
	 * masked on every pass: the verifier then sees one range per pass
	 * instead of one state per header combination, and prunes. */
	for (i = 0; i <= MIP6LB_MAX_EXT_HDRS; i++) {
		if (i == MIP6LB_MAX_EXT_HDRS && mip6lb_is_ext_hdr(c.nexthdr))
			break;
		ret = mip6lb_parse_hdr(&c, pkt);
		if (ret != MIP6LB_WALK_NEXT)
			break;
	}
	if (ret < 0)
		return MIP6LB_PARSE_MALFORMED;
	pkt->proto = c.nexthdr;
	if (ret != MIP6LB_WALK_DONE)
		pkt->flags |= MIP6LB_PKT_CHAIN_LONG;
	return MIP6LB_PARSE_OK;
}

/* Two parse results agree: the same flags and, for every field a flag
 * announces, the same value.  (The parser leaves unannounced fields as they
 * were, to save zeroing 72 bytes per packet.) */
static __always_inline int mip6lb_pkt_same(const struct mip6lb_pkt *a,
					   const struct mip6lb_pkt *b)
{
	__u16 f = a->flags;

	if (f != b->flags || a->n_ext != b->n_ext || a->l3_len != b->l3_len ||
	    a->proto != b->proto)
		return 0;
	if ((f & MIP6LB_PKT_ADDRS) &&
	    (__builtin_memcmp(&a->src, &b->src, 16) || __builtin_memcmp(&a->dst, &b->dst, 16)))
		return 0;
	if ((f & MIP6LB_PKT_HAS_HAO) && __builtin_memcmp(&a->hoa, &b->hoa, 16))
		return 0;
	if ((f & MIP6LB_PKT_HAS_SPI) && (a->spi != b->spi || a->spi_proto != b->spi_proto))
		return 0;
	if ((f & MIP6LB_PKT_FRAG) && a->frag_id != b->frag_id)
		return 0;
	if ((f & MIP6LB_PKT_HAS_PORTS) && (a->sport != b->sport || a->dport != b->dport))
		return 0;
	if ((f & MIP6LB_PKT_HAS_TCP) && a->tcp_flags != b->tcp_flags)
		return 0;
	return 1;
}

#endif /* MIP6LB_PARSE_H */
