/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* parse_user.h - the datapath's parser (bpf/parse.h), built for userspace:
 * the offline classifier, fuzzers and the parity tests include this. */
#ifndef MIP6LB_PARSE_USER_H
#define MIP6LB_PARSE_USER_H

#include <netinet/in.h>      /* before linux/ipv6.h: glibc owns in6_addr */
#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include "parse.h"

_Static_assert(sizeof(struct mip6lb_pkt) % 8 == 0,
	       "per-CPU map values are 8-byte multiples");

/* Parse a whole Ethernet frame held in memory. */
static inline int mip6lb_parse_buf(const void *frame, size_t len, struct mip6lb_pkt *pkt)
{
	void *data = (void *)frame;

	return mip6lb_parse(NULL, data, (char *)data + len, pkt);
}

#endif
