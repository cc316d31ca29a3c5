// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify.c - the balancer side of binding notifications: subscriptions to
 * Home Agents and mobile nodes, the binding table, and the one place where
 * a notification writes the session map (write_coa()).  notify.h has the
 * contract and the decisions; docs/protocol.md the wire format.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <json-c/json.h>
#include "notify.h"
#include "config.h"
#include "dpmaps.h"
#include "log.h"
#include "names.h"
#include "peer_link.h"

#define DEF_SUB_LIFETIME_S    3600
#define DEF_SNAPSHOT_S        30
#define DEF_RETRY_INITIAL_MS  1000
#define DEF_RETRY_MAX_MS      60000
#define DEF_MAX_ENTRIES       65536
/* A refusal is policy, not loss: ask again much later, and only if the
 * node still has a session by then. */
#define REFUSED_RETRY_MS      (15 * 60 * 1000)
/* The services' notify modes change only when the daemon writes the
 * config; re-read them at most this often on the timer in case a change
 * came from elsewhere (notify_maps_changed() is the prompt way). */
#define MODES_REFRESH_MS      1000
/* A backend a binding found for a service is reused for its next
 * notifications without looking the node's session up again, for at most
 * this long and never across notify_maps_changed(): the datapath itself
 * only moves a session when its backend goes away (a daemon change) or
 * when the LRU evicts it, which this bounds. */
#define ATTACH_TRUST_MS       1000

/* ---- small helpers ------------------------------------------------------ */

static bool addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static const char *fmt_addr(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN) ? buf : "?";
}

static bool prefix_covers(const struct cfg_prefix *p, const struct in6_addr *a)
{
	int full = p->plen / 8, rest = p->plen % 8;

	if (memcmp(&p->addr, a, full))
		return false;
	if (!rest)
		return true;
	return !((p->addr.s6_addr[full] ^ a->s6_addr[full]) & (0xff00 >> rest));
}

__u64 notify_now_ms(void)
{
	return peer_now_ms();
}

/* ---- a small hash table keyed by IPv6 address --------------------------- */

struct hnode {
	struct hnode *next;
	struct in6_addr key;
};

struct htab {
	struct hnode **b;
	__u32 mask;
	__u32 count;
	__u32 max;
};

static __u32 addr_hash(const struct in6_addr *a)
{
	__u32 w[4], h = 0x9e3779b9;
	int i;

	memcpy(w, a, sizeof(w));
	for (i = 0; i < 4; i++) {
		h ^= w[i];
		h *= 0x85ebca6b;
		h ^= h >> 13;
	}
	return h;
}

static int htab_init(struct htab *t, __u32 max)
{
	__u32 n = 16;

	while (n < max / 2 && n < (1U << 24))
		n <<= 1;
	t->b = calloc(n, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->mask = n - 1;
	t->count = 0;
	t->max = max;
	return 0;
}

static struct hnode *htab_find(const struct htab *t, const struct in6_addr *key)
{
	struct hnode *h;

	for (h = t->b[addr_hash(key) & t->mask]; h; h = h->next)
		if (addr_eq(&h->key, key))
			return h;
	return NULL;
}

static void htab_insert(struct htab *t, struct hnode *h)
{
	struct hnode **head = &t->b[addr_hash(&h->key) & t->mask];

	h->next = *head;
	*head = h;
	t->count++;
}

static void htab_remove(struct htab *t, struct hnode *h)
{
	struct hnode **pp = &t->b[addr_hash(&h->key) & t->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			t->count--;
			return;
		}
	}
}

/* Safe against removing the current node. */
#define htab_for_each(t, h, tmp, i)					\
	for ((i) = 0; (i) <= (t)->mask; (i)++)				\
		for ((h) = (t)->b[(i)]; (h) && ((tmp) = (h)->next, 1); (h) = (tmp))

static void htab_free(struct htab *t)
{
	struct hnode *h, *tmp;
	__u32 i;

	if (!t->b)
		return;
	htab_for_each(t, h, tmp, i)
		free(h);
	free(t->b);
	t->b = NULL;
}

/* ---- state -------------------------------------------------------------- */

enum sub_state {
	SUB_PENDING = 0,     /* not subscribed: SUBSCRIBE sent, retrying */
	SUB_ACTIVE,          /* acknowledged, renewal not yet due */
	SUB_RENEWING,        /* acknowledged, renewal sent, retrying */
	SUB_REFUSED,         /* the peer said no; asked again much later */
	SUB_LAPSED,          /* the peer unsubscribed us */
};

static const char *const sub_state_names[] = {
	[SUB_PENDING] = "pending", [SUB_ACTIVE] = "active", [SUB_RENEWING] = "renewing",
	[SUB_REFUSED] = "refused", [SUB_LAPSED] = "lapsed",
};

struct nsub {
	struct hnode h;                 /* key: home address */
	int peer;
	__u8 mode;                      /* notify mode of the service that asked */
	__u8 state;                     /* enum sub_state */
	__u8 status;                    /* last SUBSCRIBE_ACK status */
	__u32 attempts;                 /* SUBSCRIBEs sent this round */
	__u32 backoff_ms;
	__u64 next_ms;                  /* next send (or renewal) */
	__u64 expires_ms;               /* end of the granted lifetime */
	__u64 round_seq, last_seq;      /* sequence numbers of this round */
};

struct attach {
	__u32 service_id;
	__u32 backend_id;
	__u32 gen;                      /* notify.gen when backend_id was seen */
	__u64 seen_ms;                  /* ... and when */
};

struct nbinding {
	struct hnode h;                 /* key: home address */
	struct in6_addr coa;
	struct in6_addr old[NOTIFY_OLD_COAS]; /* most recent first */
	int n_old;
	int peer;                       /* -1 once the peer left the config */
	__u16 binding_seq;
	__u32 lifetime_s;
	__u64 expires_ms;
	struct attach att[NOTIFY_MAX_ATTACH];
	int n_att;
};

struct npeer {
	struct peer_link link;          /* name, sender, receive state, counters */
	__u8 role;                      /* MIP6LB_NOTIFY_HA or _MN */
	struct in6_addr addr;
	__u16 port;
	struct cfg_prefix *prefixes;
	int n_prefixes;
	struct in6_addr last_src;       /* role mn: where it was last heard from */
	bool has_last_src;
	__u64 no_session;
};

/* One recvmmsg() slot. */
struct rxslot {
	__u8 buf[PROTO_MAX_MSG + 1];    /* one more: oversized is seen as such */
	struct sockaddr_in6 from;
	struct iovec iov;
};

struct notify {
	int fd;
	__u16 port;
	struct in6_addr local;          /* bound address; :: = any */
	__u16 cfg_port;                 /* as configured, for reload */
	struct dp_maps maps;
	struct notify_opts opts;
	struct npeer *peers;
	int n_peers;
	struct htab subs;
	struct htab bindings;
	struct notify_stats st;
	/* service_conf's notify modes, by service id (0: off or unused) */
	__u8 modes[MIP6LB_MAX_SERVICES];
	__u64 modes_ms;
	__u32 gen;                      /* bumped by notify_maps_changed() */
	/* coa sessions waiting for one bpf_map_update_batch() */
	struct mip6lb_session_key wq_key[NOTIFY_WRITE_BATCH];
	struct mip6lb_session wq_val[NOTIFY_WRITE_BATCH];
	int wq_n;
	bool no_update_batch;           /* the kernel refused it once */
	bool no_lookup_batch;
	struct rxslot *rx;              /* [NOTIFY_RX_BATCH] */
	struct mmsghdr *mm;             /* [NOTIFY_RX_BATCH] */
};

/* ---- peers -------------------------------------------------------------- */

static void peers_free(struct npeer *peers, int n)
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

static int peers_from_config(const struct mip6lb_config *cfg, __u32 sender_id,
			     struct npeer **out, int *n_out)
{
	struct npeer *peers = NULL;
	int i, err = 0;

	if (cfg->n_peers) {
		peers = calloc(cfg->n_peers, sizeof(*peers));
		if (!peers) {
			pr_err("notify: peers: %s", strerror(ENOMEM));
			return -ENOMEM;
		}
	}
	for (i = 0; i < cfg->n_peers; i++) {
		const struct cfg_peer *c = &cfg->peers[i];
		struct npeer *p = &peers[i];

		p->role = c->role;
		p->addr = c->addr;
		p->port = c->port;
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
		err = peer_link_init(&p->link, "notify", c->name, sender_id, c->key_id, c->key,
				     c->key_len);
		if (err) {
			pr_err("notify: peer %s: key of %u bytes: %s", c->name, c->key_len,
			       strerror(-err));
			goto fail;
		}
	}
	*out = peers;
	*n_out = cfg->n_peers;
	return 0;
fail:
	peers_free(peers, cfg->n_peers);
	return err;
}

static bool peer_serves(const struct npeer *p, const struct in6_addr *home)
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
static int peer_for_home(const struct npeer *peers, int n, __u8 mode,
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
static void peer_dest(const struct npeer *p, const struct in6_addr *home,
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

static int peer_for_datagram(const struct notify *n, const struct in6_addr *src,
			     const __u8 *buf, size_t len)
{
	const __u8 *claim;
	struct in6_addr home;
	int i;

	for (i = 0; i < n->n_peers; i++)
		if (addr_eq(&n->peers[i].addr, src))
			return i;
	/* A mobile node away from home speaks from its care-of address. */
	for (i = 0; i < n->n_peers; i++)
		if (n->peers[i].role == MIP6LB_NOTIFY_MN && n->peers[i].has_last_src &&
		    addr_eq(&n->peers[i].last_src, src))
			return i;
	claim = claimed_home(buf, len);
	if (!claim)
		return -1;
	memcpy(&home, claim, sizeof(home));
	return peer_for_home(n->peers, n->n_peers, MIP6LB_NOTIFY_MN, &home);
}

static int send_msg(struct notify *n, int pi, struct proto_msg *m,
		    const struct sockaddr_in6 *to)
{
	return peer_link_send(&n->peers[pi].link, n->fd, m, to);
}

/* ---- sessions: where a notification writes the map ---------------------- */

/*
 * The notify mode of each service id, 0 for unused slots: one batched
 * lookup of the whole service_conf array.  Every event and every
 * notification needs it, and it only changes when the daemon writes the
 * config, so it is cached (notify_maps_changed(), notify_reload(), and at
 * most once a MODES_REFRESH_MS from notify_tick()).
 */
static void modes_refresh(struct notify *n, __u64 now_ms)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	struct mip6lb_service svc[MIP6LB_MAX_SERVICES];
	__u32 ids[MIP6LB_MAX_SERVICES], out_batch, count = 0, id;
	bool have;
	int err;

	if (!n->no_lookup_batch) {
		count = MIP6LB_MAX_SERVICES;
		err = bpf_map_lookup_batch(n->maps.service_conf, NULL, &out_batch, ids, svc,
					   &count, &bo) ? -errno : 0;
		/* ENOENT: the end of the array came within this one call. */
		if (err && err != -ENOENT) {
			if (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUP)
				n->no_lookup_batch = true;
			count = 0;
		}
	}
	for (id = 0; id < MIP6LB_MAX_SERVICES; id++) {
		/* An array answers in index order; anything else, one by one. */
		if (id < count && ids[id] == id)
			have = true;
		else
			have = !bpf_map_lookup_elem(n->maps.service_conf, &id, &svc[id]);
		n->modes[id] = have && (svc[id].flags & MIP6LB_SVC_ACTIVE) ? svc[id].notify : 0;
	}
	n->modes_ms = now_ms;
}

static __u8 service_mode(const struct notify *n, __u32 id)
{
	return id < MIP6LB_MAX_SERVICES ? n->modes[id] : 0;
}

static void addr_key(struct mip6lb_session_key *k, __u32 service_id, const struct in6_addr *a)
{
	memset(k, 0, sizeof(*k));
	k->service_id = service_id;
	k->space = MIP6LB_SPACE_ADDR;
	k->id.addr = *a;
}

static void wq_flush(struct notify *n);

static bool session_at(struct notify *n, __u32 service_id, const struct in6_addr *a,
		       struct mip6lb_session *val)
{
	struct mip6lb_session_key k;

	/* Read what this module wrote, not what it is about to write. */
	wq_flush(n);
	addr_key(&k, service_id, a);
	return !bpf_map_lookup_elem(n->maps.sessions, &k, val);
}

static void write_failed(struct notify *n, const struct mip6lb_session_key *k, int err)
{
	char a[INET6_ADDRSTRLEN];

	pr_warn("notify: writing the coa session %s of service %u: %s",
		fmt_addr(&k->id.addr, a), k->service_id, strerror(-err));
	/* The bindings' remembered backends may name a session that is not
	 * there: look again next time. */
	n->gen++;
}

/* Write the queued coa sessions: one bpf_map_update_batch() (the kernel
 * applies them in order, so a later one for the same address wins), one
 * update per entry where the kernel has no batch update. */
static void wq_flush(struct notify *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo, .elem_flags = BPF_ANY);
	__u32 count = n->wq_n, i = 0;
	int err;

	if (!n->wq_n)
		return;
	if (!n->no_update_batch) {
		err = bpf_map_update_batch(n->maps.sessions, n->wq_key, n->wq_val, &count, &bo) ?
		      -errno : 0;
		if (!err)
			count = n->wq_n;
		else if (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUP)
			n->no_update_batch = !count;
		/* On an error, count says how many went in; the rest one by
		 * one, so the failing entry is the one logged. */
		i = count > (__u32)n->wq_n ? (__u32)n->wq_n : count;
		n->st.sessions_written += i;
	}
	for (; i < (__u32)n->wq_n; i++) {
		if (bpf_map_update_elem(n->maps.sessions, &n->wq_key[i], &n->wq_val[i], BPF_ANY))
			write_failed(n, &n->wq_key[i], -errno);
		else
			n->st.sessions_written++;
	}
	n->wq_n = 0;
}

/*
 * The session of kind coa for a node's new care-of address: the backend of
 * its existing session, the notified lifetime, last used now on the
 * datapath's clock.  BPF_ANY on purpose: plain packets from the new
 * address may have raced the notification and picked another backend on
 * the ring; the node's original backend wins.  Queued: the caller's
 * wq_flush() (at the latest at the end of notify_on_readable() or
 * notify_on_event()) writes it.
 */
static void write_coa(struct notify *n, __u32 service_id, const struct in6_addr *coa,
		      __u32 backend_id, __u32 lifetime_s)
{
	if (n->wq_n == NOTIFY_WRITE_BATCH)
		wq_flush(n);
	addr_key(&n->wq_key[n->wq_n], service_id, coa);
	n->wq_val[n->wq_n] = (struct mip6lb_session){
		.backend_id = backend_id,
		.kind = MIP6LB_KIND_COA,
		.lifetime_s = lifetime_s,
		.last_used_ns = dp_now_ns(),
	};
	n->wq_n++;
}

static struct attach *attach_find(struct nbinding *b, __u32 service_id)
{
	int i;

	for (i = 0; i < b->n_att; i++)
		if (b->att[i].service_id == service_id)
			return &b->att[i];
	return NULL;
}

/* Remember that the node's session in service_id is on backend_id, as
 * seen at now_ms. */
static void attach(struct notify *n, struct nbinding *b, __u32 service_id, __u32 backend_id,
		   __u64 now_ms)
{
	struct attach *a = attach_find(b, service_id);

	if (!a) {
		if (b->n_att == NOTIFY_MAX_ATTACH)
			return;
		a = &b->att[b->n_att++];
		a->service_id = service_id;
	}
	a->backend_id = backend_id;
	a->gen = n->gen;
	a->seen_ms = now_ms;
}

/* The backend remembered for the node in service_id, if it can still be
 * trusted without a lookup. */
static bool attach_trusted(const struct notify *n, struct nbinding *b, __u32 service_id,
			   __u64 now_ms, __u32 *backend_id)
{
	const struct attach *a = attach_find(b, service_id);

	if (!a || a->gen != n->gen || now_ms < a->seen_ms ||
	    now_ms - a->seen_ms >= ATTACH_TRUST_MS)
		return false;
	*backend_id = a->backend_id;
	return true;
}

/* The node's existing session in one service: its home address first,
 * then the care-of addresses it was last known at. */
static bool node_session(struct notify *n, __u32 service_id, const struct in6_addr *home,
			 const struct in6_addr *old, const struct nbinding *b,
			 struct mip6lb_session *val)
{
	int i;

	if (session_at(n, service_id, home, val))
		return true;
	if (old && session_at(n, service_id, old, val))
		return true;
	for (i = 0; b && i < b->n_old; i++)
		if (session_at(n, service_id, &b->old[i], val))
			return true;
	return false;
}

/* Write b->coa into every service whose notify mode is the peer's role and
 * that has a session for the node.  Returns how many were written. */
static int carry_sessions(struct notify *n, struct nbinding *b, __u8 role,
			  const struct in6_addr *old, __u64 now_ms)
{
	struct mip6lb_session val;
	__u32 id, backend_id;
	int written = 0;

	for (id = 0; id < MIP6LB_MAX_SERVICES; id++) {
		if (n->modes[id] != role)
			continue;
		if (!attach_trusted(n, b, id, now_ms, &backend_id)) {
			if (!node_session(n, id, &b->h.key, old, b, &val))
				continue;
			backend_id = val.backend_id;
			attach(n, b, id, backend_id, now_ms);
		}
		write_coa(n, id, &b->coa, backend_id, b->lifetime_s);
		written++;
	}
	return written;
}

/* Does the node still have a session a notification could carry? */
static bool node_alive(struct notify *n, const struct nbinding *b,
		       const struct in6_addr *home, __u8 mode)
{
	struct mip6lb_session val;
	__u32 id;

	for (id = 0; id < MIP6LB_MAX_SERVICES; id++) {
		if (n->modes[id] != mode)
			continue;
		if (session_at(n, id, home, &val) || (b && session_at(n, id, &b->coa, &val)))
			return true;
	}
	return false;
}

/* ---- bindings ------------------------------------------------------------ */

static struct nbinding *binding_find(const struct notify *n, const struct in6_addr *home)
{
	return (struct nbinding *)htab_find(&n->bindings, home);
}

static void binding_drop(struct notify *n, struct nbinding *b)
{
	htab_remove(&n->bindings, &b->h);
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
			  __u16 binding_seq, __u32 lifetime_s, __u64 now_ms)
{
	struct nbinding *b = binding_find(n, home);
	struct npeer *p = &n->peers[pi];
	char h[INET6_ADDRSTRLEN], c[INET6_ADDRSTRLEN];
	int i;

	if (!lifetime_s) {
		/* Deregistered (RFC 6275 §6.1.7): the node is home, its home
		 * session serves it; coa sessions age out on their own. */
		if (b)
			binding_drop(n, b);
		pr_debug("notify: %s deregistered (peer %s)", fmt_addr(home, h), p->link.name);
		return;
	}
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
		htab_insert(&n->bindings, &b->h);
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
	if (addr_eq(coa, home))
		return;                 /* home again: the home session serves it */
	if (!carry_sessions(n, b, p->role, old, now_ms)) {
		/* Before the node's first packet, or after its sessions aged
		 * out: remembered; notify_on_event() applies it later. */
		p->no_session++;
		n->st.no_session++;
	}
}

/* ---- subscriptions ------------------------------------------------------- */

static struct nsub *sub_find(const struct notify *n, const struct in6_addr *home)
{
	return (struct nsub *)htab_find(&n->subs, home);
}

static void sub_drop(struct notify *n, struct nsub *s)
{
	htab_remove(&n->subs, &s->h);
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
	peer_dest(p, &s->h.key, &to);
	send_msg(n, s->peer, &m, &to);
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
	peer_dest(&n->peers[s->peer], &s->h.key, &to);
	send_msg(n, s->peer, &m, &to);
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
	htab_insert(&n->subs, &s->h);
	return s;
}

/* ---- events ----------------------------------------------------------- */

void notify_on_event(struct notify *n, const struct mip6lb_event *ev, __u64 now_ms)
{
	const struct in6_addr *home = &ev->home_addr;
	char h[INET6_ADDRSTRLEN];
	struct nbinding *b;
	struct nsub *s;
	__u8 mode;
	int pi;

	if (ev->type != MIP6LB_EV_SESSION_NEW)
		return;
	mode = service_mode(n, ev->key.service_id);
	if (mode != MIP6LB_NOTIFY_HA && mode != MIP6LB_NOTIFY_MN)
		return;

	s = sub_find(n, home);
	if (!s) {
		pi = peer_for_home(n->peers, n->n_peers, mode, home);
		if (pi < 0) {
			n->st.no_peer++;
			pr_debug("notify: no %s peer for %s", notify_mode_name(mode),
				 fmt_addr(home, h));
		} else {
			s = sub_new(n, home, pi, mode);
			if (s) {
				sub_round(n, s, now_ms);
				sub_send(n, s, now_ms);
			}
		}
	} else if (s->state == SUB_LAPSED || s->state == SUB_REFUSED) {
		/* The node is back: ask now rather than at the next retry. */
		s->state = SUB_PENDING;
		sub_round(n, s, now_ms);
		sub_send(n, s, now_ms);
	}

	/* A binding that arrived before this first packet. */
	b = binding_find(n, home);
	if (b && b->peer >= 0 && n->peers[b->peer].role == mode &&
	    now_ms < b->expires_ms && !addr_eq(&b->coa, home)) {
		write_coa(n, ev->key.service_id, &b->coa, ev->backend_id, b->lifetime_s);
		attach(n, b, ev->key.service_id, ev->backend_id, now_ms);
		wq_flush(n);
	}
}

int notify_ringbuf_cb(void *ctx, void *data, size_t len)
{
	if (len >= sizeof(struct mip6lb_event))
		notify_on_event(ctx, data, notify_now_ms());
	return 0;
}

/* ---- messages ----------------------------------------------------------- */

/* Each on_*() checks first and returns a reason without touching
 * anything, then acts and returns 0. */

static int on_ack(struct notify *n, int pi, const struct proto_subscribe_ack *a, __u64 now_ms)
{
	struct nsub *s = sub_find(n, &a->home);
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

static int on_notify(struct notify *n, int pi, const struct proto_notify *nt, __u64 now_ms)
{
	if (!peer_serves(&n->peers[pi], &nt->home))
		return PEER_R_NOT_AUTHORITATIVE;
	apply_binding(n, pi, &nt->home, &nt->coa,
		      nt->flags & PROTO_NOTIFY_F_OLD_COA ? &nt->old_coa : NULL,
		      nt->binding_seq, nt->lifetime_s, now_ms);
	return 0;
}

static int on_snapshot(struct notify *n, int pi, const struct proto_snapshot *sn, __u64 now_ms)
{
	struct nbinding *b;
	int i;

	for (i = 0; i < sn->count; i++)
		if (!peer_serves(&n->peers[pi], &sn->entries[i].home))
			return PEER_R_NOT_AUTHORITATIVE;
	for (i = 0; i < sn->count; i++) {
		const struct proto_binding *e = &sn->entries[i];

		b = binding_find(n, &e->home);
		if (b && e->lifetime_s && addr_eq(&b->coa, &e->coa)) {
			/* Known: a refresh of the binding, not of the sessions
			 * (those live on the node's packets). */
			b->peer = pi;
			b->binding_seq = e->binding_seq;
			b->lifetime_s = e->lifetime_s;
			b->expires_ms = now_ms + (__u64)e->lifetime_s * 1000;
			continue;
		}
		apply_binding(n, pi, &e->home, &e->coa, NULL, e->binding_seq, e->lifetime_s,
			      now_ms);
	}
	return 0;
}

static int on_unsubscribe(struct notify *n, int pi, const struct proto_unsubscribe *u,
			  __u64 now_ms)
{
	struct nsub *s;

	if (!peer_serves(&n->peers[pi], &u->home))
		return PEER_R_NOT_AUTHORITATIVE;
	s = sub_find(n, &u->home);
	if (s && s->peer == pi) {
		/* Forgotten; asked again after the longest backoff if the
		 * node still has a session then, or at its next new session. */
		s->state = SUB_LAPSED;
		s->next_ms = now_ms + n->opts.retry_max_ms;
	}
	return 0;
}

static void handle_datagram(struct notify *n, const struct in6_addr *src, const __u8 *buf,
			    size_t len, __u64 wall_ms, __u64 now_ms)
{
	struct peer_rx_pending pend;
	char a[INET6_ADDRSTRLEN];
	struct proto_msg m;
	struct npeer *p;
	int pi, rc;

	pi = peer_for_datagram(n, src, buf, len);
	if (pi < 0) {
		n->st.unknown_peer++;
		pr_debug("notify: datagram from %s: no peer has that address", fmt_addr(src, a));
		return;
	}
	p = &n->peers[pi];
	if (peer_link_accept(&p->link, buf, len, wall_ms, src, &m, &pend))
		return;
	switch (m.type) {
	case PROTO_SUBSCRIBE_ACK:
		rc = on_ack(n, pi, &m.subscribe_ack, now_ms);
		break;
	case PROTO_BINDING_NOTIFY:
		rc = on_notify(n, pi, &m.notify, now_ms);
		break;
	case PROTO_BINDING_SNAPSHOT:
		rc = on_snapshot(n, pi, &m.snapshot, now_ms);
		break;
	case PROTO_UNSUBSCRIBE:
		rc = on_unsubscribe(n, pi, &m.unsubscribe, now_ms);
		break;
	default:                /* SUBSCRIBE: we are not an agent */
		rc = PEER_R_UNEXPECTED;
		break;
	}
	if (rc) {
		peer_link_reject(&p->link, &pend, rc, src);
		return;
	}
	peer_rx_commit(&p->link.rx, &pend, now_ms);
	if (p->role == MIP6LB_NOTIFY_MN) {
		p->last_src = *src;
		p->has_last_src = true;
	}
}

/*
 * recvmmsg() in batches of NOTIFY_RX_BATCH: a notification costs its HMAC
 * and a share of one receive and one map update (wq_flush() after each
 * batch), not a system call or two of its own.
 */
int notify_on_readable(struct notify *n, __u64 now_ms)
{
	int i = 0, j, want, r, err, errs = 0;
	__u64 wall_ms;

	while (i < NOTIFY_RX_BUDGET) {
		want = NOTIFY_RX_BUDGET - i < NOTIFY_RX_BATCH ? NOTIFY_RX_BUDGET - i : NOTIFY_RX_BATCH;
		for (j = 0; j < want; j++)
			n->mm[j].msg_hdr.msg_namelen = sizeof(n->rx[j].from);
		/* MSG_TRUNC: msg_len is the datagram's length, so an
		 * oversized one is seen as such. */
		r = recvmmsg(n->fd, n->mm, want, MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			/* ICMP errors for an earlier send: not this socket's fault. */
			if ((errno == EINTR || errno == ECONNREFUSED || errno == EHOSTUNREACH ||
			     errno == ENETUNREACH) && ++errs < NOTIFY_RX_BUDGET)
				continue;
			err = -errno;
			pr_err("notify: recvmmsg: %s", strerror(-err));
			wq_flush(n);
			return err;
		}
		wall_ms = proto_now_ms();
		for (j = 0; j < r; j++) {
			struct rxslot *x = &n->rx[j];
			size_t len = n->mm[j].msg_len;

			if (n->mm[j].msg_hdr.msg_namelen < sizeof(x->from) ||
			    x->from.sin6_family != AF_INET6) {
				n->st.unknown_peer++;
				continue;
			}
			handle_datagram(n, &x->from.sin6_addr, x->buf,
					len > sizeof(x->buf) ? sizeof(x->buf) : len, wall_ms, now_ms);
		}
		wq_flush(n);
		i += r;
		/* Fewer than asked for: the queue is empty (epoll says so
		 * again if not), no need for a call that only says EAGAIN. */
		if (r < want)
			break;
	}
	return i;
}

/* ---- timers ------------------------------------------------------------- */

void notify_tick(struct notify *n, __u64 now_ms)
{
	char h[INET6_ADDRSTRLEN];
	struct hnode *hn, *tmp;
	struct nbinding *b;
	struct nsub *s;
	__u32 i;

	wq_flush(n);
	if (now_ms < n->modes_ms || now_ms - n->modes_ms >= MODES_REFRESH_MS)
		modes_refresh(n, now_ms);

	htab_for_each(&n->bindings, hn, tmp, i) {
		b = (struct nbinding *)hn;
		if (now_ms >= b->expires_ms) {
			pr_debug("notify: binding of %s expired", fmt_addr(&b->h.key, h));
			binding_drop(n, b);
		}
	}

	htab_for_each(&n->subs, hn, tmp, i) {
		s = (struct nsub *)hn;
		if (s->state == SUB_RENEWING && now_ms >= s->expires_ms)
			s->state = SUB_PENDING;           /* lost it */
		if (now_ms < s->next_ms)
			continue;
		/* Nobody left to keep on a backend: stop asking. */
		if (!node_alive(n, binding_find(n, &s->h.key), &s->h.key, s->mode)) {
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

struct resync_ctx {
	struct notify *n;
	__u64 now_ms;
	long started;
};

static int resync_cb(const struct mip6lb_session_key *k, const struct mip6lb_session *v,
		     void *arg)
{
	struct resync_ctx *c = arg;
	struct mip6lb_event ev = { .type = MIP6LB_EV_SESSION_NEW };
	__u32 before = c->n->subs.count;

	if (k->space != MIP6LB_SPACE_ADDR || k->service_id >= MIP6LB_MAX_SERVICES ||
	    !c->n->modes[k->service_id] || (v->kind != MIP6LB_KIND_HOA && v->kind != MIP6LB_KIND_SRC))
		return 0;
	ev.backend_id = v->backend_id;
	ev.key = *k;
	ev.kind = v->kind;
	ev.home_addr = k->id.addr;
	ev.src = k->id.addr;
	notify_on_event(c->n, &ev, c->now_ms);
	c->started += c->n->subs.count > before;
	return 0;
}

long notify_resync(struct notify *n, __u64 now_ms)
{
	struct resync_ctx c = { .n = n, .now_ms = now_ms };
	long rc;

	modes_refresh(n, now_ms);
	rc = dp_sessions_foreach(&n->maps, resync_cb, &c);
	if (rc < 0) {
		pr_err("notify: reading the session table: %s", strerror(-rc));
		return rc;
	}
	return c.started;
}

/* ---- lifecycle ------------------------------------------------------------ */

static void opts_defaults(struct notify_opts *o)
{
	if (!o->sender_id)
		o->sender_id = NOTIFY_DEFAULT_SENDER_ID;
	if (!o->sub_lifetime_s)
		o->sub_lifetime_s = DEF_SUB_LIFETIME_S;
	if (o->sub_lifetime_s > PROTO_MAX_SUB_LIFETIME_S)
		o->sub_lifetime_s = PROTO_MAX_SUB_LIFETIME_S;
	if (!o->snapshot_interval_s)
		o->snapshot_interval_s = DEF_SNAPSHOT_S;
	if (!o->retry_initial_ms)
		o->retry_initial_ms = DEF_RETRY_INITIAL_MS;
	if (!o->retry_max_ms)
		o->retry_max_ms = DEF_RETRY_MAX_MS;
	if (o->retry_max_ms < o->retry_initial_ms)
		o->retry_max_ms = o->retry_initial_ms;
	if (!o->max_subscriptions)
		o->max_subscriptions = DEF_MAX_ENTRIES;
	if (!o->max_bindings)
		o->max_bindings = DEF_MAX_ENTRIES;
}

static int rx_alloc(struct notify *n)
{
	int j;

	n->rx = calloc(NOTIFY_RX_BATCH, sizeof(*n->rx));
	n->mm = calloc(NOTIFY_RX_BATCH, sizeof(*n->mm));
	if (!n->rx || !n->mm)
		return -ENOMEM;
	for (j = 0; j < NOTIFY_RX_BATCH; j++) {
		n->rx[j].iov.iov_base = n->rx[j].buf;
		n->rx[j].iov.iov_len = sizeof(n->rx[j].buf);
		n->mm[j].msg_hdr.msg_name = &n->rx[j].from;
		n->mm[j].msg_hdr.msg_namelen = sizeof(n->rx[j].from);
		n->mm[j].msg_hdr.msg_iov = &n->rx[j].iov;
		n->mm[j].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

int notify_open(struct notify **out, const struct mip6lb_config *cfg,
		const struct dp_maps *maps, const struct notify_opts *opts)
{
	const struct cfg_daemon *d = &cfg->daemon;
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof(sa);
	char a[INET6_ADDRSTRLEN];
	struct notify *n;
	int err;

	n = calloc(1, sizeof(*n));
	if (!n) {
		pr_err("notify: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	n->fd = -1;
	if (opts)
		n->opts = *opts;
	opts_defaults(&n->opts);
	n->maps = *maps;
	n->local = d->notify_addr;
	n->cfg_port = d->notify_port;

	err = proto_init();
	if (err) {
		pr_err("notify: libsodium: %s", strerror(-err));
		goto fail;
	}
	err = htab_init(&n->subs, n->opts.max_subscriptions);
	if (!err)
		err = htab_init(&n->bindings, n->opts.max_bindings);
	if (err) {
		pr_err("notify: tables: %s", strerror(-err));
		goto fail;
	}
	err = peers_from_config(cfg, n->opts.sender_id, &n->peers, &n->n_peers);
	if (err)
		goto fail;
	err = rx_alloc(n);
	if (err) {
		pr_err("notify: receive buffers: %s", strerror(-err));
		goto fail;
	}
	n->fd = peer_udp_socket(&d->notify_addr, d->notify_port);
	if (n->fd < 0) {
		err = n->fd;
		pr_err("notify: binding [%s]:%u: %s", fmt_addr(&d->notify_addr, a),
		       d->notify_port, strerror(-err));
		goto fail;
	}
	if (getsockname(n->fd, (struct sockaddr *)&sa, &sl)) {
		err = -errno;
		pr_err("notify: getsockname: %s", strerror(-err));
		goto fail;
	}
	n->port = ntohs(sa.sin6_port);
	modes_refresh(n, notify_now_ms());
	*out = n;
	return 0;
fail:
	notify_close(n);
	return err;
}

int notify_fd(const struct notify *n)
{
	return n->fd;
}

__u16 notify_port(const struct notify *n)
{
	return n->port;
}

static bool same_peer(const struct npeer *a, const struct npeer *b)
{
	return !strcmp(a->link.name, b->link.name) && a->role == b->role && addr_eq(&a->addr, &b->addr) &&
	       a->port == b->port && a->n_prefixes == b->n_prefixes &&
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
}

int notify_reload(struct notify *n, const struct mip6lb_config *cfg)
{
	struct npeer *np;
	struct hnode *hn, *tmp;
	int nn, i, j, err, *remap = NULL;
	char a[INET6_ADDRSTRLEN];
	__u32 k;

	err = peers_from_config(cfg, n->opts.sender_id, &np, &nn);
	if (err)
		return err;
	if (n->n_peers) {
		remap = calloc(n->n_peers, sizeof(*remap));
		if (!remap) {
			pr_err("notify: reload: %s", strerror(ENOMEM));
			peers_free(np, nn);
			return -ENOMEM;
		}
	}
	for (i = 0; i < n->n_peers; i++) {
		remap[i] = -1;
		for (j = 0; j < nn; j++) {
			if (same_peer(&n->peers[i], &np[j])) {
				peer_keep_state(&np[j], &n->peers[i]);
				remap[i] = j;
				break;
			}
		}
	}
	if (!addr_eq(&cfg->daemon.notify_addr, &n->local) || cfg->daemon.notify_port != n->cfg_port)
		pr_warn("notify: notify_listen [%s]:%u takes effect at the next restart",
			fmt_addr(&cfg->daemon.notify_addr, a), cfg->daemon.notify_port);

	htab_for_each(&n->subs, hn, tmp, k) {
		struct nsub *s = (struct nsub *)hn;
		int want = peer_for_home(np, nn, s->mode, &s->h.key);
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
	htab_for_each(&n->bindings, hn, tmp, k) {
		struct nbinding *b = (struct nbinding *)hn;

		b->peer = b->peer >= 0 && remap ? remap[b->peer] : -1;
	}
	peers_free(n->peers, n->n_peers);
	free(remap);
	n->peers = np;
	n->n_peers = nn;
	notify_maps_changed(n, notify_now_ms());
	return 0;
}

void notify_maps_changed(struct notify *n, __u64 now_ms)
{
	wq_flush(n);
	modes_refresh(n, now_ms);
	n->gen++;
}

void notify_close(struct notify *n)
{
	struct hnode *hn, *tmp;
	__u32 i;

	if (!n)
		return;
	wq_flush(n);
	if (n->fd >= 0 && n->subs.b) {
		htab_for_each(&n->subs, hn, tmp, i) {
			struct nsub *s = (struct nsub *)hn;

			if (s->state == SUB_ACTIVE || s->state == SUB_RENEWING)
				sub_unsubscribe(n, s);
		}
	}
	htab_free(&n->subs);
	htab_free(&n->bindings);
	peers_free(n->peers, n->n_peers);
	if (n->fd >= 0)
		close(n->fd);
	free(n->rx);
	free(n->mm);
	free(n);
}

/* ---- introspection ---------------------------------------------------------- */

void notify_get_stats(const struct notify *n, struct notify_stats *out)
{
	*out = n->st;
}

int notify_binding_coa(const struct notify *n, const struct in6_addr *home,
		       struct in6_addr *coa)
{
	struct nbinding *b = binding_find(n, home);

	if (!b)
		return -ENOENT;
	*coa = b->coa;
	return 0;
}

const char *notify_subscription_state(const struct notify *n, const struct in6_addr *home)
{
	struct nsub *s = sub_find(n, home);

	return s ? sub_state_names[s->state] : NULL;
}

static struct json_object *jaddr(const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	return json_object_new_string(fmt_addr(a, buf));
}

static const char *name_or_id(const char *(*fn)(void *, __u32), void *ctx, __u32 id,
			      char *buf, size_t len)
{
	const char *s = fn ? fn(ctx, id) : NULL;

	if (s)
		return s;
	snprintf(buf, len, "%u", id);
	return buf;
}

static void binding_row(const struct notify *n, struct json_object *rows,
			const struct in6_addr *home, const struct nbinding *b,
			const struct nsub *s, __u64 now_ms)
{
	const struct notify_names *nm = &n->opts.names;
	struct json_object *o = json_object_new_object(), *old;
	char sess[256] = "", sb[16], bb[16];
	size_t off = 0;
	int i, peer = b ? b->peer : s->peer;

	json_object_object_add(o, "home", jaddr(home));
	json_object_object_add(o, "coa", b ? jaddr(&b->coa) : NULL);
	old = json_object_new_array();
	for (i = 0; b && i < b->n_old; i++)
		json_object_array_add(old, jaddr(&b->old[i]));
	json_object_object_add(o, "old_coas", old);
	json_object_object_add(o, "peer", peer >= 0 ?
			       json_object_new_string(n->peers[peer].link.name) : NULL);
	json_object_object_add(o, "binding_seq", b ? json_object_new_int(b->binding_seq) : NULL);
	json_object_object_add(o, "lifetime_s", b ? json_object_new_int64(b->lifetime_s) : NULL);
	json_object_object_add(o, "lifetime_left_s", b ?
			       json_object_new_int64(now_ms >= b->expires_ms ? 0 :
						     (b->expires_ms - now_ms) / 1000) : NULL);
	for (i = 0; b && i < b->n_att && off < sizeof(sess); i++)
		off += snprintf(sess + off, sizeof(sess) - off, "%s%s/%s", i ? ", " : "",
				name_or_id(nm->service, nm->ctx, b->att[i].service_id, sb, sizeof(sb)),
				name_or_id(nm->backend, nm->ctx, b->att[i].backend_id, bb, sizeof(bb)));
	json_object_object_add(o, "session", sess[0] ? json_object_new_string(sess) : NULL);
	json_object_object_add(o, "subscription",
			       s ? json_object_new_string(sub_state_names[s->state]) : NULL);
	json_object_array_add(rows, o);
}

struct json_object *notify_bindings_json(const struct notify *n, __u64 now_ms)
{
	struct json_object *top = json_object_new_object(), *rows = json_object_new_array();
	struct hnode *hn, *tmp;
	__u32 i;

	htab_for_each(&n->bindings, hn, tmp, i)
		binding_row(n, rows, &hn->key, (struct nbinding *)hn, sub_find(n, &hn->key), now_ms);
	htab_for_each(&n->subs, hn, tmp, i)
		if (!binding_find(n, &hn->key))
			binding_row(n, rows, &hn->key, NULL, (struct nsub *)hn, now_ms);
	json_object_object_add(top, "bindings", rows);
	return top;
}

struct json_object *notify_peers_json(const struct notify *n, __u64 now_ms)
{
	struct json_object *top = json_object_new_object(), *rows = json_object_new_array();
	struct hnode *hn, *tmp;
	__u32 *active, *pending, k;
	int i, r;

	active = calloc(n->n_peers + 1, sizeof(*active));
	pending = calloc(n->n_peers + 1, sizeof(*pending));
	if (active && pending) {
		htab_for_each(&n->subs, hn, tmp, k) {
			struct nsub *s = (struct nsub *)hn;

			if (s->state == SUB_ACTIVE || s->state == SUB_RENEWING)
				active[s->peer]++;
			else if (s->state == SUB_PENDING)
				pending[s->peer]++;
		}
	}
	for (i = 0; i < n->n_peers; i++) {
		const struct npeer *p = &n->peers[i];
		struct json_object *o = json_object_new_object(), *rej = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(p->link.name));
		json_object_object_add(o, "role",
				       json_object_new_string(notify_mode_name(p->role)));
		json_object_object_add(o, "addr", jaddr(&p->addr));
		json_object_object_add(o, "port", json_object_new_int(p->port));
		json_object_object_add(o, "subscriptions",
				       json_object_new_int64(active ? active[i] : 0));
		json_object_object_add(o, "pending", json_object_new_int64(pending ? pending[i] : 0));
		json_object_object_add(o, "last_heard_s", p->link.rx.heard ?
				       json_object_new_int64(now_ms >= p->link.rx.last_heard_ms ?
							     (now_ms - p->link.rx.last_heard_ms) / 1000 : 0) :
				       NULL);
		json_object_object_add(o, "accepted", json_object_new_int64(p->link.rx.accepted));
		for (r = 1; r < PEER_R_MAX; r++)
			json_object_object_add(rej, peer_reason_name(r),
					       json_object_new_int64(p->link.rx.rejected[r]));
		json_object_object_add(o, "rejected", rej);
		json_object_object_add(o, "no_session", json_object_new_int64(p->no_session));
		json_object_object_add(o, "sent", json_object_new_int64(p->link.sent));
		json_object_object_add(o, "send_errors", json_object_new_int64(p->link.send_errors));
		json_object_array_add(rows, o);
	}
	free(active);
	free(pending);
	json_object_object_add(top, "peers", rows);
	json_object_object_add(top, "unknown_peer", json_object_new_int64(n->st.unknown_peer));
	json_object_object_add(top, "no_peer", json_object_new_int64(n->st.no_peer));
	return top;
}
