// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "pcapsrc.h"

#define ETH_HDR_LEN    14
#define ETHERTYPE_IP   0x0800
#define ETHERTYPE_IPV6 0x86dd
#define SLL_HDR_LEN    16             /* protocol at offset 14 */
#define SLL2_HDR_LEN   20             /* protocol at offset 0 */
#define NULL_HDR_LEN   4              /* address family, host or network order */

struct pcapsrc {
	pcap_t *p;
	int dlt;
	unsigned char *buf;
	size_t cap;
};

/* Locally administered MACs for the Ethernet header of captures that had
 * none.  The datapath reads only the ethertype. */
static const unsigned char fake_dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xaa };
static const unsigned char fake_src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* Take p (opened from what name names) if its link type is one we read. */
static int wrap(pcap_t *p, const char *name, struct pcapsrc **out, char *err, size_t errlen)
{
	struct pcapsrc *s;

	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		pcap_close(p);
		return -1;
	}
	s->p = p;
	s->dlt = pcap_datalink(s->p);
	switch (s->dlt) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_NULL:
	case DLT_LOOP:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
		break;
	default:
		snprintf(err, errlen, "%s: link type %s (%d) is not supported (EN10MB, RAW, IPV4, IPV6, NULL, LOOP, LINUX_SLL, LINUX_SLL2 are)",
			 name, pcap_datalink_val_to_name(s->dlt) ? pcap_datalink_val_to_name(s->dlt) : "?",
			 s->dlt);
		pcap_close(s->p);
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* libpcap names the file in some messages, not in others. */
static void open_error(const char *name, const char *perr, char *err, size_t errlen)
{
	if (!strncmp(perr, name, strlen(name)))
		snprintf(err, errlen, "%s", perr);
	else
		snprintf(err, errlen, "%s: %s", name, perr);
}

int pcapsrc_open(const char *path, struct pcapsrc **out, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	*out = NULL;
	p = pcap_open_offline(path, perr);
	if (!p) {
		open_error(path, perr, err, errlen);
		return -1;
	}
	return wrap(p, path, out, err, errlen);
}

int pcapsrc_fopen(FILE *fp, const char *name, struct pcapsrc **out, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	*out = NULL;
	p = pcap_fopen_offline(fp, perr);
	if (!p) {
		open_error(name, perr, err, errlen);
		fclose(fp);
		return -1;
	}
	return wrap(p, name, out, err, errlen);
}

const char *pcapsrc_linktype(const struct pcapsrc *s)
{
	const char *n = pcap_datalink_val_to_name(s->dlt);

	return n ? n : "?";
}

/* Ethertype of a bare IP packet: by its version nibble.  Anything that is
 * not IPv4 is labelled IPv6, so the datapath judges it (and calls a bad
 * version malformed) rather than the classifier. */
static uint16_t ip_ethertype(const unsigned char *p, size_t len)
{
	return len && (p[0] >> 4) == 4 ? ETHERTYPE_IP : ETHERTYPE_IPV6;
}

int pcapsrc_next(struct pcapsrc *s, struct pcapsrc_frame *f, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const unsigned char *pkt, *l3;
	size_t caplen, skip = 0, need;
	uint16_t ethertype = 0;
	int ret;

	ret = pcap_next_ex(s->p, &h, &pkt);
	if (ret == PCAP_ERROR_BREAK)
		return 0;
	if (ret != 1) {
		snprintf(err, errlen, "%s", pcap_geterr(s->p));
		return -1;
	}
	caplen = h->caplen;
	f->ts = h->ts.tv_sec + h->ts.tv_usec / 1e6;
	if (s->dlt == DLT_EN10MB) {
		f->data = pkt;
		f->len = caplen;
		f->wire_len = h->len;
		return 1;
	}
	switch (s->dlt) {
	case DLT_RAW:
		skip = 0;
		break;
	case DLT_IPV4:
		ethertype = ETHERTYPE_IP;
		break;
	case DLT_IPV6:
		ethertype = ETHERTYPE_IPV6;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		/* The family's value differs between systems (AF_INET6 is 10,
		 * 24, 28 or 30): the IP version says more. */
		skip = NULL_HDR_LEN;
		break;
	case DLT_LINUX_SLL:
		skip = SLL_HDR_LEN;
		if (caplen >= SLL_HDR_LEN)
			ethertype = pkt[14] << 8 | pkt[15];
		break;
	case DLT_LINUX_SLL2:
		skip = SLL2_HDR_LEN;
		if (caplen >= SLL2_HDR_LEN)
			ethertype = pkt[0] << 8 | pkt[1];
		break;
	}
	if (caplen < skip)
		skip = caplen;
	l3 = pkt + skip;
	if (!ethertype)
		ethertype = ip_ethertype(l3, caplen - skip);
	need = ETH_HDR_LEN + caplen - skip;
	if (need > s->cap) {
		unsigned char *p = realloc(s->buf, need);

		if (!p) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		s->buf = p;
		s->cap = need;
	}
	memcpy(s->buf, fake_dst, 6);
	memcpy(s->buf + 6, fake_src, 6);
	s->buf[12] = ethertype >> 8;
	s->buf[13] = ethertype & 0xff;
	memcpy(s->buf + ETH_HDR_LEN, l3, caplen - skip);
	f->data = s->buf;
	f->len = need;
	f->wire_len = h->len >= skip ? ETH_HDR_LEN + h->len - skip : need;
	return 1;
}

void pcapsrc_close(struct pcapsrc *s)
{
	if (!s)
		return;
	pcap_close(s->p);
	free(s->buf);
	free(s);
}
