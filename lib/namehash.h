/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * namehash.h - the one hash of names the daemon's group-wide decisions
 * rest on: FNV-1a 64 over the bytes, then the murmur3 64-bit finaliser.
 * Maglev places backends by it (maglev.c), a service's hash_id comes from
 * it (config.c), and the ring fingerprints are built with it
 * (state_fingerprint.c).  Names such as "s1" and "s2" differ in one byte,
 * so their plain FNV values differ by a small multiple of the FNV prime and
 * anything derived from them would be linearly related; the finaliser
 * breaks that.  Changing anything here changes every ring and hash: every
 * instance of a group must run the same one (docs/mip6lbd.md "Running
 * several instances").
 */
#ifndef MIP6LB_NAMEHASH_H
#define MIP6LB_NAMEHASH_H

#include <stddef.h>
#include <linux/types.h>

#define NAMEHASH_FNV_BASIS 0xcbf29ce484222325ULL
#define NAMEHASH_FNV_PRIME 0x100000001b3ULL

static inline __u64 namehash_fmix64(__u64 h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* FNV-1a 64 of len bytes, going on from h (NAMEHASH_FNV_BASIS to start). */
static inline __u64 namehash_fnv(__u64 h, const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--)
		h = (h ^ *b++) * NAMEHASH_FNV_PRIME;
	return h;
}

/* A name's hash: FNV-1a 64 of its characters from basis, finalised. */
static inline __u64 namehash(const char *name, __u64 basis)
{
	__u64 h = basis;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * NAMEHASH_FNV_PRIME;
	return namehash_fmix64(h);
}

#endif
