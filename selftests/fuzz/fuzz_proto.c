// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the two parsers that read bytes from the network:
 * the binding-notification protocol (proto_accept, proto_decode) and the
 * Mobility Header parser (mh_parse_*).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 \
 *       -D_GNU_SOURCE -I. -Ibpf -Iloader -o fuzz_proto \
 *       selftests/fuzz/fuzz_proto.c lib/proto.c agent/mh.c -lsodium
 *   ./fuzz_proto -max_total_time=60 CORPUS_DIR
 *
 * Random bytes almost never carry a valid HMAC, so each input is also
 * re-MACed with the peer's key and accepted at its own timestamp: that
 * drives the body parser through proto_accept() the way an authenticated
 * but buggy or hostile peer would.  Beyond memory safety it checks the
 * policy's invariants: a rejection changes only its own counter, and an
 * accepted message re-encodes to exactly the bytes received.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <pcap/dlt.h>
#include <linux/types.h>
#include "proto.h"
#include "mh.h"

#define SENDER 0x0a0b0c0dU
#define KEY_ID 7U

static __u8 key[32];
static struct proto_peer_state peer;

static void check_accept(const __u8 *buf, size_t len, __u64 now_ms)
{
	struct proto_peer_state before;
	struct proto_msg m;
	__u8 again[PROTO_MAX_MSG];
	int rc, n;

	/* Start every input from the same state so it is reproducible. */
	peer.last_seq = 0;
	before = peer;
	rc = proto_accept(&peer, buf, len, now_ms, &m);
	if (rc < 0) {
		if (-rc <= 0 || -rc >= PROTO_REASON_MAX)
			abort();
		before.rejected[-rc]++;
		if (memcmp(&before, &peer, sizeof(peer)))
			abort();
		return;
	}
	if (rc != 0 || peer.last_seq != m.seq || m.seq == 0)
		abort();
	n = proto_encode(&m, key, sizeof(key), again, sizeof(again));
	if (n < 0 || (size_t)n != len || memcmp(again, buf, len))
		abort();
}

static void fuzz_proto(const __u8 *data, size_t size)
{
	struct proto_msg m;
	__u8 *copy;
	__u64 ts;

	proto_decode(data, size, &m);
	proto_peek(data, size, NULL, NULL);
	check_accept(data, size, 1700000000000ULL);

	if (size < PROTO_MIN_MSG || size > PROTO_MAX_MSG)
		return;
	copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	/* Make the ids match the peer half the time, leaving the fuzzer's
	 * choice otherwise. */
	if (copy[0] & 1) {
		static const __u8 ids[8] = {
			SENDER >> 24, (SENDER >> 16) & 0xff, (SENDER >> 8) & 0xff,
			SENDER & 0xff, 0, 0, 0, KEY_ID,
		};

		memcpy(copy + 8, ids, sizeof(ids));
	}
	proto_sign(copy, size, key, sizeof(key));
	if (proto_verify(copy, size, key, sizeof(key)))
		abort();
	ts = 0;
	for (int i = 24; i < 32; i++)
		ts = ts << 8 | copy[i];
	check_accept(copy, size, ts);
	free(copy);
}

static void fuzz_mh(const __u8 *data, size_t size)
{
	struct mh_info mi;
	int dlt;

	if (mh_parse_ipv6(data, size, &mi) == 0 &&
	    (mi.mh_off + mi.mh_len > size || mi.mh_len < 8 ||
	     mi.lifetime_s != (__u32)mi.lifetime_units * 4 || mi.type >= MH_TYPE_MAX))
		abort();
	if (mh_parse_eth(data, size, &mi) == 0 && mi.mh_off + mi.mh_len + 14 > size)
		abort();
	if (size) {
		static const int dlts[] = { DLT_NULL, DLT_EN10MB, DLT_RAW, DLT_IPV6, DLT_LOOP };

		dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
		mh_parse_link(dlt, data + 1, size - 1, &mi);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	for (int i = 0; i < 32; i++)
		key[i] = i;
	if (proto_init() || proto_peer_init(&peer, SENDER, KEY_ID, key, sizeof(key)))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const __u8 *data, size_t size)
{
	fuzz_proto(data, size);
	fuzz_mh(data, size);
	return 0;
}
