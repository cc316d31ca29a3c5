// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * test_announce.c - loader/announce.c in a network namespace of the test's
 * own: the VIP device is a non-persistent TUN device, the /128 routes go
 * into announce_table only once every gate is open, follow the config's
 * VIPs, go on withdraw and with the device when it is closed; a name that
 * is a device of another kind, or a TUN device in use, is refused.
 * What the kernel holds is read back with ip(8), as an operator would.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <json-c/json.h>
#include "harness.h"
#include "announce.h"
#include "config.h"

#define TABLE "4242"

static void run(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

/* The output of cmd, up to len bytes. */
static void out(const char *cmd, char *buf, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	ck_assert_msg(f, "popen %s", cmd);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	pclose(f);
}

static void netns_new(void)
{
	ck_assert_int_eq(unshare(CLONE_NEWNET), 0);
	run("ip link set lo up");
}

static void conf(struct mip6lb_config *cfg, const char *services)
{
	char text[1024], err[256];

	snprintf(text, sizeof(text), "[daemon]\nannounce = on\nannounce_table = " TABLE "\n"
		 "announce_dev = vipdev0\n%s", services);
	ck_assert_msg(config_parse_string(text, "t.conf", cfg, err, sizeof(err)) == 0, "%s", err);
}

#define TWO "[service a]\nvip = 2001:db8:80::1\nproto = udp\n" \
	    "[service b]\nvip = 2001:db8:80::1\nproto = tcp\n" \
	    "[service c]\nvip = 2001:db8:80::2\n"
#define ONE "[service a]\nvip = 2001:db8:80::1\nproto = udp\n" \
	    "[service d]\nvip = 2001:db8:80::3\n"

START_TEST(test_gates_and_sync)
{
	struct mip6lb_config cfg, cfg2;
	struct announce *a = NULL;
	char buf[2048];
	int g;

	netns_new();
	conf(&cfg, TWO);
	ck_assert_int_eq(announce_open(&a, &cfg), 0);
	out("ip -d link show vipdev0", buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "tun type tun") && strstr(buf, ",UP,"), "%s", buf);
	ck_assert_msg(!strstr(buf, "persist on"), "the VIP device must not persist: %s", buf);
	ck_assert_int_eq(announce_sync(a, &cfg), 0);

	/* No route while any gate is closed. */
	for (g = 0; g < ANN_GATE_MAX - 1; g++) {
		announce_gate(a, g, true);
		ck_assert(!announce_ready(a));
		out("ip -6 route show table " TABLE, buf, sizeof(buf));
		ck_assert_msg(!buf[0], "routes before the gates opened: %s", buf);
	}
	ck_assert(announce_gate(a, ANN_GATE_MAX - 1, true));
	ck_assert(announce_ready(a));
	out("ip -6 route show table " TABLE, buf, sizeof(buf));
	ck_assert_msg(strstr(buf, "2001:db8:80::1 dev vipdev0 proto 241") &&
		      strstr(buf, "2001:db8:80::2 dev vipdev0 proto 241"), "%s", buf);
	/* One route per VIP, however many services share it. */
	ck_assert_msg(!strstr(strstr(buf, "2001:db8:80::1 ") + 1, "2001:db8:80::1 "), "%s", buf);
	/* Nothing on the host's own tables, no local VIP. */
	out("ip -6 route show table all | grep -c 2001:db8:80::; ip -6 addr show | "
	    "grep -c 2001:db8:80::", buf, sizeof(buf));
	ck_assert_str_eq(buf, "2\n0\n");

	/* Runtime change: ::2 goes, ::3 comes. */
	conf(&cfg2, ONE);
	ck_assert_int_eq(announce_sync(a, &cfg2), 0);
	out("ip -6 route show table " TABLE " | cut -d' ' -f1 | sort | tr '\\n' ' '", buf,
	    sizeof(buf));
	ck_assert_str_eq(buf, "2001:db8:80::1 2001:db8:80::3 ");

	/* A gate that closes withdraws; reopening announces again. */
	ck_assert(announce_gate(a, ANN_GATE_SYNC, false));
	out("ip -6 route show table " TABLE, buf, sizeof(buf));
	ck_assert_msg(!buf[0], "%s", buf);
	ck_assert(announce_gate(a, ANN_GATE_SYNC, true));
	{
		struct json_object *j = announce_json(a), *v;

		ck_assert(json_object_object_get_ex(j, "ready", &v) && json_object_get_boolean(v));
		ck_assert(json_object_object_get_ex(j, "vips", &v));
		ck_assert_int_eq(json_object_array_length(v), 2);
		json_object_put(j);
	}

	announce_withdraw(a);
	out("ip -6 route show table " TABLE, buf, sizeof(buf));
	ck_assert_msg(!buf[0], "%s", buf);
	announce_gate(a, ANN_GATE_SYNC, false);
	announce_gate(a, ANN_GATE_SYNC, true);
	/* Closing the file deletes the device and its routes. */
	announce_close(a);
	ck_assert_int_ne(system("ip link show vipdev0 >/dev/null 2>&1"), 0);
	out("ip -6 route show table " TABLE " 2>/dev/null", buf, sizeof(buf));
	ck_assert_msg(!buf[0], "%s", buf);
	config_free(&cfg);
	config_free(&cfg2);
}
END_TEST

START_TEST(test_refused)
{
	struct mip6lb_config cfg;
	struct announce *a = NULL, *b = NULL;

	netns_new();
	conf(&cfg, TWO);
	/* A device of another kind by that name. */
	run("ip link add vipdev0 type veth peer name vipdev1");
	ck_assert_int_eq(announce_open(&a, &cfg), -EINVAL);
	ck_assert_ptr_null(a);
	run("ip link del vipdev0");
	/* A second owner of a live one. */
	ck_assert_int_eq(announce_open(&a, &cfg), 0);
	ck_assert_int_eq(announce_open(&b, &cfg), -EBUSY);
	announce_close(a);
	/* A persistent one left by someone is taken over and made ours. */
	run("ip tuntap add dev vipdev0 mode tun");
	ck_assert_int_eq(announce_open(&a, &cfg), 0);
	announce_close(a);
	ck_assert_int_ne(system("ip link show vipdev0 >/dev/null 2>&1"), 0);
	announce_close(NULL);
	config_free(&cfg);
}
END_TEST

MIP6LB_SUITE(announce, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("announce");
	TCase *tc = tcase_create("tun");

	tcase_set_timeout(tc, 30);
	if (access("/dev/net/tun", R_OK | W_OK)) {
		printf("SKIP announce/tun: /dev/net/tun: %s\n", strerror(errno));
	} else {
		tcase_add_test(tc, test_gates_and_sync);
		tcase_add_test(tc, test_refused);
	}
	suite_add_tcase(s, tc);
	return s;
}
