/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * state.h - the daemon's model of its services and backends and the one
 * function that makes the maps match a config: state_apply().  Start,
 * reload (SIGHUP) and every control-socket change go through it, so they
 * all diff the same way.
 *
 * Ids.  A session stores its service id and backend id, so ids must not
 * move under live sessions:
 *  - at start, state_new() reads the (possibly adopted) maps, and the first
 *    apply matches configured services by their (vip, proto, port) key and
 *    backends by (service id, addr), reusing those ids;
 *  - on later applies services match by name, then by key (a renamed
 *    service, or one whose port changed, keeps its id), backends by
 *    (service id, addr);
 *  - new objects get the free id that has been free the longest (never-used
 *    ids first, lowest first), so a freed backend id is not handed out again
 *    while others are available.
 */
#ifndef MIP6LB_STATE_H
#define MIP6LB_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "mip6lb.h"
#include "config.h"
#include "dpmaps.h"

struct nh_resolver;
struct maglev_backend;

struct st_nh {
	bool valid;
	bool from_config;            /* the backend's mac override */
	int err;                     /* last resolution: 0, -EAGAIN, -ENETUNREACH, ... */
	__u32 ifindex;
	__u32 mtu;                   /* the egress interface's, 0 = unknown */
	__u8 dmac[6];
	__u8 smac[6];
};

struct st_service {
	bool used;
	struct cfg_service cfg;      /* cfg.name[0] == 0: found in the maps, not configured */
	struct mip6lb_service_key key;
	int n_backends;              /* configured for it */
	__u32 n_ring;                /* on its ring: up, not drained or disabled,
				      * weight > 0 */
	__u64 ring_sig;              /* of the ring in the map; 0 = unknown */
	__u64 ring_layout;           /* its slots by member name, for the
				      * fingerprint; 0 = unknown */
	__u64 freed_seq;             /* when it was last freed; 0 = never used */
};

struct st_backend {
	bool used;
	__u32 service_id;
	struct cfg_backend cfg;      /* cfg.name[0] == 0: found in the maps, not configured */
	struct st_nh nh;
	__u32 svc_mtu;               /* its service's mtu key, 0 = the egress's */
	__u64 nh_retry_ns;           /* when an unresolved next hop is tried again */
	__u64 nh_grace_ns;           /* a known next hop under re-discovery is
				      * kept until then (state_nexthop.c) */
	__u32 nh_backoff_s;
	struct mip6lb_backend written; /* what the backends map holds */
	__u64 freed_seq;
	/* Run-time state (state_backend_state()); kept across applies. */
	bool down;                   /* failed its health checks: off the ring,
				      * its sessions re-hash (ACTIVE clear) */
	bool drain_expired;          /* drained past its deadline: its
				      * sessions re-hash too */
	__u64 drain_deadline_ns;     /* 0 = none (CLOCK_MONOTONIC) */
	__u64 state_ns;              /* when its state last changed */
};

/* What `backend list` calls a backend's state. */
enum st_be_state {
	ST_BE_ACTIVE = 0,            /* on the ring */
	ST_BE_DRAINED,               /* no new sessions, keeps its own */
	ST_BE_DOWN,                  /* failed its checks: no sessions at all */
	ST_BE_DISABLED,              /* taken out by the operator: no sessions */
};

/* Offline next hop (state_new_offline): what every backend gets instead
 * of a resolved one; a backend's mac override still replaces dmac, as it
 * would on the daemon. */
struct st_fixed_nh {
	__u32 ifindex;
	__u8 dmac[6];
	__u8 smac[6];
};

struct lb_state {
	const struct dp_maps *maps;
	struct nh_resolver *nh;      /* NULL: only mac + dev overrides resolve */
	bool offline;                /* next hops are fixed_nh, never resolved */
	struct st_fixed_nh fixed_nh;
	struct mip6lb_config cfg;    /* the applied config (owned) */
	struct st_service svcs[MIP6LB_MAX_SERVICES];
	struct st_backend *bes;      /* [MIP6LB_MAX_BACKENDS] */
	__u64 seq;
	__u32 *ring;                 /* scratch: MIP6LB_RING_SIZE slots */
	struct maglev_backend *mb;   /* scratch */
	char (*mb_names)[2 * CFG_NAME_LEN + 1];
	__u32 adopted_services;      /* found in the maps by state_new() */
	__u32 adopted_backends;
};

/* Read the maps (adoption) into a new state.  nh may be NULL. */
int state_new(struct lb_state **out, const struct dp_maps *maps, struct nh_resolver *nh);
/*
 * The same for maps that no interface uses (mip6lbctl classify runs
 * packets through the program with bpf_prog_test_run): every backend's
 * next hop is *nh (its dmac replaced by the backend's mac, if configured),
 * valid, whatever its addr and dev say.  Nothing touches the network: no
 * netlink, no interface lookups.  Ids, rings, VIP defaults and everything
 * else state_apply() writes are exactly the daemon's: on fresh maps,
 * services and backends get ids 0, 1, ... in config order.
 */
int state_new_offline(struct lb_state **out, const struct dp_maps *maps,
		      const struct st_fixed_nh *nh);
void state_free(struct lb_state *st);

/*
 * Make the maps match cfg (already validated by config.c): add, update in
 * place, remove; rebuild the rings whose members changed; rewrite vips and
 * settings.  On success the state owns cfg's contents and *cfg is left
 * empty.  Sessions of surviving backends are never touched; sessions of a
 * removed service are deleted; sessions of a removed backend stay and
 * re-hash on their next packet.  On -ENOMEM before any write nothing
 * changed; a map write failure is logged and returned, the rest is still
 * applied (and the next apply retries).
 */
int state_apply(struct lb_state *st, struct mip6lb_config *cfg);

/* Load path and apply it; fixup (may be NULL) adjusts the loaded config
 * first (command-line overrides).  A config error leaves the state as it
 * was and returns -EINVAL with err = "FILE:LINE: message". */
int state_reload_file(struct lb_state *st, const char *path,
		      void (*fixup)(struct mip6lb_config *cfg, void *arg), void *arg,
		      char *err, size_t errlen);

/* Re-resolve next hops and rewrite the entries that changed; returns how
 * many did.  all (a neighbour, link or route changed): every backend, except
 * those failing with an error other than -EAGAIN, which keep their backoff;
 * else (the one-second timer): the unresolved ones that are due.  A pending
 * neighbour is retried every second, other failures after 1, 2, 4, 8, then
 * every NH_MAX_BACKOFF_S seconds. */
#define NH_MAX_BACKOFF_S 16
int state_nh_refresh(struct lb_state *st, bool all);

/* Deep copy of a config (peers' keys included); dst must be empty. */
int state_cfg_copy(struct mip6lb_config *dst, const struct mip6lb_config *src);

/* ---- runtime changes (control socket) ---------------------------------- */

/* One argument of service add / backend add: the config file's key and
 * its value as text. */
struct st_kv {
	const char *key;
	const char *val;
};

/* Each builds the new object with config.c's own key table and checks
 * (config_service_build, config_backend_build: no config text is made
 * from the arguments), checks it against the running ones, and applies.
 * A refused change leaves the state as it was; err gets a message
 * without FILE:LINE. */
int state_service_add(struct lb_state *st, const char *name, const struct st_kv *kv, int n,
		      char *err, size_t errlen);
int state_service_del(struct lb_state *st, const char *name, char *err, size_t errlen);
int state_backend_add(struct lb_state *st, const char *service, const char *name,
		      const struct st_kv *kv, int n, char *err, size_t errlen);
int state_backend_del(struct lb_state *st, const char *service, const char *name,
		      char *err, size_t errlen);
int state_backend_drain(struct lb_state *st, const char *service, const char *name,
			bool drained, char *err, size_t errlen);
/* Drain with a deadline: after deadline_s seconds (0 = none) its
 * remaining sessions re-hash on their next packet (state_drain_tick). */
int state_backend_drain_deadline(struct lb_state *st, const char *service, const char *name,
				 __u32 deadline_s, char *err, size_t errlen);
/* Disable (HAProxy's MAINT): off its ring, and its sessions re-hash on
 * their next packet; health checks go on.  Enable: back on the ring for
 * new sessions (those that moved stay where they are); a drained backend
 * stays drained. */
int state_backend_disable(struct lb_state *st, const char *service, const char *name,
			  bool disabled, char *err, size_t errlen);

/* ---- run-time backend states (health checks, drain deadlines) ---------- */

/* The health checker's verdict on backend id: down takes it off its ring
 * (rebuilt at once) and clears ACTIVE in its map entry so that its
 * sessions re-hash on their next packet; up puts it back for new sessions
 * (sessions that moved stay where they are).  0, -ENOENT, or a map error. */
int state_backend_set_down(struct lb_state *st, __u32 id, bool down);
/* Drained backends whose deadline has passed at now_ns: their sessions
 * re-hash from now on.  Returns how many expired. */
int state_drain_tick(struct lb_state *st, __u64 now_ns);
/* Its state, by precedence: disabled, down, drained, active. */
enum st_be_state state_backend_state(const struct lb_state *st, __u32 id);
const char *st_be_state_name(enum st_be_state s);

/* Lookups over the model: ids, or -ENOENT. */
int state_service_id(const struct lb_state *st, const char *name);
int state_backend_id(const struct lb_state *st, const char *service, const char *name);
/* Ids to names, the one way every program turns them back: the configured
 * object's name, or NULL for an id out of range, free, or only adopted
 * from the maps (not configured yet). */
const char *state_service_name(const struct lb_state *st, __u32 id);
const char *state_backend_name(const struct lb_state *st, __u32 id);
/* Configured objects (adopted leftovers not counted). */
int state_count_services(const struct lb_state *st);
int state_count_backends(const struct lb_state *st);

/* ---- fingerprints (state_fingerprint.c) -------------------------------- */

/* What decides the backend of a new identity in service id, from names
 * and config values only (never local ids): two instances whose
 * fingerprints are equal pick the same backend for every identity.  0;
 * -ENOENT for no configured service; -EAGAIN when its ring was never
 * written (a map write failed). */
int state_service_fingerprint(const struct lb_state *st, __u32 id, __u64 *fp);
/* The same over every configured service, in name order.  Always fills
 * *fp; returns the first service's error (which then counts as 0). */
int state_fingerprint(const struct lb_state *st, __u64 *fp);
/* Printed as 16 hex digits. */
#define STATE_FP_FMT "%016llx"

#endif
