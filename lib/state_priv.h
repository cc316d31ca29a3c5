/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * state_priv.h - what the files of the state module share and nobody else
 * calls: state.c (the model, its lifetime and lookups), state_apply.c (the
 * diff that makes the maps match a config), state_nexthop.c (next hops)
 * and state_edit.c (the control socket's changes).  The public interface
 * is state.h.
 */
#ifndef MIP6LB_STATE_PRIV_H
#define MIP6LB_STATE_PRIV_H

#include <stdbool.h>
#include <netinet/in.h>
#include <linux/types.h>
#include "state.h"

#define NSVC MIP6LB_MAX_SERVICES
#define NBE  MIP6LB_MAX_BACKENDS

/* state_nexthop.c */

/* The next hop of one backend's config into *out (offline: the fixed one). */
void st_nh_resolve(struct lb_state *st, const struct cfg_backend *c, struct st_nh *out);
/* When an unresolved next hop is tried again (a resolved one: never). */
void st_nh_schedule(struct st_backend *b, __u64 now);
/* Log what changed from old (NULL: a first resolution). */
void st_nh_log(const struct lb_state *st, const struct st_backend *b, const struct st_nh *old);

/* state_apply.c */

/* Write the backend's map entry if it differs from what the map holds. */
int st_write_backend(struct lb_state *st, __u32 id, struct st_backend *b);
/* Rebuild service sid's ring from the model if its members changed. */
int st_ring_refresh(struct lb_state *st, __u32 sid);

/* state_fingerprint.c */

/* The layout of the ring just built in st->ring from the n members in
 * st->mb, by member name (never 0; 0 on -ENOMEM: unknown). */
__u64 st_ring_layout(const struct lb_state *st, int n);

#endif
