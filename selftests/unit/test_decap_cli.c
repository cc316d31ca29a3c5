// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_decap_cli.c - mip6lb-decap as a user runs it: the built binary
 * ($MIP6LB_BUILD/mip6lb-decap), its exit codes, messages and output.
 *
 *   decap_cli (no root): one table of command lines, good and bad, with
 *     the exit code and a piece of the message each must print.  Good
 *     lines name an interface that does not exist, so they get past the
 *     parser and stop at "No such device" with exit 1.
 *   decap_cli_ns (root): each test in a network namespace of its own
 *     (unshare, so it dies with the test's process whatever happens) with
 *     a veth pair; the pins go to a scratch dir on bpffs that the parent
 *     removes after every test.  attach, status, addr, re-attach, detach;
 *     refusing another program; and real ip6ip6 frames sent from the peer
 *     with AF_PACKET, decapsulated and delivered to a UDP socket.
 *
 * The program's packet classes are test_decap.c's (bpf_prog_test_run);
 * this file tests the tool.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include "harness.h"
#include "mip6lb.h"
#include "pktbuild.h"
#include "runbin.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- running the binary ------------------------------------------------- */

static const char *bin(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/mip6lb-decap", harness_build_dir());
	ck_assert_msg(access(path, X_OK) == 0, "%s: %s (run make first)", path, strerror(errno));
	return path;
}

static void run_argv(struct run *r, const char *const *args)
{
	run_bin(r, bin(), args);
}

/* Run with a space-separated command line (no quoting needed here). */
static void run(struct run *r, const char *line)
{
	const char *args[160];
	char *copy = strdup(line), *save = NULL, *w;
	int n = 0;

	ck_assert_ptr_nonnull(copy);
	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		ck_assert_int_lt(n, (int)N_OF(args) - 1);
		args[n++] = w;
	}
	args[n] = NULL;
	run_argv(r, args);
	free(copy);
}

/* Run and expect an exit code; the output is the caller's to free. */
static void run_expect(struct run *r, const char *line, int status)
{
	run(r, line);
	ck_assert_msg(r->status == status, "'%s': exit %d, expected %d\nstdout: %s\nstderr: %s",
		      line, r->status, status, r->out, r->err);
}

/* ---- decap_cli: the argument table --------------------------------------- */

#define NODEV "nodev-dcli0"
#define A1 "2001:db8:dc::1"
#define A2 "2001:db8:dc::2"

struct arg_case {
	const char *line;
	int status;
	const char *out;       /* in stdout, or NULL */
	const char *err;       /* in stderr, or NULL */
};

static const struct arg_case arg_cases[] = {
	/* Good lines: parsed, then stopped by the missing interface. */
	{ "attach " NODEV " --addr " A1, 1, NULL, "interface " NODEV ": No such device" },
	{ "attach " NODEV " -a " A1 " -a " A2 " --xdp-mode generic --pin-dir /sys/fs/bpf/x", 1,
	  NULL, "No such device" },
	{ "attach --addr " A1 " " NODEV " --xdp-mode native", 1, NULL, "No such device" },
	{ "attach " NODEV " --addr " A1 " --xdp-mode auto", 1, NULL, "No such device" },
	{ "-v attach " NODEV " --addr 2001:DB8:DC:0:0:0:0:1", 1, NULL, "No such device" },
	{ "detach " NODEV, 1, NULL, "interface " NODEV ": No such device" },
	{ "detach " NODEV " --pin-dir /sys/fs/bpf/x", 1, NULL, "No such device" },
	{ "addr add " NODEV " " A1, 1, NULL, "No such device" },
	{ "addr del " NODEV " " A1, 1, NULL, "No such device" },
	{ "status " NODEV, 1, NULL, "No such device" },
	{ "status -j " NODEV " --pin-dir /sys/fs/bpf/x", 1, NULL, "No such device" },
	/* Help. */
	{ "-h", 0, "Usage: mip6lb-decap [OPTIONS] COMMAND", NULL },
	{ "help", 0, "addr del DEV ADDR", NULL },
	{ "help attach", 0, "--xdp-mode native|generic|auto", NULL },
	{ "attach -h", 0, "Usage: mip6lb-decap attach DEV --addr ADDR", NULL },
	{ "help addr add", 0, "Usage: mip6lb-decap addr add DEV ADDR", NULL },
	{ "status --help", 0, "\"interfaces\"", NULL },
	{ "help nosuch", 2, NULL, "help: no command 'nosuch'" },
	/* Usage errors. */
	{ "", 2, NULL, "no command" },
	{ "bogus", 2, NULL, "unknown command 'bogus'" },
	{ "--bogus status", 2, NULL, "unknown option '--bogus'" },
	{ "-x status", 2, NULL, "unknown option '-x'" },
	{ "addr", 2, NULL, "'addr' needs add or del" },
	{ "addr show " NODEV, 2, NULL, "unknown command 'addr show'" },
	{ "attach", 2, NULL, "'attach' takes DEV" },
	{ "attach " NODEV, 2, NULL, "'attach' needs at least one --addr" },
	{ "attach " NODEV " extra --addr " A1, 2, NULL, "not 2 arguments" },
	{ "attach " NODEV " --addr", 2, NULL, "--addr needs an argument" },
	{ "attach " NODEV " --addr ::", 2, NULL, ":: is the unspecified address" },
	{ "attach " NODEV " --addr ::1", 2, NULL, "::1 is the loopback address" },
	{ "attach " NODEV " --addr ff02::1", 2, NULL, "ff02::1 is a multicast address" },
	{ "attach " NODEV " --addr ::ffff:192.0.2.1", 2, NULL, "is an IPv4-mapped address" },
	{ "attach " NODEV " --addr 2001:db8::1/64", 2, NULL, "'2001:db8::1/64' is not an IPv6 address" },
	{ "attach " NODEV " --addr 192.0.2.1", 2, NULL, "'192.0.2.1' is not an IPv6 address" },
	{ "attach " NODEV " --addr [2001:db8::1]", 2, NULL, "is not an IPv6 address" },
	{ "attach " NODEV " --addr " A1 " --addr 2001:db8:dc:0::1", 2, NULL, "given twice" },
	{ "attach " NODEV " --addr " A1 " --xdp-mode hw", 2, NULL, "native, generic or auto" },
	{ "attach " NODEV " --addr " A1 " --pin-dir relative/dir", 2, NULL, "absolute path" },
	{ "attach " NODEV " --addr " A1 " -j", 2, NULL, "'attach' does not take --json" },
	{ "attach waytoolonginterfacename0 --addr " A1, 2, NULL, "is not an interface name" },
	{ "detach", 2, NULL, "'detach' takes DEV" },
	{ "detach " NODEV " --addr " A1, 2, NULL, "'detach' does not take --addr" },
	{ "detach " NODEV " --xdp-mode native", 2, NULL, "'detach' does not take --xdp-mode" },
	{ "addr add " NODEV, 2, NULL, "'addr add' takes DEV ADDR" },
	{ "addr add " NODEV " ff02::1", 2, NULL, "a multicast address" },
	{ "addr del " NODEV " nonsense", 2, NULL, "'nonsense' is not an IPv6 address" },
	{ "addr add " NODEV " " A1 " --pin-dir /sys/fs/bpf/x", 2, NULL, "does not take --pin-dir" },
	{ "status --pin-dir /sys/fs/bpf/x", 2, NULL, "--pin-dir needs DEV" },
	{ "status -j --addr " A1, 2, NULL, "'status' does not take --addr" },
	{ "status a b", 2, NULL, "not 2 arguments" },
};

/* In place: every run of spaces becomes one space. */
static void squeeze_spaces(char *s)
{
	char *w = s, *r;

	for (r = s; *r; r++) {
		if (*r == ' ' && w > s && w[-1] == ' ')
			continue;
		*w++ = *r;
	}
	*w = '\0';
}

START_TEST(test_args)
{
	const struct arg_case *c = &arg_cases[_i];
	struct run r;

	run(&r, c->line);
	ck_assert_msg(r.status == c->status, "'%s': exit %d, expected %d\nstdout: %s\nstderr: %s",
		      c->line, r.status, c->status, r.out, r.err);
	if (c->out)
		ck_assert_msg(strstr(r.out, c->out), "'%s': stdout lacks '%s':\n%s", c->line,
			      c->out, r.out);
	if (c->err)
		ck_assert_msg(strstr(r.err, c->err), "'%s': stderr lacks '%s':\n%s", c->line,
			      c->err, r.err);
	/* A usage error prints one line and points at help; nothing on stdout. */
	if (c->status == 2) {
		ck_assert_str_eq(r.out, "");
		ck_assert_ptr_nonnull(strstr(r.err, "try 'mip6lb-decap help'"));
		ck_assert_ptr_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1);
	}
	run_free(&r);
}
END_TEST

/* The 64-address limit, on a line too long for the table. */
START_TEST(test_too_many_addresses)
{
	static char addrs[65][48];
	const char *args[2 + 2 * 65 + 1];
	struct run r;
	int i, n = 0;

	args[n++] = "attach";
	args[n++] = NODEV;
	for (i = 0; i < 65; i++) {
		snprintf(addrs[i], sizeof(addrs[i]), "2001:db8:dc::%x", i + 1);
		args[n++] = "--addr";
		args[n++] = addrs[i];
	}
	args[n] = NULL;
	run_argv(&r, args);
	ck_assert_int_eq(r.status, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "at most 64 --addr"));
	run_free(&r);

	args[2 + 2 * 64] = NULL;        /* exactly 64: accepted */
	run_argv(&r, args);
	ck_assert_int_eq(r.status, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "No such device"));
	run_free(&r);
}
END_TEST

MIP6LB_SUITE(decap_cli, 0)
{
	Suite *s = suite_create("decap_cli");
	TCase *tc = tcase_create("args");

	tcase_add_loop_test(tc, test_args, 0, N_OF(arg_cases));
	tcase_add_test(tc, test_too_many_addresses);
	suite_add_tcase(s, tc);
	return s;
}

/* ---- decap_cli_ns: in a namespace of the test's own ---------------------- */

#define DEV   "dcx0"       /* where mip6lb-decap runs */
#define PEER  "dcx1"       /* where the frames come from */
#define VIP   "2001:db8:a::80"
#define CLIENT "2001:db8:c::1"
#define LB    "2001:db8:1b::1"
#define UDP_PORT 8080

/* Pins live on the host's bpffs, not in the namespace: each test pins
 * under a dir of its own, named after the runner and the test's process,
 * and the runner (unchecked fixture, in the parent) removes them all even
 * when a test died half way. */
#define PIN_BASE "/sys/fs/bpf/mip6lb-ut-decap-"
static char pin_dir[128];
static pid_t runner;

static void pins_setup(void)
{
	runner = getpid();
}

static void pins_teardown(void)
{
	/* The dirs hold only the two map pins (and their "_new" twins). */
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf " PIN_BASE "%d-*", (int)runner);
	if (system(cmd))
		fprintf(stderr, "decap_cli_ns: '%s' failed\n", cmd);
}

static void sh(const char *cmd)
{
	int rc = system(cmd);

	ck_assert_msg(rc == 0, "'%s' failed (%d)", cmd, rc);
}

static void ns_setup(void)
{
	snprintf(pin_dir, sizeof(pin_dir), PIN_BASE "%d-%d", (int)runner, (int)getpid());
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	/* The peer sends only the test's frames: no IPv6 on it, so no router
	 * solicitations or MLD reports land in rx. */
	sh("ip link set lo up && ip link add " DEV " type veth peer name " PEER " && "
	   "sysctl -qw net.ipv6.conf." PEER ".disable_ipv6=1 && "
	   "ip link set " DEV " up && ip link set " PEER " up && "
	   "ip -6 addr add " VIP "/128 dev lo nodad");
}

static struct json_object *status_json(const char *extra)
{
	struct json_object *doc;
	char line[256];
	struct run r;

	snprintf(line, sizeof(line), "status -j%s%s", extra ? " " : "", extra ? extra : "");
	run_expect(&r, line, 0);
	doc = json_tokener_parse(r.out);
	ck_assert_msg(doc, "'%s': not JSON: %s", line, r.out);
	run_free(&r);
	return doc;
}

static struct json_object *jget(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no '%s' in %s", key,
		      json_object_to_json_string(o));
	return v;
}

/* The one interface status lists (there must be exactly one). */
static struct json_object *only_iface(struct json_object *doc)
{
	struct json_object *ifs = jget(doc, "interfaces");

	ck_assert_int_eq(json_object_array_length(ifs), 1);
	return json_object_array_get_idx(ifs, 0);
}

static void assert_addrs(struct json_object *ifc, const char *const *want, size_t n)
{
	struct json_object *a = jget(ifc, "addresses");
	size_t i;

	ck_assert_uint_eq(json_object_array_length(a), n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(json_object_get_string(json_object_array_get_idx(a, i)), want[i]);
}

static long long counter(struct json_object *ifc, const char *name, const char *field)
{
	return json_object_get_int64(jget(jget(jget(ifc, "counters"), name), field));
}

/* What the kernel says runs on DEV: its id and mode, 0 when none. */
static __u32 xdp_prog_id(__u8 *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int ifindex = (int)if_nametoindex(DEV);

	ck_assert_int_gt(ifindex, 0);
	ck_assert_int_eq(bpf_xdp_query(ifindex, 0, &q), 0);
	if (mode)
		*mode = q.attach_mode;
	return q.prog_id;
}

static bool exists(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s%s", dir, name ? "/" : "", name ? name : "");
	return stat(path, &st) == 0;
}

START_TEST(test_lifecycle)
{
	static const char *const both[] = { "2001:db8:dc::1", "2001:db8:dc::2" };
	static const char *const second[] = { "2001:db8:dc::2" };
	static const char *const third[] = { "2001:db8:dc::3" };
	struct json_object *doc, *ifc, *cnts;
	char line[512];
	__u32 id1, id2;
	struct run r;
	__u8 mode;
	int i;

	snprintf(line, sizeof(line), "attach " DEV " --addr 2001:db8:dc::2 --addr 2001:db8:dc::1 "
		 "--xdp-mode native --pin-dir %s", pin_dir);
	run_expect(&r, line, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "interface " DEV ": mip6lb_decap attached in native mode"));
	run_free(&r);
	ck_assert(exists(pin_dir, "decap_addrs"));
	ck_assert(exists(pin_dir, "decap_counters"));

	/* Status finds it from the interface: no --pin-dir, so pin_dir is
	 * null (the default dir holds nothing). */
	doc = status_json(NULL);
	ifc = only_iface(doc);
	ck_assert_str_eq(json_object_get_string(jget(ifc, "name")), DEV);
	ck_assert_str_eq(json_object_get_string(jget(ifc, "mode")), "native");
	ck_assert_int_eq(json_object_get_int(jget(ifc, "ifindex")), (int)if_nametoindex(DEV));
	ck_assert(json_object_is_type(jget(ifc, "pin_dir"), json_type_null));
	id1 = (__u32)json_object_get_int64(jget(ifc, "prog_id"));
	ck_assert_uint_eq(id1, xdp_prog_id(&mode));
	ck_assert_uint_eq(mode, XDP_ATTACHED_DRV);
	assert_addrs(ifc, both, 2);
	/* Every counter by its name, all zero. */
	cnts = jget(ifc, "counters");
	ck_assert_int_eq(json_object_object_length(cnts), MIP6LB_DCNT_MAX);
	json_object_object_foreach(cnts, name, val) {
		ck_assert_msg(strncmp(name, "counter_", 8), "counter without a name: %s", name);
		ck_assert_int_eq(json_object_get_int64(jget(val, "packets")), 0);
		ck_assert_int_eq(json_object_get_int64(jget(val, "bytes")), 0);
	}
	for (i = 0; i < 2; i++) {
		static const char *const some[] = { "decapsulated", "drop_ecn" };

		ck_assert_int_eq(counter(ifc, some[i], "packets"), 0);
	}
	json_object_put(doc);

	snprintf(line, sizeof(line), DEV " --pin-dir %s", pin_dir);
	doc = status_json(line);
	ck_assert_str_eq(json_object_get_string(jget(only_iface(doc), "pin_dir")), pin_dir);
	json_object_put(doc);

	run_expect(&r, "status", 0);
	/* Column widths follow the widest cell (a program id past 9999
	 * widens PROG), so compare with runs of spaces squeezed to one. */
	squeeze_spaces(r.out);
	ck_assert_msg(strstr(r.out, "INTERFACE MODE PROG ADDRESS"), "no header in:\n%s", r.out);
	ck_assert_msg(strstr(r.out, DEV " native"), "no native row in:\n%s", r.out);
	ck_assert_ptr_nonnull(strstr(r.out, "2001:db8:dc::1"));
	ck_assert_ptr_nonnull(strstr(r.out, "drop_inner_not_ipv6"));
	run_free(&r);

	/* addr del, add: the map, live. */
	run_expect(&r, "addr del " DEV " 2001:db8:dc::1", 0);
	run_free(&r);
	doc = status_json(NULL);
	assert_addrs(only_iface(doc), second, 1);
	json_object_put(doc);
	run_expect(&r, "addr add " DEV " 2001:db8:dc::2", 1);
	ck_assert_ptr_nonnull(strstr(r.err, "2001:db8:dc::2 is a decap address already"));
	run_free(&r);
	run_expect(&r, "addr del " DEV " 2001:db8:dc::1", 1);
	ck_assert_ptr_nonnull(strstr(r.err, "2001:db8:dc::1 is not a decap address"));
	run_free(&r);
	run_expect(&r, "addr del " DEV " 2001:db8:dc::2", 1);
	ck_assert_ptr_nonnull(strstr(r.err, "is the last decap address"));
	run_free(&r);

	/* Attach again: the set is replaced, the program swapped in place. */
	snprintf(line, sizeof(line), "attach " DEV " --addr 2001:db8:dc::3 --pin-dir %s", pin_dir);
	run_expect(&r, line, 0);
	ck_assert_ptr_nonnull(strstr(r.err, "mip6lb_decap replaced in native mode"));
	run_free(&r);
	doc = status_json(NULL);
	ifc = only_iface(doc);
	assert_addrs(ifc, third, 1);
	id2 = (__u32)json_object_get_int64(jget(ifc, "prog_id"));
	ck_assert_uint_ne(id2, id1);
	ck_assert_uint_eq(id2, xdp_prog_id(NULL));
	json_object_put(doc);
	/* ... but not into another mode. */
	snprintf(line, sizeof(line), "attach " DEV " --addr 2001:db8:dc::3 --xdp-mode generic "
		 "--pin-dir %s", pin_dir);
	run_expect(&r, line, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "runs in native mode; detach it before"));
	run_free(&r);
	ck_assert_uint_eq(xdp_prog_id(NULL), id2);

	/* Detach: no XDP left, no pins left; a second detach is an error. */
	snprintf(line, sizeof(line), "detach " DEV " --pin-dir %s", pin_dir);
	run_expect(&r, line, 0);
	run_free(&r);
	ck_assert_uint_eq(xdp_prog_id(NULL), 0);
	ck_assert(!exists(pin_dir, NULL));
	run_expect(&r, "status -j", 0);
	ck_assert_str_eq(r.out, "{\"interfaces\":[]}\n");
	run_free(&r);
	run_expect(&r, "status", 0);
	ck_assert_str_eq(r.out, "INTERFACE  MODE  PROG  ADDRESS  PINS\n");
	run_free(&r);
	run_expect(&r, line, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "interface " DEV ": mip6lb_decap is not attached"));
	run_free(&r);
	run_expect(&r, "addr add " DEV " 2001:db8:dc::4", 1);
	ck_assert_ptr_nonnull(strstr(r.err, "mip6lb_decap is not attached"));
	run_free(&r);
}
END_TEST

/* A program that is not libxdp's dispatcher blocks the attach, by name;
 * detach leaves it alone. */
START_TEST(test_other_program)
{
	char line[512];
	struct run r;
	__u32 id;

	snprintf(line, sizeof(line), "ip link set dev " DEV " xdpdrv obj %s/selftests/xdp_pass.bpf.o "
		 "sec xdp", harness_build_dir());
	sh(line);
	id = xdp_prog_id(NULL);
	ck_assert_uint_gt(id, 0);

	snprintf(line, sizeof(line), "attach " DEV " --addr 2001:db8:dc::1 --pin-dir %s", pin_dir);
	run_expect(&r, line, 1);
	ck_assert_msg(strstr(r.err, "already runs the XDP program 'xdp_pass'"), "%s", r.err);
	run_free(&r);
	ck_assert(!exists(pin_dir, NULL));
	ck_assert_uint_eq(xdp_prog_id(NULL), id);

	snprintf(line, sizeof(line), "detach " DEV " --pin-dir %s", pin_dir);
	run_expect(&r, line, 1);
	ck_assert_ptr_nonnull(strstr(r.err, "mip6lb_decap is not attached"));
	run_free(&r);
	ck_assert_uint_eq(xdp_prog_id(NULL), id);
}
END_TEST

/* RFC 768 / RFC 8200 §8.1: the UDP checksum over the IPv6 pseudo-header;
 * the stack drops a UDP/IPv6 datagram without one. */
static void udp6_checksum(struct pb *b)
{
	const __u8 *ip6 = b->data + 14, *udp = ip6 + 40;
	__u16 ulen = (__u16)(b->len - 14 - 40), sum16;
	__u32 sum = 0;
	size_t i;

	for (i = 8; i < 40; i += 2)             /* source and destination */
		sum += (__u32)(ip6[i] << 8 | ip6[i + 1]);
	sum += ulen + 17;
	for (i = 0; i < ulen; i += 2)
		sum += (__u32)(udp[i] << 8 | (i + 1 < ulen ? udp[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum16 = (__u16)~sum;
	if (!sum16)
		sum16 = 0xffff;
	b->data[14 + 40 + 6] = (__u8)(sum16 >> 8);
	b->data[14 + 40 + 7] = (__u8)sum16;
}

/* By ioctl: /sys/class/net shows the host's namespace, not this one. */
static void dev_mac(__u8 mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", DEV);
	ck_assert_msg(!ioctl(fd, SIOCGIFHWADDR, &ifr), "SIOCGIFHWADDR %s: %s", DEV, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

static void send_frame(const struct pb *b)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	int raw = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	ck_assert_int_ge(raw, 0);
	to.sll_ifindex = (int)if_nametoindex(PEER);
	ck_assert_int_gt(to.sll_ifindex, 0);
	ck_assert_int_eq(sendto(raw, b->data, b->len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)b->len);
	close(raw);
}

/* One ip6ip6 frame to a decap address and one plain frame to the VIP:
 * the first comes out of a UDP socket on the VIP, and status counts one
 * decapsulated and one pass_not_ours, with the frames' own lengths. */
START_TEST(test_decapsulates_a_frame)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(UDP_PORT) };
	struct json_object *doc, *ifc;
	struct pb tun, plain;
	struct pollfd p;
	char line[512], buf[64];
	__u8 mac[6];
	struct run r;
	int s, i;
	ssize_t n;

	snprintf(line, sizeof(line), "attach " DEV " --addr 2001:db8:dc::1 --addr 2001:db8:dc::2 "
		 "--xdp-mode native --pin-dir %s", pin_dir);
	run_expect(&r, line, 0);
	run_free(&r);

	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(inet_pton(AF_INET6, VIP, &sa.sin6_addr), 1);
	ck_assert_msg(!bind(s, (struct sockaddr *)&sa, sizeof(sa)), "bind: %s", strerror(errno));

	/* The inner packet as a client sent it to the VIP; the balancer's
	 * ip6ip6 wraps it for this backend's decap address. */
	dev_mac(mac);
	pb_init(&tun, CLIENT, VIP);
	pb_udp(&tun, 40000, UDP_PORT, 12);
	pb_finish(&tun);
	udp6_checksum(&tun);
	memcpy(tun.data, mac, 6);
	pb_encap(&tun, LB, "2001:db8:dc::2");
	send_frame(&tun);

	p = (struct pollfd){ .fd = s, .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	n = recv(s, buf, sizeof(buf), 0);
	ck_assert_int_eq(n, 12);
	ck_assert_int_eq(memcmp(buf, "abcdefghijkl", 12), 0);
	close(s);

	pb_init(&plain, CLIENT, VIP);
	pb_udp(&plain, 40001, UDP_PORT + 1, 4);
	pb_finish(&plain);
	send_frame(&plain);

	/* The veth hands frames to DEV's NAPI asynchronously: wait (bounded)
	 * for the second one to be counted, then check every count. */
	for (i = 0; i < 250; i++) {
		doc = status_json(NULL);
		ifc = only_iface(doc);
		if (counter(ifc, "rx", "packets") >= 2)
			break;
		json_object_put(doc);
		doc = NULL;
		usleep(20 * 1000);
	}
	ck_assert_msg(doc, "status never counted two frames");
	ck_assert_int_eq(counter(ifc, "decapsulated", "packets"), 1);
	ck_assert_int_eq(counter(ifc, "decapsulated", "bytes"), (long long)tun.len);
	ck_assert_int_eq(counter(ifc, "pass_not_ours", "packets"), 1);
	ck_assert_int_eq(counter(ifc, "pass_not_ours", "bytes"), (long long)plain.len);
	ck_assert_int_eq(counter(ifc, "rx", "packets"), 2);
	ck_assert_int_eq(counter(ifc, "rx", "bytes"), (long long)(tun.len + plain.len));
	ck_assert_int_eq(counter(ifc, "drop_bad_length", "packets"), 0);
	ck_assert_int_eq(counter(ifc, "pass_not_tunnel", "packets"), 0);
	json_object_put(doc);

	/* Re-attaching keeps the counters (the map is reused). */
	snprintf(line, sizeof(line), "attach " DEV " --addr 2001:db8:dc::1 --pin-dir %s", pin_dir);
	run_expect(&r, line, 0);
	run_free(&r);
	doc = status_json(NULL);
	ifc = only_iface(doc);
	ck_assert_int_eq(counter(ifc, "decapsulated", "packets"), 1);
	ck_assert_int_eq(counter(ifc, "rx", "packets"), 2);
	json_object_put(doc);

	snprintf(line, sizeof(line), "detach " DEV " --pin-dir %s", pin_dir);
	run_expect(&r, line, 0);
	run_free(&r);
}
END_TEST

MIP6LB_SUITE(decap_cli_ns, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("decap_cli_ns");
	TCase *tc = tcase_create("netns");

	tcase_add_unchecked_fixture(tc, pins_setup, pins_teardown);
	tcase_add_checked_fixture(tc, ns_setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_other_program);
	tcase_add_test(tc, test_decapsulates_a_frame);
	suite_add_tcase(s, tc);
	return s;
}
