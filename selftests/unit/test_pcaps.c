// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Replay the public Mobile IPv6 and ESP captures in ../shared/pcaps through
 * the loaded datapath.  When the directory is absent the suite registers no
 * test and says so: a skipped capture is never a passed one.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <check.h>
#include <pcap/pcap.h>
#include "harness.h"
#include "dpfixture.h"
#include "names.h"

/* XDP verdicts: <linux/bpf.h> clashes with libpcap's <pcap/bpf.h>. */
enum { XDP_DROP = 1, XDP_PASS = 2, XDP_TX = 3 };

#define ZEEK_VIP "2001:4f8:4:7:2e0:81ff:fe52:9a6b"
#define ZEEK_HOA "2001:78:1:32::1"

static struct dpf fx;

static void setup(void) { dpf_open(&fx); }
static void teardown(void) { dpf_close(&fx); }

/* One service per VIP, any protocol, two backends each. */
static void add_services(const char *const *vips, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct dpf_service s = { .id = i, .vip = vips[i], .eui64_only = -1 };
		char addr[64];
		__u32 ids[2] = { 2 * i, 2 * i + 1 };

		dpf_add_service(&fx, &s);
		snprintf(addr, sizeof(addr), "2001:db8:1::%x", 2 * i + 1);
		dpf_add_backend(&fx, ids[0], i, addr);
		snprintf(addr, sizeof(addr), "2001:db8:1::%x", 2 * i + 2);
		dpf_add_backend(&fx, ids[1], i, addr);
		dpf_ring(&fx, i, ids, NULL, 2);
	}
}

struct replay {
	int packets;
	int verdicts[5];              /* by XDP_* */
};

/* Run every packet of a capture, in order, through the datapath.  Raw-IP
 * captures get an Ethernet header so the program sees what a NIC gives it. */
static void replay(const char *file, struct replay *out)
{
	char path[1024], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct dpf_result r;
	pcap_t *pc;
	int link, ret;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%s", harness_pcap_dir(), file);
	pc = pcap_open_offline(path, errbuf);
	ck_assert_msg(pc, "%s: %s", path, errbuf);
	link = pcap_datalink(pc);
	ck_assert_msg(link == DLT_EN10MB || link == DLT_RAW || link == DLT_IPV6,
		      "%s: link type %d", file, link);
	while ((ret = pcap_next_ex(pc, &hdr, &data)) == 1) {
		struct pb b = {};
		size_t off = 0;

		if (link != DLT_EN10MB) {
			memcpy(b.data, pb_lb_mac, 6);
			memcpy(b.data + 6, pb_client_mac, 6);
			b.data[12] = 0x86;
			b.data[13] = 0xdd;
			off = 14;
		}
		ck_assert_uint_le(hdr->caplen + off, sizeof(b.data));
		memcpy(b.data + off, data, hdr->caplen);
		b.len = hdr->caplen + off;
		if (b.len < 14)
			continue;
		dpf_run(&fx, &b, &r);
		ck_assert_int_le(r.verdict, 4);
		out->verdicts[r.verdict]++;
		out->packets++;
	}
	ck_assert_int_eq(ret, PCAP_ERROR_BREAK);
	pcap_close(pc);
}

START_TEST(test_zeek_hao_captures)
{
	static const char *const vips[] = { ZEEK_VIP };
	static const char *const files[] = {
		"zeek_ipv6-mobile-hoa.pcap", "zeek_ip6-hoa-tcp-good-chksum.pcap",
	};
	struct mip6lb_session s;
	struct replay rp;
	__u32 be = ~0U;
	int i;

	add_services(vips, 1);
	for (i = 0; i < 2; i++) {
		replay(files[i], &rp);
		ck_assert_int_eq(rp.packets, 1);
		ck_assert_int_eq(rp.verdicts[XDP_TX], 1);
		ck_assert_int_eq(dpf_session(&fx, 0, MIP6LB_KIND_HOA, ZEEK_HOA, &s), 0);
		ck_assert_uint_eq(s.kind, MIP6LB_KIND_HOA);
		if (i)  /* the TCP capture finds the UDP capture's session */
			ck_assert_uint_eq(s.backend_id, be);
		be = s.backend_id;
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_HOA), 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 1);
	ck_assert_int_eq(dpf_session_count(&fx), 1);
}
END_TEST

START_TEST(test_zeek_type2_routing_capture)
{
	static const char *const vips[] = { ZEEK_VIP };
	struct mip6lb_pkt pkt;
	struct replay rp;

	add_services(vips, 1);
	replay("zeek_ipv6-mobile-routing.pcap", &rp);
	ck_assert_int_eq(rp.verdicts[XDP_TX], 1);
	dpf_last_parse(&fx, &pkt);
	ck_assert(pkt.flags & MIP6LB_PKT_RT_TYPE2);
	/* No HAO; the source's IID (02e0:81ff:fe52:ffff) is modified EUI-64,
	 * so the interface ID is the identity. */
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_IID), 1);
}
END_TEST

START_TEST(test_zeek_esp_capture_one_session_per_spi)
{
	static const char *const vips[] = {
		"3ffe::2", "3ffe::3", "3ffe::4", "3ffe::5",
		"3ffe::12", "3ffe::13", "3ffe::14", "3ffe::15",
		"3ffe::22", "3ffe::23", "3ffe::24", "3ffe::25",
	};
	static const char *const spis[] = {
		"0xa", "0xb", "0xc", "0xd", "0xa", "0xb", "0xc", "0xd",
		"0x14", "0x15", "0x16", "0x17",
	};
	struct mip6lb_session s;
	struct replay rp;
	int i;

	add_services(vips, 12);
	replay("zeek_ip6_esp.pcap", &rp);
	/* 120 ESP packets, 10 per (VIP, SPI), and one MLD report. */
	ck_assert_int_eq(rp.packets, 121);
	ck_assert_int_eq(rp.verdicts[XDP_TX], 120);
	ck_assert_int_eq(rp.verdicts[XDP_PASS], 1);
	for (i = 0; i < 12; i++) {
		ck_assert_msg(dpf_session(&fx, i, MIP6LB_KIND_SPI, spis[i], &s) == 0,
			      "no session for SPI %s to %s", spis[i], vips[i]);
		ck_assert_uint_eq(s.kind, MIP6LB_KIND_SPI);
	}
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 12);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_HIT), 108);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_SPI), 120);
	printf("pcaps: zeek_ip6_esp.pcap: 12 (VIP, SPI) sessions over 8 SPIs, 108 hits\n");
}
END_TEST

START_TEST(test_packetlife_esp_capture)
{
	static const char *const vips[] = { "2001:470:e5bf:dead:7db0:921:a2e9:1c21" };
	struct replay rp;

	add_services(vips, 1);
	replay("packetlife_IPv6-ESP.pcapng", &rp);
	ck_assert_int_ge(rp.packets, 1);
	ck_assert_int_eq(rp.verdicts[XDP_TX], rp.packets);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_SPI), (__u64)rp.packets);
}
END_TEST

START_TEST(test_zeek_malformed_options_counted)
{
	static const char *const vips[] = { ZEEK_VIP };
	struct replay rp;

	add_services(vips, 1);
	replay("zeek_ipv6-mobility-dst-opts_malformed.pcap", &rp);
	ck_assert_int_eq(rp.packets, 3);
	/* 1: an unknown option overruns its header (counted, balanced by
	 *    source); 2: the header overruns the packet (counted, dropped);
	 * 3: an HAO of length 1 (counted, ignored, balanced by source); the
	 *    bytes after it, read as options, overrun the header too. */
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_OPT_MALFORMED), 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_DROP_MALFORMED), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_HAO_MALFORMED), 1);
	ck_assert_int_eq(rp.verdicts[XDP_DROP], 1);
	ck_assert_int_eq(rp.verdicts[XDP_TX], 2);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_HOA), 0);
}
END_TEST

START_TEST(test_tcpdump_mobility_capture)
{
	static const char *const vips[] = { "2001:db8::2" };
	struct replay rp;

	/* Binding Updates and friends from one node to a VIP: Mobility
	 * Header packets are balanced like any other, by source here. */
	add_services(vips, 1);
	replay("tcpdump_ipv6_mobility_1.pcap", &rp);
	ck_assert_int_gt(rp.packets, 5);
	ck_assert_int_eq(rp.verdicts[XDP_TX], rp.packets);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_SESSION_NEW), 1);
	ck_assert_uint_eq(dpf_counter(&fx, MIP6LB_CNT_KIND_SRC), (__u64)rp.packets);
}
END_TEST

MIP6LB_SUITE(pcaps, SUITE_NEEDS_ROOT)
{
	Suite *s = suite_create("pcaps");
	TCase *tc = tcase_create("replay");

	suite_add_tcase(s, tc);
	if (!harness_pcap_dir()) {
		printf("SKIP: ../shared/pcaps absent: public capture replays not run\n");
		return s;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_zeek_hao_captures);
	tcase_add_test(tc, test_zeek_type2_routing_capture);
	tcase_add_test(tc, test_zeek_esp_capture_one_session_per_spi);
	tcase_add_test(tc, test_packetlife_esp_capture);
	tcase_add_test(tc, test_zeek_malformed_options_counted);
	tcase_add_test(tc, test_tcpdump_mobility_capture);
	return s;
}
