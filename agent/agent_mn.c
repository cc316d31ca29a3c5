// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * agent_mn.c - role mn: the node's care-of address is its global address
 * on the configured interface, watched through rtnetlink (libmnl):
 * RTM_NEWADDR / RTM_DELADDR on RTNLGRP_IPV6_IFADDR, after a dump of what
 * is there at start.
 *
 * Which address is the CoA: of the interface's addresses with scope
 * global that are neither tentative (DAD still running: not usable yet),
 * deprecated (preferred lifetime over: no new traffic from it, RFC 4862
 * §5.5.4) nor failed DAD, the home address if it is there (the node is
 * home), else the one that appeared last, preferring stable addresses to
 * RFC 8981 temporary ones (a privacy address rotates every day and would
 * look like a move).  A move is usually "new address, then the old one
 * goes" or the reverse; either way the CoA changes exactly once.  With no
 * eligible address the last CoA stands until one appears.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include "agent_priv.h"
#include "log.h"

#define ADDR_BAD_FLAGS (IFA_F_TENTATIVE | IFA_F_DEPRECATED | IFA_F_DADFAILED)
#define INFINITY_LIFE  0xffffffffU

struct addr_attrs {
	const struct nlattr *tb[IFA_MAX + 1];
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct addr_attrs *t = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;       /* newer kernel's attribute: skip */
	t->tb[type] = attr;
	return MNL_CB_OK;
}

static int addr_index(const struct agent *a, const struct in6_addr *addr)
{
	int i;

	for (i = 0; i < a->n_addrs; i++)
		if (!memcmp(&a->addrs[i].addr, addr, sizeof(*addr)))
			return i;
	return -1;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct agent *a = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_attrs t = {};
	const struct nlattr *at;
	struct agent_mn_addr *e;
	struct in6_addr addr;
	int i;

	if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return MNL_CB_OK;
	a->st.addr_events++;
	if (ifa->ifa_family != AF_INET6 || (int)ifa->ifa_index != a->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), attr_cb, &t);
	/* IFA_ADDRESS is the local address unless it is a point-to-point
	 * one, where IFA_LOCAL is ours. */
	at = t.tb[IFA_LOCAL] ? t.tb[IFA_LOCAL] : t.tb[IFA_ADDRESS];
	if (!at || mnl_attr_get_payload_len(at) != sizeof(addr))
		return MNL_CB_OK;
	memcpy(&addr, mnl_attr_get_payload(at), sizeof(addr));
	i = addr_index(a, &addr);

	if (nlh->nlmsg_type == RTM_DELADDR) {
		if (i >= 0)
			a->addrs[i] = a->addrs[--a->n_addrs];
		return MNL_CB_OK;
	}
	if (i < 0) {
		if (a->n_addrs == AGENT_MN_MAX_ADDRS)
			return MNL_CB_OK;       /* more than any interface has */
		i = a->n_addrs++;
		a->addrs[i].addr = addr;
		a->addrs[i].order = ++a->addr_order;
	}
	e = &a->addrs[i];
	/* IFA_FLAGS carries the 32-bit flags; ifa_flags only the low 8. */
	e->flags = t.tb[IFA_FLAGS] && mnl_attr_get_payload_len(t.tb[IFA_FLAGS]) >= 4 ?
		   mnl_attr_get_u32(t.tb[IFA_FLAGS]) : ifa->ifa_flags;
	e->scope = ifa->ifa_scope;
	e->valid_s = INFINITY_LIFE;
	if (t.tb[IFA_CACHEINFO] &&
	    mnl_attr_get_payload_len(t.tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
		const struct ifa_cacheinfo *ci = mnl_attr_get_payload(t.tb[IFA_CACHEINFO]);

		e->valid_s = ci->ifa_valid;
	}
	return MNL_CB_OK;
}

static const struct agent_mn_addr *pick_coa(const struct agent *a)
{
	const struct agent_mn_addr *best = NULL, *e;
	int i;

	for (i = 0; i < a->n_addrs; i++) {
		e = &a->addrs[i];
		if (e->scope != RT_SCOPE_UNIVERSE || (e->flags & ADDR_BAD_FLAGS) ||
		    !agent_node_addr(&e->addr))
			continue;
		if (!memcmp(&e->addr, &a->cfg.home_addr, sizeof(e->addr)))
			return e;
		if (!best || (best->flags & IFA_F_TEMPORARY) > (e->flags & IFA_F_TEMPORARY) ||
		    ((best->flags & IFA_F_TEMPORARY) == (e->flags & IFA_F_TEMPORARY) &&
		     e->order > best->order))
			best = e;
	}
	return best;
}

/* Re-evaluate after a batch of messages; notify when the CoA moved. */
static void coa_update(struct agent *a, __u64 now_ms)
{
	const struct agent_mn_addr *e = pick_coa(a);
	char c[INET6_ADDRSTRLEN], o[INET6_ADDRSTRLEN];
	__u32 lifetime;
	int rc;

	if (!e || (a->has_coa && !memcmp(&e->addr, &a->coa, sizeof(a->coa))))
		return;
	if (a->has_coa)
		pr_info("agent: care-of address %s -> %s", agent_fmt(&a->coa, o), agent_fmt(&e->addr, c));
	else
		pr_info("agent: care-of address %s", agent_fmt(&e->addr, c));
	a->coa = e->addr;
	a->has_coa = true;
	a->mn_seq++;
	if (!memcmp(&e->addr, &a->cfg.home_addr, sizeof(e->addr))) {
		/* Home: a deregistration, as the node's BU would say. */
		rc = agent_binding_set(a, &a->cfg.home_addr, &e->addr, 0, a->mn_seq, true, now_ms);
	} else {
		/* A permanent address still gets a finite lifetime: the
		 * balancer's coa session should not outlive the node. */
		lifetime = a->cfg.lifetime_s;
		if (e->valid_s != INFINITY_LIFE && e->valid_s < lifetime)
			lifetime = e->valid_s ? e->valid_s : 1;
		rc = agent_binding_set(a, &a->cfg.home_addr, &e->addr, lifetime, a->mn_seq, true,
				       now_ms);
	}
	if (rc)
		pr_err("agent: binding %s: %s", agent_fmt(&e->addr, c), strerror(-rc));
}

static bool wait_readable(struct agent *a)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(a->nl), .events = POLLIN };

	if (poll(&p, 1, 2000) == 1)
		return true;
	errno = ETIMEDOUT;
	return false;
}

static int dump_addrs(struct agent *a)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	unsigned int seq = (unsigned int)time(NULL);
	ssize_t r;
	int rc, err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET6;
	if (mnl_socket_sendto(a->nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		pr_err("agent: rtnetlink address dump: %s", strerror(-err));
		return err;
	}
	a->n_addrs = 0;
	/* Blocking until NLMSG_DONE; address notifications that arrive in
	 * between carry sequence 0 and go through the same callback. */
	for (;;) {
		r = mnl_socket_recvfrom(a->nl, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* A re-dump runs on the non-blocking socket. */
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_readable(a))
				continue;
			err = -errno;
			pr_err("agent: rtnetlink address dump: %s", strerror(-err));
			return err;
		}
		rc = mnl_cb_run(buf, r, seq, a->nl_portid, msg_cb, a);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0) {
			err = -errno;
			pr_err("agent: rtnetlink address dump: %s", strerror(-err));
			return err;
		}
	}
}

int agent_mn_open(struct agent *a)
{
	int err, fd, fl;

	a->ifindex = (int)if_nametoindex(a->cfg.iface);
	if (!a->ifindex) {
		err = -errno;
		pr_err("agent: interface %s: %s", a->cfg.iface, strerror(-err));
		return err;
	}
	a->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!a->nl) {
		err = -errno;
		pr_err("agent: rtnetlink socket: %s", strerror(-err));
		return err;
	}
	if (mnl_socket_bind(a->nl, 1U << (RTNLGRP_IPV6_IFADDR - 1), MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		pr_err("agent: rtnetlink RTNLGRP_IPV6_IFADDR: %s", strerror(-err));
		goto fail;
	}
	a->nl_portid = mnl_socket_get_portid(a->nl);
	err = dump_addrs(a);
	if (err)
		goto fail;
	fd = mnl_socket_get_fd(a->nl);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		err = -errno;
		pr_err("agent: rtnetlink socket: %s", strerror(-err));
		goto fail;
	}
	coa_update(a, peer_now_ms());
	if (!a->has_coa)
		pr_info("agent: %s has no global address yet", a->cfg.iface);
	return fd;
fail:
	mnl_socket_close(a->nl);
	a->nl = NULL;
	return err;
}

int agent_mn_fd(const struct agent *a)
{
	return a->nl ? mnl_socket_get_fd(a->nl) : -1;
}

int agent_on_netlink(struct agent *a, __u64 now_ms)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t r;
	int err;

	for (;;) {
		r = mnl_socket_recvfrom(a->nl, buf, sizeof(buf));
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				/* Messages were lost: start over from a dump. */
				pr_warn("agent: rtnetlink overrun; re-reading the addresses");
				err = dump_addrs(a);
				if (err)
					return err;
				continue;
			}
			err = -errno;
			pr_err("agent: reading rtnetlink: %s", strerror(-err));
			return err;
		}
		if (mnl_cb_run(buf, r, 0, 0, msg_cb, a) < 0 && errno != ESRCH) {
			err = -errno;
			pr_err("agent: rtnetlink message: %s", strerror(-err));
			return err;
		}
	}
	coa_update(a, now_ms);
	return 0;
}

int agent_mn_coa(const struct agent *a, struct in6_addr *coa)
{
	if (!a->has_coa)
		return -ENOENT;
	*coa = a->coa;
	return 0;
}
