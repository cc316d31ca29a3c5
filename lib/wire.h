/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * wire.h - network byte order in and out of byte buffers: the one copy of
 * put16/32/64 and get16/32/64 that the wire codecs (proto.c, sync_codec.c)
 * and the Mobility Header parser (agent/mh.c) share.  Byte by byte, so the
 * buffer needs no alignment.
 */
#ifndef MIP6LB_WIRE_H
#define MIP6LB_WIRE_H

#include <linux/types.h>

static inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = (__u8)v;
}

static inline void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, (__u16)v);
}

static inline void put64(__u8 *p, __u64 v)
{
	put32(p, v >> 32);
	put32(p + 4, (__u32)v);
}

static inline __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static inline __u32 get32(const __u8 *p)
{
	return (__u32)get16(p) << 16 | get16(p + 2);
}

static inline __u64 get64(const __u8 *p)
{
	return (__u64)get32(p) << 32 | get32(p + 4);
}

#endif
