// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * notify_group.c - the balancer's end of balancer groups ([daemon]
 * notify_group; docs/protocol.md, "Balancer groups").  Several mip6lbd
 * instances behind ECMP see one node's packets at different moves; the
 * agent tells every member of the group about every node any member
 * subscribed to, and echoes the backends the group agreed on.  Here:
 *
 *  - what this instance names in its GROUP_SUBSCRIBEs: per service, the
 *    backend of the node's session here, or the group's agreement when
 *    there is one (this instance then follows the group rather than
 *    contradict it);
 *  - what it makes of the echoed names: a (vip, proto, port) and a
 *    backend name become this instance's ids (ids differ between
 *    instances, names do not); a backend it does not know (a config that
 *    differs, a backend removed here) becomes the ring's pick for the
 *    node's home address, counted as choice_fallback; a service it does
 *    not have is ignored, counted as choice_no_service.
 */
#include <errno.h>
#include <string.h>
#include "notify_priv.h"
#include "log.h"

bool notify_group_agreed(const struct nbinding *b, __u32 service_id, __u32 *backend_id)
{
	int i;

	for (i = 0; b && i < b->n_agreed; i++) {
		if (b->agreed[i].service_id == service_id) {
			*backend_id = b->agreed[i].backend_id;
			return true;
		}
	}
	return false;
}

void notify_group_resolve(struct notify *n, int pi, struct nbinding *b,
			  const struct proto_choices *ch)
{
	struct npeer *p = &n->peers[pi];
	char h[INET6_ADDRSTRLEN];
	__u32 sid, bid;
	int i, rc;

	b->n_agreed = 0;
	for (i = 0; i < ch->count; i++) {
		const struct proto_choice *c = &ch->c[i];

		sid = MIP6LB_NO_SERVICE;
		rc = n->opts.names.resolve ?
		     n->opts.names.resolve(n->opts.names.ctx, c, &sid, &bid) : -ESRCH;
		if (rc == -ENOENT && sid < MIP6LB_MAX_SERVICES) {
			/* The service is here, that backend is not (or is
			 * down): the ring's pick, as if the node were new. */
			if (notify_ring_pick(n, sid, &b->h.key, &bid))
				continue;
			p->choice_fallback++;
			n->st.choice_fallback++;
			if (log_get_level() >= LOG_LVL_DEBUG)
				pr_debug("notify: %s: the group's backend %s is not configured "
					 "here; the ring's %u instead", fmt_addr(&b->h.key, h),
					 c->backend, bid);
		} else if (rc) {
			p->choice_no_service++;
			n->st.choice_no_service++;
			continue;
		} else {
			p->choice_agreed++;
			n->st.choice_agreed++;
		}
		if (b->n_agreed < PROTO_MAX_CHOICES) {
			b->agreed[b->n_agreed].service_id = sid;
			b->agreed[b->n_agreed].backend_id = bid;
			b->n_agreed++;
		}
	}
}

bool notify_group_choose(struct notify *n, struct nsub *s, __u32 service_id, __u32 backend_id)
{
	int i;

	if (!n->group[0] || service_id >= MIP6LB_MAX_SERVICES)
		return false;
	for (i = 0; i < s->n_ch; i++) {
		if (s->ch[i].service_id != service_id)
			continue;
		if (s->ch[i].backend_id == backend_id)
			return false;
		s->ch[i].backend_id = backend_id;
		return true;
	}
	if (s->n_ch == PROTO_MAX_CHOICES)
		return false;
	s->ch[s->n_ch].service_id = service_id;
	s->ch[s->n_ch].backend_id = backend_id;
	s->n_ch++;
	return true;
}

void notify_group_sub_init(struct notify *n, struct nsub *s)
{
	const struct nbinding *b = notify_binding_find(n, &s->h.key);
	struct mip6lb_session val;
	__u32 id;
	int i;

	s->n_ch = 0;
	if (!n->group[0])
		return;
	for (i = 0; b && i < b->n_agreed; i++)
		notify_group_choose(n, s, b->agreed[i].service_id, b->agreed[i].backend_id);
	/* And the node's sessions here in the other services of this mode: a
	 * subscription made again (after no_binding, a refusal, a restart)
	 * names what this instance has, not nothing. */
	for (id = 0; id < MIP6LB_MAX_SERVICES && s->n_ch < PROTO_MAX_CHOICES; id++) {
		if (n->modes[id] != s->mode)
			continue;
		for (i = 0; i < s->n_ch && s->ch[i].service_id != id; i++)
			;
		if (i == s->n_ch && notify_session_at(n, id, &s->h.key, &val))
			notify_group_choose(n, s, id, val.backend_id);
	}
}

void notify_group_choices(struct notify *n, struct nsub *s, struct proto_choices *out)
{
	const struct nbinding *b = notify_binding_find(n, &s->h.key);
	struct mip6lb_session val;
	__u32 bid;
	int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < s->n_ch; i++) {
		struct nchoice *c = &s->ch[i];

		/* The group's word first; else where the node's session here
		 * is now (it moves when its backend goes). */
		if (notify_group_agreed(b, c->service_id, &bid))
			c->backend_id = bid;
		else if (notify_session_at(n, c->service_id, &s->h.key, &val))
			c->backend_id = val.backend_id;
		if (!n->opts.names.choice ||
		    n->opts.names.choice(n->opts.names.ctx, c->service_id, c->backend_id,
					 &out->c[out->count]))
			continue;               /* not configured (any more): unnamed */
		out->count++;
	}
}
