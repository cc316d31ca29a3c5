// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Health checks (loader/health.h): the state machine with a fake clock
 * (rise, fall, flaps, timeouts, the quick re-probe after a first failure,
 * the fixed schedule), then the checker over real maps with probes to
 * listeners on ::1 (the VIP path needs the tc program and a topology:
 * scenario 18): a backend whose port is closed goes down, leaves its ring
 * and loses ACTIVE; a listener brings it back; http status codes decide;
 * and 100 backends checked at the defaults, each on its schedule
 * (MIP6LB_HEALTH_SECS sets how long; the CPU it costs is the bench row
 * health-100-cpu).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <check.h>
#include "harness.h"
#include "daemonfix.h"
#include "evloop.h"
#include "health.h"

#define MS 1000000ULL
#define S  1000000000ULL

/* ---- the state machine ----------------------------------------------------- */

static const struct cfg_health defaults = {
	.type = CFG_HEALTH_TCP, .rise = 2, .fall = 2, .port = 80,
	.interval_ms = 2000, .timeout_ms = 1000, .path = "/",
};

/* One step: at time at (ms), a probe starts; its result r arrives after
 * took ms.  Then: the change reported, up, and when the next probe is due. */
struct step {
	__u64 at, took;
	int r;
	int change;
	bool up;
	__u64 next;                  /* ms */
};

struct fsm_case {
	const char *name;
	bool up;                     /* at the start */
	struct step steps[8];
	int n;
};

static const struct fsm_case fsm_cases[] = {
	{ "two failures take a live backend down, the second at once", true, {
		{ 0, 1, HC_R_OK, 0, true, 2000 },
		{ 2000, 1000, HC_R_TIMEOUT, 0, true, 3000 },        /* quick re-probe */
		{ 3000, 1000, HC_R_TIMEOUT, -1, false, 5000 },      /* down */
		{ 5000, 1000, HC_R_TIMEOUT, 0, false, 7000 },       /* no re-probe while down */
	}, 4 },
	{ "refused probes: down within a few ms of the first failure", true, {
		{ 0, 1, HC_R_REFUSED, 0, true, 1 },
		{ 1, 1, HC_R_REFUSED, -1, false, 2001 },
	}, 2 },
	{ "rise: two successes in a row bring it back", false, {
		{ 0, 1, HC_R_OK, 0, false, 2000 },
		{ 2000, 1, HC_R_OK, 1, true, 4000 },
		{ 4000, 1, HC_R_OK, 0, true, 6000 },
	}, 3 },
	{ "rise resets on a failure", false, {
		{ 0, 1, HC_R_OK, 0, false, 2000 },
		{ 2000, 1000, HC_R_TIMEOUT, 0, false, 4000 },
		{ 4000, 1, HC_R_OK, 0, false, 6000 },
		{ 6000, 1, HC_R_OK, 1, true, 8000 },
	}, 4 },
	{ "a flap (fail, ok) never takes it down", true, {
		{ 0, 5, HC_R_REFUSED, 0, true, 5 },
		{ 5, 5, HC_R_OK, 0, true, 2005 },
		{ 2005, 5, HC_R_BAD_REPLY, 0, true, 2010 },
		{ 2010, 5, HC_R_OK, 0, true, 4010 },
		{ 4010, 5, HC_R_UNREACHABLE, 0, true, 4015 },
		{ 4015, 5, HC_R_OK, 0, true, 6015 },
	}, 6 },
	{ "the schedule is fixed: a slow answer does not push the next probe", true, {
		{ 0, 900, HC_R_OK, 0, true, 2000 },
		{ 2000, 999, HC_R_OK, 0, true, 4000 },
	}, 2 },
	{ "a result later than the next slot: the next probe at once", true, {
		{ 0, 2500, HC_R_OK, 0, true, 2500 },
	}, 1 },
};

START_TEST(test_health_fsm)
{
	const struct fsm_case *c = &fsm_cases[_i];
	struct hc_fsm f;
	__u64 t0 = 1000 * S;          /* the clock does not start at 0 */
	int i, ch;

	hc_fsm_init(&f, &defaults, c->up, t0, 0);
	ck_assert_msg(f.next_ns == t0, "%s: first probe due at once", c->name);
	for (i = 0; i < c->n; i++) {
		const struct step *s = &c->steps[i];

		ck_assert_msg(f.next_ns <= t0 + s->at * MS, "%s step %d: not due", c->name, i);
		hc_fsm_start(&f, t0 + s->at * MS);
		ck_assert(f.in_flight);
		ch = hc_fsm_result(&f, s->r, t0 + (s->at + s->took) * MS);
		ck_assert_msg(ch == s->change, "%s step %d: change %d, want %d", c->name, i, ch,
			      s->change);
		ck_assert_msg(f.up == s->up, "%s step %d: up %d", c->name, i, f.up);
		ck_assert_msg(f.next_ns == t0 + s->next * MS, "%s step %d: next at %llu ms, want %llu",
			      c->name, i, (unsigned long long)((f.next_ns - t0) / MS),
			      (unsigned long long)s->next);
		ck_assert_uint_eq(f.last, s->r);
		if (ch)
			ck_assert_uint_eq(f.changed_ns, t0 + (s->at + s->took) * MS);
	}
	ck_assert_uint_eq(f.probes, c->n);
}
END_TEST

/* Confirmations: a probe of a live backend unanswered after half its
 * timeout gets a second one with the same deadline. */
START_TEST(test_health_confirm)
{
	struct cfg_health fall1 = defaults;
	struct hc_fsm f;
	__u64 t0 = 1000 * S;

	hc_fsm_init(&f, &defaults, true, t0, 0);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), ~0ULL);       /* none in flight */
	hc_fsm_start(&f, t0);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), t0 + 500 * MS);
	hc_fsm_start(&f, t0 + 500 * MS);                       /* the confirmation */
	ck_assert_uint_eq(f.in_flight, 2);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), ~0ULL);       /* one per run */
	/* Both time out together: down one timeout after the first started. */
	ck_assert_int_eq(hc_fsm_result(&f, HC_R_TIMEOUT, t0 + 1000 * MS), 0);
	ck_assert(f.up);
	ck_assert_uint_eq(f.in_flight, 1);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), ~0ULL);
	ck_assert_int_eq(hc_fsm_result(&f, HC_R_TIMEOUT, t0 + 1000 * MS), -1);
	ck_assert(!f.up);
	ck_assert_uint_eq(f.in_flight, 0);
	ck_assert_uint_eq(f.next_ns, t0 + 2000 * MS);          /* the fixed schedule */
	/* Down: no confirmations while rising. */
	hc_fsm_start(&f, t0 + 2000 * MS);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), ~0ULL);

	/* A slow backend: the confirmation answers, the first probe is moot,
	 * nothing failed, and the schedule holds. */
	hc_fsm_init(&f, &defaults, true, t0, 0);
	hc_fsm_start(&f, t0);
	hc_fsm_start(&f, t0 + 500 * MS);
	ck_assert_int_eq(hc_fsm_result(&f, HC_R_OK, t0 + 501 * MS), 0);
	ck_assert_uint_eq(f.in_flight, 0);
	ck_assert_uint_eq(f.fail_run, 0);
	ck_assert_uint_eq(f.failures, 0);
	ck_assert_uint_eq(f.next_ns, t0 + 2000 * MS);
	ck_assert(f.up);

	/* After a refused probe the quick re-probe alone reaches fall: no
	 * confirmation for it. */
	hc_fsm_init(&f, &defaults, true, t0, 0);
	hc_fsm_start(&f, t0);
	hc_fsm_result(&f, HC_R_REFUSED, t0 + 1 * MS);
	hc_fsm_start(&f, f.next_ns);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), ~0ULL);

	/* fall 1: the probe alone decides. */
	fall1.fall = 1;
	hc_fsm_init(&f, &fall1, true, t0, 0);
	hc_fsm_start(&f, t0);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), ~0ULL);

	/* A confirmation that could not start (no next hop): none again in
	 * this run. */
	hc_fsm_init(&f, &defaults, true, t0, 0);
	hc_fsm_start(&f, t0);
	hc_fsm_confirm_skip(&f);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), ~0ULL);
	hc_fsm_result(&f, HC_R_OK, t0 + 1 * MS);
	hc_fsm_start(&f, f.next_ns);
	ck_assert_uint_eq(hc_fsm_confirm_at(&f), f.started_ns + 500 * MS);
}
END_TEST

/* Detection at the defaults, for a backend that dies at every 37th ms of
 * an interval after a good probe, driven the way health.c drives the
 * state machine (the next probe when due, a confirmation when due, each
 * result when its answer or its deadline comes): refused answers within
 * one interval (2 s), timeouts within interval + timeout (3 s), as
 * docs/mip6lbd.md says. */
START_TEST(test_health_detection_bounds)
{
	__u64 worst[2] = { 0, 0 };
	int kind;

	for (kind = 0; kind < 2; kind++) {
		__u64 death;

		for (death = 1; death < 2000; death += 37) {
			struct hc_fsm f;
			int r = kind ? HC_R_TIMEOUT : HC_R_REFUSED, n = 0;

			hc_fsm_init(&f, &defaults, true, 0, 0);
			hc_fsm_start(&f, 0);
			hc_fsm_result(&f, HC_R_OK, MS);
			while (f.up && n++ < 10) {
				__u64 now = f.next_ns;
				bool dead = now >= death * MS;

				hc_fsm_start(&f, now);
				if (!dead) {
					hc_fsm_result(&f, HC_R_OK, now + MS);
				} else if (r == HC_R_REFUSED) {
					hc_fsm_result(&f, r, now + MS);
				} else {
					/* Unanswered: the confirmation at half the
					 * timeout, then both deadlines. */
					__u64 deadline = now + 1000 * MS;

					if (hc_fsm_confirm_at(&f) < deadline)
						hc_fsm_start(&f, hc_fsm_confirm_at(&f));
					while (f.in_flight && f.up)
						hc_fsm_result(&f, r, deadline);
				}
			}
			ck_assert(!f.up);
			if (f.changed_ns - death * MS > worst[kind])
				worst[kind] = f.changed_ns - death * MS;
		}
	}
	ck_assert_msg(worst[0] <= 2001 * MS, "refused: %llu ms", (unsigned long long)(worst[0] / MS));
	ck_assert_msg(worst[1] <= 3000 * MS, "timeouts: %llu ms", (unsigned long long)(worst[1] / MS));
}
END_TEST

/* ---- the config keys ------------------------------------------------------------ */

#define SVC "[service web]\nvip = 2001:db8::80\nproto = tcp\nport = 80\n"
#define BE  "[backend web s1]\naddr = 2001:db8:1::1\n"

static const struct {
	const char *ini;
	const char *err;             /* NULL: valid */
} cfg_cases[] = {
	{ SVC "health = http\nhealth_path = /healthz\nhealth_interval = 1.5s\n"
	  "health_timeout = 300ms\nhealth_rise = 3\nhealth_fall = 1\n" BE, NULL },
	{ SVC "health = tcp\n" BE "health = none\n", NULL },
	{ SVC BE "health = udp\nhealth_port = 53\n", NULL },
	{ SVC BE "state = drained\ndrain_deadline = 30\n", NULL },
	{ "[daemon]\nmetrics_listen = [::1]:9100\n", NULL },
	{ SVC "health = icmp\n", "expected none, tcp, udp or http" },
	{ SVC "health = tcp\nhealth_timeout = 3s\n", "longer than health_interval" },
	{ SVC "health_interval = 10\n" "health_interval = 2\n", "given twice" },
	{ SVC "health_interval = 50ms\n", "from 100ms to 3600s" },
	{ SVC "health_interval = 1.2345\n", "from 100ms" },
	{ SVC "health_path = healthz\n", "starting with '/'" },
	{ SVC "health_path = /a b\n", "no spaces" },
	{ SVC "health_rise = 0\n", "health_rise" },
	{ "[service any]\nvip = 2001:db8::81\nhealth = tcp\n", "needs health_port" },
	{ "[service any]\nvip = 2001:db8::81\n[backend any b]\naddr = 2001:db8:1::9\n"
	  "health = http\n", "needs health_port" },
	{ SVC BE "drain_deadline = 0\n", "drain_deadline" },
	{ "[daemon]\nmetrics_listen = 127.0.0.1:9100\n", "expected [ADDRESS]:PORT" },
};

static const int want_type[] = { CFG_HEALTH_HTTP, CFG_HEALTH_NONE, CFG_HEALTH_UDP,
				 CFG_HEALTH_NONE };

START_TEST(test_health_config)
{
	struct mip6lb_config cfg;
	char err[512] = "";
	int rc = config_parse_string(cfg_cases[_i].ini, "t", &cfg, err, sizeof(err));

	if (!cfg_cases[_i].err) {
		ck_assert_msg(rc == 0, "case %d: %s", _i, err);
		if (cfg.n_backends) {
			struct cfg_health h;

			config_health_resolve(&cfg.services[0], &cfg.backends[0], &h);
			ck_assert_uint_eq(h.port, h.type == CFG_HEALTH_UDP ? 53 : 80);
			ck_assert_uint_eq(h.rise, _i == 0 ? 3 : CFG_HEALTH_RISE);
			ck_assert_uint_eq(h.interval_ms, _i == 0 ? 1500 : CFG_HEALTH_INTERVAL_MS);
			ck_assert_uint_eq(h.timeout_ms, _i == 0 ? 300 : CFG_HEALTH_TIMEOUT_MS);
			ck_assert_str_eq(h.path, _i == 0 ? "/healthz" : "/");
			ck_assert_uint_eq(h.type, want_type[_i]);
		}
		if (_i == 3)
			ck_assert_uint_eq(cfg.backends[0].drain_deadline_s, 30);
		if (_i == 4)
			ck_assert(cfg.daemon.has_metrics && cfg.daemon.metrics_port == 9100);
		config_free(&cfg);
	} else {
		ck_assert_msg(rc < 0, "case %d accepted", _i);
		ck_assert_msg(strstr(err, cfg_cases[_i].err), "case %d: '%s' lacks '%s'", _i, err,
			      cfg_cases[_i].err);
	}
}
END_TEST

/* ---- the checker over real maps --------------------------------------------- */

static int listen_on(__u16 *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), one = 1;

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin6_port = htons(*port);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 1024), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin6_port);
	return fd;
}

/* A closed port: bound for its number, then closed. */
static __u16 closed_port(void)
{
	__u16 port = 0;
	int fd = listen_on(&port);

	close(fd);
	return port;
}

/* An HTTP server answering every connection with status. */
struct http_srv {
	int fd;
	int status;
	struct evloop *loop;
};

struct http_conn {
	struct http_srv *s;
	int fd;
};

/* The request read (up to its blank line), then the answer. */
static void on_http_conn(void *arg, __u32 events)
{
	struct http_conn *c = arg;
	char buf[512];
	ssize_t n = read(c->fd, buf, sizeof(buf) - 1);
	int len;

	if (n < 0 && errno == EAGAIN)
		return;
	if (n > 0) {
		buf[n] = 0;
		if (!strstr(buf, "\r\n\r\n"))
			return;
		len = snprintf(buf, sizeof(buf), "HTTP/1.0 %d X\r\nContent-Length: 0\r\n\r\n",
			       c->s->status);
		if (write(c->fd, buf, len) != len)
			ck_abort_msg("http server write");
	}
	evloop_del(c->s->loop, c->fd);
	close(c->fd);
	free(c);
}

static void on_http(void *arg, __u32 events)
{
	struct http_srv *s = arg;
	int fd;

	while ((fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		struct http_conn *c = calloc(1, sizeof(*c));

		ck_assert_ptr_nonnull(c);
		c->s = s;
		c->fd = fd;
		ck_assert_int_eq(evloop_add(s->loop, fd, EPOLLIN, on_http_conn, c), 0);
	}
}

/* Drain a listener's queue so the backlog never fills. */
static void on_accept(void *arg, __u32 events)
{
	int fd = (int)(long)arg, c;

	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(c);
}

static struct dfx fx;
static struct evloop *loop;
static struct health *hc;

static void setup(void)
{
	dfx_open(&fx);
	ck_assert_int_eq(evloop_new(&loop), 0);
	ck_assert_int_eq(health_open(&hc, fx.st, loop), 0);
	health_set_dst_override(hc, &in6addr_loopback);
}

static void teardown(void)
{
	health_close(hc);
	evloop_free(loop);
	dfx_close(&fx);
}

/* Run the loop until the backend's state is want, at most tenths. */
static bool run_until(__u32 id, bool down, int ms)
{
	__u64 end = dp_now_ns() + (__u64)ms * MS;

	while (dp_now_ns() < end) {
		if (fx.st->bes[id].down == down)
			return true;
		evloop_run_once(loop, 20);
	}
	return fx.st->bes[id].down == down;
}

static void conf3(__u16 p1, __u16 p2, __u16 p3, const char *type)
{
	char ini[2048];

	snprintf(ini, sizeof(ini),
		 "[service web]\nvip = 2001:db8::80\nproto = tcp\nport = 80\nhealth = %s\n"
		 "health_interval = 200ms\nhealth_timeout = 100ms\n"
		 "[backend web s1]\naddr = 2001:db8:1::1\nmac = 02:be:00:00:00:01\ndev = lo\n"
		 "health_port = %u\n"
		 "[backend web s2]\naddr = 2001:db8:1::2\nmac = 02:be:00:00:00:02\ndev = lo\n"
		 "health_port = %u\n"
		 "[backend web s3]\naddr = 2001:db8:1::3\nmac = 02:be:00:00:00:03\ndev = lo\n"
		 "health_port = %u\n", type, p1, p2, p3);
	dfx_apply(&fx, ini);
	health_sync(hc);
}

START_TEST(test_health_tcp_down_and_back)
{
	__u16 p1 = 0, p2 = 0, p3 = closed_port();
	int l1 = listen_on(&p1), l2 = listen_on(&p2), l3;
	struct mip6lb_backend be;
	struct health_view v;
	__u32 sid, s3;

	evloop_add(loop, l1, EPOLLIN, on_accept, (void *)(long)l1);
	evloop_add(loop, l2, EPOLLIN, on_accept, (void *)(long)l2);
	conf3(p1, p2, p3, "tcp");
	sid = dfx_svc(&fx, "web");
	s3 = dfx_be(&fx, "web", "s3");
	ck_assert(run_until(s3, true, 3000));
	ck_assert(health_view(hc, s3, &v));
	ck_assert(!v.up);
	ck_assert_uint_eq(v.last, HC_R_REFUSED);
	/* Off the ring, ACTIVE clear (its sessions re-hash), next hop kept. */
	ck_assert_uint_eq(dfx_ring_count(&fx, sid, s3), 0);
	ck_assert_uint_gt(dfx_ring_count(&fx, sid, dfx_be(&fx, "web", "s1")), 0);
	dfx_backend(&fx, s3, &be);
	ck_assert_uint_eq(be.flags & MIP6LB_BE_ACTIVE, 0);
	ck_assert_uint_ne(be.flags & MIP6LB_BE_NH_VALID, 0);
	ck_assert_int_eq(state_backend_state(fx.st, s3), ST_BE_DOWN);
	/* The live ones stay up all along. */
	ck_assert(!fx.st->bes[dfx_be(&fx, "web", "s1")].down);
	ck_assert(!fx.st->bes[dfx_be(&fx, "web", "s2")].down);

	/* It comes back once its port answers (rise 2). */
	l3 = listen_on(&p3);
	evloop_add(loop, l3, EPOLLIN, on_accept, (void *)(long)l3);
	ck_assert(run_until(s3, false, 3000));
	ck_assert_uint_gt(dfx_ring_count(&fx, sid, s3), 0);
	dfx_backend(&fx, s3, &be);
	ck_assert_uint_ne(be.flags & MIP6LB_BE_ACTIVE, 0);
	ck_assert(health_view(hc, s3, &v));
	ck_assert(v.up);
	ck_assert_uint_eq(v.last, HC_R_OK);

	/* health = none: no checks, and nothing keeps it down. */
	evloop_del(loop, l3);
	close(l3);
	ck_assert(run_until(s3, true, 3000));
	conf3(p1, p2, p3, "none");
	ck_assert(!health_view(hc, s3, &v));
	ck_assert(!fx.st->bes[s3].down);
	ck_assert_uint_gt(dfx_ring_count(&fx, sid, s3), 0);
	evloop_del(loop, l1);
	evloop_del(loop, l2);
	close(l1);
	close(l2);
}
END_TEST

START_TEST(test_health_http_status)
{
	struct http_srv ok = { .status = 200 }, moved = { .status = 302 }, bad = { .status = 503 };
	__u16 p1 = 0, p2 = 0, p3 = 0;
	struct health_view v;
	__u32 s3;

	ok.loop = moved.loop = bad.loop = loop;
	ok.fd = listen_on(&p1);
	moved.fd = listen_on(&p2);
	bad.fd = listen_on(&p3);
	evloop_add(loop, ok.fd, EPOLLIN, on_http, &ok);
	evloop_add(loop, moved.fd, EPOLLIN, on_http, &moved);
	evloop_add(loop, bad.fd, EPOLLIN, on_http, &bad);
	conf3(p1, p2, p3, "http");
	s3 = dfx_be(&fx, "web", "s3");
	ck_assert(run_until(s3, true, 3000));
	ck_assert(health_view(hc, s3, &v));
	ck_assert_uint_eq(v.last, HC_R_BAD_REPLY);
	/* Two intervals: the others have had their probes too. */
	run_until(dfx_be(&fx, "web", "s1"), true, 450);
	ck_assert(health_view(hc, dfx_be(&fx, "web", "s1"), &v));
	ck_assert_msg(v.up && v.last == HC_R_OK && v.probes >= 1, "s1: up %d last %s probes %llu", v.up, hc_result_name(v.last), (unsigned long long)v.probes);
	ck_assert(health_view(hc, dfx_be(&fx, "web", "s2"), &v));
	ck_assert(v.up && v.last == HC_R_OK);
	bad.status = 204;
	ck_assert(run_until(s3, false, 3000));
	evloop_del(loop, ok.fd);
	evloop_del(loop, moved.fd);
	evloop_del(loop, bad.fd);
	close(ok.fd);
	close(moved.fd);
	close(bad.fd);
}
END_TEST

/* 100 backends, tcp, at the defaults: every one probed on its schedule,
 * none failed.  What it costs is the bench row health-100-cpu
 * (selftests/bench/health_rows.c). */
START_TEST(test_health_100_backends)
{
	const char *e = getenv("MIP6LB_HEALTH_SECS");
	int secs = e ? atoi(e) : 5, i, lfd[100];
	__u64 probes, failures, end;
	char *ini = malloc(100 * 160 + 256);
	size_t o = 0;

	ck_assert_ptr_nonnull(ini);
	o += sprintf(ini + o, "[service web]\nvip = 2001:db8::80\nproto = tcp\nport = 80\n"
		     "health = tcp\n");
	for (i = 0; i < 100; i++) {
		__u16 p = 0;

		lfd[i] = listen_on(&p);
		evloop_add(loop, lfd[i], EPOLLIN, on_accept, (void *)(long)lfd[i]);
		o += sprintf(ini + o, "[backend web b%d]\naddr = 2001:db8:1::%x\n"
			     "mac = 02:be:00:00:01:%02x\ndev = lo\nhealth_port = %u\n",
			     i, i + 1, i, p);
	}
	dfx_apply(&fx, ini);
	free(ini);
	health_sync(hc);
	end = dp_now_ns() + (__u64)secs * S;
	while (dp_now_ns() < end)
		evloop_run_once(loop, 100);
	health_totals(hc, &probes, &failures);
	ck_assert_uint_eq(failures, 0);
	/* Every backend probed on its schedule: secs / 2 each, give or take
	 * the phase of the first one. */
	ck_assert_uint_ge(probes, 100ULL * (secs / 2));
	ck_assert_uint_le(probes, 100ULL * (secs / 2 + 1));
	for (i = 0; i < 100; i++) {
		char name[8];

		snprintf(name, sizeof(name), "b%d", i);
		ck_assert(!fx.st->bes[dfx_be(&fx, "web", name)].down);
		evloop_del(loop, lfd[i]);
		close(lfd[i]);
	}
}
END_TEST

MIP6LB_SUITE(health, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("health");
	TCase *fsm = tcase_create("fsm"), *io = tcase_create("io");

	tcase_add_loop_test(fsm, test_health_fsm, 0, sizeof(fsm_cases) / sizeof(fsm_cases[0]));
	tcase_add_test(fsm, test_health_confirm);
	tcase_add_test(fsm, test_health_detection_bounds);
	tcase_add_loop_test(fsm, test_health_config, 0, sizeof(cfg_cases) / sizeof(cfg_cases[0]));
	suite_add_tcase(s, fsm);
	tcase_add_checked_fixture(io, setup, teardown);
	tcase_add_unchecked_fixture(io, NULL, dfx_sweep);
	tcase_set_timeout(io, 120);
	tcase_add_test(io, test_health_tcp_down_and_back);
	tcase_add_test(io, test_health_http_status);
	tcase_add_test(io, test_health_100_backends);
	suite_add_tcase(s, io);
	return s;
}
