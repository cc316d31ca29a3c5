/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * health_mark.h - what mip6lbd's health checker (loader/health.c) and its tc
 * egress program (bpf/health.bpf.c) agree on: the socket mark that names
 * the backend a probe is for, and the program's counters.
 *
 * A probe is an ordinary socket of the balancer's host, connected to
 * [VIP]:health_port with SO_MARK = MIP6LB_HEALTH_MARK | backend id.  The
 * egress program rewrites every frame carrying such a mark the way the
 * datapath forwards a balanced packet to that backend, so the probe proves
 * that the backend serves the VIP over the path traffic takes.
 */
#ifndef MIP6LB_HEALTH_MARK_H
#define MIP6LB_HEALTH_MARK_H

#define MIP6LB_HEALTH_MARK      0x6d6c0000U   /* "ml" */
#define MIP6LB_HEALTH_MARK_MASK 0xffff0000U
/* Backend ids fit the low 16 bits. */
_Static_assert(MIP6LB_MAX_BACKENDS <= 0x10000, "backend id fits the mark");

/* health_counters: one per-CPU slot each. */
enum mip6lb_health_counter {
	MIP6LB_HCNT_FORWARDED = 0,     /* a probe frame sent to its backend */
	MIP6LB_HCNT_NO_BACKEND,        /* the mark names no backend: dropped */
	MIP6LB_HCNT_NO_NEXTHOP,        /* backend's next hop unresolved: dropped */
	MIP6LB_HCNT_ENCAP_FAILED,      /* ip6ip6: no room for the outer header */
	MIP6LB_HCNT_MAX,
};

#endif
