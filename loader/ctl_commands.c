// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * ctl_commands.c - the control socket's commands (docs/control.md): the
 * command table, each command's arguments and JSON, and ctlsrv_handle(),
 * which turns one request into one response.  Every command that changes
 * something goes through lib/state_edit.c, which checks with the config
 * file's own rules and applies through the same diff as a reload.  The
 * socket itself is ctl_server.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>
#include <bpf/bpf.h>
#include "announce.h"
#include "ctl_server.h"
#include "daemon.h"
#include "datapath.h"
#include "dpmaps.h"
#include "health.h"
#include "names.h"
#include "notify.h"
#include "peer_link.h"
#include "sync.h"
#include "state.h"
#include "log.h"

/* ---- helpers ------------------------------------------------------------ */

static struct json_object *jstr_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *jaddr(const struct in6_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	return json_object_new_string(buf);
}

/* lb_addr as configured: an address, or PREFIX/LENGTH (tunnel entropy). */
static struct json_object *jlb_addr(const struct cfg_service *c)
{
	char buf[INET6_ADDRSTRLEN + 4];

	inet_ntop(AF_INET6, &c->lb_addr, buf, INET6_ADDRSTRLEN);
	if (c->lb_plen < 128)
		snprintf(buf + strlen(buf), 5, "/%u", c->lb_plen);
	return json_object_new_string(buf);
}

static struct json_object *jmac(const __u8 *m)
{
	char buf[18];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
	return json_object_new_string(buf);
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

/* Arguments: every key must be one the command knows. */
static int check_args(struct json_object *args, const char *const *allowed, char *err,
		      size_t errlen)
{
	int i, ok;

	if (!args)
		return 0;
	if (!json_object_is_type(args, json_type_object)) {
		snprintf(err, errlen, "'args' must be an object");
		return -EINVAL;
	}
	json_object_object_foreach(args, key, val) {
		(void)val;
		for (i = 0, ok = 0; allowed && allowed[i] && !ok; i++)
			ok = !strcmp(allowed[i], key);
		if (!ok) {
			snprintf(err, errlen, "unknown argument '%s'", key);
			return -EINVAL;
		}
	}
	return 0;
}

/* A JSON string may hold \u0000; C would see only what comes before it. */
static int no_nul(struct json_object *v, const char *key, char *err, size_t errlen)
{
	if (strlen(json_object_get_string(v)) == (size_t)json_object_get_string_len(v))
		return 0;
	snprintf(err, errlen, "argument '%s' contains a NUL character", key);
	return -EINVAL;
}

static int arg_str(struct json_object *args, const char *key, bool required, const char **out,
		   char *err, size_t errlen)
{
	struct json_object *v = NULL;

	*out = NULL;
	if (!args || !json_object_object_get_ex(args, key, &v) || json_object_is_type(v, json_type_null)) {
		if (!required)
			return 0;
		snprintf(err, errlen, "missing argument '%s'", key);
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "argument '%s' must be a string", key);
		return -EINVAL;
	}
	if (no_nul(v, key, err, errlen))
		return -EINVAL;
	*out = json_object_get_string(v);
	return 0;
}

/* The INI text of one argument: strings as they are, integers in decimal,
 * booleans as yes/no (eui64_only). */
static int arg_text(struct json_object *v, const char *key, char *buf, size_t len, char *err,
		    size_t errlen)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		if (no_nul(v, key, err, errlen))
			return -EINVAL;
		if (snprintf(buf, len, "%s", json_object_get_string(v)) >= (int)len) {
			snprintf(err, errlen, "argument '%s' is too long", key);
			return -EINVAL;
		}
		return 0;
	case json_type_int:
		snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
		return 0;
	case json_type_boolean:
		snprintf(buf, len, "%s", json_object_get_boolean(v) ? "yes" : "no");
		return 0;
	default:
		snprintf(err, errlen, "argument '%s' must be a string or an integer", key);
		return -EINVAL;
	}
}

#define MAX_KV 16

/* Collect the arguments other than skip[] as config keys and values. */
static int args_to_kv(struct json_object *args, const char *const *skip, struct st_kv *kv,
		      char (*vals)[256], int *n, char *err, size_t errlen)
{
	int i, ret;
	bool skipped;

	*n = 0;
	if (!args)
		return 0;
	json_object_object_foreach(args, key, val) {
		for (i = 0, skipped = false; skip[i] && !skipped; i++)
			skipped = !strcmp(skip[i], key);
		if (skipped)
			continue;
		if (*n == MAX_KV) {
			snprintf(err, errlen, "too many arguments");
			return -E2BIG;
		}
		ret = arg_text(val, key, vals[*n], sizeof(vals[*n]), err, errlen);
		if (ret)
			return ret;
		kv[*n].key = key;
		kv[*n].val = vals[*n];
		(*n)++;
	}
	return 0;
}

/* ---- objects ------------------------------------------------------------ */

/* NULL for an id that is not a configured service. */
static struct json_object *service_json(const struct lb_state *st, __u32 id)
{
	const char *name = state_service_name(st, id);
	const struct st_service *s;
	struct json_object *o;
	char ids[64];

	if (!name)
		return NULL;
	s = &st->svcs[id];
	o = json_object_new_object();
	id_order_format(s->cfg.id_order, s->cfg.n_ids, ids, sizeof(ids));
	add(o, "name", json_object_new_string(name));
	add(o, "id", json_object_new_int64(id));
	add(o, "vip", jaddr(&s->cfg.vip));
	add(o, "proto", json_object_new_string(ip_proto_name(s->cfg.proto)));
	add(o, "port", json_object_new_int(s->cfg.port));
	add(o, "identity", json_object_new_string(ids));
	add(o, "eui64_only", json_object_new_boolean(s->cfg.eui64_only));
	add(o, "forward", json_object_new_string(forward_name(s->cfg.forward)));
	add(o, "lb_addr", s->cfg.has_lb_addr ? jlb_addr(&s->cfg) : NULL);
	add(o, "mtu", json_object_new_int64(s->cfg.mtu));
	add(o, "lifetime", json_object_new_int64(s->cfg.lifetime_s));
	add(o, "chain_policy", json_object_new_string(
		    s->cfg.chain_policy == MIP6LB_CHAIN_DROP ? "drop" : "src"));
	add(o, "notify", json_object_new_string(notify_mode_name(s->cfg.notify)));
	add(o, "backends", json_object_new_int(s->n_backends));
	return o;
}

/* Sessions naming each backend, in every session table (one walk of
 * each); NULL when out of memory or a walk failed. */
static struct dp_session_counts *session_counts(const struct lb_state *st)
{
	struct dp_session_counts *c = malloc(sizeof(*c));

	if (c && dp_session_counts(st->maps, c)) {
		free(c);
		return NULL;
	}
	return c;
}

/* A CLOCK_MONOTONIC time as Unix time in seconds (ms precision), null for
 * 0 (never).  One offset between the clocks per process, so a time reads
 * the same in every response (clients compute "ago" themselves). */
static struct json_object *jwhen(__u64 mono_ns)
{
	static __s64 offset_ns;
	struct timespec rt;
	char buf[32];

	if (!mono_ns)
		return NULL;
	if (!offset_ns) {
		clock_gettime(CLOCK_REALTIME, &rt);
		offset_ns = (__s64)rt.tv_sec * 1000000000LL + rt.tv_nsec - (__s64)dp_now_ns();
	}
	snprintf(buf, sizeof(buf), "%.3f", ((__s64)mono_ns + offset_ns) / 1e9);
	return json_object_new_double_s(atof(buf), buf);
}

/* The state, when it changed, and the health checks' view. */
static void backend_state_json(struct json_object *o, const struct daemon *d, __u32 id,
			       const struct dp_session_counts *sc)
{
	const struct st_backend *b = &d->st->bes[id];
	struct json_object *h = NULL, *by = NULL;
	struct health_view hv;
	int t;

	add(o, "state", json_object_new_string(st_be_state_name(state_backend_state(d->st, id))));
	add(o, "state_changed", jwhen(b->state_ns));
	/* Every table's: a drained backend is empty when all are 0. */
	add(o, "sessions", sc ? json_object_new_int64(dp_session_counts_sum(sc->backend[id]))
			      : NULL);
	if (sc) {
		by = json_object_new_object();
		for (t = 0; t < DP_SESSION_TABLES; t++)
			add(by, dp_session_table_name(t), json_object_new_int64(sc->backend[id][t]));
	}
	add(o, "sessions_by_table", by);
	if (b->cfg.drained) {
		add(o, "drain_deadline_s", b->cfg.drain_deadline_s ?
		    json_object_new_int64(b->cfg.drain_deadline_s) : NULL);
		/* When its remaining sessions re-hash (or did). */
		add(o, "drain_deadline_at", jwhen(b->drain_deadline_ns));
		add(o, "drain_expired", json_object_new_boolean(b->drain_expired));
	}
	if (health_view(d->health, id, &hv)) {
		h = json_object_new_object();
		add(h, "check", json_object_new_string(health_type_name(hv.type)));
		add(h, "up", json_object_new_boolean(hv.up));
		add(h, "last", json_object_new_string(hc_result_name(hv.last)));
		add(h, "last_probe", jwhen(hv.last_ns));
		add(h, "changed", jwhen(hv.changed_ns));
		add(h, "probes", json_object_new_int64(hv.probes));
		add(h, "failures", json_object_new_int64(hv.failures));
	}
	add(o, "health", h);
}

/* NULL for an id that is not a configured backend. */
static struct json_object *backend_json(const struct daemon *d, __u32 id,
					const struct dp_session_counts *sc)
{
	const struct lb_state *st = d->st;
	const char *name = state_backend_name(st, id);
	const struct st_backend *b;
	struct json_object *o, *nh;
	struct mip6lb_counter_val cv = {};
	char ifname[IF_NAMESIZE];
	const char *dev = NULL;

	if (!name)
		return NULL;
	b = &st->bes[id];
	o = json_object_new_object();
	nh = json_object_new_object();
	if (b->cfg.dev[0])
		dev = b->cfg.dev;
	else if (b->nh.ifindex && if_indextoname(b->nh.ifindex, ifname))
		dev = ifname;
	dp_backend_stats_read(st->maps, id, &cv);
	add(o, "service", jstr_or_null(state_service_name(st, b->service_id)));
	add(o, "name", json_object_new_string(name));
	add(o, "id", json_object_new_int64(id));
	add(o, "addr", jaddr(&b->cfg.addr));
	add(o, "weight", json_object_new_int64(b->cfg.weight));
	backend_state_json(o, d, id, sc);
	add(nh, "dev", jstr_or_null(dev));
	add(nh, "ifindex", json_object_new_int64(b->nh.ifindex));
	add(nh, "mac", b->nh.valid || b->nh.from_config ? jmac(b->nh.dmac) : NULL);
	add(nh, "valid", json_object_new_boolean(b->nh.valid));
	add(nh, "source", json_object_new_string(b->nh.from_config ? "config" : "netlink"));
	add(o, "nexthop", nh);
	add(o, "packets", json_object_new_int64(cv.packets));
	add(o, "bytes", json_object_new_int64(cv.bytes));
	return o;
}

/* ---- commands ----------------------------------------------------------- */

typedef int (*cmd_fn)(struct daemon *d, struct json_object *args, struct json_object **data,
		      char *err, size_t errlen);

static int count_cb(const struct mip6lb_session_key *k, const struct mip6lb_session *v, void *a)
{
	return 0;
}

/* A fingerprint as 16 hex digits, or null when unknown. */
static struct json_object *jfp(int err, __u64 fp)
{
	char hex[24];

	if (err)
		return NULL;
	snprintf(hex, sizeof(hex), STATE_FP_FMT, (unsigned long long)fp);
	return json_object_new_string(hex);
}

/* Each configured service's ring fingerprint, in name order (what two
 * instances compare line by line), and the overall one. */
static void fingerprints_json(const struct lb_state *st, struct json_object *o)
{
	struct json_object *rings = json_object_new_array();
	__u32 ids[MIP6LB_MAX_SERVICES], id, t;
	int n = 0, i, j, ret;
	__u64 fp;

	for (id = 0; id < MIP6LB_MAX_SERVICES; id++)
		if (state_service_name(st, id))
			ids[n++] = id;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(state_service_name(st, ids[j - 1]),
					    state_service_name(st, ids[j])) > 0; j--) {
			t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	for (i = 0; i < n; i++) {
		struct json_object *r = json_object_new_object();

		ret = state_service_fingerprint(st, ids[i], &fp);
		add(r, "service", json_object_new_string(state_service_name(st, ids[i])));
		add(r, "fingerprint", jfp(ret, fp));
		add(r, "ring_backends", json_object_new_int64(st->svcs[ids[i]].n_ring));
		json_object_array_add(rings, r);
	}
	ret = state_fingerprint(st, &fp);
	add(o, "fingerprint", jfp(ret, fp));
	add(o, "rings", rings);
}

static int cmd_status(struct daemon *d, struct json_object *args, struct json_object **data,
		      char *err, size_t errlen)
{
	struct json_object *o, *ifs;
	long sessions;
	int i, ret;

	if ((ret = check_args(args, NULL, err, errlen)))
		return ret;
	o = json_object_new_object();
	ifs = json_object_new_array();
	sessions = dp_sessions_foreach(d->st->maps, count_cb, NULL);

	add(o, "version", json_object_new_string(MIP6LBD_VERSION));
	add(o, "pid", json_object_new_int(getpid()));
	add(o, "uptime_s", json_object_new_int64((dp_now_ns() - d->start_ns) / 1000000000ULL));
	add(o, "config", jstr_or_null(d->config_path));
	add(o, "pin_dir", jstr_or_null(d->pin_dir));
	for (i = 0; d->dp && i < d->dp->n_ifaces; i++) {
		const struct dp_iface *ifc = &d->dp->ifaces[i];
		struct json_object *x;

		if (!ifc->attached)
			continue;
		x = json_object_new_object();
		add(x, "name", json_object_new_string(ifc->name));
		add(x, "ifindex", json_object_new_int(ifc->ifindex));
		add(x, "mode", json_object_new_string(xdp_attach_mode_name(ifc->mode)));
		json_object_array_add(ifs, x);
	}
	add(o, "interfaces", ifs);
	add(o, "services", json_object_new_int(state_count_services(d->st)));
	add(o, "backends", json_object_new_int(state_count_backends(d->st)));
	add(o, "sessions", json_object_new_int64(sessions < 0 ? 0 : sessions));
	add(o, "announce", announce_json(d->announce));
	fingerprints_json(d->st, o);
	*data = o;
	return 0;
}

static const char *const service_add_skip[] = { "name", NULL };

static int cmd_service_add(struct daemon *d, struct json_object *args, struct json_object **data,
			   char *err, size_t errlen)
{
	static const char *const allowed[] = {
		"name", "vip", "proto", "port", "identity", "forward", "lb_addr", "eui64_only",
		"lifetime", "chain_policy", "notify", "mtu", NULL,
	};
	struct st_kv kv[MAX_KV];
	char vals[MAX_KV][256];
	const char *name;
	int n, ret;

	if ((ret = check_args(args, allowed, err, errlen)) ||
	    (ret = arg_str(args, "name", true, &name, err, errlen)) ||
	    (ret = args_to_kv(args, service_add_skip, kv, vals, &n, err, errlen)))
		return ret;
	ret = state_service_add(d->st, name, kv, n, err, errlen);
	if (ret)
		return ret;
	/* An id, never -ENOENT, indexes the model: state_service_id() < 0
	 * would mean the add applied something other than what was asked. */
	ret = state_service_id(d->st, name);
	*data = ret < 0 ? NULL : service_json(d->st, ret);
	if (!*data) {
		snprintf(err, errlen, "service %s: not found after adding it", name);
		return -ENOENT;
	}
	return 0;
}

static int cmd_service_del(struct daemon *d, struct json_object *args, struct json_object **data,
			   char *err, size_t errlen)
{
	static const char *const allowed[] = { "name", NULL };
	const char *name;
	int ret;

	if ((ret = check_args(args, allowed, err, errlen)) ||
	    (ret = arg_str(args, "name", true, &name, err, errlen)))
		return ret;
	return state_service_del(d->st, name, err, errlen);
}

static int cmd_service_list(struct daemon *d, struct json_object *args,
			    struct json_object **data, char *err, size_t errlen)
{
	struct json_object *o, *arr;
	int ret, i;

	if ((ret = check_args(args, NULL, err, errlen)))
		return ret;
	o = json_object_new_object();
	arr = json_object_new_array();
	/* Config order: what the operator wrote. */
	for (i = 0; i < d->st->cfg.n_services; i++) {
		int id = state_service_id(d->st, d->st->cfg.services[i].name);
		struct json_object *x = id < 0 ? NULL : service_json(d->st, id);

		if (x)
			json_object_array_add(arr, x);
	}
	add(o, "services", arr);
	*data = o;
	return 0;
}

static const char *const backend_add_skip[] = { "service", "name", NULL };

static int cmd_backend_add(struct daemon *d, struct json_object *args, struct json_object **data,
			   char *err, size_t errlen)
{
	static const char *const allowed[] = {
		"service", "name", "addr", "weight", "mac", "dev", NULL,
	};
	struct st_kv kv[MAX_KV];
	char vals[MAX_KV][256];
	const char *svc, *name;
	int n, ret;

	if ((ret = check_args(args, allowed, err, errlen)) ||
	    (ret = arg_str(args, "service", true, &svc, err, errlen)) ||
	    (ret = arg_str(args, "name", true, &name, err, errlen)) ||
	    (ret = args_to_kv(args, backend_add_skip, kv, vals, &n, err, errlen)))
		return ret;
	ret = state_backend_add(d->st, svc, name, kv, n, err, errlen);
	if (ret)
		return ret;
	ret = state_backend_id(d->st, svc, name);
	*data = ret < 0 ? NULL : backend_json(d, ret, NULL);
	if (!*data) {
		snprintf(err, errlen, "backend %s/%s: not found after adding it", svc, name);
		return -ENOENT;
	}
	return 0;
}

static int backend_args(struct json_object *args, const char **svc, const char **name,
			char *err, size_t errlen)
{
	static const char *const allowed[] = { "service", "name", NULL };
	int ret;

	if ((ret = check_args(args, allowed, err, errlen)) ||
	    (ret = arg_str(args, "service", true, svc, err, errlen)) ||
	    (ret = arg_str(args, "name", true, name, err, errlen)))
		return ret;
	return 0;
}

static int cmd_backend_del(struct daemon *d, struct json_object *args, struct json_object **data,
			   char *err, size_t errlen)
{
	const char *svc, *name;
	int ret = backend_args(args, &svc, &name, err, errlen);

	return ret ? ret : state_backend_del(d->st, svc, name, err, errlen);
}

/* backend drain SERVICE NAME [deadline SECONDS]: with a deadline, the
 * sessions still on it then re-hash on their next packet. */
static int cmd_backend_drain(struct daemon *d, struct json_object *args,
			     struct json_object **data, char *err, size_t errlen)
{
	static const char *const allowed[] = { "service", "name", "deadline", NULL };
	struct json_object *v;
	const char *svc, *name;
	char buf[32];
	__u32 deadline = 0;
	int ret;

	if ((ret = check_args(args, allowed, err, errlen)) ||
	    (ret = arg_str(args, "service", true, &svc, err, errlen)) ||
	    (ret = arg_str(args, "name", true, &name, err, errlen)))
		return ret;
	if (!json_object_object_get_ex(args, "deadline", &v) ||
	    json_object_is_type(v, json_type_null))
		return state_backend_drain(d->st, svc, name, true, err, errlen);
	if ((ret = arg_text(v, "deadline", buf, sizeof(buf), err, errlen)))
		return ret;
	if (parse_u32(buf, 1, CFG_MAX_LIFETIME, &deadline)) {
		snprintf(err, errlen, "deadline '%s': expected seconds from 1 to %u", buf,
			 CFG_MAX_LIFETIME);
		return -EINVAL;
	}
	return state_backend_drain_deadline(d->st, svc, name, deadline, err, errlen);
}

static int cmd_backend_undrain(struct daemon *d, struct json_object *args,
			       struct json_object **data, char *err, size_t errlen)
{
	const char *svc, *name;
	int ret = backend_args(args, &svc, &name, err, errlen);

	return ret ? ret : state_backend_drain(d->st, svc, name, false, err, errlen);
}

/* backend disable / enable SERVICE NAME (HAProxy's MAINT): off the ring
 * and its sessions re-hash at once; health checks go on. */
static int cmd_backend_disable(struct daemon *d, struct json_object *args,
			       struct json_object **data, char *err, size_t errlen)
{
	const char *svc, *name;
	int ret = backend_args(args, &svc, &name, err, errlen);

	return ret ? ret : state_backend_disable(d->st, svc, name, true, err, errlen);
}

static int cmd_backend_enable(struct daemon *d, struct json_object *args,
			      struct json_object **data, char *err, size_t errlen)
{
	const char *svc, *name;
	int ret = backend_args(args, &svc, &name, err, errlen);

	return ret ? ret : state_backend_disable(d->st, svc, name, false, err, errlen);
}

static int cmd_backend_list(struct daemon *d, struct json_object *args,
			    struct json_object **data, char *err, size_t errlen)
{
	static const char *const allowed[] = { "service", NULL };
	const struct mip6lb_config *c = &d->st->cfg;
	struct json_object *o, *arr, *x;
	const char *svc;
	struct dp_session_counts *sc;
	int ret, i;

	if ((ret = check_args(args, allowed, err, errlen)) ||
	    (ret = arg_str(args, "service", false, &svc, err, errlen)))
		return ret;
	if (svc && state_service_id(d->st, svc) < 0) {
		snprintf(err, errlen, "service %s: no such service", svc);
		return -ENOENT;
	}
	sc = session_counts(d->st);
	o = json_object_new_object();
	arr = json_object_new_array();
	for (i = 0; i < c->n_backends; i++) {
		int id;

		if (svc && strcmp(c->backends[i].service, svc))
			continue;
		id = state_backend_id(d->st, c->backends[i].service, c->backends[i].name);
		x = id < 0 ? NULL : backend_json(d, id, sc);
		if (x)
			json_object_array_add(arr, x);
	}
	free(sc);
	add(o, "backends", arr);
	*data = o;
	return 0;
}

struct sess_walk {
	const struct lb_state *st;
	struct json_object *arr;
	__u64 now;
	int service_id;              /* -1 = all */
	int kind;                    /* -1 = all */
};

static int session_cb(const struct mip6lb_session_key *k, const struct mip6lb_session *v,
		      void *arg)
{
	struct sess_walk *w = arg;
	struct json_object *o;
	const char *be;
	__u64 idle;
	char ident[64];

	if ((w->service_id >= 0 && k->service_id != (__u32)w->service_id) ||
	    (w->kind >= 0 && v->kind != w->kind))
		return 0;
	/* Its backend id may have gone to a backend of another service. */
	be = state_backend_name(w->st, v->backend_id);
	if (be && w->st->bes[v->backend_id].service_id != k->service_id)
		be = NULL;
	idle = w->now > v->last_used_ns ? (w->now - v->last_used_ns) / 1000000000ULL : 0;
	identity_format(k, ident, sizeof(ident));
	o = json_object_new_object();
	add(o, "service", jstr_or_null(state_service_name(w->st, k->service_id)));
	add(o, "kind", json_object_new_string(kind_name(v->kind)));
	add(o, "identity", json_object_new_string(ident));
	/* null: its backend is gone and it re-hashes on its next packet. */
	add(o, "backend", jstr_or_null(be));
	add(o, "idle_s", json_object_new_int64(idle));
	add(o, "lifetime_s", json_object_new_int64(v->lifetime_s));
	add(o, "lifetime_left_s", v->lifetime_s ?
	    json_object_new_int64(idle >= v->lifetime_s ? 0 : v->lifetime_s - idle) : NULL);
	/* A new identity not yet admitted to sessions (bpf/session.h): its
	 * idle time counts from its first packet. */
	add(o, "probation", json_object_new_boolean(!!(v->flags & MIP6LB_SESS_PROBATION)));
	json_object_array_add(w->arr, o);
	return 0;
}

static int cmd_session_list(struct daemon *d, struct json_object *args,
			    struct json_object **data, char *err, size_t errlen)
{
	static const char *const allowed[] = { "service", "kind", NULL };
	struct sess_walk w = { .st = d->st, .service_id = -1, .kind = -1 };
	const char *svc, *kind;
	struct json_object *o;
	long n;
	int ret;

	if ((ret = check_args(args, allowed, err, errlen)) ||
	    (ret = arg_str(args, "service", false, &svc, err, errlen)) ||
	    (ret = arg_str(args, "kind", false, &kind, err, errlen)))
		return ret;
	if (svc && (w.service_id = state_service_id(d->st, svc)) < 0) {
		snprintf(err, errlen, "service %s: no such service", svc);
		return -ENOENT;
	}
	if (kind && (w.kind = kind_from_name(kind)) < 0) {
		snprintf(err, errlen, "kind '%s': expected hoa, spi, iid, src or coa", kind);
		return -EINVAL;
	}
	w.now = dp_now_ns();
	w.arr = json_object_new_array();
	n = dp_sessions_foreach(d->st->maps, session_cb, &w);
	if (n < 0) {
		json_object_put(w.arr);
		snprintf(err, errlen, "map sessions: %s", strerror((int)-n));
		return (int)n;
	}
	o = json_object_new_object();
	add(o, "sessions", w.arr);
	*data = o;
	return 0;
}

static int cmd_session_del(struct daemon *d, struct json_object *args,
			   struct json_object **data, char *err, size_t errlen)
{
	static const char *const allowed[] = { "service", "kind", "identity", NULL };
	struct mip6lb_session_key key = {};
	const char *svc, *kind, *ident;
	int ret, sid, k;

	if ((ret = check_args(args, allowed, err, errlen)) ||
	    (ret = arg_str(args, "service", true, &svc, err, errlen)) ||
	    (ret = arg_str(args, "kind", true, &kind, err, errlen)) ||
	    (ret = arg_str(args, "identity", true, &ident, err, errlen)))
		return ret;
	sid = state_service_id(d->st, svc);
	if (sid < 0) {
		snprintf(err, errlen, "service %s: no such service", svc);
		return -ENOENT;
	}
	k = kind_from_name(kind);
	if (k < 0) {
		snprintf(err, errlen, "kind '%s': expected hoa, spi, iid, src or coa", kind);
		return -EINVAL;
	}
	key.service_id = sid;
	if (identity_parse(k, ident, &key)) {
		snprintf(err, errlen, "identity '%s' is not a valid %s identity", ident, kind);
		return -EINVAL;
	}
	/* Wherever it lives: sessions, coa_sessions or probation. */
	ret = dp_session_delete(d->st->maps, &key);
	if (ret) {
		if (ret == -ENOENT)
			snprintf(err, errlen, "session %s %s %s: no such session", svc, kind, ident);
		else
			snprintf(err, errlen, "map sessions: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

static struct json_object *pk_bytes(const struct mip6lb_counter_val *v)
{
	struct json_object *o = json_object_new_object();

	add(o, "packets", json_object_new_int64(v->packets));
	add(o, "bytes", json_object_new_int64(v->bytes));
	return o;
}

static bool is_reason(int i)
{
	const char *n = mip6lb_counter_names[i];

	return !strncmp(n, "pass_", 5) || !strncmp(n, "drop_", 5) ||
	       i == MIP6LB_CNT_CHAIN_TOO_LONG || i == MIP6LB_CNT_HAO_MALFORMED ||
	       i == MIP6LB_CNT_OPT_MALFORMED ||
	       i == MIP6LB_CNT_FRAG_UNTRACKED || i == MIP6LB_CNT_EVENT_DROPPED;
}

static int cmd_stats(struct daemon *d, struct json_object *args, struct json_object **data,
		     char *err, size_t errlen)
{
	struct mip6lb_counter_val c[MIP6LB_CNT_MAX];
	struct json_object *o, *counters, *kinds, *bes, *reasons, *svcs, *rehash;
	const struct mip6lb_config *cfg = &d->st->cfg;
	int ret, i;

	if ((ret = check_args(args, NULL, err, errlen)))
		return ret;
	ret = dp_counters_read(d->st->maps, c);
	if (ret) {
		snprintf(err, errlen, "map counters: %s", strerror(-ret));
		return ret;
	}
	o = json_object_new_object();
	counters = json_object_new_object();
	kinds = json_object_new_object();
	reasons = json_object_new_object();
	bes = json_object_new_array();
	svcs = json_object_new_array();
	for (i = 0; i < MIP6LB_CNT_MAX; i++) {
		add(counters, mip6lb_counter_names[i], pk_bytes(&c[i]));
		if (is_reason(i))
			add(reasons, mip6lb_counter_names[i], json_object_new_int64(c[i].packets));
	}
	for (i = MIP6LB_KIND_HOA; i < MIP6LB_KIND_MAX; i++)
		add(kinds, kind_name(i), pk_bytes(&c[MIP6LB_CNT_KIND_HOA + i - MIP6LB_KIND_HOA]));
	/* session_rehash by why its backend was not usable; they add up
	 * to session_rehash. */
	rehash = json_object_new_object();
	for (i = 0; i < MIP6LB_REHASH_MAX; i++)
		add(rehash, rehash_reason_name(i),
		    json_object_new_int64(c[MIP6LB_CNT_REHASH_DOWN + i].packets));
	for (i = 0; i < cfg->n_backends; i++) {
		int id = state_backend_id(d->st, cfg->backends[i].service, cfg->backends[i].name);
		struct mip6lb_counter_val v = {};
		struct json_object *x;

		if (id < 0)
			continue;
		dp_backend_stats_read(d->st->maps, id, &v);
		x = json_object_new_object();
		add(x, "service", json_object_new_string(cfg->backends[i].service));
		add(x, "name", json_object_new_string(cfg->backends[i].name));
		add(x, "packets", json_object_new_int64(v.packets));
		add(x, "bytes", json_object_new_int64(v.bytes));
		json_object_array_add(bes, x);
	}
	/* Config order, as service list. */
	for (i = 0; i < cfg->n_services; i++) {
		int id = state_service_id(d->st, cfg->services[i].name);
		struct mip6lb_service_stats v = {};
		struct json_object *x;

		if (id < 0)
			continue;
		dp_service_stats_read(d->st->maps, id, &v);
		x = json_object_new_object();
		add(x, "name", json_object_new_string(cfg->services[i].name));
		add(x, "midflow_new", json_object_new_int64(v.midflow_new));
		json_object_array_add(svcs, x);
	}
	add(o, "counters", counters);
	add(o, "kinds", kinds);
	add(o, "backends", bes);
	add(o, "services", svcs);
	add(o, "reasons", reasons);
	add(o, "rehash", rehash);
	*data = o;
	return 0;
}

static int cmd_empty_list(struct json_object *args, const char *name, struct json_object **data,
			  char *err, size_t errlen)
{
	int ret = check_args(args, NULL, err, errlen);

	if (ret)
		return ret;
	*data = json_object_new_object();
	add(*data, name, json_object_new_array());
	return 0;
}

/* Bindings and peers: the notification module's own JSON (notify.h has
 * the fields); empty lists while the daemon runs without it. */
static int cmd_binding_list(struct daemon *d, struct json_object *args,
			    struct json_object **data, char *err, size_t errlen)
{
	int ret;

	if (!d->notify)
		return cmd_empty_list(args, "bindings", data, err, errlen);
	if ((ret = check_args(args, NULL, err, errlen)))
		return ret;
	*data = notify_bindings_json(d->notify, notify_now_ms());
	return *data ? 0 : -ENOMEM;
}

static int cmd_peer_list(struct daemon *d, struct json_object *args, struct json_object **data,
			 char *err, size_t errlen)
{
	int ret;

	if (!d->notify)
		return cmd_empty_list(args, "peers", data, err, errlen);
	if ((ret = check_args(args, NULL, err, errlen)))
		return ret;
	*data = notify_peers_json(d->notify, notify_now_ms());
	return *data ? 0 : -ENOMEM;
}

/* Session sync (loader/sync.h): without a balancer peer, ready and no
 * peers. */
static int cmd_sync(struct daemon *d, struct json_object *args, struct json_object **data,
		    char *err, size_t errlen)
{
	int ret;

	if ((ret = check_args(args, NULL, err, errlen)))
		return ret;
	if (d->sync) {
		*data = sync_json(d->sync, peer_now_ms());
	} else {
		*data = json_object_new_object();
		if (*data) {
			json_object_object_add(*data, "ready", json_object_new_boolean(1));
			json_object_object_add(*data, "peers", json_object_new_array());
		}
	}
	return *data ? 0 : -ENOMEM;
}

static int cmd_reload(struct daemon *d, struct json_object *args, struct json_object **data,
		      char *err, size_t errlen)
{
	static const char *const allowed[] = { "allow_empty", NULL };
	struct json_object *v;
	char val[8] = "no";
	int ret = check_args(args, allowed, err, errlen);

	if (ret)
		return ret;
	/* true/false, or mip6lbctl's "yes"/"no": a config with no [service]
	 * may remove every running one (docs/control.md). */
	if (args && json_object_object_get_ex(args, "allow_empty", &v) &&
	    ((ret = arg_text(v, "allow_empty", val, sizeof(val), err, errlen)) ||
	     (strcmp(val, "yes") && strcmp(val, "no")))) {
		snprintf(err, errlen, "argument 'allow_empty' must be true or false");
		return -EINVAL;
	}
	if (!d->reload) {
		snprintf(err, errlen, "reload is not available");
		return -EOPNOTSUPP;
	}
	return d->reload(d, !strcmp(val, "yes"), err, errlen);
}

/* changes: it writes services, backends or sessions, so d->changed()
 * runs after it succeeds (reload has its own path through d->reload). */
static const struct {
	const char *cmd;
	cmd_fn fn;
	bool changes;
} commands[] = {
	{ "status",          cmd_status,          false },
	{ "service add",     cmd_service_add,     true },
	{ "service del",     cmd_service_del,     true },
	{ "service list",    cmd_service_list,    false },
	{ "backend add",     cmd_backend_add,     true },
	{ "backend del",     cmd_backend_del,     true },
	{ "backend drain",   cmd_backend_drain,   true },
	{ "backend undrain", cmd_backend_undrain, true },
	{ "backend disable", cmd_backend_disable, true },
	{ "backend enable",  cmd_backend_enable,  true },
	{ "backend list",    cmd_backend_list,    false },
	{ "session list",    cmd_session_list,    false },
	{ "session del",     cmd_session_del,     true },
	{ "stats",           cmd_stats,           false },
	{ "binding list",    cmd_binding_list,    false },
	{ "peer list",       cmd_peer_list,       false },
	{ "sync",            cmd_sync,            false },
	{ "reload",          cmd_reload,          false },
};

/* JSON's whitespace (RFC 8259 section 2): what may follow the request. */
static bool only_ws(const char *p, size_t n)
{
	for (; n; p++, n--)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return true;
}

/*
 * The request: exactly one JSON document, an object.  The framing has
 * already ended it (newline or EOF), so a document json-c still calls
 * incomplete is finished with a NUL (a bare number or literal at the end);
 * whatever follows the document must be whitespace, so that a second
 * document is refused rather than silently ignored.
 */
static struct json_object *parse_request(const char *req, size_t len, char *err, size_t errlen)
{
	enum json_tokener_error jerr;
	struct json_tokener *tok;
	struct json_object *r;
	size_t end = len;

	tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	r = json_tokener_parse_ex(tok, req, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_success) {
		end = json_tokener_get_parse_end(tok);
	} else if (jerr == json_tokener_continue) {
		r = json_tokener_parse_ex(tok, "", 1);
		jerr = json_tokener_get_error(tok);
		if (jerr != json_tokener_success)
			jerr = json_tokener_continue;
	}
	json_tokener_free(tok);
	if (jerr != json_tokener_success) {
		snprintf(err, errlen, "request is not JSON: %s",
			 jerr == json_tokener_continue ? "incomplete" : json_tokener_error_desc(jerr));
		json_object_put(r);
		return NULL;
	}
	if (!json_object_is_type(r, json_type_object)) {
		snprintf(err, errlen, "request is not a JSON object");
		json_object_put(r);
		return NULL;
	}
	if (end > len || !only_ws(req + end, len - end)) {
		snprintf(err, errlen, "trailing data after the request");
		json_object_put(r);
		return NULL;
	}
	return r;
}

char *ctlsrv_handle(struct daemon *d, const char *req, size_t len)
{
	struct json_object *r = NULL, *cmd = NULL, *args = NULL, *data = NULL, *resp;
	char err[1024] = "", esc[LOG_ESC_LEN], esc_err[2 * sizeof(err)];
	const char *name = NULL, *known = NULL, *text;
	char *out = NULL;
	size_t i;
	int ret = -EINVAL;

	r = parse_request(req, len, err, sizeof(err));
	if (!r)
		goto respond;
	if (!json_object_object_get_ex(r, "cmd", &cmd) ||
	    !json_object_is_type(cmd, json_type_string)) {
		snprintf(err, sizeof(err), "request has no \"cmd\" string");
		goto respond;
	}
	name = json_object_get_string(cmd);
	if (json_object_object_get_ex(r, "args", &args) && json_object_is_type(args, json_type_null))
		args = NULL;
	if (args && !json_object_is_type(args, json_type_object)) {
		snprintf(err, sizeof(err), "'args' must be an object");
		goto respond;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].cmd, name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		/* Escaped: the name is the client's, and the error reaches
		 * the log and the CLI user's terminal. */
		snprintf(err, sizeof(err), "unknown command '%s'",
			 log_escape(esc, sizeof(esc), name, json_object_get_string_len(cmd)));
		goto respond;
	}
	known = commands[i].cmd;
	ret = commands[i].fn(d, args, &data, err, sizeof(err));
	if (ret && !err[0])
		snprintf(err, sizeof(err), "%s: %s", name, strerror(-ret));
	if (!ret && commands[i].changes && d->changed)
		d->changed(d);

respond:
	resp = json_object_new_object();
	add(resp, "ok", json_object_new_boolean(!ret));
	if (ret) {
		add(resp, "error", json_object_new_string(err));
		json_object_put(data);
		/* A command's error may quote the client's values: escaped.
		 * Any other error is fixed text or already escaped. */
		if (known)
			pr_debug("control: %s: %s", known,
				 log_escape(esc_err, sizeof(esc_err), err, strlen(err)));
		else
			pr_debug("control: %s", err);
	} else {
		add(resp, "data", data ? data : json_object_new_object());
	}
	text = json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text && asprintf(&out, "%s\n", text) < 0)
		out = NULL;
	json_object_put(resp);
	json_object_put(r);
	return out;
}
