// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The benchmark's smoke mode, so `make bench` cannot rot: run
 * `mip6lb-bench --quick --json FILE` and check that it exits 0 and that
 * FILE holds every row of the output contract (issue 5) with the right
 * fields.  No timing is asserted: figures from a smoke run mean nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>
#include <json-c/json.h>
#include "harness.h"

/* Rows measured per forwarding mode. */
static const char *const dp_rows[] = {
	"src-hit", "hao-hit", "iid-hit", "spi-hit", "coa-hit", "miss-insert",
	"chain-limit", "icmp-error", "non-service", "churn-1", "churn-10k", "churn-1m",
};

static const char *const other_rows[] = {
	"veth-pps", "notify-rate", "notify-p50-us", "notify-p99-us", "bytes-per-session",
	"sweep-1m-ms", "adopt-1m-ms", "maglev-move-n4", "maglev-move-n16",
	"maglev-move-n64", "maglev-balance", "withdraw-ms", "health-100-cpu", "sync-rate",
	"sync-lag-p50-ms", "sync-lag-p99-ms",
};

static const char *const fields[] = {
	"name", "mode", "value", "unit", "floor", "ratio", "target", "met",
};

static int is_num(struct json_object *o)
{
	return json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int);
}

/* Every field is there with its type; a null value says why. */
static void check_row(struct json_object *row, int idx)
{
	struct json_object *v;
	const char *name;
	size_t i;

	ck_assert_msg(json_object_is_type(row, json_type_object), "row %d is not an object", idx);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		ck_assert_msg(json_object_object_get_ex(row, fields[i], NULL),
			      "row %d has no \"%s\"", idx, fields[i]);
	json_object_object_get_ex(row, "name", &v);
	ck_assert_msg(json_object_is_type(v, json_type_string), "row %d: name not a string", idx);
	name = json_object_get_string(v);
	json_object_object_get_ex(row, "mode", &v);
	ck_assert_msg(!v || json_object_is_type(v, json_type_string), "%s: mode", name);
	json_object_object_get_ex(row, "unit", &v);
	ck_assert_msg(json_object_is_type(v, json_type_string), "%s: unit", name);
	json_object_object_get_ex(row, "value", &v);
	if (!v) {
		struct json_object *why;

		ck_assert_msg(json_object_object_get_ex(row, "why", &why) &&
			      json_object_is_type(why, json_type_string) &&
			      json_object_get_string_len(why) > 0,
			      "%s: null value without a why", name);
	} else {
		ck_assert_msg(is_num(v) && isfinite(json_object_get_double(v)),
			      "%s: value is not a number", name);
	}
	json_object_object_get_ex(row, "floor", &v);
	ck_assert_msg(!v || is_num(v), "%s: floor", name);
	json_object_object_get_ex(row, "ratio", &v);
	ck_assert_msg(!v || is_num(v), "%s: ratio", name);
	json_object_object_get_ex(row, "target", &v);
	ck_assert_msg(!v || is_num(v), "%s: target", name);
	json_object_object_get_ex(row, "met", &v);
	ck_assert_msg(!v || json_object_is_type(v, json_type_boolean), "%s: met", name);
}

static struct json_object *find_row(struct json_object *rows, const char *name, const char *mode)
{
	size_t i, n = json_object_array_length(rows);

	for (i = 0; i < n; i++) {
		struct json_object *row = json_object_array_get_idx(rows, i), *v;
		const char *m;

		json_object_object_get_ex(row, "name", &v);
		if (strcmp(json_object_get_string(v), name))
			continue;
		if (!mode)
			return row;
		json_object_object_get_ex(row, "mode", &v);
		m = v ? json_object_get_string(v) : NULL;
		if (m && !strcmp(m, mode))
			return row;
	}
	return NULL;
}

static const char *str_field(struct json_object *row, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(row, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static double num_field(struct json_object *row, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(row, key, &v) || !is_num(v))
		return NAN;
	return json_object_get_double(v);
}

/* veth-pps: measured with live frames against its floor, or null for one of
 * the probed reasons veth.c documents: no private namespace, or live frames
 * refused by the kernel (then the AF_PACKET fallback still ran every check
 * and says what it measured).  Anything else, such as a failed veth setup,
 * is a failure here. */
static void check_veth_row(struct json_object *rows, const char *mode)
{
	struct json_object *row = find_row(rows, "veth-pps", mode), *v;
	const char *gen, *why;

	ck_assert_msg(row, "no row veth-pps %s", mode);
	gen = str_field(row, "generator");
	json_object_object_get_ex(row, "value", &v);
	if (v) {
		ck_assert_msg(gen && !strcmp(gen, "live_frames"), "veth-pps %s: a value from "
			      "generator %s", mode, gen ? gen : "(none)");
		ck_assert_msg(num_field(row, "floor") > 0 && num_field(row, "ratio") > 0,
			      "veth-pps %s: no floor or ratio", mode);
		return;
	}
	why = str_field(row, "why");
	if (!strncmp(why, "no private network namespace", 28))
		return;
	ck_assert_msg(gen && !strcmp(gen, "af_packet"), "veth-pps %s: null: %s", mode, why);
	ck_assert_msg(!strncmp(why, "live frames refused", 19), "veth-pps %s: why: %s", mode, why);
	ck_assert_msg(str_field(row, "live_frames_refused") &&
		      *str_field(row, "live_frames_refused"), "veth-pps %s: no errno", mode);
	ck_assert_msg(num_field(row, "af_packet_pps") > 0 && num_field(row, "af_packet_floor_pps") > 0,
		      "veth-pps %s: the fallback measured nothing", mode);
	ck_assert_msg(num_field(row, "frames") > 0 && num_field(row, "lost") >= 0,
		      "veth-pps %s: frames or lost missing", mode);
}

START_TEST(test_bench_quick)
{
	char bin[1024], json[] = "/tmp/mip6lb-bench-XXXXXX", log[] = "/tmp/mip6lb-bench-log-XXXXXX";
	char cmd[3300];
	struct json_object *root, *rows;
	size_t i, n;
	int fd, st, m;

	snprintf(bin, sizeof(bin), "%s/mip6lb-bench", harness_build_dir());
	ck_assert_msg(access(bin, X_OK) == 0, "%s: %s", bin, strerror(errno));
	fd = mkstemp(json);
	ck_assert_int_ge(fd, 0);
	close(fd);
	fd = mkstemp(log);
	ck_assert_int_ge(fd, 0);
	close(fd);

	/* The table goes to a log, shown only when the run fails. */
	snprintf(cmd, sizeof(cmd), "'%s' --quick --json '%s' >'%s' 2>&1", bin, json, log);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(cmd, sizeof(cmd), "tail -n 40 '%s' >&2", log);
		if (system(cmd) == -1)
			perror("tail");
	}
	unlink(log);
	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "mip6lb-bench --quick: exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	root = json_object_from_file(json);
	unlink(json);
	ck_assert_msg(root, "bench.json does not parse: %s", json_util_get_last_err());
	ck_assert(json_object_object_get_ex(root, "rows", &rows));
	ck_assert(json_object_is_type(rows, json_type_array));
	n = json_object_array_length(rows);
	for (i = 0; i < n; i++)
		check_row(json_object_array_get_idx(rows, i), (int)i);

	for (i = 0; i < sizeof(dp_rows) / sizeof(dp_rows[0]); i++) {
		for (m = 0; m < 2; m++) {
			const char *mode = m ? "ip6ip6" : "l2-dsr";
			struct json_object *row = find_row(rows, dp_rows[i], mode), *v;

			ck_assert_msg(row, "no row %s %s", dp_rows[i], mode);
			/* Datapath rows carry their same-run floor. */
			json_object_object_get_ex(row, "value", &v);
			if (v) {
				json_object_object_get_ex(row, "floor", &v);
				ck_assert_msg(v && json_object_get_double(v) > 0,
					      "%s %s: no floor", dp_rows[i], mode);
			}
		}
	}
	for (i = 0; i < sizeof(other_rows) / sizeof(other_rows[0]); i++)
		ck_assert_msg(find_row(rows, other_rows[i], NULL), "no row %s", other_rows[i]);
	check_veth_row(rows, "l2-dsr");
	check_veth_row(rows, "ip6ip6");
	{
		/* mip6lb-decap's program, against its XDP_PASS floor. */
		struct json_object *row = find_row(rows, "decap", "ip6ip6"), *v;

		ck_assert_msg(row, "no row decap ip6ip6");
		json_object_object_get_ex(row, "value", &v);
		if (v) {
			json_object_object_get_ex(row, "floor", &v);
			ck_assert_msg(v && json_object_get_double(v) > 0, "decap ip6ip6: no floor");
			json_object_object_get_ex(row, "ratio", &v);
			ck_assert_msg(v && json_object_get_double(v) > 0, "decap ip6ip6: no ratio");
		}
	}
	json_object_put(root);
}
END_TEST

MIP6LB_SUITE(bench_smoke, SUITE_NEEDS_ROOT | SUITE_BENCH)
{
	Suite *s = suite_create("bench_smoke");
	TCase *tc = tcase_create("quick");

	/* The smoke run loads the datapath a few times and builds a veth
	 * pair: seconds, not Check's default 4. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_bench_quick);
	suite_add_tcase(s, tc);
	return s;
}
