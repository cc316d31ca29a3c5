// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The datapath end to end over bpf_prog_test_run: a fixture table of
 * {packet in, verdict, packet out} whose expected packets are built with
 * the same builders as the input (selftests/lib/pktbuild.h), then
 * identities, roaming, sessions against the ring, drain and delete,
 * fragments, malformed input, counters and new-session events.
 */
#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>
#include <stdio.h>
#include <check.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"
#include "dpfixture.h"
#include "names.h"
#include "hash.h"
#include "mip6lb.skel.h"

#define VIP     "2001:db8::80"
#define VIP2    "2001:db8::81"   /* ip6ip6 service */
#define LB_ADDR "2001:db8:ff::1"
#define HOA     "2001:db8:100::7"
#define COA_A   "2001:db8:a::9f3c:12aa:7d01:e2c4"
#define COA_B   "2001:db8:b::51e2:4c0d:aa13:9b70"

static struct dpf fx;

static const __u32 be3[] = { 0, 1, 2 };
static const __u32 be3b[] = { 3, 4, 5 };

static void setup(void)
{
	/* Both take binding notifications, so coa_sessions is looked up. */
	struct dpf_service s0 = { .id = 0, .vip = VIP, .eui64_only = -1, .forward = MIP6LB_FWD_L2_DSR,
				  .notify = MIP6LB_NOTIFY_HA };
	struct dpf_service s1 = { .id = 1, .vip = VIP2, .eui64_only = -1,
				  .forward = MIP6LB_FWD_IP6IP6, .lb_addr = LB_ADDR,
				  .notify = MIP6LB_NOTIFY_HA };

	dpf_open(&fx);
	dpf_add_service(&fx, &s0);
	dpf_add_service(&fx, &s1);
	dpf_add_backend(&fx, 0, 0, "2001:db8:1::1");
	dpf_add_backend(&fx, 1, 0, "2001:db8:1::2");
	dpf_add_backend(&fx, 2, 0, "2001:db8:1::3");
	dpf_add_backend(&fx, 3, 1, "2001:db8:2::1");
	dpf_add_backend(&fx, 4, 1, "2001:db8:2::2");
	dpf_add_backend(&fx, 5, 1, "2001:db8:2::3");
	dpf_ring(&fx, 0, be3, NULL, 3);
	dpf_ring(&fx, 1, be3b, NULL, 3);
}

static void teardown(void) { dpf_close(&fx); }

/* ---- packet shorthands ---- */

static void udp_from(struct pb *b, const char *src, const char *dst)
{
	pb_init(b, src, dst); pb_udp(b, 40000, 53, 32); pb_finish(b);
}

static void hao_from(struct pb *b, const char *coa, const char *hoa, const char *dst)
{
	pb_init(b, coa, dst); pb_dstopt_hao(b, hoa); pb_udp(b, 40000, 53, 32); pb_finish(b);
}

static void esp_from(struct pb *b, const char *src, const char *dst, __u32 spi)
{
	pb_init(b, src, dst); pb_esp(b, spi, 48); pb_finish(b);
}

/* Send, demand a forward, return the backend. */
static __u32 forwarded(const struct pb *b)
{
	struct dpf_result r;

	dpf_run(&fx, b, &r);
	ck_assert_msg(r.verdict == XDP_TX, "verdict %d, want XDP_TX", r.verdict);
	ck_assert_uint_ne(r.backend, ~0U);
	return r.backend;
}

static void assert_session(__u32 svc, int kind, const char *id, __u8 want_kind, __u32 want_be)
{
	struct mip6lb_session s;

	ck_assert_msg(dpf_session(&fx, svc, kind, id, &s) == 0, "no %s session for %s",
		      kind_name(kind), id);
	ck_assert_uint_eq(s.kind, want_kind);
	ck_assert_uint_eq(s.backend_id, want_be);
	ck_assert_uint_eq(s.lifetime_s, MIP6LB_DEFAULT_LIFETIME);
}

/* ---- identities ---- */

START_TEST(test_hao_miss_then_hit_while_roaming)
{
	struct pb b;
	__u32 be;

	hao_from(&b, COA_A, HOA, VIP);
	be = forwarded(&b);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 1);
	assert_session(0, MIP6LB_KIND_HOA, HOA, MIP6LB_KIND_HOA, be);

	hao_from(&b, COA_B, HOA, VIP);
	ck_assert_uint_eq(forwarded(&b), be);
	hao_from(&b, COA_A, HOA, VIP);
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT), 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_HOA), 3);
	ck_assert_int_eq(dpf_session_count(&fx), 1);
}
END_TEST

/* The node on its home link sends from its home address with no option;
 * later it roams and names the same address in an HAO. */
START_TEST(test_home_link_then_roam)
{
	static const char *const homes[] = {
		"2001:db8:100::7",                   /* src identity */
		"2001:db8:100::211:22ff:fe33:4455",  /* EUI-64: iid identity + alias */
	};
	struct pb b;
	__u32 be;
	int i;

	for (i = 0; i < 2; i++) {
		udp_from(&b, homes[i], VIP);
		be = forwarded(&b);
		assert_session(0, MIP6LB_KIND_SRC, homes[i], MIP6LB_KIND_SRC, be);
		hao_from(&b, COA_A, homes[i], VIP);
		ck_assert_uint_eq(forwarded(&b), be);
		hao_from(&b, COA_B, homes[i], VIP);
		ck_assert_uint_eq(forwarded(&b), be);
		udp_from(&b, homes[i], VIP);          /* and home again */
		ck_assert_uint_eq(forwarded(&b), be);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 2);
	assert_session(0, MIP6LB_KIND_IID, "021122fffe334455", MIP6LB_KIND_IID,
		       forwarded(&b));
}
END_TEST

/* A node that sent plainly from its CoA before naming its home address
 * keeps that backend, and the home address gets it too, so the next move
 * (to CoA B) still lands there.  Likewise an IKE rekey's new SPI from a
 * known CoA. */
START_TEST(test_higher_identity_promoted)
{
	struct pb b;
	__u32 be;

	udp_from(&b, COA_A, VIP);
	be = forwarded(&b);
	hao_from(&b, COA_A, HOA, VIP);
	ck_assert_uint_eq(forwarded(&b), be);
	assert_session(0, MIP6LB_KIND_HOA, HOA, MIP6LB_KIND_HOA, be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_PROMOTED), 1);
	hao_from(&b, COA_B, HOA, VIP);
	ck_assert_uint_eq(forwarded(&b), be);

	esp_from(&b, COA_B, VIP, 0x51);
	be = forwarded(&b);
	esp_from(&b, COA_B, VIP, 0x52);            /* rekey: new SPI, same CoA */
	ck_assert_uint_eq(forwarded(&b), be);
	assert_session(0, MIP6LB_KIND_SPI, "0x52", MIP6LB_KIND_SPI, be);
	esp_from(&b, COA_A, VIP, 0x52);            /* and it roams */
	ck_assert_uint_eq(forwarded(&b), be);
}
END_TEST

START_TEST(test_iid_eui64_two_prefixes)
{
	struct pb b;
	__u32 be;

	udp_from(&b, "2001:db8:a::211:22ff:fe33:4455", VIP);
	be = forwarded(&b);
	assert_session(0, MIP6LB_KIND_IID, "021122fffe334455", MIP6LB_KIND_IID, be);
	udp_from(&b, "2001:db8:b::211:22ff:fe33:4455", VIP);
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_IID), 2);
}
END_TEST

START_TEST(test_iid_random_with_eui64_filter)
{
	struct mip6lb_session s;
	struct pb b;
	__u32 be;

	/* eui64_only = yes (the default): a random IID is no identity. */
	udp_from(&b, COA_A, VIP);
	be = forwarded(&b);
	ck_assert_int_ne(dpf_session(&fx, 0, MIP6LB_KIND_IID, "9f3c12aa7d01e2c4", &s), 0);
	assert_session(0, MIP6LB_KIND_SRC, COA_A, MIP6LB_KIND_SRC, be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_IID), 0);
}
END_TEST

START_TEST(test_iid_random_without_eui64_filter)
{
	struct dpf_service s2 = { .id = 2, .vip = "2001:db8::82", .eui64_only = 0 };
	static const __u32 ids[] = { 6, 7, 8 };
	struct pb b;
	__u32 be;

	dpf_add_service(&fx, &s2);
	dpf_add_backend(&fx, 6, 2, "2001:db8:3::1");
	dpf_add_backend(&fx, 7, 2, "2001:db8:3::2");
	dpf_add_backend(&fx, 8, 2, "2001:db8:3::3");
	dpf_ring(&fx, 2, ids, NULL, 3);
	udp_from(&b, "2001:db8:a::9f3c:12aa:7d01:e2c4", "2001:db8::82");
	be = forwarded(&b);
	assert_session(2, MIP6LB_KIND_IID, "9f3c12aa7d01e2c4", MIP6LB_KIND_IID, be);
	udp_from(&b, "2001:db8:b::9f3c:12aa:7d01:e2c4", "2001:db8::82");
	ck_assert_uint_eq(forwarded(&b), be);
}
END_TEST

START_TEST(test_spi_two_coas_and_two_vips)
{
	struct pb b;
	__u32 be0, be1;

	esp_from(&b, COA_A, VIP, 0x1000);
	be0 = forwarded(&b);
	assert_session(0, MIP6LB_KIND_SPI, "0x1000", MIP6LB_KIND_SPI, be0);
	esp_from(&b, COA_B, VIP, 0x1000);
	ck_assert_uint_eq(forwarded(&b), be0);

	/* The same SPI to another VIP is another session: SPIs are chosen by
	 * the receiver, so they only mean something per destination. */
	esp_from(&b, COA_A, VIP2, 0x1000);
	be1 = forwarded(&b);
	ck_assert_uint_ge(be1, 3);
	assert_session(1, MIP6LB_KIND_SPI, "0x1000", MIP6LB_KIND_SPI, be1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_SPI), 3);
}
END_TEST

START_TEST(test_ah_spi)
{
	struct pb b;
	__u32 be;

	pb_init(&b, COA_A, VIP); pb_ah(&b, 0x77); pb_udp(&b, 1, 53, 8); pb_finish(&b);
	be = forwarded(&b);
	assert_session(0, MIP6LB_KIND_SPI, "0x77", MIP6LB_KIND_SPI, be);
	pb_init(&b, COA_B, VIP); pb_ah(&b, 0x77); pb_udp(&b, 1, 53, 8); pb_finish(&b);
	ck_assert_uint_eq(forwarded(&b), be);
}
END_TEST

START_TEST(test_src_identity)
{
	struct pb b;
	__u32 be;

	udp_from(&b, COA_A, VIP);
	be = forwarded(&b);
	assert_session(0, MIP6LB_KIND_SRC, COA_A, MIP6LB_KIND_SRC, be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_SRC), 1);
}
END_TEST

/* A coa session (written by the daemon on a binding notification) makes
 * plain packets from the new care-of address reach the node's backend. */
START_TEST(test_coa_session)
{
	struct mip6lb_session_key key = { .service_id = 0 };
	struct mip6lb_session val = { .backend_id = 2, .kind = MIP6LB_KIND_COA, .lifetime_s = 60 };
	struct pb b;

	ck_assert_int_eq(identity_parse(MIP6LB_KIND_COA, COA_B, &key), 0);
	val.last_used_ns = dp_now_ns();
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.coa_sessions, &key, &val, BPF_ANY), 0);
	udp_from(&b, COA_B, VIP);
	ck_assert_uint_eq(forwarded(&b), 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_COA), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 0);
}
END_TEST

START_TEST(test_identity_order_respected)
{
	/* src before hoa: the HAO is ignored for keying. */
	struct dpf_service s2 = { .id = 2, .vip = "2001:db8::82", .identity = "src,hoa", .eui64_only = -1 };
	static const __u32 ids[] = { 6 };
	struct mip6lb_session s;
	struct pb b;

	dpf_add_service(&fx, &s2);
	dpf_add_backend(&fx, 6, 2, "2001:db8:3::1");
	dpf_ring(&fx, 2, ids, NULL, 1);
	hao_from(&b, COA_A, HOA, "2001:db8::82");
	forwarded(&b);
	ck_assert_int_eq(dpf_session(&fx, 2, MIP6LB_KIND_SRC, COA_A, &s), 0);
	ck_assert_int_ne(dpf_session(&fx, 2, MIP6LB_KIND_HOA, HOA, &s), 0);
}
END_TEST

/* ---- sessions against the ring ---- */

START_TEST(test_drain_keeps_sessions)
{
	static const __u32 undrained[] = { 0, 2 };
	char src[64];
	__u32 got[200];
	struct pb b;
	int i, on1 = 0;

	for (i = 0; i < 200; i++) {
		snprintf(src, sizeof(src), "2001:db8:c::%x", i + 1);
		udp_from(&b, src, VIP);
		got[i] = forwarded(&b);
		on1 += got[i] == 1;
	}
	ck_assert_int_gt(on1, 0);
	dpf_set_backend_flags(&fx, 1, MIP6LB_BE_ACTIVE | MIP6LB_BE_NH_VALID | MIP6LB_BE_DRAINED);
	dpf_ring(&fx, 0, undrained, NULL, 2);
	for (i = 0; i < 200; i++) {
		snprintf(src, sizeof(src), "2001:db8:c::%x", i + 1);
		udp_from(&b, src, VIP);
		ck_assert_uint_eq(forwarded(&b), got[i]);
	}
	for (i = 0; i < 200; i++) {
		snprintf(src, sizeof(src), "2001:db8:d::%x", i + 1);
		udp_from(&b, src, VIP);
		ck_assert_uint_ne(forwarded(&b), 1);
	}
}
END_TEST

/* Remove one of N backends: only its sessions move; add one: none move. */
START_TEST(test_remove_and_add_backend_with_sessions)
{
	static const __u32 four[] = { 0, 1, 2, 9 };
	static const __u32 three[] = { 0, 2, 9 };
	static const __u32 four_again[] = { 0, 2, 9, 10 };
	enum { N = 400 };
	__u32 got[N], now;
	char src[64];
	struct pb b;
	int i, moved_other = 0, on1 = 0;

	dpf_add_backend(&fx, 9, 0, "2001:db8:1::9");
	dpf_ring(&fx, 0, four, NULL, 4);
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:e::%x", i + 1);
		udp_from(&b, src, VIP);
		got[i] = forwarded(&b);
	}
	ck_assert_int_eq(dp_backend_clear(&fx.maps, 1), 0);
	dpf_ring(&fx, 0, three, NULL, 3);
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:e::%x", i + 1);
		udp_from(&b, src, VIP);
		now = forwarded(&b);
		if (got[i] == 1) {
			on1++;
			ck_assert_uint_ne(now, 1);
			got[i] = now;
		} else if (now != got[i]) {
			moved_other++;
		}
	}
	ck_assert_int_gt(on1, 0);
	ck_assert_int_eq(moved_other, 0);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_REHASH), (__u64)on1);

	dpf_add_backend(&fx, 10, 0, "2001:db8:1::10");
	dpf_ring(&fx, 0, four_again, NULL, 4);
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:e::%x", i + 1);
		udp_from(&b, src, VIP);
		ck_assert_uint_eq(forwarded(&b), got[i]);
	}
	printf("datapath: removing 1 of 4 backends re-hashed %d of %d sessions, moved 0 others\n",
	       on1, N);
}
END_TEST

START_TEST(test_touch_is_coarse)
{
	struct mip6lb_session_key key = { .service_id = 0 };
	struct mip6lb_session s1, s2;
	struct pb b;
	__u64 was;

	udp_from(&b, COA_A, VIP);
	forwarded(&b);
	ck_assert_int_eq(identity_parse(MIP6LB_KIND_SRC, COA_A, &key), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.sessions, &key, &s1), 0);
	ck_assert_uint_gt(s1.last_used_ns, 0);
	/* Sleep past a few coarse-clock ticks (jiffies), well under 1 s, so a
	 * per-packet write would show. */
	usleep(30 * 1000);
	forwarded(&b);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.sessions, &key, &s2), 0);
	/* Within MIP6LB_TOUCH_NS: no write. */
	ck_assert_uint_eq(s2.last_used_ns, s1.last_used_ns);
	/* More than MIP6LB_TOUCH_NS off: a write.  Off into the future (a
	 * stale writer's clock), not "last use - 2 s", which is before boot
	 * in the first seconds of uptime. */
	was = s1.last_used_ns;
	s1.last_used_ns = was + 2 * MIP6LB_TOUCH_NS;
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.sessions, &key, &s1, BPF_EXIST), 0);
	forwarded(&b);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.sessions, &key, &s2), 0);
	ck_assert_uint_lt(s2.last_used_ns, was + 2 * MIP6LB_TOUCH_NS);
	ck_assert_uint_ge(s2.last_used_ns, was);
}
END_TEST

START_TEST(test_no_nexthop_and_no_backend)
{
	static const __u32 none[] = { 0 };
	struct dpf_result r;
	struct pb b;

	dpf_set_backend_flags(&fx, 0, MIP6LB_BE_ACTIVE);
	dpf_set_backend_flags(&fx, 1, MIP6LB_BE_ACTIVE);
	dpf_set_backend_flags(&fx, 2, MIP6LB_BE_ACTIVE);
	udp_from(&b, COA_A, VIP);
	ck_assert_int_eq(dpf_run(&fx, &b, &r), XDP_DROP);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_NO_NEXTHOP), 1);

	dpf_ring(&fx, 0, none, NULL, 0);
	udp_from(&b, COA_B, VIP);
	ck_assert_int_eq(dpf_run(&fx, &b, &r), XDP_DROP);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_NO_BACKEND), 1);
}
END_TEST

START_TEST(test_redirect_without_devmap_entry_is_counted)
{
	struct mip6lb_backend be;
	struct dpf_result r;
	struct pb b;
	__u32 id;

	/* Every backend on another interface that is not in tx_ports. */
	for (id = 0; id < 3; id++) {
		ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.backends, &id, &be), 0);
		be.ifindex = 4242;
		ck_assert_int_eq(dp_backend_write(&fx.maps, id, &be), 0);
	}
	udp_from(&b, COA_A, VIP);
	ck_assert_int_eq(dpf_run(&fx, &b, &r), XDP_DROP);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_NO_NEXTHOP), 1);
}
END_TEST

/* ---- fixtures: a packet in, the verdict and the packet out ---- */

/* The backends of setup(), by id: l2-dsr rewrites the MACs to theirs,
 * ip6ip6 also sends to their address. */
static const char *const be_addr[] = {
	"2001:db8:1::1", "2001:db8:1::2", "2001:db8:1::3",
	"2001:db8:2::1", "2001:db8:2::2", "2001:db8:2::3",
};

static void be_macs(struct pb *b, __u32 be)
{
	pb_macs(b, (__u8[6]){ 0x02, 0xbe, 0, 0, 0, (__u8)be }, pb_lb_mac);
}

/* ip6ip6 as forward.h builds it: the inner packet behind an outer header
 * from the balancer to the backend, whose flow label is the identity's
 * session hash (RFC 6438), and the backend's MACs. */
static void ip6ip6_to(struct pb *b, __u32 be, int kind, const char *identity)
{
	struct mip6lb_session_key key = { .service_id = 1 };

	ck_assert_uint_lt(be, sizeof(be_addr) / sizeof(be_addr[0]));
	ck_assert_int_eq(identity_parse(kind, identity, &key), 0);
	pb_encap(b, LB_ADDR, be_addr[be]);
	pb_flowlabel(b, dpf_hash(&fx, &key) & 0xfffff);
	be_macs(b, be);
}

static void in_hao(struct pb *b)         { hao_from(b, COA_A, HOA, VIP); }
static void in_hao_ip6ip6(struct pb *b)  { hao_from(b, COA_A, HOA, VIP2); }
static void in_not_vip(struct pb *b)     { udp_from(b, COA_A, "2001:db8::99"); }
static void in_ipv4(struct pb *b)        { pb_ipv4(b); }
/* The payload length agrees with the frame, cut inside the Destination
 * Options header. */
static void in_cut_dstopts(struct pb *b)
{
	hao_from(b, COA_A, HOA, VIP);
	b->len = 14 + 40 + 12;
	pb_finish(b);
}

static void out_hao_l2_dsr(struct pb *b, __u32 be)
{
	in_hao(b);
	be_macs(b, be);
}

static void out_hao_ip6ip6(struct pb *b, __u32 be)
{
	in_hao_ip6ip6(b);
	ip6ip6_to(b, be, MIP6LB_KIND_HOA, HOA);
}

struct dp_case {
	const char *desc;
	void (*in)(struct pb *b);
	int verdict;
	/* Forwarded: the packet expected for the backend chosen, which must
	 * be in [be_min, be_max].  NULL: passed untouched, or dropped. */
	void (*out)(struct pb *b, __u32 be);
	__u32 be_min, be_max;
	int counter;                       /* counted exactly once */
	long sessions;                     /* sessions afterwards */
};

static const struct dp_case dp_cases[] = {
	{ "l2-dsr: the backend's MACs, not a byte more changed", in_hao,
	  XDP_TX, out_hao_l2_dsr, 0, 2, MIP6LB_CNT_KIND_HOA, 1 },
	{ "ip6ip6: outer header to the backend, flow label from the identity", in_hao_ip6ip6,
	  XDP_TX, out_hao_ip6ip6, 3, 5, MIP6LB_CNT_KIND_HOA, 1 },
	{ "IPv6 to an address that is no VIP passes untouched", in_not_vip,
	  XDP_PASS, NULL, 0, 0, MIP6LB_CNT_PASS_NOT_SERVICE, 0 },
	{ "IPv4 passes untouched", in_ipv4,
	  XDP_PASS, NULL, 0, 0, MIP6LB_CNT_PASS_NOT_IPV6, 0 },
	{ "malformed to a VIP is dropped and counted", in_cut_dstopts,
	  XDP_DROP, NULL, 0, 0, MIP6LB_CNT_DROP_MALFORMED, 0 },
};

START_TEST(test_dp_case)
{
	const struct dp_case *c = &dp_cases[_i];
	struct dpf_result r;
	struct pb in, want;

	c->in(&in);
	dpf_run(&fx, &in, &r);
	ck_assert_msg(r.verdict == c->verdict, "%s: verdict %d, want %d",
		      c->desc, r.verdict, c->verdict);
	if (c->out) {
		ck_assert_msg(r.backend >= c->be_min && r.backend <= c->be_max,
			      "%s: backend %u", c->desc, r.backend);
		c->out(&want, r.backend);
	} else {
		want = in;
	}
	if (c->verdict != XDP_DROP) {
		ck_assert_msg(r.out_len == want.len, "%s: %u bytes out, want %zu",
			      c->desc, r.out_len, want.len);
		ck_assert_mem_eq(r.out, want.data, want.len);
	}
	ck_assert_msg(dpf_counter(&fx, c->counter) == 1, "%s: counter %s is %llu",
		      c->desc, mip6lb_counter_names[c->counter],
		      (unsigned long long)dpf_counter(&fx, c->counter));
	ck_assert_int_eq(dpf_session_count(&fx), c->sessions);
}
END_TEST

/* The ip6ip6 flow label is hashed once and kept in the session: a hit
 * labels the same way, and a session written without one (as the daemon
 * writes coa sessions) gets it on its first ip6ip6 packet. */
START_TEST(test_ip6ip6_flow_hash_kept)
{
	struct mip6lb_session_key key = { .service_id = 1 }, ck = { .service_id = 1 };
	struct mip6lb_session s, coa = { .kind = MIP6LB_KIND_COA, .lifetime_s = 60 };
	struct dpf_result r;
	struct pb b, want;
	__u32 be;

	in_hao_ip6ip6(&b);
	dpf_run(&fx, &b, &r);
	ck_assert_int_eq(r.verdict, XDP_TX);
	be = r.backend;
	ck_assert_uint_ge(be, 3);
	out_hao_ip6ip6(&want, be);
	ck_assert_int_eq(identity_parse(MIP6LB_KIND_HOA, HOA, &key), 0);
	ck_assert_int_eq(dpf_session(&fx, 1, MIP6LB_KIND_HOA, HOA, &s), 0);
	ck_assert_uint_eq(s.flow_hash, dpf_hash(&fx, &key));
	dpf_run(&fx, &b, &r);
	ck_assert_int_eq(r.verdict, XDP_TX);
	ck_assert_uint_eq(r.out_len, want.len);
	ck_assert_mem_eq(r.out, want.data, want.len);

	ck_assert_int_eq(identity_parse(MIP6LB_KIND_COA, COA_B, &ck), 0);
	coa.backend_id = be;
	coa.last_used_ns = dp_now_ns();
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.coa_sessions, &ck, &coa, BPF_ANY), 0);
	udp_from(&b, COA_B, VIP2);
	dpf_run(&fx, &b, &r);
	ck_assert_int_eq(r.verdict, XDP_TX);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.coa_sessions, &ck, &s), 0);
	ck_assert_uint_eq(s.flow_hash, dpf_hash(&fx, &ck));
	udp_from(&want, COA_B, VIP2);
	ip6ip6_to(&want, be, MIP6LB_KIND_COA, COA_B);
	ck_assert_uint_eq(r.out_len, want.len);
	ck_assert_mem_eq(r.out, want.data, want.len);
}
END_TEST

/* service_stats: a packet that finds no session counts as mid-flow when
 * it is TCP without SYN, in its own service only; a SYN, a hit and UDP
 * never count. */
static __u64 midflow(__u32 service_id)
{
	struct mip6lb_service_stats v;

	ck_assert_int_eq(dp_service_stats_read(&fx.maps, service_id, &v), 0);
	return v.midflow_new;
}

START_TEST(test_midflow_new_session_counted)
{
	__u64 hits = dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT);
	long n = dpf_session_count(&fx);
	__u32 be;
	struct pb b;

	pb_init(&b, COA_A, VIP); pb_tcp(&b, 5555, 443); pb_finish(&b);
	forwarded(&b);
	ck_assert_int_gt(dpf_session_count(&fx), n);
	ck_assert_uint_eq(midflow(0), 0);

	/* ACK only, from an identity with no session: a lost connection. */
	n = dpf_session_count(&fx);
	pb_init(&b, COA_B, VIP); pb_tcp_flags(&b, 5556, 443, 0x10); pb_finish(&b);
	be = forwarded(&b);
	ck_assert_int_gt(dpf_session_count(&fx), n);
	ck_assert_uint_eq(midflow(0), 1);
	ck_assert_uint_eq(midflow(1), 0);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT), hits);

	/* The same identity again: a hit, not counted. */
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT), hits + 1);
	ck_assert_uint_eq(midflow(0), 1);

	/* UDP from a new identity creates a session and never counts. */
	n = dpf_session_count(&fx);
	udp_from(&b, "2001:db8:c::1", VIP);
	forwarded(&b);
	ck_assert_int_gt(dpf_session_count(&fx), n);
	ck_assert_uint_eq(midflow(0), 1);

	/* A mid-flow miss of the other service counts there. */
	pb_init(&b, COA_A, VIP2); pb_tcp_flags(&b, 5555, 443, 0x18); pb_finish(&b);
	forwarded(&b);
	ck_assert_uint_eq(midflow(1), 1);
	ck_assert_uint_eq(midflow(0), 1);
}
END_TEST

/* ---- forwarding ---- */

/* ---- not ours ---- */

START_TEST(test_port_narrowed_service)
{
	struct dpf_service s2 = { .id = 2, .vip = "2001:db8::82", .proto = 6, .port = 443, .eui64_only = -1 };
	static const __u32 ids[] = { 6 };
	struct dpf_result r;
	struct pb b;

	dpf_add_service(&fx, &s2);
	dpf_add_backend(&fx, 6, 2, "2001:db8:3::1");
	dpf_ring(&fx, 2, ids, NULL, 1);
	pb_init(&b, COA_A, "2001:db8::82"); pb_tcp(&b, 5555, 443); pb_finish(&b);
	ck_assert_uint_eq(forwarded(&b), 6);
	pb_init(&b, COA_A, "2001:db8::82"); pb_tcp(&b, 5555, 80); pb_finish(&b);
	ck_assert_int_eq(dpf_run(&fx, &b, &r), XDP_PASS);
	pb_init(&b, COA_A, "2001:db8::82"); pb_udp(&b, 5555, 443, 8); pb_finish(&b);
	ck_assert_int_eq(dpf_run(&fx, &b, &r), XDP_PASS);
}
END_TEST

/* A VIP with only (vip, any, any) takes the one-lookup fast path; adding a
 * port-specific service beside it turns the fast path off, and each packet
 * then finds the most specific service. */
START_TEST(test_vip_fast_path_and_specific_services)
{
	struct dpf_service s2 = { .id = 2, .vip = VIP, .proto = 6, .port = 443, .eui64_only = -1 };
	static const __u32 ids[] = { 6 };
	struct mip6lb_vip v;
	struct in6_addr a;
	struct pb b;

	inet_pton(AF_INET6, VIP, &a);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.vips, &a, &v), 0);
	ck_assert_uint_eq(v.fast_id, 0);
	pb_init(&b, COA_A, VIP); pb_tcp(&b, 5555, 443); pb_finish(&b);
	ck_assert_uint_lt(forwarded(&b), 3);

	dpf_add_service(&fx, &s2);
	dpf_add_backend(&fx, 6, 2, "2001:db8:3::1");
	dpf_ring(&fx, 2, ids, NULL, 1);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.vips, &a, &v), 0);
	ck_assert_uint_eq(v.fast_id, MIP6LB_NO_SERVICE);
	ck_assert_uint_eq(v.service_id, 0);
	pb_init(&b, COA_B, VIP); pb_tcp(&b, 5555, 443); pb_finish(&b);
	ck_assert_uint_eq(forwarded(&b), 6);
	pb_init(&b, COA_B, VIP); pb_tcp(&b, 5555, 80); pb_finish(&b);
	ck_assert_uint_lt(forwarded(&b), 3);
}
END_TEST

/* vip_index: five VIPs that share one bucket (four slots) all reach their
 * services, the fifth through the overflow fallback to vips; an address of
 * that bucket that is no VIP passes; removing a VIP frees its slot for the
 * overflowed one and moves none of the others. */
START_TEST(test_vip_index_overflow_and_removal)
{
	struct in6_addr addr[6], cand;
	struct mip6lb_vip_bucket bk, bk2;
	char text[6][INET6_ADDRSTRLEN];
	struct mip6lb_service_key key = {};
	struct dpf_result r;
	__u32 bucket = 0, n = 0, i, j, slot_of[6];
	struct pb b;

	for (i = 1; n < 6 && i < 1000000; i++) {
		inet_pton(AF_INET6, "2001:db8:f00::", &cand);
		cand.s6_addr[12] = i >> 24; cand.s6_addr[13] = i >> 16;
		cand.s6_addr[14] = i >> 8; cand.s6_addr[15] = i;
		if (n == 0)
			bucket = mip6lb_vip_bucket_of(&cand);
		else if (mip6lb_vip_bucket_of(&cand) != bucket)
			continue;
		addr[n] = cand;
		inet_ntop(AF_INET6, &cand, text[n], sizeof(text[n]));
		n++;
	}
	ck_assert_uint_eq(n, 6);
	for (i = 0; i < 5; i++) {
		struct dpf_service sv = { .id = 2 + i, .vip = text[i], .eui64_only = -1 };
		__u32 be = 10 + i;

		dpf_add_service(&fx, &sv);
		dpf_add_backend(&fx, be, 2 + i, "2001:db8:4::1");
		dpf_ring(&fx, 2 + i, &be, NULL, 1);
	}
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.vip_index, &bucket, &bk), 0);
	ck_assert_uint_eq(bk.used, 0xf);
	ck_assert_uint_eq(bk.flags & MIP6LB_VIPB_OVERFLOW, MIP6LB_VIPB_OVERFLOW);
	for (i = 0; i < 5; i++) {
		pb_init(&b, COA_A, text[i]); pb_tcp(&b, 5555, 443); pb_finish(&b);
		ck_assert_uint_eq(forwarded(&b), 10 + i);
		slot_of[i] = ~0U;
		for (j = 0; j < MIP6LB_VIP_BUCKET_SLOTS; j++)
			if (!memcmp(&bk.slot[j].addr, &addr[i], sizeof(addr[i])))
				slot_of[i] = j;
	}
	pb_init(&b, COA_A, text[5]); pb_tcp(&b, 5555, 443); pb_finish(&b);
	ck_assert_int_eq(dpf_run(&fx, &b, &r), XDP_PASS);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PASS_NOT_SERVICE), 1);

	/* Remove a VIP that holds a slot. */
	for (i = 0; i < 5 && slot_of[i] == ~0U; i++)
		;
	ck_assert_uint_lt(i, 5);
	key.vip = addr[i];
	ck_assert_int_eq(dp_service_delete(&fx.maps, &key, 2 + i), 0);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.vip_index, &bucket, &bk2), 0);
	ck_assert_uint_eq(bk2.used, 0xf);
	ck_assert_uint_eq(bk2.flags & MIP6LB_VIPB_OVERFLOW, 0);
	for (j = 0; j < 5; j++) {
		if (j == i)
			continue;
		if (slot_of[j] != ~0U)
			ck_assert_msg(!memcmp(&bk2.slot[slot_of[j]].addr, &addr[j], sizeof(addr[j])),
				      "VIP %s moved", text[j]);
		pb_init(&b, COA_B, text[j]); pb_tcp(&b, 5555, 443); pb_finish(&b);
		ck_assert_uint_eq(forwarded(&b), 10 + j);
	}
	pb_init(&b, COA_B, text[i]); pb_tcp(&b, 5555, 443); pb_finish(&b);
	ck_assert_int_eq(dpf_run(&fx, &b, &r), XDP_PASS);
}
END_TEST

/* ---- malformed ---- */

START_TEST(test_bad_hao_counted_and_ignored)
{
	__u8 o[16] = { 201, 8 };
	struct pb b;
	__u32 be;

	pb_init(&b, COA_A, VIP); pb_dstopt_raw(&b, o, 10, -1); pb_udp(&b, 1, 53, 4); pb_finish(&b);
	be = forwarded(&b);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_HAO_MALFORMED), 1);
	assert_session(0, MIP6LB_KIND_SRC, COA_A, MIP6LB_KIND_SRC, be);
}
END_TEST

static void long_chain(struct pb *b, const char *src)
{
	int i;

	pb_init(b, src, VIP);
	for (i = 0; i <= MIP6LB_MAX_EXT_HDRS; i++)
		pb_dstopt(b);
	pb_udp(b, 1, 53, 8);
	pb_finish(b);
}

START_TEST(test_chain_too_long_balances_by_src)
{
	struct pb b;
	__u32 be;

	long_chain(&b, COA_A);
	be = forwarded(&b);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_CHAIN_TOO_LONG), 1);
	assert_session(0, MIP6LB_KIND_SRC, COA_A, MIP6LB_KIND_SRC, be);
}
END_TEST

START_TEST(test_chain_too_long_drop_policy)
{
	struct dpf_service s0 = { .id = 0, .vip = VIP, .eui64_only = -1,
				  .chain_policy = MIP6LB_CHAIN_DROP };
	struct dpf_result r;
	struct pb b;

	dpf_add_service(&fx, &s0);
	long_chain(&b, COA_A);
	ck_assert_int_eq(dpf_run(&fx, &b, &r), XDP_DROP);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_CHAIN_TOO_LONG), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_CHAIN_POLICY), 1);
}
END_TEST

/* ---- fragments ---- */

START_TEST(test_fragments_follow_first)
{
	struct mip6lb_frag_key fk = {};
	struct mip6lb_frag fr;
	struct pb b;
	__u32 be;

	/* First fragment with the HAO: classified as usual, and tracked. */
	pb_init(&b, COA_A, VIP); pb_dstopt_hao(&b, HOA); pb_frag(&b, 0, 1, 77);
	pb_udp(&b, 4000, 53, 64); pb_finish(&b);
	be = forwarded(&b);
	inet_pton(AF_INET6, COA_A, &fk.src);
	inet_pton(AF_INET6, VIP, &fk.dst);
	fk.id = 77;
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.frags, &fk, &fr), 0);
	ck_assert_uint_eq(fr.backend_id, be);

	/* Later fragment, no option: follows the first. */
	pb_init(&b, COA_A, VIP); pb_frag(&b, 9, 0, 77); pb_raw(&b, 17, 40); pb_finish(&b);
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_FRAG_TRACKED), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_FRAG_UNTRACKED), 0);
}
END_TEST

START_TEST(test_untracked_fragment_by_source)
{
	struct pb b;
	__u32 be;

	pb_init(&b, COA_B, VIP); pb_frag(&b, 9, 0, 4242); pb_raw(&b, 17, 40); pb_finish(&b);
	be = forwarded(&b);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_FRAG_UNTRACKED), 1);
	assert_session(0, MIP6LB_KIND_SRC, COA_B, MIP6LB_KIND_SRC, be);
	/* An untracked fragment with an HAO goes by the home address. */
	pb_init(&b, COA_A, VIP); pb_dstopt_hao(&b, HOA); pb_frag(&b, 9, 0, 4243);
	pb_raw(&b, 17, 40); pb_finish(&b);
	be = forwarded(&b);
	assert_session(0, MIP6LB_KIND_HOA, HOA, MIP6LB_KIND_HOA, be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_FRAG_UNTRACKED), 2);
}
END_TEST

/* ---- events ---- */

static int n_events;
static struct mip6lb_event last_event;

static int on_event(void *ctx, void *data, size_t len)
{
	ck_assert_uint_eq(len, sizeof(struct mip6lb_event));
	memcpy(&last_event, data, sizeof(last_event));
	n_events++;
	return 0;
}

START_TEST(test_new_session_events_rate_limited)
{
	struct mip6lb_settings set = { .events_per_sec = 2 };
	struct ring_buffer *rb;
	struct in6_addr hoa;
	struct pb b;

	ck_assert_int_eq(dp_settings_write(&fx.maps, &set), 0);
	rb = ring_buffer__new(fx.maps.events, on_event, NULL, NULL);
	ck_assert_ptr_nonnull(rb);
	udp_from(&b, COA_A, VIP);
	forwarded(&b);
	forwarded(&b);                        /* a hit: no event */
	hao_from(&b, COA_B, HOA, VIP);
	forwarded(&b);
	udp_from(&b, "2001:db8:a::3", VIP);
	forwarded(&b);                        /* third new session: over budget */
	n_events = 0;
	ck_assert_int_eq(ring_buffer__consume(rb), 2);
	ck_assert_int_eq(n_events, 2);
	ck_assert_uint_eq(last_event.type, MIP6LB_EV_SESSION_NEW);
	ck_assert_uint_eq(last_event.kind, MIP6LB_KIND_HOA);
	ck_assert_uint_eq(last_event.has_hao, 1);
	inet_pton(AF_INET6, HOA, &hoa);
	ck_assert_mem_eq(&last_event.home_addr, &hoa, 16);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_EVENT_SENT), 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_EVENT_DROPPED), 1);
	ring_buffer__free(rb);
}
END_TEST

MIP6LB_SUITE(datapath, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("datapath");
	TCase *id = tcase_create("identities");
	TCase *ss = tcase_create("sessions");
	TCase *fw = tcase_create("forwarding");
	TCase *bad = tcase_create("malformed");
	TCase *fr = tcase_create("fragments");
	TCase *ev = tcase_create("events");
	TCase *fix = tcase_create("fixtures");
	TCase *all[] = { fix, id, ss, fw, bad, fr, ev };
	unsigned int i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		tcase_set_timeout(all[i], 30);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_loop_test(fix, test_dp_case, 0, sizeof(dp_cases) / sizeof(dp_cases[0]));
	tcase_add_test(id, test_hao_miss_then_hit_while_roaming);
	tcase_add_test(id, test_home_link_then_roam);
	tcase_add_test(id, test_iid_eui64_two_prefixes);
	tcase_add_test(id, test_higher_identity_promoted);
	tcase_add_test(id, test_iid_random_with_eui64_filter);
	tcase_add_test(id, test_iid_random_without_eui64_filter);
	tcase_add_test(id, test_spi_two_coas_and_two_vips);
	tcase_add_test(id, test_ah_spi);
	tcase_add_test(id, test_src_identity);
	tcase_add_test(id, test_coa_session);
	tcase_add_test(id, test_identity_order_respected);
	tcase_add_test(ss, test_drain_keeps_sessions);
	tcase_add_test(ss, test_remove_and_add_backend_with_sessions);
	tcase_add_test(ss, test_touch_is_coarse);
	tcase_add_test(ss, test_no_nexthop_and_no_backend);
	tcase_add_test(ss, test_midflow_new_session_counted);
	tcase_add_test(fw, test_redirect_without_devmap_entry_is_counted);
	tcase_add_test(fw, test_ip6ip6_flow_hash_kept);
	tcase_add_test(fw, test_port_narrowed_service);
	tcase_add_test(fw, test_vip_fast_path_and_specific_services);
	tcase_add_test(fw, test_vip_index_overflow_and_removal);
	tcase_add_test(bad, test_bad_hao_counted_and_ignored);
	tcase_add_test(bad, test_chain_too_long_balances_by_src);
	tcase_add_test(bad, test_chain_too_long_drop_policy);
	tcase_add_test(fr, test_fragments_follow_first);
	tcase_add_test(fr, test_untracked_fragment_by_source);
	tcase_add_test(ev, test_new_session_events_rate_limited);
	return s;
}
