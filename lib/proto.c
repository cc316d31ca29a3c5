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
#include "wire.h"

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
	[PROTO_GROUP_SUBSCRIBE]  = "group_subscribe",
	[PROTO_GROUP_NOTIFY]     = "group_notify",
	[PROTO_GROUP_SNAPSHOT]   = "group_snapshot",
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

/* ---- addresses (byte order: wire.h) -------------------------------------- */

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
	case PROTO_GROUP_SUBSCRIBE:
		return PROTO_GROUP_SUBSCRIBE_MIN_LEN +
		       m->group_subscribe.ch.count * PROTO_CHOICE_LEN;
	case PROTO_GROUP_NOTIFY:
		return PROTO_GROUP_NOTIFY_MIN_LEN + m->group_notify.ch.count * PROTO_CHOICE_LEN;
	case PROTO_GROUP_SNAPSHOT: {
		int i, len = PROTO_GSNAP_FIXED_LEN;

		for (i = 0; i < m->group_snapshot.count && i < PROTO_GSNAP_MAX; i++)
			len += (int)proto_gsnap_entry_len(&m->group_snapshot.entries[i]);
		return len;
	}
	}
	return -1;
}

bool proto_name_ok(const char *name)
{
	static const char ok[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	size_t n = strnlen(name, PROTO_NAME_LEN);

	return n && n < PROTO_NAME_LEN && strspn(name, ok) >= n;
}

bool proto_choice_same_service(const struct proto_choice *a, const struct proto_choice *b)
{
	return !memcmp(&a->vip, &b->vip, sizeof(a->vip)) && a->port == b->port &&
	       a->proto == b->proto;
}

/* A service key as a config can spell it: tcp, udp or any protocol, and a
 * port only with a protocol (lib/config.c). */
static bool choice_ok(const struct proto_choice *c)
{
	return addr_is_node(&c->vip) &&
	       (c->proto == IPPROTO_TCP || c->proto == IPPROTO_UDP ||
		(c->proto == 0 && c->port == 0)) &&
	       proto_name_ok(c->backend);
}

/* At most PROTO_MAX_CHOICES, each well formed, one per service. */
static bool choices_ok(const struct proto_choices *ch)
{
	int i, j;

	if (ch->count > PROTO_MAX_CHOICES)
		return false;
	for (i = 0; i < ch->count; i++) {
		if (!choice_ok(&ch->c[i]))
			return false;
		for (j = 0; j < i; j++)
			if (proto_choice_same_service(&ch->c[i], &ch->c[j]))
				return false;
	}
	return true;
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
	case PROTO_GROUP_SUBSCRIBE: {
		struct proto_msg t = { .type = PROTO_SUBSCRIBE };

		t.subscribe = m->group_subscribe.sub;
		if (check_msg(&t) || !proto_name_ok(m->group_subscribe.group) ||
		    !choices_ok(&m->group_subscribe.ch))
			return -PROTO_R_BAD_FIELD;
		break;
	}
	case PROTO_GROUP_NOTIFY: {
		struct proto_msg t = { .type = PROTO_BINDING_NOTIFY };

		t.notify = m->group_notify.nt;
		if (check_msg(&t) || !proto_name_ok(m->group_notify.group) ||
		    !choices_ok(&m->group_notify.ch))
			return -PROTO_R_BAD_FIELD;
		break;
	}
	case PROTO_GROUP_SNAPSHOT: {
		const struct proto_group_snapshot *g = &m->group_snapshot;

		if (g->count > PROTO_GSNAP_MAX || (g->flags & ~PROTO_SNAPSHOT_F_MORE) ||
		    !proto_name_ok(g->group) || body_len_of(m) > PROTO_MAX_BODY)
			return -PROTO_R_BAD_FIELD;
		for (i = 0; i < g->count; i++)
			if (!binding_ok(&g->entries[i].b) || !choices_ok(&g->entries[i].ch))
				return -PROTO_R_BAD_FIELD;
		break;
	}
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

static void put_subscribe(__u8 *b, const struct proto_subscribe *s)
{
	put_addr(b, &s->home);
	put_addr(b + 16, &s->reply_addr);
	put16(b + 32, s->reply_port);
	put16(b + 34, s->snapshot_interval_s);
	put32(b + 36, s->lifetime_s);
}

static void put_notify(__u8 *b, const struct proto_notify *n)
{
	put_addr(b, &n->home);
	put_addr(b + 16, &n->coa);
	put_addr(b + 32, &n->old_coa);
	b[48] = n->flags;
	b[49] = 0;
	put16(b + 50, n->binding_seq);
	put32(b + 52, n->lifetime_s);
}

/* NUL-padded to PROTO_NAME_LEN: no stray bytes after the name. */
static void put_name(__u8 *p, const char *name)
{
	size_t n = strnlen(name, PROTO_NAME_LEN);

	memset(p, 0, PROTO_NAME_LEN);
	memcpy(p, name, n);
}

static void put_choices(__u8 *p, const struct proto_choices *ch)
{
	int i;

	for (i = 0; i < ch->count; i++, p += PROTO_CHOICE_LEN) {
		put_addr(p, &ch->c[i].vip);
		put16(p + 16, ch->c[i].port);
		p[18] = ch->c[i].proto;
		p[19] = 0;
		put_name(p + 20, ch->c[i].backend);
	}
}

/* The group block: name, choice count, 3 reserved bytes, choices. */
static void put_group(__u8 *p, const char *group, const struct proto_choices *ch)
{
	put_name(p, group);
	p[PROTO_NAME_LEN] = ch->count;
	memset(p + PROTO_NAME_LEN + 1, 0, 3);
	put_choices(p + PROTO_GROUP_BLOCK_LEN, ch);
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
		put_subscribe(b, &m->subscribe);
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
		put_notify(b, &m->notify);
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
	case PROTO_GROUP_SUBSCRIBE:
		put_subscribe(b, &m->group_subscribe.sub);
		put_group(b + PROTO_SUBSCRIBE_LEN, m->group_subscribe.group, &m->group_subscribe.ch);
		break;
	case PROTO_GROUP_NOTIFY:
		put_notify(b, &m->group_notify.nt);
		put_group(b + PROTO_NOTIFY_LEN, m->group_notify.group, &m->group_notify.ch);
		break;
	case PROTO_GROUP_SNAPSHOT: {
		const struct proto_group_snapshot *g = &m->group_snapshot;
		__u8 *e = b + PROTO_GSNAP_FIXED_LEN;

		put16(b, g->count);
		b[2] = g->part;
		b[3] = g->flags;
		put32(b + 4, g->snapshot_id);
		put_name(b + PROTO_SNAPSHOT_FIXED_LEN, g->group);
		for (i = 0; i < g->count; i++) {
			put_binding(e, &g->entries[i].b);
			e[PROTO_SNAPSHOT_ENTRY_LEN] = g->entries[i].ch.count;
			memset(e + PROTO_SNAPSHOT_ENTRY_LEN + 1, 0, 3);
			put_choices(e + PROTO_GSNAP_ENTRY_MIN_LEN, &g->entries[i].ch);
			e += proto_gsnap_entry_len(&g->entries[i]);
		}
		break;
	}
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

/* A name field: whatever follows the first NUL must be NUL too, so one
 * name has one spelling on the wire (what the MAC covers is what is
 * compared).  The characters are checked with the rest (check_msg()). */
static int get_name(char *out, const __u8 *p)
{
	size_t n = strnlen((const char *)p, PROTO_NAME_LEN), i;

	for (i = n; i < PROTO_NAME_LEN; i++)
		if (p[i])
			return -PROTO_R_BAD_FIELD;
	memcpy(out, p, PROTO_NAME_LEN);
	out[PROTO_NAME_LEN - 1] = '\0';
	if (n == PROTO_NAME_LEN)         /* no NUL at all: too long */
		return -PROTO_R_BAD_FIELD;
	return 0;
}

/* count choices at p, with avail bytes of them: exactly as many bytes. */
static int get_choices(struct proto_choices *ch, __u8 count, const __u8 *p, size_t avail)
{
	int i;

	if (count > PROTO_MAX_CHOICES || avail < (size_t)count * PROTO_CHOICE_LEN)
		return -PROTO_R_BAD_FIELD;
	ch->count = count;
	for (i = 0; i < count; i++, p += PROTO_CHOICE_LEN) {
		get_addr(&ch->c[i].vip, p);
		ch->c[i].port = get16(p + 16);
		ch->c[i].proto = p[18];
		if (p[19] || get_name(ch->c[i].backend, p + 20))
			return -PROTO_R_BAD_FIELD;
	}
	return 0;
}

/* The group block at p, and nothing after it: rest bytes from p to the
 * end of the body. */
static int get_group(char *group, struct proto_choices *ch, const __u8 *p, size_t rest)
{
	if (rest < PROTO_GROUP_BLOCK_LEN || get_name(group, p) ||
	    p[PROTO_NAME_LEN + 1] || p[PROTO_NAME_LEN + 2] || p[PROTO_NAME_LEN + 3])
		return -PROTO_R_BAD_FIELD;
	if (rest != PROTO_GROUP_BLOCK_LEN + (size_t)p[PROTO_NAME_LEN] * PROTO_CHOICE_LEN)
		return -PROTO_R_BAD_FIELD;
	return get_choices(ch, p[PROTO_NAME_LEN], p + PROTO_GROUP_BLOCK_LEN,
			   rest - PROTO_GROUP_BLOCK_LEN);
}

static void get_subscribe(struct proto_subscribe *s, const __u8 *b)
{
	get_addr(&s->home, b);
	get_addr(&s->reply_addr, b + 16);
	s->reply_port = get16(b + 32);
	s->snapshot_interval_s = get16(b + 34);
	s->lifetime_s = get32(b + 36);
}

static void get_notify(struct proto_notify *n, const __u8 *b)
{
	get_addr(&n->home, b);
	get_addr(&n->coa, b + 16);
	get_addr(&n->old_coa, b + 32);
	n->flags = b[48];
	n->binding_seq = get16(b + 50);
	n->lifetime_s = get32(b + 52);
}

/* GROUP_SNAPSHOT: entries of varying length that must fill the body
 * exactly. */
static int get_group_snapshot(struct proto_group_snapshot *g, const __u8 *b, size_t body_len)
{
	const __u8 *e, *end = b + body_len;
	int i, rc;

	if (body_len < PROTO_GSNAP_FIXED_LEN)
		return -PROTO_R_BAD_FIELD;
	g->count = get16(b);
	g->part = b[2];
	g->flags = b[3];
	g->snapshot_id = get32(b + 4);
	if (g->count > PROTO_GSNAP_MAX || get_name(g->group, b + PROTO_SNAPSHOT_FIXED_LEN))
		return -PROTO_R_BAD_FIELD;
	e = b + PROTO_GSNAP_FIXED_LEN;
	for (i = 0; i < g->count; i++) {
		struct proto_group_entry *x = &g->entries[i];

		if ((size_t)(end - e) < PROTO_GSNAP_ENTRY_MIN_LEN || get16(e + 38) ||
		    e[41] || e[42] || e[43])
			return -PROTO_R_BAD_FIELD;
		get_binding(&x->b, e);
		rc = get_choices(&x->ch, e[40], e + PROTO_GSNAP_ENTRY_MIN_LEN,
				 (size_t)(end - e) - PROTO_GSNAP_ENTRY_MIN_LEN);
		if (rc)
			return rc;
		e += proto_gsnap_entry_len(x);
	}
	return e == end ? 0 : -PROTO_R_BAD_FIELD;
}

/* Header fields and body of a message check_header() passed. */
static int parse_body(const __u8 *buf, struct proto_msg *out)
{
	const __u8 *b = buf + PROTO_HDR_LEN;
	size_t body_len = get16(buf + OFF_BODY_LEN);
	size_t i, want;
	int rc;

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
		get_subscribe(&out->subscribe, b);
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
		get_notify(&out->notify, b);
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
	case PROTO_GROUP_SUBSCRIBE: {
		struct proto_group_subscribe *g = &out->group_subscribe;

		if (body_len < PROTO_GROUP_SUBSCRIBE_MIN_LEN)
			return -PROTO_R_BAD_FIELD;
		get_subscribe(&g->sub, b);
		rc = get_group(g->group, &g->ch, b + PROTO_SUBSCRIBE_LEN,
			       body_len - PROTO_SUBSCRIBE_LEN);
		if (rc)
			return rc;
		break;
	}
	case PROTO_GROUP_NOTIFY: {
		struct proto_group_notify *g = &out->group_notify;

		if (body_len < PROTO_GROUP_NOTIFY_MIN_LEN || b[49])
			return -PROTO_R_BAD_FIELD;
		get_notify(&g->nt, b);
		rc = get_group(g->group, &g->ch, b + PROTO_NOTIFY_LEN, body_len - PROTO_NOTIFY_LEN);
		if (rc)
			return rc;
		break;
	}
	case PROTO_GROUP_SNAPSHOT:
		rc = get_group_snapshot(&out->group_snapshot, b, body_len);
		if (rc)
			return rc;
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
