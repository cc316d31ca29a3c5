// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state_edit.c - the control socket's changes (service add/del, backend
 * add/del/drain): each makes a copy of the running config with the one
 * change and applies it with state_apply(), so it diffs like a reload.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "state_priv.h"
#include "names.h"

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
