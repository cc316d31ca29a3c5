/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * bench_bpf.h - what the benchmark's BPF programs (selftests/bpf/bench_*.bpf.c)
 * and mip6lb-bench share: the wrapper's and the generator's configuration.
 * Plain __u8/__u32 fields only, so it compiles after vmlinux.h in BPF and
 * after <linux/types.h> in userspace.
 */
#ifndef MIP6LB_BENCH_BPF_H
#define MIP6LB_BENCH_BPF_H

/* Leading frame bytes the wrapper and the generator can rewrite from a
 * template on every iteration.  The datapath only writes the Ethernet header
 * (l2-dsr) or prepends 40 bytes and writes the new Ethernet and outer IPv6
 * headers (ip6ip6), which overwrites the first 14 bytes of the original frame;
 * the bench restores 64 and checks that K wrapped iterations produce the same
 * output as one direct run. */
#define BENCH_TMPL_MAX 128

/* Wrapper flags. */
#define BENCH_ID_VARY  (1U << 0)  /* write the identity field each iteration */
#define BENCH_ID_MOD   (1U << 1)  /* ... as base + counter % id_mod, else base + counter */
/* The program under test prepends head_grow bytes and trims the tail (a
 * Packet Too Big built in place of the packet): undo the head, then grow
 * the tail back to orig_len.  Both adjustments are made on every
 * iteration, by 0 when nothing changed, so the floor pays for them too. */
#define BENCH_RESTORE_TAIL (1U << 2)

struct bench_wrap_cfg {
	__u32 orig_len;         /* input frame length: the wrapper shrinks back to it */
	__u32 restore_len;      /* leading bytes rewritten from tmpl, <= BENCH_TMPL_MAX */
	__u32 id_off;           /* frame offset of a 32-bit big-endian identity word */
	__u32 id_mod;           /* with BENCH_ID_MOD: number of distinct identities */
	__u32 id_base;          /* host order, added to the counter */
	__u32 flags;            /* BENCH_ID_* */
	__u32 slot;             /* index in the wrapper's prog array to tail-call */
	__u32 head_grow;        /* with BENCH_RESTORE_TAIL */
	__u8  tmpl[BENCH_TMPL_MAX];
};

/* The wrapper's prog array: the datapath under test and the floor. */
#define BENCH_SLOT_FLOOR 0
#define BENCH_SLOT_DP    1
#define BENCH_SLOTS      2

struct bench_gen_cfg {
	__u32 restore_len;      /* leading bytes rewritten from tmpl, <= BENCH_TMPL_MAX */
	__u32 pad;
	__u8  tmpl[BENCH_TMPL_MAX];
};

#endif
