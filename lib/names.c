// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xdp/libxdp.h>
#include "names.h"

const char *const mip6lb_counter_names[MIP6LB_CNT_MAX] = {
	[MIP6LB_CNT_RX]                 = "rx",
	[MIP6LB_CNT_KIND_HOA]           = "kind_hoa",
	[MIP6LB_CNT_KIND_SPI]           = "kind_spi",
	[MIP6LB_CNT_KIND_IID]           = "kind_iid",
	[MIP6LB_CNT_KIND_SRC]           = "kind_src",
	[MIP6LB_CNT_KIND_COA]           = "kind_coa",
	[MIP6LB_CNT_SESSION_NEW]        = "session_new",
	[MIP6LB_CNT_SESSION_HIT]        = "session_hit",
	[MIP6LB_CNT_SESSION_REHASH]     = "session_rehash",
	[MIP6LB_CNT_SESSION_PROMOTED]   = "session_promoted",
	[MIP6LB_CNT_FRAG_TRACKED]       = "frag_tracked",
	[MIP6LB_CNT_TX]                 = "tx",
	[MIP6LB_CNT_REDIRECT]           = "redirect",
	[MIP6LB_CNT_PASS_NOT_IPV6]      = "pass_not_ipv6",
	[MIP6LB_CNT_PASS_NOT_SERVICE]   = "pass_not_service",
	[MIP6LB_CNT_DROP_MALFORMED]     = "drop_malformed",
	[MIP6LB_CNT_CHAIN_TOO_LONG]     = "chain_too_long",
	[MIP6LB_CNT_DROP_CHAIN_POLICY]  = "drop_chain_policy",
	[MIP6LB_CNT_HAO_MALFORMED]      = "hao_malformed",
	[MIP6LB_CNT_OPT_MALFORMED]      = "opt_malformed",
	[MIP6LB_CNT_FRAG_UNTRACKED]     = "frag_untracked",
	[MIP6LB_CNT_DROP_NO_BACKEND]    = "drop_no_backend",
	[MIP6LB_CNT_DROP_NO_NEXTHOP]    = "drop_no_nexthop",
	[MIP6LB_CNT_DROP_ENCAP]         = "drop_encap",
	[MIP6LB_CNT_EVENT_SENT]         = "event_sent",
	[MIP6LB_CNT_EVENT_DROPPED]      = "event_dropped",
	[MIP6LB_CNT_SESSION_UNRECORDED] = "session_unrecorded",
	[MIP6LB_CNT_SESSION_TABLE_FULL] = "session_table_full",
	[MIP6LB_CNT_PROBATION_NEW]      = "probation_new",
	[MIP6LB_CNT_PROBATION_HIT]      = "probation_hit",
	[MIP6LB_CNT_PROBATION_PASSED]   = "probation_passed",
	[MIP6LB_CNT_PTB_SENT]           = "ptb_sent",
	[MIP6LB_CNT_DROP_PTB_RATE]      = "drop_ptb_rate",
	[MIP6LB_CNT_DROP_TOO_BIG]       = "drop_too_big",
	[MIP6LB_CNT_REHASH_DOWN]        = "session_rehash_down",
	[MIP6LB_CNT_REHASH_DRAINED]     = "session_rehash_drained",
	[MIP6LB_CNT_REHASH_DISABLED]    = "session_rehash_disabled",
	[MIP6LB_CNT_REHASH_REMOVED]     = "session_rehash_removed",
	[MIP6LB_CNT_ICMP_ERROR_SESSION] = "icmp_error_session",
	[MIP6LB_CNT_ICMP_ERROR_RING]    = "icmp_error_ring",
	[MIP6LB_CNT_DROP_ICMP_MALFORMED] = "drop_icmp_malformed",
};

static const char *const kind_names[MIP6LB_KIND_MAX] = {
	[MIP6LB_KIND_NONE] = "none",
	[MIP6LB_KIND_HOA]  = "hoa",
	[MIP6LB_KIND_SPI]  = "spi",
	[MIP6LB_KIND_IID]  = "iid",
	[MIP6LB_KIND_SRC]  = "src",
	[MIP6LB_KIND_COA]  = "coa",
};

static int lookup(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcasecmp(names[i], name))
			return i;
	return -EINVAL;
}

const char *kind_name(int kind)
{
	return kind >= 0 && kind < MIP6LB_KIND_MAX ? kind_names[kind] : "?";
}

static const char *const rehash_reason_names[MIP6LB_REHASH_MAX] = {
	[MIP6LB_REHASH_DOWN]     = "down",
	[MIP6LB_REHASH_DRAINED]  = "drained",
	[MIP6LB_REHASH_DISABLED] = "disabled",
	[MIP6LB_REHASH_REMOVED]  = "removed",
};

const char *rehash_reason_name(int reason)
{
	return reason >= 0 && reason < MIP6LB_REHASH_MAX ? rehash_reason_names[reason] : "?";
}

int kind_from_name(const char *name)
{
	int k = lookup(kind_names, MIP6LB_KIND_MAX, name);

	return k == MIP6LB_KIND_NONE ? -EINVAL : k;
}

static const char *const forward_names[] = { "l2-dsr", "ip6ip6" };

const char *forward_name(int mode)
{
	return mode >= 0 && mode < 2 ? forward_names[mode] : "?";
}

int forward_from_name(const char *name)
{
	return lookup(forward_names, 2, name);
}

static const char *const notify_names[] = { "off", "ha", "mn" };

const char *notify_mode_name(int mode)
{
	return mode >= 0 && mode < 3 ? notify_names[mode] : "?";
}

int notify_mode_from_name(const char *name)
{
	return lookup(notify_names, 3, name);
}

const char *ip_proto_name(int proto)
{
	static char buf[8];

	switch (proto) {
	case 0: return "any";
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	}
	snprintf(buf, sizeof(buf), "%d", proto);
	return buf;
}

int ip_proto_from_name(const char *name)
{
	if (!strcasecmp(name, "any"))
		return 0;
	if (!strcasecmp(name, "tcp"))
		return IPPROTO_TCP;
	if (!strcasecmp(name, "udp"))
		return IPPROTO_UDP;
	return -EINVAL;
}

int id_order_parse(const char *list, __u8 order[MIP6LB_MAX_ID_ORDER])
{
	char buf[128], *tok, *save = NULL;
	int n = 0, i, k;

	if (strlen(list) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, list);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		k = kind_from_name(tok);
		/* coa sessions come from notifications, not from packets. */
		if (k < 0 || k == MIP6LB_KIND_COA || n == MIP6LB_MAX_ID_ORDER)
			return -EINVAL;
		for (i = 0; i < n; i++)
			if (order[i] == k)
				return -EINVAL;
		order[n++] = k;
	}
	return n ? n : -EINVAL;
}

void id_order_format(const __u8 *order, int n, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? "," : "", kind_name(order[i]));
}

void identity_format(const struct mip6lb_session_key *key, char *buf, size_t len)
{
	switch (key->space) {
	case MIP6LB_SPACE_ADDR:
		inet_ntop(AF_INET6, &key->id.addr, buf, len);
		break;
	case MIP6LB_SPACE_SPI:
		snprintf(buf, len, "0x%08" PRIx32, key->id.spi);
		break;
	case MIP6LB_SPACE_IID:
		snprintf(buf, len, "%016" PRIx64, (uint64_t)be64toh(key->id.iid));
		break;
	default:
		snprintf(buf, len, "?");
	}
}

int identity_parse(int kind, const char *text, struct mip6lb_session_key *key)
{
	char *end;
	unsigned long long v;

	memset(&key->id, 0, sizeof(key->id));
	key->space = mip6lb_kind_space(kind);
	switch (key->space) {
	case MIP6LB_SPACE_ADDR:
		return inet_pton(AF_INET6, text, &key->id.addr) == 1 ? 0 : -EINVAL;
	case MIP6LB_SPACE_SPI:
		errno = 0;
		v = strtoull(text, &end, 0);
		if (errno || *end || end == text || v > 0xffffffffULL)
			return -EINVAL;
		key->id.spi = (__u32)v;
		return 0;
	case MIP6LB_SPACE_IID:
		errno = 0;
		v = strtoull(text, &end, 16);
		if (errno || *end || end == text)
			return -EINVAL;
		key->id.iid = htobe64(v);
		return 0;
	}
	return -EINVAL;
}

const char *xdp_attach_mode_name(int mode)
{
	switch ((enum xdp_attach_mode)mode) {
	case XDP_MODE_NATIVE: return "native";
	case XDP_MODE_SKB: return "generic";
	case XDP_MODE_HW: return "hw";
	case XDP_MODE_UNSPEC: return "auto";
	}
	return "?";
}
