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
 *
 * Kernels change between machines: a one-frame live run is tried first.  A
 * kernel that refuses it, with any errno (EINVAL is expected from one older
 * than the flag; the 6.18 build of the PVM guest says EPERM for any program,
 * verdict and argument, see docs/PERFORMANCE.md), gets the fallback
 * generator: an AF_PACKET socket on mlb1 with PACKET_QDISC_BYPASS and
 * sendmmsg, from this thread.  Each
 * frame is then an skb that veth_xmit hands to mlb0's NAPI ring and
 * local_bh_enable() polls in the same thread, where veth copies it into a
 * page_pool page and runs the program on it as native XDP; its XDP_TX takes
 * the same path back to the sink.  The same checks hold (every frame a
 * session hit, sent back, received), but a frame costs about 1.8 us there
 * against 63 ns live, and runs differ by more than the datapath's 35 ns: the
 * pps do not measure the program.  So those rows are null with that reason,
 * and what the socket measured is only in the JSON.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "bench_bpf.h"
#include "pktbuild.h"

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

/* The generator in use, and why live frames were not. */
enum { GEN_LIVE, GEN_PACKET };
static const char *const gen_names[] = { "live_frames", "af_packet" };
static int gen_kind;
static int pkt_fd = -1;
static char live_refused[96];

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

/* One live frame through bench_gen: 0, or the kernel's -errno. */
static int live_probe(const struct pb *b)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = b->data,
		.data_size_in = b->len,
		.repeat = 1,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);

	gen_packet(b);
	return bpf_prog_test_run_opts(gen_fd, &o) ? -errno : 0;
}

/* The fallback generator: a raw socket bound to mlb1 for sending only
 * (protocol 0: it receives nothing), straight to veth_xmit. */
static int packet_open(void)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = if_peer,
	};
	int one = 1, sndbuf = 8 << 20, fd, err;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* No qdisc: the frame goes from the socket to the driver, the
	 * closest a socket gets to a NIC's receive ring. */
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		close(fd);
		return err;
	}
	pkt_fd = fd;
	return 0;
}

#define PKT_BATCH 64   /* frames per sendmmsg: test_run's flush interval */

/* repeat frames through the socket; returns how many the kernel took.  A
 * frame veth refuses (its ring full: ENOBUFS) is skipped and counted lost. */
static __u64 packet_send(const struct pb *b, __u32 repeat)
{
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov = { .iov_base = (void *)b->data, .iov_len = b->len };
	__u64 sent = 0;
	__u32 left = repeat;
	int i, n;

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < PKT_BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (left) {
		n = sendmmsg(pkt_fd, msgs, left < PKT_BATCH ? left : PKT_BATCH, 0);
		if (n < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
				bench_fail("sendmmsg on %s: %s", DEV_PEER, strerror(errno));
			if (errno != EINTR)
				left--;
			continue;
		}
		sent += n;
		left -= n;
	}
	return sent;
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
	if (gen_kind == GEN_PACKET)
		packet_send(b, repeat);
	else if (bpf_prog_test_run_opts(gen_fd, &o))
		bench_fail("test_run bench_gen (live frames): %s", strerror(errno));
	t1 = bench_now_ns();
	usleep(20000);          /* let a last NAPI poll land in the count */
	*delivered = sink_count() - before;
	return *delivered / ((t1 - t0) / 1e9);
}

/* Live frames if this kernel runs them, else the socket; -errno when
 * neither can drive the pair (the reason is in why). */
static int choose_generator(const struct pb *b, char *why, size_t len)
{
	int err = live_probe(b), perr;

	if (!err) {
		gen_kind = GEN_LIVE;
		return 0;
	}
	snprintf(live_refused, sizeof(live_refused), "%s, errno %d", strerror(-err), -err);
	bench_log("veth: live frames refused: %s; generating with AF_PACKET", live_refused);
	perr = packet_open();
	if (perr) {
		snprintf(why, len, "live frames refused (%s), AF_PACKET: %s", live_refused,
			 strerror(-perr));
		return perr;
	}
	gen_kind = GEN_PACKET;
	return 0;
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
	if (pkt_fd >= 0)
		close(pkt_fd);
	pkt_fd = -1;
	bpf_object__close(gen_obj);
	bpf_object__close(floor_obj);
	gen_obj = floor_obj = NULL;
	if (dp.skel)
		bench_dp_close(&dp);
	bench_netns_leave(ns);
}

static void live_rows(const double *med, const __u64 *lost, __u32 repeat)
{
	struct bench_row *row;
	int p;

	for (p = P_DSR; p <= P_IP6; p++) {
		row = row_add("veth-pps", p == P_DSR ? "l2-dsr" : "ip6ip6");
		row_set_value(row, med[p], "pps");
		row_set_floor(row, med[P_TX]);
		row_set_target(row, 0.8, true);
		row_extra_double(row, "ref_xdp_drop_pps", med[P_DROP]);
		row_extra_int(row, "frames", repeat);
		row_extra_int(row, "lost", lost[p]);
		row_extra_str(row, "floor_is", "bench_floor (XDP_TX) on the same veth, same run");
		row_extra_str(row, "generator", gen_names[GEN_LIVE]);
	}
	row = row_add("veth-pps-ref", "xdp-tx");
	row_set_value(row, med[P_TX], "pps");
	row_extra_int(row, "lost", lost[P_TX]);
	row_extra_str(row, "generator", gen_names[GEN_LIVE]);
	row = row_add("veth-pps-ref", "xdp-drop");
	row_set_value(row, med[P_DROP], "pps");
	row_extra_str(row, "generator", gen_names[GEN_LIVE]);
}

/* The socket's round trip is about 1.8 us a frame and moves by more than
 * the datapath costs from run to run (docs/PERFORMANCE.md): its pps are not
 * the program's.  Null rows that say so; the figures go to the JSON only. */
static void packet_rows(const double *med, const __u64 *lost, __u32 repeat)
{
	static const char *const modes[N_PROGS] = { "l2-dsr", "ip6ip6", "xdp-tx", "xdp-drop" };
	struct bench_row *row;
	int p;

	for (p = 0; p < N_PROGS; p++) {
		row = row_null(p <= P_IP6 ? "veth-pps" : "veth-pps-ref", modes[p], "pps",
			       "live frames refused (%s); the AF_PACKET round trip, %.0f ns "
			       "a frame, hides the program's cost", live_refused,
			       1e9 / med[P_TX]);
		row_extra_str(row, "generator", gen_names[GEN_PACKET]);
		row_extra_str(row, "live_frames_refused", live_refused);
		row_extra_double(row, "af_packet_pps", med[p]);
		row_extra_double(row, "af_packet_floor_pps", med[P_TX]);
		row_extra_int(row, "frames", repeat);
		row_extra_int(row, "lost", lost[p]);
		if (p <= P_IP6)
			row_extra_str(row, "checked", "every frame a session hit, sent back "
				      "and received by the peer");
	}
}

int bench_veth(void)
{
	__u32 repeat = bopt.quick ? 20000 : 1000000;
	double pps[N_PROGS][BENCH_RUNS_MAX];
	__u64 lost[N_PROGS] = {};
	struct pb pkts[N_PROGS];
	struct bench_netns ns;
	double med[N_PROGS];
	char why[200];
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

	err = choose_generator(&pkts[P_DROP], why, sizeof(why));
	if (err) {
		fprintf(stderr, "mip6lb-bench: veth: %s\n", why);
		teardown(&ns);
		row_null("veth-pps", "l2-dsr", "pps", "no generator: %s", why);
		row_null("veth-pps", "ip6ip6", "pps", "no generator: %s", why);
		return err;
	}
	/* A socket round trip costs about thirty live ones: fewer frames
	 * keep the phase's time in seconds. */
	if (gen_kind == GEN_PACKET)
		repeat /= 5;

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
	if (gen_kind == GEN_PACKET)
		packet_rows(med, lost, repeat);
	else
		live_rows(med, lost, repeat);
	return 0;
}
