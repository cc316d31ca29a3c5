// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the datapath's parser (bpf/parse.h, the same code
 * the XDP program runs) and the identity extraction.  Besides the
 * sanitizers, it checks the parser's own promises on every input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "parse_user.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mip6lb_session_key key;
	struct mip6lb_pkt pkt;
	uint8_t *copy;
	int ret, kind;

	/* A private copy, so ASan catches any read past the frame. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	ret = mip6lb_parse_buf(copy, size, &pkt);
	check(ret == MIP6LB_PARSE_OK || ret == MIP6LB_PARSE_NOT_IPV6 ||
	      ret == MIP6LB_PARSE_MALFORMED);
	if (ret == MIP6LB_PARSE_OK) {
		check(pkt.flags & MIP6LB_PKT_ADDRS);
		check(14u + pkt.l3_len <= size);
		check(pkt.n_ext <= MIP6LB_MAX_EXT_HDRS);
		check(!(pkt.flags & MIP6LB_PKT_FRAG_LATER) || (pkt.flags & MIP6LB_PKT_FRAG));
		check(!(pkt.flags & MIP6LB_PKT_HAS_HAO) || !memcmp(&pkt.hoa, &pkt.hoa, 16));
		for (kind = MIP6LB_KIND_HOA; kind <= MIP6LB_KIND_SRC; kind++) {
			int has = mip6lb_identity_key(&pkt, 1, MIP6LB_SVC_EUI64_ONLY, kind, &key);

			check(has == 0 || key.space == mip6lb_kind_space(kind));
		}
	}
	free(copy);
	return 0;
}
