// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The binding-notification protocol: codec round trips, the MAC, and the
 * receiver's acceptance policy one rejection reason at a time, checking
 * that a rejection changes nothing but its own counter.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>
#include <json-c/json.h>
#include "harness.h"
#include "agent.h"
#include "config.h"
#include "notify_priv.h"      /* struct npeer, notify_peer_serves() */
#include "peer_config.h"
#include "peer_link.h"
#include "proto.h"

#define SENDER   0x0a0b0c0dU
#define KEY_ID   7U
#define SEQ      1700000000000000ULL   /* µs, as a sender seeds it */
#define NOW_MS   1700000000000ULL

static __u8 key32[32];                 /* 00 01 .. 1f: docs/protocol.md */
static __u8 key64[64];
static __u8 other_key[32];

static void keys_setup(void)
{
	int i;

	ck_assert_int_eq(proto_init(), 0);
	for (i = 0; i < 32; i++) {
		key32[i] = i;
		other_key[i] = 0xa5 ^ i;
	}
	for (i = 0; i < 64; i++)
		key64[i] = 0x40 + i;
}

static void addr(struct in6_addr *a, const char *text)
{
	ck_assert_int_eq(inet_pton(AF_INET6, text, a), 1);
}

/* ---- one valid message per case -------------------------------------- */

enum msg_case {
	MC_SUBSCRIBE,
	MC_SUBSCRIBE_DEFAULT_REPLY,
	MC_SUBSCRIBE_ACK,
	MC_NOTIFY,
	MC_NOTIFY_NO_OLD,
	MC_NOTIFY_DEREG,
	MC_SNAPSHOT_EMPTY,
	MC_SNAPSHOT_ONE,
	MC_SNAPSHOT_FULL,
	MC_UNSUBSCRIBE,
	MC_SUBSCRIBE_ACK_NO_BINDING,
	MC_GROUP_SUBSCRIBE,
	MC_GROUP_SUBSCRIBE_NONE,
	MC_GROUP_NOTIFY_MAX,
	MC_GROUP_SNAPSHOT_EMPTY,
	MC_GROUP_SNAPSHOT_MIXED,
	MC_GROUP_SNAPSHOT_FULL,
	MC_MAX,
};

static const struct {
	const char *name;
	__u8 type;
	int len;                       /* expected wire length */
} msg_cases[MC_MAX] = {
	[MC_SUBSCRIBE]              = { "subscribe",          PROTO_SUBSCRIBE,        64 + 40 },
	[MC_SUBSCRIBE_DEFAULT_REPLY] = { "subscribe :: port 0", PROTO_SUBSCRIBE,      64 + 40 },
	[MC_SUBSCRIBE_ACK]          = { "subscribe_ack",      PROTO_SUBSCRIBE_ACK,    64 + 32 },
	[MC_NOTIFY]                 = { "notify old coa",     PROTO_BINDING_NOTIFY,   64 + 56 },
	[MC_NOTIFY_NO_OLD]          = { "notify no old coa",  PROTO_BINDING_NOTIFY,   64 + 56 },
	[MC_NOTIFY_DEREG]           = { "notify lifetime 0",  PROTO_BINDING_NOTIFY,   64 + 56 },
	[MC_SNAPSHOT_EMPTY]         = { "snapshot 0",         PROTO_BINDING_SNAPSHOT, 64 + 8 },
	[MC_SNAPSHOT_ONE]           = { "snapshot 1",         PROTO_BINDING_SNAPSHOT, 64 + 8 + 40 },
	[MC_SNAPSHOT_FULL]          = { "snapshot max",       PROTO_BINDING_SNAPSHOT,
					64 + 8 + 40 * PROTO_SNAPSHOT_MAX },
	[MC_UNSUBSCRIBE]            = { "unsubscribe",        PROTO_UNSUBSCRIBE,      64 + 16 },
	[MC_SUBSCRIBE_ACK_NO_BINDING] = { "subscribe_ack no_binding", PROTO_SUBSCRIBE_ACK, 64 + 32 },
	[MC_GROUP_SUBSCRIBE]        = { "group_subscribe 2 choices", PROTO_GROUP_SUBSCRIBE,
					64 + 40 + 36 + 2 * 52 },
	[MC_GROUP_SUBSCRIBE_NONE]   = { "group_subscribe no choice", PROTO_GROUP_SUBSCRIBE,
					64 + 40 + 36 },
	[MC_GROUP_NOTIFY_MAX]       = { "group_notify 4 choices", PROTO_GROUP_NOTIFY,
					64 + 56 + 36 + 4 * 52 },
	[MC_GROUP_SNAPSHOT_EMPTY]   = { "group_snapshot 0", PROTO_GROUP_SNAPSHOT, 64 + 40 },
	[MC_GROUP_SNAPSHOT_MIXED]   = { "group_snapshot 0,1,4 choices", PROTO_GROUP_SNAPSHOT,
					64 + 40 + 3 * 44 + 5 * 52 },
	[MC_GROUP_SNAPSHOT_FULL]    = { "group_snapshot max", PROTO_GROUP_SNAPSHOT,
					64 + 40 + 44 * PROTO_GSNAP_MAX },
};

/* n choices for services [2001:db8:80::80]:443+i/tcp, backends be-<i>. */
static void make_choices(struct proto_choices *ch, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		addr(&ch->c[i].vip, "2001:db8:80::80");
		ch->c[i].proto = i == 3 ? 0 : i == 2 ? IPPROTO_UDP : IPPROTO_TCP;
		ch->c[i].port = i == 3 ? 0 : 443 + i;
		snprintf(ch->c[i].backend, PROTO_NAME_LEN, "be-%d%s", i,
			 i == 1 ? "_long.name-of-31-chars-xx" : "");
	}
	ch->count = n;
}

static void make_msg(int c, struct proto_msg *m)
{
	char text[64];
	int i;

	memset(m, 0, sizeof(*m));
	m->type = msg_cases[c].type;
	m->version = PROTO_VERSION;
	m->sender_id = SENDER;
	m->key_id = KEY_ID;
	m->seq = SEQ;
	m->timestamp_ms = NOW_MS;

	switch (c) {
	case MC_SUBSCRIBE:
		addr(&m->subscribe.home, "2001:db8:1::100");
		addr(&m->subscribe.reply_addr, "2001:db8:f::1");
		m->subscribe.reply_port = PROTO_DEFAULT_PORT;
		m->subscribe.snapshot_interval_s = 60;
		m->subscribe.lifetime_s = 600;
		break;
	case MC_SUBSCRIBE_DEFAULT_REPLY:
		addr(&m->subscribe.home, "2001:db8:1::100");
		m->subscribe.lifetime_s = PROTO_MAX_SUB_LIFETIME_S;
		break;
	case MC_SUBSCRIBE_ACK:
		addr(&m->subscribe_ack.home, "2001:db8:1::100");
		m->subscribe_ack.ack_seq = SEQ - 5;
		m->subscribe_ack.status = PROTO_SUB_UNKNOWN;
		m->subscribe_ack.snapshot_interval_s = 120;
		m->subscribe_ack.lifetime_s = 300;
		break;
	case MC_NOTIFY:
		addr(&m->notify.home, "2001:db8:1::100");
		addr(&m->notify.coa, "2001:db8:ffff::42");
		addr(&m->notify.old_coa, "2001:db8:fffe::42");
		m->notify.flags = PROTO_NOTIFY_F_OLD_COA;
		m->notify.binding_seq = 1000;
		m->notify.lifetime_s = 14400;
		break;
	case MC_NOTIFY_NO_OLD:
		addr(&m->notify.home, "2001:db8:1::100");
		addr(&m->notify.coa, "2001:db8:ffff::42");
		m->notify.binding_seq = 0xffff;
		m->notify.lifetime_s = PROTO_MAX_LIFETIME_S;
		break;
	case MC_NOTIFY_DEREG:
		/* RFC 6275 §6.1.7: returning home, CoA = home, lifetime 0. */
		addr(&m->notify.home, "2001:db8:1::100");
		addr(&m->notify.coa, "2001:db8:1::100");
		m->notify.binding_seq = 7;
		break;
	case MC_SNAPSHOT_EMPTY:
		m->snapshot.snapshot_id = 99;
		break;
	case MC_SNAPSHOT_ONE:
	case MC_SNAPSHOT_FULL:
		m->snapshot.snapshot_id = 0xdeadbeef;
		m->snapshot.part = 3;
		m->snapshot.flags = PROTO_SNAPSHOT_F_MORE;
		m->snapshot.count = c == MC_SNAPSHOT_ONE ? 1 : PROTO_SNAPSHOT_MAX;
		for (i = 0; i < m->snapshot.count; i++) {
			snprintf(text, sizeof(text), "2001:db8:1::%x", i + 1);
			addr(&m->snapshot.entries[i].home, text);
			snprintf(text, sizeof(text), "2001:db8:ff::%x", i + 1);
			addr(&m->snapshot.entries[i].coa, text);
			m->snapshot.entries[i].lifetime_s = 4 * i;
			m->snapshot.entries[i].binding_seq = 65530 + i;
		}
		break;
	case MC_UNSUBSCRIBE:
		addr(&m->unsubscribe.home, "2001:db8:1::100");
		break;
	case MC_SUBSCRIBE_ACK_NO_BINDING:
		/* Not subscribed: nothing granted. */
		addr(&m->subscribe_ack.home, "2001:db8:1::100");
		m->subscribe_ack.ack_seq = SEQ - 1;
		m->subscribe_ack.status = PROTO_SUB_NO_BINDING;
		break;
	case MC_GROUP_SUBSCRIBE:
	case MC_GROUP_SUBSCRIBE_NONE:
		addr(&m->group_subscribe.sub.home, "2001:db8:1::100");
		m->group_subscribe.sub.snapshot_interval_s = 30;
		m->group_subscribe.sub.lifetime_s = 3600;
		strcpy(m->group_subscribe.group, "lb-web");
		make_choices(&m->group_subscribe.ch, c == MC_GROUP_SUBSCRIBE ? 2 : 0);
		break;
	case MC_GROUP_NOTIFY_MAX:
		addr(&m->group_notify.nt.home, "2001:db8:1::100");
		addr(&m->group_notify.nt.coa, "2001:db8:ffff::42");
		addr(&m->group_notify.nt.old_coa, "2001:db8:fffe::42");
		m->group_notify.nt.flags = PROTO_NOTIFY_F_OLD_COA;
		m->group_notify.nt.binding_seq = 1000;
		m->group_notify.nt.lifetime_s = 14400;
		/* 31 characters: the longest name. */
		strcpy(m->group_notify.group, "group.name_of-31-characters.xyz");
		make_choices(&m->group_notify.ch, PROTO_MAX_CHOICES);
		break;
	case MC_GROUP_SNAPSHOT_EMPTY:
	case MC_GROUP_SNAPSHOT_MIXED:
	case MC_GROUP_SNAPSHOT_FULL:
		strcpy(m->group_snapshot.group, "lb-web");
		m->group_snapshot.snapshot_id = 0xfeedface;
		m->group_snapshot.part = 1;
		m->group_snapshot.count = c == MC_GROUP_SNAPSHOT_EMPTY ? 0 :
					  c == MC_GROUP_SNAPSHOT_MIXED ? 3 : PROTO_GSNAP_MAX;
		for (i = 0; i < m->group_snapshot.count; i++) {
			struct proto_group_entry *e = &m->group_snapshot.entries[i];

			snprintf(text, sizeof(text), "2001:db8:1::%x", i + 1);
			addr(&e->b.home, text);
			snprintf(text, sizeof(text), "2001:db8:ff::%x", i + 1);
			addr(&e->b.coa, text);
			e->b.lifetime_s = 4 * i;
			e->b.binding_seq = 65530 + i;
			if (c == MC_GROUP_SNAPSHOT_MIXED)
				make_choices(&e->ch, i == 0 ? 0 : i == 1 ? 1 : 4);
		}
		break;
	}
}

static int encode_case(int c, __u8 *buf)
{
	struct proto_msg m;
	int len;

	make_msg(c, &m);
	len = proto_encode(&m, key32, sizeof(key32), buf, PROTO_MAX_MSG);
	ck_assert_int_eq(len, msg_cases[c].len);
	return len;
}

static void peer_setup(struct proto_peer_state *p)
{
	ck_assert_int_eq(proto_peer_init(p, SENDER, KEY_ID, key32, sizeof(key32)), 0);
}

static __u64 sum_rejected(const struct proto_peer_state *p)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < PROTO_REASON_MAX; i++)
		n += p->rejected[i];
	return n;
}

/* ---- codec ------------------------------------------------------------ */

START_TEST(test_roundtrip)
{
	struct proto_msg in, out, acc;
	struct proto_peer_state p;
	__u8 buf[PROTO_MAX_MSG];
	int len;

	make_msg(_i, &in);
	len = encode_case(_i, buf);
	ck_assert_int_eq(buf[3], msg_cases[_i].type);
	ck_assert_int_eq(proto_decode(buf, len, &out), 0);
	ck_assert_mem_eq(&in, &out, sizeof(in));

	peer_setup(&p);
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &acc), 0);
	ck_assert_mem_eq(&in, &acc, sizeof(in));
	ck_assert_uint_eq(p.last_seq, SEQ);
	ck_assert_uint_eq(p.accepted, 1);
	ck_assert_uint_eq(sum_rejected(&p), 0);
}
END_TEST

/* no_binding (issue 12) is status 4 on the wire, right after the ack
 * sequence, with nothing granted; the first value past it is refused. */
START_TEST(test_no_binding_ack)
{
	struct proto_msg out;
	__u8 buf[PROTO_MAX_MSG];
	int len;

	len = encode_case(MC_SUBSCRIBE_ACK_NO_BINDING, buf);
	ck_assert_uint_eq(buf[PROTO_HDR_LEN + 24], 4);
	ck_assert_uint_eq(buf[PROTO_HDR_LEN + 26] | buf[PROTO_HDR_LEN + 27], 0);
	ck_assert_int_eq(proto_decode(buf, len, &out), 0);
	ck_assert_uint_eq(out.subscribe_ack.status, PROTO_SUB_NO_BINDING);
	ck_assert_uint_eq(out.subscribe_ack.lifetime_s, 0);
	ck_assert_str_eq(proto_sub_status_name(PROTO_SUB_NO_BINDING), "no_binding");
	ck_assert_int_eq(PROTO_SUB_STATUS_MAX, PROTO_SUB_NO_BINDING + 1);
}
END_TEST

/* The MAC is standard HMAC-SHA256 over everything before it: libsodium's
 * one-shot API (32-byte keys) and its verifier agree with proto_sign(). */
START_TEST(test_hmac)
{
	struct proto_peer_state p;
	struct proto_msg m, out;
	__u8 buf[PROTO_MAX_MSG], mac[PROTO_MAC_LEN];
	int len;

	len = encode_case(MC_NOTIFY, buf);
	crypto_auth_hmacsha256(mac, buf, len - PROTO_MAC_LEN, key32);
	ck_assert_mem_eq(mac, buf + len - PROTO_MAC_LEN, PROTO_MAC_LEN);
	ck_assert_int_eq(crypto_auth_hmacsha256_verify(buf + len - PROTO_MAC_LEN,
						       buf, len - PROTO_MAC_LEN, key32), 0);
	ck_assert_int_eq(proto_verify(buf, len, key32, sizeof(key32)), 0);
	ck_assert_int_eq(proto_verify(buf, len, other_key, sizeof(other_key)), -EBADMSG);
	ck_assert_int_eq(proto_verify(buf, PROTO_MIN_MSG - 1, key32, sizeof(key32)), -EBADMSG);
	ck_assert_int_eq(proto_verify(buf, len, key32, PROTO_KEY_MIN - 1), -EINVAL);

	/* A 64-byte secret (the longest allowed) works end to end. */
	make_msg(MC_NOTIFY, &m);
	len = proto_encode(&m, key64, sizeof(key64), buf, sizeof(buf));
	ck_assert_int_eq(len, msg_cases[MC_NOTIFY].len);
	ck_assert_int_eq(proto_verify(buf, len, key64, sizeof(key64)), 0);
	ck_assert_int_eq(proto_verify(buf, len, key64, 63), -EBADMSG);
	ck_assert_int_eq(proto_peer_init(&p, SENDER, KEY_ID, key64, sizeof(key64)), 0);
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);
}
END_TEST

/* docs/protocol.md's example, byte for byte, under key 00 01 .. 1f. */
static const __u8 doc_example[] = {
	0x4d, 0x36, 0x01, 0x03, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x0a, 0x24, 0x18, 0x1e, 0x40, 0x00,
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x42, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xfe, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x42, 0x01, 0x00, 0x03, 0xe8,
	0x00, 0x00, 0x38, 0x40, 0x79, 0x9d, 0x2f, 0x9d, 0xd2, 0xf0, 0xc0, 0xcd,
	0x7f, 0x32, 0x90, 0x12, 0x4c, 0x90, 0x70, 0xa7, 0x8b, 0xd6, 0xbf, 0xce,
	0x92, 0x36, 0xbd, 0x60, 0x89, 0x83, 0x6c, 0xcb, 0x18, 0x09, 0x58, 0x00,
};

START_TEST(test_doc_example)
{
	struct proto_msg m;
	__u8 buf[PROTO_MAX_MSG];

	make_msg(MC_NOTIFY, &m);
	m.sender_id = 1;
	m.key_id = 1;
	ck_assert_int_eq(proto_encode(&m, key32, sizeof(key32), buf, sizeof(buf)),
			 sizeof(doc_example));
	ck_assert_mem_eq(buf, doc_example, sizeof(doc_example));
}
END_TEST

START_TEST(test_encode_errors)
{
	struct proto_msg m;
	__u8 buf[PROTO_MAX_MSG];

	make_msg(MC_NOTIFY, &m);
	ck_assert_int_eq(proto_encode(&m, key32, sizeof(key32), buf,
				      msg_cases[MC_NOTIFY].len - 1), -ENOSPC);
	ck_assert_int_eq(proto_encode(&m, key32, PROTO_KEY_MIN - 1, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(proto_encode(&m, key64, PROTO_KEY_MAX + 1, buf, sizeof(buf)), -EINVAL);
	m.type = PROTO_TYPE_MAX;
	ck_assert_int_eq(proto_encode(&m, key32, sizeof(key32), buf, sizeof(buf)), -EINVAL);
	make_msg(MC_SNAPSHOT_FULL, &m);
	m.snapshot.count = PROTO_SNAPSHOT_MAX + 1;
	ck_assert_int_eq(proto_encode(&m, key32, sizeof(key32), buf, sizeof(buf)), -EINVAL);
	/* A full snapshot fills the message to within one entry. */
	ck_assert_int_le(msg_cases[MC_SNAPSHOT_FULL].len, PROTO_MAX_MSG);
	ck_assert_int_gt(msg_cases[MC_SNAPSHOT_FULL].len + PROTO_SNAPSHOT_ENTRY_LEN, PROTO_MAX_MSG);
}
END_TEST

/* The encoder refuses what the receiver would refuse as bad_field, so a
 * sender cannot emit a message its peer will drop. */
static void enc_lifetime(struct proto_msg *m) { m->notify.lifetime_s = PROTO_MAX_LIFETIME_S + 1; }
static void enc_home_zero(struct proto_msg *m) { memset(&m->notify.home, 0, 16); }
static void enc_coa_mcast(struct proto_msg *m) { addr(&m->notify.coa, "ff02::1"); }
static void enc_old_without_flag(struct proto_msg *m) { m->notify.flags = 0; }
static void enc_flag_without_old(struct proto_msg *m) { memset(&m->notify.old_coa, 0, 16); }
static void enc_hdr_flags(struct proto_msg *m) { m->flags = 1; }
static void enc_sub_lifetime0(struct proto_msg *m) { m->subscribe.lifetime_s = 0; }
static void enc_sub_reply_mcast(struct proto_msg *m) { addr(&m->subscribe.reply_addr, "ff05::2"); }
static void enc_ack_status(struct proto_msg *m) { m->subscribe_ack.status = PROTO_SUB_STATUS_MAX; }
static void enc_unsub_loopback(struct proto_msg *m) { addr(&m->unsubscribe.home, "::1"); }
static void enc_snap_entry(struct proto_msg *m) { memset(&m->snapshot.entries[0].coa, 0, 16); }

static const struct {
	const char *name;
	int c;
	void (*mutate)(struct proto_msg *m);
} enc_rules[] = {
	{ "notify lifetime > 0xffff units", MC_NOTIFY,        enc_lifetime },
	{ "notify home ::",                 MC_NOTIFY,        enc_home_zero },
	{ "notify coa multicast",           MC_NOTIFY,        enc_coa_mcast },
	{ "old coa set, flag clear",        MC_NOTIFY,        enc_old_without_flag },
	{ "flag set, old coa ::",           MC_NOTIFY,        enc_flag_without_old },
	{ "header flags",                   MC_NOTIFY,        enc_hdr_flags },
	{ "subscribe lifetime 0",           MC_SUBSCRIBE,     enc_sub_lifetime0 },
	{ "subscribe reply multicast",      MC_SUBSCRIBE,     enc_sub_reply_mcast },
	{ "ack status",                     MC_SUBSCRIBE_ACK, enc_ack_status },
	{ "unsubscribe ::1",                MC_UNSUBSCRIBE,   enc_unsub_loopback },
	{ "snapshot entry coa ::",          MC_SNAPSHOT_ONE,  enc_snap_entry },
};

START_TEST(test_encode_refuses_bad_fields)
{
	struct proto_msg m;
	__u8 buf[PROTO_MAX_MSG];

	make_msg(enc_rules[_i].c, &m);
	enc_rules[_i].mutate(&m);
	ck_assert_msg(proto_encode(&m, key32, sizeof(key32), buf, sizeof(buf)) == -EINVAL,
		      "%s: encoded", enc_rules[_i].name);
}
END_TEST

/* ---- receiver: every reason ------------------------------------------ */

/* Reject buf[0..len) with reason; nothing but that counter moves. */
static void expect_reject(struct proto_peer_state *p, const __u8 *buf, size_t len,
			  __u64 now, int reason, const char *what)
{
	struct proto_peer_state before = *p;
	struct proto_msg out;
	int rc = proto_accept(p, buf, len, now, &out);

	ck_assert_msg(rc == -reason, "%s: got %d (%s), want %s", what, rc,
		      proto_reason_name(rc), proto_reason_name(reason));
	before.rejected[reason]++;
	ck_assert_msg(!memcmp(&before, p, sizeof(before)),
		      "%s: peer state changed beyond rejected[%s]", what,
		      proto_reason_name(reason));
}

/* A one-bit flip anywhere, in every message type, is refused, and the
 * peer's sequence and accepted count stay as they were. */
START_TEST(test_bitflip_every_bit)
{
	struct proto_peer_state p;
	struct proto_msg out;
	__u8 buf[PROTO_MAX_MSG];
	int len, bit;

	len = encode_case(_i, buf);
	peer_setup(&p);
	for (bit = 0; bit < len * 8; bit++) {
		__u64 rejected = sum_rejected(&p);
		int rc;

		buf[bit / 8] ^= 1 << (bit % 8);
		rc = proto_accept(&p, buf, len, NOW_MS, &out);
		buf[bit / 8] ^= 1 << (bit % 8);
		ck_assert_msg(rc < 0, "%s: flipped bit %d accepted",
			      msg_cases[_i].name, bit);
		ck_assert_uint_eq(p.last_seq, 0);
		ck_assert_uint_eq(p.accepted, 0);
		ck_assert_uint_eq(sum_rejected(&p), rejected + 1);
		/* Bits the MAC alone protects must fail as bad_mac, not
		 * something a forger could learn from. */
		if (bit / 8 >= 16)
			ck_assert_msg(rc == -PROTO_R_BAD_MAC, "%s: bit %d: %s",
				      msg_cases[_i].name, bit, proto_reason_name(rc));
	}
	/* The untouched original is still good. */
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);
	ck_assert_uint_eq(p.last_seq, SEQ);
}
END_TEST

START_TEST(test_wrong_key)
{
	struct proto_peer_state p;
	__u8 buf[PROTO_MAX_MSG];
	int len = encode_case(MC_NOTIFY, buf);

	ck_assert_int_eq(proto_peer_init(&p, SENDER, KEY_ID, other_key, sizeof(other_key)), 0);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_BAD_MAC, "other key");
	ck_assert_int_eq(proto_peer_init(&p, SENDER, KEY_ID, key64, 32 + 1), 0);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_BAD_MAC, "33-byte key");
}
END_TEST

START_TEST(test_unknown_key)
{
	struct proto_peer_state p;
	__u8 buf[PROTO_MAX_MSG];
	int len = encode_case(MC_NOTIFY, buf);

	ck_assert_int_eq(proto_peer_init(&p, SENDER, KEY_ID + 1, key32, sizeof(key32)), 0);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_UNKNOWN_KEY, "other key id");
	ck_assert_int_eq(proto_peer_init(&p, SENDER + 1, KEY_ID, key32, sizeof(key32)), 0);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_UNKNOWN_KEY, "other sender");
}
END_TEST

static int encode_seq(int c, __u64 seq, __u64 ts, __u8 *buf)
{
	struct proto_msg m;

	make_msg(c, &m);
	m.seq = seq;
	m.timestamp_ms = ts;
	return proto_encode(&m, key32, sizeof(key32), buf, PROTO_MAX_MSG);
}

START_TEST(test_replay_and_order)
{
	struct proto_peer_state p;
	struct proto_msg out;
	__u8 buf[PROTO_MAX_MSG];
	int len;

	peer_setup(&p);
	len = encode_seq(MC_NOTIFY, 100, NOW_MS, buf);
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_REPLAY, "same message again");
	expect_reject(&p, buf, len, NOW_MS + 1000, PROTO_R_REPLAY, "same message later");

	len = encode_seq(MC_NOTIFY, 99, NOW_MS, buf);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_REPLAY, "older sequence");
	len = encode_seq(MC_NOTIFY, 0, NOW_MS, buf);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_REPLAY, "sequence 0");

	len = encode_seq(MC_NOTIFY, 101, NOW_MS, buf);
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);
	ck_assert_uint_eq(p.last_seq, 101);
	/* Gaps are fine: loss must not wedge the receiver. */
	len = encode_seq(MC_NOTIFY, 5000, NOW_MS, buf);
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);
	ck_assert_uint_eq(p.last_seq, 5000);
	ck_assert_uint_eq(p.accepted, 3);
	ck_assert_uint_eq(p.rejected[PROTO_R_REPLAY], 4);
}
END_TEST

/* The sequence only advances on full acceptance: neither a forgery nor a
 * well-MACed message with a bad field, both with huge sequence numbers,
 * locks out the sender's next genuine message. */
START_TEST(test_seq_advances_only_on_accept)
{
	struct proto_peer_state p;
	struct proto_msg m, out;
	__u8 buf[PROTO_MAX_MSG];
	int len;

	peer_setup(&p);
	len = encode_seq(MC_NOTIFY, UINT64_MAX, NOW_MS, buf);
	buf[len - 1] ^= 0x01;
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_BAD_MAC, "forged max seq");

	len = encode_seq(MC_NOTIFY, UINT64_MAX - 1, NOW_MS, buf);
	buf[PROTO_HDR_LEN + 52] = 0xff;             /* lifetime_s high byte */
	ck_assert_int_eq(proto_sign(buf, len, key32, sizeof(key32)), 0);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_BAD_FIELD, "bad field, high seq");

	len = encode_seq(MC_NOTIFY, UINT64_MAX - 2, NOW_MS - 60000, buf);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_STALE_TIMESTAMP, "stale, high seq");

	len = encode_seq(MC_NOTIFY, 2, NOW_MS, buf);
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);
	make_msg(MC_NOTIFY, &m);
	m.seq = 2;
	ck_assert_mem_eq(&m, &out, sizeof(m));
}
END_TEST

static const struct {
	const char *name;
	__s64 offset_ms;               /* message timestamp - receiver clock */
	__u32 window_ms;
	int reason;                    /* 0 = accepted */
} ts_cases[] = {
	{ "on time",                 0,       PROTO_DEFAULT_WINDOW_MS, 0 },
	{ "window edge, past",       -30000,  PROTO_DEFAULT_WINDOW_MS, 0 },
	{ "window edge, future",     30000,   PROTO_DEFAULT_WINDOW_MS, 0 },
	{ "1 ms too old",            -30001,  PROTO_DEFAULT_WINDOW_MS, PROTO_R_STALE_TIMESTAMP },
	{ "1 ms too far ahead",      30001,   PROTO_DEFAULT_WINDOW_MS, PROTO_R_STALE_TIMESTAMP },
	{ "an hour old",             -3600000, PROTO_DEFAULT_WINDOW_MS, PROTO_R_STALE_TIMESTAMP },
	{ "a day ahead",             86400000, PROTO_DEFAULT_WINDOW_MS, PROTO_R_STALE_TIMESTAMP },
	{ "narrow window, inside",   -1000,   1000, 0 },
	{ "narrow window, outside",  -1001,   1000, PROTO_R_STALE_TIMESTAMP },
	{ "zero window, exact",      0,       0,    0 },
	{ "zero window, 1 ms ahead", 1,       0,    PROTO_R_STALE_TIMESTAMP },
};

START_TEST(test_timestamp_window)
{
	struct proto_peer_state p;
	struct proto_msg out;
	__u8 buf[PROTO_MAX_MSG];
	int len;

	peer_setup(&p);
	p.window_ms = ts_cases[_i].window_ms;
	len = encode_seq(MC_NOTIFY, SEQ, NOW_MS + ts_cases[_i].offset_ms, buf);
	if (ts_cases[_i].reason)
		expect_reject(&p, buf, len, NOW_MS, ts_cases[_i].reason, ts_cases[_i].name);
	else
		ck_assert_msg(proto_accept(&p, buf, len, NOW_MS, &out) == 0,
			      "%s: rejected", ts_cases[_i].name);
	ck_assert_uint_eq(p.accepted + sum_rejected(&p), 1);
}
END_TEST

START_TEST(test_truncation_every_length)
{
	struct proto_peer_state p;
	struct proto_msg out;
	__u8 buf[PROTO_MAX_MSG];
	int len, l;

	len = encode_case(_i, buf);
	peer_setup(&p);
	for (l = 0; l < len; l++) {
		/* A heap copy of exactly l bytes: an over-read is an ASan or
		 * valgrind error, not a silent pass. */
		__u8 *cut = malloc(l ? l : 1);

		ck_assert_ptr_nonnull(cut);
		memcpy(cut, buf, l);
		ck_assert_int_eq(proto_decode(cut, l, &out), -PROTO_R_TRUNCATED);
		ck_assert_int_eq(proto_peek(cut, l, NULL, NULL), -PROTO_R_TRUNCATED);
		expect_reject(&p, cut, l, NOW_MS, PROTO_R_TRUNCATED, msg_cases[_i].name);
		free(cut);
	}
	ck_assert_uint_eq(p.rejected[PROTO_R_TRUNCATED], len);
}
END_TEST

START_TEST(test_oversized)
{
	struct proto_peer_state p;
	__u8 buf[PROTO_MAX_MSG + 64];
	int len;

	peer_setup(&p);
	len = encode_case(MC_NOTIFY, buf);
	/* One trailing byte, re-MACed over everything but the last 32. */
	buf[len] = 0;
	ck_assert_int_eq(proto_sign(buf, len + 1, key32, sizeof(key32)), 0);
	expect_reject(&p, buf, len + 1, NOW_MS, PROTO_R_OVERSIZED, "trailing byte");
	/* Over PROTO_MAX_MSG whatever the header says. */
	memset(buf + len, 0, sizeof(buf) - len);
	expect_reject(&p, buf, PROTO_MAX_MSG + 1, NOW_MS, PROTO_R_OVERSIZED, "1233 bytes");
	expect_reject(&p, buf, sizeof(buf), NOW_MS, PROTO_R_OVERSIZED, "1296 bytes");
	ck_assert_uint_eq(p.rejected[PROTO_R_OVERSIZED], 3);
}
END_TEST

/* Header patches that must be refused before the MAC is even checked;
 * each is re-MACed with the right key so the reason is the real one. */
static const struct {
	const char *name;
	int off;
	__u8 val;
	int reason;
} hdr_cases[] = {
	{ "version 0",    2, 0,    PROTO_R_BAD_VERSION },
	{ "version 2",    2, 2,    PROTO_R_BAD_VERSION },
	{ "version 255",  2, 255,  PROTO_R_BAD_VERSION },
	{ "magic M7",     1, 0x37, PROTO_R_BAD_VERSION },
	{ "magic m6",     0, 0x6d, PROTO_R_BAD_VERSION },
	{ "type 0",       3, 0,    PROTO_R_BAD_TYPE },
	{ "first unassigned type", 3, PROTO_TYPE_MAX, PROTO_R_BAD_TYPE },
	{ "type 255",     3, 255,  PROTO_R_BAD_TYPE },
};

START_TEST(test_bad_header)
{
	struct proto_peer_state p;
	struct proto_msg out;
	__u8 buf[PROTO_MAX_MSG];
	int len;

	peer_setup(&p);
	len = encode_case(MC_NOTIFY, buf);
	buf[hdr_cases[_i].off] = hdr_cases[_i].val;
	ck_assert_int_eq(proto_sign(buf, len, key32, sizeof(key32)), 0);
	ck_assert_int_eq(proto_verify(buf, len, key32, sizeof(key32)), 0);
	expect_reject(&p, buf, len, NOW_MS, hdr_cases[_i].reason, hdr_cases[_i].name);
	ck_assert_int_eq(proto_decode(buf, len, &out), -hdr_cases[_i].reason);
}
END_TEST

/* Body and field patches, re-MACed: refused as bad_field only after the
 * MAC, timestamp and sequence checks passed. */
struct field_case {
	const char *name;
	int c;
	int off;                       /* from the start of the message */
	int n;                         /* bytes to write */
	__u8 val[16];
	int grow;                      /* body bytes to add (body_len and data) */
};

#define B PROTO_HDR_LEN
static const struct field_case field_cases[] = {
	{ "header flags",                MC_NOTIFY,   4, 1, { 0x01 }, 0 },
	{ "header reserved",             MC_NOTIFY,   5, 1, { 0x80 }, 0 },
	{ "notify home ::",              MC_NOTIFY,   B + 0, 16, { 0 }, 0 },
	{ "notify home ::1",             MC_NOTIFY,   B + 0, 16, { [15] = 1 }, 0 },
	{ "notify home multicast",       MC_NOTIFY,   B + 0, 1, { 0xff }, 0 },
	{ "notify coa ::",               MC_NOTIFY,   B + 16, 16, { 0 }, 0 },
	{ "notify coa multicast",        MC_NOTIFY,   B + 16, 2, { 0xff, 0x02 }, 0 },
	{ "old coa, flag clear",         MC_NOTIFY,   B + 48, 1, { 0 }, 0 },
	{ "flag set, old coa ::",        MC_NOTIFY,   B + 32, 16, { 0 }, 0 },
	{ "old coa multicast",           MC_NOTIFY,   B + 32, 1, { 0xff }, 0 },
	{ "notify unknown flag",         MC_NOTIFY,   B + 48, 1, { 0x81 }, 0 },
	{ "notify reserved",             MC_NOTIFY,   B + 49, 1, { 1 }, 0 },
	{ "lifetime 262141 s",           MC_NOTIFY,   B + 52, 4, { 0x00, 0x03, 0xff, 0xfd }, 0 },
	{ "lifetime 2^32-1 s",           MC_NOTIFY,   B + 52, 4, { 0xff, 0xff, 0xff, 0xff }, 0 },
	{ "notify body + 8",             MC_NOTIFY,   6, 2, { 0, PROTO_NOTIFY_LEN + 8 }, 8 },
	{ "notify as unsubscribe",       MC_NOTIFY,   3, 1, { PROTO_UNSUBSCRIBE }, 0 },
	{ "subscribe home ::",           MC_SUBSCRIBE, B + 0, 16, { 0 }, 0 },
	{ "subscribe reply multicast",   MC_SUBSCRIBE, B + 16, 1, { 0xff }, 0 },
	{ "subscribe lifetime 0",        MC_SUBSCRIBE, B + 36, 4, { 0 }, 0 },
	{ "subscribe lifetime 86401",    MC_SUBSCRIBE, B + 36, 4, { 0x00, 0x01, 0x51, 0x81 }, 0 },
	{ "ack status 5",                MC_SUBSCRIBE_ACK, B + 24, 1, { 5 }, 0 },
	{ "ack reserved",                MC_SUBSCRIBE_ACK, B + 25, 1, { 1 }, 0 },
	{ "ack lifetime 86401",          MC_SUBSCRIBE_ACK, B + 28, 4, { 0x00, 0x01, 0x51, 0x81 }, 0 },
	{ "ack home multicast",          MC_SUBSCRIBE_ACK, B + 0, 1, { 0xff }, 0 },
	{ "snapshot count 2, 1 entry",   MC_SNAPSHOT_ONE, B + 0, 2, { 0, 2 }, 0 },
	{ "snapshot count 0, 1 entry",   MC_SNAPSHOT_ONE, B + 0, 2, { 0, 0 }, 0 },
	{ "snapshot count 65535",        MC_SNAPSHOT_ONE, B + 0, 2, { 0xff, 0xff }, 0 },
	{ "snapshot count 1, none",      MC_SNAPSHOT_EMPTY, B + 0, 2, { 0, 1 }, 0 },
	{ "snapshot unknown flag",       MC_SNAPSHOT_ONE, B + 3, 1, { 0x02 }, 0 },
	{ "snapshot entry home ::",      MC_SNAPSHOT_ONE, B + 8, 16, { 0 }, 0 },
	{ "snapshot entry coa mcast",    MC_SNAPSHOT_ONE, B + 24, 1, { 0xff }, 0 },
	{ "snapshot entry lifetime",     MC_SNAPSHOT_ONE, B + 40, 4, { 0x00, 0x04, 0, 0 }, 0 },
	{ "snapshot entry reserved",     MC_SNAPSHOT_ONE, B + 46, 2, { 0, 1 }, 0 },
	{ "snapshot body 4 bytes",       MC_SNAPSHOT_EMPTY, 6, 2, { 0, 4 }, -4 },
	{ "snapshot half entry",         MC_SNAPSHOT_ONE, 6, 2, { 0, 8 + 20 }, -20 },
	{ "unsubscribe home ::",         MC_UNSUBSCRIBE, B + 0, 16, { 0 }, 0 },
	{ "unsubscribe home ff02::1",    MC_UNSUBSCRIBE, B + 0, 16, { 0xff, 0x02, [15] = 1 }, 0 },
	/* balancer groups: the group block after a SUBSCRIBE's 40 bytes
	 * (name at +40, count +72, reserved +73, choices +76: vip, port +16,
	 * proto +18, reserved +19, backend +20), after a NOTIFY's 56 */
	{ "gsub group empty",            MC_GROUP_SUBSCRIBE, B + 40, 1, { 0 }, 0 },
	{ "gsub group bad char",         MC_GROUP_SUBSCRIBE, B + 42, 1, { '/' }, 0 },
	{ "gsub group byte after NUL",   MC_GROUP_SUBSCRIBE, B + 47, 1, { 'x' }, 0 },
	{ "gnotify group 32 chars",      MC_GROUP_NOTIFY_MAX, B + 56 + 31, 1, { 'z' }, 0 },
	{ "gsub count 3, 2 choices",     MC_GROUP_SUBSCRIBE, B + 72, 1, { 3 }, 0 },
	{ "gsub count 1, 2 choices",     MC_GROUP_SUBSCRIBE, B + 72, 1, { 1 }, 0 },
	{ "gsub count 5",                MC_GROUP_SUBSCRIBE_NONE, B + 72, 1, { 5 }, 0 },
	{ "gsub group reserved",         MC_GROUP_SUBSCRIBE, B + 73, 1, { 1 }, 0 },
	{ "gsub choice vip ::",          MC_GROUP_SUBSCRIBE, B + 76, 16, { 0 }, 0 },
	{ "gsub choice vip multicast",   MC_GROUP_SUBSCRIBE, B + 76, 1, { 0xff }, 0 },
	{ "gsub choice proto 1",         MC_GROUP_SUBSCRIBE, B + 76 + 18, 1, { 1 }, 0 },
	{ "gsub choice port, proto any", MC_GROUP_SUBSCRIBE, B + 76 + 18, 1, { 0 }, 0 },
	{ "gsub choice reserved",        MC_GROUP_SUBSCRIBE, B + 76 + 19, 1, { 1 }, 0 },
	{ "gsub choice backend empty",   MC_GROUP_SUBSCRIBE, B + 76 + 20, 1, { 0 }, 0 },
	{ "gsub choice backend space",   MC_GROUP_SUBSCRIBE, B + 76 + 21, 1, { ' ' }, 0 },
	{ "gsub two choices, one service", MC_GROUP_SUBSCRIBE, B + 76 + 52 + 16, 2, { 1, 0xbb }, 0 },
	{ "gsub subscribe lifetime 0",   MC_GROUP_SUBSCRIBE, B + 36, 4, { 0 }, 0 },
	{ "gsub body + 52",              MC_GROUP_SUBSCRIBE, 6, 2, { 0, 40 + 36 + 3 * 52 }, 52 },
	{ "gsub body - 1",               MC_GROUP_SUBSCRIBE, 6, 2, { 0, 40 + 36 + 2 * 52 - 1 }, -1 },
	{ "gnotify home multicast",      MC_GROUP_NOTIFY_MAX, B + 0, 1, { 0xff }, 0 },
	{ "gnotify reserved",            MC_GROUP_NOTIFY_MAX, B + 49, 1, { 1 }, 0 },
	{ "gnotify no group block",      MC_GROUP_NOTIFY_MAX, 6, 2, { 0, 56 }, -(36 + 4 * 52) },
	{ "gnotify count 4 -> 3",        MC_GROUP_NOTIFY_MAX, B + 56 + 32, 1, { 3 }, 0 },
	{ "gsnap count 1, none",         MC_GROUP_SNAPSHOT_EMPTY, B + 0, 2, { 0, 1 }, 0 },
	{ "gsnap count 26",              MC_GROUP_SNAPSHOT_FULL, B + 0, 2, { 0, 26 }, 0 },
	{ "gsnap unknown flag",          MC_GROUP_SNAPSHOT_MIXED, B + 3, 1, { 0x02 }, 0 },
	{ "gsnap group empty",           MC_GROUP_SNAPSHOT_MIXED, B + 8, 1, { 0 }, 0 },
	{ "gsnap entry choices 0 -> 1",  MC_GROUP_SNAPSHOT_MIXED, B + 40 + 40, 1, { 1 }, 0 },
	{ "gsnap entry reserved",        MC_GROUP_SNAPSHOT_MIXED, B + 40 + 41, 1, { 1 }, 0 },
	{ "gsnap entry binding reserved", MC_GROUP_SNAPSHOT_MIXED, B + 40 + 38, 2, { 0, 1 }, 0 },
	{ "gsnap entry coa multicast",   MC_GROUP_SNAPSHOT_MIXED, B + 40 + 16, 1, { 0xff }, 0 },
	{ "gsnap trailing 44 bytes",     MC_GROUP_SNAPSHOT_MIXED, 6, 2,
	  { (40 + 3 * 44 + 5 * 52 + 44) >> 8, (40 + 3 * 44 + 5 * 52 + 44) & 0xff }, 44 },
};
#undef B

START_TEST(test_bad_field)
{
	const struct field_case *fc = &field_cases[_i];
	struct proto_peer_state p;
	struct proto_msg out;
	__u8 buf[PROTO_MAX_MSG];
	int len, body_end;

	peer_setup(&p);
	len = encode_case(fc->c, buf);
	body_end = len - PROTO_MAC_LEN;
	/* Resize the body first (zeros appended, or bytes cut), then
	 * patch, then re-MAC with the right key. */
	if (fc->grow > 0)
		memset(buf + body_end, 0, fc->grow);
	len += fc->grow;
	memcpy(buf + fc->off, fc->val, fc->n);
	ck_assert_int_eq(proto_sign(buf, len, key32, sizeof(key32)), 0);
	ck_assert_int_eq(proto_peek(buf, len, NULL, NULL), 0);
	ck_assert_msg(proto_decode(buf, len, &out) == -PROTO_R_BAD_FIELD,
		      "%s: decode", fc->name);
	expect_reject(&p, buf, len, NOW_MS, PROTO_R_BAD_FIELD, fc->name);
}
END_TEST

/* A mix of rejections lands in the right counters and nowhere else. */
START_TEST(test_counters)
{
	static const int want[PROTO_REASON_MAX] = {
		[PROTO_R_TRUNCATED] = 2, [PROTO_R_OVERSIZED] = 1,
		[PROTO_R_BAD_VERSION] = 1, [PROTO_R_BAD_TYPE] = 1,
		[PROTO_R_UNKNOWN_KEY] = 1, [PROTO_R_BAD_MAC] = 3,
		[PROTO_R_STALE_TIMESTAMP] = 2, [PROTO_R_REPLAY] = 2,
		[PROTO_R_BAD_FIELD] = 1,
	};
	struct proto_peer_state p;
	struct proto_msg m, out;
	__u8 good[PROTO_MAX_MSG], buf[PROTO_MAX_MSG + 1];
	int len, i;

	peer_setup(&p);
	len = encode_case(MC_NOTIFY, good);
	ck_assert_int_eq(proto_accept(&p, good, len, NOW_MS, &out), 0);

	memcpy(buf, good, len);
	proto_accept(&p, buf, 3, NOW_MS, &out);                   /* truncated */
	proto_accept(&p, buf, len - 1, NOW_MS, &out);             /* truncated */
	proto_accept(&p, buf, PROTO_MAX_MSG + 1, NOW_MS, &out);   /* oversized */
	buf[2] = 9;
	proto_accept(&p, buf, len, NOW_MS, &out);                 /* bad_version */
	memcpy(buf, good, len);
	buf[3] = 0;
	proto_accept(&p, buf, len, NOW_MS, &out);                 /* bad_type */
	memcpy(buf, good, len);
	buf[15] ^= 1;
	proto_accept(&p, buf, len, NOW_MS, &out);                 /* unknown_key */
	for (i = 0; i < 3; i++) {
		memcpy(buf, good, len);
		buf[40 + i] ^= 0x10;
		proto_accept(&p, buf, len, NOW_MS, &out);         /* bad_mac */
	}
	proto_accept(&p, good, len, NOW_MS, &out);                /* replay */
	proto_accept(&p, good, len, NOW_MS + 31000, &out);        /* stale */
	proto_accept(&p, good, len, NOW_MS - 31000, &out);        /* stale */
	len = encode_seq(MC_NOTIFY, SEQ - 1, NOW_MS, buf);
	proto_accept(&p, buf, len, NOW_MS, &out);                 /* replay */
	make_msg(MC_NOTIFY, &m);
	m.seq = SEQ + 1;
	len = proto_encode(&m, key32, sizeof(key32), buf, sizeof(buf));
	buf[PROTO_HDR_LEN] = 0xff;                                /* home multicast */
	proto_sign(buf, len, key32, sizeof(key32));
	proto_accept(&p, buf, len, NOW_MS, &out);                 /* bad_field */

	for (i = 0; i < PROTO_REASON_MAX; i++)
		ck_assert_msg(p.rejected[i] == (__u64)want[i], "%s: %llu, want %d",
			      proto_reason_name(i), (unsigned long long)p.rejected[i], want[i]);
	ck_assert_uint_eq(p.accepted, 1);
	ck_assert_uint_eq(p.last_seq, SEQ);
}
END_TEST

START_TEST(test_key_rotation)
{
	struct proto_peer_state p;
	struct proto_msg m, out;
	__u8 buf[PROTO_MAX_MSG], old[PROTO_MAX_MSG];
	int len, old_len;

	peer_setup(&p);
	old_len = encode_case(MC_NOTIFY, old);
	ck_assert_int_eq(proto_accept(&p, old, old_len, NOW_MS, &out), 0);

	/* Same id, new secret: the sequence check carries on. */
	ck_assert_int_eq(proto_peer_set_key(&p, KEY_ID, other_key, sizeof(other_key)), 0);
	ck_assert_uint_eq(p.last_seq, SEQ);
	expect_reject(&p, old, old_len, NOW_MS, PROTO_R_BAD_MAC, "old key, same id");

	/* New id: the sequence restarts, old-id messages are unknown_key. */
	ck_assert_int_eq(proto_peer_set_key(&p, KEY_ID + 1, other_key, sizeof(other_key)), 0);
	ck_assert_uint_eq(p.last_seq, 0);
	expect_reject(&p, old, old_len, NOW_MS, PROTO_R_UNKNOWN_KEY, "old key id");
	make_msg(MC_NOTIFY, &m);
	m.key_id = KEY_ID + 1;
	m.seq = 1;
	len = proto_encode(&m, other_key, sizeof(other_key), buf, sizeof(buf));
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);
	ck_assert_uint_eq(p.last_seq, 1);

	ck_assert_int_eq(proto_peer_set_key(&p, 9, key32, 16), -EINVAL);
	ck_assert_uint_eq(p.key_id, KEY_ID + 1);
	proto_peer_clear(&p);
	ck_assert_uint_eq(p.keylen, 0);
	ck_assert_uint_eq(p.key[0] | p.key[31], 0);
}
END_TEST

START_TEST(test_peek_and_decode_without_key)
{
	struct proto_msg m, out;
	__u32 sender = 0, key_id = 0;
	__u8 buf[PROTO_MAX_MSG];
	int len;

	len = encode_case(MC_SUBSCRIBE, buf);
	ck_assert_int_eq(proto_peek(buf, len, &sender, &key_id), 0);
	ck_assert_uint_eq(sender, SENDER);
	ck_assert_uint_eq(key_id, KEY_ID);
	/* decode does not look at the MAC. */
	buf[len - 1] ^= 0xff;
	ck_assert_int_eq(proto_decode(buf, len, &out), 0);
	make_msg(MC_SUBSCRIBE, &m);
	ck_assert_mem_eq(&m, &out, sizeof(m));
}
END_TEST

/* ---- sender ------------------------------------------------------------ */

START_TEST(test_sender_sequence)
{
	struct proto_sender s, restarted;
	struct proto_peer_state p;
	struct proto_msg m, out;
	__u8 buf[PROTO_MAX_MSG];
	__u64 t0_us = NOW_MS * 1000, first, last = 0;
	int len, i;

	ck_assert_int_eq(proto_sender_init(&s, SENDER, KEY_ID, key32, 31, 0), -EINVAL);
	ck_assert_int_eq(proto_sender_init(&s, SENDER, KEY_ID, key32, sizeof(key32), t0_us), 0);
	ck_assert_uint_eq(s.next_seq, t0_us);
	peer_setup(&p);

	/* A burst in the same microsecond: strictly increasing by one. */
	for (i = 0; i < 100; i++) {
		make_msg(MC_NOTIFY, &m);
		len = proto_sender_encode(&s, &m, t0_us, buf, sizeof(buf));
		ck_assert_int_eq(len, msg_cases[MC_NOTIFY].len);
		ck_assert_uint_eq(m.seq, t0_us + i);
		ck_assert_uint_eq(m.timestamp_ms, NOW_MS);
		ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);
		last = m.seq;
	}
	/* The clock is microseconds, not milliseconds times 1000 (issue 16):
	 * 1234 us later the sequence is that clock reading, and the
	 * timestamp its milliseconds. */
	proto_sender_stamp(&s, &m, t0_us + 1234);
	ck_assert_uint_eq(m.seq, t0_us + 1234);
	ck_assert_uint_eq(m.timestamp_ms, NOW_MS + 1);
	ck_assert_uint_ne(m.seq % 1000, 0);
	/* Still behind the burst's lead: the sequence goes on from it. */
	ck_assert_int_eq(proto_sender_init(&restarted, SENDER, KEY_ID, key32, sizeof(key32),
					   t0_us), 0);
	restarted.next_seq = t0_us + 200;
	ck_assert_uint_eq(proto_sender_next_seq(&restarted, t0_us + 50), t0_us + 200);
	ck_assert_uint_eq(proto_sender_next_seq(&restarted, t0_us + 201), t0_us + 201);
	/* Later, the sequence follows the clock. */
	proto_sender_stamp(&s, &m, t0_us + 5000000);
	ck_assert_uint_eq(m.seq, t0_us + 5000000);
	ck_assert_uint_eq(m.timestamp_ms, NOW_MS + 5000);
	ck_assert_uint_eq(m.sender_id, SENDER);
	ck_assert_uint_eq(m.key_id, KEY_ID);
	last = m.seq;

	/* A failed encode consumes nothing. */
	first = s.next_seq;
	make_msg(MC_NOTIFY, &m);
	m.notify.lifetime_s = PROTO_MAX_LIFETIME_S + 1;
	ck_assert_int_eq(proto_sender_encode(&s, &m, t0_us + 5000000, buf, sizeof(buf)), -EINVAL);
	ck_assert_uint_eq(s.next_seq, first);

	/* A restart one second later, with no saved state, starts above
	 * everything sent before: the receiver accepts it. */
	ck_assert_int_eq(proto_sender_init(&restarted, SENDER, KEY_ID, key32, sizeof(key32),
					   t0_us + 6000000), 0);
	make_msg(MC_NOTIFY, &m);
	len = proto_sender_encode(&restarted, &m, t0_us + 6000000, buf, sizeof(buf));
	ck_assert_uint_gt(m.seq, last);
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS + 6000, &out), 0);
	last = m.seq;

	/* A restart whose wall clock went back 2 s: refused as replay, the
	 * documented failure, until the clock passes the last sequence ... */
	ck_assert_int_eq(proto_sender_init(&restarted, SENDER, KEY_ID, key32, sizeof(key32),
					   t0_us + 4000000), 0);
	make_msg(MC_NOTIFY, &m);
	len = proto_sender_encode(&restarted, &m, t0_us + 4000000, buf, sizeof(buf));
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS + 4000, &out), -PROTO_R_REPLAY);
	make_msg(MC_NOTIFY, &m);
	len = proto_sender_encode(&restarted, &m, t0_us + 6000001, buf, sizeof(buf));
	ck_assert_uint_gt(m.seq, last);
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS + 6000, &out), 0);
	/* ... or at once when both ends move to a new key id. */
	ck_assert_int_eq(proto_sender_init(&restarted, SENDER, KEY_ID + 1, key32, sizeof(key32),
					   t0_us), 0);
	ck_assert_int_eq(proto_peer_set_key(&p, KEY_ID + 1, key32, sizeof(key32)), 0);
	make_msg(MC_NOTIFY, &m);
	len = proto_sender_encode(&restarted, &m, t0_us, buf, sizeof(buf));
	ck_assert_int_eq(proto_accept(&p, buf, len, NOW_MS, &out), 0);

	/* A clock of 0 still never yields sequence 0. */
	ck_assert_int_eq(proto_sender_init(&s, 1, 1, key32, sizeof(key32), 0), 0);
	proto_sender_stamp(&s, &m, 0);
	ck_assert_uint_eq(m.seq, 1);
	proto_sender_clear(&s);
	ck_assert_uint_eq(s.keylen, 0);

	ck_assert_uint_gt(proto_now_ms(), NOW_MS);
	ck_assert_uint_ge(proto_now_us() / 1000, NOW_MS);
}
END_TEST

/* ---- docs/protocol-vectors.json (issue 16) ---------------------------- */

static struct json_object *vec_top;

static void vectors_setup(void)
{
	char path[PATH_MAX];

	keys_setup();
	snprintf(path, sizeof(path), "%s/docs/protocol-vectors.json", harness_src_dir());
	vec_top = json_object_from_file(path);
	ck_assert_msg(vec_top, "cannot read %s", path);
}

static void vectors_teardown(void)
{
	json_object_put(vec_top);
	vec_top = NULL;
}

static struct json_object *jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, k, &v), "vector lacks '%s'", k);
	return v;
}

static const char *jstr(struct json_object *o, const char *k)
{
	return json_object_get_string(jget(o, k));
}

static __u64 jnum(struct json_object *o, const char *k)
{
	return (__u64)json_object_get_int64(jget(o, k));
}

static size_t unhex(const char *hex, __u8 *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	ck_assert_uint_le(n, cap);
	ck_assert_int_eq(sodium_hex2bin(out, cap, hex, strlen(hex), NULL, &n, NULL), 0);
	return n;
}

static int name_index(const char *(*name)(int), int max, const char *want)
{
	int i;

	for (i = 0; i < max; i++)
		if (!strcmp(name(i), want))
			return i;
	ck_abort_msg("unknown name '%s'", want);
	return -1;
}

static void jaddr(struct json_object *o, const char *k, struct in6_addr *a)
{
	addr(a, jstr(o, k));
}

static void vec_choices(struct json_object *arr, struct proto_choices *ch)
{
	struct json_object *c;
	size_t i;

	ck_assert_uint_le(json_object_array_length(arr), PROTO_MAX_CHOICES);
	for (i = 0; i < json_object_array_length(arr); i++) {
		c = json_object_array_get_idx(arr, i);
		jaddr(c, "vip", &ch->c[i].vip);
		ch->c[i].port = jnum(c, "port");
		ch->c[i].proto = jnum(c, "proto");
		snprintf(ch->c[i].backend, PROTO_NAME_LEN, "%s", jstr(c, "backend"));
	}
	ch->count = i;
}

/* The message a vector says was accepted, from its JSON fields alone. */
static void vec_msg(struct json_object *j, struct proto_msg *m)
{
	struct json_object *b = jget(j, "body"), *es, *e;
	int i;

	memset(m, 0, sizeof(*m));
	m->type = name_index(proto_type_name, PROTO_TYPE_MAX, jstr(j, "type"));
	m->version = jnum(j, "version");
	m->flags = jnum(j, "flags");
	m->sender_id = jnum(j, "sender_id");
	m->key_id = jnum(j, "key_id");
	m->seq = jnum(j, "sequence");
	m->timestamp_ms = jnum(j, "timestamp");
	switch (m->type) {
	case PROTO_SUBSCRIBE:
		jaddr(b, "home_address", &m->subscribe.home);
		jaddr(b, "reply_address", &m->subscribe.reply_addr);
		m->subscribe.reply_port = jnum(b, "reply_port");
		m->subscribe.snapshot_interval_s = jnum(b, "snapshot_interval");
		m->subscribe.lifetime_s = jnum(b, "lifetime");
		break;
	case PROTO_SUBSCRIBE_ACK:
		jaddr(b, "home_address", &m->subscribe_ack.home);
		m->subscribe_ack.ack_seq = jnum(b, "ack_sequence");
		m->subscribe_ack.status = name_index(proto_sub_status_name, PROTO_SUB_STATUS_MAX,
						     jstr(b, "status"));
		m->subscribe_ack.snapshot_interval_s = jnum(b, "snapshot_interval");
		m->subscribe_ack.lifetime_s = jnum(b, "lifetime");
		break;
	case PROTO_BINDING_NOTIFY:
		jaddr(b, "home_address", &m->notify.home);
		jaddr(b, "care_of", &m->notify.coa);
		jaddr(b, "old_care_of", &m->notify.old_coa);
		m->notify.flags = jnum(b, "flags");
		m->notify.binding_seq = jnum(b, "binding_seq");
		m->notify.lifetime_s = jnum(b, "lifetime");
		break;
	case PROTO_BINDING_SNAPSHOT:
		m->snapshot.count = jnum(b, "count");
		m->snapshot.part = jnum(b, "part");
		m->snapshot.flags = jnum(b, "flags");
		m->snapshot.snapshot_id = jnum(b, "snapshot_id");
		es = jget(b, "entries");
		ck_assert_int_eq(json_object_array_length(es), m->snapshot.count);
		for (i = 0; i < m->snapshot.count; i++) {
			e = json_object_array_get_idx(es, i);
			jaddr(e, "home_address", &m->snapshot.entries[i].home);
			jaddr(e, "care_of", &m->snapshot.entries[i].coa);
			m->snapshot.entries[i].lifetime_s = jnum(e, "lifetime");
			m->snapshot.entries[i].binding_seq = jnum(e, "binding_seq");
		}
		break;
	case PROTO_UNSUBSCRIBE:
		jaddr(b, "home_address", &m->unsubscribe.home);
		break;
	case PROTO_GROUP_SUBSCRIBE:
		jaddr(b, "home_address", &m->group_subscribe.sub.home);
		jaddr(b, "reply_address", &m->group_subscribe.sub.reply_addr);
		m->group_subscribe.sub.reply_port = jnum(b, "reply_port");
		m->group_subscribe.sub.snapshot_interval_s = jnum(b, "snapshot_interval");
		m->group_subscribe.sub.lifetime_s = jnum(b, "lifetime");
		snprintf(m->group_subscribe.group, PROTO_NAME_LEN, "%s", jstr(b, "group"));
		vec_choices(jget(b, "choices"), &m->group_subscribe.ch);
		break;
	case PROTO_GROUP_NOTIFY:
		jaddr(b, "home_address", &m->group_notify.nt.home);
		jaddr(b, "care_of", &m->group_notify.nt.coa);
		jaddr(b, "old_care_of", &m->group_notify.nt.old_coa);
		m->group_notify.nt.flags = jnum(b, "flags");
		m->group_notify.nt.binding_seq = jnum(b, "binding_seq");
		m->group_notify.nt.lifetime_s = jnum(b, "lifetime");
		snprintf(m->group_notify.group, PROTO_NAME_LEN, "%s", jstr(b, "group"));
		vec_choices(jget(b, "choices"), &m->group_notify.ch);
		break;
	case PROTO_GROUP_SNAPSHOT:
		m->group_snapshot.count = jnum(b, "count");
		m->group_snapshot.part = jnum(b, "part");
		m->group_snapshot.flags = jnum(b, "flags");
		m->group_snapshot.snapshot_id = jnum(b, "snapshot_id");
		snprintf(m->group_snapshot.group, PROTO_NAME_LEN, "%s", jstr(b, "group"));
		es = jget(b, "entries");
		ck_assert_int_eq(json_object_array_length(es), m->group_snapshot.count);
		for (i = 0; i < m->group_snapshot.count; i++) {
			struct proto_group_entry *ge = &m->group_snapshot.entries[i];

			e = json_object_array_get_idx(es, i);
			jaddr(e, "home_address", &ge->b.home);
			jaddr(e, "care_of", &ge->b.coa);
			ge->b.lifetime_s = jnum(e, "lifetime");
			ge->b.binding_seq = jnum(e, "binding_seq");
			vec_choices(jget(e, "choices"), &ge->ch);
		}
		break;
	}
}

/* What each end takes once a message passed the wire checks (the
 * dispatch in loader/notify.c and agent/agent.c), and the balancer's
 * authority and ACK rules (loader/notify_peers.c, notify_subscriptions.c):
 * 0 or the peer_reason. */
static int vec_policy(bool balancer, struct json_object *st, struct json_object *peer,
		      const struct npeer *np, const struct proto_msg *m)
{
	struct json_object *subs, *sub, *groups, *mine = NULL;
	const char *own = NULL;
	struct in6_addr home;
	size_t i;
	int e;

	if (!balancer) {
		/* agent/agent.c: members subscribe as members, of their own
		 * group, and only of a group the agent has. */
		json_object_object_get_ex(peer, "group", &mine);
		own = mine ? json_object_get_string(mine) : NULL;
		groups = jget(peer, "groups");
		switch (m->type) {
		case PROTO_SUBSCRIBE:
			return own ? PEER_R_WRONG_GROUP : 0;
		case PROTO_GROUP_SUBSCRIBE:
			for (i = 0; i < json_object_array_length(groups); i++)
				if (!strcmp(json_object_get_string(json_object_array_get_idx(groups, i)),
					    m->group_subscribe.group))
					break;
			if (i == json_object_array_length(groups))
				return PEER_R_UNKNOWN_GROUP;
			return own && !strcmp(own, m->group_subscribe.group) ? 0 : PEER_R_WRONG_GROUP;
		case PROTO_UNSUBSCRIBE:
			return 0;
		default:
			return PEER_R_UNEXPECTED;
		}
	}
	own = jstr(peer, "group");
	switch (m->type) {
	case PROTO_GROUP_NOTIFY:
		if (strcmp(own, m->group_notify.group))
			return PEER_R_UNKNOWN_GROUP;
		return notify_peer_serves(np, &m->group_notify.nt.home) ? 0 :
		       PEER_R_NOT_AUTHORITATIVE;
	case PROTO_GROUP_SNAPSHOT:
		if (strcmp(own, m->group_snapshot.group))
			return PEER_R_UNKNOWN_GROUP;
		for (e = 0; e < m->group_snapshot.count; e++)
			if (!notify_peer_serves(np, &m->group_snapshot.entries[e].b.home))
				return PEER_R_NOT_AUTHORITATIVE;
		return 0;
	case PROTO_SUBSCRIBE_ACK:
		subs = jget(st, "subscriptions_pending");
		for (i = 0; i < json_object_array_length(subs); i++) {
			sub = json_object_array_get_idx(subs, i);
			addr(&home, jstr(sub, "home_address"));
			if (!memcmp(&home, &m->subscribe_ack.home, 16) &&
			    jnum(sub, "sequence") == m->subscribe_ack.ack_seq)
				return 0;
		}
		return PEER_R_UNEXPECTED;
	case PROTO_BINDING_NOTIFY:
		return notify_peer_serves(np, &m->notify.home) ? 0 : PEER_R_NOT_AUTHORITATIVE;
	case PROTO_BINDING_SNAPSHOT:
		for (e = 0; e < m->snapshot.count; e++)
			if (!notify_peer_serves(np, &m->snapshot.entries[e].home))
				return PEER_R_NOT_AUTHORITATIVE;
		return 0;
	case PROTO_UNSUBSCRIBE:
		return notify_peer_serves(np, &m->unsubscribe.home) ? 0 : PEER_R_NOT_AUTHORITATIVE;
	default:
		return PEER_R_UNEXPECTED;
	}
}

/* One vector through the acceptance order of docs/protocol.md: the
 * source address (unknown_peer), then peer_link_accept() (source port,
 * then every wire check on the peer's replay state), then the receiving
 * end's policy; an accepted one is also re-encoded byte for byte. */
START_TEST(test_vectors)
{
	struct json_object *vs = jget(vec_top, "vectors"), *v, *peer, *st, *src, *ex, *ls, *pf;
	__u8 dgram[PROTO_MAX_MSG + 8], again[PROTO_MAX_MSG + 8], key[PROTO_KEY_MAX];
	const char *name, *got, *want;
	struct sockaddr_in6 from = { .sin6_family = AF_INET6 };
	struct cfg_prefix prefixes[4];
	struct peer_rx_pending pend;
	struct proto_msg m, exp_m;
	struct in6_addr peer_addr;
	struct peer_link l;
	struct npeer np;
	size_t len, keylen, n;
	bool balancer;
	int rc, len2;

	ck_assert_int_lt(_i, (int)json_object_array_length(vs));
	v = json_object_array_get_idx(vs, _i);
	name = jstr(v, "name");
	peer = jget(v, "peer");
	st = jget(v, "state");
	src = jget(v, "source");
	ex = jget(v, "expect");
	balancer = !strcmp(jstr(v, "receiver"), "balancer");
	len = unhex(jstr(v, "datagram"), dgram, sizeof(dgram));
	/* The hex key is read as a key file would be. */
	ck_assert_int_eq(peer_key_decode((const __u8 *)jstr(peer, "key"), strlen(jstr(peer, "key")),
					 key, &keylen), 0);
	ck_assert_uint_eq(keylen, 32);
	ck_assert_uint_eq(jnum(peer, "window_ms"), PROTO_DEFAULT_WINDOW_MS);
	addr(&peer_addr, jstr(peer, "addr"));
	addr(&from.sin6_addr, jstr(src, "addr"));
	from.sin6_port = htons(jnum(src, "port"));

	memset(&np, 0, sizeof(np));
	np.addr = peer_addr;
	np.port = jnum(peer, "port");
	np.role = MIP6LB_NOTIFY_HA;
	if (balancer) {
		pf = jget(peer, "home_prefix");
		for (n = 0; n < json_object_array_length(pf); n++) {
			char text[64], *slash;

			snprintf(text, sizeof(text), "%s", json_object_get_string(
					 json_object_array_get_idx(pf, n)));
			slash = strchr(text, '/');
			ck_assert_ptr_nonnull(slash);
			*slash = 0;
			addr(&prefixes[n].addr, text);
			prefixes[n].plen = atoi(slash + 1);
		}
		np.prefixes = prefixes;
		np.n_prefixes = n;
	}

	ck_assert_int_eq(peer_link_init(&l, "vectors", name, jnum(peer, "port"),
					balancer ? 1 : 7, jnum(peer, "key_id"), key, keylen), 0);
	/* The peer's state before: the last sequence accepted per sender id. */
	ls = jget(st, "last_seq");
	json_object_object_foreach(ls, sid, seqv) {
		struct proto_peer_state *slot = &l.rx.slot[l.rx.n_slots++];

		ck_assert_int_eq(proto_peer_init(slot, strtoul(sid, NULL, 10), l.rx.key_id, key,
						 keylen), 0);
		slot->last_seq = (__u64)json_object_get_int64(seqv);
	}

	if (memcmp(&from.sin6_addr, &peer_addr, 16)) {
		got = "unknown_peer";
	} else {
		rc = peer_link_accept(&l, dgram, len, jnum(v, "now_ms"), &from, &m, &pend);
		if (!rc) {
			rc = vec_policy(balancer, st, peer, &np, &m);
			if (rc)
				peer_link_reject(&l, &pend, rc, &from.sin6_addr);
			else
				peer_rx_commit(&l.rx, &pend, 1);
		}
		got = rc ? peer_reason_name(rc) : "accepted";
		/* Counted once, under its own name, and nothing else moved. */
		if (rc) {
			ck_assert_uint_eq(l.rx.rejected[rc < 0 ? -rc : rc], 1);
			ck_assert_uint_eq(l.rx.accepted, 0);
		} else {
			ck_assert_uint_eq(l.rx.accepted, 1);
		}
	}
	want = !strcmp(jstr(ex, "result"), "accepted") ? "accepted" : jstr(ex, "reason");
	ck_assert_msg(!strcmp(got, want), "vector %s: got %s, want %s", name, got, want);
	if (!strcmp(want, "accepted")) {
		vec_msg(jget(ex, "message"), &exp_m);
		ck_assert_msg(!memcmp(&m, &exp_m, sizeof(m)), "vector %s: decoded fields differ",
			      name);
		ck_assert_uint_eq(jnum(v, "sender_id"), m.sender_id);
		ck_assert_uint_eq(jnum(v, "key_id"), m.key_id);
		len2 = proto_encode(&exp_m, key, keylen, again, sizeof(again));
		ck_assert_int_eq(len2, (int)len);
		ck_assert_msg(!memcmp(again, dgram, len), "vector %s: re-encoded bytes differ", name);
	}
	peer_link_clear(&l);
}
END_TEST

/* Every reason the counters know has a vector, and every type. */
START_TEST(test_vectors_cover_every_reason)
{
	struct json_object *vs = jget(vec_top, "vectors"), *v, *ex;
	bool reason[PEER_R_MAX] = { 0 }, type[PROTO_TYPE_MAX] = { 0 }, unknown_peer = false;
	size_t i;
	int r;

	ck_assert_int_eq(jnum(vec_top, "protocol_version"), PROTO_VERSION);
	for (i = 0; i < json_object_array_length(vs); i++) {
		v = json_object_array_get_idx(vs, i);
		ex = jget(v, "expect");
		if (!strcmp(jstr(ex, "result"), "accepted")) {
			type[name_index(proto_type_name, PROTO_TYPE_MAX,
					jstr(jget(ex, "message"), "type"))] = true;
		} else if (!strcmp(jstr(ex, "reason"), "unknown_peer")) {
			unknown_peer = true;
		} else {
			for (r = 1; r < PEER_R_MAX; r++)
				if (!strcmp(peer_reason_name(r), jstr(ex, "reason")))
					reason[r] = true;
		}
	}
	/* The session-sync types have their own list (test_sync.c runs it). */
	vs = jget(vec_top, "sync_vectors");
	for (i = 0; i < json_object_array_length(vs); i++) {
		ex = jget(json_object_array_get_idx(vs, i), "expect");
		if (!strcmp(jstr(ex, "result"), "accepted"))
			type[name_index(proto_type_name, PROTO_TYPE_MAX,
					jstr(jget(ex, "message"), "type"))] = true;
	}
	for (r = 1; r < PEER_R_MAX; r++)
		ck_assert_msg(reason[r], "no vector for %s", peer_reason_name(r));
	for (r = 1; r < PROTO_TYPE_MAX; r++)
		ck_assert_msg(type[r], "no accepted vector of type %s", proto_type_name(r));
	ck_assert(unknown_peer);
}
END_TEST

static int vector_count(void)
{
	char path[PATH_MAX];
	struct json_object *top, *vs;
	int n = 0;

	snprintf(path, sizeof(path), "%s/docs/protocol-vectors.json", harness_src_dir());
	top = json_object_from_file(path);
	if (top && json_object_object_get_ex(top, "vectors", &vs))
		n = json_object_array_length(vs);
	json_object_put(top);
	return n ? n : 1;      /* none: test_vectors fails on its first */
}

/* ---- key files (issue 16) ---------------------------------------------- */

static const char hex_key[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static const struct {
	const char *name;
	const char *bytes;             /* NULL: hex_key with suffix */
	const char *suffix;
	int len;                       /* of bytes; -1 strlen */
	int want_len;                  /* 0: refused */
	bool is_hex;                   /* the key is 00 01 .. 1f */
} keyfile_cases[] = {
	{ "hex",              NULL, "",       -1, 32, true },
	{ "hex LF",           NULL, "\n",     -1, 32, true },
	{ "hex CRLF",         NULL, "\r\n",   -1, 32, true },
	{ "HEX upper",        "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F\n",
	  NULL, -1, 32, true },
	{ "hex two LF",       NULL, "\n\n",   -1, 0, false },     /* 66 bytes, not hex */
	{ "hex space",        NULL, " ",      -1, 0, false },     /* 65 bytes, raw: too long */
	{ "63 hex + LF",      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1\n",
	  NULL, -1, 64, false },                                  /* raw, as before */
	{ "raw 32",           "0123456789abcdefghijklmnopqrstuv", NULL, -1, 32, false },
	{ "raw 32 + LF",      "0123456789abcdefghijklmnopqrstu\n", NULL, -1, 32, false },
	{ "base64 + LF",      "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=\n", NULL, -1, 45, false },
	{ "raw 31",           "0123456789abcdefghijklmnopqrstu", NULL, -1, 0, false },
	{ "raw 64 not hex",   "0123456789abcdefghijklmnopqrstuv0123456789abcdefghijklmnopqrstuv",
	  NULL, -1, 64, false },
	{ "hex with a g",     "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	  NULL, -1, 64, false },                                  /* 64 raw bytes */
};

START_TEST(test_key_file_forms)
{
	__u8 file[80], key[PROTO_KEY_MAX];
	size_t len, keylen = 0;
	int rc;

	if (keyfile_cases[_i].bytes) {
		len = strlen(keyfile_cases[_i].bytes);
		memcpy(file, keyfile_cases[_i].bytes, len);
	} else {
		len = snprintf((char *)file, sizeof(file), "%s%s", hex_key, keyfile_cases[_i].suffix);
	}
	rc = peer_key_decode(file, len, key, &keylen);
	if (!keyfile_cases[_i].want_len) {
		ck_assert_msg(rc == -EINVAL, "%s: accepted", keyfile_cases[_i].name);
		return;
	}
	ck_assert_msg(rc == 0, "%s: refused", keyfile_cases[_i].name);
	ck_assert_uint_eq(keylen, keyfile_cases[_i].want_len);
	if (keyfile_cases[_i].is_hex)
		ck_assert_mem_eq(key, key32, 32);
	else
		ck_assert_mem_eq(key, file, keylen);   /* the compatibility rule */
}
END_TEST

static char keydir[64];

static void keydir_setup(void)
{
	keys_setup();
	snprintf(keydir, sizeof(keydir), "/tmp/mip6lb-keygen.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(keydir));
}

static void keydir_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", keydir);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* keygen: mode 0600, 64 hex digits and a newline, refused over an existing
 * file unless forced, and taken by both ends' config loaders as the same
 * 32-byte key. */
START_TEST(test_keygen)
{
	char path[128], conf[128], text[1024], err[256], cmd[1024];
	struct mip6lb_config cfg;
	struct agent_config acfg;
	__u8 file[80], key[PROTO_KEY_MAX];
	size_t keylen, n;
	struct stat sb;
	FILE *f;

	snprintf(path, sizeof(path), "%s/lb.key", keydir);
	ck_assert_int_eq(peer_key_generate(path, false), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(sb.st_size, 65);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(file, 1, sizeof(file), f);
	fclose(f);
	ck_assert_uint_eq(n, 65);
	ck_assert_int_eq(file[64], '\n');
	ck_assert_int_eq(peer_key_decode(file, n, key, &keylen), 0);
	ck_assert_uint_eq(keylen, 32);
	/* Without the newline, the same key. */
	{
		__u8 k2[PROTO_KEY_MAX];
		size_t l2;

		ck_assert_int_eq(peer_key_decode(file, 64, k2, &l2), 0);
		ck_assert_uint_eq(l2, 32);
		ck_assert_mem_eq(k2, key, 32);
	}

	/* Refuses to overwrite; --force replaces with a new key. */
	ck_assert_int_eq(peer_key_generate(path, false), -EEXIST);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(peer_key_generate(path, true), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(file + 0, 1, sizeof(file), f);
	fclose(f);
	ck_assert_uint_eq(n, 65);
	{
		__u8 k3[PROTO_KEY_MAX];
		size_t l3;

		ck_assert_int_eq(peer_key_decode(file, n, k3, &l3), 0);
		ck_assert_mem_ne(k3, key, 32);
		memcpy(key, k3, 32);
	}
	/* Never through a symlink, even forced: the link is replaced. */
	snprintf(conf, sizeof(conf), "%s/link.key", keydir);
	ck_assert_int_eq(symlink(path, conf), 0);
	ck_assert_int_eq(peer_key_generate(conf, false), -EEXIST);

	/* Both ends' loaders take it, as the same 32 bytes. */
	snprintf(conf, sizeof(conf), "%s/mip6lb.conf", keydir);
	snprintf(text, sizeof(text), "[service a]\nvip = 2001:db8::1\nnotify = ha\n"
		 "[peer ha1]\naddr = 2001:db8::5\nrole = ha\nhome_prefix = 2001:db8:100::/48\n"
		 "key_file = %s\n", path);
	write_text(conf, text);
	ck_assert_msg(!config_load(conf, &cfg, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(cfg.peers[0].key_len, 32);
	ck_assert_mem_eq(cfg.peers[0].key, key, 32);
	config_free(&cfg);

	snprintf(conf, sizeof(conf), "%s/agent.conf", keydir);
	snprintf(text, sizeof(text), "[agent]\nfeed_socket = %s/agent.sock\n"
		 "[peer lb]\naddr = 2001:db8::1\nkey_file = %s\n", keydir, path);
	write_text(conf, text);
	ck_assert_msg(!agent_config_load(conf, AGENT_ROLE_HA, &acfg, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(acfg.peers[0].key_len, 32);
	ck_assert_mem_eq(acfg.peers[0].key, key, 32);
	agent_config_free(&acfg);

	/* The binary: mip6lb-agent keygen FILE, refused twice, --force. */
	snprintf(path, sizeof(path), "%s/cli.key", keydir);
	snprintf(cmd, sizeof(cmd), "%s/mip6lb-agent keygen %s", harness_build_dir(), path);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	ck_assert_int_eq(sb.st_size, 65);
	snprintf(cmd, sizeof(cmd), "%s/mip6lb-agent keygen %s 2>/dev/null", harness_build_dir(),
		 path);
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 1);
	snprintf(cmd, sizeof(cmd), "%s/mip6lb-agent keygen --force %s", harness_build_dir(), path);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- arithmetic and names -------------------------------------------- */

static const struct {
	__u32 seconds;
	__u16 units;                   /* proto_s_to_units(seconds) */
} lifetime_cases[] = {
	{ 0, 0 },
	{ 1, 1 },                      /* rounds up: never 0 (deregistration) */
	{ 3, 1 },
	{ 4, 1 },
	{ 5, 2 },
	{ 12, 3 },                     /* zeek mip6_bu: lifetime=12 */
	{ 32, 8 },                     /* zeek mip6_back: lifetime=32 */
	{ 14400, 3600 },               /* tcpdump ipv6_mobility_1: 0x0e10 */
	{ 262136, 0xfffe },
	{ 262140, 0xffff },            /* PROTO_MAX_LIFETIME_S */
	{ 262141, 0xffff },            /* saturates */
	{ 0xffffffffU, 0xffff },
};

START_TEST(test_lifetime_units)
{
	ck_assert_uint_eq(proto_s_to_units(lifetime_cases[_i].seconds),
			  lifetime_cases[_i].units);
	ck_assert_uint_eq(proto_units_to_s(lifetime_cases[_i].units),
			  (__u32)lifetime_cases[_i].units * 4);
	ck_assert_uint_ge(proto_units_to_s(proto_s_to_units(lifetime_cases[_i].seconds)),
			  lifetime_cases[_i].seconds > PROTO_MAX_LIFETIME_S ?
			  PROTO_MAX_LIFETIME_S : lifetime_cases[_i].seconds);
	ck_assert_uint_eq(proto_units_to_s(0xffff), PROTO_MAX_LIFETIME_S);
}
END_TEST

START_TEST(test_names)
{
	static const char *const want[PROTO_REASON_MAX] = {
		"ok", "truncated", "oversized", "bad_version", "bad_type",
		"unknown_key", "bad_mac", "stale_timestamp", "replay", "bad_field",
	};
	int i;

	for (i = 0; i < PROTO_REASON_MAX; i++) {
		ck_assert_str_eq(proto_reason_name(i), want[i]);
		ck_assert_str_eq(proto_reason_name(-i), want[i]);
	}
	ck_assert_str_eq(proto_reason_name(PROTO_REASON_MAX), "?");
	ck_assert_str_eq(proto_reason_name(-1000), "?");
	ck_assert_str_eq(proto_type_name(PROTO_SUBSCRIBE), "subscribe");
	ck_assert_str_eq(proto_type_name(PROTO_SUBSCRIBE_ACK), "subscribe_ack");
	ck_assert_str_eq(proto_type_name(PROTO_BINDING_NOTIFY), "binding_notify");
	ck_assert_str_eq(proto_type_name(PROTO_BINDING_SNAPSHOT), "binding_snapshot");
	ck_assert_str_eq(proto_type_name(PROTO_UNSUBSCRIBE), "unsubscribe");
	ck_assert_str_eq(proto_type_name(0), "?");
	ck_assert_str_eq(proto_type_name(PROTO_TYPE_MAX), "?");
	ck_assert_str_eq(proto_sub_status_name(PROTO_SUB_REFUSED), "refused");
	ck_assert_str_eq(proto_sub_status_name(PROTO_SUB_NO_BINDING), "no_binding");
	ck_assert_str_eq(proto_sub_status_name(PROTO_SUB_STATUS_MAX), "?");
}
END_TEST

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

MIP6LB_SUITE(proto, 0)
{
	Suite *s = suite_create("proto");
	TCase *codec = tcase_create("codec");
	TCase *accept = tcase_create("accept");
	TCase *misc = tcase_create("sender_and_names");
	TCase *vectors = tcase_create("vectors");
	TCase *keys = tcase_create("keygen");

	tcase_add_unchecked_fixture(codec, keys_setup, NULL);
	tcase_add_unchecked_fixture(accept, keys_setup, NULL);
	tcase_add_unchecked_fixture(misc, keys_setup, NULL);
	/* Every bit of every message type under valgrind takes a while. */
	tcase_set_timeout(accept, 120);

	tcase_add_loop_test(codec, test_roundtrip, 0, MC_MAX);
	tcase_add_test(codec, test_no_binding_ack);
	tcase_add_test(codec, test_hmac);
	tcase_add_test(codec, test_doc_example);
	tcase_add_test(codec, test_encode_errors);
	tcase_add_loop_test(codec, test_encode_refuses_bad_fields, 0, N(enc_rules));
	tcase_add_test(codec, test_peek_and_decode_without_key);

	tcase_add_loop_test(accept, test_bitflip_every_bit, 0, MC_MAX);
	tcase_add_test(accept, test_wrong_key);
	tcase_add_test(accept, test_unknown_key);
	tcase_add_test(accept, test_replay_and_order);
	tcase_add_test(accept, test_seq_advances_only_on_accept);
	tcase_add_loop_test(accept, test_timestamp_window, 0, N(ts_cases));
	tcase_add_loop_test(accept, test_truncation_every_length, 0, MC_MAX);
	tcase_add_test(accept, test_oversized);
	tcase_add_loop_test(accept, test_bad_header, 0, N(hdr_cases));
	tcase_add_loop_test(accept, test_bad_field, 0, N(field_cases));
	tcase_add_test(accept, test_counters);
	tcase_add_test(accept, test_key_rotation);

	tcase_add_test(misc, test_sender_sequence);
	tcase_add_loop_test(misc, test_key_file_forms, 0, N(keyfile_cases));
	tcase_add_loop_test(misc, test_lifetime_units, 0, N(lifetime_cases));
	tcase_add_test(misc, test_names);

	tcase_add_unchecked_fixture(vectors, vectors_setup, vectors_teardown);
	tcase_add_loop_test(vectors, test_vectors, 0, vector_count());
	tcase_add_test(vectors, test_vectors_cover_every_reason);
	tcase_add_unchecked_fixture(keys, keydir_setup, keydir_teardown);
	tcase_add_test(keys, test_keygen);

	suite_add_tcase(s, codec);
	suite_add_tcase(s, accept);
	suite_add_tcase(s, misc);
	suite_add_tcase(s, vectors);
	suite_add_tcase(s, keys);
	return s;
}
