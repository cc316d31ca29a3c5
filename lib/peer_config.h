/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * peer_config.h - the [peer NAME] section, the one grammar both INI files
 * use for the other end of the notification protocol: mip6lbd's config
 * (lib/config.c, its Home Agents and mobile nodes) and mip6lb-agent's
 * (agent/agent_config.c, its balancers), so one key file and one set of
 * lines serve both ends.
 *
 *   addr = ADDRESS | [ADDRESS]:PORT    required
 *   key_file = PATH                     required, read once, at load
 *   key_id = N                          default 1
 *   role = ha | mn | balancer           balancer only, required there;
 *                                       balancer: another mip6lbd of the
 *                                       group (session sync; addr's port
 *                                       defaults to 5401 then)
 *   home_prefix = P/LEN[, ...]          balancer only, role = ha only,
 *                                       required there; repeatable
 *   max_subscriptions = N               balancer only, default 16384
 *   subscribe_rate = N                  balancer only, SUBSCRIBEs per
 *                                       second, default 200
 *   subscribe_burst = N                 balancer only, default 500
 *   no_binding_ttl = SECONDS            balancer only, default 300
 *   sync_rate = N                       role = balancer only: sessions sent
 *                                       per second, default 20000
 *   sync_queue = N                      role = balancer only: sessions
 *                                       queued for sending, default 65536
 *
 * The caller's parser owns the file and the other sections and calls in
 * at each [peer] header, each of its keys and its end; errors are the
 * caller's "FILE:LINE: message" (ini_lines.h).
 */
#ifndef MIP6LB_PEER_CONFIG_H
#define MIP6LB_PEER_CONFIG_H

#include <stdbool.h>
#include "config.h"         /* struct cfg_peer, CFG_* limits */
#include "ini_lines.h"

/* Which end's [peer] this is: the agent's takes no role or home_prefix. */
enum peer_end { PEER_END_BALANCER, PEER_END_AGENT };

enum peer_key {
	PEER_K_ADDR, PEER_K_KEY_FILE, PEER_K_KEY_ID, PEER_K_ROLE, PEER_K_HOME_PREFIX,
	PEER_K_MAX_SUBS, PEER_K_SUB_RATE, PEER_K_SUB_BURST, PEER_K_NO_BINDING_TTL,
	PEER_K_SYNC_RATE, PEER_K_SYNC_QUEUE,
	PEER_K_MAX,
};

/* The [peer] part of one parse: embedded in the caller's parser state. */
struct peer_section {
	struct ini_lines *in;
	enum peer_end end;
	int key_line[PEER_K_MAX];       /* where each key was given, this section */
	int cap_peers, cap_prefixes;
	bool port_given;                /* addr named a port, this section */
};

void peer_section_init(struct peer_section *ps, struct ini_lines *in, enum peer_end end);
/* A [peer NAME] header (NAME already checked with ini_lines_name()): a
 * new zeroed entry at the end of *peers, with the defaults.  Refuses a
 * duplicate name and more than CFG_MAX_PEERS.  0 or the error. */
int peer_section_begin(struct peer_section *ps, struct cfg_peer **peers, int *n_peers,
		       const char *name);
/* key = val inside the current [peer] section p, with ini_lines_key()'s
 * checks (unknown, given twice).  0 or the error. */
int peer_section_key(struct peer_section *ps, struct cfg_peer *p, const char *key,
		     const char *val);
/* The next header or the end came: required keys, and keys that only go
 * together.  Errors are reported at p's header line. */
void peer_section_end(struct peer_section *ps, struct cfg_peer *p);

/*
 * Key files (docs/protocol.md, "Keys"), the same at both ends:
 *  - exactly PEER_KEY_HEX_LEN hexadecimal digits (either case), optionally
 *    followed by one newline (LF or CR LF): the key is the 32 bytes they
 *    spell.  What `mip6lb-agent keygen` and `openssl rand -hex 32` write.
 *  - any other file of PROTO_KEY_MIN..PROTO_KEY_MAX bytes: the key is the
 *    file's bytes as they are, a trailing newline included (keys made
 *    before the hex form, e.g. head -c 32 /dev/urandom).
 */
#define PEER_KEY_HEX_LEN  64
#define PEER_KEY_FILE_MAX (PEER_KEY_HEX_LEN + 2)

/* The key in a key file's len bytes: 0 with key (PROTO_KEY_MAX bytes of
 * room) and *keylen set, or -EINVAL (neither form). */
int peer_key_decode(const __u8 *file, size_t len, __u8 *key, size_t *keylen);
/* Write a new key to path: 32 random bytes (libsodium, getrandom(2)) as
 * 64 lowercase hex digits and a newline, mode 0600.  An existing path is
 * refused (-EEXIST) unless force, which replaces it with a new file (never
 * writing through a symlink).  0 or -errno; nothing is left behind on
 * failure. */
int peer_key_generate(const char *path, bool force);

/* A deep copy of n peers (key files and home prefixes included): 0 or
 * -ENOMEM.  *out is never NULL on success, even for n = 0. */
int cfg_peers_dup(struct cfg_peer **out, const struct cfg_peer *src, int n);
/* Free what the parser or cfg_peers_dup() allocated, keys wiped. */
void cfg_peers_free(struct cfg_peer *peers, int n);

#endif /* MIP6LB_PEER_CONFIG_H */
