// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * veth.c - packets per second through a real interface, on one core.
 *
 * In a private network namespace (bench_netns_enter: unnamed, so it cannot
 * outlive the process):
 *
 *   bench_gen --XDP_REDIRECT--> mlb1 ===veth===> mlb0 [program under test]
 *   (test_run, LIVE_FRAMES)                          | XDP_TX
 *                              mlb1 [bench_sink] <===+  (XDP_DROP, counts)
 *
 * The generator is bpf_prog_test_run with BPF_F_TEST_XDP_LIVE_FRAMES: each
 * iteration is a real page_pool frame that bench_gen redirects out of mlb1,
 * so it arrives on mlb0 through veth's native XDP path (NAPI).  Everything
 * runs on this CPU: test_run flushes the redirects every 64 frames and the
 * NAPI polls of both veths run in the softirq that local_bh_enable() raises
 * in the same thread.  The figure is the frames the peer received per second
 * of the call.  The reference is the same path with bench_floor (XDP_TX,
 * nothing else) on mlb0; a bench_sink (XDP_DROP) on mlb0 is reported too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "bench_bpf.h"
#include "../unit/pktbuild.h"

#define DEV_DUT   "mlb0"
#define DEV_PEER  "mlb1"
#define VIP_DSR   "2001:db8::80"
#define VIP_IP6   "2001:db8::81"
#define HOA       "2001:db8:100::7"
#define COA       "2001:db8:b::51e2:4c0d:aa13:9b70"

enum { P_DSR, P_IP6, P_TX, P_DROP, N_PROGS };
static const char *const prog_names[N_PROGS] = {
	"datapath l2-dsr", "datapath ip6ip6", "XDP_TX reference", "XDP_DROP reference",
};

static struct bench_dp dp;
static struct bpf_object *floor_obj, *gen_obj;
static int gen_fd, gen_cfg_fd, sink_cnt_fd, floor_fd, sink_fd;
static int if_dut, if_peer, attached_dut, attached_peer;

static __u64 sink_count(void)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 *v = calloc(ncpu, sizeof(*v)), sum = 0;
	__u32 zero = 0;

	if (!v || bpf_map_lookup_elem(sink_cnt_fd, &zero, v))
		bench_fail("sink_count: %s", strerror(errno));
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	free(v);
	return sum;
}

static void gen_packet(const struct pb *b)
{
	struct bench_gen_cfg cfg = {};
	__u32 zero = 0;

	cfg.restore_len = b->len < 64 ? b->len : 64;
	memcpy(cfg.tmpl, b->data, cfg.restore_len);
	if (bpf_map_update_elem(gen_cfg_fd, &zero, &cfg, BPF_ANY))
		bench_fail("gen_cfg: %s", strerror(errno));
}

/* Frames per second the peer received while the generator sent repeat. */
static double run_gen(const struct pb *b, __u32 repeat, __u64 *delivered)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = b->data,
		.data_size_in = b->len,
		.repeat = repeat,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);
	__u64 before = sink_count();
	double t0, t1;

	t0 = bench_now_ns();
	if (bpf_prog_test_run_opts(gen_fd, &o))
		bench_fail("test_run bench_gen (live frames): %s", strerror(errno));
	t1 = bench_now_ns();
	usleep(20000);          /* let a last NAPI poll land in the count */
	*delivered = sink_count() - before;
	return *delivered / ((t1 - t0) / 1e9);
}

static void attach_dut(int fd)
{
	int err = bpf_xdp_attach(if_dut, fd, XDP_FLAGS_DRV_MODE, NULL);

	if (err)
		bench_fail("attach to %s: %s", DEV_DUT, strerror(-err));
	attached_dut = 1;
}

static void hao_pkt(struct pb *b, const char *vip)
{
	pb_init(b, COA, vip);
	pb_dstopt_hao(b, HOA);
	pb_tcp(b, 40000, 443);
	pb_finish(b);
}

static int setup(void)
{
	int err;

	/* No IPv6 on the test links: no DAD or MLD frames to count. */
	err = bench_sh("sysctl -qw net.ipv6.conf.default.disable_ipv6=1 && "
		       "ip link add " DEV_DUT " type veth peer name " DEV_PEER " && "
		       "ip link set " DEV_DUT " up && ip link set " DEV_PEER " up");
	if (err)
		return err;
	if_dut = if_nametoindex(DEV_DUT);
	if_peer = if_nametoindex(DEV_PEER);
	if (!if_dut || !if_peer)
		return -ENODEV;

	err = bench_dp_open(&dp, 65536);
	if (err)
		return err;
	err = bench_dp_service(&dp, 0, VIP_DSR, MIP6LB_FWD_L2_DSR, 0, 4, if_dut);
	if (!err)
		err = bench_dp_service(&dp, 1, VIP_IP6, MIP6LB_FWD_IP6IP6, 16, 4, if_dut);
	if (err)
		return err;

	floor_obj = bench_obj_load("bench_floor");
	gen_obj = bench_obj_load("bench_gen");
	if (!floor_obj || !gen_obj)
		return -errno;
	floor_fd = bpf_program__fd(bpf_object__find_program_by_name(floor_obj, "bench_floor"));
	sink_fd = bpf_program__fd(bpf_object__find_program_by_name(floor_obj, "bench_sink"));
	sink_cnt_fd = bpf_object__find_map_fd_by_name(floor_obj, "sink_count");
	gen_fd = bpf_program__fd(bpf_object__find_program_by_name(gen_obj, "bench_gen"));
	gen_cfg_fd = bpf_object__find_map_fd_by_name(gen_obj, "gen_cfg");
	{
		__u32 zero = 0, ifi = if_peer;
		int fd = bpf_object__find_map_fd_by_name(gen_obj, "gen_tx");

		if (bpf_map_update_elem(fd, &zero, &ifi, BPF_ANY))
			return -errno;
	}
	err = bpf_xdp_attach(if_peer, sink_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		return err;
	attached_peer = 1;
	return 0;
}

static void teardown(struct bench_netns *ns)
{
	if (attached_dut)
		bpf_xdp_detach(if_dut, XDP_FLAGS_DRV_MODE, NULL);
	if (attached_peer)
		bpf_xdp_detach(if_peer, XDP_FLAGS_DRV_MODE, NULL);
	attached_dut = attached_peer = 0;
	bpf_object__close(gen_obj);
	bpf_object__close(floor_obj);
	gen_obj = floor_obj = NULL;
	if (dp.skel)
		bench_dp_close(&dp);
	bench_netns_leave(ns);
}

int bench_veth(void)
{
	__u32 repeat = bopt.quick ? 20000 : 1000000;
	double pps[N_PROGS][BENCH_RUNS_MAX];
	__u64 lost[N_PROGS] = {};
	struct pb pkts[N_PROGS];
	struct bench_netns ns;
	double med[N_PROGS];
	int p, r, err;

	err = bench_netns_enter(&ns);
	if (err) {
		row_null("veth-pps", "l2-dsr", "pps", "no private network namespace: %s",
			 strerror(-err));
		row_null("veth-pps", "ip6ip6", "pps", "no private network namespace: %s",
			 strerror(-err));
		return err;
	}
	err = setup();
	if (err) {
		fprintf(stderr, "mip6lb-bench: veth setup: %s\n", strerror(-err));
		teardown(&ns);
		row_null("veth-pps", "l2-dsr", "pps", "veth setup failed: %s", strerror(-err));
		row_null("veth-pps", "ip6ip6", "pps", "veth setup failed: %s", strerror(-err));
		return err;
	}

	hao_pkt(&pkts[P_DSR], VIP_DSR);
	hao_pkt(&pkts[P_IP6], VIP_IP6);
	pkts[P_TX] = pkts[P_DSR];
	pkts[P_DROP] = pkts[P_DSR];

	for (r = 0; r < bopt.runs; r++) {
		for (p = 0; p < N_PROGS; p++) {
			int fd = p == P_TX ? floor_fd : p == P_DROP ? sink_fd : dp.prog_fd;
			struct mip6lb_counter_val a[MIP6LB_CNT_MAX], b[MIP6LB_CNT_MAX];
			__u64 got, warm, sent;

			attach_dut(fd);
			gen_packet(&pkts[p]);
			/* The first frames create the session and fill the
			 * page pool; then the timed run. */
			run_gen(&pkts[p], 256, &warm);
			if (dp_counters_read(&dp.maps, a))
				bench_fail("read counters: %s", strerror(errno));
			pps[p][r] = run_gen(&pkts[p], repeat, &got);
			if (dp_counters_read(&dp.maps, b))
				bench_fail("read counters: %s", strerror(errno));
			sent = b[MIP6LB_CNT_TX].packets - a[MIP6LB_CNT_TX].packets;

			if (p == P_DSR || p == P_IP6) {
				__u64 rx = b[MIP6LB_CNT_RX].packets - a[MIP6LB_CNT_RX].packets;
				__u64 hit = b[MIP6LB_CNT_SESSION_HIT].packets -
					    a[MIP6LB_CNT_SESSION_HIT].packets;

				/* Every frame the datapath saw was a session
				 * hit it sent back, and the peer got them all. */
				if (rx != sent || hit != rx || got != sent)
					bench_fail("veth %s: rx %llu, hits %llu, tx %llu, peer got %llu",
						   prog_names[p], (unsigned long long)rx,
						   (unsigned long long)hit, (unsigned long long)sent,
						   (unsigned long long)got);
			} else if (sent) {
				bench_fail("veth %s: the datapath counted %llu frames",
					   prog_names[p], (unsigned long long)sent);
			}
			if (got > repeat)
				bench_fail("veth %s: peer got %llu of %u frames", prog_names[p],
					   (unsigned long long)got, repeat);
			lost[p] += repeat - got;
			bench_log("veth %-20s %.3f Mpps (%llu of %u frames)", prog_names[p],
				  pps[p][r] / 1e6, (unsigned long long)got, repeat);
		}
	}
	teardown(&ns);

	for (p = 0; p < N_PROGS; p++)
		med[p] = bench_median(pps[p], bopt.runs);
	for (p = P_DSR; p <= P_IP6; p++) {
		struct bench_row *row = row_add("veth-pps", p == P_DSR ? "l2-dsr" : "ip6ip6");

		row_set_value(row, med[p], "pps");
		row_set_floor(row, med[P_TX]);
		row_set_target(row, 0.8, true);
		row_extra_double(row, "ref_xdp_drop_pps", med[P_DROP]);
		row_extra_int(row, "frames", repeat);
		row_extra_int(row, "lost", lost[p]);
		row_extra_str(row, "floor_is", "bench_floor (XDP_TX) on the same veth, same run");
	}
	{
		struct bench_row *row = row_add("veth-pps-ref", "xdp-tx");

		row_set_value(row, med[P_TX], "pps");
		row_extra_int(row, "lost", lost[P_TX]);
		row = row_add("veth-pps-ref", "xdp-drop");
		row_set_value(row, med[P_DROP], "pps");
	}
	return 0;
}
