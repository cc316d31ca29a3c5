/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* client.h - the client side of the control socket (docs/control.md): one
 * JSON request per connection, one JSON response back. */
#ifndef MIP6LBCTL_CTL_H
#define MIP6LBCTL_CTL_H

#include "cli.h"

/* Seconds to wait for the daemon's answer before giving up. */
#define CTL_TIMEOUT_S 60

/*
 * Send {"cmd": cmd, "args": args} (args may be NULL for {}; it is not
 * consumed) to ctx->socket and read the response.  On {"ok": true} returns
 * CLI_OK with *data set (caller puts it; an absent data is {}).  Otherwise
 * prints one "mip6lbctl: ..." line and returns CLI_ERR: unreachable socket,
 * timeout, a response that is not JSON, or the daemon's "error".
 */
int ctl_request(const struct cli_ctx *ctx, const char *cmd, struct json_object *args,
		struct json_object **data);

#endif
