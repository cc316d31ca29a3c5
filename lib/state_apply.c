// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state_apply.c - state_apply(), the diff every config change goes through
 * (start, reload, the control socket): which ids the config's services and
 * backends get, then the map writes.
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
 *  5. removed backends are cleared, and backends no longer usable
 *     (disabled) lose ACTIVE: the rings no longer point at them, and
 *     their sessions re-hash on their next packet;
 *  6. stale keys and VIP defaults are swept; settings are written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "state_priv.h"
#include "aging.h"
#include "maglev.h"
#include "log.h"

static bool key_eq(const struct mip6lb_service_key *a, const struct mip6lb_service_key *b)
{
	return !memcmp(&a->vip, &b->vip, sizeof(a->vip)) && a->proto == b->proto &&
	       a->port == b->port;
}

/* ---- map values --------------------------------------------------------- */

static void be_value(const struct st_backend *b, struct mip6lb_backend *v)
{
	memset(v, 0, sizeof(*v));
	v->addr = b->cfg.addr;
	v->service_id = b->service_id;
	/* Down, disabled, or drained past its deadline: sessions may not use
	 * it, so they re-hash (bpf/session.h), but the entry keeps its
	 * address and next hop for the health probes (bpf/health.bpf.c).
	 * DOWN and DISABLED say why, for the datapath's re-hash reasons. */
	v->flags = b->down || b->drain_expired || b->cfg.disabled ? 0 : MIP6LB_BE_ACTIVE;
	if (b->cfg.drained)
		v->flags |= MIP6LB_BE_DRAINED;
	if (b->down)
		v->flags |= MIP6LB_BE_DOWN;
	if (b->cfg.disabled)
		v->flags |= MIP6LB_BE_DISABLED;
	v->ifindex = b->nh.ifindex;
	memcpy(v->smac, b->nh.smac, 6);
	/* ip6ip6's limit (bpf/ptb.h): the service's mtu, else the egress
	 * interface's, per backend, since backends of one service may leave
	 * by different links. */
	v->mtu = (__u16)(b->svc_mtu ? b->svc_mtu : b->nh.mtu > 0xffff ? 0xffff : b->nh.mtu);
	if (b->nh.valid) {
		v->flags |= MIP6LB_BE_NH_VALID;
		memcpy(v->dmac, b->nh.dmac, 6);
	}
}

int st_write_backend(struct lb_state *st, __u32 id, struct st_backend *b)
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

		if (!b->used || b->service_id != sid || b->cfg.drained || b->cfg.disabled ||
		    !b->cfg.weight || b->down)
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

/* Build and write service sid's ring from the n members in st->mb;
 * *layout (may be NULL) gets its fingerprint layout, 0 on an error. */
static int write_ring(struct lb_state *st, __u32 sid, int n, __u64 *layout)
{
	int err, i;

	if (layout)
		*layout = 0;
	err = maglev_build(st->mb, n, st->ring, MIP6LB_RING_SIZE);
	if (err) {
		pr_err("service id %u: building its ring: %s", sid, strerror(-err));
		return err;
	}
	if (!n)
		for (i = 0; i < MIP6LB_RING_SIZE; i++)
			st->ring[i] = MAGLEV_EMPTY;
	err = dp_ring_write(st->maps, sid, st->ring);
	if (err) {
		pr_err("map rings: service id %u: %s", sid, strerror(-err));
		return err;
	}
	if (layout)
		*layout = st_ring_layout(st, n);
	return 0;
}

int st_ring_refresh(struct lb_state *st, __u32 sid)
{
	struct st_service *s = &st->svcs[sid];
	struct mip6lb_service v;
	__u64 sig;
	int n, err;

	if (sid >= NSVC || !s->used)
		return -ENOENT;
	n = ring_members(st, st->svcs, st->bes, sid, &sig);
	if (sig == s->ring_sig && (__u32)n == s->n_ring)
		return 0;
	err = write_ring(st, sid, n, &s->ring_layout);
	if (err) {
		s->ring_sig = 0;
		return err;
	}
	s->ring_sig = sig;
	s->n_ring = n;
	/* Keep the service's member count in step (mip6lb_service.n_backends). */
	if (!bpf_map_lookup_elem(st->maps->service_conf, &sid, &v) && v.n_backends != (__u32)n) {
		v.n_backends = n;
		if (bpf_map_update_elem(st->maps->service_conf, &sid, &v, BPF_ANY))
			pr_warn("map service_conf: id %u: %s", sid, strerror(errno));
	}
	return 0;
}

/* ---- keys and VIP defaults ---------------------------------------------- */

/* The VIP's default service (for packets without a port): the least
 * specific of its services, the smaller name on a tie.  Not the first
 * configured: runtime service adds append, so two instances with the same
 * services may hold them in another order (issue 15). */
static bool is_vip_default(const struct mip6lb_config *cfg, int idx)
{
	const struct cfg_service *s = &cfg->services[idx];
	int spec = !!s->proto + !!s->port, i;

	for (i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *o = &cfg->services[i];
		int ospec = !!o->proto + !!o->port;

		if (i == idx || memcmp(&o->vip, &s->vip, sizeof(s->vip)))
			continue;
		if (ospec < spec || (ospec == spec && strcmp(o->name, s->name) < 0))
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

static int plan_alloc(const struct mip6lb_config *cfg, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->be_id = calloc(cfg->n_backends + 1, sizeof(*p->be_id));
	p->be_matched = calloc(cfg->n_backends + 1, sizeof(*p->be_matched));
	p->be_taken = calloc(NBE, sizeof(*p->be_taken));
	p->be_gone = calloc(NBE, sizeof(*p->be_gone));
	if (!p->be_id || !p->be_matched || !p->be_taken || !p->be_gone) {
		plan_free(p);
		return -ENOMEM;
	}
	return 0;
}

static void plan_take_svc(struct plan *p, int i, int id)
{
	p->svc_id[i] = id;
	p->svc_matched[i] = p->svc_taken[id] = true;
}

/* Services: by name, then by (vip, proto, port), then a new id. */
static int plan_services(const struct lb_state *st, const struct mip6lb_config *cfg,
			 struct plan *p)
{
	struct mip6lb_service_key key;
	int i, id;

	for (i = 0; i < cfg->n_services; i++) {
		for (id = 0; id < NSVC; id++) {
			const struct st_service *s = &st->svcs[id];

			if (s->used && !p->svc_taken[id] && s->cfg.name[0] &&
			    !strcmp(s->cfg.name, cfg->services[i].name)) {
				plan_take_svc(p, i, id);
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
				plan_take_svc(p, i, id);
				break;
			}
		}
	}
	for (i = 0; i < cfg->n_services; i++) {
		if (p->svc_matched[i])
			continue;
		id = pick_svc_id(st->svcs, p->svc_taken);
		if (id < 0)
			return -ENOSPC;
		p->svc_id[i] = id;
		p->svc_taken[id] = true;
		if (st->svcs[id].used)
			p->svc_gone[id] = true;
	}
	for (id = 0; id < NSVC; id++)
		if (st->svcs[id].used && !p->svc_taken[id])
			p->svc_gone[id] = true;
	return 0;
}

/* Backends: by (service id, addr) within a surviving service. */
static int plan_backends(const struct lb_state *st, const struct mip6lb_config *cfg,
			 struct plan *p)
{
	int j, id;

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
			return -ENOSPC;
		p->be_id[j] = id;
		p->be_taken[id] = true;
	}
	for (id = 0; id < NBE; id++)
		if (st->bes[id].used && !p->be_taken[id])
			p->be_gone[id] = true;
	return 0;
}

static int plan_ids(const struct lb_state *st, const struct mip6lb_config *cfg, struct plan *p)
{
	int err = plan_alloc(cfg, p);

	if (err)
		return err;
	err = plan_services(st, cfg, p);
	if (!err)
		err = plan_backends(st, cfg, p);
	if (err)
		plan_free(p);
	return err;
}

/* ---- state_apply(), phase by phase -------------------------------------- */

/* One run of state_apply(): the plan, the new model (nsv, nbe) built
 * before anything is written, and what the closing log line reports. */
struct apply {
	struct lb_state *st;
	struct mip6lb_config *cfg;
	struct plan p;
	struct st_service *nsv;
	struct st_backend *nbe;
	bool any_gone;
	int first;                   /* the first map write error */
	int added, changed, removed, adopted, rings;
};

/* A map write failure is remembered and the apply goes on. */
static void note(struct apply *a, int err)
{
	if (!a->first)
		a->first = err;
}

/* The new model starts from the old one; free what goes. */
static void model_free_gone(struct apply *a)
{
	struct lb_state *st = a->st;
	__u32 id;

	memcpy(a->nsv, st->svcs, NSVC * sizeof(*a->nsv));
	memcpy(a->nbe, st->bes, NBE * sizeof(*a->nbe));
	for (id = 0; id < NSVC; id++) {
		if (!a->p.svc_gone[id])
			continue;
		a->any_gone = true;
		if (st->svcs[id].cfg.name[0])
			a->removed++;
		memset(&a->nsv[id], 0, sizeof(a->nsv[id]));
		a->nsv[id].freed_seq = ++st->seq;
	}
	for (id = 0; id < NBE; id++) {
		if (!a->p.be_gone[id])
			continue;
		if (st->bes[id].cfg.name[0])
			a->removed++;
		memset(&a->nbe[id].cfg, 0, sizeof(a->nbe[id].cfg));
		memset(&a->nbe[id].nh, 0, sizeof(a->nbe[id].nh));
		a->nbe[id].used = false;
		a->nbe[id].freed_seq = ++st->seq;
	}
}

/* Fill in what the config says.  Nothing is written yet. */
static void model_fill_services(struct apply *a)
{
	const struct mip6lb_config *cfg = a->cfg;
	int i;

	for (i = 0; i < cfg->n_services; i++) {
		struct st_service *s = &a->nsv[a->p.svc_id[i]];

		if (!a->p.svc_matched[i]) {
			memset(s, 0, sizeof(*s));
			a->added++;
		} else if (!s->cfg.name[0]) {
			a->adopted++;
		} else if (!svc_cfg_eq(&s->cfg, &cfg->services[i])) {
			a->changed++;
		}
		s->used = true;
		s->cfg = cfg->services[i];
		config_service_key(&cfg->services[i], &s->key);
		s->n_backends = 0;
	}
}

/* A backend drained by this change starts its deadline now; one no longer
 * drained forgets it.  b still holds the old config. */
static void drain_follow(struct st_backend *b, const struct cfg_backend *c, bool is_new)
{
	__u64 now = dp_now_ns();
	bool was = !is_new && b->cfg.drained;

	if (!c->drained) {
		if (was)
			b->state_ns = now;
		b->drain_expired = false;
		b->drain_deadline_ns = 0;
		return;
	}
	if (!was)
		b->state_ns = now;
	if (!was || c->drain_deadline_s != b->cfg.drain_deadline_s) {
		b->drain_expired = false;
		b->drain_deadline_ns = c->drain_deadline_s ?
			now + (__u64)c->drain_deadline_s * 1000000000ULL : 0;
	}
}

static void model_fill_backends(struct apply *a)
{
	const struct mip6lb_config *cfg = a->cfg;
	int j;

	for (j = 0; j < cfg->n_backends; j++) {
		const struct cfg_backend *c = &cfg->backends[j];
		struct st_backend *b = &a->nbe[a->p.be_id[j]];
		bool resolve;

		if (!a->p.be_matched[j]) {
			resolve = true;
			a->added++;
			b->down = b->drain_expired = false;
			b->drain_deadline_ns = 0;
			b->state_ns = dp_now_ns();
		} else {
			/* An adopted backend (no name yet) was never resolved. */
			resolve = !b->cfg.name[0] || !nh_inputs_eq(&b->cfg, c);
			if (!b->cfg.name[0])
				a->adopted++;
			else if (!be_cfg_eq(&b->cfg, c))
				a->changed++;
			if (b->cfg.disabled != c->disabled)
				b->state_ns = dp_now_ns();
		}
		drain_follow(b, c, !a->p.be_matched[j]);
		b->used = true;
		b->service_id = a->p.svc_id[c->service_idx];
		b->cfg = *c;
		b->svc_mtu = cfg->services[c->service_idx].mtu;
		if (resolve) {
			b->nh_backoff_s = 0;
			st_nh_resolve(a->st, c, &b->nh);
			st_nh_schedule(b, dp_now_ns());
			st_nh_log(a->st, b, NULL);
		}
		a->nsv[b->service_id].n_backends++;
	}
}

/* 1. Removed services: unreachable first, then their sessions and backends
 * (and ring) go. */
static void remove_services(struct apply *a)
{
	struct lb_state *st = a->st;
	struct aging_result r;
	__u32 id;
	int err;

	for (id = 0; id < NSVC; id++) {
		struct mip6lb_service_ref ref;
		struct mip6lb_service empty = {};
		struct mip6lb_vip vip;
		struct st_service *o = &st->svcs[id];

		if (!a->p.svc_gone[id])
			continue;
		if (!bpf_map_lookup_elem(st->maps->services, &o->key, &ref) && ref.id == id)
			bpf_map_delete_elem(st->maps->services, &o->key);
		if (!bpf_map_lookup_elem(st->maps->vips, &o->key.vip, &vip) && vip.service_id == id)
			bpf_map_delete_elem(st->maps->vips, &o->key.vip);
		if (bpf_map_update_elem(st->maps->service_conf, &id, &empty, BPF_ANY)) {
			err = -errno;
			pr_err("map service_conf: clearing id %u: %s", id, strerror(-err));
			note(a, err);
		}
		if (o->cfg.name[0])
			pr_info("service %s (id %u) removed", o->cfg.name, id);
	}
	if (!a->any_gone)
		return;
	note(a, aging_delete_if_all(st->maps, pred_gone_service, a->p.svc_gone, &r));
	if (r.deleted)
		pr_info("deleted %ld sessions of removed services", r.deleted);
	for (id = 0; id < NBE; id++)
		if (a->p.be_gone[id] && st->bes[id].service_id < NSVC &&
		    a->p.svc_gone[st->bes[id].service_id] && !a->p.be_taken[id])
			note(a, clear_backend(st, id, &a->nbe[id]));
	for (id = 0; id < NSVC; id++)
		if (a->p.svc_gone[id] && !a->nsv[id].used)
			note(a, write_ring(st, id, 0, NULL));
}

/* Would writing b take ACTIVE away from its entry (disabled now)? */
static bool loses_active(const struct st_backend *b)
{
	struct mip6lb_backend v;

	be_value(b, &v);
	return (b->written.flags & MIP6LB_BE_ACTIVE) && !(v.flags & MIP6LB_BE_ACTIVE);
}

/* 2. New and changed backends (losing: 5b, those no longer usable, after
 * the rings that left them out: a ring never points at an unusable
 * backend, and their sessions re-hash onto the new ring). */
static void write_backends(struct apply *a, bool losing)
{
	__u32 id;

	for (id = 0; id < NBE; id++)
		if (a->nbe[id].used && loses_active(&a->nbe[id]) == losing)
			note(a, st_write_backend(a->st, id, &a->nbe[id]));
}

/* 3. Rings whose members changed. */
static void rebuild_rings(struct apply *a)
{
	struct st_service *nsv = a->nsv;
	__u64 sig;
	__u32 id;
	int n, err;

	for (id = 0; id < NSVC; id++) {
		if (!nsv[id].used)
			continue;
		n = ring_members(a->st, nsv, a->nbe, id, &sig);
		nsv[id].n_ring = n;
		if (sig == nsv[id].ring_sig)
			continue;
		err = write_ring(a->st, id, n, &nsv[id].ring_layout);
		if (err) {
			note(a, err);
			nsv[id].ring_sig = 0;
			continue;
		}
		nsv[id].ring_sig = sig;
		a->rings++;
	}
}

/* 4. Services: a new one becomes reachable only now, with its ring. */
static void write_services(struct apply *a)
{
	int i, err;

	for (i = 0; i < a->cfg->n_services; i++) {
		struct st_service *s = &a->nsv[a->p.svc_id[i]];
		struct mip6lb_service v;

		config_service_to_map(&s->cfg, a->p.svc_id[i], &v);
		v.n_backends = s->n_ring;
		err = dp_service_write(a->st->maps, &s->key, &v, is_vip_default(a->cfg, i));
		if (err) {
			pr_err("maps: service %s (id %u): %s", s->cfg.name, a->p.svc_id[i],
			       strerror(-err));
			note(a, err);
		}
	}
}

/* 5. Removed backends; their sessions re-hash on their next packet. */
static void clear_removed_backends(struct apply *a)
{
	const struct st_backend *bes = a->st->bes;
	__u32 id;

	for (id = 0; id < NBE; id++) {
		if (!a->p.be_gone[id] || a->p.be_taken[id])
			continue;
		if (bes[id].cfg.name[0])
			pr_info("backend %s/%s (id %u) removed", bes[id].cfg.service,
				bes[id].cfg.name, id);
		note(a, clear_backend(a->st, id, &a->nbe[id]));
	}
}

/* The new model becomes the state's; it takes the config's contents. */
static void commit_model(struct apply *a)
{
	struct lb_state *st = a->st;

	memcpy(st->svcs, a->nsv, NSVC * sizeof(*a->nsv));
	memcpy(st->bes, a->nbe, NBE * sizeof(*a->nbe));
	config_free(&st->cfg);
	st->cfg = *a->cfg;
	memset(a->cfg, 0, sizeof(*a->cfg));
}

/* 6. Stale keys and VIP defaults (the sweep reads the committed model);
 * settings. */
static void sweep_and_settings(struct apply *a)
{
	struct lb_state *st = a->st;
	struct mip6lb_settings s = {
		.events_per_sec = st->cfg.daemon.events_per_sec,
		.new_per_sec = st->cfg.daemon.new_per_sec,
		.probation_ms = st->cfg.daemon.probation_ms,
		.ptb_per_sec = st->cfg.daemon.ptb_per_sec,
	};
	int err;

	note(a, sweep_keys(st, &st->cfg, a->p.svc_id));
	err = dp_settings_write(st->maps, &s);
	if (err) {
		pr_err("map settings: %s", strerror(-err));
		note(a, err);
	}
}

int state_apply(struct lb_state *st, struct mip6lb_config *cfg)
{
	struct apply a = { .st = st, .cfg = cfg };
	int err;

	err = plan_ids(st, cfg, &a.p);
	if (err) {
		pr_err("config: assigning ids: %s", strerror(-err));
		return err;
	}
	a.nsv = calloc(NSVC, sizeof(*a.nsv));
	a.nbe = calloc(NBE, sizeof(*a.nbe));
	if (!a.nsv || !a.nbe) {
		err = -ENOMEM;
		pr_err("config: %s", strerror(-err));
		goto out;
	}
	model_free_gone(&a);
	model_fill_services(&a);
	model_fill_backends(&a);

	remove_services(&a);
	write_backends(&a, false);
	rebuild_rings(&a);
	write_services(&a);
	clear_removed_backends(&a);
	write_backends(&a, true);
	commit_model(&a);
	sweep_and_settings(&a);
	pr_info("config applied: %d services, %d backends (%d kept from the maps, %d added, "
		"%d changed, %d removed, %d rings rebuilt)%s", st->cfg.n_services,
		st->cfg.n_backends, a.adopted, a.added, a.changed, a.removed, a.rings,
		a.first ? " with errors" : "");
	err = a.first;
out:
	free(a.nsv);
	free(a.nbe);
	plan_free(&a.p);
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

