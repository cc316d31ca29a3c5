/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * fakemaps.h - the datapath's maps in process memory, for fuzzers: no BPF,
 * no root.  fakemaps.c defines libbpf's map calls (bpf_map_lookup_elem,
 * _update_elem, _delete_elem, _get_next_key, _lookup_batch, _update_batch,
 * _delete_batch) over fake fds; a fuzzer linking it gets these in place of
 * libbpf's, so lib/state*.c, lib/dpmaps.c and loader/ctl_commands.c run
 * unchanged against them.  Arrays read as zeros until written, hashes
 * refuse to grow past max_entries (LRU hashes evict the oldest), percpu
 * arrays hold one value per possible CPU: the kernel's semantics as far
 * as our code relies on them.
 */
#ifndef MIP6LB_FAKEMAPS_H
#define MIP6LB_FAKEMAPS_H

#include <stdint.h>
#include "dpmaps.h"

/* Fill m with fake fds for every map of bpf/maps.h (events stays -1: the
 * control path never reads the ring buffer).  Idempotent: a second call
 * empties the maps and hands back the same fds. */
void fake_maps_open(struct dp_maps *m);
/* Empty every map (cheap: only what was written is cleared). */
void fake_maps_reset(void);
/* A digest of every map's contents, to compare before and after. */
uint64_t fake_maps_digest(void);

#endif
