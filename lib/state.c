// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state.c - the daemon's model of its services and backends (state.h):
 * adoption from the maps at start, its lifetime, config copies and the
 * lookups by name and id.  The diff that changes it is state_apply.c,
 * next hops are state_nexthop.c, the control socket's edits state_edit.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "state_priv.h"
#include "maglev.h"
#include "log.h"

/* Adopted conf slots with no key in the services map get this key: its VIP
 * is multicast, which config.c never accepts, so nothing matches it. */
static const struct mip6lb_service_key no_key = {
	.vip.s6_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

/* ---- lifetime ----------------------------------------------------------- */

static int adopt(struct lb_state *st)
{
	const struct dp_maps *m = st->maps;
	struct mip6lb_service_key key, next;
	struct mip6lb_service_ref ref;
	struct mip6lb_service conf;
	struct mip6lb_backend be;
	bool active[NSVC] = { false };
	void *prev = NULL;
	__u32 id;
	int err;

	for (id = 0; id < NSVC; id++) {
		if (bpf_map_lookup_elem(m->service_conf, &id, &conf)) {
			err = -errno;
			pr_err("map service_conf: reading slot %u: %s", id, strerror(-err));
			return err;
		}
		active[id] = conf.flags & MIP6LB_SVC_ACTIVE;
	}
	while (!bpf_map_get_next_key(m->services, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->services, &key, &ref))
			continue;
		/* A key whose slot is inactive or already claimed is stale:
		 * the first apply sweeps it. */
		if (ref.id >= NSVC || !active[ref.id] || st->svcs[ref.id].used)
			continue;
		st->svcs[ref.id].used = true;
		st->svcs[ref.id].key = key;
		st->adopted_services++;
	}
	for (id = 0; id < NSVC; id++) {
		if (active[id] && !st->svcs[id].used) {
			st->svcs[id].used = true;
			st->svcs[id].key = no_key;
			st->adopted_services++;
		}
	}
	for (id = 0; id < NBE; id++) {
		struct st_backend *b = &st->bes[id];

		if (bpf_map_lookup_elem(m->backends, &id, &be)) {
			err = -errno;
			pr_err("map backends: reading slot %u: %s", id, strerror(-err));
			return err;
		}
		b->written = be;
		if (!(be.flags & MIP6LB_BE_ACTIVE))
			continue;
		b->used = true;
		b->service_id = be.service_id;
		b->cfg.addr = be.addr;
		st->adopted_backends++;
	}
	if (st->adopted_services || st->adopted_backends)
		pr_info("found %u services and %u backends in the maps", st->adopted_services,
			st->adopted_backends);
	return 0;
}

int state_new(struct lb_state **out, const struct dp_maps *maps, struct nh_resolver *nh)
{
	struct lb_state *st;
	int err = -ENOMEM;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->maps = maps;
	st->nh = nh;
	st->bes = calloc(NBE, sizeof(*st->bes));
	st->ring = calloc(MIP6LB_RING_SIZE, sizeof(*st->ring));
	st->mb = calloc(NBE, sizeof(*st->mb));
	st->mb_names = calloc(NBE, sizeof(*st->mb_names));
	if (!st->bes || !st->ring || !st->mb || !st->mb_names)
		goto err;
	err = adopt(st);
	if (err)
		goto err;
	*out = st;
	return 0;
err:
	state_free(st);
	return err;
}

int state_new_offline(struct lb_state **out, const struct dp_maps *maps,
		      const struct st_fixed_nh *nh)
{
	int err;

	if (!nh)
		return -EINVAL;
	err = state_new(out, maps, NULL);
	if (err)
		return err;
	(*out)->offline = true;
	(*out)->fixed_nh = *nh;
	return 0;
}

void state_free(struct lb_state *st)
{
	if (!st)
		return;
	config_free(&st->cfg);
	free(st->bes);
	free(st->ring);
	free(st->mb);
	free(st->mb_names);
	free(st);
}

/* ---- config copies ------------------------------------------------------ */

int state_cfg_copy(struct mip6lb_config *dst, const struct mip6lb_config *src)
{
	int i;

	memset(dst, 0, sizeof(*dst));
	dst->daemon = src->daemon;
	if (src->n_services) {
		dst->services = calloc(src->n_services, sizeof(*dst->services));
		if (!dst->services)
			goto nomem;
		memcpy(dst->services, src->services, src->n_services * sizeof(*dst->services));
		dst->n_services = src->n_services;
	}
	if (src->n_backends) {
		dst->backends = calloc(src->n_backends, sizeof(*dst->backends));
		if (!dst->backends)
			goto nomem;
		memcpy(dst->backends, src->backends, src->n_backends * sizeof(*dst->backends));
		dst->n_backends = src->n_backends;
	}
	if (src->n_peers) {
		dst->peers = calloc(src->n_peers, sizeof(*dst->peers));
		if (!dst->peers)
			goto nomem;
		for (i = 0; i < src->n_peers; i++) {
			struct cfg_peer *d = &dst->peers[i];
			const struct cfg_peer *s = &src->peers[i];

			*d = *s;
			d->key_file = NULL;
			d->home_prefixes = NULL;
			dst->n_peers = i + 1;
			if (s->key_file && !(d->key_file = strdup(s->key_file)))
				goto nomem;
			if (s->n_home_prefixes) {
				d->home_prefixes = calloc(s->n_home_prefixes, sizeof(*d->home_prefixes));
				if (!d->home_prefixes)
					goto nomem;
				memcpy(d->home_prefixes, s->home_prefixes,
				       s->n_home_prefixes * sizeof(*d->home_prefixes));
			}
		}
	}
	return 0;
nomem:
	config_free(dst);
	return -ENOMEM;
}

/* ---- lookups ------------------------------------------------------------ */

int state_service_id(const struct lb_state *st, const char *name)
{
	int id;

	for (id = 0; id < NSVC; id++)
		if (st->svcs[id].used && st->svcs[id].cfg.name[0] &&
		    !strcmp(st->svcs[id].cfg.name, name))
			return id;
	return -ENOENT;
}

int state_backend_id(const struct lb_state *st, const char *service, const char *name)
{
	int sid = state_service_id(st, service), id;

	if (sid < 0)
		return sid;
	for (id = 0; id < NBE; id++)
		if (st->bes[id].used && st->bes[id].service_id == (__u32)sid &&
		    !strcmp(st->bes[id].cfg.name, name))
			return id;
	return -ENOENT;
}

const char *state_service_name(const struct lb_state *st, __u32 id)
{
	const struct st_service *s = id < NSVC ? &st->svcs[id] : NULL;

	return s && s->used && s->cfg.name[0] ? s->cfg.name : NULL;
}

const char *state_backend_name(const struct lb_state *st, __u32 id)
{
	const struct st_backend *b = id < NBE ? &st->bes[id] : NULL;

	return b && b->used && b->cfg.name[0] ? b->cfg.name : NULL;
}

int state_count_services(const struct lb_state *st)
{
	return st->cfg.n_services;
}

int state_count_backends(const struct lb_state *st)
{
	return st->cfg.n_backends;
}
