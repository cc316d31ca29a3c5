// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * agent_group.c - balancer groups: the instances of one load balancer,
 * listed in the agent's config as [group NAME] members = PEER, ... .  A
 * subscription from any member covers the group: every notification and
 * snapshot about the node goes to every member, and carries the backends
 * the group agreed on for it, so that an instance that never saw the node
 * writes its coa session with the backend the others use
 * (docs/protocol.md, "Balancer groups").
 *
 * Who agreed: each member's subscription names the backends that member
 * chose (one per service); per service the choice of the member whose live
 * subscription is the oldest wins, and stays the group's while that
 * subscription lives (renewals keep its age; the member itself may change
 * its choice, e.g. after its backend was removed).  A newer member that
 * chose otherwise is counted (choice_conflicts) and told the agreed one.
 *
 * Where to: a member with a subscription for the node gets it at its
 * subscription's reply address, one without at its [peer] addr and port
 * (the port it sends from is the one it listens on, docs/protocol.md
 * "Transport and ports").  The group is only ever what the agent's config
 * says: a member cannot name others to be told.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent_priv.h"
#include "log.h"

static bool addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

int agent_group_find(const struct agent *a, const char *name)
{
	int g;

	for (g = 0; g < a->cfg.n_groups; g++)
		if (!strcmp(a->cfg.groups[g].name, name))
			return g;
	return -1;
}

bool agent_choices_differ(const struct proto_choices *x, const struct proto_choices *y)
{
	int i, j;

	if (x->count != y->count)
		return true;
	for (i = 0; i < x->count; i++) {
		for (j = 0; j < y->count; j++)
			if (proto_choice_same_service(&x->c[i], &y->c[j]))
				break;
		if (j == y->count || strcmp(x->c[i].backend, y->c[j].backend))
			return true;
	}
	return false;
}

/* The subscription of a member of g for home that is older than best
 * (created first; the lower peer index on a tie), or best. */
static const struct agent_sub *older(const struct agent_sub *s, const struct agent_sub *best)
{
	if (!best || s->created_ms < best->created_ms ||
	    (s->created_ms == best->created_ms && s->peer < best->peer))
		return s;
	return best;
}

void agent_group_choices(const struct agent *a, int g, const struct in6_addr *home,
			 struct proto_choices *out)
{
	const struct agent_sub *taken[64], *best;
	int n_taken = 0, i, j, k;

	memset(out, 0, sizeof(*out));
	/* Members' subscriptions oldest first, each adding the services
	 * nobody older chose; a group has at most AGENT_GROUP_MAX_MEMBERS
	 * of them per node. */
	for (;;) {
		best = NULL;
		for (i = 0; i < a->n_subs; i++) {
			const struct agent_sub *s = &a->subs[i];

			if (a->peers[s->peer].group != g || !addr_eq(&s->home, home))
				continue;
			for (k = 0; k < n_taken && taken[k] != s; k++)
				;
			if (k == n_taken)
				best = older(s, best);
		}
		if (!best || n_taken == (int)(sizeof(taken) / sizeof(taken[0])))
			return;
		taken[n_taken++] = best;
		for (i = 0; i < best->ch.count && out->count < PROTO_MAX_CHOICES; i++) {
			for (j = 0; j < out->count; j++)
				if (proto_choice_same_service(&out->c[j], &best->ch.c[i]))
					break;
			if (j == out->count)
				out->c[out->count++] = best->ch.c[i];
		}
	}
}

/* Where a member without a subscription for the node is told. */
static void member_dest(const struct agent *a, int pi, struct sockaddr_in6 *to)
{
	memset(to, 0, sizeof(*to));
	to->sin6_family = AF_INET6;
	to->sin6_addr = a->peers[pi].addr;
	to->sin6_port = htons(a->peers[pi].link.port);
}

static int send_one(struct agent *a, int pi, const struct proto_notify *nt,
		    const struct sockaddr_in6 *to)
{
	struct proto_msg m;
	int g = a->peers[pi].group;

	memset(&m, 0, sizeof(m));
	if (g < 0) {
		m.type = PROTO_BINDING_NOTIFY;
		m.notify = *nt;
	} else {
		m.type = PROTO_GROUP_NOTIFY;
		m.group_notify.nt = *nt;
		snprintf(m.group_notify.group, sizeof(m.group_notify.group), "%s",
			 a->cfg.groups[g].name);
		agent_group_choices(a, g, &nt->home, &m.group_notify.ch);
	}
	return agent_send(a, pi, &m, to);
}

void agent_tell(struct agent *a, const struct proto_notify *nt)
{
	bool *told, *sub_of;
	struct sockaddr_in6 to;
	int i, pi;

	if (!a->n_peers)
		return;
	told = calloc(a->n_peers, sizeof(*told));
	sub_of = calloc(a->cfg.n_groups + 1, sizeof(*sub_of));
	if (!told || !sub_of) {
		pr_err("agent: notification: %s", strerror(ENOMEM));
		goto out;
	}
	/* Subscribers at their reply addresses first (one subscription per
	 * peer and home address), then the members of their groups that did
	 * not subscribe themselves. */
	for (i = 0; i < a->n_subs; i++) {
		const struct agent_sub *s = &a->subs[i];

		if (!addr_eq(&s->home, &nt->home) || told[s->peer])
			continue;
		told[s->peer] = true;
		if (a->peers[s->peer].group >= 0)
			sub_of[a->peers[s->peer].group] = true;
		if (!send_one(a, s->peer, nt, &s->reply))
			a->st.notifies_sent++;
	}
	for (pi = 0; pi < a->n_peers; pi++) {
		int g = a->peers[pi].group;

		if (told[pi] || g < 0 || g >= a->cfg.n_groups || !sub_of[g])
			continue;
		member_dest(a, pi, &to);
		if (!send_one(a, pi, nt, &to)) {
			a->st.notifies_sent++;
			a->st.group_notifies++;
		}
	}
out:
	free(told);
	free(sub_of);
}

void agent_tell_group(struct agent *a, int g, const struct agent_binding *b)
{
	struct proto_notify nt = { 0 };
	struct sockaddr_in6 to;
	int pi, i;

	nt.home = b->home;
	nt.coa = b->coa;
	nt.binding_seq = b->seq;
	nt.lifetime_s = b->lifetime_s > PROTO_MAX_LIFETIME_S ? PROTO_MAX_LIFETIME_S : b->lifetime_s;
	for (pi = 0; pi < a->n_peers; pi++) {
		bool subscribed = false;

		if (a->peers[pi].group != g)
			continue;
		member_dest(a, pi, &to);
		for (i = 0; i < a->n_subs; i++) {
			if (a->subs[i].peer == pi && addr_eq(&a->subs[i].home, &b->home)) {
				to = a->subs[i].reply;
				subscribed = true;
			}
		}
		if (!send_one(a, pi, &nt, &to)) {
			a->st.notifies_sent++;
			if (!subscribed)
				a->st.group_notifies++;
		}
	}
}

static int addr_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct in6_addr));
}

/* One group's snapshot: the bindings of every node a member subscribed to
 * with snapshots, the agreed choices in each entry, in parts that fit
 * PROTO_MAX_MSG; the same parts to every member. */
static void group_snapshot(struct agent *a, int g, __u64 now_ms)
{
	struct proto_group_entry *ent = NULL;
	struct in6_addr *homes = NULL;
	struct sockaddr_in6 *dest = NULL;
	struct proto_msg m;
	int i, n = 0, count = 0, pi, sent, k;

	homes = calloc(a->n_subs, sizeof(*homes));
	ent = calloc(a->n_subs, sizeof(*ent));
	dest = calloc(a->n_peers, sizeof(*dest));
	if (!homes || !ent || !dest) {
		pr_err("agent: group snapshot: %s", strerror(ENOMEM));
		goto out;
	}
	for (i = 0; i < a->n_subs; i++)
		if (a->peers[a->subs[i].peer].group == g && a->subs[i].snapshots)
			homes[n++] = a->subs[i].home;
	if (!n)
		goto out;               /* nobody of the group asked for snapshots */
	qsort(homes, n, sizeof(*homes), addr_cmp);
	for (i = 0; i < n; i++) {
		const struct agent_binding *b;
		__u32 left;

		if (i && addr_eq(&homes[i], &homes[i - 1]))
			continue;
		b = agent_binding_find(a, &homes[i]);
		if (!b)
			continue;
		left = agent_binding_left_s(b, now_ms);
		if (!left)
			continue;
		ent[count].b.home = b->home;
		ent[count].b.coa = b->coa;
		ent[count].b.lifetime_s = left > PROTO_MAX_LIFETIME_S ? PROTO_MAX_LIFETIME_S : left;
		ent[count].b.binding_seq = b->seq;
		agent_group_choices(a, g, &b->home, &ent[count].ch);
		count++;
	}
	for (pi = 0; pi < a->n_peers; pi++) {
		if (a->peers[pi].group != g)
			continue;
		member_dest(a, pi, &dest[pi]);
		for (i = 0; i < a->n_subs; i++)
			if (a->subs[i].peer == pi)
				dest[pi] = a->subs[i].reply;
	}
	a->snapshot_id++;
	for (k = 0, sent = 0; k == 0 || sent < count; k++) {
		size_t bytes = PROTO_GSNAP_FIXED_LEN;

		memset(&m, 0, sizeof(m));
		m.type = PROTO_GROUP_SNAPSHOT;
		snprintf(m.group_snapshot.group, sizeof(m.group_snapshot.group), "%s",
			 a->cfg.groups[g].name);
		m.group_snapshot.snapshot_id = a->snapshot_id;
		m.group_snapshot.part = (__u8)k;
		while (sent < count && m.group_snapshot.count < PROTO_GSNAP_MAX &&
		       bytes + proto_gsnap_entry_len(&ent[sent]) <= PROTO_MAX_BODY) {
			bytes += proto_gsnap_entry_len(&ent[sent]);
			m.group_snapshot.entries[m.group_snapshot.count++] = ent[sent++];
		}
		if (sent < count)
			m.group_snapshot.flags = PROTO_SNAPSHOT_F_MORE;
		for (pi = 0; pi < a->n_peers; pi++)
			if (a->peers[pi].group == g && !agent_send(a, pi, &m, &dest[pi]))
				a->st.snapshots_sent++;
	}
out:
	free(homes);
	free(ent);
	free(dest);
}

void agent_group_snapshots(struct agent *a, __u64 now_ms)
{
	int g;

	for (g = 0; g < a->cfg.n_groups; g++)
		group_snapshot(a, g, now_ms);
}
