// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The balancer side of binding notifications against the real datapath:
 * a packet with a Home Address option goes through the XDP program, its
 * ring-buffer event reaches notify_on_event(), a fake Home Agent (or mobile
 * node) socket in the test receives the SUBSCRIBE and answers, and a
 * BINDING_NOTIFY turns into a coa session that plain packets from the new
 * care-of address then hit.  Each test runs in its own network namespace
 * (unshare in Check's forked child) so it can put the peers' addresses on
 * its loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <check.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "harness.h"
#include "dpfixture.h"
#include "config.h"
#include "names.h"
#include "notify.h"
#include "peer_rx.h"
#include "proto.h"

#define VIP      "2001:db8::80"          /* service 0: notify = ha */
#define VIP_OFF  "2001:db8::81"          /* service 1: notify = off */
#define VIP_MN   "2001:db8::82"          /* service 2: notify = mn */
#define LB_ADDR  "2001:db8:ff::1"        /* the balancer's notify_listen */
#define HA_ADDR  "2001:db8:ff::a"        /* the Home Agent's agent */
#define ROGUE    "2001:db8:ff::66"       /* no peer has it */
#define HOA      "2001:db8:100::7"       /* in the HA's home prefix */
#define HOA_2    "2001:db8:100::8"
#define HOA_OUT  "2001:db8:200::7"       /* outside it */
#define COA_A    "2001:db8:a::9f3c:12aa:7d01:e2c4"
#define COA_B    "2001:db8:b::51e2:4c0d:aa13:9b70"
#define COA_C    "2001:db8:c::3311:4c0d:aa13:9b70"
#define MN_HOME  "2001:db8:300::5"       /* a mobile node with its own agent */
#define MN_COA   "2001:db8:d::1e2f:4c0d:aa13:9b70"

#define HA_SENDER 77U
#define MN_SENDER 78U
#define LIFETIME  600U

static struct dpf fx;
static struct notify *nt;
static struct mip6lb_config cfg;
static struct cfg_peer peers[2];
static struct cfg_prefix ha_prefix;
static __u8 ha_key[32], mn_key[32], bad_key[32];

static int ha_fd = -1;          /* the fake Home Agent's agent */
static __u16 ha_port;
static struct proto_sender ha_tx;
static struct proto_peer_state ha_rx;  /* what the HA knows of the balancer */

static const __u32 be3[] = { 0, 1, 2 };
static const __u32 be3b[] = { 3, 4, 5 };
static const __u32 be3c[] = { 6, 7, 8 };

static void sh(const char *cmd)
{
	int rc = system(cmd);

	ck_assert_msg(rc == 0, "'%s' failed (%d)", cmd, rc);
}

static void addr(struct in6_addr *a, const char *text)
{
	ck_assert_int_eq(inet_pton(AF_INET6, text, a), 1);
}

static int udp_bound(const char *text, __u16 *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	socklen_t sl = sizeof(sa);
	int fd;

	addr(&sa.sin6_addr, text);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(!bind(fd, (struct sockaddr *)&sa, sizeof(sa)), "bind %s: %s", text,
		      strerror(errno));
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	if (port)
		*port = ntohs(sa.sin6_port);
	return fd;
}

/* A socket bound to text:port. */
static int udp_bound_port(const char *text, __u16 port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd;

	addr(&sa.sin6_addr, text);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(!bind(fd, (struct sockaddr *)&sa, sizeof(sa)), "bind [%s]:%u: %s", text,
		      port, strerror(errno));
	return fd;
}

static const char *svc_name(void *ctx, __u32 id)
{
	static char buf[16];

	snprintf(buf, sizeof(buf), "svc%u", id);
	return buf;
}

static const char *be_name(void *ctx, __u32 id)
{
	static char buf[16];

	snprintf(buf, sizeof(buf), "be%u", id);
	return buf;
}

static void set_notify_mode(__u32 id, __u8 mode)
{
	struct mip6lb_service s;

	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.service_conf, &id, &s), 0);
	s.notify = mode;
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.service_conf, &id, &s, BPF_ANY), 0);
}

static void setup(void)
{
	struct mip6lb_settings set = { .events_per_sec = 1000 };
	struct dpf_service s0 = { .id = 0, .vip = VIP, .eui64_only = -1 };
	struct dpf_service s1 = { .id = 1, .vip = VIP_OFF, .eui64_only = -1 };
	struct dpf_service s2 = { .id = 2, .vip = VIP_MN, .eui64_only = -1 };
	struct notify_opts opts = {
		.retry_initial_ms = 1000, .retry_max_ms = 4000,
		.names = { .service = svc_name, .backend = be_name },
	};
	__u32 i;

	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	sh("ip link set lo up");
	sh("ip -6 addr add " LB_ADDR "/128 dev lo && ip -6 addr add " HA_ADDR "/128 dev lo && "
	   "ip -6 addr add " ROGUE "/128 dev lo && ip -6 addr add " MN_HOME "/128 dev lo && "
	   "ip -6 addr add " MN_COA "/128 dev lo");

	dpf_open(&fx);
	dpf_add_service(&fx, &s0);
	dpf_add_service(&fx, &s1);
	dpf_add_service(&fx, &s2);
	for (i = 0; i < 9; i++) {
		char a[64];

		snprintf(a, sizeof(a), "2001:db8:1::%u", i + 1);
		dpf_add_backend(&fx, i, i / 3, a);
	}
	dpf_ring(&fx, 0, be3, NULL, 3);
	dpf_ring(&fx, 1, be3b, NULL, 3);
	dpf_ring(&fx, 2, be3c, NULL, 3);
	set_notify_mode(0, MIP6LB_NOTIFY_HA);
	set_notify_mode(2, MIP6LB_NOTIFY_MN);
	ck_assert_int_eq(dp_settings_write(&fx.maps, &set), 0);

	ck_assert_int_eq(proto_init(), 0);
	for (i = 0; i < 32; i++) {
		ha_key[i] = 0x10 + i;
		mn_key[i] = 0x60 + i;
		bad_key[i] = 0xee ^ i;
	}
	ha_fd = udp_bound(HA_ADDR, &ha_port);

	memset(&cfg, 0, sizeof(cfg));
	memset(peers, 0, sizeof(peers));
	addr(&cfg.daemon.notify_addr, LB_ADDR);
	cfg.daemon.notify_port = 0;                 /* ephemeral */
	addr(&ha_prefix.addr, "2001:db8:100::");
	ha_prefix.plen = 48;
	strcpy(peers[0].name, "ha1");
	addr(&peers[0].addr, HA_ADDR);
	peers[0].port = ha_port;
	memcpy(peers[0].key, ha_key, 32);
	peers[0].key_len = 32;
	peers[0].key_id = 1;
	peers[0].role = MIP6LB_NOTIFY_HA;
	peers[0].home_prefixes = &ha_prefix;
	peers[0].n_home_prefixes = 1;
	strcpy(peers[1].name, "mn1");
	addr(&peers[1].addr, MN_HOME);
	peers[1].port = 0;                          /* set by the mn tests */
	memcpy(peers[1].key, mn_key, 32);
	peers[1].key_len = 32;
	peers[1].key_id = 2;
	peers[1].role = MIP6LB_NOTIFY_MN;
	cfg.peers = peers;
	cfg.n_peers = 2;

	ck_assert_int_eq(notify_open(&nt, &cfg, &fx.maps, &opts), 0);
	ck_assert_int_gt(notify_port(nt), 0);

	ck_assert_int_eq(proto_sender_init(&ha_tx, HA_SENDER, 1, ha_key, 32, proto_now_us()), 0);
	ck_assert_int_eq(proto_peer_init(&ha_rx, NOTIFY_DEFAULT_SENDER_ID, 1, ha_key, 32), 0);
}

static void teardown(void)
{
	notify_close(nt);
	nt = NULL;
	if (ha_fd >= 0)
		close(ha_fd);
	ha_fd = -1;
	dpf_close(&fx);
}

/* ---- the peers' side ---- */

/* Receive one datagram within timeout_ms, or return -ETIMEDOUT. */
static int recv_within(int fd, int timeout_ms, __u8 *buf, size_t len, size_t *got)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t r;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	r = recv(fd, buf, len, 0);
	ck_assert_int_gt(r, 0);
	*got = r;
	return 0;
}

/* The next message to the fake agent on fd, accepted with its view of
 * the balancer's key. */
static void peer_expect(int fd, struct proto_peer_state *rx, int type, struct proto_msg *m)
{
	__u8 buf[PROTO_MAX_MSG];
	size_t len;
	int rc;

	ck_assert_msg(!recv_within(fd, 1000, buf, sizeof(buf), &len), "no datagram");
	rc = proto_accept(rx, buf, len, proto_now_ms(), m);
	ck_assert_msg(rc == 0, "agent rejected it: %s", proto_reason_name(rc));
	ck_assert_int_eq(m->type, type);
}

static void peer_expect_nothing(int fd)
{
	__u8 buf[PROTO_MAX_MSG];
	size_t len;

	ck_assert_int_eq(recv_within(fd, 0, buf, sizeof(buf), &len), -ETIMEDOUT);
}

static void send_raw(int fd, const __u8 *buf, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(notify_port(nt)) };

	addr(&to.sin6_addr, LB_ADDR);
	ck_assert_int_eq(sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)), (ssize_t)len);
}

static size_t peer_encode(struct proto_sender *tx, struct proto_msg *m, __u8 *buf)
{
	int len = proto_sender_encode(tx, m, proto_now_us(), buf, PROTO_MAX_MSG);

	ck_assert_int_gt(len, 0);
	return len;
}

/* Encode with tx (or with key when not NULL), send, return the length. */
static size_t peer_send(int fd, struct proto_sender *tx, struct proto_msg *m, const __u8 *key,
			__u8 *copy)
{
	__u8 buf[PROTO_MAX_MSG];
	int len;

	len = proto_sender_encode(tx, m, proto_now_us(), buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	if (key)
		ck_assert_int_eq(proto_sign(buf, len, key, 32), 0);
	send_raw(fd, buf, len);
	if (copy)
		memcpy(copy, buf, len);
	return len;
}

/* Let the balancer read what was sent (loopback delivers synchronously). */
static int pump(__u64 now_ms)
{
	struct pollfd p = { .fd = notify_fd(nt), .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	return notify_on_readable(nt, now_ms);
}

static void ack(int fd, struct proto_sender *tx, const struct proto_msg *sub, __u8 status,
		__u32 lifetime)
{
	struct proto_msg m = { .type = PROTO_SUBSCRIBE_ACK };

	m.subscribe_ack.home = sub->subscribe.home;
	m.subscribe_ack.ack_seq = sub->seq;
	m.subscribe_ack.status = status;
	m.subscribe_ack.snapshot_interval_s = 30;
	m.subscribe_ack.lifetime_s = lifetime;
	peer_send(fd, tx, &m, NULL, NULL);
}

static void notify_msg(struct proto_msg *m, const char *home, const char *coa, const char *old,
		       __u16 seq, __u32 lifetime)
{
	memset(m, 0, sizeof(*m));
	m->type = PROTO_BINDING_NOTIFY;
	addr(&m->notify.home, home);
	addr(&m->notify.coa, coa);
	if (old) {
		addr(&m->notify.old_coa, old);
		m->notify.flags = PROTO_NOTIFY_F_OLD_COA;
	}
	m->notify.binding_seq = seq;
	m->notify.lifetime_s = lifetime;
}

/* ---- the datapath's side ---- */

static __u32 forwarded(const struct pb *b)
{
	struct dpf_result r;

	dpf_run(&fx, b, &r);
	ck_assert_msg(r.verdict == XDP_TX, "verdict %d, want XDP_TX", r.verdict);
	ck_assert_uint_ne(r.backend, ~0U);
	return r.backend;
}

static __u32 hao_packet(const char *coa, const char *hoa, const char *vip)
{
	struct pb b;

	pb_init(&b, coa, vip); pb_dstopt_hao(&b, hoa); pb_udp(&b, 40000, 53, 32); pb_finish(&b);
	return forwarded(&b);
}

static __u32 plain_packet(const char *src, const char *vip)
{
	struct pb b;

	pb_init(&b, src, vip); pb_udp(&b, 40000, 53, 32); pb_finish(&b);
	return forwarded(&b);
}

/* Hand the ring buffer's events to notify_on_event() with the test's
 * clock; returns how many there were. */
static struct mip6lb_event evs[16];
static int n_evs;

static int collect_event(void *ctx, void *data, size_t len)
{
	ck_assert_uint_eq(len, sizeof(struct mip6lb_event));
	ck_assert_int_lt(n_evs, 16);
	memcpy(&evs[n_evs++], data, sizeof(struct mip6lb_event));
	return 0;
}

static int drain_events(__u64 now_ms)
{
	struct ring_buffer *rb;
	int i;

	n_evs = 0;
	rb = ring_buffer__new(fx.maps.events, collect_event, NULL, NULL);
	ck_assert_ptr_nonnull(rb);
	ck_assert_int_ge(ring_buffer__consume(rb), 0);
	ring_buffer__free(rb);
	for (i = 0; i < n_evs; i++)
		notify_on_event(nt, &evs[i], now_ms);
	return n_evs;
}

static void expect_session(__u32 svc, int kind, const char *id, __u8 want_kind, __u32 backend,
			   __u32 lifetime)
{
	struct mip6lb_session v;

	ck_assert_msg(dpf_session(&fx, svc, kind, id, &v) == 0, "no session %s in service %u",
		      id, svc);
	ck_assert_uint_eq(v.kind, want_kind);
	ck_assert_uint_eq(v.backend_id, backend);
	if (lifetime)
		ck_assert_uint_eq(v.lifetime_s, lifetime);
}

static void expect_no_session(__u32 svc, const char *id)
{
	struct mip6lb_session v;

	ck_assert_int_eq(dpf_session(&fx, svc, MIP6LB_KIND_SRC, id, &v), -ENOENT);
}

static struct json_object *peer_json(const char *name, struct json_object **top)
{
	struct json_object *arr, *p, *v;
	size_t i;

	*top = notify_peers_json(nt, notify_now_ms());
	ck_assert(json_object_object_get_ex(*top, "peers", &arr));
	for (i = 0; i < json_object_array_length(arr); i++) {
		p = json_object_array_get_idx(arr, i);
		ck_assert(json_object_object_get_ex(p, "name", &v));
		if (!strcmp(json_object_get_string(v), name))
			return p;
	}
	ck_abort_msg("no peer %s", name);
	return NULL;
}

static __s64 rejected(const char *peer, const char *reason)
{
	struct json_object *top, *p, *rej, *v;
	__s64 n;

	p = peer_json(peer, &top);
	ck_assert(json_object_object_get_ex(p, "rejected", &rej));
	ck_assert_msg(json_object_object_get_ex(rej, reason, &v), "no reason %s", reason);
	n = json_object_get_int64(v);
	json_object_put(top);
	return n;
}

static __s64 peer_field(const char *peer, const char *field)
{
	struct json_object *top, *p, *v;
	__s64 n;

	p = peer_json(peer, &top);
	ck_assert(json_object_object_get_ex(p, field, &v));
	n = json_object_get_int64(v);
	json_object_put(top);
	return n;
}

static void expect_binding(const char *home, const char *coa)
{
	struct in6_addr h, c, want;

	addr(&h, home);
	addr(&want, coa);
	ck_assert_int_eq(notify_binding_coa(nt, &h, &c), 0);
	ck_assert_mem_eq(&c, &want, 16);
}

static const char *sub_state(const char *home)
{
	struct in6_addr h;

	addr(&h, home);
	return notify_subscription_state(nt, &h);
}

/* First packet with an HAO, SUBSCRIBE received and acknowledged. */
static __u32 subscribed_node(void)
{
	struct proto_msg m;
	struct in6_addr hoa, lb;
	__u32 be;

	be = hao_packet(COA_A, HOA, VIP);
	ck_assert_int_eq(drain_events(notify_now_ms()), 1);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	addr(&hoa, HOA);
	addr(&lb, LB_ADDR);
	ck_assert_mem_eq(&m.subscribe.home, &hoa, 16);
	ck_assert_mem_eq(&m.subscribe.reply_addr, &lb, 16);
	ck_assert_uint_eq(m.sender_id, NOTIFY_DEFAULT_SENDER_ID);
	ck_assert_uint_eq(m.subscribe.lifetime_s, 3600);
	ck_assert_str_eq(sub_state(HOA), "pending");
	ack(ha_fd, &ha_tx, &m, PROTO_SUB_OK, 3600);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_str_eq(sub_state(HOA), "active");
	return be;
}

/* ---- tests ---- */

START_TEST(test_first_packet_subscribes_then_notify_moves_coa)
{
	struct proto_msg m;
	__u32 be;

	be = subscribed_node();
	expect_session(0, MIP6LB_KIND_HOA, HOA, MIP6LB_KIND_HOA, be, 0);

	notify_msg(&m, HOA, COA_B, COA_A, 1000, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);

	/* A coa session for B carrying the HAO session's backend. */
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);
	expect_binding(HOA, COA_B);
	/* Plain packets from B, no HAO, reach the same backend... */
	ck_assert_uint_eq(plain_packet(COA_B, VIP), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_COA), 1);
	/* ...the old entry is untouched, and a notify = off service got
	 * nothing. */
	expect_session(0, MIP6LB_KIND_HOA, HOA, MIP6LB_KIND_HOA, be, 0);
	expect_no_session(1, COA_B);
	ck_assert_int_eq(peer_field("ha1", "accepted"), 2);

	/* Moving on to C finds the node by its home address again. */
	notify_msg(&m, HOA, COA_C, COA_B, 1001, LIFETIME * 2);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_C, MIP6LB_KIND_COA, be, LIFETIME * 2);
	ck_assert_uint_eq(plain_packet(COA_C, VIP), be);
	/* Back to B: its entry is still there. */
	ck_assert_uint_eq(plain_packet(COA_B, VIP), be);
}
END_TEST

START_TEST(test_notify_overrides_a_raced_src_session)
{
	struct mip6lb_session v;
	struct proto_msg m;
	__u32 be, i;
	char src[64];

	be = subscribed_node();
	/* Plain packets from B arrive before the notification and pick a
	 * backend on the ring; find a B for which that is another one. */
	for (i = 1; i < 200; i++) {
		snprintf(src, sizeof(src), "2001:db8:b::51e2:4c0d:aa13:%x", i);
		if (plain_packet(src, VIP) != be)
			break;
	}
	ck_assert_int_lt(i, 200);
	drain_events(notify_now_ms());        /* src sessions: no peer for them */
	notify_msg(&m, HOA, src, COA_A, 7, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_int_eq(dpf_session(&fx, 0, MIP6LB_KIND_SRC, src, &v), 0);
	ck_assert_uint_eq(v.kind, MIP6LB_KIND_COA);
	ck_assert_uint_eq(v.backend_id, be);
	ck_assert_uint_eq(plain_packet(src, VIP), be);
}
END_TEST

START_TEST(test_forged_and_replayed_change_nothing)
{
	__u8 first[PROTO_MAX_MSG], good[PROTO_MAX_MSG], garbage[200];
	struct mip6lb_session before, after;
	struct proto_msg m;
	struct json_object *top, *bindings;
	size_t len, glen;
	long count;
	__u32 be;
	int fd;

	be = subscribed_node();

	/* Forged: the right ids, the wrong key. */
	notify_msg(&m, HOA, COA_B, COA_A, 1, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, bad_key, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_no_session(0, COA_B);
	ck_assert_int_eq(rejected("ha1", "bad_mac"), 1);
	ck_assert_int_eq(notify_binding_coa(nt, &m.notify.home, &m.notify.coa), -ENOENT);

	/* Genuine B, genuine C, then B's datagram again. */
	notify_msg(&m, HOA, COA_B, COA_A, 2, LIFETIME);
	len = peer_send(ha_fd, &ha_tx, &m, NULL, first);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	notify_msg(&m, HOA, COA_C, COA_B, 3, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_binding(HOA, COA_C);
	ck_assert_int_eq(dpf_session(&fx, 0, MIP6LB_KIND_COA, COA_B, &before), 0);
	count = dpf_session_count(&fx);
	usleep(1100 * 1000);                   /* a rewrite would move last_used */
	send_raw(ha_fd, first, len);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_int_eq(rejected("ha1", "replay"), 1);
	expect_binding(HOA, COA_C);
	ck_assert_int_eq(dpf_session(&fx, 0, MIP6LB_KIND_COA, COA_B, &after), 0);
	ck_assert_mem_eq(&before, &after, sizeof(before));
	ck_assert_int_eq(dpf_session_count(&fx), count);

	/* A genuine peer speaking for a home address that is not its own,
	 * stamped after a genuine message that is sent later: the rejection
	 * must not have consumed its sequence number. */
	notify_msg(&m, HOA, COA_B, COA_C, 4, LIFETIME);
	glen = peer_encode(&ha_tx, &m, good);
	notify_msg(&m, HOA_OUT, COA_B, NULL, 5, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_int_eq(rejected("ha1", "not_authoritative"), 1);
	ck_assert_int_eq(notify_binding_coa(nt, &m.notify.home, &m.notify.coa), -ENOENT);
	send_raw(ha_fd, good, glen);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_binding(HOA, COA_B);

	/* Garbage, a truncation, an unknown source. */
	memset(garbage, 0x41, sizeof(garbage));
	send_raw(ha_fd, garbage, sizeof(garbage));
	send_raw(ha_fd, first, 40);
	fd = udp_bound(ROGUE, NULL);
	send_raw(fd, first, len);
	close(fd);
	ck_assert_int_eq(pump(notify_now_ms()), 3);
	ck_assert_int_eq(rejected("ha1", "bad_version"), 1);
	ck_assert_int_eq(rejected("ha1", "truncated"), 1);
	top = notify_peers_json(nt, notify_now_ms());
	ck_assert(json_object_object_get_ex(top, "unknown_peer", &bindings));
	ck_assert_int_eq(json_object_get_int64(bindings), 1);
	json_object_put(top);
	expect_binding(HOA, COA_B);
	ck_assert_int_eq(peer_field("ha1", "accepted"), 4);
	ck_assert_uint_eq(plain_packet(COA_B, VIP), be);
}
END_TEST

/* issue 16: [peer] addr = [ADDR]:PORT is where its messages must come
 * from, port included.  A genuine notification from the Home Agent's
 * address but another port is refused as wrong_port before its MAC and
 * consumes nothing: the same bytes from the right port are accepted. */
START_TEST(test_wrong_source_port)
{
	__u8 buf[PROTO_MAX_MSG];
	struct proto_msg m;
	size_t len;
	__u16 other_port;
	int fd;

	subscribed_node();
	notify_msg(&m, HOA, COA_B, COA_A, 1, LIFETIME);
	len = peer_encode(&ha_tx, &m, buf);
	fd = udp_bound(HA_ADDR, &other_port);
	ck_assert_uint_ne(other_port, ha_port);
	send_raw(fd, buf, len);
	close(fd);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_int_eq(rejected("ha1", "wrong_port"), 1);
	ck_assert_int_eq(rejected("ha1", "bad_mac") + rejected("ha1", "replay"), 0);
	ck_assert_int_eq(peer_field("ha1", "accepted"), 1);
	ck_assert_int_eq(notify_binding_coa(nt, &m.notify.home, &m.notify.coa), -ENOENT);
	send_raw(ha_fd, buf, len);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_binding(HOA, COA_B);
	ck_assert_int_eq(peer_field("ha1", "accepted"), 2);
	ck_assert_int_eq(rejected("ha1", "wrong_port"), 1);
}
END_TEST

START_TEST(test_notify_before_first_packet)
{
	struct notify_stats st;
	struct proto_msg m;
	__u32 be;

	/* Unsolicited: no subscription, no session anywhere yet. */
	notify_msg(&m, HOA, COA_B, NULL, 5, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_binding(HOA, COA_B);
	ck_assert_int_eq(dpf_session_count(&fx), 0);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.no_session, 1);
	ck_assert_int_eq(peer_field("ha1", "no_session"), 1);

	/* The node's first packet: its event creates the coa session for
	 * the remembered CoA at once, and subscribes. */
	be = hao_packet(COA_A, HOA, VIP);
	ck_assert_int_eq(drain_events(notify_now_ms()), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);
	ck_assert_uint_eq(plain_packet(COA_B, VIP), be);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ck_assert_str_eq(sub_state(HOA), "pending");
}
END_TEST

START_TEST(test_notify_for_unknown_home)
{
	struct json_object *top, *arr, *row, *v;
	struct notify_stats st;
	struct proto_msg m;

	hao_packet(COA_A, HOA, VIP);          /* some other node has a session */
	notify_msg(&m, HOA_2, COA_B, COA_A, 9, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_binding(HOA_2, COA_B);
	expect_no_session(0, COA_B);
	ck_assert_int_eq(dpf_session_count(&fx), 1);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.no_session, 1);
	ck_assert_uint_eq(st.sessions_written, 0);

	top = notify_bindings_json(nt, notify_now_ms());
	ck_assert(json_object_object_get_ex(top, "bindings", &arr));
	ck_assert_int_eq(json_object_array_length(arr), 1);
	row = json_object_array_get_idx(arr, 0);
	ck_assert(json_object_object_get_ex(row, "session", &v));
	ck_assert_ptr_null(v);
	ck_assert(json_object_object_get_ex(row, "subscription", &v));
	ck_assert_ptr_null(v);
	json_object_put(top);
}
END_TEST

START_TEST(test_retry_backoff_until_ack)
{
	/* Lost.  Retries at +1 s, +2 s, +4 s, then every 4 s (the cap). */
	static const __u64 at[] = { 1000, 3000, 7000, 11000, 15000 };
	struct proto_msg m, first, again;
	__u64 t = 1000000, seq, prev = 0;
	int i;

	hao_packet(COA_A, HOA, VIP);
	ck_assert_int_eq(drain_events(t), 1);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &first);
	seq = first.seq;
	for (i = 0; i < 5; i++) {
		notify_tick(nt, t + at[i] - 1);
		peer_expect_nothing(ha_fd);
		notify_tick(nt, t + at[i]);
		peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &again);
		ck_assert_mem_eq(&again.subscribe.home, &first.subscribe.home, 16);
		ck_assert_uint_gt(again.seq, seq);
		seq = again.seq;
		ck_assert_str_eq(sub_state(HOA), "pending");
		prev = t + at[i];
	}
	/* The ACK of an earlier attempt of this round still counts. */
	ack(ha_fd, &ha_tx, &first, PROTO_SUB_OK, 30);
	ck_assert_int_eq(pump(prev), 1);
	ck_assert_str_eq(sub_state(HOA), "active");
	notify_tick(nt, prev + 19999);
	peer_expect_nothing(ha_fd);
	/* Renewal at two thirds of the granted 30 s. */
	notify_tick(nt, prev + 20000);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ck_assert_str_eq(sub_state(HOA), "renewing");
	/* An ACK naming a SUBSCRIBE of an older round is unexpected. */
	ack(ha_fd, &ha_tx, &first, PROTO_SUB_OK, 30);
	ck_assert_int_eq(pump(prev + 20001), 1);
	ck_assert_int_eq(rejected("ha1", "unexpected"), 1);
	ck_assert_str_eq(sub_state(HOA), "renewing");
	/* Not renewed before the lifetime ends: pending again, retrying. */
	notify_tick(nt, prev + 30000);
	ck_assert_str_eq(sub_state(HOA), "pending");
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ack(ha_fd, &ha_tx, &m, PROTO_SUB_UNKNOWN, 30);
	ck_assert_int_eq(pump(prev + 30001), 1);
	ck_assert_str_eq(sub_state(HOA), "active");
}
END_TEST

START_TEST(test_no_session_left_unsubscribes)
{
	struct mip6lb_session_key k = {};
	struct proto_msg m;
	__u64 t;

	subscribed_node();
	t = notify_now_ms();
	k.service_id = 0;
	ck_assert_int_eq(identity_parse(MIP6LB_KIND_HOA, HOA, &k), 0);
	ck_assert_int_eq(bpf_map_delete_elem(fx.maps.sessions, &k), 0);
	/* Renewal time: nobody to keep, so UNSUBSCRIBE instead. */
	notify_tick(nt, t + 3600 * 1000);
	peer_expect(ha_fd, &ha_rx, PROTO_UNSUBSCRIBE, &m);
	ck_assert_ptr_null(sub_state(HOA));
}
END_TEST

START_TEST(test_unsubscribe_from_peer_and_snapshot)
{
	struct proto_msg m = { .type = PROTO_BINDING_SNAPSHOT };
	__u32 be;

	be = subscribed_node();
	/* A snapshot entry with a new CoA acts like a notify. */
	m.snapshot.count = 2;
	m.snapshot.snapshot_id = 1;
	addr(&m.snapshot.entries[0].home, HOA);
	addr(&m.snapshot.entries[0].coa, COA_B);
	m.snapshot.entries[0].lifetime_s = LIFETIME;
	addr(&m.snapshot.entries[1].home, HOA_2);
	addr(&m.snapshot.entries[1].coa, COA_C);
	m.snapshot.entries[1].lifetime_s = LIFETIME;
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);
	expect_binding(HOA_2, COA_C);
	/* One entry outside the HA's prefix rejects the whole snapshot. */
	addr(&m.snapshot.entries[1].home, HOA_OUT);
	addr(&m.snapshot.entries[0].coa, COA_C);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_int_eq(rejected("ha1", "not_authoritative"), 1);
	expect_binding(HOA, COA_B);

	memset(&m, 0, sizeof(m));
	m.type = PROTO_UNSUBSCRIBE;
	addr(&m.unsubscribe.home, HOA);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_str_eq(sub_state(HOA), "lapsed");
	/* The node is still there: asked again after the longest backoff. */
	notify_tick(nt, notify_now_ms() + 4000);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ck_assert_str_eq(sub_state(HOA), "pending");
}
END_TEST

START_TEST(test_mobile_node_peer_from_its_coa)
{
	struct proto_peer_state mn_rx;
	struct proto_sender mn_tx;
	struct proto_msg m;
	struct in6_addr home;
	int home_fd, coa_fd;
	__u16 mn_port;
	__u32 be;

	/* The node's agent listens on its home address. */
	home_fd = udp_bound(MN_HOME, &mn_port);
	peers[1].port = mn_port;
	ck_assert_int_eq(notify_reload(nt, &cfg), 0);
	ck_assert_int_eq(proto_sender_init(&mn_tx, MN_SENDER, 2, mn_key, 32, proto_now_us()), 0);
	ck_assert_int_eq(proto_peer_init(&mn_rx, NOTIFY_DEFAULT_SENDER_ID, 2, mn_key, 32), 0);

	/* At home: plain packets from the home address. */
	be = plain_packet(MN_HOME, VIP_MN);
	ck_assert_int_eq(drain_events(notify_now_ms()), 1);
	peer_expect(home_fd, &mn_rx, PROTO_SUBSCRIBE, &m);
	addr(&home, MN_HOME);
	ck_assert_mem_eq(&m.subscribe.home, &home, 16);
	ack(home_fd, &mn_tx, &m, PROTO_SUB_OK, 3600);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_str_eq(sub_state(MN_HOME), "active");

	/* It moves and tells us from its new address (and the port its agent
	 * listens on, as ever). */
	coa_fd = udp_bound_port(MN_COA, mn_port);
	notify_msg(&m, MN_HOME, MN_COA, MN_HOME, 1, LIFETIME);
	peer_send(coa_fd, &mn_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_session(2, MIP6LB_KIND_COA, MN_COA, MIP6LB_KIND_COA, be, LIFETIME);
	ck_assert_uint_eq(plain_packet(MN_COA, VIP_MN), be);
	/* The HA's notifications do not move mn services, nor the reverse. */
	expect_no_session(0, MN_COA);
	ck_assert_int_eq(peer_field("mn1", "accepted"), 2);
	close(coa_fd);
	close(home_fd);
}
END_TEST

START_TEST(test_reload_keeps_state_and_takes_new_keys)
{
	struct proto_msg m;
	__u8 new_key[32];
	int i;

	subscribed_node();
	for (i = 0; i < 32; i++)
		new_key[i] = 0x99 ^ i;
	memcpy(peers[0].key, new_key, 32);          /* same key id */
	ck_assert_int_eq(notify_reload(nt, &cfg), 0);
	ck_assert_str_eq(sub_state(HOA), "active");
	ck_assert_int_eq(peer_field("ha1", "accepted"), 1);
	/* The old key no longer works, the new one does. */
	notify_msg(&m, HOA, COA_B, COA_A, 1, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_int_eq(rejected("ha1", "bad_mac"), 1);
	proto_sender_clear(&ha_tx);
	ck_assert_int_eq(proto_sender_init(&ha_tx, HA_SENDER, 1, new_key, 32, proto_now_us()), 0);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_binding(HOA, COA_B);
	/* A peer removed from the config: its subscriptions go. */
	cfg.n_peers = 0;
	ck_assert_int_eq(notify_reload(nt, &cfg), 0);
	ck_assert_ptr_null(sub_state(HOA));
}
END_TEST

/* Text addresses compare as addresses: the JSON has RFC 5952's form. */
static void expect_addr_str(struct json_object *v, const char *want)
{
	struct in6_addr a, b;

	ck_assert_ptr_nonnull(v);
	addr(&a, json_object_get_string(v));
	addr(&b, want);
	ck_assert_mem_eq(&a, &b, 16);
}

START_TEST(test_resync_and_deregistration)
{
	struct proto_msg m;
	long count;
	__u32 be;

	/* Sessions from before a restart: no event reached this instance. */
	be = hao_packet(COA_A, HOA, VIP);
	plain_packet(COA_A, VIP_OFF);                 /* notify = off: not asked */
	ck_assert_int_eq(notify_resync(nt, notify_now_ms()), 1);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ck_assert_str_eq(sub_state(HOA), "pending");
	peer_expect_nothing(ha_fd);
	ck_assert_int_eq(notify_resync(nt, notify_now_ms()), 0);   /* deduplicated */

	notify_msg(&m, HOA, COA_B, COA_A, 1, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);
	count = dpf_session_count(&fx);

	/* Home again: lifetime 0, CoA = home.  The binding goes, nothing is
	 * written (a lifetime-0 session would never age), B's entry stays. */
	notify_msg(&m, HOA, HOA, COA_B, 2, 0);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	ck_assert_int_eq(notify_binding_coa(nt, &m.notify.home, &m.notify.coa), -ENOENT);
	ck_assert_int_eq(dpf_session_count(&fx), count);
	expect_session(0, MIP6LB_KIND_HOA, HOA, MIP6LB_KIND_HOA, be, 0);
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);
}
END_TEST

/* The remembered backend is trusted for a second at most and never across
 * notify_maps_changed(): sessions that went away meanwhile (aging, session
 * del) are looked for again, and not found. */
START_TEST(test_remembered_backend_and_maps_changed)
{
	struct mip6lb_session_key k = {};
	struct notify_stats st;
	struct proto_msg m;
	__u64 t;
	__u32 be, be2;

	be = subscribed_node();
	t = notify_now_ms();
	notify_msg(&m, HOA, COA_B, COA_A, 1, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(t), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);

	/* The node's sessions go, as an aging sweep would delete them. */
	ck_assert_int_eq(identity_parse(MIP6LB_KIND_HOA, HOA, &k), 0);
	ck_assert_int_eq(bpf_map_delete_elem(fx.maps.sessions, &k), 0);
	ck_assert_int_eq(identity_parse(MIP6LB_KIND_COA, COA_B, &k), 0);
	ck_assert_int_eq(bpf_map_delete_elem(fx.maps.coa_sessions, &k), 0);
	notify_maps_changed(nt, t);
	notify_msg(&m, HOA, COA_C, COA_B, 2, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(t), 1);
	expect_no_session(0, COA_C);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.no_session, 1);
	expect_binding(HOA, COA_C);

	/* Back: its new first packet writes the remembered CoA at once. */
	be2 = hao_packet(COA_A, HOA, VIP);
	ck_assert_int_eq(drain_events(t), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_C, MIP6LB_KIND_COA, be2, LIFETIME);

	/* Gone again, nobody says so: after a second the lookup runs anyway. */
	ck_assert_int_eq(identity_parse(MIP6LB_KIND_HOA, HOA, &k), 0);
	ck_assert_int_eq(bpf_map_delete_elem(fx.maps.sessions, &k), 0);
	ck_assert_int_eq(identity_parse(MIP6LB_KIND_COA, COA_C, &k), 0);
	ck_assert_int_eq(bpf_map_delete_elem(fx.maps.coa_sessions, &k), 0);
	notify_msg(&m, HOA, COA_B, COA_C, 3, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(t + 1000), 1);
	expect_no_session(0, COA_B);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.no_session, 2);
}
END_TEST

/* A burst larger than one recvmmsg() batch: every datagram read in one
 * notify_on_readable() call, every coa session written, in order. */
START_TEST(test_burst_of_notifications)
{
	struct notify_stats st0, st;
	struct proto_msg m;
	char coa[64], prev[64];
	__u32 be, i, n = 100;

	be = subscribed_node();
	notify_get_stats(nt, &st0);
	snprintf(prev, sizeof(prev), "%s", COA_A);
	for (i = 1; i <= n; i++) {
		snprintf(coa, sizeof(coa), "2001:db8:e::%x", i);
		notify_msg(&m, HOA, coa, prev, (__u16)i, LIFETIME);
		peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
		snprintf(prev, sizeof(prev), "%s", coa);
	}
	ck_assert_int_eq(pump(notify_now_ms()), (int)n);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.sessions_written - st0.sessions_written, n);
	expect_binding(HOA, "2001:db8:e::64");
	for (i = 1; i <= n; i++) {
		snprintf(coa, sizeof(coa), "2001:db8:e::%x", i);
		expect_session(0, MIP6LB_KIND_COA, coa, MIP6LB_KIND_COA, be, LIFETIME);
	}
	ck_assert_int_eq(peer_field("ha1", "accepted"), (int)n + 1);
}
END_TEST

/* The module again, with notify_rcvbuf = bytes. */
static void reopen(__u32 bytes)
{
	notify_close(nt);
	nt = NULL;
	cfg.daemon.notify_rcvbuf = bytes;
	ck_assert_int_eq(notify_open(&nt, &cfg, &fx.maps, NULL), 0);
}

static __s64 top_field(const char *field)
{
	struct json_object *top, *v;
	__s64 n;

	top = notify_peers_json(nt, notify_now_ms());
	ck_assert_msg(json_object_object_get_ex(top, field, &v), "no field %s", field);
	n = json_object_get_int64(v);
	json_object_put(top);
	return n;
}

/* notify_rcvbuf is what the socket gets, past net.core.rmem_max (root has
 * SO_RCVBUFFORCE), reported as the kernel has it (doubled); a reload
 * resizes the live socket. */
START_TEST(test_rcvbuf_configured_and_reported)
{
	reopen(8U << 20);
	ck_assert_int_eq(notify_rcvbuf(nt), 16 << 20);
	ck_assert_int_eq(top_field("rcvbuf"), 16 << 20);
	ck_assert_int_eq(top_field("rx_dropped_kernel"), 0);
	cfg.daemon.notify_rcvbuf = 2U << 20;
	ck_assert_int_eq(notify_reload(nt, &cfg), 0);
	ck_assert_int_eq(notify_rcvbuf(nt), 4 << 20);
	ck_assert_int_eq(top_field("rcvbuf"), 4 << 20);
}
END_TEST

/* Send n copies of buf from fd. */
static void flood(int fd, const __u8 *buf, size_t len, int n)
{
	while (n--)
		send_raw(fd, buf, len);
}

/* Read everything waiting; returns the datagrams read. */
static int drain(void)
{
	int r, total = 0;

	while ((r = notify_on_readable(nt, notify_now_ms())) > 0) {
		ck_assert_int_le(r, NOTIFY_RX_BUDGET);
		total += r;
	}
	ck_assert_int_eq(r, 0);
	return total;
}

/*
 * A socket with a tiny buffer (8 KiB granted) gets 64 datagrams from an
 * address that is no peer's: the kernel drops what does not fit.  The
 * datagrams it kept were queued before any drop, so they carry no count;
 * the next one queued carries the total (SO_RXQ_OVFL), read by
 * notify_on_readable().  A second round with nothing after it is seen by
 * notify_tick() (SO_MEMINFO).  Either way rx_dropped_kernel is exactly
 * sent - read, and nothing is counted twice.
 */
START_TEST(test_kernel_drops_counted)
{
	struct notify_stats st;
	__u8 junk[80];
	int rogue, got, got2, sent = 64;

	memset(junk, 0xa5, sizeof(junk));
	reopen(4096);
	ck_assert_int_eq(notify_rcvbuf(nt), 8192);
	rogue = udp_bound(ROGUE, NULL);

	flood(rogue, junk, sizeof(junk), sent);
	got = drain();
	ck_assert_int_gt(got, 0);
	ck_assert_int_lt(got, sent);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.unknown_peer, (__u64)got);
	ck_assert_uint_eq(st.rx_dropped_kernel, 0);

	flood(rogue, junk, sizeof(junk), 1);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.rx_dropped_kernel, (__u64)(sent - got));
	ck_assert_int_eq(top_field("rx_dropped_kernel"), sent - got);

	flood(rogue, junk, sizeof(junk), sent);
	got2 = drain();
	ck_assert_int_lt(got2, sent);
	notify_tick(nt, notify_now_ms());
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.rx_dropped_kernel, (__u64)(2 * sent - got - got2));
	ck_assert_uint_eq(st.unknown_peer, (__u64)(got + 1 + got2));
	/* Polled again, with no new drop: the same total. */
	notify_tick(nt, notify_now_ms());
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.rx_dropped_kernel, (__u64)(2 * sent - got - got2));
	close(rogue);
}
END_TEST

/*
 * Genuine notifications between 40 bad-MAC datagrams each from the Home
 * Agent's own address and from a rogue one: with a 4 MiB buffer nothing is
 * dropped, every notify_on_readable() stops at NOTIFY_RX_BUDGET (so the
 * event loop runs between two), every rejection is counted under its
 * reason and every genuine notification is applied, in order.
 */
START_TEST(test_genuine_notifications_survive_a_flood)
{
	__u8 forged[PROTO_MAX_MSG];
	struct notify_stats st0, st;
	struct proto_msg m;
	char coa[64], prev[64];
	size_t flen;
	int rogue, i, n = 60, per = 40, total;
	__u32 be;

	reopen(4U << 20);
	be = subscribed_node();
	rogue = udp_bound(ROGUE, NULL);
	notify_msg(&m, HOA, "2001:db8:bad::1", NULL, 9999, LIFETIME);
	flen = peer_send(rogue, &ha_tx, &m, bad_key, forged);
	notify_get_stats(nt, &st0);
	snprintf(prev, sizeof(prev), "%s", COA_A);
	for (i = 1; i <= n; i++) {
		flood(ha_fd, forged, flen, per);
		flood(rogue, forged, flen, per);
		snprintf(coa, sizeof(coa), "2001:db8:e::%x", i);
		notify_msg(&m, HOA, coa, prev, (__u16)i, LIFETIME);
		peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
		snprintf(prev, sizeof(prev), "%s", coa);
	}
	/* + 1: the rogue's copy that peer_send() sent when making it. */
	total = drain();
	ck_assert_int_eq(total, n * (2 * per + 1) + 1);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.rx_dropped_kernel, 0);
	ck_assert_uint_eq(st.unknown_peer - st0.unknown_peer, (__u64)(n * per + 1));
	ck_assert_int_eq(rejected("ha1", "bad_mac"), n * per);
	ck_assert_uint_eq(st.sessions_written - st0.sessions_written, (__u64)n);
	ck_assert_int_eq(peer_field("ha1", "accepted"), n + 1);
	expect_binding(HOA, prev);
	for (i = 1; i <= n; i++) {
		snprintf(coa, sizeof(coa), "2001:db8:e::%x", i);
		expect_session(0, MIP6LB_KIND_COA, coa, MIP6LB_KIND_COA, be, LIFETIME);
	}
	close(rogue);
}
END_TEST

/* ---- issue 12: bounded subscriptions, no_binding, the scan, snapshots ---- */

/* A new-session event as the datapath would send it. */
static void ev_new(const char *home, __u32 svc, __u64 now_ms)
{
	struct mip6lb_event ev = { .type = MIP6LB_EV_SESSION_NEW, .kind = MIP6LB_KIND_HOA };

	ev.key.service_id = svc;
	ev.key.space = MIP6LB_SPACE_ADDR;
	addr(&ev.home_addr, home);
	ev.key.id.addr = ev.home_addr;
	ev.src = ev.home_addr;
	notify_on_event(nt, &ev, now_ms);
}

/* ha1 with these bounds (0: the default). */
static void reopen_bounded(__u32 max, __u32 rate, __u32 burst, __u32 ttl_s)
{
	struct notify_opts opts = {
		.retry_initial_ms = 1000, .retry_max_ms = 4000,
		.names = { .service = svc_name, .backend = be_name },
	};

	notify_close(nt);
	nt = NULL;
	peers[0].max_subscriptions = max;
	peers[0].subscribe_rate = rate;
	peers[0].subscribe_burst = burst;
	peers[0].no_binding_ttl_s = ttl_s;
	ck_assert_int_eq(notify_open(&nt, &cfg, &fx.maps, &opts), 0);
}

static int subscribes_acked(struct in6_addr *homes, int max, __u64 now_ms);

/* The SUBSCRIBEs waiting at the fake Home Agent; their home addresses
 * into homes[] (up to max) when not NULL. */
static int subscribes_at_ha(struct in6_addr *homes, int max)
{
	return subscribes_acked(homes, max, 0);
}

/* The same, each acknowledged (ok, an hour) when now_ms is not 0. */
static int subscribes_acked(struct in6_addr *homes, int max, __u64 now_ms)
{
	__u8 buf[PROTO_MAX_MSG];
	struct proto_msg m;
	size_t len;
	int n = 0;

	while (!recv_within(ha_fd, 20, buf, sizeof(buf), &len)) {
		ck_assert_int_eq(proto_accept(&ha_rx, buf, len, proto_now_ms(), &m), 0);
		ck_assert_int_eq(m.type, PROTO_SUBSCRIBE);
		if (homes && n < max)
			homes[n] = m.subscribe.home;
		n++;
		if (now_ms) {
			ack(ha_fd, &ha_tx, &m, PROTO_SUB_OK, 3600);
			ck_assert_int_eq(pump(now_ms), 1);
		}
	}
	return n;
}

static const char *hoa_n(int i)
{
	static char buf[8][64];

	snprintf(buf[i % 8], sizeof(buf[0]), "2001:db8:100::1:%x", i);
	return buf[i % 8];
}

/* A flood of new home addresses costs at most the bucket: burst at once,
 * rate per second after, the rest refused (counted, no entry), and never
 * more than max_subscriptions entries at the peer; retries and renewals
 * take tokens too. */
START_TEST(test_subscriptions_bounded_per_peer)
{
	struct notify_stats st;
	struct proto_msg m, m2;
	__u64 t;
	int i;

	reopen_bounded(6, 2, 3, 0);
	/* Sessions, so retries go on (their events are the ev_new() below). */
	for (i = 0; i < 7; i++)
		hao_packet(COA_A, hoa_n(i), VIP);
	hao_packet(COA_A, HOA, VIP);
	t = notify_now_ms();
	for (i = 0; i < 6; i++)
		ev_new(hoa_n(i), 0, t);
	ck_assert_int_eq(subscribes_at_ha(NULL, 0), 3);
	ck_assert_int_eq(peer_field("ha1", "rate_limited"), 3);
	ck_assert_int_eq(peer_field("ha1", "pending"), 3);
	ck_assert_ptr_null(sub_state(hoa_n(3)));
	/* A second later: two tokens. */
	for (i = 3; i < 6; i++)
		ev_new(hoa_n(i), 0, t + 1000);
	ck_assert_int_eq(subscribes_at_ha(NULL, 0), 2);
	ck_assert_int_eq(peer_field("ha1", "rate_limited"), 4);
	ck_assert_int_eq(peer_field("ha1", "pending"), 5);
	/* Full bucket: the sixth; six is the most for this peer. */
	ev_new(hoa_n(5), 0, t + 10000);
	ev_new(hoa_n(6), 0, t + 10000);
	ck_assert_int_eq(subscribes_at_ha(NULL, 0), 1);
	ck_assert_int_eq(peer_field("ha1", "over_limit"), 1);
	ck_assert_int_eq(peer_field("ha1", "pending"), 6);
	/* Five retries due, two tokens left; at the next second two more
	 * tokens for the three deferred and the sixth's first retry. */
	notify_tick(nt, t + 10000);
	ck_assert_int_eq(subscribes_at_ha(NULL, 0), 2);
	notify_tick(nt, t + 11000);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m2);
	peer_expect_nothing(ha_fd);
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.subscribes_sent, 10);
	ck_assert_int_eq(peer_field("ha1", "max_subscriptions"), 6);
	ck_assert_int_eq(peer_field("ha1", "subscribe_rate"), 2);
	ck_assert_int_eq(peer_field("ha1", "subscribe_burst"), 3);

	/* A no_binding answer frees its place: a node refused for the count
	 * gets it. */
	ev_new(HOA, 0, t + 11000);
	ck_assert_int_eq(peer_field("ha1", "over_limit"), 2);
	ack(ha_fd, &ha_tx, &m, PROTO_SUB_NO_BINDING, 0);
	ck_assert_int_eq(pump(t + 11000), 1);
	ck_assert_int_eq(peer_field("ha1", "pending"), 5);
	ev_new(HOA, 0, t + 12000);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ck_assert_str_eq(sub_state(HOA), "pending");
	ck_assert_int_eq(peer_field("ha1", "pending"), 6);
}
END_TEST

/* no_binding: no subscription, a negative entry that spares the next
 * events a SUBSCRIBE until its TTL; then asked again; a BINDING_NOTIFY
 * for it ends it at once. */
START_TEST(test_no_binding_negative_cache)
{
	struct proto_msg m;
	__u64 t;

	reopen_bounded(0, 0, 0, 5);
	t = notify_now_ms();
	ev_new(HOA, 0, t);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ack(ha_fd, &ha_tx, &m, PROTO_SUB_NO_BINDING, 0);
	ck_assert_int_eq(pump(t), 1);
	ck_assert_str_eq(sub_state(HOA), "no_binding");
	ck_assert_int_eq(peer_field("ha1", "no_binding"), 1);
	ck_assert_int_eq(peer_field("ha1", "negative"), 1);
	ck_assert_int_eq(peer_field("ha1", "pending") + peer_field("ha1", "subscriptions"), 0);

	/* Its next sessions ask nothing. */
	ev_new(HOA, 0, t + 1000);
	ev_new(HOA, 0, t + 4999);
	notify_tick(nt, t + 4999);
	peer_expect_nothing(ha_fd);
	ck_assert_int_eq(peer_field("ha1", "negative_hits"), 2);

	/* Expired: the next event asks again. */
	notify_tick(nt, t + 5000);
	ck_assert_int_eq(peer_field("ha1", "negative"), 0);
	peer_expect_nothing(ha_fd);
	ev_new(HOA, 0, t + 5001);
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ack(ha_fd, &ha_tx, &m, PROTO_SUB_NO_BINDING, 0);
	ck_assert_int_eq(pump(t + 5001), 1);
	ck_assert_str_eq(sub_state(HOA), "no_binding");

	/* The binding arrives (an agent's watch, docs/agent.md): taken,
	 * and subscribed again at once. */
	notify_msg(&m, HOA, COA_B, NULL, 1, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(t + 5002), 1);
	expect_binding(HOA, COA_B);
	ck_assert_str_eq(sub_state(HOA), "pending");
	peer_expect(ha_fd, &ha_rx, PROTO_SUBSCRIBE, &m);
	ack(ha_fd, &ha_tx, &m, PROTO_SUB_OK, 3600);
	ck_assert_int_eq(pump(t + 5003), 1);
	ck_assert_str_eq(sub_state(HOA), "active");
	ck_assert_int_eq(peer_field("ha1", "negative"), 0);
}
END_TEST

/* New-session events lost to the datapath's rate limit (event_dropped):
 * the timer's scan finds the sessions without a subscription, newest
 * first within the bucket, and keeps going until every one has one;
 * sessions of a notify = off service or without a peer are left alone. */
START_TEST(test_scan_subscribes_nodes_whose_event_was_dropped)
{
	struct mip6lb_settings set = { .events_per_sec = 1 };
	struct in6_addr homes[16], h;
	struct notify_stats st;
	bool by_event[8] = { false };
	int i, j, n, n_ev, got, want_first[2], w;
	__u64 t;

	reopen_bounded(0, 1, 3, 0);
	ck_assert_int_eq(dp_settings_write(&fx.maps, &set), 0);
	plain_packet(HOA_OUT, VIP);             /* no peer */
	plain_packet(hoa_n(100), VIP_OFF);      /* notify = off */
	for (i = 0; i < 8; i++) {
		usleep(20000);                  /* last_used_ns: a coarse clock */
		hao_packet(COA_A, hoa_n(i), VIP);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_EVENT_SENT) +
			  dpf_counter(&fx, MIP6LB_CNT_EVENT_DROPPED), 10);
	ck_assert_uint_ge(dpf_counter(&fx, MIP6LB_CNT_EVENT_DROPPED), 7);
	t = notify_now_ms();
	n_ev = drain_events(t);
	for (j = 0; j < n_ev; j++) {
		for (i = 0; i < 8; i++) {
			addr(&h, hoa_n(i));
			if (!memcmp(&evs[j].home_addr, &h, 16))
				by_event[i] = true;
		}
	}
	got = subscribes_acked(NULL, 0, t);
	ck_assert_int_le(got, 1);               /* what the events asked for */

	/* The scan: the two newest of the others, with the tokens left. */
	for (i = 7, w = 0; i >= 0 && w < 2; i--)
		if (!by_event[i])
			want_first[w++] = i;
	notify_tick(nt, t);
	ck_assert_int_eq(subscribes_acked(homes, 16, t), 3 - got);
	for (w = 0; w < 3 - got && w < 2; w++) {
		addr(&h, hoa_n(want_first[w]));
		ck_assert_msg(!memcmp(&homes[w], &h, 16), "scan pick %d is not node %d", w,
			      want_first[w]);
	}
	/* A token a second, the scan once a second until all eight. */
	for (j = 1, n = 0; j <= 10; j++) {
		notify_tick(nt, t + 1000 * j);
		n += subscribes_acked(NULL, 0, t + 1000 * j);
	}
	ck_assert_int_eq(n, 8 - 3);
	for (i = 0; i < 8; i++)
		ck_assert_ptr_nonnull(sub_state(hoa_n(i)));
	ck_assert_ptr_null(sub_state(HOA_OUT));
	ck_assert_ptr_null(sub_state(hoa_n(100)));
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.scan_subscribed, 8 - (__u64)got);
	/* Nothing left: the scan is disarmed and walks no more. */
	i = (int)st.scan_passes;
	for (j = 11; j <= 15; j++)
		notify_tick(nt, t + 1000 * j);
	notify_get_stats(nt, &st);
	ck_assert_int_eq((int)st.scan_passes, i);
}
END_TEST

/* Delete the session at k from whichever session table holds it (coa
 * sessions may live in a table of their own, "coa_sessions"). */
static int session_delete_anywhere(const struct mip6lb_session_key *k)
{
	int i, fd, hit = 0;

	for (i = 0; i < DP_MAP_COUNT; i++) {
		fd = *dp_maps_slot(&fx.maps, i);
		if (fd >= 0 && strstr(dp_map_names[i], "sessions") && !bpf_map_delete_elem(fd, k))
			hit++;
	}
	return hit ? 0 : -ENOENT;
}

/* A coa session that went missing (evicted, swept, deleted) comes back
 * with the node's backend from the next snapshot that names the binding,
 * or from a BINDING_NOTIFY that repeats the CoA. */
START_TEST(test_snapshot_recreates_missing_coa_session)
{
	struct mip6lb_session_key k = {};
	struct mip6lb_session v;
	struct proto_msg m;
	__u32 be;

	be = subscribed_node();
	notify_msg(&m, HOA, COA_B, COA_A, 1, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);

	ck_assert_int_eq(identity_parse(MIP6LB_KIND_COA, COA_B, &k), 0);
	ck_assert_int_eq(session_delete_anywhere(&k), 0);
	ck_assert_int_eq(dpf_session(&fx, 0, MIP6LB_KIND_COA, COA_B, &v), -ENOENT);
	memset(&m, 0, sizeof(m));
	m.type = PROTO_BINDING_SNAPSHOT;
	m.snapshot.snapshot_id = 7;
	m.snapshot.count = 1;
	addr(&m.snapshot.entries[0].home, HOA);
	addr(&m.snapshot.entries[0].coa, COA_B);
	m.snapshot.entries[0].lifetime_s = LIFETIME;
	m.snapshot.entries[0].binding_seq = 1;
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms() + 5000), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);
	ck_assert_uint_eq(plain_packet(COA_B, VIP), be);

	ck_assert_int_eq(session_delete_anywhere(&k), 0);
	notify_msg(&m, HOA, COA_B, NULL, 1, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms() + 10000), 1);
	expect_session(0, MIP6LB_KIND_COA, COA_B, MIP6LB_KIND_COA, be, LIFETIME);
	expect_binding(HOA, COA_B);
}
END_TEST

static void expect_keys(struct json_object *o, const char *const *keys)
{
	for (; *keys; keys++)
		ck_assert_msg(json_object_object_get_ex(o, *keys, NULL), "no field %s", *keys);
}

START_TEST(test_json_fields)
{
	static const char *const bkeys[] = {
		"home", "coa", "old_coas", "peer", "binding_seq", "lifetime_s",
		"lifetime_left_s", "session", "subscription", NULL,
	};
	static const char *const pkeys[] = {
		"name", "role", "addr", "port", "subscriptions", "pending", "last_heard_s",
		"accepted", "rejected", "no_session", "sent", "send_errors", "max_subscriptions",
		"subscribe_rate", "subscribe_burst", "over_limit", "rate_limited", "no_binding",
		"negative", "negative_hits", "choice_agreed", "choice_fallback", "choice_no_service",
		NULL,
	};
	struct json_object *top, *arr, *row, *v;
	struct proto_msg m;
	char want[32];
	__u32 be;
	int r;

	be = subscribed_node();
	notify_msg(&m, HOA, COA_B, COA_A, 1234, LIFETIME);
	peer_send(ha_fd, &ha_tx, &m, NULL, NULL);
	ck_assert_int_eq(pump(notify_now_ms()), 1);

	top = notify_bindings_json(nt, notify_now_ms());
	ck_assert(json_object_object_get_ex(top, "bindings", &arr));
	ck_assert_int_eq(json_object_array_length(arr), 1);
	row = json_object_array_get_idx(arr, 0);
	expect_keys(row, bkeys);
	json_object_object_get_ex(row, "home", &v);
	expect_addr_str(v, HOA);
	json_object_object_get_ex(row, "coa", &v);
	expect_addr_str(v, COA_B);
	json_object_object_get_ex(row, "old_coas", &v);
	ck_assert_int_eq(json_object_array_length(v), 1);
	expect_addr_str(json_object_array_get_idx(v, 0), COA_A);
	json_object_object_get_ex(row, "peer", &v);
	ck_assert_str_eq(json_object_get_string(v), "ha1");
	json_object_object_get_ex(row, "binding_seq", &v);
	ck_assert_int_eq(json_object_get_int(v), 1234);
	json_object_object_get_ex(row, "lifetime_s", &v);
	ck_assert_int_eq(json_object_get_int(v), LIFETIME);
	json_object_object_get_ex(row, "lifetime_left_s", &v);
	ck_assert_int_ge(json_object_get_int(v), LIFETIME - 2);
	ck_assert_int_le(json_object_get_int(v), LIFETIME);
	json_object_object_get_ex(row, "session", &v);
	snprintf(want, sizeof(want), "svc0/be%u", be);
	ck_assert_str_eq(json_object_get_string(v), want);
	json_object_object_get_ex(row, "subscription", &v);
	ck_assert_str_eq(json_object_get_string(v), "active");
	json_object_put(top);

	top = notify_peers_json(nt, notify_now_ms());
	ck_assert(json_object_object_get_ex(top, "unknown_peer", NULL));
	ck_assert(json_object_object_get_ex(top, "no_peer", NULL));
	ck_assert(json_object_object_get_ex(top, "rx_dropped_kernel", NULL));
	ck_assert(json_object_object_get_ex(top, "rcvbuf", NULL));
	ck_assert(json_object_object_get_ex(top, "scan_passes", NULL));
	ck_assert(json_object_object_get_ex(top, "scan_subscribed", NULL));
	ck_assert(json_object_object_get_ex(top, "peers", &arr));
	ck_assert_int_eq(json_object_array_length(arr), 2);
	row = json_object_array_get_idx(arr, 0);
	expect_keys(row, pkeys);
	json_object_object_get_ex(row, "role", &v);
	ck_assert_str_eq(json_object_get_string(v), "ha");
	json_object_object_get_ex(row, "addr", &v);
	expect_addr_str(v, HA_ADDR);
	json_object_object_get_ex(row, "subscriptions", &v);
	ck_assert_int_eq(json_object_get_int(v), 1);
	json_object_object_get_ex(row, "accepted", &v);
	ck_assert_int_eq(json_object_get_int(v), 2);
	json_object_object_get_ex(row, "last_heard_s", &v);
	ck_assert_ptr_nonnull(v);
	json_object_object_get_ex(row, "rejected", &v);
	for (r = 1; r < PEER_R_MAX; r++)
		ck_assert_msg(json_object_object_get_ex(v, peer_reason_name(r), NULL),
			      "no reason %s", peer_reason_name(r));
	/* Never heard from: null. */
	row = json_object_array_get_idx(arr, 1);
	json_object_object_get_ex(row, "last_heard_s", &v);
	ck_assert_ptr_null(v);
	json_object_put(top);
}
END_TEST

MIP6LB_SUITE(notify, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("balancer");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_first_packet_subscribes_then_notify_moves_coa);
	tcase_add_test(tc, test_notify_overrides_a_raced_src_session);
	tcase_add_test(tc, test_forged_and_replayed_change_nothing);
	tcase_add_test(tc, test_wrong_source_port);
	tcase_add_test(tc, test_notify_before_first_packet);
	tcase_add_test(tc, test_notify_for_unknown_home);
	tcase_add_test(tc, test_retry_backoff_until_ack);
	tcase_add_test(tc, test_no_session_left_unsubscribes);
	tcase_add_test(tc, test_unsubscribe_from_peer_and_snapshot);
	tcase_add_test(tc, test_mobile_node_peer_from_its_coa);
	tcase_add_test(tc, test_reload_keeps_state_and_takes_new_keys);
	tcase_add_test(tc, test_json_fields);
	tcase_add_test(tc, test_resync_and_deregistration);
	tcase_add_test(tc, test_remembered_backend_and_maps_changed);
	tcase_add_test(tc, test_burst_of_notifications);
	tcase_add_test(tc, test_rcvbuf_configured_and_reported);
	tcase_add_test(tc, test_kernel_drops_counted);
	tcase_add_test(tc, test_genuine_notifications_survive_a_flood);
	tcase_add_test(tc, test_subscriptions_bounded_per_peer);
	tcase_add_test(tc, test_no_binding_negative_cache);
	tcase_add_test(tc, test_scan_subscribes_nodes_whose_event_was_dropped);
	tcase_add_test(tc, test_snapshot_recreates_missing_coa_session);
	suite_add_tcase(s, tc);
	return s;
}
