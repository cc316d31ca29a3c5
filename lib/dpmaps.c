// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dpmaps.h"
#include "log.h"

const char *const dp_map_names[DP_MAP_COUNT] = {
	"services", "service_conf", "vips", "vip_index", "backends", "rings", "sessions",
	"frags", "counters", "backend_stats", "tx_ports", "events", "settings",
	"probation", "coa_sessions", "service_stats",
};

void dp_sizes_default(struct dp_sizes *s, __u32 max_sessions)
{
	s->sessions = max_sessions;
	s->probation = max_sessions < MIP6LB_PROBATION_SLOTS ? max_sessions :
		       MIP6LB_PROBATION_SLOTS;
	s->coa = MIP6LB_MAX_BINDINGS;
}

int *dp_maps_slot(struct dp_maps *m, int idx)
{
	int *slots[DP_MAP_COUNT] = {
		&m->services, &m->service_conf, &m->vips, &m->vip_index, &m->backends, &m->rings,
		&m->sessions, &m->frags, &m->counters, &m->backend_stats,
		&m->tx_ports, &m->events, &m->settings, &m->probation, &m->coa_sessions,
		&m->service_stats,
	};

	return idx >= 0 && idx < DP_MAP_COUNT ? slots[idx] : NULL;
}

void dp_maps_init(struct dp_maps *m)
{
	int i;

	for (i = 0; i < DP_MAP_COUNT; i++)
		*dp_maps_slot(m, i) = -1;
}

int dp_maps_from_object(struct dp_maps *m, struct bpf_object *obj)
{
	int i;

	dp_maps_init(m);
	for (i = 0; i < DP_MAP_COUNT; i++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, dp_map_names[i]);

		if (!map) {
			pr_err("BPF object has no map '%s'", dp_map_names[i]);
			return -ENOENT;
		}
		*dp_maps_slot(m, i) = bpf_map__fd(map);
	}
	return 0;
}

int dp_maps_open_pinned(struct dp_maps *m, const char *dir)
{
	char path[512];
	int i, fd, err;

	dp_maps_init(m);
	for (i = 0; i < DP_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dp_map_names[i]);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			dp_maps_close(m);
			return err;
		}
		*dp_maps_slot(m, i) = fd;
	}
	return 0;
}

void dp_maps_close(struct dp_maps *m)
{
	int i;

	for (i = 0; i < DP_MAP_COUNT; i++) {
		int *fd = dp_maps_slot(m, i);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

static int update(int fd, const void *key, const void *val, __u64 flags)
{
	return bpf_map_update_elem(fd, key, val, flags) ? -errno : 0;
}

int dp_vips_refresh(const struct dp_maps *m)
{
	struct mip6lb_service_key key, next;
	struct mip6lb_service_ref ref;
	struct in6_addr vkey, vnext;
	struct mip6lb_vip vip;
	void *prev = NULL;
	int err = 0;

	/* At most MIP6LB_MAX_VIPS VIPs and MIP6LB_MAX_SERVICES * 4 keys: a
	 * full scan per VIP is cheap, and always agrees with the services map
	 * however it was changed. */
	while (!bpf_map_get_next_key(m->vips, prev, &vnext)) {
		__u32 fast = MIP6LB_NO_SERVICE;
		int n_keys = 0;
		void *kprev = NULL;

		vkey = vnext;
		prev = &vkey;
		if (bpf_map_lookup_elem(m->vips, &vkey, &vip))
			continue;
		while (!bpf_map_get_next_key(m->services, kprev, &next)) {
			key = next;
			kprev = &key;
			if (memcmp(&key.vip, &vkey, sizeof(vkey)) ||
			    bpf_map_lookup_elem(m->services, &key, &ref))
				continue;
			n_keys++;
			if (!key.proto && !key.port)
				fast = ref.id;
		}
		if (n_keys != 1)
			fast = MIP6LB_NO_SERVICE;
		if (vip.fast_id != fast) {
			vip.fast_id = fast;
			err = update(m->vips, &vkey, &vip, BPF_EXIST);
			if (err && err != -ENOENT)
				return err;
			err = 0;
		}
	}
	return dp_vip_index_sync(m);
}

struct vip_entry {
	struct in6_addr addr;
	struct mip6lb_vip vip;
	bool placed;
};

static struct vip_entry *vip_entry_find(struct vip_entry *v, int n, const struct in6_addr *a)
{
	int i;

	for (i = 0; i < n; i++)
		if (!memcmp(&v[i].addr, a, sizeof(*a)))
			return &v[i];
	return NULL;
}

int dp_vip_index_sync(const struct dp_maps *m)
{
	struct mip6lb_vip_bucket *cur = NULL, *want = NULL;
	struct vip_entry *v = NULL;
	struct in6_addr vkey, vnext;
	void *prev = NULL;
	__u32 b, i;
	int n = 0, err = 0;

	cur = calloc(MIP6LB_VIP_BUCKETS, sizeof(*cur));
	want = calloc(MIP6LB_VIP_BUCKETS, sizeof(*want));
	v = calloc(MIP6LB_MAX_VIPS, sizeof(*v));
	if (!cur || !want || !v) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(m->vips, prev, &vnext)) {
		vkey = vnext;
		prev = &vkey;
		if (n == MIP6LB_MAX_VIPS) {
			err = -E2BIG;
			goto out;
		}
		if (bpf_map_lookup_elem(m->vips, &vkey, &v[n].vip))
			continue;       /* deleted under us */
		v[n++].addr = vkey;
	}
	{
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		__u32 *keys = calloc(MIP6LB_VIP_BUCKETS, sizeof(*keys)), out_batch, count;

		count = MIP6LB_VIP_BUCKETS;
		if (!keys)
			err = -ENOMEM;
		else if (bpf_map_lookup_batch(m->vip_index, NULL, &out_batch, keys, cur,
					      &count, &opts) && errno != ENOENT)
			err = -errno;
		else if (count != MIP6LB_VIP_BUCKETS)
			err = -EIO;
		free(keys);
		if (err)
			goto out;
	}
	/* Keep every VIP that is still in vips where it is, with its current
	 * value; free the slots of the rest. */
	for (b = 0; b < MIP6LB_VIP_BUCKETS; b++) {
		for (i = 0; i < MIP6LB_VIP_BUCKET_SLOTS; i++) {
			struct mip6lb_vip_slot *sl = &cur[b].slot[i];
			struct vip_entry *e;

			if (!(cur[b].used & (1U << i)))
				continue;
			e = vip_entry_find(v, n, &sl->addr);
			if (!e || e->placed || mip6lb_vip_bucket_of(&e->addr) != b)
				continue;
			want[b].slot[i].addr = e->addr;
			want[b].slot[i].vip = e->vip;
			want[b].used |= 1U << i;
			e->placed = true;
		}
	}
	/* Then the new ones, in free slots of their bucket, or overflow. */
	for (i = 0; i < (__u32)n; i++) {
		__u32 s;

		if (v[i].placed)
			continue;
		b = mip6lb_vip_bucket_of(&v[i].addr);
		for (s = 0; s < MIP6LB_VIP_BUCKET_SLOTS && (want[b].used & (1U << s)); s++)
			;
		if (s == MIP6LB_VIP_BUCKET_SLOTS) {
			want[b].flags |= MIP6LB_VIPB_OVERFLOW;
			continue;
		}
		want[b].slot[s].addr = v[i].addr;
		want[b].slot[s].vip = v[i].vip;
		want[b].used |= 1U << s;
	}
	for (b = 0; b < MIP6LB_VIP_BUCKETS; b++) {
		if (!memcmp(&cur[b], &want[b], sizeof(cur[b])))
			continue;
		err = update(m->vip_index, &b, &want[b], BPF_ANY);
		if (err)
			goto out;
	}
out:
	if (err)
		pr_err("map vip_index: %s", strerror(-err));
	free(cur);
	free(want);
	free(v);
	return err;
}

int dp_service_write(const struct dp_maps *m, const struct mip6lb_service_key *key,
		     const struct mip6lb_service *svc, bool vip_default)
{
	struct mip6lb_service_ref ref = { .id = svc->id };
	struct mip6lb_service val = *svc;
	struct mip6lb_vip vip = { .service_id = svc->id, .fast_id = MIP6LB_NO_SERVICE };
	struct mip6lb_vip old;
	int err;

	if (svc->id >= MIP6LB_MAX_SERVICES)
		return -ERANGE;
	val.flags |= MIP6LB_SVC_ACTIVE;
	err = update(m->service_conf, &svc->id, &val, BPF_ANY);
	if (!err)
		err = update(m->services, key, &ref, BPF_ANY);
	if (!err && (vip_default || bpf_map_lookup_elem(m->vips, &key->vip, &old)))
		err = update(m->vips, &key->vip, &vip, BPF_ANY);
	if (!err)
		err = dp_vips_refresh(m);
	return err;
}

int dp_service_delete(const struct dp_maps *m, const struct mip6lb_service_key *key,
		      __u32 id)
{
	struct mip6lb_service empty = {};
	struct mip6lb_vip vip;

	int err;

	bpf_map_delete_elem(m->services, key);
	if (!bpf_map_lookup_elem(m->vips, &key->vip, &vip) && vip.service_id == id)
		bpf_map_delete_elem(m->vips, &key->vip);
	err = update(m->service_conf, &id, &empty, BPF_ANY);
	return err ? err : dp_vips_refresh(m);
}

int dp_backend_write(const struct dp_maps *m, __u32 id, const struct mip6lb_backend *be)
{
	if (id >= MIP6LB_MAX_BACKENDS)
		return -ERANGE;
	return update(m->backends, &id, be, BPF_ANY);
}

int dp_backend_clear(const struct dp_maps *m, __u32 id)
{
	struct mip6lb_backend empty = {};

	return dp_backend_write(m, id, &empty);
}

int dp_ring_write(const struct dp_maps *m, __u32 service_id, const __u32 *ring)
{
	__u32 *keys, count = MIP6LB_RING_SIZE, i;
	int err = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (service_id >= MIP6LB_MAX_SERVICES)
		return -ERANGE;
	keys = malloc(sizeof(*keys) * MIP6LB_RING_SIZE);
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < MIP6LB_RING_SIZE; i++)
		keys[i] = service_id * MIP6LB_RING_SIZE + i;
	/* One syscall for the whole ring; per-slot updates as a fallback for
	 * kernels without batch ops on arrays. */
	if (bpf_map_update_batch(m->rings, keys, ring, &count, &opts)) {
		for (i = 0; i < MIP6LB_RING_SIZE && !err; i++)
			err = update(m->rings, &keys[i], &ring[i], BPF_ANY);
	}
	free(keys);
	return err;
}

int dp_settings_write(const struct dp_maps *m, const struct mip6lb_settings *s)
{
	__u32 zero = 0;

	return update(m->settings, &zero, s, BPF_ANY);
}

static int percpu_sum(int fd, __u32 key, struct mip6lb_counter_val *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct mip6lb_counter_val *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	for (i = 0; i < ncpu; i++) {
		out->packets += vals[i].packets;
		out->bytes += vals[i].bytes;
	}
	free(vals);
	return 0;
}

int dp_counters_read(const struct dp_maps *m, struct mip6lb_counter_val *out)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, i;
	struct mip6lb_counters *vals;
	__u32 zero = 0;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(m->counters, &zero, vals)) {
		err = -errno;
		goto out;
	}
	memset(out, 0, MIP6LB_CNT_MAX * sizeof(*out));
	for (cpu = 0; cpu < ncpu; cpu++) {
		for (i = 0; i < MIP6LB_CNT_MAX; i++) {
			out[i].packets += vals[cpu].c[i].packets;
			out[i].bytes += vals[cpu].c[i].bytes;
		}
	}
out:
	free(vals);
	return err;
}

int dp_backend_stats_read(const struct dp_maps *m, __u32 id, struct mip6lb_counter_val *out)
{
	return percpu_sum(m->backend_stats, id, out);
}

int dp_service_stats_read(const struct dp_maps *m, __u32 id, struct mip6lb_service_stats *out)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct mip6lb_service_stats *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(m->service_stats, &id, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	for (i = 0; i < ncpu; i++)
		out->midflow_new += vals[i].midflow_new;
	free(vals);
	return 0;
}

__u64 dp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

long dp_sessions_walk(int fd, __u32 batch, dp_sessions_batch_cb cb, void *arg)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct mip6lb_session_key *keys;
	struct mip6lb_session *vals;
	struct mip6lb_session_key in, out;
	void *inp = NULL;
	long total = 0;
	int ret, err = 0;
	__u32 n;

	keys = calloc(batch, sizeof(*keys));
	vals = calloc(batch, sizeof(*vals));
	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		n = batch;
		ret = bpf_map_lookup_batch(fd, inp, &out, keys, vals, &n, &opts);
		if (ret && errno != ENOENT) {
			err = -errno;
			goto out;
		}
		total += n;
		err = cb(keys, vals, n, arg);
		if (err) {
			err = err < 0 ? err : 0;
			goto out;
		}
		if (ret)        /* ENOENT: that was the last batch */
			break;
		in = out;
		inp = &in;
	}
out:
	free(keys);
	free(vals);
	return err ? err : total;
}

#define DP_BATCH 4096

struct foreach_ctx {
	dp_session_cb cb;
	void *arg;
	long visited;
	bool stopped;                /* cb asked to stop */
};

static int foreach_batch(const struct mip6lb_session_key *keys,
			 const struct mip6lb_session *vals, __u32 n, void *arg)
{
	struct foreach_ctx *c = arg;
	__u32 i;

	for (i = 0; i < n; i++) {
		c->visited++;
		if (c->cb(&keys[i], &vals[i], c->arg)) {
			c->stopped = true;
			return 1;
		}
	}
	return 0;
}

void dp_session_tables(const struct dp_maps *m, int fds[DP_SESSION_TABLES])
{
	fds[DP_TABLE_SESSIONS] = m->sessions;
	fds[DP_TABLE_COA] = m->coa_sessions;
	fds[DP_TABLE_PROBATION] = m->probation;
}

long dp_sessions_foreach(const struct dp_maps *m, dp_session_cb cb, void *arg)
{
	struct foreach_ctx c = { .cb = cb, .arg = arg };
	int fds[DP_SESSION_TABLES], i;
	long ret = 0;

	dp_session_tables(m, fds);
	for (i = 0; i < DP_SESSION_TABLES; i++) {
		/* A program's own maps may lack the newer tables (-1). */
		if (fds[i] < 0)
			continue;
		ret = dp_sessions_walk(fds[i], DP_BATCH, foreach_batch, &c);
		if (ret < 0)
			return ret;
		if (c.stopped)
			break;
	}
	return c.visited;
}

int dp_session_table_fd(const struct dp_maps *m, const struct mip6lb_session *val)
{
	if (val->flags & MIP6LB_SESS_PROBATION)
		return m->probation;
	if (val->kind == MIP6LB_KIND_COA)
		return m->coa_sessions;
	return m->sessions;
}

int dp_session_lookup(const struct dp_maps *m, const struct mip6lb_session_key *key,
		      struct mip6lb_session *val)
{
	/* The datapath's order (bpf/session.h). */
	int fds[DP_SESSION_TABLES] = { m->sessions, m->coa_sessions, m->probation }, i;

	for (i = 0; i < DP_SESSION_TABLES; i++)
		if (fds[i] >= 0 && !bpf_map_lookup_elem(fds[i], key, val))
			return 0;
	return -ENOENT;
}

int dp_session_delete(const struct dp_maps *m, const struct mip6lb_session_key *key)
{
	int fds[DP_SESSION_TABLES], i, err = -ENOENT;

	dp_session_tables(m, fds);
	for (i = 0; i < DP_SESSION_TABLES; i++) {
		if (fds[i] < 0)
			continue;
		if (!bpf_map_delete_elem(fds[i], key))
			err = 0;
		else if (errno != ENOENT && err == -ENOENT)
			err = -errno;
	}
	return err;
}
