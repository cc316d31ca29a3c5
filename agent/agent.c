// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * agent.c - mip6lb-agent's protocol end: SUBSCRIBE / SUBSCRIBE_ACK /
 * UNSUBSCRIBE from and to the configured balancers, the binding table, a
 * BINDING_NOTIFY to every subscriber of a home address when its care-of
 * address changes, and periodic BINDING_SNAPSHOTs.  Where bindings come
 * from is agent_ha.c's and agent_mn.c's business.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include "agent_priv.h"
#include "log.h"
#include "peer_config.h"

#define AGENT_RX_BUDGET 256

bool agent_node_addr(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_LOOPBACK(a);
}

const char *agent_fmt(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN) ? buf : "?";
}

static bool addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* ---- peers -------------------------------------------------------------- */

static void peers_free(struct agent_peer *peers, int n)
{
	int i;

	for (i = 0; i < n; i++)
		peer_link_clear(&peers[i].link);
	if (peers)
		explicit_bzero(peers, n * sizeof(*peers));
	free(peers);
}

/* The [group] a peer is a member of (agent_config.c lets it be in one at
 * most), or -1. */
static int peer_group_of(const struct agent_config *cfg, const char *name)
{
	int g, m;

	for (g = 0; g < cfg->n_groups; g++)
		for (m = 0; m < cfg->groups[g].n_members; m++)
			if (!strcmp(cfg->groups[g].members[m], name))
				return g;
	return -1;
}

static int peers_build(const struct agent_config *cfg, struct agent_peer **out)
{
	struct agent_peer *peers;
	int i, err;

	peers = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*peers));
	if (!peers) {
		pr_err("agent: peers: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	for (i = 0; i < cfg->n_peers; i++) {
		const struct cfg_peer *c = &cfg->peers[i];
		struct agent_peer *p = &peers[i];

		p->addr = c->addr;
		p->group = peer_group_of(cfg, c->name);
		err = peer_link_init(&p->link, "agent", c->name, c->port, cfg->sender_id, c->key_id,
				     c->key, c->key_len);
		if (err) {
			pr_err("agent: peer %s: key of %u bytes: %s", c->name, c->key_len,
			       strerror(-err));
			peers_free(peers, cfg->n_peers);
			return err;
		}
	}
	*out = peers;
	return 0;
}

static int copy_config(struct agent_config *dst, const struct agent_config *src)
{
	int err;

	*dst = *src;
	dst->peers = NULL;
	dst->groups = NULL;
	if (src->n_groups) {
		dst->groups = calloc(src->n_groups, sizeof(*dst->groups));
		if (!dst->groups)
			return -ENOMEM;
		memcpy(dst->groups, src->groups, src->n_groups * sizeof(*dst->groups));
	}
	err = cfg_peers_dup(&dst->peers, src->peers, src->n_peers);
	if (err) {
		free(dst->groups);
		dst->groups = NULL;
	}
	return err;
}

int agent_send(struct agent *a, int pi, struct proto_msg *m,
		      const struct sockaddr_in6 *to)
{
	struct peer_link *l = &a->peers[pi].link;
	__u64 before = l->send_errors;
	int err;

	err = peer_link_send(l, a->udp_fd, m, to);
	a->st.send_errors += l->send_errors - before;
	return err;
}

static struct agent_sub *sub_add(struct agent *a);
static int sub_index(const struct agent *a, int pi, const struct in6_addr *home);

/* ---- bindings: sorted by home address, so snapshots can look them up ---- */

static int binding_index(const struct agent *a, const struct in6_addr *home, int *ins)
{
	int lo = 0, hi = a->n_bindings - 1, mid, c;

	while (lo <= hi) {
		mid = lo + (hi - lo) / 2;
		c = memcmp(home, &a->bindings[mid].home, sizeof(*home));
		if (!c)
			return mid;
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	if (ins)
		*ins = lo;
	return -1;
}

__u32 agent_binding_left_s(const struct agent_binding *b, __u64 now_ms)
{
	if (!b->expires_ms)
		return b->lifetime_s;
	return b->expires_ms > now_ms ? (__u32)((b->expires_ms - now_ms + 999) / 1000) : 0;
}

const struct agent_binding *agent_binding_find(const struct agent *a,
					       const struct in6_addr *home)
{
	int i = binding_index(a, home, NULL);

	return i < 0 ? NULL : &a->bindings[i];
}

int agent_binding_count(const struct agent *a)
{
	return a->n_bindings;
}

int agent_subscription_count(const struct agent *a)
{
	return a->n_subs;
}

static void binding_remove(struct agent *a, int i)
{
	memmove(&a->bindings[i], &a->bindings[i + 1],
		(a->n_bindings - i - 1) * sizeof(a->bindings[0]));
	a->n_bindings--;
}

/* Every subscriber, and every member of a subscriber's balancer group
 * (agent_group.c). */
static void tell_subscribers(struct agent *a, const struct in6_addr *home,
			       const struct in6_addr *coa, const struct in6_addr *old,
			       __u32 lifetime_s, __u16 seq)
{
	struct proto_notify nt = { 0 };

	nt.home = *home;
	nt.coa = *coa;
	if (old && !addr_eq(old, coa)) {
		nt.old_coa = *old;
		nt.flags = PROTO_NOTIFY_F_OLD_COA;
	}
	nt.binding_seq = seq;
	nt.lifetime_s = lifetime_s > PROTO_MAX_LIFETIME_S ? PROTO_MAX_LIFETIME_S : lifetime_s;
	agent_tell(a, &nt);
}

/* A balancer asked about home just before its binding came (its answer
 * was no_binding): subscribe it now, so the notification that follows
 * reaches it.  It asks again itself when it hears it. */
static void watch_promote(struct agent *a, const struct in6_addr *home, __u64 now_ms)
{
	struct agent_watch *w;
	struct agent_sub *s;
	int i;

	for (i = 0; i < AGENT_WATCH_SLOTS; i++) {
		w = &a->watch[i];
		if (!w->until_ms || now_ms >= w->until_ms || !addr_eq(&w->home, home))
			continue;
		w->until_ms = 0;
		if (w->peer >= a->n_peers || sub_index(a, w->peer, home) >= 0)
			continue;
		s = sub_add(a);
		if (!s)
			continue;
		s->peer = w->peer;
		s->home = *home;
		s->reply = w->reply;
		s->expires_ms = now_ms + (__u64)w->lifetime_s * 1000;
		s->snapshots = w->snapshots;
		s->ch = w->ch;
		s->created_ms = now_ms;
		a->st.watch_promoted++;
	}
}

int agent_binding_set(struct agent *a, const struct in6_addr *home, const struct in6_addr *coa,
		      __u32 lifetime_s, __u16 seq, bool persistent, __u64 now_ms)
{
	char h[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN], o[INET6_ADDRSTRLEN];
	struct agent_binding *b, *nb;
	struct in6_addr old;
	bool changed, had_old = false;
	int i, ins = 0;

	if (!agent_node_addr(home) || !agent_node_addr(coa))
		return -EINVAL;
	i = binding_index(a, home, &ins);
	if (!lifetime_s) {
		/* Deregistration (RFC 6275 §6.1.7): tell, then forget. */
		if (i < 0)
			return 0;
		old = a->bindings[i].coa;
		pr_debug("agent: %s deregistered (was at %s)", agent_fmt(home, h), agent_fmt(&old, o));
		tell_subscribers(a, home, coa, &old, 0, seq);
		binding_remove(a, i);
		a->st.binding_changes++;
		return 0;
	}
	if (i < 0) {
		if ((__u32)a->n_bindings >= a->cfg.max_bindings) {
			a->st.table_full++;
			return -ENOSPC;
		}
		if (a->n_bindings == a->cap_bindings) {
			int ncap = a->cap_bindings ? a->cap_bindings * 2 : 64;

			nb = realloc(a->bindings, ncap * sizeof(*nb));
			if (!nb) {
				pr_err("agent: binding for %s: %s", agent_fmt(home, h), strerror(ENOMEM));
				return -ENOMEM;
			}
			a->bindings = nb;
			a->cap_bindings = ncap;
		}
		memmove(&a->bindings[ins + 1], &a->bindings[ins],
			(a->n_bindings - ins) * sizeof(a->bindings[0]));
		a->n_bindings++;
		b = &a->bindings[ins];
		memset(b, 0, sizeof(*b));
		b->home = *home;
		b->coa = *coa;
		changed = true;
		watch_promote(a, home, now_ms);
	} else {
		b = &a->bindings[i];
		old = b->coa;
		had_old = true;
		changed = !addr_eq(&old, coa);
	}
	b->coa = *coa;
	b->lifetime_s = lifetime_s;
	b->seq = seq;
	b->expires_ms = persistent ? 0 : now_ms + (__u64)lifetime_s * 1000;
	if (!changed)
		return 0;
	a->st.binding_changes++;
	pr_debug("agent: %s is at %s%s%s (seq %u, %u s)", agent_fmt(home, h), agent_fmt(coa, c),
		 had_old ? ", was at " : "", had_old ? agent_fmt(&old, o) : "", seq, lifetime_s);
	tell_subscribers(a, home, coa, had_old ? &old : NULL, lifetime_s, seq);
	return 0;
}

int agent_binding_update(struct agent *a, const struct in6_addr *home,
			 const struct in6_addr *coa, __u32 lifetime_s, __u16 seq,
			 __u64 now_ms)
{
	return agent_binding_set(a, home, coa, lifetime_s, seq, false, now_ms);
}

/* ---- subscriptions ------------------------------------------------------ */

static int sub_index(const struct agent *a, int pi, const struct in6_addr *home)
{
	int i;

	for (i = 0; i < a->n_subs; i++)
		if (a->subs[i].peer == pi && addr_eq(&a->subs[i].home, home))
			return i;
	return -1;
}

static void sub_remove(struct agent *a, int i)
{
	a->subs[i] = a->subs[--a->n_subs];
}

/* The table is full: the subscription of a home address that has no
 * binding any more (deregistered or expired since) makes room for one
 * that has, its balancer told with an UNSUBSCRIBE (it asks again and
 * hears no_binding).  -1 when every subscription has its binding. */
static int sub_evictable(struct agent *a)
{
	int i;

	for (i = 0; i < a->n_subs; i++)
		if (!agent_binding_find(a, &a->subs[i].home))
			return i;
	return -1;
}

static struct agent_sub *sub_add(struct agent *a)
{
	struct proto_msg m = { .type = PROTO_UNSUBSCRIBE };
	struct agent_sub *ns;
	int i;

	if ((__u32)a->n_subs >= a->cfg.max_subscriptions) {
		i = sub_evictable(a);
		if (i < 0)
			return NULL;
		m.unsubscribe.home = a->subs[i].home;
		agent_send(a, a->subs[i].peer, &m, &a->subs[i].reply);
		a->st.subs_evicted++;
		ns = &a->subs[i];
		memset(ns, 0, sizeof(*ns));
		return ns;
	}
	if (a->n_subs == a->cap_subs) {
		int ncap = a->cap_subs ? a->cap_subs * 2 : 16;

		ns = realloc(a->subs, ncap * sizeof(*ns));
		if (!ns)
			return NULL;
		a->subs = ns;
		a->cap_subs = ncap;
	}
	ns = &a->subs[a->n_subs++];
	memset(ns, 0, sizeof(*ns));
	return ns;
}

static void send_binding(struct agent *a, const struct agent_sub *s, const struct agent_binding *b)
{
	struct proto_msg m = { .type = PROTO_BINDING_NOTIFY };
	int g = a->peers[s->peer].group;

	m.notify.home = b->home;
	m.notify.coa = b->coa;
	m.notify.binding_seq = b->seq;
	m.notify.lifetime_s = b->lifetime_s;
	if (g >= 0) {
		struct proto_notify nt = m.notify;

		memset(&m, 0, sizeof(m));
		m.type = PROTO_GROUP_NOTIFY;
		m.group_notify.nt = nt;
		snprintf(m.group_notify.group, sizeof(m.group_notify.group), "%s",
			 a->cfg.groups[g].name);
		agent_group_choices(a, g, &b->home, &m.group_notify.ch);
	}
	if (!agent_send(a, s->peer, &m, &s->reply))
		a->st.notifies_sent++;
}

/* A choice of this member that the group had already agreed otherwise
 * on: counted, the older one stays the group's. */
static void count_conflicts(struct agent *a, const struct proto_choices *mine,
			    const struct proto_choices *agreed)
{
	int i, j;

	for (i = 0; i < mine->count; i++)
		for (j = 0; j < agreed->count; j++)
			if (proto_choice_same_service(&mine->c[i], &agreed->c[j]) &&
			    strcmp(mine->c[i].backend, agreed->c[j].backend))
				a->st.choice_conflicts++;
}

/* A SUBSCRIBE accepted by the protocol: always answered (with a refusal
 * when policy or room says no), so this never rejects. */
static void on_subscribe(struct agent *a, int pi, const struct proto_subscribe *sr,
			 __u64 req_seq, const struct proto_choices *ch,
			 const struct sockaddr_in6 *from, __u64 now_ms)
{
	static const struct proto_choices none;
	struct proto_msg m = { .type = PROTO_SUBSCRIBE_ACK };
	struct proto_choices before, after;
	int g = a->peers[pi].group;
	bool fresh = false;
	const struct agent_binding *b = agent_binding_find(a, &sr->home);
	struct sockaddr_in6 reply = { .sin6_family = AF_INET6 };
	char h[INET6_ADDRSTRLEN];
	struct agent_sub *s = NULL;
	int i;

	reply.sin6_addr = IN6_IS_ADDR_UNSPECIFIED(&sr->reply_addr) ? from->sin6_addr : sr->reply_addr;
	reply.sin6_port = sr->reply_port ? htons(sr->reply_port) : from->sin6_port;
	if (IN6_IS_ADDR_LINKLOCAL(&reply.sin6_addr))
		reply.sin6_scope_id = from->sin6_scope_id;

	if (!ch)
		ch = &none;
	if (g >= 0)
		agent_group_choices(a, g, &sr->home, &before);
	m.subscribe_ack.home = sr->home;
	m.subscribe_ack.ack_seq = req_seq;
	if (a->cfg.role == AGENT_ROLE_MN && !addr_eq(&sr->home, &a->cfg.home_addr)) {
		/* A node speaks for its own home address only. */
		m.subscribe_ack.status = PROTO_SUB_REFUSED;
	} else if (a->cfg.role == AGENT_ROLE_HA && !b) {
		/* No binding: a node at home, or an address nobody owns
		 * (spoofed on the balancer's side).  No subscription, so a
		 * flood of them cannot fill the table; a renewal loses the
		 * one it had.  Only the watch, for a binding about to come. */
		struct agent_watch *w = &a->watch[a->watch_next];

		i = sub_index(a, pi, &sr->home);
		if (i >= 0)
			sub_remove(a, i);
		a->watch_next = (a->watch_next + 1) % AGENT_WATCH_SLOTS;
		w->peer = pi;
		w->home = sr->home;
		w->reply = reply;
		w->lifetime_s = sr->lifetime_s;
		w->snapshots = sr->snapshot_interval_s && a->cfg.snapshot_interval_s;
		w->ch = *ch;
		w->until_ms = now_ms + AGENT_WATCH_MS;
		m.subscribe_ack.status = PROTO_SUB_NO_BINDING;
		a->st.no_binding++;
	} else {
		i = sub_index(a, pi, &sr->home);
		s = i >= 0 ? &a->subs[i] : sub_add(a);
		if (!s)
			m.subscribe_ack.status = PROTO_SUB_NO_RESOURCES;
		else if (i < 0)
			fresh = true;
	}
	if (s) {
		if (fresh)
			s->created_ms = now_ms;
		s->ch = *ch;
		s->peer = pi;
		s->home = sr->home;
		s->reply = reply;
		s->expires_ms = now_ms + (__u64)sr->lifetime_s * 1000;
		s->snapshots = sr->snapshot_interval_s && a->cfg.snapshot_interval_s;
		m.subscribe_ack.status = b ? PROTO_SUB_OK : PROTO_SUB_UNKNOWN;
		m.subscribe_ack.lifetime_s = sr->lifetime_s;
		m.subscribe_ack.snapshot_interval_s = s->snapshots ? a->cfg.snapshot_interval_s : 0;
	} else if (m.subscribe_ack.status != PROTO_SUB_NO_BINDING) {
		a->st.subs_refused++;
	}
	if (log_get_level() >= LOG_LVL_DEBUG)      /* floods come this way */
		pr_debug("agent: %s subscribes to %s: %s", a->peers[pi].link.name,
			 agent_fmt(&sr->home, h), proto_sub_status_name(m.subscribe_ack.status));
	agent_send(a, pi, &m, &reply);
	if (!s || !b)
		return;
	if (g >= 0) {
		agent_group_choices(a, g, &sr->home, &after);
		count_conflicts(a, ch, &after);
		/* The group's first subscription for the node, or one that
		 * changed what the group agreed on: every member learns the
		 * binding and the choices now, not at the next change. */
		if (fresh || agent_choices_differ(&before, &after)) {
			agent_tell_group(a, g, b);
			return;
		}
	}
	/* What it subscribed to, at once: it may already be away. */
	send_binding(a, s, b);
}

static void handle_datagram(struct agent *a, const struct sockaddr_in6 *from, const __u8 *buf,
			    size_t len, __u64 now_ms)
{
	struct peer_rx_pending pend;
	char t[INET6_ADDRSTRLEN];
	struct proto_msg m;
	struct agent_peer *p;
	int pi, i, g;

	/* The peer at that address and port; else the first at that address
	 * (whose port check then says wrong_port): several balancer
	 * instances may share a host, each on its own port. */
	for (pi = 0, i = -1; pi < a->n_peers; pi++) {
		if (!addr_eq(&a->peers[pi].addr, &from->sin6_addr))
			continue;
		if (i < 0)
			i = pi;
		if (a->peers[pi].link.port == ntohs(from->sin6_port))
			break;
	}
	if (pi == a->n_peers)
		pi = i < 0 ? a->n_peers : i;
	if (pi == a->n_peers) {
		/* Never a MAC, nor a line nobody prints: floods come this way. */
		a->st.unknown_peer++;
		if (log_get_level() >= LOG_LVL_DEBUG)
			pr_debug("agent: datagram from %s: no peer has that address",
				 agent_fmt(&from->sin6_addr, t));
		return;
	}
	p = &a->peers[pi];
	if (peer_link_accept(&p->link, buf, len, proto_now_ms(), from, &m, &pend))
		return;
	switch (m.type) {
	case PROTO_SUBSCRIBE:
		/* A member speaks as one (the notifications it gets are
		 * GROUP_NOTIFYs, which it would not take otherwise). */
		if (p->group >= 0) {
			peer_link_reject(&p->link, &pend, PEER_R_WRONG_GROUP, &from->sin6_addr);
			return;
		}
		peer_rx_commit(&p->link.rx, &pend, now_ms);
		on_subscribe(a, pi, &m.subscribe, m.seq, NULL, from, now_ms);
		return;
	case PROTO_GROUP_SUBSCRIBE:
		g = agent_group_find(a, m.group_subscribe.group);
		if (g < 0 || g != p->group) {
			peer_link_reject(&p->link, &pend,
					 g < 0 ? PEER_R_UNKNOWN_GROUP : PEER_R_WRONG_GROUP,
					 &from->sin6_addr);
			return;
		}
		peer_rx_commit(&p->link.rx, &pend, now_ms);
		on_subscribe(a, pi, &m.group_subscribe.sub, m.seq, &m.group_subscribe.ch, from,
			     now_ms);
		return;
	case PROTO_UNSUBSCRIBE:
		peer_rx_commit(&p->link.rx, &pend, now_ms);
		i = sub_index(a, pi, &m.unsubscribe.home);
		if (i >= 0)
			sub_remove(a, i);
		return;
	default:        /* agents do not take ACKs, notifies or snapshots */
		peer_link_reject(&p->link, &pend, PEER_R_UNEXPECTED, &from->sin6_addr);
		return;
	}
}

int agent_on_udp(struct agent *a, __u64 now_ms)
{
	__u8 buf[PROTO_MAX_MSG + 1];
	union {                         /* SO_RXQ_OVFL, aligned for CMSG_* */
		struct cmsghdr align;
		__u8 buf[PEER_DROPS_CMSG_SPACE];
	} ctl;
	struct sockaddr_in6 from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_name = &from, .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf };
	socklen_t fl;
	ssize_t r;
	int i, err;

	for (i = 0; i < AGENT_RX_BUDGET; ) {
		mh.msg_namelen = sizeof(from);
		mh.msg_controllen = sizeof(ctl);
		r = recvmsg(a->udp_fd, &mh, MSG_TRUNC);
		fl = mh.msg_namelen;
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR || errno == ECONNREFUSED || errno == EHOSTUNREACH ||
			    errno == ENETUNREACH)
				continue;
			err = -errno;
			pr_err("agent: recvfrom: %s", strerror(-err));
			return err;
		}
		i++;
		if (mh.msg_controllen)
			peer_drops_note(&a->drops, &mh);
		if (fl < sizeof(from) || from.sin6_family != AF_INET6) {
			a->st.unknown_peer++;
			continue;
		}
		handle_datagram(a, &from, buf, (size_t)r > sizeof(buf) ? sizeof(buf) : (size_t)r,
				now_ms);
	}
	return i;
}

/* ---- snapshots and expiry ------------------------------------------------- */

static int reply_cmp(const struct agent_sub *x, const struct agent_sub *y)
{
	int c;

	if (x->peer != y->peer)
		return x->peer < y->peer ? -1 : 1;
	c = memcmp(&x->reply.sin6_addr, &y->reply.sin6_addr, 16);
	if (c)
		return c;
	return (int)ntohs(x->reply.sin6_port) - (int)ntohs(y->reply.sin6_port);
}

static int sub_sort_cmp(const void *x, const void *y)
{
	return reply_cmp(*(const struct agent_sub *const *)x, *(const struct agent_sub *const *)y);
}

/* One snapshot per (balancer, reply address): the bindings of the home
 * addresses it subscribed to, in parts of PROTO_SNAPSHOT_MAX, and an empty
 * one when it has none, so it still hears from us. */
static void send_snapshots(struct agent *a, __u64 now_ms)
{
	struct agent_sub **order;
	struct proto_binding *ent;
	struct proto_msg m;
	int i, j, k, n, sent, count;

	if (!a->n_subs)
		return;
	order = calloc(a->n_subs, sizeof(*order));
	ent = calloc(a->n_subs, sizeof(*ent));
	if (!order || !ent) {
		pr_err("agent: snapshot: %s", strerror(ENOMEM));
		goto out;
	}
	for (i = 0, n = 0; i < a->n_subs; i++)
		if (a->subs[i].snapshots && a->peers[a->subs[i].peer].group < 0)
			order[n++] = &a->subs[i];
	qsort(order, n, sizeof(*order), sub_sort_cmp);
	for (i = 0; i < n; i = j) {
		count = 0;
		for (j = i; j < n && !reply_cmp(order[i], order[j]); j++) {
			const struct agent_binding *b = agent_binding_find(a, &order[j]->home);
			__u32 left;

			if (!b)
				continue;
			left = agent_binding_left_s(b, now_ms);
			if (!left)
				continue;
			ent[count].home = b->home;
			ent[count].coa = b->coa;
			ent[count].lifetime_s = left > PROTO_MAX_LIFETIME_S ? PROTO_MAX_LIFETIME_S : left;
			ent[count].binding_seq = b->seq;
			count++;
		}
		a->snapshot_id++;
		for (k = 0, sent = 0; k == 0 || sent < count; k++) {
			int part = count - sent > PROTO_SNAPSHOT_MAX ? PROTO_SNAPSHOT_MAX : count - sent;

			memset(&m, 0, sizeof(m));
			m.type = PROTO_BINDING_SNAPSHOT;
			m.snapshot.snapshot_id = a->snapshot_id;
			m.snapshot.part = (__u8)k;
			m.snapshot.count = part;
			if (sent + part < count)
				m.snapshot.flags = PROTO_SNAPSHOT_F_MORE;
			memcpy(m.snapshot.entries, &ent[sent], part * sizeof(ent[0]));
			if (!agent_send(a, order[i]->peer, &m, &order[i]->reply))
				a->st.snapshots_sent++;
			sent += part;
		}
	}
out:
	free(order);
	free(ent);
}

/* The kernel's drop counter as it is now, and one warning per
 * AGENT_DROP_LOG_MS while it grows. */
static void drops_tick(struct agent *a, __u64 now_ms)
{
	peer_drops_poll(&a->drops, a->udp_fd);
	if (a->drops.total == a->drops_logged ||
	    (a->drops_log_ms && now_ms - a->drops_log_ms < AGENT_DROP_LOG_MS))
		return;
	pr_warn("agent: the kernel dropped %llu datagrams (%llu in all) on the UDP socket, its "
		"%d-byte receive buffer full: SUBSCRIBEs may be among them (rcvbuf)",
		(unsigned long long)(a->drops.total - a->drops_logged),
		(unsigned long long)a->drops.total, a->rcvbuf);
	a->drops_logged = a->drops.total;
	a->drops_log_ms = now_ms;
}

void agent_tick(struct agent *a, __u64 now_ms)
{
	char h[INET6_ADDRSTRLEN];
	int i;

	if (a->udp_fd >= 0)
		drops_tick(a, now_ms);
	for (i = a->n_subs - 1; i >= 0; i--) {
		if (now_ms >= a->subs[i].expires_ms) {
			pr_debug("agent: subscription of %s to %s expired",
				 a->peers[a->subs[i].peer].link.name, agent_fmt(&a->subs[i].home, h));
			sub_remove(a, i);
		}
	}
	for (i = a->n_bindings - 1; i >= 0; i--) {
		if (a->bindings[i].expires_ms && now_ms >= a->bindings[i].expires_ms) {
			pr_debug("agent: binding of %s expired", agent_fmt(&a->bindings[i].home, h));
			binding_remove(a, i);
		}
	}
	for (i = a->n_pending - 1; i >= 0; i--) {
		if (now_ms - a->pending[i].at_ms < AGENT_BA_TIMEOUT_MS)
			continue;
		a->st.bu_unconfirmed++;
		if (!a->warned_unconfirmed) {
			a->warned_unconfirmed = true;
			pr_warn("agent: Binding Update for %s (seq %u) saw no Binding Acknowledgement "
				"within %d ms; if this Home Agent's acknowledgements leave through "
				"another interface, set confirm = bu",
				agent_fmt(&a->pending[i].home, h), a->pending[i].seq,
				AGENT_BA_TIMEOUT_MS);
		}
		a->pending[i] = a->pending[--a->n_pending];
	}
	if (!a->cfg.snapshot_interval_s)
		return;
	if (!a->next_snapshot_ms)
		a->next_snapshot_ms = now_ms + (__u64)a->cfg.snapshot_interval_s * 1000;
	if (now_ms >= a->next_snapshot_ms) {
		a->next_snapshot_ms = now_ms + (__u64)a->cfg.snapshot_interval_s * 1000;
		send_snapshots(a, now_ms);
		agent_group_snapshots(a, now_ms);
	}
}

/* ---- lifecycle ------------------------------------------------------------ */

int agent_open(struct agent **out, const struct agent_config *cfg)
{
	char t[INET6_ADDRSTRLEN];
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof(sa);
	struct agent *a;
	int err;

	a = calloc(1, sizeof(*a));
	if (!a) {
		pr_err("agent: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	a->udp_fd = a->cap_fd = a->feed_fd = -1;
	err = copy_config(&a->cfg, cfg);
	if (err) {
		pr_err("agent: %s", strerror(-err));
		free(a);
		return err;
	}
	err = proto_init();
	if (err) {
		pr_err("agent: libsodium: %s", strerror(-err));
		goto fail;
	}
	err = peers_build(&a->cfg, &a->peers);
	if (err)
		goto fail;
	a->n_peers = a->cfg.n_peers;
	a->udp_fd = peer_udp_socket(&cfg->listen_addr, cfg->listen_port, cfg->rcvbuf);
	if (a->udp_fd < 0) {
		err = a->udp_fd;
		pr_err("agent: binding [%s]:%u with a %u-byte receive buffer: %s",
		       agent_fmt(&cfg->listen_addr, t), cfg->listen_port, cfg->rcvbuf,
		       strerror(-err));
		goto fail;
	}
	a->rcvbuf = peer_udp_rcvbuf(a->udp_fd);
	if (a->rcvbuf < 0) {
		err = a->rcvbuf;
		pr_err("agent: reading the receive buffer size: %s", strerror(-err));
		goto fail;
	}
	/* Without CAP_NET_ADMIN, net.core.rmem_max caps it silently. */
	if (cfg->rcvbuf && (__u64)a->rcvbuf < 2ULL * cfg->rcvbuf)
		pr_warn("agent: receive buffer %d bytes, less than rcvbuf = %u asks for (twice "
			"that, with the kernel's bookkeeping): net.core.rmem_max caps it without "
			"CAP_NET_ADMIN", a->rcvbuf, cfg->rcvbuf);
	else
		pr_info("agent: receive buffer %d bytes", a->rcvbuf);
	if (getsockname(a->udp_fd, (struct sockaddr *)&sa, &sl)) {
		err = -errno;
		pr_err("agent: getsockname: %s", strerror(-err));
		goto fail;
	}
	a->port = ntohs(sa.sin6_port);
	*out = a;
	return 0;
fail:
	agent_close(a);
	return err;
}

int agent_reload(struct agent *a, const struct agent_config *cfg)
{
	struct agent_config nc;
	struct agent_peer *np;
	int *remap = NULL, i, j, err;

	err = copy_config(&nc, cfg);
	if (err) {
		pr_err("agent: reload: %s", strerror(-err));
		return err;
	}
	err = peers_build(&nc, &np);
	if (err) {
		agent_config_free(&nc);
		return err;
	}
	remap = calloc(a->n_peers ? a->n_peers : 1, sizeof(*remap));
	if (!remap) {
		pr_err("agent: reload: %s", strerror(ENOMEM));
		peers_free(np, nc.n_peers);
		agent_config_free(&nc);
		return -ENOMEM;
	}
	for (i = 0; i < a->n_peers; i++) {
		remap[i] = -1;
		for (j = 0; j < nc.n_peers; j++) {
			struct agent_peer *o = &a->peers[i], *f = &np[j];

			if (strcmp(o->link.name, f->link.name) || !addr_eq(&o->addr, &f->addr))
				continue;
			/* Same balancer: its replay windows and counters stay,
			 * under whichever key is configured now. */
			peer_link_keep(&f->link, &o->link);
			remap[i] = j;
			break;
		}
	}
	/* Peer indexes change; the watch is seconds long: forget it. */
	memset(a->watch, 0, sizeof(a->watch));
	for (i = a->n_subs - 1; i >= 0; i--) {
		if (remap[a->subs[i].peer] < 0)
			sub_remove(a, i);
		else
			a->subs[i].peer = remap[a->subs[i].peer];
	}
	if (cfg->role != a->cfg.role || !addr_eq(&cfg->listen_addr, &a->cfg.listen_addr) ||
	    cfg->listen_port != a->cfg.listen_port || strcmp(cfg->iface, a->cfg.iface) ||
	    cfg->has_home != a->cfg.has_home || !addr_eq(&cfg->home_addr, &a->cfg.home_addr) ||
	    strcmp(cfg->feed_socket, a->cfg.feed_socket))
		pr_warn("agent: listen, interface, home_address and feed_socket changes take effect at the next restart");
	/* A live socket takes a new size at once (queued datagrams stay). */
	if (cfg->rcvbuf && cfg->rcvbuf != a->cfg.rcvbuf) {
		err = peer_udp_set_rcvbuf(a->udp_fd, cfg->rcvbuf);
		if (err) {
			pr_err("agent: rcvbuf = %u: %s; the buffer stays at %d bytes", cfg->rcvbuf,
			       strerror(-err), a->rcvbuf);
			nc.rcvbuf = a->cfg.rcvbuf;      /* tried again at the next reload */
		} else
			a->rcvbuf = peer_udp_rcvbuf(a->udp_fd);
	}
	/* Keep what the open sockets were made from. */
	nc.role = a->cfg.role;
	nc.listen_addr = a->cfg.listen_addr;
	nc.listen_port = a->cfg.listen_port;
	memcpy(nc.iface, a->cfg.iface, sizeof(nc.iface));
	nc.has_home = a->cfg.has_home;
	nc.home_addr = a->cfg.home_addr;
	memcpy(nc.feed_socket, a->cfg.feed_socket, sizeof(nc.feed_socket));
	if (nc.snapshot_interval_s != a->cfg.snapshot_interval_s)
		a->next_snapshot_ms = 0;
	peers_free(a->peers, a->n_peers);
	agent_config_free(&a->cfg);
	a->cfg = nc;
	a->peers = np;
	a->n_peers = nc.n_peers;
	free(remap);
	return 0;
}

void agent_close(struct agent *a)
{
	struct proto_msg m;
	int i;

	if (!a)
		return;
	/* Tell each balancer we are gone, so it retries rather than waits. */
	for (i = 0; a->udp_fd >= 0 && i < a->n_subs; i++) {
		memset(&m, 0, sizeof(m));
		m.type = PROTO_UNSUBSCRIBE;
		m.unsubscribe.home = a->subs[i].home;
		agent_send(a, a->subs[i].peer, &m, &a->subs[i].reply);
	}
	if (a->udp_fd >= 0)
		close(a->udp_fd);
	if (a->cap_fd >= 0)
		close(a->cap_fd);
	if (a->feed_fd >= 0)
		close(a->feed_fd);
	if (a->feed_bound)
		unlink(a->cfg.feed_socket);
	if (a->nl)
		mnl_socket_close(a->nl);
	peers_free(a->peers, a->n_peers);
	agent_config_free(&a->cfg);
	free(a->subs);
	free(a->bindings);
	free(a->pending);
	free(a);
}

int agent_udp_fd(const struct agent *a)
{
	return a->udp_fd;
}

__u16 agent_port(const struct agent *a)
{
	return a->port;
}

void agent_get_stats(const struct agent *a, struct agent_stats *out)
{
	*out = a->st;
	out->rx_dropped_kernel = a->drops.total;
}

static const struct agent_peer *peer_named(const struct agent *a, const char *name)
{
	int i;

	for (i = 0; i < a->n_peers; i++)
		if (!strcmp(a->peers[i].link.name, name))
			return &a->peers[i];
	return NULL;
}

long long agent_peer_accepted(const struct agent *a, const char *name)
{
	const struct agent_peer *p = peer_named(a, name);

	return p ? (long long)p->link.rx.accepted : -ENOENT;
}

long long agent_peer_rejected(const struct agent *a, const char *name, int reason)
{
	const struct agent_peer *p = peer_named(a, name);

	if (reason < 0)
		reason = -reason;
	if (!p || reason <= 0 || reason >= PEER_R_MAX)
		return -ENOENT;
	return (long long)p->link.rx.rejected[reason];
}
