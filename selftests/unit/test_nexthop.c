// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Next-hop resolution over rtnetlink.  Every test runs in Check's forked
 * test process, moves it into a fresh network namespace (which dies with
 * it) and builds its links, routes and neighbours with ip(8):
 *
 *   v0 (V0_MAC, 2001:db8:1::1/64) <-> v1 (up, no address)
 *
 * Static neighbours stand in for backends and gateways; the discovery
 * test instead moves v1 into a second namespace held by a child process,
 * where a real 2001:db8:1::2 answers neighbour solicitations.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "harness.h"
#include "daemonfix.h"
#include "nexthop.h"
#include "state.h"

#define N_OF(a)   (sizeof(a) / sizeof((a)[0]))

#define V0_MAC    "02:00:00:00:01:01"
#define PEER_MAC  "02:00:00:00:01:02"
#define BE_MAC    "02:00:00:00:02:01"
#define BE_MAC2   "02:00:00:00:02:02"
#define GW_MAC    "02:00:00:00:03:01"

/* ---- helpers ------------------------------------------------------------ */

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "`%s` failed (status %d)", cmd, st);
}

/* The neighbour table's line for addr on dev, "" when there is none. */
static void neigh_show(const char *addr, const char *dev, char *line, size_t len)
{
	char cmd[256];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip -6 neigh show to %s dev %s nud all", addr, dev);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(line, 1, len - 1, f);
	line[n] = '\0';
	ck_assert_int_eq(pclose(f), 0);
}

static void netns_new(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	run("ip link set lo up");
	/* Links come up with a usable link-local address at once, so the
	 * kernel's solicitations are not held back by DAD. */
	run("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0");
}

/* v0 <-> v1, both up, 2001:db8:1::1/64 on v0. */
static void veth_new(void)
{
	run("ip link add v0 address " V0_MAC " type veth peer name v1");
	run("ip link set v1 up");
	run("ip link set v0 up");
	run("ip -6 addr add 2001:db8:1::1/64 dev v0 nodad");
}

static struct nh_resolver *resolver(void)
{
	struct nh_resolver *r = NULL;

	ck_assert_int_eq(nh_open(&r), 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_ge(nh_fd(r), 0);
	return r;
}

static struct in6_addr A(const char *s)
{
	struct in6_addr a;

	ck_assert_int_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void assert_mac(const __u8 *mac, const char *want)
{
	unsigned int b[6];
	int i;

	ck_assert_int_eq(sscanf(want, "%x:%x:%x:%x:%x:%x",
				&b[0], &b[1], &b[2], &b[3], &b[4], &b[5]), 6);
	for (i = 0; i < 6; i++)
		ck_assert_msg(mac[i] == b[i],
			      "MAC %02x:%02x:%02x:%02x:%02x:%02x, want %s",
			      mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], want);
}

static void assert_zero_mac(const __u8 *mac)
{
	assert_mac(mac, "00:00:00:00:00:00");
}

static void assert_addr(const struct in6_addr *a, const char *want)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr w = A(want);

	ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, buf, sizeof(buf)));
	ck_assert_msg(!memcmp(a, &w, sizeof(w)), "address %s, want %s", buf, want);
}

/* Wait (poll, at most timeout_ms) for the monitor socket to be readable. */
static void wait_event(struct nh_resolver *r, int timeout_ms)
{
	struct pollfd p = { .fd = nh_fd(r), .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, timeout_ms), 1);
}

/* Resolve and expect success through v0. */
static void expect_resolved(struct nh_resolver *r, const char *addr, const char *dev,
			    const char *via, const char *dmac)
{
	struct in6_addr a = A(addr);
	struct nh_result res;

	ck_assert_int_eq(nh_resolve(r, &a, dev, &res), 0);
	ck_assert(res.valid);
	ck_assert_uint_eq(res.ifindex, if_nametoindex("v0"));
	ck_assert_uint_ne(res.ifindex, 0);
	assert_mac(res.smac, V0_MAC);
	assert_mac(res.dmac, dmac);
	assert_addr(&res.via, via);
}

/* Resolve and expect -EAGAIN through v0, with what is known filled in. */
static void expect_pending_result(struct nh_resolver *r, const char *addr, const char *dev,
				  const char *via)
{
	struct in6_addr a = A(addr);
	struct nh_result res;

	ck_assert_int_eq(nh_resolve(r, &a, dev, &res), -EAGAIN);
	ck_assert(!res.valid);
	ck_assert_uint_eq(res.ifindex, if_nametoindex("v0"));
	assert_mac(res.smac, V0_MAC);
	assert_zero_mac(res.dmac);
	assert_addr(&res.via, via);
}

/* ... and, where nobody can answer, via's entry must now be INCOMPLETE:
 * discovery was started, not merely reported. */
static void expect_pending(struct nh_resolver *r, const char *addr, const char *dev,
			   const char *via)
{
	char line[512];

	expect_pending_result(r, addr, dev, via);
	neigh_show(via, "v0", line, sizeof(line));
	ck_assert_msg(strstr(line, "INCOMPLETE"), "neighbour %s on v0: '%s'", via, line);
}

static void expect_error(struct nh_resolver *r, const char *addr, const char *dev, int err)
{
	struct in6_addr a = A(addr);
	struct nh_result res;

	ck_assert_int_eq(nh_resolve(r, &a, dev, &res), err);
	ck_assert(!res.valid);
}

/* ---- routes and neighbours ---------------------------------------------- */

START_TEST(test_onlink)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 neigh add 2001:db8:1::2 lladdr " BE_MAC " dev v0 nud permanent");
	r = resolver();
	expect_resolved(r, "2001:db8:1::2", NULL, "2001:db8:1::2", BE_MAC);
	/* An empty dev means "follow the routes" as NULL does. */
	expect_resolved(r, "2001:db8:1::2", "", "2001:db8:1::2", BE_MAC);
	nh_close(r);
}
END_TEST

START_TEST(test_gateway_linklocal)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 route add 2001:db8:9::/64 via fe80::fe dev v0");
	run("ip -6 neigh add fe80::fe lladdr " GW_MAC " dev v0 nud permanent");
	r = resolver();
	expect_resolved(r, "2001:db8:9::5", NULL, "fe80::fe", GW_MAC);
	nh_close(r);
}
END_TEST

START_TEST(test_gateway_global)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 route add 2001:db8:9::/64 via 2001:db8:1::fe");
	run("ip -6 neigh add 2001:db8:1::fe lladdr " GW_MAC " dev v0 nud permanent");
	r = resolver();
	expect_resolved(r, "2001:db8:9::5", NULL, "2001:db8:1::fe", GW_MAC);
	nh_close(r);
}
END_TEST

START_TEST(test_default_route)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 route add default via fe80::fe dev v0");
	run("ip -6 neigh add fe80::fe lladdr " GW_MAC " dev v0 nud permanent");
	r = resolver();
	expect_resolved(r, "2001:db8:abcd::1", NULL, "fe80::fe", GW_MAC);
	nh_close(r);
}
END_TEST

/* Which neighbour states count as a known lladdr. */
static const struct {
	const char *nud;
	int ret;
} nud_cases[] = {
	{ "permanent",  0 },
	{ "noarp",      0 },
	{ "reachable",  0 },
	{ "stale",      0 },
	{ "delay",      0 },
	{ "probe",      0 },
	{ "incomplete", -EAGAIN },
	{ "failed",     -EAGAIN },
	{ "none",       -EAGAIN },
};

START_TEST(test_nud_states)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 neigh add 2001:db8:1::2 lladdr " BE_MAC " dev v0 nud %s", nud_cases[_i].nud);
	r = resolver();
	if (nud_cases[_i].ret == 0)
		expect_resolved(r, "2001:db8:1::2", NULL, "2001:db8:1::2", BE_MAC);
	else
		expect_pending(r, "2001:db8:1::2", NULL, "2001:db8:1::2");
	nh_close(r);
}
END_TEST

START_TEST(test_missing_neighbour)
{
	struct nh_resolver *r;
	char line[512];

	netns_new();
	veth_new();
	r = resolver();
	neigh_show("2001:db8:1::3", "v0", line, sizeof(line));
	ck_assert_str_eq(line, "");
	expect_pending(r, "2001:db8:1::3", NULL, "2001:db8:1::3");
	/* Still pending on a second call (nobody answers on v1). */
	expect_pending(r, "2001:db8:1::3", NULL, "2001:db8:1::3");
	nh_close(r);
}
END_TEST

START_TEST(test_missing_gateway)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 route add 2001:db8:9::/64 via fe80::fe dev v0");
	r = resolver();
	/* via is the gateway: that is the neighbour being discovered. */
	expect_pending(r, "2001:db8:9::5", NULL, "fe80::fe");
	nh_close(r);
}
END_TEST

START_TEST(test_no_route)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	r = resolver();
	expect_error(r, "2001:db8:77::1", NULL, -ENETUNREACH);
	nh_close(r);
}
END_TEST

/* Reject routes answer with different errnos; all mean "no route".  A local
 * address routes to lo: XDP cannot forward there either. */
static const char *const reject_routes[] = {
	"unreachable 2001:db8:66::/64",
	"blackhole 2001:db8:66::/64",
	"prohibit 2001:db8:66::/64",
	"throw 2001:db8:66::/64",
};

START_TEST(test_reject_route)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 route add %s", reject_routes[_i]);
	r = resolver();
	expect_error(r, "2001:db8:66::1", NULL, -ENETUNREACH);
	nh_close(r);
}
END_TEST

START_TEST(test_local_address)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	r = resolver();
	expect_error(r, "2001:db8:1::1", NULL, -ENETUNREACH);
	nh_close(r);
}
END_TEST

/* ---- dev override ------------------------------------------------------- */

START_TEST(test_dev_override)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	/* No route covers 2001:db8:55::/64: dev skips the routing table. */
	run("ip -6 neigh add 2001:db8:55::1 lladdr " BE_MAC " dev v0 nud permanent");
	run("ip -6 neigh add fe80::2 lladdr " BE_MAC2 " dev v0 nud permanent");
	/* A route through a gateway that dev must bypass. */
	run("ip -6 route add 2001:db8:9::/64 via fe80::fe dev v0");
	run("ip -6 neigh add fe80::fe lladdr " GW_MAC " dev v0 nud permanent");
	r = resolver();
	expect_error(r, "2001:db8:55::1", NULL, -ENETUNREACH);
	expect_resolved(r, "2001:db8:55::1", "v0", "2001:db8:55::1", BE_MAC);
	expect_resolved(r, "fe80::2", "v0", "fe80::2", BE_MAC2);
	/* The backend itself, not the route's gateway, is looked up. */
	expect_resolved(r, "2001:db8:9::5", NULL, "fe80::fe", GW_MAC);
	expect_pending(r, "2001:db8:9::5", "v0", "2001:db8:9::5");
	nh_close(r);
}
END_TEST

START_TEST(test_dev_missing)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	r = resolver();
	expect_error(r, "2001:db8:1::2", "nosuch0", -ENODEV);
	expect_error(r, "fe80::2", "nosuch0", -ENODEV);
	/* Longer than IFNAMSIZ - 1: no device can have that name. */
	expect_error(r, "2001:db8:1::2", "a-name-that-is-far-too-long", -ENODEV);
	nh_close(r);
}
END_TEST

START_TEST(test_dev_down)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip link add v2 type veth peer name v3");
	run("ip -6 neigh add fe80::2 lladdr " BE_MAC " dev v2 nud permanent");
	r = resolver();
	expect_error(r, "fe80::2", "v2", -ENETDOWN);
	nh_close(r);
}
END_TEST

START_TEST(test_dev_not_ethernet)
{
	struct nh_resolver *r;

	netns_new();
	r = resolver();
	expect_error(r, "2001:db8:1::2", "lo", -EOPNOTSUPP);
	nh_close(r);
}
END_TEST

START_TEST(test_invalid_args)
{
	struct nh_resolver *r;
	struct in6_addr a = A("2001:db8:1::2");
	struct nh_result res;

	netns_new();
	veth_new();
	ck_assert_int_eq(nh_open(NULL), -EINVAL);
	r = resolver();
	ck_assert_int_eq(nh_resolve(NULL, &a, NULL, &res), -EINVAL);
	ck_assert_int_eq(nh_resolve(r, NULL, NULL, &res), -EINVAL);
	ck_assert_int_eq(nh_resolve(r, &a, NULL, NULL), -EINVAL);
	expect_error(r, "::", NULL, -EINVAL);
	expect_error(r, "ff02::1", "v0", -EINVAL);
	/* fe80::/10 is on every link: without dev the answer would be
	 * whichever link the routing table meets first. */
	expect_error(r, "fe80::2", NULL, -EINVAL);
	ck_assert_int_eq(nh_fd(NULL), -EINVAL);
	ck_assert_int_eq(nh_process(NULL), -EINVAL);
	nh_close(NULL);
	nh_close(r);
}
END_TEST

/* ---- monitor ------------------------------------------------------------ */

START_TEST(test_process_mac_change)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 neigh add 2001:db8:1::2 lladdr " BE_MAC " dev v0 nud permanent");
	r = resolver();
	expect_resolved(r, "2001:db8:1::2", NULL, "2001:db8:1::2", BE_MAC);
	ck_assert_int_eq(nh_process(r), 0);

	run("ip -6 neigh replace 2001:db8:1::2 lladdr " BE_MAC2 " dev v0 nud permanent");
	wait_event(r, 2000);
	ck_assert_int_eq(nh_process(r), 1);
	ck_assert_int_eq(nh_process(r), 0);
	expect_resolved(r, "2001:db8:1::2", NULL, "2001:db8:1::2", BE_MAC2);
	nh_close(r);
}
END_TEST

/* Each command must wake the monitor and count as a change. */
static const char *const change_cmds[] = {
	"ip -6 route add 2001:db8:9::/64 via fe80::fe dev v0",
	"ip -6 route del 2001:db8:1::/64 dev v0",
	("ip link set v0 address " BE_MAC),
	"ip link set v1 down",
	"ip -6 neigh del 2001:db8:1::2 dev v0",
};

START_TEST(test_process_changes)
{
	struct nh_resolver *r;

	netns_new();
	veth_new();
	run("ip -6 neigh add 2001:db8:1::2 lladdr " BE_MAC " dev v0 nud permanent");
	r = resolver();
	ck_assert_int_eq(nh_process(r), 0);
	run("%s", change_cmds[_i]);
	wait_event(r, 2000);
	ck_assert_int_eq(nh_process(r), 1);
	nh_close(r);
}
END_TEST

/* ---- real neighbour discovery ------------------------------------------- */

/* A child process parked in a namespace of its own; it dies with the test
 * process (PR_SET_PDEATHSIG) even when an assertion ends the test early. */
static pid_t peer_netns(void)
{
	pid_t parent = getpid(), pid;
	int p[2];
	char c;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent ||
		    unshare(CLONE_NEWNET) || write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

START_TEST(test_discovery)
{
	struct in6_addr a = A("2001:db8:1::2");
	struct nh_result res;
	struct nh_resolver *r;
	int ret, rounds, events = 0;
	pid_t peer;

	netns_new();
	peer = peer_netns();
	run("ip link add v0 address " V0_MAC " type veth peer name v1 address " PEER_MAC
	    " netns %d", (int)peer);
	run("nsenter -t %d -n sh -c 'ip link set lo up && ip link set v1 up && "
	    "ip -6 addr add 2001:db8:1::2/64 dev v1 nodad'", (int)peer);
	run("ip link set v0 up");
	run("ip -6 addr add 2001:db8:1::1/64 dev v0 nodad");
	r = resolver();
	ck_assert_int_eq(nh_process(r) >= 0, 1);

	/* The peer answers within microseconds: the entry may already be
	 * REACHABLE by the time ip(8) could look at it. */
	expect_pending_result(r, "2001:db8:1::2", NULL, "2001:db8:1::2");
	/* Event-driven, as the daemon does it: sleep in poll() until the
	 * kernel reports the neighbour, then resolve again. */
	for (rounds = 0; rounds < 5; rounds++) {
		wait_event(r, 3000);
		ret = nh_process(r);
		ck_assert_int_ge(ret, 0);
		events += ret;
		ret = nh_resolve(r, &a, NULL, &res);
		if (ret != -EAGAIN)
			break;
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_ge(events, 1);
	ck_assert(res.valid);
	assert_mac(res.dmac, PEER_MAC);
	assert_mac(res.smac, V0_MAC);
	ck_assert_uint_eq(res.ifindex, if_nametoindex("v0"));

	nh_close(r);
	ck_assert_int_eq(kill(peer, SIGKILL), 0);
	ck_assert_int_eq(waitpid(peer, NULL, 0), peer);
}
END_TEST

/* ---- the daemon's view: a known neighbour under re-discovery ------------ */

/* A backend whose neighbour entry goes away (the kernel re-discovers it)
 * keeps its next hop for the grace period, so a live backend's packets are
 * not dropped for the milliseconds an answer takes; a discovery still
 * unanswered after it takes the next hop away (state_nexthop.c). */
START_TEST(test_state_keeps_known_nexthop)
{
	struct mip6lb_backend be;
	struct dfx f;
	__u32 id;

	netns_new();
	veth_new();
	/* v1 has no address: nobody answers a solicitation. */
	run("ip -6 neigh add 2001:db8:1::2 lladdr " BE_MAC " dev v0 nud stale");
	dfx_open_nh(&f);
	dfx_apply(&f, "[service web]\nvip = 2001:db8::80\n"
		  "[backend web s1]\naddr = 2001:db8:1::2\n");
	id = dfx_be(&f, "web", "s1");
	ck_assert(f.st->bes[id].nh.valid);
	dfx_backend(&f, id, &be);
	ck_assert_uint_ne(be.flags & MIP6LB_BE_NH_VALID, 0);
	assert_mac(be.dmac, BE_MAC);

	run("ip -6 neigh del 2001:db8:1::2 dev v0");
	ck_assert_int_eq(state_nh_refresh(f.st, true), 0);
	ck_assert(f.st->bes[id].nh.valid);
	ck_assert_uint_gt(f.st->bes[id].nh_grace_ns, dp_now_ns());
	dfx_backend(&f, id, &be);
	ck_assert_uint_ne(be.flags & MIP6LB_BE_NH_VALID, 0);
	assert_mac(be.dmac, BE_MAC);

	/* The grace is over and nobody answered: no next hop. */
	f.st->bes[id].nh_grace_ns = 1;
	ck_assert_int_eq(state_nh_refresh(f.st, true), 1);
	ck_assert(!f.st->bes[id].nh.valid);
	ck_assert_int_eq(f.st->bes[id].nh.err, -EAGAIN);
	dfx_backend(&f, id, &be);
	ck_assert_uint_eq(be.flags & MIP6LB_BE_NH_VALID, 0);

	/* It answers again: back at once, and a later loss has a new grace. */
	run("ip -6 neigh replace 2001:db8:1::2 lladdr " BE_MAC " dev v0 nud reachable");
	ck_assert_int_eq(state_nh_refresh(f.st, true), 1);
	ck_assert(f.st->bes[id].nh.valid);
	ck_assert_uint_eq(f.st->bes[id].nh_grace_ns, 0);
	dfx_close(&f);
}
END_TEST

MIP6LB_SUITE(nexthop, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("nexthop");
	TCase *res = tcase_create("resolve");
	TCase *dev = tcase_create("dev");
	TCase *mon = tcase_create("monitor");

	/* ip(8) runs a dozen times per test; valgrind makes that slow. */
	tcase_set_timeout(res, 60);
	tcase_set_timeout(dev, 60);
	tcase_set_timeout(mon, 60);

	tcase_add_test(res, test_onlink);
	tcase_add_test(res, test_gateway_linklocal);
	tcase_add_test(res, test_gateway_global);
	tcase_add_test(res, test_default_route);
	tcase_add_loop_test(res, test_nud_states, 0, N_OF(nud_cases));
	tcase_add_test(res, test_missing_neighbour);
	tcase_add_test(res, test_missing_gateway);
	tcase_add_test(res, test_no_route);
	tcase_add_loop_test(res, test_reject_route, 0, N_OF(reject_routes));
	tcase_add_test(res, test_local_address);
	suite_add_tcase(s, res);

	tcase_add_test(dev, test_dev_override);
	tcase_add_test(dev, test_dev_missing);
	tcase_add_test(dev, test_dev_down);
	tcase_add_test(dev, test_dev_not_ethernet);
	tcase_add_test(dev, test_invalid_args);
	tcase_add_test(dev, test_state_keeps_known_nexthop);
	suite_add_tcase(s, dev);

	tcase_add_test(mon, test_process_mac_change);
	tcase_add_loop_test(mon, test_process_changes, 0, N_OF(change_cmds));
	tcase_add_test(mon, test_discovery);
	suite_add_tcase(s, mon);
	return s;
}
