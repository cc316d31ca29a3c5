// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * announce.c - the VIP device and its routes (announce.h).  Requests go to
 * the kernel over rtnetlink with libmnl, each with NLM_F_ACK and answered
 * within ANN_TIMEOUT_S (SO_RCVTIMEO), as in lib/nexthop.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>
#include <json-c/json.h>
#include "announce.h"
#include "nlreq.h"
#include "config.h"
#include "log.h"

#define ANN_TIMEOUT_S 1
#define ANN_BUF_SIZE  8192
#define ANN_REQ_SIZE  512
#define ANN_TUN_PATH  "/dev/net/tun"

struct ann_vip {
	struct in6_addr addr;
	bool up;                     /* the kernel holds its route */
};

struct announce {
	int tun_fd;
	char dev[IF_NAMESIZE];
	__u32 ifindex;
	__u32 table;
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	bool gate[ANN_GATE_MAX];
	bool up;                     /* every gate open: routes wanted */
	struct ann_vip vips[MIP6LB_MAX_SERVICES];
	int n_vips;
	__u64 route_errors;          /* route requests the kernel refused */
	char buf[ANN_BUF_SIZE];
};

static const char *const gate_names[ANN_GATE_MAX] = {
	[ANN_GATE_ATTACHED] = "attached",
	[ANN_GATE_NEXTHOPS] = "nexthops",
	[ANN_GATE_SYNC] = "sync",
};

const char *announce_gate_name(enum announce_gate g)
{
	return (unsigned int)g < ANN_GATE_MAX ? gate_names[g] : "?";
}

static const char *addr_str(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN) ? buf : "?";
}

/* ---- rtnetlink ----------------------------------------------------------- */

/* Send nlh and wait for the kernel's ACK.  0, or its negative errno. */
static int nl_talk(struct announce *a, struct nlmsghdr *nlh)
{
	return nlreq_run(a->nl, a->portid, &a->seq, a->buf, sizeof(a->buf), nlh, NULL, NULL);
}

static struct nlmsghdr *msg(char *req, int type, int flags)
{
	struct nlmsghdr *nlh;

	memset(req, 0, ANN_REQ_SIZE);
	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

static int link_up(struct announce *a)
{
	char req[ANN_REQ_SIZE];
	struct nlmsghdr *nlh = msg(req, RTM_NEWLINK, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)a->ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(a, nlh);
}

/* RTM_NEWROUTE (replace) or RTM_DELROUTE of VIP/128 dev DEV table T. */
static int route(struct announce *a, const struct in6_addr *vip, bool add)
{
	char req[ANN_REQ_SIZE];
	struct nlmsghdr *nlh = msg(req, add ? RTM_NEWROUTE : RTM_DELROUTE,
				   add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	/* rtm_table is 8 bits: a larger id travels in RTA_TABLE only. */
	rtm->rtm_table = a->table < 256 ? a->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = ANNOUNCE_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, sizeof(*vip), vip);
	mnl_attr_put_u32(nlh, RTA_TABLE, a->table);
	mnl_attr_put_u32(nlh, RTA_OIF, a->ifindex);
	return nl_talk(a, nlh);
}

/* ---- the TUN device -------------------------------------------------------- */

static int tun_open(struct announce *a)
{
	struct ifreq ifr = { 0 };
	int err;

	a->tun_fd = open(ANN_TUN_PATH, O_RDWR | O_CLOEXEC);
	if (a->tun_fd < 0) {
		err = -errno;
		if (err == -ENOENT || err == -ENODEV || err == -ENXIO)
			pr_err("announce: %s: %s: the kernel has no TUN device (CONFIG_TUN; "
			       "modprobe tun, or create the node: mknod %s c 10 200); "
			       "announce = on needs it (mip6lbctl probe)", ANN_TUN_PATH,
			       strerror(-err), ANN_TUN_PATH);
		else
			pr_err("announce: %s: %s", ANN_TUN_PATH, strerror(-err));
		return err == -ENOENT || err == -ENXIO ? -ENODEV : err;
	}
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	memcpy(ifr.ifr_name, a->dev, strlen(a->dev));
	if (ioctl(a->tun_fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		if (err == -EBUSY)
			pr_err("announce: TUN device %s is held by another process (another "
			       "mip6lbd in this network namespace? give each announce_dev a name "
			       "of its own)", a->dev);
		else if (err == -EINVAL)
			pr_err("announce: %s exists and is not a TUN device: announce_dev must "
			       "name a device mip6lbd creates itself", a->dev);
		else
			pr_err("announce: TUNSETIFF %s: %s", a->dev, strerror(-err));
		return err;
	}
	/* TUNSETIFF attaches to an existing persistent device of that name
	 * (`ip tuntap add`): it would outlive us, and so would its routes.
	 * Make it ours, deleted with our file. */
	if (!ioctl(a->tun_fd, TUNGETIFF, &ifr) && (ifr.ifr_flags & IFF_PERSIST)) {
		pr_warn("announce: %s was a persistent TUN device; making it non-persistent, "
			"so that it goes with mip6lbd", a->dev);
		if (ioctl(a->tun_fd, TUNSETPERSIST, 0) < 0) {
			err = -errno;
			pr_err("announce: TUNSETPERSIST 0 on %s: %s", a->dev, strerror(-err));
			return err;
		}
	}
	a->ifindex = if_nametoindex(a->dev);
	if (!a->ifindex) {
		err = -errno;
		pr_err("announce: %s: %s", a->dev, strerror(-err));
		return err;
	}
	return 0;
}

int announce_open(struct announce **out, const struct mip6lb_config *cfg)
{
	struct timeval tv = { .tv_sec = ANN_TIMEOUT_S };
	struct announce *a;
	int err;

	a = calloc(1, sizeof(*a));
	if (!a) {
		pr_err("announce: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	a->tun_fd = -1;
	a->table = cfg->daemon.announce_table;
	snprintf(a->dev, sizeof(a->dev), "%s", cfg->daemon.announce_dev);
	a->seq = (unsigned int)time(NULL);
	a->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!a->nl || mnl_socket_bind(a->nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(a->nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		err = -errno;
		pr_err("announce: rtnetlink socket: %s", strerror(-err));
		goto fail;
	}
	a->portid = mnl_socket_get_portid(a->nl);
	err = tun_open(a);
	if (err)
		goto fail;
	err = link_up(a);
	if (err) {
		pr_err("announce: setting %s up: %s", a->dev, strerror(-err));
		goto fail;
	}
	pr_info("announce: VIP device %s (ifindex %u), table %u; VIPs go up once ready",
		a->dev, a->ifindex, a->table);
	*out = a;
	return 0;
fail:
	announce_close(a);
	return err;
}

void announce_close(struct announce *a)
{
	if (!a)
		return;
	if (a->tun_fd >= 0)
		close(a->tun_fd);       /* the kernel deletes the device and its routes */
	if (a->nl)
		mnl_socket_close(a->nl);
	free(a);
}

/* ---- routes ------------------------------------------------------------------ */

static void vip_set(struct announce *a, struct ann_vip *v, bool up)
{
	char s[INET6_ADDRSTRLEN];
	int err;

	if (v->up == up)
		return;
	err = route(a, &v->addr, up);
	/* Gone already (deleted by hand, or never there): that is the goal. */
	if (!up && (err == -ESRCH || err == -ENOENT))
		err = 0;
	if (err) {
		a->route_errors++;
		pr_err("announce: %s route %s/128 dev %s table %u: %s", up ? "adding" : "deleting",
		       addr_str(&v->addr, s), a->dev, a->table, strerror(-err));
		return;
	}
	v->up = up;
	pr_info("announce: %s %s", up ? "announcing" : "withdrew", addr_str(&v->addr, s));
}

static void apply(struct announce *a)
{
	int i;

	for (i = 0; i < a->n_vips; i++)
		vip_set(a, &a->vips[i], a->up);
}

bool announce_ready(const struct announce *a)
{
	int g;

	for (g = 0; g < ANN_GATE_MAX; g++)
		if (!a->gate[g])
			return false;
	return true;
}

bool announce_gate_is_open(const struct announce *a, enum announce_gate g)
{
	return (unsigned int)g < ANN_GATE_MAX && a->gate[g];
}

bool announce_gate(struct announce *a, enum announce_gate g, bool open)
{
	bool was;

	if (!a || (unsigned int)g >= ANN_GATE_MAX)
		return false;
	was = a->up;
	a->gate[g] = open;
	a->up = announce_ready(a);
	if (a->up == was)
		return false;
	pr_info("announce: %s (%s %s): %s %d VIPs", a->up ? "ready" : "not ready",
		announce_gate_name(g), open ? "open" : "closed",
		a->up ? "announcing" : "withdrawing", a->n_vips);
	apply(a);
	return true;
}

int announce_sync(struct announce *a, const struct mip6lb_config *cfg)
{
	struct ann_vip want[MIP6LB_MAX_SERVICES];
	int n = 0, i, j, err = 0;

	if (!a)
		return 0;
	for (i = 0; i < cfg->n_services && n < MIP6LB_MAX_SERVICES; i++) {
		for (j = 0; j < n && memcmp(&want[j].addr, &cfg->services[i].vip, 16); j++)
			;
		if (j == n)
			want[n++] = (struct ann_vip){ .addr = cfg->services[i].vip };
	}
	/* Withdraw what is gone; keep what stays (and whether it is up). */
	for (i = 0; i < a->n_vips; i++) {
		for (j = 0; j < n && memcmp(&want[j].addr, &a->vips[i].addr, 16); j++)
			;
		if (j < n)
			want[j].up = a->vips[i].up;
		else
			vip_set(a, &a->vips[i], false);
		if (j == n && a->vips[i].up)
			err = err ? err : -EIO;  /* could not delete: logged */
	}
	memcpy(a->vips, want, n * sizeof(want[0]));
	a->n_vips = n;
	for (i = 0; i < n; i++) {
		vip_set(a, &a->vips[i], a->up);
		if (a->vips[i].up != a->up && !err)
			err = -EIO;
	}
	return err;
}

void announce_withdraw(struct announce *a)
{
	if (!a)
		return;
	if (a->up)
		pr_info("announce: withdrawing %d VIPs", a->n_vips);
	a->up = false;
	apply(a);
}

struct json_object *announce_json(const struct announce *a)
{
	struct json_object *o = json_object_new_object(), *vips, *wait;
	char s[INET6_ADDRSTRLEN];
	int i;

	json_object_object_add(o, "enabled", json_object_new_boolean(a != NULL));
	if (!a)
		return o;
	vips = json_object_new_array();
	wait = json_object_new_array();
	json_object_object_add(o, "dev", json_object_new_string(a->dev));
	json_object_object_add(o, "ifindex", json_object_new_int64(a->ifindex));
	json_object_object_add(o, "table", json_object_new_int64(a->table));
	json_object_object_add(o, "ready", json_object_new_boolean(a->up));
	for (i = 0; i < ANN_GATE_MAX; i++)
		if (!a->gate[i])
			json_object_array_add(wait, json_object_new_string(gate_names[i]));
	json_object_object_add(o, "waiting_for", wait);
	for (i = 0; i < a->n_vips; i++) {
		struct json_object *v = json_object_new_object();

		json_object_object_add(v, "vip", json_object_new_string(addr_str(&a->vips[i].addr, s)));
		json_object_object_add(v, "announced", json_object_new_boolean(a->vips[i].up));
		json_object_array_add(vips, v);
	}
	json_object_object_add(o, "vips", vips);
	json_object_object_add(o, "route_errors", json_object_new_int64(a->route_errors));
	return o;
}
