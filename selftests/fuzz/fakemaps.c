// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fakemaps.c - libbpf's map calls over process memory (fakemaps.h says
 * why).  Only the fds fake_maps_open() handed out are served; any other
 * fd gets EBADF, as a closed one would.  Errors follow libbpf 1.x: a
 * negative errno returned and errno set.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/in.h>
#include "mip6lb.h"
#include "fakemaps.h"

#define FAKE_FD_BASE 1000

enum fake_kind { FK_ARRAY, FK_PERCPU_ARRAY, FK_HASH, FK_LRU_HASH };

struct fake_map {
	const char *name;
	enum fake_kind kind;
	__u32 key_size, value_size, max_entries;
	/* arrays: max_entries values, [lo, hi) written since the reset */
	__u8 *data;
	__u32 lo, hi;
	/* hashes: n entries of key_size + value_size, oldest first */
	__u8 *ents;
	__u32 n, cap;
};

static struct fake_map maps[DP_MAP_COUNT];
static int ncpu;

static int fail(int err)
{
	errno = err;
	return -err;
}

static struct fake_map *get(int fd)
{
	if (fd < FAKE_FD_BASE || fd >= FAKE_FD_BASE + DP_MAP_COUNT || !maps[fd - FAKE_FD_BASE].name)
		return NULL;
	return &maps[fd - FAKE_FD_BASE];
}

/* Bytes one value takes: percpu values are 8-byte aligned, one per CPU. */
static size_t vsize(const struct fake_map *m)
{
	if (m->kind == FK_PERCPU_ARRAY)
		return (size_t)((m->value_size + 7) & ~7U) * ncpu;
	return m->value_size;
}

static bool is_array(const struct fake_map *m)
{
	return m->kind == FK_ARRAY || m->kind == FK_PERCPU_ARRAY;
}

static __u8 *array_slot(struct fake_map *m, const void *key, bool write)
{
	__u32 idx;

	memcpy(&idx, key, sizeof(idx));
	if (idx >= m->max_entries)
		return NULL;
	if (!m->data) {
		m->data = calloc(m->max_entries, vsize(m));
		if (!m->data)
			abort();
	}
	if (write) {
		if (m->lo == m->hi) {
			m->lo = idx;
			m->hi = idx + 1;
		} else {
			m->lo = idx < m->lo ? idx : m->lo;
			m->hi = idx + 1 > m->hi ? idx + 1 : m->hi;
		}
	}
	return m->data + (size_t)idx * vsize(m);
}

static size_t esize(const struct fake_map *m)
{
	return m->key_size + m->value_size;
}

static long hash_find(const struct fake_map *m, const void *key)
{
	__u32 i;

	for (i = 0; i < m->n; i++)
		if (!memcmp(m->ents + i * esize(m), key, m->key_size))
			return i;
	return -1;
}

static void hash_remove(struct fake_map *m, __u32 i)
{
	memmove(m->ents + i * esize(m), m->ents + (i + 1) * esize(m), (m->n - i - 1) * esize(m));
	m->n--;
}

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	struct fake_map *m = get(fd);
	__u8 *slot;
	long i;

	if (!m)
		return fail(EBADF);
	if (is_array(m)) {
		slot = array_slot(m, key, false);
		if (!slot)
			return fail(ENOENT);
		memcpy(value, slot, vsize(m));
		return 0;
	}
	i = hash_find(m, key);
	if (i < 0)
		return fail(ENOENT);
	memcpy(value, m->ents + i * esize(m) + m->key_size, m->value_size);
	return 0;
}

int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)
{
	struct fake_map *m = get(fd);
	__u8 *slot;
	long i;

	if (!m)
		return fail(EBADF);
	if (flags > BPF_EXIST)
		return fail(EINVAL);
	if (is_array(m)) {
		if (flags == BPF_NOEXIST)
			return fail(EEXIST);
		slot = array_slot(m, key, true);
		if (!slot)
			return fail(E2BIG);
		memcpy(slot, value, vsize(m));
		return 0;
	}
	i = hash_find(m, key);
	if (i >= 0 && flags == BPF_NOEXIST)
		return fail(EEXIST);
	if (i < 0 && flags == BPF_EXIST)
		return fail(ENOENT);
	if (i < 0) {
		if (m->n == m->max_entries) {
			if (m->kind != FK_LRU_HASH)
				return fail(E2BIG);
			hash_remove(m, 0);
		}
		if (m->n == m->cap) {
			__u32 ncap = m->cap ? m->cap * 2 : 16;
			__u8 *p = realloc(m->ents, ncap * esize(m));

			if (!p)
				abort();
			m->ents = p;
			m->cap = ncap;
		}
		i = m->n++;
		memcpy(m->ents + i * esize(m), key, m->key_size);
	}
	memcpy(m->ents + i * esize(m) + m->key_size, value, m->value_size);
	return 0;
}

int bpf_map_delete_elem(int fd, const void *key)
{
	struct fake_map *m = get(fd);
	long i;

	if (!m)
		return fail(EBADF);
	if (is_array(m))
		return fail(EINVAL);
	i = hash_find(m, key);
	if (i < 0)
		return fail(ENOENT);
	hash_remove(m, i);
	return 0;
}

int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	struct fake_map *m = get(fd);
	long i = -1;
	__u32 idx;

	if (!m)
		return fail(EBADF);
	if (is_array(m)) {
		idx = 0;
		if (key) {
			memcpy(&idx, key, sizeof(idx));
			idx = idx >= m->max_entries ? 0 : idx + 1;
		}
		if (idx >= m->max_entries)
			return fail(ENOENT);
		memcpy(next_key, &idx, sizeof(idx));
		return 0;
	}
	/* A key that is gone restarts the walk, as the kernel's does. */
	if (key)
		i = hash_find(m, key);
	if ((__u32)(i + 1) >= m->n)
		return fail(ENOENT);
	memcpy(next_key, m->ents + (i + 1) * esize(m), m->key_size);
	return 0;
}

/* The batch token is a __u32 position: what the kernel uses for arrays,
 * and it fits in the key-sized buffer callers give hashes. */
int bpf_map_lookup_batch(int fd, void *in_batch, void *out_batch, void *keys, void *values,
			 __u32 *count, const struct bpf_map_batch_opts *opts)
{
	struct fake_map *m = get(fd);
	__u32 pos = 0, total, got = 0;
	__u8 *k = keys, *v = values;

	if (!m)
		return fail(EBADF);
	if (!count || !*count)
		return fail(EINVAL);
	if (in_batch)
		memcpy(&pos, in_batch, sizeof(pos));
	total = is_array(m) ? m->max_entries : m->n;
	while (got < *count && pos < total) {
		if (is_array(m)) {
			memcpy(k, &pos, sizeof(pos));
			memcpy(v, array_slot(m, &pos, false), vsize(m));
			v += vsize(m);
		} else {
			memcpy(k, m->ents + pos * esize(m), m->key_size);
			memcpy(v, m->ents + pos * esize(m) + m->key_size, m->value_size);
			v += m->value_size;
		}
		k += m->key_size;
		got++;
		pos++;
	}
	*count = got;
	memcpy(out_batch, &pos, sizeof(pos));
	return pos >= total ? fail(ENOENT) : 0;
}

int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count,
			 const struct bpf_map_batch_opts *opts)
{
	struct fake_map *m = get(fd);
	__u32 i;
	int err;

	if (!m)
		return fail(EBADF);
	for (i = 0; i < *count; i++) {
		err = bpf_map_update_elem(fd, (const __u8 *)keys + i * m->key_size,
					  (const __u8 *)values + i * vsize(m), opts ? opts->elem_flags : 0);
		if (err) {
			*count = i;
			return err;
		}
	}
	return 0;
}

int bpf_map_delete_batch(int fd, const void *keys, __u32 *count,
			 const struct bpf_map_batch_opts *opts)
{
	struct fake_map *m = get(fd);
	__u32 i;
	int err;

	if (!m)
		return fail(EBADF);
	for (i = 0; i < *count; i++) {
		err = bpf_map_delete_elem(fd, (const __u8 *)keys + i * m->key_size);
		if (err) {
			*count = i;
			return err;
		}
	}
	return 0;
}

static void def(int idx, enum fake_kind kind, __u32 ks, __u32 vs, __u32 max)
{
	struct fake_map *m = &maps[idx];

	m->name = dp_map_names[idx];
	m->kind = kind;
	m->key_size = ks;
	m->value_size = vs;
	m->max_entries = max;
}

/* Sizes as bpf/maps.h declares them; the slot order is dp_map_names'. */
void fake_maps_open(struct dp_maps *m)
{
	struct dp_maps probe;
	int i;

	if (!ncpu) {
		ncpu = libbpf_num_possible_cpus();
		if (ncpu <= 0)
			abort();
	}
	fake_maps_reset();
	dp_maps_init(m);
	/* Find each map's slot by its fd field, not by a hand-kept index. */
	for (i = 0; i < DP_MAP_COUNT; i++)
		*dp_maps_slot(&probe, i) = i;
	def(probe.services, FK_HASH, sizeof(struct mip6lb_service_key),
	    sizeof(struct mip6lb_service_ref), MIP6LB_MAX_SERVICES * 4);
	def(probe.service_conf, FK_ARRAY, 4, sizeof(struct mip6lb_service), MIP6LB_MAX_SERVICES);
	def(probe.vips, FK_HASH, sizeof(struct in6_addr), sizeof(struct mip6lb_vip), MIP6LB_MAX_VIPS);
	def(probe.vip_index, FK_ARRAY, 4, sizeof(struct mip6lb_vip_bucket), MIP6LB_VIP_BUCKETS);
	def(probe.backends, FK_ARRAY, 4, sizeof(struct mip6lb_backend), MIP6LB_MAX_BACKENDS);
	def(probe.rings, FK_ARRAY, 4, 4, MIP6LB_MAX_SERVICES * MIP6LB_RING_SIZE);
	def(probe.sessions, FK_HASH, sizeof(struct mip6lb_session_key),
	    sizeof(struct mip6lb_session), 4096);
	def(probe.frags, FK_LRU_HASH, sizeof(struct mip6lb_frag_key), sizeof(struct mip6lb_frag),
	    4096);
	def(probe.counters, FK_PERCPU_ARRAY, 4, sizeof(struct mip6lb_counters), 1);
	def(probe.backend_stats, FK_PERCPU_ARRAY, 4, sizeof(struct mip6lb_counter_val),
	    MIP6LB_MAX_BACKENDS);
	def(probe.tx_ports, FK_HASH, 4, 4, 64);
	def(probe.settings, FK_ARRAY, 4, sizeof(struct mip6lb_settings), 1);
	def(probe.probation, FK_LRU_HASH, sizeof(struct mip6lb_session_key),
	    sizeof(struct mip6lb_session), 4096);
	def(probe.coa_sessions, FK_HASH, sizeof(struct mip6lb_session_key),
	    sizeof(struct mip6lb_session), 4096);
	def(probe.service_stats, FK_PERCPU_ARRAY, 4, sizeof(struct mip6lb_service_stats),
	    MIP6LB_MAX_SERVICES);
	for (i = 0; i < DP_MAP_COUNT; i++)
		if (maps[i].name && i != probe.events)
			*dp_maps_slot(m, i) = FAKE_FD_BASE + i;
	maps[probe.events].name = NULL;
}

void fake_maps_reset(void)
{
	int i;

	for (i = 0; i < DP_MAP_COUNT; i++) {
		struct fake_map *m = &maps[i];

		if (m->data && m->hi > m->lo)
			memset(m->data + (size_t)m->lo * vsize(m), 0, (size_t)(m->hi - m->lo) * vsize(m));
		m->lo = m->hi = 0;
		m->n = 0;
	}
}

static uint64_t mix(uint64_t h, const __u8 *p, size_t len)
{
	uint64_t w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

uint64_t fake_maps_digest(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	int i;

	for (i = 0; i < DP_MAP_COUNT; i++) {
		const struct fake_map *m = &maps[i];

		if (!m->name)
			continue;
		h = mix(h, (const __u8 *)&i, sizeof(i));
		if (is_array(m) && m->data && m->hi > m->lo)
			h = mix(h, m->data + (size_t)m->lo * vsize(m),
				(size_t)(m->hi - m->lo) * vsize(m));
		else if (!is_array(m))
			h = mix(h, m->ents, (size_t)m->n * esize(m));
	}
	return h;
}
