/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * announce.h - mip6lbd's VIP announcement (docs/scale-out.md): one /128
 * route per VIP, through a TUN device that mip6lbd owns, into a routing
 * table of its own (daemon.announce_table).  A routing daemon (BIRD's
 * `protocol kernel` with `learn`, packaging/bird/mip6lb-bird.conf) learns
 * the table and announces the VIPs over BGP.
 *
 * Why a TUN device: it is not persistent (no TUNSETPERSIST), so when the
 * process dies, however it dies, the kernel closes the file, deletes the
 * device and with it every route through it.  The routing daemon sees the
 * routes go and withdraws the VIPs; no watchdog, no keepalive.  The VIPs
 * are never local addresses of the balancer: a local VIP would make the
 * host take the VIP's packets, and mip6lbd's own health probes to the VIP,
 * for itself.  The table is consulted by no rule: nothing on the balancer
 * routes through the device.
 *
 * The routes go up once the daemon is ready to take traffic: every gate
 * below is open.  Until then, and after announce_withdraw(), the device
 * exists with no route through it.
 */
#ifndef MIP6LB_ANNOUNCE_H
#define MIP6LB_ANNOUNCE_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>
#include <netinet/in.h>

struct announce;
struct mip6lb_config;
struct json_object;

/* The routes' rtm_protocol: names them as mip6lbd's in `ip -6 route show
 * table 200` ("proto 241"), so an operator or a routing daemon's filter
 * can tell them from others.  Not RTPROT_KERNEL (2), which BIRD's kernel
 * protocol ignores unless told `learn all`. */
#define ANNOUNCE_RTPROT 241

/* What must be true before the VIPs are announced.  Each starts closed;
 * the daemon opens them (announce_gate()). */
enum announce_gate {
	ANN_GATE_ATTACHED = 0,  /* maps written, XDP program attached */
	ANN_GATE_NEXTHOPS,      /* every active backend's next hop resolved, or
				 * announce_wait seconds since start */
	ANN_GATE_SYNC,          /* the group's sessions pulled from the peers
				 * (session sync, issue 15); open while the
				 * daemon has no sync */
	ANN_GATE_MAX,
};

/* "attached", "nexthops", "sync". */
const char *announce_gate_name(enum announce_gate g);

/*
 * Create the TUN device cfg->daemon.announce_dev (IFF_TUN | IFF_NO_PI, not
 * persistent; an existing persistent one of that name is taken over and
 * made non-persistent) and set it up, in the calling thread's network
 * namespace.  No route yet.  Returns 0 and *out, or a negative errno with
 * one line logged naming what is missing: -ENODEV without /dev/net/tun
 * (CONFIG_TUN), -EBUSY when a live process holds a device of that name,
 * -EINVAL when the name is a device of another kind.
 */
int announce_open(struct announce **out, const struct mip6lb_config *cfg);
/* Close the device: the kernel deletes it and its routes.  NULL is a no-op. */
void announce_close(struct announce *a);

/* Open or close a gate.  When the last one opens the VIPs of the last
 * announce_sync() are announced; when one closes after that they are
 * withdrawn.  Returns true when this call changed whether they are up. */
bool announce_gate(struct announce *a, enum announce_gate g, bool open);
bool announce_gate_is_open(const struct announce *a, enum announce_gate g);
/* Every gate open: the routes are (to be) up. */
bool announce_ready(const struct announce *a);

/*
 * The VIPs to announce: every distinct service vip of cfg.  While ready,
 * routes for new VIPs are added and routes for VIPs no longer there are
 * deleted; a route the kernel refused is tried again at the next call.
 * Returns 0, or the first negative errno (logged).
 */
int announce_sync(struct announce *a, const struct mip6lb_config *cfg);

/* Delete every route now (a clean stop, before the rest of the shutdown):
 * the device stays until announce_close(). */
void announce_withdraw(struct announce *a);

/* `status`'s "announce" object: {"enabled": false} for a NULL a. */
struct json_object *announce_json(const struct announce *a);

#endif
