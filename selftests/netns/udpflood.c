// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * udpflood.c - the flood of scenario 16 (test_16_notify_flood.sh): one UDP
 * payload, sent again and again from a socket bound to --src, to --dst
 * port --port, for at most --seconds and at most --max datagrams, as fast
 * as sendmmsg() goes (python cannot reach 200k pps on this machine).  The
 * payload is a hex file, as notifytool.py send --out writes it: a
 * notification MAC'd with the wrong key, so every copy is a rejection.
 * With --if, frames come from source port --port too, the agent's: from
 * another port the balancer refuses them as wrong_port before their MAC,
 * and the scenario measures a flood that costs an HMAC each.  (Without
 * --if the socket's port is ephemeral: such a flood is all wrong_port.)
 *
 *   udpflood --src ADDR --dst ADDR [--port N] --hex FILE [--seconds S]
 *            [--max N] [--pps N] [--ready FILE] [--if IF --smac MAC --dmac MAC]
 *
 * --pps caps the rate (paced per batch), so a test can hold a flood at the
 * rate it claims instead of whatever this host's CPUs allow that minute.
 *
 * With --if the datagrams are whole Ethernet frames (IPv6 from --src, hop
 * limit 63 as a router forwards them, the UDP checksum right) written to
 * a packet socket on IF: run in the switch namespace on the balancer's
 * port, they enter the balancer's eth0 exactly where the routed ones do
 * (its XDP program first), without the sender's UDP stack and the
 * router's forwarding, which on this machine cap a routed flood near 50k
 * pps.  Without --if they are sent from a UDP socket bound to --src.
 *
 * Prints one line, "sent N datagrams in T s: R pps, E errors", and exits 0
 * when it sent anything.  Send errors (ENOBUFS when a queue is full,
 * ECONNREFUSED after an ICMP error) are counted, never fatal: the flood
 * goes on, as a real one would, after a 50 us pause.  --ready is created once the socket is
 * bound and the payload read, so the test can start the clock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#define BATCH     64                    /* datagrams per sendmmsg() */
#define MAX_LEN   1024
#define MAX_SECS  30                    /* whatever --seconds says */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_hex(const char *path, unsigned char *buf, size_t cap)
{
	unsigned int byte;
	size_t n = 0;
	FILE *f;
	int c;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (n < cap && fscanf(f, "%2x", &byte) == 1)
		buf[n++] = (unsigned char)byte;
	c = fgetc(f);
	fclose(f);
	/* Only trailing white space may be left. */
	if (n == cap || (c != EOF && c != '\n' && c != ' '))
		return -EINVAL;
	return (int)n;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static unsigned int csum_add(unsigned int sum, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

/* Ethernet + IPv6 + UDP around the payload; returns the frame length. */
static int build_frame(unsigned char *f, size_t cap, const unsigned char *smac,
		       const unsigned char *dmac, const struct in6_addr *src,
		       const struct in6_addr *dst, int sport, int dport, const unsigned char *pl,
		       int len)
{
	unsigned char *ip = f + 14, *udp = ip + 40;
	int ulen = 8 + len;
	unsigned int sum;

	if ((size_t)(14 + 40 + ulen) > cap)
		return -1;
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[4] = ulen >> 8;
	ip[5] = ulen & 0xff;
	ip[6] = 17;                     /* UDP */
	ip[7] = 63;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	udp[0] = sport >> 8;
	udp[1] = sport & 0xff;
	udp[2] = dport >> 8;
	udp[3] = dport & 0xff;
	udp[4] = ulen >> 8;
	udp[5] = ulen & 0xff;
	udp[6] = udp[7] = 0;
	memcpy(udp + 8, pl, len);
	/* RFC 8200 8.1: the pseudo-header, then the UDP header and data. */
	sum = csum_add(0, ip + 8, 32);
	sum += ulen + 17;
	sum = csum_add(sum, udp, ulen);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	if (!sum)
		sum = 0xffff;
	udp[6] = sum >> 8;
	udp[7] = sum & 0xff;
	return 14 + 40 + ulen;
}

static void usage(void)
{
	fprintf(stderr, "usage: udpflood --src ADDR --dst ADDR [--port N] --hex FILE "
		"[--seconds S] [--max N] [--pps N] [--ready FILE] [--if IF --smac MAC --dmac MAC]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "hex", required_argument, NULL, 'x' },
		{ "seconds", required_argument, NULL, 't' },
		{ "max", required_argument, NULL, 'm' },
		{ "pps", required_argument, NULL, 'P' },
		{ "ready", required_argument, NULL, 'r' },
		{ "if", required_argument, NULL, 'i' },
		{ "smac", required_argument, NULL, 'S' },
		{ "dmac", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_in6 src = { .sin6_family = AF_INET6 }, dst = { .sin6_family = AF_INET6 };
	const char *src_s = NULL, *dst_s = NULL, *hex = NULL, *ready = NULL, *ifname = NULL;
	const char *smac_s = NULL, *dmac_s = NULL;
	unsigned char smac[6], dmac[6], frame[14 + 40 + 8 + MAX_LEN];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	unsigned long long sent = 0, errors = 0, max = 10000000ULL;
	struct mmsghdr mm[BATCH];
	unsigned char payload[MAX_LEN];
	struct iovec iov;
	double secs = 3, pps = 0, t0, t1;
	int c, fd, len, port = 5400, i, r, want;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': src_s = optarg; break;
		case 'd': dst_s = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'x': hex = optarg; break;
		case 't': secs = atof(optarg); break;
		case 'm': max = strtoull(optarg, NULL, 10); break;
		case 'P': pps = atof(optarg); break;
		case 'r': ready = optarg; break;
		case 'i': ifname = optarg; break;
		case 'S': smac_s = optarg; break;
		case 'D': dmac_s = optarg; break;
		default: usage();
		}
	}
	if (!src_s || !dst_s || !hex || port <= 0 || port > 65535 || secs <= 0 || !max || pps < 0)
		usage();
	if (secs > MAX_SECS)
		secs = MAX_SECS;
	if (inet_pton(AF_INET6, src_s, &src.sin6_addr) != 1 ||
	    inet_pton(AF_INET6, dst_s, &dst.sin6_addr) != 1)
		usage();
	dst.sin6_port = htons(port);
	len = read_hex(hex, payload, sizeof(payload));
	if (len <= 0) {
		fprintf(stderr, "udpflood: %s: %s\n", hex, len ? strerror(-len) : "empty");
		return 1;
	}
	if (ifname) {
		int one = 1;

		if (!smac_s || !dmac_s || parse_mac(smac_s, smac) || parse_mac(dmac_s, dmac))
			usage();
		len = build_frame(frame, sizeof(frame), smac, dmac, &src.sin6_addr,
				  &dst.sin6_addr, port, port, payload, len);
		ll.sll_protocol = htons(ETH_P_IPV6);
		ll.sll_ifindex = if_nametoindex(ifname);
		fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (len < 0 || !ll.sll_ifindex || fd < 0 ||
		    bind(fd, (struct sockaddr *)&ll, sizeof(ll))) {
			perror("udpflood: packet socket");
			return 1;
		}
		/* Straight to the driver: no qdisc between us and the veth. */
		setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
		iov.iov_base = frame;
	} else {
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
		    connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
			perror("udpflood: socket");
			return 1;
		}
		iov.iov_base = payload;
	}
	iov.iov_len = len;
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < BATCH; i++) {
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	t0 = now_s();
	t1 = t0;
	while (sent < max && t1 - t0 < secs) {
		want = max - sent < BATCH ? (int)(max - sent) : BATCH;
		r = sendmmsg(fd, mm, want, 0);
		if (r < 0) {
			if (errno != ENOBUFS && errno != ECONNREFUSED && errno != EAGAIN &&
			    errno != EINTR) {
				perror("udpflood: sendmmsg");
				break;
			}
			errors++;
		} else {
			sent += r;
		}
		/* A short batch: the receiving veth's ring was full, its NAPI
		 * work deferred to ksoftirqd on our CPU.  Yield to it, or the
		 * ring stays full and drops whatever else arrives, genuine
		 * notifications included: a NIC drains its ring on a CPU of
		 * its own, a veth on the sender's. */
		if (r < want)
			usleep(50);
		t1 = now_s();
		/* Ahead of the cap: wait until the batch is due. */
		if (pps > 0 && sent / pps > t1 - t0) {
			double ahead = sent / pps - (t1 - t0);

			usleep((useconds_t)(ahead * 1e6));
			t1 = now_s();
		}
	}
	close(fd);
	printf("sent %llu datagrams in %.3f s: %.0f pps, %llu errors\n", sent, t1 - t0,
	       t1 > t0 ? sent / (t1 - t0) : 0.0, errors);
	return sent ? 0 : 1;
}
