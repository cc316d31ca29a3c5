// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Write seed frames for fuzz_parse: the canned packets of the unit tests
 * (every header the walk knows), so the fuzzer starts deep in the chain
 * instead of guessing an Ethernet type first. */
#include <stdio.h>
#include "pktbuild.h"

static int n;

static void save(const char *dir, const struct pb *b)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02d", dir, n++);
	f = fopen(path, "wb");
	if (!f || fwrite(b->data, 1, b->len, f) != b->len) {
		perror(path);
		return;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	const char *src = "2001:db8:a::211:22ff:fe33:4455", *vip = "2001:db8::80";
	const char *hoa = "2001:db8:100::7";
	struct pb b;

	pb_init(&b, src, vip); pb_udp(&b, 1, 53, 8); pb_finish(&b); save(dir, &b);
	pb_init(&b, src, vip); pb_tcp(&b, 1, 80); pb_finish(&b); save(dir, &b);
	pb_init(&b, src, vip); pb_dstopt_hao(&b, hoa); pb_udp(&b, 1, 53, 8); pb_finish(&b); save(dir, &b);
	pb_init(&b, src, vip); pb_hbh(&b); pb_dstopt(&b); pb_rt2(&b, hoa); pb_dstopt_hao(&b, hoa);
	pb_frag(&b, 0, 1, 7); pb_esp(&b, 0x1234, 16); pb_finish(&b); save(dir, &b);
	pb_init(&b, src, vip); pb_ah(&b, 9); pb_udp(&b, 1, 53, 8); pb_finish(&b); save(dir, &b);
	pb_init(&b, src, vip); pb_frag(&b, 10, 0, 7); pb_raw(&b, 17, 16); pb_finish(&b); save(dir, &b);
	pb_init(&b, src, vip); pb_dstopt_hao(&b, hoa); pb_mh(&b, 5); pb_finish(&b); save(dir, &b);
	pb_ipv4(&b); save(dir, &b);
	printf("mkseeds: %d seeds in %s\n", n, dir);
	return 0;
}
