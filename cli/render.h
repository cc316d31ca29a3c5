/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* render.h - reading the daemon's JSON objects for the human tables. */
#ifndef MIP6LBCTL_RENDER_H
#define MIP6LBCTL_RENDER_H

#include <stdbool.h>

struct json_object;
struct cli_cmd;

/* Field as text ("-" when absent or null; numbers and booleans as JSON). */
const char *jstr(struct json_object *o, const char *key);
long long jint(struct json_object *o, const char *key, long long def);
bool jbool(struct json_object *o, const char *key);
/* The array at key, or NULL. */
struct json_object *jarray(struct json_object *o, const char *key);

/* The request's "args": the parsed arguments minus the CLI's own. */
struct json_object *request_args(const struct cli_cmd *cmd, struct json_object *args);

#endif
