// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Why a session re-hashed (issue 13): the datapath counts session_rehash
 * and, beside it, one of session_rehash_{down,drained,disabled,removed}
 * from the flags of the backend entry the session named (bpf/session.h
 * mip6lb_rehash_reason).
 *
 *  - datapath: the entry written by hand, one case per way a backend can
 *    be unusable, precedence included; sessions in all three tables
 *    (sessions, coa_sessions, probation) re-hash and count;
 *  - state: the same through lib/state's writers (health verdict, drain
 *    deadline, disable, delete) on the daemon's maps, so that the flags the
 *    daemon writes and the ones the datapath reads cannot drift apart.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <check.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "harness.h"
#include "daemonfix.h"
#include "dpfixture.h"
#include "names.h"
#include "state.h"

#define VIP  "2001:db8::80"
#define COA  "2001:db8:a::77"
#define PROB "2001:db8:b::77"
#define N    200

/* ---- the datapath alone -------------------------------------------------- */

#define NH MIP6LB_BE_NH_VALID

static const struct rehash_case {
	const char *name;
	__u32 flags;                 /* backend 1's entry from now on */
	int clear;                   /* entry cleared (a deleted backend) */
	int other_service;           /* entry now of service 1, ACTIVE */
	int reason;                  /* enum mip6lb_rehash_reason */
} cases[] = {
	{ "down", NH | MIP6LB_BE_DOWN, 0, 0, MIP6LB_REHASH_DOWN },
	{ "drained past its deadline", NH | MIP6LB_BE_DRAINED, 0, 0, MIP6LB_REHASH_DRAINED },
	{ "disabled", NH | MIP6LB_BE_DISABLED, 0, 0, MIP6LB_REHASH_DISABLED },
	{ "removed", 0, 1, 0, MIP6LB_REHASH_REMOVED },
	{ "moved to another service", NH | MIP6LB_BE_ACTIVE, 0, 1, MIP6LB_REHASH_REMOVED },
	/* Precedence: disabled over down over drained. */
	{ "disabled, down and drained", NH | MIP6LB_BE_DISABLED | MIP6LB_BE_DOWN |
	  MIP6LB_BE_DRAINED, 0, 0, MIP6LB_REHASH_DISABLED },
	{ "down and drained", NH | MIP6LB_BE_DOWN | MIP6LB_BE_DRAINED, 0, 0, MIP6LB_REHASH_DOWN },
	/* ACTIVE clear and no reason flag: an entry of an older daemon. */
	{ "not active, no reason", NH, 0, 0, MIP6LB_REHASH_REMOVED },
};

static struct dpf fx;

static void dp_setup(void)
{
	struct dpf_service s0 = { .id = 0, .vip = VIP, .eui64_only = -1,
				  .forward = MIP6LB_FWD_L2_DSR, .notify = MIP6LB_NOTIFY_HA };
	struct dpf_service s1 = { .id = 1, .vip = "2001:db8::81", .eui64_only = -1,
				  .forward = MIP6LB_FWD_L2_DSR };
	static const __u32 ring0[] = { 0, 1, 2 }, ring1[] = { 3 };

	dpf_open(&fx);
	dpf_add_service(&fx, &s0);
	dpf_add_service(&fx, &s1);
	dpf_add_backend(&fx, 0, 0, "2001:db8:1::1");
	dpf_add_backend(&fx, 1, 0, "2001:db8:1::2");
	dpf_add_backend(&fx, 2, 0, "2001:db8:1::3");
	dpf_add_backend(&fx, 3, 1, "2001:db8:2::1");
	dpf_ring(&fx, 0, ring0, NULL, 3);
	dpf_ring(&fx, 1, ring1, NULL, 1);
}

static void dp_teardown(void) { dpf_close(&fx); }

static __u32 send_from(const char *src)
{
	struct dpf_result r;
	struct pb b;

	pb_init(&b, src, VIP);
	pb_udp(&b, 40000, 53, 32);
	pb_finish(&b);
	dpf_run(&fx, &b, &r);
	ck_assert_msg(r.verdict == XDP_TX, "%s: verdict %d, want XDP_TX", src, r.verdict);
	ck_assert_uint_ne(r.backend, ~0U);
	return r.backend;
}

/* A session of service 0 on backend 1 written into fd (coa_sessions or
 * probation), keyed by the source address src. */
static void put_on_1(int fd, const char *src, __u8 kind, __u8 flags)
{
	struct mip6lb_session_key k = { .service_id = 0, .space = MIP6LB_SPACE_ADDR };
	struct mip6lb_session v = { .backend_id = 1, .kind = kind, .flags = flags,
				    .lifetime_s = 300 };
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	v.last_used_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	ck_assert_int_eq(inet_pton(AF_INET6, src, &k.id.addr), 1);
	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &v, BPF_ANY), 0);
}

static void session_backend(int fd, const char *src, __u32 *be)
{
	struct mip6lb_session_key k = { .service_id = 0, .space = MIP6LB_SPACE_ADDR };
	struct mip6lb_session v;

	ck_assert_int_eq(inet_pton(AF_INET6, src, &k.id.addr), 1);
	ck_assert_int_eq(bpf_map_lookup_elem(fd, &k, &v), 0);
	*be = v.backend_id;
}

START_TEST(test_rehash_reason_datapath)
{
	const struct rehash_case *c = &cases[_i];
	/* Identities on probation stay there for a minute: their packets
	 * use the probation entry (bpf/identity.h). */
	struct mip6lb_settings set = { .probation_ms = 60000 };
	static const __u32 ring_without_1[] = { 0, 2 };
	__u32 got[N], now, zero = 0, be;
	char src[64];
	int i, on1 = 0, r;

	ck_assert_int_eq(bpf_map_update_elem(fx.maps.settings, &zero, &set, BPF_ANY), 0);
	put_on_1(fx.maps.coa_sessions, COA, MIP6LB_KIND_COA, 0);
	put_on_1(fx.maps.probation, PROB, MIP6LB_KIND_SRC, MIP6LB_SESS_PROBATION);
	ck_assert_uint_eq(send_from(COA), 1);
	ck_assert_uint_eq(send_from(PROB), 1);
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:c::%x", i + 1);
		got[i] = send_from(src);
		on1 += got[i] == 1;
	}
	ck_assert_int_gt(on1, 0);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_REHASH), 0);

	/* Backend 1 becomes unusable as the case says; the ring leaves it. */
	if (c->clear) {
		ck_assert_int_eq(dp_backend_clear(&fx.maps, 1), 0);
	} else if (c->other_service) {
		struct mip6lb_backend v;

		ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.backends, &(__u32){ 1 }, &v), 0);
		v.service_id = 1;
		v.flags = c->flags;
		ck_assert_int_eq(dp_backend_write(&fx.maps, 1, &v), 0);
	} else {
		dpf_set_backend_flags(&fx, 1, c->flags);
	}
	dpf_ring(&fx, 0, ring_without_1, NULL, 2);

	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:c::%x", i + 1);
		now = send_from(src);
		if (got[i] == 1)
			ck_assert_uint_ne(now, 1);
		else
			ck_assert_uint_eq(now, got[i]);  /* no other session moved */
	}
	/* The coa session and the probation entry moved too, in place. */
	ck_assert_uint_ne(send_from(COA), 1);
	ck_assert_uint_ne(send_from(PROB), 1);
	session_backend(fx.maps.coa_sessions, COA, &be);
	ck_assert_uint_ne(be, 1);
	session_backend(fx.maps.probation, PROB, &be);
	ck_assert_uint_ne(be, 1);

	/* Each moved once: later packets hit where they went. */
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_REHASH), (__u64)on1 + 2);
	for (r = 0; r < MIP6LB_REHASH_MAX; r++)
		ck_assert_msg(dpf_counter(&fx, MIP6LB_CNT_REHASH_DOWN + r) ==
			      (r == c->reason ? (__u64)on1 + 2 : 0),
			      "%s: session_rehash_%s is %llu", c->name, rehash_reason_name(r),
			      (unsigned long long)dpf_counter(&fx, MIP6LB_CNT_REHASH_DOWN + r));
}
END_TEST

/* ---- through the daemon's state ------------------------------------------ */

#define WEB "[service web]\nvip = " VIP "\nproto = udp\nport = 80\n"
#define BE(name, addr, mac) \
	"[backend web " name "]\naddr = " addr "\nmac = " mac "\ndev = lo\n"
#define S1 BE("s1", "2001:db8:1::1", "02:be:00:00:00:01")
#define S2 BE("s2", "2001:db8:1::2", "02:be:00:00:00:02")
#define S3 BE("s3", "2001:db8:1::3", "02:be:00:00:00:03")

static struct dfx dx;

static void st_setup(void) { dfx_open(&dx); }
static void st_teardown(void) { dfx_close(&dx); }

static __u64 counter(int idx)
{
	struct mip6lb_counter_val v[MIP6LB_CNT_MAX];

	ck_assert_int_eq(dp_counters_read(dx.st->maps, v), 0);
	return v[idx].packets;
}

/* How s2 is taken out, and the reason its sessions then count. */
static void take_out(int how)
{
	char err[256] = "";
	__u32 s2 = dfx_be(&dx, "web", "s2");

	switch (how) {
	case MIP6LB_REHASH_DOWN:
		ck_assert_int_eq(state_backend_set_down(dx.st, s2, true), 0);
		break;
	case MIP6LB_REHASH_DRAINED:
		ck_assert_int_eq(state_backend_drain_deadline(dx.st, "web", "s2", 30, err,
							      sizeof(err)), 0);
		/* Drained, before its deadline: nothing moves. */
		ck_assert_int_eq(state_drain_tick(dx.st, dp_now_ns()), 0);
		ck_assert_int_eq(state_drain_tick(dx.st, dp_now_ns() + 31000000000ULL), 1);
		break;
	case MIP6LB_REHASH_DISABLED:
		ck_assert_int_eq(state_backend_disable(dx.st, "web", "s2", true, err, sizeof(err)),
				 0);
		break;
	case MIP6LB_REHASH_REMOVED:
		ck_assert_int_eq(state_backend_del(dx.st, "web", "s2", err, sizeof(err)), 0);
		break;
	}
	ck_assert_msg(!err[0], "%s", err);
}

START_TEST(test_rehash_reason_state)
{
	static const char *const state_of[MIP6LB_REHASH_MAX] = {
		"down", "drained", "disabled", NULL,
	};
	__u8 before[N], mac[6];
	char src[64];
	int i, on2 = 0, r;

	dfx_apply(&dx, WEB S1 S2 S3);
	dfx_load_prog(&dx);
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:100::%x", i + 1);
		ck_assert_int_eq(dfx_run_udp(&dx, src, VIP, 80, mac), XDP_TX);
		before[i] = mac[5];
		on2 += before[i] == 2;
	}
	ck_assert_int_gt(on2, 0);
	take_out(_i);
	if (state_of[_i])
		ck_assert_str_eq(st_be_state_name(state_backend_state(dx.st, dfx_be(&dx, "web",
										    "s2"))),
				 state_of[_i]);
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:100::%x", i + 1);
		ck_assert_int_eq(dfx_run_udp(&dx, src, VIP, 80, mac), XDP_TX);
		if (before[i] == 2)
			ck_assert_uint_ne(mac[5], 2);
		else
			ck_assert_uint_eq(mac[5], before[i]);
	}
	ck_assert_uint_eq(counter(MIP6LB_CNT_SESSION_REHASH), (__u64)on2);
	for (r = 0; r < MIP6LB_REHASH_MAX; r++)
		ck_assert_msg(counter(MIP6LB_CNT_REHASH_DOWN + r) == (r == _i ? (__u64)on2 : 0),
			      "taken out as %s: session_rehash_%s is %llu", rehash_reason_name(_i),
			      rehash_reason_name(r),
			      (unsigned long long)counter(MIP6LB_CNT_REHASH_DOWN + r));
}
END_TEST

/* Disabled outranks down in `backend list`, and the two lift separately:
 * enabled while still down it says down; up again it is back on the ring
 * for new sessions only. */
START_TEST(test_disabled_precedence)
{
	char err[256];
	__u32 web, s2;

	dfx_apply(&dx, WEB S1 S2 "state = drained\n" S3);
	web = dfx_svc(&dx, "web");
	s2 = dfx_be(&dx, "web", "s2");
	ck_assert_int_eq(state_backend_state(dx.st, s2), ST_BE_DRAINED);
	ck_assert_int_eq(state_backend_set_down(dx.st, s2, true), 0);
	ck_assert_int_eq(state_backend_state(dx.st, s2), ST_BE_DOWN);
	ck_assert_int_eq(state_backend_disable(dx.st, "web", "s2", true, err, sizeof(err)), 0);
	ck_assert_int_eq(state_backend_state(dx.st, s2), ST_BE_DISABLED);
	ck_assert_int_eq(state_backend_set_down(dx.st, s2, false), 0);
	ck_assert_int_eq(state_backend_state(dx.st, s2), ST_BE_DISABLED);
	ck_assert_uint_eq(dfx_ring_count(&dx, web, s2), 0);
	/* Enabling a drained backend leaves it drained: still off the ring. */
	ck_assert_int_eq(state_backend_disable(dx.st, "web", "s2", false, err, sizeof(err)), 0);
	ck_assert_int_eq(state_backend_state(dx.st, s2), ST_BE_DRAINED);
	ck_assert_uint_eq(dfx_ring_count(&dx, web, s2), 0);

	/* Undrained and enabled: active, on the ring, entry ACTIVE without
	 * the reason flags. */
	ck_assert_int_eq(state_backend_drain(dx.st, "web", "s2", false, err, sizeof(err)), 0);
	ck_assert_int_eq(state_backend_disable(dx.st, "web", "s2", true, err, sizeof(err)), 0);
	{
		struct mip6lb_backend v;

		dfx_backend(&dx, s2, &v);
		ck_assert_uint_eq(v.flags & (MIP6LB_BE_ACTIVE | MIP6LB_BE_DISABLED),
				  MIP6LB_BE_DISABLED);
		ck_assert_uint_eq(dfx_ring_count(&dx, web, s2), 0);
		ck_assert_int_eq(state_backend_disable(dx.st, "web", "s2", false, err, sizeof(err)),
				 0);
		dfx_backend(&dx, s2, &v);
		ck_assert_uint_eq(v.flags & (MIP6LB_BE_ACTIVE | MIP6LB_BE_DISABLED |
					     MIP6LB_BE_DOWN | MIP6LB_BE_DRAINED), MIP6LB_BE_ACTIVE);
	}
	ck_assert_int_eq(state_backend_state(dx.st, s2), ST_BE_ACTIVE);
	ck_assert_uint_gt(dfx_ring_count(&dx, web, s2), 0);
	/* Unknown backends are refused. */
	ck_assert_int_eq(state_backend_disable(dx.st, "web", "s9", true, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "backend web/s9: no such backend");
}
END_TEST

MIP6LB_SUITE(rehash, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("rehash");
	TCase *dp = tcase_create("datapath");
	TCase *st = tcase_create("state");

	tcase_add_checked_fixture(dp, dp_setup, dp_teardown);
	tcase_set_timeout(dp, 30);
	tcase_add_loop_test(dp, test_rehash_reason_datapath, 0, sizeof(cases) / sizeof(cases[0]));
	suite_add_tcase(s, dp);

	tcase_add_checked_fixture(st, st_setup, st_teardown);
	tcase_add_unchecked_fixture(st, NULL, dfx_sweep);
	tcase_set_timeout(st, 60);
	tcase_add_loop_test(st, test_rehash_reason_state, 0, MIP6LB_REHASH_MAX);
	tcase_add_test(st, test_disabled_precedence);
	suite_add_tcase(s, st);
	return s;
}
