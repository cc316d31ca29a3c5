/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pktbuild.h - canned Ethernet/IPv6 packets for the tests: an IPv6 header,
 * then any chain of extension headers, then an upper layer.  Each pb_*()
 * appends one header and links it into the previous next-header field;
 * pb_finish() sets the payload length.
 */
#ifndef MIP6LB_PKTBUILD_H
#define MIP6LB_PKTBUILD_H

#include <stddef.h>
#include <linux/types.h>

#define PB_MAX 2048

/* MACs of the canned frames. */
extern const __u8 pb_client_mac[6];
extern const __u8 pb_lb_mac[6];

struct pb {
	__u8   data[PB_MAX];
	size_t len;
	size_t nexthdr_off;   /* where the next header's number goes */
	size_t need;          /* frame bytes the parser must read */
};

void pb_init(struct pb *b, const char *src, const char *dst);
void pb_hbh(struct pb *b);                       /* 8 bytes, PadN */
void pb_dstopt(struct pb *b);                    /* 8 bytes, PadN only */
void pb_dstopt_hao(struct pb *b, const char *hoa); /* PadN(4) + HAO, 24 bytes */
/* Destination Options with raw option bytes, padded with zeros (Pad1) to
 * a multiple of 8; hdrlen may be forced (>= 0) to build inconsistent ones. */
void pb_dstopt_raw(struct pb *b, const __u8 *opts, size_t len, int hdrlen);
void pb_rt2(struct pb *b, const char *hoa);      /* type 2 routing header */
void pb_frag(struct pb *b, __u16 offset8, int more, __u32 id);
void pb_ah(struct pb *b, __u32 spi);             /* 24 bytes (12-byte ICV) */
void pb_esp(struct pb *b, __u32 spi, size_t payload);
void pb_mh(struct pb *b, __u8 type);             /* minimal Mobility Header */
void pb_udp(struct pb *b, __u16 sport, __u16 dport, size_t payload);
void pb_tcp(struct pb *b, __u16 sport, __u16 dport);   /* a SYN */
/* A 20-byte TCP header with the given flags byte (0x10: ACK only). */
void pb_tcp_flags(struct pb *b, __u16 sport, __u16 dport, __u8 flags);
void pb_icmp6_echo(struct pb *b);
/* An ICMPv6 error (RFC 4443 §3) of type and code whose 4-byte field is
 * word (Packet Too Big: the MTU), quoting the first quote_len bytes of
 * quoted's IPv6 packet (all of it when quote_len is 0 or longer).  After
 * pb_finish(), pb_icmp6_csum() sets its checksum. */
void pb_icmp6_error(struct pb *b, __u8 type, __u8 code, __u32 word,
		    const struct pb *quoted, size_t quote_len);
/* The ICMPv6 checksum of a finished packet whose chain is the IPv6 header
 * and the ICMPv6 message (RFC 4443 §2.3, RFC 8200 §8.1). */
void pb_icmp6_csum(struct pb *b);
void pb_nonext(struct pb *b);                    /* No Next Header */
/* n bytes of opaque payload of protocol proto (a later fragment's data). */
void pb_raw(struct pb *b, __u8 proto, size_t n);
void pb_finish(struct pb *b);
/* n bytes past the end that no payload length covers (Ethernet padding,
 * trailers); after pb_finish(). */
void pb_trailer(struct pb *b, size_t n);

/* Wrap the finished packet in an outer IPv6 header from src to dst, as
 * mip6lb's ip6ip6 forwarding does (bpf/forward.h, RFC 2473 §3): next header
 * 41, payload length the inner packet's, hop limit 64, traffic class and
 * flow label 0, the Ethernet header kept in front.  After pb_finish(); may
 * be called again to nest. */
void pb_encap(struct pb *b, const char *src, const char *dst);
/* Set the traffic class (DSCP << 2 | ECN) of the frame's first IPv6 header:
 * the outer one once pb_encap() has run. */
void pb_tclass(struct pb *b, __u8 tclass);

/* Set the flow label (20 bits) of the frame's first IPv6 header: the
 * outer one once pb_encap() has run. */
void pb_flowlabel(struct pb *b, __u32 label);
/* Set the Ethernet destination and source addresses (as l2-dsr and ip6ip6
 * forwarding rewrite them). */
void pb_macs(struct pb *b, const __u8 dst[6], const __u8 src[6]);

/* A non-IPv6 frame (IPv4/UDP) for pass-through tests. */
void pb_ipv4(struct pb *b);

#endif
