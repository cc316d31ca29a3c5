// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Same config, same answer (issue 15): two mip6lbd states over their own
 * pinned maps, brought to one config by different histories (a service
 * deleted and re-added, so other ids; backends added in another order; a
 * reload, runtime changes, a restart that adopts the maps), must show the
 * same fingerprints and give every identity of every kind (hoa, spi, iid,
 * src), in three services, two of them on one VIP, the same backend through
 * the real XDP program; and again after a backend removal, when sessions
 * re-hash on their anchors.  A differing weight or backend address gives
 * another fingerprint (and other backends).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <check.h>
#include <bpf/bpf.h>
#include "harness.h"
#include "daemonfix.h"
#include "pktbuild.h"

#define N_IDS 2000

#define VIP_WEB "2001:db8::80"
#define VIP_TEL "2001:db8::5"

#define SVC_WEB  "[service web]\nvip = " VIP_WEB "\neui64_only = no\n"
#define SVC_VOIP "[service voip]\nvip = " VIP_TEL "\nproto = udp\nport = 5060\nidentity = src\n"
#define SVC_MISC "[service misc]\nvip = " VIP_TEL "\n"
#define SVC_TMP  "[service tmp]\nvip = 2001:db8::7\n"
#define BE(svc, name, addr, mac) \
	"[backend " svc " " name "]\naddr = " addr "\nmac = " mac "\ndev = lo\n"
#define W1 BE("web", "w1", "2001:db8:1::1", "02:be:00:00:00:01")
#define W2 BE("web", "w2", "2001:db8:1::2", "02:be:00:00:00:02")
#define W3 BE("web", "w3", "2001:db8:1::3", "02:be:00:00:00:03") "weight = 2\n"
#define W4 BE("web", "w4", "2001:db8:1::4", "02:be:00:00:00:04")
#define W5 BE("web", "w5", "2001:db8:1::5", "02:be:00:00:00:05") "state = drained\n"
#define V1 BE("voip", "v1", "2001:db8:2::1", "02:be:00:00:00:11")
#define V2 BE("voip", "v2", "2001:db8:2::2", "02:be:00:00:00:12")
#define V3 BE("voip", "v3", "2001:db8:2::3", "02:be:00:00:00:13")
#define M1 BE("misc", "m1", "2001:db8:3::1", "02:be:00:00:00:21")
#define M2 BE("misc", "m2", "2001:db8:3::2", "02:be:00:00:00:22")
#define M3 BE("misc", "m3", "2001:db8:3::3", "02:be:00:00:00:23")
#define T1 BE("tmp", "t1", "2001:db8:4::1", "02:be:00:00:00:31")

#define DAEMON "[daemon]\n"
/* The config both instances end with. */
#define FINAL DAEMON SVC_WEB SVC_VOIP SVC_MISC W1 W2 W3 W4 W5 V1 V2 V3 M1 M2 M3

static struct dfx a, b;

/* Room for every identity and its alias without an eviction (the LRU
 * hands each CPU a share of the entries). */
#define SESSIONS 131072

static void setup(void)
{
	dfx_open_sized(&a, SESSIONS);
	dfx_open_sized(&b, SESSIONS);
}

static void teardown(void)
{
	dfx_close(&a);
	dfx_close(&b);
}

static __u64 fp_of(struct dfx *f, const char *svc)
{
	__u64 fp;

	ck_assert_int_eq(state_service_fingerprint(f->st, dfx_svc(f, svc), &fp), 0);
	return fp;
}

static __u64 fp_all(struct dfx *f)
{
	__u64 fp;

	ck_assert_int_eq(state_fingerprint(f->st, &fp), 0);
	return fp;
}

/* B's history: tmp takes the first id; web is deleted at run time and
 * comes back after a restart on another id; backends are added in
 * another order, one of them by a runtime backend add; a reload that
 * changes nothing; misc's m3 goes down on both. */
static void history_b(void)
{
	const struct st_kv w4[] = {
		{ "addr", "2001:db8:1::4" }, { "mac", "02:be:00:00:00:04" }, { "dev", "lo" },
	};
	char err[256];

	dfx_apply(&b, DAEMON SVC_TMP SVC_MISC SVC_VOIP SVC_WEB T1 M3 M2 V2 W3 W1 W2 V1);
	dfx_apply(&b, DAEMON SVC_TMP SVC_MISC SVC_VOIP SVC_WEB T1 M3 M2 V2 W3 W1 W2 V1);
	ck_assert_msg(!state_service_del(b.st, "web", err, sizeof(err)), "%s", err);
	ck_assert_msg(!state_backend_del(b.st, "voip", "v1", err, sizeof(err)), "%s", err);
	dfx_restart(&b);
	/* Backends and sections in reverse order; w4 comes at run time. */
	dfx_apply(&b, DAEMON SVC_MISC SVC_VOIP SVC_WEB M3 M2 M1 V3 V2 V1 W5 W3 W2 W1);
	ck_assert_msg(!state_backend_add(b.st, "web", "w4", w4, 3, err, sizeof(err)), "%s", err);
}

static void history_a(void)
{
	dfx_apply(&a, FINAL);
}

static void both_down(const char *svc, const char *be)
{
	ck_assert_int_eq(state_backend_set_down(a.st, dfx_be(&a, svc, be), true), 0);
	ck_assert_int_eq(state_backend_set_down(b.st, dfx_be(&b, svc, be), true), 0);
}

/* Identity i of one kind as a packet to one service. */
enum { K_HOA, K_SPI, K_IID, K_SRC, K_N };

static void build(struct pb *p, int kind, int i, const char *vip, __u16 port)
{
	char src[64], hoa[64];

	switch (kind) {
	case K_HOA:
		snprintf(src, sizeof(src), "2001:db8:aa::%x", i + 1);
		snprintf(hoa, sizeof(hoa), "2001:db8:100:%x::1", i + 1);
		pb_init(p, src, vip);
		pb_dstopt_hao(p, hoa);
		pb_udp(p, 40000, port, 16);
		break;
	case K_SPI:
		/* One source per SPI: a second SPI from a known source would
		 * find the first one's address alias instead. */
		snprintf(src, sizeof(src), "2001:db8:cc::%x", i + 1);
		pb_init(p, src, vip);
		pb_esp(p, 0x10000 + i, 32);
		break;
	case K_IID:
		snprintf(src, sizeof(src), "2001:db8:bb::%x:%x", i / 7 + 1, i * 13 + 5);
		pb_init(p, src, vip);
		pb_udp(p, 40000, port, 16);
		break;
	default:
		snprintf(src, sizeof(src), "2001:db8:dd:%x::%x", i % 5, i + 1);
		pb_init(p, src, vip);
		pb_udp(p, 40000, port, 16);
		break;
	}
	pb_finish(p);
}

/* What the packets are run against: a kind to a service. */
static const struct target {
	int kind;
	const char *vip;
	__u16 port;
	int want_cnt;                 /* the kind counter it must move */
} targets[] = {
	{ K_HOA, VIP_WEB,  80,   MIP6LB_CNT_KIND_HOA },
	{ K_SPI, VIP_WEB,  0,    MIP6LB_CNT_KIND_SPI },
	{ K_IID, VIP_WEB,  80,   MIP6LB_CNT_KIND_IID },
	{ K_SRC, VIP_TEL,  5060, MIP6LB_CNT_KIND_SRC },   /* voip: identity = src */
	{ K_HOA, VIP_TEL,  9,    MIP6LB_CNT_KIND_HOA },   /* misc, same VIP */
	{ K_SPI, VIP_TEL,  0,    MIP6LB_CNT_KIND_SPI },
	{ K_SRC, VIP_TEL,  9,    MIP6LB_CNT_KIND_SRC },   /* misc: no EUI-64 */
};
#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

static __u64 kind_packets(struct dfx *f, int cnt)
{
	struct mip6lb_counter_val c[MIP6LB_CNT_MAX];

	ck_assert_int_eq(dp_counters_read(&f->dp.maps, c), 0);
	return c[cnt].packets;
}

/* Run every identity of every target on both; returns how many got
 * different backends; seen[mac byte] counts the backends A used. */
static int run_all(int *seen, __u8 (*got)[6])
{
	__u8 ma[6], mb[6];
	size_t t;
	int i, differ = 0, n = 0;
	struct pb p;

	for (t = 0; t < N_TARGETS; t++) {
		__u64 before = kind_packets(&a, targets[t].want_cnt);

		for (i = 0; i < N_IDS; i++, n++) {
			build(&p, targets[t].kind, i, targets[t].vip, targets[t].port);
			ck_assert_int_eq(dfx_run(&a, &p, ma), XDP_TX);
			ck_assert_int_eq(dfx_run(&b, &p, mb), XDP_TX);
			ck_assert_uint_eq(ma[0], 0x02);
			ck_assert_uint_eq(ma[1], 0xbe);
			if (memcmp(ma, mb, 6))
				differ++;
			if (seen)
				seen[ma[5]]++;
			if (got)
				memcpy(got[n], ma, 6);
		}
		/* Each packet was matched by the kind it was built for. */
		ck_assert_uint_eq(kind_packets(&a, targets[t].want_cnt) - before, N_IDS);
	}
	return differ;
}

START_TEST(test_histories_agree)
{
	static const char *const svcs[] = { "web", "voip", "misc" };
	static __u8 first[N_TARGETS * N_IDS][6], again[N_TARGETS * N_IDS][6];
	int seen[256] = { 0 }, moved = 0, i;
	struct mip6lb_session sa, sb;
	char hoa[64];
	size_t s;

	history_a();
	history_b();
	both_down("misc", "m3");
	/* The histories gave other ids: the test means something. */
	ck_assert_uint_ne(dfx_svc(&a, "web"), dfx_svc(&b, "web"));
	ck_assert_uint_ne(dfx_be(&a, "web", "w1"), dfx_be(&b, "web", "w1"));
	ck_assert_uint_ne(dfx_be(&a, "misc", "m1"), dfx_be(&b, "misc", "m1"));

	for (s = 0; s < 3; s++)
		ck_assert_msg(fp_of(&a, svcs[s]) == fp_of(&b, svcs[s]), "service %s", svcs[s]);
	ck_assert_uint_eq(fp_all(&a), fp_all(&b));
	/* Services' fingerprints differ from each other. */
	ck_assert_uint_ne(fp_of(&a, "voip"), fp_of(&a, "misc"));

	dfx_load_prog(&a);
	dfx_load_prog(&b);
	ck_assert_int_eq(run_all(seen, first), 0);
	/* Spread over the rings, never on the drained w5 or the down m3. */
	for (i = 1; i <= 4; i++)
		ck_assert_int_gt(seen[i], 0);
	for (i = 0x11; i <= 0x13; i++)
		ck_assert_int_gt(seen[i], 0);
	ck_assert_int_gt(seen[0x21], 0);
	ck_assert_int_gt(seen[0x22], 0);
	ck_assert_int_eq(seen[0x05], 0);
	ck_assert_int_eq(seen[0x23], 0);

	/* The anchors agree too: the node's hash is the same number on both. */
	for (i = 0; i < 200; i++) {
		snprintf(hoa, sizeof(hoa), "2001:db8:100:%x::1", i + 1);
		ck_assert_int_eq(dfx_session_get(&a, dfx_svc(&a, "web"), hoa, &sa), 0);
		ck_assert_int_eq(dfx_session_get(&b, dfx_svc(&b, "web"), hoa, &sb), 0);
		ck_assert_uint_ne(sa.flow_hash, 0);
		ck_assert_uint_eq(sa.flow_hash, sb.flow_hash);
	}

	/* w1 removed on both: its sessions re-hash on their anchors, the same
	 * way on both; the others stay. */
	{
		char err[256];

		ck_assert_msg(!state_backend_del(a.st, "web", "w1", err, sizeof(err)), "%s", err);
		ck_assert_msg(!state_backend_del(b.st, "web", "w1", err, sizeof(err)), "%s", err);
	}
	ck_assert_uint_eq(fp_all(&a), fp_all(&b));
	ck_assert_int_eq(run_all(NULL, again), 0);
	for (i = 0; i < (int)(N_TARGETS * N_IDS); i++) {
		if (first[i][5] == 0x01) {
			ck_assert_uint_ne(again[i][5], 0x01);
			moved++;
		} else {
			ck_assert_uint_eq(again[i][5], first[i][5]);
		}
	}
	ck_assert_int_gt(moved, 0);
}
END_TEST

/* Drain and down change the ring, so the fingerprint; undoing them gives
 * the old one back. */
START_TEST(test_fingerprint_follows_ring)
{
	char err[256];
	__u64 web, all;

	history_a();
	web = fp_of(&a, "web");
	all = fp_all(&a);
	ck_assert_msg(!state_backend_drain(a.st, "web", "w2", true, err, sizeof(err)), "%s", err);
	ck_assert_uint_ne(fp_of(&a, "web"), web);
	ck_assert_uint_ne(fp_all(&a), all);
	ck_assert_msg(!state_backend_drain(a.st, "web", "w2", false, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(fp_of(&a, "web"), web);
	ck_assert_int_eq(state_backend_set_down(a.st, dfx_be(&a, "web", "w3"), true), 0);
	ck_assert_uint_ne(fp_of(&a, "web"), web);
	ck_assert_int_eq(state_backend_set_down(a.st, dfx_be(&a, "web", "w3"), false), 0);
	ck_assert_uint_eq(fp_of(&a, "web"), web);
	ck_assert_uint_eq(fp_all(&a), all);
	ck_assert_int_eq(state_service_fingerprint(a.st, 63, &web), -ENOENT);
}
END_TEST

/* One thing that must match differs: the fingerprint of that service and
 * the overall one say so, the others stay equal. */
static const struct {
	const char *what;
	const char *b_cfg;
	int differ_dp;                /* the datapath must disagree somewhere */
} diffs[] = {
	{ "an extra weight-0 backend", DAEMON SVC_WEB SVC_VOIP SVC_MISC W1 W2 W3 W4 W5 V1 V2 V3 M1 M2 M3
		      "[backend web w6]\naddr = 2001:db8:1::6\nmac = 02:be:00:00:00:06\n"
		      "dev = lo\nweight = 0\n", 0 },
	{ "w2's weight", DAEMON SVC_WEB SVC_VOIP SVC_MISC W1
			 BE("web", "w2", "2001:db8:1::2", "02:be:00:00:00:02") "weight = 3\n"
			 W3 W4 W5 V1 V2 V3 M1 M2 M3, 1 },
	{ "w2's address", DAEMON SVC_WEB SVC_VOIP SVC_MISC W1
			  BE("web", "w2", "2001:db8:1::22", "02:be:00:00:00:02")
			  W3 W4 W5 V1 V2 V3 M1 M2 M3, 0 },
	{ "a backend's name", DAEMON SVC_WEB SVC_VOIP SVC_MISC W1
			      BE("web", "w2b", "2001:db8:1::2", "02:be:00:00:00:02")
			      W3 W4 W5 V1 V2 V3 M1 M2 M3, 1 },
};

START_TEST(test_fingerprint_differs)
{
	int differ;

	history_a();
	dfx_apply(&b, diffs[_i].b_cfg);
	ck_assert_msg(fp_of(&a, "web") != fp_of(&b, "web"), "%s: same web fingerprint",
		      diffs[_i].what);
	ck_assert_uint_ne(fp_all(&a), fp_all(&b));
	ck_assert_uint_eq(fp_of(&a, "voip"), fp_of(&b, "voip"));
	ck_assert_uint_eq(fp_of(&a, "misc"), fp_of(&b, "misc"));
	if (!diffs[_i].differ_dp)
		return;
	dfx_load_prog(&a);
	dfx_load_prog(&b);
	differ = run_all(NULL, NULL);
	ck_assert_msg(differ > 0, "%s: no identity moved", diffs[_i].what);
}
END_TEST

/* A VIP's default service (packets without a port) is chosen by
 * specificity, then name: not by the order the services came in. */
START_TEST(test_vip_default_by_name)
{
	const struct st_kv tcp[] = { { "vip", "2001:db8::9" }, { "proto", "tcp" } };
	char err[256];

	/* zz first on A; on B, aa first and zz added at run time. */
	dfx_apply(&a, DAEMON "[service zz]\nvip = 2001:db8::9\nproto = tcp\n"
		      "[service aa]\nvip = 2001:db8::9\nproto = udp\n");
	dfx_apply(&b, DAEMON "[service aa]\nvip = 2001:db8::9\nproto = udp\n");
	ck_assert_msg(!state_service_add(b.st, "zz", tcp, 2, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(dfx_vip(&a, "2001:db8::9"), (int)dfx_svc(&a, "aa"));
	ck_assert_int_eq(dfx_vip(&b, "2001:db8::9"), (int)dfx_svc(&b, "aa"));
}
END_TEST

MIP6LB_SUITE(agree, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("agree");
	TCase *tc = tcase_create("instances");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_histories_agree);
	tcase_add_test(tc, test_fingerprint_follows_ring);
	tcase_add_test(tc, test_vip_default_by_name);
	tcase_add_loop_test(tc, test_fingerprint_differs, 0, sizeof(diffs) / sizeof(diffs[0]));
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
