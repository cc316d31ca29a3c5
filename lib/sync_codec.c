// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sync_codec.c - SYNC_SESSIONS and SYNC_REQUEST bodies.  docs/protocol.md,
 * "Session sync", is the wire format; this file must match it byte for
 * byte (docs/protocol-vectors.json holds vectors made by this encoder).
 */
#include <errno.h>
#include <string.h>
#include "sync_codec.h"
#include "proto.h"
#include "mip6lb.h"
#include "wire.h"

/* Entry offsets (docs/protocol.md, "SYNC_SESSIONS"). */
#define E_VIP        0
#define E_PORT       16
#define E_PROTO      18
#define E_SPACE      19
#define E_ID         20
#define E_KIND       36
#define E_NAME_LEN   37
#define E_RESERVED   38
#define E_LIFETIME   40
#define E_REMAINING  44
#define E_ANCHOR     48
#define E_NAME       52

/* The config's name alphabet (ini_lines_name()): a backend name from the
 * wire is printed and looked up, never trusted to be a C string. */
static bool name_ok(const char *s, size_t n)
{
	static const char ok[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	size_t i;

	if (n == 0 || n > SYNC_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!s[i] || !strchr(ok, s[i]))
			return false;
	return true;
}

int sync_entry_set_name(struct sync_entry *e, const char *name)
{
	size_t n = strlen(name);

	if (!name_ok(name, n))
		return -EINVAL;
	memcpy(e->backend, name, n);
	e->backend[n] = 0;
	e->name_len = (__u8)n;
	return 0;
}

bool sync_batch_fits(size_t body_len, size_t add)
{
	return PROTO_MIN_MSG + body_len + add <= PROTO_MAX_MSG;
}

/* An identity's bytes past its keyspace's width are zero on the wire, so
 * one session has exactly one encoding (and one MAC). */
static int entry_check(const struct sync_entry *e)
{
	static const __u8 zero[16];

	if (e->space == MIP6LB_SPACE_NONE || e->kind == MIP6LB_KIND_NONE ||
	    e->kind >= MIP6LB_KIND_MAX || mip6lb_kind_space(e->kind) != e->space)
		return -1;
	if (e->space == MIP6LB_SPACE_SPI && memcmp((const __u8 *)&e->id + 4, zero, 12))
		return -1;
	if (e->space == MIP6LB_SPACE_IID && memcmp((const __u8 *)&e->id + 8, zero, 8))
		return -1;
	if (!name_ok(e->backend, e->name_len))
		return -1;
	if (e->lifetime_s > SYNC_MAX_LIFETIME_S || e->remaining_s > e->lifetime_s)
		return -1;
	return 0;
}

int sync_sessions_check(const struct sync_sessions *s)
{
	int i;

	if (s->count > SYNC_MAX_ENTRIES || (s->flags & ~SYNC_F_ALL))
		return -1;
	/* LAST only ends a bulk answer; a live batch names no request. */
	if ((s->flags & SYNC_F_LAST) && !(s->flags & SYNC_F_BULK))
		return -1;
	if (!!(s->flags & SYNC_F_BULK) != !!s->request_id)
		return -1;
	for (i = 0; i < s->count; i++)
		if (entry_check(&s->entries[i]))
			return -1;
	return sync_sessions_body_len(s) < 0 ? -1 : 0;
}

int sync_request_check(const struct sync_request *r)
{
	return r->request_id ? 0 : -1;
}

int sync_sessions_body_len(const struct sync_sessions *s)
{
	size_t len = SYNC_FIXED_LEN;
	int i;

	if (s->count > SYNC_MAX_ENTRIES)
		return -1;
	for (i = 0; i < s->count; i++)
		len += sync_entry_wire_len(&s->entries[i]);
	return len > PROTO_MAX_BODY ? -1 : (int)len;
}

static void put_entry(__u8 *p, const struct sync_entry *e)
{
	memcpy(p + E_VIP, &e->vip, 16);
	put16(p + E_PORT, e->port);
	p[E_PROTO] = e->proto;
	p[E_SPACE] = e->space;
	memset(p + E_ID, 0, 16);
	switch (e->space) {
	case MIP6LB_SPACE_ADDR:
		memcpy(p + E_ID, &e->id.addr, 16);
		break;
	case MIP6LB_SPACE_SPI:
		put32(p + E_ID, e->id.spi);
		break;
	case MIP6LB_SPACE_IID:
		memcpy(p + E_ID, e->id.iid, 8);
		break;
	}
	p[E_KIND] = e->kind;
	p[E_NAME_LEN] = e->name_len;
	put16(p + E_RESERVED, 0);
	put32(p + E_LIFETIME, e->lifetime_s);
	put32(p + E_REMAINING, e->remaining_s);
	put32(p + E_ANCHOR, e->anchor);
	memcpy(p + E_NAME, e->backend, e->name_len);
}

void sync_sessions_put(__u8 *b, const struct sync_sessions *s)
{
	size_t off = SYNC_FIXED_LEN;
	int i;

	put16(b, s->count);
	b[2] = s->flags;
	b[3] = 0;
	put32(b + 4, s->request_id);
	for (i = 0; i < s->count; i++) {
		put_entry(b + off, &s->entries[i]);
		off += sync_entry_wire_len(&s->entries[i]);
	}
}

void sync_request_put(__u8 *b, const struct sync_request *r)
{
	put32(b, r->request_id);
	memset(b + 4, 0, 4);
}

static int get_entry(const __u8 *p, size_t room, struct sync_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (room < SYNC_ENTRY_FIXED_LEN)
		return -1;
	e->name_len = p[E_NAME_LEN];
	if (e->name_len == 0 || e->name_len > SYNC_NAME_MAX ||
	    room < SYNC_ENTRY_FIXED_LEN + (size_t)e->name_len)
		return -1;
	if (get16(p + E_RESERVED))
		return -1;
	memcpy(&e->vip, p + E_VIP, 16);
	e->port = get16(p + E_PORT);
	e->proto = p[E_PROTO];
	e->space = p[E_SPACE];
	switch (e->space) {
	case MIP6LB_SPACE_ADDR:
		memcpy(&e->id.addr, p + E_ID, 16);
		break;
	case MIP6LB_SPACE_SPI: {
		static const __u8 zero[12];

		if (memcmp(p + E_ID + 4, zero, 12))
			return -1;
		e->id.spi = get32(p + E_ID);
		break;
	}
	case MIP6LB_SPACE_IID: {
		static const __u8 zero[8];

		if (memcmp(p + E_ID + 8, zero, 8))
			return -1;
		memcpy(e->id.iid, p + E_ID, 8);
		break;
	}
	default:
		return -1;
	}
	e->kind = p[E_KIND];
	e->lifetime_s = get32(p + E_LIFETIME);
	e->remaining_s = get32(p + E_REMAINING);
	e->anchor = get32(p + E_ANCHOR);
	memcpy(e->backend, p + E_NAME, e->name_len);
	e->backend[e->name_len] = 0;
	return entry_check(e);
}

int sync_sessions_get(const __u8 *b, size_t body_len, struct sync_sessions *out)
{
	size_t off = SYNC_FIXED_LEN;
	int i;

	if (body_len < SYNC_FIXED_LEN || b[3])
		return -1;
	out->count = get16(b);
	out->flags = b[2];
	out->request_id = get32(b + 4);
	if (out->count > SYNC_MAX_ENTRIES)
		return -1;
	for (i = 0; i < out->count; i++) {
		if (get_entry(b + off, body_len - off, &out->entries[i]))
			return -1;
		off += sync_entry_wire_len(&out->entries[i]);
	}
	/* The entries must describe the body exactly. */
	if (off != body_len)
		return -1;
	return sync_sessions_check(out);
}

int sync_request_get(const __u8 *b, size_t body_len, struct sync_request *out)
{
	static const __u8 zero[4];

	if (body_len != SYNC_REQUEST_LEN || memcmp(b + 4, zero, 4))
		return -1;
	out->request_id = get32(b);
	return sync_request_check(out);
}
