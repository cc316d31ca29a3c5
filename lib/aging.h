/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * aging.h - the session sweep: delete sessions idle for longer than their
 * lifetime.  Batch lookups walk the table and batch deletes remove what
 * expired, so a million entries cost a few hundred syscalls, not a million.
 *
 * Fragments are not swept: struct mip6lb_frag carries no timestamp, and
 * the frags map is an LRU whose coldest entries make room for new ones.
 */
#ifndef MIP6LB_AGING_H
#define MIP6LB_AGING_H

#include <stdbool.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"

struct aging_result {
	long scanned;
	long deleted;
};

typedef bool (*aging_pred)(const struct mip6lb_session_key *key,
			   const struct mip6lb_session *val, void *arg);

/* True when the session has been idle longer than its lifetime at now_ns
 * (CLOCK_MONOTONIC, dp_now_ns()); lifetime 0 never expires. */
bool aging_expired(const struct mip6lb_session *val, __u64 now_ns);

/* Walk the sessions map at fd and delete every entry pred accepts.
 * Entries that vanish meanwhile (LRU eviction, the datapath) are skipped.
 * Returns 0 or a negative errno; res (may be NULL) counts. */
int aging_delete_if(int fd, aging_pred pred, void *arg, struct aging_result *res);

/* One sweep of the sessions map at fd with the clock at now_ns. */
int aging_sweep(int fd, __u64 now_ns, struct aging_result *res);

struct dp_maps;

/* The same over every session table (sessions, coa_sessions, probation):
 * coa sessions count their lifetimes down like the rest, and an identity
 * left on probation longer than its lifetime since its first packet goes.
 * A table that fails does not stop the others; the first error is
 * returned and res sums them all. */
int aging_delete_if_all(const struct dp_maps *m, aging_pred pred, void *arg,
			struct aging_result *res);
int aging_sweep_all(const struct dp_maps *m, __u64 now_ns, struct aging_result *res);

#endif
