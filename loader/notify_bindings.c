// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_bindings.c - the balancer's binding table: home address -> the
 * care-of address its peer last announced, and what BINDING_NOTIFY and
 * BINDING_SNAPSHOT do to it.  A new care-of address moves the node's
 * sessions through notify_coa.c; so does one the peer repeats (a
 * BINDING_NOTIFY or a snapshot entry with the CoA we know), which writes
 * the coa session again: if traffic, a sweep or an operator removed it,
 * nothing else would (hashing cannot rebuild it, issue 12).
 */
#include <errno.h>
#include <stdlib.h>
#include "notify_priv.h"
#include "log.h"

struct nbinding *notify_binding_find(const struct notify *n, const struct in6_addr *home)
{
	return (struct nbinding *)addr_table_find(&n->bindings, home);
}

void notify_binding_drop(struct notify *n, struct nbinding *b)
{
	addr_table_remove(&n->bindings, &b->h);
	free(b);
}

static void push_old(struct nbinding *b, const struct in6_addr *a)
{
	int i, j;

	for (i = 0, j = 0; i < b->n_old; i++)
		if (!addr_eq(&b->old[i], a))
			b->old[j++] = b->old[i];
	b->n_old = j;
	if (b->n_old == NOTIFY_OLD_COAS)
		b->n_old--;
	memmove(&b->old[1], &b->old[0], b->n_old * sizeof(b->old[0]));
	b->old[0] = *a;
	b->n_old++;
}

/* One binding, from a BINDING_NOTIFY or a snapshot entry whose CoA is news. */
static void apply_binding(struct notify *n, int pi, const struct in6_addr *home,
			  const struct in6_addr *coa, const struct in6_addr *old,
			  __u16 binding_seq, __u32 lifetime_s, const struct proto_choices *ch,
			  __u64 now_ms)
{
	struct nbinding *b = notify_binding_find(n, home);
	struct npeer *p = &n->peers[pi];
	char h[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN];
	struct nneg *g;
	bool news;
	int i;

	/* We were told no_binding and stopped asking; the peer has one now
	 * (an agent tells a balancer that asked just before the binding
	 * came): subscribe again at once. */
	g = notify_neg_find(n, home, now_ms);
	if (g && g->peer == pi) {
		notify_neg_drop(n, g);
		if (lifetime_s)
			notify_subscribe(n, home, p->role, now_ms);
	}

	if (!lifetime_s) {
		/* Deregistered (RFC 6275 §6.1.7): the node is home, its home
		 * session serves it; coa sessions age out on their own. */
		if (b)
			notify_binding_drop(n, b);
		pr_debug("notify: %s deregistered (peer %s)", fmt_addr(home, h), p->link.name);
		return;
	}
	/* A repeat of the binding we know (the agent sends it again after
	 * every ok SUBSCRIBE_ACK) is not counted as no_session again. */
	news = !b || !addr_eq(&b->coa, coa);
	if (!b) {
		if (n->bindings.count >= n->bindings.max) {
			n->st.table_full++;
			return;
		}
		b = calloc(1, sizeof(*b));
		if (!b) {
			pr_err("notify: binding for %s: %s", fmt_addr(home, h), strerror(ENOMEM));
			return;
		}
		b->h.key = *home;
		b->coa = *coa;
		addr_table_insert(&n->bindings, &b->h);
		if (old)
			push_old(b, old);
	} else if (!addr_eq(&b->coa, coa)) {
		push_old(b, &b->coa);
	}
	/* The new CoA is current, not old. */
	for (i = 0; i < b->n_old; i++) {
		if (addr_eq(&b->old[i], coa)) {
			memmove(&b->old[i], &b->old[i + 1], (b->n_old - i - 1) * sizeof(b->old[0]));
			b->n_old--;
			break;
		}
	}
	b->coa = *coa;
	b->peer = pi;
	b->binding_seq = binding_seq;
	b->lifetime_s = lifetime_s;
	b->expires_ms = now_ms + (__u64)lifetime_s * 1000;
	pr_debug("notify: %s is at %s (peer %s, seq %u, %u s)", fmt_addr(home, h),
		 fmt_addr(coa, c), p->link.name, binding_seq, lifetime_s);
	if (ch)
		notify_group_resolve(n, pi, b, ch);
	if (addr_eq(coa, home))
		return;                 /* home again: the home session serves it */
	if (!notify_carry_sessions(n, b, p->role, old, now_ms)) {
		/* Before the node's first packet, or after its sessions aged
		 * out: remembered; notify_on_event() applies it later. */
		if (news) {
			p->no_session++;
			n->st.no_session++;
		}
		return;
	}
	/* A member the group told about a node it never saw now carries the
	 * node's coa session: it subscribes too, so the group keeps hearing
	 * of the node when the instance that first saw it lets go. */
	if (ch && !notify_sub_find(n, home))
		notify_subscribe(n, home, p->role, now_ms);
}

int notify_handle_notify(struct notify *n, int pi, const struct proto_notify *nt, __u64 now_ms)
{
	if (!notify_peer_serves(&n->peers[pi], &nt->home))
		return PEER_R_NOT_AUTHORITATIVE;
	apply_binding(n, pi, &nt->home, &nt->coa,
		      nt->flags & PROTO_NOTIFY_F_OLD_COA ? &nt->old_coa : NULL,
		      nt->binding_seq, nt->lifetime_s, NULL, now_ms);
	return 0;
}

int notify_handle_snapshot(struct notify *n, int pi, const struct proto_snapshot *sn, __u64 now_ms)
{
	struct nbinding *b;
	int i;

	for (i = 0; i < sn->count; i++)
		if (!notify_peer_serves(&n->peers[pi], &sn->entries[i].home))
			return PEER_R_NOT_AUTHORITATIVE;
	for (i = 0; i < sn->count; i++) {
		const struct proto_binding *e = &sn->entries[i];

		b = notify_binding_find(n, &e->home);
		if (b && e->lifetime_s && addr_eq(&b->coa, &e->coa)) {
			/* Known: a refresh of the binding, and the coa session
			 * written again from the node's session, so one that
			 * went missing comes back; one that is there is
			 * rewritten with the backend of the node's session,
			 * last used now.  Nothing when the node has no session
			 * left to copy from. */
			b->peer = pi;
			b->binding_seq = e->binding_seq;
			b->lifetime_s = e->lifetime_s;
			b->expires_ms = now_ms + (__u64)e->lifetime_s * 1000;
			if (!addr_eq(&e->coa, &e->home))
				notify_carry_sessions(n, b, n->peers[pi].role, NULL, now_ms);
			continue;
		}
		apply_binding(n, pi, &e->home, &e->coa, NULL, e->binding_seq, e->lifetime_s,
			      NULL, now_ms);
	}
	return 0;
}

/* A group message must name this instance's group: anything else is a
 * group this end does not have (a misconfigured agent, or another group's
 * notification sent here). */
static int group_check(const struct notify *n, const char *group)
{
	return n->group[0] && !strcmp(n->group, group) ? 0 : PEER_R_UNKNOWN_GROUP;
}

int notify_handle_group_notify(struct notify *n, int pi, const struct proto_group_notify *g,
			       __u64 now_ms)
{
	const struct proto_notify *nt = &g->nt;
	int rc = group_check(n, g->group);

	if (rc)
		return rc;
	if (!notify_peer_serves(&n->peers[pi], &nt->home))
		return PEER_R_NOT_AUTHORITATIVE;
	apply_binding(n, pi, &nt->home, &nt->coa,
		      nt->flags & PROTO_NOTIFY_F_OLD_COA ? &nt->old_coa : NULL,
		      nt->binding_seq, nt->lifetime_s, &g->ch, now_ms);
	return 0;
}

int notify_handle_group_snapshot(struct notify *n, int pi, const struct proto_group_snapshot *g,
				 __u64 now_ms)
{
	struct nbinding *b;
	int i, rc = group_check(n, g->group);

	if (rc)
		return rc;
	for (i = 0; i < g->count; i++)
		if (!notify_peer_serves(&n->peers[pi], &g->entries[i].b.home))
			return PEER_R_NOT_AUTHORITATIVE;
	for (i = 0; i < g->count; i++) {
		const struct proto_binding *e = &g->entries[i].b;

		b = notify_binding_find(n, &e->home);
		if (b && e->lifetime_s && addr_eq(&b->coa, &e->coa)) {
			/* Known: as in a BINDING_SNAPSHOT, a refresh that
			 * writes the coa session again, with what the group
			 * agrees on now. */
			b->peer = pi;
			b->binding_seq = e->binding_seq;
			b->lifetime_s = e->lifetime_s;
			b->expires_ms = now_ms + (__u64)e->lifetime_s * 1000;
			notify_group_resolve(n, pi, b, &g->entries[i].ch);
			if (!addr_eq(&e->coa, &e->home) &&
			    notify_carry_sessions(n, b, n->peers[pi].role, NULL, now_ms) &&
			    !notify_sub_find(n, &e->home))
				notify_subscribe(n, &e->home, n->peers[pi].role, now_ms);
			continue;
		}
		apply_binding(n, pi, &e->home, &e->coa, NULL, e->binding_seq, e->lifetime_s,
			      &g->entries[i].ch, now_ms);
	}
	return 0;
}

int notify_binding_coa(const struct notify *n, const struct in6_addr *home,
		       struct in6_addr *coa)
{
	struct nbinding *b = notify_binding_find(n, home);

	if (!b)
		return -ENOENT;
	*coa = b->coa;
	return 0;
}

void notify_bindings_expire(struct notify *n, __u64 now_ms)
{
	char h[INET6_ADDRSTRLEN];
	struct addr_node *hn, *tmp;
	struct nbinding *b;
	__u32 i;

	addr_table_for_each(&n->bindings, hn, tmp, i) {
		b = (struct nbinding *)hn;
		if (now_ms >= b->expires_ms) {
			pr_debug("notify: binding of %s expired", fmt_addr(&b->h.key, h));
			notify_binding_drop(n, b);
		}
	}
}

void notify_bindings_repoint(struct notify *n, const int *remap)
{
	struct addr_node *hn, *tmp;
	__u32 i;

	addr_table_for_each(&n->bindings, hn, tmp, i) {
		struct nbinding *b = (struct nbinding *)hn;

		b->peer = b->peer >= 0 && remap ? remap[b->peer] : -1;
	}
}
