// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * admission_rows.c - what admission control keeps and what inserting
 * costs when both CPUs do it (issue 12), through the real program with
 * bpf_prog_test_run and the bench wrapper (a new identity per iteration):
 *
 *   flood-kept   the share of idle sessions (home addresses made by the
 *                program's own first packets, and coa sessions as the
 *                daemon writes them) still there, on the same backend,
 *                after a backend is added and 5 x the table's size of
 *                spoofed home addresses is sent twice; with the daemon's
 *                default admission, and with none (probation and budget 0).
 *   insert-2cpu  new identities recorded per second with two threads, each
 *                pinned to its CPU, inserting distinct identities into the
 *                shared tables at once, against one CPU alone; straight
 *                into sessions (within the budget, the default path: a
 *                plain hash, a lock per bucket) and on probation (over the
 *                budget: an LRU with per-CPU lists).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "mip6lb.skel.h"
#include "bench.h"
#include "bench_bpf.h"
#include "config.h"
#include "hash.h"
#include "pktbuild.h"

#define VIP         "2001:db8::80"
#define COA_SRC     "2001:db8:a::1"
#define HOA_LEGIT   "2001:db8:900::"     /* + a 32-bit number */
#define HOA_SPOOF   "2001:db8:800::"
#define COA_LEGIT   "2001:db8:c::"
#define HOA_INSERT  "2001:db8:a00::"
#define HAO_WORD_OFF (14 + 40 + 8 + 12)  /* as in dp.c */
#define RESTORE_LEN 64

static struct bench_dp dp;
static struct bpf_object *wrap_obj;
static int wrap_fd, wrap_cfg_fd, wrap_iter_fd, wrap_progs_fd;

static void hao_pkt(struct pb *b, const char *coa, const char *hoa)
{
	pb_init(b, coa, VIP);
	pb_dstopt_hao(b, hoa);
	pb_tcp(b, 40000, 443);
	pb_finish(b);
}

static void addr_n(char *buf, size_t len, const char *prefix, __u32 n)
{
	snprintf(buf, len, "%s%x:%x", prefix, n >> 16, n & 0xffff);
}

static void settings(__u32 new_per_sec, __u32 probation_ms)
{
	struct mip6lb_settings s = {
		.events_per_sec = 1000, .new_per_sec = new_per_sec, .probation_ms = probation_ms,
	};

	if (dp_settings_write(&dp.maps, &s))
		bench_fail("settings: %s", strerror(errno));
}

/* Every CPU's budget window restarted now and spent (budget 1): what
 * follows within the second is over the budget. */
static void budget_spent(void)
{
	int fd = bpf_map__fd(dp.skel->maps.event_window), ncpu = libbpf_num_possible_cpus(), i;
	struct mip6lb_event_window *w = calloc(ncpu, sizeof(*w));
	__u32 zero = 0;

	if (!w)
		bench_fail("out of memory");
	for (i = 0; i < ncpu; i++) {
		w[i].start_ns = dp_now_ns();
		w[i].admitted = 1;
	}
	if (bpf_map_update_elem(fd, &zero, w, BPF_ANY))
		bench_fail("event_window: %s", strerror(errno));
	free(w);
}

static int open_dp(__u32 sessions)
{
	__u32 slot = BENCH_SLOT_DP, fd;
	int err = bench_dp_open(&dp, sessions);

	if (err)
		return err;
	err = bench_dp_service(&dp, 0, VIP, MIP6LB_FWD_L2_DSR, 0, 4, 1);
	if (!err)
		err = bench_dp_notify(&dp, 0, MIP6LB_NOTIFY_HA);
	if (err)
		return err;
	wrap_obj = bench_obj_load("bench_wrap");
	if (!wrap_obj)
		return -errno;
	wrap_fd = bpf_program__fd(bpf_object__find_program_by_name(wrap_obj, "bench_wrap"));
	wrap_cfg_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_cfg");
	wrap_iter_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_iter");
	wrap_progs_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_progs");
	fd = dp.prog_fd;
	if (bpf_map_update_elem(wrap_progs_fd, &slot, &fd, BPF_ANY))
		return -errno;
	return 0;
}

static void close_dp(void)
{
	bpf_object__close(wrap_obj);
	wrap_obj = NULL;
	bench_dp_close(&dp);
}

/* The wrapper writes the HAO's last word from its per-CPU iteration
 * counter: start CPU c's counter at base[c]. */
static void wrap_setup(const struct pb *pkt, const __u64 *base)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 *v = calloc(ncpu, sizeof(*v));
	struct bench_wrap_cfg cfg = {};
	__u32 zero = 0;

	cfg.orig_len = pkt->len;
	cfg.restore_len = pkt->len < RESTORE_LEN ? pkt->len : RESTORE_LEN;
	cfg.id_off = HAO_WORD_OFF;
	cfg.flags = BENCH_ID_VARY;
	cfg.slot = BENCH_SLOT_DP;
	memcpy(cfg.tmpl, pkt->data, cfg.restore_len);
	if (!v)
		bench_fail("out of memory");
	for (i = 0; i < ncpu; i++)
		v[i] = base[i < 2 ? i : 1];
	if (bpf_map_update_elem(wrap_cfg_fd, &zero, &cfg, BPF_ANY) ||
	    bpf_map_update_elem(wrap_iter_fd, &zero, v, BPF_ANY))
		bench_fail("wrapper config: %s", strerror(errno));
	free(v);
}

static void run_wrapped(const struct pb *pkt, __u32 repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt->data, .data_size_in = pkt->len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(wrap_fd, &o))
		bench_fail("test_run: %s", strerror(errno));
	if (o.retval != XDP_TX)
		bench_fail("test_run: verdict %u, want XDP_TX", o.retval);
}

static __u64 counter(int idx)
{
	struct mip6lb_counter_val c[MIP6LB_CNT_MAX];

	if (dp_counters_read(&dp.maps, c))
		bench_fail("counters: %s", strerror(errno));
	return c[idx].packets;
}

/* ---- flood-kept ---------------------------------------------------------- */

static void flood_kept(const char *mode, __u32 table, __u32 new_per_sec, __u32 probation_ms)
{
	static const __u64 zero_base[2] = { 0, 0 };
	__u32 legit = table / 2, coas = table / 16, i, kept = 0, n;
	struct mip6lb_session_key *keys;
	struct mip6lb_session *vals, v;
	__u64 pnew, unrec, full, t0;
	struct bench_row *row;
	char a[64];
	struct pb b;
	int err;

	err = open_dp(table);
	if (err) {
		row_null("flood-kept", mode, "share", "could not set up the datapath: %s",
			 strerror(-err));
		return;
	}
	keys = calloc(legit + coas, sizeof(*keys));
	vals = calloc(legit + coas, sizeof(*vals));
	if (!keys || !vals)
		bench_fail("out of memory");

	/* The legitimate nodes' first packets, recorded as before admission
	 * existed (all-zero settings), then left idle. */
	settings(0, 0);
	for (i = 0; i < legit; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .repeat = 1);

		addr_n(a, sizeof(a), HOA_LEGIT, i + 1);
		hao_pkt(&b, COA_SRC, a);
		o.data_in = b.data;
		o.data_size_in = b.len;
		if (bpf_prog_test_run_opts(dp.prog_fd, &o) || o.retval != XDP_TX)
			bench_fail("flood-kept: a legitimate node's packet was not forwarded");
		memset(&keys[i], 0, sizeof(keys[i]));
		keys[i].space = MIP6LB_SPACE_ADDR;
		inet_pton(AF_INET6, a, &keys[i].id.addr);
		if (bpf_map_lookup_elem(dp.maps.sessions, &keys[i], &vals[i]))
			bench_fail("flood-kept: no session for %s", a);
	}
	for (n = legit, i = 0; i < coas; i++, n++) {
		memset(&keys[n], 0, sizeof(keys[n]));
		keys[n].space = MIP6LB_SPACE_ADDR;
		addr_n(a, sizeof(a), COA_LEGIT, i + 1);
		inet_pton(AF_INET6, a, &keys[n].id.addr);
		vals[n] = vals[i];
		vals[n].kind = MIP6LB_KIND_COA;
		if (bpf_map_update_elem(dp.maps.coa_sessions, &keys[n], &vals[n], BPF_NOEXIST))
			bench_fail("flood-kept: coa session: %s", strerror(errno));
	}
	/* A backend added before the flood: a lost session would come back
	 * on the ring elsewhere, not where its node is. */
	if (bench_dp_service(&dp, 0, VIP, MIP6LB_FWD_L2_DSR, 0, 5, 1) ||
	    bench_dp_notify(&dp, 0, MIP6LB_NOTIFY_HA))
		bench_fail("flood-kept: add a backend");

	settings(new_per_sec, probation_ms);
	pnew = counter(MIP6LB_CNT_PROBATION_NEW);
	unrec = counter(MIP6LB_CNT_SESSION_UNRECORDED);
	full = counter(MIP6LB_CNT_SESSION_TABLE_FULL);
	hao_pkt(&b, COA_SRC, HOA_SPOOF);
	t0 = bench_now_ns();
	for (i = 0; i < 2; i++) {             /* each spoofed identity twice */
		wrap_setup(&b, zero_base);
		run_wrapped(&b, 5 * table);
	}
	t0 = bench_now_ns() - t0;

	for (i = 0; i < n; i++) {
		int fd = i < legit ? dp.maps.sessions : dp.maps.coa_sessions;

		if (!bpf_map_lookup_elem(fd, &keys[i], &v) && v.backend_id == vals[i].backend_id)
			kept++;
	}
	row = row_add("flood-kept", mode);
	row_set_value(row, (double)kept / n, "share");
	row_set_target(row, 1.0, true);
	row_extra_int(row, "table", table);
	row_extra_int(row, "idle_sessions", legit);
	row_extra_int(row, "coa_sessions", coas);
	row_extra_int(row, "spoofed", 5 * table);
	row_extra_int(row, "packets", 10 * table);
	row_extra_int(row, "probation_new", counter(MIP6LB_CNT_PROBATION_NEW) - pnew);
	row_extra_int(row, "unrecorded", counter(MIP6LB_CNT_SESSION_UNRECORDED) - unrec);
	row_extra_int(row, "table_full", counter(MIP6LB_CNT_SESSION_TABLE_FULL) - full);
	row_extra_double(row, "flood_ns_per_pkt", (double)t0 / (10.0 * table));
	bench_log("flood-kept %-12s %u of %u idle sessions kept under %u spoofed x2",
		  mode, kept, n, 5 * table);
	free(keys);
	free(vals);
	close_dp();
}

/* ---- insert-2cpu --------------------------------------------------------- */

struct inserter {
	int cpu;
	const struct pb *pkt;
	__u32 repeat;
	pthread_barrier_t *go;
	int err;
};

static void *insert_thread(void *arg)
{
	struct inserter *t = arg;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = t->pkt->data,
		    .data_size_in = t->pkt->len, .repeat = t->repeat);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	t->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	pthread_barrier_wait(t->go);
	if (!t->err && bpf_prog_test_run_opts(wrap_fd, &o))
		t->err = errno;
	if (!t->err && o.retval != XDP_TX)
		t->err = EPROTO;
	return NULL;
}

/* Records per second with n threads (one per CPU), each inserting repeat
 * distinct identities. */
static bool over_budget;

static double insert_rate(int n, __u32 repeat, __u64 first)
{
	__u64 base[2] = { first, first + (1ULL << 30) };
	struct inserter t[2];
	pthread_barrier_t go;
	pthread_t th[2];
	struct pb b;
	__u64 t0, dt, new0;
	int i;

	hao_pkt(&b, COA_SRC, HOA_INSERT);
	wrap_setup(&b, base);
	if (over_budget)
		budget_spent();
	pthread_barrier_init(&go, NULL, n + 1);
	new0 = counter(MIP6LB_CNT_SESSION_NEW);
	for (i = 0; i < n; i++) {
		t[i] = (struct inserter){ .cpu = i, .pkt = &b, .repeat = repeat, .go = &go };
		if (pthread_create(&th[i], NULL, insert_thread, &t[i]))
			bench_fail("insert-2cpu: pthread_create");
	}
	pthread_barrier_wait(&go);
	t0 = bench_now_ns();
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	dt = bench_now_ns() - t0;
	pthread_barrier_destroy(&go);
	for (i = 0; i < n; i++)
		if (t[i].err)
			bench_fail("insert-2cpu: thread on CPU %d: %s", i, strerror(t[i].err));
	if (counter(MIP6LB_CNT_SESSION_NEW) - new0 != (__u64)n * repeat)
		bench_fail("insert-2cpu: %llu new sessions, want %llu",
			   (unsigned long long)(counter(MIP6LB_CNT_SESSION_NEW) - new0),
			   (unsigned long long)n * repeat);
	return (double)n * repeat / (dt / 1e9);
}

static void insert_2cpu(const char *mode, bool probation, __u32 repeat, int runs)
{
	double one[BENCH_RUNS_MAX], two[BENCH_RUNS_MAX], o, t;
	struct bench_row *row;
	__u64 next = 0;
	int err, r;

	if (libbpf_num_possible_cpus() < 2) {
		row_null("insert-2cpu", mode, "sessions/s", "needs two CPUs");
		return;
	}
	/* Room for every identity of every run in sessions: a full table
	 * would time failed inserts. */
	err = open_dp((__u32)((__u64)runs * 3 * repeat * 5 / 4 + 65536));
	if (err) {
		row_null("insert-2cpu", mode, "sessions/s", "could not set up the datapath: %s",
			 strerror(-err));
		return;
	}
	/* On probation: budget 1, spent before each call (a call lasts well
	 * under its second); into sessions: no budget. */
	settings(probation ? 1 : 0, probation ? CFG_PROBATION_MS : 0);
	over_budget = probation;
	for (r = 0; r < runs; r++) {
		one[r] = insert_rate(1, repeat, next);
		next += repeat;
		two[r] = insert_rate(2, repeat, next);
		next += repeat;
	}
	o = bench_median(one, runs);
	t = bench_median(two, runs);
	row = row_add("insert-2cpu", mode);
	row_set_value(row, t, "sessions/s");
	row_extra_double(row, "one_cpu", o);
	row_extra_double(row, "scaling", t / o);
	row_extra_doubles(row, "runs_2cpu", two, runs);
	row_extra_doubles(row, "runs_1cpu", one, runs);
	row_extra_int(row, "per_thread", repeat);
	bench_log("insert-2cpu %-9s %.0f/s on 2 CPUs, %.0f/s on 1 (x%.2f)", mode, t, o, t / o);
	close_dp();
}

int bench_admission(void)
{
	__u32 table = bopt.quick ? 4096 : 65536;
	__u32 repeat = bopt.quick ? 20000 : 200000;

	flood_kept("defaults", table, CFG_NEW_PER_SEC, CFG_PROBATION_MS);
	flood_kept("no-admission", table, 0, 0);
	insert_2cpu("sessions", false, repeat, bopt.runs);
	insert_2cpu("probation", true, repeat, bopt.runs);
	return 0;
}
