/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hash.h - the identity hash that places a session on a Maglev ring.  It is
 * plain C with no helpers so that the datapath, the ring builder and the
 * tests compute the same slot for the same identity.  Bob Jenkins' lookup3
 * (jhash2 over 32-bit words), as the kernel's jhash.h.  Part of what two
 * instances must share (docs/mip6lbd.md "Running several instances"): a
 * change here changes the backend of every identity not yet in a session.
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

/*
 * The identity hash of a session key, which is what the ring is indexed by
 * and what a node's anchor (mip6lb_session.flow_hash) is: lookup3 over the
 * key's six 32-bit words with the first, the instance's local service id,
 * replaced by the service's hash_id (mip6lb_service.hash_id, derived from
 * its name).  Ids depend on an instance's history (a service deleted and
 * re-added, a reload order); hash_id does not, so two instances with the
 * same config pick the same slot for every identity.  The map key keeps
 * the local id: it only has to be unique on this instance.
 */
static inline __u32 mip6lb_session_hash(const struct mip6lb_session_key *key, __u32 hash_id)
{
	const __u32 *k = (const __u32 *)key;
	__u32 a, b, c;

	a = b = c = 0xdeadbeefU + (6U << 2) + MIP6LB_HASH_SEED;
	a += hash_id; b += k[1]; c += k[2];
	__mip6lb_jhash_mix(a, b, c);
	a += k[3]; b += k[4]; c += k[5];
	__mip6lb_jhash_final(a, b, c);
	return c;
}

static inline __u32 mip6lb_ring_slot(const struct mip6lb_session_key *key, __u32 hash_id)
{
	return mip6lb_session_hash(key, hash_id) % MIP6LB_RING_SIZE;
}

#endif /* MIP6LB_HASH_H */
