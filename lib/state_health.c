// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * state_health.c - the run-time states a backend moves through without a
 * config change: down (the health checker's verdict, loader/health.c) and
 * a drain's deadline; and the precedence of the states `backend list`
 * shows (disabled, down, drained, active).  Both act through the same two levers as the config
 * diff: ring membership (no new sessions) and the ACTIVE flag of the map
 * entry, which the datapath's usable test reads (bpf/session.h: a session
 * whose backend is not ACTIVE re-hashes on its next packet).
 */
#include <errno.h>
#include <string.h>
#include "state_priv.h"
#include "log.h"

int state_backend_set_down(struct lb_state *st, __u32 id, bool down)
{
	struct st_backend *b;
	int err, err2;

	if (id >= NBE || !st->bes[id].used)
		return -ENOENT;
	b = &st->bes[id];
	if (b->down == down)
		return 0;
	b->down = down;
	b->state_ns = dp_now_ns();
	/* Going down: the ring first, so that the sessions re-hashed by the
	 * flag below land on live backends only.  Coming back: the entry
	 * first, so that the ring never points at an unusable backend. */
	if (down) {
		err = st_ring_refresh(st, b->service_id);
		err2 = st_write_backend(st, id, b);
	} else {
		err2 = st_write_backend(st, id, b);
		err = st_ring_refresh(st, b->service_id);
	}
	pr_info("backend %s/%s (id %u) is %s", b->cfg.service, b->cfg.name, id,
		down ? "down: off the ring, its sessions move on their next packet"
		     : "up again: back on the ring for new sessions");
	return err ? err : err2;
}

int state_drain_tick(struct lb_state *st, __u64 now_ns)
{
	int n = 0;
	__u32 id;

	for (id = 0; id < NBE; id++) {
		struct st_backend *b = &st->bes[id];

		if (!b->used || !b->cfg.drained || b->drain_expired || !b->drain_deadline_ns ||
		    now_ns < b->drain_deadline_ns)
			continue;
		b->drain_expired = true;
		b->state_ns = now_ns;
		st_write_backend(st, id, b);
		pr_info("backend %s/%s (id %u): drain deadline (%u s) reached; its remaining "
			"sessions move on their next packet", b->cfg.service, b->cfg.name, id,
			b->cfg.drain_deadline_s);
		n++;
	}
	return n;
}

enum st_be_state state_backend_state(const struct lb_state *st, __u32 id)
{
	const struct st_backend *b = &st->bes[id];

	/* What the operator did last outranks the checker's verdict, which
	 * outranks a drain: a disabled backend that also fails its checks
	 * says disabled until it is enabled, then down. */
	if (b->cfg.disabled)
		return ST_BE_DISABLED;
	if (b->down)
		return ST_BE_DOWN;
	if (b->cfg.drained)
		return ST_BE_DRAINED;
	return ST_BE_ACTIVE;
}

const char *st_be_state_name(enum st_be_state s)
{
	switch (s) {
	case ST_BE_ACTIVE: return "active";
	case ST_BE_DRAINED: return "drained";
	case ST_BE_DOWN: return "down";
	case ST_BE_DISABLED: return "disabled";
	}
	return "?";
}
