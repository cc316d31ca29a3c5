// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sync_apply.c - session sync's rules (loader/sync.h): which sessions are
 * worth sharing (they differ from the ring), how a local session becomes a
 * group-wide entry (names, not ids; the lifetime left, not a timestamp),
 * and where a received one may be written.  This is where a sync message
 * changes a map.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "sync.h"
#include "dpmaps.h"
#include "hash.h"
#include "state.h"

#define NS_PER_S 1000000000ULL

void sync_rings_free(struct sync_rings *rc)
{
	int i;

	for (i = 0; i < MIP6LB_MAX_SERVICES; i++) {
		free(rc->ring[i]);
		rc->ring[i] = NULL;
		rc->sig[i] = 0;
		free(rc->names[i]);
		rc->names[i] = NULL;
		rc->n_names[i] = 0;
		rc->names_valid[i] = false;
	}
}

/* One service's ring from the rings array map: a batch lookup from its
 * first slot (an array's batch cursor is the previous index). */
static int ring_read(const struct dp_maps *m, __u32 sid, __u32 *ring)
{
	static __u32 keys[MIP6LB_RING_SIZE];
	__u32 first = sid * MIP6LB_RING_SIZE, prev = first - 1, out, count, done = 0, i;
	LIBBPF_OPTS(bpf_map_batch_opts, bo);

	while (done < MIP6LB_RING_SIZE) {
		count = MIP6LB_RING_SIZE - done;
		if (bpf_map_lookup_batch(m->rings, done || sid ? &prev : NULL, &out, keys,
					 ring + done, &count, &bo) && errno != ENOENT)
			goto one_by_one;
		if (!count)
			break;
		done += count;
		prev = first + done - 1;
	}
	if (done >= MIP6LB_RING_SIZE)
		return 0;
one_by_one:
	/* No batch ops (old kernel): slot by slot. */
	for (i = 0; i < MIP6LB_RING_SIZE; i++) {
		__u32 k = first + i;

		if (bpf_map_lookup_elem(m->rings, &k, &ring[i]))
			return -errno;
	}
	return 0;
}

bool sync_differs(struct sync_rings *rc, const struct dp_maps *m, const struct lb_state *st,
		  const struct mip6lb_session_key *key, const struct mip6lb_session *val)
{
	__u32 sid = key->service_id;
	__u64 sig;

	if (sid >= MIP6LB_MAX_SERVICES)
		return false;
	sig = st ? st->svcs[sid].ring_sig : 0;
	/* ring_sig 0 = unknown: read again each time it is asked for. */
	if (!rc->ring[sid] || !sig || rc->sig[sid] != sig) {
		struct mip6lb_service svc;

		if (!rc->ring[sid] && !(rc->ring[sid] = malloc(MIP6LB_RING_SIZE * sizeof(__u32))))
			return true;
		if (ring_read(m, sid, rc->ring[sid]) ||
		    bpf_map_lookup_elem(m->service_conf, &sid, &svc)) {
			free(rc->ring[sid]);
			rc->ring[sid] = NULL;
			return true;
		}
		rc->sig[sid] = sig;
		rc->hash_id[sid] = svc.hash_id;
	}
	return rc->ring[sid][mip6lb_ring_slot(key, rc->hash_id[sid])] != val->backend_id;
}

int sync_entry_from_local(const struct lb_state *st, const struct mip6lb_session_key *key,
			  const struct mip6lb_session *val, __u64 now_ns, struct sync_entry *out)
{
	const struct st_service *svc;
	const char *be;
	__u64 age_s;

	if (key->service_id >= MIP6LB_MAX_SERVICES)
		return -ENOENT;
	svc = &st->svcs[key->service_id];
	be = state_backend_name(st, val->backend_id);
	if (!svc->used || !svc->cfg.name[0] || !be ||
	    st->bes[val->backend_id].service_id != key->service_id)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->vip = svc->key.vip;
	out->port = svc->key.port;
	out->proto = svc->key.proto;
	out->space = key->space;
	switch (key->space) {
	case MIP6LB_SPACE_ADDR:
		out->id.addr = key->id.addr;
		break;
	case MIP6LB_SPACE_SPI:
		out->id.spi = key->id.spi;
		break;
	case MIP6LB_SPACE_IID:
		memcpy(out->id.iid, &key->id.iid, 8);
		break;
	default:
		return -ENOENT;
	}
	out->kind = val->kind;
	if (mip6lb_kind_space(out->kind) != out->space || sync_entry_set_name(out, be))
		return -ENOENT;
	out->lifetime_s = val->lifetime_s > SYNC_MAX_LIFETIME_S ? SYNC_MAX_LIFETIME_S
								: val->lifetime_s;
	if (out->lifetime_s) {
		age_s = now_ns > val->last_used_ns ? (now_ns - val->last_used_ns) / NS_PER_S : 0;
		if (age_s >= out->lifetime_s)
			return -ENOENT;
		out->remaining_s = out->lifetime_s - (__u32)age_s;
	}
	out->anchor = val->flow_hash;
	return 0;
}

/* The configured service with this (vip, proto, port), or -1. */
static int service_of(const struct lb_state *st, const struct sync_entry *e)
{
	int i;

	for (i = 0; i < MIP6LB_MAX_SERVICES; i++) {
		const struct st_service *s = &st->svcs[i];

		if (s->used && s->cfg.name[0] && s->key.port == e->port &&
		    s->key.proto == e->proto && !memcmp(&s->key.vip, &e->vip, sizeof(e->vip)))
			return i;
	}
	return -1;
}

/* The configured backend of service sid with this name, or -1. */
static int backend_scan(const struct lb_state *st, __u32 sid, const char *name)
{
	int id;

	for (id = 0; id < MIP6LB_MAX_BACKENDS; id++)
		if (st->bes[id].used && st->bes[id].service_id == sid &&
		    !strcmp(st->bes[id].cfg.name, name))
			return id;
	return -1;
}

/* The service's backend names, rebuilt when its ring changed (a backend
 * added, removed, renamed or re-weighted moves the ring's signature). */
static void names_build(struct sync_rings *rc, const struct lb_state *st, __u32 sid)
{
	int id, n = 0;

	free(rc->names[sid]);
	rc->names[sid] = NULL;
	rc->n_names[sid] = 0;
	rc->names_valid[sid] = false;
	for (id = 0; id < MIP6LB_MAX_BACKENDS; id++)
		n += st->bes[id].used && st->bes[id].service_id == sid && st->bes[id].cfg.name[0];
	if (n && !(rc->names[sid] = calloc(n, sizeof(*rc->names[sid]))))
		return;
	for (id = 0, n = 0; id < MIP6LB_MAX_BACKENDS; id++) {
		const struct st_backend *b = &st->bes[id];

		if (!b->used || b->service_id != sid || !b->cfg.name[0])
			continue;
		snprintf(rc->names[sid][n].name, sizeof(rc->names[sid][n].name), "%s", b->cfg.name);
		rc->names[sid][n++].id = (__u32)id;
	}
	rc->n_names[sid] = n;
	rc->names_sig[sid] = st->svcs[sid].ring_sig;
	rc->names_valid[sid] = true;
}

static int backend_of(struct sync_rings *rc, const struct lb_state *st, __u32 sid,
		      const char *name)
{
	int i;

	if (!rc)
		return backend_scan(st, sid, name);
	if (!rc->names_valid[sid] || !st->svcs[sid].ring_sig ||
	    rc->names_sig[sid] != st->svcs[sid].ring_sig)
		names_build(rc, st, sid);
	for (i = 0; i < rc->n_names[sid]; i++)
		if (!strcmp(rc->names[sid][i].name, name)) {
			__u32 id = rc->names[sid][i].id;

			/* Still that backend (a change the signature missed
			 * is caught here). */
			if (st->bes[id].used && st->bes[id].service_id == sid &&
			    !strcmp(st->bes[id].cfg.name, name))
				return (int)id;
			break;
		}
	/* Not cached: a backend the ring does not show (weight 0), or none. */
	return backend_scan(st, sid, name);
}

static void local_key(const struct sync_entry *e, __u32 sid, struct mip6lb_session_key *k)
{
	memset(k, 0, sizeof(*k));
	k->service_id = sid;
	k->space = e->space;
	switch (e->space) {
	case MIP6LB_SPACE_ADDR:
		k->id.addr = e->id.addr;
		break;
	case MIP6LB_SPACE_SPI:
		k->id.spi = e->id.spi;
		break;
	case MIP6LB_SPACE_IID:
		memcpy(&k->id.iid, e->id.iid, 8);
		break;
	}
}

enum sync_apply_result sync_apply_entry(const struct dp_maps *m, const struct lb_state *st,
					struct sync_rings *rc, const struct sync_entry *e,
					__u64 now_ns)
{
	struct mip6lb_session_key k;
	struct mip6lb_session cur, val;
	int sid, bid, tables[2], i, target, tries;
	__u64 idle_ns, last;

	sid = service_of(st, e);
	if (sid < 0)
		return SYNC_A_UNKNOWN_SERVICE;
	bid = backend_of(rc, st, (__u32)sid, e->backend);
	if (bid < 0)
		return SYNC_A_UNKNOWN_BACKEND;
	local_key(e, sid, &k);

	/* The copy ages out when the original would: its last use is as
	 * long ago as the sender's was. */
	idle_ns = e->lifetime_s ? (__u64)(e->lifetime_s - e->remaining_s) * NS_PER_S : 0;
	last = now_ns > idle_ns ? now_ns - idle_ns : 0;
	val = (struct mip6lb_session){
		.backend_id = (__u32)bid,
		.kind = e->kind,
		.flags = MIP6LB_SESS_SYNCED,
		.lifetime_s = e->lifetime_s,
		.flow_hash = e->anchor,
		.last_used_ns = last,
	};
	/* The datapath looks in sessions, then coa_sessions: a session in
	 * either decides the key. */
	tables[0] = m->sessions;
	tables[1] = m->coa_sessions;
	target = e->kind == MIP6LB_KIND_COA ? m->coa_sessions : m->sessions;
	for (tries = 0; tries < 2; tries++) {
		for (i = 0; i < 2; i++) {
			if (bpf_map_lookup_elem(tables[i], &k, &cur))
				continue;
			if (cur.backend_id != (__u32)bid)
				return SYNC_A_CONFLICT;
			if (cur.last_used_ns >= last)
				return SYNC_A_UNCHANGED;
			/* Only the last use moves: kind, anchor and
			 * lifetime stay the local session's. */
			cur.last_used_ns = last;
			cur.flags |= MIP6LB_SESS_SYNCED;
			if (bpf_map_update_elem(tables[i], &k, &cur, BPF_EXIST))
				/* ENOENT: aged out meanwhile; the next
				 * refresh writes it anew. */
				return errno == ENOENT ? SYNC_A_UNCHANGED : SYNC_A_WRITE_ERROR;
			return SYNC_A_REFRESHED;
		}
		if (!bpf_map_update_elem(target, &k, &val, BPF_NOEXIST))
			return SYNC_A_NEW;
		if (errno != EEXIST)
			return SYNC_A_WRITE_ERROR;
		/* The datapath made one meanwhile: judge that one. */
	}
	return SYNC_A_CONFLICT;
}
