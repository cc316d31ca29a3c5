// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_peers.c - the balancer's configured peers ([peer] sections):
 * which peer is asked about a home address, which peer a datagram is
 * from, which home addresses a peer may speak for, and what a peer keeps
 * across a reload.  notify.h lists the decisions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "notify_priv.h"
#include "log.h"

static bool prefix_covers(const struct cfg_prefix *p, const struct in6_addr *a)
{
	int full = p->plen / 8, rest = p->plen % 8;

	if (memcmp(&p->addr, a, full))
		return false;
	if (!rest)
		return true;
	return !((p->addr.s6_addr[full] ^ a->s6_addr[full]) & (0xff00 >> rest));
}

void notify_peers_free(struct npeer *peers, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		peer_link_clear(&peers[i].link);
		free(peers[i].prefixes);
	}
	if (peers)
		explicit_bzero(peers, n * sizeof(*peers));
	free(peers);
}

int notify_peers_from_config(const struct mip6lb_config *cfg, __u32 sender_id,
			     struct npeer **out, int *n_out)
{
	struct npeer *peers = NULL;
	int i, n = 0, err = 0;

	/* role = balancer peers are session sync's (loader/sync.c). */
	if (cfg->n_peers) {
		peers = calloc(cfg->n_peers, sizeof(*peers));
		if (!peers) {
			pr_err("notify: peers: %s", strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	for (i = 0; i < cfg->n_peers; i++) {
		const struct cfg_peer *c = &cfg->peers[i];
		struct npeer *p = &peers[n];

		if (c->role == CFG_ROLE_BALANCER)
			continue;
		n++;
		p->role = c->role;
		p->addr = c->addr;
		p->port = c->port;
		/* 0 (a config built by hand, as tests do): the defaults. */
		p->max_subs = c->max_subscriptions ? c->max_subscriptions : CFG_PEER_MAX_SUBS;
		p->rate = c->subscribe_rate ? c->subscribe_rate : CFG_PEER_SUB_RATE;
		p->burst = c->subscribe_burst ? c->subscribe_burst : CFG_PEER_SUB_BURST;
		p->no_binding_ttl_s = c->no_binding_ttl_s ? c->no_binding_ttl_s :
				      CFG_PEER_NO_BINDING_TTL;
		if (c->n_home_prefixes) {
			p->prefixes = calloc(c->n_home_prefixes, sizeof(*p->prefixes));
			if (!p->prefixes) {
				err = -ENOMEM;
				pr_err("notify: peer %s: %s", c->name, strerror(-err));
				goto fail;
			}
			memcpy(p->prefixes, c->home_prefixes,
			       c->n_home_prefixes * sizeof(*p->prefixes));
			p->n_prefixes = c->n_home_prefixes;
		}
		err = peer_link_init(&p->link, "notify", c->name, c->port, sender_id, c->key_id,
				     c->key, c->key_len);
		if (err) {
			pr_err("notify: peer %s: key of %u bytes: %s", c->name, c->key_len,
			       strerror(-err));
			goto fail;
		}
	}
	*out = peers;
	*n_out = n;
	return 0;
fail:
	notify_peers_free(peers, cfg->n_peers);
	return err;
}

bool notify_peer_serves(const struct npeer *p, const struct in6_addr *home)
{
	int i;

	if (p->role == MIP6LB_NOTIFY_MN && addr_eq(&p->addr, home))
		return true;
	for (i = 0; i < p->n_prefixes; i++)
		if (prefix_covers(&p->prefixes[i], home))
			return true;
	return false;
}

/* notify = ha: longest home_prefix over the ha peers.  notify = mn: the mn
 * peer at the home address, else the longest wildcard prefix. */
int notify_peer_for_home(const struct npeer *peers, int n, __u8 mode,
			 const struct in6_addr *home)
{
	int i, j, best = -1, best_len = -1;

	for (i = 0; i < n; i++) {
		const struct npeer *p = &peers[i];

		if (p->role != mode)
			continue;
		if (mode == MIP6LB_NOTIFY_MN && addr_eq(&p->addr, home))
			return i;
		for (j = 0; j < p->n_prefixes; j++) {
			if (p->prefixes[j].plen > best_len &&
			    prefix_covers(&p->prefixes[j], home)) {
				best = i;
				best_len = p->prefixes[j].plen;
			}
		}
	}
	return best;
}

/* Where a SUBSCRIBE for home goes. */
void notify_peer_dest(const struct npeer *p, const struct in6_addr *home,
		      struct sockaddr_in6 *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(p->port);
	sa->sin6_addr = p->role == MIP6LB_NOTIFY_MN && !addr_eq(&p->addr, home) ? *home : p->addr;
}

/* The home address a message is about, before its MAC is checked: only
 * used to find the key that will check it. */
static const __u8 *claimed_home(const __u8 *buf, size_t len)
{
	if (len < PROTO_HDR_LEN)
		return NULL;
	switch (buf[3]) {
	case PROTO_SUBSCRIBE_ACK:
	case PROTO_BINDING_NOTIFY:
	case PROTO_UNSUBSCRIBE:
		return len >= PROTO_HDR_LEN + 16 ? buf + PROTO_HDR_LEN : NULL;
	case PROTO_BINDING_SNAPSHOT:
		return len >= PROTO_HDR_LEN + PROTO_SNAPSHOT_FIXED_LEN + 16 ?
		       buf + PROTO_HDR_LEN + PROTO_SNAPSHOT_FIXED_LEN : NULL;
	}
	return NULL;
}

int notify_peer_for_datagram(const struct notify *n, const struct sockaddr_in6 *from,
			     const __u8 *buf, size_t len)
{
	const struct in6_addr *src = &from->sin6_addr;
	__u16 port = ntohs(from->sin6_port);
	const __u8 *claim;
	struct in6_addr home;
	int i, first = -1;

	/* Two peers may share an address (two agents on one host): the
	 * port tells them apart; with no port match the first address
	 * match takes the datagram, and its port check refuses it. */
	for (i = 0; i < n->n_peers; i++) {
		if (!addr_eq(&n->peers[i].addr, src))
			continue;
		if (n->peers[i].port == port)
			return i;
		if (first < 0)
			first = i;
	}
	if (first >= 0)
		return first;
	/* A mobile node away from home speaks from its care-of address. */
	for (i = 0; i < n->n_peers; i++)
		if (n->peers[i].role == MIP6LB_NOTIFY_MN && n->peers[i].has_last_src &&
		    addr_eq(&n->peers[i].last_src, src))
			return i;
	claim = claimed_home(buf, len);
	if (!claim)
		return -1;
	memcpy(&home, claim, sizeof(home));
	return notify_peer_for_home(n->peers, n->n_peers, MIP6LB_NOTIFY_MN, &home);
}

int notify_send(struct notify *n, int pi, struct proto_msg *m, const struct sockaddr_in6 *to)
{
	return peer_link_send(&n->peers[pi].link, n->fd, m, to);
}

static bool same_peer(const struct npeer *a, const struct npeer *b)
{
	return !strcmp(a->link.name, b->link.name) && a->role == b->role &&
	       addr_eq(&a->addr, &b->addr) && a->port == b->port &&
	       a->n_prefixes == b->n_prefixes &&
	       (!a->n_prefixes ||
		!memcmp(a->prefixes, b->prefixes, a->n_prefixes * sizeof(*a->prefixes)));
}

/* Move what old knows into fresh (built from the new config). */
static void peer_keep_state(struct npeer *fresh, struct npeer *old)
{
	peer_link_keep(&fresh->link, &old->link);
	fresh->last_src = old->last_src;
	fresh->has_last_src = old->has_last_src;
	fresh->no_session = old->no_session;
	/* The bucket as it is (a reload must not refill it), capped by the
	 * new burst; notify_subs_repoint() recounts n_subs. */
	fresh->tokens_milli = old->tokens_milli < (__u64)fresh->burst * 1000 ?
			      old->tokens_milli : (__u64)fresh->burst * 1000;
	fresh->bucket_ms = old->bucket_ms;
	fresh->bucket_init = old->bucket_init;
	fresh->over_limit = old->over_limit;
	fresh->rate_limited = old->rate_limited;
	fresh->no_binding = old->no_binding;
	fresh->negative_hits = old->negative_hits;
}

int notify_peers_carry(struct npeer *old, int n_old, struct npeer *fresh, int n_fresh,
		       int **remap)
{
	int i, j;

	*remap = NULL;
	if (!n_old)
		return 0;
	*remap = calloc(n_old, sizeof(**remap));
	if (!*remap)
		return -ENOMEM;
	for (i = 0; i < n_old; i++) {
		(*remap)[i] = -1;
		for (j = 0; j < n_fresh; j++) {
			if (same_peer(&old[i], &fresh[j])) {
				peer_keep_state(&fresh[j], &old[i]);
				(*remap)[i] = j;
				break;
			}
		}
	}
	return 0;
}
