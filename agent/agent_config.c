// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * agent_config.c - mip6lb-agent's INI file: [agent] and [peer NAME].
 *
 * Same conventions as mip6lbd's config.c, and the same code for them
 * (ini_lines.c): libinih splits lines, our own line reader counts them
 * (Debian's libinih has no INI_HANDLER_LINENO) and sees section headers
 * as they pass, every error is "FILE:LINE: message"
 * naming the key and the value, unknown keys and sections are errors, and
 * key files are read once, at load, refusing group- or world-accessible
 * ones.  [peer] is parsed by the code that parses mip6lbd's
 * (lib/peer_config.c), without role and home_prefix: the same keys for
 * the same secret (addr, key_file, key_id), so one key file serves both
 * ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "ini_lines.h"
#include "peer_config.h"
#include "strparse.h"
#include "proto.h"

#define AGENT_MAX_FILE_BYTES (1 << 20)

enum { SEC_NONE, SEC_AGENT, SEC_PEER, SEC_GROUP };

static const char *const sec_name[] = { [SEC_AGENT] = "agent", [SEC_PEER] = "peer",
					[SEC_GROUP] = "group" };

enum {
	K_LISTEN, K_INTERFACE, K_HOME, K_SNAPSHOT, K_FEED, K_SENDER, K_CONFIRM, K_LIFETIME,
	K_MAX_SUBS, K_MAX_BINDINGS, K_RCVBUF, K_MEMBERS,
	K_MAX,
};

struct ast {
	struct ini_lines in;            /* file, line, the error */
	struct agent_config *cfg;
	int sec;
	int agent_line;
	int key_line[K_MAX];            /* this section */
	int seen_line[K_MAX];           /* [agent] keys, for validation */
	struct peer_section peer;       /* [peer NAME]: lib/peer_config.c */
};

typedef int (*setter_fn)(struct ast *st, const char *key, const char *val);

/* Errors go through ini_lines: "FILE:LINE: message", the earliest line kept. */
#define fail(st, ...) ini_lines_fail(&(st)->in, __VA_ARGS__)
#define bad(st, ...)  ini_lines_bad(&(st)->in, __VA_ARGS__)
#define num(st, ...)  ini_lines_num(&(st)->in, __VA_ARGS__)

#define CUR_PEER(st) (&(st)->cfg->peers[(st)->cfg->n_peers - 1])

/* ---- [agent] ------------------------------------------------------------ */

static int set_listen(struct ast *st, const char *key, const char *val)
{
	struct agent_config *c = st->cfg;
	const char *why;

	if (parse_hostport6(val, &c->listen_addr, &c->listen_port, AGENT_DEFAULT_PORT))
		return bad(st, key, val, "expected [ADDRESS]:PORT");
	if (IN6_IS_ADDR_MULTICAST(&c->listen_addr))
		return bad(st, key, val, "not a unicast address: a multicast address");
	/* Found here rather than at bind(): :: (every address) and ::1 are
	 * fine to listen on, an IPv4-mapped or scope-less link-local one is
	 * not. */
	why = ini_lines_addr_why(&c->listen_addr, INI_ADDR_ANY | INI_ADDR_LOOPBACK);
	if (why)
		return bad(st, key, val, "%s", why);
	return 0;
}

static int set_interface(struct ast *st, const char *key, const char *val)
{
	size_t n = strlen(val);

	if (!n || n >= IF_NAMESIZE || !strcmp(val, ".") || !strcmp(val, "..") ||
	    strpbrk(val, "/: \t"))
		return bad(st, key, val, "not an interface name");
	strcpy(st->cfg->iface, val);
	return 0;
}

static int set_home(struct ast *st, const char *key, const char *val)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, val, &a) != 1)
		return bad(st, key, val, "not an IPv6 address");
	/* The protocol refuses these as node addresses (docs/protocol.md). */
	if (IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_MULTICAST(&a) ||
	    IN6_IS_ADDR_LINKLOCAL(&a))
		return bad(st, key, val, "not a global unicast address");
	st->cfg->home_addr = a;
	st->cfg->has_home = true;
	return 0;
}

static int set_snapshot(struct ast *st, const char *key, const char *val)
{
	return num(st, key, val, 0, 65535, &st->cfg->snapshot_interval_s);
}

static int set_feed(struct ast *st, const char *key, const char *val)
{
	if (!strcmp(val, "off") || !strcmp(val, "none")) {
		st->cfg->feed_socket[0] = '\0';
		return 0;
	}
	if (val[0] != '/')
		return bad(st, key, val, "expected an absolute path, or off");
	if (strlen(val) >= sizeof(st->cfg->feed_socket))
		return bad(st, key, val, "longer than a unix socket path may be (%zu)",
			   sizeof(st->cfg->feed_socket) - 1);
	strcpy(st->cfg->feed_socket, val);
	return 0;
}

static int set_sender(struct ast *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 0xffffffffU, &st->cfg->sender_id);
}

static int set_confirm(struct ast *st, const char *key, const char *val)
{
	if (!strcmp(val, "ba"))
		st->cfg->confirm = AGENT_CONFIRM_BA;
	else if (!strcmp(val, "bu"))
		st->cfg->confirm = AGENT_CONFIRM_BU;
	else
		return bad(st, key, val, "expected ba or bu");
	return 0;
}

static int set_lifetime(struct ast *st, const char *key, const char *val)
{
	return num(st, key, val, 4, PROTO_MAX_LIFETIME_S, &st->cfg->lifetime_s);
}

static int set_max_subs(struct ast *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 1U << 20, &st->cfg->max_subscriptions);
}

static int set_max_bindings(struct ast *st, const char *key, const char *val)
{
	return num(st, key, val, 1, 1U << 22, &st->cfg->max_bindings);
}

static int set_rcvbuf(struct ast *st, const char *key, const char *val)
{
	/* 4K: the kernel's floor; 1G: it caps at INT_MAX / 2. */
	if (parse_size(val, 4096, 1U << 30, &st->cfg->rcvbuf))
		return bad(st, key, val, "expected a size from 4K to 1G, like 4M");
	return 0;
}

/* members = PEER[, PEER ...]: the [peer] names of the group's instances;
 * checked against the [peer] sections once the whole file is read. */
static int set_members(struct ast *st, const char *key, const char *val)
{
	struct agent_group_cfg *g = &st->cfg->groups[st->cfg->n_groups - 1];
	char buf[1024], *save = NULL, *t;
	int i;

	if (strlen(val) >= sizeof(buf))
		return bad(st, key, val, "too long");
	snprintf(buf, sizeof(buf), "%s", val);
	for (t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		if (ini_lines_name(&st->in, t, CFG_NAME_LEN))
			return st->in.rc;
		for (i = 0; i < g->n_members; i++)
			if (!strcmp(g->members[i], t))
				return bad(st, key, val, "peer %s is listed twice", t);
		if (g->n_members == AGENT_GROUP_MAX_MEMBERS)
			return bad(st, key, val, "more than %d members", AGENT_GROUP_MAX_MEMBERS);
		snprintf(g->members[g->n_members++], CFG_NAME_LEN, "%s", t);
	}
	if (!g->n_members)
		return bad(st, key, val, "expected one or more [peer] names");
	return 0;
}

static const struct {
	int sec;
	const char *name;
	setter_fn set;
} keys[K_MAX] = {
	[K_LISTEN]       = { SEC_AGENT, "listen",            set_listen },
	[K_INTERFACE]    = { SEC_AGENT, "interface",         set_interface },
	[K_HOME]         = { SEC_AGENT, "home_address",      set_home },
	[K_SNAPSHOT]     = { SEC_AGENT, "snapshot_interval", set_snapshot },
	[K_FEED]         = { SEC_AGENT, "feed_socket",       set_feed },
	[K_SENDER]       = { SEC_AGENT, "sender_id",         set_sender },
	[K_CONFIRM]      = { SEC_AGENT, "confirm",           set_confirm },
	[K_LIFETIME]     = { SEC_AGENT, "lifetime",          set_lifetime },
	[K_MAX_SUBS]     = { SEC_AGENT, "max_subscriptions", set_max_subs },
	[K_MAX_BINDINGS] = { SEC_AGENT, "max_bindings",      set_max_bindings },
	[K_RCVBUF]       = { SEC_AGENT, "rcvbuf",            set_rcvbuf },
	[K_MEMBERS]      = { SEC_GROUP, "members",           set_members },
};

/* ---- sections ------------------------------------------------------------ */

static void section_end(struct ast *st)
{
	if (st->sec == SEC_PEER)
		peer_section_end(&st->peer, CUR_PEER(st));
	if (st->sec == SEC_GROUP && !st->key_line[K_MEMBERS])
		fail(st, st->cfg->groups[st->cfg->n_groups - 1].line, -EINVAL,
		     "[group %s] needs members", st->cfg->groups[st->cfg->n_groups - 1].name);
}

static int group_begin(struct ast *st, const char *name)
{
	struct agent_config *c = st->cfg;
	struct agent_group_cfg *g;
	int i;

	if (ini_lines_name(&st->in, name, CFG_NAME_LEN))
		return st->in.rc;
	for (i = 0; i < c->n_groups; i++)
		if (!strcmp(c->groups[i].name, name))
			return fail(st, st->in.lineno, -EINVAL, "duplicate [group %s] (first at line %d)",
				    name, c->groups[i].line);
	if (c->n_groups == AGENT_MAX_GROUPS)
		return fail(st, st->in.lineno, -EINVAL, "more than %d [group] sections",
			    AGENT_MAX_GROUPS);
	g = realloc(c->groups, (c->n_groups + 1) * sizeof(*g));
	if (!g)
		return fail(st, st->in.lineno, -ENOMEM, "%s", strerror(ENOMEM));
	c->groups = g;
	g = &c->groups[c->n_groups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->line = st->in.lineno;
	st->sec = SEC_GROUP;
	return 0;
}

static int section_begin(void *user, const char *line)
{
	static const char *const usage = "expected [agent], [peer NAME] or [group NAME]";
	struct ast *st = user;
	char hdr[128], *tok[3];
	int n;

	section_end(st);
	if (st->in.rc)
		return st->in.rc;
	n = ini_lines_header(&st->in, line, hdr, sizeof(hdr), tok, 3);
	if (n < 0)
		return st->in.rc;
	memset(st->key_line, 0, sizeof(st->key_line));
	st->sec = SEC_NONE;
	if (n == 1 && !strcmp(tok[0], "agent")) {
		if (st->agent_line)
			return fail(st, st->in.lineno, -EINVAL,
				    "duplicate [agent] (first at line %d)", st->agent_line);
		st->agent_line = st->in.lineno;
		st->sec = SEC_AGENT;
		return 0;
	}
	if (n == 2 && !strcmp(tok[0], "peer")) {
		if (ini_lines_name(&st->in, tok[1], CFG_NAME_LEN))
			return st->in.rc;
		if (peer_section_begin(&st->peer, &st->cfg->peers, &st->cfg->n_peers, tok[1]))
			return st->in.rc;
		st->sec = SEC_PEER;
		return 0;
	}
	if (n == 2 && !strcmp(tok[0], "group"))
		return group_begin(st, tok[1]);
	if (n && (!strcmp(tok[0], "daemon") || !strcmp(tok[0], "service") ||
		  !strcmp(tok[0], "backend")))
		return fail(st, st->in.lineno, -EINVAL, "[%s] is mip6lbd's, not the agent's; %s",
			    tok[0], usage);
	return fail(st, st->in.lineno, -EINVAL, "unknown or malformed section header; %s", usage);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct ast *st = user;
	int i;

	if (st->in.rc)
		return 0;
	if (st->sec == SEC_PEER)
		return peer_section_key(&st->peer, CUR_PEER(st), name, value) ? 0 : 1;
	for (i = 0; i < K_MAX; i++)
		if (keys[i].sec == st->sec && !strcmp(keys[i].name, name))
			break;
	if (ini_lines_key(&st->in, st->sec == SEC_NONE ? NULL : sec_name[st->sec], name,
			  i < K_MAX ? &st->key_line[i] : NULL, false))
		return 0;
	if (st->sec == SEC_AGENT || st->sec == SEC_GROUP)
		st->seen_line[i] = st->in.lineno;
	return keys[i].set(st, name, value) ? 0 : 1;
}

/* Every member is a [peer], and no peer is in two groups. */
static void validate_groups(struct ast *st)
{
	struct agent_config *c = st->cfg;
	int g, m, p, h, k;

	for (g = 0; g < c->n_groups; g++) {
		for (m = 0; m < c->groups[g].n_members; m++) {
			const char *name = c->groups[g].members[m];

			for (p = 0; p < c->n_peers; p++)
				if (!strcmp(c->peers[p].name, name))
					break;
			if (p == c->n_peers) {
				fail(st, c->groups[g].line, -EINVAL,
				     "[group %s]: member %s is no [peer] section", c->groups[g].name,
				     name);
				return;
			}
			for (h = 0; h < g; h++)
				for (k = 0; k < c->groups[h].n_members; k++)
					if (!strcmp(c->groups[h].members[k], name)) {
						fail(st, c->groups[g].line, -EINVAL,
						     "[group %s]: peer %s is already a member of "
						     "[group %s] (line %d)", c->groups[g].name, name,
						     c->groups[h].name, c->groups[h].line);
						return;
					}
		}
	}
}

/* What the role needs, once the whole file is read. */
static void validate(struct ast *st, int role)
{
	struct agent_config *c = st->cfg;
	int line = st->agent_line ? st->agent_line : 1;

	validate_groups(st);
	if (!c->n_peers)
		fail(st, line, -EINVAL, "no [peer NAME] section: no balancer could subscribe");
	if (role == AGENT_ROLE_MN) {
		if (!c->iface[0])
			fail(st, line, -EINVAL, "role mn needs interface (where the care-of address is)");
		if (!c->has_home)
			fail(st, line, -EINVAL, "role mn needs home_address");
		if (st->seen_line[K_CONFIRM])
			fail(st, st->seen_line[K_CONFIRM], -EINVAL, "confirm is only for role ha");
		if (st->seen_line[K_FEED])
			fail(st, st->seen_line[K_FEED], -EINVAL, "feed_socket is only for role ha");
		/* The node's agent learns its CoA from its own addresses. */
		c->feed_socket[0] = '\0';
	} else {
		if (st->seen_line[K_HOME])
			fail(st, st->seen_line[K_HOME], -EINVAL, "home_address is only for role mn");
		if (!c->iface[0] && !c->feed_socket[0])
			fail(st, line, -EINVAL,
			     "role ha needs interface, feed_socket or both: nothing to learn bindings from");
	}
}

static int parse_text(const char *text, const char *file, const char *basedir, int role,
		      struct agent_config *cfg, char *err, size_t errlen)
{
	struct ast st = { .cfg = cfg };

	ini_lines_init(&st.in, text, file, basedir, err, errlen);
	peer_section_init(&st.peer, &st.in, PEER_END_AGENT);
	memset(cfg, 0, sizeof(*cfg));
	cfg->role = role;
	cfg->listen_addr = in6addr_any;
	cfg->listen_port = AGENT_DEFAULT_PORT;
	cfg->snapshot_interval_s = AGENT_DEFAULT_SNAPSHOT_S;
	snprintf(cfg->feed_socket, sizeof(cfg->feed_socket), "%s", AGENT_DEFAULT_FEED);
	cfg->sender_id = 1;
	cfg->confirm = AGENT_CONFIRM_BA;
	cfg->lifetime_s = AGENT_DEFAULT_LIFETIME_S;
	cfg->max_subscriptions = AGENT_DEFAULT_MAX_SUBS;
	cfg->max_bindings = AGENT_DEFAULT_MAX_BINDINGS;
	cfg->rcvbuf = AGENT_DEFAULT_RCVBUF;

	if (role != AGENT_ROLE_HA && role != AGENT_ROLE_MN) {
		fail(&st, 0, -EINVAL, "role must be ha or mn");
		goto out;
	}
	if (!ini_lines_parse(&st.in, section_begin, on_key, &st))
		section_end(&st);
	if (!st.in.rc)
		validate(&st, role);
out:
	if (st.in.rc)
		agent_config_free(cfg);
	return st.in.rc;
}

int agent_config_parse_string(const char *text, const char *name, int role,
			      struct agent_config *cfg, char *err, size_t errlen)
{
	return parse_text(text, name ? name : "<string>", NULL, role, cfg, err, errlen);
}

int agent_config_load(const char *path, int role, struct agent_config *cfg,
		      char *err, size_t errlen)
{
	char *text = NULL, *dir = NULL;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = ini_lines_read_file(path, AGENT_MAX_FILE_BYTES, &text, err, errlen);
	if (rc)
		return rc;
	dir = strdup(path);
	if (!dir) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		free(text);
		return -ENOMEM;
	}
	rc = parse_text(text, path, dirname(dir), role, cfg, err, errlen);
	free(dir);
	free(text);
	return rc;
}

void agent_config_free(struct agent_config *cfg)
{
	if (!cfg)
		return;
	cfg_peers_free(cfg->peers, cfg->n_peers);
	free(cfg->groups);
	memset(cfg, 0, sizeof(*cfg));
}

const char *agent_role_name(int role)
{
	return role == AGENT_ROLE_HA ? "ha" : role == AGENT_ROLE_MN ? "mn" : "?";
}
