// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the session-sync bodies (lib/sync_codec.c), the
 * part of a SYNC_SESSIONS or SYNC_REQUEST that a peer's MAC covers but
 * nothing else checks.  (fuzz_proto drives the same code through
 * proto_accept() with the header in front.)  The first byte picks the
 * body type; the rest is the body.  Beyond memory safety: a body that
 * parses re-encodes to exactly the bytes received, so one session has
 * one encoding (and one MAC).
 */
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>
#include "sync_codec.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const __u8 *data, size_t size)
{
	static struct sync_sessions s;
	struct sync_request r;
	__u8 again[PROTO_MAX_BODY];
	int len;

	if (size < 1 || size - 1 > PROTO_MAX_BODY)
		return 0;
	if (data[0] & 1) {
		if (sync_request_get(data + 1, size - 1, &r))
			return 0;
		sync_request_put(again, &r);
		if (size - 1 != SYNC_REQUEST_LEN || memcmp(again, data + 1, size - 1))
			abort();
		return 0;
	}
	if (sync_sessions_get(data + 1, size - 1, &s))
		return 0;
	len = sync_sessions_body_len(&s);
	if (len < 0 || (size_t)len != size - 1 || sync_sessions_check(&s))
		abort();
	sync_sessions_put(again, &s);
	if (memcmp(again, data + 1, size - 1))
		abort();
	return 0;
}
