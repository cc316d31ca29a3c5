// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * config.c - the INI config: libinih splits lines into sections and
 * key = value pairs, ini_lines.c counts lines and holds what this file
 * shares with the agent's (the reader, errors, header and key checks, key
 * files), peer_config.c parses the [peer] sections both files have; the
 * other sections, their per-key checks and cross-section validation are
 * here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "config.h"
#include "ini_lines.h"
#include "names.h"
#include "namehash.h"
#include "peer_config.h"

/* A config with 4096 backends is well under 1 MiB; anything near this is
 * not a config file. */
#define CFG_MAX_FILE_BYTES (16 << 20)

#define DEFAULT_ID_ORDER "hoa,spi,iid,src"

enum sec_kind { SEC_NONE, SEC_DAEMON, SEC_SERVICE, SEC_BACKEND, SEC_PEER };

static const char *const sec_names[] = {
	[SEC_NONE] = "", [SEC_DAEMON] = "daemon", [SEC_SERVICE] = "service",
	[SEC_BACKEND] = "backend", [SEC_PEER] = "peer",
};

/* Words in each kind of header: [daemon], [service NAME], [backend SERVICE
 * NAME], [peer NAME]. */
static const int sec_words[] = {
	[SEC_DAEMON] = 1, [SEC_SERVICE] = 2, [SEC_BACKEND] = 3, [SEC_PEER] = 2,
};

enum key_id {
	K_D_INTERFACE, K_D_XDP_MODE, K_D_NOTIFY_LISTEN, K_D_SWEEP, K_D_MAX_SESSIONS,
	K_D_EVENTS, K_D_NOTIFY_RCVBUF, K_D_METRICS,
	K_D_NEW_PER_SEC, K_D_PROBATION_MS, K_D_PROBATION_SESSIONS, K_D_MAX_BINDINGS,
	K_D_SYNC_LISTEN, K_D_SYNC_REFRESH, K_D_SYNC_BULK_TIMEOUT,
	K_D_PTB_RATE,
	K_S_VIP, K_S_PROTO, K_S_PORT, K_S_IDENTITY, K_S_EUI64, K_S_FORWARD, K_S_LB_ADDR,
	K_S_LIFETIME, K_S_CHAIN, K_S_NOTIFY, K_S_MTU,
	K_S_HEALTH, K_S_HPORT, K_S_HPATH, K_S_HINTERVAL, K_S_HTIMEOUT, K_S_HRISE, K_S_HFALL,
	K_B_ADDR, K_B_WEIGHT, K_B_MAC, K_B_DEV, K_B_STATE, K_B_DRAIN_DEADLINE,
	K_B_HEALTH, K_B_HPORT, K_B_HPATH, K_B_HINTERVAL, K_B_HTIMEOUT, K_B_HRISE, K_B_HFALL,
	K_D_ANNOUNCE, K_D_ANNOUNCE_TABLE, K_D_ANNOUNCE_DEV, K_D_ANNOUNCE_WAIT,
	K_D_NOTIFY_GROUP,
	K_MAX,
};

struct pstate {
	struct ini_lines in;         /* file, line, the error */
	struct mip6lb_config *cfg;
	enum sec_kind sec;
	int idx;                     /* current object in its array */
	int daemon_line;             /* of [daemon], 0 = not seen */
	int events_line;             /* of events_per_sec, 0 = not given */
	int key_line[K_MAX];         /* where each key was given, this section */
	int cap_services, cap_backends;
	struct peer_section peer;    /* [peer NAME]: lib/peer_config.c */
};

typedef int (*setter_fn)(struct pstate *st, const char *key, const char *val);

struct key_def {
	enum sec_kind sec;
	const char *name;
	bool repeatable;
	setter_fn set;
};

/* Errors go through ini_lines: "FILE:LINE: message", the earliest line kept. */
#define fail(st, ...) ini_lines_fail(&(st)->in, __VA_ARGS__)
#define bad(st, ...)  ini_lines_bad(&(st)->in, __VA_ARGS__)
#define num(st, ...)  ini_lines_num(&(st)->in, __VA_ARGS__)

/* ---- value helpers ----------------------------------------------------- */

static int yesno(struct pstate *st, const char *key, const char *val, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(val, yes[i]) || !strcasecmp(val, no[i])) {
			*out = !strcasecmp(val, yes[i]);
			return 0;
		}
	}
	return bad(st, key, val, "expected yes or no");
}

/* Addresses a service or backend is reached at: :: and multicast would
 * silently match nothing (or everything), and loopback, IPv4-mapped and
 * scope-less link-local ones can never be on the wire the datapath sees
 * (ini_lines_addr_why() says why).  flags: INI_ADDR_* the key allows. */
static int unicast6_check(struct pstate *st, const char *key, const char *val,
			  unsigned int flags, const struct in6_addr *a)
{
	const char *why;

	if (IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_MULTICAST(a))
		return bad(st, key, val, "not a unicast IPv6 address: %s",
			   ini_lines_addr_why(a, 0));
	why = ini_lines_addr_why(a, flags);
	if (why)
		return bad(st, key, val, "%s", why);
	return 0;
}

static int unicast6(struct pstate *st, const char *key, const char *val, unsigned int flags,
		    struct in6_addr *out)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, val, &a) != 1)
		return bad(st, key, val, "not an IPv6 address");
	if (unicast6_check(st, key, val, flags, &a))
		return st->in.rc;
	*out = a;
	return 0;
}

/* The kernel's dev_valid_name(). */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	return n && n < IF_NAMESIZE && strcmp(s, ".") && strcmp(s, "..") &&
	       !strpbrk(s, "/: \t");
}

/* ---- [daemon] ---------------------------------------------------------- */

static int set_interface(struct pstate *st, const char *key, const char *val)
{
	struct cfg_daemon *d = &st->cfg->daemon;
	char buf[256], *tok, *save = NULL;
	int i, n = 0;

	if (strlen(val) >= sizeof(buf))
		return bad(st, key, val, "too long");
	strcpy(buf, val);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save), n++) {
		if (!valid_ifname(tok))
			return bad(st, key, val, "'%s' is not an interface name", tok);
		for (i = 0; i < d->n_ifaces; i++)
			if (!strcmp(d->ifaces[i], tok))
				return bad(st, key, val, "'%s' is listed twice", tok);
		if (d->n_ifaces == CFG_MAX_IFACES)
			return bad(st, key, val, "more than %d interfaces", CFG_MAX_IFACES);
		strcpy(d->ifaces[d->n_ifaces++], tok);
	}
	if (!n)
		return bad(st, key, val, "expected interface names");
	return 0;
}

static int set_xdp_mode(struct pstate *st, const char *key, const char *val)
{
	static const char *const modes[] = {
		[CFG_XDP_AUTO] = "auto", [CFG_XDP_NATIVE] = "native", [CFG_XDP_GENERIC] = "generic",
	};
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(val, modes[i])) {
			st->cfg->daemon.xdp_mode = i;
			return 0;
		}
	}
	return bad(st, key, val, "expected native, generic or auto");
}

static int set_notify_listen(struct pstate *st, const char *key, const char *val)
{
	struct cfg_daemon *d = &st->cfg->daemon;

	if (parse_hostport6(val, &d->notify_addr, &d->notify_port, CFG_NOTIFY_PORT))
		return bad(st, key, val, "expected [ADDRESS]:PORT");
	return 0;
}

static int set_sync_listen(struct pstate *st, const char *key, const char *val)
{
	struct cfg_daemon *d = &st->cfg->daemon;

	if (parse_hostport6(val, &d->sync_addr, &d->sync_port, CFG_SYNC_PORT))
		return bad(st, key, val, "expected [ADDRESS]:PORT");
	return 0;
}

static int set_sync_refresh(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 3600, &st->cfg->daemon.sync_refresh_s);
}

static int set_sync_bulk_timeout(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 3600, &st->cfg->daemon.sync_bulk_timeout_s);
}

static int set_notify_rcvbuf(struct pstate *st, const char *key, const char *val)
{
	/* 4K: the kernel's floor; 1G: it caps at INT_MAX / 2. */
	if (parse_size(val, 4096, 1U << 30, &st->cfg->daemon.notify_rcvbuf))
		return bad(st, key, val, "expected a size from 4K to 1G, like 4M");
	return 0;
}

/* The balancer group this instance subscribes as (docs/protocol.md,
 * "Balancer groups"): a name as the agents' [group NAME] spell it. */
static int set_notify_group(struct pstate *st, const char *key, const char *val)
{
	if (ini_lines_name(&st->in, val, CFG_NAME_LEN))
		return st->in.rc;
	snprintf(st->cfg->daemon.notify_group, sizeof(st->cfg->daemon.notify_group), "%s", val);
	return 0;
}

static int set_sweep(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 3600, &st->cfg->daemon.sweep_interval_s);
}

static int set_max_sessions(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 1U << 28, &st->cfg->daemon.max_sessions);
}

/* Admission of new identities (bpf/session.h, docs/PERFORMANCE.md). */
static int set_new_per_sec(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 0, 100000000, &st->cfg->daemon.new_per_sec);
}

static int set_probation_ms(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 0, 3600000, &st->cfg->daemon.probation_ms);
}

static int set_probation_sessions(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 1U << 26, &st->cfg->daemon.probation_sessions);
}

static int set_max_bindings(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 1U << 24, &st->cfg->daemon.max_bindings);
}

static int set_ptb_rate(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 0, 1000000, &st->cfg->daemon.ptb_per_sec);
}

static int set_events(struct pstate *st, const char *key, const char *val)
{
	st->events_line = st->in.lineno;
	return num(st, key, val, 0, 1000000, &st->cfg->daemon.events_per_sec);
}

static int set_metrics(struct pstate *st, const char *key, const char *val)
{
	struct cfg_daemon *d = &st->cfg->daemon;

	if (parse_hostport6(val, &d->metrics_addr, &d->metrics_port, CFG_METRICS_PORT) ||
	    !d->metrics_port)
		return bad(st, key, val, "expected [ADDRESS]:PORT, like [::1]:%u", CFG_METRICS_PORT);
	d->has_metrics = true;
	return 0;
}

/* VIP announcement (docs/scale-out.md). */
static int set_announce(struct pstate *st, const char *key, const char *val)
{
	return yesno(st, key, val, &st->cfg->daemon.announce);
}

static int set_announce_table(struct pstate *st, const char *key, const char *val)
{
	__u32 v;

	if (num(st, key, val, 1, 0xffffffffU, &v))
		return st->in.rc;
	/* 253..255 are default, main and local: the host's own routing, which
	 * a /128 through the VIP device would hijack (local) or make the
	 * balancer route its own probes to the VIP into the device (main). */
	if (v >= 253 && v <= 255)
		return bad(st, key, val, "table %u is the host's own (default, main or local): "
			   "use a table of its own, like %u", v, CFG_ANNOUNCE_TABLE);
	st->cfg->daemon.announce_table = v;
	return 0;
}

static int set_announce_dev(struct pstate *st, const char *key, const char *val)
{
	if (!valid_ifname(val))
		return bad(st, key, val, "not an interface name");
	strcpy(st->cfg->daemon.announce_dev, val);
	return 0;
}

static int set_announce_wait(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 0, 3600, &st->cfg->daemon.announce_wait_s);
}

/* ---- [service NAME] ---------------------------------------------------- */

#define CUR_SVC(st) (&(st)->cfg->services[(st)->idx])
#define CUR_BE(st)  (&(st)->cfg->backends[(st)->idx])
#define CUR_PEER(st) (&(st)->cfg->peers[(st)->idx])

static int set_vip(struct pstate *st, const char *key, const char *val)
{
	return unicast6(st, key, val, 0, &CUR_SVC(st)->vip);
}

static int set_proto(struct pstate *st, const char *key, const char *val)
{
	int p = ip_proto_from_name(val);

	if (p < 0)
		return bad(st, key, val, "expected tcp, udp or any");
	CUR_SVC(st)->proto = (__u8)p;
	return 0;
}

static int set_port(struct pstate *st, const char *key, const char *val)
{
	__u32 v;

	if (num(st, key, val, 1, 65535, &v))
		return st->in.rc;
	CUR_SVC(st)->port = (__u16)v;
	return 0;
}

static int set_identity(struct pstate *st, const char *key, const char *val)
{
	struct cfg_service *s = CUR_SVC(st);
	char buf[128], *tok, *save = NULL;
	int seen[MIP6LB_KIND_MAX] = { 0 }, k, n;

	/* id_order_parse() decides; this pass only says what is wrong. */
	if (strlen(val) >= sizeof(buf))
		return bad(st, key, val, "too long");
	strcpy(buf, val);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		k = kind_from_name(tok);
		if (k == MIP6LB_KIND_COA)
			return bad(st, key, val, "coa comes from binding notifications, not packets");
		if (k < 0)
			return bad(st, key, val, "unknown kind '%s' (hoa, spi, iid, src)", tok);
		if (seen[k]++)
			return bad(st, key, val, "'%s' is listed twice", tok);
	}
	memset(s->id_order, 0, sizeof(s->id_order));
	n = id_order_parse(val, s->id_order);
	if (n < 0)
		return bad(st, key, val, "expected a list of hoa, spi, iid, src");
	s->n_ids = (__u8)n;
	return 0;
}

static int set_eui64(struct pstate *st, const char *key, const char *val)
{
	return yesno(st, key, val, &CUR_SVC(st)->eui64_only);
}

static int set_forward(struct pstate *st, const char *key, const char *val)
{
	int f = forward_from_name(val);

	if (f < 0)
		return bad(st, key, val, "expected l2-dsr or ip6ip6");
	CUR_SVC(st)->forward = (__u8)f;
	return 0;
}

/* An address, or a prefix whose host bits the datapath fills with each
 * node's hash (tunnel entropy, bpf/forward.h): at least /64, so that a
 * source stays inside one routed subnet, and with its host bits clear, so
 * no two configurations name the same sources differently. */
static int set_lb_addr(struct pstate *st, const char *key, const char *val)
{
	struct cfg_service *s = CUR_SVC(st);
	struct in6_addr a;
	int plen = 128;

	if (!strchr(val, '/')) {
		if (unicast6(st, key, val, 0, &a))
			return st->in.rc;
	} else {
		if (parse_prefix6(val, &a, &plen))
			return bad(st, key, val, "expected an IPv6 address or PREFIX/LENGTH");
		if (plen < CFG_LB_PLEN_MIN)
			return bad(st, key, val, "a prefix for tunnel entropy must be /%d to /128",
				   CFG_LB_PLEN_MIN);
		if (prefix6_host_bits_set(&a, plen))
			return bad(st, key, val, "bits set past the prefix length");
		if (unicast6_check(st, key, val, 0, &a))
			return st->in.rc;
	}
	s->lb_addr = a;
	s->lb_plen = (__u8)plen;
	s->has_lb_addr = true;
	return 0;
}

static int set_mtu(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, MIP6LB_PTB_MIN_MTU, 65535, &CUR_SVC(st)->mtu);
}

static int set_lifetime(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 1, CFG_MAX_LIFETIME, &CUR_SVC(st)->lifetime_s);
}

static int set_chain(struct pstate *st, const char *key, const char *val)
{
	if (!strcmp(val, "src"))
		CUR_SVC(st)->chain_policy = MIP6LB_CHAIN_BALANCE_SRC;
	else if (!strcmp(val, "drop"))
		CUR_SVC(st)->chain_policy = MIP6LB_CHAIN_DROP;
	else
		return bad(st, key, val, "expected src or drop");
	return 0;
}

static int set_notify(struct pstate *st, const char *key, const char *val)
{
	int n = notify_mode_from_name(val);

	if (n < 0)
		return bad(st, key, val, "expected off, ha or mn");
	CUR_SVC(st)->notify = (__u8)n;
	return 0;
}

/* ---- health checks: [service NAME] and [backend SERVICE NAME] -------- */

/* The section's health check: a service's, or a backend's overrides. */
static struct cfg_health *cur_health(struct pstate *st)
{
	return st->sec == SEC_SERVICE ? &CUR_SVC(st)->health : &CUR_BE(st)->health;
}

/* "2", "2s", "1.5s", "500ms" -> milliseconds, within [min, max]. */
static int duration_ms(const char *val, __u32 min, __u32 max, __u32 *out)
{
	unsigned long long v = 0, frac = 0, scale = 1000;
	const char *p = val;
	int digits = 0, fd = 0;

	for (; *p >= '0' && *p <= '9' && digits < 10; p++, digits++)
		v = v * 10 + (*p - '0');
	if (!digits)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, fd++) {
			if (fd == 3)
				return -EINVAL;
			frac = frac * 10 + (*p - '0');
		}
		if (!fd)
			return -EINVAL;
		while (fd++ < 3)
			frac *= 10;
	}
	if (!strcmp(p, "ms")) {
		if (frac)
			return -EINVAL;
		scale = 1;
	} else if (*p && strcmp(p, "s")) {
		return -EINVAL;
	}
	v = v * scale + (scale == 1000 ? frac : 0);
	if (v < min || v > max)
		return -ERANGE;
	*out = (__u32)v;
	return 0;
}

static int set_health(struct pstate *st, const char *key, const char *val)
{
	static const char *const names[] = {
		[CFG_HEALTH_NONE] = "none", [CFG_HEALTH_TCP] = "tcp",
		[CFG_HEALTH_UDP] = "udp", [CFG_HEALTH_HTTP] = "http",
	};
	int i;

	for (i = CFG_HEALTH_NONE; i <= CFG_HEALTH_HTTP; i++) {
		if (!strcmp(val, names[i])) {
			cur_health(st)->type = (__u8)i;
			return 0;
		}
	}
	return bad(st, key, val, "expected none, tcp, udp or http");
}

static int set_hport(struct pstate *st, const char *key, const char *val)
{
	__u32 v;

	if (num(st, key, val, 1, 65535, &v))
		return st->in.rc;
	cur_health(st)->port = (__u16)v;
	return 0;
}

static int set_hpath(struct pstate *st, const char *key, const char *val)
{
	const char *p;

	/* It goes into the request line as is: nothing that could end it. */
	if (val[0] != '/' || strlen(val) >= CFG_HEALTH_PATH_LEN)
		return bad(st, key, val, "expected a path starting with '/', under %d bytes",
			   CFG_HEALTH_PATH_LEN);
	for (p = val; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return bad(st, key, val, "no spaces or control characters in a request path");
	strcpy(cur_health(st)->path, val);
	return 0;
}

static int set_hinterval(struct pstate *st, const char *key, const char *val)
{
	if (duration_ms(val, 100, 3600000, &cur_health(st)->interval_ms))
		return bad(st, key, val, "expected a duration from 100ms to 3600s, like 2s or 500ms");
	return 0;
}

static int set_htimeout(struct pstate *st, const char *key, const char *val)
{
	if (duration_ms(val, 50, 60000, &cur_health(st)->timeout_ms))
		return bad(st, key, val, "expected a duration from 50ms to 60s, like 1s or 300ms");
	return 0;
}

static int set_hcount(struct pstate *st, const char *key, const char *val, __u8 *out)
{
	__u32 v;

	if (num(st, key, val, 1, 10, &v))
		return st->in.rc;
	*out = (__u8)v;
	return 0;
}

static int set_hrise(struct pstate *st, const char *key, const char *val)
{
	return set_hcount(st, key, val, &cur_health(st)->rise);
}

static int set_hfall(struct pstate *st, const char *key, const char *val)
{
	return set_hcount(st, key, val, &cur_health(st)->fall);
}

/* A health check that cannot run: where to probe, and a timeout that
 * would overlap the next probe. */
static const char *health_problem(const struct cfg_health *h, __u16 svc_port)
{
	if (h->type == CFG_HEALTH_NONE)
		return NULL;
	if (!h->port && !svc_port)
		return "needs health_port (the service's port is any)";
	if (h->timeout_ms > h->interval_ms)
		return "health_timeout is longer than health_interval";
	return NULL;
}

/* ---- [backend SERVICE NAME] ------------------------------------------- */

static int set_be_addr(struct pstate *st, const char *key, const char *val)
{
	/* A link-local backend is on the link its dev names: section_end()
	 * asks for one. */
	return unicast6(st, key, val, INI_ADDR_LINKLOCAL, &CUR_BE(st)->addr);
}

static int set_weight(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 0, 65535, &CUR_BE(st)->weight);
}

static int set_mac(struct pstate *st, const char *key, const char *val)
{
	static const __u8 zero[6];
	struct cfg_backend *b = CUR_BE(st);

	if (parse_mac(val, b->mac))
		return bad(st, key, val, "expected a MAC address like 02:00:00:00:00:01");
	/* The override is a next hop: a group or zero address would be
	 * flooded or dropped by the switch, never delivered. */
	if ((b->mac[0] & 1) || !memcmp(b->mac, zero, 6))
		return bad(st, key, val, "not a unicast MAC address");
	b->has_mac = true;
	return 0;
}

static int set_dev(struct pstate *st, const char *key, const char *val)
{
	if (!valid_ifname(val))
		return bad(st, key, val, "not an interface name");
	strcpy(CUR_BE(st)->dev, val);
	return 0;
}

static int set_drain_deadline(struct pstate *st, const char *key, const char *val)
{
	return num(st, key, val, 1, CFG_MAX_LIFETIME, &CUR_BE(st)->drain_deadline_s);
}

static int set_state(struct pstate *st, const char *key, const char *val)
{
	struct cfg_backend *b = CUR_BE(st);

	if (!strcmp(val, "active")) {
		b->drained = b->disabled = false;
	} else if (!strcmp(val, "drained")) {
		b->drained = true;
		b->disabled = false;
	} else if (!strcmp(val, "disabled")) {
		b->drained = false;
		b->disabled = true;
	} else {
		return bad(st, key, val, "expected active, drained or disabled");
	}
	return 0;
}

static const struct key_def keys[K_MAX] = {
	[K_D_INTERFACE]     = { SEC_DAEMON,  "interface",      true,  set_interface },
	[K_D_XDP_MODE]      = { SEC_DAEMON,  "xdp_mode",       false, set_xdp_mode },
	[K_D_NOTIFY_LISTEN] = { SEC_DAEMON,  "notify_listen",  false, set_notify_listen },
	[K_D_SWEEP]         = { SEC_DAEMON,  "sweep_interval", false, set_sweep },
	[K_D_MAX_SESSIONS]  = { SEC_DAEMON,  "max_sessions",   false, set_max_sessions },
	[K_D_EVENTS]        = { SEC_DAEMON,  "events_per_sec", false, set_events },
	[K_D_NOTIFY_RCVBUF] = { SEC_DAEMON,  "notify_rcvbuf",  false, set_notify_rcvbuf },
	[K_D_NOTIFY_GROUP]  = { SEC_DAEMON,  "notify_group",   false, set_notify_group },
	[K_D_METRICS]       = { SEC_DAEMON,  "metrics_listen", false, set_metrics },
	[K_D_NEW_PER_SEC]   = { SEC_DAEMON,  "new_sessions_per_sec", false, set_new_per_sec },
	[K_D_PROBATION_MS]  = { SEC_DAEMON,  "probation_ms",   false, set_probation_ms },
	[K_D_PROBATION_SESSIONS] = { SEC_DAEMON, "probation_sessions", false,
				     set_probation_sessions },
	[K_D_MAX_BINDINGS]  = { SEC_DAEMON,  "max_bindings",   false, set_max_bindings },
	[K_D_ANNOUNCE]      = { SEC_DAEMON,  "announce",       false, set_announce },
	[K_D_ANNOUNCE_TABLE] = { SEC_DAEMON, "announce_table", false, set_announce_table },
	[K_D_ANNOUNCE_DEV]  = { SEC_DAEMON,  "announce_dev",   false, set_announce_dev },
	[K_D_ANNOUNCE_WAIT] = { SEC_DAEMON,  "announce_wait",  false, set_announce_wait },
	[K_D_SYNC_LISTEN]   = { SEC_DAEMON,  "sync_listen",    false, set_sync_listen },
	[K_D_SYNC_REFRESH]  = { SEC_DAEMON,  "sync_refresh",   false, set_sync_refresh },
	[K_D_SYNC_BULK_TIMEOUT] = { SEC_DAEMON, "sync_bulk_timeout", false,
				    set_sync_bulk_timeout },
	[K_D_PTB_RATE]      = { SEC_DAEMON,  "ptb_rate",       false, set_ptb_rate },
	[K_S_VIP]           = { SEC_SERVICE, "vip",            false, set_vip },
	[K_S_PROTO]         = { SEC_SERVICE, "proto",          false, set_proto },
	[K_S_PORT]          = { SEC_SERVICE, "port",           false, set_port },
	[K_S_IDENTITY]      = { SEC_SERVICE, "identity",       false, set_identity },
	[K_S_EUI64]         = { SEC_SERVICE, "eui64_only",     false, set_eui64 },
	[K_S_FORWARD]       = { SEC_SERVICE, "forward",        false, set_forward },
	[K_S_LB_ADDR]       = { SEC_SERVICE, "lb_addr",        false, set_lb_addr },
	[K_S_LIFETIME]      = { SEC_SERVICE, "lifetime",       false, set_lifetime },
	[K_S_CHAIN]         = { SEC_SERVICE, "chain_policy",   false, set_chain },
	[K_S_NOTIFY]        = { SEC_SERVICE, "notify",         false, set_notify },
	[K_S_MTU]           = { SEC_SERVICE, "mtu",            false, set_mtu },
	[K_S_HEALTH]        = { SEC_SERVICE, "health",         false, set_health },
	[K_S_HPORT]         = { SEC_SERVICE, "health_port",    false, set_hport },
	[K_S_HPATH]         = { SEC_SERVICE, "health_path",    false, set_hpath },
	[K_S_HINTERVAL]     = { SEC_SERVICE, "health_interval", false, set_hinterval },
	[K_S_HTIMEOUT]      = { SEC_SERVICE, "health_timeout", false, set_htimeout },
	[K_S_HRISE]         = { SEC_SERVICE, "health_rise",    false, set_hrise },
	[K_S_HFALL]         = { SEC_SERVICE, "health_fall",    false, set_hfall },
	[K_B_ADDR]          = { SEC_BACKEND, "addr",           false, set_be_addr },
	[K_B_WEIGHT]        = { SEC_BACKEND, "weight",         false, set_weight },
	[K_B_MAC]           = { SEC_BACKEND, "mac",            false, set_mac },
	[K_B_DEV]           = { SEC_BACKEND, "dev",            false, set_dev },
	[K_B_STATE]         = { SEC_BACKEND, "state",          false, set_state },
	[K_B_DRAIN_DEADLINE] = { SEC_BACKEND, "drain_deadline", false, set_drain_deadline },
	[K_B_HEALTH]        = { SEC_BACKEND, "health",         false, set_health },
	[K_B_HPORT]         = { SEC_BACKEND, "health_port",    false, set_hport },
	[K_B_HPATH]         = { SEC_BACKEND, "health_path",    false, set_hpath },
	[K_B_HINTERVAL]     = { SEC_BACKEND, "health_interval", false, set_hinterval },
	[K_B_HTIMEOUT]      = { SEC_BACKEND, "health_timeout", false, set_htimeout },
	[K_B_HRISE]         = { SEC_BACKEND, "health_rise",    false, set_hrise },
	[K_B_HFALL]         = { SEC_BACKEND, "health_fall",    false, set_hfall },
};

/* ---- sections ---------------------------------------------------------- */

/* Checks that need the whole section: required keys and keys that only
 * make sense together.  Runs when the next header or the end arrives. */
static void section_end(struct pstate *st)
{
	struct cfg_service *s;
	struct cfg_backend *b;

	switch (st->sec) {
	case SEC_SERVICE:
		s = CUR_SVC(st);
		if (!st->key_line[K_S_VIP])
			fail(st, s->line, -EINVAL, "service '%s' has no vip", s->name);
		if (s->forward == MIP6LB_FWD_IP6IP6 && !s->has_lb_addr)
			fail(st, s->line, -EINVAL,
			     "service '%s': forward = ip6ip6 needs lb_addr (the outer source)",
			     s->name);
		if (s->forward != MIP6LB_FWD_IP6IP6 && st->key_line[K_S_MTU])
			fail(st, st->key_line[K_S_MTU], -EINVAL,
			     "service '%s': mtu is for forward = ip6ip6 (l2-dsr adds no header)",
			     s->name);
		/* The datapath looks up (vip, proto, port), (vip, proto, 0) and
		 * (vip, 0, 0), never (vip, 0, port). */
		if (s->port && !s->proto)
			fail(st, st->key_line[K_S_PORT], -EINVAL,
			     "service '%s': port needs proto = tcp or udp", s->name);
		if (health_problem(&s->health, s->port))
			fail(st, st->key_line[K_S_HEALTH] ? st->key_line[K_S_HEALTH] : s->line,
			     -EINVAL, "service '%s': health = %s %s", s->name,
			     health_type_name(s->health.type), health_problem(&s->health, s->port));
		break;
	case SEC_BACKEND:
		b = CUR_BE(st);
		if (!st->key_line[K_B_ADDR])
			fail(st, b->line, -EINVAL, "backend '%s %s' has no addr", b->service, b->name);
		else if (IN6_IS_ADDR_LINKLOCAL(&b->addr) && !b->dev[0])
			fail(st, st->key_line[K_B_ADDR], -EINVAL,
			     "backend '%s %s': addr is a link-local address, and without dev "
			     "nothing says on which link", b->service, b->name);
		break;
	case SEC_PEER:
		peer_section_end(&st->peer, CUR_PEER(st));
		break;
	default:
		break;
	}
}

static int begin_service(struct pstate *st, const char *name)
{
	struct mip6lb_config *cfg = st->cfg;
	struct cfg_service *s;
	int i;

	for (i = 0; i < cfg->n_services; i++)
		if (!strcmp(cfg->services[i].name, name))
			return fail(st, st->in.lineno, -EINVAL, "duplicate service '%s' (first at line %d)",
				    name, cfg->services[i].line);
	if (cfg->n_services == MIP6LB_MAX_SERVICES)
		return fail(st, st->in.lineno, -E2BIG, "more than %d services",
			    MIP6LB_MAX_SERVICES);
	if (ini_lines_grow(&st->in, (void **)&cfg->services, cfg->n_services, &st->cap_services,
			   sizeof(*s)))
		return st->in.rc;
	st->idx = cfg->n_services++;
	s = &cfg->services[st->idx];
	strcpy(s->name, name);
	s->line = st->in.lineno;
	s->eui64_only = true;
	s->lb_plen = 128;
	s->forward = MIP6LB_FWD_L2_DSR;
	s->chain_policy = MIP6LB_CHAIN_BALANCE_SRC;
	s->notify = MIP6LB_NOTIFY_OFF;
	s->lifetime_s = MIP6LB_DEFAULT_LIFETIME;
	s->n_ids = (__u8)id_order_parse(DEFAULT_ID_ORDER, s->id_order);
	s->health.type = CFG_HEALTH_NONE;
	s->health.interval_ms = CFG_HEALTH_INTERVAL_MS;
	s->health.timeout_ms = CFG_HEALTH_TIMEOUT_MS;
	s->health.rise = CFG_HEALTH_RISE;
	s->health.fall = CFG_HEALTH_FALL;
	strcpy(s->health.path, "/");
	return 0;
}

static int begin_backend(struct pstate *st, const char *svc, const char *name)
{
	struct mip6lb_config *cfg = st->cfg;
	struct cfg_backend *b;
	int i;

	for (i = 0; i < cfg->n_backends; i++) {
		b = &cfg->backends[i];
		if (!strcmp(b->service, svc) && !strcmp(b->name, name))
			return fail(st, st->in.lineno, -EINVAL,
				    "duplicate backend '%s %s' (first at line %d)", svc, name, b->line);
	}
	if (cfg->n_backends == MIP6LB_MAX_BACKENDS)
		return fail(st, st->in.lineno, -E2BIG, "more than %d backends",
			    MIP6LB_MAX_BACKENDS);
	if (ini_lines_grow(&st->in, (void **)&cfg->backends, cfg->n_backends, &st->cap_backends,
			   sizeof(*b)))
		return st->in.rc;
	st->idx = cfg->n_backends++;
	b = &cfg->backends[st->idx];
	strcpy(b->service, svc);
	strcpy(b->name, name);
	b->service_idx = -1;
	b->weight = 1;
	b->line = st->in.lineno;
	return 0;
}

/* line starts with '['; inih will take the same text as the section. */
static int section_begin(void *user, const char *line)
{
	static const char *const usage =
		"expected [daemon], [service NAME], [backend SERVICE NAME] or [peer NAME]";
	struct pstate *st = user;
	char hdr[128], *tok[3];
	int n, i;

	section_end(st);
	if (st->in.rc)
		return st->in.rc;
	/* More than 3 words come back as 4: reported below. */
	n = ini_lines_header(&st->in, line, hdr, sizeof(hdr), tok, 3);
	if (n < 0)
		return st->in.rc;

	memset(st->key_line, 0, sizeof(st->key_line));
	st->sec = SEC_NONE;
	if (!n)
		return fail(st, st->in.lineno, -EINVAL, "empty section header; %s", usage);
	for (i = SEC_DAEMON; i <= SEC_PEER; i++)
		if (!strcmp(tok[0], sec_names[i]))
			break;
	if (i > SEC_PEER)
		return fail(st, st->in.lineno, -EINVAL, "unknown section [%s]; %s", tok[0], usage);
	if (n != sec_words[i])
		return fail(st, st->in.lineno, -EINVAL, "malformed [%s ...] header; %s", tok[0], usage);
	for (n = 1; n < sec_words[i]; n++)
		if (ini_lines_name(&st->in, tok[n], CFG_NAME_LEN))
			return st->in.rc;
	switch (i) {
	case SEC_DAEMON:
		if (st->daemon_line)
			return fail(st, st->in.lineno, -EINVAL, "duplicate [daemon] (first at line %d)",
				    st->daemon_line);
		st->daemon_line = st->in.lineno;
		break;
	case SEC_SERVICE:
		if (begin_service(st, tok[1]))
			return st->in.rc;
		break;
	case SEC_BACKEND:
		if (begin_backend(st, tok[1], tok[2]))
			return st->in.rc;
		break;
	case SEC_PEER:
		if (peer_section_begin(&st->peer, &st->cfg->peers, &st->cfg->n_peers, tok[1]))
			return st->in.rc;
		st->idx = st->cfg->n_peers - 1;
		break;
	}
	st->sec = i;
	return 0;
}

/* ---- keys -------------------------------------------------------------- */

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct pstate *st = user;
	int i;

	if (st->in.rc)
		return 0;
	if (st->sec == SEC_PEER)
		return peer_section_key(&st->peer, CUR_PEER(st), name, value) ? 0 : 1;
	for (i = 0; i < K_MAX; i++)
		if (keys[i].sec == st->sec && !strcmp(keys[i].name, name))
			break;
	if (ini_lines_key(&st->in, st->sec == SEC_NONE ? NULL : sec_names[st->sec], name,
			  i < K_MAX ? &st->key_line[i] : NULL, i < K_MAX && keys[i].repeatable))
		return 0;
	return keys[i].set(st, name, value) ? 0 : 1;
}

static bool same_service_key(const struct cfg_service *a, const struct cfg_service *b)
{
	return !memcmp(&a->vip, &b->vip, sizeof(a->vip)) && a->proto == b->proto &&
	       a->port == b->port;
}

/* Checks across sections: backends may come before their service. */
static void validate(struct pstate *st)
{
	struct mip6lb_config *cfg = st->cfg;
	int i, j;

	for (i = 0; i < cfg->n_services; i++)
		for (j = 0; j < i; j++)
			if (same_service_key(&cfg->services[i], &cfg->services[j]))
				fail(st, cfg->services[i].line, -EINVAL,
				     "service '%s' has the same vip, proto and port as '%s' (line %d)",
				     cfg->services[i].name, cfg->services[j].name,
				     cfg->services[j].line);
	/* The VIP device is mip6lbd's own TUN device, made and deleted by it. */
	for (i = 0; cfg->daemon.announce && i < cfg->daemon.n_ifaces; i++)
		if (!strcmp(cfg->daemon.ifaces[i], cfg->daemon.announce_dev))
			fail(st, st->daemon_line, -EINVAL,
			     "announce_dev = %s is also a daemon interface: the VIP device is "
			     "mip6lbd's own TUN device; name another", cfg->daemon.announce_dev);
	/* Notifications learn of nodes from the new-session events only: with
	 * none, no subscription would ever be made.  0 is never the default,
	 * so the line is events_per_sec's. */
	for (i = 0; i < cfg->n_services && !cfg->daemon.events_per_sec; i++)
		if (cfg->services[i].notify != MIP6LB_NOTIFY_OFF) {
			fail(st, st->events_line, -EINVAL,
			     "events_per_sec = 0, but service '%s' (line %d) has notify = %s, "
			     "which learns of new nodes only from new-session events",
			     cfg->services[i].name, cfg->services[i].line,
			     notify_mode_name(cfg->services[i].notify));
			break;
		}
	/* A notify mode listens to one kind of [peer]: with none of that
	 * role, no notification could ever arrive for the service. */
	for (i = 0; i < cfg->n_services; i++) {
		__u8 mode = cfg->services[i].notify;

		if (mode == MIP6LB_NOTIFY_OFF)
			continue;
		for (j = 0; j < cfg->n_peers && cfg->peers[j].role != mode; j++)
			;
		if (j == cfg->n_peers)
			fail(st, cfg->services[i].line, -EINVAL,
			     "service '%s' has notify = %s, but no [peer] has role = %s: "
			     "no notification could ever arrive", cfg->services[i].name,
			     notify_mode_name(mode), notify_mode_name(mode));
	}
	for (i = 0; i < cfg->n_backends; i++) {
		struct cfg_backend *b = &cfg->backends[i];

		b->service_idx = config_service_index(cfg, b->service);
		if (b->service_idx < 0)
			fail(st, b->line, -EINVAL, "backend '%s %s': no [service %s]",
			     b->service, b->name, b->service);
	}
	for (i = 0; i < cfg->n_backends; i++) {
		struct cfg_backend *b = &cfg->backends[i];
		const struct cfg_service *s;
		struct cfg_health h;

		if (b->service_idx < 0)
			continue;
		s = &cfg->services[b->service_idx];
		config_health_resolve(s, b, &h);
		if (health_problem(&h, s->port))
			fail(st, b->line, -EINVAL, "backend '%s %s': health = %s %s", b->service,
			     b->name, health_type_name(h.type), health_problem(&h, s->port));
	}
	for (i = 0; i < cfg->n_backends; i++) {
		struct cfg_backend *b = &cfg->backends[i];

		for (j = 0; j < i && b->service_idx >= 0; j++) {
			struct cfg_backend *o = &cfg->backends[j];

			if (o->service_idx == b->service_idx && !memcmp(&o->addr, &b->addr, 16))
				fail(st, b->line, -EINVAL,
				     "backend '%s %s' has the same addr as '%s' (line %d)",
				     b->service, b->name, o->name, o->line);
		}
	}
}

static int parse_text(const char *text, const char *file, const char *basedir,
		      struct mip6lb_config *cfg, char *err, size_t errlen)
{
	struct pstate st = { .cfg = cfg };

	ini_lines_init(&st.in, text, file, basedir, err, errlen);
	peer_section_init(&st.peer, &st.in, PEER_END_BALANCER);
	memset(cfg, 0, sizeof(*cfg));
	cfg->daemon.xdp_mode = CFG_XDP_AUTO;
	cfg->daemon.notify_addr = in6addr_any;
	cfg->daemon.notify_port = CFG_NOTIFY_PORT;
	cfg->daemon.notify_rcvbuf = CFG_NOTIFY_RCVBUF;
	cfg->daemon.sweep_interval_s = 5;   /* ~0.4 s of CPU per sweep at 1M sessions */
	cfg->daemon.max_sessions = MIP6LB_MAX_SESSIONS;
	cfg->daemon.events_per_sec = 1000;
	cfg->daemon.new_per_sec = CFG_NEW_PER_SEC;
	cfg->daemon.probation_ms = CFG_PROBATION_MS;
	cfg->daemon.max_bindings = MIP6LB_MAX_BINDINGS;
	cfg->daemon.announce_table = CFG_ANNOUNCE_TABLE;
	strcpy(cfg->daemon.announce_dev, CFG_ANNOUNCE_DEV);
	cfg->daemon.announce_wait_s = CFG_ANNOUNCE_WAIT_S;
	cfg->daemon.sync_addr = in6addr_any;
	cfg->daemon.sync_port = CFG_SYNC_PORT;
	cfg->daemon.sync_refresh_s = CFG_SYNC_REFRESH_S;
	cfg->daemon.sync_bulk_timeout_s = CFG_SYNC_BULK_TIMEOUT_S;
	cfg->daemon.ptb_per_sec = CFG_PTB_RATE;

	if (!ini_lines_parse(&st.in, section_begin, on_key, &st))
		section_end(&st);
	if (!st.in.rc)
		validate(&st);
	if (st.in.rc)
		config_free(cfg);
	return st.in.rc;
}

/* ---- public ------------------------------------------------------------ */

int config_parse_string(const char *text, const char *name, struct mip6lb_config *cfg,
			char *err, size_t errlen)
{
	return parse_text(text, name ? name : "<string>", NULL, cfg, err, errlen);
}

int config_load(const char *path, struct mip6lb_config *cfg, char *err, size_t errlen)
{
	char *text = NULL, *dir = NULL;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = ini_lines_read_file(path, CFG_MAX_FILE_BYTES, &text, err, errlen);
	if (rc)
		return rc;
	dir = strdup(path);
	if (!dir) {
		free(text);
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = parse_text(text, path, dirname(dir), cfg, err, errlen);
	free(dir);
	free(text);
	return rc;
}

void config_free(struct mip6lb_config *cfg)
{
	if (!cfg)
		return;
	cfg_peers_free(cfg->peers, cfg->n_peers);
	free(cfg->backends);
	free(cfg->services);
	memset(cfg, 0, sizeof(*cfg));
}

int config_service_index(const struct mip6lb_config *cfg, const char *name)
{
	int i;

	for (i = 0; i < cfg->n_services; i++)
		if (!strcmp(cfg->services[i].name, name))
			return i;
	return -ENOENT;
}

void config_service_to_map(const struct cfg_service *svc, __u32 id, struct mip6lb_service *out)
{
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->flags = MIP6LB_SVC_ACTIVE | (svc->eui64_only ? MIP6LB_SVC_EUI64_ONLY : 0);
	memcpy(out->id_order, svc->id_order, sizeof(out->id_order));
	out->n_ids = svc->n_ids;
	out->forward = svc->forward;
	out->chain_policy = svc->chain_policy;
	out->notify = svc->notify;
	out->lifetime_s = svc->lifetime_s;
	out->lb_addr = svc->lb_addr;
	out->lb_host_mask = mip6lb_lb_host_mask(svc->lb_plen);
	out->hash_id = config_service_hash_id(svc->name);
}

__u32 config_service_hash_id(const char *name)
{
	/* namehash.h, folded to 32 bits: names such as "web1" and "web2"
	 * must not give related values. */
	__u64 h = namehash(name, NAMEHASH_FNV_BASIS);

	return (__u32)(h ^ (h >> 32));
}

void config_service_key(const struct cfg_service *svc, struct mip6lb_service_key *out)
{
	memset(out, 0, sizeof(*out));
	out->vip = svc->vip;
	out->proto = svc->proto;
	out->port = svc->port;
}

const char *health_type_name(int type)
{
	switch (type) {
	case CFG_HEALTH_NONE: return "none";
	case CFG_HEALTH_TCP: return "tcp";
	case CFG_HEALTH_UDP: return "udp";
	case CFG_HEALTH_HTTP: return "http";
	}
	return "?";
}

void config_health_resolve(const struct cfg_service *svc, const struct cfg_backend *be,
			   struct cfg_health *out)
{
	const struct cfg_health *o = &be->health;

	*out = svc->health;
	if (o->type != CFG_HEALTH_INHERIT)
		out->type = o->type;
	if (o->rise)
		out->rise = o->rise;
	if (o->fall)
		out->fall = o->fall;
	if (o->port)
		out->port = o->port;
	if (o->interval_ms)
		out->interval_ms = o->interval_ms;
	if (o->timeout_ms)
		out->timeout_ms = o->timeout_ms;
	if (o->path[0])
		strcpy(out->path, o->path);
	if (!out->port)
		out->port = svc->port;
}

const char *xdp_mode_name(int mode)
{
	switch (mode) {
	case CFG_XDP_AUTO: return "auto";
	case CFG_XDP_NATIVE: return "native";
	case CFG_XDP_GENERIC: return "generic";
	}
	return "?";
}

/* ---- one section from key/value pairs (the control socket) ------------- */

/* A value a config file line could hold: no control character (a newline
 * would end the line) and nothing that starts a comment. */
static int kv_value_ok(struct pstate *st, const struct cfg_kv *kv)
{
	const char *p;

	for (p = kv->val; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == ';' || *p == '#')
			return fail(st, st->in.lineno, -EINVAL, "%s: invalid character in '%s'",
				    kv->key, kv->val);
	return 0;
}

/* The section's keys through the file's own key table and setters, then
 * its required keys: the pairs are lines 2.. after a header at line 1. */
static int build_section(struct pstate *st, const struct cfg_kv *kv, int n)
{
	int i;

	for (i = 0; i < n && !st->in.rc; i++) {
		st->in.lineno = i + 2;
		if (!kv[i].key || !kv[i].val) {
			fail(st, st->in.lineno, -EINVAL, "argument %d has no key or no value", i + 1);
			break;
		}
		if (kv_value_ok(st, &kv[i]))
			break;
		on_key(st, sec_names[st->sec], kv[i].key, kv[i].val);
	}
	if (!st->in.rc)
		section_end(st);
	return st->in.rc;
}

static void build_init(struct pstate *st, struct mip6lb_config *tmp, enum sec_kind sec,
		       char *why, size_t whylen)
{
	memset(tmp, 0, sizeof(*tmp));
	memset(st, 0, sizeof(*st));
	st->cfg = tmp;
	ini_lines_init(&st->in, "", "args", NULL, why, whylen);
	st->in.lineno = 1;
	st->sec = sec;
}

/* "args:3: vip = 'x': not an IPv6 address" -> "vip = 'x': not an IPv6 address" */
static void build_error(const char *why, char *err, size_t errlen)
{
	const char *p = why;

	if (!strncmp(p, "args:", 5)) {
		for (p += 5; *p >= '0' && *p <= '9'; p++)
			;
		if (*p == ':')
			p++;
		while (*p == ' ')
			p++;
	}
	snprintf(err, errlen, "%s", p);
}

int config_service_build(struct cfg_service *out, const char *name, const struct cfg_kv *kv,
			 int n, char *err, size_t errlen)
{
	struct mip6lb_config tmp;
	struct pstate st;
	char why[512];

	build_init(&st, &tmp, SEC_SERVICE, why, sizeof(why));
	if (!ini_lines_name(&st.in, name, CFG_NAME_LEN) && !begin_service(&st, name) &&
	    !build_section(&st, kv, n)) {
		*out = tmp.services[0];
		out->line = 0;
	} else {
		build_error(why, err, errlen);
	}
	config_free(&tmp);
	return st.in.rc;
}

int config_backend_build(struct cfg_backend *out, const char *service, const char *name,
			 const struct cfg_kv *kv, int n, char *err, size_t errlen)
{
	struct mip6lb_config tmp;
	struct pstate st;
	char why[512];

	build_init(&st, &tmp, SEC_BACKEND, why, sizeof(why));
	if (!ini_lines_name(&st.in, service, CFG_NAME_LEN) &&
	    !ini_lines_name(&st.in, name, CFG_NAME_LEN) && !begin_backend(&st, service, name) &&
	    !build_section(&st, kv, n)) {
		*out = tmp.backends[0];
		out->line = 0;
	} else {
		build_error(why, err, errlen);
	}
	config_free(&tmp);
	return st.in.rc;
}
