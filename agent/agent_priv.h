/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* agent_priv.h - the agent's state, shared by agent.c (protocol and
 * tables), agent_ha.c (capture and feed) and agent_mn.c (rtnetlink).
 * Not for other users: agent.h is the interface. */
#ifndef MIP6LB_AGENT_PRIV_H
#define MIP6LB_AGENT_PRIV_H

#include "agent.h"
#include "peer_link.h"
#include "proto.h"

struct mnl_socket;

struct agent_peer {
	struct peer_link link;          /* name, sender, receive state, counters */
	struct in6_addr addr;
	int group;                      /* index in cfg.groups, -1: none */
};

struct agent_sub {
	int peer;
	struct in6_addr home;
	struct sockaddr_in6 reply;
	__u64 expires_ms;
	bool snapshots;
	/* A group member's: the backends it chose for the node, and when it
	 * first subscribed (the oldest live choice is the group's). */
	struct proto_choices ch;
	__u64 created_ms;
};

/* A no_binding answer, remembered for AGENT_WATCH_MS (agent.h). */
struct agent_watch {
	int peer;
	struct in6_addr home;
	struct sockaddr_in6 reply;
	__u32 lifetime_s;               /* the subscription lifetime asked for */
	bool snapshots;
	struct proto_choices ch;        /* a group member's choices */
	__u64 until_ms;                 /* 0: free */
};

/* A BU that asked for an acknowledgement, until the HA's BA decides. */
struct agent_pending {
	struct in6_addr home;
	struct in6_addr coa;
	__u16 seq;
	__u32 lifetime_s;
	__u64 at_ms;
};

#define AGENT_MN_MAX_ADDRS 64

struct agent_mn_addr {
	struct in6_addr addr;
	__u32 flags;                    /* IFA_F_* */
	__u8 scope;
	__u32 valid_s;                  /* 0xffffffff = forever */
	__u64 order;                    /* when it first appeared */
};

struct agent {
	struct agent_config cfg;        /* peers[] owned */
	int udp_fd, cap_fd, feed_fd;
	__u16 port;
	bool feed_bound;                /* we created cfg.feed_socket */
	struct agent_peer *peers;
	int n_peers;
	struct agent_sub *subs;
	int n_subs, cap_subs;
	struct agent_binding *bindings;
	int n_bindings, cap_bindings;
	struct agent_pending *pending;
	int n_pending, cap_pending;
	struct agent_watch watch[AGENT_WATCH_SLOTS];
	int watch_next;
	bool warned_unconfirmed;
	int rcvbuf;                     /* granted by the kernel, bytes */
	struct peer_drops drops;        /* datagrams the kernel dropped */
	__u64 drops_logged;             /* drops.total at the last warning */
	__u64 drops_log_ms;             /* ... and when */
	__u64 next_snapshot_ms;
	__u32 snapshot_id;
	struct agent_stats st;

	/* role mn */
	struct mnl_socket *nl;
	unsigned int nl_portid;
	int ifindex;
	struct agent_mn_addr addrs[AGENT_MN_MAX_ADDRS];
	int n_addrs;
	__u64 addr_order;
	bool has_coa;
	struct in6_addr coa;
	__u16 mn_seq;
};

/* agent.c */
bool agent_node_addr(const struct in6_addr *a);
/* agent_binding_update() for the node's own binding: never expires on
 * its own. */
int agent_binding_set(struct agent *a, const struct in6_addr *home, const struct in6_addr *coa,
		      __u32 lifetime_s, __u16 seq, bool persistent, __u64 now_ms);
const char *agent_fmt(const struct in6_addr *a, char *buf);
int agent_send(struct agent *a, int pi, struct proto_msg *m, const struct sockaddr_in6 *to);

/* agent_group.c: balancer groups (docs/protocol.md, "Balancer groups") */
/* The index of the [group] called name, or -1. */
int agent_group_find(const struct agent *a, const char *name);
/* The backends the group agreed on for home: per service, the choice of
 * the member whose live subscription is the oldest. */
void agent_group_choices(const struct agent *a, int g, const struct in6_addr *home,
			 struct proto_choices *out);
/* A notification about home (nt) to every subscriber and every member of
 * a subscriber's group: BINDING_NOTIFY to a peer in no group,
 * GROUP_NOTIFY with the agreed choices to a member. */
void agent_tell(struct agent *a, const struct proto_notify *nt);
/* The current binding b to every member of group g (a subscription that
 * started the group's coverage of the node, or changed its choices). */
void agent_tell_group(struct agent *a, int g, const struct agent_binding *b);
/* GROUP_SNAPSHOTs to every member of every group with subscriptions. */
void agent_group_snapshots(struct agent *a, __u64 now_ms);
/* Did the choices of a group for a node change (same services, same
 * backends)? */
bool agent_choices_differ(const struct proto_choices *x, const struct proto_choices *y);

#endif /* MIP6LB_AGENT_PRIV_H */
