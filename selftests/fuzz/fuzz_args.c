// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for mip6lbctl's command line: global options
 * (getopt_long), the command lookup over the command table and every
 * command's arguments (cli/args.c), run through mip6lbctl's own main().
 * The input is argv, one word per line.  mip6lbctl.c is included so the
 * fuzzer uses its static command table and main (renamed); the handlers
 * are replaced by one that sends nothing and checks what the parser made:
 * a JSON object whose every key is an argument of that command, the
 * required ones present, numbers within their bounds.
 */
#include <stdint.h>
#include "fuzzutil.h"

#define main mip6lbctl_main
#include "../../cli/mip6lbctl.c"
#undef main

#define MAX_WORDS 24

static const struct cli_arg *spec_of(const struct cli_cmd *cmd, const char *key)
{
	const struct cli_arg *a;

	for (a = cmd->args; a && a->key; a++)
		if (!strcmp(a->key, key))
			return a;
	return NULL;
}

static int check_request(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	const struct cli_arg *a;

	FUZZ_CHECK(args && json_object_is_type(args, json_type_object));
	json_object_object_foreach(args, key, val) {
		a = spec_of(cmd, key);
		FUZZ_CHECK(a);
		if (a->flags & CA_MULTI) {
			FUZZ_CHECK(json_object_is_type(val, json_type_array));
		} else if (a->type == CT_U32) {
			FUZZ_CHECK(json_object_is_type(val, json_type_int));
			FUZZ_CHECK(json_object_get_int64(val) >= a->min &&
				   json_object_get_int64(val) <= a->max);
		} else {
			FUZZ_CHECK(json_object_is_type(val, json_type_string) ||
				   json_object_is_type(val, json_type_boolean));
		}
	}
	for (a = cmd->args; a && a->key; a++)
		if (!(a->flags & (CA_OPT | CA_MULTI)))
			FUZZ_CHECK(json_object_object_get_ex(args, a->key, NULL));
	return CLI_OK;
}

int cmd_daemon_request(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	return check_request(ctx, cmd, args);
}

int cmd_stats(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	return check_request(ctx, cmd, args);
}

int cmd_classify(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	return check_request(ctx, cmd, args);
}

int cmd_probe(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	return check_request(ctx, cmd, args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), *argv[MAX_WORDS + 2], *p, *nl;
	int argc = 0, rc;

	argv[argc++] = "mip6lbctl";
	for (p = text; *p && argc <= MAX_WORDS; p = nl + 1) {
		nl = strchr(p, '\n');
		argv[argc++] = p;
		if (!nl)
			break;
		*nl = '\0';
	}
	argv[argc] = NULL;
	optind = 0;             /* glibc: start getopt over, with its state */
	rc = mip6lbctl_main(argc, argv);
	FUZZ_CHECK(rc == CLI_OK || rc == CLI_ERR || rc == CLI_USAGE);
	free(text);
	return 0;
}
