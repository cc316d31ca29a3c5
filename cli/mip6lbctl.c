// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * mip6lbctl.c - the command and option tables, and main().
 *
 *   mip6lbctl [-j|--json] [-p|--pretty] [-s SOCKET] [-v] COMMAND [ARGS]
 *
 * Every command but classify and probe is one request to mip6lbd over its
 * control socket (docs/control.md); classify runs a capture through the
 * datapath offline, probe tries what the host can do.  Exit codes: 0 ok,
 * 1 error, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "cmdpath.h"
#include "cli.h"
#include "config.h"
#include "paths.h"
#include "names.h"

/* ---- argument specs ------------------------------------------------------ */

#define END { 0 }

static const struct cli_arg a_none[] = { END };

static const struct cli_arg a_service_add[] = {
	{ NULL, NULL, "NAME", "name", CT_NAME, CA_POS, 0, 0, "service name" },
	{ "vip", NULL, "ADDR", "vip", CT_ADDR, 0, 0, 0, "virtual IPv6 address clients send to" },
	{ "proto", NULL, "P", "proto", CT_PROTO, CA_OPT, 0, 0, "tcp, udp or any (default any)" },
	{ "port", NULL, "N", "port", CT_U32, CA_OPT, 1, 65535,
	  "destination port, 1..65535 (needs proto tcp or udp; default any)" },
	{ "identity", NULL, "LIST", "identity", CT_IDLIST, CA_OPT, 0, 0,
	  "identity kinds in priority order (default hoa,spi,iid,src)" },
	{ "forward", NULL, "MODE", "forward", CT_FORWARD, CA_OPT, 0, 0,
	  "l2-dsr or ip6ip6 (default l2-dsr)" },
	{ "lb-addr", NULL, "ADDR", "lb_addr", CT_ADDR, CA_OPT, 0, 0,
	  "outer source address for ip6ip6" },
	{ "eui64-only", NULL, "yes|no", "eui64_only", CT_YESNO, CA_OPT, 0, 0,
	  "use iid only for modified EUI-64 interface identifiers" },
	{ "lifetime", NULL, "S", "lifetime", CT_U32, CA_OPT, 1, CFG_MAX_LIFETIME,
	  "seconds an idle session lives (default 300)" },
	{ "chain-policy", NULL, "src|drop", "chain_policy", CT_CHAIN, CA_OPT, 0, 0,
	  "header chains too long to parse: balance by source, or drop (default src)" },
	{ "notify", NULL, "off|ha|mn", "notify", CT_NOTIFY, CA_OPT, 0, 0,
	  "binding notifications from Home Agents or mobile nodes (default off)" },
	END
};

static const struct cli_arg a_service_name[] = {
	{ NULL, NULL, "NAME", "name", CT_NAME, CA_POS, 0, 0, "service name" },
	END
};

static const struct cli_arg a_backend_add[] = {
	{ NULL, NULL, "SERVICE", "service", CT_NAME, CA_POS, 0, 0, "service name" },
	{ NULL, NULL, "NAME", "name", CT_NAME, CA_POS, 0, 0, "backend name, unique in its service" },
	{ "addr", NULL, "ADDR", "addr", CT_ADDR, 0, 0, 0, "backend IPv6 address" },
	{ "weight", NULL, "N", "weight", CT_U32, CA_OPT, 0, 65535,
	  "relative share of new sessions, 0..65535 (default 1)" },
	{ "mac", NULL, "MAC", "mac", CT_MAC, CA_OPT, 0, 0,
	  "next-hop MAC instead of the neighbour table's" },
	{ "dev", NULL, "IF", "dev", CT_IFNAME, CA_OPT, 0, 0,
	  "egress interface instead of the routing table's" },
	END
};

static const struct cli_arg a_backend_ref[] = {
	{ NULL, NULL, "SERVICE", "service", CT_NAME, CA_POS, 0, 0, "service name" },
	{ NULL, NULL, "NAME", "name", CT_NAME, CA_POS, 0, 0, "backend name" },
	END
};

static const struct cli_arg a_backend_drain[] = {
	{ NULL, NULL, "SERVICE", "service", CT_NAME, CA_POS, 0, 0, "service name" },
	{ NULL, NULL, "NAME", "name", CT_NAME, CA_POS, 0, 0, "backend name" },
	{ "deadline", NULL, "SECONDS", "deadline", CT_U32, CA_OPT, 1, CFG_MAX_LIFETIME,
	  "after SECONDS, the sessions still on it re-hash on their next packet "
	  "(default: each stays until idle for its lifetime)" },
	END
};

static const struct cli_arg a_backend_list[] = {
	{ NULL, NULL, "SERVICE", "service", CT_NAME, CA_POS | CA_OPT, 0, 0,
	  "only this service's backends" },
	END
};

static const struct cli_arg a_reload[] = {
	{ "allow-empty", NULL, "yes|no", "allow_empty", CT_YESNO, CA_OPT, 0, 0,
	  "apply a config with no [service] even though that removes every running "
	  "service and its sessions (default no: refused)" },
	END
};

static const struct cli_arg a_session_list[] = {
	{ NULL, NULL, "SERVICE", "service", CT_NAME, CA_POS | CA_OPT, 0, 0,
	  "only this service's sessions" },
	{ "kind", NULL, "KIND", "kind", CT_KIND, CA_OPT, 0, 0,
	  "only sessions of this kind: hoa, spi, iid, src or coa" },
	END
};

static const struct cli_arg a_session_del[] = {
	{ NULL, NULL, "SERVICE", "service", CT_NAME, CA_POS, 0, 0, "service name" },
	{ NULL, NULL, "KIND", "kind", CT_KIND, CA_POS, 0, 0, "hoa, spi, iid, src or coa" },
	{ NULL, NULL, "IDENTITY", "identity", CT_IDENTITY, CA_POS, 0, 0,
	  "IPv6 address (hoa, src, coa), SPI (0x1234 or decimal), or 16 hex digits (iid)" },
	END
};

static const struct cli_arg a_stats[] = {
	{ "--watch", "-w", "SECONDS", "watch", CT_U32, CA_OPT | CA_LOCAL, 1, 3600,
	  "redraw every SECONDS (1..3600) with rates, until Ctrl-C" },
	END
};

static const struct cli_arg a_classify[] = {
	{ "-c", "--config", "CONFIG", "config", CT_PATH, CA_LOCAL, 0, 0,
	  "mip6lbd config file whose services and backends to use" },
	{ NULL, NULL, "FILE.pcap", "file", CT_PATH, CA_POS | CA_LOCAL, 0, 0,
	  "capture to classify (pcap or pcapng)" },
	END
};

static const struct cli_arg a_probe[] = {
	{ "--pin-dir", NULL, "DIR", "pin_dir", CT_PATH, CA_OPT | CA_LOCAL, 0, 0,
	  "mip6lbd's pin dir, checked for bpffs (default " MIP6LBD_DEFAULT_PIN_DIR ")" },
	{ NULL, NULL, "DEV", "devs", CT_IFNAME, CA_POS | CA_OPT | CA_LOCAL | CA_MULTI, 0, 0,
	  "interfaces to check for native XDP (default: all but lo)" },
	END
};

/* ---- checks across arguments ------------------------------------------- */

static const char *arg_str(struct json_object *args, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(args, key, &v) ? json_object_get_string(v) : NULL;
}

static int check_service_add(struct json_object *args, char *err, size_t len)
{
	const char *proto = arg_str(args, "proto"), *fwd = arg_str(args, "forward");

	/* The datapath looks up (vip, proto, port), (vip, proto, any) and
	 * (vip, any, any), never (vip, any, port): the config has the same rule. */
	if (arg_str(args, "port") && (!proto || !strcmp(proto, "any"))) {
		snprintf(err, len, "port needs proto tcp or udp");
		return -EINVAL;
	}
	if (fwd && !strcmp(fwd, "ip6ip6") && !arg_str(args, "lb_addr")) {
		snprintf(err, len, "forward ip6ip6 needs lb-addr (the outer source)");
		return -EINVAL;
	}
	return 0;
}

static int check_session_del(struct json_object *args, char *err, size_t len)
{
	struct mip6lb_session_key key = { 0 };
	const char *kind = arg_str(args, "kind"), *id = arg_str(args, "identity");
	char text[INET6_ADDRSTRLEN];
	int k = kind_from_name(kind);

	if (identity_parse(k, id, &key)) {
		snprintf(err, len, "IDENTITY: '%s' is not a %s identity (%s)", id, kind,
			 k == MIP6LB_KIND_SPI ? "an SPI such as 0x1234" :
			 k == MIP6LB_KIND_IID ? "16 hex digits" : "an IPv6 address");
		return -EINVAL;
	}
	/* Send it in the form the daemon prints (docs/control.md). */
	identity_format(&key, text, sizeof(text));
	json_object_object_add(args, "identity", json_object_new_string(text));
	return 0;
}

/* ---- the command table -------------------------------------------------- */

static const struct cli_cmd cmds[] = {
	{ "status", a_none, cmd_daemon_request, NULL,
	  "daemon version, interfaces and table sizes", NULL },
	{ "service add", a_service_add, cmd_daemon_request, check_service_add,
	  "add a service",
	  "Add a service until the next reload or restart.  The arguments are the\n"
	  "config file's [service NAME] keys, with '-' for '_'." },
	{ "service del", a_service_name, cmd_daemon_request, NULL,
	  "delete a service, its backends and sessions", NULL },
	{ "service list", a_none, cmd_daemon_request, NULL, "list services", NULL },
	{ "backend add", a_backend_add, cmd_daemon_request, NULL,
	  "add a backend to a service",
	  "Add a backend to SERVICE and rebuild its ring.  Live sessions keep\n"
	  "their backends; new identities are spread over the new ring." },
	{ "backend del", a_backend_ref, cmd_daemon_request, NULL,
	  "delete a backend; its sessions re-hash on their next packet", NULL },
	{ "backend drain", a_backend_drain, cmd_daemon_request, NULL,
	  "stop giving a backend new sessions; it keeps its existing ones",
	  "Drain a backend: no new sessions; its sessions stay until each is idle\n"
	  "for its lifetime or, with deadline, until SECONDS have passed, when the\n"
	  "remaining ones re-hash on their next packet.  backend list shows the\n"
	  "sessions left on it." },
	{ "backend undrain", a_backend_ref, cmd_daemon_request, NULL,
	  "give a drained backend new sessions again", NULL },
	{ "backend disable", a_backend_ref, cmd_daemon_request, NULL,
	  "take a backend out now; its sessions move on their next packet",
	  "Disable a backend (HAProxy's MAINT): it leaves its service's ring and\n"
	  "its sessions re-hash on their next packet (session_rehash, reason\n"
	  "disabled).  Its health checks go on, so backend list still shows its\n"
	  "last probe.  The state lasts until backend enable, a reload or a\n"
	  "restart; state = disabled in the config file makes it last." },
	{ "backend enable", a_backend_ref, cmd_daemon_request, NULL,
	  "put a disabled backend back on the ring for new sessions",
	  "Enable a disabled backend: it rejoins the ring for new sessions;\n"
	  "sessions that moved away stay where they are.  A drained backend\n"
	  "stays drained." },
	{ "backend list", a_backend_list, cmd_daemon_request, NULL,
	  "list backends with state, health, sessions, next hop and traffic", NULL },
	{ "session list", a_session_list, cmd_daemon_request, NULL,
	  "list sessions: service, kind, identity, backend, idle, lifetime left",
	  "List sessions with their idle time and the lifetime they have left.\n"
	  "A word that is not a keyword is taken as SERVICE." },
	{ "session del", a_session_del, cmd_daemon_request, check_session_del,
	  "delete one session; its next packet picks a backend again", NULL },
	{ "stats", a_stats, cmd_stats, NULL,
	  "every counter, per kind, per backend and per reason",
	  "Print every datapath counter, per identity kind, per backend and per\n"
	  "pass/drop/anomaly reason.  With --watch, redraw every SECONDS with\n"
	  "rates since the previous sample until Ctrl-C (exit code 0); with -j,\n"
	  "print one JSON document per sample, one per line." },
	{ "binding list", a_none, cmd_daemon_request, NULL,
	  "bindings learnt from notifications", NULL },
	{ "peer list", a_none, cmd_daemon_request, NULL,
	  "notification peers (Home Agents, mobile nodes)", NULL },
	{ "sync", a_none, cmd_daemon_request, NULL,
	  "session sync with the other balancers: readiness and per-peer counters",
	  "Whether the bulk transfer at start is over (ready), and per role =\n"
	  "balancer peer: sessions queued, sent, received, applied, refreshed,\n"
	  "conflicts (a local session with another backend, kept), unknown service\n"
	  "or backend (skipped), and datagrams rejected by reason (docs/sync.md)." },
	{ "reload", a_reload, cmd_daemon_request, NULL,
	  "re-read the config file (as SIGHUP; errors come back here)",
	  "Re-read the config file and apply it, as SIGHUP does; a config error\n"
	  "comes back here and the daemon keeps running as it was.  A file with no\n"
	  "[service] while services run (a truncated file, most often) is refused\n"
	  "unless allow-empty yes is given." },
	{ "classify", a_classify, cmd_classify, NULL,
	  "run a capture through the datapath offline, one row per packet",
	  "Run every packet of FILE.pcap, in order and through one session table,\n"
	  "through the real XDP program loaded with CONFIG's services and backends\n"
	  "(no daemon; needs root).  One row per packet: index (from 1), verdict,\n"
	  "service, identity kind, identity, backend, and the pass/drop/anomaly\n"
	  "reason.  The table also shows the source address and whether the\n"
	  "session was new, hit, re-hashed or followed a first fragment.\n"
	  "With -j: {\"packets\":[{\"index\",\"verdict\",\"service\",\"kind\",\n"
	  "\"identity\",\"backend\",\"reason\"}]}.\n"
	  "A frame XDP never sees is not run; its row says drop, reason runt\n"
	  "(under 14 bytes) or too_big (over what XDP sees in one buffer, about\n"
	  "3.5 KB with 4 KB pages).  Exit 0 when every packet was run, 1 when one\n"
	  "was not or the classifier and the datapath disagreed; the table is\n"
	  "printed either way." },
	{ "probe", a_probe, cmd_probe, NULL,
	  "what this host can do for mip6lbd: bpffs, XDP, maps, helpers, native XDP",
	  "Try, on this host and without a daemon, what mip6lbd needs: bpffs at the\n"
	  "pin dir, kernel BTF, loading XDP programs, every map type and helper the\n"
	  "datapath uses; and what is optional: native XDP on each DEV (from the\n"
	  "kernel's netdev netlink family), seg6local End.DT6 and ip6tnl (tried in a\n"
	  "throwaway network namespace; for backends that decapsulate).  Needs root\n"
	  "for definite answers.  Exit 0 when everything required is available, 1\n"
	  "otherwise; optional features do not change the exit code.\n"
	  "With -j: {\"ok\",\"pin_dir\",\"features\":[{\"name\",\"available\",\"required\",\n"
	  "\"detail\"}],\"interfaces\":[{\"name\",\"native_xdp\",\"detail\"}]}." },
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]))

/* ---- global options ----------------------------------------------------- */

struct cli_opt {
	int short_name;
	const char *long_name;
	int has_arg;
	const char *meta;
	const char *help;
};

static const struct cli_opt opts[] = {
	{ 'j', "json", no_argument, NULL, "print one JSON document instead of tables" },
	{ 'p', "pretty", no_argument, NULL, "indented JSON (implies --json)" },
	{ 's', "socket", required_argument, "SOCKET",
	  "mip6lbd's control socket (default " CLI_DEFAULT_SOCKET ")" },
	{ 'v', "verbose", no_argument, NULL, "libbpf's debug output (classify)" },
	{ 'h', "help", no_argument, NULL, "this help" },
};

#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

static bool is_group(const char *word)
{
	size_t i, l = strlen(word);

	for (i = 0; i < N_CMDS; i++)
		if (!strncmp(cmds[i].path, word, l) && cmds[i].path[l] == ' ')
			return true;
	return false;
}

static void list_commands(FILE *f, const char *group)
{
	size_t i, l = group ? strlen(group) : 0;

	for (i = 0; i < N_CMDS; i++) {
		if (group && (strncmp(cmds[i].path, group, l) || cmds[i].path[l] != ' '))
			continue;
		fprintf(f, "  %-17s %s\n", cmds[i].path, cmds[i].summary);
	}
}

static void main_help(FILE *f)
{
	char left[64];
	size_t i;

	fprintf(f, "Usage: %s [OPTIONS] COMMAND [ARGS]\n\n"
		"Control mip6lbd, the Mobile IPv6 aware XDP load balancer, and classify\n"
		"captures offline.\n\nOptions:\n", CLI_PROG);
	for (i = 0; i < N_OPTS; i++) {
		snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[i].short_name, opts[i].long_name,
			 opts[i].meta ? " " : "", opts[i].meta ? opts[i].meta : "");
		fprintf(f, "  %-22s %s\n", left, opts[i].help);
	}
	fprintf(f, "\nCommands:\n");
	list_commands(f, NULL);
	fprintf(f, "  %-17s %s\n", "help [COMMAND]", "this help, or a command's");
	fprintf(f, "\nRun '%s COMMAND --help' for a command's arguments.\n"
		"Exit codes: 0 ok, 1 error, 2 usage.\n", CLI_PROG);
}

static const struct cli_cmd *find_cmd(int argc, char **argv, int *consumed)
{
	const struct cli_cmd *best = NULL;
	size_t i;

	for (i = 0; i < N_CMDS; i++) {
		if (cmd_path_matches(cmds[i].path, argc, argv) &&
		    (!best || cmd_path_words(cmds[i].path) > cmd_path_words(best->path)))
			best = &cmds[i];
	}
	*consumed = best ? cmd_path_words(best->path) : 0;
	return best;
}

/* Unknown command, or a group ("service") without a known subcommand. */
static int unknown_command(int argc, char **argv)
{
	if (is_group(argv[0])) {
		if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			printf("Usage: %s %s SUBCOMMAND [ARGS]\n\n", CLI_PROG, argv[0]);
			list_commands(stdout, argv[0]);
			return CLI_OK;
		}
		if (argc > 1)
			fprintf(stderr, "%s: unknown command '%s %s'\n", CLI_PROG, argv[0], argv[1]);
		else
			fprintf(stderr, "%s: '%s' needs a subcommand\n", CLI_PROG, argv[0]);
		list_commands(stderr, argv[0]);
		return CLI_USAGE;
	}
	fprintf(stderr, "%s: unknown command '%s'; try '%s help'\n", CLI_PROG, argv[0], CLI_PROG);
	return CLI_USAGE;
}

static int help_command(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int used;

	if (!argc) {
		main_help(stdout);
		return CLI_OK;
	}
	cmd = find_cmd(argc, argv, &used);
	if (cmd && used == argc) {
		cli_command_help(cmd, stdout);
		return CLI_OK;
	}
	if (!cmd && argc == 1 && is_group(argv[0])) {
		printf("Usage: %s %s SUBCOMMAND [ARGS]\n\n", CLI_PROG, argv[0]);
		list_commands(stdout, argv[0]);
		return CLI_OK;
	}
	fprintf(stderr, "%s: help: no command '", CLI_PROG);
	for (used = 0; used < argc; used++)
		fprintf(stderr, "%s%s", used ? " " : "", argv[used]);
	fprintf(stderr, "'; try '%s help'\n", CLI_PROG);
	return CLI_USAGE;
}

int main(int argc, char **argv)
{
	struct option lopts[N_OPTS + 1];
	struct cli_ctx ctx = { .socket = CLI_DEFAULT_SOCKET };
	struct json_object *args = NULL;
	const struct cli_cmd *cmd;
	char shorts[2 * N_OPTS + 2] = "+";
	size_t i;
	int c, used, rc;

	/* Both tables come from opts[]; '+' stops at the command, so its own
	 * options (classify -c) are left to it. */
	memset(lopts, 0, sizeof(lopts));
	for (i = 0; i < N_OPTS; i++) {
		lopts[i] = (struct option){ opts[i].long_name, opts[i].has_arg, NULL, opts[i].short_name };
		snprintf(shorts + strlen(shorts), sizeof(shorts) - strlen(shorts), "%c%s",
			 opts[i].short_name, opts[i].has_arg ? ":" : "");
	}
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'p':
			ctx.json = ctx.pretty = true;
			break;
		case 's':
			ctx.socket = optarg;
			break;
		case 'v':
			ctx.verbose++;
			break;
		case 'h':
			main_help(stdout);
			return CLI_OK;
		default:
			fprintf(stderr, "usage: %s [-j] [-p] [-s SOCKET] [-v] COMMAND [ARGS]; try '%s help'\n",
				CLI_PROG, CLI_PROG);
			return CLI_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!argc) {
		fprintf(stderr, "usage: %s [-j] [-p] [-s SOCKET] [-v] COMMAND [ARGS]; try '%s help'\n",
			CLI_PROG, CLI_PROG);
		return CLI_USAGE;
	}
	if (!*ctx.socket) {
		fprintf(stderr, "%s: -s: empty socket path\n", CLI_PROG);
		return CLI_USAGE;
	}
	if (!strcmp(argv[0], "help"))
		return help_command(argc - 1, argv + 1);
	cmd = find_cmd(argc, argv, &used);
	if (!cmd)
		return unknown_command(argc, argv);
	rc = cli_parse_args(cmd, argc - used, argv + used, &ctx, &args);
	if (rc < 0)
		return CLI_OK;          /* --help */
	if (rc)
		return rc;
	rc = cmd->run(&ctx, cmd, args);
	json_object_put(args);
	fflush(stdout);
	if (ferror(stdout))
		return cli_error("writing output: %s", strerror(errno));
	return rc;
}
