// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ICMPv6 errors follow their flow (bpf/icmp_error.h), over
 * bpf_prog_test_run with exact output bytes: a router's error about a
 * backend's reply (from the VIP, to the client) reaches the backend of the
 * client's session, found by the quoted destination (source or coa
 * session) or the home address of a type 2 routing header, in both
 * forwarding modes; with no session, the ring by the quoted client's
 * identity; never a new session; truncated quotes dropped and counted;
 * informational messages and errors to other addresses as before.
 *
 * Every session a test relies on is moved to a backend that neither the
 * ring's pick for the client nor the one for the router's address is, so
 * an error that followed anything but the session would show.
 */
#include <arpa/inet.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <check.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"
#include "dpfixture.h"
#include "names.h"
#include "hash.h"

#define VIP     "2001:db8::80"   /* l2-dsr, service 0 */
#define VIP2    "2001:db8::81"   /* ip6ip6, service 1 */
#define NOT_VIP "2001:db8::99"
#define LB_ADDR "2001:db8:ff::1"
#define ROUTER  "2001:db8:77::1" /* the router that sends the errors */
#define CLIENT  "2001:db8:c1::5"
#define HOA     "2001:db8:100::7"
#define COA_A   "2001:db8:a::9f3c:12aa:7d01:e2c4"
#define COA_B   "2001:db8:b::51e2:4c0d:aa13:9b70"
#define SVC_PORT 53
#define CL_PORT  40000

static struct dpf fx;

static const char *const be_addr[] = {
	"2001:db8:1::1", "2001:db8:1::2", "2001:db8:1::3",
	"2001:db8:2::1", "2001:db8:2::2", "2001:db8:2::3",
};

static void setup(void)
{
	static const __u32 be3[] = { 0, 1, 2 }, be3b[] = { 3, 4, 5 };
	struct dpf_service s0 = { .id = 0, .vip = VIP, .eui64_only = -1,
				  .forward = MIP6LB_FWD_L2_DSR, .notify = MIP6LB_NOTIFY_HA };
	struct dpf_service s1 = { .id = 1, .vip = VIP2, .eui64_only = -1,
				  .forward = MIP6LB_FWD_IP6IP6, .lb_addr = LB_ADDR,
				  .notify = MIP6LB_NOTIFY_HA };
	int i;

	dpf_open(&fx);
	dpf_add_service(&fx, &s0);
	dpf_add_service(&fx, &s1);
	for (i = 0; i < 6; i++)
		dpf_add_backend(&fx, i, i / 3, be_addr[i]);
	dpf_ring(&fx, 0, be3, NULL, 3);
	dpf_ring(&fx, 1, be3b, NULL, 3);
}

static void teardown(void) { dpf_close(&fx); }

/* ---- packets ---- */

static const char *vip_of(__u32 svc) { return svc ? VIP2 : VIP; }

/* The client's own packet, and the backend's reply to it: from the VIP
 * to dst, with a type 2 routing header naming hoa when route-optimised
 * (RFC 6275 §6.4), UDP from the service's port. */
static void client_pkt(struct pb *b, const char *src, const char *hoa, const char *vip)
{
	pb_init(b, src, vip);
	if (hoa)
		pb_dstopt_hao(b, hoa);
	pb_udp(b, CL_PORT, SVC_PORT, 32);
	pb_finish(b);
}

static void reply_pkt(struct pb *b, const char *vip, const char *dst, const char *rt2_hoa,
		      size_t payload)
{
	pb_init(b, vip, dst);
	if (rt2_hoa)
		pb_rt2(b, rt2_hoa);
	pb_udp(b, SVC_PORT, CL_PORT, payload);
	pb_finish(b);
}

/* A router's error about quoted, the first quote_len bytes of it (0: as
 * much as fits in the IPv6 minimum MTU, RFC 4443 §2.4 c). */
static void error_pkt(struct pb *b, __u8 type, __u8 code, __u32 word, const char *to,
		      const struct pb *quoted, size_t quote_len)
{
	pb_init(b, ROUTER, to);
	pb_icmp6_error(b, type, code, word, quoted, quote_len ? quote_len : 1280 - 48);
	pb_finish(b);
	pb_icmp6_csum(b);
}

static void ptb_pkt(struct pb *b, const char *to, const struct pb *quoted, size_t quote_len)
{
	error_pkt(b, 2, 0, 1400, to, quoted, quote_len);
}

/* ---- the datapath's choices, read back ---- */

static __u32 ring_of(__u32 svc, int kind, const char *identity)
{
	struct mip6lb_session_key key = { .service_id = svc };
	__u32 idx, be;

	ck_assert_int_eq(identity_parse(kind, identity, &key), 0);
	idx = svc * MIP6LB_RING_SIZE + dpf_hash(&fx, &key) % MIP6LB_RING_SIZE;
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.rings, &idx, &be), 0);
	return be;
}

/* A backend of svc that is neither a nor b. */
static __u32 other_than(__u32 svc, __u32 a, __u32 b)
{
	__u32 i;

	for (i = svc * 3; i < svc * 3 + 3; i++)
		if (i != a && i != b)
			return i;
	ck_abort_msg("no third backend");
	return 0;
}

/* Move the session of (kind, identity), in the table fd, to backend be. */
static void session_move(int fd, __u32 svc, int kind, const char *identity, __u32 be)
{
	struct mip6lb_session_key key = { .service_id = svc };
	struct mip6lb_session s;

	ck_assert_int_eq(identity_parse(kind, identity, &key), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &key, &s), 0);
	s.backend_id = be;
	ck_assert_int_eq(bpf_map_update_elem(fd, &key, &s, BPF_EXIST), 0);
}

static void run_expect(const struct pb *in, int verdict, struct dpf_result *r)
{
	dpf_run(&fx, in, r);
	ck_assert_msg(r->verdict == verdict, "verdict %d, want %d", r->verdict, verdict);
}

/* What the backend be must receive: in, with its MACs (l2-dsr), or behind
 * an outer header from lb_addr labelled with the session's hash of
 * (kind, identity) (ip6ip6, forward.h). */
static void expect_out(struct pb *want, const struct pb *in, __u32 svc, __u32 be,
		       int kind, const char *identity)
{
	*want = *in;
	if (svc == 1) {
		struct mip6lb_session_key key = { .service_id = 1 };

		ck_assert_int_eq(identity_parse(kind, identity, &key), 0);
		pb_encap(want, LB_ADDR, be_addr[be]);
		pb_flowlabel(want, dpf_hash(&fx, &key) & 0xfffff);
	}
	pb_macs(want, (__u8[6]){ 0x02, 0xbe, 0, 0, 0, (__u8)be }, pb_lb_mac);
}

static void assert_out(const struct dpf_result *r, const struct pb *want)
{
	ck_assert_uint_eq(r->out_len, want->len);
	ck_assert_mem_eq(r->out, want->data, want->len);
}

/* The quote the datapath parsed (scratch slot 1) is the one the userspace
 * parser reads from the same frame. */
static void assert_quote_parity(const struct pb *in)
{
	int ncpu = libbpf_num_possible_cpus();
	struct mip6lb_pkt *vals = calloc(ncpu, sizeof(*vals)), outer, q;
	__u32 one = 1;

	ck_assert_ptr_nonnull(vals);
	ck_assert_int_eq(mip6lb_parse_icmp_error_buf(in->data, in->len, &outer, &q), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.scratch_fd, &one, vals), 0);
	ck_assert_msg(mip6lb_pkt_same(&vals[0], &q), "BPF and userspace quote parses differ");
	free(vals);
}

/* ---- an error follows its flow's session ---- */

enum client { PLAIN, ROAMING_RO, COA_ONLY, N_CLIENTS };

static const char *const client_desc[] = {
	"plain client (source session)",
	"roaming client, route-optimised reply (type 2 routing header -> home address session)",
	"client known only by a coa session",
};

START_TEST(test_error_follows_session)
{
	enum client cl = _i / 2;
	__u32 svc = _i % 2, be, ring_be, router_be;
	const char *vip = vip_of(svc), *id;
	struct pb c, reply, err, want;
	struct dpf_result r;
	int kind, kind_cnt;
	long n;

	router_be = ring_of(svc, MIP6LB_KIND_SRC, ROUTER);
	switch (cl) {
	case PLAIN:
		client_pkt(&c, CLIENT, NULL, vip);
		run_expect(&c, XDP_TX, &r);
		ring_be = ring_of(svc, MIP6LB_KIND_SRC, CLIENT);
		be = other_than(svc, ring_be, router_be);
		session_move(fx.maps.sessions, svc, MIP6LB_KIND_SRC, CLIENT, be);
		reply_pkt(&reply, vip, CLIENT, NULL, 1400);
		kind = MIP6LB_KIND_SRC; id = CLIENT; kind_cnt = MIP6LB_CNT_KIND_SRC;
		break;
	case ROAMING_RO:
		client_pkt(&c, COA_A, HOA, vip);
		run_expect(&c, XDP_TX, &r);
		ring_be = ring_of(svc, MIP6LB_KIND_HOA, HOA);
		be = other_than(svc, ring_be, router_be);
		session_move(fx.maps.sessions, svc, MIP6LB_KIND_HOA, HOA, be);
		reply_pkt(&reply, vip, COA_A, HOA, 1400);
		kind = MIP6LB_KIND_HOA; id = HOA; kind_cnt = MIP6LB_CNT_KIND_HOA;
		break;
	default: {
		/* What the daemon writes on a binding notification. */
		struct mip6lb_session_key key = { .service_id = svc };
		struct mip6lb_session s = { .kind = MIP6LB_KIND_COA, .lifetime_s = 60 };

		ring_be = ring_of(svc, MIP6LB_KIND_SRC, COA_B);
		be = other_than(svc, ring_be, router_be);
		ck_assert_int_eq(identity_parse(MIP6LB_KIND_COA, COA_B, &key), 0);
		s.backend_id = be;
		s.last_used_ns = dp_now_ns();
		ck_assert_int_eq(bpf_map_update_elem(fx.maps.coa_sessions, &key, &s, BPF_ANY), 0);
		reply_pkt(&reply, vip, COA_B, NULL, 1400);
		kind = MIP6LB_KIND_COA; id = COA_B; kind_cnt = MIP6LB_CNT_KIND_COA;
		break;
	}
	}
	n = dpf_session_count(&fx);

	ptb_pkt(&err, vip, &reply, 0);
	run_expect(&err, XDP_TX, &r);
	ck_assert_msg(r.backend == be, "%s, %s: backend %u, want %u", client_desc[cl],
		      svc ? "ip6ip6" : "l2-dsr", r.backend, be);
	expect_out(&want, &err, svc, be, kind, id);
	assert_out(&r, &want);
	assert_quote_parity(&err);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_SESSION), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_RING), 0);
	ck_assert_uint_eq(dpf_counter(&fx, kind_cnt), cl == COA_ONLY ? 1 : 2);
	ck_assert_int_eq(dpf_session_count(&fx), n);
}
END_TEST

/* Destination Unreachable, Time Exceeded and Parameter Problem go the
 * same way as Packet Too Big. */
START_TEST(test_error_types)
{
	static const struct { __u8 type, code; } types[] = {
		{ 1, 3 },   /* Destination Unreachable: address unreachable */
		{ 1, 4 },   /* Destination Unreachable: port unreachable */
		{ 3, 0 },   /* Time Exceeded: hop limit */
		{ 4, 0 },   /* Parameter Problem */
	};
	__u32 svc = _i % 2, be;
	const char *vip = vip_of(svc);
	struct pb c, reply, err, want;
	struct dpf_result r;
	unsigned int t;

	client_pkt(&c, CLIENT, NULL, vip);
	run_expect(&c, XDP_TX, &r);
	be = other_than(svc, ring_of(svc, MIP6LB_KIND_SRC, CLIENT),
			ring_of(svc, MIP6LB_KIND_SRC, ROUTER));
	session_move(fx.maps.sessions, svc, MIP6LB_KIND_SRC, CLIENT, be);
	reply_pkt(&reply, vip, CLIENT, NULL, 200);
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		error_pkt(&err, types[t].type, types[t].code, 0, vip, &reply, 0);
		run_expect(&err, XDP_TX, &r);
		ck_assert_msg(r.backend == be, "type %u: backend %u, want %u",
			      types[t].type, r.backend, be);
		expect_out(&want, &err, svc, be, MIP6LB_KIND_SRC, CLIENT);
		assert_out(&r, &want);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_SESSION), t);
	ck_assert_int_eq(dpf_session_count(&fx), 1);
}
END_TEST

/* ESP: the reply's SPI is the client's inbound SA's, another number than
 * the one the client's packets (and its SPI session) carry; the error
 * follows the address alias of the client's SPI session, even when some
 * other client's session owns the reply's SPI number. */
START_TEST(test_esp_quote_follows_address)
{
	struct pb c, reply, err;
	struct dpf_result r;
	__u32 be, trap;

	pb_init(&c, COA_A, VIP); pb_esp(&c, 0x51, 48); pb_finish(&c);
	run_expect(&c, XDP_TX, &r);
	be = other_than(0, ring_of(0, MIP6LB_KIND_SPI, "0x51"), ring_of(0, MIP6LB_KIND_SRC, ROUTER));
	session_move(fx.maps.sessions, 0, MIP6LB_KIND_SPI, "0x51", be);
	session_move(fx.maps.sessions, 0, MIP6LB_KIND_SRC, COA_A, be);
	/* Another client whose SPI towards the VIP happens to be 0x99. */
	pb_init(&c, COA_B, VIP); pb_esp(&c, 0x99, 48); pb_finish(&c);
	run_expect(&c, XDP_TX, &r);
	trap = be == 0 ? 1 : 0;
	session_move(fx.maps.sessions, 0, MIP6LB_KIND_SPI, "0x99", trap);

	pb_init(&reply, VIP, COA_A); pb_esp(&reply, 0x99, 1400); pb_finish(&reply);
	ptb_pkt(&err, VIP, &reply, 0);
	run_expect(&err, XDP_TX, &r);
	ck_assert_uint_eq(r.backend, be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_SRC), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_SESSION), 1);
}
END_TEST

/* ---- no session: the ring, as the client's own first packet ---- */

START_TEST(test_no_session_ring_by_client)
{
	static const char *const clients[] = {
		"2001:db8:c2::1", "2001:db8:c2::2", "2001:db8:c2::3", "2001:db8:c2::4",
		"2001:db8:c2::211:22ff:fe33:4455",       /* EUI-64: its IID is the key */
		"2001:db8:c2::a", "2001:db8:c2::b", "2001:db8:c2::c",
	};
	__u32 svc = _i, got[9];
	const char *vip = vip_of(svc);
	struct pb c, reply, err;
	struct dpf_result r;
	unsigned int i, n = sizeof(clients) / sizeof(clients[0]), differ = 0;

	for (i = 0; i <= n; i++) {
		/* The last one: a route-optimised reply to a roaming client. */
		reply_pkt(&reply, vip, i < n ? clients[i] : COA_A, i < n ? NULL : HOA, 1400);
		ptb_pkt(&err, vip, &reply, 0);
		run_expect(&err, XDP_TX, &r);
		got[i] = r.backend;
		ck_assert_int_eq(dpf_session_count(&fx), 0);
		differ += got[i] != ring_of(svc, MIP6LB_KIND_SRC, ROUTER);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_RING), n + 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_SESSION), 0);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 0);
	/* The router's own ring pick is not what decided. */
	ck_assert_uint_gt(differ, 0);
	for (i = 0; i <= n; i++) {
		client_pkt(&c, i < n ? clients[i] : COA_A, i < n ? NULL : HOA, vip);
		run_expect(&c, XDP_TX, &r);
		ck_assert_msg(r.backend == got[i], "client %u: its packet went to %u, its error to %u",
			      i, r.backend, got[i]);
	}
}
END_TEST

/* ---- quotes cut short ---- */

/* The address is enough: a quote that ends right after the IPv6 header
 * (no ports) still names the client; its service is found without a port
 * (the VIP's default when none matches). */
START_TEST(test_quote_cut_after_ipv6_header)
{
	struct pb c, reply, err, want;
	struct dpf_result r;
	__u32 be;

	client_pkt(&c, CLIENT, NULL, VIP);
	run_expect(&c, XDP_TX, &r);
	be = other_than(0, ring_of(0, MIP6LB_KIND_SRC, CLIENT), ring_of(0, MIP6LB_KIND_SRC, ROUTER));
	session_move(fx.maps.sessions, 0, MIP6LB_KIND_SRC, CLIENT, be);
	reply_pkt(&reply, VIP, CLIENT, NULL, 1400);
	ptb_pkt(&err, VIP, &reply, 40);
	run_expect(&err, XDP_TX, &r);
	ck_assert_uint_eq(r.backend, be);
	expect_out(&want, &err, 0, be, MIP6LB_KIND_SRC, CLIENT);
	assert_out(&r, &want);
	assert_quote_parity(&err);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_SESSION), 1);
}
END_TEST

struct cut_case {
	const char *desc;
	int rt2;                          /* the reply carries a type 2 header */
	size_t quote_len;
};

static const struct cut_case cut_cases[] = {
	{ "inside the quoted IPv6 header", 0, 20 },
	{ "one byte short of the IPv6 header", 0, 39 },
	{ "inside the UDP ports", 0, 42 },
	{ "inside the type 2 routing header", 1, 40 + 10 },
	{ "inside the UDP ports after a type 2 routing header", 1, 40 + 24 + 3 },
};

START_TEST(test_truncated_quote_dropped)
{
	const struct cut_case *cc = &cut_cases[_i];
	struct pb c, reply, err;
	struct dpf_result r;

	client_pkt(&c, CLIENT, NULL, VIP);
	run_expect(&c, XDP_TX, &r);
	reply_pkt(&reply, VIP, cc->rt2 ? COA_A : CLIENT, cc->rt2 ? HOA : NULL, 1400);
	ptb_pkt(&err, VIP, &reply, cc->quote_len);
	dpf_run(&fx, &err, &r);
	ck_assert_msg(r.verdict == XDP_DROP, "%s: verdict %d", cc->desc, r.verdict);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_ICMP_MALFORMED), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_SESSION), 0);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_TX), 1);
	ck_assert_int_eq(dpf_session_count(&fx), 1);
	{
		struct mip6lb_pkt outer, q;

		ck_assert_int_eq(mip6lb_parse_icmp_error_buf(err.data, err.len, &outer, &q),
				 MIP6LB_PARSE_MALFORMED);
	}
}
END_TEST

/* Inconsistent: a quote whose source is not the VIP the error came to, a
 * routing header of type 2 with the wrong length, an ICMPv6 header cut
 * short. */
START_TEST(test_inconsistent_error_dropped)
{
	struct pb reply, err;
	struct dpf_result r;

	reply_pkt(&reply, VIP2, CLIENT, NULL, 100);
	ptb_pkt(&err, VIP, &reply, 0);
	dpf_run(&fx, &err, &r);
	ck_assert_int_eq(r.verdict, XDP_DROP);

	reply_pkt(&reply, VIP, COA_A, HOA, 100);
	reply.data[14 + 40 + 1] = 4;           /* RH2 Hdr Ext Len 4, not 2 */
	ptb_pkt(&err, VIP, &reply, 0);
	dpf_run(&fx, &err, &r);
	ck_assert_int_eq(r.verdict, XDP_DROP);

	pb_init(&err, ROUTER, VIP);
	pb_raw(&err, 58, 6);
	err.data[14 + 40] = 2;                 /* Packet Too Big, 6 bytes */
	pb_finish(&err);
	dpf_run(&fx, &err, &r);
	ck_assert_int_eq(r.verdict, XDP_DROP);

	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_ICMP_MALFORMED), 3);
	ck_assert_int_eq(dpf_session_count(&fx), 0);
}
END_TEST

/* ---- what does not change ---- */

/* An echo request to a VIP is balanced as any packet of the VIP's
 * service: by its source, which gets a session. */
START_TEST(test_echo_to_vip_balanced_as_before)
{
	struct pb b, want;
	struct dpf_result r;
	struct mip6lb_session s;

	pb_init(&b, CLIENT, VIP); pb_icmp6_echo(&b); pb_finish(&b);
	run_expect(&b, XDP_TX, &r);
	ck_assert_int_eq(dpf_session(&fx, 0, MIP6LB_KIND_SRC, CLIENT, &s), 0);
	ck_assert_uint_eq(s.backend_id, r.backend);
	ck_assert_uint_eq(r.backend, ring_of(0, MIP6LB_KIND_SRC, CLIENT));
	expect_out(&want, &b, 0, r.backend, MIP6LB_KIND_SRC, CLIENT);
	assert_out(&r, &want);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_SESSION) +
			  dpf_counter(&fx, MIP6LB_CNT_ICMP_ERROR_RING), 0);
}
END_TEST

/* An error to an address that is no VIP is the host's: untouched. */
START_TEST(test_error_not_to_vip_passes)
{
	struct pb reply, err;
	struct dpf_result r;

	reply_pkt(&reply, NOT_VIP, CLIENT, NULL, 1400);
	ptb_pkt(&err, NOT_VIP, &reply, 0);
	run_expect(&err, XDP_PASS, &r);
	ck_assert_uint_eq(r.out_len, err.len);
	ck_assert_mem_eq(r.out, err.data, err.len);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PASS_NOT_SERVICE), 1);
	ck_assert_int_eq(dpf_session_count(&fx), 0);
}
END_TEST

MIP6LB_SUITE(icmp_error, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("icmp_error");
	TCase *fl = tcase_create("follows");
	TCase *ring = tcase_create("ring");
	TCase *cut = tcase_create("cut");
	TCase *same = tcase_create("unchanged");
	TCase *all[] = { fl, ring, cut, same };
	unsigned int i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		tcase_set_timeout(all[i], 30);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_loop_test(fl, test_error_follows_session, 0, N_CLIENTS * 2);
	tcase_add_loop_test(fl, test_error_types, 0, 2);
	tcase_add_test(fl, test_esp_quote_follows_address);
	tcase_add_loop_test(ring, test_no_session_ring_by_client, 0, 2);
	tcase_add_test(cut, test_quote_cut_after_ipv6_header);
	tcase_add_loop_test(cut, test_truncated_quote_dropped, 0,
			    sizeof(cut_cases) / sizeof(cut_cases[0]));
	tcase_add_test(cut, test_inconsistent_error_dropped);
	tcase_add_test(same, test_echo_to_vip_balanced_as_before);
	tcase_add_test(same, test_error_not_to_vip_passes);
	return s;
}
