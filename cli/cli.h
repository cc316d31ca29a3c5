/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * cli.h - mip6lbctl's shared types: the command table entry, the argument
 * spec every command's keywords are parsed from, and the run context.
 *
 * A command is a row in cmds[] (mip6lbctl.c): its path words, an argument
 * spec, a handler and its help.  The parser (args.c) reads only the spec, so
 * usage lines, --help pages, validation and the JSON request sent to the
 * daemon (docs/control.md) all come from the same table and cannot drift.
 */
#ifndef MIP6LBCTL_CLI_H
#define MIP6LBCTL_CLI_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

struct json_object;

#define CLI_PROG            "mip6lbctl"
#define CLI_DEFAULT_SOCKET  "/run/mip6lb/mip6lbd.sock"

/* Exit codes (docs/mip6lbctl.md). */
#define CLI_OK     0
#define CLI_ERR    1
#define CLI_USAGE  2

/* How one argument's text is checked and turned into its JSON value. */
enum cli_type {
	CT_NAME,        /* service/backend name, as the config file allows */
	CT_ADDR,        /* unicast IPv6 address, sent in RFC 5952 form */
	CT_U32,         /* decimal in min..max, sent as a JSON number */
	CT_PROTO,       /* tcp | udp | any */
	CT_IDLIST,      /* hoa,spi,iid,src in priority order */
	CT_FORWARD,     /* l2-dsr | ip6ip6 */
	CT_YESNO,       /* yes | no (also true/false, on/off, 1/0), sent "yes"/"no" */
	CT_CHAIN,       /* src | drop */
	CT_NOTIFY,      /* off | ha | mn */
	CT_MAC,         /* unicast MAC */
	CT_IFNAME,      /* interface name */
	CT_KIND,        /* hoa | spi | iid | src | coa */
	CT_IDENTITY,    /* text form for the command's kind argument */
	CT_PATH,        /* any non-empty string (files) */
};

#define CA_POS    (1U << 0)  /* positional: given by place, shown as META */
#define CA_OPT    (1U << 1)  /* may be left out */
#define CA_LOCAL  (1U << 2)  /* used by the CLI itself, never sent */
#define CA_MULTI  (1U << 3)  /* positional, last: every remaining word, a JSON array */

struct cli_arg {
	const char *word;       /* keyword ("vip", "--watch"); NULL when CA_POS */
	const char *alias;      /* second spelling of word ("--config"), or NULL */
	const char *meta;       /* "ADDR", "SERVICE" */
	const char *key;        /* JSON key in "args" */
	enum cli_type type;
	unsigned int flags;     /* CA_* */
	__u32 min, max;         /* CT_U32 */
	const char *help;
};

struct cli_ctx {
	bool json;              /* -j */
	bool pretty;            /* -p */
	const char *socket;     /* -s */
	int verbose;            /* -v */
};

struct cli_cmd;
typedef int (*cli_handler)(struct cli_ctx *ctx, const struct cli_cmd *cmd,
			   struct json_object *args);
/* Checks that involve several arguments; returns 0 or writes a message. */
typedef int (*cli_check)(struct json_object *args, char *err, size_t len);

struct cli_cmd {
	const char *path;               /* "backend add": also the request's cmd */
	const struct cli_arg *args;     /* terminated by an entry with no key */
	cli_handler run;
	cli_check check;
	const char *summary;            /* one line, for `mip6lbctl help` */
	const char *help;               /* paragraph for `COMMAND --help` */
};

/* args.c: parse argv (the words after the command path) into *out, a JSON
 * object keyed by cli_arg.key.  Returns CLI_OK, CLI_USAGE (message and usage
 * printed), or -1 when --help was asked for (help printed on stdout). */
int cli_parse_args(const struct cli_cmd *cmd, int argc, char **argv,
		   struct cli_ctx *ctx, struct json_object **out);
/* "mip6lbctl backend add SERVICE NAME addr ADDR [weight N] ..." */
void cli_usage_line(const struct cli_cmd *cmd, FILE *f);
void cli_command_help(const struct cli_cmd *cmd, FILE *f);
/* Error + usage on stderr; returns CLI_USAGE. */
int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Errors go to stderr as "mip6lbctl: ..."; returns CLI_ERR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a JSON document on stdout as -j/-p ask. */
void cli_print_json(const struct cli_ctx *ctx, struct json_object *obj);

/* Handlers (render.c, stats.c, classify.c). */
int cmd_daemon_request(struct cli_ctx *ctx, const struct cli_cmd *cmd,
		       struct json_object *args);
int cmd_stats(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args);
int cmd_classify(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args);
int cmd_probe(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args);

#endif
