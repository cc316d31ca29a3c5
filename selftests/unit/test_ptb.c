// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Packet Too Big for ip6ip6 and lb_addr prefixes (bpf/ptb.h,
 * bpf/forward.h) over bpf_prog_test_run: the exact bytes of the message
 * the datapath builds for a packet over its backend's mtu (every field
 * and the checksum computed here, independently), none at the limit, none
 * for an ICMPv6 error, the per-CPU rate limit, l2-dsr unaffected; and the
 * outer sources of a prefix: one per node, different across nodes, only
 * host bits changed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <check.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "harness.h"
#include "dpfixture.h"
#include "hash.h"
#include "names.h"

#define VIP_DSR  "2001:db8::80"
#define VIP_TUN  "2001:db8::81"      /* ip6ip6, lb_addr a single address */
#define VIP_P64  "2001:db8::82"      /* ip6ip6, lb_addr a /64 */
#define VIP_P112 "2001:db8::83"      /* ip6ip6, lb_addr a /112 */
#define LB_ADDR  "2001:db8:ff::1"
#define LB_P64   "2001:db8:ff:1::"
#define LB_P112  "2001:db8:ff:2::7:0"
#define CLIENT   "2001:db8:a::9f3c:12aa:7d01:e2c4"
#define HOA      "2001:db8:100::7"
#define HOA2     "2001:db8:100::8"
#define COA_A    "2001:db8:a::1"
#define COA_B    "2001:db8:b::2"
#define MTU      1500
/* UDP payload that makes the inner packet exactly mtu - 40 long. */
#define AT_LIMIT (MTU - 40 - 40 - 8)

enum { SVC_DSR, SVC_TUN, SVC_P64, SVC_P112 };

static struct dpf fx;

static void set_ptb_rate(__u32 rate)
{
	struct mip6lb_settings s = { .ptb_per_sec = rate };

	ck_assert_int_eq(dp_settings_write(&fx.maps, &s), 0);
}

static void setup(void)
{
	static const struct dpf_service svcs[] = {
		{ .id = SVC_DSR, .vip = VIP_DSR, .forward = MIP6LB_FWD_L2_DSR },
		{ .id = SVC_TUN, .vip = VIP_TUN, .forward = MIP6LB_FWD_IP6IP6, .lb_addr = LB_ADDR },
		{ .id = SVC_P64, .vip = VIP_P64, .forward = MIP6LB_FWD_IP6IP6, .lb_addr = LB_P64,
		  .lb_plen = 64 },
		{ .id = SVC_P112, .vip = VIP_P112, .forward = MIP6LB_FWD_IP6IP6,
		  .lb_addr = LB_P112, .lb_plen = 112 },
	};
	unsigned int i;

	dpf_open(&fx);
	for (i = 0; i < sizeof(svcs) / sizeof(svcs[0]); i++) {
		struct dpf_service s = svcs[i];
		char addr[64];
		__u32 id = 2 * i;

		s.eui64_only = -1;
		dpf_add_service(&fx, &s);
		snprintf(addr, sizeof(addr), "2001:db8:%x::1", 0x10 + i);
		dpf_add_backend(&fx, id, i, addr);
		snprintf(addr, sizeof(addr), "2001:db8:%x::2", 0x10 + i);
		dpf_add_backend(&fx, id + 1, i, addr);
		/* Every backend has an mtu, l2-dsr ones too: only ip6ip6
		 * adds a header, so only ip6ip6 may answer with PTB. */
		dpf_set_backend_mtu(&fx, id, MTU);
		dpf_set_backend_mtu(&fx, id + 1, MTU);
		dpf_ring(&fx, i, (__u32[]){ id, id + 1 }, NULL, 2);
	}
	set_ptb_rate(1000);
}

static void teardown(void) { dpf_close(&fx); }

static void udp_pkt(struct pb *b, const char *src, const char *dst, size_t payload)
{
	pb_init(b, src, dst);
	pb_udp(b, 40000, 53, payload);
	pb_finish(b);
}

/* An ICMPv6 message of type `type`, len bytes after its 4-byte header.
 * An error (types 1-4) quotes a real packet, a backend's UDP reply from
 * the VIP to the client (as a router sends it), so that the datapath
 * forwards it to that client's backend (icmp_error.h) rather than drop
 * it as malformed: what is checked here is the mtu step after that. */
static void icmp_pkt(struct pb *b, const char *src, const char *dst, __u8 type, size_t len)
{
	if (type >= 1 && type <= 4) {
		struct pb q;

		pb_init(&q, dst, src);
		pb_udp(&q, 53, 40000, len + 100);
		pb_finish(&q);
		pb_init(b, src, dst);
		pb_icmp6_error(b, type, 0, type == 2 ? 1280 : 0, &q, len);
		pb_finish(b);
		pb_icmp6_csum(b);
		return;
	}
	pb_init(b, src, dst);
	pb_raw(b, 58, 4 + len);
	b->data[14 + 40] = type;
	b->data[14 + 40 + 1] = 0;
	pb_finish(b);
}

/* RFC 1071 one's complement sum, big-endian 16-bit words. */
static __u32 sum16(const __u8 *p, size_t n, __u32 sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (__u32)p[n - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* The ICMPv6 checksum of msg (its checksum field included) over the
 * pseudo-header of RFC 8200 §8.1: 0xffff when it verifies. */
static __u16 icmp6_sum(const __u8 *src, const __u8 *dst, const __u8 *msg, size_t len)
{
	__u8 ph[40] = {};

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[32] = (__u8)(len >> 24);
	ph[33] = (__u8)(len >> 16);
	ph[34] = (__u8)(len >> 8);
	ph[35] = (__u8)len;
	ph[39] = 58;
	return fold(sum16(msg, len, sum16(ph, sizeof(ph), 0)));
}

/* The Packet Too Big RFC 4443 §3.2 asks for, built here byte by byte:
 * back to the sender's MAC from the one it used, from the VIP to the
 * packet's source, MTU mtu - 40, the packet quoted up to 1280 bytes. */
static size_t ptb_expected(const struct pb *in, __u32 mtu, __u8 *out)
{
	const size_t quote = 1280 - 48;
	const size_t icmp_len = 8 + quote;
	__u8 *ip6 = out + 14, *icmp = ip6 + 40;
	__u16 csum;

	memcpy(out, in->data + 6, 6);            /* to the hop it came from */
	memcpy(out + 6, in->data, 6);
	out[12] = 0x86;
	out[13] = 0xdd;
	memset(ip6, 0, 8);
	ip6[0] = 0x60;
	ip6[4] = (__u8)(icmp_len >> 8);
	ip6[5] = (__u8)icmp_len;
	ip6[6] = 58;
	ip6[7] = 64;
	memcpy(ip6 + 8, in->data + 14 + 24, 16);  /* from the VIP */
	memcpy(ip6 + 24, in->data + 14 + 8, 16);  /* to the source */
	icmp[0] = 2;
	icmp[1] = 0;
	icmp[2] = icmp[3] = 0;
	icmp[4] = (__u8)((mtu - 40) >> 24);
	icmp[5] = (__u8)((mtu - 40) >> 16);
	icmp[6] = (__u8)((mtu - 40) >> 8);
	icmp[7] = (__u8)(mtu - 40);
	ck_assert_uint_ge(in->len, 14 + quote);
	memcpy(icmp + 8, in->data + 14, quote);
	csum = (__u16)~icmp6_sum(ip6 + 8, ip6 + 24, icmp, icmp_len);
	icmp[2] = (__u8)(csum >> 8);
	icmp[3] = (__u8)csum;
	return 14 + 40 + icmp_len;
}

static void assert_ptb(const struct pb *in, const struct dpf_result *r)
{
	static __u8 want[PB_MAX];
	size_t n = ptb_expected(in, MTU, want);

	ck_assert_int_eq(r->verdict, XDP_TX);
	ck_assert_uint_eq(r->out_len, 1294);     /* Ethernet + the IPv6 minimum MTU */
	ck_assert_uint_eq(r->out_len, n);
	ck_assert_uint_eq(r->backend, ~0U);      /* nothing reached a backend */
	ck_assert_mem_eq(r->out, want, n);
	/* The checksum, verified the way a receiver does. */
	ck_assert_uint_eq(icmp6_sum(r->out + 14 + 8, r->out + 14 + 24, r->out + 54, n - 54),
			  0xffff);
}

/* ---- Packet Too Big ---- */

struct size_case {
	const char *desc;
	const char *vip;
	size_t payload;
	int ptb;                      /* 1: answered; 0: forwarded */
};

static const struct size_case size_cases[] = {
	{ "ip6ip6, inner exactly mtu - 40: forwarded", VIP_TUN, AT_LIMIT, 0 },
	{ "ip6ip6, one byte over: Packet Too Big", VIP_TUN, AT_LIMIT + 1, 1 },
	{ "ip6ip6, a full 1500-byte client packet: Packet Too Big", VIP_TUN, 1452, 1 },
	{ "ip6ip6 from a prefix, full packet: Packet Too Big", VIP_P64, 1452, 1 },
	{ "l2-dsr, a full packet: forwarded, no header added", VIP_DSR, 1452, 0 },
	{ "l2-dsr, over the backend's mtu: forwarded (not ours to judge)", VIP_DSR, 1900, 0 },
};

START_TEST(test_ptb_by_size)
{
	const struct size_case *c = &size_cases[_i];
	struct dpf_result r;
	struct pb in;

	udp_pkt(&in, CLIENT, c->vip, c->payload);
	dpf_run(&fx, &in, &r);
	if (c->ptb) {
		assert_ptb(&in, &r);
		ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PTB_SENT), 1);
		ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_TX), 0);
	} else {
		ck_assert_msg(r.verdict == XDP_TX, "%s: verdict %d", c->desc, r.verdict);
		ck_assert_uint_ne(r.backend, ~0U);
		ck_assert_uint_eq(r.out_len,
				  in.len + (strcmp(c->vip, VIP_DSR) ? 40 : 0));
		ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PTB_SENT), 0);
		ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_TX), 1);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_RX), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_TOO_BIG), 0);
}
END_TEST

/* No error answers an error (RFC 4443 §2.4 (e.1)), nor a source that is
 * not one node's (e.6); an informational message is answered. */
struct noptb_case {
	const char *desc;
	const char *src;
	__u8 type;
	int ptb;
};

static const struct noptb_case noptb_cases[] = {
	{ "Destination Unreachable", CLIENT, 1, 0 },
	{ "Packet Too Big", CLIENT, 2, 0 },
	{ "Time Exceeded", CLIENT, 3, 0 },
	{ "Parameter Problem", CLIENT, 4, 0 },
	{ "error type 127", CLIENT, 127, 0 },
	{ "Echo Request (informational)", CLIENT, 128, 1 },
	{ "Echo Request from a multicast source", "ff02::1", 128, 0 },
	{ "Echo Request from ::", "::", 128, 0 },
};

START_TEST(test_ptb_never_for_errors)
{
	const struct noptb_case *c = &noptb_cases[_i];
	struct dpf_result r;
	struct pb in;

	icmp_pkt(&in, c->src, VIP_TUN, c->type, 1452);
	dpf_run(&fx, &in, &r);
	if (c->ptb) {
		assert_ptb(&in, &r);
		ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PTB_SENT), 1);
		return;
	}
	ck_assert_msg(r.verdict == XDP_DROP, "%s: verdict %d", c->desc, r.verdict);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_TOO_BIG), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PTB_SENT), 0);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_TX), 0);
}
END_TEST

/* The same error at a size that fits is forwarded like any packet. */
START_TEST(test_small_error_forwarded)
{
	struct dpf_result r;
	struct pb in;

	icmp_pkt(&in, CLIENT, VIP_TUN, 1, 200);
	dpf_run(&fx, &in, &r);
	ck_assert_int_eq(r.verdict, XDP_TX);
	ck_assert_uint_ne(r.backend, ~0U);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_TOO_BIG), 0);
}
END_TEST

/* The bucket holds ptb_per_sec tokens: with 2, two messages go and the
 * third oversized packet is dropped unanswered; with 0, none goes. */
START_TEST(test_ptb_rate_limited)
{
	struct dpf_result r;
	struct pb in;
	int i;

	set_ptb_rate(2);
	udp_pkt(&in, CLIENT, VIP_TUN, 1452);
	for (i = 0; i < 2; i++) {
		dpf_run(&fx, &in, &r);
		assert_ptb(&in, &r);
	}
	dpf_run(&fx, &in, &r);
	ck_assert_int_eq(r.verdict, XDP_DROP);
	ck_assert_uint_eq(r.backend, ~0U);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PTB_SENT), 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_PTB_RATE), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_RX), 3);

	set_ptb_rate(0);
	dpf_run(&fx, &in, &r);
	ck_assert_int_eq(r.verdict, XDP_DROP);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_PTB_RATE), 2);
}
END_TEST

/* mtu 0 (unknown, e.g. never resolved): no check, the packet goes. */
START_TEST(test_mtu_unknown_forwards)
{
	struct dpf_result r;
	struct pb in;

	dpf_set_backend_mtu(&fx, 2, 0);
	dpf_set_backend_mtu(&fx, 3, 0);
	udp_pkt(&in, CLIENT, VIP_TUN, 1452);
	dpf_run(&fx, &in, &r);
	ck_assert_int_eq(r.verdict, XDP_TX);
	ck_assert_uint_eq(r.out_len, in.len + 40);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PTB_SENT), 0);
}
END_TEST

/* ---- lb_addr prefixes ---- */

static void hao_pkt(struct pb *b, const char *coa, const char *hoa, const char *dst)
{
	pb_init(b, coa, dst);
	pb_dstopt_hao(b, hoa);
	pb_udp(b, 40000, 53, 32);
	pb_finish(b);
}

/* The outer source of one forwarded packet. */
static void outer_src(const struct pb *in, struct in6_addr *src, __u32 *label)
{
	struct dpf_result r;
	const __u8 *o;

	dpf_run(&fx, in, &r);
	ck_assert_int_eq(r.verdict, XDP_TX);
	ck_assert_uint_eq(r.out_len, in->len + 40);
	o = r.out + 14;
	ck_assert_uint_eq(o[6], 41);
	memcpy(src, o + 8, 16);
	*label = ((__u32)(o[1] & 0x0f) << 16) | (__u32)o[2] << 8 | o[3];
}

static __u32 node_hash(__u32 svc, const char *hoa)
{
	struct mip6lb_session_key k = { .service_id = svc };

	ck_assert_int_eq(identity_parse(MIP6LB_KIND_HOA, hoa, &k), 0);
	return dpf_hash(&fx, &k);
}

struct prefix_case {
	const char *vip;
	__u32 svc;
	const char *lb;
	int plen;
};

static const struct prefix_case prefix_cases[] = {
	{ VIP_P64, SVC_P64, LB_P64, 64 },
	{ VIP_P112, SVC_P112, LB_P112, 112 },
	{ VIP_TUN, SVC_TUN, LB_ADDR, 128 },
};

/* Both care-of addresses of one node: one outer source; another node: a
 * different one (unless a /128); the prefix's bits never change, and the
 * host bits are the node's hash, as its flow label is. */
START_TEST(test_lb_prefix_sources)
{
	const struct prefix_case *c = &prefix_cases[_i];
	struct in6_addr lb, a, b, other;
	__u32 la, lb_label, lo, h, hb, mask, low;
	struct pb in;
	int bit;

	ck_assert_int_eq(inet_pton(AF_INET6, c->lb, &lb), 1);
	hao_pkt(&in, COA_A, HOA, c->vip);
	outer_src(&in, &a, &la);
	hao_pkt(&in, COA_B, HOA, c->vip);
	outer_src(&in, &b, &lb_label);
	hao_pkt(&in, COA_A, HOA2, c->vip);
	outer_src(&in, &other, &lo);

	ck_assert_mem_eq(&a, &b, 16);
	h = node_hash(c->svc, HOA);
	ck_assert_uint_eq(la, h & 0xfffff);
	ck_assert_uint_eq(lb_label, h & 0xfffff);
	ck_assert_uint_eq(lo, node_hash(c->svc, HOA2) & 0xfffff);

	/* Prefix bits as configured, in every source. */
	for (bit = 0; bit < c->plen; bit++) {
		__u8 m = 0x80 >> (bit % 8);

		ck_assert_uint_eq(a.s6_addr[bit / 8] & m, lb.s6_addr[bit / 8] & m);
		ck_assert_uint_eq(other.s6_addr[bit / 8] & m, lb.s6_addr[bit / 8] & m);
	}
	if (c->plen == 128) {
		ck_assert_mem_eq(&a, &lb, 16);
		ck_assert_mem_eq(&other, &lb, 16);
		return;
	}
	/* Host bits: the low min(32, 128 - plen) bits of the hash. */
	mask = 128 - c->plen >= 32 ? 0xffffffffU : (1U << (128 - c->plen)) - 1;
	memcpy(&low, &a.s6_addr[12], 4);
	ck_assert_uint_eq(ntohl(low) & mask, h & mask);
	hb = node_hash(c->svc, HOA2);
	memcpy(&low, &other.s6_addr[12], 4);
	ck_assert_uint_eq(ntohl(low) & mask, hb & mask);
	ck_assert_uint_ne(h & mask, hb & mask);
	ck_assert_mem_ne(&a, &other, 16);
}
END_TEST

/* A datagram's later fragment leaves from the same outer source (and with
 * the same flow label) as its first. */
START_TEST(test_lb_prefix_fragments)
{
	struct in6_addr first, later;
	__u32 l1, l2;
	struct pb in;

	pb_init(&in, COA_A, VIP_P64);
	pb_dstopt_hao(&in, HOA);
	pb_frag(&in, 0, 1, 0x1234);
	pb_udp(&in, 40000, 53, 64);
	pb_finish(&in);
	outer_src(&in, &first, &l1);

	pb_init(&in, COA_A, VIP_P64);
	pb_dstopt_hao(&in, HOA);
	pb_frag(&in, 9, 0, 0x1234);
	pb_raw(&in, 17, 64);
	pb_finish(&in);
	outer_src(&in, &later, &l2);

	ck_assert_mem_eq(&first, &later, 16);
	ck_assert_uint_eq(l1, l2);
	ck_assert_uint_eq(l1, node_hash(SVC_P64, HOA) & 0xfffff);
}
END_TEST

MIP6LB_SUITE(ptb, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("ptb");
	TCase *p = tcase_create("packet_too_big");
	TCase *e = tcase_create("lb_prefix");

	tcase_add_checked_fixture(p, setup, teardown);
	tcase_add_checked_fixture(e, setup, teardown);
	tcase_add_loop_test(p, test_ptb_by_size, 0, sizeof(size_cases) / sizeof(size_cases[0]));
	tcase_add_loop_test(p, test_ptb_never_for_errors, 0,
			    sizeof(noptb_cases) / sizeof(noptb_cases[0]));
	tcase_add_test(p, test_small_error_forwarded);
	tcase_add_test(p, test_ptb_rate_limited);
	tcase_add_test(p, test_mtu_unknown_forwards);
	tcase_add_loop_test(e, test_lb_prefix_sources, 0,
			    sizeof(prefix_cases) / sizeof(prefix_cases[0]));
	tcase_add_test(e, test_lb_prefix_fragments);
	suite_add_tcase(s, p);
	suite_add_tcase(s, e);
	return s;
}
