// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sync.c - session sync between the instances of a balancer group
 * (loader/sync.h): the socket, the role = balancer peers, the bounded
 * queues and their pacing, the bulk request and answer, readiness, and
 * `mip6lbctl sync`.  The rules (what differs from the ring, names, where
 * a received session may be written) are in sync_apply.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include <bpf/bpf.h>
#include "sync.h"
#include "config.h"
#include "dpmaps.h"
#include "log.h"
#include "peer_link.h"
#include "state.h"

/* A session waiting to be sent: the local form, named at send time, so a
 * backend renamed or removed meanwhile is skipped, not sent wrong. */
struct sync_item {
	struct mip6lb_session_key key;
	struct mip6lb_session val;
};

enum bulk_state { BULK_WAITING = 0, BULK_DONE, BULK_TIMEOUT };

struct speer {
	struct peer_link link;
	struct in6_addr addr;
	__u16 port;
	__u32 rate;                     /* sessions per second, both ways */
	__u32 qcap;
	struct sync_item *q;            /* ring of qcap: live sessions */
	__u32 qhead, qn;
	__u64 tokens_milli, bucket_ms;  /* sending */
	__u64 rx_tokens_milli, rx_bucket_ms; /* receiving: over_rate */
	/* Our answer to its bulk request. */
	struct sync_item *bulk;
	__u32 bulk_n, bulk_pos, bulk_id;
	bool bulk_active;
	/* Our bulk request to it. */
	__u8 bulk_state;                /* enum bulk_state */
	__u64 req_sent_ms;
	struct sync_peer_stats st;
};

struct sync {
	int fd;
	__u16 port;
	struct dp_maps maps;
	const struct lb_state *lst;
	struct sync_opts opts;
	struct speer *peers;
	int n_peers;
	struct sync_rings rings;
	__u32 request_id;               /* ours, for this run */
	__u64 open_ms;
	__u32 bulk_timeout_ms;
	__u32 refresh_ms;
	bool ready;
	__u64 last_walk_ms;
	__u64 last_walk_ns;             /* datapath clock, start of the last walk */
	bool walked, full_walk_due;
	__u64 ring_sum;                 /* of the state's ring signatures */
	/* What a walk queues (through its callback) */
	bool walk_full;
	__u64 walk_since_ns;
	long walk_queued_now;
	struct speer *walk_bulk;        /* collecting a bulk answer */
	__u64 unknown_peer;
	__u64 walks, walk_queued, events_queued, written_queued;
	__u8 buf[PROTO_MAX_MSG + 1];
	struct proto_msg msg;           /* large: kept off the stack */
};

static const char *bulk_state_name(__u8 s)
{
	return s == BULK_DONE ? "done" : s == BULK_TIMEOUT ? "timeout" : "waiting";
}

bool sync_configured(const struct mip6lb_config *cfg)
{
	int i;

	for (i = 0; i < cfg->n_peers; i++)
		if (cfg->peers[i].role == CFG_ROLE_BALANCER)
			return true;
	return false;
}

/* ---- queues ------------------------------------------------------------ */

static void q_push(struct speer *p, const struct mip6lb_session_key *k,
		   const struct mip6lb_session *v)
{
	struct sync_item *it;

	/* Full: the oldest goes.  The newest is the one most likely still
	 * in use, and a dropped one comes back at the next refresh walk. */
	if (p->qn == p->qcap) {
		p->qhead = (p->qhead + 1) % p->qcap;
		p->qn--;
		p->st.queue_dropped++;
	}
	it = &p->q[(p->qhead + p->qn) % p->qcap];
	it->key = *k;
	it->val = *v;
	p->qn++;
}

static void queue_all(struct sync *s, const struct mip6lb_session_key *k,
		      const struct mip6lb_session *v)
{
	int i;

	for (i = 0; i < s->n_peers; i++)
		q_push(&s->peers[i], k, v);
}

static void check_ready(struct sync *s, __u64 now_ms)
{
	int i;

	if (s->ready)
		return;
	for (i = 0; i < s->n_peers; i++) {
		struct speer *p = &s->peers[i];

		if (p->bulk_state != BULK_WAITING)
			continue;
		if (now_ms - s->open_ms < s->bulk_timeout_ms)
			return;
		p->bulk_state = BULK_TIMEOUT;
		pr_warn("sync: peer %s: no complete answer to the bulk request within %u s; "
			"ready without it", p->link.name, s->bulk_timeout_ms / 1000);
	}
	s->ready = true;
	pr_info("sync: ready (bulk transfer from %d peer%s over)", s->n_peers,
		s->n_peers == 1 ? "" : "s");
	if (s->opts.on_ready)
		s->opts.on_ready(s->opts.arg);
}

/* ---- sending ----------------------------------------------------------- */

static void peer_to(const struct speer *p, struct sockaddr_in6 *to)
{
	memset(to, 0, sizeof(*to));
	to->sin6_family = AF_INET6;
	to->sin6_addr = p->addr;
	to->sin6_port = htons(p->port);
}

static int send_msg(struct sync *s, struct speer *p, struct proto_msg *m)
{
	struct sockaddr_in6 to;
	int err;

	peer_to(p, &to);
	err = peer_link_send(&p->link, s->fd, m, &to);
	if (err)
		p->st.send_errors++;
	else
		p->st.sent++;
	return err;
}

static void send_request(struct sync *s, struct speer *p, __u64 now_ms)
{
	struct proto_msg *m = &s->msg;

	memset(m, 0, sizeof(*m));
	m->type = PROTO_SYNC_REQUEST;
	m->sync_req.request_id = s->request_id;
	send_msg(s, p, m);
	p->req_sent_ms = now_ms;
}

static void refill(__u64 *tokens, __u64 *at, __u64 now_ms, __u64 rate, __u64 cap_milli)
{
	if (now_ms > *at) {
		*tokens += (now_ms - *at) * rate;   /* rate/s = rate milli-tokens/ms */
		if (*tokens > cap_milli)
			*tokens = cap_milli;
	}
	*at = now_ms;
}

/* Fill one SYNC_SESSIONS from the live queue, then the bulk answer,
 * within the tokens; send it.  Returns entries sent, or -1 when there
 * was nothing to send or no token left. */
static int send_batch(struct sync *s, struct speer *p, __u64 now_ns)
{
	struct proto_msg *m = &s->msg;
	struct sync_sessions *b = &m->sync;
	size_t body = SYNC_FIXED_LEN;
	bool from_bulk = false;
	int sent;

	memset(m, 0, offsetof(struct proto_msg, sync) + offsetof(struct sync_sessions, entries));
	m->type = PROTO_SYNC_SESSIONS;
	while (b->count < SYNC_MAX_ENTRIES && p->tokens_milli >= 1000) {
		struct sync_entry *e = &b->entries[b->count];
		struct sync_item *it;

		if (p->qn && !from_bulk) {
			it = &p->q[p->qhead];
		} else if (p->bulk_active && p->bulk_pos < p->bulk_n) {
			/* A batch is either live or part of the bulk answer:
			 * its flags and request id say which. */
			if (b->count && !from_bulk)
				break;
			from_bulk = true;
			it = &p->bulk[p->bulk_pos];
		} else {
			break;
		}
		if (sync_entry_from_local(s->lst, &it->key, &it->val, now_ns, e)) {
			p->st.skipped++;
		} else if (!sync_batch_fits(body, sync_entry_wire_len(e))) {
			break;
		} else {
			body += sync_entry_wire_len(e);
			b->count++;
			p->tokens_milli -= 1000;
		}
		if (from_bulk) {
			p->bulk_pos++;
		} else {
			p->qhead = (p->qhead + 1) % p->qcap;
			p->qn--;
		}
	}
	if (!from_bulk && !b->count && p->bulk_active && p->bulk_pos >= p->bulk_n)
		from_bulk = true;        /* only the closing LAST is left */
	if (!b->count && !from_bulk)
		return -1;
	if (from_bulk) {
		b->flags = SYNC_F_BULK;
		b->request_id = p->bulk_id;
		if (p->bulk_pos >= p->bulk_n) {
			b->flags |= SYNC_F_LAST;
			p->bulk_active = false;
			free(p->bulk);
			p->bulk = NULL;
			p->bulk_n = p->bulk_pos = 0;
			p->st.bulk_answered++;
		}
	}
	sent = b->count;
	if (!send_msg(s, p, m))
		p->st.sessions_sent += sent;
	return sent;
}

static void pace(struct sync *s, __u64 now_ms)
{
	__u64 now_ns = dp_now_ns();
	int i, guard;

	for (i = 0; i < s->n_peers; i++) {
		struct speer *p = &s->peers[i];

		/* Bursts of a tenth of a second's worth, at least one full
		 * datagram, so a low rate still fills its datagrams. */
		refill(&p->tokens_milli, &p->bucket_ms, now_ms, p->rate,
		       ((__u64)p->rate / 10 + SYNC_MAX_ENTRIES) * 1000);
		for (guard = 0; guard < 10000; guard++)
			if (send_batch(s, p, now_ns) < 0)
				break;
	}
}

/* ---- walking the tables ------------------------------------------------ */

static int walk_cb(const struct mip6lb_session_key *keys, const struct mip6lb_session *vals,
		   __u32 n, void *arg)
{
	struct sync *s = arg;
	__u32 i;

	for (i = 0; i < n; i++) {
		const struct mip6lb_session *v = &vals[i];

		if (v->flags & MIP6LB_SESS_PROBATION)
			continue;
		if (s->walk_bulk) {
			struct speer *p = s->walk_bulk;
			struct sync_item *nb;

			if (!sync_differs(&s->rings, &s->maps, s->lst, &keys[i], v))
				continue;
			if (!(p->bulk_n & 1023)) {
				nb = realloc(p->bulk, (p->bulk_n + 1024) * sizeof(*nb));
				if (!nb)
					return -ENOMEM;
				p->bulk = nb;
			}
			p->bulk[p->bulk_n].key = keys[i];
			p->bulk[p->bulk_n].val = *v;
			p->bulk_n++;
			continue;
		}
		/* A copy not used here since it came is its sender's to
		 * refresh; one not used since the last walk has the same
		 * lifetime left everywhere already. */
		if (!s->walk_full && ((v->flags & MIP6LB_SESS_SYNCED) ||
				      v->last_used_ns < s->walk_since_ns))
			continue;
		if (s->walk_full && (v->flags & MIP6LB_SESS_SYNCED))
			continue;
		if (!sync_differs(&s->rings, &s->maps, s->lst, &keys[i], v))
			continue;
		queue_all(s, &keys[i], v);
		s->walk_queued_now++;
	}
	return 0;
}

static long walk_tables(struct sync *s)
{
	long r1, r2;

	r1 = dp_sessions_walk(s->maps.sessions, SYNC_WALK_BATCH, walk_cb, s);
	if (r1 < 0)
		return r1;
	r2 = s->maps.coa_sessions >= 0 ?
	     dp_sessions_walk(s->maps.coa_sessions, SYNC_WALK_BATCH, walk_cb, s) : 0;
	return r2 < 0 ? r2 : r1 + r2;
}

long sync_walk(struct sync *s, bool full)
{
	__u64 start = dp_now_ns();
	long r;

	s->walk_full = full || !s->walked;
	s->walk_since_ns = s->last_walk_ns;
	s->walk_queued_now = 0;
	s->walk_bulk = NULL;
	r = walk_tables(s);
	if (r < 0) {
		pr_warn("sync: walking the session tables: %s", strerror((int)-r));
		return r;
	}
	/* Touches land at most a second apart (MIP6LB_TOUCH_NS): look
	 * back that far, or a use just before the walk is missed. */
	s->last_walk_ns = start > 1000000000ULL ? start - 1000000000ULL : 0;
	s->walked = true;
	s->walks++;
	s->walk_queued += s->walk_queued_now;
	return s->walk_queued_now;
}

static void start_bulk_answer(struct sync *s, struct speer *p, __u32 request_id)
{
	long r;

	if (p->bulk_active && p->bulk_id == request_id)
		return;                 /* a repeat while we answer it */
	free(p->bulk);
	p->bulk = NULL;
	p->bulk_n = p->bulk_pos = 0;
	s->walk_bulk = p;
	r = walk_tables(s);
	s->walk_bulk = NULL;
	if (r < 0)
		pr_warn("sync: peer %s: bulk answer: %s", p->link.name, strerror((int)-r));
	p->bulk_id = request_id;
	p->bulk_active = true;
	pr_info("sync: peer %s asked for our sessions: %u to send", p->link.name, p->bulk_n);
}

/* ---- receiving --------------------------------------------------------- */

static struct speer *peer_by_addr(struct sync *s, const struct in6_addr *a)
{
	int i;

	for (i = 0; i < s->n_peers; i++)
		if (!memcmp(&s->peers[i].addr, a, sizeof(*a)))
			return &s->peers[i];
	return NULL;
}

static void apply_batch(struct sync *s, struct speer *p, const struct sync_sessions *b,
			__u64 now_ms)
{
	__u64 now_ns = dp_now_ns();
	int i;

	for (i = 0; i < b->count; i++) {
		p->st.received++;
		switch (sync_apply_entry(&s->maps, s->lst, &s->rings, &b->entries[i], now_ns)) {
		case SYNC_A_NEW:
			p->st.applied++;
			break;
		case SYNC_A_REFRESHED:
			p->st.refreshed++;
			break;
		case SYNC_A_UNCHANGED:
			p->st.unchanged++;
			break;
		case SYNC_A_CONFLICT:
			p->st.conflicts++;
			break;
		case SYNC_A_UNKNOWN_SERVICE:
			p->st.unknown_service++;
			break;
		case SYNC_A_UNKNOWN_BACKEND:
			p->st.unknown_backend++;
			break;
		case SYNC_A_WRITE_ERROR:
			p->st.write_errors++;
			break;
		}
	}
	if (!(b->flags & SYNC_F_BULK) || b->request_id != s->request_id)
		return;
	p->st.bulk_received += b->count;
	if ((b->flags & SYNC_F_LAST) && p->bulk_state != BULK_DONE) {
		p->bulk_state = BULK_DONE;
		pr_info("sync: peer %s: bulk transfer done (%llu sessions)", p->link.name,
			(unsigned long long)p->st.bulk_received);
		check_ready(s, now_ms);
	}
}

void sync_on_datagram(struct sync *s, const __u8 *buf, size_t len,
		      const struct in6_addr *from, __u16 from_port, __u64 now_ms)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = *from,
				   .sin6_port = htons(from_port) };
	struct peer_rx_pending pend;
	struct proto_msg *m = &s->msg;
	struct speer *p = peer_by_addr(s, from);
	__u64 need;

	if (!p) {
		s->unknown_peer++;
		return;
	}
	if (peer_link_accept(&p->link, buf, len, proto_now_ms(), &sa, m, &pend))
		return;                 /* counted and logged */
	switch (m->type) {
	case PROTO_SYNC_SESSIONS:
		/* Twice the configured rate, in bursts of up to a second's
		 * worth: a peer with the same config never meets it. */
		refill(&p->rx_tokens_milli, &p->rx_bucket_ms, now_ms, 2ULL * p->rate,
		       (2ULL * p->rate + SYNC_MAX_ENTRIES) * 1000);
		need = (__u64)m->sync.count * 1000;
		if (p->rx_tokens_milli < need) {
			/* Not committed: the replay window stays. */
			explicit_bzero(&pend, sizeof(pend));
			if (!p->st.over_rate++)
				pr_warn("sync: peer %s: sends faster than twice its sync_rate (%u); "
					"refused datagrams are only counted (over_rate)",
					p->link.name, p->rate);
			return;
		}
		p->rx_tokens_milli -= need;
		peer_rx_commit(&p->link.rx, &pend, peer_now_ms());
		p->st.accepted++;
		apply_batch(s, p, &m->sync, now_ms);
		break;
	case PROTO_SYNC_REQUEST:
		peer_rx_commit(&p->link.rx, &pend, peer_now_ms());
		p->st.accepted++;
		start_bulk_answer(s, p, m->sync_req.request_id);
		break;
	default:                        /* notification types: not between balancers */
		peer_link_reject(&p->link, &pend, PEER_R_UNEXPECTED, from);
		break;
	}
}

int sync_on_readable(struct sync *s, __u64 now_ms)
{
	struct sockaddr_in6 from;
	socklen_t fl;
	ssize_t len;
	int n;

	for (n = 0; n < SYNC_RX_BUDGET; n++) {
		fl = sizeof(from);
		len = recvfrom(s->fd, s->buf, sizeof(s->buf), MSG_DONTWAIT | MSG_TRUNC,
			       (struct sockaddr *)&from, &fl);
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			return -errno;
		}
		/* MSG_TRUNC: the real length, so an oversized one is seen as such. */
		sync_on_datagram(s, s->buf, (size_t)len > sizeof(s->buf) ? sizeof(s->buf) : (size_t)len,
				 &from.sin6_addr, ntohs(from.sin6_port), now_ms);
	}
	/* An answer may be waiting on tokens this batch freed. */
	pace(s, now_ms);
	return n;
}

/* ---- sources ----------------------------------------------------------- */

void sync_on_event(struct sync *s, const struct mip6lb_event *ev)
{
	struct mip6lb_session_key k;
	struct mip6lb_session v;

	if (!s->n_peers)
		return;
	k = ev->key;
	if (ev->type == MIP6LB_EV_SESSION_NEW) {
		/* Made on the ring: only its address-keyspace alias (an
		 * SPI or IID session's) can differ from it. */
		if (k.space == MIP6LB_SPACE_ADDR)
			return;
		memset(&k, 0, sizeof(k));
		k.service_id = ev->key.service_id;
		k.space = MIP6LB_SPACE_ADDR;
		k.id.addr = ev->home_addr;
	} else if (ev->type != MIP6LB_EV_SESSION_PROMOTED) {
		return;
	}
	if (bpf_map_lookup_elem(s->maps.sessions, &k, &v) ||
	    !sync_differs(&s->rings, &s->maps, s->lst, &k, &v))
		return;
	queue_all(s, &k, &v);
	s->events_queued++;
}

void sync_note_written(struct sync *s, const struct mip6lb_session_key *keys,
		       const struct mip6lb_session *vals, int n)
{
	int i;

	if (!s || !s->n_peers)
		return;
	for (i = 0; i < n; i++) {
		if (!sync_differs(&s->rings, &s->maps, s->lst, &keys[i], &vals[i]))
			continue;
		queue_all(s, &keys[i], &vals[i]);
		s->written_queued++;
	}
}

/* ---- timers ------------------------------------------------------------ */

/* Any ring rebuilt (a reload, a runtime change, a health verdict, a
 * drain deadline): the state's ring signatures say so. */
static bool rings_moved(struct sync *s)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < MIP6LB_MAX_SERVICES; i++)
		sum = sum * 1000003ULL + s->lst->svcs[i].ring_sig;
	if (sum == s->ring_sum)
		return false;
	s->ring_sum = sum;
	return true;
}

void sync_tick(struct sync *s, __u64 now_ms)
{
	int i;

	if (rings_moved(s))
		sync_maps_changed(s);

	for (i = 0; i < s->n_peers; i++) {
		struct speer *p = &s->peers[i];

		/* Repeated until the answer is complete; a repeat while the
		 * peer answers is ignored there. */
		if (p->bulk_state == BULK_WAITING && now_ms - p->req_sent_ms >= SYNC_REQUEST_RETRY_MS)
			send_request(s, p, now_ms);
	}
	check_ready(s, now_ms);
	if (s->full_walk_due || !s->walked || now_ms - s->last_walk_ms >= s->refresh_ms) {
		s->last_walk_ms = now_ms;
		sync_walk(s, s->full_walk_due);
		s->full_walk_due = false;
	}
	pace(s, now_ms);
}

void sync_maps_changed(struct sync *s)
{
	/* (The names go with the rings: a rename always moves a ring.) */
	/* Sessions made before the change may differ from the new rings:
	 * send them all at the next tick, not the next refresh. */
	sync_rings_free(&s->rings);
	s->full_walk_due = true;
}

bool sync_ready(const struct sync *s)
{
	return s->ready;
}

/* ---- lifecycle ---------------------------------------------------------- */

static void peers_free(struct speer *peers, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		peer_link_clear(&peers[i].link);
		free(peers[i].q);
		free(peers[i].bulk);
	}
	if (peers)
		explicit_bzero(peers, n * sizeof(*peers));
	free(peers);
}

static int peers_from_config(const struct mip6lb_config *cfg, __u32 sender_id,
			     struct speer **out, int *n_out)
{
	struct speer *peers = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*peers));
	int i, n = 0, err;

	if (!peers)
		return -ENOMEM;
	for (i = 0; i < cfg->n_peers; i++) {
		const struct cfg_peer *c = &cfg->peers[i];
		struct speer *p = &peers[n];

		if (c->role != CFG_ROLE_BALANCER)
			continue;
		n++;
		p->addr = c->addr;
		p->port = c->port;
		p->rate = c->sync_rate ? c->sync_rate : CFG_SYNC_RATE;
		p->qcap = c->sync_queue ? c->sync_queue : CFG_SYNC_QUEUE;
		p->q = calloc(p->qcap, sizeof(*p->q));
		err = p->q ? peer_link_init(&p->link, "sync", c->name, c->port, sender_id,
					    c->key_id, c->key, c->key_len) : -ENOMEM;
		if (err) {
			pr_err("sync: peer %s: %s", c->name, strerror(-err));
			peers_free(peers, n);
			return err;
		}
	}
	*out = peers;
	*n_out = n;
	return 0;
}

int sync_open(struct sync **out, const struct mip6lb_config *cfg, const struct dp_maps *maps,
	      const struct lb_state *st, const struct sync_opts *opts, __u64 now_ms)
{
	const struct cfg_daemon *d = &cfg->daemon;
	struct sync *s = calloc(1, sizeof(*s));
	struct sockaddr_in6 sa;
	socklen_t sl = sizeof(sa);
	int err, i;

	if (!s)
		return -ENOMEM;
	s->fd = -1;
	s->maps = *maps;
	s->lst = st;
	if (opts)
		s->opts = *opts;
	if (!s->opts.sender_id)
		s->opts.sender_id = SYNC_DEFAULT_SENDER_ID;
	s->open_ms = now_ms;
	s->bulk_timeout_ms = (d->sync_bulk_timeout_s ? d->sync_bulk_timeout_s
						     : CFG_SYNC_BULK_TIMEOUT_S) * 1000;
	s->refresh_ms = (d->sync_refresh_s ? d->sync_refresh_s : CFG_SYNC_REFRESH_S) * 1000;
	/* Any non-zero id, different across restarts: an answer to an
	 * earlier run's request does not complete this one's. */
	s->request_id = (__u32)(proto_now_us() ^ ((__u64)getpid() << 16));
	if (!s->request_id)
		s->request_id = 1;
	err = peers_from_config(cfg, s->opts.sender_id, &s->peers, &s->n_peers);
	if (err)
		goto fail;
	s->fd = peer_udp_socket(&d->sync_addr, d->sync_port, 0);
	if (s->fd < 0) {
		err = s->fd;
		pr_err("sync: sync_listen port %u: %s", d->sync_port, strerror(-err));
		goto fail;
	}
	if (getsockname(s->fd, (struct sockaddr *)&sa, &sl)) {
		err = -errno;
		goto fail;
	}
	s->port = ntohs(sa.sin6_port);
	for (i = 0; i < s->n_peers; i++)
		send_request(s, &s->peers[i], now_ms);
	pr_info("sync: listening on port %u, %d balancer peer%s; waiting for their sessions",
		s->port, s->n_peers, s->n_peers == 1 ? "" : "s");
	rings_moved(s);
	check_ready(s, now_ms);
	*out = s;
	return 0;
fail:
	sync_close(s);
	return err;
}

int sync_fd(const struct sync *s)
{
	return s->fd;
}

__u16 sync_port(const struct sync *s)
{
	return s->port;
}

int sync_reload(struct sync *s, const struct mip6lb_config *cfg, __u64 now_ms)
{
	struct speer *np;
	int nn, i, j, err;

	err = peers_from_config(cfg, s->opts.sender_id, &np, &nn);
	if (err)
		return err;
	for (i = 0; i < nn; i++) {
		struct speer *fresh = &np[i];

		for (j = 0; j < s->n_peers; j++) {
			struct speer *old = &s->peers[j];
			struct sync_item *q;

			if (strcmp(old->link.name, fresh->link.name) || old->port != fresh->port ||
			    memcmp(&old->addr, &fresh->addr, sizeof(old->addr)))
				continue;
			peer_link_keep(&fresh->link, &old->link);
			/* Its queue, bulk state and counters; the new bounds. */
			q = fresh->q;
			while (old->qn && fresh->qn < fresh->qcap) {
				q[fresh->qn++] = old->q[old->qhead];
				old->qhead = (old->qhead + 1) % old->qcap;
				old->qn--;
			}
			fresh->bulk = old->bulk;
			fresh->bulk_n = old->bulk_n;
			fresh->bulk_pos = old->bulk_pos;
			fresh->bulk_id = old->bulk_id;
			fresh->bulk_active = old->bulk_active;
			old->bulk = NULL;
			fresh->bulk_state = old->bulk_state;
			fresh->req_sent_ms = old->req_sent_ms;
			fresh->st = old->st;
			break;
		}
		if (j == s->n_peers) {
			/* A new peer: ask it too; readiness is not revoked. */
			send_request(s, fresh, now_ms);
			if (s->ready)
				fresh->bulk_state = BULK_DONE;
		}
	}
	peers_free(s->peers, s->n_peers);
	s->peers = np;
	s->n_peers = nn;
	sync_maps_changed(s);
	return 0;
}

void sync_close(struct sync *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	peers_free(s->peers, s->n_peers);
	sync_rings_free(&s->rings);
	free(s);
}

/* ---- reporting --------------------------------------------------------- */

int sync_n_peers(const struct sync *s)
{
	return s->n_peers;
}

const char *sync_peer_name(const struct sync *s, int i)
{
	return i >= 0 && i < s->n_peers ? s->peers[i].link.name : NULL;
}

void sync_peer_stats(const struct sync *s, int i, struct sync_peer_stats *out)
{
	const struct speer *p = &s->peers[i];
	int r;

	*out = p->st;
	for (r = 1; r < PEER_R_MAX && r < 16; r++)
		out->rejected[r] = p->link.rx.rejected[r];
}

static void jadd_u64(struct json_object *o, const char *k, __u64 v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

struct json_object *sync_json(const struct sync *s, __u64 now_ms)
{
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();
	char a[INET6_ADDRSTRLEN];
	int i, r;

	json_object_object_add(o, "ready", json_object_new_boolean(s->ready));
	jadd_u64(o, "port", s->port);
	jadd_u64(o, "unknown_peer", s->unknown_peer);
	jadd_u64(o, "walks", s->walks);
	jadd_u64(o, "walk_queued", s->walk_queued);
	jadd_u64(o, "events_queued", s->events_queued);
	jadd_u64(o, "written_queued", s->written_queued);
	for (i = 0; i < s->n_peers; i++) {
		const struct speer *p = &s->peers[i];
		struct json_object *po = json_object_new_object(), *rej = json_object_new_object();

		json_object_object_add(po, "name", json_object_new_string(p->link.name));
		json_object_object_add(po, "addr", json_object_new_string(
			inet_ntop(AF_INET6, &p->addr, a, sizeof(a)) ? a : "?"));
		jadd_u64(po, "port", p->port);
		jadd_u64(po, "sync_rate", p->rate);
		jadd_u64(po, "sync_queue", p->qcap);
		jadd_u64(po, "queued", p->qn);
		jadd_u64(po, "queue_dropped", p->st.queue_dropped);
		json_object_object_add(po, "bulk",
				       json_object_new_string(bulk_state_name(p->bulk_state)));
		jadd_u64(po, "bulk_sending", p->bulk_active ? p->bulk_n - p->bulk_pos : 0);
		jadd_u64(po, "sent", p->st.sent);
		jadd_u64(po, "sessions_sent", p->st.sessions_sent);
		jadd_u64(po, "send_errors", p->st.send_errors);
		jadd_u64(po, "skipped", p->st.skipped);
		jadd_u64(po, "accepted", p->st.accepted);
		jadd_u64(po, "received", p->st.received);
		jadd_u64(po, "applied", p->st.applied);
		jadd_u64(po, "refreshed", p->st.refreshed);
		jadd_u64(po, "unchanged", p->st.unchanged);
		jadd_u64(po, "conflicts", p->st.conflicts);
		jadd_u64(po, "unknown_service", p->st.unknown_service);
		jadd_u64(po, "unknown_backend", p->st.unknown_backend);
		jadd_u64(po, "write_errors", p->st.write_errors);
		jadd_u64(po, "bulk_received", p->st.bulk_received);
		jadd_u64(po, "bulk_answered", p->st.bulk_answered);
		json_object_object_add(po, "last_heard_s", p->link.rx.heard ?
			json_object_new_int64((int64_t)((peer_now_ms() - p->link.rx.last_heard_ms) /
							1000)) : NULL);
		for (r = 1; r < PEER_R_MAX; r++)
			jadd_u64(rej, peer_reason_name(r), p->link.rx.rejected[r]);
		jadd_u64(rej, SYNC_R_OVER_RATE_NAME, p->st.over_rate);
		json_object_object_add(po, "rejected", rej);
		json_object_array_add(list, po);
	}
	json_object_object_add(o, "peers", list);
	(void)now_ms;
	return o;
}
