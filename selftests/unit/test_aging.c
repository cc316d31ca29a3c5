// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Session aging with a fake clock over a real LRU hash shaped like the
 * sessions map: what expires, what stays, entries that vanish during a
 * sweep, and a million entries well under a second.
 *
 * The clock is CLOCK_MONOTONIC, which starts near 0 at boot: every rule is
 * also checked with a clock younger than a lifetime, through the daemon's
 * sweep and the bench's in-kernel one (bench_sweep.bpf.c).  No test makes
 * an old timestamp by subtracting from the real clock: that wraps on a
 * freshly booted machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <check.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"
#include "aging.h"
#include "dpmaps.h"

#define SEC 1000000000ULL

static int new_map(__u32 max_entries)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "aging_test",
				sizeof(struct mip6lb_session_key),
				sizeof(struct mip6lb_session), max_entries, NULL);

	ck_assert_msg(fd >= 0, "bpf_map_create: %s", strerror(errno));
	return fd;
}

static void key_n(struct mip6lb_session_key *k, __u32 n)
{
	memset(k, 0, sizeof(*k));
	k->service_id = n % 7;
	k->space = MIP6LB_SPACE_ADDR;
	k->id.addr.s6_addr[0] = 0x20;
	k->id.addr.s6_addr[1] = 0x01;
	memcpy(&k->id.addr.s6_addr[12], &n, 4);
}

static void put(int fd, __u32 n, __u32 lifetime, __u64 last_used)
{
	struct mip6lb_session_key k;
	struct mip6lb_session v = { .backend_id = n, .kind = MIP6LB_KIND_HOA,
				    .lifetime_s = lifetime, .last_used_ns = last_used };

	key_n(&k, n);
	ck_assert_int_eq(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
}

static bool present(int fd, __u32 n)
{
	struct mip6lb_session_key k;
	struct mip6lb_session v;

	key_n(&k, n);
	return !bpf_map_lookup_elem(fd, &k, &v);
}

static long count(int fd)
{
	struct mip6lb_session_key k, next;
	void *prev = NULL;
	long n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

START_TEST(test_aging_fake_clock)
{
	const __u64 now = 100000 * SEC;
	struct aging_result r;
	int fd = new_map(1024);

	put(fd, 1, 10, now - 11 * SEC);          /* idle 11 s of 10: expired */
	put(fd, 2, 10, now - 9 * SEC);           /* idle 9 s: fresh */
	put(fd, 3, 10, now - 10 * SEC);          /* exactly its lifetime: kept */
	put(fd, 4, 0, 0);                        /* lifetime 0: never ages */
	put(fd, 5, 300, now + SEC);              /* touched after our clock: fresh */
	put(fd, 6, 1, 0);                        /* long idle: expired */
	put(fd, 7, 86400, now - 86401 * SEC);    /* a day and a second: expired */

	ck_assert_int_eq(aging_sweep(fd, now, &r), 0);
	ck_assert_int_eq(r.scanned, 7);
	ck_assert_int_eq(r.deleted, 3);
	ck_assert(!present(fd, 1));
	ck_assert(present(fd, 2));
	ck_assert(present(fd, 3));
	ck_assert(present(fd, 4));
	ck_assert(present(fd, 5));
	ck_assert(!present(fd, 6));
	ck_assert(!present(fd, 7));

	/* The clock moves on: the 10 s ones go, lifetime 0 stays forever. */
	ck_assert_int_eq(aging_sweep(fd, now + 1000000 * SEC, &r), 0);
	ck_assert_int_eq(r.scanned, 4);
	ck_assert_int_eq(r.deleted, 3);
	ck_assert(present(fd, 4));
	ck_assert_int_eq(count(fd), 1);

	/* An empty map is a sweep of nothing. */
	ck_assert_int_eq(aging_sweep(fd, now, &r), 0);
	ck_assert_int_eq(r.deleted, 0);
	close(fd);
}
END_TEST

/* Delete every third key behind the sweep's back before saying "expired":
 * the batch delete then meets keys that are gone and must carry on. */
static bool pred_vanish(const struct mip6lb_session_key *key, const struct mip6lb_session *val,
			void *arg)
{
	int fd = *(int *)arg;

	if (val->backend_id % 3 == 0)
		ck_assert_int_eq(bpf_map_delete_elem(fd, key), 0);
	return true;
}

START_TEST(test_aging_entries_vanish_during_sweep)
{
	struct aging_result r;
	int fd = new_map(4096), i;

	for (i = 0; i < 3000; i++)
		put(fd, i, 10, 0);
	ck_assert_int_eq(aging_delete_if(fd, pred_vanish, &fd, &r), 0);
	ck_assert_int_eq(r.scanned, 3000);
	ck_assert_int_eq(r.deleted, 2000);
	ck_assert_int_eq(count(fd), 0);
	close(fd);
}
END_TEST

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

START_TEST(test_aging_million_entries)
{
	enum { N = 1000000, CHUNK = 65536 };
	const __u64 now = 5000 * SEC;
	struct mip6lb_session_key *keys = calloc(CHUNK, sizeof(*keys));
	struct mip6lb_session *vals = calloc(CHUNK, sizeof(*vals));
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct aging_result r;
	struct timespec t0, t1;
	__u32 i, j, n;
	double secs;
	int fd = new_map(2 * N);

	ck_assert_ptr_nonnull(keys);
	ck_assert_ptr_nonnull(vals);
	for (i = 0; i < N; i += n) {
		n = N - i < CHUNK ? N - i : CHUNK;
		for (j = 0; j < n; j++) {
			key_n(&keys[j], i + j);
			/* Even: idle 301 s of 300; odd: idle 299 s. */
			vals[j] = (struct mip6lb_session){
				.backend_id = i + j, .lifetime_s = 300,
				.last_used_ns = now - ((i + j) % 2 ? 299 : 301) * SEC,
			};
		}
		ck_assert_int_eq(bpf_map_update_batch(fd, keys, vals, &n, &opts), 0);
	}
	ck_assert_int_eq(count(fd), N);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(aging_sweep(fd, now, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = elapsed(&t0, &t1);
	printf("aging: %ld entries scanned, %ld deleted in %.3f s\n", r.scanned, r.deleted, secs);
	ck_assert_int_eq(r.scanned, N);
	ck_assert_int_eq(r.deleted, N / 2);
	/* The time is printed for the log, never asserted: speed is the
	 * bench's sweep-1m-ms rows, measured against targets there. */
	ck_assert_int_eq(count(fd), N / 2);
	ck_assert(present(fd, 1));
	ck_assert(!present(fd, 2));
	free(keys);
	free(vals);
	close(fd);
}
END_TEST

START_TEST(test_aging_expired_predicate)
{
	struct mip6lb_session v = { .lifetime_s = 2, .last_used_ns = 10 * SEC };

	ck_assert(!aging_expired(&v, 12 * SEC));
	ck_assert(aging_expired(&v, 12 * SEC + 1));
	ck_assert(!aging_expired(&v, 9 * SEC));
	v.lifetime_s = 0;
	ck_assert(!aging_expired(&v, ~0ULL));
	/* The real clock is the datapath's (CLOCK_MONOTONIC). */
	ck_assert_uint_gt(dp_now_ns(), 0);
}
END_TEST

/* One session, one sweep: does the sweep at now_ns delete it? */
static const struct young_case {
	const char *what;
	__u32 lifetime_s;
	__u64 last_used_ns;
	__u64 now_ns;
	bool expired;
} young_cases[] = {
	{ "clock 0, used at 0, lifetime 300 s", 300, 0, 0, false },
	{ "clock 0, used at 0, lifetime 1 s", 1, 0, 0, false },
	{ "clock 0, used 1 s later (stale clock)", 1, SEC, 0, false },
	{ "clock 5 s, used at 0, lifetime 300 s", 300, 0, 5 * SEC, false },
	{ "clock 5 s, used at 5 s, lifetime 1 s", 1, 5 * SEC, 5 * SEC, false },
	{ "clock 5 s, used at 0, lifetime 1 s: ages", 1, 0, 5 * SEC, true },
	{ "clock 60 s, used at 61 s, lifetime 1 s", 1, 61 * SEC, 60 * SEC, false },
	{ "clock 60 s, used at 61 s, lifetime 300 s", 300, 61 * SEC, 60 * SEC, false },
	{ "clock 60 s, used at 2^64-1 ns", 1, ~0ULL, 60 * SEC, false },
	{ "clock 6 s, used at 1 s, lifetime 5 s: exactly", 5, SEC, 6 * SEC, false },
	{ "clock 6 s + 1 ns, used at 1 s, lifetime 5 s", 5, SEC, 6 * SEC + 1, true },
	{ "clock 300 s, used at 0, lifetime 300 s: exactly", 300, 0, 300 * SEC, false },
	{ "clock 300 s + 1 ns, used at 0, lifetime 300 s", 300, 0, 300 * SEC + 1, true },
	{ "lifetime 0, clock 0", 0, 0, 0, false },
	{ "lifetime 0, clock 2^64-1 ns", 0, 0, ~0ULL, false },
	{ "lifetime 2^32-1 s, clock 2^64-1 ns", ~0U, 0, ~0ULL, true },
};

START_TEST(test_aging_young_clock)
{
	const struct young_case *c = &young_cases[_i];
	struct aging_result r;
	int fd = new_map(16);

	put(fd, 1, c->lifetime_s, c->last_used_ns);
	put(fd, 2, 0, 0);                        /* never ages: the sweep walks on */
	ck_assert_int_eq(aging_sweep(fd, c->now_ns, &r), 0);
	ck_assert_msg(r.scanned == 2 && r.deleted == c->expired,
		      "%s: scanned %ld, deleted %ld", c->what, r.scanned, r.deleted);
	ck_assert_msg(present(fd, 1) == !c->expired, "%s: session %s", c->what,
		      c->expired ? "kept" : "deleted");
	ck_assert(present(fd, 2));
	close(fd);
}
END_TEST

/* The first seconds after boot: sessions last used between 0 and 5 s are
 * all fresh at 5 s, and they expire in the order they were used. */
START_TEST(test_aging_young_clock_sweep)
{
	enum { N = 1000 };
	const __u64 step = 5 * SEC / N;         /* session i last used at i * 5 ms */
	struct aging_result r;
	int fd = new_map(2 * N), i;

	for (i = 0; i < N; i++)
		put(fd, i, 300, i * step);
	ck_assert_int_eq(aging_sweep(fd, 5 * SEC, &r), 0);
	ck_assert_int_eq(r.scanned, N);
	ck_assert_int_eq(r.deleted, 0);
	/* 300 s + 2.5 s: those used before 2.5 s are more than 300 s idle. */
	ck_assert_int_eq(aging_sweep(fd, 300 * SEC + N / 2 * step, &r), 0);
	ck_assert_int_eq(r.deleted, N / 2);      /* the one at 2.5 s is exactly 300 s idle */
	ck_assert(!present(fd, 0));
	ck_assert(!present(fd, N / 2 - 1));
	ck_assert(present(fd, N / 2));
	ck_assert_int_eq(aging_sweep(fd, 305 * SEC, &r), 0);
	ck_assert_int_eq(r.deleted, N / 2);
	ck_assert_int_eq(count(fd), 0);
	close(fd);
}
END_TEST

/* The bench's way of making every session expire, on a machine up for a
 * minute: written as last used now (60 s), swept two lifetimes later. */
START_TEST(test_aging_bench_fill_at_boot)
{
	enum { N = 3000 };
	const __u64 boot_now = 60 * SEC, life = MIP6LB_DEFAULT_LIFETIME;
	struct aging_result r;
	int fd = new_map(2 * N), i;

	for (i = 0; i < N; i++)
		put(fd, i, life, boot_now);
	ck_assert_int_eq(aging_sweep(fd, boot_now, &r), 0);
	ck_assert_int_eq(r.deleted, 0);
	ck_assert_int_eq(aging_sweep(fd, boot_now + 2 * life * SEC, &r), 0);
	ck_assert_int_eq(r.scanned, N);
	ck_assert_int_eq(r.deleted, N);
	close(fd);
}
END_TEST

/* The bench's in-kernel sweep (bench_sweep.bpf.c) keeps the same rule at a
 * young clock: each case, run through it, deletes what aging_sweep does. */
struct sweep_state {
	__u64 now_ns;
	__u64 scanned;
	__u64 deleted;
};

START_TEST(test_aging_bpf_sweep_young_clock)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	struct bpf_object *obj;
	struct bpf_map *m;
	struct sweep_state st;
	__u8 frame[64] = {};
	char path[1024];
	int fd = new_map(16), prog, state;
	__u32 zero = 0;
	size_t i;

	snprintf(path, sizeof(path), "%s/selftests/bench_sweep.bpf.o", harness_build_dir());
	obj = bpf_object__open_file(path, NULL);
	ck_assert_msg(obj, "%s: %s", path, strerror(errno));
	m = bpf_object__find_map_by_name(obj, "sessions");
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(bpf_map__reuse_fd(m, fd), 0);
	ck_assert_int_eq(bpf_object__load(obj), 0);
	prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "bench_sweep"));
	state = bpf_object__find_map_fd_by_name(obj, "sweep_state");
	ck_assert_int_ge(prog, 0);
	ck_assert_int_ge(state, 0);
	o.data_in = frame;
	o.data_size_in = sizeof(frame);
	o.repeat = 1;
	for (i = 0; i < sizeof(young_cases) / sizeof(young_cases[0]); i++) {
		const struct young_case *c = &young_cases[i];

		put(fd, 1, c->lifetime_s, c->last_used_ns);
		st = (struct sweep_state){ .now_ns = c->now_ns };
		ck_assert_int_eq(bpf_map_update_elem(state, &zero, &st, BPF_ANY), 0);
		ck_assert_int_eq(bpf_prog_test_run_opts(prog, &o), 0);
		ck_assert_int_eq(o.retval, 2 /* XDP_PASS */);
		ck_assert_int_eq(bpf_map_lookup_elem(state, &zero, &st), 0);
		ck_assert_msg(st.scanned == 1 && st.deleted == c->expired,
			      "bench_sweep, %s: scanned %llu, deleted %llu", c->what,
			      (unsigned long long)st.scanned, (unsigned long long)st.deleted);
		ck_assert_msg(present(fd, 1) == !c->expired, "bench_sweep, %s", c->what);
		if (!c->expired) {
			struct mip6lb_session_key k;

			key_n(&k, 1);
			ck_assert_int_eq(bpf_map_delete_elem(fd, &k), 0);
		}
	}
	bpf_object__close(obj);
	close(fd);
}
END_TEST

MIP6LB_SUITE(aging, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("aging");
	TCase *tc = tcase_create("aging");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_aging_expired_predicate);
	tcase_add_test(tc, test_aging_fake_clock);
	tcase_add_test(tc, test_aging_entries_vanish_during_sweep);
	tcase_add_test(tc, test_aging_million_entries);
	tcase_add_loop_test(tc, test_aging_young_clock, 0,
			    sizeof(young_cases) / sizeof(young_cases[0]));
	tcase_add_test(tc, test_aging_young_clock_sweep);
	tcase_add_test(tc, test_aging_bench_fill_at_boot);
	tcase_add_test(tc, test_aging_bpf_sweep_young_clock);
	suite_add_tcase(s, tc);
	return s;
}
