// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the ICMPv6 error quote parser (bpf/icmp_error.h,
 * the code the XDP program runs) and the identity keys built from a quote.
 * The input is a type selector byte and the quote: it is wrapped in an
 * Ethernet frame with an IPv6 header to the VIP and an ICMPv6 error header
 * of type 1-4, so every run reaches the quote.  Checked on every input:
 *   - the result is a quote (0) or MALFORMED, never "not an error";
 *   - a quote shorter than an IPv6 header is MALFORMED;
 *   - a quote read is mirrored: its src is the quoted destination, its
 *     dst the quoted source;
 *   - at most MIP6LB_MAX_EXT_HDRS headers walked; a later fragment is a
 *     fragment; a home address comes only from a type 2 routing header,
 *     whose 16 bytes are in the quote; ports only for TCP and UDP;
 *   - every identity key built from it is in its kind's keyspace.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "parse_user.h"

#define QUOTE_MAX 4096

static void check(int cond)
{
	if (!cond)
		abort();
}

static int contains(const uint8_t *hay, size_t n, const void *needle, size_t len)
{
	size_t i;

	for (i = 0; i + len <= n; i++)
		if (!memcmp(hay + i, needle, len))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 0xaa, 2, 0, 0, 0, 0, 1, 0x86, 0xdd };
	struct mip6lb_session_key key;
	struct mip6lb_pkt pkt, q;
	size_t n, len;
	uint8_t *frame, *ip, *quote;
	int ret, kind;

	if (size < 1)
		return 0;
	n = size - 1 > QUOTE_MAX ? QUOTE_MAX : size - 1;
	len = 14 + 40 + 8 + n;
	frame = calloc(1, len);
	if (!frame)
		return 0;
	memcpy(frame, eth, 14);
	ip = frame + 14;
	ip[0] = 0x60;
	ip[4] = (uint8_t)((8 + n) >> 8);
	ip[5] = (uint8_t)(8 + n);
	ip[6] = 58;
	ip[7] = 64;
	inet_pton(AF_INET6, "2001:db8:77::1", ip + 8);
	inet_pton(AF_INET6, "2001:db8::80", ip + 24);
	ip[40] = (uint8_t)(1 + data[0] % 4);
	quote = ip + 48;
	memcpy(quote, data + 1, n);

	ret = mip6lb_parse_icmp_error_buf(frame, len, &pkt, &q);
	check(ret == 0 || ret == MIP6LB_PARSE_MALFORMED);
	check(n >= 40 || ret == MIP6LB_PARSE_MALFORMED);
	if (ret == 0) {
		check(q.flags & MIP6LB_PKT_ADDRS);
		check(!memcmp(&q.src, quote + 24, 16) && !memcmp(&q.dst, quote + 8, 16));
		check(q.n_ext <= MIP6LB_MAX_EXT_HDRS);
		check(!(q.flags & MIP6LB_PKT_FRAG_LATER) || (q.flags & MIP6LB_PKT_FRAG));
		check(!(q.flags & MIP6LB_PKT_HAS_HAO) == !(q.flags & MIP6LB_PKT_RT_TYPE2));
		check(!(q.flags & MIP6LB_PKT_HAS_HAO) || contains(quote + 40, n - 40, &q.hoa, 16));
		check(!(q.flags & MIP6LB_PKT_HAS_PORTS) ||
		      q.proto == MIP6LB_NH_TCP || q.proto == MIP6LB_NH_UDP);
		check(!(q.flags & MIP6LB_PKT_HAS_SPI));
		for (kind = MIP6LB_KIND_HOA; kind <= MIP6LB_KIND_SRC; kind++) {
			int has = mip6lb_identity_key(&q, 1, MIP6LB_SVC_EUI64_ONLY, kind, &key);

			check(has == 0 || key.space == mip6lb_kind_space(kind));
		}
	}
	free(frame);
	return 0;
}
