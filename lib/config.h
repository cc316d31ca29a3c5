/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * config.h - the daemon's INI file (parsed with libinih), validated as a
 * whole before anything touches a map.  The format is a contract: the keys
 * are in config.c's key table, their defaults in the begin_*() functions
 * there and in the comments below.
 *
 * Errors come back as "FILE:LINE: message", naming the key and the value.
 */
#ifndef MIP6LB_CONFIG_H
#define MIP6LB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"
#include "strparse.h"

#define CFG_NAME_LEN          32    /* service, backend, peer names incl. NUL */
#define CFG_MAX_IFACES        16
#define CFG_MAX_PEERS         256
#define CFG_MAX_HOME_PREFIXES 64    /* per peer */
#define CFG_KEY_MIN           32    /* bytes of a peer's key_file */
#define CFG_KEY_MAX           64
#define CFG_NOTIFY_PORT       5400  /* default notification port */
#define CFG_SYNC_PORT         5401  /* default session-sync port (sync_listen) */
/* [peer] role = balancer: another mip6lbd of the group, for session sync
 * (loader/sync.h); a value past enum mip6lb_notify's, which the other
 * roles use. */
#define CFG_ROLE_BALANCER     3
/* Session sync (docs/sync.md): per balancer peer, sessions sent per
 * second and the queue of sessions waiting to be sent; per daemon, the
 * refresh walk and the longest wait for the bulk transfer at start. */
#define CFG_SYNC_RATE         20000
#define CFG_SYNC_QUEUE        65536
#define CFG_SYNC_REFRESH_S    10
#define CFG_SYNC_BULK_TIMEOUT_S 10
/* Default notify_rcvbuf (SO_RCVBUF of the notification socket): room for
 * a burst of genuine notifications behind a flood; docs/mip6lbd.md has
 * the arithmetic. */
#define CFG_NOTIFY_RCVBUF     (4U << 20)
#define CFG_MAX_LIFETIME      (86400U * 365)
/* A balancer's subscriptions per [peer] (issue 12): at most
 * max_subscriptions at a time, SUBSCRIBEs (first, retry and renewal) at
 * subscribe_rate per second with bursts of subscribe_burst, and a home
 * address the peer said no_binding for is not asked about again for
 * no_binding_ttl seconds.  docs/mip6lbd.md has the reasoning. */
#define CFG_PEER_MAX_SUBS       16384
#define CFG_PEER_SUB_RATE       200
#define CFG_PEER_SUB_BURST      500
#define CFG_PEER_NO_BINDING_TTL 300

/* Health checks (docs/mip6lbd.md "Health checks"): the defaults detect a
 * dead backend within about 3 s (a failed probe is repeated at once). */
#define CFG_HEALTH_INTERVAL_MS 2000
#define CFG_HEALTH_TIMEOUT_MS  1000
#define CFG_HEALTH_RISE        2
#define CFG_HEALTH_FALL        2
#define CFG_HEALTH_PATH_LEN    128
#define CFG_METRICS_PORT       9654  /* metrics_listen without a port */
/* Admission of new identities (docs/PERFORMANCE.md "Admission"). */
#define CFG_NEW_PER_SEC        100000
#define CFG_PROBATION_MS       1000
/* VIP announcement (docs/scale-out.md): a /128 per VIP through a TUN
 * device of mip6lbd's own into a routing table that the routing daemon
 * learns and announces over BGP. */
#define CFG_ANNOUNCE_TABLE     200
#define CFG_ANNOUNCE_DEV       "mip6lb-vips"
#define CFG_ANNOUNCE_WAIT_S    10
/* Packet Too Big messages per second per CPU (RFC 4443 §2.4 (f)), and the
 * shortest lb_addr prefix (docs/mip6lbd.md "Packet Too Big", "Tunnel
 * entropy"). */
#define CFG_PTB_RATE           1000
#define CFG_LB_PLEN_MIN        64

/* What a health probe does; CFG_HEALTH_INHERIT (0, a zeroed struct) is a
 * backend that takes its service's. */
enum cfg_health_type {
	CFG_HEALTH_INHERIT = 0,
	CFG_HEALTH_NONE,
	CFG_HEALTH_TCP,                 /* a connection is accepted */
	CFG_HEALTH_UDP,                 /* a datagram is answered */
	CFG_HEALTH_HTTP,                /* GET health_path answers 2xx or 3xx */
};

/* A service's health check, or a backend's overrides (0 / "" = the
 * service's value). */
struct cfg_health {
	__u8 type;                      /* enum cfg_health_type */
	__u8 rise;                      /* successes to come back up */
	__u8 fall;                      /* failures to go down */
	__u16 port;                     /* 0: the service's port */
	__u32 interval_ms;
	__u32 timeout_ms;
	char path[CFG_HEALTH_PATH_LEN]; /* http only */
};

enum cfg_xdp_mode {
	CFG_XDP_AUTO = 0,   /* native if the driver has it, else generic */
	CFG_XDP_NATIVE,
	CFG_XDP_GENERIC,
};

struct cfg_daemon {
	char ifaces[CFG_MAX_IFACES][IF_NAMESIZE];
	int n_ifaces;
	int xdp_mode;                   /* enum cfg_xdp_mode */
	struct in6_addr notify_addr;    /* default :: */
	__u16 notify_port;              /* default CFG_NOTIFY_PORT */
	__u32 notify_rcvbuf;            /* SO_RCVBUF bytes, default CFG_NOTIFY_RCVBUF */
	char notify_group[CFG_NAME_LEN]; /* balancer group, "" = none (a group of one) */
	__u32 sweep_interval_s;         /* default 1 */
	__u32 max_sessions;             /* default MIP6LB_MAX_SESSIONS */
	__u32 events_per_sec;           /* per CPU, default 1000 */
	__u32 new_per_sec;              /* new_sessions_per_sec: per CPU, default
					 * CFG_NEW_PER_SEC, 0 = no limit */
	__u32 probation_ms;             /* default CFG_PROBATION_MS, 0 = off */
	__u32 probation_sessions;       /* probation slots, 0 = dp_sizes_default */
	__u32 max_bindings;             /* coa_sessions slots, MIP6LB_MAX_BINDINGS */
	__u32 ptb_per_sec;              /* ptb_rate: per CPU, default CFG_PTB_RATE,
					 * 0 = no Packet Too Big */
	bool has_metrics;               /* metrics_listen given: off by default */
	struct in6_addr metrics_addr;
	__u16 metrics_port;             /* default CFG_METRICS_PORT */
	bool announce;                  /* announce = on: off by default */
	__u32 announce_table;           /* default CFG_ANNOUNCE_TABLE */
	char announce_dev[IF_NAMESIZE]; /* default CFG_ANNOUNCE_DEV */
	/* Longest wait at start for the backends' next hops before the VIPs
	 * are announced anyway; default CFG_ANNOUNCE_WAIT_S, 0 = no wait. */
	__u32 announce_wait_s;
	/* Session sync, used when a [peer] has role = balancer */
	struct in6_addr sync_addr;      /* sync_listen, default :: */
	__u16 sync_port;                /* default CFG_SYNC_PORT */
	__u32 sync_refresh_s;           /* default CFG_SYNC_REFRESH_S */
	__u32 sync_bulk_timeout_s;      /* default CFG_SYNC_BULK_TIMEOUT_S */
};

struct cfg_service {
	char name[CFG_NAME_LEN];
	struct in6_addr vip;
	__u8 proto;                     /* IPPROTO_TCP, IPPROTO_UDP, 0 = any */
	__u16 port;                     /* host order, 0 = any */
	__u8 id_order[MIP6LB_MAX_ID_ORDER]; /* enum mip6lb_kind, priority order */
	__u8 n_ids;
	bool eui64_only;
	__u8 forward;                   /* enum mip6lb_forward */
	__u8 chain_policy;              /* enum mip6lb_chain_policy */
	__u8 notify;                    /* enum mip6lb_notify */
	bool has_lb_addr;
	struct in6_addr lb_addr;        /* outer source for ip6ip6 */
	__u8 lb_plen;                   /* 128, or a prefix (64..127) whose host
					 * bits carry each node's hash */
	__u32 mtu;                      /* ip6ip6: the backends' link MTU; 0 = each
					 * backend's egress interface's */
	__u32 lifetime_s;
	struct cfg_health health;       /* type CFG_HEALTH_NONE by default */
	int line;                       /* of its [service] header */
};

struct cfg_backend {
	char service[CFG_NAME_LEN];
	char name[CFG_NAME_LEN];
	int service_idx;                /* index into services[] */
	struct in6_addr addr;
	__u32 weight;                   /* 0..65535, default 1 */
	bool has_mac;
	__u8 mac[6];                    /* next-hop MAC override */
	char dev[IF_NAMESIZE];          /* egress override, "" = resolve */
	bool drained;
	/* Taken out by the operator (state = disabled, backend disable): off
	 * the ring and its sessions re-hash at once, health checks go on.
	 * Independent of drained: enabling a drained backend leaves it
	 * drained. */
	bool disabled;
	/* Seconds a drained backend keeps its sessions; then they re-hash on
	 * their next packet.  0 = until each is idle for its lifetime. */
	__u32 drain_deadline_s;
	struct cfg_health health;       /* overrides of its service's */
	int line;                       /* of its [backend] header */
};

struct cfg_prefix {
	struct in6_addr addr;
	int plen;
};

struct cfg_peer {
	char name[CFG_NAME_LEN];
	struct in6_addr addr;
	__u16 port;                     /* default CFG_NOTIFY_PORT */
	char *key_file;                 /* as resolved (see config_load) */
	__u8 key[CFG_KEY_MAX];          /* the file's raw bytes */
	__u32 key_len;                  /* CFG_KEY_MIN..CFG_KEY_MAX */
	__u32 key_id;                   /* default 1 */
	__u8 role;                      /* MIP6LB_NOTIFY_HA or MIP6LB_NOTIFY_MN */
	struct cfg_prefix *home_prefixes; /* role ha only */
	int n_home_prefixes;
	/* balancer only: the bounds on our subscriptions at this peer */
	__u32 max_subscriptions;        /* default CFG_PEER_MAX_SUBS */
	__u32 subscribe_rate;           /* per second, default CFG_PEER_SUB_RATE */
	__u32 subscribe_burst;          /* default CFG_PEER_SUB_BURST */
	__u32 no_binding_ttl_s;         /* default CFG_PEER_NO_BINDING_TTL */
	/* role = balancer only: session sync */
	__u32 sync_rate;                /* sessions per second, CFG_SYNC_RATE */
	__u32 sync_queue;               /* queued sessions, CFG_SYNC_QUEUE */
	int line;                       /* of its [peer] header */
};

struct mip6lb_config {
	struct cfg_daemon daemon;
	struct cfg_service *services;   /* at most MIP6LB_MAX_SERVICES */
	int n_services;
	struct cfg_backend *backends;   /* at most MIP6LB_MAX_BACKENDS in all */
	int n_backends;
	struct cfg_peer *peers;         /* at most CFG_MAX_PEERS */
	int n_peers;
};

/*
 * Parse and validate path into *cfg (which need not be initialised).  A
 * relative key_file is taken relative to the config file's directory.
 * Returns 0, or a negative errno with err = "FILE:LINE: message" (or
 * "FILE: message" when the file itself cannot be read) and *cfg empty.
 * Key files are read here, so a running daemon never needs them again.
 */
int config_load(const char *path, struct mip6lb_config *cfg, char *err, size_t errlen);

/* The same from a string; name is used only in messages, and a relative
 * key_file is taken relative to the working directory. */
int config_parse_string(const char *text, const char *name, struct mip6lb_config *cfg,
			char *err, size_t errlen);

/* Free what config_load allocated and wipe the keys.  Safe on an empty
 * (zeroed or failed) config; leaves *cfg zeroed. */
void config_free(struct mip6lb_config *cfg);

/* Index into cfg->services, or -ENOENT. */
int config_service_index(const struct mip6lb_config *cfg, const char *name);

/* The service_conf map value.  n_backends is left 0: only the caller knows
 * how many backends made it onto the ring. */
void config_service_to_map(const struct cfg_service *svc, __u32 id, struct mip6lb_service *out);
/* The service's hash_id (mip6lb_service.hash_id): a function of its name
 * only, so that every instance with the same config hashes identities
 * alike whatever local id the service has (bpf/hash.h). */
__u32 config_service_hash_id(const char *name);
/* The services map key. */
void config_service_key(const struct cfg_service *svc, struct mip6lb_service_key *out);

/* One argument of a section: a config file key and its value as text. */
struct cfg_kv {
	const char *key;
	const char *val;
};

/*
 * One [service NAME] or [backend SERVICE NAME] built from key/value pairs
 * (the control socket's service add and backend add) with the file's own
 * grammar and messages, minus FILE:LINE: the header's name rules, each
 * key's check, the section's required keys; a value a file line could not
 * hold (a control character, ';', '#') is refused.  No text is formatted
 * and parsed.  Checks across sections (same vip, proto and port; same
 * addr; a backend's service; events_per_sec) are the caller's: a backend
 * comes back with service_idx -1.  0, or a negative errno and err.
 */
int config_service_build(struct cfg_service *out, const char *name, const struct cfg_kv *kv,
			 int n, char *err, size_t errlen);
int config_backend_build(struct cfg_backend *out, const char *service, const char *name,
			 const struct cfg_kv *kv, int n, char *err, size_t errlen);

const char *xdp_mode_name(int mode);   /* "auto" | "native" | "generic" */
const char *health_type_name(int type); /* "none" | "tcp" | "udp" | "http" */

/* A backend's health check: its overrides over its service's. */
void config_health_resolve(const struct cfg_service *svc, const struct cfg_backend *be,
			   struct cfg_health *out);

#endif
