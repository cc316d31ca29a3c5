// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_subscriptions.c - the balancer's subscriptions: a SUBSCRIBE to
 * the peer of a node's home address when the node's first packet arrives,
 * retried with exponential backoff until SUBSCRIBE_ACK, renewed at two
 * thirds of the granted lifetime while the node still has a session, and
 * what SUBSCRIBE_ACK and UNSUBSCRIBE from the peer do.
 */
#include <errno.h>
#include <stdlib.h>
#include "notify_priv.h"
#include "log.h"
#include "names.h"

/* A refusal is policy, not loss: ask again much later, and only if the
 * node still has a session by then. */
#define REFUSED_RETRY_MS      (15 * 60 * 1000)

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

static void sub_drop(struct notify *n, struct nsub *s)
{
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

	return s ? notify_sub_state_name(s) : NULL;
}

void notify_subscribe(struct notify *n, const struct in6_addr *home, __u8 mode, __u64 now_ms)
{
	struct nsub *s = notify_sub_find(n, home);
	char h[INET6_ADDRSTRLEN];
	int pi;

	if (!s) {
		pi = notify_peer_for_home(n->peers, n->n_peers, mode, home);
		if (pi < 0) {
			n->st.no_peer++;
			pr_debug("notify: no %s peer for %s", notify_mode_name(mode),
				 fmt_addr(home, h));
			return;
		}
		s = sub_new(n, home, pi, mode);
		if (s) {
			sub_round(n, s, now_ms);
			sub_send(n, s, now_ms);
		}
	} else if (s->state == SUB_LAPSED || s->state == SUB_REFUSED) {
		/* The node is back: ask now rather than at the next retry. */
		s->state = SUB_PENDING;
		sub_round(n, s, now_ms);
		sub_send(n, s, now_ms);
	}
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
		sub_send(n, s, now_ms);
	}
}

void notify_subs_repoint(struct notify *n, const struct npeer *peers, int n_peers,
			 const int *remap)
{
	struct addr_node *hn, *tmp;
	__u32 i;

	addr_table_for_each(&n->subs, hn, tmp, i) {
		struct nsub *s = (struct nsub *)hn;
		int want = notify_peer_for_home(peers, n_peers, s->mode, &s->h.key);
		int kept = remap ? remap[s->peer] : -1;

		if (want < 0) {
			sub_drop(n, s);
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
