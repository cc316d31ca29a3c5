// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stats.c - `stats [--watch SECONDS]`: every counter, per kind, per backend,
 * per reason and the session re-hashes by reason, from the daemon's "stats"
 * answer.  --watch asks again
 * every SECONDS and shows rates against the previous answer until SIGINT or
 * SIGTERM, which end it with exit code 0.
 *
 * The signals are blocked for the whole watch and taken with sigtimedwait()
 * as the sleep between samples, so Ctrl-C never interrupts a request
 * half-way (which would print a spurious "cannot reach" error).
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include "cli.h"
#include "client.h"
#include "render.h"
#include "table.h"

struct sample {
	struct json_object *data;
	double t;                      /* CLOCK_MONOTONIC seconds */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* prev's value for the same path, or -1 when there is none. */
static long long prev_val(struct json_object *prev_obj, const char *name, const char *field)
{
	struct json_object *o;

	if (!prev_obj || !json_object_object_get_ex(prev_obj, name, &o) || !o)
		return -1;
	if (!field)
		return json_object_get_int64(o);
	return jint(o, field, -1);
}

static void rate_cell(struct table *t, long long cur, long long prev, double dt)
{
	if (prev < 0 || dt <= 0 || cur < prev)
		table_cell(t, "-");
	else
		table_cell(t, "%.1f", (cur - prev) / dt);
}

/* counters and kinds: {name: {"packets", "bytes"}}. */
static void render_pb_map(const char *title, struct json_object *map,
			  struct json_object *prev, double dt, bool rates)
{
	const char *h[] = { title, ">PACKETS", ">BYTES", ">PKT/S", ">BYTES/S" };
	struct table *t = table_new(rates ? 5 : 3, h);

	if (map && json_object_is_type(map, json_type_object)) {
		json_object_object_foreach(map, name, v) {
			long long p = jint(v, "packets", 0), b = jint(v, "bytes", 0);

			table_cell(t, "%s", name);
			table_cell(t, "%lld", p);
			table_cell(t, "%lld", b);
			if (rates) {
				rate_cell(t, p, prev_val(prev, name, "packets"), dt);
				rate_cell(t, b, prev_val(prev, name, "bytes"), dt);
			}
		}
	}
	table_print(t, stdout);
	table_free(t);
}

static struct json_object *prev_backend(struct json_object *prev, struct json_object *b)
{
	size_t i;

	for (i = 0; prev && i < json_object_array_length(prev); i++) {
		struct json_object *o = json_object_array_get_idx(prev, i);

		if (!strcmp(jstr(o, "service"), jstr(b, "service")) &&
		    !strcmp(jstr(o, "name"), jstr(b, "name")))
			return o;
	}
	return NULL;
}

static void render_backends(struct json_object *list, struct json_object *prev,
			    double dt, bool rates)
{
	static const char *const h[] = {
		"SERVICE", "BACKEND", ">PACKETS", ">BYTES", ">PKT/S", ">BYTES/S",
	};
	struct table *t = table_new(rates ? 6 : 4, h);
	size_t i;

	for (i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *b = json_object_array_get_idx(list, i);
		struct json_object *pb = prev_backend(prev, b);
		long long p = jint(b, "packets", 0), by = jint(b, "bytes", 0);

		table_cell(t, "%s", jstr(b, "service"));
		table_cell(t, "%s", jstr(b, "name"));
		table_cell(t, "%lld", p);
		table_cell(t, "%lld", by);
		if (rates) {
			rate_cell(t, p, pb ? jint(pb, "packets", -1) : -1, dt);
			rate_cell(t, by, pb ? jint(pb, "bytes", -1) : -1, dt);
		}
	}
	table_print(t, stdout);
	table_free(t);
}

/* reasons and rehash: {name: packets}. */
static void render_reasons(const char *title, struct json_object *map, struct json_object *prev,
			   double dt, bool rates)
{
	const char *h[] = { title, ">PACKETS", ">PKT/S" };
	struct table *t = table_new(rates ? 3 : 2, h);

	if (map && json_object_is_type(map, json_type_object)) {
		json_object_object_foreach(map, name, v) {
			long long p = json_object_get_int64(v);

			table_cell(t, "%s", name);
			table_cell(t, "%lld", p);
			if (rates)
				rate_cell(t, p, prev_val(prev, name, NULL), dt);
		}
	}
	table_print(t, stdout);
	table_free(t);
}

static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

static void render_stats(const struct sample *cur, const struct sample *prev, bool rates)
{
	struct json_object *d = cur->data, *p = prev ? prev->data : NULL;
	double dt = prev ? cur->t - prev->t : 0;

	render_pb_map("COUNTER", member(d, "counters"), member(p, "counters"), dt, rates);
	printf("\n");
	render_pb_map("KIND", member(d, "kinds"), member(p, "kinds"), dt, rates);
	printf("\n");
	render_backends(jarray(d, "backends"), jarray(p, "backends"), dt, rates);
	printf("\n");
	render_reasons("REASON", member(d, "reasons"), member(p, "reasons"), dt, rates);
	/* Re-hashed sessions by reason (a daemon before them sends none). */
	if (member(d, "rehash")) {
		printf("\n");
		render_reasons("REHASH", member(d, "rehash"), member(p, "rehash"), dt, rates);
	}
}

static int stats_once(struct cli_ctx *ctx, struct sample *s)
{
	int rc = ctl_request(ctx, "stats", NULL, &s->data);

	s->t = now_s();
	return rc;
}

static int watch(struct cli_ctx *ctx, __u32 interval)
{
	struct sample prev = { 0 }, cur = { 0 };
	struct timespec ts = { .tv_sec = interval };
	bool tty = isatty(STDOUT_FILENO);
	sigset_t set, old;
	int rc = CLI_OK, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (;;) {
		rc = stats_once(ctx, &cur);
		if (rc)
			break;
		if (ctx->json) {
			/* One document per sample, one per line. */
			cli_print_json(ctx, cur.data);
		} else {
			time_t wall = time(NULL);
			char when[64];

			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&wall));
			if (tty)
				fputs("\033[H\033[2J", stdout);
			else if (prev.data)
				fputs("\n", stdout);
			printf("Every %us: %s stats   %s   (Ctrl-C to stop)\n\n", interval,
			       CLI_PROG, when);
			render_stats(&cur, prev.data ? &prev : NULL, true);
		}
		fflush(stdout);
		json_object_put(prev.data);
		prev = cur;
		cur.data = NULL;
		do
			sig = sigtimedwait(&set, NULL, &ts);
		while (sig < 0 && errno == EINTR);
		if (sig > 0)
			break;
	}
	json_object_put(prev.data);
	json_object_put(cur.data);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int cmd_stats(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	struct json_object *w;
	struct sample s = { 0 };
	int rc;

	(void)cmd;
	if (json_object_object_get_ex(args, "watch", &w))
		return watch(ctx, (__u32)json_object_get_int64(w));
	rc = stats_once(ctx, &s);
	if (rc)
		return rc;
	if (ctx->json)
		cli_print_json(ctx, s.data);
	else
		render_stats(&s, NULL, false);
	json_object_put(s.data);
	return CLI_OK;
}
