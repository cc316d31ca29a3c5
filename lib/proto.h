/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * proto.h - the binding-notification protocol between mip6lbd (the balancer)
 * and mip6lb-agent (on a Home Agent or a mobile node), carried in UDP.
 *
 * The balancer SUBSCRIBEs to a home address; the agent answers with a
 * SUBSCRIBE_ACK, then sends a BINDING_NOTIFY whenever the node's care-of
 * address changes and, if asked, a periodic BINDING_SNAPSHOT.  Every
 * message is authenticated with HMAC-SHA256 under a per-peer secret; the
 * byte layouts, the acceptance order and a worked example are in
 * docs/protocol.md, which is the normative description of the wire format.
 *
 * Both ends are senders and receivers: each keeps one proto_sender for what
 * it sends and one proto_peer_state per peer it receives from.
 *
 * Return values: the functions that build or configure return 0 (or a
 * length) or a negative errno.  proto_decode(), proto_peek() and
 * proto_accept() return 0 or a negative enum proto_reason: these are NOT
 * errno values; print them with proto_reason_name(), never strerror().
 */
#ifndef MIP6LB_PROTO_H
#define MIP6LB_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "sync_codec.h"

/* ---- constants ------------------------------------------------------- */

#define PROTO_DEFAULT_PORT   5400
#define PROTO_VERSION        1
/* Magic "M6" (0x4d 0x36) in front of every message. */
#define PROTO_MAGIC0         0x4d
#define PROTO_MAGIC1         0x36
/* One datagram, header and MAC included: the IPv6 minimum link MTU
 * (RFC 8200 §5) less the IPv6 and UDP headers, so a message is never
 * fragmented on any IPv6 path. */
#define PROTO_MAX_MSG        (1280 - 40 - 8)
#define PROTO_HDR_LEN        32
#define PROTO_MAC_LEN        32            /* HMAC-SHA256 */
#define PROTO_MIN_MSG        (PROTO_HDR_LEN + PROTO_MAC_LEN)
#define PROTO_MAX_BODY       (PROTO_MAX_MSG - PROTO_MIN_MSG)
#define PROTO_KEY_MIN        32
#define PROTO_KEY_MAX        64

/* Body sizes (bytes).  BINDING_SNAPSHOT is a fixed part plus count entries. */
#define PROTO_SUBSCRIBE_LEN      40
#define PROTO_SUBSCRIBE_ACK_LEN  32
#define PROTO_NOTIFY_LEN         56
#define PROTO_SNAPSHOT_FIXED_LEN 8
#define PROTO_SNAPSHOT_ENTRY_LEN 40
#define PROTO_UNSUBSCRIBE_LEN    16
/* As many snapshot entries as fit in PROTO_MAX_MSG: (1232-64-8)/40 = 29. */
#define PROTO_SNAPSHOT_MAX \
	((PROTO_MAX_BODY - PROTO_SNAPSHOT_FIXED_LEN) / PROTO_SNAPSHOT_ENTRY_LEN)

/* Balancer groups (docs/protocol.md, "Balancer groups").  Names on the
 * wire (group, backend) are 32 bytes, NUL-padded: 1..31 of A-Z a-z 0-9 . _ -
 * (the config's names), every byte after the first NUL 0. */
#define PROTO_NAME_LEN           32
/* The backends a subscription or notification names for the node: one per
 * service, at most this many (as many services as a balancer remembers
 * per binding, NOTIFY_MAX_ATTACH). */
#define PROTO_MAX_CHOICES        4
#define PROTO_CHOICE_LEN         52    /* vip 16, port 2, proto 1, reserved 1, backend 32 */
/* group name 32, choice count 1, reserved 3; then the choices */
#define PROTO_GROUP_BLOCK_LEN    (PROTO_NAME_LEN + 4)
#define PROTO_GROUP_SUBSCRIBE_MIN_LEN (PROTO_SUBSCRIBE_LEN + PROTO_GROUP_BLOCK_LEN)
#define PROTO_GROUP_NOTIFY_MIN_LEN    (PROTO_NOTIFY_LEN + PROTO_GROUP_BLOCK_LEN)
/* GROUP_SNAPSHOT: the snapshot's fixed part and the group name, then entries
 * of a binding (40), a choice count and 3 reserved bytes, and the choices. */
#define PROTO_GSNAP_FIXED_LEN    (PROTO_SNAPSHOT_FIXED_LEN + PROTO_NAME_LEN)
#define PROTO_GSNAP_ENTRY_MIN_LEN (PROTO_SNAPSHOT_ENTRY_LEN + 4)
/* As many entries without choices as fit: (1168 - 40) / 44 = 25. */
#define PROTO_GSNAP_MAX \
	((PROTO_MAX_BODY - PROTO_GSNAP_FIXED_LEN) / PROTO_GSNAP_ENTRY_MIN_LEN)

/* A binding lifetime is at most 0xffff BU units of 4 s (RFC 6275 §6.1.7). */
#define PROTO_MAX_LIFETIME_S     (0xffffU * 4)
/* A subscription lives this long unless renewed by another SUBSCRIBE. */
#define PROTO_MAX_SUB_LIFETIME_S 86400U

/* Default acceptance window for the sender's timestamp, either side of
 * the receiver's clock. */
#define PROTO_DEFAULT_WINDOW_MS  30000U

/* ---- message types and flags ----------------------------------------- */

enum proto_type {
	PROTO_SUBSCRIBE        = 1,   /* balancer -> agent */
	PROTO_SUBSCRIBE_ACK    = 2,   /* agent -> balancer */
	PROTO_BINDING_NOTIFY   = 3,   /* agent -> balancer */
	PROTO_BINDING_SNAPSHOT = 4,   /* agent -> balancer */
	PROTO_UNSUBSCRIBE      = 5,   /* balancer -> agent */
	PROTO_SYNC_SESSIONS    = 6,   /* balancer -> balancer (lib/sync_codec.h) */
	PROTO_SYNC_REQUEST     = 7,   /* balancer -> balancer: bulk request */
	PROTO_GROUP_SUBSCRIBE  = 8,   /* balancer (a group member) -> agent */
	PROTO_GROUP_NOTIFY     = 9,   /* agent -> every member of a group */
	PROTO_GROUP_SNAPSHOT   = 10,  /* agent -> every member of a group */
	PROTO_TYPE_MAX,
};

/* BINDING_NOTIFY flags. */
#define PROTO_NOTIFY_F_OLD_COA   0x01  /* old_coa is known and set */
/* BINDING_SNAPSHOT flags. */
#define PROTO_SNAPSHOT_F_MORE    0x01  /* more parts of this snapshot follow */

/* SUBSCRIBE_ACK status. */
enum proto_sub_status {
	PROTO_SUB_OK         = 0,     /* subscribed; notifications follow */
	PROTO_SUB_UNKNOWN    = 1,     /* no binding for this home address (yet);
				       * still subscribed: a later binding is
				       * notified */
	PROTO_SUB_REFUSED    = 2,     /* policy: this home address is not served */
	PROTO_SUB_NO_RESOURCES = 3,   /* too many subscriptions */
	PROTO_SUB_NO_BINDING = 4,     /* role ha: no binding for this home
				       * address; NOT subscribed, the agent keeps
				       * no state for it: ask again later */
	PROTO_SUB_STATUS_MAX,
};

/* ---- rejection reasons ----------------------------------------------- */

/* Why proto_accept() (or proto_decode()) refused a datagram; returned
 * negated.  Also the index of proto_peer_state.rejected[]. */
enum proto_reason {
	PROTO_OK = 0,
	PROTO_R_TRUNCATED,        /* shorter than its header says */
	PROTO_R_OVERSIZED,        /* over PROTO_MAX_MSG or longer than its header says */
	PROTO_R_BAD_VERSION,      /* wrong magic or unknown version */
	PROTO_R_BAD_TYPE,         /* unknown message type */
	PROTO_R_UNKNOWN_KEY,      /* (sender id, key id) is not this peer's */
	PROTO_R_BAD_MAC,
	PROTO_R_STALE_TIMESTAMP,  /* outside the peer's window */
	PROTO_R_REPLAY,           /* sequence not above the last accepted */
	PROTO_R_BAD_FIELD,        /* body length, flag, address or range */
	PROTO_REASON_MAX,
};

/* "bad_mac", "unknown_key", ...: accepts a reason or its negation;
 * "ok" for 0 and "?" for anything else. */
const char *proto_reason_name(int reason);
/* "subscribe", "subscribe_ack", "binding_notify", "binding_snapshot",
 * "unsubscribe", "sync_sessions", "sync_request", "group_subscribe",
 * "group_notify", "group_snapshot", or "?". */
const char *proto_type_name(int type);
const char *proto_sub_status_name(int status);

/* ---- decoded messages ------------------------------------------------ */

struct proto_subscribe {
	struct in6_addr home;           /* the node's home address */
	struct in6_addr reply_addr;     /* :: = the datagram's source address */
	__u16 reply_port;               /* 0 = the datagram's source port */
	__u16 snapshot_interval_s;      /* 0 = no periodic snapshots */
	__u32 lifetime_s;               /* 1..PROTO_MAX_SUB_LIFETIME_S */
};

struct proto_subscribe_ack {
	struct in6_addr home;           /* echoed from the SUBSCRIBE */
	__u64 ack_seq;                  /* sequence number of that SUBSCRIBE */
	__u8  status;                   /* enum proto_sub_status */
	__u16 snapshot_interval_s;      /* granted */
	__u32 lifetime_s;               /* granted; 0 when status refuses */
};

/* One binding as the Home Agent (or node) holds it (RFC 6275 §9.1). */
struct proto_binding {
	struct in6_addr home;
	struct in6_addr coa;
	__u32 lifetime_s;               /* 0 = deregistered (RFC 6275 §6.1.7) */
	__u16 binding_seq;              /* the BU's sequence number */
};

struct proto_notify {
	struct in6_addr home;
	struct in6_addr coa;            /* the new care-of address */
	struct in6_addr old_coa;        /* valid iff flags & PROTO_NOTIFY_F_OLD_COA,
					 * else all-zero on the wire */
	__u8  flags;                    /* PROTO_NOTIFY_F_* */
	__u16 binding_seq;
	__u32 lifetime_s;               /* <= PROTO_MAX_LIFETIME_S */
};

struct proto_snapshot {
	__u32 snapshot_id;              /* same in every part of one snapshot */
	__u8  part;                     /* 0-based part number */
	__u8  flags;                    /* PROTO_SNAPSHOT_F_* */
	__u16 count;                    /* <= PROTO_SNAPSHOT_MAX */
	struct proto_binding entries[PROTO_SNAPSHOT_MAX];
};

struct proto_unsubscribe {
	struct in6_addr home;
};

/* A backend named the way every instance of a group names it: the service
 * by its (vip, proto, port), the backend by its configured name (ids are
 * each instance's own).  docs/protocol.md, "Choices". */
struct proto_choice {
	struct in6_addr vip;
	__u16 port;                     /* 0 = any (then proto is 0 too, or not) */
	__u8  proto;                    /* IPPROTO_TCP, IPPROTO_UDP, 0 = any */
	char  backend[PROTO_NAME_LEN];  /* NUL-terminated */
};

struct proto_choices {
	__u8 count;                     /* <= PROTO_MAX_CHOICES */
	struct proto_choice c[PROTO_MAX_CHOICES];
};

/* SUBSCRIBE from a member of a balancer group: the subscription covers
 * every member, and names the backends this member chose for the node. */
struct proto_group_subscribe {
	struct proto_subscribe sub;
	char group[PROTO_NAME_LEN];
	struct proto_choices ch;
};

/* BINDING_NOTIFY to a member: the backends the group agreed on. */
struct proto_group_notify {
	struct proto_notify nt;
	char group[PROTO_NAME_LEN];
	struct proto_choices ch;
};

struct proto_group_entry {
	struct proto_binding b;
	struct proto_choices ch;
};

struct proto_group_snapshot {
	char group[PROTO_NAME_LEN];
	__u32 snapshot_id;
	__u8  part;
	__u8  flags;                    /* PROTO_SNAPSHOT_F_* */
	__u16 count;                    /* <= PROTO_GSNAP_MAX, and the bytes must fit */
	struct proto_group_entry entries[PROTO_GSNAP_MAX];
};

struct proto_msg {
	/* header */
	__u8  type;                     /* enum proto_type: selects the union */
	__u8  version;                  /* set by decode; encode writes PROTO_VERSION */
	__u8  flags;                    /* none defined in version 1: must be 0 */
	__u32 sender_id;
	__u32 key_id;
	__u64 seq;                      /* strictly increasing per sender */
	__u64 timestamp_ms;             /* sender's CLOCK_REALTIME, ms since 1970 */
	union {
		struct proto_subscribe     subscribe;
		struct proto_subscribe_ack subscribe_ack;
		struct proto_notify        notify;
		struct proto_snapshot      snapshot;
		struct proto_unsubscribe   unsubscribe;
		struct sync_sessions       sync;        /* PROTO_SYNC_SESSIONS */
		struct sync_request        sync_req;    /* PROTO_SYNC_REQUEST */
		struct proto_group_subscribe group_subscribe;
		struct proto_group_notify  group_notify;
		struct proto_group_snapshot group_snapshot;
	};
};

/* ---- codec ----------------------------------------------------------- */

/* Call once before any other proto_* function (initialises libsodium).
 * 0 or -EIO. */
int proto_init(void);

/* Encode m and append its MAC under key (PROTO_KEY_MIN..PROTO_KEY_MAX
 * bytes).  Returns the message length, -EINVAL for a message the receiver
 * would reject as bad_type or bad_field (so a sender cannot emit one) or a
 * bad key length, -ENOSPC when buflen is too small. */
int proto_encode(const struct proto_msg *m, const __u8 *key, size_t keylen,
		 __u8 *buf, size_t buflen);

/* Parse and range-check buf without looking at the MAC; for tools that
 * print traffic.  0 or a negative proto_reason (never BAD_MAC, UNKNOWN_KEY,
 * STALE_TIMESTAMP or REPLAY). *out is undefined on failure. */
int proto_decode(const __u8 *buf, size_t len, struct proto_msg *out);

/* Check length, magic, version and type, and return the ids a receiver
 * needs to find the proto_peer_state to pass to proto_accept().  0 or a
 * negative proto_reason.  Either output pointer may be NULL. */
int proto_peek(const __u8 *buf, size_t len, __u32 *sender_id, __u32 *key_id);

/* Constant-time check of the trailing MAC of buf[0..len).  0, -EBADMSG
 * (mismatch or len < PROTO_MIN_MSG) or -EINVAL (key length). */
int proto_verify(const __u8 *buf, size_t len, const __u8 *key, size_t keylen);

/* (Re)write the trailing PROTO_MAC_LEN bytes of buf[0..len) with the MAC of
 * what precedes them.  proto_encode() uses it; tests use it to re-MAC a
 * message they corrupted on purpose.  0 or -EINVAL. */
int proto_sign(__u8 *buf, size_t len, const __u8 *key, size_t keylen);

/* ---- receiver policy ------------------------------------------------- */

/* What a receiver knows about one sender. */
struct proto_peer_state {
	__u32 sender_id;
	__u32 key_id;
	__u8  key[PROTO_KEY_MAX];
	size_t keylen;
	__u64 last_seq;                 /* last accepted; 0 = none yet */
	__u32 window_ms;                /* timestamp tolerance, each way */
	__u64 accepted;
	__u64 rejected[PROTO_REASON_MAX]; /* indexed by enum proto_reason */
};

/* Set up a peer with PROTO_DEFAULT_WINDOW_MS.  0 or -EINVAL (key length). */
int proto_peer_init(struct proto_peer_state *peer, __u32 sender_id,
		    __u32 key_id, const __u8 *key, size_t keylen);
/* Install a new key.  A new key id restarts the sequence check
 * (last_seq = 0): messages under the old id are then refused as
 * unknown_key, so a replay cannot profit, and a sender whose sequence
 * went backwards (clock stepped back across a restart) recovers.  The same
 * key id keeps last_seq.  0 or -EINVAL. */
int proto_peer_set_key(struct proto_peer_state *peer, __u32 key_id,
		       const __u8 *key, size_t keylen);
/* Wipe the key (sodium_memzero). */
void proto_peer_clear(struct proto_peer_state *peer);

/* The receiver's whole acceptance policy, in this order:
 *   length bounds          -> truncated / oversized
 *   header, magic, version -> truncated / oversized / bad_version
 *   type                   -> bad_type
 *   sender id and key id   -> unknown_key
 *   MAC                    -> bad_mac
 *   |timestamp - now_ms| <= window_ms          -> stale_timestamp
 *   seq > last_seq                             -> replay
 *   body length, flags, addresses and ranges   -> bad_field
 * On acceptance: last_seq = seq, accepted++, *out holds the message,
 * returns 0.  On rejection: rejected[reason]++ and nothing else in *peer
 * changes; returns -reason and *out is undefined.  The sequence only
 * advances after the MAC and every other check passed, so a forged or
 * malformed datagram cannot push it forward and lock the sender out.
 * now_ms is the receiver's CLOCK_REALTIME in ms (proto_now_ms()). */
int proto_accept(struct proto_peer_state *peer, const __u8 *buf, size_t len,
		 __u64 now_ms, struct proto_msg *out);

/* ---- sender ---------------------------------------------------------- */

/* What a sender keeps.  Sequence numbers must survive restarts without
 * storage, so they come from the wall clock: every message gets
 * max(next_seq, now in microseconds), CLOCK_REALTIME, and next_seq becomes
 * that + 1.  The sequence therefore never goes down within a run, and only
 * runs ahead of the clock by one per message sent within the same
 * microsecond.  A restarted sender's first sequence is its clock at that
 * moment, above everything it sent before unless the wall clock went back
 * across the restart (by more than the time the restart took); if it did,
 * the receiver refuses it as replay until the clock has caught up, or at
 * once after a key id rotation (proto_peer_set_key()).  docs/protocol.md,
 * "Sequence numbers". */
struct proto_sender {
	__u32 sender_id;
	__u32 key_id;
	__u64 next_seq;
	__u8  key[PROTO_KEY_MAX];
	size_t keylen;
};

/* now_us: proto_now_us() in production, a fixed value in tests.
 * 0 or -EINVAL (key length). */
int proto_sender_init(struct proto_sender *s, __u32 sender_id, __u32 key_id,
		      const __u8 *key, size_t keylen, __u64 now_us);
/* The sequence the next message stamped at now_us gets:
 * max(next_seq, now_us), never 0. */
__u64 proto_sender_next_seq(const struct proto_sender *s, __u64 now_us);
/* Fill m's sender_id, key_id, seq (proto_sender_next_seq()) and
 * timestamp_ms (now_us / 1000) and consume the sequence number. */
void proto_sender_stamp(struct proto_sender *s, struct proto_msg *m,
			__u64 now_us);
/* Stamp and encode m with the sender's key.  The sequence number is
 * consumed only when encoding succeeds.  Length or -errno as
 * proto_encode().  now_us: proto_now_us(), one reading for both the
 * sequence and the timestamp. */
int proto_sender_encode(struct proto_sender *s, struct proto_msg *m,
			__u64 now_us, __u8 *buf, size_t buflen);
void proto_sender_clear(struct proto_sender *s);

/* CLOCK_REALTIME: both ends compare timestamps, so they must share a wall
 * clock (NTP) to within the window. */
__u64 proto_now_ms(void);
__u64 proto_now_us(void);

/* ---- helpers --------------------------------------------------------- */

/* A group or backend name as the wire carries it: 1..PROTO_NAME_LEN-1 of
 * A-Z a-z 0-9 . _ - and NUL up to the end. */
bool proto_name_ok(const char *name);
/* Bytes a GROUP_SNAPSHOT entry with these choices takes. */
static inline size_t proto_gsnap_entry_len(const struct proto_group_entry *e)
{
	return PROTO_GSNAP_ENTRY_MIN_LEN + (size_t)e->ch.count * PROTO_CHOICE_LEN;
}
/* Two choices name the same service. */
bool proto_choice_same_service(const struct proto_choice *a, const struct proto_choice *b);

/* RFC 6275 §6.1.7: BU/BA lifetime is in units of 4 s.  Seconds round up
 * to whole units, so a non-zero lifetime never becomes 0 (which means
 * deregistration), and saturate at 0xffff. */
static inline __u32 proto_units_to_s(__u16 units)
{
	return (__u32)units * 4;
}

static inline __u16 proto_s_to_units(__u32 s)
{
	__u32 u = s / 4 + (s % 4 != 0);

	return u > 0xffff ? 0xffff : (__u16)u;
}

#endif /* MIP6LB_PROTO_H */
