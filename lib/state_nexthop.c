// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state_nexthop.c - each backend's next hop (egress interface, source and
 * destination MAC) for the backends map: resolved through nexthop.c, or
 * from the backend's mac and dev overrides, or the fixed one of an offline
 * state; retried with a backoff while it fails, and re-resolved when a
 * neighbour, link or route changes (state_nh_refresh).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "state_priv.h"
#include "dpmaps.h"
#include "nexthop.h"
#include "log.h"

static void fmt_mac(const __u8 *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* The MAC and MTU of dev (an MTU it cannot tell is left 0: unknown). */
static int if_mac(const char *dev, __u8 mac[6], __u32 *mtu)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (!err && !ioctl(fd, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		*mtu = (__u32)ifr.ifr_mtu;
	close(fd);
	return err;
}

/* The next hop of one backend.  A mac override needs only the egress:
 * from dev, else from the route (a pending neighbour does not matter, the
 * MAC is given).  Without one, nexthop.c resolves it all. */
/* How long a known next hop outlives its neighbour's re-discovery. */
#define NH_GRACE_MS 3000

void st_nh_resolve(struct lb_state *st, const struct cfg_backend *c, struct st_nh *out)
{
	struct nh_result r = {};
	int err;

	memset(out, 0, sizeof(*out));
	out->from_config = c->has_mac;
	if (st->offline) {
		out->ifindex = st->fixed_nh.ifindex;
		memcpy(out->smac, st->fixed_nh.smac, 6);
		memcpy(out->dmac, c->has_mac ? c->mac : st->fixed_nh.dmac, 6);
		out->valid = true;
		return;
	}
	if (c->has_mac && c->dev[0]) {
		memcpy(out->dmac, c->mac, 6);
		out->ifindex = if_nametoindex(c->dev);
		if (!out->ifindex) {
			out->err = -ENODEV;
			return;
		}
		err = if_mac(c->dev, out->smac, &out->mtu);
		if (err) {
			out->err = err;
			return;
		}
		out->valid = true;
		return;
	}
	if (!st->nh) {
		out->err = -EOPNOTSUPP;
		return;
	}
	err = nh_resolve(st->nh, &c->addr, c->dev[0] ? c->dev : NULL, &r);
	if (c->has_mac) {
		memcpy(out->dmac, c->mac, 6);
		if ((!err || err == -EAGAIN) && r.ifindex) {
			out->ifindex = r.ifindex;
			out->mtu = r.mtu;
			memcpy(out->smac, r.smac, 6);
			out->valid = true;
			return;
		}
		out->err = err ? err : -ENETUNREACH;
		return;
	}
	out->ifindex = r.ifindex;
	out->mtu = r.mtu;
	memcpy(out->smac, r.smac, 6);
	if (!err && r.valid) {
		memcpy(out->dmac, r.dmac, 6);
		out->valid = true;
		return;
	}
	out->err = err ? err : -EAGAIN;
}

void st_nh_schedule(struct st_backend *b, __u64 now)
{
	/* A little early, so the one-second timer does not skip a tick. */
	const __u64 slack = 100000000ULL;

	if (b->nh.valid) {
		b->nh_backoff_s = 0;
		b->nh_retry_ns = 0;
		return;
	}
	if (b->nh.err == -EAGAIN)
		b->nh_backoff_s = 1;
	else if (!b->nh_backoff_s)
		b->nh_backoff_s = 1;
	else if (b->nh_backoff_s < NH_MAX_BACKOFF_S)
		b->nh_backoff_s *= 2;
	b->nh_retry_ns = now + b->nh_backoff_s * 1000000000ULL - slack;
}

static bool nh_eq(const struct st_nh *a, const struct st_nh *b)
{
	return a->valid == b->valid && a->from_config == b->from_config && a->err == b->err &&
	       a->ifindex == b->ifindex && a->mtu == b->mtu && !memcmp(a->dmac, b->dmac, 6) &&
	       !memcmp(a->smac, b->smac, 6);
}

void st_nh_log(const struct lb_state *st, const struct st_backend *b,
		   const struct st_nh *old)
{
	char ifname[IF_NAMESIZE] = "?", mac[18];
	const struct st_nh *nh = &b->nh;

	if (old && nh_eq(old, nh))
		return;
	if (nh->valid && st->offline) {
		fmt_mac(nh->dmac, mac, sizeof(mac));
		pr_info("backend %s/%s: next hop %s on ifindex %u (offline)", b->cfg.service,
			b->cfg.name, mac, nh->ifindex);
	} else if (nh->valid) {
		if_indextoname(nh->ifindex, ifname);
		fmt_mac(nh->dmac, mac, sizeof(mac));
		pr_info("backend %s/%s: next hop %s on %s (ifindex %u)%s", b->cfg.service,
			b->cfg.name, mac, ifname, nh->ifindex,
			nh->from_config ? " (mac from the config)" : "");
	} else if (nh->err == -EAGAIN) {
		pr_debug("backend %s/%s: neighbour discovery under way", b->cfg.service, b->cfg.name);
	} else if (!old || old->valid || old->err != nh->err) {
		pr_warn("backend %s/%s: no next hop: %s", b->cfg.service, b->cfg.name,
			strerror(-nh->err));
	}
}

int state_nh_refresh(struct lb_state *st, bool all)
{
	__u64 now = dp_now_ns();
	struct st_nh old;
	int n = 0;
	__u32 id;

	for (id = 0; id < NBE; id++) {
		struct st_backend *b = &st->bes[id];
		bool failing = !b->nh.valid && b->nh.err != -EAGAIN;

		if (!b->used || !b->cfg.name[0])
			continue;
		/* nexthop.c logs every failure: a backend that cannot
		 * resolve must not log at the rate neighbours change. */
		if (all ? failing && now < b->nh_retry_ns : b->nh.valid || now < b->nh_retry_ns)
			continue;
		old = b->nh;
		st_nh_resolve(st, &b->cfg, &b->nh);
		/* A neighbour the kernel knew, now being discovered again (its
		 * entry went away or is re-probed without a MAC): keep sending
		 * to the MAC it had, as the kernel does through STALE and
		 * PROBE, for NH_GRACE_MS; only a discovery that still has no
		 * answer by then takes the next hop away.  Dropping at once
		 * lost the packets of a live backend for the milliseconds an
		 * answer takes. */
		if (old.valid && !b->nh.valid && b->nh.err == -EAGAIN &&
		    b->nh.ifindex == old.ifindex) {
			if (!b->nh_grace_ns)
				b->nh_grace_ns = now + NH_GRACE_MS * 1000000ULL;
			if (now < b->nh_grace_ns) {
				b->nh = old;
				continue;
			}
		}
		b->nh_grace_ns = 0;
		st_nh_schedule(b, now);
		if (nh_eq(&old, &b->nh))
			continue;
		st_nh_log(st, b, &old);
		st_write_backend(st, id, b);
		n++;
	}
	return n;
}
