// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lb-decap.c - the command and option tables, and main().
 *
 *   mip6lb-decap [-v] attach DEV --addr ADDR [--addr ADDR]... [--xdp-mode M] [--pin-dir DIR]
 *   mip6lb-decap [-v] detach DEV [--pin-dir DIR]
 *   mip6lb-decap [-v] addr add|del DEV ADDR
 *   mip6lb-decap [-v] status [DEV] [-j] [--pin-dir DIR]
 *
 * Options may come anywhere on the line; each command lists the ones it
 * takes, and any other is a usage error rather than silently ignored.
 * Exit codes: 0 ok, 1 error, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmdpath.h"
#include "decap.h"
#include "log.h"

/* ---- options ------------------------------------------------------------ */

enum {
	O_ADDR = 1 << 0,
	O_MODE = 1 << 1,
	O_PIN  = 1 << 2,
	O_JSON = 1 << 3,
};

struct opt {
	int short_name;
	const char *long_name;
	int has_arg;
	unsigned int bit;        /* 0: every command takes it */
	const char *meta;
	const char *help;
};

static const struct opt opts[] = {
	{ 'a', "addr", required_argument, O_ADDR, "ADDR",
	  "decapsulate packets to ADDR (repeatable, 1.." "64" ")" },
	{ 'm', "xdp-mode", required_argument, O_MODE, "native|generic|auto",
	  "XDP mode; auto (default) is native, else generic" },
	{ 'p', "pin-dir", required_argument, O_PIN, "DIR",
	  "where the maps are pinned (default " DECAP_PIN_ROOT "/DEV)" },
	{ 'j', "json", no_argument, O_JSON, NULL, "one JSON document instead of tables" },
	{ 'v', "verbose", no_argument, 0, NULL, "debug output, libbpf's and libxdp's included" },
	{ 'h', "help", no_argument, 0, NULL, "this help, or a command's" },
};
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

_Static_assert(MIP6LB_DECAP_MAX_ADDRS == 64, "the --addr help says 1..64");

/* ---- commands ----------------------------------------------------------- */

enum pos_kind { P_DEV, P_ADDR };

struct cmd {
	const char *path;               /* "addr add": words on the command line */
	int (*run)(const struct decap_opts *o);
	int min_pos, max_pos;
	enum pos_kind pos[2];
	unsigned int opts;              /* O_* it takes */
	bool needs_addr;                /* at least one --addr */
	const char *usage;
	const char *help;
};

static const struct cmd cmds[] = {
	{ "attach", cmd_attach, 1, 1, { P_DEV }, O_ADDR | O_MODE | O_PIN, true,
	  "DEV --addr ADDR [--addr ADDR]... [--xdp-mode native|generic|auto] [--pin-dir DIR]",
	  "Load mip6lb_decap, fill decap_addrs with the --addr addresses, attach\n"
	  "it to DEV through libxdp and pin its maps under DIR.  On a DEV that\n"
	  "already runs it, replace the address set in one step (the program is\n"
	  "swapped; the counters carry over)." },
	{ "detach", cmd_detach, 1, 1, { P_DEV }, O_PIN, false, "DEV [--pin-dir DIR]",
	  "Detach mip6lb_decap from DEV (no other program) and remove its pins." },
	{ "addr add", cmd_addr_add, 2, 2, { P_DEV, P_ADDR }, 0, false, "DEV ADDR",
	  "Decapsulate packets to ADDR too, at once (a map update)." },
	{ "addr del", cmd_addr_del, 2, 2, { P_DEV, P_ADDR }, 0, false, "DEV ADDR",
	  "Stop decapsulating packets to ADDR.  The last address cannot go: detach." },
	{ "status", cmd_status, 0, 1, { P_DEV }, O_JSON | O_PIN, false, "[DEV] [-j] [--pin-dir DIR]",
	  "Every interface running mip6lb_decap (or DEV): mode, program id,\n"
	  "addresses, pin dir and the counters summed over CPUs.  With -j:\n"
	  "{\"interfaces\":[{\"name\",\"ifindex\",\"mode\",\"prog_id\",\"pin_dir\",\n"
	  "\"addresses\":[...],\"counters\":{\"rx\":{\"packets\",\"bytes\"},...}}]}.\n"
	  "--pin-dir needs DEV." },
};
#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static const struct cmd *find_cmd(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < N_CMDS; i++)
		if (cmd_path_matches(cmds[i].path, argc, argv))
			return &cmds[i];
	return NULL;
}

static void opt_left(const struct opt *op, char *buf, size_t len)
{
	snprintf(buf, len, "-%c, --%s%s%s", op->short_name, op->long_name, op->meta ? " " : "",
		 op->meta ? op->meta : "");
}

static void main_help(FILE *f)
{
	char left[64];
	size_t i;

	fprintf(f, "Usage: %s [OPTIONS] COMMAND [ARGS]\n\n"
		"Attach mip6lb's ip6ip6 decapsulator (XDP) to a backend's interface and\n"
		"report on it.\n\nCommands:\n", DECAP_TOOL);
	for (i = 0; i < N_CMDS; i++)
		fprintf(f, "  %s %s\n", cmds[i].path, cmds[i].usage);
	fprintf(f, "  help [COMMAND]\n\nOptions:\n");
	for (i = 0; i < N_OPTS; i++) {
		opt_left(&opts[i], left, sizeof(left));
		fprintf(f, "  %-36s %s\n", left, opts[i].help);
	}
	fprintf(f, "\nExit codes: 0 ok, 1 error, 2 usage.\n");
}

static void cmd_help(const struct cmd *c, FILE *f)
{
	char left[64];
	size_t i;

	fprintf(f, "Usage: %s %s %s\n\n%s\n", DECAP_TOOL, c->path, c->usage, c->help);
	if (c->opts) {
		fprintf(f, "\nOptions:\n");
		for (i = 0; i < N_OPTS; i++) {
			if (!(opts[i].bit & c->opts))
				continue;
			opt_left(&opts[i], left, sizeof(left));
			fprintf(f, "  %-36s %s\n", left, opts[i].help);
		}
	}
}

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", DECAP_TOOL);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; try '%s help'\n", DECAP_TOOL);
	return DECAP_EXIT_USAGE;
}

/* ---- argument checks ---------------------------------------------------- */

static int parse_addr(const char *s, struct in6_addr *a)
{
	const char *why;
	char text[INET6_ADDRSTRLEN];

	/* inet_pton takes the whole string: "2001:db8::1/64", " ::1" and
	 * "[::1]" are all refused, as the other mip6lb parsers refuse them. */
	if (inet_pton(AF_INET6, s, a) != 1)
		return usage("'%s' is not an IPv6 address", s);
	if (decap_addr_check(a, &why)) {
		inet_ntop(AF_INET6, a, text, sizeof(text));
		return usage("%s is %s, which cannot be a decap address", text, why);
	}
	return 0;
}

static int add_addr(struct decap_opts *o, const char *s)
{
	struct in6_addr a;
	int err, i;

	err = parse_addr(s, &a);
	if (err)
		return err;
	for (i = 0; i < o->n_addrs; i++)
		if (!memcmp(&o->addrs[i], &a, sizeof(a)))
			return usage("--addr %s given twice", s);
	if (o->n_addrs == MIP6LB_DECAP_MAX_ADDRS)
		return usage("at most %d --addr", MIP6LB_DECAP_MAX_ADDRS);
	o->addrs[o->n_addrs++] = a;
	return 0;
}

static int parse_mode(const char *s, enum xdp_attach_mode *mode)
{
	if (!strcmp(s, "native"))
		*mode = XDP_MODE_NATIVE;
	else if (!strcmp(s, "generic"))
		*mode = XDP_MODE_SKB;
	else if (!strcmp(s, "auto"))
		*mode = XDP_MODE_UNSPEC;
	else
		return usage("--xdp-mode '%s': native, generic or auto", s);
	return 0;
}

static int check_dev(const char *s)
{
	if (!*s || strlen(s) >= IF_NAMESIZE || strchr(s, '/') || strchr(s, ' '))
		return usage("'%s' is not an interface name", s);
	return 0;
}

int main(int argc, char **argv)
{
	struct option lopts[N_OPTS + 1];
	char shorts[2 * N_OPTS + 2] = ":";   /* ":" tells a missing argument apart */
	struct decap_opts o = { .mode = XDP_MODE_UNSPEC };
	const char *addr_args[MIP6LB_DECAP_MAX_ADDRS + 1];
	unsigned int seen = 0;
	const struct cmd *c;
	char **pos;
	int n_addr_args = 0, npos, used, ch, err, i;
	bool help = false;
	size_t k;

	log_set_ident(DECAP_TOOL);
	memset(lopts, 0, sizeof(lopts));
	for (k = 0; k < N_OPTS; k++) {
		lopts[k] = (struct option){ opts[k].long_name, opts[k].has_arg, NULL,
					    opts[k].short_name };
		snprintf(shorts + strlen(shorts), sizeof(shorts) - strlen(shorts), "%c%s",
			 opts[k].short_name, opts[k].has_arg ? ":" : "");
	}
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			seen |= O_ADDR;
			if (n_addr_args > MIP6LB_DECAP_MAX_ADDRS)
				return usage("at most %d --addr", MIP6LB_DECAP_MAX_ADDRS);
			addr_args[n_addr_args++] = optarg;
			break;
		case 'm':
			seen |= O_MODE;
			o.mode_given = true;
			if (parse_mode(optarg, &o.mode))
				return DECAP_EXIT_USAGE;
			break;
		case 'p':
			seen |= O_PIN;
			if (optarg[0] != '/')
				return usage("--pin-dir '%s': an absolute path on bpffs", optarg);
			o.pin_dir = optarg;
			break;
		case 'j':
			seen |= O_JSON;
			o.json = true;
			break;
		case 'v':
			o.verbose++;
			break;
		case 'h':
			help = true;
			break;
		case ':':
			return usage("%s needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return usage("unknown option '-%c'", optopt);
			return usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	pos = argv + optind;
	npos = argc - optind;

	if (!npos) {
		if (help) {
			main_help(stdout);
			return DECAP_EXIT_OK;
		}
		return usage("no command");
	}
	if (!strcmp(pos[0], "help")) {
		if (npos == 1) {
			main_help(stdout);
			return DECAP_EXIT_OK;
		}
		c = find_cmd(npos - 1, pos + 1);
		if (!c || cmd_path_words(c->path) != npos - 1)
			return usage("help: no command '%s%s%s'", pos[1], npos > 2 ? " " : "",
				     npos > 2 ? pos[2] : "");
		cmd_help(c, stdout);
		return DECAP_EXIT_OK;
	}
	c = find_cmd(npos, pos);
	if (!c) {
		if (!strcmp(pos[0], "addr"))
			return usage(npos > 1 ? "unknown command 'addr %s' (add or del)"
					      : "'addr' needs add or del%s", npos > 1 ? pos[1] : "");
		return usage("unknown command '%s'", pos[0]);
	}
	if (help) {
		cmd_help(c, stdout);
		return DECAP_EXIT_OK;
	}
	used = cmd_path_words(c->path);
	pos += used;
	npos -= used;
	for (k = 0; k < N_OPTS; k++)
		if (opts[k].bit & seen & ~c->opts)
			return usage("'%s' does not take --%s", c->path, opts[k].long_name);
	if (npos < c->min_pos || npos > c->max_pos)
		return usage("'%s' takes %s, not %d argument%s", c->path, c->usage, npos,
			     npos == 1 ? "" : "s");
	for (i = 0; i < npos; i++) {
		if (c->pos[i] == P_DEV) {
			if (check_dev(pos[i]))
				return DECAP_EXIT_USAGE;
			o.dev = pos[i];
		} else if ((err = add_addr(&o, pos[i]))) {
			return err;
		}
	}
	for (i = 0; i < n_addr_args; i++)
		if ((err = add_addr(&o, addr_args[i])))
			return err;
	if (c->needs_addr && !o.n_addrs)
		return usage("'%s' needs at least one --addr", c->path);
	if (o.pin_dir && !o.dev)
		return usage("--pin-dir needs DEV (each interface has its own pin dir)");

	log_set_level(o.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	log_hook_libraries();
	return c->run(&o);
}
