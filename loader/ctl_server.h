/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ctl_server.h - mip6lbd's side of the control socket (docs/control.md): a unix
 * stream socket, one JSON request and one JSON response per connection.
 * Connections are read without blocking from the daemon's event loop; a
 * peer that has not sent its whole request within CTL_CONN_TIMEOUT_S is
 * dropped.  The socket is ctl_server.c, the commands ctl_commands.c.
 * (The CLI's side is cli/client.c.)
 */
#ifndef MIP6LB_CTL_H
#define MIP6LB_CTL_H

#include <stddef.h>
#include <linux/types.h>

#define CTL_MAX_REQUEST     (64 * 1024)
#define CTL_CONN_TIMEOUT_S  5

struct daemon;
struct ctl_server;

/* Create the socket at path (mode 0600; its directory is created 0755 if
 * missing; a stale socket is replaced, a live one is -EADDRINUSE) and
 * register it in d->loop. */
int ctlsrv_open(struct ctl_server **out, const char *path, struct daemon *d);
/* Close every connection and the socket, and remove the socket file. */
void ctlsrv_close(struct ctl_server *s);
/* Drop connections older than CTL_CONN_TIMEOUT_S (call from a timer). */
void ctlsrv_expire(struct ctl_server *s, __u64 now_ns);

/* Handle one request: the response text, newline-terminated, malloc'd
 * (NULL only when out of memory).  What the server does per connection;
 * tests call it directly.  In ctl_commands.c. */
char *ctlsrv_handle(struct daemon *d, const char *req, size_t len);

#endif
