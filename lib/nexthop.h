/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * nexthop.h - next-hop resolution over rtnetlink (libmnl).  The XDP
 * datapath forwards to a backend without a FIB lookup, so every backend
 * entry carries its egress ifindex, destination MAC (the backend's or its
 * gateway's) and source MAC (the egress interface's); the daemon fills them
 * in with nh_resolve() and re-resolves when nh_process() reports a change.
 *
 * Everything works on the network namespace of the thread that called
 * nh_open(): netlink sockets bind to it for their lifetime.
 */
#ifndef MIP6LB_NEXTHOP_H
#define MIP6LB_NEXTHOP_H

#include <stdbool.h>
#include <linux/types.h>
#include <netinet/in.h>

struct nh_resolver;

struct nh_result {
	__u32 ifindex;        /* egress */
	__u8  dmac[6];        /* backend's or gateway's MAC */
	__u8  smac[6];        /* egress interface's MAC */
	struct in6_addr via;  /* the neighbour that was looked up (gateway or the backend itself) */
	__u32 mtu;            /* the egress interface's (IFLA_MTU), 0 = unknown */
	bool  valid;          /* ifindex, dmac and smac are all known */
};

/* Open two NETLINK_ROUTE sockets with libmnl: one for requests, one
 * subscribed to RTNLGRP_NEIGH, RTNLGRP_LINK and RTNLGRP_IPV6_ROUTE for
 * changes.  Returns 0 and *out, or a negative errno. */
int nh_open(struct nh_resolver **out);
/* Close both sockets and free r; NULL is a no-op. */
void nh_close(struct nh_resolver *r);
/* The monitor socket's fd, for the daemon's epoll loop (EPOLLIN). */
int nh_fd(const struct nh_resolver *r);

/*
 * Resolve addr: RTM_GETROUTE for the egress ifindex and gateway (unless dev
 * names an egress interface: then use that ifindex and look up the
 * neighbour addr on it directly), RTM_GETNEIGH for the neighbour's lladdr
 * (NUD_REACHABLE/STALE/DELAY/PROBE/PERMANENT/NOARP count as known;
 * INCOMPLETE/FAILED/none do not), and the interface's MAC and MTU via
 * RTM_GETLINK (IFLA_ADDRESS, IFLA_MTU: an MTU change is a link event, so
 * nh_process() reports it).
 *
 * When the neighbour is unknown, neighbour discovery is started (an
 * RTM_NEWNEIGH with NTF_USE, see nexthop.c) and -EAGAIN is returned with
 * ifindex, smac and via filled and valid = false; the kernel's neighbour
 * event arrives on nh_fd() once the neighbour answers (or fails).
 *
 * A NULL or empty dev means "follow the routing table".  A link-local addr
 * needs dev: the routing table cannot tell which link it lives on.
 *
 * Returns 0 with valid = true, or valid = false and:
 *   -EAGAIN       neighbour unresolved, discovery started;
 *   -ENETUNREACH  no route, or an unreachable/blackhole/prohibit/local one;
 *   -ENODEV       dev (or the route's egress interface) does not exist;
 *   -ENETDOWN     the egress interface is administratively down;
 *   -EOPNOTSUPP   the egress interface is not Ethernet (no 6-byte MAC);
 *   -EINVAL       NULL argument, unspecified or multicast addr, link-local
 *                 addr without dev;
 *   -ETIMEDOUT    the kernel did not answer within a second;
 *   another negative errno from netlink.
 * Every failure except -EAGAIN logs one line.
 */
int nh_resolve(struct nh_resolver *r, const struct in6_addr *addr, const char *dev,
	       struct nh_result *out);

/* Drain the monitor socket (non-blocking).  Returns 1 if any neighbour
 * (IPv6), link or IPv6 route change was seen, or if the socket overflowed
 * and events were lost (the caller then re-resolves its backends), 0 if
 * none, negative errno on error. */
int nh_process(struct nh_resolver *r);

#endif
