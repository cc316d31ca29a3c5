// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sync_rows.c - session sync between balancer instances (loader/sync.h):
 *
 *   sync-rate        sessions per second through the whole path on one
 *                    core, in-process: named from the local form
 *                    (sync_entry_from_local), batched into SYNC_SESSIONS,
 *                    encoded with its HMAC (proto_sender_encode), accepted
 *                    (proto_accept: HMAC check, replay check, decode) and
 *                    applied into a second instance's maps
 *                    (sync_apply_entry: every one a new session).  Checked:
 *                    every session applied, and a sample is in the map
 *                    with the right backend.
 *   sync-lag-p50-ms  a session's creation on instance A (the notification
 *   sync-lag-p99-ms  module's coa write, sync_note_written) to its presence
 *                    in B's maps: two sync modules over loopback UDP in a
 *                    private network namespace, each driven like the
 *                    daemon drives it (poll on its socket, sync_tick every
 *                    SYNC_TICK_MS), creations at random moments between
 *                    ticks, so the figure includes the pacing tick.
 *
 * Both instances run the same config (service web, backends s1..s3) on
 * maps of their own (bench_dp, an offline lb_state each).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "bench.h"
#include "config.h"
#include "dpmaps.h"
#include "hash.h"
#include "peer_link.h"
#include "proto.h"
#include "state.h"
#include "sync.h"

#define CONF \
	"[service web]\nvip = 2001:db8::80\nproto = udp\nport = 80\nlifetime = 600\n" \
	"[backend web s1]\naddr = 2001:db8:1::1\n" \
	"[backend web s2]\naddr = 2001:db8:1::2\n" \
	"[backend web s3]\naddr = 2001:db8:1::3\n"

struct inst {
	struct bench_dp dp;
	struct lb_state *st;
};

static const __u8 key[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
			      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

static int inst_open(struct inst *in, __u32 sessions)
{
	struct st_fixed_nh nh = { .ifindex = 1 };
	struct mip6lb_config cfg;
	char err[256];
	int rc;

	memset(in, 0, sizeof(*in));
	rc = bench_dp_open(&in->dp, sessions);
	if (rc)
		return rc;
	rc = state_new_offline(&in->st, &in->dp.maps, &nh);
	if (!rc && !(rc = config_parse_string(CONF, "bench", &cfg, err, sizeof(err))))
		rc = state_apply(in->st, &cfg);
	if (rc)
		bench_log("sync: instance: %s", rc == -EINVAL ? err : strerror(-rc));
	return rc;
}

static void inst_close(struct inst *in)
{
	if (in->st)
		state_free(in->st);
	bench_dp_close(&in->dp);
}

/* Session n of the bench: a hoa session whose backend is not the ring's
 * (so it is one worth sharing). */
static void session_n(struct inst *in, __u32 n, struct mip6lb_session_key *k,
		      struct mip6lb_session *v)
{
	__u32 ring, be[3], i;

	memset(k, 0, sizeof(*k));
	k->service_id = (__u32)state_service_id(in->st, "web");
	k->space = MIP6LB_SPACE_ADDR;
	inet_pton(AF_INET6, "2001:db8:100::", &k->id.addr);
	n = htonl(n);
	memcpy(&k->id.addr.s6_addr[12], &n, 4);
	for (i = 0; i < 3; i++) {
		char name[4] = { 's', (char)('1' + i), 0 };

		be[i] = (__u32)state_backend_id(in->st, "web", name);
	}
	i = k->service_id * MIP6LB_RING_SIZE + mip6lb_ring_slot(k, config_service_hash_id("web"));
	bpf_map_lookup_elem(in->dp.maps.rings, &i, &ring);
	*v = (struct mip6lb_session){
		.backend_id = ring == be[0] ? be[1] : be[0],
		.kind = MIP6LB_KIND_HOA,
		.lifetime_s = 600,
		.flow_hash = mip6lb_session_hash(k, config_service_hash_id("web")),
		.last_used_ns = dp_now_ns(),
	};
}

static void rate_row(struct inst *b)
{
	const __u32 n = bopt.quick ? 20000 : 200000;
	static struct proto_msg m, out;
	static struct sync_rings rc;
	struct mip6lb_session_key *keys = calloc(n, sizeof(*keys));
	struct mip6lb_session *vals = calloc(n, sizeof(*vals));
	struct proto_sender tx;
	struct proto_peer_state rx;
	__u8 buf[PROTO_MAX_MSG];
	__u64 applied = 0, t0, t1, now;
	__u32 i = 0, msgs = 0;
	int len, e;

	if (!keys || !vals)
		bench_fail("sync-rate: out of memory");
	/* The sender's sessions exist before the clock starts. */
	for (i = 0; i < n; i++)
		session_n(b, i, &keys[i], &vals[i]);
	i = 0;
	proto_sender_init(&tx, 1, 1, key, sizeof(key), proto_now_us());
	proto_peer_init(&rx, 1, 1, key, sizeof(key));
	t0 = (__u64)bench_now_ns();
	while (i < n) {
		size_t body = SYNC_FIXED_LEN;

		memset(&m, 0, offsetof(struct proto_msg, sync) + offsetof(struct sync_sessions, entries));
		m.type = PROTO_SYNC_SESSIONS;
		now = dp_now_ns();
		while (i < n && m.sync.count < SYNC_MAX_ENTRIES) {
			struct sync_entry *se = &m.sync.entries[m.sync.count];

			if (sync_entry_from_local(b->st, &keys[i], &vals[i], now, se))
				bench_fail("sync-rate: session %u cannot be named", i);
			if (!sync_batch_fits(body, sync_entry_wire_len(se)))
				break;
			body += sync_entry_wire_len(se);
			m.sync.count++;
			i++;
		}
		len = proto_sender_encode(&tx, &m, proto_now_us(), buf, sizeof(buf));
		if (len < 0 || proto_accept(&rx, buf, len, proto_now_ms(), &out))
			bench_fail("sync-rate: batch %u refused", msgs);
		for (e = 0; e < out.sync.count; e++)
			applied += sync_apply_entry(&b->dp.maps, b->st, &rc, &out.sync.entries[e],
						    dp_now_ns()) == SYNC_A_NEW;
		msgs++;
	}
	t1 = (__u64)bench_now_ns();
	if (applied != n)
		bench_fail("sync-rate: %llu of %u sessions applied", (unsigned long long)applied, n);
	for (i = 0; i < n; i += n / 16) {
		struct mip6lb_session_key k;
		struct mip6lb_session v, got;

		session_n(b, i, &k, &v);
		if (bpf_map_lookup_elem(b->dp.maps.sessions, &k, &got) ||
		    got.backend_id != v.backend_id)
			bench_fail("sync-rate: session %u not in the map as sent", i);
	}
	{
		struct bench_row *row = row_add("sync-rate", NULL);

		row_set_value(row, n / ((t1 - t0) / 1e9), "sess/s");
		row_extra_int(row, "sessions", n);
		row_extra_int(row, "datagrams", msgs);
		row_extra_double(row, "per_datagram", (double)n / msgs);
	}
	sync_rings_free(&rc);
	free(keys);
	free(vals);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void sync_cfg(struct mip6lb_config *c, struct cfg_peer *p, const char *self, __u16 port,
		     const char *peer)
{
	memset(c, 0, sizeof(*c));
	memset(p, 0, sizeof(*p));
	inet_pton(AF_INET6, self, &c->daemon.sync_addr);
	c->daemon.sync_port = port;
	c->daemon.sync_refresh_s = 3600;
	c->daemon.sync_bulk_timeout_s = 5;
	strcpy(p->name, "peer");
	inet_pton(AF_INET6, peer, &p->addr);
	p->port = port;
	memcpy(p->key, key, sizeof(key));
	p->key_len = sizeof(key);
	p->key_id = 1;
	p->role = CFG_ROLE_BALANCER;
	c->peers = p;
	c->n_peers = 1;
}

/* Both modules as the daemon runs them, until deadline (bench clock). */
static void run_until(struct sync *a, struct sync *b, double deadline, __u64 *next_tick)
{
	struct pollfd pfd[2] = { { .fd = sync_fd(a), .events = POLLIN },
				 { .fd = sync_fd(b), .events = POLLIN } };
	double now;

	while ((now = bench_now_ns()) < deadline) {
		int wait_ms = (int)(((double)*next_tick - now) / 1e6);

		poll(pfd, 2, wait_ms < 0 ? 0 : wait_ms > 1 ? 1 : wait_ms);
		if (pfd[0].revents)
			sync_on_readable(a, peer_now_ms());
		if (pfd[1].revents)
			sync_on_readable(b, peer_now_ms());
		if (bench_now_ns() >= *next_tick) {
			sync_tick(a, peer_now_ms());
			sync_tick(b, peer_now_ms());
			*next_tick += SYNC_TICK_MS * 1000000ULL;
		}
	}
}

static void lag_rows(struct inst *a, struct inst *b)
{
	const int n = bopt.quick ? 20 : 200;
	struct mip6lb_config ca, cb;
	struct cfg_peer pa, pb;
	struct sync *sa = NULL, *sb = NULL;
	struct bench_netns ns;
	double *lag = calloc(n, sizeof(*lag));
	__u64 next_tick;
	int i;

	if (!lag || bench_netns_enter(&ns)) {
		row_null("sync-lag-p50-ms", NULL, "ms", "no private network namespace");
		row_null("sync-lag-p99-ms", NULL, "ms", "no private network namespace");
		free(lag);
		return;
	}
	system("ip link set lo up; ip -6 addr add 2001:db8:ff::1/128 dev lo nodad; "
	       "ip -6 addr add 2001:db8:ff::2/128 dev lo nodad");
	sync_cfg(&ca, &pa, "2001:db8:ff::1", 5401, "2001:db8:ff::2");
	sync_cfg(&cb, &pb, "2001:db8:ff::2", 5401, "2001:db8:ff::1");
	if (sync_open(&sa, &ca, &a->dp.maps, a->st, NULL, peer_now_ms()) ||
	    sync_open(&sb, &cb, &b->dp.maps, b->st, NULL, peer_now_ms()))
		bench_fail("sync-lag: opening the two sync modules");
	next_tick = (__u64)bench_now_ns();
	run_until(sa, sb, bench_now_ns() + 100e6, &next_tick);     /* bulk: both empty */
	for (i = 0; i < n; i++) {
		struct mip6lb_session_key k;
		struct mip6lb_session v, got;
		double t0, t;
		int guard;

		/* A random moment between two ticks. */
		run_until(sa, sb, bench_now_ns() + (rand() % (SYNC_TICK_MS * 1000)) * 1e3, &next_tick);
		session_n(a, 1000000 + i, &k, &v);
		if (bpf_map_update_elem(a->dp.maps.sessions, &k, &v, BPF_ANY))
			bench_fail("sync-lag: session on A");
		t0 = bench_now_ns();
		sync_note_written(sa, &k, &v, 1);
		for (guard = 0;; guard++) {
			run_until(sa, sb, bench_now_ns() + 50e3, &next_tick);
			if (!bpf_map_lookup_elem(b->dp.maps.sessions, &k, &got))
				break;
			if (guard > 40000)
				bench_fail("sync-lag: session %d never reached B", i);
		}
		t = bench_now_ns();
		if (got.backend_id != v.backend_id)
			bench_fail("sync-lag: session %d has another backend on B", i);
		lag[i] = (t - t0) / 1e6;
	}
	qsort(lag, n, sizeof(*lag), cmp_double);
	{
		struct bench_row *row = row_add("sync-lag-p50-ms", NULL);

		row_set_value(row, lag[n / 2], "ms");
		row_extra_int(row, "sessions", n);
		row_extra_int(row, "tick_ms", SYNC_TICK_MS);
		row = row_add("sync-lag-p99-ms", NULL);
		row_set_value(row, lag[(n * 99) / 100 >= n ? n - 1 : (n * 99) / 100], "ms");
		row_extra_int(row, "sessions", n);
	}
	sync_close(sa);
	sync_close(sb);
	bench_netns_leave(&ns);
	free(lag);
}

int bench_sync(void)
{
	struct inst a, b;
	__u32 sessions = bopt.quick ? 1U << 16 : 1U << 19;

	if (proto_init() || inst_open(&b, sessions)) {
		row_null("sync-rate", NULL, "sess/s", "cannot load the datapath's maps");
		return -1;
	}
	bench_pin_cpu(bopt.cpu);
	rate_row(&b);
	inst_close(&b);
	/* Fresh maps for the lag: B's copies from the rate row would be a
	 * bulk answer running under the measurement. */
	if (inst_open(&a, 4096) || inst_open(&b, 4096)) {
		row_null("sync-lag-p50-ms", NULL, "ms", "cannot load the datapath's maps");
		row_null("sync-lag-p99-ms", NULL, "ms", "cannot load the datapath's maps");
		return -1;
	}
	lag_rows(&a, &b);
	inst_close(&a);
	inst_close(&b);
	return 0;
}
