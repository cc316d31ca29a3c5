// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * probe.c - `mip6lbctl probe [--pin-dir DIR] [DEV...]`: what this host can
 * do for mip6lb (lib/hostprobe.h), locally and without a daemon.  Exit 0
 * when everything mip6lbd requires is there; optional features (native XDP
 * on an interface, seg6local End.DT6, ip6tnl) never change the exit code.
 *
 *   -j: {"ok": bool, "pin_dir": DIR,
 *        "features": [{"name", "available", "required", "detail"}],
 *        "interfaces": [{"name", "native_xdp", "detail"}]}
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <json-c/json.h>
#include "cli.h"
#include "paths.h"
#include "log.h"
#include "hostprobe.h"
#include "table.h"

/* Every interface of this network namespace but lo (which has no native
 * XDP and carries no traffic to balance). */
static int default_ifaces(char (**out)[IF_NAMESIZE], int *n)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	char (*list)[IF_NAMESIZE];
	int k = 0;

	*out = NULL;
	*n = 0;
	if (!ni)
		return -errno;
	for (p = ni; p->if_index; p++)
		k++;
	list = calloc(k ? k : 1, IF_NAMESIZE);
	if (!list) {
		if_freenameindex(ni);
		return -ENOMEM;
	}
	k = 0;
	for (p = ni; p->if_index; p++)
		if (strcmp(p->if_name, "lo"))
			snprintf(list[k++], IF_NAMESIZE, "%s", p->if_name);
	if_freenameindex(ni);
	*out = list;
	*n = k;
	return 0;
}

static int given_ifaces(struct json_object *devs, char (**out)[IF_NAMESIZE], int *n)
{
	size_t i, k = json_object_array_length(devs);
	char (*list)[IF_NAMESIZE] = calloc(k ? k : 1, IF_NAMESIZE);

	if (!list)
		return -ENOMEM;
	for (i = 0; i < k; i++)
		snprintf(list[i], IF_NAMESIZE, "%s",
			 json_object_get_string(json_object_array_get_idx(devs, i)));
	*out = list;
	*n = k;
	return 0;
}

static void print_json(const struct cli_ctx *ctx, const struct probe_list *l, const char *pin_dir)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *feats = json_object_new_array();
	struct json_object *ifs = json_object_new_array();
	int i;

	json_object_object_add(doc, "ok", json_object_new_boolean(probe_list_ok(l)));
	json_object_object_add(doc, "pin_dir", json_object_new_string(pin_dir));
	for (i = 0; i < l->n; i++) {
		const struct probe_result *r = &l->r[i];
		struct json_object *o = json_object_new_object();

		if (r->ifname[0]) {
			json_object_object_add(o, "name", json_object_new_string(r->ifname));
			json_object_object_add(o, "native_xdp",
					       json_object_new_string(probe_avail_name(r->avail)));
			json_object_object_add(o, "detail", json_object_new_string(r->detail));
			json_object_array_add(ifs, o);
			continue;
		}
		json_object_object_add(o, "name", json_object_new_string(r->name));
		json_object_object_add(o, "available",
				       json_object_new_string(probe_avail_name(r->avail)));
		json_object_object_add(o, "required", json_object_new_boolean(r->required));
		json_object_object_add(o, "detail", json_object_new_string(r->detail));
		json_object_array_add(feats, o);
	}
	json_object_object_add(doc, "features", feats);
	json_object_object_add(doc, "interfaces", ifs);
	cli_print_json(ctx, doc);
	json_object_put(doc);
}

static void add_name(char *buf, size_t len, size_t *used, const char *name)
{
	if (*used < len)
		*used += snprintf(buf + *used, len - *used, "%s%s", *used ? ", " : "", name);
}

/* The last line: the exit code and why, and what optional is missing. */
static void print_verdict(const struct probe_list *l)
{
	char missing[512] = "", unsure[512] = "", optional[512] = "";
	size_t m = 0, u = 0, o = 0;
	int i;

	for (i = 0; i < l->n; i++) {
		const struct probe_result *r = &l->r[i];

		if (r->avail == PROBE_YES)
			continue;
		if (!r->required)
			add_name(optional, sizeof(optional), &o, r->name);
		else if (r->avail == PROBE_NO)
			add_name(missing, sizeof(missing), &m, r->name);
		else
			add_name(unsure, sizeof(unsure), &u, r->name);
	}
	if (m)
		printf("\nmip6lbd cannot run here: missing %s%s%s (exit 1).", missing,
		       u ? "; unknown " : "", unsure);
	else if (u)
		printf("\nNot known whether mip6lbd can run here: unknown %s (exit 1).", unsure);
	else
		printf("\nEverything mip6lbd requires is available (exit 0).");
	if (o)
		printf("  Optional, not available: %s (the exit code does not depend on them).",
		       optional);
	printf("\n");
}

static void print_table(const struct probe_list *l)
{
	static const char *const hdr[] = { "FEATURE", "AVAILABLE", "REQUIRED", "DETAIL" };
	struct table *t = table_new(4, hdr);
	int i;

	for (i = 0; i < l->n; i++) {
		const struct probe_result *r = &l->r[i];

		table_cell(t, "%s", r->name);
		table_cell(t, "%s", probe_avail_name(r->avail));
		table_cell(t, "%s", r->required ? "yes" : "no");
		table_cell(t, "%s", r->detail);
	}
	table_print(t, stdout);
	table_free(t);
	print_verdict(l);
}

int cmd_probe(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	const char *pin_dir = MIP6LBD_DEFAULT_PIN_DIR;
	char (*ifaces)[IF_NAMESIZE] = NULL;
	struct json_object *v;
	struct probe_list l;
	int n = 0, err;

	log_set_ident(CLI_PROG);
	log_set_level(ctx->verbose ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	log_hook_libraries();
	if (json_object_object_get_ex(args, "pin_dir", &v))
		pin_dir = json_object_get_string(v);
	if (pin_dir[0] != '/')
		return cli_usage_error(cmd, "--pin-dir: '%s' is not an absolute path", pin_dir);
	err = json_object_object_get_ex(args, "devs", &v) ? given_ifaces(v, &ifaces, &n)
							  : default_ifaces(&ifaces, &n);
	if (err)
		return cli_error("probe: listing interfaces: %s", strerror(-err));
	err = probe_all(&l, pin_dir, (const char (*)[IF_NAMESIZE])ifaces, n);
	free(ifaces);
	if (err)
		return cli_error("probe: %s", strerror(-err));
	if (ctx->json)
		print_json(ctx, &l, pin_dir);
	else
		print_table(&l);
	err = probe_list_ok(&l) ? CLI_OK : CLI_ERR;
	probe_list_free(&l);
	return err;
}
