// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify.c - the balancer side of binding notifications: the module's
 * lifecycle, its UDP socket, the dispatch of datagrams and of the
 * datapath's new-session events, its timers, and the session scan that
 * subscribes the nodes whose new-session event never came.  notify.h has the
 * contract and the decisions; notify_priv.h the map of the other files
 * (peers, subscriptions, bindings, coa session writes, JSON);
 * docs/protocol.md the wire format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "notify_priv.h"
#include "aging.h"
#include "log.h"

#define DEF_SUB_LIFETIME_S    3600
#define DEF_SNAPSHOT_S        30
#define DEF_RETRY_INITIAL_MS  1000
#define DEF_RETRY_MAX_MS      60000
#define DEF_MAX_ENTRIES       65536
/* The services' notify modes change only when the daemon writes the
 * config; re-read them at most this often on the timer in case a change
 * came from elsewhere (notify_maps_changed() is the prompt way). */
#define MODES_REFRESH_MS      1000
/* The session scan: at most one pass this often while armed, at most
 * NOTIFY_SCAN_MAX nodes subscribed per pass (the buckets bound it too). */
#define SCAN_INTERVAL_MS      1000

__u64 notify_now_ms(void)
{
	return peer_now_ms();
}

/* ---- events ----------------------------------------------------------- */

void notify_on_event(struct notify *n, const struct mip6lb_event *ev, __u64 now_ms)
{
	const struct in6_addr *home = &ev->home_addr;
	struct nbinding *b;
	__u32 backend_id;
	__u8 mode;

	if (ev->type != MIP6LB_EV_SESSION_NEW)
		return;
	mode = notify_service_mode(n, ev->key.service_id);
	if (mode != MIP6LB_NOTIFY_HA && mode != MIP6LB_NOTIFY_MN)
		return;

	/* In a balancer group, what the group agreed on for the node
	 * outranks this instance's fresh ring pick: its coa session and its
	 * choice follow the group. */
	backend_id = ev->backend_id;
	notify_group_agreed(notify_binding_find(n, home), ev->key.service_id, &backend_id);
	notify_subscribe_choice(n, home, mode, ev->key.service_id, backend_id, now_ms);

	/* A binding that arrived before this first packet. */
	b = notify_binding_find(n, home);
	if (b && b->peer >= 0 && n->peers[b->peer].role == mode &&
	    now_ms < b->expires_ms && !addr_eq(&b->coa, home)) {
		notify_write_coa_anchored(n, ev->key.service_id, &b->coa, backend_id,
					  ev->anchor, b->lifetime_s);
		notify_attach(n, b, ev->key.service_id, backend_id, ev->anchor, now_ms);
		notify_wq_flush(n);
	}
}

int notify_ringbuf_cb(void *ctx, void *data, size_t len)
{
	if (len >= sizeof(struct mip6lb_event))
		notify_on_event(ctx, data, notify_now_ms());
	return 0;
}

/* ---- datagrams ---------------------------------------------------------- */

static void handle_datagram(struct notify *n, const struct sockaddr_in6 *from, const __u8 *buf,
			    size_t len, __u64 wall_ms, __u64 now_ms)
{
	const struct in6_addr *src = &from->sin6_addr;
	struct peer_rx_pending pend;
	char a[INET6_ADDRSTRLEN];
	struct proto_msg m;
	struct npeer *p;
	int pi, rc;

	/* Whose it is first: a datagram from no peer costs a few compares,
	 * never a MAC (nor the formatting of a line nobody prints). */
	pi = notify_peer_for_datagram(n, from, buf, len);
	if (pi < 0) {
		n->st.unknown_peer++;
		if (log_get_level() >= LOG_LVL_DEBUG)
			pr_debug("notify: datagram from %s: no peer has that address",
				 fmt_addr(src, a));
		return;
	}
	p = &n->peers[pi];
	if (peer_link_accept(&p->link, buf, len, wall_ms, from, &m, &pend))
		return;
	switch (m.type) {
	case PROTO_SUBSCRIBE_ACK:
		rc = notify_handle_ack(n, pi, &m.subscribe_ack, now_ms);
		break;
	case PROTO_BINDING_NOTIFY:
		rc = notify_handle_notify(n, pi, &m.notify, now_ms);
		break;
	case PROTO_BINDING_SNAPSHOT:
		rc = notify_handle_snapshot(n, pi, &m.snapshot, now_ms);
		break;
	case PROTO_UNSUBSCRIBE:
		rc = notify_handle_unsubscribe(n, pi, &m.unsubscribe, now_ms);
		break;
	case PROTO_GROUP_NOTIFY:
		rc = notify_handle_group_notify(n, pi, &m.group_notify, now_ms);
		break;
	case PROTO_GROUP_SNAPSHOT:
		rc = notify_handle_group_snapshot(n, pi, &m.group_snapshot, now_ms);
		break;
	default:                /* SUBSCRIBEs: we are not an agent */
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
 * and a share of one receive and one map update (notify_wq_flush() after each
 * batch), not a system call or two of its own.  Each datagram may carry
 * the kernel's drop counter (SO_RXQ_OVFL).
 */
int notify_on_readable(struct notify *n, __u64 now_ms)
{
	int i = 0, j, want, r, err, errs = 0;
	__u64 wall_ms;

	while (i < NOTIFY_RX_BUDGET) {
		want = NOTIFY_RX_BUDGET - i < NOTIFY_RX_BATCH ? NOTIFY_RX_BUDGET - i : NOTIFY_RX_BATCH;
		for (j = 0; j < want; j++) {
			n->mm[j].msg_hdr.msg_namelen = sizeof(n->rx[j].from);
			n->mm[j].msg_hdr.msg_controllen = sizeof(n->rx[j].ctl);
		}
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
			notify_wq_flush(n);
			return err;
		}
		wall_ms = proto_now_ms();
		for (j = 0; j < r; j++) {
			struct rxslot *x = &n->rx[j];
			size_t len = n->mm[j].msg_len;

			if (n->mm[j].msg_hdr.msg_controllen)
				peer_drops_note(&n->drops, &n->mm[j].msg_hdr);
			if (n->mm[j].msg_hdr.msg_namelen < sizeof(x->from) ||
			    x->from.sin6_family != AF_INET6) {
				n->st.unknown_peer++;
				continue;
			}
			handle_datagram(n, &x->from, x->buf,
					len > sizeof(x->buf) ? sizeof(x->buf) : len, wall_ms, now_ms);
		}
		notify_wq_flush(n);
		i += r;
		/* Fewer than asked for: the queue is empty (epoll says so
		 * again if not), no need for a call that only says EAGAIN. */
		if (r < want)
			break;
	}
	return i;
}

/* ---- the session scan ---------------------------------------------------- */

/*
 * A node whose new-session event was lost (the datapath's per-CPU event
 * rate limit or a full ring buffer: event_dropped; or our own bounds
 * refused its subscription) has a session and no subscription.  The BPF
 * program cannot say who that was, so the daemon looks: one walk of the
 * session table (the aging sweep makes the same walk every second),
 * keeping the candidates it can serve now (hoa/src sessions of notify
 * services, no subscription, no live negative entry, a peer with room),
 * the most recently used first: after a flood of spoofed addresses, each
 * seen once or twice, the nodes still talking come before the junk.
 * Each pass subscribes at most what the peers' buckets hold; the scan
 * stays armed while candidates were left for want of tokens.  The walk
 * is dp_sessions_foreach(): batch lookups over every session table.
 */
struct scan_cand {
	struct mip6lb_session_key key;
	__u32 backend_id;
	__u8 kind;
	__u64 last_used_ns;
};

struct scan_ctx {
	struct notify *n;
	__u64 now_ms, now_ns;
	struct scan_cand *heap;         /* min-heap on last_used_ns */
	__u32 n_heap, cap;
	long candidates;
};

static void heap_down(struct scan_cand *h, __u32 n, __u32 i)
{
	struct scan_cand t;
	__u32 c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && h[c + 1].last_used_ns < h[c].last_used_ns)
			c++;
		if (h[i].last_used_ns <= h[c].last_used_ns)
			return;
		t = h[i]; h[i] = h[c]; h[c] = t;
		i = c;
	}
}

static void heap_push(struct scan_ctx *c, const struct scan_cand *x)
{
	struct scan_cand t;
	__u32 i, p;

	if (c->n_heap < c->cap) {
		i = c->n_heap++;
		c->heap[i] = *x;
		while (i && c->heap[p = (i - 1) / 2].last_used_ns > c->heap[i].last_used_ns) {
			t = c->heap[i]; c->heap[i] = c->heap[p]; c->heap[p] = t;
			i = p;
		}
	} else if (x->last_used_ns > c->heap[0].last_used_ns) {
		c->heap[0] = *x;
		heap_down(c->heap, c->n_heap, 0);
	}
}

static int scan_one(const struct mip6lb_session_key *k, const struct mip6lb_session *v,
		    void *arg)
{
	struct scan_ctx *c = arg;
	struct notify *n = c->n;
	struct scan_cand x;
	__u8 mode;
	int pi;

	if (k->space != MIP6LB_SPACE_ADDR || k->service_id >= MIP6LB_MAX_SERVICES ||
	    (v->kind != MIP6LB_KIND_HOA && v->kind != MIP6LB_KIND_SRC))
		return 0;
	mode = n->modes[k->service_id];
	if (mode != MIP6LB_NOTIFY_HA && mode != MIP6LB_NOTIFY_MN)
		return 0;
	if (aging_expired(v, c->now_ns) || notify_sub_find(n, &k->id.addr) ||
	    notify_neg_find(n, &k->id.addr, c->now_ms))
		return 0;
	pi = notify_peer_for_home(n->peers, n->n_peers, mode, &k->id.addr);
	if (pi < 0 || n->peers[pi].n_subs >= n->peers[pi].max_subs)
		return 0;               /* no_peer, or sub_drop() re-arms */
	c->candidates++;
	x.key = *k;
	x.backend_id = v->backend_id;
	x.kind = v->kind;
	x.last_used_ns = v->last_used_ns;
	heap_push(c, &x);
	return 0;
}

static int cand_newest_first(const void *a, const void *b)
{
	const struct scan_cand *x = a, *y = b;

	return x->last_used_ns < y->last_used_ns ? 1 : x->last_used_ns > y->last_used_ns ? -1 : 0;
}

long notify_scan(struct notify *n, __u64 now_ms)
{
	struct scan_ctx c = { .n = n, .now_ms = now_ms, .now_ns = dp_now_ns() };
	bool starved = false;
	long served = 0, rc;
	__u32 i, tokens = 0;
	int pi;

	n->scan_ms = now_ms;
	for (pi = 0; pi < n->n_peers; pi++)
		tokens += notify_peer_tokens(&n->peers[pi], now_ms);
	c.cap = tokens < NOTIFY_SCAN_MAX ? tokens : NOTIFY_SCAN_MAX;
	if (n->subs.count >= n->subs.max) {
		n->scan_armed = false;          /* sub_drop() re-arms */
		return 0;
	}
	if (!c.cap)
		return 0;                       /* still armed: next pass */
	c.heap = calloc(c.cap, sizeof(*c.heap));
	if (!c.heap) {
		pr_err("notify: scan: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	n->scan_armed = false;
	n->st.scan_passes++;
	rc = dp_sessions_foreach(&n->maps, scan_one, &c);
	if (rc < 0) {
		pr_err("notify: scan: reading the session table: %s", strerror(-rc));
		n->scan_armed = true;
		free(c.heap);
		return rc;
	}
	qsort(c.heap, c.n_heap, sizeof(*c.heap), cand_newest_first);
	for (i = 0; i < c.n_heap; i++) {
		struct scan_cand *x = &c.heap[i];
		struct mip6lb_event ev = { .type = MIP6LB_EV_SESSION_NEW };
		__u8 mode = n->modes[x->key.service_id];

		if (notify_sub_find(n, &x->key.id.addr))
			continue;                       /* another service's session */
		pi = notify_peer_for_home(n->peers, n->n_peers, mode, &x->key.id.addr);
		if (pi < 0 || !notify_peer_tokens(&n->peers[pi], now_ms)) {
			starved = true;
			continue;
		}
		ev.backend_id = x->backend_id;
		ev.key = x->key;
		ev.kind = x->kind;
		ev.home_addr = x->key.id.addr;
		ev.src = x->key.id.addr;
		notify_on_event(n, &ev, now_ms);
		if (notify_sub_find(n, &x->key.id.addr)) {
			served++;
			n->st.scan_subscribed++;
		}
	}
	free(c.heap);
	/* Left over for want of tokens, or more than the heap held: again. */
	if (starved || c.candidates > (long)c.n_heap)
		n->scan_armed = true;
	if (served && log_get_level() >= LOG_LVL_DEBUG)
		pr_debug("notify: scan: %ld of %ld nodes without a subscription subscribed",
			 served, c.candidates);
	return served;
}

/* The datapath's event_dropped counter grew: new-session events were lost. */
static void scan_check_dropped(struct notify *n)
{
	struct mip6lb_counter_val cnt[MIP6LB_CNT_MAX];
	__u64 d;

	if (dp_counters_read(&n->maps, cnt))
		return;
	d = cnt[MIP6LB_CNT_EVENT_DROPPED].packets;
	if (n->ev_dropped_known && d != n->ev_dropped_seen)
		n->scan_armed = true;
	n->ev_dropped_seen = d;
	n->ev_dropped_known = true;
}

/* ---- timers ------------------------------------------------------------- */

/* The kernel's drop counter as it is now (a datagram queued before a drop
 * cannot carry it), and one warning per NOTIFY_DROP_LOG_MS while it grows. */
static void drops_tick(struct notify *n, __u64 now_ms)
{
	peer_drops_poll(&n->drops, n->fd);
	if (n->drops.total == n->drops_logged ||
	    (n->drops_log_ms && now_ms - n->drops_log_ms < NOTIFY_DROP_LOG_MS))
		return;
	pr_warn("notify: the kernel dropped %llu datagrams (%llu in all) on the notification "
		"socket, its %d-byte receive buffer full: notifications may be among them "
		"(notify_rcvbuf; rx_dropped_kernel in `mip6lbctl peer list`)",
		(unsigned long long)(n->drops.total - n->drops_logged),
		(unsigned long long)n->drops.total, n->rcvbuf);
	n->drops_logged = n->drops.total;
	n->drops_log_ms = now_ms;
}

void notify_tick(struct notify *n, __u64 now_ms)
{
	notify_wq_flush(n);
	drops_tick(n, now_ms);
	if (now_ms < n->modes_ms || now_ms - n->modes_ms >= MODES_REFRESH_MS)
		notify_modes_refresh(n, now_ms);
	notify_bindings_expire(n, now_ms);
	notify_neg_expire(n, now_ms);
	notify_subs_tick(n, now_ms);
	if (now_ms < n->scan_ms || now_ms - n->scan_ms >= SCAN_INTERVAL_MS) {
		scan_check_dropped(n);
		if (n->scan_armed)
			notify_scan(n, now_ms);
		else
			n->scan_ms = now_ms;
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

	notify_modes_refresh(n, now_ms);
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
	if (!o->max_negative)
		o->max_negative = DEF_MAX_ENTRIES;
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
		n->mm[j].msg_hdr.msg_control = n->rx[j].ctl.buf;
		n->mm[j].msg_hdr.msg_controllen = sizeof(n->rx[j].ctl);
	}
	return 0;
}

/* Say what the kernel granted: without CAP_NET_ADMIN, net.core.rmem_max
 * caps the buffer silently. */
static int rcvbuf_check(struct notify *n, __u32 asked)
{
	n->rcvbuf_asked = asked;
	n->rcvbuf = peer_udp_rcvbuf(n->fd);
	if (n->rcvbuf < 0) {
		pr_err("notify: reading the receive buffer size: %s", strerror(-n->rcvbuf));
		return n->rcvbuf;
	}
	if (!asked)
		pr_info("notify: receive buffer %d bytes (the kernel's default)", n->rcvbuf);
	else if ((__u64)n->rcvbuf < 2ULL * asked)
		pr_warn("notify: receive buffer %d bytes, less than notify_rcvbuf = %u asks for "
			"(twice that, with the kernel's bookkeeping): net.core.rmem_max caps it "
			"without CAP_NET_ADMIN; a flood may cost notifications",
			n->rcvbuf, asked);
	else
		pr_info("notify: receive buffer %d bytes (notify_rcvbuf = %u, doubled by the "
			"kernel for its bookkeeping)", n->rcvbuf, asked);
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
	memcpy(n->group, d->notify_group, sizeof(n->group));
	n->local = d->notify_addr;
	n->cfg_port = d->notify_port;

	err = proto_init();
	if (err) {
		pr_err("notify: libsodium: %s", strerror(-err));
		goto fail;
	}
	err = addr_table_init(&n->subs, n->opts.max_subscriptions);
	if (!err)
		err = addr_table_init(&n->bindings, n->opts.max_bindings);
	if (!err)
		err = addr_table_init(&n->neg, n->opts.max_negative);
	if (err) {
		pr_err("notify: tables: %s", strerror(-err));
		goto fail;
	}
	err = notify_peers_from_config(cfg, n->opts.sender_id, &n->peers, &n->n_peers);
	if (err)
		goto fail;
	err = rx_alloc(n);
	if (err) {
		pr_err("notify: receive buffers: %s", strerror(-err));
		goto fail;
	}
	n->fd = peer_udp_socket(&d->notify_addr, d->notify_port, d->notify_rcvbuf);
	if (n->fd < 0) {
		err = n->fd;
		pr_err("notify: binding [%s]:%u with a %u-byte receive buffer: %s",
		       fmt_addr(&d->notify_addr, a), d->notify_port, d->notify_rcvbuf,
		       strerror(-err));
		goto fail;
	}
	err = rcvbuf_check(n, d->notify_rcvbuf);
	if (err)
		goto fail;
	if (getsockname(n->fd, (struct sockaddr *)&sa, &sl)) {
		err = -errno;
		pr_err("notify: getsockname: %s", strerror(-err));
		goto fail;
	}
	n->port = ntohs(sa.sin6_port);
	notify_modes_refresh(n, notify_now_ms());
	scan_check_dropped(n);          /* what was lost before us is resync's */
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

int notify_rcvbuf(const struct notify *n)
{
	return n->rcvbuf;
}

int notify_reload(struct notify *n, const struct mip6lb_config *cfg)
{
	char a[INET6_ADDRSTRLEN];
	struct npeer *np;
	int nn, err, *remap;

	err = notify_peers_from_config(cfg, n->opts.sender_id, &np, &nn);
	if (err)
		return err;
	err = notify_peers_carry(n->peers, n->n_peers, np, nn, &remap);
	if (err) {
		pr_err("notify: reload: %s", strerror(-err));
		notify_peers_free(np, nn);
		return err;
	}
	if (!addr_eq(&cfg->daemon.notify_addr, &n->local) || cfg->daemon.notify_port != n->cfg_port)
		pr_warn("notify: notify_listen [%s]:%u takes effect at the next restart",
			fmt_addr(&cfg->daemon.notify_addr, a), cfg->daemon.notify_port);
	/* A live socket takes a new size at once (queued datagrams stay);
	 * 0, the kernel's default, cannot be gone back to. */
	if (cfg->daemon.notify_rcvbuf && cfg->daemon.notify_rcvbuf != n->rcvbuf_asked) {
		err = peer_udp_set_rcvbuf(n->fd, cfg->daemon.notify_rcvbuf);
		if (err)
			pr_err("notify: notify_rcvbuf = %u: %s; the buffer stays at %d bytes",
			       cfg->daemon.notify_rcvbuf, strerror(-err), n->rcvbuf);
		else
			rcvbuf_check(n, cfg->daemon.notify_rcvbuf);
	}
	if (strcmp(n->group, cfg->daemon.notify_group)) {
		/* Subscriptions speak for the new group (or none) from their
		 * next SUBSCRIBE on. */
		pr_info("notify: balancer group %s -> %s", n->group[0] ? n->group : "(none)",
			cfg->daemon.notify_group[0] ? cfg->daemon.notify_group : "(none)");
		memcpy(n->group, cfg->daemon.notify_group, sizeof(n->group));
	}
	notify_subs_repoint(n, np, nn, remap);
	notify_bindings_repoint(n, remap);
	notify_peers_free(n->peers, n->n_peers);
	free(remap);
	n->peers = np;
	n->n_peers = nn;
	notify_maps_changed(n, notify_now_ms());
	return 0;
}

void notify_close(struct notify *n)
{
	if (!n)
		return;
	notify_wq_flush(n);
	if (n->fd >= 0 && n->subs.b)
		notify_subs_unsubscribe_all(n);
	addr_table_free(&n->subs);
	addr_table_free(&n->bindings);
	addr_table_free(&n->neg);
	notify_peers_free(n->peers, n->n_peers);
	if (n->fd >= 0)
		close(n->fd);
	free(n->rx);
	free(n->mm);
	free(n);
}

void notify_maps_changed(struct notify *n, __u64 now_ms)
{
	notify_wq_flush(n);
	notify_modes_refresh(n, now_ms);
	n->gen++;
}

void notify_get_stats(const struct notify *n, struct notify_stats *out)
{
	*out = n->st;
	out->rx_dropped_kernel = n->drops.total;
}
