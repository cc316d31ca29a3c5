// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * protovectors - writes docs/protocol-vectors.json (`make vectors`): test
 * vectors of the binding-notification protocol for other implementations,
 * one per message type and one or more per rejection reason, every
 * datagram made by the real encoder (lib/proto.c) under fixed keys and a
 * fixed clock, so the file is the same at every run.
 *
 * The expected outcome of each vector is what docs/protocol.md says it must
 * be, written here by hand, never computed by the receiver under test:
 * selftests/unit/test_proto.c (test_vectors) runs every vector through the
 * real acceptance path and re-encodes every accepted one.
 *
 *   protovectors > docs/protocol-vectors.json
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "mip6lb.h"
#include "proto.h"

#define NOW_MS    1700000000000ULL          /* 2023-11-14T22:13:20Z */
#define SEQ0      1700000000000000ULL       /* µs, as a sender seeds it */
#define LB_ADDR   "2001:db8:ff::1"          /* the balancer */
#define HA_ADDR   "2001:db8:ff::a"          /* a Home Agent's agent */
#define ROGUE     "2001:db8:ff::66"         /* no peer's address */
#define HOME_PFX  "2001:db8:100::/48"       /* the Home Agent's home prefix */
#define HOA       "2001:db8:100::7"
#define HOA_2     "2001:db8:100::8"
#define HOA_OUT   "2001:db8:200::7"         /* outside it */
#define COA_A     "2001:db8:a::9f3c"
#define COA_B     "2001:db8:b::51e2"
#define LB_SENDER 1U                        /* the balancer's sender id */
#define HA_SENDER 7U                        /* the agent's */
#define PORT      PROTO_DEFAULT_PORT
#define GROUP     "lb-web"                  /* the balancer's notify_group */
#define GROUP_2   "lb-db"                   /* another group the agent has */
#define VIP       "2001:db8:80::80"

static __u8 key_lb_ha[32];                  /* 00 01 .. 1f, docs/protocol.md */
static __u8 key_other[32];                  /* a0 a1 .. bf: not the peer's */

enum recv_end { TO_BALANCER, TO_AGENT };

struct vec {
	const char *name;
	const char *description;
	enum recv_end to;
	struct proto_msg m;
	__u64 last_seq;                     /* receiver's state for m.sender_id */
	bool sub_pending;                   /* balancer: SUBSCRIBE sent for sub_home */
	const char *sub_home;
	__u64 sub_seq;
	const char *src;                    /* NULL: the peer's address */
	__u16 sport;                        /* 0: the peer's port */
	const __u8 *sign_key;               /* NULL: the peer's key */
	bool member;                        /* agent: the peer is in [group lb-web] */
	const char *reason;                 /* NULL: accepted */
	/* after encoding: corrupt the datagram this way */
	void (*mangle)(__u8 *buf, size_t *len);
};

static void a6(struct in6_addr *a, const char *text)
{
	if (inet_pton(AF_INET6, text, a) != 1) {
		fprintf(stderr, "protovectors: bad address %s\n", text);
		exit(1);
	}
}

static const char *fmt6(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static json_object *jstr(const char *s)
{
	return json_object_new_string(s);
}

static json_object *jint(__s64 v)
{
	return json_object_new_int64(v);
}

static json_object *jhex(const __u8 *b, size_t len)
{
	char *s = malloc(2 * len + 1);
	json_object *o;
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(s + 2 * i, "%02x", b[i]);
	s[2 * len] = 0;
	o = jstr(s);
	free(s);
	return o;
}

static json_object *jaddr(const struct in6_addr *a)
{
	char t[INET6_ADDRSTRLEN];

	return jstr(fmt6(a, t));
}

static json_object *choices_json(const struct proto_choices *ch)
{
	json_object *arr = json_object_new_array(), *c;
	int i;

	for (i = 0; i < ch->count; i++) {
		c = json_object_new_object();
		json_object_object_add(c, "vip", jaddr(&ch->c[i].vip));
		json_object_object_add(c, "port", jint(ch->c[i].port));
		json_object_object_add(c, "proto", jint(ch->c[i].proto));
		json_object_object_add(c, "backend", jstr(ch->c[i].backend));
		json_object_array_add(arr, c);
	}
	return arr;
}

/* The decoded message, field names as in docs/protocol.md. */
static json_object *msg_json(const struct proto_msg *m)
{
	json_object *o = json_object_new_object(), *b = json_object_new_object(), *es;
	int i;

	json_object_object_add(o, "type", jstr(proto_type_name(m->type)));
	json_object_object_add(o, "version", jint(m->version));
	json_object_object_add(o, "flags", jint(m->flags));
	json_object_object_add(o, "sender_id", jint(m->sender_id));
	json_object_object_add(o, "key_id", jint(m->key_id));
	json_object_object_add(o, "sequence", jint((__s64)m->seq));
	json_object_object_add(o, "timestamp", jint((__s64)m->timestamp_ms));
	switch (m->type) {
	case PROTO_SUBSCRIBE:
		json_object_object_add(b, "home_address", jaddr(&m->subscribe.home));
		json_object_object_add(b, "reply_address", jaddr(&m->subscribe.reply_addr));
		json_object_object_add(b, "reply_port", jint(m->subscribe.reply_port));
		json_object_object_add(b, "snapshot_interval", jint(m->subscribe.snapshot_interval_s));
		json_object_object_add(b, "lifetime", jint(m->subscribe.lifetime_s));
		break;
	case PROTO_SUBSCRIBE_ACK:
		json_object_object_add(b, "home_address", jaddr(&m->subscribe_ack.home));
		json_object_object_add(b, "ack_sequence", jint((__s64)m->subscribe_ack.ack_seq));
		json_object_object_add(b, "status", jstr(proto_sub_status_name(m->subscribe_ack.status)));
		json_object_object_add(b, "snapshot_interval",
				       jint(m->subscribe_ack.snapshot_interval_s));
		json_object_object_add(b, "lifetime", jint(m->subscribe_ack.lifetime_s));
		break;
	case PROTO_BINDING_NOTIFY:
		json_object_object_add(b, "home_address", jaddr(&m->notify.home));
		json_object_object_add(b, "care_of", jaddr(&m->notify.coa));
		json_object_object_add(b, "old_care_of", jaddr(&m->notify.old_coa));
		json_object_object_add(b, "flags", jint(m->notify.flags));
		json_object_object_add(b, "binding_seq", jint(m->notify.binding_seq));
		json_object_object_add(b, "lifetime", jint(m->notify.lifetime_s));
		break;
	case PROTO_BINDING_SNAPSHOT:
		json_object_object_add(b, "count", jint(m->snapshot.count));
		json_object_object_add(b, "part", jint(m->snapshot.part));
		json_object_object_add(b, "flags", jint(m->snapshot.flags));
		json_object_object_add(b, "snapshot_id", jint(m->snapshot.snapshot_id));
		es = json_object_new_array();
		for (i = 0; i < m->snapshot.count; i++) {
			const struct proto_binding *e = &m->snapshot.entries[i];
			json_object *eo = json_object_new_object();

			json_object_object_add(eo, "home_address", jaddr(&e->home));
			json_object_object_add(eo, "care_of", jaddr(&e->coa));
			json_object_object_add(eo, "lifetime", jint(e->lifetime_s));
			json_object_object_add(eo, "binding_seq", jint(e->binding_seq));
			json_object_array_add(es, eo);
		}
		json_object_object_add(b, "entries", es);
		break;
	case PROTO_UNSUBSCRIBE:
		json_object_object_add(b, "home_address", jaddr(&m->unsubscribe.home));
		break;
	case PROTO_GROUP_SUBSCRIBE: {
		const struct proto_subscribe *s = &m->group_subscribe.sub;

		json_object_object_add(b, "home_address", jaddr(&s->home));
		json_object_object_add(b, "reply_address", jaddr(&s->reply_addr));
		json_object_object_add(b, "reply_port", jint(s->reply_port));
		json_object_object_add(b, "snapshot_interval", jint(s->snapshot_interval_s));
		json_object_object_add(b, "lifetime", jint(s->lifetime_s));
		json_object_object_add(b, "group", jstr(m->group_subscribe.group));
		json_object_object_add(b, "choices", choices_json(&m->group_subscribe.ch));
		break;
	}
	case PROTO_GROUP_NOTIFY: {
		const struct proto_notify *n = &m->group_notify.nt;

		json_object_object_add(b, "home_address", jaddr(&n->home));
		json_object_object_add(b, "care_of", jaddr(&n->coa));
		json_object_object_add(b, "old_care_of", jaddr(&n->old_coa));
		json_object_object_add(b, "flags", jint(n->flags));
		json_object_object_add(b, "binding_seq", jint(n->binding_seq));
		json_object_object_add(b, "lifetime", jint(n->lifetime_s));
		json_object_object_add(b, "group", jstr(m->group_notify.group));
		json_object_object_add(b, "choices", choices_json(&m->group_notify.ch));
		break;
	}
	case PROTO_GROUP_SNAPSHOT:
		json_object_object_add(b, "count", jint(m->group_snapshot.count));
		json_object_object_add(b, "part", jint(m->group_snapshot.part));
		json_object_object_add(b, "flags", jint(m->group_snapshot.flags));
		json_object_object_add(b, "snapshot_id", jint(m->group_snapshot.snapshot_id));
		json_object_object_add(b, "group", jstr(m->group_snapshot.group));
		es = json_object_new_array();
		for (i = 0; i < m->group_snapshot.count; i++) {
			const struct proto_group_entry *e = &m->group_snapshot.entries[i];
			json_object *eo = json_object_new_object();

			json_object_object_add(eo, "home_address", jaddr(&e->b.home));
			json_object_object_add(eo, "care_of", jaddr(&e->b.coa));
			json_object_object_add(eo, "lifetime", jint(e->b.lifetime_s));
			json_object_object_add(eo, "binding_seq", jint(e->b.binding_seq));
			json_object_object_add(eo, "choices", choices_json(&e->ch));
			json_object_array_add(es, eo);
		}
		json_object_object_add(b, "entries", es);
		break;
	}
	json_object_object_add(o, "body", b);
	return o;
}

/* ---- the messages ------------------------------------------------------ */

static void hdr(struct proto_msg *m, int type, __u32 sender, __u64 seq, __u64 ts)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->version = PROTO_VERSION;
	m->sender_id = sender;
	m->key_id = 1;
	m->seq = seq;
	m->timestamp_ms = ts;
}

static void subscribe(struct proto_msg *m, const char *home)
{
	hdr(m, PROTO_SUBSCRIBE, LB_SENDER, SEQ0, NOW_MS);
	a6(&m->subscribe.home, home);
	a6(&m->subscribe.reply_addr, LB_ADDR);
	m->subscribe.reply_port = PORT;
	m->subscribe.snapshot_interval_s = 30;
	m->subscribe.lifetime_s = 3600;
}

static void ack(struct proto_msg *m, const char *home, int status, __u16 snap, __u32 life)
{
	hdr(m, PROTO_SUBSCRIBE_ACK, HA_SENDER, SEQ0 + 10, NOW_MS);
	a6(&m->subscribe_ack.home, home);
	m->subscribe_ack.ack_seq = SEQ0;
	m->subscribe_ack.status = status;
	m->subscribe_ack.snapshot_interval_s = snap;
	m->subscribe_ack.lifetime_s = life;
}

static void notify(struct proto_msg *m, const char *home, const char *coa, const char *old,
		   __u32 life)
{
	hdr(m, PROTO_BINDING_NOTIFY, HA_SENDER, SEQ0 + 20, NOW_MS);
	a6(&m->notify.home, home);
	a6(&m->notify.coa, coa);
	if (old) {
		a6(&m->notify.old_coa, old);
		m->notify.flags = PROTO_NOTIFY_F_OLD_COA;
	}
	m->notify.binding_seq = 1000;
	m->notify.lifetime_s = life;
}

static void snapshot(struct proto_msg *m, int count, __u8 flags)
{
	static const char *const homes[] = { HOA, HOA_2 }, *const coas[] = { COA_A, COA_B };
	int i;

	hdr(m, PROTO_BINDING_SNAPSHOT, HA_SENDER, SEQ0 + 30, NOW_MS);
	m->snapshot.snapshot_id = 0x51;
	m->snapshot.flags = flags;
	m->snapshot.count = count;
	for (i = 0; i < count; i++) {
		a6(&m->snapshot.entries[i].home, homes[i]);
		a6(&m->snapshot.entries[i].coa, coas[i]);
		m->snapshot.entries[i].lifetime_s = 600 - 4 * i;
		m->snapshot.entries[i].binding_seq = 7 + i;
	}
}

static void unsubscribe(struct proto_msg *m, __u32 sender, const char *home)
{
	hdr(m, PROTO_UNSUBSCRIBE, sender, SEQ0 + 40, NOW_MS);
	a6(&m->unsubscribe.home, home);
}

static void choice(struct proto_choices *ch, __u8 proto, __u16 port, const char *backend)
{
	struct proto_choice *c = &ch->c[ch->count++];

	a6(&c->vip, VIP);
	c->proto = proto;
	c->port = port;
	snprintf(c->backend, sizeof(c->backend), "%s", backend);
}

static void group_subscribe(struct proto_msg *m, const char *home, const char *group)
{
	subscribe(m, home);
	m->type = PROTO_GROUP_SUBSCRIBE;
	m->group_subscribe.sub = m->subscribe;
	memset(&m->group_subscribe.ch, 0, sizeof(m->group_subscribe.ch));
	memset(m->group_subscribe.group, 0, sizeof(m->group_subscribe.group));
	snprintf(m->group_subscribe.group, sizeof(m->group_subscribe.group), "%s", group);
	choice(&m->group_subscribe.ch, 6, 443, "web-2");
}

static void group_notify(struct proto_msg *m, const char *home, const char *coa,
			 const char *old, const char *group)
{
	struct proto_notify nt;

	notify(m, home, coa, old, 14400);
	nt = m->notify;
	memset(&m->group_notify, 0, sizeof(m->group_notify));
	m->type = PROTO_GROUP_NOTIFY;
	m->group_notify.nt = nt;
	snprintf(m->group_notify.group, sizeof(m->group_notify.group), "%s", group);
	choice(&m->group_notify.ch, 6, 443, "web-2");
	choice(&m->group_notify.ch, 17, 443, "quic-1");
}

static void group_snapshot(struct proto_msg *m, int count)
{
	static const char *const homes[] = { HOA, HOA_2 }, *const coas[] = { COA_A, COA_B };
	int i;

	hdr(m, PROTO_GROUP_SNAPSHOT, HA_SENDER, SEQ0 + 50, NOW_MS);
	m->group_snapshot.snapshot_id = 0x52;
	m->group_snapshot.count = count;
	snprintf(m->group_snapshot.group, sizeof(m->group_snapshot.group), "%s", GROUP);
	for (i = 0; i < count; i++) {
		struct proto_group_entry *e = &m->group_snapshot.entries[i];

		a6(&e->b.home, homes[i]);
		a6(&e->b.coa, coas[i]);
		e->b.lifetime_s = 600 - 4 * i;
		e->b.binding_seq = 7 + i;
		if (i == 0)
			choice(&e->ch, 6, 443, "web-2");
	}
}

/* ---- corruptions ------------------------------------------------------- */

static void cut_63(__u8 *b, size_t *len) { (void)b; *len = PROTO_MIN_MSG - 1; }
static void cut_last(__u8 *b, size_t *len) { (void)b; (*len)--; }
static void add_byte(__u8 *b, size_t *len) { b[(*len)++] = 0; }
static void pad_over_max(__u8 *b, size_t *len)
{
	memset(b + *len, 0, PROTO_MAX_MSG + 1 - *len);
	*len = PROTO_MAX_MSG + 1;
}
static void resign(__u8 *b, size_t len) { proto_sign(b, len, key_lb_ha, sizeof(key_lb_ha)); }
static void version_2(__u8 *b, size_t *len) { b[2] = 2; resign(b, *len); }
static void bad_magic(__u8 *b, size_t *len) { b[0] = 'X'; resign(b, *len); }
/* A type no version-1 end knows (the defined ones grow at the end). */
static void type_unknown(__u8 *b, size_t *len) { b[3] = 200; resign(b, *len); }
/* GROUP_NOTIFY: web-2 becomes web-3, not signed again. */
static void choice_forged(__u8 *b, size_t *len)
{
	b[PROTO_HDR_LEN + PROTO_GROUP_NOTIFY_MIN_LEN + 20 + 4] = '3';
}
/* GROUP_NOTIFY: the first choice's backend name "web-2" becomes "web/2". */
static void choice_bad_char(__u8 *b, size_t *len)
{
	b[PROTO_HDR_LEN + PROTO_GROUP_NOTIFY_MIN_LEN + 20 + 3] = '/';
	resign(b, *len);
}
/* GROUP_NOTIFY: a byte after the group name's NUL. */
static void group_name_tail(__u8 *b, size_t *len)
{
	b[PROTO_HDR_LEN + PROTO_NOTIFY_LEN + 30] = 'x';
	resign(b, *len);
}
/* GROUP_NOTIFY: the second choice names the first one's service. */
static void choice_same_service(__u8 *b, size_t *len)
{
	b[PROTO_HDR_LEN + PROTO_GROUP_NOTIFY_MIN_LEN + PROTO_CHOICE_LEN + 18] = 6;
	resign(b, *len);
}
static void flip_mac(__u8 *b, size_t *len) { b[*len - 1] ^= 0x01; }
static void flip_body(__u8 *b, size_t *len) { b[PROTO_HDR_LEN + 20] ^= 0x80; }
static void hdr_flags(__u8 *b, size_t *len) { b[4] = 0x01; resign(b, *len); }
static void hdr_reserved(__u8 *b, size_t *len) { b[5] = 0x01; resign(b, *len); }
/* BINDING_NOTIFY: old_care_of bytes without the OLD flag. */
static void old_without_flag(__u8 *b, size_t *len) { b[PROTO_HDR_LEN + 48] = 0; resign(b, *len); }
/* BINDING_NOTIFY: lifetime 262141 s, one over 0xffff units of 4 s. */
static void lifetime_over(__u8 *b, size_t *len)
{
	b[PROTO_HDR_LEN + 52] = 0;
	b[PROTO_HDR_LEN + 53] = 0x03;
	b[PROTO_HDR_LEN + 54] = 0xff;
	b[PROTO_HDR_LEN + 55] = 0xfd;
	resign(b, *len);
}
/* BINDING_SNAPSHOT: count 2 in a body of one entry. */
static void count_over(__u8 *b, size_t *len) { b[PROTO_HDR_LEN + 1] = 2; resign(b, *len); }
/* BINDING_NOTIFY: care_of ff02::1. */
static void coa_multicast(__u8 *b, size_t *len)
{
	memset(b + PROTO_HDR_LEN + 16, 0, 16);
	b[PROTO_HDR_LEN + 16] = 0xff;
	b[PROTO_HDR_LEN + 17] = 0x02;
	b[PROTO_HDR_LEN + 31] = 0x01;
	resign(b, *len);
}

static struct vec vecs[96];
static int n_vecs;

static struct vec *add(const char *name, const char *description, enum recv_end to)
{
	struct vec *v = &vecs[n_vecs++];

	memset(v, 0, sizeof(*v));
	v->name = name;
	v->description = description;
	v->to = to;
	return v;
}

static void build(void)
{
	struct vec *v;

	/* ---- accepted: every type ---- */
	v = add("subscribe", "SUBSCRIBE from the balancer: watch 2001:db8:100::7, replies to "
		"[2001:db8:ff::1]:5400, snapshots every 30 s, for 3600 s", TO_AGENT);
	subscribe(&v->m, HOA);
	v = add("subscribe_default_reply", "SUBSCRIBE with reply_address :: and reply_port 0: "
		"reply to the datagram's source address and port", TO_AGENT);
	subscribe(&v->m, HOA);
	memset(&v->m.subscribe.reply_addr, 0, 16);
	v->m.subscribe.reply_port = 0;
	v->m.subscribe.snapshot_interval_s = 0;
	v = add("subscribe_ack_ok", "SUBSCRIBE_ACK ok for the SUBSCRIBE of sequence "
		"1700000000000000 (a BINDING_NOTIFY with the current binding follows)", TO_BALANCER);
	ack(&v->m, HOA, PROTO_SUB_OK, 30, 3600);
	v->sub_pending = true;
	v->sub_home = HOA;
	v->sub_seq = SEQ0;
	v = add("subscribe_ack_no_snapshots", "SUBSCRIBE_ACK ok granting snapshot interval 0 "
		"(no snapshots; the balancer relies on notifications and renewals) and a "
		"shorter lifetime than asked", TO_BALANCER);
	ack(&v->m, HOA, PROTO_SUB_OK, 0, 600);
	v->sub_pending = true;
	v->sub_home = HOA;
	v->sub_seq = SEQ0;
	v = add("subscribe_ack_unknown", "SUBSCRIBE_ACK unknown: no binding yet, still "
		"subscribed", TO_BALANCER);
	ack(&v->m, HOA, PROTO_SUB_UNKNOWN, 30, 3600);
	v->sub_pending = true;
	v->sub_home = HOA;
	v->sub_seq = SEQ0;
	v = add("subscribe_ack_refused", "SUBSCRIBE_ACK refused, lifetime 0", TO_BALANCER);
	ack(&v->m, HOA, PROTO_SUB_REFUSED, 0, 0);
	v->sub_pending = true;
	v->sub_home = HOA;
	v->sub_seq = SEQ0;
	v = add("subscribe_ack_no_binding", "SUBSCRIBE_ACK no_binding (status 4): the Home "
		"Agent has no binding for the address, keeps no subscription, lifetime 0", TO_BALANCER);
	ack(&v->m, HOA, PROTO_SUB_NO_BINDING, 0, 0);
	v->sub_pending = true;
	v->sub_home = HOA;
	v->sub_seq = SEQ0;
	v = add("binding_notify", "BINDING_NOTIFY: 2001:db8:100::7 moved from 2001:db8:a::9f3c "
		"to 2001:db8:b::51e2 (flag OLD), binding_seq 1000, 14400 s", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 14400);
	v = add("binding_notify_no_old", "BINDING_NOTIFY without an old care-of address "
		"(flag OLD clear, old_care_of all zero)", TO_BALANCER);
	notify(&v->m, HOA, COA_A, NULL, 600);
	v = add("binding_notify_deregistration", "BINDING_NOTIFY lifetime 0, care_of = "
		"home_address: the node is home, its binding is gone", TO_BALANCER);
	notify(&v->m, HOA, HOA, COA_B, 0);
	v = add("binding_notify_after_last_seq", "BINDING_NOTIFY whose sequence is one above "
		"the last accepted from this sender id", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->last_seq = v->m.seq - 1;
	v = add("binding_snapshot", "BINDING_SNAPSHOT part 0 of snapshot 0x51, two entries, "
		"no more parts", TO_BALANCER);
	snapshot(&v->m, 2, 0);
	v = add("binding_snapshot_more", "BINDING_SNAPSHOT part 0 with flag MORE (parts follow)",
		TO_BALANCER);
	snapshot(&v->m, 1, PROTO_SNAPSHOT_F_MORE);
	v = add("binding_snapshot_empty", "BINDING_SNAPSHOT with no entry: the agent has no "
		"binding for the balancer's home addresses", TO_BALANCER);
	snapshot(&v->m, 0, 0);
	v = add("unsubscribe_from_balancer", "UNSUBSCRIBE from the balancer", TO_AGENT);
	unsubscribe(&v->m, LB_SENDER, HOA);
	v = add("unsubscribe_from_agent", "UNSUBSCRIBE from the agent (it is stopping)",
		TO_BALANCER);
	unsubscribe(&v->m, HA_SENDER, HOA);
	v = add("any_sender_id", "BINDING_NOTIFY under sender id 4242: any sender id is "
		"accepted with the peer's key, and gets its own replay window", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->m.sender_id = 4242;

	v = add("group_subscribe", "GROUP_SUBSCRIBE from a member of group lb-web: watch "
		"2001:db8:100::7 for the whole group; this member chose backend web-2 of service "
		"[2001:db8:80::80]:443/tcp", TO_AGENT);
	group_subscribe(&v->m, HOA, GROUP);
	v->member = true;
	v = add("group_subscribe_no_choice", "GROUP_SUBSCRIBE naming no backend (choice "
		"count 0)", TO_AGENT);
	group_subscribe(&v->m, HOA, GROUP);
	v->m.group_subscribe.ch.count = 0;
	memset(&v->m.group_subscribe.ch, 0, sizeof(v->m.group_subscribe.ch));
	v->member = true;
	v = add("group_notify", "GROUP_NOTIFY to a member of lb-web: 2001:db8:100::7 moved to "
		"2001:db8:b::51e2; the group agreed on web-2 for [2001:db8:80::80]:443/tcp and "
		"quic-1 for [2001:db8:80::80]:443/udp", TO_BALANCER);
	group_notify(&v->m, HOA, COA_B, COA_A, GROUP);
	v = add("group_snapshot", "GROUP_SNAPSHOT of lb-web, two entries, the first with one "
		"choice", TO_BALANCER);
	group_snapshot(&v->m, 2);
	v = add("group_snapshot_empty", "GROUP_SNAPSHOT with no entry", TO_BALANCER);
	group_snapshot(&v->m, 0);

	/* ---- rejected: every reason, in the order of the table ---- */
	v = add("unknown_peer", "a valid BINDING_NOTIFY from an address that is no configured "
		"peer's", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->src = ROGUE;
	v->reason = "unknown_peer";
	v = add("wrong_port", "a valid BINDING_NOTIFY from the peer's address but port 5401: "
		"messages must come from the peer's configured port", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->sport = PORT + 1;
	v->reason = "wrong_port";
	v = add("wrong_port_to_agent", "a valid SUBSCRIBE from the balancer's address but "
		"port 40000", TO_AGENT);
	subscribe(&v->m, HOA);
	v->sport = 40000;
	v->reason = "wrong_port";
	v = add("truncated_short", "63 bytes: shorter than header and MAC", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = cut_63;
	v->reason = "truncated";
	v = add("truncated_body", "one byte shorter than 64 + body_length", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = cut_last;
	v->reason = "truncated";
	v = add("oversized_max", "1233 bytes: over the 1232-byte maximum", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = pad_over_max;
	v->reason = "oversized";
	v = add("oversized_trailing", "one byte after the MAC", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = add_byte;
	v->reason = "oversized";
	v = add("bad_version", "version 2 (MAC valid)", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = version_2;
	v->reason = "bad_version";
	v = add("bad_magic", "magic 'X6' (MAC valid): reported as bad_version", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = bad_magic;
	v->reason = "bad_version";
	v = add("bad_type", "type 200 (MAC valid)", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = type_unknown;
	v->reason = "bad_type";
	v = add("unknown_key", "key id 2: the peer is configured with key id 1", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->m.key_id = 2;
	v->reason = "unknown_key";
	v = add("bad_mac_wrong_key", "MAC made with another key", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->sign_key = key_other;
	v->reason = "bad_mac";
	v = add("bad_mac_flipped_mac", "the last MAC bit flipped", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = flip_mac;
	v->reason = "bad_mac";
	v = add("bad_mac_flipped_body", "a care_of bit flipped after signing", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = flip_body;
	v->reason = "bad_mac";
	v = add("stale_timestamp_past", "timestamp 30001 ms behind the receiver's clock "
		"(window 30000 ms)", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->m.timestamp_ms = NOW_MS - 30001;
	v->reason = "stale_timestamp";
	v = add("stale_timestamp_future", "timestamp 30001 ms ahead", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->m.timestamp_ms = NOW_MS + 30001;
	v->reason = "stale_timestamp";
	v = add("timestamp_at_window_edge", "timestamp exactly 30000 ms behind: accepted",
		TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->m.timestamp_ms = NOW_MS - 30000;
	v = add("replay_equal", "sequence equal to the last accepted from this sender id",
		TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->last_seq = v->m.seq;
	v->reason = "replay";
	v = add("replay_older", "sequence below the last accepted", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->last_seq = v->m.seq + 1000000;
	v->reason = "replay";
	v = add("replay_zero", "sequence 0, never accepted", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->m.seq = 0;
	v->reason = "replay";
	v = add("bad_field_header_flags", "header flags 0x01 (none defined in version 1)",
		TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = hdr_flags;
	v->reason = "bad_field";
	v = add("bad_field_header_reserved", "header reserved byte 0x01", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = hdr_reserved;
	v->reason = "bad_field";
	v = add("bad_field_old_without_flag", "BINDING_NOTIFY: old_care_of set but flag OLD "
		"clear", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = old_without_flag;
	v->reason = "bad_field";
	v = add("bad_field_lifetime", "BINDING_NOTIFY: lifetime 262141 s", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = lifetime_over;
	v->reason = "bad_field";
	v = add("bad_field_multicast_coa", "BINDING_NOTIFY: care_of ff02::1", TO_BALANCER);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->mangle = coa_multicast;
	v->reason = "bad_field";
	v = add("bad_field_snapshot_count", "BINDING_SNAPSHOT: count 2, one entry's bytes",
		TO_BALANCER);
	snapshot(&v->m, 1, 0);
	v->mangle = count_over;
	v->reason = "bad_field";
	v = add("not_authoritative_notify", "a valid BINDING_NOTIFY for 2001:db8:200::7, outside "
		"the Home Agent's home_prefix 2001:db8:100::/48", TO_BALANCER);
	notify(&v->m, HOA_OUT, COA_B, NULL, 600);
	v->reason = "not_authoritative";
	v = add("not_authoritative_snapshot", "a BINDING_SNAPSHOT with one entry outside the "
		"home_prefix", TO_BALANCER);
	snapshot(&v->m, 2, 0);
	a6(&v->m.snapshot.entries[1].home, HOA_OUT);
	v->reason = "not_authoritative";
	v = add("not_authoritative_unsubscribe", "UNSUBSCRIBE for a home address outside the "
		"home_prefix", TO_BALANCER);
	unsubscribe(&v->m, HA_SENDER, HOA_OUT);
	v->reason = "not_authoritative";
	v = add("unexpected_subscribe_to_balancer", "a valid SUBSCRIBE sent to the balancer, "
		"which never takes one", TO_BALANCER);
	subscribe(&v->m, HOA);
	v->m.sender_id = HA_SENDER;
	v->reason = "unexpected";
	v = add("unexpected_ack_without_subscribe", "a valid SUBSCRIBE_ACK for a home address "
		"the balancer has no SUBSCRIBE outstanding for", TO_BALANCER);
	ack(&v->m, HOA, PROTO_SUB_OK, 30, 3600);
	v->reason = "unexpected";
	v = add("unexpected_ack_wrong_sequence", "a valid SUBSCRIBE_ACK whose ack_sequence is "
		"not the outstanding SUBSCRIBE's", TO_BALANCER);
	ack(&v->m, HOA, PROTO_SUB_OK, 30, 3600);
	v->m.subscribe_ack.ack_seq = SEQ0 + 5;
	v->sub_pending = true;
	v->sub_home = HOA;
	v->sub_seq = SEQ0;
	v->reason = "unexpected";
	v = add("unexpected_notify_to_agent", "a valid BINDING_NOTIFY sent to an agent",
		TO_AGENT);
	notify(&v->m, HOA, COA_B, COA_A, 600);
	v->m.sender_id = LB_SENDER;
	v->reason = "unexpected";
	v = add("unexpected_group_notify_to_agent", "a valid GROUP_NOTIFY sent to an agent",
		TO_AGENT);
	group_notify(&v->m, HOA, COA_B, COA_A, GROUP);
	v->m.sender_id = LB_SENDER;
	v->member = true;
	v->reason = "unexpected";
	v = add("bad_field_choice_name", "GROUP_NOTIFY: a backend name with '/' in it",
		TO_BALANCER);
	group_notify(&v->m, HOA, COA_B, COA_A, GROUP);
	v->mangle = choice_bad_char;
	v->reason = "bad_field";
	v = add("bad_field_group_name_tail", "GROUP_NOTIFY: a byte other than 0 after the "
		"group name's NUL", TO_BALANCER);
	group_notify(&v->m, HOA, COA_B, COA_A, GROUP);
	v->mangle = group_name_tail;
	v->reason = "bad_field";
	v = add("bad_field_choice_twice", "GROUP_NOTIFY: two choices for one service",
		TO_BALANCER);
	group_notify(&v->m, HOA, COA_B, COA_A, GROUP);
	v->mangle = choice_same_service;
	v->reason = "bad_field";
	v = add("unknown_group_notify", "a valid GROUP_NOTIFY for group lb-db: the balancer "
		"is a member of lb-web", TO_BALANCER);
	group_notify(&v->m, HOA, COA_B, COA_A, GROUP_2);
	v->reason = "unknown_group";
	v = add("unknown_group_snapshot", "a valid GROUP_SNAPSHOT for group lb-api",
		TO_BALANCER);
	group_snapshot(&v->m, 1);
	snprintf(v->m.group_snapshot.group, sizeof(v->m.group_snapshot.group), "lb-api");
	v->reason = "unknown_group";
	v = add("unknown_group_subscribe", "a valid GROUP_SUBSCRIBE naming group lb-api, which "
		"the agent does not have", TO_AGENT);
	group_subscribe(&v->m, HOA, "lb-api");
	v->member = true;
	v->reason = "unknown_group";
	v = add("wrong_group_subscribe", "a valid GROUP_SUBSCRIBE naming lb-db from a member "
		"of lb-web", TO_AGENT);
	group_subscribe(&v->m, HOA, GROUP_2);
	v->member = true;
	v->reason = "wrong_group";
	v = add("wrong_group_not_member", "a valid GROUP_SUBSCRIBE naming lb-web from a peer "
		"in no group", TO_AGENT);
	group_subscribe(&v->m, HOA, GROUP);
	v->reason = "wrong_group";
	v = add("wrong_group_plain_subscribe", "a valid SUBSCRIBE (no group) from a member of "
		"lb-web: members subscribe as members", TO_AGENT);
	subscribe(&v->m, HOA);
	v->member = true;
	v->reason = "wrong_group";
	v = add("not_authoritative_group_notify", "a valid GROUP_NOTIFY for 2001:db8:200::7, "
		"outside the home_prefix", TO_BALANCER);
	group_notify(&v->m, HOA_OUT, COA_B, NULL, GROUP);
	v->reason = "not_authoritative";
	v = add("replay_group_notify", "a GROUP_NOTIFY whose sequence equals the last "
		"accepted", TO_BALANCER);
	group_notify(&v->m, HOA, COA_B, COA_A, GROUP);
	v->last_seq = v->m.seq;
	v->reason = "replay";
	v = add("bad_mac_group_notify", "a GROUP_NOTIFY whose backend name was changed after "
		"signing", TO_BALANCER);
	group_notify(&v->m, HOA, COA_B, COA_A, GROUP);
	v->mangle = choice_forged;
	v->reason = "bad_mac";
}

/* ---- session sync (docs/protocol.md, "Session sync") ------------------- */

#define LB2_ADDR  "2001:db8:ff::2"          /* another balancer of the group */
#define SYNC_PORT 5401
#define SYNC_VIP  "2001:db8::80"     /* the sync vectors' service */

static const char *space_name(__u8 s)
{
	return s == MIP6LB_SPACE_ADDR ? "addr" : s == MIP6LB_SPACE_SPI ? "spi" :
	       s == MIP6LB_SPACE_IID ? "iid" : "?";
}

static const char *kind_name6(__u8 k)
{
	static const char *const n[] = { "none", "hoa", "spi", "iid", "src", "coa" };

	return k < 6 ? n[k] : "?";
}

static json_object *sync_msg_json(const struct proto_msg *m)
{
	json_object *o = json_object_new_object(), *b = json_object_new_object(), *es;
	char t[INET6_ADDRSTRLEN];
	int i;

	json_object_object_add(o, "type", jstr(proto_type_name(m->type)));
	json_object_object_add(o, "sender_id", jint(m->sender_id));
	json_object_object_add(o, "key_id", jint(m->key_id));
	json_object_object_add(o, "sequence", jint((__s64)m->seq));
	json_object_object_add(o, "timestamp", jint((__s64)m->timestamp_ms));
	if (m->type == PROTO_SYNC_REQUEST) {
		json_object_object_add(b, "request_id", jint(m->sync_req.request_id));
		json_object_object_add(o, "body", b);
		return o;
	}
	json_object_object_add(b, "count", jint(m->sync.count));
	json_object_object_add(b, "flags", jint(m->sync.flags));
	json_object_object_add(b, "request_id", jint(m->sync.request_id));
	es = json_object_new_array();
	for (i = 0; i < m->sync.count; i++) {
		const struct sync_entry *e = &m->sync.entries[i];
		json_object *eo = json_object_new_object();

		json_object_object_add(eo, "vip", jstr(fmt6(&e->vip, t)));
		json_object_object_add(eo, "proto", jint(e->proto));
		json_object_object_add(eo, "port", jint(e->port));
		json_object_object_add(eo, "space", jstr(space_name(e->space)));
		if (e->space == MIP6LB_SPACE_ADDR)
			json_object_object_add(eo, "identity", jstr(fmt6(&e->id.addr, t)));
		else if (e->space == MIP6LB_SPACE_SPI)
			json_object_object_add(eo, "identity", jint(e->id.spi));
		else
			json_object_object_add(eo, "identity", jhex(e->id.iid, 8));
		json_object_object_add(eo, "kind", jstr(kind_name6(e->kind)));
		json_object_object_add(eo, "backend", jstr(e->backend));
		json_object_object_add(eo, "lifetime", jint(e->lifetime_s));
		json_object_object_add(eo, "remaining", jint(e->remaining_s));
		json_object_object_add(eo, "anchor", jint(e->anchor));
		json_object_array_add(es, eo);
	}
	json_object_object_add(b, "entries", es);
	json_object_object_add(o, "body", b);
	return o;
}

static void sync_entry_v(struct sync_entry *e, __u8 kind, const char *id, const char *be,
			 __u32 remaining, __u32 anchor)
{
	memset(e, 0, sizeof(*e));
	a6(&e->vip, SYNC_VIP);
	e->proto = 17;
	e->port = 80;
	e->kind = kind;
	e->space = mip6lb_kind_space(kind);
	if (e->space == MIP6LB_SPACE_ADDR)
		a6(&e->id.addr, id);
	else if (e->space == MIP6LB_SPACE_SPI)
		e->id.spi = 0xc0ffee01;
	else
		memcpy(e->id.iid, "\x02\x16\x3e\xff\xfe\x12\x34\x56", 8);
	sync_entry_set_name(e, be);
	e->lifetime_s = 300;
	e->remaining_s = remaining;
	e->anchor = anchor;
}

static void sync_live(struct proto_msg *m)
{
	hdr(m, PROTO_SYNC_SESSIONS, LB_SENDER, SEQ0, NOW_MS);
	sync_entry_v(&m->sync.entries[0], MIP6LB_KIND_HOA, HOA, "s2", 280, 0x1234abcd);
	sync_entry_v(&m->sync.entries[1], MIP6LB_KIND_SPI, NULL, "s1", 300, 0x0badf00d);
	sync_entry_v(&m->sync.entries[2], MIP6LB_KIND_IID, NULL, "web-3", 12, 0);
	m->sync.count = 3;
}

static void sync_count_up(__u8 *b, size_t *len) { b[PROTO_HDR_LEN + 1]++; resign(b, *len); }
/* the first entry's name byte */
static void sync_bad_name(__u8 *b, size_t *len)
{
	b[PROTO_HDR_LEN + SYNC_FIXED_LEN + SYNC_ENTRY_FIXED_LEN] = '/';
	resign(b, *len);
}
/* the first entry's kind: spi, its space addr */
static void sync_bad_kind(__u8 *b, size_t *len)
{
	b[PROTO_HDR_LEN + SYNC_FIXED_LEN + 36] = MIP6LB_KIND_SPI;
	resign(b, *len);
}

static struct vec svecs[16];
static int n_svecs;

static struct vec *sadd(const char *name, const char *description)
{
	struct vec *v = &svecs[n_svecs++];

	memset(v, 0, sizeof(*v));
	v->name = name;
	v->description = description;
	return v;
}

static void build_sync(void)
{
	struct vec *v;

	v = sadd("sync_sessions", "SYNC_SESSIONS, live: a hoa, an spi and an iid session of "
		 "service [2001:db8::80]:udp/80");
	sync_live(&v->m);
	v = sadd("sync_sessions_bulk_last", "SYNC_SESSIONS flagged BULK|LAST answering request "
		 "0x5eed0001: one coa session, the end of the answer");
	hdr(&v->m, PROTO_SYNC_SESSIONS, LB_SENDER, SEQ0, NOW_MS);
	sync_entry_v(&v->m.sync.entries[0], MIP6LB_KIND_COA, COA_A, "s3", 299, 7);
	v->m.sync.count = 1;
	v->m.sync.flags = SYNC_F_BULK | SYNC_F_LAST;
	v->m.sync.request_id = 0x5eed0001;
	v = sadd("sync_sessions_empty_last", "SYNC_SESSIONS, no entry, BULK|LAST: a peer with "
		 "nothing to share answers so");
	hdr(&v->m, PROTO_SYNC_SESSIONS, LB_SENDER, SEQ0, NOW_MS);
	v->m.sync.flags = SYNC_F_BULK | SYNC_F_LAST;
	v->m.sync.request_id = 0x5eed0001;
	v = sadd("sync_request", "SYNC_REQUEST 0x5eed0001: send me your sessions");
	hdr(&v->m, PROTO_SYNC_REQUEST, LB_SENDER, SEQ0, NOW_MS);
	v->m.sync_req.request_id = 0x5eed0001;
	v = sadd("sync_truncated", "SYNC_SESSIONS without its last byte");
	sync_live(&v->m);
	v->mangle = cut_last;
	v->reason = "truncated";
	v = sadd("sync_bad_mac", "SYNC_SESSIONS with one MAC bit flipped");
	sync_live(&v->m);
	v->mangle = flip_mac;
	v->reason = "bad_mac";
	v = sadd("sync_forged_body", "SYNC_SESSIONS with a body bit flipped, MAC not redone");
	sync_live(&v->m);
	v->mangle = flip_body;
	v->reason = "bad_mac";
	v = sadd("sync_replay", "SYNC_SESSIONS whose sequence the receiver already accepted");
	sync_live(&v->m);
	v->last_seq = SEQ0;
	v->reason = "replay";
	v = sadd("sync_bad_count", "count one more than the entries (MAC valid)");
	sync_live(&v->m);
	v->mangle = sync_count_up;
	v->reason = "bad_field";
	v = sadd("sync_bad_name", "a backend name with '/' (MAC valid)");
	sync_live(&v->m);
	v->mangle = sync_bad_name;
	v->reason = "bad_field";
	v = sadd("sync_bad_kind", "kind spi in the address keyspace (MAC valid)");
	sync_live(&v->m);
	v->mangle = sync_bad_kind;
	v->reason = "bad_field";
}

static json_object *sync_vectors_json(void)
{
	json_object *arr = json_object_new_array(), *o, *p, *st, *ls, *src, *ex;
	__u8 buf[PROTO_MAX_MSG + 8];
	char t[32];
	size_t len;
	int i, rc;

	build_sync();
	for (i = 0; i < n_svecs; i++) {
		struct vec *v = &svecs[i];

		rc = proto_encode(&v->m, key_lb_ha, 32, buf, sizeof(buf));
		if (rc < 0) {
			fprintf(stderr, "protovectors: %s: encode: %d\n", v->name, rc);
			exit(1);
		}
		len = rc;
		if (v->mangle)
			v->mangle(buf, &len);
		o = json_object_new_object();
		json_object_object_add(o, "name", jstr(v->name));
		json_object_object_add(o, "description", jstr(v->description));
		json_object_object_add(o, "receiver", jstr("balancer"));
		p = json_object_new_object();
		json_object_object_add(p, "addr", jstr(LB2_ADDR));
		json_object_object_add(p, "port", jint(SYNC_PORT));
		json_object_object_add(p, "role", jstr("balancer"));
		json_object_object_add(p, "key", jhex(key_lb_ha, 32));
		json_object_object_add(p, "key_id", jint(1));
		json_object_object_add(p, "window_ms", jint(PROTO_DEFAULT_WINDOW_MS));
		json_object_object_add(o, "peer", p);
		json_object_object_add(o, "key", jhex(key_lb_ha, 32));
		json_object_object_add(o, "key_id", jint(v->m.key_id));
		json_object_object_add(o, "sender_id", jint(v->m.sender_id));
		st = json_object_new_object();
		ls = json_object_new_object();
		if (v->last_seq) {
			snprintf(t, sizeof(t), "%u", v->m.sender_id);
			json_object_object_add(ls, t, jint((__s64)v->last_seq));
		}
		json_object_object_add(st, "last_seq", ls);
		json_object_object_add(o, "state", st);
		json_object_object_add(o, "now_ms", jint((__s64)NOW_MS));
		src = json_object_new_object();
		json_object_object_add(src, "addr", jstr(LB2_ADDR));
		json_object_object_add(src, "port", jint(SYNC_PORT));
		json_object_object_add(o, "source", src);
		json_object_object_add(o, "datagram", jhex(buf, len));
		ex = json_object_new_object();
		if (v->reason) {
			json_object_object_add(ex, "result", jstr("rejected"));
			json_object_object_add(ex, "reason", jstr(v->reason));
		} else {
			json_object_object_add(ex, "result", jstr("accepted"));
			json_object_object_add(ex, "message", sync_msg_json(&v->m));
		}
		json_object_object_add(o, "expect", ex);
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *peer_json(enum recv_end to, bool member)
{
	json_object *p = json_object_new_object(), *pf;

	json_object_object_add(p, "addr", jstr(to == TO_BALANCER ? HA_ADDR : LB_ADDR));
	json_object_object_add(p, "port", jint(PORT));
	json_object_object_add(p, "key", jhex(key_lb_ha, sizeof(key_lb_ha)));
	json_object_object_add(p, "key_id", jint(1));
	json_object_object_add(p, "window_ms", jint(PROTO_DEFAULT_WINDOW_MS));
	if (to == TO_BALANCER) {
		/* The balancer's own [daemon] notify_group. */
		json_object_object_add(p, "group", jstr(GROUP));
		json_object_object_add(p, "role", jstr("ha"));
		pf = json_object_new_array();
		json_object_array_add(pf, jstr(HOME_PFX));
		json_object_object_add(p, "home_prefix", pf);
	} else {
		/* The agent's [group] sections, and the one this peer is in. */
		pf = json_object_new_array();
		json_object_array_add(pf, jstr(GROUP));
		json_object_array_add(pf, jstr(GROUP_2));
		json_object_object_add(p, "groups", pf);
		json_object_object_add(p, "group", member ? jstr(GROUP) : NULL);
	}
	return p;
}

int main(void)
{
	json_object *top, *arr, *o, *st, *src, *ex, *subs, *sub, *ls;
	__u8 buf[PROTO_MAX_MSG + 8];
	char t[INET6_ADDRSTRLEN + 16];
	size_t len;
	int i, rc;

	if (proto_init())
		return 1;
	for (i = 0; i < 32; i++) {
		key_lb_ha[i] = i;
		key_other[i] = 0xa0 + i;
	}
	build();

	top = json_object_new_object();
	json_object_object_add(top, "description", jstr(
		"Test vectors of mip6lb's binding-notification protocol, version 1 "
		"(docs/protocol.md). Each vector: a receiver ('balancer' or 'agent') with one "
		"configured peer and that peer's state before the datagram, the receiver's clock "
		"(now_ms), the datagram (hex) and its source address and port, and the expected "
		"result: accepted with the decoded message, or rejected with the reason as the "
		"counters name it. Balancer groups: a balancer's peer object carries 'group', "
		"the balancer's own notify_group; an agent's carries 'groups', the agent's "
		"[group] names, and 'group', the one this peer is a member of (null: none). "
		"Generated by selftests/tools/protovectors.c (make vectors) "
		"from the real encoder; checked by selftests/unit/test_proto.c. sync_vectors: the "
		"session-sync messages between balancers, the same layout, checked by "
		"selftests/unit/test_sync.c."));
	json_object_object_add(top, "protocol_version", jint(PROTO_VERSION));
	json_object_object_add(top, "balancer_sender_id", jint(LB_SENDER));
	json_object_object_add(top, "agent_sender_id", jint(HA_SENDER));
	arr = json_object_new_array();
	for (i = 0; i < n_vecs; i++) {
		struct vec *v = &vecs[i];
		const __u8 *k = v->sign_key ? v->sign_key : key_lb_ha;

		rc = proto_encode(&v->m, k, 32, buf, sizeof(buf));
		if (rc < 0) {
			fprintf(stderr, "protovectors: %s: encode: %d\n", v->name, rc);
			return 1;
		}
		len = rc;
		if (v->mangle)
			v->mangle(buf, &len);

		o = json_object_new_object();
		json_object_object_add(o, "name", jstr(v->name));
		json_object_object_add(o, "description", jstr(v->description));
		json_object_object_add(o, "receiver", jstr(v->to == TO_BALANCER ? "balancer" : "agent"));
		json_object_object_add(o, "peer", peer_json(v->to, v->member));
		json_object_object_add(o, "key", jhex(k, 32));
		json_object_object_add(o, "key_id", jint(v->m.key_id));
		json_object_object_add(o, "sender_id", jint(v->m.sender_id));
		st = json_object_new_object();
		ls = json_object_new_object();
		if (v->last_seq) {
			snprintf(t, sizeof(t), "%u", v->m.sender_id);
			json_object_object_add(ls, t, jint((__s64)v->last_seq));
		}
		json_object_object_add(st, "last_seq", ls);
		subs = json_object_new_array();
		if (v->sub_pending) {
			sub = json_object_new_object();
			json_object_object_add(sub, "home_address", jstr(v->sub_home));
			json_object_object_add(sub, "sequence", jint((__s64)v->sub_seq));
			json_object_array_add(subs, sub);
		}
		if (v->to == TO_BALANCER)
			json_object_object_add(st, "subscriptions_pending", subs);
		else
			json_object_put(subs);
		json_object_object_add(o, "state", st);
		json_object_object_add(o, "now_ms", jint((__s64)NOW_MS));
		src = json_object_new_object();
		json_object_object_add(src, "addr", jstr(v->src ? v->src :
						v->to == TO_BALANCER ? HA_ADDR : LB_ADDR));
		json_object_object_add(src, "port", jint(v->sport ? v->sport : PORT));
		json_object_object_add(o, "source", src);
		json_object_object_add(o, "datagram", jhex(buf, len));
		ex = json_object_new_object();
		if (v->reason) {
			json_object_object_add(ex, "result", jstr("rejected"));
			json_object_object_add(ex, "reason", jstr(v->reason));
		} else {
			json_object_object_add(ex, "result", jstr("accepted"));
			json_object_object_add(ex, "message", msg_json(&v->m));
		}
		json_object_object_add(o, "expect", ex);
		json_object_array_add(arr, o);
	}
	json_object_object_add(top, "vectors", arr);
	/* Between balancers of a group: their own peer (role balancer). */
	json_object_object_add(top, "sync_vectors", sync_vectors_json());
	puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(top);
	return 0;
}
