// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_state.c - the names a balancer group shares, over the daemon's
 * model (lib/state.h): a service is its (vip, proto, port), a backend its
 * configured name within the service, since the ids behind them are each
 * instance's own (docs/protocol.md, "Choices").  mip6lbd hands these to
 * the notification module as notify_names.choice and .resolve.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "notify.h"
#include "state.h"

int notify_state_choice(const struct lb_state *st, __u32 service_id, __u32 backend_id,
			struct proto_choice *out)
{
	const struct st_service *s;
	const struct st_backend *b;

	if (service_id >= MIP6LB_MAX_SERVICES || backend_id >= MIP6LB_MAX_BACKENDS)
		return -ENOENT;
	s = &st->svcs[service_id];
	b = &st->bes[backend_id];
	/* Adopted from the maps but not configured: no name to share. */
	if (!s->used || !s->cfg.name[0] || !b->used || !b->cfg.name[0] ||
	    b->service_id != service_id)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->vip = s->key.vip;
	out->proto = s->key.proto;
	out->port = s->key.port;
	snprintf(out->backend, sizeof(out->backend), "%s", b->cfg.name);
	return 0;
}

int notify_state_resolve(const struct lb_state *st, const struct proto_choice *c,
			 __u32 *service_id, __u32 *backend_id)
{
	__u32 sid, bid;

	for (sid = 0; sid < MIP6LB_MAX_SERVICES; sid++) {
		const struct st_service *s = &st->svcs[sid];

		if (s->used && s->cfg.name[0] && !memcmp(&s->key.vip, &c->vip, sizeof(c->vip)) &&
		    s->key.proto == c->proto && s->key.port == c->port)
			break;
	}
	if (sid == MIP6LB_MAX_SERVICES)
		return -ESRCH;
	*service_id = sid;
	for (bid = 0; bid < MIP6LB_MAX_BACKENDS; bid++) {
		const struct st_backend *b = &st->bes[bid];

		if (!b->used || b->service_id != sid || strcmp(b->cfg.name, c->backend))
			continue;
		/* Down (failed its checks): its sessions re-hash anyway. */
		if (state_backend_state(st, bid) == ST_BE_DOWN)
			return -ENOENT;
		*backend_id = bid;
		return 0;
	}
	return -ENOENT;
}
