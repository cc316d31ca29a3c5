// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "pktbuild.h"

const __u8 pb_client_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
const __u8 pb_lb_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa };

#define ETH_LEN 14
#define IP6_LEN 40

static __u8 *room(struct pb *b, size_t n)
{
	__u8 *p;

	if (b->len + n > PB_MAX) {
		fprintf(stderr, "pktbuild: packet over %d bytes\n", PB_MAX);
		abort();
	}
	p = b->data + b->len;
	memset(p, 0, n);
	b->len += n;
	return p;
}

static void addr(const char *text, __u8 *out)
{
	if (inet_pton(AF_INET6, text, out) != 1) {
		fprintf(stderr, "pktbuild: bad address %s\n", text);
		abort();
	}
}

/* Link a header of protocol proto at the current end, and return it. */
static __u8 *link(struct pb *b, __u8 proto, size_t len, size_t nexthdr_at)
{
	size_t off = b->len;
	__u8 *p;

	b->data[b->nexthdr_off] = proto;
	p = room(b, len);
	b->nexthdr_off = off + nexthdr_at;
	/* Extension headers are read whole; upper layers set their own. */
	b->need = b->len;
	return p;
}

void pb_init(struct pb *b, const char *src, const char *dst)
{
	__u8 *p;

	memset(b, 0, sizeof(*b));
	p = room(b, ETH_LEN);
	memcpy(p, pb_lb_mac, 6);
	memcpy(p + 6, pb_client_mac, 6);
	p[12] = 0x86;
	p[13] = 0xdd;
	p = room(b, IP6_LEN);
	p[0] = 0x60;
	p[7] = 64;            /* hop limit */
	addr(src, p + 8);
	addr(dst, p + 24);
	b->nexthdr_off = ETH_LEN + 6;
	b->need = b->len;
}

void pb_hbh(struct pb *b)
{
	__u8 *p = link(b, 0, 8, 0);

	p[2] = 1;             /* PadN, 4 bytes of padding */
	p[3] = 4;
}

void pb_dstopt(struct pb *b)
{
	__u8 *p = link(b, 60, 8, 0);

	p[2] = 1;
	p[3] = 4;
}

void pb_dstopt_hao(struct pb *b, const char *hoa)
{
	/* RFC 6275 §6.3: the HAO wants 8n+6 alignment: PadN(2) first. */
	__u8 *p = link(b, 60, 24, 0);

	p[1] = 2;
	p[2] = 1;             /* PadN */
	p[3] = 2;
	p[6] = 201;           /* Home Address option */
	p[7] = 16;
	addr(hoa, p + 8);
}

void pb_dstopt_raw(struct pb *b, const __u8 *opts, size_t len, int hdrlen)
{
	size_t total = (2 + len + 7) / 8 * 8;
	__u8 *p = link(b, 60, total, 0);

	p[1] = hdrlen >= 0 ? (__u8)hdrlen : (__u8)(total / 8 - 1);
	memcpy(p + 2, opts, len);
}

void pb_rt2(struct pb *b, const char *hoa)
{
	__u8 *p = link(b, 43, 24, 0);

	p[1] = 2;
	p[2] = 2;             /* type 2 */
	p[3] = 1;             /* segments left */
	addr(hoa, p + 8);
}

void pb_frag(struct pb *b, __u16 offset8, int more, __u32 id)
{
	__u8 *p = link(b, 44, 8, 0);
	__u16 fo = htons((__u16)(offset8 << 3) | (more ? 1 : 0));
	__u32 nid = htonl(id);

	memcpy(p + 2, &fo, 2);
	memcpy(p + 4, &nid, 4);
}

void pb_ah(struct pb *b, __u32 spi)
{
	__u8 *p = link(b, 51, 24, 0);
	__u32 nspi = htonl(spi);

	p[1] = 24 / 4 - 2;
	memcpy(p + 4, &nspi, 4);
	p[11] = 1;            /* sequence 1 */
}

void pb_esp(struct pb *b, __u32 spi, size_t payload)
{
	__u8 *p = link(b, 50, 8 + payload, 0);
	__u32 nspi = htonl(spi);
	size_t i;

	memcpy(p, &nspi, 4);
	p[7] = 1;
	for (i = 0; i < payload; i++)
		p[8 + i] = (__u8)(0xa5 ^ i);
	b->nexthdr_off = 0;
	b->need = (p - b->data) + 8;      /* SPI and sequence */
}

void pb_mh(struct pb *b, __u8 type)
{
	__u8 *p = link(b, 135, 8, 0);

	p[0] = 59;
	p[2] = type;
	b->nexthdr_off = 0;
	b->need = p - b->data;            /* the walk stops at 135 */
}

void pb_udp(struct pb *b, __u16 sport, __u16 dport, size_t payload)
{
	__u8 *p = link(b, 17, 8 + payload, 0);
	__u16 v;
	size_t i;

	v = htons(sport); memcpy(p, &v, 2);
	v = htons(dport); memcpy(p + 2, &v, 2);
	v = htons(8 + payload); memcpy(p + 4, &v, 2);
	for (i = 0; i < payload; i++)
		p[8 + i] = (__u8)('a' + i % 26);
	b->nexthdr_off = 0;
	b->need = (p - b->data) + 4;      /* the ports */
}

void pb_tcp_flags(struct pb *b, __u16 sport, __u16 dport, __u8 flags)
{
	__u8 *p = link(b, 6, 20, 0);
	__u16 v;

	v = htons(sport); memcpy(p, &v, 2);
	v = htons(dport); memcpy(p + 2, &v, 2);
	p[12] = 5 << 4;       /* data offset */
	p[13] = flags;
	b->nexthdr_off = 0;
	b->need = (p - b->data) + 14;     /* the ports and the flags */
}

void pb_tcp(struct pb *b, __u16 sport, __u16 dport)
{
	pb_tcp_flags(b, sport, dport, 0x02);      /* SYN */
}

void pb_icmp6_echo(struct pb *b)
{
	__u8 *p = link(b, 58, 8, 0);

	p[0] = 128;
	b->nexthdr_off = 0;
	b->need = p - b->data;
}

void pb_icmp6_error(struct pb *b, __u8 type, __u8 code, __u32 word,
		    const struct pb *quoted, size_t quote_len)
{
	size_t whole = quoted->len - ETH_LEN;
	size_t n = quote_len && quote_len < whole ? quote_len : whole;
	__u8 *p = link(b, 58, 8 + n, 0);
	__u32 nword = htonl(word);

	p[0] = type;
	p[1] = code;
	memcpy(p + 4, &nword, 4);
	memcpy(p + 8, quoted->data + ETH_LEN, n);
	b->nexthdr_off = 0;
	b->need = b->len;                 /* the whole quote is read */
}

void pb_icmp6_csum(struct pb *b)
{
	const __u8 *ip = b->data + ETH_LEN;
	size_t n = b->len - ETH_LEN - IP6_LEN, i;
	__u8 *icmp = b->data + ETH_LEN + IP6_LEN;
	__u32 sum = 0;
	__u16 c;

	icmp[2] = icmp[3] = 0;
	for (i = 0; i < 32; i += 2)            /* source and destination */
		sum += (__u32)(ip[8 + i] << 8 | ip[8 + i + 1]);
	sum += (__u32)n;                        /* upper-layer length */
	sum += 58;                              /* next header */
	for (i = 0; i + 1 < n; i += 2)
		sum += (__u32)(icmp[i] << 8 | icmp[i + 1]);
	if (n & 1)
		sum += (__u32)(icmp[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = htons((__u16)~sum);
	memcpy(icmp + 2, &c, 2);
}

void pb_nonext(struct pb *b)
{
	b->data[b->nexthdr_off] = 59;
	b->nexthdr_off = 0;
	b->need = b->len;
}

void pb_finish(struct pb *b)
{
	__u16 plen = htons((__u16)(b->len - ETH_LEN - IP6_LEN));

	memcpy(b->data + ETH_LEN + 4, &plen, 2);
}

void pb_trailer(struct pb *b, size_t n)
{
	__u8 *p = room(b, n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (__u8)(0xee ^ i);
}

void pb_encap(struct pb *b, const char *src, const char *dst)
{
	size_t inner = b->len - ETH_LEN;
	__u16 plen = htons((__u16)inner);
	__u8 *p;

	room(b, IP6_LEN);
	memmove(b->data + ETH_LEN + IP6_LEN, b->data + ETH_LEN, inner);
	p = b->data + ETH_LEN;
	memset(p, 0, IP6_LEN);
	p[0] = 0x60;
	memcpy(p + 4, &plen, 2);
	p[6] = 41;            /* IPv6 */
	p[7] = 64;
	addr(src, p + 8);
	addr(dst, p + 24);
	if (b->nexthdr_off)
		b->nexthdr_off += IP6_LEN;
	b->need += IP6_LEN;
}

void pb_tclass(struct pb *b, __u8 tclass)
{
	__u8 *p = b->data + ETH_LEN;

	/* version:4 | traffic class:8 | flow label:20 */
	p[0] = (__u8)((p[0] & 0xf0) | (tclass >> 4));
	p[1] = (__u8)((p[1] & 0x0f) | (tclass << 4));
}

void pb_flowlabel(struct pb *b, __u32 label)
{
	__u8 *p = b->data + ETH_LEN;

	p[1] = (__u8)((p[1] & 0xf0) | ((label >> 16) & 0x0f));
	p[2] = (__u8)(label >> 8);
	p[3] = (__u8)label;
}

void pb_macs(struct pb *b, const __u8 dst[6], const __u8 src[6])
{
	memcpy(b->data, dst, 6);
	memcpy(b->data + 6, src, 6);
}

void pb_ipv4(struct pb *b)
{
	__u8 *p;

	memset(b, 0, sizeof(*b));
	p = room(b, ETH_LEN + 28);
	memcpy(p, pb_lb_mac, 6);
	memcpy(p + 6, pb_client_mac, 6);
	p[12] = 0x08;
	p[14] = 0x45;
	p[17] = 28;
	p[22] = 64;
	p[23] = 17;
	p[26] = 192; p[27] = 0; p[28] = 2; p[29] = 1;
	p[30] = 192; p[31] = 0; p[32] = 2; p[33] = 80;
	b->nexthdr_off = 0;
}

void pb_raw(struct pb *b, __u8 proto, size_t n)
{
	size_t need = b->need;
	__u8 *p = link(b, proto, n, 0);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (__u8)(0x30 + i % 64);
	b->nexthdr_off = 0;
	b->need = need;                   /* payload, not headers */
}
