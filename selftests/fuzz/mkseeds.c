// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Write generated seeds for the fuzzers whose inputs are binary, so each
 * starts deep in its format instead of guessing a header first:
 *   mkseeds DIR parse     frames for fuzz_parse: the canned packets of the
 *                         unit tests (every header the walk knows)
 *   mkseeds DIR pcap      capture files for fuzz_pcap, one per link type
 *   mkseeds DIR nexthop   rtnetlink link, route, neighbour answers
 *   mkseeds DIR agent_mn  rtnetlink address messages
 *   mkseeds DIR icmp_error quotes for fuzz_icmp_error: a type byte, then a
 *                         backend's reply as an ICMPv6 error quotes it
 * Any other target has only the text seeds checked in under
 * selftests/fuzz/seeds/TARGET: nothing is written.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "pktbuild.h"

static int n;
static const char *dir;

static void save(const void *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, n++);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len) {
		perror(path);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
}

/* ---- frames --------------------------------------------------------------- */

static const char *src = "2001:db8:a::211:22ff:fe33:4455", *vip = "2001:db8::80";
static const char *hoa = "2001:db8:100::7";

static int frames(struct pb *out, int max)
{
	struct pb *b = out;
	int i = 0;

#define NEXT() (b = &out[++i], i < max)
	pb_init(b, src, vip); pb_udp(b, 1, 53, 8); pb_finish(b); NEXT();
	pb_init(b, src, vip); pb_tcp(b, 1, 80); pb_finish(b); NEXT();
	pb_init(b, src, vip); pb_dstopt_hao(b, hoa); pb_udp(b, 1, 53, 8); pb_finish(b); NEXT();
	pb_init(b, src, vip); pb_hbh(b); pb_dstopt(b); pb_rt2(b, hoa); pb_dstopt_hao(b, hoa);
	pb_frag(b, 0, 1, 7); pb_esp(b, 0x1234, 16); pb_finish(b); NEXT();
	pb_init(b, src, vip); pb_ah(b, 9); pb_udp(b, 1, 53, 8); pb_finish(b); NEXT();
	pb_init(b, src, vip); pb_frag(b, 10, 0, 7); pb_raw(b, 17, 16); pb_finish(b); NEXT();
	pb_init(b, src, vip); pb_dstopt_hao(b, hoa); pb_mh(b, 5); pb_finish(b); NEXT();
	pb_ipv4(b);
#undef NEXT
	return i + 1;
}

/* ---- ICMPv6 error quotes ------------------------------------------------- */

/* A type selector byte (fuzz_icmp_error), then the reply's IPv6 packet. */
static void save_quote(const struct pb *b, __u8 type, size_t cut)
{
	__u8 buf[PB_MAX];
	size_t n = b->len - 14;

	if (cut && cut < n)
		n = cut;
	buf[0] = type;
	memcpy(buf + 1, b->data + 14, n);
	save(buf, n + 1);
}

static void quotes(void)
{
	struct pb b;

	pb_init(&b, vip, src); pb_udp(&b, 53, 40000, 64); pb_finish(&b);
	save_quote(&b, 1, 0);
	save_quote(&b, 0, 40);
	pb_init(&b, vip, src); pb_rt2(&b, hoa); pb_tcp(&b, 443, 40000); pb_finish(&b);
	save_quote(&b, 2, 0);
	save_quote(&b, 2, 50);
	pb_init(&b, vip, src); pb_hbh(&b); pb_dstopt(&b); pb_frag(&b, 0, 1, 9); pb_ah(&b, 7);
	pb_esp(&b, 0x99, 32); pb_finish(&b);
	save_quote(&b, 3, 0);
	pb_init(&b, vip, src); pb_frag(&b, 5, 0, 9); pb_raw(&b, 17, 24); pb_finish(&b);
	save_quote(&b, 4, 0);
}

/* ---- pcap ----------------------------------------------------------------- */

struct pcap_hdr {
	__u32 magic;
	__u16 major, minor;
	__s32 zone;
	__u32 sigfigs, snaplen, linktype;
};

struct pcap_rec {
	__u32 sec, usec, caplen, len;
};

/* One capture of every frame with the link header link_len bytes long
 * (filled by hdr) in front of the frame's IP packet (or, for Ethernet,
 * the whole frame). */
static void pcap_file(__u32 linktype, const struct pb *f, int nf, size_t link_len,
		      void (*hdr)(__u8 *h, const struct pb *f))
{
	static __u8 buf[65536];
	struct pcap_hdr gh = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype };
	size_t len = 0;
	int i;

	memcpy(buf, &gh, sizeof(gh));
	len = sizeof(gh);
	for (i = 0; i < nf; i++) {
		const __u8 *l3 = linktype == 1 ? f[i].data : f[i].data + 14;
		size_t l3len = linktype == 1 ? f[i].len : f[i].len - 14;
		struct pcap_rec r = { 1700000000, i, link_len + l3len, link_len + l3len };

		if (len + sizeof(r) + r.caplen > sizeof(buf))
			break;
		memcpy(buf + len, &r, sizeof(r));
		len += sizeof(r);
		if (hdr)
			hdr(buf + len, &f[i]);
		memcpy(buf + len + link_len, l3, l3len);
		len += r.caplen;
	}
	save(buf, len);
}

static void null_hdr(__u8 *h, const struct pb *f)
{
	__u32 af = 10;

	memcpy(h, &af, 4);
}

static void sll_hdr(__u8 *h, const struct pb *f)
{
	memset(h, 0, 16);
	h[15] = 6;
	memcpy(h + 6, f->data + 6, 6);
	memcpy(h + 14, f->data + 12, 2);
}

static void sll2_hdr(__u8 *h, const struct pb *f)
{
	memset(h, 0, 20);
	memcpy(h, f->data + 12, 2);
	h[4] = 0;
	h[8] = 1;
	h[11] = 6;
	memcpy(h + 12, f->data + 6, 6);
}

static void pcaps(void)
{
	struct pb f[16];
	int nf = frames(f, 16);

	pcap_file(1, f, nf, 0, NULL);             /* EN10MB */
	pcap_file(101, f, nf, 0, NULL);           /* RAW */
	pcap_file(229, f, nf, 0, NULL);           /* IPV6 */
	pcap_file(0, f, nf, 4, null_hdr);         /* NULL */
	pcap_file(113, f, nf, 16, sll_hdr);       /* LINUX_SLL */
	pcap_file(276, f, nf, 20, sll2_hdr);      /* LINUX_SLL2 */
}

/* ---- rtnetlink ------------------------------------------------------------ */

struct nlbuf {
	__u8 data[4096] __attribute__((aligned(4)));
	size_t len;
	struct nlmsghdr *cur;
};

static void *nl_put(struct nlbuf *b, const void *p, size_t len)
{
	void *at = b->data + b->len;

	memcpy(at, p, len);
	b->len += NLMSG_ALIGN(len);
	if (b->cur)
		b->cur->nlmsg_len = (__u32)(b->data + b->len - (__u8 *)b->cur);
	return at;
}

static void nl_msg(struct nlbuf *b, __u16 type, const void *fam, size_t famlen)
{
	struct nlmsghdr h = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = type };

	b->cur = NULL;
	b->cur = nl_put(b, &h, sizeof(h));
	if (famlen)
		nl_put(b, fam, famlen);
}

static void nl_attr(struct nlbuf *b, __u16 type, const void *p, size_t len)
{
	struct nlattr a = { .nla_len = (__u16)(NLA_HDRLEN + len), .nla_type = type };
	__u8 *at = b->data + b->len;

	memset(at, 0, NLA_ALIGN(NLA_HDRLEN + len));
	memcpy(at, &a, sizeof(a));
	memcpy(at + NLA_HDRLEN, p, len);
	b->len += NLA_ALIGN(NLA_HDRLEN + len);
	b->cur->nlmsg_len = (__u32)(b->data + b->len - (__u8 *)b->cur);
}

static void nl_done(struct nlbuf *b)
{
	int zero = 0;

	nl_msg(b, NLMSG_DONE, &zero, sizeof(zero));
}

static void nexthop(void)
{
	static const __u8 mac[6] = { 0x02, 0xbe, 0, 0, 0, 1 };
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 2, .ifi_type = 1 };
	struct rtmsg rtm = { .rtm_family = AF_INET6, .rtm_type = RTN_UNICAST };
	struct ndmsg ndm = { .ndm_family = AF_INET6, .ndm_ifindex = 2, .ndm_state = NUD_REACHABLE };
	struct in6_addr gw;
	struct nlbuf b = { .len = 0 };
	__u32 oif = 2;

	inet_pton(AF_INET6, "fe80::1", &gw);
	nl_msg(&b, RTM_NEWLINK, &ifi, sizeof(ifi));
	nl_attr(&b, IFLA_IFNAME, "eth0", 5);
	nl_attr(&b, IFLA_ADDRESS, mac, 6);
	save(b.data, b.len);

	b.len = 0;
	nl_msg(&b, RTM_NEWROUTE, &rtm, sizeof(rtm));
	nl_attr(&b, RTA_OIF, &oif, 4);
	nl_attr(&b, RTA_GATEWAY, &gw, 16);
	save(b.data, b.len);

	b.len = 0;
	nl_msg(&b, RTM_NEWNEIGH, &ndm, sizeof(ndm));
	nl_attr(&b, NDA_DST, &gw, 16);
	nl_attr(&b, NDA_LLADDR, mac, 6);
	nl_done(&b);
	save(b.data, b.len);

	/* All three in one buffer, as a monitor receive could bring them. */
	b.len = 0;
	nl_msg(&b, RTM_NEWLINK, &ifi, sizeof(ifi));
	nl_attr(&b, IFLA_IFNAME, "eth0", 5);
	nl_msg(&b, RTM_NEWROUTE, &rtm, sizeof(rtm));
	nl_attr(&b, RTA_OIF, &oif, 4);
	nl_msg(&b, RTM_DELNEIGH, &ndm, sizeof(ndm));
	nl_attr(&b, NDA_LLADDR, mac, 6);
	save(b.data, b.len);
}

static void addr_msg(struct nlbuf *b, __u16 type, const char *addr, __u32 flags, __u32 valid)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET6, .ifa_prefixlen = 64,
				 .ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = 7 };
	struct ifa_cacheinfo ci = { .ifa_prefered = valid, .ifa_valid = valid };
	struct in6_addr a;

	inet_pton(AF_INET6, addr, &a);
	nl_msg(b, type, &ifa, sizeof(ifa));
	nl_attr(b, IFA_ADDRESS, &a, 16);
	nl_attr(b, IFA_FLAGS, &flags, 4);
	nl_attr(b, IFA_CACHEINFO, &ci, sizeof(ci));
}

/* Two messages of one size each: fuzz_agent_mn runs each half as a batch. */
static void agent_mn(void)
{
	struct nlbuf b = { .len = 0 };

	addr_msg(&b, RTM_NEWADDR, "2001:db8:200::5", IFA_F_PERMANENT, 0xffffffff);
	addr_msg(&b, RTM_NEWADDR, "2001:db8:300::5", IFA_F_TEMPORARY, 600);
	save(b.data, b.len);
	b.len = 0;
	addr_msg(&b, RTM_NEWADDR, "2001:db8:200::5", 0, 3600);
	addr_msg(&b, RTM_DELADDR, "2001:db8:200::5", 0, 3600);
	save(b.data, b.len);
	b.len = 0;
	addr_msg(&b, RTM_NEWADDR, "2001:db8:200::5", IFA_F_TENTATIVE, 3600);
	addr_msg(&b, RTM_NEWADDR, "2001:db8:100::7", 0, 3600);
	save(b.data, b.len);
}

int main(int argc, char **argv)
{
	const char *what = argc > 2 ? argv[2] : "parse";

	dir = argc > 1 ? argv[1] : ".";
	if (!strcmp(what, "parse")) {
		struct pb f[16];
		int i, nf = frames(f, 16);

		for (i = 0; i < nf; i++)
			save(f[i].data, f[i].len);
	} else if (!strcmp(what, "pcap")) {
		pcaps();
	} else if (!strcmp(what, "nexthop")) {
		nexthop();
	} else if (!strcmp(what, "agent_mn")) {
		agent_mn();
	} else if (!strcmp(what, "icmp_error")) {
		quotes();
	}
	printf("mkseeds: %d %s seeds in %s\n", n, what, dir);
	return 0;
}
