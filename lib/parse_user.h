/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* parse_user.h - the datapath's parser (bpf/parse.h) and identity keys
 * (bpf/identity.h), built for userspace: the offline classifier, fuzzers
 * and the parity tests include this. */
#ifndef MIP6LB_PARSE_USER_H
#define MIP6LB_PARSE_USER_H

#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>      /* before linux/ipv6.h: glibc owns in6_addr */
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include "parse.h"
#include "identity.h"
#include "icmp_error.h"

_Static_assert(sizeof(struct mip6lb_pkt) % 8 == 0,
	       "per-CPU map values are 8-byte multiples");

/* Parse a whole Ethernet frame held in memory.  The frame is copied to
 * 2 bytes past an aligned address, as drivers place it (NET_IP_ALIGN), so
 * the IPv6 header's 32-bit fields are aligned as the kernel's structs
 * expect; the copy is exactly len bytes so sanitizers see any overread. */
static inline int mip6lb_parse_buf(const void *frame, size_t len, struct mip6lb_pkt *pkt)
{
	unsigned char *mem = malloc(len + 2), *data;
	int ret;

	if (!mem) {
		memset(pkt, 0, sizeof(*pkt));
		return MIP6LB_PARSE_MALFORMED;
	}
	data = mem + 2;
	memcpy(data, frame, len);
	ret = mip6lb_parse(NULL, data, data + len, pkt);
	free(mem);
	return ret;
}

/* The same for an ICMPv6 error: *pkt the error, *q the packet it quotes
 * as the client's own would look (bpf/icmp_error.h).  1: the frame is
 * not an ICMPv6 error (types 1-4) that parses; 0: *q is its quote;
 * MIP6LB_PARSE_MALFORMED: the quote is truncated or inconsistent. */
static inline int mip6lb_parse_icmp_error_buf(const void *frame, size_t len,
					      struct mip6lb_pkt *pkt, struct mip6lb_pkt *q)
{
	unsigned char *mem = malloc(len + 2), *data;
	int ret;

	memset(q, 0, sizeof(*q));
	if (!mem) {
		memset(pkt, 0, sizeof(*pkt));
		return MIP6LB_PARSE_MALFORMED;
	}
	data = mem + 2;
	memcpy(data, frame, len);
	ret = mip6lb_parse(NULL, data, data + len, pkt);
	if (ret == MIP6LB_PARSE_OK && mip6lb_icmp_error_type(data, data + len, pkt))
		ret = mip6lb_parse_quote(NULL, data, data + len, pkt->l4_off,
					 sizeof(struct ethhdr) + pkt->l3_len, q);
	else
		ret = 1;
	free(mem);
	return ret;
}

#endif
