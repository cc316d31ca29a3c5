// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * args.c - the generic argument parser: every command's words are matched
 * against its cli_arg table, checked locally (so a typo exits 2 without a
 * daemon) and collected into the JSON object that becomes the request's
 * "args" (docs/control.md).  Usage lines and --help pages come from the
 * same table.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <json-c/json.h>
#include "cli.h"
#include "config.h"
#include "names.h"
#include "strparse.h"

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, CLI_PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERR;
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, CLI_PROG ": warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_print_json(const struct cli_ctx *ctx, struct json_object *obj)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= ctx->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
			     : JSON_C_TO_STRING_PLAIN;
	printf("%s\n", json_object_to_json_string_ext(obj, flags));
}

static bool arg_end(const struct cli_arg *a)
{
	return !a->key;
}

void cli_usage_line(const struct cli_cmd *cmd, FILE *f)
{
	const struct cli_arg *a;

	fprintf(f, "%s %s", CLI_PROG, cmd->path);
	for (a = cmd->args; a && !arg_end(a); a++) {
		bool opt = a->flags & CA_OPT;

		if (a->flags & CA_POS)
			fprintf(f, opt ? " [%s%s]" : " %s%s", a->meta,
				(a->flags & CA_MULTI) ? "..." : "");
		else
			fprintf(f, opt ? " [%s %s]" : " %s %s", a->word, a->meta);
	}
	fputc('\n', f);
}

void cli_command_help(const struct cli_cmd *cmd, FILE *f)
{
	const struct cli_arg *a;
	char left[64];

	fprintf(f, "Usage: ");
	cli_usage_line(cmd, f);
	fprintf(f, "\n%s\n", cmd->help ? cmd->help : cmd->summary);
	if (!cmd->args || arg_end(cmd->args))
		return;
	fprintf(f, "\nArguments:\n");
	for (a = cmd->args; !arg_end(a); a++) {
		if (a->flags & CA_POS)
			snprintf(left, sizeof(left), "%s%s", a->meta,
				 (a->flags & CA_MULTI) ? "..." : "");
		else if (a->alias)
			snprintf(left, sizeof(left), "%s, %s %s", a->word, a->alias, a->meta);
		else
			snprintf(left, sizeof(left), "%s %s", a->word, a->meta);
		fprintf(f, "  %-22s %s%s\n", left, a->help, (a->flags & CA_OPT) ? "" : " (required)");
	}
}

int cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, CLI_PROG ": %s: ", cmd->path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: ");
	cli_usage_line(cmd, stderr);
	return CLI_USAGE;
}

/* What config.c accepts for section names. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	return n && n < CFG_NAME_LEN &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* The kernel's dev_valid_name(). */
static bool valid_ifname(const char *s)
{
	size_t n = strlen(s);

	return n && n < IF_NAMESIZE && strcmp(s, ".") && strcmp(s, "..") &&
	       !strpbrk(s, "/: \t");
}

static int yesno(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -EINVAL;
}

/* Check one value and build its JSON form, normalised the way the daemon
 * prints it back (lower case names, RFC 5952 addresses). */
static int arg_value(const struct cli_arg *a, const char *s, struct json_object **out,
		     char *why, size_t len)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr addr;
	__u8 order[MIP6LB_MAX_ID_ORDER], mac[6];
	__u32 v;
	int n;

	*out = NULL;
	switch (a->type) {
	case CT_NAME:
		if (!valid_name(s)) {
			snprintf(why, len, "'%s' is not a valid name (letters, digits, '.', '_', '-'; at most %d)",
				 s, CFG_NAME_LEN - 1);
			return -EINVAL;
		}
		*out = json_object_new_string(s);
		break;
	case CT_ADDR:
		if (inet_pton(AF_INET6, s, &addr) != 1) {
			snprintf(why, len, "'%s' is not an IPv6 address", s);
			return -EINVAL;
		}
		if (IN6_IS_ADDR_UNSPECIFIED(&addr) || IN6_IS_ADDR_MULTICAST(&addr)) {
			snprintf(why, len, "'%s' is not a unicast IPv6 address", s);
			return -EINVAL;
		}
		inet_ntop(AF_INET6, &addr, buf, sizeof(buf));
		*out = json_object_new_string(buf);
		break;
	case CT_U32:
		if (parse_u32(s, a->min, a->max, &v)) {
			snprintf(why, len, "'%s' is not an integer in %u..%u", s, a->min, a->max);
			return -EINVAL;
		}
		*out = json_object_new_int64(v);
		break;
	case CT_PROTO:
		n = ip_proto_from_name(s);
		if (n < 0) {
			snprintf(why, len, "'%s': expected tcp, udp or any", s);
			return -EINVAL;
		}
		*out = json_object_new_string(ip_proto_name(n));
		break;
	case CT_IDLIST:
		n = id_order_parse(s, order);
		if (n < 0) {
			snprintf(why, len, "'%s': expected a list of hoa, spi, iid, src, each at most once", s);
			return -EINVAL;
		}
		id_order_format(order, n, buf, sizeof(buf));
		*out = json_object_new_string(buf);
		break;
	case CT_FORWARD:
		n = forward_from_name(s);
		if (n < 0) {
			snprintf(why, len, "'%s': expected l2-dsr or ip6ip6", s);
			return -EINVAL;
		}
		*out = json_object_new_string(forward_name(n));
		break;
	case CT_YESNO:
		n = yesno(s);
		if (n < 0) {
			snprintf(why, len, "'%s': expected yes or no", s);
			return -EINVAL;
		}
		*out = json_object_new_string(n ? "yes" : "no");
		break;
	case CT_CHAIN:
		if (strcasecmp(s, "src") && strcasecmp(s, "drop")) {
			snprintf(why, len, "'%s': expected src or drop", s);
			return -EINVAL;
		}
		*out = json_object_new_string(strcasecmp(s, "src") ? "drop" : "src");
		break;
	case CT_NOTIFY:
		n = notify_mode_from_name(s);
		if (n < 0) {
			snprintf(why, len, "'%s': expected off, ha or mn", s);
			return -EINVAL;
		}
		*out = json_object_new_string(notify_mode_name(n));
		break;
	case CT_MAC:
		if (parse_mac(s, mac) || (mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
			snprintf(why, len, "'%s' is not a unicast MAC address like 02:00:00:00:00:01", s);
			return -EINVAL;
		}
		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
			 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		*out = json_object_new_string(buf);
		break;
	case CT_IFNAME:
		if (!valid_ifname(s)) {
			snprintf(why, len, "'%s' is not an interface name", s);
			return -EINVAL;
		}
		*out = json_object_new_string(s);
		break;
	case CT_KIND:
		n = kind_from_name(s);
		if (n < 0) {
			snprintf(why, len, "'%s': expected hoa, spi, iid, src or coa", s);
			return -EINVAL;
		}
		*out = json_object_new_string(kind_name(n));
		break;
	case CT_IDENTITY:
	case CT_PATH:
		/* Identities are checked against their kind by the command. */
		if (!*s) {
			snprintf(why, len, "empty %s", a->meta);
			return -EINVAL;
		}
		*out = json_object_new_string(s);
		break;
	}
	return *out ? 0 : -ENOMEM;
}

static const struct cli_arg *find_keyword(const struct cli_cmd *cmd, const char *w)
{
	const struct cli_arg *a;

	for (a = cmd->args; a && !arg_end(a); a++)
		if (!(a->flags & CA_POS) &&
		    (!strcmp(a->word, w) || (a->alias && !strcmp(a->alias, w))))
			return a;
	return NULL;
}

static const struct cli_arg *next_positional(const struct cli_cmd *cmd, struct json_object *got)
{
	const struct cli_arg *a;

	for (a = cmd->args; a && !arg_end(a); a++)
		if ((a->flags & CA_POS) &&
		    ((a->flags & CA_MULTI) || !json_object_object_get_ex(got, a->key, NULL)))
			return a;
	return NULL;
}

static bool is_help(const char *w)
{
	return !strcmp(w, "--help") || !strcmp(w, "-h");
}

int cli_parse_args(const struct cli_cmd *cmd, int argc, char **argv,
		   struct cli_ctx *ctx, struct json_object **out)
{
	struct json_object *got, *val;
	const struct cli_arg *a;
	bool dashdash = false;
	char why[256];
	int i, rc = CLI_USAGE;

	*out = NULL;
	/* --help anywhere wins, even after a bad argument. */
	for (i = 0; i < argc && strcmp(argv[i], "--"); i++) {
		if (is_help(argv[i])) {
			cli_command_help(cmd, stdout);
			return -1;
		}
	}
	got = json_object_new_object();
	if (!got)
		return cli_error("out of memory");
	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *text;

		a = NULL;
		if (!dashdash) {
			if (!strcmp(w, "--")) {
				dashdash = true;
				continue;
			}
			/* Like bpftool, -j and -p also work after the command. */
			if (!strcmp(w, "-j") || !strcmp(w, "--json")) {
				ctx->json = true;
				continue;
			}
			if (!strcmp(w, "-p") || !strcmp(w, "--pretty")) {
				ctx->json = ctx->pretty = true;
				continue;
			}
			a = find_keyword(cmd, w);
		}
		if (a) {
			if (json_object_object_get_ex(got, a->key, NULL)) {
				cli_usage_error(cmd, "duplicate keyword '%s'", w);
				goto out;
			}
			if (i + 1 >= argc) {
				cli_usage_error(cmd, "'%s' needs a value (%s)", w, a->meta);
				goto out;
			}
			text = argv[++i];
		} else {
			a = next_positional(cmd, got);
			if (!a || (!dashdash && w[0] == '-' && w[1])) {
				cli_usage_error(cmd, "unknown keyword '%s'", w);
				goto out;
			}
			text = w;
		}
		if (arg_value(a, text, &val, why, sizeof(why))) {
			cli_usage_error(cmd, "%s: %s", a->flags & CA_POS ? a->meta : a->word, why);
			goto out;
		}
		if (a->flags & CA_MULTI) {
			struct json_object *list;

			if (!json_object_object_get_ex(got, a->key, &list)) {
				list = json_object_new_array();
				json_object_object_add(got, a->key, list);
			}
			json_object_array_add(list, val);
			continue;
		}
		json_object_object_add(got, a->key, val);
	}
	for (a = cmd->args; a && !arg_end(a); a++) {
		if ((a->flags & CA_OPT) || json_object_object_get_ex(got, a->key, NULL))
			continue;
		if (a->flags & CA_POS)
			cli_usage_error(cmd, "missing %s", a->meta);
		else
			cli_usage_error(cmd, "missing '%s %s'", a->word, a->meta);
		goto out;
	}
	if (cmd->check && cmd->check(got, why, sizeof(why))) {
		cli_usage_error(cmd, "%s", why);
		goto out;
	}
	*out = got;
	return CLI_OK;
out:
	json_object_put(got);
	return rc;
}
