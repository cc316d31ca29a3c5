// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mh.c - Mobility Header parsing for mip6lb-agent (RFC 6275 §6).
 * Every read is preceded by a check against `end`, the smaller of the
 * bytes present and the IPv6 Payload Length; offsets are size_t so no
 * length field can wrap them.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <linux/types.h>
#include "mip6lb.h"
#include "mh.h"
#include "wire.h"

#define IPV6_HDR_LEN   40
#define ETH_HDR_LEN    14
#define ETH_P_IPV6_    0x86DD
#define ETH_P_8021Q_   0x8100
#define ETH_P_8021AD_  0x88A8
#define MAX_VLAN_TAGS  2

#define NH_HOPOPTS   0
#define NH_ROUTING   43
#define NH_FRAGMENT  44
#define NH_AH        51
#define NH_DSTOPTS   60
#define NH_MOBILITY  135

#define OPT_PAD1     0
#define OPT_HAO      201           /* RFC 6275 §6.3 */
#define RT_TYPE2     2             /* RFC 6275 §6.4 */

static const char *const type_names[MH_TYPE_MAX] = {
	[MH_TYPE_BRR]  = "BRR",
	[MH_TYPE_HOTI] = "HoTI",
	[MH_TYPE_COTI] = "CoTI",
	[MH_TYPE_HOT]  = "HoT",
	[MH_TYPE_COT]  = "CoT",
	[MH_TYPE_BU]   = "BU",
	[MH_TYPE_BA]   = "BA",
	[MH_TYPE_BE]   = "BE",
};

/* Smallest Header Len (as bytes) per type, RFC 6275 §6.1.2-§6.1.9;
 * §9.2 says a shorter message MUST be discarded. */
static const __u8 min_len[MH_TYPE_MAX] = {
	[MH_TYPE_BRR]  = 8,
	[MH_TYPE_HOTI] = 16,
	[MH_TYPE_COTI] = 16,
	[MH_TYPE_HOT]  = 24,
	[MH_TYPE_COT]  = 24,
	[MH_TYPE_BU]   = 16,
	[MH_TYPE_BA]   = 16,
	[MH_TYPE_BE]   = 24,
};

/* Where the Mobility Options start, after each type's fixed fields. */
static const __u8 opt_off[MH_TYPE_MAX] = {
	[MH_TYPE_BRR]  = 8,
	[MH_TYPE_HOTI] = 16,
	[MH_TYPE_COTI] = 16,
	[MH_TYPE_HOT]  = 24,
	[MH_TYPE_COT]  = 24,
	[MH_TYPE_BU]   = 12,
	[MH_TYPE_BA]   = 12,
	[MH_TYPE_BE]   = 24,
};

const char *mh_type_name(int type)
{
	if (type < 0 || type >= MH_TYPE_MAX)
		return "?";
	return type_names[type];
}

/* One's-complement sum (RFC 1071) of the pseudo-header and the MH.  The
 * pseudo-header uses the home address when a HAO is present and the final
 * destination of a type 2 routing header (RFC 6275 §6.3, §6.4; RFC 8200
 * §8.1), i.e. the addresses the node's upper layers see. */
static int mh_csum_ok(const struct mh_info *mi, const __u8 *mh)
{
	const struct in6_addr *src = mi->has_hoa ? &mi->hoa : &mi->src;
	const struct in6_addr *dst = mi->has_rt2 ? &mi->rt2_addr : &mi->dst;
	__u32 sum = 0;
	size_t i;

	for (i = 0; i < 16; i += 2) {
		sum += get16(src->s6_addr + i);
		sum += get16(dst->s6_addr + i);
	}
	sum += mi->mh_len;             /* upper-layer length (32-bit, high 0) */
	sum += NH_MOBILITY;
	for (i = 0; i < mi->mh_len; i += 2)
		sum += get16(mh + i);  /* mh_len is a multiple of 8 */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Mobility options (RFC 6275 §6.2): Pad1 is one byte, every other option
 * is type, length, data.  Unknown ones are skipped (§6.2.1). */
static int parse_mh_options(const __u8 *mh, size_t off, size_t len,
			    struct mh_info *mi)
{
	while (off < len) {
		__u8 type = mh[off];
		size_t olen;

		if (type == MH_OPT_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > len)
			return -EBADMSG;
		olen = mh[off + 1];
		if (off + 2 + olen > len)
			return -EBADMSG;

		switch (type) {
		case MH_OPT_REFRESH:        /* §6.2.4 */
			if (olen != 2)
				return -EBADMSG;
			mi->has_refresh = 1;
			mi->refresh_units = get16(mh + off + 2);
			break;
		case MH_OPT_ALT_COA:        /* §6.2.5 */
			/* Two would leave the care-of address ambiguous. */
			if (olen != 16 || mi->has_alt_coa)
				return -EBADMSG;
			mi->has_alt_coa = 1;
			memcpy(&mi->alt_coa, mh + off + 2, 16);
			break;
		case MH_OPT_NONCE_IDX:      /* §6.2.6 */
			if (olen != 4)
				return -EBADMSG;
			mi->has_nonce_idx = 1;
			mi->nonce_home = get16(mh + off + 2);
			mi->nonce_coa = get16(mh + off + 4);
			break;
		case MH_OPT_AUTH:           /* §6.2.7: authenticator of any length */
			mi->has_auth = 1;
			break;
		default:                    /* PadN and unknown options */
			break;
		}
		off += 2 + olen;
	}
	return 0;
}

static int parse_mh(const __u8 *pkt, size_t off, size_t end, struct mh_info *mi)
{
	const __u8 *mh = pkt + off;
	size_t avail = end - off, len;
	__u8 type;
	int rc;

	/* Payload Proto, Header Len, MH Type, Reserved, Checksum (§6.1.1). */
	if (avail < 8)
		return -EBADMSG;
	len = ((size_t)mh[1] + 1) * 8;
	if (len > avail)
		return -EBADMSG;
	type = mh[2];
	if (type >= MH_TYPE_MAX)
		return -EPROTONOSUPPORT;
	if (len < min_len[type])
		return -EBADMSG;

	mi->type = type;
	mi->mh_off = off;
	mi->mh_len = len;

	switch (type) {
	case MH_TYPE_BU:                    /* §6.1.7 */
		mi->seq = get16(mh + 6);
		mi->flags = get16(mh + 8);
		mi->lifetime_units = get16(mh + 10);
		break;
	case MH_TYPE_BA:                    /* §6.1.8 */
		mi->status = mh[6];
		mi->flags = mh[7];
		mi->seq = get16(mh + 8);
		mi->lifetime_units = get16(mh + 10);
		break;
	case MH_TYPE_BE:                    /* §6.1.9 */
		mi->status = mh[6];
		break;
	}
	mi->lifetime_s = (__u32)mi->lifetime_units * 4;

	rc = parse_mh_options(mh, opt_off[type], len, mi);
	if (rc)
		return rc;

	if (type == MH_TYPE_BU) {
		mi->coa = mi->has_alt_coa ? mi->alt_coa : mi->src;
		mi->has_coa = 1;
	} else if (type == MH_TYPE_BA && mi->has_rt2) {
		mi->coa = mi->dst;
		mi->has_coa = 1;
	}
	mi->csum_ok = mh_csum_ok(mi, mh);
	return 0;
}

/* TLV options of a Destination Options header (RFC 8200 §4.2), looking
 * for the Home Address option. */
static int parse_dstopts(const __u8 *h, size_t hlen, struct mh_info *mi)
{
	size_t off = 2;

	while (off < hlen) {
		__u8 type = h[off];
		size_t olen;

		if (type == OPT_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > hlen)
			return -EBADMSG;
		olen = h[off + 1];
		if (off + 2 + olen > hlen)
			return -EBADMSG;
		if (type == OPT_HAO) {
			/* A second HAO would give the packet two identities. */
			if (olen != 16 || mi->has_hoa)
				return -EBADMSG;
			memcpy(&mi->hoa, h + off + 2, 16);
			mi->has_hoa = 1;
		}
		off += 2 + olen;
	}
	return 0;
}

int mh_parse_ipv6(const __u8 *pkt, size_t len, struct mh_info *out)
{
	size_t off = IPV6_HDR_LEN, end, hlen;
	__u8 nh;
	int i, rc;

	if (!pkt || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < IPV6_HDR_LEN)
		return -EBADMSG;
	if (pkt[0] >> 4 != 6)
		return -EINVAL;
	end = IPV6_HDR_LEN + (size_t)get16(pkt + 4);
	if (end > len)
		return -EBADMSG;
	nh = pkt[6];
	memcpy(&out->src, pkt + 8, 16);
	memcpy(&out->dst, pkt + 24, 16);

	for (i = 0; ; i++) {
		const __u8 *h = pkt + off;

		if (nh == NH_MOBILITY)
			return parse_mh(pkt, off, end, out);
		if (nh != NH_HOPOPTS && nh != NH_ROUTING && nh != NH_DSTOPTS &&
		    nh != NH_FRAGMENT && nh != NH_AH)
			return -ENOENT;   /* upper layer, ESP, No Next Header */
		if (i == MIP6LB_MAX_EXT_HDRS)
			return -ELOOP;
		/* RFC 8200 §4.1: Hop-by-Hop only right after the IPv6 header. */
		if (nh == NH_HOPOPTS && i != 0)
			return -EBADMSG;
		if (off + 8 > end)        /* every extension header is >= 8 */
			return -EBADMSG;

		switch (nh) {
		case NH_FRAGMENT:         /* RFC 8200 §4.5 */
			if (get16(h + 2) & 0xfff8)
				return -EOPNOTSUPP;
			hlen = 8;
			break;
		case NH_AH:               /* RFC 4302 §2.2: 4-octet units, minus 2 */
			hlen = ((size_t)h[1] + 2) * 4;
			break;
		default:
			hlen = ((size_t)h[1] + 1) * 8;
			break;
		}
		if (off + hlen > end)
			return -EBADMSG;

		if (nh == NH_DSTOPTS) {
			rc = parse_dstopts(h, hlen, out);
			if (rc)
				return rc;
		} else if (nh == NH_ROUTING && h[2] == RT_TYPE2) {
			/* RFC 6275 §6.4: Hdr Ext Len 2, one address. */
			if (h[1] != 2 || h[3] > 1 || out->has_rt2)
				return -EBADMSG;
			memcpy(&out->rt2_addr, h + 8, 16);
			out->has_rt2 = 1;
		}
		nh = h[0];
		off += hlen;
	}
}

int mh_parse_eth(const __u8 *pkt, size_t len, struct mh_info *out)
{
	size_t off = 12;
	__u16 proto;
	int tags;

	if (!pkt || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len < ETH_HDR_LEN)
		return -EBADMSG;
	proto = get16(pkt + off);
	for (tags = 0; (proto == ETH_P_8021Q_ || proto == ETH_P_8021AD_) &&
		       tags < MAX_VLAN_TAGS; tags++) {
		off += 4;
		if (off + 2 > len)
			return -EBADMSG;
		proto = get16(pkt + off);
	}
	if (proto != ETH_P_IPV6_)
		return -EINVAL;
	off += 2;
	return mh_parse_ipv6(pkt + off, len - off, out);
}

/* DLT_NULL carries the sender's AF_INET6 in host byte order, which differs
 * between systems (Linux 10, NetBSD/OpenBSD 24, FreeBSD 28, macOS 30);
 * DLT_LOOP the same in network byte order.  Accept any in either order. */
static int af_is_inet6(const __u8 *p)
{
	__u32 be = (__u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
	__u32 le = (__u32)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];

	return be == 10 || be == 24 || be == 28 || be == 30 ||
	       le == 10 || le == 24 || le == 28 || le == 30;
}

int mh_parse_link(int dlt, const __u8 *pkt, size_t len, struct mh_info *out)
{
	if (!pkt || !out)
		return -EINVAL;
	switch (dlt) {
	case DLT_EN10MB:
		return mh_parse_eth(pkt, len, out);
	case DLT_RAW:
	case DLT_IPV6:
		return mh_parse_ipv6(pkt, len, out);
	case DLT_NULL:
	case DLT_LOOP:
		memset(out, 0, sizeof(*out));
		if (len < 4)
			return -EBADMSG;
		if (!af_is_inet6(pkt))
			return -EINVAL;
		return mh_parse_ipv6(pkt + 4, len - 4, out);
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}
