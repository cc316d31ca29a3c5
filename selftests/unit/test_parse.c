// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The chain walk, table-driven: each case builds a packet and states what
 * the parser must find.  Suite "parse" runs the userspace build of
 * bpf/parse.h; suite "parse_parity" runs the same packets, and every
 * truncation of them, through the loaded BPF program and demands the
 * byte-identical parse result from its scratch map.
 */
#include <arpa/inet.h>
#include <string.h>
#include <check.h>
#include <linux/bpf.h>
#include "harness.h"
#include "parse_user.h"
#include "pktbuild.h"
#include "dpfixture.h"

#define SRC  "2001:db8:a::1"
#define VIP  "2001:db8::80"
#define HOA  "2001:db8:100::7"

struct parse_case {
	const char *name;
	void (*build)(struct pb *b);
	int status;
	__u16 flags;                   /* exact MIP6LB_PKT_* set expected */
	__u8 proto;
	__u8 n_ext;
	const char *hoa;               /* expected HAO or NULL */
	__u32 spi;
	__u8 spi_proto;
	__u16 dport;
};

#define F(x) MIP6LB_PKT_##x

static void b_udp(struct pb *b) { pb_init(b, SRC, VIP); pb_udp(b, 4000, 53, 16); pb_finish(b); }
static void b_tcp(struct pb *b) { pb_init(b, SRC, VIP); pb_tcp(b, 4000, 80); pb_finish(b); }
static void b_hao(struct pb *b) { pb_init(b, SRC, VIP); pb_dstopt_hao(b, HOA); pb_udp(b, 4000, 53, 8); pb_finish(b); }
static void b_rt2_hao(struct pb *b)
{
	pb_init(b, SRC, VIP); pb_rt2(b, HOA); pb_dstopt_hao(b, HOA); pb_tcp(b, 4000, 80); pb_finish(b);
}
static void b_full_chain(struct pb *b)
{
	/* HBH + DestOpt + Routing + DestOpt(HAO) + Fragment + ESP: both
	 * RFC 8200 Destination Options slots, first fragment. */
	pb_init(b, SRC, VIP); pb_hbh(b); pb_dstopt(b); pb_rt2(b, HOA);
	pb_dstopt_hao(b, HOA); pb_frag(b, 0, 1, 0x1234); pb_esp(b, 0xabcd0001, 32); pb_finish(b);
}
static void b_pads(struct pb *b)
{
	/* Pad1, Pad1, PadN(0), HAO, Pad1, PadN(3), unknown option 0x1e */
	__u8 o[64] = { 0, 0, 1, 0, 201, 16 };
	size_t n = 6;

	inet_pton(AF_INET6, HOA, o + n); n += 16;
	o[n++] = 0;
	o[n++] = 1; o[n++] = 3; n += 3;
	o[n++] = 0x1e; o[n++] = 2; n += 2;
	pb_init(b, SRC, VIP); pb_dstopt_raw(b, o, n, -1); pb_udp(b, 1, 53, 4); pb_finish(b);
}
static void b_hao_badlen(struct pb *b)
{
	__u8 o[16] = { 201, 8 };

	pb_init(b, SRC, VIP); pb_dstopt_raw(b, o, 10, -1); pb_udp(b, 1, 53, 4); pb_finish(b);
}
static void b_hao_overrun(struct pb *b)
{
	/* HAO claims 16 bytes in an 8-byte header whose true size the
	 * next header field still honours: the option is ignored. */
	__u8 o[6] = { 201, 16 };

	pb_init(b, SRC, VIP); pb_dstopt_raw(b, o, 6, -1); pb_udp(b, 1, 53, 4); pb_finish(b);
}
static void b_two_hao(struct pb *b)
{
	__u8 o[64] = { 1, 2, 0, 0, 201, 16 };

	inet_pton(AF_INET6, HOA, o + 6);
	o[22] = 1; o[23] = 2; o[26] = 201; o[27] = 16;
	inet_pton(AF_INET6, "2001:db8:666::1", o + 28);
	pb_init(b, SRC, VIP); pb_dstopt_raw(b, o, 44, -1); pb_udp(b, 1, 53, 4); pb_finish(b);
}
static void b_many_opts(struct pb *b)
{
	/* MIP6LB_MAX_DST_OPTS Pad1s, then an HAO the walk never reaches. */
	__u8 o[64] = { 0 };
	size_t n = MIP6LB_MAX_DST_OPTS;

	o[n++] = 201; o[n++] = 16;
	inet_pton(AF_INET6, HOA, o + n); n += 16;
	pb_init(b, SRC, VIP); pb_dstopt_raw(b, o, n, -1); pb_udp(b, 1, 53, 4); pb_finish(b);
}
static void b_ah(struct pb *b) { pb_init(b, SRC, VIP); pb_ah(b, 0x0000beef); pb_udp(b, 4000, 53, 8); pb_finish(b); }
static void b_esp(struct pb *b) { pb_init(b, SRC, VIP); pb_esp(b, 0x01020304, 40); pb_finish(b); }
static void b_ah_esp(struct pb *b) { pb_init(b, SRC, VIP); pb_ah(b, 0x11); pb_esp(b, 0x22, 16); pb_finish(b); }
static void b_chain(struct pb *b, int n)
{
	int i;

	pb_init(b, SRC, VIP);
	for (i = 0; i < n; i++)
		pb_dstopt(b);
	pb_udp(b, 4000, 53, 8);
	pb_finish(b);
}
static void b_chain8(struct pb *b) { b_chain(b, MIP6LB_MAX_EXT_HDRS); }
static void b_chain9(struct pb *b)
{
	b_chain(b, MIP6LB_MAX_EXT_HDRS + 1);
	/* The walk stops at the limit and reads nothing further. */
	b->need = 14 + 40 + 8 * MIP6LB_MAX_EXT_HDRS;
}
static void b_frag_later(struct pb *b)
{
	pb_init(b, SRC, VIP); pb_dstopt_hao(b, HOA); pb_frag(b, 185, 0, 0x1234); pb_raw(b, 17, 64); pb_finish(b);
}
static void b_mh(struct pb *b) { pb_init(b, SRC, VIP); pb_dstopt_hao(b, HOA); pb_mh(b, 5); pb_finish(b); }
static void b_nonext(struct pb *b) { pb_init(b, SRC, VIP); pb_dstopt(b); pb_nonext(b); pb_finish(b); }
static void b_icmp(struct pb *b) { pb_init(b, SRC, VIP); pb_icmp6_echo(b); pb_finish(b); }
static void b_ipv4(struct pb *b) { pb_ipv4(b); }

static const struct parse_case cases[] = {
	{ "udp", b_udp, 0, F(ADDRS) | F(HAS_PORTS), 17, 0, NULL, 0, 0, 53 },
	{ "tcp", b_tcp, 0, F(ADDRS) | F(HAS_PORTS) | F(HAS_TCP), 6, 0, NULL, 0, 0, 80 },
	{ "hao", b_hao, 0, F(ADDRS) | F(HAS_PORTS) | F(HAS_HAO), 17, 1, HOA, 0, 0, 53 },
	{ "rt2+hao", b_rt2_hao, 0, F(ADDRS) | F(HAS_PORTS) | F(HAS_HAO) | F(RT_TYPE2) | F(HAS_TCP), 6, 2, HOA, 0, 0, 80 },
	{ "hbh+dst+rt2+hao+frag+esp", b_full_chain, 0,
	  F(ADDRS) | F(HAS_HAO) | F(RT_TYPE2) | F(FRAG) | F(HAS_SPI), 50, 5, HOA, 0xabcd0001, 50, 0 },
	{ "pad1/padn around hao", b_pads, 0, F(ADDRS) | F(HAS_PORTS) | F(HAS_HAO), 17, 1, HOA, 0, 0, 53 },
	{ "hao wrong length", b_hao_badlen, 0, F(ADDRS) | F(HAS_PORTS) | F(HAO_BAD), 17, 1, NULL, 0, 0, 53 },
	{ "hao overruns header", b_hao_overrun, 0, F(ADDRS) | F(HAS_PORTS) | F(HAO_BAD) | F(OPT_BAD), 17, 1, NULL, 0, 0, 53 },
	{ "options past the walk limit", b_many_opts, 0, F(ADDRS) | F(HAS_PORTS) | F(OPT_BAD), 17, 1, NULL, 0, 0, 53 },
	{ "second hao ignored", b_two_hao, 0, F(ADDRS) | F(HAS_PORTS) | F(HAS_HAO) | F(HAO_BAD), 17, 1, HOA, 0, 0, 53 },
	{ "ah", b_ah, 0, F(ADDRS) | F(HAS_PORTS) | F(HAS_SPI), 17, 1, NULL, 0xbeef, 51, 53 },
	{ "esp", b_esp, 0, F(ADDRS) | F(HAS_SPI), 50, 0, NULL, 0x01020304, 50, 0 },
	{ "ah then esp: ah spi", b_ah_esp, 0, F(ADDRS) | F(HAS_SPI), 50, 1, NULL, 0x11, 51, 0 },
	{ "chain at limit", b_chain8, 0, F(ADDRS) | F(HAS_PORTS), 17, MIP6LB_MAX_EXT_HDRS, NULL, 0, 0, 53 },
	{ "chain over limit", b_chain9, 0, F(ADDRS) | F(CHAIN_LONG), 60, MIP6LB_MAX_EXT_HDRS, NULL, 0, 0, 0 },
	{ "later fragment", b_frag_later, 0, F(ADDRS) | F(HAS_HAO) | F(FRAG) | F(FRAG_LATER), 17, 2, HOA, 0, 0, 0 },
	{ "mobility header", b_mh, 0, F(ADDRS) | F(HAS_HAO), 135, 1, HOA, 0, 0, 0 },
	{ "no next header", b_nonext, 0, F(ADDRS), 59, 1, NULL, 0, 0, 0 },
	{ "icmpv6", b_icmp, 0, F(ADDRS), 58, 0, NULL, 0, 0, 0 },
	{ "ipv4", b_ipv4, MIP6LB_PARSE_NOT_IPV6, 0, 0, 0, NULL, 0, 0, 0 },
};

#define N_CASES (int)(sizeof(cases) / sizeof(cases[0]))

START_TEST(test_parse_table)
{
	const struct parse_case *c = &cases[_i];
	struct mip6lb_pkt pkt = {};
	struct in6_addr want;
	struct pb b;
	int ret;

	c->build(&b);
	ret = mip6lb_parse_buf(b.data, b.len, &pkt);
	ck_assert_msg(ret == c->status, "%s: status %d, want %d", c->name, ret, c->status);
	ck_assert_msg(pkt.flags == c->flags, "%s: flags 0x%x, want 0x%x", c->name, pkt.flags, c->flags);
	if (ret)
		return;   /* not IPv6: nothing else is defined */
	ck_assert_msg(pkt.proto == c->proto, "%s: proto %u, want %u", c->name, pkt.proto, c->proto);
	ck_assert_msg(pkt.n_ext == c->n_ext, "%s: n_ext %u, want %u", c->name, pkt.n_ext, c->n_ext);
	ck_assert_uint_eq(pkt.spi, c->spi);
	ck_assert_uint_eq(pkt.spi_proto, c->spi_proto);
	ck_assert_uint_eq(pkt.dport, c->dport);
	ck_assert_uint_eq(pkt.l3_len, b.len - 14);
	if (pkt.flags & MIP6LB_PKT_HAS_TCP)
		ck_assert_uint_eq(pkt.tcp_flags, 0x02);       /* pb_tcp: a SYN */
	if (c->hoa) {
		inet_pton(AF_INET6, c->hoa, &want);
		ck_assert_mem_eq(&pkt.hoa, &want, 16);
	}
}
END_TEST

/* Truncate every case at every byte.  With the payload length left as it
 * was, the packet is inconsistent and must be malformed; with the payload
 * length shrunk to match, it is malformed exactly when the cut falls
 * before the last byte the parser has to read. */
START_TEST(test_parse_truncations)
{
	const struct parse_case *c = &cases[_i];
	struct mip6lb_pkt pkt = {}, whole = {};
	struct pb b, t;
	size_t cut;

	c->build(&b);
	if (c->status) {
		ck_assert_int_eq(mip6lb_parse_buf(b.data, 13, &pkt), MIP6LB_PARSE_NOT_IPV6);
		return;
	}
	ck_assert_int_eq(mip6lb_parse_buf(b.data, b.len, &whole), 0);
	for (cut = 0; cut < b.len; cut++) {
		int ret = mip6lb_parse_buf(b.data, cut, &pkt);

		if (cut < 14)
			ck_assert_int_eq(ret, MIP6LB_PARSE_NOT_IPV6);
		else
			ck_assert_msg(ret == MIP6LB_PARSE_MALFORMED, "%s cut %zu: %d", c->name, cut, ret);

		if (cut < 54)
			continue;
		t = b;
		t.len = cut;
		pb_finish(&t);
		ret = mip6lb_parse_buf(t.data, t.len, &pkt);
		if (cut < b.need || cut == 54)
			ck_assert_msg(ret == MIP6LB_PARSE_MALFORMED,
				      "%s cut %zu (need %zu): %d", c->name, cut, b.need, ret);
		else {
			ck_assert_msg(ret == 0, "%s cut %zu (need %zu): %d", c->name, cut, b.need, ret);
			/* Shorter l3_len, the rest as parsed whole. */
			pkt.l3_len = whole.l3_len;
			ck_assert_msg(mip6lb_pkt_same(&pkt, &whole), "%s cut %zu", c->name, cut);
		}
	}
}
END_TEST

/* The payload length bounds the walk, not the frame: trailing bytes are
 * ignored, and a header running past the payload length is malformed even
 * when the frame has bytes enough (the zeek malformed-options capture). */
START_TEST(test_parse_payload_length_bounds_walk)
{
	struct mip6lb_pkt pkt;
	struct pb b;
	size_t len;

	b_hao(&b);
	len = b.len;
	memset(b.data + b.len, 0xee, 16);
	b.len += 16;
	ck_assert_int_eq(mip6lb_parse_buf(b.data, b.len, &pkt), 0);
	ck_assert_uint_eq(pkt.l3_len, len - 14);
	ck_assert(pkt.flags & MIP6LB_PKT_HAS_HAO);

	b.len = 14 + 40 + 16;      /* payload length ends inside the DestOpt */
	pb_finish(&b);
	b.len = len + 16;
	ck_assert_int_eq(mip6lb_parse_buf(b.data, b.len, &pkt), MIP6LB_PARSE_MALFORMED);
}
END_TEST

START_TEST(test_parse_eui64)
{
	struct in6_addr a;

	inet_pton(AF_INET6, "2001:db8:a::211:22ff:fe33:4455", &a);
	ck_assert_int_eq(mip6lb_is_eui64(&a), 1);
	inet_pton(AF_INET6, "2001:db8:a::9f3c:12aa:7d01:e2c4", &a);
	ck_assert_int_eq(mip6lb_is_eui64(&a), 0);
}
END_TEST

MIP6LB_SUITE(parse, 0)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("userspace");

	tcase_add_loop_test(tc, test_parse_table, 0, N_CASES);
	tcase_add_loop_test(tc, test_parse_truncations, 0, N_CASES);
	tcase_add_test(tc, test_parse_eui64);
	tcase_add_test(tc, test_parse_payload_length_bounds_walk);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- BPF parity ------------------------------------------------------- */

static struct dpf fx;

static void parity_setup(void) { dpf_open(&fx); }
static void parity_teardown(void) { dpf_close(&fx); }

static void assert_parity(const struct pb *b, const char *name, size_t cut)
{
	struct mip6lb_pkt user, kern;
	struct dpf_result r;
	int ret;

	ret = mip6lb_parse_buf(b->data, b->len, &user);
	dpf_run(&fx, b, &r);
	dpf_last_parse(&fx, &kern);
	ck_assert_msg(mip6lb_pkt_same(&user, &kern),
		      "%s (len %zu): BPF and userspace parse differ (flags 0x%x vs 0x%x)",
		      name, cut, kern.flags, user.flags);
	/* No service is configured: a parsed packet must pass untouched, a
	 * malformed one is dropped only when its addresses were unreadable. */
	if (ret == 0 || ret == MIP6LB_PARSE_NOT_IPV6 || (user.flags & MIP6LB_PKT_ADDRS)) {
		ck_assert_int_eq(r.verdict, XDP_PASS);
		ck_assert_uint_eq(r.out_len, b->len);
		ck_assert_mem_eq(r.out, b->data, b->len);
	} else {
		ck_assert_int_eq(r.verdict, XDP_DROP);
	}
}

START_TEST(test_parity)
{
	const struct parse_case *c = &cases[_i];
	struct pb b, t;
	size_t cut;

	c->build(&b);
	assert_parity(&b, c->name, b.len);
	/* test_run wants at least an Ethernet header. */
	for (cut = 14; cut < b.len; cut++) {
		t = b;
		t.len = cut;
		assert_parity(&t, c->name, cut);
		if (cut >= 54) {
			pb_finish(&t);
			assert_parity(&t, c->name, cut);
		}
	}
}
END_TEST

MIP6LB_SUITE(parse_parity, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("parse_parity");
	TCase *tc = tcase_create("bpf_vs_userspace");

	tcase_add_checked_fixture(tc, parity_setup, parity_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_parity, 0, N_CASES);
	suite_add_tcase(s, tc);
	return s;
}
