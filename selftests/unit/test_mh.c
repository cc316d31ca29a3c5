// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Mobility Header parsing: the captures in ../shared/pcaps against what
 * tcpdump 4.99 prints for them, and synthetic packets for every malformed
 * shape the parser must refuse without reading past the packet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include "harness.h"
#include "mip6lb.h"
#include "mh.h"

static void addr(struct in6_addr *a, const char *text)
{
	ck_assert_int_eq(inet_pton(AF_INET6, text, a), 1);
}

static void assert_addr(const struct in6_addr *a, const char *text, const char *what)
{
	struct in6_addr want;
	char got[INET6_ADDRSTRLEN];

	addr(&want, text);
	inet_ntop(AF_INET6, a, got, sizeof(got));
	ck_assert_msg(!memcmp(a, &want, sizeof(want)), "%s: %s, want %s", what, got, text);
}

/* ---- captures ---------------------------------------------------------- */

/*
 * One row per packet, in capture order, from
 *   tcpdump -vvv -nn -r <file>
 * (tcpdump 4.99.3 on Debian 12; the line it prints is kept in `tcpdump`).
 * tcpdump prints lifetimes in seconds (units * 4).  It never prints the
 * last mobility option of a packet: mobility_opt_print() checks the byte
 * after each option, which does not exist for the last one, so it prints
 * "[|mobility]" instead.  Those last options (PadN, Pad1, or the Binding
 * Refresh Advice of packet 12) come from the hex dump (tcpdump -xx) and
 * are marked "hex" below.  No checksum in ipv6_mobility_1 is set (0000).
 */
#define NONE (-1)

struct mh_expect {
	const char *file;
	int index;                     /* 1-based, as tcpdump counts */
	int dlt;
	__u8 type;
	__u16 seq;
	__u16 flags;
	__u32 lifetime_s;
	__u8 status;
	const char *alt_coa;           /* NULL: no Alternate CoA option */
	int refresh_s;                 /* NONE: no Binding Refresh Advice */
	int nonce_home, nonce_coa;     /* NONE: no Nonce Indices */
	int auth;
	int csum_ok;
	const char *src;
	const char *tcpdump;
};

#define T1 "tcpdump_ipv6_mobility_1.pcap"
#define ZBU "zeek_mip6_bu.pcap"
#define ZBA "zeek_mip6_back.pcap"
#define ALT "2001:660:4701:f004:20d:54ff:fe98:bc93"
#define S1 "2001:db8::1"
#define SZ "2001:4f8:4:7:2e0:81ff:fe52:ffff"

static const struct mh_expect pcap_rows[] = {
	{ T1, 1, DLT_IPV6, MH_TYPE_BRR, 0, 0, 0, 0, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: BRR" },
	{ T1, 2, DLT_IPV6, MH_TYPE_HOTI, 0, 0, 0, 0, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: HoTI Home Init Cookie=01020304:05060708" },
	{ T1, 3, DLT_IPV6, MH_TYPE_COTI, 0, 0, 0, 0, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: CoTI Care-of Init Cookie=090a0b0c:0d0e0f10" },
	{ T1, 4, DLT_IPV6, MH_TYPE_HOT, 0, 0, 0, 0, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: HoT nonce id=0x90a ..." },
	{ T1, 5, DLT_IPV6, MH_TYPE_COT, 0, 0, 0, 0, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: CoT nonce id=0x90a ..." },
	{ T1, 6, DLT_IPV6, MH_TYPE_BU, 1000, MH_BU_F_A, 14400, 0, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: BU seq#=1000 A lifetime=14400 [|mobility]  (hex: PadN)" },
	{ T1, 7, DLT_IPV6, MH_TYPE_BU, 1000, MH_BU_F_A, 14400, 0, ALT, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: BU seq#=1000 A lifetime=14400(alt-CoA: " ALT ") [|mobility]" },
	{ T1, 8, DLT_IPV6, MH_TYPE_BU, 1000, MH_BU_F_A, 14400, 0, NULL, NONE, 0x04d2, 0x162e, 0, 0, S1,
	  "mobility: BU seq#=1000 A lifetime=14400(ni: ho=0x04d2 co=0x162e) [|mobility]" },
	{ T1, 9, DLT_IPV6, MH_TYPE_BU, 1000, MH_BU_F_A, 14400, 0, NULL, NONE, NONE, NONE, 1, 0, S1,
	  "mobility: BU seq#=1000 A lifetime=14400(auth) [|mobility]" },
	{ T1, 10, DLT_IPV6, MH_TYPE_BU, 1000, MH_BU_F_A, 14400, 0, ALT, NONE, 0x04d2, 0x162e, 1, 0, S1,
	  "mobility: BU seq#=1000 A lifetime=14400(alt-CoA: " ALT ")(ni: ho=0x04d2 co=0x162e)(auth) [|mobility]" },
	{ T1, 11, DLT_IPV6, MH_TYPE_BA, 1000, 0, 14400, 0, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: BA status=0 seq#=1000 lifetime=14400 [|mobility]" },
	{ T1, 12, DLT_IPV6, MH_TYPE_BA, 1000, 0, 14400, 0, NULL, 7200, NONE, NONE, 0, 0, S1,
	  "mobility: BA status=0 seq#=1000 lifetime=14400 [|mobility]  (hex: refresh 0x0708)" },
	{ T1, 13, DLT_IPV6, MH_TYPE_BA, 1000, 0, 14400, 0, NULL, NONE, NONE, NONE, 1, 0, S1,
	  "mobility: BA status=0 seq#=1000 lifetime=14400(auth) [|mobility]" },
	{ T1, 14, DLT_IPV6, MH_TYPE_BA, 1000, 0, 14400, 0, NULL, 7200, NONE, NONE, 1, 0, S1,
	  "mobility: BA status=0 seq#=1000 lifetime=14400(refresh: 7200)(auth) [|mobility]" },
	{ T1, 15, DLT_IPV6, MH_TYPE_BE, 0, 0, 0, 1, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: BE status=1 homeaddr 2001:db8::1" },
	{ T1, 16, DLT_IPV6, MH_TYPE_BU, 1000, MH_BU_F_A, 14400, 0, NULL, NONE, NONE, NONE, 0, 0, S1,
	  "mobility: BU seq#=1000 A lifetime=14400(pad1)(pad1)(pad1) [|mobility]  (hex: 4th Pad1)" },
	{ ZBU, 1, DLT_EN10MB, MH_TYPE_BU, 37, MH_BU_F_A | MH_BU_F_H | MH_BU_F_K, 12, 0,
	  NULL, NONE, NONE, NONE, 0, 1, SZ,
	  "mobility: BU seq#=37 AHK lifetime=12 [|mobility]" },
	{ ZBA, 1, DLT_EN10MB, MH_TYPE_BA, 42, MH_BA_F_K, 32, 0,
	  NULL, NONE, NONE, NONE, 0, 1, SZ,
	  "mobility: BA status=0 K seq#=42 lifetime=32 [|mobility]" },
};

static const char *const pcap_files[] = { T1, ZBU, ZBA };

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void check_row(const struct mh_expect *e, const struct mh_info *mi)
{
	char what[96];

	snprintf(what, sizeof(what), "%s #%d", e->file, e->index);
	ck_assert_msg(mi->type == e->type, "%s: type %u (%s), tcpdump: %s", what,
		      mi->type, mh_type_name(mi->type), e->tcpdump);
	ck_assert_msg(mi->seq == e->seq, "%s: seq %u, tcpdump: %s", what, mi->seq, e->tcpdump);
	ck_assert_msg(mi->flags == e->flags, "%s: flags %#x, tcpdump: %s", what,
		      mi->flags, e->tcpdump);
	ck_assert_msg(mi->lifetime_s == e->lifetime_s, "%s: lifetime %u, tcpdump: %s",
		      what, mi->lifetime_s, e->tcpdump);
	ck_assert_uint_eq(mi->lifetime_units * 4, mi->lifetime_s);
	ck_assert_msg(mi->status == e->status, "%s: status %u", what, mi->status);
	ck_assert_msg(mi->has_alt_coa == (e->alt_coa != NULL), "%s: alt-CoA %d", what,
		      mi->has_alt_coa);
	if (e->alt_coa)
		assert_addr(&mi->alt_coa, e->alt_coa, what);
	ck_assert_msg(mi->has_refresh == (e->refresh_s != NONE), "%s: refresh", what);
	ck_assert_int_eq(mi->has_refresh ? mi->refresh_units * 4 : NONE, e->refresh_s);
	ck_assert_msg(mi->has_nonce_idx == (e->nonce_home != NONE), "%s: ni", what);
	ck_assert_int_eq(mi->has_nonce_idx ? mi->nonce_home : NONE, e->nonce_home);
	ck_assert_int_eq(mi->has_nonce_idx ? mi->nonce_coa : NONE, e->nonce_coa);
	ck_assert_msg(mi->has_auth == e->auth, "%s: auth %d", what, mi->has_auth);
	ck_assert_msg(mi->csum_ok == e->csum_ok, "%s: csum_ok %d", what, mi->csum_ok);
	ck_assert_int_eq(mi->has_hoa, 0);
	ck_assert_int_eq(mi->has_rt2, 0);
	ck_assert_uint_eq(mi->mh_off, 40);
	assert_addr(&mi->src, e->src, what);
	/* A BU's care-of address: the Alternate CoA, else the source. */
	ck_assert_int_eq(mi->has_coa, e->type == MH_TYPE_BU);
	if (e->type == MH_TYPE_BU)
		assert_addr(&mi->coa, e->alt_coa ? e->alt_coa : e->src, what);
}

START_TEST(test_pcap)
{
	const char *file = pcap_files[_i];
	char path[4096], errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc;
	int dlt, n = 0, rows = 0, rc, r;

	snprintf(path, sizeof(path), "%s/%s", harness_pcap_dir(), file);
	pc = pcap_open_offline(path, errbuf);
	ck_assert_msg(pc != NULL, "%s: %s", path, errbuf);
	dlt = pcap_datalink(pc);
	ck_assert_msg(dlt == DLT_EN10MB || dlt == DLT_RAW || dlt == DLT_IPV6 ||
		      dlt == DLT_NULL || dlt == DLT_LOOP, "%s: link type %d", file, dlt);

	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		const struct mh_expect *e = NULL;
		struct mh_info mi;
		__u8 *copy;

		n++;
		for (r = 0; r < N(pcap_rows); r++)
			if (!strcmp(pcap_rows[r].file, file) && pcap_rows[r].index == n)
				e = &pcap_rows[r];
		ck_assert_msg(e != NULL, "%s: packet %d has no expected row", file, n);
		ck_assert_int_eq(dlt, e->dlt);
		ck_assert_uint_eq(h->caplen, h->len);
		/* Exactly caplen bytes on the heap, so an over-read is caught. */
		copy = malloc(h->caplen);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, data, h->caplen);
		rc = mh_parse_link(dlt, copy, h->caplen, &mi);
		ck_assert_msg(rc == 0, "%s #%d: %s", file, n, strerror(-rc));
		check_row(e, &mi);
		free(copy);
		rows++;
	}
	ck_assert_int_eq(rc, PCAP_ERROR_BREAK);
	pcap_close(pc);
	for (r = 0, rc = 0; r < N(pcap_rows); r++)
		rc += !strcmp(pcap_rows[r].file, file);
	ck_assert_int_eq(rows, rc);
}
END_TEST

/* ---- synthetic packets ------------------------------------------------- */

struct pb {
	__u8 b[2048];
	size_t len;
	size_t nh_at;                  /* where the last Next Header byte is */
	size_t mh_at;                  /* 0: no MH */
};

static void pb_ip6(struct pb *p, const char *src, const char *dst)
{
	memset(p, 0, sizeof(*p));
	p->b[0] = 0x60;
	p->b[7] = 64;
	addr((struct in6_addr *)(p->b + 8), src);
	addr((struct in6_addr *)(p->b + 24), dst);
	p->nh_at = 6;
	p->len = 40;
}

/* Append an extension header of len bytes and return it. */
static __u8 *pb_ext(struct pb *p, __u8 type, size_t len)
{
	__u8 *h = p->b + p->len;

	p->b[p->nh_at] = type;
	if (type == 51)
		h[1] = len / 4 - 2;
	else if (type != 44)
		h[1] = len / 8 - 1;
	p->nh_at = p->len;
	p->len += len;
	h[0] = 59;
	return h;
}

/* Destination Options with a Home Address option (RFC 6275 §6.3: 8n+6). */
static void pb_hao(struct pb *p, const char *hoa)
{
	__u8 *h = pb_ext(p, 60, 24);

	h[2] = 1;                      /* PadN, 2 bytes of padding */
	h[3] = 2;
	h[6] = 201;
	h[7] = 16;
	addr((struct in6_addr *)(h + 8), hoa);
}

static void pb_rt2(struct pb *p, const char *home)
{
	__u8 *h = pb_ext(p, 43, 24);

	h[2] = 2;
	h[3] = 1;
	addr((struct in6_addr *)(h + 8), home);
}

/* A Mobility Header of len bytes; the options follow the fixed fields. */
static __u8 *pb_mh(struct pb *p, __u8 type, size_t len)
{
	__u8 *mh = pb_ext(p, 135, len);

	mh[0] = 59;
	mh[2] = type;
	p->mh_at = mh - p->b;
	return mh;
}

static __u8 *pb_bu(struct pb *p, __u16 seq, __u16 flags, __u16 units, size_t len)
{
	__u8 *mh = pb_mh(p, MH_TYPE_BU, len);

	mh[6] = seq >> 8;
	mh[7] = seq;
	mh[8] = flags >> 8;
	mh[9] = flags;
	mh[10] = units >> 8;
	mh[11] = units;
	return mh;
}

static __u16 sum16(const __u8 *b, size_t n, __u32 sum)
{
	size_t i;

	for (i = 0; i < n; i += 2)
		sum += b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* Payload Length, and the MH checksum over the given pseudo-header
 * addresses (the test states which ones RFC 6275 §6.1.1 means). */
static void pb_done(struct pb *p, const char *csum_src, const char *csum_dst)
{
	p->b[4] = (p->len - 40) >> 8;
	p->b[5] = p->len - 40;
	if (p->mh_at && csum_src) {
		__u8 ph[40] = { 0 };
		size_t mh_len = p->len - p->mh_at;
		__u16 s;

		addr((struct in6_addr *)ph, csum_src);
		addr((struct in6_addr *)(ph + 16), csum_dst);
		ph[34] = mh_len >> 8;
		ph[35] = mh_len;
		ph[39] = 135;
		s = sum16(p->b + p->mh_at, mh_len, sum16(ph, 40, 0));
		s = ~s;
		p->b[p->mh_at + 4] = s >> 8;
		p->b[p->mh_at + 5] = s;
	}
}

static int parse_exact(const __u8 *pkt, size_t len, struct mh_info *mi)
{
	__u8 *copy = malloc(len ? len : 1);
	int rc;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, pkt, len);
	rc = mh_parse_ipv6(copy, len, mi);
	free(copy);
	return rc;
}

#define MN   "2001:db8:ff::42"         /* care-of address */
#define HA   "2001:db8:1::1"
#define HOME "2001:db8:1::100"
#define ALT2 "2001:db8:fe::7"

/* The packet an HA sees from a node away from home: HAO + BU with an
 * Alternate CoA, a Nonce Indices and a Binding Authorization option. */
static void build_bu(struct pb *p)
{
	__u8 *mh, *o;

	pb_ip6(p, MN, HA);
	pb_hao(p, HOME);
	mh = pb_bu(p, 0xbeef, MH_BU_F_A | MH_BU_F_H | MH_BU_F_K, 0xffff, 48);
	o = mh + 12;
	o[0] = 1; o[1] = 2;            /* PadN to 8n+6 for the Alt-CoA */
	o[4] = MH_OPT_ALT_COA; o[5] = 16;
	addr((struct in6_addr *)(o + 6), ALT2);
	o[22] = MH_OPT_NONCE_IDX; o[23] = 4;
	o[24] = 0x12; o[25] = 0x34; o[26] = 0x56; o[27] = 0x78;
	o[28] = 0; o[29] = 0; o[30] = 0; o[31] = 0;  /* Pad1 x4 */
	o[32] = 0; o[33] = 0; o[34] = 0; o[35] = 0;
	pb_done(p, HOME, HA);
}

START_TEST(test_bu_with_hao)
{
	struct pb p;
	struct mh_info mi;

	build_bu(&p);
	ck_assert_int_eq(parse_exact(p.b, p.len, &mi), 0);
	ck_assert_uint_eq(mi.type, MH_TYPE_BU);
	ck_assert_uint_eq(mi.seq, 0xbeef);
	ck_assert_uint_eq(mi.flags, MH_BU_F_A | MH_BU_F_H | MH_BU_F_K);
	ck_assert_uint_eq(mi.lifetime_units, 0xffff);
	ck_assert_uint_eq(mi.lifetime_s, 262140);       /* 0xffff units of 4 s */
	ck_assert_int_eq(mi.has_hoa, 1);
	assert_addr(&mi.hoa, HOME, "hoa");
	ck_assert_int_eq(mi.has_alt_coa, 1);
	assert_addr(&mi.alt_coa, ALT2, "alt coa");
	ck_assert_int_eq(mi.has_coa, 1);
	assert_addr(&mi.coa, ALT2, "coa = alt coa");
	assert_addr(&mi.src, MN, "src");
	assert_addr(&mi.dst, HA, "dst");
	ck_assert_int_eq(mi.has_nonce_idx, 1);
	ck_assert_uint_eq(mi.nonce_home, 0x1234);
	ck_assert_uint_eq(mi.nonce_coa, 0x5678);
	ck_assert_uint_eq(mi.mh_off, 64);
	ck_assert_uint_eq(mi.mh_len, 48);
	/* RFC 6275 §6.1.1 / §6.3: the home address is the pseudo-header
	 * source when a HAO is present. */
	ck_assert_int_eq(mi.csum_ok, 1);
	pb_done(&p, MN, HA);
	ck_assert_int_eq(parse_exact(p.b, p.len, &mi), 0);
	ck_assert_int_eq(mi.csum_ok, 0);
}
END_TEST

/* A BA from the HA to the node's CoA carries the home address in a type 2
 * routing header; the binding's CoA is then the IPv6 destination. */
START_TEST(test_ba_with_rt2)
{
	struct pb p;
	struct mh_info mi;
	__u8 *mh;

	pb_ip6(&p, HA, MN);
	pb_rt2(&p, HOME);
	mh = pb_mh(&p, MH_TYPE_BA, 16);
	mh[6] = 128;                   /* status: reason unspecified */
	mh[7] = MH_BA_F_K | MH_BA_F_P;
	mh[8] = 0x00; mh[9] = 0x2a;
	mh[10] = 0x00; mh[11] = 0x08;
	mh[12] = 1; mh[13] = 2;        /* PadN */
	pb_done(&p, HA, HOME);
	ck_assert_int_eq(parse_exact(p.b, p.len, &mi), 0);
	ck_assert_uint_eq(mi.type, MH_TYPE_BA);
	ck_assert_uint_eq(mi.status, 128);
	ck_assert_uint_gt(mi.status, MH_BA_STATUS_ACCEPTED_MAX);
	ck_assert_uint_eq(mi.flags, MH_BA_F_K | MH_BA_F_P);
	ck_assert_uint_eq(mi.seq, 42);
	ck_assert_uint_eq(mi.lifetime_s, 32);
	ck_assert_int_eq(mi.has_rt2, 1);
	assert_addr(&mi.rt2_addr, HOME, "rt2");
	ck_assert_int_eq(mi.has_coa, 1);
	assert_addr(&mi.coa, MN, "coa = dst");
	ck_assert_int_eq(mi.csum_ok, 1);
}
END_TEST

/* Extension headers before the MH: HBH, AH, first fragment, the
 * longest chain allowed. */
START_TEST(test_chain_ok)
{
	struct pb p;
	struct mh_info mi;
	__u8 *h;
	int i;

	pb_ip6(&p, MN, HA);
	pb_ext(&p, 0, 8);              /* HBH, PadN */
	p.b[p.len - 6] = 1; p.b[p.len - 5] = 4;
	h = pb_ext(&p, 44, 8);         /* first fragment, more follow */
	h[3] = 1;
	pb_ext(&p, 51, 24);            /* AH: 12 fixed + 12 ICV */
	pb_hao(&p, HOME);
	pb_bu(&p, 1, MH_BU_F_A, 1, 16);
	pb_done(&p, HOME, HA);
	ck_assert_int_eq(parse_exact(p.b, p.len, &mi), 0);
	ck_assert_uint_eq(mi.type, MH_TYPE_BU);
	ck_assert_uint_eq(mi.mh_off, 40 + 8 + 8 + 24 + 24);
	ck_assert_int_eq(mi.has_hoa, 1);
	assert_addr(&mi.coa, MN, "coa = src");
	ck_assert_int_eq(mi.csum_ok, 1);

	pb_ip6(&p, MN, HA);
	for (i = 0; i < MIP6LB_MAX_EXT_HDRS; i++)
		pb_ext(&p, 60, 8);
	pb_bu(&p, 1, 0, 1, 16);
	pb_done(&p, MN, HA);
	ck_assert_int_eq(parse_exact(p.b, p.len, &mi), 0);
	ck_assert_uint_eq(mi.mh_off, 40 + 8 * MIP6LB_MAX_EXT_HDRS);
}
END_TEST

/* ---- malformed and unsupported, table-driven --------------------------- */

static void bad_truncated_ip6(struct pb *p) { build_bu(p); p->len = 39; }
static void bad_version(struct pb *p) { build_bu(p); p->b[0] = 0x45; }
static void bad_payload_len(struct pb *p) { build_bu(p); p->b[5]++; }
static void bad_no_mh(struct pb *p)
{
	pb_ip6(p, MN, HA);
	p->b[6] = 6;                   /* TCP */
	memset(p->b + 40, 0, 20);
	p->len = 60;
	pb_done(p, NULL, NULL);
}
static void bad_esp(struct pb *p)
{
	pb_ip6(p, MN, HA);
	pb_hao(p, HOME);
	p->b[p->nh_at] = 50;
	memset(p->b + p->len, 0xab, 16);
	p->len += 16;
	pb_done(p, NULL, NULL);
}
static void bad_no_next(struct pb *p) { pb_ip6(p, MN, HA); p->b[6] = 59; pb_done(p, NULL, NULL); }
static void bad_later_fragment(struct pb *p)
{
	__u8 *h;

	pb_ip6(p, MN, HA);
	h = pb_ext(p, 44, 8);
	h[2] = 0x00; h[3] = 0x08;      /* offset 1 (8 bytes) */
	pb_bu(p, 1, 0, 1, 16);
	pb_done(p, MN, HA);
}
static void bad_chain_long(struct pb *p)
{
	int i;

	pb_ip6(p, MN, HA);
	for (i = 0; i < MIP6LB_MAX_EXT_HDRS + 1; i++)
		pb_ext(p, 60, 8);
	pb_bu(p, 1, 0, 1, 16);
	pb_done(p, MN, HA);
}
static void bad_hbh_late(struct pb *p)
{
	pb_ip6(p, MN, HA);
	pb_ext(p, 60, 8);
	pb_ext(p, 0, 8);
	pb_bu(p, 1, 0, 1, 16);
	pb_done(p, MN, HA);
}
static void bad_ext_overrun(struct pb *p)
{
	pb_ip6(p, MN, HA);
	pb_ext(p, 60, 8)[1] = 3;       /* claims 32 bytes */
	pb_bu(p, 1, 0, 1, 16);
	pb_done(p, MN, HA);
}
static void bad_ah_overrun(struct pb *p)
{
	pb_ip6(p, MN, HA);
	pb_ext(p, 51, 16)[1] = 200;
	pb_bu(p, 1, 0, 1, 16);
	pb_done(p, MN, HA);
}
static void bad_hao_len(struct pb *p) { build_bu(p); p->b[40 + 7] = 8; }
static void bad_hao_twice(struct pb *p)
{
	pb_ip6(p, MN, HA);
	pb_hao(p, HOME);
	pb_hao(p, "2001:db8:1::200");
	pb_bu(p, 1, 0, 1, 16);
	pb_done(p, MN, HA);
}
static void bad_dstopt_overrun(struct pb *p) { build_bu(p); p->b[40 + 3] = 30; }
static void bad_dstopt_no_len(struct pb *p)
{
	__u8 *h;

	pb_ip6(p, MN, HA);
	h = pb_ext(p, 60, 8);
	h[2] = 1; h[3] = 3;            /* PadN over bytes 4..6 */
	h[7] = 0x1e;                   /* an option type in the last byte */
	pb_bu(p, 1, 0, 1, 16);
	pb_done(p, MN, HA);
}
static void bad_rt2_len(struct pb *p)
{
	pb_ip6(p, HA, MN);
	pb_ext(p, 43, 8)[2] = 2;       /* type 2 with Hdr Ext Len 0 */
	pb_mh(p, MH_TYPE_BA, 16);
	pb_done(p, HA, MN);
}
static void bad_mh_short(struct pb *p)
{
	pb_ip6(p, MN, HA);
	pb_bu(p, 1, 0, 1, 8);          /* Header Len 0: under the BU's 16 */
	pb_done(p, MN, HA);
}
static void bad_mh_overrun(struct pb *p) { build_bu(p); p->b[64 + 1] = 6; }
static void bad_mh_tiny(struct pb *p)
{
	pb_ip6(p, MN, HA);
	p->b[6] = 135;
	p->b[40] = 59;
	p->len = 44;
	pb_done(p, NULL, NULL);
}
static void bad_mh_type(struct pb *p)
{
	pb_ip6(p, MN, HA);
	pb_mh(p, 8, 16);
	pb_done(p, MN, HA);
}
static void bad_opt_overrun(struct pb *p) { build_bu(p); p->b[64 + 12 + 1] = 40; }
static void bad_opt_no_len(struct pb *p)
{
	__u8 *mh;

	pb_ip6(p, MN, HA);
	mh = pb_bu(p, 1, 0, 1, 16);
	mh[12] = 0; mh[13] = 0; mh[14] = 0;
	mh[15] = MH_OPT_PADN;          /* its length byte is past the MH */
	pb_done(p, MN, HA);
}
static void bad_alt_coa_len(struct pb *p) { build_bu(p); p->b[64 + 12 + 5] = 8; }
static void bad_alt_coa_twice(struct pb *p)
{
	__u8 *mh;

	pb_ip6(p, MN, HA);
	mh = pb_bu(p, 1, 0, 1, 48);
	mh[12] = MH_OPT_ALT_COA; mh[13] = 16;
	mh[30] = MH_OPT_ALT_COA; mh[31] = 16;
	pb_done(p, MN, HA);
}
static void bad_refresh_len(struct pb *p)
{
	__u8 *mh;

	pb_ip6(p, HA, MN);
	mh = pb_mh(p, MH_TYPE_BA, 16);
	mh[12] = MH_OPT_REFRESH; mh[13] = 1;
	pb_done(p, HA, MN);
}
static void bad_nonce_len(struct pb *p)
{
	__u8 *mh;

	pb_ip6(p, MN, HA);
	mh = pb_bu(p, 1, 0, 1, 16);
	mh[12] = MH_OPT_NONCE_IDX; mh[13] = 2;
	pb_done(p, MN, HA);
}
static void ok_unknown_option(struct pb *p)
{
	__u8 *mh;

	pb_ip6(p, MN, HA);
	mh = pb_bu(p, 1, 0, 1, 16);
	mh[12] = 200; mh[13] = 2;      /* skipped, RFC 6275 §6.2.1 */
	pb_done(p, MN, HA);
}
static void ok_dstopt_unknown(struct pb *p)
{
	__u8 *h;

	pb_ip6(p, MN, HA);
	h = pb_ext(p, 60, 8);
	h[2] = 0x1e; h[3] = 4;
	pb_bu(p, 1, 0, 1, 16);
	pb_done(p, MN, HA);
}

static const struct {
	const char *name;
	void (*build)(struct pb *p);
	int rc;
} bad_cases[] = {
	{ "shorter than an IPv6 header",     bad_truncated_ip6,  -EBADMSG },
	{ "IPv4",                            bad_version,        -EINVAL },
	{ "payload length past the packet",  bad_payload_len,    -EBADMSG },
	{ "TCP, no MH",                      bad_no_mh,          -ENOENT },
	{ "ESP hides the rest",              bad_esp,            -ENOENT },
	{ "No Next Header",                  bad_no_next,        -ENOENT },
	{ "later fragment",                  bad_later_fragment, -EOPNOTSUPP },
	{ "chain over the limit",            bad_chain_long,     -ELOOP },
	{ "Hop-by-Hop not first",            bad_hbh_late,       -EBADMSG },
	{ "DestOpt length overrun",          bad_ext_overrun,    -EBADMSG },
	{ "AH length overrun",               bad_ah_overrun,     -EBADMSG },
	{ "HAO of 8 bytes",                  bad_hao_len,        -EBADMSG },
	{ "two HAOs",                        bad_hao_twice,      -EBADMSG },
	{ "DestOpt option overrun",          bad_dstopt_overrun, -EBADMSG },
	{ "DestOpt option without length",   bad_dstopt_no_len,  -EBADMSG },
	{ "type 2 routing header too short", bad_rt2_len,        -EBADMSG },
	{ "MH Header Len under the type's",  bad_mh_short,       -EBADMSG },
	{ "MH Header Len past the packet",   bad_mh_overrun,     -EBADMSG },
	{ "MH of 4 bytes",                   bad_mh_tiny,        -EBADMSG },
	{ "MH type 8",                       bad_mh_type,        -EPROTONOSUPPORT },
	{ "option overruns the MH",          bad_opt_overrun,    -EBADMSG },
	{ "option without its length byte",  bad_opt_no_len,     -EBADMSG },
	{ "Alternate CoA of 8 bytes",        bad_alt_coa_len,    -EBADMSG },
	{ "two Alternate CoAs",              bad_alt_coa_twice,  -EBADMSG },
	{ "Refresh Advice of 1 byte",        bad_refresh_len,    -EBADMSG },
	{ "Nonce Indices of 2 bytes",        bad_nonce_len,      -EBADMSG },
	{ "unknown mobility option skipped", ok_unknown_option,  0 },
	{ "unknown DestOpt option skipped",  ok_dstopt_unknown,  0 },
};

START_TEST(test_malformed)
{
	struct pb p;
	struct mh_info mi;
	int rc;

	bad_cases[_i].build(&p);
	rc = parse_exact(p.b, p.len, &mi);
	ck_assert_msg(rc == bad_cases[_i].rc, "%s: %d (%s), want %d", bad_cases[_i].name,
		      rc, strerror(-rc), bad_cases[_i].rc);
}
END_TEST

/* Cut the packet at every length, keeping its Payload Length (a short
 * capture) and then rewriting it to match (a short packet): every cut
 * is an error, and no read leaves the heap copy of exactly that size. */
START_TEST(test_truncated_every_length)
{
	struct pb p, cut;
	struct mh_info mi;
	size_t l;

	build_bu(&p);
	for (l = 0; l < p.len; l++) {
		ck_assert_int_eq(parse_exact(p.b, l, &mi), -EBADMSG);
		cut = p;
		if (l >= 40) {
			cut.b[4] = (l - 40) >> 8;
			cut.b[5] = l - 40;
		}
		ck_assert_msg(parse_exact(cut.b, l, &mi) == -EBADMSG,
			      "payload length %zu: accepted", l);
	}
	ck_assert_int_eq(parse_exact(p.b, p.len, &mi), 0);
}
END_TEST

START_TEST(test_link_types)
{
	struct pb p;
	struct mh_info mi;
	__u8 frame[2100];
	static const __u8 null_le10[4] = { 10, 0, 0, 0 };
	static const __u8 loop_be30[4] = { 0, 0, 0, 30 };
	static const __u8 null_inet[4] = { 2, 0, 0, 0 };
	size_t l;

	build_bu(&p);
	ck_assert_int_eq(mh_parse_link(DLT_RAW, p.b, p.len, &mi), 0);
	ck_assert_int_eq(mh_parse_link(DLT_IPV6, p.b, p.len, &mi), 0);

	memcpy(frame, null_le10, 4);
	memcpy(frame + 4, p.b, p.len);
	ck_assert_int_eq(mh_parse_link(DLT_NULL, frame, p.len + 4, &mi), 0);
	memcpy(frame, loop_be30, 4);
	ck_assert_int_eq(mh_parse_link(DLT_LOOP, frame, p.len + 4, &mi), 0);
	memcpy(frame, null_inet, 4);
	ck_assert_int_eq(mh_parse_link(DLT_NULL, frame, p.len + 4, &mi), -EINVAL);
	ck_assert_int_eq(mh_parse_link(DLT_NULL, frame, 3, &mi), -EBADMSG);
	ck_assert_int_eq(mh_parse_link(DLT_LINUX_SLL, frame, p.len + 4, &mi), -EINVAL);

	/* Ethernet, untagged and with an 802.1ad + 802.1Q stack. */
	memset(frame, 0x11, 12);
	frame[12] = 0x86; frame[13] = 0xdd;
	memcpy(frame + 14, p.b, p.len);
	ck_assert_int_eq(mh_parse_eth(frame, p.len + 14, &mi), 0);
	assert_addr(&mi.hoa, HOME, "eth hoa");
	for (l = 0; l < p.len + 14; l++)
		ck_assert_int_eq(mh_parse_eth(frame, l, &mi) < 0, 1);
	frame[12] = 0x88; frame[13] = 0xa8;
	frame[16] = 0x81; frame[17] = 0x00;
	frame[20] = 0x86; frame[21] = 0xdd;
	memcpy(frame + 22, p.b, p.len);
	ck_assert_int_eq(mh_parse_eth(frame, p.len + 22, &mi), 0);
	ck_assert_uint_eq(mi.seq, 0xbeef);
	frame[12] = 0x08; frame[13] = 0x00;
	ck_assert_int_eq(mh_parse_eth(frame, p.len + 22, &mi), -EINVAL);
	ck_assert_int_eq(mh_parse_eth(frame, 13, &mi), -EBADMSG);

	ck_assert_str_eq(mh_type_name(MH_TYPE_BU), "BU");
	ck_assert_str_eq(mh_type_name(MH_TYPE_BA), "BA");
	ck_assert_str_eq(mh_type_name(MH_TYPE_MAX), "?");
}
END_TEST

/* BU lifetimes are 4-second units (RFC 6275 §6.1.7); the parser reports
 * both, up to 0xffff units. */
static const struct {
	__u16 units;
	__u32 seconds;
} bu_lifetimes[] = {
	{ 0, 0 }, { 1, 4 }, { 3, 12 }, { 8, 32 }, { 3600, 14400 }, { 0xffff, 262140 },
};

START_TEST(test_bu_lifetime_units)
{
	struct pb p;
	struct mh_info mi;

	pb_ip6(&p, MN, HA);
	pb_bu(&p, 9, 0, bu_lifetimes[_i].units, 16);
	pb_done(&p, MN, HA);
	ck_assert_int_eq(parse_exact(p.b, p.len, &mi), 0);
	ck_assert_uint_eq(mi.lifetime_units, bu_lifetimes[_i].units);
	ck_assert_uint_eq(mi.lifetime_s, bu_lifetimes[_i].seconds);
}
END_TEST

MIP6LB_SUITE(mh, 0)
{
	Suite *s = suite_create("mh");
	TCase *syn = tcase_create("synthetic");

	if (harness_pcap_dir()) {
		TCase *pc = tcase_create("pcap");

		tcase_add_loop_test(pc, test_pcap, 0, N(pcap_files));
		suite_add_tcase(s, pc);
	} else {
		printf("SKIP: ../shared/pcaps absent: mh pcap cases not run\n");
	}
	tcase_add_test(syn, test_bu_with_hao);
	tcase_add_test(syn, test_ba_with_rt2);
	tcase_add_test(syn, test_chain_ok);
	tcase_add_loop_test(syn, test_malformed, 0, N(bad_cases));
	tcase_add_test(syn, test_truncated_every_length);
	tcase_add_test(syn, test_link_types);
	tcase_add_loop_test(syn, test_bu_lifetime_units, 0, N(bu_lifetimes));
	suite_add_tcase(s, syn);
	return s;
}
