// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state_edit.c - the control socket's changes (service add/del, backend
 * add/del/drain): each makes a copy of the running config with the one
 * change and applies it with state_apply(), so it diffs like a reload.
 *
 * An added object is built from its arguments by config.c's own key table
 * (config_service_build, config_backend_build): names and values get the
 * config file's grammar and messages, and no request text ever becomes
 * config text, so a name or value cannot add keys or sections.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "state_priv.h"
#include "names.h"

static int apply_copy(struct lb_state *st, struct mip6lb_config *c, char *err, size_t errlen)
{
	int ret = state_apply(st, c);

	if (ret)
		snprintf(err, errlen, "applying the change: %s", strerror(-ret));
	config_free(c);
	return ret;
}

static struct cfg_kv *cfg_kv_of(const struct st_kv *kv, int n)
{
	struct cfg_kv *out = calloc(n > 0 ? n : 1, sizeof(*out));
	int i;

	for (i = 0; out && i < n; i++) {
		out[i].key = kv[i].key;
		out[i].val = kv[i].val;
	}
	return out;
}

/* What the config file's checks across sections would refuse. */
static int service_conflict(const struct lb_state *st, const struct cfg_service *ns,
			    char *err, size_t errlen)
{
	int i;

	for (i = 0; i < st->cfg.n_services; i++) {
		const struct cfg_service *o = &st->cfg.services[i];

		if (!memcmp(&o->vip, &ns->vip, sizeof(ns->vip)) && o->proto == ns->proto &&
		    o->port == ns->port) {
			snprintf(err, errlen, "service %s: same vip, proto and port as service %s",
				 ns->name, o->name);
			return -EEXIST;
		}
	}
	/* The config file refuses this pair too: new-session events are what
	 * drive the subscriptions, and events_per_sec = 0 turns them off. */
	if (ns->notify != MIP6LB_NOTIFY_OFF && !st->cfg.daemon.events_per_sec) {
		snprintf(err, errlen, "service %s: notify = %s needs new-session events, "
			 "but the daemon runs with events_per_sec = 0", ns->name,
			 notify_mode_name(ns->notify));
		return -EINVAL;
	}
	if (st->cfg.n_services >= MIP6LB_MAX_SERVICES) {
		snprintf(err, errlen, "service %s: at most %d services", ns->name,
			 MIP6LB_MAX_SERVICES);
		return -E2BIG;
	}
	return 0;
}

int state_service_add(struct lb_state *st, const char *name, const struct st_kv *kv, int n,
		      char *err, size_t errlen)
{
	struct cfg_kv *args = NULL;
	struct mip6lb_config c;
	struct cfg_service ns, *arr;
	char why[512];
	int ret;

	if (state_service_id(st, name) >= 0) {
		snprintf(err, errlen, "service %s: already exists", name);
		return -EEXIST;
	}
	args = cfg_kv_of(kv, n);
	if (!args) {
		ret = -ENOMEM;
		goto nomem;
	}
	ret = config_service_build(&ns, name, args, n, why, sizeof(why));
	free(args);
	if (ret) {
		snprintf(err, errlen, "service %s: %s", name, why);
		return ret;
	}
	ret = service_conflict(st, &ns, err, errlen);
	if (ret)
		return ret;
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
	c.services[c.n_services++] = ns;
	return apply_copy(st, &c, err, errlen);
nomem:
	snprintf(err, errlen, "service %s: %s", name, strerror(-ret));
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

static int backend_conflict(const struct lb_state *st, const struct cfg_backend *nb,
			    char *err, size_t errlen)
{
	int i;

	for (i = 0; i < st->cfg.n_backends; i++) {
		const struct cfg_backend *o = &st->cfg.backends[i];

		if (o->service_idx == nb->service_idx &&
		    !memcmp(&o->addr, &nb->addr, sizeof(nb->addr))) {
			snprintf(err, errlen, "backend %s/%s: same addr as backend %s/%s",
				 nb->service, nb->name, nb->service, o->name);
			return -EEXIST;
		}
	}
	if (st->cfg.n_backends >= MIP6LB_MAX_BACKENDS) {
		snprintf(err, errlen, "backend %s/%s: at most %d backends", nb->service, nb->name,
			 MIP6LB_MAX_BACKENDS);
		return -E2BIG;
	}
	return 0;
}

int state_backend_add(struct lb_state *st, const char *service, const char *name,
		      const struct st_kv *kv, int n, char *err, size_t errlen)
{
	int sidx = config_service_index(&st->cfg, service), ret;
	struct cfg_kv *args = NULL;
	struct mip6lb_config c;
	struct cfg_backend nb, *arr;
	char why[512];

	if (sidx < 0) {
		snprintf(err, errlen, "service %s: no such service", service);
		return -ENOENT;
	}
	if (cfg_backend_index(&st->cfg, service, name) >= 0) {
		snprintf(err, errlen, "backend %s/%s: already exists", service, name);
		return -EEXIST;
	}
	args = cfg_kv_of(kv, n);
	if (!args) {
		ret = -ENOMEM;
		goto nomem;
	}
	ret = config_backend_build(&nb, service, name, args, n, why, sizeof(why));
	free(args);
	if (ret) {
		snprintf(err, errlen, "backend %s/%s: %s", service, name, why);
		return ret;
	}
	nb.service_idx = sidx;
	ret = backend_conflict(st, &nb, err, errlen);
	if (ret)
		return ret;
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
	c.backends[c.n_backends++] = nb;
	return apply_copy(st, &c, err, errlen);
nomem:
	snprintf(err, errlen, "backend %s/%s: %s", service, name, strerror(-ret));
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

int state_backend_drain_deadline(struct lb_state *st, const char *service, const char *name,
				 __u32 deadline_s, char *err, size_t errlen)
{
	struct mip6lb_config c;
	int idx = cfg_backend_index(&st->cfg, service, name), ret;

	if (idx < 0) {
		snprintf(err, errlen, "backend %s/%s: no such backend", service, name);
		return -ENOENT;
	}
	if (deadline_s > CFG_MAX_LIFETIME) {
		snprintf(err, errlen, "backend %s/%s: deadline %u: at most %u seconds", service,
			 name, deadline_s, CFG_MAX_LIFETIME);
		return -EINVAL;
	}
	if (st->cfg.backends[idx].drained && st->cfg.backends[idx].drain_deadline_s == deadline_s)
		return 0;
	ret = state_cfg_copy(&c, &st->cfg);
	if (ret) {
		snprintf(err, errlen, "backend %s/%s: %s", service, name, strerror(-ret));
		return ret;
	}
	/* A new deadline counts from now (state_apply.c: drain_follow). */
	c.backends[idx].drained = true;
	c.backends[idx].drain_deadline_s = deadline_s;
	return apply_copy(st, &c, err, errlen);
}

int state_backend_disable(struct lb_state *st, const char *service, const char *name,
			  bool disabled, char *err, size_t errlen)
{
	struct mip6lb_config c;
	int idx = cfg_backend_index(&st->cfg, service, name), ret;

	if (idx < 0) {
		snprintf(err, errlen, "backend %s/%s: no such backend", service, name);
		return -ENOENT;
	}
	if (st->cfg.backends[idx].disabled == disabled)
		return 0;
	ret = state_cfg_copy(&c, &st->cfg);
	if (ret) {
		snprintf(err, errlen, "backend %s/%s: %s", service, name, strerror(-ret));
		return ret;
	}
	c.backends[idx].disabled = disabled;
	return apply_copy(st, &c, err, errlen);
}
