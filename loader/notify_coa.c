// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_coa.c - where a notification changes a map: the session of kind
 * coa that carries a node's backend to its new care-of address
 * (notify_write_coa(), queued and written in batches by notify_wq_flush()
 * into coa_sessions, the map only this daemon writes and traffic cannot
 * evict), the node's existing sessions it copies the backend and anchor
 * from, and the cached notify modes of the services that decide which
 * sessions move.
 */
#include <errno.h>
#include <bpf/bpf.h>
#include "notify_priv.h"
#include "hash.h"
#include "log.h"

/* A backend a binding found for a service is reused for its next
 * notifications without looking the node's session up again, for at most
 * this long and never across notify_maps_changed(): the datapath itself
 * only moves a session when its backend goes away (a daemon change) or
 * when the LRU evicts it, which this bounds. */
#define ATTACH_TRUST_MS       1000

/*
 * The notify mode of each service id, 0 for unused slots: one batched
 * lookup of the whole service_conf array.  Every event and every
 * notification needs it, and it only changes when the daemon writes the
 * config, so it is cached (notify_maps_changed(), notify_reload(), and at
 * most once a MODES_REFRESH_MS from notify_tick()).
 */
void notify_modes_refresh(struct notify *n, __u64 now_ms)
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
		have = have && (svc[id].flags & MIP6LB_SVC_ACTIVE);
		n->modes[id] = have ? svc[id].notify : 0;
		n->hash_ids[id] = have ? svc[id].hash_id : 0;
	}
	n->modes_ms = now_ms;
}

__u8 notify_service_mode(const struct notify *n, __u32 id)
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

/* The session at address a in any session table: established, coa, or a
 * node still on probation (which already has its backend). */
static bool session_at(struct notify *n, __u32 service_id, const struct in6_addr *a,
		       struct mip6lb_session *val)
{
	struct mip6lb_session_key k;

	/* Read what this module wrote, not what it is about to write. */
	notify_wq_flush(n);
	addr_key(&k, service_id, a);
	return !dp_session_lookup(&n->maps, &k, val);
}

/* The anchor of a node known only by its home address: the hash its
 * session has when the datapath made it from an HAO or on the home link
 * (bpf/session.h), so its coa session re-hashes with the rest of it.  With
 * the service's hash id, as the datapath's: every instance computes the
 * same anchor for the node. */
static __u32 home_anchor(const struct notify *n, __u32 service_id, const struct in6_addr *home)
{
	struct mip6lb_session_key k;

	addr_key(&k, service_id, home);
	return mip6lb_session_hash(&k, n->hash_ids[service_id]);
}

bool notify_session_at(struct notify *n, __u32 service_id, const struct in6_addr *a,
		       struct mip6lb_session *val)
{
	return session_at(n, service_id, a, val);
}

/* The ring's pick for the node's home address, read the way the datapath
 * reads it for a new session keyed by it (bpf/session.h,
 * mip6lb_ring_pick()): what this instance gives a node it never saw. */
int notify_ring_pick(struct notify *n, __u32 service_id, const struct in6_addr *home,
		     __u32 *backend_id)
{
	struct mip6lb_session_key k;
	struct mip6lb_backend be;
	__u32 idx, slot;

	if (service_id >= MIP6LB_MAX_SERVICES)
		return -ENOENT;
	addr_key(&k, service_id, home);
	idx = service_id * MIP6LB_RING_SIZE + mip6lb_ring_slot(&k, n->hash_ids[service_id]);
	/* An empty slot (bpf/session.h: all ones) is no backend id either. */
	if (bpf_map_lookup_elem(n->maps.rings, &idx, &slot))
		return -ENOENT;
	if (bpf_map_lookup_elem(n->maps.backends, &slot, &be) ||
	    !(be.flags & MIP6LB_BE_ACTIVE) || be.service_id != service_id)
		return -ENOENT;
	*backend_id = slot;
	return 0;
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
void notify_wq_flush(struct notify *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bo, .elem_flags = BPF_ANY);
	__u32 count = n->wq_n, i = 0;
	int err;

	if (!n->wq_n)
		return;
	if (!n->no_update_batch) {
		err = bpf_map_update_batch(n->maps.coa_sessions, n->wq_key, n->wq_val, &count, &bo) ?
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
		if (bpf_map_update_elem(n->maps.coa_sessions, &n->wq_key[i], &n->wq_val[i], BPF_ANY))
			write_failed(n, &n->wq_key[i], -errno);
		else
			n->st.sessions_written++;
	}
	/* The datapath looks in sessions before coa_sessions: a session that
	 * plain packets from the new address started there before the
	 * notification (admitted after probation, or with probation off)
	 * must not shadow the node's backend.  Almost always absent. */
	for (i = 0; i < (__u32)n->wq_n; i++)
		bpf_map_delete_elem(n->maps.sessions, &n->wq_key[i]);
	if (n->opts.written)
		n->opts.written(n->opts.written_ctx, n->wq_key, n->wq_val, n->wq_n);
	n->wq_n = 0;
}

/*
 * The session of kind coa for a node's new care-of address in
 * coa_sessions: the backend and anchor of its existing session, the
 * notified lifetime, last used now on the datapath's clock.  BPF_ANY on
 * purpose: a rewrite wins; and a session that plain packets from the new
 * address started on the ring before the notification arrived is deleted
 * from sessions by notify_wq_flush(), so the node's original backend wins.
 * Queued: the caller's notify_wq_flush()
 * (at the latest at the end of notify_on_readable() or notify_on_event())
 * writes it.  anchor: the node's (its session's flow_hash), so that the
 * coa session re-hashes with the node's other sessions when their backend
 * goes; 0 = not known (it then re-hashes on its own address).
 */
void notify_write_coa_anchored(struct notify *n, __u32 service_id, const struct in6_addr *coa,
			       __u32 backend_id, __u32 anchor, __u32 lifetime_s)
{
	if (n->wq_n == NOTIFY_WRITE_BATCH)
		notify_wq_flush(n);
	addr_key(&n->wq_key[n->wq_n], service_id, coa);
	n->wq_val[n->wq_n] = (struct mip6lb_session){
		.backend_id = backend_id,
		.kind = MIP6LB_KIND_COA,
		.lifetime_s = lifetime_s,
		.flow_hash = anchor,
		.last_used_ns = dp_now_ns(),
	};
	n->wq_n++;
}

void notify_write_coa(struct notify *n, __u32 service_id, const struct in6_addr *coa,
		      __u32 backend_id, __u32 lifetime_s)
{
	notify_write_coa_anchored(n, service_id, coa, backend_id, 0, lifetime_s);
}

static struct attach *attach_find(struct nbinding *b, __u32 service_id)
{
	int i;

	for (i = 0; i < b->n_att; i++)
		if (b->att[i].service_id == service_id)
			return &b->att[i];
	return NULL;
}

/* Remember that the node's session in service_id is on backend_id with
 * the node's anchor hash, as seen at now_ms. */
void notify_attach(struct notify *n, struct nbinding *b, __u32 service_id, __u32 backend_id,
		   __u32 anchor, __u64 now_ms)
{
	struct attach *a = attach_find(b, service_id);

	if (!a) {
		if (b->n_att == NOTIFY_MAX_ATTACH)
			return;
		a = &b->att[b->n_att++];
		a->service_id = service_id;
	}
	a->backend_id = backend_id;
	a->anchor = anchor;
	a->gen = n->gen;
	a->seen_ms = now_ms;
}

/* The backend remembered for the node in service_id, if it can still be
 * trusted without a lookup. */
static bool attach_trusted(const struct notify *n, struct nbinding *b, __u32 service_id,
			   __u64 now_ms, __u32 *backend_id, __u32 *anchor)
{
	const struct attach *a = attach_find(b, service_id);

	if (!a || a->gen != n->gen || now_ms < a->seen_ms ||
	    now_ms - a->seen_ms >= ATTACH_TRUST_MS)
		return false;
	*backend_id = a->backend_id;
	*anchor = a->anchor;
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
int notify_carry_sessions(struct notify *n, struct nbinding *b, __u8 role,
			  const struct in6_addr *old, __u64 now_ms)
{
	struct mip6lb_session val;
	__u32 id, backend_id, anchor;
	int written = 0;

	for (id = 0; id < MIP6LB_MAX_SERVICES; id++) {
		if (n->modes[id] != role)
			continue;
		/* What the node's balancer group agreed on comes first: the
		 * instances that never saw the node have nothing else, and
		 * all of them must write the same backend. */
		if (notify_group_agreed(b, id, &backend_id)) {
			anchor = home_anchor(n, id, &b->h.key);
			notify_attach(n, b, id, backend_id, anchor, now_ms);
		} else if (!attach_trusted(n, b, id, now_ms, &backend_id, &anchor)) {
			if (!node_session(n, id, &b->h.key, old, b, &val))
				continue;
			backend_id = val.backend_id;
			/* The node's own anchor, so that its sessions move
			 * as one when their backend goes. */
			anchor = val.flow_hash ? val.flow_hash : home_anchor(n, id, &b->h.key);
			notify_attach(n, b, id, backend_id, anchor, now_ms);
		}
		notify_write_coa_anchored(n, id, &b->coa, backend_id, anchor, b->lifetime_s);
		written++;
	}
	return written;
}

/* Does the node still have a session a notification could carry? */
bool notify_node_alive(struct notify *n, const struct nbinding *b,
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
