// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Session aging with a fake clock over a real LRU hash shaped like the
 * sessions map: what expires, what stays, entries that vanish during a
 * sweep, and a million entries well under a second.
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
	ck_assert_msg(secs < 1.0, "sweeping %d entries took %.3f s", N, secs);
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

MIP6LB_SUITE(aging, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("aging");
	TCase *tc = tcase_create("aging");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_aging_expired_predicate);
	tcase_add_test(tc, test_aging_fake_clock);
	tcase_add_test(tc, test_aging_entries_vanish_during_sweep);
	tcase_add_test(tc, test_aging_million_entries);
	suite_add_tcase(s, tc);
	return s;
}
