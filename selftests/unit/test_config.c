// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Config file: a full config parses into the expected values, defaults
 * apply, and every kind of mistake is reported as "FILE:LINE: message" at
 * the line a user has to fix.  Also the parse helpers others reuse.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "harness.h"
#include "config.h"
#include "names.h"

#define NAME "test.ini"

/* Key files and a scratch directory, made once per run in the runner's own
 * process (unchecked fixture): a checked teardown is skipped when a forked
 * test fails, which would leave keys behind in /tmp. */
enum { KEY_GOOD, KEY_LOOSE, KEY_SHORT, KEY_LONG, N_KEYS };
static const struct {
	const char *tag;
	size_t len;
	mode_t mode;
} key_specs[N_KEYS] = {
	[KEY_GOOD]  = { "@GOOD@",  32, 0600 },
	[KEY_LOOSE] = { "@LOOSE@", 32, 0644 },
	[KEY_SHORT] = { "@SHORT@", 16, 0600 },
	[KEY_LONG]  = { "@LONG@",  65, 0400 },
};
static char key_path[N_KEYS][64];
static char scratch[64];

static void key_byte_fill(__u8 *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (__u8)(i * 7 + 1);
}

static void keys_setup(void)
{
	__u8 buf[128];
	int i, fd;

	key_byte_fill(buf, sizeof(buf));
	for (i = 0; i < N_KEYS; i++) {
		snprintf(key_path[i], sizeof(key_path[i]), "/tmp/mip6lb-test-key-XXXXXX");
		fd = mkstemp(key_path[i]);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, buf, key_specs[i].len), (ssize_t)key_specs[i].len);
		ck_assert_int_eq(fchmod(fd, key_specs[i].mode), 0);
		close(fd);
	}
	snprintf(scratch, sizeof(scratch), "/tmp/mip6lb-test-cfg-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void keys_teardown(void)
{
	char path[128];
	int i;

	for (i = 0; i < N_KEYS; i++)
		if (key_path[i][0])
			unlink(key_path[i]);
	if (scratch[0]) {
		snprintf(path, sizeof(path), "%s/mip6lb.conf", scratch);
		unlink(path);
		snprintf(path, sizeof(path), "%s/h.key", scratch);
		unlink(path);
		snprintf(path, sizeof(path), "%s/fifo", scratch);
		unlink(path);
		snprintf(path, sizeof(path), "%s/big.conf", scratch);
		unlink(path);
		rmdir(scratch);
	}
}

/* The text with every @TAG@ replaced by that key file's path. */
static char *subst_keys(const char *text)
{
	size_t cap = strlen(text) * 2 + 1024, off = 0;
	char *out = malloc(cap);
	const char *p = text;
	int i;

	ck_assert_ptr_nonnull(out);
	while (*p) {
		for (i = 0; i < N_KEYS; i++) {
			size_t tl = strlen(key_specs[i].tag);

			if (!strncmp(p, key_specs[i].tag, tl)) {
				off += snprintf(out + off, cap - off, "%s", key_path[i]);
				p += tl;
				break;
			}
		}
		if (i == N_KEYS)
			out[off++] = *p++;
		ck_assert_uint_lt(off, cap);
	}
	out[off] = '\0';
	return out;
}

static int parse(const char *text, struct mip6lb_config *cfg, char *err, size_t errlen)
{
	char *t = subst_keys(text);
	int rc = config_parse_string(t, NAME, cfg, err, errlen);

	free(t);
	return rc;
}

static void assert_addr(const struct in6_addr *a, const char *text)
{
	struct in6_addr want;
	char buf[INET6_ADDRSTRLEN];

	ck_assert_int_eq(inet_pton(AF_INET6, text, &want), 1);
	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	ck_assert_msg(!memcmp(a, &want, sizeof(want)), "address %s, expected %s", buf, text);
}

/* ---- a full config ------------------------------------------------------ */

static const char full_config[] =
	"; mip6lb test config\n"                                   /* 1 */
	"[daemon]\n"
	"interface = veth0, veth2   ; comma-separated\n"
	"interface = veth3          ; and repeatable\n"
	"xdp_mode = native\n"                                      /* 5 */
	"notify_listen = [2001:db8::53]:5401\n"
	"sweep_interval = 2\n"
	"max_sessions = 65536\n"
	"events_per_sec = 500\n"
	"\n"                                                       /* 10 */
	"# a backend may come before its service\n"
	"[backend web s1]\n"
	"addr = 2001:db8:1::1\n"
	"weight = 3\n"
	"mac = 02:00:00:00:00:01\n"                                /* 15 */
	"dev = veth1\n"
	"state = drained\n"
	"\n"
	"[service web]\n"
	"vip = 2001:db8::80\n"                                     /* 20 */
	"proto = tcp\n"
	"port = 80\n"
	"identity = spi, hoa\n"
	"eui64_only = no\n"
	"forward = ip6ip6\n"                                       /* 25 */
	"lb_addr = 2001:db8:ff::1\n"
	"lifetime = 600\n"
	"chain_policy = drop\n"
	"notify = ha\n"
	"\n"                                                       /* 30 */
	"[backend web s2]\n"
	"    addr = 2001:db8:1::2   ; an indented key is still a key\n"
	"\n"
	"[service dns]\n"
	"vip = 2001:db8::53\n"                                     /* 35 */
	"proto = udp\n"
	"\n"
	"[peer ha1]\n"
	"addr = [2001:db8:a::1]:6000\n"
	"key_file = @GOOD@\n"                                      /* 40 */
	"key_id = 7\n"
	"role = ha\n"
	"home_prefix = 2001:db8:100::/48\n"
	"home_prefix = 2001:db8:200::/56, 2001:db8:300::/64\n"
	"\n"                                                       /* 45 */
	"[peer mn1]\n"
	"addr = 2001:db8:b::1\n"
	"key_file = @GOOD@\n"
	"role = mn\n";

START_TEST(test_full)
{
	struct mip6lb_config cfg;
	const struct cfg_daemon *d;
	const struct cfg_service *web, *dns;
	const struct cfg_backend *s1, *s2;
	const struct cfg_peer *ha, *mn;
	__u8 key[32];
	char err[512] = "", order[64];

	ck_assert_msg(parse(full_config, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(err, "");

	d = &cfg.daemon;
	ck_assert_int_eq(d->n_ifaces, 3);
	ck_assert_str_eq(d->ifaces[0], "veth0");
	ck_assert_str_eq(d->ifaces[1], "veth2");
	ck_assert_str_eq(d->ifaces[2], "veth3");
	ck_assert_int_eq(d->xdp_mode, CFG_XDP_NATIVE);
	assert_addr(&d->notify_addr, "2001:db8::53");
	ck_assert_uint_eq(d->notify_port, 5401);
	ck_assert_uint_eq(d->sweep_interval_s, 2);
	ck_assert_uint_eq(d->max_sessions, 65536);
	ck_assert_uint_eq(d->events_per_sec, 500);

	ck_assert_int_eq(cfg.n_services, 2);
	ck_assert_int_eq(config_service_index(&cfg, "web"), 0);
	ck_assert_int_eq(config_service_index(&cfg, "dns"), 1);
	ck_assert_int_eq(config_service_index(&cfg, "nope"), -ENOENT);
	web = &cfg.services[0];
	dns = &cfg.services[1];
	ck_assert_str_eq(web->name, "web");
	ck_assert_int_eq(web->line, 19);
	assert_addr(&web->vip, "2001:db8::80");
	ck_assert_uint_eq(web->proto, IPPROTO_TCP);
	ck_assert_uint_eq(web->port, 80);
	id_order_format(web->id_order, web->n_ids, order, sizeof(order));
	ck_assert_str_eq(order, "spi,hoa");
	ck_assert(!web->eui64_only);
	ck_assert_uint_eq(web->forward, MIP6LB_FWD_IP6IP6);
	ck_assert(web->has_lb_addr);
	assert_addr(&web->lb_addr, "2001:db8:ff::1");
	ck_assert_uint_eq(web->lifetime_s, 600);
	ck_assert_uint_eq(web->chain_policy, MIP6LB_CHAIN_DROP);
	ck_assert_uint_eq(web->notify, MIP6LB_NOTIFY_HA);
	ck_assert_uint_eq(dns->proto, IPPROTO_UDP);
	ck_assert_uint_eq(dns->port, 0);

	ck_assert_int_eq(cfg.n_backends, 2);
	s1 = &cfg.backends[0];
	s2 = &cfg.backends[1];
	ck_assert_str_eq(s1->service, "web");
	ck_assert_str_eq(s1->name, "s1");
	ck_assert_int_eq(s1->service_idx, 0);
	ck_assert_int_eq(s1->line, 12);
	assert_addr(&s1->addr, "2001:db8:1::1");
	ck_assert_uint_eq(s1->weight, 3);
	ck_assert(s1->has_mac);
	ck_assert_mem_eq(s1->mac, "\x02\x00\x00\x00\x00\x01", 6);
	ck_assert_str_eq(s1->dev, "veth1");
	ck_assert(s1->drained);
	ck_assert_str_eq(s2->name, "s2");
	ck_assert_int_eq(s2->service_idx, 0);
	assert_addr(&s2->addr, "2001:db8:1::2");

	ck_assert_int_eq(cfg.n_peers, 2);
	ha = &cfg.peers[0];
	mn = &cfg.peers[1];
	ck_assert_str_eq(ha->name, "ha1");
	assert_addr(&ha->addr, "2001:db8:a::1");
	ck_assert_uint_eq(ha->port, 6000);
	ck_assert_str_eq(ha->key_file, key_path[KEY_GOOD]);
	key_byte_fill(key, sizeof(key));
	ck_assert_uint_eq(ha->key_len, 32);
	ck_assert_mem_eq(ha->key, key, 32);
	ck_assert_uint_eq(ha->key_id, 7);
	ck_assert_uint_eq(ha->role, MIP6LB_NOTIFY_HA);
	ck_assert_int_eq(ha->n_home_prefixes, 3);
	assert_addr(&ha->home_prefixes[0].addr, "2001:db8:100::");
	ck_assert_int_eq(ha->home_prefixes[0].plen, 48);
	assert_addr(&ha->home_prefixes[1].addr, "2001:db8:200::");
	ck_assert_int_eq(ha->home_prefixes[1].plen, 56);
	assert_addr(&ha->home_prefixes[2].addr, "2001:db8:300::");
	ck_assert_int_eq(ha->home_prefixes[2].plen, 64);
	ck_assert_uint_eq(mn->role, MIP6LB_NOTIFY_MN);
	ck_assert_uint_eq(mn->port, CFG_NOTIFY_PORT);
	ck_assert_uint_eq(mn->key_id, 1);
	ck_assert_int_eq(mn->n_home_prefixes, 0);

	config_free(&cfg);
	ck_assert_ptr_null(cfg.services);
	ck_assert_int_eq(cfg.n_peers, 0);
}
END_TEST

START_TEST(test_defaults)
{
	static const char text[] =
		"[service a]\n"
		"vip = 2001:db8::1\n"
		"[backend a b]\n"
		"addr = 2001:db8::2\n"
		"[daemon]\n";
	struct mip6lb_config cfg;
	const struct cfg_service *s;
	const struct cfg_backend *b;
	char err[256], order[64];

	ck_assert_msg(parse(text, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(cfg.daemon.n_ifaces, 0);
	ck_assert_int_eq(cfg.daemon.xdp_mode, CFG_XDP_AUTO);
	assert_addr(&cfg.daemon.notify_addr, "::");
	ck_assert_uint_eq(cfg.daemon.notify_port, 5400);
	ck_assert_uint_eq(cfg.daemon.sweep_interval_s, 5);
	ck_assert_uint_eq(cfg.daemon.max_sessions, 1048576);
	ck_assert_uint_eq(cfg.daemon.events_per_sec, 1000);
	ck_assert(!cfg.daemon.announce);
	ck_assert_uint_eq(cfg.daemon.announce_table, 200);
	ck_assert_str_eq(cfg.daemon.announce_dev, "mip6lb-vips");
	ck_assert_uint_eq(cfg.daemon.announce_wait_s, 10);
	ck_assert_uint_eq(cfg.daemon.ptb_per_sec, CFG_PTB_RATE);

	s = &cfg.services[0];
	ck_assert_uint_eq(s->proto, 0);
	ck_assert_uint_eq(s->port, 0);
	id_order_format(s->id_order, s->n_ids, order, sizeof(order));
	ck_assert_str_eq(order, "hoa,spi,iid,src");
	ck_assert(s->eui64_only);
	ck_assert_uint_eq(s->forward, MIP6LB_FWD_L2_DSR);
	ck_assert(!s->has_lb_addr);
	ck_assert_uint_eq(s->lb_plen, 128);
	ck_assert_uint_eq(s->mtu, 0);
	ck_assert_uint_eq(s->lifetime_s, 300);
	ck_assert_uint_eq(s->chain_policy, MIP6LB_CHAIN_BALANCE_SRC);
	ck_assert_uint_eq(s->notify, MIP6LB_NOTIFY_OFF);

	b = &cfg.backends[0];
	ck_assert_uint_eq(b->weight, 1);
	ck_assert(!b->drained);
	ck_assert(!b->has_mac);
	ck_assert_str_eq(b->dev, "");
	config_free(&cfg);
}
END_TEST

/* events_per_sec = 0 is refused only next to a notify service. */
START_TEST(test_events_off_without_notify)
{
	struct mip6lb_config cfg;
	char err[256];

	ck_assert_msg(parse("[daemon]\nevents_per_sec = 0\n[service a]\nvip = 2001:db8::1\n"
			    "notify = off\n", &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(cfg.daemon.events_per_sec, 0);
	config_free(&cfg);
}
END_TEST

/* mtu, ptb_rate and lb_addr prefixes that parse, and what the datapath
 * gets from them: the host mask of the address's last 32 bits. */
static const struct {
	const char *lines;
	__u8 plen;
	__u32 mtu;
	__u32 ptb;
	__u32 mask;                   /* host order */
} tunnel_cases[] = {
	{ "lb_addr = 2001:db8:ff::1\n", 128, 0, CFG_PTB_RATE, 0 },
	{ "lb_addr = 2001:db8:ff::1/128\nmtu = 1320\n", 128, 1320, CFG_PTB_RATE, 0 },
	{ "lb_addr = 2001:db8:ff::/64\nmtu = 9000\n", 64, 9000, CFG_PTB_RATE, 0xffffffff },
	{ "lb_addr = 2001:db8:ff::/96\nmtu = 65535\n", 96, 65535, CFG_PTB_RATE, 0xffffffff },
	{ "lb_addr = 2001:db8:ff::/112\n", 112, 0, CFG_PTB_RATE, 0xffff },
	{ "lb_addr = 2001:db8:ff::100/120\n", 120, 0, CFG_PTB_RATE, 0xff },
	{ "lb_addr = 2001:db8:ff::/127\n[daemon]\nptb_rate = 0\n", 127, 0, 0, 0x1 },
	{ "lb_addr = 2001:db8:ff::1\n[daemon]\nptb_rate = 1000000\n", 128, 0, 1000000, 0 },
};

START_TEST(test_tunnel_keys)
{
	char text[512], err[256];
	struct mip6lb_service m;
	struct mip6lb_config cfg;

	snprintf(text, sizeof(text), "[service a]\nvip = 2001:db8::1\nforward = ip6ip6\n%s",
		 tunnel_cases[_i].lines);
	ck_assert_msg(parse(text, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(cfg.services[0].lb_plen, tunnel_cases[_i].plen);
	ck_assert_uint_eq(cfg.services[0].mtu, tunnel_cases[_i].mtu);
	ck_assert_uint_eq(cfg.daemon.ptb_per_sec, tunnel_cases[_i].ptb);
	config_service_to_map(&cfg.services[0], 0, &m);
	ck_assert_uint_eq(ntohl(m.lb_host_mask), tunnel_cases[_i].mask);
	/* The configured address without its length. */
	ck_assert_uint_eq(m.lb_addr.s6_addr[0], 0x20);
	config_free(&cfg);
}
END_TEST

START_TEST(test_service_to_map)
{
	static const char text[] =
		"[service a]\n"
		"vip = 2001:db8::1\n"
		"proto = udp\n"
		"port = 53\n"
		"identity = iid,src\n"
		"forward = ip6ip6\n"
		"lb_addr = 2001:db8::fe\n"
		"lifetime = 42\n"
		"notify = mn\n"
		"[peer m]\naddr = 2001:db8::9\nkey_file = @GOOD@\nrole = mn\n";
	struct mip6lb_service_key key;
	struct mip6lb_service m;
	struct mip6lb_config cfg;
	char err[256];

	ck_assert_msg(parse(text, &cfg, err, sizeof(err)) == 0, "%s", err);
	memset(&m, 0xaa, sizeof(m));
	config_service_to_map(&cfg.services[0], 5, &m);
	ck_assert_uint_eq(m.id, 5);
	ck_assert_uint_eq(m.flags, MIP6LB_SVC_ACTIVE | MIP6LB_SVC_EUI64_ONLY);
	ck_assert_uint_eq(m.n_ids, 2);
	ck_assert_uint_eq(m.id_order[0], MIP6LB_KIND_IID);
	ck_assert_uint_eq(m.id_order[1], MIP6LB_KIND_SRC);
	ck_assert_uint_eq(m.id_order[2], 0);
	ck_assert_uint_eq(m.forward, MIP6LB_FWD_IP6IP6);
	ck_assert_uint_eq(m.chain_policy, MIP6LB_CHAIN_BALANCE_SRC);
	ck_assert_uint_eq(m.notify, MIP6LB_NOTIFY_MN);
	ck_assert_uint_eq(m.lifetime_s, 42);
	ck_assert_uint_eq(m.n_backends, 0);
	assert_addr(&m.lb_addr, "2001:db8::fe");

	memset(&key, 0xaa, sizeof(key));
	config_service_key(&cfg.services[0], &key);
	assert_addr(&key.vip, "2001:db8::1");
	ck_assert_uint_eq(key.proto, IPPROTO_UDP);
	ck_assert_uint_eq(key.pad, 0);
	ck_assert_uint_eq(key.port, 53);
	config_free(&cfg);
}
END_TEST

/* role = balancer: session sync's keys and its default port (5401, the
 * peer's sync_listen), unless addr names one. */
START_TEST(test_balancer_peer)
{
	static const char text[] =
		"[daemon]\nsync_listen = [2001:db8::1]:6000\nsync_refresh = 7\n"
		"sync_bulk_timeout = 3\n"
		"[service a]\nvip = 2001:db8::1\n"
		"[peer lb2]\naddr = 2001:db8::2\nkey_file = @GOOD@\nrole = balancer\n"
		"sync_rate = 500\nsync_queue = 1000\n"
		"[peer lb3]\naddr = [2001:db8::3]:7000\nkey_file = @GOOD@\nrole = balancer\n"
		"[peer ha]\naddr = 2001:db8::9\nkey_file = @GOOD@\nrole = ha\n"
		"home_prefix = 2001:db8:100::/48\n";
	struct mip6lb_config cfg;
	char err[256];

	ck_assert_msg(parse(text, &cfg, err, sizeof(err)) == 0, "%s", err);
	assert_addr(&cfg.daemon.sync_addr, "2001:db8::1");
	ck_assert_uint_eq(cfg.daemon.sync_port, 6000);
	ck_assert_uint_eq(cfg.daemon.sync_refresh_s, 7);
	ck_assert_uint_eq(cfg.daemon.sync_bulk_timeout_s, 3);
	ck_assert_int_eq(cfg.n_peers, 3);
	ck_assert_uint_eq(cfg.peers[0].role, CFG_ROLE_BALANCER);
	ck_assert_uint_eq(cfg.peers[0].port, CFG_SYNC_PORT);
	ck_assert_uint_eq(cfg.peers[0].sync_rate, 500);
	ck_assert_uint_eq(cfg.peers[0].sync_queue, 1000);
	ck_assert_uint_eq(cfg.peers[1].port, 7000);
	ck_assert_uint_eq(cfg.peers[1].sync_rate, CFG_SYNC_RATE);
	ck_assert_uint_eq(cfg.peers[2].port, CFG_NOTIFY_PORT);
	config_free(&cfg);
}
END_TEST

/* ---- mistakes ------------------------------------------------------------ */

#define SVC "[service a]\nvip = 2001:db8::1\n"           /* lines 1-2 */
#define BE  "[backend a b]\naddr = 2001:db8::2\n"        /* 2 lines */
#define PEER_HA "[peer p]\naddr = 2001:db8::3\nkey_file = @GOOD@\nrole = ha\n" /* 4 lines */

static const struct {
	const char *text;
	int line;
	const char *msg;
} bad_configs[] = {
	{ SVC "vipp = 2001:db8::1\n", 3, "unknown key 'vipp' in [service]" },
	{ "[daemon]\ninterface = eth0\n[servcie a]\n", 3, "unknown section [servcie]" },
	{ "[service]\n", 1, "malformed [service ...] header" },
	{ "[backend a]\n", 1, "malformed [backend ...] header" },
	{ "[service a\n", 1, "section header without ']'" },
	{ "[service a/b]\n", 1, "bad name 'a/b'" },
	{ "vip = 2001:db8::1\n", 1, "'vip' is outside any section" },
	{ "[service a]\nvip\n", 2, "expected '[section]' or 'key = value'" },
	{ "[service a]\nvip = 2001:db8::zz\n", 2, "vip = '2001:db8::zz': not an IPv6 address" },
	{ "[service a]\nvip = ff02::1\n", 2, "vip = 'ff02::1': not a unicast IPv6 address" },
	{ "[service a]\nvip = 2001:db8::1 # hash is not inline\n", 2, "not an IPv6 address" },
	{ SVC "vip = 2001:db8::2\n", 3, "'vip' given twice in this section (first at line 2)" },
	{ SVC "proto = sctp\n", 3, "proto = 'sctp': expected tcp, udp or any" },
	{ SVC "proto = tcp\nport = http\n", 4, "port = 'http': expected an integer in 1..65535" },
	{ SVC "proto = tcp\nport = 0\n", 4, "port = '0': expected an integer in 1..65535" },
	{ SVC "proto = tcp\nport = 70000\n", 4, "port = '70000': expected an integer in 1..65535" },
	{ SVC "proto = tcp\nport = -1\n", 4, "port = '-1'" },
	{ SVC "port = 80\n", 3, "service 'a': port needs proto = tcp or udp" },
	{ "[service a]\nproto = tcp\n[daemon]\n", 1, "service 'a' has no vip" },
	{ SVC "[service a]\nvip = 2001:db8::2\n", 3, "duplicate service 'a' (first at line 1)" },
	{ SVC "[service b]\nvip = 2001:db8::1\n", 3,
	  "service 'b' has the same vip, proto and port as 'a' (line 1)" },
	{ "[backend web s1]\naddr = 2001:db8::2\n" SVC, 1, "backend 'web s1': no [service web]" },
	{ SVC "forward = ip6ip6\n", 1, "service 'a': forward = ip6ip6 needs lb_addr" },
	{ SVC "forward = gre\n", 3, "forward = 'gre': expected l2-dsr or ip6ip6" },
	{ SVC "identity = hoa,foo\n", 3, "identity = 'hoa,foo': unknown kind 'foo'" },
	{ SVC "identity = hoa,spi,hoa\n", 3, "identity = 'hoa,spi,hoa': 'hoa' is listed twice" },
	{ SVC "identity = coa\n", 3, "coa comes from binding notifications" },
	{ SVC "identity = ,\n", 3, "identity = ',': expected a list" },
	{ SVC "eui64_only = maybe\n", 3, "eui64_only = 'maybe': expected yes or no" },
	{ SVC "lifetime = 0\n", 3, "lifetime = '0': expected an integer in 1..31536000" },
	{ SVC "chain_policy = pass\n", 3, "chain_policy = 'pass': expected src or drop" },
	{ SVC "notify = both\n", 3, "notify = 'both': expected off, ha or mn" },
	{ SVC BE "mac = 02:00:00:00:00\n", 5, "mac = '02:00:00:00:00': expected a MAC address" },
	{ SVC BE "mac = 02:00:00:00:00:0g\n", 5, "mac = '02:00:00:00:00:0g'" },
	{ SVC BE "mac = 01:00:5e:00:00:01\n", 5, "not a unicast MAC address" },
	{ SVC BE "weight = 65536\n", 5, "weight = '65536': expected an integer in 0..65535" },
	{ SVC BE "weight = heavy\n", 5, "weight = 'heavy'" },
	{ SVC BE "state = up\n", 5, "state = 'up': expected active, drained or disabled" },
	{ SVC BE "state = Disabled\n", 5, "state = 'Disabled': expected active, drained or disabled" },
	{ SVC BE "state = disabled\nstate = active\n", 6, "'state' given twice" },
	{ SVC BE "dev = a/b\n", 5, "dev = 'a/b': not an interface name" },
	{ SVC BE "[backend a b]\naddr = 2001:db8::4\n", 5,
	  "duplicate backend 'a b' (first at line 3)" },
	{ SVC BE "[backend a c]\naddr = 2001:db8::2\n", 5,
	  "backend 'a c' has the same addr as 'b' (line 3)" },
	{ SVC "[backend a b]\nweight = 2\n", 3, "backend 'a b' has no addr" },
	{ "[daemon]\nxdp_mode = fast\n", 2, "xdp_mode = 'fast': expected native, generic or auto" },
	{ "[daemon]\nnotify_listen = [::]:0\n", 2, "notify_listen = '[::]:0'" },
	{ "[daemon]\nnotify_listen = [::1]5400\n", 2, "notify_listen = '[::1]5400'" },
	{ "[daemon]\ninterface = a, a\n", 2, "'a' is listed twice" },
	{ SVC "notify = ha\n[daemon]\nevents_per_sec = 0\n" PEER_HA "home_prefix = 2001:db8::/48\n", 5,
	  "events_per_sec = 0, but service 'a' (line 1) has notify = ha" },
	{ "[daemon]\nevents_per_sec = 0\n" SVC "notify = mn\n", 2,
	  "events_per_sec = 0, but service 'a' (line 3) has notify = mn" },
	{ "[daemon]\nsweep_interval = 0\n", 2, "sweep_interval = '0'" },
	{ "[daemon]\n[daemon]\n", 2, "duplicate [daemon] (first at line 1)" },
	{ SVC "[peer p]\naddr = 2001:db8::3\nkey_file = /nonexistent/mip6lb.key\n", 5,
	  "key_file /nonexistent/mip6lb.key: No such file or directory" },
	{ SVC "[peer p]\naddr = 2001:db8::3\nkey_file = @LOOSE@\n", 5,
	  "mode 0644 lets group or others at the key" },
	{ SVC "[peer p]\naddr = 2001:db8::3\nkey_file = @SHORT@\n", 5,
	  "16 bytes; a key is 32..64 bytes" },
	{ SVC "[peer p]\naddr = 2001:db8::3\nkey_file = @LONG@\n", 5,
	  "over 64 bytes; a key is 32..64 bytes" },
	{ SVC "[peer p]\naddr = 2001:db8::3\nkey_file = /tmp\n", 5, "not a regular file" },
	{ SVC PEER_HA "home_prefix = 2001:db8::/48\n[peer q]\naddr = 2001:db8::4\n"
	  "key_file = @GOOD@\nhome_prefix = 2001:db8:1::/48\nrole = mn\n", 11,
	  "peer 'q': home_prefix is only for role = ha" },
	{ SVC PEER_HA, 3, "peer 'p': role = ha needs a home_prefix" },
	{ SVC PEER_HA "home_prefix = 2001:db8::/129\n", 7, "home_prefix = '2001:db8::/129'" },
	{ SVC PEER_HA "home_prefix = 2001:db8::/x\n", 7, "home_prefix = '2001:db8::/x'" },
	{ SVC PEER_HA "home_prefix = 2001:db8::\n", 7, "expected PREFIX/LENGTH" },
	{ SVC PEER_HA "home_prefix = ::/0\n", 7, "prefix length 0 covers every address" },
	{ SVC PEER_HA "home_prefix = 2001:db8::1/48\n", 7, "bits set past the prefix length" },
	{ SVC "[peer p]\naddr = 2001:db8::3\nkey_file = @GOOD@\nrole = boss\n", 6,
	  "role = 'boss': expected ha, mn or balancer" },
	{ SVC PEER_HA "home_prefix = 2001:db8::/48\nsync_rate = 10\n", 8,
	  "peer 'p': sync_rate and sync_queue are only for role = balancer" },
	{ SVC "[peer b]\naddr = 2001:db8::3\nkey_file = @GOOD@\nrole = balancer\n"
	  "home_prefix = 2001:db8::/48\n", 7, "peer 'b': home_prefix is only for role = ha" },
	{ SVC "[peer b]\naddr = 2001:db8::3\nkey_file = @GOOD@\nrole = balancer\n"
	  "sync_queue = 1\n", 7, "sync_queue = '1'" },
	{ SVC PEER_HA "role = mn\n", 7, "'role' given twice in this section (first at line 6)" },
	{ SVC "[peer p]\nkey_file = @GOOD@\nrole = mn\n", 3, "peer 'p' has no addr" },
	{ SVC "[peer p]\naddr = 2001:db8::3\nrole = mn\n", 3, "peer 'p' has no key_file" },
	{ SVC "[peer p]\naddr = 2001:db8::3\nkey_file = @GOOD@\n", 3, "peer 'p' has no role" },
	{ SVC "[peer p]\naddr = 2001:db8:ha::1\n", 4, "addr = '2001:db8:ha::1'" },
	/* Addresses no packet on the datapath's wire can carry (issue 11). */
	{ "[service a]\nvip = ::1\n", 2, "vip = '::1': a loopback address" },
	{ "[service a]\nvip = ::\n", 2, "vip = '::': not a unicast IPv6 address: the unspecified" },
	{ "[service a]\nvip = ff05::2\n", 2, "vip = 'ff05::2': not a unicast IPv6 address: a multicast" },
	{ "[service a]\nvip = fe80::1\n", 2, "vip = 'fe80::1': a link-local address" },
	{ "[service a]\nvip = ::ffff:1.2.3.4\n", 2, "vip = '::ffff:1.2.3.4': an IPv4-mapped address" },
	{ "[service a]\nvip = ::1.2.3.4\n", 2, "vip = '::1.2.3.4': an IPv4-compatible address" },
	{ SVC "forward = ip6ip6\nlb_addr = ::1\n", 4, "lb_addr = '::1': a loopback address" },
	{ SVC "forward = ip6ip6\nlb_addr = fe80::1\n", 4, "lb_addr = 'fe80::1': a link-local" },
	{ SVC "forward = ip6ip6\nlb_addr = ::ffff:1.2.3.4\n", 4, "an IPv4-mapped address" },
	{ SVC "forward = ip6ip6\nlb_addr = ::\n", 4, "lb_addr = '::': not a unicast" },
	{ SVC "forward = ip6ip6\nlb_addr = ff02::1\n", 4, "lb_addr = 'ff02::1': not a unicast" },
	/* Packet Too Big and tunnel entropy (issue 14). */
	{ SVC "forward = ip6ip6\nlb_addr = 2001:db8:ff::/63\n", 4,
	  "lb_addr = '2001:db8:ff::/63': a prefix for tunnel entropy must be /64 to /128" },
	{ SVC "forward = ip6ip6\nlb_addr = 2001:db8:ff::1/64\n", 4,
	  "lb_addr = '2001:db8:ff::1/64': bits set past the prefix length" },
	{ SVC "forward = ip6ip6\nlb_addr = 2001:db8:ff::/129\n", 4,
	  "expected an IPv6 address or PREFIX/LENGTH" },
	{ SVC "forward = ip6ip6\nlb_addr = 2001:db8:ff::/\n", 4,
	  "expected an IPv6 address or PREFIX/LENGTH" },
	{ SVC "forward = ip6ip6\nlb_addr = fe80::/64\n", 4, "lb_addr = 'fe80::/64': a link-local" },
	{ SVC "forward = ip6ip6\nlb_addr = ff02::/64\n", 4, "not a unicast" },
	{ SVC "forward = ip6ip6\nlb_addr = 2001:db8::1\nmtu = 1319\n", 5,
	  "mtu = '1319': expected an integer in 1320..65535" },
	{ SVC "forward = ip6ip6\nlb_addr = 2001:db8::1\nmtu = 65536\n", 5,
	  "mtu = '65536': expected an integer in 1320..65535" },
	{ SVC "forward = ip6ip6\nlb_addr = 2001:db8::1\nmtu = jumbo\n", 5, "mtu = 'jumbo'" },
	{ SVC "mtu = 1500\n", 3, "service 'a': mtu is for forward = ip6ip6" },
	{ "[daemon]\nptb_rate = 1000001\n", 2,
	  "ptb_rate = '1000001': expected an integer in 0..1000000" },
	{ "[daemon]\nptb_rate = -1\n", 2, "ptb_rate = '-1'" },
	{ SVC "[backend a b]\naddr = ::1\n", 4, "addr = '::1': a loopback address" },
	{ SVC "[backend a b]\naddr = ::ffff:1.2.3.4\n", 4, "addr = '::ffff:1.2.3.4': an IPv4-mapped" },
	{ SVC "[backend a b]\naddr = ::\n", 4, "addr = '::': not a unicast IPv6 address" },
	{ SVC "[backend a b]\naddr = ff02::1\n", 4, "addr = 'ff02::1': not a unicast IPv6 address" },
	{ SVC "[backend a b]\nweight = 2\naddr = fe80::1\nstate = active\n", 5,
	  "backend 'a b': addr is a link-local address, and without dev nothing says on which link" },
	/* A notify mode no [peer] can serve. */
	{ SVC "notify = ha\n", 1, "service 'a' has notify = ha, but no [peer] has role = ha" },
	{ SVC "notify = ha\n[peer p]\naddr = 2001:db8::3\nkey_file = @GOOD@\nrole = mn\n", 1,
	  "service 'a' has notify = ha, but no [peer] has role = ha" },
	{ SVC "notify = mn\n" PEER_HA "home_prefix = 2001:db8::/48\n", 1,
	  "service 'a' has notify = mn, but no [peer] has role = mn" },
	{ "[daemon]\nannounce = maybe\n", 2, "announce = 'maybe': expected yes or no" },
	{ "[daemon]\nannounce_table = 254\n", 2, "is the host's own" },
	{ "[daemon]\nannounce_table = 255\n", 2, "is the host's own" },
	{ "[daemon]\nannounce_table = 0\n", 2, "announce_table" },
	{ "[daemon]\nannounce_dev = a/b\n", 2, "not an interface name" },
	{ "[daemon]\nannounce_wait = 3601\n", 2, "announce_wait" },
	{ "[daemon]\ninterface = eth0\nannounce = on\nannounce_dev = eth0\n", 1,
	  "announce_dev = eth0 is also a daemon interface" },
};

/* A backend's state key: drained and disabled are separate flags (the
 * control socket can set both; the key sets exactly one state). */
static const struct {
	const char *state;           /* NULL: no key */
	bool drained, disabled;
} state_cases[] = {
	{ NULL, false, false },
	{ "active", false, false },
	{ "drained", true, false },
	{ "disabled", false, true },
};

START_TEST(test_backend_state)
{
	struct mip6lb_config cfg;
	char text[256], err[256];

	snprintf(text, sizeof(text), SVC BE "%s%s%s", state_cases[_i].state ? "state = " : "",
		 state_cases[_i].state ? state_cases[_i].state : "",
		 state_cases[_i].state ? "\n" : "");
	ck_assert_msg(parse(text, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(cfg.n_backends, 1);
	ck_assert_int_eq(cfg.backends[0].drained, state_cases[_i].drained);
	ck_assert_int_eq(cfg.backends[0].disabled, state_cases[_i].disabled);
	config_free(&cfg);
}
END_TEST

START_TEST(test_bad_config)
{
	struct mip6lb_config cfg;
	char err[512], prefix[64];
	int rc;

	memset(err, 0, sizeof(err));
	rc = parse(bad_configs[_i].text, &cfg, err, sizeof(err));
	ck_assert_msg(rc < 0, "case %d parsed: %s", _i, bad_configs[_i].text);
	snprintf(prefix, sizeof(prefix), "%s:%d: ", NAME, bad_configs[_i].line);
	ck_assert_msg(!strncmp(err, prefix, strlen(prefix)), "case %d: '%s' does not start with '%s'",
		      _i, err, prefix);
	ck_assert_msg(strstr(err, bad_configs[_i].msg), "case %d: '%s' lacks '%s'",
		      _i, err, bad_configs[_i].msg);
	/* A failed parse leaves nothing to free and nothing half-built. */
	ck_assert_ptr_null(cfg.services);
	ck_assert_ptr_null(cfg.backends);
	ck_assert_ptr_null(cfg.peers);
}
END_TEST

START_TEST(test_key_file_errno)
{
	struct mip6lb_config cfg;
	char err[256];

	ck_assert_int_eq(parse(SVC "[peer p]\nkey_file = /nonexistent/k\n", &cfg, err, sizeof(err)),
			 -ENOENT);
	ck_assert_int_eq(parse(SVC "[peer p]\nkey_file = @LOOSE@\n", &cfg, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

START_TEST(test_line_too_long)
{
	char text[512], err[256];
	struct mip6lb_config cfg;

	snprintf(text, sizeof(text), "[service a]\nvip = 2001:db8::1 ; %0300d\n", 0);
	ck_assert_int_eq(parse(text, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, NAME ":2: line too long"), "%s", err);
}
END_TEST

/* One past each limit fails at the header that crosses it. */
START_TEST(test_limits)
{
	size_t cap = 512 * 1024, off = 0;
	char *text = malloc(cap), err[256], want[64];
	struct mip6lb_config cfg;
	int i, line = 0;

	ck_assert_ptr_nonnull(text);
	if (_i == 0) {
		for (i = 0; i <= MIP6LB_MAX_SERVICES; i++, line += 2)
			off += snprintf(text + off, cap - off, "[service s%d]\nvip = 2001:db8::%x\n",
					i, i + 1);
		snprintf(want, sizeof(want), NAME ":%d: more than %d services",
			 line - 1, MIP6LB_MAX_SERVICES);
	} else {
		off += snprintf(text + off, cap - off, "[service a]\nvip = 2001:db8::1\n");
		line = 2;
		for (i = 0; i <= MIP6LB_MAX_BACKENDS; i++, line += 2)
			off += snprintf(text + off, cap - off,
					"[backend a b%d]\naddr = 2001:db8:1::%x\n", i, i + 1);
		snprintf(want, sizeof(want), NAME ":%d: more than %d backends",
			 line - 1, MIP6LB_MAX_BACKENDS);
	}
	ck_assert_uint_lt(off, cap - 1);
	ck_assert_int_eq(config_parse_string(text, NAME, &cfg, err, sizeof(err)), -E2BIG);
	ck_assert_str_eq(err, want);

	/* And exactly at the limit it loads. */
	*strrchr(text, '[') = '\0';
	ck_assert_msg(config_parse_string(text, NAME, &cfg, err, sizeof(err)) == 0, "%s", err);
	if (_i == 0)
		ck_assert_int_eq(cfg.n_services, MIP6LB_MAX_SERVICES);
	else
		ck_assert_int_eq(cfg.n_backends, MIP6LB_MAX_BACKENDS);
	config_free(&cfg);
	free(text);
}
END_TEST

/* ---- config_load ------------------------------------------------------- */

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

START_TEST(test_load_file)
{
	static const char text[] =
		"[service a]\nvip = 2001:db8::1\n"
		"[peer h]\naddr = 2001:db8::3\nkey_file = h.key\nrole = ha\n"
		"home_prefix = 2001:db8:100::/48\n";
	char conf[128], keyf[128], want[160], err[512];
	struct mip6lb_config cfg;
	__u8 key[40];

	snprintf(conf, sizeof(conf), "%s/mip6lb.conf", scratch);
	snprintf(keyf, sizeof(keyf), "%s/h.key", scratch);
	key_byte_fill(key, sizeof(key));
	write_file(keyf, key, sizeof(key), 0400);
	write_file(conf, text, strlen(text), 0644);

	/* A relative key_file is found beside the config, not in the cwd. */
	ck_assert_msg(config_load(conf, &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(cfg.peers[0].key_file, keyf);
	ck_assert_uint_eq(cfg.peers[0].key_len, sizeof(key));
	ck_assert_mem_eq(cfg.peers[0].key, key, sizeof(key));
	config_free(&cfg);

	/* Errors name the file as given. */
	write_file(conf, "[service a]\nvip = nope\n", 23, 0644);
	ck_assert_int_eq(config_load(conf, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: vip = 'nope'", conf);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "%s", err);

	unlink(conf);
	ck_assert_int_eq(config_load(conf, &cfg, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", conf);
	ck_assert_str_eq(err, want);

	write_file(conf, "[daemon]\n\0[service a]\n", 22, 0644);
	ck_assert_int_eq(config_load(conf, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "NUL byte"), "%s", err);
}
END_TEST

/* Addresses that are fine: the documentation prefix every example and
 * test uses, a ULA, and a link-local backend whose dev names its link. */
START_TEST(test_addresses_allowed)
{
	struct mip6lb_config cfg;
	char err[256];

	ck_assert_msg(parse("[service a]\nvip = 2001:db8::1\nforward = ip6ip6\n"
			    "lb_addr = fd00:1::fe\n"
			    "[backend a g]\naddr = 2001:db8:1::2\n"
			    "[backend a ll]\naddr = fe80::2\ndev = eth1\n"
			    "[service b]\nvip = fd00::80\n", &cfg, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(cfg.n_backends, 2);
	assert_addr(&cfg.backends[1].addr, "fe80::2");
	ck_assert_str_eq(cfg.backends[1].dev, "eth1");
	config_free(&cfg);
}
END_TEST

/*
 * A FIFO for the config or a key file: opening one without O_NONBLOCK
 * waits for a writer that never comes, and --check-config, SIGHUP and the
 * agent hung.  alarm() turns a regression into a failed test (SIGALRM)
 * instead of a hung run.
 */
START_TEST(test_load_fifo)
{
	char conf[128], fifo[128], text[256], want[512], err[512];
	struct mip6lb_config cfg;

	snprintf(conf, sizeof(conf), "%s/mip6lb.conf", scratch);
	snprintf(fifo, sizeof(fifo), "%s/fifo", scratch);
	unlink(fifo);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	alarm(10);

	ck_assert_int_eq(config_load(fifo, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", fifo);
	ck_assert_str_eq(err, want);

	snprintf(text, sizeof(text), "[service a]\nvip = 2001:db8::1\n"
		 "[peer h]\naddr = 2001:db8::3\nkey_file = %s\nrole = ha\n"
		 "home_prefix = 2001:db8:100::/48\n", fifo);
	write_file(conf, text, strlen(text), 0644);
	ck_assert_int_eq(config_load(conf, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:5: key_file %s: not a regular file", conf, fifo);
	ck_assert_str_eq(err, want);

	/* A directory is not read either. */
	ck_assert_int_eq(config_load(scratch, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, ": not a regular file"), "%s", err);
	alarm(0);
	unlink(fifo);
}
END_TEST

/* A NUL byte is reported at its line; a file over the limit by its size
 * and the limit, without reading it (sparse: no 16 MiB written). */
START_TEST(test_load_nul_and_size)
{
	static const char nul3[] = "[service a]\nvip = 2001:db8::1\n; a\0comment\n";
	char conf[128], big[128], want[256], err[512];
	struct mip6lb_config cfg;
	int fd;

	snprintf(conf, sizeof(conf), "%s/mip6lb.conf", scratch);
	write_file(conf, nul3, sizeof(nul3) - 1, 0644);
	ck_assert_int_eq(config_load(conf, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: contains a NUL byte", conf);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "%s", err);

	write_file(conf, "\0", 1, 0644);
	ck_assert_int_eq(config_load(conf, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:1: contains a NUL byte", conf);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "%s", err);

	snprintf(big, sizeof(big), "%s/big.conf", scratch);
	fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (16 << 20) + 1), 0);
	close(fd);
	ck_assert_int_eq(config_load(big, &cfg, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: file too large (16777217 bytes, limit 16 MiB)", big);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(cfg.services);
	unlink(big);
}
END_TEST

/* ---- parse helpers ------------------------------------------------------ */

static const struct {
	const char *text;
	int ok;
	__u8 mac[6];
} mac_cases[] = {
	{ "02:00:00:00:00:01", 1, { 2, 0, 0, 0, 0, 1 } },
	{ "aa:BB:cc:DD:ee:FF", 1, { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
	{ .text = "02:00:00:00:00" },
	{ .text = "02:00:00:00:00:01:02" },
	{ .text = "02-00-00-00-00-01" },
	{ .text = "2:0:0:0:0:1" },
	{ .text = "" },
};

START_TEST(test_parse_mac)
{
	__u8 mac[6] = { 9, 9, 9, 9, 9, 9 };
	int rc = parse_mac(mac_cases[_i].text, mac);

	if (mac_cases[_i].ok) {
		ck_assert_int_eq(rc, 0);
		ck_assert_mem_eq(mac, mac_cases[_i].mac, 6);
	} else {
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert_mem_eq(mac, "\x09\x09\x09\x09\x09\x09", 6);
	}
}
END_TEST

static const struct {
	const char *text;
	int rc;
	const char *addr;
	int plen;
} prefix_cases[] = {
	{ "2001:db8::/32", 0, "2001:db8::", 32 },
	{ "::/0", 0, "::", 0 },
	{ "2001:db8::1/128", 0, "2001:db8::1", 128 },
	{ .text = "2001:db8::/129", .rc = -EINVAL },
	{ .text = "2001:db8::/", .rc = -EINVAL },
	{ .text = "2001:db8::/-1", .rc = -EINVAL },
	{ .text = "2001:db8::/ 32", .rc = -EINVAL },
	{ .text = "2001:db8::", .rc = -EINVAL },
	{ .text = "10.0.0.0/8", .rc = -EINVAL },
};

START_TEST(test_parse_prefix6)
{
	struct in6_addr a;
	int plen = -1;

	ck_assert_int_eq(parse_prefix6(prefix_cases[_i].text, &a, &plen), prefix_cases[_i].rc);
	if (prefix_cases[_i].rc == 0) {
		assert_addr(&a, prefix_cases[_i].addr);
		ck_assert_int_eq(plen, prefix_cases[_i].plen);
	} else {
		ck_assert_int_eq(plen, -1);
	}
}
END_TEST

static const struct {
	const char *text;
	int rc;
	const char *addr;
	__u16 port;
} hostport_cases[] = {
	{ "[::]:5400", 0, "::", 5400 },
	{ "[2001:db8::1]:1", 0, "2001:db8::1", 1 },
	{ "[2001:db8::1]", 0, "2001:db8::1", 777 },
	{ "2001:db8::1", 0, "2001:db8::1", 777 },
	{ .text = "[2001:db8::1]:0", .rc = -EINVAL },
	{ .text = "[2001:db8::1]:65536", .rc = -EINVAL },
	{ .text = "[2001:db8::1]:", .rc = -EINVAL },
	{ .text = "[2001:db8::1]x", .rc = -EINVAL },
	{ .text = "[2001:db8::1", .rc = -EINVAL },
	{ .text = "192.0.2.1:80", .rc = -EINVAL },
};

START_TEST(test_parse_hostport6)
{
	struct in6_addr a;
	__u16 port = 0;

	ck_assert_int_eq(parse_hostport6(hostport_cases[_i].text, &a, &port, 777),
			 hostport_cases[_i].rc);
	if (hostport_cases[_i].rc == 0) {
		assert_addr(&a, hostport_cases[_i].addr);
		ck_assert_uint_eq(port, hostport_cases[_i].port);
	} else {
		ck_assert_uint_eq(port, 0);
	}
}
END_TEST

static const struct {
	const char *text;
	__u32 min, max;
	int rc;
	__u32 val;
} u32_cases[] = {
	{ "0", 0, 10, 0, 0 },
	{ "10", 0, 10, 0, 10 },
	{ "4294967295", 0, 0xffffffffU, 0, 0xffffffffU },
	{ .text = "4294967296", .min = 0, .max = 0xffffffffU, .rc = -ERANGE },
	{ .text = "99999999999999999999999", .min = 0, .max = 0xffffffffU, .rc = -ERANGE },
	{ .text = "11", .min = 0, .max = 10, .rc = -ERANGE },
	{ .text = "0", .min = 1, .max = 10, .rc = -ERANGE },
	{ .text = "-1", .min = 0, .max = 10, .rc = -EINVAL },
	{ .text = "+1", .min = 0, .max = 10, .rc = -EINVAL },
	{ .text = " 1", .min = 0, .max = 10, .rc = -EINVAL },
	{ .text = "1 ", .min = 0, .max = 10, .rc = -EINVAL },
	{ .text = "0x10", .min = 0, .max = 100, .rc = -EINVAL },
	{ .text = "", .min = 0, .max = 10, .rc = -EINVAL },
};

START_TEST(test_parse_u32)
{
	__u32 v = 12345;

	ck_assert_int_eq(parse_u32(u32_cases[_i].text, u32_cases[_i].min, u32_cases[_i].max, &v),
			 u32_cases[_i].rc);
	ck_assert_uint_eq(v, u32_cases[_i].rc ? 12345 : u32_cases[_i].val);
}
END_TEST

#define N_OF(a) (int)(sizeof(a) / sizeof((a)[0]))

MIP6LB_SUITE(config, 0)
{
	Suite *suite = suite_create("config");
	TCase *tc = tcase_create("file");
	TCase *helpers = tcase_create("helpers");

	tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_events_off_without_notify);
	tcase_add_test(tc, test_service_to_map);
	tcase_add_test(tc, test_balancer_peer);
	tcase_add_loop_test(tc, test_tunnel_keys, 0, N_OF(tunnel_cases));
	tcase_add_loop_test(tc, test_bad_config, 0, N_OF(bad_configs));
	tcase_add_loop_test(tc, test_backend_state, 0, N_OF(state_cases));
	tcase_add_test(tc, test_key_file_errno);
	tcase_add_test(tc, test_line_too_long);
	tcase_add_loop_test(tc, test_limits, 0, 2);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_addresses_allowed);
	tcase_add_test(tc, test_load_fifo);
	tcase_add_test(tc, test_load_nul_and_size);
	suite_add_tcase(suite, tc);

	tcase_add_loop_test(helpers, test_parse_mac, 0, N_OF(mac_cases));
	tcase_add_loop_test(helpers, test_parse_prefix6, 0, N_OF(prefix_cases));
	tcase_add_loop_test(helpers, test_parse_hostport6, 0, N_OF(hostport_cases));
	tcase_add_loop_test(helpers, test_parse_u32, 0, N_OF(u32_cases));
	suite_add_tcase(suite, helpers);
	return suite;
}
