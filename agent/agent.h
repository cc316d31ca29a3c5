/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * agent.h - mip6lb-agent, the other end of docs/protocol.md: it runs on a
 * Home Agent (role ha) or on a mobile node (role mn), accepts SUBSCRIBEs
 * from the balancers configured as [peer] sections, learns the node's
 * care-of address and tells every subscriber when it changes.
 *
 *   role ha: bindings come from the Mobility Headers on the Home Agent's
 *            link (agent_ha.c: an AF_PACKET socket with a classic BPF
 *            filter, Binding Updates confirmed by their Binding
 *            Acknowledgements) and from a local feed (a unix datagram
 *            socket, so any Home Agent software can drive it).
 *   role mn: the binding is the node's own: its home address and the
 *            global address of one interface, watched through rtnetlink
 *            (agent_mn.c).
 *
 * The program (mip6lb-agent.c) is an epoll loop over the fds below; the
 * agent itself has no thread and takes the clock as an argument (now_ms:
 * CLOCK_MONOTONIC milliseconds, peer_now_ms() of lib/peer_link.h), so
 * tests drive it directly.  docs/agent.md is the operator's page.
 */
#ifndef MIP6LB_AGENT_H
#define MIP6LB_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <sys/un.h>
#include <linux/filter.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"
#include "config.h"            /* struct cfg_peer */

#define AGENT_ROLE_HA MIP6LB_NOTIFY_HA
#define AGENT_ROLE_MN MIP6LB_NOTIFY_MN

#define AGENT_DEFAULT_PORT       5400
#define AGENT_DEFAULT_FEED       "/run/mip6lb/agent.sock"
#define AGENT_DEFAULT_SNAPSHOT_S 30
#define AGENT_DEFAULT_LIFETIME_S 3600     /* mn: announced for a permanent address */
#define AGENT_DEFAULT_MAX_SUBS   4096
#define AGENT_DEFAULT_MAX_BINDINGS 65536
/* The UDP socket's receive buffer (SO_RCVBUF): a balancer that restarts
 * resubscribes for every node at once, and a flood must not push those
 * SUBSCRIBEs out; as mip6lbd's notify_rcvbuf (docs/mip6lbd.md). */
#define AGENT_DEFAULT_RCVBUF     (4U << 20)
#define AGENT_DROP_LOG_MS        10000    /* kernel drops: one warning at most this often */
/* A Binding Update waiting for its Binding Acknowledgement is forgotten
 * after this long (RFC 6275 §13: INITIAL_BINDACK_TIMEOUT is 1 s, and the
 * node retransmits with a new sequence number). */
#define AGENT_BA_TIMEOUT_MS      3000
#define AGENT_FEED_MAX           256      /* one feed request, bytes */
/* role ha: a SUBSCRIBE for a home address with no binding is answered
 * no_binding and leaves no subscription (a flood of spoofed addresses
 * cannot fill the table, issue 12); only a short watch entry, in a ring
 * of AGENT_WATCH_SLOTS overwritten oldest first, so that a binding
 * learned within AGENT_WATCH_MS (a node's first packet reached the
 * balancer before its Binding Update was confirmed here) subscribes that
 * balancer after all and notifies it.  30 s: a node retransmits an
 * unacknowledged Binding Update for up to 32 s (RFC 6275 §13,
 * MAX_BINDACK_TIMEOUT); the ring, not the window, bounds the state. */
#define AGENT_WATCH_SLOTS        1024
#define AGENT_WATCH_MS           30000
#define AGENT_TICK_MS            250      /* call agent_tick() at least this often */

enum agent_confirm {
	AGENT_CONFIRM_BA = 0,   /* a BU with the A flag counts once the HA's
				 * BA accepts it (default) */
	AGENT_CONFIRM_BU = 1,   /* every home-registration BU counts at once */
};

/* A balancer group ([group NAME]): instances of one load balancer that a
 * subscription from any of them covers (docs/protocol.md, "Balancer
 * groups"). */
#define AGENT_MAX_GROUPS          64
#define AGENT_GROUP_MAX_MEMBERS   16

struct agent_group_cfg {
	char name[CFG_NAME_LEN];
	char members[AGENT_GROUP_MAX_MEMBERS][CFG_NAME_LEN]; /* [peer] names */
	int n_members;
	int line;                       /* of its [group] header */
};

struct agent_config {
	int role;                       /* AGENT_ROLE_*: from --role */
	struct in6_addr listen_addr;    /* default :: */
	__u16 listen_port;              /* default AGENT_DEFAULT_PORT; 0 = ephemeral */
	char iface[IF_NAMESIZE];        /* ha: link to watch ("" = feed only);
					 * mn: interface whose address is the CoA */
	bool has_home;
	struct in6_addr home_addr;      /* mn: the node's home address */
	__u32 snapshot_interval_s;      /* 0 = no snapshots */
	char feed_socket[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* ha; "" = off */
	__u32 sender_id;                /* default 1 */
	int confirm;                    /* enum agent_confirm (ha) */
	__u32 lifetime_s;               /* mn: announced lifetime cap */
	__u32 max_subscriptions;
	__u32 max_bindings;
	__u32 rcvbuf;                   /* SO_RCVBUF bytes; 0 = the kernel's default */
	/* The balancers the agent answers ([peer NAME], lib/peer_config.h):
	 * addr is where their SUBSCRIBEs come from; no role, no prefixes. */
	struct cfg_peer *peers;
	int n_peers;
	/* Balancer groups; a peer in none is a group of one. */
	struct agent_group_cfg *groups;
	int n_groups;
};

/*
 * The agent's INI file: one [agent] section and one [peer NAME] section
 * per balancer (addr, key_file, key_id: mip6lbd's [peer] without role and
 * home_prefix, parsed by the same lib/peer_config.c; docs/agent.md), and
 * [group NAME] sections (members = PEER, ...) for balancer groups.  Its
 * own file parser, because mip6lbd's config_load() knows no [agent]
 * section and requires role for every peer.  role says which keys are
 * required.  0, or -errno with err = "FILE:LINE: message".
 */
int agent_config_load(const char *path, int role, struct agent_config *cfg,
		      char *err, size_t errlen);
/* The same from text; a relative key_file is relative to the working
 * directory. */
int agent_config_parse_string(const char *text, const char *name, int role,
			      struct agent_config *cfg, char *err, size_t errlen);
void agent_config_free(struct agent_config *cfg);
const char *agent_role_name(int role);         /* "ha" | "mn" | "?" */

/* ---- the agent --------------------------------------------------------- */

struct agent;

struct agent_binding {
	struct in6_addr home;
	struct in6_addr coa;
	__u32 lifetime_s;
	__u16 seq;                      /* the BU's sequence number */
	__u64 expires_ms;               /* 0 = while the address lasts (mn) */
};

struct agent_stats {
	__u64 unknown_peer;             /* datagrams from no configured balancer */
	__u64 frames;                   /* captured frames */
	__u64 frames_bad;               /* malformed Mobility Headers */
	__u64 bu, ba;                   /* parsed BUs and BAs */
	__u64 bu_not_home;              /* BUs without the H flag: ignored */
	__u64 ba_rejected;              /* BAs with status >= 128 */
	__u64 ba_unmatched;             /* BAs with no BU waiting for them */
	__u64 bu_unconfirmed;           /* BUs whose BA never came */
	__u64 feed_ok, feed_bad;
	__u64 binding_changes;
	__u64 notifies_sent, snapshots_sent, send_errors;
	__u64 subs_refused;             /* REFUSED or NO_RESOURCES answered */
	__u64 no_binding;               /* NO_BINDING answered (role ha) */
	__u64 watch_promoted;           /* ... whose binding came within AGENT_WATCH_MS */
	__u64 subs_evicted;             /* subscriptions without a binding pushed
					 * out for one with a binding */
	__u64 table_full;
	__u64 addr_events;              /* mn: rtnetlink address messages */
	__u64 rx_dropped_kernel;        /* datagrams the kernel dropped, unread */
	/* balancer groups */
	__u64 group_notifies;           /* notifications to members that had not
					 * subscribed themselves (the fan-out) */
	__u64 choice_conflicts;         /* a member chose another backend than the
					 * one its group agreed on (first wins) */
};

/* Copy cfg, open the UDP socket on listen_addr:listen_port.  Nothing
 * role-specific: the program then calls agent_capture_open() and
 * agent_feed_open() (ha) or agent_mn_open() (mn).  0 or -errno, logged. */
int agent_open(struct agent **out, const struct agent_config *cfg);
/* Peers and keys (same-named peers at the same address keep their replay
 * state and counters), snapshot interval, confirm, lifetime and limits.
 * Changes to role, listen, interface, home_address and feed_socket are
 * logged as needing a restart.  0 or -errno (nothing changed). */
int agent_reload(struct agent *a, const struct agent_config *cfg);
/* UNSUBSCRIBEs every subscriber, closes everything, removes the feed
 * socket. */
void agent_close(struct agent *a);

int agent_udp_fd(const struct agent *a);
__u16 agent_port(const struct agent *a);
/* Read up to 256 datagrams; count of datagrams read, or -errno. */
int agent_on_udp(struct agent *a, __u64 now_ms);
/* Subscription and binding expiry, unconfirmed BUs, snapshots.  Call at
 * least every AGENT_TICK_MS. */
void agent_tick(struct agent *a, __u64 now_ms);

/* A binding learned from anywhere.  A new home address, or a care-of
 * address different from the known one, is a change: every subscriber of
 * the home address gets a BINDING_NOTIFY with the old CoA.  The same CoA
 * only refreshes the lifetime.  lifetime 0 deregisters (notified, then
 * forgotten).  0, or -ENOSPC when the table is full, -EINVAL for an
 * address that is not a node address. */
int agent_binding_update(struct agent *a, const struct in6_addr *home,
			 const struct in6_addr *coa, __u32 lifetime_s, __u16 seq,
			 __u64 now_ms);
/* NULL when unknown. */
const struct agent_binding *agent_binding_find(const struct agent *a,
					       const struct in6_addr *home);
/* Seconds a binding has left at now_ms, rounded up (its lifetime when it
 * never expires; 0 once it has). */
__u32 agent_binding_left_s(const struct agent_binding *b, __u64 now_ms);
int agent_binding_count(const struct agent *a);
int agent_subscription_count(const struct agent *a);
void agent_get_stats(const struct agent *a, struct agent_stats *out);
/* What the agent took from and refused of the [peer] called name (reason:
 * a proto_reason or peer_reason, peer_rx.h): counts, or -ENOENT. */
long long agent_peer_accepted(const struct agent *a, const char *name);
long long agent_peer_rejected(const struct agent *a, const char *name, int reason);

/* ---- role ha: Mobility Headers on the wire, and the feed --------------- */

/* The classic BPF program attached to the packet socket (agent_ha.c
 * explains it).  It runs on Ethernet frames: the same layout
 * bpf_filter() from libpcap takes as struct bpf_insn. */
extern const struct sock_filter agent_mh_filter[];
extern const unsigned int agent_mh_filter_len;

/* AF_PACKET socket on cfg->iface with the filter attached; fd or -errno.
 * Needs CAP_NET_RAW. */
int agent_capture_open(struct agent *a);
int agent_capture_fd(const struct agent *a);
/* Read up to 256 frames; count or -errno. */
int agent_on_capture(struct agent *a, __u64 now_ms);
/* One Ethernet frame: 1 when it was a BU or BA that the agent used (or
 * holds for its BA), 0 when it was ignored, a negative errno from
 * mh_parse_eth() when it was no Mobility Header or a malformed one. */
int agent_on_frame(struct agent *a, const __u8 *frame, size_t len, __u64 now_ms);

/* The local feed: a unix datagram socket taking "HOA COA LIFETIME [SEQ]"
 * (lifetime in seconds, 0 deregisters) and answering "ok" or
 * "error: ..." to the sender's address.  Mode 0600.  fd, 0 when
 * cfg->feed_socket is empty, or -errno. */
int agent_feed_open(struct agent *a);
int agent_feed_fd(const struct agent *a);
int agent_on_feed(struct agent *a, __u64 now_ms);
/* One request; fills reply ("ok" / "error: ..."); 0 or -EINVAL. */
int agent_feed_line(struct agent *a, const char *line, char *reply, size_t rlen,
		    __u64 now_ms);
/* The client side (`mip6lb-agent feed`): send line to the socket at path
 * and wait up to timeout_ms for the answer.  0 when the agent said "ok",
 * -EINVAL when it said "error: ..." (in reply), other -errno on failure. */
int agent_feed_send(const char *path, const char *line, char *reply, size_t rlen,
		    int timeout_ms);

/* ---- role mn: the node's own addresses --------------------------------- */

/* rtnetlink socket on RTNLGRP_IPV6_IFADDR, after a dump of the current
 * addresses (which sets the first care-of address).  fd or -errno. */
int agent_mn_open(struct agent *a);
int agent_mn_fd(const struct agent *a);
/* Read the pending address messages and notify if the CoA changed.
 * 0 or -errno. */
int agent_on_netlink(struct agent *a, __u64 now_ms);
/* The current care-of address: 0, or -ENOENT when the interface has no
 * eligible global address. */
int agent_mn_coa(const struct agent *a, struct in6_addr *coa);

#endif /* MIP6LB_AGENT_H */
