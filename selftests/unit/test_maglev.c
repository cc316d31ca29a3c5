// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Maglev ring builder: every slot owned, shares within 1% of the weights,
 * placement by name only, and how many sessions a membership change moves
 * when keys are hashed exactly as the datapath hashes them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "harness.h"
#include "mip6lb.h"
#include "hash.h"
#include "maglev.h"
#include "config.h"

#define M        MIP6LB_RING_SIZE
#define MAX_BE   128
#define ID_BASE  1000U
#define N_KEYS   100000

struct beset {
	struct maglev_backend be[MAX_BE];
	char names[MAX_BE][16];
	int n;
};

/* Backend i is named "be-i" and has id ID_BASE + i. */
static void beset_init(struct beset *s, int n, const __u32 *weights)
{
	int i;

	ck_assert_int_le(n, MAX_BE);
	memset(s, 0, sizeof(*s));
	s->n = n;
	for (i = 0; i < n; i++) {
		snprintf(s->names[i], sizeof(s->names[i]), "be-%d", i);
		s->be[i].id = ID_BASE + i;
		s->be[i].name = s->names[i];
		s->be[i].weight = weights ? weights[i] : 1;
	}
}

static __u32 *ring_alloc(void)
{
	__u32 *r = malloc(M * sizeof(*r));

	ck_assert_ptr_nonnull(r);
	return r;
}

static __u32 *build(const struct maglev_backend *be, int n)
{
	__u32 *r = ring_alloc();

	ck_assert_int_eq(maglev_build(be, n, r, M), 0);
	return r;
}

/* Slots per backend index; fails on any slot that is empty or unknown.
 * Hot loops collect and assert once: every ck_assert writes a mark point
 * to Check's pipe, which costs more than the ring build. */
static void count_slots(const __u32 *ring, int n, __u32 *counts)
{
	__u32 s, idx, bad = M;

	memset(counts, 0, n * sizeof(*counts));
	for (s = 0; s < M && bad == M; s++) {
		idx = ring[s] - ID_BASE;
		if (idx < (__u32)n)
			counts[idx]++;
		else
			bad = s;
	}
	ck_assert_msg(bad == M, "slot %u holds unknown id %#x", bad, bad < M ? ring[bad] : 0);
}

START_TEST(test_every_slot_known)
{
	static const __u32 w[] = { 1, 5, 0, 2, 9, 1, 3 };
	struct beset s;
	__u32 counts[7], *ring;

	beset_init(&s, 7, w);
	ring = build(s.be, s.n);
	count_slots(ring, s.n, counts);
	ck_assert_uint_eq(counts[2], 0);
	free(ring);
}
END_TEST

static const int balance_n[] = { 3, 4, 16, 64 };

START_TEST(test_balance_equal)
{
	int n = balance_n[_i], i;
	double ideal = (double)M / n;
	struct beset s;
	__u32 counts[MAX_BE], *ring;

	beset_init(&s, n, NULL);
	ring = build(s.be, s.n);
	count_slots(ring, n, counts);
	for (i = 0; i < n; i++)
		ck_assert_msg(counts[i] >= ideal * 0.99 && counts[i] <= ideal * 1.01,
			      "N=%d: backend %d has %u slots, ideal %.1f", n, i, counts[i], ideal);
	free(ring);
}
END_TEST

/* Backends past the listed weights get `rest`. */
static const struct {
	int n;
	__u32 w[8];
	__u32 rest;
} weight_cases[] = {
	{ 3, { 1, 1, 2 }, 0 },
	{ 4, { 1, 2, 3, 4 }, 0 },
	{ 2, { 1, 100 }, 0 },
	{ 5, { 65535, 1, 300, 7, 65535 }, 0 },
	{ 8, { 10, 10, 10, 10, 10, 10, 10, 30 }, 0 },
	/* One heavy backend among light ones: the light ones' shares are
	 * about one slot each, and rounding must not pile onto the heavy. */
	{ 64, { 65535 }, 1 },
	{ 128, { 1000, 1000 }, 7 },
};

START_TEST(test_balance_weighted)
{
	int n = weight_cases[_i].n, i;
	__u32 w[MAX_BE] = { 0 }, counts[MAX_BE], *ring;
	struct beset s;
	__u64 sum = 0;

	for (i = 0; i < n; i++)
		w[i] = i < 8 && weight_cases[_i].w[i] ? weight_cases[_i].w[i] : weight_cases[_i].rest;
	beset_init(&s, n, w);
	for (i = 0; i < n; i++)
		sum += w[i];
	ring = build(s.be, s.n);
	count_slots(ring, n, counts);
	for (i = 0; i < n; i++) {
		double ideal = (double)M * w[i] / sum;
		/* 1% of the share, but never less than the one slot that
		 * integer rounding alone can cost. */
		double tol = ideal * 0.01 > 1.0 ? ideal * 0.01 : 1.0;
		/* And the apportionment bound from maglev.c. */
		double bound = 0.5 + 0.5 * n * w[i] / sum;

		ck_assert_msg(counts[i] >= ideal - tol && counts[i] <= ideal + tol,
			      "case %d: backend %d (weight %u) has %u slots, ideal %.1f",
			      _i, i, w[i], counts[i], ideal);
		ck_assert_msg(counts[i] >= ideal - bound && counts[i] <= ideal + bound,
			      "case %d: backend %d (weight %u) has %u slots, ideal %.1f +- %.1f",
			      _i, i, w[i], counts[i], ideal, bound);
	}
	free(ring);
}
END_TEST

START_TEST(test_deterministic_and_order_independent)
{
	static const __u32 w[] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3 };
	struct maglev_backend rev[10], renum[10];
	__u32 *a, *b, *c, *d, s;
	struct beset set;
	int i;

	beset_init(&set, 10, w);
	a = build(set.be, set.n);
	b = build(set.be, set.n);
	ck_assert_int_eq(memcmp(a, b, M * sizeof(*a)), 0);

	for (i = 0; i < 10; i++)
		rev[i] = set.be[9 - i];
	c = build(rev, 10);
	ck_assert_int_eq(memcmp(a, c, M * sizeof(*a)), 0);

	/* Same names, other ids: every slot must go to the same name. */
	for (i = 0; i < 10; i++) {
		renum[i] = set.be[(i * 7) % 10];
		renum[i].id = 50 + i;
	}
	d = build(renum, 10);
	for (s = 0; s < M; s++)
		if (strcmp(set.names[a[s] - ID_BASE], renum[d[s] - 50].name))
			break;
	ck_assert_msg(s == M, "slot %u changed owner after renumbering", s);
	free(a);
	free(b);
	free(c);
	free(d);
}
END_TEST

START_TEST(test_weight_zero_absent)
{
	static const __u32 w[] = { 2, 0, 1, 1 };
	struct maglev_backend without[3];
	struct beset s;
	__u32 counts[4], *a, *b;

	beset_init(&s, 4, w);
	a = build(s.be, 4);
	count_slots(a, 4, counts);
	ck_assert_uint_eq(counts[1], 0);

	/* A weight-0 backend must not even perturb the others' placement. */
	without[0] = s.be[0];
	without[1] = s.be[2];
	without[2] = s.be[3];
	b = build(without, 3);
	ck_assert_int_eq(memcmp(a, b, M * sizeof(*a)), 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_empty_set)
{
	static const __u32 zero[3] = { 0, 0, 0 };
	struct beset s;
	__u32 *ring = ring_alloc(), i;
	int n = _i == 0 ? 0 : 3;

	beset_init(&s, n, zero);
	memset(ring, 0x5a, M * sizeof(*ring));
	ck_assert_int_eq(maglev_build(n ? s.be : NULL, n, ring, M), 0);
	for (i = 0; i < M && ring[i] == MAGLEV_EMPTY; i++)
		;
	ck_assert_msg(i == M, "slot %u holds %#x", i, i < M ? ring[i] : 0);
	free(ring);
}
END_TEST

START_TEST(test_small_prime_ring)
{
	struct beset s;
	__u32 ring[13], i, counts[3] = { 0 };

	beset_init(&s, 3, NULL);
	ck_assert_int_eq(maglev_build(s.be, 3, ring, 13), 0);
	for (i = 0; i < 13; i++) {
		ck_assert_uint_lt(ring[i] - ID_BASE, 3);
		counts[ring[i] - ID_BASE]++;
	}
	/* 13 = 5 + 4 + 4: the first name in order takes the odd slot. */
	ck_assert_uint_eq(counts[0], 5);
	ck_assert_uint_eq(counts[1], 4);
	ck_assert_uint_eq(counts[2], 4);
}
END_TEST

enum bad_kind { BAD_NOT_PRIME, BAD_ONE, BAD_DUP_NAME, BAD_NULL_NAME, BAD_EMPTY_ID,
		BAD_TOO_MANY, BAD_NEG_N, BAD_HUGE_RING };

static const struct {
	enum bad_kind kind;
	int err;
} bad_cases[] = {
	{ BAD_NOT_PRIME, -EINVAL },
	{ BAD_ONE, -EINVAL },
	{ BAD_DUP_NAME, -EINVAL },
	{ BAD_NULL_NAME, -EINVAL },
	{ BAD_EMPTY_ID, -EINVAL },
	{ BAD_TOO_MANY, -E2BIG },
	{ BAD_NEG_N, -EINVAL },
	{ BAD_HUGE_RING, -EINVAL },
};

START_TEST(test_bad_input)
{
	__u32 ring[16], size = 13, i;
	struct beset s;
	int n = 3;

	beset_init(&s, 20, NULL);
	switch (bad_cases[_i].kind) {
	case BAD_NOT_PRIME: size = 15; break;
	case BAD_ONE: size = 1; break;
	case BAD_DUP_NAME: s.be[2].name = s.names[0]; break;
	case BAD_NULL_NAME: s.be[1].name = NULL; break;
	case BAD_EMPTY_ID: s.be[1].id = MAGLEV_EMPTY; break;
	case BAD_TOO_MANY: n = 14; break;
	case BAD_NEG_N: n = -1; break;
	/* 2^31 - 1 is prime, but too big for the share arithmetic. */
	case BAD_HUGE_RING: size = 2147483647U; break;
	}
	memset(ring, 0x5a, sizeof(ring));
	ck_assert_int_eq(maglev_build(s.be, n, ring, size), bad_cases[_i].err);
	for (i = 0; i < 16; i++)
		ck_assert_uint_eq(ring[i], 0x5a5a5a5aU);
}
END_TEST

/* ---- churn ----------------------------------------------------------- */

/* Session keys as the datapath builds them for hoa/src identities. */
static __u32 *key_slots(void)
{
	struct mip6lb_session_key key;
	__u32 *slots = malloc(N_KEYS * sizeof(*slots));
	int i;

	ck_assert_ptr_nonnull(slots);
	for (i = 0; i < N_KEYS; i++) {
		memset(&key, 0, sizeof(key));
		key.service_id = 1;
		key.space = MIP6LB_SPACE_ADDR;
		key.id.addr.s6_addr[0] = 0x20;
		key.id.addr.s6_addr[1] = 0x01;
		key.id.addr.s6_addr[2] = 0x0d;
		key.id.addr.s6_addr[3] = 0xb8;
		key.id.addr.s6_addr[12] = (__u8)(i >> 24);
		key.id.addr.s6_addr[13] = (__u8)(i >> 16);
		key.id.addr.s6_addr[14] = (__u8)(i >> 8);
		key.id.addr.s6_addr[15] = (__u8)i;
		slots[i] = mip6lb_ring_slot(&key, config_service_hash_id("web"));
	}
	return slots;
}

/*
 * Maglev is not minimally disruptive: a membership change shifts whose
 * turn it is during the fill, so a few slots change hands between
 * surviving backends too (Eisenbud et al., section 3.4).  Measured on the
 * 65537 ring with this builder, that collateral stays between 0.04% (N=4)
 * and 0.7% (N=256) of the slots for N up to 1024.  We assert collateral
 * <= 1% of keys, and the total moved <= ideal (1/N on removal, 1/(N+1) on
 * addition) + 2%; anything more is a builder regression, e.g. a fill order
 * that depends on something besides the names.
 */
#define COLLATERAL_BOUND 0.01
#define TOTAL_SLACK      0.02

static const int churn_n[] = { 4, 16, 64 };

START_TEST(test_churn_remove)
{
	int n = churn_n[_i], gone = n / 2, i, moved = 0, on_gone = 0, stayed = 0;
	struct maglev_backend less[MAX_BE];
	__u32 *slots = key_slots(), *before, *after;
	struct beset s;
	double frac, collateral, ideal = 1.0 / n;

	beset_init(&s, n, NULL);
	before = build(s.be, n);
	for (i = 0; i < n; i++)
		less[i - (i > gone)] = s.be[i];
	after = build(less, n - 1);

	for (i = 0; i < N_KEYS; i++) {
		__u32 b = before[slots[i]], a = after[slots[i]];

		if (a == s.be[gone].id)
			stayed++;
		if (b == s.be[gone].id)
			on_gone++;
		if (a != b)
			moved++;
	}
	/* Every key of the removed backend moved, and it had some. */
	ck_assert_int_eq(stayed, 0);
	ck_assert_int_gt(on_gone, 0);
	frac = (double)moved / N_KEYS;
	collateral = (double)(moved - on_gone) / N_KEYS;
	printf("maglev: N=%d remove: moved %.2f%% (ideal %.2f%%; removed backend held %.2f%%, "
	       "%.2f%% moved between survivors)\n",
	       n, 100 * frac, 100 * ideal, 100.0 * on_gone / N_KEYS, 100 * collateral);
	fflush(stdout);
	ck_assert_msg(frac <= ideal + TOTAL_SLACK, "N=%d: moved %.4f > %.4f",
		      n, frac, ideal + TOTAL_SLACK);
	ck_assert_msg(collateral <= COLLATERAL_BOUND, "N=%d: %.4f moved between survivors",
		      n, collateral);
	free(slots);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_churn_add)
{
	int n = churn_n[_i], i, moved = 0, to_new = 0, early = 0;
	struct maglev_backend more[MAX_BE];
	__u32 *slots = key_slots(), *before, *after;
	struct beset s;
	double frac, collateral, ideal = 1.0 / (n + 1), share;

	beset_init(&s, n + 1, NULL);
	before = build(s.be, n);
	memcpy(more, s.be, (n + 1) * sizeof(more[0]));
	after = build(more, n + 1);

	for (i = 0; i < N_KEYS; i++) {
		__u32 b = before[slots[i]], a = after[slots[i]];

		if (b == s.be[n].id)
			early++;
		if (a == s.be[n].id)
			to_new++;
		if (a != b)
			moved++;
	}
	ck_assert_int_eq(early, 0);
	frac = (double)moved / N_KEYS;
	share = (double)to_new / N_KEYS;
	collateral = (double)(moved - to_new) / N_KEYS;
	printf("maglev: N=%d add: moved %.2f%% (ideal %.2f%%; new backend took %.2f%%, "
	       "%.2f%% moved between old backends)\n",
	       n, 100 * frac, 100 * ideal, 100 * share, 100 * collateral);
	fflush(stdout);
	ck_assert_msg(frac <= ideal + TOTAL_SLACK, "N=%d: moved %.4f > %.4f",
		      n, frac, ideal + TOTAL_SLACK);
	ck_assert_msg(collateral <= COLLATERAL_BOUND, "N=%d: %.4f moved between old backends",
		      n, collateral);
	/* The newcomer gets its share; 100k keys put the sampling error
	 * under 0.2 points even at N=4. */
	ck_assert_msg(share > ideal - 0.01 && share < ideal + 0.01,
		      "N=%d: new backend took %.4f, ideal %.4f", n, share, ideal);
	free(slots);
	free(before);
	free(after);
}
END_TEST

MIP6LB_SUITE(maglev, 0)
{
	Suite *suite = suite_create("maglev");
	TCase *tc = tcase_create("ring");
	TCase *churn = tcase_create("churn");

	tcase_add_test(tc, test_every_slot_known);
	tcase_add_loop_test(tc, test_balance_equal, 0, sizeof(balance_n) / sizeof(balance_n[0]));
	tcase_add_loop_test(tc, test_balance_weighted, 0,
			    sizeof(weight_cases) / sizeof(weight_cases[0]));
	tcase_add_test(tc, test_deterministic_and_order_independent);
	tcase_add_test(tc, test_weight_zero_absent);
	tcase_add_loop_test(tc, test_empty_set, 0, 2);
	tcase_add_test(tc, test_small_prime_ring);
	tcase_add_loop_test(tc, test_bad_input, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	suite_add_tcase(suite, tc);

	tcase_add_loop_test(churn, test_churn_remove, 0, sizeof(churn_n) / sizeof(churn_n[0]));
	tcase_add_loop_test(churn, test_churn_add, 0, sizeof(churn_n) / sizeof(churn_n[0]));
	suite_add_tcase(suite, churn);
	return suite;
}
