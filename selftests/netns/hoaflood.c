// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hoaflood.c - the spoofed-identity flood of scenario 17
 * (test_17_flood_persistence.sh): UDP packets to --dst port --dport, each
 * with a Home Address option (RFC 6275 §6.3) naming a different home
 * address, --prefix::--tag:N for N in 0 .. --count - 1, every one sent
 * --repeat times (the copies of one address back to back, as a node's
 * first packets are), from the care-of address --src.  Whole Ethernet
 * frames written with sendmmsg() to a packet socket on --if (run it in the
 * switch namespace on the balancer's port, like udpflood --if): scapy
 * cannot write 40,000 frames in a few seconds on this machine.
 *
 *   hoaflood --if IF --smac MAC --dmac MAC --src ADDR --dst ADDR
 *            --prefix P --tag HEX --count N [--repeat R] [--dport N]
 *            [--ready FILE]
 *
 * The home addresses are P::TAG:N, P a /64 given by its first four groups
 * ("2001:db8:100"), so they all fall in one Home Agent's home prefix.
 * Prints "sent N frames in T s: R pps, E errors"; exit 0 when it sent
 * every frame, 1 otherwise (send errors are retried after 50 us, so a
 * full queue slows the flood and loses nothing).
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

#define BATCH      64
#define PAYLOAD    16
/* Ethernet 14 + IPv6 40 + Destination Options 24 + UDP 8 + payload */
#define FRAME_LEN  (14 + 40 + 24 + 8 + PAYLOAD)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, unsigned char *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6 ? 0 : -1;
}

static unsigned int sum16(const unsigned char *p, size_t n, unsigned int s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (p[i] << 8) | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	return s;
}

/* One frame for home address hoa.  The UDP checksum covers the home
 * address as the source (RFC 6275 §6.3: what the receiver sees after
 * swapping it in). */
static void build(unsigned char *f, const unsigned char *smac, const unsigned char *dmac,
		  const struct in6_addr *src, const struct in6_addr *dst, const struct in6_addr *hoa,
		  unsigned short dport, unsigned int n)
{
	unsigned char *ip = f + 14, *dopt = ip + 40, *udp = dopt + 24, *pl = udp + 8;
	unsigned int udp_len = 8 + PAYLOAD, s;

	memset(f, 0, FRAME_LEN);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = (24 + udp_len) >> 8;
	ip[5] = (24 + udp_len) & 0xff;
	ip[6] = 60;                     /* Destination Options */
	ip[7] = 63;                     /* forwarded once, as routed traffic */
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	dopt[0] = 17;                   /* UDP next */
	dopt[1] = 2;                    /* (2 + 1) * 8 = 24 bytes */
	dopt[2] = 1;                    /* PadN, 2 bytes of padding: the HAO */
	dopt[3] = 2;                    /* must sit at 8n + 6 */
	dopt[6] = 201;                  /* Home Address option */
	dopt[7] = 16;
	memcpy(dopt + 8, hoa, 16);
	udp[0] = 40000 >> 8;
	udp[1] = 40000 & 0xff;
	udp[2] = dport >> 8;
	udp[3] = dport & 0xff;
	udp[4] = udp_len >> 8;
	udp[5] = udp_len & 0xff;
	snprintf((char *)pl, PAYLOAD, "flood %u", n);
	s = sum16((const unsigned char *)hoa, 16, 0);
	s = sum16((const unsigned char *)dst, 16, s);
	s += udp_len + 17;
	s = sum16(udp, udp_len, s);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	if (!s)
		s = 0xffff;
	udp[6] = s >> 8;
	udp[7] = s & 0xff;
}

static void usage(void)
{
	fprintf(stderr, "usage: hoaflood --if IF --smac MAC --dmac MAC --src ADDR --dst ADDR "
		"--prefix P --tag HEX --count N [--repeat R] [--dport N] [--ready FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "if", required_argument, NULL, 'i' }, { "smac", required_argument, NULL, 'S' },
		{ "dmac", required_argument, NULL, 'D' }, { "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' }, { "prefix", required_argument, NULL, 'p' },
		{ "tag", required_argument, NULL, 't' }, { "count", required_argument, NULL, 'c' },
		{ "repeat", required_argument, NULL, 'r' }, { "dport", required_argument, NULL, 'P' },
		{ "ready", required_argument, NULL, 'R' }, { NULL, 0, NULL, 0 },
	};
	const char *ifname = NULL, *prefix = NULL, *ready = NULL, *tag = "f";
	unsigned char smac[6], dmac[6], (*frames)[FRAME_LEN];
	struct in6_addr src, dst, hoa;
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	unsigned long count = 0, repeat = 2, total, sent = 0, errors = 0, i, k;
	unsigned int dport = 80;
	int fd, c, have = 0, r;
	char text[INET6_ADDRSTRLEN + 32];
	double t0, t;
	FILE *rf;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'S': if (parse_mac(optarg, smac)) usage(); have |= 1; break;
		case 'D': if (parse_mac(optarg, dmac)) usage(); have |= 2; break;
		case 's': if (inet_pton(AF_INET6, optarg, &src) != 1) usage(); have |= 4; break;
		case 'd': if (inet_pton(AF_INET6, optarg, &dst) != 1) usage(); have |= 8; break;
		case 'p': prefix = optarg; break;
		case 't': tag = optarg; break;
		case 'c': count = strtoul(optarg, NULL, 0); break;
		case 'r': repeat = strtoul(optarg, NULL, 0); break;
		case 'P': dport = strtoul(optarg, NULL, 0); break;
		case 'R': ready = optarg; break;
		default: usage();
		}
	}
	if (!ifname || !prefix || have != 15 || !count || !repeat || count > 65536)
		usage();
	total = count * repeat;
	frames = calloc(total, FRAME_LEN);
	if (!frames) {
		perror("hoaflood: frames");
		return 1;
	}
	for (i = 0; i < count; i++) {
		snprintf(text, sizeof(text), "%s::%s:%lx", prefix, tag, i);
		if (inet_pton(AF_INET6, text, &hoa) != 1) {
			fprintf(stderr, "hoaflood: bad home address %s\n", text);
			return 2;
		}
		for (k = 0; k < repeat; k++)
			build(frames[i * repeat + k], smac, dmac, &src, &dst, &hoa, dport, i);
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("hoaflood: packet socket");
		return 1;
	}
	ll.sll_ifindex = if_nametoindex(ifname);
	if (!ll.sll_ifindex) {
		fprintf(stderr, "hoaflood: no interface %s\n", ifname);
		return 1;
	}
	memcpy(ll.sll_addr, dmac, 6);
	if (ready) {
		rf = fopen(ready, "w");
		if (rf)
			fclose(rf);
	}
	t0 = now_s();
	while (sent < total) {
		unsigned int n = total - sent < BATCH ? total - sent : BATCH;

		for (k = 0; k < n; k++) {
			iov[k].iov_base = frames[sent + k];
			iov[k].iov_len = FRAME_LEN;
			memset(&mm[k], 0, sizeof(mm[k]));
			mm[k].msg_hdr.msg_name = &ll;
			mm[k].msg_hdr.msg_namelen = sizeof(ll);
			mm[k].msg_hdr.msg_iov = &iov[k];
			mm[k].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(fd, mm, n, 0);
		if (r <= 0) {
			errors++;
			if (errors > 1000000)
				break;
			usleep(50);
			continue;
		}
		sent += r;
	}
	t = now_s() - t0;
	printf("sent %lu frames in %.3f s: %.0f pps, %lu errors\n", sent, t,
	       t > 0 ? sent / t : 0.0, errors);
	close(fd);
	free(frames);
	return sent == total ? 0 : 1;
}
