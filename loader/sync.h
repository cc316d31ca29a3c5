/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sync.h - session sync between the mip6lbd instances of one balancer
 * group (docs/sync.md, docs/protocol.md "Session sync"): each instance
 * shares the sessions the ring cannot rebuild elsewhere with its
 * `[peer] role = balancer` peers, and at start asks them for theirs.
 *
 * What is shared: a session (sessions or coa_sessions) whose backend is
 * not what its own key hashes to on the service's ring now: sessions made
 * before a ring change, promoted sessions, SPI/IID aliases in the address
 * keyspace, re-hashed sessions, coa sessions.  A session that equals the
 * ring's answer is not sent: any instance with the same ring rebuilds it
 * from the packet alone, and that keeps the volume to the few sessions
 * that need it.
 *
 * Where they come from: the datapath's events ring buffer (new sessions,
 * whose SPI/IID alias may differ from the ring, and promotions), the
 * notification module's coa writes (sync_note_written()), and a walk of
 * the tables every sync_refresh seconds that sends again what this
 * instance used since the last walk, so copies do not age out while the
 * original is in use, and catches what the events missed.  After a ring
 * change (sync_maps_changed()) the next walk sends every differing session.
 *
 * The module owns one UDP socket (daemon.sync_listen) and no thread; the
 * daemon's event loop drives it like the notification module:
 *
 *   sync_open()           at start, after the maps and the state exist;
 *                         sends the bulk request to every peer
 *   sync_fd()             add to epoll (EPOLLIN)
 *   sync_on_readable()    when sync_fd() is readable
 *   sync_on_event()       for each record of the events ring buffer
 *   sync_note_written()   sessions the daemon itself wrote (coa)
 *   sync_tick()           at least every SYNC_TICK_MS: pacing, bulk
 *                         request retries, the refresh walk
 *   sync_maps_changed()   after services, backends or rings changed
 *   sync_reload()         on SIGHUP / `reload`
 *   sync_json()           for `mip6lbctl sync`
 *   sync_close()          at exit
 */
#ifndef MIP6LB_SYNC_H
#define MIP6LB_SYNC_H

#include <stdbool.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"
#include "sync_codec.h"

struct mip6lb_config;
struct dp_maps;
struct lb_state;
struct json_object;

#define SYNC_TICK_MS          20        /* call sync_tick() at least this often */
#define SYNC_DEFAULT_SENDER_ID 1
#define SYNC_RX_BUDGET        256       /* datagrams per sync_on_readable() */
#define SYNC_REQUEST_RETRY_MS 1000      /* bulk request repeated while unanswered */
#define SYNC_WALK_BATCH       1024      /* entries per bpf_map_lookup_batch */

/* Why a datagram from a balancer peer was refused, past the protocol's
 * reasons (peer_reason_name()): it passed the MAC and the replay check but
 * came faster than the peer's sync_rate allows (twice it, in bursts of up
 * to one second's worth).  Counted per peer, the replay window unmoved. */
#define SYNC_R_OVER_RATE_NAME "over_rate"

struct sync;

struct sync_opts {
	__u32 sender_id;                /* [SYNC_DEFAULT_SENDER_ID] */
	/* Called once, when the bulk transfer from every peer finished or
	 * timed out (daemon.sync_bulk_timeout); at sync_open() already when
	 * there is no balancer peer.  May be NULL. */
	void (*on_ready)(void *arg);
	void *arg;
};

/* Is session sync configured: a [peer] with role = balancer. */
bool sync_configured(const struct mip6lb_config *cfg);

/* Bind cfg->daemon.sync_addr : sync_port (0 = ephemeral, for tests), take
 * the role = balancer peers, and ask each for its sessions.  st gives the
 * names (it must outlive the module); maps are copied (fds stay the
 * caller's).  0 or -errno. */
int sync_open(struct sync **out, const struct mip6lb_config *cfg, const struct dp_maps *maps,
	      const struct lb_state *st, const struct sync_opts *opts, __u64 now_ms);
int sync_fd(const struct sync *s);
__u16 sync_port(const struct sync *s);

/* Read up to SYNC_RX_BUDGET datagrams and act on them: the number read,
 * or -errno for a socket error.  Bad datagrams are counted. */
int sync_on_readable(struct sync *s, __u64 now_ms);
/* Receive one datagram (tests, fuzzers): as if read from from. */
void sync_on_datagram(struct sync *s, const __u8 *buf, size_t len,
		      const struct in6_addr *from, __u16 from_port, __u64 now_ms);

void sync_on_event(struct sync *s, const struct mip6lb_event *ev);
/* Sessions the daemon wrote (the notification module's coa sessions):
 * queued when the ring would not rebuild them. */
void sync_note_written(struct sync *s, const struct mip6lb_session_key *keys,
		       const struct mip6lb_session *vals, int n);

void sync_tick(struct sync *s, __u64 now_ms);
/* Walk now (tests, and sync_tick() when due); full: every differing
 * session, whatever its last use.  Returns the sessions queued or -errno. */
long sync_walk(struct sync *s, bool full);
void sync_maps_changed(struct sync *s);
/* Peers with the same name, address and port keep their state; the
 * others start over (and are asked for their sessions).  0 or -errno. */
int sync_reload(struct sync *s, const struct mip6lb_config *cfg, __u64 now_ms);

/* The bulk transfer at start is over (or there was nothing to wait for). */
bool sync_ready(const struct sync *s);

/* {"ready":BOOL,"port":N,"unknown_peer":N,"walks":N,"walk_queued":N,
 *  "events_queued":N,"written_queued":N,
 *  "peers":[{"name","addr","port","sync_rate","sync_queue","queued",
 *    "queue_dropped","bulk":"waiting"|"done"|"timeout","bulk_sending":N,
 *    "sent","sessions_sent","send_errors","skipped","accepted","received",
 *    "applied","refreshed","unchanged","conflicts","unknown_service",
 *    "unknown_backend","write_errors","bulk_received","bulk_answered",
 *    "last_heard_s","rejected":{REASON:N,...}}]}
 * rejected has every reason of peer_reason_name() and over_rate. */
struct json_object *sync_json(const struct sync *s, __u64 now_ms);

/* Per-peer counters, for tests and metrics. */
struct sync_peer_stats {
	__u64 sent, sessions_sent, send_errors, skipped, queue_dropped;
	__u64 accepted, received, applied, refreshed, unchanged, conflicts;
	__u64 unknown_service, unknown_backend, write_errors, over_rate;
	__u64 bulk_received, bulk_answered;
	__u64 rejected[16];             /* by peer_reason, PEER_R_MAX of them */
};
int sync_n_peers(const struct sync *s);
const char *sync_peer_name(const struct sync *s, int i);
void sync_peer_stats(const struct sync *s, int i, struct sync_peer_stats *out);

void sync_close(struct sync *s);

/* ---- the rules, shared with tests and the bench (loader/sync_apply.c) -- */

/* Each service's ring as the map holds it, read once per ring change,
 * and its backends' names (a backend name lookup would otherwise walk
 * every backend slot of the state for each received session). */
struct sync_be_name {
	char name[SYNC_NAME_MAX + 1];
	__u32 id;
};
struct sync_rings {
	__u32 *ring[MIP6LB_MAX_SERVICES];
	__u64 sig[MIP6LB_MAX_SERVICES];  /* st's ring_sig when read */
	__u32 hash_id[MIP6LB_MAX_SERVICES]; /* its service_conf's, read with it */
	struct sync_be_name *names[MIP6LB_MAX_SERVICES];
	int n_names[MIP6LB_MAX_SERVICES];
	__u64 names_sig[MIP6LB_MAX_SERVICES];
	bool names_valid[MIP6LB_MAX_SERVICES];
};
void sync_rings_free(struct sync_rings *rc);
/* Does the session differ from what its own key hashes to on its
 * service's ring now (the only sessions worth sharing)?  A ring that
 * cannot be read counts as differing. */
bool sync_differs(struct sync_rings *rc, const struct dp_maps *m, const struct lb_state *st,
		  const struct mip6lb_session_key *key, const struct mip6lb_session *val);

/* The session as the group names it, with the lifetime it has left at
 * now_ns: 0, or -ENOENT when its service or backend has no configured
 * name, or it expired. */
int sync_entry_from_local(const struct lb_state *st, const struct mip6lb_session_key *key,
			  const struct mip6lb_session *val, __u64 now_ns, struct sync_entry *out);

enum sync_apply_result {
	SYNC_A_NEW = 0,                 /* written: there was none */
	SYNC_A_REFRESHED,               /* same backend, its last use moved on */
	SYNC_A_UNCHANGED,               /* same backend, the local one is fresher */
	SYNC_A_CONFLICT,                /* a local session has another backend */
	SYNC_A_UNKNOWN_SERVICE,
	SYNC_A_UNKNOWN_BACKEND,
	SYNC_A_WRITE_ERROR,
};
/* Apply one received session at now_ns (the datapath's clock): written
 * only where the tables have no session for the key or one with the same
 * backend, never over a live session with another backend.  A session of
 * kind coa goes into coa_sessions, others into sessions.  rc (may be
 * NULL) caches the backend names; a name it does not hold is looked up in
 * the state, so a cache older than the state only costs time. */
enum sync_apply_result sync_apply_entry(const struct dp_maps *m, const struct lb_state *st,
					struct sync_rings *rc, const struct sync_entry *e,
					__u64 now_ns);

#endif /* MIP6LB_SYNC_H */
