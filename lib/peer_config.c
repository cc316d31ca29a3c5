// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * peer_config.c - the [peer NAME] section of both INI files (mip6lbd's and
 * mip6lb-agent's): the header, each key and the checks at the section's
 * end (peer_config.h has the grammar).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sodium.h>
#include "peer_config.h"
#include "peer_link.h"
#include "proto.h"
#include "strparse.h"

_Static_assert(PEER_KEY_FILE_MAX <= INI_LINES_KEY_MAX, "ini_lines_read_key() reads a key file");
_Static_assert(PEER_KEY_HEX_LEN / 2 >= PROTO_KEY_MIN, "a hex key file is a key the protocol takes");
_Static_assert(CFG_KEY_MIN == PROTO_KEY_MIN && CFG_KEY_MAX == PROTO_KEY_MAX,
	       "a key the config takes is one the protocol takes");
_Static_assert(CFG_NAME_LEN <= PEER_NAME_LEN, "a peer's name fits its peer_link");
_Static_assert(CFG_NOTIFY_PORT == PROTO_DEFAULT_PORT, "one default port at both ends");

#define fail(ps, ...) ini_lines_fail((ps)->in, __VA_ARGS__)
#define bad(ps, ...)  ini_lines_bad((ps)->in, __VA_ARGS__)

typedef int (*setter_fn)(struct peer_section *ps, struct cfg_peer *p, const char *key,
			 const char *val);

/* The agent accepts a port so mip6lbd's [peer] lines paste as they are,
 * but it replies to the SUBSCRIBE's reply address, not here. */
static int set_addr(struct peer_section *ps, struct cfg_peer *p, const char *key,
		    const char *val)
{
	if (parse_hostport6(val, &p->addr, &p->port, CFG_NOTIFY_PORT))
		return bad(ps, key, val, "expected an IPv6 address or [ADDRESS]:PORT");
	/* The default port depends on the role, which may come later; only
	 * the bracketed form names one. */
	ps->port_given = val[0] == '[';
	if (IN6_IS_ADDR_UNSPECIFIED(&p->addr) || IN6_IS_ADDR_MULTICAST(&p->addr))
		return bad(ps, key, val, "not a unicast IPv6 address");
	return 0;
}

/* ---- key files (docs/protocol.md, "Keys") ------------------------------ */

static int hex_val(__u8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The hex form is tried first: `openssl rand -hex 32 > key` and keygen's
 * files (64 digits and a newline) must work, and a text file survives
 * copy and paste between hosts where raw bytes do not. */
int peer_key_decode(const __u8 *file, size_t len, __u8 *key, size_t *keylen)
{
	size_t n = len, i;
	int hi, lo;

	if (n == PEER_KEY_HEX_LEN + 2 && file[n - 2] == '\r' && file[n - 1] == '\n')
		n -= 2;
	else if (n == PEER_KEY_HEX_LEN + 1 && file[n - 1] == '\n')
		n -= 1;
	if (n == PEER_KEY_HEX_LEN) {
		for (i = 0; i < n; i++)
			if (hex_val(file[i]) < 0)
				break;
		if (i == n) {
			for (i = 0; i < n / 2; i++) {
				hi = hex_val(file[2 * i]);
				lo = hex_val(file[2 * i + 1]);
				key[i] = (__u8)(hi << 4 | lo);
			}
			*keylen = n / 2;
			return 0;
		}
	}
	/* Anything else is the key as it is, as before issue 16 (a trailing
	 * newline included): keys made with head -c 32 /dev/urandom. */
	if (len < PROTO_KEY_MIN || len > PROTO_KEY_MAX)
		return -EINVAL;
	memcpy(key, file, len);
	*keylen = len;
	return 0;
}

int peer_key_generate(const char *path, bool force)
{
	__u8 key[PEER_KEY_HEX_LEN / 2];
	char text[PEER_KEY_HEX_LEN + 2];
	size_t off = 0;
	ssize_t w;
	int fd, err = 0;

	if (force && unlink(path) && errno != ENOENT)
		return -errno;
	/* O_EXCL: never through a symlink, never over a key in use;
	 * 0600 from the start, so the key is never readable by others. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	randombytes_buf(key, sizeof(key));     /* getrandom(2) */
	sodium_bin2hex(text, sizeof(text), key, sizeof(key));
	text[PEER_KEY_HEX_LEN] = '\n';
	while (off < PEER_KEY_HEX_LEN + 1) {
		w = write(fd, text + off, PEER_KEY_HEX_LEN + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)w;
	}
	if (!err && fchmod(fd, 0600))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	sodium_memzero(key, sizeof(key));
	sodium_memzero(text, sizeof(text));
	if (err)
		unlink(path);
	return err;
}

/* The key is read now, once: the daemon may drop privileges later, and a
 * config that loads must not fail on its first notification. */
static int set_key_file(struct peer_section *ps, struct cfg_peer *p, const char *key,
			const char *val)
{
	__u8 raw[PEER_KEY_FILE_MAX + 1];
	__u32 rawlen = 0;
	size_t keylen = 0;
	int rc;

	p->key_file = ini_lines_path(ps->in, key, val);
	if (!p->key_file)
		return ps->in->rc;
	rc = ini_lines_read_key(ps->in, p->key_file, raw, 0, PEER_KEY_FILE_MAX, &rawlen);
	if (!rc && peer_key_decode(raw, rawlen, p->key, &keylen))
		rc = fail(ps, ps->in->lineno, -EINVAL,
			  "key_file %s: %s%u bytes; a key is 32..64 bytes, or 64 hex digits "
			  "and a newline (mip6lb-agent keygen)", p->key_file,
			  rawlen > PROTO_KEY_MAX ? "over " : "",
			  rawlen > PROTO_KEY_MAX ? PROTO_KEY_MAX : rawlen);
	p->key_len = (__u32)keylen;
	explicit_bzero(raw, sizeof(raw));
	return rc;
}

static int set_key_id(struct peer_section *ps, struct cfg_peer *p, const char *key,
		      const char *val)
{
	return ini_lines_num(ps->in, key, val, 0, 0xffffffffU, &p->key_id);
}

static int set_role(struct peer_section *ps, struct cfg_peer *p, const char *key,
		    const char *val)
{
	if (!strcmp(val, "ha"))
		p->role = MIP6LB_NOTIFY_HA;
	else if (!strcmp(val, "mn"))
		p->role = MIP6LB_NOTIFY_MN;
	else if (!strcmp(val, "balancer"))
		p->role = CFG_ROLE_BALANCER;
	else
		return bad(ps, key, val, "expected ha, mn or balancer");
	return 0;
}

static int set_home_prefix(struct peer_section *ps, struct cfg_peer *p, const char *key,
			   const char *val)
{
	char buf[256], *tok, *save = NULL;
	struct cfg_prefix pf;
	int n = 0;

	if (strlen(val) >= sizeof(buf))
		return bad(ps, key, val, "too long");
	strcpy(buf, val);
	for (tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save), n++) {
		if (parse_prefix6(tok, &pf.addr, &pf.plen))
			return bad(ps, key, val, "expected PREFIX/LENGTH with a length of 1..128");
		/* /0 would claim every node on the Internet for this agent. */
		if (pf.plen == 0)
			return bad(ps, key, val, "prefix length 0 covers every address");
		if (prefix6_host_bits_set(&pf.addr, pf.plen))
			return bad(ps, key, val, "bits set past the prefix length");
		if (p->n_home_prefixes == CFG_MAX_HOME_PREFIXES)
			return bad(ps, key, val, "more than %d home prefixes", CFG_MAX_HOME_PREFIXES);
		if (ini_lines_grow(ps->in, (void **)&p->home_prefixes, p->n_home_prefixes,
				   &ps->cap_prefixes, sizeof(pf)))
			return ps->in->rc;
		p->home_prefixes[p->n_home_prefixes++] = pf;
	}
	if (!n)
		return bad(ps, key, val, "expected PREFIX/LENGTH");
	return 0;
}

static int set_max_subs(struct peer_section *ps, struct cfg_peer *p, const char *key,
			const char *val)
{
	return ini_lines_num(ps->in, key, val, 1, 1U << 24, &p->max_subscriptions);
}

static int set_sub_rate(struct peer_section *ps, struct cfg_peer *p, const char *key,
			const char *val)
{
	return ini_lines_num(ps->in, key, val, 1, 1000000, &p->subscribe_rate);
}

static int set_sub_burst(struct peer_section *ps, struct cfg_peer *p, const char *key,
			 const char *val)
{
	return ini_lines_num(ps->in, key, val, 1, 1000000, &p->subscribe_burst);
}

static int set_no_binding_ttl(struct peer_section *ps, struct cfg_peer *p, const char *key,
			      const char *val)
{
	return ini_lines_num(ps->in, key, val, 1, 86400, &p->no_binding_ttl_s);
}

static int set_sync_rate(struct peer_section *ps, struct cfg_peer *p, const char *key,
			 const char *val)
{
	return ini_lines_num(ps->in, key, val, 1, 10000000, &p->sync_rate);
}

static int set_sync_queue(struct peer_section *ps, struct cfg_peer *p, const char *key,
			  const char *val)
{
	return ini_lines_num(ps->in, key, val, 16, 1U << 24, &p->sync_queue);
}

static const struct {
	const char *name;
	bool balancer_only;
	bool repeatable;
	setter_fn set;
} keys[PEER_K_MAX] = {
	[PEER_K_ADDR]        = { "addr",        false, false, set_addr },
	[PEER_K_KEY_FILE]    = { "key_file",    false, false, set_key_file },
	[PEER_K_KEY_ID]      = { "key_id",      false, false, set_key_id },
	[PEER_K_ROLE]        = { "role",        true,  false, set_role },
	[PEER_K_HOME_PREFIX] = { "home_prefix", true,  true,  set_home_prefix },
	[PEER_K_MAX_SUBS]    = { "max_subscriptions", true, false, set_max_subs },
	[PEER_K_SUB_RATE]    = { "subscribe_rate",  true, false, set_sub_rate },
	[PEER_K_SUB_BURST]   = { "subscribe_burst", true, false, set_sub_burst },
	[PEER_K_NO_BINDING_TTL] = { "no_binding_ttl", true, false, set_no_binding_ttl },
	[PEER_K_SYNC_RATE]   = { "sync_rate",  true, false, set_sync_rate },
	[PEER_K_SYNC_QUEUE]  = { "sync_queue", true, false, set_sync_queue },
};

void peer_section_init(struct peer_section *ps, struct ini_lines *in, enum peer_end end)
{
	memset(ps, 0, sizeof(*ps));
	ps->in = in;
	ps->end = end;
}

int peer_section_begin(struct peer_section *ps, struct cfg_peer **peers, int *n_peers,
		       const char *name)
{
	struct cfg_peer *p;
	int i;

	for (i = 0; i < *n_peers; i++)
		if (!strcmp((*peers)[i].name, name))
			return fail(ps, ps->in->lineno, -EINVAL,
				    "duplicate peer '%s' (first at line %d)", name,
				    (*peers)[i].line);
	if (*n_peers == CFG_MAX_PEERS)
		return fail(ps, ps->in->lineno, -E2BIG, "more than %d peers", CFG_MAX_PEERS);
	if (ini_lines_grow(ps->in, (void **)peers, *n_peers, &ps->cap_peers, sizeof(*p)))
		return ps->in->rc;
	p = &(*peers)[(*n_peers)++];
	memset(p, 0, sizeof(*p));
	strcpy(p->name, name);
	p->port = CFG_NOTIFY_PORT;
	p->key_id = 1;
	p->max_subscriptions = CFG_PEER_MAX_SUBS;
	p->subscribe_rate = CFG_PEER_SUB_RATE;
	p->subscribe_burst = CFG_PEER_SUB_BURST;
	p->no_binding_ttl_s = CFG_PEER_NO_BINDING_TTL;
	p->sync_rate = CFG_SYNC_RATE;
	p->sync_queue = CFG_SYNC_QUEUE;
	p->line = ps->in->lineno;
	ps->port_given = false;
	memset(ps->key_line, 0, sizeof(ps->key_line));
	ps->cap_prefixes = 0;
	return 0;
}

int peer_section_key(struct peer_section *ps, struct cfg_peer *p, const char *key,
		     const char *val)
{
	int i;

	for (i = 0; i < PEER_K_MAX; i++)
		if (!strcmp(keys[i].name, key) &&
		    (ps->end == PEER_END_BALANCER || !keys[i].balancer_only))
			break;
	if (ini_lines_key(ps->in, "peer", key, i < PEER_K_MAX ? &ps->key_line[i] : NULL,
			  i < PEER_K_MAX && keys[i].repeatable))
		return ps->in->rc;
	return keys[i].set(ps, p, key, val);
}

void peer_section_end(struct peer_section *ps, struct cfg_peer *p)
{
	if (!ps->key_line[PEER_K_ADDR])
		fail(ps, p->line, -EINVAL, "peer '%s' has no addr", p->name);
	if (!ps->key_line[PEER_K_KEY_FILE])
		fail(ps, p->line, -EINVAL, "peer '%s' has no key_file", p->name);
	if (ps->end != PEER_END_BALANCER)
		return;
	if (!p->role)
		fail(ps, p->line, -EINVAL, "peer '%s' has no role (ha, mn or balancer)", p->name);
	if (p->role == CFG_ROLE_BALANCER && !ps->port_given)
		p->port = CFG_SYNC_PORT;
	if (p->role == CFG_ROLE_BALANCER && p->n_home_prefixes)
		fail(ps, ps->key_line[PEER_K_HOME_PREFIX], -EINVAL,
		     "peer '%s': home_prefix is only for role = ha", p->name);
	if (p->role != CFG_ROLE_BALANCER &&
	    (ps->key_line[PEER_K_SYNC_RATE] || ps->key_line[PEER_K_SYNC_QUEUE]))
		fail(ps, ps->key_line[PEER_K_SYNC_RATE] ? ps->key_line[PEER_K_SYNC_RATE]
							 : ps->key_line[PEER_K_SYNC_QUEUE],
		     -EINVAL, "peer '%s': sync_rate and sync_queue are only for role = balancer",
		     p->name);
	if (p->role == MIP6LB_NOTIFY_HA && !p->n_home_prefixes)
		fail(ps, p->line, -EINVAL, "peer '%s': role = ha needs a home_prefix", p->name);
	if (p->role == MIP6LB_NOTIFY_MN && p->n_home_prefixes)
		fail(ps, ps->key_line[PEER_K_HOME_PREFIX], -EINVAL,
		     "peer '%s': home_prefix is only for role = ha", p->name);
}

int cfg_peers_dup(struct cfg_peer **out, const struct cfg_peer *src, int n)
{
	const size_t psz = sizeof(struct cfg_prefix);
	struct cfg_peer *d;
	int i;

	d = calloc(n ? n : 1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		d[i] = src[i];
		d[i].key_file = NULL;
		d[i].home_prefixes = NULL;
		d[i].n_home_prefixes = 0;
		if (src[i].key_file && !(d[i].key_file = strdup(src[i].key_file)))
			goto fail;
		if (src[i].n_home_prefixes) {
			d[i].home_prefixes = calloc(src[i].n_home_prefixes, psz);
			if (!d[i].home_prefixes)
				goto fail;
			memcpy(d[i].home_prefixes, src[i].home_prefixes, src[i].n_home_prefixes * psz);
			d[i].n_home_prefixes = src[i].n_home_prefixes;
		}
	}
	*out = d;
	return 0;
fail:
	cfg_peers_free(d, i + 1);
	return -ENOMEM;
}

void cfg_peers_free(struct cfg_peer *peers, int n)
{
	int i;

	if (!peers)
		return;
	for (i = 0; i < n; i++) {
		free(peers[i].key_file);
		free(peers[i].home_prefixes);
	}
	explicit_bzero(peers, n * sizeof(*peers));
	free(peers);
}
