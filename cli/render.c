// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * render.c - the commands that are one request to mip6lbd: send it, then
 * print "data" as it came (-j) or as a table.  The table renderers read the
 * objects of docs/control.md; a field they do not know is not an error.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "cli.h"
#include "client.h"
#include "render.h"
#include "table.h"

const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return "-";
	return json_object_get_string(v);
}

long long jint(struct json_object *o, const char *key, long long def)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return def;
	return json_object_get_int64(v);
}

bool jbool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o && json_object_object_get_ex(o, key, &v) && v && json_object_get_boolean(v);
}

struct json_object *jarray(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

/* status's announce object (loader/announce.h): one line, then one per VIP. */
static void render_announce(struct json_object *d)
{
	struct json_object *a, *vips, *wait;
	size_t i;

	if (!json_object_object_get_ex(d, "announce", &a) || !a)
		return;
	if (!jbool(a, "enabled")) {
		printf("  announce    off\n");
		return;
	}
	printf("  announce    %s, dev %s table %s", jbool(a, "ready") ? "ready" : "not ready",
	       jstr(a, "dev"), jstr(a, "table"));
	wait = jarray(a, "waiting_for");
	for (i = 0; wait && i < json_object_array_length(wait); i++)
		printf("%s%s", i ? ", " : " (waiting for ",
		       json_object_get_string(json_object_array_get_idx(wait, i)));
	if (wait && json_object_array_length(wait))
		printf(")");
	if (jint(a, "route_errors", 0))
		printf(", %lld route errors", jint(a, "route_errors", 0));
	printf("\n");
	vips = jarray(a, "vips");
	for (i = 0; vips && i < json_object_array_length(vips); i++) {
		struct json_object *v = json_object_array_get_idx(vips, i);

		printf("              %s %s\n", jstr(v, "vip"),
		       jbool(v, "announced") ? "announced" : "not announced");
	}
}

static void render_status(struct json_object *d)
{
	static const char *const h[] = { "SERVICE", "FINGERPRINT", ">RING-BACKENDS" };
	struct json_object *ifs = jarray(d, "interfaces"), *rings = jarray(d, "rings");
	struct table *t;
	char up[32];
	size_t i;

	fmt_duration(up, sizeof(up), jint(d, "uptime_s", -1));
	printf("mip6lbd %s, pid %s, up %s\n", jstr(d, "version"), jstr(d, "pid"), up);
	printf("  config      %s\n", jstr(d, "config"));
	printf("  pin dir     %s\n", jstr(d, "pin_dir"));
	printf("  interfaces ");
	if (!ifs || !json_object_array_length(ifs))
		printf(" -");
	for (i = 0; ifs && i < json_object_array_length(ifs); i++) {
		struct json_object *it = json_object_array_get_idx(ifs, i);

		printf("%s %s (ifindex %s, %s)", i ? "," : "", jstr(it, "name"),
		       jstr(it, "ifindex"), jstr(it, "mode"));
	}
	printf("\n");
	printf("  services    %s\n", jstr(d, "services"));
	printf("  backends    %s\n", jstr(d, "backends"));
	printf("  sessions    %s\n", jstr(d, "sessions"));
	render_announce(d);
	printf("  fingerprint %s\n", jstr(d, "fingerprint"));
	if (!rings || !json_object_array_length(rings))
		return;
	/* One line per service, in name order: two instances' outputs
	 * compare with diff. */
	printf("\n");
	t = table_new(3, h);
	for (i = 0; i < json_object_array_length(rings); i++) {
		struct json_object *r = json_object_array_get_idx(rings, i);

		table_cell(t, "%s", jstr(r, "service"));
		table_cell(t, "%s", jstr(r, "fingerprint"));
		table_cell(t, "%s", jstr(r, "ring_backends"));
	}
	table_print(t, stdout);
	table_free(t);
}

static void render_services(struct json_object *list)
{
	static const char *const h[] = {
		"NAME", ">ID", "VIP", "PROTO", ">PORT", "IDENTITY", "EUI64", "FORWARD",
		"LB-ADDR", ">LIFETIME", "CHAIN", "NOTIFY", ">BACKENDS",
	};
	struct table *t = table_new(13, h);
	size_t i;

	for (i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *s = json_object_array_get_idx(list, i);
		long long port = jint(s, "port", 0);

		table_cell(t, "%s", jstr(s, "name"));
		table_cell(t, "%s", jstr(s, "id"));
		table_cell(t, "%s", jstr(s, "vip"));
		table_cell(t, "%s", jstr(s, "proto"));
		if (port)
			table_cell(t, "%lld", port);
		else
			table_cell(t, "any");
		table_cell(t, "%s", jstr(s, "identity"));
		table_cell(t, "%s", jbool(s, "eui64_only") ? "yes" : "no");
		table_cell(t, "%s", jstr(s, "forward"));
		table_cell(t, "%s", jstr(s, "lb_addr"));
		table_cell(t, "%ss", jstr(s, "lifetime"));
		table_cell(t, "%s", jstr(s, "chain_policy"));
		table_cell(t, "%s", jstr(s, "notify"));
		table_cell(t, "%s", jstr(s, "backends"));
	}
	table_print(t, stdout);
	table_free(t);
}

/* Seconds from the Unix time at o[key] until now; < 0 when absent. */
static double ago(struct json_object *o, const char *key)
{
	struct json_object *v;
	struct timespec now;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec + now.tv_nsec / 1e9 - json_object_get_double(v);
}

/* "down 3s", "drained 12s (deadline in 48s)", "active". */
static void backend_state_text(struct json_object *b, char *buf, size_t len)
{
	double since = ago(b, "state_changed"), left = -ago(b, "drain_deadline_at");
	struct json_object *v;
	int o;

	o = snprintf(buf, len, "%s", jstr(b, "state"));
	if (since >= 0 && o > 0 && (size_t)o < len)
		o += snprintf(buf + o, len - o, " %.0fs", since);
	if (json_object_object_get_ex(b, "drain_deadline_at", &v) && v && o > 0 &&
	    (size_t)o < len)
		snprintf(buf + o, len - o, left > 0 ? " (deadline in %.0fs)" : " (deadline passed)",
			 left);
}

/* "http ok 0.4s ago", "tcp refused 1.1s ago", "-" when unchecked. */
static void backend_health_text(struct json_object *b, char *buf, size_t len)
{
	struct json_object *h;
	double last;

	if (!json_object_object_get_ex(b, "health", &h) || !h) {
		snprintf(buf, len, "-");
		return;
	}
	last = ago(h, "last_probe");
	if (last >= 0)
		snprintf(buf, len, "%s %s %.1fs ago", jstr(h, "check"), jstr(h, "last"), last);
	else
		snprintf(buf, len, "%s (not probed yet)", jstr(h, "check"));
}

static void render_backends(struct json_object *list)
{
	static const char *const h[] = {
		"SERVICE", "NAME", ">ID", "ADDR", ">WEIGHT", "STATE", "HEALTH", ">SESSIONS",
		"NEXTHOP", ">PACKETS", ">BYTES",
	};
	struct table *t = table_new(11, h);
	char state[96], health[96];
	size_t i;

	for (i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *b = json_object_array_get_idx(list, i), *nh = NULL;

		json_object_object_get_ex(b, "nexthop", &nh);
		backend_state_text(b, state, sizeof(state));
		backend_health_text(b, health, sizeof(health));
		table_cell(t, "%s", jstr(b, "service"));
		table_cell(t, "%s", jstr(b, "name"));
		table_cell(t, "%s", jstr(b, "id"));
		table_cell(t, "%s", jstr(b, "addr"));
		table_cell(t, "%s", jstr(b, "weight"));
		table_cell(t, "%s", state);
		table_cell(t, "%s", health);
		table_cell(t, "%s", jstr(b, "sessions"));
		if (nh && jbool(nh, "valid"))
			table_cell(t, "%s %s (%s)", jstr(nh, "dev"), jstr(nh, "mac"), jstr(nh, "source"));
		else
			table_cell(t, "unresolved");
		table_cell(t, "%s", jstr(b, "packets"));
		table_cell(t, "%s", jstr(b, "bytes"));
	}
	table_print(t, stdout);
	table_free(t);
}

static int cmp_session(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a;
	struct json_object *y = *(struct json_object *const *)b;
	static const char *const keys[] = { "service", "kind", "identity" };
	size_t i;
	int c;

	for (i = 0; i < 3; i++) {
		c = strcmp(jstr(x, keys[i]), jstr(y, keys[i]));
		if (c)
			return c;
	}
	return 0;
}

static void render_sessions(struct json_object *list)
{
	static const char *const h[] = {
		"SERVICE", "KIND", "IDENTITY", "BACKEND", ">IDLE", ">LIFETIME LEFT",
	};
	size_t i, n = list ? json_object_array_length(list) : 0, on_probation = 0;
	struct json_object **v = calloc(n ? n : 1, sizeof(*v));
	struct table *t = table_new(6, h);
	struct json_object *p;
	char idle[32], left[32];

	for (i = 0; v && i < n; i++)
		v[i] = json_object_array_get_idx(list, i);
	if (v)
		qsort(v, n, sizeof(*v), cmp_session);
	for (i = 0; v && i < n; i++) {
		fmt_duration(idle, sizeof(idle), jint(v[i], "idle_s", -1));
		/* lifetime 0 never ages (mip6lb.h). */
		if (jint(v[i], "lifetime_s", -1) == 0)
			snprintf(left, sizeof(left), "never ages");
		else
			fmt_duration(left, sizeof(left), jint(v[i], "lifetime_left_s", -1));
		/* On probation (not yet admitted): the kind with a '?'. */
		p = json_object_object_get(v[i], "probation");
		if (p && json_object_get_boolean(p))
			on_probation++;
		table_cell(t, "%s", jstr(v[i], "service"));
		table_cell(t, "%s%s", jstr(v[i], "kind"),
			   p && json_object_get_boolean(p) ? "?" : "");
		table_cell(t, "%s", jstr(v[i], "identity"));
		table_cell(t, "%s", jstr(v[i], "backend"));
		table_cell(t, "%s", idle);
		table_cell(t, "%s", left);
	}
	table_print(t, stdout);
	table_free(t);
	free(v);
	if (on_probation)
		printf("%zu session%s (%zu on probation: kind?)\n", n, n == 1 ? "" : "s",
		       on_probation);
	else
		printf("%zu session%s\n", n, n == 1 ? "" : "s");
}

static int cmp_binding(const void *a, const void *b)
{
	return strcmp(jstr(*(struct json_object *const *)a, "home"),
		      jstr(*(struct json_object *const *)b, "home"));
}

/* The strings of the array at key joined by ",", or "-" when empty. */
static void join_array(char *buf, size_t len, struct json_object *o, const char *key)
{
	struct json_object *arr = jarray(o, key);
	size_t i, off = 0;

	snprintf(buf, len, "-");
	for (i = 0; arr && i < json_object_array_length(arr) && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? "," : "",
				json_object_get_string(json_object_array_get_idx(arr, i)));
}

/* notify_bindings_json(): sorted by home address, times readable. */
static void render_bindings(struct json_object *list)
{
	static const char *const h[] = {
		"HOME", "COA", "OLD COAS", "PEER", ">SEQ", ">LIFETIME", ">LIFETIME LEFT",
		"SESSION", "SUBSCRIPTION",
	};
	size_t i, n = list ? json_object_array_length(list) : 0;
	struct json_object **v = calloc(n ? n : 1, sizeof(*v));
	struct table *t = table_new(9, h);
	char old[512], life[32], left[32];

	for (i = 0; v && i < n; i++)
		v[i] = json_object_array_get_idx(list, i);
	if (v)
		qsort(v, n, sizeof(*v), cmp_binding);
	for (i = 0; v && i < n; i++) {
		join_array(old, sizeof(old), v[i], "old_coas");
		fmt_duration(life, sizeof(life), jint(v[i], "lifetime_s", -1));
		fmt_duration(left, sizeof(left), jint(v[i], "lifetime_left_s", -1));
		table_cell(t, "%s", jstr(v[i], "home"));
		table_cell(t, "%s", jstr(v[i], "coa"));
		table_cell(t, "%s", old);
		table_cell(t, "%s", jstr(v[i], "peer"));
		table_cell(t, "%s", jstr(v[i], "binding_seq"));
		table_cell(t, "%s", life);
		table_cell(t, "%s", left);
		table_cell(t, "%s", jstr(v[i], "session"));
		table_cell(t, "%s", jstr(v[i], "subscription"));
	}
	table_print(t, stdout);
	table_free(t);
	free(v);
	printf("%zu binding%s\n", n, n == 1 ? "" : "s");
}

/* The non-zero counters of the object at key as "name=N,...", or "-". */
static void nonzero_counts(char *buf, size_t len, struct json_object *o, const char *key)
{
	struct json_object *obj;
	size_t off = 0;

	snprintf(buf, len, "-");
	if (!o || !json_object_object_get_ex(o, key, &obj) ||
	    !json_object_is_type(obj, json_type_object))
		return;
	json_object_object_foreach(obj, k, v) {
		if (!json_object_get_int64(v) || off >= len)
			continue;
		off += snprintf(buf + off, len - off, "%s%s=%lld", off ? "," : "", k,
				(long long)json_object_get_int64(v));
	}
}

/* notify_peers_json(), in config order, and its two counters that belong
 * to no peer. */
static void render_peers(struct json_object *d)
{
	struct json_object *list = jarray(d, "peers");
	static const char *const h[] = {
		"NAME", "ROLE", "ADDR", ">PORT", ">SUBS", ">PENDING", ">LAST HEARD", ">ACCEPTED",
		"REJECTED", ">NO SESSION", ">SENT", ">SEND ERRORS",
	};
	struct table *t = table_new(12, h);
	char heard[32], rej[512];
	size_t i;

	for (i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *p = json_object_array_get_idx(list, i);
		long long last = jint(p, "last_heard_s", -1);

		/* null: nothing accepted from the peer yet. */
		if (last < 0)
			snprintf(heard, sizeof(heard), "never");
		else
			fmt_duration(heard, sizeof(heard), last);
		nonzero_counts(rej, sizeof(rej), p, "rejected");
		table_cell(t, "%s", jstr(p, "name"));
		table_cell(t, "%s", jstr(p, "role"));
		table_cell(t, "%s", jstr(p, "addr"));
		table_cell(t, "%s", jstr(p, "port"));
		table_cell(t, "%s", jstr(p, "subscriptions"));
		table_cell(t, "%s", jstr(p, "pending"));
		table_cell(t, "%s", heard);
		table_cell(t, "%s", jstr(p, "accepted"));
		table_cell(t, "%s", rej);
		table_cell(t, "%s", jstr(p, "no_session"));
		table_cell(t, "%s", jstr(p, "sent"));
		table_cell(t, "%s", jstr(p, "send_errors"));
	}
	table_print(t, stdout);
	table_free(t);
	/* Absent while the daemon runs without notifications (and the kernel
	 * drop counter from daemons before it). */
	if (json_object_object_get_ex(d, "unknown_peer", NULL)) {
		printf("unknown_peer %s, no_peer %s", jstr(d, "unknown_peer"), jstr(d, "no_peer"));
		if (json_object_object_get_ex(d, "rx_dropped_kernel", NULL))
			printf(", rx_dropped_kernel %s (receive buffer %s bytes)",
			       jstr(d, "rx_dropped_kernel"), jstr(d, "rcvbuf"));
		printf("\n");
	}
}

/* sync_json() (loader/sync.h): readiness, then one row per balancer peer. */
static void render_sync(struct json_object *d)
{
	struct json_object *list = jarray(d, "peers"), *v;
	static const char *const h[] = {
		"NAME", "ADDR", ">PORT", "BULK", ">QUEUED", ">DROPPED", ">SENT", ">RECEIVED",
		">APPLIED", ">REFRESHED", ">CONFLICTS", ">UNKNOWN SVC", ">UNKNOWN BE", "REJECTED",
	};
	struct table *t = table_new(14, h);
	char rej[512];
	size_t i;

	printf("ready %s\n", json_object_object_get_ex(d, "ready", &v) &&
	       json_object_get_boolean(v) ? "yes" : "no");
	for (i = 0; list && i < json_object_array_length(list); i++) {
		struct json_object *p = json_object_array_get_idx(list, i);

		nonzero_counts(rej, sizeof(rej), p, "rejected");
		table_cell(t, "%s", jstr(p, "name"));
		table_cell(t, "%s", jstr(p, "addr"));
		table_cell(t, "%s", jstr(p, "port"));
		table_cell(t, "%s", jstr(p, "bulk"));
		table_cell(t, "%s", jstr(p, "queued"));
		table_cell(t, "%s", jstr(p, "queue_dropped"));
		table_cell(t, "%s", jstr(p, "sessions_sent"));
		table_cell(t, "%s", jstr(p, "received"));
		table_cell(t, "%s", jstr(p, "applied"));
		table_cell(t, "%s", jstr(p, "refreshed"));
		table_cell(t, "%s", jstr(p, "conflicts"));
		table_cell(t, "%s", jstr(p, "unknown_service"));
		table_cell(t, "%s", jstr(p, "unknown_backend"));
		table_cell(t, "%s", rej);
	}
	if (list && json_object_array_length(list))
		table_print(t, stdout);
	table_free(t);
}

/* A JSON list of one object, for the commands that return one. */
static void render_one(void (*fn)(struct json_object *), struct json_object *obj)
{
	struct json_object *list = json_object_new_array();

	json_object_array_add(list, json_object_get(obj));
	fn(list);
	json_object_put(list);
}

static void render(const char *path, struct json_object *d)
{
	if (!strcmp(path, "status"))
		render_status(d);
	else if (!strcmp(path, "service list"))
		render_services(jarray(d, "services"));
	else if (!strcmp(path, "service add"))
		render_one(render_services, d);
	else if (!strcmp(path, "backend list"))
		render_backends(jarray(d, "backends"));
	else if (!strcmp(path, "backend add"))
		render_one(render_backends, d);
	else if (!strcmp(path, "session list"))
		render_sessions(jarray(d, "sessions"));
	else if (!strcmp(path, "binding list"))
		render_bindings(jarray(d, "bindings"));
	else if (!strcmp(path, "peer list"))
		render_peers(d);
	else if (!strcmp(path, "sync"))
		render_sync(d);
	/* Everything else answers {}: silence is success, as with ip(8). */
}

struct json_object *request_args(const struct cli_cmd *cmd, struct json_object *args)
{
	struct json_object *out = json_object_new_object(), *v;
	const struct cli_arg *a;

	for (a = cmd->args; a && a->key; a++)
		if (!(a->flags & CA_LOCAL) && json_object_object_get_ex(args, a->key, &v))
			json_object_object_add(out, a->key, json_object_get(v));
	return out;
}

int cmd_daemon_request(struct cli_ctx *ctx, const struct cli_cmd *cmd, struct json_object *args)
{
	struct json_object *req = request_args(cmd, args), *data;
	int rc;

	rc = ctl_request(ctx, cmd->path, req, &data);
	json_object_put(req);
	if (rc)
		return rc;
	if (ctx->json)
		cli_print_json(ctx, data);
	else
		render(cmd->path, data);
	json_object_put(data);
	return CLI_OK;
}
