/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mh.h - Mobility Header parsing (RFC 6275 §6.1, §6.2) for mip6lb-agent:
 * the agent watches the Binding Updates a Home Agent receives (or a node
 * sends) and the Binding Acknowledgements that answer them, and turns each
 * accepted binding into a BINDING_NOTIFY (proto.h).
 *
 * The parser walks the IPv6 extension-header chain itself (bounded by
 * MIP6LB_MAX_EXT_HDRS), reads nothing outside [pkt, pkt + len) and never
 * trusts a length field before checking it against the bytes present.
 *
 * Return values: 0, or a negative errno:
 *   -EINVAL          not IPv6 (version, EtherType, link type) or NULL args
 *   -EBADMSG         malformed: truncated header or option, a length that
 *                    overruns its header or the packet, a Home Address or
 *                    Alternate CoA option of the wrong size, a second Home
 *                    Address option, MH Header Len too small for its type
 *   -ENOENT          well-formed IPv6 without a Mobility Header (upper
 *                    layer, No Next Header, or ESP hiding the rest)
 *   -EOPNOTSUPP      a non-first fragment: its Mobility Header is in the
 *                    first one
 *   -ELOOP           more than MIP6LB_MAX_EXT_HDRS extension headers
 *   -EPROTONOSUPPORT an MH type RFC 6275 does not define (0..7)
 */
#ifndef MIP6LB_MH_H
#define MIP6LB_MH_H

#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>

/* MH types (RFC 6275 §6.1.2-§6.1.9). */
enum mh_type {
	MH_TYPE_BRR  = 0,   /* Binding Refresh Request */
	MH_TYPE_HOTI = 1,   /* Home Test Init */
	MH_TYPE_COTI = 2,   /* Care-of Test Init */
	MH_TYPE_HOT  = 3,   /* Home Test */
	MH_TYPE_COT  = 4,   /* Care-of Test */
	MH_TYPE_BU   = 5,   /* Binding Update */
	MH_TYPE_BA   = 6,   /* Binding Acknowledgement */
	MH_TYPE_BE   = 7,   /* Binding Error */
	MH_TYPE_MAX,
};

/* Binding Update flags, the 16-bit word after the sequence number, as
 * IANA's "Binding Update Flags" registry numbers them. */
#define MH_BU_F_A  0x8000   /* Acknowledge (RFC 6275) */
#define MH_BU_F_H  0x4000   /* Home Registration (RFC 6275) */
#define MH_BU_F_L  0x2000   /* Link-Local Address Compatibility (RFC 6275) */
#define MH_BU_F_K  0x1000   /* Key Management Mobility Capability (RFC 6275) */
#define MH_BU_F_M  0x0800   /* MAP Registration (RFC 5380) */
#define MH_BU_F_R  0x0400   /* Mobile Router (RFC 3963) */
#define MH_BU_F_P  0x0200   /* Proxy Registration (RFC 5213) */
#define MH_BU_F_F  0x0100   /* Forcing UDP encapsulation (RFC 5555) */

/* Binding Acknowledgement flags, the byte after the status. */
#define MH_BA_F_K  0x80     /* Key Management Mobility Capability (RFC 6275) */
#define MH_BA_F_R  0x40     /* Mobile Router (RFC 3963) */
#define MH_BA_F_P  0x20     /* Proxy Registration (RFC 5213) */

/* BA status values below 128 accept the binding (RFC 6275 §6.1.8). */
#define MH_BA_STATUS_ACCEPTED_MAX 127

/* Mobility options (RFC 6275 §6.2). */
#define MH_OPT_PAD1        0
#define MH_OPT_PADN        1
#define MH_OPT_REFRESH     2   /* Binding Refresh Advice */
#define MH_OPT_ALT_COA     3   /* Alternate Care-of Address */
#define MH_OPT_NONCE_IDX   4   /* Nonce Indices */
#define MH_OPT_AUTH        5   /* Binding Authorization Data */

struct mh_info {
	__u8  type;               /* enum mh_type */
	__u8  status;             /* BA and BE */
	__u16 seq;                /* BU and BA */
	__u16 flags;              /* BU: MH_BU_F_*; BA: MH_BA_F_* */
	__u16 lifetime_units;     /* BU and BA: 4-second units */
	__u32 lifetime_s;         /* lifetime_units * 4 */

	__u8  has_hoa;            /* Home Address option (RFC 6275 §6.3) */
	__u8  has_rt2;            /* type 2 Routing header (RFC 6275 §6.4) */
	__u8  has_alt_coa;        /* Alternate Care-of Address option */
	__u8  has_coa;            /* coa below is meaningful */
	__u8  has_refresh;        /* Binding Refresh Advice option */
	__u8  has_nonce_idx;      /* Nonce Indices option */
	__u8  has_auth;           /* Binding Authorization Data option */
	__u8  csum_ok;            /* MH checksum verified (RFC 6275 §6.1.1);
				   * reported, not enforced: the agent only
				   * observes, the HA's own stack decides */

	struct in6_addr src;      /* IPv6 header */
	struct in6_addr dst;      /* IPv6 header */
	struct in6_addr hoa;      /* has_hoa */
	struct in6_addr rt2_addr; /* has_rt2: the node's home address */
	struct in6_addr alt_coa;  /* has_alt_coa */
	/* The binding's care-of address.  BU: the Alternate CoA when present,
	 * else the IPv6 source (RFC 6275 §9.5.1).  BA to a node away from
	 * home (has_rt2): the IPv6 destination (§6.4, §9.5.4). */
	struct in6_addr coa;

	__u16 refresh_units;      /* has_refresh: 4-second units */
	__u16 nonce_home;         /* has_nonce_idx */
	__u16 nonce_coa;
	__u32 mh_off;             /* Mobility Header offset from the IPv6 header */
	__u16 mh_len;             /* its length in bytes */
};

/* pkt starts at the IPv6 header; len is the bytes present (a capture's
 * caplen).  The IPv6 Payload Length must fit in len.  *out is zeroed
 * first and is only complete when 0 is returned. */
int mh_parse_ipv6(const __u8 *pkt, size_t len, struct mh_info *out);
/* pkt starts at an Ethernet header, with up to two 802.1Q/802.1ad tags. */
int mh_parse_eth(const __u8 *pkt, size_t len, struct mh_info *out);
/* pkt starts at the link header a capture's link type (DLT_*) names:
 * DLT_EN10MB, DLT_RAW, DLT_IPV6, DLT_NULL and DLT_LOOP. */
int mh_parse_link(int dlt, const __u8 *pkt, size_t len, struct mh_info *out);

/* "BU", "BA", ...: the abbreviations of RFC 6275 §6.1, or "?". */
const char *mh_type_name(int type);

#endif /* MIP6LB_MH_H */
