// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * nexthop.c - next-hop resolution over rtnetlink.
 *
 * Requests go out on one socket and wait at most NH_TIMEOUT_S for their
 * answer (SO_RCVTIMEO), always with NLM_F_ACK so that a non-dump "get"
 * ends in an ACK and the receive loop knows when it is done.  Changes
 * arrive on a second, non-blocking socket that only listens to multicast
 * groups, so a reply to a request can never be mistaken for an event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include "log.h"
#include "nexthop.h"
#include "nlreq.h"

#define NH_TIMEOUT_S 1
/* RTM_NEWLINK answers carry stats and per-VF blocks; 32 KiB is what libmnl
 * later named MNL_SOCKET_DUMP_SIZE.  A larger message fails with ENOSPC
 * (MSG_TRUNC) rather than being parsed short. */
#define NH_BUF_SIZE 32768
/* Requests are zeroed first: libmnl 1.0.4 leaves attribute padding as it
 * finds it, and it goes to the kernel. */
#define NH_REQ_SIZE 512

/* The states in which the kernel holds a usable lladdr (include/net/neighbour.h
 * calls REACHABLE|PERMANENT|NOARP "connected" and adds STALE|DELAY|PROBE to
 * make NUD_VALID; those last three still forward while being re-verified). */
#define NH_NUD_KNOWN (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
		      NUD_PERMANENT | NUD_NOARP)

struct nh_resolver {
	struct mnl_socket *req;
	struct mnl_socket *mon;
	unsigned int portid;    /* of req */
	unsigned int seq;
	char buf[NH_BUF_SIZE];
};

struct nh_link {
	__u32 ifindex;
	unsigned short type;    /* ARPHRD_* */
	unsigned int flags;     /* IFF_* */
	__u8 mac[6];
	bool has_mac;
	__u32 mtu;              /* IFLA_MTU, 0 = not given */
	char name[IF_NAMESIZE];
};

struct nh_route {
	unsigned char type;     /* RTN_* */
	__u32 oif;
	bool has_gw;
	struct in6_addr gw;
};

struct nh_neigh {
	__u16 state;            /* NUD_* */
	bool has_lladdr;
	__u8 lladdr[6];
};

static const char *addr_str(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN) ? buf : "?";
}

/* ---- sockets ----------------------------------------------------------- */

int nh_open(struct nh_resolver **out)
{
	static const unsigned int groups[] = {
		RTNLGRP_NEIGH, RTNLGRP_LINK, RTNLGRP_IPV6_ROUTE,
	};
	struct timeval tv = { .tv_sec = NH_TIMEOUT_S };
	struct nh_resolver *r;
	unsigned int i;
	int err;

	if (!out)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		pr_err("next-hop resolver: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	/* Any start value works; a time-based one keeps answers meant for a
	 * previous resolver in this process from matching by accident. */
	r->seq = (unsigned int)time(NULL);

	r->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->req) {
		err = -errno;
		pr_err("next-hop request socket: %s", strerror(-err));
		goto err_free;
	}
	if (mnl_socket_bind(r->req, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		pr_err("next-hop request socket: bind: %s", strerror(-err));
		goto err_req;
	}
	if (setsockopt(mnl_socket_get_fd(r->req), SOL_SOCKET, SO_RCVTIMEO,
		       &tv, sizeof(tv)) < 0) {
		err = -errno;
		pr_err("next-hop request socket: SO_RCVTIMEO: %s", strerror(-err));
		goto err_req;
	}
	r->portid = mnl_socket_get_portid(r->req);

	r->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!r->mon) {
		err = -errno;
		pr_err("next-hop monitor socket: %s", strerror(-err));
		goto err_req;
	}
	if (mnl_socket_bind(r->mon, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		pr_err("next-hop monitor socket: bind: %s", strerror(-err));
		goto err_mon;
	}
	/* One NETLINK_ADD_MEMBERSHIP per group rather than bind()'s mask of
	 * 1 << (group - 1): it names the RTNLGRP_* values as they are and is
	 * not limited to the first 32 groups. */
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned int g = groups[i];

		if (mnl_socket_setsockopt(r->mon, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
			err = -errno;
			pr_err("next-hop monitor socket: join group %u: %s", g, strerror(-err));
			goto err_mon;
		}
	}
	*out = r;
	return 0;

err_mon:
	mnl_socket_close(r->mon);
err_req:
	mnl_socket_close(r->req);
err_free:
	free(r);
	return err;
}

void nh_close(struct nh_resolver *r)
{
	if (!r)
		return;
	mnl_socket_close(r->mon);
	mnl_socket_close(r->req);
	free(r);
}

int nh_fd(const struct nh_resolver *r)
{
	return r ? mnl_socket_get_fd(r->mon) : -EINVAL;
}

static int nl_request(struct nh_resolver *r, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return nlreq_run(r->req, r->portid, &r->seq, r->buf, sizeof(r->buf), nlh, cb, data);
}

/* ---- RTM_GETLINK --------------------------------------------------------- */

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct nh_link *l = data;

	switch (mnl_attr_get_type(a)) {
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(a) == sizeof(l->mac)) {
			memcpy(l->mac, mnl_attr_get_payload(a), sizeof(l->mac));
			l->has_mac = true;
		}
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			l->mtu = mnl_attr_get_u32(a);
		break;
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nh_link *l = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_OK;
	l->ifindex = ifi->ifi_index;
	l->type = ifi->ifi_type;
	l->flags = ifi->ifi_flags;
	mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, l);
	return MNL_CB_OK;
}

/* By ifindex, or by name when name is not NULL. */
static int link_get(struct nh_resolver *r, __u32 ifindex, const char *name, struct nh_link *l)
{
	char req[NH_REQ_SIZE] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = name ? 0 : ifindex;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* Only IFLA_ADDRESS, IFLA_MTU and IFLA_IFNAME are read: skip the
	 * counters. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	memset(l, 0, sizeof(*l));
	return nl_request(r, nlh, link_cb, l);
}

/* ---- RTM_GETROUTE -------------------------------------------------------- */

static int route_attr_cb(const struct nlattr *a, void *data)
{
	struct nh_route *rt = data;

	switch (mnl_attr_get_type(a)) {
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			rt->oif = mnl_attr_get_u32(a);
		break;
	case RTA_GATEWAY:
		if (mnl_attr_get_payload_len(a) == sizeof(rt->gw)) {
			memcpy(&rt->gw, mnl_attr_get_payload(a), sizeof(rt->gw));
			rt->has_gw = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nh_route *rt = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	rt->type = rtm->rtm_type;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, rt);
	return MNL_CB_OK;
}

/* The route the kernel would use for a packet to addr (ip -6 route get). */
static int route_get(struct nh_resolver *r, const struct in6_addr *addr, struct nh_route *rt)
{
	char req[NH_REQ_SIZE] = { 0 }, abuf[INET6_ADDRSTRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct rtmsg *rtm;
	int err;

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	mnl_attr_put(nlh, RTA_DST, sizeof(*addr), addr);
	memset(rt, 0, sizeof(*rt));
	err = nl_request(r, nlh, route_cb, rt);
	switch (err) {
	case 0:
		break;
	/* A lookup that ends in a reject route answers with that route's
	 * dst.error: none or unreachable -> ENETUNREACH/EHOSTUNREACH,
	 * prohibit -> EACCES, blackhole -> EINVAL (net/ipv6/route.c).  The
	 * request itself is fixed and well-formed, so EINVAL means blackhole. */
	case -ENETUNREACH:
	case -EHOSTUNREACH:
	case -EACCES:
	case -EINVAL:
		pr_warn("next hop %s: no route (%s)", addr_str(addr, abuf), strerror(-err));
		return -ENETUNREACH;
	default:
		pr_err("next hop %s: route lookup: %s", addr_str(addr, abuf), strerror(-err));
		return err;
	}
	/* RTN_LOCAL (one of our own addresses) and the reject types cannot be
	 * forwarded to from XDP. */
	if (rt->type != RTN_UNICAST || !rt->oif) {
		pr_warn("next hop %s: no forwardable route (rtm_type %u%s, oif %u)",
			addr_str(addr, abuf), rt->type,
			rt->type == RTN_LOCAL ? " local" : "", rt->oif);
		return -ENETUNREACH;
	}
	return 0;
}

/* ---- RTM_GETNEIGH / RTM_NEWNEIGH ---------------------------------------- */

static int neigh_attr_cb(const struct nlattr *a, void *data)
{
	struct nh_neigh *ne = data;

	if (mnl_attr_get_type(a) == NDA_LLADDR &&
	    mnl_attr_get_payload_len(a) == sizeof(ne->lladdr)) {
		memcpy(ne->lladdr, mnl_attr_get_payload(a), sizeof(ne->lladdr));
		ne->has_lladdr = true;
	}
	return MNL_CB_OK;
}

static int neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nh_neigh *ne = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ndm))
		return MNL_CB_OK;
	ne->state = ndm->ndm_state;
	mnl_attr_parse(nlh, sizeof(*ndm), neigh_attr_cb, ne);
	return MNL_CB_OK;
}

static struct nlmsghdr *neigh_msg(char *req, __u16 type, const struct in6_addr *addr,
				  __u32 ifindex, __u8 flags, __u16 state)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	struct ndmsg *ndm;

	nlh->nlmsg_type = type;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET6;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = flags;
	ndm->ndm_state = state;
	mnl_attr_put(nlh, NDA_DST, sizeof(*addr), addr);
	return nlh;
}

/* A single-entry RTM_GETNEIGH (neigh_get(), Linux 5.0 and later).
 * Returns 0 with the entry, -ENOENT when there is none, or an error. */
static int neigh_get(struct nh_resolver *r, const struct in6_addr *addr, __u32 ifindex,
		     struct nh_neigh *ne)
{
	char req[NH_REQ_SIZE] = { 0 };

	memset(ne, 0, sizeof(*ne));
	return nl_request(r, neigh_msg(req, RTM_GETNEIGH, addr, ifindex, 0, 0), neigh_cb, ne);
}

/*
 * Start neighbour discovery for addr on ifindex.
 *
 * We ask the kernel to do it: RTM_NEWNEIGH with NLM_F_CREATE and NTF_USE
 * runs neigh_event_send() on the (created if need be) entry, exactly as if
 * a packet were waiting for it, so the entry turns INCOMPLETE at once and
 * the kernel's own NS retransmissions, timers and FAILED state apply;
 * resolution then shows up as a neighbour event on the monitor socket.
 *
 * Rather than the alternatives:
 *  - an empty UDP datagram to [via]:9 needs a route through the egress
 *    device (SO_BINDTODEVICE makes the lookup strict, so a dev override
 *    for an address not routed there fails) and a usable source address,
 *    and it delivers a real datagram to the backend once resolved;
 *  - adding an entry with NUD_INCOMPLETE only sets the state: no timer
 *    and no solicitation, so it stays INCOMPLETE until garbage-collected.
 *
 * Cost: NTF_USE needs CAP_NET_ADMIN (the daemon has it for XDP), and with
 * no queued packet to borrow a source from, the kernel solicits from the
 * interface's link-local address and skips the probe while that is still
 * tentative (DAD); it retries on its retransmit timer, and a FAILED
 * entry's event makes the caller resolve, and so solicit, again.
 */
static int neigh_solicit(struct nh_resolver *r, const struct in6_addr *addr, __u32 ifindex)
{
	char req[NH_REQ_SIZE] = { 0 };
	struct nlmsghdr *nlh = neigh_msg(req, RTM_NEWNEIGH, addr, ifindex, NTF_USE, NUD_NONE);

	nlh->nlmsg_flags |= NLM_F_CREATE;
	return nl_request(r, nlh, NULL, NULL);
}

/* ---- resolve ------------------------------------------------------------- */

int nh_resolve(struct nh_resolver *r, const struct in6_addr *addr, const char *dev,
	       struct nh_result *out)
{
	char abuf[INET6_ADDRSTRLEN], vbuf[INET6_ADDRSTRLEN];
	struct nh_link link;
	struct nh_neigh ne;
	struct nh_route rt;
	int err;

	if (!r || !addr || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	addr_str(addr, abuf);
	if (IN6_IS_ADDR_UNSPECIFIED(addr) || IN6_IS_ADDR_MULTICAST(addr)) {
		pr_err("next hop %s: not a unicast address", abuf);
		return -EINVAL;
	}

	if (dev && *dev) {
		if (strlen(dev) >= IF_NAMESIZE) {
			pr_err("next hop %s: device '%s': %s", abuf, dev, strerror(ENODEV));
			return -ENODEV;
		}
		err = link_get(r, 0, dev, &link);
		if (err) {
			pr_err("next hop %s: device '%s': %s", abuf, dev, strerror(-err));
			return err;
		}
		out->via = *addr;
	} else {
		/* fe80::/10 exists on every link; the routing table would
		 * answer with whichever interface it meets first. */
		if (IN6_IS_ADDR_LINKLOCAL(addr)) {
			pr_err("next hop %s: a link-local address needs an egress device", abuf);
			return -EINVAL;
		}
		err = route_get(r, addr, &rt);
		if (err)
			return err;
		err = link_get(r, rt.oif, NULL, &link);
		if (err) {
			pr_err("next hop %s: egress ifindex %u: %s", abuf, rt.oif, strerror(-err));
			return err;
		}
		out->via = rt.has_gw ? rt.gw : *addr;
	}
	out->ifindex = link.ifindex;
	out->mtu = link.mtu;
	addr_str(&out->via, vbuf);

	if (!(link.flags & IFF_UP)) {
		pr_warn("next hop %s: egress device %s is down", abuf, link.name);
		return -ENETDOWN;
	}
	/* The datapath writes a 14-byte Ethernet header; anything else (lo,
	 * tunnels, raw IP devices) cannot be an XDP egress for it. */
	if (link.type != ARPHRD_ETHER || !link.has_mac) {
		pr_err("next hop %s: egress device %s is not an Ethernet device (type %u)",
		       abuf, link.name, link.type);
		return -EOPNOTSUPP;
	}
	memcpy(out->smac, link.mac, sizeof(out->smac));

	err = neigh_get(r, &out->via, out->ifindex, &ne);
	if (err && err != -ENOENT) {
		pr_err("next hop %s: neighbour %s on %s: %s", abuf, vbuf, link.name, strerror(-err));
		return err;
	}
	if (!err && (ne.state & NH_NUD_KNOWN) && ne.has_lladdr) {
		memcpy(out->dmac, ne.lladdr, sizeof(out->dmac));
		out->valid = true;
		return 0;
	}

	err = neigh_solicit(r, &out->via, out->ifindex);
	if (err) {
		pr_err("next hop %s: neighbour %s on %s: start discovery: %s",
		       abuf, vbuf, link.name, strerror(-err));
		return err;
	}
	pr_debug("next hop %s: neighbour %s on %s unresolved, discovery started",
		 abuf, vbuf, link.name);
	return -EAGAIN;
}

/* ---- monitor ------------------------------------------------------------- */

static int monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	int *changed = data;

	switch (nlh->nlmsg_type) {
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH: {
		const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);

		/* RTNLGRP_NEIGH carries ARP too; only IPv6 matters here. */
		if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(*ndm) &&
		    ndm->ndm_family == AF_INET6)
			*changed = 1;
		break;
	}
	case RTM_NEWLINK:
	case RTM_DELLINK:
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		*changed = 1;
		break;
	}
	return MNL_CB_OK;
}

int nh_process(struct nh_resolver *r)
{
	int changed = 0, err;
	ssize_t n;

	if (!r)
		return -EINVAL;
	for (;;) {
		n = mnl_socket_recvfrom(r->mon, r->buf, sizeof(r->buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* The socket overflowed and events were
				 * lost: only a full re-resolve is safe. */
				pr_warn("next-hop monitor socket: events lost (%s), re-resolving",
					strerror(ENOBUFS));
				changed = 1;
				continue;
			}
			err = -errno;
			pr_err("next-hop monitor socket: receive: %s", strerror(-err));
			return err;
		}
		/* seq 0 and portid 0: events are unsolicited, check neither. */
		errno = 0;
		if (mnl_cb_run(r->buf, n, 0, 0, monitor_cb, &changed) < 0) {
			err = errno ? -errno : -EPROTO;
			pr_err("next-hop monitor socket: parse event: %s", strerror(-err));
			return err;
		}
	}
	return changed;
}
