// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The control socket (docs/control.md): every command through the same
 * handler the server runs, against real maps; then the server itself on a
 * temporary socket (mode, parent dir, one request per connection, slow
 * peers, a second daemon, stale socket files, a path that is no socket),
 * and the limits that keep it from blocking the daemon: clients that never
 * read their response, more connections than CTL_MAX_CONNS, more queued
 * response bytes than the cap.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <check.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <linux/bpf.h>
#include "harness.h"
#include "daemonfix.h"
#include "ctl_server.h"
#include "daemon.h"
#include "evloop.h"
#include "dpmaps.h"
#include "notify.h"
#include "peer_rx.h"

#define CFG \
	"[daemon]\n" \
	"[service web]\nvip = 2001:db8::80\nproto = udp\nport = 80\nlifetime = 300\n" \
	"[service dns]\nvip = 2001:db8::53\nforward = ip6ip6\nlb_addr = 2001:db8:ff::1\n" \
	"[backend web s1]\naddr = 2001:db8:1::1\nmac = 02:be:00:00:00:01\ndev = lo\n" \
	"[backend web s2]\naddr = 2001:db8:1::2\nmac = 02:be:00:00:00:02\ndev = lo\nweight = 2\n" \
	"[backend web s3]\naddr = 2001:db8:1::3\nmac = 02:be:00:00:00:03\ndev = lo\n" \
	"[backend dns d1]\naddr = 2001:db8:2::1\nmac = 02:be:00:00:00:11\ndev = lo\n"

static struct dfx fx;
static struct daemon d;
static char cfg_path[64];
static struct json_object *last;     /* the last response, freed by the next call */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static int test_reload(struct daemon *dd, bool allow_empty, char *err, size_t len)
{
	(void)allow_empty;      /* mip6lbd's own reload is test_daemon's */
	return state_reload_file(dd->st, dd->config_path, NULL, NULL, err, len);
}

static void setup(void)
{
	int fd;

	dfx_open(&fx);
	dfx_apply(&fx, CFG);
	dfx_tmpname(cfg_path, sizeof(cfg_path), "/tmp");
	fd = mkstemp(cfg_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(cfg_path, CFG);
	memset(&d, 0, sizeof(d));
	d.config_path = cfg_path;
	d.pin_dir = fx.pin_dir;
	d.socket_path = "/nonexistent";
	d.dp = &fx.dp;
	d.st = fx.st;
	d.start_ns = dp_now_ns();
	d.reload = test_reload;
	last = NULL;
}

static void teardown(void)
{
	json_object_put(last);
	last = NULL;
	unlink(cfg_path);
	dfx_close(&fx);
}

/* One request through the handler; the response is checked for shape. */
static struct json_object *call(const char *req)
{
	struct json_object *r, *ok;
	char *resp = ctlsrv_handle(&d, req, strlen(req));
	size_t n;

	ck_assert_ptr_nonnull(resp);
	n = strlen(resp);
	ck_assert_uint_gt(n, 1);
	ck_assert_int_eq(resp[n - 1], '\n');
	ck_assert_ptr_null(memchr(resp, '\n', n - 1));    /* one line */
	r = json_tokener_parse(resp);
	ck_assert_msg(r != NULL, "response is not JSON: %s", resp);
	free(resp);
	ck_assert(json_object_object_get_ex(r, "ok", &ok));
	ck_assert(json_object_is_type(ok, json_type_boolean));
	json_object_put(last);
	last = r;
	return r;
}

static struct json_object *ok(const char *req)
{
	struct json_object *r = call(req), *v, *data;

	json_object_object_get_ex(r, "ok", &v);
	ck_assert_msg(json_object_get_boolean(v), "%s -> %s", req, json_object_to_json_string(r));
	ck_assert(json_object_object_get_ex(r, "data", &data));
	ck_assert(json_object_is_type(data, json_type_object));
	return data;
}

static void fails(const char *req, const char *msg)
{
	struct json_object *r = call(req), *v, *e;

	json_object_object_get_ex(r, "ok", &v);
	ck_assert_msg(!json_object_get_boolean(v), "%s succeeded", req);
	ck_assert(json_object_object_get_ex(r, "error", &e));
	ck_assert_msg(strstr(json_object_get_string(e), msg), "%s -> error '%s', want '%s'", req,
		      json_object_get_string(e), msg);
	ck_assert(!json_object_object_get_ex(r, "data", &v));
}

static struct json_object *get(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, k, &v), "no '%s' in %s", k,
		      json_object_to_json_string(o));
	return v;
}

static const char *gstr(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);

	ck_assert_msg(json_object_is_type(v, json_type_string), "'%s' is not a string", k);
	return json_object_get_string(v);
}

static long long gint(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);

	ck_assert_msg(json_object_is_type(v, json_type_int), "'%s' is not an integer", k);
	return json_object_get_int64(v);
}

static bool gbool(struct json_object *o, const char *k)
{
	struct json_object *v = get(o, k);

	ck_assert_msg(json_object_is_type(v, json_type_boolean), "'%s' is not a boolean", k);
	return json_object_get_boolean(v);
}

static bool gnull(struct json_object *o, const char *k)
{
	return json_object_is_type(get(o, k), json_type_null);
}

static struct json_object *garr(struct json_object *o, const char *k, size_t n)
{
	struct json_object *v = get(o, k);

	ck_assert(json_object_is_type(v, json_type_array));
	ck_assert_uint_eq(json_object_array_length(v), n);
	return v;
}

static struct json_object *find(struct json_object *arr, const char *k, const char *val)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *x = json_object_array_get_idx(arr, i);

		if (!strcmp(gstr(x, k), val))
			return x;
	}
	ck_abort_msg("no %s = %s", k, val);
	return NULL;
}

/* Per-CPU midflow_new of service id: 2 on CPU 0, 3 on the last CPU. */
static void put_midflow(int fd, __u32 id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct mip6lb_service_stats *v = calloc(ncpu, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	v[0].midflow_new += 2;
	v[ncpu - 1].midflow_new += 3;
	ck_assert_int_eq(bpf_map_update_elem(fd, &id, v, BPF_ANY), 0);
	free(v);
}

START_TEST(test_ctl_status)
{
	struct json_object *s;

	s = ok("{\"cmd\":\"status\"}");
	ck_assert_str_eq(gstr(s, "version"), MIP6LBD_VERSION);
	ck_assert_int_eq(gint(s, "pid"), getpid());
	ck_assert_int_ge(gint(s, "uptime_s"), 0);
	ck_assert_str_eq(gstr(s, "config"), cfg_path);
	ck_assert_str_eq(gstr(s, "pin_dir"), fx.pin_dir);
	garr(s, "interfaces", 0);                /* maps only: nothing attached */
	ck_assert_int_eq(gint(s, "services"), 2);
	ck_assert_int_eq(gint(s, "backends"), 4);
	ck_assert_int_eq(gint(s, "sessions"), 0);
	dfx_session_put(&fx, 0, "2001:db8:100::1", 0, 300, dp_now_ns());
	dfx_session_put(&fx, 0, "2001:db8:100::2", 1, 300, dp_now_ns());
	s = ok("{\"cmd\":\"status\",\"args\":{}}");
	ck_assert_int_eq(gint(s, "sessions"), 2);
}
END_TEST

static void assert_hex16(const char *s)
{
	ck_assert_uint_eq(strlen(s), 16);
	ck_assert_uint_eq(strspn(s, "0123456789abcdef"), 16);
}

/* The fingerprints: the state's, as hex, services in name order; a
 * weight change through the control socket changes the service's and the
 * overall one, and nothing else. */
START_TEST(test_ctl_status_fingerprints)
{
	struct json_object *s, *rings, *r;
	char all[17], web[17], dns[17], want[17];
	__u64 fp;

	s = ok("{\"cmd\":\"status\"}");
	assert_hex16(gstr(s, "fingerprint"));
	ck_assert_int_eq(state_fingerprint(fx.st, &fp), 0);
	snprintf(want, sizeof(want), STATE_FP_FMT, (unsigned long long)fp);
	ck_assert_str_eq(gstr(s, "fingerprint"), want);
	snprintf(all, sizeof(all), "%s", gstr(s, "fingerprint"));
	rings = garr(s, "rings", 2);
	r = json_object_array_get_idx(rings, 0);
	ck_assert_str_eq(gstr(r, "service"), "dns");       /* name order, not id order */
	ck_assert_int_eq(gint(r, "ring_backends"), 1);
	assert_hex16(gstr(r, "fingerprint"));
	snprintf(dns, sizeof(dns), "%s", gstr(r, "fingerprint"));
	r = json_object_array_get_idx(rings, 1);
	ck_assert_str_eq(gstr(r, "service"), "web");
	ck_assert_int_eq(gint(r, "ring_backends"), 3);
	ck_assert_int_eq(state_service_fingerprint(fx.st, dfx_svc(&fx, "web"), &fp), 0);
	snprintf(want, sizeof(want), STATE_FP_FMT, (unsigned long long)fp);
	ck_assert_str_eq(gstr(r, "fingerprint"), want);
	snprintf(web, sizeof(web), "%s", want);

	/* s2 from weight 2 to 1: web's ring changes. */
	ok("{\"cmd\":\"backend del\",\"args\":{\"service\":\"web\",\"name\":\"s2\"}}");
	ok("{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\",\"name\":\"s2\","
	   "\"addr\":\"2001:db8:1::2\",\"mac\":\"02:be:00:00:00:02\",\"dev\":\"lo\"}}");
	s = ok("{\"cmd\":\"status\"}");
	ck_assert_str_ne(gstr(s, "fingerprint"), all);
	rings = garr(s, "rings", 2);
	ck_assert_str_eq(gstr(json_object_array_get_idx(rings, 0), "fingerprint"), dns);
	ck_assert_str_ne(gstr(json_object_array_get_idx(rings, 1), "fingerprint"), web);

	/* Back to weight 2, on other ids than before: the same fingerprints. */
	ok("{\"cmd\":\"backend del\",\"args\":{\"service\":\"web\",\"name\":\"s2\"}}");
	ok("{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\",\"name\":\"s2\","
	   "\"addr\":\"2001:db8:1::2\",\"mac\":\"02:be:00:00:00:02\",\"dev\":\"lo\","
	   "\"weight\":\"2\"}}");
	s = ok("{\"cmd\":\"status\"}");
	ck_assert_str_eq(gstr(s, "fingerprint"), all);
	rings = garr(s, "rings", 2);
	ck_assert_str_eq(gstr(json_object_array_get_idx(rings, 1), "fingerprint"), web);
}
END_TEST

START_TEST(test_ctl_services_and_backends)
{
	struct json_object *s, *arr, *b, *nh;

	s = ok("{\"cmd\":\"service add\",\"args\":{\"name\":\"api\",\"vip\":\"2001:db8::443\","
	       "\"proto\":\"tcp\",\"port\":443,\"identity\":\"hoa,src\",\"eui64_only\":\"no\","
	       "\"lifetime\":60}}");
	ck_assert_str_eq(gstr(s, "name"), "api");
	ck_assert_int_eq(gint(s, "id"), 2);
	ck_assert_str_eq(gstr(s, "vip"), "2001:db8::443");
	ck_assert_str_eq(gstr(s, "proto"), "tcp");
	ck_assert_int_eq(gint(s, "port"), 443);
	ck_assert_str_eq(gstr(s, "identity"), "hoa,src");
	ck_assert(!gbool(s, "eui64_only"));
	ck_assert_str_eq(gstr(s, "forward"), "l2-dsr");
	ck_assert(gnull(s, "lb_addr"));
	ck_assert_int_eq(gint(s, "lifetime"), 60);
	ck_assert_str_eq(gstr(s, "chain_policy"), "src");
	ck_assert_str_eq(gstr(s, "notify"), "off");
	ck_assert_int_eq(gint(s, "backends"), 0);

	s = ok("{\"cmd\":\"service list\"}");
	arr = garr(s, "services", 3);
	ck_assert_str_eq(gstr(json_object_array_get_idx(arr, 0), "name"), "web");
	ck_assert_int_eq(gint(find(arr, "name", "web"), "backends"), 3);
	s = find(arr, "name", "dns");
	ck_assert_str_eq(gstr(s, "forward"), "ip6ip6");
	ck_assert_str_eq(gstr(s, "lb_addr"), "2001:db8:ff::1");
	ck_assert_str_eq(gstr(s, "proto"), "any");
	ck_assert_int_eq(gint(s, "port"), 0);
	ck_assert(gbool(s, "eui64_only"));
	ck_assert_str_eq(gstr(s, "identity"), "hoa,spi,iid,src");

	b = ok("{\"cmd\":\"backend add\",\"args\":{\"service\":\"api\",\"name\":\"b1\","
	       "\"addr\":\"2001:db8:3::1\",\"weight\":3,\"mac\":\"02:be:00:00:00:21\","
	       "\"dev\":\"lo\"}}");
	ck_assert_str_eq(gstr(b, "service"), "api");
	ck_assert_str_eq(gstr(b, "name"), "b1");
	ck_assert_int_eq(gint(b, "id"), 4);
	ck_assert_str_eq(gstr(b, "addr"), "2001:db8:3::1");
	ck_assert_int_eq(gint(b, "weight"), 3);
	ck_assert_str_eq(gstr(b, "state"), "active");
	nh = get(b, "nexthop");
	ck_assert_str_eq(gstr(nh, "dev"), "lo");
	ck_assert_int_eq(gint(nh, "ifindex"), 1);
	ck_assert_str_eq(gstr(nh, "mac"), "02:be:00:00:00:21");
	ck_assert(gbool(nh, "valid"));
	ck_assert_str_eq(gstr(nh, "source"), "config");
	ck_assert_int_eq(gint(b, "packets"), 0);
	ck_assert_int_eq(gint(b, "bytes"), 0);

	ok("{\"cmd\":\"backend drain\",\"args\":{\"service\":\"api\",\"name\":\"b1\"}}");
	s = ok("{\"cmd\":\"backend list\",\"args\":{\"service\":\"api\"}}");
	ck_assert_str_eq(gstr(json_object_array_get_idx(garr(s, "backends", 1), 0), "state"),
			 "drained");
	ok("{\"cmd\":\"backend undrain\",\"args\":{\"service\":\"api\",\"name\":\"b1\"}}");
	s = ok("{\"cmd\":\"backend list\",\"args\":{\"service\":\"api\"}}");
	ck_assert_str_eq(gstr(json_object_array_get_idx(garr(s, "backends", 1), 0), "state"),
			 "active");
	s = ok("{\"cmd\":\"backend list\"}");
	garr(s, "backends", 5);
	s = ok("{\"cmd\":\"backend list\",\"args\":{\"service\":\"web\"}}");
	arr = garr(s, "backends", 3);
	ck_assert_int_eq(gint(find(arr, "name", "s2"), "weight"), 2);

	ok("{\"cmd\":\"backend del\",\"args\":{\"service\":\"api\",\"name\":\"b1\"}}");
	fails("{\"cmd\":\"backend del\",\"args\":{\"service\":\"api\",\"name\":\"b1\"}}",
	      "backend api/b1: no such backend");
	fails("{\"cmd\":\"backend drain\",\"args\":{\"service\":\"web\",\"name\":\"s9\"}}",
	      "backend web/s9: no such backend");
	ok("{\"cmd\":\"service del\",\"args\":{\"name\":\"api\"}}");
	garr(ok("{\"cmd\":\"service list\"}"), "services", 2);
	fails("{\"cmd\":\"service del\",\"args\":{\"name\":\"api\"}}", "service api: no such service");
	fails("{\"cmd\":\"backend list\",\"args\":{\"service\":\"api\"}}", "no such service");

	/* Arguments are checked by the config file's own parser. */
	fails("{\"cmd\":\"service add\",\"args\":{\"name\":\"x\",\"vip\":\"zz\"}}",
	      "service x: vip = 'zz': not an IPv6 address");
	fails("{\"cmd\":\"service add\",\"args\":{\"name\":\"x\",\"vip\":\"2001:db8::9\","
	      "\"forward\":\"ip6ip6\"}}", "needs lb_addr");
	fails("{\"cmd\":\"service add\",\"args\":{\"name\":\"x y\",\"vip\":\"2001:db8::9\"}}",
	      "service x y: bad name 'x y'");
	fails("{\"cmd\":\"service add\",\"args\":{\"name\":\"x\",\"vip\":\"2001:db8::9\","
	      "\"port\":1.5}}", "argument 'port' must be a string or an integer");
	fails("{\"cmd\":\"service add\",\"args\":{\"name\":\"x\",\"vip\":\"2001:db8::9\","
	      "\"colour\":\"blue\"}}", "unknown argument 'colour'");
	fails("{\"cmd\":\"service add\",\"args\":{\"vip\":\"2001:db8::9\"}}",
	      "missing argument 'name'");
	fails("{\"cmd\":\"service add\",\"args\":{\"name\":7,\"vip\":\"2001:db8::9\"}}",
	      "argument 'name' must be a string");
	fails("{\"cmd\":\"service add\",\"args\":{\"name\":\"web\",\"vip\":\"2001:db8::9\"}}",
	      "service web: already exists");
	fails("{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\",\"name\":\"s4\","
	      "\"addr\":\"2001:db8:1::4\",\"mac\":\"01:00:5e:00:00:01\"}}",
	      "backend web/s4: mac = '01:00:5e:00:00:01': not a unicast MAC address");
	fails("{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\",\"name\":\"s4\","
	      "\"addr\":\"2001:db8:1::1\"}}", "same addr as backend web/s1");
	fails("{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\",\"name\":\"s4\","
	      "\"addr\":\"2001:db8:1::4\",\"weight\":70000}}", "weight = '70000'");
	/* Nothing of that reached the model. */
	ck_assert_int_eq(state_count_services(fx.st), 2);
	ck_assert_int_eq(state_count_backends(fx.st), 4);
}
END_TEST

START_TEST(test_ctl_sessions)
{
	struct json_object *s, *arr, *x;
	__u64 now = dp_now_ns(), up_s = now / 1000000000ULL;

	/* Idle since boot, not "now - 5 s": the clock is younger than that
	 * for the first seconds after boot.  A lifetime long enough that no
	 * uptime uses it up. */
	dfx_session_put(&fx, 0, "2001:db8:100::1", dfx_be(&fx, "web", "s1"), 4000000000U, 0);
	dfx_session_put(&fx, 1, "2001:db8:100::2", dfx_be(&fx, "dns", "d1"), 0, now);
	/* Backend gone; used 10 s after the clock the list reads: idle 0, not
	 * 2^64 ns. */
	dfx_session_put(&fx, 0, "2001:db8:100::3", 99, 300, now + 10000000000ULL);

	s = ok("{\"cmd\":\"session list\"}");
	arr = garr(s, "sessions", 3);
	x = find(arr, "identity", "2001:db8:100::1");
	ck_assert_str_eq(gstr(x, "service"), "web");
	ck_assert_str_eq(gstr(x, "kind"), "src");
	ck_assert_str_eq(gstr(x, "backend"), "s1");
	ck_assert_int_ge(gint(x, "idle_s"), up_s);
	ck_assert_int_le(gint(x, "idle_s"), up_s + 2);
	ck_assert_int_eq(gint(x, "lifetime_s"), 4000000000LL);
	ck_assert_int_eq(gint(x, "lifetime_left_s"), 4000000000LL - gint(x, "idle_s"));
	x = find(arr, "identity", "2001:db8:100::2");
	ck_assert_str_eq(gstr(x, "service"), "dns");
	ck_assert_int_eq(gint(x, "lifetime_s"), 0);
	ck_assert(gnull(x, "lifetime_left_s"));  /* never ages */
	x = find(arr, "identity", "2001:db8:100::3");
	ck_assert(gnull(x, "backend"));          /* re-hashes on its next packet */
	ck_assert_int_eq(gint(x, "idle_s"), 0);
	ck_assert_int_eq(gint(x, "lifetime_left_s"), 300);

	garr(ok("{\"cmd\":\"session list\",\"args\":{\"service\":\"dns\"}}"), "sessions", 1);
	garr(ok("{\"cmd\":\"session list\",\"args\":{\"kind\":\"hoa\"}}"), "sessions", 0);
	garr(ok("{\"cmd\":\"session list\",\"args\":{\"service\":\"web\",\"kind\":\"src\"}}"),
	     "sessions", 2);
	fails("{\"cmd\":\"session list\",\"args\":{\"service\":\"nope\"}}",
	      "service nope: no such service");
	fails("{\"cmd\":\"session list\",\"args\":{\"kind\":\"bogus\"}}", "kind 'bogus'");

	ok("{\"cmd\":\"session del\",\"args\":{\"service\":\"web\",\"kind\":\"src\","
	   "\"identity\":\"2001:db8:100::1\"}}");
	garr(ok("{\"cmd\":\"session list\"}"), "sessions", 2);
	fails("{\"cmd\":\"session del\",\"args\":{\"service\":\"web\",\"kind\":\"hoa\","
	      "\"identity\":\"2001:db8:100::1\"}}", "no such session");
	fails("{\"cmd\":\"session del\",\"args\":{\"service\":\"web\",\"kind\":\"spi\","
	      "\"identity\":\"xyz\"}}", "not a valid spi identity");
	fails("{\"cmd\":\"session del\",\"args\":{\"service\":\"web\",\"kind\":\"src\"}}",
	      "missing argument 'identity'");
}
END_TEST

START_TEST(test_ctl_stats)
{
	struct json_object *s, *c, *arr;
	__u8 mac[6];
	char src[64];
	long long sum = 0;
	size_t i;
	int n;

	dfx_load_prog(&fx);
	for (n = 0; n < 30; n++) {
		snprintf(src, sizeof(src), "2001:db8:100::%x", n + 1);
		ck_assert_int_eq(dfx_run_udp(&fx, src, "2001:db8::80", 80, mac), XDP_TX);
	}
	ck_assert_int_eq(dfx_run_udp(&fx, src, "2001:db8::99", 80, mac), XDP_PASS);

	s = ok("{\"cmd\":\"stats\"}");
	c = get(s, "counters");
	ck_assert_int_eq(gint(get(c, "rx"), "packets"), 31);
	ck_assert_int_gt(gint(get(c, "rx"), "bytes"), 0);
	ck_assert_int_eq(gint(get(c, "session_new"), "packets"), 30);
	ck_assert_int_eq(gint(get(c, "tx"), "packets"), 30);
	ck_assert_int_eq(gint(get(get(s, "kinds"), "src"), "packets"), 30);
	ck_assert_int_eq(gint(get(get(s, "kinds"), "hoa"), "packets"), 0);
	ck_assert_int_eq(gint(get(s, "reasons"), "pass_not_service"), 1);
	ck_assert_int_eq(gint(get(s, "reasons"), "drop_no_nexthop"), 0);
	ck_assert_int_eq(gint(get(s, "reasons"), "chain_too_long"), 0);
	ck_assert(!json_object_object_get_ex(get(s, "reasons"), "rx", NULL));
	arr = garr(s, "backends", 4);
	for (i = 0; i < 4; i++) {
		struct json_object *b = json_object_array_get_idx(arr, i);

		gstr(b, "service");
		gstr(b, "name");
		sum += gint(b, "packets");
		gint(b, "bytes");
	}
	ck_assert_int_eq(sum, 30);
	ck_assert_int_eq(gint(find(arr, "name", "d1"), "packets"), 0);
	/* UDP never counts as mid-flow; the sum over CPUs is reported. */
	arr = garr(s, "services", 2);
	ck_assert_int_eq(gint(find(arr, "name", "web"), "midflow_new"), 0);
	put_midflow(fx.st->maps->service_stats, dfx_svc(&fx, "web"));
	s = ok("{\"cmd\":\"stats\"}");
	arr = garr(s, "services", 2);
	ck_assert_int_eq(gint(find(arr, "name", "web"), "midflow_new"), 5);
}
END_TEST

/* backend disable / enable, and the session counts of backend list over
 * every table: what an operator waits to reach 0 before removing a
 * backend includes its coa sessions and probation entries. */
START_TEST(test_ctl_disable_and_session_counts)
{
	static const char *const s1_src[] = { "2001:db8:100::1", "2001:db8:100::2" };
	struct json_object *s, *b, *by, *arr;
	__u32 web = dfx_svc(&fx, "web"), s1 = dfx_be(&fx, "web", "s1");
	__u8 mac[6];
	size_t i;

	for (i = 0; i < 2; i++)
		dfx_session_put(&fx, web, s1_src[i], s1, 300, dp_now_ns());
	dfx_session_put_table(&fx, DP_TABLE_COA, web, "2001:db8:200::1", s1);
	dfx_session_put_table(&fx, DP_TABLE_PROBATION, web, "2001:db8:300::1", s1);
	dfx_session_put(&fx, web, "2001:db8:100::3", dfx_be(&fx, "web", "s2"), 300, dp_now_ns());

	arr = garr(ok("{\"cmd\":\"backend list\",\"args\":{\"service\":\"web\"}}"),
		   "backends", 3);
	b = find(arr, "name", "s1");
	ck_assert_int_eq(gint(b, "sessions"), 4);
	by = get(b, "sessions_by_table");
	ck_assert_int_eq(gint(by, "sessions"), 2);
	ck_assert_int_eq(gint(by, "coa"), 1);
	ck_assert_int_eq(gint(by, "probation"), 1);
	b = find(arr, "name", "s2");
	ck_assert_int_eq(gint(b, "sessions"), 1);
	ck_assert_int_eq(gint(get(b, "sessions_by_table"), "coa"), 0);
	ck_assert_int_eq(gint(find(arr, "name", "s3"), "sessions"), 0);

	/* Disabled: off the ring at once, its entry no longer ACTIVE; the
	 * sessions stay until their next packet. */
	ok("{\"cmd\":\"backend disable\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}");
	ok("{\"cmd\":\"backend disable\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}");
	ck_assert_uint_eq(dfx_ring_count(&fx, web, s1), 0);
	arr = garr(ok("{\"cmd\":\"backend list\",\"args\":{\"service\":\"web\"}}"),
		   "backends", 3);
	b = find(arr, "name", "s1");
	ck_assert_str_eq(gstr(b, "state"), "disabled");
	ck_assert_int_eq(gint(b, "sessions"), 4);

	/* Their next packets move them, counted under disabled. */
	dfx_load_prog(&fx);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(dfx_run_udp(&fx, s1_src[i], "2001:db8::80", 80, mac), XDP_TX);
		ck_assert_uint_ne(mac[5], 1);
	}
	s = ok("{\"cmd\":\"stats\"}");
	ck_assert_int_eq(gint(get(get(s, "counters"), "session_rehash"), "packets"), 2);
	ck_assert_int_eq(gint(get(get(s, "counters"), "session_rehash_disabled"), "packets"), 2);
	ck_assert_int_eq(gint(get(s, "rehash"), "disabled"), 2);
	ck_assert_int_eq(gint(get(s, "rehash"), "down"), 0);
	ck_assert_int_eq(gint(get(s, "rehash"), "drained"), 0);
	ck_assert_int_eq(gint(get(s, "rehash"), "removed"), 0);
	b = find(garr(ok("{\"cmd\":\"backend list\"}"), "backends", 4), "name", "s1");
	ck_assert_int_eq(gint(get(b, "sessions_by_table"), "sessions"), 0);
	ck_assert_int_eq(gint(b, "sessions"), 2);       /* coa and probation's */

	/* Enabled: back on the ring for new sessions; those that moved stay. */
	ok("{\"cmd\":\"backend enable\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}");
	ck_assert_uint_gt(dfx_ring_count(&fx, web, s1), 0);
	b = find(garr(ok("{\"cmd\":\"backend list\"}"), "backends", 4), "name", "s1");
	ck_assert_str_eq(gstr(b, "state"), "active");
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(dfx_run_udp(&fx, s1_src[i], "2001:db8::80", 80, mac), XDP_TX);
		ck_assert_uint_ne(mac[5], 1);
	}

	fails("{\"cmd\":\"backend disable\",\"args\":{\"service\":\"web\",\"name\":\"s9\"}}",
	      "backend web/s9: no such backend");
	fails("{\"cmd\":\"backend enable\",\"args\":{\"service\":\"nope\",\"name\":\"s1\"}}",
	      "backend nope/s1: no such backend");
	fails("{\"cmd\":\"backend disable\",\"args\":{\"service\":\"web\"}}", "name");
	fails("{\"cmd\":\"backend enable\",\"args\":{\"service\":\"web\",\"name\":\"s1\","
	      "\"deadline\":3}}", "deadline");
}
END_TEST

/* Exactly one JSON object per request: anything else is an error reply
 * and runs nothing (the second document here would be a reload). */
static const struct {
	const char *req, *error;
} malformed[] = {
	{ "null", "request is not a JSON object" },
	{ "42", "request is not a JSON object" },
	{ "\"status\"", "request is not a JSON object" },
	{ "[{\"cmd\":\"status\"}]", "request is not a JSON object" },
	{ "{\"cmd\":\"status\"} x", "trailing data after the request" },
	{ "{\"cmd\":\"status\"}}", "trailing data after the request" },
	{ "{\"cmd\":\"status\"}{\"cmd\":\"reload\"}", "trailing data after the request" },
	{ "{\"cmd\":\"status\"}\n{\"cmd\":\"reload\"}\n", "trailing data after the request" },
	{ "{\"cmd\":\"status\"} null", "trailing data after the request" },
	{ "{\"cmd\":\"status\"", "request is not JSON: incomplete" },
	{ "", "request is not JSON" },
	{ "  \n", "request is not JSON" },
	/* The client's bytes come back escaped. */
	{ "{\"cmd\":\"fr\\u001b[31mob\"}", "unknown command 'fr\\x1b[31mob'" },
	{ "{\"cmd\":\"a\\\\b\\u0000c\\u00e9\"}", "unknown command 'a\\\\b\\x00c\\xc3\\xa9'" },
};

START_TEST(test_ctl_malformed_requests)
{
	fails(malformed[_i].req, malformed[_i].error);
	ck_assert_int_eq(gint(ok("{\"cmd\":\"status\"}"), "services"), 2);
}
END_TEST

START_TEST(test_ctl_request_whitespace_and_long_names)
{
	char req[8192], *p;
	struct json_object *e;

	/* Whitespace after the document is fine. */
	ck_assert_int_eq(gint(ok("{\"cmd\":\"status\"}\n \r\n\t"), "services"), 2);
	/* The reload after the status is refused, not run: the deleted
	 * service stays deleted. */
	ok("{\"cmd\":\"service del\",\"args\":{\"name\":\"dns\"}}");
	fails("{\"cmd\":\"status\"}\n{\"cmd\":\"reload\"}", "trailing data");
	ck_assert_int_eq(state_count_services(fx.st), 1);
	/* A long unknown name is cut in the error. */
	p = req + sprintf(req, "{\"cmd\":\"");
	memset(p, 'x', 6000);
	strcpy(p + 6000, "\"}");
	fails(req, "unknown command 'xxx");
	ck_assert(json_object_object_get_ex(last, "error", &e));
	ck_assert_uint_lt(strlen(json_object_get_string(e)), 200);
	ck_assert_ptr_nonnull(strstr(json_object_get_string(e), "...'"));
}
END_TEST

START_TEST(test_ctl_misc_and_reload)
{
	struct json_object *s;
	char err_line[128];

	fails("{\"cmd\":\"frobnicate\"}", "unknown command 'frobnicate'");
	fails("{\"cmd\":\"status\"", "request is not JSON");
	fails("[1,2]", "request is not a JSON object");
	fails("{\"args\":{}}", "no \"cmd\"");
	fails("{\"cmd\":\"status\",\"args\":[1]}", "'args' must be an object");
	fails("{\"cmd\":\"status\",\"args\":{\"x\":1}}", "unknown argument 'x'");
	garr(ok("{\"cmd\":\"binding list\"}"), "bindings", 0);
	garr(ok("{\"cmd\":\"peer list\"}"), "peers", 0);

	/* reload: back to the file; a bad file changes nothing. */
	ok("{\"cmd\":\"service del\",\"args\":{\"name\":\"dns\"}}");
	ck_assert_int_eq(state_count_services(fx.st), 1);
	s = ok("{\"cmd\":\"reload\"}");
	ck_assert_int_eq(json_object_object_length(s), 0);
	ck_assert_int_eq(state_count_services(fx.st), 2);
	write_file(cfg_path, CFG "[backend web s4]\naddr = 2001:db8:1::4\nbogus = 1\n");
	snprintf(err_line, sizeof(err_line), "%s:30: unknown key 'bogus' in [backend]", cfg_path);
	fails("{\"cmd\":\"reload\"}", err_line);
	ck_assert_int_eq(state_count_backends(fx.st), 4);
	d.reload = NULL;
	fails("{\"cmd\":\"reload\"}", "not available");
}
END_TEST

/* ---- the server on a real socket ---------------------------------------- */

struct client {
	const char *path;
	const char *req;
	bool shut_wr;
	char resp[65536];
	volatile int done;
};

static int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void *client_thread(void *arg)
{
	struct client *c = arg;
	size_t len = 0;
	ssize_t n;
	int fd = client_connect(c->path);

	send(fd, c->req, strlen(c->req), MSG_NOSIGNAL);
	if (c->shut_wr)
		shutdown(fd, SHUT_WR);
	while (len < sizeof(c->resp) - 1 &&
	       (n = recv(fd, c->resp + len, sizeof(c->resp) - 1 - len, 0)) > 0)
		len += n;
	c->resp[len] = '\0';
	close(fd);
	c->done = 1;
	return NULL;
}

static void round_trip(struct evloop *loop, struct client *c)
{
	pthread_t t;
	int i;

	c->done = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, client_thread, c), 0);
	for (i = 0; i < 200 && !c->done; i++)
		ck_assert_int_ge(evloop_run_once(loop, 20), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert(c->done);
}

/* What mip6lbd's d->changed does. */
static int changed_calls;

static void on_changed(struct daemon *dd)
{
	changed_calls++;
	if (dd->notify)
		notify_maps_changed(dd->notify, notify_now_ms());
}

/* binding list and peer list with the notification module in place, and
 * d->changed after exactly the commands that write the maps. */
START_TEST(test_ctl_notify)
{
	static const char *const pkeys[] = {
		"name", "role", "addr", "port", "subscriptions", "pending", "last_heard_s",
		"accepted", "rejected", "no_session", "sent", "send_errors", NULL,
	};
	struct mip6lb_config cfg = {};
	struct cfg_peer peer = {};
	struct cfg_prefix pfx = { .plen = 48 };
	struct mip6lb_event ev = { .type = MIP6LB_EV_SESSION_NEW };
	struct json_object *s, *p, *rej;
	struct notify_stats st;
	struct notify *nt;
	const char *const *k;
	int sid, r;

	/* Loopback, discard port: the SUBSCRIBE goes nowhere. */
	ck_assert_int_eq(inet_pton(AF_INET6, "::1", &peer.addr), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::", &pfx.addr), 1);
	strcpy(peer.name, "ha1");
	peer.port = 9;
	memset(peer.key, 0x5a, 32);
	peer.key_len = 32;
	peer.key_id = 1;
	peer.role = MIP6LB_NOTIFY_HA;
	peer.home_prefixes = &pfx;
	peer.n_home_prefixes = 1;
	cfg.peers = &peer;
	cfg.n_peers = 1;
	cfg.daemon.notify_port = 0;                 /* [::]:ephemeral */
	ck_assert_int_eq(notify_open(&nt, &cfg, &fx.dp.maps, NULL), 0);
	d.notify = nt;
	d.changed = on_changed;
	changed_calls = 0;

	garr(ok("{\"cmd\":\"binding list\"}"), "bindings", 0);
	fails("{\"cmd\":\"binding list\",\"args\":{\"x\":1}}", "unknown argument 'x'");
	s = ok("{\"cmd\":\"peer list\"}");
	p = json_object_array_get_idx(garr(s, "peers", 1), 0);
	for (k = pkeys; *k; k++)
		get(p, *k);
	ck_assert_str_eq(gstr(p, "name"), "ha1");
	ck_assert_str_eq(gstr(p, "role"), "ha");
	ck_assert_str_eq(gstr(p, "addr"), "::1");
	ck_assert_int_eq(gint(p, "port"), 9);
	ck_assert(gnull(p, "last_heard_s"));
	rej = get(p, "rejected");
	for (r = 1; r < PEER_R_MAX; r++)
		ck_assert_int_eq(gint(rej, peer_reason_name(r)), 0);
	ck_assert_int_eq(gint(s, "unknown_peer"), 0);
	ck_assert_int_eq(gint(s, "no_peer"), 0);
	ck_assert_int_eq(changed_calls, 0);

	/* A notify = ha service added at run time: its first event subscribes
	 * at once, because d->changed refreshed the module's notify modes. */
	ok("{\"cmd\":\"service add\",\"args\":{\"name\":\"m\",\"vip\":\"2001:db8::90\","
	   "\"notify\":\"ha\"}}");
	ck_assert_int_eq(changed_calls, 1);
	sid = state_service_id(fx.st, "m");
	ck_assert_int_ge(sid, 0);
	ev.key.service_id = sid;
	ev.key.space = MIP6LB_SPACE_ADDR;
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:100::7", &ev.home_addr), 1);
	ev.key.id.addr = ev.home_addr;
	ev.kind = MIP6LB_KIND_HOA;
	notify_on_event(nt, &ev, notify_now_ms());
	notify_get_stats(nt, &st);
	ck_assert_uint_eq(st.subscribes_sent, 1);
	s = ok("{\"cmd\":\"binding list\"}");
	p = json_object_array_get_idx(garr(s, "bindings", 1), 0);
	ck_assert_str_eq(gstr(p, "home"), "2001:db8:100::7");
	ck_assert(gnull(p, "coa"));
	ck_assert_str_eq(gstr(p, "subscription"), "pending");
	ck_assert_int_eq(gint(json_object_array_get_idx(garr(ok("{\"cmd\":\"peer list\"}"),
								 "peers", 1), 0), "pending"), 1);

	/* Only what writes the maps, and only when it worked. */
	ok("{\"cmd\":\"backend drain\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}");
	ok("{\"cmd\":\"backend undrain\",\"args\":{\"service\":\"web\",\"name\":\"s1\"}}");
	ck_assert_int_eq(changed_calls, 3);
	fails("{\"cmd\":\"service del\",\"args\":{\"name\":\"nope\"}}", "nope");
	ok("{\"cmd\":\"session list\"}");
	ok("{\"cmd\":\"stats\"}");
	ck_assert_int_eq(changed_calls, 3);
	dfx_session_put(&fx, 0, "2001:db8:100::1", 0, 300, dp_now_ns());
	ok("{\"cmd\":\"session del\",\"args\":{\"service\":\"web\",\"kind\":\"src\","
	   "\"identity\":\"2001:db8:100::1\"}}");
	ok("{\"cmd\":\"service del\",\"args\":{\"name\":\"m\"}}");
	ck_assert_int_eq(changed_calls, 5);

	d.notify = NULL;
	notify_close(nt);
	garr(ok("{\"cmd\":\"binding list\"}"), "bindings", 0);
}
END_TEST

/* Hostile names and values (issue 11): each gets an error reply, and
 * nothing of it reaches the model or the maps. */
static const struct {
	const char *req;
	const char *error;
} hostile[] = {
	{ "{\"cmd\":\"service add\",\"args\":{\"name\":\"a\\n[service evil]\","
	  "\"vip\":\"2001:db8::9\"}}", "bad name 'a" },
	{ "{\"cmd\":\"service add\",\"args\":{\"name\":\"a]\\nvip = 2001:db8::66\\n"
	  "[service evil\",\"vip\":\"2001:db8::9\"}}", "bad name 'a]" },
	{ "{\"cmd\":\"service add\",\"args\":{\"name\":\"evil\\nforward = ip6ip6\","
	  "\"vip\":\"2001:db8::9\"}}", "bad name 'evil" },
	{ "{\"cmd\":\"service add\",\"args\":{\"name\":\"\",\"vip\":\"2001:db8::9\"}}",
	  "bad name ''" },
	{ "{\"cmd\":\"service add\",\"args\":{\"name\":\"evil0123456789012345678901234567\","
	  "\"vip\":\"2001:db8::9\"}}", "bad name" },
	{ "{\"cmd\":\"service add\",\"args\":{\"name\":\"evil\\u0000x\","
	  "\"vip\":\"2001:db8::9\"}}", "argument 'name' contains a NUL character" },
	{ "{\"cmd\":\"service add\",\"args\":{\"name\":\"evil\","
	  "\"vip\":\"2001:db8::9\\n[service evil2]\\nvip = 2001:db8::66\"}}",
	  "service evil: vip: invalid character" },
	{ "{\"cmd\":\"service add\",\"args\":{\"name\":\"evil\",\"vip\":\"2001:db8::9\","
	  "\"lifetime\":\"60 # x\"}}", "service evil: lifetime: invalid character" },
	{ "{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\","
	  "\"name\":\"b\\n[backend web evil]\\naddr = 2001:db8:1::99\","
	  "\"addr\":\"2001:db8:1::98\"}}", "bad name 'b" },
	{ "{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\\n[service evil]\","
	  "\"name\":\"evil\",\"addr\":\"2001:db8:1::98\"}}", "no such service" },
	{ "{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\",\"name\":\"evil\","
	  "\"addr\":\"2001:db8:1::98\\n[backend web evil2]\"}}",
	  "backend web/evil: addr: invalid character" },
	{ "{\"cmd\":\"backend add\",\"args\":{\"service\":\"web\",\"name\":\"evil\","
	  "\"addr\":\"2001:db8:1::98\",\"dev\":\"lo\\nweight = 0\"}}",
	  "backend web/evil: dev: invalid character" },
};

/* What a client can see of the model: both lists, as text (copied: the
 * next call frees the response). */
static void lists_text(char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", json_object_to_json_string(ok("{\"cmd\":\"service list\"}")));
	n = strlen(buf);
	snprintf(buf + n, len - n, " %s",
		 json_object_to_json_string(ok("{\"cmd\":\"backend list\"}")));
}

START_TEST(test_ctl_hostile_names)
{
	static char before[8192], after[8192];

	lists_text(before, sizeof(before));
	fails(hostile[_i].req, hostile[_i].error);
	lists_text(after, sizeof(after));
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(state_count_services(fx.st), 2);
	ck_assert_int_eq(state_count_backends(fx.st), 4);
	/* Nothing the request named, or injected, is in the model. */
	ck_assert_int_eq(state_service_id(fx.st, "evil"), -ENOENT);
	ck_assert_int_eq(state_service_id(fx.st, "evil2"), -ENOENT);
	ck_assert_int_eq(state_service_id(fx.st, "a"), -ENOENT);
	ck_assert_int_eq(state_backend_id(fx.st, "web", "evil"), -ENOENT);
	ck_assert_int_eq(state_backend_id(fx.st, "web", "evil2"), -ENOENT);
	ck_assert_int_eq(state_backend_id(fx.st, "web", "b"), -ENOENT);
	ck_assert_int_eq(dfx_service_key(&fx, "2001:db8::66", 0, 0), -ENOENT);
	ck_assert_int_eq(dfx_service_key(&fx, "2001:db8::9", 0, 0), -ENOENT);
	/* The daemon still answers. */
	ck_assert_int_eq(gint(ok("{\"cmd\":\"status\"}"), "services"), 2);
}
END_TEST

START_TEST(test_ctl_socket_server)
{
	char dir[48], path[100], sub[64];
	struct ctl_server *srv = NULL, *srv2 = NULL;
	struct client c = { 0 };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct evloop *loop;
	struct stat st;
	struct json_object *r;
	char buf[64];
	int fd, i;

	dfx_tmpname(dir, sizeof(dir), "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/mip6lbd.sock", sub);
	ck_assert_int_eq(evloop_new(&loop), 0);
	d.loop = loop;
	ck_assert_int_eq(ctlsrv_open(&srv, path, &d), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	/* A second daemon on a live socket is refused. */
	ck_assert_int_eq(ctlsrv_open(&srv2, path, &d), -EADDRINUSE);

	c.path = path;
	c.req = "{\"cmd\":\"status\"}\n";
	round_trip(loop, &c);
	r = json_tokener_parse(c.resp);
	ck_assert_msg(r != NULL, "'%s'", c.resp);
	ck_assert(json_object_get_boolean(get(r, "ok")));
	ck_assert_int_eq(gint(get(r, "data"), "services"), 2);
	json_object_put(r);

	/* EOF ends a request as well as a newline does. */
	c.req = "{\"cmd\":\"peer list\"}";
	c.shut_wr = true;
	round_trip(loop, &c);
	ck_assert_str_eq(c.resp, "{\"ok\":true,\"data\":{\"peers\":[]}}\n");

	/* A request in pieces: the server waits for the rest. */
	c.req = "{\"cmd\":\"service list\"";
	c.shut_wr = false;
	fd = client_connect(path);
	ck_assert_int_eq(send(fd, c.req, strlen(c.req), 0), (ssize_t)strlen(c.req));
	for (i = 0; i < 5; i++)
		ck_assert_int_ge(evloop_run_once(loop, 10), 0);
	ck_assert_int_eq(send(fd, "}\n", 2, 0), 2);
	for (i = 0; i < 5; i++)
		ck_assert_int_ge(evloop_run_once(loop, 10), 0);
	ck_assert_int_gt(recv(fd, c.resp, sizeof(c.resp) - 1, 0), 0);
	ck_assert_ptr_nonnull(strstr(c.resp, "\"services\":["));
	close(fd);

	/* A peer that never finishes its request is dropped. */
	fd = client_connect(path);
	ck_assert_int_eq(send(fd, "{\"cmd\"", 6, 0), 6);
	for (i = 0; i < 5; i++)
		ck_assert_int_ge(evloop_run_once(loop, 10), 0);
	ctlsrv_expire(srv, dp_now_ns() + (CTL_CONN_TIMEOUT_S + 1) * 1000000000ULL);
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), 0), 0);
	close(fd);

	ctlsrv_close(srv);
	ck_assert_int_ne(access(path, F_OK), 0);

	/* Anything else at the path is refused and left alone. */
	write_file(path, "precious\n");
	ck_assert_int_eq(ctlsrv_open(&srv, path, &d), -EEXIST);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_uint_eq(st.st_size, 9);
	ck_assert_int_eq(unlink(path), 0);

	/* A socket file nobody listens on (kill -9) is replaced. */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(ctlsrv_open(&srv, path, &d), 0);
	c.req = "{\"cmd\":\"binding list\"}\n";
	round_trip(loop, &c);
	ck_assert_str_eq(c.resp, "{\"ok\":true,\"data\":{\"bindings\":[]}}\n");
	ctlsrv_close(srv);

	evloop_free(loop);
	d.loop = NULL;
	ck_assert_int_eq(rmdir(sub), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* ---- limits: nothing a client does blocks the loop ---------------------- */

static char lim_dir[48], lim_path[100];

static struct ctl_server *server_start(struct evloop **loop)
{
	struct ctl_server *srv = NULL;

	dfx_tmpname(lim_dir, sizeof(lim_dir), "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(lim_dir));
	snprintf(lim_path, sizeof(lim_path), "%s/ctl.sock", lim_dir);
	ck_assert_int_eq(evloop_new(loop), 0);
	d.loop = *loop;
	ck_assert_int_eq(ctlsrv_open(&srv, lim_path, &d), 0);
	return srv;
}

static void server_stop(struct ctl_server *srv, struct evloop *loop)
{
	ctlsrv_close(srv);
	evloop_free(loop);
	d.loop = NULL;
	ck_assert_int_eq(rmdir(lim_dir), 0);
}

static void spin(struct evloop *loop, int rounds)
{
	while (rounds--)
		ck_assert_int_ge(evloop_run_once(loop, 10), 0);
}

/* A client that sent req and will not read. */
static int client_send(const char *path, const char *req)
{
	int fd = client_connect(path);

	ck_assert_int_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	return fd;
}

/* 1 once the server closed fd (EOF after what it sent), 0 while open. */
static int closed_by_server(int fd)
{
	static char buf[65536];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n == 0 || errno == ECONNRESET)
			return 1;
		ck_assert_msg(errno == EAGAIN, "recv: %s", strerror(errno));
		return 0;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A client that reads a response of any size. */
struct big_client {
	const char *path, *req;
	char *resp;
	size_t len;
	volatile int done;
};

static void *big_thread(void *arg)
{
	struct big_client *c = arg;
	size_t cap = 1 << 20;
	ssize_t n;
	int fd = client_connect(c->path);

	c->resp = malloc(cap + 1);
	c->len = 0;
	send(fd, c->req, strlen(c->req), MSG_NOSIGNAL);
	while (c->resp && (n = recv(fd, c->resp + c->len, cap - c->len, 0)) > 0) {
		c->len += n;
		if (c->len == cap)
			c->resp = realloc(c->resp, (cap *= 2) + 1);
	}
	if (c->resp)
		c->resp[c->len] = '\0';
	close(fd);
	c->done = 1;
	return NULL;
}

/* The session list through the socket, checked whole: n sessions. */
static size_t big_session_list(struct evloop *loop, size_t n)
{
	struct big_client c = { .path = lim_path, .req = "{\"cmd\":\"session list\"}\n" };
	struct json_object *r;
	pthread_t t;
	size_t len;
	int i;

	ck_assert_int_eq(pthread_create(&t, NULL, big_thread, &c), 0);
	for (i = 0; i < 500 && !c.done; i++)
		ck_assert_int_ge(evloop_run_once(loop, 20), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_ptr_nonnull(c.resp);
	r = json_tokener_parse(c.resp);
	ck_assert_msg(r != NULL, "%zu bytes, not JSON", c.len);
	ck_assert(json_object_get_boolean(get(r, "ok")));
	garr(get(r, "data"), "sessions", n);
	json_object_put(r);
	len = c.len;
	free(c.resp);
	return len;
}

#define NSESS 4000
#define QUIET 4

static void fill_sessions(void)
{
	__u32 be = dfx_be(&fx, "web", "s1");
	char addr[64];
	int i;

	for (i = 0; i < NSESS; i++) {
		snprintf(addr, sizeof(addr), "2001:db8:9::%x", i + 1);
		dfx_session_put(&fx, 0, addr, be, 300, dp_now_ns());
	}
}

/* Clients that ask for a response larger than the socket buffers and
 * never read it: another client's status is answered at once (a liveness
 * bound, not a speed target: the old blocking send held the loop 5 s per
 * such client), a client that reads still gets the whole list, and the
 * silent ones are dropped at their deadline. */
START_TEST(test_ctl_clients_that_do_not_read)
{
	struct client c = { .path = NULL, .req = "{\"cmd\":\"status\"}\n" };
	struct evloop *loop;
	struct ctl_server *srv = server_start(&loop);
	struct json_object *r;
	int quiet[QUIET], i, sndbuf = 0;
	socklen_t sl = sizeof(sndbuf);
	double t0, took;
	size_t len;

	fill_sessions();
	for (i = 0; i < QUIET; i++)
		quiet[i] = client_send(lim_path, "{\"cmd\":\"session list\"}\n");
	ck_assert_int_eq(getsockopt(quiet[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl), 0);

	c.path = lim_path;
	t0 = now_s();
	round_trip(loop, &c);
	took = now_s() - t0;
	ck_assert_msg(took < 2.0, "status took %.1f s behind %d clients that do not read", took,
		      QUIET);
	r = json_tokener_parse(c.resp);
	ck_assert_msg(r != NULL, "'%s'", c.resp);
	ck_assert_int_eq(gint(get(r, "data"), "sessions"), NSESS);
	json_object_put(r);
	/* All four were answered and wait, with their responses queued. */
	ck_assert_uint_eq(ctlsrv_conns(srv), QUIET);
	for (i = 0; i < QUIET; i++)
		ck_assert_int_eq(closed_by_server(quiet[i]), 0);

	/* Larger than the socket can hold: sent as the client reads. */
	len = big_session_list(loop, NSESS);
	ck_assert_uint_gt(len, 2 * (size_t)sndbuf);

	ctlsrv_expire(srv, dp_now_ns() + (CTL_CONN_TIMEOUT_S + 1) * 1000000000ULL);
	ck_assert_uint_eq(ctlsrv_conns(srv), 0);
	for (i = 0; i < QUIET; i++) {
		ck_assert_int_eq(closed_by_server(quiet[i]), 1);
		close(quiet[i]);
	}
	server_stop(srv, loop);
}
END_TEST

/* Past the cap on queued response bytes, the client that has gone longest
 * without reading is dropped; a reader's response over the cap is still
 * sent whole. */
START_TEST(test_ctl_queued_bytes_cap)
{
	struct evloop *loop;
	struct ctl_server *srv = server_start(&loop);
	int quiet[3], i;

	fill_sessions();
	ctlsrv_set_max_queued(srv, 64 * 1024);
	for (i = 0; i < 3; i++) {
		quiet[i] = client_send(lim_path, "{\"cmd\":\"session list\"}\n");
		spin(loop, 5);
	}
	ck_assert_uint_eq(ctlsrv_conns(srv), 1);
	ck_assert_int_eq(closed_by_server(quiet[0]), 1);
	ck_assert_int_eq(closed_by_server(quiet[1]), 1);
	ck_assert_int_eq(closed_by_server(quiet[2]), 0);
	ck_assert_uint_gt(big_session_list(loop, NSESS), 64 * 1024);
	for (i = 0; i < 3; i++)
		close(quiet[i]);
	server_stop(srv, loop);
}
END_TEST

/* More than CTL_MAX_CONNS idle connections: the oldest are closed, the
 * rest stay, and status is still answered. */
START_TEST(test_ctl_connection_cap)
{
	struct client c = { .req = "{\"cmd\":\"status\"}\n" };
	struct evloop *loop;
	struct ctl_server *srv = server_start(&loop);
	int fds[CTL_MAX_CONNS + 8], i;

	for (i = 0; i < CTL_MAX_CONNS + 8; i++) {
		fds[i] = client_connect(lim_path);
		ck_assert_int_ge(evloop_run_once(loop, 0), 0);
	}
	spin(loop, 5);
	ck_assert_uint_eq(ctlsrv_conns(srv), CTL_MAX_CONNS);
	for (i = 0; i < CTL_MAX_CONNS + 8; i++)
		ck_assert_msg(closed_by_server(fds[i]) == (i < 8), "connection %d", i);

	c.path = lim_path;
	round_trip(loop, &c);
	ck_assert_ptr_nonnull(strstr(c.resp, "\"ok\":true"));
	ck_assert_uint_le(ctlsrv_conns(srv), CTL_MAX_CONNS);
	for (i = 0; i < CTL_MAX_CONNS + 8; i++)
		close(fds[i]);
	server_stop(srv, loop);
}
END_TEST

MIP6LB_SUITE(ctl, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("ctl");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_unchecked_fixture(tc, NULL, dfx_sweep);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_ctl_status);
	tcase_add_test(tc, test_ctl_status_fingerprints);
	tcase_add_test(tc, test_ctl_services_and_backends);
	tcase_add_loop_test(tc, test_ctl_hostile_names, 0, sizeof(hostile) / sizeof(hostile[0]));
	tcase_add_test(tc, test_ctl_sessions);
	tcase_add_test(tc, test_ctl_stats);
	tcase_add_test(tc, test_ctl_disable_and_session_counts);
	tcase_add_loop_test(tc, test_ctl_malformed_requests, 0,
			    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, test_ctl_request_whitespace_and_long_names);
	tcase_add_test(tc, test_ctl_misc_and_reload);
	tcase_add_test(tc, test_ctl_notify);
	tcase_add_test(tc, test_ctl_socket_server);
	tcase_add_test(tc, test_ctl_clients_that_do_not_read);
	tcase_add_test(tc, test_ctl_queued_bytes_cap);
	tcase_add_test(tc, test_ctl_connection_cap);
	suite_add_tcase(s, tc);
	return s;
}
