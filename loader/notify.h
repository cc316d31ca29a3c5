/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * notify.h - the balancer side of binding notifications (docs/protocol.md,
 * issue 4): mip6lbd subscribes to a node's Home Agent, or to the node
 * itself, when the datapath reports the node's first packet, and turns
 * every accepted BINDING_NOTIFY into a session of kind coa that carries
 * the backend of the node's existing session.  This is where a
 * notification changes a map.
 *
 * The module owns one UDP socket and no thread; the daemon's event loop
 * drives it:
 *
 *   notify_open()         at start, after the maps exist
 *   notify_fd()           add to epoll (EPOLLIN, level-triggered)
 *   notify_on_readable()  when notify_fd() is readable
 *   notify_on_event()     for each record of the datapath's `events` ring
 *                         buffer (or pass notify_ringbuf_cb to
 *                         ring_buffer__new() with the notify as ctx)
 *   notify_tick()         at least every NOTIFY_TICK_MS: retries, renewals,
 *                         expiry, the session scan
 *   notify_resync()       once after a restart that kept pinned sessions:
 *                         subscribes for the nodes that already have one
 *   notify_reload()       on SIGHUP / `reload`, with the new config
 *   notify_maps_changed() after any other change to services, backends
 *                         or sessions the daemon made (mip6lbctl service
 *                         and backend commands, session del, an aging
 *                         sweep that deleted something)
 *   notify_*_json()       for `binding list` and `peer list`
 *   notify_close()        at exit (sends UNSUBSCRIBE for live subscriptions)
 *
 * Clocks: every now_ms argument is CLOCK_MONOTONIC in milliseconds
 * (notify_now_ms()); it schedules retries and ages bindings, so tests may
 * pass a fake one.  Wire timestamps use the wall clock (proto_now_ms()) and
 * session last_used_ns uses dp_now_ns(), the datapath's clock, whatever
 * now_ms says.
 *
 * Decisions (docs/agent.md, "Balancer side", says the same for operators):
 *
 *  - Which peer: notify = ha asks the role = ha peer whose home_prefix
 *    covers the home address, longest prefix first.  notify = mn asks the
 *    role = mn peer whose addr is the home address (one [peer] per mobile
 *    node, keyed by its home address, which is also where the SUBSCRIBE
 *    goes: a mobile node is always reachable there).  A role = mn peer with
 *    home_prefix entries would act as a wildcard sharing one key for a
 *    prefix of nodes, the SUBSCRIBE going to the home address itself on
 *    the peer's port; config.c refuses home_prefix for role = mn today, so
 *    this only takes effect once it allows it.  No peer: nothing is sent,
 *    counted as no_peer.
 *  - Which datagram is whose: the peer whose addr is the source address;
 *    else the role = mn peer this source was last heard from; else the
 *    role = mn peer whose home address is the one the message is about
 *    (a node away from home sends from its care-of address).  The MAC
 *    check that follows decides; none matches: unknown_peer.
 *  - Sender ids: config.c has no per-peer sender_id, so a receiver learns
 *    them: a peer's key accepts any sender id, and the replay check runs
 *    per (peer, sender id) in up to PEER_RX_SLOTS slots, created only by
 *    a fully accepted message (lib/peer_rx.h, which the agent uses too).
 *    Our own sender id is notify_opts.sender_id.
 *  - Authority: a peer may only speak for the home addresses it would be
 *    asked about (its home_prefix for ha, its addr for mn); anything else
 *    is rejected as not_authoritative, and a notification only moves
 *    sessions of services whose notify mode equals the peer's role.
 *  - A notification before the node's first packet, or for a home address
 *    with no session in any service: accepted, remembered in the binding
 *    table (counted no_session), nothing written to the maps.  When the
 *    node's first packet later creates a session (the event), the coa
 *    session for the remembered care-of address is created at once.
 *  - Deregistration (lifetime 0) or a care-of address equal to the home
 *    address (the node is home): no coa session (the home session serves
 *    it); a deregistration drops the binding.
 *  - Rejections (proto_accept's reasons, plus not_authoritative and
 *    unexpected) are counted per peer and change nothing else, not even
 *    the replay window: policy runs on a copy of the peer's receive state,
 *    committed only when the message is acted upon.
 *  - Bounds (issue 12): per peer, at most max_subscriptions subscriptions
 *    and SUBSCRIBEs from a token bucket (subscribe_rate per second, bursts
 *    of subscribe_burst; first SUBSCRIBEs, retries and renewals alike);
 *    a new subscription refused for either is counted (over_limit,
 *    rate_limited) and left to the scan.  A Home Agent with no binding
 *    for the address answers no_binding and keeps nothing: the address
 *    goes into the negative cache for the peer's no_binding_ttl, during
 *    which neither events nor the scan ask about it; a BINDING_NOTIFY for
 *    it ends that at once.
 *  - Lost events: the datapath drops new-session events past its rate
 *    limit (event_dropped).  When that counter grows, or a subscription
 *    was refused for the bounds, or negative entries expired, the timer
 *    walks the session table (at most once a second) and subscribes the
 *    hoa/src sessions of notify services that have neither a subscription
 *    nor a negative entry, most recently used first, as far as the
 *    buckets allow (notify_scan()).
 *  - Snapshots: an entry we know (same CoA) writes the node's coa
 *    sessions again from its hoa/src session, so one that went missing
 *    comes back within a snapshot interval; a BINDING_NOTIFY repeating
 *    the CoA does the same.
 *  - Floods: a datagram from no peer's address costs a few compares (its
 *    MAC is never computed); one from a peer's address costs its HMAC.
 *    The receive buffer (notify_rcvbuf) holds the genuine messages while
 *    the loop works through a burst; what the kernel still drops is
 *    counted (rx_dropped_kernel: SO_RXQ_OVFL on every read and SO_MEMINFO
 *    on the timer) and warned about at most every NOTIFY_DROP_LOG_MS.
 */
#ifndef MIP6LB_NOTIFY_H
#define MIP6LB_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"
#include "proto.h"

struct mip6lb_config;
struct dp_maps;
struct json_object;

#define NOTIFY_TICK_MS            250     /* call notify_tick() at least this often */
#define NOTIFY_DEFAULT_SENDER_ID  1
#define NOTIFY_OLD_COAS           4       /* previous care-of addresses kept */
#define NOTIFY_MAX_ATTACH         4       /* sessions listed per binding */
/* Datagrams per notify_on_readable(): ~0.5 ms of work when every one is
 * a rejection at ~2 us (HMAC included), so under a flood the event loop
 * still gets to aging and control requests between two batches. */
#define NOTIFY_RX_BUDGET          256
#define NOTIFY_RX_BATCH           64      /* datagrams per recvmmsg() */
#define NOTIFY_WRITE_BATCH        256     /* coa sessions per map update syscall */
#define NOTIFY_DROP_LOG_MS        10000   /* kernel drops: one warning at most this often */
#define NOTIFY_SCAN_MAX           4096    /* nodes subscribed per scan pass at most */

/* ---- the balancer module ---------------------------------------------- */

struct notify;

/* Names for JSON.  A NULL function, or a NULL return, prints the id.
 * choice and resolve translate between this instance's ids and the names
 * every instance of a balancer group shares (docs/protocol.md, "Choices");
 * without them a grouped balancer names no backend and falls back to its
 * ring for every echoed one. */
struct notify_names {
	const char *(*service)(void *ctx, __u32 service_id);
	const char *(*backend)(void *ctx, __u32 backend_id);
	/* (service id, backend id) -> (vip, proto, port, backend name): 0, or
	 * -ENOENT when either is not configured. */
	int (*choice)(void *ctx, __u32 service_id, __u32 backend_id, struct proto_choice *out);
	/* The other way: 0 with both ids; -ENOENT with *service_id set when
	 * the service is here but no usable backend of that name is;
	 * -ESRCH when no service has that (vip, proto, port). */
	int (*resolve)(void *ctx, const struct proto_choice *c, __u32 *service_id,
		       __u32 *backend_id);
	void *ctx;
};

/* Tunables; zero fields take the defaults in brackets. */
struct notify_opts {
	__u32 sender_id;                /* [NOTIFY_DEFAULT_SENDER_ID] */
	__u32 sub_lifetime_s;           /* asked for in SUBSCRIBE [3600] */
	__u16 snapshot_interval_s;      /* asked for [30] */
	__u32 retry_initial_ms;         /* first SUBSCRIBE retry [1000] */
	__u32 retry_max_ms;             /* backoff cap [60000] */
	__u32 max_subscriptions;        /* [65536] */
	__u32 max_bindings;             /* [65536] */
	__u32 max_negative;             /* negative cache entries [65536] */
	struct notify_names names;
	/* Told of every coa session written (session sync, loader/sync.h).
	 * May be NULL. */
	void (*written)(void *ctx, const struct mip6lb_session_key *keys,
			const struct mip6lb_session *vals, int n);
	void *written_ctx;
};

/* Bind cfg->daemon.notify_addr : notify_port (port 0 = ephemeral, for
 * tests) with a receive buffer of cfg->daemon.notify_rcvbuf bytes (0: the
 * kernel's default; logged with what the kernel granted), take the [peer]
 * sections and their keys, keep a copy of *maps (the fds stay the
 * caller's).  opts may be NULL.  0 or -errno. */
int notify_open(struct notify **out, const struct mip6lb_config *cfg,
		const struct dp_maps *maps, const struct notify_opts *opts);
int notify_fd(const struct notify *n);
/* The bound port (host order): useful when it was ephemeral. */
__u16 notify_port(const struct notify *n);
/* The socket's receive buffer as the kernel granted it (bytes). */
int notify_rcvbuf(const struct notify *n);

/* Read up to NOTIFY_RX_BUDGET datagrams and act on them.  Returns the
 * number read (0 when none was waiting) or -errno for a socket error.
 * Bad datagrams are counted, never an error. */
int notify_on_readable(struct notify *n, __u64 now_ms);

/* A new-session event: subscribe for the node's home address when its
 * service has notify = ha or mn, and create the coa session at once if a
 * binding for that home address is already known. */
void notify_on_event(struct notify *n, const struct mip6lb_event *ev, __u64 now_ms);
/* ring_buffer__new() callback; ctx is the struct notify. */
int notify_ringbuf_cb(void *ctx, void *data, size_t len);

/* Retries with exponential backoff until SUBSCRIBE_ACK, renewal at two
 * thirds of the granted lifetime while the node still has a session
 * (UNSUBSCRIBE when it has none), binding expiry. */
void notify_tick(struct notify *n, __u64 now_ms);

/* Subscribe for every hoa/src session of a notify service in the map
 * (as far as the peers' bounds allow; the scan does the rest).
 * Returns the number of subscriptions started or -errno. */
long notify_resync(struct notify *n, __u64 now_ms);

/* One pass of the session scan now, whether armed or not (notify_tick()
 * runs it when armed): subscribes hoa/src sessions of notify services
 * with no subscription and no negative entry, newest first, within the
 * buckets.  Returns how many it subscribed or -errno. */
long notify_scan(struct notify *n, __u64 now_ms);

/*
 * What the module caches from the maps, and why this call exists: the
 * services' notify modes (one batched read of service_conf, refreshed by
 * notify_tick() at most once a second otherwise), and, per binding and
 * service, the backend of the node's session, reused for the node's next
 * notifications for up to a second instead of looking the session up
 * again.  This call re-reads the modes and forgets every remembered
 * backend.  notify_reload() includes it.
 */
void notify_maps_changed(struct notify *n, __u64 now_ms);

/* Peers, keys and prefixes changed.  A peer with the same name, address,
 * port, role and prefixes keeps its state (replay windows, counters,
 * subscriptions) and takes its new key; any other is new.  Subscriptions
 * whose peer changed start over.  A changed notify_listen needs a
 * restart (logged, the old socket stays).  0 or -errno (state unchanged). */
int notify_reload(struct notify *n, const struct mip6lb_config *cfg);

/* {"bindings":[{"home","coa","old_coas":[...],"peer","binding_seq",
 *   "lifetime_s","lifetime_left_s","session","subscription"}]}
 * One row per home address with a binding or a subscription.  coa is null
 * before the first notification; session is "SERVICE/BACKEND[, ...]" (the
 * coa sessions this binding wrote) or null; subscription is "pending",
 * "active", "renewing", "refused", "lapsed" or null. */
struct json_object *notify_bindings_json(const struct notify *n, __u64 now_ms);
/* {"peers":[{"name","role","addr","port","subscriptions","pending",
 *   "last_heard_s","accepted","rejected":{REASON:N,...},"no_session",
 *   "sent","send_errors","max_subscriptions","subscribe_rate",
 *   "subscribe_burst","over_limit","rate_limited","no_binding","negative",
 *   "negative_hits"}], "unknown_peer":N, "no_peer":N,
 *   "rx_dropped_kernel":N, "rcvbuf":BYTES, "scan_passes":N,
 *   "scan_subscribed":N}
 * over_limit and rate_limited count new subscriptions refused for
 * max_subscriptions and the bucket; no_binding the peer's no_binding
 * answers; negative the live negative entries; negative_hits the events
 * and scan candidates they spared a SUBSCRIBE.
 * rejected has every reason of peer_reason_name(), zeros included;
 * last_heard_s is null when never heard; rx_dropped_kernel counts the
 * datagrams the kernel dropped before the daemon could read them (full
 * receive buffer), rcvbuf is the buffer the kernel granted. */
struct json_object *notify_peers_json(const struct notify *n, __u64 now_ms);

/* Counters for tests and stats. */
struct notify_stats {
	__u64 unknown_peer;             /* datagrams from no configured peer */
	__u64 no_peer;                  /* events with no peer to ask */
	__u64 sessions_written;         /* coa sessions created or moved */
	__u64 no_session;               /* bindings with no session to carry */
	__u64 subscribes_sent;
	__u64 table_full;               /* subscriptions or bindings refused */
	__u64 rx_dropped_kernel;        /* datagrams dropped by the kernel, unread */
	__u64 scan_passes;              /* session scans that walked the table */
	__u64 scan_subscribed;          /* subscriptions the scans started */
	/* balancer groups (notify_group.c) */
	__u64 choice_agreed;            /* echoed backends this instance has */
	__u64 choice_fallback;          /* echoed backend unknown here: ring pick */
	__u64 choice_no_service;        /* echoed service unknown here: ignored */
};
void notify_get_stats(const struct notify *n, struct notify_stats *out);

/* The binding table, for tests: 0 and *coa (:: before any notification),
 * or -ENOENT. */
int notify_binding_coa(const struct notify *n, const struct in6_addr *home,
		       struct in6_addr *coa);
/* Subscription state name for home, "no_binding" while a negative entry
 * lives, or NULL when there is neither. */
const char *notify_subscription_state(const struct notify *n, const struct in6_addr *home);

void notify_close(struct notify *n);

/* notify_names.choice and .resolve over the daemon's model
 * (notify_state.c); ctx is the struct lb_state. */
struct lb_state;
int notify_state_choice(const struct lb_state *st, __u32 service_id, __u32 backend_id,
			struct proto_choice *out);
int notify_state_resolve(const struct lb_state *st, const struct proto_choice *c,
			 __u32 *service_id, __u32 *backend_id);

/* CLOCK_MONOTONIC in ms. */
__u64 notify_now_ms(void);

#endif /* MIP6LB_NOTIFY_H */
