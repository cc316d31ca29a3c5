/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * notify_priv.h - the notification module's state, shared by its files.
 * Not for other users: notify.h is the interface.
 *
 *   notify.c               lifecycle, the socket, dispatch of datagrams and
 *                          new-session events, timers, the session scan
 *                          that subscribes nodes whose event was lost
 *   notify_peers.c         the configured peers: which peer asks for a home
 *                          address, whose datagram is this, authority
 *   notify_subscriptions.c SUBSCRIBE, its retries and renewals, the answers,
 *                          the per-peer bounds (count, token bucket) and
 *                          the negative cache of no_binding answers
 *   notify_bindings.c      the binding table: what BINDING_NOTIFY and
 *                          BINDING_SNAPSHOT do
 *   notify_coa.c           where a notification changes a map: coa session
 *                          writes and the sessions a binding carries
 *   notify_json.c          `binding list` and `peer list`
 *   addr_table.c           the hash table subscriptions and bindings live in
 */
#ifndef MIP6LB_NOTIFY_PRIV_H
#define MIP6LB_NOTIFY_PRIV_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include "notify.h"
#include "addr_table.h"
#include "config.h"
#include "dpmaps.h"
#include "peer_link.h"

/* A backend for a node in one service, in this instance's ids. */
struct nchoice {
	__u32 service_id;
	__u32 backend_id;
};

enum sub_state {
	SUB_PENDING = 0,     /* not subscribed: SUBSCRIBE sent, retrying */
	SUB_ACTIVE,          /* acknowledged, renewal not yet due */
	SUB_RENEWING,        /* acknowledged, renewal sent, retrying */
	SUB_REFUSED,         /* the peer said no; asked again much later */
	SUB_LAPSED,          /* the peer unsubscribed us */
};

struct nsub {
	struct addr_node h;             /* key: home address */
	int peer;
	__u8 mode;                      /* notify mode of the service that asked */
	__u8 state;                     /* enum sub_state */
	__u8 status;                    /* last SUBSCRIBE_ACK status */
	__u32 attempts;                 /* SUBSCRIBEs sent this round */
	__u32 backoff_ms;
	__u64 next_ms;                  /* next send (or renewal) */
	__u64 expires_ms;               /* end of the granted lifetime */
	__u64 round_seq, last_seq;      /* sequence numbers of this round */
	/* balancer group: the backends this instance names for the node in
	 * its GROUP_SUBSCRIBEs, one per service */
	struct nchoice ch[PROTO_MAX_CHOICES];
	int n_ch;
};

/* A home address its peer said no_binding for: not asked about again
 * until expires_ms (npeer.no_binding_ttl_s), neither by a new-session
 * event nor by the scan.  Kept in insertion order, which is expiry order
 * (one TTL per peer, see notify_neg_add()), so expiry and eviction take
 * the oldest first without walking the table. */
struct nneg {
	struct addr_node h;             /* key: home address */
	int peer;
	__u64 expires_ms;
	struct nneg *older, *newer;
};

struct attach {
	__u32 service_id;
	__u32 backend_id;
	__u32 anchor;                   /* the node's anchor hash (its sessions'
					 * flow_hash), so a coa session written
					 * without a lookup moves with the node */
	__u32 gen;                      /* notify.gen when backend_id was seen */
	__u64 seen_ms;                  /* ... and when */
};

struct nbinding {
	struct addr_node h;             /* key: home address */
	struct in6_addr coa;
	struct in6_addr old[NOTIFY_OLD_COAS]; /* most recent first */
	int n_old;
	int peer;                       /* -1 once the peer left the config */
	__u16 binding_seq;
	__u32 lifetime_s;
	__u64 expires_ms;
	struct attach att[NOTIFY_MAX_ATTACH];
	int n_att;
	/* The backends the node's balancer group agreed on, from the last
	 * GROUP_NOTIFY or GROUP_SNAPSHOT entry, as this instance's ids (an
	 * unknown backend name already replaced by the ring's pick). */
	struct nchoice agreed[PROTO_MAX_CHOICES];
	int n_agreed;
};

struct npeer {
	struct peer_link link;          /* name, sender, receive state, counters */
	__u8 role;                      /* MIP6LB_NOTIFY_HA or _MN */
	struct in6_addr addr;
	__u16 port;
	struct cfg_prefix *prefixes;
	int n_prefixes;
	struct in6_addr last_src;       /* role mn: where it was last heard from */
	bool has_last_src;
	__u64 no_session;
	/* Bounds on our subscriptions here (cfg_peer, defaults filled in) */
	__u32 max_subs;
	__u32 rate;                     /* SUBSCRIBEs per second */
	__u32 burst;
	__u32 no_binding_ttl_s;
	__u32 n_subs;                   /* entries in notify.subs for this peer */
	__u64 tokens_milli;             /* token bucket, thousandths of a SUBSCRIBE */
	__u64 bucket_ms;                /* when it was last filled */
	bool bucket_init;
	/* What the bounds cost (peer list) */
	__u64 over_limit;               /* new subscriptions refused: max_subs */
	__u64 rate_limited;             /* new subscriptions refused: no token */
	__u64 no_binding;               /* no_binding answers */
	__u64 negative_hits;            /* events and scans skipped: negative cache */
	/* balancer groups: what became of the backends the agent echoed */
	__u64 choice_agreed;            /* found here by name */
	__u64 choice_fallback;          /* unknown name: the ring's pick instead */
	__u64 choice_no_service;        /* no such service here: ignored */
};

/* One recvmmsg() slot. */
struct rxslot {
	__u8 buf[PROTO_MAX_MSG + 1];    /* one more: oversized is seen as such */
	struct sockaddr_in6 from;
	struct iovec iov;
	union {                         /* SO_RXQ_OVFL, aligned for CMSG_* */
		struct cmsghdr align;
		__u8 buf[PEER_DROPS_CMSG_SPACE];
	} ctl;
};

struct notify {
	char group[PROTO_NAME_LEN];     /* [daemon] notify_group, "" = none */
	int fd;
	__u16 port;
	struct in6_addr local;          /* bound address; :: = any */
	__u16 cfg_port;                 /* as configured, for reload */
	struct dp_maps maps;
	struct notify_opts opts;
	struct npeer *peers;
	int n_peers;
	struct addr_table subs;         /* struct nsub */
	struct addr_table bindings;     /* struct nbinding */
	struct addr_table neg;          /* struct nneg */
	struct nneg *neg_oldest, *neg_newest;
	/* The session scan (notify.c): armed when new-session events were
	 * lost (the datapath's event_dropped grew, or a subscription was
	 * refused for the rate or count) or negative entries expired. */
	bool scan_armed;
	__u64 scan_ms;                  /* last pass */
	__u64 ev_dropped_seen;          /* event_dropped at the last look */
	bool ev_dropped_known;
	struct notify_stats st;
	/* service_conf's notify modes, by service id (0: off or unused) */
	__u8 modes[MIP6LB_MAX_SERVICES];
	/* and their hash ids (mip6lb_service.hash_id), for the anchor of a
	 * node known only by its home address; read with the modes */
	__u32 hash_ids[MIP6LB_MAX_SERVICES];
	__u64 modes_ms;
	__u32 gen;                      /* bumped by notify_maps_changed() */
	/* coa sessions waiting for one bpf_map_update_batch() */
	struct mip6lb_session_key wq_key[NOTIFY_WRITE_BATCH];
	struct mip6lb_session wq_val[NOTIFY_WRITE_BATCH];
	int wq_n;
	bool no_update_batch;           /* the kernel refused it once */
	bool no_lookup_batch;
	struct rxslot *rx;              /* [NOTIFY_RX_BATCH] */
	struct mmsghdr *mm;             /* [NOTIFY_RX_BATCH] */
	int rcvbuf;                     /* granted by the kernel, bytes */
	__u32 rcvbuf_asked;             /* notify_rcvbuf it was set from */
	struct peer_drops drops;        /* datagrams the kernel dropped */
	__u64 drops_logged;             /* drops.total at the last warning */
	__u64 drops_log_ms;             /* ... and when */
};

static inline bool addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static inline const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN) ? buf : "?";
}

/* Message handlers (notify_subscriptions.c, notify_bindings.c): each checks
 * first and returns a peer_reason without touching anything, then acts and
 * returns 0.  pi is the index of the peer the datagram came from. */

/* ---- notify_peers.c ---- */
int notify_peers_from_config(const struct mip6lb_config *cfg, __u32 sender_id,
			     struct npeer **out, int *n_out);
void notify_peers_free(struct npeer *peers, int n);
/* On reload: *remap[old index] = index in fresh, or -1; a peer that stays
 * carries its replay windows and counters into fresh.  *remap is NULL
 * when there were no old peers.  0 or -ENOMEM. */
int notify_peers_carry(struct npeer *old, int n_old, struct npeer *fresh, int n_fresh,
		       int **remap);
/* May this peer speak for home? */
bool notify_peer_serves(const struct npeer *p, const struct in6_addr *home);
/* The peer to ask about home for a service with notify = mode, or -1. */
int notify_peer_for_home(const struct npeer *peers, int n, __u8 mode,
			 const struct in6_addr *home);
/* Where a SUBSCRIBE for home goes. */
void notify_peer_dest(const struct npeer *p, const struct in6_addr *home,
		      struct sockaddr_in6 *sa);
/* Whose datagram this is (before its MAC is checked), or -1: by source
 * address, a peer whose port also matches first (peer_link_accept() then
 * refuses any other port as wrong_port). */
int notify_peer_for_datagram(const struct notify *n, const struct sockaddr_in6 *from,
			     const __u8 *buf, size_t len);
int notify_send(struct notify *n, int pi, struct proto_msg *m, const struct sockaddr_in6 *to);

/* ---- notify_subscriptions.c ---- */
struct nsub *notify_sub_find(const struct notify *n, const struct in6_addr *home);
/* The peer's token bucket filled up to now_ms; how many whole SUBSCRIBEs
 * it holds. */
__u32 notify_peer_tokens(struct npeer *p, __u64 now_ms);
/* The live negative entry for home (expired ones are dropped here), or
 * NULL. */
struct nneg *notify_neg_find(struct notify *n, const struct in6_addr *home, __u64 now_ms);
/* Drop negative entries that expired (arms the scan when any did). */
void notify_neg_expire(struct notify *n, __u64 now_ms);
void notify_neg_drop(struct notify *n, struct nneg *g);
const char *notify_sub_state_name(const struct nsub *s);
/* A node's new session in a service with notify = mode: subscribe at its
 * peer, or ask again now after a refusal or a lapse; nothing while a
 * negative entry lives.  Refused (counted, scan armed) past the peer's
 * max_subs or when its bucket is empty.  True when home has a
 * subscription entry afterwards. */
bool notify_subscribe(struct notify *n, const struct in6_addr *home, __u8 mode, __u64 now_ms);
/* The same, naming backend_id as this instance's choice for service_id
 * in a grouped balancer's SUBSCRIBE (resent at once when that changes the
 * choices of an existing subscription).  MIP6LB_NO_SERVICE: none. */
bool notify_subscribe_choice(struct notify *n, const struct in6_addr *home, __u8 mode,
			     __u32 service_id, __u32 backend_id, __u64 now_ms);
/* Retries, renewals, and dropping subscriptions whose node has no session
 * left. */
void notify_subs_tick(struct notify *n, __u64 now_ms);
/* After a reload, peers[] the new peers: a subscription stays with its
 * peer, moves (and starts over) to another, or is dropped. */
void notify_subs_repoint(struct notify *n, struct npeer *peers, int n_peers,
			 const int *remap);
/* UNSUBSCRIBE every live subscription (at close). */
void notify_subs_unsubscribe_all(struct notify *n);
int notify_handle_ack(struct notify *n, int pi, const struct proto_subscribe_ack *a,
		      __u64 now_ms);
int notify_handle_unsubscribe(struct notify *n, int pi, const struct proto_unsubscribe *u,
			      __u64 now_ms);

/* ---- notify_bindings.c ---- */
struct nbinding *notify_binding_find(const struct notify *n, const struct in6_addr *home);
void notify_binding_drop(struct notify *n, struct nbinding *b);
void notify_bindings_expire(struct notify *n, __u64 now_ms);
void notify_bindings_repoint(struct notify *n, const int *remap);
int notify_handle_notify(struct notify *n, int pi, const struct proto_notify *nt,
			 __u64 now_ms);
int notify_handle_snapshot(struct notify *n, int pi, const struct proto_snapshot *sn,
			   __u64 now_ms);
int notify_handle_group_notify(struct notify *n, int pi, const struct proto_group_notify *g,
			       __u64 now_ms);
int notify_handle_group_snapshot(struct notify *n, int pi,
				 const struct proto_group_snapshot *g, __u64 now_ms);

/* ---- notify_group.c: balancer groups ---- */
/* The backend the group agreed on for the node in service_id, if any. */
bool notify_group_agreed(const struct nbinding *b, __u32 service_id, __u32 *backend_id);
/* Turn the echoed choices into b->agreed (counted per peer pi). */
void notify_group_resolve(struct notify *n, int pi, struct nbinding *b,
			  const struct proto_choices *ch);
/* Name the backend for service_id in s's choices: true when that changed
 * them.  A NO_SERVICE service_id changes nothing. */
bool notify_group_choose(struct notify *n, struct nsub *s, __u32 service_id, __u32 backend_id);
/* A new subscription's choices: the group's, when a binding brought any. */
void notify_group_sub_init(struct notify *n, struct nsub *s);
/* s's choices as the wire names them, each brought up to date with the
 * node's session here (or the group's agreement) first. */
void notify_group_choices(struct notify *n, struct nsub *s, struct proto_choices *out);
/* The ring's pick for the node's home address in service_id: 0 or
 * -ENOENT (empty ring, unusable backend). */
int notify_ring_pick(struct notify *n, __u32 service_id, const struct in6_addr *home,
		     __u32 *backend_id);

/* ---- notify_coa.c: where a notification changes a map ---- */
/* Re-read the services' notify modes into n->modes. */
void notify_modes_refresh(struct notify *n, __u64 now_ms);
__u8 notify_service_mode(const struct notify *n, __u32 id);
/* Queue the coa session for coa on backend_id; notify_wq_flush() writes
 * the queue. */
void notify_write_coa(struct notify *n, __u32 service_id, const struct in6_addr *coa,
		      __u32 backend_id, __u32 lifetime_s);
/* The same with the node's anchor (its session's flow_hash), so that the
 * coa session moves with the node's other sessions when their backend
 * goes; notify_write_coa() writes 0 (not known). */
void notify_write_coa_anchored(struct notify *n, __u32 service_id, const struct in6_addr *coa,
			       __u32 backend_id, __u32 anchor, __u32 lifetime_s);
void notify_wq_flush(struct notify *n);
/* Remember that the node's session in service_id is on backend_id. */
void notify_attach(struct notify *n, struct nbinding *b, __u32 service_id, __u32 backend_id,
		   __u32 anchor, __u64 now_ms);
int notify_carry_sessions(struct notify *n, struct nbinding *b, __u8 role,
			  const struct in6_addr *old, __u64 now_ms);
bool notify_node_alive(struct notify *n, const struct nbinding *b,
		       const struct in6_addr *home, __u8 mode);
/* The session at address a in service_id (any session table). */
bool notify_session_at(struct notify *n, __u32 service_id, const struct in6_addr *a,
		       struct mip6lb_session *val);

#endif /* MIP6LB_NOTIFY_PRIV_H */
