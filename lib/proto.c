// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * proto.c - codec and receiver policy of the binding-notification protocol.
 * docs/protocol.md is the wire format; this file must match it byte for
 * byte (the example in it is produced by this encoder).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "proto.h"

/* Header offsets (docs/protocol.md, "Header"). */
#define OFF_MAGIC      0
#define OFF_VERSION    2
#define OFF_TYPE       3
#define OFF_FLAGS      4
#define OFF_RESERVED   5
#define OFF_BODY_LEN   6
#define OFF_SENDER     8
#define OFF_KEY_ID     12
#define OFF_SEQ        16
#define OFF_TIMESTAMP  24

static const char *const reason_names[PROTO_REASON_MAX] = {
	[PROTO_OK]                = "ok",
	[PROTO_R_TRUNCATED]       = "truncated",
	[PROTO_R_OVERSIZED]       = "oversized",
	[PROTO_R_BAD_VERSION]     = "bad_version",
	[PROTO_R_BAD_TYPE]        = "bad_type",
	[PROTO_R_UNKNOWN_KEY]     = "unknown_key",
	[PROTO_R_BAD_MAC]         = "bad_mac",
	[PROTO_R_STALE_TIMESTAMP] = "stale_timestamp",
	[PROTO_R_REPLAY]          = "replay",
	[PROTO_R_BAD_FIELD]       = "bad_field",
};

static const char *const type_names[PROTO_TYPE_MAX] = {
	[PROTO_SUBSCRIBE]        = "subscribe",
	[PROTO_SUBSCRIBE_ACK]    = "subscribe_ack",
	[PROTO_BINDING_NOTIFY]   = "binding_notify",
	[PROTO_BINDING_SNAPSHOT] = "binding_snapshot",
	[PROTO_UNSUBSCRIBE]      = "unsubscribe",
	[PROTO_SYNC_SESSIONS]    = "sync_sessions",
	[PROTO_SYNC_REQUEST]     = "sync_request",
};

static const char *const sub_status_names[PROTO_SUB_STATUS_MAX] = {
	[PROTO_SUB_OK]           = "ok",
	[PROTO_SUB_UNKNOWN]      = "unknown",
	[PROTO_SUB_REFUSED]      = "refused",
	[PROTO_SUB_NO_RESOURCES] = "no_resources",
	[PROTO_SUB_NO_BINDING]   = "no_binding",
};

const char *proto_reason_name(int reason)
{
	if (reason < 0)
		reason = -reason;
	if (reason >= PROTO_REASON_MAX)
		return "?";
	return reason_names[reason];
}

const char *proto_type_name(int type)
{
	if (type <= 0 || type >= PROTO_TYPE_MAX)
		return "?";
	return type_names[type];
}

const char *proto_sub_status_name(int status)
{
	if (status < 0 || status >= PROTO_SUB_STATUS_MAX)
		return "?";
	return sub_status_names[status];
}

/* ---- byte order -------------------------------------------------------- */

static inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static inline void put64(__u8 *p, __u64 v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static inline __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static inline __u32 get32(const __u8 *p)
{
	return (__u32)get16(p) << 16 | get16(p + 2);
}

static inline __u64 get64(const __u8 *p)
{
	return (__u64)get32(p) << 32 | get32(p + 4);
}

static inline void put_addr(__u8 *p, const struct in6_addr *a)
{
	memcpy(p, a, 16);
}

static inline void get_addr(struct in6_addr *a, const __u8 *p)
{
	memcpy(a, p, 16);
}

/* ---- field rules (shared by encode and decode) ------------------------ */

static int addr_is_zero(const struct in6_addr *a)
{
	static const struct in6_addr zero;

	return !memcmp(a, &zero, sizeof(zero));
}

/* A home or care-of address must name one node: RFC 6275 §9.5.1 rejects
 * multicast, unspecified and loopback care-of addresses, and a home
 * address is a unicast address on the home link (§4). */
static int addr_is_node(const struct in6_addr *a)
{
	return !addr_is_zero(a) && !IN6_IS_ADDR_MULTICAST(a) &&
	       !IN6_IS_ADDR_LOOPBACK(a);
}

static int body_len_of(const struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_SUBSCRIBE:
		return PROTO_SUBSCRIBE_LEN;
	case PROTO_SUBSCRIBE_ACK:
		return PROTO_SUBSCRIBE_ACK_LEN;
	case PROTO_BINDING_NOTIFY:
		return PROTO_NOTIFY_LEN;
	case PROTO_BINDING_SNAPSHOT:
		return PROTO_SNAPSHOT_FIXED_LEN +
		       m->snapshot.count * PROTO_SNAPSHOT_ENTRY_LEN;
	case PROTO_UNSUBSCRIBE:
		return PROTO_UNSUBSCRIBE_LEN;
	case PROTO_SYNC_SESSIONS:
		return sync_sessions_body_len(&m->sync);
	case PROTO_SYNC_REQUEST:
		return SYNC_REQUEST_LEN;
	}
	return -1;
}

static int binding_ok(const struct proto_binding *b)
{
	return addr_is_node(&b->home) && addr_is_node(&b->coa) &&
	       b->lifetime_s <= PROTO_MAX_LIFETIME_S;
}

/* 0 or -PROTO_R_BAD_TYPE / -PROTO_R_BAD_FIELD. */
static int check_msg(const struct proto_msg *m)
{
	const struct proto_subscribe *s = &m->subscribe;
	const struct proto_subscribe_ack *a = &m->subscribe_ack;
	const struct proto_notify *n = &m->notify;
	const struct proto_snapshot *sn = &m->snapshot;
	int i;

	if (m->type == 0 || m->type >= PROTO_TYPE_MAX)
		return -PROTO_R_BAD_TYPE;
	/* Version 1 defines no header flag: one that changed the meaning of
	 * the body must not be ignored by an old receiver. */
	if (m->flags)
		return -PROTO_R_BAD_FIELD;

	switch (m->type) {
	case PROTO_SUBSCRIBE:
		if (!addr_is_node(&s->home) ||
		    IN6_IS_ADDR_MULTICAST(&s->reply_addr) ||
		    s->lifetime_s == 0 || s->lifetime_s > PROTO_MAX_SUB_LIFETIME_S)
			return -PROTO_R_BAD_FIELD;
		break;
	case PROTO_SUBSCRIBE_ACK:
		if (!addr_is_node(&a->home) || a->status >= PROTO_SUB_STATUS_MAX ||
		    a->lifetime_s > PROTO_MAX_SUB_LIFETIME_S)
			return -PROTO_R_BAD_FIELD;
		break;
	case PROTO_BINDING_NOTIFY:
		if (!addr_is_node(&n->home) || !addr_is_node(&n->coa) ||
		    (n->flags & ~PROTO_NOTIFY_F_OLD_COA) ||
		    n->lifetime_s > PROTO_MAX_LIFETIME_S)
			return -PROTO_R_BAD_FIELD;
		/* An unknown old CoA is all-zero, so a receiver cannot act
		 * on stale bytes the flag says to ignore. */
		if (n->flags & PROTO_NOTIFY_F_OLD_COA ? !addr_is_node(&n->old_coa)
						       : !addr_is_zero(&n->old_coa))
			return -PROTO_R_BAD_FIELD;
		break;
	case PROTO_BINDING_SNAPSHOT:
		if (sn->count > PROTO_SNAPSHOT_MAX ||
		    (sn->flags & ~PROTO_SNAPSHOT_F_MORE))
			return -PROTO_R_BAD_FIELD;
		for (i = 0; i < sn->count; i++)
			if (!binding_ok(&sn->entries[i]))
				return -PROTO_R_BAD_FIELD;
		break;
	case PROTO_UNSUBSCRIBE:
		if (!addr_is_node(&m->unsubscribe.home))
			return -PROTO_R_BAD_FIELD;
		break;
	case PROTO_SYNC_SESSIONS:
		if (sync_sessions_check(&m->sync))
			return -PROTO_R_BAD_FIELD;
		break;
	case PROTO_SYNC_REQUEST:
		if (sync_request_check(&m->sync_req))
			return -PROTO_R_BAD_FIELD;
		break;
	}
	return 0;
}

/* ---- MAC -------------------------------------------------------------- */

static int key_len_ok(size_t keylen)
{
	return keylen >= PROTO_KEY_MIN && keylen <= PROTO_KEY_MAX;
}

/* crypto_auth_hmacsha256() and _verify() take exactly 32-byte keys; the
 * streaming API takes any length (RFC 2104 §2 hashes keys over the block
 * size and zero-pads shorter ones), so 32..64-byte secrets all work. */
static void mac_compute(const __u8 *buf, size_t len, const __u8 *key,
			size_t keylen, __u8 mac[PROTO_MAC_LEN])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, buf, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

int proto_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

int proto_sign(__u8 *buf, size_t len, const __u8 *key, size_t keylen)
{
	if (!key_len_ok(keylen) || len < PROTO_MIN_MSG)
		return -EINVAL;
	mac_compute(buf, len - PROTO_MAC_LEN, key, keylen, buf + len - PROTO_MAC_LEN);
	return 0;
}

int proto_verify(const __u8 *buf, size_t len, const __u8 *key, size_t keylen)
{
	__u8 mac[PROTO_MAC_LEN];
	int rc;

	if (!key_len_ok(keylen))
		return -EINVAL;
	if (len < PROTO_MIN_MSG)
		return -EBADMSG;
	mac_compute(buf, len - PROTO_MAC_LEN, key, keylen, mac);
	/* The same constant-time comparison crypto_auth_hmacsha256_verify()
	 * makes: a timing difference would let a forger find the MAC byte by
	 * byte. */
	rc = crypto_verify_32(mac, buf + len - PROTO_MAC_LEN) ? -EBADMSG : 0;
	sodium_memzero(mac, sizeof(mac));
	return rc;
}

/* ---- encode ----------------------------------------------------------- */

static void put_binding(__u8 *p, const struct proto_binding *b)
{
	put_addr(p, &b->home);
	put_addr(p + 16, &b->coa);
	put32(p + 32, b->lifetime_s);
	put16(p + 36, b->binding_seq);
	put16(p + 38, 0);
}

int proto_encode(const struct proto_msg *m, const __u8 *key, size_t keylen,
		 __u8 *buf, size_t buflen)
{
	__u8 *b = buf + PROTO_HDR_LEN;
	int body_len, total, i;

	if (!key_len_ok(keylen) || check_msg(m))
		return -EINVAL;
	body_len = body_len_of(m);
	total = PROTO_HDR_LEN + body_len + PROTO_MAC_LEN;
	if ((size_t)total > buflen)
		return -ENOSPC;

	buf[OFF_MAGIC] = PROTO_MAGIC0;
	buf[OFF_MAGIC + 1] = PROTO_MAGIC1;
	buf[OFF_VERSION] = PROTO_VERSION;
	buf[OFF_TYPE] = m->type;
	buf[OFF_FLAGS] = m->flags;
	buf[OFF_RESERVED] = 0;
	put16(buf + OFF_BODY_LEN, body_len);
	put32(buf + OFF_SENDER, m->sender_id);
	put32(buf + OFF_KEY_ID, m->key_id);
	put64(buf + OFF_SEQ, m->seq);
	put64(buf + OFF_TIMESTAMP, m->timestamp_ms);

	switch (m->type) {
	case PROTO_SUBSCRIBE:
		put_addr(b, &m->subscribe.home);
		put_addr(b + 16, &m->subscribe.reply_addr);
		put16(b + 32, m->subscribe.reply_port);
		put16(b + 34, m->subscribe.snapshot_interval_s);
		put32(b + 36, m->subscribe.lifetime_s);
		break;
	case PROTO_SUBSCRIBE_ACK:
		put_addr(b, &m->subscribe_ack.home);
		put64(b + 16, m->subscribe_ack.ack_seq);
		b[24] = m->subscribe_ack.status;
		b[25] = 0;
		put16(b + 26, m->subscribe_ack.snapshot_interval_s);
		put32(b + 28, m->subscribe_ack.lifetime_s);
		break;
	case PROTO_BINDING_NOTIFY:
		put_addr(b, &m->notify.home);
		put_addr(b + 16, &m->notify.coa);
		put_addr(b + 32, &m->notify.old_coa);
		b[48] = m->notify.flags;
		b[49] = 0;
		put16(b + 50, m->notify.binding_seq);
		put32(b + 52, m->notify.lifetime_s);
		break;
	case PROTO_BINDING_SNAPSHOT:
		put16(b, m->snapshot.count);
		b[2] = m->snapshot.part;
		b[3] = m->snapshot.flags;
		put32(b + 4, m->snapshot.snapshot_id);
		for (i = 0; i < m->snapshot.count; i++)
			put_binding(b + PROTO_SNAPSHOT_FIXED_LEN +
				    i * PROTO_SNAPSHOT_ENTRY_LEN,
				    &m->snapshot.entries[i]);
		break;
	case PROTO_UNSUBSCRIBE:
		put_addr(b, &m->unsubscribe.home);
		break;
	case PROTO_SYNC_SESSIONS:
		sync_sessions_put(b, &m->sync);
		break;
	case PROTO_SYNC_REQUEST:
		sync_request_put(b, &m->sync_req);
		break;
	}
	proto_sign(buf, total, key, keylen);
	return total;
}

/* ---- decode ----------------------------------------------------------- */

/* Length bounds, magic, version, header length and type: everything
 * needed before a key can be chosen.  Magic and version are checked
 * before body_len is trusted, since another version may lay the header
 * out differently. */
static int check_header(const __u8 *buf, size_t len)
{
	size_t total;

	if (len < PROTO_MIN_MSG)
		return -PROTO_R_TRUNCATED;
	if (len > PROTO_MAX_MSG)
		return -PROTO_R_OVERSIZED;
	if (buf[OFF_MAGIC] != PROTO_MAGIC0 || buf[OFF_MAGIC + 1] != PROTO_MAGIC1 ||
	    buf[OFF_VERSION] != PROTO_VERSION)
		return -PROTO_R_BAD_VERSION;
	total = PROTO_MIN_MSG + (size_t)get16(buf + OFF_BODY_LEN);
	if (len < total)
		return -PROTO_R_TRUNCATED;
	/* Trailing bytes would sit outside the MAC's coverage, or shift it;
	 * either way the datagram is not what the sender built. */
	if (len > total)
		return -PROTO_R_OVERSIZED;
	if (buf[OFF_TYPE] == 0 || buf[OFF_TYPE] >= PROTO_TYPE_MAX)
		return -PROTO_R_BAD_TYPE;
	return 0;
}

static void get_binding(struct proto_binding *b, const __u8 *p)
{
	get_addr(&b->home, p);
	get_addr(&b->coa, p + 16);
	b->lifetime_s = get32(p + 32);
	b->binding_seq = get16(p + 36);
}

/* Header fields and body of a message check_header() passed. */
static int parse_body(const __u8 *buf, struct proto_msg *out)
{
	const __u8 *b = buf + PROTO_HDR_LEN;
	size_t body_len = get16(buf + OFF_BODY_LEN);
	size_t i, want;

	memset(out, 0, sizeof(*out));
	out->version = buf[OFF_VERSION];
	out->type = buf[OFF_TYPE];
	out->flags = buf[OFF_FLAGS];
	out->sender_id = get32(buf + OFF_SENDER);
	out->key_id = get32(buf + OFF_KEY_ID);
	out->seq = get64(buf + OFF_SEQ);
	out->timestamp_ms = get64(buf + OFF_TIMESTAMP);
	if (buf[OFF_RESERVED])
		return -PROTO_R_BAD_FIELD;

	switch (out->type) {
	case PROTO_SUBSCRIBE:
		if (body_len != PROTO_SUBSCRIBE_LEN)
			return -PROTO_R_BAD_FIELD;
		get_addr(&out->subscribe.home, b);
		get_addr(&out->subscribe.reply_addr, b + 16);
		out->subscribe.reply_port = get16(b + 32);
		out->subscribe.snapshot_interval_s = get16(b + 34);
		out->subscribe.lifetime_s = get32(b + 36);
		break;
	case PROTO_SUBSCRIBE_ACK:
		if (body_len != PROTO_SUBSCRIBE_ACK_LEN || b[25])
			return -PROTO_R_BAD_FIELD;
		get_addr(&out->subscribe_ack.home, b);
		out->subscribe_ack.ack_seq = get64(b + 16);
		out->subscribe_ack.status = b[24];
		out->subscribe_ack.snapshot_interval_s = get16(b + 26);
		out->subscribe_ack.lifetime_s = get32(b + 28);
		break;
	case PROTO_BINDING_NOTIFY:
		if (body_len != PROTO_NOTIFY_LEN || b[49])
			return -PROTO_R_BAD_FIELD;
		get_addr(&out->notify.home, b);
		get_addr(&out->notify.coa, b + 16);
		get_addr(&out->notify.old_coa, b + 32);
		out->notify.flags = b[48];
		out->notify.binding_seq = get16(b + 50);
		out->notify.lifetime_s = get32(b + 52);
		break;
	case PROTO_BINDING_SNAPSHOT:
		if (body_len < PROTO_SNAPSHOT_FIXED_LEN)
			return -PROTO_R_BAD_FIELD;
		out->snapshot.count = get16(b);
		out->snapshot.part = b[2];
		out->snapshot.flags = b[3];
		out->snapshot.snapshot_id = get32(b + 4);
		/* The count must describe the body exactly: a count that
		 * disagrees with the length is a sender bug or an attack. */
		if (out->snapshot.count > PROTO_SNAPSHOT_MAX)
			return -PROTO_R_BAD_FIELD;
		want = PROTO_SNAPSHOT_FIXED_LEN +
		       (size_t)out->snapshot.count * PROTO_SNAPSHOT_ENTRY_LEN;
		if (body_len != want)
			return -PROTO_R_BAD_FIELD;
		for (i = 0; i < out->snapshot.count; i++) {
			const __u8 *e = b + PROTO_SNAPSHOT_FIXED_LEN +
					i * PROTO_SNAPSHOT_ENTRY_LEN;

			if (get16(e + 38))
				return -PROTO_R_BAD_FIELD;
			get_binding(&out->snapshot.entries[i], e);
		}
		break;
	case PROTO_UNSUBSCRIBE:
		if (body_len != PROTO_UNSUBSCRIBE_LEN)
			return -PROTO_R_BAD_FIELD;
		get_addr(&out->unsubscribe.home, b);
		break;
	case PROTO_SYNC_SESSIONS:
		if (sync_sessions_get(b, body_len, &out->sync))
			return -PROTO_R_BAD_FIELD;
		break;
	case PROTO_SYNC_REQUEST:
		if (sync_request_get(b, body_len, &out->sync_req))
			return -PROTO_R_BAD_FIELD;
		break;
	}
	return check_msg(out);
}

int proto_peek(const __u8 *buf, size_t len, __u32 *sender_id, __u32 *key_id)
{
	int rc = check_header(buf, len);

	if (rc)
		return rc;
	if (sender_id)
		*sender_id = get32(buf + OFF_SENDER);
	if (key_id)
		*key_id = get32(buf + OFF_KEY_ID);
	return 0;
}

int proto_decode(const __u8 *buf, size_t len, struct proto_msg *out)
{
	int rc = check_header(buf, len);

	return rc ? rc : parse_body(buf, out);
}

/* ---- receiver --------------------------------------------------------- */

int proto_peer_init(struct proto_peer_state *peer, __u32 sender_id,
		    __u32 key_id, const __u8 *key, size_t keylen)
{
	if (!key_len_ok(keylen))
		return -EINVAL;
	memset(peer, 0, sizeof(*peer));
	peer->sender_id = sender_id;
	peer->key_id = key_id;
	memcpy(peer->key, key, keylen);
	peer->keylen = keylen;
	peer->window_ms = PROTO_DEFAULT_WINDOW_MS;
	return 0;
}

int proto_peer_set_key(struct proto_peer_state *peer, __u32 key_id,
		       const __u8 *key, size_t keylen)
{
	if (!key_len_ok(keylen))
		return -EINVAL;
	if (key_id != peer->key_id)
		peer->last_seq = 0;
	sodium_memzero(peer->key, sizeof(peer->key));
	memcpy(peer->key, key, keylen);
	peer->keylen = keylen;
	peer->key_id = key_id;
	return 0;
}

void proto_peer_clear(struct proto_peer_state *peer)
{
	sodium_memzero(peer->key, sizeof(peer->key));
	peer->keylen = 0;
}

static int accept_checks(const struct proto_peer_state *peer, const __u8 *buf,
			 size_t len, __u64 now_ms, struct proto_msg *out)
{
	__u64 ts, seq, skew;
	int rc;

	rc = check_header(buf, len);
	if (rc)
		return rc;
	if (get32(buf + OFF_SENDER) != peer->sender_id ||
	    get32(buf + OFF_KEY_ID) != peer->key_id)
		return -PROTO_R_UNKNOWN_KEY;
	/* Nothing past this point is trusted until the MAC matched. */
	if (proto_verify(buf, len, peer->key, peer->keylen))
		return -PROTO_R_BAD_MAC;
	/* The window bounds how long a captured message stays replayable
	 * to a receiver that lost its state, and how late a delayed
	 * notification (an old CoA) may still arrive. */
	ts = get64(buf + OFF_TIMESTAMP);
	skew = ts > now_ms ? ts - now_ms : now_ms - ts;
	if (skew > peer->window_ms)
		return -PROTO_R_STALE_TIMESTAMP;
	seq = get64(buf + OFF_SEQ);
	if (seq <= peer->last_seq)
		return -PROTO_R_REPLAY;
	return parse_body(buf, out);
}

int proto_accept(struct proto_peer_state *peer, const __u8 *buf, size_t len,
		 __u64 now_ms, struct proto_msg *out)
{
	int rc = accept_checks(peer, buf, len, now_ms, out);

	if (rc) {
		peer->rejected[-rc]++;
		return rc;
	}
	peer->last_seq = out->seq;
	peer->accepted++;
	return 0;
}

/* ---- sender ----------------------------------------------------------- */

int proto_sender_init(struct proto_sender *s, __u32 sender_id, __u32 key_id,
		      const __u8 *key, size_t keylen, __u64 now_us)
{
	if (!key_len_ok(keylen))
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->sender_id = sender_id;
	s->key_id = key_id;
	memcpy(s->key, key, keylen);
	s->keylen = keylen;
	/* 0 is never accepted (last_seq starts at 0). */
	s->next_seq = now_us ? now_us : 1;
	return 0;
}

__u64 proto_sender_next_seq(const struct proto_sender *s, __u64 now_us)
{
	/* Following the clock when it is ahead keeps the restart argument
	 * true for a long-lived sender too: after a restart it seeds from a
	 * later clock than any message it sent before.  next_seq is never 0
	 * (proto_sender_init()), and 0 is never accepted. */
	return now_us > s->next_seq ? now_us : s->next_seq;
}

static void stamp(const struct proto_sender *s, struct proto_msg *m, __u64 now_us)
{
	m->sender_id = s->sender_id;
	m->key_id = s->key_id;
	m->seq = proto_sender_next_seq(s, now_us);
	m->timestamp_ms = now_us / 1000;
}

void proto_sender_stamp(struct proto_sender *s, struct proto_msg *m,
			__u64 now_us)
{
	stamp(s, m, now_us);
	s->next_seq = m->seq + 1;
}

int proto_sender_encode(struct proto_sender *s, struct proto_msg *m,
			__u64 now_us, __u8 *buf, size_t buflen)
{
	int len;

	stamp(s, m, now_us);
	len = proto_encode(m, s->key, s->keylen, buf, buflen);
	if (len >= 0)
		s->next_seq = m->seq + 1;
	return len;
}

void proto_sender_clear(struct proto_sender *s)
{
	sodium_memzero(s->key, sizeof(s->key));
	s->keylen = 0;
}

static __u64 realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

__u64 proto_now_ms(void)
{
	return realtime_ns() / 1000000ULL;
}

__u64 proto_now_us(void)
{
	return realtime_ns() / 1000ULL;
}
