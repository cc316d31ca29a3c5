// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The balancer side of balancer groups against the real datapath: a
 * member names its backend in a GROUP_SUBSCRIBE, writes the coa session
 * of a node it never saw with the backend the group agreed on (the ring's
 * pick when that backend is unknown here, nothing when the service is),
 * keeps the agreement when the node's first packet reaches it later,
 * subscribes itself once it carries the node, and refuses unknown groups,
 * forgeries and replays without changing anything.  Each test in its own
 * network namespace, as test_notify.c.
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
#include "hash.h"
#include "notify.h"
#include "peer_rx.h"
#include "proto.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define VIP      "2001:db8::80"          /* service 0: notify = ha */
#define VIP_ELSE "2001:db8::99"          /* a service this instance does not have */
#define LB_ADDR  "2001:db8:ff::1"
#define HA_ADDR  "2001:db8:ff::a"
#define HOA      "2001:db8:100::7"
#define HOA_OUT  "2001:db8:200::7"       /* outside the HA's home prefix */
#define COA_A    "2001:db8:a::9f3c:12aa:7d01:e2c4"
#define COA_B    "2001:db8:b::51e2:4c0d:aa13:9b70"
#define HA_SENDER 77U
#define LIFETIME  600U
#define GROUP     "web"

static struct dpf fx;
static struct notify *nt;
static struct mip6lb_config cfg;
static struct cfg_peer peers[1];
static struct cfg_prefix ha_prefix;
static __u8 ha_key[32];
static int ha_fd = -1;
static __u16 ha_port;
static struct proto_sender ha_tx;
static struct proto_peer_state ha_rx;

static const __u32 be3[] = { 0, 1, 2 };

static void sh(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "'%s' failed", cmd);
}

static void addr(struct in6_addr *a, const char *text)
{
	ck_assert_int_eq(inet_pton(AF_INET6, text, a), 1);
}

/* The group-wide names of the fixture: service 0 is (VIP, any, any), its
 * backends 0..2 are be0..be2. */
static int choice_cb(void *ctx, __u32 sid, __u32 bid, struct proto_choice *out)
{
	if (sid != 0 || bid > 2)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	addr(&out->vip, VIP);
	snprintf(out->backend, sizeof(out->backend), "be%u", bid);
	return 0;
}

static int resolve_cb(void *ctx, const struct proto_choice *c, __u32 *sid, __u32 *bid)
{
	struct in6_addr vip;

	addr(&vip, VIP);
	if (memcmp(&vip, &c->vip, 16) || c->proto || c->port)
		return -ESRCH;
	*sid = 0;
	if (strlen(c->backend) != 3 || strncmp(c->backend, "be", 2) || c->backend[2] < '0' ||
	    c->backend[2] > '2')
		return -ENOENT;
	*bid = c->backend[2] - '0';
	return 0;
}

static void setup(void)
{
	struct mip6lb_settings set = { .events_per_sec = 1000 };
	struct dpf_service s0 = { .id = 0, .vip = VIP, .eui64_only = -1 };
	struct notify_opts opts = {
		.retry_initial_ms = 1000, .retry_max_ms = 4000,
		.names = { .choice = choice_cb, .resolve = resolve_cb },
	};
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	socklen_t sl = sizeof(sa);
	__u32 i;

	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	sh("ip link set lo up");
	sh("ip -6 addr add " LB_ADDR "/128 dev lo && ip -6 addr add " HA_ADDR "/128 dev lo");
	dpf_open(&fx);
	dpf_add_service(&fx, &s0);
	for (i = 0; i < 3; i++) {
		char a[64];

		snprintf(a, sizeof(a), "2001:db8:1::%u", i + 1);
		dpf_add_backend(&fx, i, 0, a);
	}
	dpf_ring(&fx, 0, be3, NULL, 3);
	{
		struct mip6lb_service s;

		i = 0;
		ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.service_conf, &i, &s), 0);
		s.notify = MIP6LB_NOTIFY_HA;
		ck_assert_int_eq(bpf_map_update_elem(fx.maps.service_conf, &i, &s, BPF_ANY), 0);
	}
	ck_assert_int_eq(dp_settings_write(&fx.maps, &set), 0);
	ck_assert_int_eq(proto_init(), 0);
	for (i = 0; i < 32; i++)
		ha_key[i] = 0x10 + i;

	addr(&sa.sin6_addr, HA_ADDR);
	ha_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(ha_fd, 0);
	ck_assert_int_eq(bind(ha_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(ha_fd, (struct sockaddr *)&sa, &sl), 0);
	ha_port = ntohs(sa.sin6_port);

	memset(&cfg, 0, sizeof(cfg));
	memset(peers, 0, sizeof(peers));
	addr(&cfg.daemon.notify_addr, LB_ADDR);
	strcpy(cfg.daemon.notify_group, GROUP);
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
	cfg.peers = peers;
	cfg.n_peers = 1;
	ck_assert_int_eq(notify_open(&nt, &cfg, &fx.maps, &opts), 0);
	ck_assert_int_eq(proto_sender_init(&ha_tx, HA_SENDER, 1, ha_key, 32, proto_now_us()), 0);
	ck_assert_int_eq(proto_peer_init(&ha_rx, NOTIFY_DEFAULT_SENDER_ID, 1, ha_key, 32), 0);
}

static void teardown(void)
{
	notify_close(nt);
	nt = NULL;
	close(ha_fd);
	ha_fd = -1;
	dpf_close(&fx);
}

/* ---- the agent's side ---- */

static int ha_recv(struct proto_msg *m, int timeout_ms)
{
	struct pollfd p = { .fd = ha_fd, .events = POLLIN };
	__u8 buf[PROTO_MAX_MSG];
	ssize_t r;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -ETIMEDOUT;
	r = recv(ha_fd, buf, sizeof(buf), 0);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(proto_accept(&ha_rx, buf, r, proto_now_ms(), m), 0);
	return 0;
}

/* The next message at the agent: a GROUP_SUBSCRIBE for HOA of group web
 * naming backend (NULL: none). */
static __u64 last_sub_seq;

static void expect_group_subscribe(const char *backend)
{
	struct in6_addr h;
	struct proto_msg m;

	ck_assert_msg(!ha_recv(&m, 1000), "no SUBSCRIBE");
	ck_assert_str_eq(proto_type_name(m.type), "group_subscribe");
	addr(&h, HOA);
	ck_assert_mem_eq(&m.group_subscribe.sub.home, &h, 16);
	ck_assert_str_eq(m.group_subscribe.group, GROUP);
	last_sub_seq = m.seq;
	if (!backend) {
		ck_assert_uint_eq(m.group_subscribe.ch.count, 0);
		return;
	}
	ck_assert_uint_eq(m.group_subscribe.ch.count, 1);
	ck_assert_str_eq(m.group_subscribe.ch.c[0].backend, backend);
}

static void ha_quiet(void)
{
	struct proto_msg m;

	ck_assert_int_eq(ha_recv(&m, 0), -ETIMEDOUT);
}

static size_t to_lb(const __u8 *buf, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(notify_port(nt)) };
	struct pollfd p = { .fd = notify_fd(nt), .events = POLLIN };

	addr(&to.sin6_addr, LB_ADDR);
	ck_assert_int_eq(sendto(ha_fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)len);
	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	ck_assert_int_eq(notify_on_readable(nt, notify_now_ms()), 1);
	return len;
}

static void group_notify_msg(struct proto_msg *m, const char *group, const char *home,
			     const char *coa, const char *vip, const char *backend)
{
	memset(m, 0, sizeof(*m));
	m->type = PROTO_GROUP_NOTIFY;
	addr(&m->group_notify.nt.home, home);
	addr(&m->group_notify.nt.coa, coa);
	m->group_notify.nt.binding_seq = 9;
	m->group_notify.nt.lifetime_s = LIFETIME;
	snprintf(m->group_notify.group, sizeof(m->group_notify.group), "%s", group);
	if (backend) {
		addr(&m->group_notify.ch.c[0].vip, vip);
		snprintf(m->group_notify.ch.c[0].backend, PROTO_NAME_LEN, "%s", backend);
		m->group_notify.ch.count = 1;
	}
}

static size_t ha_send(struct proto_msg *m, __u8 *copy)
{
	__u8 buf[PROTO_MAX_MSG];
	int len = proto_sender_encode(&ha_tx, m, proto_now_us(), buf, sizeof(buf));

	ck_assert_int_gt(len, 0);
	if (copy)
		memcpy(copy, buf, len);
	return to_lb(buf, len);
}

/* ---- the datapath's side ---- */

static __u32 forwarded(const struct pb *b)
{
	struct dpf_result r;

	dpf_run(&fx, b, &r);
	ck_assert_msg(r.verdict == XDP_TX, "verdict %d, want XDP_TX", r.verdict);
	return r.backend;
}

static __u32 hao_packet(const char *coa, const char *hoa)
{
	struct pb b;

	pb_init(&b, coa, VIP); pb_dstopt_hao(&b, hoa); pb_udp(&b, 40000, 53, 32); pb_finish(&b);
	return forwarded(&b);
}

static __u32 plain_packet(const char *src)
{
	struct pb b;

	pb_init(&b, src, VIP); pb_udp(&b, 40000, 53, 32); pb_finish(&b);
	return forwarded(&b);
}

static int on_event(void *ctx, void *data, size_t len)
{
	notify_on_event(nt, data, notify_now_ms());
	return 0;
}

static void drain_events(void)
{
	struct ring_buffer *rb = ring_buffer__new(fx.maps.events, on_event, NULL, NULL);

	ck_assert_ptr_nonnull(rb);
	ck_assert_int_ge(ring_buffer__consume(rb), 0);
	ring_buffer__free(rb);
}

/* What the ring gives the node's home address here, read from the maps
 * the way the datapath reads them (bpf/session.h). */
static __u32 ring_pick(const char *home)
{
	struct mip6lb_session_key k = { .service_id = 0, .space = MIP6LB_SPACE_ADDR };
	__u32 idx, slot;

	addr(&k.id.addr, home);
	idx = dpf_hash(&fx, &k) % MIP6LB_RING_SIZE;
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.rings, &idx, &slot), 0);
	return slot;
}

static int coa_backend(const char *coa, __u32 *be)
{
	struct mip6lb_session v;
	int rc = dpf_session(&fx, 0, MIP6LB_KIND_COA, coa, &v);

	if (!rc) {
		ck_assert_uint_eq(v.kind, MIP6LB_KIND_COA);
		*be = v.backend_id;
	}
	return rc;
}

static __s64 peer_field(const char *field)
{
	struct json_object *top = notify_peers_json(nt, notify_now_ms()), *arr, *p, *v;
	__s64 n;

	ck_assert(json_object_object_get_ex(top, "peers", &arr));
	p = json_object_array_get_idx(arr, 0);
	if (!json_object_object_get_ex(p, field, &v))
		ck_assert(json_object_object_get_ex(json_object_object_get(p, "rejected"), field,
						    &v));
	n = json_object_get_int64(v);
	json_object_put(top);
	return n;
}

/* ---- tests ---- */

START_TEST(test_member_names_its_backend)
{
	__u32 be = hao_packet(COA_A, HOA);
	char name[8];

	drain_events();
	snprintf(name, sizeof(name), "be%u", be);
	expect_group_subscribe(name);
	ha_quiet();
}
END_TEST

/*
 * A node this instance never saw: the echoed name decides its coa
 * session, and plain packets from the new care-of address follow it.
 */
enum { E_KNOWN, E_UNKNOWN_NAME, E_UNKNOWN_SERVICE, E_NONE };

static const struct {
	const char *name;
	int echo;
	const char *counter;            /* the peer counter that counts it */
} echo_cases[] = {
	{ "a backend this instance has",     E_KNOWN,           "choice_agreed" },
	{ "a backend unknown here: the ring", E_UNKNOWN_NAME,   "choice_fallback" },
	{ "a service unknown here: nothing", E_UNKNOWN_SERVICE, "choice_no_service" },
	{ "no choice at all: nothing",       E_NONE,            NULL },
};

START_TEST(test_echoed_backend_without_session)
{
	__u32 pick = ring_pick(HOA), other = (pick + 1) % 3, be = ~0U, want;
	struct proto_msg m;
	char name[16];

	switch (echo_cases[_i].echo) {
	case E_KNOWN:
		snprintf(name, sizeof(name), "be%u", other);
		group_notify_msg(&m, GROUP, HOA, COA_B, VIP, name);
		want = other;
		break;
	case E_UNKNOWN_NAME:
		group_notify_msg(&m, GROUP, HOA, COA_B, VIP, "be-gone");
		want = pick;
		break;
	case E_UNKNOWN_SERVICE:
		group_notify_msg(&m, GROUP, HOA, COA_B, VIP_ELSE, "be0");
		want = ~0U;
		break;
	default:
		group_notify_msg(&m, GROUP, HOA, COA_B, NULL, NULL);
		want = ~0U;
		break;
	}
	ha_send(&m, NULL);
	if (echo_cases[_i].counter)
		ck_assert_int_eq(peer_field(echo_cases[_i].counter), 1);
	if (want == ~0U) {
		/* Nothing to carry: remembered, no coa session, no SUBSCRIBE. */
		ck_assert_int_eq(coa_backend(COA_B, &be), -ENOENT);
		ck_assert_int_eq(peer_field("no_session"), 1);
		ha_quiet();
		return;
	}
	ck_assert_int_eq(coa_backend(COA_B, &be), 0);
	ck_assert_uint_eq(be, want);
	ck_assert_uint_eq(plain_packet(COA_B), want);
	/* It carries the node now: it subscribes, naming what it follows. */
	snprintf(name, sizeof(name), "be%u", want);
	expect_group_subscribe(name);
	ha_quiet();
}
END_TEST

/* The node's first packet here after the group agreed: the coa session
 * and this member's choice stay the group's, whatever the ring says. */
START_TEST(test_agreement_outranks_a_fresh_ring_pick)
{
	__u32 pick = ring_pick(HOA), other = (pick + 1) % 3, be;
	struct proto_msg m;
	char name[16];

	snprintf(name, sizeof(name), "be%u", other);
	group_notify_msg(&m, GROUP, HOA, COA_B, VIP, name);
	ha_send(&m, NULL);
	expect_group_subscribe(name);
	/* Its HAO packet makes a hoa session on the ring's pick (session sync
	 * is what reconciles that one), but the event keeps the agreement. */
	ck_assert_uint_eq(hao_packet(COA_A, HOA), pick);
	drain_events();
	ck_assert_int_eq(coa_backend(COA_B, &be), 0);
	ck_assert_uint_eq(be, other);
	ck_assert_uint_eq(plain_packet(COA_B), other);
	ha_quiet();                        /* the choice did not change */
}
END_TEST

/* A plain BINDING_NOTIFY still works for a grouped balancer (an agent
 * that does not know the group treats it as a group of one). */
START_TEST(test_plain_notify_still_taken)
{
	__u32 be = hao_packet(COA_A, HOA), got;
	struct proto_msg m = { .type = PROTO_BINDING_NOTIFY };

	drain_events();
	ha_recv(&m, 1000);
	memset(&m, 0, sizeof(m));
	m.type = PROTO_BINDING_NOTIFY;
	addr(&m.notify.home, HOA);
	addr(&m.notify.coa, COA_B);
	m.notify.lifetime_s = LIFETIME;
	ha_send(&m, NULL);
	ck_assert_int_eq(coa_backend(COA_B, &got), 0);
	ck_assert_uint_eq(got, be);
}
END_TEST

/* The agent had no binding yet (no_binding: the subscription is dropped,
 * the address cached); its GROUP_NOTIFY a moment later brings the
 * subscription back, and that one still names the backend of the node's
 * session here. */
START_TEST(test_resubscription_names_the_session)
{
	__u32 be = hao_packet(COA_A, HOA), got;
	struct proto_msg m = { .type = PROTO_SUBSCRIBE_ACK };
	char name[16];

	drain_events();
	snprintf(name, sizeof(name), "be%u", be);
	expect_group_subscribe(name);
	addr(&m.subscribe_ack.home, HOA);
	m.subscribe_ack.ack_seq = last_sub_seq;
	m.subscribe_ack.status = PROTO_SUB_NO_BINDING;
	ha_send(&m, NULL);
	ck_assert_int_eq(peer_field("no_binding"), 1);

	group_notify_msg(&m, GROUP, HOA, COA_B, VIP, name);
	ha_send(&m, NULL);
	expect_group_subscribe(name);
	ck_assert_int_eq(coa_backend(COA_B, &got), 0);
	ck_assert_uint_eq(got, be);
}
END_TEST

/* Refused, counted under its reason, and nothing written. */
enum { X_OTHER_GROUP, X_FORGED_NAME, X_REPLAY, X_NOT_AUTH, X_BAD_NAME };

static const struct {
	const char *name;
	int how;
	const char *reason;
} reject_cases[] = {
	{ "another group",                X_OTHER_GROUP, "unknown_group" },
	{ "backend name changed in flight", X_FORGED_NAME, "bad_mac" },
	{ "a replay",                     X_REPLAY,      "replay" },
	{ "a home outside the prefix",    X_NOT_AUTH,    "not_authoritative" },
	{ "a malformed backend name",     X_BAD_NAME,    "bad_field" },
};

START_TEST(test_group_rejections_change_nothing)
{
	__u32 pick = ring_pick(HOA), other = (pick + 1) % 3, be;
	__u8 buf[PROTO_MAX_MSG];
	struct proto_msg m;
	char name[16];
	size_t len;
	int off = PROTO_HDR_LEN + PROTO_GROUP_NOTIFY_MIN_LEN + 20 + 2;

	snprintf(name, sizeof(name), "be%u", other);
	group_notify_msg(&m, reject_cases[_i].how == X_OTHER_GROUP ? "db" : GROUP,
			 reject_cases[_i].how == X_NOT_AUTH ? HOA_OUT : HOA, COA_B, VIP, name);
	len = proto_sender_encode(&ha_tx, &m, proto_now_us(), buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	switch (reject_cases[_i].how) {
	case X_FORGED_NAME:
		buf[off] = '0' + pick;             /* "be<other>" -> "be<pick>", MAC kept */
		break;
	case X_BAD_NAME:
		buf[off] = '/';
		ck_assert_int_eq(proto_sign(buf, len, ha_key, 32), 0);
		break;
	case X_REPLAY:
		to_lb(buf, len);                   /* genuine: taken */
		ck_assert_int_eq(coa_backend(COA_B, &be), 0);
		expect_group_subscribe(name);
		/* the coa session goes, so the replay could only bring it back */
		{
			struct mip6lb_session_key k = { .service_id = 0,
							.space = MIP6LB_SPACE_ADDR };

			addr(&k.id.addr, COA_B);
			ck_assert_int_eq(bpf_map_delete_elem(fx.maps.coa_sessions, &k), 0);
		}
		break;
	}
	to_lb(buf, len);
	ck_assert_int_eq(peer_field(reject_cases[_i].reason), 1);
	ck_assert_int_eq(coa_backend(COA_B, &be), -ENOENT);
	ha_quiet();
}
END_TEST

MIP6LB_SUITE(notify_group, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("notify_group");
	TCase *tc = tcase_create("member");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_member_names_its_backend);
	tcase_add_loop_test(tc, test_echoed_backend_without_session, 0, N(echo_cases));
	tcase_add_test(tc, test_agreement_outranks_a_fresh_ring_pick);
	tcase_add_test(tc, test_plain_notify_still_taken);
	tcase_add_test(tc, test_resubscription_names_the_session);
	tcase_add_loop_test(tc, test_group_rejections_change_nothing, 0, N(reject_cases));
	suite_add_tcase(s, tc);
	return s;
}
