// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lb-decap's XDP program (bpf/decap.bpf.c) over bpf_prog_test_run: one
 * table of packets, each with the decap addresses loaded, the expected
 * verdict, the expected output bytes and the one counter it must bump.
 * Input and expected output are both built with pktbuild, so "decapsulated"
 * means byte for byte the inner packet behind the same Ethernet header.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"
#include "mip6lb.h"
#include "pktbuild.h"
#include "decap.skel.h"

#define ETH     14
#define IP6     40

#define CLIENT  "2001:db8:100::7"
#define VIP     "2001:db8::81"
#define LB      "2001:db8:ff::1"      /* the balancer's lb_addr: outer source */
#define DECAP1  "2001:db8:2::1"       /* this backend's decap addresses */
#define DECAP2  "2001:db8:2::2"
#define OTHER   "2001:db8:2::99"      /* a host address that is not one */

/* ECN codepoints in the traffic class (RFC 3168 §5). */
#define NOT_ECT 0
#define ECT1    1
#define ECT0    2
#define CE      3

/* ---- fixture: a fresh program and maps per test ---- */

static struct mip6lb_decap *skel;
static int prog_fd, addrs_fd, cnt_fd;

static void setup(void)
{
	skel = mip6lb_decap__open_and_load();
	ck_assert_msg(skel, "mip6lb_decap__open_and_load: %s", strerror(errno));
	prog_fd = bpf_program__fd(skel->progs.mip6lb_decap);
	addrs_fd = bpf_map__fd(skel->maps.decap_addrs);
	cnt_fd = bpf_map__fd(skel->maps.decap_counters);
}

static void teardown(void)
{
	mip6lb_decap__destroy(skel);
	skel = NULL;
}

static void addr_key(const char *text, struct mip6lb_decap_addr *k)
{
	memset(k, 0, sizeof(*k));
	ck_assert_msg(inet_pton(AF_INET6, text, &k->addr) == 1, "bad address %s", text);
}

static void addr_add(const char *text)
{
	struct mip6lb_decap_addr k;
	struct mip6lb_decap_addr_val v = {};

	addr_key(text, &k);
	ck_assert_int_eq(bpf_map_update_elem(addrs_fd, &k, &v, BPF_ANY), 0);
}

static void addr_del(const char *text)
{
	struct mip6lb_decap_addr k;

	addr_key(text, &k);
	ck_assert_int_eq(bpf_map_delete_elem(addrs_fd, &k), 0);
}

/* Every counter summed over the CPUs. */
static void counters_read(struct mip6lb_counter_val *tot)
{
	int ncpu = libbpf_num_possible_cpus();
	struct mip6lb_decap_counters *v;
	__u32 zero = 0;
	int cpu, i;

	ck_assert_int_gt(ncpu, 0);
	v = calloc(ncpu, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(bpf_map_lookup_elem(cnt_fd, &zero, v), 0);
	memset(tot, 0, sizeof(*tot) * MIP6LB_DCNT_MAX);
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < MIP6LB_DCNT_MAX; i++) {
			tot[i].packets += v[cpu].c[i].packets;
			tot[i].bytes += v[cpu].c[i].bytes;
		}
	free(v);
}

struct run {
	int   verdict;
	__u8  out[PB_MAX + 64];
	__u32 out_len;
};

/* Run one frame, and check that rx and exactly `reason` went up by one
 * packet and the frame's length, every other counter by nothing. */
static void run_counted(const char *what, const struct pb *in, struct run *r, int reason)
{
	struct mip6lb_counter_val before[MIP6LB_DCNT_MAX], after[MIP6LB_DCNT_MAX];
	int i, err;
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in->data,
		.data_size_in = in->len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.repeat = 1,
	);

	counters_read(before);
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	ck_assert_msg(!err, "bpf_prog_test_run_opts: %s", strerror(errno));
	counters_read(after);
	r->verdict = opts.retval;
	r->out_len = opts.data_size_out;

	for (i = 0; i < MIP6LB_DCNT_MAX; i++) {
		__u64 dp = after[i].packets - before[i].packets;
		__u64 db = after[i].bytes - before[i].bytes;
		int want = i == MIP6LB_DCNT_RX || i == reason;

		ck_assert_msg(dp == (__u64)want, "%s: counter %d: +%llu packets, want +%d",
			      what, i, (unsigned long long)dp, want);
		ck_assert_msg(db == (want ? in->len : 0), "%s: counter %d: +%llu bytes, want +%zu",
			      what, i, (unsigned long long)db, want ? in->len : 0);
	}
}

static void assert_bytes(const char *what, const struct run *r, const struct pb *want)
{
	ck_assert_msg(r->out_len == want->len, "%s: %u bytes out, want %zu", what, r->out_len, want->len);
	ck_assert_msg(!memcmp(r->out, want->data, want->len), "%s: output bytes differ from the expected packet", what);
}

/* ---- packets ---- */

/* The inner packets: what a client sent to the VIP.  Hop limit 17 (not the
 * builder's 64, the outer one's) so a decapsulator that copied the outer
 * hop limit or decremented the inner one would show. */
static void inner_hop_limit(struct pb *b)
{
	b->data[ETH + 7] = 17;
}

static void inner_udp(struct pb *b)
{
	pb_init(b, CLIENT, VIP); inner_hop_limit(b); pb_udp(b, 40000, 53, 32); pb_finish(b);
}

static void inner_tcp(struct pb *b)
{
	pb_init(b, CLIENT, VIP); inner_hop_limit(b); pb_tcp(b, 40000, 443); pb_finish(b);
}

static void inner_tclass(struct pb *b, __u8 tclass)
{
	inner_udp(b); pb_tclass(b, tclass);
}

/* Payload length field of the IPv6 header at frame offset l3. */
static void set_plen(struct pb *b, size_t l3, __u16 plen)
{
	__u16 v = htons(plen);

	memcpy(b->data + l3 + 4, &v, 2);
}

static void in_udp(struct pb *b)      { inner_udp(b); pb_encap(b, LB, DECAP1); }
static void in_tcp(struct pb *b)      { inner_tcp(b); pb_encap(b, LB, DECAP1); }
static void in_udp_d2(struct pb *b)   { inner_udp(b); pb_encap(b, LB, DECAP2); }
static void in_padded(struct pb *b)   { in_udp(b); pb_trailer(b, 6); }
static void out_padded(struct pb *b)  { inner_udp(b); pb_trailer(b, 6); }
static void in_ipv4(struct pb *b)     { pb_ipv4(b); }
static void in_vlan(struct pb *b)     { in_udp(b); b->data[12] = 0x81; b->data[13] = 0x00; }
static void in_other_dst(struct pb *b){ pb_init(b, CLIENT, OTHER); pb_udp(b, 40000, 53, 32); pb_finish(b); }
static void in_tunnel_other(struct pb *b) { inner_udp(b); pb_encap(b, LB, OTHER); }
static void in_icmp(struct pb *b)     { pb_init(b, CLIENT, DECAP1); pb_icmp6_echo(b); pb_finish(b); }
/* An extension header before 41 is not walked (mip6lb emits none). */
static void in_hbh_tunnel(struct pb *b)
{
	struct pb inner;

	inner_udp(&inner);
	pb_init(b, LB, DECAP1); pb_hbh(b);
	pb_raw(b, 41, inner.len - ETH);
	memcpy(b->data + b->len - (inner.len - ETH), inner.data + ETH, inner.len - ETH);
	pb_finish(b);
}
/* 30 of the outer header's 40 bytes. */
static void in_short_outer(struct pb *b) { in_udp(b); b->len = ETH + 30; }
static void in_version4(struct pb *b)    { in_udp(b); b->data[ETH] = 0x40; }
static void in_plen_long(struct pb *b)   { in_udp(b); set_plen(b, ETH, b->len - ETH - IP6 + 1); }
/* Room for the inner header in the frame, but the outer payload length
 * says 20 bytes. */
static void in_plen_short(struct pb *b)  { in_udp(b); set_plen(b, ETH, 20); }
/* An honest outer length over the first 20 bytes of an inner header. */
static void in_inner_short(struct pb *b)
{
	in_udp(b); b->len = ETH + IP6 + 20; set_plen(b, ETH, 20);
}
static void in_inner_v4(struct pb *b)    { in_udp(b); b->data[ETH + IP6] = 0x45; }
static void in_inner_plen(struct pb *b)
{
	in_udp(b); set_plen(b, ETH + IP6, b->len - ETH - IP6 - IP6 + 1);
}
static void in_nested(struct pb *b)      { inner_udp(b); pb_encap(b, LB, "2001:db8:3::1"); pb_encap(b, LB, DECAP1); }

/* RFC 6040 §4.2, Figure 4: (inner, outer) -> result. */
static void in_ce_over_ect0(struct pb *b)   { inner_tclass(b, 0xb8 | ECT0); pb_encap(b, LB, DECAP1); pb_tclass(b, CE); }
static void out_ce(struct pb *b)            { inner_tclass(b, 0xb8 | CE); }
static void in_ce_over_ect1(struct pb *b)   { inner_tclass(b, 0xb8 | ECT1); pb_encap(b, LB, DECAP1); pb_tclass(b, CE); }
static void in_ce_over_ce(struct pb *b)     { inner_tclass(b, 0xb8 | CE); pb_encap(b, LB, DECAP1); pb_tclass(b, CE); }
static void in_ce_over_notect(struct pb *b) { inner_tclass(b, 0xb8 | NOT_ECT); pb_encap(b, LB, DECAP1); pb_tclass(b, CE); }
static void in_ect1_over_ect0(struct pb *b) { inner_tclass(b, 0xb8 | ECT0); pb_encap(b, LB, DECAP1); pb_tclass(b, ECT1); }
static void out_ect1(struct pb *b)          { inner_tclass(b, 0xb8 | ECT1); }
static void in_ect0_over_ect1(struct pb *b) { inner_tclass(b, 0xb8 | ECT1); pb_encap(b, LB, DECAP1); pb_tclass(b, ECT0); }
static void in_ect0_over_notect(struct pb *b){ inner_tclass(b, 0xb8 | NOT_ECT); pb_encap(b, LB, DECAP1); pb_tclass(b, ECT0); }
static void out_notect(struct pb *b)        { inner_tclass(b, 0xb8 | NOT_ECT); }
/* The balancer's own outer header: Not-ECT over anything leaves it be. */
static void in_notect_over_ect0(struct pb *b){ inner_tclass(b, 0xb8 | ECT0); pb_encap(b, LB, DECAP1); }
static void out_ect0(struct pb *b)          { inner_tclass(b, 0xb8 | ECT0); }

struct decap_case {
	const char *desc;
	void (*in)(struct pb *b);
	const char *addrs[3];              /* decap addresses loaded, NULL-ended */
	int verdict;
	void (*out)(struct pb *b);         /* expected output; NULL: untouched */
	int counter;
	int ecn;                           /* expected inner ECN when >= 0 */
};

#define ADDRS1 { DECAP1 }
#define ADDRS2 { DECAP1, DECAP2 }

static const struct decap_case cases[] = {
	{ "ip6ip6 UDP: inner packet behind the same Ethernet header", in_udp, ADDRS1,
	  XDP_PASS, inner_udp, MIP6LB_DCNT_DECAPSULATED, -1 },
	{ "ip6ip6 TCP", in_tcp, ADDRS1, XDP_PASS, inner_tcp, MIP6LB_DCNT_DECAPSULATED, -1 },
	{ "second decap address", in_udp_d2, ADDRS2, XDP_PASS, inner_udp, MIP6LB_DCNT_DECAPSULATED, -1 },
	{ "trailing padding is kept behind the inner packet", in_padded, ADDRS1,
	  XDP_PASS, out_padded, MIP6LB_DCNT_DECAPSULATED, -1 },
	{ "IPv4 frame", in_ipv4, ADDRS1, XDP_PASS, NULL, MIP6LB_DCNT_PASS_NOT_IPV6, -1 },
	{ "VLAN-tagged frame", in_vlan, ADDRS1, XDP_PASS, NULL, MIP6LB_DCNT_PASS_NOT_IPV6, -1 },
	{ "IPv6 to another address", in_other_dst, ADDRS1, XDP_PASS, NULL, MIP6LB_DCNT_PASS_NOT_OURS, -1 },
	{ "ip6ip6 to another address", in_tunnel_other, ADDRS1, XDP_PASS, NULL, MIP6LB_DCNT_PASS_NOT_OURS, -1 },
	{ "ip6ip6 with no decap address loaded", in_udp, { NULL }, XDP_PASS, NULL, MIP6LB_DCNT_PASS_NOT_OURS, -1 },
	{ "ICMPv6 to the decap address", in_icmp, ADDRS1, XDP_PASS, NULL, MIP6LB_DCNT_PASS_NOT_TUNNEL, -1 },
	{ "Hop-by-Hop before next header 41", in_hbh_tunnel, ADDRS1,
	  XDP_PASS, NULL, MIP6LB_DCNT_PASS_NOT_TUNNEL, -1 },
	{ "outer header cut at 30 bytes", in_short_outer, ADDRS1, XDP_DROP, NULL, MIP6LB_DCNT_DROP_TRUNCATED, -1 },
	{ "outer version 4", in_version4, ADDRS1, XDP_DROP, NULL, MIP6LB_DCNT_DROP_MALFORMED, -1 },
	{ "outer payload length past the frame", in_plen_long, ADDRS1,
	  XDP_DROP, NULL, MIP6LB_DCNT_DROP_BAD_LENGTH, -1 },
	{ "outer payload length under 40", in_plen_short, ADDRS1,
	  XDP_DROP, NULL, MIP6LB_DCNT_DROP_BAD_LENGTH, -1 },
	{ "inner header cut at 20 bytes", in_inner_short, ADDRS1,
	  XDP_DROP, NULL, MIP6LB_DCNT_DROP_TRUNCATED, -1 },
	{ "inner version 4", in_inner_v4, ADDRS1, XDP_DROP, NULL, MIP6LB_DCNT_DROP_INNER_NOT_IPV6, -1 },
	{ "inner payload length past the outer payload", in_inner_plen, ADDRS1,
	  XDP_DROP, NULL, MIP6LB_DCNT_DROP_BAD_LENGTH, -1 },
	{ "ip6ip6 in ip6ip6", in_nested, ADDRS1, XDP_DROP, NULL, MIP6LB_DCNT_DROP_NESTED, -1 },
	{ "ECN: outer CE over inner ECT(0) -> CE", in_ce_over_ect0, ADDRS1,
	  XDP_PASS, out_ce, MIP6LB_DCNT_DECAPSULATED, CE },
	{ "ECN: outer CE over inner ECT(1) -> CE", in_ce_over_ect1, ADDRS1,
	  XDP_PASS, out_ce, MIP6LB_DCNT_DECAPSULATED, CE },
	{ "ECN: outer CE over inner CE -> CE", in_ce_over_ce, ADDRS1,
	  XDP_PASS, out_ce, MIP6LB_DCNT_DECAPSULATED, CE },
	{ "ECN: outer CE over inner Not-ECT -> drop", in_ce_over_notect, ADDRS1,
	  XDP_DROP, NULL, MIP6LB_DCNT_DROP_ECN, -1 },
	{ "ECN: outer ECT(1) over inner ECT(0) -> ECT(1)", in_ect1_over_ect0, ADDRS1,
	  XDP_PASS, out_ect1, MIP6LB_DCNT_DECAPSULATED, ECT1 },
	{ "ECN: outer ECT(0) over inner ECT(1) -> ECT(1)", in_ect0_over_ect1, ADDRS1,
	  XDP_PASS, out_ect1, MIP6LB_DCNT_DECAPSULATED, ECT1 },
	{ "ECN: outer ECT(0) over inner Not-ECT -> Not-ECT", in_ect0_over_notect, ADDRS1,
	  XDP_PASS, out_notect, MIP6LB_DCNT_DECAPSULATED, NOT_ECT },
	{ "ECN: outer Not-ECT over inner ECT(0) -> ECT(0)", in_notect_over_ect0, ADDRS1,
	  XDP_PASS, out_ect0, MIP6LB_DCNT_DECAPSULATED, ECT0 },
};

START_TEST(test_decap_case)
{
	const struct decap_case *c = &cases[_i];
	struct pb in, want;
	struct run r;
	int i;

	for (i = 0; i < 3 && c->addrs[i]; i++)
		addr_add(c->addrs[i]);
	c->in(&in);
	if (c->out)
		c->out(&want);
	else
		want = in;

	run_counted(c->desc, &in, &r, c->counter);
	ck_assert_msg(r.verdict == c->verdict, "%s: verdict %d, want %d", c->desc, r.verdict, c->verdict);
	assert_bytes(c->desc, &r, &want);
	if (c->out) {
		/* Decapsulated: exactly 40 bytes shorter, same MACs, IPv6. */
		ck_assert_uint_eq(r.out_len + IP6, in.len);
		ck_assert_int_eq(memcmp(r.out, in.data, 12), 0);
		ck_assert_uint_eq(r.out[12], 0x86);
		ck_assert_uint_eq(r.out[13], 0xdd);
		ck_assert_uint_eq(r.out[ETH + 7], 17);        /* inner hop limit */
	}
	if (c->ecn >= 0)
		ck_assert_int_eq((r.out[ETH + 1] >> 4) & 3, c->ecn);
}
END_TEST

/* decap_addrs is read per packet: adding and removing an address changes
 * the verdict of the same frame with no reload. */
START_TEST(test_addrs_at_run_time)
{
	struct pb in, inner;
	struct run r;

	in_udp(&in);
	inner_udp(&inner);

	run_counted("run time", &in, &r, MIP6LB_DCNT_PASS_NOT_OURS);
	ck_assert_int_eq(r.verdict, XDP_PASS);
	assert_bytes("run time", &r, &in);

	addr_add(DECAP1);
	run_counted("run time", &in, &r, MIP6LB_DCNT_DECAPSULATED);
	ck_assert_int_eq(r.verdict, XDP_PASS);
	assert_bytes("run time", &r, &inner);

	addr_add(DECAP2);
	addr_del(DECAP1);
	run_counted("run time", &in, &r, MIP6LB_DCNT_PASS_NOT_OURS);
	ck_assert_int_eq(r.verdict, XDP_PASS);
	assert_bytes("run time", &r, &in);

	addr_add(DECAP1);
	run_counted("run time", &in, &r, MIP6LB_DCNT_DECAPSULATED);
	assert_bytes("run time", &r, &inner);
}
END_TEST

/* The map holds MIP6LB_DECAP_MAX_ADDRS addresses, and not one more. */
START_TEST(test_addrs_capacity)
{
	struct mip6lb_decap_addr k;
	struct mip6lb_decap_addr_val v = {};
	char text[64];
	int i;

	for (i = 0; i < MIP6LB_DECAP_MAX_ADDRS; i++) {
		snprintf(text, sizeof(text), "2001:db8:5::%x", i + 1);
		addr_add(text);
	}
	snprintf(text, sizeof(text), "2001:db8:5::%x", i + 1);
	addr_key(text, &k);
	ck_assert_int_ne(bpf_map_update_elem(addrs_fd, &k, &v, BPF_NOEXIST), 0);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

MIP6LB_SUITE(decap, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("decap");
	TCase *pk = tcase_create("packets");
	TCase *rt = tcase_create("run_time");

	tcase_add_checked_fixture(pk, setup, teardown);
	tcase_add_checked_fixture(rt, setup, teardown);
	tcase_set_timeout(pk, 30);
	tcase_set_timeout(rt, 30);
	tcase_add_loop_test(pk, test_decap_case, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(rt, test_addrs_at_run_time);
	tcase_add_test(rt, test_addrs_capacity);
	suite_add_tcase(s, pk);
	suite_add_tcase(s, rt);
	return s;
}
