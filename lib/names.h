/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* names.h - the names users see for the enums in bpf/mip6lb.h, and the
 * text form of identities.  Config, CLI, JSON and tests all use these. */
#ifndef MIP6LB_NAMES_H
#define MIP6LB_NAMES_H

#include <stddef.h>
#include <linux/types.h>
#include <netinet/in.h>
#include "mip6lb.h"

extern const char *const mip6lb_counter_names[MIP6LB_CNT_MAX];

const char *kind_name(int kind);          /* "hoa" ... or "?" */
int kind_from_name(const char *name);      /* MIP6LB_KIND_* or -EINVAL */
/* enum mip6lb_rehash_reason: "down" | "drained" | "disabled" | "removed" */
const char *rehash_reason_name(int reason);
const char *forward_name(int mode);        /* "l2-dsr" | "ip6ip6" */
int forward_from_name(const char *name);
/* libxdp's enum xdp_attach_mode: "native" | "generic" | "hw" | "auto"
 * (unspecified); an int, so that this header needs no libxdp. */
const char *xdp_attach_mode_name(int mode);
/* A service's notify mode (enum mip6lb_notify), not the notify_* module. */
const char *notify_mode_name(int mode);     /* "off" | "ha" | "mn" */
int notify_mode_from_name(const char *name);
/* An IP protocol number, not the proto_* wire codec. */
const char *ip_proto_name(int proto);       /* "tcp" | "udp" | "any" | number */
int ip_proto_from_name(const char *name);   /* 0 for any, or -EINVAL */

/* "hoa,spi,iid,src" -> order[]; returns the count or -EINVAL. */
int id_order_parse(const char *list, __u8 order[MIP6LB_MAX_ID_ORDER]);
void id_order_format(const __u8 *order, int n, char *buf, size_t len);

/* Identity text: RFC 5952 address for hoa/src/coa, 0x-hex for spi,
 * 16 hex digits for iid. */
void identity_format(const struct mip6lb_session_key *key, char *buf, size_t len);
/* Parse the text form for a kind into a session key's space and id. */
int identity_parse(int kind, const char *text, struct mip6lb_session_key *key);

#endif
