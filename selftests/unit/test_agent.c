// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lb-agent: the classic BPF filter (in userspace through libpcap's
 * bpf_filter(), and in the kernel on a veth), its config file, the Home
 * Agent's binding table from Binding Updates confirmed by Binding
 * Acknowledgements and from the feed, the protocol end towards a
 * subscriber (ACKs, notifies, snapshots, refusals), and the mobile node's
 * care-of address from real `ip addr` changes in a private namespace.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <check.h>
#include <pcap/pcap.h>
#include "harness.h"
#include "agent.h"
#include "mh.h"
#include "peer_link.h"
#include "pktbuild.h"
#include "proto.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

#define HA       "2001:db8:100::1"
#define HOME     "2001:db8:100::7"
#define HOME2    "2001:db8:100::8"
#define COA_A    "2001:db8:a::1"
#define COA_B    "2001:db8:b::1"
#define COA_C    "2001:db8:c::1"
#define AGENT_ID 5U
#define LB_ID    9U

/* ---- frames ----------------------------------------------------------- */

struct frame {
	__u8 d[256];
	size_t len;
};

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = (__u8)v;
}

static void a6(const char *text, __u8 *out)
{
	ck_assert_int_eq(inet_pton(AF_INET6, text, out), 1);
}

/* Ethernet + IPv6 header; returns the offset of the IPv6 Next Header. */
static size_t ip6_hdr(struct frame *f, const char *src, const char *dst)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->d, (__u8[]){ 2, 0, 0, 0, 0, 0xaa, 2, 0, 0, 0, 0, 1, 0x86, 0xdd }, 14);
	f->d[14] = 0x60;
	f->d[14 + 7] = 64;
	a6(src, f->d + 14 + 8);
	a6(dst, f->d + 14 + 24);
	f->len = 54;
	return 14 + 6;
}

static void ip6_done(struct frame *f)
{
	put16(f->d + 14 + 4, (__u16)(f->len - 54));
}

/* Destination Options with a Home Address option (RFC 6275 §6.3). */
static size_t dstopt_hao(struct frame *f, size_t nh, const char *hoa)
{
	__u8 *p = f->d + f->len;

	f->d[nh] = 60;
	p[1] = 2;                        /* 24 bytes */
	p[2] = 1; p[3] = 2;              /* PadN(4): HAO data at 8n+6 */
	p[6] = 201; p[7] = 16;
	a6(hoa, p + 8);
	f->len += 24;
	return p - f->d;
}

/* Type 2 routing header (RFC 6275 §6.4). */
static size_t rt2(struct frame *f, size_t nh, const char *home)
{
	__u8 *p = f->d + f->len;

	f->d[nh] = 43;
	p[1] = 2;
	p[2] = 2;
	p[3] = 1;
	a6(home, p + 8);
	f->len += 24;
	return p - f->d;
}

static void bu(struct frame *f, size_t nh, __u16 seq, __u16 flags, __u16 units, const char *alt)
{
	__u8 *p = f->d + f->len;

	f->d[nh] = 135;
	p[0] = 59;
	p[2] = MH_TYPE_BU;
	put16(p + 6, seq);
	put16(p + 8, flags);
	put16(p + 10, units);
	if (alt) {
		p[1] = 3;                /* 32 bytes */
		p[12] = MH_OPT_ALT_COA;  /* data at 8n+6 */
		p[13] = 16;
		a6(alt, p + 14);
		p[30] = MH_OPT_PADN;
		f->len += 32;
	} else {
		p[1] = 1;                /* 16 bytes */
		p[12] = MH_OPT_PADN;
		p[13] = 2;
		f->len += 16;
	}
	ip6_done(f);
}

static void ba(struct frame *f, size_t nh, __u8 status, __u16 seq, __u16 units)
{
	__u8 *p = f->d + f->len;

	f->d[nh] = 135;
	p[0] = 59;
	p[1] = 1;
	p[2] = MH_TYPE_BA;
	p[6] = status;
	put16(p + 8, seq);
	put16(p + 10, units);
	p[12] = MH_OPT_PADN;
	p[13] = 2;
	f->len += 16;
	ip6_done(f);
}

/* A node away from home registering CoA src with its Home Agent. */
static void bu_frame(struct frame *f, const char *coa, const char *hoa, __u16 seq, __u16 flags,
		     __u16 units, const char *alt)
{
	size_t nh = ip6_hdr(f, coa, HA);

	bu(f, dstopt_hao(f, nh, hoa), seq, flags, units, alt);
}

static void ba_frame(struct frame *f, const char *coa, const char *hoa, __u8 status, __u16 seq,
		     __u16 units)
{
	size_t nh = ip6_hdr(f, HA, coa);

	ba(f, rt2(f, nh, hoa), status, seq, units);
}

/* ---- the filter -------------------------------------------------------- */

static bool filter_accepts(const __u8 *frame, size_t len)
{
	/* struct sock_filter and struct bpf_insn are the same layout. */
	return bpf_filter((const struct bpf_insn *)agent_mh_filter, frame, len, len) != 0;
}

enum fcase { F_BU_HAO, F_BA_RT2, F_MH_DIRECT, F_HBH_MH, F_HBH_DST_MH, F_DST_DST_MH,
	     F_UDP, F_HAO_UDP, F_ESP, F_IPV4, F_FRAG_MH, F_THREE_HDRS_MH, F_ICMP6, F_MAX };

static const struct {
	const char *name;
	bool accept;
} fcases[F_MAX] = {
	[F_BU_HAO]        = { "BU behind a Home Address option", true },
	[F_BA_RT2]        = { "BA behind a type 2 routing header", true },
	[F_MH_DIRECT]     = { "Mobility Header right after IPv6", true },
	[F_HBH_MH]        = { "Hop-by-Hop, then MH", true },
	[F_HBH_DST_MH]    = { "Hop-by-Hop, Destination Options, then MH", true },
	[F_DST_DST_MH]    = { "Destination Options twice, then MH", true },
	[F_UDP]           = { "plain UDP", false },
	[F_HAO_UDP]       = { "UDP behind a Home Address option", false },
	[F_ESP]           = { "ESP", false },
	[F_IPV4]          = { "IPv4", false },
	[F_FRAG_MH]       = { "MH behind a Fragment header (not followed)", false },
	[F_THREE_HDRS_MH] = { "MH behind three extension headers (not followed)", false },
	[F_ICMP6]         = { "ICMPv6 echo", false },
};

static void build_case(int c, struct pb *b)
{
	switch (c) {
	case F_BU_HAO:
		pb_init(b, COA_A, HA); pb_dstopt_hao(b, HOME); pb_mh(b, MH_TYPE_BU); break;
	case F_BA_RT2:
		pb_init(b, HA, COA_A); pb_rt2(b, HOME); pb_mh(b, MH_TYPE_BA); break;
	case F_MH_DIRECT:
		pb_init(b, COA_A, HA); pb_mh(b, MH_TYPE_BU); break;
	case F_HBH_MH:
		pb_init(b, COA_A, HA); pb_hbh(b); pb_mh(b, MH_TYPE_BU); break;
	case F_HBH_DST_MH:
		pb_init(b, COA_A, HA); pb_hbh(b); pb_dstopt_hao(b, HOME); pb_mh(b, MH_TYPE_BU); break;
	case F_DST_DST_MH:
		pb_init(b, COA_A, HA); pb_dstopt(b); pb_dstopt_hao(b, HOME); pb_mh(b, MH_TYPE_BU);
		break;
	case F_UDP:
		pb_init(b, COA_A, HA); pb_udp(b, 1, 2, 8); break;
	case F_HAO_UDP:
		pb_init(b, COA_A, HA); pb_dstopt_hao(b, HOME); pb_udp(b, 1, 2, 8); break;
	case F_ESP:
		pb_init(b, COA_A, HA); pb_esp(b, 0x1234, 32); break;
	case F_IPV4:
		pb_ipv4(b); return;
	case F_FRAG_MH:
		pb_init(b, COA_A, HA); pb_frag(b, 0, 0, 9); pb_mh(b, MH_TYPE_BU); break;
	case F_THREE_HDRS_MH:
		pb_init(b, COA_A, HA); pb_hbh(b); pb_dstopt(b); pb_dstopt_hao(b, HOME);
		pb_mh(b, MH_TYPE_BU); break;
	case F_ICMP6:
		pb_init(b, COA_A, HA); pb_icmp6_echo(b); break;
	}
	pb_finish(b);
}

START_TEST(test_filter_crafted)
{
	struct pb b;

	build_case(_i, &b);
	ck_assert_msg(filter_accepts(b.data, b.len) == fcases[_i].accept, "%s: %s", fcases[_i].name,
		      fcases[_i].accept ? "dropped" : "passed");
}
END_TEST

START_TEST(test_filter_agrees_with_the_parser_on_agent_frames)
{
	struct frame f;

	bu_frame(&f, COA_A, HOME, 1, MH_BU_F_A | MH_BU_F_H, 10, COA_B);
	ck_assert(filter_accepts(f.d, f.len));
	ba_frame(&f, COA_A, HOME, 0, 1, 10);
	ck_assert(filter_accepts(f.d, f.len));
}
END_TEST

static const struct {
	const char *file;
	bool accept;                 /* every packet in it */
} pcap_cases[] = {
	{ "tcpdump_ipv6_mobility_1.pcap", true },
	{ "zeek_mip6_bu.pcap", true },
	{ "zeek_mip6_back.pcap", true },
	{ "zeek_ipv6-mobile-hoa.pcap", false },
	{ "zeek_ip6-hoa-tcp-good-chksum.pcap", false },
	{ "zeek_ipv6-mobile-routing.pcap", false },
	{ "zeek_ip6_esp.pcap", false },
};

START_TEST(test_filter_pcaps)
{
	char path[4096], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	__u8 frame[2048];
	int dlt, rc, n = 0, ok;
	pcap_t *pc;

	snprintf(path, sizeof(path), "%s/%s", harness_pcap_dir(), pcap_cases[_i].file);
	pc = pcap_open_offline(path, errbuf);
	ck_assert_msg(pc != NULL, "%s: %s", path, errbuf);
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		size_t len;

		n++;
		ck_assert_uint_le(h->caplen + 14, sizeof(frame));
		if (dlt == DLT_EN10MB) {
			memcpy(frame, data, h->caplen);
			len = h->caplen;
		} else {
			/* A raw IPv6 capture: the socket sees Ethernet. */
			ck_assert_msg(dlt == DLT_IPV6 || dlt == DLT_RAW, "link type %d", dlt);
			memset(frame, 0, 12);
			frame[12] = 0x86;
			frame[13] = 0xdd;
			memcpy(frame + 14, data, h->caplen);
			len = h->caplen + 14;
		}
		ok = filter_accepts(frame, len);
		ck_assert_msg(ok == pcap_cases[_i].accept, "%s #%d: %s", pcap_cases[_i].file, n,
			      ok ? "passed" : "dropped");
	}
	ck_assert_int_eq(rc, PCAP_ERROR_BREAK);
	ck_assert_int_gt(n, 0);
	pcap_close(pc);
}
END_TEST

/* ---- config ----------------------------------------------------------- */

static char tmpdir[64];
static char keypath[128];
static __u8 key[32];

static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void tmp_setup(void)
{
	int i;

	ck_assert_int_eq(proto_init(), 0);
	strcpy(tmpdir, "/tmp/mip6lb-agent-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	for (i = 0; i < 32; i++)
		key[i] = 0x30 + i;
	snprintf(keypath, sizeof(keypath), "%s/lb.key", tmpdir);
	write_file(keypath, key, sizeof(key), 0600);
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static int parse(const char *body, int role, struct agent_config *cfg, char *err, size_t errlen)
{
	char text[2048];

	snprintf(text, sizeof(text), body, keypath);
	return agent_config_parse_string(text, "agent.conf", role, cfg, err, errlen);
}

START_TEST(test_config_ok)
{
	struct agent_config cfg;
	struct in6_addr a;
	char err[256];

	ck_assert_msg(!parse("[agent]\n"
			     "listen = [2001:db8::a]:5401\n"
			     "interface = eth1\n"
			     "snapshot_interval = 10\n"
			     "feed_socket = /run/x.sock\n"
			     "sender_id = 77\n"
			     "confirm = bu\n"
			     "\n[peer lb1]\naddr = [2001:db8::1]:5400\nkey_file = %s\nkey_id = 3\n",
			     AGENT_ROLE_HA, &cfg, err, sizeof(err)), "%s", err);
	ck_assert_int_eq(cfg.role, AGENT_ROLE_HA);
	ck_assert_uint_eq(cfg.listen_port, 5401);
	ck_assert_str_eq(cfg.iface, "eth1");
	ck_assert_uint_eq(cfg.snapshot_interval_s, 10);
	ck_assert_str_eq(cfg.feed_socket, "/run/x.sock");
	ck_assert_uint_eq(cfg.sender_id, 77);
	ck_assert_int_eq(cfg.confirm, AGENT_CONFIRM_BU);
	ck_assert_int_eq(cfg.n_peers, 1);
	ck_assert_str_eq(cfg.peers[0].name, "lb1");
	ck_assert_uint_eq(cfg.peers[0].key_id, 3);
	ck_assert_uint_eq(cfg.peers[0].key_len, 32);
	ck_assert_mem_eq(cfg.peers[0].key, key, 32);
	inet_pton(AF_INET6, "2001:db8::1", &a);
	ck_assert_mem_eq(&cfg.peers[0].addr, &a, 16);
	agent_config_free(&cfg);

	/* Defaults, role mn. */
	ck_assert_msg(!parse("[agent]\ninterface = wlan0\nhome_address = 2001:db8:100::7\n"
			     "[peer lb1]\naddr = 2001:db8::1\nkey_file = %s\n",
			     AGENT_ROLE_MN, &cfg, err, sizeof(err)), "%s", err);
	ck_assert_uint_eq(cfg.listen_port, AGENT_DEFAULT_PORT);
	ck_assert_uint_eq(cfg.snapshot_interval_s, AGENT_DEFAULT_SNAPSHOT_S);
	ck_assert_uint_eq(cfg.lifetime_s, AGENT_DEFAULT_LIFETIME_S);
	ck_assert_uint_eq(cfg.sender_id, 1);
	ck_assert_str_eq(cfg.feed_socket, "");
	ck_assert(cfg.has_home);
	agent_config_free(&cfg);
}
END_TEST

static const struct {
	const char *text;
	int role;
	const char *want;           /* substring of the error */
} bad_configs[] = {
	{ "[agent]\ninterface = eth0\nbogus = 1\n[peer a]\naddr = 2001:db8::1\nkey_file = %s\n",
	  AGENT_ROLE_HA, "agent.conf:3: unknown key 'bogus' in [agent]" },
	{ "[agent]\ninterface = eth0\n", AGENT_ROLE_HA, "no [peer NAME] section" },
	{ "[agent]\nfeed_socket = off\n[peer a]\naddr = 2001:db8::1\nkey_file = %s\n",
	  AGENT_ROLE_HA, "nothing to learn bindings from" },
	{ "[agent]\ninterface = eth0\n[peer a]\naddr = 2001:db8::1\nkey_file = %s\n",
	  AGENT_ROLE_MN, "role mn needs home_address" },
	{ "[agent]\ninterface = eth0\nhome_address = 2001:db8::7\n[peer a]\n"
	  "addr = 2001:db8::1\nkey_file = %s\n", AGENT_ROLE_HA, "home_address is only for role mn" },
	{ "[agent]\nhome_address = ff02::1\n", AGENT_ROLE_MN, "agent.conf:2: home_address = 'ff02::1'" },
	{ "[agent]\ninterface = eth0\n[peer a]\naddr = 2001:db8::1\n", AGENT_ROLE_HA,
	  "agent.conf:3: peer 'a' has no key_file" },
	{ "[agent]\ninterface = eth0\n[peer a]\nkey_file = %s\n", AGENT_ROLE_HA,
	  "peer 'a' has no addr" },
	{ "[daemon]\ninterface = eth0\n", AGENT_ROLE_HA, "agent.conf:1: [daemon] is mip6lbd's" },
	{ "[agent]\nconfirm = maybe\n", AGENT_ROLE_HA, "confirm = 'maybe': expected ba or bu" },
	{ "[agent]\ninterface = eth0\ninterface = eth1\n", AGENT_ROLE_HA, "given twice" },
	{ "[agent]\ninterface = eth0\n[peer a]\naddr = 2001:db8::1\nkey_file = %s\n[peer a]\n",
	  AGENT_ROLE_HA, "agent.conf:6: duplicate peer 'a'" },
	{ "[agent]\nlisten = [2001:db8::1]:0\n", AGENT_ROLE_HA, "agent.conf:2: listen = '[2001:db8::1]:0'" },
	/* Found at load, not when bind() fails (issue 11). */
	{ "[agent]\nlisten = [::ffff:1.2.3.4]:5400\n", AGENT_ROLE_HA,
	  "agent.conf:2: listen = '[::ffff:1.2.3.4]:5400': an IPv4-mapped address" },
	{ "[agent]\nlisten = ::ffff:1.2.3.4\n", AGENT_ROLE_HA,
	  "agent.conf:2: listen = '::ffff:1.2.3.4': an IPv4-mapped address" },
	{ "[agent]\nlisten = [fe80::1]:5400\n", AGENT_ROLE_HA,
	  "agent.conf:2: listen = '[fe80::1]:5400': a link-local address" },
	{ "[agent]\nlisten = [ff02::1]:5400\n", AGENT_ROLE_HA,
	  "agent.conf:2: listen = '[ff02::1]:5400': not a unicast address" },
};

START_TEST(test_config_errors)
{
	struct agent_config cfg;
	char err[256];

	ck_assert_int_eq(parse(bad_configs[_i].text, bad_configs[_i].role, &cfg, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad_configs[_i].want), "got '%s', want '%s'", err,
		      bad_configs[_i].want);
	ck_assert_ptr_null(cfg.peers);
}
END_TEST

START_TEST(test_config_key_file_mode)
{
	struct agent_config cfg;
	char err[256];

	ck_assert_int_eq(chmod(keypath, 0640), 0);
	ck_assert_int_eq(parse("[agent]\ninterface = eth0\n[peer a]\naddr = 2001:db8::1\n"
			       "key_file = %s\n", AGENT_ROLE_HA, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "agent.conf:5:") && strstr(err, "chmod 600"), "%s", err);
	write_file(keypath, key, 16, 0600);
	ck_assert_int_eq(parse("[agent]\ninterface = eth0\n[peer a]\naddr = 2001:db8::1\n"
			       "key_file = %s\n", AGENT_ROLE_HA, &cfg, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "16 bytes"), "%s", err);
}
END_TEST

/* :: (the default) and ::1 are addresses to listen on. */
START_TEST(test_config_listen_ok)
{
	struct agent_config cfg;
	char err[256];

	ck_assert_msg(!parse("[agent]\nlisten = [::1]:5401\ninterface = eth0\n"
			     "[peer a]\naddr = 2001:db8::1\nkey_file = %s\n",
			     AGENT_ROLE_HA, &cfg, err, sizeof(err)), "%s", err);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&cfg.listen_addr));
	agent_config_free(&cfg);
	ck_assert_msg(!parse("[agent]\nlisten = [::]:5401\ninterface = eth0\n"
			     "[peer a]\naddr = 2001:db8::1\nkey_file = %s\n",
			     AGENT_ROLE_HA, &cfg, err, sizeof(err)), "%s", err);
	agent_config_free(&cfg);
}
END_TEST

/* A FIFO as the config or the key file: an error at once (the agent's
 * config check hung on the key).  alarm() fails a regression instead of
 * hanging the run. */
START_TEST(test_config_fifo)
{
	char fifo[128], conf[128], text[512], want[384], err[512];
	struct agent_config cfg;

	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
	snprintf(conf, sizeof(conf), "%s/agent.conf", tmpdir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	alarm(10);
	ck_assert_int_eq(agent_config_load(fifo, AGENT_ROLE_HA, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", fifo);
	ck_assert_str_eq(err, want);

	snprintf(text, sizeof(text), "[agent]\ninterface = eth0\n[peer a]\naddr = 2001:db8::1\n"
		 "key_file = %s\n", fifo);
	write_file(conf, text, strlen(text), 0644);
	ck_assert_int_eq(agent_config_load(conf, AGENT_ROLE_HA, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:5: key_file %s: not a regular file", conf, fifo);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(cfg.peers);
	alarm(0);
}
END_TEST

/* A NUL byte at its line; a file over the agent's 1 MiB by size. */
START_TEST(test_config_nul_and_size)
{
	static const char nul2[] = "[agent]\ninterface = eth0\0\n";
	char conf[128], want[256], err[512];
	struct agent_config cfg;
	int fd;

	snprintf(conf, sizeof(conf), "%s/agent.conf", tmpdir);
	write_file(conf, nul2, sizeof(nul2) - 1, 0644);
	ck_assert_int_eq(agent_config_load(conf, AGENT_ROLE_HA, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: contains a NUL byte", conf);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "%s", err);

	fd = open(conf, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, (1 << 20) + 5), 0);
	close(fd);
	ck_assert_int_eq(agent_config_load(conf, AGENT_ROLE_HA, &cfg, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: file too large (1048581 bytes, limit 1 MiB)", conf);
	ck_assert_str_eq(err, want);
}
END_TEST

/* ---- an agent and a subscriber on ::1 ---------------------------------- */

static struct agent *ag;
static int sub_fd = -1;          /* the balancer's socket */
static struct proto_sender lb_tx;
static struct proto_peer_state lb_rx;   /* the balancer's view of the agent */

static void agent_up(int role, const char *agent_lines)
{
	struct agent_config cfg;
	char text[1024], err[256];

	snprintf(text, sizeof(text),
		 "[agent]\nlisten = [::1]:5400\nsender_id = %u\n%s\n"
		 "[peer lb1]\naddr = ::1\nkey_file = %%s\n", AGENT_ID, agent_lines);
	ck_assert_msg(!parse(text, role, &cfg, err, sizeof(err)), "%s", err);
	cfg.listen_port = 0;                 /* ephemeral */

	sub_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sub_fd, 0);
	{
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = in6addr_loopback };
		socklen_t sl = sizeof(sa);

		ck_assert_int_eq(bind(sub_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		/* The balancer's messages must come from its [peer] port. */
		ck_assert_int_eq(getsockname(sub_fd, (struct sockaddr *)&sa, &sl), 0);
		cfg.peers[0].port = ntohs(sa.sin6_port);
	}
	ck_assert_int_eq(agent_open(&ag, &cfg), 0);
	agent_config_free(&cfg);
	ck_assert_int_gt(agent_port(ag), 0);
	ck_assert_int_eq(proto_sender_init(&lb_tx, LB_ID, 1, key, 32, proto_now_us()), 0);
	ck_assert_int_eq(proto_peer_init(&lb_rx, AGENT_ID, 1, key, 32), 0);
}

static void agent_down(void)
{
	agent_close(ag);
	ag = NULL;
	if (sub_fd >= 0)
		close(sub_fd);
	sub_fd = -1;
}

static void ha_setup(void)
{
	char lines[256];

	tmp_setup();
	snprintf(lines, sizeof(lines), "feed_socket = %s/agent.sock\nsnapshot_interval = 10", tmpdir);
	agent_up(AGENT_ROLE_HA, lines);
}

static void ha_teardown(void)
{
	agent_down();
	tmp_teardown();
}

static void to_agent(const __u8 *buf, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = in6addr_loopback,
				   .sin6_port = htons(agent_port(ag)) };

	ck_assert_int_eq(sendto(sub_fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)len);
}

static void lb_send(struct proto_msg *m)
{
	__u8 buf[PROTO_MAX_MSG];
	int len = proto_sender_encode(&lb_tx, m, proto_now_us(), buf, sizeof(buf));

	ck_assert_int_gt(len, 0);
	to_agent(buf, len);
}

static void agent_reads(int want)
{
	struct pollfd p = { .fd = agent_udp_fd(ag), .events = POLLIN };

	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	ck_assert_int_eq(agent_on_udp(ag, peer_now_ms()), want);
}

static int lb_recv(struct proto_msg *m, int timeout_ms)
{
	struct pollfd p = { .fd = sub_fd, .events = POLLIN };
	__u8 buf[PROTO_MAX_MSG];
	ssize_t r;
	int rc;

	if (poll(&p, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	r = recv(sub_fd, buf, sizeof(buf), 0);
	ck_assert_int_gt(r, 0);
	rc = proto_accept(&lb_rx, buf, r, proto_now_ms(), m);
	ck_assert_msg(rc == 0, "balancer rejected the agent's datagram: %s", proto_reason_name(rc));
	return 0;
}

static void lb_expect(int type, struct proto_msg *m)
{
	ck_assert_msg(!lb_recv(m, 1000), "nothing from the agent");
	ck_assert_int_eq(m->type, type);
}

static void lb_expect_nothing(void)
{
	struct proto_msg m;

	ck_assert_int_eq(lb_recv(&m, 0), -ETIMEDOUT);
}

static void subscribe(const char *home, __u8 want_status)
{
	struct proto_msg m = { .type = PROTO_SUBSCRIBE }, ack;
	__u64 seq;

	a6(home, (__u8 *)&m.subscribe.home);
	m.subscribe.snapshot_interval_s = 30;
	m.subscribe.lifetime_s = 3600;
	lb_send(&m);
	seq = m.seq;
	agent_reads(1);
	lb_expect(PROTO_SUBSCRIBE_ACK, &ack);
	ck_assert_mem_eq(&ack.subscribe_ack.home, &m.subscribe.home, 16);
	ck_assert_uint_eq(ack.subscribe_ack.ack_seq, seq);
	ck_assert_uint_eq(ack.subscribe_ack.status, want_status);
}

static void expect_notify(const char *home, const char *coa, const char *old, __u32 lifetime,
			  __u16 seq)
{
	struct proto_msg m;
	struct in6_addr h, c, o;

	lb_expect(PROTO_BINDING_NOTIFY, &m);
	a6(home, (__u8 *)&h);
	a6(coa, (__u8 *)&c);
	ck_assert_mem_eq(&m.notify.home, &h, 16);
	ck_assert_mem_eq(&m.notify.coa, &c, 16);
	if (old) {
		a6(old, (__u8 *)&o);
		ck_assert_uint_eq(m.notify.flags, PROTO_NOTIFY_F_OLD_COA);
		ck_assert_mem_eq(&m.notify.old_coa, &o, 16);
	} else {
		ck_assert_uint_eq(m.notify.flags, 0);
	}
	ck_assert_uint_eq(m.notify.lifetime_s, lifetime);
	ck_assert_uint_eq(m.notify.binding_seq, seq);
}

static void expect_binding(const char *home, const char *coa, __u32 lifetime)
{
	const struct agent_binding *b;
	struct in6_addr h, c;

	a6(home, (__u8 *)&h);
	a6(coa, (__u8 *)&c);
	b = agent_binding_find(ag, &h);
	ck_assert_msg(b != NULL, "no binding for %s", home);
	ck_assert_mem_eq(&b->coa, &c, 16);
	ck_assert_uint_eq(b->lifetime_s, lifetime);
}

static bool has_binding(const char *home)
{
	struct in6_addr h;

	a6(home, (__u8 *)&h);
	return agent_binding_find(ag, &h) != NULL;
}

START_TEST(test_ha_bu_confirmed_by_ba)
{
	struct agent_stats st;
	struct frame f;
	__u64 now = peer_now_ms();

	subscribe(HOME, PROTO_SUB_NO_BINDING);

	/* BU (H, A) from CoA A: held for its BA. */
	bu_frame(&f, COA_A, HOME, 100, MH_BU_F_A | MH_BU_F_H, 100, NULL);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 1);
	ck_assert(!has_binding(HOME));
	lb_expect_nothing();
	/* A BA for another sequence number does not confirm it. */
	ba_frame(&f, COA_A, HOME, 0, 99, 100);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 0);
	ck_assert(!has_binding(HOME));
	/* The Home Agent accepts, granting 60 units of the 100 asked. */
	ba_frame(&f, COA_A, HOME, 0, 100, 60);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 1);
	expect_binding(HOME, COA_A, 240);
	expect_notify(HOME, COA_A, NULL, 240, 100);

	/* It moves: the Alternate CoA option names B (the source does not). */
	bu_frame(&f, COA_C, HOME, 101, MH_BU_F_A | MH_BU_F_H, 100, COA_B);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 1);
	ba_frame(&f, COA_B, HOME, 1, 101, 100);     /* status 1: accepted */
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 1);
	expect_binding(HOME, COA_B, 400);
	expect_notify(HOME, COA_B, COA_A, 400, 101);

	/* A refresh with the same CoA: no notification. */
	bu_frame(&f, COA_B, HOME, 102, MH_BU_F_A | MH_BU_F_H, 100, NULL);
	agent_on_frame(ag, f.d, f.len, now);
	ba_frame(&f, COA_B, HOME, 0, 102, 100);
	agent_on_frame(ag, f.d, f.len, now);
	lb_expect_nothing();

	/* Rejected by the Home Agent (status 129): nothing changes. */
	bu_frame(&f, COA_C, HOME, 103, MH_BU_F_A | MH_BU_F_H, 100, NULL);
	agent_on_frame(ag, f.d, f.len, now);
	ba_frame(&f, COA_C, HOME, 129, 103, 0);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 1);
	expect_binding(HOME, COA_B, 400);
	lb_expect_nothing();

	/* Never acknowledged: dropped after AGENT_BA_TIMEOUT_MS. */
	bu_frame(&f, COA_C, HOME, 104, MH_BU_F_A | MH_BU_F_H, 100, NULL);
	agent_on_frame(ag, f.d, f.len, now);
	agent_tick(ag, now + AGENT_BA_TIMEOUT_MS);
	ba_frame(&f, COA_C, HOME, 0, 104, 100);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now + AGENT_BA_TIMEOUT_MS), 0);
	expect_binding(HOME, COA_B, 400);

	/* Not a home registration (no H): ignored.  No A: counts at once. */
	bu_frame(&f, COA_C, HOME, 105, MH_BU_F_A, 100, NULL);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 0);
	bu_frame(&f, COA_C, HOME, 106, MH_BU_F_H, 50, NULL);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 1);
	expect_binding(HOME, COA_C, 200);
	expect_notify(HOME, COA_C, COA_B, 200, 106);

	/* Not a Mobility Header at all. */
	{
		struct pb b;

		build_case(F_HAO_UDP, &b);
		ck_assert_int_eq(agent_on_frame(ag, b.data, b.len, now), -ENOENT);
	}
	agent_get_stats(ag, &st);
	ck_assert_uint_eq(st.bu, 7);
	ck_assert_uint_eq(st.ba, 6);
	ck_assert_uint_eq(st.ba_rejected, 1);
	ck_assert_uint_eq(st.ba_unmatched, 2);
	ck_assert_uint_eq(st.bu_unconfirmed, 1);
	ck_assert_uint_eq(st.bu_not_home, 1);

	/* Deregistration from home: lifetime 0, CoA = home. */
	{
		size_t nh = ip6_hdr(&f, HOME, HA);

		bu(&f, nh, 107, MH_BU_F_H, 0, NULL);
	}
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, now), 1);
	expect_notify(HOME, HOME, COA_C, 0, 107);
	ck_assert(!has_binding(HOME));
}
END_TEST

START_TEST(test_ha_confirm_bu)
{
	struct frame f;

	agent_down();
	agent_up(AGENT_ROLE_HA, "feed_socket = off\ninterface = lo\nconfirm = bu");
	subscribe(HOME, PROTO_SUB_NO_BINDING);
	bu_frame(&f, COA_A, HOME, 7, MH_BU_F_A | MH_BU_F_H, 10, NULL);
	ck_assert_int_eq(agent_on_frame(ag, f.d, f.len, peer_now_ms()), 1);
	expect_binding(HOME, COA_A, 40);
	expect_notify(HOME, COA_A, NULL, 40, 7);
}
END_TEST

static int feed_client(const char *line, char *reply, size_t rlen)
{
	struct sockaddr_un to = { .sun_family = AF_UNIX }, me = { .sun_family = AF_UNIX };
	struct pollfd p;
	ssize_t r;
	int fd;

	snprintf(to.sun_path, sizeof(to.sun_path), "%s/agent.sock", tmpdir);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&me, sizeof(sa_family_t)), 0);
	ck_assert_int_eq(sendto(fd, line, strlen(line), 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)strlen(line));
	p = (struct pollfd){ .fd = agent_feed_fd(ag), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 1000), 1);
	ck_assert_int_eq(agent_on_feed(ag, peer_now_ms()), 1);
	r = recv(fd, reply, rlen - 1, MSG_DONTWAIT);
	ck_assert_int_gt(r, 0);
	reply[r] = '\0';
	close(fd);
	return strcmp(reply, "ok") ? -EINVAL : 0;
}

START_TEST(test_feed)
{
	char reply[160], path[128];
	struct stat sb;

	ck_assert_int_gt(agent_feed_open(ag), 0);
	snprintf(path, sizeof(path), "%s/agent.sock", tmpdir);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert(S_ISSOCK(sb.st_mode));
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);

	subscribe(HOME, PROTO_SUB_NO_BINDING);
	ck_assert_int_eq(feed_client(HOME " " COA_A " 600", reply, sizeof(reply)), 0);
	expect_binding(HOME, COA_A, 600);
	expect_notify(HOME, COA_A, NULL, 600, 0);
	ck_assert_int_eq(feed_client(HOME " " COA_B " 300 4242", reply, sizeof(reply)), 0);
	expect_notify(HOME, COA_B, COA_A, 300, 4242);

	/* Garbage is answered and changes nothing. */
	ck_assert_int_eq(feed_client(HOME " " COA_C, reply, sizeof(reply)), -EINVAL);
	ck_assert_str_eq(reply, "error: expected HOA COA LIFETIME [SEQ]");
	ck_assert_int_eq(feed_client(HOME " ff02::1 300", reply, sizeof(reply)), -EINVAL);
	ck_assert_int_eq(feed_client(HOME " " COA_C " 999999", reply, sizeof(reply)), -EINVAL);
	ck_assert_int_eq(feed_client("::1 " COA_C " 30", reply, sizeof(reply)), -EINVAL);
	expect_binding(HOME, COA_B, 300);
	lb_expect_nothing();
}
END_TEST

/* `mip6lb-agent feed` and agent_feed_send() against this agent: the
 * client runs in a child, the agent here; with other_ns the child first
 * moves to a network namespace of its own. */
static void feed_from_child_ns(bool use_binary, bool other_ns, const char *coa, int want_exit)
{
	char path[128], bin[4096];
	struct pollfd p;
	pid_t pid;
	int status, rc;

	snprintf(path, sizeof(path), "%s/agent.sock", tmpdir);
	snprintf(bin, sizeof(bin), "%s/mip6lb-agent", harness_build_dir());
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid) {
		char reply[160], line[128];

		if (other_ns && unshare(CLONE_NEWNET))
			_exit(98);
		if (use_binary) {
			execl(bin, bin, "feed", "-s", path, HOME2, coa, "120", (char *)NULL);
			_exit(99);
		}
		snprintf(line, sizeof(line), "%s %s 120", HOME2, coa);
		rc = agent_feed_send(path, line, reply, sizeof(reply), 2000);
		_exit(rc == 0 ? 0 : rc == -EINVAL ? 1 : 2);
	}
	p = (struct pollfd){ .fd = agent_feed_fd(ag), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 3000), 1);
	ck_assert_int_eq(agent_on_feed(ag, peer_now_ms()), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), want_exit);
}

static void feed_from_child(bool use_binary, const char *coa, int want_exit)
{
	feed_from_child_ns(use_binary, false, coa, want_exit);
}

/* Only the agent's socket (and the key) are left in its directory: the
 * clients' reply sockets are gone. */
static void feed_dir_clean(void)
{
	struct dirent *de;
	DIR *d = opendir(tmpdir);
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ck_assert_msg(!strcmp(de->d_name, "agent.sock") || !strcmp(de->d_name, "lb.key"),
			      "left behind: %s", de->d_name);
		n++;
	}
	closedir(d);
	ck_assert_int_eq(n, 2);
}

START_TEST(test_feed_client)
{
	ck_assert_int_gt(agent_feed_open(ag), 0);
	feed_from_child(false, COA_A, 0);
	expect_binding(HOME2, COA_A, 120);
	feed_from_child(false, "not-an-address", 1);
	expect_binding(HOME2, COA_A, 120);
	ck_assert_msg(access(harness_build_dir(), F_OK) == 0, "no build dir %s", harness_build_dir());
	feed_from_child(true, COA_B, 0);
	expect_binding(HOME2, COA_B, 120);
	feed_from_child(true, "ff02::2", 1);
	expect_binding(HOME2, COA_B, 120);
	feed_dir_clean();
}
END_TEST

START_TEST(test_subscribe_when_known_and_snapshots)
{
	struct in6_addr h, c;
	struct proto_msg m;
	char home[64];
	__u64 now = peer_now_ms();
	int i, total, parts;

	/* Known before the SUBSCRIBE: ACK ok, then the binding at once. */
	a6(HOME, (__u8 *)&h);
	a6(COA_A, (__u8 *)&c);
	ck_assert_int_eq(agent_binding_update(ag, &h, &c, 600, 1, now), 0);
	subscribe(HOME, PROTO_SUB_OK);
	expect_notify(HOME, COA_A, NULL, 600, 1);

	/* 34 more subscribed homes with bindings: 35 entries, two parts. */
	for (i = 0; i < 34; i++) {
		snprintf(home, sizeof(home), "2001:db8:100::1:%x", i + 1);
		a6(home, (__u8 *)&h);
		ck_assert_int_eq(agent_binding_update(ag, &h, &c, 600, 1, now), 0);
		subscribe(home, PROTO_SUB_OK);
		lb_recv(&m, 1000);              /* its immediate notify */
	}
	ck_assert_int_eq(agent_subscription_count(ag), 35);
	agent_tick(ag, now);                    /* schedules the first one */
	lb_expect_nothing();
	agent_tick(ag, now + 10 * 1000);
	for (total = 0, parts = 0; ; parts++) {
		lb_expect(PROTO_BINDING_SNAPSHOT, &m);
		ck_assert_uint_eq(m.snapshot.part, parts);
		total += m.snapshot.count;
		for (i = 0; i < m.snapshot.count; i++) {
			ck_assert_mem_eq(&m.snapshot.entries[i].coa, &c, 16);
			ck_assert_uint_le(m.snapshot.entries[i].lifetime_s, 600);
			ck_assert_uint_ge(m.snapshot.entries[i].lifetime_s, 589);
		}
		if (!(m.snapshot.flags & PROTO_SNAPSHOT_F_MORE))
			break;
	}
	ck_assert_int_eq(parts, 1);
	ck_assert_int_eq(total, 35);
	lb_expect_nothing();

	/* UNSUBSCRIBE, then expiry of the rest. */
	memset(&m, 0, sizeof(m));
	m.type = PROTO_UNSUBSCRIBE;
	a6(HOME, (__u8 *)&m.unsubscribe.home);
	lb_send(&m);
	agent_reads(1);
	ck_assert_int_eq(agent_subscription_count(ag), 34);
	agent_tick(ag, now + 3601 * 1000);   /* subscribed a little after now */
	ck_assert_int_eq(agent_subscription_count(ag), 0);
	ck_assert_int_eq(agent_binding_count(ag), 0);   /* 600 s were over too */
}
END_TEST

START_TEST(test_rejections_and_close_unsubscribes)
{
	struct proto_msg m = { .type = PROTO_SUBSCRIBE };
	__u8 buf[PROTO_MAX_MSG];
	struct agent_stats st;
	int len;

	/* Wrong key: counted, no answer, no subscription. */
	a6(HOME, (__u8 *)&m.subscribe.home);
	m.subscribe.lifetime_s = 60;
	len = proto_sender_encode(&lb_tx, &m, proto_now_us(), buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	buf[len - 1] ^= 1;
	to_agent(buf, len);
	agent_reads(1);
	lb_expect_nothing();
	ck_assert_int_eq(agent_subscription_count(ag), 0);
	/* A notify sent to an agent is unexpected. */
	memset(&m, 0, sizeof(m));
	m.type = PROTO_BINDING_NOTIFY;
	a6(HOME, (__u8 *)&m.notify.home);
	a6(COA_A, (__u8 *)&m.notify.coa);
	lb_send(&m);
	agent_reads(1);
	ck_assert(!has_binding(HOME));
	/* Garbage. */
	memset(buf, 0, 100);
	to_agent(buf, 100);
	agent_reads(1);

	/* Only a home address with a binding is subscribed (and told at
	 * once where it is); close unsubscribes it. */
	{
		struct in6_addr h, c;

		a6(HOME, (__u8 *)&h);
		a6(COA_A, (__u8 *)&c);
		ck_assert_int_eq(agent_binding_update(ag, &h, &c, 600, 1, peer_now_ms()), 0);
	}
	subscribe(HOME, PROTO_SUB_OK);
	expect_notify(HOME, COA_A, NULL, 600, 1);
	agent_get_stats(ag, &st);
	ck_assert_uint_eq(st.unknown_peer, 0);
	agent_close(ag);
	ag = NULL;
	lb_expect(PROTO_UNSUBSCRIBE, &m);
}
END_TEST

START_TEST(test_unknown_peer_and_mn_refuses_other_homes)
{
	struct proto_msg m = { .type = PROTO_SUBSCRIBE };
	struct agent_config cfg;
	struct agent_stats st;
	char err[256];

	/* The only balancer is elsewhere: ::1 is nobody. */
	agent_down();
	ck_assert_msg(!parse("[agent]\ninterface = lo\nhome_address = " HOME "\n"
			     "[peer lb1]\naddr = 2001:db8::1\nkey_file = %s\n",
			     AGENT_ROLE_MN, &cfg, err, sizeof(err)), "%s", err);
	cfg.listen_addr = in6addr_loopback;
	cfg.listen_port = 0;
	agent_up(AGENT_ROLE_MN, "interface = lo\nhome_address = " HOME);
	{
		struct agent *other;
		struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_addr = in6addr_loopback };
		__u8 buf[PROTO_MAX_MSG];
		int len;

		ck_assert_int_eq(agent_open(&other, &cfg), 0);
		to.sin6_port = htons(agent_port(other));
		a6(HOME, (__u8 *)&m.subscribe.home);
		m.subscribe.lifetime_s = 60;
		len = proto_sender_encode(&lb_tx, &m, proto_now_us(), buf, sizeof(buf));
		ck_assert_int_eq(sendto(sub_fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)), len);
		{
			struct pollfd p = { .fd = agent_udp_fd(other), .events = POLLIN };

			ck_assert_int_eq(poll(&p, 1, 1000), 1);
		}
		ck_assert_int_eq(agent_on_udp(other, peer_now_ms()), 1);
		agent_get_stats(other, &st);
		ck_assert_uint_eq(st.unknown_peer, 1);
		ck_assert_int_eq(agent_subscription_count(other), 0);
		agent_close(other);
	}
	agent_config_free(&cfg);
	lb_expect_nothing();

	/* A node's agent speaks for its own home address only. */
	subscribe(HOME2, PROTO_SUB_REFUSED);
	ck_assert_int_eq(agent_subscription_count(ag), 0);
	subscribe(HOME, PROTO_SUB_UNKNOWN);
	ck_assert_int_eq(agent_subscription_count(ag), 1);
}
END_TEST

/* ---- issue 12: no state for home addresses without a binding ---------- */

static void bind_home(const char *home, const char *coa, __u32 lifetime, __u64 now_ms)
{
	struct in6_addr h, c;

	a6(home, (__u8 *)&h);
	a6(coa, (__u8 *)&c);
	ck_assert_int_eq(agent_binding_update(ag, &h, &c, lifetime, 1, now_ms), 0);
}

/* A flood of SUBSCRIBEs for addresses the Home Agent has no binding for
 * is answered no_binding and leaves no subscription, so the nodes with a
 * binding still get theirs from a table of two; when the table is full,
 * a subscription whose binding is gone makes room (its balancer told),
 * one whose binding lives never does. */
START_TEST(test_ha_no_binding_holds_no_state)
{
	struct agent_stats st;
	struct proto_msg m;
	char home[64];
	int i;

	agent_down();
	agent_up(AGENT_ROLE_HA, "feed_socket = off\ninterface = lo\nmax_subscriptions = 2");
	for (i = 0; i < 50; i++) {
		snprintf(home, sizeof(home), "2001:db8:100::f:%x", i);
		subscribe(home, PROTO_SUB_NO_BINDING);
	}
	ck_assert_int_eq(agent_subscription_count(ag), 0);
	agent_get_stats(ag, &st);
	ck_assert_uint_eq(st.no_binding, 50);
	ck_assert_uint_eq(st.subs_refused, 0);

	bind_home(HOME, COA_A, 600, peer_now_ms() + AGENT_WATCH_MS);
	bind_home(HOME2, COA_B, 600, peer_now_ms() + AGENT_WATCH_MS);
	lb_expect_nothing();
	subscribe(HOME, PROTO_SUB_OK);
	expect_notify(HOME, COA_A, NULL, 600, 1);
	subscribe(HOME2, PROTO_SUB_OK);
	expect_notify(HOME2, COA_B, NULL, 600, 1);
	ck_assert_int_eq(agent_subscription_count(ag), 2);

	/* HOME goes home (deregistration): told, its subscription stays
	 * while there is room... */
	{
		struct in6_addr h;

		a6(HOME, (__u8 *)&h);
		ck_assert_int_eq(agent_binding_update(ag, &h, &h, 0, 2, peer_now_ms()), 0);
	}
	expect_notify(HOME, HOME, COA_A, 0, 2);
	/* ...and makes room for a node that has a binding. */
	bind_home("2001:db8:100::9", COA_C, 600, peer_now_ms());
	{
		struct proto_msg sub = { .type = PROTO_SUBSCRIBE };
		struct in6_addr h;

		a6("2001:db8:100::9", (__u8 *)&sub.subscribe.home);
		sub.subscribe.lifetime_s = 3600;
		lb_send(&sub);
		agent_reads(1);
		lb_expect(PROTO_UNSUBSCRIBE, &m);       /* the evicted, first */
		a6(HOME, (__u8 *)&h);
		ck_assert_mem_eq(&m.unsubscribe.home, &h, 16);
		lb_expect(PROTO_SUBSCRIBE_ACK, &m);
		ck_assert_uint_eq(m.subscribe_ack.status, PROTO_SUB_OK);
	}
	expect_notify("2001:db8:100::9", COA_C, NULL, 600, 1);
	ck_assert_int_eq(agent_subscription_count(ag), 2);
	/* Both have bindings now: a third is refused for room. */
	bind_home(HOME, COA_A, 600, peer_now_ms());
	subscribe(HOME, PROTO_SUB_NO_RESOURCES);
	agent_get_stats(ag, &st);
	ck_assert_uint_eq(st.subs_evicted, 1);
	ck_assert_uint_eq(st.subs_refused, 1);
	/* A renewal for an address whose binding went loses the subscription. */
	{
		struct in6_addr h;

		a6(HOME2, (__u8 *)&h);
		ck_assert_int_eq(agent_binding_update(ag, &h, &h, 0, 2, peer_now_ms()), 0);
	}
	expect_notify(HOME2, HOME2, COA_B, 0, 2);
	subscribe(HOME2, PROTO_SUB_NO_BINDING);
	ck_assert_int_eq(agent_subscription_count(ag), 1);
}
END_TEST

/* The watch: a binding that comes within AGENT_WATCH_MS of a no_binding
 * answer subscribes that balancer and notifies it; a later one does not. */
START_TEST(test_ha_watch_after_no_binding)
{
	struct agent_stats st;

	subscribe(HOME, PROTO_SUB_NO_BINDING);
	subscribe(HOME2, PROTO_SUB_NO_BINDING);
	ck_assert_int_eq(agent_subscription_count(ag), 0);
	bind_home(HOME, COA_A, 600, peer_now_ms() + 100);
	expect_notify(HOME, COA_A, NULL, 600, 1);
	ck_assert_int_eq(agent_subscription_count(ag), 1);
	bind_home(HOME2, COA_B, 600, peer_now_ms() + AGENT_WATCH_MS + 1000);
	lb_expect_nothing();
	ck_assert_int_eq(agent_subscription_count(ag), 1);
	agent_get_stats(ag, &st);
	ck_assert_uint_eq(st.watch_promoted, 1);
	ck_assert_uint_eq(st.no_binding, 2);
	/* The promoted one is a subscription like any: a move is told. */
	bind_home(HOME, COA_C, 600, peer_now_ms() + 200);
	expect_notify(HOME, COA_C, COA_A, 600, 1);
}
END_TEST

/* ---- in a private network namespace --------------------------------------- */

static void sh(const char *cmd)
{
	int rc = system(cmd);

	ck_assert_msg(rc == 0, "'%s' failed (%d)", cmd, rc);
}

static void ns_setup(void)
{
	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	sh("ip link set lo up");
	tmp_setup();
}

static void ns_teardown(void)
{
	agent_down();
	tmp_teardown();
}

/* Inject on veth1, capture through the kernel filter on veth0. */
START_TEST(test_kernel_filter_on_veth)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct agent_stats st;
	struct pollfd p;
	struct frame f;
	struct pb b;
	int raw, i;

	sh("ip link add veth0 type veth peer name veth1 && ip link set veth0 up && "
	   "ip link set veth1 up && sysctl -qw net.ipv6.conf.veth0.disable_ipv6=1 && "
	   "sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1");
	agent_up(AGENT_ROLE_HA, "interface = veth0\nfeed_socket = off\nconfirm = bu");
	ck_assert_int_ge(agent_capture_open(ag), 0);

	raw = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	ck_assert_int_ge(raw, 0);
	to.sll_ifindex = (int)if_nametoindex("veth1");
	ck_assert_int_gt(to.sll_ifindex, 0);
	/* Everything the filter must drop, then one BU, then more to drop. */
	for (i = F_UDP; i < F_MAX; i++) {
		build_case(i, &b);
		ck_assert_int_eq(sendto(raw, b.data, b.len, 0, (struct sockaddr *)&to, sizeof(to)),
				 (ssize_t)b.len);
	}
	bu_frame(&f, COA_A, HOME, 9, MH_BU_F_H, 30, NULL);
	ck_assert_int_eq(sendto(raw, f.d, f.len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)f.len);
	build_case(F_HAO_UDP, &b);
	ck_assert_int_eq(sendto(raw, b.data, b.len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)b.len);
	close(raw);

	p = (struct pollfd){ .fd = agent_capture_fd(ag), .events = POLLIN };
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	usleep(100 * 1000);                 /* let the rest arrive too */
	ck_assert_int_eq(agent_on_capture(ag, peer_now_ms()), 1);
	agent_get_stats(ag, &st);
	ck_assert_uint_eq(st.frames, 1);
	ck_assert_uint_eq(st.bu, 1);
	expect_binding(HOME, COA_A, 120);
}
END_TEST

/* Wait for rtnetlink to report the CoA want (or, with want NULL, check
 * that nothing changes for a while). */
static void mn_wait_coa(const char *want)
{
	struct in6_addr w, c;
	struct pollfd p = { .fd = agent_mn_fd(ag), .events = POLLIN };
	int i;

	if (want)
		a6(want, (__u8 *)&w);
	for (i = 0; i < 40; i++) {
		if (poll(&p, 1, 100) == 1)
			ck_assert_int_eq(agent_on_netlink(ag, peer_now_ms()), 0);
		if (want && !agent_mn_coa(ag, &c) && !memcmp(&c, &w, 16))
			return;
		if (!want && i >= 5)
			return;
	}
	ck_abort_msg("care-of address never became %s", want);
}

START_TEST(test_mn_sees_ip_addr_changes)
{
	struct in6_addr c;

	/* A veth, not a dummy: the kernel skips DAD on IFF_NOARP devices,
	 * and the tentative state is part of what is tested. */
	sh("ip link add mn0 type veth peer name mn1 && ip link set mn1 up && "
	   "ip link set mn0 up && ip -6 addr add " COA_A "/64 dev mn0 nodad");
	agent_up(AGENT_ROLE_MN, "interface = mn0\nhome_address = " HOME "\nlifetime = 500");
	ck_assert_int_ge(agent_mn_open(ag), 0);
	ck_assert_int_eq(agent_mn_coa(ag, &c), 0);
	subscribe(HOME, PROTO_SUB_OK);
	expect_notify(HOME, COA_A, NULL, 500, 1);

	/* Make before break: B appears, then A goes. */
	sh("ip -6 addr add " COA_B "/64 dev mn0 nodad");
	mn_wait_coa(COA_B);
	expect_notify(HOME, COA_B, COA_A, 500, 2);
	sh("ip -6 addr del " COA_A "/64 dev mn0");
	mn_wait_coa(NULL);
	lb_expect_nothing();

	/* Break before make, with DAD: C is tentative first, then usable. */
	sh("ip -6 addr del " COA_B "/64 dev mn0");
	mn_wait_coa(NULL);
	lb_expect_nothing();
	sh("ip -6 addr add " COA_C "/64 dev mn0 valid_lft 100 preferred_lft 100");
	{
		struct pollfd p = { .fd = agent_mn_fd(ag), .events = POLLIN };
		struct in6_addr b;

		/* DAD takes a second: C is there, tentative, and not yet it. */
		ck_assert_int_eq(poll(&p, 1, 200), 1);
		ck_assert_int_eq(agent_on_netlink(ag, peer_now_ms()), 0);
		ck_assert_int_eq(agent_mn_coa(ag, &c), 0);
		a6(COA_B, (__u8 *)&b);
		ck_assert_mem_eq(&c, &b, 16);
		lb_expect_nothing();
	}
	mn_wait_coa(COA_C);
	/* The address's valid lifetime caps the announced one. */
	{
		struct proto_msg m;

		lb_expect(PROTO_BINDING_NOTIFY, &m);
		ck_assert_uint_eq(m.notify.flags, PROTO_NOTIFY_F_OLD_COA);
		ck_assert_uint_le(m.notify.lifetime_s, 100);
		ck_assert_uint_ge(m.notify.lifetime_s, 95);
	}

	/* Home again: a deregistration. */
	sh("ip -6 addr add " HOME "/128 dev mn0 nodad");
	mn_wait_coa(HOME);
	expect_notify(HOME, HOME, COA_C, 0, 4);
}
END_TEST

/* The agent in this namespace, `mip6lb-agent feed` and agent_feed_send()
 * in another: the answer must come back (an abstract reply address would
 * not cross namespaces, and the client would time out). */
START_TEST(test_feed_from_another_netns)
{
	char lines[256];

	snprintf(lines, sizeof(lines), "feed_socket = %s/agent.sock", tmpdir);
	agent_up(AGENT_ROLE_HA, lines);
	ck_assert_int_gt(agent_feed_open(ag), 0);
	feed_from_child_ns(true, true, COA_A, 0);
	expect_binding(HOME2, COA_A, 120);
	feed_from_child_ns(false, true, COA_B, 0);
	expect_binding(HOME2, COA_B, 120);
	feed_from_child_ns(true, true, "ff02::2", 1);
	expect_binding(HOME2, COA_B, 120);
	feed_dir_clean();
}
END_TEST

MIP6LB_SUITE(agent, 0)
{
	Suite *s = suite_create("agent");
	TCase *flt = tcase_create("filter");
	TCase *cfg = tcase_create("config");
	TCase *ha = tcase_create("ha");

	tcase_add_loop_test(flt, test_filter_crafted, 0, F_MAX);
	tcase_add_test(flt, test_filter_agrees_with_the_parser_on_agent_frames);
	if (harness_pcap_dir())
		tcase_add_loop_test(flt, test_filter_pcaps, 0, N(pcap_cases));
	else
		printf("SKIP: ../shared/pcaps absent: agent filter capture cases not run\n");
	suite_add_tcase(s, flt);

	tcase_add_checked_fixture(cfg, tmp_setup, tmp_teardown);
	tcase_add_test(cfg, test_config_ok);
	tcase_add_loop_test(cfg, test_config_errors, 0, N(bad_configs));
	tcase_add_test(cfg, test_config_key_file_mode);
	tcase_add_test(cfg, test_config_listen_ok);
	tcase_add_test(cfg, test_config_fifo);
	tcase_add_test(cfg, test_config_nul_and_size);
	suite_add_tcase(s, cfg);

	tcase_add_checked_fixture(ha, ha_setup, ha_teardown);
	tcase_set_timeout(ha, 30);
	tcase_add_test(ha, test_ha_bu_confirmed_by_ba);
	tcase_add_test(ha, test_ha_confirm_bu);
	tcase_add_test(ha, test_feed);
	tcase_add_test(ha, test_feed_client);
	tcase_add_test(ha, test_subscribe_when_known_and_snapshots);
	tcase_add_test(ha, test_rejections_and_close_unsubscribes);
	tcase_add_test(ha, test_unknown_peer_and_mn_refuses_other_homes);
	tcase_add_test(ha, test_ha_no_binding_holds_no_state);
	tcase_add_test(ha, test_ha_watch_after_no_binding);
	suite_add_tcase(s, ha);
	return s;
}

MIP6LB_SUITE(agent_ns, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("agent_ns");
	TCase *tc = tcase_create("netns");

	tcase_add_checked_fixture(tc, ns_setup, ns_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_kernel_filter_on_veth);
	tcase_add_test(tc, test_mn_sees_ip_addr_changes);
	tcase_add_test(tc, test_feed_from_another_netns);
	suite_add_tcase(s, tc);
	return s;
}
