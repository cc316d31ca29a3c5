/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench.h - mip6lb-bench: the rows it reports, the options every phase
 * reads, and the helpers the phases share (loading the datapath, timing
 * bpf_prog_test_run).  One file per phase: dp.c (datapath classes and
 * churn), veth.c (packets per second through a real interface), scale.c
 * (bytes per session, aging sweep), maglev_rows.c (ring disruption and
 * balance), main.c (options, table, JSON).
 */
#ifndef MIP6LB_BENCH_H
#define MIP6LB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"
#include "dpmaps.h"

struct json_object;
struct mip6lb;

/* ---- options ------------------------------------------------------------ */

#define BENCH_RUNS_MAX 15

struct bench_opts {
	bool quick;            /* smoke mode: small counts, for make check */
	int runs;              /* timed runs per figure; the median is reported */
	int cpu;               /* every test_run and the veth traffic run here */
	const char *build_dir; /* where build/selftests/bench_*.bpf.o live */
	const char *only;      /* phase filter: dp, veth, scale, maglev */
	const char *only_case; /* datapath case filter: NAME or NAME/MODE (profiling) */
	unsigned long long sessions; /* --sessions: the datapath table's size (0 = sized
				      * so that nothing is evicted); needs --case */
	bool verbose;
};

extern struct bench_opts bopt;

/* ---- rows --------------------------------------------------------------- */

/* One line of the table and one object of bench.json's "rows".  Fields
 * without a value are JSON null.  extra holds any further fields (runs,
 * raw timings, counts) and is owned by the row. */
struct bench_row {
	char name[32];
	char mode[24];          /* "" = null */
	bool has_value;
	double value;
	char unit[16];
	bool has_floor;
	double floor;
	bool has_ratio;
	double ratio;
	bool has_target;
	double target;
	bool target_min;        /* target is a lower bound (ratio >= target) */
	char why[200];          /* why value is null */
	struct json_object *extra;
};

/* Append a row; returns it for the caller to fill. */
struct bench_row *row_add(const char *name, const char *mode);
/* A row that cannot run: value null, with the reason; returned for extras. */
struct bench_row *row_null(const char *name, const char *mode, const char *unit,
			   const char *why, ...) __attribute__((format(printf, 4, 5)));
void row_set_value(struct bench_row *r, double value, const char *unit);
void row_set_floor(struct bench_row *r, double floor);  /* and ratio */
void row_set_target(struct bench_row *r, double target, bool is_min);
/* Extra JSON fields. */
void row_extra_double(struct bench_row *r, const char *key, double v);
void row_extra_int(struct bench_row *r, const char *key, int64_t v);
void row_extra_str(struct bench_row *r, const char *key, const char *v);
void row_extra_doubles(struct bench_row *r, const char *key, const double *v, int n);
/* true when the row met its target; -1 when it has none. */
int row_met(const struct bench_row *r);

/* ---- phases ------------------------------------------------------------- */

/* Each returns 0, or a negative errno when the phase could not run at all
 * (its rows are then null with the reason).  A failed assertion (wrong
 * verdict, wrong backend) is fatal: bench_fail(). */
int bench_datapath(void);
/* flood-kept and insert-2cpu (admission_rows.c). */
int bench_admission(void);
int bench_decap(void);      /* decap_rows.c: mip6lb-decap's program */
int bench_veth(void);
int bench_scale(void);
int bench_maglev(void);
int bench_notify(void);
int bench_adopt(void);
int bench_health(void);     /* health_rows.c: the checker's CPU */
int bench_sync(void);       /* sync_rows.c: session sync between instances */
int bench_memlat(void);
/* withdraw-ms (withdraw_rows.c): runs selftests/netns/test_21_bgp_withdraw.sh. */
int bench_withdraw(void);
/* --lineinfo FILE: JIT offset -> source line of the datapath (lineinfo.c). */
int bench_lineinfo(const char *path);

/* Print "mip6lb-bench: <msg>" and exit 1: an assertion about what was
 * measured failed, so no figure of this run can be trusted. */
void bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void bench_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- shared helpers ------------------------------------------------------ */

/* The datapath, loaded from its skeleton with rings for BENCH_SERVICES
 * services and a sessions table of max_sessions entries. */
#define BENCH_SERVICES 4

struct bench_dp {
	struct mip6lb *skel;
	struct dp_maps maps;
	int prog_fd;
	__u32 *ring[BENCH_SERVICES];   /* userspace copy of each service's ring */
	__u32 hash_id[BENCH_SERVICES]; /* each service's mip6lb_service.hash_id */
};

int bench_dp_open(struct bench_dp *d, __u32 max_sessions);
void bench_dp_close(struct bench_dp *d);

/* Service with identity order "hoa,spi,iid,src", EUI-64 filter on, and
 * backends first..first+n-1 on a ring of equal weights, each with a resolved
 * next hop on ifindex (MACs 02:be:00:00:00:id from 02:00:00:00:00:aa). */
int bench_dp_service(struct bench_dp *d, __u32 id, const char *vip, int forward,
		     __u32 first_backend, int n_backends, __u32 ifindex);
/* The backend the datapath would pick on a miss for this key. */
/* Set the service's notify mode (MIP6LB_NOTIFY_*): with one, the datapath
 * looks a source address up in coa_sessions. */
int bench_dp_notify(struct bench_dp *d, __u32 id, __u8 mode);
__u32 bench_dp_ring_backend(struct bench_dp *d, const struct mip6lb_session_key *key);

/* An object from build/selftests/<name>.bpf.o, loaded. */
struct bpf_object *bench_obj_load(const char *name);

/* A private network namespace for this process: unshare on enter, back to
 * the original on leave.  Nothing in it is named or pinned, so it and its
 * devices vanish when the process leaves it or exits, however it exits. */
struct bench_netns {
	int orig_fd;
	bool entered;
};
int bench_netns_enter(struct bench_netns *ns);
void bench_netns_leave(struct bench_netns *ns);
/* Run a shell command (in the current namespace); 0 when it exits 0. */
int bench_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic ns; CPU time of this thread in ns. */
double bench_now_ns(void);
double bench_cpu_ns(void);
int bench_pin_cpu(int cpu);
/* "enable" / "disable" perf sampling when run under profile.sh. */
void bench_perf_ctl(const char *cmd);
double bench_median(double *v, int n);   /* sorts v */

#endif
