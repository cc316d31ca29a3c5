// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_subscriptions.c - the balancer's subscriptions: a SUBSCRIBE to
 * the peer of a node's home address when the node's first packet arrives,
 * retried with exponential backoff until SUBSCRIBE_ACK, renewed at two
 * thirds of the granted lifetime while the node still has a session, and
 * what SUBSCRIBE_ACK and UNSUBSCRIBE from the peer do.
 *
 * A flood of spoofed home addresses must not turn into a flood of
 * SUBSCRIBEs at a Home Agent (issue 12): per peer, at most max_subs
 * subscriptions at a time and SUBSCRIBEs from a token bucket (rate per
 * second, burst), counted when refused; a new subscription refused for
 * either arms the session scan (notify.c), which asks again once there is
 * room.  A peer that answers no_binding (it has no binding for that home
 * address and keeps no state for it) puts the address into the negative
 * cache for no_binding_ttl_s: neither an event nor the scan asks about it
 * until then.
 */
#include <errno.h>
#include <stdlib.h>
#include "notify_priv.h"
#include "log.h"
#include "names.h"

/* A refusal is policy, not loss: ask again much later, and only if the
 * node still has a session by then. */
#define REFUSED_RETRY_MS      (15 * 60 * 1000)
/* A retry or renewal that found the bucket empty tries again this soon
 * (the next timer tick). */
#define DEFER_MS              NOTIFY_TICK_MS

static const char *const sub_state_names[] = {
	[SUB_PENDING] = "pending", [SUB_ACTIVE] = "active", [SUB_RENEWING] = "renewing",
	[SUB_REFUSED] = "refused", [SUB_LAPSED] = "lapsed",
};

const char *notify_sub_state_name(const struct nsub *s)
{
	return sub_state_names[s->state];
}

struct nsub *notify_sub_find(const struct notify *n, const struct in6_addr *home)
{
	return (struct nsub *)addr_table_find(&n->subs, home);
}

/* ---- the bounds: token bucket, count -------------------------------- */

__u32 notify_peer_tokens(struct npeer *p, __u64 now_ms)
{
	__u64 cap = (__u64)p->burst * 1000;

	if (!p->bucket_init) {
		p->tokens_milli = cap;          /* a fresh peer may burst */
		p->bucket_ms = now_ms;
		p->bucket_init = true;
	} else if (now_ms > p->bucket_ms) {
		/* ms x per second = thousandths; capped long before overflow. */
		__u64 add = now_ms - p->bucket_ms >= 3600000 ? cap :
			    (now_ms - p->bucket_ms) * p->rate;

		p->tokens_milli = p->tokens_milli + add > cap ? cap : p->tokens_milli + add;
		p->bucket_ms = now_ms;
	}
	return (__u32)(p->tokens_milli / 1000);
}

static bool peer_take(struct npeer *p, __u64 now_ms)
{
	if (!notify_peer_tokens(p, now_ms))
		return false;
	p->tokens_milli -= 1000;
	return true;
}

/* ---- the negative cache ------------------------------------------------ */

void notify_neg_drop(struct notify *n, struct nneg *g)
{
	if (g->older)
		g->older->newer = g->newer;
	else
		n->neg_oldest = g->newer;
	if (g->newer)
		g->newer->older = g->older;
	else
		n->neg_newest = g->older;
	addr_table_remove(&n->neg, &g->h);
	free(g);
}

/* Newest last; when the cache is full the oldest goes, so a flood of
 * no_binding answers costs memory up to the cap and no more (an address
 * pushed out early is at worst asked about once more). */
static void neg_add(struct notify *n, int pi, const struct in6_addr *home, __u64 now_ms)
{
	struct nneg *g = (struct nneg *)addr_table_find(&n->neg, home);

	if (g)
		notify_neg_drop(n, g);
	if (n->neg.count >= n->neg.max && n->neg_oldest)
		notify_neg_drop(n, n->neg_oldest);
	g = calloc(1, sizeof(*g));
	if (!g)
		return;                 /* asked again at the next event: harmless */
	g->h.key = *home;
	g->peer = pi;
	g->expires_ms = now_ms + (__u64)n->peers[pi].no_binding_ttl_s * 1000;
	g->older = n->neg_newest;
	if (n->neg_newest)
		n->neg_newest->newer = g;
	else
		n->neg_oldest = g;
	n->neg_newest = g;
	addr_table_insert(&n->neg, &g->h);
}

struct nneg *notify_neg_find(struct notify *n, const struct in6_addr *home, __u64 now_ms)
{
	struct nneg *g = (struct nneg *)addr_table_find(&n->neg, home);

	if (g && now_ms >= g->expires_ms) {
		notify_neg_drop(n, g);
		n->scan_armed = true;   /* the node may have a binding by now */
		return NULL;
	}
	return g;
}

/* Insertion order is expiry order while the peers share one TTL; with
 * several TTLs an entry may outlive its time here, never in
 * notify_neg_find(), which checks. */
void notify_neg_expire(struct notify *n, __u64 now_ms)
{
	bool any = false;

	while (n->neg_oldest && now_ms >= n->neg_oldest->expires_ms) {
		notify_neg_drop(n, n->neg_oldest);
		any = true;
	}
	/* A node that was home (no binding) may have moved since: the scan
	 * asks again for the ones that still have a session. */
	if (any)
		n->scan_armed = true;
}

/* ---- subscriptions ------------------------------------------------------ */

static void sub_drop(struct notify *n, struct nsub *s)
{
	struct npeer *p = &n->peers[s->peer];

	/* Room again after a refusal for the count: the scan finds who
	 * was refused. */
	if (p->n_subs >= p->max_subs || n->subs.count >= n->subs.max)
		n->scan_armed = true;
	p->n_subs--;
	addr_table_remove(&n->subs, &s->h);
	free(s);
}

static void sub_round(struct notify *n, struct nsub *s, __u64 now_ms)
{
	s->attempts = 0;
	s->backoff_ms = n->opts.retry_initial_ms;
	s->next_ms = now_ms;
}

static void sub_send(struct notify *n, struct nsub *s, __u64 now_ms)
{
	struct npeer *p = &n->peers[s->peer];
	struct proto_msg m = { .type = PROTO_SUBSCRIBE };
	struct sockaddr_in6 to;

	m.subscribe.home = s->h.key;
	m.subscribe.reply_addr = n->local;       /* :: = our source address */
	m.subscribe.reply_port = 0;              /* = our source port */
	m.subscribe.snapshot_interval_s = n->opts.snapshot_interval_s;
	m.subscribe.lifetime_s = n->opts.sub_lifetime_s;
	if (n->group[0]) {
		/* A member subscribes for its group, naming the backends it
		 * has (or follows) for the node. */
		struct proto_subscribe sub = m.subscribe;

		memset(&m, 0, sizeof(m));
		m.type = PROTO_GROUP_SUBSCRIBE;
		m.group_subscribe.sub = sub;
		memcpy(m.group_subscribe.group, n->group, sizeof(n->group));
		notify_group_choices(n, s, &m.group_subscribe.ch);
	}
	notify_peer_dest(p, &s->h.key, &to);
	notify_send(n, s->peer, &m, &to);
	/* A send error is a lost datagram: the same backoff covers both. */
	if (m.seq) {
		if (!s->attempts)
			s->round_seq = m.seq;
		s->last_seq = m.seq;
	}
	s->attempts++;
	n->st.subscribes_sent++;
	s->next_ms = now_ms + s->backoff_ms;
	s->backoff_ms = s->backoff_ms >= n->opts.retry_max_ms / 2 ?
			n->opts.retry_max_ms : s->backoff_ms * 2;
}

/* sub_send() when the peer's bucket has a token; else the same state is
 * tried again at the next tick (no attempt counted, the backoff kept). */
static bool sub_send_paced(struct notify *n, struct nsub *s, __u64 now_ms)
{
	if (!peer_take(&n->peers[s->peer], now_ms)) {
		s->next_ms = now_ms + DEFER_MS;
		return false;
	}
	sub_send(n, s, now_ms);
	return true;
}

static void sub_unsubscribe(struct notify *n, struct nsub *s)
{
	struct proto_msg m = { .type = PROTO_UNSUBSCRIBE };
	struct sockaddr_in6 to;

	m.unsubscribe.home = s->h.key;
	notify_peer_dest(&n->peers[s->peer], &s->h.key, &to);
	notify_send(n, s->peer, &m, &to);
}

static struct nsub *sub_new(struct notify *n, const struct in6_addr *home, int pi, __u8 mode)
{
	char h[INET6_ADDRSTRLEN];
	struct nsub *s;

	if (n->subs.count >= n->subs.max) {
		n->st.table_full++;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		pr_err("notify: subscription for %s: %s", fmt_addr(home, h), strerror(ENOMEM));
		return NULL;
	}
	s->h.key = *home;
	s->peer = pi;
	s->mode = mode;
	s->state = SUB_PENDING;
	addr_table_insert(&n->subs, &s->h);
	n->peers[pi].n_subs++;
	return s;
}

int notify_handle_ack(struct notify *n, int pi, const struct proto_subscribe_ack *a, __u64 now_ms)
{
	struct nsub *s = notify_sub_find(n, &a->home);
	struct npeer *p = &n->peers[pi];
	char h[INET6_ADDRSTRLEN];
	__u32 granted;

	if (!s || s->peer != pi || !s->attempts || a->ack_seq < s->round_seq ||
	    a->ack_seq > s->last_seq ||
	    (s->state != SUB_PENDING && s->state != SUB_RENEWING && s->state != SUB_ACTIVE))
		return PEER_R_UNEXPECTED;

	s->status = a->status;
	switch (a->status) {
	case PROTO_SUB_OK:
	case PROTO_SUB_UNKNOWN:
		granted = a->lifetime_s ? a->lifetime_s : 1;
		if (s->state != SUB_ACTIVE)
			pr_debug("notify: subscribed to %s at peer %s for %u s (%s)",
				 fmt_addr(&a->home, h), p->link.name, granted,
				 proto_sub_status_name(a->status));
		s->state = SUB_ACTIVE;
		s->expires_ms = now_ms + (__u64)granted * 1000;
		s->next_ms = now_ms + (__u64)granted * 1000 * 2 / 3;
		s->backoff_ms = n->opts.retry_initial_ms;
		break;
	case PROTO_SUB_REFUSED:
		pr_info("notify: peer %s refused a subscription to %s", p->link.name,
			fmt_addr(&a->home, h));
		s->state = SUB_REFUSED;
		s->next_ms = now_ms + REFUSED_RETRY_MS;
		break;
	case PROTO_SUB_NO_BINDING:
		/* Not subscribed, and the peer keeps nothing: a spoofed home
		 * address, or a node at home.  Ask again only after the TTL
		 * (a BINDING_NOTIFY for it clears the entry sooner). */
		if (log_get_level() >= LOG_LVL_DEBUG)
			pr_debug("notify: peer %s has no binding for %s; not asking again "
				 "for %u s", p->link.name, fmt_addr(&a->home, h),
				 p->no_binding_ttl_s);
		p->no_binding++;
		neg_add(n, pi, &a->home, now_ms);
		sub_drop(n, s);
		break;
	default:                /* no resources: as if lost, keep backing off */
		break;
	}
	return 0;
}

int notify_handle_unsubscribe(struct notify *n, int pi, const struct proto_unsubscribe *u,
			  __u64 now_ms)
{
	struct nsub *s;

	if (!notify_peer_serves(&n->peers[pi], &u->home))
		return PEER_R_NOT_AUTHORITATIVE;
	s = notify_sub_find(n, &u->home);
	if (s && s->peer == pi) {
		/* Forgotten; asked again after the longest backoff if the
		 * node still has a session then, or at its next new session. */
		s->state = SUB_LAPSED;
		s->next_ms = now_ms + n->opts.retry_max_ms;
	}
	return 0;
}

const char *notify_subscription_state(const struct notify *n, const struct in6_addr *home)
{
	struct nsub *s = notify_sub_find(n, home);
	const struct nneg *g;

	if (s)
		return notify_sub_state_name(s);
	g = (const struct nneg *)addr_table_find(&n->neg, home);
	return g && notify_now_ms() < g->expires_ms ? "no_binding" : NULL;
}

bool notify_subscribe(struct notify *n, const struct in6_addr *home, __u8 mode, __u64 now_ms)
{
	return notify_subscribe_choice(n, home, mode, MIP6LB_NO_SERVICE, 0, now_ms);
}

bool notify_subscribe_choice(struct notify *n, const struct in6_addr *home, __u8 mode,
			     __u32 service_id, __u32 backend_id, __u64 now_ms)
{
	struct nsub *s = notify_sub_find(n, home);
	char h[INET6_ADDRSTRLEN];
	struct nneg *g;
	struct npeer *p;
	int pi;

	if (!s) {
		g = notify_neg_find(n, home, now_ms);
		if (g) {
			n->peers[g->peer].negative_hits++;
			return false;
		}
		pi = notify_peer_for_home(n->peers, n->n_peers, mode, home);
		if (pi < 0) {
			n->st.no_peer++;
			pr_debug("notify: no %s peer for %s", notify_mode_name(mode),
				 fmt_addr(home, h));
			return false;
		}
		p = &n->peers[pi];
		if (p->n_subs >= p->max_subs) {
			p->over_limit++;
			n->scan_armed = true;
			return false;
		}
		if (n->subs.count >= n->subs.max) {
			n->st.table_full++;
			n->scan_armed = true;
			return false;
		}
		if (!peer_take(p, now_ms)) {
			p->rate_limited++;
			n->scan_armed = true;
			return false;
		}
		s = sub_new(n, home, pi, mode);
		if (!s)
			return false;
		notify_group_sub_init(n, s);
		notify_group_choose(n, s, service_id, backend_id);
		sub_round(n, s, now_ms);
		sub_send(n, s, now_ms);
	} else if (s->state == SUB_LAPSED || s->state == SUB_REFUSED) {
		/* The node is back: ask now rather than at the next retry
		 * (at the next tick if the bucket is empty now). */
		notify_group_choose(n, s, service_id, backend_id);
		s->state = SUB_PENDING;
		sub_round(n, s, now_ms);
		sub_send_paced(n, s, now_ms);
	} else if (notify_group_choose(n, s, service_id, backend_id)) {
		/* A session in another service: the group hears of this
		 * choice now, not at the renewal.  Same round, so the ACK of
		 * an earlier SUBSCRIBE still in flight is still taken. */
		sub_send_paced(n, s, now_ms);
	}
	return true;
}

void notify_subs_tick(struct notify *n, __u64 now_ms)
{
	char h[INET6_ADDRSTRLEN];
	struct addr_node *hn, *tmp;
	struct nsub *s;
	__u32 i;

	addr_table_for_each(&n->subs, hn, tmp, i) {
		s = (struct nsub *)hn;
		if (s->state == SUB_RENEWING && now_ms >= s->expires_ms)
			s->state = SUB_PENDING;           /* lost it */
		if (now_ms < s->next_ms)
			continue;
		/* Nobody left to keep on a backend: stop asking. */
		if (!notify_node_alive(n, notify_binding_find(n, &s->h.key), &s->h.key, s->mode)) {
			if (s->state == SUB_ACTIVE || s->state == SUB_RENEWING)
				sub_unsubscribe(n, s);
			pr_debug("notify: %s has no session left; subscription dropped",
				 fmt_addr(&s->h.key, h));
			sub_drop(n, s);
			continue;
		}
		switch (s->state) {
		case SUB_ACTIVE:
			s->state = SUB_RENEWING;
			sub_round(n, s, now_ms);
			break;
		case SUB_REFUSED:
		case SUB_LAPSED:
			s->state = SUB_PENDING;
			sub_round(n, s, now_ms);
			break;
		}
		sub_send_paced(n, s, now_ms);
	}
}

void notify_subs_repoint(struct notify *n, struct npeer *peers, int n_peers,
			 const int *remap)
{
	struct addr_node *hn, *tmp;
	struct nneg *g, *gn;
	__u32 i;
	int pi;

	addr_table_for_each(&n->subs, hn, tmp, i) {
		struct nsub *s = (struct nsub *)hn;
		int want = notify_peer_for_home(peers, n_peers, s->mode, &s->h.key);
		int kept = remap ? remap[s->peer] : -1;

		if (want < 0) {
			/* Not sub_drop(): n->peers is still the old array. */
			addr_table_remove(&n->subs, &s->h);
			free(s);
		} else if (want != kept) {
			/* Another peer serves it now: start over there. */
			s->peer = want;
			s->state = SUB_PENDING;
			s->status = 0;
			s->attempts = 0;
			s->backoff_ms = n->opts.retry_initial_ms;
			s->next_ms = 0;
		} else {
			s->peer = kept;
		}
	}
	/* The new peers' counts, from what stayed.  The counts may now
	 * exceed a lowered max_subscriptions: no new ones until they fall. */
	for (pi = 0; pi < n_peers; pi++)
		peers[pi].n_subs = 0;
	addr_table_for_each(&n->subs, hn, tmp, i)
		peers[((struct nsub *)hn)->peer].n_subs++;
	/* A negative entry stays with its peer, or goes with it. */
	for (g = n->neg_oldest; g; g = gn) {
		gn = g->newer;
		if (!remap || remap[g->peer] < 0)
			notify_neg_drop(n, g);
		else
			g->peer = remap[g->peer];
	}
}

void notify_subs_unsubscribe_all(struct notify *n)
{
	struct addr_node *hn, *tmp;
	__u32 i;

	addr_table_for_each(&n->subs, hn, tmp, i) {
		struct nsub *s = (struct nsub *)hn;

		if (s->state == SUB_ACTIVE || s->state == SUB_RENEWING)
			sub_unsubscribe(n, s);
	}
}
