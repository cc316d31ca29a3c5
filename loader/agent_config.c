// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * agent_config.c - mip6lb-agent's INI file: [agent] and [peer NAME].
 *
 * Same conventions as mip6lbd's config.c: libinih splits lines, our own
 * line reader counts them (Debian's libinih has no INI_HANDLER_LINENO) and
 * sees section headers as they pass, every error is "FILE:LINE: message"
 * naming the key and the value, unknown keys and sections are errors, and
 * key files are read once, at load, refusing group- or world-accessible
 * ones.  [peer] takes the keys mip6lbd's [peer] takes for the same secret
 * (addr, key_file, key_id), so one key file serves both ends.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <ini.h>
#include "agent.h"
#include "parse_util.h"
#include "proto.h"

#define AGENT_MAX_PEERS      256
#define AGENT_MAX_FILE_BYTES (1 << 20)

enum { SEC_NONE, SEC_AGENT, SEC_PEER };

enum {
	K_LISTEN, K_INTERFACE, K_HOME, K_SNAPSHOT, K_FEED, K_SENDER, K_CONFIRM, K_LIFETIME,
	K_MAX_SUBS, K_MAX_BINDINGS,
	K_P_ADDR, K_P_KEY_FILE, K_P_KEY_ID,
	K_MAX,
};

struct ast {
	struct agent_config *cfg;
	const char *file;
	const char *basedir;
	char *err;
	size_t errlen;
	int rc, err_line;
	const char *pos;
	int lineno;
	int sec;
	int agent_line;
	int key_line[K_MAX];            /* this section */
	int seen_line[K_MAX];           /* [agent] keys, for validation */
	int cap_peers;
};

typedef int (*setter_fn)(struct ast *st, const char *key, const char *val);

static int __attribute__((format(printf, 4, 5)))
fail(struct ast *st, int line, int rc, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (st->rc && st->err_line <= line)
		return st->rc;
	st->rc = rc;
	st->err_line = line;
	if (!st->err || !st->errlen)
		return rc;
	off = snprintf(st->err, st->errlen, "%s:%d: ", st->file, line);
	if (off >= 0 && (size_t)off < st->errlen) {
		va_start(ap, fmt);
		vsnprintf(st->err + off, st->errlen - off, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int __attribute__((format(printf, 4, 5)))
bad(struct ast *st, const char *key, const char *val, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fail(st, st->lineno, -EINVAL, "%s = '%s': %s", key, val, why);
}

static int num(struct ast *st, const char *key, const char *val, __u32 min, __u32 max,
	       __u32 *out)
{
	if (parse_u32(val, min, max, out))
		return bad(st, key, val, "expected an integer in %u..%u", min, max);
	return 0;
}

#define CUR_PEER(st) (&(st)->cfg->peers[(st)->cfg->n_peers - 1])

/* ---- [agent] ------------------------------------------------------------ */

static int set_listen(struct ast *st, const char *key, const char *val)
{
	struct agent_config *c = st->cfg;

	if (parse_hostport6(val, &c->listen_addr, &c->listen_port, AGENT_DEFAULT_PORT))
		return bad(st, key, val, "expected [ADDRESS]:PORT");
	if (IN6_IS_ADDR_MULTICAST(&c->listen_addr))
		return bad(st, key, val, "not a unicast address");
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

/* ---- [peer NAME] -------------------------------------------------------- */

static int set_peer_addr(struct ast *st, const char *key, const char *val)
{
	struct agent_peer_cfg *p = CUR_PEER(st);
	__u16 port;

	/* A port is accepted so mip6lbd's [peer] lines paste as they are,
	 * but replies go to the SUBSCRIBE's reply address, not here. */
	if (parse_hostport6(val, &p->addr, &port, AGENT_DEFAULT_PORT))
		return bad(st, key, val, "expected an IPv6 address or [ADDRESS]:PORT");
	if (IN6_IS_ADDR_UNSPECIFIED(&p->addr) || IN6_IS_ADDR_MULTICAST(&p->addr))
		return bad(st, key, val, "not a unicast IPv6 address");
	return 0;
}

static int read_key(struct ast *st, struct agent_peer_cfg *p, const char *path)
{
	__u8 buf[sizeof(p->key) + 1];
	size_t len = 0;
	struct stat sb;
	ssize_t r;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(st, st->lineno, -errno, "key_file %s: %s", path, strerror(errno));
	if (fstat(fd, &sb)) {
		rc = fail(st, st->lineno, -errno, "key_file %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = fail(st, st->lineno, -EINVAL, "key_file %s: not a regular file", path);
		goto out;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = fail(st, st->lineno, -EINVAL,
			  "key_file %s: mode %04o lets group or others at the key; chmod 600 it",
			  path, (unsigned int)(sb.st_mode & 07777));
		goto out;
	}
	while (len < sizeof(buf)) {
		r = read(fd, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = fail(st, st->lineno, -errno, "key_file %s: %s", path, strerror(errno));
			goto out;
		}
		if (!r)
			break;
		len += r;
	}
	if (len < PROTO_KEY_MIN || len > PROTO_KEY_MAX) {
		rc = fail(st, st->lineno, -EINVAL, "key_file %s: %s%zu bytes; a key is %d..%d bytes",
			  path, len > PROTO_KEY_MAX ? "over " : "",
			  len > PROTO_KEY_MAX ? (size_t)PROTO_KEY_MAX : len, PROTO_KEY_MIN,
			  PROTO_KEY_MAX);
		goto out;
	}
	memcpy(p->key, buf, len);
	p->key_len = (__u32)len;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

static int set_key_file(struct ast *st, const char *key, const char *val)
{
	char *path = NULL;
	int rc;

	if (!*val)
		return bad(st, key, val, "expected a file name");
	if (val[0] != '/' && st->basedir) {
		if (asprintf(&path, "%s/%s", st->basedir, val) < 0)
			return fail(st, st->lineno, -ENOMEM, "out of memory");
	} else {
		path = strdup(val);
		if (!path)
			return fail(st, st->lineno, -ENOMEM, "out of memory");
	}
	rc = read_key(st, CUR_PEER(st), path);
	free(path);
	return rc;
}

static int set_key_id(struct ast *st, const char *key, const char *val)
{
	return num(st, key, val, 0, 0xffffffffU, &CUR_PEER(st)->key_id);
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
	[K_P_ADDR]       = { SEC_PEER,  "addr",              set_peer_addr },
	[K_P_KEY_FILE]   = { SEC_PEER,  "key_file",          set_key_file },
	[K_P_KEY_ID]     = { SEC_PEER,  "key_id",            set_key_id },
};

/* ---- sections ------------------------------------------------------------ */

static void section_end(struct ast *st)
{
	struct agent_peer_cfg *p;

	if (st->sec != SEC_PEER)
		return;
	p = CUR_PEER(st);
	if (!st->key_line[K_P_ADDR])
		fail(st, p->line, -EINVAL, "peer '%s' has no addr", p->name);
	if (!st->key_line[K_P_KEY_FILE])
		fail(st, p->line, -EINVAL, "peer '%s' has no key_file", p->name);
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	return n && n < AGENT_NAME_LEN &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

static int begin_peer(struct ast *st, const char *name)
{
	struct agent_config *c = st->cfg;
	struct agent_peer_cfg *np;
	int i;

	for (i = 0; i < c->n_peers; i++)
		if (!strcmp(c->peers[i].name, name))
			return fail(st, st->lineno, -EINVAL, "duplicate peer '%s' (first at line %d)",
				    name, c->peers[i].line);
	if (c->n_peers == AGENT_MAX_PEERS)
		return fail(st, st->lineno, -E2BIG, "more than %d peers", AGENT_MAX_PEERS);
	if (c->n_peers == st->cap_peers) {
		int ncap = st->cap_peers ? st->cap_peers * 2 : 8;

		/* Copy and wipe, never realloc: the array holds keys. */
		np = calloc(ncap, sizeof(*np));
		if (!np)
			return fail(st, st->lineno, -ENOMEM, "out of memory");
		if (c->peers) {
			memcpy(np, c->peers, c->n_peers * sizeof(*np));
			explicit_bzero(c->peers, c->n_peers * sizeof(*np));
			free(c->peers);
		}
		c->peers = np;
		st->cap_peers = ncap;
	}
	np = &c->peers[c->n_peers++];
	memset(np, 0, sizeof(*np));
	strcpy(np->name, name);
	np->key_id = 1;
	np->line = st->lineno;
	return 0;
}

static int section_begin(struct ast *st, const char *line)
{
	static const char *const usage = "expected [agent] or [peer NAME]";
	char hdr[128], *tok[3], *t, *save = NULL;
	const char *end = strchr(line, ']'), *rest;
	int n = 0;

	section_end(st);
	if (st->rc)
		return st->rc;
	if (!end)
		return fail(st, st->lineno, -EINVAL, "section header without ']'");
	for (rest = end + 1; *rest == ' ' || *rest == '\t' || *rest == '\r'; rest++)
		;
	if (*rest && *rest != '\n' && *rest != ';' && *rest != '#')
		return fail(st, st->lineno, -EINVAL, "text after the section header");
	if ((size_t)(end - line) > sizeof(hdr))
		return fail(st, st->lineno, -EINVAL, "section header too long");
	memcpy(hdr, line + 1, end - line - 1);
	hdr[end - line - 1] = '\0';
	for (t = strtok_r(hdr, " \t", &save); t && n < 3; t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	memset(st->key_line, 0, sizeof(st->key_line));
	st->sec = SEC_NONE;
	if (n == 1 && !strcmp(tok[0], "agent")) {
		if (st->agent_line)
			return fail(st, st->lineno, -EINVAL, "duplicate [agent] (first at line %d)",
				    st->agent_line);
		st->agent_line = st->lineno;
		st->sec = SEC_AGENT;
		return 0;
	}
	if (n == 2 && !strcmp(tok[0], "peer")) {
		if (!valid_name(tok[1]))
			return fail(st, st->lineno, -EINVAL,
				    "bad name '%s': 1..%d of A-Z a-z 0-9 . _ -", tok[1],
				    AGENT_NAME_LEN - 1);
		if (begin_peer(st, tok[1]))
			return st->rc;
		st->sec = SEC_PEER;
		return 0;
	}
	if (n && (!strcmp(tok[0], "daemon") || !strcmp(tok[0], "service") ||
		  !strcmp(tok[0], "backend")))
		return fail(st, st->lineno, -EINVAL, "[%s] is mip6lbd's, not the agent's; %s",
			    tok[0], usage);
	return fail(st, st->lineno, -EINVAL, "unknown or malformed section header; %s", usage);
}

static char *read_line(char *buf, int num, void *user)
{
	struct ast *st = user;
	const char *p = st->pos, *nl;
	size_t len;

	if (st->rc || !*p)
		return NULL;
	nl = strchr(p, '\n');
	len = nl ? (size_t)(nl - p) + 1 : strlen(p);
	st->pos += len;
	st->lineno++;
	if (st->lineno == 1 && len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3, len -= 3;
	/* No indented continuation lines (see config.c). */
	while (len && (*p == ' ' || *p == '\t'))
		p++, len--;
	if (len + 1 > (size_t)num) {
		fail(st, st->lineno, -EINVAL, "line too long (at most %d characters)", num - 3);
		return NULL;
	}
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (buf[0] == '[' && section_begin(st, buf))
		return NULL;
	return buf;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct ast *st = user;
	int i;

	if (st->rc)
		return 0;
	if (st->sec == SEC_NONE) {
		fail(st, st->lineno, -EINVAL, "'%s' is outside any section", name);
		return 0;
	}
	for (i = 0; i < K_MAX; i++)
		if (keys[i].sec == st->sec && !strcmp(keys[i].name, name))
			break;
	if (i == K_MAX) {
		fail(st, st->lineno, -EINVAL, "unknown key '%s' in [%s]", name,
		     st->sec == SEC_AGENT ? "agent" : "peer");
		return 0;
	}
	if (st->key_line[i]) {
		fail(st, st->lineno, -EINVAL, "'%s' given twice in this section (first at line %d)",
		     name, st->key_line[i]);
		return 0;
	}
	st->key_line[i] = st->lineno;
	if (st->sec == SEC_AGENT)
		st->seen_line[i] = st->lineno;
	return keys[i].set(st, name, value) ? 0 : 1;
}

/* What the role needs, once the whole file is read. */
static void validate(struct ast *st, int role)
{
	struct agent_config *c = st->cfg;
	int line = st->agent_line ? st->agent_line : 1;

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
	struct ast st = {
		.cfg = cfg, .file = file, .basedir = basedir, .err = err, .errlen = errlen,
		.pos = text,
	};
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (err && errlen)
		err[0] = '\0';
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

	if (role != AGENT_ROLE_HA && role != AGENT_ROLE_MN) {
		fail(&st, 0, -EINVAL, "role must be ha or mn");
		goto out;
	}
	ret = ini_parse_stream(read_line, &st, on_key, &st);
	if (ret > 0)
		fail(&st, ret, -EINVAL, "expected '[section]' or 'key = value'");
	else if (ret < 0)
		fail(&st, st.lineno, -ENOMEM, "inih failed (%d)", ret);
	if (!st.rc)
		section_end(&st);
	if (!st.rc)
		validate(&st, role);
out:
	if (st.rc)
		agent_config_free(cfg);
	return st.rc;
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
	struct stat sb;
	ssize_t r;
	size_t len = 0;
	int fd, rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	if (fstat(fd, &sb)) {
		rc = -errno;
		goto fail;
	}
	if (sb.st_size > AGENT_MAX_FILE_BYTES) {
		rc = -EFBIG;
		goto fail;
	}
	text = malloc(sb.st_size + 1);
	if (!text) {
		rc = -ENOMEM;
		goto fail;
	}
	while (len < (size_t)sb.st_size) {
		r = read(fd, text + len, sb.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto fail;
		}
		if (!r)
			break;
		len += r;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		if (err && errlen)
			snprintf(err, errlen, "%s: contains a NUL byte", path);
		rc = -EINVAL;
		goto out;
	}
	dir = strdup(path);
	if (!dir) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = parse_text(text, path, dirname(dir), role, cfg, err, errlen);
	goto out;
fail:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
out:
	if (fd >= 0)
		close(fd);
	free(dir);
	free(text);
	return rc;
}

void agent_config_free(struct agent_config *cfg)
{
	if (!cfg)
		return;
	if (cfg->peers)
		explicit_bzero(cfg->peers, cfg->n_peers * sizeof(*cfg->peers));
	free(cfg->peers);
	memset(cfg, 0, sizeof(*cfg));
}

const char *agent_role_name(int role)
{
	return role == AGENT_ROLE_HA ? "ha" : role == AGENT_ROLE_MN ? "mn" : "?";
}
