// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dp.c - the datapath rows: ns per packet for each packet class and mode,
 * and the session-hit cost under identity churn, against an XDP_TX floor
 * measured in the same run.
 *
 * Method (docs/PERFORMANCE.md has the reasoning):
 *   floor  bench_floor (returns XDP_TX), bpf_prog_test_run, repeat R.
 *   wrap   bench_wrap tail-calling bench_floor: restore + identity + tail call.
 *   raw    bench_wrap tail-calling the datapath.
 *   value  raw - wrap + floor: the datapath as if it could be timed directly.
 * Each figure is the wall time of one test_run call over R iterations (less
 * the syscall's fixed cost), clamped to the kernel's own [duration,
 * duration + 1) bracket, so it has sub-ns resolution and never counts time
 * the kernel spent rescheduling.  Median of --runs runs; the floor, wrap and
 * raw of a case are measured back to back in every run.
 *
 * Every timed call is checked: its last verdict, and the counter deltas over
 * the call (rx, tx or pass, identity kind, session hit or new, and the
 * packets of every backend) must equal what R iterations of that class give.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include "mip6lb.skel.h"
#include "bench.h"
#include "names.h"
#include "bench_bpf.h"
#include "config.h"
#include "hash.h"
#include "pktbuild.h"

#define VIP_DSR     "2001:db8::80"
#define VIP_IP6     "2001:db8::81"
#define VIP_P64     "2001:db8::82"       /* ip6ip6 from an lb_addr /64 */
#define LB_P64      "2001:db8:ff:1::"
#define NOT_VIP     "2001:db8::99"
#define HOA         "2001:db8:100::7"
#define HOA_CHAIN   "2001:db8:100::8"
#define HOA_CHURN   "2001:db8:200::"     /* + a 32-bit client number */
#define HOA_MISS    "2001:db8:300::"     /* + a 32-bit sequence number */
#define SRC_PLAIN   "2001:db8:a::9f3c:12aa:7d01:e2c4"  /* random IID */
#define SRC_EUI64   "2001:db8:a::211:22ff:fe33:4455"
#define COA_HAO     "2001:db8:b::51e2:4c0d:aa13:9b70"
#define COA_SPI     "2001:db8:b::7a10:3cc2:91d4:0e5b"
#define COA_BOUND   "2001:db8:c::5a17:93e2:0b4d:61f8"  /* coa session */
#define COA_MISS    "2001:db8:d::c3a9:1e0f:66b2:d471"
#define COA_CHURN   "2001:db8:e::2b8d:7f31:c04e:95a6"
#define HOA_GUARD   "2001:db8:600::"     /* + a 32-bit sequence number */
#define HOA_PROB    "2001:db8:700::9"    /* an identity kept on probation */
#define ROUTER      "2001:db8:77::1"     /* sends the icmp-error case's PTB */
#define SPI         0x1000

#define SVC_DSR     0
#define SVC_IP6     1
#define SVC_P64     2
#define BE_DSR      0     /* backend ids 0..3 */
#define BE_IP6      16    /* backend ids 16..19 */
#define BE_P64      24    /* backend ids 24..27 */
#define BENCH_MTU   1500  /* the ip6ip6 backends' mtu, as the daemon learns it */
#define PTB_PAYLOAD 1452  /* UDP payload of a full 1500-byte client packet */
#define N_BACKENDS  4
#define BE_IDS      32    /* backend_stats read for ids 0..31 */
#define TEST_IFINDEX 1    /* test_run's ingress is the loopback device */

/* Where the HAO's last 32 bits sit: Ethernet 14 + IPv6 40, the Destination
 * Options header's address at +8 (pb_dstopt_hao), its last word at +12. */
#define HAO_WORD_OFF (14 + 40 + 8 + 12)
#define KEY_WORD_OFF (offsetof(struct mip6lb_session_key, id.addr) + 12)
#define RESTORE_LEN  64
#define VALIDATE_K   8     /* > 6: an unrestored ip6ip6 frame runs out of headroom */

struct dp_case {
	char name[24];
	int mode;
	const char *label;           /* the row's mode, when not mode_name(mode) */
	bool no_forward;             /* answered by the datapath (ptb-gen): no
				      * backend counts it */
	__u32 svc;
	struct pb pkt;
	__u32 repeat;
	/* what every iteration must do */
	int verdict;                 /* XDP_TX or XDP_PASS */
	int verdict_cnt;             /* MIP6LB_CNT_TX or MIP6LB_CNT_PASS_NOT_SERVICE */
	int kind_cnt;                /* MIP6LB_CNT_KIND_*, or -1 */
	int sess_cnt;                /* MIP6LB_CNT_SESSION_HIT or _NEW, or -1 */
	__u32 backend;               /* fixed backend, or ~0U */
	/* per-iteration identity (bench_wrap) */
	__u32 flags, id_mod;
	struct mip6lb_session_key key;  /* template for the per-iteration backend */
	bool direct_ok;              /* the frame is the same every iteration */
	/* admission settings for this case (events_per_sec is the daemon's);
	 * refill: start each call with this CPU's budget used up */
	__u32 new_per_sec, probation_ms;
	bool refill;
	double target;               /* max ratio to the floor; 0 = none */
	__u64 clients;
	/* results */
	int n;
	double floor[BENCH_RUNS_MAX], wrap[BENCH_RUNS_MAX], raw[BENCH_RUNS_MAX];
	double val[BENCH_RUNS_MAX], direct[BENCH_RUNS_MAX];
	int n_direct;
	int clamped;
	long long broken_retval;     /* direct repeat > 1 on ip6ip6: the pitfall */
};

struct snap {
	struct mip6lb_counter_val cnt[MIP6LB_CNT_MAX];
	__u64 be[BE_IDS];
	double t_ns;                 /* when it was read */
};

static struct bench_dp dp;
static struct bpf_object *wrap_obj, *floor_obj;
static int wrap_fd, wrap_cfg_fd, wrap_iter_fd, wrap_progs_fd, floor_fd;
static struct ring_buffer *events_rb;
static double syscall_ns;        /* fixed cost of one test_run call */
static __u32 floor_repeat;

/* ---- timing ------------------------------------------------------------ */

/* ns per iteration of one test_run call, sub-ns: this thread's CPU time
 * over the call (which, unlike wall time, leaves out other tasks that ran
 * while the kernel rescheduled between iterations) less the call's fixed
 * cost, clamped into the kernel's [duration, duration + 1) bracket
 * (duration is its integer average). */
static double time_run(int prog_fd, const struct pb *pkt, __u32 repeat, __u32 *retval,
		       int *clamped)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = pkt->data,
		.data_size_in = pkt->len,
		.repeat = repeat,
	);
	double t0, t1, per;
	int err;

	t0 = bench_cpu_ns();
	err = bpf_prog_test_run_opts(prog_fd, &o);
	t1 = bench_cpu_ns();
	if (err)
		bench_fail("bpf_prog_test_run_opts(repeat %u): %s", repeat, strerror(errno));
	*retval = o.retval;
	per = (t1 - t0 - syscall_ns) / repeat;
	if (getenv("BENCH_DEBUG"))
		fprintf(stderr, "R=%u cpu=%.0f per=%.3f d=%u\n", repeat, t1 - t0, per, o.duration);
	if (per < o.duration)
		per = o.duration;
	if (per > o.duration + 1.0) {
		per = o.duration + 1.0;
		if (clamped)
			(*clamped)++;
	}
	return per;
}

/* test_run with repeat > 1 adds the program to the XDP dispatcher before
 * its loop and takes it out after; each change rewrites the dispatcher's
 * text, 0.25-0.6 ms of CPU per call here.  A program that is attached in
 * native mode somewhere stays in the dispatcher and the change is a
 * reference count, so the phase attaches the floor, the wrapper and the
 * datapath to idle (down) veths in a private namespace: the fixed cost drops
 * to a few us.  Its median over calls of 2 iterations is subtracted anyway,
 * and the [duration, duration + 1) clamp bounds what is left. */
static struct bench_netns anchor_ns;
static int anchor_ifindex[3];
static int n_anchored;

static void anchor_programs(const int *fds, int n)
{
	int err, i;

	err = bench_netns_enter(&anchor_ns);
	if (err) {
		fprintf(stderr, "mip6lb-bench: no private namespace (%s): timing with the "
			"dispatcher update in every call\n", strerror(-err));
		return;
	}
	for (i = 0; i < n; i++) {
		char name[IF_NAMESIZE];

		snprintf(name, sizeof(name), "mlbd%d", i);
		if (bench_sh("ip link add %s type veth peer name %sp", name, name))
			break;
		anchor_ifindex[i] = if_nametoindex(name);
		err = bpf_xdp_attach(anchor_ifindex[i], fds[i], XDP_FLAGS_DRV_MODE, NULL);
		if (err) {
			fprintf(stderr, "mip6lb-bench: attach to %s: %s\n", name, strerror(-err));
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

static void measure_syscall_cost(void)
{
	double t[15];
	struct pb b;
	int i;

	pb_init(&b, SRC_PLAIN, VIP_DSR);
	pb_tcp(&b, 40000, 443);
	pb_finish(&b);
	for (i = 0; i < 15; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o,
			.data_in = b.data, .data_size_in = b.len, .repeat = 2);
		double t0 = bench_cpu_ns();

		if (bpf_prog_test_run_opts(floor_fd, &o))
			bench_fail("test_run bench_floor: %s", strerror(errno));
		t[i] = bench_cpu_ns() - t0;
	}
	syscall_ns = bench_median(t, 15);
	bench_log("test_run fixed cost %.0f ns per call (min %.0f, max %.0f)", syscall_ns,
		  t[0], t[14]);
}

/* ---- wrapper ------------------------------------------------------------ */

static void wrap_config(const struct dp_case *c, __u32 slot)
{
	struct bench_wrap_cfg cfg = {};
	__u32 zero = 0;

	cfg.orig_len = c->pkt.len;
	cfg.restore_len = c->pkt.len < RESTORE_LEN ? c->pkt.len : RESTORE_LEN;
	cfg.id_off = HAO_WORD_OFF;
	cfg.id_mod = c->id_mod;
	cfg.id_base = 0;
	cfg.flags = c->flags;
	cfg.slot = slot;
	cfg.head_grow = c->flags & BENCH_RESTORE_TAIL ? 48 : 0;
	memcpy(cfg.tmpl, c->pkt.data, cfg.restore_len);
	if (bpf_map_update_elem(wrap_cfg_fd, &zero, &cfg, BPF_ANY))
		bench_fail("wrap_cfg: %s", strerror(errno));
}

/* The wrapper's iteration counter (only this CPU's slot moves). */
static __u64 wrap_iter(void)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 *v = calloc(ncpu, sizeof(*v)), sum = 0;
	__u32 zero = 0;

	if (!v || bpf_map_lookup_elem(wrap_iter_fd, &zero, v))
		bench_fail("wrap_iter: %s", strerror(errno));
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	free(v);
	return sum;
}

/* The identity word the wrapper writes at iteration it. */
static __u32 ident_at(const struct dp_case *c, __u64 it)
{
	__u32 n = (__u32)it;

	if ((c->flags & BENCH_ID_MOD) && c->id_mod)
		n %= c->id_mod;
	return n;
}

static void set_word(void *base, size_t off, __u32 host)
{
	__u32 be = htonl(host);

	memcpy((__u8 *)base + off, &be, sizeof(be));
}

/* ---- admission settings ------------------------------------------------- */

static int event_window_fd;

/* The case's admission settings, and for a guard case this CPU's budget
 * window restarted now and already spent, so that every iteration of the
 * call that follows is over the budget. */
static void case_settings(const struct dp_case *c)
{
	struct mip6lb_settings set = {
		.events_per_sec = 1000,      /* the daemon's default */
		.new_per_sec = c->new_per_sec,
		.probation_ms = c->probation_ms,
		/* A step of 0 ns: ptb-gen times the message, not the limit. */
		.ptb_per_sec = 0xffffffffU,
	};

	if (dp_settings_write(&dp.maps, &set))
		bench_fail("settings: %s", strerror(errno));
	if (c->refill) {
		int ncpu = libbpf_num_possible_cpus(), i;
		struct mip6lb_event_window *w = calloc(ncpu, sizeof(*w));
		__u32 zero = 0;

		if (!w)
			bench_fail("out of memory");
		for (i = 0; i < ncpu; i++) {
			w[i].start_ns = dp_now_ns();
			w[i].admitted = c->new_per_sec;
		}
		if (bpf_map_update_elem(event_window_fd, &zero, w, BPF_ANY))
			bench_fail("event_window: %s", strerror(errno));
		free(w);
	}
}

/* ---- counters ----------------------------------------------------------- */

static void snap_read(struct snap *s)
{
	struct mip6lb_counter_val v;
	__u32 id;

	s->t_ns = bench_now_ns();
	if (dp_counters_read(&dp.maps, s->cnt))
		bench_fail("read counters: %s", strerror(errno));
	for (id = 0; id < BE_IDS; id++) {
		if (dp_backend_stats_read(&dp.maps, id, &v))
			bench_fail("read backend_stats: %s", strerror(errno));
		s->be[id] = v.packets;
	}
}

static __u64 cnt_delta(const struct snap *a, const struct snap *b, int idx)
{
	return b->cnt[idx].packets - a->cnt[idx].packets;
}

static void expect_cnt(const struct dp_case *c, const char *what, const struct snap *a,
		       const struct snap *b, int idx, __u64 want)
{
	__u64 got = cnt_delta(a, b, idx);

	if (got != want)
		bench_fail("%s %s (%s): counter %d moved by %llu over the call, want %llu",
			   c->name, c->mode == MIP6LB_FWD_IP6IP6 ? "ip6ip6" : "l2-dsr", what, idx,
			   (unsigned long long)got, (unsigned long long)want);
}

/* Every iteration of a call of R iterations that started at wrapper
 * iteration it0 did what the class says. */
static void check_call(const struct dp_case *c, const char *what, const struct snap *a,
		       const struct snap *b, __u32 repeat, __u32 retval, __u64 it0, bool wrapped)
{
	__u64 want_be[BE_IDS] = {};
	__u32 id;

	if (retval != (__u32)c->verdict)
		bench_fail("%s (%s): last verdict %u, want %d", c->name, what, retval, c->verdict);
	expect_cnt(c, what, a, b, MIP6LB_CNT_RX, repeat);
	expect_cnt(c, what, a, b, c->verdict_cnt, repeat);
	if (c->kind_cnt >= 0)
		expect_cnt(c, what, a, b, c->kind_cnt, repeat);
	if (c->sess_cnt >= 0 && c->refill && c->sess_cnt != MIP6LB_CNT_SESSION_NEW) {
		/* A budget of one new identity a second, spent before the
		 * call: each time the one-second window restarts during the
		 * call (a loaded host stretches it) one more identity goes
		 * into sessions, as it should; the rest are the class's. */
		__u64 got = cnt_delta(a, b, c->sess_cnt);
		__u64 windows = 1 + (__u64)((b->t_ns - a->t_ns) / 1e9);

		if (got > repeat || repeat - got > windows)
			bench_fail("%s %s (%s): counter %d moved by %llu over a call of %.2f s, "
				   "want %u less at most %llu admitted", c->name,
				   c->mode == MIP6LB_FWD_IP6IP6 ? "ip6ip6" : "l2-dsr",
				   what, c->sess_cnt, (unsigned long long)got,
				   (b->t_ns - a->t_ns) / 1e9, repeat, (unsigned long long)windows);
	} else if (c->sess_cnt >= 0) {
		expect_cnt(c, what, a, b, c->sess_cnt, repeat);
	}
	if (c->verdict != XDP_TX)
		return;
	if (c->no_forward) {
		/* want_be stays all zero: no backend saw a packet. */
	} else if (c->backend != ~0U) {
		want_be[c->backend] = repeat;
	} else {
		struct mip6lb_session_key k = c->key;
		__u64 i;

		if (!wrapped)
			bench_fail("%s: a varying identity needs the wrapper", c->name);
		for (i = 0; i < repeat; i++) {
			__u32 be;

			set_word(&k, KEY_WORD_OFF, ident_at(c, it0 + i));
			be = bench_dp_ring_backend(&dp, &k);
			if (be >= BE_IDS)
				bench_fail("%s: backend %u out of range", c->name, be);
			want_be[be]++;
		}
	}
	for (id = 0; id < BE_IDS; id++)
		if (b->be[id] - a->be[id] != want_be[id])
			bench_fail("%s (%s): backend %u forwarded %llu packets, want %llu",
				   c->name, what, id, (unsigned long long)(b->be[id] - a->be[id]),
				   (unsigned long long)want_be[id]);
}

/* ---- cases -------------------------------------------------------------- */

static const char *mode_name(int mode)
{
	return mode == MIP6LB_FWD_IP6IP6 ? "ip6ip6" : "l2-dsr";
}

static const char *case_mode(const struct dp_case *c)
{
	return c->label ? c->label : mode_name(c->mode);
}

static const char *vip_of(int mode)
{
	return mode == MIP6LB_FWD_IP6IP6 ? VIP_IP6 : VIP_DSR;
}

static void key_addr(struct mip6lb_session_key *k, __u32 svc, const char *addr)
{
	memset(k, 0, sizeof(*k));
	k->service_id = svc;
	k->space = MIP6LB_SPACE_ADDR;
	if (inet_pton(AF_INET6, addr, &k->id.addr) != 1)
		bench_fail("bad address %s", addr);
}

/* One direct run: verdict, output frame, the backend that forwarded it. */
static __u32 run_once(int prog_fd, const struct pb *pkt, __u32 repeat, __u8 *out,
		      __u32 *out_len, __u32 *backend)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = pkt->data,
		.data_size_in = pkt->len,
		.data_out = out,
		.data_size_out = out ? PB_MAX + 64 : 0,
		.repeat = repeat,
	);
	struct snap a, b;
	__u32 id;

	snap_read(&a);
	if (bpf_prog_test_run_opts(prog_fd, &o))
		bench_fail("bpf_prog_test_run_opts: %s", strerror(errno));
	snap_read(&b);
	if (bopt.verbose)
		for (id = 0; id < MIP6LB_CNT_MAX; id++)
			if (cnt_delta(&a, &b, (int)id))
				printf("  counter %s +%llu\n", mip6lb_counter_names[id],
				       (unsigned long long)cnt_delta(&a, &b, (int)id));
	if (out_len)
		*out_len = o.data_size_out;
	if (backend) {
		*backend = ~0U;
		for (id = 0; id < BE_IDS; id++)
			if (b.be[id] != a.be[id])
				*backend = id;
	}
	return o.retval;
}

/* Create the class's session the way the datapath does (its first packet),
 * then learn which backend every later packet must reach. */
static void warm(struct dp_case *c)
{
	__u32 be1, be2, v;

	case_settings(c);
	v = run_once(dp.prog_fd, &c->pkt, 1, NULL, NULL, &be1);
	if (v != (__u32)c->verdict)
		bench_fail("%s %s: first packet verdict %u, want %d", c->name,
			   case_mode(c), v, c->verdict);
	v = run_once(dp.prog_fd, &c->pkt, 1, NULL, NULL, &be2);
	if (c->verdict == XDP_TX && !c->no_forward && (be1 != be2 || be2 == ~0U))
		bench_fail("%s %s: backends %u then %u", c->name, case_mode(c), be1, be2);
	if (c->verdict == XDP_TX && !c->no_forward && c->backend == ~0U &&
	    !(c->flags & BENCH_ID_VARY))
		c->backend = be2;
}

/* K wrapped iterations must leave the frame exactly as one direct run of
 * the K-th iteration's packet does: proof that the wrapper restores what
 * the datapath rewrites, so every timed iteration saw the class's packet. */
static void validate(struct dp_case *c)
{
	static __u8 out1[PB_MAX + 64], out2[PB_MAX + 64];
	__u32 len1, len2, r1, r2;
	struct pb last = c->pkt;
	__u64 it0;

	wrap_config(c, BENCH_SLOT_DP);
	case_settings(c);
	it0 = wrap_iter();
	r1 = run_once(wrap_fd, &c->pkt, VALIDATE_K, out1, &len1, NULL);
	if (c->flags & BENCH_ID_VARY)
		set_word(last.data, HAO_WORD_OFF, ident_at(c, it0 + VALIDATE_K - 1));
	r2 = run_once(dp.prog_fd, &last, 1, out2, &len2, NULL);
	if (r1 != (__u32)c->verdict || r2 != r1 || len1 != len2 || memcmp(out1, out2, len1))
		bench_fail("%s %s: %d wrapped iterations gave verdict %u, %u bytes; one direct "
			   "run gave %u, %u bytes%s", c->name, case_mode(c), VALIDATE_K,
			   r1, len1, r2, len2, len1 == len2 ? " (bytes differ)" : "");

	if (c->mode == MIP6LB_FWD_IP6IP6 && c->verdict == XDP_TX && !c->no_forward &&
	    !(c->flags & BENCH_ID_VARY)) {
		/* The pitfall the wrapper avoids, kept in the row: repeat > 1
		 * without it feeds iteration 2 the encapsulated frame, a
		 * packet to the backend, so every later iteration times the
		 * non-service XDP_PASS path. */
		c->broken_retval = run_once(dp.prog_fd, &c->pkt, VALIDATE_K, NULL, NULL, NULL);
	} else {
		c->broken_retval = -1;
	}
}

static void measure(struct dp_case *c)
{
	struct snap a, b;
	__u32 ret;
	__u64 it0;
	int i = c->n;

	c->floor[i] = time_run(floor_fd, &c->pkt, floor_repeat, &ret, &c->clamped);
	if (ret != XDP_TX)
		bench_fail("bench_floor returned %u", ret);

	wrap_config(c, BENCH_SLOT_FLOOR);
	snap_read(&a);
	c->wrap[i] = time_run(wrap_fd, &c->pkt, c->repeat, &ret, &c->clamped);
	snap_read(&b);
	if (ret != XDP_TX || cnt_delta(&a, &b, MIP6LB_CNT_RX))
		bench_fail("%s: the wrapper did not run the floor (verdict %u)", c->name, ret);

	wrap_config(c, BENCH_SLOT_DP);
	case_settings(c);
	it0 = wrap_iter();
	snap_read(&a);
	c->raw[i] = time_run(wrap_fd, &c->pkt, c->repeat, &ret, &c->clamped);
	snap_read(&b);
	check_call(c, "wrapped", &a, &b, c->repeat, ret, it0, true);
	if (wrap_iter() - it0 != c->repeat)
		bench_fail("%s: the wrapper ran %llu times, want %u", c->name,
			   (unsigned long long)(wrap_iter() - it0), c->repeat);
	c->val[i] = c->raw[i] - c->wrap[i] + c->floor[i];

	if (c->direct_ok) {
		case_settings(c);
		snap_read(&a);
		c->direct[c->n_direct++] = time_run(dp.prog_fd, &c->pkt, c->repeat, &ret,
						    &c->clamped);
		snap_read(&b);
		check_call(c, "direct", &a, &b, c->repeat, ret, 0, false);
	}
	if (events_rb)
		ring_buffer__consume(events_rb);
	c->n++;
}

static void report(struct dp_case *c)
{
	double v[BENCH_RUNS_MAX], f[BENCH_RUNS_MAX], w[BENCH_RUNS_MAX], r[BENCH_RUNS_MAX];
	double q[BENCH_RUNS_MAX], best = 0;
	struct bench_row *row;
	int i;

	for (i = 0; i < c->n; i++) {
		v[i] = c->val[i];
		f[i] = c->floor[i];
		w[i] = c->wrap[i];
		r[i] = c->raw[i];
		q[i] = c->val[i] / c->floor[i];
		if (!i || q[i] < best)
			best = q[i];
	}
	row = row_add(c->name, case_mode(c));
	row_extra_doubles(row, "runs", c->val, c->n);
	/* Each run's own ratio, and the best: on a shared host the program's
	 * cost swings more than the floor's (docs/PERFORMANCE.md). */
	row_extra_doubles(row, "run_ratios", q, c->n);
	row_extra_double(row, "best_ratio", best);
	row_set_value(row, bench_median(v, c->n), "ns/pkt");
	row_set_floor(row, bench_median(f, c->n));
	if (c->target > 0)
		row_set_target(row, c->target, false);
	row_extra_double(row, "raw", bench_median(r, c->n));
	row_extra_double(row, "wrap", bench_median(w, c->n));
	row_extra_int(row, "repeat", c->repeat);
	if (c->n_direct)
		row_extra_double(row, "direct", bench_median(c->direct, c->n_direct));
	if (c->clients)
		row_extra_int(row, "clients", c->clients);
	if (c->clamped)
		row_extra_int(row, "clamped", c->clamped);
	row_extra_double(row, "call_fixed_ns", syscall_ns);
	if (c->broken_retval >= 0)
		row_extra_int(row, "direct_repeat8_verdict", c->broken_retval);
	bench_log("%-12s %-7s %7.2f ns (raw %.2f wrap %.2f floor %.2f)", c->name,
		  case_mode(c), row->value, bench_median(r, c->n),
		  bench_median(w, c->n), row->floor);
}

/* Sessions for clients 0..n-1 of HOA_CHURN in service svc, on the backend
 * the ring gives each: what n earlier misses would have left. */
static void populate_churn(__u32 svc, __u64 n)
{
	const __u32 chunk = 65536;
	struct mip6lb_session_key *keys = calloc(chunk, sizeof(*keys));
	struct mip6lb_session *vals = calloc(chunk, sizeof(*vals));
	__u64 now = dp_now_ns(), i = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (!keys || !vals)
		bench_fail("out of memory");
	while (i < n) {
		__u32 cnt = n - i < chunk ? n - i : chunk, j;

		for (j = 0; j < cnt; j++) {
			key_addr(&keys[j], svc, HOA_CHURN);
			set_word(&keys[j], KEY_WORD_OFF, (__u32)(i + j));
			vals[j].backend_id = bench_dp_ring_backend(&dp, &keys[j]);
			vals[j].kind = MIP6LB_KIND_HOA;
			vals[j].lifetime_s = MIP6LB_DEFAULT_LIFETIME;
			vals[j].last_used_ns = now;
		}
		if (bpf_map_update_batch(dp.maps.sessions, keys, vals, &cnt, &opts))
			bench_fail("populate %llu sessions: %s", (unsigned long long)n,
				   strerror(errno));
		i += cnt;
	}
	free(keys);
	free(vals);
}

static int events_cb(void *ctx, void *data, size_t len)
{
	return 0;
}

static void tcp_pkt(struct pb *b, const char *src, const char *dst)
{
	pb_init(b, src, dst);
	pb_tcp(b, 40000, 443);
	pb_finish(b);
}

static void hao_pkt(struct pb *b, const char *coa, const char *hoa, const char *dst)
{
	pb_init(b, coa, dst);
	pb_dstopt_hao(b, hoa);
	pb_tcp(b, 40000, 443);
	pb_finish(b);
}

/* The longest chain the parser still walks to its upper layer:
 * MIP6LB_MAX_EXT_HDRS extension headers, the HAO in the fourth. */
static void chain_pkt(struct pb *b, const char *dst)
{
	int i;

	pb_init(b, COA_HAO, dst);
	pb_hbh(b);
	pb_dstopt(b);
	pb_rt2(b, HOA_CHAIN);
	pb_dstopt_hao(b, HOA_CHAIN);
	pb_ah(b, SPI + 1);
	for (i = 5; i < MIP6LB_MAX_EXT_HDRS; i++)
		pb_dstopt(b);
	pb_tcp(b, 40000, 443);
	pb_finish(b);
}

/* The ip6ip6 backends' mtu (the daemon always knows one, so the hit rows
 * time the Packet Too Big check as deployed), and SVC_P64's lb_addr as a
 * /64 (tunnel entropy). */
static int ip6ip6_tunables(void)
{
	static const __u32 firsts[] = { BE_IP6, BE_P64 };
	struct mip6lb_service s;
	__u32 id = SVC_P64, i, j;

	for (i = 0; i < 2; i++) {
		for (j = 0; j < N_BACKENDS; j++) {
			struct mip6lb_backend be;
			__u32 bid = firsts[i] + j;

			if (bpf_map_lookup_elem(dp.maps.backends, &bid, &be))
				return -errno;
			be.mtu = BENCH_MTU;
			if (dp_backend_write(&dp.maps, bid, &be))
				return -errno;
		}
	}
	if (bpf_map_lookup_elem(dp.maps.service_conf, &id, &s))
		return -errno;
	if (inet_pton(AF_INET6, LB_P64, &s.lb_addr) != 1)
		return -EINVAL;
	s.lb_host_mask = mip6lb_lb_host_mask(64);
	return bpf_map_update_elem(dp.maps.service_conf, &id, &s, BPF_ANY) ? -errno : 0;
}

#define MAX_CASES 32

int bench_datapath(void)
{
	static struct dp_case cases[MAX_CASES];
	static const int modes[] = { MIP6LB_FWD_L2_DSR, MIP6LB_FWD_IP6IP6 };
	__u64 churn_n[3] = { 1, 10000, bopt.quick ? 10000 : 1000000 };
	static const char *const churn_names[3] = { "churn-1", "churn-10k", "churn-1m" };
	__u32 hit_repeat = bopt.quick ? 20000 : 1000000;
	__u32 miss_repeat = bopt.quick ? 5000 : 200000;
	__u32 churn_repeat = bopt.quick ? 20000 : 1000000;
	struct mip6lb_settings set = { .events_per_sec = 1000 };   /* the daemon's default */
	__u64 max_sessions;
	int n_cases = 0, m, i, r, err;
	__u32 slot, fd;

	floor_repeat = bopt.quick ? 50000 : 4000000;
	/* Room for every churn client and every new session of every run, so
	 * the LRU never evicts: a hit must stay a hit.  --case sizes for the
	 * one case, so a profile is not all table allocation. */
	{
		const char *oc = bopt.only_case;
		__u64 churn = !oc || strstr(oc, "churn-1m") ? churn_n[2] :
			      strstr(oc, "churn-10k") ? churn_n[1] : 1;
		__u64 miss = !oc || strstr(oc, "miss") ? miss_repeat : 0;

		max_sessions = 2 * churn + 2ULL * (bopt.runs + 1) * miss;
		max_sessions = max_sessions * 5 / 4 + 65536;
		if (bopt.sessions)
			max_sessions = bopt.sessions;
	}

	err = bench_dp_open(&dp, (__u32)max_sessions);
	if (err)
		goto fail;
	wrap_obj = bench_obj_load("bench_wrap");
	floor_obj = bench_obj_load("bench_floor");
	if (!wrap_obj || !floor_obj) {
		err = -errno;
		goto fail;
	}
	wrap_fd = bpf_program__fd(bpf_object__find_program_by_name(wrap_obj, "bench_wrap"));
	wrap_cfg_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_cfg");
	wrap_iter_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_iter");
	wrap_progs_fd = bpf_object__find_map_fd_by_name(wrap_obj, "wrap_progs");
	floor_fd = bpf_program__fd(bpf_object__find_program_by_name(floor_obj, "bench_floor"));
	slot = BENCH_SLOT_FLOOR;
	fd = floor_fd;
	if (bpf_map_update_elem(wrap_progs_fd, &slot, &fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: tail-call slot for bench_floor: %s\n", strerror(-err));
		goto fail;
	}
	slot = BENCH_SLOT_DP;
	fd = dp.prog_fd;
	if (bpf_map_update_elem(wrap_progs_fd, &slot, &fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: tail-call slot for the datapath: %s\n", strerror(-err));
		goto fail;
	}

	{
		int fds[3] = { floor_fd, wrap_fd, dp.prog_fd };

		anchor_programs(fds, 3);
	}

	err = bench_dp_service(&dp, SVC_DSR, VIP_DSR, MIP6LB_FWD_L2_DSR, BE_DSR, N_BACKENDS,
			       TEST_IFINDEX);
	if (!err)
		err = bench_dp_service(&dp, SVC_IP6, VIP_IP6, MIP6LB_FWD_IP6IP6, BE_IP6,
				       N_BACKENDS, TEST_IFINDEX);
	if (!err)
		err = bench_dp_service(&dp, SVC_P64, VIP_P64, MIP6LB_FWD_IP6IP6, BE_P64,
				       N_BACKENDS, TEST_IFINDEX);
	if (!err)
		err = ip6ip6_tunables();
	if (!err)
		err = dp_settings_write(&dp.maps, &set);
	/* Both take binding notifications, as a mobile node's service does:
	 * the datapath then looks a source address up in coa_sessions. */
	if (!err)
		err = bench_dp_notify(&dp, SVC_DSR, MIP6LB_NOTIFY_HA);
	if (!err)
		err = bench_dp_notify(&dp, SVC_IP6, MIP6LB_NOTIFY_HA);
	if (err) {
		fprintf(stderr, "mip6lb-bench: configure the datapath: %s\n", strerror(-err));
		goto fail;
	}
	event_window_fd = bpf_map__fd(dp.skel->maps.event_window);
	events_rb = ring_buffer__new(dp.maps.events, events_cb, NULL, NULL);
	measure_syscall_cost();

	for (m = 0; m < 2; m++) {
		int mode = modes[m];
		__u32 svc = mode == MIP6LB_FWD_IP6IP6 ? SVC_IP6 : SVC_DSR;
		const char *vip = vip_of(mode);
		struct dp_case *c;

#define NEW_CASE(nm, kind, sess) \
	c = &cases[n_cases++]; \
	memset(c, 0, sizeof(*c)); \
	snprintf(c->name, sizeof(c->name), "%s", nm); \
	c->mode = mode; c->svc = svc; c->repeat = hit_repeat; \
	c->verdict = XDP_TX; c->verdict_cnt = MIP6LB_CNT_TX; \
	c->kind_cnt = kind; c->sess_cnt = sess; c->backend = ~0U; \
	c->direct_ok = mode == MIP6LB_FWD_L2_DSR

		NEW_CASE("src-hit", MIP6LB_CNT_KIND_SRC, MIP6LB_CNT_SESSION_HIT);
		tcp_pkt(&c->pkt, SRC_PLAIN, vip);

		NEW_CASE("hao-hit", MIP6LB_CNT_KIND_HOA, MIP6LB_CNT_SESSION_HIT);
		hao_pkt(&c->pkt, COA_HAO, HOA, vip);
		c->target = mode == MIP6LB_FWD_IP6IP6 ? 8 : 7;

		if (mode == MIP6LB_FWD_IP6IP6) {
			/* The same with the outer source from a /64: the
			 * node's hash in its host bits. */
			NEW_CASE("hao-hit", MIP6LB_CNT_KIND_HOA, MIP6LB_CNT_SESSION_HIT);
			c->svc = SVC_P64;
			c->label = "ip6ip6-prefix";
			hao_pkt(&c->pkt, COA_HAO, HOA, VIP_P64);

			/* A full 1500-byte client packet over a 1500-byte
			 * backend link: answered with Packet Too Big, built
			 * in place and sent back (bpf/ptb.h). */
			NEW_CASE("ptb-gen", -1, MIP6LB_CNT_SESSION_HIT);
			pb_init(&c->pkt, SRC_PLAIN, vip);
			pb_udp(&c->pkt, 40000, 53, PTB_PAYLOAD);
			pb_finish(&c->pkt);
			c->verdict_cnt = MIP6LB_CNT_PTB_SENT;
			c->no_forward = true;
			c->flags = BENCH_RESTORE_TAIL;
		}

		NEW_CASE("iid-hit", MIP6LB_CNT_KIND_IID, MIP6LB_CNT_SESSION_HIT);
		tcp_pkt(&c->pkt, SRC_EUI64, vip);

		NEW_CASE("spi-hit", MIP6LB_CNT_KIND_SPI, MIP6LB_CNT_SESSION_HIT);
		pb_init(&c->pkt, COA_SPI, vip);
		pb_esp(&c->pkt, SPI, 48);
		pb_finish(&c->pkt);

		NEW_CASE("coa-hit", MIP6LB_CNT_KIND_COA, MIP6LB_CNT_SESSION_HIT);
		tcp_pkt(&c->pkt, COA_BOUND, vip);
		{
			/* What the daemon writes on a BINDING_NOTIFY: the
			 * care-of address, bound to the home address's backend. */
			struct mip6lb_session_key k;
			struct mip6lb_session s = {
				.kind = MIP6LB_KIND_COA,
				.lifetime_s = MIP6LB_DEFAULT_LIFETIME,
				.last_used_ns = dp_now_ns(),
			};

			key_addr(&k, svc, HOA);
			s.backend_id = bench_dp_ring_backend(&dp, &k);
			key_addr(&k, svc, COA_BOUND);
			if (bpf_map_update_elem(dp.maps.coa_sessions, &k, &s, BPF_ANY))
				bench_fail("insert the coa session: %s", strerror(errno));
			c->backend = s.backend_id;
		}

		/* A new identity within the budget (none here): straight
		 * into sessions, probation on as by default. */
		NEW_CASE("miss-insert", MIP6LB_CNT_KIND_HOA, MIP6LB_CNT_SESSION_NEW);
		hao_pkt(&c->pkt, COA_MISS, HOA_MISS, vip);
		c->repeat = miss_repeat;
		c->flags = BENCH_ID_VARY;
		key_addr(&c->key, svc, HOA_MISS);
		c->direct_ok = false;
		c->target = 18;
		c->probation_ms = CFG_PROBATION_MS;

		/* A new identity over this CPU's budget (the window restarted
		 * and spent before every call): recorded on probation. */
		NEW_CASE("miss-probation", MIP6LB_CNT_KIND_HOA, MIP6LB_CNT_PROBATION_NEW);
		hao_pkt(&c->pkt, COA_MISS, HOA_MISS, vip);
		c->repeat = miss_repeat;
		c->flags = BENCH_ID_VARY;
		key_addr(&c->key, svc, HOA_MISS);
		c->direct_ok = false;
		c->new_per_sec = 1;
		c->probation_ms = CFG_PROBATION_MS;
		c->refill = true;

		/* The same with probation off: the ring's backend, nothing
		 * recorded. */
		NEW_CASE("guard-new", MIP6LB_CNT_KIND_HOA, MIP6LB_CNT_SESSION_UNRECORDED);
		hao_pkt(&c->pkt, COA_MISS, HOA_GUARD, vip);
		c->repeat = miss_repeat;
		c->flags = BENCH_ID_VARY;
		key_addr(&c->key, svc, HOA_GUARD);
		c->direct_ok = false;
		c->new_per_sec = 1;
		c->refill = true;

		/* The later packets of an identity on probation (it came over
		 * the budget; a probation period of an hour keeps it there). */
		NEW_CASE("guard-probation", MIP6LB_CNT_KIND_HOA, MIP6LB_CNT_PROBATION_HIT);
		hao_pkt(&c->pkt, COA_MISS, HOA_PROB, vip);
		c->new_per_sec = 1;
		c->probation_ms = 3600 * 1000;
		c->refill = true;

		NEW_CASE("chain-limit", MIP6LB_CNT_KIND_HOA, MIP6LB_CNT_SESSION_HIT);
		chain_pkt(&c->pkt, vip);

		/* A router's Packet Too Big about a backend's reply to a
		 * client with a session (icmp_error.h): the quote parsed,
		 * the service and the session found from it, read-only. */
		NEW_CASE("icmp-error", MIP6LB_CNT_KIND_SRC, MIP6LB_CNT_ICMP_ERROR_SESSION);
		{
			struct mip6lb_session_key k;
			struct mip6lb_session s = {
				.kind = MIP6LB_KIND_SRC,
				.lifetime_s = MIP6LB_DEFAULT_LIFETIME,
				.last_used_ns = dp_now_ns(),
			};
			struct pb reply;

			pb_init(&reply, vip, SRC_PLAIN);
			pb_tcp_flags(&reply, 443, 40000, 0x10);
			pb_trailer(&reply, 1400);   /* TCP payload: a full segment */
			pb_finish(&reply);
			pb_init(&c->pkt, ROUTER, vip);
			/* As much of the reply as fits in the IPv6 minimum
			 * MTU, as a router quotes it (RFC 4443 §2.4 c): 1280
			 * bytes in all, so that the error fits an ip6ip6
			 * backend's 1500 once encapsulated (ptb.h drops an
			 * oversized error; it may not answer one). */
			pb_icmp6_error(&c->pkt, 2, 0, 1280, &reply, 1280 - 48);
			pb_finish(&c->pkt);
			pb_icmp6_csum(&c->pkt);
			/* The client's session, as src-hit's first packet
			 * makes it (this case may run alone). */
			key_addr(&k, svc, SRC_PLAIN);
			s.backend_id = bench_dp_ring_backend(&dp, &k);
			s.flow_hash = mip6lb_session_hash(&k, dp.hash_id[k.service_id]);
			if (bpf_map_update_elem(dp.maps.sessions, &k, &s, BPF_ANY))
				bench_fail("insert the client's session: %s", strerror(errno));
			c->backend = s.backend_id;
		}

		NEW_CASE("non-service", -1, -1);
		tcp_pkt(&c->pkt, SRC_PLAIN, NOT_VIP);
		c->verdict = XDP_PASS;
		c->verdict_cnt = MIP6LB_CNT_PASS_NOT_SERVICE;
		c->direct_ok = true;

		for (i = 0; i < 3; i++) {
			NEW_CASE(churn_names[i], MIP6LB_CNT_KIND_HOA, MIP6LB_CNT_SESSION_HIT);
			hao_pkt(&c->pkt, COA_CHURN, HOA_CHURN, vip);
			c->repeat = churn_repeat;
			c->flags = BENCH_ID_VARY | BENCH_ID_MOD;
			c->id_mod = churn_n[i];
			c->clients = churn_n[i];
			key_addr(&c->key, svc, HOA_CHURN);
			c->direct_ok = false;
			c->target = i == 2 ? 15 : 0;
		}
#undef NEW_CASE
	}

	if (bopt.only_case) {
		int k = 0;

		for (i = 0; i < n_cases; i++) {
			char full[sizeof(cases[i].name) + 16];

			snprintf(full, sizeof(full), "%.23s/%s", cases[i].name, case_mode(&cases[i]));
			if (!strcmp(bopt.only_case, cases[i].name) || !strcmp(bopt.only_case, full))
				cases[k++] = cases[i];
		}
		n_cases = k;
	}
	for (m = 0; m < 2; m++) {
		__u64 need = 0;

		for (i = 0; i < n_cases; i++)
			if (cases[i].mode == modes[m] && cases[i].clients > need)
				need = cases[i].clients;
		if (need)
			populate_churn(modes[m] == MIP6LB_FWD_IP6IP6 ? SVC_IP6 : SVC_DSR, need);
	}
	bench_log("%d datapath cases, %llu session slots", n_cases,
		  (unsigned long long)max_sessions);

	for (i = 0; i < n_cases; i++) {
		if (!(cases[i].flags & BENCH_ID_VARY))
			warm(&cases[i]);
		validate(&cases[i]);
	}
	bench_perf_ctl("enable");
	for (r = 0; r < bopt.runs; r++)
		for (i = 0; i < n_cases; i++)
			measure(&cases[i]);
	bench_perf_ctl("disable");
	for (i = 0; i < n_cases; i++)
		report(&cases[i]);

	unanchor_programs();
	ring_buffer__free(events_rb);
	events_rb = NULL;
	bpf_object__close(wrap_obj);
	bpf_object__close(floor_obj);
	bench_dp_close(&dp);
	return 0;

fail:
	{
		static const char *const names[] = {
			"src-hit", "hao-hit", "iid-hit", "spi-hit", "coa-hit", "miss-insert",
			"miss-probation", "guard-new", "guard-probation",
			"chain-limit", "icmp-error", "non-service", "churn-1", "churn-10k", "churn-1m",
		};

		for (m = 0; m < 2; m++)
			for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
				row_null(names[i], mode_name(modes[m]), "ns/pkt",
					 "could not set up the datapath benchmark: %s", strerror(-err));
		row_null("hao-hit", "ip6ip6-prefix", "ns/pkt",
			 "could not set up the datapath benchmark: %s", strerror(-err));
		row_null("ptb-gen", "ip6ip6", "ns/pkt",
			 "could not set up the datapath benchmark: %s", strerror(-err));
	}
	unanchor_programs();
	bpf_object__close(wrap_obj);
	bpf_object__close(floor_obj);
	wrap_obj = floor_obj = NULL;
	if (dp.skel)
		bench_dp_close(&dp);
	return err;
}
