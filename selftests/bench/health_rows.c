// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * health_rows.c - what mip6lbd's health checker costs: 100 backends,
 * checked over tcp at the defaults (interval 2 s, timeout 1 s), for 10 s
 * (4 s with --quick), through the daemon's own checker (loader/health.c)
 * over a real datapath's maps, its probes sent to listeners on ::1 (the
 * VIP path needs the tc program and a topology; the socket work is the
 * same).  The row is the CPU this process used (getrusage: the checker,
 * and the accepting end of every probe's connection) as a percentage of
 * one core; the extras give the probes, the failures and the CPU per
 * probe.  Its target: at most 5 % of a core for 100 backends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "bench.h"
#include "config.h"
#include "datapath.h"
#include "dpmaps.h"
#include "evloop.h"
#include "health.h"
#include "log.h"
#include "state.h"

#define N_BACKENDS 100
#define ROW "health-100-cpu"

static int listen_any(__u16 *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1024) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	*port = ntohs(sa.sin6_port);
	return fd;
}

static void on_accept(void *arg, __u32 events)
{
	int fd = (int)(long)arg, c;

	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(c);
}

static double cpu_s(const struct rusage *r)
{
	return r->ru_utime.tv_sec + r->ru_stime.tv_sec +
	       (r->ru_utime.tv_usec + r->ru_stime.tv_usec) / 1e6;
}

/* The config: one tcp-checked service, backend i probed on port[i]. */
static char *config_text(const __u16 *port)
{
	char *ini = malloc(N_BACKENDS * 160 + 256);
	size_t o = 0;
	int i;

	if (!ini)
		return NULL;
	o += sprintf(ini + o, "[service web]\nvip = 2001:db8::80\nproto = tcp\nport = 80\n"
		     "health = tcp\n");
	for (i = 0; i < N_BACKENDS; i++)
		o += sprintf(ini + o, "[backend web b%d]\naddr = 2001:db8:1::%x\n"
			     "mac = 02:be:00:00:01:%02x\ndev = lo\nhealth_port = %u\n",
			     i, i + 1, i, port[i]);
	return ini;
}

static int measure(struct lb_state *st, struct evloop *loop, int secs)
{
	struct mip6lb_config cfg;
	struct health *hc = NULL;
	struct rusage r0, r1;
	__u64 probes, failures, end;
	__u16 port[N_BACKENDS];
	int lfd[N_BACKENDS], i, n = 0, err;
	struct bench_row *row;
	char errbuf[256], *ini;
	double cpu;

	for (i = 0; i < N_BACKENDS; i++, n++) {
		lfd[i] = listen_any(&port[i]);
		if (lfd[i] < 0) {
			err = lfd[i];
			row_null(ROW, "tcp", "%core", "listen on ::1: %s", strerror(-err));
			goto out;
		}
		evloop_add(loop, lfd[i], EPOLLIN, on_accept, (void *)(long)lfd[i]);
	}
	ini = config_text(port);
	err = ini ? config_parse_string(ini, "bench", &cfg, errbuf, sizeof(errbuf)) : -ENOMEM;
	free(ini);
	if (err) {
		row_null(ROW, "tcp", "%core", "config: %s", err == -ENOMEM ? "no memory" : errbuf);
		goto out;
	}
	err = state_apply(st, &cfg);
	config_free(&cfg);
	if (!err)
		err = health_open(&hc, st, loop);
	if (err) {
		row_null(ROW, "tcp", "%core", "state or checker: %s", strerror(-err));
		goto out;
	}
	health_set_dst_override(hc, &in6addr_loopback);
	health_sync(hc);
	getrusage(RUSAGE_SELF, &r0);
	end = dp_now_ns() + (__u64)secs * 1000000000ULL;
	while (dp_now_ns() < end)
		evloop_run_once(loop, 100);
	getrusage(RUSAGE_SELF, &r1);
	health_totals(hc, &probes, &failures);
	cpu = cpu_s(&r1) - cpu_s(&r0);
	row = row_add(ROW, "tcp");
	row_set_value(row, 100.0 * cpu / secs, "%core");
	row_set_target(row, 5.0, false);
	row_extra_int(row, "backends", N_BACKENDS);
	row_extra_int(row, "seconds", secs);
	row_extra_int(row, "probes", (int64_t)probes);
	row_extra_int(row, "failures", (int64_t)failures);
	row_extra_double(row, "cpu_us_per_probe", probes ? 1e6 * cpu / probes : 0);
	if (failures)
		fprintf(stderr, "mip6lb-bench: %s: %llu of %llu probes failed\n", ROW,
			(unsigned long long)failures, (unsigned long long)probes);
out:
	health_close(hc);
	for (i = 0; i < n; i++) {
		evloop_del(loop, lfd[i]);
		close(lfd[i]);
	}
	return err;
}

int bench_health(void)
{
	char pin_dir[] = "/sys/fs/bpf/mip6lb-bench-health-XXXXXX";
	struct datapath dp = {};
	struct lb_state *st = NULL;
	struct evloop *loop = NULL;
	int err;

	log_set_level(LOG_LVL_ERROR);
	err = bpffs_ensure("/sys/fs/bpf");
	if (err || !mkdtemp(pin_dir)) {
		row_null(ROW, "tcp", "%core", "no bpffs at /sys/fs/bpf");
		return 0;
	}
	err = datapath_open(&dp, pin_dir, 4096);
	if (err) {
		row_null(ROW, "tcp", "%core", "datapath: %s", strerror(-err));
		goto out_dir;
	}
	err = state_new(&st, &dp.maps, NULL);
	if (!err)
		err = evloop_new(&loop);
	if (err)
		row_null(ROW, "tcp", "%core", "state or event loop: %s", strerror(-err));
	else
		measure(st, loop, bopt.quick ? 4 : 10);
	evloop_free(loop);
	state_free(st);
	datapath_close(&dp);
out_dir:
	datapath_flush(pin_dir, NULL, 0);
	rmdir(pin_dir);
	return 0;
}
