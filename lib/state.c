// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state.c - services and backends: adoption from the maps, the diff that
 * every config change goes through, next hops, and the runtime changes of
 * the control socket.
 *
 * Write order in state_apply(), chosen so that no packet ever sees a
 * half-made change:
 *  1. removed services become unreachable (key, VIP default, conf slot),
 *     then their sessions and backends go;
 *  2. new and changed backends are written;
 *  3. rings whose members changed are rebuilt, so they point only at
 *     backends that exist;
 *  4. services are written (conf slot, key, VIP default): a new service
 *     becomes reachable only now, with its ring in place;
 *  5. removed backends are cleared: the rings no longer point at them, and
 *     their sessions re-hash on their next packet;
 *  6. stale keys and VIP defaults are swept; settings are written.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include "state.h"
#include "aging.h"
#include "maglev.h"
#include "names.h"
#include "nexthop.h"
#include "log.h"

#define NSVC MIP6LB_MAX_SERVICES
#define NBE  MIP6LB_MAX_BACKENDS

/* Adopted conf slots with no key in the services map get this key: its VIP
 * is multicast, which config.c never accepts, so nothing matches it. */
static const struct mip6lb_service_key no_key = {
	.vip.s6_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
};

static bool key_eq(const struct mip6lb_service_key *a, const struct mip6lb_service_key *b)
{
	return !memcmp(&a->vip, &b->vip, sizeof(a->vip)) && a->proto == b->proto &&
	       a->port == b->port;
}

static void fmt_mac(const __u8 *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

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

/* ---- next hops ---------------------------------------------------------- */

static int if_mac(const char *dev, __u8 mac[6])
{
	struct ifreq ifr = {};
	int fd, err = 0;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

/* The next hop of one backend.  A mac override needs only the egress:
 * from dev, else from the route (a pending neighbour does not matter, the
 * MAC is given).  Without one, nexthop.c resolves it all. */
static void resolve_nh(struct lb_state *st, const struct cfg_backend *c, struct st_nh *out)
{
	struct nh_result r = {};
	int err;

	memset(out, 0, sizeof(*out));
	out->from_config = c->has_mac;
	if (st->offline) {
		out->ifindex = st->fixed_nh.ifindex;
		memcpy(out->smac, st->fixed_nh.smac, 6);
		memcpy(out->dmac, c->has_mac ? c->mac : st->fixed_nh.dmac, 6);
		out->valid = true;
		return;
	}
	if (c->has_mac && c->dev[0]) {
		memcpy(out->dmac, c->mac, 6);
		out->ifindex = if_nametoindex(c->dev);
		if (!out->ifindex) {
			out->err = -ENODEV;
			return;
		}
		err = if_mac(c->dev, out->smac);
		if (err) {
			out->err = err;
			return;
		}
		out->valid = true;
		return;
	}
	if (!st->nh) {
		out->err = -EOPNOTSUPP;
		return;
	}
	err = nh_resolve(st->nh, &c->addr, c->dev[0] ? c->dev : NULL, &r);
	if (c->has_mac) {
		memcpy(out->dmac, c->mac, 6);
		if ((!err || err == -EAGAIN) && r.ifindex) {
			out->ifindex = r.ifindex;
			memcpy(out->smac, r.smac, 6);
			out->valid = true;
			return;
		}
		out->err = err ? err : -ENETUNREACH;
		return;
	}
	out->ifindex = r.ifindex;
	memcpy(out->smac, r.smac, 6);
	if (!err && r.valid) {
		memcpy(out->dmac, r.dmac, 6);
		out->valid = true;
		return;
	}
	out->err = err ? err : -EAGAIN;
}

static void nh_schedule(struct st_backend *b, __u64 now)
{
	/* A little early, so the one-second timer does not skip a tick. */
	const __u64 slack = 100000000ULL;

	if (b->nh.valid) {
		b->nh_backoff_s = 0;
		b->nh_retry_ns = 0;
		return;
	}
	if (b->nh.err == -EAGAIN)
		b->nh_backoff_s = 1;
	else if (!b->nh_backoff_s)
		b->nh_backoff_s = 1;
	else if (b->nh_backoff_s < NH_MAX_BACKOFF_S)
		b->nh_backoff_s *= 2;
	b->nh_retry_ns = now + b->nh_backoff_s * 1000000000ULL - slack;
}

static bool nh_eq(const struct st_nh *a, const struct st_nh *b)
{
	return a->valid == b->valid && a->from_config == b->from_config && a->err == b->err &&
	       a->ifindex == b->ifindex && !memcmp(a->dmac, b->dmac, 6) &&
	       !memcmp(a->smac, b->smac, 6);
}

static void log_nh(const struct lb_state *st, const struct st_backend *b,
		   const struct st_nh *old)
{
	char ifname[IF_NAMESIZE] = "?", mac[18];
	const struct st_nh *nh = &b->nh;

	if (old && nh_eq(old, nh))
		return;
	if (nh->valid && st->offline) {
		fmt_mac(nh->dmac, mac, sizeof(mac));
		pr_info("backend %s/%s: next hop %s on ifindex %u (offline)", b->cfg.service,
			b->cfg.name, mac, nh->ifindex);
	} else if (nh->valid) {
		if_indextoname(nh->ifindex, ifname);
		fmt_mac(nh->dmac, mac, sizeof(mac));
		pr_info("backend %s/%s: next hop %s on %s (ifindex %u)%s", b->cfg.service,
			b->cfg.name, mac, ifname, nh->ifindex,
			nh->from_config ? " (mac from the config)" : "");
	} else if (nh->err == -EAGAIN) {
		pr_debug("backend %s/%s: neighbour discovery under way", b->cfg.service, b->cfg.name);
	} else if (!old || old->valid || old->err != nh->err) {
		pr_warn("backend %s/%s: no next hop: %s", b->cfg.service, b->cfg.name,
			strerror(-nh->err));
	}
}

/* ---- map values --------------------------------------------------------- */

static void be_value(const struct st_backend *b, struct mip6lb_backend *v)
{
	memset(v, 0, sizeof(*v));
	v->addr = b->cfg.addr;
	v->service_id = b->service_id;
	v->flags = MIP6LB_BE_ACTIVE;
	if (b->cfg.drained)
		v->flags |= MIP6LB_BE_DRAINED;
	v->ifindex = b->nh.ifindex;
	memcpy(v->smac, b->nh.smac, 6);
	if (b->nh.valid) {
		v->flags |= MIP6LB_BE_NH_VALID;
		memcpy(v->dmac, b->nh.dmac, 6);
	}
}

static int write_backend(struct lb_state *st, __u32 id, struct st_backend *b)
{
	struct mip6lb_backend v;
	int err;

	be_value(b, &v);
	if (!memcmp(&v, &b->written, sizeof(v)))
		return 0;
	err = dp_backend_write(st->maps, id, &v);
	if (err) {
		pr_err("map backends: backend %s/%s (id %u): %s", b->cfg.service, b->cfg.name, id,
		       strerror(-err));
		return err;
	}
	b->written = v;
	/* A backend behind another interface is reached by bpf_redirect_map. */
	if (b->nh.valid && bpf_map_update_elem(st->maps->tx_ports, &b->nh.ifindex,
					       &b->nh.ifindex, BPF_ANY))
		pr_warn("map tx_ports: ifindex %u (backend %s/%s): %s", b->nh.ifindex,
			b->cfg.service, b->cfg.name, strerror(errno));
	return 0;
}

static int clear_backend(struct lb_state *st, __u32 id, struct st_backend *b)
{
	static const struct mip6lb_backend zero;
	int err;

	if (!memcmp(&b->written, &zero, sizeof(zero)))
		return 0;
	err = dp_backend_clear(st->maps, id);
	if (err) {
		pr_err("map backends: clearing id %u: %s", id, strerror(-err));
		return err;
	}
	memset(&b->written, 0, sizeof(b->written));
	return 0;
}

/* The ring's members, in id order, and a signature of them (never 0). */
static int ring_members(struct lb_state *st, const struct st_service *svcs,
			const struct st_backend *bes, __u32 sid, __u64 *sig)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int n = 0, i;
	__u32 id;

	for (id = 0; id < NBE; id++) {
		const struct st_backend *b = &bes[id];
		const char *name;

		if (!b->used || b->service_id != sid || b->cfg.drained || !b->cfg.weight)
			continue;
		snprintf(st->mb_names[n], sizeof(st->mb_names[n]), "%s/%s", svcs[sid].cfg.name,
			 b->cfg.name);
		st->mb[n].id = id;
		st->mb[n].name = st->mb_names[n];
		st->mb[n].weight = b->cfg.weight;
		for (name = st->mb_names[n]; *name; name++)
			h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
		for (i = 0; i < 2; i++)
			h = (h ^ (i ? b->cfg.weight : id)) * 0x100000001b3ULL;
		n++;
	}
	h = (h ^ (__u64)n) * 0x100000001b3ULL;
	*sig = h ? h : 1;
	return n;
}

static int write_ring(struct lb_state *st, __u32 sid, int n)
{
	int err, i;

	err = maglev_build(st->mb, n, st->ring, MIP6LB_RING_SIZE);
	if (err) {
		pr_err("service id %u: building its ring: %s", sid, strerror(-err));
		return err;
	}
	if (!n)
		for (i = 0; i < MIP6LB_RING_SIZE; i++)
			st->ring[i] = MAGLEV_EMPTY;
	err = dp_ring_write(st->maps, sid, st->ring);
	if (err)
		pr_err("map rings: service id %u: %s", sid, strerror(-err));
	return err;
}

/* ---- keys and VIP defaults ---------------------------------------------- */

/* The VIP's default service (for packets without a port): the least
 * specific of its services, the first configured on a tie. */
static bool is_vip_default(const struct mip6lb_config *cfg, int idx)
{
	const struct cfg_service *s = &cfg->services[idx];
	int spec = !!s->proto + !!s->port, i;

	for (i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *o = &cfg->services[i];
		int ospec = !!o->proto + !!o->port;

		if (i == idx || memcmp(&o->vip, &s->vip, sizeof(s->vip)))
			continue;
		if (ospec < spec || (ospec == spec && i < idx))
			return false;
	}
	return true;
}

/* Remove from services and vips whatever the model does not hold. */
static int sweep_keys(struct lb_state *st, const struct mip6lb_config *cfg, const __u32 *svc_id)
{
	struct mip6lb_service_key key, next, *stale = NULL;
	struct in6_addr vkey, vnext, *vstale = NULL;
	struct mip6lb_service_ref ref;
	struct mip6lb_vip vip;
	int n = 0, nv = 0, i, err = 0;
	void *prev = NULL;
	bool keep;

	stale = calloc(NSVC * 4, sizeof(*stale));
	vstale = calloc(MIP6LB_MAX_VIPS, sizeof(*vstale));
	if (!stale || !vstale) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(st->maps->services, prev, &next) && n < NSVC * 4) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(st->maps->services, &key, &ref))
			continue;
		keep = ref.id < NSVC && st->svcs[ref.id].used && st->svcs[ref.id].cfg.name[0] &&
		       key_eq(&st->svcs[ref.id].key, &key);
		if (!keep)
			stale[n++] = key;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(st->maps->services, &stale[i]);

	prev = NULL;
	while (!bpf_map_get_next_key(st->maps->vips, prev, &vnext) && nv < MIP6LB_MAX_VIPS) {
		vkey = vnext;
		prev = &vkey;
		if (bpf_map_lookup_elem(st->maps->vips, &vkey, &vip))
			continue;
		keep = false;
		for (i = 0; i < cfg->n_services && !keep; i++)
			keep = !memcmp(&cfg->services[i].vip, &vkey, sizeof(vkey)) &&
			       svc_id[i] == vip.service_id && is_vip_default(cfg, i);
		if (!keep)
			vstale[nv++] = vkey;
	}
	for (i = 0; i < nv; i++)
		bpf_map_delete_elem(st->maps->vips, &vstale[i]);
	if (n || nv)
		pr_debug("removed %d stale service keys and %d stale VIP defaults", n, nv);
	/* fast_id and vip_index follow whatever the apply changed. */
	err = dp_vips_refresh(st->maps);
out:
	free(stale);
	free(vstale);
	return err;
}

static bool pred_gone_service(const struct mip6lb_session_key *key,
			      const struct mip6lb_session *val, void *arg)
{
	const bool *gone = arg;

	return key->service_id < NSVC && gone[key->service_id];
}

/* ---- the diff ----------------------------------------------------------- */

static int pick_svc_id(const struct st_service *svcs, const bool *taken)
{
	int id, best = -1;

	for (id = 0; id < NSVC; id++) {
		if (svcs[id].used || taken[id])
			continue;
		if (best < 0 || svcs[id].freed_seq < svcs[best].freed_seq)
			best = id;
	}
	if (best >= 0)
		return best;
	/* Every id is configured or on its way out: take one of the latter. */
	for (id = 0; id < NSVC; id++)
		if (!taken[id])
			return id;
	return -ENOSPC;
}

static int pick_be_id(const struct st_backend *bes, const bool *taken)
{
	int id, best = -1;

	for (id = 0; id < NBE; id++) {
		if (bes[id].used || taken[id])
			continue;
		if (best < 0 || bes[id].freed_seq < bes[best].freed_seq)
			best = id;
	}
	if (best >= 0)
		return best;
	for (id = 0; id < NBE; id++)
		if (!taken[id])
			return id;
	return -ENOSPC;
}

static bool svc_cfg_eq(const struct cfg_service *a, const struct cfg_service *b)
{
	struct cfg_service x = *a, y = *b;

	x.line = y.line = 0;
	return !memcmp(&x, &y, sizeof(x));
}

static bool be_cfg_eq(const struct cfg_backend *a, const struct cfg_backend *b)
{
	struct cfg_backend x = *a, y = *b;

	x.line = y.line = 0;
	x.service_idx = y.service_idx = 0;
	return !memcmp(&x, &y, sizeof(x));
}

/* Only these decide the next hop. */
static bool nh_inputs_eq(const struct cfg_backend *a, const struct cfg_backend *b)
{
	return !memcmp(&a->addr, &b->addr, sizeof(a->addr)) && a->has_mac == b->has_mac &&
	       (!a->has_mac || !memcmp(a->mac, b->mac, 6)) && !strcmp(a->dev, b->dev);
}

struct plan {
	__u32 svc_id[NSVC];
	bool svc_matched[NSVC];
	bool svc_taken[NSVC];
	bool svc_gone[NSVC];         /* removed, or its id goes to another service */
	__u32 *be_id;
	bool *be_matched;
	bool *be_taken;
	bool *be_gone;
};

static void plan_free(struct plan *p)
{
	free(p->be_id);
	free(p->be_matched);
	free(p->be_taken);
	free(p->be_gone);
}

static int plan_ids(const struct lb_state *st, const struct mip6lb_config *cfg, struct plan *p)
{
	struct mip6lb_service_key key;
	int i, j, id;

	memset(p, 0, sizeof(*p));
	p->be_id = calloc(cfg->n_backends + 1, sizeof(*p->be_id));
	p->be_matched = calloc(cfg->n_backends + 1, sizeof(*p->be_matched));
	p->be_taken = calloc(NBE, sizeof(*p->be_taken));
	p->be_gone = calloc(NBE, sizeof(*p->be_gone));
	if (!p->be_id || !p->be_matched || !p->be_taken || !p->be_gone) {
		plan_free(p);
		return -ENOMEM;
	}

	/* Services: by name, then by (vip, proto, port), then a new id. */
	for (i = 0; i < cfg->n_services; i++) {
		for (id = 0; id < NSVC; id++) {
			const struct st_service *s = &st->svcs[id];

			if (s->used && !p->svc_taken[id] && s->cfg.name[0] &&
			    !strcmp(s->cfg.name, cfg->services[i].name)) {
				p->svc_id[i] = id;
				p->svc_matched[i] = p->svc_taken[id] = true;
				break;
			}
		}
	}
	for (i = 0; i < cfg->n_services; i++) {
		if (p->svc_matched[i])
			continue;
		config_service_key(&cfg->services[i], &key);
		for (id = 0; id < NSVC; id++) {
			const struct st_service *s = &st->svcs[id];

			if (s->used && !p->svc_taken[id] && key_eq(&s->key, &key) &&
			    config_service_index(cfg, s->cfg.name) < 0) {
				p->svc_id[i] = id;
				p->svc_matched[i] = p->svc_taken[id] = true;
				break;
			}
		}
	}
	for (i = 0; i < cfg->n_services; i++) {
		if (p->svc_matched[i])
			continue;
		id = pick_svc_id(st->svcs, p->svc_taken);
		if (id < 0)
			goto nospace;
		p->svc_id[i] = id;
		p->svc_taken[id] = true;
		if (st->svcs[id].used)
			p->svc_gone[id] = true;
	}
	for (id = 0; id < NSVC; id++)
		if (st->svcs[id].used && !p->svc_taken[id])
			p->svc_gone[id] = true;

	/* Backends: by (service id, addr) within a surviving service. */
	for (j = 0; j < cfg->n_backends; j++) {
		const struct cfg_backend *b = &cfg->backends[j];
		__u32 sid = p->svc_id[b->service_idx];

		if (!p->svc_matched[b->service_idx])
			continue;
		for (id = 0; id < NBE; id++) {
			const struct st_backend *o = &st->bes[id];

			if (o->used && !p->be_taken[id] && o->service_id == sid &&
			    !memcmp(&o->cfg.addr, &b->addr, sizeof(b->addr))) {
				p->be_id[j] = id;
				p->be_matched[j] = p->be_taken[id] = true;
				break;
			}
		}
	}
	for (j = 0; j < cfg->n_backends; j++) {
		if (p->be_matched[j])
			continue;
		id = pick_be_id(st->bes, p->be_taken);
		if (id < 0)
			goto nospace;
		p->be_id[j] = id;
		p->be_taken[id] = true;
	}
	for (id = 0; id < NBE; id++)
		if (st->bes[id].used && !p->be_taken[id])
			p->be_gone[id] = true;
	return 0;
nospace:
	plan_free(p);
	return -ENOSPC;
}

int state_apply(struct lb_state *st, struct mip6lb_config *cfg)
{
	struct st_service *nsv = NULL;
	struct st_backend *nbe = NULL;
	struct plan p;
	int i, j, n, err, first = 0;
	int added = 0, changed = 0, removed = 0, adopted = 0, rings = 0;
	bool any_gone = false;
	__u64 sig;
	__u32 id;

	err = plan_ids(st, cfg, &p);
	if (err) {
		pr_err("config: assigning ids: %s", strerror(-err));
		return err;
	}
	nsv = calloc(NSVC, sizeof(*nsv));
	nbe = calloc(NBE, sizeof(*nbe));
	if (!nsv || !nbe) {
		err = -ENOMEM;
		pr_err("config: %s", strerror(-err));
		goto out;
	}

	/* The new model: start from the old one, free what goes, fill in
	 * what the config says.  Nothing is written yet. */
	memcpy(nsv, st->svcs, NSVC * sizeof(*nsv));
	memcpy(nbe, st->bes, NBE * sizeof(*nbe));
	for (id = 0; id < NSVC; id++) {
		if (!p.svc_gone[id])
			continue;
		any_gone = true;
		if (st->svcs[id].cfg.name[0])
			removed++;
		memset(&nsv[id], 0, sizeof(nsv[id]));
		nsv[id].freed_seq = ++st->seq;
	}
	for (id = 0; id < NBE; id++) {
		if (!p.be_gone[id])
			continue;
		if (st->bes[id].cfg.name[0])
			removed++;
		memset(&nbe[id].cfg, 0, sizeof(nbe[id].cfg));
		memset(&nbe[id].nh, 0, sizeof(nbe[id].nh));
		nbe[id].used = false;
		nbe[id].freed_seq = ++st->seq;
	}
	for (i = 0; i < cfg->n_services; i++) {
		struct st_service *s = &nsv[p.svc_id[i]];

		if (!p.svc_matched[i]) {
			memset(s, 0, sizeof(*s));
			added++;
		} else if (!s->cfg.name[0]) {
			adopted++;
		} else if (!svc_cfg_eq(&s->cfg, &cfg->services[i])) {
			changed++;
		}
		s->used = true;
		s->cfg = cfg->services[i];
		config_service_key(&cfg->services[i], &s->key);
		s->n_backends = 0;
	}
	for (j = 0; j < cfg->n_backends; j++) {
		const struct cfg_backend *c = &cfg->backends[j];
		struct st_backend *b = &nbe[p.be_id[j]];
		bool resolve;

		if (!p.be_matched[j]) {
			resolve = true;
			added++;
		} else {
			/* An adopted backend (no name yet) was never resolved. */
			resolve = !b->cfg.name[0] || !nh_inputs_eq(&b->cfg, c);
			if (!b->cfg.name[0])
				adopted++;
			else if (!be_cfg_eq(&b->cfg, c))
				changed++;
		}
		b->used = true;
		b->service_id = p.svc_id[c->service_idx];
		b->cfg = *c;
		if (resolve) {
			b->nh_backoff_s = 0;
			resolve_nh(st, c, &b->nh);
			nh_schedule(b, dp_now_ns());
			log_nh(st, b, NULL);
		}
		nsv[b->service_id].n_backends++;
	}

	/* 1. Removed services: unreachable first, then their sessions and
	 * backends (and ring) go. */
	for (id = 0; id < NSVC; id++) {
		struct mip6lb_service_ref ref;
		struct mip6lb_service empty = {};
		struct mip6lb_vip vip;
		struct st_service *o = &st->svcs[id];

		if (!p.svc_gone[id])
			continue;
		if (!bpf_map_lookup_elem(st->maps->services, &o->key, &ref) && ref.id == id)
			bpf_map_delete_elem(st->maps->services, &o->key);
		if (!bpf_map_lookup_elem(st->maps->vips, &o->key.vip, &vip) && vip.service_id == id)
			bpf_map_delete_elem(st->maps->vips, &o->key.vip);
		if (bpf_map_update_elem(st->maps->service_conf, &id, &empty, BPF_ANY)) {
			err = -errno;
			pr_err("map service_conf: clearing id %u: %s", id, strerror(-err));
			first = first ? first : err;
		}
		if (o->cfg.name[0])
			pr_info("service %s (id %u) removed", o->cfg.name, id);
	}
	if (any_gone) {
		struct aging_result r;

		err = aging_delete_if(st->maps->sessions, pred_gone_service, p.svc_gone, &r);
		first = first ? first : err;
		if (r.deleted)
			pr_info("deleted %ld sessions of removed services", r.deleted);
		for (id = 0; id < NBE; id++)
			if (p.be_gone[id] && st->bes[id].service_id < NSVC &&
			    p.svc_gone[st->bes[id].service_id] && !p.be_taken[id]) {
				err = clear_backend(st, id, &nbe[id]);
				first = first ? first : err;
			}
		for (id = 0; id < NSVC; id++)
			if (p.svc_gone[id] && !nsv[id].used) {
				err = write_ring(st, id, 0);
				first = first ? first : err;
			}
	}

	/* 2. New and changed backends. */
	for (id = 0; id < NBE; id++) {
		if (!nbe[id].used)
			continue;
		err = write_backend(st, id, &nbe[id]);
		first = first ? first : err;
	}

	/* 3. Rings whose members changed. */
	for (id = 0; id < NSVC; id++) {
		if (!nsv[id].used)
			continue;
		n = ring_members(st, nsv, nbe, id, &sig);
		nsv[id].n_ring = n;
		if (sig == nsv[id].ring_sig)
			continue;
		err = write_ring(st, id, n);
		if (err) {
			first = first ? first : err;
			nsv[id].ring_sig = 0;
			continue;
		}
		nsv[id].ring_sig = sig;
		rings++;
	}

	/* 4. Services. */
	for (i = 0; i < cfg->n_services; i++) {
		struct st_service *s = &nsv[p.svc_id[i]];
		struct mip6lb_service v;

		config_service_to_map(&s->cfg, p.svc_id[i], &v);
		v.n_backends = s->n_ring;
		err = dp_service_write(st->maps, &s->key, &v, is_vip_default(cfg, i));
		if (err) {
			pr_err("maps: service %s (id %u): %s", s->cfg.name, p.svc_id[i],
			       strerror(-err));
			first = first ? first : err;
		}
	}

	/* 5. Removed backends; their sessions re-hash on their next packet. */
	for (id = 0; id < NBE; id++) {
		if (!p.be_gone[id] || p.be_taken[id])
			continue;
		if (st->bes[id].cfg.name[0])
			pr_info("backend %s/%s (id %u) removed", st->bes[id].cfg.service,
				st->bes[id].cfg.name, id);
		err = clear_backend(st, id, &nbe[id]);
		first = first ? first : err;
	}

	/* Commit the model before the sweep, which reads it. */
	memcpy(st->svcs, nsv, NSVC * sizeof(*nsv));
	memcpy(st->bes, nbe, NBE * sizeof(*nbe));
	config_free(&st->cfg);
	st->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));

	/* 6. Stale keys and VIP defaults; settings. */
	err = sweep_keys(st, &st->cfg, p.svc_id);
	first = first ? first : err;
	{
		struct mip6lb_settings s = { .events_per_sec = st->cfg.daemon.events_per_sec };

		err = dp_settings_write(st->maps, &s);
		if (err) {
			pr_err("map settings: %s", strerror(-err));
			first = first ? first : err;
		}
	}
	pr_info("config applied: %d services, %d backends (%d kept from the maps, %d added, "
		"%d changed, %d removed, %d rings rebuilt)%s", st->cfg.n_services,
		st->cfg.n_backends, adopted, added, changed, removed, rings,
		first ? " with errors" : "");
	err = first;
out:
	free(nsv);
	free(nbe);
	plan_free(&p);
	return err;
}

int state_reload_file(struct lb_state *st, const char *path,
		      void (*fixup)(struct mip6lb_config *cfg, void *arg), void *arg,
		      char *err, size_t errlen)
{
	struct mip6lb_config cfg;
	int ret;

	ret = config_load(path, &cfg, err, errlen);
	if (ret)
		return ret;
	if (fixup)
		fixup(&cfg, arg);
	ret = state_apply(st, &cfg);
	if (ret)
		snprintf(err, errlen, "%s: applying: %s", path, strerror(-ret));
	config_free(&cfg);
	return ret;
}

int state_nh_refresh(struct lb_state *st, bool all)
{
	__u64 now = dp_now_ns();
	struct st_nh old;
	int n = 0;
	__u32 id;

	for (id = 0; id < NBE; id++) {
		struct st_backend *b = &st->bes[id];
		bool failing = !b->nh.valid && b->nh.err != -EAGAIN;

		if (!b->used || !b->cfg.name[0])
			continue;
		/* nexthop.c logs every failure: a backend that cannot
		 * resolve must not log at the rate neighbours change. */
		if (all ? failing && now < b->nh_retry_ns : b->nh.valid || now < b->nh_retry_ns)
			continue;
		old = b->nh;
		resolve_nh(st, &b->cfg, &b->nh);
		nh_schedule(b, now);
		if (nh_eq(&old, &b->nh))
			continue;
		log_nh(st, b, &old);
		write_backend(st, id, b);
		n++;
	}
	return n;
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

int state_count_services(const struct lb_state *st)
{
	return st->cfg.n_services;
}

int state_count_backends(const struct lb_state *st)
{
	return st->cfg.n_backends;
}

/* ---- runtime changes ---------------------------------------------------- */

/* Arguments become INI text for config.c: no character may end the line,
 * start a comment or otherwise change what the parser sees. */
static int append_kv(char **text, size_t *len, const struct st_kv *kv, char *err, size_t errlen)
{
	const char *p;
	char *nt;
	int n;

	if (!kv->key || !*kv->key || strspn(kv->key, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
	    strlen(kv->key)) {
		snprintf(err, errlen, "bad argument name '%s'", kv->key ? kv->key : "");
		return -EINVAL;
	}
	for (p = kv->val; *p; p++) {
		if (iscntrl((unsigned char)*p) || *p == ';' || *p == '#') {
			snprintf(err, errlen, "%s: invalid character in '%s'", kv->key, kv->val);
			return -EINVAL;
		}
	}
	n = asprintf(&nt, "%s%s = %s\n", *text, kv->key, kv->val);
	if (n < 0)
		return -ENOMEM;
	free(*text);
	*text = nt;
	*len = n;
	return 0;
}

/* "args:3: vip = 'x': not an IPv6 address" -> "vip = 'x': not an IPv6 address" */
static const char *strip_where(const char *e)
{
	const char *p;

	if (strncmp(e, "args:", 5))
		return e;
	for (p = e + 5; isdigit((unsigned char)*p); p++)
		;
	if (*p == ':')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

static int parse_section(const char *head, const struct st_kv *kv, int n,
			 struct mip6lb_config *out, char *err, size_t errlen)
{
	char perr[512];
	char *text;
	size_t len;
	int i, ret;

	text = strdup(head);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	for (i = 0; i < n; i++) {
		ret = append_kv(&text, &len, &kv[i], err, errlen);
		if (ret) {
			free(text);
			return ret;
		}
	}
	ret = config_parse_string(text, "args", out, perr, sizeof(perr));
	free(text);
	if (ret)
		snprintf(err, errlen, "%s", strip_where(perr));
	return ret;
}

static int apply_copy(struct lb_state *st, struct mip6lb_config *c, char *err, size_t errlen)
{
	int ret = state_apply(st, c);

	if (ret)
		snprintf(err, errlen, "applying the change: %s", strerror(-ret));
	config_free(c);
	return ret;
}

int state_service_add(struct lb_state *st, const char *name, const struct st_kv *kv, int n,
		      char *err, size_t errlen)
{
	struct mip6lb_config one = {}, c;
	struct cfg_service *ns, *arr;
	char head[CFG_NAME_LEN + 16], why[512];
	int i, ret;

	if (state_service_id(st, name) >= 0) {
		snprintf(err, errlen, "service %s: already exists", name);
		return -EEXIST;
	}
	snprintf(head, sizeof(head), "[service %s]\n", name);
	ret = parse_section(head, kv, n, &one, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "service %s: %s", name, why);
		return ret;
	}
	ns = &one.services[0];
	for (i = 0; i < st->cfg.n_services; i++) {
		const struct cfg_service *o = &st->cfg.services[i];

		if (!memcmp(&o->vip, &ns->vip, sizeof(ns->vip)) && o->proto == ns->proto &&
		    o->port == ns->port) {
			snprintf(err, errlen, "service %s: same vip, proto and port as service %s",
				 name, o->name);
			ret = -EEXIST;
			goto out;
		}
	}
	/* The config file refuses this pair too: new-session events are what
	 * drive the subscriptions, and events_per_sec = 0 turns them off. */
	if (ns->notify != MIP6LB_NOTIFY_OFF && !st->cfg.daemon.events_per_sec) {
		snprintf(err, errlen, "service %s: notify = %s needs new-session events, "
			 "but the daemon runs with events_per_sec = 0", name,
			 notify_mode_name(ns->notify));
		ret = -EINVAL;
		goto out;
	}
	if (st->cfg.n_services >= MIP6LB_MAX_SERVICES) {
		snprintf(err, errlen, "service %s: at most %d services", name, MIP6LB_MAX_SERVICES);
		ret = -E2BIG;
		goto out;
	}
	ret = state_cfg_copy(&c, &st->cfg);
	if (ret)
		goto nomem;
	arr = realloc(c.services, (c.n_services + 1) * sizeof(*arr));
	if (!arr) {
		config_free(&c);
		ret = -ENOMEM;
		goto nomem;
	}
	c.services = arr;
	ns->line = 0;
	c.services[c.n_services++] = *ns;
	ret = apply_copy(st, &c, err, errlen);
	goto out;
nomem:
	snprintf(err, errlen, "service %s: %s", name, strerror(-ret));
out:
	config_free(&one);
	return ret;
}

int state_service_del(struct lb_state *st, const char *name, char *err, size_t errlen)
{
	struct mip6lb_config c;
	int idx = config_service_index(&st->cfg, name), i, j, ret;

	if (idx < 0) {
		snprintf(err, errlen, "service %s: no such service", name);
		return -ENOENT;
	}
	ret = state_cfg_copy(&c, &st->cfg);
	if (ret) {
		snprintf(err, errlen, "service %s: %s", name, strerror(-ret));
		return ret;
	}
	memmove(&c.services[idx], &c.services[idx + 1],
		(c.n_services - idx - 1) * sizeof(c.services[0]));
	c.n_services--;
	for (i = 0, j = 0; i < c.n_backends; i++) {
		if (c.backends[i].service_idx == idx)
			continue;
		c.backends[j] = c.backends[i];
		if (c.backends[j].service_idx > idx)
			c.backends[j].service_idx--;
		j++;
	}
	c.n_backends = j;
	return apply_copy(st, &c, err, errlen);
}

static int cfg_backend_index(const struct mip6lb_config *cfg, const char *service,
			     const char *name)
{
	int i;

	for (i = 0; i < cfg->n_backends; i++)
		if (!strcmp(cfg->backends[i].service, service) &&
		    !strcmp(cfg->backends[i].name, name))
			return i;
	return -ENOENT;
}

int state_backend_add(struct lb_state *st, const char *service, const char *name,
		      const struct st_kv *kv, int n, char *err, size_t errlen)
{
	struct mip6lb_config one = {}, c;
	struct cfg_backend *nb, *arr;
	char head[3 * CFG_NAME_LEN + INET6_ADDRSTRLEN + 64], vip[INET6_ADDRSTRLEN], why[512];
	int sidx = config_service_index(&st->cfg, service), i, ret;

	if (sidx < 0) {
		snprintf(err, errlen, "service %s: no such service", service);
		return -ENOENT;
	}
	if (cfg_backend_index(&st->cfg, service, name) >= 0) {
		snprintf(err, errlen, "backend %s/%s: already exists", service, name);
		return -EEXIST;
	}
	/* A minimal [service] makes the [backend] section valid on its own. */
	inet_ntop(AF_INET6, &st->cfg.services[sidx].vip, vip, sizeof(vip));
	snprintf(head, sizeof(head), "[service %s]\nvip = %s\n[backend %s %s]\n", service, vip,
		 service, name);
	ret = parse_section(head, kv, n, &one, why, sizeof(why));
	if (ret) {
		snprintf(err, errlen, "backend %s/%s: %s", service, name, why);
		return ret;
	}
	nb = &one.backends[0];
	for (i = 0; i < st->cfg.n_backends; i++) {
		const struct cfg_backend *o = &st->cfg.backends[i];

		if (o->service_idx == sidx && !memcmp(&o->addr, &nb->addr, sizeof(nb->addr))) {
			snprintf(err, errlen, "backend %s/%s: same addr as backend %s/%s", service,
				 name, service, o->name);
			ret = -EEXIST;
			goto out;
		}
	}
	if (st->cfg.n_backends >= MIP6LB_MAX_BACKENDS) {
		snprintf(err, errlen, "backend %s/%s: at most %d backends", service, name,
			 MIP6LB_MAX_BACKENDS);
		ret = -E2BIG;
		goto out;
	}
	ret = state_cfg_copy(&c, &st->cfg);
	if (ret)
		goto nomem;
	arr = realloc(c.backends, (c.n_backends + 1) * sizeof(*arr));
	if (!arr) {
		config_free(&c);
		ret = -ENOMEM;
		goto nomem;
	}
	c.backends = arr;
	nb->service_idx = sidx;
	nb->line = 0;
	c.backends[c.n_backends++] = *nb;
	ret = apply_copy(st, &c, err, errlen);
	goto out;
nomem:
	snprintf(err, errlen, "backend %s/%s: %s", service, name, strerror(-ret));
out:
	config_free(&one);
	return ret;
}

int state_backend_del(struct lb_state *st, const char *service, const char *name,
		      char *err, size_t errlen)
{
	struct mip6lb_config c;
	int idx = cfg_backend_index(&st->cfg, service, name), ret;

	if (idx < 0) {
		snprintf(err, errlen, "backend %s/%s: no such backend", service, name);
		return -ENOENT;
	}
	ret = state_cfg_copy(&c, &st->cfg);
	if (ret) {
		snprintf(err, errlen, "backend %s/%s: %s", service, name, strerror(-ret));
		return ret;
	}
	memmove(&c.backends[idx], &c.backends[idx + 1],
		(c.n_backends - idx - 1) * sizeof(c.backends[0]));
	c.n_backends--;
	return apply_copy(st, &c, err, errlen);
}

int state_backend_drain(struct lb_state *st, const char *service, const char *name,
			bool drained, char *err, size_t errlen)
{
	struct mip6lb_config c;
	int idx = cfg_backend_index(&st->cfg, service, name), ret;

	if (idx < 0) {
		snprintf(err, errlen, "backend %s/%s: no such backend", service, name);
		return -ENOENT;
	}
	if (st->cfg.backends[idx].drained == drained)
		return 0;
	ret = state_cfg_copy(&c, &st->cfg);
	if (ret) {
		snprintf(err, errlen, "backend %s/%s: %s", service, name, strerror(-ret));
		return ret;
	}
	c.backends[idx].drained = drained;
	return apply_copy(st, &c, err, errlen);
}
