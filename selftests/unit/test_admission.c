// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Admission of new identities and sessions that traffic cannot take away,
 * end to end over bpf_prog_test_run (issue 12): the per-CPU budget (into
 * sessions below it; above it on probation, or with probation off
 * forwarded by the ring unrecorded), probation (an identity there enters
 * sessions only when seen again probation_ms after its first packet), a
 * flood of spoofed identities five times the table that leaves every idle
 * session and every coa session where it was, and a node whose sessions
 * all land on one backend when theirs is deleted.
 *
 * No assertion depends on how long anything takes: time is moved by
 * rewriting the values the datapath reads (a probation entry's first
 * sighting, the budget window's start), never by sleeping.
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
#include "dpfixture.h"
#include "names.h"
#include "config.h"
#include "hash.h"
#include "mip6lb.skel.h"

#define VIP      "2001:db8::80"
#define SEC_NS   1000000000ULL

static struct dpf fx;

static const __u32 be3[] = { 0, 1, 2 };

static void setup_sized(__u32 sessions, __u32 probation, __u32 coa)
{
	struct dp_sizes sz = { .sessions = sessions, .probation = probation, .coa = coa };
	struct dpf_service s0 = { .id = 0, .vip = VIP, .eui64_only = -1,
				  .forward = MIP6LB_FWD_L2_DSR, .notify = MIP6LB_NOTIFY_HA };

	dpf_open_sized(&fx, &sz);
	dpf_add_service(&fx, &s0);
	dpf_add_backend(&fx, 0, 0, "2001:db8:1::1");
	dpf_add_backend(&fx, 1, 0, "2001:db8:1::2");
	dpf_add_backend(&fx, 2, 0, "2001:db8:1::3");
	dpf_ring(&fx, 0, be3, NULL, 3);
}

static void setup(void) { setup_sized(DPF_SESSIONS, DPF_SESSIONS, DPF_SESSIONS); }
static void teardown(void) { dpf_close(&fx); }

/* ---- helpers ---- */

static void settings(__u32 new_per_sec, __u32 probation_ms)
{
	struct mip6lb_settings s = { .new_per_sec = new_per_sec, .probation_ms = probation_ms };

	ck_assert_int_eq(dp_settings_write(&fx.maps, &s), 0);
}

/* Start every CPU's one-second budget window now with `spent` of its
 * budget used: the packets that follow are judged against the rest. */
static void window_spent(__u32 spent)
{
	int fd = bpf_map__fd(fx.skel->maps.event_window), ncpu = libbpf_num_possible_cpus(), i;
	struct mip6lb_event_window *w = calloc(ncpu, sizeof(*w));
	__u32 zero = 0;

	ck_assert_ptr_nonnull(w);
	for (i = 0; i < ncpu; i++) {
		w[i].start_ns = dp_now_ns();
		w[i].admitted = spent;
	}
	ck_assert_int_eq(bpf_map_update_elem(fd, &zero, w, BPF_ANY), 0);
	free(w);
}

static void window_now(void) { window_spent(0); }

static void addr_of(char *buf, size_t len, const char *prefix, unsigned int n)
{
	snprintf(buf, len, "%s%x:%x", prefix, n >> 16, n & 0xffff);
}

static void hao_pkt(struct pb *b, const char *coa, const char *hoa)
{
	pb_init(b, coa, VIP); pb_dstopt_hao(b, hoa); pb_udp(b, 40000, 53, 32); pb_finish(b);
}

static void udp_pkt(struct pb *b, const char *src)
{
	pb_init(b, src, VIP); pb_udp(b, 40000, 53, 32); pb_finish(b);
}

static void esp_pkt(struct pb *b, const char *src, __u32 spi)
{
	pb_init(b, src, VIP); pb_esp(b, spi, 48); pb_finish(b);
}

static __u32 forwarded(const struct pb *b)
{
	struct dpf_result r;

	dpf_run(&fx, b, &r);
	ck_assert_msg(r.verdict == XDP_TX, "verdict %d, want XDP_TX", r.verdict);
	ck_assert_uint_ne(r.backend, ~0U);
	return r.backend;
}

/* Many packets: only the verdict, not the per-backend counters. */
static void run_fast(const struct pb *b)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = b->data, .data_size_in = b->len, .repeat = 1);

	ck_assert_int_eq(bpf_prog_test_run_opts(fx.prog_fd, &o), 0);
	ck_assert_uint_eq(o.retval, XDP_TX);
}

static void key_of(struct mip6lb_session_key *k, int kind, const char *id)
{
	memset(k, 0, sizeof(*k));
	k->service_id = 0;
	ck_assert_int_eq(identity_parse(kind, id, k), 0);
}

/* The backend service 0's ring gives a hash. */
static __u32 ring_at(__u32 hash)
{
	__u32 idx = hash % MIP6LB_RING_SIZE, be;

	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.rings, &idx, &be), 0);
	return be;
}

static int in_map(int fd, int kind, const char *id, struct mip6lb_session *v)
{
	struct mip6lb_session_key k;

	key_of(&k, kind, id);
	return bpf_map_lookup_elem(fd, &k, v) ? -errno : 0;
}

/* ---- the budget ---- */

/* Within new_per_sec a new identity is recorded; above it, it still goes
 * where the ring sends it, unrecorded and counted, until the next second. */
START_TEST(test_budget_records_below_forwards_above)
{
	enum { BUDGET = 3, N = 6 };
	struct mip6lb_session_key k;
	struct mip6lb_session v;
	char hoa[64];
	struct pb b;
	int i;

	settings(BUDGET, 0);
	window_now();
	for (i = 0; i < N; i++) {
		addr_of(hoa, sizeof(hoa), "2001:db8:100::", i + 1);
		hao_pkt(&b, "2001:db8:a::1", hoa);
		key_of(&k, MIP6LB_KIND_HOA, hoa);
		ck_assert_uint_eq(forwarded(&b), ring_at(dpf_hash(&fx, &k)));
		ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_HOA, hoa, &v),
				 i < BUDGET ? 0 : -ENOENT);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), N);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_UNRECORDED), N - BUDGET);
	ck_assert_int_eq(dpf_session_count(&fx), BUDGET);
	/* No event for what was not recorded (events are off here anyway:
	 * neither sent nor dropped). */
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_EVENT_DROPPED), 0);

	/* Still this second: the recorded ones hit, the others stay unrecorded. */
	for (i = 0; i < N; i++) {
		addr_of(hoa, sizeof(hoa), "2001:db8:100::", i + 1);
		hao_pkt(&b, "2001:db8:a::1", hoa);
		forwarded(&b);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT), BUDGET);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_UNRECORDED), 2 * (N - BUDGET));

	/* The next second: room again. */
	window_now();
	addr_of(hoa, sizeof(hoa), "2001:db8:100::", N);
	hao_pkt(&b, "2001:db8:a::1", hoa);
	forwarded(&b);
	ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_HOA, hoa, &v), 0);
	ck_assert_int_eq(dpf_session_count(&fx), BUDGET + 1);

	/* 0 is no limit. */
	settings(0, 0);
	for (i = 0; i < N; i++) {
		addr_of(hoa, sizeof(hoa), "2001:db8:101::", i + 1);
		hao_pkt(&b, "2001:db8:a::1", hoa);
		forwarded(&b);
	}
	ck_assert_int_eq(dpf_session_count(&fx), BUDGET + 1 + N);
}
END_TEST

/* ---- probation ---- */

/* Make the probation entry at (kind, id) look first seen `ago` ns ago. */
static void age_probation(int kind, const char *id, __u64 ago)
{
	struct mip6lb_session_key k;
	struct mip6lb_session v;

	key_of(&k, kind, id);
	ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.probation, &k, &v), 0);
	v.last_used_ns -= ago;
	ck_assert_int_eq(bpf_map_update_elem(fx.maps.probation, &k, &v, BPF_EXIST), 0);
}

START_TEST(test_probation_then_admitted)
{
	const char *hoa = "2001:db8:100::7", *coa = "2001:db8:a::9f3c:12aa:7d01:e2c4";
	struct mip6lb_session v;
	struct pb b;
	__u32 be;

	/* Over the budget: on probation. */
	settings(1, 1000);
	window_spent(1);
	hao_pkt(&b, coa, hoa);
	be = forwarded(&b);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_UNRECORDED), 0);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PROBATION_NEW), 1);
	ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_HOA, hoa, &v), -ENOENT);
	ck_assert_int_eq(in_map(fx.maps.probation, MIP6LB_KIND_HOA, hoa, &v), 0);
	ck_assert_uint_eq(v.flags, MIP6LB_SESS_PROBATION);
	ck_assert_uint_eq(v.backend_id, be);
	/* session list sees it (dp_sessions_foreach covers probation). */
	ck_assert_int_eq(dpf_session_count(&fx), 1);

	/* Again at once: the probation entry decides, nothing moves. */
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PROBATION_HIT), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT), 0);
	ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_HOA, hoa, &v), -ENOENT);

	/* A probation period later, but the budget still spent: it stays. */
	age_probation(MIP6LB_KIND_HOA, hoa, 1001 * 1000000ULL);
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PROBATION_HIT), 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PROBATION_PASSED), 0);
	ck_assert_int_eq(in_map(fx.maps.probation, MIP6LB_KIND_HOA, hoa, &v), 0);

	/* The next second: seen again, admitted. */
	window_now();
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PROBATION_PASSED), 1);
	ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_HOA, hoa, &v), 0);
	ck_assert_uint_eq(v.flags, 0);
	ck_assert_uint_eq(v.backend_id, be);
	ck_assert_uint_eq(v.kind, MIP6LB_KIND_HOA);
	ck_assert_int_eq(in_map(fx.maps.probation, MIP6LB_KIND_HOA, hoa, &v), -ENOENT);
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT), 1);
	ck_assert_int_eq(dpf_session_count(&fx), 1);
}
END_TEST

/* A session keyed by SPI goes through probation with its address alias,
 * and both are admitted together. */
START_TEST(test_probation_spi_and_alias)
{
	const char *coa = "2001:db8:a::9f3c:12aa:7d01:e2c4";
	struct mip6lb_session v;
	struct pb b;
	__u32 be;

	settings(1, 1000);
	window_spent(1);
	esp_pkt(&b, coa, 0x51);
	be = forwarded(&b);
	ck_assert_int_eq(in_map(fx.maps.probation, MIP6LB_KIND_SPI, "0x51", &v), 0);
	ck_assert_int_eq(in_map(fx.maps.probation, MIP6LB_KIND_SRC, coa, &v), 0);
	ck_assert_uint_eq(v.backend_id, be);
	ck_assert_int_eq(dpf_session_count(&fx), 2);

	age_probation(MIP6LB_KIND_SPI, "0x51", 2 * SEC_NS);
	window_now();
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_SPI, "0x51", &v), 0);
	ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_SRC, coa, &v), 0);
	ck_assert_uint_eq(v.kind, MIP6LB_KIND_SRC);
	ck_assert_uint_eq(v.backend_id, be);
	ck_assert_int_eq(in_map(fx.maps.probation, MIP6LB_KIND_SRC, coa, &v), -ENOENT);
	ck_assert_int_eq(dpf_session_count(&fx), 2);
	/* A plain packet from the address finds the admitted alias. */
	udp_pkt(&b, coa);
	ck_assert_uint_eq(forwarded(&b), be);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT), 1);
}
END_TEST

/* Within the budget a new identity goes straight into sessions, probation
 * or not: a node that sends one packet and goes quiet keeps its session
 * for its lifetime, whatever comes after it. */
START_TEST(test_within_budget_straight_to_sessions)
{
	struct mip6lb_session v;
	struct pb b;

	settings(CFG_NEW_PER_SEC, CFG_PROBATION_MS);
	window_now();
	udp_pkt(&b, "2001:db8:e::1");
	forwarded(&b);
	ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_SRC, "2001:db8:e::1", &v), 0);
	ck_assert_uint_eq(v.flags, 0);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PROBATION_NEW), 0);
	ck_assert_int_eq(dpf_session_count(&fx), 1);
}
END_TEST

/* A known source naming a new home address (a forged HAO, or a node that
 * sent plainly first): the home address inherits the backend, but as a new
 * key it goes through the budget and probation like any other. */
START_TEST(test_promotion_goes_through_admission)
{
	const char *coa = "2001:db8:a::9f3c:12aa:7d01:e2c4";
	struct mip6lb_session v;
	char hoa[64];
	struct pb b;
	__u32 be;
	int i;

	udp_pkt(&b, coa);                 /* established (no admission yet) */
	be = forwarded(&b);
	settings(2, 1000);
	window_now();
	for (i = 0; i < 4; i++) {
		addr_of(hoa, sizeof(hoa), "2001:db8:100::", i + 1);
		hao_pkt(&b, coa, hoa);
		ck_assert_uint_eq(forwarded(&b), be);
		ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_HOA, hoa, &v),
				 i < 2 ? 0 : -ENOENT);
		ck_assert_int_eq(in_map(fx.maps.probation, MIP6LB_KIND_HOA, hoa, &v),
				 i < 2 ? -ENOENT : 0);
		ck_assert_uint_eq(v.backend_id, be);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_PROMOTED), 4);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_PROBATION_NEW), 2);
	/* Probation off: over the budget, not recorded. */
	settings(2, 0);
	window_now();
	for (i = 4; i < 8; i++) {
		addr_of(hoa, sizeof(hoa), "2001:db8:100::", i + 1);
		hao_pkt(&b, coa, hoa);
		ck_assert_uint_eq(forwarded(&b), be);
		ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_HOA, hoa, &v),
				 i < 6 ? 0 : -ENOENT);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_PROMOTED), 6);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_UNRECORDED), 2);
}
END_TEST

/* ---- a flood of spoofed identities ---- */

enum { FL_SESSIONS = 1024, FL_PROBATION = 256, FL_COA = 256 };
enum { FL_HOA = 200, FL_SRC = 100, FL_COAS = 100, FL_SPOOF = 5 * FL_SESSIONS };

struct flood_case {
	const char *name;
	__u32 new_per_sec, probation_ms;
	bool table_fills;                /* the flood fills sessions */
	bool probation;                  /* ... and the rest goes on probation */
};

static const struct flood_case flood_cases[] = {
	{ "defaults", CFG_NEW_PER_SEC, CFG_PROBATION_MS, true, true },
	{ "budget 200, probation", 200, 1000, false, true },
	{ "no admission", 0, 0, true, false },
};

static void flood_setup(void) { setup_sized(FL_SESSIONS, FL_PROBATION, FL_COA); }

/*
 * 200 home addresses and 100 plain sources with sessions, 100 coa sessions
 * (as the daemon writes them, on their home address's backend), all idle;
 * a backend added (the ring changes, so a lost session would come back
 * elsewhere); then 5 x 1024 spoofed home addresses, each sent twice, and a
 * new node in the middle of it.  Every session is still there, untouched,
 * and each node still reaches its backend; the new node reached the ring's.
 */
START_TEST(test_flood_keeps_sessions)
{
	const struct flood_case *fc = &flood_cases[_i];
	static const __u32 be4[] = { 0, 1, 2, 3 };
	static struct mip6lb_session_key keys[FL_HOA + FL_SRC + FL_COAS];
	static struct mip6lb_session vals[FL_HOA + FL_SRC + FL_COAS];
	struct mip6lb_session_key k;
	struct mip6lb_session v;
	char a[64], h[64];
	struct pb b;
	int i, n = 0;
	__u32 be;

	/* The legitimate nodes arrive under the case's settings, a hundred a
	 * second (each batch in a new budget window); each sends one packet. */
	settings(fc->new_per_sec, fc->probation_ms);
	for (i = 0; i < FL_HOA + FL_SRC; i++) {
		if (i % 100 == 0)
			window_now();
		if (i < FL_HOA) {
			addr_of(a, sizeof(a), "2001:db8:100::", i + 1);
			hao_pkt(&b, "2001:db8:a::1", a);
			key_of(&keys[n], MIP6LB_KIND_HOA, a);
		} else {
			addr_of(a, sizeof(a), "2001:db8:e::", i + 1);
			udp_pkt(&b, a);
			key_of(&keys[n], MIP6LB_KIND_SRC, a);
		}
		forwarded(&b);
		ck_assert_int_eq(bpf_map_lookup_elem(fx.maps.sessions, &keys[n], &vals[n]), 0);
		n++;
	}
	for (i = 0; i < FL_COAS; i++) {
		addr_of(a, sizeof(a), "2001:db8:c::", i + 1);
		key_of(&keys[n], MIP6LB_KIND_COA, a);
		vals[n] = vals[i];                   /* node i's backend and anchor */
		vals[n].kind = MIP6LB_KIND_COA;
		vals[n].lifetime_s = 600;
		ck_assert_int_eq(bpf_map_update_elem(fx.maps.coa_sessions, &keys[n], &vals[n],
						     BPF_NOEXIST), 0);
		n++;
	}
	dpf_add_backend(&fx, 3, 0, "2001:db8:1::4");
	dpf_ring(&fx, 0, be4, NULL, 4);

	window_now();
	for (i = 0; i < FL_SPOOF; i++) {
		addr_of(h, sizeof(h), "2001:db8:100:5::", i + 1);
		addr_of(a, sizeof(a), "2001:db8:f::", i + 1);
		hao_pkt(&b, a, h);
		run_fast(&b);
		run_fast(&b);
		if (i == FL_SPOOF / 2) {
			hao_pkt(&b, "2001:db8:a::2", "2001:db8:100:6::1");
			key_of(&k, MIP6LB_KIND_HOA, "2001:db8:100:6::1");
			ck_assert_uint_eq(forwarded(&b), ring_at(dpf_hash(&fx, &k)));
		}
	}
	ck_assert_int_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_TABLE_FULL) > 0, fc->table_fills);
	ck_assert_int_eq(dpf_counter(&fx, MIP6LB_CNT_PROBATION_NEW) > 0, fc->probation);

	/* Every session is where it was, byte for byte (none was touched). */
	for (i = 0; i < n; i++) {
		int fd = i < FL_HOA + FL_SRC ? fx.maps.sessions : fx.maps.coa_sessions;

		ck_assert_msg(bpf_map_lookup_elem(fd, &keys[i], &v) == 0,
			      "session %d of %d lost to the flood (%s)", i, n, fc->name);
		ck_assert_mem_eq(&v, &vals[i], sizeof(v));
	}
	/* And every node still reaches it. */
	for (i = 0; i < n; i++) {
		inet_ntop(AF_INET6, &keys[i].id.addr, a, sizeof(a));
		if (i < FL_HOA)
			hao_pkt(&b, "2001:db8:a::3", a);
		else
			udp_pkt(&b, a);
		be = forwarded(&b);
		ck_assert_uint_eq(be, vals[i].backend_id);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_COA), FL_COAS);
	printf("admission (%s): %d idle sessions and %d coa sessions kept under %d spoofed "
	       "identities x2 (sessions %u slots): probation_new %llu, unrecorded %llu, "
	       "table_full %llu\n", fc->name, FL_HOA + FL_SRC, FL_COAS, FL_SPOOF, FL_SESSIONS,
	       (unsigned long long)dpf_counter(&fx, MIP6LB_CNT_PROBATION_NEW),
	       (unsigned long long)dpf_counter(&fx, MIP6LB_CNT_SESSION_UNRECORDED),
	       (unsigned long long)dpf_counter(&fx, MIP6LB_CNT_SESSION_TABLE_FULL));
}
END_TEST

/* ---- a node moves as one ---- */

/*
 * A node known by an SPI (from CoA A, with its address alias), then by its
 * home address (promoted from the alias), and at CoA B by a coa session the
 * daemon writes with the node's anchor.  Its backend is deleted: every one
 * of its sessions re-hashes onto the same new backend, the one the ring
 * gives its anchor, including nodes whose keys, hashed one by one, would
 * have been split across backends.
 */
START_TEST(test_node_moves_as_one)
{
	static const __u32 be02[] = { 0, 2 };
	enum { NODES = 24 };
	char hoa[NODES][64], coa_a[NODES][64], coa_b[NODES][64], spi[NODES][16];
	__u32 anchor[NODES];
	struct mip6lb_session_key k;
	struct mip6lb_session v;
	int i, n = 0, would_split = 0, tries;
	struct pb b;
	__u32 be;

	for (tries = 0; n < NODES && tries < 2000; tries++) {
		addr_of(hoa[n], sizeof(hoa[n]), "2001:db8:100::", tries + 1);
		addr_of(coa_a[n], sizeof(coa_a[n]), "2001:db8:a::", tries + 1);
		addr_of(coa_b[n], sizeof(coa_b[n]), "2001:db8:b::", tries + 1);
		snprintf(spi[n], sizeof(spi[n]), "0x%x", 0x1000 + tries);
		esp_pkt(&b, coa_a[n], 0x1000 + tries);
		be = forwarded(&b);
		if (be != 1)
			continue;                    /* only nodes on backend 1 */
		hao_pkt(&b, coa_a[n], hoa[n]);
		ck_assert_uint_eq(forwarded(&b), 1);
		ck_assert_int_eq(in_map(fx.maps.sessions, MIP6LB_KIND_HOA, hoa[n], &v), 0);
		anchor[n] = v.flow_hash;
		key_of(&k, MIP6LB_KIND_SPI, spi[n]);
		ck_assert_uint_eq(anchor[n], dpf_hash(&fx, &k));
		/* What notify_write_coa_anchored() writes. */
		v.kind = MIP6LB_KIND_COA;
		key_of(&k, MIP6LB_KIND_COA, coa_b[n]);
		ck_assert_int_eq(bpf_map_update_elem(fx.maps.coa_sessions, &k, &v, BPF_ANY), 0);
		n++;
	}
	ck_assert_int_eq(n, NODES);

	ck_assert_int_eq(dp_backend_clear(&fx.maps, 1), 0);
	dpf_ring(&fx, 0, be02, NULL, 2);
	for (i = 0; i < n; i++) {
		__u32 want = ring_at(anchor[i]), own[4];
		const int kinds[4] = { MIP6LB_KIND_SPI, MIP6LB_KIND_SRC, MIP6LB_KIND_HOA,
				       MIP6LB_KIND_COA };
		const char *ids[4] = { spi[i], coa_a[i], hoa[i], coa_b[i] };
		int j;

		for (j = 0; j < 4; j++) {
			key_of(&k, kinds[j], ids[j]);
			own[j] = ring_at(dpf_hash(&fx, &k));
			switch (kinds[j]) {
			case MIP6LB_KIND_SPI:
				esp_pkt(&b, coa_a[i], strtoul(spi[i], NULL, 16));
				break;
			case MIP6LB_KIND_SRC:
			case MIP6LB_KIND_COA:
				udp_pkt(&b, ids[j]);
				break;
			default:
				hao_pkt(&b, coa_a[i], hoa[i]);
			}
			be = forwarded(&b);
			ck_assert_msg(be == want, "node %d: its %s session went to %u, its "
				      "anchor's backend is %u", i, kind_name(kinds[j]), be, want);
		}
		if (own[0] != own[1] || own[0] != own[2] || own[0] != own[3])
			would_split++;
	}
	/* Each of a node's sessions re-hashed once, in place. */
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_REHASH), 4 * NODES);
	/* Without the anchor, some nodes would have been split. */
	ck_assert_int_gt(would_split, 0);
	printf("admission: %d of %d nodes would have been split by per-key re-hashing; all "
	       "moved as one\n", would_split, NODES);
}
END_TEST

MIP6LB_SUITE(admission, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("admission");
	TCase *bud = tcase_create("budget");
	TCase *pro = tcase_create("probation");
	TCase *fl = tcase_create("flood");
	TCase *mv = tcase_create("move");

	tcase_add_checked_fixture(bud, setup, teardown);
	tcase_add_checked_fixture(pro, setup, teardown);
	tcase_add_checked_fixture(fl, flood_setup, teardown);
	tcase_add_checked_fixture(mv, setup, teardown);
	tcase_set_timeout(fl, 120);
	tcase_add_test(bud, test_budget_records_below_forwards_above);
	tcase_add_test(pro, test_within_budget_straight_to_sessions);
	tcase_add_test(pro, test_probation_then_admitted);
	tcase_add_test(pro, test_probation_spi_and_alias);
	tcase_add_test(pro, test_promotion_goes_through_admission);
	tcase_add_loop_test(fl, test_flood_keeps_sessions, 0,
			    sizeof(flood_cases) / sizeof(flood_cases[0]));
	tcase_add_test(mv, test_node_moves_as_one);
	suite_add_tcase(s, bud);
	suite_add_tcase(s, pro);
	suite_add_tcase(s, fl);
	suite_add_tcase(s, mv);
	return s;
}
