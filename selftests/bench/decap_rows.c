// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * decap_rows.c - the `decap` row: ns per packet of mip6lb-decap's XDP
 * program (bpf/decap.bpf.c) stripping the balancer's ip6ip6 header, against
 * an XDP_PASS floor (selftests/bpf/xdp_pass.bpf.c) measured in the same run.
 *
 * The program shrinks the frame by 40 bytes, so test_run with repeat > 1
 * would hand iteration 2 the inner packet (to the VIP, no decap address)
 * and time PASS_NOT_OURS from then on.  As for the datapath's ip6ip6 rows
 * (dp.c), bench_wrap restores the frame on every iteration: adjust_head
 * back to the input length (here it grows the frame by 40 again) and the
 * first 64 bytes from a template, which covers everything the program
 * writes (the Ethernet header moved to [40, 54)).
 *   floor  xdp_pass, test_run repeat R.
 *   wrap   bench_wrap tail-calling xdp_pass.
 *   raw    bench_wrap tail-calling mip6lb_decap.
 *   value  raw - wrap + floor.
 * Every timed call is checked: last verdict XDP_PASS, and over the call
 * decap_counters' rx and decapsulated moved by R and nothing else did.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include "decap.skel.h"
#include "bench.h"
#include "bench_bpf.h"
#include "pktbuild.h"

#define CLIENT      "2001:db8:100::7"
#define VIP         "2001:db8::81"
#define LB_ADDR     "2001:db8:ff::1"
#define DECAP_ADDR  "2001:db8:11::1"   /* bench_dp_service's first ip6ip6 backend */
#define RESTORE_LEN 64
#define VALIDATE_K  8

static struct mip6lb_decap *skel;
static struct bpf_object *wrap_obj, *pass_obj;
static int decap_fd, wrap_fd, wrap_cfg_fd, wrap_iter_fd, wrap_progs_fd, pass_fd, cnt_fd;
static double call_ns;           /* fixed cost of one test_run call */

/* ---- timing (dp.c's method: thread CPU time, clamped to the kernel's
 * [duration, duration + 1) bracket) ---- */

static double time_run(int prog_fd, const struct pb *pkt, __u32 repeat, __u32 *retval,
		       int *clamped)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = pkt->data,
		.data_size_in = pkt->len,
		.repeat = repeat,
	);
	double t0, t1, per;

	t0 = bench_cpu_ns();
	if (bpf_prog_test_run_opts(prog_fd, &o))
		bench_fail("decap: bpf_prog_test_run_opts(repeat %u): %s", repeat, strerror(errno));
	t1 = bench_cpu_ns();
	*retval = o.retval;
	per = (t1 - t0 - call_ns) / repeat;
	if (per < o.duration)
		per = o.duration;
	if (per > o.duration + 1.0) {
		per = o.duration + 1.0;
		(*clamped)++;
	}
	return per;
}

static void measure_call_cost(const struct pb *pkt)
{
	double t[15];
	int i;

	for (i = 0; i < 15; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o,
			.data_in = pkt->data, .data_size_in = pkt->len, .repeat = 2);
		double t0 = bench_cpu_ns();

		if (bpf_prog_test_run_opts(pass_fd, &o))
			bench_fail("decap: test_run xdp_pass: %s", strerror(errno));
		t[i] = bench_cpu_ns() - t0;
	}
	call_ns = bench_median(t, 15);
}

/* Attached in native mode to idle veths in a private namespace, the three
 * programs stay in the XDP dispatcher, so a test_run call does not rewrite
 * it (dp.c, anchor_programs, says why that matters). */
static struct bench_netns anchor_ns;
static int anchor_ifindex[3];
static int n_anchored;

static void anchor_programs(const int *fds, int n)
{
	int err, i;

	err = bench_netns_enter(&anchor_ns);
	if (err) {
		fprintf(stderr, "mip6lb-bench: decap: no private namespace (%s): timing with "
			"the dispatcher update in every call\n", strerror(-err));
		return;
	}
	for (i = 0; i < n; i++) {
		char name[IF_NAMESIZE];

		snprintf(name, sizeof(name), "mlbdc%d", i);
		if (bench_sh("ip link add %s type veth peer name %sp", name, name))
			break;
		anchor_ifindex[i] = if_nametoindex(name);
		err = bpf_xdp_attach(anchor_ifindex[i], fds[i], XDP_FLAGS_DRV_MODE, NULL);
		if (err) {
			fprintf(stderr, "mip6lb-bench: decap: attach to %s: %s\n", name, strerror(-err));
			break;
		}
		n_anchored++;
	}
}

static void unanchor_programs(void)
{
	while (n_anchored > 0) {
		n_anchored--;
		bpf_xdp_detach(anchor_ifindex[n_anchored], XDP_FLAGS_DRV_MODE, NULL);
	}
	bench_netns_leave(&anchor_ns);
}

/* ---- wrapper and counters ---- */

static void wrap_config(const struct pb *pkt, __u32 slot)
{
	struct bench_wrap_cfg cfg = {};
	__u32 zero = 0;

	cfg.orig_len = pkt->len;
	cfg.restore_len = pkt->len < RESTORE_LEN ? pkt->len : RESTORE_LEN;
	cfg.slot = slot;
	memcpy(cfg.tmpl, pkt->data, cfg.restore_len);
	if (bpf_map_update_elem(wrap_cfg_fd, &zero, &cfg, BPF_ANY))
		bench_fail("decap: wrap_cfg: %s", strerror(errno));
}

static __u64 percpu_sum_u64(int fd)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 *v = calloc(ncpu, sizeof(*v)), sum = 0;
	__u32 zero = 0;

	if (!v || bpf_map_lookup_elem(fd, &zero, v))
		bench_fail("decap: wrap_iter: %s", strerror(errno));
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	free(v);
	return sum;
}

static void counters_read(__u64 *pk)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i;
	struct mip6lb_decap_counters *v = calloc(ncpu, sizeof(*v));
	__u32 zero = 0;

	if (!v || bpf_map_lookup_elem(cnt_fd, &zero, v))
		bench_fail("decap: read decap_counters: %s", strerror(errno));
	memset(pk, 0, sizeof(*pk) * MIP6LB_DCNT_MAX);
	for (cpu = 0; cpu < ncpu; cpu++)
		for (i = 0; i < MIP6LB_DCNT_MAX; i++)
			pk[i] += v[cpu].c[i].packets;
	free(v);
}

/* Over a call of n iterations: rx and decapsulated moved by n, the rest
 * not at all (n = 0 for the wrapper over the floor). */
static void expect_counts(const char *what, const __u64 *a, const __u64 *b, __u64 n)
{
	int i;

	for (i = 0; i < MIP6LB_DCNT_MAX; i++) {
		__u64 want = i == MIP6LB_DCNT_RX || i == MIP6LB_DCNT_DECAPSULATED ? n : 0;

		if (b[i] - a[i] != want)
			bench_fail("decap (%s): counter %d moved by %llu over the call, want %llu",
				   what, i, (unsigned long long)(b[i] - a[i]),
				   (unsigned long long)want);
	}
}

static __u32 run_once(int prog_fd, const struct pb *pkt, __u32 repeat, __u8 *out, __u32 *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = pkt->data,
		.data_size_in = pkt->len,
		.data_out = out,
		.data_size_out = out ? PB_MAX + 64 : 0,
		.repeat = repeat,
	);

	if (bpf_prog_test_run_opts(prog_fd, &o))
		bench_fail("decap: bpf_prog_test_run_opts: %s", strerror(errno));
	if (out_len)
		*out_len = o.data_size_out;
	return o.retval;
}

/* ---- the row ---- */

static void decap_pkts(struct pb *inner, struct pb *frame)
{
	pb_init(inner, CLIENT, VIP);
	pb_tcp(inner, 40000, 443);
	pb_finish(inner);
	*frame = *inner;
	pb_encap(frame, LB_ADDR, DECAP_ADDR);
}

/* K wrapped iterations must leave the inner packet, as one direct run
 * does: proof that the wrapper restores what the program rewrites.  The
 * direct repeat = K without it shows the pitfall: only its first
 * iteration decapsulates. */
static __u64 validate(const struct pb *frame, const struct pb *inner)
{
	static __u8 out1[PB_MAX + 64], out2[PB_MAX + 64];
	__u64 a[MIP6LB_DCNT_MAX], b[MIP6LB_DCNT_MAX];
	__u32 len1, len2, r1, r2;

	wrap_config(frame, BENCH_SLOT_DP);
	counters_read(a);
	r1 = run_once(wrap_fd, frame, VALIDATE_K, out1, &len1);
	counters_read(b);
	expect_counts("validate", a, b, VALIDATE_K);
	r2 = run_once(decap_fd, frame, 1, out2, &len2);
	if (r1 != XDP_PASS || r2 != r1 || len1 != len2 || memcmp(out1, out2, len1) ||
	    len1 != inner->len || memcmp(out1, inner->data, len1))
		bench_fail("decap: %d wrapped iterations gave verdict %u, %u bytes; one direct "
			   "run gave %u, %u bytes; the inner packet is %zu bytes", VALIDATE_K,
			   r1, len1, r2, len2, inner->len);

	counters_read(a);
	run_once(decap_fd, frame, VALIDATE_K, NULL, NULL);
	counters_read(b);
	return b[MIP6LB_DCNT_DECAPSULATED] - a[MIP6LB_DCNT_DECAPSULATED];
}

int bench_decap(void)
{
	__u32 repeat = bopt.quick ? 20000 : 1000000;
	__u32 floor_repeat = bopt.quick ? 50000 : 4000000;
	double floor[BENCH_RUNS_MAX], wrap[BENCH_RUNS_MAX], raw[BENCH_RUNS_MAX];
	double val[BENCH_RUNS_MAX], q[BENCH_RUNS_MAX], best = 0;
	struct mip6lb_decap_addr key = {};
	struct mip6lb_decap_addr_val kv = {};
	__u64 a[MIP6LB_DCNT_MAX], b[MIP6LB_DCNT_MAX], broken;
	struct pb inner, frame;
	struct bench_row *row;
	int r, clamped = 0, err;
	__u32 slot, fd, ret;

	skel = mip6lb_decap__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: load decap.bpf.o: %s\n", strerror(-err));
		goto fail;
	}
	decap_fd = bpf_program__fd(skel->progs.mip6lb_decap);
	cnt_fd = bpf_map__fd(skel->maps.decap_counters);
	wrap_obj = bench_obj_load("bench_wrap");
	pass_obj = bench_obj_load("xdp_pass");
	if (!wrap_obj || !pass_obj) {
		err = -errno;
		goto fail;
	}
	wrap_fd = bpf_program__fd(bpf_object__find_program_by_name(wrap_obj, "bench_wrap"));
	wrap_cfg_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_cfg");
	wrap_iter_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_iter");
	wrap_progs_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_progs");
	pass_fd = bpf_program__fd(bpf_object__find_program_by_name(pass_obj, "xdp_pass"));
	slot = BENCH_SLOT_FLOOR;
	fd = pass_fd;
	if (bpf_map_update_elem(wrap_progs_fd, &slot, &fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: decap: tail-call slot for xdp_pass: %s\n", strerror(-err));
		goto fail;
	}
	slot = BENCH_SLOT_DP;
	fd = decap_fd;
	if (bpf_map_update_elem(wrap_progs_fd, &slot, &fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: decap: tail-call slot for mip6lb_decap: %s\n",
			strerror(-err));
		goto fail;
	}
	if (inet_pton(AF_INET6, DECAP_ADDR, &key.addr) != 1 ||
	    bpf_map_update_elem(bpf_map__fd(skel->maps.decap_addrs), &key, &kv, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: decap: add %s: %s\n", DECAP_ADDR, strerror(-err));
		goto fail;
	}
	{
		int fds[3] = { pass_fd, wrap_fd, decap_fd };

		anchor_programs(fds, 3);
	}

	decap_pkts(&inner, &frame);
	measure_call_cost(&frame);
	broken = validate(&frame, &inner);

	bench_perf_ctl("enable");
	for (r = 0; r < bopt.runs; r++) {
		__u64 it0;

		floor[r] = time_run(pass_fd, &frame, floor_repeat, &ret, &clamped);
		if (ret != XDP_PASS)
			bench_fail("decap: xdp_pass returned %u", ret);

		wrap_config(&frame, BENCH_SLOT_FLOOR);
		counters_read(a);
		wrap[r] = time_run(wrap_fd, &frame, repeat, &ret, &clamped);
		counters_read(b);
		if (ret != XDP_PASS)
			bench_fail("decap: the wrapper over xdp_pass returned %u", ret);
		expect_counts("wrap", a, b, 0);

		wrap_config(&frame, BENCH_SLOT_DP);
		it0 = percpu_sum_u64(wrap_iter_fd);
		counters_read(a);
		raw[r] = time_run(wrap_fd, &frame, repeat, &ret, &clamped);
		counters_read(b);
		if (ret != XDP_PASS)
			bench_fail("decap: last verdict %u, want XDP_PASS", ret);
		expect_counts("wrapped", a, b, repeat);
		if (percpu_sum_u64(wrap_iter_fd) - it0 != repeat)
			bench_fail("decap: the wrapper ran %llu times, want %u",
				   (unsigned long long)(percpu_sum_u64(wrap_iter_fd) - it0), repeat);
		val[r] = raw[r] - wrap[r] + floor[r];
		q[r] = val[r] / floor[r];
		if (!r || q[r] < best)
			best = q[r];
	}
	bench_perf_ctl("disable");

	row = row_add("decap", "ip6ip6");
	row_extra_doubles(row, "runs", val, bopt.runs);
	row_extra_doubles(row, "run_ratios", q, bopt.runs);
	row_extra_double(row, "best_ratio", best);
	row_set_value(row, bench_median(val, bopt.runs), "ns/pkt");
	row_set_floor(row, bench_median(floor, bopt.runs));
	row_extra_str(row, "floor_prog", "xdp_pass");
	row_extra_double(row, "raw", bench_median(raw, bopt.runs));
	row_extra_double(row, "wrap", bench_median(wrap, bopt.runs));
	row_extra_int(row, "repeat", repeat);
	row_extra_int(row, "frame_bytes", frame.len);
	if (clamped)
		row_extra_int(row, "clamped", clamped);
	row_extra_double(row, "call_fixed_ns", call_ns);
	row_extra_int(row, "direct_repeat8_decapsulated", (int64_t)broken);
	bench_log("%-12s %-7s %7.2f ns (raw %.2f wrap %.2f floor %.2f)", "decap", "ip6ip6",
		  row->value, bench_median(raw, bopt.runs),
		  bench_median(wrap, bopt.runs), row->floor);
	err = 0;
	goto out;

fail:
	row_null("decap", "ip6ip6", "ns/pkt", "could not set up the decap benchmark: %s",
		 strerror(-err));
out:
	unanchor_programs();
	bpf_object__close(wrap_obj);
	bpf_object__close(pass_obj);
	wrap_obj = pass_obj = NULL;
	mip6lb_decap__destroy(skel);
	skel = NULL;
	return err;
}
