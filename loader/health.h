/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health.h - mip6lbd's backend health checks (docs/mip6lbd.md "Health
 * checks").  Every backend whose service (or its own override) sets
 * health = tcp|udp|http is probed from the daemon's event loop: one
 * non-blocking socket per probe in flight, no thread, probes spread over
 * the interval by backend id.  A probe goes to [VIP]:health_port marked
 * for its backend, and the tc egress program (bpf/health.bpf.c, attached
 * by health_tc.c) forwards it to that backend the way the datapath would,
 * so it proves that the backend serves the VIP.
 *
 * The verdict drives lib/state_health.c: state_backend_set_down().
 *
 * health.c: scheduling and the state machine; health_probe.c: the
 * sockets; health_tc.c: the tc program.
 */
#ifndef MIP6LB_HEALTH_CHECK_H
#define MIP6LB_HEALTH_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "config.h"

struct lb_state;
struct evloop;
struct health;

/* What the last probe of a backend found. */
enum hc_result {
	HC_R_NONE = 0,               /* not probed yet */
	HC_R_OK,
	HC_R_REFUSED,                /* connection refused / ICMP port unreachable */
	HC_R_TIMEOUT,                /* no answer within health_timeout */
	HC_R_UNREACHABLE,            /* no route, host unreachable */
	HC_R_BAD_REPLY,              /* http: not 2xx/3xx, or not HTTP */
	HC_R_ERROR,                  /* a local error (socket, mark) */
	HC_R_MAX,
};
const char *hc_result_name(int r);

/* A failed probe of a backend that is still up is repeated after this
 * long rather than a whole interval later, so that refused probes (the
 * service is gone) take a backend down within one interval. */
#define HC_REPROBE_MS 0
/* A probe of a backend that is up, still unanswered after this fraction
 * of its timeout, gets a confirmation probe that must answer by the same
 * deadline: when the backend is gone, both fail together and fall 2 is
 * reached one timeout after the first probe, not two.  With the defaults
 * (interval 2 s, timeout 1 s, fall 2) a backend whose probes time out is
 * down at most interval + timeout = 3 s after it died.  Answers on a
 * backend network come in well under a millisecond; half a timeout is
 * ample for a confirmation. */
#define HC_CONFIRM_DIV 2
/* Probes in flight per backend at most: the probe and its confirmation. */
#define HC_MAX_IN_FLIGHT 2

/* ---- the state machine (no I/O; the tests drive it with a fake clock) -- */
struct hc_fsm {
	bool up;
	__u8 rise, fall;
	__u8 ok_run, fail_run;       /* consecutive results */
	__u8 in_flight;              /* probes started and not answered */
	bool confirmed;              /* this run has had its confirmation */
	__u32 interval_ms, timeout_ms;
	__u64 next_ns;               /* when the next probe starts */
	__u64 sched_ns;              /* when the first one in flight was due */
	__u64 started_ns;            /* when the first one in flight started */
	__u64 changed_ns;            /* when up last changed (0 = never) */
	__u64 last_ns;               /* when the last result came */
	__u8 last;                   /* enum hc_result */
	__u64 probes, failures;
};

/* up: the backend's state when checking starts (the state keeps a down
 * backend down across a reload).  The first probe is due at now + phase. */
void hc_fsm_init(struct hc_fsm *f, const struct cfg_health *h, bool up, __u64 now_ns,
		 __u64 phase_ns);
/* A probe starts: the scheduled one (now >= next_ns, none in flight) or
 * a confirmation (now >= hc_fsm_confirm_at()). */
void hc_fsm_start(struct hc_fsm *f, __u64 now_ns);
/* When a confirmation probe is due, or ~0ULL: only for a backend that
 * is up, with one probe in flight whose failure alone would not reach
 * fall (HC_CONFIRM_DIV). */
__u64 hc_fsm_confirm_at(const struct hc_fsm *f);
/* The confirmation due could not start (no next hop yet): none for the
 * probes in flight now. */
void hc_fsm_confirm_skip(struct hc_fsm *f);
/* A result: +1 when the backend just came up, -1 when it just went
 * down, else 0.  An OK ends every probe in flight (the caller closes
 * the others: a newer answer makes theirs moot).  Schedules the next
 * probe once none is in flight: a fixed schedule, except that a failure
 * of a backend still up is re-probed after HC_REPROBE_MS. */
int hc_fsm_result(struct hc_fsm *f, int result, __u64 now_ns);

/* ---- one probe's socket (health_probe.c) -------------------------------- */
struct hc_probe {
	int fd;                      /* -1: none in flight */
	__u8 type;                   /* CFG_HEALTH_TCP/UDP/HTTP */
	bool connected;
	__u64 deadline_ns;
	char buf[320];               /* http: request, then the status line */
	size_t len, off;
};

/* Open a non-blocking socket to dst:port (mark 0: none) and start.
 * Returns HC_R_NONE with p->fd set and *want the EPOLL bits to wait for,
 * or a result at once (a refused or unroutable connect). */
int hc_probe_start(struct hc_probe *p, const struct cfg_health *h, const struct in6_addr *dst,
		   __u16 port, __u32 mark, __u64 now_ns, __u32 *want);
/* The socket is ready (EPOLL bits): HC_R_NONE and *want while it goes
 * on, else the result. */
int hc_probe_event(struct hc_probe *p, __u32 events, __u32 *want);
/* Close without lingering (a TCP probe ends with a RST, leaving no
 * TIME_WAIT on either host). */
void hc_probe_close(struct hc_probe *p);

/* ---- the checker -------------------------------------------------------- */

/* What `backend list` shows of a backend's checks. */
struct health_view {
	bool checked;
	__u8 type;                   /* enum cfg_health_type */
	bool up;
	__u8 last;                   /* enum hc_result */
	__u64 last_ns;               /* 0 = not probed yet */
	__u64 changed_ns;
	__u64 probes, failures;
};

int health_open(struct health **out, struct lb_state *st, struct evloop *loop);
void health_close(struct health *h);
/* Follow the applied config: start, change or stop each backend's
 * checks.  Call after every state_apply(). */
void health_sync(struct health *h);
/* Probes go to the VIP through the tc program (true, once it is
 * attached), or to the backend's own address (false: no tc program). */
void health_set_via_vip(struct health *h, bool on);
bool health_via_vip(const struct health *h);
/* Tests: send every probe to addr instead (the port stays). */
void health_set_dst_override(struct health *h, const struct in6_addr *addr);
/* false when id is not checked. */
bool health_view(const struct health *h, __u32 id, struct health_view *out);
/* Probes started and results that were failures, since the start. */
void health_totals(const struct health *h, __u64 *probes, __u64 *failures);

#endif

/* ---- the tc egress program (health_tc.c) --------------------------------- */
struct health_tc;
struct dp_maps;

/* Load bpf/health.bpf.c over the datapath's backends and service_conf
 * maps and attach it to clsact egress of each interface (replacing one a
 * killed daemon left).  0, or a negative errno (logged). */
int health_tc_attach(struct health_tc **out, const struct dp_maps *maps,
		     const char (*ifaces)[16], int n);
void health_tc_detach(struct health_tc *t);
/* Sums of health_counters (bpf/health_mark.h), out[MIP6LB_HCNT_MAX]. */
int health_tc_counters(const struct health_tc *t, __u64 *out);
