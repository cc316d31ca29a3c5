/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hash.h - the identity hash that places a session on a Maglev ring.  It is
 * plain C with no helpers so that the datapath, the ring builder and the
 * tests compute the same slot for the same identity.  Bob Jenkins' lookup3
 * (jhash2 over 32-bit words), as the kernel's jhash.h.
 */
#ifndef MIP6LB_HASH_H
#define MIP6LB_HASH_H

#define MIP6LB_HASH_SEED 0x6d697036U /* "mip6" */

static inline __u32 mip6lb_rol32(__u32 word, unsigned int shift)
{
	return (word << shift) | (word >> ((-shift) & 31));
}

#define __mip6lb_jhash_mix(a, b, c)				\
	do {							\
		a -= c; a ^= mip6lb_rol32(c, 4);  c += b;	\
		b -= a; b ^= mip6lb_rol32(a, 6);  a += c;	\
		c -= b; c ^= mip6lb_rol32(b, 8);  b += a;	\
		a -= c; a ^= mip6lb_rol32(c, 16); c += b;	\
		b -= a; b ^= mip6lb_rol32(a, 19); a += c;	\
		c -= b; c ^= mip6lb_rol32(b, 4);  b += a;	\
	} while (0)

#define __mip6lb_jhash_final(a, b, c)				\
	do {							\
		c ^= b; c -= mip6lb_rol32(b, 14);		\
		a ^= c; a -= mip6lb_rol32(c, 11);		\
		b ^= a; b -= mip6lb_rol32(a, 25);		\
		c ^= b; c -= mip6lb_rol32(b, 16);		\
		a ^= c; a -= mip6lb_rol32(c, 4);		\
		b ^= a; b -= mip6lb_rol32(a, 14);		\
		c ^= b; c -= mip6lb_rol32(b, 24);		\
	} while (0)

/* Hash of exactly six 32-bit words (the identity of a session key:
 * keyspace, service id and the 16-byte identity). */
static inline __u32 mip6lb_jhash_6words(const __u32 *k, __u32 initval)
{
	__u32 a, b, c;

	a = b = c = 0xdeadbeefU + (6U << 2) + initval;
	a += k[0]; b += k[1]; c += k[2];
	__mip6lb_jhash_mix(a, b, c);
	a += k[3]; b += k[4]; c += k[5];
	__mip6lb_jhash_final(a, b, c);
	return c;
}

/* The hash of a session key, which is what the ring is indexed by.
 * struct mip6lb_session_key is 24 bytes = 6 words. */
static inline __u32 mip6lb_session_hash(const struct mip6lb_session_key *key)
{
	return mip6lb_jhash_6words((const __u32 *)key, MIP6LB_HASH_SEED);
}

static inline __u32 mip6lb_ring_slot(const struct mip6lb_session_key *key)
{
	return mip6lb_session_hash(key) % MIP6LB_RING_SIZE;
}

#endif /* MIP6LB_HASH_H */
