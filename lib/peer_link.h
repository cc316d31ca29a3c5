/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * peer_link.h - one configured peer of the notification protocol, as
 * either end keeps it: the sender for what we send it (proto_sender), the
 * receive state for what it sends us (peer_rx.h), and the counters and
 * warnings around both.  mip6lbd's notification module (loader/notify*.c)
 * and mip6lb-agent (agent/agent.c) embed one per [peer] section.
 *
 * Logging: a peer that becomes unreachable is warned about once, and
 * again only after a send succeeded in between; each rejection reason is
 * warned about once per peer, later ones are only counted (debug level
 * logs every one).  Messages start with the owning module's name.
 */
#ifndef MIP6LB_PEER_LINK_H
#define MIP6LB_PEER_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "peer_rx.h"
#include "proto.h"

#define PEER_NAME_LEN 32                /* as the [peer NAME] header, NUL included */

struct peer_link {
	char name[PEER_NAME_LEN];
	const char *module;             /* log prefix, a string constant */
	__u16 port;                     /* the peer's configured port: where we send
					 * and the only source port we take */
	struct proto_sender tx;
	struct peer_rx rx;
	__u64 sent, send_errors;
	bool send_failing;              /* the last send failed (and was warned) */
	bool warned[PEER_R_MAX];        /* reasons already warned about */
};

/* Sender and receiver under one key.  module: "notify", "agent"; port:
 * the [peer]'s configured port (host order).  0 or -EINVAL (key length). */
int peer_link_init(struct peer_link *l, const char *module, const char *name, __u16 port,
		   __u32 sender_id, __u32 key_id, const __u8 *key, size_t keylen);
/* Wipe both keys. */
void peer_link_clear(struct peer_link *l);
/* On reload, the same peer in the new config: fresh (built from the new
 * config) takes old's replay windows under fresh's key, a sequence that
 * goes on from old's, and old's counters and warnings.  old is left to be
 * cleared. */
void peer_link_keep(struct peer_link *fresh, struct peer_link *old);

/* Stamp, encode and sendto() m on fd.  0 or -errno; a failed send counts
 * in send_errors. */
int peer_link_send(struct peer_link *l, int fd, struct proto_msg *m,
		   const struct sockaddr_in6 *to);

/* A datagram from this peer's address (the caller matched it): the
 * source port first (wrong_port unless it is l->port: both ends send
 * from the port they listen on, docs/protocol.md "Acceptance"), then
 * peer_rx_accept() on the link's receive state.  A rejection is counted
 * and logged (peer_link_note_reject()).  0 or a negative reason.
 * wall_ms: proto_now_ms(), a fixed value in tests. */
int peer_link_accept(struct peer_link *l, const __u8 *buf, size_t len, __u64 wall_ms,
		     const struct sockaddr_in6 *from, struct proto_msg *msg,
		     struct peer_rx_pending *pend);
/* The caller's policy said no to an accepted message: peer_rx_reject()
 * and the log line. */
void peer_link_reject(struct peer_link *l, struct peer_rx_pending *pend, int reason,
		      const struct in6_addr *src);
/* Log a rejection already counted: debug every time, a warning the first
 * time for each reason. */
void peer_link_note_reject(struct peer_link *l, int reason, const struct in6_addr *src);

/* The socket both ends speak on: UDP, IPv6 only, non-blocking,
 * close-on-exec, bound to addr:port (port 0 = ephemeral), with a receive
 * buffer of rcvbuf bytes (0 = the kernel's default) and SO_RXQ_OVFL on.
 * The buffer is set with SO_RCVBUFFORCE, which needs CAP_NET_ADMIN,
 * else with SO_RCVBUF, which net.core.rmem_max caps: peer_udp_rcvbuf()
 * tells what it became.  fd or -errno. */
int peer_udp_socket(const struct in6_addr *addr, __u16 port, __u32 rcvbuf);
/* The same on an open socket (a reload).  0 or -errno. */
int peer_udp_set_rcvbuf(int fd, __u32 rcvbuf);
/* The receive buffer the kernel grants fd (getsockopt SO_RCVBUF): twice
 * what was asked when nothing capped it, the other half being its own
 * per-datagram bookkeeping.  Bytes or -errno. */
int peer_udp_rcvbuf(int fd);

/*
 * Datagrams the kernel dropped on a socket (receive buffer full, bad
 * checksum): its counter is cumulative and 32 bits wide, and each queued
 * datagram carries the value it had when the datagram was queued (the
 * SO_RXQ_OVFL control message, only sent once it is non-zero).  A
 * datagram queued before a drop cannot tell of it, so peer_drops_poll()
 * also reads the current value (SO_MEMINFO) from a timer.
 */
struct peer_drops {
	__u64 total;                    /* since the socket was opened */
	__u32 last;                     /* the kernel's counter, last seen */
	bool no_meminfo;                /* SO_MEMINFO refused once */
};
/* Room for the control message in a recvmsg()/recvmmsg() slot. */
#define PEER_DROPS_CMSG_SPACE CMSG_SPACE(sizeof(__u32))
/* The counter from mh's control messages, if it has one. */
void peer_drops_note(struct peer_drops *d, const struct msghdr *mh);
/* The counter as it is now.  Returns the drops it added. */
__u64 peer_drops_poll(struct peer_drops *d, int fd);

/* CLOCK_MONOTONIC in ms: the clock of every now_ms argument at both ends
 * (retries, expiry, last heard).  Wire timestamps use proto_now_ms(). */
__u64 peer_now_ms(void);

#endif /* MIP6LB_PEER_LINK_H */
