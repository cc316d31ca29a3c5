// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The daemon's state over real, pinned maps: config to maps, adoption
 * after a restart (ids stable, sessions kept), reload diffs (drain, remove,
 * add) against live sessions and live packets, runtime changes, next hops
 * and incompatible pins; offline next hops, and mip6lbctl classify (the
 * built binary) picking the backends the daemon's maps pick.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>
#include <json-c/json.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "harness.h"
#include "daemonfix.h"
#include "config.h"
#include "maglev.h"
#include "pktbuild.h"

#define VIP_WEB "2001:db8::80"
#define VIP_DNS "2001:db8::53"

#define DAEMON_SEC "[daemon]\nevents_per_sec = 77\n"
#define WEB_SEC    "[service web]\nvip = " VIP_WEB "\nproto = udp\nport = 80\nlifetime = 120\n"
#define DNS_SEC    "[service dns]\nvip = " VIP_DNS "\n"
#define BE(svc, name, addr, mac) \
	"[backend " svc " " name "]\naddr = " addr "\nmac = " mac "\ndev = lo\n"
#define S1 BE("web", "s1", "2001:db8:1::1", "02:be:00:00:00:01")
#define S2 BE("web", "s2", "2001:db8:1::2", "02:be:00:00:00:02")
#define S3 BE("web", "s3", "2001:db8:1::3", "02:be:00:00:00:03") "weight = 2\n"
#define S4 BE("web", "s4", "2001:db8:1::4", "02:be:00:00:00:04")
#define S5 BE("web", "s5", "2001:db8:1::5", "02:be:00:00:00:05")
#define S6 BE("web", "s6", "2001:db8:1::6", "02:be:00:00:00:06")
#define D1 BE("dns", "d1", "2001:db8:2::1", "02:be:00:00:00:11")

#define BASE DAEMON_SEC WEB_SEC DNS_SEC S1 S2 S3 D1

static struct dfx fx;

static void setup(void)
{
	dfx_open(&fx);
}

static void teardown(void)
{
	dfx_close(&fx);
}

static void assert_backend(__u32 id, __u32 sid, const char *addr, __u32 flags, __u8 mac_last)
{
	struct mip6lb_backend be;
	struct in6_addr a;

	dfx_backend(&fx, id, &be);
	ck_assert_int_eq(inet_pton(AF_INET6, addr, &a), 1);
	ck_assert_mem_eq(&be.addr, &a, 16);
	ck_assert_uint_eq(be.service_id, sid);
	ck_assert_uint_eq(be.flags, flags);
	ck_assert_uint_eq(be.ifindex, 1);        /* dev = lo */
	ck_assert_uint_eq(be.dmac[0], 0x02);
	ck_assert_uint_eq(be.dmac[5], mac_last);
}

static void assert_cleared(__u32 id)
{
	static const struct mip6lb_backend zero;
	struct mip6lb_backend be;

	dfx_backend(&fx, id, &be);
	ck_assert_mem_eq(&be, &zero, sizeof(be));
}

START_TEST(test_apply_writes_maps)
{
	const __u32 ok = MIP6LB_BE_ACTIVE | MIP6LB_BE_NH_VALID;
	struct mip6lb_settings set;
	struct mip6lb_service svc;
	__u32 web, dns, s1, s2, s3, d1, zero = 0;
	__u32 n1, n2, n3;

	dfx_apply(&fx, BASE);
	web = dfx_svc(&fx, "web");
	dns = dfx_svc(&fx, "dns");
	s1 = dfx_be(&fx, "web", "s1");
	s2 = dfx_be(&fx, "web", "s2");
	s3 = dfx_be(&fx, "web", "s3");
	d1 = dfx_be(&fx, "dns", "d1");
	/* Fresh maps: ids in config order from 0. */
	ck_assert_uint_eq(web, 0);
	ck_assert_uint_eq(dns, 1);
	ck_assert_uint_eq(s1, 0);
	ck_assert_uint_eq(s2, 1);
	ck_assert_uint_eq(s3, 2);
	ck_assert_uint_eq(d1, 3);

	ck_assert_int_eq(dfx_service_key(&fx, VIP_WEB, IPPROTO_UDP, 80), (int)web);
	ck_assert_int_eq(dfx_service_key(&fx, VIP_DNS, 0, 0), (int)dns);
	ck_assert_int_eq(dfx_service_key(&fx, VIP_WEB, 0, 0), -ENOENT);
	ck_assert_int_eq(dfx_vip(&fx, VIP_WEB), (int)web);
	ck_assert_int_eq(dfx_vip(&fx, VIP_DNS), (int)dns);

	dfx_service_conf(&fx, web, &svc);
	ck_assert_uint_eq(svc.id, web);
	ck_assert_uint_eq(svc.flags, MIP6LB_SVC_ACTIVE | MIP6LB_SVC_EUI64_ONLY);
	ck_assert_uint_eq(svc.lifetime_s, 120);
	ck_assert_uint_eq(svc.n_backends, 3);
	ck_assert_uint_eq(svc.n_ids, 4);
	ck_assert_uint_eq(svc.id_order[0], MIP6LB_KIND_HOA);
	ck_assert_uint_eq(svc.forward, MIP6LB_FWD_L2_DSR);
	dfx_service_conf(&fx, dns, &svc);
	ck_assert_uint_eq(svc.n_backends, 1);
	ck_assert_uint_eq(svc.lifetime_s, MIP6LB_DEFAULT_LIFETIME);

	assert_backend(s1, web, "2001:db8:1::1", ok, 0x01);
	assert_backend(s2, web, "2001:db8:1::2", ok, 0x02);
	assert_backend(s3, web, "2001:db8:1::3", ok, 0x03);
	assert_backend(d1, dns, "2001:db8:2::1", ok, 0x11);

	/* Weighted ring over exactly the three web backends. */
	n1 = dfx_ring_count(&fx, web, s1);
	n2 = dfx_ring_count(&fx, web, s2);
	n3 = dfx_ring_count(&fx, web, s3);
	ck_assert_uint_eq(n1 + n2 + n3, MIP6LB_RING_SIZE);
	ck_assert_uint_gt(n3, n1 * 19 / 10);
	ck_assert_uint_gt(n3, n2 * 19 / 10);
	ck_assert_uint_eq(dfx_ring_count(&fx, dns, d1), MIP6LB_RING_SIZE);

	ck_assert_int_eq(bpf_map_lookup_elem(fx.dp.maps.settings, &zero, &set), 0);
	ck_assert_uint_eq(set.events_per_sec, 77);
}
END_TEST

START_TEST(test_vip_default_least_specific)
{
	int a, b;

	dfx_apply(&fx, "[service a]\nvip = 2001:db8::1\nproto = tcp\nport = 80\n"
		       "[service b]\nvip = 2001:db8::1\n"
		       "[service c]\nvip = 2001:db8::1\nproto = udp\n");
	a = dfx_svc(&fx, "a");
	b = dfx_svc(&fx, "b");
	ck_assert_int_eq(dfx_vip(&fx, "2001:db8::1"), b);
	/* Without the catch-all, the first of the next most general. */
	dfx_apply(&fx, "[service a]\nvip = 2001:db8::1\nproto = tcp\nport = 80\n"
		       "[service c]\nvip = 2001:db8::1\nproto = udp\n");
	ck_assert_int_eq(dfx_vip(&fx, "2001:db8::1"), (int)dfx_svc(&fx, "c"));
	ck_assert_int_eq(dfx_svc(&fx, "a"), a);
	dfx_apply(&fx, "[service x]\nvip = 2001:db8::2\n");
	ck_assert_int_eq(dfx_vip(&fx, "2001:db8::1"), -ENOENT);
	ck_assert_int_eq(dfx_service_key(&fx, "2001:db8::1", IPPROTO_TCP, 80), -ENOENT);
}
END_TEST

START_TEST(test_restart_adopts_ids_and_sessions)
{
	__u32 web, dns, s1, s2, s3, d1, s4;
	struct mip6lb_session v;

	dfx_apply(&fx, BASE);
	web = dfx_svc(&fx, "web");
	dns = dfx_svc(&fx, "dns");
	s1 = dfx_be(&fx, "web", "s1");
	s2 = dfx_be(&fx, "web", "s2");
	s3 = dfx_be(&fx, "web", "s3");
	d1 = dfx_be(&fx, "dns", "d1");
	dfx_session_put(&fx, web, "2001:db8:100::1", s1, 300, 1);
	dfx_session_put(&fx, web, "2001:db8:100::2", s2, 300, 2);
	dfx_session_put(&fx, web, "2001:db8:100::3", s3, 300, 3);
	dfx_session_put(&fx, dns, "2001:db8:100::4", d1, 300, 4);

	/* "kill -9": nothing is cleaned up; a new process finds the pins. */
	dfx_restart(&fx);
	ck_assert_int_eq(fx.dp.n_adopted, 20);
	ck_assert_uint_eq(fx.st->adopted_services, 2);
	ck_assert_uint_eq(fx.st->adopted_backends, 4);

	/* The same services in another order, plus a new backend. */
	dfx_apply(&fx, DAEMON_SEC D1 DNS_SEC S4 S3 S2 S1 WEB_SEC);
	ck_assert_uint_eq(dfx_svc(&fx, "web"), web);
	ck_assert_uint_eq(dfx_svc(&fx, "dns"), dns);
	ck_assert_uint_eq(dfx_be(&fx, "web", "s1"), s1);
	ck_assert_uint_eq(dfx_be(&fx, "web", "s2"), s2);
	ck_assert_uint_eq(dfx_be(&fx, "web", "s3"), s3);
	ck_assert_uint_eq(dfx_be(&fx, "dns", "d1"), d1);
	s4 = dfx_be(&fx, "web", "s4");
	ck_assert_uint_eq(s4, 4);

	ck_assert_int_eq(dfx_session_get(&fx, web, "2001:db8:100::1", &v), 0);
	ck_assert_uint_eq(v.backend_id, s1);
	ck_assert_uint_eq(v.last_used_ns, 1);
	ck_assert_int_eq(dfx_session_get(&fx, web, "2001:db8:100::2", &v), 0);
	ck_assert_uint_eq(v.backend_id, s2);
	ck_assert_int_eq(dfx_session_get(&fx, web, "2001:db8:100::3", &v), 0);
	ck_assert_uint_eq(v.backend_id, s3);
	ck_assert_int_eq(dfx_session_get(&fx, dns, "2001:db8:100::4", &v), 0);
	ck_assert_uint_eq(v.backend_id, d1);
	ck_assert_int_eq(dfx_service_key(&fx, VIP_WEB, IPPROTO_UDP, 80), (int)web);

	/* Restart with a config that lost a service: its ids, key, VIP,
	 * backend and sessions are cleared; the rest stays. */
	dfx_restart(&fx);
	dfx_apply(&fx, DAEMON_SEC WEB_SEC S1 S2 S3 S4);
	ck_assert_uint_eq(dfx_svc(&fx, "web"), web);
	ck_assert_uint_eq(dfx_be(&fx, "web", "s4"), s4);
	ck_assert_int_eq(dfx_service_key(&fx, VIP_DNS, 0, 0), -ENOENT);
	ck_assert_int_eq(dfx_vip(&fx, VIP_DNS), -ENOENT);
	assert_cleared(d1);
	ck_assert_int_eq(dfx_session_get(&fx, dns, "2001:db8:100::4", &v), -ENOENT);
	ck_assert_int_eq(dfx_session_get(&fx, web, "2001:db8:100::3", &v), 0);
	ck_assert_uint_eq(v.backend_id, s3);
	ck_assert_int_eq(dfx_session_count(&fx), 3);
}
END_TEST

START_TEST(test_reload_diff)
{
	const __u32 ok = MIP6LB_BE_ACTIVE | MIP6LB_BE_NH_VALID;
	__u32 web, s1, s2, s3, s4, s5, s6, d1;
	struct mip6lb_service svc;
	struct mip6lb_session v;

	dfx_apply(&fx, BASE);
	web = dfx_svc(&fx, "web");
	s1 = dfx_be(&fx, "web", "s1");
	s2 = dfx_be(&fx, "web", "s2");
	s3 = dfx_be(&fx, "web", "s3");
	d1 = dfx_be(&fx, "dns", "d1");
	dfx_session_put(&fx, web, "2001:db8:100::1", s1, 300, 11);
	dfx_session_put(&fx, web, "2001:db8:100::2", s2, 300, 22);
	dfx_session_put(&fx, web, "2001:db8:100::3", s3, 300, 33);

	/* Drain s2, remove s3, add s4. */
	dfx_apply(&fx, DAEMON_SEC WEB_SEC DNS_SEC S1 S2 "state = drained\n" S4 D1);
	ck_assert_uint_eq(dfx_be(&fx, "web", "s1"), s1);
	ck_assert_uint_eq(dfx_be(&fx, "web", "s2"), s2);
	ck_assert_uint_eq(dfx_be(&fx, "dns", "d1"), d1);
	ck_assert_int_eq(state_backend_id(fx.st, "web", "s3"), -ENOENT);
	s4 = dfx_be(&fx, "web", "s4");
	ck_assert_uint_ne(s4, s3);               /* a freed id is not handed out again */

	assert_backend(s1, web, "2001:db8:1::1", ok, 0x01);
	assert_backend(s2, web, "2001:db8:1::2", ok | MIP6LB_BE_DRAINED, 0x02);
	assert_backend(s4, web, "2001:db8:1::4", ok, 0x04);
	assert_cleared(s3);

	ck_assert_uint_eq(dfx_ring_count(&fx, web, s2), 0);
	ck_assert_uint_eq(dfx_ring_count(&fx, web, s3), 0);
	ck_assert_uint_eq(dfx_ring_count(&fx, web, s1) + dfx_ring_count(&fx, web, s4),
			  MIP6LB_RING_SIZE);
	dfx_service_conf(&fx, web, &svc);
	ck_assert_uint_eq(svc.n_backends, 2);

	/* Sessions are the datapath's: the drained and the removed
	 * backend's sessions stay as they were (the removed one's re-hash
	 * on their next packet). */
	ck_assert_int_eq(dfx_session_get(&fx, web, "2001:db8:100::1", &v), 0);
	ck_assert_uint_eq(v.backend_id, s1);
	ck_assert_uint_eq(v.last_used_ns, 11);
	ck_assert_int_eq(dfx_session_get(&fx, web, "2001:db8:100::2", &v), 0);
	ck_assert_uint_eq(v.backend_id, s2);
	ck_assert_uint_eq(v.last_used_ns, 22);
	ck_assert_int_eq(dfx_session_get(&fx, web, "2001:db8:100::3", &v), 0);
	ck_assert_uint_eq(v.backend_id, s3);

	/* Undrain s2, drop s4, add s5 and s6: both get ids never used
	 * before, not s3's or s4's. */
	dfx_apply(&fx, DAEMON_SEC WEB_SEC DNS_SEC S1 S2 S5 S6 D1);
	s5 = dfx_be(&fx, "web", "s5");
	s6 = dfx_be(&fx, "web", "s6");
	ck_assert_uint_ne(s5, s3);
	ck_assert_uint_ne(s5, s4);
	ck_assert_uint_ne(s6, s3);
	ck_assert_uint_ne(s6, s4);
	assert_backend(s2, web, "2001:db8:1::2", ok, 0x02);
	assert_cleared(s4);
	ck_assert_uint_gt(dfx_ring_count(&fx, web, s2), 0);
	ck_assert_uint_eq(dfx_ring_count(&fx, web, s1) + dfx_ring_count(&fx, web, s2) +
			  dfx_ring_count(&fx, web, s5) + dfx_ring_count(&fx, web, s6),
			  MIP6LB_RING_SIZE);

	/* Weight 0: configured, keeps its sessions, not on the ring. */
	dfx_apply(&fx, DAEMON_SEC WEB_SEC DNS_SEC S1 "weight = 0\n" S2 S5 S6 D1);
	ck_assert_uint_eq(dfx_be(&fx, "web", "s1"), s1);
	ck_assert_uint_eq(dfx_ring_count(&fx, web, s1), 0);
	assert_backend(s1, web, "2001:db8:1::1", ok, 0x01);
}
END_TEST

static __u32 mac_to_be(const __u8 *mac)
{
	ck_assert_uint_eq(mac[0], 0x02);
	ck_assert_uint_eq(mac[1], 0xbe);
	return mac[5];
}

START_TEST(test_reload_live_packets)
{
	enum { N = 200 };
	__u8 before[N], after[N], mac[6];
	char src[64];
	int i, moved = 0, per[8] = { 0 };

	dfx_apply(&fx, BASE);
	dfx_load_prog(&fx);
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:100::%x", i + 1);
		ck_assert_int_eq(dfx_run_udp(&fx, src, VIP_WEB, 80, mac), XDP_TX);
		before[i] = mac_to_be(mac);
		ck_assert(before[i] >= 1 && before[i] <= 3);
		per[before[i]]++;
	}
	ck_assert_int_gt(per[1], 0);
	ck_assert_int_gt(per[2], 0);
	ck_assert_int_gt(per[3], per[1]);       /* weight 2 */

	/* Remove s1, drain s2, add s4. */
	dfx_apply(&fx, DAEMON_SEC WEB_SEC DNS_SEC S2 "state = drained\n" S3 S4 D1);
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:100::%x", i + 1);
		ck_assert_int_eq(dfx_run_udp(&fx, src, VIP_WEB, 80, mac), XDP_TX);
		after[i] = mac_to_be(mac);
		if (before[i] == 1) {
			/* s1's sessions re-hash, never onto the drained s2. */
			ck_assert(after[i] == 3 || after[i] == 4);
			moved++;
		} else {
			/* Sessions on surviving backends, drained included,
			 * are untouched. */
			ck_assert_uint_eq(after[i], before[i]);
		}
	}
	ck_assert_int_eq(moved, per[1]);
	/* New identities never land on the drained or removed backend. */
	for (i = 0; i < N; i++) {
		snprintf(src, sizeof(src), "2001:db8:200::%x", i + 1);
		ck_assert_int_eq(dfx_run_udp(&fx, src, VIP_WEB, 80, mac), XDP_TX);
		ck_assert(mac_to_be(mac) == 3 || mac_to_be(mac) == 4);
	}
}
END_TEST

START_TEST(test_service_rename_rekey_remove)
{
	__u32 web, dns, d1, dns2;
	struct mip6lb_service svc;
	struct mip6lb_session v;

	dfx_apply(&fx, BASE);
	web = dfx_svc(&fx, "web");
	dns = dfx_svc(&fx, "dns");
	d1 = dfx_be(&fx, "dns", "d1");
	dfx_session_put(&fx, web, "2001:db8:100::1", dfx_be(&fx, "web", "s1"), 300, 5);
	dfx_session_put(&fx, dns, "2001:db8:100::2", d1, 300, 5);

	/* A new port: same name, same id, the key moves. */
	dfx_apply(&fx, DAEMON_SEC "[service web]\nvip = " VIP_WEB "\nproto = udp\nport = 8080\n"
		  DNS_SEC S1 S2 S3 D1);
	ck_assert_uint_eq(dfx_svc(&fx, "web"), web);
	ck_assert_int_eq(dfx_service_key(&fx, VIP_WEB, IPPROTO_UDP, 8080), (int)web);
	ck_assert_int_eq(dfx_service_key(&fx, VIP_WEB, IPPROTO_UDP, 80), -ENOENT);
	dfx_service_conf(&fx, web, &svc);
	ck_assert_uint_eq(svc.lifetime_s, MIP6LB_DEFAULT_LIFETIME);

	/* A new name on the same key: the same id too. */
	dfx_apply(&fx, DAEMON_SEC WEB_SEC "[service resolver]\nvip = " VIP_DNS "\n"
		  S1 S2 S3 BE("resolver", "d1", "2001:db8:2::1", "02:be:00:00:00:11"));
	ck_assert_uint_eq(dfx_svc(&fx, "resolver"), dns);
	ck_assert_uint_eq(dfx_be(&fx, "resolver", "d1"), d1);
	ck_assert_int_eq(dfx_session_get(&fx, dns, "2001:db8:100::2", &v), 0);
	ck_assert_uint_eq(v.backend_id, d1);

	/* Removed: unreachable, its sessions and backends gone. */
	dfx_apply(&fx, DAEMON_SEC WEB_SEC S1 S2 S3);
	ck_assert_int_eq(dfx_service_key(&fx, VIP_DNS, 0, 0), -ENOENT);
	ck_assert_int_eq(dfx_vip(&fx, VIP_DNS), -ENOENT);
	dfx_service_conf(&fx, dns, &svc);
	ck_assert_uint_eq(svc.flags & MIP6LB_SVC_ACTIVE, 0);
	assert_cleared(d1);
	ck_assert_uint_eq(dfx_ring_count(&fx, dns, MAGLEV_EMPTY), MIP6LB_RING_SIZE);
	ck_assert_int_eq(dfx_session_get(&fx, dns, "2001:db8:100::2", &v), -ENOENT);
	ck_assert_int_eq(dfx_session_get(&fx, web, "2001:db8:100::1", &v), 0);

	/* Back again: a fresh id, not the one just freed. */
	dfx_apply(&fx, BASE);
	dns2 = dfx_svc(&fx, "dns");
	ck_assert_uint_ne(dns2, dns);
	ck_assert_int_eq(dfx_vip(&fx, VIP_DNS), (int)dns2);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_reload_file_rejects_bad_config)
{
	char path[64], err[512], want[600];
	struct mip6lb_backend before, after;
	__u32 s1;
	int fd;

	dfx_apply(&fx, BASE);
	s1 = dfx_be(&fx, "web", "s1");
	dfx_backend(&fx, s1, &before);
	dfx_tmpname(path, sizeof(path), "/tmp");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);

	write_file(path, DAEMON_SEC WEB_SEC "[backend web s1]\naddr = 2001:db8:1::1\nweight = lots\n");
	ck_assert_int_eq(state_reload_file(fx.st, path, NULL, NULL, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:10: weight = 'lots'", path);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "error '%s'", err);
	/* Nothing moved. */
	ck_assert_int_eq(state_count_services(fx.st), 2);
	ck_assert_int_eq(state_count_backends(fx.st), 4);
	dfx_backend(&fx, s1, &after);
	ck_assert_mem_eq(&before, &after, sizeof(before));
	ck_assert_int_eq(dfx_service_key(&fx, VIP_DNS, 0, 0), (int)dfx_svc(&fx, "dns"));

	write_file(path, DAEMON_SEC WEB_SEC S1);
	ck_assert_int_eq(state_reload_file(fx.st, path, NULL, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(state_count_services(fx.st), 1);
	ck_assert_int_eq(state_count_backends(fx.st), 1);
	ck_assert_uint_eq(dfx_be(&fx, "web", "s1"), s1);
	unlink(path);
}
END_TEST

START_TEST(test_runtime_changes)
{
	const struct st_kv api[] = {
		{ "vip", "2001:db8::443" }, { "proto", "tcp" }, { "port", "443" },
		{ "identity", "hoa,src" }, { "eui64_only", "no" },
	};
	const struct st_kv bad_vip[] = { { "vip", "nope" } };
	const struct st_kv inject[] = { { "vip", "2001:db8::9\nport = 5" } };
	const struct st_kv same_key[] = { { "vip", VIP_WEB }, { "proto", "udp" }, { "port", "80" } };
	const struct st_kv b1[] = {
		{ "addr", "2001:db8:3::1" }, { "mac", "02:be:00:00:00:21" }, { "dev", "lo" },
	};
	const struct st_kv b_dup[] = { { "addr", "2001:db8:3::1" } };
	const struct st_kv b_badw[] = { { "addr", "2001:db8:3::2" }, { "weight", "x" } };
	struct mip6lb_service svc;
	char err[512];
	__u32 sid, bid;

	dfx_apply(&fx, BASE);
	ck_assert_msg(state_service_add(fx.st, "api", api, 5, err, sizeof(err)) == 0, "%s", err);
	sid = dfx_svc(&fx, "api");
	ck_assert_int_eq(dfx_service_key(&fx, "2001:db8::443", IPPROTO_TCP, 443), (int)sid);
	dfx_service_conf(&fx, sid, &svc);
	ck_assert_uint_eq(svc.n_ids, 2);
	ck_assert_uint_eq(svc.flags, MIP6LB_SVC_ACTIVE);
	ck_assert_uint_eq(svc.n_backends, 0);

	ck_assert_int_eq(state_service_add(fx.st, "bad", bad_vip, 1, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "service bad: vip = 'nope': not an IPv6 address");
	ck_assert_int_eq(state_service_add(fx.st, "bad", inject, 1, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "invalid character"));
	ck_assert_int_eq(state_service_add(fx.st, "bad", NULL, 0, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "has no vip"));
	ck_assert_int_eq(state_service_add(fx.st, "api", api, 5, err, sizeof(err)), -EEXIST);
	ck_assert_int_eq(state_service_add(fx.st, "web2", same_key, 3, err, sizeof(err)), -EEXIST);
	ck_assert_str_eq(err, "service web2: same vip, proto and port as service web");
	ck_assert_int_eq(state_service_id(fx.st, "bad"), -ENOENT);
	/* Names get the config file's name rules; none becomes config text. */
	ck_assert_int_eq(state_service_add(fx.st, "a]\n[service evil", api, 5, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "service a]\n[service evil: bad name 'a]\n[service evil': "
			 "1..31 of A-Z a-z 0-9 . _ -");
	ck_assert_int_eq(state_backend_add(fx.st, "api", "b\n[service evil]", b1, 3, err,
					   sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "bad name 'b\n[service evil]'"));
	ck_assert_int_eq(state_service_id(fx.st, "evil"), -ENOENT);
	ck_assert_int_eq(state_count_services(fx.st), 3);
	ck_assert_int_eq(state_count_backends(fx.st), 4);
	{
		/* As the config file does: notify needs new-session events. */
		const struct st_kv notify[] = { { "vip", "2001:db8::99" }, { "notify", "ha" } };
		__u32 saved = fx.st->cfg.daemon.events_per_sec;

		fx.st->cfg.daemon.events_per_sec = 0;
		ck_assert_int_eq(state_service_add(fx.st, "nt", notify, 2, err, sizeof(err)), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err, "events_per_sec = 0"));
		ck_assert_int_eq(state_service_id(fx.st, "nt"), -ENOENT);
		fx.st->cfg.daemon.events_per_sec = saved;
	}

	ck_assert_int_eq(state_backend_add(fx.st, "api", "b1", b1, 3, err, sizeof(err)), 0);
	bid = dfx_be(&fx, "api", "b1");
	ck_assert_uint_eq(bid, 4);
	assert_backend(bid, sid, "2001:db8:3::1", MIP6LB_BE_ACTIVE | MIP6LB_BE_NH_VALID, 0x21);
	ck_assert_uint_eq(dfx_ring_count(&fx, sid, bid), MIP6LB_RING_SIZE);
	ck_assert_int_eq(state_backend_add(fx.st, "api", "b2", b_dup, 1, err, sizeof(err)), -EEXIST);
	ck_assert_str_eq(err, "backend api/b2: same addr as backend api/b1");
	ck_assert_int_eq(state_backend_add(fx.st, "api", "b2", b_badw, 2, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "backend api/b2: weight = 'x': expected an integer in 0..65535");
	ck_assert_int_eq(state_backend_add(fx.st, "nope", "b2", b1, 3, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "service nope: no such service");

	ck_assert_int_eq(state_backend_drain(fx.st, "api", "b1", true, err, sizeof(err)), 0);
	ck_assert_uint_eq(dfx_ring_count(&fx, sid, MAGLEV_EMPTY), MIP6LB_RING_SIZE);
	dfx_service_conf(&fx, sid, &svc);
	ck_assert_uint_eq(svc.n_backends, 0);
	ck_assert_int_eq(state_backend_drain(fx.st, "api", "b1", false, err, sizeof(err)), 0);
	ck_assert_uint_eq(dfx_ring_count(&fx, sid, bid), MIP6LB_RING_SIZE);
	ck_assert_int_eq(state_backend_del(fx.st, "api", "b1", err, sizeof(err)), 0);
	assert_cleared(bid);
	ck_assert_int_eq(state_backend_del(fx.st, "api", "b1", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "backend api/b1: no such backend");

	/* Deleting a service takes its backends along. */
	ck_assert_int_eq(state_backend_add(fx.st, "api", "b1", b1, 3, err, sizeof(err)), 0);
	bid = dfx_be(&fx, "api", "b1");
	ck_assert_int_eq(state_service_del(fx.st, "api", err, sizeof(err)), 0);
	ck_assert_int_eq(dfx_service_key(&fx, "2001:db8::443", IPPROTO_TCP, 443), -ENOENT);
	assert_cleared(bid);
	ck_assert_int_eq(state_count_services(fx.st), 2);
	ck_assert_int_eq(state_count_backends(fx.st), 4);
	ck_assert_uint_eq(dfx_be(&fx, "dns", "d1"), 3);
}
END_TEST

START_TEST(test_nexthop_invalid_without_resolution)
{
	struct mip6lb_backend be;
	struct dfx f2;
	__u32 id;

	/* No resolver: only mac + dev resolve. */
	dfx_apply(&fx, WEB_SEC "[backend web n1]\naddr = 2001:db8:1::1\n"
		  "[backend web n2]\naddr = 2001:db8:1::2\nmac = 02:be:00:00:00:02\ndev = nosuchdev0\n");
	dfx_backend(&fx, dfx_be(&fx, "web", "n1"), &be);
	ck_assert_uint_eq(be.flags, MIP6LB_BE_ACTIVE);
	dfx_backend(&fx, dfx_be(&fx, "web", "n2"), &be);
	ck_assert_uint_eq(be.flags, MIP6LB_BE_ACTIVE);
	/* Still on the ring: the datapath counts drop_no_nexthop. */
	ck_assert_uint_gt(dfx_ring_count(&fx, dfx_svc(&fx, "web"), dfx_be(&fx, "web", "n1")), 0);

	/* The real resolver: a link-local address needs a dev, a missing
	 * dev is missing.  The config refuses a link-local addr without dev
	 * (test_config); the state still guards against a config built
	 * otherwise, so ll's dev is taken away after the parse. */
	dfx_open_nh(&f2);
	{
		struct mip6lb_config cfg;
		char err[256];

		ck_assert_int_eq(config_parse_string(WEB_SEC
			"[backend web ll]\naddr = fe80::1\ndev = lo\n"
			"[backend web nd]\naddr = 2001:db8:1::2\ndev = nosuchdev0\n",
			"t", &cfg, err, sizeof(err)), 0);
		ck_assert_str_eq(cfg.backends[0].name, "ll");
		cfg.backends[0].dev[0] = '\0';
		ck_assert_int_eq(state_apply(f2.st, &cfg), 0);
		config_free(&cfg);
	}
	id = state_backend_id(f2.st, "web", "ll");
	ck_assert_int_ge((int)id, 0);
	ck_assert_int_eq(bpf_map_lookup_elem(f2.dp.maps.backends, &id, &be), 0);
	ck_assert_uint_eq(be.flags, MIP6LB_BE_ACTIVE);
	ck_assert(!f2.st->bes[id].nh.valid);
	ck_assert_int_eq(f2.st->bes[id].nh.err, -EINVAL);
	id = state_backend_id(f2.st, "web", "nd");
	ck_assert_int_eq(bpf_map_lookup_elem(f2.dp.maps.backends, &id, &be), 0);
	ck_assert_uint_eq(be.flags, MIP6LB_BE_ACTIVE);
	ck_assert_int_eq(f2.st->bes[id].nh.err, -ENODEV);
	/* A refresh changes nothing that is still unresolvable. */
	ck_assert_int_eq(state_nh_refresh(f2.st, true), 0);
	/* Failures back off: not retried before they are due (not even on
	 * a neighbour change), then after 2, 4, 8, 16, 16 seconds. */
	ck_assert_uint_eq(f2.st->bes[id].nh_backoff_s, 1);
	ck_assert_uint_gt(f2.st->bes[id].nh_retry_ns, dp_now_ns());
	ck_assert_int_eq(state_nh_refresh(f2.st, false), 0);
	ck_assert_int_eq(state_nh_refresh(f2.st, true), 0);
	ck_assert_uint_eq(f2.st->bes[id].nh_backoff_s, 1);
	{
		static const __u32 want[] = { 2, 4, 8, 16, 16 };
		int i;

		for (i = 0; i < 5; i++) {
			f2.st->bes[id].nh_retry_ns = 0;
			ck_assert_int_eq(state_nh_refresh(f2.st, false), 0);
			ck_assert_uint_eq(f2.st->bes[id].nh_backoff_s, want[i]);
			ck_assert_int_eq(f2.st->bes[id].nh.err, -ENODEV);
		}
	}
	dfx_close(&f2);
}
END_TEST

START_TEST(test_pins_locked_and_incompatible)
{
	struct datapath dp2;

	dfx_apply(&fx, BASE);
	/* One daemon per pin dir. */
	ck_assert_int_eq(datapath_open(&dp2, fx.pin_dir, DFX_SESSIONS), -EBUSY);

	state_free(fx.st);
	fx.st = NULL;
	datapath_close(&fx.dp);
	/* Another max_sessions cannot reuse the pinned sessions map. */
	ck_assert_int_eq(datapath_open(&dp2, fx.pin_dir, DFX_SESSIONS * 2), -EINVAL);
	/* The failed open released the lock and left the pins alone. */
	dfx_restart(&fx);
	ck_assert_int_eq(fx.dp.n_adopted, 20);
	ck_assert_uint_eq(fx.st->adopted_backends, 4);
}
END_TEST

/* A pin of another layout that holds no sessions (here counters as an
 * older version laid it out, one slot per counter) is replaced, and the
 * sessions are still adopted. */
START_TEST(test_pin_of_other_layout_replaced)
{
	struct mip6lb_counter_val vals[MIP6LB_CNT_MAX];
	struct mip6lb_session v;
	char path[PATH_MAX + 16];
	__u8 mac[6];
	int fd;

	dfx_apply(&fx, BASE);
	dfx_session_put(&fx, dfx_svc(&fx, "web"), "2001:db8:100::1",
			dfx_be(&fx, "web", "s2"), 300, 1);
	state_free(fx.st);
	fx.st = NULL;
	datapath_close(&fx.dp);

	snprintf(path, sizeof(path), "%s/counters", fx.pin_dir);
	ck_assert_int_eq(unlink(path), 0);
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "counters", 4,
			    sizeof(struct mip6lb_counter_val), MIP6LB_CNT_MAX, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bpf_obj_pin(fd, path), 0);
	close(fd);

	dfx_restart(&fx);
	ck_assert_int_eq(fx.dp.n_adopted, 19);
	dfx_apply(&fx, BASE);
	ck_assert_int_eq(dfx_session_get(&fx, dfx_svc(&fx, "web"), "2001:db8:100::1", &v), 0);
	ck_assert_uint_eq(v.backend_id, dfx_be(&fx, "web", "s2"));
	dfx_load_prog(&fx);
	ck_assert_int_eq(dfx_run_udp(&fx, "2001:db8:100::1", VIP_WEB, 80, mac), XDP_TX);
	ck_assert_uint_eq(mac[5], 0x02);
	ck_assert_int_eq(dp_counters_read(&fx.dp.maps, vals), 0);
	ck_assert_uint_eq(vals[MIP6LB_CNT_RX].packets, 1);
	ck_assert_uint_eq(vals[MIP6LB_CNT_SESSION_HIT].packets, 1);
}
END_TEST

START_TEST(test_offline_next_hops)
{
	static const struct st_fixed_nh nh = {
		.ifindex = 1,
		.dmac = { 0x02, 0xdd, 0, 0, 0, 0x01 },
		.smac = { 0x02, 0x55, 0, 0, 0, 0x02 },
	};
	const __u32 ok = MIP6LB_BE_ACTIVE | MIP6LB_BE_NH_VALID;
	struct lb_state *st;
	struct mip6lb_backend be;
	__u32 id;

	ck_assert_int_eq(state_new_offline(&st, &fx.dp.maps, NULL), -EINVAL);
	ck_assert_int_eq(state_new_offline(&st, &fx.dp.maps, &nh), 0);
	state_free(fx.st);
	fx.st = st;
	/* Online, none of these would resolve without a resolver, and ll and
	 * nd not even with one (see the next test). */
	dfx_apply(&fx, WEB_SEC "[backend web plain]\naddr = 2001:db8:1::1\n"
		  "[backend web mac]\naddr = 2001:db8:1::2\nmac = 02:be:00:00:00:02\n"
		  "[backend web nd]\naddr = 2001:db8:1::3\nmac = 02:be:00:00:00:03\n"
		  "dev = nosuchdev0\nstate = drained\n"
		  "[backend web ll]\naddr = fe80::1\ndev = nosuchdev1\n");
	for (id = 0; id < 4; id++) {
		dfx_backend(&fx, id, &be);
		ck_assert_uint_eq(be.flags, ok | (id == 2 ? MIP6LB_BE_DRAINED : 0));
		ck_assert_uint_eq(be.ifindex, 1);
		ck_assert_mem_eq(be.smac, nh.smac, 6);
		ck_assert(fx.st->bes[id].nh.valid);
		ck_assert_int_eq(fx.st->bes[id].nh.err, 0);
	}
	dfx_backend(&fx, dfx_be(&fx, "web", "plain"), &be);
	ck_assert_mem_eq(be.dmac, nh.dmac, 6);
	ck_assert(!fx.st->bes[0].nh.from_config);
	/* A mac override is the backend's dmac, as on the daemon. */
	dfx_backend(&fx, dfx_be(&fx, "web", "mac"), &be);
	ck_assert_uint_eq(be.dmac[0], 0x02);
	ck_assert_uint_eq(be.dmac[1], 0xbe);
	ck_assert_uint_eq(be.dmac[5], 0x02);
	ck_assert(fx.st->bes[1].nh.from_config);
	/* Nothing to re-resolve; the rest is the daemon's own apply. */
	ck_assert_int_eq(state_nh_refresh(fx.st, true), 0);
	ck_assert_int_eq(state_nh_refresh(fx.st, false), 0);
	ck_assert_uint_eq(dfx_ring_count(&fx, 0, 2), 0);
	ck_assert_uint_eq(dfx_ring_count(&fx, 0, 0) + dfx_ring_count(&fx, 0, 1) +
			  dfx_ring_count(&fx, 0, 3), MIP6LB_RING_SIZE);
}
END_TEST

/* ---- classify picks the daemon's backends --------------------------------- */

/*
 * Ring placement hashes each backend's name, and the VIP default is the
 * least specific service: a classifier laying out the maps by itself (ring
 * names without the service, the first service as the VIP's default)
 * sends some of these packets elsewhere.  Every backend has its own mac, so
 * the frame the daemon's maps forward names the backend.
 */
#define AG_VIP  "2001:db8::80"
#define AG_DNS  "2001:db8::53"
#define AG_BE(svc, name, n) \
	"[backend " svc " " name "]\naddr = 2001:db8:9::" #n "\n" \
	"mac = 02:be:00:00:00:" #n "\ndev = lo\n"

static const char agree_conf[] =
	"[daemon]\nevents_per_sec = 77\n"
	"[service web]\nvip = " AG_VIP "\nproto = udp\nport = 80\n"
	/* Configured second, but the VIP's default: the least specific. */
	"[service any]\nvip = " AG_VIP "\n"
	"[service dns]\nvip = " AG_DNS "\n"
	AG_BE("web", "w1", 11) AG_BE("web", "w2", 12) AG_BE("web", "w3", 13) "weight = 3\n"
	AG_BE("web", "w4", 14) AG_BE("web", "w5", 15) "state = drained\n"
	AG_BE("any", "a1", 21) AG_BE("any", "a2", 22) "weight = 2\n" AG_BE("any", "a3", 23)
	AG_BE("dns", "d1", 31) AG_BE("dns", "d2", 32) AG_BE("dns", "d3", 33)
	AG_BE("dns", "d4", 34);

static const char *const agree_be[] = {
	"w1", "w2", "w3", "w4", "w5", "a1", "a2", "a3", "d1", "d2", "d3", "d4",
};
static const __u8 agree_mac[] = {
	0x11, 0x12, 0x13, 0x14, 0x15, 0x21, 0x22, 0x23, 0x31, 0x32, 0x33, 0x34,
};
#define N_AG_BE ((int)(sizeof(agree_be) / sizeof(agree_be[0])))

#define AG_N 200

/* Packet i: its own source (prefix and IID), so its own identity. */
static void agree_packet(struct pb *b, int i)
{
	char src[64];

	snprintf(src, sizeof(src), "2001:db8:c:%x::%x:%x", i, i * 7 + 1, i + 1);
	switch (i % 8) {
	case 0: case 1: case 4: case 5:                 /* web */
		pb_init(b, src, AG_VIP);
		pb_udp(b, 40000 + i, 80, 16);
		break;
	case 2: case 6:                                 /* any, by (vip, 0, 0) */
		pb_init(b, src, AG_VIP);
		pb_tcp(b, 40000 + i, 443);
		break;
	case 3:                                         /* dns */
		pb_init(b, src, AG_DNS);
		pb_udp(b, 40000 + i, 53, 16);
		break;
	default:                                        /* any, by the VIP default */
		pb_init(b, src, AG_VIP);
		pb_frag(b, 5, 0, 1000 + i);             /* a later fragment, first unseen */
		pb_raw(b, 17, 24);
		break;
	}
	pb_finish(b);
}

static void put32(FILE *f, __u32 v)
{
	ck_assert_int_eq(fwrite(&v, 4, 1, f), 1);
}

/* A classic pcap, Ethernet, host byte order (what readers expect of
 * magic 0xa1b2c3d4 written natively). */
static void agree_pcap(const char *path)
{
	FILE *f = fopen(path, "w");
	struct pb b;
	int i;

	ck_assert_ptr_nonnull(f);
	put32(f, 0xa1b2c3d4);
	put32(f, 2 | 4 << 16);          /* version 2.4, little or big alike */
	put32(f, 0);
	put32(f, 0);
	put32(f, 65535);
	put32(f, 1);                    /* LINKTYPE_ETHERNET */
	for (i = 0; i < AG_N; i++) {
		agree_packet(&b, i);
		put32(f, 1700000000 + i);
		put32(f, 0);
		put32(f, b.len);
		put32(f, b.len);
		ck_assert_int_eq(fwrite(b.data, b.len, 1, f), 1);
	}
	ck_assert_int_eq(fclose(f), 0);
}

/* mip6lbctl -j classify -c conf pcap: the "packets" array; exit 0 and
 * nothing on stderr (no disagreement with the datapath). */
static struct json_object *agree_classify(const char *dir, const char *conf, const char *pcap)
{
	char bin[PATH_MAX], out[PATH_MAX + 16], err[PATH_MAX + 16], *text;
	struct json_object *doc, *list;
	FILE *f;
	long n;
	pid_t pid;
	int st;

	snprintf(bin, sizeof(bin), "%s/mip6lbctl", harness_build_dir());
	ck_assert_msg(access(bin, X_OK) == 0, "%s: %s (run make first)", bin, strerror(errno));
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr))
			_exit(127);
		execl(bin, bin, "-j", "classify", "-c", conf, pcap, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	f = fopen(err, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	fclose(f);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0 && n == 0,
		      "classify: status %d, %ld bytes on stderr (%s)", st, n, err);
	f = fopen(out, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = calloc(1, n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(fread(text, 1, n, f), (size_t)n);
	fclose(f);
	doc = json_tokener_parse(text);
	ck_assert_msg(doc, "not JSON: %.200s", text);
	free(text);
	ck_assert(json_object_object_get_ex(doc, "packets", &list));
	ck_assert_int_eq(json_object_array_length(list), AG_N);
	json_object_get(list);
	json_object_put(doc);
	return list;
}

static const char *row_str(struct json_object *row, const char *key)
{
	struct json_object *v;

	ck_assert(json_object_object_get_ex(row, key, &v));
	return v ? json_object_get_string(v) : NULL;
}

START_TEST(test_classify_agrees_with_daemon)
{
	char dir[PATH_MAX], conf[PATH_MAX + 16], pcap[PATH_MAX + 16];
	int hits[N_AG_BE] = { 0 }, n_diff = 0;
	char first[128] = "";
	__u8 frame[PB_MAX + 64];
	struct json_object *list;
	struct pb b;
	FILE *f;
	int i, k;

	/* The daemon: its config, next hops resolved by mac + dev. */
	dfx_apply(&fx, agree_conf);
	dfx_load_prog(&fx);
	ck_assert_int_eq(dfx_vip(&fx, AG_VIP), (int)dfx_svc(&fx, "any"));

	/* classify: the same config, the same packets, in the same order. */
	dfx_tmpname(dir, sizeof(dir), "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/mip6lb.conf", dir);
	snprintf(pcap, sizeof(pcap), "%s/agree.pcap", dir);
	f = fopen(conf, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(agree_conf, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	agree_pcap(pcap);
	list = agree_classify(dir, conf, pcap);

	for (i = 0; i < AG_N; i++) {
		struct json_object *row = json_object_array_get_idx(list, i);
		const char *want = NULL, *got = row_str(row, "backend");
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_out = frame,
			.data_size_out = sizeof(frame),
			.repeat = 1,
		);

		agree_packet(&b, i);
		opts.data_in = b.data;
		opts.data_size_in = b.len;
		ck_assert_int_eq(bpf_prog_test_run_opts(fx.prog_fd, &opts), 0);
		ck_assert_msg(opts.retval == XDP_TX, "packet %d: daemon verdict %u", i + 1,
			      opts.retval);
		for (k = 0; k < N_AG_BE; k++)
			if (frame[0] == 0x02 && frame[1] == 0xbe && frame[5] == agree_mac[k])
				want = agree_be[k];
		ck_assert_msg(want, "packet %d: dmac %02x:..:%02x is no backend's", i + 1,
			      frame[0], frame[5]);
		for (k = 0; k < N_AG_BE; k++)
			if (!strcmp(agree_be[k], want))
				hits[k]++;
		ck_assert_str_eq(row_str(row, "verdict"), "tx");
		if (got && !strcmp(got, want))
			continue;
		if (!n_diff++)
			snprintf(first, sizeof(first), "packet %d: classify says backend %s, the daemon's maps %s",
				 i + 1, got ? got : "null", want);
	}
	json_object_put(list);
	ck_assert_msg(!n_diff, "%d of %d packets on another backend; %s", n_diff, AG_N, first);
	/* Every backend on a ring took packets; the drained one none. */
	for (k = 0; k < N_AG_BE; k++) {
		if (!strcmp(agree_be[k], "w5"))
			ck_assert_int_eq(hits[k], 0);
		else
			ck_assert_msg(hits[k] > 0, "backend %s: no packets", agree_be[k]);
	}
	for (i = 0; i < 4; i++) {
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/%s", dir,
			 (const char *[]){ "mip6lb.conf", "agree.pcap", "out", "err" }[i]);
		ck_assert_int_eq(unlink(path), 0);
	}
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

MIP6LB_SUITE(state, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, NULL, dfx_sweep);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_apply_writes_maps);
	tcase_add_test(tc, test_vip_default_least_specific);
	tcase_add_test(tc, test_restart_adopts_ids_and_sessions);
	tcase_add_test(tc, test_reload_diff);
	tcase_add_test(tc, test_reload_live_packets);
	tcase_add_test(tc, test_service_rename_rekey_remove);
	tcase_add_test(tc, test_reload_file_rejects_bad_config);
	tcase_add_test(tc, test_runtime_changes);
	tcase_add_test(tc, test_nexthop_invalid_without_resolution);
	tcase_add_test(tc, test_pins_locked_and_incompatible);
	tcase_add_test(tc, test_pin_of_other_layout_replaced);
	tcase_add_test(tc, test_offline_next_hops);
	tcase_add_test(tc, test_classify_agrees_with_daemon);
	suite_add_tcase(s, tc);
	return s;
}
