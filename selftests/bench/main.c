// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lb-bench: measure the datapath, the scale and the Maglev ring, print
 * a table and write bench.json (docs/PERFORMANCE.md describes the method).
 *
 *   mip6lb-bench [--quick] [--json FILE] [--runs N] [--cpu N] [--only PHASE] [-v]
 *
 * Exit 0 when every phase ran or reported why it could not; 1 when an
 * assertion about what was measured failed; 2 on a usage error.  Targets
 * are printed, never enforced: a missed target does not fail the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "bench.h"

struct bench_opts bopt = {
	.runs = 5,
	.cpu = -1,
};

#define MAX_ROWS 160
static struct bench_row rows[MAX_ROWS];
static int n_rows;

void bench_log(const char *fmt, ...)
{
	va_list ap;

	if (!bopt.verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "  ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

void bench_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mip6lb-bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

struct bench_row *row_add(const char *name, const char *mode)
{
	struct bench_row *r;

	if (n_rows == MAX_ROWS)
		bench_fail("more than %d rows", MAX_ROWS);
	r = &rows[n_rows++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->mode, sizeof(r->mode), "%s", mode ? mode : "");
	r->extra = json_object_new_object();
	if (bopt.quick)
		json_object_object_add(r->extra, "quick", json_object_new_boolean(1));
	return r;
}

struct bench_row *row_null(const char *name, const char *mode, const char *unit,
			   const char *why, ...)
{
	struct bench_row *r = row_add(name, mode);
	va_list ap;

	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	va_start(ap, why);
	vsnprintf(r->why, sizeof(r->why), why, ap);
	va_end(ap);
	return r;
}

void row_set_value(struct bench_row *r, double value, const char *unit)
{
	r->has_value = true;
	r->value = value;
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
}

void row_set_floor(struct bench_row *r, double floor)
{
	r->has_floor = true;
	r->floor = floor;
	if (r->has_value && floor > 0) {
		r->has_ratio = true;
		r->ratio = r->value / floor;
	}
}

void row_set_target(struct bench_row *r, double target, bool is_min)
{
	r->has_target = true;
	r->target = target;
	r->target_min = is_min;
}

void row_extra_double(struct bench_row *r, const char *key, double v)
{
	json_object_object_add(r->extra, key, json_object_new_double(v));
}

void row_extra_int(struct bench_row *r, const char *key, int64_t v)
{
	json_object_object_add(r->extra, key, json_object_new_int64(v));
}

void row_extra_str(struct bench_row *r, const char *key, const char *v)
{
	json_object_object_add(r->extra, key, json_object_new_string(v));
}

void row_extra_doubles(struct bench_row *r, const char *key, const double *v, int n)
{
	struct json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_double(v[i]));
	json_object_object_add(r->extra, key, a);
}

int row_met(const struct bench_row *r)
{
	double x;

	if (!r->has_target || !r->has_value)
		return -1;
	/* Datapath rows compare the ratio to the floor; the others compare
	 * their value. */
	x = r->has_ratio ? r->ratio : r->value;
	return r->target_min ? x >= r->target : x <= r->target;
}

/* ---- helpers ------------------------------------------------------------- */

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

double bench_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int bench_netns_enter(struct bench_netns *ns)
{
	int err;

	ns->entered = false;
	ns->orig_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns->orig_fd < 0)
		return -errno;
	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		close(ns->orig_fd);
		ns->orig_fd = -1;
		return err;
	}
	ns->entered = true;
	return 0;
}

void bench_netns_leave(struct bench_netns *ns)
{
	if (!ns->entered)
		return;
	if (setns(ns->orig_fd, CLONE_NEWNET))
		bench_fail("return to the original network namespace: %s", strerror(errno));
	close(ns->orig_fd);
	ns->orig_fd = -1;
	ns->entered = false;
}

int bench_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	bench_log("$ %s", cmd);
	st = system(cmd);
	if (st == -1)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

/* profile.sh runs us under `perf record -D -1 --control fifo:PATH`: the
 * phases enable sampling around their timed part only. */
void bench_perf_ctl(const char *cmd)
{
	const char *path = getenv("MIP6LB_BENCH_PERF_CTL");
	FILE *f;

	if (!path || !*path)
		return;
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mip6lb-bench: %s: %s\n", path, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", cmd);
	fclose(f);
}

int bench_pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, int n)
{
	if (n <= 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct bpf_object *bench_obj_load(const char *name)
{
	struct bpf_object *obj;
	char path[1024];
	int err;

	snprintf(path, sizeof(path), "%s/selftests/%s.bpf.o", bopt.build_dir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: open %s: %s\n", path, strerror(-err));
		errno = -err;
		return NULL;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "mip6lb-bench: load %s: %s\n", path, strerror(-err));
		bpf_object__close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !bopt.verbose))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---- output ------------------------------------------------------------- */

static void fmt_num(char *buf, size_t len, bool has, double v)
{
	if (!has)
		snprintf(buf, len, "-");
	else if (fabs(v) < 10)
		snprintf(buf, len, "%.4f", v);
	else if (fabs(v) < 100)
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "%.0f", v);
}

static void print_table(void)
{
	int i;

	printf("\n%-18s %-16s %12s %-9s %10s %8s %8s %s\n",
	       "name", "mode", "value", "unit", "floor", "ratio", "target", "met");
	for (i = 0; i < n_rows; i++) {
		const struct bench_row *r = &rows[i];
		char v[32], f[32], ra[32], t[32];
		int met = row_met(r);

		fmt_num(v, sizeof(v), r->has_value, r->value);
		fmt_num(f, sizeof(f), r->has_floor, r->floor);
		fmt_num(ra, sizeof(ra), r->has_ratio, r->ratio);
		if (r->has_target)
			snprintf(t, sizeof(t), "%s%g", r->target_min ? ">=" : "<=", r->target);
		else
			snprintf(t, sizeof(t), "-");
		printf("%-18s %-16s %12s %-9s %10s %8s %8s %s", r->name,
		       r->mode[0] ? r->mode : "-", v, r->unit, f, ra, t,
		       met < 0 ? "-" : met ? "yes" : "NO");
		if (!r->has_value)
			printf("   (%s)", r->why);
		printf("\n");
	}
}

static struct json_object *num_or_null(bool has, double v)
{
	return has && isfinite(v) ? json_object_new_double(v) : NULL;
}

static int write_json(const char *path)
{
	struct json_object *root = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char tmp[1100];
	int i, err = 0;

	json_object_object_add(root, "quick", json_object_new_boolean(bopt.quick));
	json_object_object_add(root, "runs", json_object_new_int(bopt.runs));
	json_object_object_add(root, "cpu", json_object_new_int(bopt.cpu));
	for (i = 0; i < n_rows; i++) {
		struct bench_row *r = &rows[i];
		struct json_object *o = json_object_new_object();
		int met = row_met(r);

		json_object_object_add(o, "name", json_object_new_string(r->name));
		json_object_object_add(o, "mode", r->mode[0] ? json_object_new_string(r->mode) : NULL);
		json_object_object_add(o, "value", num_or_null(r->has_value, r->value));
		json_object_object_add(o, "unit", json_object_new_string(r->unit));
		json_object_object_add(o, "floor", num_or_null(r->has_floor, r->floor));
		json_object_object_add(o, "ratio", num_or_null(r->has_ratio, r->ratio));
		json_object_object_add(o, "target", num_or_null(r->has_target, r->target));
		if (r->has_target)
			json_object_object_add(o, "target_op",
					       json_object_new_string(r->target_min ? ">=" : "<="));
		json_object_object_add(o, "met", met < 0 ? NULL : json_object_new_boolean(met));
		if (!r->has_value)
			json_object_object_add(o, "why", json_object_new_string(r->why));
		json_object_object_foreach(r->extra, k, v)
			json_object_object_add(o, k, json_object_get(v));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "rows", arr);

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_object_to_file_ext(tmp, root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)) {
		fprintf(stderr, "mip6lb-bench: write %s: %s\n", tmp, json_util_get_last_err());
		err = -EIO;
	} else if (rename(tmp, path)) {
		err = -errno;
		fprintf(stderr, "mip6lb-bench: rename %s: %s\n", path, strerror(-err));
	}
	json_object_put(root);
	return err;
}

/* The phases, in the order they run.  memlat is last: walking and
 * unmapping 256 MB first slowed every datapath row of the same process by
 * about 1.6x on this paravirtualised guest (hao-hit 66 against 40 ns), and
 * it is only context for them. */
static const struct {
	const char *name;
	int (*run)(void);
} phases[] = {
	{ "dp", bench_datapath },
	{ "admission", bench_admission },
	{ "decap", bench_decap },
	{ "veth", bench_veth },
	{ "scale", bench_scale },
	{ "maglev", bench_maglev },
	{ "notify", bench_notify },
	{ "adopt", bench_adopt },
	{ "sync", bench_sync },
	{ "health", bench_health },
	{ "withdraw", bench_withdraw },
	{ "memlat", bench_memlat },
};
#define N_PHASES (int)(sizeof(phases) / sizeof(phases[0]))

static const char *phase_names(void)
{
	static char buf[256];
	size_t o = 0;
	int i;

	for (i = 0; i < N_PHASES && o < sizeof(buf); i++)
		o += snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " | " : "", phases[i].name);
	return buf;
}

static bool phase_known(const char *name)
{
	int i;

	for (i = 0; i < N_PHASES; i++)
		if (!strcmp(phases[i].name, name))
			return true;
	return false;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mip6lb-bench [--quick] [--json FILE] [--runs N] [--cpu N] [--only PHASE] [-v]\n"
		"  --quick       smoke mode: small repeat counts and tables (make check)\n"
		"  --json FILE   write the rows to FILE (bench.json format)\n"
		"  --runs N      timed runs per figure, median reported (default 5)\n"
		"  --cpu N       CPU to run on (default: the last one)\n"
		"  --only PHASE  one phase: %s\n"
		"  --case NAME[/MODE]  one datapath case only (for profiling)\n"
		"  --sessions N  with --case: a session table of N slots instead of one\n"
		"                that never evicts (e.g. a cache-resident table for miss-insert)\n"
		"  --lineinfo FILE     write the datapath's JIT offset -> source line map\n"
		"  -v            verbose\n", phase_names());
}

static const char *default_build_dir(void)
{
	static char dir[1024];
	const char *env = getenv("MIP6LB_BUILD");
	ssize_t n;
	char *slash;

	if (env && *env)
		return env;
	/* The binary lives in the build dir. */
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n <= 0)
		return "build";
	dir[n] = 0;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	return dir;
}

/* Ctrl-C or a kill: exit() so the atexit cleanups (daemon, pins) run. */
static void on_signal(int sig)
{
	exit(128 + sig);
}

static bool want(const char *phase)
{
	return !bopt.only || !strcmp(bopt.only, phase);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "json", required_argument, NULL, 'j' },
		{ "runs", required_argument, NULL, 'r' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "case", required_argument, NULL, 'C' },
		{ "lineinfo", required_argument, NULL, 'L' },
		{ "sessions", required_argument, NULL, 'S' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *json_path = NULL, *lineinfo = NULL;
	double t0 = bench_now_ns();
	int c, i, err;

	while ((c = getopt_long(argc, argv, "qj:r:c:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': bopt.quick = true; break;
		case 'j': json_path = optarg; break;
		case 'r': bopt.runs = atoi(optarg); break;
		case 'c': bopt.cpu = atoi(optarg); break;
		case 'o': bopt.only = optarg; break;
		case 'C': bopt.only_case = optarg; bopt.only = "dp"; break;
		case 'L': lineinfo = optarg; break;
		case 'S': bopt.sessions = strtoull(optarg, NULL, 0); break;
		case 'v': bopt.verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || bopt.runs < 1 || bopt.runs > BENCH_RUNS_MAX ||
	    (bopt.sessions && (!bopt.only_case || bopt.sessions > 0xffffffffULL)) ||
	    (bopt.only && !phase_known(bopt.only))) {
		usage(stderr);
		return 2;
	}
	if (bopt.quick && bopt.runs == 5)
		bopt.runs = 3;
	if (bopt.cpu < 0)
		bopt.cpu = libbpf_num_possible_cpus() - 1;
	if (bopt.cpu < 0)
		bopt.cpu = 0;
	bopt.build_dir = default_build_dir();
	libbpf_set_print(libbpf_print);
	if (lineinfo)
		return bench_lineinfo(lineinfo) ? 1 : 0;
	setvbuf(stdout, NULL, _IOLBF, 0);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	err = bench_pin_cpu(bopt.cpu);
	if (err) {
		fprintf(stderr, "mip6lb-bench: pin to CPU %d: %s\n", bopt.cpu, strerror(-err));
		return 1;
	}
	printf("mip6lb-bench%s: CPU %d, %d runs per figure, median reported\n",
	       bopt.quick ? " --quick" : "", bopt.cpu, bopt.runs);

	for (i = 0; i < N_PHASES; i++)
		if (want(phases[i].name))
			phases[i].run();

	print_table();
	printf("\nmip6lb-bench: %.1f s\n", (bench_now_ns() - t0) / 1e9);
	if (json_path && write_json(json_path))
		return 1;
	return 0;
}
