/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * peer_rx.h - what a receiver keeps about one configured peer of the
 * binding-notification protocol (docs/protocol.md), at both ends: mip6lbd
 * receives from Home Agents and mobile nodes (loader/notify*.c), the agent
 * from balancers (agent/agent.c).
 *
 * Sender ids: a configuration names a peer's key, never its sender id, so
 * a receiver learns them: the peer's key accepts any sender id, and the
 * replay check runs per (peer, sender id) in up to PEER_RX_SLOTS slots,
 * created only by a fully accepted message.
 *
 * Policy runs on a copy: peer_rx_accept() checks a datagram against a copy
 * of its slot; the caller then decides (is this peer allowed to say that?
 * did we ask for it?) and calls peer_rx_commit() to make the replay window
 * move, or peer_rx_reject() to count a rejection and leave it as it was.
 */
#ifndef MIP6LB_PEER_RX_H
#define MIP6LB_PEER_RX_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "proto.h"

#define PEER_RX_SLOTS 4                 /* sender ids remembered per peer */

/* Reasons past proto_accept()'s, same counter array. */
enum peer_reason {
	PEER_R_NOT_AUTHORITATIVE = PROTO_REASON_MAX, /* home address not the peer's */
	PEER_R_UNEXPECTED,        /* a type this end never takes, or an ACK
				   * for no SUBSCRIBE of ours */
	PEER_R_WRONG_PORT,        /* the peer's address, another source port
				   * than its configured one (peer_link.h) */
	PEER_R_UNKNOWN_GROUP,     /* a GROUP_* message naming a balancer group
				   * this end does not have */
	PEER_R_WRONG_GROUP,       /* agent: the group exists but the peer is not
				   * its member, or a member subscribed
				   * without naming its group */
	PEER_R_MAX,
};

/* "bad_mac", ..., "not_authoritative", "unexpected", "wrong_port",
 * "unknown_group", "wrong_group";
 * accepts -reason. */
const char *peer_reason_name(int reason);

struct peer_rx {
	struct proto_peer_state slot[PEER_RX_SLOTS];
	__u64 slot_used[PEER_RX_SLOTS]; /* last acceptance, for eviction */
	int n_slots;
	__u32 key_id;
	__u8 key[PROTO_KEY_MAX];
	size_t keylen;
	__u64 accepted;
	__u64 rejected[PEER_R_MAX];
	__u64 last_heard_ms;            /* monotonic, valid when heard */
	bool heard;
};

/* A message that passed proto_accept() on a copy of its slot, waiting for
 * the caller's policy: peer_rx_commit() or peer_rx_reject(). */
struct peer_rx_pending {
	struct proto_peer_state st;
	int slot;                       /* -1: a new sender id */
};

int peer_rx_init(struct peer_rx *rx, __u32 key_id, const __u8 *key, size_t keylen);
/* New key bytes keep the replay state; a new key id forgets it (as
 * proto_peer_set_key()).  Counters survive. */
int peer_rx_set_key(struct peer_rx *rx, __u32 key_id, const __u8 *key, size_t keylen);
void peer_rx_clear(struct peer_rx *rx);
/* 0 with *msg and *pend filled, or a negative proto_reason, already
 * counted.  wall_ms: proto_now_ms(). */
int peer_rx_accept(struct peer_rx *rx, const __u8 *buf, size_t len, __u64 wall_ms,
		   struct proto_msg *msg, struct peer_rx_pending *pend);
/* Make the acceptance stick: the slot's sequence advances (a new sender
 * id takes a free slot or the least recently used one), accepted++.
 * Wipes *pend.  now_ms: monotonic, as peer_now_ms(). */
void peer_rx_commit(struct peer_rx *rx, struct peer_rx_pending *pend, __u64 now_ms);
/* Count a policy rejection (a proto_reason or peer_reason, positive or
 * negated) and wipe *pend: the replay state stays as it was. */
void peer_rx_reject(struct peer_rx *rx, struct peer_rx_pending *pend, int reason);

#endif /* MIP6LB_PEER_RX_H */
