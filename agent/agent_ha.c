// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * agent_ha.c - role ha: bindings from the Mobility Headers on the Home
 * Agent's link, and from a local feed.
 *
 * The capture is an AF_PACKET socket for ETH_P_ALL, so it also sees the
 * frames the Home Agent sends (its Binding Acknowledgements): a socket
 * bound to ETH_P_IPV6 would only get received frames, since outgoing ones
 * are copied to ETH_P_ALL taps only (dev_queue_xmit_nit()).  A classic BPF
 * filter keeps everything but Mobility Headers in the kernel; the frames
 * it passes are parsed in full by mh_parse_eth(), which walks the whole
 * extension-header chain and is the real judge.
 *
 * Which bindings count: a Binding Update is the node's request and the
 * Binding Acknowledgement is the Home Agent's decision (RFC 6275 §10.3.1,
 * §11.7.3).  With confirm = ba (the default) a home-registration BU that
 * asks for an acknowledgement (flags H and A) waits, keyed by home address
 * and sequence number, for the BA that accepts it (status < 128) and takes
 * the lifetime the BA granted; a BA that rejects it, or none within
 * AGENT_BA_TIMEOUT_MS, drops it.  A BU without A gets no BA and counts at
 * once.  With confirm = bu every home-registration BU counts at once, for
 * a Home Agent whose BAs leave through another interface.
 *
 * The limit of watching the wire: RFC 4877 protects BU and BA between node
 * and Home Agent with ESP.  With a NULL-encryption (integrity only) SA the
 * Mobility Header is still visible after the ESP header; the filter below
 * does not look there, and mh_parse_eth() stops at ESP.  A deployment with
 * encrypted signalling drives the agent through the feed instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/un.h>
#include "agent_priv.h"
#include "log.h"
#include "mh.h"
#include "strparse.h"

#define CAPTURE_BUDGET 256
#define CAPTURE_SNAP   2048     /* BUs and BAs are far smaller */

/*
 * "ip6 and (mobility header directly, or behind one or two extension
 * headers)", generated with
 *
 *   tcpdump -y EN10MB -dd 'ip6 and (ip6[6] == 135 or
 *       ((ip6[6] == 60 or ip6[6] == 43 or ip6[6] == 0) and
 *        (ip6[40] == 135 or ((ip6[40] == 60 or ip6[40] == 43) and
 *                            ip6[40 + ip6[41] * 8 + 8] == 135))))'
 *
 * and pasted unchanged.  135 is the Mobility Header, 60 Destination
 * Options (a BU's Home Address option, RFC 6275 §6.3), 43 Routing (a BA's
 * type 2 routing header, §6.4), 0 Hop-by-Hop (only first, RFC 8200 §4.1).
 * Offsets are from the Ethernet header: 12 EtherType, 14 + 6 = 20 the IPv6
 * Next Header, 14 + 40 = 54 the first extension header's Next Header and
 * 55 its Hdr Ext Len, in 8-octet units not counting the first 8 (RFC 8200
 * §4.3/§4.6: the same rule for Hop-by-Hop, Routing and Destination
 * Options), so the second header starts at 40 + 8 + len * 8 from the IPv6
 * header.  Fragment (44) and AH (51) have other length rules and are not
 * followed: a fragmented BU is not a thing, and AH-protected signalling is
 * left to the feed.  The accept return (0x40000) keeps the whole frame.
 *
 *   (000) ldh  [12]             EtherType
 *   (001) jeq  #0x86dd          IPv6?             no -> drop
 *   (002) ldb  [20]             IPv6 Next Header
 *   (003) jeq  #0x87            Mobility Header   -> accept
 *   (004-006)                   60, 43 or 0?      no -> drop
 *   (007) ldb  [54]             its Next Header
 *   (008) jeq  #0x87            -> accept
 *   (009-010)                   60 or 43?         no -> drop
 *   (011) ldb  [55]             Hdr Ext Len
 *   (012-017)                   X = 40 + len * 8 + 8
 *   (018) ldb  [x + 14]         the second header's Next Header
 *   (019) jeq  #0x87            -> accept, else drop
 *
 * No VLAN tag is looked at: on Linux the packet socket sees frames with
 * the tag already removed to the skb (hardware or software untagging),
 * for the VLAN device and its parent alike.
 */
const struct sock_filter agent_mh_filter[] = {
	{ 0x28, 0, 0, 0x0000000c },
	{ 0x15, 0, 19, 0x000086dd },
	{ 0x30, 0, 0, 0x00000014 },
	{ 0x15, 16, 0, 0x00000087 },
	{ 0x15, 2, 0, 0x0000003c },
	{ 0x15, 1, 0, 0x0000002b },
	{ 0x15, 0, 14, 0x00000000 },
	{ 0x30, 0, 0, 0x00000036 },
	{ 0x15, 11, 0, 0x00000087 },
	{ 0x15, 1, 0, 0x0000003c },
	{ 0x15, 0, 10, 0x0000002b },
	{ 0x30, 0, 0, 0x00000037 },
	{ 0x24, 0, 0, 0x00000008 },
	{ 0x7, 0, 0, 0x00000001 },
	{ 0x0, 0, 0, 0x00000028 },
	{ 0xc, 0, 0, 0x00000000 },
	{ 0x4, 0, 0, 0x00000008 },
	{ 0x7, 0, 0, 0x00000002 },
	{ 0x50, 0, 0, 0x0000000e },
	{ 0x15, 0, 1, 0x00000087 },
	{ 0x6, 0, 0, 0x00040000 },
	{ 0x6, 0, 0, 0x00000000 },
};
const unsigned int agent_mh_filter_len = sizeof(agent_mh_filter) / sizeof(agent_mh_filter[0]);

/* ---- the capture --------------------------------------------------------- */

int agent_capture_open(struct agent *a)
{
	struct sock_fprog prog = {
		.len = (unsigned short)agent_mh_filter_len,
		.filter = (struct sock_filter *)agent_mh_filter,
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd, err;

	sll.sll_ifindex = (int)if_nametoindex(a->cfg.iface);
	if (!sll.sll_ifindex) {
		err = -errno;
		pr_err("agent: interface %s: %s", a->cfg.iface, strerror(-err));
		return err;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		err = -errno;
		pr_err("agent: packet socket: %s%s", strerror(-err),
		       err == -EPERM ? " (needs CAP_NET_RAW)" : "");
		return err;
	}
	/* Filter before bind: nothing unfiltered is queued in between. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))) {
		err = -errno;
		pr_err("agent: attaching the Mobility Header filter: %s", strerror(-err));
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		pr_err("agent: binding the packet socket to %s: %s", a->cfg.iface, strerror(-err));
		goto fail;
	}
	a->cap_fd = fd;
	return fd;
fail:
	close(fd);
	return err;
}

int agent_capture_fd(const struct agent *a)
{
	return a->cap_fd;
}

static int pending_index(const struct agent *a, const struct in6_addr *home)
{
	int i;

	for (i = 0; i < a->n_pending; i++)
		if (!memcmp(&a->pending[i].home, home, sizeof(*home)))
			return i;
	return -1;
}

/* The newest BU per home address waits; an older one is superseded. */
static int pending_add(struct agent *a, const struct in6_addr *home, const struct in6_addr *coa,
		       __u16 seq, __u32 lifetime_s, __u64 now_ms)
{
	struct agent_pending *p;
	int i = pending_index(a, home);

	if (i < 0) {
		if ((__u32)a->n_pending >= a->cfg.max_bindings) {
			a->st.table_full++;
			return -ENOSPC;
		}
		if (a->n_pending == a->cap_pending) {
			int ncap = a->cap_pending ? a->cap_pending * 2 : 16;

			p = realloc(a->pending, ncap * sizeof(*p));
			if (!p)
				return -ENOMEM;
			a->pending = p;
			a->cap_pending = ncap;
		}
		i = a->n_pending++;
	}
	p = &a->pending[i];
	p->home = *home;
	p->coa = *coa;
	p->seq = seq;
	p->lifetime_s = lifetime_s;
	p->at_ms = now_ms;
	return 0;
}

static int on_bu(struct agent *a, const struct mh_info *mi, __u64 now_ms)
{
	/* No HAO: sent from the home link, so the source is the home
	 * address (RFC 6275 §11.5.4, returning home). */
	const struct in6_addr *home = mi->has_hoa ? &mi->hoa : &mi->src;

	a->st.bu++;
	if (!(mi->flags & MH_BU_F_H)) {
		/* A correspondent registration: no Home Agent binding. */
		a->st.bu_not_home++;
		return 0;
	}
	if (a->cfg.confirm == AGENT_CONFIRM_BA && (mi->flags & MH_BU_F_A))
		return pending_add(a, home, &mi->coa, mi->seq, mi->lifetime_s, now_ms) ? 0 : 1;
	return agent_binding_update(a, home, &mi->coa, mi->lifetime_s, mi->seq, now_ms) ? 0 : 1;
}

static int on_ba(struct agent *a, const struct mh_info *mi, __u64 now_ms)
{
	/* To a node away from home the BA carries its home address in a
	 * type 2 routing header (§6.4); to a node at home it goes to the
	 * home address itself. */
	const struct in6_addr *home = mi->has_rt2 ? &mi->rt2_addr : &mi->dst;
	struct agent_pending p;
	int i;

	a->st.ba++;
	if (a->cfg.confirm != AGENT_CONFIRM_BA)
		return 0;
	i = pending_index(a, home);
	if (i < 0 || a->pending[i].seq != mi->seq) {
		a->st.ba_unmatched++;
		return 0;
	}
	p = a->pending[i];
	a->pending[i] = a->pending[--a->n_pending];
	if (mi->status > MH_BA_STATUS_ACCEPTED_MAX) {
		a->st.ba_rejected++;
		return 1;
	}
	/* The Home Agent may grant less than was asked (§10.3.1). */
	return agent_binding_update(a, &p.home, &p.coa, mi->lifetime_s, p.seq, now_ms) ? 0 : 1;
}

int agent_on_frame(struct agent *a, const __u8 *frame, size_t len, __u64 now_ms)
{
	struct mh_info mi;
	int rc;

	a->st.frames++;
	rc = mh_parse_eth(frame, len, &mi);
	if (rc) {
		if (rc != -ENOENT && rc != -EINVAL)
			a->st.frames_bad++;
		return rc;
	}
	switch (mi.type) {
	case MH_TYPE_BU:
		return on_bu(a, &mi, now_ms);
	case MH_TYPE_BA:
		return on_ba(a, &mi, now_ms);
	}
	return 0;                       /* return routability, BRR, BE */
}

int agent_on_capture(struct agent *a, __u64 now_ms)
{
	__u8 buf[CAPTURE_SNAP];
	ssize_t r;
	int i, err;

	for (i = 0; i < CAPTURE_BUDGET; i++) {
		r = recv(a->cap_fd, buf, sizeof(buf), MSG_TRUNC);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR || errno == ENETDOWN)
				continue;
			err = -errno;
			pr_err("agent: reading the packet socket: %s", strerror(-err));
			return err;
		}
		/* A truncated frame fails mh_parse_eth()'s length checks. */
		agent_on_frame(a, buf, (size_t)r > sizeof(buf) ? sizeof(buf) : (size_t)r, now_ms);
	}
	return i;
}

/* ---- the feed ------------------------------------------------------------- */

int agent_feed_open(struct agent *a)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = a->cfg.feed_socket;
	char dir[sizeof(sa.sun_path)], *slash;
	struct stat sb;
	int fd, err;

	if (!path[0])
		return 0;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			err = -errno;
			pr_err("agent: feed directory %s: %s", dir, strerror(-err));
			return err;
		}
	}
	/* A socket left by a previous run; never anything else. */
	if (!lstat(path, &sb)) {
		if (!S_ISSOCK(sb.st_mode)) {
			pr_err("agent: feed_socket %s exists and is not a socket", path);
			return -EEXIST;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		pr_err("agent: feed socket: %s", strerror(-err));
		return err;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		pr_err("agent: binding the feed socket %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	a->feed_bound = true;
	/* Only the agent's own user may feed it bindings. */
	if (chmod(path, 0600)) {
		err = -errno;
		pr_err("agent: chmod 600 %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	a->feed_fd = fd;
	return fd;
}

int agent_feed_fd(const struct agent *a)
{
	return a->feed_fd;
}

int agent_feed_line(struct agent *a, const char *line, char *reply, size_t rlen, __u64 now_ms)
{
	char buf[AGENT_FEED_MAX], *tok[5], *save = NULL, *t;
	struct in6_addr home, coa;
	const struct agent_binding *b;
	__u32 lifetime, seq;
	int n = 0, rc;

	snprintf(buf, sizeof(buf), "%s", line);
	for (t = strtok_r(buf, " \t\r\n", &save); t && n < 5; t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	if (n < 3 || n > 4) {
		snprintf(reply, rlen, "error: expected HOA COA LIFETIME [SEQ]");
		goto bad;
	}
	if (inet_pton(AF_INET6, tok[0], &home) != 1 || !agent_node_addr(&home)) {
		snprintf(reply, rlen, "error: home address '%s' is not a unicast IPv6 address", tok[0]);
		goto bad;
	}
	if (inet_pton(AF_INET6, tok[1], &coa) != 1 || !agent_node_addr(&coa)) {
		snprintf(reply, rlen, "error: care-of address '%s' is not a unicast IPv6 address",
			 tok[1]);
		goto bad;
	}
	if (parse_u32(tok[2], 0, PROTO_MAX_LIFETIME_S, &lifetime)) {
		snprintf(reply, rlen, "error: lifetime '%s' is not 0..%u seconds", tok[2],
			 PROTO_MAX_LIFETIME_S);
		goto bad;
	}
	if (n == 4) {
		if (parse_u32(tok[3], 0, 0xffff, &seq)) {
			snprintf(reply, rlen, "error: sequence '%s' is not 0..65535", tok[3]);
			goto bad;
		}
	} else {
		/* No BU behind it: number the feed's own changes. */
		b = agent_binding_find(a, &home);
		seq = b ? (__u16)(b->seq + 1) : 0;
	}
	rc = agent_binding_update(a, &home, &coa, lifetime, (__u16)seq, now_ms);
	if (rc) {
		snprintf(reply, rlen, "error: %s", rc == -ENOSPC ? "binding table full" : strerror(-rc));
		goto bad;
	}
	a->st.feed_ok++;
	snprintf(reply, rlen, "ok");
	return 0;
bad:
	a->st.feed_bad++;
	return -EINVAL;
}

int agent_on_feed(struct agent *a, __u64 now_ms)
{
	char buf[AGENT_FEED_MAX + 1], reply[160];
	struct sockaddr_un from;
	socklen_t fl;
	ssize_t r;
	int i, err;

	for (i = 0; i < CAPTURE_BUDGET; i++) {
		fl = sizeof(from);
		r = recvfrom(a->feed_fd, buf, sizeof(buf) - 1, MSG_TRUNC, (struct sockaddr *)&from, &fl);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			err = -errno;
			pr_err("agent: reading the feed socket: %s", strerror(-err));
			return err;
		}
		if ((size_t)r >= sizeof(buf)) {
			a->st.feed_bad++;
			snprintf(reply, sizeof(reply), "error: request over %d bytes", AGENT_FEED_MAX);
		} else {
			buf[r] = '\0';
			agent_feed_line(a, buf, reply, sizeof(reply), now_ms);
		}
		/* The reply quotes the feed line: raw bytes from a local
		 * client, escaped before they reach a terminal or a log. */
		if (log_get_level() >= LOG_LVL_DEBUG) {
			char esc[2 * AGENT_FEED_MAX];

			pr_debug("agent: feed: %s", log_escape(esc, sizeof(esc), reply, strlen(reply)));
		}
		/* An unbound sender cannot be answered; it did not ask to be. */
		if (fl > sizeof(sa_family_t))
			sendto(a->feed_fd, reply, strlen(reply), MSG_DONTWAIT,
			       (struct sockaddr *)&from, fl);
	}
	return i;
}

/*
 * The client binds a filesystem socket next to the feed socket for the
 * answer, not an abstract one: abstract addresses belong to a network
 * namespace, so an agent in another one (ip netns exec) could read the
 * request but never answer it.  The name is the feed socket's plus the
 * pid and a random number; it is unlinked once the answer is in, or on
 * any failure after the bind.
 */
static int feed_client_bind(int fd, const char *path, struct sockaddr_un *me)
{
	unsigned int rnd;
	int i, n;

	for (i = 0; i < 8; i++) {
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (unsigned int)time(NULL) ^ ((unsigned int)i << 16);
		n = snprintf(me->sun_path, sizeof(me->sun_path), "%s.%d.%08x", path,
			     (int)getpid(), rnd);
		if (n < 0 || (size_t)n >= sizeof(me->sun_path))
			return -ENAMETOOLONG;
		if (!bind(fd, (struct sockaddr *)me, sizeof(*me)))
			return 0;
		if (errno != EADDRINUSE)
			return -errno;
	}
	return -EADDRINUSE;
}

int agent_feed_send(const char *path, const char *line, char *reply, size_t rlen, int timeout_ms)
{
	struct sockaddr_un to = { .sun_family = AF_UNIX }, me = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	ssize_t r;
	int fd, err;

	if (strlen(path) >= sizeof(to.sun_path))
		return -ENAMETOOLONG;
	strcpy(to.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = feed_client_bind(fd, path, &me);
	if (err) {
		close(fd);
		return err;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    sendto(fd, line, strlen(line), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		err = -errno;
	} else {
		r = recv(fd, reply, rlen - 1, 0);
		if (r < 0) {
			err = errno == EAGAIN ? -ETIMEDOUT : -errno;
		} else {
			reply[r] = '\0';
			err = strcmp(reply, "ok") ? -EINVAL : 0;
		}
	}
	unlink(me.sun_path);
	close(fd);
	return err;
}
