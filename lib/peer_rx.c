// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * peer_rx.c - a receiver's state for one configured peer, used by both
 * ends of the notification protocol: replay windows per sender id, and the
 * accept / commit / reject steps that let a caller's policy run before
 * anything sticks (peer_rx.h).
 */
#include <errno.h>
#include <string.h>
#include "peer_rx.h"

static const char *const extra_reason_names[] = {
	[PEER_R_NOT_AUTHORITATIVE - PROTO_REASON_MAX] = "not_authoritative",
	[PEER_R_UNEXPECTED - PROTO_REASON_MAX]        = "unexpected",
	[PEER_R_WRONG_PORT - PROTO_REASON_MAX]        = "wrong_port",
	[PEER_R_UNKNOWN_GROUP - PROTO_REASON_MAX]     = "unknown_group",
	[PEER_R_WRONG_GROUP - PROTO_REASON_MAX]       = "wrong_group",
};

const char *peer_reason_name(int reason)
{
	if (reason < 0)
		reason = -reason;
	if (reason < PROTO_REASON_MAX)
		return proto_reason_name(reason);
	if (reason < PEER_R_MAX)
		return extra_reason_names[reason - PROTO_REASON_MAX];
	return "?";
}

static bool keylen_ok(size_t keylen)
{
	return keylen >= PROTO_KEY_MIN && keylen <= PROTO_KEY_MAX;
}

int peer_rx_init(struct peer_rx *rx, __u32 key_id, const __u8 *key, size_t keylen)
{
	if (!keylen_ok(keylen))
		return -EINVAL;
	memset(rx, 0, sizeof(*rx));
	rx->key_id = key_id;
	memcpy(rx->key, key, keylen);
	rx->keylen = keylen;
	return 0;
}

int peer_rx_set_key(struct peer_rx *rx, __u32 key_id, const __u8 *key, size_t keylen)
{
	int i;

	if (!keylen_ok(keylen))
		return -EINVAL;
	if (key_id != rx->key_id) {
		/* A new key id restarts every sender's sequence check. */
		explicit_bzero(rx->slot, sizeof(rx->slot));
		memset(rx->slot_used, 0, sizeof(rx->slot_used));
		rx->n_slots = 0;
	} else {
		for (i = 0; i < rx->n_slots; i++)
			proto_peer_set_key(&rx->slot[i], key_id, key, keylen);
	}
	explicit_bzero(rx->key, sizeof(rx->key));
	memcpy(rx->key, key, keylen);
	rx->keylen = keylen;
	rx->key_id = key_id;
	return 0;
}

void peer_rx_clear(struct peer_rx *rx)
{
	explicit_bzero(rx->slot, sizeof(rx->slot));
	explicit_bzero(rx->key, sizeof(rx->key));
	rx->n_slots = 0;
	rx->keylen = 0;
}

int peer_rx_accept(struct peer_rx *rx, const __u8 *buf, size_t len, __u64 wall_ms,
		   struct proto_msg *msg, struct peer_rx_pending *pend)
{
	__u32 sender;
	int rc, i;

	rc = proto_peek(buf, len, &sender, NULL);
	if (rc) {
		rx->rejected[-rc]++;
		return rc;
	}
	for (i = 0; i < rx->n_slots; i++)
		if (rx->slot[i].sender_id == sender)
			break;
	if (i < rx->n_slots) {
		pend->st = rx->slot[i];
		pend->slot = i;
	} else {
		/* Unknown sender id: a fresh replay window, installed only if
		 * the message is accepted and acted upon. */
		if (proto_peer_init(&pend->st, sender, rx->key_id, rx->key, rx->keylen)) {
			rx->rejected[PROTO_R_UNKNOWN_KEY]++;
			return -PROTO_R_UNKNOWN_KEY;
		}
		pend->slot = -1;
	}
	rc = proto_accept(&pend->st, buf, len, wall_ms, msg);
	if (rc) {
		explicit_bzero(&pend->st, sizeof(pend->st));
		rx->rejected[-rc]++;
	}
	return rc;
}

void peer_rx_commit(struct peer_rx *rx, struct peer_rx_pending *pend, __u64 now_ms)
{
	int i = pend->slot, j;

	if (i < 0) {
		if (rx->n_slots < PEER_RX_SLOTS) {
			i = rx->n_slots++;
		} else {
			for (i = 0, j = 1; j < PEER_RX_SLOTS; j++)
				if (rx->slot_used[j] < rx->slot_used[i])
					i = j;
		}
	}
	rx->slot[i] = pend->st;
	rx->slot_used[i] = now_ms;
	rx->accepted++;
	rx->last_heard_ms = now_ms;
	rx->heard = true;
	explicit_bzero(&pend->st, sizeof(pend->st));
}

void peer_rx_reject(struct peer_rx *rx, struct peer_rx_pending *pend, int reason)
{
	if (reason < 0)
		reason = -reason;
	if (reason > 0 && reason < PEER_R_MAX)
		rx->rejected[reason]++;
	if (pend)
		explicit_bzero(&pend->st, sizeof(pend->st));
}
