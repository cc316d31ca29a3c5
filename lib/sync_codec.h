/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * sync_codec.h - the bodies of the session-sync messages between mip6lbd
 * instances of one balancer group (docs/protocol.md, "Session sync"):
 * SYNC_SESSIONS, a batch of sessions, and SYNC_REQUEST, the bulk request
 * of an instance that starts.  They travel in the binding-notification
 * protocol's framing (lib/proto.h: header, HMAC, sequence, replay window);
 * proto.c calls in here for these two types' bodies, so proto_accept()
 * refuses a malformed sync body as bad_field like any other.
 *
 * A session on the wire names nothing local: its service by (VIP, proto,
 * port), its backend by name, its identity by keyspace and value, its age
 * by the lifetime it has left.  The receiver maps them to its own ids
 * (loader/sync_apply.c).
 *
 * Entries are variable length (the backend name is length-prefixed), so
 * the number that fits in one datagram depends on the names:
 * sync_entry_wire_len() tells, sync_batch_fits() decides.
 */
#ifndef MIP6LB_SYNC_CODEC_H
#define MIP6LB_SYNC_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>

/* Body sizes (bytes). */
#define SYNC_FIXED_LEN        8        /* SYNC_SESSIONS before its entries */
#define SYNC_ENTRY_FIXED_LEN  52       /* an entry before its backend name */
#define SYNC_NAME_MAX         31       /* backend name bytes (CFG_NAME_LEN - 1) */
#define SYNC_REQUEST_LEN      8
/* The most entries one datagram can hold (one-byte names):
 * (1232 - 64 - 8) / 53 = 21. */
#define SYNC_MAX_ENTRIES      21

/* SYNC_SESSIONS flags. */
#define SYNC_F_BULK           0x01     /* part of the answer to a SYNC_REQUEST */
#define SYNC_F_LAST           0x02     /* the last part of that answer */
#define SYNC_F_ALL            (SYNC_F_BULK | SYNC_F_LAST)

/* The longest lifetime a session can carry: CFG_MAX_LIFETIME. */
#define SYNC_MAX_LIFETIME_S   (86400U * 365)

/* One session, as the group names it. */
struct sync_entry {
	struct in6_addr vip;            /* the service: (vip, proto, port) */
	__u16 port;                     /* 0 = any */
	__u8  proto;                    /* 0 = any */
	__u8  space;                    /* enum mip6lb_space: ADDR, SPI or IID */
	union {
		struct in6_addr addr;   /* SPACE_ADDR */
		__u32 spi;              /* SPACE_SPI */
		__u8  iid[8];           /* SPACE_IID: the address's low 64 bits */
	} id;
	__u8  kind;                     /* enum mip6lb_kind; its space is space */
	__u8  name_len;                 /* 1..SYNC_NAME_MAX */
	char  backend[SYNC_NAME_MAX + 1]; /* NUL-terminated */
	__u32 lifetime_s;               /* idle lifetime; 0 = never ages */
	__u32 remaining_s;              /* left of it (0 when lifetime is 0) */
	__u32 anchor;                   /* the node's anchor hash; 0 = unknown */
};

struct sync_sessions {
	__u16 count;                    /* <= SYNC_MAX_ENTRIES */
	__u8  flags;                    /* SYNC_F_* */
	__u32 request_id;               /* the SYNC_REQUEST answered; 0 unless BULK */
	struct sync_entry entries[SYNC_MAX_ENTRIES];
};

struct sync_request {
	__u32 request_id;               /* non-zero, echoed by the answer */
};

/* Bytes e takes on the wire (e->name_len must be set). */
static inline size_t sync_entry_wire_len(const struct sync_entry *e)
{
	return SYNC_ENTRY_FIXED_LEN + e->name_len;
}

/* Set e->backend and e->name_len from a NUL-terminated name: 0, or
 * -EINVAL for an empty name or one over SYNC_NAME_MAX bytes. */
int sync_entry_set_name(struct sync_entry *e, const char *name);

/* Body length of s, or -1 when a field is out of range. */
int sync_sessions_body_len(const struct sync_sessions *s);

/* Would one more entry of wire length add fit after a body of body_len?
 * Against the protocol's PROTO_MAX_MSG. */
bool sync_batch_fits(size_t body_len, size_t add);

/* Field rules shared by encode and decode: 0 or -1. */
int sync_sessions_check(const struct sync_sessions *s);
int sync_request_check(const struct sync_request *r);

/* Write the body at b (room for body_len bytes, from the _body_len()
 * functions).  No checks: proto_encode() ran them first. */
void sync_sessions_put(__u8 *b, const struct sync_sessions *s);
void sync_request_put(__u8 *b, const struct sync_request *r);

/* Parse a body of body_len bytes: 0, or -1 (the caller's bad_field) for
 * a length that disagrees with the counts and names, a non-zero reserved
 * byte, an unknown flag, kind or space, a name with a NUL or a byte
 * outside [A-Za-z0-9._-], a lifetime out of range. */
int sync_sessions_get(const __u8 *b, size_t body_len, struct sync_sessions *out);
int sync_request_get(const __u8 *b, size_t body_len, struct sync_request *out);

#endif /* MIP6LB_SYNC_CODEC_H */
