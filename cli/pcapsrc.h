/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * pcapsrc.h - the frames of a capture file (pcap or pcapng, via libpcap),
 * each as an Ethernet frame, the only thing the XDP program reads.
 *
 * Kept apart from everything BPF: <pcap/pcap.h> and <linux/bpf.h> both
 * define struct bpf_insn and cannot meet in one translation unit.
 */
#ifndef MIP6LBCTL_PCAPSRC_H
#define MIP6LBCTL_PCAPSRC_H

#include <stddef.h>
#include <stdio.h>

struct pcapsrc;

struct pcapsrc_frame {
	const unsigned char *data;     /* Ethernet frame */
	size_t len;                    /* bytes captured (after conversion) */
	size_t wire_len;               /* bytes on the wire (after conversion) */
	double ts;                     /* seconds since the epoch */
};

/* Open path; link types EN10MB, RAW, IPV4, IPV6, NULL, LOOP, LINUX_SLL and
 * LINUX_SLL2 are accepted.  Returns 0 or -1 with a message in err. */
int pcapsrc_open(const char *path, struct pcapsrc **out, char *err, size_t errlen);
/* The same from an open stream (the fuzzer's fmemopen()), named name in
 * messages; the source owns fp from here on, even when this fails. */
int pcapsrc_fopen(FILE *fp, const char *name, struct pcapsrc **out, char *err, size_t errlen);
/* 1 and *f filled (valid until the next call), 0 at the end, -1 with err. */
int pcapsrc_next(struct pcapsrc *s, struct pcapsrc_frame *f, char *err, size_t errlen);
/* "EN10MB", "RAW", ... */
const char *pcapsrc_linktype(const struct pcapsrc *s);
void pcapsrc_close(struct pcapsrc *s);

#endif
