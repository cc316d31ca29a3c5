/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* maps.h - every map of the datapath.  The daemon pins them all under its
 * pin dir (default /sys/fs/bpf/mip6lb/<map name>); all keys and values are
 * BTF-typed structs from mip6lb.h so `bpftool map dump` names the fields. */
#ifndef MIP6LB_MAPS_H
#define MIP6LB_MAPS_H

#include "mip6lb.h"
#include "parse.h"

/* (vip, proto, port) -> service id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MIP6LB_MAX_SERVICES * 4);
	__type(key, struct mip6lb_service_key);
	__type(value, struct mip6lb_service_ref);
} services SEC(".maps");

#include "shared_maps.h"   /* service_conf, backends */

/* vip -> service for packets with no port to match (later fragments,
 * chains longer than MIP6LB_MAX_EXT_HDRS), and the one-lookup fast path.
 * Every VIP with a service has an entry: the datapath treats a miss as
 * "not a service" (dp_service_write maintains it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MIP6LB_MAX_VIPS);
	__type(key, struct in6_addr);
	__type(value, struct mip6lb_vip);
} vips SEC(".maps");

/* mip6lb_vip_bucket_of(vip) -> up to four VIPs of that bucket: the
 * datapath's inlined copy of vips (mip6lb.h); dp_vips_refresh writes it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MIP6LB_VIP_BUCKETS);
	__type(key, __u32);
	__type(value, struct mip6lb_vip_bucket);
} vip_index SEC(".maps");


/* service id * MIP6LB_RING_SIZE + slot -> backend id (Maglev, built in
 * userspace from the active, undrained backends). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MIP6LB_MAX_SERVICES * MIP6LB_RING_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} rings SEC(".maps");

/* (service, keyspace, identity) -> backend, kind, lifetime, last use, the
 * node's anchor: the established sessions.  A plain hash, not an LRU, so
 * that no packet can push an idle session out: new identities enter it
 * within a per-CPU budget (session.h), and when it is full they go on
 * probation (session_table_full) until aging frees slots.  Shared by all
 * CPUs (a node's packets arrive on any). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MIP6LB_MAX_SESSIONS);
	__type(key, struct mip6lb_session_key);
	__type(value, struct mip6lb_session);
} sessions SEC(".maps");

/* Same key -> a new identity on probation (MIP6LB_SESS_PROBATION): one
 * that came over the per-CPU budget or while sessions was full, first seen
 * at last_used_ns, forwarded to its backend until it is seen again
 * settings.probation_ms later and moves into sessions.  An LRU with
 * per-CPU lists (only the datapath writes it), so what a flood brings
 * beyond the budget churns this table and never sessions. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(map_flags, BPF_F_NO_COMMON_LRU);
	__uint(max_entries, MIP6LB_PROBATION_SLOTS);
	__type(key, struct mip6lb_session_key);
	__type(value, struct mip6lb_session);
} probation SEC(".maps");

/* Same key -> the sessions of kind coa, written only by the daemon from
 * authenticated binding notifications (loader/notify_coa.c), sized by the
 * bindings it may hold: hashing cannot rebuild them, so traffic must not
 * evict them.  The datapath looks a source address up here after
 * sessions, refreshes last use and re-hashes in place. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MIP6LB_MAX_BINDINGS);
	__type(key, struct mip6lb_session_key);
	__type(value, struct mip6lb_session);
} coa_sessions SEC(".maps");

/* (src, dst, fragment id) -> the first fragment's service and backend. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MIP6LB_MAX_FRAGS);
	__type(key, struct mip6lb_frag_key);
	__type(value, struct mip6lb_frag);
} frags SEC(".maps");

/* Slot 0: every counter (enum mip6lb_counter -> packets and bytes), per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mip6lb_counters);
} counters SEC(".maps");

/* backend id -> packets and bytes forwarded to it, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MIP6LB_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct mip6lb_counter_val);
} backend_stats SEC(".maps");

/* service id -> packets that started a session mid-flow (TCP without
 * SYN), per CPU: the broken-persistence signal. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MIP6LB_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct mip6lb_service_stats);
} service_stats SEC(".maps");

/* Egress interfaces other than the ingress one, for bpf_redirect_map. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

/* New-session events for the daemon (subscriptions to Home Agents). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, MIP6LB_EVENTS_BYTES);
} events SEC(".maps");

/* Per-CPU one-second window that rate-limits events and the new
 * identities recorded (struct mip6lb_event_window, mip6lb.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mip6lb_event_window);
} event_window SEC(".maps");

/* Per-CPU: the coarse clock as last read, and the jiffy it was read in. */
struct mip6lb_clock {
	__u64 jiffies;
	__u64 now_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mip6lb_clock);
} clock_cache SEC(".maps");

/* Per-CPU token bucket of the Packet Too Big messages (settings.ptb_per_sec,
 * bpf/ptb.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mip6lb_ptb_bucket);
} ptb_bucket SEC(".maps");

/* Slot 0: datapath tunables written by the daemon. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mip6lb_settings);
} settings SEC(".maps");

/* Per-CPU scratch for the parse result: the verifier does not track the
 * contents of map values, so the parser's flags do not multiply its states.
 * Slot 0: the packet; slot 1: the packet an ICMPv6 error quotes
 * (icmp_error.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct mip6lb_pkt);
} scratch SEC(".maps");

#endif
