/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * mip6lb.h - the single truth for everything the datapath, the daemon, the
 * CLI and the tests share: map keys and values, identity kinds, counter
 * indexes and limits.  It compiles in BPF (after vmlinux.h) and in userspace
 * (after <linux/types.h> and <netinet/in.h>).
 */
#ifndef MIP6LB_H
#define MIP6LB_H

/* ---- limits ------------------------------------------------------------ */

/* Extension headers walked before the chain counts as too long.  RFC 8200
 * allows any number; 8 covers HBH, DestOpt, Routing, DestOpt, Fragment, AH,
 * ESP and one spare.  Overridable at build time (-DMIP6LB_MAX_EXT_HDRS=N). */
#ifndef MIP6LB_MAX_EXT_HDRS
#define MIP6LB_MAX_EXT_HDRS 8
#endif
/* TLV options (Pad1 included) walked inside one Destination Options
 * header; beyond it the rest is counted (opt_malformed), not read.  Linux
 * accepts at most 8 non-padding options and 7 bytes of padding in a row
 * (net.ipv6.max_dst_opts_number), which 16 steps cover in practice. */
#ifndef MIP6LB_MAX_DST_OPTS
#define MIP6LB_MAX_DST_OPTS 16
#endif

#define MIP6LB_MAX_SERVICES   64
#define MIP6LB_MAX_BACKENDS   4096
/* Maglev ring size per service: a prime, so every skip is coprime to it. */
#define MIP6LB_RING_SIZE      65537
#define MIP6LB_MAX_SESSIONS   (1 << 20)   /* default; the daemon may resize */
/* probation (admission, session.h): default slots, and the daemon's
 * default share of max_sessions when it is not configured. */
#define MIP6LB_PROBATION_SLOTS 65536
/* coa_sessions: default slots (daemon.max_bindings). */
#define MIP6LB_MAX_BINDINGS   65536
#define MIP6LB_MAX_FRAGS      65536
#define MIP6LB_MAX_VIPS       256
#define MIP6LB_MAX_ID_ORDER   4           /* hoa, spi, iid, src */
#define MIP6LB_EVENTS_BYTES   (256 * 1024)

/* last_used is refreshed only when it is this much out of date, so a busy
 * session costs one map write per second, not one per packet. */
#define MIP6LB_TOUCH_NS       1000000000ULL

/* Default session lifetime (seconds) when a service sets none. */
#define MIP6LB_DEFAULT_LIFETIME 300

/* ---- enums ------------------------------------------------------------- */

/* Identity kinds.  hoa, src and coa share one address keyspace
 * (MIP6LB_SPACE_ADDR): a node's home address must find the same session
 * whether it arrives in a Home Address option, as the source on the home
 * link, or as a care-of address announced by a binding notification. */
enum mip6lb_kind {
	MIP6LB_KIND_NONE = 0,
	MIP6LB_KIND_HOA  = 1,
	MIP6LB_KIND_SPI  = 2,
	MIP6LB_KIND_IID  = 3,
	MIP6LB_KIND_SRC  = 4,
	MIP6LB_KIND_COA  = 5,
	MIP6LB_KIND_MAX,
};

/* Keyspace of a session key; several kinds may share one. */
enum mip6lb_space {
	MIP6LB_SPACE_NONE = 0,
	MIP6LB_SPACE_ADDR = 1,  /* hoa, src, coa: a full IPv6 address */
	MIP6LB_SPACE_SPI  = 2,  /* ESP or AH SPI (per service, hence per VIP) */
	MIP6LB_SPACE_IID  = 3,  /* low 64 bits of the source address */
};

enum mip6lb_forward {
	MIP6LB_FWD_L2_DSR = 0,
	MIP6LB_FWD_IP6IP6 = 1,
};

/* What to do with a chain longer than MIP6LB_MAX_EXT_HDRS. */
enum mip6lb_chain_policy {
	MIP6LB_CHAIN_BALANCE_SRC = 0,
	MIP6LB_CHAIN_DROP        = 1,
};

enum mip6lb_notify {
	MIP6LB_NOTIFY_OFF = 0,
	MIP6LB_NOTIFY_HA  = 1,
	MIP6LB_NOTIFY_MN  = 2,
};

/* Service flags (MIP6LB_SVC_ACTIVE marks a configured service_conf slot). */
#define MIP6LB_SVC_EUI64_ONLY  (1U << 0)

/* Backend flags. */
#define MIP6LB_BE_ACTIVE       (1U << 0)  /* configured; sessions may use it */
#define MIP6LB_BE_DRAINED      (1U << 1)  /* no new sessions, keeps old ones */
#define MIP6LB_BE_NH_VALID     (1U << 2)  /* ifindex and MACs are resolved */
/* Why a configured backend is not ACTIVE, for the re-hash counters
 * (bpf/session.h mip6lb_rehash_reason); only read when ACTIVE is clear.
 * Drained past its deadline is ACTIVE clear with DRAINED set; an entry
 * with none of these (cleared, or of another service) was removed. */
#define MIP6LB_BE_DOWN         (1U << 3)  /* failed its health checks */
#define MIP6LB_BE_DISABLED     (1U << 4)  /* taken out by the operator */

/* Counter indexes.  Every pass or drop has its own reason here; the CLI
 * prints them by the names in mip6lb_counter_names[].  Datapath helpers
 * return a negative index as the reason a packet ends (bpf/counters.h). */
enum mip6lb_counter {
	MIP6LB_CNT_RX = 0,             /* every packet the program saw */
	MIP6LB_CNT_KIND_HOA,           /* balanced, by identity kind */
	MIP6LB_CNT_KIND_SPI,
	MIP6LB_CNT_KIND_IID,
	MIP6LB_CNT_KIND_SRC,
	MIP6LB_CNT_KIND_COA,
	MIP6LB_CNT_SESSION_NEW,        /* miss: backend picked on the ring */
	MIP6LB_CNT_SESSION_HIT,
	MIP6LB_CNT_SESSION_REHASH,     /* session's backend was gone */
	MIP6LB_CNT_SESSION_PROMOTED,   /* found by a lower identity, copied up */
	MIP6LB_CNT_FRAG_TRACKED,       /* later fragment followed its first */
	MIP6LB_CNT_TX,                 /* XDP_TX */
	MIP6LB_CNT_REDIRECT,           /* XDP_REDIRECT via tx_ports */
	MIP6LB_CNT_PASS_NOT_IPV6,
	MIP6LB_CNT_PASS_NOT_SERVICE,
	MIP6LB_CNT_DROP_MALFORMED,     /* truncated or inconsistent header */
	MIP6LB_CNT_CHAIN_TOO_LONG,     /* counted, then per-service policy */
	MIP6LB_CNT_DROP_CHAIN_POLICY,
	MIP6LB_CNT_HAO_MALFORMED,      /* bad HAO ignored, packet still balanced */
	MIP6LB_CNT_OPT_MALFORMED,      /* an option overran its header, or too many */
	MIP6LB_CNT_FRAG_UNTRACKED,     /* balanced by source address */
	MIP6LB_CNT_DROP_NO_BACKEND,
	MIP6LB_CNT_DROP_NO_NEXTHOP,
	MIP6LB_CNT_DROP_ENCAP,         /* bpf_xdp_adjust_head failed */
	MIP6LB_CNT_EVENT_SENT,
	MIP6LB_CNT_EVENT_DROPPED,      /* rate limit or ring buffer full */
	/* Admission (session.h): a new identity goes into sessions within
	 * settings.new_per_sec per CPU; over it (or with sessions full) it is
	 * recorded on probation, and enters sessions when seen again
	 * settings.probation_ms later; with probation off it is forwarded by
	 * the ring unrecorded. */
	MIP6LB_CNT_SESSION_UNRECORDED, /* over the budget, probation off */
	MIP6LB_CNT_SESSION_TABLE_FULL, /* sessions full: not recorded there */
	MIP6LB_CNT_PROBATION_NEW,      /* new identity recorded on probation */
	MIP6LB_CNT_PROBATION_HIT,      /* packet of an identity on probation */
	MIP6LB_CNT_PROBATION_PASSED,   /* moved from probation into sessions */
	/* Packet Too Big for ip6ip6 (bpf/ptb.h): a packet that would exceed
	 * its backend's mtu once encapsulated ends here, as in a router. */
	MIP6LB_CNT_PTB_SENT,           /* answered with Packet Too Big (XDP_TX) */
	MIP6LB_CNT_DROP_PTB_RATE,      /* over settings.ptb_per_sec: unanswered */
	MIP6LB_CNT_DROP_TOO_BIG,       /* no PTB may answer it (an ICMPv6 error,
					* a source that is not one node's,
					* RFC 4443 §2.4 (e)) */
	/* session_rehash by the reason its backend was not usable, in the
	 * order of enum mip6lb_rehash_reason; they add up to session_rehash. */
	MIP6LB_CNT_REHASH_DOWN,        /* failed its health checks */
	MIP6LB_CNT_REHASH_DRAINED,     /* drained past its deadline */
	MIP6LB_CNT_REHASH_DISABLED,    /* disabled by the operator */
	MIP6LB_CNT_REHASH_REMOVED,     /* deleted, or moved to another service */
	/* ICMPv6 errors to a VIP (icmp_error.h): each forwarded one counts
	 * one of the first two, besides rx, its kind and tx/redirect. */
	MIP6LB_CNT_ICMP_ERROR_SESSION, /* to the backend of its flow's session */
	MIP6LB_CNT_ICMP_ERROR_RING,    /* no session: ring pick by the quoted
					* client's identity, nothing recorded */
	MIP6LB_CNT_DROP_ICMP_MALFORMED,/* quote truncated or inconsistent */
	MIP6LB_CNT_MAX,
};

/* Why a session re-hashed: its counter is MIP6LB_CNT_REHASH_DOWN + reason.
 * When several apply, one is counted by the precedence `backend list`
 * shows states with (lib/state_health.c): disabled over down over drained
 * (bpf/session.h mip6lb_rehash_reason). */
enum mip6lb_rehash_reason {
	MIP6LB_REHASH_DOWN = 0,
	MIP6LB_REHASH_DRAINED,
	MIP6LB_REHASH_DISABLED,
	MIP6LB_REHASH_REMOVED,
	MIP6LB_REHASH_MAX,
};
_Static_assert(MIP6LB_CNT_REHASH_REMOVED - MIP6LB_CNT_REHASH_DOWN ==
	       MIP6LB_REHASH_REMOVED - MIP6LB_REHASH_DOWN, "re-hash counters follow the reasons");

/* ---- map keys and values ---------------------------------------------- */

/* services: (vip, proto, port) -> service id.  proto 0 = any, port 0 = any;
 * the datapath tries exact, then (vip, proto, 0), then (vip, 0, 0).  The
 * service itself lives in the service_conf array at that id, so later
 * fragments and the daemon can reach it by id. */
struct mip6lb_service_key {
	struct in6_addr vip;
	__u8  proto;
	__u8  pad;
	__u16 port;                    /* host byte order */
};

struct mip6lb_service_ref {
	__u32 id;                      /* index into service_conf and rings */
};

#define MIP6LB_SVC_ACTIVE      (1U << 31)

struct mip6lb_service {
	__u32 id;                      /* index into rings, < MIP6LB_MAX_SERVICES */
	__u32 flags;                   /* MIP6LB_SVC_* */
	__u8  id_order[MIP6LB_MAX_ID_ORDER]; /* enum mip6lb_kind, priority order */
	__u8  n_ids;
	__u8  forward;                 /* enum mip6lb_forward */
	__u8  chain_policy;            /* enum mip6lb_chain_policy */
	__u8  notify;                  /* enum mip6lb_notify */
	__u32 lifetime_s;              /* idle lifetime of its sessions */
	__u32 n_backends;              /* 0 = ring empty */
	struct in6_addr lb_addr;       /* outer source for ip6ip6 */
	/* lb_addr as a prefix (tunnel entropy): the bits set here, in the
	 * address's last 32 bits (network order), are taken from the node's
	 * identity hash, so each node has its own outer source; 0 = lb_addr
	 * as it is (a /128).  config.c: mip6lb_lb_host_mask(). */
	__be32 lb_host_mask;
	__u32 hash_id;                 /* what the identity hash takes in place
					* of the session key's local id: derived
					* from the service's name (the daemon's
					* config_service_hash_id), so instances
					* with one config hash alike whatever ids
					* their histories gave (bpf/hash.h) */
};

/* vips: vip -> the service used for packets that carry no port (later
 * fragments nobody tracked, chains too long to reach the upper layer), and
 * fast_id: the VIP's only service when that service is (vip, any, any), so
 * the common case costs one hash lookup instead of three.  userspace keeps
 * fast_id current (dp_vips_refresh); MIP6LB_NO_SERVICE when it does not
 * apply. */
#define MIP6LB_NO_SERVICE 0xffffffffU

struct mip6lb_vip {
	__u32 service_id;
	__u32 fast_id;
};

/*
 * 8-byte loads and stores of addresses and session keys.  clang lowers a
 * memcpy from a byte pointer into byte loads and stores for BPF, and the
 * key builder and the kernel's jhash and memcmp then read those bytes back
 * as words: a load that spans several narrower pending stores cannot be
 * forwarded and stalls (measured: a session hit went from 52 to 47 ns, and
 * the session lookup alone from about 20 to 8).  The datapath may load
 * unaligned packet data (the verifier allows it where the arch has
 * efficient unaligned access); in userspace memcpy does the same without
 * an alignment or aliasing assumption.
 */
static inline __u64 mip6lb_get64(const void *p)
{
#ifdef __bpf__
	return *(const __u64 *)p;
#else
	__u64 v;

	__builtin_memcpy(&v, p, 8);
	return v;
#endif
}

static inline void mip6lb_put64(void *p, __u64 v)
{
#ifdef __bpf__
	*(__u64 *)p = v;
#else
	__builtin_memcpy(p, &v, 8);
#endif
}

/* vip_index: the datapath's copy of vips, an array of buckets it searches
 * with one inlined array lookup and at most four address compares instead
 * of a hash-map call (jhash, bucket walk, memcmp).  A VIP lives in bucket
 * mip6lb_vip_bucket_of(vip), in any slot whose bit is set in `used` (an
 * all-zero map is empty).  A bucket that cannot hold all of its VIPs is
 * flagged MIP6LB_VIPB_OVERFLOW and its misses fall back to the vips hash
 * map, so the index is never wrong, only slower.  Userspace rebuilds it
 * from vips (dp_vips_refresh) without moving a VIP that stays. */
#define MIP6LB_VIP_BUCKET_BITS  10
#define MIP6LB_VIP_BUCKETS      (1U << MIP6LB_VIP_BUCKET_BITS)  /* 4x MAX_VIPS */
#define MIP6LB_VIP_BUCKET_SLOTS 4
#define MIP6LB_VIPB_OVERFLOW    0x1

struct mip6lb_vip_slot {
	struct in6_addr addr;
	struct mip6lb_vip vip;
};

struct mip6lb_vip_bucket {
	__u32 flags;                   /* MIP6LB_VIPB_* */
	__u32 used;                    /* bit i: slot[i] holds a VIP */
	struct mip6lb_vip_slot slot[MIP6LB_VIP_BUCKET_SLOTS];
};

/* The address's two 64-bit halves xor-folded to 32 bits, times a golden
 * ratio constant, top bits: one multiply on the datapath's critical path
 * (a bucket that holds more VIPs than slots stays correct through the
 * overflow fallback).  Host byte order, the same in the datapath and in
 * userspace on one host; the datapath reads 8-byte-aligned addresses. */
static inline __u32 mip6lb_vip_bucket_of(const struct in6_addr *addr)
{
	__u64 x = mip6lb_get64(addr) ^ mip6lb_get64((const __u8 *)addr + 8);

	return ((__u32)(x ^ (x >> 32)) * 0x9e3779b1U) >> (32 - MIP6LB_VIP_BUCKET_BITS);
}

/* backends: array indexed by backend id. */
struct mip6lb_backend {
	struct in6_addr addr;
	__u32 service_id;
	__u32 flags;                   /* MIP6LB_BE_* */
	__u32 ifindex;                 /* egress */
	__u8  dmac[6];                 /* backend or gateway MAC */
	__u8  smac[6];                 /* egress interface MAC */
	/* ip6ip6: the largest packet the egress carries, outer header
	 * included (the service's mtu, else the egress interface's); an
	 * inner packet longer than mtu - 40 is answered with Packet Too Big
	 * (bpf/ptb.h).  0 = unknown: no check. */
	__u16 mtu;
	__u16 pad;
};

/* sessions, coa_sessions and probation: one key and value type. */
struct mip6lb_session_key {
	__u32 service_id;
	__u8  space;                   /* enum mip6lb_space */
	__u8  pad[3];
	union {
		struct in6_addr addr;  /* SPACE_ADDR */
		__u32 spi;             /* SPACE_SPI, host byte order */
		__u64 iid;             /* SPACE_IID, network byte order bytes */
	} id;
};
/* mip6lb_identity_key writes it as three 8-byte words (identity.h). */
_Static_assert(sizeof(struct mip6lb_session_key) == 24, "session key is 3 words");
_Static_assert(__builtin_offsetof(struct mip6lb_session_key, id) == 8, "id is word 1");

/* Session flags. */
#define MIP6LB_SESS_PROBATION  (1U << 0)  /* lives in probation, not sessions */
/* Written (or refreshed) by session sync from another instance and not
 * used here since: the datapath clears it when it refreshes last use, so
 * the daemon sends only sessions this instance used itself
 * (loader/sync.c), and a copy is not echoed back to where it came from. */
#define MIP6LB_SESS_SYNCED     (1U << 1)

struct mip6lb_session {
	__u32 backend_id;
	__u8  kind;                    /* the kind that created it */
	__u8  flags;                   /* MIP6LB_SESS_* */
	__u8  pad[2];
	__u32 lifetime_s;              /* idle lifetime; 0 = never ages */
	__u32 flow_hash;               /* the node's anchor: the identity hash
					* of the key its first session was made
					* for, copied into every alias, promoted
					* and coa session of the node.  A session
					* whose backend is gone re-hashes on it,
					* so a node moves as one; ip6ip6 also
					* takes its flow label from it.  0 = not
					* known (the datapath then uses the
					* session's own key) */
	__u64 last_used_ns;            /* CLOCK_MONOTONIC, coarse; on probation:
					* when the identity was first seen */
};
_Static_assert(sizeof(struct mip6lb_session) == 24, "session value is 3 words");

/* frags: the first fragment's choice, for the datagram's later fragments. */
struct mip6lb_frag_key {
	struct in6_addr src;
	struct in6_addr dst;
	__u32 id;                      /* Fragment header identification */
	__u32 pad;
};

struct mip6lb_frag {
	__u32 service_id;
	__u32 backend_id;
	__u8  kind;
	__u8  pad[3];
	__u32 hash;                    /* the first fragment's choice hash: later
					* fragments leave with its flow label and
					* outer source (ip6ip6) */
};

/* counters and backend_stats: per-CPU. */
struct mip6lb_counter_val {
	__u64 packets;
	__u64 bytes;
};

/* service_stats: per service id, per CPU. */
struct mip6lb_service_stats {
	__u64 midflow_new;             /* packets that found no session and are
					* TCP without SYN: a connection whose
					* session was lost (evicted, a restart,
					* another instance) */
};

/* counters: the one per-CPU entry holds every counter, indexed by enum
 * mip6lb_counter, so a packet finds all it counts with one lookup. */
struct mip6lb_counters {
	struct mip6lb_counter_val c[MIP6LB_CNT_MAX];
};

/* events: ring buffer record for each new session, so the daemon can
 * subscribe to the node's Home Agent or the node itself. */
struct mip6lb_event {
	__u32 type;                    /* MIP6LB_EV_* */
	__u32 backend_id;
	struct mip6lb_session_key key;
	__u8  kind;
	__u8  has_hao;
	__u8  pad[2];
	__u32 anchor;                  /* the session's flow_hash (its node's anchor) */
	struct in6_addr home_addr;     /* HAO address, else source address */
	struct in6_addr src;
	__u64 ts_ns;
};

#define MIP6LB_EV_SESSION_NEW 1
/* A higher identity got a lower one's session (mip6lb_session_promote):
 * key is the new session; session sync shares it, since the ring cannot
 * rebuild it elsewhere. */
#define MIP6LB_EV_SESSION_PROMOTED 2

/* event_window: per CPU, the one-second window that rate-limits events
 * (settings.events_per_sec) and the new identities recorded
 * (settings.new_per_sec); restarted by the first packet after its second. */
struct mip6lb_event_window {
	__u64 start_ns;
	__u32 sent;                    /* events */
	__u32 admitted;                /* new identities recorded */
};

/* Datapath tunables, one array slot; the daemon writes it.  All zero (a
 * fresh map) is the datapath without admission control: every new
 * identity goes straight into sessions. */
struct mip6lb_settings {
	__u32 events_per_sec;          /* per CPU; 0 = no events */
	__u32 new_per_sec;             /* per CPU: new identities that go into
					* sessions per second; above it they go
					* on probation, or with probation off are
					* forwarded unrecorded; 0 = no limit */
	__u32 probation_ms;            /* an identity on probation enters
					* sessions when seen again at least this
					* long after its first packet; 0 = no
					* probation */
	__u32 ptb_per_sec;             /* per CPU: Packet Too Big messages per
					* second (bursts of as many); 0 = none */
};

/* ptb_bucket: per CPU, the token bucket of ptb_per_sec as a theoretical
 * arrival time (GCRA): a PTB may go when tat_ns is less than one second
 * ahead of now, and moves it 1 s / ptb_per_sec on. */
struct mip6lb_ptb_bucket {
	__u64 tat_ns;
};

/* The outer header ip6ip6 adds (RFC 2473), and the largest invoking packet
 * an ICMPv6 error quotes: the IPv6 minimum MTU less its own IPv6 and ICMPv6
 * headers (RFC 4443 §2.4 (c), §3.2). */
#define MIP6LB_ENCAP_OVERHEAD 40
#define MIP6LB_IPV6_MIN_MTU   1280
#define MIP6LB_PTB_QUOTE      (MIP6LB_IPV6_MIN_MTU - 40 - 8)
/* The smallest mtu a PTB can be sent for: mtu - 40 must not be below the
 * IPv6 minimum, or a client would clamp it to 1280 and still not fit. */
#define MIP6LB_PTB_MIN_MTU    (MIP6LB_IPV6_MIN_MTU + MIP6LB_ENCAP_OVERHEAD)

/* lb_host_mask for a prefix length (64..128): the host bits within the
 * address's last 32, network order; 0 for a /128. */
static inline __u32 mip6lb_lb_host_mask(unsigned int plen)
{
	__u32 m;

	if (plen >= 128)
		return 0;
	m = plen <= 96 ? 0xffffffffU : (1U << (128 - plen)) - 1;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	m = __builtin_bswap32(m);
#endif
	return m;
}

static inline __u8 mip6lb_kind_space(__u8 kind)
{
	switch (kind) {
	case MIP6LB_KIND_HOA:
	case MIP6LB_KIND_SRC:
	case MIP6LB_KIND_COA:
		return MIP6LB_SPACE_ADDR;
	case MIP6LB_KIND_SPI:
		return MIP6LB_SPACE_SPI;
	case MIP6LB_KIND_IID:
		return MIP6LB_SPACE_IID;
	}
	return MIP6LB_SPACE_NONE;
}

/* ---- mip6lb-decap: the backend's IPv6-in-IPv6 decapsulator ------------- */
/* A separate XDP program (bpf/decap.bpf.c) for the backends of ip6ip6
 * services, on hosts without ip6tnl or SRv6 End.DT6.  Its types live here
 * too, so that the program, the mip6lb-decap tool and the tests share one
 * definition. */

/* decap_addrs: the outer destinations this host decapsulates for. */
#define MIP6LB_DECAP_MAX_ADDRS 64

struct mip6lb_decap_addr {
	struct in6_addr addr;
};

struct mip6lb_decap_addr_val {
	__u32 flags;                   /* none yet; room without a new layout */
	__u32 pad;
};

/* decap_counters: one per-CPU slot, indexed by enum mip6lb_decap_counter.
 * Every frame counts rx and exactly one of the others, so the reasons add
 * up to rx. */
enum mip6lb_decap_counter {
	MIP6LB_DCNT_RX = 0,             /* every frame the program saw */
	MIP6LB_DCNT_DECAPSULATED,       /* outer header stripped, XDP_PASS */
	MIP6LB_DCNT_PASS_NOT_IPV6,      /* not an IPv6 frame: untouched */
	MIP6LB_DCNT_PASS_NOT_OURS,      /* outer destination not a decap address */
	MIP6LB_DCNT_PASS_NOT_TUNNEL,    /* to a decap address, next header not 41 */
	MIP6LB_DCNT_DROP_TRUNCATED,     /* outer or inner header cut short */
	MIP6LB_DCNT_DROP_BAD_LENGTH,    /* payload lengths disagree with the frame */
	MIP6LB_DCNT_DROP_INNER_NOT_IPV6,/* next header 41, inner version not 6 */
	MIP6LB_DCNT_DROP_NESTED,        /* inner next header 41 again */
	MIP6LB_DCNT_DROP_MALFORMED,     /* to a decap address, outer version not 6 */
	MIP6LB_DCNT_DROP_ECN,           /* outer CE over a Not-ECT inner (RFC 6040 §4.2) */
	MIP6LB_DCNT_DROP_ERROR,         /* bpf_xdp_adjust_head refused */
	MIP6LB_DCNT_MAX,
};

struct mip6lb_decap_counters {
	struct mip6lb_counter_val c[MIP6LB_DCNT_MAX];
};

#endif /* MIP6LB_H */
