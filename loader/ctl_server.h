/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ctl_server.h - mip6lbd's side of the control socket (docs/control.md): a unix
 * stream socket, one JSON request and one JSON response per connection.
 * Nothing here blocks the daemon's event loop: connections are read and
 * written without blocking, a response the client does not take at once
 * waits in the connection's output buffer for EPOLLOUT, and the limits
 * below decide who is dropped when clients are slow, idle or too many.
 * The socket is ctl_server.c, the commands ctl_commands.c.  (The CLI's
 * side is cli/client.c.)
 */
#ifndef MIP6LB_CTL_H
#define MIP6LB_CTL_H

#include <stddef.h>
#include <linux/types.h>

/* A request larger than this gets "request too large". */
#define CTL_MAX_REQUEST     (64 * 1024)
/* A connection must send its whole request within this many seconds of
 * connecting, and once answered must take some of its response at least
 * this often; otherwise it is dropped. */
#define CTL_CONN_TIMEOUT_S  5
/* Connections open at once.  One more evicts the one that has gone
 * longest without progress, so a new client (status) is always served. */
#define CTL_MAX_CONNS       64
/* Response bytes held for all clients together (what the kernel has not
 * taken yet).  Each connection holds at most one response; when a new one
 * pushes the total past this, the connections that have gone longest
 * without reading are dropped.  A single larger response is still sent
 * to a client that reads it. */
#define CTL_MAX_QUEUED      (32u << 20)

struct daemon;
struct ctl_server;

/* Refuse a path that exists and is not a socket (-EEXIST, logged) or is
 * too long: mip6lbd checks --socket with it before loading anything. */
int ctlsrv_check_path(const char *path);
/* Create the socket at path (mode 0600; its directory is created 0755 if
 * missing; a stale socket is replaced, a live one is -EADDRINUSE, anything
 * else at path is -EEXIST and left alone) and register it in d->loop. */
int ctlsrv_open(struct ctl_server **out, const char *path, struct daemon *d);
/* Close every connection and the socket, and remove the socket file. */
void ctlsrv_close(struct ctl_server *s);
/* Drop connections past their deadline (CTL_CONN_TIMEOUT_S) and resume
 * accepting if it was paused; mip6lbd calls it from its 1 s timer. */
void ctlsrv_expire(struct ctl_server *s, __u64 now_ns);
/* Open connections (tests). */
unsigned int ctlsrv_conns(const struct ctl_server *s);
/* Replace CTL_MAX_QUEUED (tests, to reach it with small responses). */
void ctlsrv_set_max_queued(struct ctl_server *s, size_t bytes);

/* Handle one request: exactly one JSON object, optionally followed by
 * whitespace.  Returns the response text, newline-terminated, malloc'd
 * (NULL only when out of memory).  What the server does per connection;
 * tests call it directly.  In ctl_commands.c. */
char *ctlsrv_handle(struct daemon *d, const char *req, size_t len);

#endif
