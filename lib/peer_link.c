// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * peer_link.c - sending to and rejecting from one configured peer, the
 * same at both ends of the notification protocol (peer_link.h): one
 * warning when a peer becomes unreachable, one per rejection reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include "peer_link.h"
#include "log.h"

static const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN) ? buf : "?";
}

int peer_link_init(struct peer_link *l, const char *module, const char *name, __u16 port,
		   __u32 sender_id, __u32 key_id, const __u8 *key, size_t keylen)
{
	int err;

	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	l->module = module;
	l->port = port;
	err = proto_sender_init(&l->tx, sender_id, key_id, key, keylen, proto_now_us());
	if (!err)
		err = peer_rx_init(&l->rx, key_id, key, keylen);
	if (err)
		peer_link_clear(l);
	return err;
}

void peer_link_clear(struct peer_link *l)
{
	proto_sender_clear(&l->tx);
	peer_rx_clear(&l->rx);
}

void peer_link_keep(struct peer_link *fresh, struct peer_link *old)
{
	struct peer_rx rx = old->rx;

	/* The sequence goes on, under whichever key is configured now. */
	if (fresh->tx.next_seq < old->tx.next_seq)
		fresh->tx.next_seq = old->tx.next_seq;
	peer_rx_set_key(&rx, fresh->rx.key_id, fresh->rx.key, fresh->rx.keylen);
	peer_rx_clear(&fresh->rx);
	fresh->rx = rx;
	explicit_bzero(&rx, sizeof(rx));
	fresh->sent = old->sent;
	fresh->send_errors = old->send_errors;
	fresh->send_failing = old->send_failing;
	memcpy(fresh->warned, old->warned, sizeof(fresh->warned));
}

int peer_link_send(struct peer_link *l, int fd, struct proto_msg *m,
		   const struct sockaddr_in6 *to)
{
	__u8 buf[PROTO_MAX_MSG];
	char a[INET6_ADDRSTRLEN];
	int len, err;

	len = proto_sender_encode(&l->tx, m, proto_now_us(), buf, sizeof(buf));
	if (len < 0) {
		pr_err("%s: encoding %s for peer %s: %s", l->module, proto_type_name(m->type),
		       l->name, strerror(-len));
		return len;
	}
	if (sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)) < 0) {
		err = -errno;
		l->send_errors++;
		/* One line when a peer becomes unreachable, not one per retry. */
		if (!l->send_failing)
			pr_warn("%s: sending %s to peer %s [%s]:%u: %s", l->module,
				proto_type_name(m->type), l->name, fmt_addr(&to->sin6_addr, a),
				ntohs(to->sin6_port), strerror(-err));
		l->send_failing = true;
		return err;
	}
	if (l->send_failing)
		pr_info("%s: peer %s reachable again", l->module, l->name);
	l->send_failing = false;
	l->sent++;
	return 0;
}

void peer_link_note_reject(struct peer_link *l, int reason, const struct in6_addr *src)
{
	char a[INET6_ADDRSTRLEN];

	if (reason < 0)
		reason = -reason;
	/* A flood comes through here once a datagram: no formatting unless
	 * the line is printed. */
	if (log_get_level() >= LOG_LVL_DEBUG)
		pr_debug("%s: peer %s: rejected a datagram from %s: %s", l->module, l->name,
			 fmt_addr(src, a), peer_reason_name(reason));
	if (reason < PEER_R_MAX && !l->warned[reason]) {
		l->warned[reason] = true;
		pr_warn("%s: peer %s: rejected a datagram from %s (%s); "
			"later ones are only counted", l->module, l->name, fmt_addr(src, a),
			peer_reason_name(reason));
	}
}

/* Before any MAC: the port is as cheap to check as the address, and a
 * flood from the peer's address but another port costs no HMAC. */
static int wrong_port(struct peer_link *l, const struct sockaddr_in6 *from)
{
	char a[INET6_ADDRSTRLEN];

	l->rx.rejected[PEER_R_WRONG_PORT]++;
	/* The one warning for this reason names both ports: the usual cause
	 * is a config (or a NAT) that is not what the other end does. */
	if (!l->warned[PEER_R_WRONG_PORT]) {
		l->warned[PEER_R_WRONG_PORT] = true;
		pr_warn("%s: peer %s: rejected a datagram from [%s]:%u (wrong_port): its messages "
			"must come from port %u; later ones are only counted", l->module, l->name,
			fmt_addr(&from->sin6_addr, a), ntohs(from->sin6_port), l->port);
	} else if (log_get_level() >= LOG_LVL_DEBUG) {
		pr_debug("%s: peer %s: rejected a datagram from [%s]:%u: wrong_port", l->module,
			 l->name, fmt_addr(&from->sin6_addr, a), ntohs(from->sin6_port));
	}
	return -PEER_R_WRONG_PORT;
}

int peer_link_accept(struct peer_link *l, const __u8 *buf, size_t len, __u64 wall_ms,
		     const struct sockaddr_in6 *from, struct proto_msg *msg,
		     struct peer_rx_pending *pend)
{
	int rc;

	if (ntohs(from->sin6_port) != l->port)
		return wrong_port(l, from);
	rc = peer_rx_accept(&l->rx, buf, len, wall_ms, msg, pend);
	if (rc)
		peer_link_note_reject(l, rc, &from->sin6_addr);
	return rc;
}

void peer_link_reject(struct peer_link *l, struct peer_rx_pending *pend, int reason,
		      const struct in6_addr *src)
{
	peer_rx_reject(&l->rx, pend, reason);
	peer_link_note_reject(l, reason, src);
}

/* SO_RCVBUFFORCE first: net.core.rmem_max (often 208 KiB) would cap the
 * plain option far below a flood-sized buffer. */
int peer_udp_set_rcvbuf(int fd, __u32 bytes)
{
	int v = bytes > INT_MAX / 2 ? INT_MAX / 2 : (int)bytes;

	if (!setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		return 0;
	if (errno != EPERM)
		return -errno;
	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) ? -errno : 0;
}

int peer_udp_socket(const struct in6_addr *addr, __u16 port, __u32 rcvbuf)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd, one = 1, err;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* v6only: an IPv4-mapped source could never match a peer. */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)))
		goto fail;
	/* Before bind(): no datagram is queued against the default size. */
	if (rcvbuf) {
		err = peer_udp_set_rcvbuf(fd, rcvbuf);
		if (err) {
			close(fd);
			return err;
		}
	}
	sa.sin6_addr = *addr;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int peer_udp_rcvbuf(int fd)
{
	socklen_t l;
	int v;

	l = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &l))
		return -errno;
	return v;
}

/* Counter values come in queue order, and a poll may have read a later
 * one already: only a value ahead of the last (mod 2^32) counts. */
static __u64 drops_seen(struct peer_drops *d, __u32 v)
{
	__u32 delta = v - d->last;

	if (!delta || (__s32)delta < 0)
		return 0;
	d->last = v;
	d->total += delta;
	return delta;
}

void peer_drops_note(struct peer_drops *d, const struct msghdr *mh)
{
	struct cmsghdr *c;
	__u32 v;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
		    c->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			drops_seen(d, v);
		}
	}
}

__u64 peer_drops_poll(struct peer_drops *d, int fd)
{
	__u32 mi[SK_MEMINFO_VARS];
	socklen_t l = sizeof(mi);

	if (d->no_meminfo)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &l) || l <= SK_MEMINFO_DROPS * sizeof(__u32)) {
		d->no_meminfo = true;
		return 0;
	}
	return drops_seen(d, mi[SK_MEMINFO_DROPS]);
}

__u64 peer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}
