// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * adopt_rows.c - mip6lbd start-to-ready when it adopts 1M pinned sessions.
 *
 * In a private network namespace with one veth: mip6lbd starts once on a
 * fresh pin dir (it creates and pins the maps), the bench fills its pinned
 * sessions map with N sessions of the configured service, and mip6lbd is
 * stopped (SIGTERM; the maps stay pinned).  Then, --runs times: exec
 * mip6lbd on the same pins and time until its control socket accepts a
 * connection, which it opens last, after adopting the maps, applying the
 * config against them and attaching XDP.  The daemon's `status` must then
 * report the N sessions.  The fresh start is reported for comparison.
 *
 * Cleanup: the pin dir is flushed with `mip6lbd --flush` (and removed),
 * the temporary dir removed, any daemon killed, at the end or at exit; the
 * daemon gets SIGTERM if the bench dies, and pin dirs of dead benches are
 * removed on the next run.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "bench.h"

#define VIP "2001:db8::80"

static char tmp_dir[64], pin_dir[128], conf[128], sock[100], logf[128], daemon_bin[1024];
static pid_t daemon_pid = -1;

static void cleanup(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = -1;
	}
	if (pin_dir[0]) {
		bench_sh("'%s' --flush --pin-dir '%s' >/dev/null 2>&1; rm -rf '%s'", daemon_bin,
			 pin_dir, pin_dir);
		pin_dir[0] = 0;
	}
	if (tmp_dir[0]) {
		bench_sh("rm -rf '%s'", tmp_dir);
		tmp_dir[0] = 0;
	}
}

/* Pin dirs of benches that were killed before their cleanup ran. */
static void remove_stale_pins(void)
{
	DIR *d = opendir("/sys/fs/bpf");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		int pid;

		if (sscanf(e->d_name, "mip6lb-bench-%d", &pid) != 1 || pid == getpid() ||
		    !kill(pid, 0) || errno != ESRCH)
			continue;
		bench_sh("'%s' --flush --pin-dir '/sys/fs/bpf/%s' >/dev/null 2>&1; "
			 "rm -rf '/sys/fs/bpf/%s'", daemon_bin, e->d_name, e->d_name);
	}
	if (d)
		closedir(d);
}

static int ctl_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/* Start mip6lbd; ms until its control socket accepts, or a negative errno. */
static double daemon_start(void)
{
	double t0 = bench_now_ns(), deadline = t0 + 60e9;
	int fd;

	unlink(sock);
	daemon_pid = fork();
	if (daemon_pid < 0)
		return -errno;
	if (!daemon_pid) {
		int out = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		/* Stops with the bench, however the bench ends (kept across exec). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl(daemon_bin, daemon_bin, "-c", conf, "--pin-dir", pin_dir, "--socket", sock,
		      (char *)NULL);
		_exit(127);
	}
	for (;;) {
		int status;

		fd = ctl_connect();
		if (fd >= 0) {
			close(fd);
			return (bench_now_ns() - t0) / 1e6;
		}
		if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid) {
			daemon_pid = -1;
			fprintf(stderr, "mip6lb-bench: mip6lbd exited (see below)\n");
			bench_sh("tail -n 5 '%s' >&2", logf);
			return -ECHILD;
		}
		if (bench_now_ns() > deadline)
			return -ETIMEDOUT;
		usleep(500);
	}
}

static int daemon_stop(void)
{
	int status, i;

	if (daemon_pid <= 0)
		return 0;
	kill(daemon_pid, SIGTERM);
	for (i = 0; i < 300; i++) {
		if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid) {
			daemon_pid = -1;
			return 0;
		}
		usleep(100000);
	}
	kill(daemon_pid, SIGKILL);
	waitpid(daemon_pid, &status, 0);
	daemon_pid = -1;
	return -ETIMEDOUT;
}

/* `status`: the daemon's session count, or a negative errno. */
static long daemon_sessions(void)
{
	static const char req[] = "{\"cmd\": \"status\"}\n";
	struct json_object *top, *data, *v;
	char buf[65536];
	size_t got = 0;
	long n = -EPROTO;
	ssize_t r;
	int fd = ctl_connect();

	if (fd < 0)
		return fd;
	if (write(fd, req, sizeof(req) - 1) != sizeof(req) - 1) {
		close(fd);
		return -EIO;
	}
	while (got < sizeof(buf) - 1 && (r = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += r;
	close(fd);
	buf[got] = 0;
	top = json_tokener_parse(buf);
	if (top && json_object_object_get_ex(top, "data", &data) &&
	    json_object_object_get_ex(data, "sessions", &v))
		n = json_object_get_int64(v);
	json_object_put(top);
	return n;
}

/* N sessions of the configured service on its backends, through the pin. */
static int fill_pinned(__u64 n)
{
	struct mip6lb_service_key sk = {};
	struct mip6lb_service_ref ref;
	__u32 ids[64], n_ids = 0, id;
	char path[256];
	int sess, svcs, bes, err = 0;
	const __u32 chunk = 8192;
	struct mip6lb_session_key *keys = calloc(chunk, sizeof(*keys));
	struct mip6lb_session *vals = calloc(chunk, sizeof(*vals));
	__u64 now = dp_now_ns(), i = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	snprintf(path, sizeof(path), "%s/sessions", pin_dir);
	sess = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/services", pin_dir);
	svcs = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/backends", pin_dir);
	bes = bpf_obj_get(path);
	inet_pton(AF_INET6, VIP, &sk.vip);
	if (sess < 0 || svcs < 0 || bes < 0 || !keys || !vals ||
	    bpf_map_lookup_elem(svcs, &sk, &ref)) {
		err = -errno ? -errno : -ENOMEM;
		goto out;
	}
	for (id = 0; id < MIP6LB_MAX_BACKENDS && n_ids < 64; id++) {
		struct mip6lb_backend be;

		if (!bpf_map_lookup_elem(bes, &id, &be) && (be.flags & MIP6LB_BE_ACTIVE) &&
		    be.service_id == ref.id)
			ids[n_ids++] = id;
	}
	if (!n_ids) {
		err = -ENOENT;
		goto out;
	}
	while (i < n) {
		__u32 cnt = n - i < chunk ? n - i : chunk, j;

		for (j = 0; j < cnt; j++) {
			__u64 k = i + j;

			memset(&keys[j], 0, sizeof(keys[j]));
			keys[j].service_id = ref.id;
			keys[j].space = MIP6LB_SPACE_ADDR;
			inet_pton(AF_INET6, "2001:db8:100::", &keys[j].id.addr);
			memcpy(&keys[j].id.addr.s6_addr[8], &k, sizeof(k));
			vals[j].backend_id = ids[k % n_ids];
			vals[j].kind = MIP6LB_KIND_HOA;
			vals[j].lifetime_s = 3600;
			vals[j].last_used_ns = now;
		}
		if (bpf_map_update_batch(sess, keys, vals, &cnt, &opts)) {
			err = -errno;
			goto out;
		}
		i += cnt;
	}
out:
	if (sess >= 0)
		close(sess);
	if (svcs >= 0)
		close(svcs);
	if (bes >= 0)
		close(bes);
	free(keys);
	free(vals);
	return err;
}

int bench_adopt(void)
{
	__u64 n = bopt.quick ? 100000 : 1000000;
	const char *label = bopt.quick ? "100k" : "1m";
	double t[BENCH_RUNS_MAX], fresh;
	struct bench_netns ns;
	struct bench_row *row;
	long got;
	int err, r, runs = bopt.quick ? 1 : bopt.runs;
	FILE *f;

	snprintf(daemon_bin, sizeof(daemon_bin), "%s/mip6lbd", bopt.build_dir);
	if (access(daemon_bin, X_OK)) {
		row_null("adopt-1m-ms", label, "ms", "no %s: build the daemon", daemon_bin);
		return -ENOENT;
	}
	err = bench_netns_enter(&ns);
	if (err) {
		row_null("adopt-1m-ms", label, "ms", "no private network namespace: %s",
			 strerror(-err));
		return err;
	}
	atexit(cleanup);
	remove_stale_pins();
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/mip6lb-bench.XXXXXX");
	if (!mkdtemp(tmp_dir)) {
		err = -errno;
		tmp_dir[0] = 0;
		goto fail;
	}
	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/mip6lb-bench-%d", getpid());
	snprintf(conf, sizeof(conf), "%s/mip6lb.conf", tmp_dir);
	snprintf(sock, sizeof(sock), "%s/mip6lbd.sock", tmp_dir);
	snprintf(logf, sizeof(logf), "%s/mip6lbd.log", tmp_dir);
	err = bench_sh("ip link set lo up && ip link add mlb0 type veth peer name mlb1 && "
		       "ip link set mlb0 up && ip link set mlb1 up");
	if (err)
		goto fail;
	f = fopen(conf, "w");
	if (!f) {
		err = -errno;
		goto fail;
	}
	/* Backends with mac and dev set need no neighbour discovery. */
	fprintf(f, "; SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause\n"
		   "; generated by mip6lb-bench\n"
		   "[daemon]\ninterface = mlb0\nxdp_mode = native\nmax_sessions = %llu\n"
		   "[service s0]\nvip = " VIP "\n",
		(unsigned long long)(n * 2));
	for (r = 1; r <= 4; r++)
		fprintf(f, "[backend s0 b%d]\naddr = 2001:db8:1::%d\nmac = 02:be:00:00:00:%02x\n"
			   "dev = mlb0\n", r, r, r);
	fclose(f);

	fresh = daemon_start();
	if (fresh < 0) {
		err = (int)fresh;
		goto fail;
	}
	err = fill_pinned(n);
	if (!err)
		err = daemon_stop();
	if (err)
		goto fail;
	for (r = 0; r < runs; r++) {
		t[r] = daemon_start();
		if (t[r] < 0) {
			err = (int)t[r];
			goto fail;
		}
		got = daemon_sessions();
		if (got < (long)n)
			bench_fail("mip6lbd adopted %ld of %llu sessions", got, (unsigned long long)n);
		bench_log("mip6lbd ready in %.1f ms with %ld sessions", t[r], got);
		err = daemon_stop();
		if (err)
			goto fail;
	}
	cleanup();
	bench_netns_leave(&ns);

	row = row_add("adopt-1m-ms", label);
	row_extra_doubles(row, "runs", t, runs);
	row_set_value(row, bench_median(t, runs), "ms");
	row_extra_double(row, "fresh_start_ms", fresh);
	row_extra_int(row, "sessions", n);
	row_extra_str(row, "ready", "control socket accepts (opened last)");
	return 0;
fail:
	fprintf(stderr, "mip6lb-bench: adopt: %s\n", strerror(-err));
	cleanup();
	bench_netns_leave(&ns);
	row_null("adopt-1m-ms", label, "ms", "mip6lbd start with pinned sessions failed: %s",
		 strerror(-err));
	return err;
}
