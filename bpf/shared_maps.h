/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * shared_maps.h - the datapath maps another BPF object reuses by fd:
 * bpf/health.bpf.c (mip6lbd's tc program for health probes) reads the
 * backends and the services' forwarding the way the datapath does.  One
 * definition, so that the two objects cannot drift apart (libbpf refuses to
 * reuse a map whose type, sizes or flags differ).
 */
#ifndef MIP6LB_SHARED_MAPS_H
#define MIP6LB_SHARED_MAPS_H

/* service id -> service: identity order, forwarding mode, lifetime. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MIP6LB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct mip6lb_service);
} service_conf SEC(".maps");

/* backend id -> address, next hop, flags. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MIP6LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct mip6lb_backend);
} backends SEC(".maps");

#endif
