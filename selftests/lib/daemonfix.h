/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * daemonfix.h - the daemon's parts over real maps: a temporary pin dir
 * under /sys/fs/bpf, datapath_open() (maps only, nothing attached) and a
 * state applying configs parsed by config.c.  "Restart" closes both and
 * opens them again on the same pins.  Every helper asserts.
 */
#ifndef MIP6LB_DAEMONFIX_H
#define MIP6LB_DAEMONFIX_H

#include <limits.h>
#include <linux/types.h>
#include "datapath.h"
#include "state.h"

#define DFX_SESSIONS 16384

struct dfx {
	char pin_dir[PATH_MAX];
	struct datapath dp;
	struct lb_state *st;
	struct nh_resolver *nh;      /* NULL unless dfx_open_nh() */
	int prog_fd;                 /* dfx_load_prog(), else -1 */
	struct mip6lb *prog_skel;
	__u32 max_sessions;          /* 0: DFX_SESSIONS */
};

/* Temporary names of this test run: BASE/mip6lb-ut-RUN-XXXXXX (for mkdtemp
 * or mkstemp), RUN being the Check runner's pid, so a failed test's
 * leftovers can be swept without touching a concurrent run's. */
void dfx_tmpname(char *buf, size_t len, const char *base);
/* Unchecked teardown (runs in the runner): flush this run's pin dirs and
 * remove its temporary files, whatever failed tests left behind. */
void dfx_sweep(void);

void dfx_open(struct dfx *f);
/* The same with a session table of max_sessions entries. */
void dfx_open_sized(struct dfx *f, __u32 max_sessions);
/* The same with the real next-hop resolver. */
void dfx_open_nh(struct dfx *f);
/* state_free + datapath_close, then open both again on the same pins. */
void dfx_restart(struct dfx *f);
/* Close everything and remove the pins. */
void dfx_close(struct dfx *f);

/* Parse ini with config.c and apply it. */
void dfx_apply(struct dfx *f, const char *ini);

/* Ids by name (asserted to exist). */
__u32 dfx_svc(struct dfx *f, const char *name);
__u32 dfx_be(struct dfx *f, const char *svc, const char *name);

/* Map reads. */
void dfx_backend(struct dfx *f, __u32 id, struct mip6lb_backend *out);
void dfx_service_conf(struct dfx *f, __u32 id, struct mip6lb_service *out);
/* Service id behind (vip, proto, port), or -ENOENT. */
int dfx_service_key(struct dfx *f, const char *vip, __u8 proto, __u16 port);
/* The VIP's default service id, or -ENOENT. */
int dfx_vip(struct dfx *f, const char *vip);
/* How many slots of the service's ring hold backend id (or, with id ==
 * ~0U, no backend). */
__u32 dfx_ring_count(struct dfx *f, __u32 sid, __u32 id);

/* Sessions in the address keyspace. */
void dfx_session_put(struct dfx *f, __u32 sid, const char *addr, __u32 backend_id,
		     __u32 lifetime_s, __u64 last_used_ns);
/* The same in one table (enum dp_session_table): a coa session (kind coa)
 * or a probation entry (flag MIP6LB_SESS_PROBATION), as the datapath and
 * the notifications write them. */
void dfx_session_put_table(struct dfx *f, int table, __u32 sid, const char *addr,
			   __u32 backend_id);
/* 0 and *val, or -ENOENT. */
int dfx_session_get(struct dfx *f, __u32 sid, const char *addr, struct mip6lb_session *val);
long dfx_session_count(struct dfx *f);

/* Load the XDP program on the pinned maps (for bpf_prog_test_run). */
void dfx_load_prog(struct dfx *f);
/* Run one packet (pktbuild.h) through the program loaded by
 * dfx_load_prog(); returns the verdict and the destination MAC of the
 * output frame. */
struct pb;
int dfx_run(struct dfx *f, const struct pb *b, __u8 dmac[6]);
/* The same for a UDP packet from src to vip:port. */
int dfx_run_udp(struct dfx *f, const char *src, const char *vip, __u16 port, __u8 dmac[6]);

#endif
