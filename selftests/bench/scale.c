// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * scale.c - the session table at 1M and 10M entries: bytes per session and
 * the time of one aging sweep.
 *
 * Bytes per session: the datapath is loaded with its sessions map resized to
 * N and filled with N sessions; the kernel's own accounting of the map is
 * the "memlock:" line of /proc/self/fdinfo/<fd> (what `bpftool map show`
 * prints).  The map is an LRU hash, which preallocates every entry, so this
 * is the cost of each configured session slot, used or not.
 *
 * Sweep: the daemon's own aging pass, aging_sweep() (lib/aging.h): a
 * bpf_map_lookup_batch walk of the whole table that deletes each batch's
 * expired entries with bpf_map_delete_batch as it goes.  Reported per 1M
 * entries, with every entry expired (the most deletes) and with none (the
 * walk alone).  For comparison, the same pass in the kernel: one
 * bpf_prog_test_run of bench_sweep.bpf.c, bpf_for_each_map_elem + delete.
 *
 * Every session is written as last used now, and "all expired" is a sweep
 * with the clock two lifetimes ahead: a last use two lifetimes in the past
 * would be before boot on a machine up for less than that, and wrap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bench.h"
#include "aging.h"

#define BATCH 4096     /* fill batch */

static long long fdinfo_memlock(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* The sweep's clock: now, or two lifetimes on, when every session written
 * by fill() has expired. */
static __u64 sweep_clock(bool expired)
{
	return dp_now_ns() + (expired ? 2ULL * MIP6LB_DEFAULT_LIFETIME * 1000000000ULL : 0);
}

/* N sessions, last used now. */
static double fill(int fd, __u64 n)
{
	struct mip6lb_session_key *keys = calloc(BATCH, sizeof(*keys));
	struct mip6lb_session *vals = calloc(BATCH, sizeof(*vals));
	__u64 now = dp_now_ns(), i = 0;
	double t0 = bench_now_ns();
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (!keys || !vals)
		bench_fail("out of memory");
	while (i < n) {
		__u32 cnt = n - i < BATCH ? n - i : BATCH, j;

		for (j = 0; j < cnt; j++) {
			__u64 id = i + j;

			memset(&keys[j], 0, sizeof(keys[j]));
			keys[j].service_id = id % 3;
			keys[j].space = MIP6LB_SPACE_ADDR;
			keys[j].id.addr.s6_addr[0] = 0x20;
			keys[j].id.addr.s6_addr[1] = 0x01;
			memcpy(&keys[j].id.addr.s6_addr[8], &id, sizeof(id));
			vals[j].backend_id = id % 64;
			vals[j].kind = MIP6LB_KIND_HOA;
			vals[j].lifetime_s = MIP6LB_DEFAULT_LIFETIME;
			vals[j].last_used_ns = now;
		}
		if (bpf_map_update_batch(fd, keys, vals, &cnt, &opts))
			bench_fail("fill %llu sessions: %s", (unsigned long long)n, strerror(errno));
		i += cnt;
	}
	free(keys);
	free(vals);
	return (bench_now_ns() - t0) / 1e6;
}

/* One aging pass of the daemon's (lib/aging.h) with the clock at now_ns;
 * returns ms, the entries walked and deleted. */
static double sweep(int fd, __u64 now_ns, __u64 *walked, __u64 *deleted)
{
	struct aging_result res;
	double t0 = bench_now_ns();
	int err;

	bench_perf_ctl("enable");
	err = aging_sweep(fd, now_ns, &res);
	bench_perf_ctl("disable");
	if (err)
		bench_fail("aging_sweep: %s", strerror(-err));
	*walked = res.scanned;
	*deleted = res.deleted;
	return (bench_now_ns() - t0) / 1e6;
}

/* The same pass done in the kernel (bench_sweep.bpf.c): for comparison. */
struct sweep_state {
	__u64 now_ns;
	__u64 scanned;
	__u64 deleted;
};

static struct bpf_object *ksweep_obj;
static int ksweep_prog = -1, ksweep_state = -1;

static int ksweep_open(int sessions_fd)
{
	char path[1024];
	struct bpf_map *m;
	int err;

	snprintf(path, sizeof(path), "%s/selftests/bench_sweep.bpf.o", bopt.build_dir);
	ksweep_obj = bpf_object__open_file(path, NULL);
	if (!ksweep_obj)
		return -errno;
	m = bpf_object__find_map_by_name(ksweep_obj, "sessions");
	err = m ? bpf_map__reuse_fd(m, sessions_fd) : -ENOENT;
	if (!err)
		err = bpf_object__load(ksweep_obj);
	if (err) {
		bpf_object__close(ksweep_obj);
		ksweep_obj = NULL;
		return err;
	}
	ksweep_prog = bpf_program__fd(bpf_object__find_program_by_name(ksweep_obj, "bench_sweep"));
	ksweep_state = bpf_object__find_map_fd_by_name(ksweep_obj, "sweep_state");
	return 0;
}

static void ksweep_close(void)
{
	bpf_object__close(ksweep_obj);
	ksweep_obj = NULL;
}

static double ksweep(__u64 now_ns, __u64 *walked, __u64 *deleted)
{
	struct sweep_state st = { .now_ns = now_ns };
	__u8 frame[64] = {};
	__u32 zero = 0;
	double t0;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = 1);

	if (bpf_map_update_elem(ksweep_state, &zero, &st, BPF_ANY))
		bench_fail("sweep_state: %s", strerror(errno));
	t0 = bench_now_ns();
	if (bpf_prog_test_run_opts(ksweep_prog, &o) || o.retval != 2 /* XDP_PASS */)
		bench_fail("bench_sweep: %s (verdict %u)", strerror(errno), o.retval);
	t0 = (bench_now_ns() - t0) / 1e6;
	if (bpf_map_lookup_elem(ksweep_state, &zero, &st))
		bench_fail("sweep_state: %s", strerror(errno));
	*walked = st.scanned;
	*deleted = st.deleted;
	return t0;
}

static void scale_at(__u64 n, const char *label, int runs, bool primary)
{
	struct bench_dp dp;
	double all[BENCH_RUNS_MAX], none[BENCH_RUNS_MAX], fill_ms = 0;
	double kall[BENCH_RUNS_MAX], knone[BENCH_RUNS_MAX];
	bool kernel = primary;
	__u64 walked = 0, deleted = 0, present = 0;
	long long memlock;
	char mode[24];
	int err, r;

	err = bench_dp_open(&dp, (__u32)n);
	if (err) {
		row_null("bytes-per-session", label, "B", "load with %llu sessions: %s",
			 (unsigned long long)n, strerror(-err));
		return;
	}
	for (r = 0; r < runs; r++) {
		double f = fill(dp.maps.sessions, n);

		if (!r)
			fill_ms = f;
		none[r] = sweep(dp.maps.sessions, sweep_clock(false), &walked, &deleted);
		if (deleted)
			bench_fail("sweep of fresh sessions deleted %llu", (unsigned long long)deleted);
		present = walked;
		/* Every fresh session must still be there: an LRU map evicts
		 * only when its free list runs dry, which would make this a
		 * different table. */
		if (walked < n - n / 1000)
			bench_fail("%llu of %llu sessions present after the fill",
				   (unsigned long long)walked, (unsigned long long)n);
		if (!r) {
			struct bench_row *row = row_add("bytes-per-session", label);

			memlock = fdinfo_memlock(dp.maps.sessions);
			if (memlock <= 0)
				bench_fail("no memlock in fdinfo of the sessions map");
			row_set_value(row, (double)memlock / n, "B");
			row_extra_int(row, "memlock", memlock);
			row_extra_int(row, "max_entries", n);
			row_extra_int(row, "present", present);
			row_extra_double(row, "fill_ms", fill_ms);
			row_extra_str(row, "source", "/proc/self/fdinfo memlock (= bpftool map show)");
		}
		fill(dp.maps.sessions, n);
		all[r] = sweep(dp.maps.sessions, sweep_clock(true), &walked, &deleted);
		if (deleted != walked || walked < n - n / 1000)
			bench_fail("sweep of expired sessions: walked %llu, deleted %llu of %llu",
				   (unsigned long long)walked, (unsigned long long)deleted,
				   (unsigned long long)n);
		bench_log("sweep %s: fresh %.1f ms, expired %.1f ms (%llu entries)", label,
			  none[r], all[r], (unsigned long long)walked);

		if (kernel && !r && (err = ksweep_open(dp.maps.sessions))) {
			fprintf(stderr, "mip6lb-bench: bench_sweep: %s\n", strerror(-err));
			kernel = false;
		}
		if (!kernel)
			continue;
		fill(dp.maps.sessions, n);
		knone[r] = ksweep(sweep_clock(false), &walked, &deleted);
		if (deleted || walked < n - n / 1000)
			bench_fail("kernel sweep of fresh sessions: walked %llu, deleted %llu",
				   (unsigned long long)walked, (unsigned long long)deleted);
		fill(dp.maps.sessions, n);
		kall[r] = ksweep(sweep_clock(true), &walked, &deleted);
		if (deleted != walked || walked < n - n / 1000)
			bench_fail("kernel sweep of expired sessions: walked %llu, deleted %llu",
				   (unsigned long long)walked, (unsigned long long)deleted);
		bench_log("kernel sweep %s: fresh %.1f ms, expired %.1f ms", label, knone[r], kall[r]);
	}
	if (kernel)
		ksweep_close();
	bench_dp_close(&dp);

	/* Per 1M entries. */
	for (r = 0; r < runs; r++) {
		all[r] *= 1e6 / n;
		none[r] *= 1e6 / n;
		kall[r] *= 1e6 / n;
		knone[r] *= 1e6 / n;
	}
	{
		struct bench_row *row;

		snprintf(mode, sizeof(mode), primary ? "all-expired" : "all-expired-%s", label);
		row = row_add("sweep-1m-ms", mode);
		row_extra_doubles(row, "runs", all, runs);
		row_set_value(row, bench_median(all, runs), "ms");
		row_set_target(row, 250, false);
		row_extra_int(row, "table", n);
		snprintf(mode, sizeof(mode), primary ? "none-expired" : "none-expired-%s", label);
		row = row_add("sweep-1m-ms", mode);
		row_extra_doubles(row, "runs", none, runs);
		row_set_value(row, bench_median(none, runs), "ms");
		row_set_target(row, 250, false);
		row_extra_int(row, "table", n);
		if (!kernel)
			return;
		/* Not what the daemon does: the same pass in one BPF program. */
		row = row_add("sweep-1m-ms", "bpf-all-expired");
		row_extra_doubles(row, "runs", kall, runs);
		row_set_value(row, bench_median(kall, runs), "ms");
		row_set_target(row, 250, false);
		row_extra_str(row, "how", "bench_sweep.bpf.c: bpf_for_each_map_elem + delete");
		row = row_add("sweep-1m-ms", "bpf-none-expired");
		row_extra_doubles(row, "runs", knone, runs);
		row_set_value(row, bench_median(knone, runs), "ms");
		row_set_target(row, 250, false);
		row_extra_str(row, "how", "bench_sweep.bpf.c: bpf_for_each_map_elem + delete");
	}
}

int bench_scale(void)
{
	if (bopt.quick) {
		scale_at(100000, "100k", 1, true);
		return 0;
	}
	scale_at(1000000, "1m", bopt.runs < 3 ? bopt.runs : 3, true);
	scale_at(10000000, "10m", 1, false);
	return 0;
}
