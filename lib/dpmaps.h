/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * dpmaps.h - userspace access to the datapath's maps by fd: writing
 * services, backends and rings, reading counters and sessions.  The daemon,
 * the CLI (offline classify, read-only commands) and the tests share it.
 */
#ifndef MIP6LB_DPMAPS_H
#define MIP6LB_DPMAPS_H

#include <stdbool.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"

struct bpf_object;

/* One fd per map; -1 where not open.  The names match the map names in
 * bpf/maps.h and the pin file names. */
struct dp_maps {
	int services;
	int service_conf;
	int vips;
	int vip_index;
	int backends;
	int rings;
	int sessions;
	int frags;
	int counters;
	int backend_stats;
	int tx_ports;
	int events;
	int settings;
	int probation;
	int coa_sessions;
	int service_stats;
};

#define DP_MAP_COUNT 16
extern const char *const dp_map_names[DP_MAP_COUNT];

/* The sizes of the session tables, fixed when the maps are created:
 * sessions (daemon.max_sessions), probation (daemon.probation_sessions)
 * and coa_sessions (daemon.max_bindings). */
struct dp_sizes {
	__u32 sessions;
	__u32 probation;
	__u32 coa;
};

/* The defaults for a sessions table of max_sessions: probation of
 * MIP6LB_PROBATION_SLOTS but at most max_sessions, MIP6LB_MAX_BINDINGS. */
void dp_sizes_default(struct dp_sizes *s, __u32 max_sessions);

/* fds by index in dp_map_names order. */
int *dp_maps_slot(struct dp_maps *m, int idx);
void dp_maps_init(struct dp_maps *m);
/* Fill from a loaded object (fds owned by the object). */
int dp_maps_from_object(struct dp_maps *m, struct bpf_object *obj);
/* Open pinned maps under dir (fds owned by the caller: dp_maps_close). */
int dp_maps_open_pinned(struct dp_maps *m, const char *dir);
void dp_maps_close(struct dp_maps *m);

/* Write a service: conf slot, its (vip, proto, port) key, and the VIP's
 * default service when vip_default is set or the VIP has none yet. */
int dp_service_write(const struct dp_maps *m, const struct mip6lb_service_key *key,
		     const struct mip6lb_service *svc, bool vip_default);
/* Recompute every VIP's fast_id from the services map: the VIP's only
 * service if it is (vip, any, any), else MIP6LB_NO_SERVICE; then bring
 * vip_index in line with vips (dp_vip_index_sync).  The writers
 * below call it; call it after changing services or vips by hand. */
int dp_vips_refresh(const struct dp_maps *m);
/* Rewrite the vip_index buckets that differ from vips: a VIP that stays
 * keeps its slot, so a lookup racing the update still finds it. */
int dp_vip_index_sync(const struct dp_maps *m);
/* Remove the key; clear the conf slot; drop the VIP default if it was it. */
int dp_service_delete(const struct dp_maps *m, const struct mip6lb_service_key *key,
		      __u32 id);
int dp_backend_write(const struct dp_maps *m, __u32 id, const struct mip6lb_backend *be);
int dp_backend_clear(const struct dp_maps *m, __u32 id);
/* ring has MIP6LB_RING_SIZE entries (backend ids or 0xffffffff). */
int dp_ring_write(const struct dp_maps *m, __u32 service_id, const __u32 *ring);
int dp_settings_write(const struct dp_maps *m, const struct mip6lb_settings *s);

/* Sum per-CPU counters: out[MIP6LB_CNT_MAX]. */
int dp_counters_read(const struct dp_maps *m, struct mip6lb_counter_val *out);
int dp_backend_stats_read(const struct dp_maps *m, __u32 id, struct mip6lb_counter_val *out);
/* A service's mid-flow session starts, summed over CPUs. */
int dp_service_stats_read(const struct dp_maps *m, __u32 id, struct mip6lb_service_stats *out);

/* CLOCK_MONOTONIC in ns: the clock bpf_ktime_get_coarse_ns() reads. */
__u64 dp_now_ns(void);

/* The one walk of a session table (the sessions map at fd), batch by
 * batch: up to `batch` entries per bpf_map_lookup_batch, handed to cb
 * before the next batch is read, so cb may delete what it was given (the
 * aging sweep does).  cb returns 0 to go on, > 0 to stop, or a negative
 * errno to stop with.  Returns the entries read or a negative errno. */
typedef int (*dp_sessions_batch_cb)(const struct mip6lb_session_key *keys,
				    const struct mip6lb_session *vals, __u32 n,
				    void *arg);
long dp_sessions_walk(int fd, __u32 batch, dp_sessions_batch_cb cb, void *arg);

/* Iterate every session table one entry at a time (over dp_sessions_walk):
 * sessions, then coa_sessions (kind coa), then probation (flag
 * MIP6LB_SESS_PROBATION), so a caller tells them apart by the value; cb
 * returns non-zero to stop.  Returns the number of entries visited or a
 * negative errno. */
typedef int (*dp_session_cb)(const struct mip6lb_session_key *key,
			     const struct mip6lb_session *val, void *arg);
long dp_sessions_foreach(const struct dp_maps *m, dp_session_cb cb, void *arg);

/* The session table a value was read from (see dp_sessions_foreach). */
int dp_session_table_fd(const struct dp_maps *m, const struct mip6lb_session *val);

/* Look key up the way the datapath does for a source address: sessions,
 * coa_sessions, then probation.  0 with *val, or -ENOENT. */
int dp_session_lookup(const struct dp_maps *m, const struct mip6lb_session_key *key,
		      struct mip6lb_session *val);

/* Delete key from every session table.  0 when it was in one, else
 * -ENOENT (or another negative errno). */
int dp_session_delete(const struct dp_maps *m, const struct mip6lb_session_key *key);

/* The session tables, for walks that must cover each (aging, removal). */
#define DP_SESSION_TABLES 3
void dp_session_tables(const struct dp_maps *m, int fds[DP_SESSION_TABLES]);

/* dpmaps_count.c: how many sessions name each backend and each service,
 * per session table (the indexes of dp_session_tables()), with one walk of
 * each table: what an operator waits on before removing a drained backend
 * (`backend list`, the metrics). */
enum dp_session_table {
	DP_TABLE_SESSIONS = 0,
	DP_TABLE_COA,
	DP_TABLE_PROBATION,
};
struct dp_session_counts {
	__u32 backend[MIP6LB_MAX_BACKENDS][DP_SESSION_TABLES];
	__u32 service[MIP6LB_MAX_SERVICES][DP_SESSION_TABLES];
	long table[DP_SESSION_TABLES];  /* entries in each table */
};
/* Zero *c and count; 0 or a negative errno (a table the program lacks
 * counts 0). */
int dp_session_counts(const struct dp_maps *m, struct dp_session_counts *c);
/* A backend's or service's sessions over every table. */
__u32 dp_session_counts_sum(const __u32 per_table[DP_SESSION_TABLES]);
/* "sessions" | "coa" | "probation": the JSON keys and metric labels. */
const char *dp_session_table_name(int table);

#endif
