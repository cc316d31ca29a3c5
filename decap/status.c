// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * status.c - every interface of this network namespace that runs
 * mip6lb_decap: mode, program id, addresses, counters summed over CPUs.
 * A table by default, one JSON document with -j:
 *
 *   {"interfaces":[{"name","ifindex","mode","prog_id","pin_dir",
 *     "addresses":[...],"counters":{"rx":{"packets","bytes"},...}}]}
 *
 * pin_dir is null unless the pin dir (--pin-dir, or the default one for
 * the interface) holds this program's maps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "names.h"
#include "table.h"
#include "decap.h"
#include "log.h"

struct iface_status {
	struct decap_found f;
	struct in6_addr addrs[MIP6LB_DECAP_MAX_ADDRS];
	int n_addrs;
	struct mip6lb_decap_counters cnt;
	char pin_dir[PATH_MAX];
	bool pinned;
};

static int cmp_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct in6_addr));
}

/* Both pins hold this program's maps? */
static bool pins_ours(const char *dir, const struct decap_found *f)
{
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", dir, DECAP_MAP_ADDRS) >= (int)sizeof(path) ||
	    decap_pinned_map_id(path) != f->addrs_id)
		return false;
	if (snprintf(path, sizeof(path), "%s/%s", dir, DECAP_MAP_CNTS) >= (int)sizeof(path) ||
	    decap_pinned_map_id(path) != f->counters_id)
		return false;
	return true;
}

/* 1 and st filled when the interface runs ours, 0 when not, <0 on error. */
static int collect(int ifindex, const char *ifname, const char *pin_dir, struct iface_status *st)
{
	int r, err;

	r = decap_find(ifindex, ifname, &st->f);
	if (r <= 0)
		return r;
	st->n_addrs = decap_read_addrs(st->f.addrs_fd, st->addrs, MIP6LB_DECAP_MAX_ADDRS);
	if (st->n_addrs < 0) {
		err = st->n_addrs;
		pr_err("interface %s: map %s (id %u): %s", ifname, DECAP_MAP_ADDRS, st->f.addrs_id,
		       strerror(-err));
		return err;
	}
	qsort(st->addrs, st->n_addrs, sizeof(st->addrs[0]), cmp_addr);
	err = decap_read_counters(st->f.counters_fd, &st->cnt);
	if (err == -EPROTO) {
		pr_err("interface %s: map %s (id %u) is another build's (value size differs from "
		       "this mip6lb-decap's %zu bytes)", ifname, DECAP_MAP_CNTS, st->f.counters_id,
		       sizeof(st->cnt));
		return err;
	}
	if (err) {
		pr_err("interface %s: map %s (id %u): %s", ifname, DECAP_MAP_CNTS,
		       st->f.counters_id, strerror(-err));
		return err;
	}
	if (!decap_pin_dir(pin_dir, ifname, st->pin_dir, sizeof(st->pin_dir)))
		st->pinned = pins_ours(st->pin_dir, &st->f);
	return 1;
}

static struct json_object *to_json(const struct iface_status *st)
{
	struct json_object *o = json_object_new_object(), *a, *c, *v;
	char text[INET6_ADDRSTRLEN];
	int i;

	json_object_object_add(o, "name", json_object_new_string(st->f.ifname));
	json_object_object_add(o, "ifindex", json_object_new_int(st->f.ifindex));
	json_object_object_add(o, "mode", json_object_new_string(xdp_attach_mode_name(st->f.mode)));
	json_object_object_add(o, "prog_id", json_object_new_int64(st->f.prog_id));
	json_object_object_add(o, "pin_dir", st->pinned ? json_object_new_string(st->pin_dir) : NULL);
	a = json_object_new_array();
	for (i = 0; i < st->n_addrs; i++) {
		inet_ntop(AF_INET6, &st->addrs[i], text, sizeof(text));
		json_object_array_add(a, json_object_new_string(text));
	}
	json_object_object_add(o, "addresses", a);
	c = json_object_new_object();
	for (i = 0; i < MIP6LB_DCNT_MAX; i++) {
		v = json_object_new_object();
		json_object_object_add(v, "packets", json_object_new_int64((int64_t)st->cnt.c[i].packets));
		json_object_object_add(v, "bytes", json_object_new_int64((int64_t)st->cnt.c[i].bytes));
		json_object_object_add(c, decap_counter_name(i), v);
	}
	json_object_object_add(o, "counters", c);
	return o;
}

static void add_rows(struct table *ifs, struct table *cnts, const struct iface_status *st)
{
	char text[INET6_ADDRSTRLEN];
	int i;

	for (i = 0; i < (st->n_addrs ? st->n_addrs : 1); i++) {
		bool first = i == 0;

		if (st->n_addrs)
			inet_ntop(AF_INET6, &st->addrs[i], text, sizeof(text));
		table_cell(ifs, "%s", first ? st->f.ifname : "");
		table_cell(ifs, "%s", first ? xdp_attach_mode_name(st->f.mode) : "");
		if (first)
			table_cell(ifs, "%u", st->f.prog_id);
		else
			table_cell(ifs, "%s", "");
		table_cell(ifs, "%s", st->n_addrs ? text : "-");
		table_cell(ifs, "%s", !first ? "" : st->pinned ? st->pin_dir : "-");
	}
	for (i = 0; i < MIP6LB_DCNT_MAX; i++) {
		table_cell(cnts, "%s", i ? "" : st->f.ifname);
		table_cell(cnts, "%s", decap_counter_name(i));
		table_cell(cnts, "%llu", (unsigned long long)st->cnt.c[i].packets);
		table_cell(cnts, "%llu", (unsigned long long)st->cnt.c[i].bytes);
	}
}

int cmd_status(const struct decap_opts *o)
{
	static const char *const ifs_hdr[] = { "INTERFACE", "MODE", ">PROG", "ADDRESS", "PINS" };
	static const char *const cnt_hdr[] = { "INTERFACE", "COUNTER", ">PACKETS", ">BYTES" };
	struct table *ifs = NULL, *cnts = NULL;
	struct if_nameindex *names = NULL, *it, one[2];
	struct json_object *doc = NULL, *arr = NULL;
	struct iface_status *st;
	int rc = DECAP_EXIT_OK, r, n = 0;

	st = calloc(1, sizeof(*st));
	if (!st) {
		pr_err("status: %s", strerror(ENOMEM));
		return DECAP_EXIT_ERR;
	}
	if (o->dev) {
		one[0].if_index = if_nametoindex(o->dev);
		one[0].if_name = (char *)o->dev;
		one[1] = (struct if_nameindex){ 0, NULL };
		if (!one[0].if_index) {
			pr_err("interface %s: %s", o->dev, strerror(errno));
			free(st);
			return DECAP_EXIT_ERR;
		}
		it = one;
	} else {
		names = if_nameindex();
		if (!names) {
			pr_err("listing the interfaces: %s", strerror(errno));
			free(st);
			return DECAP_EXIT_ERR;
		}
		it = names;
	}
	if (o->json) {
		doc = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(doc, "interfaces", arr);
	} else {
		ifs = table_new(5, ifs_hdr);
		cnts = table_new(4, cnt_hdr);
	}
	for (; it->if_index; it++) {
		r = collect((int)it->if_index, it->if_name, o->pin_dir, st);
		if (r < 0)
			rc = DECAP_EXIT_ERR;
		if (r > 0) {
			n++;
			if (o->json)
				json_object_array_add(arr, to_json(st));
			else
				add_rows(ifs, cnts, st);
		}
		decap_found_close(&st->f);
	}
	if (o->json) {
		printf("%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(doc);
	} else {
		table_print(ifs, stdout);
		if (n) {
			putchar('\n');
			table_print(cnts, stdout);
		}
		table_free(ifs);
		table_free(cnts);
	}
	if (names)
		if_freenameindex(names);
	free(st);
	return rc;
}
