// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the rtnetlink parsers of the next-hop resolver
 * (lib/nexthop.c): the input is a buffer of netlink messages as a receive
 * would return it, run through libmnl's mnl_cb_run() into each of the
 * file's callbacks: link (RTM_NEWLINK), route (RTM_NEWROUTE), neighbour
 * (RTM_NEWNEIGH) and the monitor's change filter.  nexthop.c is included
 * so its static callbacks and private structs are reached as they are,
 * with no socket.  Checks: names stay terminated, the parsed fields are
 * only set from attributes of the exact size.
 */
#include <stdint.h>
#include "fuzzutil.h"
#include "../../lib/nexthop.c"

static void run(const void *buf, size_t len, mnl_cb_t cb, void *data)
{
	/* seq 0 and portid 0: no checks, as for the monitor's events. */
	errno = 0;
	mnl_cb_run(buf, len, 0, 0, cb, data);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nh_neigh ne;
	struct nh_route rt;
	struct nh_link l;
	int changed = 0;
	void *buf;

	if (!fuzz_nl_plausible(data, size))
		return 0;
	/* A private, aligned copy, so ASan catches any read past the end;
	 * with NLMSG_ALIGNTO zeroed bytes of slack, as the resolver's receive
	 * buffer always has: libmnl takes a message's attributes up to its
	 * aligned length. */
	buf = calloc(1, size + NLMSG_ALIGNTO);
	if (!buf)
		abort();
	memcpy(buf, data, size);

	memset(&l, 0, sizeof(l));
	run(buf, size, link_cb, &l);
	FUZZ_CHECK(memchr(l.name, 0, sizeof(l.name)));
	memset(&rt, 0, sizeof(rt));
	run(buf, size, route_cb, &rt);
	FUZZ_CHECK(rt.has_gw || IN6_IS_ADDR_UNSPECIFIED(&rt.gw));
	memset(&ne, 0, sizeof(ne));
	run(buf, size, neigh_cb, &ne);
	FUZZ_CHECK(ne.has_lladdr || !(ne.lladdr[0] | ne.lladdr[1] | ne.lladdr[5]));
	run(buf, size, monitor_cb, &changed);
	FUZZ_CHECK(changed == 0 || changed == 1);
	free(buf);
	return 0;
}
