// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_sync.c - session sync (loader/sync.h, lib/sync_codec.h): the
 * codec (round trip, every truncation point, bad MAC, replay), the apply
 * rules over real maps (new, same backend, conflict, unknown service or
 * backend, coa), and the bulk request and answer between two in-process
 * instances over loopback sockets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include "harness.h"
#include "daemonfix.h"
#include "dpmaps.h"
#include "hash.h"
#include "proto.h"
#include "peer_link.h"
#include "sync.h"

static const __u8 key[32] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};

static struct in6_addr A(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* One entry of each keyspace and kind. */
static void fill(struct sync_sessions *b)
{
	static const struct {
		__u8 kind, space;
		const char *id, *be;
	} rows[] = {
		{ MIP6LB_KIND_HOA, MIP6LB_SPACE_ADDR, "2001:db8:100::1", "s1" },
		{ MIP6LB_KIND_SRC, MIP6LB_SPACE_ADDR, "2001:db8:a::7", "backend-with.a_long-name" },
		{ MIP6LB_KIND_COA, MIP6LB_SPACE_ADDR, "2001:db8:b::7", "s3" },
		{ MIP6LB_KIND_SPI, MIP6LB_SPACE_SPI, NULL, "s2" },
		{ MIP6LB_KIND_IID, MIP6LB_SPACE_IID, NULL, "s1" },
	};
	size_t i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sync_entry *e = &b->entries[i];

		e->vip = A("2001:db8::80");
		e->port = 80;
		e->proto = 17;
		e->kind = rows[i].kind;
		e->space = rows[i].space;
		if (rows[i].id)
			e->id.addr = A(rows[i].id);
		else if (e->space == MIP6LB_SPACE_SPI)
			e->id.spi = 0x11223344;
		else
			memcpy(e->id.iid, "\x02\x11\x22\xff\xfe\x33\x44\x55", 8);
		ck_assert_int_eq(sync_entry_set_name(e, rows[i].be), 0);
		e->lifetime_s = 300;
		e->remaining_s = 300 - (__u32)i;
		e->anchor = 0xabcd0000 + (__u32)i;
	}
	b->count = (__u16)i;
}

static int encode(struct proto_msg *m, __u64 seq, __u8 *buf)
{
	m->sender_id = 1;
	m->key_id = 1;
	m->seq = seq;
	m->timestamp_ms = seq / 1000;
	return proto_encode(m, key, sizeof(key), buf, PROTO_MAX_MSG);
}

START_TEST(test_codec_roundtrip_and_truncation)
{
	static struct proto_msg m, out;
	__u8 buf[PROTO_MAX_MSG];
	int len, i, cut;

	ck_assert_int_eq(proto_init(), 0);
	memset(&m, 0, sizeof(m));
	m.type = PROTO_SYNC_SESSIONS;
	fill(&m.sync);
	len = encode(&m, 1700000000000000ULL, buf);
	ck_assert_int_gt(len, PROTO_MIN_MSG);
	ck_assert_int_eq(proto_decode(buf, len, &out), 0);
	ck_assert_int_eq(out.type, PROTO_SYNC_SESSIONS);
	ck_assert_int_eq(out.sync.count, m.sync.count);
	for (i = 0; i < m.sync.count; i++)
		ck_assert_mem_eq(&out.sync.entries[i], &m.sync.entries[i],
				 sizeof(struct sync_entry));
	/* Every shorter length is refused, never a crash or a success. */
	for (cut = 0; cut < len; cut++)
		ck_assert_int_eq(proto_decode(buf, cut, &out), -PROTO_R_TRUNCATED);
	/* A body whose entries do not add up: re-MACed, still bad_field. */
	buf[PROTO_HDR_LEN + 1]--;           /* count - 1 */
	ck_assert_int_eq(proto_sign(buf, len, key, sizeof(key)), 0);
	ck_assert_int_eq(proto_decode(buf, len, &out), -PROTO_R_BAD_FIELD);

	memset(&m, 0, sizeof(m));
	m.type = PROTO_SYNC_REQUEST;
	m.sync_req.request_id = 0x01020304;
	len = encode(&m, 1700000000000001ULL, buf);
	ck_assert_int_eq(len, PROTO_MIN_MSG + SYNC_REQUEST_LEN);
	ck_assert_int_eq(proto_decode(buf, len, &out), 0);
	ck_assert_uint_eq(out.sync_req.request_id, 0x01020304);
	for (cut = 0; cut < len; cut++)
		ck_assert_int_eq(proto_decode(buf, cut, &out), -PROTO_R_TRUNCATED);
}
END_TEST

/* Fields a sender must not emit: encode refuses them (-EINVAL). */
START_TEST(test_codec_refuses_bad_fields)
{
	static struct proto_msg m;
	__u8 buf[PROTO_MAX_MSG];
	int i;

	for (i = 0; i < 6; i++) {
		memset(&m, 0, sizeof(m));
		m.type = PROTO_SYNC_SESSIONS;
		fill(&m.sync);
		switch (i) {
		case 0: m.sync.entries[0].kind = MIP6LB_KIND_SPI; break;     /* space mismatch */
		case 1: m.sync.entries[1].remaining_s = 301; break;          /* > lifetime */
		case 2: m.sync.entries[2].backend[0] = '/'; break;           /* name alphabet */
		case 3: m.sync.flags = SYNC_F_LAST; break;                   /* LAST without BULK */
		case 4: m.sync.flags = SYNC_F_BULK; break;                   /* BULK, request 0 */
		case 5: m.sync.entries[3].id.addr.s6_addr[8] = 1; break;     /* SPI's zero bytes */
		}
		ck_assert_msg(encode(&m, 1700000000000000ULL, buf) == -EINVAL, "case %d", i);
	}
}
END_TEST

START_TEST(test_codec_bad_mac_and_replay)
{
	static struct proto_msg m, out;
	struct proto_peer_state ps;
	__u8 buf[PROTO_MAX_MSG];
	__u64 seq = 1700000000000000ULL;
	int len;

	ck_assert_int_eq(proto_peer_init(&ps, 1, 1, key, sizeof(key)), 0);
	memset(&m, 0, sizeof(m));
	m.type = PROTO_SYNC_SESSIONS;
	fill(&m.sync);
	len = encode(&m, seq, buf);
	buf[PROTO_HDR_LEN + 20] ^= 1;       /* a VIP bit */
	ck_assert_int_eq(proto_accept(&ps, buf, len, seq / 1000, &out), -PROTO_R_BAD_MAC);
	ck_assert_uint_eq(ps.last_seq, 0);
	buf[PROTO_HDR_LEN + 20] ^= 1;
	ck_assert_int_eq(proto_accept(&ps, buf, len, seq / 1000, &out), 0);
	ck_assert_int_eq(proto_accept(&ps, buf, len, seq / 1000, &out), -PROTO_R_REPLAY);
	ck_assert_uint_eq(ps.rejected[PROTO_R_BAD_MAC], 1);
	ck_assert_uint_eq(ps.rejected[PROTO_R_REPLAY], 1);
}
END_TEST

/* docs/protocol-vectors.json's sync_vectors through the real acceptance
 * path: each expected outcome was written by hand in protovectors.c; an
 * accepted one re-encodes to its own bytes. */
static size_t unhex(const char *h, __u8 *out, size_t cap)
{
	size_t n = strlen(h) / 2, i;
	unsigned int b;

	ck_assert_uint_le(n, cap);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sscanf(h + 2 * i, "%2x", &b), 1);
		out[i] = (__u8)b;
	}
	return n;
}

static const char *jget(struct json_object *o, const char *k)
{
	struct json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no '%s'", k);
	return json_object_get_string(v);
}

START_TEST(test_sync_vectors)
{
	char path[4096];
	struct json_object *top, *arr, *v, *st, *ls, *ex, *msg, *body;
	static struct proto_msg out, again;
	struct proto_peer_state ps;
	__u8 k[64], dg[PROTO_MAX_MSG + 8], re[PROTO_MAX_MSG];
	size_t i, kl, dl;
	int rc, n_acc = 0, n_rej = 0;

	ck_assert_int_eq(proto_init(), 0);
	snprintf(path, sizeof(path), "%s/docs/protocol-vectors.json", harness_src_dir());
	top = json_object_from_file(path);
	ck_assert_ptr_nonnull(top);
	ck_assert(json_object_object_get_ex(top, "sync_vectors", &arr));
	ck_assert_uint_ge(json_object_array_length(arr), 10);
	for (i = 0; i < json_object_array_length(arr); i++) {
		__u32 sender;

		v = json_object_array_get_idx(arr, i);
		kl = unhex(jget(v, "key"), k, sizeof(k));
		sender = (__u32)atoll(jget(v, "sender_id"));
		ck_assert_int_eq(proto_peer_init(&ps, sender, (__u32)atoll(jget(v, "key_id")), k, kl), 0);
		json_object_object_get_ex(v, "state", &st);
		json_object_object_get_ex(st, "last_seq", &ls);
		json_object_object_foreach(ls, sid, seqv) {
			ck_assert_uint_eq((__u32)atoll(sid), sender);
			ps.last_seq = (__u64)json_object_get_int64(seqv);
		}
		dl = unhex(jget(v, "datagram"), dg, sizeof(dg));
		rc = proto_accept(&ps, dg, dl, (__u64)json_object_get_int64(
				  json_object_object_get(v, "now_ms")), &out);
		json_object_object_get_ex(v, "expect", &ex);
		if (!strcmp(jget(ex, "result"), "rejected")) {
			ck_assert_msg(rc < 0, "%s: accepted", jget(v, "name"));
			ck_assert_str_eq(proto_reason_name(rc), jget(ex, "reason"));
			n_rej++;
			continue;
		}
		ck_assert_msg(rc == 0, "%s: %s", jget(v, "name"), proto_reason_name(rc));
		json_object_object_get_ex(ex, "message", &msg);
		ck_assert_str_eq(proto_type_name(out.type), jget(msg, "type"));
		json_object_object_get_ex(msg, "body", &body);
		ck_assert_uint_eq(out.type == PROTO_SYNC_REQUEST ? out.sync_req.request_id
								  : out.sync.request_id,
				  (__u32)atoll(jget(body, "request_id")));
		if (out.type == PROTO_SYNC_SESSIONS) {
			struct json_object *es = json_object_object_get(body, "entries");
			int e;

			ck_assert_int_eq(out.sync.count, json_object_array_length(es));
			for (e = 0; e < out.sync.count; e++) {
				struct json_object *eo = json_object_array_get_idx(es, e);

				ck_assert_str_eq(out.sync.entries[e].backend, jget(eo, "backend"));
				ck_assert_uint_eq(out.sync.entries[e].remaining_s,
						  (__u32)atoll(jget(eo, "remaining")));
			}
		}
		again = out;
		ck_assert_int_eq(proto_encode(&again, k, kl, re, sizeof(re)), (int)dl);
		ck_assert_mem_eq(re, dg, dl);
		n_acc++;
	}
	ck_assert_int_ge(n_acc, 4);
	ck_assert_int_ge(n_rej, 6);
	json_object_put(top);
}
END_TEST

/* ---- over real maps ------------------------------------------------------ */

#define CFG \
	"[daemon]\n" \
	"[service web]\nvip = 2001:db8::80\nproto = udp\nport = 80\nlifetime = 300\n" \
	"[backend web s1]\naddr = 2001:db8:1::1\nmac = 02:be:00:00:00:01\ndev = lo\n" \
	"[backend web s2]\naddr = 2001:db8:1::2\nmac = 02:be:00:00:00:02\ndev = lo\n" \
	"[backend web s3]\naddr = 2001:db8:1::3\nmac = 02:be:00:00:00:03\ndev = lo\n"

static struct dfx fa, fb;

static void entry(struct sync_entry *e, const char *id, __u8 kind, const char *be)
{
	memset(e, 0, sizeof(*e));
	e->vip = A("2001:db8::80");
	e->port = 80;
	e->proto = 17;
	e->kind = kind;
	e->space = MIP6LB_SPACE_ADDR;
	e->id.addr = A(id);
	ck_assert_int_eq(sync_entry_set_name(e, be), 0);
	e->lifetime_s = 300;
	e->remaining_s = 200;
}

static struct mip6lb_session_key skey(struct dfx *f, const char *id)
{
	struct mip6lb_session_key k;

	memset(&k, 0, sizeof(k));
	k.service_id = dfx_svc(f, "web");
	k.space = MIP6LB_SPACE_ADDR;
	k.id.addr = A(id);
	return k;
}

START_TEST(test_apply_rules)
{
	struct mip6lb_session_key k;
	struct mip6lb_session v, local;
	struct sync_entry e;
	__u64 now = dp_now_ns();

	static struct sync_rings rc;

	dfx_open(&fa);
	dfx_apply(&fa, CFG);

	/* New: written with the sender's lifetime left, flagged SYNCED. */
	entry(&e, "2001:db8:100::1", MIP6LB_KIND_HOA, "s2");
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, &rc, &e, now), SYNC_A_NEW);
	k = skey(&fa, "2001:db8:100::1");
	ck_assert_int_eq(bpf_map_lookup_elem(fa.dp.maps.sessions, &k, &v), 0);
	ck_assert_uint_eq(v.backend_id, dfx_be(&fa, "web", "s2"));
	ck_assert_uint_eq(v.flags, MIP6LB_SESS_SYNCED);
	ck_assert_uint_eq(v.last_used_ns, now - 100ULL * 1000000000ULL);
	/* Same backend, more left: the last use moves on. */
	e.remaining_s = 290;
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, &rc, &e, now), SYNC_A_REFRESHED);
	ck_assert_int_eq(bpf_map_lookup_elem(fa.dp.maps.sessions, &k, &v), 0);
	ck_assert_uint_eq(v.last_used_ns, now - 10ULL * 1000000000ULL);
	/* Less left than the local copy: nothing. */
	e.remaining_s = 100;
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, &rc, &e, now), SYNC_A_UNCHANGED);
	/* Another backend: the live local decision stays. */
	e.remaining_s = 300;
	ck_assert_int_eq(sync_entry_set_name(&e, "s3"), 0);
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, &rc, &e, now), SYNC_A_CONFLICT);
	ck_assert_int_eq(bpf_map_lookup_elem(fa.dp.maps.sessions, &k, &v), 0);
	ck_assert_uint_eq(v.backend_id, dfx_be(&fa, "web", "s2"));
	/* A local session (not from sync), other backend: conflict too. */
	k = skey(&fa, "2001:db8:100::2");
	local = (struct mip6lb_session){ .backend_id = dfx_be(&fa, "web", "s1"),
					 .kind = MIP6LB_KIND_SRC, .lifetime_s = 300,
					 .last_used_ns = now };
	ck_assert_int_eq(bpf_map_update_elem(fa.dp.maps.sessions, &k, &local, BPF_ANY), 0);
	entry(&e, "2001:db8:100::2", MIP6LB_KIND_SRC, "s3");
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, &rc, &e, now), SYNC_A_CONFLICT);
	/* Unknown service and backend: skipped, nothing written. */
	entry(&e, "2001:db8:100::3", MIP6LB_KIND_HOA, "s1");
	e.port = 81;
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, &rc, &e, now), SYNC_A_UNKNOWN_SERVICE);
	entry(&e, "2001:db8:100::3", MIP6LB_KIND_HOA, "s9");
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, &rc, &e, now), SYNC_A_UNKNOWN_BACKEND);
	k = skey(&fa, "2001:db8:100::3");
	ck_assert_int_ne(bpf_map_lookup_elem(fa.dp.maps.sessions, &k, &v), 0);
	/* A coa session goes into coa_sessions. */
	entry(&e, "2001:db8:c0a::1", MIP6LB_KIND_COA, "s1");
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, &rc, &e, now), SYNC_A_NEW);
	k = skey(&fa, "2001:db8:c0a::1");
	ck_assert_int_eq(bpf_map_lookup_elem(fa.dp.maps.coa_sessions, &k, &v), 0);
	ck_assert_uint_eq(v.kind, MIP6LB_KIND_COA);
	ck_assert_int_ne(bpf_map_lookup_elem(fa.dp.maps.sessions, &k, &v), 0);
	/* Without the name cache: the same answers. */
	entry(&e, "2001:db8:100::4", MIP6LB_KIND_HOA, "s9");
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, NULL, &e, now),
			 SYNC_A_UNKNOWN_BACKEND);
	entry(&e, "2001:db8:100::4", MIP6LB_KIND_HOA, "s3");
	ck_assert_int_eq(sync_apply_entry(&fa.dp.maps, fa.st, NULL, &e, now), SYNC_A_NEW);
	sync_rings_free(&rc);
	dfx_close(&fa);
}
END_TEST

/* ---- two instances over loopback ---------------------------------------- */

static __u16 free_port(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t sl = sizeof(sa);
	int fd = peer_udp_socket(&sa.sin6_addr, 0, 0);
	__u16 port;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin6_port);
	close(fd);
	return port;
}

static void sync_cfg(struct mip6lb_config *c, struct cfg_peer *p, __u16 mine, __u16 theirs)
{
	memset(c, 0, sizeof(*c));
	memset(p, 0, sizeof(*p));
	c->daemon.sync_addr = in6addr_loopback;
	c->daemon.sync_port = mine;
	c->daemon.sync_refresh_s = 3600;
	c->daemon.sync_bulk_timeout_s = 30;
	strcpy(p->name, "other");
	p->addr = in6addr_loopback;
	p->port = theirs;
	memcpy(p->key, key, sizeof(key));
	p->key_len = sizeof(key);
	p->key_id = 1;
	p->role = CFG_ROLE_BALANCER;
	p->sync_rate = 100000;
	p->sync_queue = 1024;
	c->peers = p;
	c->n_peers = 1;
}

static void pump(struct sync *a, struct sync *b, int rounds)
{
	struct pollfd pfd[2] = { { .fd = sync_fd(a), .events = POLLIN },
				 { .fd = sync_fd(b), .events = POLLIN } };
	int i;

	for (i = 0; i < rounds; i++) {
		poll(pfd, 2, 5);
		sync_on_readable(a, peer_now_ms());
		sync_on_readable(b, peer_now_ms());
		sync_tick(a, peer_now_ms());
		sync_tick(b, peer_now_ms());
	}
}

/* A holds N sessions that differ from the ring (the backend next to the
 * ring's) and one that equals it; B starts and asks: it is ready only
 * after the answer, and has exactly the differing ones. */
START_TEST(test_bulk_request_and_answer)
{
	struct mip6lb_config ca, cb;
	struct cfg_peer pa, pb;
	struct sync *sa = NULL, *sb = NULL;
	struct sync_peer_stats st;
	__u16 porta = free_port(), portb = free_port();
	__u32 ring[MIP6LB_RING_SIZE], be[3], i, rk;
	__u64 now = dp_now_ns();
	const int n = 300;
	int r, differing = 0;

	dfx_open(&fa);
	dfx_apply(&fa, CFG);
	dfx_open(&fb);
	dfx_apply(&fb, CFG);
	be[0] = dfx_be(&fa, "web", "s1");
	be[1] = dfx_be(&fa, "web", "s2");
	be[2] = dfx_be(&fa, "web", "s3");
	for (i = 0; i < MIP6LB_RING_SIZE; i++) {
		rk = dfx_svc(&fa, "web") * MIP6LB_RING_SIZE + i;
		ck_assert_int_eq(bpf_map_lookup_elem(fa.dp.maps.rings, &rk, &ring[i]), 0);
	}
	for (r = 0; r <= n; r++) {
		char id[64];
		struct mip6lb_session_key k;
		struct mip6lb_session v = { .kind = MIP6LB_KIND_HOA, .lifetime_s = 300,
					    .last_used_ns = now };
		__u32 want;

		snprintf(id, sizeof(id), "2001:db8:100::%x", r + 1);
		k = skey(&fa, id);
		want = ring[mip6lb_ring_slot(&k, config_service_hash_id("web"))];
		/* The last one equals the ring: not sent. */
		v.backend_id = r == n ? want : be[(want == be[0]) ? 1 : (want == be[1]) ? 2 : 0];
		differing += r != n;
		ck_assert_int_eq(bpf_map_update_elem(fa.dp.maps.sessions, &k, &v, BPF_NOEXIST), 0);
	}
	sync_cfg(&ca, &pa, porta, portb);
	sync_cfg(&cb, &pb, portb, porta);
	ck_assert_int_eq(sync_open(&sa, &ca, &fa.dp.maps, fa.st, NULL, peer_now_ms()), 0);
	pump(sa, sa, 1);    /* A's request to a B not there yet is lost */
	ck_assert_int_eq(sync_open(&sb, &cb, &fb.dp.maps, fb.st, NULL, peer_now_ms()), 0);
	ck_assert(!sync_ready(sb));
	for (i = 0; i < 200 && !sync_ready(sb); i++)
		pump(sa, sb, 1);
	ck_assert(sync_ready(sb));
	sync_peer_stats(sb, 0, &st);
	ck_assert_uint_eq(st.bulk_received, (__u64)differing);
	ck_assert_uint_eq(st.applied, (__u64)differing);
	ck_assert_uint_eq(st.conflicts, 0);
	for (r = 0; r <= n; r++) {
		char id[64];
		struct mip6lb_session_key ka, kb;
		struct mip6lb_session va, vb;

		snprintf(id, sizeof(id), "2001:db8:100::%x", r + 1);
		ka = skey(&fa, id);
		kb = skey(&fb, id);
		ck_assert_int_eq(bpf_map_lookup_elem(fa.dp.maps.sessions, &ka, &va), 0);
		if (r == n) {
			ck_assert_int_ne(bpf_map_lookup_elem(fb.dp.maps.sessions, &kb, &vb), 0);
			continue;
		}
		ck_assert_int_eq(bpf_map_lookup_elem(fb.dp.maps.sessions, &kb, &vb), 0);
		ck_assert_str_eq(state_backend_name(fb.st, vb.backend_id),
				 state_backend_name(fa.st, va.backend_id));
		ck_assert_uint_eq(vb.flags, MIP6LB_SESS_SYNCED);
	}
	/* B's copies are SYNCED: its refresh walk sends none back. */
	ck_assert_int_eq(sync_walk(sb, true), 0);
	/* A forged batch (bad MAC) and a replay change nothing and count. */
	{
		static struct proto_msg m;
		__u8 buf[PROTO_MAX_MSG];
		struct proto_sender tx;
		struct sync_peer_stats before, after;
		int len;

		memset(&m, 0, sizeof(m));
		m.type = PROTO_SYNC_SESSIONS;
		entry(&m.sync.entries[0], "2001:db8:dead::1", MIP6LB_KIND_HOA, "s1");
		m.sync.count = 1;
		ck_assert_int_eq(proto_sender_init(&tx, 7, 1, key, sizeof(key), proto_now_us()), 0);
		len = proto_sender_encode(&tx, &m, proto_now_us(), buf, sizeof(buf));
		ck_assert_int_gt(len, 0);
		sync_peer_stats(sb, 0, &before);
		buf[len - 1] ^= 1;
		sync_on_datagram(sb, buf, len, &in6addr_loopback, porta, peer_now_ms());
		buf[len - 1] ^= 1;
		sync_on_datagram(sb, buf, len - 1, &in6addr_loopback, porta, peer_now_ms());
		sync_on_datagram(sb, buf, len, &in6addr_loopback, porta, peer_now_ms());
		sync_on_datagram(sb, buf, len, &in6addr_loopback, porta, peer_now_ms());
		sync_peer_stats(sb, 0, &after);
		ck_assert_uint_eq(after.rejected[PROTO_R_BAD_MAC], before.rejected[PROTO_R_BAD_MAC] + 1);
		ck_assert_uint_eq(after.rejected[PROTO_R_TRUNCATED],
				  before.rejected[PROTO_R_TRUNCATED] + 1);
		ck_assert_uint_eq(after.rejected[PROTO_R_REPLAY], before.rejected[PROTO_R_REPLAY] + 1);
		ck_assert_uint_eq(after.applied, before.applied + 1);   /* the genuine one */
	}
	sync_close(sa);
	sync_close(sb);
	dfx_close(&fa);
	dfx_close(&fb);
}
END_TEST

MIP6LB_SUITE(sync, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("codec");
	TCase *tm = tcase_create("maps");

	tcase_add_test(tc, test_codec_roundtrip_and_truncation);
	tcase_add_test(tc, test_codec_refuses_bad_fields);
	tcase_add_test(tc, test_codec_bad_mac_and_replay);
	tcase_add_test(tc, test_sync_vectors);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tm, 60);
	tcase_add_test(tm, test_apply_rules);
	tcase_add_test(tm, test_bulk_request_and_answer);
	suite_add_tcase(s, tm);
	return s;
}
